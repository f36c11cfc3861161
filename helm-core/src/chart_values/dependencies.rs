//! Dependency processing before rendering: aliases, `condition`/`tags`, `import-values`.
//!
//! Why: Helm's `ProcessDependencies` (pkg/chart/v2/util) rewrites the chart before values are
//! coalesced for rendering, and its effects are visible in output: a subchart is copied under
//! its alias, disabled subcharts disappear, `.Chart.Dependencies` entries get `Enabled: true`
//! and normalized `ImportValues`, and — for every chart that declares dependencies — the chart's
//! own values are replaced by the merged values of its whole tree plus imported child values
//! (so a subchart default `null` then acts like a user `null`). We follow it step by step.

use super::coalesce::{coalesce_values_to_read, merge_chart_values, merge_tables};
use crate::chart::{Chart, Dependency, ImportValue};
use crate::values::file::ValuesError;
use crate::values::{Map, Value};

/// Helm's `ProcessDependencies(chart, vals)`: enables/disables and aliases subcharts
/// (recursively), then imports child values. Returns Helm's warnings.
pub fn process_dependencies(chart: &mut Chart, vals: &Value) -> Result<Vec<String>, ValuesError> {
    let mut warnings = Vec::new();
    process_enabled(chart, vals, "", &mut warnings, 0)?;
    process_import_values_rec(chart, &mut warnings, 0)?;
    Ok(warnings)
}

/// Subchart levels processed: all that the loader accepts.
const MAX_DEPTH: usize = crate::chart::loader::MAX_CHART_DEPTH;

fn process_enabled(
    c: &mut Chart,
    v: &Value,
    path: &str,
    warnings: &mut Vec<String>,
    depth: usize,
) -> Result<(), ValuesError> {
    if c.metadata.dependencies.is_empty() || depth > MAX_DEPTH {
        return Ok(());
    }
    let mut chart_deps: Vec<Chart> = Vec::new();
    for existing in &c.dependencies {
        let declared = c.metadata.dependencies.iter().any(|req| {
            existing.name() == req.name
                && is_compatible_range(&req.version, &existing.metadata.version)
        });
        if !declared {
            chart_deps.push(existing.clone());
        }
    }
    for req in &mut c.metadata.dependencies {
        if let Some(dep) = alias_dependency(&c.dependencies, req) {
            chart_deps.push(dep);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for req in &mut c.metadata.dependencies {
        req.enabled = true;
    }
    let co = coalesce_values_to_read(c, v)?;
    warnings.extend(co.warnings);
    let cvals = co.values;
    process_tags(&mut c.metadata.dependencies, &cvals, warnings);
    process_conditions(&mut c.metadata.dependencies, &cvals, path, warnings);
    let removed: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.iter().any(|n| n == d.name()));
    c.metadata
        .dependencies
        .retain(|d| !removed.contains(&d.name));
    for t in &mut c.dependencies {
        let sub_path = format!("{path}{}.", t.name());
        crate::values::deep::guard(|| process_enabled(t, &cvals, &sub_path, warnings, depth + 1))?;
    }
    Ok(())
}

/// Helm's `getAliasDependency`: a copy of the first matching subchart, renamed to the alias.
fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let c = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = c.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

fn process_tags(reqs: &mut [Dependency], cvals: &Value, warnings: &mut Vec<String>) {
    let Some(Value::Map(vt)) = cvals.as_map().and_then(|m| m.get("tags")) else {
        return;
    };
    for r in reqs.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            if let Some(b) = vt.get(k) {
                match b {
                    Value::Bool(true) => has_true = true,
                    Value::Bool(false) => has_false = true,
                    _ => warnings.push(format!(
                        "level=WARN msg=\"returned non-bool value\" tag={k} chart={}",
                        r.name
                    )),
                }
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_conditions(
    reqs: &mut [Dependency],
    cvals: &Value,
    cpath: &str,
    warnings: &mut Vec<String>,
) {
    for r in reqs.iter_mut() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{cpath}{cond}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = b;
                    break;
                }
                Some(_) => warnings.push(format!(
                    "level=WARN msg=\"returned non-bool value\" path={cond} chart={}",
                    r.name
                )),
                None => {}
            }
        }
    }
}

/// Helm's `Values.Table`: the map at a dotted path, or the `"KEY" is not a table` error.
pub fn table(v: &Value, name: &str) -> Result<Map, String> {
    let mut cur = match v {
        Value::Map(m) => m.clone(),
        _ => Map::new(),
    };
    for part in name.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => {
                return Err(format!(
                    "{} is not a table",
                    crate::gocompat::strconv::go_quote(part)
                ))
            }
        }
    }
    Ok(cur)
}

/// Helm's `Values.PathValue`: a non-table value at a dotted path.
pub fn path_value(v: &Value, path: &str) -> Option<Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (Some(p), k),
        None => (None, path),
    };
    let t = match parent {
        None => v.as_map()?.clone(),
        Some(p) => table(v, p).ok()?,
    };
    match t.get(key) {
        Some(Value::Map(_)) | None => None,
        Some(x) => Some(x),
    }
}

