//! The native half of the `helm-rs` npm package (index.js is the public face).
//!
//! Only conversion lives here: JS values to helm-core values and options, results and errors
//! back. Every decision (values order, rendering, error kinds, locations) is helm-core's
//! (`helm_core::render::api`). Errors cross as a JSON message (`{"code", "message", "template",
//! "line", "column"}`) that index.js turns into an `Error` with those properties, the one form
//! that survives both a synchronous throw and an AsyncTask's rejection.

use helm_core::chart::{self, Chart as CoreChart};
use helm_core::release::release_summary;
use helm_core::render::api::{self, ApiError, RenderResult, ValuesInput};
use helm_core::render::objects::KubeVersion;
use helm_core::render::{ReleaseOptions, TemplateOptions};
use helm_core::values::json;
use helm_core::{Map, Value};
use napi::bindgen_prelude::*;
use napi::{Env, JsObject, JsUnknown, ValueType};
use napi_derive::napi;

/// An error for index.js: the kind (`ChartError`, `RenderError`…) and Helm's message.
fn api_error(e: ApiError) -> Error {
    let m = Map::new();
    let (code, message) = match &e {
        ApiError::Chart(m) => ("ChartError", m.clone()),
        ApiError::Values(m) => ("ValuesError", m.clone()),
        ApiError::Invalid(m) => ("HelmError", m.clone()),
        ApiError::Render { message, .. } => ("RenderError", message.clone()),
    };
    m.insert("code", Value::str(code));
    m.insert("message", Value::str(message));
    if let ApiError::Render { location: Some(loc), .. } = &e {
        m.insert("template", Value::str(&loc.template));
        m.insert("line", Value::Int64(loc.line as i64));
        if let Some(c) = loc.column {
            m.insert("column", Value::Int64(c as i64));
        }
    }
    Error::new(Status::GenericFailure, format!("helm-rs:{}", json::to_string(&Value::Map(m))))
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
        let opts = kube_version.map(|kube_version| TemplateOptions {
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
            ..Default::default()
        });
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

// ---- releases on a cluster (helm-kube)

/// Either failure of a cluster action: bad input (chart, values) or the cluster's.
enum ActionError {
    Input(ApiError),
    Kube(helm_kube::Error),
    /// A release server's refusal (RemoteClient).
    Remote(helm_kube::server::RemoteError),
}

impl From<ApiError> for ActionError {
    fn from(e: ApiError) -> Self {
        ActionError::Input(e)
    }
}
impl From<helm_kube::Error> for ActionError {
    fn from(e: helm_kube::Error) -> Self {
        match e {
            helm_kube::Error::Render(r) => ActionError::Input(ApiError::from(r)),
            e => ActionError::Kube(e),
        }
    }
}

fn action_error(e: ActionError) -> Error {
    use helm_core::release::StorageError;
    match e {
        ActionError::Input(e) => api_error(e),
        ActionError::Remote(e) => remote_error(e),
        ActionError::Kube(e) => {
            let not_found = matches!(e, helm_kube::Error::Storage(StorageError::NotFound)) || e.to_string().ends_with("release: not found");
            let m = Map::new();
            m.insert("code", Value::str(if not_found { "ReleaseNotFound" } else { "KubeError" }));
            m.insert("message", Value::str(e.to_string()));
            Error::new(Status::GenericFailure, format!("helm-rs:{}", json::to_string(&Value::Map(m))))
        }
    }
}

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RT: std::sync::OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = std::sync::OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::new(Status::GenericFailure, format!("cannot start the async runtime: {e}")))
}

type Job = Box<dyn FnOnce() -> std::result::Result<Value, ActionError> + Send>;

/// One cluster action on libuv's thread pool, resolving to plain JS data.
pub struct KubeTask(Option<Job>);

impl Task for KubeTask {
    type Output = Value;
    type JsValue = JsUnknown;

    fn compute(&mut self) -> Result<Self::Output> {
        match self.0.take() {
            Some(job) => job().map_err(action_error),
            None => Err(Error::new(Status::GenericFailure, "task ran twice")),
        }
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        value_to_js(&env, &output)
    }
}

fn task(job: impl FnOnce() -> std::result::Result<Value, ActionError> + Send + 'static) -> AsyncTask<KubeTask> {
    AsyncTask::new(KubeTask(Some(Box::new(job))))
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
}

