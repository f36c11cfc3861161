//! Helm's release actions on any [`Cluster`]: install, upgrade, rollback, uninstall, status,
//! history, list, get values, test — the release API ([`ReleaseApi`]) of every type that
//! implements `Cluster`. The rules (revisions, pending refusal, pruning, kind order) come from
//! `helm_core::release::logic`; this module sequences the cluster and storage calls: when each
//! record is written, hooks by weight around the objects, ownership checks, what a failure
//! leaves behind.

use crate::api::resolve_chart;
use crate::api::ReleaseApi;
use crate::cluster::backend::Cluster;
use crate::cluster::progress::ProgressEvent;
use crate::cluster::resources::ownership_problems;
use crate::error::{Error, Result};
use helm_core::chart::Chart;
use helm_core::release::api::{ChartRef, ErrorKind, RecoverOptions, WaitStrategy};
pub use helm_core::release::api::{
    InstallOptions, ListOptions, RollbackOptions, UninstallOptions, UninstallResult,
    UpgradeOptions, DEFAULT_TIMEOUT,
};
use helm_core::release::logic::{self, ResourceDoc};
use helm_core::release::record::{core_to_json, json_to_core, HookRecord};
use helm_core::release::storage::ReleaseStorageExt;
use helm_core::release::{
    HookExecution, Info, Release, ReleaseStorage, Status, StorageError, Time,
};
use helm_core::render::{self, ReleaseOptions, TemplateOptions};
use helm_core::values::Value;
use std::time::Duration;

/// The release's manifest: every rendered document under its `# Source:` line; with
/// `hide_secret` (dry runs only) each `v1` Secret's text is left out, as Helm does.
fn manifest_text(rendered: &render::Rendered, hide_secret: bool) -> String {
    let mut out = String::new();
    for m in &rendered.manifests {
        if hide_secret && m.head.kind == "Secret" && m.head.api_version == "v1" {
            out.push_str(&format!(
                "---\n# Source: {}\n# HIDDEN: The Secret output has been suppressed\n",
                m.name
            ));
        } else {
            out.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content));
        }
    }
    out
}

/// Helm's refusal of `--hide-secret` outside a dry run.
fn check_hide_secret(hide_secret: bool, dry_run: bool) -> Result<()> {
    if hide_secret && !dry_run {
        return Err(Error::invalid(
            "hiding Kubernetes secrets requires a dry-run mode",
        ));
    }
    Ok(())
}

fn map_to_json(v: &Value) -> serde_json::Map<String, serde_json::Value> {
    core_to_json(v).as_object().cloned().unwrap_or_default()
}

fn ns_or<C: Cluster>(c: &C, ns: &Option<String>) -> String {
    ns.clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| c.default_namespace().to_string())
}

/// Renders for an action. `cluster_caps`: `.Capabilities` from discovery (else Helm's
/// defaults, as `install --dry-run=client`); `cluster_lookup`: `lookup` reads the cluster
/// (else it sees nothing, as any client dry-run).
#[allow(clippy::too_many_arguments)]
async fn render_for<C: Cluster>(
    c: &C,
    chart: Chart,
    values: &Value,
    release: ReleaseOptions,
    skip_schema: bool,
    cluster_caps: bool,
    cluster_lookup: bool,
    subchart_notes: bool,
    post_renderer: &render::PostRenderStep,
) -> Result<(Chart, render::Rendered)> {
    let mut opts = TemplateOptions {
        release,
        skip_schema_validation: skip_schema,
        render_subchart_notes: subchart_notes,
        post_renderer: post_renderer.clone(),
        ..Default::default()
    };
    if cluster_caps {
        let caps = c.capabilities().await?;
        opts.kube_version = Some(caps.kube_version);
        opts.api_versions = caps.api_versions;
        opts.api_versions_from_cluster = true;
    }
    if !cluster_lookup {
        return Ok(render::render_chart(chart, values, &opts)?);
    }
    opts.lookup = cluster_lookup_of(c);
    let values = values.clone();
    match tokio::task::spawn_blocking(move || render::render_chart(chart, &values, &opts)).await {
        Ok(r) => Ok(r?),
        Err(e) => Err(Error::action(
            ErrorKind::Internal,
            format!("rendering stopped: {e}"),
        )),
    }
}

/// `lookup` reading the cluster. Templates then run on a blocking thread that waits on the
/// current runtime for each call.
fn cluster_lookup_of<C: Cluster>(c: &C) -> render::ClusterLookup {
    let handle = tokio::runtime::Handle::current();
    let me = c.clone();
    render::ClusterLookup(Some(std::sync::Arc::new(
        move |api_version: &str, kind: &str, ns: &str, name: &str| {
            let me = me.clone();
            let (av, k, ns, name) = (
                api_version.to_string(),
                kind.to_string(),
                ns.to_string(),
                name.to_string(),
            );
            handle.block_on(async move { me.lookup(&av, &k, &ns, &name).await })
        },
    )))
}

/// `helm template --dry-run=server`: the chart rendered as `helm template` prints it, against
/// the cluster — its capabilities (which replace `opts.kube_version` and `opts.api_versions`:
/// Helm 4.1.4 ignores `--kube-version` and `--api-versions` then) and `lookup` reading it.
pub async fn template_on_cluster<C: Cluster>(
    c: &C,
    chart: Chart,
    values: &Value,
    mut opts: TemplateOptions,
) -> Result<render::TemplateOutput> {
    let caps = c.capabilities().await?;
    opts.kube_version = Some(caps.kube_version);
    opts.api_versions = caps.api_versions;
    opts.api_versions_from_cluster = true;
    opts.lookup = cluster_lookup_of(c);
    let values = values.clone();
    match tokio::task::spawn_blocking(move || render::template(chart, &values, &opts)).await {
        Ok(r) => Ok(r?),
        Err(e) => Err(Error::action(
            ErrorKind::Internal,
            format!("rendering stopped: {e}"),
        )),
    }
}

/// Where an action on an existing release works: its namespace (the client's when none is
/// given), that namespace's release storage and the release's history there.
async fn release_history<C: Cluster>(
    c: &C,
    namespace: &Option<String>,
    name: &str,
) -> Result<(String, C::Storage, Vec<Release>)> {
    let ns = ns_or(c, namespace);
    let store = c.storage(Some(&ns));
    let history = store.history(name).await?;
    Ok((ns, store, history))
}

/// The objects of the chart's `crds/` folders (subcharts' too), in file order.
fn crd_docs(chart: &Chart) -> Result<Vec<ResourceDoc>> {
    decode_crds(&render::crd_objects(chart))
}

fn decode_crds(files: &[render::Crd]) -> Result<Vec<ResourceDoc>> {
    let mut docs = Vec::new();
    for crd in files {
        docs.extend(
            logic::parse_manifest(&crd.data).map_err(|e| {
                Error::invalid(format!("failed to install CRD {}: {e}", crd.filename))
            })?,
        );
    }
    Ok(docs)
}

/// Each CRD file's objects by identity alone, from each document's head (the schemas,
/// megabytes for some charts, are scanned but not built), the files read on two threads.
/// None for a file with a head [`decode_crds`] would not accept (it then says why).
fn crd_heads(files: &[render::Crd]) -> Vec<Option<Vec<ResourceDoc>>> {
    let heads_of = |data: &str| -> Option<Vec<ResourceDoc>> {
        let mut out = Vec::new();
        for doc in helm_core::render::manifest::split_manifests(data) {
            let comments_only = doc.lines().all(|l| {
                let l = l.trim_start();
                l.is_empty() || l.starts_with('#')
            });
            if comments_only {
                // Skipped, as the full decode skips an empty document.
                continue;
            }
            let head = helm_core::render::manifest::parse_head(&doc).ok()?;
            let name = head.metadata.map(|m| m.name).unwrap_or_default();
            if head.kind.is_empty() || head.api_version.is_empty() {
                return None;
            }
            out.push(ResourceDoc {
                api_version: head.api_version,
                kind: head.kind,
                name,
                namespace: None,
                object: serde_json::Value::Null,
            });
        }
        Some(out)
    };
    // Most of the time is the YAML scan: the files are split by size over two threads.
    let (mut a, b) = helm_core::halves::on_two_threads(
        files,
        |f| f.data.len(),
        |half| half.iter().map(|f| heads_of(&f.data)).collect::<Vec<_>>(),
    );
    a.extend(b);
    a
}

