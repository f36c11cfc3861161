//! Helm's command tree as cobra sees it when completing: commands with their aliases and short
//! descriptions, and flags with their pflag type, shorthand, no-value default and usage line.
//!
//! Why a separate model instead of clap's: completion must offer Helm's commands and flags in
//! Helm's words and order (hidden helm-rs extras such as `serve` must not appear), and cobra's
//! parsing rules (which words are flag values, which flags take none) decide where the cursor
//! is. The visible part is generated from the reference binary (`helm_tree.tsv`); what `--help`
//! does not show (hidden and deprecated flags, the hidden `docs` command, cobra's `help`
//! command, the flag groups) is listed here.

use std::sync::LazyLock;

/// Helm 4.1.4's visible commands and flags, written by `scripts/gen-helm-command-tree.py`.
const HELM_TREE: &str = include_str!("helm_tree.tsv");

/// One command of the generated table; `path` is the words after `helm` (`""`: the root).
pub struct CmdDef {
    pub path: &'static str,
    pub short: &'static str,
    pub aliases: Vec<&'static str>,
    pub flags: Vec<FlagDef>,
}

/// The generated table, read once. Its lines are `command PATH SHORT ALIASES` (aliases
/// comma-separated) and `flag NAME SHORTHAND KIND NO_OPT USAGE` for a flag of the command
/// above; fields are tab-separated and `#` starts a comment line. The table is built into the
/// binary, so a malformed line is a bug of the generator and panics in every test.
static COMMANDS: LazyLock<Vec<CmdDef>> = LazyLock::new(|| {
    let mut cmds: Vec<CmdDef> = Vec::new();
    for line in HELM_TREE
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&'static str> = line.split('\t').collect();
        match fields[..] {
            ["command", path, short, aliases] => cmds.push(CmdDef {
                path,
                short,
                aliases: aliases.split(',').filter(|a| !a.is_empty()).collect(),
                flags: Vec::new(),
            }),
            ["flag", name, shorthand, kind, no_opt, usage] => {
                let cmd = cmds
                    .last_mut()
                    .expect("helm_tree.tsv: a flag before any command");
                cmd.flags.push(FlagDef {
                    name,
                    shorthand,
                    kind,
                    no_opt,
                    usage,
                });
            }
            _ => panic!("helm_tree.tsv: malformed line {line:?}"),
        }
    }
    cmds
});

/// The generated table of Helm's visible commands.
pub fn defs() -> &'static [CmdDef] {
    &COMMANDS
}

/// One flag as pflag knows it. `kind` is pflag's type name (`bool`, `int`, `stringArray`, …),
/// `no_opt` the value a bare `--flag` takes (`true` for booleans; empty: a value must follow).
#[derive(Clone, Copy, Debug)]
pub struct FlagDef {
    pub name: &'static str,
    pub shorthand: &'static str,
    pub kind: &'static str,
    pub no_opt: &'static str,
    pub usage: &'static str,
}

impl FlagDef {
    /// Whether the flag may be given more than once with every value kept (cobra then keeps
    /// offering it after it was given).
    pub fn accepts_multiple(&self) -> bool {
        self.kind.contains("Slice")
            || self.kind.contains("Array")
            || self.kind.starts_with("stringTo")
            || self.kind == "strings"
    }
}

/// A flag of a command: hidden and deprecated flags are parsed but never offered.
#[derive(Clone, Debug)]
pub struct Flag {
    pub def: FlagDef,
    pub hidden: bool,
    /// Defined on this command for its subcommands too (Helm: the root's global flags).
    pub persistent: bool,
}

