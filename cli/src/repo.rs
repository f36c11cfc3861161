//! `helm-rs repo|search|pull`: chart repositories on the command line.
//!
//! Thin by design: the index, repositories file and search logic are `helm_core::repo`, the
//! transport is `helm_kube::repo`; this module parses flags, prints Helm's messages and maps
//! errors to Helm's wording.

use crate::CmdError;
use clap::{Args, Subcommand};
use helm_core::repo::{self as core_repo, paths, search, IndexFile, RepoEntry, RepoFile};
use helm_kube::repo::{self as kube_repo, RepoIoError};
use std::io::Write;
use std::path::{Path, PathBuf};

impl From<core_repo::RepoError> for CmdError {
    fn from(e: core_repo::RepoError) -> Self {
        CmdError(e.to_string())
    }
}

impl From<RepoIoError> for CmdError {
    fn from(e: RepoIoError) -> Self {
        CmdError(e.to_string())
    }
}

fn out(s: &str) {
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

#[derive(Subcommand)]
pub enum RepoCommand {
    /// Add a chart repository.
    Add(RepoAddArgs),
    /// List chart repositories.
    #[command(alias = "ls")]
    List(RepoListArgs),
    /// Remove one or more chart repositories.
    #[command(alias = "rm")]
    Remove { names: Vec<String> },
    /// Update information of available charts locally from chart repositories.
    #[command(alias = "up")]
    Update {
        names: Vec<String>,
        /// show progress on standard error: auto (bars on a terminal, else nothing), table, plain (one line per event) or none (helm-rs only; also HELM_RS_PROGRESS)
        #[arg(long)]
        progress: Option<String>,
    },
    /// Generate an index file given a directory containing packaged charts.
    Index(RepoIndexArgs),
}

/// Helm's chart path options beyond `--version`: a chart named by its bare name is looked up
/// in the repository at `--repo`, and downloads use the connection flags (install, upgrade,
/// template, show, `diff upgrade`).
#[derive(Args, Default, Clone)]
pub struct ChartSourceArgs {
    /// chart repository url where to locate the requested chart
    #[arg(long)]
    pub repo: Option<String>,
    /// verify the package before using it
    #[arg(long)]
    pub verify: bool,
    /// location of public keys used for verification
    #[arg(long)]
    pub keyring: Option<String>,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Connection flags shared by `repo add`, `pull` and `--repo` lookups.
#[derive(Args, Default, Clone)]
pub struct ConnArgs {
    #[arg(long)]
    pub username: Option<String>,
    #[arg(long)]
    pub password: Option<String>,
    #[arg(long = "ca-file")]
    pub ca_file: Option<String>,
    #[arg(long = "cert-file")]
    pub cert_file: Option<String>,
    #[arg(long = "key-file")]
    pub key_file: Option<String>,
    #[arg(long = "insecure-skip-tls-verify")]
    pub insecure_skip_tls_verify: bool,
    #[arg(long = "pass-credentials")]
    pub pass_credentials: bool,
}

impl ConnArgs {
    fn entry(&self, name: &str, url: &str) -> RepoEntry {
        RepoEntry {
            name: name.into(),
            url: url.into(),
            username: self.username.clone().unwrap_or_default(),
            password: self.password.clone().unwrap_or_default(),
            cert_file: self.cert_file.clone().unwrap_or_default(),
            key_file: self.key_file.clone().unwrap_or_default(),
            ca_file: self.ca_file.clone().unwrap_or_default(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            pass_credentials_all: self.pass_credentials,
        }
    }
}

#[derive(Args)]
pub struct RepoAddArgs {
    name: String,
    url: String,
    #[command(flatten)]
    conn: ConnArgs,
    /// Replace (overwrite) the repo if it already exists.
    #[arg(long = "force-update")]
    force_update: bool,
}

#[derive(Args)]
pub struct RepoListArgs {
    #[arg(short = 'o', long, default_value = "table")]
    output: String,
    /// suppress headers in the output
    #[arg(long = "no-headers")]
    no_headers: bool,
}

#[derive(Args)]
pub struct RepoIndexArgs {
    dir: String,
    /// URL of the chart repository.
    #[arg(long)]
    url: Option<String>,
    /// Merge the generated index into the given index.
    #[arg(long)]
    merge: Option<String>,
    /// output in JSON format
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum SearchCommand {
    /// Search for charts in the Artifact Hub or your own hub instance.
    Hub(SearchHubArgs),
    /// Search repositories for a keyword in charts.
    Repo(SearchRepoArgs),
}

#[derive(Args)]
pub struct SearchHubArgs {
    keywords: Vec<String>,
    /// Hub instance to query for charts
    #[arg(long, default_value = "https://hub.helm.sh")]
    endpoint: String,
    /// maximum column width for output table
    #[arg(long = "max-col-width", default_value_t = 50)]
    max_col_width: usize,
    /// print charts repository URL
    #[arg(long = "list-repo-url")]
    list_repo_url: bool,
    /// search fails if no results are found
    #[arg(long = "fail-on-no-result")]
    fail_on_no_result: bool,
    #[arg(short = 'o', long, default_value = "table")]
    output: String,
}

/// `helm search hub`: the hub's answer as Helm's table, JSON or YAML.
fn run_search_hub(a: SearchHubArgs) -> Result<(), CmdError> {
    if !matches!(a.output.as_str(), "table" | "json" | "yaml") {
        return Err(CmdError(format!(
            "invalid argument {:?} for \"-o, --output\" flag: invalid format type",
            a.output
        )));
    }
    let charts = kube_repo::hub::search(&a.endpoint, &a.keywords.join(" "))
        .map_err(|e| CmdError(e.to_string()))?;
    if charts.is_empty() && a.fail_on_no_result {
        return Err(CmdError("no results found".into()));
    }
    match a.output.as_str() {
        "table" if charts.is_empty() => out("No results found\n"),
        "table" => {
            let mut head = vec!["URL", "CHART VERSION", "APP VERSION", "DESCRIPTION"];
            if a.list_repo_url {
                head.push("REPO URL");
            }
            let mut rows = vec![head.into_iter().map(String::from).collect::<Vec<_>>()];
            for c in &charts {
                let mut row = vec![
                    c.url.clone(),
                    c.version.clone(),
                    c.app_version.clone(),
                    c.description.clone(),
                ];
                if a.list_repo_url {
                    row.push(c.repo_url.clone());
                }
                rows.push(row);
            }
            out(&format!("{}\n", search::uitable(&rows, a.max_col_width)));
        }
        fmt => {
            // Helm's hubChartElement, fields in its order.
            let list: Vec<serde_json::Value> = charts
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "url": c.url, "version": c.version, "app_version": c.app_version,
                        "description": c.description,
                        "repository": { "url": c.repo_url, "name": c.repo_name },
                    })
                })
                .collect();
            if fmt == "json" {
                let items: Vec<String> = charts
                    .iter()
                    .map(|c| {
                        let q = |v: &str| serde_json::Value::from(v).to_string();
                        format!(
                            "{{\"url\":{},\"version\":{},\"app_version\":{},\"description\":{},\"repository\":{{\"url\":{},\"name\":{}}}}}",
                            q(&c.url), q(&c.version), q(&c.app_version), q(&c.description), q(&c.repo_url), q(&c.repo_name)
                        )
                    })
                    .collect();
                let json = format!("[{}]", items.join(","));
                let escaped =
                    String::from_utf8(helm_core::release::codec::go_html_escape(json.as_bytes()))
                        .map_err(|e| CmdError(e.to_string()))?;
                out(&format!("{escaped}\n"));
            } else {
                let v = helm_core::release::record::json_to_core(&serde_json::Value::Array(list));
                out(&helm_core::values::yaml::to_string(&v).map_err(|e| CmdError(e.message))?);
            }
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct SearchRepoArgs {
    keywords: Vec<String>,
    #[arg(short = 'r', long)]
    regexp: bool,
    #[arg(short = 'l', long)]
    versions: bool,
    #[arg(long)]
    devel: bool,
    #[arg(long, default_value = "")]
    version: String,
    #[arg(short = 'o', long, default_value = "table")]
    output: String,
    #[arg(long = "max-col-width", default_value_t = 50)]
    max_col_width: usize,
    /// search fails if no results are found
    #[arg(long = "fail-on-no-result")]
    fail_on_no_result: bool,
}

#[derive(Args)]
pub struct PullArgs {
    charts: Vec<String>,
    #[arg(long)]
    version: Option<String>,
    #[arg(long)]
    devel: bool,
    #[arg(long)]
    untar: bool,
    #[arg(long, default_value = ".")]
    untardir: String,
    #[arg(short = 'd', long, default_value = ".")]
    destination: String,
    /// Verify the package before using it.
    #[arg(long)]
    verify: bool,
    #[arg(long)]
    keyring: Option<String>,
    #[arg(long)]
    prov: bool,
    /// Chart repository URL where to locate the requested chart.
    #[arg(long)]
    repo: Option<String>,
    #[command(flatten)]
    conn: ConnArgs,
    #[arg(long = "plain-http")]
    pub plain_http: bool,
    /// show progress on standard error: auto (bars on a terminal, else nothing), table, plain (one line per event) or none (helm-rs only; also HELM_RS_PROGRESS)
    #[arg(long)]
    progress: Option<String>,
}

#[derive(Args)]
pub struct PushArgs {
    /// The packaged chart (`.tgz`).
    chart: String,
    /// `oci://host[:port]/path`: the chart is pushed to `path/<chart name>:<version>`.
    remote: String,
    #[command(flatten)]
    conn: ConnArgs,
    #[arg(long = "plain-http")]
    plain_http: bool,
    /// show progress on standard error: auto (bars on a terminal, else nothing), table, plain (one line per event) or none (helm-rs only; also HELM_RS_PROGRESS)
    #[arg(long)]
    progress: Option<String>,
}

#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Login to a registry.
    Login(LoginArgs),
    /// Logout from a registry.
    Logout { host: String },
}

#[derive(Args)]
pub struct LoginArgs {
    host: String,
    #[arg(short = 'u', long)]
    username: Option<String>,
    #[arg(short = 'p', long)]
    password: Option<String>,
    #[arg(long = "password-stdin")]
    password_stdin: bool,
    /// Allow connections to TLS registry without certs.
    #[arg(long)]
    insecure: bool,
    #[arg(long = "plain-http")]
    plain_http: bool,
    #[arg(long = "ca-file")]
    ca_file: Option<String>,
    #[arg(long = "cert-file")]
    cert_file: Option<String>,
    #[arg(long = "key-file")]
    key_file: Option<String>,
}

fn oci_options(conn: &ConnArgs, plain_http: bool) -> kube_repo::oci::OciOptions {
    kube_repo::oci::OciOptions {
        plain_http,
        tls: kube_repo::HttpOptions::from_entry(&conn.entry("", "")),
        registry_config: paths::registry_config(),
    }
}

pub fn run_push(a: PushArgs) -> Result<(), CmdError> {
    if !a.remote.starts_with("oci://") {
        return Err(CmdError(
            "scheme prefix missing from remote (e.g. \"oci://\")".into(),
        ));
    }
    let archive = Path::new(&a.chart);
    // Helm's OCI pusher: a missing file, then a directory, are refused before loading.
    match std::fs::metadata(archive) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CmdError(format!("{}: no such file", a.chart)));
        }
        Err(e) => return Err(stat_error(&a.chart, &e)),
        Ok(m) if m.is_dir() => {
            return Err(CmdError(
                "cannot push directory, must provide chart archive (.tgz)".into(),
            ));
        }
        Ok(_) => {}
    }
    let prov = PathBuf::from(format!("{}.prov", a.chart));
    let prov = prov.is_file().then_some(prov);
    crate::transfer::configure(a.progress.as_deref())?;
    let r = kube_repo::oci::push_chart_observed(
        archive,
        prov.as_deref(),
        &a.remote,
        &oci_options(&a.conn, a.plain_http),
        crate::transfer::observer(),
    )?;
    eprintln!("Pushed: {}\nDigest: {}", r.reference, r.digest);
    Ok(())
}

