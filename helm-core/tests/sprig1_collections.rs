//! Sprig list, dict, default and reflection functions against outputs recorded from Go
//! (text/template + Sprig v3.3.0, mergo v1.0.1).
mod common;
use common::*;
use helm_core::{vmap, Value};

fn d(pairs: Vec<(&str, Value)>) -> Value {
    let m = helm_core::Map::new();
    for (k, v) in pairs {
        m.insert(k, v);
    }
    Value::Map(m)
}

#[test]
fn list_functions_match_go() {
    let nil = Value::Nil;
    let bytes = Value::Bytes(b"hi".to_vec().into());
    let ints = l(vec![i(3), i(1), i(2)]);
    let strs_ba = strs(&["b", "a"]);
    let nd = "ERR: runtime error: invalid memory address or nil pointer dereference";
    check(&[
        ("first", vec![nil.clone()], nd),
        ("mustFirst", vec![nil.clone()], nd),
        (
            "first",
            vec![s("abc")],
            "ERR: Cannot find first on type string",
        ),
        ("first", vec![bytes.clone()], "104"),
        (
            "first",
            vec![vmap! {"a" => 1.0}],
            "ERR: Cannot find first on type map",
        ),
        ("rest", vec![l(vec![])], "[]"),
        ("rest", vec![nil.clone()], nd),
        ("initial", vec![l(vec![i(1), i(2), i(3)])], "[1 2]"),
        ("last", vec![ints.clone()], "2"),
        ("slice", vec![l(vec![i(1), i(2), i(3)]), i(1)], "[2 3]"),
        (
            "slice",
            vec![l(vec![i(1), i(2), i(3)]), i(2), i(1)],
            "ERR: reflect.Value.Slice: slice index out of bounds",
        ),
        (
            "slice",
            vec![l(vec![i(1), i(2), i(3)]), i(1), i(5)],
            "ERR: reflect.Value.Slice: slice index out of bounds",
        ),
        ("slice", vec![l(vec![]), i(1), i(5)], "<nil>"),
        (
            "slice",
            vec![s("abc"), i(1)],
            "ERR: list should be type of slice or array but string",
        ),
        (
            "chunk",
            vec![i(0), l(vec![i(1), i(2), i(3)])],
            "ERR: runtime error: makeslice: len out of range",
        ),
        (
            "chunk",
            vec![i(2), l(vec![i(1), i(2), i(3)])],
            "[[1 2] [3]]",
        ),
        ("chunk", vec![i(2), l(vec![])], "[]"),
        (
            "chunk",
            vec![i(-1), l(vec![i(1), i(2), i(3)])],
            "ERR: runtime error: makeslice: len out of range",
        ),
        (
            "concat",
            vec![l(vec![i(1)]), strs_ba.clone(), ints.clone()],
            "[1 b a 3 1 2]",
        ),
        (
            "concat",
            vec![l(vec![i(1)]), s("a")],
            "ERR: Cannot concat type string as list",
        ),
        ("concat", vec![], "[]"),
        ("has", vec![i(1), nil.clone()], "false"),
        (
            "has",
            vec![i(1), s("abc")],
            "ERR: Cannot find has on type string",
        ),
        ("has", vec![i(1), l(vec![i(1), i(2)])], "true"),
        ("has", vec![f(1.0), l(vec![i(1), i(2)])], "false"),
        (
            "uniq",
            vec![l(vec![
                i(1),
                i(1),
                s("a"),
                s("a"),
                f(1.0),
                Value::Int64(7),
                i(7),
            ])],
            "[1 a 1 7 7]",
        ),
        (
            "without",
            vec![l(vec![i(1), i(2), i(3), i(1)]), i(1)],
            "[2 3]",
        ),
        (
            "compact",
            vec![l(vec![
                i(1),
                i(0),
                s(""),
                nil.clone(),
                s("a"),
                l(vec![]),
                Value::Bool(false),
            ])],
            "[1 a]",
        ),
        ("reverse", vec![strs_ba.clone()], "[a b]"),
        ("append", vec![strs_ba.clone(), s("c")], "[b a c]"),
        ("prepend", vec![ints.clone(), i(0)], "[0 3 1 2]"),
        (
            "push",
            vec![s("abc"), i(1)],
            "ERR: Cannot push on type string",
        ),
        ("sortAlpha", vec![s("abc")], "[abc]"),
        ("sortAlpha", vec![ints.clone()], "[1 2 3]"),
        (
            "sortAlpha",
            vec![l(vec![s("b"), nil.clone(), i(3), s("a")])],
            "[3 a b]",
        ),
        ("sortAlpha", vec![nil.clone()], "[<nil>]"),
        ("join", vec![s(","), nil.clone()], ""),
        ("join", vec![s(","), s("abc")], "abc"),
        ("join", vec![s("-"), l(vec![i(1), i(2), i(3)])], "1-2-3"),
        ("toStrings", vec![nil.clone()], "[]"),
        ("toStrings", vec![i(5)], "[5]"),
        ("toStrings", vec![l(vec![i(1), nil.clone(), i(2)])], "[1 2]"),
        ("tuple", vec![i(1), s("a")], "[1 a]"),
        ("until", vec![i(5)], "[0 1 2 3 4]"),
        ("until", vec![i(-3)], "[0 -1 -2]"),
        ("untilStep", vec![i(0), i(10), i(3)], "[0 3 6 9]"),
        ("untilStep", vec![i(10), i(0), i(-3)], "[10 7 4 1]"),
        ("untilStep", vec![i(0), i(10), i(0)], "[]"),
        ("seq", vec![i(5)], "1 2 3 4 5"),
        ("seq", vec![i(-3)], "1 0 -1 -2 -3"),
        ("seq", vec![i(2), i(5)], "2 3 4 5"),
        ("seq", vec![i(5), i(2)], "5 4 3 2"),
        ("seq", vec![i(0), i(2), i(10)], "0 2 4 6 8 10"),
        ("seq", vec![i(10), i(-2), i(0)], "10 8 6 4 2 0"),
        ("seq", vec![i(10), i(2), i(0)], ""),
        ("seq", vec![], ""),
        ("seq", vec![i(1), i(2), i(3), i(4)], ""),
        ("seq", vec![i(0)], "1 0"),
        ("seq", vec![i(1)], "1"),
    ]);
}

