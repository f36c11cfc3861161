//! The web view of the release server: server-rendered pages at `/` and under `/ui/` to sign in
//! with a Kubernetes token, list releases, read one (status, notes, resources with their
//! readiness, hooks, history, manifests, values), compare two revisions, and roll back,
//! uninstall or upgrade (with a plan preview) while watching the operation's progress feed.
//!
//! Why server-rendered pages with no build step: the server must work where it runs (in a
//! cluster, without network), and it already holds everything a page shows; plain HTML with
//! inline CSS needs nothing else, and the one live element (the operation's feed) is a few
//! lines of inline script over `EventSource`.
//!
//! Why it is safe to put in the release server: the UI is only another client of the same
//! handlers. Each page is fetched with a client made from the signed-in caller's token
//! (the JSON API's `Ctx`), so RBAC decides as it does for the JSON API, and a refusal is shown
//! as a 403 page with Kubernetes' message, never as data. Actions call the JSON API's handlers
//! themselves (rollback, uninstall, upgrade, plan), so they run as the same operations (ids,
//! per-release lock, per-caller limit, event feed). Sessions and CSRF: [`session`].
//! Secret values are masked in manifests and diffs unless the page is asked to show them.

mod actions;
pub mod diff;
pub mod html;
mod multipart;
mod pages;
pub mod session;

use super::api::{self, Ctx};
use super::{Body, State};
use html::{esc, Frame};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// A signed-in caller: its API context (token, caller id) and what the pages show of it.
pub(super) struct Session {
    pub ctx: Ctx,
    pub token: String,
    pub csrf: String,
    pub who: String,
}

impl Session {
    pub fn frame(&self) -> Frame<'_> {
        Frame {
            who: Some(&self.who),
            csrf: Some(&self.csrf),
        }
    }

    /// A page of this session.
    pub fn page(&self, status: u16, title: &str, body: &str) -> Response<Body> {
        html_response(status, html::page(title, &self.frame(), body))
    }

    /// An error page of this session.
    pub fn error(&self, status: u16, message: &str) -> Response<Body> {
        self.page(status, "Error", &html::error_card(status, message))
    }
}

/// An HTML response with the headers every page carries: no caching (pages hold the caller's
/// data), no framing, scripts and styles only from the page itself. The referrer policy is
/// `same-origin`, not `no-referrer`: under the latter a browser sends `Origin: null` with form
/// posts, and [`session::same_origin`] could not tell them from cross-site ones.
pub fn html_response(status: u16, text: String) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(text)).boxed());
    *r.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    let set = |h: &mut hyper::HeaderMap, k: hyper::header::HeaderName, v: &'static str| {
        h.insert(k, hyper::header::HeaderValue::from_static(v));
    };
    set(h, hyper::header::CONTENT_TYPE, "text/html; charset=utf-8");
    set(h, hyper::header::CACHE_CONTROL, "no-store");
    set(h, hyper::header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, hyper::header::X_FRAME_OPTIONS, "DENY");
    set(h, hyper::header::REFERRER_POLICY, "same-origin");
    set(
        h,
        hyper::header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    r
}

/// `303 See Other` to `location`, setting `cookies`.
pub fn redirect(location: &str, cookies: &[String]) -> Response<Body> {
    let mut r = html_response(
        303,
        format!("<!doctype html><a href=\"{0}\">{0}</a>", esc(location)),
    );
    if let Ok(v) = hyper::header::HeaderValue::from_str(location) {
        r.headers_mut().insert(hyper::header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = hyper::header::HeaderValue::from_str(c) {
            r.headers_mut().append(hyper::header::SET_COOKIE, v);
        }
    }
    r
}

/// A JSON API handler's answer, read back: its status and body (`{"error": …}` on failure).
pub async fn json_of(resp: Response<Body>) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// The message of an API error body.
pub fn error_message(body: &serde_json::Value) -> String {
    body.get("error")
        .and_then(|e| e.as_str())
        .map(String::from)
        .unwrap_or_else(|| body.to_string())
}

/// Reads a request body up to the server's limit (413 page past it).
pub async fn read_body(state: &State, req: Request<Incoming>) -> Result<Bytes, (u16, String)> {
    let limit = state.cfg.max_body_bytes;
    let limited = http_body_util::Limited::new(req.into_body(), limit);
    match limited.collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err((
                413,
                format!("request body is over the limit of {limit} bytes"),
            ))
        }
        Err(e) => Err((400, format!("reading the request body: {e}"))),
    }
}

/// An `application/x-www-form-urlencoded` body's fields.
pub fn form(body: &[u8]) -> HashMap<String, String> {
    api::parse_query(&String::from_utf8_lossy(body))
}

