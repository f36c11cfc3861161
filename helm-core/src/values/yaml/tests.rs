//! Reader/writer unit tests; every expectation was produced by Go (sigs.k8s.io/yaml v1.6.0).

use super::*;

fn j(v: &Value) -> String {
    crate::values::json::to_string(v)
}

fn read(src: &str) -> String {
    match from_str(src) {
        Ok(v) => j(&v),
        Err(e) => format!("ERR: {}", e.message),
    }
}

#[test]
fn yaml11_scalars() {
    let src = "a: yes\nb: on\ny: 1\nYes: 2\nc: 0777\nd: 0x1F\ne: 1_000\nf: 1e3\ng: 9223372036854775807\nh: 2021-03-04\ni: ~\nj:\nk: 0o17\nl: +12\nm: .5\nn: 1.\no: 0b101\np: -0x1f\nq: 18446744073709551615\nr: 99999999999999999999\ns: 1:20\nt: 0.1e3\nu: NULL\nv: Off\nw: TRUE\nx: tRue\nz: 2001-12-14t21:59:43.10-05:00\naa: 1e+3\nab: 1.5e3\nad: 0.\nae: -0\naf: 0_777\nag: 08\nah: 1__0\n";
    assert_eq!(
        read(src),
        r#"{"a":true,"aa":1000,"ab":1500,"ad":0,"ae":0,"af":511,"ag":8,"ah":10,"b":true,"c":511,"d":31,"e":1000,"f":1000,"false":1,"g":9223372036854776000,"h":"2021-03-04","i":null,"j":null,"k":15,"l":12,"m":0.5,"o":5,"p":-31,"q":18446744073709552000,"r":100000000000000000000,"s":"1:20","t":100,"true":2,"u":null,"v":false,"w":true,"x":"tRue","z":"2001-12-14t21:59:43.10-05:00"}"#
    );
}

