//! Where `helm-rs plugin install SOURCE` gets a plugin from, as Helm 4.1.4's installers:
//!
//! * a local directory: symlinked (a "local dev" plugin, never verified);
//! * a local `.tgz`/`.tar.gz`: its `plugin.yaml` read first, the archive kept as
//!   `NAME-VERSION.tgz` (and its `.prov`) beside the plugins, then its `NAME/` directory
//!   (the file name without the version) copied in;
//! * an `http(s)://` URL of such an archive: downloaded, then as a local archive (the plugin
//!   found at the archive's root or one directory down);
//! * an `oci://` reference (with a tag or digest) of a plugin artifact in a registry: its
//!   `NAME-VERSION.tgz` layer (and `.prov`), kept beside the plugins like a tarball, unpacked
//!   into the cache (`$HELM_CACHE_HOME/plugins/KEY`) and copied to `$HELM_PLUGINS/NAME`.
//!
//! * a git repository ([`super::vcs`]): cloned into the cache, checked out at `--version`,
//!   copied with its `.git`.
//!
//! Helm installs directories, tarballs, URLs and git checkouts into `$HELM_DATA_HOME/plugins`
//! (its `helmpath.DataPath`), and registry plugins into `$HELM_PLUGINS`; helm-rs does the
//! same.

use super::PluginError;
use std::path::{Path, PathBuf};

/// An install source, resolved.
pub enum Source {
    Directory(PathBuf),
    Archive(PathBuf),
    Http(String),
    /// A registry reference, with the plugins directory it installs into and how to reach
    /// the registry.
    Oci {
        reference: String,
        plugins_dir: PathBuf,
        plain_http: bool,
    },
    /// A git repository and the `--version` to check out (empty: its default branch).
    Git {
        url: String,
        version: String,
    },
}

fn archive_suffix(s: &str) -> bool {
    s.ends_with(".tgz") || s.ends_with(".tar.gz")
}

/// Helm's `stripPluginName`: `NAME-1.2.3.tgz` → `NAME`.
pub fn strip_plugin_name(file: &str) -> String {
    let stem = file
        .strip_suffix(".tar.gz")
        .or_else(|| file.strip_suffix(".tgz"))
        .unwrap_or("");
    // `(.*)-[0-9]+\..*`, greedy: the last `-DIGITS.` starts the version.
    let b = stem.as_bytes();
    for i in (0..b.len()).rev() {
        if b[i] == b'-' {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 && b.get(i + 1 + digits) == Some(&b'.') {
                return stem[..i].to_string();
            }
        }
    }
    stem.to_string()
}

fn data_plugins() -> PathBuf {
    PathBuf::from(crate::settings::data_path("plugins"))
}

impl Source {
    /// Helm's `NewOCIInstaller` for `oci://` sources, else its `NewForSource`.
    pub fn resolve(
        source: &str,
        version: &str,
        plugins_directory: &str,
        plain_http: bool,
    ) -> Result<Source, PluginError> {
        if source.starts_with("oci://") {
            let r = helm_core::repo::oci::Reference::parse(source)
                .map_err(|e| PluginError::Message(format!("invalid OCI reference: {e}")))?;
            if r.chart_name().is_empty() {
                return Err(PluginError::Message(
                    "invalid OCI reference: missing repository".into(),
                ));
            }
            return Ok(Source::Oci {
                reference: source.to_string(),
                plugins_dir: PathBuf::from(plugins_directory),
                plain_http,
            });
        }
        if std::fs::metadata(source).is_ok() {
            let abs =
                std::path::absolute(source).map_err(|e| PluginError::Message(e.to_string()))?;
            let abs = PathBuf::from(helm_core::gocompat::path::clean(&abs.to_string_lossy()));
            return Ok(if archive_suffix(source) {
                Source::Archive(abs)
            } else {
                Source::Directory(abs)
            });
        }
        if (source.starts_with("http://") || source.starts_with("https://"))
            && archive_suffix(source)
        {
            return Ok(Source::Http(source.to_string()));
        }
        let why = match super::vcs::detect(source) {
            Ok(super::vcs::Vcs::Git) => {
                return Ok(Source::Git {
                    url: source.to_string(),
                    version: version.to_string(),
                })
            }
            Ok(super::vcs::Vcs::Other(kind)) => {
                format!("helm-rs installs plugins from git repositories only, not {kind}")
            }
            Err(e) => e,
        };
        Err(PluginError::Message(format!(
            "cannot get information about plugin source {source:?} (if it's a local directory, does it exist?), last error was: {why}"
        )))
    }