/// CRD files as installing them needs them: by file name, each file's objects (by identity)
/// and whether each exists.
type CrdsSeen = std::collections::HashMap<String, Vec<(ResourceDoc, bool)>>;

/// Which of `files`' CRDs exist, read from the API server's watch cache, metadata only (a CRD
/// is megabytes). A file whose heads do not decode is decoded in full, and its error returned.
async fn see_crds<C: Cluster>(c: &C, files: Vec<render::Crd>, ns: &str) -> Result<CrdsSeen> {
    let decoded = tokio::task::spawn_blocking(move || {
        let heads = crd_heads(&files);
        files
            .into_iter()
            .zip(heads)
            .map(|(f, heads)| {
                let docs = match heads {
                    Some(docs) => docs,
                    None => decode_crds(std::slice::from_ref(&f))?,
                };
                Ok((f.filename, docs))
            })
            .collect::<Result<Vec<_>>>()
    })
    .await
    .map_err(|e| Error::action(ErrorKind::Internal, format!("reading CRDs stopped: {e}")))??;
    let docs: Vec<ResourceDoc> = decoded
        .iter()
        .flat_map(|(_, d)| d.iter().cloned())
        .collect();
    let mut live = read_all(&docs, |d| c.get_metadata(d, ns, true))
        .await
        .into_iter();
    let mut seen = CrdsSeen::new();
    for (file, docs) in decoded {
        let mut entries = Vec::with_capacity(docs.len());
        for doc in docs {
            let exists = match live.next() {
                Some(found) => found?.is_some(),
                None => false,
            };
            entries.push((doc, exists));
        }
        seen.insert(file, entries);
    }
    Ok(seen)
}

/// Helm's CRD install: the CRDs of `files` that do not exist are created (all at once, as one
/// batch), existing ones are left alone. `seen`: what is known already (read while the chart
/// rendered); the rest is read now. Only the CRDs missing there are decoded in full and read
/// again (fresh) before they are created.
async fn install_crds<C: Cluster>(
    c: &C,
    files: &[render::Crd],
    ns: &str,
    timeout: Duration,
    mut seen: CrdsSeen,
) -> Result<()> {
    let unseen: Vec<render::Crd> = files
        .iter()
        .filter(|f| !seen.contains_key(&f.filename))
        .cloned()
        .collect();
    if !unseen.is_empty() {
        seen.extend(see_crds(c, unseen, ns).await?);
    }
    let absent: std::collections::HashSet<_> = files
        .iter()
        .filter_map(|f| seen.get(&f.filename))
        .flatten()
        .filter(|(_, exists)| !exists)
        .map(|(d, _)| d.identity(ns))
        .collect();
    if absent.is_empty() {
        return Ok(());
    }
    let docs: Vec<ResourceDoc> = decode_crds(files)?
        .into_iter()
        .filter(|d| absent.contains(&d.identity(ns)))
        .collect();
    let live = read_all(&docs, |d| c.get_metadata(d, ns, false)).await;
    let mut missing = Vec::new();
    for (doc, found) in docs.iter().zip(live) {
        if found?.is_none() {
            missing.push(doc.clone());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    for (i, r) in by_kind_concurrently(&missing, |d| c.apply(d, ns, None, false)).await {
        r?;
        c.report_object(&missing[i], ns, true).await;
    }
    // The CRDs created are waited for until established, whatever the release's strategy.
    c.wait_ready(&missing, ns, timeout, WaitStrategy::Watcher)
        .await?;
    c.kinds_changed();
    Ok(())
}

/// `upgrade --update-crds`, before anything is written: the chart's CRDs, each checked against
/// its live object so that no update drops a version objects may still be stored in.
async fn crds_to_update<C: Cluster>(c: &C, chart: &Chart, ns: &str) -> Result<Vec<ResourceDoc>> {
    let docs = crd_docs(chart)?;
    for d in &docs {
        if let Some(live) = c.get(d, ns).await? {
            let dropped = logic::crd_stored_versions_dropped(&d.object, &live);
            if !dropped.is_empty() {
                let list = dropped
                    .iter()
                    .map(|v| format!("{v:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::invalid(format!(
                    "cannot update CRD {}: its new spec.versions drops {list}, still listed in status.storedVersions (objects may be stored in {}); migrate those objects and remove {} from status.storedVersions first",
                    d.name,
                    if dropped.len() == 1 { "it" } else { "them" },
                    if dropped.len() == 1 { "it" } else { "them" },
                )));
            }
        }
    }
    Ok(docs)
}

/// Applies the checked CRDs server-side (taking over fields another manager set, as the
/// caller asked for these definitions) and waits until they are established.
async fn update_crds<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    ns: &str,
    timeout: Duration,
) -> Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    for (i, r) in by_kind_concurrently(docs, |d| c.apply(d, ns, None, true)).await {
        r?;
        c.report_object(&docs[i], ns, true).await;
    }
    c.wait_ready(docs, ns, timeout, WaitStrategy::Watcher)
        .await?;
    c.kinds_changed();
    Ok(())
}

/// Stores a new revision and reports it: the claim that makes this action the one that
/// writes this revision. The create fails when the revision exists, so of two writers racing
/// for one release exactly one wins, without a lock; the other gets Helm's refusal for a
/// release another operation holds (`lost`: [`ErrorKind::Pending`] for an upgrade or
/// rollback, [`ErrorKind::NameInUse`] for an install). Nothing is changed before the claim.
async fn claim_revision<C: Cluster>(
    c: &C,
    store: &C::Storage,
    rel: &Release,
    lost: ErrorKind,
) -> Result<()> {
    match store.create(rel).await {
        Ok(()) => {
            report_record(c, rel, true);
            Ok(())
        }
        Err(StorageError::AlreadyExists) if lost == ErrorKind::NameInUse => {
            Err(Error::action(lost, logic::ERR_NAME_IN_USE))
        }
        Err(StorageError::AlreadyExists) => Err(Error::action(lost, logic::ERR_PENDING)),
        Err(e) => Err(e.into()),
    }
}

/// `rel` with another status, and another description when given one.
fn with_status<'a>(
    rel: &Release,
    status: Status,
    description: impl Into<Option<&'a str>>,
) -> Release {
    let mut rel = rel.clone();
    match description.into() {
        Some(d) => rel.set_status(status, d),
        None => rel.info_mut().status = status,
    }
    rel
}

/// Replaces a stored revision and reports it.
async fn record_update<C: Cluster>(c: &C, store: &C::Storage, rel: &Release) -> Result<()> {
    store.update(rel).await?;
    report_record(c, rel, false);
    Ok(())
}

/// Removes a stored revision and reports it.
async fn record_delete<C: Cluster>(
    c: &C,
    store: &C::Storage,
    name: &str,
    version: i64,
) -> Result<Release> {
    let gone = store.delete(name, version).await?;
    c.emit(ProgressEvent::ReleaseRecordDeleted {
        name: name.to_string(),
        namespace: gone.namespace.clone(),
        revision: version,
    });
    Ok(gone)
}

fn report_record<C: Cluster>(c: &C, rel: &Release, created: bool) {
    c.emit(ProgressEvent::ReleaseRecorded {
        name: rel.name.clone(),
        namespace: rel.namespace.clone(),
        revision: rel.version,
        status: rel.status().as_str().to_string(),
        created,
    });
}

/// `--wait` without `--wait-for-jobs` does not wait for Jobs (Helm).
async fn wait_release<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    ns: &str,
    timeout: Duration,
    wait_for_jobs: bool,
    strategy: WaitStrategy,
) -> Result<()> {
    let docs: Vec<ResourceDoc> = docs
        .iter()
        .filter(|d| wait_for_jobs || d.kind != "Job")
        .cloned()
        .collect();
    c.wait_ready(&docs, ns, timeout, strategy).await
}

/// How many requests about objects of one kind run at once (apply, delete, ownership reads).
const KIND_CONCURRENCY: usize = 8;

