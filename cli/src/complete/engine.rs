//! The completion algorithm of cobra (Helm's CLI library), over [`Tree`]: find the command the
//! typed words name, parse its flags as pflag does, then decide between flag names, a flag's
//! values, subcommand names and the command's own arguments.
//!
//! Why reproduce cobra's rules rather than ask clap: the shell scripts Helm generates read
//! `helm __complete …` output and its directive, and users (and tools that drive completion)
//! see exactly which words come back; Helm's choices depend on cobra's details (a bare `--`
//! stops flag completion, a given flag is not offered again unless it repeats, a local flag
//! stops subcommand completion, an unparsable flag value gives nothing).

use super::tree::{Flag, FlagDef, Tree};
use helm_core::gocompat::strconv::{parse_int, parse_uint};
use std::collections::HashMap;

pub const DIRECTIVE_ERROR: u32 = 1;
pub const DIRECTIVE_NO_SPACE: u32 = 2;
pub const DIRECTIVE_NO_FILE_COMP: u32 = 4;
pub const DIRECTIVE_FILTER_FILE_EXT: u32 = 8;
pub const DIRECTIVE_FILTER_DIRS: u32 = 16;
pub const DIRECTIVE_KEEP_ORDER: u32 = 32;

/// The marker of a line the shell shows as a hint rather than offers (cobra's ActiveHelp).
pub const ACTIVE_HELP_MARKER: &str = "_activeHelp_ ";

/// The names cobra prints on stderr for a directive.
pub fn directive_names(d: u32) -> String {
    if d >= 64 {
        return format!("ERROR: unexpected ShellCompDirective value: {d}");
    }
    let names = [
        (DIRECTIVE_ERROR, "ShellCompDirectiveError"),
        (DIRECTIVE_NO_SPACE, "ShellCompDirectiveNoSpace"),
        (DIRECTIVE_NO_FILE_COMP, "ShellCompDirectiveNoFileComp"),
        (DIRECTIVE_FILTER_FILE_EXT, "ShellCompDirectiveFilterFileExt"),
        (DIRECTIVE_FILTER_DIRS, "ShellCompDirectiveFilterDirs"),
        (DIRECTIVE_KEEP_ORDER, "ShellCompDirectiveKeepOrder"),
    ];
    let set: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| d & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if set.is_empty() {
        "ShellCompDirectiveDefault".into()
    } else {
        set.join(", ")
    }
}

/// The flags given on the line, by long name, in the order given.
#[derive(Default, Debug, Clone)]
pub struct ParsedFlags {
    pub values: HashMap<&'static str, Vec<String>>,
    /// Every flag given, in order.
    pub order: Vec<&'static str>,
    pub args: Vec<String>,
}

impl ParsedFlags {
    pub fn changed(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
    pub fn last(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }
}

/// What the command's own completion function (or a flag's) is asked.
pub struct Request<'a> {
    /// The command, as words from the root (`"get all"`).
    pub command: String,
    /// The flag whose value is completed (long name), if any.
    pub flag: Option<&'static str>,
    /// The positional arguments already typed.
    pub args: &'a [String],
    pub to_complete: &'a str,
    pub flags: &'a ParsedFlags,
}

/// A completion function's answer: candidates (`word` or `word\tdescription`) and a directive.
pub type Answer = (Vec<String>, u32);

/// The whole result: candidates, directive, and an error cobra reports on stderr.
pub struct Outcome {
    pub completions: Vec<String>,
    pub directive: u32,
    pub error: Option<String>,
    /// Deprecated flags given (pflag prints a notice each time it parses one).
    pub deprecated: Vec<&'static str>,
}

/// A provider of the dynamic completions (command arguments and flag values).
pub trait Provider {
    /// `None`: no completion function for this command or flag.
    fn complete(&self, req: &Request) -> Option<Answer>;
}

/// Go's `%v` of a string slice: `[a b c]`.
fn go_list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

