//! Chart loading, checked against Helm 4.1.4 (`helm template` / `helm show` on the same input;
//! expected error texts are what Helm printed after `Error: `).

mod common;
use common::manifest_dir;
use helm_core::chart::{self, archive, ChartError};
use helm_core::values::{yaml, Value};
use std::path::{Path, PathBuf};

fn hello() -> PathBuf {
    manifest_dir().join("../examples/charts/hello")
}

/// A scratch chart directory with the given files.
fn scratch(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    common::scratch_chart(name, files)
}

/// The example chart's files in a .tgz under `hello/`, as `helm package` lays them out.
fn hello_tgz() -> Vec<u8> {
    let mut buf = Vec::new();
    let gz = flate2::write::GzEncoder::new(&mut buf, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for f in &chart::load(&hello()).unwrap().raw {
        let mut h = tar::Header::new_gnu();
        h.set_size(f.data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, format!("hello/{}", f.name), &f.data[..])
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    buf
}

fn load_err(dir: &Path) -> String {
    chart::load(dir).unwrap_err().to_string()
}

/// The error of loading a chart whose Chart.yaml is `chart_yaml` (in a scratch directory `name`).
fn chart_yaml_err(name: &str, chart_yaml: &[u8]) -> ChartError {
    let dir = scratch(name, &[("Chart.yaml", chart_yaml)]);
    let err = chart::load(&dir).unwrap_err();
    let _ = std::fs::remove_dir_all(dir);
    err
}

const CHART: &[u8] = b"apiVersion: v2\nname: c1\nversion: 1.0.0\n";

#[test]
fn loads_the_example_chart() {
    let c = chart::load(&hello()).unwrap();
    assert_eq!(c.name(), "hello");
    assert_eq!(c.metadata.version, "0.1.0");
    assert_eq!(c.metadata.app_version, "1.4.2");
    assert_eq!(c.metadata.api_version, "v2");
    assert_eq!(c.metadata.chart_type, "application");
    assert_eq!(c.metadata.keywords, vec!["example", "web"]);
    assert_eq!(c.metadata.maintainers[0].email, "helm-rs@example.com");
    assert_eq!(c.metadata.dependencies[0].condition, "cache.enabled");
    let templates: Vec<&str> = c.templates.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        templates,
        vec![
            "templates/NOTES.txt",
            "templates/_helpers.tpl",
            "templates/configmap.yaml",
            "templates/deployment.yaml",
            "templates/service.yaml"
        ]
    );
    let files: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        files,
        vec![".helmignore", "README.md", "crds/greeting-crd.yaml"]
    );
    assert!(c.schema.is_some());
    assert_eq!(c.dependencies.len(), 1);
    assert_eq!(c.dependencies[0].name(), "cache");
    assert_eq!(
        c.dependencies[0].templates[0].name,
        "templates/statefulset.yaml"
    );
    let replicas = c.values.as_map().unwrap().get("replicaCount").unwrap();
    assert_eq!(replicas, Value::Float(2.0));
    assert!(c.check_dependencies().is_ok());
}

#[test]
fn show_matches_helm() {
    let c = chart::load(&hello()).unwrap();
    let show_chart = "apiVersion: v2\nappVersion: 1.4.2\ndependencies:\n- condition: cache.enabled\n  name: cache\n  repository: \"\"\n  version: 0.2.0\ndescription: A small web service with a cache, used by helm-rs's examples and README.\nkeywords:\n- example\n- web\nmaintainers:\n- email: helm-rs@example.com\n  name: helm-rs\nname: hello\ntype: application\nversion: 0.1.0\n\n";
    assert_eq!(chart::show::show_chart(&c).unwrap(), show_chart);
    let values = std::fs::read_to_string(hello().join("values.yaml")).unwrap();
    assert_eq!(chart::show::show_values(&c), format!("{values}\n"));
    let readme = std::fs::read_to_string(hello().join("README.md")).unwrap();
    assert_eq!(chart::show::show_readme(&c), format!("{readme}\n"));
    let crd = std::fs::read_to_string(hello().join("crds/greeting-crd.yaml")).unwrap();
    assert_eq!(chart::show::show_crds(&c), format!("---\n{crd}\n"));
    // `helm show all` = chart, then `---` + values, `---` + readme, then the CRDs.
    assert_eq!(
        chart::show::show_all(&c).unwrap(),
        format!("{show_chart}---\n{values}\n---\n{readme}\n---\n{crd}\n")
    );
}

