//! Masterminds `semver/v3` v3.4.0, the version library Helm 4.1.4 builds with: versions and
//! the constraint language of `semverCompare`, chart dependency ranges and `kubeVersion`.
//!
//! Charts call `semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version` everywhere, so the
//! constraint language is reproduced exactly: the same regular expressions (`rewriteRange` for
//! `1.2 - 1.4`, `||` alternatives, `,`/space conjunctions), the same wildcard "dirty" flags for
//! `x`/`X`/`*`/missing parts, and each operator's own check — including the rule that a
//! prerelease version only satisfies a constraint group that itself names a prerelease.
//! Versions parse leniently (Masterminds' coercing mode: `v` prefix, missing minor/patch,
//! leading zeros).

use super::regexp::{compile, is_go_space};
use super::strconv::go_quote;
use regex::Regex;
use std::cmp::Ordering;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// Versions

/// A parsed semantic version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    pub original: String,
}

#[cfg(test)]
const LOOSE_SEMVER: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

fn go_regex(src: &str) -> Regex {
    // The patterns are constants known to compile; a failure would be a bug caught by tests.
    compile(src).unwrap_or_else(|e| panic!("semver regex {src}: {e}"))
}

/// The groups of Masterminds' loose version pattern `^v?(\d+)(\.\d+)?(\.\d+)?(-PRE)?(\+META)?$`
/// (PRE and META: dot-separated runs of `[0-9A-Za-z-]`), matched by hand: the pattern has no
/// ambiguity to resolve, and compiling it as a regex cost every render ~0.2 ms.
#[derive(Debug, PartialEq)]
struct LooseVersion<'a> {
    major: &'a str,
    /// With its leading dot, or empty.
    minor: &'a str,
    /// With its leading dot, or empty.
    patch: &'a str,
    /// Without its leading dash.
    pre: &'a str,
    /// Without its leading plus.
    metadata: &'a str,
}

impl<'a> LooseVersion<'a> {
    fn scan(v: &'a str) -> Option<LooseVersion<'a>> {
        let b = v.as_bytes();
        let mut i = usize::from(b.first() == Some(&b'v'));
        let digits =
            |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        // Dot-separated non-empty runs of [0-9A-Za-z-], from `from`: the end, if any.
        let idents = |from: usize| -> Option<usize> {
            let mut e = from;
            loop {
                let run = b[e..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
                    .count();
                if run == 0 {
                    return None;
                }
                e += run;
                if b.get(e) == Some(&b'.') {
                    e += 1;
                } else {
                    return Some(e);
                }
            }
        };
        let e = digits(i);
        if e == i {
            return None;
        }
        let major = &v[i..e];
        i = e;
        let mut dotted = [""; 2];
        for part in dotted.iter_mut() {
            if b.get(i) == Some(&b'.') {
                let e = digits(i + 1);
                if e == i + 1 {
                    return None;
                }
                *part = &v[i..e];
                i = e;
            }
        }
        let (mut pre, mut metadata) = ("", "");
        if b.get(i) == Some(&b'-') {
            let e = idents(i + 1)?;
            pre = &v[i + 1..e];
            i = e;
        }
        if b.get(i) == Some(&b'+') {
            let e = idents(i + 1)?;
            metadata = &v[i + 1..e];
            i = e;
        }
        (i == b.len()).then_some(LooseVersion {
            major,
            minor: dotted[0],
            patch: dotted[1],
            pre,
            metadata,
        })
    }
}

const ALLOWED: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

fn parse_segment(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!(
            "error parsing version segment: strconv.ParseUint: parsing {}: value out of range",
            go_quote(s)
        )
    })
}

pub fn validate_prerelease(p: &str) -> Result<(), String> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err("invalid prerelease string".into());
        } else if part.bytes().all(|b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err("version segment starts with 0".into());
            }
        } else if !part.chars().all(|c| ALLOWED.contains(c)) {
            return Err("invalid prerelease string".into());
        }
    }
    Ok(())
}

pub fn validate_metadata(m: &str) -> Result<(), String> {
    for part in m.split('.') {
        if part.is_empty() || !part.chars().all(|c| ALLOWED.contains(c)) {
            return Err("invalid metadata string".into());
        }
    }
    Ok(())
}

