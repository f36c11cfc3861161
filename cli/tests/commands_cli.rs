//! `helm-rs create|package|lint` and `template --post-renderer` as commands: stdout, stderr and
//! exit codes. Every expected text was printed by the reference Helm 4.1.4 for the same input.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{write_files, Scratch};
use std::path::Path;
use std::process::Command;

fn tmp(tag: &str) -> Scratch {
    Scratch::new(&format!("cmd-{tag}"))
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_helm-rs"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run helm-rs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BAD_NAME_WARNING: &str = "[WARNING] templates/cm.yaml: object name does not conform to Kubernetes naming requirements: \"Bad_Name\": metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn bad_name_chart(d: &Path) {
    write_files(
        &d.join("b2"),
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: b2\nversion: 1.0.0\nicon: https://x/y.png\n",
            ),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: {{ .Values.nm }}\n",
            ),
            ("values.yaml", "nm: Bad_Name\n"),
        ],
    );
}

#[test]
fn create_then_lint_then_package() {
    let d = tmp("flow");
    assert_eq!(
        run(&d, &["create", "mychart"]),
        (0, "Creating mychart\n".into(), String::new())
    );
    let (code, out, _) = run(&d, &["create", "mychart"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(&format!(
        "Creating mychart\nWARNING: File \"{}/mychart/Chart.yaml\" already exists. Overwriting.\n",
        d.display()
    )));
    assert_eq!(out.lines().count(), 13);

    assert_eq!(
        run(&d, &["lint", "mychart"]),
        (0, "==> Linting mychart\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n".into(), String::new())
    );
    assert_eq!(
        run(&d, &["lint", "mychart", "--quiet"]),
        (0, String::new(), String::new())
    );

    assert_eq!(
        run(&d, &["package", "mychart", "-d", "pk1"]),
        (
            0,
            "Successfully packaged chart and saved it to: pk1/mychart-0.1.0.tgz\n".into(),
            String::new()
        )
    );
    // Default destination: the current directory, printed as an absolute path.
    assert_eq!(
        run(&d, &["package", "mychart", "--version", "v1.2.3"]),
        (
            0,
            format!(
                "Successfully packaged chart and saved it to: {}/mychart-v1.2.3.tgz\n",
                d.display()
            ),
            String::new()
        )
    );
    // The archive lints and renders.
    let (code, out, _) = run(&d, &["lint", "pk1/mychart-0.1.0.tgz"]);
    assert_eq!((code, out.as_str()), (0, "==> Linting pk1/mychart-0.1.0.tgz\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n"));
    let (code, out, _) = run(&d, &["template", "pk1/mychart-0.1.0.tgz"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("---\n# Source: mychart/templates/serviceaccount.yaml\n"));
}

#[test]
fn create_errors() {
    let d = tmp("cerr");
    assert_eq!(
        run(&d, &["create", "a b"]),
        (
            1,
            "Creating a b\n".into(),
            "Error: chart name must match the regular expression \"^[a-zA-Z0-9._-]+$\"\n".into()
        )
    );
    assert_eq!(
        run(&d, &["create", "foo/"]),
        (
            1,
            "Creating foo/\n".into(),
            format!(
                "Error: stat {}/foo: no such file or directory\n",
                d.display()
            )
        )
    );
    assert_eq!(
        run(&d, &["create"]),
        (
            1,
            String::new(),
            "Error: \"helm create\" requires 1 argument\n\nUsage:  helm create NAME [flags]\n"
                .into()
        )
    );
}

#[test]
fn package_errors() {
    let d = tmp("perr");
    run(&d, &["create", "mychart"]);
    assert_eq!(
        run(&d, &["package", "mychart", "--version", "notsemver"]),
        (1, String::new(), "Error: invalid semantic version\n".into())
    );
    assert_eq!(
        run(&d, &["package", "nonexist"]),
        (
            1,
            String::new(),
            "Error: stat nonexist: no such file or directory\n".into()
        )
    );
    assert_eq!(
        run(&d, &["package"]),
        (
            1,
            String::new(),
            "Error: need at least one argument, the path to the chart\n".into()
        )
    );
}

#[test]
fn lint_strict_and_failures() {
    let d = tmp("lint");
    bad_name_chart(&d);
    assert_eq!(
        run(&d, &["lint", "b2"]),
        (
            0,
            format!("==> Linting b2\n{BAD_NAME_WARNING}\n\n1 chart(s) linted, 0 chart(s) failed\n"),
            String::new()
        )
    );
    assert_eq!(
        run(&d, &["lint", "b2", "--strict"]),
        (
            1,
            format!("==> Linting b2\n{BAD_NAME_WARNING}\n\n"),
            "Error: 1 chart(s) linted, 1 chart(s) failed\n".into()
        )
    );
    assert_eq!(
        run(&d, &["lint", "b2", "--set", "nm=good"]),
        (
            0,
            "==> Linting b2\n\n1 chart(s) linted, 0 chart(s) failed\n".into(),
            String::new()
        )
    );
    assert_eq!(
        run(&d, &["lint", "b2", "nonexist"]),
        (
            1,
            format!("==> Linting b2\n{BAD_NAME_WARNING}\n\n==> Linting nonexist\nError unable to check Chart.yaml file in chart: stat nonexist/Chart.yaml: no such file or directory\n\n"),
            "Error: 2 chart(s) linted, 1 chart(s) failed\n".into()
        )
    );
}

#[test]
fn post_renderer_is_a_plugin_name_in_helm_4() {
    let d = tmp("post");
    run(&d, &["create", "mychart"]);
    assert_eq!(
        run(&d, &["template", "mychart", "--post-renderer", "./pr.sh"]),
        (
            1,
            String::new(),
            "Error: invalid argument \"./pr.sh\" for \"--post-renderer\" flag: plugin: {Name:./pr.sh Type:postrenderer/v1} not found\n".into()
        )
    );
}

/// A post-renderer plugin without a command for this platform fails as in Helm 4.1.4 (text
/// printed by helm-oracle for the same plugin and chart).
#[test]
fn post_renderer_plugin_without_a_command_fails_as_helm() {
    let d = tmp("plugin");
    run(&d, &["create", "mychart"]);
    write_files(
        &d.join("plugins/myrend"),
        &[("plugin.yaml", "apiVersion: v1\nname: myrend\ntype: postrenderer/v1\nruntime: subprocess\nversion: 0.1.0\n")],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_helm-rs"))
        .current_dir(&d)
        .env("HELM_PLUGINS", d.join("plugins"))
        .args(["template", "mychart", "--post-renderer", "myrend"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: error while running post render on files: failed to invoke post-renderer plugin \"myrend\": failed to prepare plugin command: no plugin command is applicable\n\nUse --debug flag to render out invalid YAML\n"
    );
}

/// `--history-max` is Helm's spelling on upgrade and rollback (helmfile and pyhelm3 pass it);
/// `--max-history` stays accepted. With no cluster answering, both tools then fail on the
/// reachability check (texts printed by Helm 4.1.4 for the same kubeconfig).
#[test]
fn history_max_is_helms_flag() {
    let d = tmp("history-max");
    write_files(
        &d,
        &[
            ("kc", "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\n"),
            ("ch/Chart.yaml", "apiVersion: v2\nname: ch\nversion: 0.1.0\n"),
        ],
    );
    let unreachable = "kubernetes cluster unreachable: Get \"https://127.0.0.1:1/version\": dial tcp 127.0.0.1:1: connect: connection refused\n";
    for flag in ["--history-max", "--max-history"] {
        let (code, out, err) = run(
            &d,
            &["upgrade", "r", "./ch", flag, "3", "--kubeconfig", "kc"],
        );
        assert_eq!(
            (code, out.as_str(), err),
            (1, "", format!("Error: UPGRADE FAILED: {unreachable}")),
            "{flag}"
        );
        let (code, out, err) = run(&d, &["rollback", "r", "1", flag, "3", "--kubeconfig", "kc"]);
        assert_eq!(
            (code, out.as_str(), err),
            (1, "", format!("Error: {unreachable}")),
            "{flag}"
        );
    }
}

/// Argument errors of the release commands come before any configuration is read (a missing
/// `--kubeconfig` here), and name the binary as invoked: run as `helm`, helm-rs prints what
/// Helm 4.1.4 printed for the same command lines.
#[test]
fn release_argument_errors_as_helm_prints_them() {
    let d = tmp("release-args");
    let helm = d.join("helm");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_helm-rs"), &helm).expect("symlink");
    let cases: [(&[&str], &str); 8] = [
        (&["install", "r"], "Error: INSTALLATION FAILED: must either provide a name or specify --generate-name\n"),
        (&["install", "a", "b", "--generate-name"], "Error: INSTALLATION FAILED: cannot set --generate-name and also specify a name\n"),
        (&["install"], "Error: \"helm install\" requires at least 1 argument\n\nUsage:  helm install [NAME] [CHART] [flags]\n"),
        (&["upgrade", "r"], "Error: \"helm upgrade\" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]\n"),
        (&["rollback"], "Error: \"helm rollback\" requires at least 1 argument\n\nUsage:  helm rollback <RELEASE> [REVISION] [flags]\n"),
        (&["rollback", "r", "x"], "Error: could not convert revision to a number: strconv.Atoi: parsing \"x\": invalid syntax\n"),
        (&["uninstall"], "Error: \"helm uninstall\" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]\n"),
        (&["uninstall", "r", "--cascade", "bad"], "Error: invalid cascade value (bad). Must be \"background\", \"foreground\", or \"orphan\"\n"),
    ];
    for (args, want) in cases {
        let out = Command::new(&helm)
            .current_dir(&d)
            .args(args)
            .args(["--kubeconfig", "/nonexistent"])
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            (out.status.code(), err.as_ref()),
            (Some(1), want),
            "{args:?}"
        );
    }
}

/// Helm's global cluster flags go before or after the command (helmfile writes
/// `helm --kube-context X template …`; pyhelm3 passes `--kubeconfig` to every command); an
/// unknown context is refused in client-go's words. Outputs printed by Helm 4.1.4.
#[test]
fn global_cluster_flags_anywhere() {
    let d = tmp("global-flags");
    write_files(
        &d,
        &[
            ("kc", "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\n"),
            ("ch/Chart.yaml", "apiVersion: v2\nname: ch\nversion: 0.1.0\n"),
            ("ch/templates/cm.yaml", "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\n"),
        ],
    );
    let rendered = |ns: &str| {
        format!("---\n# Source: ch/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: r\n  namespace: {ns}\n")
    };
    for (args, ns) in [
        (
            &["-n", "foo", "--kube-context", "x", "template", "r", "./ch"][..],
            "foo",
        ),
        (
            &[
                "template",
                "r",
                "./ch",
                "--kubeconfig",
                "kc",
                "--kube-context",
                "c",
                "-n",
                "bar",
            ][..],
            "bar",
        ),
        (
            &["--kubeconfig", "kc", "template", "r", "./ch"][..],
            "default",
        ),
    ] {
        let (code, out, err) = run(&d, args);
        assert_eq!((code, out, err.as_str()), (0, rendered(ns), ""), "{args:?}");
    }
    let (code, _, err) = run(&d, &["lint", "./ch", "-n", "x", "--kube-context", "y"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(
        &d,
        &["--kube-context", "nope", "--kubeconfig", "kc", "list"],
    );
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "Error: kubernetes cluster unreachable: context \"nope\" does not exist\n"
        )
    );
}

/// `show values --jsonpath` filters the values (more in `show_jsonpath_cli.rs`); the other
/// `show` commands have no such flag, in Helm's words.
#[test]
fn show_jsonpath_only_on_values() {
    let d = tmp("jsonpath");
    write_files(
        &d,
        &[
            (
                "ch/Chart.yaml",
                "apiVersion: v2\nname: ch\nversion: 0.1.0\n",
            ),
            ("ch/values.yaml", "a:\n  b: 1\n"),
        ],
    );
    let (code, out, err) = run(&d, &["show", "values", "./ch", "--jsonpath", "{.a}"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "{\"b\":1}", ""));
    let (code, _, err) = run(&d, &["show", "chart", "./ch", "--jsonpath", "{.a}"]);
    assert_eq!(
        (code, err.as_str()),
        (1, "Error: unknown flag: --jsonpath\n")
    );
}

/// A chart argument that is neither a path here nor `repo/chart` (a mistyped directory):
/// Helm 4.1.4's locator text, for every command that locates charts (texts printed by
/// helm-oracle for the same arguments).
#[test]
fn a_missing_chart_path_reads_as_helms_locator_error() {
    let d = tmp("missing-chart");
    let text = "non-absolute URLs should be in form of repo_name/path_to_chart, got: nosuch\n";
    for (args, prefix) in [
        (&["template", "nosuch"][..], ""),
        (&["show", "values", "nosuch"][..], ""),
        (&["show", "readme", "nosuch"][..], ""),
        (&["pull", "nosuch"][..], ""),
        (
            &["install", "x", "nosuch", "--dry-run=client"][..],
            "INSTALLATION FAILED: ",
        ),
    ] {
        assert_eq!(
            run(&d, args),
            (1, String::new(), format!("Error: {prefix}{text}")),
            "{args:?}"
        );
    }
}
