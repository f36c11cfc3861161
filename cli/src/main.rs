//! `helm-rs`: the command line, with Helm's commands and flags. Thin: all logic is in helm-core.
//!
//! Like Helm, errors go to standard error as `Error: MESSAGE` with exit code 1, and log lines
//! (`level=WARN msg="this chart is deprecated"`) go to standard error before the output.

mod excerpt;
mod heap;
mod help;
mod lint;
mod plugin;
mod version;
use clap::{Args, Parser, Subcommand};
use helm_core::chart;
use helm_core::render::{self, objects::KubeVersion, ReleaseOptions, TemplateOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod color;
mod complete;
mod diff;
mod progress;
mod release;
mod repo;
mod serve;
mod settings;
mod slog;
mod transfer;
mod url_getters;
mod usage;

#[derive(Parser)]
#[command(
    name = "helm-rs",
    version,
    about = "The Kubernetes package manager, in Rust"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Helm's global flags (cli/src/settings.rs).
    #[command(flatten)]
    global: settings::GlobalArgs,
    /// Send release commands to a `helm-rs serve` server at this URL (helm-rs only, not in Helm).
    #[arg(long, global = true)]
    server: Option<String>,
    /// Bearer token for --server (default: $HELM_RS_TOKEN).
    #[arg(long, global = true)]
    token: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Locally render templates.
    Template(TemplateArgs),
    /// Show information of a chart.
    Show {
        #[command(subcommand)]
        what: ShowCommand,
    },
    /// Create a new chart with the given name.
    Create(CreateArgs),
    /// Package a chart directory into a chart archive.
    Package(PackageArgs),
    /// Examine a chart for possible issues.
    Lint(lint::LintArgs),
    /// Print the version information (the Helm release reproduced, with helm-rs's version).
    Version(VersionArgs),
    /// install, upgrade, rollback, uninstall, status, history, list, get, test (cli/src/release.rs)
    #[command(flatten)]
    Release(release::ReleaseCommand),
    /// Preview an upgrade, install or rollback as a diff (the helm-diff plugin's commands; cli/src/diff.rs)
    Diff {
        #[command(subcommand)]
        what: diff::DiffCommand,
    },
    /// Run the release server: an HTTP API over the release actions (helm-rs only).
    Serve(serve::ServeArgs),
    /// Add, list, remove, update, and index chart repositories.
    Repo {
        #[command(subcommand)]
        what: repo::RepoCommand,
    },
    /// Search for a keyword in charts.
    Search {
        #[command(subcommand)]
        what: repo::SearchCommand,
    },
    /// Download a chart from a repository and (optionally) unpack it in a local directory.
    #[command(alias = "fetch")]
    Pull(repo::PullArgs),
    /// Push a chart to a remote (OCI registry).
    Push(repo::PushArgs),
    /// Verify that a chart at the given path has been signed and is valid.
    Verify(repo::VerifyArgs),
    /// Manage a chart's dependencies.
    #[command(alias = "dep", alias = "dependencies")]
    Dependency {
        #[command(subcommand)]
        what: repo::DependencyCommand,
    },
    /// Login to or logout from a registry.
    Registry {
        #[command(subcommand)]
        what: repo::RegistryCommand,
    },
    /// generate autocompletion scripts for the specified shell
    Completion {
        #[command(subcommand)]
        shell: complete::Shell,
    },
    /// helm client environment information
    Env(settings::EnvArgs),
    /// install, list, or uninstall Helm plugins (cli/src/plugin/)
    Plugin {
        #[command(subcommand)]
        what: plugin::PluginCommand,
    },
}

#[derive(Args)]
struct VersionArgs {
    /// Print the version number only.
    #[arg(long)]
    short: bool,
    /// A Go template for the version.BuildInfo fields.
    #[arg(long)]
    template: Option<String>,
}

