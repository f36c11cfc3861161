//! JSON exactly as Go's `encoding/json` reads and writes Helm's values.
//!
//! Writing follows `json.Marshal`: map keys in byte order, `<`, `>`, `&` escaped as `\u003c`
//! … (unless HTML escaping is off, as in Sprig's `toRawJson`), U+2028/U+2029 escaped, floats
//! in Go's shortest form (`1e+21`, `1e-7`, `0.000001`), NaN/Inf refused. Reading follows
//! `json.Unmarshal` into `interface{}`: every number is a float64, later duplicate keys win,
//! and errors use Go's wording (`invalid character 'x' looking for beginning of value`).

use super::deep::{guard, MAX_VALUE_DEPTH};
use super::yaml::{format_go_float_g, go_json_float};
use super::{Map, Str, Value};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

/// A JSON encoding or decoding failure with Go's message text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    /// Byte offset of the failure when reading (Go's `SyntaxError.Offset`), 0 otherwise.
    pub offset: usize,
    pub message: String,
}

impl JsonError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        JsonError {
            offset,
            message: message.into(),
        }
    }
}

// ----- writing -----------------------------------------------------------------------------------

/// `json.Marshal(v)`; Helm's `toJson` prints "" when that fails (NaN/Inf), and so does this.
pub fn to_string(v: &Value) -> String {
    marshal(v, true).unwrap_or_default()
}

/// `json.Marshal(v)` with its error.
pub fn marshal(v: &Value, escape_html: bool) -> Result<String, JsonError> {
    Writer::new(escape_html, None).write(v)
}

/// `json.MarshalIndent(v, prefix, indent)`; "" on error (as Sprig's `toPrettyJson`).
pub fn to_string_indent(v: &Value, prefix: &str, indent: &str) -> String {
    marshal_indent(v, prefix, indent, true).unwrap_or_default()
}

/// `json.MarshalIndent` (or an Encoder with `SetIndent`/`SetEscapeHTML`) with its error.
pub fn marshal_indent(
    v: &Value,
    prefix: &str,
    indent: &str,
    escape_html: bool,
) -> Result<String, JsonError> {
    Writer::new(escape_html, Some((prefix, indent))).write(v)
}

/// Go's encoder starts looking for cycles (a map that contains itself, as `set $d "d" $d`
/// makes) only below this depth, so ordinary values pay nothing.
const START_DETECTING_CYCLES_AFTER: usize = 1000;

/// The maps on the path from the root to the value being written, once deep enough to track.
#[derive(Default)]
struct Cycles(rustc_hash::FxHashSet<usize>);

/// One encoding: the text so far and the settings every nested value is written with.
struct Writer<'a> {
    out: String,
    /// Escape `<`, `>`, `&` (Go's `SetEscapeHTML`).
    html: bool,
    /// `MarshalIndent`'s prefix and indent; None writes compact JSON.
    ind: Option<(&'a str, &'a str)>,
    cycles: Cycles,
}

impl<'a> Writer<'a> {
    fn new(html: bool, ind: Option<(&'a str, &'a str)>) -> Self {
        Writer {
            out: String::new(),
            html,
            ind,
            cycles: Cycles::default(),
        }
    }

    fn write(mut self, v: &Value) -> Result<String, JsonError> {
        self.value(v, 0)?;
        Ok(self.out)
    }

    /// With indentation, a line break and the indent of `depth`; nothing when compact.
    fn newline(&mut self, depth: usize) {
        if let Some((prefix, indent)) = self.ind {
            self.out.push('\n');
            self.out.push_str(prefix);
            for _ in 0..depth {
                self.out.push_str(indent);
            }
        }
    }

    fn value(&mut self, v: &Value, depth: usize) -> Result<(), JsonError> {
        match v {
            Value::List(_) | Value::Map(_) | Value::Object(_) => {
                if depth >= MAX_VALUE_DEPTH {
                    return Err(JsonError::new(
                        0,
                        format!("json: value nested deeper than {MAX_VALUE_DEPTH} levels"),
                    ));
                }
                let tracked = match v {
                    Value::Map(m) if depth > START_DETECTING_CYCLES_AFTER => {
                        if !self.cycles.0.insert(m.addr()) {
                            return Err(JsonError::new(
                                0,
                                format!(
                                    "json: unsupported value: encountered a cycle via {}",
                                    v.go_type_name()
                                ),
                            ));
                        }
                        Some(m.addr())
                    }
                    _ => None,
                };
                let r = guard(|| self.container(v, depth));
                if let Some(a) = tracked {
                    self.cycles.0.remove(&a);
                }
                r
            }
            _ => self.scalar(v),
        }
    }