pub fn run_registry(cmd: RegistryCommand) -> Result<(), CmdError> {
    match cmd {
        RegistryCommand::Login(a) => {
            let username = a.username.clone().ok_or_else(|| {
                CmdError("--username is required (helm-rs does not prompt)".into())
            })?;
            let password = if a.password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_line(&mut s)
                    .map_err(|e| CmdError(e.to_string()))?;
                s.trim_end_matches(['\n', '\r']).to_string()
            } else {
                a.password.clone().ok_or_else(|| {
                    CmdError(
                        "--password or --password-stdin is required (helm-rs does not prompt)"
                            .into(),
                    )
                })?
            };
            let conn = ConnArgs {
                ca_file: a.ca_file.clone(),
                cert_file: a.cert_file.clone(),
                key_file: a.key_file.clone(),
                insecure_skip_tls_verify: a.insecure,
                ..Default::default()
            };
            kube_repo::oci::login(
                &a.host,
                &username,
                &password,
                &oci_options(&conn, a.plain_http),
            )
            .map_err(|e| CmdError(format!("login attempt to {} failed: {e}", a.host)))?;
            eprintln!("Login Succeeded");
            Ok(())
        }
        RegistryCommand::Logout { host } => {
            eprintln!("Removing login credentials for {host}");
            kube_repo::oci::logout(&host, &oci_options(&ConnArgs::default(), false))?;
            Ok(())
        }
    }
}

