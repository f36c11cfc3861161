//! Loads every chart of the shared conformance corpus (real-world charts rendered by Helm
//! 4.1.4) and runs the pre-render steps: load, `-f` values, dependency processing,
//! coalescing, schema validation, missing-dependency check. Every case Helm rendered
//! (`expect=ok`) must pass all of them. Skips when `../shared/conformance` is absent.

use helm_core::chart;
use helm_core::chart_values::coalesce::coalesce_values;
use helm_core::chart_values::schema::validate_chart;
use helm_core::values::file::read_values;
use helm_core::values::Value;
use std::path::PathBuf;

#[test]
fn corpus_charts_load_and_coalesce() {
    let base = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .join("../../shared/conformance");
    let Ok(cases) = std::fs::read_to_string(base.join("cases.tsv")) else {
        println!("skipping: conformance data not found at {}", base.display());
        return;
    };
    let mut failures = Vec::new();
    let mut ok_cases = 0;
    for line in cases.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [case, chart_dir, values, expect] = cols[..] else {
            continue;
        };
        if expect != "ok" {
            continue;
        }
        ok_cases += 1;
        let dir = base.join("charts").join(chart_dir);
        let result = (|| -> Result<(), String> {
            let mut c = chart::load(&dir).map_err(|e| format!("load: {e}"))?;
            let user = if values == "-" {
                Value::empty_map()
            } else {
                let text = std::fs::read_to_string(dir.join(values)).map_err(|e| e.to_string())?;
                read_values(&text).map_err(|e| format!("values: {e}"))?
            };
            c.check_dependencies().map_err(|e| e.to_string())?;
            helm_core::chart_values::process_dependencies(&mut c, &user)
                .map_err(|e| format!("deps: {e}"))?;
            let vals = coalesce_values(&c, &user).map_err(|e| format!("coalesce: {e}"))?;
            validate_chart(&c, &vals).map_err(|e| format!("schema: {e}"))?;
            Ok(())
        })();
        if let Err(e) = result {
            failures.push(format!("{case}: {e}"));
        }
    }
    println!(
        "{} of {ok_cases} renderable corpus cases pass the pre-render steps",
        ok_cases - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
