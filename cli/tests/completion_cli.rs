//! Shell completion compared with Helm 4.1.4: `__complete`/`__completeNoDesc` answers (the
//! candidates, the `:N` directive, the stderr report) for commands, flags, flag values,
//! repositories, charts, chart versions, kube contexts and the file-name fallbacks, and the
//! `completion SHELL` scripts.
//!
//! Each case runs in a fixed environment (a home, repositories file and cache, kubeconfig and
//! working directory made by the test). The expected answers are in
//! `tests/data/completion_expected.txt`, recorded from Helm (`COMPLETION_RECORD=1` rewrites it
//! from `../shared/tools/helm-oracle`); every run compares helm-rs with that file and, when the
//! oracle is present, Helm with it too. Release names and revisions need a cluster: they are
//! compared live with Helm on the kube test environment (skipped when it is absent).

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The command lines after `helm`; `''` is the empty word being completed.
const CASES: &[&str] = &[
    "__complete ''",
    "__completeNoDesc ''",
    "__complete st",
    "__complete --",
    "__complete -",
    "__complete status --",
    "__complete status -",
    "__complete status --output ''",
    "__complete status -o ''",
    "__complete status -o=j",
    "__complete status --output jso",
    "__complete status --output json -",
    "__complete status --revision x ''",
    "__complete --burst-limit x ''",
    "__complete foo ''",
    "__complete completion ''",
    "__complete completion bash ''",
    "__complete completion bash -",
    "__complete help ''",
    "__complete help get ''",
    "__complete help foo ''",
    "__complete env ''",
    "__complete --kubeconfig /nonexistent env ''",
    "__complete env HELM_BIN ''",
    "__complete create ''",
    "__complete create foo ''",
    "__complete --color ''",
    "__complete status --colour ''",
    "__complete status --debug a",
    "__complete status --kube-context ''",
    "__complete --kube-context=''",
    "__complete --kubeconfig ''",
    "__complete install ''",
    "__complete install rel ''",
    "__complete install rel t",
    "__complete install rel testing/",
    "__complete install rel testing/al",
    "__complete install rel foo/",
    "__complete install rel o",
    "__complete install rel oci://x",
    "__complete install rel h",
    "__complete install --generate-name ''",
    "__complete install -g te",
    "__complete install rel testing/alpine ''",
    "__complete install rel testing/alpine --version ''",
    "__complete install rel testing/alpine --version 0.3",
    "__complete install --generate-name testing/alpine --version ''",
    "__complete install testing/alpine --version ''",
    "__complete install rel invalid/invalid --version ''",
    "__complete install rel testing/alpine badarg --version ''",
    "__complete template rel testing/alpine --version ''",
    "__complete template --generate-name testing/alpine --version ''",
    "__complete upgrade rel ''",
    "__complete upgrade rel testing/alpine --version ''",
    "__complete upgrade rel --version ''",
    "__complete upgrade rel testing/alpine badarg --version ''",
    "__complete upgrade rel testing/alpine ''",
    "__complete pull ''",
    "__complete pull te",
    "__complete pull testing/alpine --version ''",
    "__complete pull --version ''",
    "__complete pull testing/alpine ''",
    "__complete show ''",
    "__complete show all ''",
    "__complete show chart testing/alpine --version ''",
    "__complete show values testing/alpine --version ''",
    "__complete show values x ''",
    "__complete repo ''",
    "__complete repo remove ''",
    "__completeNoDesc repo remove ''",
    "__completeNoDesc repo remove fo",
    "__completeNoDesc repo remove foo ''",
    "__complete repo update ''",
    "__complete repo add ''",
    "__complete repo add a b ''",
    "__complete repo list ''",
    "__complete repo index ''",
    "__complete plugin ''",
    "__complete plugin uninstall ''",
    "__complete plugin install ''",
    "__complete plugin list ''",
    "__complete push ''",
    "__complete push chart.tgz ''",
    "__complete push a b ''",
    "__complete registry login ''",
    "__complete verify ''",
    "__complete verify x ''",
    "__complete lint ''",
    "__complete package ''",
    "__complete list ''",
    "__complete list -",
    "__complete list -a -",
    "__complete version ''",
    "__complete get ''",
    "__complete search ''",
    "__complete search repo ''",
    "__complete dependency ''",
    "__complete dep ''",
    "__complete dep build ''",
    "__complete status -h ''",
    "__complete install --wait ''",
    "__complete install --dry-run ''",
    "__complete install -f ''",
    "__complete install --force-replace --force",
    "__complete template --validate --dr",
    "__complete install --set a=b --se",
    "__complete install rel -- -",
    "__complete install rel -- ''",
    "__complete --v 3 ''",
    "__complete --v ''",
    "__complete status --bogus ''",
    "__complete status --bogus=1 ''",
    "__complete status -o",
    "__complete -n=",
    "__complete list --max ''",
    "__complete docs ''",
    "__complete uninstall --",
    "__complete rollback --",
    "__complete upgrade --",
    "__complete template --",
    "__complete get all -",
];

