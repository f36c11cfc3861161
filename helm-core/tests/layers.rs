//! helm-core's top-level modules form a bottom-up, acyclic layering, and this test keeps it so.
//!
//! Why a test: a module cycle is invisible to the compiler, and once `values` reaches into
//! `chart` (or `render` into `release`) nothing stops the next edge; the layers stop being
//! readable or reusable on their own. This reads the sources, collects every `crate::<module>`
//! path each top-level module mentions (in `use` lines, `use crate::{a, b}` groups and code,
//! skipping comments, strings and character literals), and fails on a cycle (printed) or on any
//! edge that does not point to a lower layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// helm-core's layers, bottom up: a module may only use modules in lower layers (and the
/// helpers). Modules in one layer are independent of each other.
const LAYERS: &[&[&str]] = &[
    // The data model (Go's Value/Map) and its YAML/JSON formats.
    &["values"],
    // Ports of the Go libraries Helm's output depends on: strconv, fmt, time, regexp, semver.
    &["gocompat"],
    // `--set` parsing; the template engine and its functions (unaware of charts).
    &["strvals", "template"],
    // Charts: Chart.yaml, loading, packaging.
    &["chart"],
    // Values rules that need a chart: coalescing, dependency processing, schema.
    &["chart_values"],
    // A chart and values rendered into manifests as `helm template` does.
    &["render"],
    // Users of rendering and charts: lint, repositories, stored releases.
    &["lint", "release", "repo"],
];

/// Small helpers any module may use.
const HELPERS: &[&str] = &["halves", "testgen"];

