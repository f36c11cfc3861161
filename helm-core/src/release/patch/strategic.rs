//! k8s.io/apimachinery's `CreateThreeWayMergePatch` (strategic merge patch), as Helm's
//! client-side apply calls it with `overwrite = true`.
//!
//! The patch is the difference from the live object (`current`) to the new manifest object
//! (`modified`) without deletions — fields a controller or another manager added stay — plus the
//! deletions from the previous manifest object (`original`) to `modified`; the two are combined
//! as apimachinery does (the deletions patch merged with the changes patch).
//!
//! Fields with patch strategy `merge` are lists merged element by element: lists of maps by
//! their merge key (a removed element becomes `{"$patch": "delete", key: value}`), lists of
//! scalars as sets (removals in a parallel `$deleteFromPrimitiveList/<field>` list); either gets
//! a `$setElementOrder/<field>` list with the new order. `retainKeys` adds a `$retainKeys` list
//! to each object of that field. Other lists, and maps with strategy `replace`, are replaced.
//!
//! The Go code's quirks that change a patch's content are kept: values are compared as Go
//! compares `interface{}` values (an integer and a float differ), sort orders use Go's `%v`
//! text and Go's own sort algorithms (which keep or reverse elements with equal keys as Go
//! does), duplicate scalars are removed as its `deduplicateScalars` does. Lookups by merge key
//! use hash maps (the Go code searches lists linearly, quadratic in a list's length).

use super::{PatchError, MAX_DEPTH};
use serde_json::{Map, Value as J};
use std::collections::HashMap;

const DIRECTIVE_MARKER: &str = "$patch";
const DELETE_DIRECTIVE: &str = "delete";
const REPLACE_DIRECTIVE: &str = "replace";
const MERGE_DIRECTIVE: &str = "merge";
const RETAIN_KEYS_STRATEGY: &str = "retainKeys";
const DELETE_FROM_PRIMITIVE_LIST_PREFIX: &str = "$deleteFromPrimitiveList";
const RETAIN_KEYS_DIRECTIVE: &str = "$retainKeys";
const SET_ELEMENT_ORDER_PREFIX: &str = "$setElementOrder";

type Result<T> = std::result::Result<T, PatchError>;

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(PatchError(msg.into()))
}

/// A field's patch metadata: its strategies (`x-kubernetes-patch-strategy`, comma-separated:
/// `merge`, `replace`, `retainKeys`) and its merge key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatchMeta {
    pub strategies: Vec<String>,
    pub merge_key: String,
}

/// Where the patch functions learn each field's [`PatchMeta`], one level at a time, as
/// apimachinery's `LookupPatchMeta`: `self` describes an object type, the lookups describe its
/// field `key` and return the field's own type (for a list: its elements' type).
///
/// The error texts are those of Helm's struct-tag lookup (`unable to find api field in struct
/// Pod for the json field "x"`, `merging an object in json but data type is not struct, instead
/// is: map`): they surface in Helm's `failed to create patch: …`.
pub trait LookupPatchMeta: Sized {
    /// The field `key` of this object type, for a field holding an object.
    fn lookup_struct(&self, key: &str) -> std::result::Result<(Self, PatchMeta), String>;
    /// The field `key` of this object type, for a field holding a list: the element type.
    fn lookup_slice(&self, key: &str) -> std::result::Result<(Self, PatchMeta), String>;
    /// The type's name as the Go code prints it in "cannot merge lists without merge key for …".
    fn name(&self) -> String;
}

#[derive(Debug, Clone, Copy, Default)]
struct DiffOptions {
    set_element_order: bool,
    ignore_changes_and_additions: bool,
    ignore_deletions: bool,
    build_retain_keys: bool,
}

/// `CreateThreeWayMergePatch(original, modified, current, schema, overwrite=true)`: the patch
/// (an object; `{}` when nothing changes) that turns `current` into `modified` while keeping what
/// only `current` has, deleting what `original` had and `modified` dropped. A missing document
/// is an empty object (Helm marshals a missing live object as `null`).
pub fn create_three_way_merge_patch<S: LookupPatchMeta>(
    original: &J,
    modified: &J,
    current: &J,
    schema: &S,
) -> Result<J> {
    let as_map = |v: &J| -> Result<Map<String, J>> {
        match v {
            J::Object(m) => Ok(m.clone()),
            J::Null => Ok(Map::new()),
            _ => err("invalid JSON document"),
        }
    };
    let original = as_map(original)?;
    let modified = as_map(modified)?;
    let current = as_map(current)?;
    let delta = diff_maps(
        &current,
        &modified,
        schema,
        DiffOptions {
            ignore_deletions: true,
            set_element_order: true,
            ..Default::default()
        },
        0,
    )?;
    let deletions = diff_maps(
        &original,
        &modified,
        schema,
        DiffOptions {
            set_element_order: true,
            ignore_changes_and_additions: true,
            ..Default::default()
        },
        0,
    )?;
    merge_map(deletions, delta, schema, 0)
}

fn check_depth(depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return err(format!(
            "object nested deeper than {MAX_DEPTH} levels: not patched"
        ));
    }
    Ok(())
}

// ---- Go value semantics -------------------------------------------------------------------

/// A JSON value's Go dynamic type after k8s.io/apimachinery's JSON decoding (integers as
/// int64, other numbers float64).
#[derive(PartialEq, Eq, Clone, Copy)]
enum GoType {
    Nil,
    Bool,
    Int,
    Float,
    Str,
    Map,
    Slice,
}

fn go_type(v: &J) -> GoType {
    match v {
        J::Null => GoType::Nil,
        J::Bool(_) => GoType::Bool,
        J::Number(n) => {
            if n.as_i64().is_some() {
                GoType::Int
            } else {
                GoType::Float
            }
        }
        J::String(_) => GoType::Str,
        J::Object(_) => GoType::Map,
        J::Array(_) => GoType::Slice,
    }
}

fn go_type_name(v: Option<&J>) -> &'static str {
    match v.map(go_type) {
        None | Some(GoType::Nil) => "<nil>",
        Some(GoType::Bool) => "bool",
        Some(GoType::Int) => "int64",
        Some(GoType::Float) => "float64",
        Some(GoType::Str) => "string",
        Some(GoType::Map) => "map[string]interface {}",
        Some(GoType::Slice) => "[]interface {}",
    }
}

