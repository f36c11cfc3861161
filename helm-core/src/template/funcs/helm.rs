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

pub fn register(t: &mut FuncTable) {
    use Param::*;
    t.add_with_host(
        "include",
        &[String, Any],
        None,
        Arc::new(|h: &mut dyn Host, a: &[Value]| {
            let name = a[0].as_str().unwrap_or("");
            h.include(name, &a[1]).map(Value::from)
        }),
    );
    t.add_with_host(
        "tpl",
        &[String, Any],
        None,
        Arc::new(|h: &mut dyn Host, a: &[Value]| {
            let text = a[0].as_str().unwrap_or("");
            h.tpl(text, &a[1]).map(Value::from)
        }),
    );
    t.add("required", &[String, Any], None, |a| {
        let msg = a[0].as_str().unwrap_or("");
        match &a[1] {
            Value::Nil => Err(FuncError(warn_wrap(msg))),
            Value::String(s) if s.is_empty() => Err(FuncError(warn_wrap(msg))),
            v => Ok(v.clone()),
        }
    });
    t.add("fail", &[String], None, |a| Err(FuncError(warn_wrap(a[0].as_str().unwrap_or("")))));
}
