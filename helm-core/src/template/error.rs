//! Template errors, carrying what Go's `text/template` puts in its error strings.
//!
//! Go formats parse errors as `template: FILE:LINE: MSG` and execution errors as
//! `template: FILE:LINE:COL: executing "NAME" at <NODE>: MSG` (COL is a 0-based byte offset
//! in the line, as Go computes it). Helm then rewrites both (`parse error at (FILE:LINE): MSG`,
//! `execution error at (FILE:LINE:COL): MSG` for `fail`/`required`, and Helm 4's multi-line
//! layout of an error raised inside `include`), so the parts are kept separately, an error
//! raised inside `include`/`tpl` keeps the nested template error as its [`TemplateError::cause`],
//! and both texts are written from those parts: [`fmt::Display`] gives Go's text and
//! [`TemplateError::helm_message`] Helm's.

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

/// A place in a template where an error happened: one level of an error's call chain.
/// Serialized as the release server's `location` (`template`, `line`, `column`, `executing`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TemplateLocation {
    /// The file the failing node was parsed from, e.g. `mychart/templates/deployment.yaml`
    /// (`gotpl` for the text of a `tpl` call, as Helm names it).
    pub template: String,
    /// 1-based line (0 when unknown: a rendered document that is not valid YAML).
    pub line: usize,
    /// Go's column (a 0-based byte offset within the line); `None` where Helm's message has
    /// none (parse errors, YAML errors of a rendered document).
    pub column: Option<usize>,
    /// The template being executed there (a `define` name or the file name); empty for
    /// parse errors and YAML errors.
    #[serde(default)]
    pub executing: String,
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
    /// The function whose call failed, for Go's `error calling NAME: …` errors (a function's
    /// own error or one raised inside `include`/`tpl`).
    pub function: Option<String>,
    /// The error itself, after the location prefix and `error calling NAME: `. With a
    /// [`cause`](Self::cause): the function's own words before the nested error
    /// (`error during tpl function execution for "…"`), or empty when the function returned
    /// the nested error itself (`include`).
    pub message: String,
    /// The template error raised inside the called function (`include`, `tpl`).
    pub cause: Option<Box<TemplateError>>,
}

impl TemplateError {
    pub fn parse(template: &str, line: usize, message: impl Into<String>) -> Self {
        TemplateError::unplaced(ErrorKind::Parse, template, line, message.into())
    }

    pub fn other(template: &str, message: impl Into<String>) -> Self {
        TemplateError::unplaced(ErrorKind::Other, template, 0, message.into())
    }

    /// An error known only by its template and line: no column, node or called function.
    fn unplaced(kind: ErrorKind, template: &str, line: usize, message: String) -> Self {
        TemplateError {
            kind,
            template: template.into(),
            line,
            column: 0,
            executing: String::new(),
            context: String::new(),
            function: None,
            message,
            cause: None,
        }
    }

    /// Where this error happened (not following its cause); `None` for errors raised before
    /// any node ([`ErrorKind::Other`]), which have no place in a file.
    pub fn location(&self) -> Option<TemplateLocation> {
        let column = match self.kind {
            ErrorKind::Parse => None,
            ErrorKind::Exec => Some(self.column),
            ErrorKind::Other => return None,
        };
        Some(TemplateLocation {
            template: self.template.clone(),
            line: self.line,
            column,
            executing: self.executing.clone(),
        })
    }

    /// The errors from this one through its causes, outermost first.
    pub fn errors(&self) -> impl Iterator<Item = &TemplateError> {
        std::iter::successors(Some(self), |e| e.cause.as_deref())
    }

    /// The call chain: where each level failed, from the template Helm executed (outermost)
    /// to the one where the error was raised (innermost). Levels without a place
    /// ([`ErrorKind::Other`]) are left out.
    pub fn chain(&self) -> Vec<TemplateLocation> {
        self.errors().filter_map(TemplateError::location).collect()
    }

    /// `FILE:LINE` or `FILE:LINE:COL`, as Go and Helm print a location.
    fn position(&self) -> String {
        match self.kind {
            ErrorKind::Parse => format!("{}:{}", self.template, self.line),
            ErrorKind::Exec => format!("{}:{}:{}", self.template, self.line, self.column),
            ErrorKind::Other => self.template.clone(),
        }
    }

    /// Go's text after the location prefix, nested errors included.
    fn full_message(&self) -> String {
        let mut s = String::new();
        let _ = self.write_text(&mut s, false);
        s
    }

