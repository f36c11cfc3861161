//! `values.schema.json` validation, reported in Helm 4's words.
//!
//! Why: `helm template` refuses values that break a chart's schema, and users read the message.
//! Helm validates the coalesced values of each chart against that chart's own schema, walking
//! into subcharts with the values under their names, and prints one block per failing chart:
//!
//! ```text
//! values don't meet the specifications of the schema(s) in the following chart(s):
//! mychart:
//! - at '/port': got string, want integer
//! ```
//!
//! Helm 4 uses santhosh-tekuri/jsonschema; we validate with the `jsonschema` crate and rewrite
//! each error into that library's phrasing (`missing property 'name'`, `minimum: got 5, want 10`,
//! `value must be one of 'a', 'b'`). Helm's order of errors follows Go map iteration and so
//! varies between runs; ours is stable (schema evaluation order).

use crate::chart::Chart;
use crate::values::Value;
use std::fmt::Write as _;

/// A schema violation (or an unreadable schema); Display is Helm's full message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("values don't meet the specifications of the schema(s) in the following chart(s):\n{body}")]
pub struct SchemaError {
    /// The per-chart blocks (`NAME:\n- at '...': ...\n`).
    pub body: String,
}

/// Validates `values` (the coalesced values of `chart`) against the chart's schema and,
/// recursively, each subchart's values against its schema (Helm's `ValidateAgainstSchema`).
pub fn validate_chart(chart: &Chart, values: &Value) -> Result<(), SchemaError> {
    let mut body = String::new();
    collect(chart, values, &mut body, &mut Validators::default(), 0);
    if body.is_empty() {
        Ok(())
    } else {
        Err(SchemaError { body })
    }
}

/// Subchart levels validated: all that the loader accepts.
const MAX_DEPTH: usize = crate::chart::loader::MAX_CHART_DEPTH;

/// Compiled schemas by their text: an umbrella chart's aliased or copied subcharts share one.
type Validators<'c> = rustc_hash::FxHashMap<&'c [u8], Result<jsonschema::Validator, String>>;

fn collect<'c>(
    chart: &'c Chart,
    values: &Value,
    out: &mut String,
    validators: &mut Validators<'c>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(schema) = &chart.schema {
        let validator = validators
            .entry(&schema[..])
            .or_insert_with(|| compile(schema));
        if let Err(e) = validator
            .as_ref()
            .map_err(|e| e.clone())
            .and_then(|v| check(v, values))
        {
            let _ = write!(out, "{}:\n{}", chart.name(), e);
        }
    }
    let Some(map) = values.as_map() else { return };
    for sub in &chart.dependencies {
        match map.get(sub.name()) {
            None | Some(Value::Nil) => continue,
            Some(v @ Value::Map(_)) => {
                crate::values::deep::guard(|| collect(sub, &v, out, validators, depth + 1))
            }
            Some(other) => {
                let _ = write!(
                    out,
                    "{}:\ninvalid type for values: expected object (map), got {}\n",
                    sub.name(),
                    other.go_type_name()
                );
            }
        }
    }
}

/// Validates values against one schema document. `Err` is the text Helm prints under the
/// chart's name: the error lines ending in `\n`, or the schema's JSON/compile error.
pub fn validate_single(values: &Value, schema_json: &[u8]) -> Result<(), String> {
    check(&compile(schema_json)?, values)
}

/// A schema document compiled; `Err` is its JSON or compile error as Helm prints it.
fn compile(schema_json: &[u8]) -> Result<jsonschema::Validator, String> {
    let text = crate::gocompat::gostring::utf8_lossy(schema_json);
    let schema_value = crate::strvals::parse_json_document(&text)?;
    let mut schema = to_json(&schema_value, 0);
    normalize_meta_schema(&mut schema);
    jsonschema::options()
        .with_retriever(NoFetch)
        .build(&schema)
        .map_err(|e| match e.kind() {
            jsonschema::error::ValidationErrorKind::Referencing(
                jsonschema::ReferencingError::Unretrievable { uri, .. },
            ) => format!(
                "values.schema.json refers to {uri}: helm-rs does not fetch schemas (a chart's schema must be self-contained; Helm 4.1.4 would load it)"
            ),
            _ => e.to_string(),
        })
}

/// Resolves no `$ref` outside the schema document: rendering a chart never reaches the
/// network or the file system on the chart's say-so (Helm 4.1.4 downloads `http(s)` and reads
/// `file` references).
struct NoFetch;

impl jsonschema::Retrieve for NoFetch {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("not fetched: {}", uri.as_str()).into())
    }
}

fn check(validator: &jsonschema::Validator, values: &Value) -> Result<(), String> {
    let instance = to_json(values, 0);
    // The boolean check is much cheaper than collecting errors; most values are valid.
    if validator.is_valid(&instance) {
        return Ok(());
    }
    let errors: Vec<Issue> = validator
        .iter_errors(&instance)
        .map(|e| describe(&e))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(render(merge_required(errors)))
}

