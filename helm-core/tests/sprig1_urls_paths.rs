//! Sprig URL and path functions against outputs recorded from Go (net/url, path).
mod common;
use common::*;
use helm_core::Value;

fn d(pairs: &[(&str, Value)]) -> Value {
    let m = helm_core::Map::new();
    for (k, v) in pairs {
        m.insert(*k, v.clone());
    }
    Value::Map(m)
}

#[test]
fn url_functions_match_go() {
    check_one(
        "urlParse",
        &[
            ("proto://auth@host:80/path?query#fragment", "map[fragment:fragment host:host:80 hostname:host opaque: path:/path query:query scheme:proto userinfo:auth]"),
            ("https://us%40er:p%3Ass@[::1]:8080/a%20b/c?x=1&y=%20#fr%20ag", "map[fragment:fr ag host:[::1]:8080 hostname:::1 opaque: path:/a b/c query:x=1&y=%20 scheme:https userinfo:us%40er:p%3Ass]"),
            ("mailto:joe@example.com", "map[fragment: host: hostname: opaque:joe@example.com path: query: scheme:mailto userinfo:]"),
            ("/relative/path?q", "map[fragment: host: hostname: opaque: path:/relative/path query:q scheme: userinfo:]"),
            ("//host.only/x", "map[fragment: host:host.only hostname:host.only opaque: path:/x query: scheme: userinfo:]"),
            ("HTTP://Example.COM", "map[fragment: host:Example.COM hostname:Example.COM opaque: path: query: scheme:http userinfo:]"),
            ("a:b/c:d", "map[fragment: host: hostname: opaque:b/c:d path: query: scheme:a userinfo:]"),
            ("http://host:port", "ERR: unable to parse url: parse \"http://host:port\": invalid port \":port\" after host"),
            ("http://%zz", "ERR: unable to parse url: parse \"http://%zz\": invalid URL escape \"%zz\""),
            (":foo", "ERR: unable to parse url: parse \":foo\": missing protocol scheme"),
            ("x/y:z", "map[fragment: host: hostname: opaque: path:x/y:z query: scheme: userinfo:]"),
        ],
    );
    check(&[
        ("urlJoin", vec![d(&[("fragment", s("fragment")), ("host", s("host:80")), ("path", s("/path")), ("query", s("query")), ("scheme", s("proto"))])],
            "proto://host:80/path?query#fragment"),
        ("urlJoin", vec![d(&[("host", s("host")), ("path", s("a b/ü?")), ("scheme", s("http")), ("userinfo", s("us@er:pa ss")), ("fragment", s("a b#"))])],
            "ERR: unable to parse userinfo in dict: parse \"proto://us@er:pa ss@host\": net/url: invalid userinfo"),
        ("urlJoin", vec![d(&[("path", s("a:b"))])], "./a:b"),
        ("urlJoin", vec![d(&[("scheme", s("mailto")), ("opaque", s("joe@x.com"))])], "mailto:joe@x.com"),
        ("urlJoin", vec![d(&[])], ""),
        ("urlJoin", vec![d(&[("host", s("h")), ("path", s("p"))])], "//h/p"),
        ("urlJoin", vec![d(&[("host", i(1))])], "ERR: unable to parse host key, must be of type string, but int found"),
        ("urlJoin", vec![d(&[("host", Value::Nil)])], "ERR: runtime error: invalid memory address or nil pointer dereference"),
        ("urlJoin", vec![d(&[("host", s("host")), ("path", s("a b/ü?")), ("scheme", s("http")), ("userinfo", s("user:pa%20ss")), ("fragment", s("a b#"))])],
            "http://user:pa%20ss@host/a%20b/%C3%BC%3F#a%20b%23"),
    ]);
}

#[test]
fn path_functions_match_go() {
    check_unary(&[
        ("dir", "foo/bar/baz", "foo/bar"),
        ("isAbs", "/foo", "true"),
        ("base", "foo/bar/baz", "baz"),
        ("clean", "foo/../../bar//x/.", "../bar/x"),
        ("ext", "/foo/bar/baz.txt", ".txt"),
        ("osBase", "/a/b/", "b"),
        ("osDir", "/a", "/"),
        ("osClean", "", "."),
        ("osExt", "x.tar.gz", ".gz"),
        ("osIsAbs", "a", "false"),
    ]);
}
