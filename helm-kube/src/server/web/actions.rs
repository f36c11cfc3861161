//! The pages that change something: signing in and out, and rollback, uninstall and upgrade
//! (each behind a confirmation), then the running operation's page with its live feed.
//!
//! Actions call the JSON API's handlers (`Ctx::rollback`, `Ctx::uninstall`, `Ctx::upgrade`,
//! `Ctx::plan` in `api.rs`) with `async` set: the handler checks the caller's access first (401/403
//! at once), takes the release's lock (409 while another operation runs) and starts the
//! operation, and the browser is sent to that operation's page, which follows its events
//! over `/ui/operations/{id}/events` — the API's event stream, authenticated by the cookie
//! because `EventSource` cannot send a bearer header.

use super::diff;
use super::html::{self, enc, esc};
use super::pages::{self, client, failed, release_path, tabs};
use super::{form, json_of, multipart, read_body, redirect, session, Session};
use crate::api::{ChartSource, ReleaseApi};
use helm_core::release::api::{RollbackOptions, UpgradeOptions};
use helm_core::release::plan::Plan;
use hyper::body::Incoming;
use hyper::{Request, Response};
use std::collections::HashMap;
use std::fmt::Write as _;

use super::super::api::ActionRequest;
use super::super::ops::CallerSlot;
use super::super::{Body, State};

/// `POST /ui/login`: checks the token with the API server (a SelfSubjectReview, which any
/// authenticated identity may create) and keeps it in the session cookie.
pub async fn login(
    state: &std::sync::Arc<State>,
    req: Request<Incoming>,
    secure: bool,
) -> Response<Body> {
    if !session::same_origin(req.headers()) {
        return pages::login(403, Some("cross-origin sign-in refused"), false);
    }
    let body = match read_body(state, req).await {
        Ok(b) => b,
        Err((st, msg)) => return pages::login(st, Some(&msg), false),
    };
    let token = form(&body)
        .get("token")
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    if !session::valid_token(&token) {
        return pages::login(
            400,
            Some("The token is empty or has characters a bearer token cannot have."),
            false,
        );
    }
    let ctx = super::Ctx::new(state.clone(), token.clone());
    let client = match ctx.kube("default", None) {
        Ok(c) => c,
        Err(r) => {
            let (st, b) = json_of(r).await;
            return pages::login(st, Some(&super::error_message(&b)), false);
        }
    };
    use k8s_openapi::api::authentication::v1::SelfSubjectReview;
    let api: kube::Api<SelfSubjectReview> = kube::Api::all(client.kube().clone());
    let who = match api
        .create(&Default::default(), &SelfSubjectReview::default())
        .await
    {
        Ok(r) => r
            .status
            .and_then(|s| s.user_info)
            .and_then(|u| u.username)
            .unwrap_or_default(),
        Err(kube::Error::Api(e)) if e.code == 401 => {
            return pages::login(
                401,
                Some(&format!("Kubernetes refused the token: {}", e.message)),
                false,
            )
        }
        // An API server without SelfSubjectReview: the token is tried on each page instead.
        Err(kube::Error::Api(e)) if e.code == 404 => String::new(),
        Err(e) => {
            return pages::login(
                502,
                Some(&format!("checking the token with the API server: {e}")),
                false,
            )
        }
    };
    redirect(
        "/ui/releases",
        &[
            session::set_cookie(session::TOKEN_COOKIE, Some(&token), secure),
            session::set_cookie(
                session::USER_COOKIE,
                Some(&session::user_cookie_value(&who)),
                secure,
            ),
        ],
    )
}

/// The fields of a posted form, CSRF checked.
async fn checked_form(
    s: &Session,
    req: Request<Incoming>,
) -> Result<HashMap<String, String>, Response<Body>> {
    let body = read_body(&s.ctx.state, req)
        .await
        .map_err(|(st, m)| s.error(st, &m))?;
    let f = form(&body);
    if let Some(r) = csrf_refusal(s, f.get("csrf")) {
        return Err(r);
    }
    Ok(f)
}

