//! The pure rules of Helm's release actions (`pkg/action`, `pkg/storage`), separated from the
//! cluster calls so they can be tested on plain data.

use super::record::{HookRecord, Release, Status};
use crate::render::manifest::split_manifests;
use crate::render::INSTALL_ORDER;
use std::collections::BTreeMap;

/// Helm's message when the latest revision is `pending-*` (an operation is running, or died).
pub const ERR_PENDING: &str = "another operation (install/upgrade/rollback) is in progress";
/// Helm's message when installing over a name still in use.
pub const ERR_NAME_IN_USE: &str = "cannot reuse a name that is still in use";

/// Helm's `UninstallOrder`: kinds deleted earlier come first (webhooks before what they guard).
pub const UNINSTALL_ORDER: &[&str] = &[
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
];

/// One Kubernetes object of a manifest, decoded to JSON for the API server.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceDoc {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written (None: the release namespace, for namespaced kinds).
    pub namespace: Option<String>,
    pub object: serde_json::Value,
}

impl ResourceDoc {
    /// `kind/name` (Helm prints resources so).
    pub fn key(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// The API group of `apiVersion` (empty for the core group).
    pub fn group(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((g, _)) => g,
            None => "",
        }
    }

    /// An annotation of the object.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.object
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    /// The identity used to compare two manifests (group, kind, namespace, name).
    pub fn identity(&self, default_ns: &str) -> (String, String, String, String) {
        (
            self.group().to_string(),
            self.kind.clone(),
            self.namespace
                .clone()
                .unwrap_or_else(|| default_ns.to_string()),
            self.name.clone(),
        )
    }
}

/// A manifest document that does not decode.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("error validating data: document {index} ({source_path}): {message}")]
pub struct ManifestDecodeError {
    pub index: usize,
    pub source_path: String,
    pub message: String,
}

/// Splits a release manifest (`---\n# Source: ...` documents) into objects, in manifest order.
/// Empty documents (only comments) are skipped, as kubectl's builder does.
pub fn parse_manifest(manifest: &str) -> Result<Vec<ResourceDoc>, ManifestDecodeError> {
    let mut out = Vec::new();
    for (index, doc) in split_manifests(manifest).into_iter().enumerate() {
        let source_path = doc
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            .unwrap_or("")
            .to_string();
        let err = |message: String| ManifestDecodeError {
            index,
            source_path: source_path.clone(),
            message,
        };
        let v = crate::values::yaml::from_str(&doc).map_err(|e| err(e.to_string()))?;
        if v.is_nil() || v.as_map().map(|m| m.is_empty()).unwrap_or(false) {
            continue;
        }
        let object = super::record::core_to_json(&v);
        let Some(obj) = object.as_object() else {
            return Err(err("the document is not a mapping".into()));
        };
        let s = |k: &str| {
            obj.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let (api_version, kind) = (s("apiVersion"), s("kind"));
        if kind.is_empty() {
            return Err(err("Object 'Kind' is missing".into()));
        }
        if api_version.is_empty() {
            return Err(err("Object 'apiVersion' is missing".into()));
        }
        let md = obj.get("metadata");
        let name = md
            .and_then(|m| m.get("name"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let namespace = md
            .and_then(|m| m.get("namespace"))
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(String::from);
        out.push(ResourceDoc {
            api_version,
            kind,
            name,
            namespace,
            object,
        });
    }
    Ok(out)
}

/// Stable sort by kind in `order` (unknown kinds last, by kind name): Helm's `lessByKind`.
pub fn sort_by_kind(docs: &mut [ResourceDoc], order: &[&str]) {
    let pos: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    docs.sort_by(
        |a, b| match (pos.get(a.kind.as_str()), pos.get(b.kind.as_str())) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.kind.cmp(&b.kind),
        },
    );
}

/// Objects in Helm's install order.
pub fn install_order(mut docs: Vec<ResourceDoc>) -> Vec<ResourceDoc> {
    sort_by_kind(&mut docs, INSTALL_ORDER);
    docs
}

/// Objects in Helm's uninstall order.
pub fn uninstall_order(mut docs: Vec<ResourceDoc>) -> Vec<ResourceDoc> {
    sort_by_kind(&mut docs, UNINSTALL_ORDER);
    docs
}

/// The objects of `old` that `new` no longer has (deleted by an upgrade or rollback).
pub fn dropped_resources(
    old: &[ResourceDoc],
    new: &[ResourceDoc],
    release_ns: &str,
) -> Vec<ResourceDoc> {
    let keep: std::collections::HashSet<_> = new.iter().map(|d| d.identity(release_ns)).collect();
    old.iter()
        .filter(|d| !keep.contains(&d.identity(release_ns)))
        .cloned()
        .collect()
}

/// `helm.sh/resource-policy: keep`: the object outlives uninstall and upgrades that drop it.
pub fn is_kept(doc: &ResourceDoc) -> bool {
    doc.annotation("helm.sh/resource-policy")
        .map(|p| p.trim().eq_ignore_ascii_case("keep"))
        .unwrap_or(false)
}

/// The next revision number: one more than the highest stored (1 for a new release).
pub fn next_revision(history: &[Release]) -> i64 {
    history.iter().map(|r| r.version).max().unwrap_or(0) + 1
}

/// The latest revision.
pub fn latest(history: &[Release]) -> Option<&Release> {
    history.iter().max_by_key(|r| r.version)
}

/// Refuses an upgrade while the latest revision is `pending-*` (rollback is allowed: it is
/// how a release whose operation died is recovered).
pub fn ensure_not_pending(history: &[Release]) -> Result<(), &'static str> {
    match latest(history) {
        Some(r) if r.status().is_pending() => Err(ERR_PENDING),
        _ => Ok(()),
    }
}

/// Whether `install NAME` may proceed: a name is in use unless every revision is uninstalled
/// (then `--replace` is needed too) or failed (Helm lets a failed install be replaced only with
/// `--replace`). Helm's `availableName`: any history at all means "in use", except that with
/// `replace` the latest being `uninstalled` or `failed` is allowed.
pub fn ensure_name_available(history: &[Release], replace: bool) -> Result<(), &'static str> {
    match latest(history) {
        None => Ok(()),
        Some(r) if replace && matches!(r.status(), Status::Uninstalled | Status::Failed) => Ok(()),
        Some(_) => Err(ERR_NAME_IN_USE),
    }
}

