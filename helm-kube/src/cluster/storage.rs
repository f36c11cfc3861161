//! Helm's Secret and ConfigMap storage drivers (`pkg/storage/driver/secrets.go`, `cfgmaps.go`)
//! on kube-rs, in Helm's exact format so `helm` and `helm-rs` read each other's releases:
//! object name `sh.helm.release.v1.NAME.vREV`, Secret type `helm.sh/release.v1`, labels
//! `name`, `owner=helm`, `status`, `version`, `modifiedAt` (plus the release's custom labels),
//! and `data.release` = base64(gzip(JSON)) (a Secret's data is that text's bytes).
//!
//! # Releases over the object size limit
//!
//! The API server refuses a Secret or ConfigMap whose data exceeds 1 MiB, so Helm cannot store
//! a release whose record is bigger (a chart with large files or CRDs, many subcharts). Here a
//! record whose encoded text exceeds [`RECORD_LIMIT`] is split: its text is cut into parts of
//! [`PART_SIZE`] bytes, each stored in its own object (`…vREV.DIGEST.N`, labelled
//! `owner=helm-rs`, so Helm's `owner=helm` queries never see them), and the record's own object
//! (Helm's name and labels, so `list` and `history` find it) holds, instead of `data.release`,
//! `data.chunks`: the parts' names, sizes and SHA-256 digests and the digest of the whole.
//! Parts are written first and the record's object last, so a reader finds either the whole
//! record or none of it; a part that does not match its digest is an error, never a truncated
//! release. Part names carry the record's digest, so two writers racing for one revision never
//! overwrite each other's parts (the record's create decides the winner; the loser removes its
//! parts). Records under the limit keep Helm's exact format.
//!
//! Helm 4.1.4 and a split record (checked with it): `helm list` and `helm history` leave it out
//! (Helm skips records it cannot decode), `helm get` of that revision fails with `get: failed
//! to decode data "sh.helm.release.v1.NAME.vREV": unexpected end of JSON input`, and `helm
//! uninstall` finds no release to remove (`no release provided`). Helm never writes to a split
//! record; helm-rs reads, updates and removes it with its parts.

use crate::error::{api_message, is_conflict, is_not_found};
use helm_core::release::codec;
use helm_core::release::{Release, ReleaseStorage, StorageError};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::future::Future;

/// Where release records are kept: Helm's `HELM_DRIVER` (`secret`, `configmap`, `memory`,
/// `sql`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DriverKind {
    /// Secrets in the release's namespace (Helm's default).
    #[default]
    Secret,
    /// ConfigMaps in the release's namespace.
    ConfigMap,
    /// In this process only (lost when it ends); for dry runs and tests.
    Memory,
    /// PostgreSQL in Helm's schema (`HELM_DRIVER_SQL_CONNECTION_STRING`).
    Sql,
}

impl DriverKind {
    /// Helm's names for `HELM_DRIVER` (empty: the default); Helm's error for any other.
    pub fn from_helm_driver(name: &str) -> Result<DriverKind, String> {
        match name {
            "" | "secret" | "secrets" => Ok(DriverKind::Secret),
            "configmap" | "configmaps" => Ok(DriverKind::ConfigMap),
            "memory" => Ok(DriverKind::Memory),
            "sql" => Ok(DriverKind::Sql),
            other => Err(format!("unknown driver {other:?}")),
        }
    }
}

/// Labels Helm manages itself; the rest of an object's labels are the release's custom labels.
const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// The largest encoded record stored as one object, as Helm stores it (the API server's limit
/// is 1 MiB of data; the rest is left for the labels).
pub const RECORD_LIMIT: usize = 1_000_000;

/// The size of each part of a split record.
pub const PART_SIZE: usize = 900_000;

/// The data key of a split record's index (in place of `release`).
const CHUNKS_KEY: &str = "chunks";
/// The data key of a part.
const PART_KEY: &str = "part";
/// The `owner` label of parts.
const PART_OWNER: &str = "helm-rs";
/// The format name in an index.
const CHUNKS_FORMAT: &str = "helm-rs.io/release-chunks.v1";

