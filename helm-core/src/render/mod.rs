//! Rendering a chart as `helm template` does: dependencies, values per subchart, the top-level
//! object, template execution, hooks, ordering and printing.
//!
//! The pipeline follows Helm 4.1.4 step by step, because each step is visible in the output:
//! 1. [`crate::chart_values::process_dependencies`] (aliases, tags, conditions, import-values);
//! 2. values coalesced and checked against every chart's schema ([`render_values`]);
//! 3. [`render_templates`]: every template of the tree parsed into one set (deepest charts
//!    first, so parents' `define`s win), each non-partial executed with its chart's top-level
//!    object, `<no value>` removed (Helm's `engine.Render`);
//!    [`post_render`], when a post-renderer is given: the documents rewritten as one stream;
//! 4. [`manifest::sort_manifests`]: documents split, hooks set apart, install-order sort;
//! 5. [`template`]: the text `helm template` prints (or writes with `--output-dir`).

pub mod api;
pub mod manifest;
pub mod objects;
pub mod post_render;
pub mod user_values;

use crate::chart::Chart;
use crate::chart_values::{coalesce, dependencies};
use crate::template::error::TemplateLocation;
use crate::template::funcs::{FuncTable, Param};
use crate::template::{Engine, TemplateError};
use crate::values::{GoMapType, Map, Value};
use objects::{Capabilities, Files, KubeVersion};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use manifest::{Hook, Manifest, ManifestError, INSTALL_ORDER};
pub use post_render::{PostRenderError, PostRenderer};

/// `.Release` and the rest of what identifies a release.
#[derive(Clone, Debug, PartialEq)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_upgrade: bool,
    pub is_install: bool,
}

impl Default for ReleaseOptions {
    fn default() -> Self {
        ReleaseOptions {
            name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
            is_install: true,
        }
    }
}

