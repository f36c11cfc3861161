//! Releases on a real API server (scripts/kube-testenv): Helm's storage format, the action
//! lifecycle, ownership rules, hooks, waits, and interoperability with Helm 4.1.4 both ways.

mod common;

use common::{env, helm, oracle, scratch, unique, write_chart};
use helm_core::release::{ReleaseStorage, Status};
use helm_core::values::Value;
use helm_kube::{Client, ClientOptions, InstallOptions, ListOptions, RollbackOptions, UninstallOptions, UpgradeOptions};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, PostParams};
use std::time::Duration;

async fn client(env: &common::Env, ns: &str) -> Client {
    let c = Client::new(ClientOptions { kubeconfig: Some(env.kubeconfig.clone()), namespace: Some(ns.into()), ..Default::default() })
        .await
        .expect("client");
    let nsapi: Api<Namespace> = Api::all(c.kube().clone());
    let obj = Namespace { metadata: kube::api::ObjectMeta { name: Some(ns.into()), ..Default::default() }, ..Default::default() };
    let _ = nsapi.create(&PostParams::default(), &obj).await;
    c
}

fn vals(yaml: &str) -> Value {
    helm_core::values::yaml::from_str(yaml).expect("yaml")
}

fn load(path: &std::path::Path) -> helm_core::chart::Chart {
    helm_core::chart::load(path).expect("chart")
}

async fn cm(c: &Client, ns: &str, name: &str) -> Option<ConfigMap> {
    Api::<ConfigMap>::namespaced(c.kube().clone(), ns).get_opt(name).await.expect("get")
}