fn root() -> PathBuf {
    common::root()
}

/// The fixed environment: home, repositories (`testing` with charts.txt and index, `foo` with
/// an index only, `bar` with nothing cached), a kubeconfig with one context on a closed port,
/// and a working directory with a chart directory and a file.
fn fixture() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("completion-fixture-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        for sub in ["home", "plugins", "work/testchart"] {
            std::fs::create_dir_all(d.join(sub)).expect("mkdir");
        }
        let entry = |name: &str, v: &str, app: &str, created: &str, deprecated: bool| {
            format!(
                "  - apiVersion: v2\n    name: {name}\n    version: {v}\n{}    created: \"{created}\"\n    deprecated: {deprecated}\n    digest: \"0\"\n    urls:\n    - {name}-{v}.tgz\n",
                if app.is_empty() { String::new() } else { format!("    appVersion: \"{app}\"\n") }
            )
        };
        let index = format!(
            "apiVersion: v1\nentries:\n  alpine:\n{}{}{}  nginx:\n{}generated: \"2020-01-01T00:00:00Z\"\n",
            entry("alpine", "0.1.0", "3.9", "2019-03-05T12:00:00.000000000+01:00", false),
            entry("alpine", "0.3.0", "3.11", "2021-12-31T23:59:59Z", true),
            entry("alpine", "0.2.0", "", "2020-07-04T00:00:00Z", false),
            entry("nginx", "1.0.0", "1.19", "2020-01-01T00:00:00Z", false),
        );
        let foo = format!("apiVersion: v1\nentries:\n  zeta:\n{}generated: \"2020-01-01T00:00:00Z\"\n", entry("zeta", "1.0.0", "1", "2020-01-01T00:00:00Z", false));
        common::write_files(
            &d,
            &[
                ("work/testfile.txt", "x"),
                ("work/other.txt", "x"),
                (
                    "repositories.yaml",
                    "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- name: testing\n  url: http://127.0.0.1:1/testing\n- name: foo\n  url: http://127.0.0.1:1/foo\n- name: bar\n  url: http://127.0.0.1:1/bar\n",
                ),
                ("cache/testing-index.yaml", &index),
                ("cache/testing-charts.txt", "alpine\nnginx\n"),
                ("cache/foo-index.yaml", &foo),
                (
                    "kubeconfig",
                    "apiVersion: v1\nkind: Config\nclusters:\n- name: c-a\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: ctx-a\n  context:\n    cluster: c-a\n    user: u\n    namespace: team\ncurrent-context: ctx-a\nusers:\n- name: u\n  user:\n    token: t\n",
                ),
            ],
        );
        d
    })
}

/// Runs `program` with the words of `case` in the fixture's environment.
fn run(program: &Path, case: &str, extra_env: &[(&str, &str)]) -> (String, String) {
    let d = fixture();
    let words: Vec<String> = case
        .split(' ')
        .map(|w| {
            if w == "''" {
                String::new()
            } else {
                w.replace("''", "")
            }
        })
        .collect();
    let mut c = Command::new(program);
    c.args(&words).current_dir(d.join("work")).env_clear();
    c.env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", d.join("home"))
        .env("HELM_ORACLE_CACHE", common::oracle_cache())
        .env("HELM_REPOSITORY_CONFIG", d.join("repositories.yaml"))
        .env("HELM_REPOSITORY_CACHE", d.join("cache"))
        .env("HELM_PLUGINS", d.join("plugins"))
        .env("KUBECONFIG", d.join("kubeconfig"));
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let o = c.output().expect("run");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_helm-rs"))
}

/// What differs between the two programs by name only (`helm env`'s HELM_BIN line).
fn normalize(case: &str, out: &str) -> String {
    if case.contains("env HELM_BIN") {
        return "<HELM_BIN>\n:4\n".into();
    }
    out.to_string()
}

