//! Chart.yaml (`Metadata`), Chart.lock (`Lock`) and their validation, decoded as Helm does.
//!
//! Helm reads Chart.yaml with sigs.k8s.io/yaml into Go structs: YAML becomes JSON, and because
//! the target field types are known, scalars bound for string fields are turned into strings
//! first (`version: 1.0` becomes `"1"`, `appVersion: 1.16` stays `"1.16"`), while a list where a
//! string is expected fails with Go's `json: cannot unmarshal array into Go struct field ...`.
//! Field names match JSON keys case-insensitively, as Go's `encoding/json` does. We decode from
//! the parsed [`Value`] tree with the same rules, so errors and `.Chart` values match Helm's.

use super::ChartError;
use crate::values::{Map, Value};

/// A chart maintainer (`maintainers[]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// One `import-values` entry: a plain child path (`data`, meaning `exports.data`) or a
/// `{child, parent}` mapping. Other shapes are kept as given (Helm keeps `[]interface{}`).
#[derive(Clone, Debug, PartialEq)]
pub enum ImportValue {
    Path(String),
    Map {
        child: String,
        parent: String,
    },
    /// Anything else Helm would carry along untouched (and ignore when importing).
    Other(Value),
}

impl ImportValue {
    pub fn to_value(&self) -> Value {
        match self {
            ImportValue::Path(s) => Value::str(s),
            ImportValue::Map { child, parent } => {
                let m = Map::new();
                m.insert("child", Value::str(child));
                m.insert("parent", Value::str(parent));
                Value::Map(m)
            }
            ImportValue::Other(v) => v.clone(),
        }
    }
}

/// A chart dependency (`dependencies[]` in Chart.yaml or requirements.yaml, and Chart.lock).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    /// `enabled` as written (Helm's `Enabled bool`, default false; set by dependency processing).
    pub enabled: bool,
    pub import_values: Vec<ImportValue>,
    pub alias: String,
}

impl Dependency {
    /// The map `.Chart.Dependencies` entries show (Go field names).
    pub fn to_value(&self) -> Value {
        let m = Map::new();
        m.insert("Alias", Value::str(&self.alias));
        m.insert("Condition", Value::str(&self.condition));
        m.insert("Enabled", Value::Bool(self.enabled));
        m.insert(
            "ImportValues",
            Value::list(
                self.import_values
                    .iter()
                    .map(ImportValue::to_value)
                    .collect(),
            ),
        );
        m.insert("Name", Value::str(&self.name));
        m.insert("Repository", Value::str(&self.repository));
        m.insert(
            "Tags",
            Value::list(self.tags.iter().map(Value::str).collect()),
        );
        m.insert("Version", Value::str(&self.version));
        Value::Map(m)
    }
}

/// Chart.yaml, every field Helm's `chart.Metadata` has.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    /// Deprecated top-level `condition` (still a field of Helm's Metadata).
    pub condition: String,
    /// Deprecated top-level `tags` (a string in Helm's Metadata).
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    /// `annotations` (None when absent: Go's nil map).
    pub annotations: Option<Vec<(String, String)>>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    /// `type`: "", "application" or "library".
    pub chart_type: String,
}

impl Metadata {
    /// `.Chart` for the top-level chart.
    pub fn to_value(&self) -> Value {
        self.to_value_with_root(true)
    }

