//! Robustness: every function of the sprig1 families, called with many combinations of odd
//! arguments (wrong kinds, nil, extremes, NaN, invalid patterns, non-ASCII text), must return
//! a value or an error and never panic.
mod common;
use common::NoHost;
use helm_core::template::funcs::*;
use helm_core::Value;

fn samples() -> Vec<Value> {
    let m = helm_core::vmap! { "a" => 1.0, "scheme" => "http", "host" => "h", "x" => helm_core::vmap!{"y" => "z"} };
    vec![
        Value::Nil,
        Value::Bool(true),
        Value::Int(0),
        Value::Int(-1),
        Value::Int(3),
        Value::Int(i64::MAX),
        Value::Int(i64::MIN),
        Value::Int64(7),
        Value::Uint(u64::MAX),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(-2.5),
        Value::Float(1e300),
        Value::str(""),
        Value::str("héllo wörld ✓ 日本"),
        Value::str("a,b,,c"),
        Value::str("(["),
        Value::str("^[a-z]+\\d{2,}$"),
        Value::str(">=1.2.3-0 || 1.x"),
        Value::str("v1.2.3-rc.1+b"),
        Value::str("http://u:p@[::1]:80/p?q#f"),
        Value::str("%zz\u{7f}"),
        Value::str("0x1F"),
        Value::Bytes(b"\xff\xfeab".to_vec().into()),
        Value::list(vec![]),
        Value::list(vec![
            Value::Int(1),
            Value::Nil,
            Value::str("x"),
            Value::Float(2.0),
        ]),
        Value::empty_map(),
        m,
    ]
}

#[test]
fn no_function_panics() {
    let t = FuncTable::sprig_text_and_data();
    let vals = samples();
    let mut names: Vec<String> = t.names().map(str::to_string).collect();
    names.sort();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for name in &names {
        let f = t.get(name).unwrap();
        for _ in 0..300 {
            let n = (next() % 5) as usize;
            let args: Vec<Value> = (0..n)
                .map(|_| vals[(next() % vals.len() as u64) as usize].clone())
                .collect();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (f.imp)(&mut NoHost, &args)
            }));
            assert!(r.is_ok(), "{name} panicked on {args:?}");
        }
    }
}
