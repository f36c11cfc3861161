//! The OCI distribution protocol, as much of it as Helm charts need: tags, manifests, blobs,
//! monolithic uploads, and the Basic / Bearer-token challenge flow of registries.
//!
//! Blocking and on the same reqwest client (and TLS options) as the HTTP getter, so `pull`,
//! `push` and `dependency update` share one transport. Media types, manifests and tag
//! selection are `helm_core::repo::oci`.

use super::http::{
    build_client, error_chain, stream_to_file_reporting, HttpOptions, DEFAULT_MAX_BYTES,
};
use super::progress::{CountingBody, Direction, Reporter, TransferKind, TransferObserver};
use super::RepoIoError;
use helm_core::repo::oci::{self as core_oci, Descriptor, Reference};
use helm_core::values::{json, Value};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// A connection to one registry.
pub struct Registry {
    http: reqwest::blocking::Client,
    base: String,
    host: String,
    credentials: Option<(String, String)>,
    token: RefCell<Option<String>>,
    observer: Option<TransferObserver>,
}

fn http_err(url: &str, e: reqwest::Error) -> RepoIoError {
    RepoIoError::Http {
        url: url.into(),
        message: error_chain(&e),
    }
}

/// Reads the credentials stored by `registry login` for `host`.
pub fn stored_credentials(config_file: &Path, host: &str) -> Option<(String, String)> {
    let text = std::fs::read_to_string(config_file).ok()?;
    core_oci::credentials::get(&text, host)
}

impl Registry {
    /// `plain_http` selects `http://` (Helm's `--plain-http`); otherwise HTTPS with `tls`.
    pub fn new(
        host: &str,
        plain_http: bool,
        tls: &HttpOptions,
        credentials: Option<(String, String)>,
    ) -> Result<Registry, RepoIoError> {
        Ok(Registry {
            http: build_client(tls)?,
            base: format!("{}://{host}", if plain_http { "http" } else { "https" }),
            host: host.to_string(),
            credentials,
            token: RefCell::new(None),
            observer: None,
        })
    }

