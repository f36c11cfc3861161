//! Template functions: strings (`upper`, `trim`, `quote`, `indent`, `wrap`, `snakecase`, …).
//!
//! Sprig builds these on Go's `strings` package, `Masterminds/goutils` and `huandu/xstrings`.
//! Those libraries have quirks charts see: Go slices strings by *byte* (`trunc`, `substr`,
//! `abbrev`), goutils' `nospace` and `initials` walk bytes as if they were Latin-1 runes, and
//! `strings.Title` has its own word-boundary rule. Each function here reproduces its Go
//! counterpart's algorithm, including the panics Go turns into template errors.

use super::conversion::{bytes_to_string, format_v, int_arg, str_arg, strval};
use super::{FuncError, FuncTable, Param};
use crate::values::{Map, Value};

pub fn register(t: &mut FuncTable) {
    use Param::{Any, Int, String as S};
    t.add("hello", &[], None, |_| Ok(Value::str("Hello!")));
    t.add("abbrev", &[Int, S], None, |a| {
        Ok(bytes_value(abbrev(int_arg(a, 0), str_arg(a, 1).as_bytes())))
    });
    t.add("abbrevboth", &[Int, Int, S], None, |a| {
        Ok(bytes_value(abbrevboth(
            int_arg(a, 0),
            int_arg(a, 1),
            str_arg(a, 2).as_bytes(),
        )))
    });
    t.add("trunc", &[Int, S], None, |a| {
        Ok(bytes_value(trunc(int_arg(a, 0), str_arg(a, 1).as_bytes())))
    });
    t.add("trim", &[S], None, |a| Ok(Value::str(str_arg(a, 0).trim())));
    t.add("upper", &[S], None, |a| {
        Ok(Value::from(go_upper(str_arg(a, 0))))
    });
    t.add("lower", &[S], None, |a| {
        Ok(Value::from(go_lower(str_arg(a, 0))))
    });
    t.add("title", &[S], None, |a| {
        Ok(Value::from(go_title(str_arg(a, 0))))
    });
    t.add("untitle", &[S], None, |a| {
        Ok(Value::from(uncapitalize(str_arg(a, 0))))
    });
    t.add("substr", &[Int, Int, S], None, |a| {
        substr(int_arg(a, 0), int_arg(a, 1), str_arg(a, 2).as_bytes())
            .map(|b| bytes_value(b.to_vec()))
    });
    t.add("repeat", &[Int, S], None, |a| {
        go_repeat(str_arg(a, 1), int_arg(a, 0)).map(Value::from)
    });
    t.add("trimall", &[S, S], None, |a| {
        Ok(Value::str(trim_cutset(str_arg(a, 1), str_arg(a, 0))))
    });
    t.add("trimAll", &[S, S], None, |a| {
        Ok(Value::str(trim_cutset(str_arg(a, 1), str_arg(a, 0))))
    });
    t.add("trimSuffix", &[S, S], None, |a| {
        let (suf, s) = (str_arg(a, 0), str_arg(a, 1));
        Ok(Value::str(s.strip_suffix(suf).unwrap_or(s)))
    });
    t.add("trimPrefix", &[S, S], None, |a| {
        let (pre, s) = (str_arg(a, 0), str_arg(a, 1));
        Ok(Value::str(s.strip_prefix(pre).unwrap_or(s)))
    });
    t.add("nospace", &[S], None, |a| {
        Ok(Value::from(delete_white_space(str_arg(a, 0))))
    });
    t.add("initials", &[S], None, |a| {
        Ok(Value::from(initials(str_arg(a, 0))))
    });
    t.add("swapcase", &[S], None, |a| {
        Ok(Value::from(swap_case(str_arg(a, 0))))
    });
    t.add("shuffle", &[S], None, |a| {
        Ok(Value::from(shuffle(str_arg(a, 0))))
    });
    t.add("snakecase", &[S], None, |a| {
        Ok(Value::from(camel_to_lower(str_arg(a, 0), '_')))
    });
    t.add("kebabcase", &[S], None, |a| {
        Ok(Value::from(camel_to_lower(str_arg(a, 0), '-')))
    });
    t.add("camelcase", &[S], None, |a| {
        Ok(Value::from(to_camel_case(str_arg(a, 0), true)))
    });
    t.add("wrap", &[Int, S], None, |a| {
        Ok(bytes_value(wrap_custom(
            str_arg(a, 1).as_bytes(),
            int_arg(a, 0),
            b"",
            false,
        )))
    });
    t.add("wrapWith", &[Int, S, S], None, |a| {
        Ok(bytes_value(wrap_custom(
            str_arg(a, 2).as_bytes(),
            int_arg(a, 0),
            str_arg(a, 1).as_bytes(),
            true,
        )))
    });
    t.add("contains", &[S, S], None, |a| {
        Ok(Value::Bool(str_arg(a, 1).contains(str_arg(a, 0))))
    });
    t.add("hasPrefix", &[S, S], None, |a| {
        Ok(Value::Bool(str_arg(a, 1).starts_with(str_arg(a, 0))))
    });
    t.add("hasSuffix", &[S, S], None, |a| {
        Ok(Value::Bool(str_arg(a, 1).ends_with(str_arg(a, 0))))
    });
    t.add("quote", &[], Some(Any), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| go_quote(&strval(v)))
            .collect();
        Ok(Value::from(parts.join(" ")))
    });
    t.add("squote", &[], Some(Any), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", format_v(v)))
            .collect();
        Ok(Value::from(parts.join(" ")))
    });
    t.add("cat", &[], Some(Any), |a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(format_v).collect();
        Ok(Value::from(parts.join(" ")))
    });
    t.add("indent", &[Int, S], None, |a| {
        indent(int_arg(a, 0), str_arg(a, 1)).map(Value::from)
    });
    t.add("nindent", &[Int, S], None, |a| {
        indent(int_arg(a, 0), str_arg(a, 1)).map(|s| Value::from(format!("\n{s}")))
    });
    t.add("replace", &[S, S, S], None, |a| {
        Ok(Value::from(
            str_arg(a, 2).replace(str_arg(a, 0), str_arg(a, 1)),
        ))
    });
    t.add("plural", &[S, S, Int], None, |a| {
        Ok(Value::str(if int_arg(a, 2) == 1 {
            str_arg(a, 0)
        } else {
            str_arg(a, 1)
        }))
    });
    t.add("split", &[S, S], None, |a| {
        Ok(indexed_map(go_split(str_arg(a, 1), str_arg(a, 0), -1)))
    });
    t.add("splitn", &[S, Int, S], None, |a| {
        Ok(indexed_map(go_split(
            str_arg(a, 2),
            str_arg(a, 0),
            int_arg(a, 1),
        )))
    });
    t.add("splitList", &[S, S], None, |a| {
        Ok(Value::list(
            go_split(str_arg(a, 1), str_arg(a, 0), -1)
                .into_iter()
                .map(Value::from)
                .collect(),
        ))
    });
}

