//! Rendering a chart with dependencies end to end: aliases (one subchart used three times),
//! conditions (comma lists, YAML 1.1 `on` keys), tags, import-values in both forms, a library
//! subchart, nested subcharts, hooks, test hooks, `--include-crds` and `--show-only`.
//! Every expected output below is what Helm 4.1.4 printed for the same chart and flags.

use helm_core::chart;
use helm_core::render::{self, objects::KubeVersion, ReleaseOptions, RenderError, TemplateOptions};
use helm_core::render::user_values::ValueOptions;
use std::path::PathBuf;

const FILES: &[(&str, &str)] = &[
    ("Chart.yaml", r####"apiVersion: v2
name: d1
version: 1.0.0
dependencies:
- name: sub
  version: "~0.2.0"
  alias: first
  condition: first.enabled,global.never
  import-values:
  - data
  - child: stuff
    parent: imported.stuff
- name: sub
  version: 0.2.x
  alias: second
  condition: nope.missing,second.on
- name: sub
  version: ">=0.1.0"
- name: lib
  version: 1.0.0
- name: tagged
  version: 1.0.0
  tags: [t1, t2]
"####),
    ("charts/lib/Chart.yaml", r####"apiVersion: v2
name: lib
version: 1.0.0
type: library
"####),
    ("charts/lib/templates/_h.tpl", r####"{{- define "lib.name" -}}libname-{{ .Chart.Name }}{{- end -}}
"####),
    ("charts/lib/templates/notused.yaml", r####"kind: Secret
metadata:
  name: fromlib
"####),
    ("charts/sub/Chart.yaml", r####"apiVersion: v2
name: sub
version: 0.2.0
dependencies:
- name: nested
  version: 1.0.0
  condition: nested.enabled
"####),
    ("charts/sub/charts/nested/Chart.yaml", r####"apiVersion: v2
name: nested
version: 1.0.0
"####),
    ("charts/sub/charts/nested/templates/p.yaml", r####"kind: Pod
metadata:
  name: nested-{{ .Release.Name }}-{{ .Values.global.g | default "x" }}
"####),
    ("charts/sub/crds/c.yaml", r####"kind: CustomResourceDefinition
metadata:
  name: subcrd
"####),
    ("charts/sub/templates/s.yaml", r####"apiVersion: v1
kind: Service
metadata:
  name: {{ .Chart.Name }}-{{ .Template.Name }}
  annotations:
    vals: {{ .Values | toJson | quote }}
    isroot: "{{ .Chart.IsRoot }}"
"####),
    ("charts/sub/values.yaml", r####"exports:
  data:
    fromexports: yes
stuff:
  mine: child
  theirs: child
nested:
  enabled: true
"####),
    ("charts/tagged/Chart.yaml", r####"apiVersion: v2
name: tagged
version: 1.0.0
"####),
    ("charts/tagged/templates/t.yaml", r####"kind: Secret
metadata:
  name: tagged
"####),
    ("templates/a.yaml", r####"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "lib.name" . }}
data:
  imported: {{ .Values.imported | toJson | quote }}
  dataimp: {{ .Values.fromexports | toJson | quote }}
  subcharts: {{ keys .Subcharts | sortAlpha | toJson | quote }}
  chartdeps: {{ .Chart.Dependencies | toJson | quote }}
  vals: {{ .Values | toJson | quote }}
"####),
    ("templates/caps.yaml", r####"k: {{ .Capabilities.KubeVersion }} {{ .Capabilities.APIVersions.Has "foo/v1" }} {{ .Release.IsUpgrade }} {{ .Release.IsInstall }}
"####),
    ("templates/hook.yaml", r####"kind: Job
metadata:
  name: h
  annotations:
    "helm.sh/hook": pre-upgrade,post-install
"####),
    ("templates/test.yaml", r####"kind: Pod
metadata:
  name: t
  annotations:
    helm.sh/hook: test-success
"####),
    ("values.yaml", r####"first:
  enabled: true
second:
  on: false
tags:
  t1: false
imported:
  stuff:
    mine: parent
"####),
];

fn write_chart(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helm-rs-render-deps-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, content) in FILES {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(&p, content).expect("write file");
    }
    dir
}

fn opts() -> TemplateOptions {
    TemplateOptions {
        release: ReleaseOptions { name: "rel".into(), namespace: "ns".into(), ..Default::default() },
        ..Default::default()
    }
}

#[test]
fn dependencies_hooks_and_crds_like_helm() {
    let dir = write_chart("full");
    let c = chart::load(&dir).expect("load");
    let o = TemplateOptions { include_crds: true, ..opts() };
    let out = render::template(c, &ValueOptions::default().merge_values().expect("values"), &o).expect("render");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.stdout, EXPECT_FULL);
}

#[test]
fn tags_conditions_from_set_and_show_only() {
    let dir = write_chart("tags");
    let c = chart::load(&dir).expect("load");
    let vo = ValueOptions { values: vec!["tags.t2=true".into(), "first.enabled=false".into()], ..Default::default() };
    let o = TemplateOptions {
        release: ReleaseOptions { name: "rel".into(), ..Default::default() },
        show_only: vec!["templates/*.yaml".into(), "charts/tagged/templates/t.yaml".into()],
        ..Default::default()
    };
    let out = render::template(c, &vo.merge_values().expect("values"), &o).expect("render");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.stdout, EXPECT_TAGS);
}

#[test]
fn show_only_missing_template_fails() {
    let dir = write_chart("showonly");
    let c = chart::load(&dir).expect("load");
    let o = TemplateOptions { show_only: vec!["templates/zz.yaml".into()], ..opts() };
    let err = render::template(c, &ValueOptions::default().merge_values().expect("values"), &o).unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(err.to_string(), "could not find template templates/zz.yaml in chart");
}

#[test]
fn library_chart_is_not_installable() {
    let dir = write_chart("lib");
    let c = chart::load(&dir.join("charts/lib")).expect("load");
    let err = render::template(c, &ValueOptions::default().merge_values().expect("values"), &opts()).unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(err, RenderError::NotInstallable(_)));
    assert_eq!(err.to_string(), "library charts are not installable");
}

#[test]
fn kube_version_constraint() {
    let dir = std::env::temp_dir().join(format!("helm-rs-render-kv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: kv\nversion: 1.0.0\nkubeVersion: \"<1.20.0\"\n").expect("write");
    std::fs::write(dir.join("templates/a.yaml"), "a: 1\n").expect("write");
    let vals = ValueOptions::default().merge_values().expect("values");
    let err = render::template(chart::load(&dir).expect("load"), &vals, &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "chart requires kubeVersion: <1.20.0 which is incompatible with Kubernetes v1.35.0\n\nUse --debug flag to render out invalid YAML"
    );
    let old = TemplateOptions { kube_version: KubeVersion::parse("1.19.2").ok(), ..opts() };
    let out = render::template(chart::load(&dir).expect("load"), &vals, &old).expect("render");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.stdout, "---\n# Source: kv/templates/a.yaml\na: 1\n");
}

const EXPECT_FULL: &str = r####"---
# Source: d1/charts/first/crds/c.yaml
kind: CustomResourceDefinition
metadata:
  name: subcrd

---
# Source: d1/charts/second/crds/c.yaml
kind: CustomResourceDefinition
metadata:
  name: subcrd

---
# Source: d1/charts/sub/crds/c.yaml
kind: CustomResourceDefinition
metadata:
  name: subcrd

---
# Source: d1/templates/a.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: libname-d1
data:
  imported: "{\"stuff\":{\"mine\":\"parent\",\"theirs\":\"child\"}}"
  dataimp: "true"
  subcharts: "[\"first\",\"lib\",\"second\",\"sub\"]"
  chartdeps: "[{\"Alias\":\"first\",\"Condition\":\"first.enabled,global.never\",\"Enabled\":true,\"ImportValues\":[{\"child\":\"exports.data\",\"parent\":\".\"},{\"child\":\"stuff\",\"parent\":\"imported.stuff\"}],\"Name\":\"first\",\"Repository\":\"\",\"Tags\":[],\"Version\":\"~0.2.0\"},{\"Alias\":\"second\",\"Condition\":\"nope.missing,second.on\",\"Enabled\":true,\"ImportValues\":[],\"Name\":\"second\",\"Repository\":\"\",\"Tags\":[],\"Version\":\"0.2.x\"},{\"Alias\":\"\",\"Condition\":\"\",\"Enabled\":true,\"ImportValues\":[],\"Name\":\"sub\",\"Repository\":\"\",\"Tags\":[],\"Version\":\"\\u003e=0.1.0\"},{\"Alias\":\"\",\"Condition\":\"\",\"Enabled\":true,\"ImportValues\":[],\"Name\":\"lib\",\"Repository\":\"\",\"Tags\":[],\"Version\":\"1.0.0\"}]"
  vals: "{\"first\":{\"enabled\":true,\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"}},\"fromexports\":true,\"imported\":{\"stuff\":{\"mine\":\"parent\",\"theirs\":\"child\"}},\"lib\":{\"global\":{}},\"second\":{\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"},\"true\":false},\"sub\":{\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"}},\"tags\":{\"t1\":false}}"
---
# Source: d1/charts/first/templates/s.yaml
apiVersion: v1
kind: Service
metadata:
  name: first-d1/charts/first/templates/s.yaml
  annotations:
    vals: "{\"enabled\":true,\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"}}"
    isroot: "false"
---
# Source: d1/charts/second/templates/s.yaml
apiVersion: v1
kind: Service
metadata:
  name: second-d1/charts/second/templates/s.yaml
  annotations:
    vals: "{\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"},\"true\":false}"
    isroot: "false"
---
# Source: d1/charts/sub/templates/s.yaml
apiVersion: v1
kind: Service
metadata:
  name: sub-d1/charts/sub/templates/s.yaml
  annotations:
    vals: "{\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"}}"
    isroot: "false"
---
# Source: d1/charts/first/charts/nested/templates/p.yaml
kind: Pod
metadata:
  name: nested-rel-x
---
# Source: d1/charts/second/charts/nested/templates/p.yaml
kind: Pod
metadata:
  name: nested-rel-x
---
# Source: d1/charts/sub/charts/nested/templates/p.yaml
kind: Pod
metadata:
  name: nested-rel-x
---
# Source: d1/templates/caps.yaml
k: v1.35.0 false false true
---
# Source: d1/templates/test.yaml
kind: Pod
metadata:
  name: t
  annotations:
    helm.sh/hook: test-success
---
# Source: d1/templates/hook.yaml
kind: Job
metadata:
  name: h
  annotations:
    "helm.sh/hook": pre-upgrade,post-install
"####;

const EXPECT_TAGS: &str = r####"---
# Source: d1/templates/a.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: libname-d1
data:
  imported: "{\"stuff\":{\"mine\":\"parent\"}}"
  dataimp: "null"
  subcharts: "[\"lib\",\"second\",\"sub\",\"tagged\"]"
  chartdeps: "[{\"Alias\":\"second\",\"Condition\":\"nope.missing,second.on\",\"Enabled\":true,\"ImportValues\":[],\"Name\":\"second\",\"Repository\":\"\",\"Tags\":[],\"Version\":\"0.2.x\"},{\"Alias\":\"\",\"Condition\":\"\",\"Enabled\":true,\"ImportValues\":[],\"Name\":\"sub\",\"Repository\":\"\",\"Tags\":[],\"Version\":\"\\u003e=0.1.0\"},{\"Alias\":\"\",\"Condition\":\"\",\"Enabled\":true,\"ImportValues\":[],\"Name\":\"lib\",\"Repository\":\"\",\"Tags\":[],\"Version\":\"1.0.0\"},{\"Alias\":\"\",\"Condition\":\"\",\"Enabled\":true,\"ImportValues\":[],\"Name\":\"tagged\",\"Repository\":\"\",\"Tags\":[\"t1\",\"t2\"],\"Version\":\"1.0.0\"}]"
  vals: "{\"first\":{\"enabled\":false},\"imported\":{\"stuff\":{\"mine\":\"parent\"}},\"lib\":{\"global\":{}},\"second\":{\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"},\"true\":false},\"sub\":{\"exports\":{\"data\":{\"fromexports\":true}},\"global\":{},\"nested\":{\"enabled\":true,\"global\":{}},\"stuff\":{\"mine\":\"child\",\"theirs\":\"child\"}},\"tagged\":{\"global\":{}},\"tags\":{\"t1\":false,\"t2\":true}}"
---
# Source: d1/templates/caps.yaml
k: v1.35.0 false false true
---
# Source: d1/templates/test.yaml
kind: Pod
metadata:
  name: t
  annotations:
    helm.sh/hook: test-success
---
# Source: d1/templates/hook.yaml
kind: Job
metadata:
  name: h
  annotations:
    "helm.sh/hook": pre-upgrade,post-install
---
# Source: d1/charts/tagged/templates/t.yaml
kind: Secret
metadata:
  name: tagged
"####;
