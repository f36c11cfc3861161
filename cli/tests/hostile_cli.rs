//! Hostile nesting through the CLI: values, templates and charts nested far deeper than real
//! charts, which Helm (Go, growable stacks) handles and helm-rs must handle as well, without a
//! stack overflow and without a large stack reserved up front (checked under `ulimit -v`).
//! Every expected output and error text was printed by the reference Helm 4.1.4 for the same
//! input (`helm template`). Also hostile archives (links, a tar bomb) and schemas that point
//! outside themselves.

use std::path::{Path, PathBuf};
use std::process::Command;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("helm-rs-hostile-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

fn output(out: std::process::Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    output(
        Command::new(env!("CARGO_BIN_EXE_helm-rs"))
            .current_dir(dir)
            .args(args)
            .output()
            .expect("run helm-rs"),
    )
}

/// Runs helm-rs with its address space capped at `kib` KiB (`ulimit -v`), as a small
/// container or a shared CI machine would: nothing may depend on reserving a big stack.
fn run_capped(dir: &Path, kib: u64, args: &[&str]) -> (i32, String, String) {
    let script = format!("ulimit -v {kib} && exec \"$0\" \"$@\"");
    output(
        Command::new("sh")
            .current_dir(dir)
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_helm-rs"))
            .args(args)
            .output()
            .expect("run sh"),
    )
}

/// A chart printing the sizes of every encoding of `.Values` (and a deep copy comparison).
fn encoder_chart(d: &Path) {
    write(
        &d.join("h"),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            (
                "templates/cm.yaml",
                "json: {{ toJson .Values | len }}\nyaml: {{ toYaml .Values | len }}\npretty: {{ toYamlPretty .Values | len }}\nprint: {{ print .Values | len }}\ntoml: {{ toToml .Values | len }}\neq: {{ deepEqual .Values (deepCopy .Values) }}\n",
            ),
        ],
    );
}

fn deep_index_set(n: usize) -> String {
    format!("a{}=1", "[0]".repeat(n))
}

fn nested(open: &str, close: &str, n: usize, leaf: &str) -> String {
    format!("{}{leaf}{}", open.repeat(n), close.repeat(n))
}

const SOURCE: &str = "---\n# Source: c/templates/cm.yaml\n";

/// `--set a[0][0]…=1` with 20,000 indexes: Helm renders it; `toYaml` fails inside (yaml.v2's
/// 10,000 limit when re-reading the JSON) and prints "", every other encoder copes.
#[test]
fn set_with_20000_indexes_renders_like_helm() {
    let d = tmp("set-idx");
    encoder_chart(&d);
    let set = deep_index_set(20_000);
    let expected = format!(
        "{SOURCE}json: 40007\nyaml: 0\npretty: 40006\nprint: 40008\ntoml: 40006\neq: true\n"
    );
    assert_eq!(
        run(&d, &["template", "r", "h", "--set", &set]),
        (0, expected.clone(), String::new())
    );
    // Under a 1 GB address-space cap (Helm needs ~100 MB here).
    assert_eq!(
        run_capped(&d, 1_000_000, &["template", "r", "h", "--set", &set]),
        (0, expected, String::new())
    );
}

/// Dotted names stop at Helm's `MaxNestedNameLevel` of 30.
#[test]
fn set_with_deep_dotted_name_is_helms_error() {
    let d = tmp("set-dots");
    encoder_chart(&d);
    let deep = format!("{}=1", vec!["a"; 32].join("."));
    assert_eq!(
        run(&d, &["template", "r", "h", "--set", &deep]),
        (
            1,
            String::new(),
            "Error: failed parsing --set data: value name nested level is greater than maximum supported nested level of 30\n"
                .into()
        )
    );
    let ok = format!("{}=1", vec!["a"; 31].join("."));
    let (code, out, _) = run(&d, &["template", "r", "h", "--set", &ok]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!("{SOURCE}json: 187\nyaml: 1024\n")),
        "{out}"
    );
}

/// `--set-json` reads with encoding/json's 10,000-level limit.
#[test]
fn set_json_depth_limit_is_helms() {
    let d = tmp("set-json");
    encoder_chart(&d);
    let ok = format!("a={}", nested("[", "]", 10_000, "1"));
    let (code, out, err) = run(&d, &["template", "r", "h", "--set-json", &ok]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.starts_with(&format!("{SOURCE}json: 20007\nyaml: 0\npretty: 20006\n")),
        "{out}"
    );
    let deep = format!("a={}", nested("[", "]", 10_001, "1"));
    assert_eq!(
        run(&d, &["template", "r", "h", "--set-json", &deep]),
        (
            1,
            String::new(),
            format!("Error: failed parsing --set-json data {deep}\n")
        )
    );
}

