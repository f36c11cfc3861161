//! A repository's `index.yaml` (Helm's `repo.IndexFile`): every chart version a repository
//! offers, newest first, with the archive's URLs and sha256 digest.
//!
//! Reading follows Helm's `loadIndex`: a missing `apiVersion` is an error, entries that fail
//! chart metadata validation are dropped (Helm logs and skips them), a chart without
//! `apiVersion` is a v1 chart. Writing follows `IndexFile.WriteFile`: the Go struct marshalled to
//! JSON then YAML, so keys come out sorted and `created` as an RFC 3339 string.

use super::{atomic_write, format_rfc3339_nano, now_rfc3339_nano, url_join, RepoError};
use crate::chart::Metadata;
use crate::gocompat::semver::{Constraints, Version};
use crate::values::{yaml, Map, Value};
use sha2::Digest;
use std::collections::BTreeMap;
use std::path::Path;

/// One chart version in an index: its Chart.yaml plus where to get it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartVersion {
    pub metadata: Metadata,
    pub urls: Vec<String>,
    /// `created`, as written (RFC 3339).
    pub created: String,
    pub removed: bool,
    /// The sha256 of the archive, lowercase hex.
    pub digest: String,
}

impl ChartVersion {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
    pub fn version(&self) -> &str {
        &self.metadata.version
    }

    fn to_value(&self) -> Value {
        let m = match self.metadata.to_json_value() {
            Value::Map(m) => m,
            _ => Map::new(),
        };
        if !self.urls.is_empty() {
            m.insert(
                "urls",
                Value::list(self.urls.iter().map(Value::str).collect()),
            );
        }
        m.insert("created", Value::str(&self.created));
        if self.removed {
            m.insert("removed", Value::Bool(true));
        }
        if !self.digest.is_empty() {
            m.insert("digest", Value::str(&self.digest));
        }
        Value::Map(m)
    }

    fn from_value(v: &Value, file: &str) -> Result<ChartVersion, String> {
        let Some(map) = v.as_map() else {
            return Err("chart version is not a mapping".into());
        };
        let md_map = Map::new();
        let mut cv = ChartVersion::default();
        for (k, val) in map.entries() {
            match &*k {
                "urls" => {
                    cv.urls = val
                        .as_list()
                        .map(|l| {
                            l.iter()
                                .filter_map(|u| u.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                }
                "created" => cv.created = scalar_string(&val),
                "removed" => cv.removed = val.as_bool().unwrap_or(false),
                "digest" => cv.digest = scalar_string(&val),
                _ => {
                    md_map.insert(k.clone(), val);
                }
            }
        }
        cv.metadata
            .merge_from(&Value::Map(md_map), file)
            .map_err(|e| e.to_string())?;
        Ok(cv)
    }
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Nil => String::new(),
        other => crate::values::json::to_string(other),
    }
}

/// Helm's `repo.IndexFile`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexFile {
    pub api_version: String,
    pub generated: String,
    /// Chart name → versions, newest first once sorted.
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    pub annotations: Vec<(String, String)>,
    /// `serverInfo` as read (kept when rewriting).
    pub server_info: Option<Value>,
}

/// A parsed version for ordering; unparsable versions sort last, as Helm's `ChartVersions.Less`.
fn parsed(v: &str) -> Option<Version> {
    Version::parse(v).ok()
}

impl IndexFile {
    /// `repo.NewIndexFile`: apiVersion v1, generated now.
    pub fn new() -> IndexFile {
        IndexFile {
            api_version: "v1".into(),
            generated: now_rfc3339_nano(),
            ..Default::default()
        }
    }

