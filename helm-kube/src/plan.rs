//! What an install or upgrade would change, for every front end: the action run as a dry run
//! through the release API, then compared by helm-core's plan engine
//! ([`helm_core::release::plan`], helm-diff's rules) with the cluster as it is: each object's
//! server-side apply dry run against the live object ([`live_sides`]), so drift and what
//! admission webhooks make of the objects show. A client that does not see the objects itself
//! (a release server's) compares with the release's stored manifest instead. The answer is the
//! structured [`Plan`] (each object added, removed or modified, with its texts and line diff);
//! the CLI prints it as helm-diff does, and any other caller can read it.

use crate::api::ReleaseApi;
use crate::error::{Error, Result};
use helm_core::release::api::{ChartRef, ErrorKind, InstallOptions, UpgradeOptions};
use helm_core::release::plan::{self, release_text, ParseOptions, Plan, PlanOptions};
use helm_core::release::Release;
use helm_core::values::Value;

/// `upgrade --plan`: the upgrade as a dry run (nothing is applied or stored), compared with the
/// release's current revision. Returns the plan and the release the upgrade would store.
pub async fn plan_upgrade<C: ReleaseApi>(
    c: &C,
    name: &str,
    chart: impl Into<ChartRef> + Send,
    values: &Value,
    mut opts: UpgradeOptions,
    parse: &ParseOptions,
    options: &PlanOptions,
) -> Result<(Plan, Release)> {
    opts.dry_run = true;
    let namespace = opts.namespace.clone();
    let force = opts.force_conflicts;
    let new = c.upgrade(name, chart, values, opts).await?;
    let plan =
        plan_against_current(c, name, namespace.as_deref(), &new, parse, options, force).await?;
    Ok((plan, new))
}

/// `install --plan`: as [`plan_upgrade`] for an install (nothing on the old side unless a
/// release of that name exists).
pub async fn plan_install<C: ReleaseApi>(
    c: &C,
    chart: impl Into<ChartRef> + Send,
    values: &Value,
    mut opts: InstallOptions,
    parse: &ParseOptions,
    options: &PlanOptions,
) -> Result<(Plan, Release)> {
    opts.dry_run = true;
    let namespace = opts.namespace.clone();
    let force = opts.force_conflicts;
    let new = c.install(chart, values, opts).await?;
    let plan = plan_against_current(
        c,
        &new.name,
        namespace.as_deref(),
        &new,
        parse,
        options,
        force,
    )
    .await?;
    Ok((plan, new))
}

/// `new` (a dry run's release) compared with the live objects where the client sees them, else
/// with the stored latest revision of `name` (none when the release does not exist).
async fn plan_against_current<C: ReleaseApi>(
    c: &C,
    name: &str,
    namespace: Option<&str>,
    new: &Release,
    parse: &ParseOptions,
    options: &PlanOptions,
    force: bool,
) -> Result<Plan> {
    let current = match c.get_release(name, namespace, 0).await {
        Ok(rel) => Some(rel),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let failed =
        |e: helm_core::release::plan::PlanError| Error::action(ErrorKind::Render, e.to_string());
    let old_manifest = current.as_ref().map(|r| r.manifest.as_str()).unwrap_or("");
    if let Some(sides) = c
        .live_sides(name, namespace, old_manifest, &new.manifest, force)
        .await?
    {
        return plan_live(&sides, current.as_ref(), new, true, parse, options);
    }
    let old = current
        .as_ref()
        .map(|r| release_text(r, true))
        .unwrap_or_default();
    plan::plan_manifests(&old, &release_text(new, true), parse, options).map_err(failed)
}

/// The plan of [`LiveSides`] (`current`: the release's latest revision, `new`: the dry run's):
/// with `hooks`, the hooks are compared as stored (they are created when they run), as
/// helm-diff does; conflicts with other field managers become the plan's notes.
pub fn plan_live(
    sides: &LiveSides,
    current: Option<&Release>,
    new: &Release,
    hooks: bool,
    parse: &ParseOptions,
    options: &PlanOptions,
) -> Result<Plan> {
    let hook_text = |r: &Release| {
        if hooks {
            plan::hooks_text(r)
        } else {
            String::new()
        }
    };
    let old = format!(
        "{}{}",
        sides.old,
        current.map(hook_text).unwrap_or_default()
    );
    let parse = ParseOptions {
        normalize: true,
        ..parse.clone()
    };
    let mut p = plan::plan_manifests(
        &old,
        &format!("{}{}", sides.new, hook_text(new)),
        &parse,
        options,
    )
    .map_err(|e| Error::action(ErrorKind::Render, e.to_string()))?;
    p.notes = sides.conflicts.iter().map(|c| format!("the upgrade would conflict with another field manager (it needs --force-conflicts): {c}")).collect();
    Ok(p)
}

/// The two sides of a plan against the cluster itself, as manifests for
/// [`plan::plan_manifests`]: on the old side the live objects, on the new side what a
/// server-side apply dry run of each new object returns. So the plan shows what the upgrade
/// would really change: fields changed by hand since the last revision (drift, which the
/// upgrade reverts where Helm owns them), what admission webhooks and defaults make of the
/// objects, and objects already gone. Hooks are left out (they are created when they run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSides {
    pub old: String,
    pub new: String,
    /// Objects whose apply would conflict with fields another manager owns (the upgrade needs
    /// `--force-conflicts`), as `Kind/name: the API server's message`. Their new side is the
    /// forced apply's.
    pub conflicts: Vec<String>,
}