/// Options of `helm template` (flag names in the field docs).
#[derive(Clone, Debug, Default)]
pub struct TemplateOptions {
    pub release: ReleaseOptions,
    /// `--kube-version` (None: Helm's default, v1.35.0).
    pub kube_version: Option<KubeVersion>,
    /// `--api-versions`, added to the defaults (or, with `api_versions_from_cluster`, the
    /// whole set).
    pub api_versions: Vec<String>,
    /// `api_versions` is what the cluster's discovery returned: it replaces Helm's default set
    /// instead of adding to it (a chart asking `.Capabilities.APIVersions.Has` about an API the
    /// cluster does not serve gets false, as with Helm on that cluster).
    pub api_versions_from_cluster: bool,
    /// `--include-crds`: print `crds/` files first.
    pub include_crds: bool,
    /// `--no-hooks`.
    pub no_hooks: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--show-only` patterns (paths relative to the chart, e.g. `templates/x.yaml`).
    pub show_only: Vec<String>,
    /// `--output-dir`.
    pub output_dir: Option<PathBuf>,
    /// `--release-name`: put files under `<output-dir>/<release name>/`.
    pub use_release_name: bool,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// What `lookup` reads; none for `helm template` (an empty map, as Helm's client mode).
    pub lookup: ClusterLookup,
    /// `--render-subchart-notes` (install/upgrade): subcharts' NOTES.txt joined after the
    /// chart's own, a newline between (Helm joins them in Go map order, which is random; here
    /// the chart's first, then by path).
    pub render_subchart_notes: bool,
    /// `--post-renderer`: rewrites the rendered documents before they are sorted.
    pub post_renderer: PostRenderStep,
}

/// The post-renderer of a render, if any (see [`post_render`]).
#[derive(Clone, Default)]
pub struct PostRenderStep(pub Option<Arc<dyn PostRenderer>>);

impl PartialEq for PostRenderStep {
    /// The same step: both none, or the same renderer.
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for PostRenderStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "PostRenderStep(some)"
        } else {
            "PostRenderStep(none)"
        })
    }
}

/// The cluster behind the `lookup` function: helm-kube supplies one when it installs or
/// upgrades; `helm template` and client dry-runs have none and `lookup` returns an empty map,
/// as in Helm. Arguments: apiVersion, kind, namespace, name (empty name: the list). The `Err`
/// is the text shown after `error calling lookup: `.
#[derive(Clone, Default)]
pub struct ClusterLookup(pub Option<LookupFn>);

/// A `lookup` implementation (see [`ClusterLookup`]).
pub type LookupFn = Arc<dyn Fn(&str, &str, &str, &str) -> Result<Value, String> + Send + Sync>;

impl std::fmt::Debug for ClusterLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ClusterLookup(cluster)"
        } else {
            "ClusterLookup(none)"
        })
    }
}

/// What `helm template` produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateOutput {
    /// Standard output.
    pub stdout: String,
    /// Lines Helm logs to standard error (warnings, skipped hooks).
    pub log: Vec<String>,
}

/// The hint Helm prints after errors of rendering proper (templates, their YAML, kubeVersion).
pub const DEBUG_HINT: &str = "\n\nUse --debug flag to render out invalid YAML";

/// A rendering failure. Display is Helm's message (what follows `Error: `).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    #[error("{0} charts are not installable")]
    NotInstallable(String),
    #[error("release name check failed: release name {name:?}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53")]
    InvalidReleaseName { name: String },
    #[error("an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}", .0.join(", "))]
    MissingDependencies(Vec<String>),
    #[error("{0}")]
    Dependencies(String),
    #[error("{0}")]
    Values(String),
    /// The full schema message (`values don't meet the specifications ...`).
    #[error("{0}")]
    Schema(String),
    /// A template failed to parse or execute (Helm's text: [`TemplateError::helm_message`]).
    #[error("{}{}", .0.helm_message(), DEBUG_HINT)]
    Template(TemplateError),
    /// A rendered document is not valid YAML (`YAML parse error on FILE: …`).
    #[error("{}{}", .0, DEBUG_HINT)]
    Manifest(ManifestError),
    /// The chart's `kubeVersion` excludes the Kubernetes version rendered for.
    #[error("{}{}", kube_version_message(.required, .actual), DEBUG_HINT)]
    KubeVersion { required: String, actual: String },
    #[error("could not find template {0} in chart")]
    ShowOnlyNotFound(String),
    #[error("{0}")]
    Io(String),
    /// The post-renderer failed, or its input or output was not YAML documents.
    #[error("{}{}", .0, DEBUG_HINT)]
    PostRender(#[from] PostRenderError),
}

fn kube_version_message(required: &str, actual: &str) -> String {
    format!("chart requires kubeVersion: {required} which is incompatible with Kubernetes {actual}")
}

impl From<TemplateError> for RenderError {
    fn from(e: TemplateError) -> Self {
        RenderError::Template(e)
    }
}

impl RenderError {
    /// Helm's message without the [`DEBUG_HINT`] `helm template` puts after errors of
    /// rendering proper (`helm lint` prints them without it).
    pub fn message(&self) -> String {
        match self {
            RenderError::Template(e) => e.helm_message(),
            RenderError::Manifest(e) => e.to_string(),
            RenderError::KubeVersion { required, actual } => kube_version_message(required, actual),
            RenderError::PostRender(e) => e.to_string(),
            other => other.to_string(),
        }
    }

    /// Whether Display ends with [`DEBUG_HINT`] (after [`Self::message`]).
    pub fn has_debug_hint(&self) -> bool {
        matches!(
            self,
            RenderError::Template(_)
                | RenderError::Manifest(_)
                | RenderError::KubeVersion { .. }
                | RenderError::PostRender(_)
        )
    }

    /// Where the chart's own template failed (the outermost level of a template error's call
    /// chain), or the rendered file that is not valid YAML (line 0); `None` for errors that
    /// are not about one template.
    pub fn location(&self) -> Option<TemplateLocation> {
        self.chain().into_iter().next()
    }

    /// Where the error was raised: the innermost level of the call chain (inside the
    /// `include`d or `tpl` template).
    pub fn innermost_location(&self) -> Option<TemplateLocation> {
        self.chain().pop()
    }

