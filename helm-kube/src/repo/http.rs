//! Helm's HTTP getter over blocking reqwest + rustls.

use super::progress::{Direction, Reporter, TransferKind, TransferObserver};
use super::RepoIoError;
use sha2::Digest;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Default upper bound for any one download (indexes of big repositories are tens of MiB).
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The options of one repository's HTTP access (Helm's `getter.Options`).
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    pub username: String,
    pub password: String,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    /// 0 means [`DEFAULT_MAX_BYTES`].
    pub max_bytes: u64,
}

impl HttpOptions {
    /// The options stored for a repository in repositories.yaml.
    pub fn from_entry(e: &helm_core::repo::RepoEntry) -> HttpOptions {
        HttpOptions {
            username: e.username.clone(),
            password: e.password.clone(),
            ca_file: e.ca_file.clone(),
            cert_file: e.cert_file.clone(),
            key_file: e.key_file.clone(),
            insecure_skip_tls_verify: e.insecure_skip_tls_verify,
            max_bytes: 0,
        }
    }

    /// The same TLS settings, without credentials (for hosts other than the repository's).
    pub fn without_credentials(&self) -> HttpOptions {
        HttpOptions {
            username: String::new(),
            password: String::new(),
            ..self.clone()
        }
    }
}

/// A configured HTTP client, and who hears about its transfers.
pub struct Getter {
    client: reqwest::blocking::Client,
    opts: HttpOptions,
    observer: Option<TransferObserver>,
}

fn read_file(path: &str) -> Result<Vec<u8>, RepoIoError> {
    std::fs::read(path).map_err(|e| RepoIoError::Io {
        path: PathBuf::from(path),
        source: e,
    })
}

/// A blocking client with `opts`' TLS settings and the redirect policy of the module docs.
pub fn build_client(opts: &HttpOptions) -> Result<reqwest::blocking::Client, RepoIoError> {
    let tls =
        |e: reqwest::Error| RepoIoError::Tls(format!("can't create TLS config for client: {e}"));
    let mut b = reqwest::blocking::Client::builder()
        .user_agent(concat!(
            "Helm/4.1.4 (helm-rs ",
            env!("CARGO_PKG_VERSION"),
            ")"
        ))
        .timeout(std::time::Duration::from_secs(120))
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= 10 {
                return attempt.error("stopped after 10 redirects");
            }
            let downgrade = attempt
                .previous()
                .last()
                .is_some_and(|p| p.scheme() == "https")
                && attempt.url().scheme() != "https";
            if downgrade {
                let to = attempt.url().to_string();
                return attempt.error(format!("refusing a redirect from HTTPS to {to}"));
            }
            attempt.follow()
        }));
    if !opts.ca_file.is_empty() {
        let pem = read_file(&opts.ca_file)?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| RepoIoError::Tls(format!("can't read CA file {}: {e}", opts.ca_file)))?;
        if certs.is_empty() {
            return Err(RepoIoError::Tls(format!(
                "no certificates found in CA file {}",
                opts.ca_file
            )));
        }
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    if !opts.cert_file.is_empty() || !opts.key_file.is_empty() {
        if opts.cert_file.is_empty() || opts.key_file.is_empty() {
            return Err(RepoIoError::Tls(
                "a client certificate needs both --cert-file and --key-file".into(),
            ));
        }
        let mut pem = read_file(&opts.cert_file)?;
        pem.push(b'\n');
        pem.extend(read_file(&opts.key_file)?);
        let id = reqwest::Identity::from_pem(&pem).map_err(tls)?;
        b = b.identity(id);
    }
    if opts.insecure_skip_tls_verify {
        b = b.danger_accept_invalid_certs(true);
    }
    b.build().map_err(tls)
}

impl Getter {
    pub fn new(opts: &HttpOptions) -> Result<Getter, RepoIoError> {
        Ok(Getter {
            client: build_client(opts)?,
            opts: opts.clone(),
            observer: None,
        })
    }

    /// The same getter, reporting its downloads to `observer`.
    pub fn with_observer(mut self, observer: Option<TransferObserver>) -> Getter {
        self.observer = observer;
        self
    }

    fn limit(&self) -> u64 {
        if self.opts.max_bytes == 0 {
            DEFAULT_MAX_BYTES
        } else {
            self.opts.max_bytes
        }
    }

    fn send(&self, url: &str) -> Result<reqwest::blocking::Response, RepoIoError> {
        let mut req = self.client.get(url);
        if !self.opts.username.is_empty() || !self.opts.password.is_empty() {
            req = req.basic_auth(&self.opts.username, Some(&self.opts.password));
        }
        let resp = req.send().map_err(|e| RepoIoError::Http {
            url: url.into(),
            message: error_chain(&e),
        })?;
        if resp.status() != reqwest::StatusCode::OK {
            let s = resp.status();
            let status = format!("{} {}", s.as_u16(), s.canonical_reason().unwrap_or(""));
            return Err(RepoIoError::Status {
                url: url.into(),
                status: status.trim_end().to_string(),
            });
        }
        if resp.content_length().is_some_and(|n| n > self.limit()) {
            return Err(RepoIoError::TooLarge {
                url: url.into(),
                limit: self.limit(),
            });
        }
        Ok(resp)
    }