#[derive(Subcommand)]
pub enum DependencyCommand {
    /// List the dependencies for the given chart.
    #[command(alias = "ls")]
    List(DepListArgs),
    /// Update charts/ based on the contents of Chart.yaml.
    #[command(alias = "up")]
    Update(DepArgs),
    /// Rebuild the charts/ directory based on the Chart.lock file.
    Build(DepArgs),
}

#[derive(Args)]
pub struct DepListArgs {
    #[arg(default_value = ".")]
    chart: String,
    #[arg(long = "max-col-width", default_value_t = 80)]
    max_col_width: usize,
}

#[derive(Args)]
pub struct DepArgs {
    #[arg(default_value = ".")]
    chart: String,
    #[arg(long = "skip-refresh")]
    skip_refresh: bool,
    #[arg(long = "plain-http")]
    plain_http: bool,
    #[arg(long)]
    verify: bool,
    #[arg(long)]
    keyring: Option<String>,
    #[command(flatten)]
    conn: ConnArgs,
    /// show progress on standard error: auto (bars on a terminal, else nothing), table, plain (one line per event) or none (helm-rs only; also HELM_RS_PROGRESS)
    #[arg(long)]
    progress: Option<String>,
}

pub fn run_dependency(cmd: DependencyCommand) -> Result<(), CmdError> {
    match cmd {
        DependencyCommand::List(a) => {
            // Helm cleans the path, and its loader reports a missing one as Go's stat error.
            let chart = helm_core::gocompat::path::clean(&a.chart);
            if let Err(e) = std::fs::metadata(&chart) {
                return Err(stat_error(&chart, &e));
            }
            let dir = Path::new(&a.chart);
            let c = helm_core::chart::load(dir)?;
            let _ = a.max_col_width;
            out(&core_repo::deps::list_output(dir, &c));
            Ok(())
        }
        DependencyCommand::Update(a) | DependencyCommand::Build(a) if a.verify => {
            let _ = a;
            Err(CmdError(
                "--verify is not supported by helm-rs dependency commands".into(),
            ))
        }
        DependencyCommand::Update(a) | DependencyCommand::Build(a)
            if std::fs::metadata(&a.chart).is_err() =>
        {
            // Helm's dependency manager: the cleaned path, and Go's stat error.
            let chart = helm_core::gocompat::path::clean(&a.chart);
            let reason = std::fs::metadata(&chart)
                .err()
                .map(|e| stat_error(&chart, &e).0)
                .unwrap_or_default();
            Err(CmdError(format!("could not find {chart}: {reason}")))
        }
        DependencyCommand::Update(a) => {
            let opts = dep_options(&a)?;
            let mut stdout = std::io::stdout();
            kube_repo::deps::update_observed(
                Path::new(&a.chart),
                &opts,
                &mut stdout,
                crate::transfer::observer(),
            )?;
            Ok(())
        }
        DependencyCommand::Build(a) => {
            let opts = dep_options(&a)?;
            let mut stdout = std::io::stdout();
            kube_repo::deps::build_observed(
                Path::new(&a.chart),
                &opts,
                &mut stdout,
                crate::transfer::observer(),
            )?;
            Ok(())
        }
    }
}

