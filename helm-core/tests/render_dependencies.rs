//! Rendering a chart with dependencies end to end: aliases (one subchart used three times),
//! conditions (comma lists, YAML 1.1 `on` keys), tags, import-values in both forms, a library
//! subchart, nested subcharts, hooks, test hooks, `--include-crds` and `--show-only`.
//! The chart is `testdata/dependencies`; every expected output (`testdata/dependencies-expected`)
//! is what Helm 4.1.4 printed for the same chart and flags.

mod common;
use common::{manifest_dir, scratch_chart, test_file};
use helm_core::chart;
use helm_core::render::user_values::ValueOptions;
use helm_core::render::{self, objects::KubeVersion, ReleaseOptions, RenderError, TemplateOptions};

/// Renders the chart `tests/testdata/dependencies` (or the chart at `sub` inside it) with
/// `--set` expressions `set`.
fn render_deps(sub: &str, set: &[&str], o: &TemplateOptions) -> Result<String, RenderError> {
    let c =
        chart::load(&manifest_dir().join("tests/testdata/dependencies").join(sub)).expect("load");
    let vo = ValueOptions {
        values: set.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    render::template(c, &vo.merge_values().expect("values"), o).map(|out| out.stdout)
}

/// Helm's output, `tests/testdata/dependencies-expected/<name>`.
fn expected(name: &str) -> String {
    test_file(&format!("testdata/dependencies-expected/{name}"))
}

fn opts() -> TemplateOptions {
    TemplateOptions {
        release: ReleaseOptions {
            name: "rel".into(),
            namespace: "ns".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn dependencies_hooks_and_crds_like_helm() {
    let o = TemplateOptions {
        include_crds: true,
        ..opts()
    };
    assert_eq!(
        render_deps("", &[], &o).expect("render"),
        expected("full.txt")
    );
}

#[test]
fn tags_conditions_from_set_and_show_only() {
    let o = TemplateOptions {
        release: ReleaseOptions {
            name: "rel".into(),
            ..Default::default()
        },
        show_only: vec![
            "templates/*.yaml".into(),
            "charts/tagged/templates/t.yaml".into(),
        ],
        ..Default::default()
    };
    let out = render_deps("", &["tags.t2=true", "first.enabled=false"], &o).expect("render");
    assert_eq!(out, expected("tags.txt"));
}

#[test]
fn show_only_missing_template_fails() {
    let o = TemplateOptions {
        show_only: vec!["templates/zz.yaml".into()],
        ..opts()
    };
    let err = render_deps("", &[], &o).unwrap_err();
    assert_eq!(
        err.to_string(),
        "could not find template templates/zz.yaml in chart"
    );
}

#[test]
fn library_chart_is_not_installable() {
    let err = render_deps("charts/lib", &[], &opts()).unwrap_err();
    assert!(matches!(err, RenderError::NotInstallable(_)));
    assert_eq!(err.to_string(), "library charts are not installable");
}

#[test]
fn kube_version_constraint() {
    let dir = scratch_chart(
        "render-kv",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: kv\nversion: 1.0.0\nkubeVersion: \"<1.20.0\"\n",
            ),
            ("templates/a.yaml", "a: 1\n"),
        ],
    );
    let vals = ValueOptions::default().merge_values().expect("values");
    let err = render::template(chart::load(&dir).expect("load"), &vals, &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "chart requires kubeVersion: <1.20.0 which is incompatible with Kubernetes v1.35.0\n\nUse --debug flag to render out invalid YAML"
    );
    let old = TemplateOptions {
        kube_version: KubeVersion::parse("1.19.2").ok(),
        ..opts()
    };
    let out = render::template(chart::load(&dir).expect("load"), &vals, &old).expect("render");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.stdout, "---\n# Source: kv/templates/a.yaml\na: 1\n");
}
