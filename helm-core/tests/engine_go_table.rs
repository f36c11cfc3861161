//! Table tests of the template engine against Go's text/template (go1.26, `missingkey=zero`
//! as Helm sets it). Expected outputs and error texts were produced by running each template
//! through Go with the same data (JSON numbers are float64, as Helm's values are).
//! Only Go's builtin functions are used, so this checks the engine alone.
//!
//! The cases are in `tests/data/engine_go_table.json`: the data each template ran with, and per
//! template Go's output or Go's error text.

mod common;
use helm_core::template::funcs::FuncTable;

#[test]
fn engine_matches_go() {
    common::check_go_table("engine_go_table.json", 281, &FuncTable::helm());
}
