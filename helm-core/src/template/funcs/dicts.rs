//! Template functions: dictionaries (`dict`, `get`, `set`, `unset`, `hasKey`, `pluck`, `keys`,
//! `values`, `pick`, `omit`, `merge`, `mergeOverwrite`, `dig`).
//!
//! Go maps are references, and charts depend on it: `set`, `unset`, `merge` and
//! `mergeOverwrite` change the map they are given (every variable holding it sees the change)
//! and return that same map. [`Map`] is a shared handle, so the same holds here.
//!
//! `merge`/`mergeOverwrite` are `dario.cat/mergo` v1.0.1 on `map[string]interface{}`: nested
//! maps merge recursively into the destination's own maps, a non-empty destination value wins
//! over the source in `merge`, lists are never merged element-wise, and in `mergeOverwrite` a
//! source value (even an empty one, even nil) replaces the destination's.
//!
//! Go iterates maps in random order, so `keys` and `values` are unordered in Helm; here they
//! come out in key order, one of the orders Go may produce.

use super::conversion::{arg, str_arg, string_list, strval};
use super::defaults::empty;
use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::{Map, Value};

pub fn register(t: &mut FuncTable) {
    use Param::{Any, Map as M, String as S};
    t.add("dict", &[], Some(Any), |a| {
        let m = Map::new();
        for pair in a.chunks(2) {
            let key = strval(&pair[0]);
            m.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
        }
        Ok(Value::Map(m))
    });
    t.add("get", &[M, S], None, |a| {
        Ok(map_arg(a, 0)
            .and_then(|m| m.get(str_arg(a, 1)))
            .unwrap_or_else(|| Value::str("")))
    });
    t.add("set", &[M, S, Any], None, |a| {
        let m = map_arg(a, 0).cloned().unwrap_or_default();
        m.insert(str_arg(a, 1), arg(a, 2).clone());
        Ok(Value::Map(m))
    });
    t.add("unset", &[M, S], None, |a| {
        let m = map_arg(a, 0).cloned().unwrap_or_default();
        m.remove(str_arg(a, 1));
        Ok(Value::Map(m))
    });
    t.add("hasKey", &[M, S], None, |a| {
        Ok(Value::Bool(
            map_arg(a, 0).is_some_and(|m| m.contains_key(str_arg(a, 1))),
        ))
    });
    t.add("pluck", &[S], Some(M), |a| {
        let key = str_arg(a, 0);
        let out = a
            .iter()
            .skip(1)
            .filter_map(|d| d.as_map().and_then(|m| m.get(key)))
            .collect();
        Ok(Value::list(out))
    });
    t.add("keys", &[], Some(M), |a| {
        let mut out = Vec::new();
        for d in a {
            if let Some(m) = d.as_map() {
                out.extend(m.keys().iter().map(|k| k.to_string()));
            }
        }
        Ok(string_list(out))
    });
    t.add("values", &[M], None, |a| {
        Ok(Value::list(
            map_arg(a, 0)
                .map(|m| m.entries().into_iter().map(|(_, v)| v).collect())
                .unwrap_or_default(),
        ))
    });
    t.add("pick", &[M], Some(S), |a| {
        let res = Map::new();
        if let Some(m) = map_arg(a, 0) {
            for k in a.iter().skip(1).filter_map(Value::as_str) {
                if let Some(v) = m.get(k) {
                    res.insert(k, v);
                }
            }
        }
        Ok(Value::Map(res))
    });
    t.add("omit", &[M], Some(S), |a| {
        let omit: Vec<&str> = a.iter().skip(1).filter_map(Value::as_str).collect();
        let res = Map::new();
        if let Some(m) = map_arg(a, 0) {
            for (k, v) in m.entries() {
                if !omit.contains(&&*k) {
                    res.insert(k, v);
                }
            }
        }
        Ok(Value::Map(res))
    });
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        let imp = move |_h: &mut dyn super::Host, a: &[Value]| -> FuncResult {
            let dst = map_arg(a, 0).cloned().unwrap_or_default();
            for src in a.iter().skip(1).filter_map(Value::as_map) {
                merge_maps(&dst, src, overwrite, 0);
            }
            Ok(Value::Map(dst))
        };
        t.add_with_host(name, &[M], Some(M), std::sync::Arc::new(imp));
    }
    t.add("dig", &[], Some(Any), dig);
}

fn map_arg(a: &[Value], i: usize) -> Option<&Map> {
    a.get(i).and_then(Value::as_map)
}

/// mergo's `deepMerge` for `map[string]interface{}` (see the module docs for the rules).
pub fn merge_maps(dst: &Map, src: &Map, overwrite: bool, depth: usize) {
    if depth > 256 || dst.ptr_eq(src) {
        return;
    }
    let src_empty = src.is_empty();
    for (k, sv) in src.entries() {
        let dv = dst.get(&k);
        match &sv {
            Value::Nil => {
                if overwrite {
                    dst.insert(k, Value::Nil);
                }
                continue;
            }
            Value::Map(sm) => {
                if let Some(Value::Map(dm)) = &dv {
                    merge_maps(dm, sm, overwrite, depth + 1);
                }
            }
            Value::List(_) | Value::Bytes(_) => {
                let dst_slice = match &dv {
                    None | Some(Value::Nil) => Value::list(Vec::new()),
                    Some(x) => x.clone(),
                };
                let v = if !src_empty && (overwrite || dst.is_empty()) {
                    sv.clone()
                } else {
                    dst_slice
                };
                dst.insert(k.clone(), v);
            }
            _ => {}
        }
        if let Some(d) = &dv {
            if !empty(d) {
                if matches!(sv, Value::List(_) | Value::Bytes(_)) {
                    continue;
                }
                if matches!((&sv, d), (Value::Map(_), Value::Map(_))) {
                    continue;
                }
            }
        }
        if overwrite || dv.as_ref().is_none_or(empty) {
            dst.insert(k, sv);
        }
    }
}

/// `dig "a" "b" default dict`: walks nested maps; Go's type assertions panic on non-maps.
fn dig(ps: &[Value]) -> FuncResult {
    if ps.len() < 3 {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let assert_map = |v: &Value| -> Result<Map, FuncError> {
        match v {
            // A type assertion, not a conversion: common.Values (`.Values`) fails it in Go.
            Value::Map(m) if m.go_type() == crate::values::GoMapType::Interface => Ok(m.clone()),
            other => Err(FuncError::new(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                iface_type(other)
            ))),
        }
    };
    let mut dict = assert_map(&ps[ps.len() - 1])?;
    let def = &ps[ps.len() - 2];
    let mut keys = Vec::with_capacity(ps.len() - 2);
    for k in &ps[..ps.len() - 2] {
        match k {
            Value::String(s) => keys.push(s.clone()),
            other => {
                return Err(FuncError::new(format!(
                    "interface conversion: interface {{}} is {}, not string",
                    iface_type(other)
                )))
            }
        }
    }
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = dict.get(k) else {
            return Ok(def.clone());
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        dict = assert_map(&step)?;
    }
    Ok(def.clone())
}

/// The dynamic type as a failed Go type assertion names it (`nil` for a nil interface).
fn iface_type(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        other => other.go_type_name(),
    }
}