    /// The body of `url`, in memory (indexes; reported as an index named by its URL).
    pub fn get_bytes(&self, url: &str) -> Result<Vec<u8>, RepoIoError> {
        self.get_bytes_named(url, TransferKind::Index, url)
    }

    /// The body of `url`, in memory, reported as a transfer of `kind` called `name`.
    pub fn get_bytes_named(
        &self,
        url: &str,
        kind: TransferKind,
        name: &str,
    ) -> Result<Vec<u8>, RepoIoError> {
        let mut rep = Reporter::new(self.observer.as_ref(), kind, Direction::Download, name);
        rep.start(None);
        let result = self.send(url).and_then(|resp| {
            rep.sized(resp.content_length());
            read_body(resp, url, self.limit(), &rep)
        });
        rep.end(result, |b| b.len() as u64)
    }

    /// Streams `url` into a temporary file beside `dest`, checks the sha256 against
    /// `expected_digest` (when not empty), then renames it to `dest`. Returns the digest.
    /// Reported as a chart (a provenance file when `dest` ends in `.prov`) named by the file.
    pub fn download_to(
        &self,
        url: &str,
        dest: &Path,
        expected_digest: &str,
    ) -> Result<String, RepoIoError> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| url.to_string());
        let kind = if name.ends_with(".prov") {
            TransferKind::Provenance
        } else {
            TransferKind::Chart
        };
        let mut rep = Reporter::new(self.observer.as_ref(), kind, Direction::Download, &name);
        rep.start(None);
        let result = self.send(url).and_then(|resp| {
            rep.sized(resp.content_length());
            stream_to_file_reporting(resp, url, dest, expected_digest, self.limit(), &rep)
        });
        rep.end(result, |(_, n)| *n).map(|(digest, _)| digest)
    }
}

/// Reads a whole body into memory, refusing more than `limit` bytes, reporting as it goes.
fn read_body(
    mut resp: reqwest::blocking::Response,
    url: &str,
    limit: u64,
    rep: &Reporter,
) -> Result<Vec<u8>, RepoIoError> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = resp.read(&mut buf).map_err(|e| RepoIoError::Http {
            url: url.into(),
            message: e.to_string(),
        })?;
        if n == 0 {
            return Ok(out);
        }
        if (out.len() + n) as u64 > limit {
            return Err(RepoIoError::TooLarge {
                url: url.into(),
                limit,
            });
        }
        out.extend_from_slice(&buf[..n]);
        rep.advance(out.len() as u64);
    }
}

/// Streams a response body into a temporary file beside `dest`, refusing more than `limit`
/// bytes, checks the sha256 against `expected_digest` (`sha256:` prefix optional; empty means
/// unchecked), then renames it to `dest`. Returns the hex digest.
pub fn stream_to_file(
    resp: reqwest::blocking::Response,
    url: &str,
    dest: &Path,
    expected_digest: &str,
    limit: u64,
) -> Result<String, RepoIoError> {
    let silent = Reporter::new(None, TransferKind::Chart, Direction::Download, "");
    stream_to_file_reporting(resp, url, dest, expected_digest, limit, &silent).map(|(d, _)| d)
}

/// [`stream_to_file`], reporting the bytes as they arrive; returns the digest and the size.
pub(crate) fn stream_to_file_reporting(
    mut resp: reqwest::blocking::Response,
    url: &str,
    dest: &Path,
    expected_digest: &str,
    limit: u64,
    rep: &Reporter,
) -> Result<(String, u64), RepoIoError> {
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| RepoIoError::Io {
        path: dir.into(),
        source: e,
    })?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".helm-rs-download-")
        .tempfile_in(dir)
        .map_err(|e| RepoIoError::Io {
            path: dir.into(),
            source: e,
        })?;
    let mut hasher = sha2::Sha256::new();
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = resp.read(&mut buf).map_err(|e| RepoIoError::Http {
            url: url.into(),
            message: e.to_string(),
        })?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limit {
            return Err(RepoIoError::TooLarge {
                url: url.into(),
                limit,
            });
        }
        hasher.update(&buf[..n]);
        tmp.write_all(&buf[..n]).map_err(|e| RepoIoError::Io {
            path: tmp.path().into(),
            source: e,
        })?;
        rep.advance(total);
    }
    let actual = hex::encode(hasher.finalize());
    let expected = expected_digest.trim_start_matches("sha256:");
    if !expected.is_empty() && !expected.eq_ignore_ascii_case(&actual) {
        return Err(RepoIoError::Digest {
            url: url.into(),
            expected: expected.into(),
            actual,
        });
    }
    tmp.as_file().sync_all().map_err(|e| RepoIoError::Io {
        path: tmp.path().into(),
        source: e,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(dest).map_err(|e| RepoIoError::Io {
        path: dest.into(),
        source: e.error,
    })?;
    Ok((actual, total))
}

/// A reqwest error with its causes (`error sending request: ... : connection refused`).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}