pub fn complete(tree: &Tree, words: &[String], provider: &dyn Provider) -> Outcome {
    let (to_complete, typed) = match words.split_last() {
        Some((last, rest)) => (last.clone(), rest.to_vec()),
        None => (String::new(), Vec::new()),
    };
    let fail = |msg: String| Outcome {
        completions: Vec::new(),
        directive: 0,
        error: Some(msg),
        deprecated: Vec::new(),
    };
    let (cmd, args) = find(tree, &typed);
    // The root takes no arguments: an unknown first word names no command.
    if cmd == 0 && !strip_flags(tree, 0, &args).is_empty() {
        return fail(format!(
            "unable to find a command for arguments: {}",
            go_list(&typed)
        ));
    }

    // A plugin's words are all its own: no flag is parsed, and the known cluster flags are
    // taken out by the plugin's completion (cli/src/complete/dynamic.rs).
    let plugin = tree.cmds[cmd].plugin;
    let (flag, args, to_complete, flag_err) = if plugin {
        (None, args, to_complete, None)
    } else {
        flag_being_completed(tree, cmd, args, to_complete)
    };

    // A `--` already typed ends flags: counting the arguments with one more `--` tells.
    let with_end = {
        let mut a = args.clone();
        a.push("--".into());
        parse(tree, cmd, &a).map(|p| p.args.len()).unwrap_or(0)
    };
    let parsed = match parse(tree, cmd, if plugin { &[] } else { &args }) {
        Ok(p) => p,
        Err(e) => {
            return fail(format!(
                "Error while parsing flags from args {}: {e}",
                go_list(&args)
            ))
        }
    };
    let flag_completion = plugin || with_end <= parsed.args.len();
    let deprecated: Vec<&'static str> = parsed
        .order
        .iter()
        .copied()
        .filter(|n| {
            tree.lookup_long(cmd, n).is_some_and(|f| {
                f.hidden && super::tree::deprecation_notice(n).is_some() && cmd != 0
            })
        })
        .collect();
    if let Some(e) = flag_err {
        if flag_completion || !e.1 {
            return fail(e.0);
        }
    }
    if parsed.changed("help") {
        return Outcome {
            completions: Vec::new(),
            directive: DIRECTIVE_NO_FILE_COMP,
            error: None,
            deprecated: deprecated.clone(),
        };
    }
    let positional = if plugin {
        args.clone()
    } else {
        parsed.args.clone()
    };

    // A flag of a mutually exclusive group that is given hides the others.
    let mut hidden_by_group: Vec<&str> = Vec::new();
    for group in &tree.cmds[cmd].exclusive {
        if let Some(set) = group.iter().copied().find(|n| parsed.changed(n)) {
            hidden_by_group.extend(group.iter().copied().filter(|n| *n != set));
        }
    }

    let value_flag = flag.filter(|_| flag_completion);
    if flag.is_none()
        && to_complete.starts_with('-')
        && !to_complete.contains('=')
        && flag_completion
    {
        let mut out = Vec::new();
        let mut offer = |f: &Flag| {
            if f.hidden || hidden_by_group.contains(&f.def.name) {
                return;
            }
            if !parsed.changed(f.def.name) || f.def.accepts_multiple() {
                out.extend(flag_name_completions(&f.def, &to_complete));
            }
        };
        let mut inherited = tree.inherited(cmd);
        inherited.sort_by_key(|f| f.def.name);
        inherited.dedup_by_key(|f| f.def.name);
        let mut local: Vec<&Flag> = tree.cmds[cmd].flags.iter().collect();
        local.sort_by_key(|f| f.def.name);
        for f in inherited.into_iter().chain(local) {
            offer(f);
        }
        let directive = if out.len() == 1 && out[0].ends_with('=') {
            DIRECTIVE_NO_SPACE
        } else {
            DIRECTIVE_NO_FILE_COMP
        };
        if plugin && tree.cmds[cmd].dynamic {
            // cobra cannot know all of a plugin's flags: the plugin's own answers follow.
            let req = Request {
                command: tree.path_of(cmd),
                flag: None,
                args: &positional,
                to_complete: &to_complete,
                flags: &parsed,
            };
            let (more, d) = provider.complete(&req).unwrap_or((Vec::new(), directive));
            out.extend(more);
            return Outcome {
                completions: out,
                directive: d,
                error: None,
                deprecated: deprecated.clone(),
            };
        }
        return Outcome {
            completions: out,
            directive,
            error: None,
            deprecated: deprecated.clone(),
        };
    }

    let mut completions = Vec::new();
    let mut directive = 0;
    if flag.is_none() {
        let local_given = tree.cmds[cmd]
            .flags
            .iter()
            .any(|f| !f.persistent && parsed.changed(f.def.name));
        if positional.is_empty() && !local_given {
            for &child in &tree.cmds[cmd].children {
                let c = &tree.cmds[child];
                if c.hidden {
                    continue;
                }
                if c.name.starts_with(to_complete.as_str()) {
                    completions.push(format!("{}\t{}", c.name, c.short));
                }
                directive = DIRECTIVE_NO_FILE_COMP;
            }
        }
        // cobra's ValidArgs (a plugin's `validArgs`): choices for the first argument only,
        // and nothing else is asked once a command has them.
        let valid_args = &tree.cmds[cmd].valid_args;
        if !valid_args.is_empty() {
            if positional.is_empty() {
                completions.extend(
                    valid_args
                        .iter()
                        .filter(|a| a.starts_with(to_complete.as_str()))
                        .cloned(),
                );
                directive = DIRECTIVE_NO_FILE_COMP;
            }
            return Outcome {
                completions,
                directive,
                error: None,
                deprecated: deprecated.clone(),
            };
        }
    }
    if plugin && !tree.cmds[cmd].dynamic {
        // A plugin command with sub-commands never runs `plugin.complete`.
        return Outcome {
            completions,
            directive,
            error: None,
            deprecated: deprecated.clone(),
        };
    }
    let req = Request {
        command: tree.path_of(cmd),
        flag: value_flag.map(|f| f.name),
        args: &positional,
        to_complete: &to_complete,
        flags: &parsed,
    };
    if let Some((more, d)) = provider.complete(&req) {
        completions.extend(more);
        directive = d;
    }
    Outcome {
        completions,
        directive,
        error: None,
        deprecated: deprecated.clone(),
    }
}

