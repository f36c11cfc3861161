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

pub use crate::template::error::TemplateLocation;

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
    /// A template failed to parse or execute, or rendered invalid YAML. `location` is where
    /// the chart's own template failed; `chain` every level of the failure, from there to the
    /// `include`d or `tpl` template where the error was raised (see
    /// [`RenderError::chain`]).
    #[error("{message}")]
    Render {
        message: String,
        location: Option<TemplateLocation>,
        chain: Vec<TemplateLocation>,
    },
    /// The post-renderer failed, or its input or output was not YAML documents.
    #[error("{0}")]
    PostRender(String),
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
            RenderError::NotInstallable(_)
            | RenderError::MissingDependencies(_)
            | RenderError::Dependencies(_) => ApiError::Chart(message),
            RenderError::Values(_) | RenderError::Schema(_) => ApiError::Values(message),
            RenderError::Template(_)
            | RenderError::Manifest(_)
            | RenderError::KubeVersion { .. } => {
                let chain = e.chain();
                ApiError::Render {
                    location: chain.first().cloned(),
                    chain,
                    message,
                }
            }
            RenderError::InvalidReleaseName { .. }
            | RenderError::ShowOnlyNotFound(_)
            | RenderError::Io(_) => ApiError::Invalid(message),
            RenderError::PostRender(_) => ApiError::PostRender(message),
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
        let files = ValueOptions {
            value_files: self.value_files.clone(),
            ..Default::default()
        };
        let mut base = files.merge_values().map_err(ApiError::Values)?;
        match &self.values {
            None | Some(Value::Nil) => {}
            Some(Value::Map(m)) => {
                let cur = base.as_map().cloned().unwrap_or_default();
                base = Value::Map(merge_maps(&cur, m));
            }
            Some(other) => {
                return Err(ApiError::Values(format!(
                    "values must be a map, not {}",
                    other.go_type_name()
                )));
            }
        }
        for v in &self.set {
            strvals::parse_set(v, &mut base)
                .map_err(|e| ApiError::Values(format!("failed parsing --set data: {e}")))?;
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
pub fn render_release(
    chart: Chart,
    user_values: &Value,
    opts: &TemplateOptions,
) -> Result<RenderResult, ApiError> {
    let (chart, rendered) = render_chart(chart, user_values, opts)?;
    let printed = print_template(&chart, &rendered, opts)?;
    let manifests = rendered
        .manifests
        .iter()
        .map(|m| RenderedManifest {
            name: m
                .head
                .metadata
                .as_ref()
                .map(|md| md.name.clone())
                .unwrap_or_default(),
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
            events: h
                .events
                .iter()
                .map(|e| hook_event_name(*e).to_string())
                .collect(),
            weight: h.weight,
            delete_policies: h.delete_policies.clone(),
        })
        .collect();
    Ok(RenderResult {
        manifest: printed.stdout,
        manifests,
        hooks,
        notes: rendered.notes,
        log: printed.log,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(t: &str, line: usize, column: Option<usize>, executing: &str) -> TemplateLocation {
        TemplateLocation {
            template: t.into(),
            line,
            column,
            executing: executing.into(),
        }
    }

    /// Renders chart `c` (Chart.yaml `extra` lines added) with the given templates and returns
    /// the error as the API gives it.
    fn render_error(extra: &str, templates: &[(&str, &str)]) -> ApiError {
        let mut files = vec![crate::chart::File {
            name: "Chart.yaml".into(),
            data: format!("apiVersion: v2\nname: c\nversion: 0.1.0\n{extra}")
                .into_bytes()
                .into(),
            modtime: None,
        }];
        for (name, src) in templates {
            files.push(crate::chart::File {
                name: (*name).into(),
                data: src.as_bytes().into(),
                modtime: None,
            });
        }
        let chart = crate::chart::load_files(files).expect("chart loads");
        match render_release(chart, &Value::empty_map(), &TemplateOptions::default()) {
            Ok(_) => panic!("rendered without error"),
            Err(e) => e,
        }
    }

    fn location_and_chain(e: &ApiError) -> (Option<TemplateLocation>, Vec<TemplateLocation>) {
        match e {
            ApiError::Render {
                location, chain, ..
            } => (location.clone(), chain.clone()),
            other => panic!("not a render error: {other:?}"),
        }
    }

    #[test]
    fn parse_error_location() {
        let e = render_error("", &[("templates/a.yaml", "x: 1\ny: {{ .Values.a }\n")]);
        assert_eq!(e.to_string(), "parse error at (c/templates/a.yaml:2): unexpected \"}\" in operand\n\nUse --debug flag to render out invalid YAML");
        let (location, chain) = location_and_chain(&e);
        assert_eq!(location, Some(loc("c/templates/a.yaml", 2, None, "")));
        assert_eq!(chain, vec![loc("c/templates/a.yaml", 2, None, "")]);
    }

    #[test]
    fn exec_error_location() {
        let e = render_error(
            "",
            &[("templates/a.yaml", "x: 1\ny: {{ .Values.a.b.c }}\n")],
        );
        assert!(e.to_string().starts_with(
            "c/templates/a.yaml:2:13\n  executing \"c/templates/a.yaml\" at <.Values.a.b.c>:\n"
        ));
        let (location, chain) = location_and_chain(&e);
        assert_eq!(
            location,
            Some(loc("c/templates/a.yaml", 2, Some(13), "c/templates/a.yaml"))
        );
        assert_eq!(chain.len(), 1);
    }

    #[test]
    fn fail_and_required_inside_include() {
        let helpers = "{{- define \"c.need\" }}{{ required \"need x\" .Values.x }}{{ end -}}\n";
        let e = render_error(
            "",
            &[
                ("templates/_h.tpl", helpers),
                ("templates/a.yaml", "a: 1\nb: {{ include \"c.need\" . }}\n"),
            ],
        );
        assert_eq!(e.to_string(), "execution error at (c/templates/a.yaml:2:6): need x\n\nUse --debug flag to render out invalid YAML");
        let (location, chain) = location_and_chain(&e);
        assert_eq!(
            location,
            Some(loc("c/templates/a.yaml", 2, Some(6), "c/templates/a.yaml"))
        );
        assert_eq!(
            chain,
            vec![
                loc("c/templates/a.yaml", 2, Some(6), "c/templates/a.yaml"),
                loc("c/templates/_h.tpl", 1, Some(25), "c.need")
            ]
        );
        let e = render_error("", &[("templates/a.yaml", "{{ fail \"boom\" }}")]);
        assert_eq!(
            location_and_chain(&e).0,
            Some(loc("c/templates/a.yaml", 1, Some(3), "c/templates/a.yaml"))
        );
    }

    #[test]
    fn nested_include_chain() {
        let helpers = "{{- define \"t1\" }}{{ include \"t2\" . }}{{ end -}}\n{{- define \"t2\" }}{{ .Values.q.w }}{{ end -}}\n";
        let e = render_error(
            "",
            &[
                ("templates/_h.tpl", helpers),
                ("templates/a.yaml", "a: {{ include \"t1\" . }}\n"),
            ],
        );
        let (location, chain) = location_and_chain(&e);
        assert_eq!(
            location,
            Some(loc("c/templates/a.yaml", 1, Some(6), "c/templates/a.yaml"))
        );
        assert_eq!(
            chain,
            vec![
                loc("c/templates/a.yaml", 1, Some(6), "c/templates/a.yaml"),
                loc("c/templates/_h.tpl", 1, Some(21), "t1"),
                loc("c/templates/_h.tpl", 2, Some(28), "t2"),
            ]
        );
        assert_eq!(
            e.to_string(),
            "c/templates/a.yaml:1:6\n  executing \"c/templates/a.yaml\" at <include \"t1\" .>:\n    error calling include:\nc/templates/_h.tpl:1:21\n  executing \"t1\" at <include \"t2\" .>:\n    error calling include:\nc/templates/_h.tpl:2:28\n  executing \"t2\" at <.Values.q.w>:\n    nil pointer evaluating interface {}.w\n\nUse --debug flag to render out invalid YAML"
        );
    }

    #[test]
    fn tpl_chain_reaches_the_tpl_text() {
        let e = render_error(
            "",
            &[("templates/a.yaml", "a: {{ tpl \"{{ .Values.q.w }}\" . }}\n")],
        );
        let (location, chain) = location_and_chain(&e);
        assert_eq!(
            location,
            Some(loc("c/templates/a.yaml", 1, Some(6), "c/templates/a.yaml"))
        );
        assert_eq!(chain.last(), Some(&loc("gotpl", 1, Some(10), "gotpl")));
        assert!(e.to_string().starts_with("template: c/templates/a.yaml:1:6: executing \"c/templates/a.yaml\" at <tpl \"{{ .Values.q.w }}\" .>: error calling tpl: error during tpl function execution for \"{{ .Values.q.w }}\": template: gotpl:1:10: "));
    }

    #[test]
    fn yaml_error_of_a_rendered_file() {
        let e = render_error("", &[("templates/a.yaml", "a: b: c\n")]);
        assert!(
            e.to_string()
                .starts_with("YAML parse error on c/templates/a.yaml: "),
            "{e}"
        );
        let (location, chain) = location_and_chain(&e);
        assert_eq!(location, Some(loc("c/templates/a.yaml", 0, None, "")));
        assert_eq!(chain.len(), 1);
    }

    #[test]
    fn kube_version_error_has_no_location() {
        let e = render_error(
            "kubeVersion: \">=1.40.0-0\"\n",
            &[("templates/a.yaml", "a: 1\n")],
        );
        assert_eq!(
            e.to_string(),
            "chart requires kubeVersion: >=1.40.0-0 which is incompatible with Kubernetes v1.35.0\n\nUse --debug flag to render out invalid YAML"
        );
        assert_eq!(location_and_chain(&e), (None, Vec::new()));
    }

    fn hello() -> Option<Chart> {
        let dir = std::path::Path::new(
            &std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
        )
        .join("../examples/charts/hello");
        crate::chart::load(&dir).ok()
    }

    #[test]
    fn manifest_is_template_output_and_pieces_match() {
        let Some(chart) = hello() else { return };
        let opts = TemplateOptions::default();
        let vals = ValuesInput::default().merge().unwrap_or_default();
        let expected = super::super::template(chart.clone(), &vals, &opts).map(|o| o.stdout);
        let got = render_release(chart, &vals, &opts);
        let (Ok(expected), Ok(got)) = (expected, got) else {
            panic!("render failed")
        };
        assert_eq!(got.manifest, expected);
        assert!(!got.manifests.is_empty());
        for m in &got.manifests {
            assert!(got
                .manifest
                .contains(&format!("# Source: {}\n{}", m.path, m.content)));
            assert!(!m.kind.is_empty());
        }
    }

    #[test]
    fn values_map_goes_between_files_and_set() {
        let values = crate::values::yaml::from_str("a: 1\nb: {c: x}\n").ok();
        let input = ValuesInput {
            values,
            set: vec!["a=2".into()],
            ..Default::default()
        };
        let merged = input.merge().unwrap_or_default();
        let m = merged.as_map().cloned().unwrap_or_default();
        assert_eq!(m.get("a").and_then(|v| v.as_i64()), Some(2));
        assert!(m.get("b").is_some());
        let bad = ValuesInput {
            set: vec!["a".into()],
            ..Default::default()
        };
        assert!(matches!(bad.merge(), Err(ApiError::Values(_))));
    }
}