    /// `.Chart` as Helm 4 gives it to templates: a map keyed by Go field names. `IsRoot` is true
    /// for the chart being installed and false for its subcharts.
    pub fn to_value_with_root(&self, is_root: bool) -> Value {
        let m = Map::new();
        let s = |x: &str| Value::str(x);
        let list = |xs: &[String]| Value::list(xs.iter().map(Value::str).collect());
        m.insert("APIVersion", s(&self.api_version));
        // A map[string]string, nil when Chart.yaml has no annotations (`toJson` writes null).
        let ann = Map::new().with_go_type(if self.annotations.is_some() {
            crate::values::GoMapType::StringMap
        } else {
            crate::values::GoMapType::NilStringMap
        });
        if let Some(a) = &self.annotations {
            for (k, v) in a {
                ann.insert(k.as_str(), Value::str(v));
            }
        }
        m.insert("Annotations", Value::Map(ann));
        m.insert("AppVersion", s(&self.app_version));
        m.insert("Condition", s(&self.condition));
        m.insert(
            "Dependencies",
            Value::list(self.dependencies.iter().map(Dependency::to_value).collect()),
        );
        m.insert("Deprecated", Value::Bool(self.deprecated));
        m.insert("Description", s(&self.description));
        m.insert("Home", s(&self.home));
        m.insert("Icon", s(&self.icon));
        m.insert("IsRoot", Value::Bool(is_root));
        m.insert("Keywords", list(&self.keywords));
        m.insert("KubeVersion", s(&self.kube_version));
        m.insert(
            "Maintainers",
            Value::list(
                self.maintainers
                    .iter()
                    .map(|mt| {
                        let mm = Map::new();
                        mm.insert("Email", s(&mt.email));
                        mm.insert("Name", s(&mt.name));
                        mm.insert("URL", s(&mt.url));
                        Value::Map(mm)
                    })
                    .collect(),
            ),
        );
        m.insert("Name", s(&self.name));
        m.insert("Sources", list(&self.sources));
        m.insert("Tags", s(&self.tags));
        m.insert("Type", s(&self.chart_type));
        m.insert("Version", s(&self.version));
        Value::Map(m)
    }

    /// The JSON form (`json` tags, `omitempty`) Helm writes with `helm show chart`: only set
    /// fields, lowerCamel keys.
    pub fn to_json_value(&self) -> Value {
        let m = Map::new();
        let put_s = |k: &str, v: &str| {
            if !v.is_empty() {
                m.insert(k, Value::str(v));
            }
        };
        put_s("name", &self.name);
        put_s("home", &self.home);
        if !self.sources.is_empty() {
            m.insert(
                "sources",
                Value::list(self.sources.iter().map(Value::str).collect()),
            );
        }
        put_s("version", &self.version);
        put_s("description", &self.description);
        if !self.keywords.is_empty() {
            m.insert(
                "keywords",
                Value::list(self.keywords.iter().map(Value::str).collect()),
            );
        }
        if !self.maintainers.is_empty() {
            m.insert(
                "maintainers",
                Value::list(
                    self.maintainers
                        .iter()
                        .map(|mt| {
                            let mm = Map::new();
                            if !mt.name.is_empty() {
                                mm.insert("name", Value::str(&mt.name));
                            }
                            if !mt.email.is_empty() {
                                mm.insert("email", Value::str(&mt.email));
                            }
                            if !mt.url.is_empty() {
                                mm.insert("url", Value::str(&mt.url));
                            }
                            Value::Map(mm)
                        })
                        .collect(),
                ),
            );
        }
        put_s("icon", &self.icon);
        put_s("apiVersion", &self.api_version);
        put_s("condition", &self.condition);
        put_s("tags", &self.tags);
        put_s("appVersion", &self.app_version);
        if self.deprecated {
            m.insert("deprecated", Value::Bool(true));
        }
        if let Some(a) = &self.annotations {
            if !a.is_empty() {
                let am = Map::new();
                for (k, v) in a {
                    am.insert(k.as_str(), Value::str(v));
                }
                m.insert("annotations", Value::Map(am));
            }
        }
        put_s("kubeVersion", &self.kube_version);
        if !self.dependencies.is_empty() {
            m.insert(
                "dependencies",
                Value::list(self.dependencies.iter().map(dependency_json).collect()),
            );
        }
        put_s("type", &self.chart_type);
        Value::Map(m)
    }

