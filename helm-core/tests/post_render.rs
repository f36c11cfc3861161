//! Post-rendering against Helm 4.1.4 on the chart corpus: for each chart (its default values,
//! `helm template rel CHART -n corpus-ns --post-renderer teepr`, the plugin a `tee`), the
//! stream the plugin read must equal the stream our [`post_render::annotate_and_merge`] hands
//! a post-renderer, and Helm's final output must equal ours with an identity post-renderer
//! (which exercises [`post_render::split_and_deannotate`] and the kyaml writer again).
//!
//! Needs `../shared/tools/helm-oracle` (Helm 4.1.4; run with `HELM_ORACLE_CACHE` as set, else
//! `/root/.cache/helm-oracle`) and `../shared/conformance/charts`; skips with a message when
//! either is absent. `POST_RENDER_FILTER=substring` runs only the charts whose name contains
//! it. Prints `post-render: N/M charts identical` and each difference (the first differing
//! line of each side) and fails on any difference. A full pass takes about a minute (most of
//! it Helm's runs).
//!
//! Charts whose output is not deterministic (random passwords, generated certificates: the
//! corpus has a `golden/<chart>@default.mask` for them) are run through Helm twice; lines that
//! differ between those two runs (a second apart) match anything, every other line must be
//! identical.

use helm_core::chart;
use helm_core::render::{self, PostRenderStep, ReleaseOptions, TemplateOptions};
use helm_core::values::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn charts(conformance: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(conformance.join("cases.tsv")).unwrap_or_default();
    let filter = std::env::var("POST_RENDER_FILTER").unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() >= 4 && c[2] == "-" && c[3].trim() == "ok").then(|| c[1].to_string())
        })
        .filter(|c| c.contains(&filter))
        .collect()
}

/// A `postrenderer/v1` plugin that copies its input to `$CAPTURE` and passes it on.
fn write_plugin(dir: &Path) {
    let p = dir.join("teepr");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("plugin.yaml"),
        "apiVersion: v1\nname: teepr\ntype: postrenderer/v1\nruntime: subprocess\nversion: 0.1.0\nruntimeConfig:\n  platformCommand:\n    - command: \"${HELM_PLUGIN_DIR}/run.sh\"\n",
    )
    .unwrap();
    let run = p.join("run.sh");
    std::fs::write(&run, "#!/bin/sh\ntee \"$CAPTURE\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

struct Reference {
    merged: String,
    stdout: Option<String>,
    /// 0-based lines of `merged` / `stdout` that differ between two runs of Helm.
    merged_mask: Vec<usize>,
    stdout_mask: Vec<usize>,
}

fn unstable_lines(a: &str, b: &str) -> Vec<usize> {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i)
        .collect()
}

/// Helm's captured merged stream and its standard output; `None` for the output where Helm
/// failed because the post-renderer printed nothing (a chart that renders no documents: the
/// stream is empty, and Helm refuses an empty result).
/// `Err` is Helm's error message where it failed otherwise.
fn run_helm(
    oracle: &Path,
    plugins: &Path,
    chart_dir: &Path,
    capture: &Path,
) -> Result<(String, Option<String>), String> {
    let _ = std::fs::remove_file(capture);
    let out = Command::new(oracle)
        .args(["template", "rel"])
        .arg(chart_dir)
        .args(["-n", "corpus-ns", "--post-renderer", "teepr"])
        .env(
            "HELM_ORACLE_CACHE",
            std::env::var("HELM_ORACLE_CACHE")
                .unwrap_or_else(|_| "/root/.cache/helm-oracle".to_string()),
        )
        .env("HELM_PLUGINS", plugins)
        .env("CAPTURE", capture)
        .output()
        .map_err(|e| format!("cannot run helm-oracle: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() && !stderr.contains("produced empty output") {
        // Helm's error text, without `Error: ` and the debug hint.
        let msg = stderr.trim_start_matches("Error: ");
        let msg = msg.split("\n\nUse --debug").next().unwrap_or(msg);
        return Err(msg.trim_end().to_string());
    }
    let merged = std::fs::read_to_string(capture).map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Ok((merged, None));
    }
    Ok((
        merged,
        Some(String::from_utf8_lossy(&out.stdout).into_owned()),
    ))
}

fn reference(
    oracle: &Path,
    plugins: &Path,
    chart_dir: &Path,
    capture: &Path,
    unstable: bool,
) -> Result<Reference, String> {
    let (merged, stdout) = run_helm(oracle, plugins, chart_dir, capture)?;
    let (mut merged_mask, mut stdout_mask) = (Vec::new(), Vec::new());
    if unstable {
        // The second run starts in another second, so values made from the clock differ too.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        std::thread::sleep(std::time::Duration::from_millis(
            1010 - u64::from(now.subsec_millis()),
        ));
        let (m2, s2) = run_helm(oracle, plugins, chart_dir, capture)?;
        merged_mask = unstable_lines(&merged, &m2);
        stdout_mask = unstable_lines(stdout.as_deref().unwrap_or(""), s2.as_deref().unwrap_or(""));
    }
    Ok(Reference {
        merged,
        stdout,
        merged_mask,
        stdout_mask,
    })
}

