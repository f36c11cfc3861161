//! Progress of an operation, fed by helm-kube's own progress events ([`crate::cluster::progress`]):
//! the per-request client carries an [`Observer`] as its progress sink, and each event becomes
//! one entry of the operation's SSE feed. The phases and messages keep the shape the feed has
//! always had (`record`, `hook`, `apply`, `delete`, `waiting`, plus `ready`; messages such as
//! `applied configmaps/web-cm`), and each entry now also carries the event itself as `detail`
//! (`{"type":"resource_applied","kind":"ConfigMap",...}`), so clients need not parse messages.
//!
//! Why events rather than watching API calls (what this module did before): the action knows
//! what a call means (a hook, a readiness poll, a record) and why it waits, which an observer of
//! HTTP requests could only guess.

use super::ops::Operation;
use crate::cluster::progress::{Progress, ProgressEvent};
use std::sync::Arc;

/// The progress sink of one operation.
pub struct Observer {
    pub op: Arc<Operation>,
}

impl Observer {
    pub fn new(op: Arc<Operation>) -> Arc<Observer> {
        Arc::new(Observer { op })
    }
}

impl Progress for Observer {
    fn event(&self, ev: ProgressEvent) {
        let detail = serde_json::to_value(&ev).ok();
        self.op.push_detail(ev.phase(), ev.to_string(), detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::progress::NotReady;
    use crate::server::ops::{OpKind, Registry};

    #[test]
    fn events_become_phases_with_details() {
        // An upgrade's operation, as the server starts one.
        let lock = Arc::new(Registry::default())
            .begin(OpKind::Upgrade, "a", "web", "c")
            .ok()
            .unwrap();
        let obs = Observer::new(lock.op.clone());
        let s = |x: &str| x.to_string();
        obs.event(ProgressEvent::ReleaseRecorded {
            name: s("web"),
            namespace: s("a"),
            revision: 2,
            status: s("pending-upgrade"),
            created: true,
        });
        obs.event(ProgressEvent::HookStarted {
            event: s("pre-upgrade"),
            kind: s("Job"),
            name: s("web-migrate"),
            weight: -5,
        });
        obs.event(ProgressEvent::HookSucceeded {
            event: s("pre-upgrade"),
            kind: s("Job"),
            name: s("web-migrate"),
            weight: -5,
        });
        obs.event(ProgressEvent::ResourceApplied {
            kind: s("Deployment"),
            namespace: s("a"),
            name: s("web"),
            resource: s("deployments"),
        });
        obs.event(ProgressEvent::Waiting {
            not_ready: vec![NotReady {
                kind: s("Deployment"),
                namespace: s("a"),
                name: s("web"),
                reason: s("Available: 0/1"),
                details: vec![],
            }],
        });
        obs.event(ProgressEvent::Ready { count: 1 });
        obs.event(ProgressEvent::ResourceDeleted {
            kind: s("ConfigMap"),
            namespace: s("a"),
            name: s("old"),
            resource: s("configmaps"),
        });
        let evs = lock.op.events_from(1);
        let phases: Vec<String> = evs
            .iter()
            .map(|e| format!("{} {}", e.phase, e.message))
            .collect();
        assert_eq!(
            phases,
            vec![
                "record created release record sh.helm.release.v1.web.v2 (pending-upgrade)",
                "hook running pre-upgrade hook Job/web-migrate (weight -5)",
                "hook pre-upgrade hook Job/web-migrate (weight -5) succeeded",
                "apply applied deployments/web",
                "waiting waiting for 1 resource: Deployment a/web: Available: 0/1",
                "ready all 1 resource is ready",
                "delete deleted configmaps/old",
            ]
        );
        let j = serde_json::to_value(&evs[3]).expect("json");
        assert_eq!(j["detail"]["type"], "resource_applied");
        assert_eq!(j["detail"]["kind"], "Deployment");
        assert!(
            serde_json::to_value(&lock.op.events_from(0)[0])
                .expect("json")
                .get("detail")
                .is_none(),
            "accepted has no detail"
        );
    }
}
