//! Helm's `sql` storage driver on a real PostgreSQL (`scripts/pg-testenv`) and a real API
//! server: Helm 4.1.4 and helm-rs read, upgrade and roll back each other's releases kept in
//! the database.

mod common;

use common::{
    env, helm_home, on_cluster, oracle, outcome, scratch, start_testenv, unique, write_chart,
};
use helm_core::release::{ReleaseStorage, Status, StorageError};
use helm_core::values::Value;
use helm_kube::{
    Client, ClientOptions, DriverKind, InstallOptions, ReleaseApi, RollbackOptions, UpgradeOptions,
};
use std::sync::OnceLock;

/// The connection string of this test binary's PostgreSQL server, or None (after printing
/// why) when one cannot be started here.
fn postgres() -> Option<&'static str> {
    static CONN: OnceLock<Option<String>> = OnceLock::new();
    CONN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("helm-kube-pg-{}", std::process::id()));
        start_testenv("pg-testenv", &dir).map(|out| out.trim().to_string())
    })
    .as_deref()
}

/// Helm with `HELM_DRIVER=sql` on that database; (exit ok, stdout, stderr).
fn helm_sql(
    env: &common::Env,
    helm: &std::path::Path,
    conn: &str,
    args: &[&str],
) -> (bool, String, String) {
    let mut c = on_cluster(helm, env, args);
    helm_home(&mut c)
        .env("HELM_DRIVER", "sql")
        .env("HELM_DRIVER_SQL_CONNECTION_STRING", conn);
    outcome(c.output().expect("run helm-oracle"))
}

/// A helm-rs client keeping its records in the database `conn`.
async fn sql_client(env: &common::Env, ns: &str, conn: &str) -> Client {
    let opts = ClientOptions {
        kubeconfig: Some(env.kubeconfig.clone()),
        namespace: Some(ns.to_string()),
        driver: DriverKind::Sql,
        sql_connection: Some(conn.to_string()),
        ..Default::default()
    };
    Client::new(opts).await.expect("client")
}

