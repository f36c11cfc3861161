//! Progress of an operation as the server observes it. helm-kube's actions have no progress
//! callback, so the per-request kube client gets a tower layer that sees every API call the
//! action makes and turns the ones that matter into events: release records written
//! (`record`), objects applied by server-side apply (`apply`, or `hook` for the chart's hook
//! objects), objects deleted (`delete`) and polling of applied objects (`waiting`).

use super::ops::Operation;
use http::{Method, Request, Response};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// What the layer needs to know to name events.
pub struct Observer {
    pub op: Arc<Operation>,
    /// `kind-plural/name` of the chart's hook objects (lower-case plural resource, name).
    pub hooks: HashSet<(String, String)>,
    applied: Mutex<HashSet<String>>,
    waited: Mutex<HashSet<String>>,
}

impl Observer {
    pub fn new(op: Arc<Operation>, hooks: HashSet<(String, String)>) -> Arc<Observer> {
        Arc::new(Observer { op, hooks, applied: Mutex::default(), waited: Mutex::default() })
    }

    fn observe(&self, method: &Method, path: &str, query: &str, status: u16) {
        // .../namespaces/NS/RESOURCE/NAME or .../RESOURCE/NAME (cluster-scoped)
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if *method == Method::POST && matches!(segs.last(), Some(&"secrets") | Some(&"configmaps")) {
            // helm-kube creates objects by server-side apply; a POST here is a release record.
            self.op.push("record", format!("created release record ({status})"));
            return;
        }
        let (resource, name) = match segs.as_slice() {
            [.., r, n] if !matches!(*r, "namespaces" | "api" | "apis") && segs.len() >= 3 => (r.to_string(), n.to_string()),
            _ => return,
        };
        let is_record = matches!(resource.as_str(), "secrets" | "configmaps") && name.starts_with("sh.helm.release.v1.");
        let target = format!("{resource}/{name}");
        let ok = status < 400;
        if is_record {
            if *method == Method::POST || *method == Method::PUT {
                self.op.push("record", format!("{} release record {name} ({status})", if *method == Method::POST { "created" } else { "updated" }));
            } else if *method == Method::DELETE {
                self.op.push("record", format!("deleted release record {name} ({status})"));
            }
            return;
        }
        if *method == Method::PATCH && query.contains("fieldManager=helm") {
            let phase = if self.hooks.contains(&(resource.clone(), name.clone())) { "hook" } else { "apply" };
            self.op.push(phase, format!("{}applied {target} ({status})", if ok { "" } else { "not " }));
            if let Ok(mut a) = self.applied.lock() {
                a.insert(target);
            }
        } else if *method == Method::DELETE {
            self.op.push("delete", format!("deleted {target} ({status})"));
        } else if *method == Method::GET {
            let applied = self.applied.lock().map(|a| a.contains(&target)).unwrap_or(false);
            let first = applied && self.waited.lock().map(|mut w| w.insert(target.clone())).unwrap_or(false);
            if first {
                let phase = if self.hooks.contains(&(resource, name)) { "hook" } else { "waiting" };
                self.op.push(phase, format!("waiting for {target}"));
            }
        }
    }
}

/// The tower layer put on a per-operation kube client.
#[derive(Clone)]
pub struct ObserveLayer(pub Arc<Observer>);

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = ObserveService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ObserveService { inner, obs: self.0.clone() }
    }
}

#[derive(Clone)]
pub struct ObserveService<S> {
    inner: S,
    obs: Arc<Observer>,
}

impl<S, B, RB> tower::Service<Request<B>> for ObserveService<S>
where
    S: tower::Service<Request<B>, Response = Response<RB>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let obs = self.obs.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let res = fut.await;
            if let Ok(r) = &res {
                obs.observe(&method, &path, &query, r.status().as_u16());
            }
            res
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::ops::{OpKind, Registry};

    #[test]
    fn api_calls_become_phases() {
        let reg = Arc::new(Registry::default());
        let lock = reg.begin(OpKind::Upgrade, "a", "web", "c").ok().unwrap();
        let hooks = HashSet::from([("jobs".to_string(), "web-migrate".to_string())]);
        let obs = Observer::new(lock.op.clone(), hooks);
        obs.observe(&Method::POST, "/api/v1/namespaces/a/secrets", "", 201);
        obs.observe(&Method::PUT, "/api/v1/namespaces/a/secrets/sh.helm.release.v1.web.v2", "", 200);
        obs.observe(&Method::PATCH, "/apis/batch/v1/namespaces/a/jobs/web-migrate", "fieldManager=helm&force=false", 201);
        obs.observe(&Method::PATCH, "/apis/apps/v1/namespaces/a/deployments/web", "fieldManager=helm", 200);
        obs.observe(&Method::GET, "/apis/apps/v1/namespaces/a/deployments/web", "", 200);
        obs.observe(&Method::GET, "/apis/apps/v1/namespaces/a/deployments/web", "", 200);
        obs.observe(&Method::DELETE, "/api/v1/namespaces/a/configmaps/old", "", 200);
        let phases: Vec<String> = lock.op.events_from(1).into_iter().map(|e| format!("{} {}", e.phase, e.message)).collect();
        assert_eq!(
            phases,
            vec![
                "record created release record (201)",
                "record updated release record sh.helm.release.v1.web.v2 (200)",
                "hook applied jobs/web-migrate (201)",
                "apply applied deployments/web (200)",
                "waiting waiting for deployments/web",
                "delete deleted configmaps/old (200)",
            ]
        );
    }
}