/// Values files: yaml.v2 allows 10,000 flow levels and 10,000 block indents, then the JSON
/// step allows 10,000 levels in all.
#[test]
fn values_file_depth_limits_are_helms() {
    let d = tmp("values");
    encoder_chart(&d);
    let flow_list = |n| format!("a: {}\n", nested("[", "]", n, "1"));
    let flow_map = |n| format!("a: {}\n", nested("{a: ", "}", n, "1"));
    let block_seq = |n| format!("a:\n{}1\n", "- ".repeat(n));
    write(
        &d,
        &[
            ("l9999.yaml", &flow_list(9999)),
            ("l10000.yaml", &flow_list(10_000)),
            ("l10001.yaml", &flow_list(10_001)),
            ("m10000.yaml", &flow_map(10_000)),
            ("s10000.yaml", &block_seq(10_000)),
            ("s10001.yaml", &block_seq(10_001)),
        ],
    );
    let expected = format!(
        "{SOURCE}json: 20005\nyaml: 20002\npretty: 20004\nprint: 20006\ntoml: 20006\neq: true\n"
    );
    assert_eq!(
        run(&d, &["template", "r", "h", "-f", "l9999.yaml"]),
        (0, expected.clone(), String::new())
    );
    assert_eq!(
        run_capped(&d, 1_000_000, &["template", "r", "h", "-f", "l9999.yaml"]),
        (0, expected, String::new())
    );
    let json_err = |f: &str, c: char| {
        format!("Error: failed to parse {f}: cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: invalid character '{c}' exceeded max depth\n")
    };
    let yaml_err = |f: &str, line: &str| {
        format!("Error: failed to parse {f}: cannot unmarshal yaml document: error converting YAML to JSON: yaml: {line}exceeded max depth of 10000\n")
    };
    for (file, err) in [
        ("l10000.yaml", json_err("l10000.yaml", '[')),
        ("m10000.yaml", json_err("m10000.yaml", '{')),
        ("s10000.yaml", json_err("s10000.yaml", '[')),
        ("l10001.yaml", yaml_err("l10001.yaml", "")),
        ("s10001.yaml", yaml_err("s10001.yaml", "line 2: ")),
    ] {
        assert_eq!(
            run(&d, &["template", "r", "h", "-f", file]),
            (1, String::new(), err),
            "{file}"
        );
    }
}

/// Templates: 20,000 nested `if`s and 20,000 nested template calls (Go allows 100,000),
/// 10,000 nested parentheses (Go's limit, one more is its parse error).
#[test]
fn deep_templates_render_like_helm() {
    let d = tmp("templates");
    let ifs = format!("ifs: {}\n", nested("{{if true}}", "{{end}}", 20_000, "x"));
    let parens = format!("parens: {{{{ {} }}}}\n", nested("(", ")", 10_000, "1"));
    let rec = "{{- define \"t\" }}{{ if lt . 20000 }}{{ template \"t\" (add . 1) }}{{ else }}{{ . }}{{ end }}{{ end -}}\nrec: {{ template \"t\" 0 }}\n";
    write(
        &d.join("t"),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            ("templates/ifs.yaml", &ifs),
            ("templates/parens.yaml", &parens),
            ("templates/rec.yaml", rec),
        ],
    );
    let expected = "---\n# Source: c/templates/ifs.yaml\nifs: x\n---\n# Source: c/templates/parens.yaml\nparens: 1\n---\n# Source: c/templates/rec.yaml\nrec: 20000\n";
    assert_eq!(
        run(&d, &["template", "r", "t"]),
        (0, expected.into(), String::new())
    );
    assert_eq!(
        run_capped(&d, 1_000_000, &["template", "r", "t"]),
        (0, expected.into(), String::new())
    );
    write(
        &d.join("t"),
        &[(
            "templates/parens.yaml",
            &format!("parens: {{{{ {} }}}}\n", nested("(", ")", 10_001, "1")),
        )],
    );
    // Helm's first line; helm-rs then quotes the offending source line.
    let (code, out, err) = run(&d, &["template", "r", "t"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with(
            "Error: parse error at (c/templates/parens.yaml:1): max expression depth exceeded\n"
        ),
        "{}",
        &err[..err.len().min(300)]
    );
}

