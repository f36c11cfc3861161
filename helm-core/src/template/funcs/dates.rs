//! Template functions: Sprig's dates (`now`, `date`, `dateInZone`, `dateModify`, `toDate`,
//! `ago`, `duration`, `durationRound`, `htmlDate`, `unixEpoch`, and their aliases).
//!
//! Go's `time.Time` reaches templates as a struct value: `{{ now }}` prints Go's
//! `Time.String()`, and its methods (`.Unix`, `.Format`, `.Year`, …) can be called. It is a
//! [`Value::Object`] here ([`TimeValue`]). Sprig's functions take `interface{}` and switch on
//! the Go type, so the exact kind matters: `date` accepts `time.Time`, `int`, `int64`
//! (seconds since the epoch) and silently uses *now* for anything else (floats from values
//! files included); `duration` reads only strings and `int64` (a template literal `int` gives
//! `0s`). Those quirks are kept on purpose.
//!
//! Helm 4.1.4 adds no date functions of its own beyond Sprig v3.3.0's.

use super::{FuncError, FuncResult, FuncTable, Param};
use crate::gocompat::time::{self, duration_string, parse_duration, Location, Time};
use crate::values::{go_type_names, Object, Value};
use std::sync::Arc;

pub fn register(t: &mut FuncTable) {
    t.add("now", &[], None, |_| Ok(time_value(Time::now())));
    t.add("date", &[Param::String, Param::Any], None, date);
    t.add(
        "dateInZone",
        &[Param::String, Param::Any, Param::String],
        None,
        date_in_zone,
    );
    t.add(
        "date_in_zone",
        &[Param::String, Param::Any, Param::String],
        None,
        date_in_zone,
    );
    t.add("htmlDate", &[Param::Any], None, html_date);
    t.add(
        "htmlDateInZone",
        &[Param::Any, Param::String],
        None,
        html_date_in_zone,
    );
    t.add(
        "dateModify",
        &[Param::String, Param::Any],
        None,
        date_modify,
    );
    t.add(
        "date_modify",
        &[Param::String, Param::Any],
        None,
        date_modify,
    );
    t.add(
        "mustDateModify",
        &[Param::String, Param::Any],
        None,
        must_date_modify,
    );
    t.add(
        "must_date_modify",
        &[Param::String, Param::Any],
        None,
        must_date_modify,
    );
    t.add("ago", &[Param::Any], None, ago);
    t.add("duration", &[Param::Any], None, duration);
    t.add("durationRound", &[Param::Any], None, duration_round);
    t.add("toDate", &[Param::String, Param::String], None, to_date);
    t.add(
        "mustToDate",
        &[Param::String, Param::String],
        None,
        must_to_date,
    );
    t.add("unixEpoch", &[Param::Any], None, unix_epoch);
}

/// A Go `time.Time` as a template value.
#[derive(Debug, Clone)]
pub struct TimeValue(pub Time);

/// Wraps a [`Time`] as a template value.
pub fn time_value(t: Time) -> Value {
    Value::Object(Arc::new(TimeValue(t)))
}

/// The `time.Time` inside a value, if it is one.
pub fn as_time(v: &Value) -> Option<&Time> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<TimeValue>().map(|t| &t.0),
        _ => None,
    }
}

/// A Go `time.Duration` (returned by `Time.Sub`): prints as `1h0m0s`, is an int64 underneath.
#[derive(Debug, Clone)]
pub struct DurationValue(pub i64);

