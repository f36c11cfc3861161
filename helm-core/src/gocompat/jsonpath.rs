//! Kubernetes JSONPath templates, as client-go's `util/jsonpath` parses and runs them.
//!
//! `helm show values --jsonpath TEMPLATE` (and `kubectl -o jsonpath`) hand a template such as
//! `{range .ports[*]}{.name}{"\n"}{end}` to client-go; users script against its exact output,
//! so this follows that implementation rather than any JSONPath standard, quirks included:
//!
//! - `['a.b']` is re-parsed as `.a.b` (two fields); a key with a dot is written `.a\.b`;
//! - numbers read from values files are float64, so `[?(@.port==80)]` compares an int with a
//!   float and fails (the whole template then prints nothing); `80.0` matches;
//! - a template error ends the evaluation and nothing is printed (Helm ignores the error);
//! - `range` without `end` runs the rest of the template once per item, then once more;
//! - ranging over `null` items gives `<no value>`, a `null` printed directly is `null`;
//! - `*` and `..` descend into strings byte by byte;
//! - each `{…}` prints its results joined by single spaces: strings raw, maps and lists as
//!   `encoding/json` writes them, other scalars as Go's `fmt.Print` (`1e+06`).
//!
//! Go iterates maps in a random order for `*` and `..`; here they are visited in sorted key
//! order. Where client-go panics (indexing or ranging over the missing item of an empty
//! `range`), [`JsonPathError::GoPanic`] carries the panic's message.
//!
//! Hostile templates and values are bounded: parsing and the descent into values use no
//! native recursion beyond the parse tree's own nesting (which [`guard`] protects), and one
//! evaluation may produce at most [`MAX_WORK`] intermediate results (a chain of `range`s
//! without `end`, or of `..`, grows exponentially in Go, which then runs out of memory).

use crate::gocompat::fmt::sprint;
use crate::gocompat::gostring::{from_go_bytes, go_bytes};
use crate::gocompat::strconv::is_go_printable;
use crate::values::deep::guard;
use crate::values::{json, Value};
use regex::Regex;
use std::sync::LazyLock;

/// The most intermediate results one evaluation may produce before it stops with
/// [`JsonPathError::TooLarge`].
pub const MAX_WORK: u64 = 10_000_000;

/// Why a template could not be parsed or run; the texts are client-go's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonPathError {
    /// The template is malformed (`unterminated array`, `unclosed action`, …).
    #[error("{0}")]
    Parse(String),
    /// Evaluation failed (`image is not found`, `array index out of bounds: …`).
    #[error("{0}")]
    Execute(String),
    /// client-go panics here; the text is the panic's message.
    #[error("{0}")]
    GoPanic(&'static str),
    /// The evaluation produced more than [`MAX_WORK`] intermediate results.
    #[error("jsonpath evaluation exceeds {MAX_WORK} intermediate results")]
    TooLarge,
}

/// One element of a slice expression `[start:end:step]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Param {
    value: i64,
    known: bool,
    /// `end` was not written: it is `start + 1` (a plain index).
    derived: bool,
}

/// A parse tree node (client-go's node types).
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    List(Vec<Node>),
    Field(String),
    Identifier(String),
    Array([Param; 3]),
    Filter {
        left: Vec<Node>,
        right: Vec<Node>,
        op: String,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    Wildcard,
    Recursive,
    Union(Vec<Vec<Node>>),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct JsonPath {
    /// Top-level nodes: literal text and `{…}` actions.
    nodes: Vec<Node>,
    allow_missing_keys: bool,
    /// [`MAX_WORK`] (lower in tests).
    work_limit: u64,
}

impl JsonPath {
    /// Parses a template (client-go's `JSONPath.Parse`). Missing keys are errors, as in Helm.
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        Ok(JsonPath {
            nodes: parse(template).map_err(JsonPathError::Parse)?,
            allow_missing_keys: false,
            work_limit: MAX_WORK,
        })
    }

    /// Whether a field that matches nothing gives an empty result instead of an error
    /// (`kubectl` allows them, `helm show values` does not).
    pub fn allow_missing_keys(mut self, allow: bool) -> JsonPath {
        self.allow_missing_keys = allow;
        self
    }

    /// Evaluates the template over `data` and appends what it prints to `out` (client-go's
    /// `Execute`): every result is found first, so an evaluation error leaves `out` untouched.
    pub fn execute(&self, data: &Value, out: &mut String) -> Result<(), JsonPathError> {
        let mut exec = Exec {
            nodes: &self.nodes,
            allow_missing_keys: self.allow_missing_keys,
            begin_range: 0,
            in_range: 0,
            end_range: 0,
            last_end: None,
            work: 0,
            work_limit: self.work_limit,
        };
        let results = exec.find_results(Item::Val(data.clone()), 0)?;
        for group in &results {
            print_results(group, out)?;
        }
        Ok(())
    }
}

// ----- parsing -----------------------------------------------------------------------------------

/// `unicode.IsLetter` and `unicode.IsDigit`, which differ from Rust's `is_alphabetic` and
/// `is_numeric` (those also take letter-like numbers and other numerics).
static LETTER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{L}$").expect("valid"));
static DIGIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{Nd}$").expect("valid"));

fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    LETTER.is_match(c.encode_utf8(&mut [0; 4]))
}

