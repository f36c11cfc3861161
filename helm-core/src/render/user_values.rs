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

/// Reads one values file as Helm does (`-` is standard input).
fn read_values_file(path: &str) -> Result<Map, String> {
    let raw = if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|e| e.to_string())?;
        s
    } else {
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("open {path}: no such file or directory"),
            _ => format!("open {path}: {e}"),
        })?;
        String::from_utf8_lossy(&bytes).into_owned()
    };
    match read_values(&raw) {
        Ok(Value::Map(m)) => Ok(m),
        Ok(_) => Ok(Map::new()),
        Err(e) => Err(format!("failed to parse {path}: {e}")),
    }
}

impl ValueOptions {
    /// Helm's `MergeValues`: the user-supplied values as one map. The `Err` is Helm's message.
    pub fn merge_values(&self) -> Result<Value, String> {
        let mut base = Map::new();
        for f in &self.value_files {
            let m = read_values_file(f)?;
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
            strvals::parse_set_file_from_disk(v, &mut base)
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
