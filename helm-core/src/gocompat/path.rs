//! Go's `path` package: lexical operations on slash-separated paths.
//!
//! Sprig's path functions, the entry names of chart archives and repository URLs all follow
//! Go's rules here (`..` at the root stays at the root, an empty path is `.`), so one port
//! serves them all. Helm runs on Linux in practice, where `path/filepath` behaves the same.

/// Go's `path.Clean`: the shortest equivalent path by lexical processing.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // Number of leading ".." kept in a relative path (cannot be backtracked over).
    let mut dotdot = 0usize;
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.len() > dotdot {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    dotdot += 1;
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// Go's `path.Base`: the last element, trailing slashes removed.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
pub fn dir(p: &str) -> String {
    let cut = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..cut])
}

/// Go's `path.Ext`: the suffix from the last dot in the last element.
pub fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return &p[i..];
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_semantics() {
        // Expected values from Go's path package.
        let cases: &[(fn(&str) -> String, &str, &str)] = &[
            (clean, "a//b/./c/../d/", "a/b/d"),
            (clean, "/../a", "/a"),
            (clean, "../../a/..", "../.."),
            (clean, "a/../b", "b"),
            (clean, "../x", "../x"),
            (clean, "a/./b/", "a/b"),
            (clean, "", "."),
            (clean, "a/..", "."),
            (clean, "/a/../..", "/"),
            (base, "/a/b/", "b"),
            (base, "///", "/"),
            (base, "", "."),
            (dir, "foo/bar/baz", "foo/bar"),
            (dir, "baz", "."),
            (dir, "/baz", "/"),
            (|p| ext(p).to_string(), "a/b.tar.gz", ".gz"),
            (|p| ext(p).to_string(), "charts/a.tgz", ".tgz"),
            (|p| ext(p).to_string(), "a.b/c", ""),
        ];
        for (f, input, want) in cases {
            assert_eq!(f(input), *want, "{input:?}");
        }
    }
}