fn is_digit(c: char) -> bool {
    if (c as u32) <= 0xFF {
        return c.is_ascii_digit();
    }
    DIGIT.is_match(c.encode_utf8(&mut [0; 4]))
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || is_letter(c) || is_digit(c)
}

/// Characters that end a field name or identifier (`None` is the end of input).
fn is_terminator(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
        ),
    }
}

/// Go's `%#U`: `U+007C '|'`, without the character when it is not printable.
fn go_unicode(c: char) -> String {
    if is_go_printable(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// The scanner: a position in the template, the start of the token being read and the width
/// of the last character read (for `backup`).
struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
}

/// Parses a whole template into its top-level nodes.
fn parse(text: &str) -> Result<Vec<Node>, String> {
    let mut p = Parser {
        input: text,
        pos: 0,
        start: 0,
        width: 0,
    };
    let mut root = Vec::new();
    loop {
        // Literal text up to the next `{`.
        let at_action = loop {
            if p.rest().starts_with('{') {
                break true;
            }
            if p.next().is_none() {
                break false;
            }
        };
        if p.pos > p.start {
            root.push(Node::Text(p.consume().to_string()));
        }
        if !at_action {
            return Ok(root);
        }
        p.pos += 1;
        p.consume();
        let mut action = Vec::new();
        let done = p.parse_inside_action(&mut action);
        root.push(Node::List(action));
        done?;
    }
}

/// Parses `{text}` on its own and returns the action's nodes (client-go's `parseAction`, used
/// for union members, `['key']` and filter operands).
fn parse_action(text: &str) -> Result<Vec<Node>, String> {
    let nodes = guard(|| parse(&format!("{{{text}}}")))?;
    match nodes.into_iter().next() {
        Some(Node::List(list)) => Ok(list),
        _ => Ok(Vec::new()),
    }
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn consume(&mut self) -> &'a str {
        let s = self.input.get(self.start..self.pos).unwrap_or("");
        self.start = self.pos;
        s
    }

    fn next(&mut self) -> Option<char> {
        match self.rest().chars().next() {
            None => {
                self.width = 0;
                None
            }
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&mut self) -> Option<char> {
        self.rest().chars().next()
    }

    /// The byte two before the current position: the one before the character just read.
    fn byte_before_last(&self) -> Option<u8> {
        self.pos
            .checked_sub(2)
            .and_then(|i| self.input.as_bytes().get(i).copied())
    }

    /// The inside of `{…}` up to and including its `}`.
    fn parse_inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(());
            }
            if rest.starts_with("[?(") {
                self.parse_filter(cur)?;
                continue;
            }
            if rest.starts_with("..") {
                self.parse_recursive(cur)?;
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return Err("unclosed action".into()),
                Some(' ' | '@' | '$') => {
                    self.consume();
                }
                Some('[') => self.parse_array(cur)?,
                Some(q @ ('"' | '\'')) => self.parse_quote(cur, q)?,
                Some('.') => self.parse_field(cur),
                Some(c) if c == '+' || c == '-' || is_digit(c) => {
                    self.backup();
                    self.parse_number(cur)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup();
                    self.parse_identifier(cur);
                }
                Some(c) => {
                    return Err(format!(
                        "unrecognized character in action: {}",
                        go_unicode(c)
                    ))
                }
            }
        }
    }

    /// `range`, `end`, `true`, `false` or an unknown word (an error when evaluated).
    fn parse_identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let c = self.next();
            if is_terminator(c) {
                self.backup();
                break;
            }
        }
        let word = self.consume();
        cur.push(match word {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => Node::Identifier(word.to_string()),
        });
    }

    /// `..`, then a field when a name follows directly.
    fn parse_recursive(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(cur.last(), Some(Node::Recursive)) {
            return Err("invalid multiple recursive descent".into());
        }
        self.pos += 2;
        self.consume();
        cur.push(Node::Recursive);
        if self.peek().is_some_and(is_alphanumeric) {
            self.parse_field(cur);
        }
        Ok(())
    }

    /// A number: an int when Go's `Atoi` takes it, else a float.
    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            match self.next() {
                Some(c) if c == '.' || is_digit(c) => {}
                _ => {
                    self.backup();
                    break;
                }
            }
        }
        let text = self.consume();
        if let Some(i) = go_atoi(text) {
            cur.push(Node::Int(i));
            return Ok(());
        }
        match go_parse_float(text) {
            Some(f) => {
                cur.push(Node::Float(f));
                Ok(())
            }
            None => Err(format!("cannot parse number {text}")),
        }
    }

    /// `[…]`: a union `[a,b]`, a key `['k']`, an index or a slice.
    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let token = self.consume();
        let mut text = token.get(1..token.len() - 1).unwrap_or("");
        if text == "*" {
            text = ":";
        }
        if text.contains(',') {
            let mut members = Vec::new();
            for part in text.split(',') {
                members.push(parse_action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(members));
            return Ok(());
        }
        if let Some(key) = dict_key(text) {
            cur.extend(parse_action(&format!(".{key}"))?);
            return Ok(());
        }
        let Some(parts) = slice_parts(text) else {
            return Err(format!("invalid array index {text}"));
        };
        let mut params = [Param::default(); 3];
        for (i, part) in parts.iter().enumerate() {
            if !part.is_empty() {
                let digits = if i > 0 { &part[1..] } else { part };
                if i > 0 && digits.is_empty() {
                    params[i].known = false;
                } else {
                    params[i].known = true;
                    params[i].value = go_atoi(digits)
                        .ok_or_else(|| format!("array index {digits} is not a number"))?;
                }
            } else if i == 1 {
                params[1] = Param {
                    value: params[0].value.wrapping_add(1),
                    known: true,
                    derived: true,
                };
            }
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    /// `[?(left OP right)]` or `[?(path)]` (the path exists).
    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let (mut begin, mut end) = (false, false);
        let mut pair = '"';
        loop {
            let c = self.next();
            match c {
                None | Some('\n') => return Err("unterminated filter".into()),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                        continue;
                    }
                    if self.byte_before_last() != Some(b'\\') && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let token = self.consume();
        let text = token.get(..token.len() - 2).unwrap_or("");
        match split_comparison(text) {
            None => cur.push(Node::Filter {
                left: parse_action(text)?,
                right: Vec::new(),
                op: "exists".into(),
            }),
            Some((left, op, right)) => {
                let left = parse_action(left)?;
                let right = parse_action(right)?;
                cur.push(Node::Filter {
                    left,
                    right,
                    op: op.to_string(),
                });
            }
        }
        Ok(())
    }

    /// A quoted string, unquoted as Go's `strconv.Unquote` (single quotes too).
    fn parse_quote(&mut self, cur: &mut Vec<Node>, quote: char) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == quote && self.byte_before_last() != Some(b'\\') => break,
                Some(_) => {}
            }
        }
        let token = self.consume();
        let s = unquote_extend(token)
            .ok_or_else(|| format!("unquote string {token} error invalid syntax"))?;
        cur.push(Node::Text(s));
        Ok(())
    }

    /// `.name` (backslashes escape terminators and are dropped) or `.*`.
    fn parse_field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            let c = self.next();
            if c == Some('\\') {
                self.next();
            } else if is_terminator(c) {
                self.backup();
                break;
            }
        }
        let name = self.consume();
        cur.push(if name == "*" {
            Node::Wildcard
        } else {
            Node::Field(name.replace('\\', ""))
        });
    }
}

