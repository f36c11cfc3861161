//! Go `text/template`'s predefined functions that are ordinary functions: `not`, `len`,
//! `index`, `slice`, the comparisons, `print`/`printf`/`println`, `html`, `js`, `urlquery`.
//!
//! `and`, `or` (short-circuit) and `call` are special forms handled by the executor.
//! Comparisons follow Go's `basicKind` rules: int vs uint compare by value, int vs float is
//! "incompatible types for comparison", `eq` takes several right-hand operands, and nil only
//! equals nil.

use super::{FuncError, FuncResult, FuncTable, Param};
use crate::gocompat::fmt as gofmt;
use crate::values::Value;
use std::sync::Arc;

pub fn register(t: &mut FuncTable) {
    use Param::*;
    t.add("not", &[Any], None, |a| Ok(Value::Bool(!a[0].is_truthy())));
    t.add("len", &[Any], None, length);
    t.add("index", &[Any], Some(Any), index);
    t.add("slice", &[Any], Some(Any), slice);
    t.add("eq", &[Any], Some(Any), eq);
    t.add("ne", &[Any, Any], None, |a| {
        Ok(Value::Bool(!eq_one(&a[0], &a[1])?))
    });
    t.add("lt", &[Any, Any], None, |a| {
        Ok(Value::Bool(lt(&a[0], &a[1])?))
    });
    t.add("le", &[Any, Any], None, |a| {
        Ok(Value::Bool(le(&a[0], &a[1])?))
    });
    t.add("gt", &[Any, Any], None, |a| {
        Ok(Value::Bool(!le(&a[0], &a[1])?))
    });
    t.add("ge", &[Any, Any], None, |a| {
        Ok(Value::Bool(!lt(&a[0], &a[1])?))
    });
    t.add("print", &[], Some(Any), |a| {
        Ok(Value::from(gofmt::sprint(a)))
    });
    t.add("printf", &[String], Some(Any), |a| {
        let f = a[0].as_str().unwrap_or("");
        Ok(Value::from(gofmt::sprintf(f, &a[1..])))
    });
    t.add("println", &[], Some(Any), |a| {
        Ok(Value::from(gofmt::sprintln(a)))
    });
    t.add("html", &[], Some(Any), |a| {
        Ok(Value::from(html_escape(&eval_args(a))))
    });
    t.add("js", &[], Some(Any), |a| {
        Ok(Value::from(js_escape(&eval_args(a))))
    });
    t.add("urlquery", &[], Some(Any), |a| {
        Ok(Value::from(query_escape(&eval_args(a))))
    });
}

fn length(a: &[Value]) -> FuncResult {
    let n = match &a[0] {
        Value::String(s) => crate::gocompat::gostring::go_bytes(s).len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        // A nil from a map lookup is a nil interface in Go (the usual case in charts).
        Value::Nil => return Err(FuncError::new("len of nil pointer")),
        Value::Object(o) => match o.to_data() {
            Value::List(l) if o.kind_name() == "slice" => l.len(),
            Value::Map(m) if o.kind_name() == "map" => m.len(),
            _ => return Err(FuncError::new(format!("len of type {}", o.type_name()))),
        },
        other => {
            return Err(FuncError::new(format!(
                "len of type {}",
                other.go_type_name()
            )))
        }
    };
    Ok(Value::Int(n as i64))
}

