//! The pages that only read: sign-in, the release list, a release (status, notes, resources,
//! hooks), its history, manifests, values and the comparison of two revisions.
//!
//! Each page is fetched with the caller's own client (`Ctx::kube`, the
//! JSON API's), through the same [`ReleaseApi`] calls the API's handlers make; an error is the
//! page's answer, with the status and message the API would give.

use super::diff;
use super::html::{self, enc, esc, status_badge, table};
use super::{html_response, json_of, Session};
use crate::api::ReleaseApi;
use crate::error::Error;
use helm_core::release::api::ListOptions;
use helm_core::release::{Release, Time};
use hyper::Response;
use std::collections::HashMap;
use std::fmt::Write as _;

use super::super::api;
use super::super::Body;

/// The caller's client for namespace `ns` (names checked as the API checks them).
pub(super) async fn client(
    s: &Session,
    ns: &str,
    name: Option<&str>,
) -> Result<crate::Client, Response<Body>> {
    let refused = match api::check_names(ns, name) {
        Ok(()) => match s.ctx.kube(ns, None) {
            Ok(c) => return Ok(c),
            Err(r) => r,
        },
        Err(r) => r,
    };
    let (status, body) = json_of(refused).await;
    Err(s.error(status, &super::error_message(&body)))
}

/// An action's error as a page (its HTTP status; Kubernetes' message for 401/403).
pub(super) fn failed(s: &Session, e: &Error) -> Response<Body> {
    s.error(api::status_of(e), &e.to_string())
}

/// A time as the pages show it (UTC, to the second).
pub(super) fn when(t: &Option<Time>) -> String {
    t.as_ref()
        .map(|t| {
            t.0.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string()
        })
        .unwrap_or_default()
}

fn chart_of(rel: &Release) -> String {
    format!("{}-{}", rel.chart_name(), rel.chart_version())
}

/// The base path of a release's pages.
pub(super) fn release_path(ns: &str, name: &str) -> String {
    format!("/ui/namespaces/{}/releases/{}", enc(ns), enc(name))
}

/// The tabs of a release's pages, `on` the current one.
pub(super) fn tabs(ns: &str, name: &str, on: &str) -> String {
    let base = release_path(ns, name);
    let mut h = format!(
        "<p class=\"muted\"><a href=\"/ui/namespaces/{}/releases\">{}</a> / </p><h1 id=\"release-name\">{}</h1><nav class=\"tabs\">",
        enc(ns),
        esc(ns),
        esc(name)
    );
    for (id, label, path) in [
        ("status", "Status", String::new()),
        ("history", "History", "/history".to_string()),
        ("diff", "Diff", "/diff".to_string()),
        ("manifest", "Manifest", "/manifest".to_string()),
        ("values", "Values", "/values".to_string()),
        ("upgrade", "Upgrade", "/upgrade".to_string()),
        ("uninstall", "Uninstall", "/uninstall".to_string()),
    ] {
        let _ = write!(
            h,
            "<a id=\"tab-{id}\" href=\"{base}{path}\"{}>{label}</a>",
            if id == on { " class=\"on\"" } else { "" }
        );
    }
    h.push_str("</nav>");
    h
}

/// The sign-in page (`signed_in`: a session exists, offer to go on with it).
pub fn login(status: u16, error: Option<&str>, signed_in: bool) -> Response<Body> {
    let mut body = String::from("<div class=\"login\">");
    if let Some(e) = error {
        let _ = write!(
            body,
            "<div class=\"card error\" id=\"error\"><pre id=\"error-message\">{}</pre></div>",
            esc(e)
        );
    }
    if signed_in {
        body.push_str("<div class=\"card notice\">You are signed in. <a href=\"/ui/releases\">Go to the releases</a>, or sign in with another token below.</div>");
    }
    body.push_str(
        "<div class=\"card\"><h1>Sign in</h1>\
         <p class=\"muted\">Paste a Kubernetes bearer token. Every page is fetched with this token, so Kubernetes RBAC decides what you see and may change. \
         A ServiceAccount's token: <code>kubectl create token NAME -n NAMESPACE</code>.</p>\
         <form method=\"post\" action=\"/ui/login\">\
         <label for=\"token\">Token</label><input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" style=\"width:100%\" required>\
         <p><button class=\"primary\" id=\"signin\" type=\"submit\">Sign in</button></p></form>\
         <p class=\"muted\">The token is kept in an HttpOnly cookie of this site only, until you sign out.</p></div></div>",
    );
    html_response(
        status,
        html::page(
            "Sign in",
            &html::Frame {
                who: None,
                csrf: None,
            },
            &body,
        ),
    )
}