/// The revisions Helm deletes before storing a new one with `--max-history max` (`Storage.Create`
/// calls `removeLeastRecent(name, max-1)`): oldest first, never the last deployed one.
pub fn revisions_to_prune(history: &[Release], max_history: i64) -> Vec<i64> {
    if max_history <= 0 {
        return Vec::new();
    }
    let keep = (max_history - 1).max(0) as usize;
    let mut h: Vec<&Release> = history.iter().collect();
    h.sort_by_key(|r| r.version);
    if h.len() <= keep {
        return Vec::new();
    }
    let last_deployed = h
        .iter()
        .filter(|r| r.status() == Status::Deployed)
        .map(|r| r.version)
        .max();
    let mut out = Vec::new();
    for r in &h {
        if h.len() - out.len() == keep {
            break;
        }
        if Some(r.version) != last_deployed {
            out.push(r.version);
        }
    }
    out
}

/// The hooks of `event`, in execution order: render order (kind order), then stably by weight
/// and name (Helm's `hookByWeight`).
pub fn hooks_for_event<'a>(hooks: &'a [HookRecord], event: &str) -> Vec<&'a HookRecord> {
    let mut out: Vec<&HookRecord> = hooks.iter().filter(|h| h.has_event(event)).collect();
    out.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Releases as `helm list` shows them: the latest revision of each (namespace, name), sorted by
/// name (then namespace), filtered by the status set (`deployed`+`failed` by default, every
/// state with `--all`) and an optional name regex.
pub fn list_latest(all: Vec<Release>) -> Vec<Release> {
    let mut latest: BTreeMap<(String, String), Release> = BTreeMap::new();
    for r in all {
        let key = (r.name.clone(), r.namespace.clone());
        match latest.get(&key) {
            Some(cur) if cur.version >= r.version => {}
            _ => {
                latest.insert(key, r);
            }
        }
    }
    latest.into_values().collect()
}

/// Why a release cannot be recovered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoverRefusal {
    /// No revision at all.
    NotFound,
    /// The latest revision is not pending: nothing was interrupted (its status).
    NotPending(Status),
    /// The pending revision is younger than the staleness limit: its operation may still run.
    TooRecent {
        status: Status,
        since: String,
        age_seconds: i64,
        stale_after_seconds: i64,
    },
}

