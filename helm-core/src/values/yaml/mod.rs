//! YAML exactly as Helm reads and writes it, without a YAML crate.
//!
//! Helm never uses a YAML library directly: values files, Chart.yaml, `fromYaml` and `toYaml`
//! all go through `sigs.k8s.io/yaml`, which is yaml.v2 (YAML 1.1) glued to `encoding/json`:
//!
//! * reading = yaml.v2 decodes into `interface{}`, the result is converted to JSON-able data
//!   (map keys stringified: `yes:` becomes `"true"`, `1:` becomes `"1"`), marshalled to JSON and
//!   unmarshalled again, so every number ends up a `float64`, `.inf`/`.nan` fail (JSON cannot
//!   encode them), timestamps stay strings and merge keys/aliases are expanded;
//! * writing = `encoding/json` marshals the value, yaml.v2 re-reads that JSON (choosing int,
//!   uint or float per number) and its emitter prints it: keys in yaml.v2's "natural" order,
//!   2-space indent, unindented sequences under keys, YAML 1.1-aware quoting, literal block
//!   style for multi-line strings, folding of long plain lines at 80 columns.
//!
//! Charts depend on those details (`1e+06`, `"yes"` being quoted, `|-`), so both directions
//! reproduce Go's bytes. Errors carry Go's full message text (`error converting YAML to JSON:
//! yaml: line 3: …`, with yaml.v2's quirky line numbers), which is what Helm prints.
//!
//! API: [`from_str`]/[`from_slice`] (any top-level kind; empty → empty map), [`from_str_map`]/
//! [`from_slice_map`] (Go's error for a non-map document, as values files and `fromYaml`),
//! [`from_str_list`] (`fromYamlArray`), [`from_str_all`] (a yaml.v2 Decoder loop),
//! [`to_string`] (`toYaml` before its trim) and [`to_string_pretty`] (Helm 4's
//! `toYamlPretty`, a yaml.v3 encoder).
//!
//! How it was checked: every values file and Chart.yaml of the conformance charts reads and
//! re-writes byte-identically to Go; recorded Go outputs for generated values and documents
//! live in `tests/data`. Known differences from Go: error *texts* for malformed input
//! sometimes differ (line numbers, or which problem is reported first; Go's own map order
//! makes some of them random); U+2028/U+2029 are not treated as line breaks when reading;
//! junk after the first document's root is ignored as in yaml.v2 but not every scanner error
//! libyaml would raise there is reproduced; Go structs (`Object`s) are encoded through their
//! JSON form, so `toYamlPretty` of `.Capabilities` lacks yaml.v3's lower-cased field names.

mod emitter;
mod parser;
mod resolve;

use crate::values::{Map, Str, Value};
use parser::{Node, Parser, Style};
use resolve::Resolved;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

pub use emitter::{format_go_float_g, go_json_float};
pub use emitter::{to_string, to_string_pretty};