    /// Reads an index from bytes (`repo.loadIndex`). `source` names the file in errors.
    pub fn load(data: &[u8], source: &str) -> Result<IndexFile, RepoError> {
        let text = String::from_utf8_lossy(data);
        let doc = yaml::from_str(&text).map_err(|e| RepoError::Yaml(format!("{source}: {e}")))?;
        let map = match &doc {
            Value::Map(m) => m.clone(),
            Value::Nil => Map::new(),
            _ => {
                return Err(RepoError::Yaml(format!(
                    "{source}: cannot unmarshal into repo.IndexFile"
                )))
            }
        };
        let mut idx = IndexFile::default();
        if let Some(v) = map.get("apiVersion") {
            idx.api_version = scalar_string(&v);
        }
        if idx.api_version.is_empty() {
            return Err(RepoError::NoApiVersion);
        }
        if let Some(v) = map.get("generated") {
            idx.generated = scalar_string(&v);
        }
        if let Some(Value::Map(a)) = map.get("annotations") {
            idx.annotations = a
                .entries()
                .into_iter()
                .map(|(k, v)| (k.to_string(), scalar_string(&v)))
                .collect();
        }
        idx.server_info = map.get("serverInfo").filter(|v| !v.is_nil());
        if let Some(Value::Map(entries)) = map.get("entries") {
            for (name, list) in entries.entries() {
                let mut versions = Vec::new();
                for item in list.as_list().unwrap_or(&[]) {
                    let Ok(mut cv) = ChartVersion::from_value(item, source) else {
                        continue;
                    };
                    if cv.metadata.api_version.is_empty() {
                        cv.metadata.api_version = "v1".into();
                    }
                    // Helm drops entries that fail validation (logging them) instead of failing.
                    let mut check = cv.metadata.clone();
                    if check.validate().is_err() {
                        continue;
                    }
                    versions.push(cv);
                }
                idx.entries.insert(name.to_string(), versions);
            }
        }
        idx.sort_entries();
        Ok(idx)
    }

    /// Reads `path` (`repo.LoadIndexFile`).
    pub fn load_file(path: &Path) -> Result<IndexFile, RepoError> {
        let data = std::fs::read(path).map_err(|e| RepoError::io(path, e))?;
        IndexFile::load(&data, &path.display().to_string())
    }