/// A string result from bytes Go may have cut mid-character.
fn bytes_value(b: Vec<u8>) -> Value {
    match String::from_utf8(b) {
        Ok(s) => Value::from(s),
        Err(e) => Value::from(bytes_to_string(e.as_bytes())),
    }
}

/// `split`/`splitn` results: `map[string]string{"_0": …, "_1": …}`.
fn indexed_map(parts: Vec<String>) -> Value {
    let m = Map::new();
    for (i, p) in parts.into_iter().enumerate() {
        m.insert(format!("_{i}"), Value::from(p));
    }
    Value::Map(m)
}

// ---------------------------------------------------------------------------------------------
// Go's unicode package: simple case mappings and classes.

/// `unicode.ToUpper`: the simple (one-rune) mapping; runes whose full mapping is longer stay.
pub(crate) fn to_upper_rune(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `unicode.ToLower`.
pub(crate) fn to_lower_rune(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `unicode.ToTitle`: upper case except for the Latin digraphs, which have a title form.
pub(crate) fn to_title_rune(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => to_upper_rune(c),
    }
}

/// `unicode.IsTitle` (category Lt).
fn is_title(c: char) -> bool {
    matches!(c, '\u{1C5}' | '\u{1C8}' | '\u{1CB}' | '\u{1F2}' | '\u{1F88}'..='\u{1F8F}'
        | '\u{1F98}'..='\u{1F9F}' | '\u{1FA8}'..='\u{1FAF}' | '\u{1FBC}' | '\u{1FCC}' | '\u{1FFC}')
}

/// `unicode.IsUpper` (category Lu).
fn is_upper(c: char) -> bool {
    c.is_uppercase()
        && !is_title(c)
        && !matches!(c, '\u{2160}'..='\u{216F}' | '\u{24B6}'..='\u{24CF}')
}

/// `unicode.IsLower` (category Ll).
fn is_lower(c: char) -> bool {
    c.is_lowercase()
        && !matches!(c, '\u{2170}'..='\u{217F}' | '\u{24D0}'..='\u{24E9}' | '\u{AA}' | '\u{BA}' | '\u{2B0}'..='\u{2B8}' | '\u{2C0}'..='\u{2C1}' | '\u{2E0}'..='\u{2E4}')
}

/// `unicode.IsSpace`.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// `unicode.IsLetter` (category L).
fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !matches!(c, '\u{2160}'..='\u{2188}' | '\u{24B6}'..='\u{24E9}' | '\u{345}')
}

