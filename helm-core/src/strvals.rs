//! The `--set` family: Helm's `strvals` mini-language (`a.b[0].c=v,d={x,y}`).
//!
//! Why a hand-written scanner: Helm's parser (pkg/strvals) is a rune-at-a-time state machine
//! whose quirks users rely on — `\` escapes any next rune, `{a,b}` builds a list only right after
//! `=`, `--set` infers `int64`/`bool`/`nil` but keeps `0777` and `1.5` as strings, and Go panics on
//! a type mismatch (`a=1,a.b=2`) surface as `unable to parse key: interface conversion: ...`. We
//! mirror that grammar and those error texts here.
//!
//! Every entry point merges into an existing map (Helm's `ParseInto*`): later flags overwrite
//! earlier keys, nested maps are shared and updated in place, as Go's maps are.
//!
//! A layer of its own above [`crate::gocompat`] (its errors quote as Go's `%q` does): it needs
//! values and Go's texts, never a chart or the template engine.

use crate::gocompat::os::go_io_error;
use crate::gocompat::strconv::go_quote;
use crate::values::file::merge_maps;
use crate::values::{Map, Value};
use std::fmt;

/// The largest list index `--set` accepts (Helm's `strvals.MaxIndex`).
pub const MAX_INDEX: i64 = 65536;
/// The deepest `a.b.c…` nesting accepted (Helm's `strvals.MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// A `--set` parse error; Display is Helm's text (the CLI adds `failed parsing --set data: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct StrvalsError {
    pub message: String,
}

impl fmt::Display for StrvalsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, Flow> {
    Err(Flow::Err(StrvalsError {
        message: message.into(),
    }))
}

/// Internal control flow: Go's parser signals the end of input with `io.EOF` as an error.
#[derive(Debug)]
enum Flow {
    Eof,
    /// `{` was not found where a value list could start (Go's `ErrNotList`).
    NotList,
    Err(StrvalsError),
}

/// How a scalar value (the runes after `=`) becomes a Value.
enum ValueMode<'a> {
    /// `--set`: int64/bool/nil inference.
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: the value is one JSON document.
    Json,
    /// `--set-file`: the value is a path handed to a reader.
    File(&'a mut dyn FnMut(&str) -> Result<Value, StrvalsError>),
    /// `--set-literal`: the rest of the input is one string; no escapes, no lists.
    Literal,
}

/// `--set`: `name=value` pairs with type inference (`true`, `false`, `null`, integers).
pub fn parse_set(s: &str, dest: &mut Value) -> Result<(), StrvalsError> {
    run(s, dest, ValueMode::Typed)
}

/// `--set-string`: like `--set` but every value stays a string.
pub fn parse_set_string(s: &str, dest: &mut Value) -> Result<(), StrvalsError> {
    run(s, dest, ValueMode::String)
}

/// `--set-json`: `name=<json>` pairs (numbers become float64, as Go's `encoding/json`), or, as
/// Helm 4 accepts, a whole JSON object (`{"a":{"b":1}}`) merged into the values. Unlike the
/// other parsers, the error is Helm's complete text (`failed parsing --set-json data ...`):
/// Helm drops the reason, so the CLI prints it without adding a prefix.
pub fn parse_set_json(s: &str, dest: &mut Value) -> Result<(), StrvalsError> {
    let trimmed = s.trim();
    if trimmed.starts_with('{') {
        let chars: Vec<char> = trimmed.chars().collect();
        let mut p = JsonParser { s: &chars, pos: 0 };
        let parsed = p.parse_document();
        return match parsed {
            Ok(Value::Map(m)) => {
                let base = ensure_map(dest);
                let merged = merge_maps(&base, &m);
                *dest = Value::Map(merged);
                Ok(())
            }
            _ => Err(StrvalsError {
                message: format!("failed parsing --set-json data JSON: {s}"),
            }),
        };
    }
    // Helm reports any failure of this form without the reason.
    run(s, dest, ValueMode::Json).map_err(|_| StrvalsError {
        message: format!("failed parsing --set-json data {s}"),
    })
}

/// `--set-literal`: `name=value` where everything after the first `=` is the string value.
pub fn parse_set_literal(s: &str, dest: &mut Value) -> Result<(), StrvalsError> {
    run(s, dest, ValueMode::Literal)
}