/// A chart whose `charts/` holds a chart of its own name, a hundred levels down (as a
/// dependency cycle unrolled into directories): Helm renders every level.
#[test]
fn chart_containing_itself_100_levels_deep_renders() {
    let d = tmp("self-nested");
    let levels = 100;
    let mut dir = d.join("p");
    for level in 0..=levels {
        let deps = if level < levels {
            "dependencies:\n- name: p\n  version: 0.1.0\n"
        } else {
            ""
        };
        write(
            &dir,
            &[
                (
                    "Chart.yaml",
                    &format!("apiVersion: v2\nname: p\nversion: 0.1.0\n{deps}"),
                ),
                ("values.yaml", &format!("level: {level}\n")),
                (
                    "templates/cm.yaml",
                    "name: {{ .Chart.Name }}-{{ .Values.level }}-{{ .Template.Name | len }}\n---\n",
                ),
            ],
        );
        dir = dir.join("charts/p");
    }
    let expected: String = (0..=levels)
        .rev()
        .map(|l| {
            let path = format!("p{}/templates/cm.yaml", "/charts/p".repeat(l));
            format!("---\n# Source: {path}\nname: p-{l}-{}\n", path.len())
        })
        .collect();
    assert_eq!(
        run(&d, &["template", "r", "p"]),
        (0, expected, String::new())
    );
}

/// A dependency cycle through `file://` repositories: `a` needs `b`, `b` needs `a`. Helm's
/// `dependency build a` packages `b` as it is (without checking `b`'s own dependencies) and
/// `template` renders both charts.
#[test]
fn file_dependency_cycle_builds_and_renders_like_helm() {
    let d = tmp("file-cycle");
    for (x, y) in [("a", "b"), ("b", "a")] {
        write(
            &d.join(x),
            &[
                (
                    "Chart.yaml",
                    &format!("apiVersion: v2\nname: {x}\nversion: 0.1.0\ndependencies:\n- name: {y}\n  version: 0.1.0\n  repository: file://../{y}\n"),
                ),
                ("templates/cm.yaml", "name: {{ .Chart.Name }}\n---\n"),
            ],
        );
    }
    assert_eq!(
        run(&d, &["dependency", "build", "a"]),
        (
            0,
            "Saving 1 charts\nDeleting outdated charts\n".into(),
            String::new()
        )
    );
    assert!(d.join("a/charts/b-0.1.0.tgz").is_file());
    assert_eq!(
        run(&d, &["template", "r", "a"]),
        (
            0,
            "---\n# Source: a/charts/b/templates/cm.yaml\nname: b\n---\n# Source: a/templates/cm.yaml\nname: a\n".into(),
            String::new()
        )
    );
}

/// A gzipped tar of `entries`: (path, Some(contents)) for files, (path, None) with a link
/// target after `->` for links (`sym:` or `hard:` prefix on the path).
fn archive(path: &Path, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).expect("create");
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::best(),
    ));
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        if let Some((kind, rest)) = name.split_once(':') {
            let (name, target) = rest.split_once("->").expect("link target");
            h.set_entry_type(if kind == "sym" {
                tar::EntryType::Symlink
            } else {
                tar::EntryType::Link
            });
            h.set_size(0);
            tar.append_link(&mut h, name, target).expect("link");
        } else {
            h.set_size(data.len() as u64);
            h.set_cksum();
            tar.append_data(&mut h, name, *data).expect("append");
        }
    }
    tar.into_inner()
        .expect("tar")
        .finish()
        .expect("gzip")
        .sync_all()
        .expect("sync");
}

const LINKED_CHART: &[u8] = b"apiVersion: v2\nname: c\nversion: 0.1.0\n";
const READS_X: &[u8] = b"a: {{ .Files.Get \"x\" | quote }}\n";

