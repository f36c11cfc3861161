//! Progress of a release action as it happens: hooks started/finished, objects applied and
//! deleted, what `--wait` is still waiting for (and why), readiness, release records written.
//!
//! Why: an install with hooks and `--wait` can take minutes; a terminal user, the release
//! server's event feed and library callers all want to see what is going on. The actions
//! report to the [`Progress`] sink carried by the [`Client`](crate::Client)
//! ([`Client::with_progress`](crate::Client::with_progress)), so nested actions (an
//! `--atomic` rollback or uninstall) report through the same sink. Reporting never changes
//! what an action does or returns: Helm 4 prints nothing extra, and the CLI shows these events
//! only on a terminal (or with `--debug`).

use serde::Serialize;
use std::fmt;

/// One object `--wait` is still waiting for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotReady {
    pub kind: String,
    /// Empty for cluster-scoped kinds.
    pub namespace: String,
    pub name: String,
    /// kstatus' in-progress message (`Available: 0/3`, `PVC is not Bound`, ...).
    pub reason: String,
    /// What lies behind it, when known: the problems of the pods a workload selects
    /// (`pod web-1: container app CrashLoopBackOff (last exit 1: …)`) and the latest Warning
    /// events about the object or those pods (`event: FailedMount: …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}: {}", self.kind, self.name, self.reason)?;
        } else {
            write!(
                f,
                "{} {}/{}: {}",
                self.kind, self.namespace, self.name, self.reason
            )?;
        }
        for d in &self.details {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

/// What happened. Serialized with a `type` tag (`hook_started`, `resource_applied`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// A hook's object is about to be created (`event`: `pre-install`, `post-upgrade`, `test`...).
    HookStarted {
        event: String,
        kind: String,
        name: String,
        weight: i64,
    },
    /// The hook ran to completion (Jobs completed, Pods succeeded, other kinds created).
    HookSucceeded {
        event: String,
        kind: String,
        name: String,
        weight: i64,
    },
    /// The hook failed; the action fails with `error`.
    HookFailed {
        event: String,
        kind: String,
        name: String,
        weight: i64,
        error: String,
    },
    /// A release object was applied (server-side apply). `resource` is the API's plural
    /// resource name (`deployments`).
    ResourceApplied {
        kind: String,
        namespace: String,
        name: String,
        resource: String,
    },
    /// A release object was deleted (uninstall, or dropped by an upgrade/rollback).
    ResourceDeleted {
        kind: String,
        namespace: String,
        name: String,
        resource: String,
    },
    /// `--wait`: these objects are not ready yet (sent when the set or a reason changes).
    Waiting { not_ready: Vec<NotReady> },
    /// `--wait`: every awaited object is ready.
    Ready { count: usize },
    /// A release record was written (`created` or `updated`) with this status.
    ReleaseRecorded {
        name: String,
        namespace: String,
        revision: i64,
        status: String,
        created: bool,
    },
    /// A release record was removed (uninstall without `--keep-history`, `--history-max`).
    ReleaseRecordDeleted {
        name: String,
        namespace: String,
        revision: i64,
    },
    /// An upgrade or rollback failed after its pending record was written (`action`:
    /// `upgrade` or `rollback`); the record is marked failed next. Helm logs these as warnings.
    ActionFailed {
        action: String,
        name: String,
        error: String,
    },
    /// `upgrade --install` found no release to upgrade (no history, or only uninstalled
    /// revisions) and installs it instead.
    InstallingInstead { name: String, namespace: String },
}

impl ProgressEvent {
    /// The release server's phase name for this event (its SSE `event:` field).
    pub fn phase(&self) -> &'static str {
        match self {
            ProgressEvent::HookStarted { .. }
            | ProgressEvent::HookSucceeded { .. }
            | ProgressEvent::HookFailed { .. } => "hook",
            ProgressEvent::ResourceApplied { .. } => "apply",
            ProgressEvent::ResourceDeleted { .. } => "delete",
            ProgressEvent::Waiting { .. } => "waiting",
            ProgressEvent::Ready { .. } => "ready",
            ProgressEvent::ReleaseRecorded { .. } | ProgressEvent::ReleaseRecordDeleted { .. } => {
                "record"
            }
            ProgressEvent::ActionFailed { .. } => "failed",
            ProgressEvent::InstallingInstead { .. } => "installing",
        }
    }
}