/// Runs `f` on every document, as Helm's kube client batches its requests: documents of one
/// kind (adjacent, since they come in install or uninstall order) concurrently, a few at a
/// time, and the kinds one after another, so that kinds others depend on (namespaces, CRDs,
/// accounts) are done first. Results in document order.
async fn by_kind_concurrently<'a, T, F, Fut>(docs: &'a [ResourceDoc], f: F) -> Vec<(usize, T)>
where
    F: Fn(&'a ResourceDoc) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    use futures_util::StreamExt;
    let mut out = Vec::with_capacity(docs.len());
    let mut start = 0;
    while start < docs.len() {
        let kind = &docs[start].kind;
        let end = docs[start..]
            .iter()
            .position(|d| &d.kind != kind)
            .map_or(docs.len(), |n| start + n);
        let f = &f;
        let results: Vec<(usize, T)> = futures_util::stream::iter(start..end)
            .map(|i| async move { (i, f(&docs[i]).await) })
            .buffered(KIND_CONCURRENCY)
            .collect()
            .await;
        out.extend(results);
        start = end;
    }
    out
}

/// How many objects are read at once to find those an apply would not change.
const READ_CONCURRENCY: usize = 16;

/// Runs `f` on every document, [`READ_CONCURRENCY`] at a time whatever their kinds (for
/// reads, which depend on no order); results in document order.
async fn read_all<'a, T, F, Fut>(docs: &'a [ResourceDoc], f: F) -> Vec<T>
where
    F: Fn(&'a ResourceDoc) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    use futures_util::StreamExt;
    let f = &f;
    futures_util::stream::iter(0..docs.len())
        .map(|i| f(&docs[i]))
        .buffered(READ_CONCURRENCY)
        .collect()
        .await
}

/// Live objects by identity (None: the object does not exist), read ahead of need.
type LiveObjects =
    std::collections::HashMap<(String, String, String, String), Option<serde_json::Value>>;

/// The live objects of `docs`; those that fail to read are left out.
async fn read_live<C: Cluster>(c: &C, docs: &[ResourceDoc], ns: &str) -> LiveObjects {
    let found = read_all(docs, |d| c.get(d, ns)).await;
    docs.iter()
        .zip(found)
        .filter_map(|(d, r)| Some((d.identity(ns), r.ok()?)))
        .collect()
}

/// For each document, whether applying it would change nothing ([`Cluster::apply_unchanged`]),
/// from the objects in `known` or read now; `applied`: the documents the last apply of the
/// release applied, all successfully (empty when that is not known). A failed read counts as
/// a change (the apply then reports what is wrong).
async fn unchanged_objects<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    applied: &[ResourceDoc],
    known: &LiveObjects,
    ns: &str,
    name: &str,
) -> Vec<bool> {
    let applied: std::collections::HashMap<_, &ResourceDoc> =
        applied.iter().map(|d| (d.identity(ns), d)).collect();
    let applied = &applied;
    read_all(docs, |d| async move {
        let id = d.identity(ns);
        let live = match known.get(&id) {
            Some(live) => live.clone(),
            None => c.get(d, ns).await.ok().flatten(),
        };
        let Some(live) = live else {
            return false;
        };
        let before = applied.get(&id).is_some_and(|a| a.object == d.object);
        c.apply_unchanged(d, ns, Some(name), before, &live)
            .await
            .unwrap_or(false)
    })
    .await
}

/// How an update learns which objects an apply would not change.
enum UpdateReads<'a> {
    /// Read them before applying; `applied`: the documents the release's last apply applied,
    /// all successfully (empty when that is not known).
    Read { applied: &'a [ResourceDoc] },
    /// Already read, one verdict per document.
    Done(Vec<bool>),
}

/// Applies every object, as Helm 4's `perform` does: a failure does not stop the others,
/// and the API server's messages are joined by newlines (Helm's `errors.Join`; Helm runs
/// objects of one kind concurrently, so its order within a kind may differ from ours).
/// `update` (upgrade, rollback): Helm's update creates the objects the cluster does not have,
/// and says so when that fails (`failed to create resource: …`); objects whose apply would
/// change nothing are not sent (the result is the same, without the API server's work).
async fn apply_all<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    name: &str,
    ns: &str,
    force: bool,
    update: Option<UpdateReads<'_>>,
) -> Result<()> {
    let mut errs: Vec<Error> = Vec::new();
    // An update's objects are mostly as the last apply left them: those are read (all at
    // once, which is cheap) and left alone, and only the others are applied, kind by kind.
    let is_update = update.is_some();
    let unchanged = match update {
        Some(UpdateReads::Read { applied }) => {
            unchanged_objects(c, docs, applied, &LiveObjects::new(), ns, name).await
        }
        Some(UpdateReads::Done(unchanged)) if unchanged.len() == docs.len() => unchanged,
        _ => vec![false; docs.len()],
    };
    let (kept, to_apply): (Vec<usize>, Vec<usize>) = (0..docs.len()).partition(|&i| unchanged[i]);
    for i in kept {
        c.report_object(&docs[i], ns, true).await;
    }
    let to_apply: Vec<ResourceDoc> = to_apply.iter().map(|&i| docs[i].clone()).collect();
    let docs = &to_apply[..];
    let results = by_kind_concurrently(docs, |d| c.apply(d, ns, Some(name), force)).await;
    for (i, r) in results {
        match r {
            Ok(()) => c.report_object(&docs[i], ns, true).await,
            Err(e) if is_update && matches!(c.get(&docs[i], ns).await, Ok(None)) => {
                errs.push(e.with_context("failed to create resource: "))
            }
            Err(e) => errs.push(e),
        }
    }
    match errs.len() {
        0 => Ok(()),
        1 => Err(errs.remove(0)),
        _ => {
            let code = errs.iter().find_map(|e| e.http_code()).unwrap_or(0);
            // One line per failed object, as Helm joins them; a cause shared by many (the API
            // server unreachable) is said once.
            let mut lines: Vec<String> = Vec::new();
            for e in &errs {
                let line = e.to_string();
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            Err(Error::Api {
                code,
                message: lines.join("\n"),
            })
        }
    }
}

async fn delete_all<C: Cluster>(c: &C, docs: &[ResourceDoc], ns: &str) -> Result<Vec<String>> {
    delete_all_cascading(c, docs, ns, None).await
}

/// [`Self::delete_all`] with `--cascade` (None: background).
async fn delete_all_cascading<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    ns: &str,
    cascade: Option<&str>,
) -> Result<Vec<String>> {
    let (kept, gone): (Vec<ResourceDoc>, Vec<ResourceDoc>) = logic::uninstall_order(docs.to_vec())
        .into_iter()
        .partition(logic::is_kept);
    for (i, r) in by_kind_concurrently(&gone, |d| c.delete(d, ns, cascade)).await {
        if r? {
            c.report_object(&gone[i], ns, false).await;
        }
    }
    Ok(kept.iter().map(|d| d.key()).collect())
}

async fn hooks<C: Cluster>(
    c: &C,
    run: bool,
    hooks: &mut [HookRecord],
    event: &str,
    ns: &str,
    timeout: Duration,
) -> Result<()> {
    if run {
        run_hooks(c, hooks, event, ns, timeout).await
    } else {
        Ok(())
    }
}

/// Helm's `existingResourceConflict`: each object that already exists must carry this
/// release's ownership metadata (then it is adopted); otherwise Helm's error (`verb`:
/// `install` or `update`).
async fn check_ownership<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    release: &str,
    release_ns: &str,
    verb: &str,
) -> Result<()> {
    // The reads run concurrently; the first problem in document order is the one reported.
    let live = read_all(docs, |d| c.get_metadata(d, release_ns, false)).await;
    for (doc, found) in docs.iter().zip(live) {
        let Some(live) = found? else {
            continue;
        };
        if let Err(why) = ownership_problems(&live, release, release_ns) {
            let ns = doc
                .namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string());
            return Err(Error::action(ErrorKind::Conflict, format!(
                "unable to continue with {verb}: {} \"{}\" in namespace \"{}\" exists and cannot be imported into the current release: invalid ownership metadata; {}",
                doc.kind, doc.name, ns, why
            )));
        }
    }
    Ok(())
}

