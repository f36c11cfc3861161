//! Acceptance: the conformance vectors taken from Sprig's own test suite (families this
//! module owns: strings, lists, dicts, defaults, numeric, reflect, regex, semver, urls,
//! paths) run through the template engine and compared with Helm 4.1.4's output. Vectors
//! that need chart data (`.Values`, `.Chart`, …) or functions of other families are left to
//! the renderer's tests. Skips cleanly when `../shared/conformance` is absent.
mod common;
use helm_core::template::funcs::FuncTable;
use helm_core::template::Engine;
use helm_core::Value;

#[test]
fn sprig_vectors_match_helm() {
    let dir = common::conformance_dir();
    let Ok(text) = std::fs::read_to_string(dir.join("vectors.json")) else {
        println!("skipping: no conformance data at {}", dir.display());
        return;
    };
    let vectors: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let others = [
        "crypto",
        "date",
        "network",
        "windows",
        "linux",
        "flow_control",
        "example",
        "issue_188",
    ];
    let needs_chart = [
        ".Values",
        ".Chart",
        ".Capabilities",
        ".Files",
        ".Template",
        ".Release",
        ".Subcharts",
    ];
    let (mut pass, mut skipped) = (0, 0);
    let mut bad = Vec::new();
    for v in &vectors {
        let from = v["from"].as_str().unwrap_or("");
        let tpl = v["template"].as_str().unwrap_or("");
        if !from.starts_with("sprig/")
            || others.iter().any(|o| from.contains(o))
            || needs_chart.iter().any(|n| tpl.contains(n))
            || v["deterministic"] == serde_json::Value::Bool(false)
            // `.` itself is Helm's chartutil.Values here: the renderer's business.
            || tpl == "{{typeOf .}}"
            // A missing key passed to a map parameter is the executor's type check (Go: a nil
            // interface{} is not assignable to map[string]interface{}), not Sprig's.
            || tpl.contains(".dst")
        {
            skipped += 1;
            continue;
        }
        let mut e = Engine::new(FuncTable::helm());
        let got = match e.parse("case", tpl) {
            Err(err) if err.to_string().contains("not defined") => {
                skipped += 1; // a function another helper provides is not in this branch
                continue;
            }
            Err(err) => Err(err.to_string()),
            Ok(()) => e
                .execute("case", &Value::empty_map())
                .map_err(|e| e.to_string()),
        };
        let ok = match (&got, v.get("output").and_then(|o| o.as_str())) {
            (Ok(g), Some(w)) => g == w,
            (Err(_), None) => true,
            _ => false,
        };
        if ok {
            pass += 1;
        } else {
            bad.push(format!(
                "{} {:?}: got {:?}, want {:?}",
                v["id"],
                tpl,
                got,
                v.get("output").or(v.get("error"))
            ));
        }
    }
    println!(
        "sprig vectors: {pass} pass, {} fail, {skipped} skipped",
        bad.len()
    );
    assert!(pass > 150, "too few vectors ran: {pass}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