fn obj(kind: &str, namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {namespace}/{name}")
    }
}

impl fmt::Display for ProgressEvent {
    /// One line for humans (the CLI's terminal output, the server's event messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgressEvent::HookStarted {
                event,
                kind,
                name,
                weight,
            } => write!(f, "running {event} hook {kind}/{name} (weight {weight})"),
            ProgressEvent::HookSucceeded {
                event,
                kind,
                name,
                weight,
            } => write!(f, "{event} hook {kind}/{name} (weight {weight}) succeeded"),
            ProgressEvent::HookFailed {
                event,
                kind,
                name,
                weight,
                error,
            } => write!(
                f,
                "{event} hook {kind}/{name} (weight {weight}) failed: {error}"
            ),
            ProgressEvent::ResourceApplied { resource, name, .. } => {
                write!(f, "applied {resource}/{name}")
            }
            ProgressEvent::ResourceDeleted { resource, name, .. } => {
                write!(f, "deleted {resource}/{name}")
            }
            ProgressEvent::Waiting { not_ready } => {
                write!(
                    f,
                    "waiting for {} resource{}: ",
                    not_ready.len(),
                    if not_ready.len() == 1 { "" } else { "s" }
                )?;
                let parts: Vec<String> = not_ready.iter().map(|n| n.to_string()).collect();
                write!(f, "{}", parts.join("; "))
            }
            ProgressEvent::Ready { count } => write!(
                f,
                "all {count} resource{} ready",
                if *count == 1 { " is" } else { "s are" }
            ),
            ProgressEvent::ReleaseRecorded {
                name,
                revision,
                status,
                created,
                ..
            } => {
                write!(
                    f,
                    "{} release record sh.helm.release.v1.{name}.v{revision} ({status})",
                    if *created { "created" } else { "updated" }
                )
            }
            ProgressEvent::ReleaseRecordDeleted { name, revision, .. } => write!(
                f,
                "deleted release record sh.helm.release.v1.{name}.v{revision}"
            ),
            ProgressEvent::ActionFailed {
                action,
                name,
                error,
            } => write!(f, "{action} of {name} failed: {error}"),
            ProgressEvent::InstallingInstead { name, .. } => {
                write!(f, "release {name} does not exist: installing it")
            }
        }
    }
}

impl ProgressEvent {
    /// The object an event is about, as `Kind namespace/name`, if any.
    pub fn object(&self) -> Option<String> {
        match self {
            ProgressEvent::ResourceApplied {
                kind,
                namespace,
                name,
                ..
            }
            | ProgressEvent::ResourceDeleted {
                kind,
                namespace,
                name,
                ..
            } => Some(obj(kind, namespace, name)),
            _ => None,
        }
    }
}

/// Receives progress events. Called on the action's task, in order; it should return quickly.
pub trait Progress: Send + Sync {
    fn event(&self, ev: ProgressEvent);
}

impl<F: Fn(ProgressEvent) + Send + Sync> Progress for F {
    fn event(&self, ev: ProgressEvent) {
        self(ev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_json_shape() {
        let w = ProgressEvent::Waiting {
            not_ready: vec![NotReady {
                kind: "Deployment".into(),
                namespace: "ns".into(),
                name: "web".into(),
                reason: "Available: 1/3".into(),
                details: vec![],
            }],
        };
        assert_eq!(
            w.to_string(),
            "waiting for 1 resource: Deployment ns/web: Available: 1/3"
        );
        assert_eq!(w.phase(), "waiting");
        let j = serde_json::to_value(&w).expect("json");
        assert_eq!(j["type"], "waiting");
        assert_eq!(j["not_ready"][0]["reason"], "Available: 1/3");
        let a = ProgressEvent::ResourceApplied {
            kind: "ConfigMap".into(),
            namespace: "ns".into(),
            name: "c".into(),
            resource: "configmaps".into(),
        };
        assert_eq!(a.to_string(), "applied configmaps/c");
        assert_eq!(a.object().as_deref(), Some("ConfigMap ns/c"));
        let r = ProgressEvent::ReleaseRecorded {
            name: "web".into(),
            namespace: "ns".into(),
            revision: 2,
            status: "deployed".into(),
            created: false,
        };
        assert_eq!(
            r.to_string(),
            "updated release record sh.helm.release.v1.web.v2 (deployed)"
        );
    }
}