fn bad_arg_type(expected: &str, actual: Option<&J>) -> PatchError {
    PatchError(format!(
        "expected a {expected}, but received a {}",
        go_type_name(actual)
    ))
}

/// Go's `%v` of a decoded JSON value.
fn go_v(v: &J) -> String {
    let mut s = String::new();
    write_go_v(v, &mut s, 0);
    s
}

fn write_go_v(v: &J, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        J::Null => out.push_str("<nil>"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => match n.as_i64() {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&crate::gocompat::fmt::format_float_v(
                n.as_f64().unwrap_or(0.0),
            )),
        },
        J::String(s) => out.push_str(s),
        J::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go_v(x, out, depth + 1);
            }
            out.push(']');
        }
        J::Object(m) => {
            out.push_str("map[");
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_go_v(&m[k], out, depth + 1);
            }
            out.push(']');
        }
    }
}

/// A scalar as Go's `==` on `interface{}` compares it, hashable. Maps and lists are not
/// comparable in Go (comparing them panics there); here they are an error.
#[derive(PartialEq, Eq, Hash, Clone, Debug)]
enum ScalarKey {
    Nil,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
}

fn scalar_key(v: &J) -> Result<ScalarKey> {
    Ok(match v {
        J::Null => ScalarKey::Nil,
        J::Bool(b) => ScalarKey::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => ScalarKey::Int(i),
            None => {
                let f = n.as_f64().unwrap_or(0.0);
                ScalarKey::Float(if f == 0.0 { 0 } else { f.to_bits() })
            }
        },
        J::String(s) => ScalarKey::Str(s.clone()),
        J::Object(_) | J::Array(_) => {
            return err(format!(
                "runtime error: comparing uncomparable type {}",
                go_type_name(Some(v))
            ))
        }
    })
}

/// Go's `a == b` on two decoded scalars.
fn go_eq(a: &J, b: &J) -> Result<bool> {
    Ok(scalar_key(a)? == scalar_key(b)?)
}

/// The value `index` looks up: a map's merge-key value (nil when absent), else the item itself.
fn index_value<'a>(item: &'a J, merge_key: &str, kind_is_map: bool) -> Option<&'a J> {
    if kind_is_map {
        item.as_object().and_then(|m| m.get(merge_key))
    } else {
        Some(item)
    }
}

/// First positions of each lookup value in `order`, as Go's `index` finds them.
fn index_map(order: &[J], merge_key: &str, kind_is_map: bool) -> Result<HashMap<ScalarKey, usize>> {
    let mut m = HashMap::with_capacity(order.len());
    for (i, v) in order.iter().enumerate() {
        let k = match index_value(v, merge_key, kind_is_map) {
            Some(x) => scalar_key(x)?,
            None => ScalarKey::Nil,
        };
        m.entry(k).or_insert(i);
    }
    Ok(m)
}

fn lookup_index(
    idx: &HashMap<ScalarKey, usize>,
    item: &J,
    merge_key: &str,
    kind_is_map: bool,
) -> Result<Option<usize>> {
    let k = match index_value(item, merge_key, kind_is_map) {
        Some(x) => scalar_key(x)?,
        None => ScalarKey::Nil,
    };
    Ok(idx.get(&k).copied())
}

// ---- Go's sort algorithms -----------------------------------------------------------------

/// Go's `sort.Sort` for the callers here, whose less is `a <= b` on `%v` texts: pdqsort runs
/// insertion sort on up to 12 elements (which moves an element before equal ones); longer
/// lists are sorted stably (they differ from Go's order only among elements of equal text).
fn go_sort_by_text<T>(items: &mut [(String, T)]) {
    if items.len() <= 12 {
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && items[j].0 <= items[j - 1].0 {
                items.swap(j, j - 1);
                j -= 1;
            }
        }
    } else {
        items.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

fn sort_scalars(s: Vec<J>) -> Vec<J> {
    let mut keyed: Vec<(String, J)> = s.into_iter().map(|v| (go_v(&v), v)).collect();
    go_sort_by_text(&mut keyed);
    keyed.into_iter().map(|(_, v)| v).collect()
}

/// Go's `sort.SliceStable` (insertion sort on blocks of 20, then `symMerge`), with `less` on
/// positions of `keys`, swapping `keys` and `items` together. Exact even for the non-strict
/// orders the Go code uses.
fn go_stable_sort<K, T>(keys: &mut [K], items: &mut [T], less: &dyn Fn(&K, &K) -> bool) {
    struct D<'a, K, T> {
        k: &'a mut [K],
        t: &'a mut [T],
        less: &'a dyn Fn(&K, &K) -> bool,
    }
    impl<K, T> D<'_, K, T> {
        fn less(&self, i: usize, j: usize) -> bool {
            (self.less)(&self.k[i], &self.k[j])
        }
        fn swap(&mut self, i: usize, j: usize) {
            self.k.swap(i, j);
            self.t.swap(i, j);
        }
        fn insertion(&mut self, a: usize, b: usize) {
            for i in a + 1..b {
                let mut j = i;
                while j > a && self.less(j, j - 1) {
                    self.swap(j, j - 1);
                    j -= 1;
                }
            }
        }
        fn swap_range(&mut self, a: usize, b: usize, n: usize) {
            for i in 0..n {
                self.swap(a + i, b + i);
            }
        }
        fn rotate(&mut self, a: usize, m: usize, b: usize) {
            let mut i = m - a;
            let mut j = b - m;
            while i != j {
                if i > j {
                    self.swap_range(m - i, m, j);
                    i -= j;
                } else {
                    self.swap_range(m - i, m + j - i, i);
                    j -= i;
                }
            }
            self.swap_range(m - i, m, i);
        }
        fn sym_merge(&mut self, a: usize, m: usize, b: usize) {
            if m - a == 1 {
                let (mut i, mut j) = (m, b);
                while i < j {
                    let h = (i + j) / 2;
                    if self.less(h, a) {
                        i = h + 1;
                    } else {
                        j = h;
                    }
                }
                let mut k = a;
                while k + 1 < i {
                    self.swap(k, k + 1);
                    k += 1;
                }
                return;
            }
            if b - m == 1 {
                let (mut i, mut j) = (a, m);
                while i < j {
                    let h = (i + j) / 2;
                    if !self.less(m, h) {
                        i = h + 1;
                    } else {
                        j = h;
                    }
                }
                let mut k = m;
                while k > i {
                    self.swap(k, k - 1);
                    k -= 1;
                }
                return;
            }
            let mid = (a + b) / 2;
            let n = mid + m;
            let (mut start, mut r) = if m > mid { (n - b, mid) } else { (a, m) };
            let p = n - 1;
            while start < r {
                let c = (start + r) / 2;
                if !self.less(p - c, c) {
                    start = c + 1;
                } else {
                    r = c;
                }
            }
            let end = n - start;
            if start < m && m < end {
                self.rotate(start, m, end);
            }
            if a < start && start < mid {
                self.sym_merge(a, start, mid);
            }
            if mid < end && end < b {
                self.sym_merge(mid, end, b);
            }
        }
    }
    let n = keys.len();
    let mut d = D {
        k: keys,
        t: items,
        less,
    };
    let mut block = 20;
    let (mut a, mut b) = (0, block);
    while b <= n {
        d.insertion(a, b);
        a = b;
        b += block;
    }
    d.insertion(a, n);
    while block < n {
        a = 0;
        b = 2 * block;
        while b <= n {
            d.sym_merge(a, a + block, b);
            a = b;
            b += 2 * block;
        }
        let m = a + block;
        if m < n {
            d.sym_merge(a, m, n);
        }
        block *= 2;
    }
}

