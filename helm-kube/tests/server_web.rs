//! The release server's web view in a real browser: headless Chromium driven over the W3C
//! WebDriver protocol (chromedriver, spoken with reqwest) against a server on the kube test
//! environment. Releases are installed as the administrator; in the browser a caller signs in
//! with a ServiceAccount token, lists releases, opens one, its history and the diff of two
//! revisions (Secret values masked until asked), rolls back and upgrades (with the plan
//! preview) watching the operation's live feed, uninstalls with the typed-name confirmation,
//! signs out, and a caller without rights gets a 403 page with Kubernetes' message and no data.
//!
//! A screenshot of each page is saved under `$CARGO_TARGET_TMPDIR/web-screenshots/`. Skips
//! (printing why) when Chromium or chromedriver is absent (`scripts/test.d/setup-web.sh`
//! installs them) or the kube test environment is not built.

mod common;

use base64::Engine;
use helm_kube::ReleaseApi;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleRef, Subject};
use kube::api::{ObjectMeta, PostParams};
use kube::Api;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(program))
            .find(|f| f.is_file())
    })
}

/// A browser session of chromedriver (stopped, with its browser, on drop).
struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
    shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    async fn start(chromium: &Path, chromedriver: &Path) -> Option<Browser> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http client");
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
        std::fs::create_dir_all(&shots).expect("mkdir screenshots");
        let mut b = Browser {
            http,
            base,
            session: String::new(),
            driver,
            shots,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = b.http.get(format!("{}/status", b.base)).send().await {
                let v: Value = r.json().await.unwrap_or_default();
                if v["value"]["ready"] == true {
                    break;
                }
            }
            if Instant::now() > deadline {
                eprintln!("SKIP: chromedriver did not become ready");
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000", "--no-first-run", "--disable-extensions"]
            }
        }}});
        let r = b
            .http
            .post(format!("{}/session", b.base))
            .json(&caps)
            .send()
            .await
            .expect("new session");
        let v: Value = r.json().await.expect("session json");
        match v["value"]["sessionId"].as_str() {
            Some(id) => b.session = id.to_string(),
            None => {
                eprintln!("SKIP: chromedriver could not start Chromium: {v}");
                return None;
            }
        }
        Some(b)
    }

    /// One WebDriver command; its `value` (panics with the driver's error).
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, &url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("webdriver request");
        let status = resp.status();
        let v: Value = resp.json().await.expect("webdriver json");
        assert!(status.is_success(), "webdriver {path}: {status} {v}");
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        v[ELEMENT].as_str().expect("element id").to_string()
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn js(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// The text of the element `css` ("" when there is none).
    async fn text(&self, css: &str) -> String {
        let q = serde_json::to_string(css).expect("json");
        self.js(&format!(
            "var e = document.querySelector({q}); return e ? e.innerText : '';"
        ))
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    /// Waits (up to 60 s) until `script` returns true.
    async fn wait_for(&self, script: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let body = self.text("body").await;
                panic!(
                    "timed out waiting for {what}; page {}:\n{body}",
                    self.url().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for_element(&self, css: &str) {
        let q = serde_json::to_string(css).expect("json");
        self.wait_for(
            &format!("return document.readyState === 'complete' && !!document.querySelector({q});"),
            css,
        )
        .await;
    }

    /// Saves a screenshot of the page as NAME.png and prints its path.
    async fn shot(&self, name: &str) -> PathBuf {
        let b64 = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("base64"))
            .expect("png");
        let p = self.shots.join(format!("{name}.png"));
        std::fs::write(&p, png).expect("write screenshot");
        eprintln!("screenshot: {}", p.display());
        p
    }
}

fn meta(name: &str, ns: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: ns.map(String::from),
        ..Default::default()
    }
}

/// ServiceAccount `sa` in `ns` (bound to `cluster_role` cluster-wide when given); its token.
async fn account(admin: &kube::Client, ns: &str, sa: &str, cluster_role: Option<&str>) -> String {
    let sas = Api::<ServiceAccount>::namespaced(admin.clone(), ns);
    sas.create(
        &PostParams::default(),
        &ServiceAccount {
            metadata: meta(sa, Some(ns)),
            ..Default::default()
        },
    )
    .await
    .expect("service account");
    if let Some(role) = cluster_role {
        Api::<ClusterRoleBinding>::all(admin.clone())
            .create(
                &PostParams::default(),
                &ClusterRoleBinding {
                    metadata: meta(&format!("{ns}-{sa}"), None),
                    role_ref: RoleRef {
                        api_group: Some("rbac.authorization.k8s.io".into()),
                        kind: "ClusterRole".into(),
                        name: role.into(),
                    },
                    subjects: Some(vec![Subject {
                        kind: "ServiceAccount".into(),
                        name: sa.into(),
                        namespace: Some(ns.into()),
                        ..Default::default()
                    }]),
                },
            )
            .await
            .expect("binding");
    }
    let tr = TokenRequest {
        spec: Some(TokenRequestSpec {
            expiration_seconds: Some(3600),
            ..Default::default()
        }),
        ..Default::default()
    };
    sas.create_token_request(sa, &PostParams::default(), &tr)
        .await
        .expect("token request")
        .status
        .and_then(|s| s.token)
        .expect("token")
}

/// Whether `diff` has a line `sign` (`+`/`-`) whose text after the sign is `text` (indentation
/// aside).
fn has_line(diff: &str, sign: char, text: &str) -> bool {
    diff.lines()
        .any(|l| l.strip_prefix(sign).is_some_and(|rest| rest.trim() == text))
}

fn values(yaml: &str) -> helm_core::Value {
    helm_core::chart::loader::load_values(yaml).expect("values")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_view_in_a_browser() {
    let (Some(chromium), Some(chromedriver)) = (
        on_path("chromium").or_else(|| on_path("chromium-browser")),
        on_path("chromedriver"),
    ) else {
        eprintln!("SKIP: chromium and chromedriver are not installed (scripts/test.d/setup-web.sh installs them)");
        return;
    };
    let Some(env) = common::env() else { return };
    let admin = helm_kube::Client::new(helm_kube::ClientOptions {
        kubeconfig: Some(env.kubeconfig.clone()),
        ..Default::default()
    })
    .await
    .expect("client");
    let kadmin = admin.kube().clone();
    let ns = common::unique("web-ui");
    Api::<Namespace>::all(kadmin.clone())
        .create(
            &PostParams::default(),
            &Namespace {
                metadata: meta(&ns, None),
                ..Default::default()
            },
        )
        .await
        .expect("namespace");
    let operator = account(&kadmin, &ns, "operator", Some("cluster-admin")).await;
    let nobody = account(&kadmin, &ns, "nobody", None).await;

    // A chart with a Secret and a Deployment, packaged; two revisions of `web`, one of `other`.
    let dir = common::scratch(&common::unique("web"));
    let chart = common::write_chart(&dir, "webchart", "0.1.0");
    std::fs::write(
        chart.join("templates/secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-secret\ntype: Opaque\ndata:\n  password: {{ .Values.password | default \"s3cret-one\" | b64enc }}\n",
    )
    .expect("write");
    // A Deployment that never becomes ready (no nodes): its readiness shows as 0/1.
    std::fs::write(
        chart.join("templates/deploy.yaml"),
        common::UNREADY_DEPLOYMENT,
    )
    .expect("write");
    let tgz_path = helm_core::chart::package::package_dir(
        &chart,
        &helm_core::chart::package::PackageOptions {
            version: None,
            app_version: None,
            destination: dir.clone(),
        },
    )
    .expect("package");
    let tgz = std::fs::read(&tgz_path).expect("read tgz");
    let install = |name: &str| helm_kube::InstallOptions {
        name: Some(name.into()),
        namespace: Some(ns.clone()),
        ..Default::default()
    };
    for name in ["web", "other"] {
        admin
            .install(
                helm_kube::ChartRef::Archive(tgz.clone()),
                &values("data: v1\n"),
                install(name),
            )
            .await
            .expect("install");
    }
    let upgraded = admin
        .upgrade(
            "web",
            helm_kube::ChartRef::Archive(tgz.clone()),
            &values("data: v2\npassword: s3cret-two\n"),
            helm_kube::UpgradeOptions {
                namespace: Some(ns.clone()),
                max_history: 10,
                ..Default::default()
            },
        )
        .await
        .expect("upgrade");
    assert_eq!(upgraded.version, 2);

    let cfg = helm_kube::server::ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        kubeconfig: Some(env.kubeconfig.clone()),
        ..Default::default()
    };
    let server = helm_kube::server::Server::bind(cfg).await.expect("bind");
    let url = format!("http://{}", server.local_addr().expect("addr"));
    tokio::spawn(server.run(std::future::pending::<()>()));

    let started = Instant::now();
    let Some(b) = Browser::start(&chromium, &chromedriver).await else {
        return;
    };
    let step = |what: &str| eprintln!("[{:>5.1}s] {what}", started.elapsed().as_secs_f32());
    let web = format!("{url}/ui/namespaces/{ns}/releases/web");

    // Signed out, `/` leads to the sign-in page; a token Kubernetes does not know is refused.
    step("sign in");
    b.goto(&format!("{url}/")).await;
    b.wait_for_element("#token").await;
    assert!(b.url().await.ends_with("/ui/login"), "{}", b.url().await);
    b.type_into("#token", "not-a-token").await;
    b.click("#signin").await;
    b.wait_for_element("#error-message").await;
    assert!(
        b.text("#error-message").await.contains("refused the token"),
        "{}",
        b.text("body").await
    );
    b.type_into("#token", &operator).await;
    b.shot("01-sign-in").await;
    b.click("#signin").await;
    b.wait_for_element("#releases").await;

    // The session cookie: HttpOnly, SameSite=Strict, invisible to the page's scripts.
    let cookies = b.cmd(reqwest::Method::GET, "/cookie", None).await;
    let token_cookie = cookies
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "helm_rs_token"))
        .cloned()
        .expect("token cookie");
    assert_eq!(
        (&token_cookie["httpOnly"], token_cookie["sameSite"].as_str()),
        (&Value::Bool(true), Some("Strict"))
    );
    assert_eq!(
        b.js("return document.cookie.includes('helm_rs_token');")
            .await,
        false
    );
    assert!(
        b.text("#who")
            .await
            .contains(&format!("system:serviceaccount:{ns}:operator")),
        "{}",
        b.text("#who").await
    );

    // The list across namespaces: both releases with their status, revision and chart.
    step("releases");
    let list = b.text("#releases").await;
    let row = list
        .lines()
        .find(|l| l.starts_with("web\t") || l.starts_with("web "))
        .unwrap_or_else(|| panic!("no row for web in:\n{list}"));
    assert!(
        row.contains(&ns)
            && row.contains("deployed")
            && row.contains("webchart-0.1.0")
            && row.contains("\t2\t"),
        "{row:?}"
    );
    assert!(list.contains("other"), "{list}");
    b.shot("02-releases").await;

    // The release: status, resources with readiness, notes, hooks.
    step("release");
    b.goto(&format!("{url}/ui/namespaces/{ns}/releases")).await;
    b.wait_for_element("#releases").await;
    b.js("document.querySelector('a.release-link[href$=\"/web\"]').click(); return true;")
        .await;
    b.wait_for_element("#resources").await;
    assert_eq!(b.text("#release-revision").await, "2");
    assert_eq!(b.text("#release-status").await, "deployed");
    let resources = b.text("#resources").await;
    assert!(
        resources.contains("web-cm")
            && resources.contains("web-svc")
            && resources.contains("web-secret"),
        "{resources}"
    );
    assert!(b
        .text("#notes")
        .await
        .contains("Thanks for installing web."));
    assert!(
        b.text("#hooks").await.contains("web-hook"),
        "{}",
        b.text("#hooks").await
    );
    b.shot("03-release").await;

    // History, and the diff of revisions 1 and 2 chosen in its form: the ConfigMap's change,
    // the Secret masked, the values' change.
    step("history and diff");
    b.click("#tab-history").await;
    b.wait_for_element("#history").await;
    let history = b.text("#history").await;
    assert!(
        history.contains("Upgrade complete") && history.contains("Install complete"),
        "{history}"
    );
    b.shot("04-history").await;
    b.js("document.getElementById('diff-from').value = '1'; document.getElementById('diff-to').value = '2'; return true;").await;
    b.click("#diff-submit").await;
    b.wait_for_element("#manifest-diff").await;
    let d = b.text("#manifest-diff").await;
    assert!(
        has_line(&d, '-', "value: \"v1\"") && has_line(&d, '+', "value: \"v2\""),
        "{d}"
    );
    assert!(
        d.contains(&format!("{ns}, web-secret, Secret (v1) has changed")),
        "{d}"
    );
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    assert!(
        !d.contains(&b64("s3cret-one"))
            && !d.contains(&b64("s3cret-two"))
            && has_line(&d, '-', "password: '-------- # (10 bytes)'"),
        "secrets are masked by default: {d}"
    );
    let vd = b.text("#values-diff").await;
    assert!(
        has_line(&vd, '-', "data: v1") && has_line(&vd, '+', "data: v2"),
        "{vd}"
    );
    b.shot("05-diff").await;
    b.click("#secrets-toggle").await;
    b.wait_for(
        "return !!document.getElementById('manifest-diff') && location.search.includes('secrets=show');",
        "the diff with secrets",
    )
    .await;
    let d = b.text("#manifest-diff").await;
    assert!(d.contains(&b64("s3cret-two")), "shown when asked: {d}");

    // The manifest: Secrets masked unless asked.
    b.goto(&format!("{web}/manifest")).await;
    b.wait_for_element("#manifest").await;
    let m = b.text("#manifest").await;
    assert!(
        m.contains("password: REDACTED # (10 bytes)")
            && !m.contains(&b64("s3cret-two"))
            && m.contains("web-cm"),
        "{m}"
    );

    // A form posted without this session's CSRF token changes nothing.
    step("csrf");
    let token_value = token_cookie["value"].as_str().expect("cookie value");
    let resp = reqwest::Client::new()
        .post(format!("{web}/rollback"))
        .header("cookie", format!("helm_rs_token={token_value}"))
        .form(&[("revision", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 403);
    let resp = reqwest::Client::new()
        .post(format!("{web}/rollback"))
        .header("cookie", format!("helm_rs_token={token_value}"))
        .header("origin", "http://evil.example")
        .form(&[("revision", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(
        admin
            .history("web", Some(&ns))
            .await
            .expect("history")
            .len(),
        2
    );

    // Roll back to 1 from the history: confirmation with what changes, then the operation's
    // live feed until done, and revision 3 on the release page.
    step("rollback");
    b.goto(&format!("{web}/history")).await;
    b.wait_for_element("#rollback-1").await;
    b.click("#rollback-1").await;
    b.wait_for_element("#confirm-rollback").await;
    assert!(has_line(
        &b.text("#rollback-diff").await,
        '-',
        "value: \"v2\""
    ));
    b.shot("06-rollback-confirm").await;
    b.click("#confirm-rollback").await;
    b.wait_for_element("#feed").await;
    assert!(
        b.url().await.contains("/ui/operations/op-"),
        "{}",
        b.url().await
    );
    b.wait_for(
        "return document.getElementById('op-state').textContent === 'done';",
        "the rollback's feed to end",
    )
    .await;
    let feed = b.text("#feed").await;
    assert!(
        feed.contains("record") && feed.contains("done") && feed.contains("revision 3"),
        "{feed}"
    );
    b.shot("07-rollback-feed").await;
    b.click("#back-to-release").await;
    b.wait_for_element("#release-revision").await;
    assert_eq!(b.text("#release-revision").await, "3");
    let rel = admin
        .get_release("web", Some(&ns), 0)
        .await
        .expect("release");
    assert_eq!(
        (
            rel.version,
            rel.status().as_str(),
            rel.info.clone().unwrap_or_default().description.as_str()
        ),
        (3, "deployed", "Rollback to 1")
    );

    // Upgrade: upload the chart with new values, see the plan (against the live objects, as
    // the API plans), confirm, follow the feed.
    step("upgrade");
    b.click("#tab-upgrade").await;
    b.wait_for_element("#chart").await;
    b.type_into("#chart", tgz_path.to_str().expect("utf-8 path"))
        .await;
    b.type_into("#values", "data: v4\n").await;
    b.click("#preview-upgrade").await;
    b.wait_for_element("#upgrade-plan").await;
    let plan = b.text("#upgrade-plan").await;
    assert!(
        has_line(&plan, '+', "value: v4") && has_line(&plan, '-', "value: v1"),
        "{plan}"
    );
    assert_eq!(
        admin
            .history("web", Some(&ns))
            .await
            .expect("history")
            .len(),
        3,
        "a plan changes nothing"
    );
    b.shot("08-upgrade-plan").await;
    b.click("#confirm-upgrade").await;
    b.wait_for_element("#feed").await;
    b.wait_for(
        "return document.getElementById('op-state').textContent === 'done';",
        "the upgrade's feed to end",
    )
    .await;
    let feed = b.text("#feed").await;
    assert!(
        feed.contains("apply") && feed.contains("revision 4"),
        "{feed}"
    );
    b.shot("09-upgrade-feed").await;
    let rel = admin
        .get_release("web", Some(&ns), 0)
        .await
        .expect("release");
    assert_eq!((rel.version, rel.status().as_str()), (4, "deployed"));
    assert!(rel.manifest.contains("value: \"v4\""));

    // Uninstall `other`: a wrong name is refused, the right one uninstalls.
    step("uninstall");
    b.goto(&format!(
        "{url}/ui/namespaces/{ns}/releases/other/uninstall"
    ))
    .await;
    b.wait_for_element("#confirm-name").await;
    b.type_into("#confirm-name", "web").await;
    b.click("#confirm-uninstall").await;
    b.wait_for_element("#error-message").await;
    assert!(b.text("#error-message").await.contains("does not match"));
    assert!(admin.get_release("other", Some(&ns), 0).await.is_ok());
    b.goto(&format!(
        "{url}/ui/namespaces/{ns}/releases/other/uninstall"
    ))
    .await;
    b.wait_for_element("#confirm-name").await;
    b.shot("10-uninstall-confirm").await;
    b.type_into("#confirm-name", "other").await;
    b.click("#confirm-uninstall").await;
    b.wait_for_element("#feed").await;
    b.wait_for(
        "return document.getElementById('op-state').textContent === 'done';",
        "the uninstall's feed to end",
    )
    .await;
    assert!(admin.get_release("other", Some(&ns), 0).await.is_err());

    // Sign out: the session is gone.
    step("sign out");
    b.goto(&format!("{url}/ui/releases")).await;
    b.wait_for_element("#signout").await;
    b.click("#signout").await;
    b.wait_for_element("#token").await;
    b.goto(&format!("{url}/ui/releases")).await;
    b.wait_for_element("#token").await;
    assert!(b.url().await.ends_with("/ui/login"));

    // A caller without rights: 403 with Kubernetes' message, no release data.
    step("no rights");
    b.type_into("#token", &nobody).await;
    b.click("#signin").await;
    b.wait_for_element("#error-message").await;
    let body = b.text("body").await;
    let msg = b.text("#error-message").await;
    assert!(
        msg.contains("forbidden") && msg.contains(&format!("system:serviceaccount:{ns}:nobody")),
        "{msg}"
    );
    assert!(!body.contains("webchart"), "{body}");
    b.shot("11-forbidden-list").await;
    b.goto(&web).await;
    b.wait_for_element("#error-message").await;
    let body = b.text("body").await;
    assert!(
        body.contains("Forbidden (403)")
            && !body.contains("webchart")
            && !body.contains("Thanks for installing"),
        "{body}"
    );
    b.shot("12-forbidden-release").await;
    step("done");
    let _ = b.cmd(reqwest::Method::DELETE, "", None).await;
}
