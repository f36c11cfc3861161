//! `helm-rs` release commands against a real API server, output compared with Helm 4.1.4
//! (`../shared/tools/helm-oracle`) on the same cluster: both tools print the same text for
//! the same release, and each drives releases the other installed.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{
    env, helm, on_cluster, oracle, outcome, scratch, unique, write_chart, write_files, Env,
};

fn rs(env: &Env, args: &[&str]) -> (bool, String, String) {
    outcome(
        on_cluster(env!("CARGO_BIN_EXE_helm-rs"), env, args)
            .output()
            .expect("run helm-rs"),
    )
}

/// Runs the same command with both tools and asserts identical exit status, stdout, stderr.
fn same(env: &Env, h: &std::path::Path, args: &[&str]) -> String {
    let theirs = helm(env, h, args);
    let ours = rs(env, args);
    assert_eq!(ours, theirs, "helm-rs vs helm for {args:?}");
    ours.1
}

/// Masks what legitimately differs between two installs (times, the namespace).
/// Also masks timestamps in -o yaml output (the chart's file `modtime`s are the same: both
/// tools read the same chart directory).
fn mask(s: &str, ns: &str) -> String {
    // client-go's klog lines (`I1124 17:44:10.636191   25452 reflector.go:578] ...`) that Helm
    // prints now and then when its watch is cancelled: noise of Helm's, not output.
    let klog = regex::Regex::new(r"^[IWE]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [\w.-]+\.go:\d+\] ")
        .expect("regex");
    let masked = s
        .lines()
        .filter(|l| !klog.is_match(l))
        .map(|l| {
            let t = l.trim_start();
            if l.starts_with("LAST DEPLOYED: ") {
                "LAST DEPLOYED: <time>"
            } else if [
                "first_deployed:",
                "last_deployed:",
                "started_at:",
                "completed_at:",
            ]
            .iter()
            .any(|p| t.starts_with(p))
            {
                "<time>"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .replace(ns, "<ns>");
    // `helm history` times (Go's ANSIC layout)
    let ansic = regex::Regex::new(
        r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}",
    )
    .expect("regex");
    let masked = ansic.replace_all(&masked, "<ansic time>").to_string();
    // `helm list` times (Go's time.Time.String())
    let gotime = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} [A-Z]+")
        .expect("regex");
    let masked = gotime.replace_all(&masked, "<time>").to_string();
    // Column padding follows the time's length (Go trims trailing zeros of the nanoseconds),
    // so table cells are compared without it.
    let padding = regex::Regex::new(r" +(\t|\n|$)").expect("regex");
    padding.replace_all(&masked, "$1").to_string()
}

/// The environment and Helm, one namespace `cli-TAG-N` both tools work in, and a scratch
/// directory; None (after printing why) when either cannot run here.
fn one_namespace(
    tag: &str,
) -> Option<(&'static Env, std::path::PathBuf, String, std::path::PathBuf)> {
    let env = env()?;
    let h = oracle()?;
    let ns = unique(&format!("cli-{tag}"));
    let dir = scratch(&ns);
    Some((env, h, ns, dir))
}

/// [`write_chart`] (version 0.1.0) with `files` added or replaced; its path as an argument.
fn chart_with(dir: &std::path::Path, name: &str, files: &[(&str, &str)]) -> String {
    let chart_dir = write_chart(dir, name, "0.1.0");
    write_files(&chart_dir, files);
    chart_dir.to_string_lossy().to_string()
}

/// One command run by Helm in one namespace and by helm-rs in another (`NS` in the arguments
/// names the namespace), compared after [`mask`].
struct SideBySide<'a> {
    env: &'a Env,
    helm: std::path::PathBuf,
    ns_h: String,
    ns_r: String,
}

impl SideBySide<'static> {
    /// The environment and Helm, a namespace for each (`cli-TAG-h`, `cli-TAG-r`) and a scratch
    /// directory; None (after printing why) when either cannot run here.
    fn start(tag: &str) -> Option<(Self, std::path::PathBuf)> {
        let env = env()?;
        let helm = oracle()?;
        let (ns_h, ns_r) = (
            unique(&format!("cli-{tag}-h")),
            unique(&format!("cli-{tag}-r")),
        );
        let dir = scratch(&ns_r);
        Some((
            SideBySide {
                env,
                helm,
                ns_h,
                ns_r,
            },
            dir,
        ))
    }
}

