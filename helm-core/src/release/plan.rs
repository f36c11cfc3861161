//! What an upgrade would change: the objects of two manifests (the release's stored manifest
//! and a newly rendered one) paired up, compared line by line, and reported the way the
//! helm-diff plugin (v3.15.11) reports them.
//!
//! Why helm-diff's rules and not a diff of our own: `helmfile diff`/`apply` and many CI
//! pipelines parse or show helm-diff's text (`ns, name, Kind (group) has changed:`, the `Plan:`
//! line of `--output simple`, the JSON list of `--output json`) and rely on `--detailed-exitcode`.
//! A drop-in must print the same bytes for the same pair of manifests, so this module
//! reproduces each step of the plugin:
//!
//! - [`parse_manifest`]: the manifest is cut at `\n---\n` (a leading newline is added first,
//!   so a manifest that starts with `---` loses it), each document trimmed, documents without
//!   `apiVersion` and `kind` dropped, `*List` kinds expanded into their items, test hooks left
//!   out. Objects are keyed `namespace, name, Kind (api group)` (the namespace defaults to
//!   the release's, the group is the apiVersion without its last segment, the
//!   `helm-diff/base-name` annotation replaces the name); the first of two equal keys wins.
//! - [`plan`]: objects present on one side only are added/removed (removal is skipped for
//!   `helm.sh/resource-policy: keep`), objects on both sides are compared on their text. Secrets
//!   are masked before comparing unless shown: both sides are decoded as a typed Secret
//!   (`stringData` folded into `data`) and re-encoded with every value replaced by
//!   `REDACTED # (N bytes)` when equal on both sides, `-------- # (N bytes)` /
//!   `++++++++ # (N bytes)` when not, in `data:`.
//! - Lines are compared with the plugin's exact LCS alignment (Hirschberg's linear-space
//!   algorithm after stripping the common head and tail; among equally long alignments the
//!   plugin's tie-breaks decide which lines show as removed and added, and they are kept
//!   here). Each LCS row is computed bit-parallel (64 lines per machine word, cost falling to
//!   the span where the two texts differ), so a large object costs far less than the plain
//!   quadratic table while the alignment stays identical.
//! - [`Plan::render`]: the `diff`, `simple`, `template` and `json` outputs, `--context N`,
//!   `--suppress KIND`, colours as the plugin's `mgutz/ansi` writes them.
//!
//! Known differences from the plugin: under `--normalize-manifests` and in the items of `*List`
//! kinds, map keys that are not strings (`1:`, or `y:`/`on:`, booleans to YAML 1.1) are written
//! quoted where the plugin's yaml.v2 writes them bare; a Secret that does not decode as a typed
//! Secret is shown unmasked where the plugin prints Go's decoding error in its place; with
//! `--find-renames` the plugin masks a Secret again on each candidate pairing (and then fails to
//! decode it), here it is masked once; `--output dyff`/`structured` and `HELM_DIFF_TPL`
//! templates are not offered.

use crate::values::{yaml, Map, Value};
use base64::Engine as _;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A manifest document is not YAML, or not a mapping (the plugin's text).
    #[error("YAML unmarshal error: {message}\nCan't unmarshal {document}")]
    Manifest { message: String, document: String },
    /// An option is unusable (a `--suppress-output-line-regex` that does not compile).
    #[error("{0}")]
    Option(String),
}

/// The hook types left out of both manifests unless tests are included (the plugin's default).
pub const TEST_HOOKS: &[&str] = &["test", "test-success"];

/// One object of a manifest, as the plugin indexes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestObject {
    /// `namespace, name, Kind (group)`: the identity objects are paired by.
    pub key: String,
    pub namespace: String,
    pub name: String,
    pub kind: String,
    /// The apiVersion without its last segment (`apps` for `apps/v1`, `v1` for `v1`).
    pub api_group: String,
    /// The document's text (trimmed; re-encoded when normalised).
    pub content: String,
    /// `helm.sh/resource-policy` (`keep`: never reported as removed).
    pub resource_policy: String,
}

/// A manifest's objects by key (sorted as the plugin sorts keys: bytewise).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestIndex {
    pub objects: BTreeMap<String, ManifestObject>,
    /// Keys seen more than once (the first document kept), which the plugin logs.
    pub duplicates: Vec<String>,
}

/// How a manifest is read.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// The namespace of objects that name none (the release's).
    pub default_namespace: String,
    /// Re-encode every document so that style differences (quoting, key order) do not show.
    pub normalize: bool,
    /// Hook types (`helm.sh/hook` values) whose objects are left out.
    pub excluded_hooks: Vec<String>,
}

/// Splits a manifest into its objects, keyed as helm-diff keys them.
pub fn parse_manifest(manifest: &str, opts: &ParseOptions) -> Result<ManifestIndex, PlanError> {
    let mut index = ManifestIndex::default();
    let data = format!("\n{manifest}");
    for doc in data.split("\n---\n") {
        let doc = doc.trim_matches(is_go_space);
        if doc.is_empty() {
            continue;
        }
        for obj in parse_document(doc, opts, 0)? {
            if index.objects.contains_key(&obj.key) {
                index.duplicates.push(obj.key);
            } else {
                index.objects.insert(obj.key.clone(), obj);
            }
        }
    }
    Ok(index)
}

/// Go's `unicode.IsSpace`, what `bytes.TrimSpace` strips.
fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c > '\u{ff}' && c.is_whitespace())
}

fn manifest_error(message: impl Into<String>, doc: &str) -> PlanError {
    PlanError::Manifest {
        message: message.into(),
        document: doc.to_string(),
    }
}

