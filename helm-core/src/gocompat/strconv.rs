//! Go's `strconv` quoting: `Quote` (what `%q` prints) and `IsPrint`.
//!
//! Go error texts and Helm's messages quote names, paths and values with `%q`; users compare
//! those messages (and tests pin them), so one implementation serves every caller.

/// Go's `%q` for a string (strconv.Quote).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            // a byte of a Go string that is not UTF-8 ([`super::gostring`])
            c if super::gostring::raw_byte(c).is_some() => {
                out.push_str(&format!("\\x{:02x}", super::gostring::raw_byte(c).unwrap_or(0)))
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint` (letters, marks, numbers, punctuation, symbols and the ASCII space),
/// approximated by Unicode properties plus the format characters, private-use planes and
/// unassigned ranges Go rejects that charts may meet.
pub fn is_go_printable(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_control();
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}'
            | '\u{E0001}' | '\u{E0020}'..='\u{E007F}'))
}
