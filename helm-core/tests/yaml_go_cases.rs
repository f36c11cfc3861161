//! Differential cases recorded from Go (sigs.k8s.io/yaml v1.6.0 over go.yaml.in/yaml/v2
//! v2.4.2, and go.yaml.in/yaml/v3 v3.0.4 with SetIndent(2) for Helm's toYamlPretty).
//!
//! `data/yaml_write_go.json`: random values (JSON) with Go's `yaml.Marshal` and yaml.v3 output.
//! `data/yaml_read_go.json`: generated YAML documents with Go's `yaml.Unmarshal` result as JSON
//! (via `json.Marshal`) or Go's error text.

use helm_core::values::{json, yaml, Value};

fn load(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/data/{name}",
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string())
    );
    let text = std::fs::read_to_string(path).expect("test data");
    json::from_str(&text)
        .expect("valid json")
        .as_list()
        .expect("a list")
        .to_vec()
}

fn field(v: &Value, k: &str) -> Option<String> {
    v.as_map()?.get(k)?.as_str().map(str::to_string)
}

#[test]
fn writer_matches_go_byte_for_byte() {
    let cases = load("yaml_write_go.json");
    assert!(cases.len() >= 500);
    for c in &cases {
        let input = field(c, "json").unwrap();
        let v = json::from_str(&input).unwrap();
        let want_v2 = field(c, "yaml_v2").unwrap();
        let got = match yaml::to_string(&v) {
            Ok(s) => s,
            Err(e) => format!("ERR: {}\n", e.message),
        };
        assert_eq!(got, want_v2, "yaml.Marshal of {input}");
        // Our reader reads the output back to the same data (line separators and BOMs aside,
        // which yaml.v2 itself does not round-trip).
        let exotic = ['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}']
            .iter()
            .any(|c| input.contains(*c))
            || input.contains("-0.0")
            || input.contains("\\u2028")
            || input.contains("\\u2029")
            || input.contains("\\u0085")
            || input.contains("\\ufeff");
        if !exotic && !got.starts_with("ERR") {
            let back = yaml::from_str(&got).unwrap_or_else(|e| panic!("re-read {got:?}: {e}"));
            let want = if v.is_nil() {
                "{}".to_string()
            } else {
                json::to_string(&v)
            };
            assert_eq!(json::to_string(&back), want, "round trip of {input}");
        }
        let want_v3 = field(c, "yaml_v3").unwrap();
        assert_eq!(
            yaml::to_string_pretty(&v).unwrap(),
            want_v3,
            "yaml.v3 of {input}"
        );
    }
}

#[test]
fn reader_matches_go() {
    let cases = load("yaml_read_go.json");
    let (mut errors, mut same_text) = (0, 0);
    for c in &cases {
        let src = field(c, "yaml").unwrap();
        let got = yaml::from_str(&src);
        if let Some(want) = field(c, "json") {
            let v = got.unwrap_or_else(|e| panic!("{src:?}: unexpected error {e}"));
            // Go decoded into interface{}: an empty document is null, ours an empty map.
            let got = json::to_string(&v);
            assert!(
                got == want || (want == "null" && got == "{}"),
                "{src:?}: got {got}, Go {want}"
            );
        } else {
            let want = field(c, "error").unwrap();
            let e = got
                .err()
                .unwrap_or_else(|| panic!("{src:?}: Go fails with {want}"));
            errors += 1;
            if e.message == want {
                same_text += 1;
            }
        }
    }
    // Error texts match Go for the vast majority (Go's own map-order randomness and some line
    // numbers of garbage input differ).
    assert!(
        errors > 100 && same_text * 100 >= errors * 70,
        "{same_text}/{errors} error texts identical"
    );
}

/// A tool for larger generated sets, run explicitly: `YAML_ROUNDTRIP_LIST=values.jsonl cargo
/// test --test yaml_go_cases roundtrip -- --ignored`; every JSON line written by us (toYaml and
/// toYamlPretty) must read back equal.
#[test]
#[ignore]
fn roundtrip_list_from_env() {
    let list = std::env::var("YAML_ROUNDTRIP_LIST").expect("set YAML_ROUNDTRIP_LIST");
    let mut failures = Vec::new();
    for line in std::fs::read_to_string(list).unwrap_or_default().lines() {
        let exotic = ['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}']
            .iter()
            .any(|c| line.contains(*c))
            || ["-0.0", "\\u2028", "\\u2029", "\\u0085", "\\ufeff"]
                .iter()
                .any(|p| line.contains(p));
        let Ok(v) = json::from_str(line) else {
            continue;
        };
        if exotic {
            continue;
        }
        for pretty in [false, true] {
            let Ok(text) = (if pretty {
                yaml::to_string_pretty(&v)
            } else {
                yaml::to_string(&v)
            }) else {
                continue;
            };
            let want = if v.is_nil() {
                "{}".to_string()
            } else {
                json::to_string(&v)
            };
            match yaml::from_str(&text) {
                Ok(back) if json::to_string(&back) == want => {}
                Ok(back) => failures.push(format!(
                    "{line}\n  wrote {text:?}\n  read {}",
                    json::to_string(&back)
                )),
                Err(e) => failures.push(format!("{line}\n  wrote {text:?}\n  error {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
