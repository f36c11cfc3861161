//! `helm-rs diff`: the helm-diff plugin's commands built in (`upgrade`, `install`, `rollback`,
//! `revision`, `release`), so that helmfile's `diff` and `apply`, which run `helm diff upgrade
//! … --detailed-exitcode`, work with helm-rs installed as `helm`. Also `upgrade --plan` and
//! `install --plan` (the same comparison, then stop).
//!
//! The plugin compares manifests, not live objects: the release's stored manifest (plus its
//! hooks) against the chart rendered as the upgrade would render it. Here the rendering is a
//! dry-run `upgrade`/`install` through [`ReleaseApi`] (the same code path as the real action,
//! so values reuse, capabilities and hooks are the action's): the plugin's
//! `HELM_DIFF_USE_UPGRADE_DRY_RUN=true` mode. Its default mode renders with `helm template
//! --is-upgrade` instead, where `.Release.Revision` is always 1; only charts that print it
//! differ between the two. The comparison and its printing are helm-core's
//! [`helm_core::release::plan`], checked byte for byte against the plugin.
//!
//! `--three-way-merge` (or `HELM_DIFF_THREE_WAY_MERGE=true`) compares with the live objects
//! instead: each object of the upgrade as a server-side apply dry run would leave it, against
//! the object as it is ([`helm_kube::plan::live_sides`]), so drift and admission webhooks show.
//! The plugin's three-way mode merges the manifests client-side instead; for an object
//! nobody touched by hand both show the same change.
//!
//! Not offered: `--take-ownership`'s ownership entries, `dyff` and `structured` outputs,
//! `local`, `--server` (a release server).

use crate::release::{client, load_chart};
use crate::{CmdError, ValueArgs};
use clap::{Args, Subcommand};
use helm_core::release::plan::{
    self, release_text, OutputFormat, ParseOptions, PlanOptions, ReportOptions, SecretDisplay,
    TEST_HOOKS,
};
use helm_core::release::Release;
use helm_kube::{ChartRef, ErrorKind, ReleaseApi};
use std::io::Write;

#[derive(Subcommand)]
pub enum DiffCommand {
    /// Show a diff explaining what a helm upgrade would change.
    Upgrade(UpgradeDiffArgs),
    /// Show what installing the chart would create (helm-rs; the plugin has `upgrade --allow-unreleased`).
    Install(UpgradeDiffArgs),
    /// Show a diff explaining what a helm rollback could perform.
    Rollback(RevisionDiffArgs),
    /// Shows diff between revision's manifests.
    Revision(RevisionDiffArgs),
    /// Shows diff between release's manifests.
    Release(RevisionDiffArgs),
}

/// The plugin's report options, common to every subcommand.
#[derive(Args, Clone, Default)]
pub struct ReportArgs {
    /// suppress secrets in the output
    #[arg(short = 'q', long = "suppress-secrets")]
    pub suppress_secrets: bool,
    /// do not redact secret values in the output
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// decode secret values in the output
    #[arg(long = "show-secrets-decoded")]
    pub show_secrets_decoded: bool,
    /// allows suppression of the kinds listed in the diff output (repeatable)
    #[arg(long)]
    pub suppress: Vec<String>,
    /// output NUM lines of context around changes (-1: all)
    #[arg(short = 'C', long, allow_negative_numbers = true)]
    pub context: Option<i64>,
    /// diff, simple, template, json
    #[arg(long)]
    pub output: Option<String>,
    /// strip trailing carriage return on input
    #[arg(long = "strip-trailing-cr")]
    pub strip_trailing_cr: bool,
    /// rename detection: the maximum fraction of changed lines for a removed and an added object of one kind to be paired
    #[arg(short = 'D', long = "find-renames", default_value_t = 0.0)]
    pub find_renames: f32,
    /// a regex to suppress diff output lines that match (repeatable)
    #[arg(long = "suppress-output-line-regex")]
    pub suppress_output_line_regex: Vec<String>,
    /// return exit code 2 when there are changes
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// enable the diffing of the helm test hooks
    #[arg(long = "include-tests")]
    pub include_tests: bool,
    /// normalize manifests before running diff to exclude style differences from the output
    #[arg(long = "normalize-manifests")]
    pub normalize_manifests: bool,
    /// remove colors from the output
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// color output
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub color: Option<String>,
}

