//! Shared helpers for the `sprig1_*` tests: call a Sprig function directly (as the executor
//! would after checking argument kinds) and print its result as Go's `{{ }}` would.
#![allow(dead_code)]

use helm_core::template::funcs::conversion::format_v;
use helm_core::template::funcs::{FuncError, FuncTable, Host};
use helm_core::Value;

pub struct NoHost;

impl Host for NoHost {
    fn include(&mut self, _name: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::new("no include in unit tests"))
    }
    fn tpl(&mut self, _text: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::new("no tpl in unit tests"))
    }
}

pub fn table() -> FuncTable {
    FuncTable::sprig()
}

/// Calls `name` with `args`; panics (test failure) when the function is missing.
pub fn call(name: &str, args: &[Value]) -> Result<Value, FuncError> {
    let t = table();
    let f = t.get(name).unwrap_or_else(|| panic!("function {name} not registered"));
    (f.imp)(&mut NoHost, args)
}

/// What `{{ name args }}` prints (Go `%v`), or `ERR: <function error text>`.
pub fn show(name: &str, args: &[Value]) -> String {
    match call(name, args) {
        Ok(v) => format_v(&v),
        Err(e) => format!("ERR: {e}"),
    }
}

pub fn s(x: &str) -> Value {
    Value::str(x)
}
pub fn i(x: i64) -> Value {
    Value::Int(x)
}
pub fn f(x: f64) -> Value {
    Value::Float(x)
}
pub fn l(items: Vec<Value>) -> Value {
    Value::list(items)
}
pub fn strs(items: &[&str]) -> Value {
    Value::list(items.iter().map(Value::str).collect())
}

/// Asserts each `(name, args, expected)`; expected strings were produced by Go + Sprig v3.3.0.
pub fn check(cases: &[(&str, Vec<Value>, &str)]) {
    let mut bad = Vec::new();
    for (name, args, want) in cases {
        let got = show(name, args);
        if got != *want {
            bad.push(format!("{name} {args:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{} mismatches:\n{}", bad.len(), bad.join("\n"));
}
