//! Helm's global flags and environment (its `cli.EnvSettings`): the flags every command accepts
//! (before or after the subcommand), the `HELM_*` variables that give their defaults, and
//! `helm env`.
//!
//! Shape, as ripgrep's `flags/`: the clap definitions ([`GlobalArgs`]) are converted once into
//! [`EnvSettings`] (flag, else environment variable, else Helm's default), which the rest of the
//! program reads. Paths that the repository code reads from the environment (`helm_core::repo::paths`)
//! are exported back into the process environment, so `--repository-config` and
//! `HELM_REPOSITORY_CONFIG` mean the same thing everywhere, as in Helm (which also exports its
//! settings to plugins).

use crate::CmdError;
use clap::Args;
use helm_core::gocompat::strconv::parse_int;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Helm's global cluster flags: accepted before or after any command (`helm -n x template …`,
/// `helm template … --kube-context y`), as tools that exec `helm` pass them. Parsed once on the
/// top-level command, then filled with their environment defaults ([`EnvSettings::kube_args`]);
/// a release command's client is made from them, so the actions' own `namespace` options stay
/// unset (the client's namespace is the flag's).
#[derive(Args, Default, Clone, Debug)]
pub struct KubeArgs {
    /// namespace scope for this request
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// path to the kubeconfig file
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// name of the kubeconfig context to use
    #[arg(long = "kube-context", global = true)]
    pub kube_context: Option<String>,
    /// bearer token used for authentication
    #[arg(long = "kube-token", global = true)]
    pub kube_token: Option<String>,
    /// username to impersonate for the operation
    #[arg(long = "kube-as-user", global = true)]
    pub kube_as_user: Option<String>,
    /// group to impersonate for the operation, this flag can be repeated to specify multiple groups.
    #[arg(long = "kube-as-group", global = true)]
    pub kube_as_group: Vec<String>,
    /// the address and the port for the Kubernetes API server
    #[arg(long = "kube-apiserver", global = true)]
    pub kube_apiserver: Option<String>,
    /// the certificate authority file for the Kubernetes API server connection
    #[arg(long = "kube-ca-file", global = true)]
    pub kube_ca_file: Option<String>,
    /// if true, the Kubernetes API server's certificate will not be checked for validity. This will make your HTTPS connections insecure
    #[arg(long = "kube-insecure-skip-tls-verify", global = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool_value)]
    pub kube_insecure_skip_tls_verify: Option<bool>,
    /// server name to use for Kubernetes API server certificate validation. If it is not provided, the hostname used to contact the server is used
    #[arg(long = "kube-tls-server-name", global = true)]
    pub kube_tls_server_name: Option<String>,
}

/// Every global flag of Helm.
#[derive(Args, Default, Clone, Debug)]
pub struct GlobalArgs {
    #[command(flatten)]
    pub kube: KubeArgs,
    /// enable verbose output
    #[arg(long, global = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool_value)]
    pub debug: Option<bool>,
    /// client-side default throttling limit
    #[arg(long = "burst-limit", global = true)]
    pub burst_limit: Option<String>,
    /// queries per second used when communicating with the Kubernetes API, not including bursting
    #[arg(long, global = true)]
    pub qps: Option<String>,
    /// path to the registry config file
    #[arg(long = "registry-config", global = true)]
    pub registry_config: Option<String>,
    /// path to the directory containing cached repository indexes
    #[arg(long = "repository-cache", global = true)]
    pub repository_cache: Option<String>,
    /// path to the file containing repository names and URLs
    #[arg(long = "repository-config", global = true)]
    pub repository_config: Option<String>,
    /// path to the directory containing cached content (e.g. charts)
    #[arg(long = "content-cache", global = true)]
    pub content_cache: Option<String>,
    /// use colored output (never, auto, always)
    #[arg(long, global = true)]
    pub color: Option<String>,
    /// use colored output (never, auto, always)
    #[arg(long, global = true)]
    pub colour: Option<String>,
}