/// A YAML reading or writing failure. `message` is Go's full error text (what Helm prints,
/// e.g. `error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this
/// context`); `line`/`column` are 1-based where known (0 when not).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl YamlError {
    fn plain(message: impl Into<String>) -> Self {
        YamlError {
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

const CONVERT_PREFIX: &str = "error converting YAML to JSON: ";

/// Reads the first document as Helm reads values files and `fromYaml`
/// (`sigs.k8s.io/yaml.Unmarshal` into `interface{}`). An empty document gives an empty map;
/// any other top-level kind (list, scalar) is returned as is.
pub fn from_str(src: &str) -> Result<Value, YamlError> {
    let mut p = Parser::new(src);
    let docs = p.parse_stream(true).map_err(convert_err)?;
    match docs.into_iter().next().flatten() {
        None => Ok(Value::empty_map()),
        Some(n) => {
            let v = node_to_value(&n)?;
            Ok(if v.is_nil() { Value::empty_map() } else { v })
        }
    }
}

/// [`from_str`] for a caller that reads only some top-level keys of a mapping (the rendered
/// manifests' `apiVersion`, `kind` and `metadata`, which Helm decodes into its `SimpleHead`):
/// the whole document is decoded and checked as [`from_str`] does, with the same errors in
/// the same order, but `Value`s are built only for those keys. A document that is not a
/// mapping comes back whole.
pub fn from_str_keys(src: &str, keys: &[&str]) -> Result<Value, YamlError> {
    let mut p = Parser::new(src);
    let docs = p.parse_stream(true).map_err(convert_err)?;
    let Some(n) = docs.into_iter().next().flatten() else {
        return Ok(Value::empty_map());
    };
    let mut nest = Nesting::default();
    let mut g = decode(&n, 0, &mut nest)?;
    if !matches!(g, GoVal::Map(_)) || has_non_finite(&g) {
        // The whole conversion: a scalar or list, or json.Marshal's refusal of NaN/Inf,
        // which it reports in key order after every key was converted.
        let v = json_value(g, &nest)?;
        return Ok(if v.is_nil() { Value::empty_map() } else { v });
    }
    check_json_keys(&g)?;
    nest.check()?;
    let m = Map::new();
    if let GoVal::Map(entries) = &mut g {
        // In order, so that the last of duplicate keys wins, as in the JSON object.
        for (k, v) in entries.iter_mut() {
            if let GoVal::Str(name) = k {
                if keys.contains(&name.as_str()) {
                    m.insert(
                        name.as_str(),
                        to_json_value(std::mem::replace(v, GoVal::Null))?,
                    );
                }
            }
        }
    }
    Ok(Value::Map(m))
}

/// The errors [`to_json_value`] would give, in the same order, without building values.
fn check_json_keys(g: &GoVal) -> Result<(), YamlError> {
    match g {
        GoVal::List(items) => {
            crate::values::deep::guard(|| items.iter().try_for_each(check_json_keys))
        }
        GoVal::Map(entries) => {
            for (k, v) in entries {
                if !matches!(
                    k,
                    GoVal::Str(_) | GoVal::Int(_) | GoVal::Float(_) | GoVal::Bool(_)
                ) {
                    return Err(json_key_error(k, v));
                }
                crate::values::deep::guard(|| check_json_keys(v))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether a NaN or an infinity is among the values (map keys become strings).
fn has_non_finite(g: &GoVal) -> bool {
    match g {
        GoVal::Float(f) => !f.is_finite(),
        GoVal::List(items) => crate::values::deep::guard(|| items.iter().any(has_non_finite)),
        GoVal::Map(entries) => {
            crate::values::deep::guard(|| entries.iter().any(|(_, v)| has_non_finite(v)))
        }
        _ => false,
    }
}

/// [`from_str`] for raw file bytes: invalid UTF-8 fails as libyaml's reader does.
pub fn from_slice(src: &[u8]) -> Result<Value, YamlError> {
    from_str(utf8(src)?)
}

/// [`from_str_map`] for raw file bytes (values files, Chart.yaml).
pub fn from_slice_map(src: &[u8]) -> Result<Value, YamlError> {
    from_str_map(utf8(src)?)
}

fn utf8(src: &[u8]) -> Result<&str, YamlError> {
    std::str::from_utf8(src).map_err(|e| {
        let bad = src.get(e.valid_up_to()).copied().unwrap_or(0);
        // A byte that cannot start a character is a bad leading octet; a broken or cut-off
        // sequence a bad trailing one.
        let leading = (0x80..0xC0).contains(&bad) || bad >= 0xF8;
        let what = if leading { "leading" } else { "trailing" };
        YamlError::plain(format!("{CONVERT_PREFIX}yaml: invalid {what} UTF-8 octet"))
    })
}

/// Reads the first document into a `map[string]interface{}` as Helm's `chartutil.ReadValues`
/// and `fromYaml` do: a top-level list or scalar is Go's JSON type error.
pub fn from_str_map(src: &str) -> Result<Value, YamlError> {
    let v = from_str(src)?;
    match &v {
        Value::Map(_) => Ok(v),
        other => Err(YamlError::plain(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(other)
        ))),
    }
}

/// Reads the first document into a `[]interface{}` (Helm's `fromYamlArray`).
pub fn from_str_list(src: &str) -> Result<Value, YamlError> {
    let mut p = Parser::new(src);
    let docs = p.parse_stream(true).map_err(convert_err)?;
    let v = match docs.into_iter().next().flatten() {
        None => return Ok(Value::list(Vec::new())),
        Some(n) => node_to_value(&n)?,
    };
    match &v {
        Value::List(_) => Ok(v),
        Value::Nil => Ok(Value::list(Vec::new())),
        other => Err(YamlError::plain(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(other)
        ))),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Nil => "null",
        _ => "number",
    }
}

/// Reads every document of a stream (`---`-separated). Empty documents are `Nil`.
pub fn from_str_all(src: &str) -> Result<Vec<Value>, YamlError> {
    let mut p = Parser::new(src);
    let docs = p.parse_stream(false).map_err(convert_err)?;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        out.push(match d {
            None => Value::Nil,
            Some(n) => node_to_value(&n)?,
        });
    }
    Ok(out)
}

/// yaml.v2 alone (no JSON step) reading the first document and writing it again: mappings in
/// their source order (`ordered`: what decoding into `yaml.MapSlice` keeps) or in yaml.v2's
/// sorted key order (decoding into `map[interface{}]interface{}`), numbers as Go holds them.
/// What the helm-diff plugin does to the items of `*List` objects and with
/// `--normalize-manifests`. Non-string keys are written as strings (quoted where yaml.v2
/// would write them bare).
pub fn reencode_v2(src: &str, ordered: bool) -> Result<String, YamlError> {
    Ok(emitter::emit_v2(&v2_to_j(decode_first_v2(src)?, ordered)))
}

/// The elements of the top-level mapping's `key` sequence, each written by itself as
/// [`reencode_v2`] writes a document in source order (yaml.v2 decoding a list object's
/// `items` into `[]yaml.MapSlice` and marshalling each).
pub fn reencode_v2_items(src: &str, key: &str) -> Result<Vec<String>, YamlError> {
    let GoVal::Map(entries) = &mut decode_first_v2(src)? else {
        return Ok(Vec::new());
    };
    // yaml.v2 decoding into a struct keeps the last of repeated keys.
    let items = std::mem::take(entries)
        .into_iter()
        .rev()
        .find(|(k, _)| matches!(k, GoVal::Str(s) if s == key))
        .map(|(_, v)| v);
    Ok(match items {
        Some(mut list) => match &mut list {
            GoVal::List(items) => std::mem::take(items)
                .into_iter()
                .map(|i| emitter::emit_v2(&v2_to_j(i, true)))
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    })
}

fn decode_first_v2(src: &str) -> Result<GoVal, YamlError> {
    let mut p = Parser::new(src);
    let docs = p.parse_stream(true).map_err(convert_err)?;
    match docs.into_iter().next().flatten() {
        None => Ok(GoVal::Null),
        // helm-diff re-encodes with yaml.v2 alone: no JSON step, so no JSON depth check.
        Some(n) => decode(&n, 0, &mut Nesting::default()),
    }
}

fn v2_to_j(g: GoVal, ordered: bool) -> emitter::J {
    fn key_text(k: &GoVal) -> String {
        match k {
            GoVal::Str(s) => s.clone(),
            GoVal::Null => "null".into(),
            GoVal::Bool(b) => b.to_string(),
            GoVal::Int(i) => i.to_string(),
            GoVal::Uint(u) => u.to_string(),
            GoVal::Float(f) => format_go_float_g(*f, false),
            other => go_sharp_v(other),
        }
    }
    fn to_j(mut g: GoVal, ordered: bool) -> emitter::J {
        use emitter::J;
        // GoVal drops iteratively (it implements Drop): its parts are taken, not moved out.
        match &mut g {
            GoVal::Null => J::Null,
            GoVal::Bool(b) => J::Bool(*b),
            GoVal::Int(i) => J::Raw(i.to_string()),
            GoVal::Uint(u) => J::Raw(u.to_string()),
            GoVal::Float(f) if f.is_nan() => J::Raw(".nan".into()),
            GoVal::Float(f) if f.is_infinite() => J::Raw(if *f > 0.0 {
                ".inf".into()
            } else {
                "-.inf".into()
            }),
            GoVal::Float(f) => J::Raw(format_go_float_g(*f, false)),
            GoVal::Str(s) => J::Str(std::mem::take(s)),
            GoVal::List(items) => J::List(
                std::mem::take(items)
                    .into_iter()
                    .map(|i| to_j(i, ordered))
                    .collect(),
            ),
            GoVal::Map(entries) => {
                let mut out: Vec<(String, J)> = std::mem::take(entries)
                    .into_iter()
                    .map(|(k, v)| (key_text(&k), to_j(v, ordered)))
                    .collect();
                if !ordered {
                    emitter::sort_by_key_less(&mut out, false);
                }
                J::Map(out)
            }
        }
    }
    to_j(g, ordered)
}

fn convert_err(e: parser::ParseError) -> YamlError {
    YamlError {
        line: e.line,
        column: e.column,
        message: format!("{CONVERT_PREFIX}{}", e.message),
    }
}

/// A decoded Go value before the JSON round trip (what yaml.v2 gives for `interface{}`).
enum GoVal {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    List(Vec<GoVal>),
    Map(Vec<(GoVal, GoVal)>),
}

impl Drop for GoVal {
    /// Iterative: a decoded document may nest 20,000 levels (10,000 block plus 10,000 flow).
    fn drop(&mut self) {
        fn nested(g: &GoVal) -> bool {
            matches!(g, GoVal::List(_) | GoVal::Map(_))
        }
        fn take(g: &mut GoVal, pending: &mut Vec<GoVal>) {
            match g {
                GoVal::List(items) if items.iter().any(nested) => {
                    pending.extend(items.drain(..).filter(nested))
                }
                GoVal::Map(entries) if entries.iter().any(|(k, v)| nested(k) || nested(v)) => {
                    for (k, v) in entries.drain(..) {
                        pending.extend([k, v].into_iter().filter(nested));
                    }
                }
                _ => {}
            }
        }
        let mut pending = Vec::new();
        take(self, &mut pending);
        while let Some(mut g) = pending.pop() {
            take(&mut g, &mut pending);
        }
    }
}

/// encoding/json's nesting limit, met when sigs.k8s.io/yaml unmarshals the converted JSON.
const JSON_MAX_DEPTH: usize = 10_000;

/// What the decode saw of nesting: the JSON text Go builds from the value would be rejected
/// when read back if a container sits deeper than [`JSON_MAX_DEPTH`].
#[derive(Default)]
struct Nesting {
    /// The opening character (`[` or `{`) of the first container past the limit.
    too_deep: Option<char>,
}

impl Nesting {
    /// Go's error for the JSON step, checked after the YAML-to-JSON conversion succeeded.
    fn check(&self) -> Result<(), YamlError> {
        match self.too_deep {
            None => Ok(()),
            Some(c) => Err(YamlError::plain(format!(
                "error unmarshaling JSON: while decoding JSON: invalid character '{c}' exceeded max depth"
            ))),
        }
    }
}

/// Node → yaml.v2's `interface{}` value, expanding merge keys. `depth` counts the containers
/// above `n` (aliases add none).
fn decode(n: &Rc<Node>, depth: usize, nest: &mut Nesting) -> Result<GoVal, YamlError> {
    match &**n {
        Node::Seq(_) | Node::Map(_) => {
            if depth >= JSON_MAX_DEPTH && nest.too_deep.is_none() {
                nest.too_deep = Some(if matches!(&**n, Node::Seq(_)) {
                    '['
                } else {
                    '{'
                });
            }
            crate::values::deep::guard(|| decode_here(n, depth, nest))
        }
        Node::Alias(target, _) => decode(target, depth, nest),
        _ => decode_here(n, depth, nest),
    }
}

fn decode_here(n: &Rc<Node>, depth: usize, nest: &mut Nesting) -> Result<GoVal, YamlError> {
    Ok(match &**n {
        Node::Alias(target, _) => decode(target, depth, nest)?,
        Node::Scalar { text, style, tag } => decode_scalar(text, *style, tag.as_deref())?,
        Node::Seq(items) => GoVal::List(
            items
                .iter()
                .map(|i| decode(i, depth + 1, nest))
                .collect::<Result<_, _>>()?,
        ),
        Node::Map(entries) => {
            let mut out = MapBuilder::with_capacity(entries.len());
            for (k, v) in entries {
                if is_merge_key(k) {
                    merge_into(&mut out, v, depth, nest)?;
                    continue;
                }
                let kv = decode(k, depth + 1, nest)?;
                let vv = decode(v, depth + 1, nest)?;
                out.set(kv, vv);
            }
            GoVal::Map(std::mem::take(&mut out.entries))
        }
    })
}

fn is_merge_key(k: &Node) -> bool {
    matches!(k, Node::Scalar { text, style: Style::Plain, tag: None } if text == "<<")
}

fn go_key_eq(a: &GoVal, b: &GoVal) -> bool {
    match (a, b) {
        (GoVal::Null, GoVal::Null) => true,
        (GoVal::Bool(x), GoVal::Bool(y)) => x == y,
        (GoVal::Int(x), GoVal::Int(y)) => x == y,
        (GoVal::Uint(x), GoVal::Uint(y)) => x == y,
        (GoVal::Float(x), GoVal::Float(y)) => x == y,
        (GoVal::Str(x), GoVal::Str(y)) => x == y,
        _ => false,
    }
}

/// A Go map being assigned key by key (yaml.v2 is not strict: a repeated key replaces the
/// earlier entry; Go's map also takes the new key's representation, which shows for `0.0`
/// then `-0.0`), entries kept in first-assignment order. Past a few entries a hash index
/// finds the repeated key: a linear search per key made a mapping of n keys cost n² (60k keys
/// took seconds).
struct MapBuilder {
    entries: Vec<(GoVal, GoVal)>,
    /// Key hash → positions in `entries`; built once the map outgrows [`Self::LINEAR`].
    index: Option<rustc_hash::FxHashMap<u64, smallvec::SmallVec<[usize; 1]>>>,
}

impl MapBuilder {
    /// Up to this many entries a linear search beats hashing.
    const LINEAR: usize = 16;

    fn with_capacity(n: usize) -> MapBuilder {
        MapBuilder {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    fn set(&mut self, k: GoVal, v: GoVal) {
        let MapBuilder { entries, index } = self;
        let Some(index) = index else {
            if let Some(slot) = entries.iter_mut().find(|(ek, _)| go_key_eq(ek, &k)) {
                *slot = (k, v);
                return;
            }
            entries.push((k, v));
            if entries.len() > Self::LINEAR {
                let mut built = rustc_hash::FxHashMap::default();
                for (i, (ek, _)) in entries.iter().enumerate() {
                    if let Some(h) = key_hash(ek) {
                        built
                            .entry(h)
                            .or_insert_with(smallvec::SmallVec::new)
                            .push(i);
                    }
                }
                *index = Some(built);
            }
            return;
        };
        // A key without a hash equals no other key (NaN, lists, maps): always a new entry.
        let Some(h) = key_hash(&k) else {
            entries.push((k, v));
            return;
        };
        let slots = index.entry(h).or_default();
        if let Some(&i) = slots.iter().find(|&&i| go_key_eq(&entries[i].0, &k)) {
            entries[i] = (k, v);
            return;
        }
        slots.push(entries.len());
        entries.push((k, v));
    }
}

/// A hash consistent with [`go_key_eq`] (equal keys hash alike: `0.0` and `-0.0` too), or
/// None for keys equal to nothing.
fn key_hash(k: &GoVal) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    match k {
        GoVal::Null => 0u8.hash(&mut h),
        GoVal::Bool(b) => (1u8, *b).hash(&mut h),
        GoVal::Int(i) => (2u8, *i).hash(&mut h),
        GoVal::Uint(u) => (3u8, *u).hash(&mut h),
        GoVal::Float(f) if f.is_nan() => return None,
        GoVal::Float(f) => (4u8, if *f == 0.0 { 0 } else { f.to_bits() }).hash(&mut h),
        GoVal::Str(s) => (5u8, s.as_str()).hash(&mut h),
        GoVal::List(_) | GoVal::Map(_) => return None,
    }
    Some(h.finish())
}

/// yaml.v2's `merge`: a map (or alias of one) is decoded into the current map, overwriting;
/// a sequence of maps is applied last to first so earlier maps win.
fn merge_into(
    out: &mut MapBuilder,
    v: &Rc<Node>,
    depth: usize,
    nest: &mut Nesting,
) -> Result<(), YamlError> {
    let want_map = || {
        YamlError::plain(format!(
            "{CONVERT_PREFIX}yaml: map merge requires map or sequence of maps as the value"
        ))
    };
    let is_map = |n: &Node| match n {
        Node::Map(_) => true,
        Node::Alias(t, _) => matches!(&**t, Node::Map(_)),
        _ => false,
    };
    // The merged map's entries land in the current map: they are as deep as its own.
    let apply = |out: &mut MapBuilder, n: &Rc<Node>, nest: &mut Nesting| -> Result<(), YamlError> {
        if let GoVal::Map(entries) = &mut decode(n, depth, nest)? {
            for (k, val) in std::mem::take(entries) {
                out.set(k, val);
            }
        }
        Ok(())
    };
    match &**v {
        Node::Map(_) => apply(out, v, nest)?,
        Node::Alias(t, _) => {
            if !matches!(&**t, Node::Map(_)) {
                return Err(want_map());
            }
            apply(out, v, nest)?
        }
        Node::Seq(items) => {
            for item in items.iter().rev() {
                if !is_map(item) {
                    return Err(want_map());
                }
                apply(out, item, nest)?;
            }
        }
        _ => return Err(want_map()),
    }
    Ok(())
}

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

fn decode_scalar(text: &str, style: Style, tag: Option<&str>) -> Result<GoVal, YamlError> {
    let short = tag.map(|t| {
        t.strip_prefix(TAG_PREFIX)
            .map(|s| format!("!!{s}"))
            .unwrap_or_else(|| t.to_string())
    });
    match short.as_deref() {
        None if style == Style::Plain => Ok(resolved_to_go(resolve::resolve_plain(text), text)),
        None | Some("!") => Ok(GoVal::Str(text.to_string())),
        Some("!!str") => Ok(GoVal::Str(text.to_string())),
        Some("!!binary") => {
            use base64::Engine;
            let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()) {
                Ok(bytes) => Ok(GoVal::Str(String::from_utf8_lossy(&bytes).into_owned())),
                Err(e) => Err(YamlError::plain(format!(
                    "{CONVERT_PREFIX}yaml: !!binary value contains invalid base64 data: {e}"
                ))),
            }
        }
        Some(t @ ("!!int" | "!!float" | "!!bool" | "!!null" | "!!timestamp")) => {
            let r = resolve::resolve_plain(text);
            let ok = match (t, &r) {
                ("!!int", Resolved::Int(_) | Resolved::Uint(_)) => true,
                ("!!float", Resolved::Float(_)) => true,
                ("!!float", Resolved::Int(_) | Resolved::Uint(_)) => true,
                ("!!bool", Resolved::Bool(_)) => true,
                ("!!null", Resolved::Null) => true,
                ("!!timestamp", _) => return Ok(GoVal::Str(text.to_string())),
                _ => false,
            };
            if !ok {
                return Err(YamlError::plain(format!(
                    "{CONVERT_PREFIX}yaml: cannot decode !!str `{}` as a {t}",
                    text
                )));
            }
            let r = match (t, r) {
                ("!!float", Resolved::Int(i)) => Resolved::Float(i as f64),
                ("!!float", Resolved::Uint(u)) => Resolved::Float(u as f64),
                (_, r) => r,
            };
            Ok(resolved_to_go(r, text))
        }
        // Unknown or collection tags: the scalar keeps its text.
        Some(_) => Ok(GoVal::Str(text.to_string())),
    }
}

fn resolved_to_go(r: Resolved, text: &str) -> GoVal {
    match r {
        Resolved::Null => GoVal::Null,
        Resolved::Bool(b) => GoVal::Bool(b),
        Resolved::Int(i) => GoVal::Int(i),
        Resolved::Uint(u) => GoVal::Uint(u),
        Resolved::Float(f) => GoVal::Float(f),
        Resolved::Merge | Resolved::Str => GoVal::Str(text.to_string()),
    }
}

/// sigs.k8s.io/yaml's `convertToJSONableObject` + the JSON round trip into `interface{}`.
fn to_json_value(mut g: GoVal) -> Result<Value, YamlError> {
    Ok(match &mut g {
        GoVal::Null => Value::Nil,
        GoVal::Bool(b) => Value::Bool(*b),
        GoVal::Int(i) => Value::Float(*i as f64),
        GoVal::Uint(u) => Value::Float(*u as f64),
        // NaN/Inf are refused by json.Marshal, after all keys were converted (see check_finite).
        GoVal::Float(f) => Value::Float(*f),
        GoVal::Str(s) => Value::String(Arc::from(s.as_str())),
        GoVal::List(items) => crate::values::deep::guard(|| {
            Ok::<_, YamlError>(Value::list(
                std::mem::take(items)
                    .into_iter()
                    .map(to_json_value)
                    .collect::<Result<_, _>>()?,
            ))
        })?,
        GoVal::Map(entries) => {
            let entries = std::mem::take(entries);
            let mut m: BTreeMap<Str, Value> = BTreeMap::new();
            for (mut k, v) in entries {
                let key: String = match &mut k {
                    GoVal::Str(s) => std::mem::take(s),
                    GoVal::Int(i) => i.to_string(),
                    GoVal::Float(f) => {
                        if f.is_nan() {
                            ".nan".into()
                        } else if f.is_infinite() {
                            if *f > 0.0 {
                                ".inf".into()
                            } else {
                                "-.inf".into()
                            }
                        } else {
                            format_go_float_g(*f, true)
                        }
                    }
                    GoVal::Bool(b) => b.to_string(),
                    _ => return Err(json_key_error(&k, &v)),
                };
                let val = crate::values::deep::guard(|| to_json_value(v))?;
                // The JSON object keeps the last of duplicate keys.
                m.insert(Arc::from(key.as_str()), val);
            }
            Value::Map(Map::from_btree(m))
        }
    })
}

/// sigs.k8s.io/yaml's refusal of a map key JSON cannot have (null, uint64, list, map), for the
/// entry `k: v`. Keys of other types become strings.
fn json_key_error(k: &GoVal, v: &GoVal) -> YamlError {
    YamlError::plain(match k {
        GoVal::Null => format!(
            "{CONVERT_PREFIX}unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
            if matches!(v, GoVal::Null) {
                "<nil>".to_string()
            } else {
                go_sharp_v(v)
            }
        ),
        GoVal::Uint(u) => format!(
            "{CONVERT_PREFIX}unsupported map key of type: uint64, key: {u:#x}, value: {}",
            go_sharp_v(v)
        ),
        _ => format!("{CONVERT_PREFIX}yaml: invalid map key: {}", go_sharp_v(k)),
    })
}

/// Go's `%#v` of a decoded value, for the rare error messages that print one.
fn go_sharp_v(g: &GoVal) -> String {
    crate::values::deep::guard(|| go_sharp_v_here(g))
}

fn go_sharp_v_here(g: &GoVal) -> String {
    match g {
        GoVal::Null => "interface {}(nil)".into(),
        GoVal::Bool(b) => b.to_string(),
        GoVal::Int(i) => i.to_string(),
        GoVal::Uint(u) => format!("{u:#x}"),
        GoVal::Float(f) => format_go_float_g(*f, false),
        GoVal::Str(s) => format!("{s:?}"),
        GoVal::List(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_sharp_v).collect::<Vec<_>>().join(", ")
        ),
        GoVal::Map(entries) => format!(
            "map[interface {{}}]interface {{}}{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}:{}", go_sharp_v(k), go_sharp_v(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn node_to_value(n: &Rc<Node>) -> Result<Value, YamlError> {
    let mut nest = Nesting::default();
    let g = decode(n, 0, &mut nest)?;
    json_value(g, &nest)
}

/// The decoded value as JSON sees it, with sigs.k8s.io/yaml's errors in its order: map keys
/// (while converting), NaN/Inf (json.Marshal), then nesting depth (json.Unmarshal).
fn json_value(g: GoVal, nest: &Nesting) -> Result<Value, YamlError> {
    let v = to_json_value(g)?;
    check_finite(&v)?;
    nest.check()?;
    Ok(v)
}

/// json.Marshal's refusal of NaN and ±Inf (it walks maps in key order).
fn check_finite(v: &Value) -> Result<(), YamlError> {
    match v {
        Value::Float(f) if f.is_nan() => Err(YamlError::plain(format!(
            "{CONVERT_PREFIX}json: unsupported value: NaN"
        ))),
        Value::Float(f) if f.is_infinite() => {
            let s = if *f > 0.0 { "+Inf" } else { "-Inf" };
            Err(YamlError::plain(format!(
                "{CONVERT_PREFIX}json: unsupported value: {s}"
            )))
        }
        Value::List(items) => {
            crate::values::deep::guard(|| items.iter().try_for_each(check_finite))
        }
        Value::Map(m) => {
            crate::values::deep::guard(|| m.with(|e| e.values().try_for_each(check_finite)))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
