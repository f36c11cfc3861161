//! The top-level object's Go structs through the template engine: `.Files` (Get, GetBytes,
//! Glob, Lines, AsConfig, AsSecrets, `%v` and `toJson` forms), `.Capabilities` (KubeVersion,
//! APIVersions.Has, `len`), `.Subcharts` and `%T` names. The expected output is Helm 4.1.4's.

mod common;
use common::template_scratch_chart;

const TEMPLATE: &str = r####"{{- define "c" }}
kvy: {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.KubeVersion.String }}
api: {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }} {{ .Capabilities.APIVersions.Has "x/v1" }}
apil: {{ len .Capabilities.APIVersions }}
apis: {{ .Capabilities.APIVersions }}
sub: {{ .Subcharts }}
get: {{ .Files.Get "files/a.txt" | quote }} {{ .Files.Get "nope" | quote }}
getb: {{ .Files.GetBytes "files/a.txt" }}
glob: {{ .Files.Glob "files/*" }}
lines: {{ .Files.Lines "files/a.txt" }} {{ .Files.Lines "nope" }}
asconfig: |
{{ (.Files.Glob "files/**").AsConfig | indent 2 }}
assecrets: |
{{ (.Files.Glob "files/*").AsSecrets | indent 2 }}
empty: {{ (.Files.Glob "zz/*").AsConfig | quote }} {{ (.Files.Glob "zz/*").AsSecrets | quote }}
tj: {{ .Files | toJson | trunc 80 }}
type: {{ printf "%T %T %T %T %T" .Files .Capabilities .Capabilities.APIVersions .Chart .Release }}
{{- end }}
x: {{ include "c" . | toJson }}
"####;

const EXPECT: &str = r####"---
# Source: c5/templates/a.yaml
x: "\nkvy: v1.35.0 v1.35.0\napi: true false false\napil: 57\napis: [v1 admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1alpha1 admissionregistration.k8s.io/v1beta1 internal.apiserver.k8s.io/v1alpha1 apps/v1 apps/v1beta1 apps/v1beta2 authentication.k8s.io/v1 authentication.k8s.io/v1alpha1 authentication.k8s.io/v1beta1 authorization.k8s.io/v1 authorization.k8s.io/v1beta1 autoscaling/v1 autoscaling/v2 autoscaling/v2beta1 autoscaling/v2beta2 batch/v1 batch/v1beta1 certificates.k8s.io/v1 certificates.k8s.io/v1beta1 certificates.k8s.io/v1alpha1 coordination.k8s.io/v1alpha2 coordination.k8s.io/v1beta1 coordination.k8s.io/v1 discovery.k8s.io/v1 discovery.k8s.io/v1beta1 events.k8s.io/v1 events.k8s.io/v1beta1 extensions/v1beta1 flowcontrol.apiserver.k8s.io/v1 flowcontrol.apiserver.k8s.io/v1beta1 flowcontrol.apiserver.k8s.io/v1beta2 flowcontrol.apiserver.k8s.io/v1beta3 networking.k8s.io/v1 networking.k8s.io/v1beta1 node.k8s.io/v1 node.k8s.io/v1alpha1 node.k8s.io/v1beta1 policy/v1 policy/v1beta1 rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1beta1 rbac.authorization.k8s.io/v1alpha1 resource.k8s.io/v1 resource.k8s.io/v1beta2 resource.k8s.io/v1beta1 resource.k8s.io/v1alpha3 scheduling.k8s.io/v1alpha1 scheduling.k8s.io/v1beta1 scheduling.k8s.io/v1 storage.k8s.io/v1beta1 storage.k8s.io/v1 storage.k8s.io/v1alpha1 storagemigration.k8s.io/v1beta1 apiextensions.k8s.io/v1beta1 apiextensions.k8s.io/v1]\nsub: map[]\nget: \"a\\nb: 1\\n\" \"\"\ngetb: [97 10 98 58 32 49 10]\nglob: map[files/a.txt:[97 10 98 58 32 49 10] files/c.bin:[98 105 110 0 255]]\nlines: [a b: 1] []\nasconfig: |\n  a.txt: |\n    a\n    b: 1\n  b.conf: |\n    x=1\n  c.bin: \"bin\\0�\"\nassecrets: |\n  a.txt: YQpiOiAxCg==\n  c.bin: YmluAP8=\nempty: \"{}\" \"{}\"\ntj: {\"files/a.txt\":\"YQpiOiAxCg==\",\"files/c.bin\":\"YmluAP8=\",\"files/sub/b.conf\":\"eD0xC\ntype: engine.files *common.Capabilities common.VersionSet map[string]interface {} map[string]interface {}"
"####;

#[test]
fn files_and_capabilities_like_helm() {
    let files: &[(&str, &[u8])] = &[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: c5\nversion: 1.0.0\nkubeVersion: \">=1.20.0-0\"\n".as_bytes(),
        ),
        ("files/a.txt", b"a\nb: 1\n"),
        ("files/sub/b.conf", b"x=1\n"),
        ("files/c.bin", b"bin\x00\xff"),
        ("templates/a.yaml", TEMPLATE.as_bytes()),
    ];
    let out = template_scratch_chart("render-objects", files, "rel");
    assert_eq!(out, EXPECT);
}
