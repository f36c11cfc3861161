//! The plan's reports against helm-diff's own, byte for byte.
//!
//! The reference is `helm-diff-ref` (scripts/helm-diff-ref, built by
//! scripts/test.d/setup-helm-diff.sh): helm-diff v3.15.11's `manifest.Parse` and
//! `diff.Manifests` run on two manifest files. Pairs of manifests come from the conformance
//! corpus (one chart rendered with two values files; two charts against each other) and from
//! hand-made edge cases (Secrets, namespaces, kinds, empty documents, CRLF, lists, keep
//! policies, test hooks). Each pair is compared under several option sets; the exit status
//! (2 when anything changed) must match too.
//!
//! Skips, saying why, when the reference program or the corpus is absent.

use helm_core::release::plan::{
    self, OutputFormat, ParseOptions, PlanOptions, ReportOptions, SecretDisplay, TEST_HOOKS,
};
use std::path::{Path, PathBuf};
use std::process::Command;

fn reference() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("HELM_DIFF_REF") {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    let home = std::env::var("HOME").ok()?;
    let p = Path::new(&home).join(".cache/helm-rs/helm-diff/current/bin/helm-diff-ref");
    p.exists().then_some(p)
}

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
}

/// One option set, as the reference's flags and as ours.
struct Flags(&'static [&'static str]);

const FLAG_SETS: &[Flags] = &[
    Flags(&[]),
    Flags(&["--context", "3"]),
    Flags(&["--output", "simple"]),
    Flags(&["--output", "json"]),
    Flags(&["--output", "template", "--suppress-secrets"]),
    Flags(&["--show-secrets", "--context", "0"]),
    Flags(&["--normalize-manifests", "--context", "2"]),
    Flags(&["--strip-trailing-cr", "--suppress", "ConfigMap"]),
    Flags(&["--find-renames", "0.5", "--context", "1"]),
    Flags(&["--color", "--context", "4"]),
    Flags(&[
        "--show-secrets-decoded",
        "--suppress-output-line-regex",
        "helm.sh/chart",
    ]),
    Flags(&["--include-tests", "--output", "simple"]),
];

fn ours(old: &str, new: &str, flags: &[&str], namespace: &str) -> Result<(String, bool), String> {
    let mut parse = ParseOptions {
        default_namespace: namespace.to_string(),
        normalize: false,
        excluded_hooks: TEST_HOOKS.iter().map(|s| s.to_string()).collect(),
    };
    let mut opts = PlanOptions::default();
    let mut report = ReportOptions::default();
    let mut it = flags.iter();
    while let Some(f) = it.next() {
        match *f {
            "--context" => report.context = it.next().unwrap().parse().ok(),
            "--output" => report.format = it.next().unwrap().parse::<OutputFormat>().unwrap(),
            "--suppress-secrets" => opts.suppressed_kinds.push("Secret".into()),
            "--suppress" => opts.suppressed_kinds.push(it.next().unwrap().to_string()),
            "--show-secrets" => opts.secrets = SecretDisplay::Shown,
            "--show-secrets-decoded" => opts.secrets = SecretDisplay::Decoded,
            "--normalize-manifests" => parse.normalize = true,
            "--strip-trailing-cr" => opts.strip_trailing_cr = true,
            "--find-renames" => opts.find_renames = it.next().unwrap().parse().unwrap(),
            "--color" => report.color = true,
            "--suppress-output-line-regex" => opts
                .suppress_output_line_regex
                .push(it.next().unwrap().to_string()),
            "--include-tests" => parse.excluded_hooks.clear(),
            other => panic!("unknown flag {other}"),
        }
    }
    // --suppress KIND comes before --suppress-secrets' Secret in the plugin's list; the order
    // does not show in the output.
    let p = plan::plan_manifests(old, new, &parse, &opts).map_err(|e| e.to_string())?;
    Ok((p.render(&report), p.has_changes()))
}

struct Runner {
    reference: PathBuf,
    dir: PathBuf,
    compared: usize,
    failures: Vec<String>,
}

