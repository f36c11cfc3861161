//! Release commands (`install`, `upgrade`, `rollback`, `uninstall`, `status`, `history`,
//! `list`, `get`, `test`): Helm's flags and output texts over `helm_kube`'s async API, run on
//! a single-threaded tokio runtime. Output formats were checked against Helm 4.1.4.

use crate::{CmdError, ValueArgs};
use clap::{Args, Subcommand};
use helm_core::release::{Release, Status};
// slog's text handler quotes with strconv.Quote, which this is.
use helm_core::gocompat::strconv::go_quote;
use helm_core::values::{json as gojson, yaml, Value};
use helm_kube::RemoteClient;
use helm_kube::{ChartRef, Client, ErrorKind, ReleaseApi};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The cluster flags, with Helm's other global flags in `crate::settings`.
pub use crate::settings::KubeArgs;

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Install a chart.
    Install(InstallArgs),
    /// Upgrade a release.
    Upgrade(UpgradeArgs),
    /// Roll back a release to a previous revision.
    Rollback(RollbackArgs),
    /// Uninstall a release.
    #[command(alias = "delete", alias = "del", alias = "un")]
    Uninstall(UninstallArgs),
    /// Display the status of the named release.
    Status(StatusArgs),
    /// Fetch release history.
    #[command(alias = "hist")]
    History(HistoryArgs),
    /// List releases.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Download extended information of a named release.
    Get {
        #[command(subcommand)]
        what: GetCommand,
    },
    /// Run tests for a release.
    Test(TestArgs),
    /// Mark a release left pending by a killed operation as failed, so the next upgrade or rollback can run (helm-rs only).
    Recover(RecoverArgs),
}

#[derive(Args)]
pub struct RecoverArgs {
    pub name: String,
    /// recover even if the pending revision is younger than --stale-after (its operation may still be running)
    #[arg(long)]
    pub force: bool,
    /// how old a pending revision must be to be taken as abandoned (Go duration)
    #[arg(long = "stale-after", default_value = "5m0s")]
    pub stale_after: String,
}

/// Flags shared by install and upgrade.
#[derive(Args, Clone, Default)]
pub struct DeployArgs {
    #[command(flatten)]
    pub values: ValueArgs,
    /// simulate: `client` renders offline; `server` renders against the cluster (lookup, capabilities, ownership checks); nothing is changed
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "client", require_equals = true)]
    pub dry_run: Option<String>,
    /// hide Kubernetes Secrets when also using the --dry-run flag
    #[arg(long = "hide-secret")]
    pub hide_secret: bool,
    /// update dependencies if they are missing before installing the chart
    #[arg(long = "dependency-update")]
    pub dependency_update: bool,
    /// add a custom description
    #[arg(long)]
    pub description: Option<String>,
    /// Labels that would be added to release metadata (k=v,k2=v2)
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// prevent hooks from running
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// wait until all resources are ready (optional value: watcher/legacy/hookOnly)
    #[arg(long, num_args = 0..=1, default_missing_value = "watcher", require_equals = true)]
    pub wait: Option<String>,
    /// also wait for Jobs to complete
    #[arg(long = "wait-for-jobs")]
    pub wait_for_jobs: bool,
    /// time to wait for any individual Kubernetes operation (Go duration, default 5m0s)
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
    /// roll back (uninstall for install) on failure
    #[arg(long, alias = "rollback-on-failure")]
    pub atomic: bool,
    /// take ownership of fields another field manager owns
    #[arg(long = "force-conflicts")]
    pub force_conflicts: bool,
    /// force resource updates by replacement (refused with server-side apply, as Helm 4 does)
    #[arg(long = "force-replace")]
    pub force_replace: bool,
    /// skip the values schema check
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// adopt existing objects whatever release owns them
    #[arg(long = "take-ownership")]
    pub take_ownership: bool,
    /// render subcharts' NOTES.txt along with the chart's
    #[arg(long = "render-subchart-notes")]
    pub render_subchart_notes: bool,
    #[command(flatten)]
    pub post_render: crate::plugin::postrender::PostRendererArgs,
    /// do not print NOTES
    #[arg(long = "hide-notes")]
    pub hide_notes: bool,
    /// table, json or yaml
    #[arg(short = 'o', long, default_value = "table")]
    pub output: String,
    /// chart version constraint (for repository and OCI references)
    #[arg(long)]
    pub version: Option<String>,
    #[arg(long)]
    pub devel: bool,
    #[command(flatten)]
    pub source: crate::repo::ChartSourceArgs,
    /// show progress on standard error: auto (a live table on a terminal, else nothing), table, plain (one line per event) or none (helm-rs only; also HELM_RS_PROGRESS)
    #[arg(long)]
    pub progress: Option<String>,
    /// print what would change (helm-diff's report and a Plan line; -o json: the structured plan) and stop (helm-rs only)
    #[arg(long)]
    pub plan: bool,
}

#[derive(Args)]
pub struct InstallArgs {
    /// `[NAME] CHART`
    pub args: Vec<String>,
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// create the release namespace if not present
    #[arg(long = "create-namespace")]
    pub create_namespace: bool,
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,
    /// re-use the given name, only if that name is a deleted release
    #[arg(long)]
    pub replace: bool,
    /// if set, no CRDs will be installed
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,
    /// object updates run in the server instead of the client (default true; false is refused: helm-rs applies server-side only)
    #[arg(long = "server-side", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub server_side: Option<String>,
}

/// How an upgrade starts from the release's values (upgrade and `diff upgrade`).
#[derive(Args, Clone, Copy, Default)]
pub struct ReuseArgs {
    #[arg(long = "reuse-values")]
    pub reuse_values: bool,
    #[arg(long = "reset-values")]
    pub reset_values: bool,
    #[arg(long = "reset-then-reuse-values")]
    pub reset_then_reuse_values: bool,
}

#[derive(Args)]
pub struct UpgradeArgs {
    /// `RELEASE CHART`
    pub args: Vec<String>,
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// if a release by this name doesn't already exist, run an install
    #[arg(short = 'i', long)]
    pub install: bool,
    #[arg(long = "create-namespace")]
    pub create_namespace: bool,
    #[command(flatten)]
    pub reuse: ReuseArgs,
    /// deprecated: use --force-replace (Helm 4 prints the same notice)
    #[arg(long)]
    pub force: bool,
    #[arg(long = "cleanup-on-fail")]
    pub cleanup_on_fail: bool,
    /// limit the maximum number of revisions saved per release. Use 0 for no limit
    #[arg(long = "history-max", alias = "max-history", default_value_t = 10)]
    pub max_history: i64,
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,
    /// also apply the chart's crds/ (create missing CRDs, update changed ones server-side); refuses a CRD that drops a version still in its status.storedVersions (helm-rs only)
    #[arg(long = "update-crds")]
    pub update_crds: bool,
    /// must be "true", "false" or "auto": "auto" uses the method the release was deployed with
    #[arg(long = "server-side", default_value = "auto")]
    pub server_side: String,
}

/// `--no-hooks`, `--wait` and `--timeout` of rollback and uninstall.
#[derive(Args)]
pub struct HooksWaitArgs {
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    #[arg(long, num_args = 0..=1, default_missing_value = "watcher", require_equals = true)]
    pub wait: Option<String>,
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
}

impl HooksWaitArgs {
    /// (no hooks, wait, timeout) as the release API takes them.
    fn options(&self) -> Result<(bool, bool, Option<std::time::Duration>), CmdError> {
        Ok((
            self.no_hooks,
            self.wait.is_some(),
            Some(parse_go_duration(&self.timeout)?),
        ))
    }
}

#[derive(Args)]
pub struct RollbackArgs {
    /// `RELEASE [REVISION]`
    pub args: Vec<String>,
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "client", require_equals = true)]
    pub dry_run: Option<String>,
    #[command(flatten)]
    pub hooks_wait: HooksWaitArgs,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful
    #[arg(long = "wait-for-jobs")]
    pub wait_for_jobs: bool,
    /// limit the maximum number of revisions saved per release. Use 0 for no limit
    #[arg(long = "history-max", alias = "max-history", default_value_t = 10)]
    pub max_history: i64,
    #[arg(long = "force-conflicts")]
    pub force_conflicts: bool,
    /// force resource updates by replacement (refused with server-side apply, as Helm 4 does)
    #[arg(long = "force-replace")]
    pub force_replace: bool,
    /// deprecated: use --force-replace
    #[arg(long)]
    pub force: bool,
    #[arg(long = "cleanup-on-fail")]
    pub cleanup_on_fail: bool,
    /// must be "true", "false" or "auto": "auto" uses the method of the revision rolled back to
    #[arg(long = "server-side", default_value = "auto")]
    pub server_side: String,
}

#[derive(Args)]
pub struct UninstallArgs {
    /// `RELEASE_NAME [...]`
    pub names: Vec<String>,
    #[arg(long = "keep-history")]
    pub keep_history: bool,
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    #[command(flatten)]
    pub hooks_wait: HooksWaitArgs,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long = "ignore-not-found")]
    pub ignore_not_found: bool,
    /// "background", "orphan" or "foreground": how the objects' dependents are deleted
    #[arg(long, default_value = "background")]
    pub cascade: String,
}

