//! The real helm-unittest plugin (v1.1.2, built from the Go module proxy by
//! `scripts/test.d/setup-helm-unittest.sh`) run unchanged with helm-rs as its `helm`, compared
//! with Helm 4.1.4 (`../shared/tools/helm-oracle`) step by step.
//!
//! helm-unittest renders charts with its own copy of Helm's library, so what it needs from the
//! `helm` in front of it is the plugin machinery: `helm plugin install DIR` (a legacy
//! `plugin.yaml` with `platformCommand` and `platformHooks`; the install hook, which would
//! download a release binary, honours `SKIP_BIN_INSTALL=1` and stops there), `helm plugin
//! list|update|uninstall`, and `helm unittest ARGS…` (the command found by its name, Helm's
//! global flags taken out and the rest passed on, `$HELM_PLUGIN_DIR` expanded in the command,
//! the plugin's exit code passed back). Each run gets a fresh layout: a HOME (Helm's data
//! directory under it is where `plugin install` puts its link, and `$HELM_PLUGINS` is left at
//! that default) and a copy of the test chart, so that the snapshot the suite writes on its
//! first run starts from nothing in both.
//!
//! The chart's suites hold passing asserts, one failing test (so the run exits 1) and a
//! snapshot; the steps add helm-unittest's own flags (`-f`, `-t JUnit -o FILE`, `-q`, `-h`)
//! and Helm's global ones around the plugin name. helm-unittest's boolean `--color` meets
//! Helm's global `--color` (never|auto|always), which Helm parses first: `--color=false`
//! stops Helm before the plugin runs, and `--color never` reaches the plugin as a bare
//! `--color` and a chart path `never`. Masked, because they differ by nature: the layout's
//! path, durations and timestamps.
//!
//! Skips, saying why, when the plugin is not built or the oracle is absent.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{write_files, Scratch};
use std::path::{Path, PathBuf};

