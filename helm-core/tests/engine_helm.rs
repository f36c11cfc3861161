//! Helm's engine functions (`include`, `tpl`, `required`, `fail`), objects with fields and
//! methods, options and safety limits. Expected texts were checked against Helm 4.1.4
//! (`helm template` on a small chart) or Go's text/template.

use helm_core::render::objects::VersionSet;
use helm_core::template::funcs::{FuncError, FuncTable, Param};
use helm_core::template::{Engine, Limits, TemplateError};
use helm_core::values::{Map, Object, Value};
use helm_core::vmap;
use std::sync::Arc;

/// Helm's table plus tiny stand-ins for the few Sprig functions these tests use (the real
/// ones live in other modules and are tested there).
fn funcs() -> FuncTable {
    let mut t = FuncTable::helm();
    t.add("int", &[Param::Any], None, |a| {
        Ok(Value::Int(match &a[0] {
            Value::Float(f) => *f as i64,
            v => v.as_i64().unwrap_or(0),
        }))
    });
    t.add("sub", &[Param::Any, Param::Any], None, |a| {
        Ok(Value::Int64(
            a[0].as_i64().unwrap_or(0) - a[1].as_i64().unwrap_or(0),
        ))
    });
    t.add("upper", &[Param::String], None, |a| {
        Ok(Value::from(a[0].as_str().unwrap_or("").to_uppercase()))
    });
    t.add("gt", &[Param::Any, Param::Any], None, |a| {
        Ok(Value::Bool(a[0].as_i64() > a[1].as_i64()))
    });
    t
}

fn data() -> Value {
    vmap! {
        "Values" => vmap! { "x" => 1.0, "s" => "str" },
        "Template" => vmap! { "Name" => "c1/templates/a.yaml", "BasePath" => "c1/templates" },
        "Capabilities" => Value::Object(Arc::new(Caps)),
    }
}

const HELPERS: &str = r#"
{{- define "h.name" -}}name-{{ .Values.x }}{{- end -}}
{{- define "h.rec" -}}{{ if gt (int .) 0 }}{{ . }},{{ include "h.rec" (sub (int .) 1) }}{{ end }}{{- end -}}
{{- define "h.fail" }}{{ fail "deep" }}{{ end -}}
{{- define "h.loop" }}{{ include "h.loop" . }}{{ end -}}
"#;

fn engine_with(name: &str, src: &str) -> Engine {
    let mut e = Engine::new(funcs());
    e.parse("c1/templates/_h.tpl", HELPERS)
        .expect("helpers parse");
    e.parse(name, src).expect("template parses");
    e
}

fn render(src: &str) -> Result<String, TemplateError> {
    engine_with("c1/templates/a.yaml", src).execute("c1/templates/a.yaml", &data())
}

#[test]
fn include_template_and_tpl_as_helm() {
    // Output verified with helm-oracle (Helm 4.1.4).
    let src = r#"a: {{ include "h.name" . }}
b: {{ include "h.rec" 5 }}
c: {{ tpl "{{ define \"t1\" }}T1{{ end }}{{ include \"t1\" . }}-{{ include \"h.name\" . }}" . }}
d: {{ required "x needed" .Values.x }}
e: {{ template "h.name" . }}
f: {{ tpl "{{ .Values.nope }}|{{ .Values.x }}" . }}
g: {{ print .Values.nope }}
h: {{ include "h.name" . | upper }}
i: {{ tpl "{{ .Template.Name }}" . }}"#;
    let out = render(src).expect("renders");
    assert_eq!(
        out,
        "a: name-1\nb: 5,4,3,2,1,\nc: T1-name-1\nd: 1\ne: name-1\nf: |1\ng: <nil>\nh: NAME-1\ni: c1/templates/a.yaml"
    );
}

#[test]
fn tpl_defines_do_not_leak() {
    let e = engine_with(
        "a",
        r#"{{ tpl "{{ define \"only.tpl\" }}x{{ end }}" . }}{{ include "only.tpl" . }}"#,
    );
    let err = e.execute("a", &data()).unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"template: no template "only.tpl" associated with template "gotpl""#),
        "{err}"
    );
}

#[test]
fn fail_and_required_messages() {
    let cases = [
        (
            r#"{{ fail "boom" }}"#,
            "execution error at (c1/templates/a.yaml:1:3): boom",
        ),
        (
            r#"a: {{ required "need x" .Values.nope }}"#,
            "execution error at (c1/templates/a.yaml:1:6): need x",
        ),
        (
            r#"{{ required "need" "" }}"#,
            "execution error at (c1/templates/a.yaml:1:3): need",
        ),
        (
            r#"{{ tpl "{{ fail \"inner\" }}" . }}"#,
            "execution error at (c1/templates/a.yaml:1:3): inner",
        ),
        (
            r#"{{ include "h.fail" . }}"#,
            "execution error at (c1/templates/a.yaml:1:3): deep",
        ),
    ];
    for (src, want) in cases {
        let err = render(src).unwrap_err();
        assert_eq!(err.helm_message(), want, "for {src}");
    }
}

