//! Template engine benchmarks: parsing real chart templates, and executing a template that
//! exercises the hot paths (field chains, range over maps and lists, include, printf).
//!
//! Parsing uses the conformance corpus (`../shared/conformance/charts`) when present; the
//! execution benchmark is self-contained.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use helm_core::template::funcs::{FuncTable, Param};
use helm_core::template::Engine;
use helm_core::values::{Map, Value};
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if p.components().any(|c| c.as_os_str() == "templates")
            && matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml" | "tpl" | "txt")
            )
        {
            if let Ok(s) = std::fs::read_to_string(&p) {
                out.push((p.to_string_lossy().into_owned(), s));
            }
        }
    }
}

fn permissive_funcs() -> FuncTable {
    let mut t = FuncTable::helm();
    // Syntax-only: any name a chart may call parses.
    for name in [
        "default",
        "quote",
        "toYaml",
        "nindent",
        "indent",
        "trunc",
        "trimSuffix",
        "printf",
        "replace",
        "include",
        "tpl",
        "dict",
        "list",
        "merge",
        "ternary",
        "empty",
        "hasKey",
        "kindIs",
        "semverCompare",
        "b64enc",
        "randAlphaNum",
        "fromYaml",
        "toJson",
        "upper",
        "lower",
        "contains",
        "hasPrefix",
        "regexMatch",
        "sha256sum",
        "lookup",
        "get",
        "set",
        "keys",
        "sortAlpha",
        "join",
        "split",
        "splitList",
        "first",
        "last",
        "append",
        "uniq",
        "without",
        "int",
        "int64",
        "float64",
        "toString",
        "atoi",
        "add",
        "sub",
        "mul",
        "div",
        "mod",
        "max",
        "min",
        "trim",
        "trimPrefix",
        "title",
        "squote",
        "cat",
        "coalesce",
        "typeOf",
        "typeIs",
        "deepCopy",
        "mustMerge",
        "mergeOverwrite",
        "pick",
        "omit",
        "values",
        "until",
        "now",
        "date",
        "genCA",
        "genSignedCert",
        "genSelfSignedCert",
        "uuidv4",
        "derivePassword",
        "toRawJson",
        "fromJson",
        "kebabcase",
        "camelcase",
        "snakecase",
        "regexReplaceAll",
        "regexFind",
        "base",
        "dir",
        "b64dec",
        "htpasswd",
        "required",
        "fail",
        "tuple",
        "concat",
        "has",
        "compact",
        "reverse",
        "dig",
        "pluck",
        "unset",
        "toYamlPretty",
        "sha1sum",
        "adler32sum",
        "randNumeric",
        "randAlpha",
        "mustToJson",
        "mustFromJson",
        "fromJsonArray",
        "fromYamlArray",
        "toToml",
        "urlParse",
        "urlJoin",
        "semver",
        "round",
        "ceil",
        "floor",
        "add1",
        "seq",
        "splitn",
        "substr",
        "repeat",
        "wrap",
        "nospace",
        "initials",
        "plural",
        "swapcase",
        "shuffle",
        "abbrev",
        "abbrevboth",
        "untitle",
        "trimAll",
        "trimall",
        "hasSuffix",
        "mustRegexMatch",
        "regexSplit",
        "regexFindAll",
        "mustDeepCopy",
        "kindOf",
        "typeIsLike",
        "deepEqual",
        "env",
        "expandenv",
        "biggest",
        "addf",
        "subf",
        "mulf",
        "divf",
        "maxf",
        "minf",
        "toDecimal",
        "toStrings",
        "untilStep",
        "all",
        "any",
        "chunk",
        "slice",
        "mustSlice",
        "rest",
        "initial",
        "prepend",
        "push",
        "mustAppend",
        "mustPrepend",
        "mustFirst",
        "mustLast",
        "mustRest",
        "mustInitial",
        "mustReverse",
        "mustUniq",
        "mustWithout",
        "mustHas",
        "mustCompact",
        "mustChunk",
        "mustMergeOverwrite",
        "getHostByName",
        "osBase",
        "osDir",
        "osExt",
        "osClean",
        "osIsAbs",
        "clean",
        "ext",
        "isAbs",
        "b32enc",
        "b32dec",
        "encryptAES",
        "decryptAES",
        "bcrypt",
        "genPrivateKey",
        "buildCustomCert",
        "genCAWithKey",
        "genSelfSignedCertWithKey",
        "genSignedCertWithKey",
        "randBytes",
        "randInt",
        "dateInZone",
        "date_in_zone",
        "dateModify",
        "date_modify",
        "mustDateModify",
        "must_date_modify",
        "ago",
        "duration",
        "durationRound",
        "htmlDate",
        "htmlDateInZone",
        "toDate",
        "mustToDate",
        "unixEpoch",
        "regexReplaceAllLiteral",
        "mustRegexReplaceAll",
        "mustRegexReplaceAllLiteral",
        "mustRegexFind",
        "mustRegexFindAll",
        "mustRegexSplit",
        "regexQuoteMeta",
        "wrapWith",
        "sha512sum",
        "toPrettyJson",
        "mustToPrettyJson",
        "mustToRawJson",
        "fromToml",
        "mustToYaml",
        "mustFromYaml",
        "hello",
    ] {
        if !t.contains(name) {
            t.add(name, &[], Some(Param::Any), |_| Ok(Value::Nil));
        }
    }
    t
}