#[napi(object)]
pub struct ActionOptions {
    pub namespace: Option<String>,
    pub revision: Option<i64>,
    pub wait: Option<bool>,
    pub timeout: Option<f64>,
    pub no_hooks: Option<bool>,
    pub max_history: Option<i64>,
    pub dry_run: Option<bool>,
    pub keep_history: Option<bool>,
    pub description: Option<String>,
    pub all: Option<bool>,
    pub all_namespaces: Option<bool>,
    pub filter: Option<String>,
}

fn seconds(s: Option<f64>) -> Option<std::time::Duration> {
    s.filter(|s| *s >= 0.0 && s.is_finite()).map(std::time::Duration::from_secs_f64)
}

fn release(rel: &helm_core::release::Release) -> Value {
    release_summary(rel)
}

/// Releases on one cluster; every method returns a Promise (index.js wraps this class).
#[napi]
pub struct NativeClient {
    client: helm_kube::Client,
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(opts: Option<ClientOptions>) -> Result<Self> {
        let o = opts.unwrap_or(ClientOptions { kubeconfig: None, context: None, namespace: None, driver: None });
        let driver = match o.driver.as_deref().unwrap_or("secret").to_ascii_lowercase().as_str() {
            "secret" | "secrets" | "" => helm_kube::DriverKind::Secret,
            "configmap" | "configmaps" => helm_kube::DriverKind::ConfigMap,
            other => return Err(api_error(ApiError::Invalid(format!("unknown driver {other:?} (secret or configmap)")))),
        };
        let opts = helm_kube::ClientOptions { kubeconfig: o.kubeconfig.map(Into::into), context: o.context, namespace: o.namespace, driver };
        // Loads the kubeconfig only: no request is made here.
        let client = runtime()?.block_on(helm_kube::Client::new(opts)).map_err(|e| action_error(e.into()))?;
        Ok(NativeClient { client })
    }