/// The settings in effect: each global flag, else its `HELM_*` variable, else Helm's default.
#[derive(Clone, Debug)]
pub struct EnvSettings {
    /// `-n`/`HELM_NAMESPACE` as given (empty: the kubeconfig context's, else `default`).
    pub namespace: String,
    /// `--kubeconfig` only (`KUBECONFIG` is read by the kubeconfig loader itself).
    pub kubeconfig: String,
    pub kube_context: String,
    pub kube_token: String,
    pub kube_as_user: String,
    pub kube_as_groups: Vec<String>,
    pub kube_apiserver: String,
    pub kube_ca_file: String,
    pub kube_insecure_skip_tls_verify: bool,
    pub kube_tls_server_name: String,
    pub debug: bool,
    pub registry_config: String,
    pub repository_config: String,
    pub repository_cache: String,
    pub content_cache: String,
    pub plugins_directory: String,
    pub max_history: i64,
    pub burst_limit: i64,
    pub qps: f32,
    /// never, auto or always.
    pub color_mode: String,
}

const DEFAULT_MAX_HISTORY: i64 = 10;
const DEFAULT_BURST_LIMIT: i64 = 100;

static DEBUG: OnceLock<bool> = OnceLock::new();

/// `--debug`/`HELM_DEBUG` for the commands that print more with it.
pub fn debug() -> bool {
    DEBUG.get().copied().unwrap_or(false)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Go's `filepath.Join(base, elem)`: joined and cleaned (no trailing or doubled slashes).
fn join_clean(base: &str, elem: &str) -> String {
    let joined = if elem.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{elem}")
    };
    clean_path(&joined)
}

/// Go's `filepath.Clean` for slash-separated paths.
fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

fn home() -> String {
    env("HOME")
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "/".into())
}

/// Helm's `lazypath`: `HELM_*_HOME`, else `$XDG_*_HOME/helm`, else the Linux default.
fn helm_path(helm_var: &str, xdg_var: &str, default_base: &str, elem: &str) -> String {
    if let Some(base) = env(helm_var).filter(|b| !b.is_empty()) {
        return join_clean(&base, elem);
    }
    let base = env(xdg_var)
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| join_clean(&home(), default_base));
    join_clean(&format!("{base}/helm"), elem)
}

pub fn cache_path(elem: &str) -> String {
    helm_path("HELM_CACHE_HOME", "XDG_CACHE_HOME", ".cache", elem)
}

pub fn config_path(elem: &str) -> String {
    helm_path("HELM_CONFIG_HOME", "XDG_CONFIG_HOME", ".config", elem)
}

pub fn data_path(elem: &str) -> String {
    helm_path("HELM_DATA_HOME", "XDG_DATA_HOME", ".local/share", elem)
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn go_bool_value(s: &str) -> Result<bool, String> {
    parse_go_bool(s).ok_or_else(|| format!("strconv.ParseBool: parsing {s:?}: invalid syntax"))
}

/// Go's `strconv.Atoi` (what Helm uses for integer environment variables).
fn atoi(s: &str) -> Option<i64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Go's `time.ParseDuration` (checked only: `5m0s`, `1h`, `300ms`, `-1.5s`, `0`).
pub fn parse_go_duration(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body == "0" {
        return Some(0.0);
    }
    if body.is_empty() {
        return None;
    }
    let mut rest = body;
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * scale;
        rest = &rest[unit_len..];
    }
    Some(total)
}

fn invalid_flag(flag: &str, value: &str, why: &str) -> CmdError {
    CmdError(format!(
        "invalid argument {value:?} for \"--{flag}\" flag: {why}"
    ))
}