/// `'key'` (no quote inside) → `key`.
fn dict_key(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    (!inner.contains('\'')).then_some(inner)
}

/// client-go's slice pattern `^(-?\d*)(:-?\d*)?(:-?\d*)?$`: the three groups, "" when absent.
fn slice_parts(text: &str) -> Option<[&str; 3]> {
    fn number_end(s: &str, from: usize) -> usize {
        let b = s.as_bytes();
        let mut i = from;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }
    let mut parts = [""; 3];
    let mut at = number_end(text, 0);
    parts[0] = &text[..at];
    for part in parts.iter_mut().skip(1) {
        if text.as_bytes().get(at) != Some(&b':') {
            break;
        }
        let end = number_end(text, at + 1);
        *part = &text[at..end];
        at = end;
    }
    (at == text.len()).then_some(parts)
}

/// client-go's filter pattern `^([^!<>=]+)([!<>=]+)(.+?)$`: the left operand, the operator
/// and the right operand, or None for an existence test.
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |b: &u8| matches!(b, b'!' | b'<' | b'>' | b'=');
    let bytes = text.as_bytes();
    let op_start = bytes.iter().position(is_op)?;
    if op_start == 0 {
        return None;
    }
    let mut op_end = op_start + bytes[op_start..].iter().take_while(|b| is_op(b)).count();
    if op_end == bytes.len() {
        // The right operand needs a character: the operator gives back its last one.
        if op_end - op_start < 2 {
            return None;
        }
        op_end -= 1;
    }
    // `.` does not match a newline (none can reach here: the filter ends at one).
    Some((&text[..op_start], &text[op_start..op_end], &text[op_end..]))
}

/// Go's `strconv.Atoi` (64-bit `int`).
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for the digits, points and signs a number token holds;
/// out of range is an error there.
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if !body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || body.bytes().filter(|&b| b == b'.').count() > 1
        || !body.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// client-go's `UnquoteExtend`: Go's `strconv.Unquote` for `"…"` and for `'…'` holding any
