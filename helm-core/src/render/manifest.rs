//! Rendered files → Kubernetes documents: splitting, hook detection, install-order sorting.
//!
//! Mirrors Helm's `pkg/release/v1/util` (`SplitManifests`, `SortManifests`, `InstallOrder`),
//! because `helm template` prints documents in exactly the order this produces: files by path,
//! documents in file order, then a *stable* sort by kind. Hooks (documents annotated
//! `helm.sh/hook`) are set apart and printed after the manifests; documents with unknown hook
//! types are dropped (Helm only logs them).

use crate::gocompat::regexp::is_go_space;
use crate::values::{yaml, Value};
use std::collections::BTreeMap;

/// Helm's `InstallOrder`: kinds listed earlier are installed (and printed) first; unknown kinds
/// go last, sorted by kind name.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The annotation that makes a document a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The hook weight annotation (an integer; anything else counts as 0).
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The hook delete policy annotation (comma list).
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";

/// The pieces of `s` between matches of Helm's document separator
/// `(?:^|\s*\n)---\s*` (leftmost-first, as Go's `Regexp.Split`).
///
/// By hand rather than with a regex: compiling the pattern cost ~0.5 ms, paid by every
/// `helm-rs template` run. A match is `---` at the very start, or a run of whitespace that
/// ends in a newline directly before `---`; either way it takes the whitespace after `---`.
/// It deliberately also splits `---foo` (Helm documents this wart; charts rely on it).
fn split_on_separators(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let skip_space = |mut e: usize| {
        while e < b.len() && is_go_space(b[e]) {
            e += 1;
        }
        e
    };
    let mut pieces = Vec::new();
    let mut last = 0;
    if b.starts_with(b"---") {
        pieces.push("");
        last = skip_space(3);
    }
    let mut from = last;
    // Each newline directly followed by `---` ends a match; the match starts where the
    // whitespace run before that newline does (not before the search position).
    while let Some(q) = b[from..]
        .windows(4)
        .position(|w| w == b"\n---")
        .map(|i| i + from)
    {
        let mut start = q;
        while start > from && is_go_space(b[start - 1]) {
            start -= 1;
        }
        pieces.push(&s[last..start]);
        last = skip_space(q + 4);
        from = last;
    }
    pieces.push(&s[last..]);
    pieces
}

/// Splits a rendered file into its YAML documents (Helm's `SplitManifests`), in file order,
/// each trimmed; empty pieces are dropped.
pub fn split_manifests(big: &str) -> Vec<String> {
    split_on_separators(big.trim())
        .into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_string())
        .collect()
}

/// The head of a document, as Helm decodes it into `SimpleHead`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimpleHead {
    pub api_version: String,
    pub kind: String,
    /// `metadata`, when present.
    pub metadata: Option<HeadMetadata>,
}

/// `metadata.name` and `metadata.annotations` of a document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeadMetadata {
    pub name: String,
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Go's JSON type name for a value in `cannot unmarshal X into ...` errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::String(_) => "string",
        Value::Nil => "null",
        _ => "number",
    }
}

fn unmarshal_err(found: &Value, field: &str, ty: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {} of type {}",
        json_kind(found),
        field,
        ty
    )
}

/// A string field of the head. sigs.k8s.io/yaml converts YAML scalars to strings when the Go
/// target is a string (so `name: n`, a YAML 1.1 bool, is the string "false"); null leaves it
/// empty; only lists and maps fail, as in Go's JSON decoding.
fn head_string(v: Option<Value>, field: &str) -> Result<String, String> {
    match v {
        None | Some(Value::Nil) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(v @ (Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_))) => {
            Ok(crate::gocompat::fmt::format_v(&v))
        }
        Some(other) => Err(unmarshal_err(&other, field, "string")),
    }
}

/// Decodes a document's head as `sigs.k8s.io/yaml.Unmarshal` into `SimpleHead` would.
/// The `Err` string is the text after `YAML parse error on FILE: `.
pub fn parse_head(doc: &str) -> Result<SimpleHead, String> {
    // Raw bytes of a binary file written into the manifest: go-yaml's reader refuses them.
    if let Some(problem) = crate::gocompat::gostring::yaml_reader_error(doc) {
        return Err(format!("error converting YAML to JSON: yaml: {problem}"));
    }
    // The reader's messages already carry sigs.k8s.io/yaml's "error converting YAML to JSON: ".
    // Only the head's keys are built as values; the rest is checked as a whole decode would.
    let v = yaml::from_str_keys(doc, &["apiVersion", "kind", "metadata"]).map_err(|e| {
        if e.message.starts_with("error converting YAML to JSON: ") {
            e.message
        } else {
            format!("error converting YAML to JSON: {e}")
        }
    })?;
    let m = match v {
        Value::Nil => return Ok(SimpleHead::default()),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type util.SimpleHead",
                json_kind(&other)
            ))
        }
    };
    let mut head = SimpleHead {
        api_version: head_string(m.get("apiVersion"), "SimpleHead.apiVersion")?,
        kind: head_string(m.get("kind"), "SimpleHead.kind")?,
        metadata: None,
    };
    match m.get("metadata") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(md)) => {
            let name = head_string(md.get("name"), "SimpleHead.metadata.name")?;
            let annotations = match md.get("annotations") {
                None | Some(Value::Nil) => None,
                Some(Value::Map(a)) => {
                    let mut out = BTreeMap::new();
                    for (k, v) in a.entries() {
                        let field = "SimpleHead.metadata.annotations";
                        out.insert(k.to_string(), head_string(Some(v), field)?);
                    }
                    Some(out)
                }
                Some(other) => {
                    return Err(unmarshal_err(&other, "SimpleHead.metadata.annotations", "map[string]string"))
                }
            };
            head.metadata = Some(HeadMetadata { name, annotations });
        }
        Some(other) => {
            return Err(unmarshal_err(&other, "SimpleHead.metadata", "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }"))
        }
    }
    Ok(head)
}

