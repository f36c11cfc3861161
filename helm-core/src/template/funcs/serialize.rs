//! Template functions: Helm's and Sprig's serialization (`toYaml`, `fromYaml`, `toJson`, …).
//!
//! Helm replaces Sprig's `toJson`/`fromJson` and adds YAML and TOML helpers. Their error
//! conventions differ and charts rely on them: `toYaml`/`toJson` print "" on failure,
//! `fromYaml`/`fromJson` return a map whose `Error` key holds the message, the array readers
//! return a one-element list holding it, `toToml` prints the error text, and the `must…`
//! variants (and Sprig's `toRawJson`, which panics) fail the template.

use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::{json, yaml, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub fn register(t: &mut FuncTable) {
    t.add("toYaml", &[Param::Any], None, to_yaml);
    t.add("mustToYaml", &[Param::Any], None, must_to_yaml);
    t.add("toYamlPretty", &[Param::Any], None, to_yaml_pretty);
    t.add("fromYaml", &[Param::String], None, from_yaml);
    t.add("fromYamlArray", &[Param::String], None, from_yaml_array);
    t.add("toJson", &[Param::Any], None, to_json);
    t.add("mustToJson", &[Param::Any], None, must_to_json);
    t.add("fromJson", &[Param::String], None, from_json);
    t.add("fromJsonArray", &[Param::String], None, from_json_array);
    t.add("mustFromJson", &[Param::String], None, must_from_json);
    t.add("toPrettyJson", &[Param::Any], None, to_pretty_json);
    t.add("mustToPrettyJson", &[Param::Any], None, must_to_pretty_json);
    t.add("toRawJson", &[Param::Any], None, to_raw_json);
    t.add("mustToRawJson", &[Param::Any], None, to_raw_json);
    t.add("toToml", &[Param::Any], None, to_toml);
    t.add("fromToml", &[Param::String], None, from_toml);
}

fn arg(args: &[Value]) -> Value {
    args.first().cloned().unwrap_or(Value::Nil)
}
fn str_arg(args: &[Value]) -> String {
    match args.first() {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

fn trim_nl(s: String) -> String {
    match s.strip_suffix('\n') {
        Some(t) => t.to_string(),
        None => s,
    }
}

/// `toYaml`: sigs.k8s.io/yaml.Marshal without the final newline; "" on error.
fn to_yaml(args: &[Value]) -> FuncResult {
    Ok(Value::from(
        yaml::to_string(&arg(args)).map(trim_nl).unwrap_or_default(),
    ))
}

fn must_to_yaml(args: &[Value]) -> FuncResult {
    yaml::to_string(&arg(args))
        .map(|s| Value::from(trim_nl(s)))
        .map_err(|e| FuncError::new(e.message))
}

/// `toYamlPretty` (Helm 4): a yaml.v3 encoder with 2-space indent, which indents sequences
/// under their key. "" on error.
fn to_yaml_pretty(args: &[Value]) -> FuncResult {
    Ok(Value::from(
        yaml::to_string_pretty(&arg(args))
            .map(trim_nl)
            .unwrap_or_default(),
    ))
}

/// `fromYaml`: a map, or `{"Error": message}`.
fn from_yaml(args: &[Value]) -> FuncResult {
    Ok(match yaml::from_str_map(&str_arg(args)) {
        Ok(v) => v,
        Err(e) => error_map(e.message),
    })
}

/// `fromYamlArray`: a list, or `[message]`.
fn from_yaml_array(args: &[Value]) -> FuncResult {
    Ok(match yaml::from_str_list(&str_arg(args)) {
        Ok(v) => v,
        Err(e) => Value::list(vec![Value::from(e.message)]),
    })
}

fn error_map(msg: String) -> Value {
    let m = Map::new();
    m.insert("Error", Value::from(msg));
    Value::Map(m)
}

/// `toJson`: json.Marshal; "" on error.
fn to_json(args: &[Value]) -> FuncResult {
    Ok(Value::from(json::to_string(&arg(args))))
}

fn must_to_json(args: &[Value]) -> FuncResult {
    json::marshal(&arg(args), true)
        .map(Value::from)
        .map_err(|e| FuncError::new(e.message))
}

fn json_type_error(v: &Value, target: &str) -> String {
    let kind = match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    };
    format!("json: cannot unmarshal {kind} into Go value of type {target}")
}

/// `fromJson` (Helm's): a map, or `{"Error": message}`; JSON `null` leaves the map empty.
fn from_json(args: &[Value]) -> FuncResult {
    Ok(match json::from_str(&str_arg(args)) {
        Ok(v @ Value::Map(_)) => v,
        Ok(Value::Nil) => Value::empty_map(),
        Ok(other) => error_map(json_type_error(&other, "map[string]interface {}")),
        Err(e) => error_map(e.message),
    })
}

/// `fromJsonArray`: a list, or `[message]`.
fn from_json_array(args: &[Value]) -> FuncResult {
    Ok(match json::from_str(&str_arg(args)) {
        Ok(v @ Value::List(_)) => v,
        Ok(Value::Nil) => Value::list(Vec::new()),
        Ok(other) => Value::list(vec![Value::from(json_type_error(&other, "[]interface {}"))]),
        Err(e) => Value::list(vec![Value::from(e.message)]),
    })
}

/// Sprig's `mustFromJson`: json.Unmarshal into `interface{}`, failing the template on error.
fn must_from_json(args: &[Value]) -> FuncResult {
    json::from_str(&str_arg(args)).map_err(|e| FuncError::new(e.message))
}

/// Sprig's `toPrettyJson`: json.MarshalIndent(v, "", "  "), "" on error.
fn to_pretty_json(args: &[Value]) -> FuncResult {
    Ok(Value::from(json::to_string_indent(&arg(args), "", "  ")))
}

fn must_to_pretty_json(args: &[Value]) -> FuncResult {
    json::marshal_indent(&arg(args), "", "  ", true)
        .map(Value::from)
        .map_err(|e| FuncError::new(e.message))
}

/// Sprig's `toRawJson`/`mustToRawJson`: an Encoder without HTML escaping (errors fail).
fn to_raw_json(args: &[Value]) -> FuncResult {
    json::marshal(&arg(args), false)
        .map(Value::from)
        .map_err(|e| FuncError::new(e.message))
}

// ----- TOML (BurntSushi/toml's encoder and decoder as Helm uses them) -------------------------

/// `toToml`: BurntSushi's encoder output, or the error text.
fn to_toml(args: &[Value]) -> FuncResult {
    let v = arg(args);
    let v = match v {
        Value::Object(o) => o.to_data(),
        other => other,
    };
    let Value::Map(m) = v else {
        // BurntSushi encodes a lone scalar or array as its TOML value.
        return Ok(Value::from(match toml_inline(&v) {
            Ok(Some(s)) => s,
            Ok(None) => String::new(),
            Err(e) => e,
        }));
    };
    let mut out = String::new();
    match toml_table(&mut out, &m, &mut Vec::new(), 0) {
        Ok(()) => Ok(Value::from(out)),
        Err(e) => Ok(Value::from(e)),
    }
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_string(k)
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if let Some(e) = crate::values::json::short_escape(c) {
            out.push_str(e);
            continue;
        }
        match c {
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_float(f: f64) -> Result<String, String> {
    if f.is_nan() {
        return Ok("nan".into());
    }
    if f.is_infinite() {
        return Ok(if f > 0.0 { "inf".into() } else { "-inf".into() });
    }
    // BurntSushi: strconv.FormatFloat(f, 'g', -1, 64), plus ".0" when it reads as an integer.
    let s = yaml::format_go_float_g(f, false);
    Ok(if s.contains(['.', 'e']) {
        s
    } else {
        format!("{s}.0")
    })
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_) | Value::Object(_))
}
fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::List(l) if !l.is_empty() && l.iter().all(is_table))
}