/// number of characters. The result keeps bytes that are not UTF-8 (`\xff`) as Go does.
fn unquote_extend(token: &str) -> Option<String> {
    let b = token.as_bytes();
    let quote = *b.first()?;
    if b.len() < 2 || b[b.len() - 1] != quote || !(quote == b'"' || quote == b'\'') {
        return None;
    }
    let inner = &token[1..token.len() - 1];
    if !inner.bytes().any(|c| c == b'\\' || c == quote) {
        return Some(inner.to_string());
    }
    let mut s = inner.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    while !s.is_empty() {
        let (c, multibyte, tail) = unquote_char(s, quote)?;
        s = tail;
        if c < 0x80 || !multibyte {
            out.push(c as u8);
        } else {
            let ch = char::from_u32(c)?;
            out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
    Some(from_go_bytes(&out))
}

/// Go's `strconv.UnquoteChar`: the first character or escape of `s`, whether it stands for a
/// UTF-8 character (rather than one byte), and the rest.
fn unquote_char(s: &[u8], quote: u8) -> Option<(u32, bool, &[u8])> {
    let c = *s.first()?;
    if c == quote {
        return None;
    }
    if c >= 0x80 {
        let len = match c {
            0xF0.. => 4,
            0xE0.. => 3,
            _ => 2,
        };
        let ch = std::str::from_utf8(s.get(..len)?).ok()?.chars().next()?;
        return Some((ch as u32, true, &s[len..]));
    }
    if c != b'\\' {
        return Some((c as u32, false, &s[1..]));
    }
    let esc = *s.get(1)?;
    let s = &s[2..];
    let simple = |v: u8| Some((v as u32, false, s));
    match esc {
        b'a' => simple(7),
        b'b' => simple(8),
        b'f' => simple(12),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(11),
        b'\\' => simple(b'\\'),
        b'\'' | b'"' if esc == quote => simple(esc),
        b'x' | b'u' | b'U' => {
            let n = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = std::str::from_utf8(s.get(..n)?).ok()?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return None;
            }
            let v = u32::from_str_radix(hex, 16).ok()?;
            if esc == b'x' {
                return Some((v, false, &s[n..]));
            }
            char::from_u32(v)?;
            Some((v, true, &s[n..]))
        }
        b'0'..=b'7' => {
            let rest = s.get(..2)?;
            let mut v = (esc - b'0') as u32;
            for &d in rest {
                if !(b'0'..=b'7').contains(&d) {
                    return None;
                }
                v = (v << 3) | (d - b'0') as u32;
            }
            (v <= 255).then_some((v, false, &s[2..]))
        }
        _ => None,
    }
}

// ----- evaluation --------------------------------------------------------------------------------

/// A result: a value, or Go's zero `reflect.Value` (what a `range` over a `null` item, or
/// over nothing, starts from).
#[derive(Clone)]
enum Item {
    Invalid,
    Val(Value),
}

/// A failed step: client-go returns some values alongside its error, and an existence filter
/// (`[?(@.x)]`) still looks at them.
struct Fail {
    partial: Vec<Item>,
    error: JsonPathError,
}

type Step = Result<Vec<Item>, Fail>;

fn fail(partial: Vec<Item>, message: String) -> Fail {
    Fail {
        partial,
        error: JsonPathError::Execute(message),
    }
}

fn go_panic(message: &'static str) -> Fail {
    Fail {
        partial: Vec::new(),
        error: JsonPathError::GoPanic(message),
    }
}

/// The evaluation state: client-go keeps the `range`/`end` bookkeeping in counters on the
/// JSONPath object, shared by every level of the walk.
struct Exec<'t> {
    nodes: &'t [Node],
    allow_missing_keys: bool,
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    /// Index (in `nodes`) of the last `end` reached.
    last_end: Option<usize>,
    work: u64,
    work_limit: u64,
}

