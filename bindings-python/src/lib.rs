//! `helm_rs._native`: the Python face of helm-core, re-exported by the `helm_rs` package.
//!
//! Only conversion lives here: Python objects to helm-core values and options, results and
//! errors back. Every decision (values order, rendering, error kinds, locations) is helm-core's
//! (`helm_core::render::api`), so Python, Node, Rust programs and the CLI cannot disagree.
//! Rendering runs with the GIL released, so threads can render charts in parallel.

use helm_core::chart::{self, Chart};
use helm_core::render::api::{self, ApiError, RenderResult, TemplateLocation, ValuesInput};
use helm_core::render::objects::KubeVersion;
use helm_core::render::{ReleaseOptions, TemplateOptions};
use helm_core::{Map, Value};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use helm_kube::summary::{self, ActionFailure, ChartArg};
use helm_kube::RemoteClient;
use helm_kube::{ChartRef, ErrorKind, InstallOptions, ListOptions, RecoverOptions, ReleaseApi, RollbackOptions, UninstallOptions, UpgradeOptions};
use std::path::PathBuf;
use std::sync::Arc;

/// The exception classes: each with its base class and docstring (the kinds it stands for).
macro_rules! exceptions {
    ($($name:ident($base:ident): $doc:literal;)*) => {
        $(create_exception!(helm_rs, $name, $base, $doc);)*
    };
}

exceptions! {
    HelmError(PyException): "Any helm-rs failure; the message is Helm's, .kind its kind.";
    ChartError(HelmError): "Kind invalid_input: the chart or the request cannot be installed as asked.";
    ValuesError(HelmError): "Values files, --set expressions or values= are wrong (kind invalid_input).";
    RenderError(HelmError): "Kind render: the chart did not render; .template, .line and .column say where (None when unknown).";
    KubeError(HelmError): "The cluster or the release server refused or failed.";
    ReleaseNotFound(KubeError): "Kind not_found: no release (or revision) of that name.";
    ServerError(KubeError): "The API server or the release server refused or failed (kinds failed, cluster, unavailable, internal); .status is the release server's HTTP status.";
    Forbidden(ServerError): "Kinds unauthorized and forbidden: no valid credentials, or RBAC refuses.";
    ReleaseConflict(ServerError): "Kinds name_in_use and conflict: the release's or an object's state is in the way.";
    ReleasePending(ReleaseConflict): "Kind pending: another operation holds the release; .pending its state (release server).";
    ReleaseTimeout(ServerError): "Kind timeout: hooks or wait ran out of time.";
}

/// `err` with the attributes every helm-rs exception has: `.kind` (the kind's name), `.status`
/// and `.pending` (a release server's HTTP status and pending state; None otherwise).
fn with_attrs(py: Python<'_>, err: PyErr, kind: ErrorKind, status: Option<u16>, pending: Option<PyObject>) -> PyErr {
    let v = err.value_bound(py);
    // Setting attributes on a fresh exception instance cannot fail short of memory.
    let _ = v.setattr("kind", kind.as_str());
    let _ = v.setattr("status", status);
    let _ = v.setattr("pending", pending);
    err
}

/// A RenderError with where in the chart it happened (None when unknown).
fn render_exception(py: Python<'_>, message: String, location: Option<TemplateLocation>) -> PyErr {
    let err = RenderError::new_err(message);
    let v = err.value_bound(py);
    let (t, l, c) = match location {
        Some(loc) => (Some(loc.template), Some(loc.line), loc.column),
        None => (None, None, None),
    };
    let _ = v.setattr("template", t);
    let _ = v.setattr("line", l);
    let _ = v.setattr("column", c);
    err
}

