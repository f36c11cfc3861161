//! What Helm's completion functions offer for each command's arguments and flag values: release
//! names and revisions (from the cluster), namespaces, kubeconfig contexts, repositories and
//! their charts (from the repository cache), chart versions, plugins, `helm env` names, and the
//! directive that tells the shell whether to fall back to file names.
//!
//! The settings (namespace, kubeconfig, repository paths) come from the flags typed on the line
//! being completed, over the environment, as in Helm, which parses its global flags first.

use super::engine::{
    Answer, ParsedFlags, Provider, Request, ACTIVE_HELP_MARKER, DIRECTIVE_ERROR,
    DIRECTIVE_NO_FILE_COMP, DIRECTIVE_NO_SPACE,
};
use crate::settings::{EnvSettings, GlobalArgs, KubeArgs};
use helm_core::repo::{paths, IndexFile, RepoFile};
use helm_kube::ReleaseApi;
use std::path::{Path, PathBuf};

pub struct HelmProvider<'a> {
    pub tree: &'a super::tree::Tree,
    /// The CLI plugins' commands (cli/src/plugin/dispatch.rs).
    pub plugins: &'a [(String, crate::plugin::loader::Plugin)],
}

const NO_FILES: u32 = DIRECTIVE_NO_FILE_COMP;

/// Helm's `noMoreArgsComp`: a hint, and no file names.
fn no_more_args() -> Answer {
    (vec![format!("{ACTIVE_HELP_MARKER}This command does not take any more arguments (but may accept flags).")], NO_FILES)
}

/// The global flags typed on the line, as clap would have parsed them.
fn global_args(p: &ParsedFlags) -> GlobalArgs {
    let s = |n: &str| p.last(n).map(String::from);
    let b = |n: &str| p.last(n).and_then(crate::settings::parse_go_bool);
    GlobalArgs {
        kube: KubeArgs {
            namespace: s("namespace"),
            kubeconfig: s("kubeconfig").map(PathBuf::from),
            kube_context: s("kube-context"),
            kube_token: s("kube-token"),
            kube_as_user: s("kube-as-user"),
            kube_as_group: p.values.get("kube-as-group").cloned().unwrap_or_default(),
            kube_apiserver: s("kube-apiserver"),
            kube_ca_file: s("kube-ca-file"),
            kube_insecure_skip_tls_verify: b("kube-insecure-skip-tls-verify"),
            kube_tls_server_name: s("kube-tls-server-name"),
        },
        debug: b("debug"),
        burst_limit: s("burst-limit"),
        qps: s("qps"),
        registry_config: s("registry-config"),
        repository_cache: s("repository-cache"),
        repository_config: s("repository-config"),
        content_cache: s("content-cache"),
        color: s("color"),
        colour: s("colour"),
    }
}

impl Provider for HelmProvider<'_> {
    fn complete(&self, req: &Request) -> Option<Answer> {
        if req.command == "help" && req.flag.is_none() {
            return Some(help_completions(self.tree, req.args, req.to_complete));
        }
        let first = req.command.split(' ').next().unwrap_or("");
        if let Some((_, p)) = self.plugins.iter().find(|(n, _)| n == first) {
            let words: Vec<String> = req.args.to_vec();
            let sub: Vec<String> = req.command.split(' ').skip(1).map(String::from).collect();
            return Some(crate::plugin::dispatch::plugin_completions(
                p,
                &std::env::args().skip(2).collect::<Vec<_>>(),
                &sub,
                &words,
                req.to_complete,
            ));
        }
        let settings = EnvSettings::new(&global_args(req.flags)).ok()?;
        match req.flag {
            Some(flag) => flag_values(req, flag, &settings),
            None => arguments(req, &settings),
        }
    }
}

