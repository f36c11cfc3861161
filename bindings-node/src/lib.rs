//! The native half of the `helm-rs` npm package (index.js is the public face).
//!
//! Only conversion lives here: JS values to helm-core values and options, results and errors
//! back. Every decision (values order, rendering, error kinds, locations) is helm-core's
//! (`helm_core::render::api`). Errors cross as a JSON message (`{"code", "kind", "message",
//! "template", "line", "column", "status", "pending"}`) that index.js turns into an `Error` with those properties, the one form
//! that survives both a synchronous throw and an AsyncTask's rejection.

use helm_core::chart::{self, Chart as CoreChart};
use helm_core::render::api::{self, ApiError, RenderResult, TemplateLocation, ValuesInput};
use helm_core::render::objects::KubeVersion;
use helm_core::render::{ReleaseOptions, TemplateOptions};
use helm_core::values::json;
use helm_core::{Map, Value};
use helm_kube::summary::{self, ActionFailure, ChartArg};
use helm_kube::RemoteClient;
use helm_kube::{ChartRef, ErrorKind, ReleaseApi};
use napi::bindgen_prelude::*;
use std::path::PathBuf;
use napi::threadsafe_function::{ErrorStrategy, ThreadSafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsFunction, JsObject, JsUnknown, ValueType};
use std::sync::Arc;
use napi_derive::napi;

/// An error for index.js: its code (`ChartError`, `RenderError`…), kind (`invalid_input`,
/// `render`…) and Helm's message; where they apply a render error's location and a release
/// server's HTTP status and pending state.
fn helm_error(code: &str, kind: ErrorKind, message: String, location: Option<TemplateLocation>, status: Option<u16>, pending: Option<Value>) -> Error {
    let m = Map::new();
    m.insert("code", Value::str(code));
    m.insert("kind", Value::str(kind.as_str()));
    m.insert("message", Value::str(message));
    if let Some(loc) = location {
        m.insert("template", Value::str(&loc.template));
        m.insert("line", Value::Int64(loc.line as i64));
        if let Some(c) = loc.column {
            m.insert("column", Value::Int64(c as i64));
        }
    }
    if let Some(s) = status {
        m.insert("status", Value::Int64(s as i64));
    }
    if let Some(p) = pending {
        m.insert("pending", p);
    }
    Error::new(Status::GenericFailure, format!("helm-rs:{}", json::to_string(&Value::Map(m))))
}

/// helm-core's error for index.js.
fn api_error(e: ApiError) -> Error {
    match e {
        ApiError::Chart(m) => helm_error("ChartError", ErrorKind::InvalidInput, m, None, None, None),
        ApiError::Values(m) => helm_error("ValuesError", ErrorKind::InvalidInput, m, None, None, None),
        ApiError::Invalid(m) => helm_error("HelmError", ErrorKind::InvalidInput, m, None, None, None),
        ApiError::Render { message, location, .. } => helm_error("RenderError", ErrorKind::Render, message, location, None, None),
        ApiError::PostRender(m) => helm_error("RenderError", ErrorKind::Render, m, None, None, None),
    }
}

/// A JS value as a Go value, as Python's binding does: integral numbers as int64 (like
/// `--set`), others as float64; object keys as map keys.
fn js_to_value(v: JsUnknown) -> Result<Value> {
    Ok(match v.get_type()? {
        ValueType::Null | ValueType::Undefined => Value::Nil,
        ValueType::Boolean => Value::Bool(v.coerce_to_bool()?.get_value()?),
        ValueType::Number => {
            let n = v.coerce_to_number()?.get_double()?;
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
                Value::Int64(n as i64)
            } else {
                Value::Float(n)
            }
        }
        ValueType::String => Value::str(v.coerce_to_string()?.into_utf8()?.as_str()?),
        ValueType::Object => {
            // SAFETY: the type was just checked to be an object.
            let o: JsObject = unsafe { v.cast() };
            if o.is_array()? {
                let len = o.get_array_length()?;
                let mut items = Vec::with_capacity(len as usize);
                for i in 0..len {
                    items.push(js_to_value(o.get_element::<JsUnknown>(i)?)?);
                }
                Value::list(items)
            } else {
                let keys = o.get_property_names()?;
                let m = Map::new();
                for i in 0..keys.get_array_length()? {
                    let key = keys.get_element::<JsUnknown>(i)?.coerce_to_string()?.into_utf8()?.into_owned()?;
                    let val = o.get_named_property::<JsUnknown>(&key)?;
                    m.insert(key, js_to_value(val)?);
                }
                Value::Map(m)
            }
        }
        other => {
            return Err(Error::new(
                Status::InvalidArg,
                format!("cannot use a {other:?} in values (object, array, string, number, boolean or null)"),
            ))
        }
    })
}