/// `unicode.IsPunct` (category P): exact for ASCII and Latin-1, the common blocks beyond.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return matches!(
            c,
            '!' | '"'
                | '#'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '?'
                | '@'
                | '['
                | '\\'
                | ']'
                | '_'
                | '{'
                | '}'
        );
    }
    matches!(c, '\u{A1}' | '\u{A7}' | '\u{AB}' | '\u{B6}' | '\u{B7}' | '\u{BB}' | '\u{BF}'
        | '\u{37E}' | '\u{387}' | '\u{55A}'..='\u{55F}' | '\u{589}' | '\u{58A}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{2043}' | '\u{2045}'..='\u{2051}' | '\u{2053}'..='\u{205E}'
        | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301F}'
        | '\u{FF01}'..='\u{FF03}' | '\u{FF05}'..='\u{FF0A}' | '\u{FF0C}'..='\u{FF0F}' | '\u{FF1A}' | '\u{FF1B}'
        | '\u{FF1F}' | '\u{FF20}' | '\u{FF3B}'..='\u{FF3D}' | '\u{FF3F}' | '\u{FF5B}' | '\u{FF5D}')
}

/// `unicode.IsNumber` (category N).
fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// `strings.ToUpper`.
pub(crate) fn go_upper(s: &str) -> String {
    s.chars().map(to_upper_rune).collect()
}

/// `strings.ToLower`.
pub(crate) fn go_lower(s: &str) -> String {
    s.chars().map(to_lower_rune).collect()
}

// ---------------------------------------------------------------------------------------------
// Go's strings package

/// `strings.Title`: a rune is title-cased when the previous rune is a separator (anything but
/// ASCII letters, digits and `_`; beyond ASCII only spaces).
fn go_title(s: &str) -> String {
    fn is_separator(r: char) -> bool {
        if r.is_ascii() {
            return !(r.is_ascii_alphanumeric() || r == '_');
        }
        if is_letter(r) || c_is_digit(r) {
            return false;
        }
        is_space(r)
    }
    fn c_is_digit(r: char) -> bool {
        // unicode.IsDigit: category Nd.
        r.is_numeric()
            && (r.is_ascii_digit()
                || ('\u{660}'..='\u{669}').contains(&r)
                || ('\u{6F0}'..='\u{6F9}').contains(&r)
                || ('\u{966}'..='\u{96F}').contains(&r)
                || ('\u{FF10}'..='\u{FF19}').contains(&r))
    }
    let mut prev = ' ';
    s.chars()
        .map(|r| {
            let out = if is_separator(prev) {
                to_title_rune(r)
            } else {
                r
            };
            prev = r;
            out
        })
        .collect()
}

/// `strings.Trim(s, cutset)`.
fn trim_cutset<'a>(s: &'a str, cutset: &str) -> &'a str {
    if s.is_empty() || cutset.is_empty() {
        return s;
    }
    s.trim_matches(|c: char| cutset.contains(c))
}

/// `strings.Repeat`, with its panics.
pub(crate) fn go_repeat(s: &str, count: i64) -> Result<String, FuncError> {
    if count < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    let total = (s.len() as u128) * (count as u128);
    if total > i64::MAX as u128 {
        return Err(FuncError::new("strings: Repeat output length overflow"));
    }
    if total > (1u128 << 28) {
        // Go would try to allocate this much and die; refuse instead of exhausting memory.
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    Ok(s.repeat(count as usize))
}

/// `strings.Split(s, sep)` / `strings.SplitN(s, sep, n)` (n < 0: all).
pub(crate) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        // Explode into UTF-8 sequences, the last one keeping the rest when n is reached.
        let mut out = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            if n > 0 && out.len() as i64 == n - 1 {
                out.push(rest.to_string());
                return out;
            }
            let c = rest.chars().next().map(char::len_utf8).unwrap_or(1);
            out.push(rest[..c].to_string());
            rest = &rest[c..];
        }
        return out;
    }
    if n < 0 {
        s.split(sep).map(str::to_string).collect()
    } else {
        s.splitn(n.min(usize::MAX as i64) as usize, sep)
            .map(str::to_string)
            .collect()
    }
}

