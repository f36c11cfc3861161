//! Values rules that need a chart: what `.Values` is once a chart and the user's values meet.
//!
//! Helm computes a release's values in its chartutil package: the user's values are coalesced
//! over the chart's defaults and each subchart's ([`coalesce`]), subcharts are switched on or off
//! by `condition`/`tags` and parents import their values ([`dependencies`]), and the result is
//! checked against `values.schema.json` ([`schema`]).
//!
//! Why a layer above [`crate::chart`]: these rules walk a loaded chart, while loading a chart
//! only needs to read values files ([`crate::values::file`]). Keeping them here leaves
//! [`crate::values`] the plain data model and `chart` free of values logic.

pub mod coalesce;
pub mod dependencies;
pub mod schema;

pub use dependencies::process_dependencies;
