//! The vocabulary of the release API: what every front end (the CLI, the release server, the
//! Python and Node bindings) passes to an action and gets back when it fails.
//!
//! Why in the core: the actions run in `helm-kube` (on a cluster, or sent to a release server),
//! but their options are plain data that the server reads from JSON and the bindings build from
//! keyword arguments. Defining them once here, serde-able, means the server's request bodies
//! *are* these structs and a new option reaches every front end by being added once.
//!
//! Wire format (the release server's JSON bodies): field names as below; `timeout` travels as
//! `timeout_seconds`; `namespace` is not in the body (the URL names it); unknown fields are
//! refused so a misspelt option is an error, not a silent default.

use crate::chart::Chart;
use crate::release::{Release, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Helm's default `--timeout` (5m).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Helm's CLI default for `--history-max` (the SDK's is 0, unlimited); what the release server
/// uses when a request does not say.
pub const DEFAULT_MAX_HISTORY: i64 = 10;

fn default_max_history() -> i64 {
    DEFAULT_MAX_HISTORY
}

/// What kind of failure an action met, as data: front ends decide on this (HTTP status,
/// exception class, `--ignore-not-found`), never on the message's wording. The message stays
/// Helm's text, for printing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request itself is wrong: a bad option, name, chart or manifest; an unsupported mode.
    InvalidInput,
    /// The release (or the asked-for revision) does not exist.
    NotFound,
    /// Install: the name belongs to a release that is not uninstalled.
    NameInUse,
    /// Another operation on the release is in progress (a `pending-*` revision, or a lock).
    Pending,
    /// The request conflicts with the release's or an object's state (already deleted; a
    /// field-manager conflict).
    Conflict,
    /// The API server did not accept the caller's credentials.
    Unauthorized,
    /// The caller may not do this (Kubernetes RBAC).
    Forbidden,
    /// The chart did not render (template, values, schema or dependency errors).
    Render,
    /// Hooks or `--wait` ran out of time.
    Timeout,
    /// The action ran and failed on the cluster (a hook failed, an object was refused).
    Failed,
    /// The cluster could not be reached or answered with an error of its own.
    Cluster,
    /// A release server could not be reached.
    Unavailable,
    /// Anything else (an answer that could not be decoded, an internal fault).
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::NameInUse,
        ErrorKind::Pending,
        ErrorKind::Conflict,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::Render,
        ErrorKind::Timeout,
        ErrorKind::Failed,
        ErrorKind::Cluster,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
    ];

    /// The name used on the wire and by the bindings (`not_found`, `pending`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::NameInUse => "name_in_use",
            ErrorKind::Pending => "pending",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Render => "render",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Failed => "failed",
            ErrorKind::Cluster => "cluster",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The HTTP status the release server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidInput | ErrorKind::Render | ErrorKind::Failed => 422,
            ErrorKind::NotFound => 404,
            ErrorKind::NameInUse | ErrorKind::Pending | ErrorKind::Conflict => 409,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::Timeout => 504,
            ErrorKind::Cluster => 502,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal => 500,
        }
    }

    /// The kind an HTTP error status stands for, when an answer carries no kind of its own
    /// (a proxy's error page, an older server).
    pub fn from_http_status(status: u16) -> ErrorKind {
        match status {
            400 | 413 | 422 => ErrorKind::InvalidInput,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            502 => ErrorKind::Cluster,
            503 => ErrorKind::Unavailable,
            504 => ErrorKind::Timeout,
            _ => ErrorKind::Internal,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an install or upgrade gets its chart. A local client loads or downloads it; a remote
/// client uploads a packaged archive or lets the server download a reference (the server never
/// reads the caller's paths).
#[derive(Clone, Debug)]
pub enum ChartRef {
    /// A chart already loaded (from a directory, an archive, a repository).
    Loaded(Chart),
    /// A packaged chart (`helm package` output).
    Archive(Vec<u8>),
    /// `oci://host/repo/name[:tag]` or an `http(s)://…/chart.tgz` URL; `version` is a constraint
    /// for OCI references without a tag (empty: the newest).
    Reference {
        reference: String,
        version: String,
        plain_http: bool,
    },
    /// `helm install --repo URL NAME --version V`: looked up in that repository's index.
    Repo {
        repo_url: String,
        name: String,
        version: String,
    },
}

impl From<Chart> for ChartRef {
    fn from(c: Chart) -> Self {
        ChartRef::Loaded(c)
    }
}

/// `timeout` as whole seconds on the wire (`timeout_seconds`).
mod opt_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}

/// Declares the options of a release action: serde-able as the release server takes them
/// (unknown fields refused, absent ones at their default), with the namespace the action works
/// in (`-n`; None: the client's), which travels in the request's path instead.
/// How `--wait` decides that an object is ready (Helm 4's `--wait=watcher|legacy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitStrategy {
    /// kstatus, Helm 4's default: workloads fully rolled out, and every object, custom
    /// resources included, neither reconciling (`Reconciling`/`Stalled` conditions true) nor
    /// behind its `metadata.generation`.
    #[default]
    Watcher,
    /// Helm 3's ready checks: Deployments and DaemonSets count as ready with up to
    /// `maxUnavailable` pods not ready; kinds without a rule (custom resources) are ready at once.
    Legacy,
}