#[test]
fn go_error_texts_as_helm_shows_them() {
    let cases = [
        (
            r#"{{ tpl "{{ .x" . }}"#,
            r#"template: c1/templates/a.yaml:1:3: executing "c1/templates/a.yaml" at <tpl "{{ .x" .>: error calling tpl: cannot parse template "{{ .x": template: gotpl:1: unclosed action"#,
        ),
        (
            r#"{{ include "h.name" }}"#,
            r#"template: c1/templates/a.yaml:1:3: executing "c1/templates/a.yaml" at <include>: wrong number of args for include: want 2 got 1"#,
        ),
        (
            r#"{{ required "m" .Values.x }}{{ required 1 2 }}"#,
            r#"template: c1/templates/a.yaml:1:40: executing "c1/templates/a.yaml" at <1>: expected string; found 1"#,
        ),
        (
            r#"{{ tpl "{{ .x.y }}" .Values }}"#,
            r#"template: c1/templates/a.yaml:1:3: executing "c1/templates/a.yaml" at <tpl "{{ .x.y }}" .Values>: error calling tpl: error during tpl function execution for "{{ .x.y }}": template: gotpl:1:5: executing "gotpl" at <.x.y>: can't evaluate field y in type interface {}"#,
        ),
        (
            r#"{{ include "nope" . }}"#,
            r#"template: c1/templates/a.yaml:1:3: executing "c1/templates/a.yaml" at <include "nope" .>: error calling include: template: no template "nope" associated with template "gotpl""#,
        ),
    ];
    for (src, want) in cases {
        let err = render(src).unwrap_err();
        assert_eq!(err.to_string(), want, "for {src}");
    }
    let mut e = Engine::new(funcs());
    let pe = e.parse("c1/templates/x.yaml", "{{ if }}").unwrap_err();
    assert_eq!(
        pe.helm_message(),
        "parse error at (c1/templates/x.yaml:1): missing value for if"
    );
}

#[test]
fn include_recursion_is_stopped_like_helm() {
    let err = render(r#"{{ include "h.loop" . }}"#).unwrap_err();
    let text = err.to_string();
    assert!(
        text.ends_with("error calling include: rendering template has a nested reference name: h.loop: unable to execute template"),
        "{}",
        &text[text.len().saturating_sub(300)..]
    );
}

#[test]
fn missing_key_modes() {
    let mut e = Engine::new(funcs());
    e.parse("t", "{{ .Values.nope }}").unwrap();
    assert_eq!(e.execute("t", &data()).unwrap(), "<no value>");
    e.set_missing_key_error(true);
    let err = e.execute("t", &data()).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: t:1:10: executing "t" at <.Values.nope>: map has no entry for key "nope""#
    );
}