#[derive(Args)]
struct CreateArgs {
    /// `NAME`: the chart directory to create (its last element is the chart name).
    args: Vec<String>,
    /// The name or absolute path to a Helm starter scaffold.
    #[arg(short = 'p', long)]
    starter: Option<String>,
}

#[derive(Args)]
struct PackageArgs {
    /// `[CHART_PATH] [...]`
    args: Vec<String>,
    /// Set the version on the chart to this semver version.
    #[arg(long)]
    version: Option<String>,
    /// Set the appVersion on the chart to this version.
    #[arg(long = "app-version")]
    app_version: Option<String>,
    /// Location to write the chart.
    #[arg(short = 'd', long, default_value = ".")]
    destination: String,
    /// update dependencies from "Chart.yaml" to dir "charts/" before packaging
    #[arg(short = 'u', long = "dependency-update")]
    dependency_update: bool,
    /// Use a PGP private key to sign this package.
    #[arg(long)]
    sign: bool,
    /// Name of the key to use when signing.
    #[arg(long)]
    key: Option<String>,
    /// Location of a public keyring.
    #[arg(long)]
    keyring: Option<String>,
    /// Location of a file which contains the passphrase for the signing key ("-" for stdin).
    #[arg(long = "passphrase-file")]
    passphrase_file: Option<String>,
}

#[derive(Subcommand)]
enum ShowCommand {
    /// Show all information of the chart.
    All(ShowArgs),
    /// Show the chart's definition.
    Chart(ShowArgs),
    /// Show the chart's values.
    Values(ShowArgs),
    /// Show the chart's README.
    Readme(ShowArgs),
    /// Show the chart's CRDs.
    Crds(ShowArgs),
}

#[derive(Args)]
struct ShowArgs {
    /// a chart directory or archive, `repo/chart`, `oci://…` or a chart URL
    chart: String,
    /// specify a version constraint for the chart version to use
    #[arg(long)]
    version: Option<String>,
    /// use development versions, too (version '>0.0.0-0' when --version is not set)
    #[arg(long)]
    devel: bool,
    /// supply a JSONPath expression to filter the output (`show values` only, as in Helm)
    #[arg(long)]
    jsonpath: Option<String>,
    #[command(flatten)]
    source: repo::ChartSourceArgs,
    /// use insecure HTTP connections for the chart download
    #[arg(long = "plain-http")]
    plain_http: bool,
}

/// The values flags shared by install/upgrade/template (Helm's `values.Options`).
#[derive(Args, Default, Clone)]
pub struct ValueArgs {
    /// Values files (repeatable, or comma-separated).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<String>,
    #[arg(long = "set")]
    pub set: Vec<String>,
    #[arg(long = "set-string")]
    pub set_string: Vec<String>,
    #[arg(long = "set-file")]
    pub set_file: Vec<String>,
    #[arg(long = "set-json")]
    pub set_json: Vec<String>,
    #[arg(long = "set-literal")]
    pub set_literal: Vec<String>,
}

#[derive(Args)]
struct TemplateArgs {
    /// `[NAME] CHART`
    args: Vec<String>,
    #[command(flatten)]
    values: ValueArgs,
    /// Only show manifests rendered from the given templates.
    #[arg(short = 's', long = "show-only")]
    show_only: Vec<String>,
    /// Write each template to a file in this directory instead of stdout.
    #[arg(long = "output-dir")]
    output_dir: Option<PathBuf>,
    #[arg(long = "include-crds")]
    include_crds: bool,
    #[arg(long = "skip-crds")]
    skip_crds: bool,
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Use the release name in the output-dir path.
    #[arg(long = "release-name")]
    release_name: bool,
    #[arg(long = "name-template")]
    name_template: Option<String>,
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    #[command(flatten)]
    post_render: plugin::postrender::PostRendererArgs,
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// Accepted for compatibility (no effect offline).
    #[arg(long)]
    validate: bool,
    /// `client` (what template always does); `--dry-run` alone and boolean forms are deprecated.
    #[arg(long = "dry-run", num_args = 0..=1, require_equals = true, default_missing_value = "unchanged")]
    dry_run: Option<String>,
    #[arg(long)]
    devel: bool,
    #[arg(long)]
    version: Option<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long = "dependency-update")]
    dependency_update: bool,
    /// Use insecure HTTP connections for the chart download (OCI registries).
    #[arg(long = "plain-http")]
    plain_http: bool,
    #[command(flatten)]
    source: repo::ChartSourceArgs,
}

