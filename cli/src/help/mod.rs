//! Help as Helm prints it: `helm`, `helm COMMAND` for a command that only groups others,
//! `helm … --help`/`-h` and `helm help [COMMAND…]`, in cobra's layout and Helm's words, on
//! standard output (`helm help NOSUCH` answers on standard error, as cobra does).
//!
//! The texts are Helm 4.1.4's own, generated from the reference binary into `helm_help.txt`
//! (`scripts/gen-helm-help.py`), because users read them and the words are Helm's. What
//! depends on the run is filled in here: the program's name in command paths, the global
//! flags' block (pflag's layout; the defaults shown follow `HELM_*` variables and the home
//! directories, as Helm's flag defaults do), `--keyring`'s default, `--history-max`'s
//! default (`HELM_MAX_HISTORY`) and the CLI plugins, which Helm adds to the root's commands.
//! Which command a line asks about is found as cobra finds it (the completion model of the
//! command tree, `crate::complete`). helm-rs's own commands (`serve`) keep clap's help.

use crate::complete::engine;
use crate::complete::tree::{FlagDef, Tree};
use crate::plugin::loader::Plugin;
use crate::settings::EnvSettings;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::LazyLock;

/// `=== PATH` records of Helm's help texts with markers (see the generator).
const HELM_HELP: &str = include_str!("helm_help.txt");

static TEXTS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    let body = HELM_HELP
        .split_once('\n')
        .map(|(_, rest)| rest)
        .unwrap_or("");
    for record in body.split("=== ").filter(|r| !r.is_empty()) {
        let (path, text) = record.split_once('\n').unwrap_or((record, ""));
        out.insert(path, text);
    }
    out
});

/// Answers the command line if it asks for help as cobra would answer it: Some(exit code)
/// after printing, else None (the command runs). `args` excludes the program name; `plugins`
/// are the CLI plugins Helm would have added as commands.
pub fn answer(args: &[String], plugins: &[(String, Plugin)]) -> Option<ExitCode> {
    if !may_ask_for_help(args) {
        return None;
    }
    let mut tree = Tree::helm();
    add_own_flags(&mut tree);
    for (name, p) in plugins {
        tree.add_plugin(name, &crate::plugin::dispatch::short_help(p), None);
    }
    let (cmd, rest) = engine::find(&tree, args);
    if tree.cmds[cmd].plugin {
        return None;
    }
    let env = crate::plugin::dispatch::early_settings(&[]);
    let page = |id: usize| render(&tree, id, plugins, &env, true);
    // Helm's hidden commands (`docs`) and helm-rs's own have no page here: clap answers.
    let known = |id: usize| tree.cmds[id].plugin || TEXTS.contains_key(tree.path_of(id).as_str());
    if tree.cmds[cmd].path == ["help"] {
        let parsed = engine::parse(&tree, cmd, &rest).ok()?;
        if parsed.changed("help") {
            print!("{}", page(cmd));
            return Some(ExitCode::SUCCESS);
        }
        let (target, left) = engine::find(&tree, &parsed.args);
        // cobra's `legacyArgs`: words left after the root name no command.
        if !known(target) {
            return None;
        }
        if target == 0 && !left.is_empty() {
            // cobra prints the root's usage before it has added the root's `--help` flag.
            let root = render(&tree, 0, plugins, &env, false);
            let usage = root.find("Usage:").map_or(root.as_str(), |i| &root[i..]);
            eprint!("Unknown help topic [`{}`]\n{usage}", left.join(" "));
        } else {
            print!("{}", page(target));
        }
        return Some(ExitCode::SUCCESS);
    }
    let parsed = match engine::parse(&tree, cmd, &rest) {
        Ok(p) => p,
        // cobra parses every flag before it looks at `--help`: a bad flag is the answer.
        Err(e) if rest.iter().any(|a| a == "--help" || a == "-h") => {
            eprintln!("Error: {e}");
            return Some(ExitCode::from(1));
        }
        Err(_) => return None,
    };
    let groups_only = !tree.cmds[cmd].children.is_empty();
    if cmd == 0 && !parsed.args.is_empty() {
        // An unknown command: the parser says so.
        return None;
    }
    if !known(cmd) {
        return None;
    }
    if parsed.changed("help") || groups_only {
        print!("{}", page(cmd));
        return Some(ExitCode::SUCCESS);
    }
    None
}

