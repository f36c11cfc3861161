//! Template errors, carrying what Go's `text/template` puts in its error strings.
//!
//! Go formats parse errors as `template: FILE:LINE: MSG` and execution errors as
//! `template: FILE:LINE:COL: executing "NAME" at <NODE>: MSG` (COL is a 0-based byte offset
//! in the line, as Go computes it). Helm then rewrites both (`parse error at (FILE:LINE): MSG`,
//! and `execution error at (FILE:LINE:COL): MSG` for `fail`/`required`), so the parts are kept
//! separately and [`TemplateError::helm_message`] gives Helm's rewritten form.

use std::fmt;

/// Which phase failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Lexing/parsing (`template: FILE:LINE: MSG`).
    Parse,
    /// Execution (`template: FILE:LINE:COL: executing "NAME" at <NODE>: MSG`).
    Exec,
    /// Execution failed before any node (`template: NAME: MSG`, e.g. an undefined template).
    Other,
}

/// A parse or execution error of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub kind: ErrorKind,
    /// The file the failing node was parsed from (Go's `ParseName`).
    pub template: String,
    /// 1-based line.
    pub line: usize,
    /// Go's column: the 0-based byte offset within the line (0 for parse errors).
    pub column: usize,
    /// The template being executed (a `define` name or the file name); empty for parse errors.
    pub executing: String,
    /// Go's `Node.String()` of the failing node (`.Values.x`, `include "a" .`).
    pub context: String,
    /// The error itself, after the location prefix (may contain nested template errors).
    pub message: String,
}

impl TemplateError {
    pub fn parse(template: &str, line: usize, message: impl Into<String>) -> Self {
        TemplateError {
            kind: ErrorKind::Parse,
            template: template.into(),
            line,
            column: 0,
            executing: String::new(),
            context: String::new(),
            message: message.into(),
        }
    }

    pub fn other(template: &str, message: impl Into<String>) -> Self {
        TemplateError {
            kind: ErrorKind::Other,
            template: template.into(),
            line: 0,
            column: 0,
            executing: String::new(),
            context: String::new(),
            message: message.into(),
        }
    }

    /// The innermost message: for errors that wrap a nested template error
    /// (`error calling include: template: ...`) the last `: `-separated part, as Helm shows it.
    pub fn location(&self) -> String {
        match self.kind {
            ErrorKind::Parse => format!("{}:{}", self.template, self.line),
            ErrorKind::Exec => format!("{}:{}:{}", self.template, self.line, self.column),
            ErrorKind::Other => self.template.clone(),
        }
    }

    /// Helm's rewrite of the error (`cleanupParseError` / `cleanupExecError`):
    /// `parse error at (FILE:LINE): MSG` for parse errors, `execution error at (FILE:L:C): MSG`
    /// when the message carries a `fail`/`required` marker, else Go's text unchanged.
    pub fn helm_message(&self) -> String {
        let full = self.to_string();
        match self.kind {
            ErrorKind::Parse => {
                let last = full.rsplit(": ").next().unwrap_or("");
                format!("parse error at ({}): {}", self.location(), last)
            }
            ErrorKind::Exec => match crate::template::funcs::helm::user_error_text(&self.message) {
                Some(msg) => format!("execution error at ({}): {}", self.location(), msg),
                None => reformat_exec_chain(&full).unwrap_or(full),
            },
            ErrorKind::Other => full,
        }
    }
}

/// Helm 4's `reformatExecErrorMsg`: an execution error, and the template errors it wraps
/// (through `include`), printed one level per block:
///
/// ```text
/// chart/templates/x.yaml:1:3
///   executing "chart/templates/x.yaml" at <include "t2" .>:
///     error calling include:
/// chart/templates/x.yaml:1:47
///   executing "t2" at <.Values.q.w>:
///     nil pointer evaluating interface {}.w
/// ```
///
/// Helm walks Go's error chain and keeps the message unchanged as soon as one link is not a
/// template error: a function's own error (`error calling index: index of untyped nil`,
/// `error calling tpl: error during tpl function execution ...`), or any multi-line text.
/// Our errors carry that chain as text, so the walk reads it back from the text.
fn reformat_exec_chain(full: &str) -> Option<String> {
    if full.contains('\n') {
        return None;
    }
    let mut out = String::new();
    let mut cur = full;
    loop {
        let body = cur.strip_prefix("template: ")?;
        let Some((loc, after)) = body.split_once(": executing ") else {
            // A template error without a location (`template: no template "x" associated
            // with template "gotpl"`): the last link, printed whole.
            out.push_str(cur);
            break;
        };
        let (name, after) = after.split_once(" at ")?;
        let (ctx, rest) = after.split_once(": ")?;
        out.push_str(&format!("{loc}\n  executing {name} at {ctx}:\n    "));
        match rest.find(" template:") {
            Some(i) => {
                // The wrapped error must itself be a template error: `error calling include:`
                // directly followed by it, not `error calling tpl: error during tpl ...`.
                let msg = &rest[..i];
                let direct = msg
                    .strip_prefix("error calling ")
                    .and_then(|f| f.strip_suffix(':'))
                    .is_some_and(|f| !f.is_empty() && !f.contains(' '));
                if !direct {
                    return None;
                }
                out.push_str(msg);
                out.push('\n');
                cur = &rest[i + 1..];
            }
            // A function's own error wrapped by text/template: Helm leaves the whole as is.
            None if rest.starts_with("error calling ") => return None,
            None => {
                out.push_str(rest);
                break;
            }
        }
    }
    Some(out.trim().to_string())
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Parse => write!(f, "template: {}:{}: {}", self.template, self.line, self.message),
            ErrorKind::Exec => write!(
                f,
                "template: {}:{}:{}: executing {} at <{}>: {}",
                self.template,
                self.line,
                self.column,
                crate::template::lexer::go_quote(&self.executing),
                self.context,
                self.message
            ),
            ErrorKind::Other if self.template.is_empty() => write!(f, "template: {}", self.message),
            ErrorKind::Other => write!(f, "template: {}: {}", self.template, self.message),
        }
    }
}

impl std::error::Error for TemplateError {}