impl ValueArgs {
    /// The user's values, as Helm's `MergeValues` with its getters merges them.
    fn merge(&self) -> Result<helm_core::Value, CmdError> {
        self.to_options()
            .merge_values_with(&url_getters::CliGetters)
            .map_err(CmdError)
    }

    fn to_options(&self) -> render::user_values::ValueOptions {
        render::user_values::ValueOptions {
            value_files: self.values.clone(),
            values: self.set.clone(),
            string_values: self.set_string.clone(),
            file_values: self.set_file.clone(),
            json_values: self.set_json.clone(),
            literal_values: self.set_literal.clone(),
        }
    }
}

/// A failure of a command: Helm's message and log lines already printed.
struct CmdError(String);

impl From<render::RenderError> for CmdError {
    fn from(e: render::RenderError) -> Self {
        CmdError(e.to_string())
    }
}

impl From<chart::ChartError> for CmdError {
    fn from(e: chart::ChartError) -> Self {
        CmdError(e.to_string())
    }
}

/// `println!` that ignores a closed standard output (e.g. `| head`) instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

fn main() -> ExitCode {
    // The shell scripts' requests bypass the command line parser, as in cobra.
    let args: Vec<String> = std::env::args().collect();
    if let Some((at, no_descriptions)) = complete::protocol_request_at(&args[1.min(args.len())..]) {
        // Global flags before `__complete` count as on the completed line (cobra parses them
        // into the root's flags first).
        let mut words: Vec<String> = args[1..1 + at].to_vec();
        words.extend_from_slice(&args[2 + at..]);
        return complete::run_protocol(&words, no_descriptions);
    }
    // Plugins load before the command line is parsed, as in Helm: their warnings come first,
    // and `helm-rs NAME ARGS…` for a CLI plugin runs it (cli/src/plugin/dispatch.rs).
    plugin::remember_environment();
    let early = plugin::dispatch::early_settings(args.get(1..).unwrap_or(&[]));
    // The command names are only needed when plugins are installed.
    let commands: std::cell::OnceCell<Vec<String>> = std::cell::OnceCell::new();
    let builtin = |name: &str| {
        use clap::CommandFactory;
        commands
            .get_or_init(|| {
                Cli::command()
                    .get_subcommands()
                    .flat_map(|c| {
                        std::iter::once(c.get_name().to_string())
                            .chain(c.get_all_aliases().map(String::from))
                    })
                    .collect()
            })
            .iter()
            .any(|c| c == name)
    };
    let plugins = plugin::dispatch::load_cli_plugins(&early, &builtin);
    if let Some(code) =
        plugin::dispatch::dispatch(args.get(1..).unwrap_or(&[]), &early, &plugins, &builtin)
    {
        return code;
    }
    if let Some(code) = help::answer(args.get(1..).unwrap_or(&[]), &plugins) {
        return code;
    }
    let mut cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // A switch given a Go boolean value (`--sign=1`), which pflag takes and clap does
        // not: the line again with those values made plain.
        Err(e) if e.kind() == clap::error::ErrorKind::TooManyValues => {
            let args = match complete::normalize_bool_flags(&args) {
                Ok(a) => a,
                Err(msg) => {
                    eprintln!("Error: {msg}");
                    return ExitCode::from(1);
                }
            };
            match Cli::try_parse_from(&args) {
                Ok(cli) => cli,
                Err(e) => return flag_error(e),
            }
        }
        Err(e) => return flag_error(e),
    };
    let settings = match settings::EnvSettings::new(&cli.global) {
        Ok(s) => s,
        Err(CmdError(msg)) => {
            eprintln!("Error: {msg}");
            return ExitCode::from(1);
        }
    };
    if let Err(msg) = settings.check_color() {
        // Helm reports this before any command runs, as a log line.
        eprintln!(
            "level=WARN msg=\"command failed\" error={}",
            helm_core::gocompat::strconv::go_quote(&msg)
        );
        return ExitCode::from(1);
    }
    color::init(&settings.color_mode);
    settings.export();
    plugin::getter::set_settings(&settings);
    cli.global.kube = settings.kube_args();
    if let Command::Release(c) = &cli.command {
        c.deprecation_notices();
    }
    let result = match (cli.server, cli.command) {
        (Some(url), Command::Release(c)) => release::run(
            c,
            release::Target::Server {
                url,
                token: cli.token,
            },
            &cli.global.kube,
        ),
        (_, Command::Env(a)) => settings::run_env(&a, &settings),
        (_, Command::Plugin { what }) => plugin::run(what, &settings),
        (_, command) => run_local(command, &cli.global.kube),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CmdError(msg)) => {
            eprintln!("Error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn run_local(command: Command, kube: &release::KubeArgs) -> Result<(), CmdError> {
    let result = match command {
        Command::Template(a) => run_template(a, namespace_flag(kube), kube),
        Command::Show { what } => run_show(what),
        Command::Create(a) => run_create(a),
        Command::Package(a) => run_package(a),
        Command::Lint(a) => lint::run_lint(a, namespace_flag(kube)),
        Command::Release(c) => release::run(c, release::Target::Cluster, kube),
        Command::Diff { what } => diff::run(what, kube),
        Command::Repo { what } => repo::run_repo(what),
        Command::Search { what } => repo::run_search(what),
        Command::Pull(a) => repo::run_pull(a),
        Command::Push(a) => repo::run_push(a),
        Command::Registry { what } => repo::run_registry(what),
        Command::Dependency { what } => repo::run_dependency(what),
        Command::Verify(a) => repo::run_verify(a),
        Command::Completion { shell } => complete::run_script(&shell),
        Command::Env(_) | Command::Plugin { .. } => Ok(()),
        Command::Serve(a) => {
            return match serve::run(a) {
                c if c == ExitCode::SUCCESS => Ok(()),
                _ => Err(CmdError(
                    "the server stopped with operations abandoned (see its log)".into(),
                )),
            }
        }
        Command::Version(a) => version::render(a.short, a.template.as_deref())
            .map_err(CmdError)
            .map(|text| {
                // --template prints exactly the template's output; the other forms end a line.
                if a.template.is_some() {
                    print!("{text}");
                } else {
                    println!("{text}");
                }
            }),
    };
    result
}

/// Command-line errors in cobra's words (Helm's CLI library), exit code 1; help and version
/// print as clap does.
fn flag_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    // "-fx" → 'f' in -fx; "--set" stays whole; "--bogus=3" loses its value.
    let flag_words = |arg: &str| -> String {
        if let Some(long) = arg.strip_prefix("--") {
            format!("--{}", long.split('=').next().unwrap_or(long))
        } else {
            let c = arg.chars().nth(1).unwrap_or('-');
            format!("'{c}' in {arg}")
        }
    };
    let msg = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::UnknownArgument => match ctx(ContextKind::InvalidArg) {
            Some(a) if a.starts_with("--") => format!("unknown flag: {}", flag_words(&a)),
            Some(a) if a.starts_with('-') => {
                // clap names the single letter; cobra quotes the whole cluster typed (`-zx`).
                let typed = std::env::args()
                    .skip(1)
                    .find(|x| !x.starts_with("--") && x.starts_with(&a))
                    .unwrap_or(a);
                format!("unknown shorthand flag: {}", flag_words(&typed))
            }
            Some(a) => {
                let p = usage::program_name();
                format!("unknown command {a:?} for \"{p}\"\nRun '{p} --help' for usage.")
            }
            None => e.to_string(),
        },
        ErrorKind::InvalidSubcommand => match ctx(ContextKind::InvalidSubcommand) {
            Some(a) => {
                let p = usage::program_name();
                format!("unknown command {a:?} for \"{p}\"\nRun '{p} --help' for usage.")
            }
            None => e.to_string(),
        },
        ErrorKind::MissingRequiredArgument => {
            let args: Vec<String> = std::env::args().skip(1).collect();
            match usage::missing_args_error(&usage::program_name(), &args) {
                Some(text) => text,
                None => e
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string(),
            }
        }
        ErrorKind::InvalidValue | ErrorKind::NoEquals
            if ctx(ContextKind::InvalidValue)
                .unwrap_or_default()
                .is_empty() =>
        {
            // A flag lacking its value ends the command line: name it as typed (`-f`, `--set`).
            let flag = ctx(ContextKind::InvalidArg).unwrap_or_default();
            let typed = std::env::args()
                .last()
                .filter(|a| a.starts_with('-'))
                .unwrap_or_else(|| flag.split(' ').next().unwrap_or("").to_string());
            format!("flag needs an argument: {}", flag_words(&typed))
        }
        _ => {
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_string();
            first
        }
    };
    eprintln!("Error: {msg}");
    ExitCode::from(1)
}

