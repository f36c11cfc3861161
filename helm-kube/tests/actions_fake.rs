//! The release actions' sequencing on the in-memory [`FakeCluster`]: which records are written
//! in which state, hooks around the objects, what failures, `--atomic` and
//! `--cleanup-on-fail` leave behind. The same behaviour is checked on a real API server (and
//! against Helm) in `releases.rs`; here each case runs in milliseconds and the failures are
//! injected.

mod common;

use common::{scratch, write_chart};
use helm_core::release::{ReleaseStorage, Status};
use helm_core::values::Value;
use helm_kube::{
    Cluster, ErrorKind, FakeCluster, InstallOptions, ProgressEvent, ReleaseApi, RollbackOptions,
    UninstallOptions, UpgradeOptions,
};

const NS: &str = "apps";

fn vals(yaml: &str) -> Value {
    helm_core::values::yaml::from_str(yaml).expect("yaml")
}

fn chart(name: &str) -> helm_core::chart::Chart {
    let dir = scratch(&format!("fake-{name}"));
    helm_core::chart::load(&write_chart(&dir, name, "0.1.0")).expect("chart")
}

fn install_opts(name: &str) -> InstallOptions {
    InstallOptions {
        name: Some(name.into()),
        ..Default::default()
    }
}

async fn statuses(c: &FakeCluster, name: &str) -> Vec<(i64, Status)> {
    c.history(name, None)
        .await
        .expect("history")
        .iter()
        .map(|r| (r.version, r.status()))
        .collect()
}

