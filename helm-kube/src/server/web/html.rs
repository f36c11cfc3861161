//! HTML building for the web view: escaping, the page frame, the style sheet and the small
//! pieces every page uses (status badges, tables, error pages).
//!
//! Pages are Rust strings, not templates of an engine: the view is a handful of pages, and
//! building them with [`esc`] at every place a value enters keeps the escaping visible where
//! it happens. Everything a page needs (CSS, the little script of the operation page) is
//! inline, so the server serves no other files and needs no network.

use std::fmt::Write as _;

/// `s` escaped for HTML text and for attribute values in double or single quotes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` percent-encoded for one path segment or query value (everything but unreserved
/// characters).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The style sheet of every page.
pub const CSS: &str = r#"
:root { --fg:#1d2430; --muted:#5b6575; --line:#d8dde5; --bg:#f5f7fa; --card:#fff; --accent:#0f62c8; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { background:#0f1e35; color:#fff; padding:10px 24px; display:flex; align-items:center; gap:24px; }
header a { color:#fff; text-decoration:none; }
header .brand { font-weight:700; font-size:16px; }
header .who { margin-left:auto; color:#c9d4e5; font-size:13px; }
header form { margin:0; }
main { padding:20px 24px; max-width:1280px; }
h1 { font-size:20px; margin:0 0 12px; }
h2 { font-size:16px; margin:20px 0 8px; }
a { color:var(--accent); }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:14px 16px; margin-bottom:16px; }
table { border-collapse:collapse; width:100%; background:var(--card); }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f5; font-weight:600; font-size:13px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:#6b7280; white-space:nowrap; }
.badge.deployed, .badge.ok { background:#1f883d; }
.badge.failed, .badge.bad { background:#cf222e; }
.badge.pending-install, .badge.pending-upgrade, .badge.pending-rollback, .badge.uninstalling, .badge.wait { background:#bf8700; }
.badge.superseded { background:#8c959f; }
.badge.uninstalled { background:#57606a; }
.tabs { display:flex; gap:4px; margin:0 0 14px; border-bottom:1px solid var(--line); }
.tabs a { padding:6px 12px; text-decoration:none; border:1px solid transparent; border-bottom:none; border-radius:6px 6px 0 0; color:var(--muted); }
.tabs a.on { background:var(--card); border-color:var(--line); color:var(--fg); margin-bottom:-1px; }
dl.kv { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:0; }
dl.kv dt { color:var(--muted); }
dl.kv dd { margin:0; }
pre { background:#0f1724; color:#e6edf3; padding:10px 12px; border-radius:6px; overflow:auto; font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; margin:0; }
pre.diff { background:#fbfcfd; color:var(--fg); border:1px solid var(--line); }
pre.diff .ln { display:block; min-height:1.45em; }
pre.diff .add { background:#dafbe1; color:#116329; }
pre.diff .del { background:#ffebe9; color:#a40e26; }
pre.diff .hunk { color:#8250df; }
.change { margin-bottom:12px; }
.change h3 { font-size:13px; margin:0 0 4px; font-family:ui-monospace,monospace; }
.change.ADD h3 { color:#116329; } .change.REMOVE h3 { color:#a40e26; } .change.MODIFY h3 { color:#9a6700; }
.error { border-left:4px solid #cf222e; }
.error pre { background:#fff5f5; color:#82071e; border:1px solid #ffcecb; white-space:pre-wrap; }
.notice { border-left:4px solid #bf8700; }
.muted { color:var(--muted); }
form.inline { display:inline; margin:0; }
button, .button { font:inherit; padding:5px 12px; border-radius:6px; border:1px solid #b7bfcc; background:#f6f8fa; cursor:pointer; color:var(--fg); text-decoration:none; display:inline-block; }
button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
button.danger { background:#cf222e; color:#fff; border-color:#cf222e; }
input[type=text], input[type=password], input[type=number], select, textarea { font:inherit; padding:5px 8px; border:1px solid #b7bfcc; border-radius:6px; background:#fff; }
textarea { width:100%; font-family:ui-monospace,monospace; font-size:12.5px; }
label { display:block; margin:8px 0 4px; font-weight:600; }
ol.feed { list-style:none; padding:0; margin:0; font:12.5px/1.6 ui-monospace,monospace; }
ol.feed li { padding:2px 6px; border-bottom:1px solid #eef1f5; }
ol.feed .phase { display:inline-block; min-width:80px; font-weight:700; }
ol.feed li.done .phase { color:#1f883d; } ol.feed li.failed .phase { color:#cf222e; }
.login { max-width:520px; margin:40px auto; }
"#;

/// What the frame shows about the signed-in caller.
pub struct Frame<'a> {
    /// Who signed in (display only), `None` on the sign-in page.
    pub who: Option<&'a str>,
    /// The CSRF token for the sign-out form.
    pub csrf: Option<&'a str>,
}

/// A whole page: `title`, the header (with sign-out when signed in) and `body`.
pub fn page(title: &str, frame: &Frame, body: &str) -> String {
    let mut h = String::with_capacity(body.len() + CSS.len() + 1024);
    h.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(h, "<title>{} · helm-rs</title>", esc(title));
    let _ = write!(h, "<style>{CSS}</style></head><body><header>");
    h.push_str("<a class=\"brand\" href=\"/ui/releases\">⎈ helm-rs</a>");
    if frame.csrf.is_some() {
        h.push_str("<a href=\"/ui/releases\">Releases</a>");
    }
    if let (Some(who), Some(csrf)) = (frame.who, frame.csrf) {
        let _ = write!(
            h,
            "<span class=\"who\" id=\"who\">{}</span><form method=\"post\" action=\"/ui/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button id=\"signout\" type=\"submit\">Sign out</button></form>",
            esc(who),
            esc(csrf)
        );
    }
    let _ = writeln!(h, "</header><main>{body}</main></body></html>");
    h
}

/// A coloured badge for a release status (`deployed`, `failed`, `pending-*`, …).
pub fn status_badge(status: &str) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        esc(status),
        esc(status)
    )
}

/// An error card: the HTTP status and the message as Kubernetes (or the server) said it.
pub fn error_card(status: u16, message: &str) -> String {
    let what = match status {
        401 => "Not signed in, or the token was refused (401)",
        403 => "Forbidden (403): Kubernetes refused this to your token",
        404 => "Not found (404)",
        409 => "Conflict (409)",
        429 => "Too many requests (429)",
        s if s >= 500 => "Server error",
        _ => "Request refused",
    };
    format!(
        "<div class=\"card error\" id=\"error\"><h1>{}</h1><p class=\"muted\">HTTP {status}</p><pre id=\"error-message\">{}</pre></div>",
        esc(what),
        esc(message)
    )
}

/// A table of `head` columns and `rows` of already-escaped cells.
pub fn table(id: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut h = format!("<table id=\"{}\"><thead><tr>", esc(id));
    for c in head {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead><tbody>");
    for r in rows {
        h.push_str("<tr>");
        for c in r {
            let _ = write!(h, "<td>{c}</td>");
        }
        h.push_str("</tr>");
    }
    if rows.is_empty() {
        let _ = write!(
            h,
            "<tr><td colspan=\"{}\" class=\"muted\">none</td></tr>",
            head.len().max(1)
        );
    }
    h.push_str("</tbody></table>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(enc("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(enc("web-1.x_y~"), "web-1.x_y~");
        let p = page(
            "<t>",
            &Frame {
                who: Some("<u>"),
                csrf: Some("c\""),
            },
            "<p>b</p>",
        );
        assert!(p.contains("<title>&lt;t&gt; · helm-rs</title>"));
        assert!(p.contains("&lt;u&gt;") && p.contains("value=\"c&quot;\""));
        assert!(!p.contains("<u>"));
        assert!(table("t", &["A"], &[]).contains("none"));
        assert!(error_card(403, "<x>").contains("&lt;x&gt;"));
    }
}
