//! Helm's global flags and environment variables compared with Helm 4.1.4: `helm env` (every
//! variable, from flags given before or after the command, from `HELM_*` variables, with Helm's
//! defaults and its handling of bad values), the flag errors, and flags that reach the
//! commands (`--repository-config`, `--repository-cache`, `--kube-apiserver`).
//!
//! Expected outputs are in `tests/data/global_flags_expected.txt`, recorded from Helm
//! (`GLOBAL_FLAGS_RECORD=1` rewrites it from `../shared/tools/helm-oracle`); every run compares
//! helm-rs with it and, when the oracle is present, Helm too. `HELM_BIN` (the path the program
//! was run by) is the one line that differs by nature and is masked.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A case: the arguments (`''` is an empty one) and `NAME=value` environment variables
/// (`@` in either stands for the fixture directory).
const CASES: &[(&str, &[&str])] = &[
    ("env", &[]),
    ("env HELM_NAMESPACE", &[]),
    ("env HELM_BIN_NOPE", &[]),
    ("env a b", &[]),
    (
        "env",
        &[
            "HELM_NAMESPACE=ns1",
            "HELM_KUBECONTEXT=c1",
            "HELM_KUBETOKEN=tok",
            "HELM_KUBEAPISERVER=https://k:6443",
            "HELM_KUBEASUSER=u1",
            "HELM_KUBEASGROUPS=, g1,g2 ,",
            "HELM_KUBECAFILE=/ca.pem",
            "HELM_KUBEINSECURE_SKIP_TLS_VERIFY=true",
            "HELM_KUBETLS_SERVER_NAME=sn",
            "HELM_DEBUG=1",
            "HELM_MAX_HISTORY=7",
            "HELM_BURST_LIMIT=50",
            "HELM_QPS=2.5",
            "HELM_REGISTRY_CONFIG=/r.json",
            "HELM_REPOSITORY_CACHE=/rc",
            "HELM_REPOSITORY_CONFIG=/rf.yaml",
            "HELM_CONTENT_CACHE=/cc",
            "HELM_PLUGINS=/p1:/p2",
            "HELM_CACHE_HOME=/c/",
            "XDG_CONFIG_HOME=/x",
            "HELM_DATA_HOME=/d/./e",
        ],
    ),
    (
        "env",
        &["HELM_MAX_HISTORY=zz", "HELM_BURST_LIMIT=0x10", "HELM_QPS=abc", "HELM_DEBUG=yes", "HELM_KUBEINSECURE_SKIP_TLS_VERIFY=maybe", "HELM_COLOR=purple", "XDG_CACHE_HOME=/xc", "XDG_DATA_HOME=/xd"],
    ),
    (
        "--debug --burst-limit 0x10 --qps 1.5 -n ns2 --kube-context c2 --kube-token t2 --kube-as-user u2 --kube-as-group a --kube-as-group b --kube-apiserver h:1 --kube-ca-file ca --kube-insecure-skip-tls-verify --kube-tls-server-name s --registry-config r --repository-cache rc --repository-config rf --content-cache cc --kubeconfig /k env",
        &[],
    ),
    (
        "env --debug --burst-limit=-1 --qps=3 --namespace=ns3 --kube-context=c3 --kube-as-group=x --kube-insecure-skip-tls-verify=false --registry-config=r2",
        &["HELM_KUBEASGROUPS=e1,e2", "HELM_NAMESPACE=envns", "HELM_DEBUG=true"],
    ),
    ("--debug=false env HELM_DEBUG", &["HELM_DEBUG=true"]),
    ("env HELM_NAMESPACE", &["KUBECONFIG=@/kubeconfig"]),
    ("env HELM_NAMESPACE --kube-context other", &["KUBECONFIG=@/kubeconfig"]),
    ("env HELM_NAMESPACE --kubeconfig @/kubeconfig", &[]),
    ("env HELM_NAMESPACE -n given", &["KUBECONFIG=@/kubeconfig"]),
    ("--burst-limit x env", &[]),
    ("env --qps fast", &[]),
    ("--color purple env", &[]),
    ("--colour=never env HELM_DEBUG", &[]),
    ("--color always env HELM_DEBUG", &["NO_COLOR=1"]),
    ("repo list --repository-config @/repositories.yaml", &[]),
    ("--repository-config @/repositories.yaml repo list -o json", &[]),
    ("search repo alpine --repository-config @/repositories.yaml --repository-cache @/cache", &[]),
    ("search repo alpine", &["HELM_REPOSITORY_CONFIG=@/repositories.yaml", "HELM_REPOSITORY_CACHE=@/cache"]),
    ("list --kube-apiserver http://127.0.0.1:1", &["KUBECONFIG=@/kubeconfig"]),
    ("list", &["KUBECONFIG=@/kubeconfig", "HELM_KUBEAPISERVER=http://127.0.0.1:1"]),
    ("status x --kube-apiserver http://127.0.0.1:1 --kube-token abc --kube-as-user u --kube-as-group g", &[]),
];