/// Go's `deduplicateScalars`: each later copy of an element is replaced by the list's last
/// element. Lists without duplicates (nearly all) are returned as they are in linear time.
fn deduplicate_scalars(mut s: Vec<J>) -> Result<Vec<J>> {
    let keys: Vec<ScalarKey> = s.iter().map(scalar_key).collect::<Result<_>>()?;
    let distinct: std::collections::HashSet<&ScalarKey> = keys.iter().collect();
    if distinct.len() == keys.len() {
        return Ok(s);
    }
    let mut keys = keys;
    if s.is_empty() {
        return Ok(s);
    }
    let mut length = s.len() as isize - 1;
    let mut i: isize = 0;
    while i < length {
        let mut j = i + 1;
        while j <= length {
            if keys[i as usize] == keys[j as usize] {
                s[j as usize] = s[length as usize].clone();
                keys[j as usize] = keys[length as usize].clone();
                s.truncate(length as usize);
                keys.truncate(length as usize);
                length -= 1;
                j -= 1;
            }
            j += 1;
        }
        i += 1;
    }
    Ok(s)
}

// ---- diff ---------------------------------------------------------------------------------

fn extract_retain_keys_patch_strategy(strategies: &[String]) -> Result<(bool, String)> {
    match strategies {
        [] => Ok((false, String::new())),
        [one] if one == RETAIN_KEYS_STRATEGY => Ok((true, String::new())),
        [one] => Ok((false, one.clone())),
        [a, b] if a == RETAIN_KEYS_STRATEGY => Ok((true, b.clone())),
        [a, b] if b == RETAIN_KEYS_STRATEGY => Ok((true, a.clone())),
        _ => err(format!(
            "unexpected patch strategy: [{}]",
            strategies.join(" ")
        )),
    }
}

