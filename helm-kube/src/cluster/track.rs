//! `--wait` on a Kubernetes API server, driven by watches: what is still not ready, and why.
//!
//! Why watches: Helm 4's waiter watches the release's objects and says nothing until it
//! succeeds or times out. helm-rs follows the same objects through watch streams (one per
//! kind and namespace, started with the current state), so a change is seen when it happens,
//! and reports each change of the not-ready set as a [`ProgressEvent::Waiting`] whose entries
//! carry kstatus' message (the one Helm's timeout error quotes) and the reasons behind it:
//! the problems of the pods a workload selects (CrashLoopBackOff with the container's last
//! message, an image that cannot be pulled, a pod that cannot be scheduled) and the latest
//! Warning events about the object or those pods.
//!
//! A caller who may not watch a kind (RBAC) is served by reading those objects once a second
//! instead; pods and events are only explanations, so without the right to watch them the
//! reasons are just shorter. The timeout error keeps Helm's text.
//!
//! The explaining rules ([`pod_problem`], [`selector_matches`], [`explain`]) are pure, so they
//! are tested on plain JSON.

use crate::cluster::client::Client;
use crate::cluster::progress::{NotReady, ProgressEvent};
use crate::cluster::resources::{generic_in_progress, in_progress_message, object_ready};
use crate::error::{Error, Result};
use futures_util::StreamExt;
use helm_core::release::api::WaitStrategy;
use helm_core::release::logic::ResourceDoc;
use kube::api::{Api, DynamicObject, WatchEvent, WatchParams};
use kube::core::ApiResource;
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Built-in kinds whose readiness depends on their status; other built-in kinds are ready
/// once applied. Custom resources are watched too under `--wait=watcher` (kstatus' generic
/// rules, see [`awaits_status`]).
const STATUS_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "PersistentVolumeClaim",
    "Pod",
    "Service",
    "CustomResourceDefinition",
];

/// Whether `--wait` watches an object of this kind: the built-in kinds with a status rule,
/// and, under `watcher`, custom resources (API groups outside Kubernetes' own), whose
/// conditions and observed generation kstatus reads.
fn awaits_status(api_version: &str, kind: &str, strategy: WaitStrategy) -> bool {
    if STATUS_KINDS.contains(&kind) {
        return true;
    }
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let builtin = group.is_empty()
        || group.ends_with(".k8s.io")
        || ["apps", "batch", "policy", "autoscaling", "extensions"].contains(&group);
    strategy == WaitStrategy::Watcher && !builtin
}

/// Kinds that own pods through `spec.selector`.
const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
];