    /// The same connection, reporting chart and provenance blobs moving to `observer`.
    pub fn with_observer(mut self, observer: Option<TransferObserver>) -> Registry {
        self.observer = observer;
        self
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Sends a request built by `make`, answering one 401 challenge (Basic with the stored
    /// credentials, or Bearer with a token from the realm).
    fn send(
        &self,
        url: &str,
        make: &dyn Fn(&reqwest::blocking::Client) -> reqwest::blocking::RequestBuilder,
    ) -> Result<reqwest::blocking::Response, RepoIoError> {
        let with_auth =
            |rb: reqwest::blocking::RequestBuilder| -> reqwest::blocking::RequestBuilder {
                if let Some(t) = self.token.borrow().as_ref() {
                    rb.bearer_auth(t)
                } else if let Some((u, p)) = &self.credentials {
                    rb.basic_auth(u, Some(p))
                } else {
                    rb
                }
            };
        let resp = with_auth(make(&self.http))
            .send()
            .map_err(|e| http_err(url, e))?;
        if resp.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        let challenge = resp
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if challenge.to_ascii_lowercase().starts_with("bearer") {
            let token = self.fetch_token(&challenge)?;
            *self.token.borrow_mut() = Some(token);
        } else if self.credentials.is_none() {
            return Err(RepoIoError::Status {
                url: url.into(),
                status: "401 Unauthorized".into(),
            });
        }
        with_auth(make(&self.http))
            .send()
            .map_err(|e| http_err(url, e))
    }

    fn fetch_token(&self, challenge: &str) -> Result<String, RepoIoError> {
        let params = parse_challenge(challenge);
        let realm = params
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut url = url::Url::parse(&realm)
            .map_err(|e| RepoIoError::Other(format!("invalid token realm {realm:?}: {e}")))?;
        for (k, v) in &params {
            if k == "service" || k == "scope" {
                url.query_pairs_mut().append_pair(k, v);
            }
        }
        let mut rb = self.http.get(url.as_str());
        if let Some((u, p)) = &self.credentials {
            rb = rb.basic_auth(u, Some(p));
        }
        let resp = rb.send().map_err(|e| http_err(url.as_str(), e))?;
        let resp = check(resp, url.as_str())?;
        let body = resp.text().map_err(|e| http_err(url.as_str(), e))?;
        let v = json::from_str(&body)
            .map_err(|e| RepoIoError::Other(format!("token response: {e}")))?;
        let m = v.as_map().cloned().unwrap_or_default();
        m.get("token")
            .or_else(|| m.get("access_token"))
            .and_then(|t| t.as_str().map(str::to_string))
            .ok_or_else(|| RepoIoError::Other("token response has no token".into()))
    }

    /// `GET /v2/`: checks that the registry answers and the credentials are accepted.
    pub fn ping(&self) -> Result<(), RepoIoError> {
        let url = self.url("/v2/");
        let resp = self.send(&url, &|c| c.get(&url))?;
        check(resp, &url).map(|_| ())
    }

    /// The tags of `repository`.
    pub fn tags(&self, repository: &str) -> Result<Vec<String>, RepoIoError> {
        let url = self.url(&format!("/v2/{repository}/tags/list"));
        let resp = check(self.send(&url, &|c| c.get(&url))?, &url)?;
        let body = resp.text().map_err(|e| http_err(&url, e))?;
        let v = json::from_str(&body).map_err(|e| RepoIoError::Other(format!("{url}: {e}")))?;
        Ok(v.as_map()
            .and_then(|m| m.get("tags"))
            .and_then(|t| {
                t.as_list().map(|l| {
                    l.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
            })
            .unwrap_or_default())
    }

    /// The manifest at `reference` (a tag or digest): its bytes and `sha256:` digest.
    pub fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<(Vec<u8>, String), RepoIoError> {
        let url = self.url(&format!("/v2/{repository}/manifests/{reference}"));
        let resp = check(
            self.send(&url, &|c| {
                c.get(&url)
                    .header(reqwest::header::ACCEPT, core_oci::MANIFEST_MEDIA_TYPE)
            })?,
            &url,
        )?;
        let body = resp.bytes().map_err(|e| http_err(&url, e))?.to_vec();
        if body.len() as u64 > 4 * 1024 * 1024 {
            return Err(RepoIoError::TooLarge {
                url,
                limit: 4 * 1024 * 1024,
            });
        }
        let digest = Descriptor::of("", &body).digest;
        if reference.starts_with("sha256:") && reference != digest {
            return Err(RepoIoError::Digest {
                url,
                expected: reference.into(),
                actual: digest,
            });
        }
        Ok((body, digest))
    }

    /// Streams the blob `d` to `dest` (digest and size checked), reported as a chart (or a
    /// provenance file, by its media type) named by the file.
    pub fn blob_to_file(
        &self,
        repository: &str,
        d: &Descriptor,
        dest: &Path,
    ) -> Result<(), RepoIoError> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = if d.media_type == core_oci::PROV_LAYER_MEDIA_TYPE {
            TransferKind::Provenance
        } else {
            TransferKind::Chart
        };
        let mut rep = Reporter::new(self.observer.as_ref(), kind, Direction::Download, &name);
        rep.start((d.size > 0).then_some(d.size));
        let url = self.url(&format!("/v2/{repository}/blobs/{}", d.digest));
        let result = self
            .send(&url, &|c| c.get(&url))
            .and_then(|resp| check(resp, &url))
            .and_then(|resp| {
                let limit = if d.size > 0 {
                    d.size.min(DEFAULT_MAX_BYTES)
                } else {
                    rep.sized(resp.content_length());
                    DEFAULT_MAX_BYTES
                };
                stream_to_file_reporting(resp, &url, dest, &d.digest, limit, &rep)
            });
        rep.end(result, |(_, n)| *n).map(|_| ())
    }

    pub fn blob(&self, repository: &str, d: &Descriptor) -> Result<Vec<u8>, RepoIoError> {
        let url = self.url(&format!("/v2/{repository}/blobs/{}", d.digest));
        let resp = check(self.send(&url, &|c| c.get(&url))?, &url)?;
        let body = resp.bytes().map_err(|e| http_err(&url, e))?.to_vec();
        if Descriptor::of("", &body).digest != d.digest {
            return Err(RepoIoError::Digest {
                url,
                expected: d.digest.clone(),
                actual: Descriptor::of("", &body).digest,
            });
        }
        Ok(body)
    }

    /// Uploads `data` unless the registry has it already (monolithic upload).
    pub fn push_blob(&self, repository: &str, data: &[u8]) -> Result<Descriptor, RepoIoError> {
        let silent = Reporter::new(None, TransferKind::Chart, Direction::Upload, "");
        self.upload_blob(repository, data, silent)
    }

    /// [`Registry::push_blob`], reported to the registry's observer as a transfer of `kind`
    /// called `name`.
    pub fn push_blob_named(
        &self,
        repository: &str,
        data: &[u8],
        kind: TransferKind,
        name: &str,
    ) -> Result<Descriptor, RepoIoError> {
        let rep = Reporter::new(self.observer.as_ref(), kind, Direction::Upload, name);
        self.upload_blob(repository, data, rep)
    }

    fn upload_blob(
        &self,
        repository: &str,
        data: &[u8],
        mut rep: Reporter,
    ) -> Result<Descriptor, RepoIoError> {
        let size = data.len() as u64;
        rep.start(Some(size));
        let result = self.upload_blob_reporting(repository, data, &rep);
        match result {
            Ok((d, false)) => {
                rep.skip(size, "already in the registry");
                Ok(d)
            }
            other => rep.end(other, |_| size).map(|(d, _)| d),
        }
    }

    /// The upload itself; the flag tells whether bytes were sent (false: the blob was there).
    fn upload_blob_reporting(
        &self,
        repository: &str,
        data: &[u8],
        rep: &Reporter,
    ) -> Result<(Descriptor, bool), RepoIoError> {
        let d = Descriptor::of("", data);
        let head = self.url(&format!("/v2/{repository}/blobs/{}", d.digest));
        if self.send(&head, &|c| c.head(&head))?.status().is_success() {
            return Ok((d, false));
        }
        let start = self.url(&format!("/v2/{repository}/blobs/uploads/"));
        let resp = check(
            self.send(&start, &|c| {
                c.post(&start).header(reqwest::header::CONTENT_LENGTH, "0")
            })?,
            &start,
        )?;
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| RepoIoError::Other(format!("{start}: no upload location")))?
            .to_string();
        let loc = self.url(&location);
        let sep = if loc.contains('?') { '&' } else { '?' };
        let put = format!("{loc}{sep}digest={}", d.digest);
        let body = std::sync::Arc::new(data.to_vec());
        check(
            self.send(&put, &|c| {
                c.put(&put)
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(CountingBody::body(body.clone(), rep))
            })?,
            &put,
        )?;
        Ok((d, true))
    }

    /// Puts a manifest under `tag`; returns its digest.
    pub fn push_manifest(
        &self,
        repository: &str,
        tag: &str,
        manifest: &[u8],
    ) -> Result<String, RepoIoError> {
        let url = self.url(&format!("/v2/{repository}/manifests/{tag}"));
        let body = manifest.to_vec();
        check(
            self.send(&url, &|c| {
                c.put(&url)
                    .header(reqwest::header::CONTENT_TYPE, core_oci::MANIFEST_MEDIA_TYPE)
                    .body(body.clone())
            })?,
            &url,
        )?;
        Ok(Descriptor::of("", manifest).digest)
    }

    pub fn host(&self) -> &str {
        &self.host
    }
}

fn check(
    resp: reqwest::blocking::Response,
    url: &str,
) -> Result<reqwest::blocking::Response, RepoIoError> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let s = resp.status();
    let body = resp.text().unwrap_or_default();
    let status = format!("{} {}", s.as_u16(), s.canonical_reason().unwrap_or(""));
    let status = if body.trim().is_empty() {
        status.trim_end().to_string()
    } else {
        format!("{}: {}", status.trim_end(), body.trim())
    };
    Err(RepoIoError::Status {
        url: url.into(),
        status,
    })
}

/// `key="value"` pairs of a `WWW-Authenticate` challenge.
fn parse_challenge(h: &str) -> Vec<(String, String)> {
    let rest = h.split_once(' ').map(|(_, r)| r).unwrap_or("");
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_string();
        if key.is_empty() {
            break;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                val.push(c);
            }
            while chars.peek().is_some_and(|c| *c == ',' || *c == ' ') {
                chars.next();
            }
        } else {
            val = chars.by_ref().take_while(|c| *c != ',').collect();
        }
        out.push((key, val));
    }
    out
}

