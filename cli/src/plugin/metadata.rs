//! `plugin.yaml`, in the two shapes Helm 4 reads, turned into one [`Metadata`]:
//!
//! * legacy (no `apiVersion`): Helm 3's file (`name`, `version`, `usage`, `description`,
//!   `command`/`platformCommand`, `ignoreFlags`, `hooks`/`platformHooks`, `downloaders`), read
//!   leniently (unknown fields are ignored); a plugin with `downloaders` is a `getter/v1`
//!   plugin, any other a `cli/v1` one;
//! * `apiVersion: v1`: `type` (`cli/v1`, `getter/v1`, `postrenderer/v1`), `runtime`
//!   (`subprocess`, or `extism/v1`: a WebAssembly module run by [`super::extism`]), `config` and
//!   `runtimeConfig`, read strictly (an unknown field is an error, as Go's `KnownFields`), except
//!   that Helm re-reads `runtimeConfig` leniently into its runtime's settings.
//!
//! The checks and their messages are Helm's, in Helm's order, because `helm plugin list` and
//! every command print them as warnings for a broken plugin. YAML goes through helm-core's
//! reader, which keeps no positions; the `line N` of an unknown-field error is found by
//! looking for the key in the text.

use helm_core::values::yaml;
use helm_core::Value;

/// One of a plugin's commands: for an OS/architecture (empty: any), the command line (split on
/// spaces) and its arguments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlatformCommand {
    pub os: String,
    pub arch: String,
    pub command: String,
    pub args: Vec<String>,
}

/// A getter's command for some URL schemes (a legacy `downloaders:` entry, or a v1
/// `runtimeConfig.protocolCommands` entry).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProtocolCommand {
    pub protocols: Vec<String>,
    pub platform_command: Vec<PlatformCommand>,
}

/// The `subprocess` runtime's configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubprocessConfig {
    pub platform_command: Vec<PlatformCommand>,
    /// Event (`install`, `update`, `delete`) → commands.
    pub platform_hooks: Vec<(String, Vec<PlatformCommand>)>,
    pub protocol_commands: Vec<ProtocolCommand>,
    /// Whether `$VAR`s in hook arguments are expanded: not for a legacy `hooks:` string, which
    /// runs through `sh -c` and lets the shell expand them.
    pub expand_hook_args: bool,
}

/// The `extism/v1` runtime's configuration (`runtimeConfig`), as Helm's
/// `RuntimeConfigExtismV1`: zero values where the file says nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExtismConfig {
    /// `memory.maxPages`: the most 64 KiB pages each of the plugin's memories may have (0: no
    /// limit of the plugin's own).
    pub max_pages: u32,
    /// `memory.maxHttpResponseBytes`.
    pub max_http_response_bytes: i64,
    /// `memory.maxVarBytes`: the room for Extism variables (0, the default, disables them, as
    /// in Helm, which passes its zero on).
    pub max_var_bytes: i64,
    /// `config`: the values the plugin reads with the Extism `config_get`.
    pub config: std::collections::BTreeMap<String, String>,
    /// `allowedHosts`.
    pub allowed_hosts: Vec<String>,
    /// `fileSystem.createTempDir`: a fresh host directory mapped to the plugin's `/tmp`.
    pub create_temp_dir: bool,
    /// `timeout`, in milliseconds (0: none).
    pub timeout_ms: u64,
    /// `hostFunctions`: names of host functions (Helm offers none).
    pub host_functions: Vec<String>,
    /// `entryFuncName` (empty: `helm_plugin_main`).
    pub entry_func_name: String,
}

/// The type-specific `config`.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeConfig {
    Cli {
        usage: String,
        short_help: String,
        long_help: String,
        ignore_flags: bool,
    },
    Getter {
        protocols: Vec<String>,
    },
    PostRenderer,
    /// Helm's internal `test/v1` type (accepted by the loader).
    Test,
}