#[test]
fn dict_functions_match_go() {
    let nil = Value::Nil;
    check(&[
        ("dict", vec![s("a"), i(1), s("b")], "map[a:1 b:]"),
        (
            "dict",
            vec![i(1), i(2), nil.clone(), i(3)],
            "map[1:2 <nil>:3]",
        ),
        (
            "pluck",
            vec![
                s("a"),
                d(vec![("a", i(1))]),
                d(vec![("b", i(2))]),
                d(vec![("a", i(3))]),
            ],
            "[1 3]",
        ),
        (
            "pick",
            vec![
                d(vec![("a", i(1)), ("b", i(2)), ("c", i(3))]),
                s("a"),
                s("c"),
                s("z"),
            ],
            "map[a:1 c:3]",
        ),
        (
            "omit",
            vec![
                d(vec![("a", i(1)), ("b", i(2)), ("c", i(3))]),
                s("a"),
                s("z"),
            ],
            "map[b:2 c:3]",
        ),
        ("get", vec![d(vec![("c", i(3))]), s("zz")], ""),
        ("get", vec![d(vec![("c", i(3))]), s("c")], "3"),
        ("values", vec![d(vec![("a", i(1))])], "[1]"),
        (
            "dig",
            vec![
                s("a"),
                s("b"),
                s("def"),
                d(vec![("a", d(vec![("b", i(5))]))]),
            ],
            "5",
        ),
        (
            "dig",
            vec![
                s("a"),
                s("c"),
                s("def"),
                d(vec![("a", d(vec![("b", i(5))]))]),
            ],
            "def",
        ),
        (
            "dig",
            vec![s("a"), s("b"), s("def"), d(vec![("a", i(5))])],
            "ERR: interface conversion: interface {} is int, not map[string]interface {}",
        ),
        (
            "dig",
            vec![s("a"), s("def"), nil.clone()],
            "ERR: interface conversion: interface {} is nil, not map[string]interface {}",
        ),
        (
            "dig",
            vec![i(1), s("def"), d(vec![])],
            "ERR: interface conversion: interface {} is int, not string",
        ),
        (
            "dig",
            vec![s("a"), s("def")],
            "ERR: dig needs at least three arguments",
        ),
        (
            "dig",
            vec![s("a"), s("b"), s("def"), d(vec![("a", nil.clone())])],
            "ERR: interface conversion: interface {} is nil, not map[string]interface {}",
        ),
    ]);
    // set/unset mutate the map in place.
    let m = d(vec![("a", i(1))]);
    show("set", &[m.clone(), s("c"), i(3)]);
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&m),
        "map[a:1 c:3]"
    );
    assert_eq!(show("unset", &[m.clone(), s("a")]), "map[c:3]");
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&m),
        "map[c:3]"
    );
    assert_eq!(show("hasKey", &[m.clone(), s("c")]), "true");
    let k = show(
        "sortAlpha",
        &[call(
            "keys",
            &[d(vec![("a", i(1))]), d(vec![("b", i(2)), ("a", i(2))])],
        )
        .unwrap()],
    );
    assert_eq!(k, "[a a b]");
}

