//! Cluster access: kubeconfig/context/namespace loading (Helm's `--kubeconfig`,
//! `--kube-context`, `-n`), discovery for `.Capabilities`, and resolving a manifest's
//! `apiVersion`/`kind` to an API endpoint.

use crate::cluster::progress::{Progress, ProgressEvent};
use crate::cluster::storage::{DriverKind, KubeStorage, Storage};
use crate::error::{Error, Result};
use helm_core::render::objects::KubeVersion;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::Scope;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How to reach the cluster; every field optional, as Helm's flags.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// `--kubeconfig` (default: `$KUBECONFIG`, then `~/.kube/config`, then in-cluster).
    pub kubeconfig: Option<PathBuf>,
    /// `--kube-context` (default: the kubeconfig's current context).
    pub context: Option<String>,
    /// `-n/--namespace` (default: the context's namespace, else `default`).
    pub namespace: Option<String>,
    /// Release storage (`HELM_DRIVER`): Secret (default), ConfigMap, Memory or Sql.
    pub driver: DriverKind,
    /// The database of the `sql` driver (Helm's `HELM_DRIVER_SQL_CONNECTION_STRING`: a
    /// `postgres://` URL or `key=value` pairs).
    pub sql_connection: Option<String>,
    /// `--kube-apiserver`: the API server's address, over the kubeconfig's (`https://` is
    /// assumed when it names no scheme).
    pub api_server: Option<String>,
    /// `--kube-token`: a bearer token, over the kubeconfig user's credentials.
    pub token: Option<String>,
    /// `--kube-as-user`: the user to impersonate.
    pub impersonate_user: Option<String>,
    /// `--kube-as-group` (repeatable): the groups to impersonate.
    pub impersonate_groups: Vec<String>,
    /// `--kube-ca-file`: the certificate authority for the API server, over the kubeconfig's.
    pub ca_file: Option<PathBuf>,
    /// `--kube-insecure-skip-tls-verify`: do not check the API server's certificate.
    pub insecure_skip_tls_verify: bool,
    /// `--kube-tls-server-name`: the name the API server's certificate must carry.
    pub tls_server_name: Option<String>,
}

/// Where a client's release records are (see [`DriverKind`]).
#[derive(Clone)]
enum Records {
    Kube(DriverKind),
    /// Shared by the client's clones, for as long as the process runs.
    Memory(helm_core::release::MemoryStorage),
    #[cfg(feature = "sql")]
    Sql(crate::cluster::sql::SqlDatabase),
}

impl Records {
    /// Opens the driver's store (connects to the database for `sql`).
    async fn open(driver: DriverKind, sql_connection: Option<&str>) -> Result<Records> {
        Ok(match driver {
            DriverKind::Secret | DriverKind::ConfigMap => Records::Kube(driver),
            DriverKind::Memory => Records::Memory(helm_core::release::MemoryStorage::new("")),
            #[cfg(feature = "sql")]
            DriverKind::Sql => Records::Sql(
                crate::cluster::sql::SqlDatabase::connect(sql_connection.unwrap_or_default())
                    .await
                    .map_err(|e| Error::Config(format!("unable to instantiate SQL driver: {e}")))?,
            ),
            #[cfg(not(feature = "sql"))]
            DriverKind::Sql => {
                let _ = sql_connection;
                return Err(Error::Config(
                    "the sql storage driver is not built in (cargo feature `sql` of helm-kube)"
                        .into(),
                ));
            }
        })
    }
}

/// `.Capabilities` as the cluster reports it.
#[derive(Clone, Debug)]
pub struct ClusterCapabilities {
    pub kube_version: KubeVersion,
    /// `group/version` and `group/version/Kind` for every served resource (Helm's VersionSet).
    pub api_versions: Vec<String>,
}

