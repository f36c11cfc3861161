//! Helpers shared by helm-core's integration tests: where the crate's test data and the shared
//! conformance corpus live, scratch chart directories, the runner of the template tables
//! recorded from Go, and calling a Sprig function directly (as the executor would after
//! checking argument kinds) and printing its result as Go's `{{ }}` would.
//!
//! One module, so that every test reads data, writes charts and compares with Go the same way.
#![allow(dead_code)]

use helm_core::template::funcs::conversion::format_v;
use helm_core::template::funcs::{FuncError, FuncTable, Host};
use helm_core::template::Engine;
use helm_core::values::Map;
use helm_core::Value;
use std::path::{Path, PathBuf};

/// helm-core's own directory.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
}

/// The shared conformance corpus (`../shared/conformance` beside the repository); tests that
/// read it skip when it is absent.
pub fn conformance_dir() -> PathBuf {
    manifest_dir().join("../../shared/conformance")
}

/// The shared conformance corpus's `vectors.json` (template vectors with Helm's output), and
/// the corpus directory; None, after printing why the test skips, when it is absent.
pub fn conformance_vectors() -> Option<(PathBuf, Value)> {
    let root = conformance_dir();
    let Ok(text) = std::fs::read_to_string(root.join("vectors.json")) else {
        println!(
            "skipping: {} is absent",
            root.join("vectors.json").display()
        );
        return None;
    };
    Some((
        root,
        helm_core::values::json::from_str(&text).expect("vectors.json is JSON"),
    ))
}

/// The text of a file under `tests/` (e.g. `sprig1_data/semver_go.json`).
pub fn test_file(rel: &str) -> String {
    let path = manifest_dir().join("tests").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of a table recorded from Go, `tests/sprig1_data/<file>` (JSON).
pub fn sprig_rows<T: serde::de::DeserializeOwned>(file: &str) -> Vec<T> {
    serde_json::from_str(&test_file(&format!("sprig1_data/{file}")))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Runs `check` on every row of a table recorded from Go (it pushes a line per mismatch), then
/// fails listing every mismatch.
pub fn assert_rows<T>(rows: &[T], mut check: impl FnMut(&T, &mut Vec<String>)) {
    let mut bad = Vec::new();
    for r in rows {
        check(r, &mut bad);
    }
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        rows.len(),
        bad.join("\n")
    );
}

/// A fresh, empty directory under the system temp dir, unique to this test process and `tag`.
pub fn scratch_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("helm-rs-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// Writes each `(relative path, content)` under `dir`, creating the directories on the way.
pub fn write_files<T: AsRef<[u8]>>(dir: &Path, files: &[(&str, T)]) {
    for (name, data) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, data).expect("write");
    }
}

/// A scratch directory (see [`scratch_dir`]) holding `files`.
pub fn scratch_chart<T: AsRef<[u8]>>(tag: &str, files: &[(&str, T)]) -> PathBuf {
    let dir = scratch_dir(tag);
    write_files(&dir, files);
    dir
}

/// What `helm template <release> <chart>` prints for a scratch chart holding `files`.
pub fn template_scratch_chart<T: AsRef<[u8]>>(
    tag: &str,
    files: &[(&str, T)],
    release: &str,
) -> String {
    use helm_core::render::{self, ReleaseOptions, TemplateOptions};
    let dir = scratch_chart(tag, files);
    let c = helm_core::chart::load(&dir).expect("load");
    let opts = TemplateOptions {
        release: ReleaseOptions {
            name: release.into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = render::template(c, &Value::empty_map(), &opts).expect("render");
    let _ = std::fs::remove_dir_all(&dir);
    out.stdout
}

/// Every file below `dir` (depth first) that `keep` accepts; nothing when `dir` is unreadable.
pub fn files_below(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_below(&p, keep));
        } else if keep(&p) {
            out.push(p);
        }
    }
    out
}

// ----- template tables recorded from Go -------------------------------------------------------

/// A `tests/data/*.json` table of templates run by Go's text/template (`missingkey=zero`, as
/// Helm sets it) with `data`: each case has Go's output or Go's error text.
#[derive(serde::Deserialize)]
struct GoTable {
    data: serde_json::Value,
    cases: Vec<GoCase>,
}

#[derive(serde::Deserialize)]
struct GoCase {
    template: String,
    output: Option<String>,
    error: Option<String>,
}