/// A Go value as plain JS data.
fn value_to_js(env: &Env, v: &Value) -> Result<JsUnknown> {
    Ok(match v {
        Value::Nil | Value::Object(_) => env.get_null()?.into_unknown(),
        Value::Bool(b) => env.get_boolean(*b)?.into_unknown(),
        Value::Int(i) | Value::Int64(i) => env.create_int64(*i)?.into_unknown(),
        Value::Uint(u) => env.create_double(*u as f64)?.into_unknown(),
        Value::Float(f) => env.create_double(*f)?.into_unknown(),
        Value::String(s) => env.create_string(s)?.into_unknown(),
        Value::Bytes(b) => env.create_buffer_with_data(b.to_vec())?.into_raw().into_unknown(),
        Value::List(items) => {
            let mut a = env.create_array_with_length(items.len())?;
            for (i, item) in items.iter().enumerate() {
                a.set_element(i as u32, value_to_js(env, item)?)?;
            }
            a.into_unknown()
        }
        Value::Map(m) => {
            let mut o = env.create_object()?;
            for (k, val) in m.entries() {
                o.set_named_property(&k, value_to_js(env, &val)?)?;
            }
            o.into_unknown()
        }
    })
}

/// A loaded chart (directory or `.tgz`), with its subcharts.
// The Rust name is the JS name: napi v2 looks the constructor up by the struct's name in some
// paths, so a `js_name` that differs breaks `Chart` objects returned to JS.
#[napi]
pub struct Chart {
    chart: CoreChart,
}

#[napi]
impl Chart {
    /// Chart.yaml `name`.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.chart.metadata.name.clone()
    }
    /// Chart.yaml `version`.
    #[napi(getter)]
    pub fn version(&self) -> String {
        self.chart.metadata.version.clone()
    }
    /// Chart.yaml `appVersion` (empty when absent).
    #[napi(getter)]
    pub fn app_version(&self) -> String {
        self.chart.metadata.app_version.clone()
    }
    /// values.yaml as an object.
    #[napi(getter)]
    pub fn values(&self, env: Env) -> Result<JsUnknown> {
        value_to_js(&env, &self.chart.values)
    }
    /// Chart.yaml `dependencies` (name, version, repository, condition, alias, …).
    #[napi(getter)]
    pub fn dependencies(&self, env: Env) -> Result<JsUnknown> {
        let meta = self.chart.metadata.to_json_value();
        let deps = meta.as_map().and_then(|m| m.get("dependencies")).unwrap_or_else(|| Value::list(vec![]));
        value_to_js(&env, &deps)
    }
    /// Chart.yaml with its JSON keys (`apiVersion`, `appVersion`, …), only set fields.
    #[napi(getter)]
    pub fn metadata(&self, env: Env) -> Result<JsUnknown> {
        value_to_js(&env, &self.chart.metadata.to_json_value())
    }
    /// Names of the subcharts loaded from `charts/`.
    #[napi(getter)]
    pub fn subcharts(&self) -> Vec<String> {
        self.chart.dependencies.iter().map(|c| c.metadata.name.clone()).collect()
    }
}

