//! Coalescing values: chart defaults ← parent chart values ← `-f` files ← `--set*`.
//!
//! Why exact: what a template sees under `.Values` is the result of Helm's chartutil
//! `CoalesceValues`, with rules charts rely on — a user `null` deletes a default key, maps merge
//! while scalars and lists replace, a subchart's values live under its name (or alias) in the
//! parent's values, `global` is copied down into every subchart, and a table/non-table clash
//! keeps the user's value with a warning. Helm 4.1.4 keeps `null`s that are set both by the user
//! and by the chart defaults, and nulls in chart defaults the user did not touch; we follow that.
//!
//! Helm prints warnings through `log.Printf` (as `level=INFO msg="warning: ..."` in Helm 4);
//! here they are returned, already formatted as those lines, so the caller decides where they go.

use crate::chart::Chart;
use crate::values::file::ValuesError;
use crate::values::{Map, Value};

/// The key Helm copies down into every subchart.
pub const GLOBAL_KEY: &str = "global";

/// The coalesced values plus the warnings Helm would log, each a full stderr line.
#[derive(Debug, Clone)]
pub struct Coalesced {
    pub values: Value,
    pub warnings: Vec<String>,
}

/// Helm's `CoalesceValues(chart, vals)`: user values (already merged from `-f` and `--set*`)
/// over the chart's defaults, recursively for subcharts, with globals copied down. Null user
/// values delete keys. The input is not modified.
pub fn coalesce_values(chart: &Chart, overrides: &Value) -> Result<Value, ValuesError> {
    coalesce_values_with_warnings(chart, overrides).map(|c| c.values)
}

/// [`coalesce_values`] that also returns Helm's warnings.
pub fn coalesce_values_with_warnings(
    chart: &Chart,
    overrides: &Value,
) -> Result<Coalesced, ValuesError> {
    run(chart, overrides, false)
}

/// Helm's `MergeValues(chart, vals)`: like [`coalesce_values`] but nulls are kept (used before
/// dependency processing, so a later coalesce can still see them).
pub fn merge_chart_values(chart: &Chart, overrides: &Value) -> Result<Coalesced, ValuesError> {
    run(chart, overrides, true)
}

/// [`coalesce_values_with_warnings`] for a result that is only read, never changed or handed
/// to templates: dependency processing coalesces each subchart into its parent's whole
/// coalesced values just to read `tags` and `condition`s. Copying those values for every
/// subchart made umbrella charts quadratic in their number of subcharts; here a top-level entry
/// that coalescing cannot reach (neither one of the chart's default keys, nor a subchart's
/// name, nor `global`) is shared with `overrides` instead of copied. The result is the same
/// tree; it only must not be mutated, and `overrides` not after it.
pub(crate) fn coalesce_values_to_read(
    chart: &Chart,
    overrides: &Value,
) -> Result<Coalesced, ValuesError> {
    let mut dest = Map::new();
    if let Value::Map(o) = overrides {
        dest = dest.with_go_type(o.go_type());
        let defaults = chart.values.as_map();
        let reached = |k: &str| {
            k == GLOBAL_KEY
                || defaults.is_some_and(|d| d.contains_key(k))
                || chart.dependencies.iter().any(|d| d.name() == k)
        };
        for (k, v) in o.entries() {
            let v = if reached(&k) { v.deep_copy() } else { v };
            dest.insert(k, v);
        }
    }
    coalesce_into(chart, dest, false)
}