/// `--set-file`: `name=path` pairs; `reader` turns a path into the value (Helm: the file's
/// contents as a string).
pub fn parse_set_file(
    s: &str,
    dest: &mut Value,
    reader: &mut dyn FnMut(&str) -> Result<Value, StrvalsError>,
) -> Result<(), StrvalsError> {
    run(s, dest, ValueMode::File(reader))
}

/// `--set-file` reading paths from disk (`-` is not special here), with Go's error wording.
pub fn parse_set_file_from_disk(s: &str, dest: &mut Value) -> Result<(), StrvalsError> {
    let mut reader = |path: &str| -> Result<Value, StrvalsError> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Value::from(String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) => Err(StrvalsError {
                message: format!("open {path}: {}", go_io_error(&e)),
            }),
        }
    };
    parse_set_file(s, dest, &mut reader)
}

fn ensure_map(dest: &mut Value) -> Map {
    match dest {
        Value::Map(m) => m.clone(),
        _ => {
            let m = Map::new();
            *dest = Value::Map(m.clone());
            m
        }
    }
}

fn run(s: &str, dest: &mut Value, mode: ValueMode<'_>) -> Result<(), StrvalsError> {
    let data = ensure_map(dest);
    let chars: Vec<char> = s.chars().collect();
    let mut p = Parser {
        sc: &chars,
        pos: 0,
        mode,
    };
    loop {
        match p.key(&data, 0) {
            Ok(()) => continue,
            Err(Flow::Eof) => return Ok(()),
            Err(Flow::Err(e)) => return Err(e),
            Err(Flow::NotList) => {
                return Err(StrvalsError {
                    message: "not a list".into(),
                })
            }
        }
    }
}

struct Parser<'a, 'm> {
    sc: &'a [char],
    pos: usize,
    mode: ValueMode<'m>,
}

/// Go's `%v` of a rune (its code point number), used in `unexpected token` errors.
fn rune_num(r: Option<char>) -> u32 {
    r.map(|c| c as u32).unwrap_or(0)
}

/// Go's name for a dynamic type in `interface conversion` panics.
fn go_dyn_type(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        other => other.go_type_name(),
    }
}

fn conversion_panic(v: &Value, want: &str) -> Flow {
    Flow::Err(StrvalsError {
        message: format!(
            "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
            go_dyn_type(v)
        ),
    })
}

impl Parser<'_, '_> {
    fn literal(&self) -> bool {
        matches!(self.mode, ValueMode::Literal)
    }

    fn read(&mut self) -> Option<char> {
        let c = self.sc.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        if self.pos > 0 {
            self.pos -= 1;
        }
    }