/// `helm template --dry-run[=MODE]`: client (the default) renders offline; the bare flag and
/// Go booleans are deprecated spellings of it; none/false make no sense for template; server
/// needs a cluster, which `helm-rs template` does not contact.
fn check_template_dry_run(mode: Option<&str>) -> Result<(), CmdError> {
    let Some(mode) = mode else { return Ok(()) };
    match mode {
        "client" => Ok(()),
        "unchanged" => {
            eprintln!("level=WARN msg=\"--dry-run is deprecated and should be replaced with '--dry-run=client'\"");
            Ok(())
        }
        "1" | "t" | "T" | "TRUE" | "true" | "True" => {
            eprintln!(
                "level=WARN msg=\"boolean '--dry-run={mode}' flag is deprecated and must be replaced with '--dry-run=client'\""
            );
            Ok(())
        }
        "none" | "0" | "f" | "F" | "FALSE" | "false" | "False" => Err(CmdError(format!(
            "invalid dry-run value ({mode:?}). Must be \"server\" or \"client\""
        ))),
        // Rendered against the cluster (run_template).
        "server" => Ok(()),
        other => Err(CmdError(format!(
            "invalid dry-run value ({other:?}). Must be \"none\", \"server\", or \"client\""
        ))),
    }
}

/// Helm's `NameAndChart` for `helm template` (whose default release name is `release-name`).
fn name_and_chart(a: &TemplateArgs) -> Result<(String, String), CmdError> {
    match a.args.as_slice() {
        [name, chart] => {
            if a.generate_name {
                return Err(CmdError("cannot set --generate-name and also specify a name".into()));
            }
            if a.name_template.is_some() {
                return Err(CmdError("cannot set --name-template and also specify a name".into()));
            }
            Ok((name.clone(), chart.clone()))
        }
        [chart] => match &a.name_template {
            Some(t) => Ok((render_name_template(t)?, chart.clone())),
            None => Ok(("release-name".into(), chart.clone())),
        },
        [_, _, rest @ ..] => Err(CmdError(format!(
            "expected at most two arguments, unexpected arguments: {}",
            rest.join(", ")
        ))),
        [] => Err(CmdError(
            "\"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]".into(),
        )),
    }
}