/// Runs the hooks of `event` (Helm's `execHook`): in weight order (then name), each created
/// by server-side apply after `before-hook-creation` (the default policy) deletes its previous
/// instance, Jobs and Pods waited to completion, then deleted per `hook-succeeded` /
/// `hook-failed`. Updates each hook's `last_run`.
async fn run_hooks<C: Cluster>(
    c: &C,
    hooks: &mut [HookRecord],
    event: &str,
    release_ns: &str,
    timeout: Duration,
) -> Result<()> {
    let mut order: Vec<usize> = (0..hooks.len())
        .filter(|i| hooks[*i].has_event(event))
        .collect();
    order.sort_by(|a, b| {
        hooks[*a]
            .weight
            .cmp(&hooks[*b].weight)
            .then_with(|| hooks[*a].name.cmp(&hooks[*b].name))
    });
    for i in order {
        let h = &mut hooks[i];
        if h.delete_policies.is_empty() {
            h.delete_policies.push("before-hook-creation".into());
        }
        let docs = logic::parse_manifest(&h.manifest).map_err(|e| Error::invalid(e.to_string()))?;
        if h.delete_policies
            .iter()
            .any(|p| p == "before-hook-creation")
        {
            for d in &docs {
                if c.delete(d, release_ns, None).await? {
                    c.wait_deleted(d, release_ns, timeout).await?;
                }
            }
        }
        h.last_run = HookExecution {
            started_at: Some(Time::now()),
            completed_at: None,
            phase: "Running".into(),
        };
        let (hk, hn, hw) = (h.kind.clone(), h.name.clone(), h.weight);
        c.emit(ProgressEvent::HookStarted {
            event: event.to_string(),
            kind: hk.clone(),
            name: hn.clone(),
            weight: hw,
        });
        let mut outcome = Ok(());
        for d in &docs {
            if let Err(e) = c.apply(d, release_ns, None, false).await {
                outcome = Err(e);
                break;
            }
        }
        if outcome.is_ok() {
            for d in &docs {
                if let Err(e) = c.wait_hook(d, release_ns, timeout).await {
                    outcome = Err(e);
                    break;
                }
            }
        }
        h.last_run.completed_at = Some(Time::now());
        match outcome {
            Ok(()) => {
                h.last_run.phase = "Succeeded".into();
                c.emit(ProgressEvent::HookSucceeded {
                    event: event.to_string(),
                    kind: hk,
                    name: hn,
                    weight: hw,
                });
                if h.delete_policies.iter().any(|p| p == "hook-succeeded") {
                    for d in &docs {
                        c.delete(d, release_ns, None).await?;
                    }
                }
            }
            Err(e) => {
                h.last_run.phase = "Failed".into();
                c.emit(ProgressEvent::HookFailed {
                    event: event.to_string(),
                    kind: hk,
                    name: hn,
                    weight: hw,
                    error: e.to_string(),
                });
                if h.delete_policies.iter().any(|p| p == "hook-failed") {
                    for d in &docs {
                        let _ = c.delete(d, release_ns, None).await;
                    }
                }
                return Err(Error::action(
                    if e.kind() == ErrorKind::Timeout {
                        ErrorKind::Timeout
                    } else {
                        ErrorKind::Failed
                    },
                    format!("failed {event}: {e}"),
                ));
            }
        }
    }
    Ok(())
}

/// The values an upgrade renders with (Helm's `reuseValues`).
fn upgrade_values(
    current: &Release,
    new_values: &Value,
    opts: &UpgradeOptions,
    chart: &mut Chart,
) -> Value {
    let old_config = json_to_core(&serde_json::Value::Object(current.config.clone()));
    let new_empty = new_values.as_map().map(|m| m.is_empty()).unwrap_or(true);
    if opts.reset_values {
        return new_values.clone();
    }
    if opts.reuse_values {
        // Helm's reuseValues: the chart's values become the old release's computed values
        // (old chart defaults coalesced with old user values), new values over old ones.
        let old_defaults = json_to_core(&serde_json::Value::Object(current.chart_values()));
        chart.values = merge_values(&old_defaults, &old_config);
        return merge_values(&old_config, new_values);
    }
    if opts.reset_then_reuse_values {
        return merge_values(&old_config, new_values);
    }
    if new_empty {
        return old_config;
    }
    new_values.clone()
}

impl<C: Cluster> ReleaseApi for C {
    fn namespace(&self) -> &str {
        self.default_namespace()
    }

    async fn reachable(&self) -> Result<()> {
        self.ping().await
    }

    fn local_chart(&self, path: &std::path::Path) -> Result<ChartRef> {
        helm_core::chart::load(path)
            .map(ChartRef::Loaded)
            .map_err(|e| Error::Chart(e.to_string()))
    }

    /// `helm install`: renders against the cluster's capabilities, refuses a name in use and
    /// objects owned by others, stores `pending-install`, runs pre-install hooks, applies, waits,
    /// runs post-install hooks, stores `deployed` (or `failed`, uninstalling with `atomic`).
    async fn install(
        &self,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: InstallOptions,
    ) -> Result<Release> {
        let chart = resolve_chart(chart.into()).await?;
        let ns = ns_or(self, &opts.namespace);
        let name = match (&opts.name, opts.generate_name) {
            (Some(n), false) => n.clone(),
            (_, true) => format!("{}-{}", chart.name(), chrono::Utc::now().timestamp()),
            (None, false) => {
                return Err(Error::invalid(
                    "must either provide a name or specify --generate-name",
                ))
            }
        };
        let timeout = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let store = self.storage(Some(&ns));
        let dry_run = opts.dry_run || opts.dry_run_server;
        let server_side = opts.server_side != Some(false);
        check_hide_secret(opts.hide_secret, dry_run)?;
        if !dry_run {
            let history = store.history(&name).await?;
            logic::ensure_name_available(&history, opts.replace)
                .map_err(|m| Error::action(ErrorKind::NameInUse, m))?;
        }
        let ro = ReleaseOptions {
            name: name.clone(),
            namespace: ns.clone(),
            revision: 1,
            is_upgrade: false,
            is_install: true,
        };
        let on_cluster = !dry_run || opts.dry_run_server;
        // Which CRDs exist is read while the chart renders (of every subchart: which are
        // enabled is known after; nothing is created before then).
        let crds_ahead = !dry_run && !opts.skip_crds;
        let all_crds = if crds_ahead {
            render::crd_objects(&chart)
        } else {
            Vec::new()
        };
        let (rendered, crds_seen) = futures_util::join!(
            render_for(
                self,
                chart,
                values,
                ro,
                opts.skip_schema_validation,
                on_cluster,
                on_cluster,
                opts.render_subchart_notes,
                &opts.post_renderer,
            ),
            async {
                if all_crds.is_empty() {
                    CrdsSeen::new()
                } else {
                    // Errors are said when the CRDs are installed.
                    see_crds(self, all_crds, &ns).await.unwrap_or_default()
                }
            }
        );
        let (chart, rendered) = rendered?;
        // Helm stores the chart as dependency processing left it (aliases applied, `enabled`
        // set, imported values merged).
        let chart_json = Release::chart_from(&chart);
        let now = Time::now();
        let mut rel = Release {
            name: name.clone(),
            info: Some(Info {
                first_deployed: Some(now),
                last_deployed: Some(now),
                status: Status::PendingInstall,
                notes: rendered.notes.clone(),
                ..Default::default()
            }),
            chart: Some(chart_json),
            config: map_to_json(values),
            manifest: manifest_text(&rendered, opts.hide_secret),
            hooks: rendered
                .hooks
                .iter()
                .map(HookRecord::from_rendered)
                .collect(),
            version: 1,
            namespace: ns.clone(),
            labels: opts.labels.clone(),
            apply_method: if server_side { "ssa" } else { "csa" }.into(),
        };
        if opts.dry_run && !opts.dry_run_server {
            rel.set_status(Status::PendingInstall, "Dry run complete");
            return Ok(rel);
        }
        let docs = logic::install_order(
            logic::parse_manifest(&rel.manifest).map_err(|e| Error::invalid(e.to_string()))?,
        );
        // Helm checks every rendered object (also under `--dry-run=server`, before it bails
        // out; a dry run installs no CRDs); existing ones carrying this release's metadata are
        // adopted.
        if dry_run {
            if !opts.take_ownership {
                check_ownership(self, &docs, &name, &ns, "install").await?;
            }
            rel.set_status(Status::PendingInstall, "Dry run complete");
            return Ok(rel);
        }
        // The record is encoded while the cluster is read (it is written once nothing refuses).
        store.prepare(&rel);
        if opts.create_namespace {
            self.create_namespace(&ns).await?;
        }
        if !opts.skip_crds {
            install_crds(self, &render::crd_objects(&chart), &ns, timeout, crds_seen).await?;
        }
        if !opts.take_ownership {
            check_ownership(self, &docs, &name, &ns, "install").await?;
        }
        // `--replace` (Helm's replaceRelease): the history stays, the new record takes the next
        // revision and the previous last one becomes superseded.
        let replaced = if opts.replace {
            logic::latest(&store.history(&name).await?).cloned()
        } else {
            None
        };
        if let Some(last) = &replaced {
            rel.version = last.version + 1;
        }
        claim_revision(self, &store, &rel, ErrorKind::NameInUse).await?;
        let install_desc = opts
            .description
            .clone()
            .unwrap_or_else(|| "Install complete".into());
        // The record as it ends when all goes well, encoded while the objects are applied.
        store.prepare(&with_status(&rel, Status::Deployed, install_desc.as_str()));
        if let Some(mut last) = replaced {
            last.set_status(Status::Superseded, "superseded by new release");
            record_update(self, &store, &last).await?;
        }
        let outcome: Result<()> = async {
            hooks(
                self,
                !opts.no_hooks,
                &mut rel.hooks,
                "pre-install",
                &ns,
                timeout,
            )
            .await?;
            if server_side {
                apply_all(self, &docs, &name, &ns, opts.force_conflicts, None).await?;
            } else {
                install_client_side(self, &docs, &name, &ns, false).await?;
            }
            if opts.wait {
                wait_release(
                    self,
                    &docs,
                    &ns,
                    timeout,
                    opts.wait_for_jobs,
                    opts.wait_strategy,
                )
                .await?;
            }
            hooks(
                self,
                !opts.no_hooks,
                &mut rel.hooks,
                "post-install",
                &ns,
                timeout,
            )
            .await?;
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => {
                rel.set_status(Status::Deployed, install_desc);
                record_update(self, &store, &rel).await?;
                Ok(rel)
            }
            Err(e) => {
                rel.set_status(Status::Failed, format!("Release \"{name}\" failed: {e}"));
                let _ = record_update(self, &store, &rel).await;
                if opts.atomic {
                    let un = UninstallOptions {
                        namespace: Some(ns.clone()),
                        timeout: Some(timeout),
                        ..Default::default()
                    };
                    match self.uninstall(&name, un).await {
                        Ok(_) => return Err(Error::action(e.kind(), format!("release {name} failed, and has been uninstalled due to rollback-on-failure being set: {e}"))),
                        Err(e2) => return Err(Error::action(e.kind(), format!("an error occurred while uninstalling the release. original install error: {e}: {e2}"))),
                    }
                }
                Err(e)
            }
        }
    }

