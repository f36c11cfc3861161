//! `helm-rs plugin list|install|uninstall|update`, with Helm's output and errors.

use super::install::Source;
use super::loader::{self, Plugin};
use super::{runtime, slog_value, PluginError};
use crate::settings::EnvSettings;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::Path;

#[derive(Subcommand)]
pub enum PluginCommand {
    /// install a Helm plugin
    #[command(alias = "add")]
    Install(InstallArgs),
    /// list installed Helm plugins
    #[command(alias = "ls")]
    List(ListArgs),
    /// uninstall one or more Helm plugins
    #[command(alias = "rm", alias = "remove")]
    Uninstall(NamesArgs),
    /// update one or more Helm plugins
    #[command(alias = "up")]
    Update(NamesArgs),
    /// package a plugin directory into a plugin archive
    Package(PackageArgs),
    /// verify that a plugin at the given path has been signed and is valid
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct PackageArgs {
    /// `[PATH]`
    args: Vec<String>,
    /// use a PGP private key to sign this plugin
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", value_parser = go_bool)]
    sign: bool,
    /// name of the key to use when signing. Used if --sign is true
    #[arg(long, default_value = "")]
    key: String,
    /// location of a public keyring
    #[arg(long)]
    keyring: Option<String>,
    /// location of a file which contains the passphrase for the signing key. Use "-" to read from stdin.
    #[arg(long = "passphrase-file")]
    passphrase_file: Option<String>,
    /// location to write the plugin tarball.
    #[arg(short = 'd', long, default_value = ".")]
    destination: String,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// `[PATH]`
    args: Vec<String>,
    /// keyring containing public keys
    #[arg(long)]
    keyring: Option<String>,
}

#[derive(Args)]
pub struct ListArgs {
    /// Plugin type
    #[arg(long = "type", default_value = "")]
    kind: String,
    /// Ignored, as Helm ignores them.
    #[arg(hide = true)]
    rest: Vec<String>,
}

#[derive(Args)]
pub struct NamesArgs {
    names: Vec<String>,
}

#[derive(Args)]
pub struct InstallArgs {
    /// `<path|url>`
    args: Vec<String>,
    /// specify a version constraint. If this is not specified, the latest version is installed
    #[arg(long)]
    version: Option<String>,
    /// verify the plugin signature before installing
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", value_parser = go_bool)]
    verify: bool,
    /// location of public keys used for verification
    #[arg(long)]
    keyring: Option<String>,
    /// identify registry client using this SSL certificate file
    #[arg(long = "cert-file")]
    cert_file: Option<String>,
    /// identify registry client using this SSL key file
    #[arg(long = "key-file")]
    key_file: Option<String>,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long = "ca-file")]
    ca_file: Option<String>,
    /// skip tls certificate checks for the plugin download
    #[arg(long = "insecure-skip-tls-verify")]
    insecure_skip_tls_verify: bool,
    /// use insecure HTTP connections for the plugin download
    #[arg(long = "plain-http")]
    plain_http: bool,
    /// registry username
    #[arg(long)]
    username: Option<String>,
    /// registry password
    #[arg(long)]
    password: Option<String>,
}

fn go_bool(s: &str) -> Result<bool, String> {
    crate::settings::parse_go_bool(s)
        .ok_or_else(|| format!("strconv.ParseBool: parsing {s:?}: invalid syntax"))
}

fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Runs a `plugin` subcommand.
pub fn run(cmd: PluginCommand, settings: &EnvSettings) -> Result<(), crate::CmdError> {
    let r = match cmd {
        PluginCommand::List(a) => list(&a, settings),
        PluginCommand::Install(a) => install(&a, settings),
        PluginCommand::Uninstall(a) => uninstall(&a.names, settings),
        PluginCommand::Update(a) => update(&a.names, settings),
        PluginCommand::Package(a) => package(&a),
        PluginCommand::Verify(a) => verify(&a),
    };
    r.map_err(Into::into)
}

/// Helm's PROVENANCE column: looked up under `$HELM_DATA_HOME/plugins` by plugin name.
fn provenance(p: &Plugin) -> &'static str {
    let dir = Path::new(&crate::settings::data_path("plugins")).join(&p.metadata.name);
    let Ok(md) = std::fs::symlink_metadata(&dir) else {
        return "unknown";
    };
    if md.file_type().is_symlink() {
        return "local dev";
    }
    let tgz = Path::new(&crate::settings::data_path("plugins"))
        .join(format!("{}-{}.tgz", p.metadata.name, p.metadata.version));
    if !tgz.exists() {
        return "unsigned";
    }
    let Ok(prov) = std::fs::read_to_string(format!("{}.prov", tgz.display())) else {
        return "unsigned";
    };
    if !prov.contains("-----BEGIN PGP SIGNED MESSAGE-----") {
        return "invalid provenance";
    }
    let Ok(data) = std::fs::read(&tgz) else {
        return "mismatched provenance";
    };
    use sha2::Digest;
    let sum = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&data)));
    let base = helm_core::gocompat::path::base(&tgz.to_string_lossy());
    let matches = prov.lines().any(|l| l.contains(&base) && l.contains(&sum));
    if matches {
        "signed"
    } else {
        "mismatched provenance"
    }
}

