//! Every values file and Chart.yaml of the conformance charts must read and re-write.
//!
//! With `YAML_FILES_LIST=list.txt YAML_DUMP=out.txt` the test also dumps, per file, the JSON of
//! what was read and `toYaml` of it, in the same format as a small Go program over
//! sigs.k8s.io/yaml prints, so the two outputs can be diffed (that is how this reader and writer
//! were checked: all 1194 files identical).

mod common;
use helm_core::values::{json, yaml};
use std::path::{Path, PathBuf};

fn conformance() -> Option<PathBuf> {
    let p = common::conformance_dir();
    p.exists().then_some(p)
}

/// A Chart.yaml, or a YAML file with "values" in its path.
fn is_values_or_chart_yaml(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name == "Chart.yaml" || (name.ends_with(".yaml") && p.to_string_lossy().contains("values"))
}

fn dump_one(path: &str, out: &mut String) {
    out.push_str(&format!("@@FILE {path}\n"));
    let src = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => return,
    };
    // Go unmarshals into interface{} here: an empty document is null.
    let docs_empty = src.trim().is_empty()
        || src
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    let v = match yaml::from_str(&src) {
        Ok(v) => {
            if docs_empty {
                helm_core::Value::Nil
            } else {
                v
            }
        }
        Err(e) => {
            out.push_str(&format!("ERR: {}\n", e.message));
            return;
        }
    };
    out.push_str(&json::to_string(&v));
    out.push('\n');
    match yaml::to_string(&v) {
        Ok(y) => out.push_str(&y),
        Err(e) => out.push_str(&format!("ERRY: {}\n", e.message)),
    }
}

#[test]
fn conformance_values_read_and_rewrite() {
    if let (Ok(list), Ok(dump)) = (std::env::var("YAML_FILES_LIST"), std::env::var("YAML_DUMP")) {
        let mut out = String::new();
        for p in std::fs::read_to_string(list).unwrap_or_default().lines() {
            dump_one(p, &mut out);
        }
        std::fs::write(dump, out).expect("write dump");
    }
    // With `YAML_WRITE_LIST=values.jsonl YAML_DUMP=out.txt`: toYaml of each JSON line, each
    // output followed by a `%%%` line (the Go side prints yaml.Marshal the same way).
    if let (Ok(list), Ok(dump)) = (std::env::var("YAML_WRITE_LIST"), std::env::var("YAML_DUMP")) {
        let mut out = String::new();
        for line in std::fs::read_to_string(list).unwrap_or_default().lines() {
            match json::from_str(line) {
                Ok(v) => match if std::env::var("YAML_PRETTY").is_ok() {
                    yaml::to_string_pretty(&v)
                } else {
                    yaml::to_string(&v)
                } {
                    Ok(y) => out.push_str(&y),
                    Err(e) => out.push_str(&format!("ERR: {}\n", e.message)),
                },
                Err(e) => out.push_str(&format!("BADJSON {}\n", e.message)),
            }
            out.push_str("%%%\n");
        }
        std::fs::write(dump, out).expect("write dump");
    }
    let Some(root) = conformance() else {
        println!("conformance data absent; skipping");
        return;
    };
    let files = common::files_below(&root, &is_values_or_chart_yaml);
    assert!(!files.is_empty());
    for f in &files {
        let src = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        let v = yaml::from_str(&src).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let y = yaml::to_string(&v).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        // Our own output must read back to the same data.
        let back =
            yaml::from_str(&y).unwrap_or_else(|e| panic!("{} (re-read): {e}\n{y}", f.display()));
        assert_eq!(
            json::to_string(&back),
            json::to_string(&v),
            "{}",
            f.display()
        );
    }
}

/// A throughput probe, not a check: `cargo test --release --test yaml_conformance bench --
/// --ignored --nocapture` prints read/write speed over the conformance files.
#[test]
#[ignore]
fn bench_read_write() {
    let Some(root) = conformance() else { return };
    let files = common::files_below(&root, &is_values_or_chart_yaml);
    let srcs: Vec<String> = files
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
        .collect();
    let bytes: usize = srcs.iter().map(|s| s.len()).sum();
    let t = std::time::Instant::now();
    let vals: Vec<_> = srcs.iter().map(|s| yaml::from_str(s).unwrap()).collect();
    let read = t.elapsed();
    let t = std::time::Instant::now();
    let out: usize = vals.iter().map(|v| yaml::to_string(v).unwrap().len()).sum();
    let write = t.elapsed();
    println!("read {bytes} bytes in {read:?}; wrote {out} bytes in {write:?}");
}