/// `--name` and `-x` for a flag, when they start with what is typed.
fn flag_name_completions(f: &FlagDef, to_complete: &str) -> Vec<String> {
    let mut out = Vec::new();
    let long = format!("--{}", f.name);
    if long.starts_with(to_complete) {
        out.push(format!("{long}\t{}", f.usage));
    }
    if !f.shorthand.is_empty() {
        let short = format!("-{}", f.shorthand);
        if short.starts_with(to_complete) {
            out.push(format!("{short}\t{}", f.usage));
        }
    }
    out
}

/// cobra's `isFlagArg`.
fn is_flag_arg(a: &str) -> bool {
    let b = a.as_bytes();
    (b.len() >= 3 && &b[..2] == b"--") || (b.len() >= 2 && b[0] == b'-' && b[1] != b'-')
}

/// Whether the word being completed is a flag's value (`--flag <TAB>`, `--flag=<TAB>`,
/// `-o=<TAB>`): the flag, the arguments without that flag, the value typed so far, and an
/// error for a flag the command lacks (with whether it may be ignored once flags ended).
#[allow(clippy::type_complexity)]
fn flag_being_completed(
    tree: &Tree,
    cmd: usize,
    args: Vec<String>,
    last: String,
) -> (Option<FlagDef>, Vec<String>, String, Option<(String, bool)>) {
    let mut name = String::new();
    let mut trimmed = args.clone();
    let mut with_equal = false;
    let mut value = last.clone();
    if last.starts_with('-') {
        match last.find('=') {
            Some(i) => {
                // `-abc=v`: the value is for the last shorthand before the `=`.
                name = if last[..i].starts_with("--") {
                    last[2..i].to_string()
                } else {
                    last[..i]
                        .chars()
                        .last()
                        .map(String::from)
                        .unwrap_or_default()
                };
                value = last[i + 1..].to_string();
                with_equal = true;
            }
            None => return (None, args, last, None),
        }
    }
    if name.is_empty() {
        if let Some(prev) = args.last() {
            if is_flag_arg(prev) && !prev.contains('=') {
                name = if let Some(long) = prev.strip_prefix("--") {
                    long.to_string()
                } else {
                    prev.chars().last().map(String::from).unwrap_or_default()
                };
                trimmed.pop();
            }
        }
    }
    if name.is_empty() {
        return (None, trimmed, value, None);
    }
    // A one-letter name is a shorthand (so `--v`, klog's long flag, is not found, as in cobra).
    let found = if name.len() == 1 {
        tree.lookup_short(cmd, &name)
    } else {
        tree.lookup_long(cmd, &name)
    };
    let Some(flag) = found else {
        let msg = format!(
            "Subcommand '{}' does not support flag '{name}'",
            tree.cmds[cmd].name
        );
        return (None, args, last, Some((msg, true)));
    };
    if !with_equal && !flag.def.no_opt.is_empty() {
        // A flag that takes no value: the word is an argument, not its value.
        return (None, args, value, None);
    }
    (Some(flag.def), trimmed, value, None)
}

