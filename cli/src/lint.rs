//! `helm lint PATH...`: Helm's report per chart, then the summary line (an error when a chart
//! failed). The rules themselves are in helm-core's `lint`; this module reads the flags, finds
//! the subcharts for `--with-subcharts` the way Helm walks for them, and prints.

use crate::{CmdError, ValueArgs};
use clap::Args;
use helm_core::gocompat::path as gopath;
use helm_core::lint::{self, Severity};
use helm_core::render::objects::KubeVersion;
use std::io::Write;
use std::path::Path;

#[derive(Args)]
pub struct LintArgs {
    /// `PATH...`: chart directories or archives (at least one).
    args: Vec<String>,
    /// Fail on lint warnings.
    #[arg(long)]
    strict: bool,
    /// Print only warnings and errors.
    #[arg(long)]
    quiet: bool,
    /// Lint dependent charts (every chart under each chart's charts/ directory).
    #[arg(long = "with-subcharts")]
    with_subcharts: bool,
    /// Kubernetes version used for capabilities and deprecation checks.
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    /// If set, disables JSON schema validation.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    #[command(flatten)]
    values: ValueArgs,
}

/// Helm's `--with-subcharts` walk: every directory holding a `Chart.yaml` and every `.tgz` /
/// `.tar.gz` anywhere under `PATH/charts` (nested subcharts included), in Go's `filepath.Walk`
/// order — depth first, entries in byte order, symbolic links not followed — with paths joined
/// and cleaned as Go does.
fn subchart_paths(chart: &str, out: &mut Vec<String>) {
    fn walk(path: &str, out: &mut Vec<String>) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        if gopath::base(path) == "Chart.yaml" {
            out.push(gopath::dir(path));
        } else if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
            out.push(path.to_string());
        }
        if !meta.is_dir() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut names: Vec<Vec<u8>> = entries
            .flatten()
            .map(|e| {
                use std::os::unix::ffi::OsStrExt;
                e.file_name().as_bytes().to_vec()
            })
            .collect();
        names.sort();
        for name in names {
            let name = String::from_utf8_lossy(&name);
            walk(&gopath::clean(&format!("{path}/{name}")), out);
        }
    }
    walk(&gopath::clean(&format!("{chart}/charts")), out);
}

/// `helm lint PATH...`.
pub fn run_lint(a: LintArgs, namespace: String) -> Result<(), CmdError> {
    if a.args.is_empty() {
        return Err(crate::release::usage_error(
            "lint",
            "at least 1 argument",
            "PATH",
        ));
    }
    let kube_version = match a.kube_version.as_deref() {
        None | Some("") => None,
        Some(v) => Some(
            KubeVersion::parse(v)
                .map_err(|e| CmdError(format!("invalid kube version '{v}': {e}")))?,
        ),
    };
    let mut paths = a.args.clone();
    if a.with_subcharts {
        for p in &a.args {
            subchart_paths(p, &mut paths);
        }
    }
    let user_values = a.values.merge()?;
    let opts = lint::LintOptions {
        namespace,
        kube_version,
        skip_schema_validation: a.skip_schema_validation,
    };
    let mut report = String::new();
    let (mut failed, mut with_findings) = (0, 0);
    for p in &paths {
        let result = lint::lint_path(Path::new(p), &user_values, &opts);
        // What Helm's engine logs in lint mode goes to standard error, before the report.
        for (level, msg, message) in &result.engine_log {
            eprintln!(
                "level={level} msg={} message={}",
                crate::slog::value(msg),
                crate::slog::value(message)
            );
        }
        let has = !result.errors.is_empty()
            || result.messages.iter().any(|m| m.severity > Severity::Info);
        if has {
            with_findings += 1;
        }
        if a.quiet && !has {
            continue;
        }
        report.push_str(&format!("==> Linting {p}\n"));
        if result.messages.is_empty() {
            for e in &result.errors {
                report.push_str(&format!("Error {e}\n"));
            }
        }
        for m in &result.messages {
            if !a.quiet || m.severity > Severity::Info {
                report.push_str(&format!("{m}\n"));
            }
        }
        if result.failed(a.strict) {
            failed += 1;
        }
        report.push('\n');
    }
    let _ = std::io::stdout().lock().write_all(report.as_bytes());
    let summary = format!(
        "{} chart(s) linted, {} chart(s) failed",
        paths.len(),
        failed
    );
    if failed > 0 {
        return Err(CmdError(summary));
    }
    if !a.quiet || with_findings > 0 {
        let _ = writeln!(std::io::stdout().lock(), "{summary}");
    }
    Ok(())
}
