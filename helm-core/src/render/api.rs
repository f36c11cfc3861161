//! The rendering API the language bindings (and Rust programs) call: one function that renders
//! a chart and returns everything a caller wants at once, and one error type that says which
//! kind of input was wrong and, for template errors, where.
//!
//! Why a separate entry point: `helm template` prints one text, but a program wants the pieces
//! too (each document with its kind and name, the hooks, NOTES.txt). Rendering twice to get both
//! would double the cost on large charts, so [`render_release`] runs the pipeline once
//! ([`super::render_chart`]) and prints the text with the same code as the CLI
//! ([`super::print_template`]): `manifest` is byte for byte what `helm template` writes.
//! Nothing here renders on its own; it only reshapes the pipeline's results.

use super::manifest::HookEvent;
use super::user_values::ValueOptions;
use super::{print_template, render_chart, RenderError, TemplateOptions};
use crate::chart::{Chart, ChartError};
use crate::strvals;
use crate::values::file::merge_maps;
use crate::values::{Map, Value};

/// One rendered Kubernetes document that is not a hook.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedManifest {
    /// `metadata.name` (empty when the document has none).
    pub name: String,
    /// `kind` (empty when the document has none).
    pub kind: String,
    /// The template it came from, e.g. `mychart/templates/service.yaml`.
    pub path: String,
    /// The document's YAML as printed after its `# Source:` line.
    pub content: String,
}