/// `template` options (index.d.ts documents them).
#[napi(object)]
pub struct NativeTemplateOptions {
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    pub value_files: Option<Vec<String>>,
    pub set: Option<Vec<String>>,
    pub set_string: Option<Vec<String>>,
    pub kube_version: Option<String>,
    pub api_versions: Option<Vec<String>>,
    pub include_crds: Option<bool>,
    pub is_upgrade: Option<bool>,
    pub no_hooks: Option<bool>,
    pub skip_tests: Option<bool>,
    pub skip_schema_validation: Option<bool>,
    /// A program and its arguments that rewrites the rendered stream (stdin to stdout).
    pub post_renderer: Option<Vec<String>>,
}

/// `postRenderer`: a program and its arguments, reading the rendered stream on standard input
/// and printing the stream to use.
fn post_renderer_of(argv: Option<Vec<String>>) -> std::result::Result<helm_core::render::PostRenderStep, ApiError> {
    use helm_core::render::PostRenderStep;
    match argv {
        None => Ok(PostRenderStep::default()),
        Some(argv) => match argv.split_first() {
            None => Err(ApiError::Invalid("postRenderer: the program is missing".into())),
            Some((program, args)) => Ok(PostRenderStep(Some(std::sync::Arc::new(
                helm_kube::post_render::CommandPostRenderer::new(program.clone(), args.to_vec()),
            )))),
        },
    }
}

#[napi(object)]
pub struct RenderedManifest {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub content: String,
}

#[napi(object)]
pub struct RenderedHook {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub content: String,
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
}

#[napi(object)]
pub struct TemplateResult {
    /// Exactly `helm template`'s standard output.
    pub manifest: String,
    pub manifests: Vec<RenderedManifest>,
    pub hooks: Vec<RenderedHook>,
    pub notes: String,
    pub log: Vec<String>,
}

fn result_to_js(r: RenderResult) -> TemplateResult {
    TemplateResult {
        manifest: r.manifest,
        manifests: r
            .manifests
            .into_iter()
            .map(|m| RenderedManifest { name: m.name, kind: m.kind, path: m.path, content: m.content })
            .collect(),
        hooks: r
            .hooks
            .into_iter()
            .map(|h| RenderedHook {
                name: h.name,
                kind: h.kind,
                path: h.path,
                content: h.content,
                events: h.events,
                weight: h.weight,
                delete_policies: h.delete_policies,
            })
            .collect(),
        notes: r.notes,
        log: r.log,
    }
}

/// What one render needs, gathered on the JS thread so it can run on another.
pub struct RenderJob {
    chart: std::result::Result<CoreChart, String>,
    input: ValuesInput,
    opts: std::result::Result<TemplateOptions, ApiError>,
}

