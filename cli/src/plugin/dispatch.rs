//! `helm-rs NAME ARGS…` for an installed CLI plugin, before the command line parser sees it.
//!
//! Helm (cobra) does this in steps that tools depend on, reproduced here:
//! 1. every global flag anywhere on the command line sets Helm's settings (an early, tolerant
//!    parse: `helm hello -n ns` gives the plugin `HELM_NAMESPACE=ns`);
//! 2. the command is the first word that is not a flag or a flag's value (cobra's
//!    `stripFlags`, where an unknown `--flag` takes the next word as its value);
//! 3. built-in commands win; a plugin whose command name is one of Helm's commands stops the
//!    loading of plugins with an error log, as in Helm (helm-rs's own `diff` and `serve`,
//!    which Helm lacks, simply win over a plugin of that name);
//! 4. of the words other than the command name, the cluster flags Helm knows
//!    (`--namespace`, `--kube-context`, `--debug`, …) are taken out, the rest go to the
//!    plugin (none with `ignoreFlags`), after the plugin's own arguments.

use super::loader::{self, Plugin};
use super::{runtime, slog_value, PluginError};
use crate::settings::{EnvSettings, GlobalArgs};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Helm's own top-level commands (a plugin of one of these names is a conflict).
const HELM_COMMANDS: &[&str] = &[
    "create",
    "dependency",
    "pull",
    "show",
    "lint",
    "package",
    "repo",
    "search",
    "verify",
    "get",
    "history",
    "install",
    "list",
    "test",
    "rollback",
    "status",
    "template",
    "uninstall",
    "upgrade",
    "completion",
    "env",
    "plugin",
    "version",
    "docs",
    "registry",
    "push",
];

/// Global flags that take a value (long name, shorthand).
const VALUE_FLAGS: &[(&str, Option<char>)] = &[
    ("namespace", Some('n')),
    ("kubeconfig", None),
    ("kube-context", None),
    ("kube-token", None),
    ("kube-as-user", None),
    ("kube-as-group", None),
    ("kube-apiserver", None),
    ("kube-ca-file", None),
    ("kube-tls-server-name", None),
    ("burst-limit", None),
    ("qps", None),
    ("registry-config", None),
    ("repository-cache", None),
    ("repository-config", None),
    ("content-cache", None),
    ("color", None),
    ("colour", None),
    ("server", None),
    ("token", None),
];

/// Global flags without a value (`--flag` or `--flag=BOOL`).
const BOOL_FLAGS: &[(&str, Option<char>)] = &[
    ("debug", None),
    ("kube-insecure-skip-tls-verify", None),
    ("help", Some('h')),
];

fn set_flag(g: &mut GlobalArgs, name: &str, value: &str) {
    let v = || Some(value.to_string());
    match name {
        "namespace" => g.kube.namespace = v(),
        "kubeconfig" => g.kube.kubeconfig = Some(value.into()),
        "kube-context" => g.kube.kube_context = v(),
        "kube-token" => g.kube.kube_token = v(),
        "kube-as-user" => g.kube.kube_as_user = v(),
        "kube-as-group" => g.kube.kube_as_group.push(value.into()),
        "kube-apiserver" => g.kube.kube_apiserver = v(),
        "kube-ca-file" => g.kube.kube_ca_file = v(),
        "kube-tls-server-name" => g.kube.kube_tls_server_name = v(),
        "burst-limit" => g.burst_limit = v(),
        "qps" => g.qps = v(),
        "registry-config" => g.registry_config = v(),
        "repository-cache" => g.repository_cache = v(),
        "repository-config" => g.repository_config = v(),
        "content-cache" => g.content_cache = v(),
        "color" => g.color = v(),
        "colour" => g.colour = v(),
        "debug" => g.debug = crate::settings::parse_go_bool(value),
        "kube-insecure-skip-tls-verify" => {
            g.kube.kube_insecure_skip_tls_verify = crate::settings::parse_go_bool(value)
        }
        _ => {}
    }
}

/// Helm's early parse of the global flags over the whole command line (unknown flags
/// ignored; a flag missing its value ends the parse, as pflag's error does).
pub fn early_global_args(args: &[String]) -> GlobalArgs {
    let mut g = GlobalArgs::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, eq) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            if BOOL_FLAGS.iter().any(|(n, _)| *n == name) {
                set_flag(&mut g, name, eq.unwrap_or("true"));
            } else if VALUE_FLAGS.iter().any(|(n, _)| *n == name) {
                match eq {
                    Some(v) => set_flag(&mut g, name, v),
                    None if i < args.len() => {
                        set_flag(&mut g, name, &args[i]);
                        i += 1;
                    }
                    None => break,
                }
            }
        } else if let Some(shorts) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            let chars: Vec<char> = shorts.chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                if let Some((name, _)) = VALUE_FLAGS.iter().find(|(_, s)| *s == Some(c)) {
                    let rest: String = chars[k + 1..].iter().collect();
                    if let Some(v) = rest.strip_prefix('=') {
                        set_flag(&mut g, name, v);
                    } else if !rest.is_empty() {
                        set_flag(&mut g, name, &rest);
                    } else if i < args.len() {
                        set_flag(&mut g, name, &args[i]);
                        i += 1;
                    }
                    break;
                }
                if chars.get(k + 1) == Some(&'=') {
                    break;
                }
                k += 1;
            }
        }
    }
    g
}