pub struct Command {
    pub name: String,
    pub short: String,
    pub aliases: Vec<&'static str>,
    pub hidden: bool,
    pub flags: Vec<Flag>,
    pub children: Vec<usize>,
    pub parent: Option<usize>,
    /// Groups of flags of which only one may be given (cobra's mutually exclusive groups).
    pub exclusive: Vec<&'static [&'static str]>,
    /// The words from the root (`["get", "all"]`).
    pub path: Vec<String>,
    /// A CLI plugin's command (or a sub-command from its `completion.yaml`): its words are
    /// not parsed as flags (cobra's `DisableFlagParsing`).
    pub plugin: bool,
    /// cobra's `ValidArgs`: the first argument's choices (a plugin's `validArgs`).
    pub valid_args: Vec<String>,
    /// Whether the plugin's `plugin.complete` answers for this command (cobra's
    /// `ValidArgsFunction` on a plugin command that declares no sub-commands).
    pub dynamic: bool,
}

/// klog's flags, which Helm adds hidden to its global flags.
const KLOG_FLAGS: &[(&str, &str, &str)] = &[
    ("add-dir-header", "bool", "true"),
    ("alsologtostderr", "bool", "true"),
    ("log-backtrace-at", "traceLocation", ""),
    ("log-dir", "string", ""),
    ("log-file", "string", ""),
    ("log-file-max-size", "uint", ""),
    ("logtostderr", "bool", "true"),
    ("one-output", "bool", "true"),
    ("skip-headers", "bool", "true"),
    ("skip-log-headers", "bool", "true"),
    ("stderrthreshold", "severity", ""),
    ("v", "Level", ""),
    ("vmodule", "moduleSpec", ""),
];

/// Deprecated flags: accepted, absent from `--help`, never completed.
const DEPRECATED_FLAGS: &[(&str, &str)] = &[
    ("install", "force"),
    ("install", "atomic"),
    ("upgrade", "force"),
    ("upgrade", "atomic"),
    ("rollback", "force"),
    ("template", "force"),
    ("template", "atomic"),
    ("template", "validate"),
];

/// pflag's notice when a deprecated flag is parsed.
pub fn deprecation_notice(name: &str) -> Option<String> {
    let how = match name {
        "force" => "use --force-replace instead",
        "atomic" => "use --rollback-on-failure instead",
        "validate" => "use '--dry-run=server' instead",
        _ => return None,
    };
    Some(format!("Flag --{name} has been deprecated, {how}"))
}

const FORCE_GROUPS: &[&[&str]] = &[
    &["force-replace", "force-conflicts"],
    &["force", "force-conflicts"],
];
const TEMPLATE_GROUPS: &[&[&str]] = &[
    &["force-replace", "force-conflicts"],
    &["force", "force-conflicts"],
    &["validate", "dry-run"],
];

fn bool_flag(name: &'static str, usage: &'static str) -> FlagDef {
    FlagDef {
        name,
        shorthand: "",
        kind: "bool",
        no_opt: "true",
        usage,
    }
}

pub struct Tree {
    pub cmds: Vec<Command>,
}

impl Tree {
    /// Helm 4.1.4's tree.
    pub fn helm() -> Tree {
        let mut cmds: Vec<Command> = Vec::new();
        let mut by_path: std::collections::HashMap<&str, usize> = Default::default();
        for def in COMMANDS.iter() {
            let id = cmds.len();
            let words: Vec<String> = def.path.split_whitespace().map(String::from).collect();
            let parent = if def.path.is_empty() {
                None
            } else {
                let parent_path = def.path.rsplit_once(' ').map(|(p, _)| p).unwrap_or("");
                by_path.get(parent_path).copied()
            };
            let root = def.path.is_empty();
            let flags = def
                .flags
                .iter()
                .map(|f| Flag {
                    def: *f,
                    hidden: false,
                    persistent: root && f.name != "help",
                })
                .collect();
            cmds.push(Command {
                name: words.last().cloned().unwrap_or_else(|| "helm".into()),
                short: def.short.into(),
                aliases: def.aliases.clone(),
                hidden: false,
                flags,
                children: Vec::new(),
                parent,
                exclusive: Vec::new(),
                path: words,
                plugin: false,
                valid_args: Vec::new(),
                dynamic: false,
            });
            by_path.insert(def.path, id);
            if let Some(p) = parent {
                cmds[p].children.push(id);
            }
        }
        let mut tree = Tree { cmds };
        tree.add_hidden(&by_path);
        // cobra lists subcommands sorted by name.
        let names: Vec<String> = tree.cmds.iter().map(|c| c.name.clone()).collect();
        for c in &mut tree.cmds {
            c.children.sort_by(|a, b| names[*a].cmp(&names[*b]));
        }
        tree
    }