    /// Where the plugin goes.
    pub fn path(&self) -> PathBuf {
        let base = |s: &str| helm_core::gocompat::path::base(s);
        match self {
            Source::Directory(p) => data_plugins().join(base(&p.to_string_lossy())),
            Source::Archive(p) => {
                data_plugins().join(strip_plugin_name(&base(&p.to_string_lossy())))
            }
            Source::Http(u) => data_plugins().join(strip_plugin_name(&base(u))),
            Source::Git { url, .. } => data_plugins().join(base(url)),
            Source::Oci {
                reference,
                plugins_dir,
                ..
            } => {
                let name = helm_core::repo::oci::Reference::parse(reference)
                    .map(|r| r.chart_name().to_string())
                    .unwrap_or_default();
                plugins_dir.join(name)
            }
        }
    }

    /// Whether a signature can be checked for this source (tarballs).
    pub fn supports_verification(&self) -> bool {
        !matches!(self, Source::Directory(_) | Source::Git { .. })
    }

    /// The archive and its provenance, for tarball sources.
    pub fn archive_data(
        &self,
        conn: &helm_core::repo::RepoEntry,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), PluginError> {
        let msg = |e: String| PluginError::Message(e);
        match self {
            Source::Directory(_) | Source::Git { .. } => {
                Err(msg("verification not supported for directories".into()))
            }
            Source::Archive(p) => {
                let data =
                    std::fs::read(p).map_err(|e| msg(format!("failed to read archive: {e}")))?;
                let prov = std::fs::read(format!("{}.prov", p.display())).ok();
                Ok((data, prov))
            }
            Source::Http(u) => {
                let g =
                    helm_kube::repo::Getter::new(&helm_kube::repo::HttpOptions::from_entry(conn))
                        .map_err(|e| msg(e.to_string()))?;
                let data = g.get_bytes(u).map_err(|e| msg(e.to_string()))?;
                let prov = g.get_bytes(&format!("{u}.prov")).ok();
                Ok((data, prov))
            }
            Source::Oci {
                reference,
                plain_http,
                ..
            } => {
                let o = helm_kube::repo::oci::OciOptions {
                    plain_http: *plain_http,
                    tls: helm_kube::repo::HttpOptions::from_entry(conn),
                    registry_config: helm_core::repo::paths::registry_config(),
                };
                let pulled = helm_kube::repo::oci::pull_plugin(reference, &o)
                    .map_err(|e| msg(format!("failed to pull plugin from {reference}: {e}")))?;
                Ok((pulled.archive, pulled.provenance))
            }
        }
    }