impl SideBySide<'_> {
    /// Asserts the same exit status and stderr (masked, then `extra`); returns our raw stdout and
    /// both masked stdouts (ours, theirs).
    fn checked(&self, args: &[&str], extra: impl Fn(String) -> String) -> (String, String, String) {
        let with = |ns: &str| {
            args.iter()
                .map(|a| {
                    if *a == "NS" {
                        ns.to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect::<Vec<_>>()
        };
        let (ah, ar) = (with(&self.ns_h), with(&self.ns_r));
        let theirs = helm(
            self.env,
            &self.helm,
            &ah.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let ours = rs(self.env, &ar.iter().map(String::as_str).collect::<Vec<_>>());
        let m = |s: &str, ns: &str| extra(mask(s, ns));
        assert_eq!(
            ours.0, theirs.0,
            "exit status of {args:?}: {} / {}",
            ours.2, theirs.2
        );
        assert_eq!(
            m(&ours.2, &self.ns_r),
            m(&theirs.2, &self.ns_h),
            "stderr of {args:?}"
        );
        let (o, t) = (m(&ours.1, &self.ns_r), m(&theirs.1, &self.ns_h));
        (ours.1, o, t)
    }

    /// Asserts the same exit status, stdout and stderr (masked, then `extra`); returns our raw
    /// stdout.
    fn same_with(&self, args: &[&str], extra: impl Fn(String) -> String) -> String {
        let (raw, o, t) = self.checked(args, extra);
        assert_eq!(o, t, "stdout of {args:?}");
        raw
    }

    fn same(&self, args: &[&str]) -> String {
        self.same_with(args, |s| s)
    }
}

#[test]
fn outputs_match_helm_for_the_same_release() {
    let Some((env, h, ns, dir)) = one_namespace("same") else {
        return;
    };
    let chart = write_chart(&dir, "clichart", "0.1.0")
        .to_string_lossy()
        .to_string();
    let (ok, _, err) = rs(
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
            "--labels",
            "team=a",
        ],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = rs(
        env,
        &["upgrade", "web", &chart, "-n", &ns, "--set", "data=y"],
    );
    assert!(ok, "{err}");
    for args in [
        vec!["list", "-n", &ns],
        vec!["list", "-n", &ns, "-o", "json"],
        vec!["list", "-n", &ns, "-o", "yaml"],
        vec!["list", "-n", &ns, "-q"],
        vec!["list", "-n", &ns, "--superseded"],
        vec!["history", "web", "-n", &ns],
        vec!["history", "web", "-n", &ns, "-o", "json"],
        vec!["history", "web", "-n", &ns, "--max", "1"],
        vec!["get", "values", "web", "-n", &ns],
        vec!["get", "values", "web", "-n", &ns, "--revision", "1", "-o", "json"],
        vec!["get", "values", "web", "-n", &ns, "-a"],
        vec!["get", "manifest", "web", "-n", &ns],
        vec!["get", "hooks", "web", "-n", &ns],
        vec!["get", "notes", "web", "-n", &ns],
        vec!["get", "all", "web", "-n", &ns],
        vec!["get", "metadata", "web", "-n", &ns],
        vec!["get", "metadata", "web", "-n", &ns, "-o", "json"],
        vec!["get", "metadata", "web", "-n", &ns, "-o", "yaml"],
        vec!["list", "-n", &ns, "--time-format", "2006-01-02 15:04"],
        // Helm 4's colours: bold headers, cyan namespaces, statuses by meaning
        vec!["list", "-n", &ns, "-a", "--color", "always"],
        vec!["get", "all", "web", "-n", &ns, "--colour=always"],
        // `get all --template`: the release as Helm's Go struct
        vec![
            "get", "all", "web", "-n", &ns, "--template",
            "{{.Release.Name}} {{.Release.Version}} {{.Release.Info.Status}} {{.Release.Chart.Metadata.Name}}-{{.Release.Chart.Metadata.Version}} \
             {{.Release.Chart.Metadata.AppVersion}} {{.Release.Chart.Metadata.APIVersion}} {{.Release.Namespace}} {{.Release.Config.data}} \
             {{.Release.Info.Description}} {{.Release.Info.LastDeployed}} {{.Release.Chart.Values.data}} {{len .Release.Manifest}}",
        ],
        vec!["history", "web", "-n", &ns, "--color=always"],
        vec!["rollback", "web", "-n", &ns, "--dry-run"],
        vec!["status", "nope", "-n", &ns],
        vec!["history", "nope", "-n", &ns],
        vec!["rollback", "web", "9", "-n", &ns],
        vec!["upgrade", "nope", &chart, "-n", &ns],
        vec!["uninstall", "nope", "-n", &ns],
    ] {
        same(env, &h, &args);
    }
    // Helm rolls back what helm-rs upgraded; both agree on the result.
    let (ok, out, _) = helm(env, &h, &["rollback", "web", "-n", &ns]);
    assert!(ok);
    assert_eq!(out, "Rollback was a success! Happy Helming!\n");
    same(env, &h, &["history", "web", "-n", &ns]);
    same(env, &h, &["get", "values", "web", "-n", &ns]);
    // name in use: Helm's log line and error
    same(env, &h, &["install", "web", &chart, "-n", &ns]);
}

#[test]
fn action_outputs_match_helm() {
    let Some((pair, dir)) = SideBySide::start("act") else {
        return;
    };
    let chart = write_chart(&dir, "actchart", "0.1.0")
        .to_string_lossy()
        .to_string();
    let both = |args: &[&str]| pair.same(args);
    both(&[
        "install",
        "app",
        &chart,
        "-n",
        "NS",
        "--create-namespace",
        "--dry-run",
    ]);
    both(&[
        "install",
        "app",
        &chart,
        "-n",
        "NS",
        "--create-namespace",
        "--description",
        "first one",
    ]);
    both(&[
        "upgrade",
        "app",
        &chart,
        "-n",
        "NS",
        "--set",
        "data=two",
        "--set",
        "extra=true",
    ]);
    both(&[
        "upgrade",
        "app",
        &chart,
        "-n",
        "NS",
        "--reuse-values",
        "--set",
        "kept=true",
        "-o",
        "yaml",
    ]);
    both(&["get", "values", "app", "-n", "NS"]);
    both(&["upgrade", "app", &chart, "-n", "NS", "--reset-values"]);
    both(&["get", "values", "app", "-n", "NS"]);
    both(&["upgrade", "other", &chart, "-n", "NS", "--install"]);
    both(&["rollback", "app", "2", "-n", "NS"]);
    both(
        &["history", "app", "-n", "NS"]
            .map(|s| s)
            .to_vec()
            .as_slice(),
    );
    both(&["uninstall", "app", "-n", "NS", "--keep-history"]);
    both(&["list", "-n", "NS", "--uninstalled"]);
    both(&["uninstall", "app", "other", "-n", "NS"]);
    both(&["list", "-n", "NS"]);
}

#[test]
fn failure_outputs_match_helm() {
    let Some((pair, dir)) = SideBySide::start("fail") else {
        return;
    };
    // never ready here: no nodes run its pods
    let chart = chart_with(
        &dir,
        "failchart",
        &[("templates/deploy.yaml", common::UNREADY_DEPLOYMENT)],
    );
    let both = |args: &[&str]| pair.same(args);
    both(&[
        "install",
        "w",
        &chart,
        "-n",
        "NS",
        "--create-namespace",
        "--wait",
        "--timeout",
        "4s",
    ]);
    both(&["history", "w", "-n", "NS"]);
    both(&[
        "install",
        "a",
        &chart,
        "-n",
        "NS",
        "--atomic",
        "--timeout",
        "4s",
    ]);
    both(&["list", "-n", "NS"]);
    // An upgrade whose new object the API server refuses: Helm's update creates objects the
    // cluster lacks and says so in the error; one that exists is patched (plain error).
    let bad = chart_with(
        &dir,
        "badobj",
        &[(
            "templates/bad.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  list:\n    - a\n",
        )],
    );
    let good = chart_with(&dir, "goodobj", &[]);
    both(&["install", "u", &good, "-n", "NS"]);
    both(&["upgrade", "u", &bad, "-n", "NS"]);
    both(&["history", "u", "-n", "NS"]);
}

/// `--dry-run=server` and `--dry-run=client` for install and upgrade, against Helm 4.1.4:
/// server renders with the cluster's capabilities and a `lookup` that reads it and refuses
/// objects owned by another release; client install uses default capabilities and an empty
/// `lookup`; upgrade's client dry-run reads capabilities but not `lookup`. Nothing is stored.
#[test]
fn dry_run_modes_match_helm() {
    let Some((pair, dir)) = SideBySide::start("dry") else {
        return;
    };
    let chart = chart_with(&dir, "drychart", &[("templates/lookup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-lookup\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  ns: {{ (lookup \"v1\" \"Namespace\" \"\" .Release.Namespace).metadata | default dict | dig \"name\" \"none\" | quote }}\n")]);
    // a chart whose ConfigMap has the name `app`'s chart renders, owned by release `other`
    let foreign = dir.join("foreign");
    write_files(
        &foreign,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: foreign\nversion: 0.1.0\n",
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-cm\ndata: {}\n",
            ),
        ],
    );
    let foreign = foreign.to_string_lossy().to_string();
    let both = |args: &[&str]| pair.same(args);
    both(&["install", "base", &chart, "-n", "NS", "--create-namespace"]);
    let server = both(&["install", "app", &chart, "-n", "NS", "--dry-run=server"]);
    assert!(
        server.contains(&format!("ns: \"{}\"", pair.ns_r)),
        "lookup read the cluster: {server}"
    );
    let client = both(&["install", "app", &chart, "-n", "NS", "--dry-run=client"]);
    assert!(client.contains("ns: \"none\""), "{client}");
    both(&[
        "upgrade",
        "base",
        &chart,
        "-n",
        "NS",
        "--dry-run=server",
        "--set",
        "data=two",
    ]);
    both(&["upgrade", "base", &chart, "-n", "NS", "--dry-run=client"]);
    both(&["install", "other", &foreign, "-n", "NS"]);
    both(&["install", "app", &chart, "-n", "NS", "--dry-run=server"]);
    both(&["install", "app", &chart, "-n", "NS", "--dry-run=client"]);
    // the name check is skipped by any dry run
    both(&["install", "base", &chart, "-n", "NS", "--dry-run=server"]);
    both(&["list", "-n", "NS"]);
    both(&["history", "base", "-n", "NS"]);
    both(&["get", "manifest", "base", "-n", "NS"]);
}

/// Helm 4's RESOURCES section in any order of its `==> ` groups (Helm walks a Go map there),
/// with the AGE column (the last one, unpadded) masked.
fn status_normalized(s: &str) -> String {
    let age = regex::Regex::new(r"(?m)   \d+[smhd](\d+[smh])?$").expect("regex");
    let s = age.replace_all(s, "   <age>").to_string();
    let Some(start) = s.find("RESOURCES:\n") else {
        return s;
    };
    let end = s.find("TEST SUITE").unwrap_or(s.len());
    let mut groups: Vec<&str> = s[start + "RESOURCES:\n".len()..end]
        .split("==> ")
        .map(|g| g.trim_end_matches('\n'))
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort();
    format!(
        "{}RESOURCES:\n==> {}\n{}",
        &s[..start],
        groups.join("\n==> "),
        &s[end..]
    )
}

/// `helm status` of a release, its json/yaml forms and `--revision`, against Helm 4.1.4 on
/// the same release: the live objects as the API server's Tables (kubectl's layout), pods
/// related to workloads, and the objects themselves in json/yaml.
#[test]
fn status_matches_helm() {
    let Some((env, h, ns, dir)) = one_namespace("status") else {
        return;
    };
    let chart = chart_with(&dir, "statuschart", &[("templates/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-d\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: {{ .Release.Name }}}\n  template:\n    metadata:\n      labels: {app: {{ .Release.Name }}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-none\nspec:\n  replicas: 0\n  selector:\n    matchLabels: {app: none}\n  template:\n    metadata:\n      labels: {app: none}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n")]);
    let (ok, _, err) = helm(
        env,
        &h,
        &[
            "install",
            "web",
            &chart,
            "-n",
            &ns,
            "--create-namespace",
            "--set",
            "extra=true",
        ],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = rs(env, &["upgrade", "web", &chart, "-n", &ns]);
    assert!(ok, "{err}");
    // pods exist (pending: no nodes) before comparing
    for _ in 0..50 {
        if helm(env, &h, &["status", "web", "-n", &ns])
            .1
            .contains("Pod(related)")
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for args in [
        vec!["status", "web", "-n", &ns],
        vec!["status", "web", "-n", &ns, "--revision", "1"],
    ] {
        let theirs = helm(env, &h, &args);
        let ours = rs(env, &args);
        assert_eq!(ours.0, theirs.0, "{args:?}: {}", ours.2);
        assert!(
            theirs.1.contains("==> v1/Pod(related)") && theirs.1.contains("==> v1/Deployment"),
            "{}",
            theirs.1
        );
        assert_eq!(
            status_normalized(&ours.1),
            status_normalized(&theirs.1),
            "{args:?}"
        );
        assert_eq!(ours.2, theirs.2);
    }
    for fmt in ["json", "yaml"] {
        let args = ["status", "web", "-n", &ns, "-o", fmt];
        // The live objects are read twice, once per tool: the controller-manager may update a
        // Deployment's or Pod's status in between, so the pair is read again (up to 5 times)
        // until both reads saw the same state; the comparison below is unchanged.
        let (mut theirs, mut ours) = (helm(env, &h, &args), rs(env, &args));
        for _ in 0..4 {
            if ours.1 == theirs.1
                || (fmt == "json"
                    && serde_json::from_str::<serde_json::Value>(&ours.1).ok()
                        == serde_json::from_str(&theirs.1).ok())
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
            (theirs, ours) = (helm(env, &h, &args), rs(env, &args));
        }
        if fmt == "json" {
            let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("json");
            assert_eq!(parse(&ours.1), parse(&theirs.1), "-o json");
            assert!(
                theirs.1.contains("\"resources\":{\"v1/ConfigMap\":["),
                "{}",
                theirs.1
            );
        } else {
            assert_eq!(ours.1, theirs.1, "-o yaml");
        }
    }
}

/// The remaining install/upgrade/rollback/list flags against Helm 4.1.4, output and stored
/// history alike: `--force`/`--force-replace` (Helm 4 refuses replacement under server-side
/// apply, after the pre-upgrade hooks, and records the failure; `--atomic` rolls back with the
/// same force options), rollback `--cleanup-on-fail`, `--reset-then-reuse-values`,
/// `--generate-name`, `--skip-crds`, `--replace`, and `list -A` with filters and states.
#[test]
fn more_flags_match_helm() {
    let Some((pair, dir)) = SideBySide::start("more") else {
        return;
    };
    let chart_dir = write_chart(&dir, "morechart", "0.1.0");
    // a CRD (skipped with --skip-crds) and NOTES saying whether the cluster has it
    let crd = format!("widgets{}.more.helm-rs.dev", std::process::id());
    let plural = crd.split('.').next().expect("plural").to_string();
    std::fs::create_dir_all(chart_dir.join("crds")).expect("mkdir");
    std::fs::write(
        chart_dir.join("crds/widget.yaml"),
        format!("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {crd}\nspec:\n  group: more.helm-rs.dev\n  names:\n    kind: Widget{pid}\n    plural: {plural}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n", pid = std::process::id()),
    )
    .expect("write");
    std::fs::write(
        chart_dir.join("templates/NOTES.txt"),
        format!("crd present: {{{{ not (empty (lookup \"apiextensions.k8s.io/v1\" \"CustomResourceDefinition\" \"\" \"{crd}\")) }}}}\n"),
    )
    .expect("write");
    let chart = chart_dir.to_string_lossy().to_string();
    let generated = regex::Regex::new(r"morechart-\d{10}").expect("regex");
    let both = |args: &[&str]| {
        pair.same_with(args, |s| {
            generated.replace_all(&s, "morechart-<time>").to_string()
        })
    };
    let out = both(&[
        "install",
        "moreapp",
        &chart,
        "-n",
        "NS",
        "--create-namespace",
        "--skip-crds",
    ]);
    assert!(out.contains("crd present: false"), "{out}");
    both(&["upgrade", "moreapp", &chart, "-n", "NS", "--force"]);
    both(&["rollback", "moreapp", "1", "-n", "NS", "--force-replace"]);
    both(&["history", "moreapp", "-n", "NS"]);
    both(&[
        "upgrade",
        "moreapp",
        &chart,
        "-n",
        "NS",
        "--force-replace",
        "--atomic",
    ]);
    both(&[
        "rollback",
        "moreapp",
        "1",
        "-n",
        "NS",
        "--force-replace",
        "--cleanup-on-fail",
    ]);
    both(&["history", "moreapp", "-n", "NS"]);
    both(&["rollback", "moreapp", "1", "-n", "NS"]);
    both(&[
        "upgrade",
        "moreapp",
        &chart,
        "-n",
        "NS",
        "--set",
        "data=z",
        "--set",
        "extra=true",
    ]);
    both(&[
        "upgrade",
        "moreapp",
        &chart,
        "-n",
        "NS",
        "--reset-then-reuse-values",
        "--set",
        "kept=true",
    ]);
    both(&["get", "values", "moreapp", "-n", "NS"]);
    both(&["get", "values", "moreapp", "-n", "NS", "--all"]);
    both(&[
        "install",
        &chart,
        "-n",
        "NS",
        "--generate-name",
        "--skip-crds",
    ]);
    both(&["uninstall", "moreapp", "-n", "NS", "--keep-history"]);
    both(&["install", "moreapp", &chart, "-n", "NS", "--skip-crds"]);
    both(&[
        "install",
        "moreapp",
        &chart,
        "-n",
        "NS",
        "--skip-crds",
        "--replace",
    ]);
    both(&["history", "moreapp", "-n", "NS"]);
    both(&["list", "-n", "NS", "--filter", "^moreapp$", "--uninstalled"]);
    both(&["list", "-n", "NS", "--failed"]);
    both(&["list", "-n", "NS", "--deployed", "-q"]);
    both(&["list", "-n", "NS", "--pending"]);
    // (--date is left out: two installs in one second tie, and which second is timing)
    both(&["list", "-n", "NS", "-r"]);
    // Both namespaces hold the same releases: -A lists them all, from either tool alike (Helm
    // orders releases of one name in several namespaces at random: rows compared as sets).
    let rows = |s: &str| {
        let s = mask(s, "<none>");
        let mut v: Vec<String> = if s.starts_with('[') {
            serde_json::from_str::<Vec<serde_json::Value>>(&s)
                .expect("json list")
                .iter()
                .map(|x| x.to_string())
                .collect()
        } else {
            s.lines().map(String::from).collect()
        };
        v.sort();
        v
    };
    for args in [
        vec!["list", "-A", "--filter", "^moreapp$"],
        vec!["list", "-A", "--filter", "^morechart-", "-q"],
        vec!["list", "-A", "--filter", "^moreapp$", "-o", "json"],
    ] {
        let theirs = helm(pair.env, &pair.helm, &args);
        let ours = rs(pair.env, &args);
        assert_eq!(ours.0, theirs.0, "{args:?}: {}", ours.2);
        assert_eq!(rows(&ours.1), rows(&theirs.1), "{args:?}");
        assert!(
            ours.1.contains(&pair.ns_h) && ours.1.contains(&pair.ns_r) || args.contains(&"-q"),
            "{args:?}: {} {}",
            ours.1,
            ours.2
        );
    }
}

/// A cluster that does not answer: every release command fails with Helm's reachability text
/// (install with its `level=ERROR` line and prefix, upgrade --install without one), and a
/// client-only dry run works without it, as with Helm 4.1.4. Needs only helm-oracle.
#[test]
fn unreachable_cluster_like_helm() {
    let Some(h) = oracle() else { return };
    let dir = scratch("unreachable");
    let chart = write_chart(&dir, "offchart", "0.1.0")
        .to_string_lossy()
        .to_string();
    // port 1 on loopback: nothing listens there, the connection is refused at once
    let kubeconfig = dir.join("dead-kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster:\n    server: http://127.0.0.1:1\ncontexts:\n- name: dead\n  context:\n    cluster: dead\n    user: u\n    namespace: offline\ncurrent-context: dead\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .expect("write");
    let run = |bin: &std::path::Path, args: &[&str]| {
        let mut c = common::isolated(bin, args);
        c.env("KUBECONFIG", &kubeconfig)
            .env("HOME", dir.join("home"))
            .env("HELM_ORACLE_CACHE", common::oracle_cache());
        outcome(c.output().expect("run"))
    };
    let ours = std::path::PathBuf::from(env!("CARGO_BIN_EXE_helm-rs"));
    for args in [
        vec!["list"],
        vec!["status", "r"],
        vec!["history", "r"],
        vec!["get", "values", "r"],
        vec!["install", "r", &chart],
        vec!["install", "r", &chart, "--dry-run=server"],
        vec!["upgrade", "r", &chart],
        vec!["upgrade", "r", &chart, "--install"],
        vec!["rollback", "r", "1"],
        vec!["uninstall", "r"],
        vec!["test", "r"],
    ] {
        let (t, o) = (run(&h, &args), run(&ours, &args));
        assert_eq!(o, t, "{args:?}");
        assert!(o.2.contains("kubernetes cluster unreachable: Get \"http://127.0.0.1:1/version\": dial tcp 127.0.0.1:1: connect: connection refused"), "{args:?}: {}", o.2);
    }
    let (t, o) = (
        run(&h, &["install", "r", &chart, "--dry-run=client"]),
        run(&ours, &["install", "r", &chart, "--dry-run=client"]),
    );
    assert!(o.0, "{}", o.2);
    assert_eq!(mask(&o.1, "offline"), mask(&t.1, "offline"));
    assert!(
        o.1.contains("NAMESPACE: offline\nSTATUS: pending-install\n"),
        "{}",
        o.1
    );
}

/// `--take-ownership`, `--render-subchart-notes`, `uninstall --cascade` and
/// `--ignore-not-found`, against Helm 4.1.4 on one API server. Helm joins subchart notes in
/// random (Go map) order, so those are compared as sets of paragraphs.
#[test]
fn ownership_notes_and_cascade_match_helm() {
    let Some((pair, dir)) = SideBySide::start("own") else {
        return;
    };
    let chart_dir = write_chart(&dir, "ownchart", "0.1.0");
    std::fs::write(chart_dir.join("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.cmName | default (printf \"%s-cm\" .Release.Name) }}\ndata:\n  a: b\n").expect("write");
    std::fs::create_dir_all(chart_dir.join("charts/sub/templates")).expect("mkdir");
    std::fs::write(
        chart_dir.join("charts/sub/Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    )
    .expect("write");
    std::fs::write(
        chart_dir.join("charts/sub/templates/NOTES.txt"),
        "sub notes for {{ .Release.Name }}\n",
    )
    .expect("write");
    let chart = chart_dir.to_string_lossy().to_string();
    let same = |args: &[&str]| pair.same(args);
    same(&["install", "one", &chart, "-n", "NS", "--create-namespace"]);
    // `two` renders `one`'s ConfigMap: refused, then adopted with --take-ownership
    same(&[
        "install",
        "two",
        &chart,
        "-n",
        "NS",
        "--set",
        "cmName=one-cm",
    ]);
    same(&[
        "install",
        "two",
        &chart,
        "-n",
        "NS",
        "--set",
        "cmName=one-cm",
        "--take-ownership",
    ]);
    same(&["upgrade", "one", &chart, "-n", "NS", "--take-ownership"]);
    // a first revision has nothing to roll back to
    same(&["rollback", "two", "-n", "NS"]);
    same(&["get", "manifest", "two", "-n", "NS"]);
    let paragraphs = |s: &str| {
        let mut v: Vec<String> = s
            .replace("NOTES:\n", "NOTES:\n\n")
            .split("\n\n")
            .map(|p| p.trim().to_string())
            .collect();
        v.sort();
        v
    };
    for args in [
        vec![
            "install",
            "three",
            &chart,
            "-n",
            "NS",
            "--render-subchart-notes",
        ],
        vec![
            "upgrade",
            "three",
            &chart,
            "-n",
            "NS",
            "--render-subchart-notes",
        ],
        vec!["get", "notes", "three", "-n", "NS"],
    ] {
        let (_, o, t) = pair.checked(&args, |s| s);
        assert_eq!(paragraphs(&o), paragraphs(&t), "{args:?}");
        assert!(o.contains("sub notes for three"), "{o}");
    }
    same(&["uninstall", "three", "-n", "NS", "--cascade", "orphan"]);
    same(&["uninstall", "nope", "-n", "NS", "--ignore-not-found"]);
    same(&["uninstall", "nope", "-n", "NS", "--cascade", "bogus"]);
    same(&["list", "-n", "NS"]);
}

/// Progress on standard error: nothing when it is not a terminal (Helm's output, unchanged),
/// one line per event with `--progress=plain`, with why `--wait` is still waiting.
#[test]
fn progress_lines_when_asked() {
    let Some(env) = env() else { return };
    let ns = unique("prog");
    let chart = chart_with(
        &scratch(&ns),
        "prog",
        &[("templates/deploy.yaml", common::UNREADY_DEPLOYMENT)],
    );
    let (ok, _, err) = rs(
        env,
        &["install", "quiet", &chart, "-n", &ns, "--create-namespace"],
    );
    assert!(ok, "{err}");
    assert_eq!(err, "");
    let (ok, _, err) = rs(
        env,
        &[
            "install",
            "loud",
            &chart,
            "-n",
            &ns,
            "--wait",
            "--timeout",
            "6s",
            "--progress=plain",
        ],
    );
    assert!(!ok);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0], "created release record sh.helm.release.v1.loud.v1 (pending-install)",
        "{err}"
    );
    assert!(
        lines.contains(&format!("applied Deployment {ns}/loud-d").as_str()),
        "{err}"
    );
    let waiting = format!("waiting for 1 resource: Deployment {ns}/loud-d: ");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&waiting) && l.contains("Pending, not scheduled yet)")),
        "{err}"
    );
    assert!(
        lines.contains(&"updated release record sh.helm.release.v1.loud.v1 (failed)"),
        "{err}"
    );
    assert!(err.ends_with(&format!("Error: INSTALLATION FAILED: resource Deployment/{ns}/loud-d not ready. status: InProgress, message: Available: 0/1\ncontext deadline exceeded\n")), "{err}");
    let (ok, _, err) = rs(
        env,
        &["install", "bad", &chart, "-n", &ns, "--progress=fancy"],
    );
    assert!(!ok);
    assert_eq!(err, "Error: invalid argument \"fancy\" for \"--progress\" flag: must be one of auto, table, plain, none\n");
}

/// A release left `pending-upgrade` by a killed `helm-rs upgrade`: every action is refused with
/// Helm's text, `status` says since when, and `recover` (refused while the revision is young,
/// unless told otherwise) marks it failed so that the next upgrade runs.
#[test]
fn a_release_left_pending_by_a_killed_upgrade_is_recovered_explicitly() {
    let Some(env) = env() else { return };
    let ns = unique("recover");
    // A pre-upgrade hook Job that never completes (no controller runs it), when asked for.
    let hang = "{{- if .Values.hang }}\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-hang\n  annotations:\n    helm.sh/hook: pre-upgrade\nspec:\n  managedBy: example.com/nobody\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n{{- end }}\n";
    let chart = chart_with(&scratch(&ns), "recchart", &[("templates/hang.yaml", hang)]);
    let (ok, _, err) = rs(
        env,
        &["install", "web", &chart, "-n", &ns, "--create-namespace"],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = rs(env, &["recover", "web", "-n", &ns]);
    assert!(!ok, "{out}");
    assert_eq!(
        err,
        "Error: nothing to recover: the latest revision is deployed, not pending\n"
    );

    let mut upgrade = on_cluster(
        env!("CARGO_BIN_EXE_helm-rs"),
        env,
        &["upgrade", "web", &chart, "-n", &ns, "--set", "hang=true"],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !rs(env, &["status", "web", "-n", &ns])
        .1
        .contains("STATUS: pending-upgrade")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the upgrade never became pending"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    upgrade.kill().expect("SIGKILL");
    let _ = upgrade.wait();

    let (ok, _, err) = rs(env, &["upgrade", "web", &chart, "-n", &ns]);
    assert!(!ok);
    assert!(
        err.ends_with(
            "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n"
        ),
        "{err}"
    );
    let (ok, out, err) = rs(env, &["status", "web", "-n", &ns]);
    assert!(
        ok && out.contains("STATUS: pending-upgrade\n"),
        "{out}{err}"
    );
    assert!(
        err.starts_with("note: release web is pending-upgrade since "),
        "{err}"
    );
    assert!(err.contains("`helm-rs recover web`"), "{err}");
    let (ok, _, err) = rs(env, &["recover", "web", "-n", &ns]);
    assert!(!ok);
    assert!(
        err.starts_with("Error: the release has been pending-upgrade since ")
            && err.contains("may still be running"),
        "{err}"
    );
    let (ok, out, err) = rs(env, &["recover", "web", "-n", &ns, "--stale-after", "0s"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("Release \"web\" recovered: revision 2 marked failed (Interrupted upgrade: pending-upgrade since "), "{out}");
    let (ok, _, err) = rs(env, &["upgrade", "web", &chart, "-n", &ns]);
    assert!(ok, "{err}");
    let (_, hist, _) = rs(env, &["history", "web", "-n", &ns, "-o", "json"]);
    let h: serde_json::Value = serde_json::from_str(&hist).expect("history JSON");
    let statuses: Vec<&str> = h
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["superseded", "failed", "deployed"], "{hist}");
}

/// A custom resource whose controller is still reconciling (`Reconciling` true): `--wait`
/// (watcher, kstatus) waits for it and names it at the timeout; `--wait=legacy` (Helm 3's
/// checks) does not look at custom resources. Helm 4.1.4 does the same with both.
#[test]
fn wait_strategies_judge_custom_resources_as_helm() {
    let Some((env, h, ns, dir)) = one_namespace("waitcr") else {
        return;
    };
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: databases.waitcr.example.com\nspec:\n  group: waitcr.example.com\n  names: {kind: Database, plural: databases, singular: database}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n";
    let cr = "apiVersion: waitcr.example.com/v1\nkind: Database\nmetadata:\n  name: {{ .Release.Name }}-db\nspec:\n  size: 1\nstatus:\n  conditions:\n  - type: Reconciling\n    status: \"True\"\n    reason: Provisioning\n    message: creating the volume\n";
    let chart_dir = write_chart(&dir, "waitcr", "0.1.0");
    // Only the custom resource: the test chart's other objects are ready at once anyway.
    let _ = std::fs::remove_dir_all(chart_dir.join("templates"));
    write_files(
        &chart_dir,
        &[("crds/db.yaml", crd), ("templates/db.yaml", cr)],
    );
    let chart = chart_dir.to_string_lossy().to_string();
    let run_helm = |args: &[&str]| helm(env, &h, args);
    for (tool, release) in [("helm", "h"), ("helm-rs", "r")] {
        let install = |name: &str, wait: &str| {
            let args = [
                "install",
                name,
                &chart,
                "-n",
                &ns,
                "--create-namespace",
                wait,
                "--timeout",
                "4s",
            ];
            if tool == "helm" {
                run_helm(&args)
            } else {
                rs(env, &args)
            }
        };
        let (ok, _, err) = install(&format!("{release}w"), "--wait");
        assert!(
            !ok,
            "{tool}: watcher waits for a reconciling custom resource"
        );
        assert!(
            err.contains(&format!(
                "resource Database/{ns}/{release}w-db not ready. status: InProgress"
            )),
            "{tool}: {err}"
        );
        let (ok, out, err) = install(&format!("{release}l"), "--wait=legacy");
        assert!(
            ok && out.contains("STATUS: deployed"),
            "{tool}: legacy does not wait for it: {err}"
        );
    }
}

/// `template --dry-run=server` renders against the cluster as Helm does: `lookup` reads it and
/// `.Capabilities` are the cluster's (`--api-versions` and `--kube-version` ignored);
/// helm-diff renders this way. Without a cluster, Helm's reachability error.
#[test]
fn template_dry_run_server_reads_the_cluster_like_helm() {
    let Some((env, h, ns, dir)) = one_namespace("tplsrv") else {
        return;
    };
    let chart = chart_with(
        &dir,
        "tplsrv",
        &[(
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  ns: {{ (lookup \"v1\" \"Namespace\" \"\" \"default\").metadata.name | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  extra: {{ .Capabilities.APIVersions.Has \"example.com/v1\" | quote }}\n  apps: {{ .Capabilities.APIVersions.Has \"apps/v1/Deployment\" | quote }}\n  gone: {{ .Capabilities.APIVersions.Has \"policy/v1beta1/PodSecurityPolicy\" | quote }}\n  all: {{ .Capabilities.APIVersions | sortAlpha | join \",\" | quote }}\n",
        )],
    );
    for extra in [
        &[][..],
        &["--api-versions", "example.com/v1", "--kube-version", "1.20"][..],
    ] {
        let args: Vec<&str> = ["template", "r", &chart, "--dry-run=server", "-n", &ns]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let out = same(env, &h, &args);
        assert!(out.contains("ns: \"default\""), "{out}");
    }
    // No cluster: both fail the same way.
    let unreachable = |program: &std::path::Path| {
        outcome(
            common::isolated(program, &["template", "r", &chart, "--dry-run=server"])
                .env("KUBECONFIG", dir.join("none"))
                .env("HELM_ORACLE_CACHE", common::oracle_cache())
                .output()
                .expect("run"),
        )
    };
    assert_eq!(
        unreachable(std::path::Path::new(env!("CARGO_BIN_EXE_helm-rs"))),
        unreachable(&h)
    );
}

/// A post-renderer plugin on a real release: the documents it adds and changes (hooks too) are
/// what is stored and applied, the same as Helm stores for the same chart and plugin, and each
/// tool upgrades the other's post-rendered release.
#[test]
fn post_rendered_releases_match_helm() {
    let Some((pair, dir)) = SideBySide::start("postr") else {
        return;
    };
    // One plugins directory for the whole test process: no other test here loads plugins.
    let plugins = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("postrender-plugins");
    write_files(
        &plugins,
        &[
            (
                "extra/plugin.yaml",
                "apiVersion: v1\nname: extra\ntype: postrenderer/v1\nruntime: subprocess\nversion: 0.1.0\nruntimeConfig:\n  platformCommand:\n    - command: ${HELM_PLUGIN_DIR}/run.sh\n",
            ),
            (
                "extra/run.sh",
                "#!/bin/sh\nsed 's/phase: before/phase: after/'\nprintf -- '---\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: extra\\ndata:\\n  args: \"%s\"\\n' \"$*\"\n",
            ),
        ],
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            plugins.join("extra/run.sh"),
            std::fs::Permissions::from_mode(0o755),
        )
        .expect("chmod");
    }
    std::env::set_var("HELM_PLUGINS", &plugins);
    let chart = chart_with(
        &dir,
        "postr",
        &[
            (
                "templates/cm.yaml",
                "# rendered by {{ .Chart.Name }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  phase: before   # changed by the plugin\n",
            ),
            (
                "templates/hook.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    \"helm.sh/hook\": pre-install,pre-upgrade\n    \"helm.sh/hook-delete-policy\": before-hook-creation\ndata:\n  phase: before\n",
            ),
        ],
    );
    let pr = ["--post-renderer", "extra"];
    let with = |args: &[&str], more: &[&str]| -> Vec<String> {
        args.iter().chain(more).map(|s| s.to_string()).collect()
    };
    let run = |args: Vec<String>| pair.same(&args.iter().map(String::as_str).collect::<Vec<_>>());
    run(with(
        &["install", "app", &chart, "-n", "NS", "--create-namespace"],
        &pr,
    ));
    let manifest = run(with(&["get", "manifest", "app", "-n", "NS"], &[]));
    assert!(
        manifest.contains("phase: after") && manifest.contains("name: extra"),
        "{manifest}"
    );
    let hooks = run(with(&["get", "hooks", "app", "-n", "NS"], &[]));
    assert!(hooks.contains("phase: after"), "{hooks}");
    run(with(
        &[
            "upgrade",
            "app",
            &chart,
            "-n",
            "NS",
            "--post-renderer-args",
            "two",
        ],
        &pr,
    ));
    run(with(&["get", "manifest", "app", "-n", "NS"], &[]));
    // Each tool upgrades the release the other made, with the same plugin.
    let swap = |program: &std::path::Path, ns: &str| {
        let mut c = on_cluster(
            program,
            pair.env,
            &[
                "upgrade",
                "app",
                &chart,
                "-n",
                ns,
                "--post-renderer",
                "extra",
            ],
        );
        let out = outcome(common::helm_home(&mut c).output().expect("run"));
        assert!(out.0, "{program:?} upgrade in {ns}: {}", out.2);
    };
    swap(&pair.helm, &pair.ns_r);
    swap(
        std::path::Path::new(env!("CARGO_BIN_EXE_helm-rs")),
        &pair.ns_h,
    );
    run(with(&["history", "app", "-n", "NS"], &[]));
    run(with(&["get", "manifest", "app", "-n", "NS"], &[]));
    run(with(&["uninstall", "app", "-n", "NS"], &[]));
}