fn records_written(c: &FakeCluster) -> Vec<(i64, String, bool)> {
    c.events()
        .into_iter()
        .filter_map(|e| match e {
            ProgressEvent::ReleaseRecorded {
                revision,
                status,
                created,
                ..
            } => Some((revision, status, created)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn install_runs_hooks_then_applies_in_kind_order_and_records_pending_then_deployed() {
    let c = FakeCluster::new(NS);
    let rel = c
        .install(chart("seq"), &vals("data: first\n"), install_opts("app"))
        .await
        .expect("install");
    assert_eq!((rel.version, rel.status()), (1, Status::Deployed));
    assert_eq!(
        rel.info.as_ref().map(|i| i.description.as_str()),
        Some("Install complete")
    );
    // pre-install hook created and waited on, deleted (hook-succeeded), then the release's
    // objects in Helm's install order (ConfigMap before Service).
    assert_eq!(
        c.calls(),
        [
            "apply ConfigMap/apps/app-hook",
            "hook ConfigMap/apps/app-hook",
            "delete ConfigMap/apps/app-hook",
            "apply ConfigMap/apps/app-cm",
            "apply Service/apps/app-svc"
        ]
    );
    assert_eq!(
        records_written(&c),
        [
            (1, "pending-install".to_string(), true),
            (1, "deployed".to_string(), false)
        ]
    );
    assert_eq!(rel.hooks[0].last_run.phase, "Succeeded");
    // Helm's ownership metadata on the release's objects
    let cm = c.object("ConfigMap/apps/app-cm").expect("cm");
    assert_eq!(
        cm.pointer("/metadata/annotations/meta.helm.sh~1release-name"),
        Some(&serde_json::json!("app"))
    );
    assert_eq!(
        cm.pointer("/metadata/labels/app.kubernetes.io~1managed-by"),
        Some(&serde_json::json!("Helm"))
    );
    assert_eq!(cm.pointer("/data/value"), Some(&serde_json::json!("first")));
}

#[tokio::test]
async fn upgrade_supersedes_prunes_dropped_objects_and_keeps_kept_ones() {
    let c = FakeCluster::new(NS);
    let ch = chart("up");
    c.install(ch.clone(), &Value::empty_map(), install_opts("app"))
        .await
        .expect("install");
    let rel = c
        .upgrade(
            "app",
            ch.clone(),
            &vals("data: second\nextra: true\nkept: true\n"),
            UpgradeOptions::default(),
        )
        .await
        .expect("upgrade");
    assert_eq!((rel.version, rel.status()), (2, Status::Deployed));
    assert_eq!(
        statuses(&c, "app").await,
        [(1, Status::Superseded), (2, Status::Deployed)]
    );
    assert!(c.object("ConfigMap/apps/app-extra").is_some());
    // no values: the last ones are reused
    let rel = c
        .upgrade(
            "app",
            ch.clone(),
            &Value::empty_map(),
            UpgradeOptions::default(),
        )
        .await
        .expect("upgrade 3");
    assert_eq!(rel.config.get("data"), Some(&serde_json::json!("second")));
    // dropped objects are deleted, `helm.sh/resource-policy: keep` ones are not
    c.clear_calls();
    c.upgrade(
        "app",
        ch,
        &vals("data: third\n"),
        UpgradeOptions {
            reset_values: true,
            ..Default::default()
        },
    )
    .await
    .expect("upgrade 4");
    assert!(
        c.calls()
            .contains(&"delete ConfigMap/apps/app-extra".to_string()),
        "{:?}",
        c.calls()
    );
    assert!(c.object("ConfigMap/apps/app-extra").is_none());
    assert!(c.object("ConfigMap/apps/app-kept").is_some());
    assert_eq!(
        statuses(&c, "app")
            .await
            .iter()
            .filter(|(_, s)| *s == Status::Deployed)
            .count(),
        1
    );
}

#[tokio::test]
async fn max_history_prunes_before_the_new_revision() {
    let c = FakeCluster::new(NS);
    let ch = chart("hist");
    c.install(ch.clone(), &Value::empty_map(), install_opts("h"))
        .await
        .expect("install");
    for i in 0..4 {
        c.upgrade(
            "h",
            ch.clone(),
            &vals(&format!("data: v{i}\n")),
            UpgradeOptions {
                max_history: 3,
                ..Default::default()
            },
        )
        .await
        .expect("upgrade");
    }
    assert_eq!(
        statuses(&c, "h")
            .await
            .iter()
            .map(|(v, _)| *v)
            .collect::<Vec<_>>(),
        [3, 4, 5]
    );
}

#[tokio::test]
async fn refusals_name_in_use_pending_and_foreign_objects() {
    let c = FakeCluster::new(NS);
    let ch = chart("refuse");
    // an object without Helm's metadata blocks the install, and nothing is stored
    let foreign = helm_core::release::logic::parse_manifest(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x-cm\n",
    )
    .expect("doc");
    c.put(&foreign[0], NS);
    let err = c
        .install(ch.clone(), &Value::empty_map(), install_opts("x"))
        .await
        .expect_err("foreign");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().starts_with("unable to continue with install: ConfigMap \"x-cm\" in namespace \"apps\" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key"), "{err}");
    assert!(c.history("x", None).await.is_err());

    c.install(ch.clone(), &Value::empty_map(), install_opts("y"))
        .await
        .expect("install");
    let err = c
        .install(ch.clone(), &Value::empty_map(), install_opts("y"))
        .await
        .expect_err("in use");
    assert_eq!(
        (err.kind(), err.to_string().as_str()),
        (
            ErrorKind::NameInUse,
            "cannot reuse a name that is still in use"
        )
    );

    // a pending revision blocks upgrade; rollback recovers (Helm 4.1.4)
    let store = c.storage(Some(NS));
    let mut pending = store.get("y", 1).await.expect("get");
    pending.version = 2;
    pending.set_status(Status::PendingUpgrade, "Preparing upgrade");
    store.create(&pending).await.expect("seed pending");
    let err = c
        .upgrade(
            "y",
            ch.clone(),
            &Value::empty_map(),
            UpgradeOptions::default(),
        )
        .await
        .expect_err("pending");
    assert_eq!(
        (err.kind(), err.to_string().as_str()),
        (
            ErrorKind::Pending,
            "another operation (install/upgrade/rollback) is in progress"
        )
    );
    let rel = c
        .rollback("y", RollbackOptions::default())
        .await
        .expect("rollback recovers");
    assert_eq!((rel.version, rel.status()), (3, Status::Deployed));
    assert_eq!(
        statuses(&c, "y").await,
        [
            (1, Status::Superseded),
            (2, Status::PendingUpgrade),
            (3, Status::Deployed)
        ]
    );

    let err = c
        .upgrade("nope", ch, &Value::empty_map(), UpgradeOptions::default())
        .await
        .expect_err("unknown");
    assert_eq!(
        (err.kind(), err.to_string().as_str()),
        (ErrorKind::NotFound, "\"nope\" has no deployed releases")
    );
}

#[tokio::test]
async fn failed_upgrade_is_recorded_and_atomic_rolls_back() {
    let c = FakeCluster::new(NS);
    let ch = chart("fail");
    c.install(ch.clone(), &Value::empty_map(), install_opts("f"))
        .await
        .expect("install");
    c.fail_apply(
        "Service/f-svc",
        "Service \"f-svc\" is invalid: spec.ports: Required value",
    );
    let err = c
        .upgrade(
            "f",
            ch.clone(),
            &vals("data: two\n"),
            UpgradeOptions::default(),
        )
        .await
        .expect_err("upgrade fails");
    assert_eq!(
        err.to_string(),
        "Service \"f-svc\" is invalid: spec.ports: Required value"
    );
    let h = c.history("f", None).await.expect("history");
    assert_eq!(
        h.iter().map(|r| r.status()).collect::<Vec<_>>(),
        [Status::Deployed, Status::Failed]
    );
    assert_eq!(
        h[1].info.as_ref().map(|i| i.description.as_str()),
        Some("Upgrade \"f\" failed: Service \"f-svc\" is invalid: spec.ports: Required value")
    );
    assert!(c
        .events()
        .iter()
        .any(|e| matches!(e, ProgressEvent::ActionFailed { action, .. } if action == "upgrade")));

    // --atomic: the failed revision 3 is rolled back by revision 4 (the rollback's own apply
    // succeeds once the fault is gone: heal between the two is not possible mid-call, so the
    // fault is on an object only the upgrade renders)
    c.heal();
    c.fail_apply("ConfigMap/f-extra", "admission webhook denied the request");
    let err = c
        .upgrade(
            "f",
            ch.clone(),
            &vals("extra: true\n"),
            UpgradeOptions {
                atomic: true,
                ..Default::default()
            },
        )
        .await
        .expect_err("atomic");
    // The refused object is new to the cluster: Helm's update creates it and says so.
    assert_eq!(err.to_string(), "release f failed, and has been rolled back due to rollback-on-failure being set: failed to create resource: admission webhook denied the request");
    let h = c.history("f", None).await.expect("history");
    assert_eq!(
        h.iter()
            .map(|r| (r.version, r.status()))
            .collect::<Vec<_>>(),
        [
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Failed),
            (4, Status::Deployed)
        ]
    );
    assert_eq!(
        h[3].info.as_ref().map(|i| i.description.as_str()),
        Some("Rollback to 1")
    );
}

#[tokio::test]
async fn cleanup_on_fail_deletes_only_what_the_failed_upgrade_created() {
    let c = FakeCluster::new(NS);
    let ch = chart("clean");
    c.install(ch.clone(), &Value::empty_map(), install_opts("c"))
        .await
        .expect("install");
    c.never_ready("ConfigMap/c-extra");
    let opts = UpgradeOptions {
        wait: true,
        cleanup_on_fail: true,
        ..Default::default()
    };
    let err = c
        .upgrade("c", ch, &vals("extra: true\n"), opts)
        .await
        .expect_err("wait fails");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.to_string(), "resource ConfigMap/apps/c-extra not ready. status: InProgress, message: Resource is not ready\ncontext deadline exceeded");
    assert!(
        c.object("ConfigMap/apps/c-extra").is_none(),
        "created by the failed upgrade: deleted"
    );
    assert!(
        c.object("ConfigMap/apps/c-cm").is_some(),
        "there before: kept"
    );
}

#[tokio::test]
async fn hook_failure_fails_the_install_and_atomic_uninstalls() {
    let c = FakeCluster::new(NS);
    c.fail_hook("ConfigMap/h-hook");
    let err = c
        .install(chart("hook"), &Value::empty_map(), install_opts("h"))
        .await
        .expect_err("hook fails");
    assert_eq!(err.kind(), ErrorKind::Failed);
    assert_eq!(err.to_string(), "failed pre-install: resource ConfigMap/apps/h-hook not ready. status: Failed, message: Job Failed. failed: 1/1");
    let h = c.history("h", None).await.expect("history");
    assert_eq!(h[0].status(), Status::Failed);
    assert_eq!(h[0].hooks[0].last_run.phase, "Failed");
    assert!(
        c.object("ConfigMap/apps/h-cm").is_none(),
        "nothing applied after a failed pre-install hook"
    );

    let opts = InstallOptions {
        atomic: true,
        ..install_opts("a")
    };
    c.fail_hook("ConfigMap/a-hook");
    let err = c
        .install(chart("hook2"), &Value::empty_map(), opts)
        .await
        .expect_err("atomic");
    assert!(err.to_string().starts_with("release a failed, and has been uninstalled due to rollback-on-failure being set: failed pre-install: "), "{err}");
    assert!(c.history("a", None).await.is_err(), "uninstalled");
}

#[tokio::test]
async fn uninstall_keep_history_then_upgrade_install_installs_again() {
    let c = FakeCluster::new(NS);
    let ch = chart("again");
    c.install(ch.clone(), &Value::empty_map(), install_opts("g"))
        .await
        .expect("install");
    let res = c
        .uninstall(
            "g",
            UninstallOptions {
                keep_history: true,
                ..Default::default()
            },
        )
        .await
        .expect("uninstall");
    assert_eq!(res.release.status(), Status::Uninstalled);
    assert!(
        c.objects().iter().all(|k| !k.contains("/g-")),
        "{:?}",
        c.objects()
    );
    let err = c
        .uninstall(
            "g",
            UninstallOptions {
                keep_history: true,
                ..Default::default()
            },
        )
        .await
        .expect_err("twice");
    assert_eq!(
        err.to_string(),
        "the release named \"g\" is already deleted"
    );
    let rel = c
        .upgrade(
            "g",
            ch,
            &Value::empty_map(),
            UpgradeOptions {
                install: true,
                ..Default::default()
            },
        )
        .await
        .expect("upgrade --install");
    assert_eq!((rel.version, rel.status()), (2, Status::Deployed));
    assert!(c
        .events()
        .iter()
        .any(|e| matches!(e, ProgressEvent::InstallingInstead { name, .. } if name == "g")));
    c.uninstall("g", UninstallOptions::default())
        .await
        .expect("purge");
    assert!(c.history("g", None).await.is_err());
    assert!(c.records().list().await.expect("list").is_empty());
}

#[tokio::test]
async fn plan_of_an_upgrade_changes_nothing_and_names_each_object() {
    use helm_core::release::plan::{Action, ParseOptions, PlanOptions};
    let c = FakeCluster::new(NS);
    let ch = chart("plan");
    c.install(ch.clone(), &Value::empty_map(), install_opts("p"))
        .await
        .expect("install");
    c.clear_calls();
    let parse = ParseOptions {
        default_namespace: NS.into(),
        ..Default::default()
    };
    let (plan, would_store) = helm_kube::plan::plan_upgrade(
        &c,
        "p",
        ch.clone(),
        &vals("data: two\nextra: true\n"),
        UpgradeOptions::default(),
        &parse,
        &PlanOptions::default(),
    )
    .await
    .expect("plan");
    assert_eq!(would_store.version, 2);
    let changes: Vec<(String, Action)> = plan
        .changes
        .iter()
        .map(|ch| (ch.key.clone(), ch.action))
        .collect();
    assert_eq!(
        changes,
        [
            ("apps, p-cm, ConfigMap (v1)".to_string(), Action::Modify),
            ("apps, p-extra, ConfigMap (v1)".to_string(), Action::Add)
        ]
    );
    assert_eq!(plan.counts(), (1, 1, 0));
    // Only dry runs of the applies (the plan compares them with the live objects).
    assert!(
        c.calls()
            .iter()
            .all(|call| call.starts_with("apply --dry-run ")
                || !(call.starts_with("apply") || call.starts_with("delete"))),
        "{:?}",
        c.calls()
    );
    assert!(
        c.calls()
            .iter()
            .any(|call| call == "apply --dry-run ConfigMap/apps/p-extra"),
        "{:?}",
        c.calls()
    );
    assert_eq!(
        statuses(&c, "p").await,
        [(1, Status::Deployed)],
        "nothing stored"
    );

    // install --plan of a new release: every object is an addition
    let (plan, _) = helm_kube::plan::plan_install(
        &c,
        ch,
        &Value::empty_map(),
        install_opts("q"),
        &parse,
        &PlanOptions::default(),
    )
    .await
    .expect("plan");
    assert!(
        plan.changes.iter().all(|ch| ch.action == Action::Add) && plan.changes.len() == 3,
        "{:?}",
        plan.changes.iter().map(|c| &c.key).collect::<Vec<_>>()
    );
    assert!(c.history("q", None).await.is_err());
}

/// A client-side release (`--server-side=false`) stays client-side under `auto`: its objects
/// are created on install, patched on upgrade and rollback (a new one created), replaced under
/// `--force-replace`, and each revision records `csa`; `--server-side=true` moves it to
/// server-side apply, handing the ownership over first.
#[tokio::test]
async fn client_side_releases_create_patch_and_replace() {
    let c = FakeCluster::new(NS);
    let ch = chart("csa");
    let rel = c
        .install(
            ch.clone(),
            &vals("hook: false\n"),
            InstallOptions {
                server_side: Some(false),
                ..install_opts("app")
            },
        )
        .await
        .expect("install");
    assert_eq!(rel.apply_method, "csa");
    assert_eq!(
        c.calls(),
        [
            "create ConfigMap/apps/app-cm",
            "create Service/apps/app-svc"
        ]
    );
    c.clear_calls();
    let up = |v: &str, force_replace: bool, server_side: Option<bool>| {
        let (c, ch, v) = (c.clone(), ch.clone(), vals(v));
        async move {
            c.upgrade(
                "app",
                ch,
                &v,
                UpgradeOptions {
                    namespace: Some(NS.into()),
                    force_replace,
                    server_side,
                    ..Default::default()
                },
            )
            .await
        }
    };
    let rel = up("hook: false\nextra: true\n", false, None)
        .await
        .expect("upgrade");
    assert_eq!(rel.apply_method, "csa");
    let calls = c.calls();
    assert!(
        calls.contains(&"patch ConfigMap/apps/app-cm".to_string()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"create ConfigMap/apps/app-extra".to_string()),
        "{calls:?}"
    );
    assert!(!calls.iter().any(|x| x.starts_with("apply ")), "{calls:?}");
    c.clear_calls();
    let rel = up("hook: false\n", true, None)
        .await
        .expect("upgrade --force-replace");
    assert_eq!(rel.apply_method, "csa");
    assert!(
        c.calls()
            .contains(&"replace Service/apps/app-svc".to_string()),
        "{:?}",
        c.calls()
    );
    let rel = c
        .rollback(
            "app",
            RollbackOptions {
                namespace: Some(NS.into()),
                revision: 2,
                ..Default::default()
            },
        )
        .await
        .expect("rollback");
    assert_eq!(rel.apply_method, "csa");
    c.clear_calls();
    let rel = up("hook: false\n", false, Some(true))
        .await
        .expect("to server-side");
    assert_eq!(rel.apply_method, "ssa");
    let calls = c.calls();
    assert!(calls[0].starts_with("migrate "), "{calls:?}");
    assert!(
        calls.contains(&"apply Service/apps/app-svc".to_string()),
        "{calls:?}"
    );
}
