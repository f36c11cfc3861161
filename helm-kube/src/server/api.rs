//! Routing, request bodies and the handlers of every endpoint.

use super::ops::{OpKind, Operation, ReleaseLock};
use super::progress::Observer;
use super::{error, json, Body, State};
use crate::api::{resolve_chart, ReleaseApi};
use crate::error::Error;
use helm_core::chart::Chart;
use helm_core::release::api::{
    InstallOptions, ListOptions, RecoverOptions, RollbackOptions, UninstallOptions, UpgradeOptions,
};
use helm_core::release::record::{core_to_json, json_to_core};
use helm_core::values::Value;
use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Where the chart comes from ([`ChartSource`]): an uploaded archive, or a reference the
/// server downloads — `oci://…` or an `http(s)://` chart URL (`ref`), or a chart in an HTTP
/// repository (`repo_url` + `name`, as `helm install --repo`). Never a path: a server reading
/// paths would let callers read the server's files. Downloads are anonymous (no stored
/// credentials are used) and verify TLS; the server fetches with its own network reach, so
/// deployments that must not reach internal hosts put it behind an egress policy.
pub use crate::api::ChartSource;

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    pub chart: ChartSource,
    #[serde(default)]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub values_yaml: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub kube_version: Option<String>,
    #[serde(default)]
    pub api_versions: Vec<String>,
    #[serde(default)]
    pub include_crds: bool,
    #[serde(default)]
    pub no_hooks: bool,
    #[serde(default)]
    pub skip_tests: bool,
    #[serde(default)]
    pub show_only: Vec<String>,
    #[serde(default)]
    pub is_upgrade: bool,
    #[serde(default)]
    pub skip_schema_validation: bool,
}

/// The body of an install, upgrade, rollback or test request: the action's option struct
/// ([`InstallOptions`], [`UpgradeOptions`], [`RollbackOptions`]) with, beside its fields, where
/// the chart and values come from (`chart`, `values`, `values_yaml`; install and upgrade only)
/// and `async` (answer 202 with the operation id at once instead of waiting).
pub struct ActionRequest<O> {
    pub chart: Option<ChartSource>,
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    pub values_yaml: Option<String>,
    pub run_async: bool,
    pub opts: O,
}

impl<O: serde::de::DeserializeOwned> ActionRequest<O> {
    /// Splits a body; `with_chart`: whether `chart`/`values`/`values_yaml` belong to this action
    /// (elsewhere they are unknown fields, as any other).
    fn parse(
        body: serde_json::Value,
        with_chart: bool,
    ) -> Result<ActionRequest<O>, Response<Body>> {
        let serde_json::Value::Object(mut m) = body else {
            return Err(error(400, "request body: expected a JSON object"));
        };
        let run_async = match m.remove("async") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => b,
            Some(v) => {
                return Err(error(
                    400,
                    format!("request body: async: expected a boolean, got {v}"),
                ))
            }
        };
        let (mut chart, mut values, mut values_yaml) = (None, None, None);
        if with_chart {
            let chart_json = m
                .remove("chart")
                .ok_or_else(|| error(400, "request body: missing field `chart`"))?;
            chart = Some(
                serde_json::from_value(chart_json)
                    .map_err(|e| error(400, format!("request body: chart: {e}")))?,
            );
            values = match m.remove("values") {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::Object(v)) => Some(v),
                Some(v) => {
                    return Err(error(
                        400,
                        format!("request body: values: expected an object, got {v}"),
                    ))
                }
            };
            values_yaml = match m.remove("values_yaml") {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(y)) => Some(y),
                Some(v) => {
                    return Err(error(
                        400,
                        format!("request body: values_yaml: expected a string, got {v}"),
                    ))
                }
            };
        }
        let opts = serde_json::from_value(serde_json::Value::Object(m))
            .map_err(|e| error(400, format!("request body: {e}")))?;
        Ok(ActionRequest {
            chart,
            values,
            values_yaml,
            run_async,
            opts,
        })
    }
}

/// `POST …/releases/{name}/test`: `helm test` with its timeout.
#[derive(Deserialize, Default, Debug)]
#[serde(default, deny_unknown_fields)]
pub struct TestOptions {
    pub timeout_seconds: Option<u64>,
}

/// A handler's response; `Err` for a request it refuses (the response says why), so that each
/// check can end the handler with `?`.
pub(super) type Answer = Result<Response<Body>, Response<Body>>;

