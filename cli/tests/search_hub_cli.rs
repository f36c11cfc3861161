//! `search hub` against a hub served on 127.0.0.1 (Monocular's search API, Artifact Hub's
//! `packageUrl`), compared with Helm 4.1.4: the table, `--list-repo-url`, `--max-col-width`,
//! JSON (Go's HTML escaping) and YAML, no results, `--fail-on-no-result`, and the errors for an
//! endpoint without a host or not answering. The first case's expected text was printed by Helm.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};

const FOUND: &str = r#"{"data":[{"id":"stable/nginx","artifactHub":{"packageUrl":"https://artifacthub.io/packages/helm/x/nginx"},"attributes":{"name":"nginx","description":"NGINX <web> server & proxy, a long description that goes on and on past fifty characters","repo":{"name":"x","url":"https://charts.example.com/x"}},"relationships":{"latestChartVersion":{"data":{"version":"1.2.3","app_version":"1.25"}}}},{"id":"bitnami/redis","attributes":{"description":"Redis","repo":{"name":"bitnami","url":"https://charts.bitnami.com"}},"relationships":{"latestChartVersion":{"data":{"version":"20.0.0","app_version":"7.4"}}}}]}"#;

/// A hub answering every request with `body`; its URL. Requests must ask for the search path.
fn hub(body: &'static str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let ok = head.starts_with("GET /api/chartsvc/v1/charts/search?q=");
            let (status, body) = if ok {
                ("200 OK", body)
            } else {
                ("404 Not Found", "")
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn run(program: &std::path::Path, args: &[String]) -> (bool, String, String) {
    common::outcome(
        common::isolated(
            program,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .env("HOME", std::env::temp_dir().join("search-hub-home"))
        .env("HELM_ORACLE_CACHE", common::oracle_cache())
        .output()
        .expect("run"),
    )
}

#[test]
fn search_hub_like_helm() {
    let found = hub(FOUND);
    let empty = hub(r#"{"data":[]}"#);
    let cases: Vec<Vec<String>> = [
        format!("--endpoint {found} nginx"),
        format!("--endpoint {found} nginx --list-repo-url"),
        format!("--endpoint {found} --max-col-width 10 a b"),
        format!("--endpoint {found} nginx -o json"),
        format!("--endpoint {found} nginx -o yaml"),
        format!("--endpoint {empty} x"),
        format!("--endpoint {empty} x --fail-on-no-result"),
        format!("--endpoint {empty} x -o json"),
        "--endpoint foo x".to_string(),
        "--endpoint http://127.0.0.1:1 x".to_string(),
    ]
    .iter()
    .map(|c| {
        ["search", "hub"]
            .iter()
            .map(|s| s.to_string())
            .chain(c.split(' ').map(String::from))
            .collect()
    })
    .collect();
    let ours = std::path::PathBuf::from(env!("CARGO_BIN_EXE_helm-rs"));
    let first = run(&ours, &cases[0]);
    assert_eq!(
        first.1,
        format!("URL                                         \tCHART VERSION\tAPP VERSION\tDESCRIPTION                                       \nhttps://artifacthub.io/packages/helm/x/nginx\t1.2.3        \t1.25       \tNGINX <web> server & proxy, a long description ...\n{:<44}\t20.0.0       \t7.4        \tRedis                                             \n", format!("{found}/charts/bitnami/redis"))
    );
    let Some(helm) = common::oracle() else { return };
    for case in &cases {
        assert_eq!(run(&ours, case), run(&helm, case), "{case:?}");
    }
}