/// Go's `strconv.Quote` (what `%q` prints for a string): one implementation, the lexer's.
use crate::gocompat::strconv::go_quote;

fn indent(spaces: i64, v: &str) -> Result<String, FuncError> {
    let pad = go_repeat(" ", spaces)?;
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

/// Go's panic text for `s[lo:hi]` out of range, as the template shows it.
fn slice_panic(lo: Option<i64>, hi: Option<i64>, len: usize) -> FuncError {
    let msg = match (lo, hi) {
        (None, Some(h)) => {
            if h < 0 {
                format!("slice bounds out of range [:{h}]")
            } else {
                format!("slice bounds out of range [:{h}] with length {len}")
            }
        }
        (Some(l), None) => {
            if l < 0 {
                format!("slice bounds out of range [{l}:]")
            } else {
                format!("slice bounds out of range [{l}:{len}]")
            }
        }
        (Some(l), Some(h)) => {
            if h < 0 || h as u64 > len as u64 {
                if h < 0 {
                    format!("slice bounds out of range [:{h}]")
                } else {
                    format!("slice bounds out of range [:{h}] with length {len}")
                }
            } else {
                format!("slice bounds out of range [{l}:{h}]")
            }
        }
        (None, None) => "slice bounds out of range".to_string(),
    };
    FuncError::new(format!("runtime error: {msg}"))
}

/// Sprig's `substr`: Go byte slicing with Go's panics.
fn substr(start: i64, end: i64, s: &[u8]) -> Result<&[u8], FuncError> {
    let len = s.len();
    if start < 0 {
        if end < 0 || end as u64 > len as u64 {
            return Err(slice_panic(None, Some(end), len));
        }
        return Ok(&s[..end as usize]);
    }
    if end < 0 || end as u64 > len as u64 {
        if start as u64 > len as u64 {
            return Err(slice_panic(Some(start), None, len));
        }
        return Ok(&s[start as usize..]);
    }
    if start > end {
        return Err(slice_panic(Some(start), Some(end), len));
    }
    Ok(&s[start as usize..end as usize])
}

/// Sprig's `trunc`: keep the first `c` bytes, or the last `-c`.
fn trunc(c: i64, s: &[u8]) -> Vec<u8> {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return s[(len + c) as usize..].to_vec();
    }
    if c >= 0 && len > c {
        return s[..c as usize].to_vec();
    }
    s.to_vec()
}

// ---------------------------------------------------------------------------------------------
// Masterminds/goutils

fn abbrev(width: i64, s: &[u8]) -> Vec<u8> {
    if width < 4 {
        return s.to_vec();
    }
    abbreviate_full(s, 0, width).unwrap_or_default()
}

fn abbrevboth(left: i64, right: i64, s: &[u8]) -> Vec<u8> {
    if right < 4 || left > 0 && right < 7 {
        return s.to_vec();
    }
    abbreviate_full(s, left, right).unwrap_or_default()
}

/// goutils `AbbreviateFull` (byte offsets, "..." marker); `None` where Go returns an error.
fn abbreviate_full(s: &[u8], offset: i64, max_width: i64) -> Option<Vec<u8>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    if max_width < 4 {
        return None;
    }
    let len = s.len() as i64;
    if len <= max_width {
        return Some(s.to_vec());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        let mut out = s[..(max_width - 3) as usize].to_vec();
        out.extend_from_slice(b"...");
        return Some(out);
    }
    if max_width < 7 {
        return None;
    }
    let mut out = b"...".to_vec();
    if offset + max_width - 3 < len {
        out.extend(abbreviate_full(&s[offset as usize..], 0, max_width - 3).unwrap_or_default());
    } else {
        out.extend_from_slice(&s[(len - (max_width - 3)) as usize..]);
    }
    Some(out)
}

