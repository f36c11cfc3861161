//! The one release API: [`ReleaseApi`], implemented by every [`Cluster`](crate::cluster::Cluster)
//! (the actions in [`crate::cluster::actions`]: [`crate::Client`] on a Kubernetes API server,
//! [`FakeCluster`](crate::cluster::fake::FakeCluster) in memory) and by the release server's
//! client ([`crate::RemoteClient`]).
//!
//! Why one trait: the CLI, the release server's handlers and the Python and Node bindings all
//! run the same actions; each maps its own input (flags, a JSON body, keyword arguments) to
//! the option structs of [`helm_core::release::api`] and calls this trait, so a capability is
//! written once and whether it runs here or on a server is the caller's choice of client.
//! Failures are [`Error`]s with an [`ErrorKind`](helm_core::release::api::ErrorKind): front
//! ends decide on the kind, and print the message.

use crate::error::{Error, Result};
use helm_core::chart::Chart;
use helm_core::release::api::{
    ChartRef, InstallOptions, ListOptions, RecoverOptions, RollbackOptions, UninstallOptions,
    UninstallResult, UpgradeOptions,
};
use helm_core::release::plan::{ParseOptions, Plan, PlanOptions, TEST_HOOKS};
use helm_core::release::Release;
use helm_core::values::Value;
use serde::Deserialize;
use std::future::Future;
use std::time::Duration;

/// Helm's release actions, wherever they run. Namespaces: `None` (or an option struct's
/// `namespace: None`) means the client's own namespace ([`ReleaseApi::namespace`]).
pub trait ReleaseApi: Send + Sync {
    /// The namespace actions use when they name none.
    fn namespace(&self) -> &str;

    /// Whether the cluster (or the release server) answers; Helm checks this before acting.
    fn reachable(&self) -> impl Future<Output = Result<()>> + Send;

    /// The chart at a local path (a chart directory or a `.tgz`) as this client passes it on:
    /// loaded here for a cluster, packaged for a release server (which never reads the
    /// caller's paths).
    fn local_chart(&self, path: &std::path::Path) -> Result<ChartRef>;

    /// `helm install`.
    fn install(
        &self,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: InstallOptions,
    ) -> impl Future<Output = Result<Release>> + Send;

    /// `helm upgrade` (with `opts.install`: `upgrade --install`, which installs when the
    /// release has no history or only uninstalled revisions).
    fn upgrade(
        &self,
        name: &str,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: UpgradeOptions,
    ) -> impl Future<Output = Result<Release>> + Send;

    /// `upgrade --plan` (with `opts.install`, also for a release not installed yet): what the
    /// upgrade would change, compared as helm-diff does with Secrets masked; nothing is applied
    /// or stored. By default the upgrade runs here as a dry run and is compared with the live
    /// objects where this client sees them ([`crate::plan::plan_upgrade`]); a release server's
    /// client asks the server, which plans against the live objects on its side.
    fn plan(
        &self,
        name: &str,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: UpgradeOptions,
    ) -> impl Future<Output = Result<Plan>> + Send
    where
        Self: Sized,
    {
        async move {
            let parse = ParseOptions {
                default_namespace: opts
                    .namespace
                    .clone()
                    .unwrap_or_else(|| self.namespace().to_string()),
                normalize: false,
                excluded_hooks: TEST_HOOKS.iter().map(|s| s.to_string()).collect(),
            };
            crate::plan::plan_upgrade(
                self,
                name,
                chart,
                values,
                opts,
                &parse,
                &PlanOptions::default(),
            )
            .await
            .map(|(plan, _)| plan)
        }
    }

    /// `helm rollback NAME [REVISION]`.
    fn rollback(
        &self,
        name: &str,
        opts: RollbackOptions,
    ) -> impl Future<Output = Result<Release>> + Send;

    /// `helm uninstall`.
    fn uninstall(
        &self,
        name: &str,
        opts: UninstallOptions,
    ) -> impl Future<Output = Result<UninstallResult>> + Send;