/// A plugin's description, whichever file shape it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    /// `legacy` or `v1`.
    pub api_version: String,
    pub name: String,
    /// `cli/v1`, `getter/v1`, `postrenderer/v1`.
    pub kind: String,
    /// `subprocess` or `extism/v1`.
    pub runtime: String,
    pub version: String,
    pub source_url: String,
    pub config: TypeConfig,
    /// Present for the `subprocess` runtime.
    pub subprocess: Option<SubprocessConfig>,
    /// Present for the `extism/v1` runtime.
    pub extism: Option<ExtismConfig>,
}

/// `^[A-Za-z0-9_-]+$`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Masterminds' `StrictNewVersion`: exactly `MAJOR.MINOR.PATCH[-pre][+meta]`, no `v`, no
/// leading zeros.
pub fn strict_semver(v: &str) -> bool {
    let (rest, meta) = match v.split_once('+') {
        Some((r, m)) => (r, Some(m)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let numbers_ok = parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
                && p.parse::<u64>().is_ok()
        });
    numbers_ok
        && pre.is_none_or(|p| helm_core::gocompat::semver::validate_prerelease(p).is_ok())
        && meta.is_none_or(|m| helm_core::gocompat::semver::validate_metadata(m).is_ok())
}

/// A YAML scalar as yaml.v3 decodes it into a Go `string` field.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Nil => Some(String::new()),
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Some(i.to_string()),
        Value::Uint(u) => Some(u.to_string()),
        Value::Float(f) => Some(yaml::format_go_float_g(*f, false)),
        _ => None,
    }
}

/// Reads typed fields out of a decoded YAML map, recording yaml.v3's type errors.
struct Fields<'a> {
    doc: Option<&'a helm_core::values::Map>,
    /// (key, yaml.v3's message) of each value that does not fit its Go type.
    errors: Vec<(String, String)>,
}

fn kind_tag(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "!!map",
        Value::List(_) => "!!seq",
        Value::Bool(_) => "!!bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) => "!!int",
        Value::Float(_) => "!!float",
        _ => "!!str",
    }
}

impl<'a> Fields<'a> {
    fn new(v: &'a Value) -> Fields<'a> {
        Fields {
            doc: v.as_map(),
            errors: Vec::new(),
        }
    }
    fn get(&self, key: &str) -> Option<Value> {
        self.doc.and_then(|m| m.get(key)).filter(|v| !v.is_nil())
    }
    fn string(&mut self, key: &str) -> String {
        let Some(v) = self.get(key) else {
            return String::new();
        };
        scalar_text(&v).unwrap_or_else(|| {
            self.errors.push((
                key.into(),
                format!("cannot unmarshal {} into string", kind_tag(&v)),
            ));
            String::new()
        })
    }
    fn boolean(&mut self, key: &str) -> bool {
        match self.get(key) {
            None => false,
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) if matches!(&*s, "true" | "false") => &*s == "true",
            Some(v) => {
                self.errors.push((
                    key.into(),
                    format!(
                        "cannot unmarshal {} `{}` into bool",
                        kind_tag(&v),
                        scalar_text(&v).unwrap_or_default()
                    ),
                ));
                false
            }
        }
    }
    fn strings(&mut self, key: &str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::List(l)) => l.iter().filter_map(scalar_text).collect(),
            Some(v) => {
                self.errors.push((
                    key.into(),
                    format!("cannot unmarshal {} into []string", kind_tag(&v)),
                ));
                Vec::new()
            }
        }
    }
    fn platform_commands(&mut self, key: &str) -> Vec<PlatformCommand> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::List(l)) => l.iter().map(|c| self.platform_command(c)).collect(),
            Some(v) => {
                self.errors.push((
                    key.into(),
                    format!(
                        "cannot unmarshal {} into []plugin.PlatformCommand",
                        kind_tag(&v)
                    ),
                ));
                Vec::new()
            }
        }
    }
    fn platform_command(&mut self, v: &Value) -> PlatformCommand {
        let mut f = Fields::new(v);
        let c = PlatformCommand {
            os: f.string("os"),
            arch: f.string("arch"),
            command: f.string("command"),
            args: f.strings("args"),
        };
        self.errors.append(&mut f.errors);
        c
    }
    fn platform_hooks(&mut self, key: &str) -> Vec<(String, Vec<PlatformCommand>)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let Some(m) = v.as_map() else {
            self.errors.push((
                key.into(),
                format!(
                    "cannot unmarshal {} into plugin.PlatformHooks",
                    kind_tag(&v)
                ),
            ));
            return Vec::new();
        };
        m.entries()
            .into_iter()
            .map(|(event, _)| {
                let mut f = Fields::new(&v);
                let cmds = f.platform_commands(&event);
                self.errors.append(&mut f.errors);
                (event.to_string(), cmds)
            })
            .collect()
    }
}

