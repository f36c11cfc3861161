//! `.helmignore`: Helm's own, gitignore-like rules (pkg/ignore), quirks included.
//!
//! Why not a gitignore crate: Helm's rules differ and charts are loaded by them.
//! - A pattern without `/` matches the file's base name anywhere (`docs/` skips `sub/docs` too).
//! - A pattern with `/` matches the whole path with Go's `filepath.Match` (`*` stops at `/`);
//!   a leading `/` anchors it to the chart root (which it is anyway).
//! - A trailing `/` restricts the rule to directories; an ignored directory is skipped whole.
//! - `**` is rejected: `double-star (**) syntax is not supported`.
//! - `!pattern` is evaluated in order like the others but means "ignore everything that does
//!   NOT match" — so `*.txt` then `!keep.txt` ignores Chart.yaml too (Helm 4.1.4 then fails with
//!   `Chart.yaml file is missing`). We reproduce this faithfully.
//! - `templates/.?*` is always added: dot files under `templates/` are never loaded.

use super::ChartError;

/// A parsed `.helmignore`.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug)]
struct Pattern {
    /// The pattern after removing `!`, the trailing `/` and a leading `/`.
    /// The glob as chars, split once: every file of the chart is matched against it.
    glob: Vec<char>,
    negate: bool,
    must_dir: bool,
    kind: MatchKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MatchKind {
    /// No `/` in the pattern: match the base name.
    BaseName,
    /// Match the whole relative path.
    FullPath,
}

impl Rules {
    /// No rules.
    pub fn empty() -> Rules {
        Rules::default()
    }

    /// Parses the text of a `.helmignore` file.
    pub fn parse(text: &str) -> Result<Rules, ChartError> {
        let mut r = Rules::default();
        // Go's bufio.Scanner splits on \n and drops a trailing \r.
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            r.add_rule(line)?;
        }
        Ok(r)
    }

    /// Helm's `AddDefaults`: ignore dot files inside `templates/`.
    pub fn add_defaults(&mut self) {
        // This rule is known to be valid.
        let _ = self.add_rule("templates/.?*");
    }