    /// The call chain of a template error, from the chart's template Helm executed to the
    /// template where the error was raised (one level for a parse error or a rendered file
    /// that is not valid YAML; empty for other errors).
    pub fn chain(&self) -> Vec<TemplateLocation> {
        match self {
            RenderError::Template(e) => e.chain(),
            RenderError::Manifest(e) => {
                vec![TemplateLocation {
                    template: e.path.clone(),
                    line: 0,
                    column: None,
                    executing: String::new(),
                }]
            }
            _ => Vec::new(),
        }
    }
}

/// Helm's release name rule (DNS-1123 subdomain, at most 53 characters).
pub fn validate_release_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 53 {
        return false;
    }
    name.split('.').all(|label| {
        let b = label.as_bytes();
        let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        match (b.first(), b.last()) {
            (Some(f), Some(l)) => ok(f) && ok(l) && b.iter().all(|c| ok(c) || *c == b'-'),
            _ => false,
        }
    })
}

/// The function table for chart templates: Helm's functions plus `lookup`, which in
/// `helm template` (no cluster) always returns an empty map.
pub fn template_funcs() -> FuncTable {
    template_funcs_with(&ClusterLookup::default())
}

/// [`template_funcs`] with `lookup` reading `cluster`.
///
/// Without a cluster every render gets a clone of one table, so that parse trees made with it
/// can be reused by later renders in the process (`template::parse_cache`).
pub fn template_funcs_with(cluster: &ClusterLookup) -> FuncTable {
    static OFFLINE: std::sync::LazyLock<FuncTable> = std::sync::LazyLock::new(|| {
        let mut t = FuncTable::helm();
        let params = [Param::String, Param::String, Param::String, Param::String];
        t.add("lookup", &params, None, |_| Ok(Value::empty_map()));
        t
    });
    let Some(f) = &cluster.0 else {
        return OFFLINE.clone();
    };
    let mut t = FuncTable::helm();
    let f = f.clone();
    t.add_with_host(
        "lookup",
        &[Param::String, Param::String, Param::String, Param::String],
        None,
        Arc::new(move |_h, a: &[Value]| {
            let s = |i: usize| a.get(i).and_then(|v| v.as_str()).unwrap_or("").to_string();
            f(&s(0), &s(1), &s(2), &s(3)).map_err(crate::template::funcs::FuncError::new)
        }),
    );
    t
}

/// Helm's `ToRenderValues`: the root top-level object (`Values` coalesced; `Chart`,
/// `Capabilities`, `Release`), after checking values against the charts' schemas.
pub fn render_values(
    chart: &Chart,
    user_values: &Value,
    release: &ReleaseOptions,
    caps: &Capabilities,
    skip_schema_validation: bool,
) -> Result<Value, RenderError> {
    let top = Map::new();
    top.insert("Chart", chart.chart_value(true));
    top.insert("Capabilities", Value::Object(Arc::new(caps.clone())));
    top.insert("Release", release_value(release));
    let vals = coalesce::coalesce_values(chart, user_values)
        .map_err(|e| RenderError::Values(e.to_string()))?;
    if !skip_schema_validation {
        validate_schemas(chart, &vals)?;
    }
    top.insert("Values", vals);
    Ok(Value::Map(top))
}

fn release_value(r: &ReleaseOptions) -> Value {
    let m = Map::new();
    m.insert("Name", Value::str(&r.name));
    m.insert("Namespace", Value::str(&r.namespace));
    m.insert("Revision", Value::Int(r.revision));
    m.insert("IsUpgrade", Value::Bool(r.is_upgrade));
    m.insert("IsInstall", Value::Bool(r.is_install));
    m.insert("Service", Value::str("Helm"));
    Value::Map(m)
}

/// Helm's `ValidateAgainstSchema`: every chart with a schema, scoped to its values.
fn validate_schemas(chart: &Chart, vals: &Value) -> Result<(), RenderError> {
    crate::chart_values::schema::validate_chart(chart, vals)
        .map_err(|e| RenderError::Schema(e.to_string()))
}

/// One template to execute: the shared top-level object of its chart, and the
/// `.Template.BasePath`.
struct Renderable {
    vals: Map,
    base_path: String,
}

fn is_partial(name: &str) -> bool {
    name.rsplit('/').next().unwrap_or(name).starts_with('_')
}