#[derive(Args)]
pub struct UpgradeDiffArgs {
    /// `RELEASE CHART`
    pub args: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub values: ValueArgs,
    /// specify the exact chart version to use
    #[arg(long)]
    pub version: Option<String>,
    /// use development versions, too
    #[arg(long)]
    pub devel: bool,
    /// enables diffing of releases that are not yet deployed via Helm
    #[arg(long = "allow-unreleased")]
    pub allow_unreleased: bool,
    /// same as --allow-unreleased (as `helm upgrade --install`)
    #[arg(long)]
    pub install: bool,
    #[command(flatten)]
    pub reuse: crate::release::ReuseArgs,
    /// disable diffing of hooks
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// include CRDs in the diffing (accepted: CRDs of crds/ are not part of a release manifest)
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// accepted; the comparison is the release manifest against the rendered one
    #[arg(long = "three-way-merge")]
    pub three_way_merge: bool,
    /// --dry-run[=client|server] (accepted; rendering never changes the cluster)
    #[arg(long = "dry-run", num_args = 0..=1, default_missing_value = "client", require_equals = true)]
    pub dry_run: Option<String>,
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// accepted (helm-rs renders with the cluster's capabilities)
    #[arg(long = "disable-validation")]
    pub disable_validation: bool,
    /// accepted
    #[arg(long = "disable-openapi-validation")]
    pub disable_openapi_validation: bool,
    /// accepted
    #[arg(long = "enable-dns")]
    pub enable_dns: bool,
    /// accepted; ownership changes are not reported
    #[arg(long = "take-ownership")]
    pub take_ownership: bool,
    /// accepted
    #[arg(long = "server-side", default_value = "auto")]
    pub server_side: String,
    /// accepted: the new side is rendered with the cluster's own `.Capabilities` (helmfile
    /// passes the version it read from the same cluster)
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// accepted, as --kube-version
    #[arg(short = 'a', long = "api-versions")]
    pub api_versions: Vec<String>,
    #[command(flatten)]
    pub source: crate::repo::ChartSourceArgs,
    #[command(flatten)]
    pub post_render: crate::plugin::postrender::PostRendererArgs,
}

#[derive(Args)]
pub struct RevisionDiffArgs {
    /// `RELEASE REVISION` (rollback), `RELEASE REVISION1 [REVISION2]` (revision), `RELEASE1 RELEASE2` (release)
    pub args: Vec<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The comparison's settings from the flags and the plugin's environment variables
/// (`HELM_DIFF_OUTPUT`, `HELM_DIFF_OUTPUT_CONTEXT`, `HELM_DIFF_COLOR`,
/// `HELM_DIFF_NORMALIZE_MANIFESTS`).
fn settings(
    r: &ReportArgs,
    namespace: &str,
) -> Result<(ParseOptions, PlanOptions, ReportOptions), CmdError> {
    let env = |k: &str| std::env::var(k).ok();
    let output = r
        .output
        .clone()
        .or_else(|| env("HELM_DIFF_OUTPUT").filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "diff".into());
    let format: OutputFormat = output.parse().map_err(CmdError)?;
    let context = r
        .context
        .or_else(|| env("HELM_DIFF_OUTPUT_CONTEXT").and_then(|v| v.parse().ok()))
        .unwrap_or(-1);
    let color = match (&r.color, r.no_color) {
        (_, true) => false,
        (Some(v), false) => go_bool(v).ok_or_else(|| CmdError(format!("invalid argument {v:?} for \"--color\" flag: strconv.ParseBool: parsing {v:?}: invalid syntax")))?,
        (None, false) => match env("HELM_DIFF_COLOR").and_then(|v| go_bool(&v)) {
            Some(c) => c,
            None => {
                use std::io::IsTerminal;
                std::io::stdout().is_terminal() && env("TERM").as_deref() != Some("dumb")
            }
        },
    };
    let normalize =
        r.normalize_manifests || env("HELM_DIFF_NORMALIZE_MANIFESTS").as_deref() == Some("true");
    let mut suppressed = r.suppress.clone();
    if r.suppress_secrets {
        suppressed.push("Secret".into());
    }
    let parse = ParseOptions {
        default_namespace: namespace.to_string(),
        normalize,
        excluded_hooks: if r.include_tests {
            Vec::new()
        } else {
            TEST_HOOKS.iter().map(|s| s.to_string()).collect()
        },
    };
    let secrets = if r.show_secrets_decoded {
        SecretDisplay::Decoded
    } else if r.show_secrets {
        SecretDisplay::Shown
    } else {
        SecretDisplay::Masked
    };
    let opts = PlanOptions {
        secrets,
        suppressed_kinds: suppressed,
        strip_trailing_cr: r.strip_trailing_cr,
        find_renames: r.find_renames,
        suppress_output_line_regex: r.suppress_output_line_regex.clone(),
    };
    let report = ReportOptions {
        format,
        context: usize::try_from(context).ok(),
        color,
    };
    Ok((parse, opts, report))
}

/// Go's `strconv.ParseBool`.
fn go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn err<E: std::fmt::Display>(e: E) -> CmdError {
    CmdError(e.to_string())
}

/// Prints the report; exits 2 after it when asked to and something changed (the plugin's
/// `--detailed-exitcode`, what helmfile reads).
fn finish(p: &plan::Plan, report: &ReportOptions, detailed: bool) -> Result<(), CmdError> {
    let text = p.render(report);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if detailed && p.has_changes() {
        eprintln!("Error: identified at least one change, exiting with non-zero exit code (detailed-exitcode parameter enabled)");
        std::process::exit(2);
    }
    Ok(())
}

pub fn run(cmd: DiffCommand, kube: &crate::release::KubeArgs) -> Result<(), CmdError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(err)?;
    rt.block_on(async move {
        let c = client(kube).await?;
        match cmd {
            DiffCommand::Upgrade(a) => upgrade(&c, a, false).await,
            DiffCommand::Install(a) => upgrade(&c, a, true).await,
            DiffCommand::Rollback(a) => rollback(&c, a).await,
            DiffCommand::Revision(a) => revision(&c, a).await,
            DiffCommand::Release(a) => release(&c, a).await,
        }
    })
}