/// cobra's `stripFlags`: the words that are not flags or flag values.
fn strip_flags(tree: &Tree, cmd: usize, args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let s = &args[i];
        i += 1;
        if s == "--" {
            break;
        }
        if takes_next_value(tree, cmd, s) {
            // cobra stops at a value-taking flag that is last or next to last.
            if args.len() - i <= 1 {
                break;
            }
            i += 1;
            continue;
        }
        if !s.is_empty() && !s.starts_with('-') {
            out.push(s.clone());
        }
    }
    out
}

/// Whether `s` is a flag whose value is the next word, as cobra guesses it while finding the
/// command (an unknown long flag is assumed to take one).
fn takes_next_value(tree: &Tree, cmd: usize, s: &str) -> bool {
    if s.contains('=') {
        return false;
    }
    if let Some(long) = s.strip_prefix("--") {
        return tree
            .lookup_long(cmd, long)
            .map(|f| f.def.no_opt.is_empty())
            .unwrap_or(true);
    }
    if s.starts_with('-') && s.len() == 2 {
        return tree
            .lookup_short(cmd, &s[1..2])
            .map(|f| f.def.no_opt.is_empty())
            .unwrap_or(true);
    }
    false
}

/// cobra's `Find`: the command the words name, and the words left for it.
pub fn find(tree: &Tree, args: &[String]) -> (usize, Vec<String>) {
    let mut cmd = 0;
    let mut rest = args.to_vec();
    loop {
        let words = strip_flags(tree, cmd, &rest);
        let Some(next) = words.first() else {
            return (cmd, rest);
        };
        let Some(child) = tree.child(cmd, next) else {
            return (cmd, rest);
        };
        rest = minus_first(tree, cmd, &rest, next);
        cmd = child;
    }
}

/// The command the words name (None: an unknown word after `helm`), as cobra's `Find`.
pub fn find_command(tree: &Tree, args: &[String]) -> Option<usize> {
    let (cmd, rest) = find(tree, args);
    (cmd != 0 || strip_flags(tree, 0, &rest).is_empty()).then_some(cmd)
}

/// cobra's `argsMinusFirstX`: the words without the first non-flag occurrence of `x`.
fn minus_first(tree: &Tree, cmd: usize, args: &[String], x: &str) -> Vec<String> {
    let mut pos = 0;
    while pos < args.len() {
        let s = &args[pos];
        if s == "--" {
            break;
        }
        if takes_next_value(tree, cmd, s) && (s.starts_with("--") || s.len() == 2) {
            pos += 2;
            continue;
        }
        if !s.starts_with('-') && s == x {
            let mut out = args.to_vec();
            out.remove(pos);
            return out;
        }
        pos += 1;
    }
    args.to_vec()
}

