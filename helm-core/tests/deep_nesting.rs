//! Deeply nested input through helm-core's readers, coalescing and encoders: Helm's limits
//! where Helm has them (checked against Helm 4.1.4), no stack overflow below them, and no
//! dependence on the thread's stack size (the walks run on a 256 KiB thread here).

use helm_core::chart;
use helm_core::chart_values::coalesce::coalesce_values;
use helm_core::strvals::{parse_set, parse_set_json};
use helm_core::values::{json, yaml, Value};

/// Runs `f` on a thread with a deliberately small stack.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow");
}

fn nested(open: &str, close: &str, n: usize, leaf: &str) -> String {
    format!("{}{leaf}{}", open.repeat(n), close.repeat(n))
}

fn list_depth(v: &Value) -> usize {
    let mut d = 0;
    let mut cur = v.clone();
    while let Value::List(l) = &cur {
        let next = l[0].clone();
        cur = next;
        d += 1;
    }
    d
}

/// `--set a[0]…[0]=1` nests a list per index with no limit in Helm.
#[test]
fn set_with_20000_indexes() {
    on_small_stack(|| {
        let mut v = Value::empty_map();
        parse_set(&format!("a{}=1", "[0]".repeat(20_000)), &mut v).unwrap();
        let a = v.as_map().unwrap().get("a").unwrap();
        assert_eq!(list_depth(&a), 20_000);
        assert_eq!(json::marshal(&v, true).unwrap().len(), 40_007);
    });
}

/// Dotted names: Helm's `MaxNestedNameLevel` (30).
#[test]
fn set_dotted_name_limit() {
    let mut v = Value::empty_map();
    parse_set(&format!("{}=1", vec!["a"; 31].join(".")), &mut v).unwrap();
    let err = parse_set(
        &format!("{}=1", vec!["a"; 32].join(".")),
        &mut Value::empty_map(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "value name nested level is greater than maximum supported nested level of 30"
    );
}

/// `--set-json`: encoding/json's 10,000 levels.
#[test]
fn set_json_limit() {
    on_small_stack(|| {
        let mut v = Value::empty_map();
        parse_set_json(&format!("a={}", nested("[", "]", 10_000, "1")), &mut v).unwrap();
        assert_eq!(list_depth(&v.as_map().unwrap().get("a").unwrap()), 10_000);
        let deep = format!("a={}", nested("[", "]", 10_001, "1"));
        let err = parse_set_json(&deep, &mut Value::empty_map()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("failed parsing --set-json data {deep}")
        );
    });
}

/// Values files: yaml.v2's 10,000 flow levels and 10,000 indents, then the JSON step's
/// 10,000 levels in all (the error texts are Helm's, after its `failed to parse FILE: ` prefix).
#[test]
fn yaml_depth_limits() {
    on_small_stack(|| {
        let flow = |n| format!("a: {}\n", nested("[", "]", n, "1"));
        let v = yaml::from_str_map(&flow(9_999)).unwrap();
        assert_eq!(list_depth(&v.as_map().unwrap().get("a").unwrap()), 9_999);
        let block = |n| format!("a:\n{}1\n", "- ".repeat(n));
        let json_depth = "error unmarshaling JSON: while decoding JSON: invalid character '[' exceeded max depth";
        for (text, want) in [
            (flow(10_000), json_depth),
            (
                flow(10_001),
                "error converting YAML to JSON: yaml: exceeded max depth of 10000",
            ),
            (block(10_000), json_depth),
            (
                block(10_001),
                "error converting YAML to JSON: yaml: line 2: exceeded max depth of 10000",
            ),
        ] {
            assert_eq!(yaml::from_str_map(&text).unwrap_err().message, want);
        }
        // toYaml re-reads its JSON with yaml.v2: 10,000 levels print, 10,001 fail.
        let mut v = Value::empty_map();
        parse_set(&format!("a{}=1", "[0]".repeat(9_999)), &mut v).unwrap();
        assert_eq!(yaml::to_string(&v).unwrap().len(), 20_003);
        let mut v = Value::empty_map();
        parse_set(&format!("a{}=1", "[0]".repeat(10_000)), &mut v).unwrap();
        assert_eq!(
            yaml::to_string(&v).unwrap_err().message,
            "yaml: exceeded max depth of 10000"
        );
    });
}

/// Coalescing 10,000-deep chart values with 10,000-deep user values (Helm printed the same
/// `toJson .Values`; `y` is YAML 1.1's `true`).
#[test]
fn coalescing_deep_maps() {
    let dir = std::env::temp_dir().join(format!("helm-core-deep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        format!("a: {}\n", nested("{a: ", "}", 9_998, "{x: 1, y: 2}")),
    )
    .unwrap();
    let user = yaml::from_str_map(&format!(
        "a: {}\n",
        nested("{a: ", "}", 9_998, "{y: 3, z: null}")
    ))
    .unwrap();
    let c = chart::load(&dir).unwrap();
    on_small_stack(move || {
        let v = coalesce_values(&c, &user).unwrap();
        let got = json::marshal(&v, true).unwrap();
        let want = format!(
            "{{\"a\":{}}}",
            nested("{\"a\":", "}", 9_998, "{\"true\":3,\"x\":1,\"z\":null}")
        );
        assert_eq!(got.len(), 60_019);
        assert_eq!(got, want);
    });
    let _ = std::fs::remove_dir_all(&dir);
}