/// `--name-template`: a text/template with Sprig functions and no data.
fn render_name_template(t: &str) -> Result<String, CmdError> {
    let mut engine =
        helm_core::template::Engine::new(helm_core::template::funcs::FuncTable::sprig());
    engine
        .parse("name-template", t)
        .map_err(|e| CmdError(e.to_string()))?;
    engine
        .execute("name-template", &helm_core::Value::Nil)
        .map_err(|e| CmdError(e.to_string()))
}

/// `-n` for the commands that render offline: the flag, else `default` (they read no
/// kubeconfig).
fn namespace_flag(kube: &release::KubeArgs) -> String {
    kube.namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into())
}

fn run_template(
    a: TemplateArgs,
    namespace: String,
    kube: &settings::KubeArgs,
) -> Result<(), CmdError> {
    heap::use_huge_pages_for_one_shot_run();
    // Helm reads the plugin's name as the flag is parsed: an unknown one fails first.
    let post_renderer = a.post_render.step(settings::debug())?;
    if !a.args.is_empty() {
        check_template_dry_run(a.dry_run.as_deref())?;
    }
    let (name, chart_path) = name_and_chart(&a)?;
    let kube_version = match &a.kube_version {
        Some(v) => Some(
            KubeVersion::parse(v)
                .map_err(|e| CmdError(format!("invalid kube version '{v}': {e}")))?,
        ),
        None => None,
    };
    // A repository/OCI/URL reference is downloaded into a temporary directory that lives
    // until the end of the command.
    let (located, _download_dir) = repo::locate_chart(
        &chart_path,
        a.version.as_deref(),
        a.devel,
        a.plain_http,
        &a.source,
    )?;
    let chart_path = located.to_string_lossy().into_owned();
    let debug = settings::debug();
    if debug {
        // Helm's `--debug` records of locating the chart (paths absolute, as Helm resolves them).
        slog::debug(
            "Original chart version",
            &[("version", a.version.as_deref().unwrap_or(""))],
        );
        let abs = std::path::absolute(&located).unwrap_or_else(|_| located.clone());
        slog::debug("Chart path", &[("path", &abs.to_string_lossy())]);
    }
    let chart = chart::load(std::path::Path::new(&chart_path)).map_err(|e| {
        CmdError(excerpt::attach_chart_error(
            &e,
            std::path::Path::new(&chart_path),
        ))
    })?;
    // `--dependency-update`: a chart whose `charts/` lacks what Chart.yaml lists gets it first.
    let chart = if a.dependency_update && chart.check_dependencies().is_err() && located.is_dir() {
        repo::update_chart_dependencies(&located)?;
        chart::load(&located)
            .map_err(|e| CmdError(format!("failed reloading chart after repo update: {e}")))?
    } else {
        chart
    };
    if debug && !a.skip_schema_validation {
        schema_debug_records(&chart);
    }
    if chart.metadata.deprecated {
        eprintln!("level=WARN msg=\"this chart is deprecated\"");
    }
    let user_values = a.values.merge()?;
    let opts = TemplateOptions {
        release: ReleaseOptions {
            name,
            namespace,
            revision: 1,
            is_upgrade: a.is_upgrade,
            is_install: !a.is_upgrade,
        },
        kube_version,
        api_versions: a.api_versions.clone(),
        include_crds: a.include_crds,
        no_hooks: a.no_hooks,
        skip_tests: a.skip_tests,
        show_only: a.show_only.clone(),
        output_dir: a.output_dir.clone(),
        use_release_name: a.release_name,
        skip_schema_validation: a.skip_schema_validation,
        lookup: Default::default(),
        render_subchart_notes: false,
        api_versions_from_cluster: false,
        post_renderer,
    };
    // One render, then exit: the render need not free its parse trees and values.
    render::set_process_exits_after_render(true);
    let rendered = if a.dry_run.as_deref() == Some("server") {
        // `--dry-run=server`: the cluster's capabilities and `lookup` (helm-diff renders so).
        release::template_on_cluster(kube, chart, &user_values, opts)?
    } else {
        render::template(chart, &user_values, &opts)
    };
    let out = rendered.map_err(|e| {
        // With --debug Helm prints what rendered (every file, the invalid one included) before
        // the error, and no hint to use --debug.
        if let (true, render::RenderError::Manifest(m)) = (debug, &e) {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", m.rendered.trim());
        }
        CmdError(excerpt::attach_render_error(
            &e,
            std::path::Path::new(&chart_path),
            debug,
        ))
    })?;
    for line in out
        .log
        .iter()
        .filter(|l| !l.contains("this chart is deprecated"))
    {
        eprintln!("{line}");
    }
    let mut stdout = std::io::stdout().lock();
    // Binary contents a template wrote (`.Files.Get` of a binary file) go out as Go's bytes.
    stdout
        .write_all(&helm_core::gocompat::gostring::go_bytes(&out.stdout))
        .map_err(|e| CmdError(e.to_string()))?;
    Ok(())
}