/// `--dependency-update` of install, upgrade, template and package: Helm's `dependency update`
/// of the chart directory (repositories from repositories.yaml, their indexes refreshed), its
/// report on standard output.
pub fn update_chart_dependencies(chart_dir: &Path) -> Result<(), CmdError> {
    let opts = kube_repo::deps::DepOptions {
        repos: RepoFile::load_file_or_empty(&paths::repository_config())?,
        cache: paths::repository_cache(),
        oci: oci_options(&ConnArgs::default(), false),
        skip_refresh: false,
    };
    let mut stdout = std::io::stdout();
    kube_repo::deps::update_observed(chart_dir, &opts, &mut stdout, crate::transfer::observer())?;
    Ok(())
}

fn dep_options(a: &DepArgs) -> Result<kube_repo::deps::DepOptions, CmdError> {
    crate::transfer::configure(a.progress.as_deref())?;
    Ok(kube_repo::deps::DepOptions {
        repos: RepoFile::load_file_or_empty(&paths::repository_config())?,
        cache: paths::repository_cache(),
        oci: oci_options(&a.conn, a.plain_http),
        skip_refresh: a.skip_refresh,
    })
}

/// Helm's default keyring: `~/.gnupg/pubring.gpg`.
pub fn default_keyring() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    format!("{home}/.gnupg/pubring.gpg")
}

#[derive(Args)]
pub struct VerifyArgs {
    chart: String,
    #[arg(long)]
    keyring: Option<String>,
}

fn print_verification(v: &core_repo::provenance::Verification) {
    out(&format!(
        "Signed by: {}\nUsing Key With Fingerprint: {}\nChart Hash Verified: {}\n",
        v.signed_by, v.fingerprint, v.file_hash
    ));
}

/// Go's `os.Stat` error text for `path` (`stat PATH: no such file or directory`).
fn stat_error(path: &str, e: &std::io::Error) -> CmdError {
    CmdError(format!(
        "stat {path}: {}",
        helm_core::gocompat::os::go_io_error(e)
    ))
}

