//! `tpl` input fuzzing: charts pass user-supplied values through `tpl`, so its text is untrusted.
//! Random soups of template syntax (plus Sprig/Helm function names) are handed to `tpl` from a
//! running template; any outcome but a panic, hang or overflow is fine.
//!
//! Cases per run: `HELM_RS_FUZZ_CASES` (default 2000, enough for CI). A long run:
//! `HELM_RS_FUZZ_CASES=200000 cargo test -p helm-core --release --test engine_fuzz_tpl`.

use helm_core::template::{funcs::FuncTable, Engine, Limits};
use helm_core::values::Value;
use helm_core::vmap;
use proptest::test_runner::{Config, TestRunner};

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
    ".Values",
    ".Values.a",
    ".Values.s",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "\"s\"",
    "`r`",
    "1",
    "-2",
    "3.5",
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
    "\"t\"",
    "include",
    "tpl",
    "required",
    "fail",
    "toYaml",
    "fromYaml",
    "toJson",
    "fromJson",
    "default",
    "dict",
    "list",
    "set",
    "merge",
    "printf",
    "\"%v\"",
    "quote",
    "nindent",
    "4",
    "b64enc",
    "b64dec",
    "regexReplaceAll",
    "\"a+\"",
    "trunc",
    "repeat",
    "100",
    "until",
    "semverCompare",
    "\">1\"",
    "\"1.2.3\"",
    "sha256sum",
    "upper",
    "index",
    "len",
    "text",
    "é",
    "\\",
    "\"",
    "{",
    "}",
    ":",
];

fn cases() -> u32 {
    std::env::var("HELM_RS_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000)
}

#[test]
fn tpl_never_panics_on_random_text() {
    let mut engine = Engine::new(FuncTable::helm());
    engine.set_limits(Limits {
        max_steps: 20_000,
        max_output: 200_000,
        max_depth: 50,
        max_include_nesting: 20,
        ..Limits::default()
    });
    engine
        .parse("helper", r#"{{ define "t" }}[{{ . }}]{{ end }}"#)
        .unwrap();
    engine.parse("main", "{{ tpl .text . }}").unwrap();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = proptest::collection::vec(0..PIECES.len(), 0..48);
    let ran = std::cell::Cell::new(0u64);
    runner
        .run(&strategy, |parts| {
            let text: String = parts.iter().map(|&i| PIECES[i]).collect();
            let data = vmap! {
                "text" => text,
                "Values" => vmap! { "a" => vec![Value::Int(1), Value::str("x")], "s" => "{{ .Values.a }}" },
            };
            let _ = engine.execute("main", &data);
            ran.set(ran.get() + 1);
            Ok(())
        })
        .unwrap();
    println!("tpl fuzz: {} inputs, no panic", ran.get());
    assert!(ran.get() >= u64::from(cases()));
}