    /// Go's `runesUntil`: reads up to a stop rune; `\` escapes the next rune (not in literal
    /// mode). Returns the runes, the stop rune, or `Eof` with what was read.
    fn runes_until(&mut self, stop: &[char]) -> (Vec<char>, Option<char>) {
        let escapes = !self.literal();
        let mut v = Vec::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(r) if stop.contains(&r) => return (v, Some(r)),
                Some('\\') if escapes => match self.read() {
                    None => return (v, None),
                    Some(n) => v.push(n),
                },
                Some(r) => v.push(r),
            }
        }
    }

    fn key(&mut self, data: &Map, level: usize) -> Result<(), Flow> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.runes_until(stop);
        let k: String = k.into_iter().collect();
        match last {
            None => {
                if k.is_empty() {
                    Err(Flow::Eof)
                } else {
                    err(format!("key {} has no value", go_quote(&k)))
                }
            }
            Some('[') => {
                let i = self.key_index().map_err(|e| match e {
                    Flow::Err(e) => Flow::Err(StrvalsError {
                        message: format!("error parsing index: {}", e.message),
                    }),
                    other => other,
                })?;
                let list: Vec<Value> = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => return Err(conversion_panic(&other, "[]interface {}")),
                };
                let (list, res) = crate::values::deep::guard(|| self.list_item(list, i, level));
                set(data, &k, Value::list(list));
                res
            }
            Some('=') => self.key_value(data, &k),
            Some(',') => {
                set(data, &k, Value::str(""));
                err(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                ))
            }
            Some(_) => {
                // '.'
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m,
                    Some(other) => return Err(conversion_panic(&other, "map[string]interface {}")),
                };
                let e = crate::values::deep::guard(|| self.key(&inner, level));
                if e.is_ok() && inner.is_empty() {
                    return err(format!("key map {} has no value", go_quote(&k)));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                e
            }
        }
    }

    /// After `key=`: the value, by mode.
    fn key_value(&mut self, data: &Map, k: &str) -> Result<(), Flow> {
        match self.mode {
            ValueMode::Literal => {
                let (v, _) = self.runes_until(&[]);
                set(data, k, Value::from(v.into_iter().collect::<String>()));
                Ok(())
            }
            ValueMode::Json => {
                if self.empty_val() {
                    set(data, k, Value::Nil);
                    return Ok(());
                }
                let v = self.json_value()?;
                set(data, k, v);
                self.empty_val();
                Ok(())
            }
            _ => match self.val_list() {
                Ok(vl) => {
                    set(data, k, Value::list(vl));
                    Ok(())
                }
                Err(Flow::Eof) => {
                    set(data, k, Value::str(""));
                    Err(Flow::Eof)
                }
                Err(Flow::NotList) => {
                    let (rs, _) = self.val();
                    let v = self.read_value(&rs);
                    match v {
                        Ok(v) => {
                            set(data, k, v);
                            Ok(())
                        }
                        Err(e) => {
                            // Go sets the (nil) value before returning the reader's error.
                            set(data, k, Value::Nil);
                            Err(e)
                        }
                    }
                }
                Err(e) => Err(e),
            },
        }
    }

    fn key_index(&mut self) -> Result<i64, Flow> {
        let (v, last) = self.runes_until(&[']']);
        if last.is_none() {
            return Err(Flow::Eof);
        }
        let s: String = v.into_iter().collect();
        go_atoi(&s).map_err(|m| Flow::Err(StrvalsError { message: m }))
    }

    /// The part after `name[i]`: `=value`, `[j]…` or `.key…`. Returns the list and the result,
    /// because Go stores the list even when an error follows.
    fn list_item(
        &mut self,
        list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Vec<Value>, Result<(), Flow>) {
        if i < 0 {
            return (list, err(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            // Go formats the []rune with %q: each rune single-quoted, space-separated.
            let runes: Vec<String> = k.iter().map(|c| go_char(*c)).collect();
            return (
                list,
                err(format!(
                    "unexpected data at end of array index: [{}]",
                    runes.join(" ")
                )),
            );
        }
        match last {
            None => (list, Err(Flow::Eof)),
            Some('=') => {
                let v = match self.mode {
                    ValueMode::Literal => {
                        let (v, _) = self.runes_until(&[]);
                        Ok(Value::from(v.into_iter().collect::<String>()))
                    }
                    ValueMode::Json => {
                        if self.empty_val() {
                            Ok(Value::Nil)
                        } else {
                            match self.json_value() {
                                Ok(v) => {
                                    let r = set_index(list, i, v);
                                    return match r {
                                        Ok(l) => {
                                            self.empty_val();
                                            (l, Ok(()))
                                        }
                                        Err((l, e)) => (l, Err(e)),
                                    };
                                }
                                Err(e) => Err(e),
                            }
                        }
                    }
                    _ => match self.val_list() {
                        Ok(vl) => Ok(Value::list(vl)),
                        Err(Flow::Eof) => Ok(Value::str("")),
                        Err(Flow::NotList) => {
                            let (rs, _) = self.val();
                            self.read_value(&rs)
                        }
                        Err(e) => Err(e),
                    },
                };
                match v {
                    Ok(v) => match set_index(list, i, v) {
                        Ok(l) => (l, Ok(())),
                        Err((l, e)) => (l, Err(e)),
                    },
                    Err(e) => (list, Err(e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(Flow::Err(e)) => {
                        return (list, err(format!("error parsing index: {}", e.message)))
                    }
                    Err(e) => return (list, Err(e)),
                };
                let crt: Vec<Value> = match list.get(i as usize) {
                    None | Some(Value::Nil) => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => {
                        let f = conversion_panic(other, "[]interface {}");
                        return (list, Err(f));
                    }
                };
                // `a[0][0]…` nests one list per index, with no limit in Helm (the shell's
                // argument size bounds it to ~43,000): continue on fresh stack segments.
                let (list2, res) = crate::values::deep::guard(|| self.list_item(crt, next, level));
                if let Err(e) = res {
                    return (list, Err(e));
                }
                match set_index(list, i, Value::list(list2)) {
                    Ok(l) => (l, Ok(())),
                    Err((l, e)) => (l, Err(e)),
                }
            }
            Some('.') => {
                let mut list = list;
                let inner = match list.get(i as usize) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m.clone(),
                    Some(_) => {
                        let m = Map::new();
                        if let Some(slot) = list.get_mut(i as usize) {
                            *slot = Value::Map(m.clone());
                        }
                        m
                    }
                };
                if let Err(e) = crate::values::deep::guard(|| self.key(&inner, level)) {
                    return (list, Err(e));
                }
                match set_index(list, i, Value::Map(inner)) {
                    Ok(l) => (l, Ok(())),
                    Err((l, e)) => (l, Err(e)),
                }
            }
            Some(other) => (
                Vec::new(),
                err(format!(
                    "parse error: unexpected token {}",
                    rune_num(Some(other))
                )),
            ),
        }
    }

    /// Go's `emptyVal`: skips spaces; true at a comma (consumed) or the end.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn val(&mut self) -> (Vec<char>, Option<char>) {
        self.runes_until(&[','])
    }

    /// `{a,b,c}` right after `=`.
    fn val_list(&mut self) -> Result<Vec<Value>, Flow> {
        match self.read() {
            None => return Err(Flow::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(Flow::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.runes_until(&[',', '}']);
            match last {
                None => return err("list must terminate with '}'"),
                Some('}') => {
                    match self.read() {
                        Some(',') | None => {}
                        Some(_) => self.unread(),
                    }
                    let v = self.read_value(&rs)?;
                    list.push(v);
                    return Ok(list);
                }
                Some(_) => {
                    let v = self.read_value(&rs)?;
                    list.push(v);
                }
            }
        }
    }

    fn read_value(&mut self, rs: &[char]) -> Result<Value, Flow> {
        let s: String = rs.iter().collect();
        match &mut self.mode {
            ValueMode::Typed => Ok(typed_val(&s)),
            ValueMode::String | ValueMode::Literal | ValueMode::Json => Ok(Value::from(s)),
            ValueMode::File(reader) => reader(&s).map_err(Flow::Err),
        }
    }

    /// Decodes one JSON value from the rest of the input (Go's `json.Decoder.Decode`).
    fn json_value(&mut self) -> Result<Value, Flow> {
        let mut p = JsonParser {
            s: self.sc,
            pos: self.pos,
        };
        let v = p
            .parse_value(0)
            .map_err(|m| Flow::Err(StrvalsError { message: m }))?;
        self.pos = p.pos;
        Ok(v)
    }
}

fn set(data: &Map, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(key, v);
    }
}

fn set_index(mut list: Vec<Value>, index: i64, v: Value) -> Result<Vec<Value>, (Vec<Value>, Flow)> {
    if index < 0 {
        return Err((
            list,
            Flow::Err(StrvalsError {
                message: format!("negative {index} index not allowed"),
            }),
        ));
    }
    if index > MAX_INDEX {
        return Err((
            list,
            Flow::Err(StrvalsError {
                message: format!(
                    "index of {index} is greater than maximum supported index of {MAX_INDEX}"
                ),
            }),
        ));
    }
    let i = index as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
    Ok(list)
}

/// `--set` type inference (Helm's `typedVal`).
pub fn typed_val(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::Int64(0);
    }
    if !s.is_empty() && !s.starts_with('0') {
        if let Some(i) = go_parse_int(s) {
            return Value::Int64(i);
        }
    }
    Value::from(s)
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits only.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Go's `strconv.Atoi` with its error texts.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// Parses one whole JSON document with Go's `encoding/json` error texts (numbers → float64).
pub(crate) fn parse_json_document(s: &str) -> Result<Value, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut p = JsonParser { s: &chars, pos: 0 };
    p.parse_document().map_err(|e| {
        if e == "EOF" {
            "unexpected end of JSON input".into()
        } else {
            e
        }
    })
}

/// A small JSON reader that stops after one value, as Go's streaming decoder does; numbers
/// become float64 as `encoding/json` gives into `interface{}`.
struct JsonParser<'a> {
    s: &'a [char],
    pos: usize,
}

