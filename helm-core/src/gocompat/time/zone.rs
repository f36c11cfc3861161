//! Go's `time.Location`: named zones read from the system's TZif files, as Go does on Linux.
//!
//! Sprig's `dateInZone` calls `time.LoadLocation(zone)` (falling back to UTC on error) and
//! `date` uses `"Local"`. Go reads `/usr/share/zoneinfo/NAME` (and, for Local, `$TZ` or
//! `/etc/localtime`), so reading the same files gives the same offsets and abbreviations.
//! Times past the last transition use the file's POSIX TZ footer (`EST5EDT,M3.2.0,M11.1.0`).

use std::sync::{Arc, OnceLock};

/// One zone of a location: abbreviation, offset east of UTC in seconds, DST flag.
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    pub name: String,
    pub offset: i32,
    pub is_dst: bool,
}

/// A time zone as Go's `*time.Location`.
#[derive(Debug)]
pub struct Location {
    /// What `Location.String()` prints (`UTC`, `Local`, `America/New_York`).
    pub name: String,
    zones: Vec<Zone>,
    /// Transitions: (unix second, index into `zones`), sorted.
    tx: Vec<(i64, usize)>,
    /// POSIX TZ rule for times after the last transition.
    extend: Option<PosixTz>,
}

impl Location {
    /// Go's `time.UTC`: no zones, `lookup` answers ("UTC", 0).
    pub fn utc() -> Arc<Location> {
        static UTC: OnceLock<Arc<Location>> = OnceLock::new();
        UTC.get_or_init(|| {
            Arc::new(Location {
                name: "UTC".into(),
                zones: vec![],
                tx: vec![],
                extend: None,
            })
        })
        .clone()
    }

    /// Go's `time.FixedZone(name, offset)`.
    pub fn fixed(name: &str, offset: i32) -> Arc<Location> {
        Arc::new(Location {
            name: name.into(),
            zones: vec![Zone {
                name: name.into(),
                offset,
                is_dst: false,
            }],
            tx: vec![(i64::MIN, 0)],
            extend: None,
        })
    }

    /// Go's `time.Local`, initialised once from `$TZ` / `/etc/localtime` as Go's initLocal.
    pub fn local() -> Arc<Location> {
        static LOCAL: OnceLock<Arc<Location>> = OnceLock::new();
        LOCAL.get_or_init(init_local).clone()
    }

    pub fn is_utc(self: &Arc<Self>) -> bool {
        Arc::ptr_eq(self, &Location::utc())
    }

    /// Go's `time.LoadLocation`.
    pub fn load(name: &str) -> Result<Arc<Location>, String> {
        if name.is_empty() || name == "UTC" {
            return Ok(Location::utc());
        }
        if name == "Local" {
            return Ok(Location::local());
        }
        if contains_dot_dot(name) || name.starts_with('/') || name.starts_with('\\') {
            return Err("time: invalid location name".to_string());
        }
        let dirs: Vec<String> = match std::env::var("ZONEINFO") {
            Ok(z) if !z.is_empty() => vec![z],
            _ => vec![],
        };
        let mut all: Vec<String> = dirs;
        for d in [
            "/usr/share/zoneinfo/",
            "/usr/share/lib/zoneinfo/",
            "/usr/lib/locale/TZ/",
            "/etc/zoneinfo/",
        ] {
            all.push(d.to_string());
        }
        for dir in all {
            let path = std::path::Path::new(&dir).join(name);
            if let Ok(data) = std::fs::read(&path) {
                if let Some(mut loc) = parse_tzif(&data) {
                    loc.name = name.to_string();
                    return Ok(Arc::new(loc));
                }
            }
        }
        Err(format!("unknown time zone {name}"))
    }

    /// Go's `Location.lookup`: abbreviation and offset in effect at unix second `sec`.
    pub fn lookup(&self, sec: i64) -> (String, i32) {
        if self.zones.is_empty() {
            return ("UTC".into(), 0);
        }
        let first_tx = self.tx.first().map(|t| t.0);
        if first_tx.is_none_or(|w| sec < w) {
            let z = &self.zones[self.first_zone()];
            return (z.name.clone(), z.offset);
        }
        // Largest transition <= sec.
        let idx = self.tx.partition_point(|t| t.0 <= sec).saturating_sub(1);
        let (start, zi) = self.tx[idx];
        let z = self.zones.get(zi).unwrap_or(&self.zones[0]);
        if idx + 1 == self.tx.len() {
            if let Some(rule) = &self.extend {
                if let Some(r) = rule.lookup(sec, start) {
                    return r;
                }
            }
        }
        (z.name.clone(), z.offset)
    }