/// The `--debug` records Helm's schema validation writes as it walks a chart and its
/// subcharts (every loaded subchart here; Helm skips those its conditions disabled).
fn schema_debug_records(chart: &chart::Chart) {
    if let Some(schema) = &chart.schema {
        slog::debug("chart name", &[("chart-name", chart.name())]);
        let text = String::from_utf8_lossy(schema);
        slog::debug("unmarshalled JSON schema", &[("schema", &text)]);
    }
    slog::debug(
        "number of dependencies in the chart",
        &[
            ("chart", chart.name()),
            ("dependencies", &chart.dependencies.len().to_string()),
        ],
    );
    for sub in &chart.dependencies {
        schema_debug_records(sub);
    }
}

fn run_show(what: ShowCommand) -> Result<(), CmdError> {
    let (args, kind) = match &what {
        ShowCommand::All(a) => (a, "all"),
        ShowCommand::Chart(a) => (a, "chart"),
        ShowCommand::Values(a) => (a, "values"),
        ShowCommand::Readme(a) => (a, "readme"),
        ShowCommand::Crds(a) => (a, "crds"),
    };
    if args.jsonpath.is_some() && kind != "values" {
        return Err(CmdError("unknown flag: --jsonpath".into()));
    }
    // A reference is downloaded first, as `helm show` does (the directory lives until the end).
    let (located, _download_dir) = repo::locate_chart(
        &args.chart,
        args.version.as_deref(),
        args.devel,
        args.plain_http,
        &args.source,
    )?;
    let c = chart::load(&located)?;
    let jsonpath = args.jsonpath.as_deref().filter(|t| !t.is_empty());
    let text = match (kind, jsonpath) {
        ("all", _) => chart::show::show_all(&c)?,
        ("chart", _) => chart::show::show_chart(&c)?,
        ("values", Some(template)) => match show_values_jsonpath(&c, template)? {
            Ok(text) => text,
            Err(panic) => {
                // Helm crashes here; exit as it does, removing the download first.
                drop(_download_dir);
                eprintln!("panic: {panic}");
                std::process::exit(2);
            }
        },
        ("values", None) => chart::show::show_values(&c),
        ("readme", _) => chart::show::show_readme(&c),
        _ => chart::show::show_crds(&c),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&helm_core::gocompat::gostring::go_bytes(&text))
        .map_err(|e| CmdError(e.to_string()))?;
    Ok(())
}