/// Helm's `VerifyChart`: the archive must exist, be a file and end in `.tgz` (any case), and
/// its `.prov` file must exist, before the signature is checked.
fn verify_archive(
    archive: &Path,
    keyring: &str,
) -> Result<core_repo::provenance::Verification, CmdError> {
    let shown = archive.display().to_string();
    match std::fs::metadata(archive) {
        Err(e) => return Err(stat_error(&shown, &e)),
        Ok(m) if m.is_dir() => {
            return Err(CmdError("unpacked charts cannot be verified".into()));
        }
        Ok(_) => {}
    }
    if !helm_core::gocompat::path::ext(&shown).eq_ignore_ascii_case(".tgz") {
        return Err(CmdError("chart must be a tgz file".into()));
    }
    let prov_path = PathBuf::from(format!("{}.prov", archive.display()));
    let prov = std::fs::read_to_string(&prov_path).map_err(|_| {
        CmdError(format!(
            "could not load provenance file {}: stat {}: no such file or directory",
            prov_path.display(),
            prov_path.display()
        ))
    })?;
    Ok(core_repo::provenance::verify(
        archive,
        &prov,
        Path::new(keyring),
    )?)
}

/// `helm verify CHART.tgz`.
pub fn run_verify(a: VerifyArgs) -> Result<(), CmdError> {
    let keyring = a.keyring.clone().unwrap_or_else(default_keyring);
    let v = verify_archive(Path::new(&a.chart), &keyring)?;
    print_verification(&v);
    Ok(())
}

/// `helm package --sign`: writes `ARCHIVE.prov` beside the archive (atomically).
pub fn sign_package(
    archive: &Path,
    key: &str,
    keyring: Option<&str>,
    passphrase_file: Option<&str>,
) -> Result<(), CmdError> {
    let keyring = keyring.map(str::to_string).unwrap_or_else(default_keyring);
    let passphrase = match passphrase_file {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_line(&mut s)
                .map_err(|e| CmdError(e.to_string()))?;
            s.trim_end_matches(['\n', '\r']).to_string()
        }
        Some(f) => std::fs::read_to_string(f)
            .map_err(|e| CmdError(format!("{f}: {e}")))?
            .trim_end_matches(['\n', '\r'])
            .to_string(),
        None => String::new(),
    };
    let prov = core_repo::provenance::sign(archive, Path::new(&keyring), key, &passphrase)?;
    core_repo::atomic_write(
        &PathBuf::from(format!("{}.prov", archive.display())),
        prov.as_bytes(),
        0o644,
    )?;
    Ok(())
}

pub fn run_repo(cmd: RepoCommand) -> Result<(), CmdError> {
    match cmd {
        RepoCommand::Add(a) => repo_add(a),
        RepoCommand::List(a) => repo_list(a),
        RepoCommand::Remove { names } => repo_remove(names),
        RepoCommand::Update { names, progress } => {
            crate::transfer::configure(progress.as_deref())?;
            repo_update(names)
        }
        RepoCommand::Index(a) => repo_index(a),
    }
}

fn repo_add(a: RepoAddArgs) -> Result<(), CmdError> {
    if a.name.contains('/') {
        return Err(CmdError(format!(
            "repository name ({}) contains '/', please specify a different name without '/'",
            a.name
        )));
    }
    if a.conn.username.is_some() && a.conn.password.is_none() {
        return Err(CmdError(
            "--password is required with --username (helm-rs does not prompt)".into(),
        ));
    }
    let file = paths::repository_config();
    let mut repos = RepoFile::load_file_or_empty(&file)?;
    let entry = a.conn.entry(&a.name, &a.url);
    if !a.force_update {
        if let Some(existing) = repos.get(&a.name) {
            if *existing != entry {
                return Err(CmdError(format!(
                    "repository name ({}) already exists, please specify a different name",
                    a.name
                )));
            }
            out(&format!(
                "{:?} already exists with the same configuration, skipping\n",
                a.name
            ));
            return Ok(());
        }
    }
    kube_repo::download_index_observed(
        &entry,
        &paths::repository_cache(),
        crate::transfer::observer(),
    )
    .map_err(|e| {
        CmdError(format!(
            "looks like {:?} is not a valid chart repository or cannot be reached: {e}",
            a.url
        ))
    })?;
    repos.update(entry);
    repos.write_file(&file)?;
    out(&format!(
        "{:?} has been added to your repositories\n",
        a.name
    ));
    Ok(())
}

fn load_repos_nonempty(msg: &str) -> Result<RepoFile, CmdError> {
    let repos = RepoFile::load_file_or_empty(&paths::repository_config())?;
    if repos.repositories.is_empty() {
        return Err(CmdError(msg.into()));
    }
    Ok(repos)
}

