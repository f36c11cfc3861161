//! yaml.v3's `Node` and the kyaml operations Helm's post-render step applies to it.
//!
//! kyaml's `RNode` is a handle on a `yaml.Node`; its filters (`SetAnnotation`,
//! `ClearAnnotation`, `ClearEmptyAnnotations`, `GetMeta`) edit the tree in place: they find the
//! first key with a given value, delete key/value pairs, append new pairs at the end of a
//! mapping. The functions here do the same to [`Node`]s, in the same order, so the written
//! document has its keys where kyaml leaves them.

use super::emitter;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Document,
    Sequence,
    Mapping,
    Scalar,
    Alias,
}

/// yaml.v3's `Style` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Style(u8);

impl Style {
    pub const TAGGED: Style = Style(1);
    pub const DOUBLE_QUOTED: Style = Style(2);
    pub const SINGLE_QUOTED: Style = Style(4);
    pub const LITERAL: Style = Style(8);
    pub const FOLDED: Style = Style(16);
    pub const FLOW: Style = Style(32);

    pub const fn empty() -> Style {
        Style(0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn contains(self, other: Style) -> bool {
        self.0 & other.0 != 0
    }
}

impl std::ops::BitOr for Style {
    type Output = Style;
    fn bitor(self, o: Style) -> Style {
        Style(self.0 | o.0)
    }
}
impl std::ops::BitOrAssign for Style {
    fn bitor_assign(&mut self, o: Style) {
        self.0 |= o.0
    }
}

/// A yaml.v3 node: what `Decoder.Decode(&node)` returns and `Encoder.Encode(&node)` writes.
/// An alias keeps only the anchor's name (in `value`), which is all writing it needs.
/// (No derived `Clone`/`PartialEq`: they would recurse as deep as the document.)
#[derive(Debug)]
pub struct Node {
    pub kind: Kind,
    pub style: Style,
    /// The short tag (`!!str`, `!!map`, `!custom`); for untagged plain scalars only `!!null`
    /// and `!!merge` are told apart (kyaml looks at nothing else).
    pub tag: String,
    pub value: String,
    pub anchor: String,
    pub content: Vec<Node>,
    pub head_comment: String,
    pub line_comment: String,
    pub foot_comment: String,
    pub line: i64,
    pub column: i64,
}

impl Drop for Node {
    /// Iterative, so a deep tree drops in constant stack.
    fn drop(&mut self) {
        if self.content.iter().all(|c| c.content.is_empty()) {
            return;
        }
        let mut pending: Vec<Node> = std::mem::take(&mut self.content);
        while let Some(mut n) = pending.pop() {
            pending.append(&mut n.content);
        }
    }
}

impl Node {
    pub fn new(kind: Kind) -> Node {
        Node {
            kind,
            style: Style::empty(),
            tag: String::new(),
            value: String::new(),
            anchor: String::new(),
            content: Vec::new(),
            head_comment: String::new(),
            line_comment: String::new(),
            foot_comment: String::new(),
            line: 0,
            column: 0,
        }
    }

    fn scalar(value: &str) -> Node {
        let mut n = Node::new(Kind::Scalar);
        n.value = value.to_string();
        n
    }

    /// kyaml's `IsMissingOrNull` for a present node: tagged `!!null`.
    pub fn is_null(&self) -> bool {
        self.tag == "!!null"
    }

    /// kyaml's `RNode.YNode`: a document's content, any other node itself.
    pub fn ynode(&self) -> Option<&Node> {
        if self.kind == Kind::Document {
            self.content.first()
        } else {
            Some(self)
        }
    }

    pub fn ynode_mut(&mut self) -> Option<&mut Node> {
        if self.kind == Kind::Document {
            self.content.first_mut()
        } else {
            Some(self)
        }
    }

    /// The value of the first key equal to `name` (kyaml's `Field`), for a mapping.
    pub fn field(&self, name: &str) -> Option<&Node> {
        if self.kind != Kind::Mapping {
            return None;
        }
        self.content
            .chunks_exact(2)
            .find(|kv| kv[0].value == name)
            .map(|kv| &kv[1])
    }

    fn field_index(&self, name: &str) -> Option<usize> {
        self.content
            .chunks_exact(2)
            .position(|kv| kv[0].value == name)
            .map(|i| i * 2)
    }

    /// kyaml's `IsYNodeNilOrEmpty` (a present node).
    fn is_nil_or_empty(&self) -> bool {
        self.is_null()
            || (self.kind == Kind::Mapping && self.content.is_empty())
            || (self.kind == Kind::Sequence && self.content.is_empty())
    }
}

/// kyaml's `InvalidNodeKindError` text for a node that should be a mapping.
fn wrong_kind(node: &Node) -> String {
    let got = match node.kind {
        Kind::Document => "DocumentNode",
        Kind::Sequence => "SequenceNode",
        Kind::Mapping => "MappingNode",
        Kind::Scalar => "ScalarNode",
        Kind::Alias => "AliasNode",
    };
    let mut msg = format!("wrong node kind: expected MappingNode but got {got}");
    if let Ok(s) = emitter::encode_documents(std::slice::from_ref(node), false) {
        msg.push_str(": node contents:\n");
        msg.push_str(&s);
    }
    msg
}

/// kyaml's `ErrorIfInvalid(rn, MappingNode)`.
fn check_mapping(n: &Node) -> Result<(), String> {
    if n.is_null() || n.kind == Kind::Mapping {
        Ok(())
    } else {
        Err(wrong_kind(n))
    }
}

/// kyaml's `FieldClearer{Name, IfEmpty}` on `rn`.
fn field_clear(rn: &mut Node, name: &str, if_empty: bool) -> Result<(), String> {
    check_mapping(rn)?;
    // (A null node passes too, and its content is searched: see `set_annotation`.)
    // The first pair with that key, skipping (with `if_empty`) those whose value has content.
    let found = rn
        .content
        .chunks_exact(2)
        .position(|kv| kv[0].value == name && (!if_empty || kv[1].content.is_empty()));
    if let Some(i) = found {
        rn.content.drain(2 * i..2 * i + 2);
    }
    Ok(())
}

/// kyaml's `ClearEmptyAnnotations`: drops `metadata.annotations` and then `metadata` when they
/// have no content (null, empty, or a scalar).
fn clear_empty_annotations(rn: &mut Node) -> Result<(), String> {
    // Lookup("metadata") then FieldClearer{annotations, IfEmpty}.
    if !rn.is_null() {
        check_mapping(rn)?;
        if let Some(i) = rn.field_index("metadata") {
            field_clear(&mut rn.content[i + 1], "annotations", true)?;
        }
    }
    field_clear(rn, "metadata", true)
}

/// kyaml's `PathGetter{Path: [name], Create: MappingNode}` step: the value of `name`, appended
/// as an empty mapping when missing. `None` where kyaml's lookup stops (a null node).
fn lookup_create<'a>(rn: &'a mut Node, name: &str) -> Result<Option<&'a mut Node>, String> {
    if rn.is_null() {
        return Ok(None);
    }
    check_mapping(rn)?;
    let i = match rn.field_index(name) {
        Some(i) => i,
        None => {
            rn.content.push(Node::scalar(name));
            rn.content.push(Node::new(Kind::Mapping));
            rn.content.len() - 2
        }
    };
    Ok(Some(&mut rn.content[i + 1]))
}

