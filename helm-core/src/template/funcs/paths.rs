//! Template functions: slash-separated paths (`base`, `dir`, `clean`, `ext`, `isAbs`) and
//! their `os*` counterparts.
//!
//! Sprig maps the plain names to Go's `path` package and the `os*` names to `path/filepath`;
//! Helm runs on Linux in practice (and the reference output comes from Linux), where the two
//! behave identically, so both use Go's `path` algorithms here.

use super::conversion::str_arg;
use super::{FuncTable, Param};
use crate::values::Value;

pub fn register(t: &mut FuncTable) {
    use Param::String as S;
    for (plain, os) in [("base", "osBase"), ("dir", "osDir"), ("clean", "osClean"), ("ext", "osExt")] {
        t.add(plain, &[S], None, match plain {
            "base" => |a| Ok(Value::from(base(str_arg(a, 0)))),
            "dir" => |a| Ok(Value::from(dir(str_arg(a, 0)))),
            "clean" => |a| Ok(Value::from(clean(str_arg(a, 0)))),
            _ => |a| Ok(Value::str(ext(str_arg(a, 0)))),
        });
        t.add(os, &[S], None, match plain {
            "base" => |a| Ok(Value::from(base(str_arg(a, 0)))),
            "dir" => |a| Ok(Value::from(dir(str_arg(a, 0)))),
            "clean" => |a| Ok(Value::from(clean(str_arg(a, 0)))),
            _ => |a| Ok(Value::str(ext(str_arg(a, 0)))),
        });
    }
    t.add("isAbs", &[S], None, |a| Ok(Value::Bool(str_arg(a, 0).starts_with('/'))));
    t.add("osIsAbs", &[S], None, |a| Ok(Value::Bool(str_arg(a, 0).starts_with('/'))));
}

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
        assert_eq!(clean("a//b/./c/../d/"), "a/b/d");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a/.."), "../..");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("a/.."), ".");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("///"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(dir("foo/bar/baz"), "foo/bar");
        assert_eq!(dir("baz"), ".");
        assert_eq!(dir("/baz"), "/");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