#[test]
fn chart_value_uses_go_field_names() {
    let dir = scratch(
        "dotchart",
        &[(
            "Chart.yaml",
            b"apiVersion: v2\nname: c2\nversion: 1.0.0\nappVersion: 1.16\nkeywords: [a, 1]\nmaintainers:\n  - name: m\n    email: e@x\nannotations:\n  foo: 1\n  bar: true\n",
        )],
    );
    let c = chart::load(&dir).unwrap();
    // As `{{ toYaml .Chart }}` printed it in Helm 4.1.4 (less the nil-map Annotations case).
    assert_eq!(
        yaml::to_string(&c.chart_value(true)).unwrap(),
        "APIVersion: v2\nAnnotations:\n  bar: \"true\"\n  foo: \"1\"\nAppVersion: \"1.16\"\nCondition: \"\"\nDependencies: []\nDeprecated: false\nDescription: \"\"\nHome: \"\"\nIcon: \"\"\nIsRoot: true\nKeywords:\n- a\n- \"1\"\nKubeVersion: \"\"\nMaintainers:\n- Email: e@x\n  Name: m\n  URL: \"\"\nName: c2\nSources: []\nTags: \"\"\nType: \"\"\nVersion: 1.0.0\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn metadata_errors_match_helm() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("badver", b"apiVersion: v2\nname: c1\nversion: v1.x\n", "validation: chart.metadata.version \"v1.x\" is invalid"),
        ("nover", b"apiVersion: v2\nname: c1\n", "validation: chart.metadata.version is required"),
        ("noname", b"apiVersion: v2\nversion: 1.0.0\n", "validation: chart.metadata.name is required"),
        // Names that are no directory of their own (written out, they would escape the target).
        ("dotdot", b"apiVersion: v2\nname: \"..\"\nversion: 1.0.0\n", "validation: chart.metadata.name \"..\" is not allowed"),
        ("dot", b"apiVersion: v2\nname: \".\"\nversion: 1.0.0\n", "validation: chart.metadata.name \".\" is not allowed"),
        ("slash", b"apiVersion: v2\nname: a/b\nversion: 1.0.0\n", "validation: chart.metadata.name \"a/b\" is invalid"),
        (
            "badkw",
            b"apiVersion: v2\nname: c1\nversion: 1.0.0\nkeywords: 3\n",
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field Metadata.keywords of type []string",
        ),
        ("badtype", b"apiVersion: v2\nname: c1\nversion: 1.0.0\ntype: foo\n", "validation: chart.metadata.type must be application or library"),
        ("noapi", b"name: c1\nversion: 1.0.0\n", "invalid chart apiVersion"),
        ("v3", b"apiVersion: v3\nname: c1\nversion: 1.0.0\n", "invalid chart apiVersion"),
        ("v9", b"apiVersion: v9\nname: c1\nversion: 1.0.0\n", "unsupported chart version"),
    ];
    for (name, chart_yaml, want) in cases {
        assert_eq!(
            chart_yaml_err(name, chart_yaml).to_string(),
            *want,
            "{name}"
        );
    }
}

#[test]
fn chart_yaml_syntax_errors_match_helm() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "y1",
            b"apiVersion: v2\nname: c1\nversion: 1.0.0\n  bad: x\n",
            "yaml: line 4: mapping values are not allowed in this context",
        ),
        (
            "y4",
            b"apiVersion: v2\nname: c1\n- x\n",
            "yaml: line 2: did not find expected key",
        ),
    ];
    for (name, chart_yaml, want) in cases {
        let err = chart_yaml_err(name, chart_yaml);
        assert_eq!(
            err.to_string(),
            format!("cannot load Chart.yaml: error converting YAML to JSON: {want}"),
            "{name}"
        );
        assert!(err.position().is_some(), "{name}");
    }
}

