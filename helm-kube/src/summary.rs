//! The release API as the language bindings hand it on: values given as the user wrote them
//! ([`ValuesInput`]: files, a mapping, `--set` strings), charts as a local path or a
//! reference ([`ChartArg`]), releases answered as [`release_summary`] data (what Python's
//! dicts and JavaScript's objects show), and one failure type ([`ActionFailure`]) that keeps
//! the kind.
//!
//! Why here: the Python and Node bindings expose the same methods on the same two clients
//! (a cluster, a release server); each only converts its language's arguments into these
//! calls and the answers and failures back. Written once, for any [`ReleaseApi`].

use crate::api::ReleaseApi;
use crate::error::Error;
use helm_core::release::api::{
    ChartRef, InstallOptions, ListOptions, RecoverOptions, RollbackOptions, UninstallOptions,
    UpgradeOptions,
};
use helm_core::release::release_summary;
use helm_core::render::api::{ApiError, ValuesInput};
use helm_core::values::Value;
use std::path::PathBuf;
use std::time::Duration;

/// A release action's failure as a binding reports it: bad input found before the call (the
/// chart, the values: an [`ApiError`] with its kind), or the client's [`Error`], which carries
/// its kind as data.
#[derive(Debug)]
pub enum ActionFailure {
    Input(ApiError),
    Client(Error),
}

impl From<ApiError> for ActionFailure {
    fn from(e: ApiError) -> Self {
        ActionFailure::Input(e)
    }
}

impl From<Error> for ActionFailure {
    fn from(e: Error) -> Self {
        ActionFailure::Client(e)
    }
}

/// The answer of one action.
pub type Answer = Result<Value, ActionFailure>;

/// The chart of install/upgrade: a local path (loaded, or packaged for a release server, by the
/// client: [`ReleaseApi::local_chart`]) or a reference the client resolves.
pub enum ChartArg {
    Path(PathBuf),
    Ref(ChartRef),
}

impl ChartArg {
    /// The reference the client takes.
    pub fn resolve<C: ReleaseApi>(self, c: &C) -> Result<ChartRef, ActionFailure> {
        match self {
            ChartArg::Path(p) => Ok(c.local_chart(&p)?),
            ChartArg::Ref(r) => Ok(r),
        }
    }
}

/// `install`: the new release's summary.
pub async fn install<C: ReleaseApi>(
    c: &C,
    chart: ChartArg,
    input: ValuesInput,
    opts: InstallOptions,
) -> Answer {
    let chart = chart.resolve(c)?;
    let vals = input.merge()?;
    Ok(release_summary(&c.install(chart, &vals, opts).await?))
}

/// `upgrade` (with `opts.install`: `upgrade --install`).
pub async fn upgrade<C: ReleaseApi>(
    c: &C,
    name: String,
    chart: ChartArg,
    input: ValuesInput,
    opts: UpgradeOptions,
) -> Answer {
    let chart = chart.resolve(c)?;
    let vals = input.merge()?;
    Ok(release_summary(
        &c.upgrade(&name, chart, &vals, opts).await?,
    ))
}

/// `upgrade --plan`: what the upgrade would change ([`ReleaseApi::plan`]), as data: `changes`
/// (each with `key`, `kind`, `action`, `change`, `old`, `new`, `lines`), `unchanged`,
/// `suppressed_kinds` and, when there are any, `notes`.
pub async fn plan<C: ReleaseApi>(
    c: &C,
    name: String,
    chart: ChartArg,
    input: ValuesInput,
    opts: UpgradeOptions,
) -> Answer {
    let chart = chart.resolve(c)?;
    let vals = input.merge()?;
    let plan = c.plan(&name, chart, &vals, opts).await?;
    let json = serde_json::to_value(&plan).map_err(|e| Error::invalid(e.to_string()))?;
    Ok(helm_core::release::record::json_to_core(&json))
}

/// `rollback`.
pub async fn rollback<C: ReleaseApi>(c: &C, name: String, opts: RollbackOptions) -> Answer {
    Ok(release_summary(&c.rollback(&name, opts).await?))
}

/// `uninstall`: the last revision's summary with `kept`, the objects left by
/// `helm.sh/resource-policy: keep`.
pub async fn uninstall<C: ReleaseApi>(c: &C, name: String, opts: UninstallOptions) -> Answer {
    let res = c.uninstall(&name, opts).await?;
    let summary = release_summary(&res.release);
    if let Some(m) = summary.as_map() {
        m.insert(
            "kept",
            Value::list(res.kept.iter().map(Value::str).collect()),
        );
    }
    Ok(summary)
}

/// `status`: one revision (0: the latest).
pub async fn status<C: ReleaseApi>(
    c: &C,
    name: String,
    revision: i64,
    namespace: Option<String>,
) -> Answer {
    Ok(release_summary(
        &c.get_release(&name, namespace.as_deref(), revision).await?,
    ))
}

/// `history`: every revision, oldest first.
pub async fn history<C: ReleaseApi>(c: &C, name: String, namespace: Option<String>) -> Answer {
    Ok(Value::list(
        c.history(&name, namespace.as_deref())
            .await?
            .iter()
            .map(release_summary)
            .collect(),
    ))
}

/// `list`.
pub async fn list<C: ReleaseApi>(c: &C, opts: ListOptions) -> Answer {
    Ok(Value::list(
        c.list(opts).await?.iter().map(release_summary).collect(),
    ))
}

/// `get values` (`all`: with the chart's defaults).
pub async fn get_values<C: ReleaseApi>(
    c: &C,
    name: String,
    revision: i64,
    namespace: Option<String>,
    all: bool,
) -> Answer {
    Ok(c.get_values(&name, namespace.as_deref(), revision, all)
        .await?)
}

/// `test`: the release's summary with its test hooks' results.
pub async fn test<C: ReleaseApi>(
    c: &C,
    name: String,
    namespace: Option<String>,
    timeout: Option<Duration>,
) -> Answer {
    Ok(release_summary(
        &c.test(&name, namespace.as_deref(), timeout).await?,
    ))
}

/// `recover`: the release with its interrupted pending revision marked failed.
pub async fn recover<C: ReleaseApi>(c: &C, name: String, opts: RecoverOptions) -> Answer {
    Ok(release_summary(&c.recover(&name, opts).await?))
}

/// A progress event as the bindings hand it to a callback: its JSON form (`type`, and the
/// event's fields) as helm-core data.
pub fn progress_event(ev: &crate::ProgressEvent) -> Value {
    serde_json::to_value(ev)
        .map(|j| helm_core::release::record::json_to_core(&j))
        .unwrap_or(Value::Nil)
}