impl std::str::FromStr for WaitStrategy {
    type Err = String;
    /// `--wait`'s value (`hookOnly` waits for hooks only and is not a readiness strategy).
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "watcher" | "true" => Ok(WaitStrategy::Watcher),
            "legacy" => Ok(WaitStrategy::Legacy),
            other => Err(format!(
                "invalid wait strategy {other:?}: use watcher or legacy"
            )),
        }
    }
}

macro_rules! action_options {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            #[serde(skip)]
            pub namespace: Option<String>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }
    };
}

/// Declares the options of the actions that deploy a chart (install, upgrade): each struct's
/// own fields, then the flags the two share, listed once; `From<&UpgradeOptions>` for
/// [`InstallOptions`] copies those (`upgrade --install` installs with the upgrade's flags).
macro_rules! deploy_options {
    (shared $shared:tt $($(#[$meta:meta])* pub struct $name:ident $own:tt)*) => {
        $(deploy_options!(@struct $(#[$meta])* $name $own $shared);)*
        deploy_options!(@install_from_upgrade $shared);
    };
    (@struct $(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* } { $($(#[$smeta:meta])* pub $shared:ident: $sty:ty,)* }) => {
        action_options! {
            $(#[$meta])*
            pub struct $name {
                $($(#[$fmeta])* pub $field: $ty,)*
                $($(#[$smeta])* pub $shared: $sty,)*
            }
        }
    };
    (@install_from_upgrade { $($(#[$smeta:meta])* pub $shared:ident: $sty:ty,)* }) => {
        impl From<&UpgradeOptions> for InstallOptions {
            /// An install with the upgrade's shared flags (name, `replace` and the rest: unset).
            fn from(u: &UpgradeOptions) -> InstallOptions {
                InstallOptions { namespace: u.namespace.clone(), $($shared: u.$shared.clone(),)* ..Default::default() }
            }
        }
    };
}

deploy_options! {
    shared {
        /// `--create-namespace` (upgrade: with `install`, when it installs).
        pub create_namespace: bool,
        /// `--skip-crds` (upgrade: with `install`, when it installs).
        pub skip_crds: bool,
        /// `--dry-run` / `--dry-run=client`: render only, nothing stored. Install renders with
        /// default capabilities and an empty `lookup`, without cluster access; upgrade with the
        /// cluster's capabilities.
        pub dry_run: bool,
        /// `--dry-run=server` (a dry run on its own, whatever `dry_run` says): renders against
        /// the cluster (its capabilities, `lookup` reading it) and checks that no existing
        /// object belongs to someone else, as Helm 4.1.4 does; nothing is applied or stored.
        /// Helm 4.1.4 does not send the objects to the API server as a server-side dry run, so
        /// neither do we.
        pub dry_run_server: bool,
        /// `--hide-secret`: with a dry run, each `v1` Secret of the manifest is replaced by
        /// `# HIDDEN: The Secret output has been suppressed`; without one, refused.
        pub hide_secret: bool,
        /// `--description`.
        pub description: Option<String>,
        /// `--labels` (upgrade: none keeps the release's).
        pub labels: BTreeMap<String, String>,
        /// `--no-hooks`.
        pub no_hooks: bool,
        /// `--wait`.
        pub wait: bool,
        /// `--wait=watcher|legacy`: which readiness rules `wait` applies.
        pub wait_strategy: WaitStrategy,
        /// `--wait-for-jobs`: with `wait`, Jobs must complete too.
        pub wait_for_jobs: bool,
        /// `--timeout` (None: 5m).
        #[serde(rename = "timeout_seconds", with = "opt_secs")]
        pub timeout: Option<Duration>,
        /// `--atomic` / `--rollback-on-failure`: on failure, install uninstalls and upgrade
        /// rolls back to the last successful revision.
        pub atomic: bool,
        /// `--force-conflicts`: take over fields owned by other managers.
        pub force_conflicts: bool,
        /// `--skip-schema-validation`.
        pub skip_schema_validation: bool,
        /// `--take-ownership`: adopt existing objects whatever release (or none) owns them.
        pub take_ownership: bool,
        /// `--render-subchart-notes`: subcharts' NOTES too.
        pub render_subchart_notes: bool,
        /// `--post-renderer`: rewrites the rendered documents (hooks included) before they
        /// are sorted, stored and applied. It runs where the action runs, so a release server
        /// refuses a request that carries one.
        #[serde(skip)]
        pub post_renderer: crate::render::PostRenderStep,
    }

    /// `helm install` options (flag names in the docs).
    pub struct InstallOptions {
        /// The release name (None with `generate_name`: `CHART-UNIXTIME`).
        pub name: Option<String>,
        /// `--generate-name`.
        pub generate_name: bool,
        /// `--replace`: reuse the name of an uninstalled/failed release.
        pub replace: bool,
        /// `--server-side` (None: true, Helm 4's default). `Some(false)`: client-side apply as
        /// Helm's (objects created with POST, the release recorded with apply method `csa`).
        pub server_side: Option<bool>,
    }

    /// `helm upgrade` options.
    pub struct UpgradeOptions {
        /// `--install`: install when the release has no history, or only uninstalled revisions
        /// (then the name is reused, as `install --replace`).
        pub install: bool,
        /// `--update-crds` (helm-rs only): apply the chart's `crds/` on upgrade too, creating
        /// the missing CRDs and updating changed ones with server-side apply. A CRD whose new
        /// `spec.versions` drops a version still listed in its `status.storedVersions`
        /// (objects may be stored in it) is refused before anything is written. Helm never
        /// touches `crds/` on upgrade, so without it neither does helm-rs.
        pub update_crds: bool,
        /// `--reuse-values`.
        pub reuse_values: bool,
        /// `--reset-values`.
        pub reset_values: bool,
        /// `--reset-then-reuse-values`.
        pub reset_then_reuse_values: bool,
        /// `--cleanup-on-fail`: delete objects this upgrade created when it fails.
        pub cleanup_on_fail: bool,
        /// `--history-max` (0: unlimited; Rust's `Default` gives 0 as Helm's SDK does, a
        /// request without it gets the CLI's 10).
        #[serde(default = "default_max_history")]
        pub max_history: i64,
        /// `--force-replace` (and the deprecated `--force`): under client-side apply, existing
        /// objects are replaced (PUT) instead of patched. Helm 4 replaces objects only with
        /// client-side apply, so with server-side apply the upgrade fails (after pre-upgrade
        /// hooks, recorded as failed) with Helm's "cannot use server-side apply and force
        /// replace together".
        pub force_replace: bool,
        /// `--server-side` (None: `auto`, the method the release's latest revision was recorded
        /// with). A release recorded with client-side apply (Helm 3, or Helm 4
        /// `--server-side=false`) is upgraded client-side under `auto` and `Some(false)`: each
        /// object patched from the previous revision's object, as Helm's three-way strategic
        /// merge patch (JSON merge patch for custom resources); `Some(true)` moves its objects to
        /// server-side apply (their client-side field ownership handed to the `helm` apply
        /// manager first, as Helm 4 does).
        pub server_side: Option<bool>,
    }
}

impl UpgradeOptions {
    /// The install that `upgrade --install` runs instead when the release does not exist;
    /// `replace` when only uninstalled revisions are left.
    pub fn as_install(&self, name: &str, replace: bool) -> InstallOptions {
        InstallOptions {
            name: Some(name.to_string()),
            replace,
            server_side: self.server_side,
            ..InstallOptions::from(self)
        }
    }
}

action_options! {
    /// `helm-rs recover` options: what to do with a release left `pending-*` by an operation
    /// that was killed before it could record its end.
    pub struct RecoverOptions {
        /// Recover even when the pending revision is younger than `stale_after`: the operation
        /// that wrote it may still be running.
        pub force: bool,
        /// How old a pending revision must be before it is taken as abandoned (None: 5m, the
        /// longest a default operation waits).
        #[serde(rename = "stale_after_seconds", with = "opt_secs")]
        pub stale_after: Option<Duration>,
    }
}

action_options! {
    /// `helm rollback` options.
    pub struct RollbackOptions {
        /// The revision to roll back to (0: the previous one).
        pub revision: i64,
        pub dry_run: bool,
        pub no_hooks: bool,
        pub wait: bool,
        /// As [`UpgradeOptions::wait_strategy`].
        pub wait_strategy: WaitStrategy,
        /// `--wait-for-jobs`: with `wait`, Jobs must complete too.
        pub wait_for_jobs: bool,
        #[serde(rename = "timeout_seconds", with = "opt_secs")]
        pub timeout: Option<Duration>,
        /// As [`UpgradeOptions::max_history`].
        #[serde(default = "default_max_history")]
        pub max_history: i64,
        pub force_conflicts: bool,
        /// `--force-replace` / `--force`, as [`UpgradeOptions::force_replace`].
        pub force_replace: bool,
        /// `--cleanup-on-fail`: delete objects this rollback created when it fails.
        pub cleanup_on_fail: bool,
        /// `--server-side` (None: `auto`, the method of the revision rolled back to), as for
        /// [`UpgradeOptions::server_side`].
        pub server_side: Option<bool>,
    }
}

action_options! {
    /// `helm uninstall` options.
    pub struct UninstallOptions {
        /// `--keep-history`.
        pub keep_history: bool,
        pub dry_run: bool,
        pub no_hooks: bool,
        pub wait: bool,
        #[serde(rename = "timeout_seconds", with = "opt_secs")]
        pub timeout: Option<Duration>,
        /// `--description`.
        pub description: Option<String>,
        /// `--cascade`: how dependents are deleted (`background`, Helm's default, `foreground` or
        /// `orphan`; None: background).
        pub cascade: Option<String>,
    }
}

/// What uninstall did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UninstallResult {
    pub release: Release,
    /// `Kind/name` of objects kept by `helm.sh/resource-policy: keep`.
    pub kept: Vec<String>,
}

/// `helm list` options.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListOptions {
    #[serde(skip)]
    pub namespace: Option<String>,
    /// `-A`.
    pub all_namespaces: bool,
    /// `-a/--all`: every status.
    pub all: bool,
    /// Explicit states (`--deployed`, `--failed`, `--pending`, `--superseded`, `--uninstalled`,
    /// `--uninstalling`); empty: deployed + failed (or all with `all`).
    pub states: Vec<Status>,
    /// `-f/--filter` regular expression on the name.
    pub filter: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name_and_status() {
        for k in ErrorKind::ALL {
            assert_eq!(ErrorKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
        }
        assert_eq!(
            ErrorKind::from_http_status(ErrorKind::NotFound.http_status()),
            ErrorKind::NotFound
        );
        assert_eq!(
            ErrorKind::from_http_status(ErrorKind::Forbidden.http_status()),
            ErrorKind::Forbidden
        );
    }

    #[test]
    fn options_on_the_wire() {
        let o: UpgradeOptions =
            serde_json::from_str(r#"{"install": true, "timeout_seconds": 30}"#).unwrap();
        assert!(o.install);
        assert_eq!(o.timeout, Some(Duration::from_secs(30)));
        assert_eq!(
            o.max_history, DEFAULT_MAX_HISTORY,
            "a request without it gets the CLI's default"
        );
        assert_eq!(
            UpgradeOptions::default().max_history,
            0,
            "the SDK default: unlimited"
        );
        let e = serde_json::from_str::<InstallOptions>(r#"{"wiat": true}"#)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("unknown field `wiat`"), "{e}");
        assert!(
            serde_json::from_str::<InstallOptions>(r#"{"namespace": "x"}"#).is_err(),
            "the namespace is the URL's"
        );
        let back: InstallOptions = serde_json::from_value(
            serde_json::to_value(InstallOptions {
                wait: true,
                timeout: Some(Duration::from_secs(7)),
                ..Default::default()
            })
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            (back.wait, back.timeout),
            (true, Some(Duration::from_secs(7)))
        );
    }

    #[test]
    fn upgrade_install_carries_the_shared_options() {
        let u = UpgradeOptions {
            install: true,
            create_namespace: true,
            wait: true,
            atomic: true,
            namespace: Some("n".into()),
            ..Default::default()
        };
        let i = u.as_install("web", true);
        assert_eq!(
            (
                i.name.as_deref(),
                i.replace,
                i.create_namespace,
                i.wait,
                i.atomic,
                i.namespace.as_deref()
            ),
            (Some("web"), true, true, true, true, Some("n"))
        );
    }
}
