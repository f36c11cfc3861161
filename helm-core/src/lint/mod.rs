//! `helm lint`: Helm 4.1.4's main lint rules, with its messages.
//!
//! Why: `helm lint` runs in every chart CI; people grep its output and rely on its exit code. The
//! rules mirror Helm's `pkg/lint/rules` in Helm's order — Chart.yaml, values.yaml, templates,
//! dependencies — and each message prints as `[SEVERITY] PATH: MESSAGE`.
//!
//! Implemented: Chart.yaml (parse, name, apiVersion, version type/presence/SemVer, appVersion
//! type, maintainer names, icon, type and dependencies for v1, strict SemVer 2 warning),
//! values.yaml (presence, parse), templates (directory, render with release `test-release` and
//! `--kube-version`'s capabilities, file extensions, YAML of each rendered document,
//! `metadata.name` naming rules, deprecated APIs, workload selectors), dependencies (chart
//! loads; subcharts and Chart.yaml's list agree both ways; unique names/aliases).
//! Deprecated-API warnings judge each rendered object against `--kube-version` (else Helm's
//! default Kubernetes version), with k8s.io/api's lifecycle data (`deprecations.rs`).
//! Not implemented (Helm has them): values schema validation in the values rule, the top-indent
//! check, list annotations, maintainer email/URL and icon URL checks, the CRD rules, and Helm's
//! lint mode of the engine (where `required` does not fail).

mod deprecations;
pub use deprecations::deprecation_warning;

use crate::chart::{self, metadata::is_valid_semver, Chart};
use crate::gocompat::fmt as gofmt;
use crate::gocompat::strconv::go_quote;
use crate::render::{
    self,
    objects::{Capabilities, KubeVersion},
    ReleaseOptions, RenderError,
};
use crate::values::{yaml, Value};
use std::fmt;
use std::path::Path;

