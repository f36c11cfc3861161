//! Go's `time` package as templates see it: `Time` values, the reference-time layouts of
//! `Format`/`Parse` ("Mon Jan 2 15:04:05 MST 2006"), `Duration` printing (`1h2m3.5s`) and
//! `ParseDuration`.
//!
//! Charts format dates with Go layouts (`date "2006-01-02"`), parse them with `toDate`, and
//! print `time.Time` and durations through `%v`; every one of those strings comes from Go's
//! algorithms, including their quirks (`_2` space padding, `.999` trimming, `Z07:00` printing
//! `Z` for UTC, parse errors quoting the layout element). This module follows Go's
//! `time/format.go` token by token, working on bytes so no input can split a character and panic.

mod zone;

pub use zone::Location;

use std::sync::Arc;

pub const NANOS_PER_SEC: i64 = 1_000_000_000;

/// A Go `time.Time`: an instant, the location it is shown in, and an optional monotonic
/// clock reading (present on `now` results, printed as ` m=+0.000000001`).
#[derive(Clone, Debug)]
pub struct Time {
    pub unix: i64,
    pub nsec: u32,
    pub loc: Arc<Location>,
    pub mono: Option<i64>,
}

/// Unix seconds of Go's zero `time.Time{}` (January 1, year 1, 00:00:00 UTC).
pub const ZERO_UNIX: i64 = -62_135_596_800;

impl Time {
    pub fn zero() -> Time {
        Time {
            unix: ZERO_UNIX,
            nsec: 0,
            loc: Location::utc(),
            mono: None,
        }
    }

    pub fn from_unix(sec: i64, nsec: i64, loc: Arc<Location>) -> Time {
        let extra = nsec.div_euclid(NANOS_PER_SEC);
        let n = nsec.rem_euclid(NANOS_PER_SEC) as u32;
        Time {
            unix: sec.saturating_add(extra),
            nsec: n,
            loc,
            mono: None,
        }
    }