/// A scalar as a Go string field decoded by yaml.v2 would hold it.
fn scalar_text(v: Option<Value>) -> String {
    match v {
        Some(Value::String(s)) => s.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(v @ (Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_))) => {
            crate::values::json::to_string(&v)
        }
        _ => String::new(),
    }
}

fn parse_document(
    doc: &str,
    opts: &ParseOptions,
    depth: usize,
) -> Result<Vec<ManifestObject>, PlanError> {
    let value = yaml::from_str(doc).map_err(|e| manifest_error(e.message, doc))?;
    let Some(top) = value.as_map() else {
        return Err(manifest_error(
            format!(
                "yaml: unmarshal errors:\n  line 1: cannot unmarshal {} into manifest.metadata",
                value.go_kind_name()
            ),
            doc,
        ));
    };
    let api_version = scalar_text(top.get("apiVersion"));
    let kind = scalar_text(top.get("kind"));
    if api_version.is_empty() && kind.is_empty() {
        return Ok(Vec::new());
    }
    let meta = top
        .get("metadata")
        .and_then(|m| m.as_map().cloned())
        .unwrap_or_default();
    let annotations = meta
        .get("annotations")
        .and_then(|a| a.as_map().cloned())
        .unwrap_or_default();

    if kind.ends_with("List") {
        // Lists nest; a list of lists deeper than any real manifest is refused, not recursed.
        if depth > 16 {
            return Err(manifest_error("lists nested too deeply", doc));
        }
        let mut out = Vec::new();
        for sub in
            yaml::reencode_v2_items(doc, "items").map_err(|e| manifest_error(e.message, doc))?
        {
            out.extend(parse_document(&sub, opts, depth + 1)?);
        }
        return Ok(out);
    }

    let content = if opts.normalize {
        yaml::reencode_v2(doc, false).map_err(|e| manifest_error(e.message, doc))?
    } else {
        doc.to_string()
    };
    let hook = scalar_text(annotations.get("helm.sh/hook"));
    if opts
        .excluded_hooks
        .iter()
        .any(|h| annotations.contains_key("helm.sh/hook") && *h == hook)
    {
        return Ok(Vec::new());
    }
    let mut namespace = scalar_text(meta.get("namespace"));
    if namespace.is_empty() {
        namespace = opts.default_namespace.clone();
    }
    let name = match annotations.get("helm-diff/base-name") {
        Some(base) => scalar_text(Some(base)),
        None => scalar_text(meta.get("name")),
    };
    let api_group = match api_version.rsplit_once('/') {
        Some((group, _)) => group.to_string(),
        None => api_version.clone(),
    };
    Ok(vec![ManifestObject {
        key: format!("{namespace}, {name}, {kind} ({api_group})"),
        namespace,
        name,
        kind,
        api_group,
        content,
        resource_policy: scalar_text(annotations.get("helm.sh/resource-policy")),
    }])
}

/// Re-keys an index by template path (the first line's `# Source: ` value, `path N` for its
/// N-th further object), as the plugin's `diff release` does to compare two releases whose
/// objects are named after the release.
pub fn reindex_by_source(index: &ManifestIndex) -> ManifestIndex {
    let mut out = ManifestIndex::default();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for obj in index.objects.values() {
        let first = obj.content.split('\n').next().unwrap_or("");
        let mut key = first.replacen("# Source: ", "", 1);
        let n = count.entry(key.clone()).or_insert(0);
        if out.objects.contains_key(&key) {
            *n += 1;
            key = format!("{key} {n}");
        } else {
            *n += 1;
        }
        out.objects
            .insert(key.clone(), ManifestObject { key, ..obj.clone() });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Line diff

/// Which side a line of a diff belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delta {
    /// On both sides.
    Common,
    /// Only in the old text.
    Removed,
    /// Only in the new text.
    Added,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub delta: Delta,
    pub text: String,
}

/// Go's `strings.Split(s, "\n")` (one empty line for an empty text), optionally dropping one
/// trailing `\r` per line.
fn split_lines(s: &str, strip_trailing_cr: bool) -> Vec<&str> {
    s.split('\n')
        .map(|l| {
            if strip_trailing_cr {
                l.strip_suffix('\r').unwrap_or(l)
            } else {
                l
            }
        })
        .collect()
}

/// The plugin's line diff of two texts (split at `\n`).
pub fn diff_texts(old: &str, new: &str, strip_trailing_cr: bool) -> Vec<DiffLine> {
    let a = split_lines(old, strip_trailing_cr);
    let b = split_lines(new, strip_trailing_cr);
    diff_lines(&a, &b)
}

/// The plugin's alignment of two line sequences: the common head and tail, then Hirschberg's
/// recursion on the rest with its tie-breaks (first best split column; a single line matched
/// against its last occurrence).
pub fn diff_lines(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    // Lines become small integers: equal lines, equal ids.
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    fn intern<'s>(ids: &mut FxHashMap<&'s str, u32>, lines: &[&'s str]) -> Vec<u32> {
        lines
            .iter()
            .map(|s| {
                let n = ids.len() as u32;
                *ids.entry(*s).or_insert(n)
            })
            .collect()
    }
    let ai = intern(&mut ids, a);
    let bi = intern(&mut ids, b);
    let ops = align(&ai, &bi);
    let (mut i, mut j) = (0, 0);
    ops.into_iter()
        .map(|d| {
            let text = match d {
                Delta::Common => {
                    i += 1;
                    j += 1;
                    a[i - 1]
                }
                Delta::Removed => {
                    i += 1;
                    a[i - 1]
                }
                Delta::Added => {
                    j += 1;
                    b[j - 1]
                }
            };
            DiffLine {
                delta: d,
                text: text.to_string(),
            }
        })
        .collect()
}

/// The alignment as a sequence of deltas (consuming `a` on Common/Removed, `b` on Common/Added).
fn align(a: &[u32], b: &[u32]) -> Vec<Delta> {
    let mut start = 0;
    while start < a.len() && start < b.len() && a[start] == b[start] {
        start += 1;
    }
    // The tail scan stops before index `start` on either side, as the plugin's does.
    let (mut i, mut j, mut end) = (a.len() as isize - 1, b.len() as isize - 1, 0usize);
    while i > start as isize && j > start as isize && a[i as usize] == b[j as usize] {
        i -= 1;
        j -= 1;
        end += 1;
    }
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 8);
    out.extend(std::iter::repeat_n(Delta::Common, start));
    hirschberg(&a[start..a.len() - end], &b[start..b.len() - end], &mut out);
    out.extend(std::iter::repeat_n(Delta::Common, end));
    out
}

