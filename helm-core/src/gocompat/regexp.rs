//! Go's `regexp` package: patterns in Go syntax compiled with Rust's `regex` crate.
//!
//! Go's `regexp` is RE2 and Rust's `regex` crate nearly is too, with differences a chart can
//! hit: in Go `\d`, `\w`, `\s` and `\b` are ASCII-only (Rust's are Unicode), `\s` excludes
//! `\v`, a `[` inside a character class is a literal (Rust nests classes) and `&&`, `--`, `~~`
//! inside classes are literals (Rust's set operators), and `\Q…\E` quotes. Patterns are
//! therefore rewritten into the equivalent Rust syntax before compiling. Match semantics
//! (leftmost-first, empty matches after a match skipped, `$name` expansion) agree already.

use regex::Regex;
use std::collections::HashMap;

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Compiled patterns by their source text, for the whole process: charts use the same few
/// patterns for every resource, and compiling costs more than matching. Bounded: cleared when
/// it holds `max` patterns (a chart making patterns from data cannot grow it without end).
pub struct PatternCache<V: 'static> {
    max: usize,
    map: std::sync::LazyLock<parking_lot::Mutex<HashMap<String, V>>>,
}

fn empty_map<V>() -> parking_lot::Mutex<HashMap<String, V>> {
    parking_lot::Mutex::new(HashMap::new())
}

impl<V: Clone> PatternCache<V> {
    pub const fn new(max: usize) -> Self {
        PatternCache {
            max,
            map: std::sync::LazyLock::new(empty_map::<V>),
        }
    }

    /// The cached value for `pattern`, or `compile(pattern)` (then cached).
    pub fn get(&self, pattern: &str, compile: impl FnOnce(&str) -> V) -> V {
        if let Some(v) = self.map.lock().get(pattern) {
            return v.clone();
        }
        let v = compile(pattern);
        let mut m = self.map.lock();
        if m.len() >= self.max {
            m.clear();
        }
        m.insert(pattern.to_string(), v.clone());
        v
    }
}

/// `regexp.Compile`: the pattern in Go syntax, or Go's error text. Charts call the same
/// `regexReplaceAll` in loops, and Go's per-call compile is the slow part: cached.
pub fn compile(expr: &str) -> Result<Regex, String> {
    static CACHE: PatternCache<Result<Regex, String>> = PatternCache::new(512);
    CACHE.get(expr, compile_uncached)
}

fn compile_uncached(expr: &str) -> Result<Regex, String> {
    let translated = translate(expr).map_err(|code| format!("error parsing regexp: {code}"))?;
    regex::RegexBuilder::new(&translated)
        .octal(true)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| {
            format!(
                "error parsing regexp: {}",
                go_error_guess(expr, &e.to_string())
            )
        })
}

/// A Go-style error description for a pattern Rust rejected.
fn go_error_guess(expr: &str, rust: &str) -> String {
    let open = expr
        .matches('(')
        .count()
        .saturating_sub(expr.matches("\\(").count());
    let close = expr
        .matches(')')
        .count()
        .saturating_sub(expr.matches("\\)").count());
    if open > close {
        return format!("missing closing ): `{expr}`");
    }
    if close > open {
        return format!("unexpected ): `{expr}`");
    }
    if rust.contains("repetition operator missing expression") {
        return "missing argument to repetition operator".to_string();
    }
    if rust.contains("unclosed character class") {
        let from = expr.rfind('[').unwrap_or(0);
        return format!("missing closing ]: `{}`", &expr[from..]);
    }
    let first = rust
        .lines()
        .last()
        .unwrap_or(rust)
        .trim()
        .trim_start_matches("error: ");
    format!("{first}: `{expr}`")
}

const GO_DIGIT: &str = "0-9";
const GO_WORD: &str = "0-9A-Za-z_";
const GO_SPACE: &str = "\\t\\n\\f\\r ";

