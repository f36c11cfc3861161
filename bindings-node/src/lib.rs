//! The native half of the `helm-rs` npm package (index.js is the public face).
//!
//! Only conversion lives here: JS values to helm-core values and options, results and errors
//! back. Every decision (values order, rendering, error kinds, locations) is helm-core's
//! (`helm_core::render::api`). Errors cross as a JSON message (`{"code", "message", "template",
//! "line", "column"}`) that index.js turns into an `Error` with those properties, the one form
//! that survives both a synchronous throw and an AsyncTask's rejection.

use helm_core::chart::{self, Chart};
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
#[napi(js_name = "Chart")]
pub struct JsChart {
    chart: Chart,
}

#[napi]
impl JsChart {
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
    chart: std::result::Result<Chart, String>,
    input: ValuesInput,
    opts: std::result::Result<TemplateOptions, ApiError>,
}

impl RenderJob {
    fn new(chart: std::result::Result<Chart, String>, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<Self> {
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
pub fn load_chart(path: String) -> Result<JsChart> {
    chart::load(std::path::Path::new(&path)).map(|chart| JsChart { chart }).map_err(|e| api_error(e.into()))
}

/// Renders a loaded chart on the calling thread.
#[napi]
pub fn template_chart(chart: &JsChart, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<TemplateResult> {
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
pub fn template_chart_async(chart: &JsChart, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<RenderTask>> {
    Ok(AsyncTask::new(RenderTask(Some(RenderJob::new(Ok(chart.chart.clone()), opts, values)?))))
}

/// `template_path` off the main thread.
#[napi(ts_return_type = "Promise<TemplateResult>")]
pub fn template_path_async(path: String, opts: Option<NativeTemplateOptions>, values: Option<JsUnknown>) -> Result<AsyncTask<RenderTask>> {
    Ok(AsyncTask::new(RenderTask(Some(RenderJob::new(Err(path), opts, values)?))))
}