fn diff_maps<S: LookupPatchMeta>(
    original: &Map<String, J>,
    modified: &Map<String, J>,
    schema: &S,
    opts: DiffOptions,
    depth: usize,
) -> Result<Map<String, J>> {
    check_depth(depth)?;
    let mut patch = Map::new();
    let mut retain_keys: Vec<J> = Vec::new();
    for (key, modified_value) in modified {
        if opts.build_retain_keys && !modified_value.is_null() {
            retain_keys.push(J::String(key.clone()));
        }
        let Some(original_value) = original.get(key) else {
            if !opts.ignore_changes_and_additions {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        };
        if key == DIRECTIVE_MARKER {
            match (original_value, modified_value) {
                (J::String(o), J::String(m)) => {
                    if o != m {
                        patch.insert(key.clone(), modified_value.clone());
                    }
                    continue;
                }
                _ => return err(format!("invalid value for special key: {DIRECTIVE_MARKER}")),
            }
        }
        if go_type(original_value) != go_type(modified_value) {
            if !opts.ignore_changes_and_additions {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        }
        match (original_value, modified_value) {
            (J::Object(o), J::Object(m)) => {
                handle_map_diff(key, o, m, &mut patch, schema, opts, depth)?
            }
            (J::Array(o), J::Array(m)) => {
                handle_slice_diff(key, o, m, &mut patch, schema, opts, depth)?
            }
            _ => {
                if !opts.ignore_changes_and_additions && original_value != modified_value {
                    patch.insert(key.clone(), modified_value.clone());
                }
            }
        }
    }
    if !opts.ignore_deletions {
        for key in original.keys() {
            if !modified.contains_key(key) {
                patch.insert(key.clone(), J::Null);
            }
        }
    }
    if !retain_keys.is_empty()
        && (!patch.is_empty() || has_additional_new_field(original, modified))
    {
        patch.insert(
            RETAIN_KEYS_DIRECTIVE.into(),
            J::Array(sort_scalars(retain_keys)),
        );
    }
    Ok(patch)
}

fn has_additional_new_field(original: &Map<String, J>, modified: &Map<String, J>) -> bool {
    original
        .iter()
        .any(|(k, v)| !v.is_null() && !modified.contains_key(k))
}

fn handle_map_diff<S: LookupPatchMeta>(
    key: &str,
    original: &Map<String, J>,
    modified: &Map<String, J>,
    patch: &mut Map<String, J>,
    schema: &S,
    mut opts: DiffOptions,
    depth: usize,
) -> Result<()> {
    let (sub, meta) = match schema.lookup_struct(key) {
        Ok(x) => x,
        Err(_) if original == modified => return Ok(()),
        Err(e) => return err(e),
    };
    let (retain, strategy) = extract_retain_keys_patch_strategy(&meta.strategies)?;
    opts.build_retain_keys = retain;
    if strategy == REPLACE_DIRECTIVE {
        if !opts.ignore_changes_and_additions {
            patch.insert(key.into(), J::Object(modified.clone()));
        }
        return Ok(());
    }
    let value = diff_maps(original, modified, &sub, opts, depth + 1)?;
    if !value.is_empty() {
        patch.insert(key.into(), J::Object(value));
    }
    Ok(())
}

fn handle_slice_diff<S: LookupPatchMeta>(
    key: &str,
    original: &[J],
    modified: &[J],
    patch: &mut Map<String, J>,
    schema: &S,
    mut opts: DiffOptions,
    depth: usize,
) -> Result<()> {
    let (sub, meta) = match schema.lookup_slice(key) {
        Ok(x) => x,
        Err(_) if original == modified => return Ok(()),
        Err(e) => return err(e),
    };
    let (retain, strategy) = extract_retain_keys_patch_strategy(&meta.strategies)?;
    if strategy == MERGE_DIRECTIVE {
        opts.build_retain_keys = retain;
        let (add, deletions, set_order) =
            diff_lists(original, modified, &sub, &meta.merge_key, opts, depth)?;
        if !add.is_empty() {
            patch.insert(key.into(), J::Array(add));
        }
        if !deletions.is_empty() {
            patch.insert(
                format!("{DELETE_FROM_PRIMITIVE_LIST_PREFIX}/{key}"),
                J::Array(deletions),
            );
        }
        if !set_order.is_empty() {
            patch.insert(
                format!("{SET_ELEMENT_ORDER_PREFIX}/{key}"),
                J::Array(set_order),
            );
        }
    } else if !opts.ignore_changes_and_additions && original != modified {
        patch.insert(key.into(), J::Array(modified.to_vec()));
    }
    Ok(())
}

/// Go's `sliceElementType`: the one Go type of every element of `slices`.
fn slice_element_type(slices: &[&[J]]) -> Result<GoType> {
    let mut prev: Option<GoType> = None;
    for s in slices {
        for v in s.iter() {
            let t = go_type(v);
            match prev {
                None => {
                    if t == GoType::Slice {
                        return err("lists of lists are not supported");
                    }
                    prev = Some(t);
                }
                Some(p) if p != t => {
                    let all: Vec<J> = slices.iter().map(|s| J::Array(s.to_vec())).collect();
                    return err(format!(
                        "list element types are not identical: {}",
                        go_v(&J::Array(all))
                    ));
                }
                _ => {}
            }
        }
    }
    prev.ok_or_else(|| PatchError("no elements in any of the given slices".into()))
}

type Lists = (Vec<J>, Vec<J>, Vec<J>);

fn diff_lists<S: LookupPatchMeta>(
    original: &[J],
    modified: &[J],
    schema: &S,
    merge_key: &str,
    opts: DiffOptions,
    depth: usize,
) -> Result<Lists> {
    if original.is_empty() {
        if modified.is_empty() || opts.ignore_changes_and_additions {
            return Ok((vec![], vec![], vec![]));
        }
        return Ok((modified.to_vec(), vec![], vec![]));
    }
    let kind = slice_element_type(&[original, modified])?;
    match kind {
        GoType::Map => {
            let (patch_list, delete_list) =
                diff_lists_of_maps(original, modified, schema, merge_key, opts, depth)?;
            let mut patch_list = normalize_slice_order(patch_list, modified, merge_key, true)?;
            let order_same = is_order_same(original, modified, merge_key)?;
            patch_list.extend(delete_list);
            let mut set_order = Vec::new();
            if opts.set_element_order
                && ((!opts.ignore_changes_and_additions && (!patch_list.is_empty() || !order_same))
                    || (!opts.ignore_deletions && !patch_list.is_empty()))
            {
                set_order = modified
                    .iter()
                    .map(|v| {
                        let mut m = Map::new();
                        m.insert(
                            merge_key.to_string(),
                            v.get(merge_key).cloned().unwrap_or(J::Null),
                        );
                        J::Object(m)
                    })
                    .collect();
            }
            Ok((patch_list, vec![], set_order))
        }
        GoType::Slice => err("lists of lists are not supported"),
        _ => {
            let (add, deletions, sorted_original) =
                diff_lists_of_scalars(original, modified, opts)?;
            let add = normalize_slice_order(add, modified, merge_key, false)?;
            let mut set_order = Vec::new();
            // The Go code sorts `original` in place before this comparison, so an unchanged
            // list out of `%v` order counts as reordered (and gets a `$setElementOrder`).
            if opts.set_element_order
                && ((!opts.ignore_deletions && !deletions.is_empty())
                    || (!opts.ignore_changes_and_additions && sorted_original != modified))
            {
                set_order = modified.to_vec();
            }
            Ok((add, deletions, set_order))
        }
    }
}

fn merge_key_value_equal(left: &J, right: &J, merge_key: &str) -> Result<bool> {
    if merge_key.is_empty() {
        return go_eq(left, right);
    }
    let l = left
        .as_object()
        .ok_or_else(|| bad_arg_type("map[string]interface {}", Some(left)))?;
    let r = right
        .as_object()
        .ok_or_else(|| bad_arg_type("map[string]interface {}", Some(right)))?;
    let lv = l
        .get(merge_key)
        .ok_or_else(|| no_merge_key(left, merge_key))?;
    let rv = r
        .get(merge_key)
        .ok_or_else(|| no_merge_key(right, merge_key))?;
    go_eq(lv, rv)
}

fn no_merge_key(m: &J, key: &str) -> PatchError {
    PatchError(format!(
        "map: {} does not contain declared merge key: {key}",
        go_v(m)
    ))
}

fn is_order_same(original: &[J], modified: &[J], merge_key: &str) -> Result<bool> {
    if original.len() != modified.len() {
        return Ok(false);
    }
    for (o, m) in original.iter().zip(modified) {
        if !merge_key_value_equal(o, m, merge_key)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Additions, deletions, and `original` sorted as the Go code leaves it.
fn diff_lists_of_scalars(
    original: &[J],
    modified: &[J],
    opts: DiffOptions,
) -> Result<(Vec<J>, Vec<J>, Vec<J>)> {
    let o = sort_scalars(original.to_vec());
    let m = sort_scalars(modified.to_vec());
    let os: Vec<String> = o.iter().map(go_v).collect();
    let ms: Vec<String> = m.iter().map(go_v).collect();
    let (mut i, mut j) = (0, 0);
    let mut add = Vec::new();
    let mut deletions = Vec::new();
    loop {
        let oin = i < o.len();
        let min = j < m.len();
        if !oin && !min {
            break;
        }
        if oin && min && os[i] == ms[j] {
            i += 1;
            j += 1;
        } else if !oin || (min && os[i] > ms[j]) {
            if !opts.ignore_changes_and_additions {
                add.push(m[j].clone());
            }
            j += 1;
        } else {
            if !opts.ignore_deletions {
                deletions.push(o[i].clone());
            }
            i += 1;
        }
    }
    Ok((add, deduplicate_scalars(deletions)?, o))
}

/// Go's `sortMergeListsByNameArray` without recursion: maps sorted by the `%v` text of their
/// merge-key value.
fn sort_maps_by_merge_key(list: &[J], merge_key: &str) -> Vec<J> {
    let mut keyed: Vec<(String, J)> = list
        .iter()
        .map(|v| {
            let k = v.get(merge_key).map_or_else(|| "<nil>".to_string(), go_v);
            (k, v.clone())
        })
        .collect();
    go_sort_by_text(&mut keyed);
    keyed.into_iter().map(|(_, v)| v).collect()
}

fn map_and_merge_key<'a>(v: &'a J, merge_key: &str) -> Result<(&'a Map<String, J>, &'a J)> {
    let m = v
        .as_object()
        .ok_or_else(|| bad_arg_type("map[string]interface {}", Some(v)))?;
    let k = m.get(merge_key).ok_or_else(|| no_merge_key(v, merge_key))?;
    Ok((m, k))
}

fn diff_lists_of_maps<S: LookupPatchMeta>(
    original: &[J],
    modified: &[J],
    schema: &S,
    merge_key: &str,
    opts: DiffOptions,
    depth: usize,
) -> Result<(Vec<J>, Vec<J>)> {
    let o = sort_maps_by_merge_key(original, merge_key);
    let m = sort_maps_by_merge_key(modified, merge_key);
    let mut patch = Vec::with_capacity(m.len());
    let mut deletions = Vec::new();
    let (mut i, mut j) = (0, 0);
    loop {
        let oin = i < o.len();
        let min = j < m.len();
        if !oin && !min {
            break;
        }
        let (mut oe, mut ok_, mut os) = (None, None, String::new());
        if oin {
            let (e, k) = map_and_merge_key(&o[i], merge_key)?;
            os = go_v(k);
            oe = Some(e);
            ok_ = Some(k);
        }
        let (mut me, mut mk, mut ms) = (None, None, String::new());
        if min {
            let (e, k) = map_and_merge_key(&m[j], merge_key)?;
            ms = go_v(k);
            me = Some(e);
            mk = Some(k);
        }
        if oin && min && os == ms {
            let mut value = diff_maps(oe.unwrap(), me.unwrap(), schema, opts, depth + 1)?;
            if !value.is_empty() {
                value.insert(merge_key.to_string(), mk.unwrap().clone());
                patch.push(J::Object(value));
            }
            i += 1;
            j += 1;
        } else if !oin || (min && os > ms) {
            if !opts.ignore_changes_and_additions {
                patch.push(J::Object(me.unwrap().clone()));
            }
            j += 1;
        } else {
            if !opts.ignore_deletions {
                let mut d = Map::new();
                d.insert(merge_key.to_string(), ok_.unwrap().clone());
                d.insert(DIRECTIVE_MARKER.into(), J::String(DELETE_DIRECTIVE.into()));
                deletions.push(J::Object(d));
            }
            i += 1;
        }
    }
    Ok((patch, deletions))
}

fn validate_merge_key_in_lists(merge_key: &str, lists: &[&[J]]) -> Result<()> {
    for list in lists {
        for item in list.iter() {
            let m = item
                .as_object()
                .ok_or_else(|| bad_arg_type("map[string]interface {}", Some(item)))?;
            if !m.contains_key(merge_key) {
                return Err(no_merge_key(item, merge_key));
            }
        }
    }
    Ok(())
}

fn is_delete_item(v: &J) -> bool {
    v.get(DIRECTIVE_MARKER).and_then(J::as_str) == Some(DELETE_DIRECTIVE)
}

/// Go's `normalizeSliceOrder`: `to_sort` in the order of `order` (delete directives last).
fn normalize_slice_order(
    to_sort: Vec<J>,
    order: &[J],
    merge_key: &str,
    kind_is_map: bool,
) -> Result<Vec<J>> {
    let (mut to_sort, to_delete) = if kind_is_map {
        validate_merge_key_in_lists(merge_key, &[&to_sort, order])?;
        for v in &to_sort {
            if !v.is_object() {
                return Err(bad_arg_type("map[string]interface {}", Some(v)));
            }
        }
        let (del, keep): (Vec<J>, Vec<J>) = to_sort.into_iter().partition(is_delete_item);
        (keep, del)
    } else {
        (to_sort, Vec::new())
    };
    let idx = index_map(order, merge_key, kind_is_map)?;
    let mut keys: Vec<Option<usize>> = to_sort
        .iter()
        .map(|v| lookup_index(&idx, v, merge_key, kind_is_map))
        .collect::<Result<_>>()?;
    // Go's less: both found → by position; otherwise "less" (true).
    let less = |a: &Option<usize>, b: &Option<usize>| match (a, b) {
        (Some(x), Some(y)) => x < y,
        _ => true,
    };
    go_stable_sort(&mut keys, &mut to_sort, &less);
    to_sort.extend(to_delete);
    Ok(to_sort)
}

// ---- merge (the deletions patch with the changes patch) ---------------------------------

fn merge_map<S: LookupPatchMeta>(
    mut original: Map<String, J>,
    mut patch: Map<String, J>,
    schema: &S,
    depth: usize,
) -> Result<J> {
    check_depth(depth)?;
    if let Some(directive) = patch.get(DIRECTIVE_MARKER).cloned() {
        return match directive.as_str() {
            Some(REPLACE_DIRECTIVE) => {
                patch.remove(DIRECTIVE_MARKER);
                Ok(J::Object(patch))
            }
            Some(DELETE_DIRECTIVE) => Ok(J::Object(Map::new())),
            _ => err(format!(
                "unknown patch type: {} in map: {}",
                go_v(&directive),
                go_v(&J::Object(patch))
            )),
        };
    }
    // $retainKeys: both patches carry the same list when both have one.
    if let Some(in_patch) = patch.remove(RETAIN_KEYS_DIRECTIVE) {
        match original.get(RETAIN_KEYS_DIRECTIVE) {
            Some(in_original) if in_original != &in_patch => {
                return err(format!(
                    "{} and {} are not deep equal: this may happen when calculating the 3-way diff patch",
                    go_v(in_original),
                    go_v(&in_patch)
                ))
            }
            Some(_) => {}
            None => {
                original.insert(RETAIN_KEYS_DIRECTIVE.into(), in_patch);
            }
        }
    }
    merge_patch_into_original(&mut original, &mut patch, schema, depth)?;
    for (k, patch_v) in patch {
        if k.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX) {
            original.insert(k, patch_v);
            continue;
        }
        if patch_v.is_null() {
            original.remove(&k);
        }
        let Some(orig_v) = original.get(&k) else {
            if let Some(v) = remove_directives(patch_v, depth)? {
                original.insert(k, v);
            }
            continue;
        };
        if go_type(orig_v) != go_type(&patch_v) {
            match remove_directives(patch_v, depth)? {
                Some(v) => {
                    original.insert(k, v);
                }
                None => {
                    original.remove(&k);
                }
            }
            continue;
        }
        let orig_v = original.remove(&k).unwrap_or(J::Null);
        let merged = match (orig_v, patch_v) {
            (J::Object(o), J::Object(p)) => {
                let (sub, meta) = schema.lookup_struct(&k).map_err(PatchError)?;
                let (_, strategy) = extract_retain_keys_patch_strategy(&meta.strategies)?;
                if strategy != REPLACE_DIRECTIVE {
                    Some(merge_map(o, p, &sub, depth + 1)?)
                } else {
                    Some(J::Object(p))
                }
            }
            (J::Array(o), J::Array(p)) => {
                let (sub, meta) = schema.lookup_slice(&k).map_err(PatchError)?;
                let (_, strategy) = extract_retain_keys_patch_strategy(&meta.strategies)?;
                Some(J::Array(merge_slice_handler(
                    o,
                    p,
                    &sub,
                    &strategy,
                    &meta.merge_key,
                    depth,
                )?))
            }
            (_, p) => remove_directives(p, depth)?,
        };
        if let Some(v) = merged {
            original.insert(k, v);
        }
    }
    Ok(J::Object(original))
}

fn merge_slice_handler<S: LookupPatchMeta>(
    original: Vec<J>,
    patch: Vec<J>,
    schema: &S,
    strategy: &str,
    merge_key: &str,
    depth: usize,
) -> Result<Vec<J>> {
    if strategy == MERGE_DIRECTIVE {
        merge_slice(original, patch, schema, merge_key, depth)
    } else {
        Ok(patch)
    }
}

fn merge_slice<S: LookupPatchMeta>(
    original: Vec<J>,
    patch: Vec<J>,
    schema: &S,
    merge_key: &str,
    depth: usize,
) -> Result<Vec<J>> {
    check_depth(depth)?;
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = slice_element_type(&[&original, &patch])?;
    let kind_is_map = kind == GoType::Map;
    let (original, patch, merged) = if !kind_is_map {
        let mut both = original.clone();
        both.extend(patch.iter().cloned());
        (original, patch, deduplicate_scalars(both)?)
    } else {
        if merge_key.is_empty() {
            return err(format!(
                "cannot merge lists without merge key for {}",
                schema.name()
            ));
        }
        let (original, patch) = merge_slice_with_special_elements(original, patch, merge_key)?;
        let merged = merge_slice_without_special_elements(
            original.clone(),
            &patch,
            merge_key,
            schema,
            depth,
        )?;
        (original, patch, merged)
    };
    let (patch_items, server_only) = if merge_key.is_empty() {
        partition_primitives(merged, &patch)?
    } else {
        partition_maps(merged, &patch, merge_key)?
    };
    normalize_element_order(
        patch_items,
        server_only,
        &patch,
        &original,
        merge_key,
        kind_is_map,
    )
}

fn merge_slice_with_special_elements(
    mut original: Vec<J>,
    patch: Vec<J>,
    merge_key: &str,
) -> Result<(Vec<J>, Vec<J>)> {
    let mut without = Vec::with_capacity(patch.len());
    let mut replace = false;
    for v in patch {
        let Some(directive) = v.get(DIRECTIVE_MARKER).cloned() else {
            without.push(v);
            continue;
        };
        match directive.as_str() {
            Some(DELETE_DIRECTIVE) => {
                let Some(value) = v.get(merge_key) else {
                    return Err(no_merge_key(&v, merge_key));
                };
                let key = scalar_key(value)?;
                let mut kept = Vec::with_capacity(original.len());
                for (i, o) in original.into_iter().enumerate() {
                    let Some(om) = o.as_object() else {
                        return err(format!("value for key {i} is not a map"));
                    };
                    match om.get(merge_key) {
                        Some(x) if scalar_key(x)? == key => {}
                        _ => kept.push(o),
                    }
                }
                original = kept;
            }
            Some(REPLACE_DIRECTIVE) => replace = true,
            Some(MERGE_DIRECTIVE) => {
                return err("merging lists cannot yet be specified in the patch")
            }
            _ => {
                return err(format!(
                    "unknown patch type: {} in map: {}",
                    go_v(&directive),
                    go_v(&v)
                ))
            }
        }
    }
    if replace {
        return Ok((without, Vec::new()));
    }
    Ok((original, without))
}

fn merge_slice_without_special_elements<S: LookupPatchMeta>(
    mut original: Vec<J>,
    patch: &[J],
    merge_key: &str,
    schema: &S,
    depth: usize,
) -> Result<Vec<J>> {
    let mut positions: HashMap<ScalarKey, usize> = HashMap::new();
    for (i, o) in original.iter().enumerate() {
        let Some(om) = o.as_object() else {
            return err(format!("value for key {i} is not a map"));
        };
        if let Some(x) = om.get(merge_key) {
            positions.entry(scalar_key(x)?).or_insert(i);
        }
    }
    for v in patch {
        let Some(value) = v.get(merge_key) else {
            return Err(no_merge_key(v, merge_key));
        };
        let key = scalar_key(value)?;
        match positions.get(&key) {
            Some(&i) => {
                let o = std::mem::take(&mut original[i]);
                let (J::Object(o), J::Object(p)) = (o, v.clone()) else {
                    return Err(bad_arg_type("map[string]interface {}", Some(v)));
                };
                original[i] = merge_map(o, p, schema, depth + 1)?;
            }
            None => {
                positions.insert(key, original.len());
                original.push(v.clone());
            }
        }
    }
    Ok(original)
}

fn partition_primitives(merged: Vec<J>, by: &[J]) -> Result<(Vec<J>, Vec<J>)> {
    let set: std::collections::HashSet<ScalarKey> =
        by.iter().map(scalar_key).collect::<Result<_>>()?;
    let mut patch = Vec::new();
    let mut server = Vec::new();
    for v in merged {
        if set.contains(&scalar_key(&v)?) {
            patch.push(v);
        } else {
            server.push(v);
        }
    }
    Ok((patch, server))
}

fn partition_maps(merged: Vec<J>, by: &[J], merge_key: &str) -> Result<(Vec<J>, Vec<J>)> {
    let mut set = std::collections::HashSet::new();
    for (i, b) in by.iter().enumerate() {
        let Some(bm) = b.as_object() else {
            return err(format!("value for key {i} is not a map"));
        };
        if let Some(x) = bm.get(merge_key) {
            set.insert(scalar_key(x)?);
        }
    }
    let mut patch = Vec::new();
    let mut server = Vec::new();
    for v in merged {
        let (_, k) = map_and_merge_key(&v, merge_key)?;
        if set.contains(&scalar_key(k)?) {
            patch.push(v);
        } else {
            server.push(v);
        }
    }
    Ok((patch, server))
}

fn normalize_element_order(
    patch: Vec<J>,
    server_only: Vec<J>,
    patch_order: &[J],
    server_order: &[J],
    merge_key: &str,
    kind_is_map: bool,
) -> Result<Vec<J>> {
    let patch = normalize_slice_order(patch, patch_order, merge_key, kind_is_map)?;
    let server_only = normalize_slice_order(server_only, server_order, merge_key, kind_is_map)?;
    // Go's mergeSortedSlice: server-only items (left) inserted among the patch's (right) by
    // their positions in the live list, when both are found there.
    let idx = index_map(server_order, merge_key, kind_is_map)?;
    let li: Vec<Option<usize>> = server_only
        .iter()
        .map(|v| lookup_index(&idx, v, merge_key, kind_is_map))
        .collect::<Result<_>>()?;
    let ri: Vec<Option<usize>> = patch
        .iter()
        .map(|v| lookup_index(&idx, v, merge_key, kind_is_map))
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(patch.len() + server_only.len());
    let mut left = server_only.into_iter().zip(li).peekable();
    let mut right = patch.into_iter().zip(ri).peekable();
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (None, Some(_)) => out.push(right.next().unwrap().0),
            (Some(_), None) => out.push(left.next().unwrap().0),
            (Some((_, l)), Some((_, r))) => {
                if matches!((l, r), (Some(a), Some(b)) if a < b) {
                    out.push(left.next().unwrap().0);
                } else {
                    out.push(right.next().unwrap().0);
                }
            }
        }
    }
    Ok(out)
}