#[test]
fn lenient_fields_like_helm() {
    // `version: 1.0` is read as "1", `apiVersion: ""` as v1, key names case-insensitively.
    let dir = scratch(
        "lenient",
        &[("Chart.yaml", b"apiVersion: \"\"\nName: c1\nversion: 1.0\n")],
    );
    let c = chart::load(&dir).unwrap();
    assert_eq!(
        (
            c.metadata.api_version.as_str(),
            c.name(),
            c.metadata.version.as_str()
        ),
        ("v1", "c1", "1")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn directory_errors_match_helm() {
    let dir = scratch("nochart", &[("templates/a.yaml", b"x: 1\n")]);
    let f = dir.join("Chart.yaml");
    assert_eq!(
        load_err(&dir),
        format!(
            "unable to detect chart at {}: open {}: no such file or directory",
            f.display(),
            f.display()
        )
    );
    let _ = std::fs::remove_dir_all(dir);

    let dir = scratch(
        "stray",
        &[("Chart.yaml", CHART), ("charts/README.md", b"hi\n")],
    );
    assert_eq!(
        load_err(&dir),
        "error unpacking subchart README.md in c1: Chart.yaml file is missing"
    );
    let _ = std::fs::remove_dir_all(dir);

    let dir = scratch(
        "missingdeps",
        &[(
            "Chart.yaml",
            b"apiVersion: v2\nname: c3\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 0.1.0\n- name: nothere\n  version: 1.0.0\n- name: other\n",
        ),
        ("charts/sub/Chart.yaml", b"apiVersion: v2\nname: sub\nversion: 0.1.0\n")],
    );
    let c = chart::load(&dir).unwrap();
    assert_eq!(
        c.check_dependencies().unwrap_err().to_string(),
        "found in Chart.yaml, but missing in charts/ directory: nothere, other"
    );
    let _ = std::fs::remove_dir_all(dir);

    let dir = scratch(
        "valuesarray",
        &[("Chart.yaml", CHART), ("values.yaml", b"a: 1\n---\n- x\n")],
    );
    assert_eq!(
        load_err(&dir),
        "cannot load values.yaml: cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    let _ = std::fs::remove_dir_all(dir);

    assert_eq!(load_err(Path::new("/nope")), "path \"/nope\" not found");
}

#[test]
fn values_documents_bom_and_crlf() {
    let dir = scratch(
        "docs",
        &[
            ("Chart.yaml", CHART),
            (
                "values.yaml",
                b"\xef\xbb\xbfl: [a]\r\nm: {x: 1, k: [1]}\r\n---\nl: [b]\nm: {k: [2]}\n",
            ),
        ],
    );
    let c = chart::load(&dir).unwrap();
    // Helm 4.1.4 printed `l: [b]`, `m: {k: [2], x: 1}` for this values.yaml.
    assert_eq!(
        yaml::to_string(&c.values).unwrap(),
        "l:\n- b\nm:\n  k:\n  - 2\n  x: 1\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn helmignore_rules_like_helm() {
    let files: &[(&str, &[u8])] = &[
        ("Chart.yaml", CHART),
        ("a.txt", b"hi"),
        ("keep.txt", b"hi"),
        ("other.md", b"hi"),
        ("docs/d.md", b"hi"),
        ("sub/docs/e.md", b"hi"),
        ("x.tgz", b"hi"),
        ("templates/.dot.yaml", b"hi"),
        ("templates/.hidden/h.yaml", b"hi"),
        ("templates/a.yaml", b"x: 1"),
    ];
    let names = |ignore: &[u8]| {
        let mut all = files.to_vec();
        all.push((".helmignore", ignore));
        let dir = scratch("ignore", &all);
        let r = chart::load(&dir).map(|c| {
            (
                c.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
                c.templates
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>(),
            )
        });
        let _ = std::fs::remove_dir_all(dir);
        r
    };
    // `.Files` as Helm 4.1.4 listed them for each .helmignore.
    let (f, t) = names(b"docs/\n*.tgz\n/other.md\n").unwrap();
    assert_eq!(f, vec![".helmignore", "a.txt", "keep.txt"]);
    assert_eq!(t, vec!["templates/a.yaml"]);
    let (f, _) = names(b"sub/*/e.md\n.helmignore\n").unwrap();
    assert_eq!(
        f,
        vec!["a.txt", "docs/d.md", "keep.txt", "other.md", "x.tgz"]
    );
    assert!(matches!(
        names(b"*.txt\n!keep.txt\n"),
        Err(ChartError::MissingChartYaml)
    ));
    assert_eq!(
        names(b"a/**/b\n").unwrap_err().to_string(),
        "double-star (**) syntax is not supported"
    );
}

#[test]
fn archives_like_helm() {
    let data =
        |n: &str| std::fs::read(manifest_dir().join("tests/testdata/archives").join(n)).unwrap();
    // Detailed reasons (Helm shows these for subchart archives).
    let cases = [
        ("trav.tgz", "chart illegally references parent directory"),
        ("abs.tgz", "chart illegally contains absolute paths"),
        (
            "top.tgz",
            "chart illegally contains content outside the base directory: \"Chart.yaml\"",
        ),
        (
            "big.tgz",
            "decompressed chart file \"t/big.bin\" is larger than the maximum file size 5242880",
        ),
        ("empty.tgz", "no files in chart archive"),
    ];
    for (name, want) in cases {
        assert_eq!(
            archive::load_archive_files(&data(name))
                .unwrap_err()
                .to_string(),
            want,
            "{name}"
        );
        // For the chart itself Helm 4.1.4 prints one generic message.
        let path = manifest_dir().join("tests/testdata/archives").join(name);
        assert_eq!(load_err(&path), "unable to load chart archive", "{name}");
    }
    // BOMs are stripped and CRLF values read (Helm rendered `a: 1`, `b: [x]`).
    let c = chart::load(&manifest_dir().join("tests/testdata/archives/bom.tgz")).unwrap();
    assert_eq!(c.name(), "t");
    assert_eq!(yaml::to_string(&c.values).unwrap(), "a: 1\nb:\n- x\n");
    assert_eq!(c.templates[0].name, "templates/a.yaml");
    assert_eq!(
        load_err(&manifest_dir().join("tests/testdata/archives/sub.tgz")),
        "error unpacking subchart tar in t: expected s.tgz, got s.tgz/x"
    );
    let bad = scratch("notgz", &[("bad.tgz", b"garbage")]);
    let p = bad.join("bad.tgz");
    assert_eq!(
        load_err(&p),
        format!(
            "file '{}' does not appear to be a gzipped archive; got 'application/octet-stream'",
            p.display()
        )
    );
    let _ = std::fs::remove_dir_all(bad);
    let v = hello().join("values.yaml");
    assert_eq!(
        load_err(&v),
        format!(
            "file '{}' seems to be a YAML file, but expected a gzipped archive",
            v.display()
        )
    );
}

#[test]
fn directory_and_archive_load_alike() {
    // Pack the example chart as `helm package` would lay it out and compare.
    let from_tgz = chart::load_archive_bytes(&hello_tgz()).unwrap();
    let from_dir = chart::load(&hello()).unwrap();
    assert_eq!(from_tgz.metadata, from_dir.metadata);
    assert_eq!(from_tgz.templates, from_dir.templates);
    assert_eq!(from_tgz.files, from_dir.files);
    assert_eq!(from_tgz.values, from_dir.values);
    assert_eq!(
        from_tgz.dependencies[0].templates,
        from_dir.dependencies[0].templates
    );
}

#[test]
fn never_panics_on_garbage_archives() {
    for len in 0..64usize {
        let data: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
        let _ = chart::load_archive_bytes(&data);
        let mut gz = vec![0x1f, 0x8b, 0x08];
        gz.extend(&data);
        let _ = chart::load_archive_bytes(&gz);
    }
}

#[test]
fn apiversion_v1_requirements_like_helm() {
    let dir = scratch(
        "v1req",
        &[
            ("Chart.yaml", b"apiVersion: v1\nname: v1c\nversion: 1.0.0\n"),
            ("requirements.yaml", b"dependencies:\n- name: dep\n  version: 0.1.0\n  alias: dd\n  condition: dd.on\n"),
            (
                "requirements.lock",
                b"dependencies:\n- name: dep\n  version: 0.1.0\ndigest: sha256:abc\ngenerated: \"2020-01-01T00:00:00Z\"\n",
            ),
            ("charts/dep/Chart.yaml", b"apiVersion: v1\nname: dep\nversion: 0.1.0\n"),
        ],
    );
    let c = chart::load(&dir).unwrap();
    // Helm 4.1.4 listed `.Files` as `requirements.lock requirements.yaml` for this chart.
    let files: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(files, vec!["requirements.lock", "requirements.yaml"]);
    assert_eq!(c.lock.as_ref().unwrap().digest, "sha256:abc");
    assert_eq!(c.metadata.dependencies[0].alias, "dd");

    // `.Values` printed `dd: {global: {}}` by default; `--set dd.on=false` removed the subchart.
    let mut on = c.clone();
    let user = Value::empty_map();
    helm_core::chart_values::process_dependencies(&mut on, &user).unwrap();
    let v = helm_core::chart_values::coalesce::coalesce_values(&on, &user).unwrap();
    assert_eq!(yaml::to_string(&v).unwrap(), "dd:\n  global: {}\n");
    assert_eq!(on.dependencies[0].name(), "dd");

    let mut off = c.clone();
    let mut user = Value::empty_map();
    helm_core::strvals::parse_set("dd.on=false", &mut user).unwrap();
    helm_core::chart_values::process_dependencies(&mut off, &user).unwrap();
    let v = helm_core::chart_values::coalesce::coalesce_values(&off, &user).unwrap();
    assert_eq!(yaml::to_string(&v).unwrap(), "dd:\n  \"on\": false\n");
    assert!(off.dependencies.is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn archived_subcharts_load() {
    // A parent whose charts/ holds the example chart packed as a .tgz.
    let buf = hello_tgz();
    let dir = scratch(
        "tgzsub",
        &[
            ("Chart.yaml", b"apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n- name: hello\n  version: ^0.1.0\n"),
            ("charts/hello-0.1.0.tgz", &buf),
            ("charts/_ignored/Chart.yaml", b"not: [valid"),
            ("charts/hello-0.1.0.tgz.prov", b"signature"),
        ],
    );
    let c = chart::load(&dir).unwrap();
    assert_eq!(c.dependencies.len(), 1);
    let hello = &c.dependencies[0];
    assert_eq!(hello.name(), "hello");
    assert_eq!(hello.dependencies[0].name(), "cache");
    assert!(c
        .files
        .iter()
        .any(|f| f.name == "charts/hello-0.1.0.tgz.prov"));
    assert!(c.check_dependencies().is_ok());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn oversized_files_are_refused() {
    let big = vec![b'a'; (archive::MAX_DECOMPRESSED_FILE_SIZE + 1) as usize];
    let dir = scratch("bigfile", &[("Chart.yaml", CHART), ("data.bin", &big)]);
    assert_eq!(
        load_err(&dir),
        "chart file \"data.bin\" is larger than the maximum file size 5242880"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// values.yaml is parsed on its own thread when large; a broken one still wins over a broken
/// subchart, as in Helm's LoadFiles (texts from helm-oracle 4.1.4 on the same directories).
#[test]
fn values_errors_come_before_subchart_errors() {
    let mut big = String::from("pad:\n");
    for i in 0..2000 {
        big.push_str(&format!("  k{i}: value-{i}\n"));
    }
    for (name, values, line) in [("small", String::new(), 1), ("big", big.clone(), 2002)] {
        let bad = format!("{values}x: [1\n");
        let dir = scratch(
            &format!("valsub-{name}"),
            &[
                ("Chart.yaml", CHART),
                ("values.yaml", bad.as_bytes()),
                ("charts/sub/values.yaml", b"a: 1\n"),
            ],
        );
        assert_eq!(
            load_err(&dir),
            format!("cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line {line}: did not find expected ',' or ']'")
        );
        std::fs::write(dir.join("values.yaml"), format!("{values}x: 1\n")).unwrap();
        assert_eq!(
            load_err(&dir),
            "error unpacking subchart sub in c1: Chart.yaml file is missing"
        );
        std::fs::write(
            dir.join("charts/sub/Chart.yaml"),
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        )
        .unwrap();
        let c = chart::load(&dir).unwrap();
        assert_eq!(
            yaml::to_string(&c.values).unwrap().lines().last(),
            Some("x: 1")
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
