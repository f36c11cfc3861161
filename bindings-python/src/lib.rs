//! `helm_rs._native`: the Python face of helm-core, re-exported by the `helm_rs` package.
//!
//! Only conversion lives here: Python objects to helm-core values and options, results and
//! errors back. Every decision (values order, rendering, error kinds, locations) is helm-core's
//! (`helm_core::render::api`), so Python, Node, Rust programs and the CLI cannot disagree.
//! Rendering runs with the GIL released, so threads can render charts in parallel.

use helm_core::chart::{self, Chart};
use helm_core::release::release_summary;
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
    m.add_class::<PyClient>()?;
    m.add_class::<PyRemoteClient>()?;
    m.add_function(wrap_pyfunction!(load_chart, m)?)?;
    m.add_function(wrap_pyfunction!(template, m)?)?;
    m.add("HelmError", py.get_type_bound::<HelmError>())?;
    m.add("ChartError", py.get_type_bound::<ChartError>())?;
    m.add("ValuesError", py.get_type_bound::<ValuesError>())?;
    m.add("RenderError", py.get_type_bound::<RenderError>())?;
    m.add("KubeError", py.get_type_bound::<KubeError>())?;
    m.add("ReleaseNotFound", py.get_type_bound::<ReleaseNotFound>())?;
    m.add("ServerError", py.get_type_bound::<ServerError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

// ---- releases on a cluster (helm-kube)

/// helm-kube's error as the matching Python exception.
fn kube_err(py: Python<'_>, e: helm_kube::Error) -> PyErr {
    use helm_core::release::StorageError;
    match e {
        helm_kube::Error::Render(r) => to_py_err(py, ApiError::from(r)),
        helm_kube::Error::Storage(StorageError::NotFound) => ReleaseNotFound::new_err(e.to_string()),
        e if e.to_string().ends_with("release: not found") => ReleaseNotFound::new_err(e.to_string()),
        e => KubeError::new_err(e.to_string()),
    }
}

/// The runtime every Client shares (helm-kube's futures need one; two workers suffice for
/// API calls).
fn runtime() -> PyResult<&'static tokio::runtime::Runtime> {
    static RT: std::sync::OnceLock<Result<tokio::runtime::Runtime, String>> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| HelmError::new_err(format!("cannot start the async runtime: {e}")))
}

fn timeout(seconds: Option<f64>) -> Option<std::time::Duration> {
    seconds.filter(|s| *s >= 0.0 && s.is_finite()).map(std::time::Duration::from_secs_f64)
}

/// The chart argument of install/upgrade: a Chart or a path, loaded without the GIL.
enum ChartArg {
    Loaded(Chart),
    Path(PathBuf),
}

impl ChartArg {
    fn from_py(chart: &Bound<'_, PyAny>) -> PyResult<ChartArg> {
        match chart.downcast::<PyChart>() {
            Ok(c) => Ok(ChartArg::Loaded(c.get().chart.clone())),
            Err(_) => chart
                .extract::<PathBuf>()
                .map(ChartArg::Path)
                .map_err(|_| PyTypeError::new_err("chart must be a Chart or a path")),
        }
    }
    fn load(self) -> Result<Chart, ApiError> {
        match self {
            ChartArg::Loaded(c) => Ok(c),
            ChartArg::Path(p) => Ok(chart::load(&p)?),
        }
    }
}

/// Either failure of a cluster action: bad input (chart, values) or the cluster's.
enum ActionError {
    Input(ApiError),
    Kube(helm_kube::Error),
}

impl From<ApiError> for ActionError {
    fn from(e: ApiError) -> Self {
        ActionError::Input(e)
    }
}
impl From<helm_kube::Error> for ActionError {
    fn from(e: helm_kube::Error) -> Self {
        ActionError::Kube(e)
    }
}

fn action_err(py: Python<'_>, e: ActionError) -> PyErr {
    match e {
        ActionError::Input(e) => to_py_err(py, e),
        ActionError::Kube(e) => kube_err(py, e),
    }
}