impl Exec<'_> {
    fn charge(&mut self, n: usize) -> Result<(), Fail> {
        self.work += n as u64 + 1;
        if self.work > self.work_limit {
            return Err(Fail {
                partial: Vec::new(),
                error: JsonPathError::TooLarge,
            });
        }
        Ok(())
    }

    /// client-go's `FindResults` over `nodes[start..]`: each top-level node's results, a
    /// `range` running the following nodes once per item up to its `end`.
    fn find_results(&mut self, data: Item, start: usize) -> Result<Vec<Vec<Item>>, JsonPathError> {
        let cur = vec![data];
        let mut full = Vec::new();
        let mut i = start;
        while i < self.nodes.len() {
            let node = &self.nodes[i];
            let results = self.walk(&cur, node).map_err(|f| f.error)?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    // Still walked, to find the `end` (errors count, the results do not).
                    guard(|| self.find_results(Item::Invalid, i + 1))?;
                } else {
                    for item in results {
                        let data = match item {
                            Item::Val(Value::Nil) => Item::Invalid,
                            Item::Val(v) => Item::Val(v),
                            Item::Invalid => {
                                return Err(JsonPathError::GoPanic(
                                    "reflect: call of reflect.Value.Interface on zero Value",
                                ))
                            }
                        };
                        full.extend(guard(|| self.find_results(data, i + 1))?);
                    }
                }
                self.in_range -= 1;
                if let Some(end) = self.last_end.filter(|&e| e > i) {
                    i = end;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn walk(&mut self, input: &[Item], node: &Node) -> Step {
        let out = match node {
            Node::List(nodes) => return self.eval_list(input, nodes),
            Node::Text(t) => vec![Item::Val(Value::str(t))],
            Node::Field(name) => self.eval_field(input, name)?,
            Node::Array(params) => eval_array(input, params)?,
            Node::Filter { left, right, op } => self.eval_filter(input, left, right, op)?,
            Node::Int(i) => vec![Item::Val(Value::Int(*i)); input.len()],
            Node::Float(f) => vec![Item::Val(Value::Float(*f)); input.len()],
            Node::Bool(b) => vec![Item::Val(Value::Bool(*b)); input.len()],
            Node::Wildcard => input.iter().flat_map(children).collect(),
            Node::Recursive => self.eval_recursive(input)?,
            Node::Union(members) => self.eval_union(input, members)?,
            Node::Identifier(name) => self.eval_identifier(input, name)?,
        };
        self.charge(out.len())?;
        Ok(out)
    }

    fn eval_list(&mut self, input: &[Item], nodes: &[Node]) -> Step {
        let mut cur = input.to_vec();
        for node in nodes {
            cur = guard(|| self.walk(&cur, node))?;
        }
        Ok(cur)
    }

    fn eval_identifier(&mut self, input: &[Item], name: &str) -> Step {
        match name {
            "range" => {
                self.begin_range += 1;
                Ok(input.to_vec())
            }
            "end" if self.in_range > 0 => {
                self.end_range += 1;
                Ok(Vec::new())
            }
            "end" => Err(fail(Vec::new(), "not in range, nothing to end".into())),
            _ => Err(fail(
                input.to_vec(),
                format!("unrecognized identifier {name}"),
            )),
        }
    }

    /// A map key of each input (other kinds have no fields); nothing found is an error unless
    /// missing keys are allowed, no input is no output.
    fn eval_field(&mut self, input: &[Item], name: &str) -> Step {
        let mut results = Vec::new();
        if input.is_empty() {
            return Ok(results);
        }
        for item in input {
            if let Item::Val(Value::Map(m)) = item {
                if let Some(v) = m.get(name) {
                    results.push(Item::Val(v));
                }
            }
        }
        if results.is_empty() && !self.allow_missing_keys {
            return Err(fail(results, format!("{name} is not found")));
        }
        Ok(results)
    }

    fn eval_union(&mut self, input: &[Item], members: &[Vec<Node>]) -> Step {
        let mut results = Vec::new();
        for member in members {
            match self.eval_list(input, member) {
                Ok(r) => results.extend(r),
                Err(f) => {
                    return Err(Fail {
                        partial: input.to_vec(),
                        error: f.error,
                    })
                }
            }
        }
        Ok(results)
    }

    /// `..`: every input and everything below it that has children (containers and strings
    /// that are not empty), depth first, parents before children.
    fn eval_recursive(&mut self, input: &[Item]) -> Step {
        let mut result = Vec::new();
        for item in input {
            let kids = children(item);
            if kids.is_empty() {
                continue;
            }
            result.push(item.clone());
            let mut stack = vec![kids.into_iter()];
            while let Some(top) = stack.last_mut() {
                match top.next() {
                    None => {
                        stack.pop();
                    }
                    Some(child) => {
                        let kids = children(&child);
                        if !kids.is_empty() {
                            self.charge(kids.len())?;
                            result.push(child);
                            stack.push(kids.into_iter());
                        }
                    }
                }
            }
        }
        Ok(result)
    }

    fn eval_filter(&mut self, input: &[Item], left: &[Node], right: &[Node], op: &str) -> Step {
        let mut results = Vec::new();
        for item in input {
            let Item::Val(Value::List(list)) = item else {
                let shown = match item {
                    Item::Val(v) => sprint(std::slice::from_ref(v)),
                    Item::Invalid => "<invalid reflect.Value>".into(),
                };
                return Err(fail(
                    input.to_vec(),
                    format!("{shown} is not array or slice and cannot be filtered"),
                ));
            };
            for elem in list.iter() {
                let temp = [Item::Val(elem.clone())];
                let lefts = self.eval_list(&temp, left);
                if op == "exists" {
                    let found = match lefts {
                        Ok(v) => !v.is_empty(),
                        Err(Fail {
                            partial,
                            error: JsonPathError::Execute(_),
                        }) => !partial.is_empty(),
                        Err(f) => return Err(f),
                    };
                    if found {
                        results.push(Item::Val(elem.clone()));
                    }
                    continue;
                }
                let lefts = lefts.map_err(|f| Fail {
                    partial: input.to_vec(),
                    error: f.error,
                })?;
                let l = match lefts.as_slice() {
                    [] => continue,
                    [one] => one.clone(),
                    _ => {
                        return Err(fail(
                            input.to_vec(),
                            "can only compare one element at a time".into(),
                        ))
                    }
                };
                let rights = self.eval_list(&temp, right).map_err(|f| Fail {
                    partial: input.to_vec(),
                    error: f.error,
                })?;
                let r = match rights.as_slice() {
                    [] => continue,
                    [one] => one.clone(),
                    _ => {
                        return Err(fail(
                            input.to_vec(),
                            "can only compare one element at a time".into(),
                        ))
                    }
                };
                let (Item::Val(l), Item::Val(r)) = (l, r) else {
                    return Err(go_panic(
                        "reflect: call of reflect.Value.Interface on zero Value",
                    ));
                };
                let pass = match op {
                    "<" => less(&l, &r),
                    ">" => less_equal(&l, &r).map(|le| !le),
                    "==" => equal(&l, &r),
                    "!=" => equal(&l, &r).map(|e| !e),
                    "<=" => less_equal(&l, &r),
                    ">=" => less(&l, &r).map(|lt| !lt),
                    _ => Err(format!("unrecognized filter operator {op}")),
                }
                .map_err(|e| fail(results.clone(), e))?;
                if pass {
                    results.push(Item::Val(elem.clone()));
                }
            }
        }
        Ok(results)
    }
}

/// What `*` and `..` descend into: map values (in key order), list items, a string's bytes.
fn children(item: &Item) -> Vec<Item> {
    match item {
        Item::Val(Value::Map(m)) => m.entries().into_iter().map(|(_, v)| Item::Val(v)).collect(),
        Item::Val(Value::List(l)) => l.iter().cloned().map(Item::Val).collect(),
        Item::Val(Value::String(s)) => go_bytes(s)
            .iter()
            .map(|&b| Item::Val(Value::Uint(b as u64)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Go's `reflect.Type` name of a value, for error texts.
fn type_name(v: &Value) -> String {
    v.go_type_name()
}

/// `[start:end:step]` over each list input (`null` inputs are skipped).
fn eval_array(input: &[Item], params: &[Param; 3]) -> Step {
    let mut result = Vec::new();
    for item in input {
        let list = match item {
            Item::Val(Value::Nil) => continue,
            Item::Val(Value::List(l)) => l,
            Item::Val(v) => {
                return Err(fail(
                    input.to_vec(),
                    format!("{} is not array or slice", type_name(v)),
                ))
            }
            Item::Invalid => {
                return Err(go_panic(
                    "reflect: call of reflect.Value.Type on zero Value",
                ))
            }
        };
        let len = list.len() as i64;
        let mut p = *params;
        if !p[0].known {
            p[0].value = 0;
        }
        if p[0].value < 0 {
            p[0].value = p[0].value.wrapping_add(len);
        }
        if !p[1].known {
            p[1].value = len;
        }
        if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
            p[1].value = p[1].value.wrapping_add(len);
        }
        let (from, to) = (p[0].value, p[1].value);
        if from == to {
            // Zero elements asked for: client-go stops here, with what it has so far.
            return Ok(result);
        }
        if from >= len || from < 0 {
            return Err(fail(
                input.to_vec(),
                format!("array index out of bounds: index {from}, length {len}"),
            ));
        }
        if to > len || to < 0 {
            return Err(fail(
                input.to_vec(),
                format!(
                    "array index out of bounds: index {}, length {len}",
                    to.wrapping_sub(1)
                ),
            ));
        }
        if from > to {
            return Err(fail(
                input.to_vec(),
                format!("starting index {from} is greater than ending index {to}"),
            ));
        }
        let step = if p[2].known {
            if p[2].value <= 0 {
                return Err(fail(input.to_vec(), "step must be > 0".into()));
            }
            p[2].value as usize
        } else {
            1
        };
        result.extend(
            list[from as usize..to as usize]
                .iter()
                .step_by(step)
                .cloned()
                .map(Item::Val),
        );
    }
    Ok(result)
}

// ----- comparisons (Go text/template's eq/lt, as client-go's fork has them) ----------------------

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Uint,
    Float,
    String,
}

const BAD_TYPE: &str = "invalid type for comparison";
const BAD_COMPARISON: &str = "incompatible types for comparison";

fn basic_kind(v: &Value) -> Result<Kind, String> {
    Ok(match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => return Err(BAD_TYPE.into()),
    })
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

fn uint_of(v: &Value) -> u64 {
    match v {
        Value::Uint(u) => *u,
        _ => 0,
    }
}

fn equal(a: &Value, b: &Value) -> Result<bool, String> {
    let (ka, kb) = (basic_kind(a)?, basic_kind(b)?);
    if ka != kb {
        return match (ka, kb) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) >= 0 && int_of(a) as u64 == uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) == int_of(b) as u64),
            _ => Err(BAD_COMPARISON.into()),
        };
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => go_bytes(x) == go_bytes(y),
        _ if ka == Kind::Int => int_of(a) == int_of(b),
        _ => uint_of(a) == uint_of(b),
    })
}

