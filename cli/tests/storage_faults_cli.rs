//! Release storage under faults, with `helm-rs` as separate processes on a real API server:
//! writers racing for one release, and the API server killed in the middle of actions.
//!
//! Both are long when run in full (`HELM_RS_RACE_ROUNDS=50`, `HELM_RS_KILL_TRIALS=50`, as
//! documented in the README); CI runs fewer rounds of the same code.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{env, on_cluster, outcome, scratch, unique, write_files};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rs(kubeconfig: &Path, args: &[&str]) -> (bool, String, String) {
    outcome(
        common::isolated(env!("CARGO_BIN_EXE_helm-rs"), args)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .output()
            .expect("run helm-rs"),
    )
}

/// A chart of 150 ConfigMaps (so that an action spends some time applying), at `dir/name`.
fn chart(dir: &Path, name: &str) -> String {
    let chart = dir.join(name);
    write_files(
        &chart,
        &[
            (
                "Chart.yaml",
                &format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
            ),
            ("values.yaml", "data: x\n"),
            (
                "templates/cms.yaml",
                "{{- range $i := until 150 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ $.Release.Name }}-cm{{ $i }}\ndata:\n  v: {{ $.Values.data | quote }}\n{{- end }}\n",
            ),
        ],
    );
    chart.to_string_lossy().into_owned()
}

/// (revision, status) of each revision of `name`, oldest first.
fn history(kubeconfig: &Path, name: &str, ns: &str) -> Result<Vec<(i64, String)>, String> {
    let (ok, out, err) = rs(kubeconfig, &["history", name, "-n", ns, "-o", "json"]);
    if !ok {
        return Err(err);
    }
    let h: serde_json::Value = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
    Ok(h.as_array()
        .ok_or_else(|| out.clone())?
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect())
}