fn hirschberg(a: &[u32], b: &[u32], out: &mut Vec<Delta>) {
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        out.extend(std::iter::repeat_n(Delta::Added, m));
        return;
    }
    if m == 0 {
        out.extend(std::iter::repeat_n(Delta::Removed, n));
        return;
    }
    if n == 1 {
        match b.iter().rposition(|&x| x == a[0]) {
            Some(found) => {
                out.extend(std::iter::repeat_n(Delta::Added, found));
                out.push(Delta::Common);
                out.extend(std::iter::repeat_n(Delta::Added, m - found - 1));
            }
            None => {
                out.push(Delta::Removed);
                out.extend(std::iter::repeat_n(Delta::Added, m));
            }
        }
        return;
    }
    let mid = n / 2;
    let forward = lcs_row(&a[..mid], b);
    let ra: Vec<u32> = a[mid..].iter().rev().copied().collect();
    let rb: Vec<u32> = b.iter().rev().copied().collect();
    let backward_rev = lcs_row(&ra, &rb);
    let mut split = 0;
    let mut best: i64 = -1;
    for j in 0..=m {
        let score = forward[j] as i64 + backward_rev[m - j] as i64;
        if score > best {
            best = score;
            split = j;
        }
    }
    hirschberg(&a[..mid], &b[..split], out);
    hirschberg(&a[mid..], &b[split..], out);
}

/// `row[j] = LCS(a, b[..j])` for every `j` in `0..=b.len()`, bit-parallel: bit `j` of `v` is 0
/// exactly where the row steps up between `j` and `j+1` (Allison–Dix/Hyyrö), each line of `a`
/// updating the words from its first match in `b` until the carry dies out.
fn lcs_row(a: &[u32], b: &[u32]) -> Vec<u32> {
    let m = b.len();
    let words = m.div_ceil(64);
    // For each line of b: the (word, mask) pairs where it occurs, in word order.
    let mut masks: FxHashMap<u32, Vec<(usize, u64)>> = FxHashMap::default();
    for (j, &x) in b.iter().enumerate() {
        let list = masks.entry(x).or_default();
        let (w, bit) = (j / 64, 1u64 << (j % 64));
        match list.last_mut() {
            Some((lw, mask)) if *lw == w => *mask |= bit,
            _ => list.push((w, bit)),
        }
    }
    let mut v = vec![!0u64; words];
    for x in a {
        let Some(pm) = masks.get(x) else { continue };
        let mut carry = 0u64;
        let mut k = 0;
        let mut w = pm[0].0;
        while w < words {
            let mask = if k < pm.len() && pm[k].0 == w {
                k += 1;
                pm[k - 1].1
            } else if carry == 0 {
                // Nothing to add here: jump to the next word with a match, or stop.
                if k < pm.len() {
                    w = pm[k].0;
                    continue;
                }
                break;
            } else {
                0
            };
            let old = v[w];
            let u = old & mask;
            let (s1, c1) = old.overflowing_add(u);
            let (s2, c2) = s1.overflowing_add(carry);
            carry = (c1 | c2) as u64;
            v[w] = s2 | (old & !mask);
            w += 1;
        }
    }
    let mut row = Vec::with_capacity(m + 1);
    row.push(0u32);
    let mut acc = 0u32;
    for j in 0..m {
        if v[j / 64] >> (j % 64) & 1 == 0 {
            acc += 1;
        }
        row.push(acc);
    }
    row
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// How Secret values appear in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretDisplay {
    /// Values replaced by `REDACTED`/`--------`/`++++++++ # (N bytes)` (the plugin's default).
    #[default]
    Masked,
    /// The manifests' text as is (`--show-secrets`).
    Shown,
    /// Values base64-decoded into `stringData` (`--show-secrets-decoded`).
    Decoded,
}

/// A manifest Secret as Kubernetes' typed `v1.Secret` holds it: what the plugin re-encodes.
struct TypedSecret {
    api_version: Option<String>,
    kind: Option<String>,
    metadata: Map,
    data: Option<BTreeMap<String, Vec<u8>>>,
    immutable: Option<bool>,
    type_: Option<String>,
}