    #[napi(getter)]
    pub fn namespace(&self) -> String {
        self.client.namespace().to_string()
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn install(&self, name: String, chart: &Chart, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_install);
        let input = ValuesInput {
            value_files: o.value_files.clone().unwrap_or_default(),
            values: values.map(js_to_value).transpose()?,
            set: o.set.clone().unwrap_or_default(),
            set_string: o.set_string.clone().unwrap_or_default(),
        };
        let kopts = helm_kube::InstallOptions {
            name: Some(name),
            namespace: o.namespace,
            create_namespace: o.create_namespace.unwrap_or(false),
            wait: o.wait.unwrap_or(false),
            timeout: seconds(o.timeout),
            atomic: o.atomic.unwrap_or(false),
            no_hooks: o.no_hooks.unwrap_or(false),
            skip_crds: o.skip_crds.unwrap_or(false),
            description: o.description,
            dry_run: o.dry_run.unwrap_or(false),
            ..Default::default()
        };
        let (client, chart, rt) = (self.client.clone(), chart.chart.clone(), runtime()?);
        Ok(task(move || {
            let vals = input.merge()?;
            Ok(release(&rt.block_on(client.install(chart, &vals, kopts))?))
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn upgrade(&self, name: String, chart: &Chart, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_install);
        let input = ValuesInput {
            value_files: o.value_files.clone().unwrap_or_default(),
            values: values.map(js_to_value).transpose()?,
            set: o.set.clone().unwrap_or_default(),
            set_string: o.set_string.clone().unwrap_or_default(),
        };
        let kopts = helm_kube::UpgradeOptions {
            namespace: o.namespace,
            wait: o.wait.unwrap_or(false),
            timeout: seconds(o.timeout),
            atomic: o.atomic.unwrap_or(false),
            no_hooks: o.no_hooks.unwrap_or(false),
            reuse_values: o.reuse_values.unwrap_or(false),
            reset_values: o.reset_values.unwrap_or(false),
            max_history: o.max_history.unwrap_or(0),
            description: o.description,
            dry_run: o.dry_run.unwrap_or(false),
            ..Default::default()
        };
        let (client, chart, rt) = (self.client.clone(), chart.chart.clone(), runtime()?);
        Ok(task(move || {
            let vals = input.merge()?;
            Ok(release(&rt.block_on(client.upgrade(&name, chart, &vals, kopts))?))
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn rollback(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let kopts = helm_kube::RollbackOptions {
            namespace: o.namespace,
            revision: o.revision.unwrap_or(0),
            wait: o.wait.unwrap_or(false),
            timeout: seconds(o.timeout),
            no_hooks: o.no_hooks.unwrap_or(false),
            max_history: o.max_history.unwrap_or(0),
            dry_run: o.dry_run.unwrap_or(false),
            ..Default::default()
        };
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || Ok(release(&rt.block_on(client.rollback(&name, kopts))?))))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn uninstall(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let kopts = helm_kube::UninstallOptions {
            namespace: o.namespace,
            keep_history: o.keep_history.unwrap_or(false),
            wait: o.wait.unwrap_or(false),
            timeout: seconds(o.timeout),
            no_hooks: o.no_hooks.unwrap_or(false),
            description: o.description,
            dry_run: o.dry_run.unwrap_or(false),
            ..Default::default()
        };
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let res = rt.block_on(client.uninstall(&name, kopts))?;
            let summary = release(&res.release);
            if let Some(m) = summary.as_map() {
                m.insert("kept", Value::list(res.kept.iter().map(Value::str).collect()));
            }
            Ok(summary)
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn status(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || Ok(release(&rt.block_on(client.get_release(&name, o.namespace.as_deref(), o.revision.unwrap_or(0)))?))))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn history(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let rels = rt.block_on(client.history(&name, o.namespace.as_deref()))?;
            Ok(Value::list(rels.iter().map(release).collect()))
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn list(&self, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let kopts = helm_kube::ListOptions {
            namespace: o.namespace,
            all_namespaces: o.all_namespaces.unwrap_or(false),
            all: o.all.unwrap_or(false),
            filter: o.filter,
            ..Default::default()
        };
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let rels = rt.block_on(client.list(kopts))?;
            Ok(Value::list(rels.iter().map(release).collect()))
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn get_values(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            Ok(rt.block_on(client.get_values(&name, o.namespace.as_deref(), o.revision.unwrap_or(0), o.all.unwrap_or(false)))?)
        }))
    }
}

fn empty_install() -> InstallOptions {
    InstallOptions {
        value_files: None,
        set: None,
        set_string: None,
        namespace: None,
        create_namespace: None,
        wait: None,
        timeout: None,
        atomic: None,
        no_hooks: None,
        skip_crds: None,
        description: None,
        dry_run: None,
        reuse_values: None,
        reset_values: None,
        max_history: None,
    }
}

fn empty_release() -> ActionOptions {
    ActionOptions {
        namespace: None,
        revision: None,
        wait: None,
        timeout: None,
        no_hooks: None,
        max_history: None,
        dry_run: None,
        keep_history: None,
        description: None,
        all: None,
        all_namespaces: None,
        filter: None,
    }
}

// ---- releases through a release server (`helm-rs serve`)

/// A release server's refusal, coded as the local client's error for the same cause
/// (ReleaseNotFound, ChartError, ValuesError, RenderError, else KubeError) with the HTTP
/// `status` and, on 409, the release's `pending` state.
fn remote_error(e: helm_kube::server::RemoteError) -> Error {
    use helm_kube::server::RemoteError;
    let m = Map::new();
    match e {
        RemoteError::Status { status, message, pending } => {
            let code = if status == 404 && (message.contains("not found") || message.contains("has no deployed releases")) {
                "ReleaseNotFound"
            } else if status == 400 && message.starts_with("chart") {
                "ChartError"
            } else if status == 400 && message.starts_with("values") {
                "ValuesError"
            } else if status == 422 && (message.starts_with("template: ") || message.contains("execution error at")) {
                "RenderError"
            } else {
                "KubeError"
            };
            m.insert("code", Value::str(code));
            m.insert("message", Value::str(message));
            m.insert("status", Value::Int64(status as i64));
            if let Some(p) = pending {
                m.insert("pending", helm_core::release::record::json_to_core(&p));
            }
        }
        RemoteError::Chart(msg) => {
            m.insert("code", Value::str("ChartError"));
            m.insert("message", Value::str(msg));
        }
        e => {
            m.insert("code", Value::str("KubeError"));
            m.insert("message", Value::str(e.to_string()));
        }
    }
    Error::new(Status::GenericFailure, format!("helm-rs:{}", json::to_string(&Value::Map(m))))
}

impl From<helm_kube::server::RemoteError> for ActionError {
    fn from(e: helm_kube::server::RemoteError) -> Self {
        ActionError::Remote(e)
    }
}

#[napi(object)]
pub struct RemoteClientOptions {
    /// `http(s)://host:port` of the release server.
    pub url: String,
    /// The caller's Kubernetes bearer token.
    pub token: String,
    pub namespace: Option<String>,
}

/// Where a remote install/upgrade gets its chart when it is not a loaded Chart: a local path
/// (a directory is packaged, a .tgz sent as is) or a reference the server downloads.
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

impl ChartSourceSpec {
    fn resolve(self) -> std::result::Result<helm_kube::server::RemoteChart, ActionError> {
        use helm_kube::server::{chart_archive, RemoteChart};
        let version = self.version.unwrap_or_default();
        if let Some(repo_url) = self.repo_url {
            let name = self.name.ok_or_else(|| ActionError::Input(ApiError::Invalid("repo needs the chart's name".into())))?;
            return Ok(RemoteChart::Repo { repo_url, name, version });
        }
        if let Some(reference) = self.reference {
            return Ok(RemoteChart::Reference { reference, version, plain_http: self.plain_http.unwrap_or(false) });
        }
        let path = std::path::PathBuf::from(self.path.unwrap_or_default());
        if !path.exists() {
            return Err(ActionError::Input(ApiError::Chart(format!("path {:?} not found", path.display().to_string()))));
        }
        Ok(RemoteChart::Archive(chart_archive(&path)?))
    }
}

/// Releases through a release server; the methods of NativeClient (index.js wraps this class
/// as `RemoteClient`). `installSource`/`upgradeSource` take a path or reference instead of a
/// loaded Chart.
#[napi]
pub struct NativeRemoteClient {
    client: helm_kube::server::RemoteClient,
}

fn remote_install_opts(name: String, o: InstallOptions) -> helm_kube::InstallOptions {
    helm_kube::InstallOptions {
        name: Some(name),
        namespace: o.namespace,
        create_namespace: o.create_namespace.unwrap_or(false),
        wait: o.wait.unwrap_or(false),
        timeout: seconds(o.timeout),
        atomic: o.atomic.unwrap_or(false),
        no_hooks: o.no_hooks.unwrap_or(false),
        skip_crds: o.skip_crds.unwrap_or(false),
        description: o.description,
        dry_run: o.dry_run.unwrap_or(false),
        ..Default::default()
    }
}

fn remote_upgrade_opts(o: InstallOptions) -> helm_kube::UpgradeOptions {
    helm_kube::UpgradeOptions {
        namespace: o.namespace,
        wait: o.wait.unwrap_or(false),
        timeout: seconds(o.timeout),
        atomic: o.atomic.unwrap_or(false),
        no_hooks: o.no_hooks.unwrap_or(false),
        reuse_values: o.reuse_values.unwrap_or(false),
        reset_values: o.reset_values.unwrap_or(false),
        max_history: o.max_history.unwrap_or(0),
        description: o.description,
        dry_run: o.dry_run.unwrap_or(false),
        ..Default::default()
    }
}

fn values_of(o: &InstallOptions, values: Option<JsUnknown>) -> Result<ValuesInput> {
    Ok(ValuesInput {
        value_files: o.value_files.clone().unwrap_or_default(),
        values: values.map(js_to_value).transpose()?,
        set: o.set.clone().unwrap_or_default(),
        set_string: o.set_string.clone().unwrap_or_default(),
    })
}

enum PendingChart {
    Loaded(CoreChart),
    Source(ChartSourceSpec),
}

impl PendingChart {
    fn resolve(self) -> std::result::Result<helm_kube::server::RemoteChart, ActionError> {
        match self {
            PendingChart::Loaded(c) => Ok(helm_kube::server::RemoteChart::Archive(helm_kube::server::loaded_chart_archive(&c)?)),
            PendingChart::Source(s) => s.resolve(),
        }
    }
}

impl NativeRemoteClient {
    fn install_task(&self, name: String, chart: PendingChart, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_install);
        let input = values_of(&o, values)?;
        let kopts = remote_install_opts(name, o);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let chart = chart.resolve()?;
            let vals = input.merge()?;
            Ok(release(&rt.block_on(client.install_chart(&chart, &vals, kopts))?))
        }))
    }

    fn upgrade_task(&self, name: String, chart: PendingChart, opts: Option<InstallOptions>, values: Option<JsUnknown>, install: bool) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_install);
        let input = values_of(&o, values)?;
        let kopts = remote_upgrade_opts(o);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let chart = chart.resolve()?;
            let vals = input.merge()?;
            Ok(release(&rt.block_on(client.upgrade_chart(&name, &chart, &vals, kopts, install))?))
        }))
    }
}