fn bench_parse(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/charts");
    let mut files = Vec::new();
    collect(&root, &mut files);
    if files.is_empty() {
        eprintln!(
            "skipping parse benchmark: corpus not found at {}",
            root.display()
        );
        return;
    }
    let bytes: usize = files.iter().map(|(_, s)| s.len()).sum();
    let funcs = permissive_funcs();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("parse_corpus", |b| {
        b.iter(|| {
            let mut e = Engine::new(funcs.clone());
            for (name, src) in &files {
                let _ = e.parse(name, src);
            }
            e
        })
    });
    g.finish();
}

const EXEC_SRC: &str = r#"
{{- define "lib.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}
{{- define "lib.labels" -}}
app: {{ include "lib.name" . }}
{{- range $k, $v := .Values.labels }}
{{ $k }}: {{ $v }}
{{- end }}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "lib.name" . }}
  labels:
    {{- include "lib.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
      {{- range $i, $c := .Values.containers }}
        - name: {{ $c.name }}
          image: {{ printf "%s:%s" $c.image $c.tag }}
          {{- if $c.ports }}
          ports:
          {{- range $c.ports }}
            - containerPort: {{ . }}
          {{- end }}
          {{- end }}
          {{- with $c.env }}
          env:
          {{- range $k, $v := . }}
            - name: {{ $k }}
              value: {{ $v }}
          {{- end }}
          {{- end }}
      {{- end }}
"#;

fn exec_data() -> Value {
    let labels = Map::new();
    for i in 0..20 {
        labels.insert(format!("label{i}"), Value::str(format!("value{i}")));
    }
    let containers: Vec<Value> = (0..20)
        .map(|i| {
            let m = Map::new();
            m.insert("name", Value::str(format!("c{i}")));
            m.insert("image", Value::str("repo/image"));
            m.insert("tag", Value::str("1.2.3"));
            m.insert(
                "ports",
                Value::list(vec![Value::Float(80.0), Value::Float(443.0)]),
            );
            let env = Map::new();
            for j in 0..10 {
                env.insert(format!("ENV_{j}"), Value::str("x"));
            }
            m.insert("env", Value::Map(env));
            Value::Map(m)
        })
        .collect();
    let values = Map::new();
    values.insert("labels", Value::Map(labels));
    values.insert("replicas", Value::Float(3.0));
    values.insert("containers", Value::list(containers));
    let top = Map::new();
    top.insert("Values", Value::Map(values));
    top.insert("Chart", helm_core::vmap! { "Name" => "demo" });
    top.insert("Release", helm_core::vmap! { "Name" => "rel" });
    Value::Map(top)
}

fn bench_execute(c: &mut Criterion) {
    let mut funcs = FuncTable::helm();
    if !funcs.contains("nindent") {
        funcs.add("nindent", &[Param::Int, Param::String], None, |a| {
            let n = a[0].as_i64().unwrap_or(0) as usize;
            let pad = " ".repeat(n);
            let s = a[1].as_str().unwrap_or("");
            Ok(Value::from(format!(
                "\n{pad}{}",
                s.replace('\n', &format!("\n{pad}"))
            )))
        });
    }
    let mut e = Engine::new(funcs);
    e.parse("deploy.yaml", EXEC_SRC)
        .expect("benchmark template parses");
    let data = exec_data();
    let out_len = e
        .execute("deploy.yaml", &data)
        .expect("benchmark template runs")
        .len();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(out_len as u64));
    g.bench_function("execute_deployment", |b| {
        b.iter(|| e.execute("deploy.yaml", &data))
    });
    g.finish();
    // The fixed cost of one execution (dominated by starting the big-stack thread).
    let mut tiny = Engine::new(FuncTable::helm());
    tiny.parse("tiny", "{{ .Release.Name }}").expect("parses");
    c.bench_function("engine/execute_tiny", |b| {
        b.iter(|| tiny.execute("tiny", &data))
    });
}

criterion_group!(benches, bench_parse, bench_execute);
criterion_main!(benches);
