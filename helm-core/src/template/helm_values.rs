//! The methods of Helm's `common.Values`, the Go type of a template's root context and of
//! `.Values` (`AsMap`, `Table`, `PathValue`, `YAML`, `Encode`).
//!
//! Go's templates call a method of the receiver's type before they look a map key up, so
//! `.Values.Table "a.b"` runs Helm's code, and so does `.Values.YAML` even when the values have
//! a `YAML` key. Maps of this type are [`Map`]s tagged [`GoMapType::HelmValues`]; what the
//! methods return keeps Go's types (`Table` gives `common.Values`, `AsMap` a plain map), and
//! `Table` shares the map it found, as Go's conversion does.

use crate::values::{GoMapType, Map, Value};

/// The number of arguments each method takes, by name; None for a name that is no method.
pub fn arity(name: &str) -> Option<usize> {
    match name {
        "AsMap" | "YAML" => Some(0),
        "Table" | "PathValue" | "Encode" => Some(1),
        _ => None,
    }
}

/// Calls method `name` (see [`arity`]) on `m` with string arguments as Go would have
/// converted them; `Err` is the method's error text (Go prints it after `error calling NAME:`).
pub fn call(m: &Map, name: &str, args: &[Value]) -> Result<Value, String> {
    let text = |i: usize| match args.get(i) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    match name {
        "AsMap" => Ok(Value::Map(m.with_go_type(GoMapType::Interface))),
        "YAML" => crate::values::yaml::to_string(&Value::Map(m.clone()))
            .map(Value::from)
            .map_err(|e| e.message),
        "Table" => table(m, &text(0)).map(|t| Value::Map(t.with_go_type(GoMapType::HelmValues))),
        "PathValue" => path_value(m, &text(0)),
        _ => Err(format!("can't call method {name}")),
    }
}

/// `Values.Table`: the table at a dotted path (`a.b`: table `b` inside table `a`).
fn table(m: &Map, name: &str) -> Result<Map, String> {
    let mut t = m.clone();
    for key in name.split('.') {
        t = match t.get(key) {
            Some(Value::Map(next)) => next,
            _ => return Err(format!("{} is not a table", go_quote(key))),
        };
    }
    Ok(t)
}

/// `Values.PathValue`: the value (not a table) at a dotted path.
fn path_value(m: &Map, path: &str) -> Result<Value, String> {
    if path.is_empty() {
        return Err("YAML path cannot be empty".into());
    }
    let no_value = |key: &str| format!("{} is not a value", go_quote(key));
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(m, p).map_err(|_| no_value(k))?, k),
        None => (m.clone(), path),
    };
    match parent.get(key) {
        Some(Value::Map(_)) | None => Err(no_value(key)),
        Some(v) => Ok(v),
    }
}

fn go_quote(s: &str) -> String {
    crate::gocompat::strconv::go_quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Map {
        let v = crate::values::yaml::from_str("a: 1\nb:\n  c: 2\n  d: {e: x}\n").unwrap();
        v.as_map().unwrap().with_go_type(GoMapType::HelmValues)
    }

    #[test]
    fn tables_and_path_values_as_helm() {
        let m = values();
        let t = call(&m, "Table", &[Value::str("b.d")]).unwrap();
        assert_eq!(t.as_map().unwrap().go_type(), GoMapType::HelmValues);
        assert_eq!(t.as_map().unwrap().get("e"), Some(Value::str("x")));
        assert_eq!(
            call(&m, "Table", &[Value::str("nope")]).unwrap_err(),
            "\"nope\" is not a table"
        );
        // Values files give numbers as Go's float64 (sigs.k8s.io/yaml reads JSON numbers).
        assert_eq!(
            call(&m, "PathValue", &[Value::str("b.c")]).unwrap(),
            Value::Float(2.0)
        );
        assert_eq!(
            call(&m, "PathValue", &[Value::str("b")]).unwrap_err(),
            "\"b\" is not a value"
        );
        assert_eq!(
            call(&m, "PathValue", &[Value::str("")]).unwrap_err(),
            "YAML path cannot be empty"
        );
        assert_eq!(
            call(&m, "YAML", &[]).unwrap(),
            Value::str("a: 1\nb:\n  c: 2\n  d:\n    e: x\n")
        );
    }
}