fn takes_value_long(name: &str) -> bool {
    !BOOL_FLAGS.iter().any(|(n, _)| *n == name)
}

fn takes_value_short(c: &str) -> bool {
    !BOOL_FLAGS
        .iter()
        .any(|(_, s)| s.map(|s| s.to_string()).as_deref() == Some(c))
}

/// Whether `s` is a flag whose value is the next word (cobra's rule: unknown flags too).
fn value_follows(s: &str) -> bool {
    (s.starts_with("--") && !s.contains('=') && takes_value_long(&s[2..]))
        || (s.starts_with('-') && !s.contains('=') && s.len() == 2 && takes_value_short(&s[1..]))
}

/// cobra's `stripFlags`: the first word that names a command.
pub fn command_name(args: &[String]) -> Option<&str> {
    let mut i = 0;
    while i < args.len() {
        let s = &args[i];
        i += 1;
        if s == "--" {
            return None;
        }
        if value_follows(s) {
            if args.len() - i <= 1 {
                return None;
            }
            i += 1;
            continue;
        }
        if !s.is_empty() && !s.starts_with('-') {
            return Some(s);
        }
    }
    None
}

/// cobra's `argsMinusFirstX`: the words without the first one that is `name` (not a flag's
/// value).
fn args_minus_first(args: &[String], name: &str) -> Vec<String> {
    let mut pos = 0;
    while pos < args.len() {
        let s = &args[pos];
        if s == "--" {
            break;
        }
        if value_follows(s) {
            pos += 2;
            continue;
        }
        if !s.starts_with('-') && s == name {
            let mut out = args[..pos].to_vec();
            out.extend_from_slice(&args[pos + 1..]);
            return out;
        }
        pos += 1;
    }
    args.to_vec()
}

/// Helm's `manuallyProcessArgs`: (the cluster flags Helm takes for itself, the rest).
fn split_known(args: &[String]) -> (Vec<String>, Vec<String>) {
    const KV: &[&str] = &[
        "--kube-context",
        "--namespace",
        "-n",
        "--kubeconfig",
        "--kube-apiserver",
        "--kube-token",
        "--kube-as-user",
        "--kube-as-group",
        "--kube-ca-file",
        "--registry-config",
        "--repository-cache",
        "--repository-config",
        "--kube-insecure-skip-tls-verify",
        "--kube-tls-server-name",
    ];
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--debug" {
            known.push(a.clone());
        } else if KV.contains(&a.as_str()) {
            known.push(a.clone());
            i += 1;
            if let Some(v) = args.get(i) {
                known.push(v.clone());
            }
        } else if KV.iter().any(|k| a.starts_with(&format!("{k}="))) {
            known.push(a.clone());
        } else {
            unknown.push(a.clone());
        }
        i += 1;
    }
    (known, unknown)
}

/// The error pflag gives when the known flags are parsed: a value flag at the end.
fn known_flags_error(known: &[String]) -> Option<String> {
    let last = known.last()?;
    let pairs_ok = {
        let mut i = 0;
        let mut ok = true;
        while i < known.len() {
            let a = &known[i];
            if a != "--debug" && !a.contains('=') && a != "--kube-insecure-skip-tls-verify" {
                if i + 1 >= known.len() {
                    ok = false;
                }
                i += 1;
            }
            i += 1;
        }
        ok
    };
    if pairs_ok {
        return None;
    }
    Some(if last == "-n" {
        "flag needs an argument: 'n' in -n".to_string()
    } else {
        format!("flag needs an argument: {last}")
    })
}

/// The settings for the plugin loading and run: the early parse's (a bad `--burst-limit` or
/// `--qps`, which the command itself reports, left at its default).
pub fn early_settings(args: &[String]) -> EnvSettings {
    settings_from(early_global_args(args))
}

fn settings_from(mut g: GlobalArgs) -> EnvSettings {
    if let Ok(s) = EnvSettings::new(&g) {
        return s;
    }
    // Only the numeric flags can fail to convert.
    g.burst_limit = None;
    g.qps = None;
    match EnvSettings::new(&g) {
        Ok(s) => s,
        Err(_) => unreachable!("settings without numeric flags always convert"),
    }
}