fn two_args<'a>(args: &'a [String], cmd: &str, what: &str) -> Result<(&'a str, &'a str), CmdError> {
    match args {
        [a, b] => Ok((a, b)),
        _ => Err(CmdError(format!(
            "This command needs 2 arguments: {what}\n\nUsage: helm diff {cmd}"
        ))),
    }
}

async fn upgrade<C: ReleaseApi>(
    c: &C,
    a: UpgradeDiffArgs,
    install_only: bool,
) -> Result<(), CmdError> {
    let (name, chart_path) = two_args(
        &a.args,
        if install_only { "install" } else { "upgrade" },
        "release name, chart path",
    )?;
    let post_renderer = a.post_render.step(crate::settings::debug())?;
    let live =
        a.three_way_merge || std::env::var("HELM_DIFF_THREE_WAY_MERGE").as_deref() == Ok("true");
    let (parse, opts, report) = settings(&a.report, c.namespace())?;
    let current = if install_only {
        None
    } else {
        match c.get_release(name, None, 0).await {
            Ok(rel) => Some(rel),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if !(a.allow_unreleased || a.install) {
                    eprintln!("********************\n\n\tRelease was not present in Helm.  Include the `--allow-unreleased` to perform diff without exiting in error.\n\n********************");
                    return Err(CmdError("release: not found".into()));
                }
                None
            }
            Err(e) => {
                return Err(CmdError(format!(
                    "Failed to get release {name} in namespace {}: {e}",
                    c.namespace()
                )))
            }
        }
    };
    let chart = ChartRef::Loaded(load_chart(
        chart_path,
        a.version.as_deref(),
        a.devel,
        &a.source,
    )?);
    let values = a.values.merge()?;
    let no_value_flags = a.values.values.is_empty()
        && a.values.set.is_empty()
        && a.values.set_string.is_empty()
        && a.values.set_file.is_empty()
        && a.values.set_json.is_empty()
        && a.values.set_literal.is_empty();
    // Rendered against the cluster (its capabilities, `lookup`), as the plugin does with Helm 4,
    // unless `--dry-run`/`--dry-run=client` asks for an offline rendering.
    let server = !matches!(a.dry_run.as_deref(), Some("client" | "true"));
    let new = match &current {
        Some(_) => {
            let opts = helm_kube::UpgradeOptions {
                dry_run: true,
                dry_run_server: server,
                no_hooks: a.no_hooks,
                // The plugin renders with the release's values when no values are given.
                reuse_values: (a.reuse.reuse_values || no_value_flags) && !a.reuse.reset_values,
                reset_values: a.reuse.reset_values,
                reset_then_reuse_values: a.reuse.reset_then_reuse_values,
                skip_schema_validation: a.skip_schema_validation,
                max_history: 10,
                post_renderer: post_renderer.clone(),
                ..Default::default()
            };
            c.upgrade(name, chart, &values, opts)
                .await
                .map_err(|e| CmdError(format!("Failed to render chart: {e}")))?
        }
        None => {
            let opts = helm_kube::InstallOptions {
                name: Some(name.to_string()),
                dry_run: true,
                dry_run_server: server,
                no_hooks: a.no_hooks,
                skip_schema_validation: a.skip_schema_validation,
                post_renderer,
                ..Default::default()
            };
            c.install(chart, &values, opts)
                .await
                .map_err(|e| CmdError(format!("Failed to render chart: {e}")))?
        }
    };
    // Against the live objects (`--three-way-merge`): what a server-side apply dry run of each
    // object would change on the cluster, drift and webhooks included.
    let sides = match live {
        true => {
            let old_manifest = current.as_ref().map(|r| r.manifest.as_str()).unwrap_or("");
            c.live_sides(name, None, old_manifest, &new.manifest, false)
                .await
                .map_err(|e| CmdError(format!("Failed to compare with the live objects: {e}")))?
        }
        false => None,
    };
    let p = match sides {
        Some(sides) => {
            helm_kube::plan::plan_live(&sides, current.as_ref(), &new, !a.no_hooks, &parse, &opts)
                .map_err(err)?
        }
        None => {
            let old_text = current
                .as_ref()
                .map(|r| release_text(r, !a.no_hooks))
                .unwrap_or_default();
            plan::plan_manifests(&old_text, &release_text(&new, !a.no_hooks), &parse, &opts)
                .map_err(err)?
        }
    };
    print_notes(&p);
    finish(&p, &report, a.report.detailed_exitcode)
}

