//! [`Cluster`] on a Kubernetes API server: a release's objects applied, inspected and
//! deleted as Helm 4 does (server-side apply with field manager `helm`, Helm's ownership
//! metadata on every object), readiness waits with kstatus' messages, hook objects waited to
//! completion, and `helm status`' live resources. The order of things (hooks by weight,
//! ownership checks, what is deleted when) is the actions' ([`crate::cluster::actions`]).

use crate::cluster::backend::Cluster;
use crate::cluster::client::{Client, ClusterCapabilities};
use crate::cluster::progress::ProgressEvent;
use crate::cluster::storage::Storage;
use crate::error::{is_not_found, Error, Result};
use helm_core::release::api::{ErrorKind, WaitStrategy};
use helm_core::release::logic::ResourceDoc;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PropagationPolicy};
use serde_json::{json, Value as J};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Helm 4's server-side apply field manager.
pub const FIELD_MANAGER: &str = "helm";
pub const ANN_RELEASE_NAME: &str = "meta.helm.sh/release-name";
pub const ANN_RELEASE_NAMESPACE: &str = "meta.helm.sh/release-namespace";
pub const LABEL_MANAGED_BY: &str = "app.kubernetes.io/managed-by";

impl Client {
    async fn api_for(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
    ) -> Result<(Api<DynamicObject>, bool)> {
        let (ar, namespaced) = self.resolve(&doc.api_version, &doc.kind).await?;
        let api = if namespaced {
            let ns = doc
                .namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string());
            Api::namespaced_with(self.kube.clone(), &ns, &ar)
        } else {
            Api::all_with(self.kube.clone(), &ar)
        };
        Ok((api, namespaced))
    }

    /// Server-side apply of one object as field manager `helm` (with Helm's ownership metadata
    /// when `owner` names a release); the object as the API server stored it, or would have.
    async fn server_side_apply(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        force: bool,
        dry_run: bool,
    ) -> Result<J> {
        let (api, namespaced) = self.api_for(doc, release_ns).await?;
        let obj = super::client_side::prepared(doc, &doc.object, release_ns, namespaced, owner);
        let mut pp = PatchParams::apply(FIELD_MANAGER);
        pp.force = force;
        pp.dry_run = dry_run;
        let stored = api
            .patch(&doc.name, &pp, &Patch::Apply(&obj))
            .await
            .map_err(Error::from)?;
        Ok(serde_json::to_value(&stored).unwrap_or(J::Null))
    }

    /// The namespace an object lives in (empty for cluster-scoped kinds).
    fn object_ns(&self, d: &ResourceDoc, release_ns: &str) -> String {
        let namespaced = self
            .resources_cached(&d.api_version, &d.kind)
            .unwrap_or(true);
        if namespaced {
            d.namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string())
        } else {
            String::new()
        }
    }
}

impl Cluster for Client {
    type Storage = Storage;

    fn default_namespace(&self) -> &str {
        self.namespace()
    }

    fn storage(&self, namespace: Option<&str>) -> Storage {
        Client::storage(self, namespace)
    }

    fn emit(&self, event: ProgressEvent) {
        Client::emit(self, event)
    }

    async fn ping(&self) -> Result<()> {
        self.reachable().await
    }

    async fn capabilities(&self) -> Result<ClusterCapabilities> {
        Client::capabilities(self).await
    }

