//! `repositories.yaml` (Helm's `repo.File`): the named chart repositories and their credentials.
//!
//! Written exactly as Helm writes it (every field of every entry, empty ones included, because
//! Helm's struct has no `omitempty`), mode 0600 since it can hold passwords.

use super::{atomic_write, RepoError};
use crate::values::{yaml, Map, Value};
use std::path::Path;

/// One repository (`repo.Entry`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoEntry {
    pub name: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub cert_file: String,
    pub key_file: String,
    pub ca_file: String,
    pub insecure_skip_tls_verify: bool,
    pub pass_credentials_all: bool,
}

/// The repositories file.
#[derive(Clone, Debug, PartialEq)]
pub struct RepoFile {
    pub api_version: String,
    pub generated: String,
    pub repositories: Vec<RepoEntry>,
}

impl Default for RepoFile {
    fn default() -> Self {
        RepoFile {
            api_version: String::new(),
            generated: "0001-01-01T00:00:00Z".into(),
            repositories: Vec::new(),
        }
    }
}

fn s(m: &Map, k: &str) -> String {
    match m.get(k) {
        Some(Value::String(v)) => v.to_string(),
        Some(Value::Nil) | None => String::new(),
        Some(other) => crate::values::json::to_string(&other),
    }
}

fn b(m: &Map, k: &str) -> bool {
    m.get(k).and_then(|v| v.as_bool()).unwrap_or(false)
}

impl RepoFile {
    /// Parses a repositories file (`repo.LoadFile`).
    pub fn load(data: &[u8], source: &str) -> Result<RepoFile, RepoError> {
        let doc = yaml::from_slice(data).map_err(|e| RepoError::Yaml(format!("{source}: {e}")))?;
        let mut f = RepoFile::default();
        let Some(m) = doc.as_map() else {
            if doc.is_nil() {
                return Ok(f);
            }
            return Err(RepoError::Yaml(format!(
                "{source}: cannot unmarshal into repo.File"
            )));
        };
        f.api_version = s(m, "apiVersion");
        let g = s(m, "generated");
        if !g.is_empty() {
            f.generated = g;
        }
        for item in m
            .get("repositories")
            .as_ref()
            .and_then(|v| v.as_list())
            .unwrap_or(&[])
        {
            let Some(e) = item.as_map() else { continue };
            f.repositories.push(RepoEntry {
                name: s(e, "name"),
                url: s(e, "url"),
                username: s(e, "username"),
                password: s(e, "password"),
                cert_file: s(e, "certFile"),
                key_file: s(e, "keyFile"),
                ca_file: s(e, "caFile"),
                insecure_skip_tls_verify: b(e, "insecure_skip_tls_verify"),
                pass_credentials_all: b(e, "pass_credentials_all"),
            });
        }
        Ok(f)
    }

    /// Reads `path`; a missing file is an empty list (what `helm repo add` starts from).
    pub fn load_file_or_empty(path: &Path) -> Result<RepoFile, RepoError> {
        match std::fs::read(path) {
            Ok(data) => RepoFile::load(&data, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RepoFile::default()),
            Err(e) => Err(RepoError::io(path, e)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&RepoEntry> {
        self.repositories.iter().find(|r| r.name == name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Replaces the entry with the same name, or appends.
    pub fn update(&mut self, entry: RepoEntry) {
        match self.repositories.iter_mut().find(|r| r.name == entry.name) {
            Some(slot) => *slot = entry,
            None => self.repositories.push(entry),
        }
    }

    /// Removes `name`; false when there was none.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.repositories.len();
        self.repositories.retain(|r| r.name != name);
        before != self.repositories.len()
    }

    pub fn to_yaml(&self) -> Result<String, RepoError> {
        let m = Map::new();
        m.insert("apiVersion", Value::str(&self.api_version));
        m.insert("generated", Value::str(&self.generated));
        let list = self
            .repositories
            .iter()
            .map(|r| {
                let e = Map::new();
                e.insert("name", Value::str(&r.name));
                e.insert("url", Value::str(&r.url));
                e.insert("username", Value::str(&r.username));
                e.insert("password", Value::str(&r.password));
                e.insert("certFile", Value::str(&r.cert_file));
                e.insert("keyFile", Value::str(&r.key_file));
                e.insert("caFile", Value::str(&r.ca_file));
                e.insert(
                    "insecure_skip_tls_verify",
                    Value::Bool(r.insecure_skip_tls_verify),
                );
                e.insert("pass_credentials_all", Value::Bool(r.pass_credentials_all));
                Value::Map(e)
            })
            .collect();
        m.insert("repositories", Value::list(list));
        yaml::to_string(&Value::Map(m)).map_err(|e| RepoError::Yaml(e.to_string()))
    }

    /// Writes atomically with mode 0600.
    pub fn write_file(&self, path: &Path) -> Result<(), RepoError> {
        atomic_write(path, self.to_yaml()?.as_bytes(), 0o600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_helms_format() {
        // As written by Helm 4.1.4's `helm repo add myrepo http://127.0.0.1:18765`.
        let helm = "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- caFile: \"\"\n  certFile: \"\"\n  insecure_skip_tls_verify: false\n  keyFile: \"\"\n  name: myrepo\n  pass_credentials_all: false\n  password: \"\"\n  url: http://127.0.0.1:18765\n  username: \"\"\n";
        let mut f = RepoFile::default();
        f.update(RepoEntry {
            name: "myrepo".into(),
            url: "http://127.0.0.1:18765".into(),
            ..Default::default()
        });
        assert_eq!(f.to_yaml().unwrap(), helm);
        assert_eq!(RepoFile::load(helm.as_bytes(), "x").unwrap(), f);
    }
}