/// Go's `\s` as a byte test (the same set as `GO_SPACE`, tab, newline, form feed, carriage return and space): for hand-written matchers that
/// replace a Go pattern.
pub fn is_go_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// Rewrites Go regexp syntax into Rust `regex` syntax with the same meaning.
fn translate(expr: &str) -> Result<String, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = String::with_capacity(expr.len() + 16);
    let mut i = 0;
    let mut in_class = false;
    let mut class_start = 0usize; // index in `chars` just after `[` / `[^`
    let mut last_repeat: Option<String> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            last_repeat = None;
            let Some(&n) = chars.get(i + 1) else {
                return Err("trailing backslash at end of expression: ``".into());
            };
            i += 2;
            if n == 'Q' {
                // \Q...\E: literal text.
                let mut lit = String::new();
                while i < chars.len() {
                    if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                        i += 2;
                        break;
                    }
                    lit.push(chars[i]);
                    i += 1;
                }
                if in_class {
                    for ch in lit.chars() {
                        out.push('\\');
                        out.push(ch);
                    }
                } else {
                    out.push_str(&regex::escape(&lit));
                }
                continue;
            }
            let class = match n {
                'd' => Some((GO_DIGIT, false)),
                'D' => Some((GO_DIGIT, true)),
                'w' => Some((GO_WORD, false)),
                'W' => Some((GO_WORD, true)),
                's' => Some((GO_SPACE, false)),
                'S' => Some((GO_SPACE, true)),
                _ => None,
            };
            match class {
                Some((set, negated)) => {
                    if in_class && !negated {
                        out.push_str(set);
                    } else {
                        out.push_str(if negated { "[^" } else { "[" });
                        out.push_str(set);
                        out.push(']');
                    }
                }
                None if !in_class && (n == 'b' || n == 'B') => {
                    out.push_str(if n == 'b' { "(?-u:\\b)" } else { "(?-u:\\B)" });
                }
                None => {
                    out.push('\\');
                    out.push(n);
                    // \p{Greek}, \P{L}, \x{263a}: the braces belong to the escape.
                    if matches!(n, 'p' | 'P' | 'x') && chars.get(i) == Some(&'{') {
                        while i < chars.len() {
                            out.push(chars[i]);
                            i += 1;
                            if chars[i - 1] == '}' {
                                break;
                            }
                        }
                    }
                }
            }
            continue;
        }
        if in_class {
            last_repeat = None;
            match c {
                ']' if i > class_start => {
                    in_class = false;
                    out.push(']');
                }
                '[' if chars.get(i + 1) == Some(&':') => {
                    // POSIX class [:alpha:]: copy through the closing ":]".
                    let rest: String = chars[i..].iter().collect();
                    match rest.find(":]") {
                        Some(end) => {
                            out.push_str(&rest[..end + 2]);
                            i += rest[..end + 2].chars().count();
                            continue;
                        }
                        None => out.push_str("\\["),
                    }
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' if chars.get(i + 1) == Some(&'-') && i > class_start => {
                    // `X--` is the range X..'-' in Go (Rust would read `--` as set difference).
                    let start = chars[i - 1];
                    if start > '-' {
                        return Err(format!("invalid character class range: `{start}--`"));
                    }
                    out.push_str("-\\-");
                    i += 2;
                    continue;
                }
                '-' if chars.get(i + 1) == Some(&'-')
                    || out.ends_with('-') && !out.ends_with("\\-") =>
                {
                    out.push_str("\\-");
                }
                ']' => out.push_str("\\]"),
                _ => out.push(c),
            }
            i += 1;
            continue;
        }
        // Repetition operators: Go rejects one applied to another (`a**`), but reads a `{`
        // that does not start a valid `{n}`, `{n,}`, `{n,m}` as a literal.
        let rep_len = match c {
            '*' | '+' | '?' => Some(1),
            '{' => counted_repeat_len(&chars[i..]),
            _ => None,
        };
        if c == '{' && rep_len.is_none() {
            out.push_str("\\{");
            i += 1;
            last_repeat = None;
            continue;
        }
        if let Some(len) = rep_len {
            let op: String = chars[i..i + len].iter().collect();
            if let Some(prev) = &last_repeat {
                return Err(format!("invalid nested repetition operator: `{prev}{op}`"));
            }
            out.push_str(&op);
            i += len;
            let mut text = op;
            if chars.get(i) == Some(&'?') {
                out.push('?');
                text.push('?');
                i += 1;
            }
            last_repeat = Some(text);
            continue;
        }
        last_repeat = None;
        if c == '}' {
            out.push_str("\\}");
            i += 1;
            continue;
        }
        if c == '[' {
            in_class = true;
            out.push('[');
            i += 1;
            if chars.get(i) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            class_start = i;
            continue;
        }
        out.push(c);
        i += 1;
    }
    if in_class {
        let start = expr.rfind('[').unwrap_or(0);
        return Err(format!("missing closing ]: `{}`", &expr[start..]));
    }
    Ok(out)
}

/// The length of a valid counted repetition (`{2}`, `{2,}`, `{2,5}`) at the start of `s`.
fn counted_repeat_len(s: &[char]) -> Option<usize> {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if s.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    (s.get(i) == Some(&'}')).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_keeps_go_meaning() {
        let r = compile(r"^\d+$").unwrap();
        assert!(r.is_match("123"));
        assert!(!r.is_match("١٢٣")); // Arabic-Indic digits are not \d in Go
        assert!(compile(r"[[]").unwrap().is_match("["));
        assert!(compile(r"[a&&b]").unwrap().is_match("&"));
        assert!(!compile(r"\s").unwrap().is_match("\u{b}"));
        assert!(compile(r"\Qa.b\E").unwrap().is_match("a.b"));
        assert!(!compile(r"\Qa.b\E").unwrap().is_match("axb"));
    }
}