/// Decodes a Secret's text; `None` where the plugin's typed decoding would fail.
fn decode_secret(content: &str) -> Option<TypedSecret> {
    // The plugin decodes through apimachinery's YAML reader, which reads line by line and ends
    // every line, the last included, with a bare `\n` (a literal block at the very end then
    // keeps its final line break).
    let mut text = content.replace("\r\n", "\n");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let v = yaml::from_str(&text).ok()?;
    let top = v.as_map()?;
    let opt_str = |k: &str| -> Option<Option<String>> {
        match top.get(k) {
            None | Some(Value::Nil) => Some(None),
            Some(Value::String(s)) => Some(Some(s.to_string())),
            Some(_) => None,
        }
    };
    let api_version = opt_str("apiVersion")?;
    let kind = opt_str("kind")?;
    let type_ = opt_str("type")?.filter(|t| !t.is_empty());
    let immutable = match top.get("immutable") {
        None | Some(Value::Nil) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(_) => return None,
    };
    let metadata = typed_object_meta(top.get("metadata"))?;
    let mut data: Option<BTreeMap<String, Vec<u8>>> = match top.get("data") {
        None | Some(Value::Nil) => None,
        Some(Value::Map(m)) => {
            let mut out = BTreeMap::new();
            for (k, val) in m.entries() {
                let bytes = match val {
                    Value::Nil => Vec::new(),
                    Value::String(s) => {
                        // Go's base64.StdEncoding skips line breaks inside the text.
                        let clean: String =
                            s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
                        base64::engine::general_purpose::STANDARD
                            .decode(clean)
                            .ok()?
                    }
                    _ => return None,
                };
                out.insert(k.to_string(), bytes);
            }
            Some(out)
        }
        Some(_) => return None,
    };
    if let Some(v) = top.get("stringData").filter(|v| !v.is_nil()) {
        let m = v.as_map()?;
        let mut string_data = Vec::new();
        for (k, val) in m.entries() {
            match val {
                Value::String(s) => string_data.push((k.to_string(), s.to_string())),
                Value::Nil => string_data.push((k.to_string(), String::new())),
                _ => return None,
            }
        }
        if !string_data.is_empty() {
            let d = data.get_or_insert_with(BTreeMap::new);
            for (k, s) in string_data {
                d.insert(k, s.into_bytes());
            }
        }
    }
    Some(TypedSecret {
        api_version,
        kind,
        metadata,
        data,
        immutable,
        type_,
    })
}

/// `metadata` through `v1.ObjectMeta`: its known fields kept (with their Go types checked),
/// unknown ones dropped, `creationTimestamp: null` always present (removed again after
/// encoding, as the plugin does).
fn typed_object_meta(v: Option<Value>) -> Option<Map> {
    let out = Map::new();
    let src = match v {
        None | Some(Value::Nil) => Map::new(),
        Some(Value::Map(m)) => m,
        Some(_) => return None,
    };
    for (k, val) in src.entries() {
        match &*k {
            "name" | "generateName" | "namespace" | "selfLink" | "uid" | "resourceVersion" => {
                match val {
                    Value::String(ref s) if !s.is_empty() => {
                        out.insert(k, val.clone());
                    }
                    Value::String(_) | Value::Nil => {}
                    _ => return None,
                }
            }
            "labels" | "annotations" => match val {
                Value::Map(ref m) => {
                    for (_, x) in m.entries() {
                        if !matches!(x, Value::String(_) | Value::Nil) {
                            return None;
                        }
                    }
                    if !m.is_empty() {
                        let clean = Map::new();
                        for (mk, x) in m.entries() {
                            clean.insert(mk, if x.is_nil() { Value::str("") } else { x });
                        }
                        out.insert(k, Value::Map(clean));
                    }
                }
                Value::Nil => {}
                _ => return None,
            },
            "generation"
            | "deletionGracePeriodSeconds"
            | "finalizers"
            | "ownerReferences"
            | "managedFields" => {
                if !val.is_nil() {
                    out.insert(k, val);
                }
            }
            _ => {}
        }
    }
    out.insert("creationTimestamp", Value::Nil);
    Some(out)
}

/// The first line of a text when it is a comment (the `# Source:` line of a rendered template).
fn leading_comment(s: &str) -> &str {
    match s.find('\n') {
        Some(i) if s.starts_with('#') => &s[..=i],
        _ => "",
    }
}

/// Re-encodes a decoded Secret with the given `stringData` values, as the plugin prints it.
fn encode_secret(
    original: &str,
    s: &TypedSecret,
    values: BTreeMap<String, String>,
    rename_to_data: bool,
) -> String {
    let top = Map::new();
    if let Some(a) = &s.api_version {
        top.insert("apiVersion", Value::str(a));
    }
    if let Some(k) = &s.kind {
        top.insert("kind", Value::str(k));
    }
    top.insert("metadata", Value::Map(s.metadata.deep_copy_map()));
    if !values.is_empty() {
        let m = Map::new();
        for (k, v) in values {
            m.insert(k, Value::str(v));
        }
        top.insert("stringData", Value::Map(m));
    }
    if let Some(i) = s.immutable {
        top.insert("immutable", Value::Bool(i));
    }
    if let Some(t) = &s.type_ {
        top.insert("type", Value::str(t));
    }
    let mut text = yaml::to_string(&Value::Map(top)).unwrap_or_default();
    if rename_to_data {
        text = text.replacen("stringData", "data", 1);
    }
    text = text.replacen("  creationTimestamp: null\n", "", 1);
    format!("{}{}", leading_comment(original), text)
}

trait DeepCopyMap {
    fn deep_copy_map(&self) -> Map;
}

impl DeepCopyMap for Map {
    fn deep_copy_map(&self) -> Map {
        match Value::Map(self.clone()).deep_copy() {
            Value::Map(m) => m,
            _ => Map::new(),
        }
    }
}