impl Runner {
    fn compare(&mut self, name: &str, old: &str, new: &str, namespace: &str, flags: &[&str]) {
        let (po, pn) = (self.dir.join("old.yaml"), self.dir.join("new.yaml"));
        std::fs::write(&po, old).unwrap();
        std::fs::write(&pn, new).unwrap();
        let out = Command::new(&self.reference)
            .args(["--namespace", namespace])
            .args(flags)
            .arg(&po)
            .arg(&pn)
            .output()
            .expect("run helm-diff-ref");
        let code = out.status.code().unwrap_or(-1);
        let want = String::from_utf8_lossy(&out.stdout).into_owned();
        let got = ours(old, new, flags, namespace);
        self.compared += 1;
        let label = format!("{name} {}", flags.join(" "));
        match (code, got) {
            (0 | 2, Ok((text, changed))) => {
                if text != want || changed != (code == 2) {
                    // Both outputs and inputs kept for a look: target/tmp/plan-diff/N.*
                    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plan-diff");
                    let n = self.failures.len();
                    let _ = std::fs::create_dir_all(&keep);
                    for (ext, body) in [
                        ("ours", text.as_str()),
                        ("ref", want.as_str()),
                        ("old.yaml", old),
                        ("new.yaml", new),
                    ] {
                        let _ = std::fs::write(keep.join(format!("{n}.{ext}")), body);
                    }
                    let at = text
                        .bytes()
                        .zip(want.bytes())
                        .position(|(a, b)| a != b)
                        .unwrap_or(text.len().min(want.len()));
                    let line = want[..at].matches('\n').count() + 1;
                    self.failures.push(format!(
                        "{label}: differs at line {line} (changed: ours {changed}, helm-diff {})\n  helm-diff: {:?}\n  ours:      {:?}",
                        code == 2,
                        want.lines().nth(line - 1).unwrap_or(""),
                        text.lines().nth(line - 1).unwrap_or("")
                    ));
                }
            }
            (1, Err(_)) => {}
            (c, got) => self.failures.push(format!(
                "{label}: helm-diff exit {c} ({}), ours {:?}",
                String::from_utf8_lossy(&out.stderr).trim(),
                got.map(|g| g.1)
            )),
        }
    }
}

fn runner() -> Option<Runner> {
    let Some(reference) = reference() else {
        eprintln!("skipping: helm-diff-ref not built (scripts/test.d/setup-helm-diff.sh)");
        return None;
    };
    let dir = std::env::temp_dir().join(format!(
        "helm-rs-plan-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    Some(Runner {
        reference,
        dir,
        compared: 0,
        failures: Vec::new(),
    })
}

fn finish(r: Runner, what: &str) {
    let _ = std::fs::remove_dir_all(&r.dir);
    eprintln!(
        "{what}: {} comparisons, {} differ",
        r.compared,
        r.failures.len()
    );
    assert!(
        r.failures.is_empty(),
        "{} of {} differ:\n{}",
        r.failures.len(),
        r.compared,
        r.failures.join("\n")
    );
}

/// A Secret before and after a change that moves its keys from `data` to `stringData`.
const SECRET_OLD: &str = include_str!("data/plan/secret_old.yaml");
const SECRET_NEW: &str = include_str!("data/plan/secret_new.yaml");

