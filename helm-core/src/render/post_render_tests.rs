//! Round trips of small inputs through the merge step (kyaml's reader, `SetAnnotation`,
//! kyaml's writer) and the split step. Every expected string is what Helm 4.1.4 produced: the
//! merge cases are the stream a `tee` post-renderer captured from `helm-oracle template` on a
//! chart `c` whose only template `a.yaml` is the input; the split cases and error texts come
//! from Helm's own functions (kyaml v0.21.1, go.yaml.in/yaml/v3 v3.0.4, as Helm 4.1.4 builds)
//! and were spot-checked with `helm-oracle` and a post-renderer printing the input.

use super::{annotate_and_merge, split_and_deannotate};
use std::collections::BTreeMap;

fn merge(src: &str) -> Result<String, String> {
    let mut files = BTreeMap::new();
    files.insert("c/templates/a.yaml".to_string(), src.to_string());
    annotate_and_merge(&files)
}

#[test]
fn merge_anchors() {
    let want = "base: &b\n  x: 1\nderived:\n  !!merge <<: *b\n  y: 2\nlist: &l [1, 2]\nref: *l\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("base: &b\n  x: 1\nderived:\n  <<: *b\n  y: 2\nlist: &l [1, 2]\nref: *l\n").unwrap(),
        want
    );
}

#[test]
fn merge_blank() {
    let want = "a: 1\nb:\n  c: 2\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("\n\na: 1\n\n\nb:\n\n  c: 2\n\n").unwrap(), want);
}

#[test]
fn merge_comments() {
    let want = "# top comment\n\n# head of a\na: 1 # line a\n# between\nb:\n- x # line x\n- y\n# after seq\n\n# head c\nc: 2\n# foot c\n\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("# top comment\n\n# head of a\na: 1 # line a\n# between\nb:\n  - x # line x\n  - y\n# after seq\n\n# head c\nc: 2\n# foot c\n").unwrap(), want);
}

#[test]
fn merge_crlf() {
    let want = "a: 1\nb:\n- x\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("a: 1\nb:\n  - x\n").unwrap(), want);
}

#[test]
fn merge_docfoot() {
    let want = "a: 1\n# foot of doc\n\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("a: 1\n# foot of doc\n").unwrap(), want);
}

#[test]
fn merge_docmarker() {
    let want = "# doc comment\na: 1\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("--- # doc comment\na: 1\n...\n").unwrap(), want);
}

#[test]
fn merge_emptyann() {
    let want = "kind: X\nmetadata:\n  name: n\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("kind: X\nmetadata:\n  name: n\n  annotations: {}\n").unwrap(),
        want
    );
}

#[test]
fn merge_emptydocs() {
    let want = "a: 1\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("---\n---\n# only a comment\n---\na: 1\n---\n\n").unwrap(),
        want
    );
}

#[test]
fn merge_emptyval() {
    let want = "a:\nb: {}\nc:\n-\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("a:\nb: {}\nc:\n  - \n").unwrap(), want);
}

#[test]
fn merge_existing() {
    let want = "kind: X\nmetadata:\n  annotations:\n    a: b\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n  labels:\n    l: v\n";
    assert_eq!(
        merge("kind: X\nmetadata:\n  annotations:\n    a: b\n  labels:\n    l: v\n").unwrap(),
        want
    );
}

#[test]
fn merge_flow() {
    let want = "a: [1, 2, {x: y}]\nb: {}\nc: []\nd: {k: [a, b]}\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("a: [1, 2, {x: y}]\nb: {}\nc: []\nd: {k: [a, b]}\n").unwrap(),
        want
    );
}

#[test]
fn merge_flowmulti() {
    let want = "args: [\"--a\", \"--b\"]\nm: {a: 1, b: 2}\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("args: [\n  \"--a\",\n  \"--b\"\n]\nm: {a: 1,\n  b: 2}\n").unwrap(),
        want
    );
}

#[test]
fn merge_glued() {
    let want = "apiVersion: v1\nkind: A\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n---\nkind: B\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("---apiVersion: v1\nkind: A\n---\n---kind: B\n").unwrap(),
        want
    );
}

#[test]
fn merge_indentedseq() {
    let want = "containers:\n- name: x\n  image: y\n# trailing comment\n\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("containers:\n    - name: x\n      image: y\n    # trailing comment\n").unwrap(),
        want
    );
}

#[test]
fn merge_keycomment() {
    let want = "a: # on key\n  b: 1\nc: # on key c\n- 1\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("a: # on key\n  b: 1\nc: # on key c\n  - 1\n").unwrap(),
        want
    );
}

