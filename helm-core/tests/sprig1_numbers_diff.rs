//! Differential table for the number-handling functions (integer and decimal math, cast
//! conversions, `empty`, `default`, `quote`, sequences): every listed function applied to
//! typed Go values (int, int64, float64, bool, nil and numeric-looking strings), with the
//! output and result type Go + Sprig v3.3.0 produced (`sprig1_data/numbers_go.json`, generated
//! by `sprig1_data/gen_numbers_go.go.txt`).
//!
//! The functions are called directly, so the test plays text/template's part of rejecting an
//! argument whose Go type does not match a typed parameter (`until "3"` is an error in Go).
mod common;
use common::*;
use helm_core::template::funcs::Param;
use helm_core::Value;

#[derive(serde::Deserialize)]
struct Typed {
    #[serde(rename = "T")]
    t: String,
    #[serde(rename = "V")]
    v: String,
}

fn typed(x: &Typed) -> Value {
    match x.t.as_str() {
        "int" => Value::Int(x.v.parse().unwrap()),
        "int64" => Value::Int64(x.v.parse().unwrap()),
        "float64" => Value::Float(x.v.parse().unwrap()),
        "bool" => Value::Bool(x.v == "true"),
        "nil" => Value::Nil,
        _ => Value::str(&x.v),
    }
}

/// Whether text/template would pass `v` to a parameter of type `p`.
fn accepts(p: Param, v: &Value) -> bool {
    matches!(
        (p, v),
        (Param::Any, _)
            | (Param::Int, Value::Int(_))
            | (Param::Int64, Value::Int64(_))
            | (Param::Float64, Value::Float(_))
            | (Param::String, Value::String(_))
            | (Param::Bool, Value::Bool(_))
    )
}

#[test]
fn number_functions_match_go_table() {
    let rows: Vec<(String, Vec<Typed>, String, String)> = sprig_rows("numbers_go.json");
    assert!(rows.len() > 3000);
    let table = table();
    assert_rows(&rows, |(spec, inputs, want, want_type), bad| {
        // "round . 1" → name "round", args [input, 1]; "cat . ." → [input, input].
        let mut parts = spec.split_whitespace();
        let name = parts.next().unwrap();
        let vals: Vec<Value> = inputs.iter().map(typed).collect();
        let mut args = Vec::new();
        let rest: Vec<&str> = parts.collect();
        if rest.is_empty() {
            args.extend(vals.iter().cloned());
        } else {
            for p in rest {
                args.push(if p == "." {
                    vals[0].clone()
                } else {
                    Value::Int(p.parse().unwrap())
                });
            }
        }
        let f = table.get(name).unwrap();
        let typed_ok = args.iter().enumerate().all(|(i, a)| {
            let p = f
                .params
                .get(i)
                .copied()
                .or(f.variadic)
                .unwrap_or(Param::Any);
            accepts(p, a)
        });
        let (got, got_type) = if !typed_ok {
            ("ERR".to_string(), "ERR".to_string())
        } else {
            match call(name, &args) {
                Ok(v) => (
                    helm_core::template::funcs::conversion::format_v(&v),
                    v.go_type_name(),
                ),
                Err(_) => ("ERR".to_string(), "ERR".to_string()),
            }
        };
        // Lists are always []interface{} here (Go: []string from toStrings, []int from until).
        let type_ok = &got_type == want_type
            || got_type == "[]interface {}" && (want_type == "[]string" || want_type == "[]int");
        if &got != want || !type_ok {
            bad.push(format!(
                "{spec} {:?}: got {got:?} ({got_type}) want {want:?} ({want_type})",
                vals
            ));
        }
    });
}