/// pflag's parse of the command's flags (interspersed with arguments), checking values as the
/// flag's type does.
pub fn parse(tree: &Tree, cmd: usize, args: &[String]) -> Result<ParsedFlags, String> {
    let mut out = ParsedFlags::default();
    let mut i = 0;
    while i < args.len() {
        let s = args[i].clone();
        i += 1;
        if s.len() < 2 || !s.starts_with('-') {
            out.args.push(s);
            continue;
        }
        if s == "--" {
            out.args.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = s.strip_prefix("--") {
            if body.starts_with('-') || body.starts_with('=') {
                return Err(format!("bad flag syntax: {s}"));
            }
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(flag) = tree.lookup_long(cmd, name) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let value = match inline {
                Some(v) => v,
                None if !flag.def.no_opt.is_empty() => flag.def.no_opt.to_string(),
                None if i < args.len() => {
                    i += 1;
                    args[i - 1].clone()
                }
                None => return Err(format!("flag needs an argument: {s}")),
            };
            set(&mut out, &flag.def, value)?;
        } else {
            let mut shorts = s[1..].to_string();
            while !shorts.is_empty() {
                let c: String = shorts.chars().next().map(String::from).unwrap_or_default();
                let rest = shorts[c.len()..].to_string();
                let Some(flag) = tree.lookup_short(cmd, &c) else {
                    return Err(format!("unknown shorthand flag: '{c}' in -{shorts}"));
                };
                let value;
                if rest.len() > 1 && rest.starts_with('=') {
                    value = rest[1..].to_string();
                    shorts.clear();
                } else if !flag.def.no_opt.is_empty() {
                    value = flag.def.no_opt.to_string();
                    shorts = rest;
                } else if !rest.is_empty() {
                    value = rest;
                    shorts = String::new();
                } else if i < args.len() {
                    value = args[i].clone();
                    i += 1;
                    shorts.clear();
                } else {
                    return Err(format!("flag needs an argument: '{c}' in -{shorts}"));
                }
                set(&mut out, &flag.def, value)?;
            }
        }
    }
    Ok(out)
}

fn set(out: &mut ParsedFlags, f: &FlagDef, value: String) -> Result<(), String> {
    if let Err(e) = check_value(f, &value) {
        let name = if f.shorthand.is_empty() {
            format!("--{}", f.name)
        } else {
            format!("-{}, --{}", f.shorthand, f.name)
        };
        return Err(format!(
            "invalid argument {} for {:?} flag: {e}",
            go_quote(&value),
            name
        ));
    }
    out.values.entry(f.name).or_default().push(value);
    out.order.push(f.name);
    Ok(())
}

fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The value checks of the pflag types Helm uses (strings take anything).
fn check_value(f: &FlagDef, v: &str) -> Result<(), String> {
    let syntax = |func: &str| format!("strconv.{func}: parsing {}: invalid syntax", go_quote(v));
    match f.kind {
        "bool" => crate::settings::parse_go_bool(v)
            .map(|_| ())
            .ok_or_else(|| syntax("ParseBool")),
        "int" => parse_int(v).map(|_| ()).ok_or_else(|| syntax("ParseInt")),
        "uint" => parse_uint(v).map(|_| ()).ok_or_else(|| syntax("ParseUint")),
        "float32" => v
            .trim()
            .parse::<f32>()
            .map(|_| ())
            .map_err(|_| syntax("ParseFloat")),
        "duration" => crate::settings::parse_go_duration(v)
            .map(|_| ())
            .ok_or_else(|| format!("time: invalid duration {}", go_quote(v))),
        "format" => match v {
            "table" | "json" | "yaml" => Ok(()),
            _ => Err("invalid format type".into()),
        },
        "WaitStrategy" => match v {
            "watcher" | "legacy" | "hookOnly" | "true" | "false" => Ok(()),
            _ => Err(format!(
                "invalid wait input {}. Valid inputs are watcher, hookOnly, and legacy",
                go_quote(v)
            )),
        },
        "stringToString" => {
            for pair in v.split(',').filter(|p| !p.is_empty()) {
                if !pair.contains('=') {
                    return Err(format!("{pair} must be formatted as key=value"));
                }
            }
            Ok(())
        }
        "postRendererString" if !v.is_empty() => {
            if crate::plugin::postrender::find(v).is_some() {
                Ok(())
            } else {
                Err(format!(
                    "plugin: {{Name:{v} Type:postrenderer/v1}} not found"
                ))
            }
        }
        _ => Ok(()),
    }
}
