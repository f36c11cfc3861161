//! The real helm-secrets plugin (v4.7.7, a shell plugin, kept unchanged in
//! `cli/tests/data/helm-secrets/`) run with helm-rs as its `helm`, compared with Helm 4.1.4
//! (`../shared/tools/helm-oracle`) step by step.
//!
//! helm-secrets for Helm 4 is three plugins: `secrets` (cli/v1: `helm secrets encrypt|decrypt`
//! and a wrapper, `helm secrets template|lint|install … -f secrets.yaml`, that decrypts the
//! values files and runs `$HELM_BIN` with the decrypted copies), `secrets-getter` (getter/v1:
//! `-f secrets://FILE` decrypts through Helm's values reader) and `secrets-post-renderer`.
//! What helm-rs must give it: `plugin install DIR` of `apiVersion: v1` plugins, `$HELM_BIN`,
//! `$HELM_PLUGIN_DIR`, `version --short`, the plugin's exit code passed back, and `-f` /
//! `--set-file` paths with a getter plugin's scheme read through that plugin.
//!
//! The secret backend is age (Debian's `age`), loaded as an out-of-tree helm-secrets backend
//! (`cli/tests/data/helm-secrets-age/backend.sh`); sops and vals, helm-secrets' built-in
//! backends, are Go programs not built here. A file names its backend as helm-secrets allows
//! (`BACKEND!FILE`), because its wrapper cannot reload an out-of-tree default backend. Both
//! tools use one age key; encryption is in place, so the random ciphertext is never compared.
//! The post-renderer needs vals, so its step checks that both tools report the same failure.
//!
//! Skips, saying why, when `age` or the oracle is absent.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{write_files, Scratch};
use std::path::{Path, PathBuf};

/// The chart: a ConfigMap of values a secrets file overrides, and NOTES.
const CHART: &[(&str, &str)] = &[
    (
        "chart/Chart.yaml",
        "apiVersion: v2\nname: schart\nversion: 0.1.0\n",
    ),
    (
        "chart/values.yaml",
        "replicaCount: 1\ndb:\n  user: app\n  password: changeme\nservice:\n  type: ClusterIP\n",
    ),
    (
        "chart/templates/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\n  namespace: {{ .Release.Namespace }}\ndata:\n  replicas: {{ .Values.replicaCount | quote }}\n  user: {{ .Values.db.user | quote }}\n  password: {{ .Values.db.password | quote }}\n  service: {{ .Values.service.type | quote }}\n{{- with .Values.extra }}\n  extra: {{ . | quote }}\n{{- end }}\n",
    ),
    (
        "chart/templates/NOTES.txt",
        "{{ .Release.Name }} uses {{ .Values.db.user }}.\n",
    ),
    (
        "secrets.yaml",
        "replicaCount: 3\ndb:\n  password: s3cr3t-from-age\n",
    ),
    ("plain.yaml", "db:\n  user: admin\n"),
];

/// The steps, in order: `ARGS` (words split on spaces; `@` is the layout directory, `SRC`
/// the helm-secrets directory, `AGE` the backend script).
const STEPS: &[&str] = &[
    "plugin install SRC/plugins/helm-secrets-cli",
    "plugin install SRC/plugins/helm-secrets-getter",
    "plugin install SRC/plugins/helm-secrets-post-renderer",
    "plugin list",
    "plugin list --type getter/v1",
    "secrets --version",
    "secrets -b AGE encrypt -i @/secrets.yaml",
    "secrets -b AGE encrypt -i @/secrets.yaml",
    "secrets -b AGE decrypt @/secrets.yaml",
    "secrets template rel @/chart -f AGE!@/secrets.yaml",
    "secrets template rel @/chart --values=AGE!@/secrets.yaml -f @/plain.yaml --set service.type=NodePort -n other",
    "secrets -q template rel @/chart -f AGE!@/secrets.yaml --show-only templates/configmap.yaml",
    "secrets lint @/chart -f AGE!@/secrets.yaml",
    "template rel @/chart -f secrets://AGE!@/secrets.yaml",
    "template rel @/chart -f @/plain.yaml -f secrets://AGE!@/secrets.yaml --set replicaCount=7",
    "template rel @/chart --set-file extra=secrets://AGE!@/secrets.yaml",
    "secrets template rel @/chart -f AGE!@/missing.yaml",
    "secrets --ignore-missing-values template rel @/chart -f AGE!@/missing.yaml",
    "template rel @/chart -f secrets://AGE!@/missing.yaml",
    "secrets --backend nonexists decrypt @/secrets.yaml",
    "secrets template",
    "template rel @/chart --post-renderer secrets-post-renderer --post-renderer-args post-renderer",
    "secrets -b AGE decrypt -i @/secrets.yaml",
    "secrets template rel @/chart -f AGE!@/secrets.yaml",
    "plugin uninstall secrets-getter",
    "template rel @/chart -f secrets://AGE!@/secrets.yaml",
    "plugin uninstall secrets secrets-post-renderer",
    "secrets decrypt @/secrets.yaml",
];

