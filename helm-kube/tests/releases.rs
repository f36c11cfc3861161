//! Releases on a real API server (scripts/kube-testenv): Helm's storage format, the action
//! lifecycle, ownership rules, hooks, waits, and interoperability with Helm 4.1.4 both ways.

mod common;

use common::{env, helm, oracle, scratch, unique, write_chart};
use helm_core::release::{ReleaseStorage, Status};
use helm_core::values::Value;
use helm_kube::{
    Client, ClientOptions, Cluster, InstallOptions, ListOptions, ReleaseApi, RollbackOptions,
    UninstallOptions, UpgradeOptions,
};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, PostParams};
use std::time::Duration;

async fn client(env: &common::Env, ns: &str) -> Client {
    let c = Client::new(ClientOptions {
        kubeconfig: Some(env.kubeconfig.clone()),
        namespace: Some(ns.into()),
        ..Default::default()
    })
    .await
    .expect("client");
    let nsapi: Api<Namespace> = Api::all(c.kube().clone());
    let obj = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some(ns.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let _ = nsapi.create(&PostParams::default(), &obj).await;
    c
}

/// What most tests start from: a namespace of their own (`prefix-N`), a client working in it,
/// and in a scratch directory the chart of [`write_chart`] named `chart`, with the files
/// `extra` (path in the chart, text) added.
struct Case {
    env: &'static common::Env,
    ns: String,
    c: Client,
    chart: std::path::PathBuf,
}

/// The [`Case`] of a test, or None (after printing why) without a test environment.
async fn case(prefix: &str, chart: &str, extra: &[(&str, &str)]) -> Option<Case> {
    let env = env()?;
    let ns = unique(prefix);
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, chart, "0.1.0");
    for (path, text) in extra {
        std::fs::write(chart.join(path), text).expect("write");
    }
    Some(Case { env, ns, c, chart })
}

fn vals(yaml: &str) -> Value {
    helm_core::values::yaml::from_str(yaml).expect("yaml")
}

fn load(path: &std::path::Path) -> helm_core::chart::Chart {
    helm_core::chart::load(path).expect("chart")
}

async fn cm(c: &Client, ns: &str, name: &str) -> Option<ConfigMap> {
    Api::<ConfigMap>::namespaced(c.kube().clone(), ns)
        .get_opt(name)
        .await
        .expect("get")
}

#[tokio::test]
async fn lifecycle_in_helms_secret_format() {
    let Some(Case { ns, c, chart, .. }) = case("life", "life", &[]).await else {
        return;
    };

    // install
    let rel = c
        .install(
            load(&chart),
            &vals("data: first\n"),
            InstallOptions {
                name: Some("app".into()),
                ..Default::default()
            },
        )
        .await
        .expect("install");
    assert_eq!(rel.status(), Status::Deployed);
    assert_eq!(
        rel.info.as_ref().map(|i| i.description.as_str()),
        Some("Install complete")
    );
    let data = cm(&c, &ns, "app-cm")
        .await
        .and_then(|c| c.data)
        .unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("first"));
    // ownership metadata on the object, none on the hook (deleted by hook-succeeded)
    let live = cm(&c, &ns, "app-cm").await.expect("cm");
    let ann = live.metadata.annotations.unwrap_or_default();
    assert_eq!(
        ann.get("meta.helm.sh/release-name").map(String::as_str),
        Some("app")
    );
    assert_eq!(
        ann.get("meta.helm.sh/release-namespace")
            .map(String::as_str),
        Some(ns.as_str())
    );
    assert_eq!(
        live.metadata
            .labels
            .unwrap_or_default()
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str),
        Some("Helm")
    );
    let mf = live.metadata.managed_fields.unwrap_or_default();
    assert!(
        mf.iter().any(
            |m| m.manager.as_deref() == Some("helm") && m.operation.as_deref() == Some("Apply")
        ),
        "{mf:?}"
    );
    assert!(
        cm(&c, &ns, "app-hook").await.is_none(),
        "hook-succeeded deletes the hook"
    );
    assert_eq!(rel.hooks[0].last_run.phase, "Succeeded");

    // the storage Secret, exactly as Helm names and labels it
    let secrets: Api<Secret> = Api::namespaced(c.kube().clone(), &ns);
    let s = secrets
        .get("sh.helm.release.v1.app.v1")
        .await
        .expect("secret");
    assert_eq!(s.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels = s.metadata.labels.clone().unwrap_or_default();
    for (k, v) in [
        ("name", "app"),
        ("owner", "helm"),
        ("status", "deployed"),
        ("version", "1"),
    ] {
        assert_eq!(labels.get(k).map(String::as_str), Some(v), "label {k}");
    }
    assert!(labels.contains_key("modifiedAt"));
    let payload = String::from_utf8(
        s.data
            .unwrap_or_default()
            .get("release")
            .expect("data.release")
            .0
            .clone(),
    )
    .expect("utf8");
    let decoded = helm_core::release::codec::decode(&payload).expect("decode");
    assert_eq!(decoded.name, "app");
    assert_eq!(
        decoded.config.get("data"),
        Some(&serde_json::json!("first"))
    );
    assert_eq!(decoded.apply_method, "ssa");

    // upgrade: new values, an extra object and a kept one
    let rel = c
        .upgrade(
            "app",
            load(&chart),
            &vals("data: second\nextra: true\nkept: true\n"),
            UpgradeOptions::default(),
        )
        .await
        .expect("upgrade");
    assert_eq!((rel.version, rel.status()), (2, Status::Deployed));
    assert!(cm(&c, &ns, "app-extra").await.is_some());
    let h = c.history("app", None).await.expect("history");
    assert_eq!(
        h.iter()
            .map(|r| (r.version, r.status()))
            .collect::<Vec<_>>(),
        vec![(1, Status::Superseded), (2, Status::Deployed)]
    );
    // Helm keeps the description of a superseded revision.
    assert_eq!(
        h[0].info.as_ref().map(|i| i.description.as_str()),
        Some("Install complete")
    );

    // upgrade without values reuses the last ones (Helm's default when no values are given)
    let rel = c
        .upgrade(
            "app",
            load(&chart),
            &Value::empty_map(),
            UpgradeOptions::default(),
        )
        .await
        .expect("upgrade 3");
    assert_eq!(rel.config.get("data"), Some(&serde_json::json!("second")));

    // rollback to 1: the extra object is deleted, the kept one stays
    let rel = c
        .rollback(
            "app",
            RollbackOptions {
                revision: 1,
                ..Default::default()
            },
        )
        .await
        .expect("rollback");
    assert_eq!(rel.version, 4);
    assert_eq!(
        rel.info.as_ref().map(|i| i.description.as_str()),
        Some("Rollback to 1")
    );
    assert!(
        cm(&c, &ns, "app-extra").await.is_none(),
        "dropped by the rollback"
    );
    assert!(
        cm(&c, &ns, "app-kept").await.is_some(),
        "helm.sh/resource-policy: keep"
    );
    let data = cm(&c, &ns, "app-cm")
        .await
        .and_then(|c| c.data)
        .unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("first"));
    let h = c.history("app", None).await.expect("history");
    assert_eq!(
        h.iter().filter(|r| r.status() == Status::Deployed).count(),
        1
    );

    // values of a revision
    let v = c.get_values("app", None, 2, false).await.expect("values");
    assert_eq!(
        helm_core::values::json::to_string(&v),
        r#"{"data":"second","extra":true,"kept":true}"#
    );

    // list
    let l = c.list(ListOptions::default()).await.expect("list");
    assert_eq!(
        l.iter()
            .map(|r| (r.name.as_str(), r.version))
            .collect::<Vec<_>>(),
        vec![("app", 4)]
    );

    // uninstall --keep-history, then purge
    let res = c
        .uninstall(
            "app",
            UninstallOptions {
                keep_history: true,
                ..Default::default()
            },
        )
        .await
        .expect("uninstall");
    assert_eq!(res.release.status(), Status::Uninstalled);
    assert!(cm(&c, &ns, "app-cm").await.is_none());
    let err = c
        .uninstall(
            "app",
            UninstallOptions {
                keep_history: true,
                ..Default::default()
            },
        )
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("the release named \"app\" is already deleted")
    );
    // --replace reuses the name of an uninstalled release, keeping its history
    let rel = c
        .install(
            load(&chart),
            &Value::empty_map(),
            InstallOptions {
                name: Some("app".into()),
                replace: true,
                ..Default::default()
            },
        )
        .await
        .expect("install --replace");
    assert_eq!(rel.version, 5);
    let h = c.history("app", None).await.expect("history");
    assert_eq!(
        h.iter().map(|r| r.status()).collect::<Vec<_>>()[3..],
        [Status::Superseded, Status::Deployed]
    );
    assert_eq!(
        h[3].info.as_ref().map(|i| i.description.as_str()),
        Some("superseded by new release")
    );
    c.uninstall("app", UninstallOptions::default())
        .await
        .expect("purge");
    assert!(c.history("app", None).await.is_err());
    assert!(secrets
        .list(&Default::default())
        .await
        .expect("list")
        .items
        .iter()
        .all(|s| !s
            .metadata
            .name
            .clone()
            .unwrap_or_default()
            .starts_with("sh.helm.release.v1.app.")));
}