/// Routes a request; returns the response and the caller's id for the log.
pub async fn route(state: Arc<State>, req: Request<Incoming>) -> (Response<Body>, Option<String>) {
    let path = req.uri().path().to_string();
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(|s| s.as_str()).collect();
    let method = req.method().clone();
    match (segs.as_slice(), &method) {
        (["healthz"], &Method::GET) => {
            return (json(200, &serde_json::json!({ "status": "ok" })), None)
        }
        (["readyz"], &Method::GET) => {
            let down = state
                .shutting_down
                .load(std::sync::atomic::Ordering::SeqCst);
            let status = if down { 503 } else { 200 };
            return (
                json(
                    status,
                    &serde_json::json!({ "ready": !down, "cluster": state.base.is_some() }),
                ),
                None,
            );
        }
        (["openapi.json"], &Method::GET) => return (json(200, &super::openapi::document()), None),
        // The web view (`super::web`): pages signed in by cookie, outside the JSON API.
        ([], _) | (["ui", ..], _) => return super::web::route(state, req, &segs).await,
        _ => {}
    }
    if segs.first() != Some(&"v1") {
        return (
            error(404, format!("no such endpoint: {method} {path}")),
            None,
        );
    }
    let Some(token) = bearer(&req) else {
        let mut r = error(
            401,
            "Unauthorized: send your Kubernetes token as `Authorization: Bearer <token>`",
        );
        r.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            hyper::header::HeaderValue::from_static("Bearer"),
        );
        return (r, None);
    };
    let caller = caller_id(&token);
    let ctx = Ctx {
        state: state.clone(),
        token,
        caller: caller.clone(),
    };
    // The events feed is long-lived and does not count against the caller's limit.
    if let (["v1", "operations", id, "events"], &Method::GET) = (segs.as_slice(), &method) {
        return (ctx.events(id).unwrap_or_else(|r| r), Some(caller));
    }
    let Some(slot) = state
        .reg
        .caller_slot(&caller, state.cfg.max_concurrent_per_caller)
    else {
        return (
            error(
                429,
                format!(
                    "too many concurrent requests from this caller (limit {})",
                    state.cfg.max_concurrent_per_caller
                ),
            ),
            Some(caller),
        );
    };
    let query = parse_query(req.uri().query().unwrap_or(""));
    // Each handler answers `Err(response)` for a request it refuses.
    let answer: Answer = async {
        match (segs.as_slice(), &method) {
            (["v1", "template"], &Method::POST) => template(ctx.body::<TemplateRequest>(req).await?).await,
            (["v1", "releases"], &Method::GET) => ctx.list(None, &query).await,
            (["v1", "namespaces", ns, "releases"], &Method::GET) => ctx.list(Some(ns), &query).await,
            (["v1", "namespaces", ns, "releases"], &Method::POST) => ctx.install(ns, ctx.action_body::<InstallOptions>(req, true).await?, slot).await,
            (["v1", "namespaces", ns, "releases", name], &Method::GET) => ctx.read(ns, name, "status", &query).await,
            (["v1", "namespaces", ns, "releases", name, what @ ("history" | "values" | "manifest" | "notes" | "hooks")], &Method::GET) => {
                ctx.read(ns, name, what, &query).await
            }
            (["v1", "namespaces", ns, "releases", name], &Method::PUT) => ctx.upgrade(ns, name, ctx.action_body::<UpgradeOptions>(req, true).await?, slot).await,
            (["v1", "namespaces", ns, "releases", name, "rollback"], &Method::POST) => ctx.rollback(ns, name, ctx.action_body::<RollbackOptions>(req, false).await?, slot).await,
            (["v1", "namespaces", ns, "releases", name, "plan"], &Method::POST) => ctx.plan(ns, name, ctx.action_body::<UpgradeOptions>(req, true).await?).await,
            (["v1", "namespaces", ns, "releases", name, "test"], &Method::POST) => ctx.test(ns, name, ctx.action_body::<TestOptions>(req, false).await?, slot).await,
            (["v1", "namespaces", ns, "releases", name, "recover"], &Method::POST) => ctx.recover(ns, name, ctx.action_body::<RecoverOptions>(req, false).await?).await,
            (["v1", "namespaces", ns, "releases", name], &Method::DELETE) => ctx.uninstall(ns, name, &query, slot).await,
            (["v1", "operations", id], &Method::GET) => Ok(ctx.operation(id)),
            _ => Err(error(404, format!("no such endpoint: {method} {path}"))),
        }
    }
    .await;
    let resp = answer.unwrap_or_else(|r| r);
    (resp, Some(caller))
}

pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn parse_query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

fn qbool(q: &HashMap<String, String>, k: &str) -> Result<bool, Response<Body>> {
    match q.get(k).map(|s| s.as_str()) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(v) => Err(error(
            400,
            format!("query parameter {k}: expected true or false, got {v:?}"),
        )),
    }
}

fn qint(q: &HashMap<String, String>, k: &str) -> Result<i64, Response<Body>> {
    match q.get(k) {
        None => Ok(0),
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            error(
                400,
                format!("query parameter {k}: expected a non-negative integer, got {v:?}"),
            )
        }),
    }
}