/// Charts write `$schema` loosely (`http://json-schema.org/schema#`, `https://...draft-07...`);
/// Helm's validator accepts those, the `jsonschema` crate only knows canonical URIs. Map any
/// URI naming a draft to that draft's canonical URI and drop the rest (default: 2020-12).
fn normalize_meta_schema(schema: &mut serde_json::Value) {
    let serde_json::Value::Object(obj) = schema else {
        return;
    };
    let Some(serde_json::Value::String(uri)) = obj.get("$schema") else {
        return;
    };
    let canonical = [
        ("draft-04", "http://json-schema.org/draft-04/schema#"),
        ("draft-06", "http://json-schema.org/draft-06/schema#"),
        ("draft-07", "http://json-schema.org/draft-07/schema#"),
        ("2019-09", "https://json-schema.org/draft/2019-09/schema"),
        ("2020-12", "https://json-schema.org/draft/2020-12/schema"),
    ]
    .iter()
    .find(|(k, _)| uri.contains(k))
    .map(|(_, v)| *v);
    match canonical {
        Some(c) => {
            obj.insert("$schema".into(), serde_json::Value::String(c.into()));
        }
        None => {
            obj.remove("$schema");
        }
    }
}

/// One reported problem: where, and what.
#[derive(Debug, Clone)]
struct Issue {
    path: String,
    message: String,
    /// For `required`: the missing names (merged per object as santhosh reports them).
    missing: Vec<String>,
}

fn merge_required(issues: Vec<Issue>) -> Vec<Issue> {
    let mut out: Vec<Issue> = Vec::new();
    for i in issues {
        if !i.missing.is_empty() {
            if let Some(prev) = out
                .iter_mut()
                .find(|p| p.path == i.path && !p.missing.is_empty())
            {
                prev.missing.extend(i.missing);
                continue;
            }
        }
        out.push(i);
    }
    for i in &mut out {
        if !i.missing.is_empty() {
            let names: Vec<String> = i.missing.iter().map(|n| format!("'{n}'")).collect();
            i.message = if names.len() == 1 {
                format!("missing property {}", names[0])
            } else {
                format!("missing properties {}", names.join(", "))
            };
        }
    }
    out
}

/// Renders issues as santhosh-tekuri does: one `- at 'PATH': MSG` line each; several problems
/// below one property are grouped under `- at 'PATH': validation failed` with indented lines.
fn render(issues: Vec<Issue>) -> String {
    // Group by the first path segment (the root's direct properties), keeping first-seen order.
    let mut groups: Vec<(String, Vec<Issue>)> = Vec::new();
    for i in issues {
        let key = top_segment(&i.path);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    // A lone failing property is not wrapped: santhosh collapses single-cause chains.
    let single = groups.len() == 1;
    let mut out = String::new();
    for (key, items) in groups {
        if single || items.len() == 1 || key.is_empty() {
            for i in items {
                let _ = writeln!(out, "- at '{}': {}", i.path, i.message);
            }
        } else {
            let _ = writeln!(out, "- at '{key}': validation failed");
            for i in items {
                let _ = writeln!(out, "  - at '{}': {}", i.path, i.message);
            }
        }
    }
    out
}

fn top_segment(path: &str) -> String {
    match path.strip_prefix('/') {
        Some(rest) => format!("/{}", rest.split('/').next().unwrap_or("")),
        None => String::new(),
    }
}

/// santhosh-tekuri's name for a JSON value's type.
fn type_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A value as santhosh quotes it in messages: strings in single quotes, null as `<nil>`.
fn quote(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("'{s}'"),
        serde_json::Value::Null => "<nil>".into(),
        serde_json::Value::Number(n) => number_text(n),
        other => other.to_string(),
    }
}

fn number_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    n.as_f64()
        .map(crate::gocompat::fmt::format_float_v)
        .unwrap_or_else(|| n.to_string())
}

fn count_of(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) => s.chars().count(),
        serde_json::Value::Array(a) => a.len(),
        serde_json::Value::Object(o) => o.len(),
        _ => 0,
    }
}