/// Helm's `recAllTpls`: builds each chart's top-level object (subcharts see their slice of the
/// parent's `.Values`) and collects templates under `parent/charts/sub/templates/x.yaml`.
fn collect_templates(
    chart: &Chart,
    full_path: &str,
    is_root: bool,
    parent: &Map,
    out: &mut BTreeMap<String, Renderable>,
) -> Map {
    let next = Map::new();
    let subcharts = Map::new();
    next.insert("Chart", chart.chart_value(is_root));
    next.insert(
        "Files",
        Value::Object(Arc::new(Files::from_chart_files(&chart.files))),
    );
    next.insert("Release", parent.get("Release").unwrap_or_default());
    next.insert(
        "Capabilities",
        parent.get("Capabilities").unwrap_or_default(),
    );
    let values = if is_root {
        parent.get("Values").unwrap_or_else(Value::empty_map)
    } else {
        match parent.get("Values") {
            Some(v) => dependencies::table(&v, chart.name())
                .map(Value::Map)
                .unwrap_or_else(|_| Value::empty_map()),
            None => Value::empty_map(),
        }
    };
    // `.Values` is a common.Values (Helm's Values.Table), its nested maps plain ones.
    let values = match values {
        Value::Map(m) => Value::Map(m.with_go_type(GoMapType::HelmValues)),
        other => other,
    };
    next.insert("Values", values);
    next.insert("Subcharts", Value::Map(subcharts.clone()));
    for sub in &chart.dependencies {
        let sub_path = format!("{full_path}/charts/{}", sub.name());
        let sub_next =
            crate::values::deep::guard(|| collect_templates(sub, &sub_path, false, &next, out));
        subcharts.insert(sub.name(), Value::Map(sub_next));
    }
    let library = chart.metadata.chart_type == "library";
    for t in &chart.templates {
        if library && !is_partial(&t.name) {
            continue;
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                vals: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    next
}

/// Helm's template order: deeper paths first, then reverse lexical order (so that, parsed in
/// this order, a parent chart's `define` replaces a subchart's of the same name).
fn sort_templates(names: &mut [&String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// Helm's `engine.Render`: every template of the chart tree, rendered; keys are template paths.
/// Partials are parsed but not in the result.
pub fn render_templates(
    chart: &Chart,
    top: &Value,
) -> Result<BTreeMap<String, String>, RenderError> {
    render_templates_with(chart, top, &ClusterLookup::default())
}

/// [`render_templates`] with `lookup` reading `cluster`.
pub fn render_templates_with(
    chart: &Chart,
    top: &Value,
    cluster: &ClusterLookup,
) -> Result<BTreeMap<String, String>, RenderError> {
    let engine = parse_templates(chart, cluster)?;
    execute_templates(&engine, chart, top)
}

/// Every template of the chart tree (library charts: only their partials) with its full
/// name, in Helm's parse order.
fn template_sources(chart: &Chart) -> Vec<(String, std::borrow::Cow<'_, str>)> {
    fn walk<'c>(
        chart: &'c Chart,
        full_path: &str,
        out: &mut Vec<(String, std::borrow::Cow<'c, str>)>,
    ) {
        for sub in &chart.dependencies {
            crate::values::deep::guard(|| {
                walk(sub, &format!("{full_path}/charts/{}", sub.name()), out)
            });
        }
        let library = chart.metadata.chart_type == "library";
        for t in &chart.templates {
            if library && !is_partial(&t.name) {
                continue;
            }
            out.push((
                format!("{full_path}/{}", t.name),
                crate::gocompat::gostring::utf8_lossy(&t.data),
            ));
        }
    }
    let mut out = Vec::new();
    walk(chart, chart.name(), &mut out);
    // A later template of the same full name replaces an earlier one (as Helm's map).
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<_> = out
        .into_iter()
        .rev()
        .filter(|(n, _)| seen.insert(n.clone()))
        .collect();
    unique.sort_by(|(a, _), (b, _)| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
    unique
}

/// Parses every template of the chart tree into one engine whose `lookup` reads `cluster`.
/// Needs no values, so [`render_chart`] runs it while the values are coalesced and checked.
pub fn parse_templates(chart: &Chart, cluster: &ClusterLookup) -> Result<Engine, RenderError> {
    parse_templates_with_funcs(chart, template_funcs_with(cluster))
}

fn parse_templates_with_funcs(chart: &Chart, funcs: FuncTable) -> Result<Engine, RenderError> {
    let sources = template_sources(chart);
    let refs: Vec<(&str, &str)> = sources
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_ref()))
        .collect();
    let mut engine = Engine::new(funcs);
    engine.parse_many(&refs)?;
    Ok(engine)
}

/// What Helm's engine logs while rendering in lint mode: (level, message, the message
/// attribute), e.g. `("WARN", "missing required value", "'x' must be set")`.
pub type LintLog = Arc<std::sync::Mutex<Vec<(&'static str, &'static str, String)>>>;

/// [`render_templates`] as `helm lint` renders (Helm's engine `LintMode`): `required` with a
/// missing value and `fail` give "" instead of an error, and are logged to `log` as Helm's
/// engine logs them (a warning for `required`, an info record for `fail`).
pub fn render_templates_for_lint(
    chart: &Chart,
    top: &Value,
    log: &LintLog,
) -> Result<BTreeMap<String, String>, RenderError> {
    let mut t = template_funcs_with(&ClusterLookup::default());
    let required_log = log.clone();
    t.add_with_host(
        "required",
        &[Param::String, Param::Any],
        None,
        Arc::new(move |_h, a: &[Value]| {
            let msg = a[0].as_str().unwrap_or("").to_string();
            let missing = match &a[1] {
                Value::Nil => Some("missing required value"),
                Value::String(s) if s.is_empty() => Some("missing required values"),
                _ => None,
            };
            match missing {
                Some(what) => {
                    if let Ok(mut l) = required_log.lock() {
                        l.push(("WARN", what, msg));
                    }
                    Ok(Value::str(""))
                }
                None => Ok(a[1].clone()),
            }
        }),
    );
    let fail_log = log.clone();
    t.add_with_host(
        "fail",
        &[Param::String],
        None,
        Arc::new(move |_h, a: &[Value]| {
            if let Ok(mut l) = fail_log.lock() {
                l.push((
                    "INFO",
                    "funcMap fail",
                    a[0].as_str().unwrap_or("").to_string(),
                ));
            }
            Ok(Value::str(""))
        }),
    );
    let engine = parse_templates_with_funcs(chart, t)?;
    execute_templates(&engine, chart, top)
}

/// Executes the parsed chart tree's templates (partials aside) against `top`.
fn execute_templates(
    engine: &Engine,
    chart: &Chart,
    top: &Value,
) -> Result<BTreeMap<String, String>, RenderError> {
    let top_map = top.as_map().cloned().unwrap_or_default();
    let mut tpls = BTreeMap::new();
    collect_templates(chart, chart.name(), true, &top_map, &mut tpls);
    let mut names: Vec<&String> = tpls.keys().collect();
    sort_templates(&mut names);
    let mut rendered = BTreeMap::new();
    for name in &names {
        if is_partial(name) {
            continue;
        }
        let Some(r) = tpls.get(*name) else { continue };
        let tmeta = Map::new().with_go_type(GoMapType::HelmValues);
        tmeta.insert("Name", Value::str(name.as_str()));
        tmeta.insert("BasePath", Value::str(&r.base_path));
        r.vals.insert("Template", Value::Map(tmeta));
        // Helm's renderable.vals is a common.Values: `typeOf .` says so.
        let out = engine.execute(
            name,
            &Value::Map(r.vals.with_go_type(GoMapType::HelmValues)),
        )?;
        rendered.insert((*name).clone(), out.replace("<no value>", ""));
    }
    Ok(rendered)
}

/// A file from a chart's `crds/` directory (Helm's `CRDObjects`, subcharts included).
#[derive(Clone, Debug, PartialEq)]
pub struct Crd {
    /// `chart/crds/x.yaml` (with `charts/sub/` for subcharts).
    pub filename: String,
    pub data: String,
}

pub fn crd_objects(chart: &Chart) -> Vec<Crd> {
    let mut out = Vec::new();
    collect_crds(chart, chart.name(), &mut out);
    out
}

fn collect_crds(chart: &Chart, full_path: &str, out: &mut Vec<Crd>) {
    for f in &chart.files {
        let ext_ok = [".yaml", ".yml", ".json"]
            .iter()
            .any(|e| f.name.ends_with(e));
        if f.name.starts_with("crds/") && ext_ok {
            out.push(Crd {
                filename: format!("{full_path}/{}", f.name),
                data: crate::gocompat::gostring::utf8_lossy(&f.data).into_owned(),
            });
        }
    }
    for sub in &chart.dependencies {
        crate::values::deep::guard(|| {
            collect_crds(sub, &format!("{full_path}/charts/{}", sub.name()), out)
        });
    }
}

/// Rendered, sorted release content (Helm's `renderResources` result).
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub hooks: Vec<Hook>,
    pub manifests: Vec<Manifest>,
    /// The root chart's NOTES.txt, rendered.
    pub notes: String,
    pub log: Vec<String>,
}

/// Steps 1–4 of the pipeline for a loaded chart and the user's merged values.
pub fn render_chart(
    mut chart: Chart,
    user_values: &Value,
    opts: &TemplateOptions,
) -> Result<(Chart, Rendered), RenderError> {
    let ty = chart.metadata.chart_type.as_str();
    if !ty.is_empty() && ty != "application" {
        return Err(RenderError::NotInstallable(ty.to_string()));
    }
    let mut log = Vec::new();
    if chart.metadata.deprecated {
        log.push("level=WARN msg=\"this chart is deprecated\"".to_string());
    }
    let missing = chart.missing_dependencies();
    if !missing.is_empty() {
        return Err(RenderError::MissingDependencies(missing));
    }
    if !validate_release_name(&opts.release.name) {
        return Err(RenderError::InvalidReleaseName {
            name: opts.release.name.clone(),
        });
    }
    log.extend(
        dependencies::process_dependencies(&mut chart, user_values)
            .map_err(|e| RenderError::Dependencies(e.to_string()))?,
    );
    let caps = if opts.api_versions_from_cluster {
        Capabilities::of_cluster(
            opts.kube_version.clone().unwrap_or_default(),
            opts.api_versions.clone(),
        )
    } else {
        Capabilities::new(
            opts.kube_version.clone().unwrap_or_default(),
            &opts.api_versions,
        )
    };
    // Templates are parsed on another thread while the values are coalesced and checked
    // against the schemas; errors keep Helm's order (values, kubeVersion, then templates).
    let (top, engine) = std::thread::scope(|s| {
        let parsing = s.spawn(|| parse_templates(&chart, &opts.lookup));
        let top = render_values(
            &chart,
            user_values,
            &opts.release,
            &caps,
            opts.skip_schema_validation,
        );
        let engine = parsing
            .join()
            .unwrap_or_else(|_| parse_templates(&chart, &opts.lookup));
        (top, engine)
    });
    let top = top?;

    let kv = chart.metadata.kube_version.clone();
    if !kv.is_empty() && !dependencies::is_compatible_range(&kv, &caps.kube_version.display()) {
        return Err(RenderError::KubeVersion {
            required: kv,
            actual: caps.kube_version.version.to_string(),
        });
    }

    let engine = engine?;
    let mut files = execute_templates(&engine, &chart, &top)?;
    if process_exits_after_render() {
        std::mem::forget(engine);
        std::mem::forget(top);
    }
    let notes_key = format!("{}/templates/NOTES.txt", chart.name());
    let mut notes = files.get(&notes_key).cloned().unwrap_or_default();
    if opts.render_subchart_notes {
        for (k, v) in files
            .iter()
            .filter(|(k, _)| k.ends_with("/templates/NOTES.txt") && **k != notes_key)
        {
            let _ = k;
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(v);
        }
    }
    files.retain(|k, _| !k.ends_with("NOTES.txt"));
    if let Some(pr) = &opts.post_renderer.0 {
        files = post_render::post_render(&files, pr.as_ref())?;
    }
    let sorted = manifest::sort_manifests(&files, INSTALL_ORDER).map_err(|mut e| {
        // Helm's blob of every rendered file (in its map's order; here in path order).
        for (name, content) in &files {
            if !content.trim().is_empty() {
                e.rendered
                    .push_str(&format!("---\n# Source: {name}\n{content}\n"));
            }
        }
        RenderError::Manifest(e)
    })?;
    log.extend(sorted.log);
    Ok((
        chart,
        Rendered {
            hooks: sorted.hooks,
            manifests: sorted.manifests,
            notes,
            log,
        },
    ))
}

/// Appends one document as Helm's `writeToFile` does, returning the `wrote PATH` line.
fn write_to_file(dir: &Path, name: &str, data: &str, append: bool) -> Result<String, RenderError> {
    use std::io::Write;
    let path = format!("{}/{}", dir.display(), name);
    if let Some(parent) = Path::new(&path).parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| RenderError::Io(format!("{}: {e}", parent.display())))?;
    }
    let mut f = if append {
        std::fs::OpenOptions::new().append(true).open(&path)
    } else {
        std::fs::File::create(&path)
    }
    .map_err(|e| RenderError::Io(format!("open {path}: {e}")))?;
    // Go's bytes: binary file contents a template wrote are restored (gocompat::gostring).
    let text = format!("---\n# Source: {name}\n{data}\n");
    f.write_all(&crate::gocompat::gostring::go_bytes(&text))
        .map_err(|e| RenderError::Io(format!("write {path}: {e}")))?;
    Ok(format!("wrote {path}\n"))
}