/// Go's `removeDirectives`: the value without directive maps; None when the value itself is
/// one.
fn remove_directives(v: J, depth: usize) -> Result<Option<J>> {
    check_depth(depth)?;
    Ok(match v {
        J::Object(m) => {
            if m.contains_key(DIRECTIVE_MARKER) {
                return Ok(None);
            }
            let mut out = Map::new();
            for (k, x) in m {
                if let Some(x) = remove_directives(x, depth + 1)? {
                    out.insert(k, x);
                }
            }
            Some(J::Object(out))
        }
        J::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for x in a {
                if let Some(x) = remove_directives(x, depth + 1)? {
                    out.push(x);
                }
            }
            Some(J::Array(out))
        }
        other => Some(other),
    })
}

/// Go's `mergePatchIntoOriginal` as the three-way creation calls it: each
/// `$setElementOrder/<field>` of the changes patch is kept (equal to the deletions patch's when
/// both have one) and the field's two lists are merged and put in that order.
fn merge_patch_into_original<S: LookupPatchMeta>(
    original: &mut Map<String, J>,
    patch: &mut Map<String, J>,
    schema: &S,
    depth: usize,
) -> Result<()> {
    let keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ELEMENT_ORDER_PREFIX))
        .cloned()
        .collect();
    for key in keys {
        let Some(order_v) = patch.remove(&key) else {
            continue;
        };
        match original.get(&key) {
            Some(o) if o != &order_v => return err("invalid patch format of setElementOrder list"),
            Some(_) => {}
            None => {
                original.insert(key.clone(), order_v.clone());
            }
        }
        let J::Array(order) = order_v else {
            return Err(bad_arg_type("[]interface {}", Some(&order_v)));
        };
        let field = match key.split_once('/') {
            Some((prefix, rest)) if prefix == SET_ELEMENT_ORDER_PREFIX => rest.to_string(),
            _ => return err("invalid patch format of setElementOrder list"),
        };
        let original_list = match original.get(&field) {
            Some(J::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg_type("[]interface {}", Some(other))),
            None => None,
        };
        let patch_list = match patch.get(&field) {
            Some(J::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg_type("[]interface {}", Some(other))),
            None => None,
        };
        let (sub, meta) = schema.lookup_slice(&field).map_err(PatchError)?;
        let (_, strategy) = extract_retain_keys_patch_strategy(&meta.strategies)?;
        validate_patch_with_set_order_list(
            patch_list.as_deref().unwrap_or(&[]),
            &order,
            &meta.merge_key,
        )?;
        let original_field = original_list.clone().unwrap_or_default();
        let patch_field = patch_list.clone().unwrap_or_default();
        let merged = match (original_list, patch_list) {
            (Some(o), None) => o,
            (None, Some(p)) => match remove_directives(J::Array(p), depth)? {
                Some(J::Array(a)) => a,
                _ => continue,
            },
            (Some(o), Some(p)) => {
                merge_slice_handler(o, p, &sub, &strategy, &meta.merge_key, depth + 1)?
            }
            (None, None) => continue,
        };
        let (patch_items, server_only) = if meta.merge_key.is_empty() {
            partition_primitives(merged, &order)?
        } else {
            partition_maps(merged, &order, &meta.merge_key)?
        };
        let kind = slice_element_type(&[&original_field, &patch_field])?;
        let both = normalize_element_order(
            patch_items,
            server_only,
            &order,
            &original_field,
            &meta.merge_key,
            kind == GoType::Map,
        )?;
        original.insert(field.clone(), J::Array(both));
        patch.remove(&field);
    }
    Ok(())
}