/// `sh.helm.release.v1.NAME.vREV`.
pub fn object_name(name: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{name}.v{version}")
}

/// A split record's index: where its parts are and what they must hash to.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct ChunkIndex {
    format: String,
    /// SHA-256 (hex) of the whole encoded record.
    sha256: String,
    size: usize,
    parts: Vec<ChunkPart>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct ChunkPart {
    name: String,
    sha256: String,
    size: usize,
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// One stored object as the driver sees it, Secret or ConfigMap alike (a Secret's data bytes
/// are text here: every value this driver writes is ASCII).
#[derive(Clone, Debug, Default)]
struct Stored {
    name: String,
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
    data: BTreeMap<String, String>,
    resource_version: Option<String>,
}

impl Stored {
    fn from_secret(s: Secret) -> Stored {
        Stored {
            name: s.metadata.name.unwrap_or_default(),
            namespace: s.metadata.namespace,
            labels: s.metadata.labels.unwrap_or_default(),
            data: s
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                .collect(),
            resource_version: s.metadata.resource_version,
        }
    }

    fn from_cfgmap(c: ConfigMap) -> Stored {
        Stored {
            name: c.metadata.name.unwrap_or_default(),
            namespace: c.metadata.namespace,
            labels: c.metadata.labels.unwrap_or_default(),
            data: c.data.unwrap_or_default(),
            resource_version: c.metadata.resource_version,
        }
    }

    fn meta(&self) -> ObjectMeta {
        ObjectMeta {
            name: Some(self.name.clone()),
            namespace: self.namespace.clone(),
            labels: Some(self.labels.clone()),
            resource_version: self.resource_version.clone(),
            ..Default::default()
        }
    }

    fn to_secret(&self, type_: &str) -> Secret {
        Secret {
            metadata: self.meta(),
            type_: Some(type_.into()),
            data: Some(
                self.data
                    .iter()
                    .map(|(k, v)| (k.clone(), ByteString(v.clone().into_bytes())))
                    .collect(),
            ),
            ..Default::default()
        }
    }

    fn to_cfgmap(&self) -> ConfigMap {
        ConfigMap {
            metadata: self.meta(),
            data: Some(self.data.clone()),
            ..Default::default()
        }
    }
}

/// A Secret or ConfigMap driver scoped to one namespace (or all, for `list -A`).
#[derive(Clone)]
pub struct KubeStorage {
    client: kube::Client,
    /// None: every namespace (read-only use: list/history).
    namespace: Option<String>,
    /// ConfigMaps rather than Secrets.
    configmaps: bool,
    /// Records being encoded ahead of their write ([`ReleaseStorage::prepare`]), oldest first.
    prepared: std::sync::Arc<std::sync::Mutex<Vec<Prepared>>>,
}

/// A record [`ReleaseStorage::prepare`]d: the record, and its encoding under way.
struct Prepared {
    rel: std::sync::Arc<Release>,
    text: tokio::task::JoinHandle<Result<String, codec::CodecError>>,
}

/// How many prepared records are kept (an action prepares two or three).
const PREPARED_LIMIT: usize = 4;

/// The kind of object a [`KubeStorage`] writes.
#[derive(Clone, Copy)]
enum ObjectKind {
    Secret,
    ConfigMap,
}

impl KubeStorage {
    /// Helm's Secret driver, or with `kind` [`DriverKind::ConfigMap`] its ConfigMap driver.
    pub fn new(client: kube::Client, namespace: Option<String>, kind: DriverKind) -> Self {
        KubeStorage {
            client,
            namespace,
            configmaps: kind == DriverKind::ConfigMap,
            prepared: Default::default(),
        }
    }

    fn prepared(&self) -> std::sync::MutexGuard<'_, Vec<Prepared>> {
        self.prepared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `rel` encoded: by its [`prepare`](ReleaseStorage::prepare) when one was made of an equal
    /// record, here otherwise.
    async fn encoded(&self, rel: &Release) -> Result<String, StorageError> {
        let ready = {
            let mut prepared = self.prepared();
            prepared
                .iter()
                .position(|p| *p.rel == *rel)
                .map(|i| prepared.remove(i).text)
        };
        // A prepared encoding that did not finish (its thread panicked) is redone here.
        if let Some(handle) = ready {
            if let Ok(text) = handle.await {
                return Ok(text?);
            }
        }
        Ok(codec::encode(rel)?)
    }

    fn kind(&self) -> ObjectKind {
        if self.configmaps {
            ObjectKind::ConfigMap
        } else {
            ObjectKind::Secret
        }
    }

    fn labels(rel: &Release) -> BTreeMap<String, String> {
        let mut l: BTreeMap<String, String> = rel
            .labels
            .iter()
            .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        l.insert("name".into(), rel.name.clone());
        l.insert("owner".into(), "helm".into());
        l.insert("status".into(), rel.status().as_str().into());
        l.insert("version".into(), rel.version.to_string());
        l.insert(
            "modifiedAt".into(),
            chrono::Utc::now().timestamp().to_string(),
        );
        l
    }

    fn ns_for(&self, rel: &Release) -> String {
        self.namespace
            .clone()
            .unwrap_or_else(|| rel.namespace.clone())
    }

    fn ns_required(&self) -> Result<&str, StorageError> {
        self.namespace
            .as_deref()
            .ok_or_else(|| StorageError::Backend("storage driver has no namespace".into()))
    }

    // The five API calls, for either kind of object.

    async fn create_object(&self, ns: &str, obj: &Stored) -> Result<(), kube::Error> {
        let pp = PostParams::default();
        match self.kind() {
            ObjectKind::Secret => {
                let type_ = if obj.data.contains_key(PART_KEY) {
                    "helm-rs.io/release.v1.part"
                } else {
                    "helm.sh/release.v1"
                };
                Api::<Secret>::namespaced(self.client.clone(), ns)
                    .create(&pp, &obj.to_secret(type_))
                    .await
                    .map(|_| ())
            }
            ObjectKind::ConfigMap => Api::<ConfigMap>::namespaced(self.client.clone(), ns)
                .create(&pp, &obj.to_cfgmap())
                .await
                .map(|_| ()),
        }
    }

    async fn replace_object(&self, ns: &str, obj: &Stored) -> Result<(), kube::Error> {
        let pp = PostParams::default();
        match self.kind() {
            ObjectKind::Secret => Api::<Secret>::namespaced(self.client.clone(), ns)
                .replace(&obj.name, &pp, &obj.to_secret("helm.sh/release.v1"))
                .await
                .map(|_| ()),
            ObjectKind::ConfigMap => Api::<ConfigMap>::namespaced(self.client.clone(), ns)
                .replace(&obj.name, &pp, &obj.to_cfgmap())
                .await
                .map(|_| ()),
        }
    }

    async fn get_object(&self, ns: &str, name: &str) -> Result<Option<Stored>, kube::Error> {
        Ok(match self.kind() {
            ObjectKind::Secret => Api::<Secret>::namespaced(self.client.clone(), ns)
                .get_opt(name)
                .await?
                .map(Stored::from_secret),
            ObjectKind::ConfigMap => Api::<ConfigMap>::namespaced(self.client.clone(), ns)
                .get_opt(name)
                .await?
                .map(Stored::from_cfgmap),
        })
    }

    async fn delete_object(&self, ns: &str, name: &str) -> Result<(), kube::Error> {
        let dp = DeleteParams::default();
        let r = match self.kind() {
            ObjectKind::Secret => Api::<Secret>::namespaced(self.client.clone(), ns)
                .delete(name, &dp)
                .await
                .map(|_| ()),
            ObjectKind::ConfigMap => Api::<ConfigMap>::namespaced(self.client.clone(), ns)
                .delete(name, &dp)
                .await
                .map(|_| ()),
        };
        match r {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other,
        }
    }

    async fn list_objects(&self, selector: &str) -> Result<Vec<Stored>, kube::Error> {
        let lp = ListParams::default().labels(selector);
        Ok(match (self.kind(), self.namespace.as_deref()) {
            (ObjectKind::Secret, Some(ns)) => Api::<Secret>::namespaced(self.client.clone(), ns)
                .list(&lp)
                .await?
                .items
                .into_iter()
                .map(Stored::from_secret)
                .collect(),
            (ObjectKind::Secret, None) => Api::<Secret>::all(self.client.clone())
                .list(&lp)
                .await?
                .items
                .into_iter()
                .map(Stored::from_secret)
                .collect(),
            (ObjectKind::ConfigMap, Some(ns)) => {
                Api::<ConfigMap>::namespaced(self.client.clone(), ns)
                    .list(&lp)
                    .await?
                    .items
                    .into_iter()
                    .map(Stored::from_cfgmap)
                    .collect()
            }
            (ObjectKind::ConfigMap, None) => Api::<ConfigMap>::all(self.client.clone())
                .list(&lp)
                .await?
                .items
                .into_iter()
                .map(Stored::from_cfgmap)
                .collect(),
        })
    }

    // Records as objects.

    /// The record's object and, when the record is over [`RECORD_LIMIT`], its parts.
    async fn objects_of(&self, rel: &Release) -> Result<(Stored, Vec<Stored>), StorageError> {
        let text = self.encoded(rel).await?;
        let mut record = Stored {
            name: object_name(&rel.name, rel.version),
            namespace: Some(self.ns_for(rel)),
            labels: Self::labels(rel),
            ..Default::default()
        };
        if text.len() <= RECORD_LIMIT {
            record.data.insert("release".into(), text);
            return Ok((record, Vec::new()));
        }
        let digest = sha256_hex(text.as_bytes());
        let mut parts = Vec::new();
        let mut index = ChunkIndex {
            format: CHUNKS_FORMAT.into(),
            sha256: digest.clone(),
            size: text.len(),
            parts: Vec::new(),
        };
        // The text is base64: ASCII, so any byte offset is a character boundary.
        for (i, piece) in text.as_bytes().chunks(PART_SIZE).enumerate() {
            let piece = String::from_utf8_lossy(piece).into_owned();
            let name = format!("{}.{}.{i}", record.name, &digest[..10]);
            index.parts.push(ChunkPart {
                name: name.clone(),
                sha256: sha256_hex(piece.as_bytes()),
                size: piece.len(),
            });
            let labels = BTreeMap::from([
                ("name".to_string(), rel.name.clone()),
                ("owner".to_string(), PART_OWNER.to_string()),
                ("version".to_string(), rel.version.to_string()),
            ]);
            parts.push(Stored {
                name,
                namespace: record.namespace.clone(),
                labels,
                data: BTreeMap::from([(PART_KEY.to_string(), piece)]),
                resource_version: None,
            });
        }
        record.data.insert(
            CHUNKS_KEY.into(),
            serde_json::to_string(&index).map_err(|e| StorageError::Backend(e.to_string()))?,
        );
        Ok((record, parts))
    }

    /// The parts a stored record refers to (none for one in Helm's format).
    fn index_of(obj: &Stored) -> Result<Option<ChunkIndex>, StorageError> {
        match obj.data.get(CHUNKS_KEY) {
            None => Ok(None),
            Some(json) => {
                let index: ChunkIndex = serde_json::from_str(json).map_err(|e| {
                    StorageError::Backend(format!(
                        "release {}: unreadable chunk index: {e}",
                        obj.name
                    ))
                })?;
                if index.format != CHUNKS_FORMAT {
                    return Err(StorageError::Backend(format!(
                        "release {}: unknown chunk format {:?}",
                        obj.name, index.format
                    )));
                }
                Ok(Some(index))
            }
        }
    }

    /// Creates parts; one that exists with the same content (the same record written again)
    /// is fine.
    async fn create_parts(&self, ns: &str, parts: &[Stored]) -> Result<(), StorageError> {
        for p in parts {
            match self.create_object(ns, p).await {
                Ok(()) => {}
                Err(e) if is_conflict(&e) => {
                    let same = self
                        .get_object(ns, &p.name)
                        .await
                        .map_err(backend)?
                        .map(|o| o.data.get(PART_KEY) == p.data.get(PART_KEY))
                        .unwrap_or(false);
                    if !same {
                        return Err(StorageError::Backend(format!(
                            "part {} exists with other content",
                            p.name
                        )));
                    }
                }
                Err(e) => return Err(backend(e)),
            }
        }
        Ok(())
    }

    /// Removes parts, except those `keep` (another index) still refers to.
    async fn delete_parts(
        &self,
        ns: &str,
        index: Option<&ChunkIndex>,
        keep: Option<&ChunkIndex>,
    ) -> Result<(), StorageError> {
        let Some(index) = index else { return Ok(()) };
        for p in &index.parts {
            if keep
                .map(|k| k.parts.iter().any(|q| q.name == p.name))
                .unwrap_or(false)
            {
                continue;
            }
            self.delete_object(ns, &p.name).await.map_err(backend)?;
        }
        Ok(())
    }

    /// The record stored in `obj`, its parts read and checked when it is split.
    async fn decode(&self, obj: &Stored, ns_hint: Option<&str>) -> Result<Release, StorageError> {
        let text = self.text_of(obj, ns_hint).await?;
        Self::decode_text(obj, &text, ns_hint)
    }

    /// The namespace `obj` lives in: its own, or the one it was read from.
    fn namespace_of(obj: &Stored, ns_hint: Option<&str>) -> String {
        obj.namespace
            .clone()
            .or_else(|| ns_hint.map(String::from))
            .unwrap_or_default()
    }

    /// The encoded record `obj` holds, read from its parts when it is split.
    async fn text_of(&self, obj: &Stored, ns_hint: Option<&str>) -> Result<String, StorageError> {
        let ns = Self::namespace_of(obj, ns_hint);
        Ok(match (obj.data.get("release"), Self::index_of(obj)?) {
            (Some(text), _) => text.clone(),
            (None, Some(index)) => {
                let mut text = String::with_capacity(index.size);
                for p in &index.parts {
                    let part = self
                        .get_object(&ns, &p.name)
                        .await
                        .map_err(backend)?
                        .ok_or_else(|| {
                            StorageError::Backend(format!(
                                "release {}: part {} is missing",
                                obj.name, p.name
                            ))
                        })?;
                    let piece = part.data.get(PART_KEY).map(String::as_str).unwrap_or("");
                    if sha256_hex(piece.as_bytes()) != p.sha256 {
                        return Err(StorageError::Backend(format!(
                            "release {}: part {} does not match its digest",
                            obj.name, p.name
                        )));
                    }
                    text.push_str(piece);
                }
                if sha256_hex(text.as_bytes()) != index.sha256 {
                    return Err(StorageError::Backend(format!(
                        "release {}: its parts do not match the record's digest",
                        obj.name
                    )));
                }
                text
            }
            (None, None) => return Err(StorageError::NotFound),
        })
    }

    /// The record `obj` holds, from its encoded `text`.
    fn decode_text(
        obj: &Stored,
        text: &str,
        ns_hint: Option<&str>,
    ) -> Result<Release, StorageError> {
        let ns = Self::namespace_of(obj, ns_hint);
        let mut rel = codec::decode(text)?;
        // All of the object's labels, as Helm fills `Release.Labels` (`helm get metadata`
        // prints them); the system ones are dropped again when a record is written.
        rel.labels = obj.labels.clone();
        if rel.namespace.is_empty() {
            rel.namespace = ns;
        }
        Ok(rel)
    }

    async fn list_selector(
        &self,
        selector: &str,
        context: &str,
    ) -> Result<Vec<Release>, StorageError> {
        let ns = self.namespace.as_deref();
        let mut texts = Vec::new();
        for obj in self
            .list_objects(selector)
            .await
            .map_err(|e| in_context(self.configmaps, context, backend(e)))?
        {
            // Helm skips records it cannot decode (logging them); so do we.
            if let Ok(text) = self.text_of(&obj, ns).await {
                texts.push((obj, text));
            }
        }
        // A release's history is up to ten records of megabytes of JSON each: decoded on two
        // threads.
        let (mut out, more) = helm_core::halves::on_two_threads(
            &texts,
            |(_, text)| text.len(),
            |half| {
                half.iter()
                    .filter_map(|(obj, text)| Self::decode_text(obj, text, ns).ok())
                    .collect::<Vec<_>>()
            },
        );
        out.extend(more);
        Ok(out)
    }
}

/// The Secret driver's context for an API failure (Helm's `list: failed to list: …`,
/// `query: failed to query with labels: …`); the ConfigMap driver passes it on as it is.
fn in_context(configmaps: bool, context: &str, e: StorageError) -> StorageError {
    match e {
        StorageError::Api { code, message } if !configmaps => StorageError::Api {
            code,
            message: format!("{context}: {message}"),
        },
        StorageError::Backend(message) if !configmaps => {
            StorageError::Backend(format!("{context}: {message}"))
        }
        other => other,
    }
}

fn backend(e: kube::Error) -> StorageError {
    if is_not_found(&e) {
        StorageError::NotFound
    } else {
        api_failure(e)
    }
}

/// The API server's failure as it is (a 404 included: not every 404 is a missing release).
fn api_failure(e: kube::Error) -> StorageError {
    match crate::error::api_code(&e) {
        0 => StorageError::Backend(api_message(&e)),
        code => StorageError::Api {
            code,
            message: api_message(&e),
        },
    }
}

impl ReleaseStorage for KubeStorage {
    fn name(&self) -> &'static str {
        if self.configmaps {
            "ConfigMap"
        } else {
            "Secret"
        }
    }

    fn prepare(&self, rel: &Release) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut prepared = self.prepared();
        if prepared.iter().any(|p| *p.rel == *rel) {
            return;
        }
        if prepared.len() == PREPARED_LIMIT {
            prepared.remove(0);
        }
        let rel = std::sync::Arc::new(rel.clone());
        let copy = rel.clone();
        prepared.push(Prepared {
            rel,
            text: runtime.spawn_blocking(move || codec::encode(&copy)),
        });
    }

    fn create(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let rel = rel.clone();
        async move {
            let ns = self.ns_for(&rel);
            let (record, parts) = self.objects_of(&rel).await?;
            let mine = Self::index_of(&record)?;
            // Parts first, the record last: a reader never finds a record without its parts.
            self.create_parts(&ns, &parts).await?;
            match self.create_object(&ns, &record).await {
                Ok(()) => Ok(()),
                Err(e) if is_conflict(&e) => {
                    // Lost the revision to another writer: take back the parts it does not share.
                    let theirs = match self.get_object(&ns, &record.name).await {
                        Ok(Some(obj)) => Self::index_of(&obj).ok().flatten(),
                        _ => None,
                    };
                    let _ = self.delete_parts(&ns, mine.as_ref(), theirs.as_ref()).await;
                    Err(StorageError::AlreadyExists)
                }
                Err(e) => {
                    let _ = self.delete_parts(&ns, mine.as_ref(), None).await;
                    // A 404 here is the namespace's, not the release's (Helm's
                    // `create: failed to create: namespaces "x" not found`).
                    Err(in_context(
                        self.configmaps,
                        "create: failed to create",
                        api_failure(e),
                    ))
                }
            }
        }
    }

    fn update(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let rel = rel.clone();
        async move {
            let ns = self.ns_for(&rel);
            let (mut record, parts) = self.objects_of(&rel).await?;
            // Written with the resourceVersion read here: a concurrent writer makes this fail
            // with a conflict instead of being silently overwritten.
            let current = self
                .get_object(&ns, &record.name)
                .await
                .map_err(backend)?
                .ok_or(StorageError::NotFound)?;
            record.resource_version = current.resource_version.clone();
            let (new_index, old_index) = (Self::index_of(&record)?, Self::index_of(&current)?);
            self.create_parts(&ns, &parts).await?;
            if let Err(e) = self.replace_object(&ns, &record).await {
                let _ = self
                    .delete_parts(&ns, new_index.as_ref(), old_index.as_ref())
                    .await;
                return Err(if is_conflict(&e) {
                    StorageError::Conflict(api_message(&e))
                } else {
                    backend(e)
                });
            }
            // The old parts the new record no longer uses.
            self.delete_parts(&ns, old_index.as_ref(), new_index.as_ref())
                .await
        }
    }

    fn delete(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let (name, version) = (name.to_string(), version);
        async move {
            let ns = self.ns_required()?.to_string();
            let obj = self
                .get_object(&ns, &object_name(&name, version))
                .await
                .map_err(backend)?
                .ok_or(StorageError::NotFound)?;
            let rel = self.decode(&obj, Some(&ns)).await?;
            // The record first, its parts after: a reader never finds a record without parts.
            match self.delete_object(&ns, &obj.name).await {
                Ok(()) => {}
                Err(e) => return Err(backend(e)),
            }
            self.delete_parts(&ns, Self::index_of(&obj)?.as_ref(), None)
                .await?;
            Ok(rel)
        }
    }

    fn get(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let obj_name = object_name(name, version);
        async move {
            let ns = self.ns_required()?.to_string();
            let obj = self
                .get_object(&ns, &obj_name)
                .await
                .map_err(backend)?
                .ok_or(StorageError::NotFound)?;
            self.decode(&obj, Some(&ns)).await
        }
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        self.list_selector("owner=helm", "list: failed to list")
    }

    fn history(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let sel = format!("name={name},owner=helm");
        async move {
            self.list_selector(&sel, "query: failed to query with labels")
                .await
        }
    }
}