    fn first_zone(&self) -> usize {
        let used = self.tx.iter().any(|t| t.1 == 0);
        if !used {
            return 0;
        }
        if let Some(&(_, i)) = self.tx.first() {
            if self.zones.get(i).is_some_and(|z| z.is_dst) {
                for zi in (0..i).rev() {
                    if !self.zones[zi].is_dst {
                        return zi;
                    }
                }
            }
        }
        self.zones.iter().position(|z| !z.is_dst).unwrap_or(0)
    }

    /// Go's `Location.lookupName`: the offset of a zone called `name` around `unix`.
    pub fn lookup_name(&self, name: &str, unix: i64) -> Option<i32> {
        for z in &self.zones {
            if z.name == name {
                let (n, off) = self.lookup(unix - i64::from(z.offset));
                if n == z.name {
                    return Some(off);
                }
            }
        }
        self.zones.iter().find(|z| z.name == name).map(|z| z.offset)
    }
}

fn contains_dot_dot(s: &str) -> bool {
    s.split(['/', '\\']).any(|p| p == "..")
}

fn init_local() -> Arc<Location> {
    let named = |mut loc: Location, name: &str| {
        loc.name = name.to_string();
        Arc::new(loc)
    };
    match std::env::var("TZ") {
        Err(_) => {
            if let Some(loc) = std::fs::read("/etc/localtime")
                .ok()
                .and_then(|d| parse_tzif(&d))
            {
                return named(loc, "Local");
            }
        }
        Ok(tz) if !tz.is_empty() => {
            let tz = tz.strip_prefix(':').unwrap_or(&tz).to_string();
            if tz.starts_with('/') {
                if let Some(loc) = std::fs::read(&tz).ok().and_then(|d| parse_tzif(&d)) {
                    let n = if tz == "/etc/localtime" {
                        "Local"
                    } else {
                        tz.as_str()
                    };
                    return named(loc, n);
                }
            } else if !tz.is_empty() && tz != "UTC" {
                if let Ok(loc) = Location::load(&tz) {
                    return loc;
                }
            }
        }
        Ok(_) => {}
    }
    Arc::new(Location {
        name: "UTC".into(),
        zones: vec![],
        tx: vec![],
        extend: None,
    })
}

/// Reads a TZif file (v1, or the 64-bit v2+ section and its footer).
fn parse_tzif(data: &[u8]) -> Option<Location> {
    let mut r = Reader { d: data, p: 0 };
    if r.take(4)? != b"TZif" {
        return None;
    }
    let version = *r.take(1)?.first()?;
    r.take(15)?;
    let counts = |r: &mut Reader| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for v in c.iter_mut() {
            *v = r.be32()? as usize;
        }
        Some(c)
    };
    // [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt]
    let mut c = counts(&mut r)?;
    let mut wide = false;
    if version >= b'2' {
        // Skip the v1 body and read the v2 header.
        let skip = c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
        r.take(skip)?;
        if r.take(4)? != b"TZif" {
            return None;
        }
        r.take(16)?;
        c = counts(&mut r)?;
        wide = true;
    }
    let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = c;
    let mut whens = Vec::with_capacity(timecnt);
    for _ in 0..timecnt {
        whens.push(if wide {
            r.be64()? as i64
        } else {
            i64::from(r.be32()? as i32)
        });
    }
    let idxs = r.take(timecnt)?.to_vec();
    let mut raw_zones = Vec::with_capacity(typecnt);
    for _ in 0..typecnt {
        let off = r.be32()? as i32;
        let dst = *r.take(1)?.first()? != 0;
        let abbr = *r.take(1)?.first()? as usize;
        raw_zones.push((off, dst, abbr));
    }
    let chars = r.take(charcnt)?.to_vec();
    r.take(leapcnt * if wide { 12 } else { 8 })?;
    r.take(isstdcnt)?;
    r.take(isutcnt)?;
    let mut extend = None;
    if wide {
        let rest = &data[r.p.min(data.len())..];
        let s = String::from_utf8_lossy(rest);
        let footer = s.trim_matches('\n');
        if !footer.is_empty() {
            extend = PosixTz::parse(footer);
        }
    }
    let zones: Vec<Zone> = raw_zones
        .iter()
        .map(|&(offset, is_dst, a)| {
            let end = chars
                .get(a..)
                .and_then(|s| s.iter().position(|&b| b == 0))
                .map(|e| a + e);
            let name = match end {
                Some(e) => String::from_utf8_lossy(&chars[a..e]).into_owned(),
                None => String::new(),
            };
            Zone {
                name,
                offset,
                is_dst,
            }
        })
        .collect();
    if zones.is_empty() {
        return None;
    }
    let tx = whens
        .into_iter()
        .zip(idxs)
        .map(|(w, i)| (w, (i as usize).min(zones.len() - 1)))
        .collect::<Vec<_>>();
    let mut loc = Location {
        name: String::new(),
        zones,
        tx,
        extend,
    };
    if loc.tx.is_empty() {
        // Go adds a single transition at the start of time.
        loc.tx.push((i64::MIN, 0));
        if loc.extend.is_some() && loc.zones.len() == 1 {
            loc.extend = None;
        }
    }
    Some(loc)
}