#[derive(Args)]
pub struct StatusArgs {
    pub name: String,
    #[arg(long, default_value_t = 0)]
    pub revision: i64,
    #[arg(short = 'o', long, default_value = "table")]
    pub output: String,
}

#[derive(Args)]
pub struct HistoryArgs {
    pub name: String,
    #[arg(long, default_value_t = 256)]
    pub max: usize,
    #[arg(short = 'o', long, default_value = "table")]
    pub output: String,
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    #[arg(short = 'f', long)]
    pub filter: Option<String>,
    #[arg(long)]
    pub deployed: bool,
    #[arg(long)]
    pub failed: bool,
    #[arg(long)]
    pub pending: bool,
    #[arg(long)]
    pub superseded: bool,
    #[arg(long)]
    pub uninstalled: bool,
    #[arg(long)]
    pub uninstalling: bool,
    #[arg(short = 'q', long)]
    pub short: bool,
    #[arg(long = "no-headers")]
    pub no_headers: bool,
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// format time using a Go time layout, e.g. "2006-01-02 15:04:05Z0700"
    #[arg(long = "time-format")]
    pub time_format: Option<String>,
    #[arg(short = 'd', long)]
    pub date: bool,
    #[arg(short = 'm', long, default_value_t = 256)]
    pub max: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(short = 'o', long, default_value = "table")]
    pub output: String,
}

#[derive(Args)]
pub struct GetArgs {
    pub name: String,
    #[arg(long, default_value_t = 0)]
    pub revision: i64,
}

#[derive(Args)]
pub struct GetAllArgs {
    #[command(flatten)]
    pub get: GetArgs,
    /// go template for formatting the output, eg: {{.Release.Name}}
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Subcommand)]
pub enum GetCommand {
    /// download all information for a named release
    All(GetAllArgs),
    /// download the hooks for a named release
    Hooks(GetArgs),
    /// download the manifest for a named release
    Manifest(GetArgs),
    /// download the notes for a named release
    Notes(GetArgs),
    /// fetch metadata for a given release
    Metadata {
        #[command(flatten)]
        get: GetArgs,
        #[arg(short = 'o', long, default_value = "table")]
        output: String,
    },
    /// download the values file for a named release
    Values {
        #[command(flatten)]
        get: GetArgs,
        #[arg(short = 'a', long)]
        all: bool,
        #[arg(short = 'o', long, default_value = "table")]
        output: String,
    },
}

#[derive(Args)]
pub struct TestArgs {
    pub name: String,
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
}

fn err<E: std::fmt::Display>(e: E) -> CmdError {
    CmdError(e.to_string())
}

fn out(s: &str) {
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

/// Go's `time.ParseDuration` for the forms Helm users write (`300s`, `5m0s`, `1h2m3.5s`, `500ms`).
pub fn parse_go_duration(s: &str) -> Result<Duration, CmdError> {
    let bad = || {
        CmdError(format!(
            "invalid argument \"{s}\" for \"--timeout\" flag: time: invalid duration \"{s}\""
        ))
    };
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut rest = s;
    let mut total = 0f64;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (num, tail) = rest.split_at(n);
        let v: f64 = num.parse().map_err(|_| bad())?;
        let u = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(u);
        let mult = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += v * mult;
        rest = tail;
    }
    Ok(Duration::from_secs_f64(total))
}

fn runtime() -> Result<tokio::runtime::Runtime, CmdError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(err)
}

/// `helm template --dry-run=server`: rendered with the cluster's capabilities and `lookup`.
/// The outer error is the cluster's (unreachable, forbidden); the inner one rendering's.
pub(crate) fn template_on_cluster(
    kube: &KubeArgs,
    chart: helm_core::chart::Chart,
    values: &helm_core::Value,
    opts: helm_core::render::TemplateOptions,
) -> Result<Result<helm_core::render::TemplateOutput, helm_core::render::RenderError>, CmdError> {
    runtime()?.block_on(async {
        let c = client(kube).await?;
        if let Err(e) = connected(&c).await {
            // Helm's install action (which template runs) logs the failed check, then fails.
            let msg = format!("cluster reachability check failed: {}", e.0);
            eprintln!("level=ERROR msg={}", crate::slog::value(&msg));
            return Err(CmdError(msg));
        }
        match helm_kube::template_on_cluster(&c, chart, values, opts).await {
            Ok(out) => Ok(Ok(out)),
            Err(helm_kube::Error::Render(e)) => Ok(Err(e)),
            Err(e) => Err(err(e)),
        }
    })
}

pub(crate) async fn client(k: &KubeArgs) -> Result<Client, CmdError> {
    let namespace = namespace_of(k);
    Client::new(k.client_options(namespace).map_err(err)?)
        .await
        .map_err(err)
}

/// `-n`, else `$HELM_NAMESPACE`.
fn namespace_of(k: &KubeArgs) -> Option<String> {
    k.namespace.clone().or_else(|| {
        std::env::var("HELM_NAMESPACE")
            .ok()
            .filter(|s| !s.is_empty())
    })
}

/// Whether the cluster (or server) answers, as Helm's commands check first.
async fn connected<C: ReleaseApi>(c: &C) -> Result<(), CmdError> {
    c.reachable().await.map_err(err)
}

/// What a command run needs beside its client: whether the client is a release server (charts
/// are then sent as archives or references), and whether `upgrade --install` went on to
/// install (its errors then read `INSTALLATION FAILED`).
#[derive(Clone, Default)]
struct Session {
    remote: bool,
    installing: Arc<AtomicBool>,
}

/// Progress of the action on standard error, as [`crate::progress`] chooses (a live table on a
/// terminal, nothing when piped, so piped output stays identical to Helm's).
///
/// Failed upgrades and rollbacks are always logged, as Helm's `level=WARN` lines; an
/// `upgrade --install` that installs prints Helm's line saying so (table output only).
fn show_progress(
    c: Client,
    mode: crate::progress::Mode,
    table_output: bool,
    session: &Session,
) -> Client {
    let installing = session.installing.clone();
    let table = Arc::new(std::sync::Mutex::new(crate::progress::Table::default()));
    c.with_progress(Arc::new(move |ev: helm_kube::ProgressEvent| {
        match &ev {
            helm_kube::ProgressEvent::ActionFailed {
                action,
                name,
                error,
            } => {
                let text = match action.as_str() {
                    "rollback" => format!(
                        "level=WARN msg={}\n",
                        go_quote(&format!("Rollback {} failed: {error}", go_quote(name)))
                    ),
                    _ => format!(
                        "level=WARN msg=\"{action} failed\" name={} error={}\n",
                        crate::slog::value(name),
                        crate::slog::value(error)
                    ),
                };
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
                return;
            }
            helm_kube::ProgressEvent::InstallingInstead { name, .. } => {
                installing.store(true, Ordering::SeqCst);
                if table_output {
                    out(&format!(
                        "Release \"{name}\" does not exist. Installing it now.\n"
                    ));
                }
                return;
            }
            _ => {}
        }
        crate::progress::show(mode, &table, &ev);
    }))
}

fn labels(list: &[String]) -> Result<BTreeMap<String, String>, CmdError> {
    let mut m = BTreeMap::new();
    for kv in list.iter().filter(|s| !s.is_empty()) {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| CmdError(format!("invalid label: {kv:?}")))?;
        m.insert(k.to_string(), v.to_string());
    }
    Ok(m)
}

impl ReleaseCommand {
    /// What cobra prints on standard error when a deprecated flag is used, before the command
    /// runs.
    pub fn deprecation_notices(&self) {
        let force = match self {
            ReleaseCommand::Upgrade(a) => a.force,
            ReleaseCommand::Rollback(a) => a.force,
            _ => false,
        };
        if force {
            eprintln!("Flag --force has been deprecated, use --force-replace instead");
        }
    }
}

impl ReleaseCommand {
    /// The argument errors Helm reports before it touches any configuration (cobra checks
    /// arguments first), so they come before a bad `--kubeconfig` does.
    fn check_args(&self) -> Result<(), CmdError> {
        match self {
            ReleaseCommand::Install(a) => install_args(a).map(|_| ()),
            ReleaseCommand::Upgrade(a) => upgrade_args(a).map(|_| ()),
            ReleaseCommand::Rollback(a) => rollback_args(a).map(|_| ()),
            ReleaseCommand::Uninstall(a) => uninstall_args(a),
            _ => Ok(()),
        }
    }

    /// How progress shows (`--progress`, `--debug`, a terminal) and whether the result prints
    /// as a table (install/upgrade).
    fn progress_flags(&self) -> Result<(crate::progress::Mode, bool), CmdError> {
        use std::io::IsTerminal;
        let (flag, debug, table) = match self {
            ReleaseCommand::Install(a) => (
                a.deploy.progress.as_deref(),
                crate::settings::debug(),
                a.deploy.output == "table",
            ),
            ReleaseCommand::Upgrade(a) => (
                a.deploy.progress.as_deref(),
                crate::settings::debug(),
                a.deploy.output == "table",
            ),
            _ => (None, false, true),
        };
        let mode = crate::progress::Mode::choose(flag, debug, std::io::stderr().is_terminal())
            .map_err(CmdError)?;
        crate::transfer::configure(flag)?;
        Ok((mode, table))
    }
}

