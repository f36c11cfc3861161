//! Template functions: lists (`list`, `first`, `append`, `uniq`, `has`, `slice`, `chunk`,
//! `sortAlpha`, `join`, …) and every `must*` variant.
//!
//! Sprig's list functions take `interface{}` and use reflection, so they accept any Go slice
//! (`[]string` from `splitList`, `[]byte`) and always return fresh `[]interface{}` copies: the
//! input is never modified. Given a non-list, the plain variant panics with the same text the
//! `must*` variant returns as an error (`Cannot find first on type string`); given nil, Go's
//! `reflect.TypeOf(nil).Kind()` dereferences a nil pointer, which is what the template shows.

use super::conversion::{arg, int_arg, str_arg, string_list, strslice, to_int64};
use super::defaults::empty;
use super::reflect::deep_equal;
use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::Value;

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

pub fn register(t: &mut FuncTable) {
    use Param::{Any, Int, String as S};
    t.add("list", &[], Some(Any), |a| Ok(Value::list(a.to_vec())));
    t.add("tuple", &[], Some(Any), |a| Ok(Value::list(a.to_vec())));
    for name in ["append", "push", "mustAppend", "mustPush"] {
        t.add(name, &[Any, Any], None, |a| {
            let mut l = items(arg(a, 0), "Cannot push on type")?;
            l.push(arg(a, 1).clone());
            Ok(Value::list(l))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        t.add(name, &[Any, Any], None, |a| {
            let mut l = vec![arg(a, 1).clone()];
            l.extend(items(arg(a, 0), "Cannot prepend on type")?);
            Ok(Value::list(l))
        });
    }
    for name in ["first", "mustFirst"] {
        t.add(name, &[Any], None, |a| {
            Ok(items(arg(a, 0), "Cannot find first on type")?
                .into_iter()
                .next()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["last", "mustLast"] {
        t.add(name, &[Any], None, |a| {
            Ok(items(arg(a, 0), "Cannot find last on type")?
                .pop()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["rest", "mustRest"] {
        t.add(name, &[Any], None, |a| {
            let l = items(arg(a, 0), "Cannot find rest on type")?;
            Ok(Value::list(l.into_iter().skip(1).collect()))
        });
    }
    for name in ["initial", "mustInitial"] {
        t.add(name, &[Any], None, |a| {
            let mut l = items(arg(a, 0), "Cannot find initial on type")?;
            l.pop();
            Ok(Value::list(l))
        });
    }
    for name in ["reverse", "mustReverse"] {
        t.add(name, &[Any], None, |a| {
            let mut l = items(arg(a, 0), "Cannot find reverse on type")?;
            l.reverse();
            Ok(Value::list(l))
        });
    }
    for name in ["compact", "mustCompact"] {
        t.add(name, &[Any], None, |a| {
            let l = items(arg(a, 0), "Cannot compact on type")?;
            Ok(Value::list(l.into_iter().filter(|v| !empty(v)).collect()))
        });
    }
    for name in ["uniq", "mustUniq"] {
        t.add(name, &[Any], None, |a| {
            let mut out: Vec<Value> = Vec::new();
            for v in items(arg(a, 0), "Cannot find uniq on type")? {
                if !out.iter().any(|x| deep_equal(&v, x)) {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        t.add(name, &[Any], Some(Any), |a| {
            let omit = a.get(1..).unwrap_or(&[]);
            let l = items(arg(a, 0), "Cannot find without on type")?;
            Ok(Value::list(
                l.into_iter()
                    .filter(|v| !omit.iter().any(|o| deep_equal(v, o)))
                    .collect(),
            ))
        });
    }
    for name in ["has", "mustHas"] {
        t.add(name, &[Any, Any], None, |a| {
            let hay = arg(a, 1);
            if hay.is_nil() {
                return Ok(Value::Bool(false));
            }
            let needle = arg(a, 0);
            Ok(Value::Bool(
                items(hay, "Cannot find has on type")?
                    .iter()
                    .any(|v| deep_equal(needle, v)),
            ))
        });
    }
    for name in ["slice", "mustSlice"] {
        t.add(name, &[Any], Some(Any), slice);
    }
    t.add("concat", &[], Some(Any), |a| {
        let mut out = Vec::new();
        for l in a {
            match l {
                Value::Nil => return Err(FuncError::new(NIL_DEREF)),
                _ => match list_items(l) {
                    Some(x) => out.extend(x),
                    None => {
                        return Err(FuncError::new(format!(
                            "Cannot concat type {} as list",
                            l.go_kind_name()
                        )))
                    }
                },
            }
        }
        Ok(Value::list(out))
    });
    for name in ["chunk", "mustChunk"] {
        t.add(name, &[Int, Any], None, |a| chunk(int_arg(a, 0), arg(a, 1)));
    }
    t.add("sortAlpha", &[Any], None, |a| {
        let v = arg(a, 0);
        if list_items(v).is_some() {
            let mut s = strslice(v);
            s.sort();
            Ok(string_list(s))
        } else {
            Ok(string_list(vec![super::conversion::strval(v)]))
        }
    });
    t.add("join", &[S, Any], None, |a| {
        Ok(Value::from(strslice(arg(a, 1)).join(str_arg(a, 0))))
    });
}

/// The elements of any Go slice value; `None` for non-slices.
pub(crate) fn list_items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.to_vec()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Uint(u64::from(*x))).collect()),
        // Go slice types behind objects (Helm's `VersionSet`): reflection sees a slice.
        Value::Object(o) if matches!(o.kind_name(), "slice" | "array") => match o.to_data() {
            Value::List(l) => Some(l.to_vec()),
            _ => Some(Vec::new()),
        },
        _ => None,
    }
}

/// The elements of a list argument, or Sprig's error `"<what> <kind>"` (nil: Go's nil deref).
fn items(v: &Value, what: &str) -> Result<Vec<Value>, FuncError> {
    if v.is_nil() {
        return Err(FuncError::new(NIL_DEREF));
    }
    list_items(v).ok_or_else(|| FuncError::new(format!("{what} {}", v.go_kind_name())))
}

/// `slice list [start [end]]`: `reflect.Value.Slice` with its bounds panic; nil for an empty list.
fn slice(a: &[Value]) -> FuncResult {
    let v = arg(a, 0);
    if v.is_nil() {
        return Err(FuncError::new(NIL_DEREF));
    }
    let l = list_items(v).ok_or_else(|| {
        FuncError::new(format!(
            "list should be type of slice or array but {}",
            v.go_kind_name()
        ))
    })?;
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let start = a.get(1).map(to_int64).unwrap_or(0);
    let end = a.get(2).map(to_int64).unwrap_or(l.len() as i64);
    if start < 0 || end < start || end > l.len() as i64 {
        return Err(FuncError::new(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    Ok(Value::list(l[start as usize..end as usize].to_vec()))
}

/// `chunk size list`, computing the chunk count in float64 as Sprig does (size 0 or negative
/// sizes make Go's `make` panic).
fn chunk(size: i64, v: &Value) -> FuncResult {
    const BAD_LEN: &str = "runtime error: makeslice: len out of range";
    let l = items(v, "Cannot chunk type")?;
    let n = l.len();
    let cs_f = (((n as f64) - 1.0) / size as f64).floor() + 1.0;
    let cs = super::conversion::go_f64_to_i64(cs_f);
    if cs < 0 {
        return Err(FuncError::new(BAD_LEN));
    }
    let mut out = Vec::with_capacity(cs.min(n as i64 + 1) as usize);
    for i in 0..cs {
        let mut clen = size;
        if i == cs - 1 {
            clen = ((n as f64) % (size as f64)).floor() as i64;
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(FuncError::new(BAD_LEN));
        }
        let mut c = Vec::with_capacity(clen.min(n as i64) as usize);
        for j in 0..clen {
            let ix = i * size + j;
            match usize::try_from(ix).ok().and_then(|ix| l.get(ix)) {
                Some(x) => c.push(x.clone()),
                None => {
                    return Err(FuncError::new("reflect: slice index out of range"));
                }
            }
        }
        out.push(Value::list(c));
    }
    Ok(Value::list(out))
}