fn describe(e: &jsonschema::ValidationError<'_>) -> Issue {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let inst: &serde_json::Value = e.instance();
    let mut missing = Vec::new();
    let message = match e.kind() {
        K::Type { kind } => {
            const ORDER: [&str; 7] = [
                "null", "boolean", "number", "integer", "string", "array", "object",
            ];
            let mut want: Vec<String> = match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(m) => m.into_iter().map(|t| t.to_string()).collect(),
            };
            want.sort_by_key(|t| ORDER.iter().position(|o| o == t).unwrap_or(ORDER.len()));
            format!("got {}, want {}", type_of(inst), want.join(" or "))
        }
        K::Required { property } => {
            let name = property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string());
            missing.push(name.clone());
            format!("missing property '{name}'")
        }
        K::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected.iter().map(|n| format!("'{n}'")).collect();
            format!("additional properties {} not allowed", names.join(", "))
        }
        K::Enum { options } => {
            let opts = match &**options {
                serde_json::Value::Array(a) => a.iter().map(quote).collect::<Vec<_>>().join(", "),
                other => quote(other),
            };
            format!("value must be one of {opts}")
        }
        K::Constant { expected_value } => format!("value must be {}", quote(expected_value)),
        K::Pattern { pattern } => format!("{} does not match pattern '{pattern}'", quote(inst)),
        K::Minimum { limit } => format!("minimum: got {}, want {}", quote(inst), quote(limit)),
        K::Maximum { limit } => format!("maximum: got {}, want {}", quote(inst), quote(limit)),
        K::ExclusiveMinimum { limit } => format!(
            "exclusiveMinimum: got {}, want {}",
            quote(inst),
            quote(limit)
        ),
        K::ExclusiveMaximum { limit } => format!(
            "exclusiveMaximum: got {}, want {}",
            quote(inst),
            quote(limit)
        ),
        K::MultipleOf { multiple_of } => format!(
            "multipleOf: got {}, want {}",
            quote(inst),
            crate::gocompat::fmt::format_float_v(*multiple_of)
        ),
        K::MinLength { limit } => format!("minLength: got {}, want {limit}", count_of(inst)),
        K::MaxLength { limit } => format!("maxLength: got {}, want {limit}", count_of(inst)),
        K::MinItems { limit } => format!("minItems: got {}, want {limit}", count_of(inst)),
        K::MaxItems { limit } => format!("maxItems: got {}, want {limit}", count_of(inst)),
        K::MinProperties { limit } => {
            format!("minProperties: got {}, want {limit}", count_of(inst))
        }
        K::MaxProperties { limit } => {
            format!("maxProperties: got {}, want {limit}", count_of(inst))
        }
        K::Not { .. } => "'not' failed".into(),
        K::FalseSchema => "false schema".into(),
        K::AnyOf { .. } => "'anyOf' failed".into(),
        K::OneOfNotValid { .. } => "'oneOf' failed, none matched".into(),
        K::OneOfMultipleValid { .. } => "'oneOf' failed, multiple matched".into(),
        K::UniqueItems => "items are not unique".into(),
        K::Format { format } => format!("{} is not valid {format}", quote(inst)),
        K::Contains => "no items match contains schema".into(),
        _ => e.to_string(),
    };
    Issue {
        path: e.instance_path().as_str().to_string(),
        message,
        missing,
    }
}

/// Values → serde_json for the validator. Integral floats become integers so `type: integer`
/// accepts `port: 80` read from YAML (a float64 in Go that santhosh also treats as an integer).
fn to_json(v: &Value, depth: usize) -> serde_json::Value {
    if depth > 512 {
        return serde_json::Value::Null;
    }
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
        Value::Uint(u) => serde_json::Value::from(*u),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                serde_json::Value::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null)
            }
        }
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Bytes(b) => {
            serde_json::Value::String(crate::gocompat::gostring::utf8_lossy(b).into_owned())
        }
        Value::List(l) => {
            serde_json::Value::Array(l.iter().map(|x| to_json(x, depth + 1)).collect())
        }
        Value::Map(m) => serde_json::Value::Object(
            m.entries()
                .into_iter()
                .map(|(k, x)| (k.to_string(), to_json(&x, depth + 1)))
                .collect(),
        ),
        Value::Object(o) => to_json(&o.to_data(), depth + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(schema: &str, values: Value) -> Result<(), String> {
        validate_single(&values, schema.as_bytes())
    }

    #[test]
    fn messages_match_helm() {
        // Texts checked against Helm 4.1.4 (`helm template` with a violating --set).
        let s = r#"{"type":"object","required":["name","port"],"properties":{"port":{"type":"integer","minimum":10},"mode":{"enum":["a","b"]},"tag":{"pattern":"^v"},"n":{"type":["string","null"]},"c":{"const":3},"s":{"minLength":3}}}"#;
        let e = check(s, crate::vmap! {"port" => "abc"}).unwrap_err();
        assert!(
            e.contains("- at '': missing properties 'name', 'port'")
                || e.contains("- at '': missing property 'name'\n"),
            "{e}"
        );
        assert!(
            e.contains("- at '/port': got string, want integer\n"),
            "{e}"
        );
        let e = check(s, crate::vmap! {"name" => "x", "port" => Value::Int64(5)}).unwrap_err();
        assert_eq!(e, "- at '/port': minimum: got 5, want 10\n");
        let e = check(s, crate::vmap! {"name" => "x", "port" => 11.0, "mode" => "c", "tag" => "x", "n" => Value::Int64(1), "c" => Value::Int64(4), "s" => "ab"}).unwrap_err();
        for line in [
            "- at '/mode': value must be one of 'a', 'b'\n",
            "- at '/tag': 'x' does not match pattern '^v'\n",
            "- at '/n': got number, want null or string\n",
            "- at '/c': value must be 3\n",
            "- at '/s': minLength: got 2, want 3\n",
        ] {
            assert!(e.contains(line), "{line} in {e}");
        }
        assert!(check(s, crate::vmap! {"name" => "x", "port" => 80.0}).is_ok());
    }

    #[test]
    fn bad_schema_json_is_go_text() {
        let e = check("{bad", Value::empty_map()).unwrap_err();
        assert_eq!(
            e,
            "invalid character 'b' looking for beginning of object key string"
        );
    }
}