impl EnvSettings {
    /// The settings from the environment alone (Helm's `cli.New()`).
    fn from_env() -> EnvSettings {
        let color_mode = if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            "never".to_string()
        } else {
            match env("HELM_COLOR").map(|v| v.to_lowercase()) {
                Some(v) if matches!(v.as_str(), "never" | "auto" | "always") => v,
                _ => "auto".into(),
            }
        };
        let groups = env("HELM_KUBEASGROUPS").unwrap_or_default();
        let groups = groups.trim_matches([',', ' ']);
        EnvSettings {
            namespace: env("HELM_NAMESPACE").unwrap_or_default(),
            kubeconfig: String::new(),
            kube_context: env("HELM_KUBECONTEXT").unwrap_or_default(),
            kube_token: env("HELM_KUBETOKEN").unwrap_or_default(),
            kube_as_user: env("HELM_KUBEASUSER").unwrap_or_default(),
            kube_as_groups: if groups.is_empty() {
                Vec::new()
            } else {
                groups.split(',').map(String::from).collect()
            },
            kube_apiserver: env("HELM_KUBEAPISERVER").unwrap_or_default(),
            kube_ca_file: env("HELM_KUBECAFILE").unwrap_or_default(),
            kube_insecure_skip_tls_verify: env("HELM_KUBEINSECURE_SKIP_TLS_VERIFY")
                .and_then(|v| parse_go_bool(&v))
                .unwrap_or(false),
            kube_tls_server_name: env("HELM_KUBETLS_SERVER_NAME").unwrap_or_default(),
            debug: env("HELM_DEBUG")
                .and_then(|v| parse_go_bool(&v))
                .unwrap_or(false),
            registry_config: env("HELM_REGISTRY_CONFIG")
                .unwrap_or_else(|| config_path("registry/config.json")),
            repository_config: env("HELM_REPOSITORY_CONFIG")
                .unwrap_or_else(|| config_path("repositories.yaml")),
            repository_cache: env("HELM_REPOSITORY_CACHE")
                .unwrap_or_else(|| cache_path("repository")),
            content_cache: env("HELM_CONTENT_CACHE").unwrap_or_else(|| cache_path("content")),
            plugins_directory: env("HELM_PLUGINS").unwrap_or_else(|| data_path("plugins")),
            max_history: env("HELM_MAX_HISTORY")
                .and_then(|v| atoi(&v))
                .unwrap_or(DEFAULT_MAX_HISTORY),
            burst_limit: env("HELM_BURST_LIMIT")
                .and_then(|v| atoi(&v))
                .unwrap_or(DEFAULT_BURST_LIMIT),
            qps: env("HELM_QPS")
                .and_then(|v| v.parse::<f32>().ok())
                .unwrap_or(0.0),
            color_mode,
        }
    }

    /// The settings: the flags given over the environment's (the one conversion of the
    /// global flags; errors are Helm's).
    pub fn new(g: &GlobalArgs) -> Result<EnvSettings, CmdError> {
        let mut s = EnvSettings::from_env();
        let k = &g.kube;
        let set = |dst: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *dst = v.clone();
            }
        };
        set(&mut s.namespace, &k.namespace);
        if let Some(p) = &k.kubeconfig {
            s.kubeconfig = p.to_string_lossy().into_owned();
        }
        set(&mut s.kube_context, &k.kube_context);
        set(&mut s.kube_token, &k.kube_token);
        set(&mut s.kube_as_user, &k.kube_as_user);
        if !k.kube_as_group.is_empty() {
            // Helm parses its global flags twice (once early, once with the command) into the
            // same list, so each `--kube-as-group` counts twice; `helm env` shows them so.
            s.kube_as_groups = [k.kube_as_group.clone(), k.kube_as_group.clone()].concat();
        }
        set(&mut s.kube_apiserver, &k.kube_apiserver);
        set(&mut s.kube_ca_file, &k.kube_ca_file);
        if let Some(b) = k.kube_insecure_skip_tls_verify {
            s.kube_insecure_skip_tls_verify = b;
        }
        set(&mut s.kube_tls_server_name, &k.kube_tls_server_name);
        if let Some(d) = g.debug {
            s.debug = d;
        }
        set(&mut s.registry_config, &g.registry_config);
        set(&mut s.repository_config, &g.repository_config);
        set(&mut s.repository_cache, &g.repository_cache);
        set(&mut s.content_cache, &g.content_cache);
        if let Some(v) = &g.burst_limit {
            s.burst_limit = parse_int(v).ok_or_else(|| {
                invalid_flag(
                    "burst-limit",
                    v,
                    &format!("strconv.ParseInt: parsing {v:?}: invalid syntax"),
                )
            })?;
        }
        if let Some(v) = &g.qps {
            s.qps = v.trim().parse::<f32>().map_err(|_| {
                invalid_flag(
                    "qps",
                    v,
                    &format!("strconv.ParseFloat: parsing {v:?}: invalid syntax"),
                )
            })?;
        }
        if let Some(c) = g.colour.as_ref().or(g.color.as_ref()) {
            s.color_mode = c.clone();
        }
        Ok(s)
    }

    /// Helm checks the color mode before any command runs, and reports a bad one as a log
    /// line rather than an `Error:` line.
    pub fn check_color(&self) -> Result<(), String> {
        match self.color_mode.as_str() {
            "never" | "auto" | "always" => Ok(()),
            other => Err(format!(
                "invalid color mode {other:?}: must be one of: never, auto, always"
            )),
        }
    }

    /// Makes the settings visible to the code that reads Helm's variables itself (repository
    /// paths, plugins, the release commands' debug output).
    pub fn export(&self) {
        // Single-threaded here: main calls this before any runtime or thread starts.
        std::env::set_var("HELM_REPOSITORY_CONFIG", &self.repository_config);
        std::env::set_var("HELM_REPOSITORY_CACHE", &self.repository_cache);
        std::env::set_var("HELM_REGISTRY_CONFIG", &self.registry_config);
        std::env::set_var("HELM_PLUGINS", &self.plugins_directory);
        let _ = DEBUG.set(self.debug);
    }

    /// The cluster flags with their environment defaults filled in, for the release commands.
    pub fn kube_args(&self) -> KubeArgs {
        let opt = |s: &String| Some(s.clone()).filter(|s| !s.is_empty());
        KubeArgs {
            namespace: opt(&self.namespace),
            kubeconfig: opt(&self.kubeconfig).map(PathBuf::from),
            kube_context: opt(&self.kube_context),
            kube_token: opt(&self.kube_token),
            kube_as_user: opt(&self.kube_as_user),
            kube_as_group: self.kube_as_groups.clone(),
            kube_apiserver: opt(&self.kube_apiserver),
            kube_ca_file: opt(&self.kube_ca_file),
            kube_insecure_skip_tls_verify: Some(self.kube_insecure_skip_tls_verify),
            kube_tls_server_name: opt(&self.kube_tls_server_name),
        }
    }

    /// The namespace commands use: the flag or `HELM_NAMESPACE`, else the kubeconfig context's,
    /// else `default` (Helm's `EnvSettings.Namespace()`).
    pub fn effective_namespace(&self) -> String {
        if !self.namespace.is_empty() {
            return self.namespace.clone();
        }
        let kc = if self.kubeconfig.is_empty() {
            kube::config::Kubeconfig::read().ok()
        } else {
            kube::config::Kubeconfig::read_from(Path::new(&self.kubeconfig)).ok()
        };
        let from_context = kc.and_then(|kc| {
            let name = if self.kube_context.is_empty() {
                kc.current_context.clone()?
            } else {
                self.kube_context.clone()
            };
            kc.contexts
                .iter()
                .find(|c| c.name == name)?
                .context
                .as_ref()?
                .namespace
                .clone()
        });
        from_context
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into())
    }

    /// `helm env`'s variables (Helm's `EnvVars()`).
    pub fn env_vars(&self) -> BTreeMap<&'static str, String> {
        let mut m = BTreeMap::new();
        let bin = std::env::args_os()
            .next()
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default();
        m.insert("HELM_BIN", bin);
        m.insert("HELM_CACHE_HOME", cache_path(""));
        m.insert("HELM_CONFIG_HOME", config_path(""));
        m.insert("HELM_DATA_HOME", data_path(""));
        m.insert("HELM_DEBUG", self.debug.to_string());
        m.insert("HELM_PLUGINS", self.plugins_directory.clone());
        m.insert("HELM_REGISTRY_CONFIG", self.registry_config.clone());
        m.insert("HELM_REPOSITORY_CACHE", self.repository_cache.clone());
        m.insert("HELM_CONTENT_CACHE", self.content_cache.clone());
        m.insert("HELM_REPOSITORY_CONFIG", self.repository_config.clone());
        m.insert("HELM_NAMESPACE", self.effective_namespace());
        m.insert("HELM_MAX_HISTORY", self.max_history.to_string());
        m.insert("HELM_BURST_LIMIT", self.burst_limit.to_string());
        m.insert("HELM_QPS", format!("{:.2}", self.qps));
        m.insert("HELM_KUBECONTEXT", self.kube_context.clone());
        m.insert("HELM_KUBETOKEN", self.kube_token.clone());
        m.insert("HELM_KUBEASUSER", self.kube_as_user.clone());
        m.insert("HELM_KUBEASGROUPS", self.kube_as_groups.join(","));
        m.insert("HELM_KUBEAPISERVER", self.kube_apiserver.clone());
        m.insert("HELM_KUBECAFILE", self.kube_ca_file.clone());
        m.insert(
            "HELM_KUBEINSECURE_SKIP_TLS_VERIFY",
            self.kube_insecure_skip_tls_verify.to_string(),
        );
        m.insert(
            "HELM_KUBETLS_SERVER_NAME",
            self.kube_tls_server_name.clone(),
        );
        if !self.kubeconfig.is_empty() {
            m.insert("KUBECONFIG", self.kubeconfig.clone());
        }
        m
    }
}