const JSON_MAX_DEPTH: usize = 10_000;

impl JsonParser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }
    /// A whole document: one value and nothing but whitespace after it.
    fn parse_document(&mut self) -> Result<Value, String> {
        let v = self.parse_value(0)?;
        self.skip_ws();
        match self.peek() {
            None => Ok(v),
            Some(c) => Err(format!(
                "invalid character {} after top-level value",
                go_char(c)
            )),
        }
    }
    fn parse_value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > JSON_MAX_DEPTH {
            return Err("exceeded max depth".into());
        }
        crate::values::deep::guard(|| self.parse_value_here(depth))
    }

    fn parse_value_here(&mut self, depth: usize) -> Result<Value, String> {
        self.skip_ws();
        match self.peek() {
            None => Err("EOF".into()),
            Some('{') => {
                self.pos += 1;
                let m = Map::new();
                self.skip_ws();
                if self.peek() == Some('}') {
                    self.pos += 1;
                    return Ok(Value::Map(m));
                }
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some('"') => {}
                        None => return Err("unexpected EOF".into()),
                        Some(c) => {
                            return Err(format!(
                                "invalid character {} looking for beginning of object key string",
                                go_char(c)
                            ))
                        }
                    }
                    let k = self.parse_string()?;
                    self.skip_ws();
                    match self.peek() {
                        Some(':') => self.pos += 1,
                        None => return Err("unexpected EOF".into()),
                        Some(c) => {
                            return Err(format!(
                                "invalid character {} after object key",
                                go_char(c)
                            ))
                        }
                    }
                    let v = self.parse_value(depth + 1).map_err(eof_unexpected)?;
                    m.insert(k, v);
                    if self.at_close('}', "object key:value pair")? {
                        return Ok(Value::Map(m));
                    }
                }
            }
            Some('[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(']') {
                    self.pos += 1;
                    return Ok(Value::list(items));
                }
                loop {
                    items.push(self.parse_value(depth + 1).map_err(eof_unexpected)?);
                    if self.at_close(']', "array element")? {
                        return Ok(Value::list(items));
                    }
                }
            }
            Some('"') => Ok(Value::from(self.parse_string()?)),
            Some('t') => self.keyword("true", Value::Bool(true)),
            Some('f') => self.keyword("false", Value::Bool(false)),
            Some('n') => self.keyword("null", Value::Nil),
            Some(c) if c == '-' || c.is_ascii_digit() => self.parse_number(),
            Some(c) => Err(format!(
                "invalid character {} looking for beginning of value",
                go_char(c)
            )),
        }
    }
    /// After a member of an object or array: past its `,` (false) or its closing `close`
    /// (true); `member` names the member in Go's error.
    fn at_close(&mut self, close: char, member: &str) -> Result<bool, String> {
        self.skip_ws();
        match self.peek() {
            Some(',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            None => Err("unexpected EOF".into()),
            Some(c) => Err(format!("invalid character {} after {member}", go_char(c))),
        }
    }
    fn keyword(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for expected in word.chars() {
            match self.peek() {
                Some(c) if c == expected => self.pos += 1,
                None => return Err("unexpected EOF".into()),
                Some(c) => {
                    return Err(format!(
                        "invalid character {} in literal {word} (expecting {})",
                        go_char(c),
                        go_char(expected)
                    ))
                }
            }
        }
        Ok(v)
    }
    /// One or more digits of a number's fraction or exponent; `place` names the part in Go's
    /// error (`invalid character 'x' after decimal point in numeric literal`).
    fn digits(&mut self, place: &str) -> Result<(), String> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {}
            None => return Err("unexpected EOF".into()),
            Some(c) => {
                return Err(format!(
                    "invalid character {} {place} numeric literal",
                    go_char(c)
                ))
            }
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
            self.pos += 1;
        }
        Ok(())
    }
    fn parse_number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        match self.peek() {
            Some('0') => self.pos += 1,
            Some(c) if c.is_ascii_digit() => {
                while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
                    self.pos += 1;
                }
            }
            None => return Err("unexpected EOF".into()),
            Some(c) => {
                return Err(format!(
                    "invalid character {} in numeric literal",
                    go_char(c)
                ))
            }
        }
        if self.peek() == Some('.') {
            self.pos += 1;
            self.digits("after decimal point in")?;
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            self.digits("in exponent of")?;
        }
        let text: String = self.s.get(start..self.pos).unwrap_or(&[]).iter().collect();
        text.parse::<f64>().map(Value::Float).map_err(|_| {
            format!("json: cannot unmarshal number {text} into Go value of type float64")
        })
    }
    fn parse_string(&mut self) -> Result<String, String> {
        // at '"'
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("unexpected EOF".into()),
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    self.pos += 1;
                    let c = self.peek().ok_or_else(|| "unexpected EOF".to_string())?;
                    self.pos += 1;
                    match c {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\x08'),
                        'f' => out.push('\x0c'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.pos) == Some(&'\\')
                                && self.s.get(self.pos + 1) == Some(&'u')
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                } else {
                                    out.push('\u{FFFD}');
                                    self.pos = save;
                                }
                            } else {
                                out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                            }
                        }
                        other => {
                            return Err(format!(
                                "invalid character {} in string escape code",
                                go_char(other)
                            ))
                        }
                    }
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(format!(
                        "invalid character {} in string literal",
                        go_char(c)
                    ))
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.peek().ok_or_else(|| "unexpected EOF".to_string())?;
            let d = c.to_digit(16).ok_or_else(|| {
                format!(
                    "invalid character {} in \\u hexadecimal character escape",
                    go_char(c)
                )
            })?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }
}