fn expected_path() -> PathBuf {
    root().join("cli/tests/data/completion_expected.txt")
}

/// The recorded answers: `=== CASE`, then stdout, then `--- stderr`, then stderr.
fn load_expected() -> std::collections::HashMap<String, (String, String)> {
    let text =
        std::fs::read_to_string(expected_path()).expect("read tests/data/completion_expected.txt");
    let mut map = std::collections::HashMap::new();
    for block in text.split("=== ").skip(1) {
        let (case, rest) = block.split_once('\n').expect("case line");
        let (out, err) = rest.split_once("--- stderr\n").expect("stderr marker");
        map.insert(case.to_string(), (out.to_string(), err.to_string()));
    }
    map
}

#[test]
fn complete_answers_match_helm() {
    let oracle = common::oracle();
    if let Some(h) = common::recording("COMPLETION_RECORD", &oracle) {
        let mut text = String::new();
        for case in CASES {
            let (out, err) = run(h, case, &[]);
            text.push_str(&format!(
                "=== {case}\n{}--- stderr\n{err}",
                normalize(case, &out)
            ));
        }
        std::fs::write(expected_path(), text).expect("write expected");
    }
    let expected = load_expected();
    let mut differ = Vec::new();
    for case in CASES {
        let (want_out, want_err) = expected
            .get(*case)
            .unwrap_or_else(|| panic!("no recorded answer for {case:?} (COMPLETION_RECORD=1)"));
        if let Some(h) = &oracle {
            let (out, err) = run(h, case, &[]);
            assert_eq!(
                (&normalize(case, &out), &err),
                (want_out, want_err),
                "Helm's answer to {case:?} changed from the recorded one"
            );
        }
        let (out, err) = run(&ours(), case, &[]);
        if (&normalize(case, &out), &err) != (want_out, want_err) {
            differ.push(format!("{case}\n--- helm-rs stdout\n{out}--- helm stdout\n{want_out}--- helm-rs stderr\n{err}--- helm stderr\n{want_err}"));
        }
    }
    common::assert_all_agree("completion", CASES.len(), &differ);
}

/// Descriptions can be turned off by the environment, and ActiveHelp hints too.
#[test]
fn description_and_active_help_switches() {
    let (out, _) = run(
        &ours(),
        "__complete create foo ''",
        &[("HELM_ACTIVE_HELP", "0")],
    );
    assert_eq!(out, ":4\n");
    let (out, _) = run(
        &ours(),
        "__complete rep",
        &[("COBRA_COMPLETION_DESCRIPTIONS", "false")],
    );
    assert_eq!(out, "repo\n:4\n");
    if let Some(h) = common::oracle() {
        for (case, env) in [
            ("__complete create foo ''", ("HELM_ACTIVE_HELP", "0")),
            ("__complete rep", ("COBRA_COMPLETION_DESCRIPTIONS", "false")),
            ("__complete rep", ("HELM_COMPLETION_DESCRIPTIONS", "0")),
        ] {
            assert_eq!(
                run(&ours(), case, &[env]),
                run(&h, case, &[env]),
                "{case} with {env:?}"
            );
        }
    }
}

/// The scripts: Helm's, plus the line hooking a renamed binary (compared with Helm run under
/// the name `helm-rs` through a link).
#[test]
fn completion_scripts_match_helm() {
    let bash = run(&ours(), "completion bash", &[]).0;
    assert!(
        bash.starts_with("# bash completion V2 for helm"),
        "{}",
        &bash[..80.min(bash.len())]
    );
    assert!(bash.contains("requestComp=\"${words[0]} __complete ${args[*]}\""));
    assert!(bash.ends_with("    complete -o default -F __start_helm helm-rs\nelse\n    complete -o default -o nospace -F __start_helm helm-rs\nfi\n"));
    let nodesc = run(&ours(), "completion bash --no-descriptions", &[]).0;
    assert!(nodesc.contains("requestComp=\"${words[0]} __completeNoDesc ${args[*]}\""));
    let zsh = run(&ours(), "completion zsh", &[]).0;
    assert!(
        zsh.starts_with("#compdef helm\n"),
        "{}",
        &zsh[..40.min(zsh.len())]
    );
    assert!(zsh.ends_with("\ncompdef _helm helm-rs\ncompdef _helm helm"));
    let fish = run(&ours(), "completion fish --no-descriptions", &[]).0;
    assert!(fish.contains("HELM_ACTIVE_HELP=0 $args[1] __completeNoDesc"));
    let ps = run(&ours(), "completion powershell", &[]).0;
    assert!(ps.contains("$RequestComp=\"$Program __complete $Arguments\""));

    let Some(h) = common::oracle() else { return };
    // Helm run as `helm-rs`: a link to its binary with that name.
    let _ = run(&h, "version", &[]);
    let real = common::oracle_cache().join("layer/helm/helm");
    let dir = fixture().join("renamed");
    let _ = std::fs::create_dir_all(&dir);
    let link = dir.join("helm-rs");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        for flags in ["", " --no-descriptions"] {
            let case = format!("completion {shell}{flags}");
            assert_eq!(run(&ours(), &case, &[]), run(&link, &case, &[]), "{case}");
        }
    }
}