fn flag_values(req: &Request, flag: &str, s: &EnvSettings) -> Option<Answer> {
    let cmd = req.command.as_str();
    let args = req.args;
    match flag {
        "color" | "colour" => Some((
            vec!["never".into(), "auto".into(), "always".into()],
            NO_FILES,
        )),
        // `helm docs --type`: Helm answers every format whatever was typed (the shell filters).
        "type" if cmd == "docs" => Some((
            vec!["bash".into(), "man".into(), "markdown".into()],
            NO_FILES,
        )),
        "namespace" => Some(namespaces(s)),
        "kube-context" => Some(contexts(s)),
        "output" => Some((
            vec![
                "json\tOutput result in JSON format".into(),
                "table\tOutput result in human-readable format".into(),
                "yaml\tOutput result in YAML format".into(),
            ],
            NO_FILES,
        )),
        "version" => {
            let chart_arg = match cmd {
                "install" | "template" => {
                    let required = if req
                        .flags
                        .last("generate-name")
                        .and_then(crate::settings::parse_go_bool)
                        .unwrap_or(false)
                    {
                        1
                    } else {
                        2
                    };
                    (args.len() == required).then(|| args[required - 1].clone())
                }
                "upgrade" => (args.len() == 2).then(|| args[1].clone()),
                "pull" | "show all" | "show chart" | "show crds" | "show readme"
                | "show values" => (args.len() == 1).then(|| args[0].clone()),
                _ => return None,
            };
            Some(match chart_arg {
                Some(chart) => chart_versions(&chart, s),
                None => (Vec::new(), NO_FILES),
            })
        }
        "revision" => match cmd {
            "status" | "get all" | "get hooks" | "get manifest" | "get metadata" | "get notes"
            | "get values" => Some(if args.len() == 1 {
                revisions(&args[0], s)
            } else {
                (Vec::new(), NO_FILES)
            }),
            _ => None,
        },
        _ => None,
    }
}

fn arguments(req: &Request, s: &EnvSettings) -> Option<Answer> {
    let args = req.args;
    let n = args.len();
    let to_complete = req.to_complete;
    let answer = match req.command.as_str() {
        "completion bash"
        | "completion zsh"
        | "completion fish"
        | "completion powershell"
        | "list"
        | "plugin list"
        | "repo list"
        | "version"
        | "docs" => no_more_args(),
        "create" | "plugin install" | "repo index" | "verify" => {
            if n == 0 {
                (Vec::new(), 0)
            } else {
                no_more_args()
            }
        }
        "env" => {
            if n == 0 {
                (
                    s.env_vars().keys().map(|k| k.to_string()).collect(),
                    NO_FILES,
                )
            } else {
                no_more_args()
            }
        }
        "get all" | "get hooks" | "get manifest" | "get metadata" | "get notes" | "get values"
        | "history" | "status" | "test" => {
            if n != 0 {
                no_more_args()
            } else {
                releases(s, args, to_complete)
            }
        }
        "uninstall" => releases(s, args, to_complete),
        "rollback" => match n {
            0 => releases(s, args, to_complete),
            1 => revisions(&args[0], s),
            _ => no_more_args(),
        },
        "upgrade" => match n {
            0 => releases(s, args, to_complete),
            1 => charts(to_complete, true, s),
            _ => no_more_args(),
        },
        "install" | "template" => {
            let required = if req
                .flags
                .last("generate-name")
                .and_then(crate::settings::parse_go_bool)
                .unwrap_or(false)
            {
                0
            } else {
                1
            };
            if n == required {
                charts(to_complete, true, s)
            } else {
                (Vec::new(), NO_FILES)
            }
        }
        "show all" | "show chart" | "show crds" | "show readme" | "show values" => {
            if n != 0 {
                no_more_args()
            } else {
                charts(to_complete, true, s)
            }
        }
        "pull" => {
            if n != 0 {
                (Vec::new(), NO_FILES)
            } else {
                charts(to_complete, false, s)
            }
        }
        "push" => match n {
            0 => (Vec::new(), 0),
            1 => (vec!["oci://".into()], NO_FILES | DIRECTIVE_NO_SPACE),
            _ => no_more_args(),
        },
        "registry login" | "registry logout" => (Vec::new(), NO_FILES),
        "repo add" => {
            if n > 1 {
                no_more_args()
            } else {
                (Vec::new(), NO_FILES)
            }
        }
        "repo remove" | "repo update" => (repositories(s, args), NO_FILES),
        "plugin uninstall" | "plugin update" => (plugins(s, args), NO_FILES),
        _ => return None,
    };
    Some(answer)
}

/// A runtime for the cluster calls completion makes.
fn block_on<F: std::future::Future>(f: F) -> Option<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    Some(rt.block_on(f))
}

async fn client(s: &EnvSettings) -> Option<helm_kube::Client> {
    let k = s.kube_args();
    let ns = k.namespace.clone();
    helm_kube::Client::new(k.client_options(ns).ok()?)
        .await
        .ok()
}

