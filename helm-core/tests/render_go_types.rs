//! Go types Helm gives its template objects, seen through `typeOf`, `toJson` and
//! `toYamlPretty`: `.` and `.Values` are `common.Values`, `.Chart.Annotations` a (possibly nil)
//! `map[string]string`, `.Capabilities` structs keep their field order in JSON and yaml.v3's
//! lower-cased names. Expected output: Helm 4.1.4's `helm template r c`.

mod common;
use common::template_scratch_chart;

const T_YAML: &str = r####"# a: {{ toJson .Chart }}
# b: {{ toJson .Capabilities.KubeVersion }}
# c: {{ toJson .Release }}
# d: {{ toJson .Template }}
# e: {{ toYaml .Capabilities.KubeVersion | replace "\n" " " }}
# f: {{ toJson .Capabilities.HelmVersion }}
# g: {{ typeOf .Values }} {{ typeOf .Chart }} {{ typeOf .Capabilities }} {{ typeOf .Files }} {{ typeOf .Release }}
# h: {{ toYamlPretty .Capabilities.KubeVersion | replace "\n" " " }}
"####;
const U_YAML: &str = r####"# u1: {{ typeOf . }} {{ typeOf .Template }} {{ typeOf .Subcharts.sub }} {{ typeOf .Subcharts.sub.Values }} {{ typeOf .Values.a }}
# u2: {{ typeOf (deepCopy .Values) }} {{ typeOf (merge (dict) .Values) }} {{ typeOf (merge .Values (dict)) }} {{ typeOf (pick .Values "a") }} {{ typeOf (omit .Values "a") }}
# u3: {{ .Chart.Annotations.foo }} {{ range $k, $v := .Chart.Annotations }}{{ $k }}{{ end }} {{ len .Chart.Annotations }} {{ .Chart.Annotations }}
# u4: {{ toYaml .Chart.Annotations }} | {{ toYamlPretty .Chart.Annotations | trim }} | {{ typeOf (dict "v" .Values).v }} {{ kindOf .Values }} {{ printf "%T %v" .Values .Values }}
# u5: {{ $x := .Values }}{{ typeOf $x }} {{ typeOf (index . "Values") }} {{ typeOf $.Values }} {{ typeOf (get . "Values") }} {{ typeOf (values (dict "a" .Values) | first) }}
# u6: {{ toJson . | len }} {{ typeOf .Capabilities.KubeVersion }} {{ include "t" .Values }} {{ tpl "{{ typeOf . }}" . }} {{ typeOf (fromYaml "a: 1") }} {{ typeOf (mustMerge (dict) .Values) }}
{{- define "t" }}{{ typeOf . }}{{ end }}
"####;
const S_YAML: &str = r####"# s1: {{ typeOf . }} {{ typeOf .Values }} {{ typeOf .Template }} {{ typeOf .Chart.Annotations }} {{ toJson .Chart.Annotations }}
"####;
const EXPECT: &str = r####"---
# Source: c/charts/sub/templates/s.yaml
# s1: common.Values common.Values common.Values map[string]string {"x":"y"}
---
# Source: c/templates/t.yaml
# a: {"APIVersion":"v2","Annotations":null,"AppVersion":"2","Condition":"","Dependencies":[],"Deprecated":false,"Description":"d","Home":"","Icon":"","IsRoot":true,"Keywords":[],"KubeVersion":"","Maintainers":[],"Name":"c","Sources":[],"Tags":"","Type":"","Version":"1.0.0"}
# b: {"Version":"v1.35.0","Major":"1","Minor":"35"}
# c: {"IsInstall":true,"IsUpgrade":false,"Name":"r","Namespace":"default","Revision":1,"Service":"Helm"}
# d: {"BasePath":"c/templates","Name":"c/templates/t.yaml"}
# e: Major: "1" Minor: "35" Version: v1.35.0
# f: {"version":"v4.1.4","git_commit":"05fa37973dc9e42b76e1d2883494c87174b6074f","git_tree_state":"clean","go_version":"go1.25.9","kube_client_version":"v1.35"}
# g: common.Values map[string]interface {} *common.Capabilities engine.files map[string]interface {}
# h: version: v1.35.0 major: "1" minor: "35"
---
# Source: c/templates/u.yaml
# u1: common.Values common.Values map[string]interface {} common.Values map[string]interface {}
# u2: common.Values map[string]interface {} map[string]interface {} map[string]interface {} map[string]interface {}
# u3:   0 map[]
# u4: null | {} | common.Values map common.Values map[a:map[b:1] sub:map[global:map[] k:v]]
# u5: common.Values common.Values common.Values common.Values common.Values
# u6: 4552 common.KubeVersion common.Values common.Values map[string]interface {} map[string]interface {}
"####;

#[test]
fn template_objects_have_helms_go_types() {
    let out = template_scratch_chart(
        "go-types",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: \"2\"\ndescription: d\n",
            ),
            ("values.yaml", "a:\n  b: 1\n"),
            ("templates/t.yaml", T_YAML),
            ("templates/u.yaml", U_YAML),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\nannotations:\n  x: \"y\"\n",
            ),
            ("charts/sub/values.yaml", "k: v\n"),
            ("charts/sub/templates/s.yaml", S_YAML),
        ],
        "r",
    );
    assert_eq!(out, EXPECT);
}
