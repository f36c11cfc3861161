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
    assert_eq!(
        render(r#"{{ $m := list "a" }}{{ $m := append $m "b" }}{{ $m }}"#),
        "[a b]"
    );
    assert_eq!(
        render(r#"{{ $x := 1 }}{{ if true }}{{ $x := add $x 1 }}{{ $x }}{{ end }}{{ $x }}"#),
        "21"
    );
}

fn render_err(src: &str, data: &Value) -> String {
    let mut e = Engine::new(FuncTable::helm());
    e.parse("t", src).expect("parses");
    e.execute("t", data).expect_err("fails").to_string()
}

/// Found by differential runs against Helm 4.1.4 (`helm template`, error text compared).
#[test]
fn piped_argument_errors_blame_gos_node() {
    let none = Value::empty_map();
    // A piped value of the wrong type is blamed on the last explicit argument.
    assert_eq!(
        render_err(r#"{{ "abc" | plural "one" "many" }}"#, &none),
        r#"template: t:1:24: executing "t" at <"many">: wrong type for value; expected int; got string"#
    );
    // A missing value piped into len panics inside reflect in Go.
    assert_eq!(
        render_err(r#"{{ .nope | len }}"#, &none),
        r#"template: t:1:11: executing "t" at <len>: error calling len: reflect: call of reflect.Value.Type on zero Value"#
    );
    assert_eq!(
        render_err(r#"{{ len .nope }}"#, &none),
        r#"template: t:1:3: executing "t" at <len .nope>: error calling len: len of nil pointer"#
    );
}

/// `dig` type-asserts its map: Helm's `.Values` (a common.Values) fails the assertion.
#[test]
fn dig_refuses_common_values_like_go() {
    use helm_core::values::{GoMapType, Map};
    let vals = Map::new().with_go_type(GoMapType::HelmValues);
    vals.insert("a", Value::from("x"));
    let data = Value::Map(Map::new());
    if let Value::Map(m) = &data {
        m.insert("Values", Value::Map(vals));
    }
    assert_eq!(
        render_err(r#"{{ dig "a" "d" .Values }}"#, &data),
        r#"template: t:1:3: executing "t" at <dig "a" "d" .Values>: error calling dig: interface conversion: interface {} is common.Values, not map[string]interface {}"#
    );
    assert_eq!(render(r#"{{ dig "a" "d" (dict "a" "x") }}"#), "x");
}
