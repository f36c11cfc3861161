//! Helm's Secret and ConfigMap storage drivers (`pkg/storage/driver/secrets.go`, `cfgmaps.go`)
//! on kube-rs, in Helm's exact format so `helm` and `helm-rs` read each other's releases:
//! object name `sh.helm.release.v1.NAME.vREV`, Secret type `helm.sh/release.v1`, labels
//! `name`, `owner=helm`, `status`, `version`, `modifiedAt` (plus the release's custom labels),
//! and `data.release` = base64(gzip(JSON)) (a Secret's data is that text's bytes).

use crate::error::{api_message, is_conflict, is_not_found};
use helm_core::release::codec;
use helm_core::release::{Release, ReleaseStorage, StorageError};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use std::collections::BTreeMap;
use std::future::Future;

/// Which kind of object holds the records (Helm's `HELM_DRIVER`: `secret`, `configmap`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DriverKind {
    #[default]
    Secret,
    ConfigMap,
}

/// Labels Helm manages itself; the rest of an object's labels are the release's custom labels.
const SYSTEM_LABELS: [&str; 6] = ["name", "owner", "status", "version", "createdAt", "modifiedAt"];

/// `sh.helm.release.v1.NAME.vREV`.
pub fn object_name(name: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{name}.v{version}")
}

/// A Secret or ConfigMap driver scoped to one namespace (or all, for `list -A`).
#[derive(Clone)]
pub struct KubeStorage {
    client: kube::Client,
    /// None: every namespace (read-only use: list/history).
    namespace: Option<String>,
    kind: DriverKind,
}

impl KubeStorage {
    pub fn new(client: kube::Client, namespace: Option<String>, kind: DriverKind) -> Self {
        KubeStorage { client, namespace, kind }
    }

    fn labels(rel: &Release) -> BTreeMap<String, String> {
        let mut l: BTreeMap<String, String> = rel.labels.iter().filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
        l.insert("name".into(), rel.name.clone());
        l.insert("owner".into(), "helm".into());
        l.insert("status".into(), rel.status().as_str().into());
        l.insert("version".into(), rel.version.to_string());
        l.insert("modifiedAt".into(), chrono::Utc::now().timestamp().to_string());
        l
    }

    fn meta(&self, rel: &Release) -> ObjectMeta {
        ObjectMeta {
            name: Some(object_name(&rel.name, rel.version)),
            namespace: Some(self.ns_for(rel)),
            labels: Some(Self::labels(rel)),
            ..Default::default()
        }
    }

    fn ns_for(&self, rel: &Release) -> String {
        self.namespace.clone().unwrap_or_else(|| rel.namespace.clone())
    }

    fn decode(data: &str, labels: Option<&BTreeMap<String, String>>, ns: Option<&str>) -> Result<Release, StorageError> {
        let mut rel = codec::decode(data)?;
        if let Some(l) = labels {
            // All of the object's labels, as Helm fills `Release.Labels` (`helm get metadata`
            // prints them); the system ones are dropped again when a record is written.
            rel.labels = l.clone();
        }
        if rel.namespace.is_empty() {
            rel.namespace = ns.unwrap_or_default().to_string();
        }
        Ok(rel)
    }