impl KubeArgs {
    /// How to reach the cluster, from these flags (with [`EnvSettings::kube_args`], their
    /// environment defaults).
    /// Release storage comes from `HELM_DRIVER` (Helm's names; an unknown one is Helm's
    /// `unknown driver` error) and `HELM_DRIVER_SQL_CONNECTION_STRING`.
    pub fn client_options(
        &self,
        namespace: Option<String>,
    ) -> Result<helm_kube::ClientOptions, String> {
        let driver = helm_kube::DriverKind::from_helm_driver(
            &std::env::var("HELM_DRIVER").unwrap_or_default(),
        )?;
        Ok(helm_kube::ClientOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.kube_context.clone(),
            namespace,
            driver,
            api_server: self.kube_apiserver.clone(),
            token: self.kube_token.clone(),
            impersonate_user: self.kube_as_user.clone(),
            impersonate_groups: self.kube_as_group.clone(),
            ca_file: self.kube_ca_file.clone().map(PathBuf::from),
            insecure_skip_tls_verify: self.kube_insecure_skip_tls_verify.unwrap_or(false),
            tls_server_name: self.kube_tls_server_name.clone(),
            sql_connection: std::env::var("HELM_DRIVER_SQL_CONNECTION_STRING")
                .ok()
                .filter(|c| !c.is_empty()),
        })
    }
}

/// `helm env [NAME]`: every variable as `NAME="value"`, sorted, or one value.
#[derive(Args, Debug)]
pub struct EnvArgs {
    /// `[NAME]`
    pub args: Vec<String>,
}

pub fn run_env(a: &EnvArgs, s: &EnvSettings) -> Result<(), CmdError> {
    use std::io::Write;
    if a.args.len() > 1 {
        return Err(CmdError(
            "\"helm env\" accepts at most 1 argument\n\nUsage:  helm env [flags]".into(),
        ));
    }
    let vars = s.env_vars();
    let mut text = String::new();
    match a.args.first() {
        None => {
            for (k, v) in &vars {
                text.push_str(&format!("{k}=\"{v}\"\n"));
            }
        }
        Some(name) => {
            text.push_str(vars.get(name.as_str()).map(String::as_str).unwrap_or(""));
            text.push('\n');
        }
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}