/// Masks (or decodes) the values of a Secret pair in place, as the plugin does before
/// comparing. Only Secrets are touched; a side that does not decode is left as is.
fn prepare_secrets(
    old: Option<&mut String>,
    new: Option<&mut String>,
    kind_old: Option<&str>,
    kind_new: Option<&str>,
    display: SecretDisplay,
) {
    if display == SecretDisplay::Shown {
        return;
    }
    if kind_old.is_some_and(|k| k != "Secret") || kind_new.is_some_and(|k| k != "Secret") {
        return;
    }
    let old_secret = old.as_deref().and_then(|c| decode_secret(c));
    let new_secret = new.as_deref().and_then(|c| decode_secret(c));
    let empty = BTreeMap::new();
    let old_data = old_secret
        .as_ref()
        .and_then(|s| s.data.as_ref())
        .unwrap_or(&empty);
    let new_data = new_secret
        .as_ref()
        .and_then(|s| s.data.as_ref())
        .unwrap_or(&empty);
    let has_old = old.is_some();
    let has_new = new.is_some();
    let values = |mine: &BTreeMap<String, Vec<u8>>,
                  theirs: &BTreeMap<String, Vec<u8>>,
                  other_side: bool,
                  marker: &str| {
        mine.iter()
            .map(|(k, v)| {
                let text = match display {
                    SecretDisplay::Decoded => String::from_utf8_lossy(v).into_owned(),
                    _ if other_side && theirs.get(k).map_or(v.is_empty(), |t| t == v) => {
                        format!("REDACTED # ({} bytes)", v.len())
                    }
                    _ => format!("{marker} # ({} bytes)", v.len()),
                };
                (k.clone(), text)
            })
            .collect::<BTreeMap<_, _>>()
    };
    let rename = display == SecretDisplay::Masked;
    let old_text = old_secret.as_ref().map(|s| {
        let vals = values(old_data, new_data, has_new, "--------");
        (s, vals)
    });
    let new_text = new_secret.as_ref().map(|s| {
        let vals = values(new_data, old_data, has_old, "++++++++");
        (s, vals)
    });
    if let (Some(content), Some((s, vals))) = (old, old_text) {
        *content = encode_secret(content, s, vals, rename);
    }
    if let (Some(content), Some((s, vals))) = (new, new_text) {
        *content = encode_secret(content, s, vals, rename);
    }
}

// ---------------------------------------------------------------------------------------------
// The plan

/// What happens to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Add,
    Remove,
    Modify,
    Unchanged,
}

/// How the plugin labels an entry of its report (`ADD`, `REMOVE`, `MODIFY`, and
/// `MODIFY_SUPPRESSED` when every changed line was hidden by a suppression regex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeType {
    Add,
    Remove,
    Modify,
    ModifySuppressed,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Add => "ADD",
            ChangeType::Remove => "REMOVE",
            ChangeType::Modify => "MODIFY",
            ChangeType::ModifySuppressed => "MODIFY_SUPPRESSED",
        }
    }
}

/// One changed object of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectChange {
    /// The object's key (for a rename: the old object's key).
    pub key: String,
    pub kind: String,
    pub action: Action,
    pub change: ChangeType,
    /// The compared texts (Secrets as displayed: masked unless shown).
    pub old: Option<String>,
    pub new: Option<String>,
    /// The whole line diff of `old` and `new` (after any output-line suppression).
    pub lines: Vec<DiffLine>,
}

/// A group of nearby changed lines with their context, as in a unified diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    /// 1-based first line in the old text (0 when the hunk has no old lines).
    pub old_start: usize,
    pub old_lines: usize,
    pub new_start: usize,
    pub new_lines: usize,
    pub lines: Vec<DiffLine>,
}

impl ObjectChange {
    /// The diff cut into hunks with `context` unchanged lines around each change.
    pub fn hunks(&self, context: usize) -> Vec<Hunk> {
        let changed: Vec<usize> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.delta != Delta::Common)
            .map(|(i, _)| i)
            .collect();
        let mut hunks = Vec::new();
        let mut k = 0;
        // Line numbers before each record.
        let mut old_no = Vec::with_capacity(self.lines.len());
        let mut new_no = Vec::with_capacity(self.lines.len());
        let (mut o, mut n) = (1, 1);
        for l in &self.lines {
            old_no.push(o);
            new_no.push(n);
            match l.delta {
                Delta::Common => {
                    o += 1;
                    n += 1;
                }
                Delta::Removed => o += 1,
                Delta::Added => n += 1,
            }
        }
        while k < changed.len() {
            let first = changed[k].saturating_sub(context);
            let mut last = changed[k];
            while k + 1 < changed.len() && changed[k + 1] <= last + 2 * context + 1 {
                k += 1;
                last = changed[k];
            }
            k += 1;
            let end = (last + context + 1).min(self.lines.len());
            let lines = self.lines[first..end].to_vec();
            let old_lines = lines.iter().filter(|l| l.delta != Delta::Added).count();
            let new_lines = lines.iter().filter(|l| l.delta != Delta::Removed).count();
            hunks.push(Hunk {
                old_start: if old_lines == 0 {
                    old_no[first] - 1
                } else {
                    old_no[first]
                },
                old_lines,
                new_start: if new_lines == 0 {
                    new_no[first] - 1
                } else {
                    new_no[first]
                },
                new_lines,
                lines,
            });
        }
        hunks
    }
}