    /// `helm get all`: one stored revision (0: the latest).
    fn get_release(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
    ) -> impl Future<Output = Result<Release>> + Send;

    /// `helm status`: one revision (0: the latest) with `info.resources` from the cluster where
    /// the client can read it; `table` asks for the API server's Table renderings.
    fn status(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        table: bool,
    ) -> impl Future<Output = Result<Release>> + Send;

    /// `helm history`: every revision, oldest first.
    fn history(
        &self,
        name: &str,
        namespace: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Release>>> + Send;

    /// `helm list`: the latest revision of each release, by name.
    fn list(&self, opts: ListOptions) -> impl Future<Output = Result<Vec<Release>>> + Send;

    /// `helm get values` (`all`: the chart's defaults coalesced under the user's).
    fn get_values(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        all: bool,
    ) -> impl Future<Output = Result<Value>> + Send;

    /// `helm test`: runs the release's test hooks and stores their results.
    fn test(
        &self,
        name: &str,
        namespace: Option<&str>,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Release>> + Send;

    /// `helm-rs recover`: a release left `pending-*` by an operation that was killed gets its
    /// pending revision marked failed, so the next action can go on; refused while that
    /// revision is younger than `stale_after` (unless `force`) or when nothing is pending.
    fn recover(
        &self,
        name: &str,
        opts: RecoverOptions,
    ) -> impl Future<Output = Result<Release>> + Send;

    /// The two sides of a plan against the live objects ([`crate::plan::live_sides`]): what
    /// each object of `new_manifest` would become if applied now, against what it is. None
    /// where this client does not see the objects itself (a release server's client: the
    /// server plans against the live objects on its side).
    fn live_sides(
        &self,
        release: &str,
        namespace: Option<&str>,
        old_manifest: &str,
        new_manifest: &str,
        force: bool,
    ) -> impl Future<Output = Result<Option<crate::plan::LiveSides>>> + Send {
        let _ = (release, namespace, old_manifest, new_manifest, force);
        async { Ok(None) }
    }
}

/// A chart reference as the release server's requests carry it (`chart` in a body): exactly
/// one of an uploaded archive, a reference, or a repository URL with a chart name.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct ChartSource {
    /// The chart archive (`helm package` output), base64.
    #[serde(default)]
    pub tgz_base64: Option<String>,
    /// `oci://host/repository/name[:tag|@digest]` or `http(s)://…/chart.tgz`.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// A chart repository's URL (the directory of its index.yaml); `name` is the chart.
    #[serde(default)]
    pub repo_url: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Version or constraint for `ref` (OCI without a tag) and `repo_url` (empty: the newest).
    #[serde(default)]
    pub version: Option<String>,
    /// Talk to an OCI registry over plain HTTP.
    #[serde(default)]
    pub plain_http: bool,
}

impl ChartSource {
    /// The reference this source names, checked (one source, decodable archive, URL shapes).
    pub fn into_chart_ref(self) -> Result<ChartRef> {
        use base64::Engine;
        let given = [
            self.tgz_base64.is_some(),
            self.reference.is_some(),
            self.repo_url.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given != 1 {
            return Err(Error::invalid(
                "chart: give exactly one of tgz_base64, ref, or repo_url with name",
            ));
        }
        let version = self.version.unwrap_or_default();
        if let Some(b64) = self.tgz_base64 {
            let data = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| Error::invalid(format!("chart.tgz_base64: {e}")))?;
            return Ok(ChartRef::Archive(data));
        }
        if let Some(r) = self.reference {
            return Ok(ChartRef::Reference {
                reference: r,
                version,
                plain_http: self.plain_http,
            });
        }
        let repo_url = self.repo_url.unwrap_or_default();
        let name = self.name.filter(|n| !n.is_empty()).ok_or_else(|| {
            Error::invalid(
                "chart.name: the chart's name in the repository is required with repo_url",
            )
        })?;
        Ok(ChartRef::Repo {
            repo_url,
            name,
            version,
        })
    }