/// Go's `indexArg`: an integer index within `0..=cap`.
fn index_arg(v: &Value, cap: usize) -> Result<usize, FuncError> {
    let x: i128 = match v {
        Value::Int(i) | Value::Int64(i) => *i as i128,
        Value::Uint(u) => *u as i64 as i128,
        Value::Nil => return Err(FuncError::new("cannot index slice/array with nil")),
        other => {
            return Err(FuncError::new(format!(
                "cannot index slice/array with type {}",
                other.go_type_name()
            )))
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(FuncError::new(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

fn index(a: &[Value]) -> FuncResult {
    let mut item = a[0].clone();
    if item.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    for (n, ix) in a[1..].iter().enumerate() {
        item = match &item {
            Value::Nil => return Err(FuncError::new("index of nil pointer")),
            Value::List(l) => {
                let x = index_arg(ix, l.len())?;
                match l.get(x) {
                    Some(v) => v.clone(),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Value::String(s) => {
                let x = index_arg(ix, s.len())?;
                match s.as_bytes().get(x) {
                    Some(b) => Value::Uint(*b as u64),
                    None => return Err(FuncError::new("reflect: string index out of range")),
                }
            }
            Value::Bytes(b) => {
                let x = index_arg(ix, b.len())?;
                match b.get(x) {
                    Some(v) => Value::Uint(*v as u64),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Value::Map(m) => match ix {
                Value::String(k) => m.get(k).unwrap_or(Value::Nil),
                Value::Nil => return Err(FuncError::new("value is nil; should be of type string")),
                other => {
                    return Err(FuncError::new(format!(
                        "value has type {}; should be string",
                        other.go_type_name()
                    )));
                }
            },
            // Helm's objects that are Go maps or slices (`.Files`, `.Capabilities.APIVersions`)
            // index as those.
            Value::Object(o) if o.kind_name() == "map" => match ix {
                Value::String(k) => o.field(k).unwrap_or(Value::Nil),
                Value::Nil => return Err(FuncError::new("value is nil; should be of type string")),
                other => {
                    return Err(FuncError::new(format!(
                        "value has type {}; should be string",
                        other.go_type_name()
                    )));
                }
            },
            Value::Object(o) if o.kind_name() == "slice" => match o.to_data() {
                Value::List(l) => {
                    let x = index_arg(ix, l.len())?;
                    match l.get(x) {
                        Some(v) => v.clone(),
                        None => return Err(FuncError::new("reflect: slice index out of range")),
                    }
                }
                other => other,
            },
            other => {
                let _ = n;
                return Err(FuncError::new(format!(
                    "can't index item of type {}",
                    other.go_type_name()
                )));
            }
        };
    }
    Ok(item)
}

fn slice(a: &[Value]) -> FuncResult {
    let item = &a[0];
    let idx = &a[1..];
    if item.is_nil() {
        return Err(FuncError::new("slice of untyped nil"));
    }
    if idx.len() > 3 {
        return Err(FuncError::new(format!(
            "too many slice indexes: {}",
            idx.len()
        )));
    }
    let len = match item {
        Value::String(s) => {
            if idx.len() == 3 {
                return Err(FuncError::new("cannot 3-index slice a string"));
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(FuncError::new(format!(
                "can't slice item of type {}",
                other.go_type_name()
            )))
        }
    };
    let mut ix = [0usize, len, len];
    for (i, v) in idx.iter().enumerate() {
        ix[i] = index_arg(v, len)?;
    }
    if ix[0] > ix[1] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            ix[0], ix[1]
        )));
    }
    if idx.len() == 3 && ix[1] > ix[2] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            ix[1], ix[2]
        )));
    }
    Ok(match item {
        Value::String(s) => {
            Value::from(String::from_utf8_lossy(&s.as_bytes()[ix[0]..ix[1]]).into_owned())
        }
        Value::List(l) => Value::list(l[ix[0]..ix[1]].to_vec()),
        Value::Bytes(b) => Value::Bytes(Arc::from(&b[ix[0]..ix[1]])),
        _ => Value::Nil,
    })
}

// ----- comparisons -----

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    String,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Other,
    }
}

fn incompatible(a: &Value, b: &Value) -> FuncError {
    FuncError::new(format!(
        "incompatible types for comparison: {} and {}",
        a.go_type_name(),
        b.go_type_name()
    ))
}