/// The cluster flags Helm parses again from the plugin's words (`known`) over the early ones.
fn overlay(base: &mut GlobalArgs, known: GlobalArgs) {
    let k = known.kube;
    let b = &mut base.kube;
    macro_rules! over {
        ($($f:ident),*) => {$( if k.$f.is_some() { b.$f = k.$f; } )*};
    }
    over!(
        namespace,
        kubeconfig,
        kube_context,
        kube_token,
        kube_as_user,
        kube_apiserver,
        kube_ca_file,
        kube_insecure_skip_tls_verify,
        kube_tls_server_name
    );
    if known.debug.is_some() {
        base.debug = known.debug;
    }
    for (dst, src) in [
        (&mut base.registry_config, known.registry_config),
        (&mut base.repository_cache, known.repository_cache),
        (&mut base.repository_config, known.repository_config),
    ] {
        if src.is_some() {
            *dst = src;
        }
    }
}

/// cobra's command name for a plugin: the first word of its usage, else its name.
fn command_name_of(p: &Plugin) -> String {
    let usage = p.metadata.cli().map(|c| c.0).unwrap_or("");
    let use_ = if usage.is_empty() {
        p.metadata.name.as_str()
    } else {
        usage
    };
    use_.split(' ').next().unwrap_or(use_).to_string()
}

/// A CLI plugin command's short help: its own, else Helm's default.
pub fn short_help(p: &Plugin) -> String {
    match p.metadata.cli() {
        Some((_, short, _, _)) if !short.is_empty() => short.to_string(),
        _ => format!("the {:?} plugin", p.metadata.name),
    }
}

/// Helm's `pluginDynamicComp`: the plugin's `plugin.complete` run with the sub-commands typed
/// (those its `completion.yaml` declares), then the other words typed after the plugin's
/// command (less Helm's cluster flags) and the word being completed (neither with
/// `ignoreFlags`); its output lines are the answers, a last `:N` line the directive. Without
/// the program (or when it fails), and for a plugin of another runtime than `subprocess`,
/// there is no answer and the shell completes files.
pub fn plugin_completions(
    p: &Plugin,
    words: &[String],
    sub_commands: &[String],
    args: &[String],
    to_complete: &str,
) -> (Vec<String>, u32) {
    if p.metadata.runtime != "subprocess" {
        return (Vec::new(), 0);
    }
    let (known, unknown) = split_known(args);
    if known_flags_error(&known).is_some() {
        // cobra's ShellCompDirectiveError.
        return (Vec::new(), 1);
    }
    let ignore_flags = p.metadata.cli().is_some_and(|c| c.3);
    // The sub-commands typed (from `completion.yaml`) come first, always.
    let mut argv = sub_commands.to_vec();
    if !ignore_flags {
        argv.extend(unknown);
        argv.push(to_complete.to_string());
    }
    let mut g = early_global_args(words);
    overlay(&mut g, early_global_args(&known));
    let settings = settings_from(g);
    let mut env = runtime::plugin_env(p, &BTreeMap::new());
    env.extend(
        settings
            .env_vars()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v)),
    );
    let program = format!("{}/plugin.complete", p.dir.display());
    let debug = |m: &str| crate::complete::comp_debugln(m, settings.debug);
    debug(&format!("calling {program} with args [{}]", argv.join(" ")));
    let out = match std::process::Command::new(&program)
        .args(&argv)
        .env_clear()
        .envs(&env)
        .stdin(std::process::Stdio::null())
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            // The program is optional: without it, the shell completes files.
            debug(&format!(
                "Unable to call {program}: fork/exec {program}: {}",
                helm_core::gocompat::os::go_io_error(&e)
            ));
            return (Vec::new(), 0);
        }
    };
    if !out.status.success() {
        let code = out.status.code().unwrap_or(-1);
        if settings.debug {
            eprintln!(
                "level=DEBUG msg=\"plugin execution failed\" pluginName={} error={} exitCode={code} stderr=\"\"",
                slog_value(&p.metadata.name),
                slog_value(&format!("exit status {code}")),
            );
        }
        debug(&format!(
            "Unable to call {program}: plugin {:?} exited with error",
            p.metadata.name
        ));
        return (Vec::new(), 0);
    }
    // Helm reads the program's standard output and error together.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = text
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let mut directive = 0;
    if let Some(last) = lines.last() {
        if let Some(n) = last
            .strip_prefix(':')
            .filter(|n| !n.is_empty())
            .and_then(|n| n.parse::<u32>().ok())
        {
            directive = n;
            lines.pop();
        }
    }
    (lines, directive)
}

