//! Sprig semver functions against outputs recorded from Go (Masterminds/semver v3.4.0).
mod common;
use common::*;
use helm_core::Value;

fn method(v: &Value, name: &str, args: &[Value]) -> Value {
    match v {
        Value::Object(o) => o.call_method(name, args).unwrap(),
        _ => panic!("not an object"),
    }
}

#[test]
fn semver_objects_match_go() {
    let v = call("semver", &[s("v1.2.3-beta.1+build.5")]).unwrap();
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&v),
        "1.2.3-beta.1+build.5"
    );
    assert!(matches!(method(&v, "Major", &[]), Value::Uint(1)));
    assert!(matches!(method(&v, "Minor", &[]), Value::Uint(2)));
    assert!(matches!(method(&v, "Patch", &[]), Value::Uint(3)));
    assert_eq!(method(&v, "Prerelease", &[]), s("beta.1"));
    assert_eq!(method(&v, "Metadata", &[]), s("build.5"));
    assert_eq!(method(&v, "Original", &[]), s("v1.2.3-beta.1+build.5"));
    assert_eq!(method(&v, "String", &[]), s("1.2.3-beta.1+build.5"));
    assert_eq!(v.go_type_name(), "*semver.Version");
    assert_eq!(v.go_kind_name(), "ptr");

    let v = call("semver", &[s("1.2")]).unwrap();
    assert_eq!(show("toString", std::slice::from_ref(&v)), "1.2.0");
    assert!(matches!(
        method(&v, "Compare", &[call("semver", &[s("1.2.0")]).unwrap()]),
        Value::Int(0)
    ));
    assert_eq!(
        method(&v, "LessThan", &[call("semver", &[s("1.3")]).unwrap()]),
        Value::Bool(true)
    );
    let inc = method(&v, "IncMinor", &[]);
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&inc),
        "1.3.0"
    );
    assert_eq!(inc.go_type_name(), "semver.Version");
    match &inc {
        Value::Object(o) => assert!(!o.has_method("Original")),
        _ => unreachable!(),
    }
    assert_eq!(method(&v, "Original", &[]), s("1.2"));
    let p = call("semver", &[s("v1.2.3")]).unwrap();
    assert_eq!(
        helm_core::template::funcs::conversion::format_v(&method(&p, "IncPatch", &[])),
        "1.2.4"
    );
    let cmp = |a: &str, b: &str| {
        method(
            &call("semver", &[s(a)]).unwrap(),
            "Compare",
            &[call("semver", &[s(b)]).unwrap()],
        )
    };
    assert!(matches!(cmp("1.0.0", "1.0.0-alpha"), Value::Int(1)));
    assert!(matches!(cmp("1.0.0-alpha.1", "1.0.0-alpha"), Value::Int(1)));
    assert!(matches!(cmp("1.0.0-1", "1.0.0-a"), Value::Int(-1)));

    check_one(
        "semver",
        &[
            ("01.2.3", "1.2.3"),
            ("1.2.3.4", "ERR: invalid semantic version"),
            ("1.2.3-01", "ERR: version segment starts with 0"),
            ("", "ERR: invalid semantic version"),
            ("1.2.3-", "ERR: invalid semantic version"),
            ("1.2.3+a..b", "ERR: invalid semantic version"),
        ],
    );
}

#[test]
fn semver_constraints_match_go() {
    let t = |c: &str, v: &str, want: &str| (c.to_string(), v.to_string(), want.to_string());
    let cases = [
        t(">=1.19-0", "v1.25.3-gke.100", "true"),
        t(">=1.19", "v1.25.3-gke.100", "false"),
        t("^1.2.3", "1.9.0", "true"),
        t("^0.2.3", "0.3.0", "false"),
        t("~1.2.3", "1.2.9", "true"),
        t("~1.2.3", "1.3.0", "false"),
        t("1.2 - 1.4", "1.4.5", "true"),
        t("1.2 - 1.4", "1.5.0", "false"),
        t("<1.0 || >=2.0", "1.5.0", "false"),
        t("1.x", "1.9.9", "true"),
        t("*", "1.9.9-alpha", "false"),
        t(">1.2", "1.2.5", "false"),
        t("!=1.2.x", "1.2.5", "false"),
        t(">= 1.2, < 2", "1.5", "true"),
        t("=1.2.3", "1.2.3+meta", "true"),
        t("<=1.2", "1.2.9", "true"),
        t("foo", "1.0", "ERR: improper constraint: foo"),
        t(">1.0", "bad", "ERR: invalid semantic version"),
        t("", "1.0.0", "ERR: improper constraint: "),
        t(">=1.0.0-alpha", "1.0.0-beta", "true"),
        t("^0.0.3", "0.0.4", "false"),
        t("~0", "0.5.0", "true"),
        t("^0.x", "0.5.0", "true"),
        t("> 1.0.0-alpha.1", "1.0.0-alpha.beta", "true"),
        t("<1.0.0-1", "1.0.0-alpha", "false"),
        t("1.2.3 - 2.3.4 || 3.x", "3.1.0", "true"),
        t(">1.x", "2.0.0", "true"),
        t(">1.x", "1.5.0", "false"),
        t("<1.x", "0.9.0", "true"),
        t("<=1.2.x", "1.2.99", "true"),
        t("!=1.2.3", "1.2.4", "true"),
        t("> 1.2.x", "1.3.0", "true"),
        t("^1.x", "1.0.0-rc", "false"),
        t(">=1.2.3", "99999999999999999999.0.0", "ERR: error parsing version segment: strconv.ParseUint: parsing \"99999999999999999999\": value out of range"),
        t("<1.2.3>", "1.0.0", "ERR: improper constraint: <1.2.3>"),
        t(">= 1.2 <= 1.3", "1.2.5", "true"),
        t(">=1.2,<=1.3", "1.2.5", "true"),
        t(">= 01.2", "1.2.5", "true"),
        t("  1.2", "1.2.5", "true"),
        t("1.2.3||1.2.4", "1.2.4", "true"),
        t(">=1.2.3 <2", "1.5.0", "true"),
        t("~> 1.2", "1.9", "false"),
        t("=>1.2", "1.9", "true"),
        t("v1.2.3", "1.2.3", "true"),
    ];
    let mut bad = Vec::new();
    for (c, v, want) in &cases {
        let got = show("semverCompare", &[s(c), s(v)]);
        if &got != want {
            bad.push(format!("semverCompare {c:?} {v:?}: got {got}, want {want}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// 64 constraints × 29 versions, results recorded from Masterminds/semver v3.4.0
/// (`sprig1_data/semver_go.json`, generated by `sprig1_data/gen_semver_go.go.txt`).
#[test]
fn semver_constraint_table_matches_go() {
    let rows: Vec<Vec<String>> = sprig_rows("semver_go.json");
    assert!(rows.len() > 1800);
    assert_rows(&rows, |r, bad| {
        let got = show("semverCompare", &[s(&r[0]), s(&r[1])]);
        if got != r[2] {
            bad.push(format!(
                "semverCompare {:?} {:?}: got {got}, want {}",
                r[0], r[1], r[2]
            ));
        }
    });
}
