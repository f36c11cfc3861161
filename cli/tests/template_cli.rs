//! The `helm-rs` binary: Helm's output on stdout, `Error: ...` on stderr with exit code 1.
//! Expected texts were printed by Helm 4.1.4 for the same chart and flags.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::Scratch;
use std::process::Command;

fn chart(tag: &str) -> Scratch {
    let dir = Scratch::new(&format!("cli-{tag}"));
    common::write_files(
        &dir,
        &[
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
            ("values.yaml", "name: x\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n  namespace: {{ .Release.Namespace }}\ndata:\n  rel: {{ .Release.Name }}\n",
            ),
            ("templates/NOTES.txt", "notes are not printed\n"),
        ],
    );
    dir
}

fn helm_rs(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_helm-rs"))
        .args(args)
        .output()
        .expect("run helm-rs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn template_prints_like_helm() {
    let dir = chart("ok");
    let (code, out, _) = helm_rs(&["template", "rel", dir.arg(), "-n", "ns", "--set", "name=y"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  namespace: ns\ndata:\n  rel: rel\n"
    );
    // One argument: Helm's default release name for `template`.
    let (code, out, _) = helm_rs(&["template", dir.arg()]);
    assert_eq!(code, 0);
    assert!(out.contains("  rel: release-name\n"), "{out}");
}

#[test]
fn errors_go_to_stderr_with_exit_code_1() {
    let dir = chart("err");
    let (code, out, err) = helm_rs(&["template", "rel", dir.arg(), "-s", "templates/nope.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "Error: could not find template templates/nope.yaml in chart\n"
    );
    let (code, _, err) = helm_rs(&["template", "Bad_Name", dir.arg()]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "Error: release name check failed: release name \"Bad_Name\": invalid release name"
        ),
        "{err}"
    );
}

#[test]
fn show_values_prints_the_file() {
    let dir = chart("show");
    let (code, out, _) = helm_rs(&["show", "values", dir.arg()]);
    assert_eq!(code, 0);
    // Helm 4.1.4 prints the file followed by a newline.
    assert_eq!(out, "name: x\n\n");
}

/// Flag errors in cobra's words and `--dry-run`'s spellings, as Helm 4.1.4 prints them.
#[test]
fn flag_errors_and_dry_run_like_helm() {
    let dir = chart("flags");
    let cases: [(&[&str], i32, &str); 9] = [
        (&["-o", "json"], 1, "Error: unknown shorthand flag: 'o' in -o\n"),
        (&["-zx"], 1, "Error: unknown shorthand flag: 'z' in -zx\n"),
        (&["--bogus=3"], 1, "Error: unknown flag: --bogus\n"),
        (&["-f"], 1, "Error: flag needs an argument: 'f' in -f\n"),
        (&["--set"], 1, "Error: flag needs an argument: --set\n"),
        (&["--dry-run=none"], 1, "Error: invalid dry-run value (\"none\"). Must be \"server\" or \"client\"\n"),
        (&["--dry-run=bogus"], 1, "Error: invalid dry-run value (\"bogus\"). Must be \"none\", \"server\", or \"client\"\n"),
        (&["--dry-run"], 0, "level=WARN msg=\"--dry-run is deprecated and should be replaced with '--dry-run=client'\"\n"),
        (&["--dry-run=True"], 0, "level=WARN msg=\"boolean '--dry-run=True' flag is deprecated and must be replaced with '--dry-run=client'\"\n"),
    ];
    for (extra, want_code, want_err) in cases {
        let mut args = vec!["template", "rel", dir.arg()];
        args.extend_from_slice(extra);
        let (code, _, err) = helm_rs(&args);
        assert_eq!((code, err.as_str()), (want_code, want_err), "for {extra:?}");
    }
}

/// `--kube-version` as Helm 4 reads it (apimachinery's ParseGeneric; `Version` keeps the text,
/// `String()` the numbers) and how each printing path shows `.Capabilities.KubeVersion`.
#[test]
fn kube_version_like_helm_4() {
    let dir = Scratch::new("cli-kv");
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: k\nversion: 0.1.0\n",
    )
    .expect("write");
    std::fs::write(dir.join("templates/a.yaml"), r#"# {{ printf "%v" .Capabilities | trunc 60 }} | {{ .Capabilities | toString | trunc 40 }} | {{ .Capabilities.KubeVersion | toString }} | {{ print .Capabilities.KubeVersion }} | {{ list .Capabilities.KubeVersion }} | {{ .Capabilities.KubeVersion | quote }} | {{ cat .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.KubeVersion.String }} {{ toJson .Capabilities.KubeVersion }}
"#).expect("write");
    let cases = [
        (
            "v1.19.3-gke.1+b",
            r#"# &{{v1.19.3-gke.1+b v1.19.3 1 19} [v1 admissionregistration.k | &{{v1.19.3-gke.1+b v1.19.3 1 19} [v1 adm | {v1.19.3-gke.1+b v1.19.3 1 19} | {v1.19.3-gke.1+b v1.19.3 1 19} | [{v1.19.3-gke.1+b v1.19.3 1 19}] | "{v1.19.3-gke.1+b v1.19.3 1 19}" | {v1.19.3-gke.1+b v1.19.3 1 19} v1.19.3 v1.19.3-gke.1+b v1.19.3-gke.1+b v1.19.3 {"Version":"v1.19.3-gke.1+b","Major":"1","Minor":"19"}"#,
        ),
        (
            "1.19.03",
            r#"# &{{v1.19.03 v1.19.3 1 19} [v1 admissionregistration.k8s.io/v | &{{v1.19.03 v1.19.3 1 19} [v1 admissionr | {v1.19.03 v1.19.3 1 19} | {v1.19.03 v1.19.3 1 19} | [{v1.19.03 v1.19.3 1 19}] | "{v1.19.03 v1.19.3 1 19}" | {v1.19.03 v1.19.3 1 19} v1.19.3 v1.19.03 v1.19.03 v1.19.3 {"Version":"v1.19.03","Major":"1","Minor":"19"}"#,
        ),
    ];
    for (kv, want) in cases {
        let (code, out, _) = helm_rs(&["template", "r", dir.arg(), "--kube-version", kv]);
        assert_eq!(code, 0);
        assert_eq!(out.lines().last(), Some(want), "for {kv}");
    }
    let (code, _, err) = helm_rs(&["template", "r", dir.arg(), "--kube-version", "01.19"]);
    assert_eq!((code, err.as_str()), (1, "Error: invalid kube version '01.19': illegal zero-prefixed version component \"01\" in \"01.19\"\n"));
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: k\nversion: 0.1.0\nkubeVersion: \">=1.19.0\"\n",
    )
    .expect("write");
    let (code, _, _) = helm_rs(&["template", "r", dir.arg(), "--kube-version", "1.19.0-rc.1"]);
    assert_eq!(
        code, 0,
        "a pre-release cluster satisfies >=1.19.0 (checked on String())"
    );
    let (code, _, err) = helm_rs(&["template", "r", dir.arg(), "--kube-version", "1.18.9-gke.1"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("Error: chart requires kubeVersion: >=1.19.0 which is incompatible with Kubernetes v1.18.9-gke.1\n"), "{err}");
}

/// After Helm's message (unchanged, checked against Helm 4.1.4), the failing source line.
#[test]
fn errors_show_the_source_line() {
    let dir = chart("excerpt");
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "x: 1\ny: {{ .Values.a.b.c }}\n",
    )
    .expect("write");
    let (code, _, err) = helm_rs(&["template", "r", dir.arg()]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "Error: c/templates/cm.yaml:2:13\n  executing \"c/templates/cm.yaml\" at <.Values.a.b.c>:\n    nil pointer evaluating interface {}.b\n  --> c/templates/cm.yaml:2:13\n  |\n2 | y: {{ .Values.a.b.c }}\n  |              ^\n\nUse --debug flag to render out invalid YAML\n"
    );
    std::fs::write(dir.join("templates/cm.yaml"), "x: 1\ny: {{ .Values.a }\n").expect("write");
    let (_, _, err) = helm_rs(&["template", "r", dir.arg()]);
    assert_eq!(
        err,
        "Error: parse error at (c/templates/cm.yaml:2): unexpected \"}\" in operand\n  --> c/templates/cm.yaml:2\n  |\n2 | y: {{ .Values.a }\n\nUse --debug flag to render out invalid YAML\n"
    );
}

/// A binary file read with `.Files.Get` keeps its bytes, as Go strings do: encoded, hashed,
/// measured and quoted like Helm 4.1.4 does (expected output printed by helm-oracle for this
/// chart); written raw into a manifest it fails as Helm's YAML reader does.
#[test]
fn binary_file_contents_keep_go_bytes() {
    let dir = chart("binary");
    std::fs::create_dir_all(dir.join("files")).expect("mkdir");
    std::fs::remove_file(dir.join("templates/cm.yaml")).expect("rm");
    std::fs::write(
        dir.join("files/blob.bin"),
        b"BZh\x91\x41\xff\xfe\xe2\x82x\xf0\x00end\xc3\xa9",
    )
    .expect("write");
    std::fs::write(
        dir.join("templates/bin.yaml"),
        concat!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bin\ndata:\n",
            "  b64: {{ .Files.Get \"files/blob.bin\" | b64enc | quote }}\n",
            "  b32: {{ .Files.Get \"files/blob.bin\" | b32enc | quote }}\n",
            "  len: {{ .Files.Get \"files/blob.bin\" | len | quote }}\n",
            "  sha: {{ .Files.Get \"files/blob.bin\" | sha256sum | quote }}\n",
            "  adler: {{ .Files.Get \"files/blob.bin\" | adler32sum | quote }}\n",
            "  round: {{ \"QlpokUH//g==\" | b64dec | b64enc | quote }}\n",
            "  roundlen: {{ \"QlpokUH//g==\" | b64dec | len }}\n",
            "  q: {{ .Files.Get \"files/blob.bin\" | quote }}\n",
            "  pq: {{ printf \"%q\" (.Files.Get \"files/blob.bin\") }}\n",
            "  px: {{ printf \"%x\" (.Files.Get \"files/blob.bin\") }}\n",
        ),
    )
    .expect("write");
    let (code, out, err) = helm_rs(&["template", "r", dir.arg()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        concat!(
            "---\n# Source: c/templates/bin.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bin\ndata:\n",
            "  b64: \"QlpokUH//uKCePAAZW5kw6k=\"\n  b32: \"IJNGREKB777OFATY6AAGK3TEYOUQ====\"\n  len: \"17\"\n",
            "  sha: \"7dbda8ebaccea63825601390ac111b5583e48970fc205be058943cdcaf465648\"\n  adler: \"1359350083\"\n",
            "  round: \"QlpokUH//g==\"\n  roundlen: 7\n",
            "  q: \"BZh\\x91A\\xff\\xfe\\xe2\\x82x\\xf0\\x00endé\"\n  pq: \"BZh\\x91A\\xff\\xfe\\xe2\\x82x\\xf0\\x00endé\"\n",
            "  px: 425a689141fffee28278f000656e64c3a9\n",
        )
    );
    std::fs::write(dir.join("templates/raw.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\ndata:\n  raw: '{{ .Files.Get \"files/blob.bin\" }}'\n")
        .expect("write");
    let (code, _, err) = helm_rs(&["template", "r", dir.arg()]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("Error: YAML parse error on c/templates/raw.yaml: error converting YAML to JSON: yaml: invalid leading UTF-8 octet\n"),
        "{err}"
    );
}