/// Eight `helm-rs upgrade` processes started together against one release, round after round:
/// each upgrade either gets a revision of its own or fails with Helm's "another operation …
/// is in progress", the history has no gap and no duplicate, and one revision is deployed at
/// the end of every round.
#[test]
fn racing_upgrade_processes_claim_distinct_revisions() {
    let Some(env) = env() else { return };
    let ns = unique("race-procs");
    let dir = scratch(&ns);
    let chart = chart(&dir, "racer");
    let kc = &env.kubeconfig;
    let (ok, _, err) = rs(
        kc,
        &["install", "r", &chart, "-n", &ns, "--create-namespace"],
    );
    assert!(ok, "{err}");
    let rounds = count("HELM_RS_RACE_ROUNDS", 5);
    let mut revisions = 1;
    for round in 0..rounds {
        let children: Vec<_> = (0..8)
            .map(|w| {
                on_cluster(
                    env!("CARGO_BIN_EXE_helm-rs"),
                    env,
                    &[
                        "upgrade",
                        "r",
                        &chart,
                        "-n",
                        &ns,
                        "--history-max",
                        "0",
                        "--set",
                        &format!("data=r{round}w{w}"),
                    ],
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
            })
            .collect();
        let mut won = 0;
        for c in children {
            let (ok, _, err) = outcome(c.wait_with_output().expect("wait"));
            if ok {
                won += 1;
            } else {
                assert!(
                    err.ends_with("Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n"),
                    "round {round}: {err}"
                );
            }
        }
        assert!(won >= 1, "round {round}: some upgrade wins");
        revisions += won;
        let h = history(kc, "r", &ns).expect("history");
        assert_eq!(
            h.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
            (1..=revisions as i64).collect::<Vec<_>>(),
            "round {round}: no gap, no duplicate: {h:?}"
        );
        assert_eq!(
            h.iter().filter(|(_, s)| s == "deployed").count(),
            1,
            "round {round}: {h:?}"
        );
    }
    eprintln!(
        "{rounds} rounds of 8 racing upgrades: {} revisions won",
        revisions - 1
    );
}

/// `list` flags that show releases in every state.
const EVERY_STATE: &[&str] = &[
    "--deployed",
    "--failed",
    "--pending",
    "--superseded",
    "--uninstalled",
    "--uninstalling",
];

/// A private control plane (its API server is killed and restarted), stopped on drop.
struct Private {
    dir: PathBuf,
}

impl Private {
    fn start(tag: &str) -> Option<Private> {
        let dir = std::env::temp_dir().join(format!("{}-{}", unique(tag), std::process::id()));
        // Without controllers: the environment starts faster and nothing here needs them.
        common::start_testenv_with(
            "kube-testenv",
            &dir,
            &[("HELM_RS_TESTENV_CONTROLLERS", "0")],
        )?;
        Some(Private { dir })
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.join("kubeconfig")
    }

    fn apiserver(&self, what: &str) {
        let out = Command::new(common::root().join("scripts/kube-testenv"))
            .arg(what)
            .arg(&self.dir)
            .output()
            .expect("kube-testenv");
        assert!(
            out.status.success(),
            "kube-testenv {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        let _ = Command::new(common::root().join("scripts/kube-testenv"))
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

/// Brings `name` back to a deployed release by the explicit commands a user has: `recover`
/// for a pending revision (`uninstall` again for an interrupted uninstall), then
/// `upgrade --install`; a release that never deployed and so
/// cannot be upgraded is uninstalled and installed again. Returns what it had to do.
fn bring_back(kc: &Path, chart: &str, name: &str, ns: &str) -> Vec<&'static str> {
    let mut done = Vec::new();
    let h = history(kc, name, ns);
    if let Ok(h) = &h {
        if h.last().is_some_and(|(_, s)| s == "uninstalling") {
            let (ok, out, err) = rs(kc, &["recover", name, "-n", ns]);
            assert!(
                !ok && err.contains("finished by running uninstall again"),
                "{out}{err}"
            );
            let (ok, _, err) = rs(kc, &["uninstall", name, "-n", ns]);
            assert!(ok, "uninstall {name} again: {err}");
            done.push("uninstall again");
        }
        if h.last().is_some_and(|(_, s)| s.starts_with("pending-")) {
            let (ok, out, err) = rs(kc, &["recover", name, "-n", ns, "--stale-after", "0s"]);
            assert!(ok, "recover {name}: {out}{err}");
            done.push("recover");
        }
    }
    let (ok, _, err) = rs(
        kc,
        &[
            "upgrade",
            "--install",
            name,
            chart,
            "-n",
            ns,
            "--history-max",
            "0",
        ],
    );
    if !ok {
        assert!(
            err.contains("has no deployed releases"),
            "upgrade {name}: {err}"
        );
        let (ok, _, err) = rs(kc, &["uninstall", name, "-n", ns]);
        assert!(ok, "uninstall {name}: {err}");
        let (ok, _, err) = rs(kc, &["install", name, chart, "-n", ns]);
        assert!(ok, "install {name}: {err}");
        done.push("reinstall");
    }
    let h = history(kc, name, ns).expect("history after");
    assert_eq!(
        h.last().map(|(_, s)| s.as_str()),
        Some("deployed"),
        "{name}: {h:?}"
    );
    done
}

/// The API server SIGKILLed at a point of an install, upgrade, rollback or uninstall (a
/// different delay each trial), then started again: every release is readable afterwards
/// (`history`, `status`, `list` of every state; Helm's `list` too when the reference is here), has no
/// gap in its revisions and at most one pending revision (the last), and comes back to a
/// deployed release by explicit commands.
#[test]
fn api_server_killed_mid_action_leaves_releases_readable_and_recoverable() {
    if env().is_none() {
        return;
    }
    let Some(cp) = Private::start("kill") else {
        return;
    };
    let kc = cp.kubeconfig();
    let ns = "trials";
    let dir = scratch("kill-trials");
    let chart = chart(&dir, "victim");
    let (ok, _, err) = rs(
        &kc,
        &["install", "a", &chart, "-n", ns, "--create-namespace"],
    );
    assert!(ok, "{err}");
    let trials = count("HELM_RS_KILL_TRIALS", 8);
    let oracle = common::oracle();
    let mut tally: std::collections::BTreeMap<String, usize> = Default::default();
    for t in 0..trials {
        let action = ["upgrade", "rollback", "uninstall", "install"][t % 4];
        let name = if action == "install" || action == "uninstall" {
            format!("u{t}")
        } else {
            "a".to_string()
        };
        if action == "uninstall" {
            let (ok, _, err) = rs(&kc, &["install", &name, &chart, "-n", ns]);
            assert!(ok, "{err}");
        }
        let data = format!("data=t{t}");
        let args: Vec<&str> = match action {
            "upgrade" => vec![
                "upgrade",
                &name,
                &chart,
                "--set",
                &data,
                "--history-max",
                "0",
            ],
            "rollback" => vec!["rollback", &name, "--history-max", "0"],
            "uninstall" => vec!["uninstall", &name],
            _ => vec!["install", &name, &chart],
        };
        let child = common::isolated(env!("CARGO_BIN_EXE_helm-rs"), &args)
            .args(["-n", ns, "--timeout", "30s", "--kubeconfig"])
            .arg(&kc)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Kill points spread over the action's life (its start is ~100 ms of process start).
        std::thread::sleep(Duration::from_millis(20 + (t as u64 * 37) % 400));
        cp.apiserver("kill-apiserver");
        std::thread::sleep(Duration::from_millis(200));
        cp.apiserver("start-apiserver");
        let started = Instant::now();
        let (ok, _, err) = outcome(child.wait_with_output().expect("wait"));
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the action hung after the API server came back"
        );
        *tally
            .entry(format!(
                "{action} {}",
                if ok { "completed" } else { "failed" }
            ))
            .or_default() += 1;
        if !ok {
            // Helm's form: a `level=WARN msg="upgrade failed"` log line, then `Error: …`,
            // whose causes say the API server was not reached.
            assert!(
                err.lines().any(|l| l.starts_with("Error: "))
                    && (err.contains("Connection refused")
                        || err.contains("Connection reset")
                        || err.contains("connection error")
                        || err.contains("timed out")),
                "trial {t} ({action}): a clear error: {err}"
            );
        }
        // Readable, by both tools.
        let (ok, _, err) = rs(&kc, &[&["list", "-n", ns][..], EVERY_STATE].concat());
        assert!(ok, "trial {t}: list: {err}");
        if let Some(h) = &oracle {
            let out = common::isolated(
                h,
                &[&["list", "-n", ns][..], EVERY_STATE, &["--kubeconfig"]].concat(),
            )
            .arg(&kc)
            .env("HELM_ORACLE_CACHE", common::oracle_cache())
            .output()
            .expect("helm list");
            assert!(
                out.status.success(),
                "trial {t}: Helm cannot list: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        match history(&kc, &name, ns) {
            Ok(h) => {
                assert_eq!(
                    h.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
                    (1..=h.len() as i64).collect::<Vec<_>>(),
                    "trial {t}: {h:?}"
                );
                let pending = h.iter().filter(|(_, s)| s.starts_with("pending-")).count();
                assert!(pending <= 1, "trial {t}: {h:?}");
                let (ok, _, err) = rs(&kc, &["status", &name, "-n", ns]);
                assert!(ok, "trial {t}: status: {err}");
            }
            // An install that stored nothing, or an uninstall that finished.
            Err(e) => assert_eq!(e, "Error: release: not found\n", "trial {t}"),
        }
        if action == "uninstall" && history(&kc, &name, ns).is_err() {
            continue;
        }
        for step in bring_back(&kc, &chart, &name, ns) {
            *tally.entry(format!("then {step}")).or_default() += 1;
        }
    }
    eprintln!("{trials} trials: {tally:?}");
}