    /// The `chart` object of a request body for `chart` (a loaded chart is packaged).
    pub fn json_of(chart: &ChartRef) -> Result<serde_json::Value> {
        use base64::Engine;
        use serde_json::json;
        let archive = |tgz: &[u8]| json!({ "tgz_base64": base64::engine::general_purpose::STANDARD.encode(tgz) });
        Ok(match chart {
            ChartRef::Loaded(c) => archive(&loaded_chart_archive(c)?),
            ChartRef::Archive(tgz) => archive(tgz),
            ChartRef::Reference {
                reference,
                version,
                plain_http,
            } => {
                let mut o = json!({ "ref": reference });
                if !version.is_empty() {
                    o["version"] = version.clone().into();
                }
                if *plain_http {
                    o["plain_http"] = true.into();
                }
                o
            }
            ChartRef::Repo {
                repo_url,
                name,
                version,
            } => {
                let mut o = json!({ "repo_url": repo_url, "name": name });
                if !version.is_empty() {
                    o["version"] = version.clone().into();
                }
                o
            }
        })
    }
}

/// A packaged chart: a `.tgz` file as is, a chart directory packaged (Helm's `package`).
pub fn chart_archive(path: &std::path::Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        let tmp = tempfile::tempdir().map_err(|e| Error::Chart(e.to_string()))?;
        let opts = helm_core::chart::package::PackageOptions {
            version: None,
            app_version: None,
            destination: tmp.path().to_path_buf(),
        };
        let file = helm_core::chart::package::package_dir(path, &opts)
            .map_err(|e| Error::Chart(e.to_string()))?;
        std::fs::read(&file).map_err(|e| Error::Chart(format!("{}: {e}", file.display())))
    } else {
        std::fs::read(path).map_err(|e| Error::Chart(format!("{}: {e}", path.display())))
    }
}

/// A loaded chart packaged again (Helm's `chartutil.Save` layout, subcharts under `charts/`).
pub fn loaded_chart_archive(chart: &Chart) -> Result<Vec<u8>> {
    use helm_core::chart::package;
    // No directory: modification times fall back to the nearest existing path (they do not
    // matter to a server).
    let entries = package::entries(chart, std::path::Path::new("/nonexistent-helm-rs-chart"))
        .map_err(|e| Error::Chart(e.to_string()))?;
    package::tgz(&entries).map_err(|e| Error::Chart(e.to_string()))
}