impl std::fmt::Display for RecoverRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecoverRefusal::NotFound => write!(f, "release: not found"),
            // An interrupted uninstall is finished by uninstalling again (as in Helm).
            RecoverRefusal::NotPending(Status::Uninstalling) => write!(f, "nothing to recover: the latest revision is uninstalling, not pending; an interrupted uninstall is finished by running uninstall again"),
            RecoverRefusal::NotPending(s) => write!(f, "nothing to recover: the latest revision is {s}, not pending"),
            RecoverRefusal::TooRecent { status, since, age_seconds, stale_after_seconds } => write!(
                f,
                "the release has been {status} since {since} ({age_seconds}s): the operation that started it may still be running; recover it after {stale_after_seconds}s, or now with --force if that operation is gone"
            ),
        }
    }
}

/// Since when a pending revision has been pending: its start (`info.last_deployed`) as Go's
/// ANSIC text, and its age in seconds at `now` (never negative). None without a start time.
pub fn pending_since(rel: &Release, now: &super::record::Time) -> Option<(String, i64)> {
    let started = rel.info.as_ref().and_then(|i| i.last_deployed)?;
    Some((started.ansic(), (now.0 - started.0).num_seconds().max(0)))
}

/// `helm-rs recover`: the latest revision, when it is pending and old enough (or `force`),
/// marked failed with a description that says what happened and since when, so that the
/// next upgrade, rollback or `install --replace` can go on. Nothing else changes: objects
/// the interrupted operation applied stay as they are, and the next action reconciles them.
pub fn recover_pending(
    history: &[Release],
    now: &super::record::Time,
    stale_after_seconds: i64,
    force: bool,
) -> Result<Release, RecoverRefusal> {
    let Some(latest) = latest(history) else {
        return Err(RecoverRefusal::NotFound);
    };
    let status = latest.status();
    if !status.is_pending() {
        return Err(RecoverRefusal::NotPending(status));
    }
    let (since, age_seconds) = match pending_since(latest, now) {
        Some((since, age)) => (since, age),
        None => ("an unknown time".into(), i64::MAX),
    };
    if !force && age_seconds < stale_after_seconds {
        return Err(RecoverRefusal::TooRecent {
            status,
            since,
            age_seconds,
            stale_after_seconds,
        });
    }
    let mut rel = latest.clone();
    let action = match status {
        Status::PendingInstall => "install",
        Status::PendingUpgrade => "upgrade",
        Status::PendingRollback => "rollback",
        _ => "operation",
    };
    rel.set_status(
        Status::Failed,
        format!("Interrupted {action}: {status} since {since}, marked failed by helm-rs recover"),
    );
    Ok(rel)
}

