//! `--set` family parsing, checked against Helm 4.1.4: each expected text is what
//! `helm template r CHART --set ...` printed for a chart whose only template is
//! `{{ toYaml .Values }}` (a chart without defaults, so the values are the parsed flags).

use helm_core::strvals::{
    parse_set, parse_set_file, parse_set_json, parse_set_literal, parse_set_string, StrvalsError,
};
use helm_core::values::{yaml, Value};

fn render(f: fn(&str, &mut Value) -> Result<(), StrvalsError>, s: &str) -> String {
    let mut v = Value::empty_map();
    f(s, &mut v).unwrap_or_else(|e| panic!("{s}: {e}"));
    yaml::to_string(&v).unwrap()
}

fn set_err(s: &str) -> String {
    let mut v = Value::empty_map();
    parse_set(s, &mut v).unwrap_err().to_string()
}

#[test]
fn set_values_like_helm() {
    let cases: &[(&str, &str)] = &[
        ("a.b=c,d[1].e=f,g={x,1}", "a:\n  b: c\nd:\n- null\n- e: f\ng:\n- x\n- 1\n"),
        (
            "a=1,b=true,c=null,d=0777,e=1.5,f=-3,g=0,h=TRUE,i=,j=+5,k=1e3",
            "a: 1\nb: true\nc: null\nd: \"0777\"\ne: \"1.5\"\nf: -3\ng: 0\nh: true\ni: \"\"\nj: 5\nk: \"1e3\"\n",
        ),
        ("a\\.b=1,c=x\\,y,d=e\\=f", "a.b: 1\nc: x,y\nd: e=f\n"),
        ("l[0][1]=x,l[0][0]=y", "l:\n- - \"y\"\n  - x\n"),
        ("n[2]=z", "\"n\":\n- null\n- null\n- z\n"),
        ("a[0].b=1,a[0].c=2,a[1]=3", "a:\n- b: 1\n  c: 2\n- 3\n"),
        ("name={}", "name:\n- \"\"\n"),
        ("x={a,{b}", "x:\n- a\n- '{b'\n"),
        ("a.b.c=1,a.b=2", "a:\n  b: 2\n"),
        ("a[0", "{}\n"),
        ("=1", "{}\n"),
        ("big=99999999999999999999", "big: \"99999999999999999999\"\n"),
        ("u=é,v=a b", "u: é\nv: a b\n"),
    ];
    for (input, want) in cases {
        assert_eq!(render(parse_set, input), *want, "--set {input}");
    }
}

#[test]
fn thirty_levels_of_nesting_are_allowed() {
    let keys: Vec<String> = "a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee"
        .split(' ')
        .map(String::from)
        .collect();
    let mut v = Value::empty_map();
    parse_set(&format!("{}=1", keys.join(".")), &mut v).unwrap();
    let mut deeper = Value::empty_map();
    let err = parse_set(&format!("{}.ff=1", keys.join(".")), &mut deeper).unwrap_err();
    assert_eq!(
        err.to_string(),
        "value name nested level is greater than maximum supported nested level of 30"
    );
}

#[test]
fn set_errors_like_helm() {
    // Helm prints these after `Error: failed parsing --set data: `.
    let cases: &[(&str, &str)] = &[
        ("a=1,a.b=2", "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}"),
        ("a=1,a[0]=2", "unable to parse key: interface conversion: interface {} is int64, not []interface {}"),
        ("a", "key \"a\" has no value"),
        ("a,b=1", "key \"a\" has no value (cannot end with ,)"),
        ("a[x]=1", "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"),
        ("a[-1]=1", "negative -1 index not allowed"),
        ("a[70000]=1", "index of 70000 is greater than maximum supported index of 65536"),
        ("a[0]x=1", "unexpected data at end of array index: ['x']"),
        ("a.=1", "key map \"a\" has no value"),
        ("a.b", "key \"b\" has no value"),
        ("a={x", "list must terminate with '}'"),
    ];
    for (input, want) in cases {
        assert_eq!(set_err(input), *want, "--set {input}");
    }
}

