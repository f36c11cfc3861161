//! The chart corpus: real charts rendered as `helm template rel charts/<chart> -n corpus-ns
//! [-f charts/<chart>/<values>]`, compared with Helm 4.1.4's output byte for byte (lines listed
//! in a `.mask` file match anything). Data: `../shared/conformance` (see its README); the test
//! skips when it is absent.
//!
//! Prints the score per chart family and each miss with its first differing line, then asserts
//! the score does not fall below [`THRESHOLD`] (raise it as conformance improves).
//! `CORPUS_FILTER=substring` runs only matching cases; `CORPUS_VERBOSE=1` prints more context.

use helm_core::chart;
use helm_core::render::{self, user_values::ValueOptions, ReleaseOptions, TemplateOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Minimum number of identical cases (out of all cases) for the test to pass.
const THRESHOLD: usize = 338;

struct Case {
    name: String,
    chart: String,
    values: Option<String>,
    expect_error: bool,
}

enum Outcome {
    Pass,
    Fail(String),
}

fn conformance_dir() -> PathBuf {
    Path::new(
        &std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .join("../../shared/conformance")
}

fn read_cases(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("cases.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            if cols.len() < 4 {
                return None;
            }
            Some(Case {
                name: cols[0].to_string(),
                chart: cols[1].to_string(),
                values: (cols[2] != "-").then(|| cols[2].to_string()),
                expect_error: cols[3].trim() == "error",
            })
        })
        .collect()
}

fn render_case(dir: &Path, case: &Case) -> Result<String, String> {
    let chart_dir = dir.join("charts").join(&case.chart);
    let c = chart::load(&chart_dir).map_err(|e| e.to_string())?;
    let mut vo = ValueOptions::default();
    if let Some(v) = &case.values {
        vo.value_files
            .push(chart_dir.join(v).to_string_lossy().into_owned());
    }
    let user = vo.merge_values()?;
    let opts = TemplateOptions {
        release: ReleaseOptions {
            name: "rel".into(),
            namespace: "corpus-ns".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    render::template(c, &user, &opts)
        .map(|o| o.stdout)
        .map_err(|e| e.to_string())
}

/// Compares line by line; masked lines (1-based) match anything.
fn compare(got: &str, want: &str, mask: &BTreeSet<usize>) -> Option<String> {
    let g: Vec<&str> = got.split('\n').collect();
    let w: Vec<&str> = want.split('\n').collect();
    for (i, (a, b)) in g.iter().zip(w.iter()).enumerate() {
        if a != b && !mask.contains(&(i + 1)) {
            return Some(format!(
                "line {}:\n      want: {}\n      got:  {}",
                i + 1,
                clip(&format!("{b:?}")),
                clip(&format!("{a:?}"))
            ));
        }
    }
    if g.len() != w.len() {
        let i = g.len().min(w.len());
        return Some(format!(
            "line count {} vs want {}; first extra line {}: want {:?} got {:?}",
            g.len(),
            w.len(),
            i + 1,
            w.get(i).unwrap_or(&"<end>"),
            g.get(i).unwrap_or(&"<end>")
        ));
    }
    None
}

/// Keeps report lines readable (some errors print whole files as byte lists).
fn clip(s: &str) -> String {
    if s.chars().count() > 400 {
        format!("{}…", s.chars().take(400).collect::<String>())
    } else {
        s.to_string()
    }
}

fn run_case(dir: &Path, case: &Case) -> Outcome {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render_case(dir, case)));
    let result = match result {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Outcome::Fail(format!("PANIC: {msg}"));
        }
    };
    match (result, case.expect_error) {
        (Err(_), true) => Outcome::Pass,
        (Ok(_), true) => Outcome::Fail("expected an error, rendered fine".into()),
        (Err(e), false) => Outcome::Fail(format!(
            "error: {}",
            clip(&e.lines().take(4).collect::<Vec<_>>().join("\n      "))
        )),
        (Ok(out), false) => {
            let golden = dir.join("golden");
            let want = std::fs::read_to_string(golden.join(format!("{}.yaml", case.name)))
                .unwrap_or_default();
            let mask: BTreeSet<usize> =
                std::fs::read_to_string(golden.join(format!("{}.mask", case.name)))
                    .unwrap_or_default()
                    .lines()
                    .filter_map(|l| l.trim().parse().ok())
                    .collect();
            match compare(&out, &want, &mask) {
                None => Outcome::Pass,
                Some(d) => Outcome::Fail(d),
            }
        }
    }
}

#[test]
fn corpus() {
    let dir = conformance_dir();
    if !dir.join("cases.tsv").exists() {
        println!("corpus: {} not found, skipping", dir.display());
        return;
    }
    let filter = std::env::var("CORPUS_FILTER").unwrap_or_default();
    let cases: Vec<Case> = read_cases(&dir)
        .into_iter()
        .filter(|c| c.name.contains(&filter))
        .collect();
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let o = run_case(&dir, case);
                if let Ok(mut r) = results.lock() {
                    r.push((i, o));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);

    let mut families: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut passed = 0;
    for (i, o) in &results {
        let case = &cases[*i];
        let family = case.chart.split("__").next().unwrap_or("").to_string();
        let e = families.entry(family).or_default();
        e.1 += 1;
        match o {
            Outcome::Pass => {
                e.0 += 1;
                passed += 1;
            }
            Outcome::Fail(why) => println!("MISS {}\n      {}", case.name, why),
        }
    }
    println!("\ncorpus score per family:");
    for (f, (p, t)) in &families {
        println!("  {f:<24} {p:>4}/{t:<4}");
    }
    println!("corpus: {passed}/{} identical", results.len());
    if filter.is_empty() {
        assert!(
            passed >= THRESHOLD,
            "corpus score {passed} fell below {THRESHOLD}"
        );
    }
}