fn list(a: &ListArgs, settings: &EnvSettings) -> Result<(), PluginError> {
    if settings.debug {
        eprintln!(
            "level=DEBUG msg=pluginDirs directory={}",
            slog_value(&settings.plugins_directory)
        );
    }
    let dirs = loader::split_dirs(&settings.plugins_directory);
    let plugins = loader::find_plugins(&dirs, &a.kind, "").map_err(PluginError::Message)?;
    let mut rows = vec![[
        "NAME",
        "VERSION",
        "TYPE",
        "APIVERSION",
        "PROVENANCE",
        "SOURCE",
    ]
    .map(String::from)
    .to_vec()];
    for p in &plugins {
        let m = &p.metadata;
        let source = if m.source_url.is_empty() {
            "unknown".to_string()
        } else {
            m.source_url.clone()
        };
        rows.push(vec![
            m.name.clone(),
            m.version.clone(),
            m.kind.clone(),
            m.api_version.clone(),
            provenance(p).to_string(),
            source,
        ]);
    }
    out(&format!("{}\n", helm_core::repo::search::uitable(&rows, 0)));
    Ok(())
}

fn install(a: &InstallArgs, settings: &EnvSettings) -> Result<(), PluginError> {
    let [source] = a.args.as_slice() else {
        return Err(PluginError::Message(
            "\"helm plugin install\" requires 1 argument\n\nUsage:  helm plugin install [options] <path|url> [flags]"
                .into(),
        ));
    };
    let src = Source::resolve(
        source,
        a.version.as_deref().unwrap_or(""),
        &settings.plugins_directory,
        a.plain_http,
    )?;
    let mut verify = a.verify;
    if matches!(src, Source::Directory(_)) {
        verify = false;
        out("Installing plugin from local directory (development mode)\n");
    } else if verify && !src.supports_verification() {
        return Err(PluginError::Message(
            "plugin source does not support verification. Use --verify=false to skip verification"
                .into(),
        ));
    } else if !verify {
        out("WARNING: Skipping plugin signature verification\n");
    }
    if verify {
        out("Verifying plugin signature...\n");
    }
    let path = src.path();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| PluginError::Message(e.to_string()))?;
    }
    if std::fs::metadata(&path).is_ok() {
        eprintln!(
            "level=WARN msg=\"plugin already exists\" path={} error=<nil>",
            slog_value(&path.to_string_lossy())
        );
        return Err(PluginError::Message("plugin already exists".into()));
    }
    let conn = helm_core::repo::RepoEntry {
        url: source.clone(),
        cert_file: a.cert_file.clone().unwrap_or_default(),
        key_file: a.key_file.clone().unwrap_or_default(),
        ca_file: a.ca_file.clone().unwrap_or_default(),
        insecure_skip_tls_verify: a.insecure_skip_tls_verify,
        username: a.username.clone().unwrap_or_default(),
        password: a.password.clone().unwrap_or_default(),
        ..Default::default()
    };
    let verified = if verify {
        let (data, prov) = src
            .archive_data(&conn)
            .map_err(|e| PluginError::Message(format!("failed to get verification data: {e}")))?;
        let Some(prov) = prov.filter(|p| !p.is_empty()) else {
            return Err(PluginError::Message(
                "plugin verification failed: no provenance file (.prov) found".into(),
            ));
        };
        // The digest is looked up under the archive's file name (a registry plugin's is
        // `NAME-VERSION.tgz`, from its plugin.yaml).
        let tmp = tempfile::tempdir().map_err(|e| PluginError::Message(e.to_string()))?;
        let name = match &src {
            Source::Oci { .. } => {
                let m = super::install::archive_metadata(&data).map_err(|e| {
                    PluginError::Message(format!(
                        "failed to get verification data: failed to extract plugin metadata: {e}"
                    ))
                })?;
                format!("{}-{}.tgz", m.name, m.version)
            }
            _ => helm_core::gocompat::path::base(source.as_str()),
        };
        let file = tmp.path().join(name);
        std::fs::write(&file, &data).map_err(|e| PluginError::Message(e.to_string()))?;
        let keyring = a
            .keyring
            .clone()
            .unwrap_or_else(crate::repo::default_keyring);
        let v = super::sign::verify(&file, &String::from_utf8_lossy(&prov), &keyring)
            .map_err(|e| PluginError::Message(format!("plugin verification failed: {e}")))?;
        Some(v)
    } else {
        None
    };
    src.install(&conn)?;
    if let Some(v) = verified {
        out(&format!(
            "Signed by: {}\nUsing Key With Fingerprint: {}\nPlugin Hash Verified: {}\n",
            v.signed_by, v.fingerprint, v.file_hash
        ));
    }
    let p = loader::load_dir(&path)
        .map_err(|e| PluginError::Message(format!("plugin is installed but unusable: {e}")))?;
    runtime::run_hook(&p, "install", settings.debug)?;
    out(&format!("Installed plugin: {}\n", p.metadata.name));
    Ok(())
}