fn validate_patch_with_set_order_list(patch: &[J], order: &[J], merge_key: &str) -> Result<()> {
    if order.is_empty() || patch.is_empty() {
        return Ok(());
    }
    let non_delete: Vec<&J> = if merge_key.is_empty() {
        patch.iter().collect()
    } else {
        let mut v = Vec::new();
        for p in patch {
            if !p.is_object() {
                return Err(bad_arg_type("map[string]interface {}", Some(p)));
            }
            if !is_delete_item(p) {
                v.push(p);
            }
        }
        v
    };
    let (mut pi, mut si) = (0, 0);
    while pi < non_delete.len() && si < order.len() {
        if non_delete[pi].get(DIRECTIVE_MARKER).is_some() {
            pi += 1;
            continue;
        }
        if merge_key_value_equal(non_delete[pi], &order[si], merge_key)? {
            pi += 1;
        }
        si += 1;
    }
    if pi < non_delete.len() && si >= order.len() {
        return err(format!(
            "The order in patch list:\n{}\n doesn't match {SET_ELEMENT_ORDER_PREFIX} list:\n{}\n",
            go_v(&J::Array(patch.to_vec())),
            go_v(&J::Array(order.to_vec()))
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A tiny schema: `spec.list` merges maps by `name`, `spec.tags` merges scalars, other
    /// fields are plain.
    #[derive(Clone)]
    enum T {
        Root,
        Spec,
        Item,
        Leaf,
    }
    impl LookupPatchMeta for T {
        fn lookup_struct(&self, key: &str) -> std::result::Result<(Self, PatchMeta), String> {
            match (self, key) {
                (T::Root, "spec") => Ok((T::Spec, PatchMeta::default())),
                (T::Root, "metadata") => Ok((T::Leaf, PatchMeta::default())),
                (_, k) => Err(format!(
                    "unable to find api field in struct X for the json field {k:?}"
                )),
            }
        }
        fn lookup_slice(&self, key: &str) -> std::result::Result<(Self, PatchMeta), String> {
            match (self, key) {
                (T::Spec, "list") => Ok((
                    T::Item,
                    PatchMeta {
                        strategies: vec!["merge".into()],
                        merge_key: "name".into(),
                    },
                )),
                (T::Spec, "tags") => Ok((
                    T::Leaf,
                    PatchMeta {
                        strategies: vec!["merge".into()],
                        merge_key: String::new(),
                    },
                )),
                (T::Spec, "plain") => Ok((T::Leaf, PatchMeta::default())),
                (_, k) => Err(format!("no {k}")),
            }
        }
        fn name(&self) -> String {
            "struct".into()
        }
    }

    #[test]
    fn live_only_fields_stay_and_dropped_ones_go() {
        let original = json!({"spec": {"a": 1, "b": 2, "list": [{"name": "x", "v": 1}, {"name": "y"}], "tags": ["p", "q"]}});
        let modified = json!({"spec": {"a": 1, "list": [{"name": "x", "v": 2}], "tags": ["p"]}});
        let current = json!({"spec": {"a": 1, "b": 2, "c": 3, "list": [{"name": "x", "v": 1}, {"name": "y"}, {"name": "z"}], "tags": ["p", "q", "r"]}});
        let p = create_three_way_merge_patch(&original, &modified, &current, &T::Root).unwrap();
        assert_eq!(
            p,
            json!({"spec": {
                "b": null,
                "list": [{"name": "x", "v": 2}, {"name": "y", "$patch": "delete"}],
                "$setElementOrder/list": [{"name": "x"}],
                "$deleteFromPrimitiveList/tags": ["q"],
                "$setElementOrder/tags": ["p"],
            }})
        );
        let same = create_three_way_merge_patch(&modified, &modified, &modified, &T::Root).unwrap();
        assert_eq!(same, json!({}));
    }

    #[test]
    fn unknown_fields_error_only_when_they_differ() {
        let a = json!({"spec": {"other": {"x": 1}}});
        let b = json!({"spec": {"other": {"x": 2}}});
        assert!(create_three_way_merge_patch(&a, &a, &a, &T::Root).is_ok());
        let e = create_three_way_merge_patch(&a, &b, &a, &T::Root).unwrap_err();
        assert!(e.0.contains("unable to find api field"), "{e}");
    }

    #[test]
    fn depth_is_bounded() {
        let mut deep = json!(1);
        for _ in 0..(MAX_DEPTH + 10) {
            deep = json!({ "spec": deep });
        }
        let e = create_three_way_merge_patch(
            &json!({}),
            &deep,
            &json!({"spec": {"spec": 2}}),
            &T::Root,
        );
        assert!(e.is_err());
    }

    #[test]
    fn long_lists_are_linear_enough() {
        let items: Vec<J> = (0..20000)
            .map(|i| json!({"name": format!("n{i}"), "v": i}))
            .collect();
        let mut changed = items.clone();
        changed.reverse();
        let original = json!({"spec": {"list": items}});
        let modified = json!({"spec": {"list": changed}});
        let t = std::time::Instant::now();
        let p = create_three_way_merge_patch(&original, &modified, &original, &T::Root).unwrap();
        assert!(p["spec"]["$setElementOrder/list"].as_array().unwrap().len() == 20000);
        assert!(t.elapsed().as_secs() < 20);
    }

    #[test]
    fn go_stable_sort_matches_a_stable_sort_on_strict_orders() {
        let mut keys: Vec<usize> = (0..100).map(|i| (i * 37) % 50).collect();
        let mut items: Vec<usize> = (0..100).collect();
        go_stable_sort(&mut keys, &mut items, &|a, b| a < b);
        let mut expect: Vec<(usize, usize)> = (0..100).map(|i| ((i * 37) % 50, i)).collect();
        expect.sort_by_key(|p| p.0);
        assert_eq!(items, expect.iter().map(|p| p.1).collect::<Vec<_>>());
    }
}
