//! Helm's engine functions: `include`, `tpl`, `required`, `fail`.
//!
//! (`toYaml` and the other serializers are in `serialize.rs`; `lookup` is the renderer's.)
//!
//! `required` and `fail` wrap their message in Helm's `HELM_ERR_START…HELM_ERR_END` markers so
//! the error can later be rewritten as `execution error at (FILE:L:C): MSG`, exactly as Helm's
//! `cleanupExecError` does — even when the failure happened inside `include` or `tpl`.
//! `include`/`tpl` call back into the engine through [`Host`]; the engine enforces Helm's
//! limit of 1000 nested includes of one name.

use super::{FuncError, FuncTable, Host, Param};
use crate::values::Value;
use std::sync::Arc;

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// Helm's `warnWrap`.
pub fn warn_wrap(msg: &str) -> String {
    format!("{WARN_START}{msg}{WARN_END}")
}

/// The user message of a `fail`/`required` error inside an error text (Helm's `warnRegex`,
/// greedy from the first start marker to the last end marker).
pub fn user_error_text(text: &str) -> Option<&str> {
    let start = text.find(WARN_START)? + WARN_START.len();
    let end = text.rfind(WARN_END)?;
    text.get(start..end)
}

/// Registers `name STRING DATA`, a function the engine itself answers (`include NAME DATA`,
/// `tpl TEXT DATA`) through `call`.
fn add_engine_call(
    t: &mut FuncTable,
    name: &str,
    call: fn(&mut dyn Host, &str, &Value) -> Result<std::string::String, FuncError>,
) {
    t.add_with_host(
        name,
        &[Param::String, Param::Any],
        None,
        Arc::new(move |h: &mut dyn Host, a: &[Value]| {
            call(h, a[0].as_str().unwrap_or(""), &a[1]).map(Value::from)
        }),
    );
}

pub fn register(t: &mut FuncTable) {
    use Param::*;
    add_engine_call(t, "include", |h, name, data| h.include(name, data));
    add_engine_call(t, "tpl", |h, text, data| h.tpl(text, data));
    t.add("required", &[String, Any], None, |a| {
        let msg = a[0].as_str().unwrap_or("");
        match &a[1] {
            Value::Nil => Err(FuncError(warn_wrap(msg))),
            Value::String(s) if s.is_empty() => Err(FuncError(warn_wrap(msg))),
            v => Ok(v.clone()),
        }
    });
    t.add("fail", &[String], None, |a| {
        Err(FuncError(warn_wrap(a[0].as_str().unwrap_or(""))))
    });
}
