//! helm-core: Helm's logic in pure Rust.
//!
//! Why a separate core: Rust programs, the Python and Node bindings and the `helm-rs` CLI all
//! need the same chart loading, values coalescing and template rendering, and none of that needs
//! a network or an async runtime. What touches a cluster lives in `helm-kube`: the release
//! storage drivers (behind [`release::ReleaseStorage`], with [`release::MemoryStorage`] here for
//! tests) and the actions; the release API's options and error kinds ([`release::api`]) are
//! plain data here, so every front end shares them.
//!
//! Layers, bottom up; a module uses only modules below it (`tests/layers.rs` checks this):
//! 1. [`values`]: Go-like data (`Value`, `Map`), YAML/JSON as Go reads and writes them, values
//!    files;
//! 2. [`gocompat`]: ports of Go's `strconv`, `fmt`, `time`, `regexp` and Masterminds semver;
//! 3. [`strvals`] (`--set` parsing) and [`template`] (a Go text/template engine with Sprig and
//!    Helm functions, unaware of charts);
//! 4. [`chart`]: Chart.yaml, loading, packaging;
//! 5. [`chart_values`]: coalescing, dependency conditions and imports, the values schema;
//! 6. [`render`]: a chart + values → manifests as Helm;
//! 7. [`lint`], [`release`] (stored releases), [`repo`] (repositories).
//!
//! `halves` and `testgen` are small helpers any layer may use.
//!
//! Rendering a chart as `helm template` does (the bytes Helm 4.1.4 prints):
//!
//! ```
//! use helm_core::{chart, render};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("helm-core-doc-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("templates"))?;
//! std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n")?;
//! std::fs::write(dir.join("values.yaml"), "greeting: hello\n")?;
//! std::fs::write(
//!     dir.join("templates/cm.yaml"),
//!     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
//! )?;
//!
//! let chart = chart::load(&dir)?;
//! // `--set greeting=hi`, over the chart's values.yaml.
//! let values = render::user_values::ValueOptions { values: vec!["greeting=hi".into()], ..Default::default() }
//!     .merge_values()?;
//! let release = render::ReleaseOptions { name: "demo".into(), namespace: "default".into(), ..Default::default() };
//! let out = render::template(chart, &values, &render::TemplateOptions { release, ..Default::default() })?;
//! assert!(out.stdout.starts_with("---\n# Source: demo/templates/cm.yaml\n"));
//! assert!(out.stdout.contains("  greeting: \"hi\"\n"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```

pub mod halves;
#[cfg(test)]
mod testgen;

pub mod chart;
pub mod chart_values;
pub mod gocompat;
pub mod lint;
pub mod release;
pub mod render;
pub mod repo;
pub mod strvals;
pub mod template;
pub mod values;

pub use values::{Map, Value};