/// What a pull or push did, for Helm's `Pulled:`/`Pushed:` and `Digest:` lines.
pub struct OciResult {
    pub reference: String,
    pub digest: String,
    pub path: PathBuf,
    pub version: String,
}

/// Options of a registry operation.
#[derive(Clone, Debug, Default)]
pub struct OciOptions {
    pub plain_http: bool,
    pub tls: HttpOptions,
    /// The registry config file (`HELM_REGISTRY_CONFIG`) with stored credentials.
    pub registry_config: PathBuf,
}

fn connect(
    r: &Reference,
    o: &OciOptions,
    observer: Option<TransferObserver>,
) -> Result<Registry, RepoIoError> {
    let creds = if !o.tls.username.is_empty() {
        Some((o.tls.username.clone(), o.tls.password.clone()))
    } else {
        stored_credentials(&o.registry_config, &r.registry)
    };
    Ok(Registry::new(&r.registry, o.plain_http, &o.tls, creds)?.with_observer(observer))
}

/// `helm pull oci://…`: resolves the tag (exact, `@digest`, or the newest matching `version`),
/// and streams the chart layer into `dir/<name>-<version>.tgz`.
pub fn pull_chart(
    reference: &str,
    version: &str,
    dir: &Path,
    o: &OciOptions,
) -> Result<OciResult, RepoIoError> {
    pull_chart_observed(reference, version, dir, o, None)
}

