// The analysis and writers keep libyaml's branch structure so they can be compared line by line.
#![allow(clippy::collapsible_match)]
//! `sigs.k8s.io/yaml.Marshal`: Go value → encoding/json → yaml.v2 re-read → yaml.v2 emitter.
//!
//! The JSON step decides number forms (`1e+06` is re-read as a float, `1000000` as an int) and
//! turns maps into string-keyed maps; the emitter is a transcription of the parts of libyaml's
//! emitter (as ported in yaml.v2) that block-style output of such data reaches: indentation,
//! scalar analysis and style choice, plain/single/double/literal writers with line folding.

use super::resolve::{go_parse_float, is_base60_float, resolve_plain, Resolved};
use super::YamlError;
use crate::values::deep::{guard, MAX_VALUE_DEPTH};
use crate::values::Value;

/// What yaml.v2 holds after reading the JSON text back.
pub(super) enum J {
    Null,
    Bool(bool),
    /// A number in its JSON spelling, re-resolved by yaml.v2 when printed.
    Num(String),
    /// A number already in its final form (yaml.v3 pretty mode prints Go values directly).
    Raw(String),
    Str(String),
    List(Vec<J>),
    Map(Vec<(String, J)>),
}

/// yaml.v2's `Marshal` of an already-built value (entries printed in the order given).
pub(super) fn emit_v2(j: &J) -> String {
    let mut e = Emitter::new();
    e.emit_node(j, true, false, false, false);
    e.write_indent_at(0);
    e.out
}

impl Drop for J {
    /// Iterative, so a `J` as deep as the value it came from drops in constant stack.
    fn drop(&mut self) {
        let is_nested = |j: &J| matches!(j, J::List(_) | J::Map(_));
        let mut pending: Vec<J> = Vec::new();
        let take = |j: &mut J, pending: &mut Vec<J>| match j {
            J::List(items) if items.iter().any(is_nested) => {
                pending.extend(items.drain(..).filter(is_nested))
            }
            J::Map(entries) if entries.iter().any(|(_, v)| is_nested(v)) => {
                pending.extend(entries.drain(..).map(|(_, v)| v).filter(is_nested))
            }
            _ => {}
        };
        take(self, &mut pending);
        while let Some(mut j) = pending.pop() {
            take(&mut j, &mut pending);
        }
    }
}

/// Exactly `sigs.k8s.io/yaml.Marshal(v)` (Helm's `toYaml` before trimming the final newline).
pub fn to_string(v: &Value) -> Result<String, YamlError> {
    let mut cx = ToJ {
        pretty: false,
        cycles: Default::default(),
        deepest: 0,
    };
    let j = cx.to_j(v, 0).map_err(|m| YamlError {
        line: 0,
        column: 0,
        message: format!("error marshaling into JSON: {m}"),
    })?;
    // yaml.v2 re-reading the JSON text stops at its flow depth limit.
    if cx.deepest > YAML_MAX_DEPTH {
        return Err(YamlError {
            line: 0,
            column: 0,
            message: format!("yaml: exceeded max depth of {YAML_MAX_DEPTH}"),
        });
    }
    check_json_reread(v)?;
    let mut e = Emitter::new();
    e.emit_node(&j, true, false, false, false);
    // Document end: yaml.v2 writes an indent (a line break unless already at column 0).
    e.write_indent_at(0);
    Ok(e.out)
}

/// Helm 4's `toYamlPretty`: a yaml.v3 Encoder with `SetIndent(2)` on the Go value (no JSON
/// step): sequences indented under their key, no line folding, floats printed with `%g`
/// (`1e+06`). Known gap: Go structs keep declaration order and lower-cased field names there.
pub fn to_string_pretty(v: &Value) -> Result<String, YamlError> {
    let mut cx = ToJ {
        pretty: true,
        cycles: Default::default(),
        deepest: 0,
    };
    let j = cx.to_j(v, 0).map_err(|m| YamlError {
        line: 0,
        column: 0,
        message: m,
    })?;
    let mut e = Emitter::new();
    e.pretty = true;
    e.emit_node(&j, true, false, false, false);
    e.write_indent_at(0);
    Ok(e.out)
}

