//! Go's `strconv` pieces: `Quote` (what `%q` prints), `IsPrint`, the value of a hex float, and
//! `ParseInt`/`ParseUint` with base 0 (Go's integer literal syntax).
//!
//! Go error texts and Helm's messages quote names, paths and values with `%q`; users compare
//! those messages (and tests pin them), so one implementation serves every caller.

/// Go's `%q` for a string (strconv.Quote).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if let Some(e) = crate::values::json::short_escape(c) {
            out.push_str(e);
            continue;
        }
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            // a byte of a Go string that is not UTF-8 ([`super::gostring`])
            c if super::gostring::raw_byte(c).is_some() => out.push_str(&format!(
                "\\x{:02x}",
                super::gostring::raw_byte(c).unwrap_or(0)
            )),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// The value of a hexadecimal float written after its `0x` and without a sign: hex digits with
/// an optional point, then the binary exponent Go requires (`1.8p3` is 1.5 × 2³). None when
/// the exponent is missing or malformed, or a digit is not hexadecimal.
pub fn hex_float_magnitude(hex: &str) -> Option<f64> {
    let (mant, exp) = hex.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
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

/// Splits a Go integer literal into (negative, radix, digits) with underscores validated.
fn split_int(text: &str) -> Option<(bool, u32, String)> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    // Underscores: only between digits (or after a base prefix).
    if digits.contains('_') {
        let check = if prefixed {
            format!("0{digits}")
        } else {
            digits.clone()
        };
        if check.starts_with('_') || check.ends_with('_') || check.contains("__") {
            return None;
        }
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    Some((neg, radix, digits))
}

/// Go's `strconv.ParseUint(text, 0, 64)`: no sign; decimal, `0x`, `0o`, `0b` or leading-`0`
/// octal digits, with `_` allowed between digits and after a base prefix.
pub fn parse_uint(text: &str) -> Option<u64> {
    let (neg, radix, digits) = split_int(text)?;
    if neg || text.starts_with('+') {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

/// Go's `strconv.ParseInt(text, 0, 64)`: [`parse_uint`]'s forms after an optional sign (the
/// integer literals of templates, pflag's int flags).
pub fn parse_int(text: &str) -> Option<i64> {
    let (neg, radix, digits) = split_int(text)?;
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag <= 1u64 << 63 {
            Some((-(mag as i128)) as i64)
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's base-0 syntax: underscores between digits and after a base prefix (Helm 4.1.4
    /// takes `--burst-limit 1_000`, `0x_1f` and `0_7`, and refuses `1__0`, `_1` and `0x`).
    #[test]
    fn go_integer_literals() {
        let cases = [
            ("1_000", Some(1000)),
            ("0x_1f", Some(31)),
            ("0_7", Some(7)),
            ("-0b1", Some(-1)),
            ("1__0", None),
            ("_1", None),
            ("0x", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_int(text), want, "{text}");
        }
        assert_eq!(parse_uint("18446744073709551615"), Some(u64::MAX));
        assert_eq!((parse_uint("+5"), parse_uint("-0")), (None, None));
    }
}