/// Everything a plan and its report take from the command line.
#[derive(Debug, Clone, Serialize)]
pub struct PlanOptions {
    pub secrets: SecretDisplay,
    /// Kinds whose changes are reported without their lines (`--suppress`, `--suppress-secrets`).
    pub suppressed_kinds: Vec<String>,
    /// `--strip-trailing-cr`.
    pub strip_trailing_cr: bool,
    /// `--find-renames F`: pair a removed and an added object of the same kind when at most
    /// this fraction of their lines differ (0: off).
    pub find_renames: f32,
    /// `--suppress-output-line-regex`: diff lines matching any of these are dropped.
    pub suppress_output_line_regex: Vec<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            secrets: SecretDisplay::Masked,
            suppressed_kinds: Vec::new(),
            strip_trailing_cr: false,
            find_renames: 0.0,
            suppress_output_line_regex: Vec::new(),
        }
    }
}

/// The objects an upgrade would add, remove or change, in the plugin's report order
/// (changed objects by key, renamed ones, removed ones, added ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<ObjectChange>,
    /// Keys of the objects on both sides whose compared text is the same.
    pub unchanged: Vec<String>,
    /// Kinds reported without their lines.
    pub suppressed_kinds: Vec<String>,
    /// What the plan found besides the changes (a plan against the live objects: applies that
    /// would conflict with another field manager).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether anything would change (`--detailed-exitcode` exits 2 then).
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// `(add, change, destroy)` counts, as in `--output simple`'s `Plan:` line.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |c: ChangeType| self.changes.iter().filter(|e| e.change == c).count();
        (
            count(ChangeType::Add),
            count(ChangeType::Modify),
            count(ChangeType::Remove),
        )
    }
}

fn actual_changes(lines: &[DiffLine]) -> usize {
    lines.iter().filter(|l| l.delta != Delta::Common).count()
}

/// Pairs the objects of the old and new manifests and compares them.
pub fn plan(
    old: &ManifestIndex,
    new: &ManifestIndex,
    opts: &PlanOptions,
) -> Result<Plan, PlanError> {
    let regexes = opts
        .suppress_output_line_regex
        .iter()
        .map(|r| {
            regex::Regex::new(r)
                .map_err(|e| PlanError::Option(format!("error parsing regexp: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut changes = Vec::new();
    let mut unchanged = Vec::new();
    let mut possibly_removed = Vec::new();
    for (key, o) in &old.objects {
        match new.objects.get(key) {
            Some(n) => match compare(key, Some(o), Some(n), opts) {
                Some(c) => changes.push(c),
                None => unchanged.push(key.clone()),
            },
            None => possibly_removed.push(key.as_str()),
        }
    }
    let mut possibly_added: Vec<&str> = new
        .objects
        .keys()
        .filter(|k| !old.objects.contains_key(*k))
        .map(|k| k.as_str())
        .collect();

    let mut removed = Vec::new();
    if opts.find_renames > 0.0 {
        for rkey in possibly_removed {
            let o = &old.objects[rkey];
            let mut best: Option<(usize, f32)> = None;
            for (idx, akey) in possibly_added.iter().enumerate() {
                let n = &new.objects[*akey];
                if o.kind != n.kind || o.content.is_empty() || n.content.is_empty() {
                    continue;
                }
                if o.kind != "Secret" {
                    let ratio = o.content.len() as f32 / n.content.len() as f32;
                    if !(0.1..=10.0).contains(&ratio) {
                        continue;
                    }
                }
                let (mut oc, mut nc) = (o.content.clone(), n.content.clone());
                prepare_secrets(
                    Some(&mut oc),
                    Some(&mut nc),
                    Some(&o.kind),
                    Some(&n.kind),
                    opts.secrets,
                );
                let lines = diff_texts(&oc, &nc, opts.strip_trailing_cr);
                let delta = actual_changes(&lines);
                if delta == 0 || lines.is_empty() {
                    continue;
                }
                let fraction = delta as f32 / lines.len() as f32;
                if fraction > 0.0 && best.is_none_or(|(_, f)| fraction < f) {
                    best = Some((idx, fraction));
                }
            }
            match best {
                Some((idx, f)) if f < opts.find_renames => {
                    let akey = possibly_added.remove(idx);
                    if let Some(c) = compare(rkey, Some(o), Some(&new.objects[akey]), opts) {
                        changes.push(c);
                    }
                }
                _ => removed.push(rkey),
            }
        }
    } else {
        removed = possibly_removed;
    }
    for key in removed {
        let o = &old.objects[key];
        if o.resource_policy != "keep" {
            changes.extend(compare(key, Some(o), None, opts));
        }
    }
    for key in possibly_added {
        changes.extend(compare(key, None, Some(&new.objects[key]), opts));
    }

    if !regexes.is_empty() {
        for c in &mut changes {
            c.lines
                .retain(|l| !regexes.iter().any(|r| r.is_match(&l.text)));
            if actual_changes(&c.lines) == 0 {
                c.lines.clear();
                if c.change == ChangeType::Modify {
                    c.change = ChangeType::ModifySuppressed;
                }
            }
        }
    }
    Ok(Plan {
        changes,
        unchanged,
        suppressed_kinds: opts.suppressed_kinds.clone(),
        notes: Vec::new(),
    })
}

/// One object's comparison; `None` when nothing differs.
fn compare(
    key: &str,
    old: Option<&ManifestObject>,
    new: Option<&ManifestObject>,
    opts: &PlanOptions,
) -> Option<ObjectChange> {
    if let (Some(o), Some(n)) = (old, new) {
        if o.content == n.content {
            return None;
        }
    }
    let mut oc = old.map(|o| o.content.clone());
    let mut nc = new.map(|n| n.content.clone());
    prepare_secrets(
        oc.as_mut(),
        nc.as_mut(),
        old.map(|o| o.kind.as_str()),
        new.map(|n| n.kind.as_str()),
        opts.secrets,
    );
    let lines = diff_texts(
        oc.as_deref().unwrap_or(""),
        nc.as_deref().unwrap_or(""),
        opts.strip_trailing_cr,
    );
    let (action, change, kind) = match (old, new) {
        (None, Some(n)) => (Action::Add, ChangeType::Add, n.kind.clone()),
        (Some(o), None) => (Action::Remove, ChangeType::Remove, o.kind.clone()),
        (Some(o), Some(_)) => {
            if actual_changes(&lines) == 0 {
                return None;
            }
            (Action::Modify, ChangeType::Modify, o.kind.clone())
        }
        (None, None) => return None,
    };
    Some(ObjectChange {
        key: key.to_string(),
        kind,
        action,
        change,
        old: oc,
        new: nc,
        lines,
    })
}

// ---------------------------------------------------------------------------------------------
// Reports

/// The plugin's `--output` formats offered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Diff,
    Simple,
    Template,
    Json,
}

impl std::str::FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "simple" => OutputFormat::Simple,
            "template" => OutputFormat::Template,
            "json" => OutputFormat::Json,
            "diff" => OutputFormat::Diff,
            other => {
                return Err(format!(
                    "unsupported output format {other:?} (diff, simple, template, json)"
                ))
            }
        })
    }
}