#[tokio::test]
async fn refusals_pending_name_in_use_and_foreign_objects() {
    let Some(Case { ns, c, chart, .. }) = case("refuse", "refuse", &[]).await else {
        return;
    };

    // an object without Helm's ownership metadata blocks the install, with Helm's message
    let foreign = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some("x-cm".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<ConfigMap>::namespaced(c.kube().clone(), &ns)
        .create(&PostParams::default(), &foreign)
        .await
        .expect("create");
    let err = c
        .install(
            load(&chart),
            &Value::empty_map(),
            InstallOptions {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        err,
        format!("unable to continue with install: ConfigMap \"x-cm\" in namespace \"{ns}\" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key \"app.kubernetes.io/managed-by\": must be set to \"Helm\"; annotation validation error: missing key \"meta.helm.sh/release-name\": must be set to \"x\"; annotation validation error: missing key \"meta.helm.sh/release-namespace\": must be set to \"{ns}\"")
    );
    assert!(c.history("x", None).await.is_err(), "nothing stored");

    // with the metadata set, the object is adopted
    let mut adopt = foreign.clone();
    adopt.metadata.name = Some("y-cm".into());
    adopt.metadata.labels = Some(
        [(
            "app.kubernetes.io/managed-by".to_string(),
            "Helm".to_string(),
        )]
        .into(),
    );
    adopt.metadata.annotations = Some(
        [
            ("meta.helm.sh/release-name".to_string(), "y".to_string()),
            ("meta.helm.sh/release-namespace".to_string(), ns.clone()),
        ]
        .into(),
    );
    Api::<ConfigMap>::namespaced(c.kube().clone(), &ns)
        .create(&PostParams::default(), &adopt)
        .await
        .expect("create");
    c.install(
        load(&chart),
        &Value::empty_map(),
        InstallOptions {
            name: Some("y".into()),
            ..Default::default()
        },
    )
    .await
    .expect("adopted");

    // name in use
    let err = c
        .install(
            load(&chart),
            &Value::empty_map(),
            InstallOptions {
                name: Some("y".into()),
                ..Default::default()
            },
        )
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("cannot reuse a name that is still in use")
    );

    // a pending operation blocks upgrade and rollback
    let store = c.storage(Some(&ns));
    let mut pending = store.get("y", 1).await.expect("get");
    pending.version = 2;
    pending.set_status(Status::PendingUpgrade, "Preparing upgrade");
    store.create(&pending).await.expect("create pending");
    let err = c
        .upgrade(
            "y",
            load(&chart),
            &Value::empty_map(),
            UpgradeOptions::default(),
        )
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("another operation (install/upgrade/rollback) is in progress")
    );
    // ... but rollback recovers it, as in Helm 4.1.4: revision 3 rolls back to 1, the
    // pending revision stays pending.
    let rel = c
        .rollback("y", RollbackOptions::default())
        .await
        .expect("rollback recovers");
    assert_eq!((rel.version, rel.status()), (3, Status::Deployed));
    let h = c.history("y", None).await.expect("history");
    assert_eq!(
        h.iter().map(|r| r.status()).collect::<Vec<_>>(),
        vec![Status::Superseded, Status::PendingUpgrade, Status::Deployed]
    );
    c.upgrade(
        "y",
        load(&chart),
        &Value::empty_map(),
        UpgradeOptions::default(),
    )
    .await
    .expect("upgrade after recovery");

    // upgrade of an unknown release
    let err = c
        .upgrade(
            "nope",
            load(&chart),
            &Value::empty_map(),
            UpgradeOptions::default(),
        )
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("\"nope\" has no deployed releases"));
}

