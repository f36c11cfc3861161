//! Sprig string functions against outputs recorded from Go (text/template + Sprig v3.3.0).
mod common;
use common::*;
use helm_core::Value;

#[test]
fn string_functions_match_go() {
    let bytes = Value::Bytes(b"hi".to_vec().into());
    let m = helm_core::vmap! { "a" => Value::Int(1), "b" => "x" };
    check(&[
        ("substr", vec![i(0), i(5), s("abc")], "abc"),
        (
            "substr",
            vec![i(4), i(-1), s("abc")],
            "ERR: runtime error: slice bounds out of range [4:3]",
        ),
        (
            "substr",
            vec![i(2), i(1), s("abc")],
            "ERR: runtime error: slice bounds out of range [2:1]",
        ),
        (
            "substr",
            vec![i(-1), i(-1), s("abc")],
            "ERR: runtime error: slice bounds out of range [:-1]",
        ),
        ("substr", vec![i(1), i(3), s("abcdef")], "bc"),
        ("snakecase", vec![s("__")], "__"),
        ("camelcase", vec![s("__")], "___"),
        ("camelcase", vec![s("_")], "__"),
        (
            "camelcase",
            vec![s("http_server-name foo")],
            "HttpServerNameFoo",
        ),
        ("snakecase", vec![s("HTTPServer2Name")], "http_server2_name"),
        ("snakecase", vec![s("FirstName")], "first_name"),
        (
            "kebabcase",
            vec![s("someThing_else V2x")],
            "some-thing-else-v-2x",
        ),
        ("snakecase", vec![s("a1b2")], "a_1b2"),
        ("snakecase", vec![s("ABC123def")], "abc_123def"),
        ("snakecase", vec![s("foo.bar$baz")], "foo.bar_$_baz"),
        ("nospace", vec![s("hé llo")], "hÃ©llo"),
        ("nospace", vec![s("héllo")], "héllo"),
        ("initials", vec![s("élan vital")], "Ãv"),
        (
            "title",
            vec![s("hello wORLD foo_bar o'neil 3rd-party")],
            "Hello WORLD Foo_bar O'Neil 3rd-Party",
        ),
        ("swapcase", vec![s("Hello wORLD ǅx")], "hELLO World ǆX"),
        (
            "wrap",
            vec![i(5), s("the quick brown fox jumps")],
            "the\nquick\nbrown\nfox\njumps",
        ),
        (
            "wrapWith",
            vec![i(5), s("<br>"), s("abcdefghijklmnop qr")],
            "abcde<br>fghij<br>klmno<br>p qr",
        ),
        ("abbrev", vec![i(5), s("hello world")], "he..."),
        (
            "abbrevboth",
            vec![i(5), i(10), s("1234 5678 9123")],
            "...5678...",
        ),
        (
            "quote",
            vec![s("a\"b\n"), i(1), Value::Nil, f(2.5), bytes.clone()],
            "\"a\\\"b\\n\" \"1\" \"2.5\" \"hi\"",
        ),
        (
            "squote",
            vec![s("a"), bytes.clone(), Value::Nil],
            "'a' '[104 105]'",
        ),
        (
            "cat",
            vec![s("a"), i(1), Value::Nil, bytes.clone(), m],
            "a 1 [104 105] map[a:1 b:x]",
        ),
        (
            "indent",
            vec![i(-1), s("x")],
            "ERR: strings: negative Repeat count",
        ),
        (
            "repeat",
            vec![i(-1), s("x")],
            "ERR: strings: negative Repeat count",
        ),
        ("trunc", vec![i(-2), s("hello")], "lo"),
        ("trunc", vec![i(2), s("héllo")], "h\u{fffd}"),
        ("split", vec![s(""), s("abc")], "map[_0:a _1:b _2:c]"),
        ("splitn", vec![s(","), i(0), s("a,b")], "map[]"),
        ("splitn", vec![s(""), i(2), s("abc")], "map[_0:a _1:bc]"),
        (
            "quote",
            vec![s("\u{a0}x\u{200b}\x7f")],
            "\"\\u00a0x\\u200b\\x7f\"",
        ),
        ("upper", vec![s("straße")], "STRAßE"),
        ("untitle", vec![s("Hello World")], "hello world"),
        ("replace", vec![s(""), s("-"), s("abc")], "-a-b-c-"),
    ]);
}
