//! The source line under an error: Helm names a template and line (and, for execution errors,
//! a column) but never shows the text there. After Helm's own message, `helm-rs` prints
//!
//! ```text
//!   --> mychart/templates/deploy.yaml:12:9
//!    |
//! 12 |   replicas: {{ .Values.replicas.count }}
//!    |          ^
//! ```
//!
//! The location comes from the error itself: for a template error, the innermost level of its
//! call chain that is a file of the chart (inside an `include`d template, where the error was
//! raised; a `tpl` text is no file, so its call site); for a chart file that does not parse,
//! the YAML line. The line is read from the chart on disk (subcharts included).

use helm_core::chart::{self, Chart, ChartError};
use helm_core::render::{RenderError, DEBUG_HINT};
use std::path::Path;

/// A place in a chart file: the chart-qualified path (`chart/templates/x.yaml`), the 1-based
/// line, and Go's column (a 0-based byte offset in that line) when the error has one.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    file: String,
    line: usize,
    column: Option<usize>,
}

/// Helm's message for a rendering error of the chart at `chart_path`, with the excerpt after
/// the message and before the `--debug` hint.
/// `debug`: the command runs with `--debug`, where Helm gives no hint to use it.
pub fn attach_render_error(e: &RenderError, chart_path: &Path, debug: bool) -> String {
    let message = e.message();
    let hint = if e.has_debug_hint() && !debug {
        DEBUG_HINT
    } else {
        ""
    };
    match template_excerpt(e, chart_path) {
        Some(ex) => format!("{message}\n{ex}{hint}"),
        None => format!("{message}{hint}"),
    }
}

/// Helm's message for a chart that does not load, with the excerpt of the chart file
/// (Chart.yaml, values.yaml) whose YAML does not parse.
pub fn attach_chart_error(e: &ChartError, chart_path: &Path) -> String {
    let message = e.to_string();
    match chart_file_excerpt(e, chart_path) {
        Some(ex) => format!("{message}\n{ex}"),
        None => message,
    }
}

/// The excerpt of the innermost level of a template error that is a template of the chart.
fn template_excerpt(e: &RenderError, chart_path: &Path) -> Option<String> {
    let chain = e.chain();
    if chain.is_empty() {
        return None;
    }
    let chart = chart::load(chart_path).ok()?;
    chain.iter().rev().find_map(|loc| {
        let source = template_source(&chart, &loc.template)?;
        render(
            &Place {
                file: loc.template.clone(),
                line: loc.line,
                column: loc.column,
            },
            &source,
        )
    })
}

/// The YAML error of a file of the chart itself (a subchart's errors name no file under
/// `chart_path`). The column is not shown: the line is what the excerpt is for.
fn chart_file_excerpt(e: &ChartError, chart_path: &Path) -> Option<String> {
    let ChartError::Yaml { file, line, .. } = e else {
        return None;
    };
    let source = std::fs::read_to_string(chart_path.join(file)).ok()?;
    let shown = format!("{}/{file}", chart_path.display());
    render(
        &Place {
            file: shown,
            line: *line,
            column: None,
        },
        &source,
    )
}

/// The text of `chart/charts/sub/templates/x.yaml`, walking subcharts by name.
fn template_source(chart: &Chart, full: &str) -> Option<String> {
    let rest = full.strip_prefix(chart.name())?.strip_prefix('/')?;
    if let Some(sub_path) = rest.strip_prefix("charts/") {
        let (sub_name, _) = sub_path.split_once('/')?;
        let sub = chart.dependencies.iter().find(|d| d.name() == sub_name)?;
        return template_source(sub, &full[chart.name().len() + 1 + "charts/".len()..]);
    }
    let t = chart.templates.iter().find(|t| t.name == rest)?;
    Some(String::from_utf8_lossy(&t.data).into_owned())
}