fn repo_list(a: RepoListArgs) -> Result<(), CmdError> {
    let repos = RepoFile::load_file_or_empty(&paths::repository_config())?;
    match a.output.as_str() {
        // Helm notes an empty list on stderr and succeeds; -o json|yaml print an empty list.
        "table" if repos.repositories.is_empty() => eprintln!("no repositories to show"),
        "table" => {
            let mut rows = Vec::new();
            if !a.no_headers {
                rows.push(vec!["NAME".to_string(), "URL".to_string()]);
            }
            rows.extend(
                repos
                    .repositories
                    .iter()
                    .map(|r| vec![r.name.clone(), r.url.clone()]),
            );
            out(&format!("{}\n", search::uitable(&rows, 0)));
        }
        "json" | "yaml" => {
            let list: Vec<helm_core::Value> = repos
                .repositories
                .iter()
                .map(|r| {
                    let m = helm_core::Map::new();
                    m.insert("name", helm_core::Value::str(&r.name));
                    m.insert("url", helm_core::Value::str(&r.url));
                    helm_core::Value::Map(m)
                })
                .collect();
            let v = helm_core::Value::list(list);
            if a.output == "json" {
                out(&format!("{}\n", helm_core::values::json::to_string(&v)));
            } else {
                out(&helm_core::values::yaml::to_string(&v).map_err(|e| CmdError(e.to_string()))?);
            }
        }
        other => return Err(CmdError(format!("invalid format type {other:?}"))),
    }
    Ok(())
}

fn repo_remove(names: Vec<String>) -> Result<(), CmdError> {
    if names.is_empty() {
        return Err(CmdError(
            "need at least one argument, name of chart repository".into(),
        ));
    }
    let file = paths::repository_config();
    let mut repos = load_repos_nonempty("no repositories configured")?;
    let cache = paths::repository_cache();
    for name in &names {
        if !repos.remove(name) {
            return Err(CmdError(format!("no repo named {name:?} found")));
        }
        repos.write_file(&file)?;
        for f in [
            paths::cache_index_file(name),
            paths::cache_charts_file(name),
        ] {
            let _ = std::fs::remove_file(cache.join(f));
        }
        out(&format!(
            "{name:?} has been removed from your repositories\n"
        ));
    }
    Ok(())
}

fn repo_update(names: Vec<String>) -> Result<(), CmdError> {
    let repos = load_repos_nonempty("no repositories found. You must add one before updating")?;
    let mut selected = Vec::new();
    for n in &names {
        match repos.get(n) {
            Some(e) => selected.push(e.clone()),
            None => {
                return Err(CmdError(format!(
                    "no repositories found matching '{n}'.  Nothing will be updated"
                )))
            }
        }
    }
    if names.is_empty() {
        selected = repos.repositories.clone();
    }
    out("Hang tight while we grab the latest from your chart repositories...\n");
    let cache = paths::repository_cache();
    let mut failed = Vec::new();
    for e in &selected {
        match kube_repo::download_index_observed(e, &cache, crate::transfer::observer()) {
            Ok(_) => out(&format!(
                "...Successfully got an update from the {:?} chart repository\n",
                e.name
            )),
            Err(err) => {
                out(&format!(
                    "...Unable to get an update from the {:?} chart repository ({}):\n\t{err}\n",
                    e.name, e.url
                ));
                failed.push(e.url.clone());
            }
        }
    }
    if !failed.is_empty() {
        return Err(CmdError(format!(
            "failed to update the following repositories: [{}]",
            failed.join(" ")
        )));
    }
    out("Update Complete. ⎈Happy Helming!⎈\n");
    Ok(())
}

fn repo_index(a: RepoIndexArgs) -> Result<(), CmdError> {
    let dir = Path::new(&a.dir);
    if !dir.is_dir() {
        return Err(CmdError(format!(
            "stat {}: no such file or directory",
            a.dir
        )));
    }
    core_repo::index::repo_index(
        dir,
        a.url.as_deref().unwrap_or(""),
        a.merge.as_deref().map(Path::new),
        a.json,
    )?;
    Ok(())
}

pub fn run_search(cmd: SearchCommand) -> Result<(), CmdError> {
    let a = match cmd {
        SearchCommand::Hub(a) => return run_search_hub(a),
        SearchCommand::Repo(a) => a,
    };
    let repos = load_repos_nonempty("no repositories configured")?;
    let cache = paths::repository_cache();
    let mut indexes = Vec::new();
    for r in &repos.repositories {
        match IndexFile::load_file(&cache.join(paths::cache_index_file(&r.name))) {
            Ok(i) => indexes.push((r.name.clone(), i)),
            Err(e) => {
                eprintln!(
                    "level=WARN msg=\"repo {:?} is corrupt or missing. Try 'helm repo update'.\"",
                    r.name
                );
                eprintln!("level=WARN msg=\"{e}\"");
            }
        }
    }
    let results = search::search_repos(
        &indexes,
        &a.keywords,
        a.regexp,
        a.versions,
        a.devel,
        &a.version,
    )?;
    if results.is_empty() && a.fail_on_no_result {
        return Err(CmdError("no results found".into()));
    }
    out(&search::format_results(
        &results,
        &a.output,
        a.max_col_width,
    )?);
    Ok(())
}