/// A non-hook document with the template file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The template path, e.g. `mychart/templates/deployment.yaml`.
    pub name: String,
    pub content: String,
    pub head: SimpleHead,
}

/// The lifecycle events a hook can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookEvent {
    PreInstall,
    PostInstall,
    PreDelete,
    PostDelete,
    PreUpgrade,
    PostUpgrade,
    PreRollback,
    PostRollback,
    Test,
}

impl HookEvent {
    /// Helm's event names (`test-success` is Helm 2's name for `test`).
    pub fn parse(s: &str) -> Option<HookEvent> {
        Some(match s {
            "pre-install" => HookEvent::PreInstall,
            "post-install" => HookEvent::PostInstall,
            "pre-delete" => HookEvent::PreDelete,
            "post-delete" => HookEvent::PostDelete,
            "pre-upgrade" => HookEvent::PreUpgrade,
            "post-upgrade" => HookEvent::PostUpgrade,
            "pre-rollback" => HookEvent::PreRollback,
            "post-rollback" => HookEvent::PostRollback,
            "test" | "test-success" => HookEvent::Test,
            _ => return None,
        })
    }
}

/// A hook document.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    pub name: String,
    pub kind: String,
    /// The template path it came from.
    pub path: String,
    pub manifest: String,
    pub events: Vec<HookEvent>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
}

impl Hook {
    /// Whether this is a test hook (`--skip-tests` drops these).
    pub fn is_test(&self) -> bool {
        self.events.contains(&HookEvent::Test)
    }
}

/// What [`sort_manifests`] produces.
#[derive(Clone, Debug, Default)]
pub struct Sorted {
    pub hooks: Vec<Hook>,
    pub manifests: Vec<Manifest>,
    /// Informational messages Helm logs (`skipping unknown hooks`).
    pub log: Vec<String>,
}

/// An error from [`sort_manifests`]: a document whose head does not decode.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("YAML parse error on {path}: {message}")]
pub struct ManifestError {
    pub path: String,
    pub message: String,
    /// Every rendered file as `---\n# Source: NAME\nCONTENT\n` (blank ones left out): what
    /// Helm keeps as the release's manifest when a document does not parse, and prints with
    /// `--debug` so that the invalid YAML can be seen. Filled by the renderer.
    pub rendered: String,
}

/// Go's `strconv.Atoi` (optional sign, decimal digits, fits in 64 bits).
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// [`parse_head`] of every document, in order; large outputs on two threads (each document's
/// head is independent, and decoding them is a tenth of a large chart's render).
fn parse_heads(docs: &[(&String, String)]) -> Vec<Result<SimpleHead, String>> {
    let total: usize = docs.iter().map(|(_, d)| d.len()).sum();
    let heads =
        |part: &[(&String, String)]| part.iter().map(|(_, d)| parse_head(d)).collect::<Vec<_>>();
    if total < 256 * 1024 {
        return heads(docs);
    }
    let (mut first, second) = crate::halves::on_two_threads(docs, |(_, d)| d.len(), heads);
    first.extend(second);
    first
}