/// Links inside a chart archive (to files outside it, or to templates) are skipped, as Helm
/// skips every entry that is not a regular file: nothing outside the archive is read.
#[test]
fn archive_links_are_skipped_like_helm() {
    let d = tmp("links");
    std::fs::write(d.join("secret"), "outside\n").expect("write");
    let secret = d.join("secret").to_string_lossy().into_owned();
    let sym = format!("sym:c/x->{secret}");
    let hard = format!("hard:c/x->{secret}");
    archive(
        &d.join("sym.tgz"),
        &[
            ("c/Chart.yaml", LINKED_CHART),
            ("c/templates/a.yaml", READS_X),
            (&sym, b""),
        ],
    );
    archive(
        &d.join("hard.tgz"),
        &[
            ("c/Chart.yaml", LINKED_CHART),
            ("c/templates/a.yaml", READS_X),
            (&hard, b""),
        ],
    );
    archive(
        &d.join("symtpl.tgz"),
        &[
            ("c/Chart.yaml", LINKED_CHART),
            ("sym:c/templates/b.yaml->../../../../etc/passwd", b""),
        ],
    );
    // helm template of each printed these (stderr empty, exit 0).
    for (name, want) in [
        ("sym.tgz", "---\n# Source: c/templates/a.yaml\na: \"\"\n"),
        ("hard.tgz", "---\n# Source: c/templates/a.yaml\na: \"\"\n"),
        ("symtpl.tgz", "\n"),
    ] {
        assert_eq!(
            run(&d, &["template", "r", name]),
            (0, want.to_string(), String::new()),
            "{name}"
        );
    }
}

/// A tar bomb (24 files of 4.9 MiB of zeros: 117 MiB from a few hundred KiB) stops at Helm's
/// 100 MiB limit on a chart's decompressed size, with Helm's message, in bounded memory.
#[test]
fn tar_bomb_stops_at_the_chart_size_limit() {
    let d = tmp("tarbomb");
    let zeros = vec![0u8; 4900 * 1024];
    let names: Vec<String> = (0..24).map(|i| format!("c/files/z{i}")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("c/Chart.yaml", LINKED_CHART)];
    entries.extend(names.iter().map(|n| (n.as_str(), zeros.as_slice())));
    archive(&d.join("bomb.tgz"), &entries);
    assert!(std::fs::metadata(d.join("bomb.tgz")).expect("stat").len() < 1 << 20);
    // Helm 4.1.4 for the chart itself: its one generic message.
    assert_eq!(
        run_capped(&d, 1 << 20, &["template", "r", "bomb.tgz"]),
        (
            1,
            String::new(),
            "Error: unable to load chart archive\n".to_string()
        )
    );
    // As a subchart the reason shows (Helm's text).
    write(
        &d.join("p"),
        &[("Chart.yaml", "apiVersion: v2\nname: p\nversion: 0.1.0\n")],
    );
    std::fs::create_dir_all(d.join("p/charts")).expect("mkdir");
    std::fs::copy(d.join("bomb.tgz"), d.join("p/charts/bomb.tgz")).expect("copy");
    assert_eq!(
        run_capped(&d, 1 << 20, &["template", "r", "p"]),
        (
            1,
            String::new(),
            "Error: error unpacking subchart bomb.tgz in p: decompressed chart is larger than the maximum size 104857600\n".to_string()
        )
    );
}

/// `$ref`s to other documents in values.schema.json are never fetched (Helm 4.1.4 downloads
/// `http(s)` ones and reads `file` ones): the chart is refused with a clear error and no
/// connection reaches the server it names.
#[test]
fn schema_refs_outside_the_schema_are_never_fetched() {
    let d = tmp("schemaref");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!(
        "http://{}/schema.json",
        listener.local_addr().expect("addr")
    );
    for (name, target) in [("http", url.as_str()), ("file", "file:///etc/hostname")] {
        write(
            &d.join(name),
            &[
                ("Chart.yaml", "apiVersion: v2\nname: s\nversion: 0.1.0\n"),
                ("values.yaml", "a: 1\n"),
                (
                    "values.schema.json",
                    &format!("{{\"$ref\": \"{target}\"}}\n"),
                ),
                ("templates/a.yaml", "a: {{ .Values.a }}\n"),
            ],
        );
        assert_eq!(
            run(&d, &["template", "r", name]),
            (
                1,
                String::new(),
                format!("Error: values don't meet the specifications of the schema(s) in the following chart(s):\ns:\nvalues.schema.json refers to {target}: helm-rs does not fetch schemas (a chart's schema must be self-contained; Helm 4.1.4 would load it)\n")
            ),
            "{name}"
        );
    }
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "a connection reached the schema's server"
    );
}