/// Resolves a chart reference that is not a local path to a downloaded archive in `dir`:
/// `repo/chart` through the repositories file and cache, an `http(s)://` URL directly, or a
/// chart name in `--repo URL`.
pub fn fetch_chart(
    reference: &str,
    version: &str,
    repo_url: Option<&str>,
    conn: &ConnArgs,
    dir: &Path,
    plain_http: bool,
) -> Result<PathBuf, CmdError> {
    // A URL of a scheme a getter plugin provides (cli/src/plugin/getter.rs).
    if repo_url.is_none() {
        if let Some(path) = crate::plugin::getter::download(reference, &getter_options(conn), dir)
            .map_err(CmdError)?
        {
            return Ok(path);
        }
    }
    if reference.starts_with("oci://") {
        let r = kube_repo::oci::pull_chart_observed(
            reference,
            version,
            dir,
            &oci_options(conn, plain_http),
            crate::transfer::observer(),
        )?;
        eprintln!("Pulled: {}\nDigest: {}", r.reference, r.digest);
        return Ok(r.path);
    }
    let resolved = match repo_url {
        Some(u) => kube_repo::find_chart_in_repo_url(u, reference, version, &conn.entry("", u))?,
        None => {
            let repos = RepoFile::load_file_or_empty(&paths::repository_config())?;
            kube_repo::resolve_chart(reference, version, &repos, &paths::repository_cache())?
        }
    };
    Ok(resolved.download_observed(dir, crate::transfer::observer())?)
}

/// What a getter plugin is given for a download (cli/src/plugin/getter.rs).
fn getter_options(conn: &ConnArgs) -> crate::plugin::runtime::GetterOptions {
    crate::plugin::runtime::GetterOptions {
        cert_file: conn.cert_file.clone().unwrap_or_default(),
        key_file: conn.key_file.clone().unwrap_or_default(),
        ca_file: conn.ca_file.clone().unwrap_or_default(),
        username: conn.username.clone().unwrap_or_default(),
        password: conn.password.clone().unwrap_or_default(),
        pass_credentials_all: conn.pass_credentials,
    }
}

/// The `.prov` of a chart from an HTTP repository (its URL plus `.prov`), saved beside
/// `archive`. None when the chart comes from an OCI registry without a provenance layer.
fn fetch_prov(
    reference: &str,
    version: &str,
    repo_url: Option<&str>,
    conn: &ConnArgs,
    archive: &Path,
) -> Result<Option<PathBuf>, CmdError> {
    if reference.starts_with("oci://") {
        return Ok(None);
    }
    let mut resolved = match repo_url {
        Some(u) => kube_repo::find_chart_in_repo_url(u, reference, version, &conn.entry("", u))?,
        None => {
            let repos = RepoFile::load_file_or_empty(&paths::repository_config())?;
            kube_repo::resolve_chart(reference, version, &repos, &paths::repository_cache())?
        }
    };
    resolved.url = format!("{}.prov", resolved.url);
    resolved.digest = String::new();
    let dest = PathBuf::from(format!("{}.prov", archive.display()));
    kube_repo::Getter::new(&resolved.options)?
        .with_observer(crate::transfer::observer())
        .download_to(&resolved.url, &dest, "")
        .map_err(|e| {
            CmdError(format!(
                "failed to fetch provenance {:?}: {e}",
                resolved.url
            ))
        })?;
    Ok(Some(dest))
}

/// `helm template|install CHART` where CHART is not a directory or archive on disk: Helm's
/// `LocateChart` downloads it first. Returns the local path (and a temp dir to keep alive).
pub fn locate_chart(
    name: &str,
    version: Option<&str>,
    devel: bool,
    plain_http: bool,
    source: &ChartSourceArgs,
) -> Result<(PathBuf, Option<tempfile::TempDir>), CmdError> {
    let p = Path::new(name);
    let keyring = || source.keyring.clone().unwrap_or_else(default_keyring);
    if source.repo.is_none() && p.exists() {
        // `--verify` of a local chart: an archive with its `.prov` beside it.
        if source.verify {
            verify_archive(p, &keyring())?;
        }
        return Ok((p.to_path_buf(), None));
    }
    if source.repo.is_none() && (p.is_absolute() || name.starts_with('.')) {
        return Err(CmdError(format!("path {name:?} not found")));
    }
    let mut version = version.unwrap_or("").to_string();
    if version.is_empty() && devel {
        version = ">0.0.0-0".into();
    }
    // Not a path here, not repo/chart: Helm's locator says it cannot read it as a reference.
    if source.repo.is_none() && !name.contains('/') {
        return Err(CmdError(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {name}"
        )));
    }
    let tmp = tempfile::tempdir().map_err(|e| CmdError(e.to_string()))?;
    let path = fetch_chart(
        name,
        &version,
        source.repo.as_deref(),
        &source.conn,
        tmp.path(),
        plain_http,
    )?;
    if source.verify {
        // Downloaded charts are verified against the `.prov` their repository serves.
        if fetch_prov(name, &version, source.repo.as_deref(), &source.conn, &path)?.is_none() {
            return Err(CmdError(format!(
                "failed to fetch provenance \"{}.prov\"",
                path.display()
            )));
        }
        verify_archive(&path, &keyring())?;
    }
    Ok((path, Some(tmp)))
}