fn less(a: &Value, b: &Value) -> Result<bool, String> {
    let (ka, kb) = (basic_kind(a)?, basic_kind(b)?);
    if ka != kb {
        return match (ka, kb) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) < 0 || (int_of(a) as u64) < uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) < int_of(b) as u64),
            _ => Err(BAD_COMPARISON.into()),
        };
    }
    Ok(match (a, b) {
        (Value::Bool(_), _) => return Err(BAD_TYPE.into()),
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x), Value::String(y)) => go_bytes(x) < go_bytes(y),
        _ if ka == Kind::Int => int_of(a) < int_of(b),
        _ => uint_of(a) < uint_of(b),
    })
}

fn less_equal(a: &Value, b: &Value) -> Result<bool, String> {
    if less(a, b)? {
        return Ok(true);
    }
    equal(a, b)
}

// ----- printing ----------------------------------------------------------------------------------

/// client-go's `PrintResults`: one node's results separated by spaces; maps and lists as
/// `json.Marshal`, `null` as `null`, Go's zero value as `<no value>`, other values as
/// `fmt.Print`.
fn print_results(results: &[Item], out: &mut String) -> Result<(), JsonPathError> {
    for (i, item) in results.iter().enumerate() {
        match item {
            Item::Invalid => out.push_str("<no value>"),
            Item::Val(v @ (Value::Map(_) | Value::List(_) | Value::Bytes(_))) => out
                .push_str(&json::marshal(v, true).map_err(|e| JsonPathError::Execute(e.message))?),
            Item::Val(Value::Nil) => out.push_str("null"),
            Item::Val(v) => out.push_str(&sprint(std::slice::from_ref(v))),
        }
        if i + 1 != results.len() {
            out.push(' ');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values the CLI test chart also has; each expectation below was checked against
    /// `helm show values --jsonpath` of Helm 4.1.4.
    const VALUES: &str = r#"
image:
  repository: nginx
  tag: "1.2"
replicaCount: 1000000
big: 12345678901234567890
flt: 1.5
neg: -3
t: true
n: null
html: "<a&b>"
list: [1, "two", 3.5, true, null]
ports:
  - name: http
    port: 80
  - name: https
    port: 443
    tls: true
"a.b": dotted
nested:
  x:
    name: inner
empty: []
emptymap: {}
"#;

    fn values() -> Value {
        crate::values::file::read_values(VALUES).expect("values parse")
    }

    /// What Helm prints: the output, or nothing when evaluation fails.
    fn show(template: &str) -> String {
        let jp = JsonPath::parse(template).expect("parses");
        let mut out = String::new();
        match jp.execute(&values(), &mut out) {
            Ok(()) => out,
            Err(JsonPathError::Execute(_)) => {
                assert_eq!(out, "", "{template}: results are found before printing");
                out
            }
            Err(e) => panic!("{template}: {e:?}"),
        }
    }

    fn parse_error(template: &str) -> String {
        match JsonPath::parse(template) {
            Err(JsonPathError::Parse(m)) => m,
            other => panic!("{template}: {other:?}"),
        }
    }

    fn exec_error(template: &str) -> JsonPathError {
        let mut out = String::new();
        JsonPath::parse(template)
            .expect("parses")
            .execute(&values(), &mut out)
            .expect_err(template)
    }

    #[test]
    fn fields_and_printing() {
        for (t, want) in [
            ("{.image.repository}", "nginx"),
            ("{.image}", r#"{"repository":"nginx","tag":"1.2"}"#),
            ("{.replicaCount}", "1e+06"),
            ("{.big}", "1.2345678901234567e+19"),
            ("{.flt}", "1.5"),
            ("{.neg}", "-3"),
            ("{.html}", "<a&b>"),
            ("{.list}", r#"[1,"two",3.5,true,null]"#),
            ("{.list[*]}", "1 two 3.5 true null"),
            ("{.list[4]}", "null"),
            ("{.list[-1]}", "null"),
            ("{@.flt}", "1.5"),
            ("x{.t}y", "xtruey"),
            (r"{.a\.b}", "dotted"),
            ("{.empty[*].x}ok", "ok"),
            ("{..name}", "inner http https"),
            ("{.list[1:3]}", "two 3.5"),
            ("{.list[::2]}", "1 3.5 null"),
            ("{.list[0,2]}", "1 3.5"),
            ("{.list[0:0]}", ""),
            ("{.false}", "null"),
        ] {
            assert_eq!(show(t), want, "{t}");
        }
        let all = show("{}");
        assert!(
            all.starts_with(r#"{"a.b":"dotted","big":12345678901234567000,"#),
            "{all}"
        );
        assert!(all.contains(r#""html":"\u003ca\u0026b\u003e""#), "{all}");
        assert_eq!(show("{$}"), all);
    }

    #[test]
    fn missing_keys_fail_the_whole_template() {
        for t in [
            "{.missing}",
            "{.image.repository} {.missing}",
            "{.}",
            "{['a.b']}",
            "{.n}",
            "{.html[*]}",
            "{.list[-9]}",
            "{.list[4].x}",
        ] {
            assert_eq!(show(t), "", "{t}");
        }
        assert_eq!(
            exec_error("{.missing}"),
            JsonPathError::Execute("missing is not found".into())
        );
        assert_eq!(
            exec_error("{.list[-9]}"),
            JsonPathError::Execute("array index out of bounds: index -4, length 5".into())
        );
        let mut out = String::new();
        JsonPath::parse("{.a}{.missing}")
            .expect("parses")
            .allow_missing_keys(true)
            .execute(&values(), &mut out)
            .expect("allowed");
        assert_eq!(out, "");
    }

    #[test]
    fn filters_compare_by_go_type() {
        for (t, want) in [
            ("{.ports[?(@.name==\"http\")].port}", "80"),
            ("{.ports[?(@.name=='https')].port}", "443"),
            ("{.ports[?(@.port==80.0)].name}", "http"),
            ("{.ports[?(@.port>=443.0)].name}", "https"),
            ("{.ports[?(@.port < 100.0)].name}", "http"),
            ("{.ports[?(@.name!=\"http\")].name}", "https"),
            ("{.ports[?(@.tls)].name}", "https"),
            // Values numbers are float64, literals without a point are Go ints.
            ("{.ports[?(@.port==80)].name}", ""),
            // The first port has no `tls`: a missing key fails a comparison.
            ("{.ports[?(@.tls==true)].name}", ""),
            ("{.list[?(@.x[5])]}", ""),
        ] {
            assert_eq!(show(t), want, "{t}");
        }
        assert_eq!(
            exec_error("{.ports[?(@.port==80)].name}"),
            JsonPathError::Execute("incompatible types for comparison".into())
        );
    }

    #[test]
    fn ranges() {
        for (t, want) in [
            ("{range .ports[*]}{.name}{\"\\n\"}{end}", "http\nhttps\n"),
            ("{range .list[*]}{@}|{end}", "1|two|3.5|true|<no value>|"),
            ("{range .empty[*]}x{end}done", "done"),
            ("{range .empty[*]}{.x}{end}done", ""),
            ("{end}", ""),
        ] {
            assert_eq!(show(t), want, "{t}");
        }
        // Without `end`, the rest runs per item and then once more over the whole values.
        let no_end = show("{range .list[*]}{@}");
        assert!(
            no_end.starts_with("1two3.5true<no value>{\"a.b\""),
            "{no_end}"
        );
        assert_eq!(
            exec_error("{range .empty[*]}{[0]}{end}done"),
            JsonPathError::GoPanic("reflect: call of reflect.Value.Type on zero Value")
        );
    }

    #[test]
    fn parse_errors_have_client_go_texts() {
        for (t, want) in [
            ("{.image[}", "unterminated array"),
            ("{.a | b}", "unrecognized character in action: U+007C '|'"),
            ("{.a\tb}", "unrecognized character in action: U+0009"),
            (
                r#"{"a\qb"}"#,
                r#"unquote string "a\qb" error invalid syntax"#,
            ),
            (r#"{"a\"}"#, "unterminated quoted string"),
            ("{1.2.3}", "cannot parse number 1.2.3"),
            ("{[x]}", "invalid array index x"),
            ("{[-]}", "array index - is not a number"),
            ("{[?(@.a)}", "unclosed array expect ]"),
            ("{[?(@.a=='x)]}", "unterminated filter"),
            ("{.x", "unclosed action"),
            ("{....a}", "invalid multiple recursive descent"),
            ("{[0,x]}", "invalid array index x"),
            // `==` with nothing after it: `=` is the operator, `=` the right operand.
            (
                "{[?(@.a==)]}",
                "unrecognized character in action: U+003D '='",
            ),
        ] {
            assert_eq!(parse_error(t), want, "{t}");
        }
    }

    #[test]
    fn parse_trees() {
        let p = |t: &str| parse(t).expect(t);
        assert_eq!(
            p("a{.b}"),
            vec![
                Node::Text("a".into()),
                Node::List(vec![Node::Field("b".into())])
            ]
        );
        // `['a.b']` is re-read as `.a.b`.
        assert_eq!(
            p("{['a.b']}"),
            vec![Node::List(vec![
                Node::Field("a".into()),
                Node::Field("b".into())
            ])]
        );
        let idx = |v: i64| Param {
            value: v,
            known: true,
            derived: false,
        };
        assert_eq!(
            p("{[-1]}"),
            vec![Node::List(vec![Node::Array([
                idx(-1),
                Param {
                    value: 0,
                    known: true,
                    derived: true
                },
                Param::default()
            ])])]
        );
        assert_eq!(
            p("{[1:]}"),
            vec![Node::List(vec![Node::Array([
                idx(1),
                Param::default(),
                Param::default()
            ])])]
        );
        assert_eq!(
            p("{[?(@.a=1)]}"),
            vec![Node::List(vec![Node::Filter {
                left: vec![Node::Field("a".into())],
                right: vec![Node::Int(1)],
                op: "=".into()
            }])]
        );
        assert_eq!(
            p(r#"{'a\x41\u00e9'}"#),
            vec![Node::List(vec![Node::Text("aAé".into())])]
        );
        assert_eq!(
            p("{1 +2 3.5 true x}"),
            vec![Node::List(vec![
                Node::Int(1),
                Node::Int(2),
                Node::Float(3.5),
                Node::Bool(true),
                Node::Identifier("x".into())
            ])]
        );
    }

    #[test]
    fn split_comparison_is_the_regex() {
        assert_eq!(split_comparison("@.a==1"), Some(("@.a", "==", "1")));
        assert_eq!(split_comparison("@.a=="), Some(("@.a", "=", "=")));
        assert_eq!(split_comparison("@.a="), None);
        assert_eq!(split_comparison("==1"), None);
        assert_eq!(split_comparison("@.a"), None);
        assert_eq!(split_comparison("@.a!=!x"), Some(("@.a", "!=!", "x")));
    }

    /// Exponential templates stop at the work limit; deep values and long templates need no
    /// deep native stack.
    #[test]
    fn hostile_input_is_bounded() {
        fn limited(t: &str) -> JsonPath {
            JsonPath {
                work_limit: 1_000_000,
                ..JsonPath::parse(t).expect("parses")
            }
        }
        let t = "{range}".repeat(40) + "{@}";
        let mut out = String::new();
        let r = limited(&t).execute(&values(), &mut out);
        assert_eq!(r, Err(JsonPathError::TooLarge));

        let worker = std::thread::Builder::new().stack_size(256 << 10).spawn(|| {
            let mut v = Value::str("leaf");
            for _ in 0..50_000 {
                v = crate::vmap! { "a" => Value::list(vec![v]) };
            }
            let mut out = String::new();
            limited("{..a[0].a[0]..a}")
                .execute(&v, &mut out)
                .expect_err("too large");
            let t = "{range @}".repeat(5_000) + &"{end}".repeat(5_000) + "{.a[0].a[0].a}";
            let mut out = String::new();
            let jp = JsonPath::parse(&t).expect("parses");
            jp.execute(&v, &mut out).expect("runs");
            assert!(out.starts_with("[{\"a\":[{\"a\""));
            assert!(parse(&"{[?(@.a[?(@.b)])]}".repeat(1000)).is_err());
        });
        worker.expect("spawn").join().expect("no overflow");
    }
}
