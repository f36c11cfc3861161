//! `helm show values --jsonpath TEMPLATE` compared live with the reference Helm 4.1.4
//! (`../shared/tools/helm-oracle`): stdout, stderr and exit code, byte for byte, for templates
//! that exercise every part of client-go's JSONPath (fields, keys, indexes, slices, unions,
//! wildcards, recursive descent, filters, `range`/`end`, literals), its parse errors, failing
//! evaluations (Helm prints nothing then), and a real chart from the conformance corpus.
//!
//! Skips (printing why) when the oracle is absent; the corpus cases skip on their own when
//! `../shared/conformance` is absent.
//!
//! Go visits maps in a random order for `*` and `..`; those few cases compare the printed
//! words as a multiset. Where Helm crashes (a Go panic with a goroutine dump), the exit code
//! and the panic line are compared.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{oracle, oracle_cache, write_files, Scratch};
use std::path::Path;
use std::process::Command;

/// How a case's outputs are compared.
#[derive(Clone, Copy, PartialEq)]
enum Compare {
    Exact,
    /// stdout as space-separated words in any order (maps iterated by `*`, `..`).
    Unordered,
    /// A Go panic: exit code and the first stderr line.
    Panic,
}
use Compare::*;

/// The fixture chart's values: every kind of value a values file gives.
const VALUES: &str = r#"image:
  repository: nginx
  tag: "1.2"
replicaCount: 1000000
big: 12345678901234567890
flt: 1.5
small: 0.000001
neg: -3
t: true
n: null
html: "<a&b>"
uni: "héllo ☃"
list: [1, "two", 3.5, true, null]
ports:
  - name: http
    port: 80
  - name: https
    port: 443
    tls: true
"a.b": dotted
"a b": spaced
nested:
  x:
    name: inner
    list: [{name: deep, v: 1}]
empty: []
emptymap: {}
words: [b, a, c]
nums: [3.0, 1, 2]
strmap: {k: v}
"#;