impl Object for DurationValue {
    go_type_names!("time.Duration", "int64");
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "String"
                | "Hours"
                | "Minutes"
                | "Seconds"
                | "Milliseconds"
                | "Microseconds"
                | "Nanoseconds"
        )
    }
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        let d = self.0;
        Ok(match name {
            "String" => Value::from(duration_string(d)),
            "Hours" => Value::Float(
                (d / 3_600_000_000_000) as f64 + (d % 3_600_000_000_000) as f64 / 3.6e12,
            ),
            "Minutes" => {
                Value::Float((d / 60_000_000_000) as f64 + (d % 60_000_000_000) as f64 / 6e10)
            }
            "Seconds" => {
                Value::Float((d / 1_000_000_000) as f64 + (d % 1_000_000_000) as f64 / 1e9)
            }
            "Milliseconds" => Value::Int64(d / 1_000_000),
            "Microseconds" => Value::Int64(d / 1_000),
            "Nanoseconds" => Value::Int64(d),
            _ => return Err(format!("can't call method {name}")),
        })
    }
    fn go_string(&self) -> String {
        duration_string(self.0)
    }
    fn to_data(&self) -> Value {
        Value::Int64(self.0)
    }
    fn is_truthy(&self) -> bool {
        self.0 != 0
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

const TIME_METHODS: &[&str] = &[
    "Add",
    "AddDate",
    "After",
    "Before",
    "Day",
    "Equal",
    "Format",
    "Hour",
    "IsZero",
    "Local",
    "Minute",
    "Month",
    "Nanosecond",
    "Second",
    "String",
    "Sub",
    "UTC",
    "Unix",
    "UnixMicro",
    "UnixMilli",
    "UnixNano",
    "Weekday",
    "Year",
    "YearDay",
];

impl Object for TimeValue {
    go_type_names!("time.Time", "struct");
    fn has_method(&self, name: &str) -> bool {
        TIME_METHODS.contains(&name)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let t = &self.0;
        let want = |n: usize| -> Result<(), String> {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    args.len()
                ))
            }
        };
        let other = |i: usize| -> Result<&Time, String> {
            args.get(i).and_then(as_time).ok_or_else(|| {
                format!(
                    "wrong type for value; expected time.Time; got {}",
                    args.get(i).map(Value::go_type_name).unwrap_or_default()
                )
            })
        };
        let int_arg = |i: usize| -> Result<i64, String> {
            match args.get(i) {
                Some(Value::Int(n) | Value::Int64(n)) => Ok(*n),
                Some(Value::Object(o)) => match o.as_any().downcast_ref::<DurationValue>() {
                    Some(d) => Ok(d.0),
                    None => Err(format!(
                        "wrong type for value; expected int64; got {}",
                        o.type_name()
                    )),
                },
                Some(v) => Err(format!(
                    "wrong type for value; expected int64; got {}",
                    v.go_type_name()
                )),
                None => Err(format!("wrong number of args for {name}")),
            }
        };
        let c = || t.civil();
        Ok(match name {
            "Add" => {
                want(1)?;
                time_value(t.add(int_arg(0)?))
            }
            "AddDate" => {
                want(3)?;
                let c = c();
                let (y, m, d) = (int_arg(0)?, int_arg(1)?, int_arg(2)?);
                time_value(gotime_date(
                    c.year.saturating_add(y),
                    c.month.saturating_add(m),
                    c.day.saturating_add(d),
                    c,
                    t,
                ))
            }
            "After" => {
                want(1)?;
                Value::Bool(t.sub(other(0)?) > 0)
            }
            "Before" => {
                want(1)?;
                Value::Bool(t.sub(other(0)?) < 0)
            }
            "Equal" => {
                want(1)?;
                let o = other(0)?;
                Value::Bool(t.unix == o.unix && t.nsec == o.nsec)
            }
            "Sub" => {
                want(1)?;
                Value::Object(Arc::new(DurationValue(t.sub(other(0)?))))
            }
            "Format" => {
                want(1)?;
                match args.first() {
                    Some(Value::String(s)) => Value::from(t.format(s)),
                    Some(v) => {
                        return Err(format!(
                            "wrong type for value; expected string; got {}",
                            v.go_type_name()
                        ))
                    }
                    None => Value::Nil,
                }
            }
            "Day" => Value::Int(c().day),
            "Hour" => Value::Int(c().hour),
            "Minute" => Value::Int(c().minute),
            "Second" => Value::Int(c().second),
            "Nanosecond" => Value::Int(i64::from(t.nsec)),
            "Year" => Value::Int(c().year),
            "YearDay" => Value::Int(c().yday),
            // time.Month / time.Weekday print their names.
            "Month" => Value::from(time::MONTHS[(c().month - 1).clamp(0, 11) as usize]),
            "Weekday" => Value::from(time::DAYS[c().weekday.clamp(0, 6) as usize]),
            "IsZero" => Value::Bool(t.is_zero()),
            "Local" => time_value(t.in_loc(Location::local())),
            "UTC" => time_value(t.in_loc(Location::utc())),
            "String" => Value::from(t.go_string()),
            "Unix" => Value::Int64(t.unix),
            "UnixMilli" => Value::Int64(
                t.unix
                    .wrapping_mul(1000)
                    .wrapping_add(i64::from(t.nsec / 1_000_000)),
            ),
            "UnixMicro" => Value::Int64(
                t.unix
                    .wrapping_mul(1_000_000)
                    .wrapping_add(i64::from(t.nsec / 1000)),
            ),
            "UnixNano" => Value::Int64(
                t.unix
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(i64::from(t.nsec)),
            ),
            _ => return Err(format!("can't call method {name}")),
        })
    }
    fn go_string(&self) -> String {
        self.0.go_string()
    }
    /// `encoding/json` marshals a `time.Time` as an RFC 3339 string with nanoseconds.
    fn to_data(&self) -> Value {
        Value::from(self.0.format("2006-01-02T15:04:05.999999999Z07:00"))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `AddDate`: Go's `Date(year+y, month+m, day+d, hour, min, sec, nsec, loc)`.
fn gotime_date(y: i64, m: i64, d: i64, c: time::Civil, t: &Time) -> Time {
    time::date(
        y,
        m,
        d,
        c.hour,
        c.minute,
        c.second,
        i64::from(t.nsec),
        t.loc.clone(),
    )
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// Sprig's `dateInZone` type switch: time.Time, int64, int (unix seconds); otherwise now.
fn date_value(v: Option<&Value>) -> Time {
    match v {
        Some(Value::Int(n) | Value::Int64(n)) => Time::from_unix(*n, 0, Location::local()),
        Some(v) => as_time(v).cloned().unwrap_or_else(Time::now),
        None => Time::now(),
    }
}

/// Go's `time.LoadLocation(zone)` falling back to UTC, as Sprig does.
fn zone_or_utc(zone: &str) -> Arc<Location> {
    Location::load(zone).unwrap_or_else(|_| Location::utc())
}

fn format_in_zone(layout: &str, v: Option<&Value>, zone: &str) -> Value {
    let t = date_value(v).in_loc(zone_or_utc(zone));
    Value::from(t.format(layout))
}

fn date(args: &[Value]) -> FuncResult {
    Ok(format_in_zone(str_arg(args, 0), args.get(1), "Local"))
}

fn date_in_zone(args: &[Value]) -> FuncResult {
    Ok(format_in_zone(
        str_arg(args, 0),
        args.get(1),
        str_arg(args, 2),
    ))
}

fn html_date(args: &[Value]) -> FuncResult {
    Ok(format_in_zone("2006-01-02", args.first(), "Local"))
}

fn html_date_in_zone(args: &[Value]) -> FuncResult {
    Ok(format_in_zone("2006-01-02", args.first(), str_arg(args, 1)))
}

/// A `time.Time` parameter: anything else is the executor's type error in Go.
fn time_param(args: &[Value], i: usize) -> Result<&Time, FuncError> {
    match args.get(i) {
        Some(v) => as_time(v).ok_or_else(|| {
            // A nil here is a missing map value: Go reports its static type, interface {}.
            FuncError::new(match v {
                Value::Nil => {
                    "wrong type for value; expected time.Time; got interface {}".to_string()
                }
                other => format!(
                    "wrong type for value; expected time.Time; got {}",
                    other.go_type_name()
                ),
            })
        }),
        None => Err(FuncError::new("invalid value; expected time.Time")),
    }
}

fn date_modify(args: &[Value]) -> FuncResult {
    let t = time_param(args, 1)?;
    Ok(match parse_duration(str_arg(args, 0)) {
        Ok(d) => time_value(t.add(d)),
        Err(_) => time_value(t.clone()),
    })
}

fn must_date_modify(args: &[Value]) -> FuncResult {
    let t = time_param(args, 1)?;
    match parse_duration(str_arg(args, 0)) {
        Ok(d) => Ok(time_value(t.add(d))),
        Err(e) => Err(FuncError::new(e)),
    }
}

fn ago(args: &[Value]) -> FuncResult {
    let t = match args.first() {
        Some(Value::Int(n) | Value::Int64(n)) => Time::from_unix(*n, 0, Location::local()),
        Some(v) => as_time(v).cloned().unwrap_or_else(Time::now),
        None => Time::now(),
    };
    let since = Time::now().sub(&t);
    Ok(Value::from(duration_string(time::duration_round(
        since,
        1_000_000_000,
    ))))
}

/// Go's `strconv.ParseInt(s, 10, 64)` value (out-of-range saturates, syntax errors give 0).
fn parse_int_base10(s: &str) -> i64 {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let mut v: i128 = 0;
    for c in digits.bytes() {
        v = (v * 10 + i128::from(c - b'0')).min(i128::from(i64::MAX) + 1);
    }
    if neg {
        v = -v;
    }
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn duration(args: &[Value]) -> FuncResult {
    let n = match args.first() {
        Some(Value::String(s)) => parse_int_base10(s),
        Some(Value::Int64(n)) => *n,
        _ => 0,
    };
    Ok(Value::from(duration_string(n.wrapping_mul(1_000_000_000))))
}

fn duration_round(args: &[Value]) -> FuncResult {
    let d: i64 = match args.first() {
        Some(Value::String(s)) => parse_duration(s).unwrap_or(0),
        Some(Value::Int64(n)) => *n,
        Some(v) => as_time(v).map(|t| Time::now().sub(t)).unwrap_or(0),
        None => 0,
    };
    let u = d.unsigned_abs();
    const HOUR: u64 = 3_600_000_000_000;
    let (year, month, day, minute, second) = (
        HOUR * 24 * 365,
        HOUR * 24 * 30,
        HOUR * 24,
        60_000_000_000u64,
        1_000_000_000u64,
    );
    let s = if u > year {
        format!("{}y", u / year)
    } else if u > month {
        format!("{}mo", u / month)
    } else if u > day {
        format!("{}d", u / day)
    } else if u > HOUR {
        format!("{}h", u / HOUR)
    } else if u > minute {
        format!("{}m", u / minute)
    } else if u > second {
        format!("{}s", u / second)
    } else {
        "0s".to_string()
    };
    Ok(Value::from(s))
}

fn to_date(args: &[Value]) -> FuncResult {
    Ok(time_value(
        time::parse_in_location(str_arg(args, 0), str_arg(args, 1), Location::local())
            .unwrap_or_else(|_| Time::zero()),
    ))
}

fn must_to_date(args: &[Value]) -> FuncResult {
    time::parse_in_location(str_arg(args, 0), str_arg(args, 1), Location::local())
        .map(time_value)
        .map_err(FuncError::new)
}

fn unix_epoch(args: &[Value]) -> FuncResult {
    Ok(Value::from(time_param(args, 0)?.unix.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: FuncResult) -> String {
        match v.unwrap() {
            Value::String(s) => s.to_string(),
            Value::Object(o) => o.go_string(),
            other => panic!("unexpected {other:?}"),
        }
    }
    fn st(x: &str) -> Value {
        Value::str(x)
    }
    fn parse(layout: &str, v: &str) -> Result<Time, String> {
        time::parse_in_location(layout, v, Location::utc())
    }

    #[test]
    fn conformance_targeted_vectors() {
        // v0634 / v0635 (Helm 4.1.4, TZ=UTC).
        assert_eq!(s(date(&[st("2006-01-02"), Value::Int(0)])), "1970-01-01");
        assert_eq!(
            s(date_in_zone(&[
                st("2006-01-02 15:04"),
                Value::Int(0),
                st("UTC")
            ])),
            "1970-01-01 00:00"
        );
        let d = to_date(&[st("2006-01-02"), st("2021-03-04")]).unwrap();
        if Location::local().lookup(0) == ("UTC".to_string(), 0) {
            assert_eq!(s(Ok(d.clone())), "2021-03-04 00:00:00 +0000 UTC");
            assert_eq!(
                s(date_modify(&[st("+1h"), d.clone()])),
                "2021-03-04 01:00:00 +0000 UTC"
            );
            assert_eq!(s(unix_epoch(std::slice::from_ref(&d))), "1614816000");
            assert_eq!(s(date(&[st("Jan 2, 2006"), d.clone()])), "Mar 4, 2021");
            assert_eq!(
                s(date(&[
                    st("02/01/2006"),
                    to_date(&[st("2006-01-02"), st("2017-12-31")]).unwrap()
                ])),
                "31/12/2017"
            );
        }
        assert_eq!(s(duration(&[Value::Int(3661)])), "0s");
        assert_eq!(s(duration(&[Value::Int64(3661)])), "1h1m1s");
        assert_eq!(s(duration(&[st("3661")])), "1h1m1s");
        assert_eq!(s(duration_round(&[st("2h10m5s")])), "2h");
        assert_eq!(s(duration_round(&[Value::Nil])), "0s");
        assert_eq!(s(html_date(&[Value::Int(0)])), "1970-01-01");
        // `ago 0`: time since the epoch, rounded to seconds (13 characters in 2026).
        let since = parse_duration(&s(ago(&[Value::Int(0)]))).unwrap();
        let expect = Time::now().unix * 1_000_000_000;
        assert!((since - expect).abs() <= 2_000_000_000);
        assert_eq!(since % 1_000_000_000, 0);
    }

    #[test]
    fn go_layout_formatting() {
        // Checked against Go 1.26 time.Format.
        let t = time::date(
            2009,
            11,
            10,
            23,
            4,
            5,
            123_456_789,
            Location::fixed("", -7 * 3600 - 1800),
        );
        assert_eq!(
            t.format("Mon Jan _2 15:04:05 MST 2006"),
            "Tue Nov 10 23:04:05 -0730 2009"
        );
        assert_eq!(
            t.format("2006-01-02T15:04:05.999999999Z07:00"),
            "2009-11-10T23:04:05.123456789-07:30"
        );
        assert_eq!(
            t.format("3:4:5 PM pm .000 ,00 .9 002 __2 _2 06 -07 -070000 Z07:00:00"),
            "11:4:5 PM pm .123 ,12 .1 314 314 10 09 -07 -073000 -07:30:00"
        );
        assert_eq!(
            t.format("January Monday 01 02 03 04 05"),
            "November Tuesday 11 10 11 04 05"
        );
        let u = time::date(2021, 3, 4, 0, 0, 0, 0, Location::utc());
        assert_eq!(u.format(time_rfc3339()), "2021-03-04T00:00:00Z");
        assert_eq!(u.format("Z0700 .999"), "Z ");
        assert_eq!(u.format("Janet Mond"), "Janet Mond");
        assert_eq!(Time::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
    }

    fn time_rfc3339() -> &'static str {
        "2006-01-02T15:04:05Z07:00"
    }

    #[test]
    fn go_parsing_and_errors() {
        let t = parse(time_rfc3339(), "2021-03-04T05:06:07+02:00").unwrap();
        assert_eq!(t.go_string(), "2021-03-04 05:06:07 +0200 +0200");
        assert_eq!(t.unix, 1614827167);
        let t = parse("2006-01-02 15:04:05", "2021-03-04 05:06:07.25").unwrap();
        assert_eq!(t.go_string(), "2021-03-04 05:06:07.25 +0000 UTC");
        assert_eq!(
            parse("2006-01-02", "2021-13-04").unwrap_err(),
            r#"parsing time "2021-13-04": month out of range"#
        );
        assert_eq!(
            parse("2006-01-02", "2021/03/04").unwrap_err(),
            r#"parsing time "2021/03/04" as "2006-01-02": cannot parse "/03/04" as "-""#
        );
        assert_eq!(
            parse("2006-01-02", "2021-02-30").unwrap_err(),
            r#"parsing time "2021-02-30": day out of range"#
        );
        assert_eq!(
            parse("2006-01-02", "2021-02-03x").unwrap_err(),
            r#"parsing time "2021-02-03x": extra text: "x""#
        );
        assert_eq!(
            parse("Jan _2 3PM", "feb  3 4PM").unwrap().go_string(),
            "0000-02-03 16:00:00 +0000 UTC"
        );
        assert_eq!(
            must_to_date(&[st("2006-01-02"), st("nope")]).unwrap_err().0,
            r#"parsing time "nope" as "2006-01-02": cannot parse "nope" as "2006""#
        );
        assert_eq!(
            s(to_date(&[st("2006-01-02"), st("nope")])),
            "0001-01-01 00:00:00 +0000 UTC"
        );
    }

    #[test]
    fn durations_match_go() {
        for (d, want) in [
            (0i64, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (3_500_000_000, "3.5s"),
            (3_723_000_000_000, "1h2m3s"),
            (-90_000_000_000, "-1m30s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ] {
            assert_eq!(duration_string(d), want);
        }
        assert_eq!(parse_duration("1h2m3.5s").unwrap(), 3_723_500_000_000);
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_duration("1µs").unwrap(), 1000);
        assert_eq!(
            parse_duration("1f").unwrap_err(),
            r#"time: unknown unit "f" in duration "1f""#
        );
        assert_eq!(
            parse_duration("1").unwrap_err(),
            r#"time: missing unit in duration "1""#
        );
        assert_eq!(
            parse_duration("").unwrap_err(),
            r#"time: invalid duration """#
        );
        assert_eq!(
            parse_duration("9999999999h").unwrap_err(),
            r#"time: invalid duration "9999999999h""#
        );
        assert_eq!(
            time::duration_round(1_499_999_999, 1_000_000_000),
            1_000_000_000
        );
        assert_eq!(
            time::duration_round(1_500_000_000, 1_000_000_000),
            2_000_000_000
        );
        assert_eq!(
            time::duration_round(-1_500_000_000, 1_000_000_000),
            -2_000_000_000
        );
        // Go saturates on overflow.
        assert_eq!(time::duration_round(i64::MAX, 1_000_000_000), i64::MAX);
        assert_eq!(time::duration_round(i64::MIN + 1, 3), i64::MIN + 2);
        assert_eq!(
            duration_string(time::duration_round(i64::MIN, 1_000_000_000)),
            "-2562047h47m16.854775808s"
        );
    }

    #[test]
    fn time_param_errors_and_must_date_modify() {
        assert_eq!(
            must_date_modify(&[st("1f"), time_value(Time::zero())])
                .unwrap_err()
                .0,
            r#"time: unknown unit "f" in duration "1f""#
        );
        // Conformance v0329: `unixEpoch .Time` with .Time missing.
        assert_eq!(
            unix_epoch(&[Value::Nil]).unwrap_err().0,
            "wrong type for value; expected time.Time; got interface {}"
        );
        assert_eq!(
            s(date_modify(&[st("bad"), time_value(Time::zero())])),
            "0001-01-01 00:00:00 +0000 UTC"
        );
    }

    #[test]
    fn absurd_inputs_do_not_panic() {
        let v = time_value(Time::zero());
        let Value::Object(o) = &v else { unreachable!() };
        let _ = o
            .call_method(
                "AddDate",
                &[
                    Value::Int(i64::MAX),
                    Value::Int(i64::MIN),
                    Value::Int(i64::MAX),
                ],
            )
            .unwrap();
        let _ = o.call_method("Add", &[Value::Int64(i64::MIN)]).unwrap();
        let far = Time::from_unix(i64::MAX, 999_999_999, Location::utc());
        let _ = far.format("2006-01-02 15:04:05.000000000 Z07:00 __2 Monday");
        let _ = Time::from_unix(i64::MIN, 0, Location::utc()).go_string();
        let _ = parse(
            "2006-01-02 15:04:05.999 -07:00:00 MST",
            "9999-12-31 23:59:59.999999999999 +99:99:99 GMT+99",
        );
        let _ = parse("__2 002 .000 pm PM", "  1 001 .123 am AM");
        assert_eq!(s(duration(&[Value::Int64(i64::MIN)])), "0s");
    }

    #[test]
    fn now_prints_monotonic_reading() {
        let n = s(Ok(time_value(Time::now())));
        assert!(n.contains(" m=+"), "{n}");
        let v = time_value(Time::now());
        let Value::Object(o) = &v else { unreachable!() };
        assert_eq!(o.type_name(), "time.Time");
        assert!(
            matches!(o.call_method("Unix", &[]).unwrap(), Value::Int64(x) if x > 1_600_000_000)
        );
    }
}

#[cfg(test)]
mod zone_tests {
    use super::*;

    #[test]
    fn named_zones_and_zone_abbreviations_match_go() {
        // Go 1.26 on Debian's zoneinfo.
        if Location::load("America/New_York").is_err() {
            println!("no system zoneinfo; skipping");
            return;
        }
        let ny = Location::load("America/New_York").unwrap();
        assert_eq!(
            Time::from_unix(2224512000, 0, ny.clone()).go_string(),
            "2040-06-28 12:00:00 -0400 EDT"
        );
        assert_eq!(
            Time::from_unix(1625140800, 0, ny.clone()).go_string(),
            "2021-07-01 08:00:00 -0400 EDT"
        );
        assert_eq!(
            gotime_date_for_test(2021, 3, 14, 2, 30, &ny),
            "2021-03-14 01:30:00 -0500 EST"
        );
        assert_eq!(
            gotime_date_for_test(2021, 11, 7, 1, 30, &ny),
            "2021-11-07 01:30:00 -0400 EDT"
        );
        let p = |l: &str, v: &str| {
            time::parse_in_location(l, v, Location::utc())
                .unwrap()
                .go_string()
        };
        if Location::local().lookup(0) == ("UTC".to_string(), 0) {
            assert_eq!(
                p("2006-01-02 MST", "2021-01-02 EST"),
                "2021-01-02 00:00:00 +0000 EST"
            );
            assert_eq!(
                p("2006-01-02 MST", "2021-01-02 GMT+3"),
                "2021-01-02 03:00:00 +0300 GMT+3"
            );
            assert_eq!(
                p("2006-01-02 -0700 MST", "2021-01-02 -0500 EST"),
                "2021-01-02 00:00:00 -0500 EST"
            );
        }
        // Unknown zones fall back to UTC in Sprig's dateInZone.
        assert_eq!(
            date_in_zone(&[
                Value::str("15:04 MST"),
                Value::Int64(0),
                Value::str("Nowhere/Land")
            ])
            .unwrap(),
            Value::str("00:00 UTC")
        );
        assert_eq!(
            date_in_zone(&[
                Value::str("15:04 MST"),
                Value::Int64(0),
                Value::str("America/New_York")
            ])
            .unwrap(),
            Value::str("19:00 EST")
        );
    }

    fn gotime_date_for_test(
        y: i64,
        m: i64,
        d: i64,
        h: i64,
        mi: i64,
        loc: &Arc<Location>,
    ) -> String {
        time::date(y, m, d, h, mi, 0, 0, loc.clone()).go_string()
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsing_and_formatting_never_panic(layout in "[-+ :.,_0-9A-Za-zµ/Z]{0,24}", value in "[-+ :.,_0-9A-Za-zµ]{0,24}", secs in any::<i64>()) {
            let _ = time::parse_in_location(&layout, &value, Location::utc());
            let _ = Time::from_unix(secs, 0, Location::utc()).format(&layout);
            let _ = parse_duration(&value);
        }
    }
}