fn toml_inline(v: &Value) -> Result<Option<String>, String> {
    toml_inline_at(v, 0)
}

fn toml_inline_at(v: &Value, depth: usize) -> Result<Option<String>, String> {
    if !matches!(v, Value::List(_) | Value::Map(_) | Value::Object(_)) {
        return toml_inline_here(v, depth);
    }
    if depth >= crate::values::deep::MAX_VALUE_DEPTH {
        return Err("toml: value nested too deep".into());
    }
    crate::values::deep::guard(|| toml_inline_here(v, depth))
}

fn toml_inline_here(v: &Value, depth: usize) -> Result<Option<String>, String> {
    Ok(Some(match v {
        Value::Nil => return Ok(None),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => toml_float(*f)?,
        Value::String(s) => toml_string(s),
        // A Go []byte is a slice like any other for BurntSushi's encoder: an array of integers.
        Value::Bytes(b) => format!(
            "[{}]",
            b.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::List(items) => {
            let mut parts = Vec::new();
            for i in items.iter() {
                match toml_inline_at(i, depth + 1)? {
                    Some(s) => parts.push(s),
                    None => return Err("toml: cannot encode array with nil element".into()),
                }
            }
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let mut parts = Vec::new();
            for (k, v) in m.entries() {
                if let Some(s) = toml_inline_at(&v, depth + 1)? {
                    parts.push(format!("{} = {}", toml_key(&k), s));
                }
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Object(o) => return toml_inline_at(&o.to_data(), depth + 1),
    }))
}

fn toml_table(
    out: &mut String,
    m: &Map,
    path: &mut Vec<String>,
    depth: usize,
) -> Result<(), String> {
    if depth > 100 {
        return Err("toml: nesting too deep".into());
    }
    let indent = "  ".repeat(path.len());
    let entries = m.entries();
    // Plain keys first, then sub-tables, then arrays of tables (BurntSushi's order).
    for (k, v) in &entries {
        if is_table(v) || is_table_array(v) {
            continue;
        }
        if let Some(s) = toml_inline(v)? {
            out.push_str(&format!("{indent}{} = {s}\n", toml_key(k)));
        }
    }
    // Then tables and arrays of tables, in key order.
    for (k, v) in &entries {
        let v = match v {
            Value::Object(o) => o.to_data(),
            other => other.clone(),
        };
        if let Value::Map(sub) = &v {
            path.push(toml_key(k));
            let ind = "  ".repeat(path.len() - 1);
            // BurntSushi separates top-level tables with a blank line (once anything is written).
            if path.len() == 1 && !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{ind}[{}]\n", path.join(".")));
            crate::values::deep::guard(|| toml_table(out, sub, path, depth + 1))?;
            path.pop();
        } else if is_table_array(&v) {
            if let Value::List(items) = &v {
                path.push(toml_key(k));
                let ind = "  ".repeat(path.len() - 1);
                for item in items.iter() {
                    let item = match item {
                        Value::Object(o) => o.to_data(),
                        other => other.clone(),
                    };
                    if let Value::Map(sub) = &item {
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(&format!("{ind}[[{}]]\n", path.join(".")));
                        crate::values::deep::guard(|| toml_table(out, sub, path, depth + 1))?;
                    }
                }
                path.pop();
            }
        }
    }
    Ok(())
}

/// `fromToml`: a map, or `{"Error": message}`. Integers are int64, floats float64.
fn from_toml(args: &[Value]) -> FuncResult {
    let src = str_arg(args);
    Ok(match src.parse::<toml::Table>() {
        Ok(t) => toml_to_value(&toml::Value::Table(t)),
        Err(e) => error_map(format!("toml: {}", e.message())),
    })
}

fn toml_to_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::Int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(a) => Value::list(a.iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => {
            let m: BTreeMap<Arc<str>, Value> = t
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), toml_to_value(v)))
                .collect();
            Value::Map(Map::from_btree(m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmap;

    fn call(f: fn(&[Value]) -> FuncResult, v: Value) -> String {
        match f(&[v]) {
            Ok(Value::String(s)) => s.to_string(),
            Ok(other) => json::to_string(&other),
            Err(e) => format!("ERR {}", e.0),
        }
    }

    // Expectations from Helm 4.1.4 (conformance vectors v0567–v0626 and helm-oracle runs).
    #[test]
    fn helm_vectors() {
        assert_eq!(
            call(
                from_yaml,
                Value::from("a: 1\nb: [x, y]\nc: {d: yes, e: on, f: 0777, g: 1e3, h: ~}")
            ),
            r#"{"a":1,"b":["x",true],"c":{"d":true,"e":true,"f":511,"g":1000,"h":null}}"#
        );
        assert_eq!(
            call(from_yaml, Value::from("- a\n- b")),
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(
            call(from_yaml, Value::from("a: [")),
            r#"{"Error":"error converting YAML to JSON: yaml: line 1: did not find expected node content"}"#
        );
        assert_eq!(
            call(
                from_json,
                Value::from(r#"{"a": 1, "b": 1.5, "c": 12345678901}"#)
            ),
            r#"{"a":1,"b":1.5,"c":12345678901}"#
        );
        assert_eq!(
            call(from_json_array, Value::from(r#"[1, "x", null]"#)),
            r#"[1,"x",null]"#
        );
        let l = Value::list(vec![
            vmap! {"a" => Value::Int(1)},
            vmap! {"b" => Value::list(vec![Value::Int(1), Value::Int(2)])},
        ]);
        assert_eq!(call(to_yaml, l), "- a: 1\n- b:\n  - 1\n  - 2");
        assert_eq!(call(to_yaml, Value::from("plain")), "plain");
        assert_eq!(call(to_yaml, Value::Int(1)), "1");
        assert_eq!(call(to_yaml, Value::Float(1.5)), "1.5");
        assert_eq!(call(to_yaml, Value::Nil), "null");
        assert_eq!(call(to_yaml, Value::list(vec![])), "[]");
        assert_eq!(call(to_yaml, Value::empty_map()), "{}");
        assert_eq!(
            call(to_yaml, Value::from("this is a rather long string that goes well beyond eighty characters in width so that any emitter line folding would kick in here")),
            "this is a rather long string that goes well beyond eighty characters in width so that\n  any emitter line folding would kick in here"
        );
        assert_eq!(call(to_json, Value::Float(1e21)), "1e+21");
        assert_eq!(call(to_json, Value::Float(0.000001)), "0.000001");
        let html = Value::from("<b>&amp;</b>");
        assert_eq!(call(to_raw_json, html.clone()), "\"<b>&amp;</b>\"");
        assert_eq!(
            call(to_json, html),
            "\"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e\""
        );
        assert_eq!(call(to_pretty_json, Value::Nil), "null");
        let nested = vmap! {
            "enabled" => true,
            "labels" => vmap!{"app.kubernetes.io/name" => "demo", "tier" => "web"},
            "name" => "app",
            "ports" => Value::list(vec![Value::Float(80.0), Value::Float(443.0)]),
            "resources" => vmap!{"limits" => vmap!{"cpu" => "100m", "memory" => "128Mi"}},
        };
        assert_eq!(
            call(to_pretty_json, nested.clone()),
            "{\n  \"enabled\": true,\n  \"labels\": {\n    \"app.kubernetes.io/name\": \"demo\",\n    \"tier\": \"web\"\n  },\n  \"name\": \"app\",\n  \"ports\": [\n    80,\n    443\n  ],\n  \"resources\": {\n    \"limits\": {\n      \"cpu\": \"100m\",\n      \"memory\": \"128Mi\"\n    }\n  }\n}"
        );
        assert_eq!(
            call(to_toml, nested),
            "enabled = true\nname = \"app\"\nports = [80.0, 443.0]\n\n[labels]\n  \"app.kubernetes.io/name\" = \"demo\"\n  tier = \"web\"\n\n[resources]\n  [resources.limits]\n    cpu = \"100m\"\n    memory = \"128Mi\"\n"
        );
        let specialkeys = vmap! {"key with space" => 1.0, "123" => 2.0, "true" => 3.0, "" => 4.0, "a:b" => 5.0, "-dash" => 6.0};
        assert_eq!(
            call(to_yaml, specialkeys),
            "\"\": 4\n-dash: 6\n\"123\": 2\na:b: 5\nkey with space: 1\n\"true\": 3"
        );
    }

    /// Helm 4.1.4 (helm-oracle) output for a values tree through `toToml` and friends.
    #[test]
    fn toml_and_error_forms_from_helm() {
        let src = "t:\n  i: 5\n  f: 1.5\n  big: 1e6\n  s: \"q\\\"uote\"\n  n: null\n  list: [1, \"a\", true]\n  tables:\n  - name: a\n    v: 1\n  - name: b\n  sub:\n    deep:\n      x: 1\n    k: v\n  \"weird key\": 1\n  empty: {}\n  emptylist: []\n";
        let v = yaml::from_str(src).unwrap();
        let t = v.as_map().unwrap().get("t").unwrap();
        assert_eq!(
            call(to_toml, t),
            "big = 1e+06\nemptylist = []\nf = 1.5\ni = 5.0\nlist = [1.0, \"a\", true]\ns = \"q\\\"uote\"\n\"weird key\" = 1.0\n\n[empty]\n\n[sub]\n  k = \"v\"\n  [sub.deep]\n    x = 1.0\n\n[[tables]]\n  name = \"a\"\n  v = 1.0\n\n[[tables]]\n  name = \"b\"\n"
        );
        let d = vmap! {"a" => Value::Int(1), "b" => Value::list(vec![Value::Int(1), Value::Int(2)]), "c" => Value::Nil};
        assert_eq!(call(to_toml, d), "a = 1\nb = [1, 2]\n");
        assert_eq!(call(to_toml, Value::from("str")), "\"str\"");
        assert_eq!(
            call(
                to_toml,
                vmap! {"l" => Value::list(vec![Value::Int(1), Value::Nil])}
            ),
            "toml: cannot encode array with nil element"
        );
        assert_eq!(
            call(
                to_toml,
                vmap! {"l" => Value::list(vec![vmap!{"a" => Value::Int(1)}, Value::Int(2)])}
            ),
            "l = [{a = 1}, 2]\n"
        );
        let keys = vmap! {"k.dot" => Value::Int(1), "k-dash" => Value::Int(2), "k_u" => Value::Int(3), "" => Value::Int(4), "1" => Value::Int(5)};
        assert_eq!(
            call(to_toml, keys),
            "\"\" = 4\n1 = 5\nk-dash = 2\n\"k.dot\" = 1\nk_u = 3\n"
        );
        let floats = vmap! {"f" => 1e21, "g" => 0.000001, "h" => -0.5, "i" => 1e-7};
        assert_eq!(
            call(to_toml, floats),
            "f = 1e+21\ng = 1e-06\nh = -0.5\ni = 1e-07\n"
        );
        let nested = vmap! {"l" => Value::list(vec![vmap!{"a" => vmap!{"b" => Value::Int(1)}}])};
        assert_eq!(call(to_toml, nested), "[[l]]\n  [l.a]\n    b = 1\n");
        let deep = vmap! {"a" => vmap!{"b" => vmap!{"c" => vmap!{"d" => Value::Int(1)}}}};
        assert_eq!(
            call(to_toml, deep),
            "[a]\n  [a.b]\n    [a.b.c]\n      d = 1\n"
        );
        let m = vmap! {"m" => vmap!{"x" => Value::Nil, "y" => Value::Int(1)}};
        assert_eq!(call(to_toml, m), "[m]\n  y = 1\n");
        assert_eq!(
            call(from_toml, Value::from("a = 1\nb = 'x'\n[c]\nd = 1.5")),
            r#"{"a":1,"b":"x","c":{"d":1.5}}"#
        );
        assert_eq!(
            call(
                from_toml,
                Value::from(
                    "a = 1\nb = 1979-05-27T07:32:00Z\nc = [1, 2.5]\nd = {x = 'y'}\n[[t]]\nn = 1\n"
                )
            ),
            r#"{"a":1,"b":"1979-05-27T07:32:00Z","c":[1,2.5],"d":{"x":"y"},"t":[{"n":1}]}"#
        );
        assert_eq!(call(from_toml, Value::from("")), "{}");
        assert!(
            call(from_toml, Value::from("x = \"unterminated")).starts_with(r#"{"Error":"toml: "#)
        );
        assert_eq!(
            call(from_yaml_array, Value::from("a: 1")),
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
        assert_eq!(
            call(from_yaml_array, Value::from("[1, ")),
            r#"["error converting YAML to JSON: yaml: line 1: did not find expected node content"]"#
        );
        assert_eq!(
            call(from_json_array, Value::from("{}")),
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
        assert_eq!(
            call(from_json, Value::from("{bad")),
            r#"{"Error":"invalid character 'b' looking for beginning of object key string"}"#
        );
        assert_eq!(
            call(from_json, Value::from("12")),
            r#"{"Error":"json: cannot unmarshal number into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(
            call(from_yaml, Value::from("12")),
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(call(from_yaml, Value::from("")), "{}");
        let l = Value::list(vec![
            Value::Int(1),
            Value::Int64(2),
            Value::Float(3.0),
            Value::Float(1e6),
        ]);
        assert_eq!(call(to_yaml, l), "- 1\n- 2\n- 3\n- 1000000");
        let p = vmap! {"a" => Value::list(vec![Value::Int(1), Value::Int(2)]), "b" => vmap!{"c" => 1.5}};
        assert_eq!(call(to_yaml_pretty, p), "a:\n  - 1\n  - 2\nb:\n  c: 1.5");
        let e = vmap! {"a" => Value::list(vec![]), "b" => vmap!{}};
        assert_eq!(call(to_pretty_json, e), "{\n  \"a\": [],\n  \"b\": {}\n}");
        assert_eq!(call(to_raw_json, vmap! {"a" => "<&>"}), r#"{"a":"<&>"}"#);
        assert_eq!(call(must_from_json, Value::from("[1,2]")), "[1,2]");
    }

    #[test]
    fn errors() {
        assert_eq!(call(to_yaml, Value::Float(f64::NAN)), "");
        assert_eq!(
            call(must_to_yaml, Value::Float(f64::NAN)),
            "ERR error marshaling into JSON: json: unsupported value: NaN"
        );
        assert_eq!(
            call(must_to_json, Value::Float(f64::INFINITY)),
            "ERR json: unsupported value: +Inf"
        );
        assert_eq!(
            call(from_json, Value::from("[1]")),
            r#"{"Error":"json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(call(from_yaml, Value::from("")), "{}");
    }
}

#[cfg(test)]
mod pretty_tests {
    use crate::values::{json, yaml};

    /// Expected text from a Go program: go.yaml.in/yaml/v3 v3.0.4 Encoder, SetIndent(2).
    #[test]
    fn to_yaml_pretty_matches_yaml_v3() {
        let v = json::from_str(r#"{"list":["a",{"x":1,"y":[1.5,2]}],"f":1e6,"g":8080,"s":["yes","on","y","true","123","1e3","","~","null","0x1F","1:20","2021-03-04"," x","a\nb","é","😀","a\tb","0777","+1",".5","NaN",".inf"],"long":"this is a rather long string that goes well beyond eighty characters in width so that any emitter line folding would kick in here","empty":{},"el":[],"n":null,"B":1,"a10":1,"a2":2}"#).unwrap();
        let want = "B: 1\na2: 2\na10: 1\nel: []\nempty: {}\nf: 1e+06\ng: 8080\nlist:\n  - a\n  - x: 1\n    \"y\":\n      - 1.5\n      - 2\nlong: this is a rather long string that goes well beyond eighty characters in width so that any emitter line folding would kick in here\n\"n\": null\ns:\n  - \"yes\"\n  - \"on\"\n  - \"y\"\n  - \"true\"\n  - \"123\"\n  - \"1e3\"\n  - \"\"\n  - \"~\"\n  - \"null\"\n  - \"0x1F\"\n  - \"1:20\"\n  - \"2021-03-04\"\n  - ' x'\n  - |-\n    a\n    b\n  - é\n  - \"\\U0001F600\"\n  - \"a\\tb\"\n  - \"0777\"\n  - \"+1\"\n  - \".5\"\n  - NaN\n  - \".inf\"\n";
        assert_eq!(yaml::to_string_pretty(&v).unwrap(), want);
    }
}
