//! `RemoteClient`: the release actions of [`crate::Client`], with the same method names and
//! option structs, sent to a `helm-rs serve` server instead of the cluster (reqwest over
//! rustls). The difference: charts travel as packaged archives (`.tgz` bytes), since the
//! server must not read the caller's paths; [`chart_archive`] makes one from a directory —
//! or as references the server downloads itself ([`RemoteChart`]: `oci://…`, a repository URL
//! plus chart name as `helm install --repo`, or a chart URL).

use crate::actions::{InstallOptions, ListOptions, RollbackOptions, UninstallOptions, UninstallResult, UpgradeOptions};
use base64::Engine;
use helm_core::release::record::{core_to_json, json_to_core};
use helm_core::release::Release;
use helm_core::values::Value;
use serde_json::{json, Value as J};

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server answered with an error status; `pending` is the release's pending state on 409.
    #[error("{message}")]
    Status { status: u16, message: String, pending: Option<J> },
    #[error("release server unreachable: {0}")]
    Transport(String),
    #[error("unexpected answer from the release server: {0}")]
    Decode(String),
    #[error("{0}")]
    Chart(String),
}

pub type Result<T, E = RemoteError> = std::result::Result<T, E>;

/// A packaged chart: a `.tgz` file as is, a chart directory packaged (Helm's `package`).
pub fn chart_archive(path: &std::path::Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        let tmp = std::env::temp_dir().join(format!("helm-rs-remote-{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)));
        let opts = helm_core::chart::package::PackageOptions { version: None, app_version: None, destination: tmp.clone() };
        let file = helm_core::chart::package::package_dir(path, &opts).map_err(|e| RemoteError::Chart(e.to_string()))?;
        let data = std::fs::read(&file).map_err(|e| RemoteError::Chart(format!("{}: {e}", file.display())));
        let _ = std::fs::remove_dir_all(&tmp);
        data
    } else {
        std::fs::read(path).map_err(|e| RemoteError::Chart(format!("{}: {e}", path.display())))
    }
}

/// A loaded chart packaged again (Helm's `chartutil.Save` layout, subcharts under `charts/`),
/// for callers holding a [`helm_core::chart::Chart`] rather than a path.
pub fn loaded_chart_archive(chart: &helm_core::chart::Chart) -> Result<Vec<u8>> {
    use helm_core::chart::package;
    // No directory: modification times fall back to the nearest existing path (they do not
    // matter to the server).
    let entries = package::entries(chart, std::path::Path::new("/nonexistent-helm-rs-chart")).map_err(|e| RemoteError::Chart(e.to_string()))?;
    package::tgz(&entries).map_err(|e| RemoteError::Chart(e.to_string()))
}

/// Where the server gets the chart of an install/upgrade/template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteChart {
    /// A packaged chart, uploaded with the request.
    Archive(Vec<u8>),
    /// `oci://host/repo/name[:tag]` or an `http(s)://…/chart.tgz` URL; `version` is a
    /// constraint for OCI references without a tag (empty: the newest).
    Reference { reference: String, version: String, plain_http: bool },
    /// `helm install --repo URL NAME --version V`: looked up in that repository's index.
    Repo { repo_url: String, name: String, version: String },
}

impl RemoteChart {
    /// The `chart` object of a request body (see `/openapi.json`).
    pub fn to_json(&self) -> J {
        match self {
            RemoteChart::Archive(tgz) => chart_json(tgz),
            RemoteChart::Reference { reference, version, plain_http } => {
                let mut o = json!({ "ref": reference });
                if !version.is_empty() {
                    o["version"] = version.clone().into();
                }
                if *plain_http {
                    o["plain_http"] = true.into();
                }
                o
            }
            RemoteChart::Repo { repo_url, name, version } => {
                let mut o = json!({ "repo_url": repo_url, "name": name });
                if !version.is_empty() {
                    o["version"] = version.clone().into();
                }
                o
            }
        }
    }
}

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

fn chart_json(tgz: &[u8]) -> J {
    json!({ "tgz_base64": base64::engine::general_purpose::STANDARD.encode(tgz) })
}

fn release_of(body: &J) -> Result<Release> {
    serde_json::from_value(body.get("release").cloned().unwrap_or(J::Null)).map_err(|e| RemoteError::Decode(e.to_string()))
}

