//! Values files as Helm reads them (`chartutil.ReadValues`) and merges them (`-f a.yaml -f
//! b.yaml`: later files win, maps merge, lists and scalars replace).
//!
//! Why in the data layer: a chart's own values.yaml, the user's `-f` files and the bindings'
//! in-memory values all go through these rules, before any chart-aware coalescing.

use super::{Map, Value};

/// Errors from reading values files and from coalescing them with a chart's
/// ([`crate::chart_values::coalesce`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValuesError {
    /// A subchart's key in the parent's values is not a map (`type mismatch on sub: %!t(...)`).
    #[error("type mismatch on {name}: %!t({value})")]
    TypeMismatch { name: String, value: String },
    /// A values file that does not parse (Display without the file name; the CLI adds
    /// `failed to parse FILE: `).
    #[error("{message}")]
    Parse {
        line: usize,
        column: usize,
        message: String,
    },
}

/// Reads a values file as Helm does (`LoadValues`): one or more YAML documents, each a map (or
/// empty), merged in order. Errors read like Helm's (`cannot unmarshal yaml document: ...`).
pub fn read_values(src: &str) -> Result<Value, ValuesError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let docs = split_yaml_documents(src).map_err(|m| ValuesError::Parse {
        line: 0,
        column: 0,
        message: format!("error reading yaml document: {m}"),
    })?;
    let mut values = Map::new();
    for doc in docs {
        let v = super::yaml::from_str(&doc).map_err(|e| ValuesError::Parse {
            line: e.line,
            column: e.column,
            message: format!("cannot unmarshal yaml document: {}", e.message),
        })?;
        match v {
            Value::Map(m) => values = merge_maps(&values, &m),
            Value::Nil => {}
            other => {
                let kind = match other {
                    Value::Bool(_) => "bool",
                    Value::String(_) => "string",
                    Value::List(_) => "array",
                    _ => "number",
                };
                return Err(ValuesError::Parse {
                    line: 0,
                    column: 0,
                    message: format!(
                        "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                    ),
                });
            }
        }
    }
    Ok(Value::Map(values))
}

/// Splits a YAML stream into documents as k8s' `YAMLReader` does (lines starting with `---`;
/// only a comment may follow the marker) for Helm's multi-document values files.
fn split_yaml_documents(src: &str) -> Result<Vec<String>, String> {
    let mut docs = Vec::new();
    let mut buf = String::new();
    for line in src.split_inclusive('\n') {
        if let Some(after) = line.strip_prefix("---") {
            let trimmed = after.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!("invalid Yaml document separator: {trimmed}"));
            }
            if !buf.is_empty() {
                docs.push(std::mem::take(&mut buf));
            }
            continue;
        }
        buf.push_str(line);
    }
    if !buf.is_empty() {
        docs.push(buf);
    }
    Ok(docs)
}

/// The CLI's merge of `-f` files (and documents of one values file): a new map where `b`'s keys
/// win, maps merging recursively; lists and scalars replace.
pub fn merge_maps(a: &Map, b: &Map) -> Map {
    let out = a.shallow_copy();
    for (k, v) in b.entries() {
        if let Value::Map(vm) = &v {
            if let Some(Value::Map(bv)) = out.get(&k) {
                out.insert(k, Value::Map(super::deep::guard(|| merge_maps(&bv, vm))));
                continue;
            }
        }
        out.insert(k, v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_document_splitting() {
        assert_eq!(
            split_yaml_documents("a: 1\n---\nb: 2\n").unwrap(),
            vec!["a: 1\n", "b: 2\n"]
        );
        assert_eq!(
            split_yaml_documents("---\na: 1\n--- # c\n").unwrap(),
            vec!["a: 1\n"]
        );
        assert!(split_yaml_documents("--- x\n").is_err());
    }
}
