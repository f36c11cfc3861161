//! Differential cases recorded from Go (sigs.k8s.io/yaml v1.6.0 over go.yaml.in/yaml/v2
//! v2.4.2, and go.yaml.in/yaml/v3 v3.0.4 with SetIndent(2) for Helm's toYamlPretty).
//!
//! `data/yaml_write_go.json`: random values (JSON) with Go's `yaml.Marshal` and yaml.v3 output.
//! `data/yaml_read_go.json`: generated YAML documents with Go's `yaml.Unmarshal` result as JSON
//! (via `json.Marshal`) or Go's error text.

use helm_core::values::{json, yaml, Value};

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("test data");
    json::from_str(&text).expect("valid json").as_list().expect("a list").to_vec()
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
        let want_v3 = field(c, "yaml_v3").unwrap();
        assert_eq!(yaml::to_string_pretty(&v).unwrap(), want_v3, "yaml.v3 of {input}");
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
            assert!(got == want || (want == "null" && got == "{}"), "{src:?}: got {got}, Go {want}");
        } else {
            let want = field(c, "error").unwrap();
            let e = got.err().unwrap_or_else(|| panic!("{src:?}: Go fails with {want}"));
            errors += 1;
            if e.message == want {
                same_text += 1;
            }
        }
    }
    // Error texts match Go for the vast majority (Go's own map-order randomness and some line
    // numbers of garbage input differ).
    assert!(errors > 100 && same_text * 100 >= errors * 70, "{same_text}/{errors} error texts identical");
}
