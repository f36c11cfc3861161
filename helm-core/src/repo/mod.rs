//! Chart repositories without the network: the `index.yaml` model, `repositories.yaml`, Helm's
//! file locations, `helm search repo` and chart references.
//!
//! Why here and not in helm-kube: everything a repository *means* — which versions exist, which
//! one a constraint picks, where the cache lives, what `helm repo index` writes — is pure data
//! and must behave exactly as Helm's `pkg/repo` does, so it is tested without servers. The
//! transport (HTTP, TLS, OCI) lives in `helm-kube::repo` and only moves bytes into the places
//! this module names.
//!
//! Files are read and written the way Helm does it: YAML through the Go-compatible reader and
//! emitter of [`crate::values::yaml`] (keys sorted, as sigs.k8s.io/yaml marshals), and written to
//! a temporary file in the same directory then renamed, so no reader ever sees half a file.

pub mod deps;
pub mod index;
pub mod oci;
pub mod paths;
pub mod provenance;
pub mod repo_file;
pub mod search;

pub use index::{ChartVersion, IndexFile};
pub use repo_file::{RepoEntry, RepoFile};

use std::path::{Path, PathBuf};

/// Everything that can go wrong in repository logic, with Helm's wording where Helm has one.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("error unmarshaling JSON: while decoding JSON: {0}")]
    Yaml(String),
    #[error("no API version specified")]
    NoApiVersion,
    #[error("no chart name found")]
    NoChartName,
    #[error("no chart version found")]
    NoChartVersion,
    #[error("no chart version found for {name}-{version}")]
    NoMatchingVersion { name: String, version: String },
    #[error("improper constraint: {0}")]
    BadConstraint(String),
    #[error("{0}")]
    Other(String),
}

impl RepoError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> RepoError {
        RepoError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Writes `data` to `path` atomically: a temporary file in the same directory, then a rename.
/// Parent directories are created. `mode` is applied on Unix.
pub fn atomic_write(path: &Path, data: &[u8], mode: u32) -> Result<(), RepoError> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| RepoError::io(&dir, e))?;
    let base = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{base}.tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(RepoError::io(path, e));
    }
    Ok(())
}

/// Go's `time.Now().Format(time.RFC3339Nano)` in UTC: fractional seconds without trailing zeros.
pub fn now_rfc3339_nano() -> String {
    format_rfc3339_nano(chrono::Utc::now())
}

pub fn format_rfc3339_nano(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        format!("{base}Z")
    } else {
        let frac = format!("{nanos:09}");
        format!("{base}.{}Z", frac.trim_end_matches('0'))
    }
}

/// Helm's `urlutil.URLJoin`: the base URL with `paths` appended to its path by `path.Join`.
pub fn url_join(base: &str, paths: &[&str]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) if !u.cannot_be_a_base() => {
            let mut all = vec![u.path().to_string()];
            all.extend(paths.iter().map(|s| s.to_string()));
            u.set_path(&go_path_join(&all));
            u.to_string()
        }
        _ => {
            let mut all = vec![base.to_string()];
            all.extend(paths.iter().map(|s| s.to_string()));
            go_path_join(&all)
        }
    }
}

/// Go's `path.Join`: non-empty elements joined by `/`, then cleaned.
pub fn go_path_join(parts: &[String]) -> String {
    let joined: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if joined.is_empty() {
        return String::new();
    }
    go_path_clean(&joined.join("/"))
}

/// Go's `path.Clean`.
pub use crate::gocompat::path::clean as go_path_clean;

/// Helm's `repo.ResolveReferenceURL`: a chart URL from an index, resolved against the
/// repository URL (treated as a directory), keeping the repository URL's query string.
pub fn resolve_reference_url(base: &str, reference: &str) -> Result<String, RepoError> {
    if url::Url::parse(reference).is_ok() {
        return Ok(reference.to_string());
    }
    let mut b = url::Url::parse(base)
        .map_err(|e| RepoError::Other(format!("failed to parse {base} as URL: {e}")))?;
    let path = format!("{}/", b.path().trim_end_matches('/'));
    b.set_path(&path);
    let query = b.query().map(str::to_string);
    let mut r = b
        .join(reference)
        .map_err(|e| RepoError::Other(format!("failed to parse {reference} as URL: {e}")))?;
    r.set_query(query.as_deref());
    Ok(r.to_string())
}

/// The URL of a repository's index: `index.yaml` appended to the URL's path, query kept.
pub fn index_url(repo_url: &str) -> Result<String, RepoError> {
    let mut u = url::Url::parse(repo_url)
        .map_err(|e| RepoError::Other(format!("parse {repo_url:?}: {e}")))?;
    let p = go_path_join(&[u.path().to_string(), "index.yaml".to_string()]);
    u.set_path(&p);
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_go() {
        assert_eq!(url_join("", &["sub"]), "sub");
        assert_eq!(url_join("sub", &["a.tgz"]), "sub/a.tgz");
        assert_eq!(
            url_join("http://example.com/charts", &["", "a.tgz"]),
            "http://example.com/charts/a.tgz"
        );
        assert_eq!(
            url_join("http://example.com/charts/", &["sub"]),
            "http://example.com/charts/sub"
        );
        assert_eq!(go_path_clean("a/../../b/./c/"), "../b/c");
    }

    #[test]
    fn resolves_chart_urls() {
        assert_eq!(
            resolve_reference_url("http://h:1/x", "a-1.tgz").unwrap(),
            "http://h:1/x/a-1.tgz"
        );
        assert_eq!(
            resolve_reference_url("http://h:1/x/", "a-1.tgz").unwrap(),
            "http://h:1/x/a-1.tgz"
        );
        assert_eq!(
            resolve_reference_url("http://h:1/x?t=1", "a-1.tgz").unwrap(),
            "http://h:1/x/a-1.tgz?t=1"
        );
        assert_eq!(
            resolve_reference_url("http://h/x", "https://o/a.tgz").unwrap(),
            "https://o/a.tgz"
        );
        assert_eq!(index_url("http://h:1").unwrap(), "http://h:1/index.yaml");
        assert_eq!(
            index_url("http://h:1/a/?q=1").unwrap(),
            "http://h:1/a/index.yaml?q=1"
        );
    }

    #[test]
    fn formats_times_as_go() {
        use chrono::TimeZone;
        let t = chrono::Utc
            .timestamp_opt(1_700_000_000, 120_000_000)
            .unwrap();
        assert_eq!(format_rfc3339_nano(t), "2023-11-14T22:13:20.12Z");
        let t = chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        assert_eq!(format_rfc3339_nano(t), "2023-11-14T22:13:20Z");
    }
}
