//! The release server against a real API server (`scripts/kube-testenv`): each caller acts with
//! its own ServiceAccount token, so Kubernetes RBAC decides (403 passed through); no token is
//! 401; two upgrades of one release at once give one success and one 409, history intact; the
//! SSE feed shows the phases of an operation.

mod common;

use base64::Engine;
use helm_kube::{ChartRef, ErrorKind, ReleaseApi};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use kube::api::{ObjectMeta, PostParams};
use kube::Api;
use serde_json::json;
use std::time::Duration;

struct Fixture {
    dir: std::path::PathBuf,
    url: String,
    token_a: String,
    token_b: String,
    ns_a: String,
    ns_b: String,
    chart_b64: String,
}

async fn create<K>(api: &Api<K>, obj: &K)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    api.create(&PostParams::default(), obj)
        .await
        .expect("create");
}

fn meta(name: &str, ns: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: ns.map(String::from),
        ..Default::default()
    }
}

/// ServiceAccount `sa` in `home`, with every right in namespace `allowed` only; its token.
async fn account(admin: &kube::Client, home: &str, sa: &str, allowed: &str) -> String {
    create(
        &Api::<ServiceAccount>::namespaced(admin.clone(), home),
        &ServiceAccount {
            metadata: meta(sa, Some(home)),
            ..Default::default()
        },
    )
    .await;
    let rule = PolicyRule {
        api_groups: Some(vec!["*".into()]),
        resources: Some(vec!["*".into()]),
        verbs: vec!["*".into()],
        ..Default::default()
    };
    create(
        &Api::<Role>::namespaced(admin.clone(), allowed),
        &Role {
            metadata: meta("all", Some(allowed)),
            rules: Some(vec![rule]),
        },
    )
    .await;
    create(
        &Api::<RoleBinding>::namespaced(admin.clone(), allowed),
        &RoleBinding {
            metadata: meta(&format!("{sa}-all"), Some(allowed)),
            role_ref: RoleRef {
                api_group: Some("rbac.authorization.k8s.io".into()),
                kind: "Role".into(),
                name: "all".into(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".into(),
                name: sa.into(),
                namespace: Some(home.into()),
                ..Default::default()
            }]),
        },
    )
    .await;
    let tr = TokenRequest {
        spec: Some(TokenRequestSpec {
            expiration_seconds: Some(3600),
            ..Default::default()
        }),
        ..Default::default()
    };
    let got = Api::<ServiceAccount>::namespaced(admin.clone(), home)
        .create_token_request(sa, &PostParams::default(), &tr)
        .await
        .expect("token request");
    got.status.and_then(|s| s.token).expect("token")
}