    /// Helm's `Metadata.Validate`: sanitizes strings, then checks required fields, the SemVer
    /// version, the chart type, maintainers and dependency aliases.
    pub fn validate(&mut self) -> Result<(), ChartError> {
        let v = |s: &str| ChartError::Validation(s.to_string());
        for f in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *f = sanitize(f);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err(v("chart.metadata.apiVersion is required"));
        }
        if self.name.is_empty() {
            return Err(v("chart.metadata.name is required"));
        }
        // `.` and `..` name no directory of their own: written out (`template --output-dir`,
        // `package`) they would land beside or above the target.
        if self.name == "." || self.name == ".." {
            return Err(ChartError::Validation(format!(
                "chart.metadata.name {} is not allowed",
                crate::gocompat::strconv::go_quote(&self.name)
            )));
        }
        if self.name != go_base(&self.name) {
            return Err(ChartError::Validation(format!(
                "chart.metadata.name {} is invalid",
                crate::gocompat::strconv::go_quote(&self.name)
            )));
        }
        if self.version.is_empty() {
            return Err(v("chart.metadata.version is required"));
        }
        if !is_valid_semver(&self.version) {
            return Err(ChartError::Validation(format!(
                "chart.metadata.version {} is invalid",
                crate::gocompat::strconv::go_quote(&self.version)
            )));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err(v("chart.metadata.type must be application or library"));
        }
        for m in &mut self.maintainers {
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        let mut seen: Vec<String> = Vec::new();
        for d in &mut self.dependencies {
            d.name = sanitize(&d.name);
            d.version = sanitize(&d.version);
            d.repository = sanitize(&d.repository);
            d.condition = sanitize(&d.condition);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(ChartError::Validation(format!(
                    "dependency {} has disallowed characters in the alias",
                    crate::gocompat::strconv::go_quote(&d.name)
                )));
            }
            let key = if d.alias.is_empty() {
                d.name.clone()
            } else {
                d.alias.clone()
            };
            if seen.contains(&key) {
                return Err(ChartError::Validation(format!(
                    "more than one dependency with name or alias {}",
                    crate::gocompat::strconv::go_quote(&key)
                )));
            }
            seen.push(key);
        }
        Ok(())
    }

    /// The `string` field of Helm's Metadata with this JSON name.
    fn string_field(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "name" => &mut self.name,
            "home" => &mut self.home,
            "version" => &mut self.version,
            "description" => &mut self.description,
            "icon" => &mut self.icon,
            "apiVersion" => &mut self.api_version,
            "condition" => &mut self.condition,
            "tags" => &mut self.tags,
            "appVersion" => &mut self.app_version,
            "kubeVersion" => &mut self.kube_version,
            "type" => &mut self.chart_type,
            _ => return None,
        })
    }

    /// Fills fields from a decoded Chart.yaml (or requirements.yaml) document; fields not present
    /// keep their current values, as `yaml.Unmarshal` into an existing struct does.
    pub fn merge_from(&mut self, doc: &Value, file: &str) -> Result<(), ChartError> {
        let map = match doc {
            Value::Map(m) => m.clone(),
            Value::Nil => return Ok(()),
            other => {
                return Err(decode_err(
                    file,
                    format!(
                        "json: cannot unmarshal {} into Go value of type chart.Metadata",
                        json_kind(other)
                    ),
                ))
            }
        };
        let de = |e: String| decode_err(file, e);
        for (key, val) in map.entries() {
            let Some(field) = match_field(&key, METADATA_FIELDS) else {
                continue;
            };
            let path = format!("Metadata.{field}");
            if let Some(dst) = self.string_field(field) {
                set_string(dst, &val, &path).map_err(de)?;
                continue;
            }
            match field {
                "sources" => set_strings(&mut self.sources, &val, &path).map_err(de)?,
                "keywords" => set_strings(&mut self.keywords, &val, &path).map_err(de)?,
                "maintainers" => {
                    if let Some(items) =
                        decode_list(&val, &path, "[]*chart.Maintainer", decode_maintainer)
                            .map_err(de)?
                    {
                        self.maintainers = items;
                    }
                }
                "deprecated" => set_bool(&mut self.deprecated, &val, &path).map_err(de)?,
                "annotations" => match &val {
                    Value::Nil => {}
                    Value::Map(m) => {
                        let mut out = Vec::new();
                        for (k, v) in m.entries() {
                            let mut s = String::new();
                            set_string(&mut s, &v, &format!("{path}.{k}")).map_err(de)?;
                            out.push((k.to_string(), s));
                        }
                        self.annotations = Some(out);
                    }
                    other => {
                        return Err(de(type_err(other, &path, "map[string]string")));
                    }
                },
                "dependencies" => {
                    let decode = |item: &Value| decode_dependency(item, "Metadata.dependencies");
                    if let Some(items) =
                        decode_list(&val, &path, "[]*chart.Dependency", decode).map_err(de)?
                    {
                        self.dependencies = items;
                    }
                }
                _ => {}
            }
        }
        // Null entries in the lists (`- ` alone) are Go nil pointers, which validation rejects.
        if let Value::Map(m) = doc {
            for (key, val) in m.entries() {
                let field = match_field(&key, METADATA_FIELDS);
                if let (Some("maintainers"), Value::List(l)) = (field, &val) {
                    if l.iter().any(Value::is_nil) {
                        return Err(ChartError::Validation(
                            "maintainers must not contain empty or null nodes".into(),
                        ));
                    }
                }
                if let (Some("dependencies"), Value::List(l)) = (field, &val) {
                    if l.iter().any(Value::is_nil) {
                        return Err(ChartError::Validation(
                            "dependencies must not contain empty or null nodes".into(),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn dependency_json(d: &Dependency) -> Value {
    let m = Map::new();
    m.insert("name", Value::str(&d.name));
    if !d.version.is_empty() {
        m.insert("version", Value::str(&d.version));
    }
    m.insert("repository", Value::str(&d.repository));
    if !d.condition.is_empty() {
        m.insert("condition", Value::str(&d.condition));
    }
    if !d.tags.is_empty() {
        m.insert("tags", Value::list(d.tags.iter().map(Value::str).collect()));
    }
    if d.enabled {
        m.insert("enabled", Value::Bool(true));
    }
    if !d.import_values.is_empty() {
        m.insert(
            "import-values",
            Value::list(d.import_values.iter().map(ImportValue::to_value).collect()),
        );
    }
    if !d.alias.is_empty() {
        m.insert("alias", Value::str(&d.alias));
    }
    Value::Map(m)
}

/// Chart.lock / requirements.lock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lock {
    /// `generated` as written (an RFC 3339 time).
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Dependency>,
}

impl Lock {
    pub fn from_value(doc: &Value, file: &str) -> Result<Lock, ChartError> {
        let mut lock = Lock::default();
        let de = |e: String| decode_err(file, e);
        let map = match doc {
            Value::Map(m) => m.clone(),
            Value::Nil => return Ok(lock),
            other => {
                return Err(de(format!(
                    "json: cannot unmarshal {} into Go value of type chart.Lock",
                    json_kind(other)
                )))
            }
        };
        for (key, val) in map.entries() {
            match match_field(&key, &["generated", "digest", "dependencies"]) {
                Some("generated") => match &val {
                    Value::String(s) => lock.generated = s.to_string(),
                    Value::Nil => {}
                    other => {
                        return Err(de(format!(
                            "json: cannot unmarshal {} into Go struct field Lock.generated of type time.Time",
                            json_kind(other)
                        )))
                    }
                },
                Some("digest") => set_string(&mut lock.digest, &val, "Lock.digest").map_err(de)?,
                Some("dependencies") => {
                    if let Some(items) = list_or_null(&val, "Lock.dependencies", "[]*chart.Dependency").map_err(de)? {
                        for item in items.iter() {
                            lock.dependencies.push(decode_dependency(item, "Lock.dependencies").map_err(de)?);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(lock)
    }
}

/// The JSON field order of Helm's `chart.Metadata` (its Go declaration order): the fields
/// Chart.yaml is matched against, and the order every Go encoder of the struct writes.
pub const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];
/// The JSON field order of Helm's `chart.Maintainer`.
pub const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];
/// The JSON field order of Helm's `chart.Dependency`.
pub const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

fn decode_err(file: &str, message: String) -> ChartError {
    ChartError::Decode {
        file: file.to_string(),
        message: format!("error unmarshaling JSON: while decoding JSON: {message}"),
    }
}

/// Go's `encoding/json` field matching: exact first, then ASCII case-insensitive.
fn match_field(key: &str, fields: &[&'static str]) -> Option<&'static str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| f.eq_ignore_ascii_case(key)))
        .copied()
}

/// The JSON type name Go's decoder names in errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

fn type_err(v: &Value, path: &str, go_type: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go struct field {path} of type {go_type}",
        json_kind(v)
    )
}

/// A float as sigs.k8s.io/yaml turns it into a string for a string field
/// (`strconv.FormatFloat(f, 'g', -1, 64)`); integral values print as integers, as YAML ints do.
pub(crate) fn float_to_string(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    let s = format!("{f}");
    // Rust prints e.g. 1e-7 as 0.0000001; Go's %g switches to exponent below 1e-4.
    if f.abs() < 1e-4 {
        let e = format!("{f:e}");
        if let Some((mant, exp)) = e.split_once('e') {
            let exp: i32 = exp.parse().unwrap_or(0);
            let sign = if exp < 0 { '-' } else { '+' };
            return format!("{mant}e{sign}{:02}", exp.abs());
        }
    }
    s
}

/// A scalar as a string field receives it.
fn scalar_string(v: &Value, path: &str) -> Result<Option<String>, String> {
    Ok(Some(match v {
        Value::Nil => return Ok(None),
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => float_to_string(*f),
        other => return Err(type_err(other, path, "string")),
    }))
}

fn set_string(dst: &mut String, v: &Value, path: &str) -> Result<(), String> {
    if let Some(s) = scalar_string(v, path)? {
        *dst = s;
    }
    Ok(())
}

fn set_bool(dst: &mut bool, v: &Value, path: &str) -> Result<(), String> {
    match v {
        Value::Nil => Ok(()),
        Value::Bool(b) => {
            *dst = *b;
            Ok(())
        }
        other => Err(type_err(other, path, "bool")),
    }
}

/// A list of `go_type` (or null: None) with each item decoded by `decode`.
fn decode_list<T>(
    v: &Value,
    path: &str,
    go_type: &str,
    decode: impl Fn(&Value) -> Result<T, String>,
) -> Result<Option<Vec<T>>, String> {
    let Some(items) = list_or_null(v, path, go_type)? else {
        return Ok(None);
    };
    items
        .iter()
        .map(decode)
        .collect::<Result<Vec<T>, String>>()
        .map(Some)
}

fn list_or_null(
    v: &Value,
    path: &str,
    go_type: &str,
) -> Result<Option<std::sync::Arc<crate::values::ValueList>>, String> {
    match v {
        Value::Nil => Ok(None),
        Value::List(l) => Ok(Some(l.clone())),
        other => Err(type_err(other, path, go_type)),
    }
}

fn set_strings(dst: &mut Vec<String>, v: &Value, path: &str) -> Result<(), String> {
    if let Some(items) = decode_list(v, path, "[]string", |item| {
        Ok(scalar_string(item, path)?.unwrap_or_default())
    })? {
        *dst = items;
    }
    Ok(())
}

fn decode_maintainer(v: &Value) -> Result<Maintainer, String> {
    let mut m = Maintainer::default();
    match v {
        Value::Nil => {}
        Value::Map(map) => {
            for (k, val) in map.entries() {
                match match_field(&k, MAINTAINER_FIELDS) {
                    Some("name") => set_string(&mut m.name, &val, "Metadata.maintainers.name")?,
                    Some("email") => set_string(&mut m.email, &val, "Metadata.maintainers.email")?,
                    Some("url") => set_string(&mut m.url, &val, "Metadata.maintainers.url")?,
                    _ => {}
                }
            }
        }
        other => return Err(type_err(other, "Metadata.maintainers", "chart.Maintainer")),
    }
    Ok(m)
}

fn decode_dependency(v: &Value, prefix: &str) -> Result<Dependency, String> {
    let mut d = Dependency::default();
    match v {
        Value::Nil => {}
        Value::Map(map) => {
            for (k, val) in map.entries() {
                let Some(field) = match_field(&k, DEPENDENCY_FIELDS) else {
                    continue;
                };
                let path = format!("{prefix}.{field}");
                match field {
                    "name" => set_string(&mut d.name, &val, &path)?,
                    "version" => set_string(&mut d.version, &val, &path)?,
                    "repository" => set_string(&mut d.repository, &val, &path)?,
                    "condition" => set_string(&mut d.condition, &val, &path)?,
                    "tags" => set_strings(&mut d.tags, &val, &path)?,
                    "enabled" => set_bool(&mut d.enabled, &val, &path)?,
                    "import-values" => {
                        if let Some(items) = list_or_null(&val, &path, "[]interface {}")? {
                            d.import_values = items.iter().map(decode_import_value).collect();
                        }
                    }
                    "alias" => set_string(&mut d.alias, &val, &path)?,
                    _ => {}
                }
            }
        }
        other => return Err(type_err(other, prefix, "chart.Dependency")),
    }
    Ok(d)
}

fn decode_import_value(v: &Value) -> ImportValue {
    match v {
        Value::String(s) => ImportValue::Path(s.to_string()),
        Value::Map(m) => {
            let child = m.get("child");
            let parent = m.get("parent");
            match (
                child.as_ref().and_then(Value::as_str),
                parent.as_ref().and_then(Value::as_str),
            ) {
                (Some(c), Some(p)) if m.len() == 2 => ImportValue::Map {
                    child: c.to_string(),
                    parent: p.to_string(),
                },
                _ => ImportValue::Other(v.clone()),
            }
        }
        other => ImportValue::Other(other.clone()),
    }
}

/// Helm's `sanitizeString`: whitespace becomes a space, non-printable runes are dropped.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_unprintable(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// A few non-printable classes Go's `unicode.IsPrint` rejects beyond control characters
/// (format characters such as zero-width joiners and the BOM, private use, unassigned surrogates).
fn is_unprintable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// Go's `filepath.Base` for the name check (`a/b` → `b`, `a/` → `a`).
fn go_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Masterminds semver's `NewVersion` (lenient): optional `v`, 1–3 numeric parts, dotted
/// prerelease (numeric identifiers without leading zeros) and build metadata.
pub fn is_valid_semver(v: &str) -> bool {
    let s = v.strip_prefix('v').unwrap_or(v);
    let (rest, build) = match s.split_once('+') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return false;
    }
    for p in &parts {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u64>().is_err() {
            return false;
        }
    }
    let ident_ok =
        |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if let Some(pre) = pre {
        for id in pre.split('.') {
            if !ident_ok(id) {
                return false;
            }
            if id.bytes().all(|b| b.is_ascii_digit()) && id.len() > 1 && id.starts_with('0') {
                return false;
            }
        }
    }
    if let Some(build) = build {
        if !build.split('.').all(ident_ok) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_like_helm() {
        // Checked against Helm 4.1.4 (`helm template` on a chart with each version).
        for ok in ["1.2", "1", "v1", "01.2.3", "1.2.3+b.1", "1.2.3-0a", "1.0.0"] {
            assert!(is_valid_semver(ok), "{ok}");
        }
        for bad in ["1.2.3-01", "1.2.3.4", " 1.2.3", "1.2.3-a..b", "v1.x", ""] {
            assert!(!is_valid_semver(bad), "{bad}");
        }
    }

    #[test]
    fn floats_become_strings_like_go() {
        assert_eq!(float_to_string(1.0), "1");
        assert_eq!(float_to_string(1.16), "1.16");
        assert_eq!(float_to_string(1.1), "1.1");
    }

    #[test]
    fn decode_and_validate() {
        let doc = crate::vmap! {
            "apiVersion" => "v2", "Name" => "x", "version" => 1.0,
            "keywords" => vec![Value::str("a"), Value::Float(1.0)],
        };
        let mut md = Metadata::default();
        md.merge_from(&doc, "Chart.yaml").unwrap();
        assert_eq!(md.name, "x");
        assert_eq!(md.version, "1");
        assert_eq!(md.keywords, vec!["a".to_string(), "1".to_string()]);
        md.validate().unwrap();

        let bad = crate::vmap! {"keywords" => 3.0};
        let e = Metadata::default()
            .merge_from(&bad, "Chart.yaml")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field Metadata.keywords of type []string"
        );
    }
}
