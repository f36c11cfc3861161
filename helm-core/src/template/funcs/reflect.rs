//! Template functions: reflection (`typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`,
//! `deepEqual`).
//!
//! Go type names come from [`Value::go_type_name`] (`%T`) and kinds from
//! [`Value::go_kind_name`]; `deepEqual` is `reflect.DeepEqual`, which compares types as well as
//! contents, so `deepEqual 1 1.0` is false and an `int` never equals an `int64`.

use super::conversion::{arg, str_arg};
use super::{FuncTable, Param};
use crate::values::Value;

pub fn register(t: &mut FuncTable) {
    use Param::{Any, String as S};
    t.add("typeOf", &[Any], None, |a| {
        Ok(Value::from(arg(a, 0).go_type_name()))
    });
    t.add("typeIs", &[S, Any], None, |a| {
        Ok(Value::Bool(str_arg(a, 0) == arg(a, 1).go_type_name()))
    });
    t.add("typeIsLike", &[S, Any], None, |a| {
        let (target, ty) = (str_arg(a, 0), arg(a, 1).go_type_name());
        Ok(Value::Bool(target == ty || format!("*{target}") == ty))
    });
    t.add("kindOf", &[Any], None, |a| {
        Ok(Value::from(arg(a, 0).go_kind_name()))
    });
    t.add("kindIs", &[S, Any], None, |a| {
        Ok(Value::Bool(str_arg(a, 0) == arg(a, 1).go_kind_name()))
    });
    t.add("deepEqual", &[Any, Any], None, |a| {
        Ok(Value::Bool(deep_equal(arg(a, 0), arg(a, 1))))
    });
}

/// Go's `reflect.DeepEqual` on template values: same dynamic type and equal contents (NaN is
/// never equal to itself; maps compare by entries unless they are the same map).
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_at(a, b, 0)
}

/// `depth` bounds the walk: two distinct maps that contain themselves never end (Go's
/// `reflect.DeepEqual` remembers visited pairs; such values are too rare to pay for that).
fn deep_equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth >= crate::values::deep::MAX_VALUE_DEPTH {
        return false;
    }
    crate::values::deep::guard(|| deep_equal_here(a, b, depth))
}

fn deep_equal_here(a: &Value, b: &Value, depth: usize) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            std::sync::Arc::ptr_eq(x, y)
                || x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|(p, q)| deep_equal_at(p, q, depth + 1))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.ptr_eq(y)
                || x.with(|mx| {
                    y.with(|my| {
                        mx.len() == my.len()
                            && mx.iter().all(|(k, v)| {
                                my.get(k).is_some_and(|w| deep_equal_at(v, w, depth + 1))
                            })
                    })
                })
        }
        (Value::Object(x), Value::Object(y)) => {
            std::sync::Arc::ptr_eq(x, y)
                || x.type_name() == y.type_name() && x.go_string() == y.go_string()
        }
        // Scalars (and values of different types, which `==` never walks into): equal values
        // of one Go type.
        _ => a == b,
    }
}