/// Where release commands run: on the cluster of the kubeconfig, or on a `helm-rs serve`
/// release server (`--server URL`, with the caller's token).
pub enum Target {
    Cluster,
    Server { url: String, token: Option<String> },
}

/// Runs one release command against `target`: the commands are written once, over
/// [`ReleaseApi`], and the target only decides which client they get.
pub fn run(cmd: ReleaseCommand, target: Target, kube: &KubeArgs) -> Result<(), CmdError> {
    cmd.check_args()?;
    let rt = runtime()?;
    rt.block_on(async move {
        match target {
            Target::Server { url, token } => {
                let token = token
                    .or_else(|| std::env::var("HELM_RS_TOKEN").ok())
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        CmdError("--server needs a token: --token or HELM_RS_TOKEN".into())
                    })?;
                let c =
                    RemoteClient::new(&url, &token, namespace_of(kube).as_deref()).map_err(err)?;
                run_on(
                    &c,
                    cmd,
                    Session {
                        remote: true,
                        ..Default::default()
                    },
                )
                .await
            }
            Target::Cluster => {
                let session = Session::default();
                let (mode, table) = cmd.progress_flags()?;
                let c = show_progress(client(kube).await?, mode, table, &session);
                run_on(&c, cmd, session).await
            }
        }
    })
}

async fn run_on<C: ReleaseApi>(
    c: &C,
    cmd: ReleaseCommand,
    session: Session,
) -> Result<(), CmdError> {
    match cmd {
        ReleaseCommand::Install(a) => install(c, a, &session).await,
        ReleaseCommand::Upgrade(a) => upgrade(c, a, &session).await,
        ReleaseCommand::Rollback(a) => rollback(c, a).await,
        ReleaseCommand::Uninstall(a) => uninstall(c, a).await,
        ReleaseCommand::Status(a) => status(c, a).await,
        ReleaseCommand::History(a) => history(c, a).await,
        ReleaseCommand::List(a) => list(c, a).await,
        ReleaseCommand::Get { what } => get(c, what).await,
        ReleaseCommand::Test(a) => test(c, a).await,
        ReleaseCommand::Recover(a) => recover(c, a).await,
    }
}

/// A chart directory or archive, or a `repo/chart`, `oci://` or `https://` reference
/// (downloaded to a temporary directory first, as `template` and `pull` do).
pub(crate) fn load_chart(
    path: &str,
    version: Option<&str>,
    devel: bool,
    source: &crate::repo::ChartSourceArgs,
) -> Result<helm_core::chart::Chart, CmdError> {
    // Downloads use a blocking HTTP client, which must not live on the async runtime the
    // release commands run on: the chart is located on a thread of its own.
    let (located, _download_dir) = std::thread::scope(|s| {
        s.spawn(|| crate::repo::locate_chart(path, version, devel, false, source))
            .join()
            .unwrap_or_else(|_| Err(CmdError("locating the chart failed".into())))
    })?;
    let chart = helm_core::chart::load(&located)?;
    if chart.metadata.deprecated {
        eprintln!("level=WARN msg=\"this chart is deprecated\"");
    }
    Ok(chart)
}

/// The chart of an install or upgrade. On a cluster: loaded here (repositories and registries
/// with this machine's credentials). For a release server: a local chart is packaged and
/// uploaded; `oci://` and `http(s)://` references, and `repo/chart` of a repository in the
/// local repositories.yaml (sent as its URL plus the chart's name), are downloaded by the
/// server, anonymously (credentials stay here).
fn chart_ref<C: ReleaseApi>(
    c: &C,
    chart: &str,
    version: Option<&str>,
    devel: bool,
    source: &crate::repo::ChartSourceArgs,
    session: &Session,
) -> Result<ChartRef, CmdError> {
    if !session.remote {
        return load_chart(chart, version, devel, source).map(ChartRef::Loaded);
    }
    let path = std::path::Path::new(chart);
    let version = version.unwrap_or("").to_string();
    // `--repo URL NAME`: the server downloads it (anonymously, as any reference it fetches).
    if let Some(repo_url) = &source.repo {
        return Ok(ChartRef::Repo {
            repo_url: repo_url.clone(),
            name: chart.to_string(),
            version,
        });
    }
    if path.exists() {
        return c.local_chart(path).map_err(err);
    }
    if chart.starts_with("oci://") || chart.starts_with("http://") || chart.starts_with("https://")
    {
        return Ok(ChartRef::Reference {
            reference: chart.to_string(),
            version,
            plain_http: false,
        });
    }
    match chart.split_once('/') {
        Some((repo, name)) if !path.is_absolute() && !chart.starts_with('.') => {
            let repos = helm_core::repo::RepoFile::load_file_or_empty(
                &helm_core::repo::paths::repository_config(),
            )
            .map_err(err)?;
            let entry = repos
                .get(repo)
                .ok_or_else(|| CmdError(format!("repo {repo} not found")))?;
            Ok(ChartRef::Repo {
                repo_url: entry.url.clone(),
                name: name.to_string(),
                version,
            })
        }
        _ => Err(CmdError(format!("path {chart:?} not found"))),
    }
}

/// Helm's check of a loaded chart's dependencies before an install or upgrade: a dependency
/// listed in Chart.yaml but missing from `charts/` is an error, unless `--dependency-update`
/// asked to fetch it (the chart directory is updated and loaded again by `reload`).
fn missing_dependencies(
    chart: ChartRef,
    chart_path: &str,
    update: bool,
    reload: impl FnOnce() -> Result<ChartRef, CmdError>,
) -> Result<ChartRef, CmdError> {
    let ChartRef::Loaded(ch) = &chart else {
        return Ok(chart);
    };
    let Err(e) = ch.check_dependencies() else {
        return Ok(chart);
    };
    let dir = std::path::Path::new(chart_path);
    if !update || !dir.is_dir() {
        return Err(CmdError(format!(
            "{}{e}",
            helm_core::chart::CHECK_DEPENDENCIES_PREFIX
        )));
    }
    // Blocking downloads, off the async runtime (as in load_chart).
    std::thread::scope(|s| {
        s.spawn(|| crate::repo::update_chart_dependencies(dir))
            .join()
            .unwrap_or_else(|_| Err(CmdError("updating the dependencies failed".into())))
    })?;
    reload().map_err(|e| CmdError(format!("failed reloading chart after repo update: {}", e.0)))
}

/// cobra's deprecation notice for `--atomic` (Helm 4 renamed it `--rollback-on-failure`).
fn warn_atomic() {
    if std::env::args().any(|a| a == "--atomic" || a.starts_with("--atomic=")) {
        eprintln!("Flag --atomic has been deprecated, use --rollback-on-failure instead");
    }
}

/// Helm 4's `--server-side` value (`auto`: None).
fn server_side_flag(v: &str) -> Result<Option<bool>, CmdError> {
    match v {
        "auto" => Ok(None),
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        other => Err(CmdError(format!(
            "invalid server-side value ({other}). Must be \"true\", \"false\", or \"auto\""
        ))),
    }
}

/// `--dry-run[=client|server|none]` → (dry run, server dry run).
fn dry_run_mode(d: &Option<String>) -> Result<(bool, bool), CmdError> {
    match d.as_deref() {
        None | Some("none") | Some("false") => Ok((false, false)),
        Some("client") | Some("true") => Ok((true, false)),
        Some("server") => Ok((true, true)),
        Some(other) => Err(CmdError(format!(
            "invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\""
        ))),
    }
}

/// Helm 4's warnings for the deprecated spellings of `--dry-run` (the bare flag, Go booleans).
fn warn_dry_run_spelling(d: &Option<String>) {
    if d.is_none() {
        return;
    }
    if std::env::args().any(|x| x == "--dry-run") {
        eprintln!("level=WARN msg=\"--dry-run is deprecated and should be replaced with '--dry-run=client'\"");
    } else if let Some(m @ ("1" | "t" | "T" | "TRUE" | "true" | "True")) = d.as_deref() {
        eprintln!("level=WARN msg=\"boolean '--dry-run={m}' flag is deprecated and must be replaced with '--dry-run=client'\"");
    }
}

fn dry_run_flag(d: &Option<String>) -> Result<bool, CmdError> {
    Ok(dry_run_mode(d)?.0)
}

/// Cobra's error for a wrong number of arguments, naming the binary as it was invoked (`helm`
/// when helm-rs is installed as `helm`, as tools that exec `helm` parse these texts).
pub(crate) fn usage_error(cmd: &str, need: &str, usage: &str) -> CmdError {
    let bin = crate::usage::program_name();
    CmdError(format!(
        "\"{bin} {cmd}\" requires {need}\n\nUsage:  {bin} {cmd} {usage} [flags]"
    ))
}

/// `install [NAME] CHART` (or `CHART` with `--generate-name`).
fn install_args(a: &InstallArgs) -> Result<(Option<String>, String), CmdError> {
    match (a.args.as_slice(), a.generate_name) {
        ([chart], true) => Ok((None, chart.clone())),
        ([name, chart], false) => Ok((Some(name.clone()), chart.clone())),
        ([_], false) => Err(CmdError(
            "INSTALLATION FAILED: must either provide a name or specify --generate-name".into(),
        )),
        ([_, _], true) => Err(CmdError(
            "INSTALLATION FAILED: cannot set --generate-name and also specify a name".into(),
        )),
        _ => Err(usage_error(
            "install",
            "at least 1 argument",
            "[NAME] [CHART]",
        )),
    }
}