async fn fixture() -> Option<Fixture> {
    let env = common::env()?;
    let admin = helm_kube::Client::new(helm_kube::ClientOptions {
        kubeconfig: Some(env.kubeconfig.clone()),
        ..Default::default()
    })
    .await
    .expect("client");
    let admin = admin.kube().clone();
    let ns_a = common::unique("srv-a");
    let ns_b = common::unique("srv-b");
    for ns in [&ns_a, &ns_b] {
        create(
            &Api::<Namespace>::all(admin.clone()),
            &Namespace {
                metadata: meta(ns, None),
                ..Default::default()
            },
        )
        .await;
    }
    let token_a = account(&admin, &ns_a, "deployer-a", &ns_a).await;
    let token_b = account(&admin, &ns_a, "deployer-b", &ns_b).await;

    let dir = common::scratch(&common::unique("server"));
    let chart = common::write_chart(&dir, "srvchart", "0.1.0");
    // `many` ConfigMaps make an upgrade take long enough to overlap with another request.
    std::fs::write(
        chart.join("templates/many.yaml"),
        "{{- range $i := until (int (default 0 .Values.many)) }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ $.Release.Name }}-many-{{ $i }}\ndata:\n  v: {{ $.Values.data | quote }}\n{{- end }}\n",
    )
    .expect("write");
    let chart_b64 = common::chart_tgz_base64(&chart, &dir);

    let cfg = helm_kube::server::ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        kubeconfig: Some(env.kubeconfig.clone()),
        max_concurrent_per_caller: 8,
        ..Default::default()
    };
    let server = helm_kube::server::Server::bind(cfg).await.expect("bind");
    let url = format!("http://{}", server.local_addr().expect("addr"));
    tokio::spawn(server.run(std::future::pending::<()>()));
    Some(Fixture {
        dir,
        url,
        token_a,
        token_b,
        ns_a,
        ns_b,
        chart_b64,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_decides_and_concurrent_upgrades_are_serialized() {
    let Some(f) = fixture().await else { return };
    let post = reqwest::Method::POST;
    let install = |name: &str| json!({ "name": name, "chart": { "tgz_base64": f.chart_b64 }, "values": { "data": "v1" } });

    // No token: refused before anything reaches the cluster.
    let (st, body) = common::server_call(
        post.clone(),
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_a),
        None,
        Some(install("web")),
    )
    .await;
    assert_eq!(st, 401, "{body}");
    let (st, _) = common::server_call(
        reqwest::Method::GET,
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_a),
        Some("not-a-valid-token"),
        None,
    )
    .await;
    assert_eq!(st, 401, "the API server refuses an unknown token");

    // A installs in a, is refused in b; B the reverse.
    let (st, body) = common::server_call(
        post.clone(),
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_a),
        Some(&f.token_a),
        Some(install("web")),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["release"]["info"]["status"], "deployed");
    assert_eq!(body["release"]["version"], 1);
    let (st, body) = common::server_call(
        post.clone(),
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_b),
        Some(&f.token_a),
        Some(install("web")),
    )
    .await;
    assert_eq!(st, 403, "{body}");
    let msg = body["error"].as_str().unwrap_or("");
    assert!(
        msg.contains("is forbidden: User \"system:serviceaccount:") && msg.contains("deployer-a"),
        "Kubernetes' message passed through: {msg}"
    );
    // `async` requests are checked before the 202: a bad token is 401, a refusal 403.
    let install_async =
        |name: &str| json!({ "name": name, "chart": { "tgz_base64": f.chart_b64 }, "async": true });
    let (st, body) = common::server_call(
        post.clone(),
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_a),
        Some("not-a-valid-token"),
        Some(install_async("web2")),
    )
    .await;
    assert_eq!(st, 401, "{body}");
    let (st, body) = common::server_call(
        post.clone(),
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_b),
        Some(&f.token_a),
        Some(install_async("web2")),
    )
    .await;
    assert_eq!(st, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("forbidden"),
        "{body}"
    );
    let (st, body) = common::server_call(
        reqwest::Method::PUT,
        &format!("{}/v1/namespaces/{}/releases/web", f.url, f.ns_b),
        Some(&f.token_a),
        Some(json!({ "chart": { "tgz_base64": f.chart_b64 }, "async": true })),
    )
    .await;
    assert_eq!(st, 403, "{body}");
    let (st, body) = common::server_call(
        reqwest::Method::DELETE,
        &format!("{}/v1/namespaces/{}/releases/web?async=true", f.url, f.ns_b),
        Some("not-a-valid-token"),
        None,
    )
    .await;
    assert_eq!(st, 401, "{body}");
    let (st, body) = common::server_call(
        post.clone(),
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_b),
        Some(&f.token_b),
        Some(install("web")),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{}/v1/namespaces/{}/releases/web", f.url, f.ns_a),
        Some(&f.token_b),
        None,
    )
    .await;
    assert_eq!(st, 403, "{body}");
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{}/v1/namespaces/{}/releases", f.url, f.ns_b),
        Some(&f.token_b),
        None,
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["releases"].as_array().map(|a| a.len()), Some(1));

    // Reads through the server.
    let base = format!("{}/v1/namespaces/{}/releases/web", f.url, f.ns_a);
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{base}/values"),
        Some(&f.token_a),
        None,
    )
    .await;
    assert_eq!((st, body["values"].clone()), (200, json!({ "data": "v1" })));
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{base}/notes"),
        Some(&f.token_a),
        None,
    )
    .await;
    assert_eq!(
        (st, body["notes"].as_str()),
        (200, Some("Thanks for installing web.\n"))
    );
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{base}/manifest"),
        Some(&f.token_a),
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        body["manifest"]
            .as_str()
            .unwrap_or("")
            .contains("name: web-cm"),
        "{body}"
    );

    // Two upgrades at once: the first runs (async, 40 objects), the second gets 409.
    let upgrade = |data: &str, run_async: bool| json!({ "chart": { "tgz_base64": f.chart_b64 }, "values": { "data": data, "many": 40 }, "async": run_async });
    let (st, first) = common::server_call(
        reqwest::Method::PUT,
        &base,
        Some(&f.token_a),
        Some(upgrade("v2", true)),
    )
    .await;
    assert_eq!(st, 202, "{first}");
    let op = first["operation_id"]
        .as_str()
        .expect("operation id")
        .to_string();
    let (st, second) = common::server_call(
        reqwest::Method::PUT,
        &base,
        Some(&f.token_a),
        Some(upgrade("v3", false)),
    )
    .await;
    assert_eq!(st, 409, "{second}");
    assert_eq!(second["pending"]["status"], "pending-upgrade", "{second}");
    assert_eq!(second["pending"]["operation_id"], op.as_str());

    // The event feed of the first ends with done; it shows records, the hook and applied objects.
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/operations/{op}/events", f.url))
        .bearer_auth(&f.token_a)
        .send()
        .await
        .expect("events");
    assert_eq!(resp.status().as_u16(), 200);
    let feed = tokio::time::timeout(Duration::from_secs(60), resp.text())
        .await
        .expect("feed ends")
        .expect("feed");
    let phases: Vec<&str> = feed
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(phases.first(), Some(&"accepted"), "{feed}");
    assert_eq!(phases.last(), Some(&"done"), "{feed}");
    for p in ["rendering", "record", "hook", "apply"] {
        assert!(phases.contains(&p), "phase {p} in {phases:?}");
    }
    assert!(feed.contains("applied configmaps/web-many-39"), "{feed}");
    // Another caller cannot read it.
    let (st, _) = common::server_call(
        reqwest::Method::GET,
        &format!("{}/v1/operations/{op}", f.url),
        Some(&f.token_b),
        None,
    )
    .await;
    assert_eq!(st, 404);
    let (st, done) = common::server_call(
        reqwest::Method::GET,
        &format!("{}/v1/operations/{op}", f.url),
        Some(&f.token_a),
        None,
    )
    .await;
    assert_eq!(
        (st, done["http_status"].as_u64()),
        (200, Some(200)),
        "{done}"
    );

    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{base}/history"),
        Some(&f.token_a),
        None,
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let hist: Vec<(i64, String)> = body["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|r| {
            (
                r["version"].as_i64().unwrap_or(0),
                r["info"]["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        hist,
        vec![(1, "superseded".to_string()), (2, "deployed".to_string())]
    );

    // Rollback and uninstall through the server.
    let (st, body) = common::server_call(
        post.clone(),
        &format!("{base}/rollback"),
        Some(&f.token_a),
        Some(json!({ "revision": 1 })),
    )
    .await;
    assert_eq!(
        (st, body["release"]["version"].as_i64()),
        (200, Some(3)),
        "{body}"
    );
    let (st, body) = common::server_call(
        reqwest::Method::DELETE,
        &format!("{base}?keep_history=true"),
        Some(&f.token_a),
        None,
    )
    .await;
    assert_eq!(
        (st, body["release"]["info"]["status"].as_str()),
        (200, Some("uninstalled")),
        "{body}"
    );

    // The same through RemoteClient (helm_kube::Client's method names), as caller B.
    let tgz = base64::engine::general_purpose::STANDARD
        .decode(&f.chart_b64)
        .expect("b64");
    let remote = helm_kube::RemoteClient::new(&f.url, &f.token_b, Some(&f.ns_b)).expect("remote");
    let mut values = helm_core::Value::empty_map();
    helm_core::strvals::parse_set("data=remote", &mut values).expect("set");
    // The plan first: the server compares a dry run with the objects it sees; nothing changes.
    let plan = remote
        .plan(
            "web",
            ChartRef::Archive(tgz.clone()),
            &values,
            Default::default(),
        )
        .await
        .expect("remote plan");
    assert!(
        plan.changes
            .iter()
            .any(|c| c.kind == "ConfigMap" && c.lines.iter().any(|l| l.text.contains("remote"))),
        "{plan:?}"
    );
    assert_eq!(remote.history("web", None).await.expect("history").len(), 1);
    let rel = remote
        .upgrade(
            "web",
            ChartRef::Archive(tgz.clone()),
            &values,
            helm_kube::UpgradeOptions {
                max_history: 10,
                ..Default::default()
            },
        )
        .await
        .expect("remote upgrade");
    assert_eq!((rel.version, rel.status().as_str()), (2, "deployed"));
    let hist = remote.history("web", None).await.expect("history");
    assert_eq!(
        hist.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let vals = remote
        .get_values("web", None, 0, false)
        .await
        .expect("values");
    assert_eq!(
        helm_core::release::record::core_to_json(&vals),
        json!({ "data": "remote" })
    );
    assert_eq!(
        remote.list(Default::default()).await.expect("list").len(),
        1
    );
    assert!(remote
        .get_manifest("web", None, 0)
        .await
        .expect("manifest")
        .contains("value: \"remote\""));
    let (manifest, notes) = remote
        .template(&ChartRef::Archive(tgz.clone()), &values, "t", None)
        .await
        .expect("template");
    assert!(manifest.contains("name: t-cm") && notes == "Thanks for installing t.\n");
    match remote.get_release("web", Some(&f.ns_a), 0).await {
        Err(e @ helm_kube::Error::Server { status: 403, .. }) => {
            assert_eq!(e.kind(), ErrorKind::Forbidden);
            assert!(e.to_string().contains("is forbidden"), "{e}");
        }
        other => panic!("expected 403, got {:?}", other.map(|r| r.version)),
    }
    let un = remote
        .uninstall("web", helm_kube::UninstallOptions::default())
        .await
        .expect("uninstall");
    assert_eq!(un.release.status().as_str(), "uninstalled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_template_without_a_cluster() {
    // A server with no cluster still templates; body limits and bad input are 4xx.
    let dir = common::scratch("server-tpl");
    let chart = common::write_chart(&dir, "tplchart", "0.1.0");
    let b64 = common::chart_tgz_base64(&chart, &dir);
    let missing = dir.join("no-kubeconfig");
    std::fs::write(&missing, "not: a kubeconfig\n").expect("write");
    let cfg = helm_kube::server::ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        kubeconfig: Some(missing),
        max_body_bytes: 64 * 1024,
        ..Default::default()
    };
    let server = helm_kube::server::Server::bind(cfg).await.expect("bind");
    let url = format!("http://{}", server.local_addr().expect("addr"));
    tokio::spawn(server.run(std::future::pending::<()>()));

    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &format!("{url}/v1/template"),
        Some("t"),
        Some(json!({ "chart": { "tgz_base64": b64 }, "name": "x", "values": { "data": "hello" } })),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let manifest = body["manifest"].as_str().unwrap_or("");
    assert!(
        manifest.contains("# Source: tplchart/templates/cm.yaml")
            && manifest.contains("value: \"hello\""),
        "{manifest}"
    );
    assert_eq!(body["notes"], "Thanks for installing x.\n");
    let big = "x".repeat(100 * 1024);
    let (st, _) = common::server_call(
        reqwest::Method::POST,
        &format!("{url}/v1/template"),
        Some("t"),
        Some(json!({ "chart": { "tgz_base64": big } })),
    )
    .await;
    assert_eq!(st, 413);
    let (st, _) = common::server_call(
        reqwest::Method::POST,
        &format!("{url}/v1/template"),
        Some("t"),
        Some(json!({ "chart": { "tgz_base64": "!!" } })),
    )
    .await;
    assert_eq!(st, 400);
    let (st, _) = common::server_call(
        reqwest::Method::POST,
        &format!("{url}/v1/template"),
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(st, 401);
    let (st, body) = common::server_call(
        reqwest::Method::GET,
        &format!("{url}/openapi.json"),
        None,
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(body["openapi"], "3.0.3");
    let (st, _) =
        common::server_call(reqwest::Method::GET, &format!("{url}/healthz"), None, None).await;
    assert_eq!(st, 200);
}

/// A static file server on 127.0.0.1 (HTTP/1.0, GET only) for `dir`: a chart repository as
/// `helm repo index` leaves it on disk.
fn serve_dir(dir: std::path::PathBuf) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                        break;
                    }
                }
                let path = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/')
                    .to_string();
                let mut out = stream;
                match (!path.contains(".."))
                    .then(|| std::fs::read(dir.join(&path)))
                    .and_then(Result::ok)
                {
                    Some(data) => {
                        let _ = write!(
                            out,
                            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n",
                            data.len()
                        );
                        let _ = out.write_all(&data);
                    }
                    None => {
                        let _ = write!(out, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Debian's docker-registry on a free port over plain HTTP (None when not installed:
/// scripts/test.d/setup-repo.sh installs it).
fn start_registry(dir: &std::path::Path) -> Option<(std::process::Child, String)> {
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v docker-registry"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let bin = String::from_utf8_lossy(&found.stdout).trim().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let config = format!("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n", dir.join("data").display());
    std::fs::write(dir.join("config.yml"), config).expect("write");
    let mut child = std::process::Command::new(bin)
        .args(["serve", dir.join("config.yml").to_str().expect("utf8")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let host = format!("127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(&host).is_ok() {
            return Some((child, host));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("docker-registry did not start on {host}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_from_repositories_urls_and_registries() {
    let Some(f) = fixture().await else { return };
    use sha2::Digest;
    // A chart repository: index.yaml + the archive, served over HTTP on 127.0.0.1.
    let repo = f.dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let tgz = base64::engine::general_purpose::STANDARD
        .decode(&f.chart_b64)
        .expect("b64");
    std::fs::write(repo.join("srvchart-0.1.0.tgz"), &tgz).expect("write");
    let digest = hex::encode(sha2::Sha256::digest(&tgz));
    std::fs::write(
        repo.join("index.yaml"),
        format!("apiVersion: v1\nentries:\n  srvchart:\n  - apiVersion: v2\n    name: srvchart\n    version: 0.1.0\n    appVersion: \"1.0\"\n    digest: {digest}\n    urls:\n    - srvchart-0.1.0.tgz\ngenerated: \"2024-01-01T00:00:00Z\"\n"),
    )
    .expect("write");
    let repo_url = serve_dir(repo.clone());
    let releases = format!("{}/v1/namespaces/{}/releases", f.url, f.ns_a);

    // `helm install --repo URL srvchart --version 0.1.0` through the server.
    let body = json!({ "name": "fromrepo", "chart": { "repo_url": repo_url, "name": "srvchart", "version": "0.1.0" }, "values": { "data": "repo" } });
    let (st, body) = common::server_call(
        reqwest::Method::POST,
        &releases,
        Some(&f.token_a),
        Some(body),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["release"]["chart"]["metadata"]["name"], "srvchart");
    assert!(
        body["release"]["manifest"]
            .as_str()
            .unwrap_or("")
            .contains("value: \"repo\""),
        "{body}"
    );
    // A chart URL, for an upgrade.
    let body = json!({ "chart": { "ref": format!("{repo_url}/srvchart-0.1.0.tgz") }, "values": { "data": "url" } });
    let (st, body) = common::server_call(
        reqwest::Method::PUT,
        &format!("{releases}/fromrepo"),
        Some(&f.token_a),
        Some(body),
    )
    .await;
    assert_eq!(
        (st, body["release"]["version"].as_i64()),
        (200, Some(2)),
        "{body}"
    );
    // Not in the repository, a version that does not exist, bad references: 400 with the cause.
    for (chart, want) in [
        (
            json!({ "repo_url": repo_url, "name": "nochart" }),
            "nochart",
        ),
        (
            json!({ "repo_url": repo_url, "name": "srvchart", "version": "9.9.9" }),
            "9.9.9",
        ),
        (json!({ "ref": format!("{repo_url}/missing.tgz") }), "404"),
        (
            json!({ "ref": "file:///etc/passwd" }),
            "oci:// or http(s)://",
        ),
        (json!({ "repo_url": repo_url }), "chart.name"),
        (
            json!({ "ref": "oci://x/y", "tgz_base64": "" }),
            "exactly one",
        ),
    ] {
        let (st, body) = common::server_call(
            reqwest::Method::POST,
            &format!("{}/v1/template", f.url),
            Some(&f.token_a),
            Some(json!({ "chart": chart })),
        )
        .await;
        assert_eq!(st, 400, "{chart}: {body}");
        assert!(
            body["error"].as_str().unwrap_or("").contains(want),
            "{chart}: {body}"
        );
    }
    // RemoteClient with a repository reference.
    let remote = helm_kube::RemoteClient::new(&f.url, &f.token_a, Some(&f.ns_a)).expect("remote");
    let chart = ChartRef::Repo {
        repo_url: repo_url.clone(),
        name: "srvchart".into(),
        version: String::new(),
    };
    let (manifest, _) = remote
        .template(&chart, &helm_core::Value::empty_map(), "t", None)
        .await
        .expect("template");
    assert!(manifest.contains("name: t-cm"), "{manifest}");
    let rel = remote
        .upgrade(
            "fromrepo",
            chart.clone(),
            &helm_core::Value::empty_map(),
            helm_kube::UpgradeOptions {
                max_history: 10,
                ..Default::default()
            },
        )
        .await
        .expect("upgrade");
    assert_eq!(rel.version, 3);

    // An OCI registry (anonymous, plain HTTP on 127.0.0.1).
    let Some((mut registry, host)) = start_registry(&f.dir) else {
        println!("skipping the OCI part: docker-registry is not installed (scripts/test.d/setup-repo.sh)");
        return;
    };
    let o = helm_kube::repo::oci::OciOptions {
        plain_http: true,
        ..Default::default()
    };
    let archive = repo.join("srvchart-0.1.0.tgz");
    let remote_ref = format!("oci://{host}/charts");
    tokio::task::spawn_blocking(move || {
        helm_kube::repo::oci::push_chart(&archive, None, &remote_ref, &o).map(|_| ())
    })
    .await
    .expect("join")
    .expect("push");
    let chart = ChartRef::Reference {
        reference: format!("oci://{host}/charts/srvchart"),
        version: "0.1.0".into(),
        plain_http: true,
    };
    let mut values = helm_core::Value::empty_map();
    helm_core::strvals::parse_set("data=oci", &mut values).expect("set");
    let rel = remote
        .install(
            chart,
            &values,
            helm_kube::InstallOptions {
                name: Some("fromoci".into()),
                ..Default::default()
            },
        )
        .await
        .expect("install from oci");
    assert_eq!((rel.version, rel.chart_name()), (1, "srvchart"));
    assert!(rel.manifest.contains("value: \"oci\""));
    let (st, body) = common::server_call(reqwest::Method::POST, &releases, Some(&f.token_a), Some(json!({ "name": "nooci", "chart": { "ref": format!("oci://{host}/charts/srvchart"), "version": "7.0.0", "plain_http": true } }))).await;
    assert_eq!(st, 400, "{body}");
    let _ = registry.kill();
    let _ = registry.wait();
}
