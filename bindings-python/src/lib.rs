//! `helm_rs._native`: the Python face of helm-core, re-exported by the `helm_rs` package.
//!
//! Only conversion lives here: Python objects to helm-core values and options, results and
//! errors back. Every decision (values order, rendering, error kinds, locations) is helm-core's
//! (`helm_core::render::api`), so Python, Node, Rust programs and the CLI cannot disagree.
//! Rendering runs with the GIL released, so threads can render charts in parallel.

use helm_core::chart::{self, Chart};
use helm_core::render::api::{self, ApiError, RenderResult, ValuesInput};
use helm_core::render::objects::KubeVersion;
use helm_core::render::{ReleaseOptions, TemplateOptions};
use helm_core::{Map, Value};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::path::PathBuf;
use std::sync::Arc;

create_exception!(helm_rs, HelmError, PyException, "Any helm-rs failure; the message is Helm's.");
create_exception!(helm_rs, ChartError, HelmError, "The chart cannot be loaded or installed.");
create_exception!(helm_rs, ValuesError, HelmError, "Values files, --set expressions or the chart's schema are wrong.");
create_exception!(
    helm_rs,
    RenderError,
    HelmError,
    "A template failed; .template, .line and .column say where (None when unknown)."
);
create_exception!(helm_rs, KubeError, HelmError, "The cluster refused or could not be reached.");
create_exception!(helm_rs, ReleaseNotFound, KubeError, "No release of that name.");

/// helm-core's error as the matching Python exception.
fn to_py_err(py: Python<'_>, e: ApiError) -> PyErr {
    match e {
        ApiError::Chart(m) => ChartError::new_err(m),
        ApiError::Values(m) => ValuesError::new_err(m),
        ApiError::Invalid(m) => HelmError::new_err(m),
        ApiError::Render { message, location } => {
            let err = RenderError::new_err(message);
            let v = err.value_bound(py);
            let (t, l, c) = match location {
                Some(loc) => (Some(loc.template), Some(loc.line), loc.column),
                None => (None, None, None),
            };
            // Setting attributes on a fresh exception instance cannot fail short of memory.
            let _ = v.setattr("template", t);
            let _ = v.setattr("line", l);
            let _ = v.setattr("column", c);
            err
        }
    }
}