fn revision_number(s: &str) -> i64 {
    // The plugin reads revisions with strconv.Atoi and ignores the error (0: the latest).
    s.parse().unwrap_or(0)
}

async fn rollback<C: ReleaseApi>(c: &C, a: RevisionDiffArgs) -> Result<(), CmdError> {
    let (name, rev) = two_args(&a.args, "rollback", "release name, revision number")?;
    let (parse, opts, report) = settings(&a.report, c.namespace())?;
    let current = c.get_release(name, None, 0).await.map_err(err)?;
    let target = c
        .get_release(name, None, revision_number(rev))
        .await
        .map_err(err)?;
    let p = plan::plan_manifests(
        &release_text(&current, false),
        &release_text(&target, false),
        &parse,
        &opts,
    )
    .map_err(err)?;
    finish(&p, &report, a.report.detailed_exitcode)
}

async fn revision<C: ReleaseApi>(c: &C, a: RevisionDiffArgs) -> Result<(), CmdError> {
    let (parse, opts, report) = settings(&a.report, c.namespace())?;
    match a.args.as_slice() {
        [name, rev] => {
            let current = c.get_release(name, None, 0).await.map_err(err)?;
            let old = c.get_release(name, None, revision_number(rev)).await.map_err(err)?;
            let p = plan::plan_manifests(&release_text(&old, false), &release_text(&current, false), &parse, &opts).map_err(err)?;
            // The plugin ignores --detailed-exitcode with a single revision.
            finish(&p, &report, false)
        }
        [name, r1, r2] => {
            let (mut r1, mut r2) = (revision_number(r1), revision_number(r2));
            if r1 > r2 {
                std::mem::swap(&mut r1, &mut r2);
            }
            let old = c.get_release(name, None, r1).await.map_err(err)?;
            let new = c.get_release(name, None, r2).await.map_err(err)?;
            let p = plan::plan_manifests(&release_text(&old, false), &release_text(&new, false), &parse, &opts).map_err(err)?;
            finish(&p, &report, a.report.detailed_exitcode)
        }
        [_] | [] => Err(CmdError("This command needs at least 2 arguments: release name, revision1\n\nUsage: helm diff revision".into())),
        _ => Err(CmdError("Invalid Arguments".into())),
    }
}