#[test]
fn merge_matches_mergo() {
    let nil = Value::Nil;
    let dst = || {
        d(vec![
            ("a", i(1)),
            ("b", s("")),
            ("c", d(vec![("x", i(1))])),
            ("l", l(vec![i(1)])),
            ("z", i(0)),
            ("n", nil.clone()),
            ("s", s("str")),
            ("e", l(vec![])),
            ("em", d(vec![])),
            ("keep", i(1)),
        ])
    };
    let src = || {
        d(vec![
            ("a", i(2)),
            ("b", s("B")),
            ("c", d(vec![("x", i(2)), ("y", i(3))])),
            ("l", l(vec![i(2)])),
            ("z", i(9)),
            ("n", l(vec![i(5)])),
            ("s", d(vec![("q", i(1))])),
            ("e", l(vec![i(7)])),
            ("em", d(vec![("k", i(1))])),
            ("new", nil.clone()),
            ("new2", s("v")),
            ("a0", i(0)),
        ])
    };
    check(&[
        ("merge", vec![dst(), src()], "map[a:1 a0:0 b:B c:map[x:1 y:3] e:[7] em:map[k:1] keep:1 l:[1] n:[5] new2:v s:str z:9]"),
        ("mergeOverwrite", vec![dst(), src()], "map[a:2 a0:0 b:B c:map[x:2 y:3] e:[7] em:map[k:1] keep:1 l:[2] n:[5] new:<nil> new2:v s:map[q:1] z:9]"),
        ("mergeOverwrite", vec![d(vec![("a", i(1)), ("keep", i(2))]), d(vec![("a", i(0)), ("b", nil.clone()), ("keep2", s(""))])], "map[a:0 b:<nil> keep:2 keep2:]"),
        ("merge", vec![d(vec![("s", s("x"))]), d(vec![("s", l(vec![i(1)]))])], "map[s:x]"),
        ("mergeOverwrite", vec![d(vec![("s", s("x"))]), d(vec![("s", l(vec![i(1)]))])], "map[s:[1]]"),
        ("merge", vec![d(vec![]), d(vec![("l", l(vec![i(1)]))])], "map[l:[1]]"),
        ("merge", vec![d(vec![("x", i(1))]), d(vec![("l", l(vec![i(1)]))])], "map[l:[1] x:1]"),
    ]);
    // Nested destination maps are merged in place; the source is untouched.
    let a = d(vec![("x", d(vec![("y", i(1))]))]);
    let b = d(vec![("x", d(vec![("z", i(2))]))]);
    call("merge", &[a.clone(), b.clone()]).unwrap();
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&a),
        "map[x:map[y:1 z:2]]"
    );
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&b),
        "map[x:map[z:2]]"
    );
}