    fn scalar(&mut self, v: &Value) -> Result<(), JsonError> {
        let out = &mut self.out;
        match v {
            Value::Nil => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Uint(u) => {
                let _ = write!(out, "{u}");
            }
            Value::Float(f) => {
                if f.is_nan() || f.is_infinite() {
                    return Err(JsonError::new(
                        0,
                        format!("json: unsupported value: {}", format_go_float_g(*f, false)),
                    ));
                }
                out.push_str(&go_json_float(*f));
            }
            Value::String(s) => write_string(out, s, self.html),
            Value::Bytes(b) => {
                use base64::Engine;
                out.push('"');
                out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
                out.push('"');
            }
            // Containers are routed to `container` by `value`.
            Value::List(_) | Value::Map(_) | Value::Object(_) => {}
        }
        Ok(())
    }

    fn container(&mut self, v: &Value, depth: usize) -> Result<(), JsonError> {
        match v {
            Value::List(items) => {
                if items.is_empty() {
                    self.out.push_str("[]");
                    return Ok(());
                }
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    self.value(item, depth + 1)?;
                }
                self.newline(depth);
                self.out.push(']');
            }
            Value::Map(m) if m.is_go_nil() => self.out.push_str("null"),
            Value::Map(m) => {
                let entries = m.entries();
                self.object(entries.iter().map(|(k, val)| (&**k, val)), depth)?;
            }
            Value::Object(o) => match o.struct_fields() {
                Some(fields) if !fields.is_empty() => {
                    self.object(fields.iter().map(|f| (f.json_name, &f.value)), depth)?;
                }
                _ => self.value(&o.to_data(), depth + 1)?,
            },
            scalar => self.scalar(scalar)?,
        }
        Ok(())
    }

    /// A JSON object of these members in this order (`{}` when there are none).
    fn object<'v>(
        &mut self,
        members: impl Iterator<Item = (&'v str, &'v Value)>,
        depth: usize,
    ) -> Result<(), JsonError> {
        let mut empty = true;
        for (key, val) in members {
            self.out.push(if empty { '{' } else { ',' });
            empty = false;
            self.newline(depth + 1);
            write_string(&mut self.out, key, self.html);
            self.out.push(':');
            if self.ind.is_some() {
                self.out.push(' ');
            }
            self.value(val, depth + 1)?;
        }
        if empty {
            self.out.push_str("{}");
        } else {
            self.newline(depth);
            self.out.push('}');
        }
        Ok(())
    }
}

/// The two-character escapes of a JSON string: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`. Go's
/// `strconv.Quote` and TOML's basic strings use the same ones (and add their own).
pub fn short_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\u{8}' => "\\b",
        '\u{c}' => "\\f",
        _ => return None,
    })
}