#[test]
fn merge_listwrap() {
    let want = "kind: A\nmetadata:\n  name: a\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n---\nkind: B\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge(
            "apiVersion: v1\nkind: List\nitems:\n- kind: A\n  metadata:\n    name: a\n- kind: B\n"
        )
        .unwrap(),
        want
    );
}

#[test]
fn merge_literalcomment() {
    let want = "script: | # keep\n  echo hi\n\n  echo bye\nnext: 1\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("script: | # keep\n  echo hi\n\n  echo bye\nnext: 1\n").unwrap(),
        want
    );
}

#[test]
fn merge_longkey() {
    let want = "? |\n  multi\n  line key\n: v\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("? |\n  multi\n  line key\n: v\n").unwrap(), want);
}

#[test]
fn merge_multiline() {
    let want = "a: this is a multi-line plain scalar\nb: \"double quoted\"\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("a: this is a\n  multi-line plain\n  scalar\nb: \"double\n  quoted\"\n").unwrap(),
        want
    );
}

#[test]
fn merge_nested() {
    let want = "spec:\n  containers:\n  - name: a\n    args:\n    - --x\n    - --y\n    env:\n    - name: E\n      value: \"1\"\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("spec:\n  containers:\n  - name: a\n    args:\n    - --x\n    - --y\n    env:\n      - name: E\n        value: \"1\"\n").unwrap(), want);
}

#[test]
fn merge_nestedfoot() {
    let want = "a:\n  b:\n    c: 1\n    # foot of c\n  d: 2\n# top foot\ne: 3\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("a:\n  b:\n    c: 1\n    # foot of c\n  d: 2\n# top foot\ne: 3\n").unwrap(),
        want
    );
}

#[test]
fn merge_nometa() {
    let want = "apiVersion: v1\nkind: ConfigMap\ndata:\n  k: v\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("apiVersion: v1\nkind: ConfigMap\ndata:\n  k: v\n").unwrap(),
        want
    );
}

#[test]
fn merge_nullmeta() {
    let want = "kind: X\nspec: 1\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("kind: X\nmetadata:\nspec: 1\n").unwrap(), want);
}

#[test]
fn merge_quotedkey() {
    let want = "\"quoted key\": 1\n'single key': 2\ncomplex: 3\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("\"quoted key\": 1\n'single key': 2\n? complex\n: 3\n").unwrap(),
        want
    );
}

#[test]
fn merge_seqcomment() {
    let want = "items:\n# head of first\n- a\n- # comment on entry\n  b: 1\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("items:\n  # head of first\n  - a\n  - # comment on entry\n    b: 1\n").unwrap(),
        want
    );
}

#[test]
fn merge_seqofseq() {
    let want = "m:\n- - a\n  - b\n- - c\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("m:\n- - a\n  - b\n- - c\n").unwrap(), want);
}

#[test]
fn merge_specials() {
    let want = "a: 'x: y'\nb: '- z'\nc: '#no'\nd: 'yes'\ne: \"été\"\nf: \"tab\\there\"\ng: '  lead'\nh: 'trail  '\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("a: 'x: y'\nb: '- z'\nc: '#no'\nd: 'yes'\ne: \"\\u00e9t\\u00e9\"\nf: \"tab\\there\"\ng: '  lead'\nh: 'trail  '\n").unwrap(), want);
}

#[test]
fn merge_styles() {
    let want = "plain: text\nsingle: 'it''s'\ndouble: \"a\\tb\\n\"\nliteral: |\n  line1\n  line2\nkeep: |+\n  x\n\nstrip: |-\n  y\nfolded: >\n  folded text\n\n  para\n\nindent: |2\n    indented\nempty: ''\nnull1:\nnull2: ~\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(merge("plain: text\nsingle: 'it''s'\ndouble: \"a\\tb\\n\"\nliteral: |\n  line1\n  line2\nkeep: |+\n  x\n\nstrip: |-\n  y\nfolded: >\n  folded\n  text\n\n  para\nindent: |2\n    indented\nempty: ''\nnull1:\nnull2: ~\n").unwrap(), want);
}

#[test]
fn merge_tags() {
    let want = "a: !!str 123\nb: !custom x\nc: !!binary aGVsbG8=\nd: !<tag:example.com,2000:x> y\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge("a: !!str 123\nb: !custom x\nc: !!binary aGVsbG8=\nd: !<tag:example.com,2000:x> y\n")
            .unwrap(),
        want
    );
}

#[test]
fn merge_unicode() {
    let want = "name: \"café\"\nemoji: \"\\U0001F600\"\nnbsp: \"a b\"\nctrl: \"\\x01\"\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";
    assert_eq!(
        merge(
            "name: \"caf\\u00e9\"\nemoji: \"\\U0001F600\"\nnbsp: \"a\\u00a0b\"\nctrl: \"\\x01\"\n"
        )
        .unwrap(),
        want
    );
}

