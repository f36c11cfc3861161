//! Engine behaviours found missing by the chart corpus, each checked against Go's text/template.

use helm_core::template::{funcs::FuncTable, Engine};
use helm_core::Value;

fn render(src: &str) -> String {
    let mut e = Engine::new(FuncTable::helm());
    e.parse("t", src).expect("parses");
    e.execute("t", &Value::empty_map()).expect("runs")
}

/// Bitnami's `validateValues` helpers redeclare a variable from itself:
/// `{{ $m := append $m "x" }}`. Go evaluates the right side with the outer `$m` in scope
/// (go1.25: prints `[a b]`).
#[test]
fn redeclaration_reads_the_outer_variable() {
    assert_eq!(render(r#"{{ $m := list "a" }}{{ $m := append $m "b" }}{{ $m }}"#), "[a b]");
    assert_eq!(render(r#"{{ $x := 1 }}{{ if true }}{{ $x := add $x 1 }}{{ $x }}{{ end }}{{ $x }}"#), "21");
}