    /// Installs the plugin at [`Source::path`].
    pub fn install(&self, conn: &helm_core::repo::RepoEntry) -> Result<(), PluginError> {
        let msg = PluginError::Message;
        let dest = self.path();
        match self {
            Source::Directory(src) => {
                let md = std::fs::metadata(src).map_err(|e| msg(e.to_string()))?;
                if !md.is_dir() {
                    return Err(msg(
                        "expected plugin to be a directory (containing a file 'plugin.yaml')"
                            .into(),
                    ));
                }
                if std::fs::metadata(src.join("plugin.yaml")).is_err() {
                    return Err(msg("plugin metadata (plugin.yaml) missing".into()));
                }
                std::os::unix::fs::symlink(src, &dest).map_err(|e| {
                    msg(format!(
                        "symlink {} {}: {}",
                        src.display(),
                        dest.display(),
                        helm_core::gocompat::os::go_io_error(&e)
                    ))
                })
            }
            Source::Git { url, version } => super::vcs::install(url, version, &dest),
            Source::Oci { reference, .. } => {
                let (data, prov) = self.archive_data(conn)?;
                let m = archive_metadata(&data).map_err(|e| {
                    msg(format!(
                        "failed to extract plugin metadata from tarball: {e}"
                    ))
                })?;
                keep_archive(&m, &data, prov.as_deref())?;
                if !data.starts_with(&[0x1f, 0x8b]) {
                    return Err(msg("plugin data is not a gzip compressed archive".into()));
                }
                let cache = PathBuf::from(crate::settings::cache_path("plugins"))
                    .join(cache_key(reference));
                std::fs::create_dir_all(&cache)
                    .map_err(|e| msg(format!("failed to create cache directory: {e}")))?;
                extract(&data, &cache)
                    .map_err(|e| msg(format!("failed to extract plugin: {e}")))?;
                let root = find_plugin_root(&cache)
                    .map_err(|e| msg(e.to_string()))?
                    .ok_or_else(|| msg("plugin metadata (plugin.yaml) missing".into()))?;
                copy_dir(&root, &dest).map_err(msg)
            }
            Source::Archive(_) | Source::Http(_) => {
                let (data, prov) = self.archive_data(conn)?;
                let m = archive_metadata(&data).map_err(|e| {
                    msg(format!(
                        "failed to extract plugin metadata from tarball: {e}"
                    ))
                })?;
                keep_archive(&m, &data, prov.as_deref())?;
                let tmp = tempfile::Builder::new()
                    .prefix("helm-plugin-extract-")
                    .tempdir()
                    .map_err(|e| msg(format!("failed to create temp directory: {e}")))?;
                extract(&data, tmp.path())
                    .map_err(|e| msg(format!("failed to extract archive: {e}")))?;
                let root = match self {
                    Source::Archive(p) => {
                        let name = strip_plugin_name(&helm_core::gocompat::path::base(
                            &p.to_string_lossy(),
                        ));
                        let root = tmp.path().join(name);
                        if std::fs::metadata(root.join("plugin.yaml")).is_err() {
                            return Err(msg(format!(
                                "plugin.yaml not found in expected directory {}: stat {}: no such file or directory",
                                root.display(),
                                root.join("plugin.yaml").display()
                            )));
                        }
                        root
                    }
                    _ => plugin_root(tmp.path())?,
                };
                copy_dir(&root, &dest).map_err(msg)
            }
        }
    }
}

/// Keeps a downloaded plugin archive (and its provenance) as `NAME-VERSION.tgz` in the data
/// directory's plugins, as Helm does for tarball and registry installs.
fn keep_archive(
    m: &super::metadata::Metadata,
    data: &[u8],
    prov: Option<&[u8]>,
) -> Result<(), PluginError> {
    let msg = PluginError::Message;
    let kept = data_plugins().join(format!("{}-{}.tgz", m.name, m.version));
    std::fs::create_dir_all(data_plugins())
        .map_err(|e| msg(format!("failed to create plugins directory: {e}")))?;
    std::fs::write(&kept, data).map_err(|e| msg(format!("failed to save tarball: {e}")))?;
    if let Some(prov) = prov {
        let _ = std::fs::write(format!("{}.prov", kept.display()), prov);
    }
    Ok(())
}

/// Helm's plugin cache key for a source URL: scheme, user, host and path joined by `-`, with
/// every `/` and `:` a `-` (`oci://h:5000/p/x:1` → `oci-h-5000-p-x-1`).
pub fn cache_key(source: &str) -> String {
    let (scheme, rest) = match source.split_once("://") {
        Some((s, r)) => (format!("{s}-"), r),
        None => (String::new(), source),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (user, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{}-", u.split(':').next().unwrap_or(u)), h),
        None => (String::new(), authority),
    };
    format!("{scheme}{user}{host}{}", path.replace('/', "-")).replace(':', "-")
}

/// The plugin.yaml of a plugin tarball (the first entry named `plugin.yaml`), read.
pub fn archive_metadata(data: &[u8]) -> Result<super::metadata::Metadata, String> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut ar = tar::Archive::new(gz);
    for entry in ar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        if helm_core::gocompat::path::base(&path) == "plugin.yaml" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).map_err(|e| e.to_string())?;
            return super::metadata::load(&text);
        }
    }
    Err("plugin.yaml not found in tarball".into())
}