#[tokio::test]
async fn lifecycle_in_helms_secret_format() {
    let Some(env) = env() else { return };
    let ns = unique("life");
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "life", "0.1.0");

    // install
    let rel = c
        .install(load(&chart), &vals("data: first\n"), InstallOptions { name: Some("app".into()), ..Default::default() })
        .await
        .expect("install");
    assert_eq!(rel.status(), Status::Deployed);
    assert_eq!(rel.info.as_ref().map(|i| i.description.as_str()), Some("Install complete"));
    let data = cm(&c, &ns, "app-cm").await.and_then(|c| c.data).unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("first"));
    // ownership metadata on the object, none on the hook (deleted by hook-succeeded)
    let live = cm(&c, &ns, "app-cm").await.expect("cm");
    let ann = live.metadata.annotations.unwrap_or_default();
    assert_eq!(ann.get("meta.helm.sh/release-name").map(String::as_str), Some("app"));
    assert_eq!(ann.get("meta.helm.sh/release-namespace").map(String::as_str), Some(ns.as_str()));
    assert_eq!(live.metadata.labels.unwrap_or_default().get("app.kubernetes.io/managed-by").map(String::as_str), Some("Helm"));
    let mf = live.metadata.managed_fields.unwrap_or_default();
    assert!(mf.iter().any(|m| m.manager.as_deref() == Some("helm") && m.operation.as_deref() == Some("Apply")), "{mf:?}");
    assert!(cm(&c, &ns, "app-hook").await.is_none(), "hook-succeeded deletes the hook");
    assert_eq!(rel.hooks[0].last_run.phase, "Succeeded");

    // the storage Secret, exactly as Helm names and labels it
    let secrets: Api<Secret> = Api::namespaced(c.kube().clone(), &ns);
    let s = secrets.get("sh.helm.release.v1.app.v1").await.expect("secret");
    assert_eq!(s.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels = s.metadata.labels.clone().unwrap_or_default();
    for (k, v) in [("name", "app"), ("owner", "helm"), ("status", "deployed"), ("version", "1")] {
        assert_eq!(labels.get(k).map(String::as_str), Some(v), "label {k}");
    }
    assert!(labels.contains_key("modifiedAt"));
    let payload = String::from_utf8(s.data.unwrap_or_default().get("release").expect("data.release").0.clone()).expect("utf8");
    let decoded = helm_core::release::codec::decode(&payload).expect("decode");
    assert_eq!(decoded.name, "app");
    assert_eq!(decoded.config.get("data"), Some(&serde_json::json!("first")));
    assert_eq!(decoded.apply_method, "ssa");

    // upgrade: new values, an extra object and a kept one
    let rel = c
        .upgrade("app", load(&chart), &vals("data: second\nextra: true\nkept: true\n"), UpgradeOptions::default())
        .await
        .expect("upgrade");
    assert_eq!((rel.version, rel.status()), (2, Status::Deployed));
    assert!(cm(&c, &ns, "app-extra").await.is_some());
    let h = c.history("app", None).await.expect("history");
    assert_eq!(h.iter().map(|r| (r.version, r.status())).collect::<Vec<_>>(), vec![(1, Status::Superseded), (2, Status::Deployed)]);
    // Helm keeps the description of a superseded revision.
    assert_eq!(h[0].info.as_ref().map(|i| i.description.as_str()), Some("Install complete"));

    // upgrade without values reuses the last ones (Helm's default when no values are given)
    let rel = c.upgrade("app", load(&chart), &Value::empty_map(), UpgradeOptions::default()).await.expect("upgrade 3");
    assert_eq!(rel.config.get("data"), Some(&serde_json::json!("second")));

    // rollback to 1: the extra object is deleted, the kept one stays
    let rel = c.rollback("app", RollbackOptions { revision: 1, ..Default::default() }).await.expect("rollback");
    assert_eq!(rel.version, 4);
    assert_eq!(rel.info.as_ref().map(|i| i.description.as_str()), Some("Rollback to 1"));
    assert!(cm(&c, &ns, "app-extra").await.is_none(), "dropped by the rollback");
    assert!(cm(&c, &ns, "app-kept").await.is_some(), "helm.sh/resource-policy: keep");
    let data = cm(&c, &ns, "app-cm").await.and_then(|c| c.data).unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("first"));
    let h = c.history("app", None).await.expect("history");
    assert_eq!(h.iter().filter(|r| r.status() == Status::Deployed).count(), 1);

    // values of a revision
    let v = c.get_values("app", None, 2, false).await.expect("values");
    assert_eq!(helm_core::values::json::to_string(&v), r#"{"data":"second","extra":true,"kept":true}"#);

    // list
    let l = c.list(ListOptions::default()).await.expect("list");
    assert_eq!(l.iter().map(|r| (r.name.as_str(), r.version)).collect::<Vec<_>>(), vec![("app", 4)]);

    // uninstall --keep-history, then purge
    let res = c.uninstall("app", UninstallOptions { keep_history: true, ..Default::default() }).await.expect("uninstall");
    assert_eq!(res.release.status(), Status::Uninstalled);
    assert!(cm(&c, &ns, "app-cm").await.is_none());
    let err = c.uninstall("app", UninstallOptions { keep_history: true, ..Default::default() }).await.err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("the release named \"app\" is already deleted"));
    c.uninstall("app", UninstallOptions::default()).await.expect("purge");
    assert!(c.history("app", None).await.is_err());
    assert!(secrets.list(&Default::default()).await.expect("list").items.iter().all(|s| !s.metadata.name.clone().unwrap_or_default().starts_with("sh.helm.release.v1.app.")));
}