/// The plugins of `$HELM_PLUGINS` taken as one directory, as Helm's uninstall and update
/// read them.
fn installed(settings: &EnvSettings) -> Result<Vec<Plugin>, PluginError> {
    loader::load_all_dir(&settings.plugins_directory).map_err(PluginError::Message)
}

fn uninstall(names: &[String], settings: &EnvSettings) -> Result<(), PluginError> {
    if names.is_empty() {
        return Err(PluginError::Message(
            "please provide plugin name to uninstall".into(),
        ));
    }
    let plugins = installed(settings)?;
    let mut errors = Vec::new();
    for name in names {
        let Some(p) = plugins.iter().find(|p| &p.metadata.name == name) else {
            errors.push(format!("plugin: {name} not found"));
            continue;
        };
        match remove(p, settings) {
            Ok(()) => out(&format!("Uninstalled plugin: {name}\n")),
            Err(e) => errors.push(format!(
                "failed to uninstall plugin {name}, got error ({e})"
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(PluginError::Message(errors.join("\n")))
    }
}

/// Removes a plugin (a symlink only unlinked), its kept tarball and provenance, then runs its
/// delete hook.
fn remove(p: &Plugin, settings: &EnvSettings) -> Result<(), PluginError> {
    let md = std::fs::symlink_metadata(&p.dir).map_err(|e| PluginError::Message(e.to_string()))?;
    let r = if md.is_dir() {
        std::fs::remove_dir_all(&p.dir)
    } else {
        std::fs::remove_file(&p.dir)
    };
    r.map_err(|e| PluginError::Message(e.to_string()))?;
    if !p.metadata.version.is_empty() {
        let kept = Path::new(&settings.plugins_directory)
            .join(format!("{}-{}.tgz", p.metadata.name, p.metadata.version));
        let _ = std::fs::remove_file(&kept);
        let _ = std::fs::remove_file(format!("{}.prov", kept.display()));
    }
    runtime::run_hook(p, "delete", settings.debug)
}

fn update(names: &[String], settings: &EnvSettings) -> Result<(), PluginError> {
    if names.is_empty() {
        return Err(PluginError::Message(
            "please provide plugin name to update".into(),
        ));
    }
    let plugins = installed(settings)?;
    let mut errors = Vec::new();
    for name in names {
        let Some(p) = plugins.iter().find(|p| &p.metadata.name == name) else {
            errors.push(format!("plugin: {name} not found"));
            continue;
        };
        match update_one(p, settings) {
            Ok(()) => out(&format!("Updated plugin: {name}\n")),
            Err(e) => errors.push(format!("failed to update plugin {name}, got error ({e})")),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(PluginError::Message(errors.join("\n")))
    }
}

/// Helm updates only plugins that are VCS checkouts (for git: fetch, then pull unless a tag
/// or commit is checked out), then runs the update hook.
fn update_one(p: &Plugin, settings: &EnvSettings) -> Result<(), PluginError> {
    let location =
        std::fs::canonicalize(&p.dir).map_err(|e| PluginError::Message(e.to_string()))?;
    if !location.join(".git").exists() {
        eprintln!(
            "level=WARN msg=\"cannot get information about plugin source\" location={} error=\"Cannot detect VCS\"",
            slog_value(&location.to_string_lossy())
        );
        return Err(PluginError::Message(
            "cannot get information about plugin source".into(),
        ));
    }
    let repo = super::vcs::GitRepo {
        remote: String::new(),
        local: location,
    };
    if repo.is_dirty() {
        return Err(PluginError::Message("plugin repo was modified".into()));
    }
    repo.update()?;
    let updated = loader::load_dir(&p.dir).map_err(PluginError::Message)?;
    runtime::run_hook(&updated, "update", settings.debug)
}

fn stat_error(path: &str, e: &std::io::Error) -> PluginError {
    PluginError::Message(format!(
        "stat {path}: {}",
        helm_core::gocompat::os::go_io_error(e)
    ))
}

/// `helm plugin package DIR`: `NAME-VERSION.tgz` (and its `.prov` unless `--sign=false`).
fn package(a: &PackageArgs) -> Result<(), PluginError> {
    let [path] = a.args.as_slice() else {
        return Err(PluginError::Message(
            "\"helm plugin package\" requires 1 argument\n\nUsage:  helm plugin package [PATH] [flags]"
                .into(),
        ));
    };
    let md = std::fs::metadata(path).map_err(|e| stat_error(path, &e))?;
    if !md.is_dir() {
        return Err(PluginError::Message(
            "plugin package only supports directories, not tarballs".into(),
        ));
    }
    let p = loader::load_dir(Path::new(path))
        .map_err(|e| PluginError::Message(format!("invalid plugin directory: {e}")))?;
    std::fs::create_dir_all(&a.destination).map_err(|e| PluginError::Message(e.to_string()))?;
    let keyring = a
        .keyring
        .clone()
        .unwrap_or_else(crate::repo::default_keyring);
    let passphrase = match a.passphrase_file.as_deref() {
        Some("-") => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| PluginError::Message(e.to_string()))?;
            Some(s.trim_end_matches(['\r', '\n']).to_string())
        }
        Some(f) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| {
                    PluginError::Message(format!(
                        "open {f}: {}",
                        helm_core::gocompat::os::go_io_error(&e)
                    ))
                })?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
        ),
        None => None,
    };
    if !a.sign {
        out("WARNING: Skipping plugin signing. This is not recommended for plugins intended for distribution.\n");
    } else if let Err(e) = std::fs::metadata(&keyring) {
        return Err(PluginError::Message(format!(
            "error reading from keyring: open {keyring}: {}",
            helm_core::gocompat::os::go_io_error(&e)
        )));
    }
    let file = format!("{}-{}.tgz", p.metadata.name, p.metadata.version);
    let tarball_path = Path::new(&a.destination).join(&file);
    let data = super::sign::tarball(Path::new(path), &p.metadata.name)?;
    let prov = if a.sign {
        Some(super::sign::sign(
            &p,
            &data,
            &file,
            &keyring,
            &a.key,
            passphrase.as_deref(),
        )?)
    } else {
        None
    };
    std::fs::write(&tarball_path, &data)
        .map_err(|e| PluginError::Message(format!("failed to create tarball: {e}")))?;
    let shown = helm_core::gocompat::path::clean(&tarball_path.to_string_lossy());
    if let Some(prov) = prov {
        std::fs::write(format!("{shown}.prov"), prov)
            .map_err(|e| PluginError::Message(e.to_string()))?;
        out(&format!(
            "Successfully signed. Signature written to: {shown}.prov\n"
        ));
    }
    out(&format!(
        "Successfully packaged plugin and saved it to: {shown}\n"
    ));
    Ok(())
}