/// Helm's tar extraction: regular files and directories only, no `..`, `:` or absolute
/// paths.
fn extract(data: &[u8], dir: &Path) -> Result<(), String> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut ar = tar::Archive::new(gz);
    for entry in ar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let name = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        if name.contains(':') {
            return Err("path contains ':', which is illegal".into());
        }
        if name.split('/').any(|p| p == "..") {
            return Err("path contains '..', which is illegal".into());
        }
        if name.starts_with('/') {
            return Err("path is absolute, which is illegal".into());
        }
        let target = dir.join(&name);
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
            }
            tar::EntryType::Regular => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                let mode = entry.header().mode().unwrap_or(0o644);
                let mut out = std::fs::File::create(&target).map_err(|e| e.to_string())?;
                std::io::copy(&mut entry, &mut out).map_err(|e| e.to_string())?;
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(
                    &target,
                    std::fs::Permissions::from_mode(mode & 0o7777),
                );
            }
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => {}
            other => {
                return Err(format!("unknown type: {:b} in {name}", other.as_byte()));
            }
        }
    }
    Ok(())
}

/// Helm's `detectPluginRoot`: the archive's root, or its first subdirectory with a
/// plugin.yaml.
fn plugin_root(dir: &Path) -> Result<PathBuf, PluginError> {
    find_plugin_root(dir)
        .map_err(|e| PluginError::Message(e.to_string()))?
        .ok_or_else(|| {
            PluginError::Message(format!(
                "plugin.yaml not found in {} or its immediate subdirectories",
                dir.display()
            ))
        })
}

/// The directory with the plugin.yaml: `dir` itself, or its first subdirectory (by name)
/// holding one; `None` when there is none (each installer words that its own way).
fn find_plugin_root(dir: &Path) -> std::io::Result<Option<PathBuf>> {
    if dir.join("plugin.yaml").exists() {
        return Ok(Some(dir.to_path_buf()));
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    Ok(subdirs.into_iter().find(|p| p.join("plugin.yaml").exists()))
}

/// Copies a directory tree (modes kept, symlinks copied as links); the destination must not
/// exist.
pub fn copy_dir(src: &Path, dst: &Path) -> Result<(), String> {
    if dst.exists() {
        return Err("destination already exists".into());
    }
    std::fs::create_dir_all(dst).map_err(|e| e.to_string())?;
    let md = std::fs::metadata(src).map_err(|e| e.to_string())?;
    std::fs::set_permissions(dst, md.permissions()).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(src).map_err(|e| e.to_string())?.flatten() {
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        let ft = entry.file_type().map_err(|e| e.to_string())?;
        if ft.is_symlink() {
            let link = std::fs::read_link(&from).map_err(|e| e.to_string())?;
            std::os::unix::fs::symlink(link, &to).map_err(|e| e.to_string())?;
        } else if ft.is_dir() {
            copy_dir(&from, &to)?;
        } else {
            std::fs::copy(&from, &to).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_name_drops_the_version_and_suffix() {
        assert_eq!(strip_plugin_name("hello-0.1.0.tgz"), "hello");
        assert_eq!(strip_plugin_name("my-plugin-1.2.3.tar.gz"), "my-plugin");
        assert_eq!(strip_plugin_name("plain.tgz"), "plain");
        assert_eq!(strip_plugin_name("a-1.0-b-2.0.tgz"), "a-1.0-b");
    }

    #[test]
    fn cache_keys_are_helms() {
        assert_eq!(
            cache_key("oci://127.0.0.1:35111/plugins/hello:0.2.0"),
            "oci-127.0.0.1-35111-plugins-hello-0.2.0"
        );
        assert_eq!(cache_key("https://u@h.io/a/b"), "https-u-h.io-a-b");
    }
}
