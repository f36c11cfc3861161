//! The server's in-memory bookkeeping: operations (one per mutating request, with their event
//! feed), the per-release lock that serializes operations on one release, and per-caller
//! concurrency counters. Nothing here is persisted: the release records in the cluster are the
//! truth, and an operation that a crash interrupts leaves its release `pending-*` there, which
//! is what status/history report after a restart.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// What an operation does (its release goes to the matching pending state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Install,
    Upgrade,
    Rollback,
    Uninstall,
    /// `helm test`: runs test hooks; the release keeps its status meanwhile.
    Test,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Install => "install",
            OpKind::Upgrade => "upgrade",
            OpKind::Rollback => "rollback",
            OpKind::Uninstall => "uninstall",
            OpKind::Test => "test",
        }
    }
    /// Helm's status for a release while this kind of operation runs.
    pub fn pending_status(self) -> &'static str {
        match self {
            OpKind::Install => "pending-install",
            OpKind::Upgrade => "pending-upgrade",
            OpKind::Rollback => "pending-rollback",
            OpKind::Uninstall => "uninstalling",
            OpKind::Test => "deployed",
        }
    }
}

/// One progress event of an operation (an SSE message).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Event {
    pub seq: u64,
    pub time: String,
    /// `accepted`, `rendering`, `record`, `hook`, `apply`, `delete`, `waiting`, `ready`, `done`,
    /// `failed`.
    pub phase: String,
    pub message: String,
    /// The action's progress event as JSON ([`crate::cluster::progress::ProgressEvent`], tagged by
    /// `type`), for the phases that come from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// A mutating request's life: events as they happen, then the final HTTP status and body.
pub struct Operation {
    pub id: String,
    pub kind: OpKind,
    pub namespace: String,
    pub release: String,
    /// Hash of the caller's token: only the same caller may read the operation.
    pub caller: String,
    pub started: String,
    events: Mutex<Vec<Event>>,
    result: Mutex<Option<(u16, serde_json::Value)>>,
    pub notify: Notify,
}

impl Operation {
    pub fn push(&self, phase: &str, message: impl Into<String>) {
        self.push_detail(phase, message, None)
    }

    /// An event with the structured progress event it came from.
    pub fn push_detail(
        &self,
        phase: &str,
        message: impl Into<String>,
        detail: Option<serde_json::Value>,
    ) {
        if let Ok(mut ev) = self.events.lock() {
            let seq = ev.len() as u64 + 1;
            ev.push(Event {
                seq,
                time: now_rfc3339(),
                phase: phase.into(),
                message: message.into(),
                detail,
            });
        }
        self.notify.notify_waiters();
    }

    pub fn events_from(&self, from: usize) -> Vec<Event> {
        self.events
            .lock()
            .map(|e| e.get(from..).map(|s| s.to_vec()).unwrap_or_default())
            .unwrap_or_default()
    }

    pub fn finish(&self, status: u16, body: serde_json::Value) {
        if let Ok(mut r) = self.result.lock() {
            *r = Some((status, body));
        }
        self.notify.notify_waiters();
    }

    pub fn result(&self) -> Option<(u16, serde_json::Value)> {
        self.result.lock().ok().and_then(|r| r.clone())
    }

    pub fn summary(&self) -> serde_json::Value {
        let result = self.result();
        serde_json::json!({
            "id": self.id,
            "kind": self.kind.as_str(),
            "namespace": self.namespace,
            "release": self.release,
            "started": self.started,
            "done": result.is_some(),
            "http_status": result.as_ref().map(|r| r.0),
            "result": result.map(|r| r.1),
        })
    }
}

pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Shared state of all requests.
#[derive(Default)]
pub struct Registry {
    /// The replica's name, the suffix of its operation ids (`op-…@replica`).
    replica: String,
    seq: AtomicU64,
    ops: Mutex<HashMap<String, Arc<Operation>>>,
    locks: Mutex<HashMap<(String, String), Arc<Operation>>>,
    callers: Mutex<HashMap<String, usize>>,
    /// Operations not yet finished (graceful shutdown waits for 0).
    pub running: AtomicUsize,
    pub idle: Notify,
}

/// Holds a caller's concurrency slot; released on drop.
pub struct CallerSlot {
    reg: Arc<Registry>,
    caller: String,
}

impl Drop for CallerSlot {
    fn drop(&mut self) {
        if let Ok(mut c) = self.reg.callers.lock() {
            if let Some(n) = c.get_mut(&self.caller) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    c.remove(&self.caller);
                }
            }
        }
    }
}

/// Holds a release's lock and counts as running; released (and the operation finished) on drop.
pub struct ReleaseLock {
    reg: Arc<Registry>,
    key: (String, String),
    pub op: Arc<Operation>,
}

impl Drop for ReleaseLock {
    fn drop(&mut self) {
        if let Ok(mut l) = self.reg.locks.lock() {
            if l.get(&self.key)
                .map(|o| Arc::ptr_eq(o, &self.op))
                .unwrap_or(false)
            {
                l.remove(&self.key);
            }
        }
        if self.reg.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.reg.idle.notify_waiters();
        }
    }
}

impl Registry {
    /// The registry of the replica called `replica`.
    pub fn for_replica(replica: &str) -> Registry {
        Registry {
            replica: replica.to_string(),
            ..Default::default()
        }
    }