#[test]
fn merge_several_files_in_path_order_without_partials_or_blank_files() {
    let mut files = BTreeMap::new();
    files.insert("c/templates/b.yaml".to_string(), "kind: B\n".to_string());
    files.insert(
        "c/templates/a.yaml".to_string(),
        "# x\nkind: A\n---\nkind: A2\n".to_string(),
    );
    files.insert(
        "c/templates/_helpers.tpl".to_string(),
        "kind: P".to_string(),
    );
    files.insert("c/templates/empty.yaml".to_string(), "  \n".to_string());
    let want = "# x\nkind: A\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n---\nkind: A2\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n---\nkind: B\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/b.yaml'\n";
    assert_eq!(annotate_and_merge(&files).unwrap(), want);
}

#[test]
fn merge_errors_are_helms() {
    let cases = [
        ("foo\n", "parsing c/templates/a.yaml: wrong node kind: expected MappingNode but got ScalarNode: node contents:\nfoo\n"),
        ("- a\n- b\n", "parsing c/templates/a.yaml: wrong node kind: expected MappingNode but got SequenceNode: node contents:\n- a\n- b\n"),
        ("a: 1\nmetadata: foo\n", "parsing c/templates/a.yaml: wrong node kind: expected MappingNode but got ScalarNode: node contents:\nfoo\n"),
        ("a: 1\nmetadata:\n  annotations: [1]\n", "parsing c/templates/a.yaml: wrong node kind: expected MappingNode but got SequenceNode: node contents:\n[1]\n"),
        ("a: b: c\n", "parsing c/templates/a.yaml: MalformedYAMLError: yaml: mapping values are not allowed in this context"),
        ("a: 1\n--- x\nb: 2\n", "parsing c/templates/a.yaml: invalid document separator: --- x"),
        ("a: *x\n", "parsing c/templates/a.yaml: MalformedYAMLError: yaml: unknown anchor 'x' referenced"),
        ("a:\n\t- b\n", "parsing c/templates/a.yaml: MalformedYAMLError: yaml: line 2: found character that cannot start any token"),
        ("a: \"unterminated\n", "parsing c/templates/a.yaml: MalformedYAMLError: yaml: line 2: found unexpected end of stream"),
        ("a: [1, 2\n", "parsing c/templates/a.yaml: MalformedYAMLError: yaml: line 1: did not find expected ',' or ']'"),
        ("a: 1\n----\nb: 2\n", "parsing c/templates/a.yaml: MalformedYAMLError: yaml: line 1: did not find expected node content"),
    ];
    for (src, want) in cases {
        assert_eq!(merge(src).unwrap_err(), want, "input {src:?}");
    }
}

#[test]
fn split_groups_by_annotation_and_drops_it() {
    let stream = "kind: A\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: x/a.yaml\n---\nkind: B\n---\nkind: C\nmetadata:\n  name: c\n  annotations:\n    other: o\n    postrenderer.helm.sh/postrender-filename: \"x/a.yaml\"\n";
    let files = split_and_deannotate(stream).unwrap();
    let got: Vec<(&str, &str)> = files
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("generated-by-postrender-1.yaml", "kind: B\n"),
            (
                "x/a.yaml",
                "kind: A\n---\nkind: C\nmetadata:\n  name: c\n  annotations:\n    other: o\n"
            ),
        ]
    );
}

#[test]
fn split_errors_are_helms() {
    assert_eq!(
        split_and_deannotate("kind: List\nitems:\n- a: 1\n").unwrap_err(),
        "getting metadata: missing Resource metadata"
    );
    assert_eq!(
        split_and_deannotate("not: [valid\n").unwrap_err(),
        "error parsing YAML: MalformedYAMLError: yaml: line 1: did not find expected ',' or ']'"
    );
    assert!(split_and_deannotate("").unwrap().is_empty());
    assert_eq!(
        split_and_deannotate("a: 1\n")
            .unwrap()
            .get("generated-by-postrender-0.yaml")
            .map(String::as_str),
        Some("a: 1\n")
    );
}

#[test]
fn merge_then_split_gives_back_the_files() {
    let mut files = BTreeMap::new();
    files.insert(
        "c/templates/a.yaml".to_string(),
        "# head\nkind: A # line\nspec:\n  x:\n    - 1\n".to_string(),
    );
    files.insert(
        "c/templates/b.yaml".to_string(),
        "kind: B\nmetadata:\n  name: b\n".to_string(),
    );
    let back = split_and_deannotate(&annotate_and_merge(&files).unwrap()).unwrap();
    assert_eq!(
        back["c/templates/a.yaml"],
        "# head\nkind: A # line\nspec:\n  x:\n  - 1\n"
    );
    assert_eq!(
        back["c/templates/b.yaml"],
        "kind: B\nmetadata:\n  name: b\n"
    );
}