/// Helm's `compListReleases`: every release of the namespace, whatever its state, but those
/// already typed; `name\tchart-version -> status`.
fn releases(s: &EnvSettings, typed: &[String], to_complete: &str) -> Answer {
    if s.debug {
        eprintln!("[Debug] compListReleases with toComplete {to_complete}");
    }
    let listed = block_on(async {
        let c = client(s).await?;
        c.list(helm_core::release::api::ListOptions {
            all: true,
            ..Default::default()
        })
        .await
        .ok()
    })
    .flatten();
    let Some(rels) = listed else {
        return (Vec::new(), 0);
    };
    let out = rels
        .iter()
        .filter(|r| !typed.contains(&r.name))
        .map(|r| {
            let status = r
                .info
                .as_ref()
                .map(|i| i.status.to_string())
                .unwrap_or_default();
            format!(
                "{}\t{}-{} -> {status}",
                r.name,
                r.chart_name(),
                r.chart_version()
            )
        })
        .collect();
    (out, NO_FILES)
}

/// Helm's `compListRevisions`: `N\tApp: X, Chart: name-version`, in the order the storage
/// lists them (by object name: revision 10 before revision 2).
fn revisions(name: &str, s: &EnvSettings) -> Answer {
    let hist = block_on(async {
        let c = client(s).await?;
        c.history(name, None).await.ok()
    })
    .flatten();
    let Some(mut hist) = hist else {
        return (Vec::new(), DIRECTIVE_ERROR);
    };
    hist.sort_by_key(|r| r.version.to_string());
    let out = hist
        .iter()
        .map(|r| {
            format!(
                "{}\tApp: {}, Chart: {}-{}",
                r.version,
                r.app_version(),
                r.chart_name(),
                r.chart_version()
            )
        })
        .collect();
    (out, NO_FILES)
}

/// The cluster's namespaces (`-n <TAB>`); nothing (and file names) when it cannot be asked.
fn namespaces(s: &EnvSettings) -> Answer {
    use k8s_openapi::api::core::v1::Namespace;
    let names = block_on(async {
        let c = client(s).await?;
        let api: kube::Api<Namespace> = kube::Api::all(c.kube().clone());
        // Helm gives the request three seconds.
        let list = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            api.list(&kube::api::ListParams::default()),
        )
        .await
        .ok()?
        .ok()?;
        Some(
            list.items
                .into_iter()
                .filter_map(|n| n.metadata.name)
                .collect::<Vec<_>>(),
        )
    })
    .flatten();
    match names {
        Some(n) => (n, NO_FILES),
        None => (Vec::new(), 0),
    }
}

/// The kubeconfig's contexts (`--kube-context <TAB>`): `name\tcluster`.
fn contexts(s: &EnvSettings) -> Answer {
    let kc = if s.kubeconfig.is_empty() {
        kube::config::Kubeconfig::read().ok()
    } else {
        kube::config::Kubeconfig::read_from(Path::new(&s.kubeconfig)).ok()
    };
    let Some(kc) = kc else {
        return (Vec::new(), NO_FILES);
    };
    let out = kc
        .contexts
        .iter()
        .map(|c| {
            format!(
                "{}\t{}",
                c.name,
                c.context
                    .as_ref()
                    .map(|x| x.cluster.clone())
                    .unwrap_or_default()
            )
        })
        .collect();
    (out, NO_FILES)
}

/// The repositories of the repositories file (none when it cannot be read, as Helm).
fn repos(s: &EnvSettings) -> Vec<helm_core::repo::RepoEntry> {
    RepoFile::load_file_or_empty(Path::new(&s.repository_config))
        .map(|f| f.repositories)
        .unwrap_or_default()
}

/// Helm's `compListRepos`: `name\turl` for each repository not already typed.
fn repositories(s: &EnvSettings, typed: &[String]) -> Vec<String> {
    repos(s)
        .iter()
        .filter(|r| !typed.contains(&r.name))
        .map(|r| format!("{}\t{}", r.name, r.url))
        .collect()
}

/// Helm's `compListChartsOfRepo`: `repo/chart` from the cached chart list, else the index.
fn charts_of_repo(repo: &str, s: &EnvSettings) -> Vec<String> {
    let cache = Path::new(&s.repository_cache);
    match std::fs::read_to_string(cache.join(paths::cache_charts_file(repo))) {
        Ok(text) => text.lines().map(|name| format!("{repo}/{name}")).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match IndexFile::load_file(&cache.join(paths::cache_index_file(repo))) {
                Ok(idx) => idx
                    .entries
                    .keys()
                    .map(|name| format!("{repo}/{name}"))
                    .collect(),
                Err(_) => Vec::new(),
            }
        }
        Err(_) => Vec::new(),
    }
}

