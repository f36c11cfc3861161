//! Go's `fmt` printing of values: `%v` (what `{{ . }}`, `print` and `toString` show) and
//! `Sprintf` with Go's verbs, flags, width and precision, including its error forms
//! (`%!d(float64=1)`, `%!s(MISSING)`, `%!(EXTRA int=3)`).
//!
//! Charts see these strings directly, so they must match Go byte for byte: floats print with
//! strconv's shortest `'g'` form (`1e+06`, `3.14`, `100000`), maps as `map[k:v]` in sorted key
//! order, lists as `[a b]`, nil as `<nil>`.

use crate::values::Value;

/// Go's `fmt.Sprint(v)` / `%v`.
pub fn format_v(v: &Value) -> String {
    let mut p = Printer::default();
    p.print_arg(v, 'v', 0);
    p.buf
}

/// Go's `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v', 0);
        prev_string = is_string;
    }
    p.buf
}

/// Go's `fmt.Sprintln(args...)`: spaces between all operands, newline at the end.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v', 0);
    }
    p.buf.push('\n');
    p.buf
}

/// Go's `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

/// Go's shortest `strconv.FormatFloat(f, 'g', -1, 64)`, as `%v` prints a float64.
pub fn format_float_v(f: f64) -> String {
    format_float(f, 'g', None)
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
}

const MAX_WIDTH: usize = 1_000_000;

impl Printer {
    // ----- padding -----

    fn write_padding(&mut self, n: usize, zero: bool) {
        let c = if zero { '0' } else { ' ' };
        for _ in 0..n {
            self.buf.push(c);
        }
    }

    /// Go's `fmt.pad`: honours width and the minus flag; zero-pads on the left when asked.
    fn pad(&mut self, s: &str) {
        self.pad_with(s, self.f.zero);
    }