#[tokio::test]
async fn max_history_and_configmap_driver() {
    let Some(env) = env() else { return };
    let ns = unique("hist");
    let base = client(env, &ns).await;
    let c = Client::new(ClientOptions {
        kubeconfig: Some(env.kubeconfig.clone()),
        namespace: Some(ns.clone()),
        driver: helm_kube::DriverKind::ConfigMap,
        ..Default::default()
    })
    .await
    .expect("client");
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "hist", "0.1.0");
    c.install(
        load(&chart),
        &Value::empty_map(),
        InstallOptions {
            name: Some("h".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    for i in 0..4 {
        c.upgrade(
            "h",
            load(&chart),
            &vals(&format!("data: v{i}\n")),
            UpgradeOptions {
                max_history: 3,
                ..Default::default()
            },
        )
        .await
        .expect("upgrade");
    }
    let h = c.history("h", None).await.expect("history");
    assert_eq!(
        h.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    // stored as ConfigMaps named like Helm's, not Secrets
    assert!(cm(&base, &ns, "sh.helm.release.v1.h.v5").await.is_some());
    assert!(Api::<Secret>::namespaced(base.kube().clone(), &ns)
        .get_opt("sh.helm.release.v1.h.v5")
        .await
        .expect("get")
        .is_none());
}

#[tokio::test]
async fn wait_timeout_fails_and_atomic_uninstalls() {
    // A Deployment never becomes ready here (no nodes).
    let extra = [("templates/deploy.yaml", common::UNREADY_DEPLOYMENT)];
    let Some(Case { ns, c, chart, .. }) = case("wait", "wait", &extra).await else {
        return;
    };
    let opts = InstallOptions {
        name: Some("w".into()),
        wait: true,
        timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let err = c
        .install(load(&chart), &Value::empty_map(), opts)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    // Helm 4's text; the kstatus message ("Available: 0/1" once the controllers have set the
    // Deployment's status) depends on how far the controllers got in 2 s.
    assert!(
        err.starts_with(&format!(
            "resource Deployment/{ns}/w-d not ready. status: InProgress, message: "
        )),
        "{err}"
    );
    assert!(err.ends_with("\ncontext deadline exceeded"), "{err}");
    let h = c.history("w", None).await.expect("history");
    assert_eq!(h[0].status(), Status::Failed);
    assert!(h[0]
        .info
        .as_ref()
        .map(|i| i.description.starts_with("Release \"w\" failed: "))
        .unwrap_or(false));

    let opts = InstallOptions {
        name: Some("a".into()),
        wait: true,
        atomic: true,
        timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let err = c
        .install(load(&chart), &Value::empty_map(), opts)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with(
            "release a failed, and has been uninstalled due to rollback-on-failure being set: "
        ),
        "{err}"
    );
    assert!(c.history("a", None).await.is_err());
    assert!(cm(&c, &ns, "a-cm").await.is_none());
}

/// helm-rs installs; Helm lists, upgrades and rolls back; both print the same manifest.
#[tokio::test]
async fn interop_helm_reads_helm_rs_releases() {
    let Some(Case {
        env, ns, c, chart, ..
    }) = case("rs2helm", "interop", &[]).await
    else {
        return;
    };
    let Some(h) = oracle() else { return };
    c.install(
        load(&chart),
        &vals("data: from-rs\n"),
        InstallOptions {
            name: Some("ir".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");

    let (ok, out, err) = helm(env, &h, &["list", "-n", &ns, "-q"]);
    assert!(ok, "{err}");
    assert_eq!(out, "ir\n");
    let (ok, helm_manifest, err) = helm(env, &h, &["get", "manifest", "ir", "-n", &ns]);
    assert!(ok, "{err}");
    let ours = c.get_release("ir", None, 0).await.expect("get").manifest;
    assert_eq!(helm_manifest, format!("{ours}\n"));
    let (ok, values, _) = helm(env, &h, &["get", "values", "ir", "-n", &ns, "-o", "json"]);
    assert!(ok);
    assert_eq!(values, "{\"data\":\"from-rs\"}\n");

    let chart_s = chart.to_string_lossy().to_string();
    let (ok, _, err) = helm(
        env,
        &h,
        &[
            "upgrade",
            "ir",
            &chart_s,
            "-n",
            &ns,
            "--set",
            "data=from-helm",
        ],
    );
    assert!(ok, "helm upgrade of a helm-rs release: {err}");
    let data = cm(&c, &ns, "ir-cm")
        .await
        .and_then(|c| c.data)
        .unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("from-helm"));
    // The stored chart is the same JSON whoever wrote it, Helm's file times (`modtime`,
    // `schemamodtime`) included.
    let hist = c.history("ir", None).await.expect("history");
    assert_eq!(
        hist[0].chart, hist[1].chart,
        "chart written by helm-rs (rev 1) and by Helm (rev 2)"
    );
    let modtime = hist[0]
        .chart
        .as_ref()
        .and_then(|c| c.get("modtime"))
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    assert!(
        !modtime.is_empty() && !modtime.starts_with("0001-"),
        "{modtime}"
    );
    let (ok, _, err) = helm(env, &h, &["rollback", "ir", "1", "-n", &ns]);
    assert!(ok, "helm rollback: {err}");
    let hist = c.history("ir", None).await.expect("history");
    assert_eq!(
        hist.iter()
            .map(|r| (
                r.version,
                r.status(),
                r.info.clone().unwrap_or_default().description
            ))
            .collect::<Vec<_>>(),
        vec![
            (1, Status::Superseded, "Install complete".to_string()),
            (2, Status::Superseded, "Upgrade complete".to_string()),
            (3, Status::Deployed, "Rollback to 1".to_string())
        ]
    );
    let data = cm(&c, &ns, "ir-cm")
        .await
        .and_then(|c| c.data)
        .unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("from-rs"));
    let (ok, _, err) = helm(env, &h, &["uninstall", "ir", "-n", &ns]);
    assert!(ok, "{err}");
}

/// Helm installs; helm-rs lists, upgrades, rolls back and uninstalls; Helm sees the result.
#[tokio::test]
async fn interop_helm_rs_drives_helm_releases() {
    let Some(Case {
        env, ns, c, chart, ..
    }) = case("helm2rs", "interop", &[]).await
    else {
        return;
    };
    let Some(h) = oracle() else { return };
    let chart_s = chart.to_string_lossy().to_string();
    let (ok, _, err) = helm(
        env,
        &h,
        &["install", "ih", &chart_s, "-n", &ns, "--set", "data=helm1"],
    );
    assert!(ok, "{err}");

    let l = c.list(ListOptions::default()).await.expect("list");
    assert_eq!(
        l.iter()
            .map(|r| (r.name.as_str(), r.version, r.status()))
            .collect::<Vec<_>>(),
        vec![("ih", 1, Status::Deployed)]
    );
    let rel = c.get_release("ih", None, 0).await.expect("get");
    let (_, helm_manifest, _) = helm(env, &h, &["get", "manifest", "ih", "-n", &ns]);
    assert_eq!(helm_manifest, format!("{}\n", rel.manifest));
    assert_eq!(rel.chart_name(), "interop");

    let rel = c
        .upgrade(
            "ih",
            load(&chart),
            &vals("data: rs2\nextra: true\n"),
            UpgradeOptions::default(),
        )
        .await
        .expect("helm-rs upgrade of a Helm release");
    assert_eq!(rel.version, 2);
    assert!(cm(&c, &ns, "ih-extra").await.is_some());
    let (ok, out, err) = helm(env, &h, &["history", "ih", "-n", &ns, "-o", "json"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(r#""revision":1,"#)
            && out.contains(r#""status":"superseded""#)
            && out.contains(r#""revision":2,"#),
        "{out}"
    );

    c.rollback("ih", RollbackOptions::default())
        .await
        .expect("rollback");
    assert!(cm(&c, &ns, "ih-extra").await.is_none());
    let (ok, out, _) = helm(env, &h, &["get", "values", "ih", "-n", &ns, "-o", "json"]);
    assert!(ok);
    assert_eq!(out, "{\"data\":\"helm1\"}\n");
    let (ok, out, _) = helm(env, &h, &["status", "ih", "-n", &ns, "-o", "json"]);
    assert!(ok);
    assert!(
        out.contains(r#""description":"Rollback to 1","status":"deployed""#),
        "{out}"
    );

    // Helm can upgrade what helm-rs rolled back, and helm-rs uninstalls it.
    let (ok, _, err) = helm(
        env,
        &h,
        &["upgrade", "ih", &chart_s, "-n", &ns, "--reuse-values"],
    );
    assert!(ok, "{err}");
    c.uninstall("ih", UninstallOptions::default())
        .await
        .expect("uninstall");
    let (ok, out, _) = helm(env, &h, &["list", "-n", &ns, "-q"]);
    assert!(ok);
    assert_eq!(out, "");
    assert!(cm(&c, &ns, "ih-cm").await.is_none());
}

/// Plays a controller in a background task: polls (every 100 ms, `tries` times) until the
/// named object exists, waits `delay`, then merges `status()` into its status subresource.
fn patch_status_once_created<K>(
    api: Api<K>,
    name: &str,
    tries: usize,
    delay: Duration,
    status: impl Fn() -> serde_json::Value + Send + 'static,
) -> tokio::task::JoinHandle<()>
where
    K: kube::Resource
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    use kube::api::{Patch, PatchParams};
    let name = name.to_string();
    tokio::spawn(async move {
        for _ in 0..tries {
            if let Ok(Some(_)) = api.get_opt(&name).await {
                tokio::time::sleep(delay).await;
                let patch = serde_json::json!({ "status": status() });
                if api
                    .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .is_ok()
                {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

/// Pods never run here (no nodes): a background task plays the kubelet by patching the status
/// of the named Pod once it exists.
fn finish_pod(
    c: &Client,
    ns: &str,
    name: &str,
    phase: &'static str,
) -> tokio::task::JoinHandle<()> {
    use k8s_openapi::api::core::v1::Pod;
    let api: Api<Pod> = Api::namespaced(c.kube().clone(), ns);
    patch_status_once_created(
        api,
        name,
        200,
        Duration::ZERO,
        move || serde_json::json!({"phase": phase}),
    )
}

#[tokio::test]
async fn hook_pods_are_waited_for_and_tests_report_failure() {
    let Some(Case { ns, c, chart, .. }) = case("hooks", "hooks", &[]).await else {
        return;
    };
    let pod = |name: &str, hook: &str, policy: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{{{ .Release.Name }}}}-{name}\n  annotations:\n    helm.sh/hook: {hook}\n    helm.sh/hook-weight: \"1\"\n{policy}spec:\n  restartPolicy: Never\n  containers:\n  - name: c\n    image: busybox\n")
    };
    std::fs::write(
        chart.join("templates/hookpod.yaml"),
        pod(
            "hookpod",
            "post-install",
            "    helm.sh/hook-delete-policy: hook-succeeded\n",
        ),
    )
    .expect("write");
    std::fs::write(
        chart.join("templates/testpod.yaml"),
        pod("testpod", "test", ""),
    )
    .expect("write");

    let finisher = finish_pod(&c, &ns, "hk-hookpod", "Succeeded");
    let rel = c
        .install(
            load(&chart),
            &Value::empty_map(),
            InstallOptions {
                name: Some("hk".into()),
                timeout: Some(Duration::from_secs(30)),
                ..Default::default()
            },
        )
        .await
        .expect("install waits for the hook pod");
    let _ = finisher.await;
    let hookpod = rel
        .hooks
        .iter()
        .find(|h| h.name == "hk-hookpod")
        .expect("hook");
    assert_eq!(hookpod.last_run.phase, "Succeeded");
    assert!(hookpod.last_run.started_at.is_some() && hookpod.last_run.completed_at.is_some());
    // the pre-install ConfigMap hook (weight -5) ran too; the test hook did not
    assert_eq!(
        rel.hooks
            .iter()
            .find(|h| h.name == "hk-hook")
            .map(|h| h.last_run.phase.as_str()),
        Some("Succeeded")
    );
    assert_eq!(
        rel.hooks
            .iter()
            .find(|h| h.name == "hk-testpod")
            .map(|h| h.last_run.phase.as_str()),
        Some("")
    );

    // helm test: the test pod fails → error, and the result is stored
    let finisher = finish_pod(&c, &ns, "hk-testpod", "Failed");
    let err = c
        .test("hk", None, Some(Duration::from_secs(30)))
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let _ = finisher.await;
    assert!(err.contains("hk-testpod"), "{err}");
    let stored = c.get_release("hk", None, 0).await.expect("get");
    assert_eq!(
        stored
            .hooks
            .iter()
            .find(|h| h.name == "hk-testpod")
            .map(|h| h.last_run.phase.as_str()),
        Some("Failed")
    );

    // a failing post-upgrade hook fails the upgrade and marks the revision failed
    std::fs::write(
        chart.join("templates/hookpod.yaml"),
        pod("uphook", "post-upgrade", ""),
    )
    .expect("write");
    let finisher = finish_pod(&c, &ns, "hk-uphook", "Failed");
    let err = c
        .upgrade(
            "hk",
            load(&chart),
            &Value::empty_map(),
            UpgradeOptions {
                timeout: Some(Duration::from_secs(30)),
                ..Default::default()
            },
        )
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let _ = finisher.await;
    assert_eq!(err, format!("failed post-upgrade: resource Pod/{ns}/hk-uphook not ready. status: Failed, message: pod hk-uphook failed"));
    let h = c.history("hk", None).await.expect("history");
    assert_eq!(
        h.iter().map(|r| r.status()).collect::<Vec<_>>(),
        vec![Status::Deployed, Status::Failed]
    );
}

#[tokio::test]
async fn crds_are_installed_first_and_custom_resources_applied() {
    let Some(Case { ns, c, chart, .. }) = case("crds", "crdchart", &[]).await else {
        return;
    };
    let group = format!("{ns}.example.com");
    std::fs::create_dir_all(chart.join("crds")).expect("mkdir");
    std::fs::write(
        chart.join("crds/widget.yaml"),
        format!("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.{group}\nspec:\n  group: {group}\n  names: {{kind: Widget, plural: widgets, singular: widget}}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n"),
    )
    .expect("write");
    std::fs::write(
        chart.join("templates/widget.yaml"),
        format!("apiVersion: {group}/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n"),
    )
    .expect("write");
    let rel = c
        .install(
            load(&chart),
            &Value::empty_map(),
            InstallOptions {
                name: Some("cr".into()),
                ..Default::default()
            },
        )
        .await
        .expect("install");
    assert!(rel.manifest.contains("kind: Widget"));
    assert!(
        !rel.manifest.contains("CustomResourceDefinition"),
        "CRDs are not part of the release manifest"
    );
    let doc = helm_core::release::logic::parse_manifest(&rel.manifest)
        .expect("parse")
        .into_iter()
        .find(|d| d.kind == "Widget")
        .expect("widget");
    let live = c.get(&doc, &ns).await.expect("get").expect("exists");
    assert_eq!(live.pointer("/spec/size"), Some(&serde_json::json!(3)));
    // uninstall removes the custom resource but, as Helm, never the CRD
    c.uninstall("cr", UninstallOptions::default())
        .await
        .expect("uninstall");
    assert!(c.get(&doc, &ns).await.expect("get").is_none());
    let crd = helm_core::release::logic::parse_manifest(
        &std::fs::read_to_string(chart.join("crds/widget.yaml")).expect("read"),
    )
    .expect("parse");
    assert!(c.get(&crd[0], &ns).await.expect("get").is_some());
}

#[tokio::test]
async fn update_crds_applies_changed_crds_and_refuses_dropping_a_stored_version() {
    let Some(Case { ns, c, chart, .. }) = case("crdup", "crdup", &[]).await else {
        return;
    };
    let group = format!("{ns}.example.com");
    let crd = |versions: &[String]| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.{group}\nspec:\n  group: {group}\n  names: {{kind: Gadget, plural: gadgets, singular: gadget}}\n  scope: Namespaced\n  versions:\n{}",
            versions.concat()
        )
    };
    let version = |name: &str, storage: bool, fields: &[&str]| {
        let props: String = fields
            .iter()
            .map(|f| format!("              {f}: {{type: string}}\n"))
            .collect();
        format!("  - name: {name}\n    served: true\n    storage: {storage}\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n{props}")
    };
    std::fs::create_dir_all(chart.join("crds")).expect("mkdir");
    let write = |text: String| std::fs::write(chart.join("crds/gadget.yaml"), text).expect("write");
    write(crd(&[version("v1alpha1", true, &["size"])]));
    c.install(
        load(&chart),
        &Value::empty_map(),
        InstallOptions {
            name: Some("g".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    let doc = helm_core::release::logic::parse_manifest(
        &std::fs::read_to_string(chart.join("crds/gadget.yaml")).expect("read"),
    )
    .expect("parse")
    .remove(0);
    let fields = |live: &serde_json::Value, i: usize| -> Vec<String> {
        live.pointer(&format!(
            "/spec/versions/{i}/schema/openAPIV3Schema/properties/spec/properties"
        ))
        .and_then(|p| p.as_object())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
    };
    let up = |update_crds: bool, dry_run: bool| UpgradeOptions {
        update_crds,
        dry_run,
        max_history: 10,
        ..Default::default()
    };

    // A new field: Helm's default leaves the CRD as it is; --update-crds applies it.
    write(crd(&[version("v1alpha1", true, &["size", "color"])]));
    c.upgrade("g", load(&chart), &Value::empty_map(), up(false, false))
        .await
        .expect("upgrade");
    assert_eq!(
        fields(&c.get(&doc, &ns).await.expect("get").expect("crd"), 0),
        vec!["size"]
    );
    c.upgrade("g", load(&chart), &Value::empty_map(), up(true, true))
        .await
        .expect("dry run");
    assert_eq!(
        fields(&c.get(&doc, &ns).await.expect("get").expect("crd"), 0),
        vec!["size"],
        "a dry run only checks"
    );
    c.upgrade("g", load(&chart), &Value::empty_map(), up(true, false))
        .await
        .expect("upgrade --update-crds");
    assert_eq!(
        fields(&c.get(&doc, &ns).await.expect("get").expect("crd"), 0),
        vec!["color", "size"]
    );

    // A new storage version beside the old one: allowed; the old one stays stored.
    write(crd(&[
        version("v1alpha1", false, &["size", "color"]),
        version("v1", true, &["size", "color"]),
    ]));
    c.upgrade("g", load(&chart), &Value::empty_map(), up(true, false))
        .await
        .expect("new storage version");
    let live = c.get(&doc, &ns).await.expect("get").expect("crd");
    assert_eq!(
        live.pointer("/status/storedVersions"),
        Some(&serde_json::json!(["v1alpha1", "v1"]))
    );

    // Dropping v1alpha1 while objects may be stored in it: refused before anything is written.
    write(crd(&[version("v1", true, &["size", "color"])]));
    let before = c.history("g", None).await.expect("history").len();
    let err = c
        .upgrade("g", load(&chart), &Value::empty_map(), up(true, false))
        .await
        .expect_err("dropping a stored version");
    assert_eq!(err.kind(), helm_kube::ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        format!("cannot update CRD gadgets.{group}: its new spec.versions drops \"v1alpha1\", still listed in status.storedVersions (objects may be stored in it); migrate those objects and remove it from status.storedVersions first")
    );
    assert_eq!(
        c.history("g", None).await.expect("history").len(),
        before,
        "no revision written"
    );
    let live = c.get(&doc, &ns).await.expect("get").expect("crd");
    assert_eq!(
        live.pointer("/spec/versions")
            .and_then(|v| v.as_array())
            .map(|v| v.len()),
        Some(2),
        "the CRD is unchanged"
    );
}

#[tokio::test]
async fn wait_skips_jobs_unless_wait_for_jobs() {
    let extra = [("templates/job.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-job\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n")];
    let Some(Case { ns, c, chart, .. }) = case("jobs", "jobchart", &extra).await else {
        return;
    };
    let opts = |name: &str, jobs: bool| InstallOptions {
        name: Some(name.into()),
        wait: true,
        wait_for_jobs: jobs,
        timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    c.install(load(&chart), &Value::empty_map(), opts("nojobs", false))
        .await
        .expect("--wait does not wait for Jobs");
    let err = c
        .install(load(&chart), &Value::empty_map(), opts("jobs", true))
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with(&format!(
            "resource Job/{ns}/jobs-job not ready. status: InProgress"
        )),
        "{err}"
    );
}

/// `lookup` reads the cluster while installing (as Helm does against a cluster); a client
/// dry-run has no cluster and sees empty maps.
#[tokio::test]
async fn lookup_reads_the_cluster() {
    let Some(env) = env() else { return };
    let ns = unique("lookup");
    let c = client(env, &ns).await;
    let cms: Api<ConfigMap> = Api::namespaced(c.kube().clone(), &ns);
    let pre = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some("pre".into()),
            ..Default::default()
        },
        data: Some(
            [("k".to_string(), "from-cluster".to_string())]
                .into_iter()
                .collect(),
        ),
        ..Default::default()
    };
    cms.create(&PostParams::default(), &pre)
        .await
        .expect("create pre");
    let dir = scratch(&ns);
    let chart = dir.join("lk");
    std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: lk\nversion: 0.1.0\n",
    )
    .expect("write");
    std::fs::write(
        chart.join("templates/cm.yaml"),
        concat!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-out\ndata:\n",
            "  seen: {{ dig \"data\" \"k\" \"none\" (lookup \"v1\" \"ConfigMap\" .Release.Namespace \"pre\") | quote }}\n",
            "  missing: {{ lookup \"v1\" \"ConfigMap\" .Release.Namespace \"nope\" | len | quote }}\n",
            "  listed: {{ gt (len (default list (lookup \"v1\" \"ConfigMap\" .Release.Namespace \"\").items)) 0 | quote }}\n",
            "  ns: {{ dig \"metadata\" \"name\" \"none\" (lookup \"v1\" \"Namespace\" \"\" .Release.Namespace) | quote }}\n",
        ),
    )
    .expect("write");
    c.install(
        load(&chart),
        &Value::empty_map(),
        InstallOptions {
            name: Some("lk".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    let data = cm(&c, &ns, "lk-out")
        .await
        .and_then(|c| c.data)
        .unwrap_or_default();
    assert_eq!(data.get("seen").map(String::as_str), Some("from-cluster"));
    assert_eq!(data.get("missing").map(String::as_str), Some("0"));
    assert_eq!(data.get("listed").map(String::as_str), Some("true"));
    assert_eq!(data.get("ns").map(String::as_str), Some(ns.as_str()));
    let dry = c
        .install(
            load(&chart),
            &Value::empty_map(),
            InstallOptions {
                name: Some("lk2".into()),
                dry_run: true,
                ..Default::default()
            },
        )
        .await
        .expect("dry run");
    assert!(dry.manifest.contains("seen: \"none\""), "{}", dry.manifest);
    assert!(
        dry.manifest.contains("listed: \"false\""),
        "{}",
        dry.manifest
    );
}

/// Jobs never run here (no nodes): a background task plays an external Job controller (the
/// Jobs carry `spec.managedBy`, so the built-in one leaves them alone) and marks the named Job
/// complete once it exists, after `delay`.
fn complete_job(c: &Client, ns: &str, name: &str, delay: Duration) -> tokio::task::JoinHandle<()> {
    use k8s_openapi::api::batch::v1::Job;
    let api: Api<Job> = Api::namespaced(c.kube().clone(), ns);
    patch_status_once_created(api, name, 300, delay, || {
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let cond = |t: &str| serde_json::json!({"type": t, "status": "True", "lastTransitionTime": now, "lastProbeTime": now});
        serde_json::json!({"startTime": now, "completionTime": now, "succeeded": 1, "conditions": [cond("SuccessCriteriaMet"), cond("Complete")]})
    })
}

/// A client in `ns` that records the progress events of its actions.
async fn recording_client(
    env: &common::Env,
    ns: &str,
) -> (
    Client,
    std::sync::Arc<std::sync::Mutex<Vec<helm_kube::ProgressEvent>>>,
) {
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let c = client(env, ns).await.with_progress(std::sync::Arc::new(
        move |ev: helm_kube::ProgressEvent| sink.lock().expect("lock").push(ev),
    ));
    (c, events)
}

/// `--wait` reports why a Deployment is not ready: its pods (never scheduled here: the test
/// environment has no nodes) and the Warning events recorded about it, followed through
/// watches while the wait goes on; the timeout error keeps Helm's text.
#[tokio::test]
async fn wait_reports_why_a_deployment_is_not_ready() {
    use helm_kube::ProgressEvent;
    use k8s_openapi::api::core::v1::{Event, ObjectReference};
    let Some(env) = env() else { return };
    let ns = unique("why");
    let (c, events) = recording_client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "why", "0.1.0");
    common::write_files(
        &chart,
        &[
            ("templates/deploy.yaml", common::UNREADY_DEPLOYMENT),
            ("values.yaml", "replicas: 2\n"),
        ],
    );
    // A Warning event about the Deployment, recorded while the wait goes on.
    let (kube, ns2) = (c.kube().clone(), ns.clone());
    let recorder = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let ev = Event {
            metadata: kube::api::ObjectMeta {
                name: Some("why-d.warning".into()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                kind: Some("Deployment".into()),
                name: Some("why-d".into()),
                namespace: Some(ns2.clone()),
                ..Default::default()
            },
            type_: Some("Warning".into()),
            reason: Some("FailedCreate".into()),
            message: Some("pods \"why-d-1\" is forbidden: exceeded quota".into()),
            ..Default::default()
        };
        Api::<Event>::namespaced(kube, &ns2)
            .create(&PostParams::default(), &ev)
            .await
            .expect("event");
    });
    let opts = InstallOptions {
        name: Some("why".into()),
        wait: true,
        timeout: Some(Duration::from_secs(8)),
        ..Default::default()
    };
    let err = c
        .install(load(&chart), &Value::empty_map(), opts)
        .await
        .expect_err("never ready")
        .to_string();
    recorder.await.expect("recorder");
    assert!(
        err.starts_with(&format!(
            "resource Deployment/{ns}/why-d not ready. status: InProgress, message: "
        )),
        "{err}"
    );
    assert!(err.ends_with("\ncontext deadline exceeded"), "{err}");
    let evs = events.lock().expect("lock").clone();
    let last = evs
        .iter()
        .rev()
        .find_map(|e| match e {
            ProgressEvent::Waiting { not_ready } => {
                not_ready.iter().find(|n| n.name == "why-d").cloned()
            }
            _ => None,
        })
        .expect("a wait report");
    let pods: Vec<&String> = last
        .details
        .iter()
        .filter(|d| d.starts_with("pod why-d-"))
        .collect();
    assert_eq!(pods.len(), 2, "{last:?}");
    assert!(
        pods.iter()
            .all(|d| d.ends_with(": Pending, not scheduled yet")),
        "{last:?}"
    );
    assert!(
        last.details.contains(
            &"event: FailedCreate: pods \"why-d-1\" is forbidden: exceeded quota".to_string()
        ),
        "{last:?}"
    );
    // Reports come as things change, not once per poll.
    let waits = evs
        .iter()
        .filter(|e| matches!(e, ProgressEvent::Waiting { .. }))
        .count();
    assert!(waits <= 12, "{waits} reports: {evs:#?}");
}

/// The progress events of an install with a hook Job and `--wait --wait-for-jobs`, in order:
/// record, hooks by weight (started/succeeded), objects applied, what the wait waits for and
/// why, ready, the final record.
#[tokio::test]
async fn progress_events_of_an_install_with_a_hook_job_and_wait() {
    use helm_kube::{NotReady, ProgressEvent};
    let Some(env) = env() else { return };
    let ns = unique("progress");
    let (c, events) = recording_client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "progress", "0.1.0");
    let job = |name: &str, hook: &str| {
        format!("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{{{ .Release.Name }}}}-{name}\n{hook}spec:\n  managedBy: example.com/helm-rs-tests\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n")
    };
    std::fs::write(
        chart.join("templates/hookjob.yaml"),
        job(
            "migrate",
            "  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"3\"\n",
        ),
    )
    .expect("write");
    std::fs::write(chart.join("templates/job.yaml"), job("work", "")).expect("write");
    let hook_done = complete_job(&c, &ns, "pg-migrate", Duration::from_millis(300));
    let work_done = complete_job(&c, &ns, "pg-work", Duration::from_millis(1500));
    let opts = InstallOptions {
        name: Some("pg".into()),
        wait: true,
        wait_for_jobs: true,
        timeout: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let rel = c
        .install(load(&chart), &Value::empty_map(), opts)
        .await
        .expect("install");
    let _ = (hook_done.await, work_done.await);
    assert_eq!(rel.status(), Status::Deployed);

    let evs = events.lock().expect("lock").clone();
    let s = |x: &str| x.to_string();
    let hook = |kind: &str, name: &str, weight: i64, done: bool| {
        if done {
            ProgressEvent::HookSucceeded {
                event: s("pre-install"),
                kind: s(kind),
                name: s(name),
                weight,
            }
        } else {
            ProgressEvent::HookStarted {
                event: s("pre-install"),
                kind: s(kind),
                name: s(name),
                weight,
            }
        }
    };
    let applied = |kind: &str, name: &str, resource: &str| ProgressEvent::ResourceApplied {
        kind: s(kind),
        namespace: ns.clone(),
        name: s(name),
        resource: s(resource),
    };
    let record = |status: &str, created: bool| ProgressEvent::ReleaseRecorded {
        name: s("pg"),
        namespace: ns.clone(),
        revision: 1,
        status: s(status),
        created,
    };
    // The wait reports the Job until it completes (the first report, possibly more if its
    // state changes), then ready.
    let waits: Vec<&ProgressEvent> = evs
        .iter()
        .filter(|e| matches!(e, ProgressEvent::Waiting { .. }))
        .collect();
    assert!(!waits.is_empty(), "{evs:#?}");
    let first_wait = ProgressEvent::Waiting {
        not_ready: vec![NotReady {
            kind: s("Job"),
            namespace: ns.clone(),
            name: s("pg-work"),
            reason: s("Job in progress. success:0, active: 0, failed: 0"),
            details: vec![],
        }],
    };
    assert_eq!(waits[0], &first_wait, "{evs:#?}");
    let without_waits: Vec<ProgressEvent> = evs
        .iter()
        .filter(|e| !matches!(e, ProgressEvent::Waiting { .. }))
        .cloned()
        .collect();
    assert_eq!(
        without_waits,
        vec![
            record("pending-install", true),
            hook("ConfigMap", "pg-hook", -5, false),
            hook("ConfigMap", "pg-hook", -5, true),
            hook("Job", "pg-migrate", 3, false),
            hook("Job", "pg-migrate", 3, true),
            applied("ConfigMap", "pg-cm", "configmaps"),
            applied("Service", "pg-svc", "services"),
            applied("Job", "pg-work", "jobs"),
            ProgressEvent::Ready { count: 3 },
            record("deployed", false),
        ],
        "{evs:#?}"
    );
    // the waits sit between the last apply and ready
    let pos = |e: &ProgressEvent| evs.iter().position(|x| x == e).unwrap_or(usize::MAX);
    assert!(
        pos(&applied("Job", "pg-work", "jobs")) < pos(waits[0])
            && pos(waits[0]) < pos(&ProgressEvent::Ready { count: 3 }),
        "{evs:#?}"
    );

    // a failing hook reports hook_failed with Helm's error; uninstall reports deletions and
    // the records it removes
    events.lock().expect("lock").clear();
    c.uninstall("pg", UninstallOptions::default())
        .await
        .expect("uninstall");
    let evs = events.lock().expect("lock").clone();
    for kind in ["ConfigMap", "Service", "Job"] {
        assert!(
            evs.iter()
                .any(|e| matches!(e, ProgressEvent::ResourceDeleted { kind: k, .. } if k == kind)),
            "{kind} deleted: {evs:#?}"
        );
    }
    assert_eq!(
        evs.last(),
        Some(&ProgressEvent::ReleaseRecordDeleted {
            name: s("pg"),
            namespace: ns.clone(),
            revision: 1
        }),
        "{evs:#?}"
    );
}

/// A release Helm deployed with client-side apply (`--server-side=false`, as Helm 3 did):
/// under `auto` helm-rs upgrades it client-side as Helm 4 does (a three-way strategic merge
/// patch: the Service's old port deleted, the new one added, field manager `helm` with
/// operation `Update`, the release still `csa`); with `--server-side=true` it hands the
/// client-side field ownership to the `helm` apply manager first (as Helm 4), so the Service
/// ends up with the new port only, and Helm keeps driving the release afterwards. A release
/// helm-rs installs with `--server-side=false` is `csa` and Helm upgrades it.
#[tokio::test]
async fn client_side_applied_releases_stay_client_side_or_move_to_server_side() {
    use k8s_openapi::api::core::v1::Service;
    let Some(Case {
        env, ns, c, chart, ..
    }) = case("csa", "csachart", &[]).await
    else {
        return;
    };
    let Some(h) = oracle() else { return };
    std::fs::write(chart.join("templates/svc.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\nspec:\n  ports:\n  - port: {{ .Values.port | default 80 }}\n").expect("write");
    let chart_s = chart.to_string_lossy().to_string();
    let (ok, _, err) = helm(
        env,
        &h,
        &["install", "old", &chart_s, "-n", &ns, "--server-side=false"],
    );
    assert!(ok, "{err}");
    assert_eq!(
        c.get_release("old", None, 0)
            .await
            .expect("get")
            .apply_method,
        "csa"
    );
    let svc_state = || async {
        let svc = Api::<Service>::namespaced(c.kube().clone(), &ns)
            .get("old-svc")
            .await
            .expect("svc");
        let ports: Vec<i32> = svc
            .spec
            .and_then(|s| s.ports)
            .unwrap_or_default()
            .iter()
            .map(|p| p.port)
            .collect();
        let managers: Vec<(String, String)> = svc
            .metadata
            .managed_fields
            .unwrap_or_default()
            .iter()
            .map(|m| {
                (
                    m.manager.clone().unwrap_or_default(),
                    m.operation.clone().unwrap_or_default(),
                )
            })
            .collect();
        (ports, managers)
    };
    let helm_update = ("helm".to_string(), "Update".to_string());
    let helm_apply = ("helm".to_string(), "Apply".to_string());

    let rel = c
        .upgrade(
            "old",
            load(&chart),
            &vals("port: 81\n"),
            UpgradeOptions::default(),
        )
        .await
        .expect("upgrade under auto: client-side");
    assert_eq!(rel.apply_method, "csa");
    let (ports, managers) = svc_state().await;
    assert_eq!(ports, vec![81], "the old port deleted by the patch");
    assert!(
        managers.contains(&helm_update) && !managers.contains(&helm_apply),
        "{managers:?}"
    );

    let rel = c
        .upgrade(
            "old",
            load(&chart),
            &vals("port: 82\n"),
            UpgradeOptions {
                server_side: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("upgrade --server-side=true");
    assert_eq!(rel.apply_method, "ssa");
    let (ports, managers) = svc_state().await;
    assert_eq!(ports, vec![82], "the client-side port is gone, not merged");
    assert!(
        managers.contains(&helm_apply) && !managers.contains(&helm_update),
        "{managers:?}"
    );

    let (ok, _, err) = helm(
        env,
        &h,
        &["upgrade", "old", &chart_s, "-n", &ns, "--set", "port=83"],
    );
    assert!(ok, "Helm upgrades it after: {err}");
    let rel = c
        .install(
            load(&chart),
            &Value::empty_map(),
            InstallOptions {
                name: Some("new".into()),
                server_side: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("install --server-side=false");
    assert_eq!(rel.apply_method, "csa");
    let (ok, _, err) = helm(
        env,
        &h,
        &["upgrade", "new", &chart_s, "-n", &ns, "--set", "port=84"],
    );
    assert!(ok, "Helm upgrades helm-rs's client-side install: {err}");
}

/// The record helm-rs stores is Helm's byte for byte (times and namespace aside): field order
/// of Helm's Go structs in the chart, Go's escaping of `<`, `>`, `&`, file `modtime`s, the
/// chart as dependency processing left it.
#[tokio::test]
async fn stored_record_is_byte_identical_to_helms() {
    use base64::Engine as _;
    use std::io::Read as _;
    let extra = [
        (
            "Chart.yaml",
            "apiVersion: v2\nname: bytes\nversion: 0.1.0\nappVersion: \"1.0\"\nkubeVersion: \">=1.20.0-0\"\ndescription: a <b> & c\nkeywords: [x]\nmaintainers:\n- name: me\n  email: me@example.com\nannotations: {z: \"1\", a: \"2\"}\n",
        ),
        ("values.schema.json", "{\"type\":\"object\"}\n"),
    ];
    let Some(Case {
        env,
        ns: ns_r,
        c,
        chart,
        ..
    }) = case("bytes-r", "bytes", &extra).await
    else {
        return;
    };
    let Some(h) = oracle() else { return };
    let ns_h = unique("bytes-h");
    let _ = client(env, &ns_h).await;
    let (ok, _, err) = helm(
        env,
        &h,
        &[
            "install",
            "rec",
            &chart.to_string_lossy(),
            "-n",
            &ns_h,
            "--set",
            "data=a<b&c",
        ],
    );
    assert!(ok, "{err}");
    c.install(
        load(&chart),
        &vals("data: a<b&c\n"),
        InstallOptions {
            name: Some("rec".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    let raw = |ns: String| {
        let kube = c.kube().clone();
        async move {
            let s = Api::<Secret>::namespaced(kube, &ns)
                .get("sh.helm.release.v1.rec.v1")
                .await
                .expect("secret");
            let data = s
                .data
                .and_then(|d| d.get("release").cloned())
                .expect("release")
                .0;
            let gz = base64::engine::general_purpose::STANDARD
                .decode(&data)
                .expect("base64");
            let mut json = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut json)
                .expect("gunzip");
            let time =
                regex::Regex::new(r#""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)""#)
                    .expect("regex");
            time.replace_all(&json, "T")
                .replace(&format!("\"namespace\":\"{ns}\""), "NS")
        }
    };
    let (theirs, ours) = (raw(ns_h.clone()).await, raw(ns_r.clone()).await);
    assert!(
        theirs.contains("\\u003c") && theirs.contains("\"modtime\":T"),
        "{theirs}"
    );
    assert_eq!(ours, theirs);
}

/// Writers racing for one release: 8 clients upgrade it at once, 6 rounds. The revision is
/// claimed by a create that fails when it exists, so every upgrade either gets its own
/// revision or is refused with Helm's "another operation … is in progress": no revision is
/// written twice, none is skipped, and one revision is deployed at the end of each round.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_upgrades_claim_distinct_revisions() {
    let Some(env) = env() else { return };
    let ns = unique("race");
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = load(&write_chart(&dir, "race", "0.1.0"));
    c.install(
        chart.clone(),
        &Value::empty_map(),
        InstallOptions {
            name: Some("r".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    let mut clients = Vec::new();
    for _ in 0..8 {
        clients.push(client(env, &ns).await);
    }
    let mut won = 0;
    for round in 0..6 {
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(clients.len()));
        let tasks: Vec<_> = clients
            .iter()
            .enumerate()
            .map(|(i, cl)| {
                let (cl, chart, barrier) = (cl.clone(), chart.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    cl.upgrade(
                        "r",
                        chart,
                        &vals(&format!("data: r{round}w{i}\n")),
                        UpgradeOptions::default(),
                    )
                    .await
                })
            })
            .collect();
        let mut round_wins = Vec::new();
        for t in tasks {
            match t.await.expect("task") {
                Ok(rel) => round_wins.push(rel.version),
                Err(e) => {
                    assert_eq!(e.kind(), helm_kube::ErrorKind::Pending, "{e}");
                    assert_eq!(
                        e.to_string(),
                        "another operation (install/upgrade/rollback) is in progress"
                    );
                }
            }
        }
        assert!(!round_wins.is_empty(), "round {round}: some upgrade wins");
        won += round_wins.len();
        let h = c.history("r", None).await.expect("history");
        assert_eq!(
            h.iter().map(|r| r.version).collect::<Vec<_>>(),
            (1..=(1 + won as i64)).collect::<Vec<_>>(),
            "no gap, no duplicate"
        );
        assert_eq!(
            h.iter().filter(|r| r.status() == Status::Deployed).count(),
            1,
            "{:?}",
            h.iter()
                .map(|r| (r.version, r.status()))
                .collect::<Vec<_>>()
        );
    }
}

/// Random text that gzip cannot shrink much (base64 of xorshift bytes), `len` characters.
fn incompressible(seed: u64, len: usize) -> String {
    use base64::Engine;
    let mut x = seed | 1;
    let bytes: Vec<u8> = (0..len * 3 / 4 + 3)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut s = base64::engine::general_purpose::STANDARD.encode(bytes);
    s.truncate(len);
    s
}

/// A chart whose release record is about `blobs` × 2 × `size` bytes: each blob is in the
/// user's values and again in a ConfigMap of the manifest.
fn blob_release(
    dir: &std::path::Path,
    name: &str,
    blobs: usize,
    size: usize,
    seed: u64,
) -> (helm_core::chart::Chart, Value) {
    let chart = write_chart(dir, name, "0.1.0");
    std::fs::write(
        chart.join("templates/blobs.yaml"),
        "{{- range $i, $b := .Values.blobs }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ $.Release.Name }}-blob{{ $i }}\ndata:\n  b: {{ $b | quote }}\n{{- end }}\n",
    )
    .expect("write");
    let values = (0..blobs)
        .map(|i| format!("- {}\n", incompressible(seed + i as u64, size)))
        .collect::<String>();
    (load(&chart), vals(&format!("blobs:\n{values}")))
}

/// A release over the API server's 1 MiB object limit (Helm fails to store it) is stored in
/// parts, and every action works on it; one under the limit stays in Helm's format, which
/// Helm reads.
#[tokio::test]
async fn releases_over_the_object_limit_are_stored_in_parts() {
    let Some(env) = env() else { return };
    let ns = unique("big");
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let secrets: Api<Secret> = Api::namespaced(c.kube().clone(), &ns);
    let parts_of = |name: &str| {
        let secrets = secrets.clone();
        let sel = format!("owner=helm-rs,name={name}");
        async move {
            secrets
                .list(&kube::api::ListParams::default().labels(&sel))
                .await
                .expect("list")
                .items
                .len()
        }
    };

    // ~3.2 MiB of record: 3 blobs of 560 kB, each twice
    let (chart, values) = blob_release(&dir, "big", 3, 560_000, 7);
    let rel = c
        .install(
            chart.clone(),
            &values,
            InstallOptions {
                name: Some("big".into()),
                ..Default::default()
            },
        )
        .await
        .expect("install");
    let encoded = helm_core::release::codec::encode(&rel)
        .expect("encode")
        .len();
    assert!(encoded > 3 * 1024 * 1024, "record of {encoded} bytes");
    let record = secrets
        .get("sh.helm.release.v1.big.v1")
        .await
        .expect("record object");
    let data = record.data.clone().unwrap_or_default();
    assert!(
        !data.contains_key("release") && data.contains_key("chunks"),
        "an index, not a record: {:?}",
        data.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        record
            .metadata
            .labels
            .unwrap_or_default()
            .get("owner")
            .map(String::as_str),
        Some("helm")
    );
    assert_eq!(
        parts_of("big").await,
        encoded.div_ceil(helm_kube::cluster::storage::PART_SIZE)
    );

    let got = c.get_release("big", None, 0).await.expect("get");
    assert_eq!(got.manifest, rel.manifest);
    assert_eq!(
        c.get_values("big", None, 0, false).await.expect("values"),
        values
    );
    assert_eq!(
        c.list(ListOptions::default())
            .await
            .expect("list")
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["big"]
    );

    // upgrade with other blobs; rev 1 becomes superseded (its record rewritten in new parts)
    let (_, values2) = blob_release(&dir, "big2", 3, 560_000, 99);
    let rel2 = c
        .upgrade("big", chart.clone(), &values2, UpgradeOptions::default())
        .await
        .expect("upgrade");
    assert_eq!(rel2.version, 2);
    let h = c.history("big", None).await.expect("history");
    assert_eq!(
        h.iter()
            .map(|r| (r.version, r.status()))
            .collect::<Vec<_>>(),
        [(1, Status::Superseded), (2, Status::Deployed)]
    );
    let per_record = encoded.div_ceil(helm_kube::cluster::storage::PART_SIZE);
    assert_eq!(
        parts_of("big").await,
        2 * per_record,
        "old parts of rev 1 removed when it was rewritten"
    );

    // rollback to 1, then uninstall: no record, no part left
    let rel3 = c
        .rollback(
            "big",
            RollbackOptions {
                revision: 1,
                ..Default::default()
            },
        )
        .await
        .expect("rollback");
    assert_eq!(
        c.get_values("big", None, 3, false).await.expect("values"),
        values
    );
    assert_eq!(rel3.version, 3);
    c.uninstall("big", UninstallOptions::default())
        .await
        .expect("uninstall");
    assert_eq!(parts_of("big").await, 0);
    assert!(c.history("big", None).await.is_err());

    // a corrupted part is an error, never a truncated release
    let (chart, values) = blob_release(&dir, "bad", 3, 560_000, 3);
    c.install(
        chart,
        &values,
        InstallOptions {
            name: Some("bad".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    let part = secrets
        .list(&kube::api::ListParams::default().labels("owner=helm-rs,name=bad"))
        .await
        .expect("list")
        .items
        .remove(0);
    let mut broken = part.clone();
    broken.data = Some(
        [(
            "part".to_string(),
            k8s_openapi::ByteString(b"AAAA".to_vec()),
        )]
        .into(),
    );
    secrets
        .replace(
            part.metadata.name.as_deref().unwrap_or(""),
            &PostParams::default(),
            &broken,
        )
        .await
        .expect("corrupt");
    let err = c
        .get_release("bad", None, 1)
        .await
        .expect_err("corrupt part");
    assert!(
        err.to_string().contains("does not match its digest"),
        "{err}"
    );

    // under the limit: Helm's format, read by Helm
    let Some(h) = oracle() else { return };
    let (chart, values) = blob_release(&dir, "small", 1, 250_000, 11);
    c.install(
        chart,
        &values,
        InstallOptions {
            name: Some("small".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    let data = secrets
        .get("sh.helm.release.v1.small.v1")
        .await
        .expect("record")
        .data
        .unwrap_or_default();
    assert!(
        data.contains_key("release") && data["release"].0.len() > 400_000,
        "Helm's format"
    );
    let (ok, out, err) = helm(
        env,
        &h,
        &["get", "values", "small", "-n", &ns, "-o", "json"],
    );
    assert!(ok, "{err}");
    assert_eq!(
        helm_core::values::json::from_str(&out).expect("json"),
        values
    );
    // Helm leaves a split record out of `list` (it cannot decode it) and lists the others.
    let (ok, out, err) = helm(env, &h, &["list", "-n", &ns, "-q"]);
    assert!(ok, "{err}");
    assert_eq!(out, "small\n");
    // ... and out of `history`; `get` of it fails; `uninstall` does not find it.
    let (ok, out, _) = helm(env, &h, &["history", "bad", "-n", &ns]);
    assert!(ok && out.lines().count() == 1, "only the header: {out}");
    let (ok, _, err) = helm(
        env,
        &h,
        &["get", "values", "bad", "-n", &ns, "--revision", "1"],
    );
    assert!(!ok);
    assert_eq!(err, "Error: get: failed to decode data \"sh.helm.release.v1.bad.v1\": unexpected end of JSON input\n");
    let (ok, _, err) = helm(env, &h, &["uninstall", "bad", "-n", &ns]);
    assert!(
        !ok && err.starts_with("Error: no release provided"),
        "{err}"
    );
}

/// An upgrade reads each object first and leaves alone those its apply would not change
/// (`helm`'s apply entry owns exactly the object's fields, with its values): on the real API
/// server's field sets — defaulted list keys (a port's `protocol`), atomic values, objects
/// another manager also writes — that proof holds, and what it cannot prove is applied.
#[tokio::test]
async fn upgrades_apply_only_what_would_change() {
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1\n        args: [\"-x\"]\n        resources: {}\n        ports:\n        - containerPort: 80\n          name: http\n";
    let secrets = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\ndata:\n  a: YQ==\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: written\nstringData:\n  a: a\n";
    let Some(Case { ns, c, chart, .. }) = case(
        "unchanged",
        "unchanged",
        &[
            ("templates/deploy.yaml", deploy),
            ("templates/secrets.yaml", secrets),
        ],
    )
    .await
    else {
        return;
    };
    let install = InstallOptions {
        name: Some("u".into()),
        ..Default::default()
    };
    let rel = c
        .install(load(&chart), &Value::empty_map(), install)
        .await
        .expect("install");
    let docs = helm_core::release::logic::parse_manifest(&rel.manifest).expect("parse");
    let unchanged = |docs: Vec<helm_core::release::logic::ResourceDoc>| {
        let c = &c;
        let ns = ns.clone();
        async move {
            let mut out = Vec::new();
            for d in docs {
                // As the install applied them: the same documents.
                let live = c.get(&d, &ns).await.expect("read").expect("exists");
                let same = c
                    .apply_unchanged(&d, &ns, Some("u"), true, &live)
                    .await
                    .expect("compare");
                out.push((d.name, same));
            }
            out.sort();
            out
        }
    };
    // A Secret's stringData is write-only: the live object never shows it, so that one apply
    // is always sent.
    assert_eq!(
        unchanged(docs.clone()).await,
        [
            ("plain", true),
            ("u-cm", true),
            ("u-svc", true),
            ("web", true),
            ("written", false)
        ]
        .map(|(n, s)| (n.to_string(), s))
    );
    // The same chart for another release would take the objects' ownership annotations.
    let live = c.get(&docs[0], &ns).await.expect("read").expect("exists");
    assert!(!c
        .apply_unchanged(&docs[0], &ns, Some("other"), false, &live)
        .await
        .expect("compare"));

    // Another manager edits a value `helm` owns (which moves that field's ownership to it, so
    // even the same documents as last time are applied again), and adds a label of its own.
    let cms = Api::<ConfigMap>::namespaced(c.kube().clone(), &ns);
    let edit = kube::api::PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..Default::default()
    };
    cms.patch(
        "u-cm",
        &edit,
        &kube::api::Patch::Merge(serde_json::json!({"data": {"value": "edited"}})),
    )
    .await
    .expect("edit");
    let deployments =
        Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(c.kube().clone(), &ns);
    deployments
        .patch(
            "web",
            &edit,
            &kube::api::Patch::Merge(serde_json::json!({"metadata": {"labels": {"team": "x"}}})),
        )
        .await
        .expect("label");
    let cm_doc: Vec<_> = docs
        .iter()
        .filter(|d| d.name == "u-cm" || d.name == "web")
        .cloned()
        .collect();
    assert_eq!(
        unchanged(cm_doc).await,
        [("u-cm", false), ("web", true)].map(|(n, s)| (n.to_string(), s))
    );
    // So the upgrade applies it, and meets the conflict (as Helm does); with
    // `--force-conflicts` it puts the value back, and the other manager's label stays.
    let err = c
        .upgrade(
            "u",
            load(&chart),
            &Value::empty_map(),
            UpgradeOptions::default(),
        )
        .await
        .expect_err("conflict");
    assert!(
        err.to_string().contains("conflict with \"kubectl-edit\""),
        "{err}"
    );
    let upgrade = UpgradeOptions {
        force_conflicts: true,
        ..Default::default()
    };
    c.upgrade("u", load(&chart), &Value::empty_map(), upgrade)
        .await
        .expect("upgrade");
    let data = cm(&c, &ns, "u-cm")
        .await
        .expect("cm")
        .data
        .unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("one"));
    assert_eq!(data.get("revision").map(String::as_str), Some("3"));
    let web = deployments.get("web").await.expect("web");
    assert_eq!(
        web.metadata
            .labels
            .unwrap_or_default()
            .get("team")
            .map(String::as_str),
        Some("x")
    );
    // A changed value in the chart is applied.
    let upgrade = UpgradeOptions::default();
    c.upgrade("u", load(&chart), &vals("data: two"), upgrade)
        .await
        .expect("upgrade");
    let data = cm(&c, &ns, "u-cm")
        .await
        .expect("cm")
        .data
        .unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("two"));
}