    fn add_rule(&mut self, rule: &str) -> Result<(), ChartError> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(ChartError::Ignore(
                "double-star (**) syntax is not supported".into(),
            ));
        }
        if glob_match(rule, "abc").is_err() {
            return Err(ChartError::Ignore("syntax error in pattern".into()));
        }
        let (negate, rest) = match rule.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, rule),
        };
        let (must_dir, rest) = match rest.strip_suffix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let (glob, kind) = if let Some(anchored) = rest.strip_prefix('/') {
            (anchored.to_string(), MatchKind::FullPath)
        } else if rest.contains('/') {
            (rest.to_string(), MatchKind::FullPath)
        } else {
            (rest.to_string(), MatchKind::BaseName)
        };
        self.patterns.push(Pattern {
            glob: glob.chars().collect(),
            negate,
            must_dir,
            kind,
        });
        Ok(())
    }

    /// Whether the chart-relative path `path` (`/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        let full: Vec<char> = path.chars().collect();
        let base: Vec<char> = go_path_base(path).chars().collect();
        for p in &self.patterns {
            let subject = match p.kind {
                MatchKind::FullPath => &full,
                MatchKind::BaseName => &base,
            };
            let matched = match_from(&p.glob, subject).unwrap_or(false);
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !matched {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Base` on a `/` path.
fn go_path_base(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { "." } else { "/" };
    }
    match t.rfind('/') {
        Some(i) => &t[i + 1..],
        None => t,
    }
}

/// Go's `filepath.ErrBadPattern`: the pattern is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path/filepath.Match` (Unix): `*` any run of non-`/`, `?` one non-`/` char, `[...]`
/// classes with `^` negation and ranges, `\` escapes.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let pat: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    match_from(&pat, &name)
}

fn match_from(mut pat: &[char], mut name: &[char]) -> Result<bool, BadPattern> {
    'outer: while !pat.is_empty() {
        let (star, chunk, rest) = scan_chunk(pat);
        pat = rest;
        if star && chunk.is_empty() {
            // Trailing * matches the rest unless it contains a separator.
            return Ok(!name.contains(&'/'));
        }
        // Try the chunk at the current position.
        let (t, ok, err) = match_chunk(chunk, name);
        if err {
            return Err(BadPattern);
        }
        if ok && (t.is_empty() || !pat.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != '/' {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if err {
                    return Err(BadPattern);
                }
                if ok {
                    if pat.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        // Before returning false, check the rest of the pattern for syntax errors.
        while !pat.is_empty() {
            let (_, chunk, rest) = scan_chunk(pat);
            pat = rest;
            let (_, _, err) = match_chunk(chunk, &[]);
            if err {
                return Err(BadPattern);
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pat: &[char]) -> (bool, &[char], &[char]) {
    let mut star = false;
    while pat.first() == Some(&'*') {
        pat = &pat[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pat.len() {
        match pat[i] {
            '\\' => {
                if i + 1 < pat.len() {
                    i += 1;
                }
            }
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pat[..i], &pat[i..])
}

/// Returns (rest, matched, bad_pattern).
fn match_chunk<'a>(mut chunk: &[char], mut s: &'a [char]) -> (&'a [char], bool, bool) {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            '[' => {
                let r = if failed { '\0' } else { s[0] };
                if !failed {
                    s = &s[1..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if !chunk.is_empty() && chunk[0] == ']' && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest, bad) = get_esc(chunk);
                    if bad {
                        return (&[], false, true);
                    }
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&'-') {
                        let (h, rest, bad) = get_esc(&chunk[1..]);
                        if bad {
                            return (&[], false, true);
                        }
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if s[0] == '/' {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            '\\' => {
                chunk = &chunk[1..];
                if chunk.is_empty() {
                    return (&[], false, true);
                }
                if !failed {
                    if chunk[0] != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            c => {
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        return (&[], false, false);
    }
    (s, true, false)
}

fn get_esc(chunk: &[char]) -> (char, &[char], bool) {
    if chunk.is_empty() || chunk[0] == '-' || chunk[0] == ']' {
        return ('\0', chunk, true);
    }
    let mut chunk = chunk;
    if chunk[0] == '\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return ('\0', chunk, true);
        }
    }
    let r = chunk[0];
    chunk = &chunk[1..];
    if chunk.is_empty() {
        return ('\0', chunk, true);
    }
    (r, chunk, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_filepath_match() {
        assert_eq!(glob_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(glob_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(glob_match("a?c", "abc"), Ok(true));
        assert_eq!(glob_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(glob_match("[^a-c]x", "bx"), Ok(false));
        assert_eq!(glob_match("sub/*/e.md", "sub/docs/e.md"), Ok(true));
        assert_eq!(glob_match("templates/.?*", "templates/.dot.yaml"), Ok(true));
        assert_eq!(glob_match("templates/.?*", "templates/."), Ok(false));
        assert!(glob_match("[", "abc").is_err());
        assert!(glob_match("a\\", "abc").is_err());
        assert_eq!(glob_match("*", ""), Ok(true));
    }

    #[test]
    fn helm_rules() {
        // Behaviour checked against Helm 4.1.4 with a chart and `.Files`.
        let mut r = Rules::parse("docs/\n*.tgz\n/other.md\n").unwrap();
        r.add_defaults();
        assert!(r.ignore("docs", true));
        assert!(r.ignore("sub/docs", true));
        assert!(!r.ignore("docs", false));
        assert!(r.ignore("x.tgz", false));
        assert!(r.ignore("other.md", false));
        assert!(!r.ignore("a/other.md", false));
        assert!(r.ignore("templates/.hidden", true));
        assert!(!r.ignore("Chart.yaml", false));

        let neg = Rules::parse("*.txt\n!keep.txt\n").unwrap();
        assert!(neg.ignore("Chart.yaml", false));
        // The first rule already ignores keep.txt: rules are not "last match wins".
        assert!(neg.ignore("keep.txt", false));

        assert!(Rules::parse("a/**/b").is_err());
    }
}