/// A JSON value as Go's `json.Unmarshal` into `interface{}` gives it (every number a float64).
pub fn value_from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(value_from_json).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (k.as_str().into(), value_from_json(v)))
                .collect::<Map>(),
        ),
    }
}

/// Runs one template the way the Go program did: parse as "t", execute with the data.
fn run_template(funcs: &FuncTable, src: &str, data: &Value) -> Result<String, String> {
    let mut e = Engine::new(funcs.clone());
    e.parse("t", src).map_err(|e| e.to_string())?;
    e.execute("t", data).map_err(|e| e.to_string())
}

/// Runs every case of the Go table `tests/data/<file>` (at least `min_cases` of them) with
/// `funcs`, and fails listing each case whose output or error text differs from Go's.
pub fn check_go_table(file: &str, min_cases: usize, funcs: &FuncTable) {
    let table: GoTable =
        serde_json::from_str(&test_file(&format!("data/{file}"))).expect("test data is JSON");
    assert!(
        table.cases.len() >= min_cases,
        "{file}: {} cases, expected {min_cases}",
        table.cases.len()
    );
    let data = value_from_json(&table.data);
    let mut failures = Vec::new();
    for GoCase {
        template: src,
        output: out,
        error: err,
    } in &table.cases
    {
        let got = run_template(funcs, src, &data);
        let ok = match (&got, out, err) {
            (Ok(g), Some(o), None) => g == o,
            (Err(g), _, Some(e)) => g == e,
            _ => false,
        };
        if !ok {
            let go = err
                .as_ref()
                .map_or(out.clone(), |e| Some(format!("ERR {e}")));
            failures.push(format!(
                "template: {src:?}\n  go:   {go:?}\n  ours: {got:?}"
            ));
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Go",
        failures.len(),
        table.cases.len()
    );
}

// ----- Sprig functions called directly ----------------------------------------------------------

pub struct NoHost;

impl Host for NoHost {
    fn include(&mut self, _name: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::new("no include in unit tests"))
    }
    fn tpl(&mut self, _text: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::new("no tpl in unit tests"))
    }
}

pub fn table() -> FuncTable {
    FuncTable::sprig()
}

/// Calls `name` with `args`; panics (test failure) when the function is missing.
pub fn call(name: &str, args: &[Value]) -> Result<Value, FuncError> {
    let t = table();
    let f = t
        .get(name)
        .unwrap_or_else(|| panic!("function {name} not registered"));
    (f.imp)(&mut NoHost, args)
}

/// What `{{ name args }}` prints (Go `%v`), or `ERR: <function error text>`.
pub fn show(name: &str, args: &[Value]) -> String {
    match call(name, args) {
        Ok(v) => format_v(&v),
        Err(e) => format!("ERR: {e}"),
    }
}

pub fn s(x: &str) -> Value {
    Value::str(x)
}
pub fn i(x: i64) -> Value {
    Value::Int(x)
}
pub fn f(x: f64) -> Value {
    Value::Float(x)
}
pub fn l(items: Vec<Value>) -> Value {
    Value::list(items)
}
pub fn strs(items: &[&str]) -> Value {
    Value::list(items.iter().map(Value::str).collect())
}

/// Asserts `name` applied to each `(argument, expected)` string; expected strings were
/// produced by Go + Sprig v3.3.0.
pub fn check_one(name: &str, cases: &[(&str, &str)]) {
    check(
        &cases
            .iter()
            .map(|(arg, want)| (name, vec![s(arg)], *want))
            .collect::<Vec<_>>(),
    );
}

/// Asserts each `(name, argument, expected)` of functions of one string argument; expected
/// strings were produced by Go + Sprig v3.3.0.
pub fn check_unary(cases: &[(&str, &str, &str)]) {
    check(
        &cases
            .iter()
            .map(|(name, arg, want)| (*name, vec![s(arg)], *want))
            .collect::<Vec<_>>(),
    );
}

/// Asserts each `(name, args, expected)`; expected strings were produced by Go + Sprig v3.3.0.
pub fn check(cases: &[(&str, Vec<Value>, &str)]) {
    let mut bad = Vec::new();
    for (name, args, want) in cases {
        let got = show(name, args);
        if got != *want {
            bad.push(format!("{name} {args:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
