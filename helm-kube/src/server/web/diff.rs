//! What the web view shows of manifests and values: the comparison of two revisions as a
//! coloured unified diff, and manifests with Secret values masked.
//!
//! The comparison is `helm-rs diff revision`'s: [`helm_core::release::plan`] pairs the objects
//! of the two manifests and masks Secrets the way the helm-diff plugin does (unless the page
//! asks to show them), so the web view and the command line report the same changes. A single
//! manifest shown as is gets its Secrets' `data`/`stringData` values replaced line by line
//! ([`mask_secrets`]) — Helm renders them as plain YAML, so the lines under those keys are the
//! values.

use super::html::esc;
use helm_core::release::plan::{
    self, Action, ChangeType, Delta, DiffLine, ObjectChange, ParseOptions, Plan, PlanOptions,
    SecretDisplay, TEST_HOOKS,
};
use helm_core::release::Release;
use std::fmt::Write as _;

/// Unchanged lines kept around each change.
const CONTEXT: usize = 3;

/// The plan between two revisions' manifests (`old` → `new`), Secrets masked unless `show`.
pub fn revisions_plan(old: &Release, new: &Release, show: bool) -> Result<Plan, String> {
    let parse = ParseOptions {
        default_namespace: new.namespace.clone(),
        normalize: false,
        excluded_hooks: TEST_HOOKS.iter().map(|s| s.to_string()).collect(),
    };
    let opts = PlanOptions {
        secrets: if show {
            SecretDisplay::Shown
        } else {
            SecretDisplay::Masked
        },
        ..Default::default()
    };
    plan::plan_manifests(
        &plan::release_text(old, false),
        &plan::release_text(new, false),
        &parse,
        &opts,
    )
    .map_err(|e| e.to_string())
}

/// A release's user-supplied values as YAML (`helm get values`).
pub fn values_yaml(rel: &Release) -> String {
    let v =
        helm_core::release::record::json_to_core(&serde_json::Value::Object(rel.config.clone()));
    match helm_core::values::yaml::to_string(&v) {
        Ok(s) if s.trim() == "{}" => String::new(),
        Ok(s) => s,
        Err(e) => format!("# values cannot be shown as YAML: {e}\n"),
    }
}

/// The line diff of two texts as one change (for values).
pub fn text_change(key: &str, old: &str, new: &str) -> Option<ObjectChange> {
    let lines = plan::diff_texts(old, new, false);
    if lines.iter().all(|l| l.delta == Delta::Common) {
        return None;
    }
    Some(ObjectChange {
        key: key.to_string(),
        kind: String::new(),
        action: Action::Modify,
        change: ChangeType::Modify,
        old: Some(old.to_string()),
        new: Some(new.to_string()),
        lines,
    })
}

fn line_html(out: &mut String, l: &DiffLine) {
    let (class, sign) = match l.delta {
        Delta::Added => ("ln add", "+ "),
        Delta::Removed => ("ln del", "- "),
        Delta::Common => ("ln", "  "),
    };
    // One block per line (the style sheet gives empty ones their height), so coloured lines
    // span the width and no extra line breaks appear between them.
    let _ = write!(out, "<span class=\"{class}\">{sign}{}</span>", esc(&l.text));
}

/// One change as a heading and its hunks.
pub fn change_html(c: &ObjectChange) -> String {
    let words = match c.change {
        ChangeType::Add => "has been added",
        ChangeType::Remove => "has been removed",
        ChangeType::Modify => "has changed",
        ChangeType::ModifySuppressed => "has changed (suppressed)",
    };
    let mut h = format!(
        "<div class=\"change {}\"><h3>{} {words}</h3><pre class=\"diff\">",
        c.change.as_str(),
        esc(&c.key)
    );
    for hunk in c.hunks(CONTEXT) {
        let _ = write!(
            h,
            "<span class=\"ln hunk\">@@ -{},{} +{},{} @@</span>",
            hunk.old_start, hunk.old_lines, hunk.new_start, hunk.new_lines
        );
        for l in &hunk.lines {
            line_html(&mut h, l);
        }
    }
    h.push_str("</pre></div>");
    h
}

/// A plan as HTML: a summary line and each change.
pub fn plan_html(p: &Plan, id: &str) -> String {
    let (add, change, destroy) = p.counts();
    let mut h = format!(
        "<div id=\"{}\"><p class=\"muted\">{add} to add, {change} to change, {destroy} to remove; {} unchanged.</p>",
        esc(id),
        p.unchanged.len()
    );
    if p.changes.is_empty() {
        h.push_str("<p>No changes.</p>");
    }
    for c in &p.changes {
        h.push_str(&change_html(c));
    }
    for n in &p.notes {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(n));
    }
    h.push_str("</div>");
    h
}