    /// `SortEntries`: each chart's versions newest first (stable for equal versions).
    pub fn sort_entries(&mut self) {
        for versions in self.entries.values_mut() {
            versions.sort_by(|a, b| match (parsed(a.version()), parsed(b.version())) {
                (Some(x), Some(y)) => y.compare(&x).cmp(&0),
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
    }

    /// `MustAdd`: a chart archive `filename` with `digest`, its URL joined to `base_url`.
    pub fn add(
        &mut self,
        md: &Metadata,
        filename: &str,
        base_url: &str,
        digest: &str,
    ) -> Result<(), RepoError> {
        let mut md = md.clone();
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
        md.validate()
            .map_err(|e| RepoError::Other(format!("validate failed for {filename}: {e}")))?;
        let url = if base_url.is_empty() {
            filename.to_string()
        } else {
            let file = filename.rsplit('/').next().unwrap_or(filename);
            url_join(base_url, &[file])
        };
        let cv = ChartVersion {
            metadata: md,
            urls: vec![url],
            created: now_rfc3339_nano(),
            removed: false,
            digest: digest.to_string(),
        };
        self.entries
            .entry(cv.metadata.name.clone())
            .or_default()
            .push(cv);
        Ok(())
    }

    /// `Get`: an exact version string first, else the newest version matching the constraint
    /// (`""` means `*`, which excludes pre-releases as Masterminds semver does).
    pub fn get(&self, name: &str, version: &str) -> Result<&ChartVersion, RepoError> {
        let versions = self.entries.get(name).ok_or(RepoError::NoChartName)?;
        if versions.is_empty() {
            return Err(RepoError::NoChartVersion);
        }
        let constraint = Constraints::parse(if version.is_empty() { "*" } else { version })
            .map_err(RepoError::BadConstraint)?;
        if !version.is_empty() {
            if let Some(cv) = versions.iter().find(|cv| cv.version() == version) {
                return Ok(cv);
            }
        }
        versions
            .iter()
            .find(|cv| parsed(cv.version()).is_some_and(|v| constraint.check(&v)))
            .ok_or_else(|| RepoError::NoMatchingVersion {
                name: name.into(),
                version: version.into(),
            })
    }

    pub fn has(&self, name: &str, version: &str) -> bool {
        self.get(name, version).is_ok()
    }

    /// `Merge`: versions of `other` this index lacks are appended.
    pub fn merge(&mut self, other: &IndexFile) {
        for versions in other.entries.values() {
            for cv in versions {
                if !self.has(cv.name(), cv.version()) {
                    self.entries
                        .entry(cv.name().to_string())
                        .or_default()
                        .push(cv.clone());
                }
            }
        }
    }

    /// The JSON Helm writes for `repo index --json` (`json.MarshalIndent(IndexFile, "", "  ")`,
    /// in the Go structs' field order).
    pub fn to_json(&self) -> String {
        let json: serde_json::Value =
            serde_json::from_str(&crate::values::json::to_string(&self.to_value()))
                .unwrap_or_default();
        crate::chart::gojson::marshal_indent(&json, crate::chart::gojson::Shape::IndexFile)
    }

    /// The YAML Helm writes (`yaml.Marshal(IndexFile)`).
    pub fn to_yaml(&self) -> Result<String, RepoError> {
        yaml::to_string(&self.to_value()).map_err(|e| RepoError::Yaml(e.to_string()))
    }

    fn to_value(&self) -> Value {
        let m = Map::new();
        m.insert("apiVersion", Value::str(&self.api_version));
        let entries = Map::new();
        for (name, versions) in &self.entries {
            entries.insert(
                name.as_str(),
                Value::list(versions.iter().map(ChartVersion::to_value).collect()),
            );
        }
        m.insert("entries", Value::Map(entries));
        m.insert("generated", Value::str(&self.generated));
        if let Some(si) = &self.server_info {
            m.insert("serverInfo", si.clone());
        }
        if !self.annotations.is_empty() {
            let a = Map::new();
            for (k, v) in &self.annotations {
                a.insert(k.as_str(), Value::str(v));
            }
            m.insert("annotations", Value::Map(a));
        }
        Value::Map(m)
    }

    /// `WriteFile`: atomically, mode 0644.
    pub fn write_file(&self, path: &Path) -> Result<(), RepoError> {
        atomic_write(path, self.to_yaml()?.as_bytes(), 0o644)
    }

    /// Helm's `writeIndexFile`: `WriteJSONFile` (`json`) or `WriteFile`, atomically, mode 0644.
    pub fn write(&self, path: &Path, json: bool) -> Result<(), RepoError> {
        if json {
            atomic_write(path, self.to_json().as_bytes(), 0o644)
        } else {
            self.write_file(path)
        }
    }

    /// Chart names, sorted (the cache's `<repo>-charts.txt`, one per line).
    pub fn chart_names_text(&self) -> String {
        self.entries.keys().map(|k| format!("{k}\n")).collect()
    }
}

/// The sha256 of a file, lowercase hex (`provenance.DigestFile`).
pub fn digest_file(path: &Path) -> Result<String, RepoError> {
    let mut f = std::fs::File::open(path).map_err(|e| RepoError::io(path, e))?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| RepoError::io(path, e))?;
    Ok(hex::encode(h.finalize()))
}

/// `repo.IndexDirectory`: every `*.tgz` in `dir` and one directory level below, as an index whose
/// URLs are relative or joined to `base_url`. Files that are not charts are skipped.
pub fn index_directory(dir: &Path, base_url: &str) -> Result<IndexFile, RepoError> {
    let mut archives: Vec<(String, String)> = Vec::new(); // (parent dir relative, file name)
    let list = |d: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    for name in list(dir) {
        if name.ends_with(".tgz") {
            archives.push((String::new(), name));
        }
    }
    for sub in list(dir) {
        let p = dir.join(&sub);
        if !p.is_dir() {
            continue;
        }
        for name in list(&p) {
            if name.ends_with(".tgz") {
                archives.push((sub.clone(), name));
            }
        }
    }
    let mut index = IndexFile::new();
    for (parent, name) in archives {
        let rel = if parent.is_empty() {
            name.clone()
        } else {
            format!("{parent}/{name}")
        };
        let path = dir.join(&rel);
        let parent_url = url_join(base_url, &[&parent]);
        let Ok(chart) = crate::chart::load(&path) else {
            continue;
        };
        let digest = digest_file(&path)?;
        index
            .add(&chart.metadata, &name, &parent_url, &digest)
            .map_err(|e| RepoError::Other(format!("failed adding to {name} to index: {e}")))?;
    }
    Ok(index)
}

/// `helm repo index DIR [--url] [--merge]`: index the directory, merge an existing index, sort,
/// write `DIR/index.yaml`. A `--merge` file that does not exist is created empty first.
pub fn repo_index(
    dir: &Path,
    url: &str,
    merge: Option<&Path>,
    json: bool,
) -> Result<(), RepoError> {
    let mut index = index_directory(dir, url)?;
    if let Some(m) = merge {
        let other = if m.exists() {
            IndexFile::load_file(m).map_err(|e| RepoError::Other(format!("merge failed: {e}")))?
        } else {
            let empty = IndexFile::new();
            empty.write(m, json)?;
            empty
        };
        index.merge(&other);
    }
    index.sort_entries();
    // `--json` writes JSON into `index.yaml` (YAML readers read it too), as Helm does.
    index.write(&dir.join("index.yaml"), json)
}

/// RFC 3339 with nanoseconds for a given time (exposed for tests and callers stamping files).
pub fn created_at(t: chrono::DateTime<chrono::Utc>) -> String {
    format_rfc3339_nano(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELM_INDEX: &str = r#"apiVersion: v1
entries:
  mychart:
  - apiVersion: v2
    appVersion: 1.16.0
    created: "2026-11-24T14:12:47.297048824Z"
    description: A Helm chart for Kubernetes
    digest: ceadbb791bfdb67e70ea6b4404a1f42e23ea2728dc08d955932828d07ce4af54
    name: mychart
    type: application
    urls:
    - mychart-0.2.0-beta.1.tgz
    version: 0.2.0-beta.1
  - apiVersion: v2
    appVersion: 1.16.0
    created: "2026-11-24T14:12:47.295800533Z"
    description: A Helm chart for Kubernetes
    digest: 5a20a31a3cc08eab30ece7a883fa406b99187ca545a2b578502d0c7710ac67f7
    name: mychart
    type: application
    urls:
    - mychart-0.1.0.tgz
    version: 0.1.0
generated: "2026-11-24T14:12:47.294648795Z"
"#;

    #[test]
    fn round_trips_helms_index_byte_for_byte() {
        // Written by Helm 4.1.4's `helm repo index`.
        let idx = IndexFile::load(HELM_INDEX.as_bytes(), "index.yaml").unwrap();
        assert_eq!(idx.to_yaml().unwrap(), HELM_INDEX);
    }

    #[test]
    fn get_follows_helm() {
        let idx = IndexFile::load(HELM_INDEX.as_bytes(), "index.yaml").unwrap();
        assert_eq!(idx.get("mychart", "").unwrap().version(), "0.1.0");
        assert_eq!(
            idx.get("mychart", "0.2.0-beta.1").unwrap().version(),
            "0.2.0-beta.1"
        );
        assert_eq!(
            idx.get("mychart", ">0.0.0-0").unwrap().version(),
            "0.2.0-beta.1"
        );
        assert_eq!(idx.get("mychart", "~0.1").unwrap().version(), "0.1.0");
        assert_eq!(
            idx.get("mychart", "2.x").unwrap_err().to_string(),
            "no chart version found for mychart-2.x"
        );
        assert!(matches!(idx.get("nope", ""), Err(RepoError::NoChartName)));
    }

    #[test]
    fn missing_api_version_is_an_error() {
        assert_eq!(
            IndexFile::load(b"entries: {}\n", "x")
                .unwrap_err()
                .to_string(),
            "no API version specified"
        );
    }

    #[test]
    fn invalid_entries_are_dropped() {
        let src = "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: not-semver\n  - name: a\n    version: 1.0.0\n";
        let idx = IndexFile::load(src.as_bytes(), "x").unwrap();
        assert_eq!(idx.entries["a"].len(), 1);
    }

    #[test]
    fn merge_keeps_existing_versions() {
        let mut a = IndexFile::load(HELM_INDEX.as_bytes(), "a").unwrap();
        let mut b = IndexFile::new();
        let md = Metadata {
            name: "other".into(),
            version: "1.0.0".into(),
            api_version: "v2".into(),
            ..Default::default()
        };
        b.add(&md, "other-1.0.0.tgz", "http://x/charts", "00")
            .unwrap();
        b.add(
            &a.entries["mychart"][1].metadata,
            "mychart-0.1.0.tgz",
            "",
            "11",
        )
        .unwrap();
        a.merge(&b);
        assert_eq!(
            a.entries["other"][0].urls,
            vec!["http://x/charts/other-1.0.0.tgz".to_string()]
        );
        assert_eq!(a.entries["mychart"].len(), 2);
    }
}
