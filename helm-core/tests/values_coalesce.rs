//! Values coalescing and dependency processing, checked against Helm 4.1.4.
//!
//! `testdata/coalesce` is a parent chart with a conditional subchart (`sub`, with
//! `import-values`), an aliased subchart (`other` as `renamed`, with a tag), globals, nulls and
//! table/scalar clashes. Each `expected-*.yaml` is the parent's `{{ toYaml .Values }}` that
//! `helm template r testdata/coalesce ARGS` printed (first line: `.Chart.Dependencies`).

mod common;
use helm_core::chart::{self, Chart};
use helm_core::chart_values::coalesce::{coalesce_values, coalesce_values_with_warnings};
use helm_core::strvals::parse_set;
use helm_core::values::file::read_values;
use helm_core::values::{yaml, Value};
use std::path::PathBuf;

fn testdata(p: &str) -> PathBuf {
    common::manifest_dir().join("tests/testdata").join(p)
}

fn expected(name: &str) -> String {
    let text = std::fs::read_to_string(testdata("coalesce").join(name)).unwrap();
    // Drop the `# .Chart.Dependencies` line.
    text.split_once('\n')
        .map(|(_, rest)| rest.to_string())
        .unwrap()
}

/// The test chart, `testdata/coalesce`.
fn coalesce_chart() -> Chart {
    chart::load(&testdata("coalesce")).unwrap()
}

/// User values from `--set` expressions.
fn set_values(set: &str) -> Value {
    let mut user = Value::empty_map();
    parse_set(set, &mut user).unwrap();
    user
}

/// The warnings Helm logs when coalescing the test chart's values with `--set set`.
fn coalesce_warnings(set: &str) -> Vec<String> {
    coalesce_values_with_warnings(&coalesce_chart(), &set_values(set))
        .unwrap()
        .warnings
}

fn render_values(user: &Value) -> (Chart, String) {
    let mut c = coalesce_chart();
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
            chart::ImportValue::Map {
                child: "exports.data".into(),
                parent: ".".into()
            },
            chart::ImportValue::Map {
                child: "deep".into(),
                parent: "imported".into()
            },
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
    let (c, got) = render_values(&set_values("tags.backend=false,sub.enabled=false"));
    assert_eq!(got, expected("expected-disabled.yaml"));
    assert!(c.dependencies.is_empty());
    assert!(c.metadata.dependencies.is_empty());
}

#[test]
fn global_condition_path() {
    let (c, got) = render_values(&set_values("global.subEnabled=false,imported.j=5"));
    assert_eq!(got, expected("expected-global-cond.yaml"));
    assert_eq!(c.dependencies.len(), 1);
}

#[test]
fn scalar_over_table_default_warns_like_helm() {
    // helm template with --set scal.x=1 logs:
    // level=INFO msg="warning: skipped value for parent.scal: Not a table."
    let warnings = coalesce_warnings("scal.x=1");
    assert!(
        warnings.contains(
            &"level=INFO msg=\"warning: skipped value for parent.scal: Not a table.\"".to_string()
        ),
        "{warnings:?}"
    );
}

#[test]
fn subchart_key_must_be_a_table() {
    let c = coalesce_chart();
    let user = set_values("sub=3");
    // Helm 4.1.4: `Error: chart dependencies processing failed: type mismatch on sub: %!t(int64=3)`.
    assert_eq!(
        coalesce_values(&c, &user).unwrap_err().to_string(),
        "type mismatch on sub: %!t(int64=3)"
    );
    let mut c2 = c.clone();
    assert_eq!(
        helm_core::chart_values::process_dependencies(&mut c2, &user)
            .unwrap_err()
            .to_string(),
        "type mismatch on sub: %!t(int64=3)"
    );
}

#[test]
fn non_table_global_is_skipped_with_helms_warning() {
    assert!(coalesce_warnings("global=3").contains(
        &"level=INFO msg=\"warning: skipping globals because source global is not a table.\""
            .to_string()
    ));
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
