//! Values: the data Helm's templates see.
//!
//! Helm hands templates Go `interface{}` data: `map[string]interface{}` maps (always iterated
//! and printed in sorted key order), `[]interface{}` lists, strings, `float64` numbers from
//! values files and JSON, `int64` from `--set`, Go `int` from template literals and `len`,
//! booleans and `nil`. Many charts depend on those distinctions (`1e+06` vs `1000000`,
//! `eq 1 .Values.x` failing on int vs float), so [`Value`] keeps them.
//!
//! Go maps are references: `set $d "k" v` mutates the map seen through every variable that holds
//! it (Bitnami's `common` chart relies on it). [`Map`] is therefore a shared, interior-mutable
//! handle; cloning a `Value::Map` clones the handle, not the entries. Lists are immutable in
//! templates (Sprig's list functions copy), so they are plain shared slices.
//!
//! Structs and method receivers (`.Chart`, `.Capabilities`, `.Files`, `semver` results, `genCA`
//! certificates, `time.Time`) are [`Object`]s: the engine asks them for fields and methods.
//!
//! The bottom layer of helm-core: the data model and its formats ([`yaml`] and [`json`] as Go's
//! libraries read and write them, values [`file`](mod@file)s), nothing else of the crate. Go's printing
//! of values (`fmt`) sits above in [`crate::gocompat`]; rules that need a chart (coalescing,
//! dependencies, schema) in [`crate::chart_values`].

pub mod deep;
pub mod file;
pub mod json;
pub mod yaml;

use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// An immutable shared string (cheap to clone).
pub type Str = Arc<str>;

/// A Go value as Helm's templates see it.
#[derive(Clone, Default)]
pub enum Value {
    /// Go `nil` (an absent or null value).
    #[default]
    Nil,
    Bool(bool),
    /// Go `int`: template number literals, `len`, `atoi`, `int`, `until`.
    Int(i64),
    /// Go `int64`: `--set` numbers, `int64`, Sprig's integer math (`add`, `mul`, …).
    Int64(i64),
    /// Go `uint64` (rare: `uint64` conversions, some hash results).
    Uint(u64),
    /// Go `float64`: every number read from YAML values files or JSON.
    Float(f64),
    String(Str),
    /// Go `[]byte` (from `.Files.GetBytes`, `b64dec` never: it returns a string).
    Bytes(Arc<[u8]>),
    /// `[]interface{}` (and, printed alike, `[]string` / `[]int`).
    List(Arc<ValueList>),
    /// `map[string]interface{}`: a shared, mutable reference as in Go.
    Map(Map),
    /// A Go struct or pointer with fields and methods.
    Object(Arc<dyn Object>),
}

/// A Go struct, pointer or named type with fields and methods, such as `*chart.Metadata`.
pub trait Object: Send + Sync {
    /// Go's name for the type, as `printf "%T"` and `typeOf` show it (`*chart.Metadata`).
    fn type_name(&self) -> &str;
    /// Go's `reflect.Kind` name, as `kindOf` shows it (`ptr`, `struct`, `map`, `slice`).
    fn kind_name(&self) -> &str {
        "ptr"
    }
    /// An exported struct field or map key; `None` when the type has no such field. By
    /// default the [`struct_fields`](Object::struct_fields) entry of that Go name.
    fn field(&self, name: &str) -> Option<Value> {
        self.struct_fields()?
            .into_iter()
            .find(|f| f.go_name == name)
            .map(|f| f.value)
    }
    /// Whether the type has a method called `name` (methods win over fields in Go's lookup).
    fn has_method(&self, _name: &str) -> bool {
        false
    }
    /// Calls method `name`; the `Err` string is the Go error text.
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        Err(format!("can't call method {name}"))
    }
    /// How `%v` (and so `print`, `toString`, `printf`) prints the value.
    fn go_string(&self) -> String;
    /// How an action (`{{ .X }}`) prints it: text/template calls a `String` method that has a
    /// pointer receiver when the value is addressable (a struct field), fmt does not.
    fn print_string(&self) -> String {
        self.go_string()
    }
    /// The plain data form used by `toYaml`/`toJson` (Go's JSON encoding of the struct). By
    /// default the [`struct_fields`](Object::struct_fields) by their JSON names (nil without).
    fn to_data(&self) -> Value {
        let Some(fields) = self.struct_fields() else {
            return Value::Nil;
        };
        let m = Map::new();
        for f in fields {
            m.insert(f.json_name, f.value);
        }
        Value::Map(m)
    }
    /// A Go struct's fields in declaration order, for the encoders that keep that order
    /// (`toJson` and yaml.v3's `toYamlPretty`); `None` when `to_data` says it all.
    fn struct_fields(&self) -> Option<Vec<StructField>> {
        None
    }
    /// Whether Go's template truth rules see this value as empty.
    fn is_truthy(&self) -> bool {
        true
    }
    /// Downcasting support for functions that consume their own objects.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Defines an [`Object`]'s `type_name` and `kind_name` inside its `impl` block:
/// `go_type_names!("common.KubeVersion", "struct");`.
macro_rules! go_type_names {
    ($type_name:literal, $kind_name:literal) => {
        fn type_name(&self) -> &str {
            $type_name
        }
        fn kind_name(&self) -> &str {
            $kind_name
        }
    };
}
pub(crate) use go_type_names;

/// One exported field of a Go struct, as the encoders see it.
#[derive(Clone, Debug)]
pub struct StructField {
    /// The Go field name; yaml.v3 (no `yaml` tags in Helm's structs) writes it lower-cased.
    pub go_name: &'static str,
    /// The name encoding/json writes (the `json` tag, else the Go name).
    pub json_name: &'static str,
    pub value: Value,
}

/// A shared, interior-mutable `map[string]interface{}` with sorted keys.
///
/// The handle also carries the Go type the map has where Helm hands it to templates
/// ([`GoMapType`]): `typeOf .Values` is `common.Values`, `.Chart.Annotations` a
/// `map[string]string` that is nil (JSON `null`) when Chart.yaml has none. Two handles of one
/// map may carry different types, as a Go map converted to a named map type does.
#[derive(Clone, Default)]
pub struct Map(Arc<RwLock<BTreeMap<Str, Value>>>, GoMapType);

/// The Go type of a [`Map`] as `typeOf`/`%T` name it and as the encoders treat a nil one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GoMapType {
    /// `map[string]interface {}`: values files, `dict`, decoded YAML/JSON.
    #[default]
    Interface,
    /// Helm's `common.Values`: the root context and `.Values`.
    HelmValues,
    /// `map[string]string` (chart annotations).
    StringMap,
    /// A nil `map[string]string`: empty, and `null` for `toJson`/`toYaml`.
    NilStringMap,
}

impl Map {
    pub fn new() -> Self {
        Map::default()
    }
    pub fn from_btree(m: BTreeMap<Str, Value>) -> Self {
        Map(Arc::new(RwLock::new(m)), GoMapType::Interface)
    }
    /// The same Go map seen with another Go type.
    pub fn with_go_type(&self, t: GoMapType) -> Map {
        Map(self.0.clone(), t)
    }
    pub fn go_type(&self) -> GoMapType {
        self.1
    }
    /// A nil Go map (typed): prints `map[]`, encodes as `null` while it stays empty.
    pub fn is_go_nil(&self) -> bool {
        self.1 == GoMapType::NilStringMap && self.is_empty()
    }
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.read().get(key).cloned()
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.read().contains_key(key)
    }
    pub fn insert(&self, key: impl Into<Str>, value: Value) -> Option<Value> {
        self.0.write().insert(key.into(), value)
    }
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.0.write().remove(key)
    }
    pub fn len(&self) -> usize {
        self.0.read().len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.read().is_empty()
    }
    /// A snapshot of the entries in key order (Go's iteration and printing order).
    pub fn entries(&self) -> Vec<(Str, Value)> {
        self.0
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    pub fn keys(&self) -> Vec<Str> {
        self.0.read().keys().cloned().collect()
    }
    /// Read access to the entries without copying them.
    pub fn with<R>(&self, f: impl FnOnce(&BTreeMap<Str, Value>) -> R) -> R {
        f(&self.0.read())
    }
    /// Write access to the entries.
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut BTreeMap<Str, Value>) -> R) -> R {
        f(&mut self.0.write())
    }
    /// A new map with the same entries (one level: nested maps stay shared).
    pub fn shallow_copy(&self) -> Map {
        Map::from_btree(self.0.read().clone())
    }
    /// Whether two handles point at the same Go map.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    /// The map's identity (for cycle detection while walking nested maps).
    pub fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as *const () as usize
    }
    /// The entries, when this handle is the map's only owner (used when dropping it).
    fn unique_entries(&mut self) -> Option<&mut BTreeMap<Str, Value>> {
        Arc::get_mut(&mut self.0).map(RwLock::get_mut)
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        deep::drop_map(self);
    }
}

/// The items of a [`Value::List`]: a `Vec<Value>` (it derefs to one) whose `Drop` takes
/// nested lists and maps apart iteratively, so a list nested a million levels deep (a
/// template can build one with `list`) drops without recursion.
#[derive(Clone, Default, PartialEq)]
pub struct ValueList(Vec<Value>);