/// `manifest` with the values of every Secret's `data` and `stringData` replaced by
/// `REDACTED # (N bytes)` (block scalars and nested lines dropped).
pub fn mask_secrets(manifest: &str) -> String {
    let mut out = String::with_capacity(manifest.len());
    // Documents as Helm writes them: separated by `---` lines.
    let mut doc: Vec<&str> = Vec::new();
    let flush = |doc: &mut Vec<&str>, out: &mut String| {
        let is_secret = doc.iter().any(|l| {
            l.strip_prefix("kind:")
                .map(|k| k.trim().trim_matches(|c| c == '"' || c == '\'') == "Secret")
                .unwrap_or(false)
        });
        if is_secret {
            mask_document(doc, out);
        } else {
            for l in doc.iter() {
                out.push_str(l);
                out.push('\n');
            }
        }
        doc.clear();
    };
    for line in manifest.split('\n') {
        if line.trim_end() == "---" {
            flush(&mut doc, &mut out);
            out.push_str(line);
            out.push('\n');
        } else {
            doc.push(line);
        }
    }
    flush(&mut doc, &mut out);
    // `split` saw one more line than the text has line breaks.
    if !manifest.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

fn indent_of(l: &str) -> usize {
    l.len() - l.trim_start_matches(' ').len()
}

fn mask_document(doc: &[&str], out: &mut String) {
    let mut in_values: Option<(bool, Option<usize>)> = None; // (base64, key indent)
    for l in doc {
        let top = !l.is_empty() && !l.starts_with(' ') && !l.starts_with('#');
        if top {
            in_values = None;
            let key = l.split(':').next().unwrap_or("");
            if key == "data" || key == "stringData" {
                let rest = l[key.len() + 1..].trim();
                if rest.is_empty() || rest.starts_with('#') {
                    in_values = Some((key == "data", None));
                    let _ = writeln!(out, "{key}:");
                } else {
                    // A flow mapping on one line: nothing of it is shown.
                    let _ = writeln!(out, "{key}: REDACTED");
                }
                continue;
            }
            out.push_str(l);
            out.push('\n');
            continue;
        }
        let Some((base64, key_indent)) = &mut in_values else {
            out.push_str(l);
            out.push('\n');
            continue;
        };
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let ind = indent_of(l);
        let first = *key_indent.get_or_insert(ind);
        if ind != first {
            // A continuation of a block scalar or a nested value: part of the value.
            continue;
        }
        let body = l.trim_start();
        let Some((k, v)) = body.split_once(':') else {
            continue;
        };
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
        let size = if matches!(v, "|" | "|-" | ">" | ">-" | "") {
            None
        } else if *base64 {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(v)
                .ok()
                .map(|b| b.len())
        } else {
            Some(v.len())
        };
        match size {
            Some(n) => {
                let _ = writeln!(out, "{}{k}: REDACTED # ({n} bytes)", " ".repeat(ind));
            }
            None => {
                let _ = writeln!(out, "{}{k}: REDACTED", " ".repeat(ind));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_the_rest_kept() {
        let m = "---\n# Source: c/templates/s.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: c2VjcmV0\n  cert: |\n    LS0t\n    LS0t\nstringData:\n  token: \"hunter2\"\ntype: Opaque\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  password: visible\n";
        let out = mask_secrets(m);
        assert!(!out.contains("c2VjcmV0") && !out.contains("hunter2") && !out.contains("LS0t"));
        assert!(out.contains("  password: REDACTED # (6 bytes)"), "{out}");
        assert!(out.contains("  cert: REDACTED\n"));
        assert!(out.contains("  token: REDACTED # (7 bytes)"));
        assert!(out.contains("type: Opaque\n"));
        assert!(
            out.contains("  password: visible"),
            "ConfigMaps are shown: {out}"
        );
        assert!(out.contains("# Source: c/templates/s.yaml"));
        assert_eq!(
            mask_secrets("kind: Secret\ndata: {a: YQ==}"),
            "kind: Secret\ndata: REDACTED"
        );
    }

    #[test]
    fn diffs_render_escaped_and_coloured() {
        let c = text_change("values", "a: 1\nb: <x>\n", "a: 2\nb: <x>\n").expect("change");
        let h = change_html(&c);
        assert!(h.contains("<span class=\"ln del\">- a: 1</span>"), "{h}");
        assert!(h.contains("<span class=\"ln add\">+ a: 2</span>"));
        assert!(h.contains("b: &lt;x&gt;") && h.contains("@@ -1,3 +1,3 @@"));
        assert!(text_change("v", "a", "a").is_none());
    }
}