/// `helm plugin verify TARBALL`.
fn verify(a: &VerifyArgs) -> Result<(), PluginError> {
    let [path] = a.args.as_slice() else {
        return Err(PluginError::Message(
            "\"helm plugin verify\" requires 1 argument\n\nUsage:  helm plugin verify [PATH] [flags]"
                .into(),
        ));
    };
    let md = std::fs::metadata(path).map_err(|e| stat_error(path, &e))?;
    if md.is_dir() {
        return Err(PluginError::Message(
            "directory verification not supported - only plugin tarballs can be verified".into(),
        ));
    }
    let ext = helm_core::gocompat::path::ext(path);
    if ext != ".gz" && ext != ".tgz" {
        return Err(PluginError::Message(
            "plugin file must be a gzipped tarball (.tar.gz or .tgz)".into(),
        ));
    }
    let prov_file = format!("{path}.prov");
    let prov = match std::fs::metadata(&prov_file) {
        Err(e) => {
            return Err(PluginError::Message(format!(
                "could not find provenance file {prov_file}: stat {prov_file}: {}",
                helm_core::gocompat::os::go_io_error(&e)
            )))
        }
        Ok(_) => std::fs::read_to_string(&prov_file)
            .map_err(|e| PluginError::Message(format!("failed to read provenance file: {e}")))?,
    };
    let keyring = a
        .keyring
        .clone()
        .unwrap_or_else(crate::repo::default_keyring);
    let v = super::sign::verify(Path::new(path), &prov, &keyring)?;
    out(&format!(
        "Signed by: {}\nUsing Key With Fingerprint: {}\nPlugin Hash Verified: {}\n",
        v.signed_by, v.fingerprint, v.file_hash
    ));
    Ok(())
}
