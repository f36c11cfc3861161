//! Sprig regex functions against outputs recorded from Go (regexp, Sprig v3.3.0).
mod sprig1_support;
use sprig1_support::*;

#[test]
fn regex_functions_match_go() {
    check(&[
        ("regexMatch", vec![s(r"^[a-z]+\d$"), s("abc1")], "true"),
        ("regexMatch", vec![s("("), s("x")], "false"),
        ("regexFindAll", vec![s("a*"), s("baaab"), i(-1)], "[ aaa ]"),
        ("regexFindAll", vec![s("[0-9]+"), s("a1b22c333"), i(2)], "[1 22]"),
        ("regexFindAll", vec![s("x"), s("y"), i(0)], "[]"),
        ("regexFind", vec![s("b+"), s("abbbc")], "bbb"),
        ("regexReplaceAll", vec![s("a(x*)b"), s("-ab-axxb-"), s("${1}W")], "-W-xxW-"),
        ("regexReplaceAll", vec![s("a(x*)b"), s("-ab-axxb-"), s("$1W")], "---"),
        ("regexReplaceAllLiteral", vec![s("a(x*)b"), s("-ab-axxb-"), s("${1}")], "-${1}-${1}-"),
        ("regexReplaceAll", vec![s("(?P<n>x+)"), s("axxb"), s("<$n>")], "a<xx>b"),
        ("regexReplaceAll", vec![s("x"), s("axb"), s("$")], "a$b"),
        ("regexReplaceAll", vec![s("x"), s("axb"), s("$$")], "a$b"),
        ("regexSplit", vec![s("a"), s("banana"), i(-1)], "[b n n ]"),
        ("regexSplit", vec![s("a"), s("banana"), i(2)], "[b nana]"),
        ("regexSplit", vec![s(""), s("abc"), i(-1)], "[a b c]"),
        ("regexSplit", vec![s("x*"), s("axbxc"), i(-1)], "[a b c]"),
        ("regexSplit", vec![s("a"), s(""), i(-1)], "[]"),
        ("regexSplit", vec![s("a"), s("a"), i(-1)], "[ ]"),
        ("regexSplit", vec![s("z+"), s("azzbz"), i(0)], "[]"),
        ("regexQuoteMeta", vec![s("1.2.3 a-b #x&y")], r"1\.2\.3 a-b #x&y"),
        ("regexFind", vec![s("("), s("x")], "ERR: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"),
        ("mustRegexFind", vec![s("("), s("x")], "ERR: error parsing regexp: missing closing ): `(`"),
        ("mustRegexMatch", vec![s("[a"), s("x")], "ERR: error parsing regexp: missing closing ]: `[a`"),
        ("regexMatch", vec![s(r"\bfoo\b"), s("a foo b")], "true"),
    ]);
    check(&[
        ("mustRegexMatch", vec![s("a**"), s("x")], "ERR: error parsing regexp: invalid nested repetition operator: `**`"),
        ("regexFind", vec![s("a{"), s("xa{")], "a{"),
        ("regexFind", vec![s("a{2}"), s("aaa")], "aa"),
        ("regexFind", vec![s("a*?b"), s("aab")], "aab"),
    ]);
}