/// kyaml's `SetAnnotation(key, value)` on a document (or a bare mapping).
pub fn set_annotation(doc: &mut Node, key: &str, value: &str) -> Result<(), String> {
    let Some(rn) = doc.ynode_mut() else {
        return Ok(());
    };
    clear_empty_annotations(rn)?;
    let Some(meta) = lookup_create(rn, "metadata")? else {
        return Ok(());
    };
    let Some(ann) = lookup_create(meta, "annotations")? else {
        return Ok(());
    };
    check_mapping(ann)?;
    let mut v = Node::scalar(value);
    v.tag = "!!str".into();
    v.style = Style::SINGLE_QUOTED;
    if ann.is_null() {
        // kyaml's FieldSetter finds nothing in a null node and appends the pair to its
        // content anyway: the node stays a null scalar (written as such) whose hidden pairs
        // make it non-empty for `ClearEmptyAnnotations` and clearable by `ClearAnnotation`.
        ann.content.push(Node::scalar(key));
        ann.content.push(v);
        return Ok(());
    }
    match ann.field_index(key) {
        Some(i) => {
            // FieldSetter keeps the style of the value it replaces.
            let old_style = ann.content[i + 1].style;
            v.style = old_style;
            ann.content[i + 1] = v;
        }
        None => {
            ann.content.push(Node::scalar(key));
            ann.content.push(v);
        }
    }
    Ok(())
}