/// How a plan is printed.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub format: OutputFormat,
    /// `--context N`: unchanged lines kept around changes (`None`: every line).
    pub context: Option<usize>,
    /// ANSI colours as the plugin writes them.
    pub color: bool,
}

/// `mgutz/ansi.Color`: `ESC[0;<code>m text ESC[0m`, nothing when colour is off.
fn paint(out: &mut String, color: bool, code: u8, text: &str) {
    if color {
        let _ = write!(out, "\x1b[0;{code}m{text}\x1b[0m");
    } else {
        out.push_str(text);
    }
}

const GREEN: u8 = 32;
const RED: u8 = 31;
const YELLOW: u8 = 33;
const BRIGHT_BLUE: u8 = 94;

fn change_color(c: ChangeType) -> u8 {
    match c {
        ChangeType::Add => GREEN,
        ChangeType::Remove => RED,
        ChangeType::Modify => YELLOW,
        ChangeType::ModifySuppressed => BRIGHT_BLUE,
    }
}

/// The words after an object's key in the plugin's `diff` report, or in its `simple` one.
fn change_message(change: ChangeType, simple: bool) -> &'static str {
    match (change, simple) {
        (ChangeType::Add, false) => "has been added:",
        (ChangeType::Add, true) => "to be added.",
        (ChangeType::Remove, false) => "has been removed:",
        (ChangeType::Remove, true) => "to be removed.",
        (ChangeType::Modify, false) => "has changed:",
        (ChangeType::Modify, true) => "to be changed.",
        (ChangeType::ModifySuppressed, _) => "has changed, but diff is empty after suppression.",
    }
}

impl Plan {
    /// The report in one of the plugin's formats, byte for byte.
    pub fn render(&self, opts: &ReportOptions) -> String {
        let mut out = String::new();
        match opts.format {
            OutputFormat::Diff => {
                for c in &self.changes {
                    let msg = change_message(c.change, false);
                    paint(
                        &mut out,
                        opts.color,
                        change_color(c.change),
                        &format!("{} {}", c.key, msg),
                    );
                    out.push('\n');
                    self.render_lines(c, opts, &mut out);
                }
            }
            OutputFormat::Simple => {
                for c in &self.changes {
                    let msg = change_message(c.change, true);
                    paint(
                        &mut out,
                        opts.color,
                        change_color(c.change),
                        &format!("{} {}", c.key, msg),
                    );
                    out.push('\n');
                }
                let (add, change, destroy) = self.counts();
                let _ = writeln!(out, "Plan: {add} to add, {change} to change, {destroy} to destroy, 0 to change ownership.");
            }
            OutputFormat::Template | OutputFormat::Json => {
                // The plugin's default template; entries whose key its pattern cannot read back
                // (upper-case names, say) are left out, as it leaves them out.
                let pattern =
                    regex::Regex::new(r"([a-z0-9-]+), ([a-z0-9.-]+), ([0-9A-Za-z_]+) \(([^)]+)\)")
                        .expect("constant pattern");
                let items: Vec<String> = self
                    .changes
                    .iter()
                    .filter_map(|c| {
                        let m = pattern.captures(&c.key)?;
                        Some(format!(
                            "{{\n  \"api\": \"{}\",\n  \"kind\": \"{}\",\n  \"namespace\": \"{}\",\n  \"name\": \"{}\",\n  \"change\": \"{}\"\n}}",
                            &m[4],
                            &m[3],
                            &m[1],
                            &m[2],
                            c.change.as_str()
                        ))
                    })
                    .collect();
                out.push('[');
                out.push_str(&items.join(","));
                out.push_str("]\n");
            }
        }
        out
    }