impl ValueList {
    pub fn into_vec(mut self) -> Vec<Value> {
        std::mem::take(&mut self.0)
    }
}

impl std::ops::Deref for ValueList {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl std::ops::DerefMut for ValueList {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.0
    }
}

impl From<Vec<Value>> for ValueList {
    fn from(v: Vec<Value>) -> Self {
        ValueList(v)
    }
}

impl FromIterator<Value> for ValueList {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Self {
        ValueList(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a ValueList {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Debug for ValueList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Drop for ValueList {
    fn drop(&mut self) {
        deep::drop_items(&mut self.0);
    }
}

impl FromIterator<(Str, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Str, Value)>>(iter: I) -> Self {
        Map::from_btree(iter.into_iter().collect())
    }
}

impl Value {
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::String(Arc::from(s.as_ref()))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(ValueList(items)))
    }
    pub fn map(m: Map) -> Value {
        Value::Map(m)
    }
    pub fn empty_map() -> Value {
        Value::Map(Map::new())
    }
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// Any Go integer kind as i64 (`uint` values above i64::MAX give `None`).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            Value::Uint(u) => i64::try_from(*u).ok(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_)
        )
    }

    /// Go's `text/template` truth: false, 0, nil, empty string/list/map are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.is_truthy(),
        }
    }

    /// Go's type name as `printf "%T"` / `typeOf` print it.
    pub fn go_type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Uint(_) => "uint64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(m) => match m.go_type() {
                GoMapType::Interface => "map[string]interface {}".into(),
                GoMapType::HelmValues => "common.Values".into(),
                GoMapType::StringMap | GoMapType::NilStringMap => "map[string]string".into(),
            },
            Value::Object(o) => o.type_name().into(),
        }
    }

    /// Go's `reflect.Kind` name as `kindOf` prints it.
    pub fn go_kind_name(&self) -> String {
        match self {
            Value::Nil => "invalid".into(),
            Value::Bytes(_) | Value::List(_) => "slice".into(),
            Value::Map(_) => "map".into(),
            Value::Object(o) => o.kind_name().into(),
            // A scalar's kind has its type's name.
            _ => self.go_type_name(),
        }
    }

    /// Deep copy: nested maps become new maps (Sprig's `deepCopy`, and values isolation).
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_at(0)
    }

    /// Below [`deep::MAX_VALUE_DEPTH`] levels (only a map that contains itself gets there; Go
    /// recurses until its stack overflows) the rest is shared instead of copied.
    fn deep_copy_at(&self, depth: usize) -> Value {
        if depth >= deep::MAX_VALUE_DEPTH {
            return self.clone();
        }
        match self {
            // copystructure keeps the copied map's Go type.
            Value::Map(m) => deep::guard(|| {
                Value::Map(
                    m.with(|e| {
                        Map::from_btree(
                            e.iter()
                                .map(|(k, v)| (k.clone(), v.deep_copy_at(depth + 1)))
                                .collect(),
                        )
                    })
                    .with_go_type(m.go_type()),
                )
            }),
            Value::List(l) => {
                deep::guard(|| Value::list(l.iter().map(|v| v.deep_copy_at(depth + 1)).collect()))
            }
            other => other.clone(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Uint(u) => write!(f, "Uint({u})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(l) => deep::guard(|| f.debug_list().entries(l.iter()).finish()),
            Value::Map(m) => deep::guard(|| m.with(|e| f.debug_map().entries(e.iter()).finish())),
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with(|e| f.debug_map().entries(e.iter()).finish())
    }
}

/// Structural equality (maps by content, objects by identity), for tests and `deepEqual`-like uses.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Uint(a), Value::Uint(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => Arc::ptr_eq(a, b) || deep::guard(|| a == b),
            (Value::Map(a), Value::Map(b)) => {
                a.ptr_eq(b) || deep::guard(|| a.with(|x| b.with(|y| x == y)))
            }
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// `From` for the Rust values that have one obvious `Value`.
macro_rules! value_from {
    ($($t:ty => $make:expr),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(x: $t) -> Value {
                $make(x)
            }
        })*
    };
}

value_from! {
    &str => Value::str,
    String => |s: String| Value::String(Arc::from(s)),
    bool => Value::Bool,
    f64 => Value::Float,
    Vec<Value> => Value::list,
    Map => Value::Map,
}

/// Builds a `Value::Map` from `key => value` pairs (tests and glue code).
#[macro_export]
macro_rules! vmap {
    ($($k:expr => $v:expr),* $(,)?) => {{
        let m = $crate::values::Map::new();
        $( m.insert($k, $crate::values::Value::from($v)); )*
        $crate::values::Value::Map(m)
    }};
}