/// `upgrade RELEASE CHART`.
fn upgrade_args(a: &UpgradeArgs) -> Result<(String, String), CmdError> {
    match a.args.as_slice() {
        [name, chart] => Ok((name.clone(), chart.clone())),
        _ => Err(usage_error("upgrade", "2 arguments", "[RELEASE] [CHART]")),
    }
}

/// `rollback RELEASE [REVISION]` (0: the previous revision).
fn rollback_args(a: &RollbackArgs) -> Result<(String, i64), CmdError> {
    match a.args.as_slice() {
        [n] => Ok((n.clone(), 0)),
        [n, r] => Ok((n.clone(), r.parse::<i64>().map_err(|_| CmdError(format!("could not convert revision to a number: strconv.Atoi: parsing {r:?}: invalid syntax")))?)),
        _ => Err(usage_error("rollback", "at least 1 argument", "<RELEASE> [REVISION]")),
    }
}

/// `uninstall RELEASE_NAME [...]` with a valid `--cascade`.
fn uninstall_args(a: &UninstallArgs) -> Result<(), CmdError> {
    if !matches!(a.cascade.as_str(), "background" | "foreground" | "orphan") {
        return Err(CmdError(format!(
            "invalid cascade value ({}). Must be \"background\", \"foreground\", or \"orphan\"",
            a.cascade
        )));
    }
    if a.names.is_empty() {
        return Err(usage_error(
            "uninstall",
            "at least 1 argument",
            "RELEASE_NAME [...]",
        ));
    }
    Ok(())
}

async fn install<C: ReleaseApi>(c: &C, a: InstallArgs, session: &Session) -> Result<(), CmdError> {
    // Helm reads the post-renderer's name as the flag is parsed: an unknown one fails first.
    let post_renderer = a.deploy.post_render.step(crate::settings::debug())?;
    let (name, chart_path) = install_args(&a)?;
    warn_dry_run_spelling(&a.deploy.dry_run);
    let server_side = match a.server_side.as_deref() {
        None => None,
        Some(v) => server_side_flag(v)?,
    };
    let d = &a.deploy;
    // Helm's install fails with the INSTALLATION FAILED prefix from here on: locating and
    // loading the chart and reading the values are part of its action.
    let failed = |e: CmdError| CmdError(format!("INSTALLATION FAILED: {}", e.0));
    let chart = chart_ref(
        c,
        &chart_path,
        d.version.as_deref(),
        d.devel,
        &d.source,
        session,
    )
    .map_err(failed)?;
    // Helm checks the chart's dependencies before the action looks at the release name.
    let chart = missing_dependencies(chart, &chart_path, d.dependency_update, || {
        chart_ref(
            c,
            &chart_path,
            d.version.as_deref(),
            d.devel,
            &d.source,
            session,
        )
    })
    .map_err(failed)?;
    let values = d.values.merge().map_err(failed)?;
    warn_atomic();
    let (dry_run, dry_run_server) = dry_run_mode(&d.dry_run)?;
    if d.hide_secret && !(dry_run || dry_run_server) {
        // Helm logs the refusal before failing with it.
        eprintln!("level=ERROR msg=\"hiding Kubernetes secrets requires a dry-run mode\"");
    }
    let opts = helm_kube::InstallOptions {
        name,
        generate_name: a.generate_name,
        namespace: None,
        create_namespace: a.create_namespace,
        dry_run,
        dry_run_server,
        hide_secret: d.hide_secret,
        replace: a.replace,
        description: d.description.clone(),
        labels: labels(&d.labels)?,
        skip_crds: a.skip_crds,
        no_hooks: d.no_hooks,
        wait: wait_flag(d),
        wait_strategy: wait_strategy(d.wait.as_deref()),
        wait_for_jobs: d.wait_for_jobs,
        timeout: Some(parse_go_duration(&d.timeout)?),
        atomic: d.atomic,
        force_conflicts: d.force_conflicts,
        skip_schema_validation: d.skip_schema_validation,
        server_side,
        take_ownership: d.take_ownership,
        render_subchart_notes: d.render_subchart_notes,
        post_renderer: post_renderer.clone(),
    };
    // Helm checks the cluster unless the dry run is client-only (which needs no cluster).
    if !(opts.dry_run && !opts.dry_run_server) {
        if let Err(e) = c.reachable().await {
            let m = format!("cluster reachability check failed: {e}");
            eprintln!("level=ERROR msg={}", go_quote(&m));
            return Err(CmdError(format!("INSTALLATION FAILED: {m}")));
        }
    }
    if d.plan {
        return crate::diff::plan_install(c, chart, &values, opts, &d.output).await;
    }
    let rel = c
        .install(chart, &values, opts)
        .await
        .map_err(install_failed)?;
    print_release(&rel, &d.output, true, d.hide_notes)
}

/// `--wait` (any strategy but `hookOnly`), implied by `--atomic`.
fn wait_flag(d: &DeployArgs) -> bool {
    d.wait.as_deref().map(|w| w != "hookOnly").unwrap_or(false) || d.atomic
}

/// `--wait=legacy` (Helm 3's ready checks); any other value waits as `watcher` (kstatus).
fn wait_strategy(wait: Option<&str>) -> helm_kube::WaitStrategy {
    match wait {
        Some("legacy") => helm_kube::WaitStrategy::Legacy,
        _ => helm_kube::WaitStrategy::Watcher,
    }
}

/// An install's error as Helm prints it; a name in use is logged first, as Helm's name check.
fn install_failed(e: helm_kube::Error) -> CmdError {
    if e.kind() == ErrorKind::NameInUse {
        eprintln!(
            "level=ERROR msg=\"release name check failed\" error={}",
            go_quote(&e.to_string())
        );
        return CmdError(format!(
            "INSTALLATION FAILED: release name check failed: {e}"
        ));
    }
    CmdError(format!("INSTALLATION FAILED: {e}"))
}

async fn upgrade<C: ReleaseApi>(c: &C, a: UpgradeArgs, session: &Session) -> Result<(), CmdError> {
    let post_renderer = a.deploy.post_render.step(crate::settings::debug())?;
    let (name, chart_path) = upgrade_args(&a)?;
    warn_dry_run_spelling(&a.deploy.dry_run);
    let d = &a.deploy;
    // Helm looks the release up first with `--install`, and that checks the cluster (no
    // UPGRADE FAILED prefix).
    if a.install {
        connected(c).await?;
    }
    let chart = chart_ref(
        c,
        &chart_path,
        d.version.as_deref(),
        d.devel,
        &d.source,
        session,
    )?;
    // Helm checks the chart's dependencies as soon as it has loaded it, before the action
    // looks at the release (so without the UPGRADE FAILED prefix).
    let chart = missing_dependencies(chart, &chart_path, d.dependency_update, || {
        chart_ref(
            c,
            &chart_path,
            d.version.as_deref(),
            d.devel,
            &d.source,
            session,
        )
    })?;
    let values = d.values.merge()?;
    warn_atomic();
    let (dry_run, dry_run_server) = dry_run_mode(&d.dry_run)?;
    if d.hide_secret && !(dry_run || dry_run_server) {
        // Helm logs the refusal before failing with it.
        eprintln!("level=ERROR msg=\"hiding Kubernetes secrets requires a dry-run mode\"");
    }
    let opts = helm_kube::UpgradeOptions {
        namespace: None,
        install: a.install,
        create_namespace: a.create_namespace,
        skip_crds: a.skip_crds,
        update_crds: a.update_crds,
        dry_run,
        dry_run_server,
        hide_secret: d.hide_secret,
        description: d.description.clone(),
        labels: labels(&d.labels)?,
        no_hooks: d.no_hooks,
        wait: wait_flag(d),
        wait_strategy: wait_strategy(d.wait.as_deref()),
        wait_for_jobs: d.wait_for_jobs,
        timeout: Some(parse_go_duration(&d.timeout)?),
        atomic: d.atomic,
        reuse_values: a.reuse.reuse_values,
        reset_values: a.reuse.reset_values,
        reset_then_reuse_values: a.reuse.reset_then_reuse_values,
        cleanup_on_fail: a.cleanup_on_fail,
        max_history: a.max_history,
        force_conflicts: d.force_conflicts,
        force_replace: d.force_replace || a.force,
        skip_schema_validation: d.skip_schema_validation,
        server_side: server_side_flag(&a.server_side)?,
        take_ownership: d.take_ownership,
        render_subchart_notes: d.render_subchart_notes,
        post_renderer: post_renderer.clone(),
    };
    if !a.install {
        c.reachable()
            .await
            .map_err(|e| CmdError(format!("UPGRADE FAILED: {e}")))?;
    }
    if d.plan {
        return crate::diff::plan_upgrade(c, &name, chart, &values, opts, &d.output).await;
    }
    let rel = match c.upgrade(&name, chart, &values, opts).await {
        Ok(rel) => rel,
        Err(e) if session.installing.load(Ordering::SeqCst) => return Err(install_failed(e)),
        Err(e) => return Err(CmdError(format!("UPGRADE FAILED: {e}"))),
    };
    if session.installing.load(Ordering::SeqCst) {
        return print_release(&rel, &d.output, true, d.hide_notes);
    }
    if d.output == "table" {
        out(&format!(
            "Release \"{name}\" has been upgraded. Happy Helming!\n"
        ));
    }
    print_release(&rel, &d.output, true, d.hide_notes)
}

