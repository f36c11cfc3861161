//! `helm search repo`: Helm's search index over cached repository indexes.
//!
//! Helm scores a match by which field it falls in: each chart version becomes one line
//! `name \v repo/name \v description \v keywords`, and the score is the number of `\v`
//! separators before the match (lower is better; 25 is the cut-off). Results are sorted by score,
//! then name, then newest version first; then the `--version` constraint (default `>0.0.0`, or
//! `>0.0.0-0` with `--devel`) keeps the first matching version of each chart, or all of them
//! with `--versions`.

use super::{ChartVersion, IndexFile, RepoError};
use crate::gocompat::semver::{Constraints, Version};
use crate::values::{Map, Value};
use std::collections::BTreeMap;

const SEP: char = '\u{0b}';
const MAX_SCORE: usize = 25;

/// One search hit.
#[derive(Clone, Debug)]
pub struct SearchResult {
    /// `repo/chart`.
    pub name: String,
    pub score: usize,
    pub chart: ChartVersion,
}

/// The search index (`search.Index`), keyed by `repo/chart version`.
#[derive(Default)]
pub struct SearchIndex {
    lines: BTreeMap<String, String>,
    charts: BTreeMap<String, ChartVersion>,
}

impl SearchIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// `AddRepo` with `all` set (Helm always sets it, since a version constraint is always set).
    pub fn add_repo(&mut self, repo: &str, index: &IndexFile) {
        for (name, versions) in &index.entries {
            let fname = format!("{repo}/{name}");
            for cv in versions {
                let key = format!("{fname} {}", cv.version());
                let line = format!(
                    "{}{SEP}{repo}/{}{SEP}{}{SEP}{}",
                    cv.metadata.name,
                    cv.metadata.name,
                    cv.metadata.description,
                    cv.metadata.keywords.join(" ")
                );
                self.lines.insert(key.clone(), line);
                self.charts.insert(key, cv.clone());
            }
        }
    }

    fn result(&self, key: &str, score: usize) -> SearchResult {
        SearchResult {
            name: key.split(' ').next().unwrap_or(key).to_string(),
            score,
            chart: self.charts.get(key).cloned().unwrap_or_default(),
        }
    }

    /// Every chart version (`All`).
    pub fn all(&self) -> Vec<SearchResult> {
        self.charts.keys().map(|k| self.result(k, 0)).collect()
    }

    /// `Search`: a case-insensitive substring, or a regular expression.
    pub fn search(&self, term: &str, regexp: bool) -> Result<Vec<SearchResult>, RepoError> {
        let mut out = Vec::new();
        if regexp {
            let re = regex::Regex::new(term).map_err(|e| {
                // Go's form on one line: `error parsing regexp: <what>: `<term>``.
                let text = e.to_string();
                let what = text
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                RepoError::Other(format!(
                    "error parsing regexp: {}: `{term}`",
                    what.trim_start_matches("error: ")
                ))
            })?;
            for (k, line) in &self.lines {
                if let Some(m) = re.find(line) {
                    let score = calc_score(m.start(), line);
                    if score < MAX_SCORE {
                        out.push(self.result(k, score));
                    }
                }
            }
        } else {
            let term = term.to_lowercase();
            for (k, line) in &self.lines {
                let lv = line.to_lowercase();
                if let Some(pos) = lv.find(&term) {
                    let score = calc_score(pos, &lv);
                    if score < MAX_SCORE {
                        out.push(self.result(k, score));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn calc_score(index: usize, line: &str) -> usize {
    let splits: Vec<usize> = line
        .char_indices()
        .filter(|(_, c)| *c == SEP)
        .map(|(i, _)| i)
        .collect();
    for (i, pos) in splits.iter().enumerate() {
        if index > *pos {
            continue;
        }
        return i;
    }
    splits.len()
}

/// `SortScore`: by score, then name, then newest version first.
pub fn sort_results(results: &mut [SearchResult]) {
    results.sort_by(|a, b| {
        a.score.cmp(&b.score).then_with(|| {
            if a.name == b.name {
                match (
                    Version::parse(a.chart.version()),
                    Version::parse(b.chart.version()),
                ) {
                    (Ok(x), Ok(y)) => y.compare(&x).cmp(&0),
                    _ => std::cmp::Ordering::Equal,
                }
            } else {
                a.name.cmp(&b.name)
            }
        })
    });
}

/// `applyConstraint`: keeps versions matching `version`; only the first per chart unless `all`.
pub fn apply_constraint(
    results: Vec<SearchResult>,
    version: &str,
    all: bool,
) -> Result<Vec<SearchResult>, RepoError> {
    let c = Constraints::parse(version)
        .map_err(|e| RepoError::Other(format!("an invalid version/constraint format: {e}")))?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in results {
        if !all && seen.contains(&r.name) {
            continue;
        }
        let Ok(v) = Version::parse(r.chart.version()) else {
            continue;
        };
        if c.check(&v) {
            seen.insert(r.name.clone());
            out.push(r);
        }
    }
    Ok(out)
}

/// What `helm search repo` would print for `terms` over `repos` (name, index), with Helm's
/// options. `version` is the `--version` flag ("" when unset).
pub fn search_repos(
    repos: &[(String, IndexFile)],
    terms: &[String],
    regexp: bool,
    versions: bool,
    devel: bool,
    version: &str,
) -> Result<Vec<SearchResult>, RepoError> {
    let version = match (version, devel) {
        ("", true) => ">0.0.0-0",
        ("", false) => ">0.0.0",
        (v, _) => v,
    };
    let mut idx = SearchIndex::new();
    for (name, index) in repos {
        idx.add_repo(name, index);
    }
    let mut res = if terms.is_empty() {
        idx.all()
    } else {
        idx.search(&terms.join(" "), regexp)?
    };
    sort_results(&mut res);
    apply_constraint(res, version, versions)
}

/// A table as gosuri/uitable prints it for Helm: cells longer than `max_width` cut to
/// `max_width` with `...`, every cell padded to its column's width, columns joined by a tab.
pub fn uitable(rows: &[Vec<String>], max_width: usize) -> String {
    let cut = |s: &str| -> String {
        if max_width > 0 && s.chars().count() > max_width {
            let keep = max_width.saturating_sub(3);
            format!("{}...", s.chars().take(keep).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cut(c)).collect())
        .collect();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let lines: Vec<String> = cells
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        "{c}{}",
                        " ".repeat(widths[i].saturating_sub(c.chars().count()))
                    )
                })
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect();
    lines.join("\n")
}

/// The output of `helm search repo` in `format` (`table`, `json` or `yaml`), newline included.
pub fn format_results(
    results: &[SearchResult],
    format: &str,
    max_width: usize,
) -> Result<String, RepoError> {
    match format {
        "table" => {
            if results.is_empty() {
                return Ok("No results found\n".into());
            }
            let mut rows = vec![vec![
                "NAME".into(),
                "CHART VERSION".into(),
                "APP VERSION".into(),
                "DESCRIPTION".into(),
            ]];
            for r in results {
                rows.push(vec![
                    r.name.clone(),
                    r.chart.version().to_string(),
                    r.chart.metadata.app_version.clone(),
                    r.chart.metadata.description.clone(),
                ]);
            }
            Ok(format!("{}\n", uitable(&rows, max_width)))
        }
        "json" => {
            let mut out = String::from("[");
            for (i, r) in results.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let field = |out: &mut String, k: &str, v: &str, first: bool| {
                    if !first {
                        out.push(',');
                    }
                    out.push_str(&format!("\"{k}\":"));
                    crate::values::json::write_string(out, v, true);
                };
                out.push('{');
                field(&mut out, "name", &r.name, true);
                field(&mut out, "version", r.chart.version(), false);
                field(
                    &mut out,
                    "app_version",
                    &r.chart.metadata.app_version,
                    false,
                );
                field(
                    &mut out,
                    "description",
                    &r.chart.metadata.description,
                    false,
                );
                out.push('}');
            }
            out.push_str("]\n");
            Ok(out)
        }
        "yaml" => {
            let list = results
                .iter()
                .map(|r| {
                    let m = Map::new();
                    m.insert("name", Value::str(&r.name));
                    m.insert("version", Value::str(r.chart.version()));
                    m.insert("app_version", Value::str(&r.chart.metadata.app_version));
                    m.insert("description", Value::str(&r.chart.metadata.description));
                    Value::Map(m)
                })
                .collect();
            crate::values::yaml::to_string(&Value::list(list))
                .map_err(|e| RepoError::Yaml(e.to_string()))
        }
        other => Err(RepoError::Other(format!("invalid format type {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx() -> IndexFile {
        let src = "apiVersion: v1\nentries:\n  mychart:\n  - apiVersion: v2\n    appVersion: 1.16.0\n    description: A Helm chart for Kubernetes\n    name: mychart\n    version: 0.2.0-beta.1\n  - apiVersion: v2\n    appVersion: 1.16.0\n    description: A Helm chart for Kubernetes\n    name: mychart\n    version: 0.1.0\n";
        IndexFile::load(src.as_bytes(), "x").unwrap()
    }

    #[test]
    fn outputs_match_helm() {
        // Expected outputs from Helm 4.1.4 over the same index.
        let repos = vec![("myrepo".to_string(), idx())];
        let r = search_repos(&repos, &["mychart".into()], false, false, false, "").unwrap();
        assert_eq!(
            format_results(&r, "table", 50).unwrap(),
            "NAME          \tCHART VERSION\tAPP VERSION\tDESCRIPTION                \nmyrepo/mychart\t0.1.0        \t1.16.0     \tA Helm chart for Kubernetes\n"
        );
        let r = search_repos(&repos, &["mychart".into()], false, false, true, "").unwrap();
        assert_eq!(
            format_results(&r, "json", 50).unwrap(),
            "[{\"name\":\"myrepo/mychart\",\"version\":\"0.2.0-beta.1\",\"app_version\":\"1.16.0\",\"description\":\"A Helm chart for Kubernetes\"}]\n"
        );
        let r = search_repos(&repos, &["mychart".into()], false, false, false, "").unwrap();
        assert_eq!(
            format_results(&r, "yaml", 50).unwrap(),
            "- app_version: 1.16.0\n  description: A Helm chart for Kubernetes\n  name: myrepo/mychart\n  version: 0.1.0\n"
        );
        let r = search_repos(&repos, &["nothing".into()], false, false, false, "").unwrap();
        assert_eq!(
            format_results(&r, "table", 50).unwrap(),
            "No results found\n"
        );
    }

    #[test]
    fn scores_by_field() {
        assert_eq!(calc_score(0, "a\u{b}b\u{b}c"), 0);
        assert_eq!(calc_score(2, "a\u{b}b\u{b}c"), 1);
        assert_eq!(calc_score(4, "a\u{b}b\u{b}c"), 2);
    }
}