    fn pad_with(&mut self, s: &str, zero: bool) {
        let Some(w) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = s.chars().count();
        if n >= w {
            self.buf.push_str(s);
            return;
        }
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(w - n, false);
        } else {
            self.write_padding(w - n, zero);
            self.buf.push_str(s);
        }
    }

    // ----- the verbs -----

    fn print_arg(&mut self, v: &Value, verb: char, depth: usize) {
        if matches!(v, Value::List(_) | Value::Map(_)) {
            // Go recurses until its stack overflows (a map that contains itself); past the
            // deepest value anything else handles, print a marker instead.
            if depth >= crate::values::deep::MAX_VALUE_DEPTH {
                self.buf.push_str("%!v(DEPTH)");
                return;
            }
            return crate::values::deep::guard(|| self.print_arg_here(v, verb, depth));
        }
        self.print_arg_here(v, verb, depth)
    }

    fn print_arg_here(&mut self, v: &Value, verb: char, depth: usize) {
        if let Value::Nil = v {
            if depth > 0 {
                // A nil inside a list or map prints as <nil> whatever the verb.
                if self.f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else {
                    self.buf.push_str("<nil>");
                }
                return;
            }
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(v, verb),
            }
            return;
        }
        if verb == 'T' {
            let t = v.go_type_name();
            self.fmt_s(&t);
            return;
        }
        if verb == 'p' {
            self.bad_verb(v, verb);
            return;
        }
        match v {
            Value::Nil => {}
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(v, verb),
            },
            Value::Int(i) | Value::Int64(i) => {
                self.fmt_integer(i.unsigned_abs(), *i < 0, true, verb, v, *i as u64)
            }
            Value::Uint(u) => self.fmt_integer(*u, false, false, verb, v, *u),
            Value::Float(x) => self.fmt_float_verb(*x, verb, v),
            Value::String(s) => self.fmt_string(s, verb, v),
            Value::Bytes(b) => self.fmt_bytes(b, verb, v, depth),
            Value::List(items) => {
                if self.f.sharp_v {
                    self.buf.push_str("[]interface {}{");
                    for (i, it) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.print_arg(it, verb, depth + 1);
                    }
                    self.buf.push('}');
                    return;
                }
                self.buf.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    self.print_arg(it, verb, depth + 1);
                }
                self.buf.push(']');
            }
            Value::Map(m) => {
                if self.f.sharp_v {
                    self.buf.push_str("map[string]interface {}{");
                } else {
                    self.buf.push_str("map[");
                }
                m.with(|entries| {
                    for (i, (k, val)) in entries.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                        }
                        self.fmt_string(k, verb, &Value::String(k.clone()));
                        self.buf.push(':');
                        self.print_arg(val, verb, depth + 1);
                    }
                });
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => {
                let s = o.go_string();
                match verb {
                    'v' | 's' | 'q' | 'x' | 'X' => {
                        self.fmt_string(&s, verb, &Value::String(s.clone().into()))
                    }
                    _ => self.bad_verb(v, verb),
                }
            }
        }
    }

    fn bad_verb(&mut self, v: &Value, verb: char) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        match v {
            Value::Nil => self.buf.push_str("<nil>"),
            _ => {
                self.buf.push_str(&v.go_type_name());
                self.buf.push('=');
                self.print_arg(v, 'v', 0);
            }
        }
        self.buf.push(')');
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s);
        self.pad(&s);
    }

    fn truncate(&self, s: &str) -> String {
        match self.f.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        }
    }

    fn fmt_string(&mut self, s: &str, verb: char, v: &Value) {
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.fmt_q(s);
                } else {
                    self.fmt_s(s);
                }
            }
            's' => self.fmt_s(s),
            'x' => self.fmt_sx(&crate::gocompat::gostring::go_bytes(s), "0123456789abcdef"),
            'X' => self.fmt_sx(&crate::gocompat::gostring::go_bytes(s), "0123456789ABCDEF"),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(v, verb),
        }
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.f.sharp
            && s.chars().all(|c| {
                c == '\t' || ((c as u32) >= 0x20 && c != '`' && c != '\u{7f}' && c != '\u{fffd}')
            })
        {
            self.pad(&format!("`{s}`"));
            return;
        }
        let q = if self.f.plus {
            quote_ascii(&s)
        } else {
            crate::gocompat::strconv::go_quote(&s)
        };
        self.pad(&q);
    }

    fn fmt_sx(&mut self, b: &[u8], digits: &str) {
        let d = digits.as_bytes();
        let len = match self.f.prec {
            Some(p) if p < b.len() => p,
            _ => b.len(),
        };
        let mut out = String::new();
        for (i, byte) in b.iter().take(len).enumerate() {
            if self.f.space && i > 0 {
                out.push(' ');
            }
            if self.f.sharp && (self.f.space || i == 0) {
                out.push('0');
                out.push(if digits.as_bytes()[10] == b'a' {
                    'x'
                } else {
                    'X'
                });
            }
            out.push(d[(byte >> 4) as usize] as char);
            out.push(d[(byte & 0xf) as usize] as char);
        }
        self.pad_with(&out, false);
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char, v: &Value, depth: usize) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.push_str("[]byte{");
                    for (i, x) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.buf.push_str(&format!("0x{x:x}"));
                    }
                    self.buf.push('}');
                    return;
                }
                self.buf.push('[');
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    self.fmt_integer(
                        *x as u64,
                        false,
                        false,
                        verb,
                        &Value::Uint(*x as u64),
                        *x as u64,
                    );
                }
                self.buf.push(']');
            }
            's' => self.fmt_s(&String::from_utf8_lossy(b)),
            'x' => self.fmt_sx(b, "0123456789abcdef"),
            'X' => self.fmt_sx(b, "0123456789ABCDEF"),
            'q' => self.fmt_q(&String::from_utf8_lossy(b)),
            _ => {
                let _ = depth;
                self.bad_verb(v, verb)
            }
        }
    }

    /// `u`/`negative`: magnitude and sign; `raw`: the two's-complement bits (for %c and %U).
    fn fmt_integer(
        &mut self,
        u: u64,
        negative: bool,
        signed: bool,
        verb: char,
        v: &Value,
        raw: u64,
    ) {
        let _ = signed;
        match verb {
            'v' | 'd' => self.fmt_int_base(u, negative, 10, false, verb),
            'b' => self.fmt_int_base(u, negative, 2, false, verb),
            'o' | 'O' => self.fmt_int_base(u, negative, 8, false, verb),
            'x' => self.fmt_int_base(u, negative, 16, false, verb),
            'X' => self.fmt_int_base(u, negative, 16, true, verb),
            'c' => {
                let c = char::from_u32(raw as u32)
                    .filter(|_| raw <= 0x10ffff)
                    .unwrap_or('\u{fffd}');
                self.pad(&c.to_string());
            }
            'q' => {
                let c = char::from_u32(raw as u32)
                    .filter(|_| raw <= 0x10ffff)
                    .unwrap_or('\u{fffd}');
                self.pad(&quote_rune(c));
            }
            'U' => {
                let u = raw;
                let mut s = format!("U+{:04X}", u);
                if self.f.sharp {
                    if let Some(c) = char::from_u32(u as u32) {
                        if crate::gocompat::strconv::is_go_printable(c) {
                            s.push_str(&format!(" '{c}'"));
                        }
                    }
                }
                self.pad_with(&s, false);
            }
            _ => self.bad_verb(v, verb),
        }
    }

    fn fmt_int_base(&mut self, u: u64, negative: bool, base: u32, upper: bool, verb: char) {
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                if let Some(w) = self.f.wid {
                    self.write_padding(w, false);
                }
                return;
            }
        } else if self.f.zero && !self.f.minus {
            if let Some(w) = self.f.wid {
                prec = w;
                if negative || self.f.plus || self.f.space {
                    prec = prec.saturating_sub(1);
                }
            }
        }
        while digits.len() < prec {
            digits.insert(0, '0');
        }
        let mut prefix = String::new();
        if self.f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 => prefix.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            prefix = "0o".into();
        }
        let sign = if negative {
            "-"
        } else if self.f.plus {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let s = format!("{sign}{prefix}{digits}");
        self.pad_with(&s, false);
    }

    fn fmt_float_verb(&mut self, x: f64, verb: char, v: &Value) {
        match verb {
            'v' => self.fmt_float(x, 'g', self.f.prec),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(x, verb, self.f.prec),
            'f' | 'e' | 'E' | 'F' => self.fmt_float(x, verb, Some(self.f.prec.unwrap_or(6))),
            _ => self.bad_verb(v, verb),
        }
    }

    fn fmt_float(&mut self, x: f64, verb: char, prec: Option<usize>) {
        let mut num = format_float(x, verb, prec);
        if !num.starts_with(['-', '+']) {
            num.insert(0, '+');
        }
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(0..1, " ");
        }
        if num[1..].starts_with(['I', 'N']) {
            if num[1..].starts_with('N') && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad_with(&num, false);
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(num, verb, prec);
        }
        if self.f.plus || !num.starts_with('+') {
            let w = self.f.wid.unwrap_or(0);
            if self.f.zero && !self.f.minus && self.f.wid.is_some() && w > num.len() {
                let (sign, rest) = num.split_at(1);
                self.buf.push_str(sign);
                self.write_padding(w - num.len(), true);
                self.buf.push_str(rest);
                return;
            }
            self.pad(&num);
            return;
        }
        let rest = num[1..].to_string();
        self.pad(&rest);
    }

    // ----- Printf -----

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let b = format.as_bytes();
        let end = b.len();
        let mut arg_num = 0usize;
        let mut reordered = false;
        let mut i = 0usize;
        while i < end {
            let last = i;
            while i < end && b[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.push_str(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1; // skip %
            self.f = Flags::default();
            // flags
            while i < end {
                match b[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            let mut good_arg_num = true;
            // explicit argument index [n]
            let (an, ni, mut after_index, ok) = arg_number(format, i, arg_num, args.len());
            arg_num = an;
            i = ni;
            if after_index {
                reordered = true;
            }
            good_arg_num &= ok;
            // width
            if i < end && b[i] == b'*' {
                i += 1;
                match int_from_arg(args, &mut arg_num) {
                    Some(w) => {
                        if w < 0 {
                            self.f.minus = true;
                            self.f.zero = false;
                        }
                        self.f.wid = Some(w.unsigned_abs() as usize);
                    }
                    None => self.buf.push_str("%!(BADWIDTH)"),
                }
                after_index = false;
            } else {
                let (n, ni) = parse_num(b, i);
                if let Some(n) = n {
                    self.f.wid = Some(n);
                    if after_index {
                        good_arg_num = false;
                    }
                }
                i = ni;
            }
            // precision
            if i < end && b[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                let (an, ni, ai, ok) = arg_number(format, i, arg_num, args.len());
                arg_num = an;
                i = ni;
                after_index = ai;
                if ai {
                    reordered = true;
                }
                good_arg_num &= ok;
                if i < end && b[i] == b'*' {
                    i += 1;
                    match int_from_arg(args, &mut arg_num) {
                        Some(p) if p >= 0 => self.f.prec = Some(p as usize),
                        _ => {
                            self.f.prec = None;
                            self.buf.push_str("%!(BADPREC)");
                        }
                    }
                    after_index = false;
                } else {
                    let (n, ni) = parse_num(b, i);
                    self.f.prec = Some(n.unwrap_or(0));
                    i = ni;
                }
            }
            if !after_index {
                let (an, ni, ai, ok) = arg_number(format, i, arg_num, args.len());
                arg_num = an;
                i = ni;
                if ai {
                    reordered = true;
                }
                good_arg_num &= ok;
            }
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('?');
            i += verb.len_utf8();
            match verb {
                '%' => self.buf.push('%'),
                _ if !good_arg_num => {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push_str("(BADINDEX)");
                }
                _ if arg_num >= args.len() => {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push_str("(MISSING)");
                }
                'w' => {
                    self.bad_verb(&args[arg_num], 'w');
                    arg_num += 1;
                }
                _ => {
                    if verb == 'v' {
                        self.f.sharp_v = self.f.sharp;
                        self.f.sharp = false;
                        self.f.plus_v = self.f.plus;
                        self.f.plus = false;
                    }
                    self.print_arg(&args[arg_num], verb, 0);
                    arg_num += 1;
                }
            }
        }
        if !reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (k, a) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.push_str(", ");
                }
                if a.is_nil() {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(&a.go_type_name());
                    self.buf.push('=');
                    self.print_arg(a, 'v', 0);
                }
            }
            self.buf.push(')');
        }
    }
}

