//! Replays the fuzzers' seed corpora and saved crash reproducers through the fuzz targets.
//!
//! The instrumented fuzzers (`helm-core/fuzz`, run by `helm-core/fuzz/run`) take minutes to
//! build cold, too slow for CI; this test runs the very same target functions (the fuzz
//! crate's library, included by path) on every file under `fuzz/corpus/TARGET/` and
//! `fuzz/regressions/TARGET/`, so a reproducer saved there keeps its bug fixed and a seed that
//! starts panicking fails here. A target fails by panicking; each input runs on a thread with a
//! deadline so that a hang is reported with the file's name instead of stalling the run.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_targets;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Per input, in a debug build; the slowest seed takes well under a second.
const DEADLINE: Duration = Duration::from_secs(60);

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_seed_and_reproducer_runs_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut failures = Vec::new();
    let mut ran = 0;
    for &(name, target) in fuzz_targets::TARGETS {
        let seeds = inputs(&root.join("corpus").join(name));
        assert!(
            !seeds.is_empty(),
            "fuzz target {name} has no seed corpus in fuzz/corpus/{name}"
        );
        let files: Vec<PathBuf> = seeds
            .into_iter()
            .chain(inputs(&root.join("regressions").join(name)))
            .collect();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let (tx, rx) = std::sync::mpsc::channel();
            // Named so that a panic message says which input it was.
            let label = format!("{name}:{}", file.file_name().unwrap().to_string_lossy());
            std::thread::Builder::new()
                .name(label.clone())
                .spawn(move || {
                    let ok = std::panic::catch_unwind(|| target(&data)).is_ok();
                    let _ = tx.send(ok);
                })
                .unwrap();
            match rx.recv_timeout(DEADLINE) {
                Ok(true) => ran += 1,
                Ok(false) => failures.push(format!("{label}: panicked")),
                Err(_) => failures.push(format!("{label}: still running after {DEADLINE:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fuzz inputs failing:\n{}",
        failures.join("\n")
    );
    println!("replayed {ran} fuzz inputs");
}

#[test]
fn every_fuzz_binary_is_a_listed_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut bins: Vec<String> = inputs(&dir)
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    bins.sort();
    let mut listed: Vec<String> = fuzz_targets::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(
        bins, listed,
        "fuzz_targets/*.rs and fuzz_targets::TARGETS must name the same targets"
    );
}

/// The provenance seeds (a chart signed by Helm 4.1.4 with a key made by gpg) verify in full,
/// so the target starts from the deepest path: keys read, signature checked, the sum compared.
#[test]
fn provenance_seeds_verify_as_signed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/provenance");
    let digest = "ee914ee33b7a993af8f377ab17be252bfaa4ddd036ec19b0b98b6605da53191a";
    let split = |name: &str| {
        let data = std::fs::read(dir.join(name)).expect("seed");
        let i = data.iter().position(|&b| b == 0).expect("NUL");
        (
            String::from_utf8(data[..i].to_vec()).expect("utf-8"),
            data[i + 1..].to_vec(),
        )
    };
    for seed in ["signed-binary-keyring", "signed-armored-keyring"] {
        let (prov, keyring) = split(seed);
        let v = helm_core::repo::provenance::verify_signed("c-0.1.0.tgz", digest, &prov, &keyring)
            .unwrap_or_else(|e| panic!("{seed}: {e}"));
        assert_eq!(v.signed_by, "Fuzz Seed <fuzz@example.com>", "{seed}");
        assert_eq!(v.file_hash, format!("sha256:{digest}"));
    }
    let (prov, keyring) = split("tampered-sum");
    let e = helm_core::repo::provenance::verify_signed("c-0.1.0.tgz", digest, &prov, &keyring)
        .expect_err("tampered");
    assert_eq!(e.to_string(), "openpgp: signature made by unknown entity");
}
