//! The function table: every function a template can call, grouped by family as Sprig does.
//!
//! Go's text/template calls typed Go functions and checks each argument against the parameter's
//! type before the call (`wrong type for value; expected string; got int`), converting untyped
//! number constants written in the template to the parameter's numeric type. A [`Function`]
//! therefore declares Go parameter types ([`Param`]); the executor does the checking and
//! conversion, so an implementation receives arguments already of the declared kinds.
//!
//! Implementations never panic: a Go function that would panic or return an error gives a
//! [`FuncError`] whose text the executor wraps as `error calling NAME: TEXT`.

pub mod builtin;
pub mod conversion;
pub mod crypto;
pub mod dates;
pub mod defaults;
pub mod dicts;
pub mod encoding;
pub mod hashes;
pub mod helm;
pub mod lists;
pub mod math;
pub mod network;
pub mod paths;
pub mod random;
pub mod reflect;
pub mod regex;
pub mod semver;
pub mod serialize;
pub mod strings;
pub mod urls;

use crate::values::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The Go type of one parameter, as the executor checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything, including nil.
    Any,
    /// `string`: only a string (nil is "invalid value; expected string").
    String,
    /// `int`: an int (or an untyped number constant from the template).
    Int,
    /// `int64`.
    Int64,
    /// `float64`.
    Float64,
    /// `uint64`/`uint32`-like unsigned params.
    Uint,
    /// `bool`.
    Bool,
    /// `map[string]interface{}`.
    Map,
    /// `[]interface{}`.
    List,
    /// `[]string`: a list whose items are all strings.
    StringList,
    /// `[]byte`.
    Bytes,
}

/// A function's failure, as its Go counterpart's error or panic text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct FuncError(pub String);

impl FuncError {
    pub fn new(msg: impl Into<String>) -> Self {
        FuncError(msg.into())
    }
}

pub type FuncResult = Result<Value, FuncError>;

/// What a function may ask of the engine that runs it (`include`, `tpl`, randomness).
pub trait Host {
    /// Runs the named template with `data` (Helm's `include`).
    fn include(&mut self, name: &str, data: &Value) -> Result<String, FuncError>;
    /// Parses and runs `text` as a template with `data` (Helm's `tpl`).
    fn tpl(&mut self, text: &str, data: &Value) -> Result<String, FuncError>;
}

/// A plain implementation: arguments in, value out.
pub type FuncImpl = Arc<dyn Fn(&mut dyn Host, &[Value]) -> FuncResult + Send + Sync>;

/// One callable function with its Go signature.
#[derive(Clone)]
pub struct Function {
    pub name: Arc<str>,
    /// Fixed parameters.
    pub params: Vec<Param>,
    /// Type of the trailing `...T` parameter, if variadic.
    pub variadic: Option<Param>,
    pub imp: FuncImpl,
}

/// The registration of each of Sprig's text and data families
/// ([`FuncTable::sprig_text_and_data`]).
const SPRIG_TEXT_AND_DATA: &[fn(&mut FuncTable)] = &[
    strings::register,
    lists::register,
    dicts::register,
    defaults::register,
    math::register,
    conversion::register,
    regex::register,
    reflect::register,
    paths::register,
    urls::register,
    semver::register,
];

/// The rest of Sprig: certificates and keys, encodings, hashes, dates, random values, network.
const SPRIG_OTHERS: &[fn(&mut FuncTable)] = &[
    crypto::register,
    encoding::register,
    hashes::register,
    dates::register,
    random::register,
    network::register,
];

/// The name → function table an engine uses.
///
/// Parsing resolves each function name to the table's function, so a parse tree belongs to
/// the table it was parsed with. [`FuncTable::id`] names a table's contents: a clone keeps it
/// (the same functions), any change gives a new one, which is what lets parse trees be reused
/// across engines built from clones of one table (`crate::template::parse_cache`).
#[derive(Clone)]
pub struct FuncTable {
    funcs: HashMap<Arc<str>, Function>,
    id: u64,
}

impl Default for FuncTable {
    fn default() -> Self {
        FuncTable {
            funcs: HashMap::new(),
            id: next_table_id(),
        }
    }
}

fn next_table_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl FuncTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Names these exact functions: equal for clones, new after every change.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Registers (or replaces) a function that needs no engine access.
    pub fn add(
        &mut self,
        name: &str,
        params: &[Param],
        variadic: Option<Param>,
        f: fn(&[Value]) -> FuncResult,
    ) {
        self.add_with_host(
            name,
            params,
            variadic,
            Arc::new(move |_h: &mut dyn Host, a: &[Value]| f(a)),
        );
    }

    /// Registers (or replaces) a function that may call back into the engine, or a closure.
    pub fn add_with_host(
        &mut self,
        name: &str,
        params: &[Param],
        variadic: Option<Param>,
        imp: FuncImpl,
    ) {
        let name: Arc<str> = Arc::from(name);
        self.id = next_table_id();
        self.funcs.insert(
            name.clone(),
            Function {
                name,
                params: params.to_vec(),
                variadic,
                imp,
            },
        );
    }

    pub fn remove(&mut self, name: &str) {
        self.id = next_table_id();
        self.funcs.remove(name);
    }

    pub fn get(&self, name: &str) -> Option<&Function> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(|k| &**k)
    }

    /// Sprig's text and data families: strings, lists, dicts, defaults, math, conversions,
    /// regular expressions, reflection, paths, URLs and semver. They read no clock, make no keys
    /// and touch no network, so robustness tests can call each of them with arbitrary arguments.
    pub fn sprig_text_and_data() -> Self {
        let mut t = FuncTable::new();
        for register in SPRIG_TEXT_AND_DATA {
            register(&mut t);
        }
        t
    }

    /// Sprig v3's `TxtFuncMap` minus the functions Helm removes (`env`, `expandenv`).
    pub fn sprig() -> Self {
        let mut t = FuncTable::sprig_text_and_data();
        for register in SPRIG_OTHERS {
            register(&mut t);
        }
        t
    }

    /// Everything a Helm chart template can call: Go's builtins, Sprig, and Helm's own
    /// (`include`, `tpl`, `required`, `toYaml`, …). `lookup` is added by the renderer.
    pub fn helm() -> Self {
        let mut t = FuncTable::new();
        builtin::register(&mut t);
        let sprig = FuncTable::sprig();
        t.funcs.extend(sprig.funcs);
        t.id = next_table_id();
        serialize::register(&mut t);
        helm::register(&mut t);
        t
    }
}
