//! `helm show chart|values|readme|crds|all`: the exact text Helm prints.
//!
//! Why here: `show` is pure chart inspection (no values, no templates). Helm re-serializes
//! Chart.yaml from its `Metadata` struct (so comments vanish, keys sort and empty fields drop),
//! prints values.yaml byte for byte, the first README it finds, and every CRD file (subcharts
//! included), separating sections with `---` in `show all`.

use super::{Chart, ChartError};

/// README names Helm looks for, compared case-insensitively.
const README_NAMES: [&str; 3] = ["readme.md", "readme.txt", "readme"];

/// `helm show chart`.
pub fn show_chart(chart: &Chart) -> Result<String, ChartError> {
    Ok(format!("{}\n", chart_yaml(chart)?))
}

/// `helm show values` (empty when the chart has no values.yaml).
pub fn show_values(chart: &Chart) -> String {
    match &chart.raw_values {
        Some(raw) => format!("{}\n", String::from_utf8_lossy(raw)),
        None => String::new(),
    }
}

/// `helm show readme` (empty when there is none).
pub fn show_readme(chart: &Chart) -> String {
    match find_readme(chart) {
        Some(data) => format!("{}\n", String::from_utf8_lossy(data)),
        None => String::new(),
    }
}

/// `helm show crds`.
pub fn show_crds(chart: &Chart) -> String {
    let mut out = String::new();
    for data in crd_files(chart) {
        if !data.starts_with(b"---") {
            out.push_str("---\n");
        }
        out.push_str(&String::from_utf8_lossy(data));
        out.push('\n');
    }
    out
}

/// `helm show all`.
pub fn show_all(chart: &Chart) -> Result<String, ChartError> {
    let mut out = show_chart(chart)?;
    if let Some(raw) = &chart.raw_values {
        out.push_str("---\n");
        out.push_str(&String::from_utf8_lossy(raw));
        out.push('\n');
    }
    if let Some(data) = find_readme(chart) {
        out.push_str("---\n");
        out.push_str(&String::from_utf8_lossy(data));
        out.push('\n');
    }
    out.push_str(&show_crds(chart));
    Ok(out)
}

fn chart_yaml(chart: &Chart) -> Result<String, ChartError> {
    crate::values::yaml::to_string(&chart.metadata.to_json_value()).map_err(|e| ChartError::Yaml {
        file: "Chart.yaml".into(),
        line: e.line,
        column: e.column,
        message: e.to_string(),
    })
}

fn find_readme(chart: &Chart) -> Option<&[u8]> {
    chart
        .files
        .iter()
        .find(|f| README_NAMES.iter().any(|n| f.name.eq_ignore_ascii_case(n)))
        .map(|f| &f.data[..])
}

/// The chart's CRD files (`crds/*.yaml|yml|json`, at any depth under crds/), then its
/// subcharts', as Helm's `CRDObjects`.
pub fn crd_files(chart: &Chart) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = chart
        .files
        .iter()
        .filter(|f| f.name.starts_with("crds/") && has_manifest_extension(&f.name))
        .map(|f| &f.data[..])
        .collect();
    for dep in &chart.dependencies {
        out.extend(crd_files(dep));
    }
    out
}

/// The CRD files with their paths inside the chart (for rendering `# Source:` lines).
pub fn crd_file_entries(chart: &Chart) -> Vec<&super::File> {
    let mut out: Vec<&super::File> = chart
        .files
        .iter()
        .filter(|f| f.name.starts_with("crds/") && has_manifest_extension(&f.name))
        .collect();
    for dep in &chart.dependencies {
        out.extend(crd_file_entries(dep));
    }
    out
}

fn has_manifest_extension(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    matches!(
        base.rfind('.').map(|i| &base[i..]),
        Some(".yaml" | ".yml" | ".json")
    )
}