/// One rendered hook document (`helm.sh/hook` annotation).
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedHook {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub content: String,
    /// Helm's event names (`pre-install`, `test`, …).
    pub events: Vec<String>,
    /// `helm.sh/hook-weight`.
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` entries.
    pub delete_policies: Vec<String>,
}

/// Everything one render produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RenderResult {
    /// Exactly what `helm template` writes to standard output with the same options.
    pub manifest: String,
    /// Non-hook documents in install order (the order `manifest` prints them).
    pub manifests: Vec<RenderedManifest>,
    /// Hook documents in Helm's order.
    pub hooks: Vec<RenderedHook>,
    /// The root chart's rendered NOTES.txt (empty when there is none).
    pub notes: String,
    /// Lines Helm logs on standard error (warnings, dropped hooks).
    pub log: Vec<String>,
}

/// Where a template error happened, as Helm's message gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateLocation {
    /// The template file, e.g. `mychart/templates/deployment.yaml`.
    pub template: String,
    /// 1-based line (0 when the message has none).
    pub line: usize,
    /// Go's column (a 0-based byte offset within the line); `None` when Helm's message has none
    /// (parse errors, YAML errors of a rendered document).
    pub column: Option<usize>,
}

/// A failure, sorted by what the caller has to fix. Display is Helm's message (what follows
/// `Error: ` on the CLI).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The chart could not be loaded or cannot be installed (bad Chart.yaml, missing
    /// dependencies, a library chart).
    #[error("{0}")]
    Chart(String),
    /// The values are wrong: a values file, `--set` syntax, or the chart's schema.
    #[error("{0}")]
    Values(String),
    /// A template failed to parse or execute, or rendered invalid YAML.
    #[error("{message}")]
    Render { message: String, location: Option<TemplateLocation> },
    /// Anything else (an invalid release name or Kubernetes version, file output).
    #[error("{0}")]
    Invalid(String),
}

impl From<ChartError> for ApiError {
    fn from(e: ChartError) -> Self {
        ApiError::Chart(e.to_string())
    }
}

impl From<RenderError> for ApiError {
    fn from(e: RenderError) -> Self {
        let message = e.to_string();
        match e {
            RenderError::NotInstallable(_) | RenderError::MissingDependencies(_) | RenderError::Dependencies(_) => {
                ApiError::Chart(message)
            }
            RenderError::Values(_) | RenderError::Schema(_) => ApiError::Values(message),
            RenderError::Render(inner) => ApiError::Render { location: template_location(&inner), message },
            RenderError::InvalidReleaseName { .. } | RenderError::ShowOnlyNotFound(_) | RenderError::Io(_) => {
                ApiError::Invalid(message)
            }
        }
    }
}

/// The values a caller gives: values files, then an in-memory map (as if it were one more
/// file after them), then `--set` and `--set-string` expressions, in Helm's order.
#[derive(Clone, Debug, Default)]
pub struct ValuesInput {
    pub value_files: Vec<String>,
    pub values: Option<Value>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
}

impl ValuesInput {
    /// The user-supplied values as one map (Helm's `MergeValues` with the map added after the
    /// files).
    pub fn merge(&self) -> Result<Value, ApiError> {
        let files = ValueOptions { value_files: self.value_files.clone(), ..Default::default() };
        let mut base = files.merge_values().map_err(ApiError::Values)?;
        match &self.values {
            None | Some(Value::Nil) => {}
            Some(Value::Map(m)) => {
                let cur = base.as_map().cloned().unwrap_or_default();
                base = Value::Map(merge_maps(&cur, m));
            }
            Some(other) => {
                return Err(ApiError::Values(format!("values must be a map, not {}", other.go_type_name())));
            }
        }
        for v in &self.set {
            strvals::parse_set(v, &mut base).map_err(|e| ApiError::Values(format!("failed parsing --set data: {e}")))?;
        }
        for v in &self.set_string {
            strvals::parse_set_string(v, &mut base)
                .map_err(|e| ApiError::Values(format!("failed parsing --set-string data: {e}")))?;
        }
        if base.is_nil() {
            base = Value::Map(Map::new());
        }
        Ok(base)
    }
}

/// Renders `chart` with `user_values` as `helm template` does with `opts`, returning the
/// printed text and its pieces.
pub fn render_release(chart: Chart, user_values: &Value, opts: &TemplateOptions) -> Result<RenderResult, ApiError> {
    let (chart, rendered) = render_chart(chart, user_values, opts)?;
    let printed = print_template(&chart, &rendered, opts)?;
    let manifests = rendered
        .manifests
        .iter()
        .map(|m| RenderedManifest {
            name: m.head.metadata.as_ref().map(|md| md.name.clone()).unwrap_or_default(),
            kind: m.head.kind.clone(),
            path: m.name.clone(),
            content: m.content.clone(),
        })
        .collect();
    let hooks = rendered
        .hooks
        .iter()
        .map(|h| RenderedHook {
            name: h.name.clone(),
            kind: h.kind.clone(),
            path: h.path.clone(),
            content: h.manifest.clone(),
            events: h.events.iter().map(|e| hook_event_name(*e).to_string()).collect(),
            weight: h.weight,
            delete_policies: h.delete_policies.clone(),
        })
        .collect();
    Ok(RenderResult { manifest: printed.stdout, manifests, hooks, notes: rendered.notes, log: printed.log })
}

/// Helm's name of a hook event (the annotation value).
pub fn hook_event_name(e: HookEvent) -> &'static str {
    match e {
        HookEvent::PreInstall => "pre-install",
        HookEvent::PostInstall => "post-install",
        HookEvent::PreDelete => "pre-delete",
        HookEvent::PostDelete => "post-delete",
        HookEvent::PreUpgrade => "pre-upgrade",
        HookEvent::PostUpgrade => "post-upgrade",
        HookEvent::PreRollback => "pre-rollback",
        HookEvent::PostRollback => "post-rollback",
        HookEvent::Test => "test",
    }
}

/// The outermost location in a render error message. Helm's messages have four shapes:
/// `parse error at (FILE:LINE): …`, `execution error at (FILE:LINE:COL): …`,
/// `template: FILE:LINE[:COL]: …` (Go's own text, or Helm 4's `FILE:LINE:COL` first line) and
/// `YAML parse error on FILE: …`.
pub fn template_location(message: &str) -> Option<TemplateLocation> {
    for prefix in ["parse error at (", "execution error at ("] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let loc = &rest[..rest.find("): ")?];
            return split_location(loc);
        }
    }
    if let Some(rest) = message.strip_prefix("template: ") {
        let loc = &rest[..rest.find(": ").unwrap_or(rest.len())];
        return split_location(loc).or_else(|| {
            Some(TemplateLocation { template: loc.to_string(), line: 0, column: None })
        });
    }
    // Helm 4's layout of Go's execution errors: `FILE:LINE:COL` alone on the first line.
    let first = message.split('\n').next().unwrap_or("");
    if message.contains('\n') && !first.contains(' ') {
        if let Some(loc) = split_location(first) {
            return Some(loc);
        }
    }
    if let Some(rest) = message.strip_prefix("YAML parse error on ") {
        let file = &rest[..rest.find(": ")?];
        return Some(TemplateLocation { template: file.to_string(), line: 0, column: None });
    }
    None
}

/// `FILE:LINE` or `FILE:LINE:COL`.
fn split_location(loc: &str) -> Option<TemplateLocation> {
    let (head, last) = loc.rsplit_once(':')?;
    let last_n: usize = last.parse().ok()?;
    if let Some((file, line)) = head.rsplit_once(':') {
        if let Ok(line_n) = line.parse::<usize>() {
            return Some(TemplateLocation { template: file.to_string(), line: line_n, column: Some(last_n) });
        }
    }
    Some(TemplateLocation { template: head.to_string(), line: last_n, column: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(t: &str, line: usize, column: Option<usize>) -> Option<TemplateLocation> {
        Some(TemplateLocation { template: t.into(), line, column })
    }

    #[test]
    fn locations_from_helm_messages() {
        assert_eq!(
            template_location("parse error at (c/templates/a.yaml:3): unexpected \"}\" in operand"),
            loc("c/templates/a.yaml", 3, None)
        );
        assert_eq!(
            template_location("execution error at (c/templates/a.yaml:2:5): boom"),
            loc("c/templates/a.yaml", 2, Some(5))
        );
        assert_eq!(
            template_location("template: c/templates/a.yaml:4:11: executing \"c/templates/a.yaml\" at <.Values.x.y>: nil pointer"),
            loc("c/templates/a.yaml", 4, Some(11))
        );
        assert_eq!(
            template_location("YAML parse error on c/templates/a.yaml: error converting YAML to JSON"),
            loc("c/templates/a.yaml", 0, None)
        );
        // Helm 4.1.4's own layout of the same error.
        assert_eq!(
            template_location("bad/templates/cm.yaml:5:15\n  executing \"bad/templates/cm.yaml\" at <.Values.a.b.c>:\n    nil pointer evaluating interface {}.b\n\nUse --debug flag to render out invalid YAML"),
            loc("bad/templates/cm.yaml", 5, Some(15))
        );
        assert_eq!(template_location("chart requires kubeVersion: >=1.40"), None);
    }

    fn hello() -> Option<Chart> {
        let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string())).join("../examples/charts/hello");
        crate::chart::load(&dir).ok()
    }

    #[test]
    fn manifest_is_template_output_and_pieces_match() {
        let Some(chart) = hello() else { return };
        let opts = TemplateOptions::default();
        let vals = ValuesInput::default().merge().unwrap_or_default();
        let expected = super::super::template(chart.clone(), &vals, &opts).map(|o| o.stdout);
        let got = render_release(chart, &vals, &opts);
        let (Ok(expected), Ok(got)) = (expected, got) else { panic!("render failed") };
        assert_eq!(got.manifest, expected);
        assert!(!got.manifests.is_empty());
        for m in &got.manifests {
            assert!(got.manifest.contains(&format!("# Source: {}\n{}", m.path, m.content)));
            assert!(!m.kind.is_empty());
        }
    }

    #[test]
    fn values_map_goes_between_files_and_set() {
        let values = crate::values::yaml::from_str("a: 1\nb: {c: x}\n").ok();
        let input = ValuesInput { values, set: vec!["a=2".into()], ..Default::default() };
        let merged = input.merge().unwrap_or_default();
        let m = merged.as_map().cloned().unwrap_or_default();
        assert_eq!(m.get("a").and_then(|v| v.as_i64()), Some(2));
        assert!(m.get("b").is_some());
        let bad = ValuesInput { set: vec!["a".into()], ..Default::default() };
        assert!(matches!(bad.merge(), Err(ApiError::Values(_))));
    }
}