    /// Go's text of this error and its causes (a loop, not recursion: `include` chains can be
    /// a thousand levels deep), with or without this error's own location prefix.
    fn write_text(&self, f: &mut dyn fmt::Write, with_prefix: bool) -> fmt::Result {
        for (i, e) in self.errors().enumerate() {
            if with_prefix || i > 0 {
                e.write_prefix(f)?;
            }
            if let Some(func) = &e.function {
                write!(f, "error calling {func}: ")?;
            }
            f.write_str(&e.message)?;
            if e.cause.is_some() && !e.message.is_empty() {
                f.write_str(": ")?;
            }
        }
        Ok(())
    }

    /// `template: LOCATION: ` and, for execution errors, `executing "NAME" at <NODE>: `.
    fn write_prefix(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self.kind {
            ErrorKind::Parse => write!(f, "template: {}:{}: ", self.template, self.line),
            ErrorKind::Exec => write!(
                f,
                "template: {}:{}:{}: executing {} at <{}>: ",
                self.template,
                self.line,
                self.column,
                crate::gocompat::strconv::go_quote(&self.executing),
                self.context,
            ),
            ErrorKind::Other if self.template.is_empty() => f.write_str("template: "),
            ErrorKind::Other => write!(f, "template: {}: ", self.template),
        }
    }

    /// Helm's rewrite of the error (`cleanupParseError` / `cleanupExecError`):
    /// `parse error at (FILE:LINE): MSG` for parse errors, `execution error at (FILE:L:C): MSG`
    /// when the message carries a `fail`/`required` marker, Helm 4's layout of errors raised
    /// inside `include` (`helm4_layout`), else Go's text unchanged.
    pub fn helm_message(&self) -> String {
        match self.kind {
            ErrorKind::Parse => {
                // Helm keeps the last `: `-separated part of Go's text.
                let last = self.message.rsplit(": ").next().unwrap_or("");
                format!("parse error at ({}): {}", self.position(), last)
            }
            ErrorKind::Exec => {
                // Helm finds the markers anywhere in the text, nested errors included (a
                // `fail` inside `tpl`), and names the outermost location.
                let message = self.full_message();
                match crate::template::funcs::helm::user_error_text(&message) {
                    Some(msg) => format!("execution error at ({}): {}", self.position(), msg),
                    None => self.helm4_layout().unwrap_or_else(|| self.to_string()),
                }
            }
            ErrorKind::Other => self.to_string(),
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
    /// Helm walks Go's error chain and keeps Go's text as soon as one link is not a template
    /// error: a function's own error (`error calling index: index of untyped nil`), a
    /// function's words around a nested error (`error calling tpl: error during tpl function
    /// execution …`); and it keeps any text of several lines. A level without a place
    /// (`template: no template "x" associated with template "gotpl"`) ends the layout, printed
    /// whole.
    fn helm4_layout(&self) -> Option<String> {
        if self.errors().any(|e| {
            [&e.template, &e.executing, &e.context, &e.message]
                .iter()
                .any(|s| s.contains('\n'))
        }) {
            return None;
        }
        let mut out = String::new();
        let mut cur = self;
        loop {
            if cur.kind != ErrorKind::Exec {
                out.push_str(&cur.to_string());
                break;
            }
            out.push_str(&format!(
                "{}\n  executing {} at <{}>:\n    ",
                cur.position(),
                crate::gocompat::strconv::go_quote(&cur.executing),
                cur.context
            ));
            match (&cur.function, &cur.cause) {
                (Some(func), Some(cause)) if cur.message.is_empty() => {
                    out.push_str(&format!("error calling {func}:\n"));
                    cur = cause;
                }
                (Some(_), _) => return None,
                (None, _) => {
                    out.push_str(&cur.message);
                    break;
                }
            }
        }
        Some(out.trim().to_string())
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f, true)
    }
}

impl std::error::Error for TemplateError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(
        template: &str,
        line: usize,
        column: usize,
        executing: &str,
        context: &str,
        message: &str,
    ) -> TemplateError {
        TemplateError {
            kind: ErrorKind::Exec,
            template: template.into(),
            line,
            column,
            executing: executing.into(),
            context: context.into(),
            function: None,
            message: message.into(),
            cause: None,
        }
    }

    fn calling(
        mut e: TemplateError,
        func: &str,
        words: &str,
        cause: TemplateError,
    ) -> TemplateError {
        e.function = Some(func.into());
        e.message = words.into();
        e.cause = Some(Box::new(cause));
        e
    }

    fn loc(
        template: &str,
        line: usize,
        column: Option<usize>,
        executing: &str,
    ) -> TemplateLocation {
        TemplateLocation {
            template: template.into(),
            line,
            column,
            executing: executing.into(),
        }
    }