fn process_import_values_rec(
    c: &mut Chart,
    warnings: &mut Vec<String>,
    depth: usize,
) -> Result<(), ValuesError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for d in &mut c.dependencies {
        crate::values::deep::guard(|| process_import_values_rec(d, warnings, depth + 1))?;
    }
    process_import_values(c, warnings)
}

/// Wraps a map under a dotted path (`a.b` → `{a: {b: data}}`; `.` → data).
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

fn process_import_values(c: &mut Chart, warnings: &mut Vec<String>) -> Result<(), ValuesError> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let co = merge_chart_values(c, &Value::empty_map())?;
    warnings.extend(co.warnings);
    let cvals = co.values;
    let b = Map::new();
    for r in &mut c.metadata.dependencies {
        let mut out = Vec::new();
        for iv in &r.import_values {
            match iv {
                ImportValue::Map { child, parent } => {
                    out.push(ImportValue::Map {
                        child: child.clone(),
                        parent: parent.clone(),
                    });
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vv) => warnings.extend(merge_tables(&b, &path_to_map(parent, vv))),
                        Err(e) => warnings.push(format!(
                            "level=WARN msg=\"ImportValues missing table from chart\" chart={} error={}",
                            r.name,
                            crate::gocompat::strconv::go_quote(&e)
                        )),
                    }
                }
                ImportValue::Other(Value::Map(m)) => {
                    // Helm formats child/parent with %v, whatever their type.
                    let fmt = |k: &str| match m.get(k) {
                        Some(Value::String(s)) => s.to_string(),
                        Some(Value::Nil) | None => "<nil>".to_string(),
                        Some(other) => format!("{other:?}"),
                    };
                    let (child, parent) = (fmt("child"), fmt("parent"));
                    out.push(ImportValue::Map {
                        child: child.clone(),
                        parent: parent.clone(),
                    });
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vv) => warnings.extend(merge_tables(&b, &path_to_map(&parent, vv))),
                        Err(e) => warnings.push(format!(
                            "level=WARN msg=\"ImportValues missing table from chart\" chart={} error={}",
                            r.name,
                            crate::gocompat::strconv::go_quote(&e)
                        )),
                    }
                }
                ImportValue::Path(s) => {
                    let child = format!("exports.{s}");
                    out.push(ImportValue::Map {
                        child: child.clone(),
                        parent: ".".into(),
                    });
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vm) => warnings.extend(merge_tables(&b, &vm)),
                        Err(e) => warnings.push(format!(
                            "level=WARN msg=\"ImportValues missing table\" error={}",
                            crate::gocompat::strconv::go_quote(&e)
                        )),
                    }
                }
                ImportValue::Other(_) => {}
            }
        }
        r.import_values = out;
    }
    // Helm copies cvals first because merging `b` can put cvals' own tables at a second place
    // in it (`b` holds tables taken from cvals); with nothing imported there is nothing to merge.
    let cvals = match cvals {
        Value::Map(m) if b.is_empty() => m,
        cvals => match cvals.deep_copy() {
            Value::Map(m) => m,
            _ => Map::new(),
        },
    };
    warnings.extend(merge_tables(&cvals, &b));
    c.values = Value::Map(cvals);
    Ok(())
}

/// Helm's `IsCompatibleRange`: whether `version` satisfies the Masterminds semver `constraint`
/// (`^1.2`, `~1.2.3`, `>=1, <2`, `1.2.x`, `1 - 2`, `a || b`). An unparsable range or version is
/// incompatible. The constraint language is Sprig's `semverCompare` one, implemented once.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    use crate::gocompat::semver::{Constraints, Version};
    match (Constraints::parse(constraint), Version::parse(version)) {
        (Ok(c), Ok(v)) => c.check(&v),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        for (constraint, version, compatible) in [
            ("0.1.0", "0.1.0", true),
            ("0.1.0", "0.1.1", false),
            ("^1.2.0", "1.9.3", true),
            ("^1.2.0", "2.0.0", false),
            ("~1.2.0", "1.2.9", true),
            ("~1.2.0", "1.3.0", false),
            ("1.2.x", "1.2.7", true),
            (">=1.0.0, <2.0.0", "1.5.0", true),
            (">=1.0.0 <2.0.0", "1.5.0", true),
            ("1.0.0 - 2.0.0", "2.0.0", true),
            ("<1 || >=3", "3.1.0", true),
            ("*", "7.0.0", true),
            ("*", "7.0.0-rc1", false),
            ("", "1.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
        ] {
            assert_eq!(
                is_compatible_range(constraint, version),
                compatible,
                "{constraint:?} {version:?}"
            );
        }
    }

    #[test]
    fn table_and_path_value() {
        let v = crate::vmap! {"a" => crate::vmap!{"b" => true, "t" => crate::vmap!{}}};
        assert_eq!(path_value(&v, "a.b"), Some(Value::Bool(true)));
        assert_eq!(path_value(&v, "a.t"), None);
        assert_eq!(table(&v, "a.x").unwrap_err(), "\"x\" is not a table");
    }
}
