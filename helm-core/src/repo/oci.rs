//! Helm charts in OCI registries, the pure part: references, Helm's media types, the manifest
//! and config Helm writes, tag selection, and the registry credentials file.
//!
//! A chart is an OCI image manifest whose config blob is the chart's metadata as JSON
//! (`application/vnd.cncf.helm.config.v1+json`) and whose single layer is the `.tgz`
//! (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`), tagged with the chart version (`+`
//! written as `_`, since tags cannot hold `+`). Helm pulls what has those media types.

use super::RepoError;
use crate::chart::Metadata;
use crate::gocompat::semver::{Constraints, Version};
use crate::values::{json, Map, Value};

pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// `oci://host[:port]/path/name[:tag|@sha256:digest]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
}

impl Reference {
    pub fn parse(reference: &str) -> Result<Reference, RepoError> {
        let rest = reference.strip_prefix("oci://").unwrap_or(reference);
        let (registry, path) = rest.split_once('/').ok_or_else(|| {
            RepoError::Other(format!(
                "invalid reference: missing repository in {reference:?}"
            ))
        })?;
        let (path, digest) = match path.split_once('@') {
            Some((p, d)) => (p, d.to_string()),
            None => (path, String::new()),
        };
        let (repository, tag) = match path.rsplit_once('/') {
            Some((dir, last)) => match last.split_once(':') {
                Some((n, t)) => (format!("{dir}/{n}"), t.to_string()),
                None => (path.to_string(), String::new()),
            },
            None => match path.split_once(':') {
                Some((n, t)) => (n.to_string(), t.to_string()),
                None => (path.to_string(), String::new()),
            },
        };
        if registry.is_empty() || repository.is_empty() || repository.ends_with('/') {
            return Err(RepoError::Other(format!(
                "invalid reference: {reference:?}"
            )));
        }
        if !digest.is_empty() && !digest.starts_with("sha256:") {
            return Err(RepoError::Other(format!(
                "invalid reference: unsupported digest in {reference:?}"
            )));
        }
        Ok(Reference {
            registry: registry.into(),
            repository,
            tag,
            digest,
        })
    }

    /// `host/repo:tag` as Helm prints it after `Pulled:` / `Pushed:`.
    pub fn display_with_tag(&self, tag: &str) -> String {
        format!("{}/{}:{}", self.registry, self.repository, tag)
    }

    /// The chart name: the last path element of the repository.
    pub fn chart_name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }
}

/// A chart version as an OCI tag (`+` is not allowed in tags).
pub fn version_to_tag(v: &str) -> String {
    v.replace('+', "_")
}

/// `GetTagMatchingVersionOrConstraint`: an exact tag, else the newest semver tag that matches
/// `version` (`""` meaning any stable version).
pub fn select_tag(tags: &[String], version: &str) -> Result<String, RepoError> {
    let mut versions: Vec<(Version, String)> = tags
        .iter()
        .filter_map(|t| {
            let v = t.replace('_', "+");
            Version::parse(&v).ok().map(|p| (p, v))
        })
        .collect();
    versions.sort_by(|a, b| b.0.compare(&a.0).cmp(&0));
    if !version.is_empty() {
        if let Some((_, v)) = versions.iter().find(|(_, v)| v == version) {
            return Ok(v.clone());
        }
    }
    let c = Constraints::parse(if version.is_empty() { "*" } else { version })
        .map_err(RepoError::BadConstraint)?;
    versions
        .into_iter()
        .find(|(p, _)| c.check(p))
        .map(|(_, v)| v)
        .ok_or_else(|| {
            RepoError::Other(format!(
                "could not locate a version matching provided version string {version}"
            ))
        })
}

/// The config blob Helm pushes: `json.Marshal(chart.Metadata)`, keys in the Go struct's order.
pub fn config_blob(md: &Metadata) -> Vec<u8> {
    use crate::chart::metadata::{DEPENDENCY_FIELDS, MAINTAINER_FIELDS, METADATA_FIELDS};
    let child = |k: &str| -> Option<&'static [&'static str]> {
        match k {
            "maintainers" => Some(MAINTAINER_FIELDS),
            "dependencies" => Some(DEPENDENCY_FIELDS),
            _ => None,
        }
    };
    go_struct_json(&md.to_json_value(), METADATA_FIELDS, &child).into_bytes()
}

