//! Go `fmt` printing (`printf`, `print`, `println`, `{{ value }}`) of every value kind with
//! every verb, flag, width and precision, compared with Go (go1.26, text/template + fmt).
//! Expected outputs were produced by running each template through Go with the same data.
//!
//! The cases are in `tests/data/engine_gofmt_table.json`: the data each template ran with, and per
//! template Go's output or Go's error text.

mod common;
use helm_core::template::funcs::FuncTable;
use helm_core::values::Value;

fn funcs() -> FuncTable {
    let mut t = FuncTable::helm();
    // Stand-ins for the two Sprig functions these cases use (`int64` as Sprig's cast, `list`).
    t.add(
        "int64",
        &[helm_core::template::funcs::Param::Any],
        None,
        |a| {
            Ok(Value::Int64(match &a[0] {
                Value::Float(f) => *f as i64,
                v => v.as_i64().unwrap_or(0),
            }))
        },
    );
    t.add(
        "list",
        &[],
        Some(helm_core::template::funcs::Param::Any),
        |a| Ok(Value::list(a.to_vec())),
    );
    t
}

#[test]
fn engine_matches_go() {
    common::check_go_table("engine_gofmt_table.json", 57, &funcs());
}