/// `yaml: unmarshal errors:` with one line per problem, as yaml.v3 reports them.
fn unmarshal_errors(lines: &[(usize, String)]) -> String {
    let mut s = "yaml: unmarshal errors:".to_string();
    for (line, msg) in lines {
        s.push_str(&format!("\n  line {line}: {msg}"));
    }
    s
}

/// The 1-based line where `key:` starts at `indent` columns (0 when not found).
fn key_line(text: &str, key: &str, indent: Option<usize>) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            let col = l.len() - t.len();
            indent.is_none_or(|i| i == col)
                && (t.starts_with(&format!("{key}:"))
                    || t.starts_with(&format!("\"{key}\":"))
                    || t.starts_with(&format!("'{key}':")))
        })
        .map(|i| i + 1)
        .unwrap_or(0)
}

/// Reads `plugin.yaml` text: Helm's `loadMetadata`.
pub fn load(text: &str) -> Result<Metadata, String> {
    if text.trim().is_empty() || text.lines().all(|l| l.trim_start().starts_with('#')) {
        return Err("failed to peek plugin.yaml API version: EOF".into());
    }
    let doc = yaml::from_str(text).map_err(|e| {
        let msg = e
            .message
            .trim_start_matches("error converting YAML to JSON: ");
        format!("failed to peek plugin.yaml API version: {msg}")
    })?;
    if doc.as_map().is_none() {
        return Err(format!(
            "failed to peek plugin.yaml API version: {}",
            unmarshal_errors(&[(
                1,
                format!("cannot unmarshal {} into plugin.apiVersion", kind_tag(&doc))
            )])
        ));
    }
    let api_version = Fields::new(&doc).string("apiVersion");
    match api_version.as_str() {
        "" => load_legacy(&doc, text),
        "v1" => load_v1(&doc, text),
        other => Err(format!("invalid plugin apiVersion: {other:?}")),
    }
}

/// yaml.v3's lines for type errors: the line of the key (helm-core's reader keeps no
/// positions, so the key is looked up in the text: at the top level first, else anywhere).
fn located(errors: &[(String, String)], text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = errors
        .iter()
        .map(|(key, msg)| {
            let line = match key_line(text, key, Some(0)) {
                0 => key_line(text, key, None).max(1),
                n => n,
            };
            (line, msg.clone())
        })
        .collect();
    lines.sort_by_key(|(l, _)| *l);
    lines
}