/// Runs `helm template`: the whole pipeline and Helm's printing of the result.
pub fn template(
    mut chart: Chart,
    user_values: &Value,
    opts: &TemplateOptions,
) -> Result<TemplateOutput, RenderError> {
    // The chart is consumed here: its `raw` copy of every file (subcharts' included, for
    // packaging) plays no part in rendering, so free it before rendering needs memory.
    drop_raw_files(&mut chart);
    let (chart, rendered) = render_chart(chart, user_values, opts)?;
    let out = print_template(&chart, &rendered, opts);
    if process_exits_after_render() {
        std::mem::forget(chart);
        std::mem::forget(rendered);
    }
    out
}

static PROCESS_EXITS_AFTER_RENDER: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Declares that this process ends soon after rendering (a one-shot command line such as
/// `helm-rs template`): rendering then skips freeing what it built (parse trees of every
/// template, coalesced values, the chart), which the exit returns to the system anyway.
/// On a large chart (kube-prometheus-stack) freeing those is ~10% of the command's time.
/// Libraries and servers that render repeatedly must leave this off (the default).
pub fn set_process_exits_after_render(yes: bool) {
    PROCESS_EXITS_AFTER_RENDER.store(yes, std::sync::atomic::Ordering::Relaxed);
}

fn process_exits_after_render() -> bool {
    PROCESS_EXITS_AFTER_RENDER.load(std::sync::atomic::Ordering::Relaxed)
}

/// Helm's printing of a rendered release for `helm template` (or its `--output-dir` files):
/// `chart` is the processed chart [`render_chart`] returned.
pub fn print_template(
    chart: &Chart,
    rendered: &Rendered,
    opts: &TemplateOptions,
) -> Result<TemplateOutput, RenderError> {
    let mut stdout = String::new();
    let mut manifest_doc = String::new();
    let mut written: std::collections::HashSet<String> = Default::default();
    let out_dir = opts.output_dir.as_ref().map(|d| {
        if opts.use_release_name {
            d.join(&opts.release.name)
        } else {
            d.clone()
        }
    });
    if opts.include_crds {
        // CRDs go to the output directory itself, never under the release name.
        for crd in crd_objects(chart) {
            match &opts.output_dir {
                None => manifest_doc
                    .push_str(&format!("---\n# Source: {}\n{}\n", crd.filename, crd.data)),
                Some(d) => {
                    let append = !written.insert(crd.filename.clone());
                    stdout.push_str(&write_to_file(d, &crd.filename, &crd.data, append)?);
                }
            }
        }
    }
    for m in &rendered.manifests {
        match &out_dir {
            None => manifest_doc.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content)),
            Some(d) => {
                let append = !written.insert(m.name.clone());
                stdout.push_str(&write_to_file(d, &m.name, &m.content, append)?);
            }
        }
    }
    let mut manifests = format!("{}\n", manifest_doc.trim());
    if !opts.no_hooks {
        let mut hook_written: std::collections::HashSet<String> = Default::default();
        for h in &rendered.hooks {
            if opts.skip_tests && h.is_test() {
                continue;
            }
            match &out_dir {
                None => manifests.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest)),
                Some(d) => {
                    let append = !hook_written.insert(h.path.clone());
                    stdout.push_str(&write_to_file(d, &h.path, &h.manifest, append)?);
                }
            }
        }
    }
    if opts.show_only.is_empty() {
        stdout.push_str(&manifests);
    } else {
        stdout.push_str(&show_only(&manifests, &opts.show_only)?);
    }
    Ok(TemplateOutput {
        stdout,
        log: rendered.log.clone(),
    })
}

