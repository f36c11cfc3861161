//! What the release actions need from a cluster: the [`Cluster`] trait (Helm's
//! `kube.Interface` together with its release storage).
//!
//! Why a trait: the actions ([`crate::cluster::actions`]) are the sequencing of Helm's release
//! rules — which record is written when, which hooks run before which objects, what a failure
//! leaves behind — and that sequencing is the same whatever holds the objects and the records.
//! [`Client`](crate::Client) implements it on a Kubernetes API server (kube-rs, the Secret or
//! ConfigMap drivers); [`FakeCluster`](crate::cluster::fake::FakeCluster) implements it in
//! memory, so the sequencing is tested in milliseconds and failures can be injected where a
//! real API server would need a broken webhook. Every type that implements `Cluster` gets the
//! release API ([`crate::ReleaseApi`]) from the actions.
//!
//! Objects travel as [`ResourceDoc`]s (one rendered manifest document); live objects come back
//! as JSON. The operations are the primitive ones (get, apply, delete, wait); ownership checks
//! and hook ordering are built on them by the actions, once.

use crate::cluster::client::ClusterCapabilities;
use crate::cluster::progress::ProgressEvent;
use crate::error::Result;
use helm_core::release::api::WaitStrategy;
use helm_core::release::logic::ResourceDoc;
use helm_core::release::ReleaseStorage;
use helm_core::values::Value;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

/// A cluster the release actions run on, with the storage of its release records.
pub trait Cluster: Clone + Send + Sync + 'static {
    /// Where this cluster's release records live.
    type Storage: ReleaseStorage;

    /// The namespace actions use when none is given.
    fn default_namespace(&self) -> &str;

    /// Release storage for `namespace` (None: every namespace, for listing).
    fn storage(&self, namespace: Option<&str>) -> Self::Storage;

    /// Reports a progress event to whoever listens (nobody: dropped).
    fn emit(&self, event: ProgressEvent);

    /// Whether the cluster answers (Helm checks before acting).
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    /// `.Capabilities` as the cluster reports them.
    fn capabilities(&self) -> impl Future<Output = Result<ClusterCapabilities>> + Send;

    /// Helm's `lookup`: the object (an empty `name`: the list) as template data; an empty map
    /// when it does not exist. The error is the text the template error shows.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> impl Future<Output = std::result::Result<Value, String>> + Send;

    /// Creates a namespace; one that exists already is fine.
    fn create_namespace(&self, namespace: &str) -> impl Future<Output = Result<()>> + Send;

    /// The live object, if it exists.
    fn get(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
    ) -> impl Future<Output = Result<Option<J>>> + Send;

    /// The live object's metadata alone (`{"metadata": …}`), if it exists: what existence and
    /// ownership checks need, without the rest of the object (a CRD is megabytes). `cached`:
    /// the API server may answer from its watch cache (a little behind, but it does not read
    /// and decode the stored object again).
    fn get_metadata(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        cached: bool,
    ) -> impl Future<Output = Result<Option<J>>> + Send;

    /// Server-side apply of one object (field manager `helm`); `owner` (a release name) adds
    /// Helm's ownership metadata; `force` takes over conflicting fields.
    fn apply(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        force: bool,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Whether [`apply`](Cluster::apply) of `doc` would change nothing to `live` (the object as
    /// [`get`](Cluster::get) read it), as its field ownership shows ([`super::unchanged`]);
    /// false when that cannot be shown. `applied_before`: the last successful apply of this
    /// object was of the same document. Upgrades skip such applies.
    fn apply_unchanged(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        applied_before: bool,
        live: &J,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// What [`apply`](Cluster::apply) would store, without storing it (a server-side apply dry
    /// run: defaults, admission webhooks and the fields other managers own included).
    fn apply_dry_run(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
        force: bool,
    ) -> impl Future<Output = Result<J>> + Send;

    /// Client-side apply of a new object (Helm's `createResource`): POST as field manager
    /// `helm`, with Helm's ownership metadata when `owner` names a release.
    fn create(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Client-side apply of an existing object (Helm's `patchResourceClientSide`): the patch
    /// from `original` (the previous release's object) to `doc`, computed against the live
    /// object (a three-way strategic merge patch for kinds with Go types, a JSON merge patch for
    /// others); nothing is sent when nothing changes.
    fn patch_client_side(
        &self,
        original: &J,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// `--force-replace` under client-side apply (Helm's `replaceResource`): PUT of `doc` over
    /// the live object.
    fn replace(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deletes one object with a propagation policy (`background` when None, `foreground`,
    /// `orphan`); a missing object is fine. Returns whether it existed.
    fn delete(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        cascade: Option<&str>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Reports an object applied (`applied`) or deleted as a progress event.
    fn report_object(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        applied: bool,
    ) -> impl Future<Output = ()> + Send;

    /// `--wait`: until every object is ready by `strategy`'s rules, or `timeout` (then an
    /// [`Error::Timeout`](crate::Error::Timeout) naming what was not ready and why).
    fn wait_ready(
        &self,
        docs: &[ResourceDoc],
        release_ns: &str,
        timeout: Duration,
        strategy: WaitStrategy,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Until the object is gone (after a delete), up to `timeout`.
    fn wait_deleted(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<()>> + Send;

    /// A hook's object is done: a Job completed, a Pod succeeded (their failure is the error);
    /// other kinds once they exist.
    fn wait_hook(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Hands the objects' client-side (`Update`) field ownership of manager `helm` to its
    /// server-side apply entry, as Helm 4 does for `--server-side=true` on a release applied
    /// client-side.
    fn migrate_csa_ownership(
        &self,
        docs: &[ResourceDoc],
        release_ns: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// `helm status`' resources: the live objects of `manifest` grouped by `VERSION/Kind`,
    /// plus the pods they select (`v1/Pod(related)`); `table`: the API server's Table
    /// renderings instead of the objects.
    fn release_resources(
        &self,
        manifest: &str,
        release_ns: &str,
        table: bool,
    ) -> impl Future<Output = Result<BTreeMap<String, Vec<J>>>> + Send;

    /// New kinds may exist (CRDs were just installed): forget what discovery cached.
    fn kinds_changed(&self);
}
