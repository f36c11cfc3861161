//! `helm lint` rules. Every expected message was printed by the reference Helm 4.1.4's
//! `helm lint` for the same chart.

mod common;
use common::{scratch_dir, write_files};
use helm_core::chart::create;
use helm_core::lint::{self, LintOptions};
use helm_core::Value;
use std::path::{Path, PathBuf};

/// A chart directory `name` (in a scratch directory of its own) holding `files`.
fn chart(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = scratch_dir(name).join(name);
    write_files(&d, files);
    d
}

fn messages(dir: &Path, vals: &Value) -> Vec<String> {
    lint::lint(dir, vals, &LintOptions::default())
        .messages
        .iter()
        .map(|m| m.to_string())
        .collect()
}

fn empty() -> Value {
    Value::Map(Default::default())
}

#[test]
fn scaffold_only_recommends_an_icon() {
    let d = scratch_dir("scaffold");
    let c = create::create("mychart", &d).expect("create");
    let r = lint::lint(&c.dir, &empty(), &LintOptions::default());
    assert_eq!(
        r.messages.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        vec!["[INFO] Chart.yaml: icon is recommended"]
    );
    assert!(!r.failed(true));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn broken_values_yaml() {
    let d = chart(
        "b1",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: b1\nversion: 1.0.0\n"),
            ("values.yaml", "a: [\n"),
            ("templates/.keep", ""),
        ],
    );
    let got = messages(&d, &empty());
    assert_eq!(got[0], "[INFO] Chart.yaml: icon is recommended");
    assert_eq!(
        got[1],
        "[ERROR] values.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 1: did not find expected node content"
    );
    assert_eq!(
        got[2],
        "[ERROR] templates/: cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected node content"
    );
    assert_eq!(got[3], "[ERROR] : unable to load chart\n\tcannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected node content");
    assert_eq!(got.len(), 4);
}

#[test]
fn object_name_warning_and_strict() {
    let d = chart(
        "b2",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: b2\nversion: 1.0.0\nicon: https://x/y.png\n",
            ),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: {{ .Values.nm }}\n",
            ),
            ("values.yaml", "nm: Bad_Name\n"),
        ],
    );
    let r = lint::lint(&d, &empty(), &LintOptions::default());
    let got: Vec<String> = r.messages.iter().map(|m| m.to_string()).collect();
    assert_eq!(got, vec!["[WARNING] templates/cm.yaml: object name does not conform to Kubernetes naming requirements: \"Bad_Name\": metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]);
    assert!(!r.failed(false));
    assert!(r.failed(true));
    // `--set nm=good`: clean.
    let mut v2 = empty();
    helm_core::strvals::parse_set("nm=good", &mut v2).expect("set");
    assert!(messages(&d, &v2).is_empty());
}

#[test]
fn missing_chart_yaml() {
    let d = scratch_dir("none");
    let r = lint::lint(&d.join("nonexist"), &empty(), &LintOptions::default());
    assert_eq!(
        r.errors,
        vec![format!("unable to check Chart.yaml file in chart: stat {}/nonexist/Chart.yaml: no such file or directory", d.display())]
    );
    assert!(r.failed(false));
}

#[test]
fn chart_yaml_types_and_template_rules() {
    let d = chart(
        "b4",
        &[
            ("Chart.yaml", "apiVersion: v1\nname: b4\nversion: 0.1\ntype: application\nappVersion: 1.2\nmaintainers:\n  - email: a@b.c\n"),
            ("templates/d.yaml", "kind: Deployment\nmetadata:\n  name: x\nspec: {}\n"),
            ("templates/x.json", "a: b\n"),
            ("templates/svc.yaml", "kind: Service\nmetadata:\n  name: 1abc\n---\nkind: Namespace\nmetadata:\n  name: a.b\n"),
        ],
    );
    let r = lint::lint(&d, &empty(), &LintOptions::default());
    let got: Vec<String> = r.messages.iter().map(|m| m.to_string()).collect();
    let expected = [
        "[ERROR] Chart.yaml: version should be of type string but it's of type float64",
        "[ERROR] Chart.yaml: appVersion should be of type string but it's of type float64",
        "[ERROR] Chart.yaml: each maintainer requires a name",
        "[INFO] Chart.yaml: icon is recommended",
        "[ERROR] Chart.yaml: chart type is not valid in apiVersion 'v1'. It is valid in apiVersion 'v2'",
        "[WARNING] Chart.yaml: version '0.1' is not a valid SemVerV2",
        "[INFO] values.yaml: file does not exist",
        "[ERROR] templates/d.yaml: a Deployment must contain matchLabels or matchExpressions, and \"x\" does not",
        "[WARNING] templates/svc.yaml: object name does not conform to Kubernetes naming requirements: \"1abc\": metadata.name: Invalid value: \"1abc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        "[WARNING] templates/svc.yaml: object name does not conform to Kubernetes naming requirements: \"a.b\": metadata.name: Invalid value: \"a.b\": must not contain dots",
        "[ERROR] templates/x.json: file extension '.json' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt",
    ];
    assert_eq!(got, expected);
    assert!(r.failed(false));
}

#[test]
fn unparsable_rendered_yaml_stops_template_checks() {
    let d = chart(
        "bad",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: bad\nversion: 1.0.0\nicon: https://x/y.png\n",
            ),
            ("values.yaml", ""),
            ("templates/bad.yaml", "a: [\n"),
            ("templates/x.json", "a: b\n"),
        ],
    );
    // Helm 4.1.4 stops at the first unparsable document (the x.json rule never runs).
    assert_eq!(
        messages(&d, &empty()),
        vec!["[ERROR] templates/bad.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 1: did not find expected node content"]
    );
}

#[test]
fn no_templates_directory_is_a_warning() {
    let d = chart(
        "b5",
        &[("Chart.yaml", "apiVersion: v2\nname: b5\nversion: 1.0.0\n")],
    );
    assert_eq!(
        messages(&d, &empty()),
        vec![
            "[INFO] Chart.yaml: icon is recommended",
            "[INFO] values.yaml: file does not exist",
            "[WARNING] templates/: directory does not exist",
        ]
    );
}
