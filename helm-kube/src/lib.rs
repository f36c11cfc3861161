//! helm-kube: Helm releases on a real Kubernetes API server (kube-rs + k8s-openapi + tokio),
//! interoperable with Helm 4 (same storage records, same ownership metadata, same apply
//! method), on top of helm-core's pure release logic (`helm_core::release`).
//!
//! # The release API
//!
//! [`ReleaseApi`] is the one interface every front end uses (the CLI, the release server's
//! handlers, the Python and Node bindings): [`Client`] runs it on a cluster,
//! [`RemoteClient`] sends it to a `helm-rs serve` release server. Options are
//! [`helm_core::release::api`]'s structs (the server's request bodies are those structs);
//! failures are [`Error`]s whose [`Error::kind`] says what went wrong as data.
//!
//! ```no_run
//! # async fn demo() -> Result<(), helm_kube::Error> {
//! use helm_kube::{ChartRef, Client, ClientOptions, InstallOptions, ListOptions, ReleaseApi, RollbackOptions, UninstallOptions, UpgradeOptions};
//! let client = Client::new(ClientOptions {
//!     kubeconfig: Some("/tmp/kenv/kubeconfig".into()), // None: $KUBECONFIG, ~/.kube/config, in-cluster
//!     context: None,                                   // --kube-context
//!     namespace: Some("apps".into()),                  // -n (None: the context's namespace)
//!     ..Default::default()                             // driver: Secret (or DriverKind::ConfigMap)
//! }).await?;
//! let chart = helm_core::chart::load("./mychart".as_ref()).expect("chart");
//! let values = helm_core::Value::empty_map();              // the user's merged -f/--set values
//! let rel = client.install(ChartRef::Loaded(chart.clone()), &values, InstallOptions { name: Some("web".into()), ..Default::default() }).await?;
//! let rel = client.upgrade("web", chart, &values, UpgradeOptions { max_history: 10, install: true, ..Default::default() }).await?;
//! let rel = client.rollback("web", RollbackOptions { revision: 1, ..Default::default() }).await?;
//! let st = client.get_release("web", None, 0).await?;      // status / get (0: latest revision)
//! let hist = client.history("web", None).await?;           // oldest first
//! let all = client.list(ListOptions { all_namespaces: true, ..Default::default() }).await?;
//! let vals = client.get_values("web", None, 0, false).await?;
//! match client.uninstall("web", UninstallOptions::default()).await {
//!     Err(e) if e.kind() == helm_kube::ErrorKind::NotFound => {} // already gone
//!     other => { other?; }
//! }
//! # Ok(()) }
//! ```
//!
//! Records are [`helm_core::release::Release`] (Helm's JSON). The actions run on any
//! [`Cluster`] (what they need from one: storage, object get/apply/delete, waits); [`Client`]
//! is the Kubernetes one, [`FakeCluster`] an in-memory one whose failures tests inject. Lower-level
//! pieces are public too: [`Client::capabilities`] (discovery → `.Capabilities`),
//! [`KubeStorage`] (the Secret / ConfigMap drivers, a [`helm_core::release::ReleaseStorage`]),
//! and the [`Cluster`] operations on a `Client` (server-side apply with field manager `helm`,
//! `--wait` readiness).
//!
//! Behaviour follows Helm 4.1.4: objects get `meta.helm.sh/release-name`/`-namespace`
//! annotations and `app.kubernetes.io/managed-by: Helm`; existing objects without them are
//! refused with Helm's "invalid ownership metadata" error; an upgrade deletes what its manifest
//! dropped unless annotated `helm.sh/resource-policy: keep`; hooks run by weight with delete
//! policies (default `before-hook-creation`); a `pending-*` release refuses upgrade/rollback
//! with "another operation (install/upgrade/rollback) is in progress".
//!
//! Templates' `lookup` reads the cluster during install/upgrade ([`Cluster::lookup`]; rendering
//! runs on a blocking thread that waits on the runtime per call); client dry-runs see empty maps.
//!
//! Progress (hooks, applied/deleted objects, what `--wait` waits for, records written) goes to
//! the sink set by [`Client::with_progress`] ([`cluster::progress`]).
//!
//! `--dry-run=server` ([`InstallOptions::dry_run_server`]) renders against the cluster and
//! checks ownership, as Helm 4.1.4 (which does not send a server-side dry run either).
//!
//! `--server-side`, as Helm 4: installs apply server-side unless `server_side: Some(false)`;
//! upgrades and rollbacks under `auto` keep the apply method the release was recorded with. A
//! client-side release (Helm 3's, or Helm 4 `--server-side=false`; `apply_method` `csa` or
//! empty) is applied client-side ([`cluster::client_side`]): new objects created with POST,
//! existing ones patched with Helm's patch from the previous revision's object, the new one
//! and the live one (a three-way strategic merge patch, its patch metadata read from the API
//! server's OpenAPI v3; a JSON merge patch for custom resources), replaced with PUT under
//! `--force-replace`. `server_side: Some(true)` moves a client-side release to server-side
//! apply, first handing the objects' client-side field ownership to the `helm` apply manager
//! (client-go's `csaupgrade`), as Helm 4 does.
//!
//! `helm status` ([`ReleaseApi::status`]) fills `info.resources` from the cluster: the API
//! server's Table renderings (for the table printer) or the objects, plus related pods.
//!
//! Not yet: kstatus-exact `--wait` messages, hook output logs; hooks are applied server-side
//! even in a client-side release (Helm creates them with POST there).

//! # Modules, by concern
//!
//! - [`api`]: the [`ReleaseApi`] trait and where charts come from ([`ChartRef`] resolution).
//! - [`cluster`]: the actions on a Kubernetes API server (kube-rs): [`Client`], the Secret /
//!   ConfigMap storage drivers, object apply/wait/hooks, progress events.
//! - [`remote`]: [`RemoteClient`], the same API sent to a release server.
//! - [`server`] (cargo feature `server`, on by default): the release server itself (hyper,
//!   rustls). Programs that only call the API (the bindings) build without it.
//! - [`repo`]: chart-repository and OCI-registry transport (no cluster needed); its `_observed`
//!   functions report each transfer's bytes to a [`repo::TransferObserver`].
//! - [`plan`]: what an install or upgrade would change (a dry run compared with the release's
//!   current objects), as structured data.
//! - [`summary`]: the release API as the Python and Node bindings hand it on (values as
//!   written, releases as summaries, one failure type).
//! - [`error`]: the one error enum of this crate, each error with its kind.

pub mod api;
pub mod cluster;
pub mod error;
pub mod plan;
pub mod post_render;
pub mod remote;
pub mod repo;
#[cfg(feature = "server")]
pub mod server;
pub mod summary;

pub use api::{chart_archive, loaded_chart_archive, resolve_chart, ReleaseApi};
pub use cluster::actions::{merge_values, template_on_cluster};
pub use cluster::client::{Client, ClientOptions, ClusterCapabilities};
pub use cluster::fake::FakeCluster;
pub use cluster::progress::{NotReady, Progress, ProgressEvent};
pub use cluster::storage::{object_name, DriverKind, KubeStorage, Storage};
pub use cluster::Cluster;
pub use error::{Error, Result};
pub use helm_core::release::api::{
    ChartRef, ErrorKind, InstallOptions, ListOptions, RecoverOptions, RollbackOptions,
    UninstallOptions, UninstallResult, UpgradeOptions, WaitStrategy, DEFAULT_TIMEOUT,
};
pub use remote::RemoteClient;
