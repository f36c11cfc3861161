//! Renders examples/charts/hello with a value set in code and prints `Kind/name` of every
//! document, hooks last. The same program exists in Python (examples/python) and Node
//! (examples/node); the bindings' test suite checks that all three print the same lines.
//!
//! Run: `cargo run -p helm-core --example render-kinds [CHART]`.

use helm_core::chart;
use helm_core::render::api::{render_release, ValuesInput};
use helm_core::render::TemplateOptions;
use std::process::ExitCode;

fn main() -> ExitCode {
    let default_chart =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/charts/hello").to_string();
    let path = std::env::args().nth(1).unwrap_or(default_chart);
    let run = || -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let chart = chart::load(std::path::Path::new(&path))?;
        let values = ValuesInput {
            set: vec!["replicaCount=2".into()],
            ..Default::default()
        }
        .merge()?;
        let result = render_release(chart, &values, &TemplateOptions::default())?;
        let docs = result.manifests.iter().map(|m| (&m.kind, &m.name));
        let hooks = result.hooks.iter().map(|h| (&h.kind, &h.name));
        Ok(docs.chain(hooks).map(|(k, n)| format!("{k}/{n}")).collect())
    };
    match run() {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