fn eof_unexpected(e: String) -> String {
    if e == "EOF" {
        "unexpected EOF".into()
    } else {
        e
    }
}

/// Go's `quoteChar` in JSON syntax errors: `'x'`, with `'\''` and `'"'` special-cased.
fn go_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c if (c as u32) < 0x20 => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> Result<Value, StrvalsError> {
        let mut v = Value::empty_map();
        parse_set(s, &mut v)?;
        Ok(v)
    }

    #[test]
    fn typed_values() {
        assert_eq!(typed_val("1"), Value::Int64(1));
        assert_eq!(typed_val("-1"), Value::Int64(-1));
        assert_eq!(typed_val("0"), Value::Int64(0));
        assert_eq!(typed_val("0777"), Value::str("0777"));
        assert_eq!(typed_val("1.5"), Value::str("1.5"));
        assert_eq!(typed_val("TRUE"), Value::Bool(true));
        assert_eq!(typed_val("Null"), Value::Nil);
        assert_eq!(typed_val("1_000"), Value::str("1_000"));
        assert_eq!(
            typed_val("99999999999999999999"),
            Value::str("99999999999999999999")
        );
    }

    #[test]
    fn nested_and_lists() {
        let v = set("a.b=c,d[1].e=f,g={x,1}").unwrap();
        let expected = crate::vmap! {
            "a" => crate::vmap!{"b" => "c"},
            "d" => vec![Value::Nil, crate::vmap!{"e" => "f"}],
            "g" => vec![Value::str("x"), Value::Int64(1)],
        };
        assert_eq!(v, expected);
    }

    #[test]
    fn errors_match_helm() {
        assert_eq!(set("a").unwrap_err().message, "key \"a\" has no value");
        assert_eq!(
            set("a,b=1").unwrap_err().message,
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(
            set("a=1,a.b=2").unwrap_err().message,
            "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}"
        );
        assert_eq!(
            set("a[x]=1").unwrap_err().message,
            "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            set("a[65537]=1").unwrap_err().message,
            "index of 65537 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            set("a[-1]=1").unwrap_err().message,
            "negative -1 index not allowed"
        );
        assert_eq!(
            set("a={x").unwrap_err().message,
            "list must terminate with '}'"
        );
    }

    #[test]
    fn json_values() {
        let mut v = Value::empty_map();
        parse_set_json("a={\"b\":[1,\"x\"]},c=", &mut v).unwrap();
        assert_eq!(
            v,
            crate::vmap! {"a" => crate::vmap!{"b" => vec![Value::Float(1.0), Value::str("x")]}, "c" => Value::Nil}
        );
    }

    #[test]
    fn literal_keeps_everything() {
        let mut v = Value::empty_map();
        parse_set_literal("a.b=x,y=\\z", &mut v).unwrap();
        assert_eq!(v, crate::vmap! {"a" => crate::vmap!{"b" => "x,y=\\z"}});
    }
}
