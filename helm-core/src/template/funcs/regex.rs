//! Template functions: regular expressions (`regexMatch`, `regexFind`, `regexFindAll`,
//! `regexReplaceAll`, `regexReplaceAllLiteral`, `regexSplit`, `regexQuoteMeta`, `mustRegex*`).
//!
//! Patterns are Go syntax, compiled by [`crate::gocompat::regexp`].
//!
//! The plain functions use `regexp.MustCompile`, so a bad pattern is a panic whose text the
//! template shows; the `must*` forms return `regexp.Compile`'s error instead.

use super::conversion::{int_arg, str_arg, string_list};
use super::{FuncError, FuncResult, FuncTable, Param};
use crate::gocompat::regexp::{compile, quote_meta};
use crate::gocompat::strconv::go_quote;
use crate::values::Value;
use regex::{NoExpand, Regex};

pub fn register(t: &mut FuncTable) {
    use Param::{Int, String as S};
    t.add("regexMatch", &[S, S], None, |a| {
        Ok(Value::Bool(
            compile(str_arg(a, 0))
                .map(|r| r.is_match(str_arg(a, 1)))
                .unwrap_or(false),
        ))
    });
    t.add("mustRegexMatch", &[S, S], None, |a| {
        Ok(Value::Bool(
            compile(str_arg(a, 0))
                .map_err(FuncError::new)?
                .is_match(str_arg(a, 1)),
        ))
    });
    t.add("regexFindAll", &[S, S, Int], None, |a| {
        find_all(a, must_compile(str_arg(a, 0))?)
    });
    t.add("mustRegexFindAll", &[S, S, Int], None, |a| {
        find_all(a, compile(str_arg(a, 0)).map_err(FuncError::new)?)
    });
    t.add("regexFind", &[S, S], None, |a| {
        find(a, must_compile(str_arg(a, 0))?)
    });
    t.add("mustRegexFind", &[S, S], None, |a| {
        find(a, compile(str_arg(a, 0)).map_err(FuncError::new)?)
    });
    t.add("regexReplaceAll", &[S, S, S], None, |a| {
        let r = must_compile(str_arg(a, 0))?;
        Ok(Value::from(
            r.replace_all(str_arg(a, 1), str_arg(a, 2)).into_owned(),
        ))
    });
    t.add("mustRegexReplaceAll", &[S, S, S], None, |a| {
        let r = compile(str_arg(a, 0)).map_err(FuncError::new)?;
        Ok(Value::from(
            r.replace_all(str_arg(a, 1), str_arg(a, 2)).into_owned(),
        ))
    });
    t.add("regexReplaceAllLiteral", &[S, S, S], None, |a| {
        let r = must_compile(str_arg(a, 0))?;
        Ok(Value::from(
            r.replace_all(str_arg(a, 1), NoExpand(str_arg(a, 2)))
                .into_owned(),
        ))
    });
    t.add("mustRegexReplaceAllLiteral", &[S, S, S], None, |a| {
        let r = compile(str_arg(a, 0)).map_err(FuncError::new)?;
        Ok(Value::from(
            r.replace_all(str_arg(a, 1), NoExpand(str_arg(a, 2)))
                .into_owned(),
        ))
    });
    t.add("regexSplit", &[S, S, Int], None, |a| {
        let r = must_compile(str_arg(a, 0))?;
        Ok(string_list(go_split(
            &r,
            str_arg(a, 0),
            str_arg(a, 1),
            int_arg(a, 2),
        )))
    });
    t.add("mustRegexSplit", &[S, S, Int], None, |a| {
        let r = compile(str_arg(a, 0)).map_err(FuncError::new)?;
        Ok(string_list(go_split(
            &r,
            str_arg(a, 0),
            str_arg(a, 1),
            int_arg(a, 2),
        )))
    });
    t.add("regexQuoteMeta", &[S], None, |a| {
        Ok(Value::from(quote_meta(str_arg(a, 0))))
    });
}

fn find(a: &[Value], r: Regex) -> FuncResult {
    Ok(Value::str(
        r.find(str_arg(a, 1)).map(|m| m.as_str()).unwrap_or(""),
    ))
}

/// `FindAllString(s, n)`: at most `n` matches (all when n < 0, none when n == 0).
fn find_all(a: &[Value], r: Regex) -> FuncResult {
    let n = int_arg(a, 2);
    if n == 0 {
        return Ok(Value::list(Vec::new()));
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    Ok(string_list(
        r.find_iter(str_arg(a, 1))
            .take(limit)
            .map(|m| m.as_str().to_string())
            .collect(),
    ))
}

/// Go's `(*Regexp).Split`.
fn go_split(r: &Regex, expr: &str, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !expr.is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for m in r.find_iter(s).take(limit) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = m.end();
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

/// `regexp.MustCompile`: a bad pattern is Go's panic text.
fn must_compile(expr: &str) -> Result<Regex, FuncError> {
    compile(expr)
        .map_err(|e| FuncError::new(format!("regexp: Compile({}): {e}", go_quote_expr(expr))))
}

/// Go's `regexp.quote`: backquoted when possible.
fn go_quote_expr(s: &str) -> String {
    if !s.contains('`') && !s.chars().any(|c| c.is_control() && c != '\t') {
        format!("`{s}`")
    } else {
        go_quote(s)
    }
}