fn drop_raw_files(chart: &mut Chart) {
    chart.raw = Vec::new();
    for sub in &mut chart.dependencies {
        crate::values::deep::guard(|| drop_raw_files(sub));
    }
}

/// `--show-only`: the documents whose `# Source:` path (without the chart name) matches one of
/// the patterns (Go's `filepath.Match`), pattern by pattern.
fn show_only(manifests: &str, patterns: &[String]) -> Result<String, RenderError> {
    let docs = manifest::split_manifests(manifests);
    let mut out = String::new();
    for pat in patterns {
        let pat = pat.replace('\\', "/");
        let mut missing = true;
        for doc in &docs {
            let Some(name) = source_path(doc) else {
                continue;
            };
            if go_path_match(&pat, name) {
                out.push_str(&format!("---\n{doc}\n"));
                missing = false;
            }
        }
        if missing {
            return Err(RenderError::ShowOnlyNotFound(pat));
        }
    }
    Ok(out)
}

/// The path in the first `# Source: chart/PATH` line of a document.
fn source_path(doc: &str) -> Option<&str> {
    let idx = doc.find("# Source: ")?;
    let rest = &doc[idx + "# Source: ".len()..];
    let line = rest.split('\n').next().unwrap_or("");
    let slash = line.find('/')?;
    if slash == 0 {
        return None;
    }
    let p = &line[slash + 1..];
    if p.is_empty() {
        None
    } else {
        Some(p)
    }
}

