//! helm-core: Helm's logic in pure Rust.
//!
//! Why a separate core: Rust programs, the Python and Node bindings and the `helm-rs` CLI all
//! need the same chart loading, values coalescing and template rendering, and none of that needs
//! a network or an async runtime. Cluster and storage access live behind traits implemented in
//! `helm-kube`, so the core stays testable with plain data.
//!
//! Layers, bottom up: [`values`] (Go-like data, YAML/JSON as Go reads and writes them,
//! coalescing), [`template`] (a Go text/template engine with Sprig and Helm functions, unaware of
//! charts), [`chart`] (Chart.yaml, loading), [`render`] (a chart + values → manifests as Helm).

mod halves;
#[cfg(test)]
mod testgen;
pub mod values;
pub mod template;
pub mod chart;
pub mod render;

pub use values::{Map, Value};
pub mod lint;
pub mod release;
pub mod repo;
