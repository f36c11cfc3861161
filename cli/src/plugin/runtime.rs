//! The `subprocess` runtime: how Helm runs a plugin's command, hook or getter as a child
//! process.
//!
//! * The command is chosen per platform (exact OS+arch, else OS, else any) and split on
//!   spaces; `$VAR`/`${VAR}` are expanded (Go's `os.Expand`) from the environment the child
//!   gets, which is helm-rs's own plus Helm's settings (`helm env`) plus `HELM_PLUGIN_NAME`
//!   and `HELM_PLUGIN_DIR`.
//! * A CLI plugin's exit code becomes helm-rs's; a getter's standard output is the file it
//!   fetched; a hook's failure is Helm's `plugin install hook for "NAME" exited with error`.
//!
//! A command without a `/` is looked up in `$PATH` as Go's `exec.Command` does, so the error
//! texts (`exec: "x": executable file not found in $PATH`, `fork/exec P: no such file or
//! directory`) are Go's.

use super::loader::Plugin;
use super::metadata::PlatformCommand;
use super::{original_env, slog_value, PluginError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Go's `runtime.GOARCH` for this build.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

/// Helm's `getPlatformCommand`: the command words and arguments for this OS/architecture.
fn platform_command(cmds: &[PlatformCommand]) -> Option<(Vec<String>, Vec<String>)> {
    let (os, arch) = (std::env::consts::OS, go_arch());
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let split = |c: &PlatformCommand| {
        (
            c.command.split(' ').map(String::from).collect::<Vec<_>>(),
            c.args.clone(),
        )
    };
    let mut chosen = None;
    let mut found_os = false;
    for c in cmds {
        if eq(&c.os, os) && eq(&c.arch, arch) {
            return Some(split(c));
        }
        if (!c.os.is_empty() && !eq(&c.os, os)) || !c.arch.is_empty() {
            continue;
        }
        if !found_os && !c.os.is_empty() && eq(&c.os, os) {
            chosen = Some(split(c));
            found_os = true;
        } else if chosen.is_none() {
            chosen = Some(split(c));
        }
    }
    chosen
}

fn is_shell_special(c: u8) -> bool {
    matches!(c, b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-') || c.is_ascii_digit()
}

fn is_alnum(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// Go's `os.Expand`: `$NAME`, `${NAME}` and the shell's one-character names; `${}` and an
/// unclosed `${` are eaten; a lone `$` stays.
pub fn go_expand(s: &str, lookup: impl Fn(&str) -> String) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut j = 0;
    while j < b.len() {
        if b[j] == b'$' && j + 1 < b.len() {
            out.push_str(&s[i..j]);
            let rest = &s[j + 1..];
            let rb = rest.as_bytes();
            let (name, w): (&str, usize) = if rb[0] == b'{' {
                if rb.len() > 2 && is_shell_special(rb[1]) && rb[2] == b'}' {
                    (&rest[1..2], 3)
                } else {
                    match rest[1..].find('}') {
                        None => ("", 1),
                        Some(0) => ("", 2),
                        Some(k) => (&rest[1..1 + k], k + 2),
                    }
                }
            } else if is_shell_special(rb[0]) {
                (&rest[..1], 1)
            } else {
                let k = rb.iter().take_while(|c| is_alnum(**c)).count();
                (&rest[..k], k)
            };
            if name.is_empty() && w == 0 {
                out.push('$');
            } else if !name.is_empty() {
                out.push_str(&lookup(name));
            }
            j += w;
            i = j + 1;
        }
        j += 1;
    }
    if i < s.len() {
        out.push_str(&s[i..]);
    }
    out
}

/// Helm's `PrepareCommands`: the program and its arguments (the plugin's, then `extra`).
pub fn prepare_commands(
    cmds: &[PlatformCommand],
    expand_args: bool,
    extra: &[String],
    env: &BTreeMap<String, String>,
) -> Result<(String, Vec<String>), String> {
    let (words, args) = platform_command(cmds).unwrap_or_default();
    if words.first().is_none_or(|w| w.is_empty()) {
        return Err("no plugin command is applicable".into());
    }
    let lookup = |k: &str| env.get(k).cloned().unwrap_or_default();
    let main = go_expand(&words[0], lookup);
    let expand = |a: &String| {
        if expand_args {
            go_expand(a, lookup)
        } else {
            a.clone()
        }
    };
    let mut argv: Vec<String> = words[1..].iter().map(expand).collect();
    argv.extend(args.iter().map(expand));
    argv.extend(extra.iter().cloned());
    Ok((main, argv))
}

/// Go's `exec.LookPath` for a name without a slash (`$PATH` of helm-rs's environment).
fn look_path(name: &str) -> Result<PathBuf, String> {
    if name.contains('/') {
        return Ok(PathBuf::from(name));
    }
    let path = std::env::var("PATH").unwrap_or_default();
    for dir in path.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let p = Path::new(dir).join(name);
        if let Ok(md) = std::fs::metadata(&p) {
            use std::os::unix::fs::PermissionsExt;
            if md.is_file() && md.permissions().mode() & 0o111 != 0 {
                return Ok(p);
            }
        }
    }
    Err(format!(
        "exec: {}: executable file not found in $PATH",
        helm_core::gocompat::strconv::go_quote(name)
    ))
}

/// The child's environment: helm-rs's own (as it started), then `extra` (Helm's settings for
/// commands and getters), then the plugin's name and directory.
pub fn plugin_env(p: &Plugin, extra: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = original_env().clone();
    env.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    env.insert("HELM_PLUGIN_NAME".into(), p.metadata.name.clone());
    env.insert(
        "HELM_PLUGIN_DIR".into(),
        p.dir.to_string_lossy().into_owned(),
    );
    env
}

/// A command ready to run, and how Go's `cmd.String()` shows it (for the debug log).
pub(super) fn command(
    main: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
) -> Result<(Command, String), String> {
    let path = look_path(main)?;
    let mut shown = path.to_string_lossy().into_owned();
    for a in args {
        shown.push(' ');
        shown.push_str(a);
    }
    let mut c = Command::new(&path);
    c.args(args).env_clear().envs(env);
    Ok((c, shown))
}

/// Go's text for a child that could not be started.
pub(super) fn start_error(path: &str, e: &std::io::Error) -> String {
    format!(
        "fork/exec {path}: {}",
        helm_core::gocompat::os::go_io_error(e)
    )
}

/// The exit code Go reports for a finished child (-1 when a signal ended it).
pub(super) fn exit_code(status: std::process::ExitStatus) -> i32 {
    status.code().unwrap_or(-1)
}

/// Runs a CLI plugin with `extra` arguments, its standard streams being helm-rs's.
pub fn run_cli(
    p: &Plugin,
    extra: &[String],
    settings_env: &BTreeMap<String, String>,
    debug: bool,
) -> Result<(), PluginError> {
    if let Some(rc) = &p.metadata.extism {
        return run_cli_extism(p, rc, extra, settings_env, debug);
    }
    let Some(sub) = &p.metadata.subprocess else {
        return Err(PluginError::Runtime(p.metadata.runtime.clone()));
    };
    let env = plugin_env(p, settings_env);
    let (main, argv) = prepare_commands(&sub.platform_command, true, extra, &env)
        .map_err(|e| PluginError::Message(format!("failed to prepare plugin command: {e}")))?;
    let (mut cmd, shown) = command(&main, &argv, &env).map_err(PluginError::Message)?;
    if debug {
        eprintln!(
            "level=DEBUG msg=\"executing plugin command\" pluginName={} command={}",
            slog_value(&p.metadata.name),
            slog_value(&shown)
        );
    }
    let status = cmd
        .status()
        .map_err(|e| PluginError::Message(start_error(&main, &e)))?;
    if status.success() {
        Ok(())
    } else {
        Err(PluginError::Exit {
            name: p.metadata.name.clone(),
            code: exit_code(status),
        })
    }
}

/// A CLI plugin of the `extism/v1` runtime: its input message is the arguments; it gets
/// helm-rs's environment (as it started) with Helm's settings, and helm-rs's standard streams.
/// A non-zero return code ends helm-rs with that code, as Helm means to (Helm 4.1.4 crashes
/// on a nil error there instead).
fn run_cli_extism(
    p: &Plugin,
    rc: &super::metadata::ExtismConfig,
    extra: &[String],
    settings_env: &BTreeMap<String, String>,
    debug: bool,
) -> Result<(), PluginError> {
    use super::extism;
    let mut env: Vec<(String, String)> = original_env()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    env.extend(settings_env.iter().map(|(k, v)| (k.clone(), v.clone())));
    let inv = extism::Invocation {
        input: extism::cli_input(extra),
        env,
        stdio: extism::Stdio::Inherit,
        debug,
    };
    match extism::invoke(p, rc, inv) {
        Ok(out) => extism::decode_output(extism::OutputKind::Cli, &out)
            .map(|_| ())
            .map_err(PluginError::Message),
        Err(extism::InvokeError::Exit(code)) => Err(PluginError::Exit {
            name: p.metadata.name.clone(),
            code: code as i32,
        }),
        Err(extism::InvokeError::Message(m)) => Err(PluginError::Message(m)),
    }
}

/// Runs a plugin's hook for `event` (`install`, `update`, `delete`), if it has one.
pub fn run_hook(p: &Plugin, event: &str, debug: bool) -> Result<(), PluginError> {
    let Some(sub) = &p.metadata.subprocess else {
        return Ok(());
    };
    let Some((_, cmds)) = sub.platform_hooks.iter().find(|(e, _)| e == event) else {
        return Ok(());
    };
    if cmds.is_empty() {
        return Ok(());
    }
    let env = plugin_env(p, &BTreeMap::new());
    let (main, argv) =
        prepare_commands(cmds, sub.expand_hook_args, &[], &env).map_err(PluginError::Message)?;
    let (mut cmd, shown) = command(&main, &argv, &env).map_err(PluginError::Message)?;
    if debug {
        eprintln!(
            "level=DEBUG msg=\"executing plugin hook command\" pluginName={} command={}",
            slog_value(&p.metadata.name),
            slog_value(&shown)
        );
    }
    let status = cmd
        .status()
        .map_err(|e| PluginError::Message(start_error(&main, &e)))?;
    if status.success() {
        Ok(())
    } else {
        Err(PluginError::Message(format!(
            "plugin {event} hook for {:?} exited with error",
            p.metadata.name
        )))
    }
}

/// What a getter is given besides the URL (Helm's getter options).
#[derive(Clone, Debug, Default)]
pub struct GetterOptions {
    pub cert_file: String,
    pub key_file: String,
    pub ca_file: String,
    pub username: String,
    pub password: String,
    pub pass_credentials_all: bool,
}

/// Runs a getter plugin for `href` (whose scheme is `protocol`): its standard output is the
/// content. The command is taken relative to the plugin's directory, as Helm does (even when it
/// is absolute after expansion).
pub fn run_getter(
    p: &Plugin,
    protocol: &str,
    href: &str,
    opts: &GetterOptions,
    settings_env: &BTreeMap<String, String>,
    debug: bool,
) -> Result<Vec<u8>, PluginError> {
    if let Some(rc) = &p.metadata.extism {
        return run_getter_extism(p, rc, protocol, href, opts, settings_env, debug);
    }
    let Some(sub) = &p.metadata.subprocess else {
        return Err(PluginError::Runtime(p.metadata.runtime.clone()));
    };
    let Some(pc) = sub
        .protocol_commands
        .iter()
        .find(|c| c.protocols.iter().any(|x| x == protocol))
    else {
        return Err(PluginError::Message(format!(
            "no downloader found for protocol {protocol:?}"
        )));
    };
    let mut env = plugin_env(p, settings_env);
    env.insert("HELM_PLUGIN_USERNAME".into(), opts.username.clone());
    env.insert("HELM_PLUGIN_PASSWORD".into(), opts.password.clone());
    env.insert(
        "HELM_PLUGIN_PASS_CREDENTIALS_ALL".into(),
        opts.pass_credentials_all.to_string(),
    );
    let (main, mut argv) =
        prepare_commands(&pc.platform_command, false, &[], &env).map_err(|e| {
            PluginError::Message(format!(
                "failed to prepare commands for protocol {protocol:?}: {e}"
            ))
        })?;
    argv.extend([
        opts.cert_file.clone(),
        opts.key_file.clone(),
        opts.ca_file.clone(),
        href.to_string(),
    ]);
    let program = helm_core::gocompat::path::clean(&format!("{}/{main}", p.dir.display()));
    let mut shown = program.clone();
    for a in &argv {
        shown.push(' ');
        shown.push_str(a);
    }
    if debug {
        eprintln!(
            "level=DEBUG msg=\"executing plugin command\" pluginName={} command={}",
            slog_value(&p.metadata.name),
            slog_value(&shown)
        );
    }
    let out = Command::new(&program)
        .args(&argv)
        .env_clear()
        .envs(&env)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| PluginError::Message(start_error(&program, &e)))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(PluginError::Exit {
            name: p.metadata.name.clone(),
            code: exit_code(out.status),
        })
    }
}