/// The versions a CRD update would drop although the API server may still hold objects in
/// them: those in the live CRD's `status.storedVersions` that the new `spec.versions` no
/// longer lists. Objects are only ever stored in the versions named there, so an update that
/// keeps them all loses nothing; one that drops any must wait until those objects are migrated
/// (and `storedVersions` trimmed), whatever the API server itself would let through.
pub fn crd_stored_versions_dropped(
    new: &serde_json::Value,
    live: &serde_json::Value,
) -> Vec<String> {
    let names = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let kept: Vec<String> = new
        .pointer("/spec/versions")
        .and_then(|v| v.as_array())
        .map(|vs| {
            vs.iter()
                .filter_map(|v| v.get("name").and_then(|n| n.as_str()).map(String::from))
                .collect()
        })
        .unwrap_or_default();
    names(live.pointer("/status/storedVersions"))
        .into_iter()
        .filter(|v| !kept.contains(v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::Info;

    #[test]
    fn recovering_a_pending_release() {
        use crate::release::record::Time;
        let at = |s: &str| Time(chrono::DateTime::parse_from_rfc3339(s).expect("time"));
        let rel = |v: i64, status: Status, t: &str| Release {
            name: "web".into(),
            version: v,
            info: Some(Info {
                status,
                last_deployed: Some(at(t)),
                description: "Preparing upgrade".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let history = vec![
            rel(1, Status::Deployed, "2026-01-01T10:00:00Z"),
            rel(2, Status::PendingUpgrade, "2026-01-01T10:00:00Z"),
        ];
        let now = at("2026-01-01T10:02:00Z");
        match recover_pending(&history, &now, 300, false) {
            Err(RecoverRefusal::TooRecent {
                age_seconds: 120, ..
            }) => {}
            other => panic!("{other:?}"),
        }
        let fixed = recover_pending(&history, &now, 300, true).expect("forced");
        assert_eq!((fixed.version, fixed.status()), (2, Status::Failed));
        let since = at("2026-01-01T10:00:00Z").ansic();
        assert_eq!(fixed.info.as_ref().map(|i| i.description.clone()), Some(format!("Interrupted upgrade: pending-upgrade since {since}, marked failed by helm-rs recover")));
        assert!(recover_pending(&history, &at("2026-01-01T10:06:00Z"), 300, false).is_ok());
        assert_eq!(
            recover_pending(&history[..1], &now, 300, true),
            Err(RecoverRefusal::NotPending(Status::Deployed))
        );
        assert_eq!(
            recover_pending(&[], &now, 300, true),
            Err(RecoverRefusal::NotFound)
        );
    }

    #[test]
    fn crd_update_keeps_stored_versions() {
        let live = serde_json::json!({"status": {"storedVersions": ["v1alpha1", "v1"]}});
        let both = serde_json::json!({"spec": {"versions": [{"name": "v1alpha1"}, {"name": "v1"}, {"name": "v2"}]}});
        assert!(crd_stored_versions_dropped(&both, &live).is_empty());
        let only_v1 = serde_json::json!({"spec": {"versions": [{"name": "v1"}]}});
        assert_eq!(
            crd_stored_versions_dropped(&only_v1, &live),
            vec!["v1alpha1".to_string()]
        );
        // a CRD the API server has not reported on yet holds nothing
        assert!(crd_stored_versions_dropped(&only_v1, &serde_json::json!({})).is_empty());
    }

    fn rel(v: i64, st: Status) -> Release {
        Release {
            name: "a".into(),
            version: v,
            info: Some(Info {
                status: st,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn revisions_and_pending() {
        assert_eq!(next_revision(&[]), 1);
        let h = vec![
            rel(1, Status::Superseded),
            rel(3, Status::PendingUpgrade),
            rel(2, Status::Deployed),
        ];
        assert_eq!(next_revision(&h), 4);
        assert_eq!(ensure_not_pending(&h), Err(ERR_PENDING));
        assert_eq!(ensure_not_pending(&h[..1]), Ok(()));
        assert_eq!(ensure_name_available(&h[..1], false), Err(ERR_NAME_IN_USE));
        assert_eq!(
            ensure_name_available(&[rel(1, Status::Uninstalled)], true),
            Ok(())
        );
        assert_eq!(ensure_name_available(&[], false), Ok(()));
    }

    #[test]
    fn prune_keeps_last_deployed() {
        // 5 revisions, rev 2 deployed (later ones failed); max-history 3 → keep 2 before adding.
        let h: Vec<Release> = (1..=5)
            .map(|v| {
                rel(
                    v,
                    if v == 2 {
                        Status::Deployed
                    } else {
                        Status::Failed
                    },
                )
            })
            .collect();
        assert_eq!(revisions_to_prune(&h, 3), vec![1, 3, 4]);
        assert_eq!(revisions_to_prune(&h, 0), Vec::<i64>::new());
        assert_eq!(revisions_to_prune(&h, 10), Vec::<i64>::new());
    }

    #[test]
    fn manifest_parsing_and_order() {
        let m = "---\n# Source: c/templates/a.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\n# Source: c/templates/b.yaml\n# only a comment\n---\n# Source: c/templates/c.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: other\n  annotations:\n    helm.sh/resource-policy: keep\n";
        let docs = parse_manifest(m);
        assert!(docs.is_ok(), "{docs:?}");
        let docs = docs.unwrap_or_default();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].namespace.as_deref(), Some("other"));
        assert!(is_kept(&docs[1]));
        assert_eq!(docs[0].group(), "apps");
        let inst: Vec<String> = install_order(docs.clone())
            .iter()
            .map(|d| d.key())
            .collect();
        assert_eq!(inst, vec!["Service/s", "Deployment/d"]);
        let un: Vec<String> = uninstall_order(docs.clone())
            .iter()
            .map(|d| d.key())
            .collect();
        assert_eq!(un, vec!["Service/s", "Deployment/d"]);
        let dropped = dropped_resources(&docs, &docs[..1], "default");
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].name, "s");
        assert!(parse_manifest("kind: X\n").is_err());
    }

    #[test]
    fn hook_order() {
        let h = |n: &str, w: i64| HookRecord {
            name: n.into(),
            events: vec!["pre-install".into()],
            weight: w,
            ..Default::default()
        };
        let hooks = vec![h("b", 0), h("a", 0), h("z", -5)];
        let names: Vec<&str> = hooks_for_event(&hooks, "pre-install")
            .iter()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(names, vec!["z", "a", "b"]);
        assert!(hooks_for_event(&hooks, "post-install").is_empty());
    }
}
