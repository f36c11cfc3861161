//! The server as a child process (`helm-rs serve`) killed mid-upgrade: after a restart the
//! release is reported `pending-upgrade`, another upgrade gets 409 with that state, and a
//! rollback through the server recovers it. Then SIGTERM during an upgrade: the server stops,
//! names the operation it abandoned, and the release is again recoverable.

mod common;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn helm_rs() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../debug/helm-rs");
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} not built (cargo build -p helm-rs-cli)",
            p.display()
        );
        None
    }
}

/// The environment, the built `helm-rs` and the environment's admin token; None (after
/// printing why) when the environment or the binary is missing.
fn prerequisites() -> Option<(&'static common::Env, PathBuf, String)> {
    let env = common::env()?;
    let bin = helm_rs()?;
    let token = std::fs::read_to_string(env.dir.join("token"))
        .expect("admin token")
        .trim()
        .to_string();
    Some((env, bin, token))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

struct Served {
    child: Child,
    url: String,
    log: PathBuf,
}

fn serve(bin: &PathBuf, kubeconfig: &PathBuf, log: PathBuf, extra: &[&str]) -> Served {
    let port = free_port();
    let child = Command::new(bin)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--kubeconfig",
        ])
        .arg(kubeconfig)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("spawn helm-rs serve");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Served { child, url, log }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_status(url: &str, token: &str, want: &str, version: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (st, body) = common::server_call(reqwest::Method::GET, url, Some(token), None).await;
        if st == 200
            && body["release"]["info"]["status"] == want
            && body["release"]["version"] == version
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "release never reached {want} v{version}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_upgrade_the_release_stays_pending_and_rollback_recovers_it() {
    let Some((env, bin, token)) = prerequisites() else {
        return;
    };
    let ns = common::unique("srv-fault");
    let dir = common::scratch("server-fault");
    let chart = dir.join("slow");
    // The test environment has no nodes: a Deployment never becomes ready, so `wait` holds
    // the upgrade in `pending-upgrade` until the server is killed.
    common::write_files(
        &chart,
        &[
            ("Chart.yaml", "apiVersion: v2\nname: slow\nversion: 0.1.0\n"),
            ("values.yaml", "deploy: false\n"),
            (
                "templates/all.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  deploy: {{ .Values.deploy | quote }}\n{{- if .Values.deploy }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-app\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n      - name: c\n        image: registry.invalid/none:1\n{{- end }}\n",
            ),
        ],
    );
    let b64 = common::chart_tgz_base64(&chart, &dir);

    let s1 = serve(&bin, &env.kubeconfig, dir.join("serve1.log"), &[]);
    let base = format!("{}/v1/namespaces/{ns}/releases", s1.url);
    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &base,
        Some(&token),
        Some(json!({ "name": "rel", "chart": { "tgz_base64": b64 }, "create_namespace": true })),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = common::server_call(reqwest::Method::PUT, &format!("{base}/rel"), Some(&token), Some(json!({ "chart": { "tgz_base64": b64 }, "values": { "deploy": true }, "wait": true, "timeout_seconds": 120, "async": true }))).await;
    assert_eq!(st, 202, "{body}");
    wait_status(&format!("{base}/rel"), &token, "pending-upgrade", 2).await;
    // SIGKILL: nothing gets to run.
    let mut s1 = s1;
    s1.child.kill().expect("kill");
    let _ = s1.child.wait();

    let s2 = serve(
        &bin,
        &env.kubeconfig,
        dir.join("serve2.log"),
        &["--shutdown-grace", "1"],
    );
    let rel_url = format!("{}/v1/namespaces/{ns}/releases/rel", s2.url);
    let (st, body) = common::server_call(reqwest::Method::GET, &rel_url, Some(&token), None).await;
    assert_eq!(
        (st, body["release"]["info"]["status"].as_str()),
        (200, Some("pending-upgrade")),
        "{body}"
    );
    let (st, body) = common::server_call(
        reqwest::Method::PUT,
        &rel_url,
        Some(&token),
        Some(json!({ "chart": { "tgz_base64": b64 } })),
    )
    .await;
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["pending"]["status"], "pending-upgrade", "{body}");
    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &format!("{rel_url}/rollback"),
        Some(&token),
        Some(json!({ "revision": 1 })),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        (
            body["release"]["version"].as_i64(),
            body["release"]["info"]["status"].as_str()
        ),
        (Some(3), Some("deployed"))
    );
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{rel_url}/history"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(st, 200);
    let statuses: Vec<&str> = body["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|r| r["info"]["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, vec!["superseded", "pending-upgrade", "deployed"]);

    // SIGTERM during an upgrade: stop accepting, wait the grace (1 s), report, exit 1.
    let (st, body) = common::server_call(reqwest::Method::PUT, &rel_url, Some(&token), Some(json!({ "chart": { "tgz_base64": b64 }, "values": { "deploy": true }, "wait": true, "timeout_seconds": 120, "async": true }))).await;
    assert_eq!(st, 202, "{body}");
    wait_status(&rel_url, &token, "pending-upgrade", 4).await;
    let mut s2 = s2;
    let pid = s2.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(st) = s2.child.try_wait().expect("wait") {
            break st.code();
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(1), "abandoned operations make a non-zero exit");
    let log = std::fs::read_to_string(&s2.log).expect("log");
    let abandoned = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| {
            v["msg"]
                .as_str()
                .unwrap_or("")
                .starts_with("operation interrupted by shutdown")
        })
        .expect("abandoned operation logged");
    assert_eq!(
        (abandoned["release"].as_str(), abandoned["left_as"].as_str()),
        (Some("rel"), Some("pending-upgrade")),
        "{abandoned}"
    );
    let s3 = serve(&bin, &env.kubeconfig, dir.join("serve3.log"), &[]);
    let rel_url = format!("{}/v1/namespaces/{ns}/releases/rel", s3.url);
    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &format!("{rel_url}/rollback"),
        Some(&token),
        Some(json!({})),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["release"]["version"].as_i64(), Some(5));

    // The CLI through the server: `helm-rs --server URL --token T history/status`.
    let out = Command::new(&bin)
        .args([
            "--server", &s3.url, "--token", &token, "history", "rel", "-n", &ns,
        ])
        .output()
        .expect("helm-rs history");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(
        text.lines().nth(5).unwrap_or("").contains("deployed"),
        "{text}"
    );
    let out = Command::new(&bin)
        .args(["--server", &s3.url, "history", "rel", "-n", &ns])
        .env("HELM_RS_TOKEN", "not-a-token")
        .output()
        .expect("helm-rs history");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Unauthorized"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `POST …/plan`: what an upgrade would change, as data, with nothing applied or stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_endpoint_reports_changes_and_stores_nothing() {
    let Some((env, bin, token)) = prerequisites() else {
        return;
    };
    let ns = common::unique("srv-plan");
    let dir = common::scratch("server-plan");
    let chart = common::write_chart(&dir, "planned", "0.1.0");
    let b64 = common::chart_tgz_base64(&chart, &dir);
    let s = serve(&bin, &env.kubeconfig, dir.join("serve.log"), &[]);
    let base = format!("{}/v1/namespaces/{ns}/releases", s.url);
    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &base,
        Some(&token),
        Some(json!({ "name": "p", "chart": { "tgz_base64": b64 }, "create_namespace": true })),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &format!("{base}/p/plan"),
        Some(&token),
        Some(json!({ "chart": { "tgz_base64": b64 }, "values": { "data": "two", "extra": true } })),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let changes: Vec<(String, String)> = body["plan"]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap_or("").to_string(),
                c["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (format!("{ns}, p-cm, ConfigMap (v1)"), "modify".to_string()),
            (format!("{ns}, p-extra, ConfigMap (v1)"), "add".to_string())
        ]
    );
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{base}/p"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (st, body["release"]["version"].as_i64()),
        (200, Some(1)),
        "nothing stored: {body}"
    );
    // an unknown release: the upgrade's own refusal, with its kind
    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &format!("{base}/nope/plan"),
        Some(&token),
        Some(json!({ "chart": { "tgz_base64": b64 } })),
    )
    .await;
    assert_eq!(
        (st, body["kind"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
}
