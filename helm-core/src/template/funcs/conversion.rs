//! Template functions: type conversions (`atoi`, `int`, `int64`, `float64`, `toString`,
//! `toStrings`, `toDecimal`) and the conversion helpers every Sprig family shares.
//!
//! Sprig converts loosely and silently: numbers go through `spf13/cast` (strings are parsed,
//! booleans become 0/1, nil and anything unparsable become 0, errors are dropped), and text
//! goes through `strval` (Go's `%v` for anything that is not a string, `[]byte` or Stringer).
//! Charts rely on those quirks (`int "08"` is 0 because Go reads a leading 0 as octal), so the
//! helpers here mirror Go's `strconv` grammar rather than Rust's.

use super::{FuncTable, Param};
use crate::values::Value;

pub fn register(t: &mut FuncTable) {
    t.add("atoi", &[Param::String], None, |a| {
        Ok(Value::Int(go_atoi(str_arg(a, 0))))
    });
    t.add("int", &[Param::Any], None, |a| {
        Ok(Value::Int(to_int64(arg(a, 0))))
    });
    t.add("int64", &[Param::Any], None, |a| {
        Ok(Value::Int64(to_int64(arg(a, 0))))
    });
    t.add("float64", &[Param::Any], None, |a| {
        Ok(Value::Float(to_float64(arg(a, 0))))
    });
    t.add("toString", &[Param::Any], None, |a| {
        Ok(Value::from(strval(arg(a, 0))))
    });
    t.add("toStrings", &[Param::Any], None, |a| {
        Ok(string_list(strslice(arg(a, 0))))
    });
    t.add("toDecimal", &[Param::Any], None, |a| {
        let s = format_v(arg(a, 0));
        Ok(Value::Int64(parse_int_base(&s, 8).ok().unwrap_or(0)))
    });
}

// ---------------------------------------------------------------------------------------------
// Argument access (the executor has checked kinds; these never panic on a short slice).

static NIL: Value = Value::Nil;

/// The `i`th argument, or nil when absent.
pub(crate) fn arg(a: &[Value], i: usize) -> &Value {
    a.get(i).unwrap_or(&NIL)
}

/// The `i`th argument as a string ("" when absent or not a string).
pub(crate) fn str_arg(a: &[Value], i: usize) -> &str {
    a.get(i).and_then(Value::as_str).unwrap_or("")
}

/// The `i`th argument as a Go int (0 when absent).
pub(crate) fn int_arg(a: &[Value], i: usize) -> i64 {
    match a.get(i) {
        Some(Value::Float(f)) => go_f64_to_i64(*f),
        Some(Value::Uint(u)) => *u as i64,
        Some(v) => v.as_i64().unwrap_or(0),
        None => 0,
    }
}

/// A `[]string` result.
pub(crate) fn string_list(items: Vec<String>) -> Value {
    Value::list(items.into_iter().map(Value::from).collect())
}

pub(crate) use crate::gocompat::gostring::runes_of as bytes_to_string;

// ---------------------------------------------------------------------------------------------
// strval / %v

/// Sprig's `strval`: strings as they are, `[]byte` as text, everything else as Go's `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => bytes_to_string(b),
        other => format_v(other),
    }
}

/// Go's `%v` formatting of a value (the engine's printer, so `toString`, `cat` and `{{ }}` agree).
pub fn format_v(v: &Value) -> String {
    crate::gocompat::fmt::format_v(v)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which is what `%v` prints for a float64:
/// shortest round-trip digits, exponent form when the decimal exponent is < -4 or >= 6 (Go
/// uses precision 6 for that decision when printing the shortest form).
pub fn format_float_g(f: f64) -> String {
    crate::values::yaml::format_go_float_g(f, false)
}

/// Shortest round-trip decimal digits of `f` (no leading zeros; "0" for zero) and the decimal
/// exponent of the first digit (`d.ddd × 10^exp`).
pub(crate) fn shortest_digits(f: f64) -> (bool, String, i32) {
    let neg = f.is_sign_negative();
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = if digits.is_empty() {
        "0".to_string()
    } else {
        digits
    };
    (neg, digits, exp)
}

/// Sprig's `strslice`: a list becomes its non-nil items as strings; a non-list one string.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        Value::Object(o) if matches!(o.kind_name(), "slice" | "array") => match o.to_data() {
            Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
            _ => Vec::new(),
        },
        other => vec![strval(other)],
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers: spf13/cast and strconv