fn edge_cases() -> Vec<(&'static str, String, String)> {
    let cm = |ns: &str, name: &str, body: &str| {
        format!("---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{ns}data:\n{body}")
    };
    let big_old: String = (0..3000)
        .map(|i| format!("  k{i}: \"v{}\"\n", i % 97))
        .collect();
    let big_new: String = (0..3000)
        .map(|i| {
            format!(
                "  k{i}: \"v{}\"\n",
                if i % 211 == 0 { 1000 + i } else { i % 97 }
            )
        })
        .collect();
    vec![
        ("secret data→stringData", SECRET_OLD.into(), SECRET_NEW.into()),
        ("secret added", String::new(), SECRET_NEW.into()),
        ("secret removed", SECRET_OLD.into(), String::new()),
        (
            "secret immutable, type change",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: x\nimmutable: true\ndata:\n  a: YQ==\n".into(),
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: x\n  annotations:\n    note: \"yes\"\ntype: kubernetes.io/tls\ndata:\n  a: Yg==\n".into(),
        ),
        (
            "secret, formatting only",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: \"YQ==\"\n".into(),
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: YQ==}\n".into(),
        ),
        ("moved between namespaces", cm("", "a", "  x: \"1\"\n"), cm("  namespace: other\n", "a", "  x: \"1\"\n")),
        (
            "kind change",
            cm("", "a", "  x: \"1\"\n"),
            "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: a\nstringData:\n  x: \"1\"\n".into(),
        ),
        (
            "empty and comment-only documents",
            format!("---\n---\n# nothing\n---\n\n{}\n---\n", cm("", "a", "  x: \"1\"\n")),
            format!("{}---\n# Source: c/templates/empty.yaml\n---\n", cm("", "a", "  x: \"2\"\n  q: \"3\"\n")),
        ),
        (
            "CRLF",
            cm("", "a", "  x: \"1\"\n  q: \"2\"\n").replace('\n', "\r\n"),
            cm("", "a", "  x: \"1\"\n  q: \"3\"\n").replace("\n  q", "\r\n  q").replace("\"\n", "\"\r\n"),
        ),
        (
            "renamed object",
            cm("", "old-name", "  a: \"1\"\n  b: \"2\"\n  c: \"3\"\n  d: \"4\"\n"),
            cm("", "new-name", "  a: \"1\"\n  b: \"2\"\n  c: \"3\"\n  d: \"5\"\n"),
        ),
        (
            "list kinds",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    labels: {z: \"1\", a: \"2\"}\n  data:\n    x: \"1\"\n    m: 1.50\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n".into(),
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    labels: {z: \"1\", a: \"3\"}\n  data:\n    x: \"2\"\n    m: 1.50\n".into(),
        ),
        (
            "keep policy and test hooks",
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  annotations:\n    helm.sh/resource-policy: keep\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\nspec: {}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: gone\n".into(),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\nspec:\n  x: 1\n".into(),
        ),
        (
            "base-name annotation, duplicates, cluster scope",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-abc123\n  annotations:\n    helm-diff/base-name: cm\ndata:\n  a: \"1\"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: dup\n".into(),
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules: []\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-def456\n  annotations:\n    helm-diff/base-name: cm\ndata:\n  a: \"2\"\n".into(),
        ),
        (
            "repeated lines (alignment tie-breaks)",
            cm("", "a", "  a: x\n  b: y\n  a: x\n  c: z\n  a: x\n  b: y\n"),
            cm("", "a", "  b: y\n  a: x\n  c: q\n  b: y\n  a: x\n  a: x\n  d: w\n"),
        ),
        ("large object, scattered changes", cm("", "big", &big_old), cm("", "big", &big_new)),
        ("upper-case name (json skips it)", cm("", "Upper", "  x: \"1\"\n"), cm("", "Upper", "  x: \"2\"\n")),
        ("identical", cm("", "a", "  x: \"1\"\n"), cm("", "a", "  x: \"1\"\n")),
    ]
}

#[test]
fn edge_cases_match_helm_diff() {
    let Some(mut r) = runner() else { return };
    for (name, old, new) in edge_cases() {
        for flags in FLAG_SETS {
            r.compare(name, &old, &new, "default", flags.0);
            r.compare(
                &format!("{name} (reversed)"),
                &new,
                &old,
                "default",
                flags.0,
            );
        }
    }
    finish(r, "edge cases");
}

#[test]
fn corpus_pairs_match_helm_diff() {
    let Some(mut r) = runner() else { return };
    let dir = conformance_dir();
    let Ok(cases) = std::fs::read_to_string(dir.join("cases.tsv")) else {
        eprintln!("skipping: {} is absent", dir.display());
        return;
    };
    // chart -> its ok cases, in file order.
    let mut by_chart: Vec<(String, Vec<String>)> = Vec::new();
    for line in cases.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 || f[3] != "ok" {
            continue;
        }
        match by_chart.iter_mut().find(|(c, _)| c == f[1]) {
            Some((_, v)) => v.push(f[0].to_string()),
            None => by_chart.push((f[1].to_string(), vec![f[0].to_string()])),
        }
    }
    let golden = |case: &str| {
        std::fs::read_to_string(dir.join("golden").join(format!("{case}.yaml"))).unwrap_or_default()
    };
    let mut n = 0;
    // The same chart under two values files, both ways, each pair under one option set in turn.
    for (chart, list) in &by_chart {
        for w in list.windows(2) {
            let (a, b) = (golden(&w[0]), golden(&w[1]));
            r.compare(
                &format!("{chart}: {} → {}", w[0], w[1]),
                &a,
                &b,
                "corpus-ns",
                &[],
            );
            r.compare(
                &format!("{chart}: {} → {}", w[1], w[0]),
                &b,
                &a,
                "corpus-ns",
                FLAG_SETS[1 + n % (FLAG_SETS.len() - 1)].0,
            );
            n += 1;
        }
    }
    // Two different charts: everything removed and added, shared names across charts.
    for w in by_chart.windows(2).step_by(9) {
        let (a, b) = (golden(&w[0].1[0]), golden(&w[1].1[0]));
        r.compare(
            &format!("{} → {}", w[0].1[0], w[1].1[0]),
            &a,
            &b,
            "corpus-ns",
            &["--context", "2"],
        );
    }
    finish(r, "corpus pairs");
}