/// A Python object as a Go value, as Helm would hold the same data read from YAML or `--set`
/// (ints as int64, floats as float64, dict keys must be strings).
fn py_to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Nil);
    }
    if let Ok(b) = obj.downcast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Int64(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Uint(u));
        }
        return Err(PyTypeError::new_err("integer out of 64-bit range in values"));
    }
    if let Ok(f) = obj.downcast::<PyFloat>() {
        return Ok(Value::Float(f.value()));
    }
    if let Ok(s) = obj.downcast::<PyString>() {
        return Ok(Value::str(s.to_cow()?));
    }
    if let Ok(b) = obj.downcast::<PyBytes>() {
        return Ok(Value::Bytes(Arc::from(b.as_bytes())));
    }
    if let Ok(d) = obj.downcast::<PyDict>() {
        let m = Map::new();
        for (k, v) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err(format!("values keys must be str, not {}", k.get_type().name().map(|n| n.to_string()).unwrap_or_default())))?;
            m.insert(key, py_to_value(&v)?);
        }
        return Ok(Value::Map(m));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj.iter()?.map(|i| i.and_then(|i| py_to_value(&i))).collect::<PyResult<Vec<_>>>()?;
        return Ok(Value::list(items));
    }
    Err(PyTypeError::new_err(format!(
        "cannot use a {} in values (dict, list, str, int, float, bool, bytes or None)",
        obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

/// A Go value as plain Python data (float64 stays float, as Helm holds YAML numbers).
fn value_to_py(py: Python<'_>, v: &Value) -> PyResult<PyObject> {
    Ok(match v {
        Value::Nil | Value::Object(_) => py.None(),
        Value::Bool(b) => b.into_py(py),
        Value::Int(i) | Value::Int64(i) => i.into_py(py),
        Value::Uint(u) => u.into_py(py),
        Value::Float(f) => f.into_py(py),
        Value::String(s) => s.as_ref().into_py(py),
        Value::Bytes(b) => PyBytes::new_bound(py, b).into_py(py),
        Value::List(items) => {
            let l = PyList::empty_bound(py);
            for i in items.iter() {
                l.append(value_to_py(py, i)?)?;
            }
            l.into_py(py)
        }
        Value::Map(m) => {
            let d = PyDict::new_bound(py);
            for (k, v) in m.entries() {
                d.set_item(k.as_ref(), value_to_py(py, &v)?)?;
            }
            d.into_py(py)
        }
    })
}

/// A loaded chart (directory or `.tgz`), with its subcharts.
#[pyclass(module = "helm_rs", name = "Chart", frozen)]
struct PyChart {
    chart: Chart,
}

#[pymethods]
impl PyChart {
    /// Chart.yaml `name`.
    #[getter]
    fn name(&self) -> &str {
        &self.chart.metadata.name
    }
    /// Chart.yaml `version`.
    #[getter]
    fn version(&self) -> &str {
        &self.chart.metadata.version
    }
    /// Chart.yaml `appVersion` (empty when absent).
    #[getter]
    fn app_version(&self) -> &str {
        &self.chart.metadata.app_version
    }
    /// values.yaml as a dict.
    #[getter]
    fn values(&self, py: Python<'_>) -> PyResult<PyObject> {
        value_to_py(py, &self.chart.values)
    }
    /// Chart.yaml `dependencies` as dicts (name, version, repository, condition, alias, …).
    #[getter]
    fn dependencies(&self, py: Python<'_>) -> PyResult<PyObject> {
        let meta = self.chart.metadata.to_json_value();
        let deps = meta.as_map().and_then(|m| m.get("dependencies")).unwrap_or_else(|| Value::list(vec![]));
        value_to_py(py, &deps)
    }
    /// Chart.yaml as a dict with its JSON keys (`apiVersion`, `appVersion`, …), only set fields.
    #[getter]
    fn metadata(&self, py: Python<'_>) -> PyResult<PyObject> {
        value_to_py(py, &self.chart.metadata.to_json_value())
    }
    /// Names of the subcharts loaded from `charts/`.
    #[getter]
    fn subcharts(&self) -> Vec<String> {
        self.chart.dependencies.iter().map(|c| c.metadata.name.clone()).collect()
    }
    fn __repr__(&self) -> String {
        format!("Chart(name={:?}, version={:?})", self.chart.metadata.name, self.chart.metadata.version)
    }
}

/// What `template` produced.
#[pyclass(module = "helm_rs", name = "RenderResult", frozen)]
struct PyRenderResult {
    /// Exactly `helm template`'s standard output.
    #[pyo3(get)]
    manifest: String,
    /// Non-hook documents: dicts with name, kind, path, content.
    #[pyo3(get)]
    manifests: Py<PyList>,
    /// Hook documents: dicts with name, kind, path, content, events, weight, delete_policies.
    #[pyo3(get)]
    hooks: Py<PyList>,
    /// The rendered NOTES.txt.
    #[pyo3(get)]
    notes: String,
    /// Warnings Helm would log on standard error.
    #[pyo3(get)]
    log: Vec<String>,
}

#[pymethods]
impl PyRenderResult {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!("RenderResult({} manifests, {} hooks)", self.manifests.bind(py).len(), self.hooks.bind(py).len())
    }
}

fn result_to_py(py: Python<'_>, r: RenderResult) -> PyResult<PyRenderResult> {
    let manifests = PyList::empty_bound(py);
    for m in r.manifests {
        let d = PyDict::new_bound(py);
        d.set_item("name", m.name)?;
        d.set_item("kind", m.kind)?;
        d.set_item("path", m.path)?;
        d.set_item("content", m.content)?;
        manifests.append(d)?;
    }
    let hooks = PyList::empty_bound(py);
    for h in r.hooks {
        let d = PyDict::new_bound(py);
        d.set_item("name", h.name)?;
        d.set_item("kind", h.kind)?;
        d.set_item("path", h.path)?;
        d.set_item("content", h.content)?;
        d.set_item("events", h.events)?;
        d.set_item("weight", h.weight)?;
        d.set_item("delete_policies", h.delete_policies)?;
        hooks.append(d)?;
    }
    Ok(PyRenderResult { manifest: r.manifest, manifests: manifests.unbind(), hooks: hooks.unbind(), notes: r.notes, log: r.log })
}

fn path_string(p: PathBuf) -> String {
    p.to_string_lossy().into_owned()
}

/// Loads a chart from a directory or a `.tgz` archive.
#[pyfunction]
fn load_chart(py: Python<'_>, path: PathBuf) -> PyResult<PyChart> {
    let loaded = py.allow_threads(|| chart::load(&path));
    loaded.map(|chart| PyChart { chart }).map_err(|e| to_py_err(py, ApiError::from(e)))
}

/// Renders a chart as `helm template` does.
#[pyfunction]
#[pyo3(signature = (
    chart, release_name = "release-name", namespace = "default", values = None,
    value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(), kube_version = None,
    api_versions = Vec::new(), include_crds = false, is_upgrade = false, no_hooks = false,
    skip_tests = false, skip_schema_validation = false
))]
#[allow(clippy::too_many_arguments)]
fn template(
    py: Python<'_>,
    chart: &Bound<'_, PyAny>,
    release_name: &str,
    namespace: &str,
    values: Option<&Bound<'_, PyAny>>,
    value_files: Vec<PathBuf>,
    set: Vec<String>,
    set_string: Vec<String>,
    kube_version: Option<&str>,
    api_versions: Vec<String>,
    include_crds: bool,
    is_upgrade: bool,
    no_hooks: bool,
    skip_tests: bool,
    skip_schema_validation: bool,
) -> PyResult<PyRenderResult> {
    let chart_src = match chart.downcast::<PyChart>() {
        Ok(c) => Ok(c.get().chart.clone()),
        Err(_) => Err(chart.extract::<PathBuf>().map_err(|_| PyTypeError::new_err("chart must be a Chart or a path"))?),
    };
    let input = ValuesInput {
        value_files: value_files.into_iter().map(path_string).collect(),
        values: values.map(py_to_value).transpose()?,
        set,
        set_string,
    };
    let kube_version = match kube_version {
        Some(v) => Some(
            KubeVersion::parse(v).map_err(|e| HelmError::new_err(format!("invalid kube version '{v}': {e}")))?,
        ),
        None => None,
    };
    let opts = TemplateOptions {
        release: ReleaseOptions {
            name: release_name.to_string(),
            namespace: namespace.to_string(),
            revision: 1,
            is_upgrade,
            is_install: !is_upgrade,
        },
        kube_version,
        api_versions,
        include_crds,
        no_hooks,
        skip_tests,
        skip_schema_validation,
        ..Default::default()
    };
    let rendered = py.allow_threads(move || -> Result<RenderResult, ApiError> {
        let chart = match chart_src {
            Ok(c) => c,
            Err(path) => chart::load(&path)?,
        };
        let vals = input.merge()?;
        api::render_release(chart, &vals, &opts)
    });
    match rendered {
        Ok(r) => result_to_py(py, r),
        Err(e) => Err(to_py_err(py, e)),
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyChart>()?;
    m.add_class::<PyRenderResult>()?;
    m.add_function(wrap_pyfunction!(load_chart, m)?)?;
    m.add_function(wrap_pyfunction!(template, m)?)?;
    m.add("HelmError", py.get_type_bound::<HelmError>())?;
    m.add("ChartError", py.get_type_bound::<ChartError>())?;
    m.add("ValuesError", py.get_type_bound::<ValuesError>())?;
    m.add("RenderError", py.get_type_bound::<RenderError>())?;
    m.add("KubeError", py.get_type_bound::<KubeError>())?;
    m.add("ReleaseNotFound", py.get_type_bound::<ReleaseNotFound>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