#[tokio::test]
async fn refusals_pending_name_in_use_and_foreign_objects() {
    let Some(env) = env() else { return };
    let ns = unique("refuse");
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "refuse", "0.1.0");

    // an object without Helm's ownership metadata blocks the install, with Helm's message
    let foreign = ConfigMap { metadata: kube::api::ObjectMeta { name: Some("x-cm".into()), ..Default::default() }, ..Default::default() };
    Api::<ConfigMap>::namespaced(c.kube().clone(), &ns).create(&PostParams::default(), &foreign).await.expect("create");
    let err = c.install(load(&chart), &Value::empty_map(), InstallOptions { name: Some("x".into()), ..Default::default() }).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        err,
        format!("rendered manifests contain a resource that already exists. Unable to continue with install: ConfigMap \"x-cm\" in namespace \"{ns}\" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key \"app.kubernetes.io/managed-by\": must be set to \"Helm\"; annotation validation error: missing key \"meta.helm.sh/release-name\": must be set to \"x\"; annotation validation error: missing key \"meta.helm.sh/release-namespace\": must be set to \"{ns}\"")
    );
    assert!(c.history("x", None).await.is_err(), "nothing stored");

    // with the metadata set, the object is adopted
    let mut adopt = foreign.clone();
    adopt.metadata.name = Some("y-cm".into());
    adopt.metadata.labels = Some([("app.kubernetes.io/managed-by".to_string(), "Helm".to_string())].into());
    adopt.metadata.annotations = Some([("meta.helm.sh/release-name".to_string(), "y".to_string()), ("meta.helm.sh/release-namespace".to_string(), ns.clone())].into());
    Api::<ConfigMap>::namespaced(c.kube().clone(), &ns).create(&PostParams::default(), &adopt).await.expect("create");
    c.install(load(&chart), &Value::empty_map(), InstallOptions { name: Some("y".into()), ..Default::default() }).await.expect("adopted");

    // name in use
    let err = c.install(load(&chart), &Value::empty_map(), InstallOptions { name: Some("y".into()), ..Default::default() }).await.err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("cannot reuse a name that is still in use"));

    // a pending operation blocks upgrade and rollback
    let store = c.storage(Some(&ns));
    let mut pending = store.get("y", 1).await.expect("get");
    pending.version = 2;
    pending.set_status(Status::PendingUpgrade, "Preparing upgrade");
    store.create(&pending).await.expect("create pending");
    let err = c.upgrade("y", load(&chart), &Value::empty_map(), UpgradeOptions::default()).await.err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("another operation (install/upgrade/rollback) is in progress"));
    let err = c.rollback("y", RollbackOptions::default()).await.err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("another operation (install/upgrade/rollback) is in progress"));

    // upgrade of an unknown release
    let err = c.upgrade("nope", load(&chart), &Value::empty_map(), UpgradeOptions::default()).await.err().map(|e| e.to_string());
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
    c.install(load(&chart), &Value::empty_map(), InstallOptions { name: Some("h".into()), ..Default::default() }).await.expect("install");
    for i in 0..4 {
        c.upgrade("h", load(&chart), &vals(&format!("data: v{i}\n")), UpgradeOptions { max_history: 3, ..Default::default() }).await.expect("upgrade");
    }
    let h = c.history("h", None).await.expect("history");
    assert_eq!(h.iter().map(|r| r.version).collect::<Vec<_>>(), vec![3, 4, 5]);
    // stored as ConfigMaps named like Helm's, not Secrets
    assert!(cm(&base, &ns, "sh.helm.release.v1.h.v5").await.is_some());
    assert!(Api::<Secret>::namespaced(base.kube().clone(), &ns).get_opt("sh.helm.release.v1.h.v5").await.expect("get").is_none());
}

#[tokio::test]
async fn wait_timeout_fails_and_atomic_uninstalls() {
    let Some(env) = env() else { return };
    let ns = unique("wait");
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "wait", "0.1.0");
    // A Deployment never becomes ready here (no nodes).
    std::fs::write(
        chart.join("templates/deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-d\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n",
    )
    .expect("write");
    let opts = InstallOptions { name: Some("w".into()), wait: true, timeout: Some(Duration::from_secs(2)), ..Default::default() };
    let err = c.install(load(&chart), &Value::empty_map(), opts).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("Deployment/w-d"), "{err}");
    let h = c.history("w", None).await.expect("history");
    assert_eq!(h[0].status(), Status::Failed);
    assert!(h[0].info.as_ref().map(|i| i.description.starts_with("Release \"w\" failed: ")).unwrap_or(false));

    let opts = InstallOptions { name: Some("a".into()), wait: true, atomic: true, timeout: Some(Duration::from_secs(2)), ..Default::default() };
    let err = c.install(load(&chart), &Value::empty_map(), opts).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.starts_with("release a failed, and has been uninstalled due to rollback-on-failure being set: "), "{err}");
    assert!(c.history("a", None).await.is_err());
    assert!(cm(&c, &ns, "a-cm").await.is_none());
}