/// helm-rs's own flags (`--server`, `--token`, `upgrade --plan`…: clap knows them, Helm does
/// not) join the tree as hidden flags, so that a line with them still asks for help as cobra
/// would see it without them.
fn add_own_flags(tree: &mut Tree) {
    use clap::CommandFactory;
    let cli = crate::Cli::command();
    for id in 0..tree.cmds.len() {
        let mut c = &cli;
        let path = tree.cmds[id].path.clone();
        let Some(found) = path.iter().try_fold(c, |c, w| c.find_subcommand(w)) else {
            continue;
        };
        c = found;
        for a in c.get_arguments() {
            let Some(long) = a.get_long() else { continue };
            if tree.lookup_long(id, long).is_some() {
                continue;
            }
            let takes_value = a.get_action().takes_values();
            // The help process ends soon after: the names may live as long as it does.
            let name: &'static str = Box::leak(long.to_string().into_boxed_str());
            tree.cmds[id].flags.push(crate::complete::tree::Flag {
                def: FlagDef {
                    name,
                    shorthand: "",
                    kind: if takes_value { "string" } else { "bool" },
                    no_opt: if takes_value { "" } else { "true" },
                    usage: "",
                },
                hidden: true,
                persistent: a.is_global_set(),
            });
        }
    }
}

/// Whether the line might be answered with help, cheaply, so that a command that runs does not
/// pay for building the command tree: no words, a `help`/`--help`/`-h` word (or a cluster of
/// short flags with `h`), or a first word that names a command grouping others.
fn may_ask_for_help(args: &[String]) -> bool {
    static GROUPS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let defs = crate::complete::tree::defs();
        let mut out = Vec::new();
        for d in defs {
            if let Some((first, _)) = d.path.split_once(' ') {
                if let Some(g) = defs.iter().find(|g| g.path == first) {
                    out.push(g.path);
                    out.extend(g.aliases.iter().copied());
                }
            }
        }
        out
    });
    let Some(first) = args.iter().find(|a| !a.starts_with('-')) else {
        return true;
    };
    args.iter().any(|a| {
        a == "help"
            || a == "--help"
            || (a.starts_with('-') && !a.starts_with("--") && !a.contains('=') && a.contains('h'))
    }) || GROUPS.contains(&first.as_str())
}

/// The help page of command `id`; `help_flag`: whether the root's flags show `-h, --help`.
fn render(
    tree: &Tree,
    id: usize,
    plugins: &[(String, Plugin)],
    env: &EnvSettings,
    help_flag: bool,
) -> String {
    let cmd = &tree.cmds[id];
    let path = cmd.path.join(" ");
    let program = crate::usage::program_name();
    let text = match TEXTS.get(path.as_str()) {
        Some(t) if !cmd.plugin => t.to_string(),
        _ => plugin_page(tree, id, plugins),
    };
    let mut out = String::with_capacity(text.len() + 4096);
    for line in text.split_inclusive('\n') {
        match line.trim_end_matches('\n') {
            "@GLOBAL_FLAGS@" => {
                out.push_str("Global Flags:\n");
                out.push_str(&flag_usages(&global_flags(tree, env, false)));
            }
            "@ROOT_FLAGS@" => {
                out.push_str("Flags:\n");
                out.push_str(&flag_usages(&global_flags(tree, env, help_flag)));
            }
            _ => {
                let mut l = line.replace("@PROG@", &program);
                if l.contains("@KEYRING@") {
                    l = l.replace("@KEYRING@", &default_keyring());
                }
                if l.starts_with("      --history-max int ") {
                    l = l.replace("(default 10)", &format!("(default {})", env.max_history));
                }
                out.push_str(&l);
            }
        }
    }
    if id == 0 && !plugins.is_empty() {
        out = with_plugin_commands(&out, tree);
    }
    out
}