/// Helm's `compListCharts`: repository names (`repo/`), a repository's charts, URL prefixes,
/// local entries, and hints for paths; file names from the shell unless `include_files` is off.
fn charts(to_complete: &str, include_files: bool, s: &EnvSettings) -> Answer {
    let (mut no_space, mut no_file) = (false, false);
    let mut out = Vec::new();
    for r in &repos(s) {
        let with_slash = format!("{}/", r.name);
        if to_complete.starts_with(&with_slash) {
            out.extend(charts_of_repo(&r.name, s));
            no_space = false;
            break;
        } else if r.name.starts_with(to_complete) {
            out.push(format!("{with_slash}\t{}", r.url));
            no_space = true;
        }
    }
    // Helm compares what is typed with the whole candidate, description included, so a full
    // prefix (`oci://x`) is never recognized and leaves the shell's default completion.
    for candidate in [
        "oci://\tChart OCI prefix",
        "https://\tChart URL prefix",
        "http://\tChart URL prefix",
        "file://\tChart local URL prefix",
    ] {
        if to_complete.starts_with(candidate) {
            no_file = true;
            no_space = true;
        } else if candidate.starts_with(to_complete) {
            out.push(candidate.to_string());
            no_space = true;
        }
    }
    if include_files && !out.is_empty() && !to_complete.is_empty() {
        if let Ok(dir) = std::fs::read_dir(".") {
            let mut names: Vec<String> = dir
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            out.extend(names.into_iter().filter(|n| n.starts_with(to_complete)));
        }
    }
    if include_files && to_complete.is_empty() {
        out.push("./\tRelative path prefix to local chart".into());
        out.push("/\tAbsolute path prefix to local chart".into());
    }
    let mut directive = 0;
    if no_file || !include_files {
        directive |= NO_FILES;
    }
    if no_space {
        directive |= DIRECTIVE_NO_SPACE;
    }
    (out, directive)
}

/// Go's `Format("January 2, 2006")` of an RFC 3339 time (its own offset, as Go keeps it).
fn long_date(created: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let date = created.get(..10).unwrap_or("");
    let mut parts = date.split('-');
    let (y, m, d) = (
        parts.next(),
        parts.next().and_then(|m| m.parse::<usize>().ok()),
        parts.next().and_then(|d| d.parse::<u32>().ok()),
    );
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) => {
            format!("{} {d}, {y}", MONTHS[m - 1])
        }
        _ => "January 1, 0001".into(),
    }
}

/// Helm's `compVersionFlag`: the versions of `repo/chart` in the cached index, newest first,
/// with app version, creation date and deprecation.
fn chart_versions(chart_ref: &str, s: &EnvSettings) -> Answer {
    let parts: Vec<&str> = chart_ref.split('/').collect();
    let [repo, chart] = parts.as_slice() else {
        return (Vec::new(), NO_FILES);
    };
    let path = Path::new(&s.repository_cache).join(paths::cache_index_file(repo));
    let mut out = Vec::new();
    if let Ok(idx) = IndexFile::load_file(&path) {
        for v in idx.entries.get(*chart).map(|v| v.as_slice()).unwrap_or(&[]) {
            let m = &v.metadata;
            let app = if m.app_version.is_empty() {
                String::new()
            } else {
                format!("App: {}, ", m.app_version)
            };
            let deprecated = if m.deprecated { "(deprecated)" } else { "" };
            out.push(format!(
                "{}\t{app}Created: {} {deprecated}",
                m.version,
                long_date(&v.created)
            ));
        }
    }
    (out, NO_FILES)
}

/// Helm's `compListPlugins`: installed command plugins not already typed, `name\tshort help`
/// (cli/src/plugin/loader.rs, which warns about broken plugins as Helm does).
fn plugins(s: &EnvSettings, typed: &[String]) -> Vec<String> {
    let dirs = crate::plugin::loader::split_dirs(&s.plugins_directory);
    let Ok(found) = crate::plugin::loader::find_plugins(&dirs, "cli/v1", "") else {
        return Vec::new();
    };
    found
        .iter()
        .filter(|p| !typed.contains(&p.metadata.name))
        .map(|p| {
            let short = p.metadata.cli().map(|c| c.1).unwrap_or("");
            format!("{}\t{short}", p.metadata.name)
        })
        .collect()
}

/// cobra's `help` command: the subcommands of the command the words name.
fn help_completions(tree: &super::tree::Tree, args: &[String], to_complete: &str) -> Answer {
    let Some(cmd) = super::engine::find_command(tree, args) else {
        return (Vec::new(), NO_FILES);
    };
    let out = tree.cmds[cmd]
        .children
        .iter()
        .map(|&c| &tree.cmds[c])
        .filter(|c| !c.hidden && c.name.starts_with(to_complete))
        .map(|c| format!("{}\t{}", c.name, c.short))
        .collect();
    (out, NO_FILES)
}
