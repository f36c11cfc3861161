//! An in-memory [`Cluster`]: objects in a map, records in Helm's `memory` driver
//! ([`MemoryStorage`]), every call logged, and failures injected on demand (Helm tests its
//! actions the same way, with `kube/fake`'s clients and the memory driver).
//!
//! Why: the release actions are sequencing — records written in a given order, hooks around
//! the objects, what a failed upgrade, `--atomic` or `--cleanup-on-fail` leaves behind. On a
//! real API server a failing apply needs a broken webhook and a timeout costs its full wait;
//! here both are one call and a test runs in milliseconds. The behaviour of the objects
//! themselves (server-side apply, readiness) is the API server's, tested against a real one.
//!
//! Objects are keyed `Kind/namespace/name` (namespace empty for cluster-scoped kinds). Applying
//! stores the object with Helm's ownership metadata when a release owns it; every object is
//! ready and every hook succeeds unless told otherwise ([`FakeCluster::fail_apply`],
//! [`FakeCluster::never_ready`], [`FakeCluster::fail_hook`]).

use crate::cluster::backend::Cluster;
use crate::cluster::client::ClusterCapabilities;
use crate::cluster::progress::ProgressEvent;
use crate::cluster::resources::set_ownership;
use crate::error::{Error, Result};
use helm_core::release::api::{ErrorKind, WaitStrategy};
use helm_core::release::logic::ResourceDoc;
use helm_core::release::MemoryStorage;
use helm_core::render::objects::{KubeVersion, DEFAULT_API_VERSIONS};
use helm_core::values::Value;
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

/// Kinds the fake treats as cluster-scoped (the common built-in ones).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
];

#[derive(Default)]
struct State {
    objects: BTreeMap<String, J>,
    namespaces: BTreeSet<String>,
    calls: Vec<String>,
    events: Vec<ProgressEvent>,
    /// Object key (`Kind/name`) → the API server's message its apply fails with.
    fail_apply: BTreeMap<String, String>,
    /// Objects (`Kind/name`) that never become ready.
    never_ready: BTreeSet<String>,
    /// Hook objects (`Kind/name`) whose run fails.
    fail_hook: BTreeSet<String>,
}

/// An in-memory cluster with its release records; clones share everything.
#[derive(Clone)]
pub struct FakeCluster {
    state: Arc<Mutex<State>>,
    records: MemoryStorage,
    namespace: String,
}

impl FakeCluster {
    /// An empty cluster whose actions default to `namespace`.
    pub fn new(namespace: &str) -> FakeCluster {
        FakeCluster {
            state: Arc::default(),
            records: MemoryStorage::new(""),
            namespace: namespace.to_string(),
        }
    }

    /// Every release record, any namespace (to inspect or to seed, e.g. a `pending-*` one).
    pub fn records(&self) -> &MemoryStorage {
        &self.records
    }

    /// Stores `doc` under `key` as a write of it leaves it (or fails as told).
    fn store(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        key: String,
    ) -> Result<()> {
        if let Some(message) = self.state().fail_apply.get(&doc.key()).cloned() {
            return Err(Error::Api { code: 422, message });
        }
        let mut obj = doc.object.clone();
        if let Some(release) = owner {
            set_ownership(&mut obj, release, release_ns);
        }
        self.state().objects.insert(key, obj);
        Ok(())
    }

    /// Makes applying `Kind/name` fail with `message` (as an API server's 422 would).
    pub fn fail_apply(&self, key: &str, message: &str) {
        self.state()
            .fail_apply
            .insert(key.to_string(), message.to_string());
    }

    /// Makes `Kind/name` never ready: `--wait` on it times out.
    pub fn never_ready(&self, key: &str) {
        self.state().never_ready.insert(key.to_string());
    }

    /// Makes the hook object `Kind/name` fail (a Job that failed).
    pub fn fail_hook(&self, key: &str) {
        self.state().fail_hook.insert(key.to_string());
    }

    /// Clears every injected failure.
    pub fn heal(&self) {
        let mut st = self.state();
        st.fail_apply.clear();
        st.never_ready.clear();
        st.fail_hook.clear();
    }

    /// Puts an object there as if someone else had created it.
    pub fn put(&self, doc: &ResourceDoc, release_ns: &str) {
        let key = self.key(doc, release_ns);
        self.state().objects.insert(key, doc.object.clone());
    }