#[napi]
impl NativeRemoteClient {
    #[napi(constructor)]
    pub fn new(opts: RemoteClientOptions) -> Result<Self> {
        if !(opts.url.starts_with("http://") || opts.url.starts_with("https://")) {
            return Err(api_error(ApiError::Invalid(format!("release server URL must start with http:// or https://, got {:?}", opts.url))));
        }
        let _guard = runtime()?.enter();
        let client = helm_kube::server::RemoteClient::new(&opts.url, &opts.token, opts.namespace.as_deref()).map_err(remote_error)?;
        Ok(NativeRemoteClient { client })
    }

    #[napi(getter)]
    pub fn namespace(&self) -> String {
        self.client.namespace().to_string()
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn install(&self, name: String, chart: &Chart, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.install_task(name, PendingChart::Loaded(chart.chart.clone()), opts, values)
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn install_source(&self, name: String, source: ChartSourceSpec, opts: Option<InstallOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<KubeTask>> {
        self.install_task(name, PendingChart::Source(source), opts, values)
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn upgrade(&self, name: String, chart: &Chart, opts: Option<InstallOptions>, values: Option<JsUnknown>, install: Option<bool>) -> Result<AsyncTask<KubeTask>> {
        self.upgrade_task(name, PendingChart::Loaded(chart.chart.clone()), opts, values, install.unwrap_or(false))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn upgrade_source(&self, name: String, source: ChartSourceSpec, opts: Option<InstallOptions>, values: Option<JsUnknown>, install: Option<bool>) -> Result<AsyncTask<KubeTask>> {
        self.upgrade_task(name, PendingChart::Source(source), opts, values, install.unwrap_or(false))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn rollback(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let kopts = helm_kube::RollbackOptions {
            namespace: o.namespace,
            revision: o.revision.unwrap_or(0),
            wait: o.wait.unwrap_or(false),
            timeout: seconds(o.timeout),
            no_hooks: o.no_hooks.unwrap_or(false),
            max_history: o.max_history.unwrap_or(0),
            dry_run: o.dry_run.unwrap_or(false),
            ..Default::default()
        };
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || Ok(release(&rt.block_on(client.rollback(&name, kopts))?))))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn uninstall(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let kopts = helm_kube::UninstallOptions {
            namespace: o.namespace,
            keep_history: o.keep_history.unwrap_or(false),
            wait: o.wait.unwrap_or(false),
            timeout: seconds(o.timeout),
            no_hooks: o.no_hooks.unwrap_or(false),
            description: o.description,
            dry_run: o.dry_run.unwrap_or(false),
            ..Default::default()
        };
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let res = rt.block_on(client.uninstall(&name, kopts))?;
            let summary = release(&res.release);
            if let Some(m) = summary.as_map() {
                m.insert("kept", Value::list(res.kept.iter().map(Value::str).collect()));
            }
            Ok(summary)
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn status(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || Ok(release(&rt.block_on(client.get_release(&name, o.namespace.as_deref(), o.revision.unwrap_or(0)))?))))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn history(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let rels = rt.block_on(client.history(&name, o.namespace.as_deref()))?;
            Ok(Value::list(rels.iter().map(release).collect()))
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn list(&self, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let kopts = helm_kube::ListOptions {
            namespace: o.namespace,
            all_namespaces: o.all_namespaces.unwrap_or(false),
            all: o.all.unwrap_or(false),
            filter: o.filter,
            ..Default::default()
        };
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || {
            let rels = rt.block_on(client.list(kopts))?;
            Ok(Value::list(rels.iter().map(release).collect()))
        }))
    }

    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn get_values(&self, name: String, opts: Option<ActionOptions>) -> Result<AsyncTask<KubeTask>> {
        let o = opts.unwrap_or_else(empty_release);
        let (client, rt) = (self.client.clone(), runtime()?);
        Ok(task(move || Ok(rt.block_on(client.get_values(&name, o.namespace.as_deref(), o.revision.unwrap_or(0), o.all.unwrap_or(false)))?)))
    }
}