/// `json.Marshal` of a Go struct given as a map: keys in the struct's field `order` (unknown
/// keys after, sorted), lists under keys that `child` names serialized with that order.
pub fn go_struct_json(
    v: &Value,
    order: &[&str],
    child: &dyn Fn(&str) -> Option<&'static [&'static str]>,
) -> String {
    let Some(m) = v.as_map() else {
        return json::to_string(v);
    };
    let mut parts = Vec::new();
    let mut keys: Vec<String> = order.iter().map(|k| k.to_string()).collect();
    keys.extend(
        m.keys()
            .into_iter()
            .map(|k| k.to_string())
            .filter(|k| !order.contains(&k.as_str())),
    );
    for k in keys {
        let Some(val) = m.get(&k) else { continue };
        let mut key = String::new();
        json::write_string(&mut key, &k, true);
        let text = match (child(&k), &val) {
            (Some(o), Value::List(items)) => {
                format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| go_struct_json(i, o, &|_| None))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
            _ => json::to_string(&val),
        };
        parts.push(format!("{key}:{text}"));
    }
    format!("{{{}}}", parts.join(","))
}

/// `created` as Helm sets it: the chart archive's modification time, RFC 3339 in local time
/// (`Z` for UTC), whole seconds.
pub fn created_annotation(modified: std::time::SystemTime) -> String {
    let t: chrono::DateTime<chrono::Local> = modified.into();
    let s = t.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    match s.strip_suffix("+00:00") {
        Some(base) => format!("{base}Z"),
        None => s,
    }
}