/// The chart name a release was made from (the plugin compares releases of one chart only).
fn chart_name(rel: &Release) -> String {
    rel.chart
        .as_ref()
        .and_then(|c| c.get("metadata"))
        .and_then(|m| m.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or("")
        .to_string()
}

async fn release<C: ReleaseApi>(c: &C, a: RevisionDiffArgs) -> Result<(), CmdError> {
    let (r1, r2) = two_args(&a.args, "release", "release1, release2")?;
    let split = |r: &str| match r.split_once('/') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, r.to_string()),
    };
    let ((ns1, n1), (ns2, n2)) = (split(r1), split(r2));
    let rel1 = c.get_release(&n1, ns1.as_deref(), 0).await.map_err(err)?;
    let rel2 = c.get_release(&n2, ns2.as_deref(), 0).await.map_err(err)?;
    let (chart1, chart2) = (chart_name(&rel1), chart_name(&rel2));
    if chart1 != chart2 {
        print!("Error : Incomparable Releases \n Unable to compare releases from two different charts \"{chart1}\", \"{chart2}\". \n try helm diff release --help to know more \n");
        return Ok(());
    }
    let (parse1, opts, report) = settings(&a.report, ns1.as_deref().unwrap_or(c.namespace()))?;
    let parse2 = ParseOptions {
        default_namespace: ns2.unwrap_or_else(|| c.namespace().to_string()),
        ..parse1.clone()
    };
    let old = plan::reindex_by_source(
        &plan::parse_manifest(&release_text(&rel1, false), &parse1).map_err(err)?,
    );
    let new = plan::reindex_by_source(
        &plan::parse_manifest(&release_text(&rel2, false), &parse2).map_err(err)?,
    );
    let p = plan::plan(&old, &new, &opts).map_err(err)?;
    finish(&p, &report, a.report.detailed_exitcode)
}

/// `upgrade --plan`: the library's plan of the upgrade (a dry run compared with the release's
/// current objects), printed (see [`print_plan`]); nothing is applied.
pub async fn plan_upgrade<C: ReleaseApi>(
    c: &C,
    name: &str,
    chart: ChartRef,
    values: &helm_core::Value,
    opts: helm_kube::UpgradeOptions,
    output: &str,
) -> Result<(), CmdError> {
    let (parse, options, report) = settings(&ReportArgs::default(), c.namespace())?;
    let (p, _) = helm_kube::plan::plan_upgrade(c, name, chart, values, opts, &parse, &options)
        .await
        .map_err(|e| CmdError(format!("UPGRADE FAILED: {e}")))?;
    print_plan(&p, report, output)
}

/// `install --plan`: as [`plan_upgrade`], for an install.
pub async fn plan_install<C: ReleaseApi>(
    c: &C,
    chart: ChartRef,
    values: &helm_core::Value,
    opts: helm_kube::InstallOptions,
    output: &str,
) -> Result<(), CmdError> {
    let (parse, options, report) = settings(&ReportArgs::default(), c.namespace())?;
    let (p, _) = helm_kube::plan::plan_install(c, chart, values, opts, &parse, &options)
        .await
        .map_err(|e| CmdError(format!("INSTALLATION FAILED: {e}")))?;
    print_plan(&p, report, output)
}

/// Prints a plan: the plugin's diff of the live objects (or the release's stored ones) and the
/// dry run's, then its `Plan: N to add, N to change, N to destroy` line; with `-o json` the structured plan
/// (every changed object with its texts and line diff, and the unchanged keys).
/// A plan's notes, on standard error (standard output is the report tools read).
fn print_notes(p: &plan::Plan) {
    for note in &p.notes {
        eprintln!("note: {note}");
    }
}

fn print_plan(p: &plan::Plan, mut report: ReportOptions, output: &str) -> Result<(), CmdError> {
    print_notes(p);
    let text = match output {
        "json" => format!("{}\n", serde_json::to_string_pretty(&p).map_err(err)?),
        _ => {
            let mut t = p.render(&report);
            report.format = OutputFormat::Simple;
            let summary = p.render(&report);
            t.push_str(summary.lines().last().unwrap_or(""));
            t.push('\n');
            t
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}