/// helm-core's error as the matching Python exception.
fn to_py_err(py: Python<'_>, e: ApiError) -> PyErr {
    let (err, kind) = match e {
        ApiError::Chart(m) => (ChartError::new_err(m), ErrorKind::InvalidInput),
        ApiError::Values(m) => (ValuesError::new_err(m), ErrorKind::InvalidInput),
        ApiError::Invalid(m) => (HelmError::new_err(m), ErrorKind::InvalidInput),
        ApiError::Render { message, location, .. } => (render_exception(py, message, location), ErrorKind::Render),
        ApiError::PostRender(m) => (render_exception(py, m, None), ErrorKind::Render),
    };
    with_attrs(py, err, kind, None, None)
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
    // The fields every rendered document has.
    let document = |name: String, kind: String, path: String, content: String| -> PyResult<Bound<'_, PyDict>> {
        let d = PyDict::new_bound(py);
        d.set_item("name", name)?;
        d.set_item("kind", kind)?;
        d.set_item("path", path)?;
        d.set_item("content", content)?;
        Ok(d)
    };
    let manifests = PyList::empty_bound(py);
    for m in r.manifests {
        manifests.append(document(m.name, m.kind, m.path, m.content)?)?;
    }
    let hooks = PyList::empty_bound(py);
    for h in r.hooks {
        let d = document(h.name, h.kind, h.path, h.content)?;
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

/// A Python callable as a post-renderer: called with the rendered stream (a str), returns the
/// stream to use. An exception it raises becomes the render's error (`RenderError`).
struct CallablePostRenderer(PyObject);

impl helm_core::render::PostRenderer for CallablePostRenderer {
    fn run(&self, manifests: &str) -> Result<String, String> {
        Python::with_gil(|py| {
            let out = self.0.call1(py, (manifests,)).map_err(|e| e.to_string())?;
            out.extract::<String>(py)
                .map_err(|_| "the post-renderer did not return a str".to_string())
        })
    }
}

/// `post_renderer=`: None, a callable (str -> str), or a program and its arguments as a list
/// (`["kustomize", "build", "dir"]`), which reads the stream on stdin and prints the result.
fn post_renderer_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<helm_core::render::PostRenderStep> {
    use helm_core::render::PostRenderStep;
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(PostRenderStep::default());
    };
    if obj.is_callable() {
        return Ok(PostRenderStep(Some(std::sync::Arc::new(CallablePostRenderer(obj.clone().unbind())))));
    }
    let argv: Vec<String> = obj
        .extract()
        .map_err(|_| PyTypeError::new_err("post_renderer must be a callable or a list of strings (a program and its arguments)"))?;
    let Some((program, args)) = argv.split_first() else {
        return Err(PyTypeError::new_err("post_renderer: the program is missing"));
    };
    Ok(PostRenderStep(Some(std::sync::Arc::new(helm_kube::post_render::CommandPostRenderer::new(program.clone(), args.to_vec())))))
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
    skip_tests = false, skip_schema_validation = false, post_renderer = None
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
    post_renderer: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyRenderResult> {
    let post_renderer = post_renderer_arg(post_renderer)?;
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
            KubeVersion::parse(v).map_err(|e| to_py_err(py, ApiError::Invalid(format!("invalid kube version '{v}': {e}"))))?,
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
        post_renderer,
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
    m.add_function(wrap_pyfunction!(load_chart, m)?)?;
    m.add_function(wrap_pyfunction!(template, m)?)?;
    let base = py.get_type_bound::<HelmError>();
    // Defaults for exceptions raised without them (class attributes).
    for attr in ["kind", "status", "pending"] {
        base.setattr(attr, py.None())?;
    }
    let render = py.get_type_bound::<RenderError>();
    for attr in ["template", "line", "column"] {
        render.setattr(attr, py.None())?;
    }
    m.add("HelmError", base)?;
    m.add("ChartError", py.get_type_bound::<ChartError>())?;
    m.add("ValuesError", py.get_type_bound::<ValuesError>())?;
    m.add("RenderError", py.get_type_bound::<RenderError>())?;
    m.add("KubeError", py.get_type_bound::<KubeError>())?;
    m.add("ReleaseNotFound", py.get_type_bound::<ReleaseNotFound>())?;
    m.add("ServerError", py.get_type_bound::<ServerError>())?;
    m.add("Forbidden", py.get_type_bound::<Forbidden>())?;
    m.add("ReleaseConflict", py.get_type_bound::<ReleaseConflict>())?;
    m.add("ReleasePending", py.get_type_bound::<ReleasePending>())?;
    m.add("ReleaseTimeout", py.get_type_bound::<ReleaseTimeout>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

// ---- releases: one set of methods for the cluster's client and a release server's

/// A release action's failure as the exception of its kind (the table in `__init__.pyi`),
/// with `.kind`, and from a release server `.status` and `.pending`. Decided on the kind, never
/// on the message; the same kind gives the same class through either client.
fn failure_err(py: Python<'_>, e: ActionFailure) -> PyErr {
    let e = match e {
        ActionFailure::Input(e) => return to_py_err(py, e),
        ActionFailure::Client(e) => e,
    };
    let message = e.to_string();
    let kind = e.kind();
    let err = match kind {
        ErrorKind::InvalidInput => ChartError::new_err(message),
        ErrorKind::NotFound => ReleaseNotFound::new_err(message),
        ErrorKind::NameInUse | ErrorKind::Conflict => ReleaseConflict::new_err(message),
        ErrorKind::Pending => ReleasePending::new_err(message),
        ErrorKind::Unauthorized | ErrorKind::Forbidden => Forbidden::new_err(message),
        ErrorKind::Timeout => ReleaseTimeout::new_err(message),
        ErrorKind::Render => {
            // Where in the chart, as data (helm-core's conversion); None when not a template's.
            render_exception(py, message, e.template_location())
        }
        ErrorKind::Failed | ErrorKind::Cluster | ErrorKind::Unavailable | ErrorKind::Internal => ServerError::new_err(message),
    };
    let (status, pending) = match &e {
        helm_kube::Error::Server { status, pending, .. } => {
            (Some(*status), pending.as_ref().and_then(|p| value_to_py(py, &helm_core::release::record::json_to_core(p)).ok()))
        }
        _ => (None, None),
    };
    with_attrs(py, err, kind, status, pending)
}

/// The runtime every client shares (helm-kube's futures need one; two workers suffice for
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

fn values_input(values: Option<&Bound<'_, PyAny>>, value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>) -> PyResult<ValuesInput> {
    Ok(ValuesInput {
        value_files: value_files.into_iter().map(path_string).collect(),
        values: values.map(py_to_value).transpose()?,
        set,
        set_string,
    })
}

/// The chart argument of install/upgrade: a Chart, a path (loaded or packaged without the
/// GIL, as the client needs it), or a reference the client downloads: `oci://…`, an
/// `http(s)://` chart URL, or a chart name with `repo=URL`.
fn chart_arg(chart: &Bound<'_, PyAny>, version: Option<String>, repo: Option<String>, plain_http: bool) -> PyResult<ChartArg> {
    if let Ok(c) = chart.downcast::<PyChart>() {
        return Ok(ChartArg::Ref(ChartRef::Loaded(c.get().chart.clone())));
    }
    let version = version.unwrap_or_default();
    if let Some(repo_url) = repo {
        let name: String = chart.extract().map_err(|_| PyTypeError::new_err("with repo=, chart is the chart's name (str)"))?;
        return Ok(ChartArg::Ref(ChartRef::Repo { repo_url, name, version }));
    }
    if let Ok(s) = chart.extract::<String>() {
        if s.starts_with("oci://") || s.starts_with("http://") || s.starts_with("https://") {
            return Ok(ChartArg::Ref(ChartRef::Reference { reference: s, version, plain_http }));
        }
    }
    chart
        .extract::<PathBuf>()
        .map(ChartArg::Path)
        .map_err(|_| PyTypeError::new_err("chart must be a Chart, a path, or an oci:// or http(s):// reference"))
}

/// `wait_strategy=`: "watcher" (kstatus, Helm 4's default) or "legacy" (Helm 3's checks).
fn wait_strategy(py: Python<'_>, s: &str) -> PyResult<helm_kube::WaitStrategy> {
    s.parse().map_err(|e| to_py_err(py, ApiError::Invalid(e)))
}

/// Where a NativeClient's actions run.
enum Backend {
    /// On the cluster (helm-kube).
    Local(helm_kube::Client),
    /// Through a release server (`helm-rs serve`), with the caller's Kubernetes token.
    Remote(RemoteClient),
}

/// Runs one of the release functions above on the client's backend without the GIL; its
/// result as Python data.
macro_rules! on_backend {
    ($self:ident, $py:ident, $f:ident($($arg:expr),* $(,)?)) => {{
        let rt = runtime()?;
        let out = $py.allow_threads(|| match &$self.backend {
            Backend::Local(c) => rt.block_on(summary::$f(c, $($arg),*)),
            Backend::Remote(c) => rt.block_on(summary::$f(c, $($arg),*)),
        });
        value_to_py($py, &out.map_err(|e| failure_err($py, e))?)
    }};
}

/// Helm's release actions, on a cluster (`NativeClient(...)`) or through a release server
/// (`NativeClient.remote(url, token)`): the same methods, arguments and results either way.
/// Methods block (without the GIL); `helm_rs.Client`/`RemoteClient` turn their dicts into
/// `Release` objects, `AsyncClient`/`AsyncRemoteClient` run them in threads.
#[pyclass(module = "helm_rs._native", name = "NativeClient", frozen)]
struct PyClient {
    backend: Backend,
}

#[pymethods]
impl PyClient {
    /// `progress`: called with each progress event of an action (a dict with `type`: `hook_started`,
    /// `resource_applied`, `waiting` with `not_ready` and their reasons, `ready`, …) on the
    /// thread that runs the action; what it raises is printed and otherwise ignored.
    #[new]
    #[pyo3(signature = (kubeconfig = None, context = None, namespace = None, driver = "secret", progress = None))]
    fn new(py: Python<'_>, kubeconfig: Option<PathBuf>, context: Option<String>, namespace: Option<String>, driver: &str, progress: Option<PyObject>) -> PyResult<Self> {
        let driver = helm_kube::DriverKind::from_helm_driver(&driver.to_ascii_lowercase()).map_err(|e| to_py_err(py, ApiError::Invalid(e)))?;
        let rt = runtime()?;
        let opts = helm_kube::ClientOptions { kubeconfig, context, namespace, driver, ..Default::default() };
        let mut client = py.allow_threads(|| rt.block_on(helm_kube::Client::new(opts))).map_err(|e| failure_err(py, e.into()))?;
        if let Some(callback) = progress {
            client = client.with_progress(Arc::new(move |ev: helm_kube::ProgressEvent| {
                Python::with_gil(|py| {
                    let called = value_to_py(py, &summary::progress_event(&ev)).and_then(|d| callback.call1(py, (d,)));
                    if let Err(e) = called {
                        e.print(py);
                    }
                })
            }));
        }
        Ok(PyClient { backend: Backend::Local(client) })
    }

    /// A client of the release server at `url` (http:// or https://), acting with `token`.
    #[staticmethod]
    #[pyo3(signature = (url, token, namespace = None))]
    fn remote(py: Python<'_>, url: &str, token: &str, namespace: Option<String>) -> PyResult<Self> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(to_py_err(py, ApiError::Invalid(format!("release server URL must start with http:// or https://, got {url:?}"))));
        }
        // reqwest's client needs the runtime's reactor only when requests run.
        let _guard = runtime()?.enter();
        let client = RemoteClient::new(url, token, namespace.as_deref()).map_err(|e| failure_err(py, e.into()))?;
        Ok(PyClient { backend: Backend::Remote(client) })
    }

    /// The namespace actions default to.
    #[getter]
    fn namespace(&self) -> &str {
        match &self.backend {
            Backend::Local(c) => ReleaseApi::namespace(c),
            Backend::Remote(c) => ReleaseApi::namespace(c),
        }
    }

    #[pyo3(signature = (
        name, chart, values = None, value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(),
        namespace = None, create_namespace = false, wait = false, timeout = None, atomic = false,
        no_hooks = false, skip_crds = false, description = None, dry_run = false,
        version = None, repo = None, plain_http = false, wait_strategy = "watcher", post_renderer = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn install(
        &self, py: Python<'_>, name: String, chart: &Bound<'_, PyAny>, values: Option<&Bound<'_, PyAny>>,
        value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>, namespace: Option<String>,
        create_namespace: bool, wait: bool, timeout: Option<f64>, atomic: bool, no_hooks: bool, skip_crds: bool,
        description: Option<String>, dry_run: bool, version: Option<String>, repo: Option<String>, plain_http: bool,
        wait_strategy: &str, post_renderer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyObject> {
        let wait_strategy = self::wait_strategy(py, wait_strategy)?;
        let post_renderer = post_renderer_arg(post_renderer)?;
        let chart = chart_arg(chart, version, repo, plain_http)?;
        let input = values_input(values, value_files, set, set_string)?;
        let timeout = self::timeout(timeout);
        let opts = InstallOptions { name: Some(name), namespace, create_namespace, wait, wait_strategy, timeout, atomic, no_hooks, skip_crds, description, dry_run, post_renderer, ..Default::default() };
        on_backend!(self, py, install(chart, input, opts))
    }

    #[pyo3(signature = (
        name, chart, values = None, value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(),
        namespace = None, wait = false, timeout = None, atomic = false, no_hooks = false,
        reuse_values = false, reset_values = false, max_history = 0, description = None, dry_run = false,
        install = false, version = None, repo = None, plain_http = false, create_namespace = false, skip_crds = false,
        update_crds = false, wait_strategy = "watcher", post_renderer = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn upgrade(
        &self, py: Python<'_>, name: String, chart: &Bound<'_, PyAny>, values: Option<&Bound<'_, PyAny>>,
        value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>, namespace: Option<String>,
        wait: bool, timeout: Option<f64>, atomic: bool, no_hooks: bool, reuse_values: bool, reset_values: bool,
        max_history: i64, description: Option<String>, dry_run: bool, install: bool, version: Option<String>,
        repo: Option<String>, plain_http: bool, create_namespace: bool, skip_crds: bool, update_crds: bool,
        wait_strategy: &str, post_renderer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyObject> {
        let wait_strategy = self::wait_strategy(py, wait_strategy)?;
        let post_renderer = post_renderer_arg(post_renderer)?;
        let chart = chart_arg(chart, version, repo, plain_http)?;
        let input = values_input(values, value_files, set, set_string)?;
        let timeout = self::timeout(timeout);
        let opts = UpgradeOptions {
            namespace, install, create_namespace, skip_crds, update_crds, wait, wait_strategy, timeout, atomic, no_hooks, reuse_values, reset_values,
            max_history, description, dry_run, post_renderer, ..Default::default()
        };
        on_backend!(self, py, upgrade(name, chart, input, opts))
    }

    /// `upgrade --plan`: what `upgrade` with the same arguments would change, nothing applied
    /// (`install=True`: also for a release not installed yet). A dict: `changes` (each with
    /// `key`, `kind`, `action`, `change`, `old`, `new`, `lines`), `unchanged`,
    /// `suppressed_kinds`, and `notes` when there are any. Secrets are masked.
    #[pyo3(signature = (
        name, chart, values = None, value_files = Vec::new(), set = Vec::new(), set_string = Vec::new(),
        namespace = None, no_hooks = false, reuse_values = false, reset_values = false, install = false,
        version = None, repo = None, plain_http = false, skip_crds = false, force_conflicts = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn plan(
        &self, py: Python<'_>, name: String, chart: &Bound<'_, PyAny>, values: Option<&Bound<'_, PyAny>>,
        value_files: Vec<PathBuf>, set: Vec<String>, set_string: Vec<String>, namespace: Option<String>,
        no_hooks: bool, reuse_values: bool, reset_values: bool, install: bool, version: Option<String>,
        repo: Option<String>, plain_http: bool, skip_crds: bool, force_conflicts: bool,
    ) -> PyResult<PyObject> {
        let chart = chart_arg(chart, version, repo, plain_http)?;
        let input = values_input(values, value_files, set, set_string)?;
        let opts = UpgradeOptions {
            namespace, install, skip_crds, no_hooks, reuse_values, reset_values, force_conflicts, ..Default::default()
        };
        on_backend!(self, py, plan(name, chart, input, opts))
    }

    #[pyo3(signature = (name, revision = 0, namespace = None, wait = false, timeout = None, no_hooks = false, max_history = 0, dry_run = false, wait_strategy = "watcher"))]
    #[allow(clippy::too_many_arguments)]
    fn rollback(
        &self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>, wait: bool, timeout: Option<f64>,
        no_hooks: bool, max_history: i64, dry_run: bool, wait_strategy: &str,
    ) -> PyResult<PyObject> {
        let wait_strategy = self::wait_strategy(py, wait_strategy)?;
        let timeout = self::timeout(timeout);
        let opts = RollbackOptions { namespace, revision, wait, wait_strategy, timeout, no_hooks, max_history, dry_run, ..Default::default() };
        on_backend!(self, py, rollback(name, opts))
    }

    #[pyo3(signature = (name, namespace = None, keep_history = false, wait = false, timeout = None, no_hooks = false, description = None, dry_run = false))]
    #[allow(clippy::too_many_arguments)]
    fn uninstall(
        &self, py: Python<'_>, name: String, namespace: Option<String>, keep_history: bool, wait: bool,
        timeout: Option<f64>, no_hooks: bool, description: Option<String>, dry_run: bool,
    ) -> PyResult<PyObject> {
        let timeout = self::timeout(timeout);
        let opts = UninstallOptions { namespace, keep_history, wait, timeout, no_hooks, description, dry_run, ..Default::default() };
        on_backend!(self, py, uninstall(name, opts))
    }

    #[pyo3(signature = (name, revision = 0, namespace = None))]
    fn status(&self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>) -> PyResult<PyObject> {
        on_backend!(self, py, status(name, revision, namespace))
    }

    #[pyo3(signature = (name, namespace = None))]
    fn history(&self, py: Python<'_>, name: String, namespace: Option<String>) -> PyResult<PyObject> {
        on_backend!(self, py, history(name, namespace))
    }

    #[pyo3(signature = (namespace = None, all_namespaces = false, all = false, filter = None))]
    fn list(&self, py: Python<'_>, namespace: Option<String>, all_namespaces: bool, all: bool, filter: Option<String>) -> PyResult<PyObject> {
        on_backend!(self, py, list(ListOptions { namespace, all_namespaces, all, filter, ..Default::default() }))
    }

    #[pyo3(signature = (name, revision = 0, namespace = None, all = false))]
    fn get_values(&self, py: Python<'_>, name: String, revision: i64, namespace: Option<String>, all: bool) -> PyResult<PyObject> {
        on_backend!(self, py, get_values(name, revision, namespace, all))
    }

    /// `helm test`: runs the release's test hooks; the release with their results.
    #[pyo3(signature = (name, namespace = None, timeout = None))]
    fn test(&self, py: Python<'_>, name: String, namespace: Option<String>, timeout: Option<f64>) -> PyResult<PyObject> {
        on_backend!(self, py, test(name, namespace, self::timeout(timeout)))
    }

    /// `helm-rs recover`: a release left pending by a killed operation, its pending revision
    /// marked failed (refused while younger than `stale_after` seconds, 300 by default, unless
    /// `force`).
    #[pyo3(signature = (name, namespace = None, force = false, stale_after = None))]
    fn recover(&self, py: Python<'_>, name: String, namespace: Option<String>, force: bool, stale_after: Option<f64>) -> PyResult<PyObject> {
        let opts = RecoverOptions { namespace, force, stale_after: self::timeout(stale_after) };
        on_backend!(self, py, recover(name, opts))
    }
}
