//! RFC 7386 JSON merge patch creation as evanphx/json-patch v5's `CreateMergePatch` does it
//! (Helm's client-side apply patch for kinds without Go types: custom resources).
//!
//! Two-way: what the previous manifest object had and the new one lacks becomes `null`, what
//! changed or was added is set; the live object is not consulted, so fields other managers set
//! on a custom resource stay unless the chart itself dropped them. Lists are replaced whole.
//! Numbers compare as Go's `float64`s (`1` equals `1.0`).

use super::{PatchError, MAX_DEPTH};
use serde_json::{Map, Value as J};

/// The merge patch from `original` to `modified` (objects; `{}` when they agree).
pub fn create_merge_patch(original: &J, modified: &J) -> Result<J, PatchError> {
    match (original, modified) {
        (J::Object(a), J::Object(b)) => Ok(J::Object(get_diff(a, b, 0)?)),
        (J::Array(_), _) | (_, J::Array(_)) => Err(PatchError("Invalid JSON Document".into())),
        _ => Err(PatchError("Invalid JSON Document".into())),
    }
}

fn same_type(a: &J, b: &J) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn matches_value(a: &J, b: &J, depth: usize) -> Result<bool, PatchError> {
    if depth > MAX_DEPTH {
        return Err(PatchError(format!(
            "object nested deeper than {MAX_DEPTH} levels: not patched"
        )));
    }
    Ok(match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Object(x), J::Object(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (k, yv) in y {
                match x.get(k) {
                    Some(xv) if matches_value(xv, yv, depth + 1)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        (J::Array(x), J::Array(y)) => matches_array(x, y, depth)?,
        _ if !same_type(a, b) => false,
        _ => a == b,
    })
}

fn matches_array(a: &[J], b: &[J], depth: usize) -> Result<bool, PatchError> {
    if a.len() != b.len() {
        return Ok(false);
    }
    for (x, y) in a.iter().zip(b) {
        if !matches_value(x, y, depth + 1)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn get_diff(
    a: &Map<String, J>,
    b: &Map<String, J>,
    depth: usize,
) -> Result<Map<String, J>, PatchError> {
    if depth > MAX_DEPTH {
        return Err(PatchError(format!(
            "object nested deeper than {MAX_DEPTH} levels: not patched"
        )));
    }
    let mut into = Map::new();
    for (key, bv) in b {
        let Some(av) = a.get(key) else {
            into.insert(key.clone(), bv.clone());
            continue;
        };
        if !same_type(av, bv) {
            into.insert(key.clone(), bv.clone());
            continue;
        }
        match (av, bv) {
            (J::Object(am), J::Object(bm)) => {
                let d = get_diff(am, bm, depth + 1)?;
                if !d.is_empty() {
                    into.insert(key.clone(), J::Object(d));
                }
            }
            (J::Array(aa), J::Array(ba)) => {
                if !matches_array(aa, ba, depth)? {
                    into.insert(key.clone(), bv.clone());
                }
            }
            (J::Null, J::Null) => {}
            _ => {
                if !matches_value(av, bv, depth)? {
                    into.insert(key.clone(), bv.clone());
                }
            }
        }
    }
    for key in a.keys() {
        if !b.contains_key(key) {
            into.insert(key.clone(), J::Null);
        }
    }
    Ok(into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sets_changes_and_nulls_removals() {
        let a = json!({"spec": {"a": 1, "b": [1, 2], "c": {"x": 1}, "d": 1.0}, "gone": true});
        let b = json!({"spec": {"a": 2, "b": [1, 2], "c": {"x": 1, "y": null}, "d": 1}});
        assert_eq!(
            create_merge_patch(&a, &b).unwrap(),
            json!({"spec": {"a": 2, "c": {"y": null}}, "gone": null})
        );
        assert_eq!(create_merge_patch(&b, &b).unwrap(), json!({}));
    }
}