/// A large object rewritten throughout (every other line changed, 20 000 lines a side) and two
/// large charts against each other: the bit-parallel LCS rows keep both to a fraction of a
/// second where the plain table would take 400 million steps for the first one.
#[test]
fn large_inputs_stay_fast() {
    let body = |tag: &str| -> String {
        (0..20_000)
            .map(|i| {
                if i % 2 == 0 {
                    format!("  k{i}: \"{tag}{i}\"\n")
                } else {
                    format!("  k{i}: same\n")
                }
            })
            .collect()
    };
    let doc = |tag: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n{}",
            body(tag)
        )
    };
    let (old, new) = (doc("a"), doc("b"));
    let t = std::time::Instant::now();
    let p = plan::plan_manifests(
        &old,
        &new,
        &ParseOptions::default(),
        &PlanOptions::default(),
    )
    .expect("plan");
    let out = p.render(&ReportOptions {
        context: Some(3),
        ..Default::default()
    });
    let took = t.elapsed();
    eprintln!(
        "20 000-line object, half its lines changed: {took:?}, {} bytes of report",
        out.len()
    );
    assert_eq!(
        p.changes[0]
            .lines
            .iter()
            .filter(|l| l.delta == plan::Delta::Removed)
            .count(),
        10_000
    );
    assert!(took.as_secs() < 60, "took {took:?}");

    let dir = conformance_dir().join("golden");
    let a = std::fs::read_to_string(
        dir.join("prometheus-community__kube-prometheus-stack@default.yaml"),
    );
    let b = std::fs::read_to_string(dir.join(
        "prometheus-community__kube-prometheus-stack@05-ingress-and-gateway-routes-values.yaml",
    ));
    if let (Ok(a), Ok(b)) = (a, b) {
        let t = std::time::Instant::now();
        let p = plan::plan_manifests(&a, &b, &ParseOptions::default(), &PlanOptions::default())
            .expect("plan");
        let out = p.render(&ReportOptions::default());
        eprintln!(
            "kube-prometheus-stack, two values files ({} + {} bytes): {:?}, {} changes",
            a.len(),
            b.len(),
            t.elapsed(),
            p.changes.len()
        );
        assert!(!out.is_empty());
    }
}
