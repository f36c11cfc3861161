//! The user's values from `-f`, `--set`, `--set-string`, `--set-file`, `--set-json` and
//! `--set-literal` (Helm's `pkg/cli/values.Options.MergeValues`).
//!
//! Helm applies them by kind, not in command-line order: all files, then `--set-json`, `--set`,
//! `--set-string`, `--set-file`, `--set-literal`; a later source overrides an earlier one.

use crate::strvals;
use crate::values::file::{merge_maps, read_values};
use crate::values::{json, Map, Value};

/// The values flags of a command.
#[derive(Clone, Debug, Default)]
pub struct ValueOptions {
    pub value_files: Vec<String>,
    pub values: Vec<String>,
    pub string_values: Vec<String>,
    pub file_values: Vec<String>,
    pub json_values: Vec<String>,
    pub literal_values: Vec<String>,
}

/// Where `-f` and `--set-file` paths that are URLs are read from: Helm's getter providers
/// (in the CLI, HTTP(S) and getter plugins). The core does no I/O beyond local files, so a
/// front end that fetches URLs passes its own; [`NoGetters`] reads every path as a file.
pub trait UrlGetter {
    /// The bytes at `url`, or None when no getter serves `scheme` (Go's `url.Parse` scheme,
    /// lowercased), in which case the path is read as a local file, as Helm does.
    fn get(&self, scheme: &str, url: &str) -> Option<Result<Vec<u8>, String>>;
}

/// No getters: every path is a local file (or `-`, standard input).
pub struct NoGetters;

impl UrlGetter for NoGetters {
    fn get(&self, _scheme: &str, _url: &str) -> Option<Result<Vec<u8>, String>> {
        None
    }
}

/// Helm's `readFile`: `-` (spaces around it allowed) is standard input; otherwise the path is
/// parsed as a Go URL (so `:x`, `1a:x` and `a%zz` are refused with Go's error), fetched by the
/// getter for its scheme if there is one, and read from disk if not.
fn read_file(path: &str, getters: &dyn UrlGetter) -> Result<Vec<u8>, String> {
    if path.trim() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map_err(|e| e.to_string())?;
        return Ok(b);
    }
    let url = crate::gocompat::url::parse(path)?;
    if let Some(fetched) = getters.get(&url.scheme, path) {
        return fetched;
    }
    std::fs::read(path)
        .map_err(|e| format!("open {path}: {}", crate::gocompat::os::go_io_error(&e)))
}

/// Reads one values file as Helm does.
fn read_values_file(path: &str, getters: &dyn UrlGetter) -> Result<Map, String> {
    let raw = read_file(path, getters)?;
    match read_values(&String::from_utf8_lossy(&raw)) {
        Ok(Value::Map(m)) => Ok(m),
        Ok(_) => Ok(Map::new()),
        Err(e) => Err(format!("failed to parse {path}: {e}")),
    }
}

impl ValueOptions {
    /// Helm's `MergeValues` with every path read as a local file: the user-supplied values as
    /// one map. The `Err` is Helm's message.
    pub fn merge_values(&self) -> Result<Value, String> {
        self.merge_values_with(&NoGetters)
    }

    /// Helm's `MergeValues`, reading `-f` and `--set-file` URLs through `getters`.
    pub fn merge_values_with(&self, getters: &dyn UrlGetter) -> Result<Value, String> {
        let mut base = Map::new();
        for f in &self.value_files {
            let m = read_values_file(f, getters)?;
            base = merge_maps(&base, &m);
        }
        let mut base = Value::Map(base);
        for v in &self.json_values {
            let t = v.trim();
            if t.starts_with('{') {
                match json::from_str(t) {
                    Ok(Value::Map(m)) => {
                        let cur = base.as_map().cloned().unwrap_or_default();
                        base = Value::Map(merge_maps(&cur, &m));
                    }
                    _ => return Err(format!("failed parsing --set-json data JSON: {v}")),
                }
            } else {
                strvals::parse_set_json(v, &mut base)
                    .map_err(|_| format!("failed parsing --set-json data {v}"))?;
            }
        }
        for v in &self.values {
            strvals::parse_set(v, &mut base)
                .map_err(|e| format!("failed parsing --set data: {e}"))?;
        }
        for v in &self.string_values {
            strvals::parse_set_string(v, &mut base)
                .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
        }
        for v in &self.file_values {
            let mut reader = |path: &str| -> Result<Value, strvals::StrvalsError> {
                read_file(path, getters)
                    .map(|b| Value::from(String::from_utf8_lossy(&b).into_owned()))
                    .map_err(|message| strvals::StrvalsError { message })
            };
            strvals::parse_set_file(v, &mut base, &mut reader)
                .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
        }
        for v in &self.literal_values {
            strvals::parse_set_literal(v, &mut base)
                .map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
        }
        Ok(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmap;

    #[test]
    fn later_maps_win_and_nested_merge() {
        let a = vmap! { "x" => 1.0, "m" => vmap! { "a" => 1.0, "b" => 1.0 } };
        let b = vmap! { "y" => 2.0, "m" => vmap! { "b" => 2.0 } };
        let (Value::Map(am), Value::Map(bm)) = (&a, &b) else {
            return;
        };
        let got = Value::Map(merge_maps(am, bm));
        assert_eq!(
            got,
            vmap! { "x" => 1.0, "y" => 2.0, "m" => vmap! { "a" => 1.0, "b" => 2.0 } }
        );
    }
}