    fn secrets(&self, ns: Option<&str>) -> Api<Secret> {
        match ns {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    fn cfgmaps(&self, ns: Option<&str>) -> Api<ConfigMap> {
        match ns {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    fn secret_of(&self, rel: &Release) -> Result<Secret, StorageError> {
        let data = codec::encode(rel)?;
        Ok(Secret {
            metadata: self.meta(rel),
            type_: Some("helm.sh/release.v1".into()),
            data: Some(BTreeMap::from([("release".to_string(), ByteString(data.into_bytes()))])),
            ..Default::default()
        })
    }

    fn cfgmap_of(&self, rel: &Release) -> Result<ConfigMap, StorageError> {
        let data = codec::encode(rel)?;
        Ok(ConfigMap { metadata: self.meta(rel), data: Some(BTreeMap::from([("release".to_string(), data)])), ..Default::default() })
    }

    async fn list_selector(&self, selector: &str) -> Result<Vec<Release>, StorageError> {
        let lp = ListParams::default().labels(selector);
        let ns = self.namespace.as_deref();
        let mut out = Vec::new();
        match self.kind {
            DriverKind::Secret => {
                let list = self.secrets(ns).list(&lp).await.map_err(backend)?;
                for s in list.items {
                    let Some(d) = s.data.as_ref().and_then(|d| d.get("release")) else { continue };
                    let text = String::from_utf8_lossy(&d.0).to_string();
                    // Helm skips records it cannot decode (logging them); so do we.
                    if let Ok(r) = Self::decode(&text, s.metadata.labels.as_ref(), s.metadata.namespace.as_deref()) {
                        out.push(r);
                    }
                }
            }
            DriverKind::ConfigMap => {
                let list = self.cfgmaps(ns).list(&lp).await.map_err(backend)?;
                for c in list.items {
                    let Some(d) = c.data.as_ref().and_then(|d| d.get("release")) else { continue };
                    if let Ok(r) = Self::decode(d, c.metadata.labels.as_ref(), c.metadata.namespace.as_deref()) {
                        out.push(r);
                    }
                }
            }
        }
        Ok(out)
    }

    fn ns_required(&self) -> Result<&str, StorageError> {
        self.namespace.as_deref().ok_or_else(|| StorageError::Backend("storage driver has no namespace".into()))
    }
}

fn backend(e: kube::Error) -> StorageError {
    if is_not_found(&e) {
        StorageError::NotFound
    } else {
        match crate::error::api_code(&e) {
            0 => StorageError::Backend(api_message(&e)),
            code => StorageError::Api { code, message: api_message(&e) },
        }
    }
}

impl ReleaseStorage for KubeStorage {
    fn name(&self) -> &'static str {
        match self.kind {
            DriverKind::Secret => "Secret",
            DriverKind::ConfigMap => "ConfigMap",
        }
    }

    fn create(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let rel = rel.clone();
        async move {
            let ns = self.ns_for(&rel);
            let pp = PostParams::default();
            let r = match self.kind {
                DriverKind::Secret => self.secrets(Some(&ns)).create(&pp, &self.secret_of(&rel)?).await.map(|_| ()),
                DriverKind::ConfigMap => self.cfgmaps(Some(&ns)).create(&pp, &self.cfgmap_of(&rel)?).await.map(|_| ()),
            };
            r.map_err(|e| if is_conflict(&e) { StorageError::AlreadyExists } else { backend(e) })
        }
    }

    fn update(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let rel = rel.clone();
        async move {
            let ns = self.ns_for(&rel);
            let name = object_name(&rel.name, rel.version);
            let pp = PostParams::default();
            // Read the current resourceVersion and write with it: a concurrent writer makes this
            // fail with a conflict instead of being silently overwritten.
            let r = match self.kind {
                DriverKind::Secret => {
                    let api = self.secrets(Some(&ns));
                    let cur = api.get(&name).await.map_err(backend)?;
                    let mut s = self.secret_of(&rel)?;
                    s.metadata.resource_version = cur.metadata.resource_version;
                    api.replace(&name, &pp, &s).await.map(|_| ())
                }
                DriverKind::ConfigMap => {
                    let api = self.cfgmaps(Some(&ns));
                    let cur = api.get(&name).await.map_err(backend)?;
                    let mut c = self.cfgmap_of(&rel)?;
                    c.metadata.resource_version = cur.metadata.resource_version;
                    api.replace(&name, &pp, &c).await.map(|_| ())
                }
            };
            r.map_err(|e| if is_conflict(&e) { StorageError::Conflict(api_message(&e)) } else { backend(e) })
        }
    }

    fn delete(&self, name: &str, version: i64) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let (name, version) = (name.to_string(), version);
        async move {
            let rel = self.get(&name, version).await?;
            let ns = self.ns_required()?.to_string();
            let obj = object_name(&name, version);
            let dp = DeleteParams::default();
            match self.kind {
                DriverKind::Secret => self.secrets(Some(&ns)).delete(&obj, &dp).await.map(|_| ()).map_err(backend)?,
                DriverKind::ConfigMap => self.cfgmaps(Some(&ns)).delete(&obj, &dp).await.map(|_| ()).map_err(backend)?,
            }
            Ok(rel)
        }
    }

    fn get(&self, name: &str, version: i64) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let obj = object_name(name, version);
        async move {
            let ns = self.ns_required()?.to_string();
            match self.kind {
                DriverKind::Secret => {
                    let s = self.secrets(Some(&ns)).get(&obj).await.map_err(backend)?;
                    let d = s.data.as_ref().and_then(|d| d.get("release")).ok_or(StorageError::NotFound)?;
                    Self::decode(&String::from_utf8_lossy(&d.0), s.metadata.labels.as_ref(), Some(&ns))
                }
                DriverKind::ConfigMap => {
                    let c = self.cfgmaps(Some(&ns)).get(&obj).await.map_err(backend)?;
                    let d = c.data.as_ref().and_then(|d| d.get("release")).ok_or(StorageError::NotFound)?;
                    Self::decode(d, c.metadata.labels.as_ref(), Some(&ns))
                }
            }
        }
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        self.list_selector("owner=helm")
    }

    fn history(&self, name: &str) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let sel = format!("name={name},owner=helm");
        async move { self.list_selector(&sel).await }
    }
}