/// `helm show values --jsonpath TEMPLATE`: the template (client-go's JSONPath, missing keys
/// not allowed) over the chart's values. Helm ignores evaluation errors: the output is then
/// empty. A chart without values.yaml prints nothing and its template is not even parsed.
/// Where client-go panics (Helm then crashes with exit code 2), the inner error is the panic's
/// message.
fn show_values_jsonpath(
    c: &chart::Chart,
    template: &str,
) -> Result<Result<String, &'static str>, CmdError> {
    use helm_core::gocompat::jsonpath::{JsonPath, JsonPathError};
    if c.raw_values.is_none() {
        return Ok(Ok(String::new()));
    }
    let jp = JsonPath::parse(template)
        .map_err(|e| CmdError(format!("error parsing jsonpath {template}: {e}")))?;
    let mut out = String::new();
    match jp.execute(&c.values, &mut out) {
        Err(JsonPathError::GoPanic(msg)) => Ok(Err(msg)),
        _ => Ok(Ok(out)),
    }
}

/// `helm create NAME`: prints `Creating NAME`, then any overwrite warnings (on stdout, as Helm).
fn run_create(a: CreateArgs) -> Result<(), CmdError> {
    let [arg] = a.args.as_slice() else {
        return Err(CmdError(
            "\"helm create\" requires 1 argument\n\nUsage:  helm create NAME [flags]".into(),
        ));
    };
    say!("Creating {arg}");
    if let Some(starter) = a.starter.as_deref().filter(|s| !s.is_empty()) {
        // A name is looked up under `$HELM_DATA_HOME/starters`; an absolute path is used as is.
        let starter = if starter.starts_with('/') {
            starter.to_string()
        } else {
            helm_core::gocompat::path::clean(&format!(
                "{}/{starter}",
                settings::data_path("starters")
            ))
        };
        let (name, dest) = (
            helm_core::gocompat::path::base(arg),
            helm_core::gocompat::path::dir(arg),
        );
        chart::create::create_from_starter(
            &name,
            std::path::Path::new(&dest),
            std::path::Path::new(&starter),
        )
        .map_err(|e| CmdError(e.to_string()))?;
        return Ok(());
    }
    // Go's filepath.Base and filepath.Dir: `foo/` has base `foo` and dir `foo`, as in Helm.
    let name = match arg.trim_end_matches('/') {
        "" if arg.is_empty() => ".",
        "" => "/",
        t => t.rsplit('/').next().unwrap_or(t),
    };
    let dir = match arg.rfind('/') {
        None => PathBuf::from("."),
        Some(0) => PathBuf::from("/"),
        Some(i) => PathBuf::from(arg.get(..i).unwrap_or(".")),
    };
    let created = chart::create::create(name, &dir).map_err(|e| CmdError(e.to_string()))?;
    for w in &created.warnings {
        say!("{w}");
    }
    Ok(())
}