impl RenderJob {
    fn new(chart: std::result::Result<CoreChart, String>, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<Self> {
        let o = opts.unwrap_or(NativeTemplateOptions {
            release_name: None,
            namespace: None,
            value_files: None,
            set: None,
            set_string: None,
            kube_version: None,
            api_versions: None,
            include_crds: None,
            is_upgrade: None,
            no_hooks: None,
            skip_tests: None,
            skip_schema_validation: None,
            post_renderer: None,
        });
        let input = ValuesInput {
            value_files: o.value_files.unwrap_or_default(),
            values: values.map(js_to_value).transpose()?,
            set: o.set.unwrap_or_default(),
            set_string: o.set_string.unwrap_or_default(),
        };
        let kube_version = match &o.kube_version {
            Some(v) => KubeVersion::parse(v).map(Some).map_err(|e| ApiError::Invalid(format!("invalid kube version '{v}': {e}"))),
            None => Ok(None),
        };
        let is_upgrade = o.is_upgrade.unwrap_or(false);
        let post_renderer = post_renderer_of(o.post_renderer);
        let opts = kube_version.and_then(|kube_version| Ok(TemplateOptions {
            release: ReleaseOptions {
                name: o.release_name.unwrap_or_else(|| "release-name".into()),
                namespace: o.namespace.unwrap_or_else(|| "default".into()),
                revision: 1,
                is_upgrade,
                is_install: !is_upgrade,
            },
            kube_version,
            api_versions: o.api_versions.unwrap_or_default(),
            include_crds: o.include_crds.unwrap_or(false),
            no_hooks: o.no_hooks.unwrap_or(false),
            skip_tests: o.skip_tests.unwrap_or(false),
            skip_schema_validation: o.skip_schema_validation.unwrap_or(false),
            post_renderer: post_renderer?,
            ..Default::default()
        }));
        Ok(RenderJob { chart, input, opts })
    }

    fn run(self) -> std::result::Result<RenderResult, ApiError> {
        let opts = self.opts?;
        let chart = match self.chart {
            Ok(c) => c,
            Err(path) => chart::load(std::path::Path::new(&path))?,
        };
        let vals = self.input.merge()?;
        api::render_release(chart, &vals, &opts)
    }
}

/// Loads a chart from a directory or a `.tgz` archive.
#[napi]
pub fn load_chart(path: String) -> Result<Chart> {
    chart::load(std::path::Path::new(&path)).map(|chart| Chart { chart }).map_err(|e| api_error(e.into()))
}

/// Renders a loaded chart on the calling thread.
#[napi]
pub fn template_chart(chart: &Chart, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<TemplateResult> {
    RenderJob::new(Ok(chart.chart.clone()), opts, values)?.run().map(result_to_js).map_err(api_error)
}

/// Loads and renders the chart at `path` on the calling thread.
#[napi]
pub fn template_path(path: String, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<TemplateResult> {
    RenderJob::new(Err(path), opts, values)?.run().map(result_to_js).map_err(api_error)
}

/// A render on libuv's thread pool.
pub struct RenderTask(Option<RenderJob>);

impl Task for RenderTask {
    type Output = RenderResult;
    type JsValue = TemplateResult;

    fn compute(&mut self) -> Result<Self::Output> {
        match self.0.take() {
            Some(job) => job.run().map_err(api_error),
            None => Err(Error::new(Status::GenericFailure, "render task ran twice")),
        }
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(result_to_js(output))
    }
}

/// `template_chart` off the main thread; resolves to the same result.
#[napi(ts_return_type = "Promise<TemplateResult>")]
pub fn template_chart_async(chart: &Chart, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<RenderTask>> {
    Ok(AsyncTask::new(RenderTask(Some(RenderJob::new(Ok(chart.chart.clone()), opts, values)?))))
}

/// `template_path` off the main thread.
#[napi(ts_return_type = "Promise<TemplateResult>")]
pub fn template_path_async(path: String, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<RenderTask>> {
    Ok(AsyncTask::new(RenderTask(Some(RenderJob::new(Err(path), opts, values)?))))
}

// ---- releases: one set of methods for the cluster's client and a release server's

/// A release action's failure for index.js: the code of its kind (index.d.ts has the table),
/// the kind, Helm's message, and from a release server its HTTP `status` and `pending` state.
/// Decided on the kind, never on the message; the same kind gives the same code through
/// either client.
fn failure_error(e: ActionFailure) -> Error {
    let e = match e {
        ActionFailure::Input(e) => return api_error(e),
        ActionFailure::Client(e) => e,
    };
    let kind = e.kind();
    let code = match kind {
        ErrorKind::InvalidInput => "ChartError",
        ErrorKind::NotFound => "ReleaseNotFound",
        ErrorKind::Render => "RenderError",
        _ => "KubeError",
    };
    // A render error's location, as data (helm-core's conversion).
    let location = e.template_location();
    let (status, pending) = match &e {
        helm_kube::Error::Server { status, pending, .. } => (Some(*status), pending.as_ref().map(helm_core::release::record::json_to_core)),
        _ => (None, None),
    };
    helm_error(code, kind, e.to_string(), location, status, pending)
}

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RT: std::sync::OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = std::sync::OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::new(Status::GenericFailure, format!("cannot start the async runtime: {e}")))
}

type Job = Box<dyn FnOnce() -> std::result::Result<Value, ActionFailure> + Send>;

/// One release action on libuv's thread pool, resolving to plain JS data.
pub struct KubeTask(Option<Job>);

impl Task for KubeTask {
    type Output = Value;
    type JsValue = JsUnknown;

    fn compute(&mut self) -> Result<Self::Output> {
        match self.0.take() {
            Some(job) => job().map_err(failure_error),
            None => Err(Error::new(Status::GenericFailure, "task ran twice")),
        }
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        value_to_js(&env, &output)
    }
}

#[napi(object)]
pub struct ClientOptions {
    pub kubeconfig: Option<String>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    /// `secret` (default) or `configmap`.
    pub driver: Option<String>,
}

#[napi(object)]
pub struct RemoteClientOptions {
    /// `http(s)://host:port` of the release server.
    pub url: String,
    /// The caller's Kubernetes bearer token.
    pub token: String,
    pub namespace: Option<String>,
}

/// install/upgrade options (index.d.ts documents them).
#[napi(object)]
#[derive(Default)]
pub struct InstallOptions {
    pub value_files: Option<Vec<String>>,
    pub set: Option<Vec<String>>,
    pub set_string: Option<Vec<String>>,
    pub namespace: Option<String>,
    pub create_namespace: Option<bool>,
    pub wait: Option<bool>,
    /// Seconds.
    pub timeout: Option<f64>,
    pub atomic: Option<bool>,
    pub no_hooks: Option<bool>,
    pub skip_crds: Option<bool>,
    pub description: Option<String>,
    pub dry_run: Option<bool>,
    pub reuse_values: Option<bool>,
    pub reset_values: Option<bool>,
    pub max_history: Option<i64>,
    /// upgrade: apply the chart's `crds/` too (helm-rs only).
    pub update_crds: Option<bool>,
    /// upgrade: `upgrade --install`.
    pub install: Option<bool>,
    /// `wait`: "watcher" (kstatus, Helm 4's default) or "legacy" (Helm 3's checks).
    pub wait_strategy: Option<String>,
    /// `plan` only: plan as an upgrade that takes over fields other managers own.
    pub force_conflicts: Option<bool>,
    /// install/upgrade: a program and its arguments that rewrites the rendered stream.
    pub post_renderer: Option<Vec<String>>,
}

/// The options of the other actions (index.d.ts documents which applies where).
#[napi(object)]
#[derive(Default)]
pub struct ActionOptions {
    pub namespace: Option<String>,
    pub revision: Option<i64>,
    pub wait: Option<bool>,
    /// rollback: "watcher" (the default) or "legacy", as for install.
    pub wait_strategy: Option<String>,
    pub timeout: Option<f64>,
    pub no_hooks: Option<bool>,
    pub max_history: Option<i64>,
    pub dry_run: Option<bool>,
    pub keep_history: Option<bool>,
    pub description: Option<String>,
    pub all: Option<bool>,
    pub all_namespaces: Option<bool>,
    pub filter: Option<String>,
    /// `recover`: even when the pending revision is younger than `stale_after`.
    pub force: Option<bool>,
    /// `recover`: seconds a pending revision must be old to be taken as abandoned (300).
    pub stale_after: Option<f64>,
}

/// Where install/upgrade get a chart that is not a loaded Chart: a local path, or a reference
/// the client downloads (the cluster's client itself, a release server on its side).
#[napi(object)]
pub struct ChartSourceSpec {
    pub path: Option<String>,
    /// `oci://…` or an `http(s)://` chart URL.
    pub reference: Option<String>,
    /// With `name`: `helm install --repo URL NAME`.
    pub repo_url: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub plain_http: Option<bool>,
}

fn seconds(s: Option<f64>) -> Option<std::time::Duration> {
    s.filter(|s| *s >= 0.0 && s.is_finite()).map(std::time::Duration::from_secs_f64)
}

fn values_of(o: &InstallOptions, values: Option<JsUnknown>) -> Result<ValuesInput> {
    Ok(ValuesInput {
        value_files: o.value_files.clone().unwrap_or_default(),
        values: values.map(js_to_value).transpose()?,
        set: o.set.clone().unwrap_or_default(),
        set_string: o.set_string.clone().unwrap_or_default(),
    })
}

/// `waitStrategy`: "watcher" (the default) or "legacy".
fn wait_strategy(s: &Option<String>) -> Result<helm_kube::WaitStrategy> {
    s.as_deref().unwrap_or("watcher").parse().map_err(|e| api_error(ApiError::Invalid(e)))
}

fn install_opts(name: String, o: InstallOptions) -> Result<helm_kube::InstallOptions> {
    Ok(helm_kube::InstallOptions {
        name: Some(name),
        namespace: o.namespace,
        create_namespace: o.create_namespace.unwrap_or(false),
        wait: o.wait.unwrap_or(false),
        wait_strategy: wait_strategy(&o.wait_strategy)?,
        timeout: seconds(o.timeout),
        atomic: o.atomic.unwrap_or(false),
        no_hooks: o.no_hooks.unwrap_or(false),
        skip_crds: o.skip_crds.unwrap_or(false),
        description: o.description,
        dry_run: o.dry_run.unwrap_or(false),
        post_renderer: post_renderer_of(o.post_renderer).map_err(api_error)?,
        ..Default::default()
    })
}

fn upgrade_opts(o: InstallOptions) -> Result<helm_kube::UpgradeOptions> {
    Ok(helm_kube::UpgradeOptions {
        namespace: o.namespace,
        install: o.install.unwrap_or(false),
        create_namespace: o.create_namespace.unwrap_or(false),
        skip_crds: o.skip_crds.unwrap_or(false),
        wait: o.wait.unwrap_or(false),
        wait_strategy: wait_strategy(&o.wait_strategy)?,
        timeout: seconds(o.timeout),
        atomic: o.atomic.unwrap_or(false),
        no_hooks: o.no_hooks.unwrap_or(false),
        reuse_values: o.reuse_values.unwrap_or(false),
        reset_values: o.reset_values.unwrap_or(false),
        max_history: o.max_history.unwrap_or(0),
        update_crds: o.update_crds.unwrap_or(false),
        force_conflicts: o.force_conflicts.unwrap_or(false),
        description: o.description,
        dry_run: o.dry_run.unwrap_or(false),
        post_renderer: post_renderer_of(o.post_renderer).map_err(api_error)?,
        ..Default::default()
    })
}

/// The chart of install/upgrade: a path (loaded or packaged on the pool thread, as the client
/// needs it) or a reference.
fn chart_arg(spec: ChartSourceSpec) -> ChartArg {
    let version = spec.version.unwrap_or_default();
    match (spec.repo_url, spec.reference) {
        (Some(repo_url), _) => ChartArg::Ref(ChartRef::Repo { repo_url, name: spec.name.unwrap_or_default(), version }),
        (None, Some(reference)) => ChartArg::Ref(ChartRef::Reference { reference, version, plain_http: spec.plain_http.unwrap_or(false) }),
        (None, None) => ChartArg::Path(PathBuf::from(spec.path.unwrap_or_default())),
    }
}

// The release actions for index.js: its option objects mapped to the release API's, then
// the same calls as every binding (`helm_kube::summary`).

type Out = summary::Answer;

async fn rollback<C: ReleaseApi>(c: &C, name: String, o: ActionOptions) -> Out {
    let wait_strategy = o.wait_strategy.as_deref().unwrap_or("watcher").parse().map_err(ApiError::Invalid)?;
    let opts = helm_kube::RollbackOptions {
        namespace: o.namespace,
        revision: o.revision.unwrap_or(0),
        wait: o.wait.unwrap_or(false),
        wait_strategy,
        timeout: seconds(o.timeout),
        no_hooks: o.no_hooks.unwrap_or(false),
        max_history: o.max_history.unwrap_or(0),
        dry_run: o.dry_run.unwrap_or(false),
        ..Default::default()
    };
    summary::rollback(c, name, opts).await
}

async fn uninstall<C: ReleaseApi>(c: &C, name: String, o: ActionOptions) -> Out {
    let opts = helm_kube::UninstallOptions {
        namespace: o.namespace,
        keep_history: o.keep_history.unwrap_or(false),
        wait: o.wait.unwrap_or(false),
        timeout: seconds(o.timeout),
        no_hooks: o.no_hooks.unwrap_or(false),
        description: o.description,
        dry_run: o.dry_run.unwrap_or(false),
        ..Default::default()
    };
    summary::uninstall(c, name, opts).await
}

async fn status<C: ReleaseApi>(c: &C, name: String, o: ActionOptions) -> Out {
    summary::status(c, name, o.revision.unwrap_or(0), o.namespace).await
}

async fn history<C: ReleaseApi>(c: &C, name: String, o: ActionOptions) -> Out {
    summary::history(c, name, o.namespace).await
}

async fn list<C: ReleaseApi>(c: &C, o: ActionOptions) -> Out {
    let opts = helm_kube::ListOptions {
        namespace: o.namespace,
        all_namespaces: o.all_namespaces.unwrap_or(false),
        all: o.all.unwrap_or(false),
        filter: o.filter,
        ..Default::default()
    };
    summary::list(c, opts).await
}

async fn get_values<C: ReleaseApi>(c: &C, name: String, o: ActionOptions) -> Out {
    summary::get_values(c, name, o.revision.unwrap_or(0), o.namespace, o.all.unwrap_or(false)).await
}

async fn test<C: ReleaseApi>(c: &C, name: String, o: ActionOptions) -> Out {
    summary::test(c, name, o.namespace, seconds(o.timeout)).await
}

async fn recover<C: ReleaseApi>(c: &C, name: String, o: ActionOptions) -> Out {
    let opts = helm_kube::RecoverOptions { namespace: o.namespace, force: o.force.unwrap_or(false), stale_after: seconds(o.stale_after) };
    summary::recover(c, name, opts).await
}

/// Where a NativeClient's actions run.
#[derive(Clone)]
enum Backend {
    /// On the cluster (helm-kube).
    Local(helm_kube::Client),
    /// Through a release server (`helm-rs serve`), with the caller's Kubernetes token.
    Remote(RemoteClient),
}

/// Runs one of the release functions above on the client's backend, on libuv's pool.
macro_rules! on_backend {
    ($self:ident, $f:path, ($($arg:expr),* $(,)?)) => {{
        let (backend, rt) = ($self.backend.clone(), runtime()?);
        let job: Job = Box::new(move || match &backend {
            Backend::Local(c) => rt.block_on($f(c, $($arg),*)),
            Backend::Remote(c) => rt.block_on($f(c, $($arg),*)),
        });
        Ok(AsyncTask::new(KubeTask(Some(job))))
    }};
}

/// Helm's release actions, on a cluster (`new NativeClient(...)`) or through a release server
/// (`NativeClient.remote(...)`): the same methods, arguments, results and errors either way.
/// Every method returns a Promise; index.js wraps this class as `Client` and `RemoteClient`.
/// `installSource`/`upgradeSource` take a path or reference instead of a loaded Chart.
#[napi]
pub struct NativeClient {
    backend: Backend,
}

#[napi]
impl NativeClient {
    /// `progress`: called on the JavaScript thread with each progress event of an action as
    /// JSON text (index.js parses it for the user's callback); it does not keep Node running.
    #[napi(constructor)]
    pub fn new(env: Env, opts: Option<ClientOptions>, progress: Option<JsFunction>) -> Result<Self> {
        let o = opts.unwrap_or(ClientOptions { kubeconfig: None, context: None, namespace: None, driver: None });
        let driver = helm_kube::DriverKind::from_helm_driver(&o.driver.as_deref().unwrap_or("secret").to_ascii_lowercase()).map_err(|e| api_error(ApiError::Invalid(e)))?;
        let opts = helm_kube::ClientOptions { kubeconfig: o.kubeconfig.map(Into::into), context: o.context, namespace: o.namespace, driver, ..Default::default() };
        // Loads the kubeconfig only: no request is made here.
        let mut client = runtime()?.block_on(helm_kube::Client::new(opts)).map_err(|e| failure_error(e.into()))?;
        if let Some(callback) = progress {
            let mut tsfn: ThreadsafeFunction<String, ErrorStrategy::Fatal> =
                callback.create_threadsafe_function(0, |ctx: ThreadSafeCallContext<String>| ctx.env.create_string(&ctx.value).map(|s| vec![s]))?;
            tsfn.unref(&env)?;
            client = client.with_progress(Arc::new(move |ev: helm_kube::ProgressEvent| {
                tsfn.call(json::to_string(&summary::progress_event(&ev)), ThreadsafeFunctionCallMode::NonBlocking);
            }));
        }
        Ok(NativeClient { backend: Backend::Local(client) })
    }

    /// A client of a release server, acting with the caller's token.
    #[napi(factory)]
    pub fn remote(opts: RemoteClientOptions) -> Result<Self> {
        if !(opts.url.starts_with("http://") || opts.url.starts_with("https://")) {
            return Err(api_error(ApiError::Invalid(format!("release server URL must start with http:// or https://, got {:?}", opts.url))));
        }
        let _guard = runtime()?.enter();
        let client = RemoteClient::new(&opts.url, &opts.token, opts.namespace.as_deref()).map_err(|e| failure_error(e.into()))?;
        Ok(NativeClient { backend: Backend::Remote(client) })
    }

    #[napi(getter)]
    pub fn namespace(&self) -> String {
        match &self.backend {
            Backend::Local(c) => ReleaseApi::namespace(c).to_string(),
            Backend::Remote(c) => ReleaseApi::namespace(c).to_string(),
        }
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn install(&self, name: String, chart: &Chart, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.install_chart(name, ChartArg::Ref(ChartRef::Loaded(chart.chart.clone())), opts, values)
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn install_source(&self, name: String, source: ChartSourceSpec, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.install_chart(name, chart_arg(source), opts, values)
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn upgrade(&self, name: String, chart: &Chart, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.upgrade_chart(name, ChartArg::Ref(ChartRef::Loaded(chart.chart.clone())), opts, values)
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn upgrade_source(&self, name: String, source: ChartSourceSpec, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.upgrade_chart(name, chart_arg(source), opts, values)
    }

    /// `upgrade --plan`: what `upgrade` with the same arguments would change; nothing applied.
    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn plan(&self, name: String, chart: &Chart, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.plan_chart(name, ChartArg::Ref(ChartRef::Loaded(chart.chart.clone())), opts, values)
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn plan_source(&self, name: String, source: ChartSourceSpec, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.plan_chart(name, chart_arg(source), opts, values)
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn rollback(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, rollback, (name, opts.unwrap_or_default()))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn uninstall(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, uninstall, (name, opts.unwrap_or_default()))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn status(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, status, (name, opts.unwrap_or_default()))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn history(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, history, (name, opts.unwrap_or_default()))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn list(&self, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, list, (opts.unwrap_or_default()))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn get_values(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, get_values, (name, opts.unwrap_or_default()))
    }

    /// `helm test`: runs the release's test hooks (`namespace`, `timeout` apply).
    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn test(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, test, (name, opts.unwrap_or_default()))
    }

    /// `helm-rs recover`: a release left pending by a killed operation gets that revision
    /// marked failed (`namespace`, `force`, `staleAfter` apply).
    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn recover(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        on_backend!(self, recover, (name, opts.unwrap_or_default()))
    }
}

impl NativeClient {
    fn install_chart(&self, name: String, chart: ChartArg, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_default();
        let input = values_of(&o, values)?;
        let opts = install_opts(name, o)?;
        on_backend!(self, summary::install, (chart, input, opts))
    }

    fn upgrade_chart(&self, name: String, chart: ChartArg, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_default();
        let input = values_of(&o, values)?;
        let opts = upgrade_opts(o)?;
        on_backend!(self, summary::upgrade, (name, chart, input, opts))
    }

    fn plan_chart(&self, name: String, chart: ChartArg, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_default();
        let input = values_of(&o, values)?;
        let opts = upgrade_opts(o)?;
        on_backend!(self, summary::plan, (name, chart, input, opts))
    }
}
