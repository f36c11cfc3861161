//! `helm package` writes the very bytes Helm 4.1.4 writes: for a `helm create` chart and real
//! charts of the shared conformance corpus, `helm-rs package` and the reference Helm
//! (`../shared/tools/helm-oracle`) package the same directory into separate destinations, and
//! the `.tgz` files must be identical (same name, same SHA-256) — the tar stream and the gzip
//! stream around it. Skips when the oracle is absent; corpus charts are skipped when the corpus
//! is absent.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{helm_home, isolated, oracle, root, Scratch};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Conformance charts: large and small, application and library, with vendored subcharts.
const CORPUS: &[&str] = &[
    "prometheus-community__kube-prometheus-stack",
    "bitnami__redis",
    "bitnami__common",
    "cert-manager__cert-manager",
    "kubernetes__ingress-nginx",
    "grafana__loki-canary",
    "open-telemetry__opentelemetry-collector",
    "hashicorp__vault",
];

/// Each `.tgz` written into `dir` with its SHA-256, sorted by name.
fn archives(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let data = std::fs::read(e.path()).expect("read archive");
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        hex::encode(Sha256::digest(&data)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Packages `chart` with both programs (extra `args` after the destination); a description of
/// the difference, if any.
///
/// Helm writes a chart's subchart directories in Go's map order (a rotation of the load order
/// that changes from run to run), so for a chart with several of them Helm is run again until
/// its archive has our order — up to 60 times: with 5 subcharts each run has 1 chance in 5, so
/// a correct archive is missed with odds around 1 in 10^6.
fn compare(helm: &Path, scratch: &Path, name: &str, chart: &Path, args: &[&str]) -> Option<String> {
    let chart_arg = chart.to_str().expect("UTF-8 path");
    let package = |who: &str, program: &std::ffi::OsStr, attempt: usize| {
        let dest = scratch.join(format!("{name}-{who}-{attempt}"));
        let dest_arg = dest.to_str().expect("UTF-8 path").to_string();
        let mut all = vec!["package", chart_arg, "-d", &dest_arg];
        all.extend_from_slice(args);
        let out = helm_home(&mut isolated(program, &all))
            .output()
            .expect("run package");
        (out.status.success(), archives(&dest))
    };
    let ours = package("helm-rs", env!("CARGO_BIN_EXE_helm-rs").as_ref(), 0);
    let subcharts = std::fs::read_dir(chart.join("charts"))
        .map(|rd| rd.flatten().filter(|e| e.path().is_dir()).count())
        .unwrap_or(0);
    let attempts = if subcharts > 1 { 60 } else { 1 };
    let mut theirs = package("helm", helm.as_os_str(), 0);
    for attempt in 1..attempts {
        if theirs == ours {
            break;
        }
        theirs = package("helm", helm.as_os_str(), attempt);
    }
    if theirs == ours {
        eprintln!("{name}: {:?}", ours.1);
        None
    } else {
        Some(format!(
            "{name} {args:?}: Helm {theirs:?}, helm-rs {ours:?}"
        ))
    }
}

#[test]
fn package_writes_helms_bytes() {
    let Some(helm) = oracle() else { return };
    let scratch = Scratch::new("package-bytes");
    let created = helm_home(&mut isolated(&helm, &["create", "mychart"]))
        .current_dir(&*scratch)
        .output()
        .expect("helm create");
    assert!(created.status.success(), "helm create failed");
    let mut differ = Vec::new();
    let mut cases = 0;
    let mychart = scratch.join("mychart");
    for (i, args) in [
        &[][..],
        &["--version", "1.2.3-rc.1", "--app-version", "2.0"][..],
    ]
    .iter()
    .enumerate()
    {
        cases += 1;
        differ.extend(compare(
            &helm,
            &scratch,
            &format!("mychart{i}"),
            &mychart,
            args,
        ));
    }
    let corpus = root().join("../shared/conformance/charts");
    if corpus.is_dir() {
        for c in CORPUS {
            let chart = corpus.join(c);
            if chart.is_dir() {
                cases += 1;
                differ.extend(compare(&helm, &scratch, c, &chart, &[]));
            }
        }
    } else {
        eprintln!("SKIP (corpus charts): ../shared/conformance is absent");
    }
    common::assert_all_agree("package bytes", cases, &differ);
}
