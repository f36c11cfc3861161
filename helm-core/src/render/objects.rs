//! The Go structs Helm puts in a template's top-level object: `.Capabilities` (with
//! `KubeVersion`, `APIVersions`, `HelmVersion`) and `.Files`.
//!
//! They are [`Object`]s rather than maps because charts call their methods
//! (`.Capabilities.APIVersions.Has`, `.Files.Glob`, `.Files.AsConfig`) and because `toJson`,
//! `%T` and `{{ . }}` show them as Go shows the structs. `.Release`, `.Chart` and `.Template` are
//! plain maps in Helm 4 and are built in [`super`].

use crate::values::{go_type_names, yaml, Map, Object, StructField, Value};
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The Kubernetes version `helm template` assumes without `--kube-version` (the client-go
/// version Helm 4.1.4 was built with; checked with the reference).
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// Helm 4.1.4's build information, as `.Capabilities.HelmVersion` shows it.
pub const HELM_VERSION: &str = "v4.1.4";
const HELM_GIT_COMMIT: &str = "05fa37973dc9e42b76e1d2883494c87174b6074f";
const HELM_GIT_TREE_STATE: &str = "clean";
const HELM_GO_VERSION: &str = "go1.25.9";
const HELM_KUBE_CLIENT_VERSION: &str = "v1.35";

/// The API versions `helm template` assumes present (Helm 4.1.4's defaults, in its order).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities.KubeVersion` (`common.KubeVersion`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// `v1.35.0` (always with the `v`).
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "35".into(),
        }
    }
}

impl KubeVersion {
    /// Helm 4's `ParseKubeVersion` (`--kube-version`): apimachinery's `ParseGeneric` checks
    /// the text (two or more dot-separated numbers, an optional `v`, anything after them
    /// ignored), `Version` keeps the text as given with a leading `v`. The `Err` is the reason.
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let comps = parse_generic_version(s)?;
        let version = if s.starts_with('v') {
            s.to_string()
        } else {
            format!("v{s}")
        };
        Ok(KubeVersion {
            version,
            major: comps[0].to_string(),
            minor: comps[1].to_string(),
        })
    }

    /// Go's `String()`: the numeric components only (`v1.19.3` for `v1.19.03-gke.1`), what
    /// `{{ .Capabilities.KubeVersion }}` prints and the chart's `kubeVersion` is checked against.
    pub fn display(&self) -> String {
        // `version` is the input with a `v` put in front: read the input back.
        let input = self.version.strip_prefix('v').unwrap_or(&self.version);
        match parse_generic_version(input) {
            Ok(c) => format!(
                "v{}",
                c.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
            ),
            Err(_) => self.version.clone(),
        }
    }
}

/// apimachinery's `version.ParseGeneric`: `^\s*v?([0-9]+(\.[0-9]+)*)(.*)$`, at least two
/// components, no zero-prefixed first component; the rest of the text is not looked at.
fn parse_generic_version(s: &str) -> Result<Vec<u64>, String> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let t = t.strip_prefix('v').unwrap_or(t);
    let mut end = 0;
    let b = t.as_bytes();
    // Digits, then (".", digits)* — a dot not followed by a digit ends the numbers.
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    if end == 0 {
        return Err(format!("could not parse {s:?} as version"));
    }
    while end + 1 < b.len() && b[end] == b'.' && b[end + 1].is_ascii_digit() {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    let comps: Vec<&str> = t[..end].split('.').collect();
    if comps.len() < 2 {
        return Err(format!("illegal version string {s:?}"));
    }
    let mut out = Vec::with_capacity(comps.len());
    for (i, c) in comps.iter().enumerate() {
        if i == 0 && c.starts_with('0') && *c != "0" {
            return Err(format!(
                "illegal zero-prefixed version component {c:?} in {s:?}"
            ));
        }
        let n: u64 = c
            .parse()
            .map_err(|_| format!("illegal non-numeric version component {c:?} in {s:?}: strconv.ParseUint: parsing {c:?}: value out of range"))?;
        out.push(n);
    }
    Ok(out)
}