/// The refusal of a form whose CSRF token is not this session's (None: it is).
fn csrf_refusal(s: &Session, given: Option<&String>) -> Option<Response<Body>> {
    match given {
        Some(c) if session::csrf_ok(&s.token, c) => None,
        _ => Some(s.error(
            403,
            "the form's CSRF token is missing or does not match this session (reload the page and try again)",
        )),
    }
}

/// `POST /ui/logout`: forgets the session's cookies.
pub async fn logout(s: &Session, req: Request<Incoming>, secure: bool) -> Response<Body> {
    if let Err(r) = checked_form(s, req).await {
        return r;
    }
    redirect(
        "/ui/login",
        &[
            session::set_cookie(session::TOKEN_COOKIE, None, secure),
            session::set_cookie(session::USER_COOKIE, None, secure),
        ],
    )
}

fn csrf_field(s: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&s.csrf)
    )
}

/// A started operation's answer: its page, or the refusal as an error page.
async fn started(s: &Session, resp: Response<Body>) -> Response<Body> {
    let (status, body) = json_of(resp).await;
    match body.get("operation_id").and_then(|i| i.as_str()) {
        Some(id) if status < 400 => redirect(&format!("/ui/operations/{}", enc(id)), &[]),
        _ => s.error(status, &super::error_message(&body)),
    }
}

/// `GET …/rollback?revision=N`: what rolling back would change (the current revision against
/// N, as `helm-rs diff rollback`), and the confirmation.
pub async fn rollback_confirm(
    s: &Session,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(target_v) = q
        .get("revision")
        .and_then(|r| r.parse::<i64>().ok())
        .filter(|r| *r > 0)
    else {
        return s.error(400, "choose the revision to roll back to (?revision=N)");
    };
    let current = match client.get_release(name, Some(ns), 0).await {
        Ok(r) => r,
        Err(e) => return failed(s, &e),
    };
    let target = match client.get_release(name, Some(ns), target_v).await {
        Ok(r) => r,
        Err(e) => return failed(s, &e),
    };
    let changes = match diff::revisions_plan(&current, &target, false) {
        Ok(p) => diff::plan_html(&p, "rollback-diff"),
        Err(e) => html::error_card(422, &e),
    };
    let base = release_path(ns, name);
    let body = format!(
        "{}<div class=\"card notice\"><h2>Roll back {} from revision {} to revision {target_v}?</h2>\
         <p>A new revision is made with revision {target_v}'s chart, values and manifest.</p>\
         <form method=\"post\" action=\"{base}/rollback\">{}<input type=\"hidden\" name=\"revision\" value=\"{target_v}\">\
         <label style=\"display:inline\"><input type=\"checkbox\" name=\"wait\" value=\"1\"> wait until ready</label> \
         <button class=\"primary\" id=\"confirm-rollback\" type=\"submit\">Roll back to {target_v}</button> <a href=\"{base}/history\">Cancel</a></form></div>\
         <h2>What changes (current → revision {target_v})</h2><div class=\"card\">{changes}</div>",
        tabs(ns, name, "history"),
        esc(name),
        current.version,
        csrf_field(s),
    );
    s.page(200, &format!("Roll back {name}"), &body)
}