    /// `helm upgrade`: refuses while `pending-*`, renders revision N+1, prunes history to
    /// `max_history`, applies, deletes what the new manifest dropped (unless kept), supersedes
    /// the deployed revision. On failure the new revision is `failed`; `cleanup_on_fail` deletes
    /// objects it created; `atomic` rolls back. With `install` (`upgrade --install`) a release
    /// without history, or with only uninstalled revisions, is installed instead (reported as
    /// [`ProgressEvent::InstallingInstead`] first).
    async fn upgrade(
        &self,
        name: &str,
        chart: impl Into<ChartRef> + Send,
        values: &Value,
        opts: UpgradeOptions,
    ) -> Result<Release> {
        let mut chart = resolve_chart(chart.into()).await?;
        let (ns, store, history) = release_history(self, &opts.namespace, name).await?;
        let timeout = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if opts.install && history.iter().all(|r| r.status() == Status::Uninstalled) {
            self.emit(ProgressEvent::InstallingInstead {
                name: name.to_string(),
                namespace: ns.clone(),
            });
            let mut install = opts.as_install(name, !history.is_empty());
            install.namespace = Some(ns);
            return Box::pin(self.install(chart, values, install)).await;
        }
        check_hide_secret(opts.hide_secret, opts.dry_run || opts.dry_run_server)?;
        if history.is_empty() {
            return Err(Error::not_found(format!(
                "\"{name}\" has no deployed releases"
            )));
        }
        logic::ensure_not_pending(&history).map_err(|m| Error::action(ErrorKind::Pending, m))?;
        // As install does with `crds/`, the CRDs are in place before rendering, so that the
        // templates' `.Capabilities` see the kinds they define. A dry run only checks them.
        if opts.update_crds && !opts.skip_crds {
            let crds = crds_to_update(self, &chart, &ns).await?;
            if !(opts.dry_run || opts.dry_run_server) {
                update_crds(self, &crds, &ns, timeout).await?;
            }
        }
        let last = logic::latest(&history).cloned().unwrap_or_default();
        let deployed = history
            .iter()
            .filter(|r| r.status() == Status::Deployed)
            .max_by_key(|r| r.version)
            .cloned();
        let current = deployed.clone().unwrap_or_else(|| last.clone());
        let mode = apply_mode(&last, &current, opts.server_side);
        let vals = upgrade_values(&current, values, &opts, &mut chart);
        let revision = last.version + 1;
        let ro = ReleaseOptions {
            name: name.to_string(),
            namespace: ns.clone(),
            revision,
            is_upgrade: true,
            is_install: false,
        };
        // Upgrade's client dry-run still reads the cluster's capabilities; only
        // `--dry-run=server` (or a real upgrade) lets `lookup` read the cluster.
        let dry_run = opts.dry_run || opts.dry_run_server;
        let old_docs = logic::parse_manifest(&current.manifest).unwrap_or_default();
        // The release's live objects are read while the chart renders: an upgrade applies most
        // of them again, and those it would not change are left alone.
        let read_ahead = !dry_run && mode.server_side && !mode.migrate_csa && !opts.force_replace;
        let (rendered, live) = futures_util::join!(
            render_for(
                self,
                chart,
                &vals,
                ro,
                opts.skip_schema_validation,
                true,
                !dry_run || opts.dry_run_server,
                opts.render_subchart_notes,
                &opts.post_renderer,
            ),
            async {
                if read_ahead {
                    read_live(self, &old_docs, &ns).await
                } else {
                    LiveObjects::new()
                }
            }
        );
        let (chart, rendered) = rendered?;
        let chart_json = Release::chart_from(&chart);
        let mut rel = Release {
            name: name.to_string(),
            info: Some(Info {
                first_deployed: current.info.as_ref().and_then(|i| i.first_deployed),
                last_deployed: Some(Time::now()),
                status: Status::PendingUpgrade,
                description: "Preparing upgrade".into(),
                notes: rendered.notes.clone(),
                ..Default::default()
            }),
            chart: Some(chart_json),
            config: map_to_json(&vals),
            manifest: manifest_text(&rendered, opts.hide_secret),
            hooks: rendered
                .hooks
                .iter()
                .map(HookRecord::from_rendered)
                .collect(),
            version: revision,
            namespace: ns.clone(),
            labels: if opts.labels.is_empty() {
                current.labels.clone()
            } else {
                opts.labels.clone()
            },
            apply_method: mode.recorded(),
        };
        let new_docs = logic::install_order(
            logic::parse_manifest(&rel.manifest).map_err(|e| Error::invalid(e.to_string()))?,
        );
        // Objects new to this release must be free or already ours.
        let added: Vec<ResourceDoc> = {
            let old_ids: std::collections::HashSet<_> =
                old_docs.iter().map(|d| d.identity(&ns)).collect();
            new_docs
                .iter()
                .filter(|d| !old_ids.contains(&d.identity(&ns)))
                .cloned()
                .collect()
        };
        // Checked under both dry-run modes too (Helm 4.1.4).
        if !opts.take_ownership {
            check_ownership(self, &added, name, &ns, "update").await?;
        }
        if dry_run {
            rel.set_status(Status::PendingUpgrade, "Dry run complete");
            return Ok(rel);
        }
        // Which objects an apply would not change is found (reading what was not read yet)
        // while the record is encoded and claimed, unless pre-upgrade hooks (which may change
        // objects) run first.
        let old_deployed =
            last.version == current.version && last.status() == Status::Deployed && is_ssa(&last);
        let read_early =
            read_ahead && (opts.no_hooks || !rel.hooks.iter().any(|h| h.has_event("pre-upgrade")));
        let early_reads = async {
            if read_early {
                let applied = applied_before(&old_docs, old_deployed);
                Some(unchanged_objects(self, &new_docs, applied, &live, &ns, name).await)
            } else {
                None
            }
        };
        store.prepare(&rel);
        let (claimed, read) = futures_util::join!(
            claim_revision(self, &store, &rel, ErrorKind::Pending),
            early_reads
        );
        claimed?;
        let upgrade_desc = opts
            .description
            .clone()
            .unwrap_or_else(|| "Upgrade complete".into());
        // The records as they end when all goes well, encoded while the objects are applied.
        if let Some(d) = &deployed {
            store.prepare(&with_status(d, Status::Superseded, None));
        }
        store.prepare(&with_status(&rel, Status::Deployed, upgrade_desc.as_str()));
        let mut all = history.clone();
        for v in logic::revisions_to_prune(&all, opts.max_history) {
            let _ = record_delete(self, &store, name, v).await;
            all.retain(|r| r.version != v);
        }
        let outcome: Result<()> = async {
            hooks(
                self,
                !opts.no_hooks,
                &mut rel.hooks,
                "pre-upgrade",
                &ns,
                timeout,
            )
            .await?;
            apply_update(
                self,
                mode,
                &new_docs,
                &old_docs,
                old_deployed,
                read,
                name,
                &ns,
                opts.force_conflicts,
                opts.force_replace,
            )
            .await?;
            delete_all(
                self,
                &logic::dropped_resources(&old_docs, &new_docs, &ns),
                &ns,
            )
            .await?;
            if opts.wait {
                wait_release(
                    self,
                    &new_docs,
                    &ns,
                    timeout,
                    opts.wait_for_jobs,
                    opts.wait_strategy,
                )
                .await?;
            }
            hooks(
                self,
                !opts.no_hooks,
                &mut rel.hooks,
                "post-upgrade",
                &ns,
                timeout,
            )
            .await?;
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => {
                // Helm changes only the status of superseded revisions (their description stays).
                if let Some(d) = &deployed {
                    record_update(self, &store, &with_status(d, Status::Superseded, None)).await?;
                }
                rel.set_status(Status::Deployed, upgrade_desc);
                record_update(self, &store, &rel).await?;
                Ok(rel)
            }
            Err(e) => {
                self.emit(ProgressEvent::ActionFailed {
                    action: "upgrade".into(),
                    name: name.to_string(),
                    error: e.to_string(),
                });
                rel.set_status(Status::Failed, format!("Upgrade \"{name}\" failed: {e}"));
                let _ = record_update(self, &store, &rel).await;
                if opts.cleanup_on_fail {
                    let _ = delete_all(self, &added, &ns).await;
                }
                if opts.atomic {
                    // Helm rolls back to the last successful revision (the newest superseded or
                    // deployed one), with the upgrade's hooks, wait and force options.
                    let history = store.history(name).await?;
                    let Some(target) = history
                        .iter()
                        .filter(|r| matches!(r.status(), Status::Superseded | Status::Deployed))
                        .map(|r| r.version)
                        .max()
                    else {
                        return Err(Error::action(e.kind(), format!("unable to find a previously successful release when attempting to rollback. original upgrade error: {e}")));
                    };
                    let ro = RollbackOptions {
                        namespace: Some(ns.clone()),
                        revision: target,
                        timeout: Some(timeout),
                        wait: opts.wait,
                        no_hooks: opts.no_hooks,
                        force_conflicts: opts.force_conflicts,
                        force_replace: opts.force_replace,
                        server_side: opts.server_side,
                        ..Default::default()
                    };
                    return match self.rollback(name, ro).await {
                        Ok(_) => Err(Error::action(e.kind(), format!("release {name} failed, and has been rolled back due to rollback-on-failure being set: {e}"))),
                        Err(e2) => Err(Error::action(e.kind(), format!("an error occurred while rolling back the release. original upgrade error: {e}: {e2}"))),
                    };
                }
                Err(e)
            }
        }
    }