/// Go's `%#` for floats: always a decimal point, and for %g/%v/%x trailing zeros up to the
/// precision (6 when none was given).
fn sharp_float(num: String, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let b: Vec<char> = num.chars().collect();
    let mut body: Vec<char> = Vec::new();
    let mut tail = String::new();
    let mut has_point = false;
    let mut saw_nonzero = false;
    body.push(b[0]);
    let mut i = 1;
    while i < b.len() {
        let c = b[i];
        match c {
            '.' => has_point = true,
            'p' | 'P' => {
                tail = b[i..].iter().collect();
                break;
            }
            'e' | 'E' if verb != 'x' && verb != 'X' => {
                tail = b[i..].iter().collect();
                break;
            }
            _ => {
                if c != '0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
        body.push(c);
        i += 1;
    }
    if !has_point {
        if body.len() == 2 && body[1] == '0' {
            digits -= 1;
        }
        body.push('.');
    }
    while digits > 0 {
        body.push('0');
        digits -= 1;
    }
    let mut out: String = body.into_iter().collect();
    out.push_str(&tail);
    out
}

/// A float's sign, integer mantissa and binary exponent, as strconv splits it.
fn float_parts(x: f64) -> (bool, u64, i32) {
    let bits = x.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    exp -= 1023;
    (neg, mant, exp)
}

/// strconv's `'b'` format: `-ddddp±ddd`.
fn fmt_b(x: f64) -> String {
    let (neg, mant, exp) = float_parts(x);
    let e = exp - 52;
    format!(
        "{}{}p{}{}",
        if neg { "-" } else { "" },
        mant,
        if e >= 0 { "+" } else { "" },
        e
    )
}

/// strconv's `'x'` format: `-0x1.yyyyp±dd`.
fn fmt_x(x: f64, prec: Option<usize>, upper: bool) -> String {
    let (neg, mant0, exp0) = float_parts(x);
    let (mut mant, mut exp) = (mant0, exp0);
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - 52;
    while mant != 0 && mant & (1u64 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = prec {
        if p < 15 {
            let shift = (p * 4) as u32;
            let extra = (mant << shift) & ((1u64 << 60) - 1);
            mant >>= 60 - shift;
            if extra | (mant & 1) > 1u64 << 59 {
                mant += 1;
            }
            mant <<= 60 - shift;
            if mant & (1u64 << 61) != 0 {
                mant >>= 1;
                exp += 1;
            }
        }
    }
    let hex: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push('0');
    s.push(if upper { 'X' } else { 'x' });
    s.push((b'0' + ((mant >> 60) & 1) as u8) as char);
    mant <<= 4;
    match prec {
        None if mant != 0 => {
            s.push('.');
            while mant != 0 {
                s.push(hex[((mant >> 60) & 15) as usize] as char);
                mant <<= 4;
            }
        }
        Some(p) if p > 0 => {
            s.push('.');
            for _ in 0..p {
                s.push(hex[((mant >> 60) & 15) as usize] as char);
                mant <<= 4;
            }
        }
        _ => {}
    }
    s.push(if upper { 'P' } else { 'p' });
    s.push(if exp < 0 { '-' } else { '+' });
    let ea = exp.unsigned_abs();
    if ea < 10 {
        s.push('0');
    }
    s.push_str(&ea.to_string());
    s
}

/// Parses a decimal number at `i` (Go's `parsenum`), capped to keep widths sane.
fn parse_num(b: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n > MAX_WIDTH {
            return (None, b.len());
        }
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    if i == start {
        (None, i)
    } else {
        (Some(n), i)
    }
}

/// Go's `argNumber`: an optional `[n]` index. Returns (argNum, i, found, ok).
fn arg_number(
    format: &str,
    i: usize,
    arg_num: usize,
    num_args: usize,
) -> (usize, usize, bool, bool) {
    let b = format.as_bytes();
    if i >= b.len() || b[i] != b'[' {
        return (arg_num, i, false, true);
    }
    for j in i + 1..b.len() {
        if b[j] == b']' {
            let inner = &format[i + 1..j];
            return match inner.parse::<usize>() {
                Ok(n) if n >= 1 && n <= num_args && !inner.starts_with('+') => {
                    (n - 1, j + 1, true, true)
                }
                _ => (arg_num, j + 1, true, false),
            };
        }
    }
    (arg_num, i + 1, false, false)
}

fn int_from_arg(args: &[Value], arg_num: &mut usize) -> Option<i64> {
    let v = args.get(*arg_num)?;
    *arg_num += 1;
    let n = match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => i64::try_from(*u).ok()?,
        _ => return None,
    };
    if n > MAX_WIDTH as i64 || n < -(MAX_WIDTH as i64) {
        return None;
    }
    Some(n)
}

fn quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        _ => {
            let q = crate::gocompat::strconv::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// strconv.QuoteToASCII.
fn quote_ascii(s: &str) -> String {
    let q = crate::gocompat::strconv::go_quote(s);
    let mut out = String::new();
    for c in q.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if (c as u32) < 0x10000 {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push_str(&format!("\\U{:08x}", c as u32));
        }
    }
    out
}

/// Decimal digits of |x| (no trailing zeros) and the decimal point position:
/// |x| = 0.d1d2d3… × 10^dp. `sig` = None for the shortest round-trip digits.
fn decimal_digits(x: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    let a = x.abs();
    if a == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        None => format!("{a:e}"),
        Some(n) => format!("{:.*e}", n.max(1) - 1, a),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant
        .bytes()
        .filter(|c| c.is_ascii_digit())
        .map(|c| c - b'0')
        .collect();
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        return (Vec::new(), 0);
    }
    (digits, exp + 1)
}

fn fmt_e(neg: bool, digits: &[u8], dp: i32, prec: usize, e: char) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push((b'0' + digits.first().copied().unwrap_or(0)) as char);
    if prec > 0 {
        s.push('.');
        for k in 1..=prec {
            s.push((b'0' + digits.get(k).copied().unwrap_or(0)) as char);
        }
    }
    s.push(e);
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    s.push(if exp < 0 { '-' } else { '+' });
    let ea = exp.unsigned_abs();
    if ea < 10 {
        s.push('0');
    }
    s.push_str(&ea.to_string());
    s
}