/// yaml.v2's nesting limit, which `toYaml`'s re-read of the JSON text runs into.
const YAML_MAX_DEPTH: usize = 10_000;
/// Maps deeper than this are checked for cycles (as Go's JSON encoder does).
const START_DETECTING_CYCLES_AFTER: usize = 1000;

/// The walk from a Go value to what yaml.v2 (or v3) emits.
struct ToJ {
    pretty: bool,
    /// Maps on the current path below [`START_DETECTING_CYCLES_AFTER`].
    cycles: rustc_hash::FxHashSet<usize>,
    /// The deepest container level reached (the root container is level 1).
    deepest: usize,
}

impl ToJ {
    fn to_j(&mut self, v: &Value, depth: usize) -> Result<J, String> {
        if !matches!(v, Value::List(_) | Value::Map(_) | Value::Object(_)) {
            return self.to_j_inner(v, depth);
        }
        if depth >= MAX_VALUE_DEPTH {
            return Err(format!(
                "json: value nested deeper than {MAX_VALUE_DEPTH} levels"
            ));
        }
        self.deepest = self.deepest.max(depth + 1);
        let tracked = match v {
            Value::Map(m) if depth > START_DETECTING_CYCLES_AFTER => {
                if !self.cycles.insert(m.addr()) {
                    return Err(format!(
                        "json: unsupported value: encountered a cycle via {}",
                        v.go_type_name()
                    ));
                }
                Some(m.addr())
            }
            _ => None,
        };
        let r = guard(|| self.to_j_inner(v, depth));
        if let Some(a) = tracked {
            self.cycles.remove(&a);
        }
        r
    }