async fn rollback<C: ReleaseApi>(c: &C, a: RollbackArgs) -> Result<(), CmdError> {
    let (name, revision) = rollback_args(&a)?;
    let (no_hooks, wait, timeout) = a.hooks_wait.options()?;
    warn_dry_run_spelling(&a.dry_run);
    connected(c).await?;
    let opts = helm_kube::RollbackOptions {
        namespace: None,
        revision,
        dry_run: dry_run_flag(&a.dry_run)?,
        no_hooks,
        wait,
        wait_strategy: wait_strategy(a.hooks_wait.wait.as_deref()),
        wait_for_jobs: a.wait_for_jobs,
        timeout,
        max_history: a.max_history,
        force_conflicts: a.force_conflicts,
        force_replace: a.force_replace || a.force,
        cleanup_on_fail: a.cleanup_on_fail,
        server_side: server_side_flag(&a.server_side)?,
    };
    c.rollback(&name, opts).await.map_err(err)?;
    out("Rollback was a success! Happy Helming!\n");
    Ok(())
}

async fn uninstall<C: ReleaseApi>(c: &C, a: UninstallArgs) -> Result<(), CmdError> {
    let (no_hooks, wait, timeout) = a.hooks_wait.options()?;
    uninstall_args(&a)?;
    connected(c).await?;
    for name in &a.names {
        let opts = helm_kube::UninstallOptions {
            namespace: None,
            keep_history: a.keep_history,
            dry_run: a.dry_run,
            no_hooks,
            wait,
            timeout,
            description: a.description.clone(),
            cascade: Some(a.cascade.clone()),
        };
        match c.uninstall(name, opts).await {
            Ok(res) => {
                if !res.kept.is_empty() {
                    let mut s =
                        String::from("These resources were kept due to the resource policy:\n");
                    for k in &res.kept {
                        let (kind, n) = k.split_once('/').unwrap_or((k, ""));
                        s.push_str(&format!("[{kind}] {n}\n"));
                    }
                    // Helm's Fprintln of a text that already ends in a newline
                    s.push('\n');
                    out(&s);
                }
                out(&format!("release \"{name}\" uninstalled\n"));
            }
            // Helm reports the release uninstalled all the same.
            Err(e) if a.ignore_not_found && e.kind() == ErrorKind::NotFound => {
                out(&format!("release \"{name}\" uninstalled\n"))
            }
            Err(e) => return Err(err(e)),
        }
    }
    Ok(())
}

async fn status<C: ReleaseApi>(c: &C, a: StatusArgs) -> Result<(), CmdError> {
    connected(c).await?;
    check_output(&a.output)?;
    // Helm 4 shows the release's live objects: Table renderings for the table output, the
    // objects themselves for json/yaml.
    let rel = c
        .status(&a.name, None, a.revision, a.output == "table")
        .await
        .map_err(err)?;
    print_release(&rel, &a.output, false, false)?;
    // A pending release blocks every other action until its operation ends: say since when,
    // and how to recover it if that operation is gone (standard error: Helm's output stays).
    let status = rel.status();
    if a.revision == 0 && status.is_pending() {
        let when = helm_core::release::logic::pending_since(&rel, &helm_core::release::Time::now())
            .map(|(since, age)| format!("since {since} ({})", go_duration_secs(age)))
            .unwrap_or_default();
        eprintln!("note: release {} is {status} {when}; if no operation is running on it any more, `helm-rs recover {}` marks it failed so that it can be upgraded or rolled back", rel.name, rel.name);
    }
    Ok(())
}

/// Seconds as Go prints a `time.Duration` rounded to the second (`1h2m3s`, `45s`).
fn go_duration_secs(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

async fn recover<C: ReleaseApi>(c: &C, a: RecoverArgs) -> Result<(), CmdError> {
    connected(c).await?;
    let opts = helm_kube::RecoverOptions {
        namespace: None,
        force: a.force,
        stale_after: Some(parse_go_duration(&a.stale_after)?),
    };
    let rel = c.recover(&a.name, opts).await.map_err(err)?;
    out(&format!(
        "Release \"{}\" recovered: revision {} marked failed ({})\n",
        rel.name,
        rel.version,
        rel.info
            .as_ref()
            .map(|i| i.description.as_str())
            .unwrap_or("")
    ));
    Ok(())
}

/// JSON as Go's `json.Encoder` writes it (Helm's `-o json`): `<`, `>`, `&` escaped.
fn go_json(bytes: Vec<u8>) -> Result<String, CmdError> {
    String::from_utf8(helm_core::release::codec::go_html_escape(&bytes)).map_err(err)
}

fn check_output(fmt: &str) -> Result<(), CmdError> {
    match fmt {
        "table" | "json" | "yaml" => Ok(()),
        other => Err(CmdError(format!(
            "invalid argument \"{other}\" for \"-o, --output\" flag: invalid format type"
        ))),
    }
}

/// Helm's status printer (`statusPrinter.WriteTable`) and its json/yaml forms.
pub(crate) fn print_release(
    rel: &Release,
    output: &str,
    with_chart: bool,
    hide_notes: bool,
) -> Result<(), CmdError> {
    check_output(output)?;
    // `helm status -o json` leaves the chart out; install/upgrade results keep it.
    let mut rel_out = rel.clone();
    if !with_chart {
        rel_out.chart = None;
    }
    let rel = &rel_out;
    match output {
        "json" => {
            out(&format!(
                "{}\n",
                go_json(serde_json::to_vec(rel).map_err(err)?)?
            ));
            return Ok(());
        }
        "yaml" => {
            let v =
                helm_core::release::record::json_to_core(&serde_json::to_value(rel).map_err(err)?);
            out(&yaml::to_string(&v).map_err(err)?);
            return Ok(());
        }
        _ => {}
    }
    out(&status_text(rel, false, false, hide_notes));
    Ok(())
}

/// The text of `helm status` (and of install/upgrade results, and `get all` with `debug`).
pub fn status_text(rel: &Release, show_metadata: bool, debug: bool, hide_notes: bool) -> String {
    let info = rel.info.clone().unwrap_or_default();
    let mut s = format!("NAME: {}\n", rel.name);
    if let Some(t) = info.last_deployed {
        s.push_str(&format!("LAST DEPLOYED: {}\n", t.ansic()));
    }
    s.push_str(&format!(
        "NAMESPACE: {}\nSTATUS: {}\nREVISION: {}\n",
        crate::color::namespace(&rel.namespace),
        crate::color::status(&info.status.to_string()),
        rel.version
    ));
    if show_metadata {
        s.push_str(&format!(
            "CHART: {}\nVERSION: {}\nAPP_VERSION: {}\n",
            rel.chart_name(),
            rel.chart_version(),
            rel.app_version()
        ));
    }
    s.push_str(&format!("DESCRIPTION: {}\n", info.description));
    if let Some(resources) = info
        .resources
        .as_ref()
        .and_then(|r| r.as_object())
        .filter(|r| !r.is_empty())
    {
        s.push_str(&format!("RESOURCES:\n{}\n", resources_text(resources)));
    }
    if !rel.hooks.iter().any(|h| h.has_event("test")) {
        s.push_str("TEST SUITE: None\n");
    }
    for h in rel.hooks.iter().filter(|h| h.has_event("test")) {
        if let Some(start) = h.last_run.started_at {
            let done = h
                .last_run
                .completed_at
                .map(|t| t.ansic())
                .unwrap_or_default();
            s.push_str(&format!(
                "TEST SUITE:     {}\nLast Started:   {}\nLast Completed: {}\nPhase:          {}\n",
                h.name,
                start.ansic(),
                done,
                h.last_run.phase
            ));
        }
    }
    if debug {
        s.push_str("USER-SUPPLIED VALUES:\n");
        s.push_str(&values_yaml(&config_value(rel)));
        s.push('\n');
        s.push_str("COMPUTED VALUES:\n");
        s.push_str(&values_yaml(&computed_values(rel)));
        s.push('\n');
    }
    if info.description.eq_ignore_ascii_case("Dry run complete") || debug {
        s.push_str("HOOKS:\n");
        for h in &rel.hooks {
            s.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
        }
        s.push_str(&format!("MANIFEST:\n{}\n", rel.manifest));
    }
    if !hide_notes && !info.notes.is_empty() {
        s.push_str(&format!("NOTES:\n{}\n", info.notes.trim()));
    }
    s
}

/// Helm's RESOURCES section: `==> VERSION/Kind` then each object's Table as kubectl's human
/// printer prints it (one shared printer: a header only when the columns differ from the
/// last printed ones; each object in its own tabwriter, so rows of different objects are not
/// aligned with each other, as in Helm). Helm walks a Go map here (random order); we go by key.
fn resources_text(resources: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut buf = String::new();
    let mut last_columns: Option<serde_json::Value> = None;
    let mut printed_headers = false;
    for (key, objects) in resources {
        buf.push_str(&format!("==> {key}\n"));
        for t in objects.as_array().map(|a| a.as_slice()).unwrap_or_default() {
            let cols = t
                .get("columnDefinitions")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let empty_cols = cols.as_array().map(|c| c.is_empty()).unwrap_or(true);
            let no_headers =
                printed_headers && (empty_cols || Some(&cols) == last_columns.as_ref());
            let cols = if empty_cols {
                last_columns.clone().unwrap_or(serde_json::Value::Null)
            } else {
                if Some(&cols) != last_columns.as_ref() {
                    last_columns = Some(cols.clone());
                    printed_headers = false;
                }
                cols
            };
            let rows = t
                .get("rows")
                .and_then(|r| r.as_array())
                .cloned()
                .unwrap_or_default();
            if !rows.is_empty() {
                printed_headers = true;
            } else {
                continue;
            }
            // priority 0 columns only (kubectl without `-o wide`)
            let shown: Vec<usize> = cols
                .as_array()
                .map(|c| {
                    c.iter()
                        .enumerate()
                        .filter(|(_, d)| {
                            d.get("priority").and_then(|p| p.as_i64()).unwrap_or(0) == 0
                        })
                        .map(|(i, _)| i)
                        .collect()
                })
                .unwrap_or_default();
            let mut lines: Vec<Vec<String>> = Vec::new();
            if !no_headers {
                let names = cols.as_array().cloned().unwrap_or_default();
                lines.push(
                    shown
                        .iter()
                        .map(|i| {
                            names
                                .get(*i)
                                .and_then(|d| d.get("name"))
                                .and_then(|n| n.as_str())
                                .unwrap_or("")
                                .to_uppercase()
                        })
                        .collect(),
                );
            }
            for r in &rows {
                let cells = r
                    .get("cells")
                    .and_then(|c| c.as_array())
                    .cloned()
                    .unwrap_or_default();
                lines.push(shown.iter().map(|i| go_cell(cells.get(*i))).collect());
            }
            buf.push_str(&tabwriter(&lines));
        }
        buf.push('\n');
    }
    buf
}

/// `fmt.Fprint` of a Table cell as the unstructured decoder left it.
fn go_cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "<nil>".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Bool(b)) => b.to_string(),
        Some(other) => other.to_string(),
    }
}