/// The root's `Available Commands:` with the plugins' commands among Helm's, sorted and padded
/// as cobra does (`rpad` to the longest name, at least 11).
fn with_plugin_commands(page: &str, tree: &Tree) -> String {
    let Some(start) = page.find("Available Commands:\n") else {
        return page.to_string();
    };
    let list_start = start + "Available Commands:\n".len();
    let list_end = page[list_start..]
        .find("\n\n")
        .map_or(page.len(), |i| list_start + i + 1);
    let root = &tree.cmds[0];
    let names: Vec<(&str, &str)> = root
        .children
        .iter()
        .map(|&c| &tree.cmds[c])
        .filter(|c| !c.hidden || c.name == "help")
        .map(|c| (c.name.as_str(), c.short.as_str()))
        .collect();
    let pad = names
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0)
        .max(11);
    let mut sorted = names;
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut list = String::new();
    for (name, short) in sorted {
        list.push_str(&format!("  {name:<pad$} {short}\n"));
    }
    format!("{}{list}{}", &page[..list_start], &page[list_end..])
}

/// cobra's help for a CLI plugin's command (`DisableFlagParsing`, so only `--help` is its
/// own): its long help (else short), the use line, `-h, --help`, the global flags, and the
/// sub-commands its `completion.yaml` declares.
fn plugin_page(tree: &Tree, id: usize, plugins: &[(String, Plugin)]) -> String {
    let cmd = &tree.cmds[id];
    let meta = plugins
        .iter()
        .find(|(n, _)| cmd.path.first() == Some(n))
        .map(|(_, p)| p);
    let (use_, long) = match meta.and_then(|p| p.metadata.cli()) {
        Some((usage, _, long, _)) if cmd.path.len() == 1 => (
            if usage.is_empty() {
                cmd.name.clone()
            } else {
                usage.to_string()
            },
            long.to_string(),
        ),
        _ => (cmd.name.clone(), String::new()),
    };
    let mut out = String::new();
    let head = if long.is_empty() { &cmd.short } else { &long };
    if !head.trim_end().is_empty() {
        out.push_str(head.trim_end());
        out.push_str("\n\n");
    }
    let parent: Vec<&str> = cmd.path[..cmd.path.len() - 1]
        .iter()
        .map(String::as_str)
        .collect();
    let mut use_line = std::iter::once("@PROG@")
        .chain(parent)
        .chain(std::iter::once(use_.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    if !use_line.contains("[flags]") {
        use_line.push_str(" [flags]");
    }
    out.push_str(&format!("Usage:\n  {use_line}"));
    if !cmd.children.is_empty() {
        out.push_str(&format!("\n  @PROG@ {} [command]", cmd.path.join(" ")));
        let pad = cmd
            .children
            .iter()
            .map(|&c| tree.cmds[c].name.len())
            .max()
            .unwrap_or(0)
            .max(11);
        out.push_str("\n\nAvailable Commands:");
        for &c in &cmd.children {
            let sub = &tree.cmds[c];
            out.push_str(&format!("\n  {:<pad$} {}", sub.name, sub.short));
        }
    }
    out.push_str(&format!(
        "\n\nFlags:\n  -h, --help   help for {}\n\n@GLOBAL_FLAGS@\n",
        cmd.name
    ));
    if !cmd.children.is_empty() {
        out.push_str(&format!(
            "\nUse \"@PROG@ {} [command] --help\" for more information about a command.\n",
            cmd.path.join(" ")
        ));
    }
    out
}

/// Helm's `defaultKeyring`: `$GNUPGHOME/pubring.gpg`, else `~/.gnupg/pubring.gpg`.
fn default_keyring() -> String {
    match std::env::var_os("GNUPGHOME") {
        Some(g) => format!("{}/pubring.gpg", g.to_string_lossy()),
        None => format!(
            "{}/.gnupg/pubring.gpg",
            std::env::var("HOME").unwrap_or_default()
        ),
    }
}

/// Helm's persistent flags with the defaults they take from the environment (pflag's
/// `DefValue`), and `-h, --help` for the root's own block.
fn global_flags(tree: &Tree, env: &EnvSettings, with_help: bool) -> Vec<(FlagDef, String)> {
    let quote = |s: &str| helm_core::gocompat::strconv::go_quote(s);
    tree.cmds[0]
        .flags
        .iter()
        .filter(|f| !f.hidden && (with_help || f.def.name != "help"))
        .filter_map(|f| {
            let d = f.def;
            let default = match d.name {
                "burst-limit" => env.burst_limit.to_string(),
                "color" | "colour" => quote(&env.color_mode),
                "content-cache" => quote(&env.content_cache),
                "debug" => env.debug.to_string(),
                "help" => "false".into(),
                "kube-apiserver" => quote(&env.kube_apiserver),
                "kube-as-group" => format!("[{}]", env.kube_as_groups.join(",")),
                "kube-as-user" => quote(&env.kube_as_user),
                "kube-ca-file" => quote(&env.kube_ca_file),
                "kube-context" => quote(&env.kube_context),
                "kube-insecure-skip-tls-verify" => env.kube_insecure_skip_tls_verify.to_string(),
                "kube-tls-server-name" => quote(&env.kube_tls_server_name),
                "kube-token" => quote(&env.kube_token),
                // Helm's flag starts empty: KUBECONFIG is read by the kubeconfig loader.
                "kubeconfig" => quote(""),
                "namespace" => quote(&env.namespace),
                "qps" => go_float32(env.qps),
                "registry-config" => quote(&env.registry_config),
                "repository-cache" => quote(&env.repository_cache),
                "repository-config" => quote(&env.repository_config),
                // A persistent flag Helm does not have is not Helm's help.
                _ => return None,
            };
            Some((d, default))
        })
        .collect()
}

/// pflag's `strconv.FormatFloat(v, 'g', -1, 32)`: the shortest text that reads back as the
/// same float32, which Rust's `Display` also gives for the values `HELM_QPS` takes (Go
/// switches to an exponent only from 1e21).
fn go_float32(v: f32) -> String {
    format!("{v}")
}

/// pflag's `FlagUsagesWrapped(0)` of `flags` (sorted by name), each default given as pflag's
/// `DefValue` (strings already quoted): `(default …)` when it is not the type's zero value.
fn flag_usages(flags: &[(FlagDef, String)]) -> String {
    let mut sorted: Vec<&(FlagDef, String)> = flags.iter().collect();
    sorted.sort_by(|a, b| a.0.name.cmp(b.0.name));
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut maxlen = 0;
    for (f, default) in sorted {
        let mut head = if f.shorthand.is_empty() {
            format!("      --{}", f.name)
        } else {
            format!("  -{}, --{}", f.shorthand, f.name)
        };
        let (varname, usage) = unquote_usage(f);
        if !varname.is_empty() {
            head.push(' ');
            head.push_str(&varname);
        }
        if !f.no_opt.is_empty() {
            match f.kind {
                "string" => head.push_str(&format!("[=\"{}\"]", f.no_opt)),
                "bool" if f.no_opt != "true" => head.push_str(&format!("[={}]", f.no_opt)),
                "bool" => {}
                "count" if f.no_opt != "+1" => head.push_str(&format!("[={}]", f.no_opt)),
                "count" => {}
                _ => head.push_str(&format!("[={}]", f.no_opt)),
            }
        }
        maxlen = maxlen.max(head.len() + 1);
        let mut tail = usage;
        if !is_zero_default(f.kind, default) {
            tail.push_str(&format!(" (default {default})"));
        }
        lines.push((head, tail));
    }
    let mut out = String::new();
    for (head, tail) in lines {
        // Go: Fprintln(head, spacing, usage) with spacing = maxlen - len(head) - 1 ... as
        // pflag computes it: the NUL it appends counts in maxlen.
        let spacing = " ".repeat(maxlen - (head.len() + 1) + 1);
        let tail = tail.replace('\n', &format!("\n{}", " ".repeat(maxlen + 2)));
        out.push_str(&format!("{head} {spacing} {tail}\n"));
    }
    out
}

/// pflag's `defValue` zero test for the types Helm's global flags use.
fn is_zero_default(kind: &str, default: &str) -> bool {
    match kind {
        "bool" => default == "false",
        "string" => default == "\"\"",
        "int" | "float32" | "float64" | "int64" | "uint" => default == "0",
        "stringArray" | "stringSlice" => default == "[]",
        _ => default.is_empty(),
    }
}

/// pflag's `UnquoteUsage`: a back-quoted word in the usage names the value; otherwise the
/// type's name (`float32`, `stringArray`…), none for booleans.
fn unquote_usage(f: &FlagDef) -> (String, String) {
    let usage = f.usage.to_string();
    if let Some(start) = usage.find('`') {
        if let Some(len) = usage[start + 1..].find('`') {
            let end = start + 1 + len;
            let name = usage[start + 1..end].to_string();
            let plain = format!("{}{}{}", &usage[..start], &name, &usage[end + 1..]);
            return (name, plain);
        }
    }
    let name = match f.kind {
        "bool" => "",
        "float64" => "float",
        "int64" => "int",
        "uint64" => "uint",
        "stringSlice" => "strings",
        "intSlice" => "ints",
        "uintSlice" => "uints",
        "boolSlice" => "bools",
        other => other,
    };
    (name.to_string(), usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_command_has_a_page() {
        let tree = Tree::helm();
        for (id, c) in tree.cmds.iter().enumerate() {
            if c.hidden && c.name != "help" {
                continue;
            }
            assert!(
                TEXTS.contains_key(tree.path_of(id).as_str()),
                "no help text for {:?}",
                c.path
            );
        }
    }

    #[test]
    fn pflag_layout_pads_to_the_longest_flag() {
        let f = |name, shorthand, kind, usage| FlagDef {
            name,
            shorthand,
            kind,
            no_opt: if kind == "bool" { "true" } else { "" },
            usage,
        };
        let text = flag_usages(&[
            (
                f("namespace", "n", "string", "namespace scope"),
                "\"x\"".into(),
            ),
            (
                f("debug", "", "bool", "enable verbose output"),
                "false".into(),
            ),
            (f("burst-limit", "", "int", "limit"), "100".into()),
        ]);
        assert_eq!(
            text,
            "      --burst-limit int    limit (default 100)\n      --debug              enable verbose output\n  -n, --namespace string   namespace scope (default \"x\")\n"
        );
    }
}

#[cfg(test)]
mod own_flag_tests {
    use super::*;

    #[test]
    fn helm_rs_flags_are_known_to_the_help_parser() {
        let mut tree = Tree::helm();
        add_own_flags(&mut tree);
        let server = tree.lookup_long(0, "server").expect("--server");
        assert!(server.persistent && server.hidden, "{server:?}");
        let list = tree.child(0, "list").expect("list");
        assert!(tree.lookup_long(list, "server").is_some());
        let words: Vec<String> = ["--server", "http://x", "list", "--help"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (cmd, rest) = engine::find(&tree, &words);
        assert_eq!(cmd, list);
        assert!(engine::parse(&tree, cmd, &rest)
            .expect("parses")
            .changed("help"));
    }
}
