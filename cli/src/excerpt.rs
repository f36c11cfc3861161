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
//! The location is read back from the message text (the same text Helm prints, so nothing
//! about it changes), and the line from the chart on disk (subcharts included).

use helm_core::chart::{self, Chart};
use std::path::Path;

/// A place in a chart file: the chart-qualified path (`chart/templates/x.yaml`), the 1-based
/// line, and Go's column (a 0-based byte offset in that line) when the message has one.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    file: String,
    line: usize,
    column: Option<usize>,
}

/// The excerpt for an error message of `helm-rs template`/`lint` on the chart at `chart_path`,
/// or `None` when the message names no template line that can be read.
pub fn for_chart_error(message: &str, chart_path: &Path) -> Option<String> {
    if let Some(ex) = chart_file_error(message, chart_path) {
        return Some(ex);
    }
    let place = locate(message)?;
    let chart = chart::load(chart_path).ok()?;
    let source = template_source(&chart, &place.file)?;
    render(&place, &source)
}

/// Inserts the excerpt after Helm's message and before its `--debug` hint.
pub fn attach(message: String, chart_path: &Path) -> String {
    let Some(ex) = for_chart_error(&message, chart_path) else { return message };
    const HINT: &str = "\n\nUse --debug flag to render out invalid YAML";
    match message.strip_suffix(HINT) {
        Some(head) => format!("{head}\n{ex}{HINT}"),
        None => format!("{message}\n{ex}"),
    }
}

fn locate(message: &str) -> Option<Place> {
    let first = message.lines().next()?;
    // parse error at (FILE:LINE): ...
    if let Some(rest) = first.strip_prefix("parse error at (").or_else(|| first.strip_prefix("execution error at (")) {
        let loc = rest.split_once("): ")?.0;
        return place_of(loc);
    }
    // Helm 4's layout: `FILE:LINE:COL` alone on a line, one per `include` level; the last
    // is where it failed.
    if !first.contains(' ') && first.matches(':').count() >= 2 {
        let innermost = message
            .lines()
            .filter(|l| !l.starts_with(' ') && !l.contains(' ') && l.matches(':').count() >= 2)
            .last()
            .unwrap_or(first);
        return place_of(innermost);
    }
    // Go's own text: `template: FILE:LINE:COL: executing ...`.
    if let Some(rest) = first.strip_prefix("template: ") {
        let loc = rest.split(": ").next()?;
        return place_of(loc);
    }
    None
}

/// `cannot load values.yaml: ... yaml: line N: ...` (and Chart.yaml) for a chart directory.
fn chart_file_error(message: &str, chart_path: &Path) -> Option<String> {
    let file = ["values.yaml", "Chart.yaml"]
        .into_iter()
        .find(|f| message.starts_with(&format!("cannot load {f}: ")))?;
    let (_, after) = message.split_once("yaml: line ")?;
    let line: usize = after.split(':').next()?.parse().ok()?;
    let source = std::fs::read_to_string(chart_path.join(file)).ok()?;
    let shown = format!("{}/{file}", chart_path.display());
    render(&Place { file: shown, line, column: None }, &source)
}

/// `FILE:LINE` or `FILE:LINE:COL`.
fn place_of(loc: &str) -> Option<Place> {
    let mut parts = loc.rsplitn(3, ':');
    let last = parts.next()?.parse::<usize>().ok()?;
    let mid = parts.next()?;
    match (mid.parse::<usize>(), parts.next()) {
        (Ok(line), Some(file)) => Some(Place { file: file.to_string(), line, column: Some(last) }),
        _ => {
            let file = loc.rsplit_once(':')?.0;
            Some(Place { file: file.to_string(), line: last, column: None })
        }
    }
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
    fn locations_from_helms_messages() {
        assert_eq!(
            locate("parse error at (c/templates/a.yaml:2): unexpected \"}\" in operand"),
            Some(Place { file: "c/templates/a.yaml".into(), line: 2, column: None })
        );
        assert_eq!(
            locate("c/templates/a.yaml:2:13\n  executing \"c/templates/a.yaml\" at <.Values.a.b.c>:\n    x"),
            Some(Place { file: "c/templates/a.yaml".into(), line: 2, column: Some(13) })
        );
        assert_eq!(
            locate("template: c/charts/s/templates/a.yaml:1:3: executing \"x\" at <index .A 3>: error calling index: y"),
            Some(Place { file: "c/charts/s/templates/a.yaml".into(), line: 1, column: Some(3) })
        );
        assert_eq!(
            locate("execution error at (c/templates/a.yaml:4:7): need x"),
            Some(Place { file: "c/templates/a.yaml".into(), line: 4, column: Some(7) })
        );
        assert_eq!(
            locate("c/templates/a.yaml:1:6\n  executing \"c/templates/a.yaml\" at <include \"t2\" .>:\n    error calling include:\nc/templates/a.yaml:3:12\n  executing \"t2\" at <.Values.q.w>:\n    nil"),
            Some(Place { file: "c/templates/a.yaml".into(), line: 3, column: Some(12) })
        );
        assert_eq!(locate("cannot load values.yaml: error converting YAML to JSON: yaml: line 3: x"), None);
    }

    #[test]
    fn excerpt_points_at_the_column() {
        let p = Place { file: "c/templates/a.yaml".into(), line: 2, column: Some(13) };
        assert_eq!(
            render(&p, "x: 1\ny: {{ .Values.a.b.c }}\n").as_deref(),
            Some("  --> c/templates/a.yaml:2:13\n  |\n2 | y: {{ .Values.a.b.c }}\n  |              ^")
        );
        let p = Place { file: "f".into(), line: 9, column: None };
        assert_eq!(render(&p, "one line"), None);
    }
}
