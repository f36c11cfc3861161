//! Client-side apply releases (Helm 3's, Helm 4's `--server-side=false`) on a real API server,
//! side by side with Helm 4.1.4 (`../shared/tools/helm-oracle`): a twin release in each of two
//! namespaces, installed client-side by Helm, changed by another manager the same way, then
//! upgraded and rolled back by Helm in one namespace and by helm-rs (default flags: `auto`
//! keeps client-side apply) in the other. The live objects must come out the same (managed
//! fields included, times aside): the same three-way patches were sent.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use common::{env, helm, on_cluster, oracle, outcome, scratch, unique, write_files, Env};
use serde_json::{json, Value as J};

fn rs(env: &Env, args: &[&str]) -> (bool, String, String) {
    outcome(
        on_cluster(env!("CARGO_BIN_EXE_helm-rs"), env, args)
            .output()
            .expect("run helm-rs"),
    )
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.csa.helm-rs.test\nspec:\n  group: csa.helm-rs.test\n  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n";

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app: web
    {{- if .Values.tier }}
    tier: front
    {{- end }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: {{ .Values.image }}
        env:
        - name: A
          value: "1"
        {{- if .Values.envB }}
        - name: B
          value: "2"
        {{- end }}
        ports:
        - containerPort: 80
      volumes:
      - name: cfg
        {{- if .Values.secretVolume }}
        secret: {secretName: s}
        {{- else }}
        configMap: {name: c}
        {{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cm
data:
  a: "1"
  {{- if .Values.keyB }}
  b: "2"
  {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-svc
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
  {{- if .Values.metricsPort }}
  - name: metrics
    port: 9090
  {{- end }}
---
apiVersion: csa.helm-rs.test/v1
kind: Widget
metadata:
  name: {{ .Release.Name }}-w
spec:
  size: {{ .Values.size }}
  {{- if .Values.keyB }}
  color: blue
  {{- end }}
"#;

fn chart(dir: &std::path::Path) -> String {
    let c = dir.join("csa");
    write_files(
        &c,
        &[
            ("Chart.yaml", "apiVersion: v2\nname: csa\nversion: 0.1.0\n"),
            (
                "values.yaml",
                "replicas: 1\nimage: nginx:1\ntier: true\nenvB: true\nkeyB: true\nsize: 1\nsecretVolume: false\nmetricsPort: false\n",
            ),
            ("crds/widget.yaml", CRD),
            ("templates/all.yaml", DEPLOYMENT),
        ],
    );
    c.to_string_lossy().into_owned()
}

const CHANGED: &[&str] = &[
    "--set",
    "replicas=3",
    "--set",
    "image=nginx:2",
    "--set",
    "tier=false",
    "--set",
    "envB=false",
    "--set",
    "keyB=false",
    "--set",
    "size=2",
    "--set",
    "secretVolume=true",
    "--set",
    "metricsPort=true",
];

/// kube-rs on the environment, for what another manager does and for reading objects back.
struct Kube {
    rt: tokio::runtime::Runtime,
    client: kube::Client,
}

impl Kube {
    fn new(env: &Env) -> Kube {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let client = rt.block_on(async {
            let config = kube::Config::from_custom_kubeconfig(
                kube::config::Kubeconfig::read_from(&env.kubeconfig).expect("kubeconfig"),
                &Default::default(),
            )
            .await
            .expect("config");
            kube::Client::try_from(config).expect("client")
        });
        Kube { rt, client }
    }

    fn path(ns: &str, what: &str) -> String {
        match what.split_once('/') {
            Some(("deploy", n)) => format!("/apis/apps/v1/namespaces/{ns}/deployments/{n}"),
            Some(("cm", n)) => format!("/api/v1/namespaces/{ns}/configmaps/{n}"),
            Some(("svc", n)) => format!("/api/v1/namespaces/{ns}/services/{n}"),
            Some(("widget", n)) => format!("/apis/csa.helm-rs.test/v1/namespaces/{ns}/widgets/{n}"),
            _ => panic!("{what}"),
        }
    }

    fn get(&self, ns: &str, what: &str) -> J {
        let req = http::Request::get(Self::path(ns, what))
            .body(Vec::new())
            .unwrap();
        self.rt
            .block_on(self.client.request::<J>(req))
            .unwrap_or_else(|e| panic!("get {what}: {e}"))
    }

    /// A patch by another field manager (as `kubectl patch`/`kubectl annotate` send them).
    fn patch(&self, ns: &str, what: &str, content_type: &str, body: J) {
        let req = http::Request::patch(format!(
            "{}?fieldManager=kubectl-patch",
            Self::path(ns, what)
        ))
        .header("content-type", content_type)
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
        self.rt
            .block_on(self.client.request::<J>(req))
            .unwrap_or_else(|e| panic!("patch {what}: {e}"));
    }

    /// The object without what legitimately differs between twins: identity, times, the
    /// namespace, status and what controllers write on their own schedule.
    fn comparable(&self, ns: &str, what: &str) -> J {
        let mut o = self.get(ns, what);
        o.as_object_mut().unwrap().remove("status");
        let md = o["metadata"].as_object_mut().unwrap();
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "namespace",
            "generation",
        ] {
            md.remove(k);
        }
        if let Some(a) = md.get_mut("annotations").and_then(J::as_object_mut) {
            a.remove("deployment.kubernetes.io/revision");
            if a.is_empty() {
                md.remove("annotations");
            }
        }
        if let Some(J::Array(mf)) = md.get_mut("managedFields") {
            // Controllers' own entries (status, revision annotations) come and go with timing.
            mf.retain(|e| matches!(e["manager"].as_str(), Some("helm") | Some("kubectl-patch")));
            for e in mf.iter_mut() {
                let e = e.as_object_mut().unwrap();
                e.remove("time");
                if let Some(f) = e
                    .get_mut("fieldsV1")
                    .and_then(|f| f.get_mut("f:metadata"))
                    .and_then(|m| m.get_mut("f:annotations"))
                    .and_then(J::as_object_mut)
                {
                    f.remove("f:deployment.kubernetes.io/revision");
                }
            }
            mf.sort_by_key(|e| e.to_string());
        }
        if let Some(ip) = o.pointer_mut("/spec/clusterIP") {
            *ip = J::Null;
        }
        if let Some(ips) = o.pointer_mut("/spec/clusterIPs") {
            *ips = J::Null;
        }
        o
    }
}

const OBJECTS: &[&str] = &["deploy/app-web", "cm/app-cm", "svc/app-svc", "widget/app-w"];

fn assert_twins(k: &Kube, ns_h: &str, ns_r: &str, step: &str) {
    for what in OBJECTS {
        // The release namespace appears in Helm's ownership annotation.
        let masked = |ns: &str| -> J {
            serde_json::from_str(&k.comparable(ns, what).to_string().replace(ns, "NS")).unwrap()
        };
        let (h, r) = (masked(ns_h), masked(ns_r));
        assert_eq!(
            r,
            h,
            "{step}: {what} differs (left: helm-rs's, right: Helm's)\nhelm-rs: {}\nHelm:    {}",
            serde_json::to_string_pretty(&r).unwrap(),
            serde_json::to_string_pretty(&h).unwrap()
        );
    }
}

/// Another manager's changes, the same in both namespaces: an annotation on the Deployment and
/// the ConfigMap, an env var added to the container, a sidecar container.
fn drift(k: &Kube, ns: &str) {
    k.patch(
        ns,
        "deploy/app-web",
        "application/strategic-merge-patch+json",
        json!({"metadata": {"annotations": {"team": "ops"}}, "spec": {"template": {"spec": {"containers": [
            {"name": "app", "env": [{"name": "INJECTED", "value": "x"}]},
            {"name": "sidecar", "image": "envoy"}
        ]}}}}),
    );
    k.patch(
        ns,
        "cm/app-cm",
        "application/merge-patch+json",
        json!({"metadata": {"annotations": {"team": "ops"}}, "data": {"fromController": "y"}}),
    );
    k.patch(
        ns,
        "widget/app-w",
        "application/merge-patch+json",
        json!({"spec": {"extra": "kept"}}),
    );
}

fn ok(what: &str, r: (bool, String, String)) -> String {
    assert!(r.0, "{what} failed: {}{}", r.1, r.2);
    r.1
}

fn apply_method(env: &Env, h: &std::path::Path, name: &str, ns: &str) -> String {
    let out = ok(
        "get metadata",
        helm(env, h, &["get", "metadata", name, "-n", ns, "-o", "json"]),
    );
    let v: J = serde_json::from_str(&out).expect("metadata json");
    v["applyMethod"].as_str().unwrap_or("").to_string()
}

#[test]
fn client_side_releases_upgrade_and_roll_back_as_helms() {
    let Some(env) = env() else { return };
    let Some(h) = oracle() else {
        eprintln!("SKIP: helm-oracle not present");
        return;
    };
    let dir = scratch("csa");
    let chart = chart(&dir);
    let (ns_h, ns_r) = (unique("csa-h"), unique("csa-r"));
    let k = Kube::new(env);
    for ns in [&ns_h, &ns_r] {
        ok(
            "helm install --server-side=false",
            helm(
                env,
                &h,
                &[
                    "install",
                    "app",
                    &chart,
                    "-n",
                    ns,
                    "--create-namespace",
                    "--server-side=false",
                ],
            ),
        );
        drift(&k, ns);
    }
    assert_twins(&k, &ns_h, &ns_r, "after install");

    let mut up = vec!["upgrade", "app", chart.as_str(), "-n"];
    let (mut up_h, mut up_r) = (up.clone(), up.clone());
    up_h.push(&ns_h);
    up_r.push(&ns_r);
    up_h.extend_from_slice(CHANGED);
    up_r.extend_from_slice(CHANGED);
    let theirs = ok("helm upgrade", helm(env, &h, &up_h));
    let ours = ok("helm-rs upgrade", rs(env, &up_r));
    let mask = |s: &str, ns: &str| {
        s.lines()
            .filter(|l| !l.starts_with("LAST DEPLOYED"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace(ns, "NS")
    };
    assert_eq!(mask(&ours, &ns_r), mask(&theirs, &ns_h));
    assert_twins(&k, &ns_h, &ns_r, "after upgrade");
    let d = k.get(&ns_r, "deploy/app-web");
    let containers = d["spec"]["template"]["spec"]["containers"].to_string();
    assert!(
        containers.contains("INJECTED") && containers.contains("sidecar"),
        "{containers}"
    );
    assert!(!containers.contains("\"B\""), "{containers}");
    assert_eq!(d["spec"]["replicas"], json!(3));
    assert_eq!(apply_method(env, &h, "app", &ns_r), "csa");

    // Rollback to the first revision, then once more to the second.
    for rev in ["1", "2"] {
        ok(
            "helm rollback",
            helm(env, &h, &["rollback", "app", rev, "-n", &ns_h]),
        );
        ok(
            "helm-rs rollback",
            rs(env, &["rollback", "app", rev, "-n", &ns_r]),
        );
        assert_twins(&k, &ns_h, &ns_r, &format!("after rollback to {rev}"));
        assert_eq!(apply_method(env, &h, "app", &ns_r), "csa");
    }

    // --force-replace under client-side apply: PUT.
    up = vec!["upgrade", "app", chart.as_str(), "--force-replace", "-n"];
    let (mut fr_h, mut fr_r) = (up.clone(), up.clone());
    fr_h.push(&ns_h);
    fr_r.push(&ns_r);
    ok("helm upgrade --force-replace", helm(env, &h, &fr_h));
    ok("helm-rs upgrade --force-replace", rs(env, &fr_r));
    assert_twins(&k, &ns_h, &ns_r, "after --force-replace");

    // --server-side=true moves the release to server-side apply, as before.
    ok(
        "helm upgrade --server-side=true",
        helm(
            env,
            &h,
            &["upgrade", "app", &chart, "-n", &ns_h, "--server-side=true"],
        ),
    );
    ok(
        "helm-rs upgrade --server-side=true",
        rs(
            env,
            &["upgrade", "app", &chart, "-n", &ns_r, "--server-side=true"],
        ),
    );
    assert_eq!(apply_method(env, &h, "app", &ns_r), "ssa");
    assert_twins(&k, &ns_h, &ns_r, "after --server-side=true");
}

#[test]
fn helm_rs_client_side_install_is_upgraded_by_helm() {
    let Some(env) = env() else { return };
    let Some(h) = oracle() else {
        eprintln!("SKIP: helm-oracle not present");
        return;
    };
    let dir = scratch("csa-install");
    let chart = chart(&dir);
    let (ns_h, ns_r) = (unique("csai-h"), unique("csai-r"));
    let k = Kube::new(env);
    ok(
        "helm install",
        helm(
            env,
            &h,
            &[
                "install",
                "app",
                &chart,
                "-n",
                &ns_h,
                "--create-namespace",
                "--server-side=false",
            ],
        ),
    );
    ok(
        "helm-rs install",
        rs(
            env,
            &[
                "install",
                "app",
                &chart,
                "-n",
                &ns_r,
                "--create-namespace",
                "--server-side=false",
            ],
        ),
    );
    assert_eq!(apply_method(env, &h, "app", &ns_r), "csa");
    assert_twins(&k, &ns_h, &ns_r, "after install");
    for ns in [&ns_h, &ns_r] {
        drift(&k, ns);
        let mut args = vec!["upgrade", "app", chart.as_str(), "-n", ns.as_str()];
        args.extend_from_slice(CHANGED);
        ok("helm upgrade", helm(env, &h, &args));
    }
    assert_twins(&k, &ns_h, &ns_r, "after Helm's upgrade");
}