/// Releases on one cluster: Helm's install/upgrade/rollback/uninstall/status/history/list/
/// get values. Methods block (without the GIL); `helm_rs.AsyncClient` wraps them for asyncio.
/// Results are dicts (`helm_core::release::release_summary`); `helm_rs.Client` turns them
/// into `Release` objects.
#[pyclass(module = "helm_rs._native", name = "NativeClient", frozen)]
struct PyClient {
    client: helm_kube::Client,
}

fn values_input(values: Option<&Bound<'_, PyAny>>, value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>) -> PyResult<ValuesInput> {
    Ok(ValuesInput {
        value_files: value_files.into_iter().map(path_string).collect(),
        values: values.map(py_to_value).transpose()?,
        set,
        set_string,
    })
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (kubeconfig = None, context = None, namespace = None, driver = "secret"))]
    fn new(py: Python<'_>, kubeconfig: Option<PathBuf>, context: Option<String>, namespace: Option<String>, driver: &str) -> PyResult<Self> {
        let driver = match driver.to_ascii_lowercase().as_str() {
            "secret" | "secrets" | "" => helm_kube::DriverKind::Secret,
            "configmap" | "configmaps" => helm_kube::DriverKind::ConfigMap,
            other => return Err(HelmError::new_err(format!("unknown driver {other:?} (secret or configmap)"))),
        };
        let rt = runtime()?;
        let opts = helm_kube::ClientOptions { kubeconfig, context, namespace, driver };
        let client = py.allow_threads(|| rt.block_on(helm_kube::Client::new(opts))).map_err(|e| kube_err(py, e))?;
        Ok(PyClient { client })
    }

    /// The namespace actions default to.
    #[getter]
    fn namespace(&self) -> &str {
        self.client.namespace()
    }

    #[pyo3(signature = (
        name, chart, values = None, value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(),
        namespace = None, create_namespace = false, wait = false, timeout = None, atomic = false,
        no_hooks = false, skip_crds = false, description = None, dry_run = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn install(
        &self, py: Python<'_>, name: String, chart: &Bound<'_, PyAny>, values: Option<&Bound<'_, PyAny>>,
        value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>, namespace: Option<String>,
        create_namespace: bool, wait: bool, timeout: Option<f64>, atomic: bool, no_hooks: bool, skip_crds: bool,
        description: Option<String>, dry_run: bool,
    ) -> PyResult<PyObject> {
        let chart = ChartArg::from_py(chart)?;
        let input = values_input(values, value_files, set, set_string)?;
        let opts = helm_kube::InstallOptions {
            name: Some(name),
            namespace,
            create_namespace,
            wait,
            timeout: self::timeout(timeout),
            atomic,
            no_hooks,
            skip_crds,
            description,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let client = &self.client;
        let rel = py.allow_threads(|| -> Result<_, ActionError> {
            let chart = chart.load()?;
            let vals = input.merge()?;
            Ok(rt.block_on(client.install(chart, &vals, opts))?)
        });
        let rel = rel.map_err(|e| action_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (
        name, chart, values = None, value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(),
        namespace = None, wait = false, timeout = None, atomic = false, no_hooks = false,
        reuse_values = false, reset_values = false, max_history = 0, description = None, dry_run = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn upgrade(
        &self, py: Python<'_>, name: String, chart: &Bound<'_, PyAny>, values: Option<&Bound<'_, PyAny>>,
        value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>, namespace: Option<String>,
        wait: bool, timeout: Option<f64>, atomic: bool, no_hooks: bool, reuse_values: bool, reset_values: bool,
        max_history: i64, description: Option<String>, dry_run: bool,
    ) -> PyResult<PyObject> {
        let chart = ChartArg::from_py(chart)?;
        let input = values_input(values, value_files, set, set_string)?;
        let opts = helm_kube::UpgradeOptions {
            namespace,
            wait,
            timeout: self::timeout(timeout),
            atomic,
            no_hooks,
            reuse_values,
            reset_values,
            max_history,
            description,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let client = &self.client;
        let rel = py.allow_threads(|| -> Result<_, ActionError> {
            let chart = chart.load()?;
            let vals = input.merge()?;
            Ok(rt.block_on(client.upgrade(&name, chart, &vals, opts))?)
        });
        let rel = rel.map_err(|e| action_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (name, revision = 0, namespace = None, wait = false, timeout = None, no_hooks = false, max_history = 0, dry_run = false))]
    #[allow(clippy::too_many_arguments)]
    fn rollback(
        &self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>, wait: bool, timeout: Option<f64>,
        no_hooks: bool, max_history: i64, dry_run: bool,
    ) -> PyResult<PyObject> {
        let opts = helm_kube::RollbackOptions {
            namespace,
            revision,
            wait,
            timeout: self::timeout(timeout),
            no_hooks,
            max_history,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let rel = py.allow_threads(|| rt.block_on(self.client.rollback(&name, opts))).map_err(|e| kube_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (name, namespace = None, keep_history = false, wait = false, timeout = None, no_hooks = false, description = None, dry_run = false))]
    #[allow(clippy::too_many_arguments)]
    fn uninstall(
        &self, py: Python<'_>, name: String, namespace: Option<String>, keep_history: bool, wait: bool,
        timeout: Option<f64>, no_hooks: bool, description: Option<String>, dry_run: bool,
    ) -> PyResult<PyObject> {
        let opts = helm_kube::UninstallOptions {
            namespace,
            keep_history,
            wait,
            timeout: self::timeout(timeout),
            no_hooks,
            description,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let res = py.allow_threads(|| rt.block_on(self.client.uninstall(&name, opts))).map_err(|e| kube_err(py, e))?;
        let summary = release_summary(&res.release);
        if let Some(m) = summary.as_map() {
            m.insert("kept", Value::list(res.kept.iter().map(Value::str).collect()));
        }
        value_to_py(py, &summary)
    }

    #[pyo3(signature = (name, revision = 0, namespace = None))]
    fn status(&self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>) -> PyResult<PyObject> {
        let rt = runtime()?;
        let rel = py
            .allow_threads(|| rt.block_on(self.client.get_release(&name, namespace.as_deref(), revision)))
            .map_err(|e| kube_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (name, namespace = None))]
    fn history(&self, py: Python<'_>, name: String, namespace: Option<String>) -> PyResult<PyObject> {
        let rt = runtime()?;
        let rels = py
            .allow_threads(|| rt.block_on(self.client.history(&name, namespace.as_deref())))
            .map_err(|e| kube_err(py, e))?;
        value_to_py(py, &Value::list(rels.iter().map(release_summary).collect()))
    }

    #[pyo3(signature = (namespace = None, all_namespaces = false, all = false, filter = None))]
    fn list(&self, py: Python<'_>, namespace: Option<String>, all_namespaces: bool, all: bool, filter: Option<String>) -> PyResult<PyObject> {
        let rt = runtime()?;
        let opts = helm_kube::ListOptions { namespace, all_namespaces, all, filter, ..Default::default() };
        let rels = py.allow_threads(|| rt.block_on(self.client.list(opts))).map_err(|e| kube_err(py, e))?;
        value_to_py(py, &Value::list(rels.iter().map(release_summary).collect()))
    }

    #[pyo3(signature = (name, revision = 0, namespace = None, all = false))]
    fn get_values(&self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>, all: bool) -> PyResult<PyObject> {
        let rt = runtime()?;
        let vals = py
            .allow_threads(|| rt.block_on(self.client.get_values(&name, namespace.as_deref(), revision, all)))
            .map_err(|e| kube_err(py, e))?;
        value_to_py(py, &vals)
    }
}

// ---- releases through a release server (`helm-rs serve`)

create_exception!(helm_rs, ServerError, KubeError, "The release server refused a request; .status is the HTTP status, .pending the release's pending state on 409.");

/// A release server's refusal as the exception the local client raises for the same cause
/// (ReleaseNotFound, ChartError, ValuesError, RenderError or KubeError — the latter as
/// ServerError, a KubeError subclass with .status and .pending).
fn remote_err(py: Python<'_>, e: helm_kube::server::RemoteError) -> PyErr {
    use helm_kube::server::RemoteError;
    match e {
        RemoteError::Status { status, message, pending } => {
            let err = if status == 404 && (message.contains("not found") || message.contains("has no deployed releases")) {
                ReleaseNotFound::new_err(message)
            } else if status == 400 && message.starts_with("chart") {
                ChartError::new_err(message)
            } else if status == 400 && message.starts_with("values") {
                ValuesError::new_err(message)
            } else if status == 422 && (message.starts_with("template: ") || message.contains("execution error at")) {
                RenderError::new_err(message)
            } else {
                ServerError::new_err(message)
            };
            let v = err.value_bound(py);
            let _ = v.setattr("status", status);
            let pending = match pending {
                Some(p) => value_to_py(py, &helm_core::release::record::json_to_core(&p)).unwrap_or_else(|_| py.None()),
                None => py.None(),
            };
            let _ = v.setattr("pending", pending);
            if v.is_instance_of::<RenderError>() {
                let _ = v.setattr("template", py.None());
                let _ = v.setattr("line", py.None());
                let _ = v.setattr("column", py.None());
            }
            err
        }
        RemoteError::Chart(m) => ChartError::new_err(m),
        e => KubeError::new_err(e.to_string()),
    }
}

/// Either failure of a remote action: bad input (chart, values) found here, or the server's.
enum RemoteActionError {
    Input(ApiError),
    Remote(helm_kube::server::RemoteError),
}

impl From<ApiError> for RemoteActionError {
    fn from(e: ApiError) -> Self {
        RemoteActionError::Input(e)
    }
}
impl From<helm_kube::server::RemoteError> for RemoteActionError {
    fn from(e: helm_kube::server::RemoteError) -> Self {
        RemoteActionError::Remote(e)
    }
}

fn remote_action_err(py: Python<'_>, e: RemoteActionError) -> PyErr {
    match e {
        RemoteActionError::Input(e) => to_py_err(py, e),
        RemoteActionError::Remote(e) => remote_err(py, e),
    }
}

/// The chart argument of a remote install/upgrade: a Chart (packaged again), a path (a
/// directory is packaged, a .tgz sent as is), or a reference the server downloads: `oci://…`,
/// an `http(s)://` chart URL, or a chart name with `repo=URL`.
enum RemoteChartArg {
    Loaded(Chart),
    Path(PathBuf),
    Ready(helm_kube::server::RemoteChart),
}

impl RemoteChartArg {
    fn from_py(chart: &Bound<'_, PyAny>, version: Option<String>, repo: Option<String>, plain_http: bool) -> PyResult<RemoteChartArg> {
        use helm_kube::server::RemoteChart;
        if let Ok(c) = chart.downcast::<PyChart>() {
            return Ok(RemoteChartArg::Loaded(c.get().chart.clone()));
        }
        let version = version.unwrap_or_default();
        if let Some(repo_url) = repo {
            let name: String = chart.extract().map_err(|_| PyTypeError::new_err("with repo=, chart is the chart's name (str)"))?;
            return Ok(RemoteChartArg::Ready(RemoteChart::Repo { repo_url, name, version }));
        }
        if let Ok(s) = chart.extract::<String>() {
            if s.starts_with("oci://") || s.starts_with("http://") || s.starts_with("https://") {
                return Ok(RemoteChartArg::Ready(RemoteChart::Reference { reference: s, version, plain_http }));
            }
        }
        chart
            .extract::<PathBuf>()
            .map(RemoteChartArg::Path)
            .map_err(|_| PyTypeError::new_err("chart must be a Chart, a path, or an oci:// or http(s):// reference"))
    }

    fn resolve(self) -> Result<helm_kube::server::RemoteChart, RemoteActionError> {
        use helm_kube::server::{chart_archive, loaded_chart_archive, RemoteChart};
        Ok(match self {
            RemoteChartArg::Loaded(c) => RemoteChart::Archive(loaded_chart_archive(&c)?),
            RemoteChartArg::Path(p) => {
                if !p.exists() {
                    return Err(RemoteActionError::Input(ApiError::Chart(format!("path {:?} not found", p.display().to_string()))));
                }
                RemoteChart::Archive(chart_archive(&p)?)
            }
            RemoteChartArg::Ready(r) => r,
        })
    }
}

/// Releases through a release server (`helm-rs serve`), acting with the caller's Kubernetes
/// token: the methods, arguments and results of NativeClient; `helm_rs.RemoteClient` wraps it.
#[pyclass(module = "helm_rs._native", name = "NativeRemoteClient", frozen)]
struct PyRemoteClient {
    client: helm_kube::server::RemoteClient,
}

#[pymethods]
impl PyRemoteClient {
    #[new]
    #[pyo3(signature = (url, token, namespace = None))]
    fn new(url: &str, token: &str, namespace: Option<String>) -> PyResult<Self> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(HelmError::new_err(format!("release server URL must start with http:// or https://, got {url:?}")));
        }
        // reqwest's client needs the runtime's reactor only when requests run.
        let rt = runtime()?;
        let _guard = rt.enter();
        let client = helm_kube::server::RemoteClient::new(url, token, namespace.as_deref()).map_err(|e| KubeError::new_err(e.to_string()))?;
        Ok(PyRemoteClient { client })
    }

    /// The namespace actions default to.
    #[getter]
    fn namespace(&self) -> &str {
        self.client.namespace()
    }

    #[pyo3(signature = (
        name, chart, values = None, value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(),
        namespace = None, create_namespace = false, wait = false, timeout = None, atomic = false,
        no_hooks = false, skip_crds = false, description = None, dry_run = false,
        version = None, repo = None, plain_http = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn install(
        &self, py: Python<'_>, name: String, chart: &Bound<'_, PyAny>, values: Option<&Bound<'_, PyAny>>,
        value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>, namespace: Option<String>,
        create_namespace: bool, wait: bool, timeout: Option<f64>, atomic: bool, no_hooks: bool, skip_crds: bool,
        description: Option<String>, dry_run: bool, version: Option<String>, repo: Option<String>, plain_http: bool,
    ) -> PyResult<PyObject> {
        let chart = RemoteChartArg::from_py(chart, version, repo, plain_http)?;
        let input = values_input(values, value_files, set, set_string)?;
        let opts = helm_kube::InstallOptions {
            name: Some(name),
            namespace,
            create_namespace,
            wait,
            timeout: self::timeout(timeout),
            atomic,
            no_hooks,
            skip_crds,
            description,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let client = &self.client;
        let rel = py.allow_threads(|| -> Result<_, RemoteActionError> {
            let chart = chart.resolve()?;
            let vals = input.merge()?;
            Ok(rt.block_on(client.install_chart(&chart, &vals, opts))?)
        });
        let rel = rel.map_err(|e| remote_action_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (
        name, chart, values = None, value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(),
        namespace = None, wait = false, timeout = None, atomic = false, no_hooks = false,
        reuse_values = false, reset_values = false, max_history = 0, description = None, dry_run = false,
        install = false, version = None, repo = None, plain_http = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn upgrade(
        &self, py: Python<'_>, name: String, chart: &Bound<'_, PyAny>, values: Option<&Bound<'_, PyAny>>,
        value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>, namespace: Option<String>,
        wait: bool, timeout: Option<f64>, atomic: bool, no_hooks: bool, reuse_values: bool, reset_values: bool,
        max_history: i64, description: Option<String>, dry_run: bool, install: bool, version: Option<String>,
        repo: Option<String>, plain_http: bool,
    ) -> PyResult<PyObject> {
        let chart = RemoteChartArg::from_py(chart, version, repo, plain_http)?;
        let input = values_input(values, value_files, set, set_string)?;
        let opts = helm_kube::UpgradeOptions {
            namespace,
            wait,
            timeout: self::timeout(timeout),
            atomic,
            no_hooks,
            reuse_values,
            reset_values,
            max_history,
            description,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let client = &self.client;
        let rel = py.allow_threads(|| -> Result<_, RemoteActionError> {
            let chart = chart.resolve()?;
            let vals = input.merge()?;
            Ok(rt.block_on(client.upgrade_chart(&name, &chart, &vals, opts, install))?)
        });
        let rel = rel.map_err(|e| remote_action_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (name, revision = 0, namespace = None, wait = false, timeout = None, no_hooks = false, max_history = 0, dry_run = false))]
    #[allow(clippy::too_many_arguments)]
    fn rollback(
        &self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>, wait: bool, timeout: Option<f64>,
        no_hooks: bool, max_history: i64, dry_run: bool,
    ) -> PyResult<PyObject> {
        let opts = helm_kube::RollbackOptions {
            namespace,
            revision,
            wait,
            timeout: self::timeout(timeout),
            no_hooks,
            max_history,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let rel = py.allow_threads(|| rt.block_on(self.client.rollback(&name, opts))).map_err(|e| remote_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (name, namespace = None, keep_history = false, wait = false, timeout = None, no_hooks = false, description = None, dry_run = false))]
    #[allow(clippy::too_many_arguments)]
    fn uninstall(
        &self, py: Python<'_>, name: String, namespace: Option<String>, keep_history: bool, wait: bool,
        timeout: Option<f64>, no_hooks: bool, description: Option<String>, dry_run: bool,
    ) -> PyResult<PyObject> {
        let opts = helm_kube::UninstallOptions {
            namespace,
            keep_history,
            wait,
            timeout: self::timeout(timeout),
            no_hooks,
            description,
            dry_run,
            ..Default::default()
        };
        let rt = runtime()?;
        let res = py.allow_threads(|| rt.block_on(self.client.uninstall(&name, opts))).map_err(|e| remote_err(py, e))?;
        let summary = release_summary(&res.release);
        if let Some(m) = summary.as_map() {
            m.insert("kept", Value::list(res.kept.iter().map(Value::str).collect()));
        }
        value_to_py(py, &summary)
    }

    #[pyo3(signature = (name, revision = 0, namespace = None))]
    fn status(&self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>) -> PyResult<PyObject> {
        let rt = runtime()?;
        let rel = py
            .allow_threads(|| rt.block_on(self.client.get_release(&name, namespace.as_deref(), revision)))
            .map_err(|e| remote_err(py, e))?;
        value_to_py(py, &release_summary(&rel))
    }

    #[pyo3(signature = (name, namespace = None))]
    fn history(&self, py: Python<'_>, name: String, namespace: Option<String>) -> PyResult<PyObject> {
        let rt = runtime()?;
        let rels = py.allow_threads(|| rt.block_on(self.client.history(&name, namespace.as_deref()))).map_err(|e| remote_err(py, e))?;
        value_to_py(py, &Value::list(rels.iter().map(release_summary).collect()))
    }

    #[pyo3(signature = (namespace = None, all_namespaces = false, all = false, filter = None))]
    fn list(&self, py: Python<'_>, namespace: Option<String>, all_namespaces: bool, all: bool, filter: Option<String>) -> PyResult<PyObject> {
        let rt = runtime()?;
        let opts = helm_kube::ListOptions { namespace, all_namespaces, all, filter, ..Default::default() };
        let rels = py.allow_threads(|| rt.block_on(self.client.list(opts))).map_err(|e| remote_err(py, e))?;
        value_to_py(py, &Value::list(rels.iter().map(release_summary).collect()))
    }

    #[pyo3(signature = (name, revision = 0, namespace = None, all = false))]
    fn get_values(&self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>, all: bool) -> PyResult<PyObject> {
        let rt = runtime()?;
        let vals = py
            .allow_threads(|| rt.block_on(self.client.get_values(&name, namespace.as_deref(), revision, all)))
            .map_err(|e| remote_err(py, e))?;
        value_to_py(py, &vals)
    }
}
