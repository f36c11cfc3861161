//! [`RemoteClient`]: the [`ReleaseApi`] sent to a `helm-rs serve` server instead of the cluster
//! (reqwest over rustls). Charts travel as packaged archives, since the server must not read
//! the caller's paths, or as references the server downloads itself ([`ChartRef`]). Option
//! structs are the request bodies as they are; the server's errors come back with their kind.

use crate::api::{ChartSource, ReleaseApi};
use crate::error::{Error, Result};
use helm_core::release::api::{
    ChartRef, ErrorKind, InstallOptions, ListOptions, RecoverOptions, RollbackOptions,
    UninstallOptions, UninstallResult, UpgradeOptions,
};
use helm_core::release::plan::Plan;
use helm_core::release::record::{core_to_json, json_to_core};
use helm_core::release::Release;
use helm_core::values::Value;
use serde_json::{json, Value as J};
use std::future::Future;
use std::time::Duration;

/// A connection to a release server, acting with `token` (the caller's Kubernetes token).
#[derive(Clone)]
pub struct RemoteClient {
    http: reqwest::Client,
    base: String,
    token: String,
    namespace: String,
}

fn values_json(v: &Value) -> J {
    match core_to_json(v) {
        J::Object(m) => J::Object(m),
        _ => json!({}),
    }
}

fn release_of(body: &J) -> Result<Release> {
    serde_json::from_value(body.get("release").cloned().unwrap_or(J::Null))
        .map_err(|e| Error::Decode(e.to_string()))
}

/// An options struct as a request body, with the chart and values beside its fields.
/// A post-renderer is a function or process of the caller: it cannot travel in a request.
fn local_post_renderer(step: &helm_core::render::PostRenderStep) -> Result<()> {
    match step.0 {
        Some(_) => Err(Error::invalid(
            "a post-renderer runs where the release is rendered: it cannot be used with a release server (--server)",
        )),
        None => Ok(()),
    }
}

fn body_of<T: serde::Serialize>(opts: &T, extra: &[(&str, J)]) -> Result<J> {
    let mut body = serde_json::to_value(opts).map_err(|e| Error::Decode(e.to_string()))?;
    if let J::Object(m) = &mut body {
        for (k, v) in extra {
            m.insert(k.to_string(), v.clone());
        }
    }
    Ok(body)
}

/// `s` as one URL query value (`application/x-www-form-urlencoded`, as the server decodes it).
fn query_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The error a server's error answer stands for: the kind it names (older servers send none:
/// then the HTTP status decides).
fn server_error(status: u16, body: &J, text: &str) -> Error {
    let kind = body
        .get("kind")
        .and_then(|k| k.as_str())
        .and_then(ErrorKind::parse)
        .unwrap_or_else(|| ErrorKind::from_http_status(status));
    let location = body
        .get("location")
        .and_then(|l| serde_json::from_value(l.clone()).ok());
    Error::Server {
        status,
        kind,
        message: body["error"].as_str().unwrap_or(text).to_string(),
        pending: body.get("pending").cloned(),
        location,
    }
}

/// How long a client follows the record of a release whose operation runs on another
/// replica before giving up (longer than an operation's default timeout, 5 minutes, with its
/// hooks).
const FOLLOW_RECORD_LIMIT: Duration = Duration::from_secs(15 * 60);