const ANN: &str =
    "metadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n";

/// Runs `f` on a thread with a small stack: deep documents must not need call stack.
fn on_small_stack(
    f: impl FnOnce() -> Result<String, String> + Send + 'static,
) -> Result<String, String> {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// Nesting as deep as yaml.v3 allows costs no call stack, and deeper input is refused with
/// yaml.v3's message instead of overflowing (expected texts from Helm's functions).
#[test]
fn deep_documents_neither_overflow_nor_panic() {
    let flow = format!("a: {}{}\n", "[".repeat(9_000), "]".repeat(9_000));
    let want = format!("{flow}{ANN}");
    assert_eq!(on_small_stack(move || merge(&flow)).unwrap(), want);

    let too_deep = format!("a: {}\n", "[".repeat(10_001));
    assert_eq!(
        merge(&too_deep).unwrap_err(),
        "parsing c/templates/a.yaml: MalformedYAMLError: yaml: exceeded max depth of 10000"
    );

    let block: String = (0..3000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    let want: String = (0..3000)
        .map(|i| format!("{}k:\n", "  ".repeat(i)))
        .collect::<String>()
        + ANN;
    assert_eq!(on_small_stack(move || merge(&block)).unwrap(), want);
}

/// Large inputs take time linear in their size (many documents, long comment blocks, long
/// scalars, many keys).
#[test]
fn large_inputs_stay_linear() {
    let mut many_docs = String::new();
    let mut long_comments = String::from("a: 1\n");
    let mut many_keys = String::new();
    for i in 0..20_000 {
        many_docs.push_str(&format!("---\nkind: K{i}\n"));
        long_comments.push_str(&format!("# comment {i}\n"));
        many_keys.push_str(&format!("k{i}: v # c\n"));
    }
    long_comments.push_str("b: 2\n");
    let long_scalar = format!("a: {}\n", "x ".repeat(200_000));
    let start = std::time::Instant::now();
    for src in [&many_docs, &long_comments, &many_keys, &long_scalar] {
        let out = merge(src).unwrap();
        assert!(split_and_deannotate(&out).is_ok());
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// Arbitrary bytes give an error or a result, never a panic.
#[test]
fn garbage_does_not_panic() {
    let alphabet: &[&str] = &[
        "a",
        ":",
        " ",
        "\n",
        "-",
        "#",
        "[",
        "]",
        "{",
        "}",
        ",",
        "'",
        "\"",
        "|",
        ">",
        "&",
        "*",
        "!",
        "?",
        "\t",
        "---",
        "...",
        "%YAML 1.1",
        "\\",
        "é",
        "\r\n",
        "  ",
        "x: ",
        "- ",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let _ = merge(&s);
        let _ = split_and_deannotate(&s);
    }
}

/// kyaml drops the first *empty* `metadata` (here the second one), and a flow mapping gets
/// its new keys in flow style.
#[test]
fn merge_repeated_metadata_keys() {
    let src = "# head\nmetadata: {k: v}\n# c0\n\nmetadata: x\n\nitems: true\n# foot\n";
    let want = "# head\nmetadata: {k: v, annotations: {postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'}}\n# c0\n\nitems: true\n# foot\n";
    assert_eq!(merge(src).unwrap(), want);
}

/// A byte order mark at the start of a document is dropped (yaml.v3's reader does it before
/// scanning), so it does not count as indentation.
#[test]
fn merge_byte_order_marks() {
    let src = "\u{feff}a: 1\nb:\n  c: 2\n---\n\u{feff}d: 1\n";
    let want = format!("a: 1\nb:\n  c: 2\n{ANN}---\nd: 1\n{ANN}");
    assert_eq!(merge(src).unwrap(), want);
}

/// A repeated null `annotations` key: kyaml's setter appends to the null node's content, which
/// nothing prints or reads back (expected results from helm-oracle with a post-renderer
/// printing these documents).
#[test]
fn split_repeated_null_annotations() {
    assert_eq!(
        split_and_deannotate("# c\nmetadata:\n  annotations:\n  annotations:\n").unwrap_err(),
        "getting metadata: missing Resource metadata"
    );
    let files =
        split_and_deannotate("kind: K\nmetadata:\n  annotations:\n  annotations:\n").unwrap();
    assert_eq!(files["generated-by-postrender-0.yaml"], "kind: K\n");
}