    #[test]
    fn include_chain_as_data_and_both_texts() {
        let inner = exec(
            "c/templates/_h.tpl",
            3,
            12,
            "t2",
            ".Values.q.w",
            "nil pointer evaluating interface {}.w",
        );
        let outer = exec(
            "c/templates/a.yaml",
            1,
            6,
            "c/templates/a.yaml",
            "include \"t2\" .",
            "",
        );
        let e = calling(outer, "include", "", inner);
        assert_eq!(
            e.chain(),
            vec![
                loc("c/templates/a.yaml", 1, Some(6), "c/templates/a.yaml"),
                loc("c/templates/_h.tpl", 3, Some(12), "t2")
            ]
        );
        assert_eq!(
            e.to_string(),
            "template: c/templates/a.yaml:1:6: executing \"c/templates/a.yaml\" at <include \"t2\" .>: error calling include: template: c/templates/_h.tpl:3:12: executing \"t2\" at <.Values.q.w>: nil pointer evaluating interface {}.w"
        );
        assert_eq!(
            e.helm_message(),
            "c/templates/a.yaml:1:6\n  executing \"c/templates/a.yaml\" at <include \"t2\" .>:\n    error calling include:\nc/templates/_h.tpl:3:12\n  executing \"t2\" at <.Values.q.w>:\n    nil pointer evaluating interface {}.w"
        );
    }

    #[test]
    fn tpl_words_keep_gos_text() {
        let inner = exec(
            "gotpl",
            1,
            3,
            "gotpl",
            ".Values.a.b",
            "nil pointer evaluating interface {}.b",
        );
        let outer = exec(
            "c/templates/a.yaml",
            2,
            4,
            "c/templates/a.yaml",
            "tpl \"{{ .Values.a.b }}\" .",
            "",
        );
        let e = calling(
            outer,
            "tpl",
            "error during tpl function execution for \"{{ .Values.a.b }}\"",
            inner,
        );
        assert_eq!(e.chain().len(), 2);
        assert_eq!(e.chain()[1], loc("gotpl", 1, Some(3), "gotpl"));
        assert_eq!(e.helm_message(), e.to_string());
        assert!(e.to_string().contains(": error calling tpl: error during tpl function execution for \"{{ .Values.a.b }}\": template: gotpl:1:3: "));
    }

    #[test]
    fn fail_names_the_outermost_location() {
        let mut inner = exec(
            "c/templates/_h.tpl",
            1,
            30,
            "h.fail",
            "fail \"deep\"",
            "HELM_ERR_STARTdeepHELM_ERR_END",
        );
        inner.function = Some("fail".into());
        let outer = exec(
            "c/templates/a.yaml",
            4,
            7,
            "c/templates/a.yaml",
            "include \"h.fail\" .",
            "",
        );
        let e = calling(outer, "include", "", inner);
        assert_eq!(
            e.helm_message(),
            "execution error at (c/templates/a.yaml:4:7): deep"
        );
        assert_eq!(
            e.chain().last(),
            Some(&loc("c/templates/_h.tpl", 1, Some(30), "h.fail"))
        );
    }

    #[test]
    fn a_functions_own_error_keeps_gos_text() {
        let mut e = exec(
            "c/templates/a.yaml",
            1,
            3,
            "c/templates/a.yaml",
            "index .A 3",
            "index of untyped nil",
        );
        e.function = Some("index".into());
        assert_eq!(e.helm_message(), "template: c/templates/a.yaml:1:3: executing \"c/templates/a.yaml\" at <index .A 3>: error calling index: index of untyped nil");
        assert_eq!(
            e.chain(),
            vec![loc("c/templates/a.yaml", 1, Some(3), "c/templates/a.yaml")]
        );
    }

    #[test]
    fn a_level_without_place_ends_the_layout() {
        let missing =
            TemplateError::other("", "no template \"x\" associated with template \"gotpl\"");
        let outer = exec(
            "c/templates/a.yaml",
            1,
            3,
            "c/templates/a.yaml",
            "include \"x\" .",
            "",
        );
        let e = calling(outer, "include", "", missing);
        assert_eq!(e.chain().len(), 1);
        assert_eq!(
            e.helm_message(),
            "c/templates/a.yaml:1:3\n  executing \"c/templates/a.yaml\" at <include \"x\" .>:\n    error calling include:\ntemplate: no template \"x\" associated with template \"gotpl\""
        );
    }

    #[test]
    fn parse_error_location() {
        let e = TemplateError::parse("c/templates/a.yaml", 3, "unexpected \"}\" in operand");
        assert_eq!(e.location(), Some(loc("c/templates/a.yaml", 3, None, "")));
        assert_eq!(
            e.helm_message(),
            "parse error at (c/templates/a.yaml:3): unexpected \"}\" in operand"
        );
    }
}
