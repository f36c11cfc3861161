//! Shell completion as Helm does it: `helm-rs completion bash|zsh|fish|powershell` prints the
//! scripts Helm prints, and the hidden `__complete`/`__completeNoDesc` commands answer them.
//!
//! Protocol (cobra's, which the scripts speak): the script runs `helm-rs __complete WORDS…
//! PARTIAL`; the answer is one candidate a line (`word` or `word<TAB>description`), then
//! `:N` where N is the directive (bits: 1 error, 2 no space, 4 no file names, 8 filter file
//! extensions, 16 directories only, 32 keep order), and on stderr `Completion ended with
//! directive: …`. Lines starting `_activeHelp_ ` are hints the shell shows.
//!
//! Parts: `tree` (Helm's commands and flags; the visible part generated from Helm into the
//! data file `helm_tree.tsv`), `engine` (cobra's algorithm), `dynamic` (Helm's completion functions: releases,
//! revisions, namespaces, contexts, repositories, charts, versions), and the scripts.
//!
//! The scripts in `scripts/` are the ones Helm 4.1.4 generates through cobra (Apache-2.0, the
//! Cobra Authors), kept byte for byte so the shell side behaves exactly as with Helm (stored as
//! `.txt`: they are data printed as they are, not sources of this crate); like Helm, a binary
//! not called `helm` gets a line that hooks its own name to them.

mod dynamic;
pub(crate) mod engine;
pub(crate) mod tree;

use std::io::Write;
use std::process::ExitCode;

const BASH: &str = include_str!("scripts/helm.bash.txt");
const ZSH: &str = include_str!("scripts/helm.zsh.txt");
const FISH: &str = include_str!("scripts/helm.fish.txt");
const POWERSHELL: &str = include_str!("scripts/helm.ps1.txt");

/// Whether the first argument asks for completions (`Some(no_descriptions)`).
pub fn protocol_request(arg: Option<&str>) -> Option<bool> {
    match arg {
        Some("__complete") => Some(false),
        Some("__completeNoDesc") => Some(true),
        _ => None,
    }
}

/// Where the completion request is among the program's arguments, after any global flags (as
/// `helm --repository-config F __complete …`, which cobra finds past the root's flags), and
/// whether it asks for no descriptions.
pub fn protocol_request_at(args: &[String]) -> Option<(usize, bool)> {
    // Every run asks: a command line without the request needs no command tree.
    if !args.iter().any(|a| protocol_request(Some(a)).is_some()) {
        return None;
    }
    let tree = tree::Tree::helm();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        if let Some(no_desc) = protocol_request(Some(word)) {
            return Some((i, no_desc));
        }
        if word == "--" || !word.starts_with('-') || word == "-" {
            return None;
        }
        // A flag of the root; its value is the next word unless given with `=` or boolean.
        let takes_value = if let Some(long) = word.strip_prefix("--") {
            !long.contains('=')
                && tree
                    .lookup_long(0, long)
                    .is_some_and(|f| f.def.no_opt.is_empty())
        } else {
            let shorts = &word[1..];
            !shorts.contains('=')
                && shorts.len() == 1
                && tree
                    .lookup_short(0, shorts)
                    .is_some_and(|f| f.def.no_opt.is_empty())
        };
        i += if takes_value { 2 } else { 1 };
    }
    None
}

/// The program's arguments with Go's boolean flag values made plain: pflag accepts
/// `--flag=true|false|1|0|t|f|…` for a boolean flag, which clap's switches do not; so
/// `--sign=1` becomes `--sign` and `--verify=false` is dropped. Which flags are boolean comes
/// from Helm's command tree, for the command the words name. `Err` is pflag's message for a
/// value that is no boolean.
pub fn normalize_bool_flags(args: &[String]) -> Result<Vec<String>, String> {
    // Most command lines have no `--flag=value`: they need no tree.
    if !args.iter().any(|a| a.starts_with("--") && a.contains('=')) {
        return Ok(args.to_vec());
    }
    let tree = tree::Tree::helm();
    let mut id = 0;
    let mut out = Vec::with_capacity(args.len());
    let mut after_dashes = false;
    for (i, a) in args.iter().enumerate() {
        if i == 0 || after_dashes {
            out.push(a.clone());
            continue;
        }
        if a == "--" {
            after_dashes = true;
            out.push(a.clone());
            continue;
        }
        if !a.starts_with('-') {
            if let Some(child) = tree.child(id, a) {
                id = child;
            }
            out.push(a.clone());
            continue;
        }
        if let Some((name, value)) = a.strip_prefix("--").and_then(|f| f.split_once('=')) {
            if tree
                .lookup_long(id, name)
                .is_some_and(|f| f.def.kind == "bool")
            {
                match crate::settings::parse_go_bool(value) {
                    Some(true) => out.push(format!("--{name}")),
                    Some(false) => {}
                    None => {
                        return Err(format!(
                            "invalid argument {} for \"--{name}\" flag: strconv.ParseBool: parsing {}: invalid syntax",
                            helm_core::gocompat::strconv::go_quote(value),
                            helm_core::gocompat::strconv::go_quote(value)
                        ))
                    }
                }
                continue;
            }
        }
        out.push(a.clone());
    }
    Ok(out)
}