#[test]
fn set_string_json_literal_like_helm() {
    assert_eq!(
        render(parse_set_string, "a=1,b=true,c=null"),
        "a: \"1\"\nb: \"true\"\nc: \"null\"\n"
    );
    assert_eq!(
        render(
            parse_set_json,
            r#"a={"x":[1,2.5,"s",null,true]},b=3,c="q",d=,e=[]"#
        ),
        "a:\n  x:\n  - 1\n  - 2.5\n  - s\n  - null\n  - true\nb: 3\nc: q\nd: null\ne: []\n"
    );
    assert_eq!(render(parse_set_json, r#"a[0]={"k":1}"#), "a:\n- k: 1\n");
    assert_eq!(render(parse_set_json, r#"{"a":1} "#), "a: 1\n");
    assert_eq!(
        render(parse_set_literal, "a.b=x,y=z\\w"),
        "a:\n  b: x,y=z\\w\n"
    );

    let mut v = Value::empty_map();
    assert_eq!(
        parse_set_literal("a", &mut v).unwrap_err().to_string(),
        "key \"a\" has no value"
    );
    // Helm reports --set-json failures without the decoder's reason.
    for bad in ["a={bad", "a=1 x", "a=[1,"] {
        let mut v = Value::empty_map();
        assert_eq!(
            parse_set_json(bad, &mut v).unwrap_err().to_string(),
            format!("failed parsing --set-json data {bad}")
        );
    }
    let mut v = Value::empty_map();
    assert_eq!(
        parse_set_json(r#"{"a":1"#, &mut v).unwrap_err().to_string(),
        "failed parsing --set-json data JSON: {\"a\":1"
    );
}

#[test]
fn set_file_reads_through_the_reader() {
    let mut v = Value::empty_map();
    let mut reader =
        |p: &str| -> Result<Value, StrvalsError> { Ok(Value::str(format!("contents of {p}"))) };
    parse_set_file("a.b=/x/y,c=z", &mut v, &mut reader).unwrap();
    assert_eq!(
        yaml::to_string(&v).unwrap(),
        "a:\n  b: contents of /x/y\nc: contents of z\n"
    );
    let mut v = Value::empty_map();
    let e = helm_core::strvals::parse_set_file_from_disk("a=/nope", &mut v).unwrap_err();
    assert_eq!(e.to_string(), "open /nope: no such file or directory");
}

#[test]
fn flags_merge_into_existing_values_in_helm_order() {
    // helm template --set a=1 --set-string a=2 --set-json a=3 --set-literal b=3 --set b=4
    // applies --set-json, then --set, --set-string, --set-file, --set-literal: a: "2", b: "3".
    let mut v = Value::empty_map();
    parse_set_json("a=3", &mut v).unwrap();
    parse_set("a=1", &mut v).unwrap();
    parse_set("b=4", &mut v).unwrap();
    parse_set_string("a=2", &mut v).unwrap();
    parse_set_literal("b=3", &mut v).unwrap();
    assert_eq!(yaml::to_string(&v).unwrap(), "a: \"2\"\nb: \"3\"\n");
}

proptest::proptest! {
    /// No input makes any `--set` parser panic (Helm recovers from its own panics; we must not have any).
    #[test]
    fn parsers_never_panic(s in "[a-z0-9.,=\\[\\]{}\\\\\": -]{0,40}") {
        let mut v = Value::empty_map();
        let _ = parse_set(&s, &mut v);
        let _ = parse_set_string(&s, &mut v);
        let _ = parse_set_literal(&s, &mut v);
        let mut w = Value::empty_map();
        let _ = parse_set_json(&s, &mut w);
        let mut reader = |p: &str| -> Result<Value, StrvalsError> { Ok(Value::str(p)) };
        let _ = parse_set_file(&s, &mut w, &mut reader);
    }
}