impl RemoteClient {
    /// `url`: `http(s)://host:port`; `namespace`: the default for actions (None: `default`).
    pub fn new(url: &str, token: &str, namespace: Option<&str>) -> Result<RemoteClient> {
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| Error::Transport(e.to_string()))?;
        Ok(RemoteClient {
            http,
            base: url.trim_end_matches('/').to_string(),
            token: token.to_string(),
            namespace: namespace
                .filter(|n| !n.is_empty())
                .unwrap_or("default")
                .to_string(),
        })
    }

    fn ns(&self, ns: Option<&str>) -> String {
        ns.filter(|n| !n.is_empty())
            .map(String::from)
            .unwrap_or_else(|| self.namespace.clone())
    }

    fn rel_url(&self, ns: &str, name: &str) -> String {
        format!("{}/v1/namespaces/{ns}/releases/{name}", self.base)
    }

    /// One request: the status, the body's text and the body as JSON.
    async fn exchange(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<J>,
    ) -> Result<(u16, String, J)> {
        let mut req = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| Error::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .map_err(|e| Error::Transport(e.to_string()))?;
        let body: J =
            serde_json::from_str(&text).map_err(|e| Error::Decode(format!("{e}: {text}")))?;
        Ok((status, text, body))
    }

    async fn send(&self, method: reqwest::Method, url: &str, body: Option<J>) -> Result<J> {
        let (status, text, body) = self.exchange(method, url, body).await?;
        if status == 202 {
            // Still running past the server's request timeout: follow the operation.
            return self.follow(&body).await;
        }
        if status >= 400 {
            return Err(server_error(status, &body, &text));
        }
        Ok(body)
    }

    /// Polls an operation (from a 202 answer) until it ends; its result as if the request had
    /// waited. Behind a Service, the poll may reach another replica than the one running the
    /// operation, which answers 404 naming that replica: the release's record is then followed
    /// instead, which every replica reads from the cluster.
    async fn follow(&self, accepted: &J) -> Result<J> {
        let id = accepted["operation_id"].as_str().unwrap_or("");
        loop {
            let url = format!("{}/v1/operations/{id}", self.base);
            let resp = self
                .http
                .get(&url)
                .bearer_auth(&self.token)
                .send()
                .await
                .map_err(|e| Error::Transport(e.to_string()))?;
            let op: J = resp
                .json()
                .await
                .map_err(|e| Error::Decode(e.to_string()))?;
            if op["done"] == true {
                let status = op["http_status"].as_u64().unwrap_or(500) as u16;
                let result = op["result"].clone();
                if status >= 400 {
                    return Err(server_error(status, &result, ""));
                }
                return Ok(result);
            }
            if op.get("replica").is_some() && op.get("error").is_some() {
                if let (Some(ns), Some(name), Some(kind)) = (
                    accepted["namespace"].as_str(),
                    accepted["release"].as_str(),
                    accepted["kind"].as_str(),
                ) {
                    let replica = op["replica"].as_str().unwrap_or("");
                    let started = accepted["started"]
                        .as_str()
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
                    return self.follow_record(ns, name, kind, replica, started).await;
                }
            }
            if op.get("error").is_some() {
                return Err(server_error(404, &op, ""));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Polls a release's latest record until it is no longer pending: the outcome of an
    /// operation of `kind` that another replica runs. A failed revision is the operation's
    /// error (its description, as recorded); an uninstall ends when the record is gone or
    /// `uninstalled`. A record still pending after [`FOLLOW_RECORD_LIMIT`] is given up on: the
    /// replica that ran the operation may be gone, and only `recover` ends that.
    ///
    /// Only a revision written since the operation `started` is its outcome (both times come
    /// from the clock of the replica running it); an uninstall ends on the record's status.
    async fn follow_record(
        &self,
        ns: &str,
        name: &str,
        kind: &str,
        replica: &str,
        started: Option<chrono::DateTime<chrono::FixedOffset>>,
    ) -> Result<J> {
        let mut last: Option<J> = None;
        let give_up = tokio::time::Instant::now() + FOLLOW_RECORD_LIMIT;
        let no_record_until = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (status, text, body) = self
                .exchange(reqwest::Method::GET, &self.rel_url(ns, name), None)
                .await?;
            if status == 404 && kind == "uninstall" {
                let mut rel = last.map(|b| b["release"].clone()).unwrap_or(J::Null);
                if let Some(info) = rel.get_mut("info") {
                    info["status"] = "uninstalled".into();
                }
                return Ok(json!({ "release": rel, "kept": false }));
            }
            // An operation writes its revision after rendering: until then there is none (or
            // only older ones). One that failed before storing anything leaves none, and its
            // error is known only to the replica that ran it.
            let older = |b: &J| {
                let written = b
                    .pointer("/release/info/last_deployed")
                    .and_then(|t| t.as_str())
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
                kind != "uninstall" && matches!((written, started), (Some(w), Some(s)) if w < s)
            };
            let status = if status == 200 && last.is_none() && older(&body) {
                404
            } else {
                status
            };
            if status == 404 && last.is_none() && tokio::time::Instant::now() < no_record_until {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            if status == 404 && last.is_none() {
                return Err(Error::Server {
                    status: 404,
                    kind: ErrorKind::NotFound,
                    message: format!("release {ns}/{name} has no record: its {kind} ran on replica {replica} and stored nothing (its error is known to that replica only)"),
                    pending: None,
                    location: None,
                });
            }
            if status >= 400 {
                return Err(server_error(status, &body, &text));
            }
            let st = body
                .pointer("/release/info/status")
                .and_then(|s| s.as_str());
            match st {
                Some(s) if s.starts_with("pending-") || s == "uninstalling" => {}
                // Not yet begun (or left `uninstalling` by a failure: given up on below).
                Some(s) if kind == "uninstall" && s != "uninstalled" => {}
                Some("failed") => {
                    let why = body
                        .pointer("/release/info/description")
                        .and_then(|d| d.as_str())
                        .unwrap_or("failed");
                    return Err(Error::Server {
                        status: 500,
                        kind: ErrorKind::Failed,
                        message: format!("release {name} failed: {why}"),
                        pending: None,
                        location: None,
                    });
                }
                Some("uninstalled") => {
                    return Ok(json!({ "release": body["release"], "kept": true }))
                }
                _ => return Ok(body),
            }
            if tokio::time::Instant::now() >= give_up {
                return Err(Error::Server {
                    status: 409,
                    kind: ErrorKind::Pending,
                    message: format!(
                        "release {ns}/{name} is still {}: its {kind} ran on replica {replica}, which no longer reports it; `helm-rs recover` marks a stale pending revision failed",
                        st.unwrap_or("pending")
                    ),
                    pending: body.pointer("/release/info/status").map(|s| json!({ "status": s })),
                    location: None,
                });
            }
            last = Some(body);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// `helm get manifest`.
    pub async fn get_manifest(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
    ) -> Result<String> {
        let ns = self.ns(namespace);
        let body = self
            .send(
                reqwest::Method::GET,
                &format!("{}/manifest?revision={revision}", self.rel_url(&ns, name)),
                None,
            )
            .await?;
        Ok(body["manifest"].as_str().unwrap_or("").to_string())
    }

    /// `helm get notes`.
    pub async fn get_notes(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
    ) -> Result<String> {
        let ns = self.ns(namespace);
        let body = self
            .send(
                reqwest::Method::GET,
                &format!("{}/notes?revision={revision}", self.rel_url(&ns, name)),
                None,
            )
            .await?;
        Ok(body["notes"].as_str().unwrap_or("").to_string())
    }

    /// `helm template` on the server: (manifest text as `helm template` prints it, notes).
    pub async fn template(
        &self,
        chart: &ChartRef,
        values: &Value,
        name: &str,
        namespace: Option<&str>,
    ) -> Result<(String, String)> {
        let body = json!({ "chart": ChartSource::json_of(chart)?, "values": values_json(values), "name": name, "namespace": self.ns(namespace) });
        let out = self
            .send(
                reqwest::Method::POST,
                &format!("{}/v1/template", self.base),
                Some(body),
            )
            .await?;
        Ok((
            out["manifest"].as_str().unwrap_or("").to_string(),
            out["notes"].as_str().unwrap_or("").to_string(),
        ))
    }

    async fn do_install(
        &self,
        chart: ChartRef,
        values: &Value,
        opts: InstallOptions,
    ) -> Result<Release> {
        local_post_renderer(&opts.post_renderer)?;
        let ns = self.ns(opts.namespace.as_deref());
        let body = body_of(
            &opts,
            &[
                ("chart", ChartSource::json_of(&chart)?),
                ("values", values_json(values)),
            ],
        )?;
        release_of(
            &self
                .send(
                    reqwest::Method::POST,
                    &format!("{}/v1/namespaces/{ns}/releases", self.base),
                    Some(body),
                )
                .await?,
        )
    }

    async fn do_upgrade(
        &self,
        name: &str,
        chart: ChartRef,
        values: &Value,
        opts: UpgradeOptions,
    ) -> Result<Release> {
        let (url, body) = self.upgrade_request(name, &chart, values, &opts)?;
        release_of(&self.send(reqwest::Method::PUT, &url, Some(body)).await?)
    }

    /// `POST …/plan`: the server runs the upgrade as a dry run and compares it with the live
    /// objects it sees.
    async fn do_plan(
        &self,
        name: &str,
        chart: ChartRef,
        values: &Value,
        opts: UpgradeOptions,
    ) -> Result<Plan> {
        let (url, body) = self.upgrade_request(name, &chart, values, &opts)?;
        let answer = self
            .send(reqwest::Method::POST, &format!("{url}/plan"), Some(body))
            .await?;
        serde_json::from_value(answer.get("plan").cloned().unwrap_or(J::Null))
            .map_err(|e| Error::Decode(e.to_string()))
    }

    /// The release's URL and an upgrade's body (the options with the chart and values).
    fn upgrade_request(
        &self,
        name: &str,
        chart: &ChartRef,
        values: &Value,
        opts: &UpgradeOptions,
    ) -> Result<(String, J)> {
        local_post_renderer(&opts.post_renderer)?;
        let ns = self.ns(opts.namespace.as_deref());
        let body = body_of(
            opts,
            &[
                ("chart", ChartSource::json_of(chart)?),
                ("values", values_json(values)),
            ],
        )?;
        Ok((self.rel_url(&ns, name), body))
    }

    async fn do_rollback(&self, name: &str, opts: RollbackOptions) -> Result<Release> {
        let ns = self.ns(opts.namespace.as_deref());
        let body = body_of(&opts, &[])?;
        release_of(
            &self
                .send(
                    reqwest::Method::POST,
                    &format!("{}/rollback", self.rel_url(&ns, name)),
                    Some(body),
                )
                .await?,
        )
    }

    async fn do_uninstall(&self, name: &str, opts: UninstallOptions) -> Result<UninstallResult> {
        let ns = self.ns(opts.namespace.as_deref());
        let mut url = format!(
            "{}?keep_history={}&dry_run={}&no_hooks={}&wait={}",
            self.rel_url(&ns, name),
            opts.keep_history,
            opts.dry_run,
            opts.no_hooks,
            opts.wait
        );
        if let Some(t) = opts.timeout {
            url.push_str(&format!("&timeout_seconds={}", t.as_secs()));
        }
        if let Some(d) = &opts.description {
            url.push_str(&format!("&description={}", query_escape(d)));
        }
        if let Some(c) = &opts.cascade {
            url.push_str(&format!("&cascade={}", query_escape(c)));
        }
        let body = self.send(reqwest::Method::DELETE, &url, None).await?;
        let kept = body["kept"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Ok(UninstallResult {
            release: release_of(&body)?,
            kept,
        })
    }

    async fn do_status(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        resources: Option<bool>,
    ) -> Result<Release> {
        let ns = self.ns(namespace);
        let mut url = format!("{}?revision={revision}", self.rel_url(&ns, name));
        if let Some(table) = resources {
            url.push_str(if table {
                "&resources=table"
            } else {
                "&resources=objects"
            });
        }
        release_of(&self.send(reqwest::Method::GET, &url, None).await?)
    }

    async fn do_history(&self, name: &str, namespace: Option<&str>) -> Result<Vec<Release>> {
        let ns = self.ns(namespace);
        let body = self
            .send(
                reqwest::Method::GET,
                &format!("{}/history", self.rel_url(&ns, name)),
                None,
            )
            .await?;
        serde_json::from_value(body["history"].clone()).map_err(|e| Error::Decode(e.to_string()))
    }

    async fn do_list(&self, opts: ListOptions) -> Result<Vec<Release>> {
        let mut url = if opts.all_namespaces {
            format!("{}/v1/releases", self.base)
        } else {
            format!(
                "{}/v1/namespaces/{}/releases",
                self.base,
                self.ns(opts.namespace.as_deref())
            )
        };
        url.push_str(&format!("?all={}", opts.all));
        if !opts.states.is_empty() {
            url.push_str(&format!(
                "&states={}",
                opts.states
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        if let Some(f) = &opts.filter {
            url.push_str(&format!("&filter={}", query_escape(f)));
        }
        let body = self.send(reqwest::Method::GET, &url, None).await?;
        serde_json::from_value(body["releases"].clone()).map_err(|e| Error::Decode(e.to_string()))
    }

    async fn do_get_values(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        all: bool,
    ) -> Result<Value> {
        let ns = self.ns(namespace);
        let body = self
            .send(
                reqwest::Method::GET,
                &format!(
                    "{}/values?revision={revision}&all={all}",
                    self.rel_url(&ns, name)
                ),
                None,
            )
            .await?;
        Ok(json_to_core(&body["values"]))
    }

    async fn do_test(
        &self,
        name: &str,
        namespace: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<Release> {
        let ns = self.ns(namespace);
        let body = json!({ "timeout_seconds": timeout.map(|t| t.as_secs()) });
        release_of(
            &self
                .send(
                    reqwest::Method::POST,
                    &format!("{}/test", self.rel_url(&ns, name)),
                    Some(body),
                )
                .await?,
        )
    }

    async fn do_recover(&self, name: &str, opts: RecoverOptions) -> Result<Release> {
        let ns = self.ns(opts.namespace.as_deref());
        let body = serde_json::to_value(&opts).map_err(|e| Error::invalid(e.to_string()))?;
        release_of(
            &self
                .send(
                    reqwest::Method::POST,
                    &format!("{}/recover", self.rel_url(&ns, name)),
                    Some(body),
                )
                .await?,
        )
    }

    async fn do_reachable(&self) -> Result<()> {
        let body = self
            .send(reqwest::Method::GET, &format!("{}/readyz", self.base), None)
            .await?;
        if body["cluster"] == false {
            return Err(Error::Server {
                status: 503,
                kind: ErrorKind::Cluster,
                message: "the release server has no cluster configured".into(),
                pending: None,
                location: None,
            });
        }
        Ok(())
    }
}

impl ReleaseApi for RemoteClient {
    fn namespace(&self) -> &str {
        &self.namespace
    }

    fn reachable(&self) -> impl Future<Output = Result<()>> + Send {
        self.do_reachable()
    }

    fn local_chart(&self, path: &std::path::Path) -> Result<ChartRef> {
        if !path.exists() {
            return Err(Error::Chart(format!(
                "path {:?} not found",
                path.display().to_string()
            )));
        }
        crate::api::chart_archive(path).map(ChartRef::Archive)
    }

    fn install(
        &self,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: InstallOptions,
    ) -> impl Future<Output = Result<Release>> + Send {
        self.do_install(chart.into(), values, opts)
    }

    fn upgrade(
        &self,
        name: &str,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: UpgradeOptions,
    ) -> impl Future<Output = Result<Release>> + Send {
        self.do_upgrade(name, chart.into(), values, opts)
    }

    fn plan(
        &self,
        name: &str,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: UpgradeOptions,
    ) -> impl Future<Output = Result<Plan>> + Send {
        self.do_plan(name, chart.into(), values, opts)
    }

    fn rollback(
        &self,
        name: &str,
        opts: RollbackOptions,
    ) -> impl Future<Output = Result<Release>> + Send {
        self.do_rollback(name, opts)
    }

    fn uninstall(
        &self,
        name: &str,
        opts: UninstallOptions,
    ) -> impl Future<Output = Result<UninstallResult>> + Send {
        self.do_uninstall(name, opts)
    }

    fn get_release(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
    ) -> impl Future<Output = Result<Release>> + Send {
        self.do_status(name, namespace, revision, None)
    }

    fn status(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        table: bool,
    ) -> impl Future<Output = Result<Release>> + Send {
        self.do_status(name, namespace, revision, Some(table))
    }

    fn history(
        &self,
        name: &str,
        namespace: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Release>>> + Send {
        self.do_history(name, namespace)
    }

    fn list(&self, opts: ListOptions) -> impl Future<Output = Result<Vec<Release>>> + Send {
        self.do_list(opts)
    }

    fn get_values(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        all: bool,
    ) -> impl Future<Output = Result<Value>> + Send {
        self.do_get_values(name, namespace, revision, all)
    }

    fn test(
        &self,
        name: &str,
        namespace: Option<&str>,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Release>> + Send {
        self.do_test(name, namespace, timeout)
    }

    fn recover(
        &self,
        name: &str,
        opts: RecoverOptions,
    ) -> impl Future<Output = Result<Release>> + Send {
        self.do_recover(name, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_keep_the_kind_they_name() {
        let e = server_error(
            409,
            &json!({ "error": "another operation (upgrade) is in progress for release a/b", "kind": "pending", "pending": { "status": "pending-upgrade" } }),
            "",
        );
        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Pending, 409));
        assert!(
            matches!(&e, Error::Server { pending: Some(p), .. } if p["status"] == "pending-upgrade")
        );
        // No kind (a proxy's answer, an older server): the status decides.
        assert_eq!(
            server_error(403, &json!({ "error": "nope" }), "").kind(),
            ErrorKind::Forbidden
        );
        assert_eq!(
            server_error(502, &json!({}), "bad gateway").to_string(),
            "bad gateway"
        );
        let located = server_error(
            422,
            &json!({ "error": "x", "kind": "render", "location": { "template": "c/templates/a.yaml", "line": 3, "column": 7, "executing": "c/templates/a.yaml" } }),
            "",
        );
        let loc = located.template_location().expect("location");
        assert_eq!(
            (loc.template.as_str(), loc.line, loc.column),
            ("c/templates/a.yaml", 3, Some(7))
        );
    }

    #[test]
    fn options_become_request_bodies() {
        let o = InstallOptions {
            name: Some("web".into()),
            wait: true,
            timeout: Some(Duration::from_secs(60)),
            namespace: Some("ns".into()),
            ..Default::default()
        };
        let b = body_of(&o, &[("values", json!({ "a": 1 }))]).unwrap();
        assert_eq!(
            (
                b["name"].as_str(),
                b["wait"].as_bool(),
                b["timeout_seconds"].as_u64(),
                b["values"]["a"].as_i64()
            ),
            (Some("web"), Some(true), Some(60), Some(1))
        );
        assert!(b.get("namespace").is_none(), "the namespace is in the URL");
    }
}
