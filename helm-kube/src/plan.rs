//! What an install or upgrade would change, for every front end: the action run as a dry run
//! through the release API, its objects (hooks included) compared with the release's current
//! ones by helm-core's plan engine ([`helm_core::release::plan`], helm-diff's rules). The
//! answer is the structured [`Plan`] (each object added, removed or modified, with its texts
//! and line diff); the CLI prints it as helm-diff does, and any other caller can read it.

use crate::api::ReleaseApi;
use crate::error::{Error, Result};
use helm_core::release::api::{ChartRef, ErrorKind, InstallOptions, UpgradeOptions};
use helm_core::release::plan::{self, release_text, ParseOptions, Plan, PlanOptions};
use helm_core::release::Release;
use helm_core::values::Value;

/// `upgrade --plan`: the upgrade as a dry run (nothing is applied or stored), compared with the
/// release's current revision. Returns the plan and the release the upgrade would store.
pub async fn plan_upgrade<C: ReleaseApi>(c: &C, name: &str, chart: impl Into<ChartRef> + Send, values: &Value, mut opts: UpgradeOptions, parse: &ParseOptions, options: &PlanOptions) -> Result<(Plan, Release)> {
    opts.dry_run = true;
    let namespace = opts.namespace.clone();
    let new = c.upgrade(name, chart, values, opts).await?;
    let plan = plan_against_current(c, name, namespace.as_deref(), &new, parse, options).await?;
    Ok((plan, new))
}

/// `install --plan`: as [`plan_upgrade`] for an install (nothing on the old side unless a
/// release of that name exists).
pub async fn plan_install<C: ReleaseApi>(c: &C, chart: impl Into<ChartRef> + Send, values: &Value, mut opts: InstallOptions, parse: &ParseOptions, options: &PlanOptions) -> Result<(Plan, Release)> {
    opts.dry_run = true;
    let namespace = opts.namespace.clone();
    let new = c.install(chart, values, opts).await?;
    let plan = plan_against_current(c, &new.name, namespace.as_deref(), &new, parse, options).await?;
    Ok((plan, new))
}

/// `new` (a dry run's release) compared with the stored latest revision of `name` (none when
/// the release does not exist).
async fn plan_against_current<C: ReleaseApi>(c: &C, name: &str, namespace: Option<&str>, new: &Release, parse: &ParseOptions, options: &PlanOptions) -> Result<Plan> {
    let old = match c.get_release(name, namespace, 0).await {
        Ok(rel) => release_text(&rel, true),
        Err(e) if e.kind() == ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    plan::plan_manifests(&old, &release_text(new, true), parse, options).map_err(|e| Error::action(ErrorKind::Render, e.to_string()))
}