/// One program's run of every step: (step, exit code, stdout, stderr) with paths masked.
fn run_all(program: &Path, src: &Path, backend: &Path, layout: &Path, key: &Path) -> Vec<String> {
    write_files(layout, CHART);
    let home = layout.join("home");
    std::fs::create_dir_all(&home).expect("mkdir home");
    let layout_s = layout.to_str().expect("utf-8 path");
    let src_s = src.to_str().expect("utf-8 path");
    let backend_s = backend.to_str().expect("utf-8 path");
    let mut out = Vec::new();
    for step in STEPS {
        let args: Vec<String> = step
            .split(' ')
            .map(|w| {
                w.replace("SRC", src_s)
                    .replace("AGE", backend_s)
                    .replace('@', layout_s)
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = common::isolated_home(program, &args, &home)
            .current_dir(layout)
            .env("HELM_SECRETS_AGE_KEY", key)
            .env_remove("HELM_SECRETS_BACKEND")
            .output()
            .expect("run");
        let text = |b: &[u8]| mask(&String::from_utf8_lossy(b), layout_s, src_s, backend_s);
        out.push(format!(
            "$ helm {step}\nexit {}\n--- stdout\n{}--- stderr\n{}",
            o.status.code().unwrap_or(-1),
            text(&o.stdout),
            text(&o.stderr)
        ));
    }
    out
}

/// Masks what differs by nature between two runs: the layout's, the plugin's and the
/// backend's paths, and helm-secrets' temporary directories.
fn mask(text: &str, layout: &str, src: &str, backend: &str) -> String {
    let text = text
        .replace(backend, "AGE")
        .replace(layout, "@")
        .replace(src, "SRC");
    let tmp = regex::Regex::new(r"/tmp/tmp\.[A-Za-z0-9]+").expect("regex");
    tmp.replace_all(&text, "TMP").into_owned()
}

#[test]
fn helm_secrets_runs_with_helm_rs_as_its_helm() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let src = data.join("helm-secrets");
    let backend = data.join("helm-secrets-age/backend.sh");
    let has = |tool: &str| {
        std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok()
    };
    if !has("age") || !has("age-keygen") {
        eprintln!("SKIP: age is not installed (Debian package `age`)");
        return;
    }
    let Some(oracle) = common::oracle() else {
        return;
    };
    let scratch = Scratch::new("secrets");
    let key = scratch.join("key.txt");
    let o = std::process::Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .expect("age-keygen");
    assert!(o.status.success(), "age-keygen: {o:?}");
    // helm-rs runs as `helm` (through a link) so that usage texts name the same program.
    std::fs::create_dir_all(scratch.join("bin")).expect("mkdir bin");
    let helm_rs = scratch.join("bin/helm");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_helm-rs"), &helm_rs).expect("symlink");
    let ours = run_all(&helm_rs, &src, &backend, &scratch.join("rs"), &key);
    let theirs = run_all(&oracle, &src, &backend, &scratch.join("helm"), &key);
    for (i, want) in [
        (9, "s3cr3t-from-age"),
        (13, "s3cr3t-from-age"),
        (15, "s3cr3t-from-age"),
    ] {
        assert!(
            theirs[i].contains("exit 0") && theirs[i].contains(want),
            "Helm decrypts through the plugin in step {i}:\n{}",
            theirs[i]
        );
    }
    common::assert_all_agree(
        "helm-secrets",
        ours.len(),
        &common::differing(&ours, &theirs),
    );
}