fn load_legacy(doc: &Value, text: &str) -> Result<Metadata, String> {
    let mut f = Fields::new(doc);
    let name = f.string("name");
    let version = f.string("version");
    let usage = f.string("usage");
    let description = f.string("description");
    let platform_command = f.platform_commands("platformCommand");
    let command = f.string("command");
    let ignore_flags = f.boolean("ignoreFlags");
    let platform_hooks = f.platform_hooks("platformHooks");
    let hooks: Vec<(String, String)> = match f.get("hooks") {
        Some(Value::Map(m)) => m
            .entries()
            .into_iter()
            .map(|(k, v)| (k.to_string(), scalar_text(&v).unwrap_or_default()))
            .collect(),
        _ => Vec::new(),
    };
    let downloaders: Vec<(Vec<String>, String)> = match f.get("downloaders") {
        Some(Value::List(l)) => l
            .iter()
            .map(|d| {
                let mut g = Fields::new(d);
                let protocols = g.strings("protocols");
                let command = g.string("command");
                f.errors.append(&mut g.errors);
                (protocols, command)
            })
            .collect(),
        _ => Vec::new(),
    };
    if !f.errors.is_empty() {
        return Err(unmarshal_errors(&located(&f.errors, text)));
    }
    // MetadataLegacy.Validate: the first problem only.
    if !valid_name(&name) {
        return Err(format!(
            "invalid plugin name {name:?}: must contain only a-z, A-Z, 0-9, _ and -"
        ));
    }
    if !version.is_empty() && !strict_semver(&version) {
        return Err(format!(
            "invalid plugin version {version:?}: must be valid semver"
        ));
    }
    let usage = sanitize(&usage);
    if !platform_command.is_empty() && !command.is_empty() {
        return Err("both platformCommand and command are set".into());
    }
    if !platform_hooks.is_empty() && !hooks.is_empty() {
        return Err("both platformHooks and hooks are set".into());
    }
    for (i, (protocols, command)) in downloaders.iter().enumerate() {
        if command.is_empty() {
            return Err(format!("downloader {i} has empty command"));
        }
        if protocols.is_empty() {
            return Err(format!("downloader {i} has no protocols"));
        }
        if let Some(j) = protocols.iter().position(String::is_empty) {
            return Err(format!("downloader {i} has empty protocol at index {j}"));
        }
    }
    let (kind, config) = if downloaders.is_empty() {
        (
            "cli/v1",
            TypeConfig::Cli {
                usage: String::new(),
                short_help: usage,
                long_help: description,
                ignore_flags,
            },
        )
    } else {
        (
            "getter/v1",
            TypeConfig::Getter {
                protocols: downloaders.iter().flat_map(|d| d.0.clone()).collect(),
            },
        )
    };
    let platform_command = if platform_command.is_empty() && !command.is_empty() {
        vec![PlatformCommand {
            command,
            ..Default::default()
        }]
    } else {
        platform_command
    };
    let (platform_hooks, expand_hook_args) = if platform_hooks.is_empty() && !hooks.is_empty() {
        let hooks = hooks
            .into_iter()
            .map(|(event, cmd)| {
                (
                    event,
                    vec![PlatformCommand {
                        command: "sh".into(),
                        args: vec!["-c".into(), cmd],
                        ..Default::default()
                    }],
                )
            })
            .collect();
        (hooks, false)
    } else {
        (platform_hooks, true)
    };
    let m = Metadata {
        api_version: "legacy".into(),
        name,
        kind: kind.into(),
        runtime: "subprocess".into(),
        version,
        source_url: String::new(),
        config,
        extism: None,
        subprocess: Some(SubprocessConfig {
            platform_command,
            platform_hooks,
            protocol_commands: downloaders
                .into_iter()
                .map(|(protocols, command)| ProtocolCommand {
                    protocols,
                    platform_command: vec![PlatformCommand {
                        command,
                        ..Default::default()
                    }],
                })
                .collect(),
            expand_hook_args,
        }),
    };
    m.validate()?;
    Ok(m)
}

const V1_FIELDS: &[&str] = &[
    "apiVersion",
    "name",
    "type",
    "runtime",
    "version",
    "sourceURL",
    "config",
    "runtimeConfig",
];