fn release_row(r: &Release) -> Vec<String> {
    let info = r.info.clone().unwrap_or_default();
    vec![
        format!(
            "<a class=\"release-link\" href=\"{}\">{}</a>",
            release_path(&r.namespace, &r.name),
            esc(&r.name)
        ),
        format!(
            "<a href=\"/ui/namespaces/{}/releases\">{}</a>",
            enc(&r.namespace),
            esc(&r.namespace)
        ),
        r.version.to_string(),
        status_badge(r.status().as_str()),
        esc(&chart_of(r)),
        esc(r.app_version()),
        esc(&when(&info.last_deployed)),
    ]
}

/// `GET /ui/releases[?namespace=NS][&filter=RE]`: the releases the caller can list. Across
/// namespaces needs the right to list Secrets cluster-wide; without it, the namespaces the
/// caller can list are tried one by one (when it may list namespaces), else a namespace is asked
/// for.
pub async fn releases(s: &Session, q: &HashMap<String, String>) -> Response<Body> {
    let ns = q
        .get("namespace")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let filter = q.get("filter").cloned().filter(|f| !f.is_empty());
    let client = match client(s, ns.as_deref().unwrap_or("default"), None).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let opts = |namespace: Option<String>| ListOptions {
        all_namespaces: namespace.is_none(),
        namespace,
        all: true,
        states: Vec::new(),
        filter: filter.clone(),
    };
    let mut notice = String::new();
    let rels = match client.list(opts(ns.clone())).await {
        Ok(r) => r,
        Err(e) if ns.is_none() && api::status_of(&e) == 403 => {
            // Not allowed cluster-wide: each namespace the caller may see, if it may list them.
            let nss: kube::Api<k8s_openapi::api::core::v1::Namespace> =
                kube::Api::all(client.kube().clone());
            match nss.list(&Default::default()).await {
                Ok(list) => {
                    let mut all = Vec::new();
                    let mut hidden = 0;
                    for n in list.items.iter().filter_map(|n| n.metadata.name.clone()) {
                        match client.list(opts(Some(n))).await {
                            Ok(r) => all.extend(r),
                            Err(e) if api::status_of(&e) == 403 => hidden += 1,
                            Err(e) => return failed(s, &e),
                        }
                    }
                    if hidden > 0 {
                        notice = format!("<div class=\"card notice\">Releases of {hidden} namespace(s) are not shown: you may not list their release records.</div>");
                    }
                    all
                }
                Err(_) => {
                    let body = format!(
                        "{}{}",
                        html::error_card(403, &e.to_string()),
                        namespace_form(None, filter.as_deref())
                    );
                    return s.page(403, "Releases", &body);
                }
            }
        }
        Err(e) => {
            let body = format!(
                "{}{}",
                html::error_card(api::status_of(&e), &e.to_string()),
                namespace_form(ns.as_deref(), filter.as_deref())
            );
            return s.page(api::status_of(&e), "Releases", &body);
        }
    };
    let title = match &ns {
        Some(n) => format!("Releases in {n}"),
        None => "Releases in all namespaces".to_string(),
    };
    let rows: Vec<Vec<String>> = rels.iter().map(release_row).collect();
    let body = format!(
        "<h1>{}</h1>{}{notice}{}",
        esc(&title),
        namespace_form(ns.as_deref(), filter.as_deref()),
        table(
            "releases",
            &[
                "Name",
                "Namespace",
                "Revision",
                "Status",
                "Chart",
                "App version",
                "Updated"
            ],
            &rows
        )
    );
    s.page(200, &title, &body)
}

fn namespace_form(ns: Option<&str>, filter: Option<&str>) -> String {
    format!(
        "<form class=\"card\" method=\"get\" action=\"/ui/releases\" id=\"ns-form\">Namespace <input type=\"text\" name=\"namespace\" value=\"{}\" placeholder=\"all\"> \
         Name filter <input type=\"text\" name=\"filter\" value=\"{}\" placeholder=\"regular expression\"> <button type=\"submit\">Show</button></form>",
        esc(ns.unwrap_or("")),
        esc(filter.unwrap_or(""))
    )
}

fn revision_of(q: &HashMap<String, String>) -> i64 {
    q.get("revision")
        .and_then(|r| r.parse::<i64>().ok())
        .filter(|r| *r > 0)
        .unwrap_or(0)
}

