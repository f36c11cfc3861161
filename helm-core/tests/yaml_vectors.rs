//! The conformance vectors whose template is `toYaml`/`toJson` of the vector chart's values:
//! read values.yaml with our reader, write with our writers, compare with Helm 4.1.4's output.

mod common;
use helm_core::values::{json, yaml, Value};

fn vector(vectors: &Value, id: &str) -> Option<String> {
    vectors.as_list()?.iter().find_map(|v| {
        let m = v.as_map()?;
        if m.get("id")?.as_str()? == id {
            m.get("output")?.as_str().map(str::to_string)
        } else {
            None
        }
    })
}

#[test]
fn vector_chart_values_through_to_yaml_and_to_json() {
    let Some((root, vectors)) = common::conformance_vectors() else {
        return;
    };
    let values =
        yaml::from_str(&std::fs::read_to_string(root.join("vector-chart/values.yaml")).unwrap())
            .unwrap();
    let m = values.as_map().unwrap().clone();
    let to_yaml = |v: &Value| {
        yaml::to_string(v)
            .unwrap()
            .trim_end_matches('\n')
            .to_string()
    };
    let cases: Vec<(&str, String)> = vec![
        ("v0478", to_yaml(&values)),
        ("v0557", to_yaml(&values)),
        ("v0485", json::to_string(&values)),
        ("v0561", json::to_string(&values)),
        ("v0624", to_yaml(&m.get("longstr").unwrap())),
        ("v0661", to_yaml(&m.get("specialkeys").unwrap())),
        ("v0668", to_yaml(&m.get("emptyish").unwrap())),
        ("v0669", to_yaml(&m.get("strings").unwrap())),
        (
            "v0562",
            json::to_string_indent(&m.get("nested").unwrap(), "", "  "),
        ),
    ];
    let mut checked = 0;
    for (id, got) in cases {
        if let Some(want) = vector(&vectors, id) {
            assert_eq!(got, want, "vector {id}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no vectors found");
}