    /// The replica an operation id names (what follows its last `@`), if any.
    pub fn replica_of(id: &str) -> Option<&str> {
        id.rsplit_once('@')
            .map(|(_, r)| r)
            .filter(|r| !r.is_empty())
    }

    /// Whether `id` names another replica than this one: its operation, if it exists, lives
    /// in that replica's memory.
    pub fn is_elsewhere(&self, id: &str) -> bool {
        Self::replica_of(id).is_some_and(|r| r != self.replica)
    }

    /// Takes one of `max` slots of `caller`, or None when all are in use (429).
    pub fn caller_slot(self: &Arc<Self>, caller: &str, max: usize) -> Option<CallerSlot> {
        let mut c = self.callers.lock().ok()?;
        let n = c.entry(caller.to_string()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(CallerSlot {
            reg: self.clone(),
            caller: caller.to_string(),
        })
    }

    /// Starts an operation on `namespace/release`, or returns the one already running (409).
    /// The operation of this server holding a release, if one does.
    pub fn active(&self, namespace: &str, release: &str) -> Option<Arc<Operation>> {
        let locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks
            .get(&(namespace.to_string(), release.to_string()))
            .cloned()
    }

    pub fn begin(
        self: &Arc<Self>,
        kind: OpKind,
        namespace: &str,
        release: &str,
        caller: &str,
    ) -> Result<ReleaseLock, Arc<Operation>> {
        let key = (namespace.to_string(), release.to_string());
        let mut locks = match self.locks.lock() {
            Ok(l) => l,
            Err(p) => p.into_inner(),
        };
        if let Some(other) = locks.get(&key) {
            return Err(other.clone());
        }
        let n = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let mut id = format!("op-{}-{n}", chrono::Utc::now().timestamp_millis());
        if !self.replica.is_empty() {
            id = format!("{id}@{}", self.replica);
        }
        let op = Arc::new(Operation {
            id: id.clone(),
            kind,
            namespace: namespace.into(),
            release: release.into(),
            caller: caller.into(),
            started: now_rfc3339(),
            events: Mutex::default(),
            result: Mutex::default(),
            notify: Notify::new(),
        });
        op.push(
            "accepted",
            format!("{} {namespace}/{release}", kind.as_str()),
        );
        locks.insert(key.clone(), op.clone());
        self.running.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut ops) = self.ops.lock() {
            // Keep the last operations only; finished ones older than 1000 are forgotten.
            if ops.len() > 1000 {
                let mut done: Vec<(String, String)> = ops
                    .values()
                    .filter(|o| o.result().is_some())
                    .map(|o| (o.started.clone(), o.id.clone()))
                    .collect();
                done.sort();
                for (_, id) in done.into_iter().take(500) {
                    ops.remove(&id);
                }
            }
            ops.insert(id, op.clone());
        }
        Ok(ReleaseLock {
            reg: self.clone(),
            key,
            op,
        })
    }

    pub fn operation(&self, id: &str) -> Option<Arc<Operation>> {
        self.ops.lock().ok().and_then(|o| o.get(id).cloned())
    }

    /// Operations still running (reported at shutdown).
    pub fn unfinished(&self) -> Vec<Arc<Operation>> {
        self.locks
            .lock()
            .map(|l| l.values().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_operation_on_a_release_is_refused_until_the_first_ends() {
        let reg = Arc::new(Registry::default());
        let a = reg.begin(OpKind::Upgrade, "ns", "web", "c1").ok().unwrap();
        let other = reg
            .begin(OpKind::Rollback, "ns", "web", "c2")
            .err()
            .unwrap();
        assert_eq!(other.kind.pending_status(), "pending-upgrade");
        assert!(reg.begin(OpKind::Upgrade, "ns2", "web", "c1").is_ok());
        assert_eq!(reg.running.load(Ordering::SeqCst), 1);
        drop(a);
        assert_eq!(reg.running.load(Ordering::SeqCst), 0);
        assert!(reg.begin(OpKind::Upgrade, "ns", "web", "c1").is_ok());
    }

    #[test]
    fn operation_ids_name_their_replica() {
        let reg = Arc::new(Registry::for_replica("server-0"));
        let lock = reg.begin(OpKind::Install, "ns", "web", "c").ok().unwrap();
        assert!(lock.op.id.starts_with("op-") && lock.op.id.ends_with("@server-0"));
        assert_eq!(Registry::replica_of(&lock.op.id), Some("server-0"));
        assert!(!reg.is_elsewhere(&lock.op.id));
        assert!(reg.is_elsewhere("op-1-1@server-1"));
        assert!(!reg.is_elsewhere("op-1-1"));
        assert!(reg.operation(&lock.op.id).is_some());
    }

    #[test]
    fn caller_slots_are_limited_and_returned() {
        let reg = Arc::new(Registry::default());
        let s1 = reg.caller_slot("c", 2).unwrap();
        let _s2 = reg.caller_slot("c", 2).unwrap();
        assert!(reg.caller_slot("c", 2).is_none());
        assert!(reg.caller_slot("d", 2).is_some());
        drop(s1);
        assert!(reg.caller_slot("c", 2).is_some());
    }
}