    fn add_hidden(&mut self, by_path: &std::collections::HashMap<&str, usize>) {
        let root = 0;
        for &(name, kind, no_opt) in KLOG_FLAGS {
            // pflag gives a one-letter Go flag that letter as its shorthand (`-v 3`).
            let shorthand = if name.len() == 1 { name } else { "" };
            let def = FlagDef {
                name,
                shorthand,
                kind,
                no_opt,
                usage: "",
            };
            self.cmds[root].flags.push(Flag {
                def,
                hidden: true,
                persistent: true,
            });
        }
        for &(path, name) in DEPRECATED_FLAGS {
            if let Some(&id) = by_path.get(path) {
                if self.cmds[id].flags.iter().all(|f| f.def.name != name) {
                    self.cmds[id].flags.push(Flag {
                        def: bool_flag(name, ""),
                        hidden: true,
                        persistent: false,
                    });
                }
            }
        }
        for path in ["install", "upgrade", "rollback"] {
            if let Some(&id) = by_path.get(path) {
                self.cmds[id].exclusive = FORCE_GROUPS.to_vec();
            }
        }
        if let Some(&id) = by_path.get("template") {
            self.cmds[id].exclusive = TEMPLATE_GROUPS.to_vec();
        }
        // cobra's own `help` command and Helm's hidden `docs` generator.
        let help = FlagDef {
            name: "help",
            shorthand: "h",
            kind: "bool",
            no_opt: "true",
            usage: "help for help",
        };
        self.push_child(root, "help", "Help about any command", false, vec![help]);
        let docs_help = FlagDef {
            name: "help",
            shorthand: "h",
            kind: "bool",
            no_opt: "true",
            usage: "help for docs",
        };
        let dir = FlagDef {
            name: "dir",
            shorthand: "",
            kind: "string",
            no_opt: "",
            usage: "directory to which documentation is written",
        };
        let typ = FlagDef {
            name: "type",
            shorthand: "",
            kind: "string",
            no_opt: "",
            usage: "the type of documentation to generate (markdown, man, bash)",
        };
        let headers = bool_flag(
            "generate-headers",
            "generate standard headers for markdown files",
        );
        self.push_child(
            root,
            "docs",
            "generate documentation as markdown or man pages",
            true,
            vec![dir, headers, docs_help, typ],
        );
    }

    fn push_child(
        &mut self,
        parent: usize,
        name: &str,
        short: &str,
        hidden: bool,
        flags: Vec<FlagDef>,
    ) {
        let id = self.cmds.len();
        let mut path = self.cmds[parent].path.clone();
        path.push(name.into());
        self.cmds.push(Command {
            name: name.into(),
            short: short.into(),
            aliases: Vec::new(),
            hidden,
            flags: flags
                .into_iter()
                .map(|def| Flag {
                    def,
                    hidden: false,
                    persistent: false,
                })
                .collect(),
            children: Vec::new(),
            parent: Some(parent),
            exclusive: Vec::new(),
            path,
            plugin: false,
            valid_args: Vec::new(),
            dynamic: false,
        });
        self.cmds[parent].children.push(id);
    }