/// The token of `Authorization: Bearer <token>` (visible ASCII, no spaces).
fn bearer(req: &Request<Incoming>) -> Option<String> {
    let h = req
        .headers()
        .get(hyper::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = h.trim().split_once(' ')?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer")
        || token.is_empty()
        || !token.bytes().all(|b| b.is_ascii_graphic())
    {
        return None;
    }
    Some(token.to_string())
}

/// Who the caller is, for limits and logs: a hash of the token, never the token.
pub fn caller_id(token: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(token.as_bytes());
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Kubernetes object names: DNS-1123 labels for namespaces, Helm's rule for release names.
fn valid_namespace(ns: &str) -> bool {
    !ns.is_empty()
        && ns.len() <= 63
        && ns
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !ns.starts_with('-')
        && !ns.ends_with('-')
}

pub(super) fn check_names(ns: &str, name: Option<&str>) -> Result<(), Response<Body>> {
    if !valid_namespace(ns) {
        return Err(error(
            400,
            format!("invalid namespace {ns:?}: must be a DNS-1123 label"),
        ));
    }
    if let Some(n) = name {
        if !helm_core::render::validate_release_name(n) {
            return Err(error(400, format!("invalid release name {n:?}: must be a DNS-1123 subdomain of at most 53 characters")));
        }
    }
    Ok(())
}

/// HTTP status for an action's error: its kind's ([`ErrorKind::http_status`](helm_core::release::api::ErrorKind::http_status)).
pub fn status_of(e: &Error) -> u16 {
    e.http_status()
}

/// The error body of a failed action: Helm's message, its kind, and for render errors where
/// in the chart it happened.
pub fn error_body(e: &Error) -> serde_json::Value {
    let mut body = serde_json::json!({ "error": e.to_string(), "kind": e.kind().as_str() });
    if let Some(r) = e.render_error() {
        if let Some(loc) = r.location() {
            body["location"] = serde_json::to_value(loc).unwrap_or_default();
            body["chain"] = serde_json::to_value(r.chain()).unwrap_or_default();
        }
    }
    body
}

/// An action's error as an operation's result: its status and body.
fn failure(e: &Error) -> (u16, serde_json::Value) {
    (status_of(e), error_body(e))
}

/// An error answer for an action's error.
fn action_error(e: &Error) -> Response<Body> {
    let (status, body) = failure(e);
    json(status, &body)
}

/// The chart a request names: decoded from the upload, or downloaded ([`resolve_chart`]).
async fn load_chart(src: ChartSource) -> Result<Chart, Response<Body>> {
    // A chart that cannot be had is a bad request, whatever the reason.
    let chart_ref = src
        .into_chart_ref()
        .map_err(|e| error(400, e.to_string()))?;
    resolve_chart(chart_ref)
        .await
        .map_err(|e| error(400, e.to_string()))
}

fn user_values(
    values: &Option<serde_json::Map<String, serde_json::Value>>,
    yaml: &Option<String>,
) -> Result<Value, Response<Body>> {
    let mut out = Value::empty_map();
    if let Some(y) = yaml {
        out = helm_core::chart::loader::load_values(y)
            .map_err(|e| error(400, format!("values_yaml: {e}")))?;
    }
    if let Some(v) = values {
        out = crate::cluster::actions::merge_values(
            &out,
            &json_to_core(&serde_json::Value::Object(v.clone())),
        );
    }
    Ok(out)
}

fn release_name_for(
    req_name: &Option<String>,
    generate: bool,
    chart: &Chart,
) -> Result<String, Response<Body>> {
    match (req_name, generate) {
        (_, true) => Ok(format!(
            "{}-{}",
            chart.name(),
            chrono::Utc::now().timestamp()
        )),
        (Some(n), false) => Ok(n.clone()),
        (None, false) => Err(error(
            400,
            "must either provide a name or specify generate_name",
        )),
    }
}

/// `POST /v1/template`: Helm's `template` on an uploaded chart; no cluster involved.
async fn template(mut b: TemplateRequest) -> Answer {
    let chart = load_chart(std::mem::take(&mut b.chart)).await?;
    let values = user_values(&b.values, &b.values_yaml)?;
    let kube_version = match &b.kube_version {
        Some(v) => match helm_core::render::objects::KubeVersion::parse(v) {
            Ok(k) => Some(k),
            Err(e) => return Err(error(400, format!("invalid kube version '{v}': {e}"))),
        },
        None => None,
    };
    let name = b.name.clone().unwrap_or_else(|| "release-name".into());
    let namespace = b.namespace.clone().unwrap_or_else(|| "default".into());
    check_names(&namespace, Some(&name))?;
    let opts = helm_core::render::TemplateOptions {
        release: helm_core::render::ReleaseOptions {
            name,
            namespace,
            revision: 1,
            is_upgrade: b.is_upgrade,
            is_install: !b.is_upgrade,
        },
        kube_version,
        api_versions: b.api_versions.clone(),
        include_crds: b.include_crds,
        no_hooks: b.no_hooks,
        skip_tests: b.skip_tests,
        show_only: b.show_only.clone(),
        output_dir: None,
        use_release_name: false,
        skip_schema_validation: b.skip_schema_validation,
        // The server renders `template` requests without a cluster, as `helm template`.
        lookup: Default::default(),
        render_subchart_notes: false,
        api_versions_from_cluster: false,
        post_renderer: Default::default(),
    };
    let notes = match helm_core::render::render_chart(chart.clone(), &values, &opts) {
        Ok((_, r)) => r.notes,
        Err(e) => return Err(error(422, e.to_string())),
    };
    match helm_core::render::template(chart, &values, &opts) {
        Ok(out) => Ok(json(
            200,
            &serde_json::json!({ "manifest": out.stdout, "notes": notes, "warnings": out.log }),
        )),
        Err(e) => Err(error(422, e.to_string())),
    }
}

/// An action's answer: `status` and `{"release": …}`.
fn released(status: u16, rel: &helm_core::release::Release) -> (u16, serde_json::Value) {
    (status, serde_json::json!({ "release": release_json(rel) }))
}

fn release_json(rel: &helm_core::release::Release) -> serde_json::Value {
    serde_json::to_value(rel).unwrap_or(serde_json::Value::Null)
}

/// One request's caller: its token (from the bearer header, or the web view's cookie) and the
/// server's state. The web view reuses these handlers so that its pages and actions take the
/// same path as the JSON API.
pub(super) struct Ctx {
    pub(super) state: Arc<State>,
    token: String,
    pub(super) caller: String,
}

impl Ctx {
    pub(super) fn new(state: Arc<State>, token: String) -> Ctx {
        let caller = caller_id(&token);
        Ctx {
            state,
            token,
            caller,
        }
    }

    async fn body<T: for<'de> Deserialize<'de>>(
        &self,
        req: Request<Incoming>,
    ) -> Result<T, Response<Body>> {
        let limit = self.state.cfg.max_body_bytes;
        if let Some(len) = req
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            if len > limit as u64 {
                return Err(error(
                    413,
                    format!("request body of {len} bytes is over the limit of {limit} bytes"),
                ));
            }
        }
        let limited = http_body_util::Limited::new(req.into_body(), limit);
        let bytes: Bytes = match limited.collect().await {
            Ok(c) => c.to_bytes(),
            Err(e)
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some() =>
            {
                return Err(error(
                    413,
                    format!("request body is over the limit of {limit} bytes"),
                ))
            }
            Err(e) => return Err(error(400, format!("reading the request body: {e}"))),
        };
        serde_json::from_slice(&bytes).map_err(|e| error(400, format!("request body: {e}")))
    }

    /// Before answering 202 to an `async` request, the caller must be known to the API server
    /// and allowed to `verb` release records (Secrets) in `ns`: a SelfSubjectAccessReview made
    /// with the caller's token, which any authenticated identity may create. An unknown token
    /// gets the API server's 401, a refusal 403 — not an accepted operation that fails later.
    async fn authorize_async(&self, ns: &str, verb: &str) -> Result<(), Response<Body>> {
        use k8s_openapi::api::authorization::v1::{
            ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
        };
        let client = self.kube(ns, None)?;
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    namespace: Some(ns.into()),
                    verb: Some(verb.into()),
                    resource: Some("secrets".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let api: kube::Api<SelfSubjectAccessReview> = kube::Api::all(client.kube().clone());
        match api.create(&kube::api::PostParams::default(), &review).await {
            Ok(r) if r.status.as_ref().is_some_and(|s| s.allowed) => Ok(()),
            Ok(r) => {
                let reason = r
                    .status
                    .and_then(|s| s.reason)
                    .filter(|s| !s.is_empty())
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default();
                Err(error(403, format!("secrets is forbidden: the caller cannot {verb} resource \"secrets\" in API group \"\" in the namespace \"{ns}\" (release records){reason}")))
            }
            Err(kube::Error::Api(e)) if e.code == 401 || e.code == 403 => {
                Err(error(e.code, e.message))
            }
            Err(e) => Err(error(502, format!("checking the caller's access: {e}"))),
        }
    }

    /// A kube client acting as the caller (its token, the server's view of where the cluster is).
    pub(super) fn kube(
        &self,
        ns: &str,
        observer: Option<Arc<Observer>>,
    ) -> Result<crate::Client, Response<Body>> {
        let Some(base) = &self.state.base else {
            return Err(error(
                503,
                format!(
                    "the server has no cluster configured: {}",
                    self.state.base_error.clone().unwrap_or_default()
                ),
            ));
        };
        let mut cfg = base.clone();
        cfg.auth_info = kube::config::AuthInfo {
            token: Some(self.token.clone().into()),
            ..Default::default()
        };
        cfg.default_namespace = ns.to_string();
        let builder = kube::client::ClientBuilder::try_from(cfg)
            .map_err(|e| error(502, format!("kubernetes client: {e}")))?;
        let client = crate::Client::from_kube(builder.build(), ns);
        Ok(match observer {
            Some(obs) => client.with_progress(obs),
            None => client,
        })
    }

    fn conflict(&self, other: &Operation) -> Response<Body> {
        let mut pending = serde_json::json!({
            "status": other.kind.pending_status(),
            "operation": other.kind.as_str(),
            "started": other.started,
            "replica": self.state.cfg.replica,
        });
        if other.caller == self.caller {
            pending["operation_id"] = other.id.clone().into();
        }
        json(
            409,
            &serde_json::json!({
                "error": format!("another operation ({}) is in progress for release {}/{}", other.kind.as_str(), other.namespace, other.release),
                "kind": helm_core::release::api::ErrorKind::Pending.as_str(),
                "pending": pending,
            }),
        )
    }

    /// Runs `action` as a task holding the release lock and the caller's slot; answers with its
    /// result, or 202 if `run_async` or it outlives the request timeout.
    async fn run_operation<F, Fut>(
        &self,
        lock: ReleaseLock,
        slot: super::ops::CallerSlot,
        run_async: bool,
        action: F,
    ) -> Response<Body>
    where
        F: FnOnce(Arc<Operation>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = (u16, serde_json::Value)> + Send + 'static,
    {
        let op = lock.op.clone();
        super::log(
            "info",
            "operation started",
            serde_json::json!({ "operation": op.id, "kind": op.kind.as_str(), "namespace": op.namespace, "release": op.release, "caller": self.caller }),
        );
        let task_op = op.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let (status, body) = action(task_op.clone()).await;
            let phase = if status < 400 { "done" } else { "failed" };
            let msg = body
                .get("error")
                .and_then(|e| e.as_str())
                .map(String::from)
                .unwrap_or_else(|| {
                    format!(
                        "release {} revision {} {}",
                        task_op.release,
                        body.pointer("/release/version")
                            .and_then(|v| v.as_i64())
                            .unwrap_or(0),
                        body.pointer("/release/info/status")
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                    )
                });
            task_op.push(phase, msg);
            super::log(
                if status < 400 { "info" } else { "warn" },
                "operation finished",
                serde_json::json!({ "operation": task_op.id, "status": status }),
            );
            // The release is free before anyone sees the result, so a caller reacting to it
            // never gets a stale 409.
            drop(lock);
            task_op.finish(status, body);
        });
        let accepted = || {
            let mut r = json(
                202,
                &serde_json::json!({
                    "operation_id": op.id,
                    "status_url": format!("/v1/operations/{}", op.id),
                    "events_url": format!("/v1/operations/{}/events", op.id),
                    "kind": op.kind.as_str(),
                    "namespace": op.namespace,
                    "release": op.release,
                    "replica": self.state.cfg.replica,
                    "started": op.started,
                }),
            );
            if let Ok(v) = hyper::header::HeaderValue::from_str(&op.id) {
                r.headers_mut().insert("x-operation-id", v);
            }
            r
        };
        if run_async {
            return accepted();
        }
        let deadline = tokio::time::Instant::now() + self.state.cfg.request_timeout;
        loop {
            let n = op.notify.notified();
            tokio::pin!(n);
            n.as_mut().enable();
            if let Some((status, mut body)) = op.result() {
                body["operation_id"] = op.id.clone().into();
                let mut r = json(status, &body);
                if let Ok(v) = hyper::header::HeaderValue::from_str(&op.id) {
                    r.headers_mut().insert("x-operation-id", v);
                }
                return r;
            }
            if tokio::time::timeout_at(deadline, n).await.is_err() {
                return accepted();
            }
        }
    }

    async fn action_body<O: serde::de::DeserializeOwned>(
        &self,
        req: Request<Incoming>,
        with_chart: bool,
    ) -> Result<ActionRequest<O>, Response<Body>> {
        ActionRequest::parse(self.body::<serde_json::Value>(req).await?, with_chart)
    }

    /// Checks names and, for `async` requests, the caller's access; takes the release's lock
    /// and makes the caller's client with the operation's progress sink.
    async fn begin(
        &self,
        kind: OpKind,
        ns: &str,
        name: &str,
        run_async: bool,
        verb: &str,
    ) -> Result<(ReleaseLock, crate::Client), Response<Body>> {
        check_names(ns, Some(name))?;
        if run_async {
            self.authorize_async(ns, verb).await?;
        }
        let lock = self
            .state
            .reg
            .begin(kind, ns, name, &self.caller)
            .map_err(|other| self.conflict(&other))?;
        let client = self.kube(ns, Some(Observer::new(lock.op.clone())))?;
        Ok((lock, client))
    }

    async fn install(
        &self,
        ns: &str,
        b: ActionRequest<InstallOptions>,
        slot: super::ops::CallerSlot,
    ) -> Answer {
        // Present: `ActionRequest::parse` requires it for install and upgrade.
        let chart = load_chart(b.chart.unwrap_or_default()).await?;
        let values = user_values(&b.values, &b.values_yaml)?;
        let mut opts = b.opts;
        let name = release_name_for(&opts.name, opts.generate_name, &chart)?;
        let (lock, client) = self
            .begin(OpKind::Install, ns, &name, b.run_async, "create")
            .await?;
        lock.op.push("rendering", "rendering the chart");
        (opts.name, opts.generate_name, opts.namespace) = (Some(name), false, Some(ns.to_string()));
        Ok(self
            .run_operation(lock, slot, b.run_async, move |_op| async move {
                match client.install(chart, &values, opts).await {
                    Ok(rel) => released(201, &rel),
                    Err(e) => failure(&e),
                }
            })
            .await)
    }

    pub(super) async fn upgrade(
        &self,
        ns: &str,
        name: &str,
        b: ActionRequest<UpgradeOptions>,
        slot: super::ops::CallerSlot,
    ) -> Answer {
        check_names(ns, Some(name))?;
        // Present: `ActionRequest::parse` requires it for install and upgrade.
        let chart = load_chart(b.chart.unwrap_or_default()).await?;
        let values = user_values(&b.values, &b.values_yaml)?;
        let (lock, client) = self
            .begin(OpKind::Upgrade, ns, name, b.run_async, "update")
            .await?;
        lock.op.push("rendering", "rendering the chart");
        let mut opts = b.opts;
        opts.namespace = Some(ns.to_string());
        let (name, ns) = (name.to_string(), ns.to_string());
        Ok(self
            .run_operation(lock, slot, b.run_async, move |op| async move {
                match client.upgrade(&name, chart, &values, opts).await {
                    // `upgrade --install` that installed: created, as an install is.
                    Ok(rel) if op.events_from(0).iter().any(|e| e.phase == "installing") => {
                        released(201, &rel)
                    }
                    Ok(rel) => released(200, &rel),
                    Err(e) => pending_aware(&client, &name, &ns, e).await,
                }
            })
            .await)
    }

    /// `POST …/plan`: what the upgrade in the body would change (`upgrade --plan`): a dry run
    /// compared with the release's objects, answered at once as `{"plan": …}`. Nothing is
    /// applied or stored, so no operation or lock is taken.
    pub(super) async fn plan(
        &self,
        ns: &str,
        name: &str,
        b: ActionRequest<UpgradeOptions>,
    ) -> Answer {
        check_names(ns, Some(name))?;
        // Present: `ActionRequest::parse` requires it for an upgrade's body.
        let chart = load_chart(b.chart.unwrap_or_default()).await?;
        let values = user_values(&b.values, &b.values_yaml)?;
        let client = self.kube(ns, None)?;
        let mut opts = b.opts;
        opts.namespace = Some(ns.to_string());
        match client.plan(name, chart, &values, opts).await {
            Ok(plan) => Ok(json(200, &serde_json::json!({ "plan": plan }))),
            Err(e) => Err(action_error(&e)),
        }
    }

    /// `POST …/recover`: `helm-rs recover` (a pending revision left by a killed operation
    /// marked failed). Refused while an operation of this server holds the release; quick, so
    /// answered at once.
    async fn recover(&self, ns: &str, name: &str, b: ActionRequest<RecoverOptions>) -> Answer {
        check_names(ns, Some(name))?;
        if let Some(other) = self.state.reg.active(ns, name) {
            return Err(self.conflict(&other));
        }
        let client = self.kube(ns, None)?;
        let mut opts = b.opts;
        opts.namespace = Some(ns.to_string());
        match client.recover(name, opts).await {
            Ok(rel) => {
                let (status, body) = released(200, &rel);
                Ok(json(status, &body))
            }
            Err(e) => Err(action_error(&e)),
        }
    }

    pub(super) async fn rollback(
        &self,
        ns: &str,
        name: &str,
        b: ActionRequest<RollbackOptions>,
        slot: super::ops::CallerSlot,
    ) -> Answer {
        let (lock, client) = self
            .begin(OpKind::Rollback, ns, name, b.run_async, "update")
            .await?;
        let mut opts = b.opts;
        opts.namespace = Some(ns.to_string());
        let (name, ns) = (name.to_string(), ns.to_string());
        Ok(self
            .run_operation(lock, slot, b.run_async, move |_op| async move {
                match client.rollback(&name, opts).await {
                    Ok(rel) => released(200, &rel),
                    Err(e) => pending_aware(&client, &name, &ns, e).await,
                }
            })
            .await)
    }

    async fn test(
        &self,
        ns: &str,
        name: &str,
        b: ActionRequest<TestOptions>,
        slot: super::ops::CallerSlot,
    ) -> Answer {
        let (lock, client) = self
            .begin(OpKind::Test, ns, name, b.run_async, "update")
            .await?;
        let timeout = b.opts.timeout_seconds.map(Duration::from_secs);
        let (name, ns) = (name.to_string(), ns.to_string());
        Ok(self
            .run_operation(lock, slot, b.run_async, move |_op| async move {
                match client.test(&name, Some(&ns), timeout).await {
                    Ok(rel) => released(200, &rel),
                    Err(e) => failure(&e),
                }
            })
            .await)
    }

    pub(super) async fn uninstall(
        &self,
        ns: &str,
        name: &str,
        q: &HashMap<String, String>,
        slot: super::ops::CallerSlot,
    ) -> Answer {
        let parsed = (|| -> Result<(UninstallOptions, bool), Response<Body>> {
            let timeout = qint(q, "timeout_seconds")?;
            let cascade = q.get("cascade").cloned();
            if let Some(c) = &cascade {
                if !matches!(c.as_str(), "background" | "foreground" | "orphan") {
                    return Err(error(400, format!("invalid cascade value ({c}). Must be \"background\", \"foreground\", or \"orphan\"")));
                }
            }
            Ok((
                UninstallOptions {
                    namespace: Some(ns.to_string()),
                    keep_history: qbool(q, "keep_history")?,
                    dry_run: qbool(q, "dry_run")?,
                    no_hooks: qbool(q, "no_hooks")?,
                    wait: qbool(q, "wait")?,
                    timeout: if timeout > 0 {
                        Some(Duration::from_secs(timeout as u64))
                    } else {
                        None
                    },
                    description: q.get("description").cloned(),
                    cascade,
                },
                qbool(q, "async")?,
            ))
        })();
        let (opts, run_async) = parsed?;
        let (lock, client) = self
            .begin(OpKind::Uninstall, ns, name, run_async, "delete")
            .await?;
        let name = name.to_string();
        Ok(self.run_operation(lock, slot, run_async, move |_op| async move {
            match client.uninstall(&name, opts).await {
                Ok(res) => (200, serde_json::json!({ "release": release_json(&res.release), "kept": res.kept })),
                Err(e) => failure(&e),
            }
        })
        .await)
    }

    async fn list(&self, ns: Option<&str>, q: &HashMap<String, String>) -> Answer {
        if let Some(ns) = ns {
            check_names(ns, None)?;
        }
        let all = qbool(q, "all")?;
        let client = self.kube(ns.unwrap_or("default"), None)?;
        let mut states = Vec::new();
        if let Some(s) = q.get("states") {
            for st in s.split(',').filter(|s| !s.is_empty()) {
                match helm_core::release::Status::ALL
                    .iter()
                    .find(|x| x.as_str() == st)
                {
                    Some(x) => states.push(*x),
                    None => {
                        return Err(error(
                            400,
                            format!("query parameter states: unknown status {st:?}"),
                        ))
                    }
                }
            }
        }
        let opts = ListOptions {
            namespace: ns.map(String::from),
            all_namespaces: ns.is_none(),
            all,
            states,
            filter: q.get("filter").cloned(),
        };
        match client.list(opts).await {
            Ok(rels) => Ok(json(
                200,
                &serde_json::json!({ "releases": rels.iter().map(release_json).collect::<Vec<_>>() }),
            )),
            Err(e) => Err(action_error(&e)),
        }
    }

    async fn read(&self, ns: &str, name: &str, what: &str, q: &HashMap<String, String>) -> Answer {
        check_names(ns, Some(name))?;
        let revision = qint(q, "revision")?;
        let client = self.kube(ns, None)?;
        let res = match what {
            "history" => client.history(name, Some(ns)).await.map(|h| serde_json::json!({ "history": h.iter().map(release_json).collect::<Vec<_>>() })),
            "values" => {
                let all = qbool(q, "all")?;
                client.get_values(name, Some(ns), revision, all).await.map(|v| serde_json::json!({ "values": core_to_json(&v) }))
            }
            // `?resources=table|objects`: `helm status` with the release's live objects.
            "status" if q.contains_key("resources") => {
                let table = q.get("resources").map(|r| r == "table").unwrap_or(false);
                client.status(name, Some(ns), revision, table).await.map(|rel| serde_json::json!({ "release": release_json(&rel) }))
            }
            _ => client.get_release(name, Some(ns), revision).await.map(|rel| match what {
                "manifest" => serde_json::json!({ "manifest": rel.manifest }),
                "notes" => serde_json::json!({ "notes": rel.info.as_ref().map(|i| i.notes.clone()).unwrap_or_default() }),
                "hooks" => serde_json::json!({ "hooks": rel.hooks }),
                _ => serde_json::json!({ "release": release_json(&rel) }),
            }),
        };
        match res {
            Ok(body) => Ok(json(200, &body)),
            Err(e) => Err(action_error(&e)),
        }
    }

    pub(super) fn owned_operation(&self, id: &str) -> Result<Arc<Operation>, Response<Body>> {
        match self.state.reg.operation(id) {
            Some(op) if op.caller == self.caller => Ok(op),
            _ if self.state.reg.is_elsewhere(id) => {
                // Operations live in the memory of the replica that runs them; the release's
                // record in the cluster is what every replica can read.
                let other = super::ops::Registry::replica_of(id).unwrap_or_default();
                Err(json(
                    404,
                    &serde_json::json!({
                        "error": format!("operation {id} runs on replica {other}, not on this one ({}): its status and events are kept by that replica only; the release's state is in its record (GET /v1/namespaces/{{namespace}}/releases/{{name}})", self.state.cfg.replica),
                        "kind": helm_core::release::api::ErrorKind::NotFound.as_str(),
                        "replica": other,
                    }),
                ))
            }
            _ => Err(error(404, format!("no operation {id} of this caller"))),
        }
    }

    fn operation(&self, id: &str) -> Response<Body> {
        match self.owned_operation(id) {
            Ok(op) => json(200, &op.summary()),
            Err(r) => r,
        }
    }

    /// `GET /v1/operations/{id}/events`: Server-Sent Events, replaying what happened so far and
    /// following until the operation ends.
    pub(super) fn events(&self, id: &str) -> Answer {
        let op = self.owned_operation(id)?;
        let stream =
            futures_util::stream::unfold((op, 0usize, false), |(op, next, ended)| async move {
                if ended {
                    return None;
                }
                loop {
                    let waiter = op.clone();
                    let n = waiter.notify.notified();
                    tokio::pin!(n);
                    n.as_mut().enable();
                    let evs = op.events_from(next);
                    let finished = op.result().is_some();
                    if !evs.is_empty() {
                        let mut text = String::new();
                        for e in &evs {
                            text.push_str(&format!(
                                "id: {}\nevent: {}\ndata: {}\n\n",
                                e.seq,
                                e.phase,
                                serde_json::to_string(e).unwrap_or_default()
                            ));
                        }
                        let next2 = next + evs.len();
                        let ended = finished && op.events_from(next2).is_empty();
                        return Some((
                            Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(
                                Bytes::from(text),
                            )),
                            (op, next2, ended),
                        ));
                    }
                    if finished {
                        return None;
                    }
                    // Keep-alive comment every 15 s so proxies keep the stream open.
                    if tokio::time::timeout(Duration::from_secs(15), n)
                        .await
                        .is_err()
                    {
                        return Some((
                            Ok(hyper::body::Frame::data(Bytes::from_static(
                                b": keep-alive\n\n",
                            ))),
                            (op, next, false),
                        ));
                    }
                }
            });
        let body = http_body_util::StreamBody::new(stream);
        let mut r = Response::new(BodyExt::boxed(body));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/event-stream"),
        );
        r.headers_mut().insert(
            hyper::header::CACHE_CONTROL,
            hyper::header::HeaderValue::from_static("no-cache"),
        );
        Ok(r)
    }
}