#[test]
fn later_definitions_replace_earlier_but_empty_ones_do_not() {
    let mut e = Engine::new(funcs());
    e.parse("a", r#"{{ define "x" }}one{{ end }}"#).unwrap();
    e.parse("b", r#"{{ define "x" }}two{{ end }}"#).unwrap();
    e.parse("c", r#"{{ define "x" }}  {{ end }}{{ template "x" }}"#)
        .unwrap();
    assert_eq!(e.execute("c", &Value::Nil).unwrap(), "two");
    let err = e
        .parse(
            "d",
            r#"{{ define "y" }}1{{ end }}{{ define "y" }}2{{ end }}"#,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: d:1: template: multiple definition of template "y""#
    );
}

#[test]
fn limits_stop_runaway_templates() {
    let mut e = Engine::new(funcs());
    e.set_limits(Limits {
        max_steps: 10_000,
        max_output: 1000,
        max_depth: 1000,
        ..Limits::default()
    });
    e.parse("loop", "{{ range 1000000000 }}{{ end }}").unwrap();
    let err = e.execute("loop", &Value::Nil).unwrap_err();
    assert!(err.message.contains("execution steps"), "{err}");
    e.parse("big", "{{ range 500 }}xxxxxxxxxx{{ end }}")
        .unwrap();
    let err = e.execute("big", &Value::Nil).unwrap_err();
    assert!(err.message.contains("output exceeds"), "{err}");
    e.parse(
        "self",
        r#"{{ define "s" }}{{ template "s" . }}{{ end }}{{ template "s" . }}"#,
    )
    .unwrap();
    let err = e.execute("self", &Value::Nil).unwrap_err();
    assert!(
        err.to_string()
            .contains("exceeded maximum template depth (1000)"),
        "{err}"
    );
}

#[test]
fn maps_are_shared_references() {
    let mut t = funcs();
    t.add(
        "setk",
        &[Param::Map, Param::String, Param::Any],
        None,
        |a| {
            let m = a[0].as_map().ok_or_else(|| FuncError::new("not a map"))?;
            m.insert(a[1].as_str().unwrap_or(""), a[2].clone());
            Ok(a[0].clone())
        },
    );
    let mut e = Engine::new(t);
    e.parse(
        "t",
        r#"{{ $d := .m }}{{ $_ := setk $d "k" "v" }}{{ .m.k }}"#,
    )
    .unwrap();
    assert_eq!(e.execute("t", &vmap! { "m" => Map::new() }).unwrap(), "v");
}

/// A stand-in for Helm's `.Capabilities`, holding the real `.Capabilities.APIVersions` (a
/// method taking an argument).
struct Caps;

impl Object for Caps {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "APIVersions" => Some(Value::Object(Arc::new(VersionSet(vec![
                "v1".into(),
                "apps/v1".into(),
            ])))),
            "KubeVersion" => Some(vmap! { "Major" => "1" }),
            _ => None,
        }
    }
    fn go_string(&self) -> String {
        "&{...}".into()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[test]
fn object_fields_and_methods() {
    let out = render(
        r#"{{ .Capabilities.APIVersions.Has "v1" }} {{ .Capabilities.APIVersions.Has "x/v9" }} {{ if .Capabilities.APIVersions.Has "apps/v1" }}yes{{ end }} {{ .Capabilities.KubeVersion.Major }} {{ .Capabilities.APIVersions }} {{ "v1" | .Capabilities.APIVersions.Has }}"#,
    )
    .unwrap();
    assert_eq!(out, "true false yes 1 [v1 apps/v1] true");
    let err = render("{{ .Capabilities.Nope }}").unwrap_err();
    assert_eq!(
        err.message,
        "can't evaluate field Nope in type *chartutil.Capabilities"
    );
}

#[test]
fn engine_is_shareable_and_reports_unknown_names() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    let e = Engine::new(funcs());
    let err = e.execute("nope.yaml", &Value::Nil).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: no template "nope.yaml" associated with template "gotpl""#
    );
}

/// Helm 4's multi-line form of execution errors (`reformatExecErrorMsg`), and the cases it
/// leaves as Go printed them. Expected texts are Helm 4.1.4's (`helm template` stderr).
#[test]
fn exec_errors_reformatted_like_helm_4() {
    let cases = [
        (
            r#"{{ .Values.a.b.c }}"#,
            "c1/templates/a.yaml:1:10\n  executing \"c1/templates/a.yaml\" at <.Values.a.b.c>:\n    nil pointer evaluating interface {}.b",
        ),
        (
            r#"{{ toYaml }}"#,
            "c1/templates/a.yaml:1:3\n  executing \"c1/templates/a.yaml\" at <toYaml>:\n    wrong number of args for toYaml: want 1 got 0",
        ),
        (
            r#"{{ include "nope" . }}"#,
            "c1/templates/a.yaml:1:3\n  executing \"c1/templates/a.yaml\" at <include \"nope\" .>:\n    error calling include:\ntemplate: no template \"nope\" associated with template \"gotpl\"",
        ),
        (
            r#"{{ include "t2" . }}{{ define "t2" }}{{ .Values.q.w }}{{ end }}"#,
            "c1/templates/a.yaml:1:3\n  executing \"c1/templates/a.yaml\" at <include \"t2\" .>:\n    error calling include:\nc1/templates/a.yaml:1:47\n  executing \"t2\" at <.Values.q.w>:\n    nil pointer evaluating interface {}.w",
        ),
        (
            r#"{{ template "nope" }}"#,
            "c1/templates/a.yaml:1:12\n  executing \"c1/templates/a.yaml\" at <{{template \"nope\"}}>:\n    template \"nope\" not defined",
        ),
        // A function's own error stays as Go wrote it.
        (
            r#"{{ index .Values 3 }}"#,
            "template: c1/templates/a.yaml:1:3: executing \"c1/templates/a.yaml\" at <index .Values 3>: error calling index: value has type int; should be string",
        ),
        (
            r#"{{ include "t2" . }}{{ define "t2" }}{{ tpl "{{ .x.y }}" . }}{{ end }}"#,
            "template: c1/templates/a.yaml:1:3: executing \"c1/templates/a.yaml\" at <include \"t2\" .>: error calling include: template: c1/templates/a.yaml:1:40: executing \"t2\" at <tpl \"{{ .x.y }}\" .>: error calling tpl: error during tpl function execution for \"{{ .x.y }}\": template: gotpl:1:5: executing \"gotpl\" at <.x.y>: nil pointer evaluating interface {}.y",
        ),
    ];
    for (src, want) in cases {
        let err = render(src).unwrap_err();
        assert_eq!(err.helm_message(), want, "for {src}");
    }
}