    fn render_lines(&self, c: &ObjectChange, opts: &ReportOptions, out: &mut String) {
        if self.suppressed_kinds.iter().any(|k| *k == c.kind) {
            paint(
                out,
                opts.color,
                YELLOW,
                &format!(
                    "+ Changes suppressed on sensitive content of type {}\n",
                    c.kind
                ),
            );
            return;
        }
        let print = |out: &mut String, l: &DiffLine| match l.delta {
            Delta::Added => {
                paint(out, opts.color, GREEN, &format!("+ {}", l.text));
                out.push('\n');
            }
            Delta::Removed => {
                paint(out, opts.color, RED, &format!("- {}", l.text));
                out.push('\n');
            }
            Delta::Common => {
                if !l.text.is_empty() {
                    out.push_str("  ");
                    out.push_str(&l.text);
                }
                out.push('\n');
            }
        };
        let Some(context) = opts.context else {
            for l in &c.lines {
                print(out, l);
            }
            return;
        };
        // Distance of each line to the nearest changed line.
        let n = c.lines.len();
        let mut dist = vec![usize::MAX; n];
        let mut last = None;
        for (i, l) in c.lines.iter().enumerate() {
            if l.delta != Delta::Common {
                last = Some(i);
            }
            if let Some(p) = last {
                dist[i] = i - p;
            }
        }
        let mut next = None;
        for i in (0..n).rev() {
            if c.lines[i].delta != Delta::Common {
                next = Some(i);
            }
            if let Some(p) = next {
                dist[i] = dist[i].min(p - i);
            }
        }
        let mut omitting = false;
        for (i, l) in c.lines.iter().enumerate() {
            if dist[i] > context {
                if !omitting {
                    out.push_str("...\n");
                    omitting = true;
                }
            } else {
                omitting = false;
                print(out, l);
            }
        }
    }
}

/// Parses both manifests and plans the change between them.
pub fn plan_manifests(
    old: &str,
    new: &str,
    parse: &ParseOptions,
    opts: &PlanOptions,
) -> Result<Plan, PlanError> {
    plan(
        &parse_manifest(old, parse)?,
        &parse_manifest(new, parse)?,
        opts,
    )
}

/// A stored release's objects as the plugin reads them (`helm get manifest`, and with
/// `hooks` each hook after it as its own `# Source:` document).
pub fn release_text(rel: &crate::release::Release, hooks: bool) -> String {
    let mut s = format!("{}\n", rel.manifest);
    if hooks {
        s.push_str(&hooks_text(rel));
    }
    s
}

/// A release's hooks as manifest documents, each under its `# Source:` line.
pub fn hooks_text(rel: &crate::release::Release) -> String {
    rel.hooks
        .iter()
        .map(|h| format!("---\n# Source: {}\n{}\n", h.path, h.manifest))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain quadratic LCS table's last row, the definition `lcs_row` must agree with.
    fn lcs_row_table(a: &[u32], b: &[u32]) -> Vec<u32> {
        let mut prev = vec![0u32; b.len() + 1];
        for &x in a {
            let mut cur = vec![0u32; b.len() + 1];
            for j in 0..b.len() {
                cur[j + 1] = if x == b[j] {
                    prev[j] + 1
                } else {
                    prev[j + 1].max(cur[j])
                };
            }
            prev = cur;
        }
        prev
    }

    proptest::proptest! {
        #[test]
        fn bit_parallel_rows_equal_the_table(a in proptest::collection::vec(0u32..4, 0..150), b in proptest::collection::vec(0u32..4, 0..200)) {
            proptest::prop_assert_eq!(lcs_row(&a, &b), lcs_row_table(&a, &b));
        }

        #[test]
        fn alignment_rebuilds_both_sides(a in proptest::collection::vec(0u32..5, 0..60), b in proptest::collection::vec(0u32..5, 0..60)) {
            let ops = align(&a, &b);
            let (mut i, mut j) = (0, 0);
            let mut common = 0;
            for d in ops {
                match d {
                    Delta::Common => { proptest::prop_assert_eq!(a[i], b[j]); i += 1; j += 1; common += 1; }
                    Delta::Removed => i += 1,
                    Delta::Added => j += 1,
                }
            }
            proptest::prop_assert_eq!((i, j), (a.len(), b.len()));
            // Minimal: as many common lines as the longest common subsequence.
            proptest::prop_assert_eq!(common, *lcs_row_table(&a, &b).last().unwrap() as usize);
        }
    }

    #[test]
    fn keys_and_documents() {
        let m = "---\n# Source: c/templates/a.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    namespace: other\n";
        let idx = parse_manifest(
            m,
            &ParseOptions {
                default_namespace: "ns".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let keys: Vec<_> = idx.objects.keys().cloned().collect();
        assert_eq!(
            keys,
            ["ns, web, Deployment (apps)", "other, a, ConfigMap (v1)"]
        );
        assert!(idx.objects["ns, web, Deployment (apps)"]
            .content
            .starts_with("# Source: c/templates/a.yaml\n"));
    }

    #[test]
    fn masked_secret_markers() {
        let old =
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: YWJj\n  b: eHl6\n";
        let new = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: abc\n  b: changed\n";
        let (mut o, mut n) = (old.to_string(), new.to_string());
        prepare_secrets(
            Some(&mut o),
            Some(&mut n),
            Some("Secret"),
            Some("Secret"),
            SecretDisplay::Masked,
        );
        assert_eq!(o, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: 'REDACTED # (3 bytes)'\n  b: '-------- # (3 bytes)'\n");
        assert_eq!(n, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: 'REDACTED # (3 bytes)'\n  b: '++++++++ # (7 bytes)'\n");
    }

    #[test]
    fn hunks_count_lines() {
        let c = ObjectChange {
            key: "k".into(),
            kind: "K".into(),
            action: Action::Modify,
            change: ChangeType::Modify,
            old: None,
            new: None,
            lines: diff_texts("a\nb\nc\nd\ne\nf\ng", "a\nb\nC\nd\ne\nf\ng", false),
        };
        let h = c.hunks(1);
        assert_eq!(h.len(), 1);
        assert_eq!(
            (
                h[0].old_start,
                h[0].old_lines,
                h[0].new_start,
                h[0].new_lines
            ),
            (2, 3, 2, 3)
        );
    }
}