/// Helm's `SortManifests`: files in path order (partials and blank files skipped), documents in
/// file order, split into hooks and manifests, each stably sorted by `ordering`.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    ordering: &[&str],
) -> Result<Sorted, ManifestError> {
    let mut out = Sorted::default();
    let mut docs: Vec<(&String, String)> = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        docs.extend(split_manifests(content).into_iter().map(|d| (path, d)));
    }
    let heads = parse_heads(&docs);
    for ((path, doc), head) in docs.into_iter().zip(heads) {
        {
            let head = head.map_err(|message| ManifestError {
                path: path.clone(),
                message,
                rendered: String::new(),
            })?;
            let annotations = head.metadata.as_ref().and_then(|m| m.annotations.as_ref());
            let hook_types = annotations.and_then(|a| a.get(HOOK_ANNOTATION)).cloned();
            let Some(hook_types) = hook_types else {
                out.manifests.push(Manifest {
                    name: path.clone(),
                    content: doc,
                    head,
                });
                continue;
            };
            let annotations = annotations.cloned().unwrap_or_default();
            let mut events = Vec::new();
            let mut unknown = false;
            for t in hook_types.split(',') {
                match HookEvent::parse(&t.trim().to_lowercase()) {
                    Some(e) => events.push(e),
                    None => {
                        unknown = true;
                        break;
                    }
                }
            }
            if unknown {
                out.log.push(format!(
                    "level=INFO msg=\"skipping unknown hooks\" hookTypes={hook_types}"
                ));
                continue;
            }
            let weight = annotations
                .get(HOOK_WEIGHT_ANNOTATION)
                .and_then(|w| atoi(w))
                .unwrap_or(0);
            let delete_policies = annotations
                .get(HOOK_DELETE_ANNOTATION)
                .map(|d| d.split(',').map(|p| p.trim().to_lowercase()).collect())
                .unwrap_or_default();
            out.hooks.push(Hook {
                name: head
                    .metadata
                    .as_ref()
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                kind: head.kind.clone(),
                path: path.clone(),
                manifest: doc,
                events,
                weight,
                delete_policies,
            });
        }
    }
    let order: BTreeMap<&str, usize> = ordering.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    out.manifests
        .sort_by(|a, b| kind_cmp(&a.head.kind, &b.head.kind, &order));
    out.hooks.sort_by(|a, b| kind_cmp(&a.kind, &b.kind, &order));
    Ok(out)
}

/// Helm's `lessByKind` as a total order for a stable sort: known kinds by position, unknown
/// kinds after them in name order.
fn kind_cmp(a: &str, b: &str, order: &BTreeMap<&str, usize>) -> std::cmp::Ordering {
    match (order.get(a), order.get(b)) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The separator split by hand agrees with Helm's regular expression on generated texts
    /// made of the characters that matter (whitespace, newlines, dashes, letters).
    #[test]
    fn separator_split_matches_helms_regex() {
        let re = regex::Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").unwrap();
        let alphabet = [
            "-", "-", "---", "\n", " ", "\t", "\r", "a", "é", "\x0C", "\u{a0}",
        ];
        for text in crate::testgen::texts(0x9E3779B97F4A7C15, 20_000, &alphabet, 14) {
            let expect: Vec<&str> = re.split(&text).collect();
            assert_eq!(split_on_separators(&text), expect, "{text:?}");
        }
        for text in [
            "---",
            "---\n---",
            "a\n---b",
            "a \n \n---\n\nb",
            "\n---",
            "x---\n---y",
        ] {
            let expect: Vec<&str> = re.split(text).collect();
            assert_eq!(split_on_separators(text), expect, "{text:?}");
        }
    }

    #[test]
    fn split_like_helm() {
        assert_eq!(split_manifests("a: 1\n---\nb: 2\n"), vec!["a: 1", "b: 2"]);
        // Checked with Go's regexp: the whitespace after one separator swallows the newline
        // the next one needs, so that `---` stays in the document.
        assert_eq!(
            split_manifests("---\na: 1\n  \n---   \n\n---\nb: 2\n\n\n"),
            vec!["a: 1", "---\nb: 2"]
        );
        assert_eq!(
            split_manifests("---\na: 1\n---\n---\nb: 2\n"),
            vec!["a: 1", "---\nb: 2"]
        );
        // Helm's wart: `---foo` splits too.
        assert_eq!(
            split_manifests("a: 1\n---apiVersion: v1"),
            vec!["a: 1", "apiVersion: v1"]
        );
        // `---` not at line start is content.
        assert_eq!(split_manifests("a: x---y"), vec!["a: x---y"]);
        assert!(split_manifests("  \n").is_empty());
    }

    #[test]
    fn unknown_kinds_last_and_alphabetical() {
        let order: BTreeMap<&str, usize> = INSTALL_ORDER
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i))
            .collect();
        let mut kinds = vec!["Zed", "Deployment", "Alpha", "Namespace", "Service"];
        kinds.sort_by(|a, b| kind_cmp(a, b, &order));
        assert_eq!(
            kinds,
            vec!["Namespace", "Service", "Deployment", "Alpha", "Zed"]
        );
    }

    #[test]
    fn head_scalars_become_strings() {
        // Helm 4.1.4 renders `metadata: {name: n}` (a YAML 1.1 bool) without complaint, and a
        // numeric hook weight is read as its text.
        let h = parse_head(
            "kind: Job\nmetadata:\n  name: n\n  annotations:\n    helm.sh/hook-weight: 5\n",
        );
        let h = h.unwrap_or_default();
        assert_eq!(h.kind, "Job");
        let md = h.metadata.unwrap_or_default();
        assert_eq!(md.name, "false");
        assert_eq!(
            md.annotations
                .unwrap_or_default()
                .get(HOOK_WEIGHT_ANNOTATION)
                .map(String::as_str),
            Some("5")
        );
        assert!(parse_head("kind: [a]\n").is_err());
        assert!(parse_head("- a\n").is_err());
    }

    #[test]
    fn atoi_like_go() {
        assert_eq!(atoi("-5"), Some(-5));
        assert_eq!(atoi("+3"), Some(3));
        assert_eq!(atoi("3.0"), None);
        assert_eq!(atoi(""), None);
        assert_eq!(atoi(" 1"), None);
    }
}