/// The chart under test: a Deployment and a ConfigMap, and two suites.
const CHART: &[(&str, &str)] = &[
    (
        "Chart.yaml",
        "apiVersion: v2\nname: uchart\nversion: 0.1.0\nappVersion: \"1.2.3\"\n",
    ),
    (
        "values.yaml",
        "replicas: 1\nimage: nginx\ngreeting: hello\n",
    ),
    (
        "templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\n  labels:\n    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: {{ .Values.image }}:{{ .Chart.AppVersion }}\n",
    ),
    (
        "templates/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n  namespace: {{ .Release.Namespace }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    ),
    (
        "tests/deployment_test.yaml",
        "suite: deployment\ntemplates:\n  - templates/deployment.yaml\ntests:\n  - it: is a Deployment with the chart's name\n    asserts:\n      - isKind:\n          of: Deployment\n      - equal:\n          path: metadata.name\n          value: RELEASE-NAME-uchart\n      - equal:\n          path: metadata.labels[\"app.kubernetes.io/version\"]\n          value: \"1.2.3\"\n  - it: takes replicas and image from the values\n    set:\n      replicas: 3\n      image: busybox\n    asserts:\n      - equal:\n          path: spec.replicas\n          value: 3\n      - matchRegex:\n          path: spec.template.spec.containers[0].image\n          pattern: \"^busybox:\"\n      - hasDocuments:\n          count: 1\n  - it: fails on purpose\n    asserts:\n      - equal:\n          path: spec.replicas\n          value: 5\n      - isNull:\n          path: spec.template.spec.containers[0].image\n",
    ),
    (
        "tests/configmap_test.yaml",
        "suite: configmap\ntemplates:\n  - templates/configmap.yaml\nrelease:\n  name: rel\n  namespace: testns\ntests:\n  - it: greets in the release's namespace\n    set:\n      greeting: hi\n    asserts:\n      - equal:\n          path: data.greeting\n          value: hi\n      - equal:\n          path: metadata.namespace\n          value: testns\n      - isNotEmpty:\n          path: metadata.name\n  - it: matches its snapshot\n    asserts:\n      - matchSnapshot: {}\n",
    ),
];

/// The steps, in order: `ARGS` (words split on spaces; `@` is the layout directory, `SRC` the
/// built plugin directory). `SKIP_BIN_INSTALL=1` is in every step's environment.
const STEPS: &[&str] = &[
    "plugin install SRC",
    "plugin list",
    "plugin list --type cli/v1",
    "unittest @/chart",
    "unittest -f tests/deployment_test.yaml @/chart",
    "unittest -f tests/configmap_test.yaml @/chart",
    "unittest -t JUnit -o @/out.xml @/chart",
    "-n other unittest @/chart --debug -f tests/configmap_test.yaml",
    "unittest --kube-context nowhere -q @/chart",
    "unittest --color=false @/chart",
    "unittest --color never -f tests/configmap_test.yaml @/chart",
    "unittest -h",
    "unittest @/missing",
    "unittest --no-such-flag @/chart",
    "plugin update unittest",
    "plugin uninstall unittest",
    "plugin list",
    "unittest @/chart",
];

/// One program's run of every step: (step, exit code, stdout, stderr) with the layout's path
/// masked, then the files the steps wrote (snapshot, JUnit report).
fn run_all(program: &Path, src: &Path, layout: &Path) -> Vec<String> {
    write_files(&layout.join("chart"), CHART);
    let home = layout.join("home");
    std::fs::create_dir_all(&home).expect("mkdir home");
    let layout_s = layout.to_str().expect("utf-8 path");
    let src_s = src.to_str().expect("utf-8 path");
    let mut out = Vec::new();
    for step in STEPS {
        let args: Vec<String> = step
            .split(' ')
            .map(|w| w.replace("SRC", src_s).replace('@', layout_s))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = common::isolated_home(program, &args, &home)
            .current_dir(layout)
            .env("SKIP_BIN_INSTALL", "1")
            .output()
            .expect("run");
        let text = |b: &[u8]| mask(&String::from_utf8_lossy(b), layout_s, src_s);
        out.push(format!(
            "$ helm {step}\nexit {}\n--- stdout\n{}--- stderr\n{}",
            o.status.code().unwrap_or(-1),
            text(&o.stdout),
            text(&o.stderr)
        ));
    }
    for file in [
        "chart/tests/__snapshot__/configmap_test.yaml.snap",
        "chart/tests/__snapshot__/deployment_test.yaml.snap",
        "out.xml",
    ] {
        let body = std::fs::read_to_string(layout.join(file))
            .map(|t| mask(&t, layout_s, src_s))
            .unwrap_or_else(|e| format!("({e})\n"));
        out.push(format!("=== {file}\n{body}"));
    }
    out
}

/// Masks what differs by nature between two runs: the layout's and the plugin source's paths,
/// durations (`Time: 12.3ms`, JUnit `time="…"`) and timestamps.
fn mask(text: &str, layout: &str, src: &str) -> String {
    let text = text.replace(layout, "@").replace(src, "SRC");
    let time = regex::Regex::new(r"(Time:\s+)[0-9.]+[a-zµ]+").expect("regex");
    let attr = regex::Regex::new(r#"\b(time|timestamp|duration)="[^"]*""#).expect("regex");
    let text = time.replace_all(&text, "${1}T");
    attr.replace_all(&text, "$1=\"T\"").into_owned()
}

#[test]
fn helm_unittest_runs_with_helm_rs_as_its_helm() {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let src = home.join(".cache/helm-rs/helm-unittest/current/plugin");
    if !src.join("plugin.yaml").exists() {
        eprintln!(
            "SKIP: the helm-unittest plugin is not built (scripts/test.d/setup-helm-unittest.sh)"
        );
        return;
    }
    // The built directory itself, not the `current` link: Helm installs a local directory as
    // a link to the path it is given.
    let src = src.canonicalize().expect("plugin dir");
    let Some(oracle) = common::oracle() else {
        return;
    };
    let scratch = Scratch::new("unittest");
    // helm-rs runs as `helm` (through a link) so that usage texts name the same program.
    std::fs::create_dir_all(scratch.join("bin")).expect("mkdir bin");
    let helm_rs = scratch.join("bin/helm");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_helm-rs"), &helm_rs).expect("symlink");
    let ours = run_all(&helm_rs, &src, &scratch.join("rs"));
    let theirs = run_all(&oracle, &src, &scratch.join("helm"));
    assert!(
        theirs[3].contains("exit 1") && theirs[3].contains("fails on purpose"),
        "the suite has a failing test, so the whole run fails:\n{}",
        theirs[3]
    );
    assert!(
        theirs[4].contains("exit 1") && theirs[5].contains("exit 0"),
        "one suite fails, the other passes:\n{}\n{}",
        theirs[4],
        theirs[5]
    );
    common::assert_all_agree(
        "helm-unittest",
        ours.len(),
        &common::differing(&ours, &theirs),
    );
}
