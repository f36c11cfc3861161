//! kustomize's kyaml as Helm 4 uses it to merge rendered files into one stream for a
//! post-renderer and to split the post-renderer's output again (`kio.ParseAll`,
//! `kio.StringAll`, `SetAnnotation`, `ClearAnnotation`, `GetMeta`).
//!
//! kyaml keeps documents as yaml.v3 nodes, so what a post-renderer reads (and what Helm
//! installs afterwards) is every document re-written by yaml.v3: comments kept where yaml.v3's
//! parser attaches them, scalar styles kept, blank lines gone (but one after a foot comment),
//! sequences written compact at their key's indentation, keys kyaml adds appended at the end
//! of their mapping. To give the same bytes this module carries its own yaml.v3 reader
//! (`scanner`, `parser`) and writer (`emitter`) over a [`Node`] tree; the value-level
//! YAML code in [`crate::values::yaml`] has no comments and no node styles, so nothing is
//! shared with it but the idea.
//!
//! Everything works with explicit stacks; yaml.v3's own limits (10000 nested flow levels or
//! indentation levels) bound the input, as in Helm.
//!
//! Not carried over: kyaml's writer prints a lone document as JSON when it carries a
//! `config.kubernetes.io/path` annotation naming a `*.json` file (a kustomize convention no
//! chart is expected to use); here it is written as YAML like any other.

mod emitter;
mod node;
mod parser;
mod scanner;

pub use node::{Kind, Node, Style};

/// A yaml.v3 decoding error: Display is yaml.v3's text (`yaml: line N: problem`).
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError(pub String);

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// kio's `splitDocuments`: the text cut at every match of `\n---.*\n` (a separator line may
/// carry only a comment after `---`).
fn split_documents(s: &str) -> Result<Vec<&str>, String> {
    let mut docs = Vec::new();
    if s.is_empty() {
        return Ok(docs);
    }
    let b = s.as_bytes();
    let mut prev = 0;
    let mut from = 0;
    while let Some(off) = s[from..].find("\n---") {
        let p = from + off;
        let Some(nl) = s[p + 4..].find('\n') else {
            break;
        };
        let end = p + 4 + nl + 1;
        let sep = &s[p..end];
        let after = sep[4..].trim();
        if !after.is_empty() && !after.starts_with('#') {
            return Err(format!("invalid document separator: {}", sep.trim()));
        }
        docs.push(&s[prev..p]);
        prev = end;
        from = end;
        let _ = b;
    }
    docs.push(&s[prev..]);
    Ok(docs)
}

/// kio's `ParseAll` (a `ByteReader` with its defaults): every non-empty document of `input`,
/// with the reader's annotations already set and cleared again as the writer will, a lone
/// `List`/`ResourceList` unwrapped into its items.
pub fn parse_all(input: &str) -> Result<Vec<Node>, String> {
    let text = input.replace("\r\n", "\n");
    let values = split_documents(&text)?;
    let single = values.len() == 1;
    let mut out = Vec::new();
    let mut index = 0usize;
    for (i, v) in values.iter().enumerate() {
        let mut piece = v.to_string();
        if i != values.len() - 1 {
            piece.push('\n');
        }
        let doc = match parser::decode_first_document(&piece) {
            Ok(None) => continue,
            Ok(Some(d)) => d,
            Err(e) => return Err(format!("MalformedYAMLError: {e}")),
        };
        if doc.content.first().map(|c| c.is_null()).unwrap_or(true) {
            continue;
        }
        let mut doc = doc;
        node::reader_annotations(&mut doc, index)?;
        let root = doc.ynode();
        let kind = root
            .and_then(|r| r.field("kind"))
            .filter(|k| !k.is_null())
            .map(|k| k.value.clone())
            .unwrap_or_default();
        let wraps = root
            .map(|r| r.field("items").is_some() || r.field("functionConfig").is_some())
            .unwrap_or(false);
        if single && (kind == "ResourceList" || kind == "List") && wraps {
            let mut doc = doc;
            if let Some(r) = doc.ynode_mut() {
                if let Some(i) = r
                    .content
                    .chunks_exact(2)
                    .position(|kv| kv[0].value == "items")
                {
                    let items = std::mem::take(&mut r.content[2 * i + 1]);
                    out.extend(items.into_content());
                }
            }
            continue;
        }
        out.push(doc);
        index += 1;
    }
    Ok(out)
}

/// kio's `StringAll` (a `ByteWriter` with its defaults): the reader's annotations cleared,
/// empty `annotations`/`metadata` dropped, every node written by one yaml.v3 encoder. kyaml
/// writes copies; the nodes are taken here instead (no caller uses them afterwards).
pub fn string_all(nodes: Vec<Node>) -> Result<String, String> {
    let mut copies = nodes;
    for n in &mut copies {
        node::writer_cleanup(n)?;
    }
    // A document whose only key is kyaml's bare-sequence wrapper is written as the sequence.
    let roots: Vec<Node> = copies
        .into_iter()
        .map(|mut n| {
            let unwrapped = n.ynode_mut().and_then(|r| {
                if r.kind != Kind::Mapping {
                    return None;
                }
                let i = r
                    .content
                    .chunks_exact(2)
                    .position(|kv| kv[0].value == "bareSeqNodeWrappingKey")?;
                let v = &r.content[2 * i + 1];
                let empty = v.is_null()
                    || (matches!(v.kind, Kind::Mapping | Kind::Sequence) && v.content.is_empty());
                (!empty).then(|| std::mem::take(&mut r.content[2 * i + 1]))
            });
            unwrapped.unwrap_or(n)
        })
        .collect();
    emitter::encode_documents(&roots, false)
}

/// kyaml's `SetAnnotation(key, value)` on a node from [`parse_all`].
pub fn set_annotation(node: &mut Node, key: &str, value: &str) -> Result<(), String> {
    node::set_annotation(node, key, value)
}

/// kyaml's `ClearAnnotation(key)`.
pub fn clear_annotation(node: &mut Node, key: &str) -> Result<(), String> {
    node::clear_annotation(node, key)
}

/// kyaml's `GetMeta().Annotations[key]` (empty when absent), or `GetMeta`'s error.
pub fn meta_annotation(node: &Node, key: &str) -> Result<String, String> {
    node::get_meta_annotation(node, key)
}

impl Default for Node {
    fn default() -> Self {
        Node::new(Kind::Scalar)
    }
}

impl Node {
    fn into_content(mut self) -> Vec<Node> {
        std::mem::take(&mut self.content)
    }
}

// The round trips of small inputs through merge and split are tested beside them, in
// `render/post_render_tests.rs` (this module sits below `render` and does not use it).
