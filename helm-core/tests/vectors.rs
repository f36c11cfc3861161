//! The template vectors of `../shared/conformance/vectors.json`, run the way its README says:
//! the vector chart with the vector's text as `templates/_case.tpl`, rendered as
//! `helm template rel <chart> -n vec-ns`, and the ConfigMap's `data.out` compared with the
//! reference's output. Error vectors must fail; non-deterministic ones must succeed.
//!
//! The whole pipeline is used (not the engine alone) because the reference's output went through
//! it too: Helm strips `<no value>` from each rendered file, `.Files`/`.Chart` are real objects.

mod common;
use helm_core::chart::{self, File};
use helm_core::render::{self, ReleaseOptions, TemplateOptions};
use helm_core::values::{yaml, Value};

/// Vectors passing required by the template-engine issue (≥ 98 %).
const REQUIRED_PASS_RATE: f64 = 0.98;

/// Renders one vector; `Ok(out)` is the decoded `data.out`.
fn run_vector(base: &chart::Chart, template: &str) -> Result<String, String> {
    let mut c = base.clone();
    c.templates.retain(|f| f.name != "templates/_case.tpl");
    c.templates.push(File {
        name: "templates/_case.tpl".into(),
        data: template.as_bytes().into(),
        modtime: None,
    });
    let opts = TemplateOptions {
        release: ReleaseOptions {
            name: "rel".into(),
            namespace: "vec-ns".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = render::template(c, &Value::empty_map(), &opts).map_err(|e| e.to_string())?;
    // stdout is "---\n# Source: case/templates/out.yaml\n<ConfigMap>\n"
    let doc = out
        .stdout
        .splitn(2, "# Source: case/templates/out.yaml\n")
        .nth(1)
        .ok_or("no out.yaml in output")?;
    let v = yaml::from_str(doc).map_err(|e| format!("output is not YAML: {e}"))?;
    let data = v.as_map().and_then(|m| m.get("data")).ok_or("no data")?;
    let out = data
        .as_map()
        .and_then(|m| m.get("out"))
        .ok_or("no data.out")?;
    // `out` was written as `toJson` of the included string: a JSON string is also a YAML
    // double-quoted scalar, so reading the document already decoded it.
    match out {
        Value::String(s) => Ok(s.to_string()),
        other => Err(format!("data.out is not a string: {other:?}")),
    }
}

#[test]
fn conformance_vectors() {
    let Some((root, vectors)) = common::conformance_vectors() else {
        return;
    };
    let base = chart::load(&root.join("vector-chart")).expect("vector chart loads");
    let field = |v: &Value, k: &str| v.as_map().and_then(|m| m.get(k));
    let (mut pass, mut fail) = (0usize, Vec::new());
    let list = vectors.as_list().expect("vectors.json is a list");
    for v in list {
        let id = field(v, "id")
            .and_then(|x| x.as_str().map(String::from))
            .unwrap_or_default();
        let template = field(v, "template")
            .and_then(|x| x.as_str().map(String::from))
            .unwrap_or_default();
        let deterministic = field(v, "deterministic")
            .and_then(|x| x.as_bool())
            .unwrap_or(true);
        let want_err = field(v, "error").is_some();
        let want = field(v, "output").and_then(|x| x.as_str().map(String::from));
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_vector(&base, &template)
        }))
        .unwrap_or_else(|_| Err("PANIC".to_string()));
        let ok = match (&got, want_err) {
            (Err(_), true) => true,
            (Ok(_), true) => false,
            (Err(_), false) => false,
            (Ok(out), false) => !deterministic || Some(out) == want.as_ref(),
        };
        if ok {
            pass += 1;
        } else {
            let detail = match &got {
                Ok(out) if want_err => format!("expected an error, got {out:?}"),
                Ok(out) => format!("want {:?}\n      got  {out:?}", want.unwrap_or_default()),
                Err(e) => format!("unexpected error: {}", e.lines().next().unwrap_or_default()),
            };
            fail.push(format!("{id}: {template:?}\n      {detail}"));
        }
    }
    let total = list.len();
    for f in &fail {
        println!("FAIL {f}");
    }
    let rate = pass as f64 / total as f64;
    println!("vectors: {pass}/{total} passing ({:.1} %)", rate * 100.0);
    assert!(
        rate >= REQUIRED_PASS_RATE,
        "vector pass rate {:.1} % is under {:.0} %",
        rate * 100.0,
        REQUIRED_PASS_RATE * 100.0
    );
    // Regression floor: every vector of the current shared set passes.
    if total == 471 {
        assert!(
            fail.is_empty(),
            "{} of the 471 shared vectors fail; all passed before",
            fail.len()
        );
    }
}