fn fixture() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("global-flags-fixture-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("home")).expect("mkdir");
        std::fs::create_dir_all(d.join("work")).expect("mkdir");
        common::write_files(
            &d,
            &[
                ("repositories.yaml", "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- name: testing\n  url: http://127.0.0.1:1/testing\n"),
                (
                    "cache/testing-index.yaml",
                    "apiVersion: v1\nentries:\n  alpine:\n  - apiVersion: v2\n    name: alpine\n    version: 0.2.0\n    appVersion: \"3.9\"\n    description: Deploy a basic Alpine Linux pod\n    created: \"2020-07-04T00:00:00Z\"\n    digest: \"0\"\n    urls:\n    - alpine-0.2.0.tgz\ngenerated: \"2020-01-01T00:00:00Z\"\n",
                ),
                (
                    "kubeconfig",
                    "apiVersion: v1\nkind: Config\nclusters:\n- name: c-a\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: ctx-a\n  context:\n    cluster: c-a\n    user: u\n    namespace: team\n- name: other\n  context:\n    cluster: c-a\n    user: u\n    namespace: otherns\ncurrent-context: ctx-a\nusers:\n- name: u\n  user:\n    token: t\n",
                ),
            ],
        );
        d
    })
}

fn run(program: &Path, args: &str, envs: &[&str]) -> (i32, String, String) {
    let d = fixture().to_string_lossy().to_string();
    let words: Vec<String> = args
        .split(' ')
        .map(|w| {
            if w == "''" {
                String::new()
            } else {
                w.replace('@', &d)
            }
        })
        .collect();
    let mut c = Command::new(program);
    c.args(&words)
        .current_dir(fixture().join("work"))
        .env_clear();
    c.env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", fixture().join("home"))
        .env("HELM_ORACLE_CACHE", common::oracle_cache())
        .env("KUBECONFIG", fixture().join("no-kubeconfig"));
    for e in envs {
        let (k, v) = e.split_once('=').expect("NAME=value");
        c.env(k, v.replace('@', &d));
    }
    let o = c.output().expect("run");
    let mask = |s: &[u8]| {
        let text = String::from_utf8_lossy(s).replace(&d, "@");
        text.lines()
            .map(|l| {
                if l.starts_with("HELM_BIN=") {
                    "HELM_BIN=<program>"
                } else {
                    l
                }
            })
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    (
        o.status.code().unwrap_or(-1),
        mask(&o.stdout),
        mask(&o.stderr),
    )
}

fn expected_path() -> PathBuf {
    common::root().join("cli/tests/data/global_flags_expected.txt")
}

fn key(args: &str, envs: &[&str]) -> String {
    format!("{args} [{}]", envs.join(" "))
}

#[test]
fn global_flags_and_environment_match_helm() {
    let oracle = common::oracle();
    if let Some(h) = common::recording("GLOBAL_FLAGS_RECORD", &oracle) {
        let mut text = String::new();
        for (args, envs) in CASES {
            let (code, out, err) = run(h, args, envs);
            text.push_str(&format!(
                "=== {}\nexit {code}\n{out}--- stderr\n{err}",
                key(args, envs)
            ));
        }
        std::fs::write(expected_path(), text).expect("write expected");
    }
    let text = std::fs::read_to_string(expected_path())
        .expect("read tests/data/global_flags_expected.txt");
    let mut expected = std::collections::HashMap::new();
    for block in text.split("=== ").skip(1) {
        let (k, rest) = block.split_once('\n').expect("case line");
        let (code, rest) = rest.split_once('\n').expect("exit line");
        let (out, err) = rest.split_once("--- stderr\n").expect("stderr marker");
        let code: i32 = code.trim_start_matches("exit ").parse().expect("exit code");
        expected.insert(k.to_string(), (code, out.to_string(), err.to_string()));
    }
    let mut differ = Vec::new();
    for (args, envs) in CASES {
        let k = key(args, envs);
        let want = expected
            .get(&k)
            .unwrap_or_else(|| panic!("no recorded answer for {k:?} (GLOBAL_FLAGS_RECORD=1)"));
        if let Some(h) = &oracle {
            assert_eq!(
                &run(h, args, envs),
                want,
                "Helm's answer to {k:?} changed from the recorded one"
            );
        }
        let got = run(&PathBuf::from(env!("CARGO_BIN_EXE_helm-rs")), args, envs);
        if &got != want {
            differ.push(format!("{k}\n--- helm-rs\n{got:?}\n--- helm\n{want:?}\n"));
        }
    }
    common::assert_all_agree("global flag", CASES.len(), &differ);
}

/// The impersonation flags reach the API server: a user with no rights is refused, as with
/// Helm (kube test environment).
#[test]
fn impersonation_reaches_the_cluster() {
    let Some(env) = common::env() else { return };
    let args = [
        "list",
        "-n",
        "default",
        "--kube-as-user",
        "nobody",
        "--kube-as-group",
        "nogroup",
    ];
    let o = Command::new(env!("CARGO_BIN_EXE_helm-rs"))
        .args(args)
        .arg("--kubeconfig")
        .arg(&env.kubeconfig)
        .env_remove("KUBECONFIG")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!o.status.success(), "impersonated list should be refused");
    assert!(
        err.contains("forbidden") && err.contains("\"nobody\""),
        "{err}"
    );
    if let Some(h) = common::oracle() {
        let theirs = common::helm(env, &h, &args);
        assert_eq!(o.status.success(), theirs.0);
        // The Secret driver's wording around the API error too (`list: failed to list: …`).
        assert_eq!(err, theirs.2);
    }
}