/// Go's `int64(f)` conversion on amd64: out-of-range and NaN give the minimum int64.
pub(crate) fn go_f64_to_i64(f: f64) -> i64 {
    // i64::MAX as f64 is 2^63, the first value out of range.
    if f.is_nan() || !(i64::MIN as f64..i64::MAX as f64).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast.ToInt64` with the error dropped (what Sprig's `toInt64` and `int` do).
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => *u as i64,
        Value::Float(f) => go_f64_to_i64(*f),
        Value::String(s) => parse_int_base(trim_zero_decimal(s), 0).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `cast.ToFloat64` with the error dropped.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Float(f) => *f,
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        Value::Bool(true) => 1.0,
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: "12.00" → "12" so integer parsing accepts it.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    let mut i = b.len();
    while i > 0 {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
        i -= 1;
    }
    s
}

/// Why Go's `strconv.ParseInt` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseIntError {
    Syntax,
    /// Out of range: Go still returns the clamped value.
    Range(i64),
}

/// Go's `strconv.ParseInt(s, base, 64)`; base 0 reads `0x`, `0o`, `0b` and leading-0 octal
/// prefixes and allows `_` separators.
pub(crate) fn parse_int_base(s: &str, base: u32) -> Result<i64, ParseIntError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint_base(body, base)?;
    if neg {
        if u > 1u64 << 63 {
            return Err(ParseIntError::Range(i64::MIN));
        }
        Ok((u as i64).wrapping_neg())
    } else {
        if u > i64::MAX as u64 {
            return Err(ParseIntError::Range(i64::MAX));
        }
        Ok(u as i64)
    }
}

fn parse_uint_base(s: &str, base: u32) -> Result<u64, ParseIntError> {
    if s.is_empty() {
        return Err(ParseIntError::Syntax);
    }
    let mut base = base;
    let mut digits = s;
    let base0 = base == 0;
    if base0 {
        base = 10;
        let b = s.as_bytes();
        if b[0] == b'0' {
            if b.len() >= 3 && matches!(b[1], b'x' | b'X') {
                base = 16;
                digits = &s[2..];
            } else if b.len() >= 3 && matches!(b[1], b'o' | b'O') {
                base = 8;
                digits = &s[2..];
            } else if b.len() >= 3 && matches!(b[1], b'b' | b'B') {
                base = 2;
                digits = &s[2..];
            } else {
                base = 8;
                digits = &s[1..];
            }
        }
    }
    let mut n: u64 = 0;
    let mut overflow = false;
    let mut underscores = false;
    for c in digits.chars() {
        if c == '_' && base0 {
            underscores = true;
            continue;
        }
        let d = c.to_digit(36).ok_or(ParseIntError::Syntax)?;
        if d >= base {
            return Err(ParseIntError::Syntax);
        }
        if !overflow {
            match n
                .checked_mul(base as u64)
                .and_then(|x| x.checked_add(d as u64))
            {
                Some(x) => n = x,
                None => overflow = true,
            }
        }
    }
    if underscores && !underscore_ok(s) {
        return Err(ParseIntError::Syntax);
    }
    if overflow {
        return Err(ParseIntError::Range(i64::MAX));
    }
    Ok(n)
}

/// Go's `underscoreOK`: underscores only between digits or right after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let hex = b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'x' | b'b' | b'o');
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'x' | b'b' | b'o') {
        i = 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.Atoi` with the error dropped: syntax errors give 0, range errors the clamp.
pub(crate) fn go_atoi(s: &str) -> i64 {
    if s.contains('_') {
        return 0;
    }
    match parse_int_base(s, 10) {
        Ok(v) => v,
        Err(ParseIntError::Range(v)) => v,
        Err(ParseIntError::Syntax) => 0,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the forms charts use (decimal, exponent, inf/nan,
/// hex floats); `None` on a syntax or range error, since cast turns any error into 0.
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if lower.len() - body.len() > 1 {
        return None;
    }
    match body {
        "inf" | "infinity" => {
            return Some(if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.starts_with("0x") {
        return parse_hex_float(&lower);
    }
    let cleaned;
    let lower = if lower.contains('_') {
        if !underscore_ok(body) {
            return None;
        }
        cleaned = lower.replace('_', "");
        cleaned.as_str()
    } else {
        lower.as_str()
    };
    let body = lower.trim_start_matches(['+', '-']);
    if !body
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = lower.parse().ok()?;
    if f.is_infinite() {
        return None; // Go: value out of range → error
    }
    Some(f)
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.strip_prefix("0x")?;
    // A mantissa without a digit ("0xp1", "0x.p1") is a syntax error.
    if matches!(body.split_once('p'), Some(("" | ".", _))) {
        return None;
    }
    let v = crate::gocompat::strconv::hex_float_magnitude(body)?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::approx_constant)] // 3.14 is test data, not π
    fn float_v_matches_go() {
        // Checked with Go: fmt.Sprintf("%v", x)
        for (x, want) in [
            (1000000.0, "1e+06"),
            (123456.0, "123456"),
            (3.14, "3.14"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456789.123, "1.23456789123e+08"),
            (-0.5, "-0.5"),
            (0.0, "0"),
            (6.02e23, "6.02e+23"),
        ] {
            assert_eq!(format_float_g(x), want, "{x}");
        }
    }

    #[test]
    fn cast_to_int64() {
        assert_eq!(to_int64(&Value::str("0x1F")), 31);
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("08")), 0);
        assert_eq!(to_int64(&Value::str("12.00")), 12);
        assert_eq!(to_int64(&Value::str("12.50")), 0);
        assert_eq!(to_int64(&Value::str("1_000")), 1000);
        assert_eq!(to_int64(&Value::Float(3.9)), 3);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(go_atoi("99999999999999999999"), i64::MAX);
        assert_eq!(go_atoi("12a"), 0);
    }
}
