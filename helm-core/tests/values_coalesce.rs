//! Values coalescing and dependency processing, checked against Helm 4.1.4.
//!
//! `testdata/coalesce` is a parent chart with a conditional subchart (`sub`, with
//! `import-values`), an aliased subchart (`other` as `renamed`, with a tag), globals, nulls and
//! table/scalar clashes. Each `expected-*.yaml` is the parent's `{{ toYaml .Values }}` that
//! `helm template r testdata/coalesce ARGS` printed (first line: `.Chart.Dependencies`).

use helm_core::chart::{self, Chart};
use helm_core::chart_values::coalesce::{coalesce_values, coalesce_values_with_warnings};
use helm_core::values::file::read_values;
use helm_core::strvals::parse_set;
use helm_core::values::{yaml, Value};
use std::path::PathBuf;

fn testdata(p: &str) -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string())).join("tests/testdata").join(p)
}

fn expected(name: &str) -> String {
    let text = std::fs::read_to_string(testdata("coalesce").join(name)).unwrap();
    // Drop the `# .Chart.Dependencies` line.
    text.split_once('\n').map(|(_, rest)| rest.to_string()).unwrap()
}

fn render_values(user: &Value) -> (Chart, String) {
    let mut c = chart::load(&testdata("coalesce")).unwrap();
    helm_core::chart_values::process_dependencies(&mut c, user).unwrap();
    let v = coalesce_values(&c, user).unwrap();
    (c, yaml::to_string(&v).unwrap())
}

#[test]
fn chart_defaults_subcharts_globals_imports() {
    let (c, got) = render_values(&Value::empty_map());
    assert_eq!(got, expected("expected-defaults.yaml"));
    // Dependency processing rewrites the metadata as `.Chart.Dependencies` shows it.
    let deps = &c.metadata.dependencies;
    assert_eq!(deps.len(), 2);
    assert!(deps.iter().all(|d| d.enabled));
    assert_eq!(deps[1].name, "renamed");
    assert_eq!(
        deps[0].import_values,
        vec![
            chart::ImportValue::Map { child: "exports.data".into(), parent: ".".into() },
            chart::ImportValue::Map { child: "deep".into(), parent: "imported".into() },
        ]
    );
    let names: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
    assert_eq!(names, vec!["sub", "renamed"]);
}

#[test]
fn values_file_nulls_and_type_clashes() {
    let text = std::fs::read_to_string(testdata("coalesce/override.yaml")).unwrap();
    let user = read_values(&text).unwrap();
    let (_, got) = render_values(&user);
    assert_eq!(got, expected("expected-with-file.yaml"));
}

#[test]
fn condition_and_tags_disable_subcharts() {
    let mut user = Value::empty_map();
    parse_set("tags.backend=false,sub.enabled=false", &mut user).unwrap();
    let (c, got) = render_values(&user);
    assert_eq!(got, expected("expected-disabled.yaml"));
    assert!(c.dependencies.is_empty());
    assert!(c.metadata.dependencies.is_empty());
}

#[test]
fn global_condition_path() {
    let mut user = Value::empty_map();
    parse_set("global.subEnabled=false,imported.j=5", &mut user).unwrap();
    let (c, got) = render_values(&user);
    assert_eq!(got, expected("expected-global-cond.yaml"));
    assert_eq!(c.dependencies.len(), 1);
}

#[test]
fn scalar_over_table_default_warns_like_helm() {
    // helm template with --set scal.x=1 logs:
    // level=INFO msg="warning: skipped value for parent.scal: Not a table."
    let c = chart::load(&testdata("coalesce")).unwrap();
    let mut user = Value::empty_map();
    parse_set("scal.x=1", &mut user).unwrap();
    let out = coalesce_values_with_warnings(&c, &user).unwrap();
    assert!(out.warnings.contains(&"level=INFO msg=\"warning: skipped value for parent.scal: Not a table.\"".to_string()), "{:?}", out.warnings);
}

#[test]
fn subchart_key_must_be_a_table() {
    let c = chart::load(&testdata("coalesce")).unwrap();
    let mut user = Value::empty_map();
    parse_set("sub=3", &mut user).unwrap();
    // Helm 4.1.4: `Error: chart dependencies processing failed: type mismatch on sub: %!t(int64=3)`.
    assert_eq!(coalesce_values(&c, &user).unwrap_err().to_string(), "type mismatch on sub: %!t(int64=3)");
    let mut c2 = c.clone();
    assert_eq!(
        helm_core::chart_values::process_dependencies(&mut c2, &user).unwrap_err().to_string(),
        "type mismatch on sub: %!t(int64=3)"
    );
}

#[test]
fn non_table_global_is_skipped_with_helms_warning() {
    let c = chart::load(&testdata("coalesce")).unwrap();
    let mut user = Value::empty_map();
    parse_set("global=3", &mut user).unwrap();
    let out = coalesce_values_with_warnings(&c, &user).unwrap();
    assert!(out
        .warnings
        .contains(&"level=INFO msg=\"warning: skipping globals because source global is not a table.\"".to_string()));
}

#[test]
fn values_files_merge_documents_and_report_errors_like_helm() {
    // `helm template -f f.yaml` with two documents: maps merge, lists replace.
    let v = read_values("l: [b]\nm: {y: 1}\n---\nl: [c]\n").unwrap();
    assert_eq!(yaml::to_string(&v).unwrap(), "l:\n- c\nm:\n  \"true\": 1\n");
    assert_eq!(
        read_values("l: [b]\n---\n- x\n").unwrap_err().to_string(),
        "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    assert_eq!(
        read_values("l: [b]\n--- x\n").unwrap_err().to_string(),
        "error reading yaml document: invalid Yaml document separator: x"
    );
    assert_eq!(
        read_values("a: 1\n  b: x\n").unwrap_err().to_string(),
        "cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
    );
}