fn eq(a: &[Value]) -> FuncResult {
    if a.len() < 2 {
        return Err(FuncError::new("missing argument for comparison"));
    }
    for b in &a[1..] {
        if eq_one(&a[0], b)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn eq_one(x: &Value, y: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(x), basic_kind(y));
    if k1 != k2 {
        return match (x, y) {
            (Value::Int(i) | Value::Int64(i), Value::Uint(u))
            | (Value::Uint(u), Value::Int(i) | Value::Int64(i)) => Ok(*i >= 0 && *i as u64 == *u),
            _ if k1 == Kind::Invalid || k2 == Kind::Invalid => Ok(false),
            _ => Err(incompatible(x, y)),
        };
    }
    Ok(match (x, y) {
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Float(a), Value::Float(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Uint(a), Value::Uint(b)) => a == b,
        (Value::Nil, Value::Nil) => true,
        _ => match (x.as_i64(), y.as_i64()) {
            (Some(a), Some(b)) if k1 == Kind::Int => a == b,
            _ => {
                // Non-basic kinds: Go compares with ==, which fails for maps and slices.
                if x.go_type_name() != y.go_type_name() {
                    return Err(incompatible(x, y));
                }
                match (x, y) {
                    (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
                    _ => {
                        return Err(FuncError::new(format!(
                            "non-comparable type {}: {}",
                            gofmt::sprintf("%s", std::slice::from_ref(y)),
                            y.go_type_name()
                        )))
                    }
                }
            }
        },
    })
}

fn lt(x: &Value, y: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(x), basic_kind(y));
    for k in [k1, k2] {
        if matches!(k, Kind::Invalid | Kind::Other) {
            return Err(FuncError::new("invalid type for comparison"));
        }
    }
    if k1 != k2 {
        return match (x, y) {
            (Value::Int(i) | Value::Int64(i), Value::Uint(u)) => Ok(*i < 0 || (*i as u64) < *u),
            (Value::Uint(u), Value::Int(i) | Value::Int64(i)) => Ok(*i >= 0 && *u < *i as u64),
            _ => Err(incompatible(x, y)),
        };
    }
    Ok(match (x, y) {
        (Value::Bool(_), Value::Bool(_)) => {
            return Err(FuncError::new("invalid type for comparison"))
        }
        (Value::Float(a), Value::Float(b)) => a < b,
        (Value::String(a), Value::String(b)) => a < b,
        (Value::Uint(a), Value::Uint(b)) => a < b,
        _ => x.as_i64().unwrap_or(0) < y.as_i64().unwrap_or(0),
    })
}

fn le(x: &Value, y: &Value) -> Result<bool, FuncError> {
    if lt(x, y)? {
        return Ok(true);
    }
    eq_one(x, y)
}

// ----- printing and escaping -----

/// Go's `evalArgs`: a lone string as is, else `fmt.Sprint` with nil shown as `<no value>`.
fn eval_args(a: &[Value]) -> String {
    if let [Value::String(s)] = a {
        return s.to_string();
    }
    let printable: Vec<Value> = a
        .iter()
        .map(|v| {
            if v.is_nil() {
                Value::str("<no value>")
            } else {
                v.clone()
            }
        })
        .collect();
    gofmt::sprint(&printable)
}

/// Go's `html/template` escapes of `html` (a NUL becomes U+FFFD).
const HTML_ESCAPES: [(char, &str); 6] = [
    ('"', "&#34;"),
    ('\'', "&#39;"),
    ('&', "&amp;"),
    ('<', "&lt;"),
    ('>', "&gt;"),
    ('\0', "\u{fffd}"),
];

/// Go's escapes of `js` for the characters it names; other control characters and
/// unprintable ones become `\uXXXX`.
const JS_ESCAPES: [(char, &str); 7] = [
    ('\\', "\\\\"),
    ('\'', "\\'"),
    ('"', "\\\""),
    ('<', "\\u003C"),
    ('>', "\\u003E"),
    ('&', "\\u0026"),
    ('=', "\\u003D"),
];

fn escaped(table: &[(char, &'static str)], c: char) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == c).map(|(_, e)| *e)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match escaped(&HTML_ESCAPES, c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if let Some(e) = escaped(&JS_ESCAPES, c) {
            out.push_str(e);
        } else if (c as u32) >= 0x20
            && ((c as u32) < 0x80 || crate::gocompat::strconv::is_go_printable(c))
        {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{:04X}", c as u32));
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