/// Helm's `loadCLIPlugins`: the CLI plugins that become commands (with their command names),
/// printing Helm's warnings and errors. `builtin` says whether a name is a helm-rs command.
pub fn load_cli_plugins(
    settings: &EnvSettings,
    builtin: &dyn Fn(&str) -> bool,
) -> Vec<(String, Plugin)> {
    if std::env::var("HELM_NO_PLUGINS").as_deref() == Ok("1") {
        return Vec::new();
    }
    // Helm stops at a bad color mode before it loads plugins (see [`dispatch`]).
    if settings.check_color().is_err() {
        return Vec::new();
    }
    let dirs = loader::split_dirs(&settings.plugins_directory);
    let found = match loader::find_plugins(&dirs, "cli/v1", "") {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "level=ERROR msg=\"failed to load plugins\" error={}",
                slog_value(&e)
            );
            return Vec::new();
        }
    };
    let mut out: Vec<(String, Plugin)> = Vec::new();
    for p in found {
        let name = command_name_of(&p);
        if HELM_COMMANDS.contains(&name.as_str()) || out.iter().any(|(n, _)| *n == name) {
            eprintln!(
                "level=ERROR msg=\"failed to load plugins: name conflicts\" name={}",
                slog_value(&name)
            );
            break;
        }
        if builtin(&name) {
            continue;
        }
        out.push((name, p));
    }
    out
}

/// With `--debug`, Helm logs that each plugin loaded before the command's own (every plugin
/// when the command is unknown) has no `completion.yaml`.
fn completion_debug(plugins: &[(String, Plugin)], upto: usize) {
    for (_, p) in &plugins[..upto] {
        let file = format!("{}/completion.yaml", p.dir.display());
        if std::fs::metadata(&file).is_err() {
            eprintln!(
                "level=DEBUG msg=\"plugin completion file loading\" error={}",
                slog_value(&format!(
                    "file ({file}) not provided by plugin. No plugin auto-completion possible"
                ))
            );
        }
    }
}

/// Runs the plugin the command line names, if it names one: Some(exit code), else None (the
/// command line parser takes over). `args` excludes the program name.
///
/// A `--color`/`--colour` other than never|auto|always anywhere on the line ends every
/// command line before anything else, as Helm checks it right after its early parse: a plugin's own `--color=false` (helm-unittest's boolean flag) never
/// reaches the plugin, and the answer is the same with or without plugins installed.
pub fn dispatch(
    args: &[String],
    early: &EnvSettings,
    plugins: &[(String, Plugin)],
    builtin: &dyn Fn(&str) -> bool,
) -> Option<ExitCode> {
    if let Err(msg) = early.check_color() {
        eprintln!(
            "level=WARN msg=\"command failed\" error={}",
            slog_value(&msg)
        );
        return Some(ExitCode::from(1));
    }
    if plugins.is_empty() {
        return None;
    }
    let name = command_name(args);
    if name.is_some_and(|n| builtin(n) || n == "help") {
        return None;
    }
    let position = name.and_then(|n| plugins.iter().position(|(c, _)| c == n));
    if early.debug {
        completion_debug(plugins, position.unwrap_or(plugins.len()));
    }
    let (cmd_name, plugin) = &plugins[position?];
    let rest = args_minus_first(args, cmd_name);
    let (known, unknown) = split_known(&rest);
    let mut g = early_global_args(args);
    overlay(&mut g, early_global_args(&known));
    let settings = settings_from(g);
    let result = match known_flags_error(&known) {
        Some(e) => Err(PluginError::Message(e)),
        None => {
            let ignore_flags = plugin.metadata.cli().is_some_and(|c| c.3);
            let extra = if ignore_flags { Vec::new() } else { unknown };
            let env = settings
                .env_vars()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            runtime::run_cli(plugin, &extra, &env, settings.debug)
        }
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(e.exit_code())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn command_name_skips_flags_and_their_values() {
        assert_eq!(command_name(&v("-n ns hello a")), Some("hello"));
        assert_eq!(command_name(&v("--debug hello")), Some("hello"));
        assert_eq!(command_name(&v("--unknown x hello")), Some("hello"));
        assert_eq!(command_name(&v("--kube-context=c hello")), Some("hello"));
        assert_eq!(command_name(&v("--qps hello")), None);
    }

    #[test]
    fn known_cluster_flags_are_taken_out() {
        let (k, u) = split_known(&v("a --b -n ns --namespace=x -nfoo --debug --qps 3"));
        assert_eq!(k, v("-n ns --namespace=x --debug"));
        assert_eq!(u, v("a --b -nfoo --qps 3"));
    }

    #[test]
    fn early_parse_reads_global_flags_anywhere() {
        let g = early_global_args(&v("hello a -nfoo --kube-context c --debug x"));
        assert_eq!(g.kube.namespace.as_deref(), Some("foo"));
        assert_eq!(g.kube.kube_context.as_deref(), Some("c"));
        assert_eq!(g.debug, Some(true));
    }
}