/// cobra's `<PROGRAM>_<SUFFIX>` then `COBRA_<SUFFIX>` configuration variables (Helm's root is
/// `helm`, and the scripts set `HELM_ACTIVE_HELP`).
fn config_env(suffix: &str) -> String {
    std::env::var(format!("HELM_{suffix}"))
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var(format!("COBRA_{suffix}")).ok())
        .unwrap_or_default()
}

/// Answers `__complete WORDS…` (the words after it, the last one being completed).
pub fn run_protocol(words: &[String], no_descriptions: bool) -> ExitCode {
    if words.is_empty() {
        // cobra requires at least the word being completed.
        eprintln!("Error: requires at least 1 arg(s), only received 0");
        return ExitCode::from(1);
    }
    // Helm reads its global flags from the whole line before anything else, the word being
    // completed included, and stops on a color mode it does not know (`--color <TAB>`).
    if let Some(mode) = color_on_line(words) {
        if !matches!(mode.as_str(), "never" | "auto" | "always") {
            let msg = format!("invalid color mode {mode:?}: must be one of: never, auto, always");
            eprintln!(
                "level=WARN msg=\"command failed\" error={}",
                helm_core::gocompat::strconv::go_quote(&msg)
            );
            return ExitCode::from(1);
        }
    }
    let mut tree = tree::Tree::helm();
    // Helm adds the CLI plugins' commands at start, warning about broken plugins
    // (cli/src/plugin/dispatch.rs).
    let plugins = crate::plugin::dispatch::load_cli_plugins(
        &crate::plugin::dispatch::early_settings(words),
        &|_| false,
    );
    let debug = crate::plugin::dispatch::early_settings(words).debug;
    let log = |msg: &str, key: &str, value: &str| {
        if debug {
            eprintln!(
                "level=DEBUG msg={} {key}={}",
                crate::plugin::slog_value(msg),
                crate::plugin::slog_value(value)
            );
        }
    };
    for (name, p) in &plugins {
        let spec = crate::plugin::completion::load(&p.dir)
            .map_err(|e| log("plugin completion file loading", "error", &e))
            .ok();
        let short = crate::plugin::dispatch::short_help(p);
        for path in tree.add_plugin(name, &short, spec.as_ref()) {
            log("sub-command name field missing", "commandPath", &path);
        }
    }
    let provider = dynamic::HelmProvider {
        tree: &tree,
        plugins: &plugins,
    };
    let outcome = engine::complete(&tree, words, &provider);
    let mut no_desc = no_descriptions;
    if !no_desc {
        if let Some(b) = crate::settings::parse_go_bool(&config_env("COMPLETION_DESCRIPTIONS")) {
            no_desc = !b;
        }
    }
    let active_help_off = std::env::var("COBRA_ACTIVE_HELP").as_deref() == Ok("0")
        || std::env::var("HELM_ACTIVE_HELP").as_deref() == Ok("0");
    // pflag's notices for deprecated flags, once for each of the three parses Helm makes.
    for _ in 0..3 {
        for name in &outcome.deprecated {
            if let Some(n) = tree::deprecation_notice(name) {
                eprintln!("{n}");
            }
        }
    }
    // In cobra's order: the error, the answer, then the directive's report.
    if let Some(e) = &outcome.error {
        let line = format!("[Debug] [Error] {e}\n");
        debug_file(&line);
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
    let mut err = String::new();
    let mut out = String::new();
    for c in &outcome.completions {
        if active_help_off && c.starts_with(engine::ACTIVE_HELP_MARKER) {
            continue;
        }
        let mut c = c.as_str();
        if no_desc {
            c = c.split('\t').next().unwrap_or("");
        }
        c = c.split('\n').next().unwrap_or("");
        out.push_str(c.trim());
        out.push('\n');
    }
    out.push_str(&format!(":{}\n", outcome.directive));
    err.push_str(&format!(
        "Completion ended with directive: {}\n",
        engine::directive_names(outcome.directive)
    ));
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    let _ = std::io::stderr().lock().write_all(err.as_bytes());
    ExitCode::SUCCESS
}

/// The last `--color`/`--colour` value on the line (`--color X` or `--color=X`).
fn color_on_line(words: &[String]) -> Option<String> {
    let mut mode = None;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w == "--" {
            break;
        }
        if w == "--color" || w == "--colour" {
            mode = words.get(i + 1).cloned();
            i += 1;
        } else if let Some(v) = w
            .strip_prefix("--color=")
            .or_else(|| w.strip_prefix("--colour="))
        {
            mode = Some(v.to_string());
        }
        i += 1;
    }
    mode
}