/// [`pull_chart`], reporting the chart layer's download to `observer`.
pub fn pull_chart_observed(
    reference: &str,
    version: &str,
    dir: &Path,
    o: &OciOptions,
    observer: Option<TransferObserver>,
) -> Result<OciResult, RepoIoError> {
    let r = Reference::parse(reference)?;
    let reg = connect(&r, o, observer)?;
    let (tag, manifest_ref) = if !r.digest.is_empty() {
        (r.tag.clone(), r.digest.clone())
    } else if !r.tag.is_empty() {
        if !version.is_empty() && version != r.tag {
            return Err(RepoIoError::Other(format!(
                "chart reference and version mismatch: {} is not {version}",
                r.tag
            )));
        }
        (r.tag.clone(), r.tag.clone())
    } else {
        let tags = reg.tags(&r.repository)?;
        let v = core_oci::select_tag(&tags, version)?;
        let t = core_oci::version_to_tag(&v);
        (v, t)
    };
    let (manifest, digest) = reg.manifest(&r.repository, &manifest_ref)?;
    let (layer, _prov) = core_oci::chart_layers(&manifest)?;
    if tag.is_empty() {
        // Pulled by digest alone: Helm names the file and the reference by the digest.
        let version = core_oci_config_version(&reg, &r, &manifest)?;
        let dest = dir.join(format!(
            "{}@{}.tgz",
            r.chart_name(),
            r.digest.replace(':', "-")
        ));
        reg.blob_to_file(&r.repository, &layer, &dest)?;
        let reference = format!("{}/{}@{}", r.registry, r.repository, r.digest);
        return Ok(OciResult {
            reference,
            digest,
            path: dest,
            version,
        });
    }
    let version = tag.replace('_', "+");
    let dest = dir.join(format!("{}-{version}.tgz", r.chart_name()));
    reg.blob_to_file(&r.repository, &layer, &dest)?;
    Ok(OciResult {
        reference: r.display_with_tag(&core_oci::version_to_tag(&version)),
        digest,
        path: dest,
        version,
    })
}

