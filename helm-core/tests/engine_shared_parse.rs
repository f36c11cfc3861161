//! Files with the same text are parsed once (`Engine::parse_many`): an aliased subchart's
//! templates, every copy of a library chart. Each copy must still behave as if parsed on its
//! own — its own name in error locations and `executing "…"`, the first failing file in order
//! named by a parse error, Go's "multiple definition" where a text defines its own file name.

use helm_core::template::{funcs::FuncTable, Engine};
use helm_core::Value;

const TEXT: &str = "{{ define \"shared.helper\" }}[{{ .x }}]{{ end }}a{{ include \"shared.helper\" . }}\n{{ index .l 5 }}";

/// `n` copies of TEXT named like an aliased subchart's file, parsed together.
fn engine_with_copies(n: usize) -> (Engine, Vec<String>) {
    let names: Vec<String> = (1..=n)
        .map(|i| format!("umbrella/charts/pg{i}/templates/t.yaml"))
        .collect();
    let sources: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), TEXT)).collect();
    let mut e = Engine::new(FuncTable::helm());
    e.parse_many(&sources).expect("parses");
    (e, names)
}

fn data() -> Value {
    let m = helm_core::values::Map::new();
    m.insert("x", Value::str("X"));
    m.insert("l", Value::list(vec![Value::Int(1)]));
    Value::Map(m)
}

#[test]
fn each_copy_fails_under_its_own_name() {
    // 12 copies: more than the two-thread threshold, so both parse paths are taken.
    let (shared, names) = engine_with_copies(12);
    for name in &names {
        let mut alone = Engine::new(FuncTable::helm());
        alone.parse(name, TEXT).expect("parses");
        let want = alone
            .execute(name, &data())
            .expect_err("index out of range")
            .to_string();
        assert!(
            want.contains(&format!("template: {name}:2:3: executing \"{name}\"")),
            "{want}"
        );
        assert_eq!(
            shared
                .execute(name, &data())
                .expect_err("index out of range")
                .to_string(),
            want
        );
    }
    assert!(shared.has_template("shared.helper"));
}

#[test]
fn a_parse_error_names_the_first_copy() {
    let bad = "{{ if }}";
    for n in [2, 10] {
        let names: Vec<String> = (1..=n).map(|i| format!("c{i}.yaml")).collect();
        let sources: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), bad)).collect();
        let mut e = Engine::new(FuncTable::helm());
        let err = e
            .parse_many(&sources)
            .expect_err("missing value for if")
            .to_string();
        assert!(err.starts_with("template: c1.yaml:1:"), "{err}");
    }
}

/// A text that defines a template named like the file it is parsed as: as the second file it
/// collides with that file's own tree (Go: "multiple definition"), as the first it does not,
/// so the two are not the same parse and must not share one.
#[test]
fn a_text_that_defines_its_own_file_name_is_parsed_again() {
    let text = "{{ define \"f2\" }}D{{ end }}F";
    let mut e = Engine::new(FuncTable::helm());
    let err = e
        .parse_many(&[("f1", text), ("f2", text)])
        .expect_err("f2 defined twice")
        .to_string();
    assert!(
        err.contains("multiple definition of template \"f2\""),
        "{err}"
    );
    let mut one = Engine::new(FuncTable::helm());
    assert_eq!(
        one.parse("f2", text).expect_err("alone too").to_string(),
        err
    );
}

/// A text whose first file defines that file's own name (Go merges the two into one tree):
/// under another name the file's own tree stays empty and the `define` is separate.
#[test]
fn a_text_that_defines_its_first_file_name_is_not_shared() {
    let text = "{{ define \"f1\" }}D{{ end }}";
    let mut e = Engine::new(FuncTable::helm());
    e.parse_many(&[("f1", text), ("f2", text)]).expect("parses");
    let none = Value::empty_map();
    assert_eq!(e.execute("f1", &none).expect("f1"), "D");
    assert_eq!(e.execute("f2", &none).expect("f2"), "");
}