fn fmt_f(neg: bool, digits: &[u8], dp: i32, prec: usize) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if dp > 0 {
        for k in 0..dp as usize {
            s.push((b'0' + digits.get(k).copied().unwrap_or(0)) as char);
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for k in 1..=prec as i32 {
            let j = dp + k - 1;
            let d = if j >= 0 {
                digits.get(j as usize).copied().unwrap_or(0)
            } else {
                0
            };
            s.push((b'0' + d) as char);
        }
    }
    s
}

/// Go's `strconv.FormatFloat(x, verb, prec, 64)` for the verbs fmt uses.
fn format_float(x: f64, verb: char, prec: Option<usize>) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = x.is_sign_negative();
    match verb {
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            let (d, dp) = decimal_digits(x, Some(p + 1));
            fmt_e(neg, &d, dp, p, verb)
        }
        'f' | 'F' => {
            let p = prec.unwrap_or(6);
            let s = format!("{:.*}", p, x.abs());
            if neg {
                format!("-{s}")
            } else {
                s
            }
        }
        'b' => fmt_b(x),
        'x' | 'X' => fmt_x(x, prec, verb == 'X'),
        'g' | 'G' => {
            let e = if verb == 'G' { 'E' } else { 'e' };
            let shortest = prec.is_none();
            let (d, dp) = match prec {
                None => decimal_digits(x, None),
                Some(p) => decimal_digits(x, Some(p.max(1))),
            };
            let nd = d.len() as i32;
            let mut p = match prec {
                None => nd,
                Some(p) => p.max(1) as i32,
            };
            let mut eprec = p;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                return fmt_e(neg, &d, dp, (p - 1).max(0) as usize, e);
            }
            if p > dp {
                p = nd;
            }
            fmt_f(neg, &d, dp, (p - dp).max(0) as usize)
        }
        _ => format_float(x, 'g', None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmap;

    #[test]
    fn floats_like_go() {
        assert_eq!(format_float_v(1e6), "1e+06");
        assert_eq!(format_float_v(100000.0), "100000");
        assert_eq!(format_float_v(2.75), "2.75");
        assert_eq!(format_float_v(1e-6), "1e-06");
        assert_eq!(format_float_v(0.0001), "0.0001");
        assert_eq!(format_float_v(123456789.0), "1.23456789e+08");
        assert_eq!(format_float_v(-0.5), "-0.5");
        assert_eq!(format_float_v(0.0), "0");
    }

    #[test]
    fn composite_values() {
        let m = vmap! { "b" => vec![Value::str("x"), Value::Nil], "a" => 1.5 };
        assert_eq!(format_v(&m), "map[a:1.5 b:[x <nil>]]");
    }

    #[test]
    fn printf_forms() {
        assert_eq!(sprintf("%d", &[Value::Float(1.0)]), "%!d(float64=1)");
        assert_eq!(sprintf("%s", &[Value::Int(1)]), "%!s(int=1)");
        assert_eq!(sprintf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            sprintf("%d", &[Value::Int(1), Value::Int(3)]),
            "1%!(EXTRA int=3)"
        );
        assert_eq!(
            sprintf(
                "%05.2f|%-5s|%5s",
                &[Value::Float(1.23456), Value::str("ab"), Value::str("cd")]
            ),
            "01.23|ab   |   cd"
        );
        assert_eq!(sprintf("%*d", &[Value::Int(4), Value::Int(7)]), "   7");
        assert_eq!(
            sprintf(
                "%x %X %o %b",
                &[
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Int(5)
                ]
            ),
            "ff FF 10 101"
        );
        assert_eq!(sprintf("%q", &[Value::str("a\"b")]), "\"a\\\"b\"");
        assert_eq!(
            sprintf(
                "%.3g|%e|%g",
                &[
                    Value::Float(1.23456),
                    Value::Float(1234.5),
                    Value::Float(1e21)
                ]
            ),
            "1.23|1.234500e+03|1e+21"
        );
    }
}