/// Release storage as `HELM_DRIVER` chooses it: one type for the actions whichever driver.
#[derive(Clone)]
pub enum Storage {
    /// Secrets or ConfigMaps.
    Kube(KubeStorage),
    /// This process's memory.
    Memory(helm_core::release::MemoryStorage),
    /// PostgreSQL.
    #[cfg(feature = "sql")]
    Sql(crate::cluster::sql::SqlStorage),
}

/// Runs one [`ReleaseStorage`] call on whichever driver a [`Storage`] holds.
macro_rules! on_driver {
    ($storage:expr, $s:ident => $call:expr) => {
        match $storage {
            Storage::Kube($s) => $call.await,
            Storage::Memory($s) => $call.await,
            #[cfg(feature = "sql")]
            Storage::Sql($s) => $call.await,
        }
    };
}

impl ReleaseStorage for Storage {
    fn name(&self) -> &'static str {
        match self {
            Storage::Kube(s) => s.name(),
            Storage::Memory(s) => s.name(),
            #[cfg(feature = "sql")]
            Storage::Sql(s) => s.name(),
        }
    }

    fn create(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        async move { on_driver!(self, s => s.create(rel)) }
    }

    fn update(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        async move { on_driver!(self, s => s.update(rel)) }
    }

    fn delete(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        async move { on_driver!(self, s => s.delete(name, version)) }
    }

    fn get(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        async move { on_driver!(self, s => s.get(name, version)) }
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        async move { on_driver!(self, s => s.list()) }
    }

    fn history(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        async move { on_driver!(self, s => s.history(name)) }
    }

    fn prepare(&self, rel: &Release) {
        match self {
            Storage::Kube(s) => s.prepare(rel),
            Storage::Memory(s) => s.prepare(rel),
            #[cfg(feature = "sql")]
            Storage::Sql(s) => s.prepare(rel),
        }
    }
}