/// cobra also appends its debug lines to `$BASH_COMP_DEBUG_FILE` when set.
/// cobra's `CompDebugln`: a `[Debug]` line for `$BASH_COMP_DEBUG_FILE`, and for standard
/// error when `to_stderr` (Helm passes its `--debug`).
pub fn comp_debugln(msg: &str, to_stderr: bool) {
    let line = format!("[Debug] {msg}\n");
    debug_file(&line);
    if to_stderr {
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn debug_file(line: &str) {
    if let Some(path) = std::env::var_os("BASH_COMP_DEBUG_FILE").filter(|p| !p.is_empty()) {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum Shell {
    /// generate autocompletion script for bash
    Bash(ScriptArgs),
    /// generate autocompletion script for zsh
    Zsh(ScriptArgs),
    /// generate autocompletion script for fish
    Fish(ScriptArgs),
    /// generate autocompletion script for powershell
    Powershell(ScriptArgs),
}

#[derive(clap::Args, Debug)]
pub struct ScriptArgs {
    /// disable completion descriptions
    #[arg(long = "no-descriptions")]
    pub no_descriptions: bool,
    /// Helm's `completion SHELL` takes no arguments.
    #[arg(hide = true)]
    pub extra: Vec<String>,
}

/// The name the program was run as (`filepath.Base(os.Args[0])`).
fn program_name() -> String {
    let arg0 = std::env::args_os()
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    arg0.rsplit('/').next().unwrap_or("").to_string()
}

/// `helm completion SHELL [--no-descriptions]`.
pub fn run_script(shell: &Shell) -> Result<(), crate::CmdError> {
    let (name, args) = match shell {
        Shell::Bash(a) => ("bash", a),
        Shell::Zsh(a) => ("zsh", a),
        Shell::Fish(a) => ("fish", a),
        Shell::Powershell(a) => ("powershell", a),
    };
    if let Some(extra) = args.extra.first() {
        return Err(crate::CmdError(format!(
            "unknown command {extra:?} for \"helm completion {name}\""
        )));
    }
    let text = script(name, args.no_descriptions, &program_name());
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

/// The script for `shell`, as Helm prints it when run as `program`.
pub fn script(shell: &str, no_descriptions: bool, program: &str) -> String {
    let base = match shell {
        "bash" => BASH,
        "zsh" => ZSH,
        "fish" => FISH,
        _ => POWERSHELL,
    };
    let mut text = if no_descriptions {
        base.replacen(" __complete ", " __completeNoDesc ", 1)
    } else {
        base.to_string()
    };
    let renamed = program != "helm";
    match shell {
        "bash" if renamed => text.push_str(&format!(
            "\n# Hook the command used to generate the completion script\n# to the helm completion function to handle the case where\n# the user renamed the helm binary\nif [[ $(type -t compopt) = \"builtin\" ]]; then\n    complete -o default -F __start_helm {program}\nelse\n    complete -o default -o nospace -F __start_helm {program}\nfi\n"
        )),
        "zsh" => {
            if renamed {
                text.push_str(&format!(
                    "\n# Hook the command used to generate the completion script\n# to the helm completion function to handle the case where\n# the user renamed the helm binary\ncompdef _helm {program}\n"
                ));
            }
            text.push_str("compdef _helm helm");
        }
        _ => {}
    }
    text
}

#[cfg(test)]
mod bool_flag_tests {
    use super::normalize_bool_flags;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn go_boolean_values_become_switches() {
        assert_eq!(
            normalize_bool_flags(&words("helm package c --sign=1 --key=k")).unwrap(),
            words("helm package c --sign --key=k")
        );
        assert_eq!(
            normalize_bool_flags(&words("helm template r c --include-crds=false --debug=T"))
                .unwrap(),
            words("helm template r c --debug")
        );
        // Not boolean for this command (a string with an optional value), or after `--`.
        assert_eq!(
            normalize_bool_flags(&words("helm install r c --wait=legacy -- --sign=1")).unwrap(),
            words("helm install r c --wait=legacy -- --sign=1")
        );
        assert_eq!(
            normalize_bool_flags(&words("helm package c --sign=maybe")).unwrap_err(),
            "invalid argument \"maybe\" for \"--sign\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
    }
}