impl Version {
    /// `semver.NewVersion` in its default coercing mode.
    pub fn parse(v: &str) -> Result<Version, String> {
        let g = LooseVersion::scan(v).ok_or("invalid semantic version")?;
        let mut out = Version {
            major: parse_segment(g.major)?,
            minor: 0,
            patch: 0,
            pre: g.pre.to_string(),
            metadata: g.metadata.to_string(),
            original: v.to_string(),
        };
        if !g.minor.is_empty() {
            out.minor = parse_segment(g.minor.trim_start_matches('.'))?;
        }
        if !g.patch.is_empty() {
            out.patch = parse_segment(g.patch.trim_start_matches('.'))?;
        }
        if !out.pre.is_empty() {
            validate_prerelease(&out.pre)?;
        }
        if !out.metadata.is_empty() {
            validate_metadata(&out.metadata)?;
        }
        Ok(out)
    }

    /// `Version.Compare`: -1, 0 or 1 by precedence (metadata ignored).
    pub fn compare(&self, o: &Version) -> i64 {
        let ord = (self.major, self.minor, self.patch).cmp(&(o.major, o.minor, o.patch));
        if ord != Ordering::Equal {
            return if ord == Ordering::Less { -1 } else { 1 };
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => -1,
            (false, false) => compare_prerelease(&self.pre, &o.pre),
        }
    }

    pub fn v_prefix(&self) -> &str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    pub fn with_original(mut self, prefix: &str) -> Version {
        self.original = format!("{prefix}{self}");
        self
    }

    /// A pre-release's next patch is its own release (`1.2.3-rc.1` → `1.2.3`).
    pub fn inc_patch(&self) -> Version {
        let patch = if self.pre.is_empty() {
            self.patch.wrapping_add(1)
        } else {
            self.patch
        };
        self.release(self.major, self.minor, patch)
    }

    pub fn inc_minor(&self) -> Version {
        self.release(self.major, self.minor.wrapping_add(1), 0)
    }

    pub fn inc_major(&self) -> Version {
        self.release(self.major.wrapping_add(1), 0, 0)
    }

