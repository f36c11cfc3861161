//! `helm-rs diff` against the real helm-diff plugin (v3.15.11, built by
//! scripts/test.d/setup-helm-diff.sh) run by Helm 4.1.4 (`../shared/tools/helm-oracle`) on the
//! same release of a real API server: helm-rs installs a chart, then both tools preview the
//! same upgrade and must print the same bytes and exit with the same status.
//!
//! Skips, saying why, without the kube test env, the oracle or the built plugin.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{env, helm_home, on_cluster, oracle, root, scratch, unique, write_chart, Env};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (exit code, stdout, stderr)
type Run = (i32, String, String);

/// Leaves the plugin's settings to each test.
fn without_diff_settings(c: &mut Command) -> &mut Command {
    c.env_remove("HELM_DIFF_COLOR")
        .env_remove("HELM_DIFF_OUTPUT")
        .env_remove("HELM_DIFF_OUTPUT_CONTEXT")
}

fn run(c: &mut Command, what: &str) -> Run {
    let o = c.output().expect(what);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn rs(env: &Env, args: &[&str]) -> Run {
    run(
        without_diff_settings(&mut on_cluster(env!("CARGO_BIN_EXE_helm-rs"), env, args)),
        "run helm-rs",
    )
}

/// `upgrade_dry_run`: the plugin renders with `helm upgrade --dry-run=server` (its
/// `HELM_DIFF_USE_UPGRADE_DRY_RUN` mode, what helm-rs always does) instead of `helm template
/// --is-upgrade`; the two differ for charts that print `.Release.Revision`.
fn helm_with_plugin(
    env: &Env,
    h: &Path,
    plugins: &Path,
    args: &[&str],
    upgrade_dry_run: bool,
) -> Run {
    let mut c = on_cluster(h, env, args);
    helm_home(without_diff_settings(&mut c))
        .env("HELM_PLUGINS", plugins)
        .env(
            "HELM_DIFF_USE_UPGRADE_DRY_RUN",
            if upgrade_dry_run { "true" } else { "false" },
        );
    run(&mut c, "run helm-oracle")
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

fn conformance_chart(name: &str) -> Option<String> {
    let p = root().join("../shared/conformance/charts").join(name);
    if p.exists() {
        Some(p.to_string_lossy().into_owned())
    } else {
        eprintln!("SKIP: {} is absent", p.display());
        None
    }
}

static COMPARED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `diff ARGS` with both tools and compares stdout and exit status.
fn compare(
    env: &Env,
    h: &Path,
    plugins: &Path,
    args: &[&str],
    upgrade_dry_run: bool,
    failures: &mut Vec<String>,
) {
    COMPARED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut full = vec!["diff"];
    full.extend_from_slice(args);
    let theirs = helm_with_plugin(env, h, plugins, &full, upgrade_dry_run);
    let ours = rs(env, &full);
    if theirs.0 != 0 && theirs.0 != 2 {
        failures.push(format!(
            "helm diff {args:?} failed ({}): {}",
            theirs.0, theirs.2
        ));
        return;
    }
    if ours.0 != theirs.0 || ours.1 != theirs.1 {
        failures.push(format!(
            "diff {args:?}: exit ours {} / helm-diff {}\n--- helm-diff\n{}\n--- ours\n{}\n--- our stderr\n{}",
            ours.0, theirs.0, theirs.1, ours.1, ours.2
        ));
    }
}

#[test]
fn diff_upgrade_matches_the_plugin() {
    let Some(env) = env() else { return };
    let Some(h) = oracle() else { return };
    let Some(plugins) = plugins_dir() else { return };
    let ns = unique("diff-cli");
    let dir = scratch(&ns);
    let small = write_chart(&dir, "diffchart", "0.1.0")
        .to_string_lossy()
        .to_string();
    let mut failures = Vec::new();

    // The test chart: a data change, an object added, a hook; and a release that does not exist.
    let (code, _, err) = rs(
        env,
        &[
            "install",
            "web",
            &small,
            "-n",
            &ns,
            "--create-namespace",
            "--set",
            "data=x",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for args in [
        vec!["upgrade", "web", &small, "-n", &ns, "--set", "data=y"],
        vec![
            "upgrade",
            "web",
            &small,
            "-n",
            &ns,
            "--set",
            "data=y",
            "--set",
            "extra=true",
            "--detailed-exitcode",
        ],
        vec![
            "upgrade",
            "web",
            &small,
            "-n",
            &ns,
            "--set",
            "data=x",
            "--detailed-exitcode",
        ],
        vec!["upgrade", "web", &small, "-n", &ns],
        vec![
            "upgrade",
            "web",
            &small,
            "-n",
            &ns,
            "--set",
            "hook=false",
            "--output",
            "simple",
        ],
        vec![
            "upgrade",
            "web",
            &small,
            "-n",
            &ns,
            "--set",
            "data=z",
            "--output",
            "json",
            "--no-hooks",
        ],
        vec![
            "upgrade",
            "web",
            &small,
            "-n",
            &ns,
            "--set",
            "data=z",
            "--reset-values",
            "-C",
            "1",
        ],
        vec![
            "upgrade",
            "absent",
            &small,
            "-n",
            &ns,
            "--allow-unreleased",
            "--set",
            "data=q",
        ],
    ] {
        // The test chart prints .Release.Revision: the plugin renders as the upgrade would.
        compare(env, &h, &plugins, &args, true, &mut failures);
    }
    // An upgrade, then the revision and rollback views of the two revisions.
    let (code, _, err) = rs(
        env,
        &[
            "upgrade",
            "web",
            &small,
            "-n",
            &ns,
            "--set",
            "data=w",
            "--set",
            "kept=true",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for args in [
        vec!["revision", "web", "1", "2", "-n", &ns],
        vec!["revision", "web", "1", "-n", &ns, "--output", "simple"],
        vec!["rollback", "web", "1", "-n", &ns, "--detailed-exitcode"],
    ] {
        compare(env, &h, &plugins, &args, false, &mut failures);
    }

    // Corpus charts: Secrets (masked, suppressed, shown), ConfigMaps, workloads.
    let corpus: &[(&str, &[&str], &[&[&str]])] = &[
        (
            "prometheus-community__prometheus-pgbouncer-exporter",
            &[],
            &[
                &[
                    "--set",
                    "replicas=2",
                    "--set",
                    "config.datasource.password=changed",
                ],
                &[
                    "--set",
                    "config.datasource.password=changed",
                    "--suppress-secrets",
                    "-C",
                    "3",
                ],
                &[
                    "--set",
                    "config.datasource.password=changed",
                    "--show-secrets",
                ],
            ],
        ),
        (
            "prometheus-community__prometheus-rabbitmq-exporter",
            &[],
            &[
                &["--set", "rabbitmq.user=admin2", "-C", "2"],
                &["--set", "replicaCount=3", "--output", "simple"],
            ],
        ),
        (
            "prometheus-community__alertmanager",
            &[],
            &[&[
                "--set",
                "replicaCount=2",
                "--set",
                "config.global.resolve_timeout=10m",
            ]],
        ),
    ];
    for (chart, install, upgrades) in corpus {
        let Some(path) = conformance_chart(chart) else {
            continue;
        };
        let rel = unique("c");
        let mut args = vec!["install", rel.as_str(), path.as_str(), "-n", ns.as_str()];
        args.extend_from_slice(install);
        let (code, _, err) = rs(env, &args);
        assert_eq!(code, 0, "install {chart}: {err}");
        for extra in *upgrades {
            let mut args = vec!["upgrade", rel.as_str(), path.as_str(), "-n", ns.as_str()];
            args.extend_from_slice(extra);
            // The plugin's default rendering (`helm template --is-upgrade`), as helmfile runs it.
            compare(env, &h, &plugins, &args, false, &mut failures);
        }
    }
    let n = COMPARED.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!(
        "{n} diff commands compared with the helm-diff plugin, {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A namespace of its own (`prefix-N`) and the test chart in it, installed by helm-rs as
/// release `web` with `data=x`; (namespace, chart path).
fn installed_web(env: &Env, prefix: &str) -> (String, String) {
    let ns = unique(prefix);
    let chart = write_chart(&scratch(&ns), "webchart", "0.1.0")
        .to_string_lossy()
        .to_string();
    let (code, _, err) = rs(
        env,
        &[
            "install",
            "web",
            &chart,
            "-n",
            &ns,
            "--create-namespace",
            "--set",
            "data=x",
        ],
    );
    assert_eq!(code, 0, "{err}");
    (ns, chart)
}

#[test]
fn upgrade_plan_prints_the_diff_and_applies_nothing() {
    let Some(env) = env() else { return };
    let (ns, chart) = installed_web(env, "diff-plan");
    let (code, out, err) = rs(
        env,
        &[
            "upgrade",
            "web",
            &chart,
            "-n",
            &ns,
            "--set",
            "data=y",
            "--set",
            "extra=true",
            "--plan",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("{ns}, web-cm, ConfigMap (v1) has changed:\n")),
        "{out}"
    );
    // Against the live objects (their apply dry runs): keys in order, as the API server stores them.
    assert!(
        out.contains("-   revision: \"1\"\n-   value: x\n+   revision: \"2\"\n+   value: \"y\"\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{ns}, web-extra, ConfigMap (v1) has been added:\n"
        )),
        "{out}"
    );
    assert!(
        out.ends_with("Plan: 1 to add, 1 to change, 0 to destroy, 0 to change ownership.\n"),
        "{out}"
    );
    // Nothing applied: still revision 1 with the old value.
    let (_, hist, _) = rs(env, &["history", "web", "-n", &ns, "-o", "json"]);
    assert_eq!(hist.matches("\"revision\"").count(), 1, "{hist}");
    let (code, json, err) = rs(
        env,
        &[
            "upgrade", "web", &chart, "-n", &ns, "--set", "data=y", "--plan", "-o", "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("plan JSON");
    let changes = v["changes"].as_array().expect("changes");
    assert!(
        changes
            .iter()
            .any(|c| c["action"] == "modify" && c["kind"] == "ConfigMap"),
        "{json}"
    );
    assert!(
        v["unchanged"]
            .as_array()
            .expect("unchanged")
            .iter()
            .any(|k| k.as_str().unwrap_or("").contains("web-svc")),
        "{json}"
    );
}

/// Drift: a field changed on the cluster by another manager since the last revision. The
/// plugin's default comparison (manifest to manifest) cannot see it; `--three-way-merge`
/// compares with the live objects and shows that the upgrade would set it back.
#[test]
fn three_way_merge_shows_drift_that_the_manifest_diff_misses() {
    let Some(env) = env() else { return };
    let (ns, chart) = installed_web(env, "diff-drift");
    // As `kubectl patch configmap web-cm -p …` would: another field manager changes a value.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&env.kubeconfig).expect("kubeconfig"),
            &Default::default(),
        )
        .await
        .expect("config");
        let client = kube::Client::try_from(config).expect("client");
        let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
            kube::Api::namespaced(client, &ns);
        let patch = serde_json::json!({"data": {"value": "drifted"}});
        api.patch(
            "web-cm",
            &kube::api::PatchParams {
                field_manager: Some("kubectl-patch".into()),
                ..Default::default()
            },
            &kube::api::Patch::Merge(&patch),
        )
        .await
        .expect("patch");
    });
    // The manifest comparison sees only the release's own change (the ConfigMap's revision).
    let (code, out, err) = rs(
        env,
        &[
            "diff",
            "upgrade",
            "web",
            &chart,
            "-n",
            &ns,
            "--reuse-values",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        out.contains(&format!("{ns}, web-cm, ConfigMap (v1) has changed:\n")),
        "{out}"
    );
    assert!(!out.contains("drifted"), "{out}");
    // Against the live objects the value comes back, and the note says the upgrade would
    // conflict with the other manager.
    let (code, out, err) = rs(
        env,
        &[
            "diff",
            "upgrade",
            "web",
            &chart,
            "-n",
            &ns,
            "--reuse-values",
            "--detailed-exitcode",
            "--three-way-merge",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        out.contains(&format!("{ns}, web-cm, ConfigMap (v1) has changed:\n")),
        "{out}"
    );
    assert!(out.contains("-   value: drifted\n"), "{out}");
    assert!(out.contains("+   value: x\n"), "{out}");
    assert!(!out.contains("web-svc"), "{out}");
    assert!(err.contains("note: the upgrade would conflict with another field manager (it needs --force-conflicts): ConfigMap/web-cm: "), "{err}");
    // With the drifted object's kind suppressed nothing else is reported.
    let (code, out, err) = rs(
        env,
        &[
            "diff",
            "upgrade",
            "web",
            &chart,
            "-n",
            &ns,
            "--reuse-values",
            "--three-way-merge",
            "--suppress",
            "ConfigMap",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        !out.contains("has been added")
            && !out.contains("has been removed")
            && !out.contains("web-svc"),
        "{out}"
    );
}