impl Object for KubeVersion {
    go_type_names!("common.KubeVersion", "struct");
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "String" | "GitVersion")
    }
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        match name {
            "String" => Ok(Value::str(&self.display())),
            "GitVersion" => Ok(Value::str(&self.version)),
            _ => Err(format!("can't call method {name}")),
        }
    }
    /// fmt prints the struct, its unexported normalized version included.
    fn go_string(&self) -> String {
        format!(
            "{{{} {} {} {}}}",
            self.version,
            self.display(),
            self.major,
            self.minor
        )
    }
    /// An action prints a field through its `String` method (pointer receiver, addressable).
    fn print_string(&self) -> String {
        self.display()
    }
    fn struct_fields(&self) -> Option<Vec<StructField>> {
        Some(vec![
            StructField {
                go_name: "Version",
                json_name: "Version",
                value: Value::str(&self.version),
            },
            StructField {
                go_name: "Major",
                json_name: "Major",
                value: Value::str(&self.major),
            },
            StructField {
                go_name: "Minor",
                json_name: "Minor",
                value: Value::str(&self.minor),
            },
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.APIVersions` (`common.VersionSet`, a `[]string` with a `Has` method).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSet(pub Vec<String>);

impl Object for VersionSet {
    go_type_names!("common.VersionSet", "slice");
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args) {
            ("Has", [Value::String(s)]) => Ok(Value::Bool(self.0.iter().any(|v| v == &**s))),
            ("Has", [other]) => Err(format!(
                "wrong type for value; expected string; got {}",
                other.go_type_name()
            )),
            ("Has", _) => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
            _ => Err(format!("can't call method {name}")),
        }
    }
    fn go_string(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn to_data(&self) -> Value {
        Value::list(self.0.iter().map(Value::str).collect())
    }
    fn is_truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `version.BuildInfo`: Helm 4.1.4's build as `.Capabilities.HelmVersion` shows it
/// ([`BuildInfo::helm`]), and what `helm-rs version` reports of itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    pub version: String,
    pub git_commit: &'static str,
    pub git_tree_state: &'static str,
    pub go_version: &'static str,
    pub kube_client_version: &'static str,
}

impl BuildInfo {
    /// The reference Helm's build.
    pub fn helm() -> Self {
        BuildInfo {
            version: HELM_VERSION.into(),
            git_commit: HELM_GIT_COMMIT,
            git_tree_state: HELM_GIT_TREE_STATE,
            go_version: HELM_GO_VERSION,
            kube_client_version: HELM_KUBE_CLIENT_VERSION,
        }
    }

    /// The fields in Go's order: Go name, `json` tag, value.
    fn fields(&self) -> [(&'static str, &'static str, &str); 5] {
        [
            ("Version", "version", &self.version),
            ("GitCommit", "git_commit", self.git_commit),
            ("GitTreeState", "git_tree_state", self.git_tree_state),
            ("GoVersion", "go_version", self.go_version),
            (
                "KubeClientVersion",
                "kube_client_version",
                self.kube_client_version,
            ),
        ]
    }
}

impl Object for BuildInfo {
    go_type_names!("version.BuildInfo", "struct");
    fn go_string(&self) -> String {
        let values: Vec<&str> = self.fields().into_iter().map(|(_, _, v)| v).collect();
        format!("{{{}}}", values.join(" "))
    }
    fn struct_fields(&self) -> Option<Vec<StructField>> {
        let fields = self.fields().into_iter();
        Some(
            fields
                .map(|(go_name, json_name, v)| StructField {
                    go_name,
                    json_name,
                    value: Value::str(v),
                })
                .collect(),
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities` (`*common.Capabilities`).
#[derive(Clone, Debug)]
pub struct Capabilities {
    pub kube_version: Arc<KubeVersion>,
    pub api_versions: Arc<VersionSet>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities::new(KubeVersion::default(), &[])
    }
}

impl Capabilities {
    /// The defaults plus `extra` API versions (`--api-versions`), with the given Kubernetes version.
    /// A cluster's capabilities as its discovery tells them (Helm's defaults play no part).
    pub fn of_cluster(kube_version: KubeVersion, api_versions: Vec<String>) -> Self {
        Capabilities {
            kube_version: Arc::new(kube_version),
            api_versions: Arc::new(VersionSet(api_versions)),
        }
    }

    pub fn new(kube_version: KubeVersion, extra_api_versions: &[String]) -> Self {
        let mut apis: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        apis.extend(extra_api_versions.iter().cloned());
        Capabilities {
            kube_version: Arc::new(kube_version),
            api_versions: Arc::new(VersionSet(apis)),
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn go_string(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            self.kube_version.go_string(),
            self.api_versions.go_string(),
            BuildInfo::helm().go_string()
        )
    }
    fn struct_fields(&self) -> Option<Vec<StructField>> {
        Some(vec![
            StructField {
                go_name: "KubeVersion",
                json_name: "KubeVersion",
                value: Value::Object(self.kube_version.clone()),
            },
            StructField {
                go_name: "APIVersions",
                json_name: "APIVersions",
                value: Value::Object(self.api_versions.clone()),
            },
            StructField {
                go_name: "HelmVersion",
                json_name: "HelmVersion",
                value: Value::Object(Arc::new(BuildInfo::helm())),
            },
        ])
    }
    fn to_data(&self) -> Value {
        crate::vmap! {
            "KubeVersion" => self.kube_version.to_data(),
            "APIVersions" => self.api_versions.to_data(),
            "HelmVersion" => BuildInfo::helm().to_data(),
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Files` (`engine.files`, a `map[string][]byte` of the chart's non-template files).
#[derive(Clone, Debug, Default)]
pub struct Files(pub BTreeMap<String, Arc<[u8]>>);

impl Files {
    pub fn from_chart_files(files: &[crate::chart::File]) -> Files {
        Files(
            files
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        )
    }

    fn get_str(&self, name: &str) -> String {
        // Go's string(bytes): binary contents kept (see gocompat::gostring).
        self.0
            .get(name)
            .map(|d| crate::gocompat::gostring::from_go_bytes(d))
            .unwrap_or_default()
    }

    /// Helm's `Glob`: the files whose path matches a gobwas/glob pattern with `/` separators
    /// (a pattern that does not compile matches everything, as Helm falls back to `**`).
    pub fn glob(&self, pattern: &str) -> Files {
        let re = glob_regex(pattern);
        Files(
            self.0
                .iter()
                .filter(|(k, _)| re.as_ref().map(|r| r.is_match(k)).unwrap_or(true))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// Helm's `Lines`: the file split on `\n`, without a trailing empty line.
    pub fn lines(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            None => Vec::new(),
            Some(d) => {
                let s = crate::gocompat::gostring::utf8_lossy(d);
                let s = s.strip_suffix('\n').unwrap_or(&s);
                s.split('\n').map(str::to_string).collect()
            }
        }
    }

    fn by_base_name(&self, f: impl Fn(&[u8]) -> String) -> Result<String, String> {
        let m = Map::new();
        for (k, v) in &self.0 {
            let base = k.rsplit('/').next().unwrap_or(k);
            m.insert(base, Value::str(f(v)));
        }
        let y = yaml::to_string(&Value::Map(m)).map_err(|e| e.to_string())?;
        Ok(y.strip_suffix('\n').unwrap_or(&y).to_string())
    }

    /// Helm's `AsConfig`: `toYaml` of base name → content.
    pub fn as_config(&self) -> Result<String, String> {
        self.by_base_name(|d| crate::gocompat::gostring::utf8_lossy(d).into_owned())
    }

    /// Helm's `AsSecrets`: `toYaml` of base name → base64 content.
    pub fn as_secrets(&self) -> Result<String, String> {
        use base64::Engine as _;
        self.by_base_name(|d| base64::engine::general_purpose::STANDARD.encode(d))
    }
}

/// [`glob_regex_uncached`], kept by pattern: charts call `.Files.Glob` with the same few
/// patterns for every resource.
fn glob_regex(pattern: &str) -> Option<regex::Regex> {
    static CACHE: crate::gocompat::regexp::PatternCache<Option<regex::Regex>> =
        crate::gocompat::regexp::PatternCache::new(256);
    CACHE.get(pattern, glob_regex_uncached)
}

/// Translates a gobwas/glob pattern (separator `/`) into an anchored regex.
fn glob_regex_uncached(pattern: &str) -> Option<regex::Regex> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut i = 0;
    let mut in_alt = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    re.push_str(".*");
                    i += 1;
                } else {
                    re.push_str("[^/]*");
                }
            }
            '?' => re.push_str("[^/]"),
            '\\' => {
                i += 1;
                let e = chars.get(i)?;
                re.push_str(&regex::escape(&e.to_string()));
            }
            '[' => {
                let close = chars[i + 1..].iter().position(|&x| x == ']')? + i + 1;
                let mut body: String = chars[i + 1..close].iter().collect();
                if let Some(rest) = body.strip_prefix('!') {
                    body = format!("^{rest}");
                }
                if body.is_empty() || body == "^" {
                    return None;
                }
                re.push('[');
                for ch in body.chars() {
                    if matches!(ch, '[' | ']' | '\\' | '&' | '~') {
                        re.push('\\');
                    }
                    re.push(ch);
                }
                re.push(']');
                i = close;
            }
            '{' => {
                in_alt += 1;
                re.push_str("(?:");
            }
            '}' if in_alt > 0 => {
                in_alt -= 1;
                re.push(')');
            }
            ',' if in_alt > 0 => re.push('|'),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    if in_alt > 0 {
        return None;
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

fn string_arg(method: &str, args: &[Value]) -> Result<String, String> {
    match args {
        [Value::String(s)] => Ok(s.to_string()),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.go_type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )),
    }
}

impl Object for Files {
    go_type_names!("engine.files", "map");
    /// Map indexing (`index .Files "name"`, `.Files.name`) yields the bytes; as for any Go map,
    /// a missing key gives the zero value, an empty `[]byte` (Helm's engine_test: `.Files.author`).
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::Bytes(
            self.0
                .get(name)
                .cloned()
                .unwrap_or_else(|| Arc::from(&[][..])),
        ))
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "AsConfig" | "AsSecrets" | "Lines"
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match name {
            "Get" => Ok(Value::str(self.get_str(&string_arg(name, args)?))),
            "GetBytes" => {
                let n = string_arg(name, args)?;
                Ok(Value::Bytes(
                    self.0
                        .get(&n)
                        .cloned()
                        .unwrap_or_else(|| Arc::from(&[][..])),
                ))
            }
            "Glob" => Ok(Value::Object(Arc::new(self.glob(&string_arg(name, args)?)))),
            "Lines" => Ok(Value::list(
                self.lines(&string_arg(name, args)?)
                    .into_iter()
                    .map(Value::from)
                    .collect(),
            )),
            "AsConfig" | "AsSecrets" => {
                if !args.is_empty() {
                    return Err(format!(
                        "wrong number of args for {name}: want 0 got {}",
                        args.len()
                    ));
                }
                let s = if name == "AsConfig" {
                    self.as_config()?
                } else {
                    self.as_secrets()?
                };
                Ok(Value::str(s))
            }
            _ => Err(format!("can't call method {name}")),
        }
    }
    /// Go's `%v` of `map[string][]byte`: `map[a.txt:[97 10]]`.
    fn go_string(&self) -> String {
        let mut s = String::from("map[");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(k);
            s.push_str(":[");
            let bytes: Vec<String> = v.iter().map(|b| b.to_string()).collect();
            s.push_str(&bytes.join(" "));
            s.push(']');
        }
        s.push(']');
        s
    }
    fn to_data(&self) -> Value {
        Value::Map(
            self.0
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), Value::Bytes(v.clone())))
                .collect(),
        )
    }
    fn is_truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        let mut m = BTreeMap::new();
        m.insert("files/a.txt".to_string(), Arc::from(&b"a\nb: 1\n"[..]));
        m.insert("files/sub/b.conf".to_string(), Arc::from(&b"x=1\n"[..]));
        m.insert("files/c.bin".to_string(), Arc::from(&b"bin\x00\xff"[..]));
        Files(m)
    }

    #[test]
    fn glob_like_gobwas() {
        let f = files();
        // Checked with Helm 4.1.4: `files/*` does not cross `/`, `files/**` does.
        assert_eq!(
            f.glob("files/*").0.keys().collect::<Vec<_>>(),
            vec!["files/a.txt", "files/c.bin"]
        );
        assert_eq!(f.glob("files/**").0.len(), 3);
        assert_eq!(f.glob("files/{a,c}.*").0.len(), 2);
        assert_eq!(f.glob("zz/*").0.len(), 0);
    }

    #[test]
    fn lines_and_print() {
        let f = files();
        // Helm 4.1.4: `{{ .Files.Lines "files/a.txt" }}` → `[a b: 1]`, missing → `[]`.
        assert_eq!(f.lines("files/a.txt"), vec!["a", "b: 1"]);
        assert!(f.lines("nope").is_empty());
        assert_eq!(
            f.glob("files/a*").go_string(),
            "map[files/a.txt:[97 10 98 58 32 49 10]]"
        );
    }

    #[test]
    fn capabilities_defaults() {
        let c = Capabilities::default();
        assert_eq!(c.kube_version.go_string(), "{v1.35.0 v1.35.0 1 35}");
        assert_eq!(c.kube_version.print_string(), "v1.35.0");
        assert_eq!(c.api_versions.0.len(), 57);
        assert_eq!(
            c.api_versions
                .call_method("Has", &[Value::str("apps/v1")])
                .ok(),
            Some(Value::Bool(true))
        );
        assert_eq!(
            BuildInfo::helm().go_string(),
            "{v4.1.4 05fa37973dc9e42b76e1d2883494c87174b6074f clean go1.25.9 v1.35}"
        );
    }

    #[test]
    fn kube_version_parse() {
        let k = KubeVersion::parse("1.28").unwrap_or_default();
        assert_eq!(
            (k.version.as_str(), k.major.as_str(), k.minor.as_str()),
            ("v1.28", "1", "28")
        );
        assert_eq!(
            KubeVersion::parse("v1.19.03-gke.1+b").map(|k| k.display()),
            Ok("v1.19.3".to_string())
        );
        assert_eq!(
            KubeVersion::parse("01.19"),
            Err("illegal zero-prefixed version component \"01\" in \"01.19\"".to_string())
        );
        assert_eq!(
            KubeVersion::parse("1"),
            Err("illegal version string \"1\"".to_string())
        );
        assert!(KubeVersion::parse("abc").is_err());
    }
}