fn render(place: &Place, source: &str) -> Option<String> {
    let text = source.lines().nth(place.line.checked_sub(1)?)?;
    let num = place.line.to_string();
    let pad = " ".repeat(num.len());
    let at = match place.column {
        Some(c) => format!("{}:{}:{}", place.file, place.line, c),
        None => format!("{}:{}", place.file, place.line),
    };
    let mut out = format!("{pad} --> {at}\n{pad} |\n{num} | {text}\n");
    if let Some(c) = place.column.filter(|c| *c <= text.len()) {
        // Tabs keep their width under the caret.
        let lead: String = text[..text.floor_char_boundary_compat(c)]
            .chars()
            .map(|ch| if ch == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!("{pad} | {lead}^\n"));
    }
    Some(out.trim_end().to_string())
}

/// `str::floor_char_boundary` for the stable toolchain.
trait FloorBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, i: usize) -> usize {
        let mut i = i.min(self.len());
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_points_at_the_column() {
        let p = Place {
            file: "c/templates/a.yaml".into(),
            line: 2,
            column: Some(13),
        };
        assert_eq!(
            render(&p, "x: 1\ny: {{ .Values.a.b.c }}\n").as_deref(),
            Some("  --> c/templates/a.yaml:2:13\n  |\n2 | y: {{ .Values.a.b.c }}\n  |              ^")
        );
        let p = Place {
            file: "f".into(),
            line: 9,
            column: None,
        };
        assert_eq!(render(&p, "one line"), None);
    }

    /// A chart `c` in a fresh directory with these files.
    fn chart_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::write(
            root.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .expect("write");
        for (name, text) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    fn render_error_text(files: &[(&str, &str)]) -> String {
        let dir = chart_dir(files);
        let chart = chart::load(dir.path()).expect("chart loads");
        let opts = helm_core::render::TemplateOptions::default();
        match helm_core::render::template(chart, &helm_core::values::Value::empty_map(), &opts) {
            Ok(_) => panic!("rendered without error"),
            Err(e) => attach_render_error(&e, dir.path(), false),
        }
    }

    #[test]
    fn caret_inside_the_included_template() {
        let helpers = "{{- define \"t2\" -}}\nw: {{ .Values.q.w }}\n{{- end }}\n";
        let text = render_error_text(&[
            ("templates/_h.tpl", helpers),
            ("templates/a.yaml", "a: {{ include \"t2\" . }}\n"),
        ]);
        assert!(text.ends_with("\n  --> c/templates/_h.tpl:2:13\n  |\n2 | w: {{ .Values.q.w }}\n  |              ^\n\nUse --debug flag to render out invalid YAML"), "{text}");
    }

    #[test]
    fn caret_at_the_tpl_call() {
        let text = render_error_text(&[(
            "templates/a.yaml",
            "x: 1\na: {{ tpl \"{{ .Values.q.w }}\" . }}\n",
        )]);
        assert!(
            text.starts_with("template: c/templates/a.yaml:2:6: executing "),
            "{text}"
        );
        assert!(text.ends_with("\n  --> c/templates/a.yaml:2:6\n  |\n2 | a: {{ tpl \"{{ .Values.q.w }}\" . }}\n  |       ^\n\nUse --debug flag to render out invalid YAML"), "{text}");
    }

    #[test]
    fn no_excerpt_without_a_line() {
        let text = render_error_text(&[("templates/a.yaml", "a: b: c\n")]);
        assert!(
            text.starts_with("YAML parse error on c/templates/a.yaml: "),
            "{text}"
        );
        assert!(!text.contains("-->"), "{text}");
    }

    #[test]
    fn values_yaml_line() {
        let dir = chart_dir(&[("values.yaml", "a: 1\n  b: 2\n")]);
        let e = chart::load(dir.path()).expect_err("values.yaml does not parse");
        let text = attach_chart_error(&e, dir.path());
        let shown = format!("{}/values.yaml", dir.path().display());
        assert_eq!(
            text,
            format!("cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context\n  --> {shown}:2\n  |\n2 |   b: 2")
        );
    }
}