/// kubectl's tabwriter (minimum width 6, padding 3, spaces): every column but the last padded
/// to its widest cell.
fn tabwriter(lines: &[Vec<String>]) -> String {
    let ncols = lines.iter().map(|l| l.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; ncols];
    for l in lines {
        for (i, c) in l.iter().enumerate() {
            if i + 1 < l.len() {
                widths[i] = widths[i].max(c.chars().count() + 3).max(6);
            }
        }
    }
    let mut out = String::new();
    for l in lines {
        for (i, c) in l.iter().enumerate() {
            out.push_str(c);
            if i + 1 < l.len() {
                out.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

fn config_value(rel: &Release) -> Value {
    if rel.config.is_empty() {
        return Value::Nil;
    }
    helm_core::release::record::json_to_core(&serde_json::Value::Object(rel.config.clone()))
}

fn computed_values(rel: &Release) -> Value {
    let user =
        helm_core::release::record::json_to_core(&serde_json::Value::Object(rel.config.clone()));
    let defaults =
        helm_core::release::record::json_to_core(&serde_json::Value::Object(rel.chart_values()));
    helm_kube::merge_values(&defaults, &user)
}

/// Go's `yaml.Marshal` of a values map (`null` for none).
fn values_yaml(v: &Value) -> String {
    if v.is_nil() {
        return "null\n".into();
    }
    yaml::to_string(v).unwrap_or_default()
}

/// gosuri/uitable as Helm uses it: every cell padded to its column's width, cells joined by a
/// tab. A column is as wide as its widest cell, where a multi-line cell counts its widest line;
/// a cell wider than that (its newlines count zero) is cut to it with `...` (seen with Helm
/// 4.1.4 on a failed release whose description holds "...\ncontext deadline exceeded").
/// `max` (when non-zero) caps column widths.
fn table(rows: &[Vec<String>], max: usize) -> String {
    let line_width = |c: &str| {
        c.split('\n')
            .map(crate::color::visible_width)
            .max()
            .unwrap_or(0)
    };
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(line_width(c));
        }
    }
    if max > 0 {
        for w in widths.iter_mut() {
            *w = (*w).min(max);
        }
    }
    let fit = |c: &str, w: usize| -> String {
        let n = crate::color::visible_width(c) - c.matches('\n').count();
        if n > w {
            let mut t: String = c.chars().take(w.saturating_sub(3)).collect();
            t.push_str("...");
            t
        } else {
            c.to_string()
        }
    };
    let mut s = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = fit(c, widths[i]);
                let pad = widths[i].saturating_sub(line_width(&c));
                format!("{c}{}", " ".repeat(pad))
            })
            .collect();
        s.push_str(&line.join("\t"));
        s.push('\n');
    }
    s
}

/// A map standing for a Go struct: its fields by name.
fn go_struct<K: Into<helm_core::values::Str>>(
    fields: impl IntoIterator<Item = (K, helm_core::Value)>,
) -> helm_core::Value {
    let m = helm_core::Map::new();
    for (k, v) in fields {
        m.insert(k, v);
    }
    helm_core::Value::map(m)
}

/// A release as Helm's Go struct shows it to `get all --template`: exported field names
/// (`.Release.Name`, `.Release.Info.Status`, `.Release.Chart.Metadata.Version`, `.Release.Config`),
/// times as Go's `time.Time`.
fn release_as_go_struct(rel: &Release) -> helm_core::Value {
    use helm_core::release::record::json_to_core;
    use helm_core::Value;
    let info = rel.info.clone().unwrap_or_default();
    let time = |t: Option<helm_core::release::Time>| {
        Value::str(
            t.map(|t| t.go_string())
                .unwrap_or_else(|| "0001-01-01 00:00:00 +0000 UTC".into()),
        )
    };
    let metadata = rel
        .chart
        .as_ref()
        .and_then(|c| c.get("metadata"))
        .and_then(|m| m.as_object())
        .map(|m| {
            go_struct(m.iter().map(|(k, v)| {
                let field = match k.as_str() {
                    "apiVersion" => "APIVersion".to_string(),
                    _ => k[..1].to_ascii_uppercase() + &k[1..],
                };
                // Maintainers and dependencies are Go structs too: their fields by Go's names.
                let value = match (k.as_str(), v.as_array()) {
                    ("maintainers" | "dependencies", Some(items)) => Value::list(
                        items
                            .iter()
                            .map(|item| match item.as_object() {
                                Some(o) => go_struct(
                                    o.iter().map(|(k, v)| (go_field_name(k), json_to_core(v))),
                                ),
                                None => json_to_core(item),
                            })
                            .collect(),
                    ),
                    _ => json_to_core(v),
                };
                (field, value)
            }))
        });
    let chart_values = rel
        .chart
        .as_ref()
        .and_then(|c| c.get("values"))
        .map(json_to_core)
        .unwrap_or_else(Value::empty_map);
    go_struct([
        ("Name", Value::str(&rel.name)),
        (
            "Info",
            go_struct([
                ("FirstDeployed", time(info.first_deployed)),
                ("LastDeployed", time(info.last_deployed)),
                ("Deleted", time(info.deleted)),
                ("Description", Value::str(&info.description)),
                ("Status", Value::str(info.status.as_str())),
                ("Notes", Value::str(&info.notes)),
            ]),
        ),
        (
            "Chart",
            go_struct([
                ("Metadata", metadata.unwrap_or_else(Value::empty_map)),
                ("Values", chart_values),
            ]),
        ),
        (
            "Config",
            json_to_core(&serde_json::Value::Object(rel.config.clone())),
        ),
        ("Manifest", Value::str(&rel.manifest)),
        ("Version", Value::Int(rel.version)),
        ("Namespace", Value::str(&rel.namespace)),
        (
            "Labels",
            go_struct(rel.labels.iter().map(|(k, v)| (k.clone(), Value::str(v)))),
        ),
    ])
}

/// The Go field name of a chart metadata JSON key (`url` → `URL`, `import-values` →
/// `ImportValues`, `name` → `Name`).
fn go_field_name(key: &str) -> String {
    match key {
        "url" => "URL".into(),
        "import-values" => "ImportValues".into(),
        "apiVersion" => "APIVersion".into(),
        _ => key[..1].to_ascii_uppercase() + &key[1..],
    }
}

fn chart_label(rel: &Release) -> String {
    format!("{}-{}", rel.chart_name(), rel.chart_version())
}