    /// The live objects' keys (`Kind/namespace/name`), sorted.
    pub fn objects(&self) -> Vec<String> {
        self.state().objects.keys().cloned().collect()
    }

    /// One live object by key (`Kind/namespace/name`).
    pub fn object(&self, key: &str) -> Option<J> {
        self.state().objects.get(key).cloned()
    }

    /// The calls made so far, in order: `apply KEY`, `delete KEY`, `wait KEY,KEY…`,
    /// `hook KEY` (a hook object waited on), `namespace NAME`.
    pub fn calls(&self) -> Vec<String> {
        self.state().calls.clone()
    }

    /// Forgets the calls made so far.
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    /// The progress events reported so far.
    pub fn events(&self) -> Vec<ProgressEvent> {
        self.state().events.clone()
    }

    fn namespace_of(doc: &ResourceDoc, release_ns: &str) -> String {
        if CLUSTER_SCOPED.contains(&doc.kind.as_str()) {
            String::new()
        } else {
            doc.namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string())
        }
    }

    fn key(&self, doc: &ResourceDoc, release_ns: &str) -> String {
        format!(
            "{}/{}/{}",
            doc.kind,
            Self::namespace_of(doc, release_ns),
            doc.name
        )
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn log(&self, call: String) {
        self.state().calls.push(call);
    }
}

impl Cluster for FakeCluster {
    type Storage = MemoryStorage;

    fn default_namespace(&self) -> &str {
        &self.namespace
    }

    fn storage(&self, namespace: Option<&str>) -> MemoryStorage {
        self.records.scoped(namespace.unwrap_or(""))
    }

    fn emit(&self, event: ProgressEvent) {
        self.state().events.push(event);
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }

    async fn capabilities(&self) -> Result<ClusterCapabilities> {
        Ok(ClusterCapabilities {
            kube_version: KubeVersion::default(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        })
    }

    async fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> std::result::Result<Value, String> {
        let doc = ResourceDoc {
            api_version: api_version.into(),
            kind: kind.into(),
            name: name.into(),
            namespace: Some(namespace.into()),
            object: J::Null,
        };
        let key = self.key(&doc, namespace);
        match self.state().objects.get(&key) {
            Some(obj) => {
                helm_core::values::json::from_str(&obj.to_string()).map_err(|e| e.to_string())
            }
            None => Ok(Value::empty_map()),
        }
    }

    async fn create_namespace(&self, namespace: &str) -> Result<()> {
        self.log(format!("namespace {namespace}"));
        self.state().namespaces.insert(namespace.to_string());
        Ok(())
    }

    async fn get(&self, doc: &ResourceDoc, release_ns: &str) -> Result<Option<J>> {
        let key = self.key(doc, release_ns);
        Ok(self.state().objects.get(&key).cloned())
    }

    async fn get_metadata(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        _cached: bool,
    ) -> Result<Option<J>> {
        let key = self.key(doc, release_ns);
        let state = self.state();
        Ok(state.objects.get(&key).map(
            |o| serde_json::json!({"metadata": o.get("metadata").cloned().unwrap_or_default()}),
        ))
    }

    async fn apply(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        _force: bool,
    ) -> Result<()> {
        let key = self.key(doc, release_ns);
        self.log(format!("apply {key}"));
        if let Some(message) = self.state().fail_apply.get(&doc.key()).cloned() {
            return Err(Error::Api { code: 422, message });
        }
        let mut obj = doc.object.clone();
        if let Some(release) = owner {
            set_ownership(&mut obj, release, release_ns);
        }
        self.state().objects.insert(key, obj);
        Ok(())
    }

    async fn create(&self, doc: &ResourceDoc, release_ns: &str, owner: Option<&str>) -> Result<()> {
        let key = self.key(doc, release_ns);
        self.log(format!("create {key}"));
        self.store(doc, release_ns, owner, key)
    }

    /// The fake keeps no other manager's fields: the patched object is the new one.
    async fn patch_client_side(
        &self,
        _original: &J,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> Result<()> {
        let key = self.key(doc, release_ns);
        self.log(format!("patch {key}"));
        self.store(doc, release_ns, owner, key)
    }

    async fn replace(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> Result<()> {
        let key = self.key(doc, release_ns);
        self.log(format!("replace {key}"));
        self.store(doc, release_ns, owner, key)
    }

    /// Never shown unchanged: the fake keeps no field ownership, so every apply is sent.
    async fn apply_unchanged(
        &self,
        _doc: &ResourceDoc,
        _release_ns: &str,
        _owner: Option<&str>,
        _applied_before: bool,
        _live: &J,
    ) -> Result<bool> {
        Ok(false)
    }

    async fn apply_dry_run(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        _force: bool,
    ) -> Result<J> {
        self.log(format!("apply --dry-run {}", self.key(doc, release_ns)));
        let mut obj = doc.object.clone();
        if let Some(release) = owner {
            set_ownership(&mut obj, release, release_ns);
        }
        Ok(obj)
    }

    async fn delete(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        _cascade: Option<&str>,
    ) -> Result<bool> {
        let key = self.key(doc, release_ns);
        let existed = self.state().objects.remove(&key).is_some();
        if existed {
            self.log(format!("delete {key}"));
        }
        Ok(existed)
    }

    async fn report_object(&self, doc: &ResourceDoc, release_ns: &str, applied: bool) {
        let (kind, name, namespace) = (
            doc.kind.clone(),
            doc.name.clone(),
            Self::namespace_of(doc, release_ns),
        );
        let resource = format!("{}s", doc.kind.to_ascii_lowercase());
        self.emit(if applied {
            ProgressEvent::ResourceApplied {
                kind,
                namespace,
                name,
                resource,
            }
        } else {
            ProgressEvent::ResourceDeleted {
                kind,
                namespace,
                name,
                resource,
            }
        });
    }

    async fn wait_ready(
        &self,
        docs: &[ResourceDoc],
        release_ns: &str,
        _timeout: Duration,
        _strategy: WaitStrategy,
    ) -> Result<()> {
        self.log(format!(
            "wait {}",
            docs.iter()
                .map(|d| self.key(d, release_ns))
                .collect::<Vec<_>>()
                .join(",")
        ));
        let st = self.state();
        let stuck: Vec<String> = docs
            .iter()
            .filter(|d| st.never_ready.contains(&d.key()))
            .map(|d| format!("resource {}/{}/{} not ready. status: InProgress, message: Resource is not ready", d.kind, Self::namespace_of(d, release_ns), d.name))
            .collect();
        if stuck.is_empty() {
            return Ok(());
        }
        Err(Error::Timeout(format!(
            "{}\ncontext deadline exceeded",
            stuck.join("\n")
        )))
    }

    async fn wait_deleted(
        &self,
        _doc: &ResourceDoc,
        _release_ns: &str,
        _timeout: Duration,
    ) -> Result<()> {
        Ok(())
    }

    async fn wait_hook(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        _timeout: Duration,
    ) -> Result<()> {
        let key = self.key(doc, release_ns);
        self.log(format!("hook {key}"));
        if self.state().fail_hook.contains(&doc.key()) {
            return Err(Error::action(
                ErrorKind::Failed,
                format!(
                    "resource {}/{}/{} not ready. status: Failed, message: Job Failed. failed: 1/1",
                    doc.kind,
                    Self::namespace_of(doc, release_ns),
                    doc.name
                ),
            ));
        }
        Ok(())
    }

    async fn migrate_csa_ownership(&self, docs: &[ResourceDoc], release_ns: &str) -> Result<()> {
        self.log(format!(
            "migrate {}",
            docs.iter()
                .map(|d| self.key(d, release_ns))
                .collect::<Vec<_>>()
                .join(",")
        ));
        Ok(())
    }

    async fn release_resources(
        &self,
        manifest: &str,
        release_ns: &str,
        _table: bool,
    ) -> Result<BTreeMap<String, Vec<J>>> {
        let docs = helm_core::release::logic::parse_manifest(manifest)
            .map_err(|e| Error::invalid(e.to_string()))?;
        let mut out: BTreeMap<String, Vec<J>> = BTreeMap::new();
        for doc in &docs {
            if let Some(obj) = self.get(doc, release_ns).await? {
                let version = doc
                    .api_version
                    .rsplit('/')
                    .next()
                    .unwrap_or(&doc.api_version);
                out.entry(format!("{version}/{}", doc.kind))
                    .or_default()
                    .push(obj);
            }
        }
        Ok(out)
    }

    fn kinds_changed(&self) {}
}