#[tokio::test]
async fn helm_and_helm_rs_share_releases_in_postgresql() {
    let Some(env) = env() else { return };
    let Some(h) = oracle() else { return };
    let Some(conn) = postgres() else { return };
    let ns = unique("sql");
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "sqlchart", "0.1.0");
    let chart_s = chart.to_string_lossy().to_string();

    // Helm first: it creates the schema, and helm-rs finds its migrations applied.
    let (ok, _, err) = helm_sql(
        env,
        &h,
        conn,
        &[
            "install",
            "hs",
            &chart_s,
            "-n",
            &ns,
            "--create-namespace",
            "--set",
            "data=by-helm",
        ],
    );
    assert!(ok, "helm install: {err}");
    let c = sql_client(env, &ns, conn).await;
    let listed = c.list(Default::default()).await.expect("list");
    assert_eq!(
        listed
            .iter()
            .map(|r| (r.name.as_str(), r.version, r.status()))
            .collect::<Vec<_>>(),
        [("hs", 1, Status::Deployed)]
    );
    let v = c.get_values("hs", None, 0, false).await.expect("values");
    assert_eq!(
        helm_core::values::json::to_string(&v),
        r#"{"data":"by-helm"}"#
    );

    // helm-rs upgrades and rolls back Helm's release; Helm reads the result.
    let load = || helm_core::chart::load(&chart).expect("chart");
    let vals = helm_core::values::yaml::from_str("data: by-helm-rs\n").expect("yaml");
    let rel = c
        .upgrade("hs", load(), &vals, UpgradeOptions::default())
        .await
        .expect("upgrade");
    assert_eq!(rel.version, 2);
    c.rollback(
        "hs",
        RollbackOptions {
            revision: 1,
            ..Default::default()
        },
    )
    .await
    .expect("rollback");
    let (ok, out, err) = helm_sql(env, &h, conn, &["history", "hs", "-n", &ns, "-o", "json"]);
    assert!(ok, "helm history: {err}");
    let hist: serde_json::Value = serde_json::from_str(&out).expect("json");
    let seen: Vec<(i64, String, String)> = hist
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
                r["description"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "superseded".to_string(), "Install complete".to_string()),
            (2, "superseded".to_string(), "Upgrade complete".to_string()),
            (3, "deployed".to_string(), "Rollback to 1".to_string())
        ]
    );
    let (ok, out, _) = helm_sql(
        env,
        &h,
        conn,
        &["get", "values", "hs", "-n", &ns, "-o", "json"],
    );
    assert!(ok);
    assert_eq!(out, "{\"data\":\"by-helm\"}\n");

    // The other way: helm-rs installs with a custom label, Helm upgrades, helm-rs sees it.
    let opts = InstallOptions {
        name: Some("rs".into()),
        labels: [("team".to_string(), "a".to_string())].into(),
        ..Default::default()
    };
    c.install(load(), &Value::empty_map(), opts)
        .await
        .expect("install");
    let (ok, _, err) = helm_sql(
        env,
        &h,
        conn,
        &[
            "upgrade",
            "rs",
            &chart_s,
            "-n",
            &ns,
            "--set",
            "data=helm-upgrade",
        ],
    );
    assert!(ok, "helm upgrade of a helm-rs release: {err}");
    let h2 = c.history("rs", None).await.expect("history");
    assert_eq!(
        h2.iter()
            .map(|r| (r.version, r.status()))
            .collect::<Vec<_>>(),
        [(1, Status::Superseded), (2, Status::Deployed)]
    );
    assert_eq!(
        h2[0].labels.get("team").map(String::as_str),
        Some("a"),
        "custom labels in custom_labels_v1"
    );
    let (ok, out, _) = helm_sql(
        env,
        &h,
        conn,
        &[
            "get",
            "metadata",
            "rs",
            "-n",
            &ns,
            "--revision",
            "1",
            "-o",
            "json",
        ],
    );
    assert!(ok);
    let md: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(md["labels"]["team"], "a", "{md}");

    // A revision is created once: the primary key decides between racing writers.
    let store = c.storage(Some(&ns));
    let again = store.get("rs", 2).await.expect("get");
    assert_eq!(store.create(&again).await, Err(StorageError::AlreadyExists));

    // Uninstall by Helm leaves no row helm-rs sees.
    let (ok, _, err) = helm_sql(env, &h, conn, &["uninstall", "hs", "-n", &ns]);
    assert!(ok, "{err}");
    assert!(c.history("hs", None).await.is_err());
    c.uninstall("rs", Default::default())
        .await
        .expect("uninstall");
    let (ok, out, _) = helm_sql(env, &h, conn, &["list", "-n", &ns, "-q"]);
    assert!(ok);
    assert_eq!(out, "");
}

/// helm-rs first on an empty database: it creates Helm's schema and records the migrations as
/// sql-migrate does, so Helm then uses the database as its own.
#[tokio::test]
async fn schema_created_by_helm_rs_is_helms() {
    let Some(env) = env() else { return };
    let Some(h) = oracle() else { return };
    let Some(conn) = postgres() else { return };
    let (admin, connection) = tokio_postgres::connect(conn, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    admin
        .batch_execute("CREATE DATABASE rsfirst")
        .await
        .expect("create database");
    let conn = conn.replace("/postgres?", "/rsfirst?");
    let ns = unique("sqlrs");
    let dir = scratch(&ns);
    let chart = write_chart(&dir, "sqlfirst", "0.1.0");
    let c = sql_client(env, &ns, &conn).await;
    let _ = kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(c.kube().clone())
        .create(
            &Default::default(),
            &k8s_openapi::api::core::v1::Namespace {
                metadata: kube::api::ObjectMeta {
                    name: Some(ns.clone()),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await;
    c.install(
        helm_core::chart::load(&chart).expect("chart"),
        &Value::empty_map(),
        InstallOptions {
            name: Some("first".into()),
            ..Default::default()
        },
    )
    .await
    .expect("install");
    let (ok, out, err) = helm_sql(env, &h, &conn, &["list", "-n", &ns, "-q"]);
    assert!(ok, "{err}");
    assert_eq!(out, "first\n");
    let (ok, _, err) = helm_sql(
        env,
        &h,
        &conn,
        &["upgrade", "first", &chart.to_string_lossy(), "-n", &ns],
    );
    assert!(ok, "{err}");
    // Helm ran no migration of its own (it would have failed on the existing tables).
    let (db, connection) = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let ids: Vec<String> = db
        .query("SELECT id FROM gorp_migrations ORDER BY id", &[])
        .await
        .expect("query")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, ["custom_labels", "init"]);
    assert_eq!(c.history("first", None).await.expect("history").len(), 2);
}