/// Release names and revisions from a real cluster, compared live with Helm.
#[test]
fn release_completions_match_helm_on_a_cluster() {
    let Some(env) = common::env() else { return };
    let ns = common::unique("comp");
    let dir = common::scratch(&ns);
    let chart = common::write_chart(&dir, "compchart", "0.1.0")
        .to_string_lossy()
        .to_string();
    let kc = env.kubeconfig.to_string_lossy().to_string();
    // The kubeconfig comes from the environment: the last word must stay the one completed.
    let with = |program: &Path, args: &[&str]| {
        let mut c = common::isolated(program, args);
        common::helm_home(c.env("KUBECONFIG", &kc));
        common::outcome(c.output().expect("run"))
    };
    let rs = |args: &[&str]| with(&ours(), args);
    let (ok, _, err) = rs(&["install", "web", &chart, "-n", &ns, "--create-namespace"]);
    assert!(ok, "{err}");
    let (ok, _, err) = rs(&["upgrade", "web", &chart, "-n", &ns]);
    assert!(ok, "{err}");
    let (ok, _, err) = rs(&["install", "api", &chart, "-n", &ns]);
    assert!(ok, "{err}");
    // What Helm answered for these releases (checked against helm-oracle).
    let cases: Vec<(Vec<String>, String)> = [
        (vec!["__complete", "-n", "NS", "status", ""], "api\tcompchart-0.1.0 -> deployed\nweb\tcompchart-0.1.0 -> deployed\n:4\n"),
        (vec!["__complete", "status", "-n", "NS", "w"], "api\tcompchart-0.1.0 -> deployed\nweb\tcompchart-0.1.0 -> deployed\n:4\n"),
        (vec!["__complete", "uninstall", "web", "-n", "NS", ""], "api\tcompchart-0.1.0 -> deployed\n:4\n"),
        (vec!["__complete", "rollback", "web", "-n", "NS", ""], "1\tApp: 1.0, Chart: compchart-0.1.0\n2\tApp: 1.0, Chart: compchart-0.1.0\n:4\n"),
        (vec!["__complete", "status", "web", "-n", "NS", "--revision", ""], "1\tApp: 1.0, Chart: compchart-0.1.0\n2\tApp: 1.0, Chart: compchart-0.1.0\n:4\n"),
        (vec!["__complete", "get", "values", "web", "-n", "NS", "--revision", ""], "1\tApp: 1.0, Chart: compchart-0.1.0\n2\tApp: 1.0, Chart: compchart-0.1.0\n:4\n"),
        (vec!["__complete", "rollback", "nosuch", "-n", "NS", ""], ":1\n"),
        (vec!["__complete", "history", "web", "-n", "NS", ""], "_activeHelp_ This command does not take any more arguments (but may accept flags).\n:4\n"),
    ]
    .into_iter()
    .map(|(a, e)| (a.into_iter().map(|w| if w == "NS" { ns.clone() } else { w.to_string() }).collect(), e.to_string()))
    .collect();
    for (args, want) in &cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(rs(&a).1, *want, "helm-rs {a:?}");
        if let Some(h) = common::oracle() {
            assert_eq!(with(&h, &a).1, *want, "helm {a:?}");
        }
    }
    // Namespaces: this test's namespace is among them.
    let (_, out, _) = rs(&["__complete", "-n", ""]);
    assert!(
        out.lines().any(|l| l == ns) && out.ends_with(":4\n"),
        "{out}"
    );
}