/// kyaml's `ClearAnnotation(key)`: removes the annotation if `metadata.annotations` exists.
pub fn clear_annotation(doc: &mut Node, key: &str) -> Result<(), String> {
    let Some(rn) = doc.ynode_mut() else {
        return Ok(());
    };
    // PathGetter{metadata, annotations} without create: Get on each step.
    if rn.is_null() {
        return Ok(());
    }
    check_mapping(rn)?;
    let Some(i) = rn.field_index("metadata") else {
        return Ok(());
    };
    let meta = &mut rn.content[i + 1];
    if meta.is_null() {
        return Ok(());
    }
    check_mapping(meta)?;
    let Some(j) = meta.field_index("annotations") else {
        return Ok(());
    };
    field_clear(&mut meta.content[j + 1], key, false)
}

/// `GetMeta().Annotations[key]` where present: the first key of that name (kyaml visits fields
/// by name, so a repeated key reads as its first value).
pub fn annotation(doc: &Node, key: &str) -> Option<String> {
    let n = doc.ynode()?;
    if n.is_null() {
        return None;
    }
    let meta = n.field("metadata")?;
    if meta.is_nil_or_empty() {
        return None;
    }
    let ann = meta.field("annotations")?;
    if ann.is_nil_or_empty() || ann.kind != Kind::Mapping {
        return None;
    }
    ann.content
        .chunks_exact(2)
        .filter(|kv| kv[0].value == key)
        .map(|kv| {
            if kv[1].is_null() {
                String::new()
            } else {
                kv[1].value.clone()
            }
        })
        .next()
}

/// kyaml's `GetMeta` as Helm's split reads it: the annotation's value (empty when absent), or
/// `missing Resource metadata` for a mapping with no `apiVersion`, `kind` or metadata fields.
pub fn get_meta_annotation(doc: &Node, key: &str) -> Result<String, String> {
    let Some(n) = doc.ynode() else {
        return Ok(String::new());
    };
    if n.is_null() {
        return Ok(String::new());
    }
    let present = |f: Option<&Node>| f.map(|v| !v.is_nil_or_empty()).unwrap_or(false);
    let mut missing = !(present(n.field("apiVersion")) || present(n.field("kind")));
    if let Some(meta) = n.field("metadata").filter(|m| !m.is_nil_or_empty()) {
        for f in ["name", "namespace", "labels", "annotations"] {
            if present(meta.field(f)) {
                missing = false;
            }
        }
    }
    if missing {
        return Err("missing Resource metadata".into());
    }
    Ok(annotation(doc, key).unwrap_or_default())
}

/// kyaml's reader: `CopyLegacyAnnotations`, then the index annotations it sets on every
/// document it reads (which the writer clears again). Their net effect on the tree is the
/// `metadata`/`annotations` mappings they create and the empty ones they drop.
pub fn reader_annotations(doc: &mut Node, index: usize) -> Result<(), String> {
    copy_legacy_annotations(doc)?;
    let idx = index.to_string();
    set_annotation(doc, "config.kubernetes.io/index", &idx)?;
    set_annotation(doc, "internal.config.kubernetes.io/index", &idx)
}

fn copy_legacy_annotations(doc: &mut Node) -> Result<(), String> {
    let pairs = [
        (
            "config.kubernetes.io/path",
            "internal.config.kubernetes.io/path",
        ),
        (
            "config.kubernetes.io/index",
            "internal.config.kubernetes.io/index",
        ),
        (
            "config.kubernetes.io/id",
            "internal.config.kubernetes.io/id",
        ),
    ];
    for (legacy, new) in pairs {
        let new_value = annotation(doc, new).unwrap_or_default();
        let legacy_value = annotation(doc, legacy).unwrap_or_default();
        if !new_value.is_empty() {
            if legacy_value.is_empty() {
                set_annotation(doc, legacy, &new_value)?;
            }
        } else if !legacy_value.is_empty() {
            set_annotation(doc, new, &legacy_value)?;
        }
    }
    Ok(())
}

/// kyaml's writer before encoding: the reader's annotations cleared, then empty
/// `annotations`/`metadata` dropped.
pub fn writer_cleanup(doc: &mut Node) -> Result<(), String> {
    clear_annotation(doc, "internal.config.kubernetes.io/index")?;
    clear_annotation(doc, "config.kubernetes.io/index")?;
    clear_annotation(doc, "internal.config.kubernetes.io/seqindent")?;
    if let Some(rn) = doc.ynode_mut() {
        clear_empty_annotations(rn)?;
    }
    Ok(())
}