struct Reader<'a> {
    d: &'a [u8],
    p: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.p.checked_add(n)?;
        let s = self.d.get(self.p..end)?;
        self.p = end;
        Some(s)
    }
    fn be32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn be64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(u64::from_be_bytes(a))
    }
}

/// A POSIX TZ rule string (the TZif footer): `STDoff[DST[off][,start[/time],end[/time]]]`.
#[derive(Debug, Clone)]
struct PosixTz {
    std_name: String,
    std_off: i32,
    dst: Option<(String, i32, Rule, Rule)>,
}

/// A transition date rule: only `Mm.w.d/time` and `Jn`/`n` forms.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Month, week (1..5, 5 = last), weekday (0 = Sunday), seconds after local midnight.
    M(u32, u32, u32, i64),
    /// Julian day 1..365 ignoring Feb 29.
    J(u32, i64),
    /// Zero-based day of year 0..365.
    N(u32, i64),
}

impl PosixTz {
    fn parse(s: &str) -> Option<PosixTz> {
        let b = s.as_bytes();
        let mut p = 0usize;
        let std_name = tz_name(b, &mut p)?;
        // POSIX offsets are west of UTC.
        let std_off = -tz_offset(b, &mut p)?;
        if p >= b.len() {
            return Some(PosixTz {
                std_name,
                std_off,
                dst: None,
            });
        }
        let dst_name = tz_name(b, &mut p)?;
        let dst_off = if p < b.len() && b[p] != b',' {
            -tz_offset(b, &mut p)?
        } else {
            std_off + 3600
        };
        if p >= b.len() {
            // No rules: US default; rare, treat as standard time only.
            return Some(PosixTz {
                std_name,
                std_off,
                dst: None,
            });
        }
        if b[p] != b',' {
            return None;
        }
        p += 1;
        let start = tz_rule(b, &mut p)?;
        if b.get(p) != Some(&b',') {
            return None;
        }
        p += 1;
        let end = tz_rule(b, &mut p)?;
        if p != b.len() {
            return None;
        }
        Some(PosixTz {
            std_name,
            std_off,
            dst: Some((dst_name, dst_off, start, end)),
        })
    }

    /// (abbreviation, offset) at unix second `sec`, as Go's `tzset`.
    fn lookup(&self, sec: i64, _start: i64) -> Option<(String, i32)> {
        let Some((dst_name, dst_off, start, end)) = &self.dst else {
            return Some((self.std_name.clone(), self.std_off));
        };
        // Year of `sec` in standard time.
        let local = sec + i64::from(self.std_off);
        let days = local.div_euclid(86400);
        let (year, _, _) = super::civil_from_days(days);
        let year_start = super::days_from_civil(year, 1, 1) * 86400;
        let ysec = sec + i64::from(self.std_off) - year_start;
        let leap = super::is_leap(year);
        // Start is in standard time; end is in daylight time.
        let s = rule_time(year, *start, leap);
        let e = rule_time(year, *end, leap) - i64::from(dst_off - self.std_off);
        let in_dst = if s < e {
            ysec >= s && ysec < e
        } else {
            !(ysec >= e && ysec < s)
        };
        Some(if in_dst {
            (dst_name.clone(), *dst_off)
        } else {
            (self.std_name.clone(), self.std_off)
        })
    }
}

/// Seconds from the start of `year` to the rule's moment (local standard-time reckoning).
fn rule_time(year: i64, r: Rule, leap: bool) -> i64 {
    match r {
        Rule::J(n, t) => {
            let mut d = i64::from(n) - 1;
            if leap && n >= 60 {
                d += 1;
            }
            d * 86400 + t
        }
        Rule::N(n, t) => i64::from(n) * 86400 + t,
        Rule::M(m, w, wd, t) => {
            let first = super::days_from_civil(year, m as i64, 1);
            let year_start = super::days_from_civil(year, 1, 1);
            // Weekday of the month's first day (0 = Sunday).
            let fwd = (first + 4).rem_euclid(7);
            let mut d = (i64::from(wd) - fwd).rem_euclid(7) + 1;
            let dim = super::days_in_month(year, m as i64);
            for _ in 1..w {
                if d + 7 > dim {
                    break;
                }
                d += 7;
            }
            (first - year_start + d - 1) * 86400 + t
        }
    }
}