/// Container waiting reasons that mean the container will not start without a change.
const STUCK_REASONS: &[&str] = &[
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

/// How many pods and events one object's reasons name at most.
const MAX_PODS: usize = 3;
const MAX_EVENTS: usize = 2;

/// Whether `labels` (an object's `metadata.labels`) are selected by a label selector
/// (`matchLabels` and `matchExpressions`); an empty selector selects nothing, as a workload
/// without one owns no pods.
pub fn selector_matches(selector: &J, labels: &J) -> bool {
    let label = |k: &str| labels.get(k).and_then(|v| v.as_str());
    let mut any = false;
    if let Some(m) = selector.get("matchLabels").and_then(|m| m.as_object()) {
        for (k, v) in m {
            any = true;
            if label(k) != v.as_str() {
                return false;
            }
        }
    }
    for e in selector
        .get("matchExpressions")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        any = true;
        let key = e.get("key").and_then(|k| k.as_str()).unwrap_or("");
        let values: Vec<&str> = e
            .get("values")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        let ok = match e.get("operator").and_then(|o| o.as_str()).unwrap_or("") {
            "In" => label(key).is_some_and(|v| values.contains(&v)),
            "NotIn" => !label(key).is_some_and(|v| values.contains(&v)),
            "Exists" => label(key).is_some(),
            "DoesNotExist" => label(key).is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    any
}

/// The last non-empty line of a container's termination message, shortened.
fn last_line(s: &str) -> String {
    let line = s
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() > 160 {
        format!("{}…", line.chars().take(160).collect::<String>())
    } else {
        line.to_string()
    }
}

/// What keeps one pod from being ready, if anything does: a container stuck in a waiting state
/// (with its last termination), a failed pod, a pod the scheduler cannot place, or the
/// Ready condition's message.
pub fn pod_problem(pod: &J) -> Option<String> {
    let name = pod
        .pointer("/metadata/name")
        .and_then(|n| n.as_str())
        .unwrap_or("?");
    let s = |p: &str| pod.pointer(p).and_then(|x| x.as_str()).unwrap_or("");
    let phase = s("/status/phase");
    if phase == "Succeeded" {
        return None;
    }
    if phase == "Failed" {
        let why = [s("/status/reason"), s("/status/message")]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        return Some(if why.is_empty() {
            format!("pod {name} failed")
        } else {
            format!("pod {name} failed: {why}")
        });
    }
    for list in ["/status/initContainerStatuses", "/status/containerStatuses"] {
        for c in pod
            .pointer(list)
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
        {
            let reason = c
                .pointer("/state/waiting/reason")
                .and_then(|r| r.as_str())
                .unwrap_or("");
            if !STUCK_REASONS.contains(&reason) {
                continue;
            }
            let cname = c.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            let mut text = format!("pod {name}: container {cname} {reason}");
            if let Some(t) = c.pointer("/lastState/terminated") {
                let code = t.get("exitCode").and_then(|x| x.as_i64()).unwrap_or(0);
                let msg = t
                    .get("message")
                    .and_then(|m| m.as_str())
                    .map(last_line)
                    .filter(|m| !m.is_empty());
                let why = msg
                    .or_else(|| t.get("reason").and_then(|r| r.as_str()).map(String::from))
                    .unwrap_or_default();
                text.push_str(&format!(
                    " (last exit {code}{}{why})",
                    if why.is_empty() { "" } else { ": " }
                ));
            } else if let Some(m) = c
                .pointer("/state/waiting/message")
                .and_then(|m| m.as_str())
                .map(last_line)
                .filter(|m| !m.is_empty())
            {
                text.push_str(&format!(": {m}"));
            }
            return Some(text);
        }
    }
    let conditions: Vec<&J> = pod
        .pointer("/status/conditions")
        .and_then(|c| c.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let condition = |ty: &str| {
        conditions
            .iter()
            .find(|c| c.get("type").and_then(|t| t.as_str()) == Some(ty))
            .copied()
    };
    let is_false = |c: &J| c.get("status").and_then(|t| t.as_str()) == Some("False");
    let message = |c: &J| {
        c.get("message")
            .and_then(|m| m.as_str())
            .map(last_line)
            .unwrap_or_default()
    };
    if phase == "Pending" || phase.is_empty() {
        if let Some(c) = condition("PodScheduled").filter(|c| is_false(c)) {
            let reason = c
                .get("reason")
                .and_then(|r| r.as_str())
                .unwrap_or("Unschedulable");
            return Some(format!("pod {name}: {reason}: {}", message(c)));
        }
        if s("/spec/nodeName").is_empty() {
            return Some(format!("pod {name}: Pending, not scheduled yet"));
        }
        return Some(format!("pod {name}: Pending"));
    }
    if let Some(c) = condition("Ready").filter(|c| is_false(c)) {
        let m = message(c);
        return Some(if m.is_empty() {
            format!("pod {name}: not ready")
        } else {
            format!("pod {name}: not ready: {m}")
        });
    }
    None
}

/// The reasons behind one not-ready object: its pods' problems (a workload's, through its
/// selector; a Pod's own) and the latest Warning events about it or those pods
/// (`events`: involved object `Kind/name` → messages, oldest first).
pub fn explain(
    kind: &str,
    live: &J,
    pods: &[&J],
    events: &HashMap<String, Vec<String>>,
) -> Vec<String> {
    let name = live
        .pointer("/metadata/name")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    let mut out = Vec::new();
    let mut subjects = vec![format!("{kind}/{name}")];
    let owned: Vec<&J> = if kind == "Pod" {
        vec![live]
    } else if WORKLOAD_KINDS.contains(&kind) {
        let selector = live.pointer("/spec/selector").cloned().unwrap_or(J::Null);
        pods.iter()
            .copied()
            .filter(|p| {
                selector_matches(&selector, p.pointer("/metadata/labels").unwrap_or(&J::Null))
            })
            .collect()
    } else {
        Vec::new()
    };
    let problems: Vec<String> = owned.iter().filter_map(|p| pod_problem(p)).collect();
    let shown = problems.len().min(MAX_PODS);
    out.extend(problems[..shown].iter().cloned());
    if problems.len() > shown {
        out.push(format!("(+{} more pods)", problems.len() - shown));
    }
    for p in &owned {
        if let Some(n) = p.pointer("/metadata/name").and_then(|n| n.as_str()) {
            if kind != "Pod" {
                subjects.push(format!("Pod/{n}"));
            }
        }
    }
    let mut warnings: Vec<&String> = subjects
        .iter()
        .filter_map(|s| events.get(s))
        .flat_map(|v| v.iter())
        .collect();
    warnings.dedup();
    let skip = warnings.len().saturating_sub(MAX_EVENTS);
    out.extend(
        warnings
            .into_iter()
            .skip(skip)
            .map(|w| format!("event: {w}")),
    );
    out
}

/// One watched object: what `--wait` waits for.
struct Awaited {
    kind: String,
    namespace: String,
    name: String,
    live: Option<J>,
}

/// What the watch tasks send: an object's state (None: deleted) or a pod's, or an event.
enum Update {
    Object {
        kind: String,
        namespace: String,
        name: String,
        live: Option<J>,
    },
    Pod {
        namespace: String,
        name: String,
        live: Option<J>,
    },
    Event {
        namespace: String,
        involved: String,
        message: String,
    },
}

/// Follows a watch from the current state on, calling `seen` with each object (and whether it
/// was deleted) until `seen` returns false or the receiver is gone; restarts the watch where it
/// ended (from the current state again when its version expired). Returns false at once when
/// the watch cannot be started (not allowed, or not served).
async fn watch(
    api: &Api<DynamicObject>,
    params: &WatchParams,
    tx: &mpsc::UnboundedSender<Update>,
    mut seen: impl FnMut(DynamicObject, bool) -> bool,
) -> bool {
    let mut version = "0".to_string();
    loop {
        let Ok(stream) = api.watch(&params.clone().timeout(290), &version).await else {
            return false;
        };
        let mut stream = Box::pin(stream);
        while let Some(ev) = stream.next().await {
            let (o, deleted) = match ev {
                Ok(WatchEvent::Added(o)) | Ok(WatchEvent::Modified(o)) => (o, false),
                Ok(WatchEvent::Deleted(o)) => (o, true),
                Ok(WatchEvent::Bookmark(b)) => {
                    version = b.metadata.resource_version;
                    continue;
                }
                // 410 Gone (the version is too old) or a broken stream: from the current state.
                Ok(WatchEvent::Error(_)) | Err(_) => {
                    version = "0".into();
                    break;
                }
            };
            version = o.metadata.resource_version.clone().unwrap_or(version);
            if !seen(o, deleted) {
                return true;
            }
        }
        if tx.is_closed() {
            return true;
        }
    }
}

/// Watches the objects named `names` of one kind in one namespace (or cluster-wide), sending
/// their states; reads them once a second instead when the watch is refused.
async fn follow(
    api: Api<DynamicObject>,
    kind: String,
    namespace: String,
    names: BTreeSet<String>,
    tx: mpsc::UnboundedSender<Update>,
) {
    let send = |name: &str, live: Option<J>| {
        tx.send(Update::Object {
            kind: kind.clone(),
            namespace: namespace.clone(),
            name: name.to_string(),
            live,
        })
        .is_ok()
    };
    let params = match names.iter().next() {
        Some(only) if names.len() == 1 => {
            WatchParams::default().fields(&format!("metadata.name={only}"))
        }
        _ => WatchParams::default(),
    };
    let watched = watch(&api, &params, &tx, |o, deleted| {
        let name = o.metadata.name.clone().unwrap_or_default();
        !names.contains(&name)
            || send(
                &name,
                if deleted {
                    None
                } else {
                    serde_json::to_value(&o).ok()
                },
            )
    })
    .await;
    if watched {
        return;
    }
    // Not allowed to watch: read each object once a second.
    loop {
        for name in &names {
            let live = match api.get_opt(name).await {
                Ok(o) => o.and_then(|o| serde_json::to_value(&o).ok()),
                Err(_) => continue,
            };
            if !send(name, live) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Watches a namespace's pods (for the reasons of workloads); gives up quietly when refused.
async fn follow_pods(
    api: Api<DynamicObject>,
    namespace: String,
    tx: mpsc::UnboundedSender<Update>,
) {
    watch(&api, &WatchParams::default(), &tx, |o, deleted| {
        let name = o.metadata.name.clone().unwrap_or_default();
        let live = if deleted {
            None
        } else {
            serde_json::to_value(&o).ok()
        };
        tx.send(Update::Pod {
            namespace: namespace.clone(),
            name,
            live,
        })
        .is_ok()
    })
    .await;
}

/// Watches a namespace's Warning events; gives up quietly when refused.
async fn follow_events(
    api: Api<DynamicObject>,
    namespace: String,
    tx: mpsc::UnboundedSender<Update>,
) {
    watch(
        &api,
        &WatchParams::default().fields("type=Warning"),
        &tx,
        |o, deleted| {
            if deleted {
                return true;
            }
            let s = |k: &str| {
                o.data
                    .pointer(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let involved = format!(
                "{}/{}",
                s("/involvedObject/kind"),
                s("/involvedObject/name")
            );
            let message = format!("{}: {}", s("/reason"), last_line(&s("/message")));
            tx.send(Update::Event {
                namespace: namespace.clone(),
                involved,
                message,
            })
            .is_ok()
        },
    )
    .await;
}

fn core_api(
    client: &Client,
    version: &str,
    kind: &str,
    plural: &str,
    namespace: &str,
) -> Api<DynamicObject> {
    let ar = ApiResource {
        group: String::new(),
        version: version.into(),
        api_version: version.into(),
        kind: kind.into(),
        plural: plural.into(),
    };
    Api::namespaced_with(client.kube().clone(), namespace, &ar)
}

/// `--wait` on the API server: until every object of `docs` is ready, or `timeout`. Reports
/// [`ProgressEvent::Waiting`] whenever what is not ready (or why) changes, and
/// [`ProgressEvent::Ready`] at the end.
pub(crate) async fn wait_ready(
    client: &Client,
    docs: &[ResourceDoc],
    release_ns: &str,
    timeout: Duration,
    strategy: WaitStrategy,
) -> Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = JoinSet::new();
    let mut awaited: Vec<Awaited> = Vec::new();
    let mut groups: BTreeMap<(String, String, String), (ApiResource, bool, BTreeSet<String>)> =
        BTreeMap::new();
    for d in docs
        .iter()
        .filter(|d| awaits_status(&d.api_version, &d.kind, strategy))
    {
        let (ar, namespaced): (ApiResource, bool) = client.resolve(&d.api_version, &d.kind).await?;
        let namespace = if namespaced {
            d.namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string())
        } else {
            String::new()
        };
        awaited.push(Awaited {
            kind: d.kind.clone(),
            namespace: namespace.clone(),
            name: d.name.clone(),
            live: None,
        });
        groups
            .entry((d.api_version.clone(), d.kind.clone(), namespace))
            .or_insert_with(|| (ar, namespaced, BTreeSet::new()))
            .2
            .insert(d.name.clone());
    }
    let mut workload_namespaces = BTreeSet::new();
    for ((_, kind, namespace), (ar, namespaced, names)) in groups {
        let api = if namespaced {
            Api::namespaced_with(client.kube().clone(), &namespace, &ar)
        } else {
            Api::all_with(client.kube().clone(), &ar)
        };
        if WORKLOAD_KINDS.contains(&kind.as_str()) || kind == "Pod" {
            workload_namespaces.insert(namespace.clone());
        }
        tasks.spawn(follow(api, kind, namespace, names, tx.clone()));
    }
    for ns in workload_namespaces {
        tasks.spawn(follow_pods(
            core_api(client, "v1", "Pod", "pods", &ns),
            ns.clone(),
            tx.clone(),
        ));
        tasks.spawn(follow_events(
            core_api(client, "v1", "Event", "events", &ns),
            ns.clone(),
            tx.clone(),
        ));
    }
    drop(tx);

    let mut pods: HashMap<String, BTreeMap<String, J>> = HashMap::new();
    let mut events: HashMap<String, HashMap<String, Vec<String>>> = HashMap::new();
    let mut reported: Option<Vec<NotReady>> = None;
    // The watches start with the objects' current states, which arrive together: the set is
    // judged once every object has been seen (or after a moment, for one that does not exist).
    let settle_by = tokio::time::Instant::now() + Duration::from_secs(2).min(timeout);
    let mut settled = false;
    let mut open = true;
    loop {
        settled = settled || awaited.iter().all(|a| a.live.is_some());
        if settled {
            let not_ready = judge(&awaited, &pods, &events, strategy);
            if not_ready.is_empty() {
                if !docs.is_empty() {
                    client.emit(ProgressEvent::Ready { count: docs.len() });
                }
                return Ok(());
            }
            if reported.as_ref() != Some(&not_ready) {
                client.emit(ProgressEvent::Waiting {
                    not_ready: not_ready.clone(),
                });
                reported = Some(not_ready);
            }
        }
        let wake = if settled {
            deadline
        } else {
            settle_by.min(deadline)
        };
        let update = tokio::select! {
            u = rx.recv(), if open => u,
            _ = tokio::time::sleep_until(wake) => {
                if tokio::time::Instant::now() >= deadline {
                    let mut lines: Vec<String> = judge(&awaited, &pods, &events, strategy)
                        .iter()
                        .map(|n| format!("resource {}/{}/{} not ready. status: InProgress, message: {}", n.kind, n.namespace, n.name, n.reason))
                        .collect();
                    lines.push("context deadline exceeded".into());
                    return Err(Error::Timeout(lines.join("\n")));
                }
                settled = true;
                continue;
            }
        };
        match update {
            Some(u) => {
                apply(u, &mut awaited, &mut pods, &mut events);
                // Judge once per batch: take what else is already queued.
                while let Ok(u) = rx.try_recv() {
                    apply(u, &mut awaited, &mut pods, &mut events);
                }
            }
            // Every source ended (none is left to report): wait out the deadline.
            None => open = false,
        }
    }
}

/// What is not ready now, with kstatus' message and the reasons behind it.
fn judge(
    awaited: &[Awaited],
    pods: &HashMap<String, BTreeMap<String, J>>,
    events: &HashMap<String, HashMap<String, Vec<String>>>,
    strategy: WaitStrategy,
) -> Vec<NotReady> {
    let no_events = HashMap::new();
    awaited
        .iter()
        .filter_map(|a| {
            let (reason, details) = match &a.live {
                None => ("Resource not found".to_string(), Vec::new()),
                Some(live) if object_ready(&a.kind, live, strategy) => return None,
                Some(live) => {
                    let ns_pods: Vec<&J> = pods
                        .get(&a.namespace)
                        .map(|m| m.values().collect())
                        .unwrap_or_default();
                    let generic = match strategy {
                        WaitStrategy::Watcher => generic_in_progress(&a.kind, live),
                        WaitStrategy::Legacy => None,
                    };
                    (
                        generic.unwrap_or_else(|| in_progress_message(&a.kind, live)),
                        explain(
                            &a.kind,
                            live,
                            &ns_pods,
                            events.get(&a.namespace).unwrap_or(&no_events),
                        ),
                    )
                }
            };
            Some(NotReady {
                kind: a.kind.clone(),
                namespace: a.namespace.clone(),
                name: a.name.clone(),
                reason,
                details,
            })
        })
        .collect()
}

fn apply(
    update: Update,
    awaited: &mut [Awaited],
    pods: &mut HashMap<String, BTreeMap<String, J>>,
    events: &mut HashMap<String, HashMap<String, Vec<String>>>,
) {
    match update {
        Update::Object {
            kind,
            namespace,
            name,
            live,
        } => {
            if let Some(a) = awaited
                .iter_mut()
                .find(|a| a.kind == kind && a.namespace == namespace && a.name == name)
            {
                a.live = live;
            }
        }
        Update::Pod {
            namespace,
            name,
            live,
        } => {
            let m = pods.entry(namespace).or_default();
            match live {
                Some(p) => {
                    m.insert(name, p);
                }
                None => {
                    m.remove(&name);
                }
            }
        }
        Update::Event {
            namespace,
            involved,
            message,
        } => {
            let v = events
                .entry(namespace)
                .or_default()
                .entry(involved)
                .or_default();
            v.retain(|m| m != &message);
            v.push(message);
            if v.len() > MAX_EVENTS {
                v.remove(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors() {
        let labels = json!({"app": "web", "tier": "front"});
        assert!(selector_matches(
            &json!({"matchLabels": {"app": "web"}}),
            &labels
        ));
        assert!(!selector_matches(
            &json!({"matchLabels": {"app": "db"}}),
            &labels
        ));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}),
            &labels
        ));
        assert!(!selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}),
            &labels
        ));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}),
            &labels
        ));
        assert!(
            !selector_matches(&json!({}), &labels),
            "an empty selector selects nothing"
        );
    }

    #[test]
    fn pod_problems() {
        let crash = json!({"metadata": {"name": "web-1"}, "status": {"phase": "Running", "containerStatuses": [{
            "name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": "starting\nfatal: cannot open /etc/app.conf\n"}}}]}});
        assert_eq!(pod_problem(&crash).as_deref(), Some("pod web-1: container app CrashLoopBackOff (last exit 1: fatal: cannot open /etc/app.conf)"));
        let pull = json!({"metadata": {"name": "web-2"}, "status": {"phase": "Pending", "containerStatuses": [{
            "name": "app", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"nope:1\""}}}]}});
        assert_eq!(
            pod_problem(&pull).as_deref(),
            Some("pod web-2: container app ImagePullBackOff: Back-off pulling image \"nope:1\"")
        );
        let unsched = json!({"metadata": {"name": "web-3"}, "status": {"phase": "Pending", "conditions": [{
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes are available: 3 Insufficient cpu."}]}});
        assert_eq!(
            pod_problem(&unsched).as_deref(),
            Some("pod web-3: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.")
        );
        assert_eq!(
            pod_problem(&json!({"metadata": {"name": "p"}, "status": {"phase": "Pending"}}))
                .as_deref(),
            Some("pod p: Pending, not scheduled yet")
        );
        let unready = json!({"metadata": {"name": "p"}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False", "message": "containers with unready status: [app]"}]}});
        assert_eq!(
            pod_problem(&unready).as_deref(),
            Some("pod p: not ready: containers with unready status: [app]")
        );
        let fine = json!({"metadata": {"name": "p"}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
        assert_eq!(pod_problem(&fine), None);
        assert_eq!(pod_problem(&json!({"metadata": {"name": "p"}, "status": {"phase": "Failed", "reason": "Evicted"}})).as_deref(), Some("pod p failed: Evicted"));
    }

    #[test]
    fn explanations_name_pods_and_events() {
        let deploy = json!({"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}}}});
        let mine = json!({"metadata": {"name": "web-abc", "labels": {"app": "web"}}, "status": {"phase": "Pending"}});
        let other = json!({"metadata": {"name": "db-0", "labels": {"app": "db"}}, "status": {"phase": "Pending"}});
        let mut events = HashMap::new();
        events.insert(
            "Pod/web-abc".to_string(),
            vec!["FailedMount: secret \"tls\" not found".to_string()],
        );
        events.insert("Pod/db-0".to_string(), vec!["Other: not mine".to_string()]);
        assert_eq!(
            explain("Deployment", &deploy, &[&mine, &other], &events),
            vec![
                "pod web-abc: Pending, not scheduled yet".to_string(),
                "event: FailedMount: secret \"tls\" not found".to_string()
            ]
        );
        let many: Vec<J> = (0..5).map(|i| json!({"metadata": {"name": format!("web-{i}"), "labels": {"app": "web"}}, "status": {"phase": "Pending"}})).collect();
        let refs: Vec<&J> = many.iter().collect();
        let lines = explain("Deployment", &deploy, &refs, &HashMap::new());
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[3], "(+2 more pods)");
    }
}