    /// `helm rollback NAME [REVISION]`: a new revision with the target's chart, values and
    /// manifest; every deployed revision becomes superseded.
    async fn rollback(&self, name: &str, opts: RollbackOptions) -> Result<Release> {
        let (ns, store, history) = release_history(self, &opts.namespace, name).await?;
        let timeout = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if history.is_empty() {
            return Err(Error::not_found("release: not found"));
        }
        // No pending check: Helm 4.1.4 lets rollback recover a release whose last operation
        // died `pending-*` (checked with helm-oracle); the pending revision stays as it is.
        let current = logic::latest(&history).cloned().unwrap_or_default();
        // A first revision has no previous one: Helm 4.1.4 then says "release has no 0 version".
        let target_v = if opts.revision > 0 {
            opts.revision
        } else {
            current.version - 1
        };
        let target = history
            .iter()
            .find(|r| r.version == target_v)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("release has no {target_v} version")))?;
        // Helm 4's `auto` follows the revision rolled back to; a rollback applying server-side
        // hands over client-side ownership whenever either side was client-side.
        let mode = apply_mode(&target, &current, opts.server_side);
        let mode = ApplyMode {
            migrate_csa: mode.server_side && !(is_ssa(&target) && is_ssa(&current)),
            ..mode
        };
        let mut rel = target.clone();
        rel.version = current.version + 1;
        rel.info = Some(Info {
            first_deployed: current.info.as_ref().and_then(|i| i.first_deployed),
            last_deployed: Some(Time::now()),
            status: Status::PendingRollback,
            notes: target
                .info
                .as_ref()
                .map(|i| i.notes.clone())
                .unwrap_or_default(),
            description: format!("Rollback to {target_v}"),
            ..Default::default()
        });
        rel.apply_method = mode.recorded();
        if opts.dry_run {
            return Ok(rel);
        }
        let new_docs = logic::install_order(
            logic::parse_manifest(&rel.manifest).map_err(|e| Error::invalid(e.to_string()))?,
        );
        let old_docs = logic::parse_manifest(&current.manifest).unwrap_or_default();
        claim_revision(self, &store, &rel, ErrorKind::Pending).await?;
        let mut all = history.clone();
        for v in logic::revisions_to_prune(&all, opts.max_history) {
            let _ = record_delete(self, &store, name, v).await;
            all.retain(|r| r.version != v);
        }
        // Objects this rollback brings back (deleted again by `cleanup_on_fail`), once applying began.
        let applying = std::sync::atomic::AtomicBool::new(false);
        let outcome: Result<()> = async {
            hooks(
                self,
                !opts.no_hooks,
                &mut rel.hooks,
                "pre-rollback",
                &ns,
                timeout,
            )
            .await?;
            if !(mode.server_side && opts.force_replace) {
                applying.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            apply_update(
                self,
                mode,
                &new_docs,
                &old_docs,
                current.status() == Status::Deployed && is_ssa(&current),
                None,
                name,
                &ns,
                opts.force_conflicts,
                opts.force_replace,
            )
            .await?;
            delete_all(
                self,
                &logic::dropped_resources(&old_docs, &new_docs, &ns),
                &ns,
            )
            .await?;
            if opts.wait {
                wait_release(
                    self,
                    &new_docs,
                    &ns,
                    timeout,
                    opts.wait_for_jobs,
                    opts.wait_strategy,
                )
                .await?;
            }
            hooks(
                self,
                !opts.no_hooks,
                &mut rel.hooks,
                "post-rollback",
                &ns,
                timeout,
            )
            .await?;
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => {
                for mut r in all.into_iter().filter(|r| r.status() == Status::Deployed) {
                    r.info_mut().status = Status::Superseded;
                    record_update(self, &store, &r).await?;
                }
                rel.set_status(Status::Deployed, format!("Rollback to {target_v}"));
                record_update(self, &store, &rel).await?;
                Ok(rel)
            }
            Err(e) => {
                self.emit(ProgressEvent::ActionFailed {
                    action: "rollback".into(),
                    name: name.to_string(),
                    error: e.to_string(),
                });
                // Helm marks the release rolled back from superseded, the new revision failed.
                if current.version > 0 && current.version != target_v {
                    let mut cur = current.clone();
                    cur.info_mut().status = Status::Superseded;
                    let _ = record_update(self, &store, &cur).await;
                }
                rel.set_status(Status::Failed, format!("Rollback \"{name}\" failed: {e}"));
                let _ = record_update(self, &store, &rel).await;
                if opts.cleanup_on_fail {
                    let created: Vec<ResourceDoc> =
                        if applying.load(std::sync::atomic::Ordering::Relaxed) {
                            let old_ids: std::collections::HashSet<_> =
                                old_docs.iter().map(|d| d.identity(&ns)).collect();
                            new_docs
                                .iter()
                                .filter(|d| !old_ids.contains(&d.identity(&ns)))
                                .cloned()
                                .collect()
                        } else {
                            Vec::new()
                        };
                    // Helm 4.1.4 deletes the created list even when it is empty, and then fails
                    // with the resource builder's "no objects visited" (checked with helm-oracle).
                    let cleanup = if created.is_empty() {
                        Err("unable to cleanup resources: object not found, skipping delete: no objects visited".to_string())
                    } else {
                        delete_all(self, &created, &ns)
                            .await
                            .map(|_| ())
                            .map_err(|e| format!("unable to cleanup resources: {e}"))
                    };
                    if let Err(ce) = cleanup {
                        return Err(Error::action(e.kind(), format!("an error occurred while cleaning up resources. original rollback error: {ce}")));
                    }
                }
                Err(e)
            }
        }
    }

    /// `helm uninstall`: pre-delete hooks, objects deleted in uninstall order (except
    /// `helm.sh/resource-policy: keep`), post-delete hooks, then the history is purged or, with
    /// `keep_history`, the last revision marked `uninstalled`.
    async fn uninstall(&self, name: &str, opts: UninstallOptions) -> Result<UninstallResult> {
        let (ns, store, history) = release_history(self, &opts.namespace, name).await?;
        let timeout = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let Some(mut rel) = logic::latest(&history).cloned() else {
            return Err(Error::not_found(format!(
                "uninstall: Release not loaded: {name}: release: not found"
            )));
        };
        if opts.dry_run {
            return Ok(UninstallResult {
                release: rel,
                kept: Vec::new(),
            });
        }
        if rel.status() == Status::Uninstalled {
            if !opts.keep_history {
                for r in &history {
                    record_delete(self, &store, name, r.version).await?;
                }
                return Ok(UninstallResult {
                    release: rel,
                    kept: Vec::new(),
                });
            }
            return Err(Error::action(
                ErrorKind::Conflict,
                format!("the release named \"{name}\" is already deleted"),
            ));
        }
        rel.set_status(
            Status::Uninstalling,
            "Deletion in progress (or silently failed)",
        );
        rel.info_mut().deleted = Some(Time::now());
        record_update(self, &store, &rel).await?;
        hooks(
            self,
            !opts.no_hooks,
            &mut rel.hooks,
            "pre-delete",
            &ns,
            timeout,
        )
        .await?;
        let docs =
            logic::parse_manifest(&rel.manifest).map_err(|e| Error::invalid(e.to_string()))?;
        let kept = delete_all_cascading(self, &docs, &ns, opts.cascade.as_deref()).await?;
        if opts.wait {
            for d in docs.iter().filter(|d| !logic::is_kept(d)) {
                self.wait_deleted(d, &ns, timeout).await?;
            }
        }
        hooks(
            self,
            !opts.no_hooks,
            &mut rel.hooks,
            "post-delete",
            &ns,
            timeout,
        )
        .await?;
        rel.set_status(
            Status::Uninstalled,
            opts.description
                .clone()
                .unwrap_or_else(|| "Uninstallation complete".into()),
        );
        if opts.keep_history {
            record_update(self, &store, &rel).await?;
        } else {
            for r in &history {
                record_delete(self, &store, name, r.version).await?;
            }
        }
        Ok(UninstallResult { release: rel, kept })
    }

    /// `helm status` / `helm get`: one revision (0: the latest).
    async fn get_release(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
    ) -> Result<Release> {
        let ns = ns_or(self, &namespace.map(String::from));
        let store = self.storage(Some(&ns));
        if revision > 0 {
            return Ok(store.get(name, revision).await?);
        }
        Ok(store.last(name).await?)
    }

    /// `helm status` (Helm 4): one revision (0: the latest) with `info.resources` filled from
    /// the cluster ([`Cluster::release_resources`]); `table` asks for the API server's Table
    /// renderings (what the table output prints) instead of the objects (`-o json|yaml`).
    async fn status(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        table: bool,
    ) -> Result<Release> {
        let mut rel = self.get_release(name, namespace, revision).await?;
        let ns = ns_or(self, &namespace.map(String::from));
        let resources = self.release_resources(&rel.manifest, &ns, table).await?;
        let map: serde_json::Map<String, serde_json::Value> = resources
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::Array(v)))
            .collect();
        if !map.is_empty() {
            rel.info_mut().resources = Some(serde_json::Value::Object(map));
        }
        Ok(rel)
    }

    /// `helm history`: every revision, oldest first.
    async fn history(&self, name: &str, namespace: Option<&str>) -> Result<Vec<Release>> {
        let ns = ns_or(self, &namespace.map(String::from));
        let mut h = self.storage(Some(&ns)).history(name).await?;
        if h.is_empty() {
            return Err(Error::not_found("release: not found"));
        }
        h.sort_by_key(|r| r.version);
        Ok(h)
    }

    /// `helm list`: the latest revision of each release, by name.
    async fn list(&self, opts: ListOptions) -> Result<Vec<Release>> {
        let store = if opts.all_namespaces {
            self.storage(None)
        } else {
            self.storage(Some(&ns_or(self, &opts.namespace)))
        };
        let all = store.list().await?;
        let re = match &opts.filter {
            Some(f) => Some(regex_lite(f)?),
            None => None,
        };
        let states: Vec<Status> = if !opts.states.is_empty() {
            opts.states.clone()
        } else if opts.all {
            Status::ALL.to_vec()
        } else {
            vec![Status::Deployed, Status::Failed]
        };
        // As Helm's List: the name filter, then the latest revision of each release (except
        // when only superseded ones are asked for: every superseded revision), then the states,
        // so a release whose latest revision is deployed is not listed by `--failed`. Helm
        // keeps the latest in a Go map, so releases of one name in several namespaces (`-A`)
        // come out in random order there; here by namespace.
        let named: Vec<Release> = all
            .into_iter()
            .filter(|r| re.as_ref().map(|re| re.is_match(&r.name)).unwrap_or(true))
            .collect();
        let candidates = if states == [Status::Superseded] {
            named
        } else {
            logic::list_latest(named)
        };
        Ok(candidates
            .into_iter()
            .filter(|r| states.contains(&r.status()))
            .collect())
    }

    /// `helm get values` (with `all`: the chart's defaults coalesced under the user's).
    async fn get_values(
        &self,
        name: &str,
        namespace: Option<&str>,
        revision: i64,
        all: bool,
    ) -> Result<Value> {
        let rel = self.get_release(name, namespace, revision).await?;
        let user = json_to_core(&serde_json::Value::Object(rel.config.clone()));
        if !all {
            return Ok(user);
        }
        let defaults = json_to_core(&serde_json::Value::Object(rel.chart_values()));
        Ok(merge_values(&defaults, &user))
    }

    /// `helm test`: runs the release's `test` hooks and stores their results.
    async fn test(
        &self,
        name: &str,
        namespace: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<Release> {
        let ns = ns_or(self, &namespace.map(String::from));
        let store = self.storage(Some(&ns));
        let mut rel = store.last(name).await?;
        let r = run_hooks(
            self,
            &mut rel.hooks,
            "test",
            &ns,
            timeout.unwrap_or(DEFAULT_TIMEOUT),
        )
        .await;
        record_update(self, &store, &rel).await?;
        r.map(|_| rel)
    }

    async fn live_sides(
        &self,
        release: &str,
        namespace: Option<&str>,
        old_manifest: &str,
        new_manifest: &str,
        force: bool,
    ) -> Result<Option<crate::plan::LiveSides>> {
        let ns = ns_or(self, &namespace.map(String::from));
        crate::plan::live_sides(self, release, &ns, old_manifest, new_manifest, force)
            .await
            .map(Some)
    }

    async fn recover(&self, name: &str, opts: RecoverOptions) -> Result<Release> {
        let (_, store, history) = release_history(self, &opts.namespace, name).await?;
        let stale_after = opts.stale_after.unwrap_or(DEFAULT_TIMEOUT).as_secs() as i64;
        let rel = logic::recover_pending(&history, &Time::now(), stale_after, opts.force).map_err(
            |refusal| match refusal {
                logic::RecoverRefusal::NotFound => Error::not_found(refusal.to_string()),
                logic::RecoverRefusal::NotPending(_) => Error::invalid(refusal.to_string()),
                logic::RecoverRefusal::TooRecent { .. } => {
                    Error::action(ErrorKind::Pending, refusal.to_string())
                }
            },
        )?;
        // The operation may be alive after all and record its end meanwhile: only a record
        // still pending is changed (and the storage's update is guarded by the version it
        // reads, so a write between the two fails it).
        if !store.get(name, rel.version).await?.status().is_pending() {
            return Err(Error::invalid(
                "nothing to recover: the operation recorded its end meanwhile",
            ));
        }
        record_update(self, &store, &rel).await?;
        Ok(rel)
    }
}