fn load_v1(doc: &Value, text: &str) -> Result<Metadata, String> {
    let map = doc.as_map().expect("checked by load");
    let mut unknown: Vec<(usize, String)> = map
        .keys()
        .iter()
        .filter(|k| !V1_FIELDS.contains(&&***k))
        .map(|k| {
            (
                key_line(text, k, Some(0)),
                format!("field {k} not found in type plugin.MetadataV1"),
            )
        })
        .collect();
    let mut f = Fields::new(doc);
    let name = f.string("name");
    let kind = f.string("type");
    let runtime = f.string("runtime");
    let version = f.string("version");
    let source_url = f.string("sourceURL");
    let api_version = f.string("apiVersion");
    unknown.extend(located(&f.errors, text));
    if !unknown.is_empty() {
        unknown.sort();
        return Err(unmarshal_errors(&unknown));
    }
    if !valid_name(&name) {
        return Err("invalid plugin `name`".into());
    }
    if version.is_empty() {
        return Err("plugin `version` is required".into());
    }
    if !strict_semver(&version) {
        return Err(format!(
            "invalid plugin `version` {version:?}: must be valid semver"
        ));
    }
    if api_version != "v1" {
        return Err(format!("invalid `apiVersion`: {api_version:?}"));
    }
    if kind.is_empty() {
        return Err("`type` missing".into());
    }
    if runtime.is_empty() {
        return Err("`runtime` missing".into());
    }
    let wrap = |e: String| format!("failed to convert MetadataV1 to Metadata: {e}");
    let config = v1_config(&kind, f.get("config")).map_err(wrap)?;
    let mut extism = None;
    let subprocess = match runtime.as_str() {
        "subprocess" => Some(v1_subprocess(f.get("runtimeConfig")).map_err(|e| {
            wrap(format!(
                "failed to unmarshal runtimeConfig for subprocess runtime: {e}"
            ))
        })?),
        "extism/v1" => {
            extism = Some(v1_extism(f.get("runtimeConfig")).map_err(|e| {
                wrap(format!(
                    "failed to unmarshal runtimeConfig for extism/v1 runtime: {e}"
                ))
            })?);
            None
        }
        other => {
            return Err(wrap(format!("unsupported plugin runtime type: {other:?}")));
        }
    };
    let m = Metadata {
        api_version,
        name,
        kind,
        runtime,
        version,
        source_url,
        config,
        subprocess,
        extism,
    };
    m.validate()?;
    Ok(m)
}

/// The `config` of a v1 plugin, read strictly into its type's Go struct (Helm re-marshals the
/// map, so an unknown field's line is its place among the sorted keys).
fn v1_config(kind: &str, raw: Option<Value>) -> Result<TypeConfig, String> {
    let (go_type, fields): (&str, &[&str]) = match kind {
        "cli/v1" => (
            "schema.ConfigCLIV1",
            &["usage", "shortHelp", "longHelp", "ignoreFlags"],
        ),
        "getter/v1" => ("schema.ConfigGetterV1", &["protocols"]),
        "postrenderer/v1" => ("schema.ConfigPostRendererV1", &[]),
        "test/v1" => ("schema.ConfigTestV1", &[]),
        other => return Err(format!("unknown plugin type {other:?}")),
    };
    let raw = raw.unwrap_or_else(Value::empty_map);
    if let Some(m) = raw.as_map() {
        let mut line = 1;
        let mut unknown = Vec::new();
        for (k, v) in m.entries() {
            if !fields.contains(&&*k) {
                unknown.push((line, format!("field {k} not found in type {go_type}")));
            }
            line += yaml::to_string(&Value::Map(helm_core::values::Map::from_btree(
                [(k.clone(), v)].into_iter().collect(),
            )))
            .map(|s| s.lines().count())
            .unwrap_or(1);
        }
        if !unknown.is_empty() {
            return Err(unmarshal_errors(&unknown));
        }
    }
    let mut f = Fields::new(&raw);
    let config = match kind {
        "cli/v1" => TypeConfig::Cli {
            usage: f.string("usage"),
            short_help: f.string("shortHelp"),
            long_help: f.string("longHelp"),
            ignore_flags: f.boolean("ignoreFlags"),
        },
        "getter/v1" => TypeConfig::Getter {
            protocols: f.strings("protocols"),
        },
        "postrenderer/v1" => TypeConfig::PostRenderer,
        _ => TypeConfig::Test,
    };
    if !f.errors.is_empty() {
        let lines: Vec<(usize, String)> = f.errors.iter().map(|e| (1, e.1.clone())).collect();
        return Err(unmarshal_errors(&lines));
    }
    Ok(config)
}

