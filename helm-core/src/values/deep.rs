//! Deep nesting without a deep native stack.
//!
//! Helm is written in Go, whose goroutine stacks grow on demand up to 1 GB, so its recursive
//! code copes with data nested far deeper than a fixed native stack allows: a `--set` key with
//! 40,000 `[0]`s, 100,000 nested `{{if}}`s, `toJson` of a list built 100,000 levels deep by a
//! template. Our recursive walks (the `--set` parser, YAML and JSON readers and writers,
//! coalescing, copying, comparing, template parsing and execution) call [`guard`] once per
//! level: while the current stack has room it is a pointer comparison; near the end of the
//! stack it continues the walk on a fresh heap-allocated segment (the `stacker` crate, which
//! rustc uses for the same reason). Memory therefore follows the depth actually reached, a few
//! hundred bytes per level, instead of a huge stack reserved up front, and the code runs the
//! same on the main thread, a 2 MiB worker thread or under an address-space limit.
//!
//! Depth is still bounded where Helm has a limit (YAML and JSON 10,000, template calls
//! 100,000, parenthesised expressions 10,000) and, where Go has none, by
//! [`MAX_VALUE_DEPTH`]: Go itself dies of a stack overflow somewhere before a million levels,
//! we stop with an error there instead.
//!
//! Dropping is the one recursion the compiler writes: the `Drop` of list items
//! ([`ValueList`](super::ValueList)) and of [`Map`] take nested containers apart iteratively,
//! so dropping any value, however deep, uses constant stack.

use super::{Map, Value};
use std::sync::Arc;

/// Stack that must remain before a walk descends one more level on the current segment. It
/// covers the deepest non-recursive work done between two guarded levels (a template function
/// call in a debug build is the largest).
const RED_ZONE: usize = 256 << 10;
/// Size of each further stack segment (address space reserved only while it is in use).
const SEGMENT: usize = 8 << 20;

/// The deepest value any recursive walk of ours follows (encoding, printing, copying,
/// comparing, coalescing). Helm handles 100,000 levels (`toJson` of a template-built list) and
/// crashes with a Go stack overflow at 1,000,000; we answer an error at this depth.
pub const MAX_VALUE_DEPTH: usize = 1_000_000;

/// Runs `f`, first moving to a fresh stack segment when the current one is nearly used up.
/// Call it around each recursive descent.
#[inline(always)]
pub fn guard<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

#[inline]
fn is_container(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Map(_))
}

/// Moves the nested containers of `v` onto `out` when `v` is the last owner of its entries,
/// so that dropping `v` afterwards does not recurse into them. Cheap when there are none.
#[inline]
fn take_children(v: &mut Value, out: &mut Vec<Value>) {
    match v {
        Value::List(l) => {
            if let Some(items) = Arc::get_mut(l) {
                take_items(items, out);
            }
        }
        Value::Map(m) => take_map_children(m, out),
        _ => {}
    }
}

#[inline]
fn take_items(items: &mut Vec<Value>, out: &mut Vec<Value>) {
    if items.iter().any(is_container) {
        out.extend(items.drain(..).filter(is_container));
    }
}

#[inline]
fn take_map_children(m: &mut Map, out: &mut Vec<Value>) {
    if let Some(entries) = m.unique_entries() {
        if entries.values().any(is_container) {
            let entries = std::mem::take(entries);
            out.extend(entries.into_values().filter(is_container));
        }
    }
}

/// Takes everything below `pending` apart level by level on a heap work list.
fn drain(mut pending: Vec<Value>) {
    while let Some(mut child) = pending.pop() {
        take_children(&mut child, &mut pending);
        // `child` holds no containers any more: dropping it here is shallow.
    }
}

/// The body of [`ValueList`](super::ValueList)'s `Drop`.
#[inline]
pub(crate) fn drop_items(items: &mut Vec<Value>) {
    let mut pending = Vec::new();
    take_items(items, &mut pending);
    if !pending.is_empty() {
        drain(pending);
    }
}

/// The body of [`Map`]'s `Drop` (only the last handle of a map frees its entries).
#[inline]
pub(crate) fn drop_map(m: &mut Map) {
    let mut pending = Vec::new();
    take_map_children(m, &mut pending);
    if !pending.is_empty() {
        drain(pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep_list(n: usize) -> Value {
        let mut v = Value::Int64(1);
        for _ in 0..n {
            v = Value::list(vec![v]);
        }
        v
    }

    fn deep_map(n: usize) -> Value {
        let mut v = Value::Int64(1);
        for _ in 0..n {
            let m = Map::new();
            m.insert("a", v);
            v = Value::Map(m);
        }
        v
    }

    /// A million levels, alternating lists and maps, dropped on a 256 KiB thread: the drop is
    /// iterative, so the stack size does not matter.
    #[test]
    fn dropping_a_million_levels_needs_no_stack() {
        let t = std::thread::Builder::new().stack_size(256 << 10).spawn(|| {
            let mut v = Value::Nil;
            for i in 0..1_000_000 {
                v = if i % 2 == 0 {
                    Value::list(vec![v])
                } else {
                    crate::vmap! { "k" => v }
                };
            }
            drop(v);
        });
        t.expect("spawn").join().expect("no overflow");
    }

    /// Shared parts stay alive for their other owners.
    #[test]
    fn dropping_keeps_shared_parts() {
        let shared = deep_list(3);
        let outer = Value::list(vec![shared.clone(), deep_map(3)]);
        drop(outer);
        assert_eq!(shared, deep_list(3));
    }

    /// Copying, comparing and encoding 20,000 levels on a 256 KiB thread: each recursive walk
    /// continues on new stack segments.
    #[test]
    fn recursive_walks_grow_the_stack() {
        let t = std::thread::Builder::new().stack_size(256 << 10).spawn(|| {
            let v = Value::list(vec![deep_list(10_000), deep_map(10_000)]);
            let c = v.deep_copy();
            assert_eq!(c, v);
            let json = crate::values::json::marshal(&v, true).expect("marshal");
            // `[` + 10,000 `[`…`]` around 1 + `,` + 10,000 `{"a":`…`}` around 1 + `]`.
            assert_eq!(json.len(), 1 + 20_001 + 1 + 60_001 + 1);
            let back = crate::values::json::from_str(&format!(
                "[{}]",
                "[".repeat(9_998) + "1" + &"]".repeat(9_998)
            ));
            assert!(back.is_ok());
            let too_deep =
                crate::values::json::from_str(&("[".repeat(10_001) + &"]".repeat(10_001)));
            assert!(too_deep.is_err());
        });
        t.expect("spawn").join().expect("no overflow");
    }

    /// A map that contains itself is Go's cycle error for the encoders, not endless recursion.
    #[test]
    fn cycles_are_reported() {
        let m = Map::new();
        m.insert("self", Value::Map(m.clone()));
        let v = Value::Map(m.clone());
        let e = crate::values::json::marshal(&v, true).expect_err("cycle");
        assert_eq!(
            e.message,
            "json: unsupported value: encountered a cycle via map[string]interface {}"
        );
        assert!(crate::values::yaml::to_string(&v).is_err());
        // Break the cycle so the map can be freed.
        m.remove("self");
    }
}