/// Go's `appendString`: the [`short_escape`]s, other controls as `\u00XX`, HTML characters as
/// `\u003c` etc. when asked, U+2028/U+2029 always escaped.
pub fn write_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        if let Some(e) = short_escape(c) {
            out.push_str(e);
            continue;
        }
        match c {
            '<' | '>' | '&' if html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ----- reading -----------------------------------------------------------------------------------

/// `json.Unmarshal` into `interface{}`: numbers → `Float`, objects → maps, arrays → lists.
pub fn from_str(s: &str) -> Result<Value, JsonError> {
    let mut p = Reader {
        b: s.as_bytes(),
        src: s,
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    if p.pos >= p.b.len() {
        return Err(JsonError::new(p.pos, "unexpected end of JSON input"));
    }
    let v = p.value()?;
    p.skip_ws();
    if p.pos < p.b.len() {
        let c = p.cur_byte();
        return Err(JsonError::new(
            p.pos,
            format!("invalid character {} after top-level value", quote_byte(c)),
        ));
    }
    Ok(v)
}

struct Reader<'a> {
    b: &'a [u8],
    src: &'a str,
    pos: usize,
    depth: usize,
}

/// Go's `quoteChar`: it sees one byte, so a multi-byte character shows as its first byte
/// read as Latin-1 (`é` → `'Ã'`).
fn quote_byte(b: u8) -> String {
    match b {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        b'\n' => "'\\n'".into(),
        b'\r' => "'\\r'".into(),
        b'\t' => "'\\t'".into(),
        0x07 => "'\\a'".into(),
        0x08 => "'\\b'".into(),
        0x0c => "'\\f'".into(),
        0x0b => "'\\v'".into(),
        b'\\' => "'\\\\'".into(),
        b if b < 0x20 || b == 0x7f => format!("'\\x{b:02x}'"),
        b if b < 0x80 => format!("'{}'", b as char),
        // A lone byte ≥ 0x80 is the rune U+0080..U+00FF; strconv.Quote escapes the C1 controls.
        b if b < 0xa0 => format!("'\\u{:04x}'", b as u32),
        b => format!("'{}'", b as char),
    }
}

impl<'a> Reader<'a> {
    fn cur_char(&self) -> char {
        self.src
            .get(self.pos..)
            .and_then(|r| r.chars().next())
            .unwrap_or('\u{fffd}')
    }
    fn cur_byte(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }
    fn skip_ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }
    fn eof(&self) -> JsonError {
        JsonError::new(self.pos, "unexpected end of JSON input")
    }
    fn bad(&self, ctx: &str) -> JsonError {
        if self.pos >= self.b.len() {
            return self.eof();
        }
        self.bad_here(ctx)
    }
    /// Inside a number or literal Go's checker feeds a space at the end of input, so running
    /// out there reads `invalid character ' ' …`.
    fn bad_in_token(&self, ctx: &str) -> JsonError {
        if self.pos >= self.b.len() {
            return JsonError::new(self.pos, format!("invalid character ' ' {ctx}"));
        }
        self.bad_here(ctx)
    }
    fn bad_here(&self, ctx: &str) -> JsonError {
        JsonError::new(
            self.pos,
            format!("invalid character {} {ctx}", quote_byte(self.cur_byte())),
        )
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        self.depth += 1;
        if self.depth > 10_000 {
            return Err(JsonError::new(self.pos, "exceeded max depth"));
        }
        let r = guard(|| self.value_inner());
        self.depth -= 1;
        r
    }

    fn value_inner(&mut self) -> Result<Value, JsonError> {
        let c = match self.b.get(self.pos) {
            Some(c) => *c,
            None => return Err(self.eof()),
        };
        match c {
            b'{' => {
                self.pos += 1;
                let mut m: BTreeMap<Str, Value> = BTreeMap::new();
                self.skip_ws();
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Ok(Value::Map(Map::from_btree(m)));
                }
                loop {
                    self.skip_ws();
                    if self.b.get(self.pos) != Some(&b'"') {
                        return Err(self.bad("looking for beginning of object key string"));
                    }
                    let k = self.string()?;
                    self.skip_ws();
                    if self.b.get(self.pos) != Some(&b':') {
                        return Err(self.bad("after object key"));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let v = self.value()?;
                    m.insert(Arc::from(k.as_str()), v);
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Map(Map::from_btree(m)));
                        }
                        _ => return Err(self.bad("after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.b.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Ok(Value::list(items));
                }
                loop {
                    self.skip_ws();
                    items.push(self.value()?);
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::list(items));
                        }
                        _ => return Err(self.bad("after array element")),
                    }
                }
            }
            b'"' => Ok(Value::from(self.string()?)),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.bad("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        let wb = word.as_bytes();
        for (i, expected) in wb.iter().enumerate() {
            match self.b.get(self.pos + i) {
                None => {
                    self.pos += i;
                    return Err(self.bad_in_token(&format!(
                        "in literal {word} (expecting '{}')",
                        *expected as char
                    )));
                }
                Some(c) if c == expected => {}
                Some(_) => {
                    self.pos += i;
                    return Err(self.bad(&format!(
                        "in literal {word} (expecting '{}')",
                        *expected as char
                    )));
                }
            }
        }
        self.pos += wb.len();
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.b.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.b.get(self.pos), Some(b'0'..=b'9')) {
                    self.pos += 1;
                }
            }
            _ => return Err(self.bad_in_token("in numeric literal")),
        }
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !matches!(self.b.get(self.pos), Some(b'0'..=b'9')) {
                return Err(self.bad_in_token("after decimal point in numeric literal"));
            }
            while matches!(self.b.get(self.pos), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.b.get(self.pos), Some(b'e') | Some(b'E')) {
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+') | Some(b'-')) {
                self.pos += 1;
            }
            if !matches!(self.b.get(self.pos), Some(b'0'..=b'9')) {
                return Err(self.bad_in_token("in exponent of numeric literal"));
            }
            while matches!(self.b.get(self.pos), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        let text = &self.src[start..self.pos];
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(JsonError::new(
                start,
                format!("json: cannot unmarshal number {text} into Go value of type float64"),
            )),
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        // At the opening quote.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = match self.b.get(self.pos) {
                None => return Err(self.eof()),
                Some(c) => *c,
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let e = match self.b.get(self.pos) {
                        None => return Err(self.eof()),
                        Some(e) => *e,
                    };
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let cp = self.hex4(self.pos + 1)?;
                            self.pos += 4;
                            if (0xD800..0xDC00).contains(&cp) {
                                // A surrogate pair, or U+FFFD when the low half is missing.
                                if self.b.get(self.pos + 1) == Some(&b'\\')
                                    && self.b.get(self.pos + 2) == Some(&b'u')
                                {
                                    if let Ok(lo) = self.hex4(self.pos + 3) {
                                        if (0xDC00..0xE000).contains(&lo) {
                                            let full =
                                                0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                            out.push(char::from_u32(full).unwrap_or('\u{fffd}'));
                                            self.pos += 7;
                                            continue;
                                        }
                                    }
                                }
                                out.push('\u{fffd}');
                            } else {
                                out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                            }
                        }
                        _ => return Err(self.bad("in string escape code")),
                    }
                    self.pos += 1;
                }
                c if c < 0x20 => return Err(self.bad("in string literal")),
                _ => {
                    // Copy one UTF-8 character (input is a valid &str).
                    let ch = self.cur_char();
                    out.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self, at: usize) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for i in 0..4 {
            match self.b.get(at + i) {
                None => {
                    self.pos = at + i;
                    return Err(self.eof());
                }
                Some(c) => match (*c as char).to_digit(16) {
                    Some(d) => v = v * 16 + d,
                    None => {
                        self.pos = at + i;
                        return Err(self.bad("in \\u hexadecimal character escape"));
                    }
                },
            }
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmap;

    #[test]
    fn marshal_like_go() {
        let v = vmap! {"b" => 1e21, "a" => "<x>&\u{2028}\n\t\u{1}", "c" => Value::list(vec![]), "d" => vmap!{}};
        assert_eq!(
            to_string(&v),
            r#"{"a":"\u003cx\u003e\u0026\u2028\n\t\u0001","b":1e+21,"c":[],"d":{}}"#
        );
        assert_eq!(marshal(&Value::str("<"), false).unwrap(), r#""<""#);
        assert_eq!(to_string(&Value::Float(f64::NAN)), "");
        assert_eq!(
            marshal(&Value::Float(f64::INFINITY), true)
                .unwrap_err()
                .message,
            "json: unsupported value: +Inf"
        );
        let v = vmap! {"a" => Value::list(vec![Value::Float(1.0), vmap!{"x" => Value::Nil}]), "e" => Value::list(vec![])};
        assert_eq!(
            to_string_indent(&v, "", "  "),
            "{\n  \"a\": [\n    1,\n    {\n      \"x\": null\n    }\n  ],\n  \"e\": []\n}"
        );
    }

    #[test]
    fn unmarshal_like_go() {
        let v = from_str(r#" {"a": [1, 2.5e3, "x\u00e9\ud83d\ude00"], "a": true, "n": null} "#)
            .unwrap();
        assert_eq!(to_string(&v), "{\"a\":true,\"n\":null}");
        assert_eq!(
            from_str("[1, 2").unwrap_err().message,
            "unexpected end of JSON input"
        );
        assert_eq!(
            from_str("{a}").unwrap_err().message,
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(
            from_str("[1 2]").unwrap_err().message,
            "invalid character '2' after array element"
        );
        assert_eq!(
            from_str("x").unwrap_err().message,
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            from_str("1 x").unwrap_err().message,
            "invalid character 'x' after top-level value"
        );
        // Go: json.Unmarshal error texts (go 1.26).
        assert_eq!(
            from_str("tru").unwrap_err().message,
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(
            from_str("é").unwrap_err().message,
            "invalid character 'Ã' looking for beginning of value"
        );
        assert_eq!(
            from_str("\x01").unwrap_err().message,
            "invalid character '\\x01' looking for beginning of value"
        );
        assert_eq!(
            from_str("'").unwrap_err().message,
            "invalid character '\\'' looking for beginning of value"
        );
        assert_eq!(
            from_str("1.").unwrap_err().message,
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(
            from_str("-").unwrap_err().message,
            "invalid character ' ' in numeric literal"
        );
        assert_eq!(
            from_str("01").unwrap_err().message,
            "invalid character '1' after top-level value"
        );
        assert_eq!(
            from_str("\"\\q\"").unwrap_err().message,
            "invalid character 'q' in string escape code"
        );
        assert_eq!(
            from_str("\"\\u12g4\"").unwrap_err().message,
            "invalid character 'g' in \\u hexadecimal character escape"
        );
        assert_eq!(
            from_str("\"a\tb\"").unwrap_err().message,
            "invalid character '\\t' in string literal"
        );
        assert_eq!(
            from_str("1e+").unwrap_err().message,
            "invalid character ' ' in exponent of numeric literal"
        );
        assert_eq!(
            from_str("{\"a\"").unwrap_err().message,
            "unexpected end of JSON input"
        );
        assert_eq!(
            from_str("\u{85}").unwrap_err().message,
            "invalid character 'Â' looking for beginning of value"
        );
        assert_eq!(
            from_str("{\"a\":1 \"b\"}").unwrap_err().message,
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(
            from_str("trux").unwrap_err().message,
            "invalid character 'x' in literal true (expecting 'e')"
        );
        assert_eq!(
            from_str("").unwrap_err().message,
            "unexpected end of JSON input"
        );
        assert_eq!(
            from_str("12345678901234567890").unwrap(),
            Value::Float(12345678901234567890.0)
        );
    }
}
