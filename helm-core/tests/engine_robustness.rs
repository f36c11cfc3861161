//! The engine never panics, whatever the template text: random soups of template syntax are
//! parsed and, when they parse, executed (with small limits) against varied data.

use helm_core::template::{funcs::FuncTable, Engine, Limits};
use helm_core::values::Value;
use helm_core::vmap;
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "\n",
    "/*",
    "*/",
    ".",
    ".a",
    ".b.c",
    "$",
    "$x",
    "$y",
    ":=",
    "=",
    "|",
    "(",
    ")",
    ",",
    "\"s\"",
    "`r`",
    "'c'",
    "1",
    "-2",
    "3.5",
    "0x1F",
    "1e3",
    "nil",
    "true",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "\"t\"",
    "print",
    "printf",
    "\"%d %s %v\"",
    "len",
    "index",
    "slice",
    "eq",
    "lt",
    "and",
    "or",
    "not",
    "html",
    "js",
    "urlquery",
    "call",
    "include",
    "tpl",
    "required",
    "fail",
    "text",
    "é",
    "\\",
    "\"",
    "{",
    "}",
    "-",
    "#",
    "@",
];

fn data() -> Value {
    vmap! {
        "a" => vec![Value::Int(1), Value::str("x"), Value::Nil],
        "b" => vmap! { "c" => 2.5, "d" => vmap! {} },
        "s" => "str",
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn random_templates_never_panic(parts in proptest::collection::vec(0..PIECES.len(), 0..40)) {
        let src: String = parts.iter().map(|&i| PIECES[i]).collect();
        let mut e = Engine::new(FuncTable::helm());
        e.set_limits(Limits { max_steps: 10_000, max_output: 100_000, max_depth: 50, max_include_nesting: 20, ..Limits::default() });
        if e.parse("t", &src).is_ok() {
            let _ = e.execute("t", &data());
        }
    }

    #[test]
    fn random_text_never_panics(src in "\\PC{0,80}") {
        let mut e = Engine::new(FuncTable::helm());
        if e.parse("t", &src).is_ok() {
            let _ = e.execute("t", &data());
        }
    }
}

#[test]
fn deep_nesting_is_gos() {
    // Go's parser allows 10,000 nested parentheses (`max expression depth exceeded` beyond) and
    // any nesting of control structures; neither may overflow the stack.
    let ok = format!("{{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
    let mut e = Engine::new(FuncTable::helm());
    e.parse("ok", &ok).unwrap();
    assert_eq!(e.execute("ok", &Value::Nil).unwrap(), "1");
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(10_001), ")".repeat(10_001));
    let err = e.parse("deep", &deep).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: deep:1: max expression depth exceeded"
    );
    let ifs = format!(
        "{}x{}",
        "{{ if true }}".repeat(20_000),
        "{{ end }}".repeat(20_000)
    );
    e.parse("ifs", &ifs).unwrap();
    assert_eq!(e.execute("ifs", &Value::Nil).unwrap(), "x");
    // Go's maxExecDepth: the top-level template plus 100,000 nested calls is one too many.
    e.set_limits(Limits {
        max_depth: 300,
        ..Limits::default()
    });
    let rec = |n: usize| {
        format!(
            r#"{{{{ define "t" }}}}{{{{ if lt . {n} }}}}{{{{ template "t" (add . 1) }}}}{{{{ else }}}}{{{{ . }}}}{{{{ end }}}}{{{{ end }}}}{{{{ template "t" 0 }}}}"#
        )
    };
    e.parse("r300", &rec(299)).unwrap();
    assert_eq!(e.execute("r300", &Value::Nil).unwrap(), "299");
    e.parse("r301", &rec(300)).unwrap();
    assert!(e
        .execute("r301", &Value::Nil)
        .unwrap_err()
        .to_string()
        .contains("exceeded maximum template depth (300)"));
}

/// A `tpl` that renders itself: Helm recurses until Go's stack overflows (a crash after 15 s and
/// 4.7 GB); here the nesting stops at a limit with an error, at once.
#[test]
fn self_rendering_tpl_stops_at_its_limit() {
    let mut e = Engine::new(FuncTable::helm());
    e.parse("rec", r#"{{ tpl . . }}"#).unwrap();
    let start = std::time::Instant::now();
    let err = e
        .execute("rec", &Value::str("{{ tpl . . }}"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        r#"template: rec:1:3: executing "rec" at <tpl . .>: error calling tpl: error during tpl function execution for "{{ tpl . . }}": tpl calls nested more than 1000 deep"#,
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    e.set_limits(Limits {
        max_tpl_nesting: 3,
        ..Limits::default()
    });
    // three nested tpl calls are fine, a fourth is refused
    e.parse(
        "three",
        r#"{{ tpl "{{ tpl \"{{ tpl \\\"x\\\" . }}\" . }}" . }}"#,
    )
    .unwrap();
    assert_eq!(e.execute("three", &Value::Nil).unwrap(), "x");
    assert!(e
        .execute("rec", &Value::str("{{ tpl . . }}"))
        .unwrap_err()
        .to_string()
        .ends_with("tpl calls nested more than 3 deep"));
}