/// `POST …/rollback`: starts the rollback as the API's operation.
pub async fn rollback(
    s: &Session,
    ns: &str,
    name: &str,
    req: Request<Incoming>,
    slot: CallerSlot,
) -> Response<Body> {
    let f = match checked_form(s, req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(revision) = f
        .get("revision")
        .and_then(|r| r.parse::<i64>().ok())
        .filter(|r| *r > 0)
    else {
        return s.error(400, "revision: expected a revision number");
    };
    let wait = f.contains_key("wait");
    let opts: RollbackOptions =
        match serde_json::from_value(serde_json::json!({ "revision": revision, "wait": wait })) {
            Ok(o) => o,
            Err(e) => return s.error(400, &e.to_string()),
        };
    let b = ActionRequest {
        chart: None,
        values: None,
        values_yaml: None,
        run_async: true,
        opts,
    };
    match s.ctx.rollback(ns, name, b, slot).await {
        Ok(r) | Err(r) => started(s, r).await,
    }
}

/// `GET …/uninstall`: the confirmation, which asks for the release's name typed out.
pub async fn uninstall_confirm(s: &Session, ns: &str, name: &str) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let rel = match client.get_release(name, Some(ns), 0).await {
        Ok(r) => r,
        Err(e) => return failed(s, &e),
    };
    let base = release_path(ns, name);
    let body = format!(
        "{}<div class=\"card error\"><h2>Uninstall {} (revision {}, {})?</h2>\
         <p>Every object of the release is deleted from namespace {}. Type the release's name to confirm.</p>\
         <form method=\"post\" action=\"{base}/uninstall\">{}\
         <label for=\"confirm-name\">Release name</label><input type=\"text\" id=\"confirm-name\" name=\"confirm\" autocomplete=\"off\" required> \
         <label style=\"display:inline\"><input type=\"checkbox\" name=\"keep_history\" value=\"1\"> keep history</label>\
         <p><button class=\"danger\" id=\"confirm-uninstall\" type=\"submit\">Uninstall</button> <a href=\"{base}\">Cancel</a></p></form></div>",
        tabs(ns, name, "uninstall"),
        esc(name),
        rel.version,
        esc(rel.status().as_str()),
        esc(ns),
        csrf_field(s),
    );
    s.page(200, &format!("Uninstall {name}"), &body)
}

/// `POST …/uninstall`: starts the uninstall when the typed name matches.
pub async fn uninstall(
    s: &Session,
    ns: &str,
    name: &str,
    req: Request<Incoming>,
    slot: CallerSlot,
) -> Response<Body> {
    let f = match checked_form(s, req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if f.get("confirm").map(|c| c.trim()) != Some(name) {
        return s.error(400, &format!("the name typed does not match the release's name ({name}); nothing was uninstalled"));
    }
    // The API takes uninstall's options as query parameters.
    let mut q = HashMap::from([("async".to_string(), "true".to_string())]);
    if f.contains_key("keep_history") {
        q.insert("keep_history".into(), "true".into());
    }
    match s.ctx.uninstall(ns, name, &q, slot).await {
        Ok(r) | Err(r) => started(s, r).await,
    }
}

/// `GET …/upgrade`: the form (a chart archive and values), which posts to the plan preview.
pub async fn upgrade_form(s: &Session, ns: &str, name: &str) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let rel = match client.get_release(name, Some(ns), 0).await {
        Ok(r) => r,
        Err(e) => return failed(s, &e),
    };
    let base = release_path(ns, name);
    let body = format!(
        "{}<form class=\"card\" method=\"post\" action=\"{base}/upgrade/plan\" enctype=\"multipart/form-data\">{}\
         <p class=\"muted\">Now: revision {}, chart {}-{}. The upgrade is previewed first (what it would add, change and remove); nothing changes until you confirm.</p>\
         <label for=\"chart\">Chart archive (.tgz, as <code>helm package</code> makes it)</label><input type=\"file\" id=\"chart\" name=\"chart\" accept=\".tgz,application/gzip\" required>\
         <label for=\"values\">Values (YAML)</label><textarea id=\"values\" name=\"values_yaml\" rows=\"10\" placeholder=\"key: value\"></textarea>\
         <label style=\"font-weight:normal\"><input type=\"checkbox\" name=\"reuse_values\" value=\"1\"> reuse the release's values (merge these over them)</label>\
         <p><button class=\"primary\" id=\"preview-upgrade\" type=\"submit\">Preview the upgrade</button></p></form>",
        tabs(ns, name, "upgrade"),
        csrf_field(s),
        rel.version,
        esc(rel.chart_name()),
        esc(rel.chart_version()),
    );
    s.page(200, &format!("Upgrade {name}"), &body)
}