    /// The release `major.minor.patch` (no pre-release, no metadata), written with this
    /// version's `v` prefix when it had one.
    fn release(&self, major: u64, minor: u64, patch: u64) -> Version {
        let mut n = self.clone();
        n.metadata.clear();
        n.pre.clear();
        (n.major, n.minor, n.patch) = (major, minor, patch);
        n.with_original(self.v_prefix())
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(v: &str, o: &str) -> i64 {
    let sp: Vec<&str> = v.split('.').collect();
    let op: Vec<&str> = o.split('.').collect();
    for i in 0..sp.len().max(op.len()) {
        let d = compare_pre_part(
            sp.get(i).copied().unwrap_or(""),
            op.get(i).copied().unwrap_or(""),
        );
        if d != 0 {
            return d;
        }
    }
    0
}

fn compare_pre_part(s: &str, o: &str) -> i64 {
    if s == o {
        return 0;
    }
    if s.is_empty() {
        return -1;
    }
    if o.is_empty() {
        return 1;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                1
            } else {
                -1
            }
        }
        (Ok(_), Err(_)) => -1,
        (Err(_), Ok(_)) => 1,
        (Ok(si), Ok(oi)) => {
            if si > oi {
                1
            } else {
                -1
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Constraints

const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

static CONSTRAINT: LazyLock<Regex> =
    LazyLock::new(|| go_regex(&format!(r"^\s*({OPS})\s*({CV})\s*$")));
static CONSTRAINT_RANGE: LazyLock<Regex> =
    LazyLock::new(|| go_regex(&format!(r"\s*({CV})\s+-\s+({CV})\s*")));
static FIND_CONSTRAINT: LazyLock<Regex> = LazyLock::new(|| go_regex(&format!(r"({OPS})\s*({CV})")));
static VALID_CONSTRAINT: LazyLock<Regex> = LazyLock::new(|| {
    go_regex(&format!(
        r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
    ))
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    /// The operator a constraint's text names (Masterminds' `constraintOps`; none is `=`).
    fn from_text(op: &str) -> Op {
        match op {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            _ => Op::Caret,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Constraint {
    con: Version,
    op: Op,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// A parsed constraint expression: alternatives (`||`) of conjunctions.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraints {
    groups: Vec<(Vec<Constraint>, bool)>,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "*" | "X")
}

/// Masterminds' `rewriteRange`: `A - B` becomes `>= A, <= B `.
fn rewrite_range(i: &str) -> String {
    let mut o = i.to_string();
    for m in CONSTRAINT_RANGE.captures_iter(i) {
        let g = |k: usize| m.get(k).map(|x| x.as_str()).unwrap_or("");
        let t = format!(">= {}, <= {} ", g(1), g(11));
        o = o.replacen(g(0), &t, 1);
    }
    o
}

fn parse_constraint(c: &str) -> Result<Constraint, String> {
    let m = CONSTRAINT
        .captures(c)
        .ok_or_else(|| format!("improper constraint: {c}"))?;
    let g = |k: usize| m.get(k).map(|x| x.as_str()).unwrap_or("");
    let op = Op::from_text(g(1));
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let mut ver = g(2).to_string();
    if is_x(g(3)) || g(3).is_empty() {
        ver = format!("0.0.0{}", g(6));
        dirty = true;
    } else if is_x(g(4).trim_start_matches('.')) || g(4).is_empty() {
        minor_dirty = true;
        dirty = true;
        ver = format!("{}.0.0{}", g(3), g(6));
    } else if is_x(g(5).trim_start_matches('.')) || g(5).is_empty() {
        dirty = true;
        patch_dirty = true;
        ver = format!("{}{}.0{}", g(3), g(4), g(6));
    }
    let con = Version::parse(&ver).map_err(|_| "constraint parser error".to_string())?;
    Ok(Constraint {
        con,
        op,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

/// A single `OP VERSION` constraint with a plain version (digits, optional prerelease, no
/// wildcards, build metadata, ranges or alternatives): what charts pass to `semverCompare`
/// (`>=1.21-0`, `< 1.19.0`). `None` sends the text to the regex path, which handles the rest
/// and every error; for texts accepted here both paths agree (tested). It exists because the
/// four constraint patterns took ~1 ms to compile, paid by every render that compares versions.
fn simple_constraint(text: &str) -> Option<Constraint> {
    let b = text.as_bytes();
    if b.iter().any(|&c| c == b'|' || c == b',') {
        return None;
    }
    // `A - B` ranges need a dash next to whitespace; refuse any such dash.
    if b.windows(2)
        .any(|w| (w[0] == b'-' && is_go_space(w[1])) || (is_go_space(w[0]) && w[1] == b'-'))
    {
        return None;
    }
    let trimmed = text.trim_matches(|c: char| c.is_ascii() && is_go_space(c as u8));
    let ops = ["!=", ">=", "=>", "<=", "=<", "~>", ">", "<", "=", "~", "^"];
    let op_text = ops
        .iter()
        .find(|o| trimmed.starts_with(*o))
        .copied()
        .unwrap_or("");
    let rest =
        trimmed[op_text.len()..].trim_start_matches(|c: char| c.is_ascii() && is_go_space(c as u8));
    let g = LooseVersion::scan(rest)?;
    if !g.metadata.is_empty() {
        return None;
    }
    let op = Op::from_text(op_text);
    let dash_pre = if g.pre.is_empty() {
        String::new()
    } else {
        format!("-{}", g.pre)
    };
    let (minor_dirty, patch_dirty, ver) = if g.minor.is_empty() {
        (true, false, format!("{}.0.0{dash_pre}", g.major))
    } else if g.patch.is_empty() {
        (false, true, format!("{}{}.0{dash_pre}", g.major, g.minor))
    } else {
        (false, false, rest.to_string())
    };
    let con = Version::parse(&ver).ok()?;
    Some(Constraint {
        con,
        op,
        minor_dirty,
        patch_dirty,
        dirty: minor_dirty || patch_dirty,
    })
}

impl Constraints {
    /// `semver.NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, String> {
        if let Some(one) = simple_constraint(c) {
            let has_pre = !one.con.pre.is_empty();
            return Ok(Constraints {
                groups: vec![(vec![one], has_pre)],
            });
        }
        Self::parse_with_patterns(c)
    }

    /// `semver.NewConstraint` with Masterminds' regular expressions, for every form.
    fn parse_with_patterns(c: &str) -> Result<Constraints, String> {
        let c = rewrite_range(c);
        let mut groups = Vec::new();
        for v in c.split("||") {
            if !VALID_CONSTRAINT.is_match(v) {
                return Err(format!("improper constraint: {v}"));
            }
            let mut found: Vec<&str> = FIND_CONSTRAINT.find_iter(v).map(|m| m.as_str()).collect();
            if found.is_empty() {
                found.push(v);
            }
            let mut has_pre = false;
            let mut group = Vec::with_capacity(found.len());
            for s in found {
                let pc = parse_constraint(s)?;
                if !pc.con.pre.is_empty() {
                    has_pre = true;
                }
                group.push(pc);
            }
            groups.push((group, has_pre));
        }
        Ok(Constraints { groups })
    }

    /// `Constraints.Check`: some alternative whose every constraint holds.
    pub fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .any(|(group, has_pre)| group.iter().all(|c| c.check(v, *has_pre)))
    }
}

impl Constraint {
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != 0;
                        }
                        return false;
                    }
                }
                v.compare(c) != 0
            }
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == 1;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == 1
                }
            }
            Op::Less => v.compare(c) < 0,
            Op::GreaterEqual => v.compare(c) >= 0,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) <= 0;
                }
                !(v.major > c.major || v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::Tilde => self.tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == 0
                }
            }
            Op::Caret => {
                if v.compare(c) < 0 {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) < 0 {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts over the characters that matter to versions and constraints.
    fn generated(count: usize, alphabet: &[&str], max_len: u64) -> Vec<String> {
        crate::testgen::texts(0x2545F4914F6CDD1D, count, alphabet, max_len)
    }

    #[test]
    fn loose_version_scan_matches_masterminds_pattern() {
        let re = go_regex(&format!("^{LOOSE_SEMVER}$"));
        let alphabet = [
            "v", "1", "0", "12", ".", ".", "-", "+", "a", "x", " ", "é", "-rc", "+b",
        ];
        let mut texts = generated(30_000, &alphabet, 10);
        texts.extend(
            [
                "1.2.3",
                "v1.2.3-rc.1+build.5",
                "1",
                "1.2",
                "01.2.3",
                "1.2.3.4",
                "1.2.3-",
                "1.2.3-a..b",
                "",
            ]
            .map(String::from),
        );
        for t in texts {
            let expect = re.captures(&t).map(|m| {
                let g = |i: usize| m.get(i).map(|x| x.as_str()).unwrap_or("");
                (g(1), g(2), g(3), g(5), g(8))
            });
            let got =
                LooseVersion::scan(&t).map(|g| (g.major, g.minor, g.patch, g.pre, g.metadata));
            assert_eq!(got, expect, "{t:?}");
        }
    }

    #[test]
    fn simple_constraints_parse_as_the_patterns_do() {
        let alphabet = [
            ">", "<", "=", "!", "~", "^", "v", "1", "0", "19", ".", "-", "-0", "+", "x", "*", " ",
            "\t", "|", ",", "a",
        ];
        let mut texts = generated(40_000, &alphabet, 9);
        texts.extend(
            [
                ">=1.21-0",
                "<1.19-0",
                ">= 1.19.x",
                "~1.2",
                "^2",
                "=> 1.2.3",
                "=<1",
                "~>1.2-beta.1",
                " >1.2.3 ",
                "1.2 - 1.4",
                "v1.2",
                ">=1.2,<2",
            ]
            .map(String::from),
        );
        let mut simple = 0;
        for t in texts {
            if let Some(one) = simple_constraint(&t) {
                simple += 1;
                let has_pre = !one.con.pre.is_empty();
                let fast = Constraints {
                    groups: vec![(vec![one], has_pre)],
                };
                assert_eq!(Ok(fast), Constraints::parse_with_patterns(&t), "{t:?}");
            }
        }
        assert!(
            simple > 1000,
            "the generator exercises the fast path ({simple})"
        );
    }
}