struct Ours {
    merged: String,
    stdout: String,
}

fn ours(chart_dir: &Path) -> Result<Ours, String> {
    let c = chart::load(chart_dir).map_err(|e| e.to_string())?;
    let seen = Arc::new(Mutex::new(String::new()));
    let tee = seen.clone();
    let opts = TemplateOptions {
        release: ReleaseOptions {
            name: "rel".into(),
            namespace: "corpus-ns".into(),
            ..Default::default()
        },
        post_renderer: PostRenderStep(Some(Arc::new(move |s: &str| {
            *tee.lock().unwrap() = s.to_string();
            Ok(s.to_string())
        }))),
        ..Default::default()
    };
    let user = Value::Map(Default::default());
    // Helm's message without `helm template`'s hint (the oracle's text is cut before it).
    let out = render::template(c, &user, &opts).map_err(|e| e.message())?;
    let merged = seen.lock().unwrap().clone();
    Ok(Ours {
        merged,
        stdout: out.stdout,
    })
}

/// The first line that differs (lines in `mask` match anything), or `None` when equal.
fn first_difference(want: &str, got: &str, mask: &[usize]) -> Option<String> {
    if want == got {
        return None;
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b && !(mask.contains(&i) && a.is_some() && b.is_some()) {
            return Some(format!(
                "line {}: helm {:?} / ours {:?}",
                i + 1,
                a.unwrap_or(&"<end>"),
                b.unwrap_or(&"<end>")
            ));
        }
    }
    if want.ends_with('\n') != got.ends_with('\n') {
        return Some("trailing newline differs".into());
    }
    None
}

#[test]
fn corpus_post_render_matches_helm() {
    let shared = shared_dir();
    let oracle = shared.join("tools/helm-oracle");
    let conformance = shared.join("conformance");
    if !oracle.exists() || !conformance.join("charts").is_dir() {
        eprintln!("skipping: helm-oracle or the chart corpus is absent under {shared:?}");
        return;
    }
    let work = std::env::temp_dir().join(format!("helm-rs-post-render-{}", std::process::id()));
    let plugins = work.join("plugins");
    write_plugin(&plugins);
    let names = charts(&conformance);
    let results = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(4);
    std::thread::scope(|s| {
        for w in 0..workers {
            let (names, results, next, plugins, oracle, conformance, work) = (
                &names,
                &results,
                &next,
                &plugins,
                &oracle,
                &conformance,
                &work,
            );
            s.spawn(move || loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(name) = names.get(i) else { break };
                let dir = conformance.join("charts").join(name);
                let capture = work.join(format!("capture-{w}.yaml"));
                let unstable = conformance
                    .join("golden")
                    .join(format!("{name}@default.mask"))
                    .exists();
                let outcome =
                    match reference(oracle, plugins, &dir, &capture, unstable) {
                        // Helm refused the chart: we must fail with the same message.
                        Err(helm_err) => match ours(&dir) {
                            Ok(_) => vec![format!("helm failed ({helm_err}), ours did not")],
                            Err(e) if e.trim_end() == helm_err => vec![],
                            Err(e) => vec![format!("error: helm {helm_err:?} / ours {e:?}")],
                        },
                        Ok(want) => match ours(&dir) {
                            Err(e) => vec![format!("ours failed: {e}")],
                            Ok(got) => {
                                let mut diffs = Vec::new();
                                if let Some(d) =
                                    first_difference(&want.merged, &got.merged, &want.merged_mask)
                                {
                                    diffs.push(format!("merged stream: {d}"));
                                }
                                if let Some(d) = want.stdout.as_ref().and_then(|w| {
                                    first_difference(w, &got.stdout, &want.stdout_mask)
                                }) {
                                    diffs.push(format!("final output: {d}"));
                                }
                                diffs
                            }
                        },
                    };
                results.lock().unwrap().push((name.clone(), outcome));
            });
        }
    });
    let _ = std::fs::remove_dir_all(&work);
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let identical = results.iter().filter(|(_, d)| d.is_empty()).count();
    for (name, diffs) in &results {
        for line in diffs {
            println!("{name}: {line}");
        }
    }
    println!(
        "post-render: {identical}/{} charts identical",
        results.len()
    );
    assert_eq!(
        identical,
        results.len(),
        "post-rendered output differs from Helm's"
    );
}