fn upgrade_request(
    chart_b64: String,
    values_yaml: String,
    reuse: bool,
    run_async: bool,
) -> Result<ActionRequest<UpgradeOptions>, String> {
    let opts: UpgradeOptions = serde_json::from_value(serde_json::json!({ "reuse_values": reuse }))
        .map_err(|e| e.to_string())?;
    Ok(ActionRequest {
        chart: Some(ChartSource {
            tgz_base64: Some(chart_b64),
            ..Default::default()
        }),
        values: None,
        values_yaml: (!values_yaml.trim().is_empty()).then_some(values_yaml),
        run_async,
        opts,
    })
}

/// `POST …/upgrade/plan` (multipart): the API's plan of the upgrade, and a confirmation form
/// that carries the same chart and values.
pub async fn upgrade_plan(
    s: &Session,
    ns: &str,
    name: &str,
    req: Request<Incoming>,
) -> Response<Body> {
    let Some(b) = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
    else {
        return s.error(400, "expected a multipart/form-data upload");
    };
    let body = match read_body(&s.ctx.state, req).await {
        Ok(b) => b,
        Err((st, m)) => return s.error(st, &m),
    };
    let parts = match multipart::parse(&body, &b) {
        Ok(p) => p,
        Err(e) => return s.error(400, &e),
    };
    let field = |n: &str| {
        parts
            .iter()
            .find(|p| p.name == n)
            .map(|p| String::from_utf8_lossy(&p.data).into_owned())
    };
    if let Some(r) = csrf_refusal(s, field("csrf").as_ref()) {
        return r;
    }
    let Some(chart) = parts
        .iter()
        .find(|p| p.name == "chart" && !p.data.is_empty())
    else {
        return s.error(400, "choose a chart archive (.tgz) to upgrade to");
    };
    use base64::Engine;
    let chart_b64 = base64::engine::general_purpose::STANDARD.encode(&chart.data);
    let values_yaml = field("values_yaml").unwrap_or_default();
    let reuse = field("reuse_values").is_some();
    let request = match upgrade_request(chart_b64.clone(), values_yaml.clone(), reuse, false) {
        Ok(r) => r,
        Err(e) => return s.error(400, &e),
    };
    let (status, answer) = match s.ctx.plan(ns, name, request).await {
        Ok(r) | Err(r) => json_of(r).await,
    };
    if status >= 400 {
        return s.error(status, &super::error_message(&answer));
    }
    let plan: Plan = match serde_json::from_value(answer["plan"].clone()) {
        Ok(p) => p,
        Err(e) => return s.error(502, &format!("reading the plan: {e}")),
    };
    let base = release_path(ns, name);
    let mut h = tabs(ns, name, "upgrade");
    let _ = write!(
        h,
        "<h2>Upgrade plan: {} with {}</h2><div class=\"card\">{}</div>\
         <form class=\"card notice\" method=\"post\" action=\"{base}/upgrade\">{}\
         <input type=\"hidden\" name=\"chart_b64\" value=\"{}\"><input type=\"hidden\" name=\"values_yaml\" value=\"{}\">{}\
         <button class=\"primary\" id=\"confirm-upgrade\" type=\"submit\">Upgrade</button> <a href=\"{base}/upgrade\">Cancel</a></form>",
        esc(name),
        esc(chart.filename.as_deref().unwrap_or("the uploaded chart")),
        diff::plan_html(&plan, "upgrade-plan"),
        csrf_field(s),
        esc(&chart_b64),
        esc(&values_yaml),
        if reuse { "<input type=\"hidden\" name=\"reuse_values\" value=\"1\">" } else { "" },
    );
    s.page(200, &format!("Upgrade {name}"), &h)
}