fn run(chart: &Chart, overrides: &Value, merge: bool) -> Result<Coalesced, ValuesError> {
    let dest = match overrides.deep_copy() {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    coalesce_into(chart, dest, merge)
}

fn coalesce_into(chart: &Chart, dest: Map, merge: bool) -> Result<Coalesced, ValuesError> {
    let mut c = Ctx {
        warnings: Vec::new(),
    };
    c.coalesce(chart, &dest, "", merge)?;
    Ok(Coalesced {
        values: Value::Map(dest),
        warnings: c.warnings,
    })
}

/// Helm's `CoalesceTables(dst, src)`: merges `src` into `dst` in place (dst wins; a null in dst
/// removes the key when src had a value). Returns the warnings.
pub fn coalesce_tables(dst: &Map, src: &Map) -> Vec<String> {
    let mut c = Ctx {
        warnings: Vec::new(),
    };
    c.coalesce_tables_full_key(dst, src, "", false);
    c.warnings
}

/// Helm's `MergeTables(dst, src)`: like [`coalesce_tables`] but nulls are kept.
pub fn merge_tables(dst: &Map, src: &Map) -> Vec<String> {
    let mut c = Ctx {
        warnings: Vec::new(),
    };
    c.coalesce_tables_full_key(dst, src, "", true);
    c.warnings
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

/// Go's `%v` for warning texts.
fn go_v(v: &Value) -> String {
    crate::gocompat::fmt::format_v(v)
}

struct Ctx {
    warnings: Vec<String>,
}

impl Ctx {
    /// Records a warning as the line Helm 4 writes to stderr (`log.Printf` through slog's text
    /// handler: `level=INFO msg="warning: ..."`).
    fn warn(&mut self, s: String) {
        self.warnings.push(format!(
            "level=INFO msg={}",
            crate::gocompat::strconv::go_quote(&s)
        ));
    }

    fn coalesce(
        &mut self,
        ch: &Chart,
        dest: &Map,
        prefix: &str,
        merge: bool,
    ) -> Result<(), ValuesError> {
        self.coalesce_chart_values(ch, dest, prefix, merge);
        self.coalesce_deps(ch, dest, prefix, merge)
    }

    fn coalesce_deps(
        &mut self,
        ch: &Chart,
        dest: &Map,
        prefix: &str,
        merge: bool,
    ) -> Result<(), ValuesError> {
        for sub in &ch.dependencies {
            let name = sub.name();
            let dv = match dest.get(name) {
                None => {
                    let m = Map::new();
                    dest.insert(name, Value::Map(m.clone()));
                    m
                }
                Some(Value::Map(m)) => m,
                Some(other) => {
                    return Err(ValuesError::TypeMismatch {
                        name: name.to_string(),
                        value: go_dyn(&other),
                    })
                }
            };
            let sub_prefix = concat_prefix(prefix, ch.name());
            self.coalesce_globals(&dv, dest, &sub_prefix);
            self.coalesce(sub, &dv, &sub_prefix, merge)?;
            dest.insert(name, Value::Map(dv));
        }
        Ok(())
    }

    /// The `global` table of `values` (a new one when it has none); None, with Helm's warning,
    /// when `global` is something else. `side` names it in the warning.
    fn globals_of(&mut self, values: &Map, side: &str) -> Option<Map> {
        match values.get(GLOBAL_KEY) {
            None => Some(Map::new()),
            Some(Value::Map(m)) => Some(m),
            Some(_) => {
                self.warn(format!(
                    "warning: skipping globals because {side} {GLOBAL_KEY} is not a table."
                ));
                None
            }
        }
    }

    /// Copies `src.global` into `dest.global` (src wins; maps merge top-down).
    fn coalesce_globals(&mut self, dest: &Map, src: &Map, prefix: &str) {
        let Some(dg) = self.globals_of(dest, "destination") else {
            return;
        };
        let Some(sg) = self.globals_of(src, "source") else {
            return;
        };
        for (key, val) in sg.entries() {
            if let Value::Map(vm) = &val {
                let vv = vm.shallow_copy();
                match dg.get(&key) {
                    None => {
                        dg.insert(key, Value::Map(vv));
                    }
                    Some(Value::Map(destv)) => {
                        let sub_prefix = concat_prefix(prefix, &key);
                        self.coalesce_tables_full_key(&vv, &destv, &sub_prefix, true);
                        dg.insert(key, Value::Map(vv));
                    }
                    Some(_) => {
                        self.warn(format!(
                            "Conflict: cannot merge map onto non-map for {}. Skipping.",
                            crate::gocompat::strconv::go_quote(&key)
                        ));
                    }
                }
            } else if matches!(dg.get(&key), Some(Value::Map(_))) {
                self.warn(format!("key {key} is table. Skipping"));
            } else {
                dg.insert(key, val);
            }
        }
        dest.insert(GLOBAL_KEY, Value::Map(dg));
    }

    /// Helm's `coalesceValues`: the chart's defaults under the user's values `v`.
    fn coalesce_chart_values(&mut self, ch: &Chart, v: &Map, prefix: &str, merge: bool) {
        let sub_prefix = concat_prefix(prefix, ch.name());
        let vc = match ch.values.deep_copy() {
            Value::Map(m) => m,
            _ => Map::new(),
        };
        for (key, val) in vc.entries() {
            match v.get(&key) {
                Some(value) => {
                    if value.is_nil() && !merge {
                        v.remove(&key);
                    } else if let Value::Map(dest) = &value {
                        match &val {
                            Value::Map(src) => {
                                let child_merge =
                                    merge || ch.dependencies.iter().any(|d| d.name() == &*key);
                                self.coalesce_tables_full_key(
                                    dest,
                                    src,
                                    &concat_prefix(&sub_prefix, &key),
                                    child_merge,
                                );
                            }
                            Value::Nil => {}
                            _ => self.warn(format!(
                                "warning: skipped value for {sub_prefix}.{key}: Not a table."
                            )),
                        }
                    }
                }
                None => {
                    v.insert(key, val);
                }
            }
        }
    }

    /// Helm's `coalesceTablesFullKey`: merges `src` into `dst` (dst wins).
    fn coalesce_tables_full_key(&mut self, dst: &Map, src: &Map, prefix: &str, merge: bool) {
        let src_non_nil: Vec<_> = src.with(|e| {
            e.iter()
                .filter(|(_, v)| !v.is_nil())
                .map(|(k, _)| k.clone())
                .collect()
        });
        for (key, val) in dst.entries() {
            if val.is_nil() {
                src.insert(key, Value::Nil);
            }
        }
        for (key, val) in src.entries() {
            let full_key = concat_prefix(prefix, &key);
            let dv = dst.get(&key);
            match dv {
                Some(Value::Nil) if !merge && src_non_nil.contains(&key) => {
                    dst.remove(&key);
                }
                None => {
                    dst.insert(key, val);
                }
                Some(dv) => {
                    if let Value::Map(sv) = &val {
                        if let Value::Map(dm) = &dv {
                            crate::values::deep::guard(|| {
                                self.coalesce_tables_full_key(dm, sv, &full_key, merge)
                            });
                        } else {
                            self.warn(format!(
                                "warning: cannot overwrite table with non table for {full_key} ({})",
                                go_v(&val)
                            ));
                        }
                    } else if is_table(&dv) && !val.is_nil() {
                        self.warn(format!(
                            "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                            go_v(&val)
                        ));
                    }
                }
            }
        }
    }
}

/// Go's `%t` argument text for a non-bool (`%!t(string=x)`), used in the type-mismatch error.
fn go_dyn(v: &Value) -> String {
    format!("{}={}", v.go_type_name(), go_v(v))
}
