//! Which subcharts take part in a render, under which names, with which imported values.
//!
//! Mirrors Helm's `ProcessDependenciesWithMerge` (pkg/chart/v2/util/dependencies.go), which
//! `helm template` runs before coalescing values:
//! - aliases: a Chart.yaml dependency with `alias` renders a copy of the subchart under that name;
//! - `tags` then `condition` (a comma list of value paths; the first path that resolves to a
//!   bool wins) switch dependencies off, with values coalesced at every level of the tree;
//! - `import-values` copy a child's values (`exports.X` for the string form, `{child, parent}`
//!   maps otherwise) into the parent, below the parent's own values.

use crate::chart::{Chart, ImportValue};
use crate::template::funcs::{FuncError, FuncTable, Host};
use crate::values::{coalesce, Map, Value};
use std::sync::OnceLock;

/// Errors processing dependencies (values that cannot be coalesced).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DependencyError(pub String);

struct NoHost;
impl Host for NoHost {
    fn include(&mut self, name: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::new(format!("no template {name:?}")))
    }
    fn tpl(&mut self, _text: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::new("tpl is not available here"))
    }
}

fn sprig() -> &'static FuncTable {
    static T: OnceLock<FuncTable> = OnceLock::new();
    T.get_or_init(FuncTable::sprig)
}

/// Helm's `IsCompatibleRange`: whether `version` satisfies the Masterminds semver `constraint`
/// (false when either does not parse). Uses Sprig's `semverCompare`, which has the same rules.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(f) = sprig().get("semverCompare") else {
        return constraint == version;
    };
    matches!((f.imp)(&mut NoHost, &[Value::str(constraint), Value::str(version)]), Ok(Value::Bool(true)))
}

/// Helm's `Values.Table`: the map at a dotted path.
pub fn table(v: &Value, path: &str) -> Option<Map> {
    let mut cur = v.as_map()?.clone();
    for part in path.split('.') {
        let next = cur.get(part)?;
        cur = next.as_map()?.clone();
    }
    Some(cur)
}

/// Helm's `Values.PathValue`: a non-map value at a dotted path.
fn path_value(v: &Value, path: &str) -> Option<Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(v, p)?, k),
        None => (v.as_map()?.clone(), path),
    };
    match parent.get(key)? {
        Value::Map(_) => None,
        other => Some(other),
    }
}

/// Helm's `processDependencyTags`.
fn process_tags(chart: &mut Chart, cvals: &Value) {
    let Some(tags) = table(cvals, "tags") else { return };
    for dep in chart.metadata.dependencies.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for t in &dep.tags {
            match tags.get(t) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                _ => {}
            }
        }
        dep.enabled = !(!has_true && has_false);
    }
}

/// Helm's `processDependencyConditions`: the first condition path holding a bool decides.
fn process_conditions(chart: &mut Chart, cvals: &Value, prefix: &str) {
    for dep in chart.metadata.dependencies.iter_mut() {
        for cond in dep.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Some(Value::Bool(b)) = path_value(cvals, &format!("{prefix}{cond}")) {
                dep.enabled = b;
                break;
            }
        }
    }
}

/// Helm's `processDependencyEnabled`: resolves aliases and drops disabled subcharts, recursively.
fn process_enabled(chart: &mut Chart, vals: &Value, prefix: &str) -> Result<(), DependencyError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let loaded = std::mem::take(&mut chart.dependencies);
    let mut deps: Vec<Chart> = Vec::new();
    // Subcharts not matched by any Chart.yaml entry stay as they are.
    for existing in &loaded {
        let listed = chart
            .metadata
            .dependencies
            .iter()
            .any(|req| existing.name() == req.name && is_compatible_range(&req.version, &existing.metadata.version));
        if !listed {
            deps.push(existing.clone());
        }
    }
    for req in chart.metadata.dependencies.iter_mut() {
        let found = loaded
            .iter()
            .find(|c| c.name() == req.name && is_compatible_range(&req.version, &c.metadata.version));
        if let Some(c) = found {
            let mut copy = c.clone();
            if !req.alias.is_empty() {
                copy.metadata.name = req.alias.clone();
            }
            deps.push(copy);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    chart.dependencies = deps;
    for req in chart.metadata.dependencies.iter_mut() {
        req.enabled = true;
    }
    let cvals = coalesce::coalesce_values(chart, vals).map_err(|e| DependencyError(e.to_string()))?;
    process_tags(chart, &cvals);
    process_conditions(chart, &cvals, prefix);
    let disabled: Vec<String> =
        chart.metadata.dependencies.iter().filter(|d| !d.enabled).map(|d| d.name.clone()).collect();
    chart.dependencies.retain(|c| !disabled.iter().any(|n| n == c.name()));
    chart.metadata.dependencies.retain(|d| !disabled.iter().any(|n| n == &d.name));
    for sub in chart.dependencies.iter_mut() {
        let sub_prefix = format!("{prefix}{}.", sub.name());
        process_enabled(sub, &cvals, &sub_prefix)?;
    }
    Ok(())
}

/// Helm's `MergeTables`: fills `dst` with what it lacks from `src`; `dst` wins on conflicts,
/// nulls are kept.
pub fn merge_tables(dst: &Map, src: &Map) {
    let _warnings = coalesce::merge_tables(dst, src);
}

/// Helm's `pathToMap`: `a.b` + data → `{a: {b: data}}`; `.` → data.
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let m = Map::new();
        m.insert(part, Value::Map(cur));
        cur = m;
    }
    cur
}