/// `POST …/upgrade` (the confirmation): starts the upgrade as the API's operation.
pub async fn upgrade(
    s: &Session,
    ns: &str,
    name: &str,
    req: Request<Incoming>,
    slot: CallerSlot,
) -> Response<Body> {
    let f = match checked_form(s, req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(chart_b64) = f.get("chart_b64").filter(|c| !c.is_empty()) else {
        return s.error(400, "no chart: start again from the upgrade form");
    };
    let request = match upgrade_request(
        chart_b64.clone(),
        f.get("values_yaml").cloned().unwrap_or_default(),
        f.contains_key("reuse_values"),
        true,
    ) {
        Ok(r) => r,
        Err(e) => return s.error(400, &e),
    };
    match s.ctx.upgrade(ns, name, request, slot).await {
        Ok(r) | Err(r) => started(s, r).await,
    }
}

/// The operation page's script: follows the cookie-authenticated feed, adds each event once
/// (a reconnect replays from the start), and stops at `done`/`failed`.
const FEED_JS: &str = r#"
(function () {
  var feed = document.getElementById('feed'), state = document.getElementById('op-state');
  var seen = 0, es = new EventSource(location.pathname + '/events');
  function add(ev) {
    var d = JSON.parse(ev.data);
    if (d.seq <= seen) return;
    seen = d.seq;
    var li = document.createElement('li'), p = document.createElement('span');
    li.className = d.phase; p.className = 'phase'; p.textContent = d.phase;
    li.appendChild(p); li.appendChild(document.createTextNode(' ' + d.message));
    feed.appendChild(li);
    if (d.phase === 'done' || d.phase === 'failed') {
      es.close();
      state.textContent = d.phase;
      state.className = 'badge ' + (d.phase === 'done' ? 'ok' : 'bad');
      document.getElementById('after').hidden = false;
    }
  }
  ['accepted','rendering','record','installing','hook','apply','delete','waiting','ready',
   'done','failed']
    .forEach(function (p) { es.addEventListener(p, add); });
  es.onmessage = add;
})();
"#;

/// `GET /ui/operations/{id}`: the operation (the caller's own only) and its live feed.
pub fn operation(s: &Session, id: &str) -> Response<Body> {
    let op = match s.ctx.owned_operation(id) {
        Ok(op) => op,
        Err(_) => return s.error(404, &format!("no operation {id} of yours on this server (operations are kept in the memory of the replica that runs them)")),
    };
    let result = op.result();
    let (state_class, state) = match &result {
        None => ("wait", "running".to_string()),
        Some((st, _)) if *st < 400 => ("ok", "done".to_string()),
        Some(_) => ("bad", "failed".to_string()),
    };
    // Without scripts: what happened so far, and a refresh while it runs.
    let mut fallback = String::new();
    for e in op.events_from(0) {
        let _ = write!(
            fallback,
            "<li class=\"{}\"><span class=\"phase\">{}</span> {}</li>",
            esc(&e.phase),
            esc(&e.phase),
            esc(&e.message)
        );
    }
    let release = release_path(&op.namespace, &op.release);
    let error = match &result {
        Some((st, body)) if *st >= 400 => html::error_card(*st, &super::error_message(body)),
        _ => String::new(),
    };
    let body = format!(
        "<h1>{} of <a href=\"{release}\">{}</a> <span id=\"op-state\" class=\"badge {state_class}\">{state}</span></h1>\
         <p class=\"muted\">Operation <code id=\"op-id\">{}</code> · namespace {} · started {}</p>{error}\
         <h2>Progress</h2><div class=\"card\"><ol class=\"feed\" id=\"feed\"></ol>\
         <noscript>{}<ol class=\"feed\">{fallback}</ol></noscript></div>\
         <p id=\"after\"{}><a class=\"button\" id=\"back-to-release\" href=\"{release}\">Back to the release</a> <a class=\"button\" href=\"{release}/history\">History</a></p>\
         <script>{FEED_JS}</script>",
        esc(op.kind.as_str()),
        esc(&op.release),
        esc(&op.id),
        esc(&op.namespace),
        esc(&op.started),
        if result.is_none() { "<meta http-equiv=\"refresh\" content=\"2\">" } else { "" },
        if result.is_none() { " hidden" } else { "" },
    );
    s.page(200, &format!("{} {}", op.kind.as_str(), op.release), &body)
}
