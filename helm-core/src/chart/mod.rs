//! Charts: Chart.yaml metadata, loading from a directory or a `.tgz`, `.helmignore`, `helm show`.
//!
//! Why this mirrors Helm's loader (pkg/chart/v2/loader) so closely: which files end up in
//! `.Files`, which subcharts are seen, how a broken Chart.yaml is reported and which archives are
//! refused are all observable in `helm template` output and errors, and charts in the wild depend
//! on those rules (`charts/_helpers`-style names skipped, `.prov` files kept as plain files,
//! `requirements.yaml` merged into the metadata for apiVersion v1 charts).
//!
//! Layout: [`metadata`] (Chart.yaml as Helm decodes it), [`helmignore`] (the ignore rules),
//! [`archive`] (reading a `.tgz` safely), [`loader`] (files → [`Chart`]), [`show`] (`helm show`).
//! Rules that walk a loaded chart's values (coalescing, conditions/tags/import-values, the
//! schema) sit one layer up in [`crate::chart_values`]; this layer only reads values files.
//!
//! The pre-render pipeline of `helm template`, in Helm's order:
//! 1. [`load`] the chart; 2. merge `-f` files ([`crate::values::file::read_values`],
//!    [`crate::values::file::merge_maps`]) and `--set*` flags ([`crate::strvals`]);
//! 3. [`Chart::check_dependencies`]; 4. [`crate::chart_values::process_dependencies`]; 5.
//!    [`crate::chart_values::coalesce::coalesce_values`]; 6.
//!    [`crate::chart_values::schema::validate_chart`] on the result; then render, where a subchart's
//!    `.Values` is the coalesced map under its (alias) name.

pub mod archive;
pub mod create;
pub mod gojson;
pub mod helmignore;
pub mod loader;
pub mod metadata;
pub mod package;
pub mod show;

pub use loader::{load, load_archive_bytes, load_dir, load_files};
pub use metadata::{Dependency, ImportValue, Lock, Maintainer, Metadata};

use crate::values::Value;

/// A file of a chart: its path inside the chart (always `/`-separated) and its bytes.
/// Equality is by name and content: the modification time says where a copy came from, not
/// what the chart is.
#[derive(Clone, Debug)]
pub struct File {
    pub name: String,
    pub data: std::sync::Arc<[u8]>,
    /// When the file was last modified (the directory entry's time, or the tar header's);
    /// None when unknown. Helm records these in stored releases (`modtime`).
    pub modtime: Option<std::time::SystemTime>,
}

impl PartialEq for File {
    fn eq(&self, other: &File) -> bool {
        self.name == other.name && self.data == other.data
    }
}

impl Eq for File {}

/// A loaded chart, as Helm's `chart.Chart`.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Chart.yaml (plus requirements.yaml dependencies for v1 charts).
    pub metadata: Metadata,
    /// Chart.lock (or requirements.lock).
    pub lock: Option<Lock>,
    /// Files under `templates/`, in load order (sorted paths for a directory, archive order for a tgz).
    pub templates: Vec<File>,
    /// Every other file (what `.Files` sees), excluding Chart.yaml, values.yaml, the schema,
    /// Chart.lock, `templates/` and subcharts.
    pub files: Vec<File>,
    /// values.yaml parsed (an empty map when absent); multiple documents are merged as Helm does.
    pub values: Value,
    /// values.yaml bytes as read (what `helm show values` prints).
    pub raw_values: Option<std::sync::Arc<[u8]>>,
    /// values.schema.json bytes.
    pub schema: Option<std::sync::Arc<[u8]>>,
    /// Loaded subcharts from `charts/` (directories and `.tgz` files).
    pub dependencies: Vec<Chart>,
    /// Every file as loaded (Helm's `Chart.Raw`), used by `helm show`.
    pub raw: Vec<File>,
}

impl Chart {
    /// The chart's name (Chart.yaml `name`).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The file called `name` among the chart's raw files.
    pub fn raw_file(&self, name: &str) -> Option<&File> {
        self.raw.iter().find(|f| f.name == name)
    }

    /// The chart's `.Chart` value as templates see it (Helm 4 hands templates a map keyed by Go
    /// field names: `Name`, `Version`, `AppVersion`, `IsRoot`, …).
    pub fn chart_value(&self, is_root: bool) -> Value {
        self.metadata.to_value_with_root(is_root)
    }

    /// The dependencies from Chart.yaml that have no loaded subchart (by name) — Helm reports
    /// these when rendering: `found in Chart.yaml, but missing in charts/ directory: a, b`.
    pub fn missing_dependencies(&self) -> Vec<String> {
        self.metadata
            .dependencies
            .iter()
            .filter(|d| !self.dependencies.iter().any(|c| c.name() == d.name))
            .map(|d| d.name.clone())
            .collect()
    }

    /// Helm's `CheckDependencies` error, if any dependency is missing from `charts/` (matched by
    /// chart name). `helm template` prints it after [`CHECK_DEPENDENCIES_PREFIX`].
    pub fn check_dependencies(&self) -> Result<(), ChartError> {
        let missing = self.missing_dependencies();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ChartError::MissingDependencies(missing))
        }
    }
}

/// What Helm's install/template action puts before a [`ChartError::MissingDependencies`] error.
pub const CHECK_DEPENDENCIES_PREFIX: &str = "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: ";

/// Errors loading a chart; Display reproduces Helm's messages.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    /// A file could not be read or a path does not exist (Go's `stat X: no such file or directory`).
    #[error("{0}")]
    Io(String),
    /// A YAML file of the chart does not parse (`cannot load Chart.yaml: error converting YAML to
    /// JSON: yaml: line 4: ...`).
    #[error("cannot load {file}: {message}")]
    Yaml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A YAML file parses but does not fit Helm's Go types (`json: cannot unmarshal ...`).
    #[error("cannot load {file}: {message}")]
    Decode { file: String, message: String },
    /// Chart.yaml is missing.
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    /// Helm's metadata validation (`validation: chart.metadata.version "x" is invalid`).
    #[error("validation: {0}")]
    Validation(String),
    /// The apiVersion is neither v1 nor v2 (Helm 4's loader dispatch).
    #[error("{0}")]
    ApiVersion(String),
    /// Archive problems: bad gzip/tar, path traversal, size limits.
    #[error("{0}")]
    Archive(String),
    /// A bad `.helmignore` rule.
    #[error("{0}")]
    Ignore(String),
    /// An error inside a subchart.
    #[error("error unpacking subchart {subchart} in {parent}: {source}")]
    Subchart {
        subchart: String,
        parent: String,
        source: Box<ChartError>,
    },
    /// Declared dependencies that are not in `charts/`.
    #[error("found in Chart.yaml, but missing in charts/ directory: {}", .0.join(", "))]
    MissingDependencies(Vec<String>),
}

impl ChartError {
    /// The line/column of a YAML error, when there is one.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            ChartError::Yaml { line, column, .. } => Some((*line, *column)),
            ChartError::Subchart { source, .. } => source.position(),
            _ => None,
        }
    }
}