    fn to_j_inner(&mut self, v: &Value, depth: usize) -> Result<J, String> {
        let pretty = self.pretty;
        Ok(match v {
            Value::Nil => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) | Value::Int64(i) => J::Num(i.to_string()),
            Value::Uint(u) => J::Num(u.to_string()),
            Value::Float(f) => {
                if f.is_nan() || f.is_infinite() {
                    return Err(format!(
                        "json: unsupported value: {}",
                        format_go_float_g(*f, false)
                    ));
                }
                if pretty {
                    J::Raw(format_go_float_g(*f, false))
                } else {
                    J::Num(go_json_float(*f))
                }
            }
            Value::String(s) => J::Str(if pretty {
                s.to_string()
            } else {
                json_roundtrip_string(s)
            }),
            // yaml.v3 encodes a []byte as the sequence of its numbers.
            Value::Bytes(b) if pretty => J::List(b.iter().map(|x| J::Num(x.to_string())).collect()),
            Value::Bytes(b) => {
                use base64::Engine;
                J::Str(base64::engine::general_purpose::STANDARD.encode(b))
            }
            // encoding/json writes a nil map as null; yaml.v3 as an empty mapping.
            Value::Map(m) if m.is_go_nil() && !pretty => J::Null,
            Value::List(items) => J::List(
                items
                    .iter()
                    .map(|i| self.to_j(i, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(m) => {
                let mut entries: Vec<(String, J)> = Vec::new();
                for (k, v) in m.entries() {
                    let key = if pretty {
                        k.to_string()
                    } else {
                        json_roundtrip_string(&k)
                    };
                    entries.push((key, self.to_j(&v, depth + 1)?));
                }
                sort_by_key_less(&mut entries, pretty);
                J::Map(entries)
            }
            Value::Object(o) => match o.struct_fields() {
                // yaml.v3 walks the struct itself: declaration order, lower-cased field names.
                Some(fields) if pretty && !fields.is_empty() => J::Map(
                    fields
                        .iter()
                        .map(|f| Ok((f.go_name.to_lowercase(), self.to_j(&f.value, depth + 1)?)))
                        .collect::<Result<_, String>>()?,
                ),
                _ => self.to_j(&o.to_data(), depth + 1)?,
            },
        })
    }
}

/// json.Marshal writes U+0085 (NEL) raw, and yaml.v2 re-reading the JSON treats it as a line
/// break inside a double-quoted scalar: spaces around it are dropped, one break becomes a
/// space, n consecutive breaks n-1 newlines.
fn json_roundtrip_string(s: &str) -> String {
    if !s.contains('\u{85}') {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\u{85}' {
            while out.ends_with(' ') {
                out.pop();
            }
            let mut breaks = 0;
            while i < chars.len() && (chars[i] == '\u{85}' || chars[i] == ' ') {
                if chars[i] == '\u{85}' {
                    breaks += 1;
                }
                i += 1;
            }
            if breaks == 1 {
                out.push(' ');
            } else {
                for _ in 1..breaks {
                    out.push('\n');
                }
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn has_nel(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\u{85}'),
        Value::List(items) => guard(|| items.iter().any(has_nel)),
        Value::Map(m) => {
            guard(|| m.with(|e| e.iter().any(|(k, v)| k.contains('\u{85}') || has_nel(v))))
        }
        Value::Object(o) => has_nel(&o.to_data()),
        _ => false,
    }
}

/// yaml.v2 fails to re-read json.Marshal output in which a raw NEL (U+0085, a YAML 1.1 line
/// break) starts a `---`/`...` line inside a string, or makes an object key span lines.
fn check_json_reread(v: &Value) -> Result<(), YamlError> {
    if !has_nel(v) {
        return Ok(());
    }
    let text = match crate::values::json::marshal(v, true) {
        Ok(t) => t,
        Err(_) => return Ok(()),
    };
    if !text.contains('\u{85}') {
        return Ok(());
    }
    let chars: Vec<char> = text.chars().collect();
    let err = |m: String| {
        Err(YamlError {
            line: 0,
            column: 0,
            message: m,
        })
    };
    let mut lines = 0usize;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '"' {
            i += 1;
            continue;
        }
        // A JSON string.
        i += 1;
        let mut had_break = false;
        while i < chars.len() && chars[i] != '"' {
            if chars[i] == '\\' {
                i += 2;
                continue;
            }
            if chars[i] == '\u{85}' {
                lines += 1;
                had_break = true;
                let rest: String = chars[i + 1..chars.len().min(i + 4)].iter().collect();
                let after = chars.get(i + 4).copied();
                let blank = matches!(after, None | Some(' ') | Some('\t') | Some('\u{85}'));
                if (rest == "---" || rest == "...") && blank {
                    return err(format!(
                        "yaml: line {}: found unexpected document indicator",
                        lines + 1
                    ));
                }
            }
            i += 1;
        }
        i += 1;
        if had_break && chars.get(i) == Some(&':') {
            return err(format!(
                "yaml: line {lines}: did not find expected ',' or '}}'"
            ));
        }
    }
    Ok(())
}

/// Sorts map entries by [`key_less`], stably. Go's key order is not a total order for every
/// pair of keys (digit runs against other characters, non-ASCII digits), which Go's sort
/// tolerates but Rust's `sort_by` answers with a panic; so this is a plain merge sort, which
/// gives the same result as any stable sort when the order is total and some order otherwise.
pub(crate) fn sort_by_key_less<T>(entries: &mut Vec<(String, T)>, v3: bool) {
    fn merge_sort(idx: &mut [usize], tmp: &mut Vec<usize>, less: &dyn Fn(usize, usize) -> bool) {
        if idx.len() < 2 {
            return;
        }
        let mid = idx.len() / 2;
        merge_sort(&mut idx[..mid], tmp, less);
        merge_sort(&mut idx[mid..], tmp, less);
        tmp.clear();
        let (mut i, mut j) = (0, mid);
        while i < mid && j < idx.len() {
            // Take from the right only when strictly less: equal keys keep their order.
            if less(idx[j], idx[i]) {
                tmp.push(idx[j]);
                j += 1;
            } else {
                tmp.push(idx[i]);
                i += 1;
            }
        }
        tmp.extend_from_slice(&idx[i..mid]);
        tmp.extend_from_slice(&idx[j..]);
        idx.copy_from_slice(tmp);
    }
    let mut idx: Vec<usize> = (0..entries.len()).collect();
    let mut tmp = Vec::with_capacity(entries.len());
    merge_sort(&mut idx, &mut tmp, &|a, b| {
        key_less(&entries[a].0, &entries[b].0, v3)
    });
    let mut slots: Vec<Option<(String, T)>> = entries.drain(..).map(Some).collect();
    entries.extend(idx.into_iter().filter_map(|i| slots[i].take()));
}

/// yaml.v2's map key order (sorter.go) for string keys: runs of digits compare as numbers,
/// letters compare by code point, and a non-letter sorts before a letter. yaml.v3 (`v3`)
/// reverses that last rule right after a digit shared by both keys.
pub(crate) fn key_less(a: &str, b: &str, v3: bool) -> bool {
    // Keys are nearly always ASCII: compare bytes then, without collecting characters.
    if a.is_ascii() && b.is_ascii() {
        return key_less_slice(a.as_bytes(), b.as_bytes(), |c| c as char, v3);
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    key_less_slice(&ar, &br, |c| c, v3)
}

fn key_less_slice<T: Copy>(ar: &[T], br: &[T], ch: impl Fn(T) -> char, v3: bool) -> bool {
    let n = ar.len().min(br.len());
    let mut digits = false;
    for i in 0..n {
        let (ca, cb) = (ch(ar[i]), ch(br[i]));
        if ca == cb {
            digits = ca.is_numeric();
            continue;
        }
        let al = ca.is_alphabetic();
        let bl = cb.is_alphabetic();
        if al && bl {
            return ca < cb;
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ca == '0' || cb == '0' {
            let mut j = i;
            while j > 0 {
                j -= 1;
                let cj = ch(ar[j]);
                if !cj.is_numeric() {
                    break;
                }
                if cj != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ch(ar[ai]).is_numeric() {
            an = an
                .wrapping_mul(10)
                .wrapping_add((ch(ar[ai]) as i64).wrapping_sub('0' as i64));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && ch(br[bi]).is_numeric() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add((ch(br[bi]) as i64).wrapping_sub('0' as i64));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ca < cb;
    }
    ar.len() < br.len()
}

// ----- Go float formatting ---------------------------------------------------------------------

/// Shortest decimal digits and exponent of `f` (`f = 0.d1d2… × 10^dp`), as Go's `strconv` uses.
fn shortest_digits(f: f64, as_f32: bool) -> (bool, String, i32) {
    let s = if as_f32 {
        format!("{:e}", f as f32)
    } else {
        format!("{:e}", f)
    };
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, s),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let digits = if digits.chars().all(|c| c == '0') {
        "0".to_string()
    } else {
        digits
    };
    (neg, digits, exp + 1)
}

fn fmt_e(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let mut it = digits.chars();
    out.push(it.next().unwrap_or('0'));
    let rest: String = it.collect();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(&rest);
    }
    let exp = if digits == "0" { 0 } else { dp - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

fn fmt_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if dp <= 0 {
        out.push('0');
    } else {
        for i in 0..dp as usize {
            out.push(digits.chars().nth(i).unwrap_or('0'));
        }
    }
    if (digits.len() as i32) > dp {
        out.push('.');
        for _ in dp..0 {
            out.push('0');
        }
        let start = dp.max(0) as usize;
        out.extend(digits.chars().skip(start));
    }
    out
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64|32)` (`%v` of a float64).
pub fn format_go_float_g(f: f64, as_f32: bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let (neg, digits, dp) = shortest_digits(f, as_f32);
    let neg = neg || (f == 0.0 && f.is_sign_negative());
    if digits == "0" {
        return if neg { "-0".into() } else { "0".into() };
    }
    let exp = dp - 1;
    // Go: shortest 'g' uses %e when the exponent is < -4 or >= 6.
    if !(-4..6).contains(&exp) {
        return fmt_e(neg, &digits, dp);
    }
    fmt_f(neg, &digits, dp)
}

/// How Go's encoding/json prints a float64: 'f' format, or 'e' (exponent cleaned of a leading
/// zero: `1e-7`, `1e+21`) when |f| < 1e-6 or ≥ 1e21.
pub fn go_json_float(f: f64) -> String {
    let a = f.abs();
    let (neg, digits, dp) = shortest_digits(f, false);
    let neg = neg || (f == 0.0 && f.is_sign_negative());
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let mut s = fmt_e(neg, &digits, dp);
        // e-09 → e-9
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        return s;
    }
    if digits == "0" {
        return if neg { "-0".into() } else { "0".into() };
    }
    fmt_f(neg, &digits, dp)
}

// ----- the emitter ------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ScalarStyle {
    Plain,
    Single,
    Double,
    Literal,
}

#[derive(Default)]
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i64,
    indents: Vec<i64>,
    simple_key_context: bool,
    mapping_context: bool,
    /// yaml.v3 pretty mode: indented sequences, unlimited width.
    pretty: bool,
}

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;

fn is_space(c: Option<char>) -> bool {
    c == Some(' ')
}
fn is_break_c(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
fn is_blankz_c(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break_c(c) || c == '\0',
    }
}
/// libyaml's `is_printable` as yaml.v2 ports it (note: no characters beyond U+FFFF, no NEL).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: Vec::new(),
            simple_key_context: false,
            mapping_context: false,
            pretty: false,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }
    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }
    /// libyaml's WRITE_BREAK: a line break of the value itself (`\n`, or a Unicode line break
    /// kept as it is) starts a new line that counts as indentation so far.
    fn write_break(&mut self, c: char) {
        self.out.push(c);
        self.column = 0;
        self.indention = true;
    }
    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }
    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }
    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        self.write_indent_at(indent);
    }
    fn write_indent_at(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }
    fn write_indicator(
        &mut self,
        ind: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn emit_node(&mut self, n: &J, root: bool, sequence: bool, mapping: bool, simple_key: bool) {
        match n {
            J::List(_) | J::Map(_) => {
                guard(|| self.emit_node_here(n, root, sequence, mapping, simple_key))
            }
            _ => self.emit_node_here(n, root, sequence, mapping, simple_key),
        }
    }

    fn emit_node_here(
        &mut self,
        n: &J,
        _root: bool,
        _sequence: bool,
        mapping: bool,
        simple_key: bool,
    ) {
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match n {
            J::Null => self.emit_scalar("null", ScalarStyle::Plain),
            J::Bool(b) => self.emit_scalar(if *b { "true" } else { "false" }, ScalarStyle::Plain),
            J::Num(s) => {
                let text = number_text(s);
                self.emit_scalar(&text, ScalarStyle::Plain)
            }
            J::Raw(s) => self.emit_scalar(s, ScalarStyle::Plain),
            J::Str(s) => {
                let style = if s.contains('\n') {
                    ScalarStyle::Literal
                } else if resolve_plain(s) == Resolved::Str
                    && !is_base60_float(s)
                    && !is_timestamp(s)
                {
                    ScalarStyle::Plain
                } else {
                    ScalarStyle::Double
                };
                self.emit_scalar(s, style)
            }
            J::List(items) => {
                if items.is_empty() {
                    self.write_indicator("[", true, true, false);
                    self.write_indicator("]", false, false, false);
                    return;
                }
                let indentless = !self.pretty && self.mapping_context && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.emit_node(item, false, true, false, false);
                }
                self.pop_indent();
            }
            J::Map(entries) => {
                if entries.is_empty() {
                    self.write_indicator("{", true, true, false);
                    self.write_indicator("}", false, false, false);
                    return;
                }
                self.increase_indent(false, false);
                for (k, v) in entries {
                    self.write_indent();
                    let key = J::Str(k.clone());
                    if check_simple_key(k) {
                        self.emit_node(&key, false, false, true, true);
                        self.write_indicator(":", false, false, false);
                        self.emit_node(v, false, false, true, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.emit_node(&key, false, false, true, false);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                        self.emit_node(v, false, false, true, false);
                    }
                }
                self.pop_indent();
            }
        }
    }

    fn emit_scalar(&mut self, value: &str, requested: ScalarStyle) {
        let a = analyze_scalar(value, self.pretty);
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = ScalarStyle::Double;
        }
        if style == ScalarStyle::Plain {
            if !a.block_plain_allowed {
                style = ScalarStyle::Single;
            }
            if value.is_empty() && self.simple_key_context {
                style = ScalarStyle::Single;
            }
        }
        if style == ScalarStyle::Single && !a.single_quoted_allowed {
            style = ScalarStyle::Double;
        }
        if style == ScalarStyle::Literal && (!a.block_allowed || self.simple_key_context) {
            style = ScalarStyle::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context && !self.pretty;
        match style {
            ScalarStyle::Plain => self.write_plain(value, allow_breaks),
            ScalarStyle::Single => self.write_single(value, allow_breaks),
            ScalarStyle::Double => self.write_double(value, allow_breaks),
            ScalarStyle::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !value.is_empty() && !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && !is_space(chars.get(i + 1).copied())
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                self.indention = false;
                spaces = false;
            }
            i += 1;
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                    && !is_space(chars.get(i + 1).copied())
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break_c(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
            i += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        // libyaml's is_bom looks at the value's first bytes whatever the position, so a value
        // starting with U+FEFF has every character escaped.
        let bom = value.starts_with('\u{feff}');
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if bom || !is_printable(c) || is_break_c(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\x07' => self.put('a'),
                    '\x08' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\x0b' => self.put('v'),
                    '\x0c' => self.put('f'),
                    '\r' => self.put('r'),
                    '\x1b' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let (ind, w) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(ind);
                        for k in (0..w).rev() {
                            let d = (v >> (k * 4)) & 0xF;
                            self.put(
                                std::char::from_digit(d, 16)
                                    .unwrap_or('0')
                                    .to_ascii_uppercase(),
                            );
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                {
                    self.write_indent();
                    if is_space(chars.get(i + 1).copied()) {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.write_indicator("\"", false, false, false);
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints.
        let chars: Vec<char> = value.chars().collect();
        if chars
            .first()
            .map(|c| *c == ' ' || is_break_c(*c))
            .unwrap_or(false)
        {
            let h = BEST_INDENT.to_string();
            self.write_indicator(&h, false, false, false);
        }
        let chomp = match chars.len() {
            0 => Some("-"),
            n => {
                if !is_break_c(chars[n - 1]) {
                    Some("-")
                } else if n == 1 || is_break_c(chars[n - 2]) {
                    Some("+")
                } else {
                    None
                }
            }
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in chars {
            if is_break_c(c) {
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                    breaks = false;
                }
                self.put(c);
                self.indention = false;
            }
        }
    }
}

/// yaml.v2 re-reads a JSON number and prints it by its resolved Go type: ints as is, floats with
/// `strconv.FormatFloat(f, 'g', -1, 64)` (so `1e+06`, `1.5`).
fn number_text(s: &str) -> String {
    match resolve_plain(s) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => format_go_float_g(f, false),
        _ => match go_parse_float(s) {
            Some(f) => format_go_float_g(f, false),
            None => s.to_string(),
        },
    }
}

/// yaml_emitter_check_simple_key for a string key.
fn check_simple_key(k: &str) -> bool {
    let a = analyze_scalar(k, false);
    !(a.multiline || k.len() > 128)
}

/// yaml_emitter_analyze_scalar.
fn analyze_scalar(value: &str, v3: bool) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    // yaml.v3 keeps tabs out of plain and single-quoted scalars but allows them in block ones.
    let mut tab_characters = false;
    let mut previous_space = false;
    let mut previous_break = false;
    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let n = chars.len();
    for i in 0..n {
        let c = chars[i];
        let followed_by_whitespace =
            i + 1 >= n || matches!(chars[i + 1], ' ' | '\t') || is_break_c(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' => {
                    if followed_by_whitespace {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' => {
                    if preceded_by_whitespace {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                }
                _ => {}
            }
        }
        if v3 && c == '\t' {
            tab_characters = true;
        } else if !is_printable(c) {
            special_characters = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break_c(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz_c(Some(c));
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tab_characters || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// yaml.v2's `parseTimestamp`: strings it would read as timestamps are quoted on output.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    // yyyy-m-d
    let num = |i: &mut usize, max: usize| -> Option<u32> {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - st < max {
            *i += 1;
        }
        if *i == st {
            return None;
        }
        std::str::from_utf8(&b[st..*i]).ok()?.parse().ok()
    };
    let year: u32 = match s[..4].parse() {
        Ok(y) => y,
        Err(_) => return false,
    };
    i += 1;
    let month = match num(&mut i, 2) {
        Some(m) if (1..=12).contains(&m) => m,
        _ => return false,
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let day = match num(&mut i, 2) {
        Some(d) => d,
        None => return false,
    };
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let mdays = match month {
        2 => {
            if leap {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > mdays {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    let h = num(&mut i, 2);
    if !matches!(h, Some(h) if h < 24) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !matches!(num(&mut i, 2), Some(m) if m < 60) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !matches!(num(&mut i, 2), Some(m) if m < 60) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if num(&mut i, 9).is_none() {
            return false;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    // Zone: Z or ±hh:mm
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            i += 1;
            let st = i;
            if num(&mut i, 2).is_none() || i - st != 2 || b.get(i) != Some(&b':') {
                return false;
            }
            i += 1;
            let st = i;
            num(&mut i, 2).is_some() && i - st == 2 && i == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_formats() {
        assert_eq!(format_go_float_g(1e6, false), "1e+06");
        assert_eq!(format_go_float_g(123456.0, false), "123456");
        assert_eq!(format_go_float_g(1234567.0, false), "1.234567e+06");
        assert_eq!(format_go_float_g(1.5, false), "1.5");
        assert_eq!(format_go_float_g(0.0001, false), "0.0001");
        assert_eq!(format_go_float_g(0.00001, false), "1e-05");
        assert_eq!(format_go_float_g(1e21, false), "1e+21");
        assert_eq!(go_json_float(1e21), "1e+21");
        assert_eq!(go_json_float(1e20), "100000000000000000000");
        assert_eq!(go_json_float(1e-7), "1e-7");
        assert_eq!(go_json_float(0.000001), "0.000001");
        assert_eq!(go_json_float(-0.0), "-0");
        assert_eq!(go_json_float(3.0), "3");
        assert_eq!(go_json_float(0.1), "0.1");
    }

    #[test]
    fn timestamps() {
        assert!(is_timestamp("2021-03-04"));
        assert!(is_timestamp("2001-12-14t21:59:43.10-05:00"));
        assert!(is_timestamp("2001-12-14 21:59:43.10"));
        assert!(!is_timestamp("2021-13-04"));
        assert!(!is_timestamp("2021-02-30"));
    }
}
