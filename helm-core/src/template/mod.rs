//! A Go `text/template` engine (lexer → parser → compiled form → executor) with a function table.
//!
//! It knows nothing of charts: Helm's renderer gives it template sources, a [`funcs::FuncTable`]
//! and the data `.`. Output must be byte-identical to Go's, including Go's own printing of
//! values (`<no value>`, `map[a:1]`, `1e+06`) and its error texts.
//!
//! Pipeline: [`lexer`] splits the source into items exactly as Go's lexer does (trim markers,
//! comments, numbers), [`parse`] builds [`ast::Tree`]s with functions resolved and variables
//! given stack slots, and [`exec`] walks a tree with data. Sources are parsed once and can be
//! executed many times; values are shared, never deep-copied.
//!
//! Like Helm's engine the set of templates is shared: every file's `define`s are visible to all
//! (`include`, `template`), and a later definition replaces an earlier one. Execution behaves as
//! Helm's `missingkey=zero` option (a missing key is a nil value), or `missingkey=error` after
//! [`Engine::set_missing_key_error`]. Helm's `<no value>` → "" rewrite of whole-file output is
//! the renderer's job; inside `tpl` it is done here, as Helm does.
//!
//! Safety (Go has no such limits; a library serving untrusted charts needs them, see
//! [`Limits`]): at most 512 MiB of output and 200 million actions/iterations per `execute`
//! (so `range 1000000000` stops with an error instead of hanging). Nesting limits are Go's
//! and Helm's: 100,000 nested template calls, 1000 nested `include`s of one name, 10,000
//! nested parentheses; control structures nest without a limit of their own (up to
//! [`parse::MAX_PARSE_DEPTH`]). Deep recursion continues on fresh stack segments
//! ([`crate::values::deep`]), so no input overflows the stack and none needs a big one.
//!
//! Known differences from Go: complex-number literals (`1i`) are an execution error; `len nil`
//! (a literal nil) reports Go's message for a nil *map value* (`len of nil pointer`); `call`
//! always fails, as templates here have no function values.

pub mod ast;
pub mod error;
pub mod exec;
pub mod funcs;
pub mod helm_values;
pub mod lexer;
pub mod parse;
pub mod parse_cache;

pub use error::{ErrorKind, TemplateError};
pub use exec::Limits;

use crate::gocompat::strconv::go_quote;
use crate::values::Value;
use ast::{is_empty_list, Tree};
use funcs::FuncTable;
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::Arc;

/// A set of parsed templates plus the functions they call.
pub struct Engine {
    funcs: FuncTable,
    cache: parse::ParseShared,
    templates: HashMap<Arc<str>, Arc<Tree>>,
    missing_key_error: bool,
    limits: Limits,
    /// The name of Go's root template (Helm: "gotpl"), shown in `include` and `tpl` errors.
    root_name: String,
    /// `tpl` texts already parsed (charts pass the same few values through `tpl` for every
    /// resource, e.g. Bitnami's `common.tplvalues.render`): parsing is pure, so reuse it.
    tpl_cache: parking_lot::Mutex<HashMap<Arc<str>, Arc<Vec<Arc<Tree>>>>>,
}

/// At most this many distinct `tpl` texts are kept parsed.
const TPL_CACHE_ENTRIES: usize = 4096;

impl Engine {
    pub fn new(funcs: FuncTable) -> Engine {
        Engine {
            funcs,
            cache: parse::ParseShared::default(),
            templates: HashMap::new(),
            missing_key_error: false,
            limits: Limits::default(),
            root_name: "gotpl".into(),
            tpl_cache: Default::default(),
        }
    }

    /// Parses a `tpl` text under the root template's name (cached; see `tpl_cache`).
    pub(crate) fn parse_tpl(&self, text: &str) -> Result<Arc<Vec<Arc<Tree>>>, TemplateError> {
        if let Some(t) = self.tpl_cache.lock().get(text) {
            return Ok(t.clone());
        }
        let mut cache = parse::ParseShared::default();
        let trees = parse::parse(&self.root_name, text, &self.funcs, &mut cache)?;
        let trees: Arc<Vec<Arc<Tree>>> = Arc::new(trees.into_iter().map(Arc::new).collect());
        let mut c = self.tpl_cache.lock();
        if c.len() < TPL_CACHE_ENTRIES {
            c.insert(Arc::from(text), trees.clone());
        }
        Ok(trees)
    }

    /// Parses `src` as template `name`, adding it and its `define`s to the set. A later
    /// definition replaces an earlier one, except that an empty one never replaces a
    /// non-empty one (Go's rule).
    pub fn parse(&mut self, name: &str, src: &str) -> Result<(), TemplateError> {
        let trees = parse::parse(name, src, &self.funcs, &mut self.cache)?;
        self.insert_trees(trees);
        Ok(())
    }

