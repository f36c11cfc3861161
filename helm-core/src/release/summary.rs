//! A stored release flattened for the language bindings, which show releases as plain maps.

use super::record::{Release, Time};
use crate::values::{json, Map, Value};

/// A stored release as the bindings show it: Helm's record flattened to what `helm status`,
/// `helm list` and `helm get` print (`name`, `namespace`, `revision`, `status`, `chart`,
/// `chart_version`, `app_version`, `manifest`, `values` (the user's), `notes`, `description`,
/// `first_deployed`, `last_deployed`), plus `record`: the whole record as Helm's JSON.
pub fn release_summary(rel: &Release) -> Value {
    let from_json = |v: &serde_json::Value| json::from_str(&v.to_string()).unwrap_or_default();
    let m = Map::new();
    m.insert("name", Value::str(&rel.name));
    m.insert("namespace", Value::str(&rel.namespace));
    m.insert("revision", Value::Int64(rel.version));
    m.insert("status", Value::str(rel.status().as_str()));
    m.insert("chart", Value::str(rel.chart_name()));
    m.insert("chart_version", Value::str(rel.chart_version()));
    m.insert("app_version", Value::str(rel.app_version()));
    m.insert("manifest", Value::str(&rel.manifest));
    m.insert(
        "values",
        from_json(&serde_json::Value::Object(rel.config.clone())),
    );
    let info = rel.info.clone().unwrap_or_default();
    m.insert("notes", Value::str(&info.notes));
    m.insert("description", Value::str(&info.description));
    let time = |t: &Option<Time>| {
        t.as_ref()
            .map(|t| Value::str(t.to_rfc3339_nano()))
            .unwrap_or(Value::Nil)
    };
    m.insert("first_deployed", time(&info.first_deployed));
    m.insert("last_deployed", time(&info.last_deployed));
    m.insert(
        "record",
        serde_json::to_value(rel)
            .map(|v| from_json(&v))
            .unwrap_or_default(),
    );
    Value::Map(m)
}