async fn history<C: ReleaseApi>(c: &C, a: HistoryArgs) -> Result<(), CmdError> {
    check_output(&a.output)?;
    connected(c).await?;
    let mut h = c.history(&a.name, None).await.map_err(err)?;
    if h.len() > a.max {
        h = h.split_off(h.len() - a.max);
    }
    let updated = |r: &Release| r.info.as_ref().and_then(|i| i.last_deployed);
    match a.output.as_str() {
        "json" | "yaml" => {
            let items: Vec<String> = h
                .iter()
                .map(|r| {
                    ordered(&[
                        ("revision", r.version.into()),
                        (
                            "updated",
                            updated(r)
                                .map(|t| t.to_rfc3339_nano())
                                .unwrap_or_else(|| "0001-01-01T00:00:00Z".into())
                                .into(),
                        ),
                        ("status", r.status().as_str().into()),
                        ("chart", chart_label(r).into()),
                        ("app_version", r.app_version().into()),
                        (
                            "description",
                            r.info
                                .as_ref()
                                .map(|i| i.description.clone())
                                .unwrap_or_default()
                                .into(),
                        ),
                    ])
                })
                .collect();
            emit_list(items, &a.output)
        }
        _ => {
            let mut rows = vec![[
                "REVISION",
                "UPDATED",
                "STATUS",
                "CHART",
                "APP VERSION",
                "DESCRIPTION",
            ]
            .map(String::from)
            .to_vec()];
            for r in &h {
                rows.push(vec![
                    r.version.to_string(),
                    updated(r)
                        .map(|t| t.ansic())
                        .unwrap_or_else(|| "Mon Jan  1 00:00:00 0001".into()),
                    r.status().to_string(),
                    chart_label(r),
                    r.app_version().to_string(),
                    r.info
                        .as_ref()
                        .map(|i| i.description.clone())
                        .unwrap_or_default(),
                ]);
            }
            // Helm 4.1.4 prints long descriptions whole (checked with a failed release).
            out(&table(&rows, 0));
            Ok(())
        }
    }
}

/// A JSON object with its keys in the given order (Go structs marshal in field order).
/// A chart dependency as Go's JSON encoder writes `chart.Dependency`: its fields in the
/// struct's order (unknown ones after, sorted).
fn go_ordered_dependency(d: &serde_json::Value) -> String {
    let Some(m) = d.as_object() else {
        return d.to_string();
    };
    let known = helm_core::chart::metadata::DEPENDENCY_FIELDS;
    let mut parts: Vec<String> = known
        .iter()
        .filter_map(|k| {
            m.get(*k)
                .map(|v| format!("{}:{v}", serde_json::Value::from(*k)))
        })
        .collect();
    parts.extend(
        m.iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, v)| format!("{}:{v}", serde_json::Value::from(k.as_str()))),
    );
    format!("{{{}}}", parts.join(","))
}