/// Helm's `processImportValues` (merge form) for one chart.
fn process_import_values(chart: &mut Chart) -> Result<(), DependencyError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = coalesce::merge_chart_values(chart, &Value::empty_map())
        .map_err(|e| DependencyError(e.to_string()))?
        .values;
    let imported = Map::new();
    for dep in chart.metadata.dependencies.iter_mut() {
        let mut normalized = Vec::new();
        for iv in &dep.import_values {
            let (child, parent) = match iv {
                ImportValue::Map { child, parent } => (child.clone(), parent.clone()),
                ImportValue::Path(s) => (format!("exports.{s}"), ".".to_string()),
                // Helm drops entries of other shapes.
                ImportValue::Other(_) => continue,
            };
            normalized.push(ImportValue::Map { child: child.clone(), parent: parent.clone() });
            let Some(t) = table(&cvals, &format!("{}.{}", dep.name, child)) else { continue };
            let t = match Value::Map(t).deep_copy() {
                Value::Map(m) => m,
                _ => continue,
            };
            merge_tables(&imported, &path_to_map(&parent, t));
        }
        dep.import_values = normalized;
    }
    let merged = match cvals.deep_copy() {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    merge_tables(&merged, &imported);
    chart.values = Value::Map(merged);
    Ok(())
}

fn process_import_values_rec(chart: &mut Chart) -> Result<(), DependencyError> {
    for sub in chart.dependencies.iter_mut() {
        process_import_values_rec(sub)?;
    }
    process_import_values(chart)
}

/// Helm's `ProcessDependenciesWithMerge`: applies aliases, tags, conditions and import-values to
/// `chart` (in place) given the user's values `vals`.
pub fn process_dependencies(chart: &mut Chart, vals: &Value) -> Result<(), DependencyError> {
    process_enabled(chart, vals, "")?;
    process_import_values_rec(chart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmap;

    #[test]
    fn path_value_like_helm() {
        let v = vmap! { "a" => vmap! { "enabled" => true, "t" => vmap!{} }, "b" => false };
        assert_eq!(path_value(&v, "a.enabled"), Some(Value::Bool(true)));
        assert_eq!(path_value(&v, "b"), Some(Value::Bool(false)));
        // Tables are not values.
        assert_eq!(path_value(&v, "a.t"), None);
        assert_eq!(path_value(&v, "a"), None);
        assert_eq!(path_value(&v, "x.y"), None);
        assert_eq!(path_value(&v, ""), None);
    }

    #[test]
    fn merge_tables_dst_wins() {
        let dst = vmap! { "a" => 1.0, "m" => vmap! { "x" => 1.0 } };
        let src = vmap! { "a" => 2.0, "b" => 3.0, "m" => vmap! { "x" => 2.0, "y" => 2.0 } };
        merge_tables(dst.as_map().unwrap_or(&Map::new()), src.as_map().unwrap_or(&Map::new()));
        let expect = vmap! { "a" => 1.0, "b" => 3.0, "m" => vmap! { "x" => 1.0, "y" => 2.0 } };
        assert_eq!(dst, expect);
    }

    #[test]
    fn path_to_map_nests() {
        let m = path_to_map("a.b", Map::new());
        assert_eq!(Value::Map(m), vmap! { "a" => vmap! { "b" => vmap!{} } });
    }
}