#[test]
fn defaults_and_reflection_match_go() {
    let nil = Value::Nil;
    check(&[
        ("default", vec![s("d")], "d"),
        ("default", vec![s("d"), s("")], "d"),
        ("default", vec![s("d"), i(0)], "d"),
        ("default", vec![s("d"), l(vec![])], "d"),
        ("default", vec![s("d"), s("x"), s("y")], "x"),
        ("default", vec![s("d"), nil.clone()], "d"),
        ("coalesce", vec![i(0), s(""), nil.clone()], "<nil>"),
        ("all", vec![], "true"),
        ("any", vec![], "false"),
        ("all", vec![i(1), s("a")], "true"),
        ("any", vec![i(0), s("")], "false"),
        ("ternary", vec![s("a"), s("b"), Value::Bool(true)], "a"),
        ("empty", vec![d(vec![])], "true"),
        ("empty", vec![f(0.0)], "true"),
        ("typeOf", vec![i(1)], "int"),
        ("typeOf", vec![nil.clone()], "<nil>"),
        ("typeOf", vec![d(vec![])], "map[string]interface {}"),
        ("typeOf", vec![l(vec![])], "[]interface {}"),
        ("kindOf", vec![nil.clone()], "invalid"),
        ("kindOf", vec![d(vec![])], "map"),
        ("kindOf", vec![l(vec![])], "slice"),
        ("typeIsLike", vec![s("int"), i(1)], "true"),
        ("kindIs", vec![s("invalid"), nil.clone()], "true"),
        ("typeIs", vec![s("<nil>"), nil.clone()], "true"),
        ("deepEqual", vec![i(1), i(1)], "true"),
        ("deepEqual", vec![i(1), f(1.0)], "false"),
        (
            "deepEqual",
            vec![l(vec![i(1), i(2)]), l(vec![i(1), i(2)])],
            "true",
        ),
        ("deepEqual", vec![d(vec![]), d(vec![])], "true"),
        ("deepEqual", vec![nil.clone(), nil.clone()], "true"),
        ("deepEqual", vec![l(vec![]), nil.clone()], "false"),
        (
            "deepCopy",
            vec![nil.clone()],
            "ERR: reflect: call of reflect.Value.Type on zero Value",
        ),
    ]);
    // deepCopy gives an independent map.
    let m = d(vec![("x", d(vec![("y", i(1))]))]);
    let c = call("deepCopy", std::slice::from_ref(&m)).unwrap();
    call(
        "set",
        &[c.as_map().unwrap().get("x").unwrap(), s("z"), i(2)],
    )
    .unwrap();
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&m),
        "map[x:map[y:1]]"
    );
}

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Float(f) if f.fract() == 0.0 => serde_json::Value::from(*f as i64),
        Value::Float(f) => serde_json::Value::from(*f),
        Value::String(s) => serde_json::Value::from(s.to_string()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.entries()
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
        other => panic!("unexpected {other:?}"),
    }
}

/// 400 random nested dst/src pairs through `merge` and `mergeOverwrite`, results (and the
/// untouched source) recorded from Go + mergo v1.0.1 (`sprig1_data/merge_go.json`, generated by
/// `sprig1_data/gen_merge_go.go.txt`).
#[test]
fn merge_table_matches_mergo() {
    let rows: Vec<std::collections::HashMap<String, String>> = sprig_rows("merge_go.json");
    assert_eq!(rows.len(), 400);
    assert_rows(&rows, |r, bad| {
        for f in ["merge", "mergeOverwrite"] {
            let dst = value_from_json(&serde_json::from_str(&r["dst"]).unwrap());
            let src = value_from_json(&serde_json::from_str(&r["src"]).unwrap());
            let out = call(f, &[dst, src.clone()]).unwrap();
            let got = format!("{}|{}", to_json(&out), to_json(&src));
            if got != r[f] {
                bad.push(format!(
                    "{f} dst={} src={}: got {got} want {}",
                    r["dst"], r["src"], r[f]
                ));
            }
        }
    });
}
