//! Template functions: URLs (`urlParse`, `urlJoin`), on Go's `net/url` as
//! [`crate::gocompat::url`] reimplements it.

use super::conversion::str_arg;
use super::{FuncError, FuncResult, FuncTable, Param};
use crate::gocompat::url::{hostname, parse, to_string, user_string, Url};
use crate::values::{Map, Value};

pub fn register(t: &mut FuncTable) {
    t.add("urlParse", &[Param::String], None, url_parse);
    t.add("urlJoin", &[Param::Map], None, url_join);
}

fn url_parse(a: &[Value]) -> FuncResult {
    let u =
        parse(str_arg(a, 0)).map_err(|e| FuncError::new(format!("unable to parse url: {e}")))?;
    let m = Map::new();
    m.insert("scheme", Value::from(u.scheme.clone()));
    m.insert("host", Value::from(u.host.clone()));
    m.insert("hostname", Value::str(hostname(&u.host)));
    m.insert("path", Value::from(u.path.clone()));
    m.insert("query", Value::from(u.raw_query.clone()));
    m.insert("opaque", Value::from(u.opaque.clone()));
    m.insert("fragment", Value::from(u.fragment.clone()));
    m.insert(
        "userinfo",
        Value::from(u.user.as_ref().map(user_string).unwrap_or_default()),
    );
    Ok(Value::Map(m))
}

/// Sprig's `dictGetOrEmpty`: a missing key is "", a non-string value panics.
fn dict_get(d: &Map, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Nil) => Err(FuncError::new(
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        Some(other) => Err(FuncError::new(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            other.go_kind_name()
        ))),
    }
}

fn url_join(a: &[Value]) -> FuncResult {
    let d = a
        .first()
        .and_then(Value::as_map)
        .cloned()
        .unwrap_or_default();
    let mut u = Url {
        scheme: dict_get(&d, "scheme")?,
        host: dict_get(&d, "host")?,
        path: dict_get(&d, "path")?,
        raw_query: dict_get(&d, "query")?,
        opaque: dict_get(&d, "opaque")?,
        fragment: dict_get(&d, "fragment")?,
        ..Url::default()
    };
    let userinfo = dict_get(&d, "userinfo")?;
    if !userinfo.is_empty() {
        let tmp = parse(&format!("proto://{userinfo}@host"))
            .map_err(|e| FuncError::new(format!("unable to parse userinfo in dict: {e}")))?;
        u.user = tmp.user;
    }
    Ok(Value::from(to_string(&u)))
}