/// An action's error; for "another operation is in progress" the body says which pending state
/// the release is in (as stored, e.g. left by an interrupted server).
async fn pending_aware(
    client: &crate::Client,
    name: &str,
    ns: &str,
    e: Error,
) -> (u16, serde_json::Value) {
    let (status, mut body) = failure(&e);
    if e.kind() == helm_core::release::api::ErrorKind::Pending {
        if let Ok(rel) = client.get_release(name, Some(ns), 0).await {
            body["pending"] =
                serde_json::json!({ "status": rel.status().as_str(), "revision": rel.version });
        }
    }
    (status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_namespace("team-a"));
        assert!(!valid_namespace("Team"));
        assert!(!valid_namespace("-a"));
        assert_eq!(caller_id("abc").len(), 16);
        assert_eq!(percent_decode("a%2Fb"), "a/b");
        assert_eq!(
            parse_query("all=true&filter=a+b")
                .get("filter")
                .map(String::as_str),
            Some("a b")
        );
    }

    #[test]
    fn kubernetes_errors_map_to_http() {
        let forbidden = Error::Storage(helm_core::release::StorageError::Api {
            code: 403,
            message: "secrets is forbidden: User \"system:serviceaccount:a:x\" cannot list resource \"secrets\" in API group \"\" in the namespace \"b\"".into(),
        });
        assert_eq!(status_of(&forbidden), 403);
        assert_eq!(
            status_of(&Error::Api {
                code: 401,
                message: "Unauthorized".into()
            }),
            401
        );
        assert_eq!(
            status_of(&Error::action(
                helm_core::release::api::ErrorKind::Pending,
                "another operation (install/upgrade/rollback) is in progress"
            )),
            409
        );
        assert_eq!(
            status_of(&Error::Storage(helm_core::release::StorageError::NotFound)),
            404
        );
        assert_eq!(status_of(&Error::Timeout("timed out".into())), 504);
        let body = error_body(&Error::not_found("release: not found"));
        assert_eq!(
            (body["error"].as_str(), body["kind"].as_str()),
            (Some("release: not found"), Some("not_found"))
        );
    }

    #[test]
    fn action_bodies_are_option_structs() {
        let body = serde_json::json!({ "chart": { "ref": "oci://r/c" }, "values": { "a": 1 }, "install": true, "wait": true, "async": true });
        let r = ActionRequest::<UpgradeOptions>::parse(body, true)
            .ok()
            .expect("parsed");
        assert!(
            r.run_async && r.opts.install && r.opts.wait && r.chart.is_some() && r.values.is_some()
        );
        assert_eq!(r.opts.max_history, 10);
        assert!(
            ActionRequest::<UpgradeOptions>::parse(
                serde_json::json!({ "chart": {}, "wiat": true }),
                true
            )
            .is_err(),
            "unknown fields are refused"
        );
        assert!(
            ActionRequest::<RollbackOptions>::parse(serde_json::json!({ "chart": {} }), false)
                .is_err(),
            "rollback takes no chart"
        );
    }
}