impl RemoteClient {
    /// `url`: `http(s)://host:port`; `namespace`: the default for actions (None: `default`).
    pub fn new(url: &str, token: &str, namespace: Option<&str>) -> Result<RemoteClient> {
        let http = reqwest::Client::builder().build().map_err(|e| RemoteError::Transport(e.to_string()))?;
        Ok(RemoteClient { http, base: url.trim_end_matches('/').to_string(), token: token.to_string(), namespace: namespace.filter(|n| !n.is_empty()).unwrap_or("default").to_string() })
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn ns(&self, ns: &Option<String>) -> String {
        ns.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| self.namespace.clone())
    }

    fn rel_url(&self, ns: &str, name: &str) -> String {
        format!("{}/v1/namespaces/{ns}/releases/{name}", self.base)
    }

    async fn send(&self, method: reqwest::Method, url: &str, body: Option<J>) -> Result<J> {
        let mut req = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| RemoteError::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| RemoteError::Transport(e.to_string()))?;
        let body: J = serde_json::from_str(&text).map_err(|e| RemoteError::Decode(format!("{e}: {text}")))?;
        if status == 202 {
            // Still running past the server's request timeout: follow the operation.
            let id = body["operation_id"].as_str().unwrap_or("").to_string();
            return self.follow(&id).await;
        }
        if status >= 400 {
            return Err(RemoteError::Status { status, message: body["error"].as_str().unwrap_or(&text).to_string(), pending: body.get("pending").cloned() });
        }
        Ok(body)
    }

    /// Polls an operation until it ends; its result as if the request had waited.
    async fn follow(&self, id: &str) -> Result<J> {
        loop {
            let url = format!("{}/v1/operations/{id}", self.base);
            let resp = self.http.get(&url).bearer_auth(&self.token).send().await.map_err(|e| RemoteError::Transport(e.to_string()))?;
            let op: J = resp.json().await.map_err(|e| RemoteError::Decode(e.to_string()))?;
            if op["done"] == true {
                let status = op["http_status"].as_u64().unwrap_or(500) as u16;
                let result = op["result"].clone();
                if status >= 400 {
                    return Err(RemoteError::Status { status, message: result["error"].as_str().unwrap_or("").to_string(), pending: result.get("pending").cloned() });
                }
                return Ok(result);
            }
            if op.get("error").is_some() {
                return Err(RemoteError::Status { status: 404, message: op["error"].as_str().unwrap_or("").to_string(), pending: None });
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }

    /// `helm install` with a packaged chart.
    pub async fn install(&self, chart_tgz: &[u8], values: &Value, opts: InstallOptions) -> Result<Release> {
        self.install_chart(&RemoteChart::Archive(chart_tgz.to_vec()), values, opts).await
    }

    /// `helm install` with a chart from anywhere [`RemoteChart`] allows.
    pub async fn install_chart(&self, chart: &RemoteChart, values: &Value, opts: InstallOptions) -> Result<Release> {
        let ns = self.ns(&opts.namespace);
        let body = json!({
            "name": opts.name, "chart": chart.to_json(), "values": values_json(values),
            "generate_name": opts.generate_name, "create_namespace": opts.create_namespace, "dry_run": opts.dry_run,
            "replace": opts.replace, "description": opts.description, "labels": opts.labels, "skip_crds": opts.skip_crds,
            "no_hooks": opts.no_hooks, "wait": opts.wait, "wait_for_jobs": opts.wait_for_jobs,
            "timeout_seconds": opts.timeout.map(|t| t.as_secs()), "atomic": opts.atomic,
            "force_conflicts": opts.force_conflicts, "skip_schema_validation": opts.skip_schema_validation,
        });
        release_of(&self.send(reqwest::Method::POST, &format!("{}/v1/namespaces/{ns}/releases", self.base), Some(body)).await?)
    }

    /// `helm upgrade` with a packaged chart (`install`: `upgrade --install`).
    pub async fn upgrade(&self, name: &str, chart_tgz: &[u8], values: &Value, opts: UpgradeOptions) -> Result<Release> {
        self.upgrade_or_install(name, chart_tgz, values, opts, false).await
    }

    pub async fn upgrade_or_install(&self, name: &str, chart_tgz: &[u8], values: &Value, opts: UpgradeOptions, install: bool) -> Result<Release> {
        self.upgrade_chart(name, &RemoteChart::Archive(chart_tgz.to_vec()), values, opts, install).await
    }

    /// `helm upgrade [--install]` with a chart from anywhere [`RemoteChart`] allows.
    pub async fn upgrade_chart(&self, name: &str, chart: &RemoteChart, values: &Value, opts: UpgradeOptions, install: bool) -> Result<Release> {
        let ns = self.ns(&opts.namespace);
        let body = json!({
            "chart": chart.to_json(), "values": values_json(values), "install": install, "dry_run": opts.dry_run,
            "description": opts.description, "labels": opts.labels, "no_hooks": opts.no_hooks, "wait": opts.wait,
            "wait_for_jobs": opts.wait_for_jobs, "timeout_seconds": opts.timeout.map(|t| t.as_secs()), "atomic": opts.atomic,
            "reuse_values": opts.reuse_values, "reset_values": opts.reset_values, "reset_then_reuse_values": opts.reset_then_reuse_values,
            "cleanup_on_fail": opts.cleanup_on_fail, "max_history": opts.max_history, "force_conflicts": opts.force_conflicts, "force_replace": opts.force_replace,
            "skip_schema_validation": opts.skip_schema_validation,
        });
        release_of(&self.send(reqwest::Method::PUT, &self.rel_url(&ns, name), Some(body)).await?)
    }

    pub async fn rollback(&self, name: &str, opts: RollbackOptions) -> Result<Release> {
        let ns = self.ns(&opts.namespace);
        let body = json!({
            "revision": opts.revision, "dry_run": opts.dry_run, "no_hooks": opts.no_hooks, "wait": opts.wait,
            "timeout_seconds": opts.timeout.map(|t| t.as_secs()), "max_history": opts.max_history, "force_conflicts": opts.force_conflicts, "force_replace": opts.force_replace,
        });
        release_of(&self.send(reqwest::Method::POST, &format!("{}/rollback", self.rel_url(&ns, name)), Some(body)).await?)
    }

    pub async fn uninstall(&self, name: &str, opts: UninstallOptions) -> Result<UninstallResult> {
        let ns = self.ns(&opts.namespace);
        let mut url = format!("{}?keep_history={}&dry_run={}&no_hooks={}&wait={}", self.rel_url(&ns, name), opts.keep_history, opts.dry_run, opts.no_hooks, opts.wait);
        if let Some(t) = opts.timeout {
            url.push_str(&format!("&timeout_seconds={}", t.as_secs()));
        }
        if let Some(d) = &opts.description {
            let enc: String = d.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
            url.push_str(&format!("&description={enc}"));
        }
        let body = self.send(reqwest::Method::DELETE, &url, None).await?;
        let kept = body["kept"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
        Ok(UninstallResult { release: release_of(&body)?, kept })
    }

    pub async fn get_release(&self, name: &str, namespace: Option<&str>, revision: i64) -> Result<Release> {
        let ns = self.ns(&namespace.map(String::from));
        release_of(&self.send(reqwest::Method::GET, &format!("{}?revision={revision}", self.rel_url(&ns, name)), None).await?)
    }

    pub async fn history(&self, name: &str, namespace: Option<&str>) -> Result<Vec<Release>> {
        let ns = self.ns(&namespace.map(String::from));
        let body = self.send(reqwest::Method::GET, &format!("{}/history", self.rel_url(&ns, name)), None).await?;
        serde_json::from_value(body["history"].clone()).map_err(|e| RemoteError::Decode(e.to_string()))
    }

    pub async fn list(&self, opts: ListOptions) -> Result<Vec<Release>> {
        let mut url = if opts.all_namespaces { format!("{}/v1/releases", self.base) } else { format!("{}/v1/namespaces/{}/releases", self.base, self.ns(&opts.namespace)) };
        url.push_str(&format!("?all={}", opts.all));
        if !opts.states.is_empty() {
            url.push_str(&format!("&states={}", opts.states.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")));
        }
        if let Some(f) = &opts.filter {
            let enc: String = f.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
            url.push_str(&format!("&filter={enc}"));
        }
        let body = self.send(reqwest::Method::GET, &url, None).await?;
        serde_json::from_value(body["releases"].clone()).map_err(|e| RemoteError::Decode(e.to_string()))
    }

    pub async fn get_values(&self, name: &str, namespace: Option<&str>, revision: i64, all: bool) -> Result<Value> {
        let ns = self.ns(&namespace.map(String::from));
        let body = self.send(reqwest::Method::GET, &format!("{}/values?revision={revision}&all={all}", self.rel_url(&ns, name)), None).await?;
        Ok(json_to_core(&body["values"]))
    }

    pub async fn get_manifest(&self, name: &str, namespace: Option<&str>, revision: i64) -> Result<String> {
        let ns = self.ns(&namespace.map(String::from));
        let body = self.send(reqwest::Method::GET, &format!("{}/manifest?revision={revision}", self.rel_url(&ns, name)), None).await?;
        Ok(body["manifest"].as_str().unwrap_or("").to_string())
    }

    pub async fn get_notes(&self, name: &str, namespace: Option<&str>, revision: i64) -> Result<String> {
        let ns = self.ns(&namespace.map(String::from));
        let body = self.send(reqwest::Method::GET, &format!("{}/notes?revision={revision}", self.rel_url(&ns, name)), None).await?;
        Ok(body["notes"].as_str().unwrap_or("").to_string())
    }

    /// `helm template` on the server: (manifest text as `helm template` prints it, notes).
    pub async fn template(&self, chart_tgz: &[u8], values: &Value, name: &str, namespace: Option<&str>) -> Result<(String, String)> {
        self.template_chart(&RemoteChart::Archive(chart_tgz.to_vec()), values, name, namespace).await
    }

    /// `helm template` on the server with a chart from anywhere [`RemoteChart`] allows.
    pub async fn template_chart(&self, chart: &RemoteChart, values: &Value, name: &str, namespace: Option<&str>) -> Result<(String, String)> {
        let body = json!({ "chart": chart.to_json(), "values": values_json(values), "name": name, "namespace": self.ns(&namespace.map(String::from)) });
        let out = self.send(reqwest::Method::POST, &format!("{}/v1/template", self.base), Some(body)).await?;
        Ok((out["manifest"].as_str().unwrap_or("").to_string(), out["notes"].as_str().unwrap_or("").to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_sources_as_the_api_takes_them() {
        assert_eq!(RemoteChart::Archive(b"x".to_vec()).to_json(), json!({ "tgz_base64": "eA==" }));
        let oci = RemoteChart::Reference { reference: "oci://r.example/charts/web".into(), version: "1.2.3".into(), plain_http: true };
        assert_eq!(oci.to_json(), json!({ "ref": "oci://r.example/charts/web", "version": "1.2.3", "plain_http": true }));
        let url = RemoteChart::Reference { reference: "https://c.example/web-1.0.0.tgz".into(), version: String::new(), plain_http: false };
        assert_eq!(url.to_json(), json!({ "ref": "https://c.example/web-1.0.0.tgz" }));
        let repo = RemoteChart::Repo { repo_url: "https://c.example".into(), name: "web".into(), version: "^1".into() };
        assert_eq!(repo.to_json(), json!({ "repo_url": "https://c.example", "name": "web", "version": "^1" }));
    }

    #[test]
    fn a_loaded_chart_is_packaged_again() {
        let dir = std::env::temp_dir().join(format!("helm-rs-remote-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
        std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n").expect("write");
        std::fs::write(dir.join("values.yaml"), "a: 1\n").expect("write");
        std::fs::write(dir.join("templates/cm.yaml"), "kind: ConfigMap\n").expect("write");
        let chart = helm_core::chart::load(&dir).expect("load");
        let tgz = loaded_chart_archive(&chart).expect("archive");
        let back = helm_core::chart::loader::load_archive_bytes(&tgz).expect("reload");
        assert_eq!((back.metadata.name.as_str(), back.metadata.version.as_str()), ("c", "0.1.0"));
        assert_eq!(back.templates.len(), 1);
        assert_eq!(back.raw_values.as_deref(), Some(&b"a: 1\n"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