/// `helm package CHART...`: one archive per chart directory.
fn run_package(a: PackageArgs) -> Result<(), CmdError> {
    if a.args.is_empty() {
        return Err(CmdError(
            "need at least one argument, the path to the chart".into(),
        ));
    }
    let destination = if a.destination == "." {
        std::env::current_dir().map_err(|e| CmdError(e.to_string()))?
    } else {
        PathBuf::from(&a.destination)
    };
    let opts = chart::package::PackageOptions {
        version: a.version.clone(),
        app_version: a.app_version.clone(),
        destination,
    };
    for arg in &a.args {
        let path = std::path::Path::new(arg);
        if std::fs::metadata(path).is_err() {
            return Err(CmdError(format!("stat {arg}: no such file or directory")));
        }
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| CmdError(e.to_string()))?
                .join(path)
        };
        if !abs.is_dir() {
            let cy = abs.join("Chart.yaml");
            return Err(CmdError(format!(
                "unable to detect chart at {}: open {}: not a directory",
                cy.display(),
                cy.display()
            )));
        }
        if a.dependency_update {
            repo::update_chart_dependencies(&abs)?;
        }
        let written =
            chart::package::package_dir(&abs, &opts).map_err(|e| CmdError(e.to_string()))?;
        if a.sign {
            let key = a
                .key
                .as_deref()
                .ok_or_else(|| CmdError("--key is required for signing a package".into()))?;
            repo::sign_package(
                &written,
                key,
                a.keyring.as_deref(),
                a.passphrase_file.as_deref(),
            )?;
        }
        say!(
            "Successfully packaged chart and saved it to: {}",
            written.display()
        );
    }
    Ok(())
}