fn show_secrets(q: &HashMap<String, String>) -> bool {
    matches!(
        q.get("secrets").map(String::as_str),
        Some("show" | "1" | "true")
    )
}

/// A table of the live objects of one kind: the API server's Table rendering (`columns` of
/// priority 0, as `kubectl get` prints), with a readiness badge where a `Ready` column says
/// `n/m`.
fn resource_table(kind: &str, items: &[serde_json::Value]) -> String {
    let mut h = format!("<h3 class=\"muted\">{}</h3>", esc(kind));
    for t in items {
        let Some(cols) = t.get("columnDefinitions").and_then(|c| c.as_array()) else {
            // Not a Table (an object as is): its name.
            let name = t
                .pointer("/metadata/name")
                .and_then(|n| n.as_str())
                .unwrap_or("");
            let _ = write!(h, "<p>{}</p>", esc(name));
            continue;
        };
        let shown: Vec<usize> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.get("priority").and_then(|p| p.as_i64()).unwrap_or(0) == 0)
            .map(|(i, _)| i)
            .collect();
        let head: Vec<&str> = shown
            .iter()
            .map(|i| cols[*i].get("name").and_then(|n| n.as_str()).unwrap_or(""))
            .collect();
        let rows: Vec<Vec<String>> = t
            .get("rows")
            .and_then(|r| r.as_array())
            .map(|rows| {
                rows.iter()
                    .map(|r| {
                        let cells = r.get("cells").and_then(|c| c.as_array());
                        shown
                            .iter()
                            .map(|i| {
                                let cell = cells.and_then(|c| c.get(*i));
                                let text = match cell {
                                    Some(serde_json::Value::String(s)) => s.clone(),
                                    Some(serde_json::Value::Null) | None => String::new(),
                                    Some(v) => v.to_string(),
                                };
                                if head.get(shown.iter().position(|x| x == i).unwrap_or(0))
                                    == Some(&"Ready")
                                {
                                    readiness_badge(&text)
                                } else {
                                    esc(&text)
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        h.push_str(&table(&format!("res-{kind}"), &head, &rows));
    }
    h
}

fn readiness_badge(ready: &str) -> String {
    let class = match ready.split_once('/') {
        Some((a, b)) if a.trim() == b.trim() => "ok",
        Some(_) => "wait",
        None if ready == "True" => "ok",
        None => "wait",
    };
    format!("<span class=\"badge {class}\">{}</span>", esc(ready))
}

/// `GET …/releases/{name}[?revision=N]`: status, notes, the live resources (the API's
/// `?resources=table`), hooks.
pub async fn release(
    s: &Session,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let revision = revision_of(q);
    let (rel, resources_error) = match client.status(name, Some(ns), revision, true).await {
        Ok(r) => (r, None),
        // The record is readable but some object is not: the page without the resources.
        Err(e) if api::status_of(&e) == 403 => {
            match client.get_release(name, Some(ns), revision).await {
                Ok(r) => (r, Some(e.to_string())),
                Err(e) => return failed(s, &e),
            }
        }
        Err(e) => return failed(s, &e),
    };
    let info = rel.info.clone().unwrap_or_default();
    let base = release_path(ns, name);
    let mut h = tabs(ns, name, "status");
    let _ = write!(
        h,
        "<div class=\"card\" id=\"status\"><dl class=\"kv\">\
         <dt>Status</dt><dd id=\"release-status\">{}</dd>\
         <dt>Revision</dt><dd id=\"release-revision\">{}</dd>\
         <dt>Chart</dt><dd>{}</dd><dt>App version</dt><dd>{}</dd>\
         <dt>Namespace</dt><dd>{}</dd>\
         <dt>First deployed</dt><dd>{}</dd><dt>Last deployed</dt><dd>{}</dd>\
         <dt>Description</dt><dd>{}</dd></dl>\
         <p><a class=\"button\" href=\"{base}/upgrade\">Upgrade…</a> <a class=\"button\" href=\"{base}/history\">Roll back…</a> <a class=\"button\" href=\"{base}/uninstall\">Uninstall…</a></p></div>",
        status_badge(rel.status().as_str()),
        rel.version,
        esc(&chart_of(&rel)),
        esc(rel.app_version()),
        esc(&rel.namespace),
        esc(&when(&info.first_deployed)),
        esc(&when(&info.last_deployed)),
        esc(&info.description),
    );
    h.push_str("<h2>Resources</h2><div class=\"card\" id=\"resources\">");
    match (&resources_error, &info.resources) {
        (Some(e), _) => {
            let _ = write!(
                h,
                "<p class=\"muted\">The live objects cannot be read with your token:</p><pre>{}</pre>",
                esc(e)
            );
        }
        (None, Some(serde_json::Value::Object(m))) => {
            for (kind, items) in m {
                let items = items.as_array().cloned().unwrap_or_default();
                h.push_str(&resource_table(kind, &items));
            }
        }
        _ => h.push_str("<p class=\"muted\">No live objects.</p>"),
    }
    h.push_str("</div>");
    if !info.notes.is_empty() {
        let _ = write!(
            h,
            "<h2>Notes</h2><pre id=\"notes\">{}</pre>",
            esc(&info.notes)
        );
    }
    let hook_rows: Vec<Vec<String>> = rel
        .hooks
        .iter()
        .map(|hk| {
            vec![
                esc(&hk.name),
                esc(&hk.kind),
                esc(&hk.events.join(", ")),
                hk.weight.to_string(),
                esc(&hk.delete_policies.join(", ")),
                match hk.last_run.phase.as_str() {
                    "" => "<span class=\"muted\">not run</span>".into(),
                    "Succeeded" => "<span class=\"badge ok\">Succeeded</span>".into(),
                    "Failed" => "<span class=\"badge bad\">Failed</span>".into(),
                    p => format!("<span class=\"badge wait\">{}</span>", esc(p)),
                },
                esc(&when(&hk.last_run.completed_at)),
            ]
        })
        .collect();
    let _ = write!(
        h,
        "<h2>Hooks</h2>{}",
        table(
            "hooks",
            &[
                "Name",
                "Kind",
                "Events",
                "Weight",
                "Delete policy",
                "Last run",
                "Completed"
            ],
            &hook_rows
        )
    );
    s.page(200, &format!("{name} in {ns}"), &h)
}

/// `GET …/history`: every revision, with links to view and roll back, and the form comparing
/// two revisions.
pub async fn history(s: &Session, ns: &str, name: &str) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let hist = match client.history(name, Some(ns)).await {
        Ok(h) => h,
        Err(e) => return failed(s, &e),
    };
    let base = release_path(ns, name);
    let latest = hist.iter().map(|r| r.version).max().unwrap_or(0);
    let rows: Vec<Vec<String>> = hist
        .iter()
        .rev()
        .map(|r| {
            let info = r.info.clone().unwrap_or_default();
            let v = r.version;
            let mut actions = format!(
                "<a href=\"{base}?revision={v}\">view</a> · <a href=\"{base}/manifest?revision={v}\">manifest</a>"
            );
            if v > 1 {
                let _ = write!(
                    actions,
                    " · <a href=\"{base}/diff?from={}&amp;to={v}\">diff with {}</a>",
                    v - 1,
                    v - 1
                );
            }
            if v != latest {
                let _ = write!(
                    actions,
                    " · <a class=\"rollback-link\" id=\"rollback-{v}\" href=\"{base}/rollback?revision={v}\">roll back to {v}</a>"
                );
            }
            vec![
                v.to_string(),
                esc(&when(&info.last_deployed)),
                status_badge(r.status().as_str()),
                esc(&chart_of(r)),
                esc(r.app_version()),
                esc(&info.description),
                actions,
            ]
        })
        .collect();
    let options = |selected: i64| {
        hist.iter()
            .rev()
            .map(|r| {
                format!(
                    "<option value=\"{0}\"{1}>{0}</option>",
                    r.version,
                    if r.version == selected {
                        " selected"
                    } else {
                        ""
                    }
                )
            })
            .collect::<String>()
    };
    let body = format!(
        "{}{}<h2>Compare two revisions</h2><form class=\"card\" id=\"diff-form\" method=\"get\" action=\"{base}/diff\">\
         From <select name=\"from\" id=\"diff-from\">{}</select> to <select name=\"to\" id=\"diff-to\">{}</select> \
         <label style=\"display:inline\"><input type=\"checkbox\" name=\"secrets\" value=\"show\"> show secrets</label> \
         <button type=\"submit\" id=\"diff-submit\">Compare</button></form>",
        tabs(ns, name, "history"),
        table(
            "history",
            &[
                "Revision",
                "Updated",
                "Status",
                "Chart",
                "App version",
                "Description",
                ""
            ],
            &rows
        ),
        options((latest - 1).max(1)),
        options(latest),
    );
    s.page(200, &format!("History of {name}"), &body)
}

/// `GET …/diff?from=A&to=B[&secrets=show]`: the manifests and values of two revisions
/// compared (by default the latest against the one before it).
pub async fn diff(
    s: &Session,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let num = |k: &str| {
        q.get(k)
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|v| *v > 0)
    };
    let to = match num("to") {
        Some(v) => client.get_release(name, Some(ns), v).await,
        None => client.get_release(name, Some(ns), 0).await,
    };
    let to = match to {
        Ok(r) => r,
        Err(e) => return failed(s, &e),
    };
    let from_v = num("from").unwrap_or((to.version - 1).max(1));
    let from = match client.get_release(name, Some(ns), from_v).await {
        Ok(r) => r,
        Err(e) => return failed(s, &e),
    };
    let show = show_secrets(q);
    let body = match diff::revisions_plan(&from, &to, show) {
        Ok(p) => diff::plan_html(&p, "manifest-diff"),
        Err(e) => html::error_card(422, &e),
    };
    let values =
        match diff::text_change("values", &diff::values_yaml(&from), &diff::values_yaml(&to)) {
            Some(c) => diff::change_html(&c),
            None => "<p>No changes.</p>".into(),
        };
    let base = release_path(ns, name);
    let toggle = if show {
        format!(
            "<a id=\"secrets-toggle\" href=\"{base}/diff?from={}&amp;to={}\">hide secrets</a>",
            from.version, to.version
        )
    } else {
        format!(
            "<a id=\"secrets-toggle\" href=\"{base}/diff?from={}&amp;to={}&amp;secrets=show\">show secrets</a>",
            from.version, to.version
        )
    };
    let page = format!(
        "{}<p>Revision <b id=\"diff-from-rev\">{}</b> → <b id=\"diff-to-rev\">{}</b> · Secret values {} · {toggle}</p>\
         <h2>Manifest</h2><div class=\"card\">{body}</div><h2>Values</h2><div class=\"card\" id=\"values-diff\">{values}</div>",
        tabs(ns, name, "diff"),
        from.version,
        to.version,
        if show { "shown" } else { "masked" },
    );
    s.page(200, &format!("Diff of {name}"), &page)
}

/// `GET …/manifest[?revision=N][&secrets=show]`: the manifest and hooks, Secrets masked
/// unless asked.
pub async fn manifest(
    s: &Session,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let rel = match client.get_release(name, Some(ns), revision_of(q)).await {
        Ok(r) => r,
        Err(e) => return failed(s, &e),
    };
    let show = show_secrets(q);
    let text = helm_core::release::plan::release_text(&rel, true);
    let text = if show {
        text
    } else {
        diff::mask_secrets(&text)
    };
    let base = release_path(ns, name);
    let toggle = format!(
        "<a id=\"secrets-toggle\" href=\"{base}/manifest?revision={}{}\">{}</a>",
        rel.version,
        if show { "" } else { "&amp;secrets=show" },
        if show { "hide secrets" } else { "show secrets" }
    );
    let body = format!(
        "{}<p>Revision {} · Secret values {} · {toggle}</p><pre id=\"manifest\">{}</pre>",
        tabs(ns, name, "manifest"),
        rel.version,
        if show { "shown" } else { "masked" },
        esc(&text)
    );
    s.page(200, &format!("Manifest of {name}"), &body)
}

/// `GET …/values[?revision=N][&all=1]`: the user-supplied values (or all, computed).
pub async fn values(
    s: &Session,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> Response<Body> {
    let client = match client(s, ns, Some(name)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let all = matches!(q.get("all").map(String::as_str), Some("1" | "true"));
    let revision = revision_of(q);
    let v = match client.get_values(name, Some(ns), revision, all).await {
        Ok(v) => v,
        Err(e) => return failed(s, &e),
    };
    let text = helm_core::values::yaml::to_string(&v).unwrap_or_else(|e| e.to_string());
    let base = release_path(ns, name);
    let body = format!(
        "{}<p>{} · <a href=\"{base}/values{}\">{}</a></p><pre id=\"values\">{}</pre>",
        tabs(ns, name, "values"),
        if all {
            "All values (computed)"
        } else {
            "User-supplied values"
        },
        if all { "" } else { "?all=1" },
        if all {
            "user-supplied only"
        } else {
            "all (computed)"
        },
        esc(&text)
    );
    s.page(200, &format!("Values of {name}"), &body)
}