/// A getter of the `extism/v1` runtime: the URL, its scheme and Helm's getter options in, the
/// content (`data`) out; its environment is Helm's settings only, its standard streams none.
fn run_getter_extism(
    p: &Plugin,
    rc: &super::metadata::ExtismConfig,
    protocol: &str,
    href: &str,
    opts: &GetterOptions,
    settings_env: &BTreeMap<String, String>,
    debug: bool,
) -> Result<Vec<u8>, PluginError> {
    use super::extism;
    // Helm's chart downloader sets the URL and the archive media types it accepts.
    let options = extism::GetterOptionsV1 {
        url: href.to_string(),
        accept_header: "application/gzip,application/octet-stream".into(),
        cert_file: opts.cert_file.clone(),
        key_file: opts.key_file.clone(),
        ca_file: opts.ca_file.clone(),
        username: opts.username.clone(),
        password: opts.password.clone(),
        pass_credentials_all: opts.pass_credentials_all,
        ..Default::default()
    };
    let inv = extism::Invocation {
        input: extism::getter_input(href, protocol, &options),
        env: settings_env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        stdio: extism::Stdio::None,
        debug,
    };
    let out = extism::invoke(p, rc, inv).map_err(|e| match e {
        // Helm's exec error carries no message for a bare return code.
        extism::InvokeError::Exit(code) => PluginError::Exit {
            name: p.metadata.name.clone(),
            code: code as i32,
        },
        extism::InvokeError::Message(m) => PluginError::Message(m),
    })?;
    extism::decode_output(extism::OutputKind::Getter, &out).map_err(PluginError::Message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_is_go_os_expand() {
        let env = |k: &str| match k {
            "A" => "x".to_string(),
            "0" => "zero".to_string(),
            _ => String::new(),
        };
        assert_eq!(go_expand("$A/${A}b", env), "x/xb");
        assert_eq!(go_expand("$0 $@ $", env), "zero  $");
        // `${}` is eaten whole; an unclosed `${` loses only `${`.
        assert_eq!(go_expand("a${}b${A", env), "abA");
        assert_eq!(go_expand("$$A", env), "A");
        assert_eq!(go_expand("100%$", env), "100%$");
    }

    #[test]
    fn platform_command_prefers_exact_then_os_then_any() {
        let c = |os: &str, arch: &str, cmd: &str| PlatformCommand {
            os: os.into(),
            arch: arch.into(),
            command: cmd.into(),
            args: vec![],
        };
        let os = std::env::consts::OS;
        let cmds = vec![c("", "", "any"), c(os, "", "os"), c("plan9", "", "other")];
        assert_eq!(platform_command(&cmds).unwrap().0, vec!["os"]);
        let cmds = vec![c("", "", "any a"), c("", go_arch(), "arch-only")];
        assert_eq!(platform_command(&cmds).unwrap().0, vec!["any", "a"]);
        let cmds = vec![c(os, go_arch(), "exact"), c(os, "", "os")];
        assert_eq!(platform_command(&cmds).unwrap().0, vec!["exact"]);
    }
}