    async fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        ns: &str,
        name: &str,
    ) -> std::result::Result<helm_core::values::Value, String> {
        let (ar, namespaced) = self
            .resolve(api_version, kind)
            .await
            .map_err(|e| e.to_string())?;
        let api: kube::Api<kube::api::DynamicObject> = if namespaced && !ns.is_empty() {
            kube::Api::namespaced_with(self.kube.clone(), ns, &ar)
        } else {
            kube::Api::all_with(self.kube.clone(), &ar)
        };
        let json = if name.is_empty() {
            match api.list(&Default::default()).await {
                Ok(list) => serde_json::to_string(&list).map_err(|e| e.to_string())?,
                Err(e) if crate::error::is_not_found(&e) => {
                    return Ok(helm_core::values::Value::empty_map())
                }
                Err(e) => return Err(e.to_string()),
            }
        } else {
            match api.get_opt(name).await {
                Ok(Some(obj)) => serde_json::to_string(&obj).map_err(|e| e.to_string())?,
                Ok(None) => return Ok(helm_core::values::Value::empty_map()),
                Err(e) => return Err(e.to_string()),
            }
        };
        helm_core::values::json::from_str(&json).map_err(|e| e.to_string())
    }

    async fn create_namespace(&self, ns: &str) -> Result<()> {
        use k8s_openapi::api::core::v1::Namespace;
        let api: kube::Api<Namespace> = kube::Api::all(self.kube.clone());
        let obj = Namespace {
            metadata: kube::api::ObjectMeta {
                name: Some(ns.into()),
                ..Default::default()
            },
            ..Default::default()
        };
        match api.create(&Default::default(), &obj).await {
            Ok(_) => Ok(()),
            Err(e) if crate::error::is_conflict(&e) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn get(&self, doc: &ResourceDoc, release_ns: &str) -> Result<Option<J>> {
        // Plain JSON, as the API server sent it (no round trip through typed metadata).
        let (path, _) = self.collection_path(doc, release_ns).await?;
        self.get_raw(&format!("{path}/{}", doc.name), false).await
    }

    async fn get_metadata(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        cached: bool,
    ) -> Result<Option<J>> {
        let (api, _) = self.api_for(doc, release_ns).await?;
        let params = if cached {
            kube::api::GetParams::any()
        } else {
            kube::api::GetParams::default()
        };
        Ok(api.get_metadata_opt_with(&doc.name, &params).await?.map(|o| {
            serde_json::json!({"metadata": serde_json::to_value(&o.metadata).unwrap_or_default()})
        }))
    }

    async fn apply(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        force: bool,
    ) -> Result<()> {
        self.server_side_apply(doc, release_ns, owner, force, false)
            .await
            .map(|_| ())
    }

    async fn apply_unchanged(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        applied_before: bool,
        live: &J,
    ) -> Result<bool> {
        let (_, namespaced) = self.resolve(&doc.api_version, &doc.kind).await?;
        let config = super::client_side::prepared(doc, &doc.object, release_ns, namespaced, owner);
        Ok(super::unchanged::apply_unchanged(
            config,
            live,
            FIELD_MANAGER,
            applied_before,
        ))
    }

    async fn apply_dry_run(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        force: bool,
    ) -> Result<J> {
        self.server_side_apply(doc, release_ns, owner, force, true)
            .await
    }

    async fn create(&self, doc: &ResourceDoc, release_ns: &str, owner: Option<&str>) -> Result<()> {
        self.csa_create(doc, release_ns, owner).await
    }

    async fn patch_client_side(
        &self,
        original: &J,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> Result<()> {
        self.csa_patch(original, doc, release_ns, owner).await
    }

    async fn replace(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> Result<()> {
        self.csa_replace(doc, release_ns, owner).await
    }

    async fn delete(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        cascade: Option<&str>,
    ) -> Result<bool> {
        let (api, _) = self.api_for(doc, release_ns).await?;
        let policy = match cascade {
            Some("foreground") => PropagationPolicy::Foreground,
            Some("orphan") => PropagationPolicy::Orphan,
            _ => PropagationPolicy::Background,
        };
        let dp = DeleteParams {
            propagation_policy: Some(policy),
            ..Default::default()
        };
        match api.delete(&doc.name, &dp).await {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn report_object(&self, doc: &ResourceDoc, release_ns: &str, applied: bool) {
        if !self.reporting() {
            return;
        }
        let (resource, namespaced) = match self.resolve(&doc.api_version, &doc.kind).await {
            Ok((ar, namespaced)) => (ar.plural, namespaced),
            Err(_) => (doc.kind.to_ascii_lowercase(), true),
        };
        let namespace = if namespaced {
            doc.namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string())
        } else {
            String::new()
        };
        let (kind, name) = (doc.kind.clone(), doc.name.clone());
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

    async fn migrate_csa_ownership(&self, docs: &[ResourceDoc], release_ns: &str) -> Result<()> {
        for doc in docs {
            let (api, _) = self.api_for(doc, release_ns).await?;
            let Some(live) = api.get_opt(&doc.name).await? else {
                continue;
            };
            let v = serde_json::to_value(&live).unwrap_or(J::Null);
            let entries = v
                .pointer("/metadata/managedFields")
                .and_then(|m| m.as_array())
                .cloned()
                .unwrap_or_default();
            let is = |e: &J, op: &str| {
                e.get("manager").and_then(|m| m.as_str()) == Some(FIELD_MANAGER)
                    && e.get("operation").and_then(|o| o.as_str()) == Some(op)
                    && e.get("subresource")
                        .and_then(|s| s.as_str())
                        .unwrap_or("")
                        .is_empty()
            };
            let updates: Vec<&J> = entries.iter().filter(|e| is(e, "Update")).collect();
            if updates.is_empty() {
                continue;
            }
            let mut apply = entries
                .iter()
                .find(|e| is(e, "Apply"))
                .cloned()
                .unwrap_or_else(|| {
                    let mut e = updates[0].clone();
                    if let Some(o) = e.as_object_mut() {
                        o.insert("operation".into(), J::String("Apply".into()));
                        o.insert("fieldsV1".into(), json!({}));
                    }
                    e
                });
            for u in &updates {
                if let (Some(into), Some(from)) = (apply.get_mut("fieldsV1"), u.get("fieldsV1")) {
                    merge_field_sets(into, from);
                }
            }
            let mut kept: Vec<J> = entries
                .iter()
                .filter(|e| !is(e, "Update") && !is(e, "Apply"))
                .cloned()
                .collect();
            kept.push(apply);
            let patch = json!({ "metadata": { "resourceVersion": live.metadata.resource_version, "managedFields": kept } });
            api.patch(&doc.name, &PatchParams::default(), &Patch::Merge(&patch))
                .await?;
        }
        Ok(())
    }

    async fn wait_deleted(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        timeout: Duration,
    ) -> Result<()> {
        let start = Instant::now();
        while self.get(doc, release_ns).await?.is_some() {
            if start.elapsed() > timeout {
                return Err(Error::Timeout(format!(
                    "timed out waiting for {} to be deleted",
                    doc.key()
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(())
    }

    async fn wait_ready(
        &self,
        docs: &[ResourceDoc],
        release_ns: &str,
        timeout: Duration,
        strategy: WaitStrategy,
    ) -> Result<()> {
        crate::cluster::track::wait_ready(self, docs, release_ns, timeout, strategy).await
    }

    async fn wait_hook(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        timeout: Duration,
    ) -> Result<()> {
        if doc.kind != "Job" && doc.kind != "Pod" {
            return Ok(());
        }
        let start = Instant::now();
        loop {
            if let Some(v) = self.get(doc, release_ns).await? {
                if doc.kind == "Job" {
                    for c in v
                        .pointer("/status/conditions")
                        .and_then(|c| c.as_array())
                        .cloned()
                        .unwrap_or_default()
                    {
                        let ty = c.get("type").and_then(|t| t.as_str()).unwrap_or("");
                        let st = c.get("status").and_then(|t| t.as_str()).unwrap_or("");
                        if st == "True" && ty == "Complete" {
                            return Ok(());
                        }
                        if st == "True" && ty == "Failed" {
                            let failed = v
                                .pointer("/status/failed")
                                .and_then(|x| x.as_i64())
                                .unwrap_or(0);
                            let want = v
                                .pointer("/spec/completions")
                                .and_then(|x| x.as_i64())
                                .unwrap_or(1);
                            return Err(Error::action(ErrorKind::Failed, format!(
                                "resource Job/{}/{} not ready. status: Failed, message: Job Failed. failed: {failed}/{want}",
                                self.object_ns(doc, release_ns),
                                doc.name
                            )));
                        }
                    }
                } else {
                    match v.pointer("/status/phase").and_then(|p| p.as_str()) {
                        Some("Succeeded") => return Ok(()),
                        Some("Failed") => {
                            return Err(Error::action(ErrorKind::Failed, format!(
                                "resource Pod/{}/{} not ready. status: Failed, message: pod {} failed",
                                self.object_ns(doc, release_ns),
                                doc.name,
                                doc.name
                            )))
                        }
                        _ => {}
                    }
                }
            }
            if start.elapsed() >= timeout {
                return Err(Error::Timeout(format!(
                    "timed out waiting for the condition on {}",
                    doc.key()
                )));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Helm 4's `helm status` resources (`kube.Client.Get(resources, related=true)`): the live
    /// objects of the release's manifest grouped by `VERSION/Kind` (the group left out, as
    /// Helm), plus `v1/Pod(related)`: for each Deployment/ReplicaSet/StatefulSet/DaemonSet/Job
    /// (`spec.selector.matchLabels`) or ReplicationController (`spec.selector`), the list of
    /// pods it selects (each selector once). With `table`, each entry is the API server's Table
    /// rendering (what `helm status` prints); without, the objects (`-o json|yaml`), pods as a
    /// `PodList`. Objects that no longer exist are left out, as Helm does.
    async fn release_resources(
        &self,
        manifest: &str,
        release_ns: &str,
        table: bool,
    ) -> Result<BTreeMap<String, Vec<J>>> {
        let docs = helm_core::release::logic::parse_manifest(manifest)
            .map_err(|e| Error::invalid(e.to_string()))?;
        let mut out: BTreeMap<String, Vec<J>> = BTreeMap::new();
        let mut selectors: Vec<BTreeMap<String, String>> = Vec::new();
        for doc in &docs {
            let (api, namespaced) = self.api_for(doc, release_ns).await?;
            let Some(obj) = self
                .get_raw(&format!("{}/{}", api.resource_url(), doc.name), table)
                .await?
            else {
                continue;
            };
            let version = doc
                .api_version
                .rsplit('/')
                .next()
                .unwrap_or(&doc.api_version);
            out.entry(format!("{version}/{}", doc.kind))
                .or_default()
                .push(obj);
            let Some(selector) = pod_selector(&doc.kind, &doc.object) else {
                continue;
            };
            if selectors.contains(&selector) {
                continue;
            }
            selectors.push(selector.clone());
            let ns = if namespaced {
                doc.namespace
                    .clone()
                    .unwrap_or_else(|| release_ns.to_string())
            } else {
                release_ns.to_string()
            };
            let label_selector: Vec<String> =
                selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let path = format!(
                "/api/v1/namespaces/{ns}/pods?labelSelector={}",
                url_escape(&label_selector.join(","))
            );
            if let Some(mut pods) = self.get_raw(&path, table).await? {
                if !table {
                    // Go's unstructured list encoding names each item's kind.
                    if let Some(items) = pods.get_mut("items").and_then(|i| i.as_array_mut()) {
                        for it in items.iter_mut().filter_map(|i| i.as_object_mut()) {
                            it.entry("apiVersion")
                                .or_insert_with(|| J::String("v1".into()));
                            it.entry("kind").or_insert_with(|| J::String("Pod".into()));
                        }
                    }
                }
                out.entry("v1/Pod(related)".into()).or_default().push(pods);
            }
        }
        Ok(out)
    }

    fn kinds_changed(&self) {
        self.reset_resolver()
    }
}

/// The `Accept` header Helm sends for server-side printing (`transformRequests`): a
/// `meta.k8s.io` Table (v1, else v1beta1), else the object.
const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

impl Client {
    /// GET of a path as JSON; `table` asks for the API server's Table rendering (with the
    /// object included, as Helm asks). None when the object does not exist.
    async fn get_raw(&self, path: &str, table: bool) -> Result<Option<J>> {
        let (path, accept) = if table {
            let sep = if path.contains('?') { '&' } else { '?' };
            (format!("{path}{sep}includeObject=Object"), TABLE_ACCEPT)
        } else {
            (path.to_string(), "application/json")
        };
        let req = http::Request::get(path)
            .header(http::header::ACCEPT, accept)
            .body(Vec::new())
            .map_err(|e| Error::action(ErrorKind::Internal, format!("building a request: {e}")))?;
        match self.kube.request::<J>(req).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// The union of two managed-field sets (`fieldsV1`: nested `f:`/`k:`/`v:` keys, `{}` leaves).
fn merge_field_sets(into: &mut J, from: &J) {
    let (Some(a), Some(b)) = (into.as_object_mut(), from.as_object()) else {
        return;
    };
    for (k, v) in b {
        match a.get_mut(k) {
            Some(existing) => merge_field_sets(existing, v),
            None => {
                a.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Helm's `getSelectorFromObject`: the labels selecting an object's pods.
fn pod_selector(kind: &str, obj: &J) -> Option<BTreeMap<String, String>> {
    let sel = match kind {
        "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => {
            obj.pointer("/spec/selector/matchLabels")?
        }
        "ReplicationController" => obj.pointer("/spec/selector")?,
        _ => return None,
    };
    let map = sel.as_object()?;
    Some(
        map.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect(),
    )
}

/// Percent-encoding of a query value.
fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Adds `meta.helm.sh/release-name`, `meta.helm.sh/release-namespace` and
/// `app.kubernetes.io/managed-by: Helm` (Helm's `setMetadataVisitor`).
pub fn set_ownership(obj: &mut J, release: &str, release_ns: &str) {
    let Some(root) = obj.as_object_mut() else {
        return;
    };
    let md = root.entry("metadata").or_insert_with(|| json!({}));
    let Some(md) = md.as_object_mut() else { return };
    let ann = md.entry("annotations").or_insert_with(|| json!({}));
    if !ann.is_object() {
        *ann = json!({});
    }
    if let Some(a) = ann.as_object_mut() {
        a.insert(ANN_RELEASE_NAME.into(), J::String(release.into()));
        a.insert(ANN_RELEASE_NAMESPACE.into(), J::String(release_ns.into()));
    }
    let labels = md.entry("labels").or_insert_with(|| json!({}));
    if !labels.is_object() {
        *labels = json!({});
    }
    if let Some(l) = labels.as_object_mut() {
        l.insert(LABEL_MANAGED_BY.into(), J::String("Helm".into()));
    }
}

/// Helm's `checkOwnership` messages, joined as Helm joins them (`; `).
pub fn ownership_problems(
    live: &J,
    release: &str,
    release_ns: &str,
) -> std::result::Result<(), String> {
    let mut errs = Vec::new();
    let field = |map: &str, key: &str| {
        live.pointer(&format!("/metadata/{map}"))
            .and_then(|m| m.get(key))
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string())
            })
    };
    match field("labels", LABEL_MANAGED_BY) {
        None => errs.push(format!("label validation error: missing key \"{LABEL_MANAGED_BY}\": must be set to \"Helm\"")),
        Some(v) if v != "Helm" => errs.push(format!("label validation error: key \"{LABEL_MANAGED_BY}\" must equal \"Helm\": current value is \"{v}\"")),
        _ => {}
    }
    for (key, want) in [
        (ANN_RELEASE_NAME, release),
        (ANN_RELEASE_NAMESPACE, release_ns),
    ] {
        match field("annotations", key) {
            None => errs.push(format!("annotation validation error: missing key \"{key}\": must be set to \"{want}\"")),
            Some(v) if v != want => errs.push(format!("annotation validation error: key \"{key}\" must equal \"{want}\": current value is \"{v}\"")),
            _ => {}
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

/// kstatus' message for an object still in progress (the Deployment rules are kstatus'
/// order: replicas, updated, pending termination, available).
pub fn in_progress_message(kind: &str, v: &J) -> String {
    let int = |p: &str| v.pointer(p).and_then(|x| x.as_i64()).unwrap_or(0);
    match kind {
        "Deployment" | "ReplicaSet" => {
            let spec = v
                .pointer("/spec/replicas")
                .and_then(|x| x.as_i64())
                .unwrap_or(1);
            let (replicas, updated, available) = (
                int("/status/replicas"),
                int("/status/updatedReplicas"),
                int("/status/availableReplicas"),
            );
            if spec > replicas {
                format!("Replicas: {replicas}/{spec}")
            } else if updated < spec {
                format!("Updated: {updated}/{spec}")
            } else if replicas > spec {
                format!("Pending termination: {}", replicas - spec)
            } else {
                format!("Available: {available}/{spec}")
            }
        }
        "StatefulSet" => {
            let spec = v
                .pointer("/spec/replicas")
                .and_then(|x| x.as_i64())
                .unwrap_or(1);
            format!("Ready: {}/{spec}", int("/status/readyReplicas"))
        }
        "DaemonSet" => format!(
            "Ready: {}/{}",
            int("/status/numberReady"),
            int("/status/desiredNumberScheduled")
        ),
        "PersistentVolumeClaim" => "PVC is not Bound".into(),
        "Job" => format!(
            "Job in progress. success:{}, active: {}, failed: {}",
            int("/status/succeeded"),
            int("/status/active"),
            int("/status/failed")
        ),
        "Pod" => "Pod phase not available".into(),
        "Service" => "Service is not ready".into(),
        _ => "Resource is not ready".into(),
    }
}

/// Whether `--wait` counts a live object as ready under `strategy`.
pub fn object_ready(kind: &str, v: &J, strategy: WaitStrategy) -> bool {
    match strategy {
        WaitStrategy::Watcher => generic_in_progress(kind, v).is_none() && kind_ready(kind, v),
        WaitStrategy::Legacy => legacy_ready(kind, v),
    }
}

/// kstatus' rules for every kind, custom resources included: an object being deleted, one
/// whose controller has not yet seen its latest `metadata.generation`, and one with a true
/// `Reconciling` or `Stalled` condition is not current. The message says which.
pub fn generic_in_progress(kind: &str, v: &J) -> Option<String> {
    if v.pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        return Some("Resource scheduled for deletion".into());
    }
    let int = |p: &str| v.pointer(p).and_then(|x| x.as_i64());
    if let (Some(g), Some(o)) = (
        int("/metadata/generation"),
        int("/status/observedGeneration"),
    ) {
        if o != g {
            return Some(format!(
                "{kind} generation is {g}, but latest observed generation is {o}"
            ));
        }
    }
    let conditions = v.pointer("/status/conditions").and_then(|c| c.as_array())?;
    for wanted in ["Stalled", "Reconciling"] {
        let c = conditions.iter().find(|c| {
            c.get("type").and_then(|t| t.as_str()) == Some(wanted)
                && c.get("status").and_then(|t| t.as_str()) == Some("True")
        });
        if let Some(c) = c {
            let text = |k: &str| c.get(k).and_then(|m| m.as_str()).filter(|m| !m.is_empty());
            let why = text("message").or_else(|| text("reason")).unwrap_or(wanted);
            return Some(format!("{wanted}: {why}"));
        }
    }
    None
}

/// Helm 3's ready checks (`--wait=legacy`): a Deployment is ready with `maxUnavailable` of
/// its pods not ready (Helm counts the ready pods of the newest ReplicaSet; here the
/// Deployment's updated and ready counts bound them), a DaemonSet likewise; kinds without a
/// rule, custom resources among them, are ready at once.
fn legacy_ready(kind: &str, v: &J) -> bool {
    let int = |p: &str| v.pointer(p).and_then(|x| x.as_i64());
    match kind {
        "Deployment" => {
            let want = int("/spec/replicas").unwrap_or(1);
            let recreate =
                v.pointer("/spec/strategy/type").and_then(|t| t.as_str()) == Some("Recreate");
            let unavailable = if recreate {
                0
            } else {
                scaled(
                    v.pointer("/spec/strategy/rollingUpdate/maxUnavailable"),
                    want,
                    false,
                    "25%",
                )
            };
            let ready = int("/status/updatedReplicas")
                .unwrap_or(0)
                .min(int("/status/readyReplicas").unwrap_or(0));
            ready >= want - unavailable.min(want)
        }
        "DaemonSet" => {
            if v.pointer("/spec/updateStrategy/type")
                .and_then(|t| t.as_str())
                == Some("OnDelete")
            {
                return true;
            }
            let want = int("/status/desiredNumberScheduled").unwrap_or(0);
            let unavailable = scaled(
                v.pointer("/spec/updateStrategy/rollingUpdate/maxUnavailable"),
                want,
                true,
                "1",
            );
            int("/status/updatedNumberScheduled").unwrap_or(0) >= want
                && int("/status/numberReady").unwrap_or(0) >= want - unavailable.min(want)
        }
        "StatefulSet"
        | "ReplicaSet"
        | "Job"
        | "PersistentVolumeClaim"
        | "Service"
        | "Pod"
        | "CustomResourceDefinition" => kind_ready(kind, v),
        _ => true,
    }
}

/// An int-or-percent field (`maxUnavailable`) scaled to `total`, as Kubernetes'
/// `GetScaledValueFromIntOrPercent` (percentages rounded up or down).
fn scaled(field: Option<&J>, total: i64, round_up: bool, default: &str) -> i64 {
    let text = match field {
        Some(J::Number(n)) => return n.as_i64().unwrap_or(0),
        Some(J::String(s)) => s.as_str(),
        _ => default,
    };
    match text.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
        Some(pct) if round_up => (pct * total + 99) / 100,
        Some(pct) => pct * total / 100,
        None => text.parse().unwrap_or(0),
    }
}

/// Readiness of a live object by kind (Helm's `ReadyChecker`, without the pod lookups).
fn kind_ready(kind: &str, v: &J) -> bool {
    let int = |p: &str| v.pointer(p).and_then(|x| x.as_i64());
    let gen_ok = match (
        int("/metadata/generation"),
        int("/status/observedGeneration"),
    ) {
        (Some(g), Some(o)) => o >= g,
        (Some(_), None) => false,
        _ => true,
    };
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => {
            let want = int("/spec/replicas").unwrap_or(1);
            let ready = int("/status/readyReplicas").unwrap_or(0);
            let updated = if kind == "StatefulSet" {
                int("/status/updatedReplicas").unwrap_or(0)
            } else {
                int("/status/updatedReplicas").unwrap_or(0)
            };
            gen_ok && ready >= want && updated >= want
        }
        "DaemonSet" => {
            let want = int("/status/desiredNumberScheduled").unwrap_or(0);
            gen_ok
                && int("/status/numberReady").unwrap_or(0) >= want
                && int("/status/updatedNumberScheduled").unwrap_or(0) >= want
        }
        "Job" => v
            .pointer("/status/conditions")
            .and_then(|c| c.as_array())
            .map(|cs| {
                cs.iter().any(|c| {
                    c.get("type").and_then(|t| t.as_str()) == Some("Complete")
                        && c.get("status").and_then(|t| t.as_str()) == Some("True")
                })
            })
            .unwrap_or(false),
        "PersistentVolumeClaim" => {
            v.pointer("/status/phase").and_then(|p| p.as_str()) == Some("Bound")
        }
        "Service" => {
            if v.pointer("/spec/type").and_then(|t| t.as_str()) == Some("LoadBalancer") {
                v.pointer("/status/loadBalancer/ingress")
                    .and_then(|i| i.as_array())
                    .map(|a| !a.is_empty())
                    .unwrap_or(false)
            } else {
                true
            }
        }
        "Pod" => v
            .pointer("/status/conditions")
            .and_then(|c| c.as_array())
            .map(|cs| {
                cs.iter().any(|c| {
                    c.get("type").and_then(|t| t.as_str()) == Some("Ready")
                        && c.get("status").and_then(|t| t.as_str()) == Some("True")
                })
            })
            .unwrap_or(false),
        "CustomResourceDefinition" => v
            .pointer("/status/conditions")
            .and_then(|c| c.as_array())
            .map(|cs| {
                cs.iter().any(|c| {
                    c.get("type").and_then(|t| t.as_str()) == Some("Established")
                        && c.get("status").and_then(|t| t.as_str()) == Some("True")
                })
            })
            .unwrap_or(false),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_rules() {
        let d = json!({"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"readyReplicas":2,"updatedReplicas":2}});
        let w = WaitStrategy::Watcher;
        assert!(object_ready("Deployment", &d, w));
        let d = json!({"metadata":{"generation":3},"spec":{"replicas":2},"status":{"observedGeneration":2,"readyReplicas":2,"updatedReplicas":2}});
        assert!(!object_ready("Deployment", &d, w));
        assert!(!object_ready(
            "PersistentVolumeClaim",
            &json!({"status":{"phase":"Pending"}}),
            w
        ));
        assert!(object_ready("ConfigMap", &json!({}), w));
        assert!(!object_ready("Job", &json!({"status":{}}), w));
    }

    /// kstatus' generic rules hold for custom resources under `watcher` only; `legacy` lets a
    /// Deployment be ready with `maxUnavailable` pods short, as Helm 3 does.
    #[test]
    fn watcher_and_legacy_rules() {
        let (w, l) = (WaitStrategy::Watcher, WaitStrategy::Legacy);
        let reconciling = json!({"metadata":{"generation":1},"status":{"conditions":[
            {"type":"Ready","status":"False"},{"type":"Reconciling","status":"True","reason":"Progressing","message":"waiting for the database"}]}});
        assert!(!object_ready("Database", &reconciling, w));
        assert!(object_ready("Database", &reconciling, l));
        assert_eq!(
            generic_in_progress("Database", &reconciling).as_deref(),
            Some("Reconciling: waiting for the database")
        );
        let stalled = json!({"status":{"conditions":[{"type":"Stalled","status":"True","reason":"BadSpec"}]}});
        assert_eq!(
            generic_in_progress("Database", &stalled).as_deref(),
            Some("Stalled: BadSpec")
        );
        let behind = json!({"metadata":{"generation":4},"status":{"observedGeneration":3}});
        assert_eq!(
            generic_in_progress("Database", &behind).as_deref(),
            Some("Database generation is 4, but latest observed generation is 3")
        );
        assert!(object_ready(
            "Database",
            &json!({"metadata":{"generation":2},"status":{"observedGeneration":2,"conditions":[{"type":"Reconciling","status":"False"}]}}),
            w
        ));
        assert!(!object_ready(
            "ConfigMap",
            &json!({"metadata":{"deletionTimestamp":"2026-12-07T00:00:00Z"}}),
            w
        ));

        // 4 replicas, 3 ready: maxUnavailable 25% of 4 is 1.
        let d = json!({"metadata":{"generation":1},"spec":{"replicas":4},"status":{"observedGeneration":1,"readyReplicas":3,"updatedReplicas":4}});
        assert!(object_ready("Deployment", &d, l));
        assert!(!object_ready("Deployment", &d, w));
        // 3 replicas, 2 ready: 25% of 3 rounds down to 0.
        let d = json!({"spec":{"replicas":3},"status":{"readyReplicas":2,"updatedReplicas":3}});
        assert!(!object_ready("Deployment", &d, l));
        let d = json!({"spec":{"replicas":3,"strategy":{"rollingUpdate":{"maxUnavailable":1}}},"status":{"readyReplicas":2,"updatedReplicas":3}});
        assert!(object_ready("Deployment", &d, l));
        let d = json!({"spec":{"replicas":3,"strategy":{"type":"Recreate"}},"status":{"readyReplicas":2,"updatedReplicas":3}});
        assert!(!object_ready("Deployment", &d, l));
        // DaemonSet: maxUnavailable 1 by default.
        let ds = json!({"status":{"desiredNumberScheduled":3,"updatedNumberScheduled":3,"numberReady":2}});
        assert!(object_ready("DaemonSet", &ds, l));
        assert!(!object_ready("DaemonSet", &ds, w));
    }

    #[test]
    fn ownership_metadata() {
        let mut o = json!({"metadata":{"name":"x","labels":{"a":"b"}}});
        set_ownership(&mut o, "r", "ns");
        assert_eq!(
            o.pointer("/metadata/labels/app.kubernetes.io~1managed-by"),
            Some(&json!("Helm"))
        );
        assert_eq!(
            o.pointer("/metadata/annotations/meta.helm.sh~1release-name"),
            Some(&json!("r"))
        );
        assert_eq!(o.pointer("/metadata/labels/a"), Some(&json!("b")));
    }
}