/// How an upgrade or rollback applies its objects (Helm 4's `--server-side` against the
/// release's recorded apply method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ApplyMode {
    /// Server-side apply (`ssa`); otherwise client-side apply (`csa`): create, patch, replace.
    server_side: bool,
    /// Before applying server-side, hand the objects' client-side field ownership of manager
    /// `helm` to its apply entry (a release moving from client-side to server-side apply).
    migrate_csa: bool,
}

impl ApplyMode {
    /// The method recorded in the new revision (Helm's `determineReleaseSSApplyMethod`).
    fn recorded(self) -> String {
        if self.server_side { "ssa" } else { "csa" }.into()
    }
}

/// Whether a release was deployed with server-side apply (Helm 3 records have no method: they
/// were client-side).
fn is_ssa(rel: &Release) -> bool {
    rel.apply_method == "ssa"
}

/// Helm 4's kube client refuses to replace objects it applies server-side, checked when the
/// update starts.
fn force_replace_refused() -> Error {
    Error::invalid("invalid operation: cannot use server-side apply and force replace together")
}

/// Helm 4's `getUpgradeServerSideValue`: `auto` (None) keeps the apply method `prev` (the
/// latest revision for an upgrade, the target for a rollback) was recorded with, `true`/`false`
/// choose. A release moving to server-side apply from client-side (`from`) has its field
/// ownership migrated first.
fn apply_mode(prev: &Release, from: &Release, server_side: Option<bool>) -> ApplyMode {
    let server_side = server_side.unwrap_or_else(|| is_ssa(prev));
    ApplyMode {
        server_side,
        migrate_csa: server_side && !is_ssa(from),
    }
}