fn tz_name(b: &[u8], p: &mut usize) -> Option<String> {
    let start = *p;
    if b.get(*p) == Some(&b'<') {
        let end = b[*p..].iter().position(|&c| c == b'>')? + *p;
        *p = end + 1;
        return Some(String::from_utf8_lossy(&b[start + 1..end]).into_owned());
    }
    while *p < b.len() && b[*p].is_ascii_alphabetic() {
        *p += 1;
    }
    if *p - start < 3 {
        return None;
    }
    Some(String::from_utf8_lossy(&b[start..*p]).into_owned())
}

/// `[+-]hh[:mm[:ss]]` in seconds.
fn tz_offset(b: &[u8], p: &mut usize) -> Option<i32> {
    let mut sign = 1;
    match b.get(*p) {
        Some(b'+') => *p += 1,
        Some(b'-') => {
            sign = -1;
            *p += 1
        }
        _ => {}
    }
    let secs = tz_hms(b, p)?;
    i32::try_from(secs * sign).ok()
}

fn tz_hms(b: &[u8], p: &mut usize) -> Option<i64> {
    let mut parts = [0i64; 3];
    for (i, part) in parts.iter_mut().enumerate() {
        if i > 0 {
            if b.get(*p) != Some(&b':') {
                break;
            }
            *p += 1;
        }
        let st = *p;
        while *p < b.len() && b[*p].is_ascii_digit() && *p - st < 3 {
            *part = *part * 10 + i64::from(b[*p] - b'0');
            *p += 1;
        }
        if *p == st {
            return None;
        }
    }
    Some(parts[0] * 3600 + parts[1] * 60 + parts[2])
}

fn tz_num(b: &[u8], p: &mut usize) -> Option<u32> {
    let st = *p;
    let mut n: u32 = 0;
    while *p < b.len() && b[*p].is_ascii_digit() && *p - st < 4 {
        n = n * 10 + u32::from(b[*p] - b'0');
        *p += 1;
    }
    (*p > st).then_some(n)
}

fn tz_rule(b: &[u8], p: &mut usize) -> Option<Rule> {
    let kind = *b.get(*p)?;
    let rule = match kind {
        b'M' => {
            *p += 1;
            let m = tz_num(b, p)?;
            if b.get(*p) != Some(&b'.') {
                return None;
            }
            *p += 1;
            let w = tz_num(b, p)?;
            if b.get(*p) != Some(&b'.') {
                return None;
            }
            *p += 1;
            let d = tz_num(b, p)?;
            if !(1..=12).contains(&m) || !(1..=5).contains(&w) || d > 6 {
                return None;
            }
            Rule::M(m, w, d, 7200)
        }
        b'J' => {
            *p += 1;
            Rule::J(tz_num(b, p)?.clamp(1, 365), 7200)
        }
        _ => Rule::N(tz_num(b, p)?.min(365), 7200),
    };
    let mut time = 7200;
    if b.get(*p) == Some(&b'/') {
        *p += 1;
        time = tz_offset(b, p)? as i64;
    }
    Some(match rule {
        Rule::M(m, w, d, _) => Rule::M(m, w, d, time),
        Rule::J(n, _) => Rule::J(n, time),
        Rule::N(n, _) => Rule::N(n, time),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_rule_new_york() {
        let tz = PosixTz::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        // 2040-07-01T12:00:00Z is summer: EDT -4h.
        let summer = super::super::days_from_civil(2040, 7, 1) * 86400 + 43200;
        assert_eq!(tz.lookup(summer, 0).unwrap(), ("EDT".into(), -4 * 3600));
        let winter = super::super::days_from_civil(2040, 1, 15) * 86400;
        assert_eq!(tz.lookup(winter, 0).unwrap(), ("EST".into(), -5 * 3600));
    }

    #[test]
    fn system_zone_files_load_when_present() {
        if std::fs::metadata("/usr/share/zoneinfo/America/New_York").is_err() {
            println!("no zoneinfo on this system; skipping");
            return;
        }
        let ny = Location::load("America/New_York").unwrap();
        let summer = super::super::days_from_civil(2021, 7, 1) * 86400;
        assert_eq!(ny.lookup(summer), ("EDT".into(), -4 * 3600));
        assert!(Location::load("Nowhere/Land").is_err());
        assert!(Location::load("../etc/passwd").is_err());
    }
}