/// Helm's manifest annotations for a chart (`generateOCIAnnotations`).
pub fn annotations(md: &Metadata, created: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: &str| {
        if !v.trim().is_empty() {
            out.push((k.to_string(), v.to_string()));
        }
    };
    put("org.opencontainers.image.description", &md.description);
    put("org.opencontainers.image.title", &md.name);
    put("org.opencontainers.image.version", &md.version);
    put("org.opencontainers.image.url", &md.home);
    put("org.opencontainers.image.created", created);
    if let Some(s) = md.sources.first() {
        put("org.opencontainers.image.source", s);
    }
    let authors: Vec<String> = md
        .maintainers
        .iter()
        .map(|m| {
            if m.email.is_empty() {
                m.name.clone()
            } else {
                format!("{} ({})", m.name, m.email)
            }
        })
        .collect();
    put("org.opencontainers.image.authors", &authors.join(", "));
    for (k, v) in md.annotations.iter().flatten() {
        if !out.iter().any(|(ok, _)| ok == k) {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

/// A content descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

impl Descriptor {
    pub fn of(media_type: &str, data: &[u8]) -> Descriptor {
        use sha2::Digest;
        Descriptor {
            media_type: media_type.into(),
            digest: format!("sha256:{}", hex::encode(sha2::Sha256::digest(data))),
            size: data.len() as u64,
        }
    }
    fn to_json(&self) -> String {
        let mut s = String::from("{\"mediaType\":");
        json::write_string(&mut s, &self.media_type, true);
        s.push_str(",\"digest\":");
        json::write_string(&mut s, &self.digest, true);
        s.push_str(&format!(",\"size\":{}}}", self.size));
        s
    }
}

/// The image manifest JSON for a chart (config, layers, annotations), byte for byte as Helm
/// writes it (no top-level `mediaType`, descriptor keys mediaType/digest/size).
pub fn manifest_json(
    config: &Descriptor,
    layers: &[Descriptor],
    annotations: &[(String, String)],
) -> Vec<u8> {
    let mut s = String::from("{\"schemaVersion\":2,\"config\":");
    s.push_str(&config.to_json());
    s.push_str(",\"layers\":[");
    s.push_str(
        &layers
            .iter()
            .map(Descriptor::to_json)
            .collect::<Vec<_>>()
            .join(","),
    );
    s.push(']');
    if !annotations.is_empty() {
        let m = Map::new();
        for (k, v) in annotations {
            m.insert(k.as_str(), Value::str(v));
        }
        s.push_str(",\"annotations\":");
        s.push_str(&json::to_string(&Value::Map(m)));
    }
    s.push('}');
    s.into_bytes()
}

/// The chart (and provenance) layers of a manifest; an error when it is not a Helm chart.
pub fn chart_layers(manifest: &[u8]) -> Result<(Descriptor, Option<Descriptor>), RepoError> {
    let v = json::from_str(&String::from_utf8_lossy(manifest))
        .map_err(|e| RepoError::Other(format!("invalid OCI manifest: {e}")))?;
    let desc = |d: &Value| -> Option<Descriptor> {
        let m = d.as_map()?;
        Some(Descriptor {
            media_type: m.get("mediaType")?.as_str()?.to_string(),
            digest: m.get("digest")?.as_str()?.to_string(),
            // JSON numbers read as Go reads them into interface{}: float64.
            size: m
                .get("size")
                .and_then(|s| s.as_i64().or_else(|| s.as_f64().map(|f| f as i64)))
                .unwrap_or(0)
                .max(0) as u64,
        })
    };
    let layers: Vec<Descriptor> = v
        .as_map()
        .and_then(|m| m.get("layers"))
        .and_then(|l| l.as_list().map(|l| l.iter().filter_map(desc).collect()))
        .unwrap_or_default();
    let chart = layers
        .iter()
        .find(|l| l.media_type == CHART_LAYER_MEDIA_TYPE)
        .cloned()
        .ok_or_else(|| {
            RepoError::Other(format!(
                "manifest does not contain a layer with mediatype {CHART_LAYER_MEDIA_TYPE}"
            ))
        })?;
    let prov = layers
        .iter()
        .find(|l| l.media_type == PROV_LAYER_MEDIA_TYPE)
        .cloned();
    Ok((chart, prov))
}

/// The artifact type of a Helm plugin in a registry (the manifest's `artifactType`, or its
/// config's media type in manifests from before OCI 1.1).
pub const PLUGIN_ARTIFACT_TYPE: &str = "application/vnd.helm.plugin.v1+json";

/// The layer media types a plugin pull copies (others, such as the empty config, are skipped,
/// so a plugin archive under another media type is never found).
const PLUGIN_LAYER_MEDIA_TYPES: [&str; 2] = [
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
];

/// The layers of a plugin artifact: the archive (titled `NAME-VERSION.tgz`) and its
/// provenance (`NAME-VERSION.tgz.prov`) with that title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginLayers {
    pub archive: Descriptor,
    pub provenance: Option<(Descriptor, String)>,
}

/// Finds the plugin `name`'s layers in a manifest, with Helm's errors for a manifest that is
/// not a plugin's or lacks the archive.
pub fn plugin_layers(manifest: &[u8], name: &str) -> Result<PluginLayers, RepoError> {
    let v = json::from_str(&String::from_utf8_lossy(manifest))
        .map_err(|e| RepoError::Other(format!("unable to parse manifest: {e}")))?;
    let m = v.as_map().cloned().unwrap_or_default();
    let text = |v: Option<Value>| {
        v.and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let artifact_type = text(m.get("artifactType"));
    let config_type = text(
        m.get("config")
            .and_then(|c| c.as_map().and_then(|c| c.get("mediaType"))),
    );
    if !artifact_type.is_empty() && artifact_type != PLUGIN_ARTIFACT_TYPE {
        return Err(RepoError::Other(format!(
            "expected artifact type {PLUGIN_ARTIFACT_TYPE}, got {artifact_type}"
        )));
    }
    if artifact_type.is_empty() && config_type != PLUGIN_ARTIFACT_TYPE {
        return Err(RepoError::Other(format!(
            "expected config media type {PLUGIN_ARTIFACT_TYPE} for legacy compatibility, got {config_type}"
        )));
    }
    let mut archive = None;
    let mut provenance = None;
    let prefix = format!("{name}-");
    for layer in m
        .get("layers")
        .and_then(|l| l.as_list().map(<[Value]>::to_vec))
        .unwrap_or_default()
    {
        let Some(l) = layer.as_map() else { continue };
        let title = text(l.get("annotations").and_then(|a| {
            a.as_map()
                .and_then(|a| a.get("org.opencontainers.image.title"))
        }));
        if title.is_empty() || !title.starts_with(&prefix) {
            continue;
        }
        let d = Descriptor {
            media_type: text(l.get("mediaType")),
            digest: text(l.get("digest")),
            size: l
                .get("size")
                .and_then(|s| s.as_i64().or_else(|| s.as_f64().map(|f| f as i64)))
                .unwrap_or(0)
                .max(0) as u64,
        };
        if archive.is_none() && title.ends_with(".tgz") {
            archive = Some(d.clone());
        }
        if provenance.is_none() && title.ends_with(".tgz.prov") {
            provenance = Some((d, title));
        }
    }
    let archive = archive.ok_or_else(|| {
        RepoError::Other(format!(
            "required layer matching pattern {name}-VERSION.tgz not found in manifest"
        ))
    })?;
    Ok(PluginLayers {
        archive,
        provenance,
    })
}

/// Whether a plugin pull copies a layer of this media type at all.
pub fn plugin_layer_copied(media_type: &str) -> bool {
    PLUGIN_LAYER_MEDIA_TYPES.contains(&media_type)
}

/// The registry credentials file (Docker's `config.json`): `{"auths":{host:{"auth":b64}}}`.
pub mod credentials {
    use super::*;
    use base64::Engine;

    fn load(data: &str) -> Map {
        match json::from_str(data) {
            Ok(Value::Map(m)) => m,
            _ => Map::new(),
        }
    }

    /// The `user:password` stored for `host`, if any.
    pub fn get(config: &str, host: &str) -> Option<(String, String)> {
        let m = load(config);
        let auths = m.get("auths")?;
        let entry = auths.as_map()?.get(host)?;
        let auth = entry.as_map()?.get("auth")?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(auth.as_str()?)
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (u, p) = text.split_once(':')?;
        Some((u.to_string(), p.to_string()))
    }

    /// The file with `host`'s credentials set (other keys kept).
    pub fn set(config: &str, host: &str, user: &str, password: &str) -> String {
        let m = load(config);
        let auths = match m.get("auths") {
            Some(Value::Map(a)) => a,
            _ => Map::new(),
        };
        let e = Map::new();
        e.insert(
            "auth",
            Value::str(
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")),
            ),
        );
        auths.insert(host, Value::Map(e));
        m.insert("auths", Value::Map(auths));
        json::to_string_indent(&Value::Map(m), "", "\t")
    }

    /// The file without `host`; None when it had no credentials for it.
    pub fn remove(config: &str, host: &str) -> Option<String> {
        let m = load(config);
        let Some(Value::Map(auths)) = m.get("auths") else {
            return None;
        };
        auths.remove(host)?;
        m.insert("auths", Value::Map(auths));
        Some(json::to_string_indent(&Value::Map(m), "", "\t"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = Reference::parse("oci://127.0.0.1:5000/charts/mychart:0.1.0").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_str()),
            ("127.0.0.1:5000", "charts/mychart", "0.1.0")
        );
        let r = Reference::parse("oci://localhost:5000/mychart@sha256:abcd").unwrap();
        assert_eq!(
            (r.repository.as_str(), r.tag.as_str(), r.digest.as_str()),
            ("mychart", "", "sha256:abcd")
        );
        assert_eq!(r.chart_name(), "mychart");
        assert!(Reference::parse("oci://host").is_err());
    }

    #[test]
    fn selects_tags_like_helm() {
        let tags: Vec<String> = ["0.1.0", "0.2.0", "0.3.0-rc.1", "1.0.0_build.1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(select_tag(&tags, "").unwrap(), "1.0.0+build.1");
        assert_eq!(select_tag(&tags, "~0.1").unwrap(), "0.1.0");
        assert_eq!(select_tag(&tags, "0.3.0-rc.1").unwrap(), "0.3.0-rc.1");
        assert!(select_tag(&tags, "5").is_err());
    }

    #[test]
    fn layer_sizes_are_read() {
        let manifest = br#"{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:ab","size":4933}]}"#;
        let (chart, prov) = chart_layers(manifest).unwrap();
        assert_eq!(chart.size, 4933);
        assert!(prov.is_none());
    }

    #[test]
    fn config_blob_matches_helm() {
        // The config blob Helm 4.1.4 pushed for `helm create mychart` packaged.
        let md = Metadata {
            name: "mychart".into(),
            version: "0.1.0".into(),
            description: "A Helm chart for Kubernetes".into(),
            api_version: "v2".into(),
            app_version: "1.16.0".into(),
            chart_type: "application".into(),
            ..Default::default()
        };
        assert_eq!(
            String::from_utf8(config_blob(&md)).unwrap(),
            r#"{"name":"mychart","version":"0.1.0","description":"A Helm chart for Kubernetes","apiVersion":"v2","appVersion":"1.16.0","type":"application"}"#
        );
    }

    #[test]
    fn credentials_round_trip() {
        let c = credentials::set("", "r:5000", "u", "p:w");
        assert_eq!(
            credentials::get(&c, "r:5000"),
            Some(("u".into(), "p:w".into()))
        );
        let c2 = credentials::remove(&c, "r:5000").unwrap();
        assert_eq!(credentials::get(&c2, "r:5000"), None);
        assert!(credentials::remove(&c2, "r:5000").is_none());
    }
}