/// Removes comments (line, doc and nested block comments), string literals (plain, byte and
/// raw) and character literals, keeping everything else, so that only code paths remain.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if (c == b'r' || (c == b'b' && b.get(i + 1) == Some(&b'r')))
            && (i == 0 || !ident(b[i - 1]))
            && {
                let j = if c == b'b' { i + 2 } else { i + 1 };
                let mut k = j;
                while b.get(k) == Some(&b'#') {
                    k += 1;
                }
                b.get(k) == Some(&b'"')
            }
        {
            // A raw string: r"..." or r#"..."# (closing quote followed by as many #).
            let mut k = if c == b'b' { i + 2 } else { i + 1 };
            let mut hashes = 0;
            while b[k] == b'#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            loop {
                if k >= b.len() {
                    break;
                }
                if b[k] == b'"' && (0..hashes).all(|h| b.get(k + 1 + h) == Some(&b'#')) {
                    k += 1 + hashes;
                    break;
                }
                k += 1;
            }
            i = k;
            out.push_str("\"\"");
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' {
            // A character literal ('x', '\n', '\u{..}', 'é'), else a lifetime or label.
            let rest = &src[i + 1..];
            let mut chars = rest.char_indices();
            match chars.next() {
                Some((_, '\\')) => {
                    let end = rest
                        .get(2..)
                        .and_then(|r| r.find('\''))
                        .map(|p| p + 3)
                        .unwrap_or(rest.len());
                    i += 1 + end;
                    out.push_str("' '");
                }
                Some((_, ch)) if rest[ch.len_utf8()..].starts_with('\'') => {
                    i += 1 + ch.len_utf8() + 1;
                    out.push_str("' '");
                }
                _ => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = src[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The top-level module a source file belongs to (`render/api.rs` → `render`, `halves.rs` →
/// `halves`); `None` for the crate root.
fn module_of(rel: &str) -> Option<String> {
    let rel = rel.replace('\\', "/");
    match rel.split_once('/') {
        Some((dir, _)) => Some(dir.to_string()),
        None => {
            let stem = rel.strip_suffix(".rs").unwrap_or(&rel);
            (stem != "lib" && stem != "main").then(|| stem.to_string())
        }
    }
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path component of each item of a `{a::X, b, c::{d, e}}` group (the text after
/// its `{`), up to the matching `}`.
fn group_heads(s: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_item = true;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item = true,
            c if c.is_whitespace() => {}
            _ if at_item && depth == 0 => {
                heads.push(ident_at(&s[i..]).to_string());
                at_item = false;
            }
            _ => {}
        }
    }
    heads
}

/// Every name that follows `crate::` (or `$crate::`) in the code of `src`, groups expanded.
fn crate_paths(src: &str) -> BTreeSet<String> {
    let code = code_only(src);
    let mut found = BTreeSet::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("crate") {
        let at = from + p;
        from = at + 5;
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = code[from..].trim_start();
        let Some(rest) = rest.strip_prefix("::") else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            found.extend(group_heads(group));
        } else {
            found.insert(ident_at(rest).to_string());
        }
    }
    found
}

/// Module → the other top-level modules it uses, for sources given as (path under src, text).
fn module_graph(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = files.iter().filter_map(|(p, _)| module_of(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (path, text) in files {
        let Some(m) = module_of(path) else { continue };
        for dep in crate_paths(text) {
            if dep != m && modules.contains(&dep) {
                graph.get_mut(&m).map(|s| s.insert(dep));
            }
        }
    }
    graph
}

/// A cycle in the graph as `a -> b -> a`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    fn visit<'a>(
        n: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<String> {
        state.insert(n, 1);
        stack.push(n);
        for d in graph.get(n).into_iter().flatten() {
            match state.get(d.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|s| *s == d).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[start..].to_vec();
                    cycle.push(d);
                    return Some(cycle.join(" -> "));
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(d, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if !state.contains_key(n.as_str()) {
            if let Some(c) = visit(n, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

/// Edges that break the layering (`from -> to`), and modules missing from the layer list.
fn layering_problems(
    graph: &BTreeMap<String, BTreeSet<String>>,
    layers: &[&[&str]],
    helpers: &[&str],
) -> Vec<String> {
    let layer_of = |m: &str| layers.iter().position(|l| l.contains(&m));
    let mut problems = Vec::new();
    for (m, deps) in graph {
        if helpers.contains(&m.as_str()) {
            continue;
        }
        let Some(lm) = layer_of(m) else {
            problems.push(format!("module `{m}` is in no layer: add it to LAYERS"));
            continue;
        };
        for d in deps {
            if helpers.contains(&d.as_str()) {
                continue;
            }
            match layer_of(d) {
                Some(ld) if ld < lm => {}
                Some(ld) => problems.push(format!(
                    "{m} (layer {lm}) -> {d} (layer {ld}): not a lower layer"
                )),
                None => problems.push(format!("{m} -> {d}: `{d}` is in no layer")),
            }
        }
    }
    problems
}

fn read_sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_sources(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p
                .strip_prefix(root)
                .expect("under src")
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read_to_string(&p).expect("read source")));
        }
    }
}

#[test]
fn helm_core_modules_are_layered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_sources(&root, &root, &mut files);
    let graph = module_graph(&files);
    assert!(
        graph.len() >= 8 && graph.values().any(|d| !d.is_empty()),
        "no modules or edges found: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle in helm-core: {cycle}\ngraph: {graph:#?}");
    }
    let problems = layering_problems(&graph, LAYERS, HELPERS);
    assert!(
        problems.is_empty(),
        "helm-core's layering is broken:\n{}\ngraph: {graph:#?}",
        problems.join("\n")
    );
}

fn synthetic(files: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    module_graph(
        &files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect::<Vec<_>>(),
    )
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn checker_reads_use_lines_groups_and_code() {
    let g = synthetic(&[
        (
            "lib.rs",
            "pub mod a; pub mod b; pub mod c; pub mod d; mod h;",
        ),
        (
            "a/mod.rs",
            "use crate::{b::X, c::{self, Y},\n    h};\nuse std::fmt;",
        ),
        (
            "a/deep/x.rs",
            "fn f() { let v = crate :: d::g(); let _ = $crate::a::z; }",
        ),
        (
            "b.rs",
            "use crate::c::Z; fn k<'a>(s: &'a str) -> char { '\\'' }",
        ),
        ("c.rs", ""),
        ("d.rs", "use crate::nosuchmodule::Q;"),
        ("h.rs", ""),
    ]);
    assert_eq!(g["a"], set(&["b", "c", "d", "h"]));
    assert_eq!(g["b"], set(&["c"]));
    assert_eq!(g["d"], set(&[]));
    assert!(!g.contains_key("lib"));
    assert_eq!(find_cycle(&g), None);
}

#[test]
fn checker_ignores_comments_strings_and_chars() {
    let g = synthetic(&[
        (
            "a.rs",
            concat!(
                "// use crate::b;\n",
                "/// [`crate::b::X`]\n",
                "//! crate::b\n",
                "/* crate::b /* nested */ crate::b */\n",
                "const S: &str = \"crate::b \\\" crate::b\";\n",
                "const R: &str = r#\"crate::b \" crate::b\"#;\n",
                "const C: char = '\"'; fn f() { crate::c::g() }\n",
            ),
        ),
        ("b.rs", ""),
        ("c.rs", ""),
    ]);
    assert_eq!(g["a"], set(&["c"]));
}

#[test]
fn checker_finds_a_cycle() {
    let g = synthetic(&[
        ("a/mod.rs", "use crate::b::X;"),
        ("b/mod.rs", "fn f() { crate::c::g() }"),
        ("c.rs", "use crate::{a};"),
    ]);
    let cycle = find_cycle(&g).expect("a cycle");
    assert_eq!(cycle, "a -> b -> c -> a");
}

#[test]
fn checker_flags_an_upward_edge_without_a_cycle() {
    let g = synthetic(&[
        ("low.rs", "use crate::high::X; use crate::h::y;"),
        ("high.rs", "use crate::h::y;"),
        ("h.rs", ""),
    ]);
    assert_eq!(find_cycle(&g), None);
    let problems = layering_problems(&g, &[&["low"], &["high"]], &["h"]);
    assert_eq!(
        problems,
        vec!["low (layer 0) -> high (layer 1): not a lower layer".to_string()]
    );
    assert!(
        layering_problems(&g, &[&["low", "high"]], &["h"]).len() == 1,
        "same layer is not lower"
    );
    assert!(layering_problems(&g, &[&["high"], &["low"]], &["h"]).is_empty());
    assert_eq!(
        layering_problems(&g, &[&["high"]], &["h"]),
        vec!["module `low` is in no layer: add it to LAYERS".to_string()]
    );
}