/// Templates over the fixture chart `ch`.
const CASES: &[(&str, Compare)] = &[
    // Fields and printing of each kind of value.
    ("{.image.repository}", Exact),
    ("{.image}", Exact),
    ("{.replicaCount}", Exact),
    ("{.big}", Exact),
    ("{.flt}", Exact),
    ("{.small}", Exact),
    ("{.neg}", Exact),
    ("{.t}", Exact),
    ("{.html}", Exact),
    ("{.uni}", Exact),
    ("{.list}", Exact),
    ("{.nums}", Exact),
    ("{.empty}", Exact),
    ("{.emptymap}", Exact),
    ("{.false}", Exact),
    ("{$}", Exact),
    ("{@}", Exact),
    ("{}", Exact),
    ("{$.image.tag}", Exact),
    ("{@.flt}", Exact),
    ("{.image.repository}:{.image.tag}", Exact),
    ("image={.image.repository} tag={.image.tag}\n", Exact),
    ("no action at all", Exact),
    (r"{.a\.b}", Exact),
    (r"{.a\ b}", Exact),
    ("{['image']['tag']}", Exact),
    ("{['a.b']}", Exact),
    ("{['a b']}", Exact),
    ("{.image['repository']}", Exact),
    // Missing keys: the whole template prints nothing.
    ("{.missing}", Exact),
    ("{.image.repository} {.missing}", Exact),
    ("{.n}", Exact),
    ("{.}", Exact),
    ("{.image.repository.x}", Exact),
    ("{.list[4].x}", Exact),
    ("{.empty[*].x}ok", Exact),
    // Indexes and slices.
    ("{.list[0]}", Exact),
    ("{.list[4]}", Exact),
    ("{.list[-1]}", Exact),
    ("{.list[-5]}", Exact),
    ("{.list[-6]}", Exact),
    ("{.list[5]}", Exact),
    ("{.list[1:3]}", Exact),
    ("{.list[1:]}", Exact),
    ("{.list[:2]}", Exact),
    ("{.list[-2:]}", Exact),
    ("{.list[::2]}", Exact),
    ("{.list[1:5:3]}", Exact),
    ("{.list[0:0]}", Exact),
    ("{.list[3:1]}", Exact),
    ("{.list[0:9]}", Exact),
    ("{.list[::0]}", Exact),
    ("{.list[]}", Exact),
    ("{.list[*]}", Exact),
    ("{.ports[*].name}", Exact),
    ("{.ports[1].port}", Exact),
    ("{.html[0]}", Exact),
    ("{.image[0]}", Exact),
    // Unions.
    ("{.list[0,2]}", Exact),
    ("{.list[0, -1]}", Exact),
    ("{.list[0,1:3]}", Exact),
    ("{.image['repository','tag']}", Exact),
    ("{.list[0,9]}", Exact),
    // Wildcards and recursive descent.
    ("{.image.*}", Unordered),
    ("{.strmap.*}", Exact),
    ("{.list.*}", Exact),
    ("{.html.*}", Exact),
    ("{.uni.*}", Exact),
    ("{..name}", Unordered),
    ("{.nested..name}", Unordered),
    ("{.ports..port}", Unordered),
    ("{.nested..v}", Exact),
    ("{..missing}", Exact),
    ("{.strmap..}", Exact),
    ("{...image.tag}", Exact),
    // Filters.
    ("{.ports[?(@.name==\"http\")].port}", Exact),
    ("{.ports[?(@.name=='https')].port}", Exact),
    ("{.ports[?(@.name == 'https')].port}", Exact),
    ("{.ports[?(@.port==80)].name}", Exact),
    ("{.ports[?(@.port==80.0)].name}", Exact),
    ("{.ports[?(@.port>80.0)].name}", Exact),
    ("{.ports[?(@.port>=443.0)].name}", Exact),
    ("{.ports[?(@.port<100.5)].name}", Exact),
    ("{.ports[?(@.port<=80.0)].name}", Exact),
    ("{.ports[?(@.name!=\"http\")].name}", Exact),
    ("{.ports[?(@.tls)].name}", Exact),
    ("{.ports[?(@.tls==true)].name}", Exact),
    ("{.ports[?(@.port=80.0)].name}", Exact),
    ("{.ports[?(@.name<\"i\")].name}", Exact),
    ("{.ports[?(@.name==@.name)].port}", Exact),
    ("{.words[?(@>\"a\")]}", Exact),
    ("{.nums[?(@>1.5)]}", Exact),
    ("{.list[?(@==\"two\")]}", Exact),
    ("{.list[?(@)]}", Exact),
    ("{.list[?(@.x[5])]}", Exact),
    ("{.list[?(@==1.0)]}", Exact),
    ("{.list[?(@==true)]}", Exact),
    ("{.image[?(@.a)]}", Exact),
    ("{.ports[?(@.port>@.name)].name}", Exact),
    ("{.ports[?()].name}", Exact),
    // range / end.
    ("{range .ports[*]}{.name}{\"\\n\"}{end}", Exact),
    ("{range .ports[*]}{.name}={.port}{\"\\t\"}{end}", Exact),
    ("{range .list[*]}{@}|{end}", Exact),
    ("{range .empty[*]}x{end}done", Exact),
    ("{range .empty[*]}{.x}{end}done", Exact),
    ("{range .list[*]}{@}", Exact),
    ("{range .words[*]}[{@}]{end}after", Exact),
    (
        "{range .nested.x.list[*]}{range .name}<{@}>{end}{end}",
        Exact,
    ),
    ("{end}", Exact),
    ("{range .ports[*]}{.tls}{end}", Exact),
    ("{range .ports[*]}{end}{end}", Exact),
    // Literals.
    ("{\"a\\tb\"}", Exact),
    ("{'single'}", Exact),
    ("{\"\\u00e9\\x41\\101\"}", Exact),
    ("{1}", Exact),
    ("{-2}", Exact),
    ("{+3}", Exact),
    ("{1.50}", Exact),
    ("{true}", Exact),
    ("{false} {.t}", Exact),
    ("{99999999999999999999}", Exact),
    ("{unknown}", Exact),
    ("{}{}", Exact),
    // Parse errors.
    ("{.image[}", Exact),
    ("{.x", Exact),
    ("{", Exact),
    ("{.a | b}", Exact),
    ("{.a\tb}", Exact),
    ("{{.a}}", Exact),
    ("{.a\n}", Exact),
    ("{\"a\\qb\"}", Exact),
    ("{\"a\\\"}", Exact),
    ("{\"a\\\\\"}", Exact),
    ("{'a\"'}", Exact),
    ("{1.2.3}", Exact),
    ("{+}", Exact),
    ("{[x]}", Exact),
    ("{[-]}", Exact),
    ("{[1:x]}", Exact),
    ("{[0,x]}", Exact),
    ("{[\"a\"]}", Exact),
    ("{[99999999999999999999]}", Exact),
    ("{[?(@.a)}", Exact),
    ("{[?(@.a=='x)]}", Exact),
    ("{....a}", Exact),
    ("{..*}", Exact),
    ("{.a[?(@.b[?(@.c)])]}", Exact),
    ("}{.t}", Exact),
    ("{.t}}", Exact),
    ("{#}", Exact),
    ("{.a é}", Exact),
    ("{²}", Exact),
    // Go panics inside client-go: Helm crashes.
    ("{range .empty[*]}{[0]}{end}done", Panic),
];