/// Helm's `support.Severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info = 1,
    Warning = 2,
    Error = 3,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding: `[SEVERITY] PATH: MESSAGE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.severity.label(),
            self.path,
            self.message
        )
    }
}

/// The result of linting one chart (Helm's `action.LintResult`).
#[derive(Clone, Debug, Default)]
pub struct LintResult {
    pub messages: Vec<Message>,
    /// Errors that stopped linting before any rule ran (e.g. no Chart.yaml).
    pub errors: Vec<String>,
    /// What Helm's engine logs while rendering for lint (level, message, `message`
    /// attribute): a `required` value missing, a `fail` called. Helm prints the warnings on
    /// standard error.
    pub engine_log: Vec<(&'static str, &'static str, String)>,
}

impl LintResult {
    /// Whether the chart failed: an error, or with `strict` also a warning.
    pub fn failed(&self, strict: bool) -> bool {
        let limit = if strict {
            Severity::Warning
        } else {
            Severity::Error
        };
        !self.errors.is_empty() || self.messages.iter().any(|m| m.severity >= limit)
    }
}

/// Options of `helm lint`.
#[derive(Clone, Debug)]
pub struct LintOptions {
    pub namespace: String,
    /// `--kube-version`: the Kubernetes version of the templates' `.Capabilities` and of the
    /// deprecated-API checks (`None`: Helm's default).
    pub kube_version: Option<KubeVersion>,
    /// `--skip-schema-validation`: render without checking values against `values.schema.json`.
    pub skip_schema_validation: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            namespace: "default".into(),
            kube_version: None,
            skip_schema_validation: false,
        }
    }
}

struct Linter {
    messages: Vec<Message>,
    engine_log: Vec<(&'static str, &'static str, String)>,
}

impl Linter {
    /// Helm's `RunLinterRule`: records the error, returns whether the rule passed.
    fn rule(&mut self, severity: Severity, path: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => true,
            Err(message) => {
                self.messages.push(Message {
                    severity,
                    path: path.to_string(),
                    message,
                });
                false
            }
        }
    }
}

/// Lints a chart directory, or a `.tgz`/`.tar.gz` archive which (as Helm does) is first
/// expanded into a temporary directory.
pub fn lint_path(path: &Path, user_values: &Value, opts: &LintOptions) -> LintResult {
    let p = path.to_string_lossy();
    if !(p.ends_with(".tgz") || p.ends_with(".tar.gz")) {
        return lint(path, user_values, opts);
    }
    let fail = |e: String| LintResult {
        errors: vec![e],
        ..LintResult::default()
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => return fail(format!("unable to open tarball: {e}")),
    };
    let files = match chart::archive::load_archive_files(&data) {
        Ok(f) => f,
        Err(e) => return fail(format!("unable to extract tarball: {e}")),
    };
    let tmp = std::env::temp_dir().join(format!(
        "helm-rs-lint-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    // The chart directory is named after the archive, up to its last '-' (Helm's rule).
    let base = path
        .file_name()
        .map(|b| b.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = base
        .rsplit_once('-')
        .map(|(a, _)| a.to_string())
        .unwrap_or(base);
    let dir = tmp.join(if base.is_empty() {
        "chart".to_string()
    } else {
        base
    });
    for f in &files {
        let target = dir.join(&f.name);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, &f.data));
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&tmp);
            return fail(format!("unable to extract tarball: {e}"));
        }
    }
    let result = lint(&dir, user_values, opts);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// Lints the chart directory `dir` with the user's merged values (`-f`/`--set`).
pub fn lint(dir: &Path, user_values: &Value, opts: &LintOptions) -> LintResult {
    let chart_yaml = dir.join("Chart.yaml");
    if let Err(e) = std::fs::metadata(&chart_yaml) {
        let reason = match (e.kind(), e.raw_os_error()) {
            (std::io::ErrorKind::NotFound, _) => "no such file or directory".to_string(),
            (_, Some(20)) => "not a directory".to_string(),
            _ => e.to_string(),
        };
        return LintResult {
            errors: vec![format!(
                "unable to check Chart.yaml file in chart: stat {}: {reason}",
                chart_yaml.display()
            )],
            ..LintResult::default()
        };
    }
    let mut l = Linter {
        messages: Vec::new(),
        engine_log: Vec::new(),
    };
    chartfile_rules(&mut l, dir);
    values_rules(&mut l, dir, user_values, opts);
    templates_rules(&mut l, dir, user_values, opts);
    dependencies_rules(&mut l, dir);
    LintResult {
        messages: l.messages,
        errors: Vec::new(),
        engine_log: l.engine_log,
    }
}

/// Go's `%T` for a value decoded from YAML into `interface{}`.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Float(_) => "float64",
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) => "int",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        _ => "string",
    }
}

/// A Chart.yaml field as a string, as Go's YAML decoding into a string field gives it.
fn field_str(doc: &Value, key: &str) -> String {
    match doc.as_map().and_then(|m| m.get(key)) {
        None | Some(Value::Nil) => String::new(),
        Some(Value::String(s)) => s.to_string(),
        Some(other) => gofmt::format_v(&other),
    }
}

fn chartfile_rules(l: &mut Linter, dir: &Path) {
    const F: &str = "Chart.yaml";
    let path = dir.join(F);
    if path.is_dir() {
        l.rule(
            Severity::Error,
            F,
            Err("should be a file, not a directory".into()),
        );
    }
    let doc = std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| yaml::from_str(&String::from_utf8_lossy(&b)).map_err(|e| e.to_string()));
    let doc = match doc {
        Ok(d) => d,
        Err(e) => {
            l.rule(
                Severity::Error,
                F,
                Err(format!("unable to parse YAML\n\t{e}")),
            );
            return;
        }
    };
    let map = doc.as_map().cloned().unwrap_or_default();
    let name = field_str(&doc, "name");
    let name_ok = if name.is_empty() {
        Err("name is required".to_string())
    } else if name.contains('/') || name == "." || name == ".." {
        Err(format!("chart name {name:?} is invalid"))
    } else {
        Ok(())
    };
    l.rule(Severity::Error, F, name_ok);
    let api = field_str(&doc, "apiVersion");
    let api_ok = match api.as_str() {
        "" => Err("apiVersion is required. The value must be either \"v1\" or \"v2\"".to_string()),
        "v1" | "v2" => Ok(()),
        _ => Err(format!(
            "api version is not valid. The value must be either \"v1\" or \"v2\""
        )),
    };
    l.rule(Severity::Error, F, api_ok);
    if let Some(v) = map.get("version") {
        if !matches!(v, Value::String(_) | Value::Nil) {
            l.rule(
                Severity::Error,
                F,
                Err(format!(
                    "version should be of type string but it's of type {}",
                    go_type(&v)
                )),
            );
        }
    }
    let version = field_str(&doc, "version");
    let version_ok = if version.is_empty() {
        Err("version is required".to_string())
    } else if !is_valid_semver(&version) {
        Err(format!("version '{version}' is not a valid SemVer"))
    } else {
        Ok(())
    };
    l.rule(Severity::Error, F, version_ok);
    if let Some(v) = map.get("appVersion") {
        if !matches!(v, Value::String(_) | Value::Nil) {
            l.rule(
                Severity::Error,
                F,
                Err(format!(
                    "appVersion should be of type string but it's of type {}",
                    go_type(&v)
                )),
            );
        }
    }
    if let Some(Value::List(ms)) = map.get("maintainers") {
        for m in ms.iter() {
            if field_str(m, "name").is_empty() {
                l.rule(
                    Severity::Error,
                    F,
                    Err("each maintainer requires a name".into()),
                );
            }
        }
    }
    if field_str(&doc, "icon").is_empty() {
        l.rule(Severity::Info, F, Err("icon is recommended".into()));
    }
    let ty = field_str(&doc, "type");
    if api == "v1" && !ty.is_empty() {
        l.rule(
            Severity::Error,
            F,
            Err(
                "chart type is not valid in apiVersion 'v1'. It is valid in apiVersion 'v2'".into(),
            ),
        );
    }
    if api == "v1"
        && map
            .get("dependencies")
            .is_some_and(|d| !matches!(d, Value::Nil))
    {
        l.rule(
            Severity::Error,
            F,
            Err("dependencies are not valid in the Chart file with apiVersion 'v1'. They are valid in apiVersion 'v2'".into()),
        );
    }
    if semver::Version::parse(&version).is_err() {
        l.rule(
            Severity::Warning,
            F,
            Err(format!("version '{version}' is not a valid SemVerV2")),
        );
    }
}

/// Helm's values rule: values.yaml exists and parses, and — the user's values coalesced over it
/// (top level only, as Helm's lint does) — meets `values.schema.json`.
fn values_rules(l: &mut Linter, dir: &Path, user_values: &Value, opts: &LintOptions) {
    const F: &str = "values.yaml";
    let path = dir.join(F);
    if !path.exists() {
        l.rule(Severity::Info, F, Err("file does not exist".into()));
        return;
    }
    let parsed = std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| yaml::from_str(&String::from_utf8_lossy(&b)).map_err(|e| e.to_string()));
    let values = match parsed {
        Ok(v) => v,
        Err(e) => {
            l.rule(
                Severity::Error,
                F,
                Err(format!("unable to parse YAML: {e}")),
            );
            return;
        }
    };
    let schema = std::fs::read(dir.join("values.schema.json")).unwrap_or_default();
    if schema.is_empty() || opts.skip_schema_validation {
        return;
    }
    let coalesced = crate::values::Map::new();
    if let Some(user) = user_values.as_map() {
        crate::chart_values::coalesce::coalesce_tables(&coalesced, user);
    }
    if let Some(file) = values.as_map() {
        crate::chart_values::coalesce::coalesce_tables(&coalesced, &file);
    }
    l.rule(
        Severity::Error,
        F,
        crate::chart_values::schema::validate_single(&Value::Map(coalesced), &schema),
    );
}

fn render_err(e: RenderError) -> String {
    e.message()
}

fn templates_rules(l: &mut Linter, dir: &Path, user_values: &Value, opts: &LintOptions) {
    const F: &str = "templates/";
    let tdir = dir.join("templates");
    if !l.rule(
        Severity::Warning,
        F,
        if tdir.exists() {
            Ok(())
        } else {
            Err("directory does not exist".into())
        },
    ) {
        return;
    }
    l.rule(
        Severity::Error,
        F,
        if tdir.is_dir() {
            Ok(())
        } else {
            Err("not a directory".into())
        },
    );
    // Helm's lint loads with the chart v2 loader directly (no apiVersion detection first).
    let mut chart = match chart::load_dir(dir) {
        Ok(c) => c,
        Err(e) => {
            l.rule(Severity::Error, F, Err(e.to_string()));
            return;
        }
    };
    if crate::chart_values::process_dependencies(&mut chart, user_values).is_err() {
        return;
    }
    let release = ReleaseOptions {
        name: "test-release".into(),
        namespace: opts.namespace.clone(),
        ..ReleaseOptions::default()
    };
    let caps = Capabilities::new(opts.kube_version.clone().unwrap_or_default(), &[]);
    let top = match render::render_values(
        &chart,
        user_values,
        &release,
        &caps,
        opts.skip_schema_validation,
    ) {
        Ok(t) => t,
        Err(e) => {
            l.rule(Severity::Error, F, Err(render_err(e)));
            return;
        }
    };
    let log = render::LintLog::default();
    let rendered = render::render_templates_for_lint(&chart, &top, &log);
    if let Ok(mut records) = log.lock() {
        l.engine_log.append(&mut records);
    }
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            l.rule(Severity::Error, F, Err(render_err(e)));
            return;
        }
    };
    for t in &chart.templates {
        let ext = Path::new(&t.name)
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        let ext_ok = if matches!(ext.as_str(), ".yaml" | ".yml" | ".tpl" | ".txt") {
            Ok(())
        } else {
            Err(format!(
                "file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"
            ))
        };
        l.rule(Severity::Error, &t.name, ext_ok);
        if ext != ".yaml" {
            continue;
        }
        let content = rendered
            .get(&format!("{}/{}", chart.name(), t.name))
            .cloned()
            .unwrap_or_default();
        if content.trim().is_empty() {
            continue;
        }
        let docs = match yaml::from_str_all(&content) {
            Ok(d) => d,
            Err(e) => {
                l.rule(
                    Severity::Error,
                    &t.name,
                    Err(format!("unable to parse YAML: {e}")),
                );
                return;
            }
        };
        for doc in docs.iter().filter(|d| matches!(d, Value::Map(_))) {
            l.rule(Severity::Warning, &t.name, validate_metadata_name(doc));
            l.rule(
                Severity::Warning,
                &t.name,
                validate_no_deprecations(doc, opts.kube_version.as_ref()),
            );
            l.rule(
                Severity::Error,
                &t.name,
                validate_match_selector(doc, &content),
            );
        }
    }
}

/// Helm's dependency rules: the subcharts in `charts/` and Chart.yaml's `dependencies` must
/// agree both ways, and names/aliases must be unique. Their findings are reported under the
/// chart's absolute directory, as Helm does.
fn dependencies_rules(l: &mut Linter, dir: &Path) {
    let chart: Chart = match chart::load_dir(dir) {
        Ok(c) => c,
        Err(e) => {
            l.rule(
                Severity::Error,
                "",
                Err(format!("unable to load chart\n\t{e}")),
            );
            return;
        }
    };
    let chart_dir = absolute_dir(dir);
    let declared: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let undeclared: Vec<&str> = chart
        .dependencies
        .iter()
        .map(|c| c.name())
        .filter(|n| !declared.contains(n))
        .collect();
    l.rule(
        Severity::Error,
        &chart_dir,
        if undeclared.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "chart metadata is missing these dependencies: {}",
                undeclared.join(",")
            ))
        },
    );
    let mut seen: Vec<&str> = Vec::new();
    let mut shadowing: Vec<&str> = Vec::new();
    for d in &chart.metadata.dependencies {
        let key = if d.alias.is_empty() {
            d.name.as_str()
        } else {
            d.alias.as_str()
        };
        if seen.contains(&key) {
            shadowing.push(key);
        }
        seen.push(key);
    }
    l.rule(
        Severity::Error,
        &chart_dir,
        if shadowing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "multiple dependencies with name or alias: {}",
                shadowing.join(",")
            ))
        },
    );
    let missing = chart.missing_dependencies();
    l.rule(
        Severity::Warning,
        &chart_dir,
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "chart directory is missing these dependencies: {}",
                missing.join(",")
            ))
        },
    );
}

/// Go's `filepath.Abs`: joined with the current directory and cleaned.
fn absolute_dir(dir: &Path) -> String {
    let text = dir.to_string_lossy();
    if text.starts_with('/') {
        return crate::gocompat::path::clean(&text);
    }
    let cwd = std::env::current_dir()
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::gocompat::path::clean(&format!("{cwd}/{text}"))
}

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(f), Some(last)) => {
            (if first_alpha {
                f.is_ascii_lowercase()
            } else {
                ok(f)
            }) && ok(last)
                && b.iter().all(|c| ok(c) || *c == b'-')
        }
        _ => false,
    }
}

/// Kubernetes' name validation for the object's kind (the `apimachinery` messages).
fn validate_metadata_name(doc: &Value) -> Result<(), String> {
    let kind = field_str(doc, "kind");
    let name = doc
        .as_map()
        .and_then(|m| m.get("metadata"))
        .map(|m| field_str(&m, "name"))
        .unwrap_or_default();
    if name.is_empty() {
        return Ok(());
    }
    let mut errs = Vec::new();
    match kind.as_str() {
        "Namespace" => {
            if name.len() > 63 {
                errs.push("must be no more than 63 characters".to_string());
            }
            if !is_label(&name, false) {
                // apimachinery: a valid subdomain that is not a label can only differ by dots.
                if name.split('.').all(|p| is_label(p, false)) {
                    errs.push("must not contain dots".to_string());
                } else {
                    errs.push(LABEL_MSG.to_string());
                }
            }
        }
        "Service" => {
            if name.len() > 63 {
                errs.push("must be no more than 63 characters".to_string());
            }
            if !is_label(&name, true) {
                errs.push(DNS1035_MSG.to_string());
            }
        }
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            if name == "." || name == ".." {
                errs.push(format!("may not be '{name}'"));
            } else if name.contains('/') {
                errs.push("may not contain '/'".to_string());
            } else if name.contains('%') {
                errs.push("may not contain '%'".to_string());
            }
        }
        _ => {
            if name.len() > 253 {
                errs.push("must be no more than 253 characters".to_string());
            }
            if !name.split('.').all(|p| is_label(p, false)) {
                errs.push(SUBDOMAIN_MSG.to_string());
            }
        }
    }
    let errs: Vec<String> = errs
        .into_iter()
        .map(|m| format!("metadata.name: Invalid value: {}: {m}", go_quote(&name)))
        .collect();
    match errs.len() {
        0 => Ok(()),
        1 => Err(format!(
            "object name does not conform to Kubernetes naming requirements: {}: {}",
            go_quote(&name),
            errs[0]
        )),
        _ => Err(format!(
            "object name does not conform to Kubernetes naming requirements: {}: [{}]",
            go_quote(&name),
            errs.join(", ")
        )),
    }
}

/// Helm's `validateNoDeprecations` for one rendered object.
fn validate_no_deprecations(doc: &Value, kube_version: Option<&KubeVersion>) -> Result<(), String> {
    let (api_version, kind) = (field_str(doc, "apiVersion"), field_str(doc, "kind"));
    match deprecation_warning(&api_version, &kind, kube_version) {
        Some(warning) => Err(warning),
        None => Ok(()),
    }
}

/// Helm's `validateMatchSelector`: workloads need `matchLabels` or `matchExpressions`.
fn validate_match_selector(doc: &Value, manifest: &str) -> Result<(), String> {
    let kind = field_str(doc, "kind");
    if matches!(
        kind.as_str(),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
    ) && !manifest.contains("matchLabels")
        && !manifest.contains("matchExpressions")
    {
        let name = doc
            .as_map()
            .and_then(|m| m.get("metadata"))
            .map(|m| field_str(&m, "name"))
            .unwrap_or_default();
        return Err(format!(
            "a {kind} must contain matchLabels or matchExpressions, and {} does not",
            go_quote(&name)
        ));
    }
    Ok(())
}
