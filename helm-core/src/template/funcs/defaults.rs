//! Template functions: defaults and emptiness (`default`, `empty`, `coalesce`, `all`, `any`,
//! `ternary`, `deepCopy`).
//!
//! Sprig's notion of "empty" is reflection-based and differs from Go template truth in one
//! way charts notice: a struct (our non-pointer [`Object`](crate::values::Object)) is never
//! empty, while a non-nil pointer is not empty either. Numbers are empty when zero whatever
//! their type, so `default 5 0.0` gives 5.

use super::conversion::arg;
use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::Value;

pub fn register(t: &mut FuncTable) {
    use Param::{Any, Bool};
    t.add("default", &[Any], Some(Any), |a| {
        // dfault(d, given...): given is empty when absent or when given[0] is empty.
        match a.get(1) {
            Some(g) if !empty(g) => Ok(g.clone()),
            _ => Ok(arg(a, 0).clone()),
        }
    });
    t.add("empty", &[Any], None, |a| Ok(Value::Bool(empty(arg(a, 0)))));
    t.add("coalesce", &[], Some(Any), |a| {
        Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil))
    });
    t.add("all", &[], Some(Any), |a| {
        Ok(Value::Bool(a.iter().all(|v| !empty(v))))
    });
    t.add("any", &[], Some(Any), |a| {
        Ok(Value::Bool(a.iter().any(|v| !empty(v))))
    });
    t.add("ternary", &[Any, Any, Bool], None, |a| {
        Ok(if arg(a, 2).as_bool().unwrap_or(false) {
            arg(a, 0).clone()
        } else {
            arg(a, 1).clone()
        })
    });
    t.add("deepCopy", &[Any], None, deep_copy);
    t.add("mustDeepCopy", &[Any], None, deep_copy);
}

/// `copystructure.Copy`: maps and lists are copied all the way down; nil makes it panic.
fn deep_copy(a: &[Value]) -> FuncResult {
    match arg(a, 0) {
        Value::Nil => Err(FuncError::new(
            "reflect: call of reflect.Value.Type on zero Value",
        )),
        v => Ok(v.deep_copy()),
    }
}

/// Sprig's `empty`: nil, zero numbers, false, and zero-length strings, lists and maps.
pub fn empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Uint(u) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        // Structs are never empty; pointers are empty only when nil (never, for an Object);
        // slices and maps wrapped as objects follow their truth.
        Value::Object(o) => match o.kind_name() {
            "slice" | "map" | "array" | "string" => !o.is_truthy(),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rules() {
        assert!(empty(&Value::Nil));
        assert!(empty(&Value::Float(0.0)));
        assert!(empty(&Value::list(vec![])));
        assert!(!empty(&Value::list(vec![Value::Nil])));
        assert!(!empty(&Value::str(" ")));
        assert!(empty(&Value::Bool(false)));
    }
}