    /// Adds an installed CLI plugin's command under the root, as Helm does at start
    /// (cli/src/plugin/dispatch.rs chooses which), with what its `completion.yaml` declares
    /// (`None`: no file, or an invalid one). Returns the command paths of the sub-commands
    /// declared without a name (Helm logs them).
    pub fn add_plugin(
        &mut self,
        name: &str,
        short: &str,
        spec: Option<&crate::plugin::completion::CompletionSpec>,
    ) -> Vec<String> {
        self.push_child(0, name, short, false, Vec::new());
        let id = self.cmds.len() - 1;
        let mut root = spec.cloned().unwrap_or_default();
        root.name = name.to_string();
        let mut unnamed = Vec::new();
        self.add_plugin_commands(id, &root, &mut unnamed);
        let names: Vec<String> = self.cmds.iter().map(|c| c.name.clone()).collect();
        self.cmds[0]
            .children
            .sort_by(|a, b| names[*a].cmp(&names[*b]));
        unnamed
    }

    /// Helm's `addPluginCommands`: `id` takes `spec`'s arguments and flags, and a sub-command
    /// for each of its commands. An entry without a name stops there (Helm logs it and leaves
    /// that sub-command bare: no arguments, flags or `plugin.complete`).
    fn add_plugin_commands(
        &mut self,
        id: usize,
        spec: &crate::plugin::completion::CompletionSpec,
        unnamed: &mut Vec<String>,
    ) {
        self.cmds[id].plugin = true;
        if spec.name.is_empty() {
            unnamed.push(format!("helm {}", self.path_of(id)));
            return;
        }
        self.cmds[id].valid_args = spec.valid_args.clone();
        self.cmds[id].dynamic = spec.commands.is_none();
        // Flag names live as long as the process: completion answers once and exits.
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        for (long, short) in crate::plugin::completion::fake_flags(&spec.flags) {
            self.cmds[id].flags.push(Flag {
                def: FlagDef {
                    name: leak(&long),
                    shorthand: leak(&short),
                    kind: "bool",
                    no_opt: "true",
                    usage: "",
                },
                hidden: false,
                persistent: false,
            });
        }
        for sub in spec.commands.iter().flatten() {
            self.push_child(id, &sub.name, "", false, Vec::new());
            let child = self.cmds.len() - 1;
            self.add_plugin_commands(child, sub, unnamed);
        }
        // cobra lists sub-commands sorted by name.
        let mut children = std::mem::take(&mut self.cmds[id].children);
        children.sort_by(|a, b| self.cmds[*a].name.cmp(&self.cmds[*b].name));
        self.cmds[id].children = children;
    }

    /// The persistent flags of the command's ancestors (cobra's `InheritedFlags`).
    pub fn inherited(&self, id: usize) -> Vec<&Flag> {
        let mut out = Vec::new();
        let own = &self.cmds[id].flags;
        let mut cur = self.cmds[id].parent;
        while let Some(p) = cur {
            out.extend(
                self.cmds[p]
                    .flags
                    .iter()
                    .filter(|f| f.persistent && own.iter().all(|o| o.def.name != f.def.name)),
            );
            cur = self.cmds[p].parent;
        }
        out
    }

    /// Every flag the command parses: its own, then the inherited ones.
    pub fn all_flags(&self, id: usize) -> Vec<&Flag> {
        let mut out: Vec<&Flag> = self.cmds[id].flags.iter().collect();
        for f in self.inherited(id) {
            if out.iter().all(|o| o.def.name != f.def.name) {
                out.push(f);
            }
        }
        out
    }

    pub fn lookup_long(&self, id: usize, name: &str) -> Option<&Flag> {
        self.all_flags(id).into_iter().find(|f| f.def.name == name)
    }

    pub fn lookup_short(&self, id: usize, short: &str) -> Option<&Flag> {
        if short.is_empty() {
            return None;
        }
        self.all_flags(id)
            .into_iter()
            .find(|f| f.def.shorthand == short)
    }

    /// The child named (or aliased) `word`, hidden ones included, as cobra's `findNext`.
    pub fn child(&self, id: usize, word: &str) -> Option<usize> {
        self.cmds[id]
            .children
            .iter()
            .copied()
            .find(|&c| self.cmds[c].name == word || self.cmds[c].aliases.contains(&word))
    }

    pub fn path_of(&self, id: usize) -> String {
        self.cmds[id].path.join(" ")
    }
}