fn v1_subprocess(raw: Option<Value>) -> Result<SubprocessConfig, String> {
    let raw = raw.unwrap_or_else(Value::empty_map);
    let mut f = Fields::new(&raw);
    let platform_command = f.platform_commands("platformCommand");
    let platform_hooks = f.platform_hooks("platformHooks");
    let protocol_commands = match f.get("protocolCommands") {
        Some(Value::List(l)) => l
            .iter()
            .map(|p| {
                let mut g = Fields::new(p);
                let c = ProtocolCommand {
                    protocols: g.strings("protocols"),
                    platform_command: g.platform_commands("platformCommand"),
                };
                f.errors.append(&mut g.errors);
                c
            })
            .collect(),
        _ => Vec::new(),
    };
    if !f.errors.is_empty() {
        let lines: Vec<(usize, String)> = f.errors.iter().map(|e| (1, e.1.clone())).collect();
        return Err(unmarshal_errors(&lines));
    }
    Ok(SubprocessConfig {
        platform_command,
        platform_hooks,
        protocol_commands,
        // Helm decodes this struct from YAML, which cannot set its unexported flag: a v1
        // plugin's hook arguments are not expanded (its command is).
        expand_hook_args: false,
    })
}

/// A YAML integer for a Go integer field (yaml.v3: a number that fits, or a quoted-free
/// decimal string of one).
fn integer(f: &mut Fields, key: &str, go_type: &str, fits: impl Fn(i128) -> bool) -> i128 {
    let Some(v) = f.get(key) else {
        return 0;
    };
    let n = match &v {
        Value::Int(i) | Value::Int64(i) => Some(*i as i128),
        Value::Uint(u) => Some(*u as i128),
        Value::Float(x) if x.fract() == 0.0 => Some(*x as i128),
        _ => None,
    };
    match n.filter(|n| fits(*n)) {
        Some(n) => n,
        None => {
            f.errors.push((
                key.into(),
                format!(
                    "cannot unmarshal {} `{}` into {go_type}",
                    kind_tag(&v),
                    scalar_text(&v).unwrap_or_default()
                ),
            ));
            0
        }
    }
}

/// The `extism/v1` `runtimeConfig`, read as Helm reads it (unknown fields ignored).
fn v1_extism(raw: Option<Value>) -> Result<ExtismConfig, String> {
    let raw = raw.unwrap_or_else(Value::empty_map);
    let mut f = Fields::new(&raw);
    let memory = f.get("memory").unwrap_or_else(Value::empty_map);
    let mut m = Fields::new(&memory);
    let max_pages = integer(&mut m, "maxPages", "uint32", |n| {
        (0..=u32::MAX as i128).contains(&n)
    }) as u32;
    let in_i64 = |n: i128| (i64::MIN as i128..=i64::MAX as i128).contains(&n);
    let max_http_response_bytes = integer(&mut m, "maxHttpResponseBytes", "int64", in_i64) as i64;
    let max_var_bytes = integer(&mut m, "maxVarBytes", "int64", in_i64) as i64;
    f.errors.append(&mut m.errors);
    let config = match f.get("config") {
        None => Default::default(),
        Some(Value::Map(c)) => c
            .entries()
            .into_iter()
            .map(|(k, v)| (k.to_string(), scalar_text(&v).unwrap_or_default()))
            .collect(),
        Some(v) => {
            f.errors.push((
                "config".into(),
                format!("cannot unmarshal {} into map[string]string", kind_tag(&v)),
            ));
            Default::default()
        }
    };
    let allowed_hosts = f.strings("allowedHosts");
    let fs = f.get("fileSystem").unwrap_or_else(Value::empty_map);
    let mut g = Fields::new(&fs);
    let create_temp_dir = g.boolean("createTempDir");
    f.errors.append(&mut g.errors);
    let timeout_ms = integer(&mut f, "timeout", "uint64", |n| {
        (0..=u64::MAX as i128).contains(&n)
    }) as u64;
    let host_functions = f.strings("hostFunctions");
    let entry_func_name = f.string("entryFuncName");
    if !f.errors.is_empty() {
        // Helm decodes the map after writing it out again (keys sorted): the lines are there.
        let text = yaml::to_string(&raw).unwrap_or_default();
        return Err(unmarshal_errors(&located(&f.errors, &text)));
    }
    Ok(ExtismConfig {
        max_pages,
        max_http_response_bytes,
        max_var_bytes,
        config,
        allowed_hosts,
        create_temp_dir,
        timeout_ms,
        host_functions,
        entry_func_name,
    })
}