pub fn run_pull(a: PullArgs) -> Result<(), CmdError> {
    if a.charts.is_empty() {
        return Err(CmdError("\"helm pull\" requires at least 1 argument\n\nUsage:  helm pull [chart URL | repo/chartname] [...] [flags]".into()));
    }
    let mut version = a.version.clone().unwrap_or_default();
    if version.is_empty() && a.devel {
        version = ">0.0.0-0".into();
    }
    let keyring = a.keyring.clone().unwrap_or_else(default_keyring);
    crate::transfer::configure(a.progress.as_deref())?;
    for chart in &a.charts {
        // Download into a staging directory so an unverified chart never reaches the destination.
        let tmp = tempfile::tempdir().map_err(|e| CmdError(e.to_string()))?;
        let archive = fetch_chart(
            chart,
            &version,
            a.repo.as_deref(),
            &a.conn,
            tmp.path(),
            a.plain_http,
        )?;
        let plugin_prov = if (a.verify || a.prov) && a.repo.is_none() {
            crate::plugin::getter::download_prov(
                chart,
                &getter_options(&a.conn),
                &archive,
                a.verify,
            )
            .map_err(CmdError)?
        } else {
            None
        };
        let prov = if let Some(p) = plugin_prov {
            p
        } else if a.verify || a.prov {
            fetch_prov(chart, &version, a.repo.as_deref(), &a.conn, &archive)?
        } else {
            None
        };
        if a.verify {
            if prov.is_none() {
                return Err(CmdError(format!(
                    "failed to fetch provenance \"{}.prov\"",
                    archive.display()
                )));
            }
            print_verification(&verify_archive(&archive, &keyring)?);
        }
        if a.untar {
            untar(&archive, Path::new(&a.untardir), Path::new(&a.destination))?;
        } else {
            let dest = PathBuf::from(&a.destination);
            std::fs::create_dir_all(&dest)
                .map_err(|e| CmdError(format!("{}: {e}", dest.display())))?;
            for f in std::iter::once(archive.clone()).chain(prov) {
                let target = dest.join(f.file_name().unwrap_or_default());
                let data =
                    std::fs::read(&f).map_err(|e| CmdError(format!("{}: {e}", f.display())))?;
                core_repo::atomic_write(&target, &data, 0o644)?;
            }
        }
    }
    Ok(())
}

/// `--untar`: extract into `destination/untardir/<chart name>`; an existing directory of that
/// name is an error, as in Helm. Extraction goes to a temp dir first, then one rename.
fn untar(archive: &Path, untardir: &Path, destination: &Path) -> Result<(), CmdError> {
    let data =
        std::fs::read(archive).map_err(|e| CmdError(format!("{}: {e}", archive.display())))?;
    let chart = helm_core::chart::load_archive_bytes(&data)?;
    let base = if untardir.is_absolute() {
        untardir.to_path_buf()
    } else {
        destination.join(untardir)
    };
    // Go's filepath.Join cleans the path (`./.` → `.`), so messages name `mychart`, not `././mychart`.
    let base = PathBuf::from(core_repo::go_path_clean(&base.to_string_lossy()));
    let target = PathBuf::from(core_repo::go_path_clean(
        &base.join(chart.name()).to_string_lossy(),
    ));
    if target.exists() {
        return Err(CmdError(format!(
            "failed to untar: a file or directory with the name {} already exists",
            target.display()
        )));
    }
    std::fs::create_dir_all(&base).map_err(|e| CmdError(format!("{}: {e}", base.display())))?;
    let staging = tempfile::Builder::new()
        .prefix(".helm-rs-untar-")
        .tempdir_in(&base)
        .map_err(|e| CmdError(format!("{}: {e}", base.display())))?;
    let files = helm_core::chart::archive::load_archive_files(&data)?;
    for f in files {
        let rel = Path::new(&f.name);
        if rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(CmdError(format!(
                "chart illegally contains path {:?}",
                f.name
            )));
        }
        let p = staging.path().join(chart.name()).join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CmdError(format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(&p, &f.data).map_err(|e| CmdError(format!("{}: {e}", p.display())))?;
    }
    std::fs::rename(staging.path().join(chart.name()), &target)
        .map_err(|e| CmdError(format!("{}: {e}", target.display())))?;
    Ok(())
}