#[test]
fn reader_errors_and_edge_cases() {
    assert_eq!(
        read("a: .inf"),
        "ERR: error converting YAML to JSON: json: unsupported value: +Inf"
    );
    assert_eq!(
        read("a: -.inf"),
        "ERR: error converting YAML to JSON: json: unsupported value: -Inf"
    );
    assert_eq!(read("a: 1\na: 2"), r#"{"a":2}"#);
    assert_eq!(
        read("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n"),
        r#"{"a":{"b":1},"c":{"b":1,"d":2}}"#
    );
    assert_eq!(
        read("a: b: c"),
        "ERR: error converting YAML to JSON: yaml: mapping values are not allowed in this context"
    );
    assert_eq!(read(""), "{}");
    assert_eq!(read("# only comment\n"), "{}");
    assert_eq!(
        read("a: \"x"),
        "ERR: error converting YAML to JSON: yaml: found unexpected end of stream"
    );
    assert_eq!(
        read("a: !!binary aGVsbG8=\nb: !!str 12\n"),
        r#"{"a":"hello","b":"12"}"#
    );
    assert_eq!(read("true: 1\n\"true\": 2\n"), r#"{"true":2}"#);
    assert_eq!(
        read("1e3: a\n0x10: b\nyes: c\n"),
        r#"{"1000":"a","16":"b","true":"c"}"#
    );
    assert_eq!(
        read("b: &x {c: 1, d: 2}\na:\n  c: 5\n  <<: *x\n"),
        r#"{"a":{"c":1,"d":2},"b":{"c":1,"d":2}}"#
    );
    assert_eq!(read("a: 1\n---\nb: [\n"), r#"{"a":1}"#);
    assert_eq!(read("a: 1\n  b: 2\n"), "ERR: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context");
    assert_eq!(
        read("a:\n  b: 1\n c: 2\n"),
        "ERR: error converting YAML to JSON: yaml: line 2: did not find expected key"
    );
    assert_eq!(
        read("a: [1, 2\n"),
        "ERR: error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'"
    );
    assert_eq!(
        read("a: *nope\n"),
        "ERR: error converting YAML to JSON: yaml: unknown anchor 'nope' referenced"
    );
    assert_eq!(
        read("a: 'x\n"),
        "ERR: error converting YAML to JSON: yaml: line 2: found unexpected end of stream"
    );
    assert_eq!(
        read("a: \"x"),
        "ERR: error converting YAML to JSON: yaml: found unexpected end of stream"
    );
    assert_eq!(
        read("a:\nb\n"),
        "ERR: error converting YAML to JSON: yaml: line 3: could not find expected ':'"
    );
    // No final line break: libyaml moves the stream end to a fresh line first (Helm 4.1.4).
    assert_eq!(
        read("a: 1\nb"),
        "ERR: error converting YAML to JSON: yaml: line 3: could not find expected ':'"
    );
    assert_eq!(read("a: 1\n\t\nb: 2"), "ERR: error converting YAML to JSON: yaml: line 2: found a tab character that violates indentation");
    assert_eq!(
        read("-\ta"),
        "ERR: error converting YAML to JSON: yaml: found character that cannot start any token"
    );
    assert_eq!(
        read("a: |\n  x\n y\n"),
        "ERR: error converting YAML to JSON: yaml: line 2: did not find expected key"
    );
    assert_eq!(read("a:\n- b\n- c\nd: e\n"), r#"{"a":["b","c"],"d":"e"}"#);
    assert_eq!(
        read("- a\nb: c\n"),
        "ERR: error converting YAML to JSON: yaml: line 1: did not find expected '-' indicator"
    );
    assert_eq!(
        read("a: {b: c\nd: e\n"),
        "ERR: error converting YAML to JSON: yaml: line 1: did not find expected ',' or '}'"
    );
}

fn write(json: &str) -> String {
    let v = crate::values::json::from_str(json).unwrap();
    to_string(&v).unwrap()
}

#[test]
fn writer_basics() {
    assert_eq!(write(r#""foo""#), "foo\n");
    assert_eq!(write(r#""a\n\n""#), "|+\n  a\n\n");
    assert_eq!(write(r#""a\nb""#), "|-\n  a\n  b\n");
    assert_eq!(write(r#"{"a":"x\ny\n","b":["p","q"],"c":{"d":[],"e":{}},"f":[[1,2],{"g":1,"h":[3]}],"i":null,"j":1e6,"k":1.5,"l":1e21,"m":0.000001,"n":1e-7,"o":100000000000000000000,"p":12345678901234567890,"q":-0.0}"#),
        "a: |\n  x\n  y\nb:\n- p\n- q\nc:\n  d: []\n  e: {}\nf:\n- - 1\n  - 2\n- g: 1\n  h:\n  - 3\ni: null\nj: 1000000\nk: 1.5\nl: 1e+21\nm: 1e-06\n\"n\": 1e-07\no: 1e+20\np: 12345678901234567000\nq: 0\n");
    assert_eq!(write(r#"{"a10":1,"a2":2,"B":3,"_x":4,"a":5,"Z1":6,"z01":7,"z1":8,"10":9,"9":10,"a-b":11,"a_b":12,"ab":13}"#),
        "_x: 4\n\"9\": 10\n\"10\": 9\nB: 3\nZ1: 6\na: 5\na-b: 11\na_b: 12\na2: 2\na10: 1\nab: 13\nz1: 8\nz01: 7\n");
    assert_eq!(write("[]"), "[]\n");
    assert_eq!(write("{}"), "{}\n");
    assert_eq!(write("null"), "null\n");
    assert_eq!(write("true"), "true\n");
    assert_eq!(write("12"), "12\n");
}

#[test]
fn writer_quoting() {
    let input = r##"[" x","x ","- a","-a",":x","a: b","a #b","a#b","#a","@a","`a","yes","on","~","","null","0x1F","1e3","1:20","123","1.5","a\tb","é","😀","'q'","\"d\"","a'b","%a","!a","&a","*a","|a",">a","?a","? a","[a","]a","{a","}a",",a","a,b","a[b","---","...","--- a","a\\b"]"##;
    let want = "- ' x'\n- 'x '\n- '- a'\n- -a\n- :x\n- 'a: b'\n- 'a #b'\n- a#b\n- '#a'\n- '@a'\n- '`a'\n- \"yes\"\n- \"on\"\n- \"~\"\n- \"\"\n- \"null\"\n- \"0x1F\"\n- \"1e3\"\n- \"1:20\"\n- \"123\"\n- \"1.5\"\n- \"a\\tb\"\n- é\n- \"\\U0001F600\"\n- '''q'''\n- '\"d\"'\n- a'b\n- '%a'\n- '!a'\n- '&a'\n- '*a'\n- '|a'\n- '>a'\n- ?a\n- '? a'\n- '[a'\n- ']a'\n- '{a'\n- '}a'\n- ',a'\n- a,b\n- a[b\n- '---'\n- '...'\n- '--- a'\n- a\\b\n";
    assert_eq!(write(input), want);
}

#[test]
fn writer_folding_and_blocks() {
    assert_eq!(write(r#"["aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh iiiiiiiii jjjjjjjjj kkkkkkkkk"]"#),
        "- aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh\n  iiiiiiiii jjjjjjjjj kkkkkkkkk\n");
    assert_eq!(write(r#"{"k":" aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh iiiiiiiii jjjjjjjjj kkkkkkkkk"}"#),
        "k: ' aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh\n  iiiiiiiii jjjjjjjjj kkkkkkkkk'\n");
    assert_eq!(write(r#"{"k":"aaaaaaaaa\tbbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh iiiiiiiii jjjjjjjjj kkkkkkkkk"}"#),
        "k: \"aaaaaaaaa\\tbbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh\n  iiiiiiiii jjjjjjjjj kkkkkkkkk\"\n");
    assert_eq!(write(r#"{"k":["  x\ny"," x\n","x \ny","x\n ","x\n\n","\n","\nx","x\ty\nz","x\r\ny"]}"#),
        "k:\n- |2-\n    x\n  y\n- |2\n   x\n- \"x \\ny\"\n- \"x\\n \"\n- |+\n  x\n\n- |2+\n\n- |2-\n\n  x\n- \"x\\ty\\nz\"\n- \"x\\r\\ny\"\n");
    assert_eq!(
        write(r#"{"a\nb":1," k":2,"k ":3,"yes":4,"":5}"#),
        "\"\": 5\n' k': 2\n? |-\n  a\n  b\n: 1\n'k ': 3\n\"yes\": 4\n"
    );
}

#[test]
fn writer_line_separators_and_nel() {
    // Go: yaml.Marshal("\u2028") and friends (sigs.k8s.io/yaml v1.6.0).
    assert_eq!(to_string(&Value::str("\u{2028}")).unwrap(), "'\u{2028}'\n");
    assert_eq!(
        to_string(&Value::str(":\u{2028}")).unwrap(),
        "':\u{2028}'\n"
    );
    assert_eq!(to_string(&Value::str("x\u{85}y")).unwrap(), "x y\n");
    assert_eq!(
        to_string(&Value::str("word \u{85}'`no")).unwrap(),
        "word '`no\n"
    );
    let m = crate::values::Map::new();
    m.insert("a\u{85}b", Value::Float(1.0));
    assert_eq!(
        to_string(&Value::Map(m)).unwrap_err().message,
        "yaml: line 1: did not find expected ',' or '}'"
    );
    assert_eq!(
        to_string(&Value::str("x\u{85}--- y")).unwrap_err().message,
        "yaml: line 2: found unexpected document indicator"
    );
}

#[test]
fn writer_bom_leading_strings_escape_everything() {
    // yaml.v2/v3 check for a BOM at the value's start at every position (Go output).
    assert_eq!(
        to_string(&Value::str("\u{feff}ab")).unwrap(),
        "\"\\uFEFF\\x61\\x62\"\n"
    );
    assert_eq!(
        to_string(&Value::str("x\u{feff}ab")).unwrap(),
        "\"x\\uFEFFab\"\n"
    );
    assert_eq!(
        to_string_pretty(&crate::vmap! {"\u{feff}k" => "v"}).unwrap(),
        "\"\\uFEFF\\x6B\": v\n"
    );
}

#[test]
fn multi_document_streams() {
    // Go: a yaml.v2 Decoder loop, each document converted as sigs.k8s.io/yaml does (errors
    // keep the sigs.k8s.io/yaml prefix that from_str uses).
    let all = |s: &str| match from_str_all(s) {
        Ok(docs) => docs.iter().map(j).collect::<Vec<_>>().join("|"),
        Err(e) => format!("ERR {}", e.message),
    };
    assert_eq!(all("a: 1\n---\nb: 2\n"), r#"{"a":1}|{"b":2}"#);
    assert_eq!(all("---\n---\n"), "null|null");
    assert_eq!(all("a: 1\n...\n---\nb: 2"), r#"{"a":1}|{"b":2}"#);
    assert_eq!(all("--- a\n--- b\n"), r#""a"|"b""#);
    assert_eq!(all("%YAML 1.1\n---\na: 1\n"), r#"{"a":1}"#);
    assert_eq!(all(""), "");
    assert_eq!(all("# c\n"), "");
    assert_eq!(all("a: 1\n---\n"), r#"{"a":1}|null"#);
    assert_eq!(all("---\na: 1\n--- |\n  x\n"), r#"{"a":1}|"x\n""#);
    assert_eq!(
        all("a: 1\n---\nb: [\n"),
        "ERR error converting YAML to JSON: yaml: line 3: did not find expected node content"
    );
}

#[test]
fn invalid_utf8_bytes() {
    // Go: yaml.Unmarshal of these bytes.
    assert_eq!(
        from_slice(b"a: \xff\n").unwrap_err().message,
        "error converting YAML to JSON: yaml: invalid leading UTF-8 octet"
    );
    assert_eq!(
        from_slice(b"a: b\xc3\n").unwrap_err().message,
        "error converting YAML to JSON: yaml: invalid trailing UTF-8 octet"
    );
    assert_eq!(
        from_slice(b"a: \xe2\x82\n").unwrap_err().message,
        "error converting YAML to JSON: yaml: invalid trailing UTF-8 octet"
    );
    assert_eq!(j(&from_slice_map(b"a: 1\n").unwrap()), r#"{"a":1}"#);
}

#[test]
fn quoted_folding_keeps_escaped_blanks() {
    // Go: escaped blanks before a folded line break survive, raw ones are dropped.
    assert_eq!(read("a: \"x\\t\n  y\""), r#"{"a":"x\t y"}"#);
    assert_eq!(read("a: \"x\\ \n  y\""), r#"{"a":"x  y"}"#);
    assert_eq!(read("a: \"x \t\n  y\""), r#"{"a":"x y"}"#);
    assert_eq!(read("a: 'x\t\n  y'"), r#"{"a":"x y"}"#);
    assert_eq!(read("a: \"x\\\\ \n  y\""), r#"{"a":"x\\ y"}"#);
}

/// Repeated keys in a mapping past the linear-search size still replace the earlier value,
/// whatever their type (the hash index agrees with Go's key equality: 1 and "1" differ in the
/// map, 0.0 and -0.0 do not; NaN keys never match).
#[test]
fn repeated_keys_in_large_mappings() {
    let mut src: String = (0..200).map(|i| format!("k{i}: {i}\n")).collect();
    src.push_str("k5: five\nk150: 150b\n");
    let v = from_str(&src).expect("yaml");
    let m = v.as_map().expect("map");
    assert_eq!(m.len(), 200);
    assert_eq!(
        (
            j(&m.get("k5").unwrap()),
            j(&m.get("k150").unwrap()),
            j(&m.get("k199").unwrap())
        ),
        ("\"five\"".into(), "\"150b\"".into(), "199".into())
    );
    // Typed keys past the linear limit, as sigs.k8s.io/yaml v1.6.0 reads them: 0.0 and -0.0
    // are one key, which takes the later representation; "x" and x are one key.
    let mut typed: String = (0..40).map(|i| format!("s{i}: {i}\n")).collect();
    typed.push_str("0.0: a\n-0.0: b\n1: c\n\"x\": d\nx: e\n");
    let mut want: Vec<String> = (0..40).map(|i| format!("\"s{i}\":{i}")).collect();
    want.extend([
        "\"-0\":\"b\"".to_string(),
        "\"1\":\"c\"".to_string(),
        "\"x\":\"e\"".to_string(),
    ]);
    want.sort();
    assert_eq!(read(&typed), format!("{{{}}}", want.join(",")));
}

/// `from_str_keys` gives `from_str`'s error, or its values for the keys asked for.
#[test]
fn from_str_keys_agrees_with_from_str() {
    let deep = format!("a: {}1{}\n", "[".repeat(10_010), "]".repeat(10_010));
    let docs: Vec<String> = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: b\ndata:\n  k: v\n",
        "kind: A\nkind: B\nmetadata: {name: n}\n",
        "base: &b {name: m}\nmetadata:\n  <<: *b\nkind: K\n",
        "kind: K\n? [a, b]\n: v\n",
        "kind: K\n~: v\n",
        "kind: K\n18446744073709551615: v\n",
        "kind: K\nspec:\n  x: .nan\n",
        "kind: K\nspec:\n  - .inf\n",
        "kind: K\n? [a]\n: .nan\n",
        ".nan: 1\nkind: K\n",
        "true: 1\nkind: K\n",
        "- a\n- b\n",
        "just a scalar\n",
        "",
        "# only a comment\n",
        "kind: K\nmetadata:\n  name: [unclosed\n",
        "kind: K\nmetadata: 5\n",
        deep.as_str(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let keys = ["apiVersion", "kind", "metadata"];
    for doc in &docs {
        let full = from_str(doc);
        let head = from_str_keys(doc, &keys);
        match (&full, &head) {
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{doc:?}"),
            (Ok(Value::Map(a)), Ok(Value::Map(b))) => {
                for k in keys {
                    assert_eq!(
                        a.get(k).map(|v| crate::values::json::to_string(&v)),
                        b.get(k).map(|v| crate::values::json::to_string(&v)),
                        "{doc:?} {k}"
                    );
                }
            }
            (Ok(a), Ok(b)) => assert_eq!(
                crate::values::json::to_string(a),
                crate::values::json::to_string(b),
                "{doc:?}"
            ),
            _ => panic!("{doc:?}: {full:?} vs {head:?}"),
        }
    }
}