/// helm-rs installs; Helm lists, upgrades and rolls back; both print the same manifest.
#[tokio::test]
async fn interop_helm_reads_helm_rs_releases() {
    let Some(env) = env() else { return };
    let Some(h) = oracle() else { return };
    let ns = unique("rs2helm");
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "interop", "0.1.0");
    c.install(load(&chart), &vals("data: from-rs\n"), InstallOptions { name: Some("ir".into()), ..Default::default() }).await.expect("install");

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
    let (ok, _, err) = helm(env, &h, &["upgrade", "ir", &chart_s, "-n", &ns, "--set", "data=from-helm"]);
    assert!(ok, "helm upgrade of a helm-rs release: {err}");
    let data = cm(&c, &ns, "ir-cm").await.and_then(|c| c.data).unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("from-helm"));
    let (ok, _, err) = helm(env, &h, &["rollback", "ir", "1", "-n", &ns]);
    assert!(ok, "helm rollback: {err}");
    let hist = c.history("ir", None).await.expect("history");
    assert_eq!(
        hist.iter().map(|r| (r.version, r.status(), r.info.clone().unwrap_or_default().description)).collect::<Vec<_>>(),
        vec![
            (1, Status::Superseded, "Install complete".to_string()),
            (2, Status::Superseded, "Upgrade complete".to_string()),
            (3, Status::Deployed, "Rollback to 1".to_string())
        ]
    );
    let data = cm(&c, &ns, "ir-cm").await.and_then(|c| c.data).unwrap_or_default();
    assert_eq!(data.get("value").map(String::as_str), Some("from-rs"));
    let (ok, _, err) = helm(env, &h, &["uninstall", "ir", "-n", &ns]);
    assert!(ok, "{err}");
}

/// Helm installs; helm-rs lists, upgrades, rolls back and uninstalls; Helm sees the result.
#[tokio::test]
async fn interop_helm_rs_drives_helm_releases() {
    let Some(env) = env() else { return };
    let Some(h) = oracle() else { return };
    let ns = unique("helm2rs");
    let c = client(env, &ns).await;
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "interop", "0.1.0");
    let chart_s = chart.to_string_lossy().to_string();
    let (ok, _, err) = helm(env, &h, &["install", "ih", &chart_s, "-n", &ns, "--set", "data=helm1"]);
    assert!(ok, "{err}");

    let l = c.list(ListOptions::default()).await.expect("list");
    assert_eq!(l.iter().map(|r| (r.name.as_str(), r.version, r.status())).collect::<Vec<_>>(), vec![("ih", 1, Status::Deployed)]);
    let rel = c.get_release("ih", None, 0).await.expect("get");
    let (_, helm_manifest, _) = helm(env, &h, &["get", "manifest", "ih", "-n", &ns]);
    assert_eq!(helm_manifest, format!("{}\n", rel.manifest));
    assert_eq!(rel.chart_name(), "interop");

    let rel = c
        .upgrade("ih", load(&chart), &vals("data: rs2\nextra: true\n"), UpgradeOptions::default())
        .await
        .expect("helm-rs upgrade of a Helm release");
    assert_eq!(rel.version, 2);
    assert!(cm(&c, &ns, "ih-extra").await.is_some());
    let (ok, out, err) = helm(env, &h, &["history", "ih", "-n", &ns, "-o", "json"]);
    assert!(ok, "{err}");
    assert!(out.contains(r#""revision":1,"#) && out.contains(r#""status":"superseded""#) && out.contains(r#""revision":2,"#), "{out}");

    c.rollback("ih", RollbackOptions::default()).await.expect("rollback");
    assert!(cm(&c, &ns, "ih-extra").await.is_none());
    let (ok, out, _) = helm(env, &h, &["get", "values", "ih", "-n", &ns, "-o", "json"]);
    assert!(ok);
    assert_eq!(out, "{\"data\":\"helm1\"}\n");
    let (ok, out, _) = helm(env, &h, &["status", "ih", "-n", &ns, "-o", "json"]);
    assert!(ok);
    assert!(out.contains(r#""description":"Rollback to 1","status":"deployed""#), "{out}");

    // Helm can upgrade what helm-rs rolled back, and helm-rs uninstalls it.
    let (ok, _, err) = helm(env, &h, &["upgrade", "ih", &chart_s, "-n", &ns, "--reuse-values"]);
    assert!(ok, "{err}");
    c.uninstall("ih", UninstallOptions::default()).await.expect("uninstall");
    let (ok, out, _) = helm(env, &h, &["list", "-n", &ns, "-q"]);
    assert!(ok);
    assert_eq!(out, "");
    assert!(cm(&c, &ns, "ih-cm").await.is_none());
}