/// Routes `/` and `/ui/…`; returns the response and the caller's id for the log.
pub async fn route(
    state: Arc<State>,
    req: Request<Incoming>,
    segs: &[&str],
) -> (Response<Body>, Option<String>) {
    let method = req.method().clone();
    let secure = state.cfg.tls_cert.is_some();
    let token =
        session::cookie(req.headers(), session::TOKEN_COOKIE).filter(|t| session::valid_token(t));
    match (segs, &method) {
        ([] | ["ui"], &Method::GET) => {
            let to = if token.is_some() {
                "/ui/releases"
            } else {
                "/ui/login"
            };
            return (redirect(to, &[]), None);
        }
        (["ui", "login"], &Method::GET) => {
            return (pages::login(200, None, token.is_some()), None);
        }
        (["ui", "login"], &Method::POST) => {
            return (actions::login(&state, req, secure).await, None);
        }
        _ => {}
    }
    let Some(token) = token else {
        // Not signed in: pages send the browser to sign in; posts and feeds are refused.
        let resp = if method == Method::GET && segs.get(3) != Some(&"events") {
            redirect("/ui/login", &[])
        } else {
            pages::login(401, Some("Sign in first: no session."), false)
        };
        return (resp, None);
    };
    let who = session::cookie(req.headers(), session::USER_COOKIE)
        .map(|u| api::percent_decode(&u))
        .unwrap_or_default();
    let s = Session {
        ctx: Ctx::new(state.clone(), token.clone()),
        csrf: session::csrf_token(&token),
        token,
        who,
    };
    let caller = Some(s.ctx.caller.clone());
    if method == Method::POST && !session::same_origin(req.headers()) {
        return (s.error(403, "cross-origin form posts are refused"), caller);
    }
    // The feed is long-lived and, as the API's, does not count against the caller's limit.
    if let (["ui", "operations", id, "events"], &Method::GET) = (segs, &method) {
        let resp = match s.ctx.events(id) {
            Ok(r) => r,
            Err(r) => r,
        };
        return (resp, caller);
    }
    let Some(slot) = state
        .reg
        .caller_slot(&s.ctx.caller, state.cfg.max_concurrent_per_caller)
    else {
        let msg = format!(
            "too many concurrent requests from this caller (limit {})",
            state.cfg.max_concurrent_per_caller
        );
        return (s.error(429, &msg), caller);
    };
    let query = api::parse_query(req.uri().query().unwrap_or(""));
    let resp = match (segs, &method) {
        (["ui", "logout"], &Method::POST) => actions::logout(&s, req, secure).await,
        (["ui", "releases"], &Method::GET) => pages::releases(&s, &query).await,
        (["ui", "namespaces", ns, "releases"], &Method::GET) => {
            let mut q = query.clone();
            q.insert("namespace".into(), ns.to_string());
            pages::releases(&s, &q).await
        }
        (["ui", "namespaces", ns, "releases", name], &Method::GET) => {
            pages::release(&s, ns, name, &query).await
        }
        (["ui", "namespaces", ns, "releases", name, "history"], &Method::GET) => {
            pages::history(&s, ns, name).await
        }
        (["ui", "namespaces", ns, "releases", name, "diff"], &Method::GET) => {
            pages::diff(&s, ns, name, &query).await
        }
        (["ui", "namespaces", ns, "releases", name, "manifest"], &Method::GET) => {
            pages::manifest(&s, ns, name, &query).await
        }
        (["ui", "namespaces", ns, "releases", name, "values"], &Method::GET) => {
            pages::values(&s, ns, name, &query).await
        }
        (["ui", "namespaces", ns, "releases", name, "rollback"], &Method::GET) => {
            actions::rollback_confirm(&s, ns, name, &query).await
        }
        (["ui", "namespaces", ns, "releases", name, "rollback"], &Method::POST) => {
            actions::rollback(&s, ns, name, req, slot).await
        }
        (["ui", "namespaces", ns, "releases", name, "uninstall"], &Method::GET) => {
            actions::uninstall_confirm(&s, ns, name).await
        }
        (["ui", "namespaces", ns, "releases", name, "uninstall"], &Method::POST) => {
            actions::uninstall(&s, ns, name, req, slot).await
        }
        (["ui", "namespaces", ns, "releases", name, "upgrade"], &Method::GET) => {
            actions::upgrade_form(&s, ns, name).await
        }
        (["ui", "namespaces", ns, "releases", name, "upgrade", "plan"], &Method::POST) => {
            actions::upgrade_plan(&s, ns, name, req).await
        }
        (["ui", "namespaces", ns, "releases", name, "upgrade"], &Method::POST) => {
            actions::upgrade(&s, ns, name, req, slot).await
        }
        (["ui", "operations", id], &Method::GET) => actions::operation(&s, id),
        _ => s.error(404, &format!("no such page: {method} /{}", segs.join("/"))),
    };
    (resp, caller)
}