fn ordered(fields: &[(&str, serde_json::Value)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{}", serde_json::Value::from(*k), v))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// A list of [`ordered`] objects as JSON (field order kept) or YAML (keys sorted, as Go's YAML
/// output of these structs goes through JSON maps).
fn emit_list(items: Vec<String>, fmt: &str) -> Result<(), CmdError> {
    let json = format!("[{}]", items.join(","));
    if fmt == "json" {
        out(&format!("{json}\n"));
        Ok(())
    } else {
        emit_structured(&serde_json::from_str(&json).map_err(err)?, fmt)
    }
}

/// JSON with Go's field order as given; YAML through helm-core's Go-compatible emitter.
fn emit_structured(v: &serde_json::Value, fmt: &str) -> Result<(), CmdError> {
    if fmt == "json" {
        out(&format!(
            "{}\n",
            go_json(serde_json::to_vec(v).map_err(err)?)?
        ));
    } else {
        out(&yaml::to_string(&helm_core::release::record::json_to_core(v)).map_err(err)?);
    }
    Ok(())
}

async fn list<C: ReleaseApi>(c: &C, a: ListArgs) -> Result<(), CmdError> {
    check_output(&a.output)?;
    connected(c).await?;
    let mut states = Vec::new();
    for (on, st) in [
        (a.deployed, vec![Status::Deployed]),
        (a.failed, vec![Status::Failed]),
        (
            a.pending,
            vec![
                Status::PendingInstall,
                Status::PendingUpgrade,
                Status::PendingRollback,
            ],
        ),
        (a.superseded, vec![Status::Superseded]),
        (a.uninstalled, vec![Status::Uninstalled]),
        (a.uninstalling, vec![Status::Uninstalling]),
    ] {
        if on {
            states.extend(st);
        }
    }
    let opts = helm_kube::ListOptions {
        namespace: None,
        all_namespaces: a.all_namespaces,
        // Helm 4 lists every state unless state flags narrow it.
        all: true,
        states,
        filter: a.filter.clone(),
    };
    let mut rels = c.list(opts).await.map_err(err)?;
    let updated = |r: &Release| r.info.as_ref().and_then(|i| i.last_deployed);
    if a.date {
        // Helm compares whole seconds (`Unix()`); ties keep the storage order.
        rels.sort_by_key(|r| updated(r).map(|t| t.0.timestamp()));
    }
    if a.reverse {
        rels.reverse();
    }
    let rels: Vec<Release> = rels
        .into_iter()
        .skip(a.offset)
        .take(if a.max == 0 { usize::MAX } else { a.max })
        .collect();
    if a.short {
        // `--short` with `-o json|yaml`: the names as a list, as Helm prints them.
        match a.output.as_str() {
            "json" | "yaml" => {
                let names: Vec<serde_json::Value> =
                    rels.iter().map(|r| r.name.clone().into()).collect();
                emit_structured(&serde_json::Value::Array(names), &a.output)?;
            }
            _ => {
                for r in &rels {
                    out(&format!("{}\n", r.name));
                }
            }
        }
        return Ok(());
    }
    let time_s = |r: &Release| match (updated(r), &a.time_format) {
        (Some(t), Some(layout)) if !layout.is_empty() => {
            helm_core::gocompat::time::format_go_layout(
                t.0.timestamp(),
                t.0.timestamp_subsec_nanos() as i64,
                t.0.offset().local_minus_utc(),
                layout,
            )
        }
        (Some(t), _) => t.go_string(),
        (None, _) => "0001-01-01 00:00:00 +0000 UTC".into(),
    };
    match a.output.as_str() {
        "json" | "yaml" => {
            let items: Vec<String> = rels
                .iter()
                .map(|r| {
                    ordered(&[
                        ("name", r.name.clone().into()),
                        ("namespace", r.namespace.clone().into()),
                        ("revision", r.version.to_string().into()),
                        ("updated", time_s(r).into()),
                        ("status", r.status().as_str().into()),
                        ("chart", chart_label(r).into()),
                        ("app_version", r.app_version().into()),
                    ])
                })
                .collect();
            emit_list(items, &a.output)
        }
        _ => {
            let mut rows = Vec::new();
            if !a.no_headers {
                rows.push(
                    [
                        "NAME",
                        "NAMESPACE",
                        "REVISION",
                        "UPDATED",
                        "STATUS",
                        "CHART",
                        "APP VERSION",
                    ]
                    .map(crate::color::header)
                    .to_vec(),
                );
            }
            for r in &rels {
                let status = crate::color::status(&r.status().to_string());
                rows.push(vec![
                    r.name.clone(),
                    crate::color::namespace(&r.namespace),
                    r.version.to_string(),
                    time_s(r),
                    status,
                    chart_label(r),
                    r.app_version().to_string(),
                ]);
            }
            out(&table(&rows, 0));
            Ok(())
        }
    }
}

async fn get<C: ReleaseApi>(c: &C, what: GetCommand) -> Result<(), CmdError> {
    let g = match &what {
        GetCommand::All(GetAllArgs { get: g, .. })
        | GetCommand::Hooks(g)
        | GetCommand::Manifest(g)
        | GetCommand::Notes(g) => g,
        GetCommand::Metadata { get, .. } | GetCommand::Values { get, .. } => get,
    };
    connected(c).await?;
    let rel = c
        .get_release(&g.name, None, g.revision)
        .await
        .map_err(err)?;
    match &what {
        GetCommand::All(GetAllArgs {
            template: Some(t), ..
        }) => {
            // Helm executes the template on `{"Release": release}`, the release as its Go struct.
            let mut e =
                helm_core::template::Engine::new(helm_core::template::funcs::FuncTable::helm());
            e.parse("_", t).map_err(|e| CmdError(e.to_string()))?;
            let data = go_struct([("Release", release_as_go_struct(&rel))]);
            out(&e.execute("_", &data).map_err(|e| CmdError(e.to_string()))?);
        }
        GetCommand::All(_) => out(&status_text(&rel, true, true, false)),
        GetCommand::Hooks(_) => {
            let mut s = String::new();
            for h in &rel.hooks {
                s.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
            }
            out(&s);
        }
        GetCommand::Manifest(_) => out(&format!("{}\n", rel.manifest)),
        GetCommand::Notes(_) => {
            let notes = rel
                .info
                .as_ref()
                .map(|i| i.notes.clone())
                .unwrap_or_default();
            if !notes.is_empty() {
                out(&format!("NOTES:\n{notes}\n"));
            }
        }
        GetCommand::Values { all, output, .. } => {
            check_output(output)?;
            let (title, v) = if *all {
                ("COMPUTED VALUES", computed_values(&rel))
            } else {
                ("USER-SUPPLIED VALUES", config_value(&rel))
            };
            match output.as_str() {
                "json" => out(&format!("{}\n", gojson::to_string(&v))),
                "yaml" => out(&values_yaml(&v)),
                _ => out(&format!("{title}:\n{}", values_yaml(&v))),
            }
        }
        GetCommand::Metadata { output, .. } => {
            check_output(output)?;
            let chart_md = rel
                .chart
                .as_ref()
                .and_then(|c| c.get("metadata"))
                .cloned()
                .unwrap_or_default();
            let annotations: BTreeMap<String, String> = chart_md
                .get("annotations")
                .and_then(|a| a.as_object())
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let deps: Vec<serde_json::Value> = chart_md
                .get("dependencies")
                .and_then(|d| d.as_array())
                .cloned()
                .unwrap_or_default();
            let info = rel.info.clone().unwrap_or_default();
            let deployed = info
                .last_deployed
                .map(|t| {
                    t.0.format("%Y-%m-%dT%H:%M:%S%:z")
                        .to_string()
                        .replace("+00:00", "Z")
                })
                .unwrap_or_default();
            // A record without a method (Helm 3's, or Helm 4 before it recorded one) is taken
            // as client-side, and Helm says it defaulted.
            let method = match rel.apply_method.as_str() {
                "ssa" => "server-side apply",
                "" => "client-side apply (defaulted)",
                _ => "client-side apply",
            };
            let kv = |m: &BTreeMap<String, String>| {
                m.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            match output.as_str() {
                "json" | "yaml" => {
                    // Helm's Metadata struct: its field order in JSON, empty annotations and
                    // dependencies left out (omitempty); YAML sorts keys.
                    let mut f: Vec<(&str, serde_json::Value)> = vec![
                        ("name", rel.name.clone().into()),
                        ("chart", rel.chart_name().into()),
                        ("version", rel.chart_version().into()),
                        ("appVersion", rel.app_version().into()),
                    ];
                    if !annotations.is_empty() {
                        f.push(("annotations", serde_json::json!(annotations)));
                    }
                    f.push(("labels", serde_json::json!(rel.labels)));
                    if !deps.is_empty() {
                        f.push(("dependencies", serde_json::Value::Array(deps.clone())));
                    }
                    f.extend([
                        ("namespace", rel.namespace.clone().into()),
                        ("revision", rel.version.into()),
                        ("status", info.status.as_str().into()),
                        ("deployedAt", deployed.clone().into()),
                    ]);
                    // omitempty: a record without a method has none here.
                    if !rel.apply_method.is_empty() {
                        f.push(("applyMethod", rel.apply_method.clone().into()));
                    }
                    if output == "json" {
                        // Dependencies in the field order of Go's chart.Dependency.
                        let parts: Vec<String> = f
                            .iter()
                            .map(|(k, v)| {
                                let text = match (*k, v) {
                                    ("dependencies", serde_json::Value::Array(items)) => format!(
                                        "[{}]",
                                        items
                                            .iter()
                                            .map(go_ordered_dependency)
                                            .collect::<Vec<_>>()
                                            .join(",")
                                    ),
                                    _ => v.to_string(),
                                };
                                format!("{}:{text}", serde_json::Value::from(*k))
                            })
                            .collect();
                        let json = format!("{{{}}}", parts.join(","));
                        out(&format!("{}\n", go_json(json.into_bytes())?));
                    } else {
                        emit_structured(
                            &serde_json::Value::Object(
                                f.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                            ),
                            output,
                        )?;
                    }
                }
                _ => {
                    let dep_names: Vec<String> = deps
                        .iter()
                        .filter_map(|d| d.get("name").and_then(|n| n.as_str()).map(String::from))
                        .collect();
                    out(&format!(
                        "NAME: {}\nCHART: {}\nVERSION: {}\nAPP_VERSION: {}\nANNOTATIONS: {}\nLABELS: {}\nDEPENDENCIES: {}\nNAMESPACE: {}\nREVISION: {}\nSTATUS: {}\nDEPLOYED_AT: {}\nAPPLY_METHOD: {}\n",
                        rel.name,
                        rel.chart_name(),
                        rel.chart_version(),
                        rel.app_version(),
                        kv(&annotations),
                        kv(&rel.labels),
                        dep_names.join(","),
                        rel.namespace,
                        rel.version,
                        info.status,
                        deployed,
                        method
                    ));
                }
            }
        }
    }
    Ok(())
}

async fn test<C: ReleaseApi>(c: &C, a: TestArgs) -> Result<(), CmdError> {
    connected(c).await?;
    let timeout = parse_go_duration(&a.timeout)?;
    let rel = c.test(&a.name, None, Some(timeout)).await.map_err(err)?;
    out(&status_text(&rel, false, false, true));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tables the API server (v1.37) returned for a release's objects and related pods, and
    /// the RESOURCES text Helm 4.1.4 printed for them (its `==>` groups put in key order: Helm
    /// walks a Go map there).
    #[test]
    fn resources_section_as_helm_prints_it() {
        let tables: serde_json::Map<String, serde_json::Value> = serde_json::from_str(r#"{"v1/ConfigMap":[{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string","format":"name","priority":0},{"name":"Data","type":"string","format":"","priority":0},{"name":"Age","type":"string","format":"","priority":0}],"rows":[{"cells":["dd-a",1,"29m"]}]},{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string","format":"name","priority":0},{"name":"Data","type":"string","format":"","priority":0},{"name":"Age","type":"string","format":"","priority":0}],"rows":[{"cells":["dd-longer-name",2,"29m"]}]}],"v1/Deployment":[{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string","format":"name","priority":0},{"name":"Ready","type":"string","format":"","priority":0},{"name":"Up-to-date","type":"string","format":"","priority":0},{"name":"Available","type":"string","format":"","priority":0},{"name":"Age","type":"string","format":"","priority":0},{"name":"Containers","type":"string","format":"","priority":1},{"name":"Images","type":"string","format":"","priority":1},{"name":"Selector","type":"string","format":"","priority":1}],"rows":[{"cells":["dd-d","0/2",2,0,"29m","c","busybox","app=dd"]}]},{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string","format":"name","priority":0},{"name":"Ready","type":"string","format":"","priority":0},{"name":"Up-to-date","type":"string","format":"","priority":0},{"name":"Available","type":"string","format":"","priority":0},{"name":"Age","type":"string","format":"","priority":0},{"name":"Containers","type":"string","format":"","priority":1},{"name":"Images","type":"string","format":"","priority":1},{"name":"Selector","type":"string","format":"","priority":1}],"rows":[{"cells":["dd-nopods","0/0",0,0,"29m","c","busybox","app=none-dd"]}]}],"v1/Pod(related)":[{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string","format":"name","priority":0},{"name":"Ready","type":"string","format":"","priority":0},{"name":"Status","type":"string","format":"","priority":0},{"name":"Restarts","type":"string","format":"","priority":0},{"name":"Age","type":"string","format":"","priority":0},{"name":"IP","type":"string","format":"","priority":1},{"name":"Node","type":"string","format":"","priority":1},{"name":"Nominated Node","type":"string","format":"","priority":1},{"name":"Readiness Gates","type":"string","format":"","priority":1}],"rows":[{"cells":["dd-d-5f9c9f7d55-fb7qt","0/1","Pending","0","29m","<none>","<none>","<none>","<none>"]},{"cells":["dd-d-5f9c9f7d55-t9nj2","0/1","Pending","0","29m","<none>","<none>","<none>","<none>"]}]},{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string","format":"name","priority":0},{"name":"Ready","type":"string","format":"","priority":0},{"name":"Status","type":"string","format":"","priority":0},{"name":"Restarts","type":"string","format":"","priority":0},{"name":"Age","type":"string","format":"","priority":0},{"name":"IP","type":"string","format":"","priority":1},{"name":"Node","type":"string","format":"","priority":1},{"name":"Nominated Node","type":"string","format":"","priority":1},{"name":"Readiness Gates","type":"string","format":"","priority":1}],"rows":[]}]}"#).expect("json");
        let helm = "==> v1/ConfigMap\nNAME   DATA   AGE\ndd-a   1      29m\ndd-longer-name   2     29m\n\n\
                    ==> v1/Deployment\nNAME   READY   UP-TO-DATE   AVAILABLE   AGE\ndd-d   0/2     2            0           29m\ndd-nopods   0/0   0     0     29m\n\n\
                    ==> v1/Pod(related)\nNAME                    READY   STATUS    RESTARTS   AGE\n\
                    dd-d-5f9c9f7d55-fb7qt   0/1     Pending   0          29m\ndd-d-5f9c9f7d55-t9nj2   0/1     Pending   0          29m\n\n";
        assert_eq!(resources_text(&tables), helm);
    }

    #[test]
    fn go_durations() {
        assert_eq!(
            parse_go_duration("5m0s").ok(),
            Some(Duration::from_secs(300))
        );
        assert_eq!(parse_go_duration("90s").ok(), Some(Duration::from_secs(90)));
        assert_eq!(
            parse_go_duration("1h1m").ok(),
            Some(Duration::from_secs(3660))
        );
        assert_eq!(
            parse_go_duration("500ms").ok(),
            Some(Duration::from_millis(500))
        );
        assert!(parse_go_duration("5").is_err());
        assert!(parse_go_duration("abc").is_err());
    }

    #[test]
    fn uitable_layout() {
        // Layout of `helm list` as Helm 4.1.4 printed it (cells padded, tab-joined).
        let rows = vec![
            ["NAME", "NAMESPACE", "REVISION"].map(String::from).to_vec(),
            ["r1", "default", "1"].map(String::from).to_vec(),
        ];
        assert_eq!(
            table(&rows, 0),
            "NAME\tNAMESPACE\tREVISION\nr1  \tdefault  \t1       \n"
        );
        let rows = vec![vec!["x".repeat(70)]];
        assert_eq!(table(&rows, 60).trim_end().chars().count(), 60);
    }
}