/// A connection to one cluster, with the namespace actions default to.
#[derive(Clone)]
pub struct Client {
    pub(crate) kube: kube::Client,
    namespace: String,
    records: Records,
    resources: Arc<Mutex<HashMap<(String, String, String), (ApiResource, bool)>>>,
    /// Whether `resources` holds a whole aggregated discovery (then a miss asks per kind).
    discovered: Arc<std::sync::atomic::AtomicBool>,
    /// Where actions report progress (None: nowhere).
    progress: Option<Arc<dyn Progress>>,
    /// The API server's URL, for Helm's "cluster unreachable" message (empty when unknown).
    cluster_url: String,
    /// OpenAPI v3 documents by group-version, read once for client-side apply's patch metadata
    /// (None: the server has none for it).
    pub(crate) openapi: crate::cluster::client_side::OpenApiCache,
}

impl Client {
    /// Loads the kubeconfig (or in-cluster config) and connects lazily (no request is made).
    pub async fn new(opts: ClientOptions) -> Result<Client> {
        let kopts = KubeConfigOptions {
            context: opts.context.clone(),
            ..Default::default()
        };
        // client-go's words for a context the kubeconfig does not have (what Helm prints).
        let known_context = |kc: &Kubeconfig| match &opts.context {
            Some(c) if !kc.contexts.iter().any(|n| &n.name == c) => {
                Err(Error::Config(format!("context {c:?} does not exist")))
            }
            _ => Ok(()),
        };
        let config = match &opts.kubeconfig {
            Some(path) => {
                let kc = Kubeconfig::read_from(path).map_err(|e| Error::Config(e.to_string()))?;
                known_context(&kc)?;
                kube::Config::from_custom_kubeconfig(kc, &kopts)
                    .await
                    .map_err(|e| Error::Config(e.to_string()))?
            }
            None if opts.context.is_some() => {
                if let Ok(kc) = Kubeconfig::read() {
                    known_context(&kc)?;
                }
                kube::Config::from_kubeconfig(&kopts)
                    .await
                    .map_err(|e| Error::Config(e.to_string()))?
            }
            // No kubeconfig and not in a pod: client-go (so Helm) falls back to the insecure
            // local address; commands then fail when they first call it, and the ones that make
            // no call (install --dry-run=client) work, as with Helm.
            None => match kube::Config::infer().await {
                Ok(c) => c,
                Err(_) => kube::Config::new(
                    "http://localhost:8080"
                        .parse()
                        .map_err(|e: http::uri::InvalidUri| Error::Config(e.to_string()))?,
                ),
            },
        };
        // The cluster flags over the kubeconfig (client-go's ConfigOverrides): --kube-apiserver
        // (https:// when no scheme), --kube-token, --kube-as-user/--kube-as-group,
        // --kube-ca-file, --kube-insecure-skip-tls-verify, --kube-tls-server-name.
        let mut config = config;
        if let Some(server) = opts.api_server.as_deref().filter(|s| !s.is_empty()) {
            let url = if server.contains("://") {
                server.to_string()
            } else {
                format!("https://{server}")
            };
            config.cluster_url = url.parse().map_err(|e: http::uri::InvalidUri| {
                Error::Config(format!("--kube-apiserver {server:?}: {e}"))
            })?;
        }
        if let Some(token) = opts.token.as_deref().filter(|t| !t.is_empty()) {
            // AuthInfo keeps a token as a secret; its serialized form builds one.
            let auth: kube::config::AuthInfo =
                serde_json::from_value(serde_json::json!({ "token": token }))
                    .map_err(|e| Error::Config(e.to_string()))?;
            config.auth_info.token = auth.token;
            config.auth_info.token_file = None;
        }
        if let Some(user) = opts.impersonate_user.as_deref().filter(|u| !u.is_empty()) {
            config.auth_info.impersonate = Some(user.to_string());
        }
        if !opts.impersonate_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(opts.impersonate_groups.clone());
        }
        if let Some(ca) = opts.ca_file.clone().filter(|p| !p.as_os_str().is_empty()) {
            config.root_cert = None;
            config.root_cert_file = Some(ca);
        }
        if opts.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
            config.root_cert = None;
            config.root_cert_file = None;
        }
        if let Some(name) = opts.tls_server_name.as_deref().filter(|n| !n.is_empty()) {
            config.tls_server_name = Some(name.to_string());
        }
        let namespace = opts
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| config.default_namespace.clone());
        let cluster_url = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let kube = kube::Client::try_from(config).map_err(|e| Error::Config(e.to_string()))?;
        let records = Records::open(opts.driver, opts.sql_connection.as_deref()).await?;
        Ok(Client {
            kube,
            namespace,
            records,
            resources: Arc::default(),
            discovered: Arc::default(),
            progress: None,
            cluster_url,
            openapi: Arc::default(),
        })
    }

    /// Wraps an existing kube-rs client.
    pub fn from_kube(kube: kube::Client, namespace: &str) -> Client {
        Client {
            kube,
            namespace: namespace.to_string(),
            records: Records::Kube(DriverKind::Secret),
            resources: Arc::default(),
            discovered: Arc::default(),
            progress: None,
            cluster_url: String::new(),
            openapi: Arc::default(),
        }
    }

    /// Helm's reachability check (`GET /version`), which its commands run before acting; the
    /// error reads as Helm's: `kubernetes cluster unreachable: Get "URL/version": dial tcp
    /// 127.0.0.1:8080: connect: connection refused`.
    pub async fn reachable(&self) -> Result<()> {
        match self.kube.apiserver_version().await {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::Config(format!(
                "Get \"{}/version\": {}",
                self.cluster_url,
                dial_error(&e, &self.cluster_url)
            ))),
        }
    }

    /// The same client, with actions reporting their progress to `sink` (hooks, applied and
    /// deleted objects, `--wait` state, release records); see [`crate::cluster::progress`].
    pub fn with_progress(mut self, sink: Arc<dyn Progress>) -> Client {
        self.progress = Some(sink);
        self
    }

    /// Reports one progress event to the sink, if there is one.
    pub(crate) fn emit(&self, ev: ProgressEvent) {
        if let Some(p) = &self.progress {
            p.event(ev);
        }
    }

    /// Whether a progress sink is set (to skip building events nobody reads).
    pub(crate) fn reporting(&self) -> bool {
        self.progress.is_some()
    }

    /// The namespace actions use when none is given.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The underlying kube-rs client.
    pub fn kube(&self) -> &kube::Client {
        &self.kube
    }

    /// Release storage for `namespace` (None: all namespaces, for listing).
    pub fn storage(&self, namespace: Option<&str>) -> Storage {
        match &self.records {
            Records::Kube(kind) => Storage::Kube(KubeStorage::new(
                self.kube.clone(),
                namespace.map(String::from),
                *kind,
            )),
            Records::Memory(m) => Storage::Memory(m.scoped(namespace.unwrap_or(""))),
            #[cfg(feature = "sql")]
            Records::Sql(db) => Storage::Sql(db.storage(namespace.unwrap_or(""))),
        }
    }

    /// Discovery → `.Capabilities.KubeVersion` and `.Capabilities.APIVersions`.
    pub async fn capabilities(&self) -> Result<ClusterCapabilities> {
        let v = self.kube.apiserver_version().await?;
        let version = if v.git_version.starts_with('v') {
            v.git_version.clone()
        } else {
            format!("v{}", v.git_version)
        };
        let kube_version = KubeVersion {
            version,
            major: v.major.clone(),
            minor: v.minor.trim_end_matches('+').to_string(),
        };
        if let Some(d) = self.aggregated_discovery().await {
            return Ok(ClusterCapabilities {
                kube_version,
                api_versions: d.api_versions,
            });
        }
        let mut api_versions = Vec::new();
        let core = self.kube.list_core_api_versions().await?;
        for ver in &core.versions {
            api_versions.push(ver.clone());
            let res = self.kube.list_core_api_resources(ver).await?;
            push_kinds(&mut api_versions, ver, &res);
        }
        let groups = self.kube.list_api_groups().await?;
        for g in &groups.groups {
            for gv in &g.versions {
                api_versions.push(gv.group_version.clone());
                if let Ok(res) = self.kube.list_api_group_resources(&gv.group_version).await {
                    push_kinds(&mut api_versions, &gv.group_version, &res);
                }
            }
        }
        Ok(ClusterCapabilities {
            kube_version,
            api_versions,
        })
    }

    /// Every group, version and resource in two requests (aggregated discovery), remembered
    /// for [`Self::resolve`]; None when the API server does not offer it.
    async fn aggregated_discovery(&self) -> Option<super::discovery::Discovered> {
        let mut d = super::discovery::Discovered::default();
        for path in ["/api", "/apis"] {
            let req = http::Request::get(path)
                .header(http::header::ACCEPT, super::discovery::ACCEPT)
                .body(Vec::new())
                .ok()?;
            let body = self.kube.request_text(req).await.ok()?;
            super::discovery::parse(body.as_bytes(), &mut d)?;
        }
        if let Ok(mut m) = self.resources.lock() {
            for (k, v) in &d.resources {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        self.discovered
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Some(d)
    }

    /// The API endpoint of `apiVersion`+`kind`, and whether it is namespaced (cached).
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<(ApiResource, bool)> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        let key = (group.clone(), version.clone(), kind.to_string());
        if let Some(hit) = self
            .resources
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(hit);
        }
        // The first miss learns every resource at once, when the server offers that.
        if !self.discovered.load(std::sync::atomic::Ordering::Relaxed)
            && self.aggregated_discovery().await.is_some()
        {
            if let Some(hit) = self
                .resources
                .lock()
                .ok()
                .and_then(|m| m.get(&key).cloned())
            {
                return Ok(hit);
            }
        }
        let gvk = GroupVersionKind::gvk(&group, &version, kind);
        let (ar, caps) = kube::discovery::pinned_kind(&self.kube, &gvk).await.map_err(|_| {
            Error::invalid(format!("resource mapping not found for kind \"{kind}\" in version \"{api_version}\": ensure CRDs are installed first"))
        })?;
        let namespaced = matches!(caps.scope, Scope::Namespaced);
        if let Ok(mut m) = self.resources.lock() {
            m.insert(key, (ar.clone(), namespaced));
        }
        Ok((ar, namespaced))
    }

    /// Whether a kind is namespaced, if it was resolved before.
    pub(crate) fn resources_cached(&self, api_version: &str, kind: &str) -> Option<bool> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        self.resources
            .lock()
            .ok()?
            .get(&(group, version, kind.to_string()))
            .map(|(_, n)| *n)
    }

    /// Forgets cached API endpoints (after CRDs are installed).
    pub fn reset_resolver(&self) {
        if let Ok(mut m) = self.resources.lock() {
            m.clear();
        }
        self.discovered
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Adds `GV/Kind` for each resource of a group-version's list, once each. Subresources count
/// with their kind, as in Helm's `GetVersionSet` (`v1/Eviction`).
fn push_kinds(
    api_versions: &mut Vec<String>,
    group_version: &str,
    list: &k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList,
) {
    for r in &list.resources {
        let id = format!("{group_version}/{}", r.kind);
        if !api_versions.contains(&id) {
            api_versions.push(id);
        }
    }
}

/// Go's net error text for a failed connection where we can tell it (refused), else ours.
fn dial_error(e: &kube::Error, url: &str) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return format!(
                    "dial tcp {}: connect: connection refused",
                    dial_address(url)
                );
            }
        }
        source = err.source();
    }
    e.to_string()
}

/// `host:port` as Go's dialer reports it: the address it dialed (a name resolved, IPv4 first).
fn dial_address(url: &str) -> String {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return url.to_string();
    };
    let host = uri
        .host()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    use std::net::ToSocketAddrs;
    let resolved = (host.as_str(), port)
        .to_socket_addrs()
        .ok()
        .and_then(|addrs| {
            let all: Vec<std::net::SocketAddr> = addrs.collect();
            all.iter().find(|a| a.is_ipv4()).or(all.first()).copied()
        });
    match resolved {
        Some(a) => a.to_string(),
        None => format!("{host}:{port}"),
    }
}