    /// `time.Now()` in Local, with a monotonic reading relative to process start.
    pub fn now() -> Time {
        use std::sync::OnceLock;
        use std::time::{Instant, SystemTime, UNIX_EPOCH};
        static START: OnceLock<Instant> = OnceLock::new();
        let start = *START.get_or_init(Instant::now);
        let (unix, nsec) = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                Time::split_neg(d.as_secs() as i64, d.subsec_nanos())
            }
        };
        let mono = i64::try_from(start.elapsed().as_nanos())
            .unwrap_or(i64::MAX)
            .max(1);
        Time {
            unix,
            nsec,
            loc: Location::local(),
            mono: Some(mono),
        }
    }

    fn split_neg(secs: i64, nanos: u32) -> (i64, u32) {
        if nanos == 0 {
            (-secs, 0)
        } else {
            (-secs - 1, 1_000_000_000 - nanos)
        }
    }

    /// Go's `t.In(loc)` / `t.UTC()`: same instant, new location, monotonic reading dropped.
    pub fn in_loc(&self, loc: Arc<Location>) -> Time {
        Time {
            unix: self.unix,
            nsec: self.nsec,
            loc,
            mono: None,
        }
    }

    /// (zone abbreviation, offset seconds) in effect.
    pub fn zone(&self) -> (String, i32) {
        self.loc.lookup(self.unix)
    }

    /// Local wall-clock seconds since the Unix epoch (unix + offset).
    fn local_secs(&self) -> i64 {
        self.unix.saturating_add(i64::from(self.zone().1))
    }

    /// (year, month 1..=12, day, hour, minute, second, weekday 0=Sunday, yday 1..=366).
    pub fn civil(&self) -> Civil {
        let ls = self.local_secs();
        let days = ls.div_euclid(86400);
        let sod = ls.rem_euclid(86400);
        let (year, month, day) = civil_from_days(days);
        let yday = days - days_from_civil(year, 1, 1) + 1;
        Civil {
            year,
            month,
            day,
            hour: sod / 3600,
            minute: sod % 3600 / 60,
            second: sod % 60,
            weekday: (days + 4).rem_euclid(7),
            yday,
        }
    }

    /// Go's `t.Add(d)` (keeps the monotonic reading).
    pub fn add(&self, d: i64) -> Time {
        let mut sec = self.unix.saturating_add(d / NANOS_PER_SEC);
        let mut nsec = i64::from(self.nsec) + d % NANOS_PER_SEC;
        if nsec >= NANOS_PER_SEC {
            sec = sec.saturating_add(1);
            nsec -= NANOS_PER_SEC;
        } else if nsec < 0 {
            sec = sec.saturating_sub(1);
            nsec += NANOS_PER_SEC;
        }
        Time {
            unix: sec,
            nsec: nsec as u32,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| m.wrapping_add(d)),
        }
    }

    /// Go's `t.Sub(u)`, saturating at the Duration range.
    pub fn sub(&self, u: &Time) -> i64 {
        if let (Some(a), Some(b)) = (self.mono, u.mono) {
            return a.saturating_sub(b);
        }
        let d = (i128::from(self.unix) - i128::from(u.unix)) * i128::from(NANOS_PER_SEC)
            + (i128::from(self.nsec) - i128::from(u.nsec));
        d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    pub fn is_zero(&self) -> bool {
        self.unix == ZERO_UNIX && self.nsec == 0
    }

    /// Go's `Time.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let (name, offset) = self.zone();
        let c = self.civil();
        let mut b: Vec<u8> = Vec::with_capacity(layout.len() + 10);
        let mut rest = layout.as_bytes();
        while !rest.is_empty() {
            let (prefix, std, suffix) = next_std_chunk(rest);
            b.extend_from_slice(prefix);
            let Some(std) = std else { break };
            rest = suffix;
            match std {
                Std::Year => {
                    append_int(&mut b, c.year.abs() % 100, 2);
                }
                Std::LongYear => append_int(&mut b, c.year, 4),
                Std::Month => b.extend_from_slice(&MONTHS[(c.month - 1) as usize].as_bytes()[..3]),
                Std::LongMonth => b.extend_from_slice(MONTHS[(c.month - 1) as usize].as_bytes()),
                Std::NumMonth => append_int(&mut b, c.month, 0),
                Std::ZeroMonth => append_int(&mut b, c.month, 2),
                Std::WeekDay => b.extend_from_slice(&DAYS[c.weekday as usize].as_bytes()[..3]),
                Std::LongWeekDay => b.extend_from_slice(DAYS[c.weekday as usize].as_bytes()),
                Std::Day => append_int(&mut b, c.day, 0),
                Std::UnderDay => {
                    if c.day < 10 {
                        b.push(b' ');
                    }
                    append_int(&mut b, c.day, 0)
                }
                Std::ZeroDay => append_int(&mut b, c.day, 2),
                Std::UnderYearDay => {
                    if c.yday < 100 {
                        b.push(b' ');
                        if c.yday < 10 {
                            b.push(b' ');
                        }
                    }
                    append_int(&mut b, c.yday, 0)
                }
                Std::ZeroYearDay => append_int(&mut b, c.yday, 3),
                Std::Hour => append_int(&mut b, c.hour, 2),
                Std::Hour12 | Std::ZeroHour12 => {
                    let hr = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
                    append_int(&mut b, hr, if std == Std::Hour12 { 0 } else { 2 })
                }
                Std::Minute => append_int(&mut b, c.minute, 0),
                Std::ZeroMinute => append_int(&mut b, c.minute, 2),
                Std::Second => append_int(&mut b, c.second, 0),
                Std::ZeroSecond => append_int(&mut b, c.second, 2),
                Std::PM => b.extend_from_slice(if c.hour >= 12 { b"PM" } else { b"AM" }),
                Std::Pm => b.extend_from_slice(if c.hour >= 12 { b"pm" } else { b"am" }),
                Std::Tz(kind) => format_offset(&mut b, kind, offset),
                Std::TzName => {
                    if !name.is_empty() {
                        b.extend_from_slice(name.as_bytes());
                    } else {
                        let mut zone = offset / 60;
                        if zone < 0 {
                            b.push(b'-');
                            zone = -zone;
                        } else {
                            b.push(b'+');
                        }
                        append_int(&mut b, i64::from(zone / 60), 2);
                        append_int(&mut b, i64::from(zone % 60), 2);
                    }
                }
                Std::Frac { nine, digits, sep } => {
                    append_nano(&mut b, self.nsec, nine, digits, sep)
                }
            }
        }
        String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST` plus ` m=±s.nnnnnnnnn`.
    pub fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let u = m.unsigned_abs();
            let (m1, m2) = (u / 1_000_000_000, u % 1_000_000_000);
            let (m0, m1) = (m1 / 1_000_000_000, m1 % 1_000_000_000);
            let mut buf = Vec::new();
            let mut wid = 0;
            if m0 != 0 {
                append_int(&mut buf, m0 as i64, 0);
                wid = 9;
            }
            append_int(&mut buf, m1 as i64, wid);
            buf.push(b'.');
            append_int(&mut buf, m2 as i64, 9);
            s.push_str(" m=");
            s.push(sign);
            s.push_str(&String::from_utf8_lossy(&buf));
        }
        s
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Civil {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub weekday: i64,
    pub yday: i64,
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

// ---- calendar arithmetic (proleptic Gregorian, any i64 range without overflow for sane input)

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go's `time.Date`: normalises out-of-range fields, then resolves the local time in `loc`.
#[allow(clippy::too_many_arguments)]
pub fn date(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    nsec: i64,
    loc: Arc<Location>,
) -> Time {
    // Normalise month into the year, the rest through plain second arithmetic.
    // Go wraps silently on absurd inputs; clamping keeps the arithmetic panic-free.
    const LIMIT: i64 = 1 << 40;
    let m0 = month.clamp(-LIMIT, LIMIT) - 1;
    let year = year.clamp(-LIMIT, LIMIT) + m0.div_euclid(12);
    let month = m0.rem_euclid(12) + 1;
    let days = days_from_civil(year, month, 1) + (day.clamp(-LIMIT, LIMIT) - 1);
    let local = days
        .saturating_mul(86400)
        .saturating_add(hour.saturating_mul(3600))
        .saturating_add(min.saturating_mul(60))
        .saturating_add(sec)
        .saturating_add(nsec.div_euclid(NANOS_PER_SEC));
    let nsec = nsec.rem_euclid(NANOS_PER_SEC);
    let (_, off1) = loc.lookup(local);
    let mut unix = local - i64::from(off1);
    if off1 != 0 {
        let (_, off2) = loc.lookup(unix);
        if off2 != off1 {
            unix = local - i64::from(off2);
        }
    }
    Time {
        unix,
        nsec: nsec as u32,
        loc,
        mono: None,
    }
}

// ---- layout tokens

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TzKind {
    Iso8601,             // Z0700
    Iso8601Colon,        // Z07:00
    Iso8601Seconds,      // Z070000
    Iso8601Short,        // Z07
    Iso8601ColonSeconds, // Z07:00:00
    Num,                 // -0700
    NumColon,            // -07:00
    NumSeconds,          // -070000
    NumShort,            // -07
    NumColonSeconds,     // -07:00:00
}

impl TzKind {
    fn is_iso(self) -> bool {
        matches!(
            self,
            TzKind::Iso8601
                | TzKind::Iso8601Colon
                | TzKind::Iso8601Seconds
                | TzKind::Iso8601Short
                | TzKind::Iso8601ColonSeconds
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TzName,
    Tz(TzKind),
    Frac { nine: bool, digits: usize, sep: u8 },
}

fn starts_lower(s: &[u8]) -> bool {
    s.first().is_some_and(|c| c.is_ascii_lowercase())
}

fn is_digit_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(|c| c.is_ascii_digit())
}

/// The zone elements of a layout (numeric `-07…`, ISO 8601 `Z07…`), each family longest first
/// as Go tries them.
const ZONE_LAYOUTS: &[(&[u8], TzKind)] = &[
    (b"-070000", TzKind::NumSeconds),
    (b"-07:00:00", TzKind::NumColonSeconds),
    (b"-0700", TzKind::Num),
    (b"-07:00", TzKind::NumColon),
    (b"-07", TzKind::NumShort),
    (b"Z070000", TzKind::Iso8601Seconds),
    (b"Z07:00:00", TzKind::Iso8601ColonSeconds),
    (b"Z0700", TzKind::Iso8601),
    (b"Z07:00", TzKind::Iso8601Colon),
    (b"Z07", TzKind::Iso8601Short),
];

/// Go's `nextStdChunk`: (literal prefix, token, rest). Kept in Go's shape for review.
#[allow(clippy::collapsible_match)]
fn next_std_chunk(layout: &[u8]) -> (&[u8], Option<Std>, &[u8]) {
    let l = layout;
    let has = |i: usize, pat: &[u8]| l.len() >= i + pat.len() && &l[i..i + pat.len()] == pat;
    for i in 0..l.len() {
        let r = |n: usize, s: Std| (&l[..i], Some(s), &l[i + n..]);
        match l[i] {
            b'J' => {
                if has(i, b"Jan") {
                    if has(i, b"January") {
                        return r(7, Std::LongMonth);
                    }
                    if !starts_lower(&l[i + 3..]) {
                        return r(3, Std::Month);
                    }
                }
            }
            b'M' => {
                if has(i, b"Mon") {
                    if has(i, b"Monday") {
                        return r(6, Std::LongWeekDay);
                    }
                    if !starts_lower(&l[i + 3..]) {
                        return r(3, Std::WeekDay);
                    }
                }
                if has(i, b"MST") {
                    return r(3, Std::TzName);
                }
            }
            b'0' => {
                if l.len() >= i + 2 && (b'1'..=b'6').contains(&l[i + 1]) {
                    let s = [
                        Std::ZeroMonth,
                        Std::ZeroDay,
                        Std::ZeroHour12,
                        Std::ZeroMinute,
                        Std::ZeroSecond,
                        Std::Year,
                    ][(l[i + 1] - b'1') as usize];
                    return r(2, s);
                }
                if has(i, b"002") {
                    return r(3, Std::ZeroYearDay);
                }
            }
            b'1' => {
                if l.len() >= i + 2 && l[i + 1] == b'5' {
                    return r(2, Std::Hour);
                }
                return r(1, Std::NumMonth);
            }
            b'2' => {
                if has(i, b"2006") {
                    return r(4, Std::LongYear);
                }
                return r(1, Std::Day);
            }
            b'_' => {
                if l.len() >= i + 2 && l[i + 1] == b'2' {
                    if has(i + 1, b"2006") {
                        return (&l[..i + 1], Some(Std::LongYear), &l[i + 5..]);
                    }
                    return r(2, Std::UnderDay);
                }
                if has(i, b"__2") {
                    return r(3, Std::UnderYearDay);
                }
            }
            b'3' => return r(1, Std::Hour12),
            b'4' => return r(1, Std::Minute),
            b'5' => return r(1, Std::Second),
            b'P' => {
                if l.len() >= i + 2 && l[i + 1] == b'M' {
                    return r(2, Std::PM);
                }
            }
            b'p' => {
                if l.len() >= i + 2 && l[i + 1] == b'm' {
                    return r(2, Std::Pm);
                }
            }
            b'-' | b'Z' => {
                if let Some(&(pat, k)) = ZONE_LAYOUTS.iter().find(|(pat, _)| has(i, pat)) {
                    return r(pat.len(), Std::Tz(k));
                }
            }
            c @ (b'.' | b',') => {
                if i + 1 < l.len() && (l[i + 1] == b'0' || l[i + 1] == b'9') {
                    let ch = l[i + 1];
                    let mut j = i + 1;
                    while j < l.len() && l[j] == ch {
                        j += 1;
                    }
                    if !is_digit_at(l, j) {
                        let s = Std::Frac {
                            nine: ch == b'9',
                            digits: j - (i + 1),
                            sep: c,
                        };
                        return (&l[..i], Some(s), &l[j..]);
                    }
                }
            }
            _ => {}
        }
    }
    (l, None, &[])
}

/// Go's `appendInt`: optional '-' then zero padding to `width`.
fn append_int(b: &mut Vec<u8>, x: i64, width: usize) {
    if x < 0 {
        b.push(b'-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        b.push(b'0');
    }
    b.extend_from_slice(digits.as_bytes());
}

fn append_nano(b: &mut Vec<u8>, nsec: u32, trim: bool, n: usize, sep: u8) {
    if trim && (n == 0 || nsec == 0) {
        return;
    }
    let start = b.len();
    b.push(sep);
    append_int(b, i64::from(nsec), 9);
    if n < 9 {
        b.truncate(b.len() - 9 + n);
    }
    if trim {
        while b.len() > start && b.last() == Some(&b'0') {
            b.pop();
        }
        if b.len() > start && b.last() == Some(&sep) {
            b.pop();
        }
    }
}

fn format_offset(b: &mut Vec<u8>, kind: TzKind, offset: i32) {
    if offset == 0 && kind.is_iso() {
        b.push(b'Z');
        return;
    }
    let mut zone = offset / 60;
    let mut abs = offset;
    if zone < 0 {
        b.push(b'-');
        zone = -zone;
        abs = -abs;
    } else {
        b.push(b'+');
    }
    append_int(b, i64::from(zone / 60), 2);
    use TzKind::*;
    if matches!(
        kind,
        Iso8601Colon | NumColon | Iso8601ColonSeconds | NumColonSeconds
    ) {
        b.push(b':');
    }
    if !matches!(kind, NumShort | Iso8601Short) {
        append_int(b, i64::from(zone % 60), 2);
    }
    if matches!(
        kind,
        Iso8601Seconds | NumSeconds | NumColonSeconds | Iso8601ColonSeconds
    ) {
        if matches!(kind, NumColonSeconds | Iso8601ColonSeconds) {
            b.push(b':');
        }
        append_int(b, i64::from(abs % 60), 2);
    }
}

// ---- parsing

/// The time package's own `quote` for its error messages: unlike `strconv.Quote` it escapes
/// every byte of a non-ASCII character (`"\xc3\xa9"`).
fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c < 0x80 {
            if c < b' ' {
                out.push_str(&format!("\\x{c:02x}"));
            } else {
                if c == b'"' || c == b'\\' {
                    out.push('\\');
                }
                out.push(c as char);
            }
            i += 1;
            continue;
        }
        // Non-ASCII: escape each byte of the (possibly invalid) UTF-8 sequence.
        let width = utf8_width(&s[i..]);
        for &byte in &s[i..i + width] {
            out.push_str(&format!("\\x{byte:02x}"));
        }
        i += width;
    }
    out.push('"');
    out
}

fn utf8_width(s: &[u8]) -> usize {
    let n = match s.first() {
        Some(c) if *c >= 0xF0 => 4,
        Some(c) if *c >= 0xE0 => 3,
        Some(c) if *c >= 0xC0 => 2,
        _ => 1,
    };
    if n > s.len() || std::str::from_utf8(&s[..n]).is_err() {
        1
    } else {
        n
    }
}

fn parse_error(layout: &[u8], value: &[u8], le: &[u8], ve: &[u8], msg: &str) -> String {
    if msg.is_empty() {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(value),
            quote(layout),
            quote(ve),
            quote(le)
        )
    } else {
        format!("parsing time {}{}", quote(value), msg)
    }
}

fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Result<&'a [u8], &'a [u8]> {
    while let Some(&p0) = prefix.first() {
        if p0 == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return Err(value);
            }
            prefix = trim_space_start(prefix);
            value = trim_space_start(value);
            continue;
        }
        if value.first() != Some(&p0) {
            return Err(value);
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Ok(value)
}

fn trim_space_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b' ').count();
    &s[n..]
}

fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    if !is_digit_at(s, 0) {
        return None;
    }
    if !is_digit_at(s, 1) {
        if fixed {
            return None;
        }
        return Some((i64::from(s[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'),
        &s[2..],
    ))
}

fn getnum3(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && is_digit_at(s, i) {
        n = n * 10 + i64::from(s[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

/// Go's `leadingInt`: digits as u64, `None` on overflow past 1<<63.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > (1u64 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > 1u64 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

fn atoi(s: &[u8]) -> Option<i64> {
    let (neg, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (q, rem) = leading_int(s)?;
    if !rem.is_empty() {
        return None;
    }
    let x = q as i64;
    Some(if neg { x.wrapping_neg() } else { x })
}

fn match_fold(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).all(|(&c1, &c2)| {
        c1 == c2 || {
            let (l1, l2) = (c1 | 0x20, c2 | 0x20);
            l1 == l2 && l1.is_ascii_lowercase()
        }
    })
}

fn lookup_name<'a>(tab: &[&str], val: &'a [u8]) -> Option<(i64, &'a [u8])> {
    for (i, v) in tab.iter().enumerate() {
        let v = v.as_bytes();
        if val.len() >= v.len() && match_fold(&val[..v.len()], v) {
            return Some((i as i64, &val[v.len()..]));
        }
    }
    None
}

fn parse_nanoseconds(value: &[u8], nbytes: usize) -> Result<(i64, &'static str), ()> {
    if !matches!(value.first(), Some(b'.' | b',')) {
        return Err(());
    }
    let nbytes = nbytes.min(10).min(value.len());
    let ns = atoi(&value[1..nbytes]).ok_or(())?;
    if ns < 0 {
        return Ok((0, "fractional second"));
    }
    let mut ns = ns;
    for _ in 0..(10 - nbytes) {
        ns *= 10;
    }
    Ok((ns, ""))
}

fn parse_signed_offset(value: &[u8]) -> usize {
    if !matches!(value.first(), Some(b'-' | b'+')) {
        return 0;
    }
    match leading_int(&value[1..]) {
        Some((x, rem)) if rem.len() != value.len() - 1 && x <= 23 => value.len() - rem.len(),
        _ => 0,
    }
}

fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.len() >= 4 && (&value[..4] == b"ChST" || &value[..4] == b"MeST") {
        return Some(4);
    }
    if &value[..3] == b"GMT" {
        let rest = &value[3..];
        return Some(if rest.is_empty() {
            3
        } else {
            3 + parse_signed_offset(rest)
        });
    }
    if value[0] == b'+' || value[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let mut n = 0;
    while n < 6 && n < value.len() && value[n].is_ascii_uppercase() {
        n += 1;
    }
    match n {
        5 if value[4] == b'T' => Some(5),
        4 if value[3] == b'T' || &value[..4] == b"WITA" => Some(4),
        3 => Some(3),
        _ => None,
    }
}

/// A numeric zone offset split as Go's parser does: sign, hours, minutes, seconds, rest.
type OffsetParts<'a> = (u8, &'a [u8], &'a [u8], &'a [u8], &'a [u8]);

/// Go's `time.ParseInLocation(layout, value, loc)` (with `Local` as the local zone).
pub fn parse_in_location(
    layout_s: &str,
    value_s: &str,
    default_loc: Arc<Location>,
) -> Result<Time, String> {
    let alayout = layout_s.as_bytes();
    let avalue = value_s.as_bytes();
    let local = Location::local();
    let mut layout = alayout;
    let mut value = avalue;
    let (mut am_set, mut pm_set) = (false, false);
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut z: Option<Arc<Location>> = None;
    let mut zone_offset: i64 = -1;
    let mut zone_name: Vec<u8> = Vec::new();

    loop {
        let (prefix, std, suffix) = next_std_chunk(layout);
        let stdstr = &layout[prefix.len()..layout.len() - suffix.len()];
        value = match skip(value, prefix) {
            Ok(v) => v,
            Err(v) => return Err(parse_error(alayout, avalue, prefix, v, "")),
        };
        let Some(std) = std else {
            if !value.is_empty() {
                return Err(parse_error(
                    alayout,
                    avalue,
                    b"",
                    value,
                    &format!(": extra text: {}", quote(value)),
                ));
            }
            break;
        };
        layout = suffix;
        let hold = value;
        let mut range_err = "";
        let mut ok = true;
        match std {
            Std::Year => {
                if value.len() < 2 {
                    ok = false;
                } else {
                    let (p, rest) = value.split_at(2);
                    value = rest;
                    match atoi(p) {
                        Some(y) => year = if y >= 69 { y + 1900 } else { y + 2000 },
                        None => ok = false,
                    }
                }
            }
            Std::LongYear => {
                if value.len() < 4 || !is_digit_at(value, 0) {
                    ok = false;
                } else {
                    let (p, rest) = value.split_at(4);
                    value = rest;
                    match atoi(p) {
                        Some(y) => year = y,
                        None => ok = false,
                    }
                }
            }
            Std::Month | Std::LongMonth | Std::WeekDay | Std::LongWeekDay => {
                // A month's or weekday's English name, in full or its first three letters; the
                // weekday is checked, not used.
                let names: &[&str] = if matches!(std, Std::Month | Std::LongMonth) {
                    &MONTHS
                } else {
                    &DAYS
                };
                let short = matches!(std, Std::Month | Std::WeekDay);
                let tab: Vec<&str> = names
                    .iter()
                    .map(|n| if short { &n[..3] } else { *n })
                    .collect();
                match lookup_name(&tab, value) {
                    Some((i, rest)) => {
                        if matches!(std, Std::Month | Std::LongMonth) {
                            month = i + 1;
                        }
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::NumMonth
            | Std::ZeroMonth
            | Std::Hour
            | Std::Hour12
            | Std::ZeroHour12
            | Std::Minute
            | Std::ZeroMinute => {
                // The field, its range and its name in a range error.
                let (field, range, what) = match std {
                    Std::NumMonth | Std::ZeroMonth => (&mut month, 1..=12, "month"),
                    Std::Hour => (&mut hour, 0..=23, "hour"),
                    Std::Hour12 | Std::ZeroHour12 => (&mut hour, 0..=12, "hour"),
                    _ => (&mut min, 0..=59, "minute"),
                };
                match getnum(
                    value,
                    matches!(std, Std::ZeroMonth | Std::ZeroHour12 | Std::ZeroMinute),
                ) {
                    Some((n, rest)) => {
                        *field = n;
                        value = rest;
                        if !range.contains(&n) {
                            range_err = what;
                        }
                    }
                    None => ok = false,
                }
            }
            Std::Day | Std::UnderDay | Std::ZeroDay | Std::UnderYearDay | Std::ZeroYearDay => {
                // The field, how many padding spaces its layout allows, and its digits' reader.
                type Digits = fn(&[u8], bool) -> Option<(i64, &[u8])>;
                let (field, spaces, read): (_, _, Digits) = match std {
                    Std::UnderDay => (&mut day, 1, getnum),
                    Std::Day | Std::ZeroDay => (&mut day, 0, getnum),
                    Std::UnderYearDay => (&mut yday, 2, getnum3),
                    _ => (&mut yday, 0, getnum3),
                };
                for _ in 0..spaces {
                    if value.first() == Some(&b' ') {
                        value = &value[1..];
                    }
                }
                match read(value, matches!(std, Std::ZeroDay | Std::ZeroYearDay)) {
                    Some((n, rest)) => {
                        *field = n;
                        value = rest;
                    }
                    None => ok = false,
                }
            }

            Std::Second | Std::ZeroSecond => match getnum(value, std == Std::ZeroSecond) {
                Some((s, rest)) => {
                    sec = s;
                    value = rest;
                    if !(0..60).contains(&sec) {
                        range_err = "second";
                    } else if value.len() >= 2
                        && matches!(value[0], b'.' | b',')
                        && is_digit_at(value, 1)
                    {
                        let (_, next, _) = next_std_chunk(layout);
                        if !matches!(next, Some(Std::Frac { .. })) {
                            let mut n = 2;
                            while n < value.len() && is_digit_at(value, n) {
                                n += 1;
                            }
                            match parse_nanoseconds(value, n) {
                                Ok((ns, re)) => {
                                    nsec = ns;
                                    range_err = re;
                                }
                                Err(()) => ok = false,
                            }
                            value = &value[n.min(value.len())..];
                        }
                    }
                }
                None => ok = false,
            },
            Std::PM | Std::Pm => {
                if value.len() < 2 {
                    ok = false;
                } else {
                    let (p, rest) = value.split_at(2);
                    value = rest;
                    let (pm, am): (&[u8], &[u8]) = if std == Std::PM {
                        (b"PM", b"AM")
                    } else {
                        (b"pm", b"am")
                    };
                    if p == pm {
                        pm_set = true;
                    } else if p == am {
                        am_set = true;
                    } else {
                        ok = false;
                    }
                }
            }
            Std::Tz(kind) => {
                if kind.is_iso() && value.first() == Some(&b'Z') {
                    value = &value[1..];
                    z = Some(Location::utc());
                } else {
                    use TzKind::*;
                    let parts: Option<OffsetParts<'_>> = match kind {
                        Iso8601Colon | NumColon => {
                            (value.len() >= 6 && value[3] == b':').then(|| {
                                (
                                    value[0],
                                    &value[1..3],
                                    &value[4..6],
                                    &b"00"[..],
                                    &value[6..],
                                )
                            })
                        }
                        NumShort | Iso8601Short => (value.len() >= 3)
                            .then(|| (value[0], &value[1..3], &b"00"[..], &b"00"[..], &value[3..])),
                        Iso8601ColonSeconds | NumColonSeconds => {
                            (value.len() >= 9 && value[3] == b':' && value[6] == b':').then(|| {
                                (
                                    value[0],
                                    &value[1..3],
                                    &value[4..6],
                                    &value[7..9],
                                    &value[9..],
                                )
                            })
                        }
                        Iso8601Seconds | NumSeconds => (value.len() >= 7).then(|| {
                            (
                                value[0],
                                &value[1..3],
                                &value[3..5],
                                &value[5..7],
                                &value[7..],
                            )
                        }),
                        Iso8601 | Num => (value.len() >= 5).then(|| {
                            (
                                value[0],
                                &value[1..3],
                                &value[3..5],
                                &b"00"[..],
                                &value[5..],
                            )
                        }),
                    };
                    match parts {
                        None => ok = false,
                        Some((sign, h, m, s, rest)) => {
                            value = rest;
                            match (getnum(h, true), getnum(m, true), getnum(s, true)) {
                                (Some((hr, _)), Some((mm, _)), Some((ss, _))) => {
                                    if hr > 24 {
                                        range_err = "time zone offset hour";
                                    }
                                    if mm > 60 {
                                        range_err = "time zone offset minute";
                                    }
                                    if ss > 60 {
                                        range_err = "time zone offset second";
                                    }
                                    zone_offset = (hr * 60 + mm) * 60 + ss;
                                    match sign {
                                        b'+' => {}
                                        b'-' => zone_offset = -zone_offset,
                                        _ => ok = false,
                                    }
                                }
                                _ => ok = false,
                            }
                        }
                    }
                }
            }
            Std::TzName => {
                if value.len() >= 3 && &value[..3] == b"UTC" {
                    z = Some(Location::utc());
                    value = &value[3..];
                } else {
                    match parse_time_zone(value) {
                        Some(n) => {
                            zone_name = value[..n].to_vec();
                            value = &value[n..];
                        }
                        None => ok = false,
                    }
                }
            }
            Std::Frac {
                nine: false,
                digits,
                ..
            } => {
                let ndigit = 1 + digits;
                if value.len() < ndigit {
                    ok = false;
                } else {
                    match parse_nanoseconds(value, ndigit) {
                        Ok((ns, re)) => {
                            nsec = ns;
                            range_err = re;
                        }
                        Err(()) => ok = false,
                    }
                    value = &value[ndigit..];
                }
            }
            Std::Frac { nine: true, .. } => {
                if value.len() >= 2 && matches!(value[0], b'.' | b',') && value[1].is_ascii_digit()
                {
                    let mut i = 0;
                    while i + 1 < value.len() && value[i + 1].is_ascii_digit() {
                        i += 1;
                    }
                    match parse_nanoseconds(value, 1 + i) {
                        Ok((ns, re)) => {
                            nsec = ns;
                            range_err = re;
                        }
                        Err(()) => ok = false,
                    }
                    value = &value[1 + i..];
                }
            }
        }
        if !range_err.is_empty() {
            return Err(parse_error(
                alayout,
                avalue,
                stdstr,
                value,
                &format!(": {range_err} out of range"),
            ));
        }
        if !ok {
            return Err(parse_error(alayout, avalue, stdstr, hold, ""));
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }

    if yday >= 0 {
        let mut d = 0;
        let mut m = 0;
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(parse_error(
                alayout,
                avalue,
                b"",
                value,
                ": day-of-year out of range",
            ));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            if days_before(m + 1) < yday {
                m += 1;
            }
            d = yday - days_before(m);
        }
        if month >= 0 && month != m {
            return Err(parse_error(
                alayout,
                avalue,
                b"",
                value,
                ": day-of-year does not match month",
            ));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(parse_error(
                alayout,
                avalue,
                b"",
                value,
                ": day-of-year does not match day",
            ));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(parse_error(
            alayout,
            avalue,
            b"",
            value,
            ": day out of range",
        ));
    }

    if let Some(z) = z {
        return Ok(date(year, month, day, hour, min, sec, nsec, z));
    }
    if zone_offset != -1 {
        let mut t = date(year, month, day, hour, min, sec, nsec, Location::utc());
        t.unix -= zone_offset;
        let (name, offset) = local.lookup(t.unix);
        if i64::from(offset) == zone_offset
            && (zone_name.is_empty() || name.as_bytes() == zone_name.as_slice())
        {
            t.loc = local;
            return Ok(t);
        }
        let zn = String::from_utf8_lossy(&zone_name).into_owned();
        t.loc = Location::fixed(&zn, zone_offset as i32);
        return Ok(t);
    }
    if !zone_name.is_empty() {
        let mut t = date(year, month, day, hour, min, sec, nsec, Location::utc());
        let zn = String::from_utf8_lossy(&zone_name).into_owned();
        if let Some(offset) = local.lookup_name(&zn, t.unix) {
            t.unix -= i64::from(offset);
            t.loc = local;
            return Ok(t);
        }
        let mut offset = 0i64;
        if zone_name.len() > 3 && &zone_name[..3] == b"GMT" {
            offset = atoi(&zone_name[3..]).unwrap_or(0) * 3600;
        }
        t.loc = Location::fixed(&zn, offset as i32);
        return Ok(t);
    }
    Ok(date(year, month, day, hour, min, sec, nsec, default_loc))
}

/// Days before the first of month `m` in a non-leap year (`m` may be 13).
fn days_before(m: i64) -> i64 {
    const DB: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
    DB[(m - 1).clamp(0, 12) as usize]
}

// ---- durations

/// Go's `Duration.String()`.
pub fn duration_string(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    let mut buf: Vec<u8> = Vec::with_capacity(32);
    // Built in reverse, as Go does.
    if u < 1_000_000_000 {
        let prec;
        buf.push(b's');
        if u == 0 {
            return "0s".into();
        } else if u < 1_000 {
            prec = 0;
            buf.push(b'n');
        } else if u < 1_000_000 {
            prec = 3;
            // "µ" reversed byte order.
            buf.push(0xB5);
            buf.push(0xC2);
        } else {
            prec = 6;
            buf.push(b'm');
        }
        u = fmt_frac(&mut buf, u, prec);
        fmt_int(&mut buf, u);
    } else {
        buf.push(b's');
        u = fmt_frac(&mut buf, u, 9);
        fmt_int(&mut buf, u % 60);
        u /= 60;
        if u > 0 {
            buf.push(b'm');
            fmt_int(&mut buf, u % 60);
            u /= 60;
            if u > 0 {
                buf.push(b'h');
                fmt_int(&mut buf, u);
            }
        }
    }
    if neg {
        buf.push(b'-');
    }
    buf.reverse();
    String::from_utf8(buf).unwrap_or_default()
}

fn fmt_frac(buf: &mut Vec<u8>, mut v: u64, prec: usize) -> u64 {
    let mut print = false;
    for _ in 0..prec {
        let digit = (v % 10) as u8;
        print = print || digit != 0;
        if print {
            buf.push(digit + b'0');
        }
        v /= 10;
    }
    if print {
        buf.push(b'.');
    }
    v
}

fn fmt_int(buf: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        buf.push(b'0');
    } else {
        while v > 0 {
            buf.push((v % 10) as u8 + b'0');
            v /= 10;
        }
    }
}

/// Go's `Duration.Round(m)`.
pub fn duration_round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let less_than_half = |x: i64, y: i64| (x as u64).wrapping_add(x as u64) < y as u64;
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if less_than_half(r, m) {
            return d + r;
        }
        // Go's wrapping `d - m + r`, then its overflow check.
        let d1 = d.wrapping_sub(m).wrapping_add(r);
        return if d1 < d { d1 } else { i64::MIN };
    }
    if less_than_half(r, m) {
        return d - r;
    }
    let d1 = d.wrapping_add(m).wrapping_sub(r);
    if d1 > d {
        d1
    } else {
        i64::MAX
    }
}

/// Go's `time.ParseDuration`; the error is Go's text (`time: invalid duration "x"`).
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let err = |what: &str| format!("time: {what} {}", quote(orig.as_bytes()));
    let mut s = orig.as_bytes();
    let mut d: u64 = 0;
    let mut neg = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            s = &s[1..];
        }
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(err("invalid duration"));
    }
    while !s.is_empty() {
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(err("invalid duration"));
        }
        let pl = s.len();
        let (mut v, rest) = leading_int(s).ok_or_else(|| err("invalid duration"))?;
        s = rest;
        let pre = pl != s.len();
        let mut post = false;
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let pl = s.len();
            // leadingFraction
            let mut overflow = false;
            let mut i = 0;
            while i < s.len() && s[i].is_ascii_digit() {
                if !overflow {
                    if f > (i64::MAX as u64) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(s[i] - b'0');
                        if y > 1u64 << 63 {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            s = &s[i..];
            post = pl != s.len();
        }
        if !pre && !post {
            return Err(err("invalid duration"));
        }
        let i = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(err("missing unit in duration"));
        }
        let u = &s[..i];
        s = &s[i..];
        let unit: u64 = match u {
            b"ns" => 1,
            b"us" | b"\xC2\xB5s" | b"\xCE\xBCs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(u),
                    quote(orig.as_bytes())
                ))
            }
        };
        if v > (1u64 << 63) / unit {
            return Err(err("invalid duration"));
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1u64 << 63 {
                return Err(err("invalid duration"));
            }
        }
        d = d.checked_add(v).ok_or_else(|| err("invalid duration"))?;
        if d > 1u64 << 63 {
            return Err(err("invalid duration"));
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > i64::MAX as u64 {
        return Err(err("invalid duration"));
    }
    Ok(d as i64)
}

/// Formats an instant with a Go layout (`2006-01-02 15:04:05Z0700`), as Go's `Time.Format`
/// does for a time at this UTC offset: UTC when the offset is zero, else a fixed zone. For
/// callers outside the template engine (`helm list --time-format`).
pub fn format_go_layout(unix_secs: i64, nanos: i64, offset_secs: i32, layout: &str) -> String {
    let loc = if offset_secs == 0 {
        Location::utc()
    } else {
        Location::fixed("", offset_secs)
    };
    Time::from_unix(unix_secs, nanos, loc).format(layout)
}