/// goutils `Uncapitalize`: lower-case the first rune of each whitespace-separated word.
fn uncapitalize(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                to_lower_rune(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`.
fn swap_case(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if is_upper(c) || is_title(c) {
                whitespace = false;
                to_lower_rune(c)
            } else if is_lower(c) {
                if whitespace {
                    whitespace = false;
                    to_title_rune(c)
                } else {
                    to_upper_rune(c)
                }
            } else {
                whitespace = is_space(c);
                c
            }
        })
        .collect()
}

/// `unicode.IsSpace` of a byte read as a Latin-1 rune (goutils walks bytes, not runes).
fn latin1_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xA0)
}

/// goutils `DeleteWhiteSpace`: drops whitespace bytes; when it drops any, every other byte is
/// re-encoded as the Latin-1 rune of that byte (Go's `rune(str[i])`).
fn delete_white_space(s: &str) -> String {
    let b = s.as_bytes();
    if !b.iter().any(|&x| latin1_space(x)) {
        return s.to_string();
    }
    b.iter()
        .filter(|&&x| !latin1_space(x))
        .map(|&x| x as char)
        .collect()
}

/// goutils `Initials`: the first byte (as a Latin-1 rune) of each whitespace-separated word.
fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for &x in s.as_bytes() {
        if latin1_space(x) {
            gap = true;
        } else if gap {
            out.push(x as char);
            gap = false;
        }
    }
    out
}

/// goutils `WrapCustom` (byte-based, words split on ' ').
fn wrap_custom(s: &[u8], wrap_length: i64, new_line: &[u8], wrap_long_words: bool) -> Vec<u8> {
    if s.is_empty() {
        return Vec::new();
    }
    let new_line: &[u8] = if new_line.is_empty() { b"\n" } else { new_line };
    let wrap = wrap_length.max(1) as usize;
    let len = s.len();
    let mut offset = 0usize;
    let mut out = Vec::with_capacity(len + len / wrap.max(1));
    while len - offset > wrap {
        if s[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = wrap + offset + 1;
        let space = s[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(p) = space {
            let at = offset + p;
            out.extend_from_slice(&s[offset..at]);
            out.extend_from_slice(new_line);
            offset = at + 1;
        } else if wrap_long_words {
            let end = wrap + offset;
            out.extend_from_slice(&s[offset..end]);
            out.extend_from_slice(new_line);
            offset += wrap;
        } else {
            let end = wrap + offset;
            match s[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&s[offset..]);
                    offset = len;
                }
                Some(i) => {
                    let at = i + end;
                    out.extend_from_slice(&s[offset..at]);
                    out.extend_from_slice(new_line);
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&s[offset.min(len)..]);
    out
}

// ---------------------------------------------------------------------------------------------
// huandu/xstrings v1.5.0

fn shuffle(s: &str) -> String {
    use rand::Rng;
    let mut runes: Vec<char> = s.chars().collect();
    let mut rng = rand::thread_rng();
    let mut i = runes.len();
    while i > 1 {
        i -= 1;
        let j = rng.gen_range(0..=i);
        runes.swap(i, j);
    }
    runes.into_iter().collect()
}

fn is_connector(r: char) -> bool {
    r == '-' || r == '_' || is_space(r)
}

/// xstrings' `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(r: char) -> bool {
    if !is_letter(r) {
        return false;
    }
    !matches!(r, '\u{4E00}'..='\u{9FCC}' | '\u{3400}'..='\u{4D85}' | '\u{20000}'..='\u{2B81D}')
}

const RUNE_ERROR: char = '\u{FFFD}';

/// xstrings `nextValidRune`: the first rune that is not U+FFFD, and the bytes consumed.
fn next_valid_rune(s: &str, prev: char) -> (char, usize) {
    let mut size = 0;
    for c in s.chars() {
        size += c.len_utf8();
        if c != RUNE_ERROR {
            return (c, size);
        }
    }
    (prev, size)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum WordType {
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings `nextWord`.
fn next_word(s: &str) -> (WordType, &str, &str) {
    use WordType::*;
    if s.is_empty() {
        return (Invalid, "", "");
    }
    let mut remaining = s;
    let (mut r, mut size) = next_valid_rune(remaining, RUNE_ERROR);
    let mut offset = size;
    if r == RUNE_ERROR {
        return (Invalid, &s[..offset], &s[offset..]);
    }
    let wt;
    // Advances while `keep(r)` holds.
    macro_rules! run {
        ($keep:expr) => {
            while !remaining.is_empty() {
                (r, size) = next_valid_rune(remaining, r);
                if !$keep(r) {
                    break;
                }
                offset += size;
                remaining = &remaining[size..];
            }
        };
    }
    if is_connector(r) {
        wt = Connector;
        remaining = &remaining[size..];
        run!(is_connector);
    } else if is_punct(r) {
        wt = Punct;
        remaining = &remaining[size..];
        run!(is_punct);
    } else if is_upper(r) {
        wt = UpperCase;
        remaining = &remaining[size..];
        if !remaining.is_empty() {
            (r, size) = next_valid_rune(remaining, r);
            if is_upper(r) {
                let mut prev_size = size;
                offset += size;
                remaining = &remaining[size..];
                while !remaining.is_empty() {
                    (r, size) = next_valid_rune(remaining, r);
                    if !is_upper(r) {
                        break;
                    }
                    prev_size = size;
                    offset += size;
                    remaining = &remaining[size..];
                }
                if !remaining.is_empty() && is_alphabet(r) {
                    offset -= prev_size;
                    remaining = &s[offset..];
                }
            } else if is_alphabet(r) {
                offset += size;
                remaining = &remaining[size..];
                run!(|r| is_alphabet(r) && !is_upper(r));
            }
        }
    } else if is_alphabet(r) {
        wt = Alphabet;
        remaining = &remaining[size..];
        run!(|r| is_alphabet(r) && !is_upper(r));
    } else if is_number(r) {
        wt = Number;
        remaining = &remaining[size..];
        run!(is_number);
    } else {
        wt = Other;
        remaining = &remaining[size..];
        while !remaining.is_empty() {
            (r, size) = next_valid_rune(remaining, r);
            if size == 0 || is_connector(r) || is_alphabet(r) || is_number(r) || is_punct(r) {
                break;
            }
            offset += size;
            remaining = &remaining[size..];
        }
    }
    let _ = size;
    (wt, &s[..offset], remaining)
}

/// xstrings `toLower`: lower-cases upper-case and connector words (connectors become `connector`).
fn word_to_lower(buf: &mut String, wt: WordType, word: &str, connector: char) {
    if wt != WordType::UpperCase && wt != WordType::Connector {
        buf.push_str(word);
        return;
    }
    for r in word.chars() {
        if is_connector(r) {
            buf.push(connector);
        } else if is_upper(r) {
            buf.push(to_lower_rune(r));
        } else {
            buf.push(r);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (`ToSnakeCase` / `ToKebabCase`).
fn camel_to_lower(s: &str, connector: char) -> String {
    use WordType::*;
    if s.is_empty() {
        return String::new();
    }
    let mut buf = String::with_capacity(s.len() + 4);
    let (mut wt, mut word, mut remaining) = next_word(s);
    while !remaining.is_empty() {
        if wt != Connector {
            word_to_lower(&mut buf, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Number => {
                while wt == Alphabet || wt == Number {
                    word_to_lower(&mut buf, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Invalid && wt != Punct && wt != Connector {
                    buf.push(connector);
                }
            }
            Connector => word_to_lower(&mut buf, prev, last, connector),
            Punct => {}
            _ => {
                if wt != Number {
                    if wt != Connector && wt != Punct {
                        buf.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = next_word(remaining);
                if wt != Alphabet {
                    word_to_lower(&mut buf, Number, last, connector);
                    if wt != Connector && wt != Punct {
                        buf.push(connector);
                    }
                    continue;
                }
                buf.push(connector);
                word_to_lower(&mut buf, Number, last, connector);
                while wt == Alphabet || wt == Number {
                    word_to_lower(&mut buf, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Invalid && wt != Connector && wt != Punct {
                    buf.push(connector);
                }
            }
        }
    }
    word_to_lower(&mut buf, wt, word, connector);
    buf
}

/// xstrings `toCamelCase` (`ToPascalCase` when `big`).
fn to_camel_case(s: &str, big: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut buf = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut first_upper = false;
    let mut r0 = '\0';
    let mut got = false;
    for c in chars.by_ref() {
        got = true;
        r0 = c;
        if !is_connector(c) {
            first_upper = is_upper(c);
            r0 = if big {
                to_upper_rune(c)
            } else {
                to_lower_rune(c)
            };
            break;
        }
        buf.push(c);
    }
    if chars.peek().is_none() {
        if got {
            buf.push(r0);
        }
        return buf;
    }
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            buf.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = to_upper_rune(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = to_lower_rune(r0);
                } else {
                    first_upper = false;
                }
            }
            buf.push(r1);
        }
    }
    if first_upper && !big {
        r0 = to_lower_rune(r0);
    }
    buf.push(r0);
    buf
}