/// Go's `path/filepath.Match` with `/` separators (a malformed pattern matches nothing).
pub fn go_path_match(pattern: &str, name: &str) -> bool {
    crate::chart::helmignore::glob_match(pattern, name).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names() {
        assert!(validate_release_name("rel"));
        assert!(validate_release_name("a.b-c"));
        assert!(!validate_release_name("Rel"));
        assert!(!validate_release_name("-a"));
        assert!(!validate_release_name(""));
        assert!(!validate_release_name(&"a".repeat(54)));
    }

    #[test]
    fn template_order() {
        let names: Vec<String> = vec![
            "c/templates/a.yaml".into(),
            "c/templates/b.yaml".into(),
            "c/charts/s/templates/a.yaml".into(),
            "c/templates/_h.tpl".into(),
        ];
        let mut refs: Vec<&String> = names.iter().collect();
        sort_templates(&mut refs);
        let got: Vec<&str> = refs.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "c/charts/s/templates/a.yaml",
                "c/templates/b.yaml",
                "c/templates/a.yaml",
                "c/templates/_h.tpl"
            ]
        );
    }

    #[test]
    fn filepath_match() {
        assert!(go_path_match("templates/*.yaml", "templates/a.yaml"));
        assert!(!go_path_match("templates/*", "templates/x/a.yaml"));
        assert!(go_path_match("templates/[ab].yaml", "templates/b.yaml"));
        assert!(!go_path_match("templates/[^ab].yaml", "templates/b.yaml"));
        assert!(go_path_match(
            "charts/sub/templates/b.yaml",
            "charts/sub/templates/b.yaml"
        ));
        assert!(!go_path_match("templates/a.yaml", "templates/a.yamlx"));
    }

    #[test]
    fn source_paths() {
        assert_eq!(
            source_path("# Source: c1/templates/a.yaml\nkind: X"),
            Some("templates/a.yaml")
        );
        assert_eq!(source_path("kind: X"), None);
    }
}
