//! Parse trees kept across engines in one process, so that a program rendering the same chart
//! again (a server, a Python or Node caller, a release upgraded and diffed) parses each
//! template text once.
//!
//! Parsing is a pure function of the file name, the text and the function table (names are
//! resolved to the table's functions), so a tree is reused exactly when all three are equal:
//! the table by [`FuncTable::id`](super::funcs::FuncTable::id), the name and the text by
//! content. Only successful parses are kept. A render that parses without a cache pays for
//! the parse and again for freeing the trees, about equal to executing them on
//! kube-prometheus-stack.
//!
//! The cache is bounded by the total bytes of the texts it holds ([`set_limit`]; the trees
//! take a few times that); when a new text would pass the bound, everything is dropped and
//! filling starts again, which keeps the bound without bookkeeping on the hot path.

use super::ast::Tree;
use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

/// The default bound on the cached texts' total size.
pub const DEFAULT_LIMIT: usize = 16 << 20;

static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_LIMIT);

/// Texts, each with the (function table id, file name, trees) it was parsed as.
#[derive(Default)]
struct Cache {
    by_text: FxHashMap<Arc<str>, Vec<(u64, Arc<str>, Arc<[Tree]>)>>,
    bytes: usize,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);

/// Sets the bound on the total bytes of cached template texts; 0 turns the cache off (and
/// empties it).
pub fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
    if bytes == 0 {
        clear();
    }
}

/// Drops every cached tree.
pub fn clear() {
    let mut c = CACHE.lock();
    c.by_text.clear();
    c.bytes = 0;
}

/// The trees of `text` parsed as `name` with the table `table`, if cached.
pub(crate) fn get(table: u64, name: &str, text: &str) -> Option<Arc<[Tree]>> {
    if LIMIT.load(Ordering::Relaxed) == 0 {
        return None;
    }
    let c = CACHE.lock();
    c.by_text
        .get(text)?
        .iter()
        .find(|(t, n, _)| *t == table && &**n == name)
        .map(|(_, _, trees)| trees.clone())
}

/// Keeps the trees of `text` parsed as `name` with the table `table`.
pub(crate) fn put(table: u64, name: &str, text: &str, trees: &[Tree]) {
    let limit = LIMIT.load(Ordering::Relaxed);
    if limit == 0 || text.len() > limit / 4 {
        return;
    }
    // The trees hold the text already: the key shares it.
    let key: Arc<str> = match trees.first() {
        Some(t) if &*t.source == text => t.source.clone(),
        _ => Arc::from(text),
    };
    let mut c = CACHE.lock();
    let as_parsed = (table, Arc::from(name), Arc::from(trees));
    if let Some(entries) = c.by_text.get_mut(text) {
        if !entries.iter().any(|(t, n, _)| *t == table && **n == *name) {
            entries.push(as_parsed);
        }
        return;
    }
    if c.bytes + text.len() > limit {
        c.by_text.clear();
        c.bytes = 0;
    }
    c.bytes += text.len();
    c.by_text.insert(key, vec![as_parsed]);
}

#[cfg(test)]
mod tests {
    use super::super::funcs::FuncTable;
    use super::super::Engine;
    use std::sync::Arc;

    fn root_of(e: &Engine, name: &str) -> usize {
        Arc::as_ptr(&e.templates[name].root) as usize
    }

    /// One test, because the cache is the process's: the steps must not interleave with
    /// another test's changes of the limit.
    #[test]
    fn trees_are_reused_for_the_same_table_name_and_text_only() {
        let text = "{{ define \"x\" }}{{ upper . }}{{ end }}{{ include \"x\" .a }}";
        let texts = [
            ("c/templates/a.yaml", text),
            ("c/templates/b.yaml", "{{ .b }}"),
        ];
        let table = FuncTable::helm();
        let mut first = Engine::new(table.clone());
        first.parse_many(&texts).unwrap();
        let mut second = Engine::new(table.clone());
        second.parse_many(&texts).unwrap();
        assert_eq!(
            root_of(&first, "c/templates/a.yaml"),
            root_of(&second, "c/templates/a.yaml"),
            "a clone of the table reuses the trees"
        );
        assert_eq!(root_of(&first, "x"), root_of(&second, "x"));
        let m = crate::values::Map::new();
        m.insert("a", crate::values::Value::str("q"));
        let data = crate::values::Value::Map(m);
        assert_eq!(
            first.execute("c/templates/a.yaml", &data).unwrap(),
            second.execute("c/templates/a.yaml", &data).unwrap()
        );

        // Another table (here: one function replaced) parses anew, and resolves to its own.
        let mut other = table.clone();
        other.add("upper", &[super::super::funcs::Param::String], None, |_| {
            Ok(crate::values::Value::str("replaced"))
        });
        let mut third = Engine::new(other);
        third.parse_many(&texts).unwrap();
        assert_ne!(root_of(&first, "x"), root_of(&third, "x"));
        assert_eq!(first.execute("c/templates/a.yaml", &data).unwrap(), "Q");
        assert_eq!(
            third.execute("c/templates/a.yaml", &data).unwrap(),
            "replaced"
        );

        // Another file name with the same text: parsed under its own name.
        let renamed = [("d/templates/a.yaml", text)];
        let mut fourth = Engine::new(table.clone());
        fourth.parse_many(&renamed).unwrap();
        assert!(fourth.has_template("d/templates/a.yaml"));
        assert!(!fourth.has_template("c/templates/a.yaml"));

        // A failing text is an error every time, never a cached success.
        let bad = [("c/templates/bad.yaml", "{{ nosuchfunc }}")];
        for _ in 0..2 {
            let mut e = Engine::new(table.clone());
            let err = e.parse_many(&bad).unwrap_err().to_string();
            assert!(err.contains("function \"nosuchfunc\" not defined"), "{err}");
        }

        // Off: nothing is reused.
        super::set_limit(0);
        let mut fifth = Engine::new(table.clone());
        fifth.parse_many(&texts).unwrap();
        assert_ne!(root_of(&first, "x"), root_of(&fifth, "x"));
        super::set_limit(super::DEFAULT_LIMIT);
    }
}
