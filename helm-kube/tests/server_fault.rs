//! The server as a child process (`helm-rs serve`) killed mid-upgrade: after a restart the
//! release is reported `pending-upgrade`, another upgrade gets 409 with that state, and a
//! rollback through the server recovers it. Then SIGTERM during an upgrade: the server stops,
//! names the operation it abandoned, and the release is again recoverable. And three replicas
//! behind one round-robin Service under concurrent writers, one of them SIGKILLed mid-run.

mod common;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;
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

/// A chart whose `templates/all.yaml` is `objects` and, with `deploy: true`, a Deployment: the
/// test environment has no nodes, so it never becomes ready and `wait` holds an operation
/// pending for as long as a test needs.
fn write_chart_with_deployment(chart: &std::path::Path, name: &str, values: &str, objects: &str) {
    let deployment = "{{- if .Values.deploy }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-app\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n      - name: c\n        image: registry.invalid/none:1\n{{- end }}\n";
    common::write_files(
        chart,
        &[
            (
                "Chart.yaml",
                &format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
            ),
            ("values.yaml", values),
            ("templates/all.yaml", &format!("{objects}{deployment}")),
        ],
    );
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
    write_chart_with_deployment(
        &chart,
        "slow",
        "deploy: false\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  deploy: {{ .Values.deploy | quote }}\n",
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

/// A Service in front of replicas, as kube-proxy without session affinity: each request goes to
/// the next replica in turn; a replica that refuses connections (killed, not yet removed from
/// the endpoints) is skipped, and when none answers the client gets 502.
struct RoundRobin {
    url: String,
    served: Arc<std::sync::Mutex<Vec<String>>>,
}

impl RoundRobin {
    async fn start(backends: Vec<String>) -> RoundRobin {
        use hyper::service::service_fn;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let served: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let http = reqwest::Client::new();
        let (backends2, served2) = (Arc::new(backends), served.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (backends, next, http, served) = (
                    backends2.clone(),
                    next.clone(),
                    http.clone(),
                    served2.clone(),
                );
                tokio::spawn(async move {
                    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let (backends, next, http, served) =
                            (backends.clone(), next.clone(), http.clone(), served.clone());
                        async move {
                            use http_body_util::BodyExt;
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let path = parts
                                .uri
                                .path_and_query()
                                .map(|p| p.as_str())
                                .unwrap_or("/")
                                .to_string();
                            let first = next.fetch_add(1, Ordering::SeqCst);
                            for i in 0..backends.len() {
                                let backend = &backends[(first + i) % backends.len()];
                                let mut out =
                                    http.request(parts.method.clone(), format!("{backend}{path}"));
                                for (k, v) in &parts.headers {
                                    if k == "authorization" || k == "content-type" {
                                        out = out.header(k, v);
                                    }
                                }
                                match out.body(body.clone()).send().await {
                                    Ok(resp) => {
                                        let mut r = hyper::Response::builder()
                                            .status(resp.status().as_u16());
                                        for (k, v) in resp.headers() {
                                            if k == "content-type" || k.as_str().starts_with("x-") {
                                                r = r.header(k, v);
                                            }
                                        }
                                        let replica = resp
                                            .headers()
                                            .get("x-helm-rs-replica")
                                            .and_then(|v| v.to_str().ok())
                                            .unwrap_or("")
                                            .to_string();
                                        // A replica killed while answering: the client sees the
                                        // connection drop, as through a real Service.
                                        let Ok(bytes) = resp.bytes().await else {
                                            return Ok::<_, std::convert::Infallible>(
                                                hyper::Response::builder()
                                                    .status(502)
                                                    .body(http_body_util::Full::new(
                                                        hyper::body::Bytes::from_static(
                                                            b"{\"error\":\"connection lost\"}",
                                                        ),
                                                    ))
                                                    .expect("response"),
                                            );
                                        };
                                        if let Ok(mut s) = served.lock() {
                                            s.push(replica);
                                        }
                                        return Ok(r
                                            .body(http_body_util::Full::new(bytes))
                                            .expect("response"));
                                    }
                                    Err(e) if e.is_connect() => continue,
                                    Err(_) => break,
                                }
                            }
                            Ok(hyper::Response::builder()
                                .status(502)
                                .body(http_body_util::Full::new(hyper::body::Bytes::from_static(
                                    b"{\"error\":\"no replica answered\"}",
                                )))
                                .expect("response"))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        RoundRobin { url, served }
    }
}

/// How one upgrade sent through the Service ended.
#[derive(Debug)]
enum Outcome {
    /// 200: this revision is the worker's.
    Won(i64),
    /// 409: another operation held the release (on this replica or, through the record
    /// claim, on another).
    Refused,
    /// The connection dropped (the replica answering was killed): the revision it may have
    /// claimed is unknown to the client.
    Lost,
}

/// Three `helm-rs serve` replicas behind one round-robin Service, eight writers upgrading four
/// releases at once, one replica SIGKILLed mid-run (holding an upgrade that waits for a
/// Deployment the node-less environment never runs). The replicas share only the API server:
/// every release's history has no gap and no duplicate, each revision a client was told it
/// won is recorded as its own, no release has two deployed revisions, another replica reports
/// the killed one's operation by name and its release as pending, and recovery through the
/// Service makes every release upgradable again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_share_only_the_api_server_and_survive_one_killed() {
    let Some((env, bin, token)) = prerequisites() else {
        return;
    };
    let ns = common::unique("srv-scale");
    let dir = common::scratch("server-scale");
    let chart = dir.join("many");
    write_chart_with_deployment(
        &chart,
        "many",
        "data: x\ndeploy: false\n",
        "{{- range $i := until 12 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ $.Release.Name }}-cm{{ $i }}\ndata:\n  v: {{ $.Values.data | quote }}\n{{- end }}\n",
    );
    let b64 = common::chart_tgz_base64(&chart, &dir);
    let mut replicas: Vec<Served> = (0..3)
        .map(|i| {
            serve(
                &bin,
                &env.kubeconfig,
                dir.join(format!("replica{i}.log")),
                // Each replica limits a caller on its own: 8 writers fit on two.
                &[
                    "--replica-name",
                    &format!("server-{i}"),
                    "--max-concurrent-per-caller",
                    "10",
                ],
            )
        })
        .collect();
    let svc = RoundRobin::start(replicas.iter().map(|r| r.url.clone()).collect()).await;
    let base = format!("{}/v1/namespaces/{ns}/releases", svc.url);
    let releases = ["r0", "r1", "r2", "r3"];
    for (i, name) in releases.iter().chain(["held"].iter()).enumerate() {
        let (st, body) = common::server_call(
            reqwest::Method::POST,
            &base,
            Some(&token),
            Some(
                json!({ "name": name, "chart": { "tgz_base64": b64 }, "create_namespace": i == 0 }),
            ),
        )
        .await;
        assert_eq!(st, 201, "{body}");
    }
    // Each replica names itself; requests went to all three in turn.
    assert_eq!(
        svc.served
            .lock()
            .expect("lock")
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>(),
        vec!["server-0", "server-1", "server-2"]
    );

    // An upgrade held on server-1 (waiting for a Deployment that never runs).
    let held_on_1 = format!("{}/v1/namespaces/{ns}/releases/held", replicas[1].url);
    let (st, body) = common::server_call(reqwest::Method::PUT, &held_on_1, Some(&token), Some(json!({ "chart": { "tgz_base64": b64 }, "values": { "deploy": true }, "wait": true, "timeout_seconds": 300, "async": true }))).await;
    assert_eq!(st, 202, "{body}");
    let op_id = body["operation_id"].as_str().expect("id").to_string();
    assert!(op_id.ends_with("@server-1"), "{op_id}");
    assert_eq!(body["replica"], "server-1");
    wait_status(&format!("{base}/held"), &token, "pending-upgrade", 2).await;
    // Asked of another replica, the operation is named as server-1's.
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{}/v1/operations/{op_id}", replicas[0].url),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (st, body["replica"].as_str()),
        (404, Some("server-1")),
        "{body}"
    );
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("runs on replica server-1"),
        "{body}"
    );

    // Eight writers through the Service; server-1 is killed a few seconds in.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (base, token, b64, stop) = (base.clone(), token.clone(), b64.clone(), stop.clone());
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                let mut k = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    let name = releases[(w + k) % releases.len()];
                    k += 1;
                    let resp = reqwest::Client::new()
                        .put(format!("{base}/{name}"))
                        .bearer_auth(&token)
                        .json(&json!({ "chart": { "tgz_base64": b64 }, "values": { "data": format!("w{w}k{k}") }, "max_history": 0 }))
                        .send()
                        .await;
                    let outcome = match resp {
                        Ok(r) => {
                            let st = r.status().as_u16();
                            let body: Value = r.json().await.unwrap_or(Value::Null);
                            match st {
                                200 => Outcome::Won(body["release"]["version"].as_i64().expect("version")),
                                409 => {
                                    assert_eq!(body["kind"], "pending", "{body}");
                                    tokio::time::sleep(Duration::from_millis(20)).await;
                                    Outcome::Refused
                                }
                                502 => Outcome::Lost,
                                _ => panic!("upgrade of {name}: {st} {body}"),
                            }
                        }
                        Err(_) => Outcome::Lost,
                    };
                    outcomes.push((name, outcome));
                }
                outcomes
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(4)).await;
    replicas[1].child.kill().expect("SIGKILL server-1");
    let _ = replicas[1].child.wait();
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::SeqCst);
    let mut outcomes = Vec::new();
    for w in writers {
        outcomes.extend(w.await.expect("writer"));
    }
    let won = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Won(_)))
        .count();
    let lost = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Lost))
        .count();
    eprintln!(
        "{} upgrades: {won} won, {} refused, {lost} lost with server-1",
        outcomes.len(),
        outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Refused))
            .count()
    );
    assert!(
        won >= releases.len(),
        "the load made progress: {outcomes:?}"
    );

    let history = |name: &'static str| {
        let (url, token) = (format!("{base}/{name}/history"), token.clone());
        async move {
            let (st, body) =
                common::server_call(reqwest::Method::GET, &url, Some(&token), None).await;
            assert_eq!(st, 200, "{body}");
            body["history"]
                .as_array()
                .expect("history")
                .iter()
                .map(|r| {
                    (
                        r["version"].as_i64().unwrap_or(0),
                        r["info"]["status"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let mut pending_total = 0;
    for name in releases {
        let h = history(name).await;
        let versions: Vec<i64> = h.iter().map(|(v, _)| *v).collect();
        assert_eq!(
            versions,
            (1..=h.len() as i64).collect::<Vec<_>>(),
            "{name}: no gap, no duplicate: {h:?}"
        );
        let mut claimed: Vec<i64> = outcomes
            .iter()
            .filter(|(n, _)| *n == name)
            .filter_map(|(_, o)| match o {
                Outcome::Won(v) => Some(*v),
                _ => None,
            })
            .collect();
        claimed.sort();
        let before = claimed.len();
        claimed.dedup();
        assert_eq!(claimed.len(), before, "{name}: a revision won twice");
        for v in &claimed {
            let status = &h[(*v - 1) as usize].1;
            assert!(
                status == "deployed" || status == "superseded",
                "{name} v{v} won but {status}"
            );
        }
        let pending: Vec<_> = h
            .iter()
            .filter(|(_, s)| s.starts_with("pending-"))
            .collect();
        assert!(
            pending.len() <= 1 && pending.iter().all(|(v, _)| *v == h.len() as i64),
            "{name}: {h:?}"
        );
        // One deployed revision; none when the kill fell between an upgrade's two last writes
        // (the previous revision superseded, the new one not yet deployed: Helm's order too).
        let deployed = h.iter().filter(|(_, s)| s == "deployed").count();
        assert!(
            deployed == 1 || (deployed == 0 && pending.len() == 1),
            "{name}: {h:?}"
        );
        pending_total += pending.len();
    }
    assert!(
        pending_total <= lost,
        "only the killed replica's upgrades are left pending"
    );

    // The held release: reported pending by the survivors, refused, recovered, upgradable.
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{base}/held"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (st, body["release"]["info"]["status"].as_str()),
        (200, Some("pending-upgrade")),
        "{body}"
    );
    let (st, body) = common::server_call(
        reqwest::Method::PUT,
        &format!("{base}/held"),
        Some(&token),
        Some(json!({ "chart": { "tgz_base64": b64 } })),
    )
    .await;
    assert_eq!(
        (st, body["pending"]["status"].as_str()),
        (409, Some("pending-upgrade")),
        "{body}"
    );
    for name in releases.iter().chain(["held"].iter()) {
        let h = history(name).await;
        if h.last().is_some_and(|(_, s)| s.starts_with("pending-")) {
            let (st, body) = common::server_call(
                reqwest::Method::POST,
                &format!("{base}/{name}/recover"),
                Some(&token),
                Some(json!({ "force": true })),
            )
            .await;
            assert_eq!(
                (st, body["release"]["info"]["status"].as_str()),
                (200, Some("failed")),
                "{name}: {body}"
            );
        }
        let (st, body) = common::server_call(
            reqwest::Method::PUT,
            &format!("{base}/{name}"),
            Some(&token),
            Some(json!({ "chart": { "tgz_base64": b64 }, "values": { "data": "after" } })),
        )
        .await;
        assert_eq!(
            (st, body["release"]["info"]["status"].as_str()),
            (200, Some("deployed")),
            "{name}: {body}"
        );
        assert_eq!(
            body["release"]["version"].as_i64(),
            Some(h.len() as i64 + 1),
            "{name}: {body}"
        );
    }
    drop(replicas);
}

/// A client following its operation through a Service may reach a replica that does not run
/// it: that replica answers 404 naming the right one, and `RemoteClient` follows the release's
/// record instead. Both replicas answer every mutating request at once (202), so each
/// install, upgrade and uninstall below is followed through the other replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_client_follows_the_record_when_its_operation_is_elsewhere() {
    use helm_kube::ReleaseApi;
    let Some((env, bin, token)) = prerequisites() else {
        return;
    };
    let ns = common::unique("srv-follow");
    let dir = common::scratch("server-follow");
    let chart = common::write_chart(&dir, "follow", "0.1.0");
    let tgz = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(common::chart_tgz_base64(&chart, &dir))
            .expect("b64")
    };
    let replicas: Vec<Served> = (0..2)
        .map(|i| {
            serve(
                &bin,
                &env.kubeconfig,
                dir.join(format!("follow{i}.log")),
                &["--replica-name", &format!("s{i}"), "--request-timeout", "0"],
            )
        })
        .collect();
    let svc = RoundRobin::start(replicas.iter().map(|r| r.url.clone()).collect()).await;
    let remote = helm_kube::RemoteClient::new(&svc.url, &token, Some(&ns)).expect("remote");
    let rel = remote
        .install(
            helm_kube::ChartRef::Archive(tgz.clone()),
            &helm_core::Value::empty_map(),
            helm_kube::InstallOptions {
                name: Some("web".into()),
                create_namespace: true,
                ..Default::default()
            },
        )
        .await
        .expect("install followed through the other replica");
    assert_eq!((rel.version, rel.status().as_str()), (1, "deployed"));
    let rel = remote
        .upgrade(
            "web",
            helm_kube::ChartRef::Archive(tgz.clone()),
            &helm_core::Value::empty_map(),
            Default::default(),
        )
        .await
        .expect("upgrade");
    assert_eq!((rel.version, rel.status().as_str()), (2, "deployed"));
    let res = remote
        .uninstall("web", Default::default())
        .await
        .expect("uninstall");
    assert_eq!(res.release.status().as_str(), "uninstalled");
    // The requests alternated: each 202 came from one replica, its follow-up from the other.
    let served = svc.served.lock().expect("lock").clone();
    assert!(
        served.windows(2).all(|w| w[0] != w[1]) && served.len() >= 6,
        "{served:?}"
    );
    drop(replicas);
}