fn core_oci_config_version(
    reg: &Registry,
    r: &Reference,
    manifest: &[u8],
) -> Result<String, RepoIoError> {
    let v = json::from_str(&String::from_utf8_lossy(manifest))
        .map_err(|e| RepoIoError::Other(e.to_string()))?;
    let cfg = v
        .as_map()
        .and_then(|m| m.get("config"))
        .and_then(|c| c.as_map().cloned())
        .unwrap_or_default();
    let d = Descriptor {
        media_type: cfg
            .get("mediaType")
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default(),
        digest: cfg
            .get("digest")
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default(),
        size: 0,
    };
    let blob = reg.blob(&r.repository, &d)?;
    let c = json::from_str(&String::from_utf8_lossy(&blob))
        .map_err(|e| RepoIoError::Other(e.to_string()))?;
    Ok(c.as_map()
        .and_then(|m| m.get("version"))
        .and_then(|x| match x {
            Value::String(s) => Some(s.to_string()),
            _ => None,
        })
        .unwrap_or_default())
}

/// A plugin pulled from a registry (`helm plugin install oci://…`): its archive, the
/// provenance beside it when the artifact has one, and the manifest's digest.
#[derive(Debug)]
pub struct PluginPull {
    pub archive: Vec<u8>,
    pub provenance: Option<Vec<u8>>,
    pub digest: String,
}

/// Pulls the plugin at `reference` (`oci://host/path/NAME:TAG` or `@sha256:…`; a tag or
/// digest is required, as for Helm): the manifest must be a plugin artifact with a layer
/// titled `NAME-VERSION.tgz`. Errors read as Helm's registry client words them.
pub fn pull_plugin(reference: &str, o: &OciOptions) -> Result<PluginPull, RepoIoError> {
    let r = Reference::parse(reference)?;
    let fetch = |what: String| {
        RepoIoError::Other(format!(
            "failed to perform \"FetchReference\" on source: {what}"
        ))
    };
    let manifest_ref = if !r.digest.is_empty() {
        r.digest.clone()
    } else if !r.tag.is_empty() {
        r.tag.clone()
    } else {
        return Err(fetch("invalid reference".into()));
    };
    let reg = connect(&r, o, None)?;
    let (manifest, digest) = reg
        .manifest(&r.repository, &manifest_ref)
        .map_err(|e| match &e {
            RepoIoError::Status { status, .. } if status.starts_with("404") => {
                let sep = if r.digest.is_empty() { ':' } else { '@' };
                fetch(format!(
                    "{}/{}{sep}{manifest_ref}: not found",
                    r.registry, r.repository
                ))
            }
            _ => e,
        })?;
    let layers = core_oci::plugin_layers(&manifest, r.chart_name())?;
    let blob = |d: &Descriptor| -> Result<Vec<u8>, RepoIoError> {
        if !core_oci::plugin_layer_copied(&d.media_type) {
            return Err(RepoIoError::Other(format!(
                "unable to retrieve plugin data with digest {}: {}: {}: not found",
                d.digest, d.digest, d.media_type
            )));
        }
        reg.blob(&r.repository, d)
    };
    let archive = blob(&layers.archive)?;
    let provenance = match &layers.provenance {
        Some((d, _)) => Some(blob(d)?),
        None => None,
    };
    Ok(PluginPull {
        archive,
        provenance,
        digest,
    })
}

/// `helm push CHART.tgz oci://host/path`: uploads config, chart (and `.prov` when given) and a
/// manifest tagged with the chart version under `path/<chart name>`.
pub fn push_chart(
    archive: &Path,
    prov: Option<&Path>,
    remote: &str,
    o: &OciOptions,
) -> Result<OciResult, RepoIoError> {
    push_chart_observed(archive, prov, remote, o, None)
}