/// The chart a reference names: as loaded, decoded from an archive, or downloaded (on a
/// blocking thread: the repository transport is synchronous) into a temporary directory and
/// loaded from there. Downloads are anonymous (no stored credentials) and verify TLS.
pub async fn resolve_chart(chart: ChartRef) -> Result<Chart> {
    let chart_err = |e: String| Error::Chart(format!("chart: {e}"));
    enum Fetch {
        Oci(String, String, bool),
        Url(String),
        Repo(String, String, String),
    }
    let fetch = match chart {
        ChartRef::Loaded(c) => return Ok(c),
        ChartRef::Archive(data) => {
            return helm_core::chart::loader::load_archive_bytes(&data)
                .map_err(|e| chart_err(e.to_string()))
        }
        ChartRef::Reference {
            reference: r,
            version,
            plain_http,
        } => {
            if r.starts_with("oci://") {
                helm_core::repo::oci::Reference::parse(&r)
                    .map_err(|e| Error::invalid(format!("chart.ref: {e}")))?;
                Fetch::Oci(r, version, plain_http)
            } else if (r.starts_with("https://") || r.starts_with("http://"))
                && url::Url::parse(&r).is_ok()
            {
                Fetch::Url(r)
            } else {
                return Err(Error::invalid(format!(
                    "chart.ref: expected an oci:// or http(s):// reference, got {r:?}"
                )));
            }
        }
        ChartRef::Repo {
            repo_url,
            name,
            version,
        } => {
            if !(repo_url.starts_with("https://") || repo_url.starts_with("http://"))
                || url::Url::parse(&repo_url).is_err()
            {
                return Err(Error::invalid(format!(
                    "chart.repo_url: expected an http(s):// URL, got {repo_url:?}"
                )));
            }
            Fetch::Repo(repo_url, name, version)
        }
    };
    let fetched = tokio::task::spawn_blocking(move || -> std::result::Result<Chart, String> {
        use crate::repo;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = match fetch {
            Fetch::Oci(r, version, plain_http) => {
                let o = repo::oci::OciOptions {
                    plain_http,
                    ..Default::default()
                };
                repo::oci::pull_chart(&r, &version, dir.path(), &o)
                    .map_err(|e| e.to_string())?
                    .path
            }
            Fetch::Url(u) => repo::ResolvedChart {
                url: u,
                digest: String::new(),
                options: Default::default(),
                chart: None,
            }
            .download(dir.path())
            .map_err(|e| e.to_string())?,
            Fetch::Repo(repo_url, name, version) => {
                repo::find_chart_in_repo_url(&repo_url, &name, &version, &Default::default())
                    .and_then(|c| c.download(dir.path()))
                    .map_err(|e| e.to_string())?
            }
        };
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        helm_core::chart::loader::load_archive_bytes(&data).map_err(|e| e.to_string())
    })
    .await;
    match fetched {
        Ok(r) => r.map_err(chart_err),
        Err(e) => Err(chart_err(format!("download failed: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chart_sources_as_the_api_takes_them() {
        assert_eq!(
            ChartSource::json_of(&ChartRef::Archive(b"x".to_vec())).unwrap(),
            json!({ "tgz_base64": "eA==" })
        );
        let oci = ChartRef::Reference {
            reference: "oci://r.example/charts/web".into(),
            version: "1.2.3".into(),
            plain_http: true,
        };
        assert_eq!(
            ChartSource::json_of(&oci).unwrap(),
            json!({ "ref": "oci://r.example/charts/web", "version": "1.2.3", "plain_http": true })
        );
        let url = ChartRef::Reference {
            reference: "https://c.example/web-1.0.0.tgz".into(),
            version: String::new(),
            plain_http: false,
        };
        assert_eq!(
            ChartSource::json_of(&url).unwrap(),
            json!({ "ref": "https://c.example/web-1.0.0.tgz" })
        );
        let repo = ChartRef::Repo {
            repo_url: "https://c.example".into(),
            name: "web".into(),
            version: "^1".into(),
        };
        let j = ChartSource::json_of(&repo).unwrap();
        assert_eq!(
            j,
            json!({ "repo_url": "https://c.example", "name": "web", "version": "^1" })
        );
        let back: ChartSource = serde_json::from_value(j).unwrap();
        assert!(
            matches!(back.into_chart_ref().unwrap(), ChartRef::Repo { name, .. } if name == "web")
        );
        let two: ChartSource =
            serde_json::from_value(json!({ "tgz_base64": "eA==", "ref": "oci://x/y" })).unwrap();
        assert_eq!(
            two.into_chart_ref().unwrap_err().kind(),
            helm_core::release::api::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn a_loaded_chart_is_packaged_again() {
        let dir = tempfile::tempdir().expect("tmp");
        let dir = dir.path();
        std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
        std::fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .expect("write");
        std::fs::write(dir.join("values.yaml"), "a: 1\n").expect("write");
        std::fs::write(dir.join("templates/cm.yaml"), "kind: ConfigMap\n").expect("write");
        let chart = helm_core::chart::load(dir).expect("load");
        let tgz = loaded_chart_archive(&chart).expect("archive");
        let back = helm_core::chart::loader::load_archive_bytes(&tgz).expect("reload");
        assert_eq!(
            (back.metadata.name.as_str(), back.metadata.version.as_str()),
            ("c", "0.1.0")
        );
        assert_eq!(back.templates.len(), 1);
        assert_eq!(back.raw_values.as_deref(), Some(&b"a: 1\n"[..]));
    }
}
