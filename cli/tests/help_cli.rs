//! Help as Helm 4.1.4 prints it, compared with `../shared/tools/helm-oracle` byte for byte:
//! every command's `--help`, `-h` and `help PATH`, a group command run alone, `help` of an
//! unknown topic, flag defaults taken from `HELM_*` variables, `--help` beside a bad flag, and
//! CLI plugins (listed among the root's commands; `help PLUGIN`). helm-rs runs as `helm` (a
//! link), so that command paths name the same program.
//!
//! Skips, saying why, when the oracle is absent.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::Scratch;
use std::path::Path;

/// Every command path Helm has (the completion tree's table), and cobra's `help`.
fn command_paths() -> Vec<String> {
    let tsv = include_str!("../src/complete/helm_tree.tsv");
    let mut out: Vec<String> = tsv
        .lines()
        .filter_map(|l| l.strip_prefix("command\t"))
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect();
    out.push("help".into());
    out
}

fn run(program: &Path, args: &[String], home: &Path, env: &[(&str, &str)]) -> String {
    let mut c = common::isolated(
        program,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    c.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("HELM_ORACLE_CACHE", common::oracle_cache());
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("run");
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn compare(
    helm_rs: &Path,
    oracle: &Path,
    home: &Path,
    cases: &[(Vec<String>, Vec<(&str, &str)>)],
) -> Vec<String> {
    let mut differ = Vec::new();
    for (args, env) in cases {
        let ours = run(helm_rs, args, home, env);
        let theirs = run(oracle, args, home, env);
        if ours != theirs {
            differ.push(format!(
                "$ {env:?} helm {}\nhelm-rs:\n{ours}\nHelm:\n{theirs}",
                args.join(" ")
            ));
        }
    }
    differ
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

#[test]
fn help_is_helms() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let scratch = Scratch::new("help");
    let bin = scratch.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let helm_rs = bin.join("helm");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_helm-rs"), &helm_rs).expect("symlink");
    let home = scratch.join("home");
    std::fs::create_dir_all(&home).expect("mkdir");

    let mut cases: Vec<(Vec<String>, Vec<(&str, &str)>)> = Vec::new();
    for path in command_paths() {
        let p = words(&path);
        let with = |extra: &[&str]| {
            let mut v = p.clone();
            v.extend(extra.iter().map(|s| s.to_string()));
            v
        };
        cases.push((with(&["--help"]), vec![]));
        let mut h = vec!["help".to_string()];
        h.extend(p.clone());
        cases.push((h, vec![]));
        if !path.is_empty() {
            cases.push((with(&["-h"]), vec![]));
        }
    }
    for line in [
        "",
        "get",
        "repo",
        "show",
        "plugin",
        "dependency",
        "dep",
        "search",
        "registry",
        "completion",
        "get nosuch",
        "help nosuch",
        "help get nosuch",
        "help ls",
        "ls --help",
        "get all --help x y",
        "get all --help --nosuch",
        "list --nosuch --help",
        "-n ns list --help",
        "list -h --output json",
        "upgrade --help",
        "rollback --help",
        "pull --help",
        "verify --help",
    ] {
        cases.push((words(line), vec![]));
    }
    let env_defaults = vec![
        ("HELM_NAMESPACE", "team-a"),
        ("HELM_QPS", "2.5"),
        ("HELM_BURST_LIMIT", "7"),
        ("HELM_DEBUG", "true"),
        ("HELM_KUBEASGROUPS", "a,b"),
        ("HELM_KUBECONTEXT", "ctx"),
        ("HELM_COLOR", "never"),
        ("HELM_MAX_HISTORY", "3"),
        ("HELM_REPOSITORY_CONFIG", "/r/repos.yaml"),
        ("GNUPGHOME", "/g"),
        ("KUBECONFIG", "/k/config"),
    ];
    for line in [
        "--help",
        "upgrade --help",
        "rollback -h",
        "pull --help",
        "help repo add",
    ] {
        cases.push((words(line), env_defaults.clone()));
    }
    let mut differ = compare(&helm_rs, &oracle, &home, &cases);

    // CLI plugins are commands of the root: listed with their short help, `help NAME` is the
    // plugin's long help and usage.
    let plugins = scratch.join("plugins");
    for (dir, yaml) in [
        (
            "hello",
            "apiVersion: v1\ntype: cli/v1\nname: hello\nversion: 0.1.0\nruntime: subprocess\nconfig:\n  shortHelp: says hello\n  longHelp: |\n    Says hello.\n\n    At length.\nruntimeConfig:\n  platformCommand:\n    - command: echo\n",
        ),
        (
            "a-very-long-plugin-name",
            "name: a-very-long-plugin-name\nversion: 0.1.0\nusage: legacy usage line\ndescription: a legacy plugin\ncommand: echo\n",
        ),
    ] {
        std::fs::create_dir_all(plugins.join(dir)).expect("mkdir");
        std::fs::write(plugins.join(dir).join("plugin.yaml"), yaml).expect("write");
    }
    let plugins_s = plugins.to_str().expect("utf-8");
    let env = vec![("HELM_PLUGINS", plugins_s)];
    let plugin_cases: Vec<(Vec<String>, Vec<(&str, &str)>)> = [
        "",
        "--help",
        "help hello",
        "help a-very-long-plugin-name",
        "help get",
    ]
    .iter()
    .map(|l| (words(l), env.clone()))
    .collect();
    differ.extend(compare(&helm_rs, &oracle, &home, &plugin_cases));
    common::assert_all_agree("help", cases.len() + plugin_cases.len(), &differ);

    // helm-rs's own flags (Helm has none of them) do not change the page asked for.
    for (own, helms) in [
        ("--server http://127.0.0.1:1 list --help", "list --help"),
        ("upgrade --plan --help", "upgrade --help"),
        ("--token t help get all", "help get all"),
    ] {
        let ours = run(&helm_rs, &words(own), &home, &[]);
        assert!(ours.starts_with("exit 0\n"), "{own}: {ours}");
        assert_eq!(ours, run(&oracle, &words(helms), &home, &[]), "{own}");
    }
}