/// helm-rs and Helm, run on the same arguments in `dir`.
fn both(dir: &Path, oracle: &Path, args: &[&str]) -> [(i32, String, String); 2] {
    let run = |program: &Path| {
        let mut c = Command::new(program);
        c.args(args)
            .current_dir(dir)
            .env("HOME", dir.join("home"))
            .env("HELM_ORACLE_CACHE", oracle_cache())
            .env_remove("HELM_DEBUG");
        let o = c.output().expect("run");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    [run(Path::new(env!("CARGO_BIN_EXE_helm-rs"))), run(oracle)]
}

fn agree(mode: Compare, ours: &(i32, String, String), helm: &(i32, String, String)) -> bool {
    match mode {
        Exact => ours == helm,
        Unordered => {
            let words = |s: &str| {
                let mut w: Vec<String> = s.split(' ').map(str::to_string).collect();
                w.sort();
                w
            };
            ours.0 == helm.0 && ours.2 == helm.2 && words(&ours.1) == words(&helm.1)
        }
        Panic => {
            let first = |s: &str| s.lines().next().unwrap_or("").to_string();
            ours.0 == helm.0 && ours.1 == helm.1 && first(&ours.2) == first(&helm.2)
        }
    }
}

/// Runs `args` on both programs; a description of the difference, if any.
fn compare(dir: &Path, oracle: &Path, mode: Compare, args: &[&str]) -> Option<String> {
    let [ours, helm] = both(dir, oracle, args);
    (!agree(mode, &ours, &helm))
        .then(|| format!("helm {args:?}\n  helm-rs: {ours:?}\n  Helm:    {helm:?}\n"))
}

#[test]
fn show_values_jsonpath_agrees_with_helm() {
    let Some(oracle) = oracle() else { return };
    let d = Scratch::new("show-jsonpath");
    write_files(
        &d,
        &[
            (
                "ch/Chart.yaml",
                "apiVersion: v2\nname: ch\nversion: 0.1.0\n",
            ),
            ("ch/values.yaml", VALUES),
            (
                "novalues/Chart.yaml",
                "apiVersion: v2\nname: novalues\nversion: 0.1.0\n",
            ),
            (
                "emptyvalues/Chart.yaml",
                "apiVersion: v2\nname: emptyvalues\nversion: 0.1.0\n",
            ),
            ("emptyvalues/values.yaml", ""),
            (
                "multidoc/Chart.yaml",
                "apiVersion: v2\nname: multidoc\nversion: 0.1.0\n",
            ),
            ("multidoc/values.yaml", "a: 1\nb: {c: 2}\n---\nb: {d: 3}\n"),
        ],
    );
    let mut differ = Vec::new();
    let mut cases = 0;
    for &(template, mode) in CASES {
        cases += 1;
        differ.extend(compare(
            &d,
            &oracle,
            mode,
            &["show", "values", "ch", "--jsonpath", template],
        ));
    }
    let others: &[&[&str]] = &[
        // Other charts: without values.yaml nothing is printed (and nothing parsed), an empty
        // one is `{}`, documents are merged.
        &["show", "values", "novalues", "--jsonpath", "{.a}"],
        &["show", "values", "novalues", "--jsonpath", "{["],
        &["show", "values", "emptyvalues", "--jsonpath", "{$}"],
        &["show", "values", "emptyvalues", "--jsonpath", "{["],
        &["show", "values", "emptyvalues", "--jsonpath", "{.a}"],
        &["show", "values", "multidoc", "--jsonpath", "{.b}"],
        &["show", "values", "multidoc", "--jsonpath", "{.a}"],
        // The flag itself.
        &["show", "values", "ch", "--jsonpath="],
        &["show", "values", "ch", "--jsonpath"],
        &["show", "values", "ch", "--jsonpath={.t}"],
        &["show", "values", "--jsonpath", "{.t}", "ch"],
        &["show", "values", "./nosuch", "--jsonpath", "{["],
        &["show", "chart", "ch", "--jsonpath", "{.name}"],
        &["show", "all", "ch", "--jsonpath", "{.t}"],
        &["show", "readme", "ch", "--jsonpath", "{.t}"],
        &["show", "crds", "ch", "--jsonpath", "{.t}"],
    ];
    for args in others {
        cases += 1;
        differ.extend(compare(&d, &oracle, Exact, args));
    }
    common::assert_all_agree("show values --jsonpath", cases, &differ);
}

/// A real chart: Bitnami's apache, its values as users query them.
#[test]
fn corpus_chart_agrees_with_helm() {
    let Some(oracle) = oracle() else { return };
    let chart = common::root().join("../shared/conformance/charts/bitnami__apache");
    if !chart.join("Chart.yaml").exists() {
        eprintln!("SKIP: {} is absent", chart.display());
        return;
    }
    let chart = chart.to_str().expect("UTF-8 path");
    let d = Scratch::new("show-jsonpath-corpus");
    let templates: &[(&str, Compare)] = &[
        ("{.image.registry}/{.image.repository}:{.image.tag}", Exact),
        ("{.replicaCount}", Exact),
        ("{.image}", Exact),
        ("{.containerSecurityContext.capabilities.drop[0]}", Exact),
        ("{.hostAliases[0].hostnames[*]}", Exact),
        (
            "{range .hostAliases[*]}{.ip}: {.hostnames}{\"\\n\"}{end}",
            Exact,
        ),
        ("{.podSecurityContext.fsGroup}", Exact),
        ("{.service}", Exact),
        ("{.service.ports}", Exact),
        ("{.ingress.hostname}", Exact),
        ("{.metrics.image.tag}", Exact),
        ("{.global}", Exact),
        ("{$}", Exact),
        ("{..pullPolicy}", Unordered),
        ("{..registry}", Unordered),
        ("{.nope}", Exact),
        ("{.resourcesPreset}", Exact),
    ];
    let mut differ = Vec::new();
    for &(t, mode) in templates {
        differ.extend(compare(
            &d,
            &oracle,
            mode,
            &["show", "values", chart, "--jsonpath", t],
        ));
    }
    common::assert_all_agree("corpus show values --jsonpath", templates.len(), &differ);
}