/// Helm's update of a release's objects (upgrade, rollback) by its apply mode: server-side
/// apply (after migrating client-side field ownership when the release moves to it; no
/// `--force-replace`), or client-side apply. `old_deployed`: `old_docs` are the latest
/// revision's, which was applied server-side and succeeded. `read`: which objects an apply
/// would not change, when that was read already.
#[allow(clippy::too_many_arguments)]
async fn apply_update<C: Cluster>(
    c: &C,
    mode: ApplyMode,
    new_docs: &[ResourceDoc],
    old_docs: &[ResourceDoc],
    old_deployed: bool,
    read: Option<Vec<bool>>,
    name: &str,
    ns: &str,
    force_conflicts: bool,
    force_replace: bool,
) -> Result<()> {
    if !mode.server_side {
        if force_conflicts {
            return Err(Error::invalid(
                "invalid client update option(s): forceConflicts enabled when serverSideApply disabled",
            ));
        }
        return apply_all_client_side(c, new_docs, old_docs, name, ns, force_replace).await;
    }
    if force_replace {
        return Err(force_replace_refused());
    }
    if mode.migrate_csa {
        c.migrate_csa_ownership(new_docs, ns).await?;
    }
    let reads = match read {
        // Ownership just migrated is rewritten by the apply: every object is applied.
        _ if mode.migrate_csa => UpdateReads::Done(vec![false; new_docs.len()]),
        Some(unchanged) => UpdateReads::Done(unchanged),
        None => UpdateReads::Read {
            applied: applied_before(old_docs, old_deployed),
        },
    };
    apply_all(c, new_docs, name, ns, force_conflicts, Some(reads)).await
}

/// The documents an update may take as applied last time, all successfully: the previous
/// revision's, when it was applied server-side and succeeded.
fn applied_before(old_docs: &[ResourceDoc], old_deployed: bool) -> &[ResourceDoc] {
    if old_deployed {
        old_docs
    } else {
        &[]
    }
}

/// Client-side apply of every object (Helm's `Update` without server-side apply): objects the
/// cluster lacks are created (`failed to create resource: …`, which stops Helm's update);
/// existing ones are patched from their object in `originals` (the previous release's, by
/// identity; an adopted object is its own original) or, with `force_replace`, replaced. Patch
/// failures are joined by ` && ` as Helm joins them.
async fn apply_all_client_side<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    originals: &[ResourceDoc],
    name: &str,
    ns: &str,
    force_replace: bool,
) -> Result<()> {
    let by_id: std::collections::HashMap<_, &ResourceDoc> =
        originals.iter().map(|d| (d.identity(ns), d)).collect();
    let results = by_kind_concurrently(docs, |d| {
        let original = by_id.get(&d.identity(ns)).map(|o| &o.object);
        async move {
            match c.get(d, ns).await {
                Err(e) => Err((
                    true,
                    e.with_context("could not get information about the resource: "),
                )),
                Ok(None) => c
                    .create(d, ns, Some(name))
                    .await
                    .map_err(|e| (true, e.with_context("failed to create resource: "))),
                Ok(Some(_)) if force_replace => {
                    c.replace(d, ns, Some(name)).await.map_err(|e| (false, e))
                }
                Ok(Some(_)) => c
                    .patch_client_side(original.unwrap_or(&d.object), d, ns, Some(name))
                    .await
                    .map_err(|e| (false, e)),
            }
        }
    })
    .await;
    let mut update_errors: Vec<Error> = Vec::new();
    for (i, r) in results {
        match r {
            Ok(()) => c.report_object(&docs[i], ns, true).await,
            Err((true, e)) => return Err(e),
            Err((false, e)) => update_errors.push(e),
        }
    }
    match update_errors.len() {
        0 => Ok(()),
        1 => Err(update_errors.remove(0)),
        _ => {
            let code = update_errors
                .iter()
                .find_map(|e| e.http_code())
                .unwrap_or(0);
            let message = update_errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(" && ");
            Err(Error::Api { code, message })
        }
    }
}

/// Helm's client-side install: every object created when none exists yet; when some exist
/// (adopted: ours already, or `--take-ownership`), Helm's update path instead, the existing
/// ones patched with themselves as the original.
async fn install_client_side<C: Cluster>(
    c: &C,
    docs: &[ResourceDoc],
    name: &str,
    ns: &str,
    force_replace: bool,
) -> Result<()> {
    let live = by_kind_concurrently(docs, |d| c.get(d, ns)).await;
    let mut any = false;
    for (_, r) in live {
        any |= r?.is_some();
    }
    if any {
        apply_all_client_side(c, docs, &[], name, ns, force_replace).await
    } else {
        create_all(c, docs, name, ns).await
    }
}

/// Client-side install of objects none of which exist (Helm's `Create` without server-side
/// apply): POST of each, failures joined by newlines as `errors.Join` does.
async fn create_all<C: Cluster>(c: &C, docs: &[ResourceDoc], name: &str, ns: &str) -> Result<()> {
    let mut lines: Vec<String> = Vec::new();
    let mut code = 0;
    for (i, r) in by_kind_concurrently(docs, |d| c.create(d, ns, Some(name))).await {
        match r {
            Ok(()) => c.report_object(&docs[i], ns, true).await,
            Err(e) => {
                code = code.max(e.http_code().unwrap_or(0));
                lines.push(e.to_string());
            }
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    Err(Error::Api {
        code,
        message: lines.join("\n"),
    })
}

/// `over` on top of `base` (maps merged deeply, other values replaced).
pub fn merge_values(base: &Value, over: &Value) -> Value {
    match (base.as_map(), over.as_map()) {
        (Some(b), Some(o)) => {
            let out = b.shallow_copy();
            for (k, v) in o.entries() {
                let merged = match out.get(&k) {
                    Some(old) => merge_values(&old, &v),
                    None => v.clone(),
                };
                out.insert(k, merged);
            }
            Value::Map(out)
        }
        _ => over.clone(),
    }
}

fn regex_lite(pattern: &str) -> Result<regex::Regex> {
    regex::Regex::new(pattern).map_err(|e| Error::invalid(format!("error parsing regexp: {e}")))
}