impl Metadata {
    /// Helm's `Metadata.Validate`: every problem, one per line.
    fn validate(&self) -> Result<(), String> {
        let mut errs = Vec::new();
        if !valid_name(&self.name) {
            errs.push(format!(
                "invalid plugin name {:?}: must contain only a-z, A-Z, 0-9, _ and -",
                self.name
            ));
        }
        if !self.version.is_empty() && !strict_semver(&self.version) {
            errs.push(format!(
                "invalid plugin version {:?}: must be valid semver",
                self.version
            ));
        }
        if let TypeConfig::Getter { protocols } = &self.config {
            if protocols.is_empty() {
                errs.push("config validation failed: getter has no protocols".into());
            } else if let Some(i) = protocols.iter().position(String::is_empty) {
                errs.push(format!(
                    "config validation failed: getter has empty protocol at index {i}"
                ));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs.join("\n"))
        }
    }

    /// The cli/v1 settings (usage, short help, long help, ignoreFlags), when a CLI plugin.
    pub fn cli(&self) -> Option<(&str, &str, &str, bool)> {
        match &self.config {
            TypeConfig::Cli {
                usage,
                short_help,
                long_help,
                ignore_flags,
            } => Some((usage, short_help, long_help, *ignore_flags)),
            _ => None,
        }
    }
}

/// Go's `sanitizeString`: spaces become ' ', unprintable characters go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if helm_core::gocompat::strconv::is_go_printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_semver_is_masterminds_strict() {
        for ok in ["0.1.0", "1.2.3-rc.1", "1.2.3+build.5", "10.20.30"] {
            assert!(strict_semver(ok), "{ok}");
        }
        for bad in ["1.0", "v1.2.3", "01.2.3", "1.2", "1.2.3.4", "", "1.2.3-"] {
            assert!(!strict_semver(bad), "{bad}");
        }
    }

    #[test]
    fn legacy_command_becomes_a_platform_command_and_hooks_run_through_sh() {
        let m = load("name: x\nversion: 0.1.0\ncommand: \"$HELM_PLUGIN_DIR/x a\"\nhooks:\n  install: echo hi\n").unwrap();
        assert_eq!(m.kind, "cli/v1");
        let s = m.subprocess.unwrap();
        assert_eq!(s.platform_command[0].command, "$HELM_PLUGIN_DIR/x a");
        assert_eq!(s.platform_hooks[0].1[0].args, vec!["-c", "echo hi"]);
        assert!(!s.expand_hook_args);
    }

    #[test]
    fn v1_unknown_fields_name_their_line() {
        let e = load(
            "apiVersion: v1\nname: a\nversion: 0.1.0\ntype: cli/v1\nruntime: subprocess\nfoo: 1\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "yaml: unmarshal errors:\n  line 6: field foo not found in type plugin.MetadataV1"
        );
    }

    #[test]
    fn legacy_downloaders_make_a_getter() {
        let m = load("name: g\ndownloaders:\n- command: bin/g\n  protocols: [a, b]\n").unwrap();
        assert_eq!(m.kind, "getter/v1");
        assert_eq!(
            m.config,
            TypeConfig::Getter {
                protocols: vec!["a".into(), "b".into()]
            }
        );
    }
}