    /// Parses several `(name, source)` templates as if by [`Engine::parse`] on each in turn:
    /// the same templates and `define`s win, and the first failing one (in the given order)
    /// is the error. A text met again under another name (an aliased subchart, one more copy
    /// of a library chart) is parsed once and its trees shared, renamed for each file. Parsing
    /// is pure, so the distinct texts are parsed on two threads and only the cheap insertion
    /// runs in order (a chart's templates are a fifth of a render).
    ///
    /// Parsing depends on the file name only where the text `define`s a template of that very
    /// name (Go then merges the two, or refuses a second non-empty one), so such a text is
    /// parsed anew under each name that it defines.
    pub fn parse_many(&mut self, sources: &[(&str, &str)]) -> Result<(), TemplateError> {
        // Aliased subcharts hand over the very same text (one buffer), copies of a chart equal
        // texts: look the memory up first, the contents only for a buffer not seen yet.
        let mut by_memory: FxHashMap<(usize, usize), usize> = FxHashMap::default();
        let mut by_text: FxHashMap<&str, usize> = FxHashMap::default();
        // (name, text, whether it may be shared: its first name does not occur in it)
        let mut distinct: Vec<(&str, &str, bool)> = Vec::new();
        let mut parsed_at: Vec<usize> = Vec::with_capacity(sources.len());
        for &(name, src) in sources {
            let memory = (src.as_ptr() as usize, src.len());
            let seen = by_memory.get(&memory).or_else(|| by_text.get(src)).copied();
            match seen {
                Some(i) if distinct[i].2 => {
                    by_memory.entry(memory).or_insert(i);
                    parsed_at.push(i);
                }
                _ => {
                    let i = distinct.len();
                    let shareable = !src.contains(name);
                    if shareable {
                        by_memory.entry(memory).or_insert(i);
                        by_text.entry(src).or_insert(i);
                    }
                    parsed_at.push(i);
                    distinct.push((name, src, shareable));
                }
            }
        }
        // Texts this process parsed before with the same table come from the cache; the
        // others are parsed, on two threads when there are enough of them.
        let table = self.funcs.id();
        let mut parsed: Vec<Option<Result<Vec<Tree>, TemplateError>>> = distinct
            .iter()
            .map(|(name, src, _)| parse_cache::get(table, name, src).map(|t| Ok(t.to_vec())))
            .collect();
        let misses: Vec<(usize, &str, &str)> = distinct
            .iter()
            .enumerate()
            .filter(|(i, _)| parsed[*i].is_none())
            .map(|(i, (name, src, _))| (i, *name, *src))
            .collect();
        let funcs = &self.funcs;
        type Parsed = Vec<(usize, Result<Vec<Tree>, TemplateError>)>;
        let parse_all = |part: &[(usize, &str, &str)]| -> Parsed {
            let mut cache = parse::ParseShared::default();
            let mut out = Vec::with_capacity(part.len());
            for (i, name, src) in part {
                let r = parse::parse(name, src, funcs, &mut cache);
                let failed = r.is_err();
                out.push((*i, r));
                if failed {
                    break; // later ones cannot matter: the first error in order wins
                }
            }
            out
        };
        let fresh: Parsed = if misses.len() < 8 {
            parse_all(&misses)
        } else {
            let (a, b) = crate::halves::on_two_threads(&misses, |(_, _, s)| s.len(), parse_all);
            a.into_iter().chain(b).collect()
        };
        for (i, r) in fresh {
            if let Ok(trees) = &r {
                let (name, src, _) = distinct[i];
                parse_cache::put(table, name, src, trees);
            }
            parsed[i] = Some(r);
        }
        // Sources in order: a text's first source comes before its repeats, and distinct
        // texts are numbered in order of first appearance, so the first error met here is
        // the first in the given order, and every result looked up was parsed.
        let mut cache = parse::ParseShared::default();
        for (&(name, src), &i) in sources.iter().zip(&parsed_at) {
            let trees = match &parsed[i] {
                // Only texts after the first failing one go unparsed, and the loop stops there.
                None => parse::parse(name, src, &self.funcs, &mut cache)?,
                Some(Err(e)) => return Err(e.clone()),
                Some(Ok(trees)) if distinct[i].0 == name => trees.clone(),
                // The text defines a template named like this file: parsed under this name.
                Some(Ok(trees)) if trees[1..].iter().any(|t| &*t.name == name) => {
                    parse::parse(name, src, &self.funcs, &mut cache)?
                }
                Some(Ok(trees)) => {
                    let name: Arc<str> = Arc::from(name);
                    trees.iter().map(|t| t.parsed_as(&name)).collect()
                }
            };
            self.insert_trees(trees);
        }
        Ok(())
    }

    fn insert_trees(&mut self, trees: Vec<Tree>) {
        for t in trees {
            if is_empty_list(&t.root, &t.source) {
                if let Some(old) = self.templates.get(&t.name) {
                    if !is_empty_list(&old.root, &old.source) {
                        continue;
                    }
                }
            }
            self.templates.insert(t.name.clone(), Arc::new(t));
        }
    }

    /// Runs template `name` with `data` as `.` and `$`.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, TemplateError> {
        let Some(tree) = self.templates.get(name).cloned() else {
            return Err(TemplateError::other(
                "",
                format!(
                    "no template {} associated with template {}",
                    go_quote(name),
                    go_quote(&self.root_name)
                ),
            ));
        };
        let mut state = exec::State::new(self);
        state.run(
            &tree,
            exec::V {
                v: data.clone(),
                iface: false,
            },
        )
    }

    /// Helm's `--strict`-like `missingkey=error`: a missing map key is an error.
    pub fn set_missing_key_error(&mut self, on: bool) {
        self.missing_key_error = on;
    }

    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Whether a template (file or `define`) of that name exists.
    pub fn has_template(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// The names of all templates in the set.
    pub fn template_names(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(|k| &**k)
    }

    pub fn funcs(&self) -> &FuncTable {
        &self.funcs
    }
}