/// [`push_chart`], reporting the uploads of the chart and provenance layers (named by their
/// files) to `observer`; the small config blob and manifest are not reported.
pub fn push_chart_observed(
    archive: &Path,
    prov: Option<&Path>,
    remote: &str,
    o: &OciOptions,
    observer: Option<TransferObserver>,
) -> Result<OciResult, RepoIoError> {
    let data = std::fs::read(archive).map_err(|e| RepoIoError::Io {
        path: archive.into(),
        source: e,
    })?;
    let chart = helm_core::chart::load_archive_bytes(&data)
        .map_err(|e| RepoIoError::Other(e.to_string()))?;
    let md = &chart.metadata;
    let base = Reference::parse(&format!("{}/{}", remote.trim_end_matches('/'), md.name))?;
    if !Reference::parse(remote)
        .map(|r| r.tag.is_empty() && r.digest.is_empty())
        .unwrap_or(true)
    {
        return Err(RepoIoError::Other(
            "--version flag or tag in the remote reference is not supported by push".into(),
        ));
    }
    let reg = connect(&base, o, observer)?;
    let config = core_oci::config_blob(md);
    let mut cfg_d = reg.push_blob(&base.repository, &config)?;
    cfg_d.media_type = core_oci::CONFIG_MEDIA_TYPE.into();
    let file_name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut layer = reg.push_blob_named(
        &base.repository,
        &data,
        TransferKind::Chart,
        &file_name(archive),
    )?;
    layer.media_type = core_oci::CHART_LAYER_MEDIA_TYPE.into();
    let mut layers = vec![layer];
    if let Some(p) = prov {
        let pd = std::fs::read(p).map_err(|e| RepoIoError::Io {
            path: p.into(),
            source: e,
        })?;
        let mut d = reg.push_blob_named(
            &base.repository,
            &pd,
            TransferKind::Provenance,
            &file_name(p),
        )?;
        d.media_type = core_oci::PROV_LAYER_MEDIA_TYPE.into();
        layers.push(d);
    }
    let modified = std::fs::metadata(archive)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| std::time::SystemTime::now());
    let created = core_oci::created_annotation(modified);
    let manifest = core_oci::manifest_json(&cfg_d, &layers, &core_oci::annotations(md, &created));
    let tag = core_oci::version_to_tag(&md.version);
    let digest = reg.push_manifest(&base.repository, &tag, &manifest)?;
    Ok(OciResult {
        reference: base.display_with_tag(&tag),
        digest,
        path: archive.to_path_buf(),
        version: md.version.clone(),
    })
}

/// `helm registry login HOST`: checks the credentials against the registry, then stores them.
pub fn login(host: &str, user: &str, password: &str, o: &OciOptions) -> Result<(), RepoIoError> {
    let reg = Registry::new(
        host,
        o.plain_http,
        &o.tls,
        Some((user.into(), password.into())),
    )?;
    reg.ping()?;
    let text = std::fs::read_to_string(&o.registry_config).unwrap_or_default();
    let updated = core_oci::credentials::set(&text, host, user, password);
    helm_core::repo::atomic_write(&o.registry_config, updated.as_bytes(), 0o600)?;
    Ok(())
}

/// `helm registry logout HOST`.
pub fn logout(host: &str, o: &OciOptions) -> Result<(), RepoIoError> {
    let text = std::fs::read_to_string(&o.registry_config).unwrap_or_default();
    let updated = core_oci::credentials::remove(&text, host)
        .ok_or_else(|| RepoIoError::Other("not logged in".into()))?;
    helm_core::repo::atomic_write(&o.registry_config, updated.as_bytes(), 0o600)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_bearer_challenges() {
        let p = super::parse_challenge(
            r#"Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(
            p[0],
            ("realm".into(), "https://auth.example.com/token".into())
        );
        assert_eq!(p[1], ("service".into(), "registry".into()));
        assert_eq!(p[2], ("scope".into(), "repository:a/b:pull,push".into()));
    }
}
