//! helmfile (v1.8.0, built by scripts/test.d/setup-helmfile.sh) with helm-rs as its helm, on a
//! real API server: `apply` installs and upgrades through `helm-rs diff upgrade` and
//! `helm-rs upgrade --install`, and `diff` prints the same bytes and exit status as helmfile
//! running Helm 4.1.4 (`../shared/tools/helm-oracle`) with the helm-diff plugin on the same
//! release.
//!
//! Skips, saying why, without the kube test env, helmfile, the oracle or the built plugin.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{env, helm_home, oracle, root, scratch, unique, Env};
use std::path::{Path, PathBuf};
use std::process::Command;

fn helmfile_bin() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let p = PathBuf::from(home).join(".cache/helm-rs/helmfile/current/helmfile");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIP: helmfile is not built (scripts/test.d/setup-helmfile.sh)");
        None
    }
}

fn plugins_dir() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let p = PathBuf::from(home).join(".cache/helm-rs/helm-diff/current/plugins");
    if p.join("diff/bin/diff").exists() {
        Some(p)
    } else {
        eprintln!("SKIP: the helm-diff plugin is not built (scripts/test.d/setup-helm-diff.sh)");
        None
    }
}

/// (exit code, stdout, stderr)
type Run = (i32, String, String);

/// helmfile on the environment's cluster with `helm` as its helm binary.
fn helmfile(hf: &Path, env: &Env, helm: &Path, file: &Path, args: &[&str], plugins: &Path) -> Run {
    let mut c = Command::new(hf);
    c.arg("--helm-binary")
        .arg(helm)
        .arg("--file")
        .arg(file)
        .args(args);
    c.env("KUBECONFIG", &env.kubeconfig)
        .env("HELM_PLUGINS", plugins)
        // The plugin then renders with `helm upgrade --dry-run=server`, as helm-rs always does.
        .env("HELM_DIFF_USE_UPGRADE_DRY_RUN", "true")
        .env_remove("HELM_DIFF_COLOR")
        .env_remove("HELM_DIFF_OUTPUT")
        .env_remove("HELM_DIFF_OUTPUT_CONTEXT")
        .env_remove("HELM_NAMESPACE")
        .env_remove("HELM_DRIVER")
        .env_remove("HELM_RS_PROGRESS");
    helm_home(&mut c);
    let o = c.output().expect("run helmfile");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// helmfile.yaml: release `web` of examples/charts/hello in `ns` with `replicaCount`.
fn write_helmfile(dir: &Path, ns: &str, replicas: u32) -> PathBuf {
    let chart = root().join("examples/charts/hello");
    let f = dir.join("helmfile.yaml");
    std::fs::write(
        &f,
        format!(
            "releases:\n- name: web\n  namespace: {ns}\n  createNamespace: true\n  chart: {}\n  values:\n  - replicaCount: {replicas}\n",
            chart.display()
        ),
    )
    .expect("write helmfile.yaml");
    f
}

fn status(env: &Env, ns: &str) -> String {
    let o = common::on_cluster(
        env!("CARGO_BIN_EXE_helm-rs"),
        env,
        &["status", "web", "-n", ns, "-o", "json"],
    )
    .output()
    .expect("helm-rs status");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    format!(
        "{} {}",
        v["version"],
        v["info"]["status"].as_str().unwrap_or("absent")
    )
}

#[test]
fn helmfile_apply_and_diff_run_on_helm_rs() {
    let Some(env) = env() else { return };
    let Some(hf) = helmfile_bin() else { return };
    let Some(h) = oracle() else { return };
    let Some(plugins) = plugins_dir() else { return };
    let rs = PathBuf::from(env!("CARGO_BIN_EXE_helm-rs"));
    let ns = unique("helmfile-cli");
    let dir = scratch(&ns);

    // apply on nothing: `helm-rs diff upgrade --allow-unreleased … --detailed-exitcode` finds
    // changes, then `helm-rs upgrade --install` installs.
    let file = write_helmfile(&dir, &ns, 3);
    let (code, out, err) = helmfile(&hf, env, &rs, &file, &["apply"], &plugins);
    assert_eq!(code, 0, "helmfile apply: {out}\n{err}");
    assert!(
        out.contains("+   replicas: 3"),
        "apply shows the plan first:\n{out}"
    );
    assert_eq!(status(env, &ns), "1 deployed");

    // A change: both tools' helmfile diff print the same and exit 2.
    let file = write_helmfile(&dir, &ns, 4);
    let diff = ["diff", "--detailed-exitcode"];
    let ours = helmfile(&hf, env, &rs, &file, &diff, &plugins);
    let theirs = helmfile(&hf, env, &h, &file, &diff, &plugins);
    assert_eq!(
        theirs.0, 2,
        "helmfile diff with Helm: {}\n{}",
        theirs.1, theirs.2
    );
    assert_eq!(
        (ours.0, &ours.1),
        (theirs.0, &theirs.1),
        "helmfile diff, ours vs Helm's; our stderr:\n{}",
        ours.2
    );
    assert!(
        ours.1.contains("-   replicas: 3\n") && ours.1.contains("+   replicas: 4\n"),
        "{}",
        ours.1
    );

    // apply upgrades; then nothing is left to change for either tool.
    let (code, out, err) = helmfile(&hf, env, &rs, &file, &["apply"], &plugins);
    assert_eq!(code, 0, "helmfile apply: {out}\n{err}");
    assert_eq!(status(env, &ns), "2 deployed");
    let ours = helmfile(&hf, env, &rs, &file, &diff, &plugins);
    let theirs = helmfile(&hf, env, &h, &file, &diff, &plugins);
    assert_eq!(
        (ours.0, &ours.1),
        (0, &theirs.1),
        "no changes; our stderr:\n{}",
        ours.2
    );
    assert_eq!(theirs.0, 0, "{}", theirs.2);
    let (code, out, _) = helmfile(&hf, env, &rs, &file, &["apply"], &plugins);
    assert_eq!(
        (code, status(env, &ns)),
        (0, "2 deployed".to_string()),
        "apply without changes: {out}"
    );

    // destroy uninstalls.
    let (code, out, err) = helmfile(&hf, env, &rs, &file, &["destroy"], &plugins);
    assert_eq!(code, 0, "helmfile destroy: {out}\n{err}");
    assert_eq!(status(env, &ns), "null absent");
}