/// Reads what [`LiveSides`] needs: `old_manifest` is the release's current manifest (the
/// objects the upgrade would delete are those it drops), `new_manifest` the dry run's.
pub async fn live_sides<C: crate::Cluster>(
    c: &C,
    release: &str,
    namespace: &str,
    old_manifest: &str,
    new_manifest: &str,
    force: bool,
) -> Result<LiveSides> {
    use helm_core::release::logic;
    let parse = |m: &str| logic::parse_manifest(m).map_err(|e| Error::invalid(e.to_string()));
    let (old_docs, new_docs) = (parse(old_manifest)?, parse(new_manifest)?);
    let mut sides = LiveSides::default();
    for doc in &new_docs {
        if let Some(live) = c.get(doc, namespace).await? {
            push_object(&mut sides.old, &live);
        }
        let after = match c.apply_dry_run(doc, namespace, Some(release), force).await {
            Err(e) if !force && is_conflict(&e) => {
                sides.conflicts.push(format!("{}: {e}", doc.key()));
                c.apply_dry_run(doc, namespace, Some(release), true).await?
            }
            other => other?,
        };
        push_object(&mut sides.new, &after);
    }
    for doc in logic::dropped_resources(&old_docs, &new_docs, namespace) {
        if let Some(live) = c.get(&doc, namespace).await? {
            push_object(&mut sides.old, &live);
        }
    }
    Ok(sides)
}

fn is_conflict(e: &Error) -> bool {
    matches!(e, Error::Api { code: 409, .. })
}

/// Appends one live object to a manifest, without what the API server keeps for itself
/// (status, managed fields, identity and version stamps): only what a manifest can set.
fn push_object(manifest: &mut String, live: &serde_json::Value) {
    let mut o = live.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("status");
        if let Some(md) = m.get_mut("metadata").and_then(|x| x.as_object_mut()) {
            for k in [
                "managedFields",
                "resourceVersion",
                "uid",
                "creationTimestamp",
                "generation",
                "selfLink",
            ] {
                md.remove(k);
            }
            if let Some(ann) = md.get_mut("annotations").and_then(|a| a.as_object_mut()) {
                ann.remove("kubectl.kubernetes.io/last-applied-configuration");
            }
            if md
                .get("annotations")
                .and_then(|a| a.as_object())
                .is_some_and(|a| a.is_empty())
            {
                md.remove("annotations");
            }
        }
    }
    manifest.push_str("---\n");
    manifest.push_str(&serde_json::to_string(&o).unwrap_or_default());
    manifest.push('\n');
}
