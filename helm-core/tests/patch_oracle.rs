//! Differential test of `helm_core::release::patch` against the Go code Helm 4.1.4 runs:
//! `scripts/patch-oracle` (built by `scripts/test.d/setup-patch-oracle.sh` from the Go module
//! proxy: k8s.io/apimachinery v0.35.1's `CreateThreeWayMergePatch` with the patch metadata of
//! the Go API types, evanphx/json-patch v5's `CreateMergePatch`).
//!
//! Each case's patch is computed by both, with the same patch metadata (the Go types' tags,
//! dumped by the oracle), and compared as JSON values: content, directives and errors must
//! agree. Skips (printing why) when the oracle is not built.

use helm_core::release::patch::{
    create_merge_patch, create_three_way_merge_patch, LookupPatchMeta, PatchMeta,
    TYPED_GROUP_VERSIONS,
};
use serde_json::{json, Value as J};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::rc::Rc;

fn oracle() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(home).join(".cache"));
    let p = cache.join("helm-rs/patch-oracle/current/patch-oracle");
    p.exists().then_some(p)
}

fn run(bin: &PathBuf, input: &J) -> J {
    let mut child = Command::new(bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("patch-oracle runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "patch-oracle failed");
    serde_json::from_slice(&out.stdout).expect("patch-oracle prints JSON")
}

/// The Go types as the oracle describes them, as a patch-meta lookup (the struct-tag path).
struct Types {
    types: HashMap<String, J>,
}

#[derive(Clone)]
struct GoType {
    table: Rc<Types>,
    id: String,
}

impl GoType {
    fn desc(&self) -> &J {
        &self.table.types[&self.id]
    }
    fn kind(&self) -> String {
        self.desc()["kind"].as_str().unwrap().to_string()
    }
    fn at(&self, id: &str) -> GoType {
        GoType {
            table: self.table.clone(),
            id: id.to_string(),
        }
    }
    fn field(&self, key: &str) -> Result<(GoType, PatchMeta), String> {
        let kind = self.kind();
        if kind != "struct" {
            return Err(format!(
                "merging an object in json but data type is not struct, instead is: {kind}"
            ));
        }
        let empty = serde_json::Map::new();
        let fields = self.desc()["fields"].as_object().unwrap_or(&empty);
        let f = fields.get(key).or_else(|| {
            fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        });
        let Some(f) = f else {
            return Err(format!(
                "unable to find api field in struct {} for the json field {key:?}",
                self.desc()["name"].as_str().unwrap_or("")
            ));
        };
        let strategies = match f["strategy"].as_str() {
            Some(s) if !s.is_empty() => s.split(',').map(str::to_string).collect(),
            _ => vec![],
        };
        Ok((
            self.at(f["type"].as_str().unwrap()),
            PatchMeta {
                strategies,
                merge_key: f["mergeKey"].as_str().unwrap_or("").to_string(),
            },
        ))
    }
}

impl LookupPatchMeta for GoType {
    fn lookup_struct(&self, key: &str) -> Result<(Self, PatchMeta), String> {
        self.field(key)
    }
    fn lookup_slice(&self, key: &str) -> Result<(Self, PatchMeta), String> {
        let (t, meta) = self.field(key)?;
        match t.kind().as_str() {
            "slice" | "array" => {
                let elem = t.at(t.desc()["elem"].as_str().unwrap());
                if matches!(elem.kind().as_str(), "slice" | "array") {
                    return Err("unexpected slice of slice".into());
                }
                Ok((elem, meta))
            }
            _ => Err(format!(
                "expected slice or array type, but got: {}",
                self.kind()
            )),
        }
    }
    fn name(&self) -> String {
        self.kind()
    }
}

fn deployment(replicas: i64, containers: J, labels: J) -> J {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": containers, "volumes": [{"name": "cfg", "configMap": {"name": "c"}}]}
            }
        }
    })
}

/// (name, apiVersion, kind, op, original, modified, current)
fn cases() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    J,
    J,
    J,
)> {
    let c1 = json!({"name": "app", "image": "nginx:1", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], "ports": [{"containerPort": 80, "protocol": "TCP"}]});
    let c1b = json!({"name": "app", "image": "nginx:2", "env": [{"name": "A", "value": "1"}], "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443, "protocol": "TCP"}]});
    let side = json!({"name": "sidecar", "image": "envoy"});
    let orig = deployment(
        1,
        json!([c1.clone()]),
        json!({"app": "web", "tier": "front"}),
    );
    let mut live = orig.clone();
    live["metadata"]["annotations"] = json!({"deployment.kubernetes.io/revision": "1"});
    live["metadata"]["resourceVersion"] = json!("123");
    live["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] =
        json!("/dev/termination-log");
    live["spec"]["template"]["spec"]["dnsPolicy"] = json!("ClusterFirst");
    live["status"] = json!({"replicas": 1});
    let mut live_side = live.clone();
    live_side["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(side.clone());
    live_side["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "INJECTED", "value": "x"}));
    let new = deployment(3, json!([c1b.clone()]), json!({"app": "web"}));
    let reordered = deployment(
        1,
        json!([{"name": "b", "image": "x"}, {"name": "a", "image": "y"}]),
        json!({"app": "web", "tier": "front"}),
    );
    let before_reorder = deployment(
        1,
        json!([{"name": "a", "image": "y"}, {"name": "b", "image": "x"}]),
        json!({"app": "web", "tier": "front"}),
    );
    let mut vol_orig = orig.clone();
    vol_orig["spec"]["template"]["spec"]["volumes"] =
        json!([{"name": "cfg", "configMap": {"name": "c"}}]);
    let mut vol_new = orig.clone();
    vol_new["spec"]["template"]["spec"]["volumes"] =
        json!([{"name": "cfg", "secret": {"secretName": "s"}}, {"name": "tmp", "emptyDir": {}}]);
    let mut strategy_orig = orig.clone();
    strategy_orig["spec"]["strategy"] =
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}});
    let mut strategy_new = orig.clone();
    strategy_new["spec"]["strategy"] = json!({"type": "Recreate"});
    let mut strategy_live = strategy_orig.clone();
    strategy_live["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = json!("25%");

    let svc = |ports: J, sel: J| json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "ClusterIP", "selector": sel, "ports": ports}});
    let svc_orig = svc(
        json!([{"name": "http", "port": 80, "targetPort": 8080}, {"name": "https", "port": 443}]),
        json!({"app": "web", "old": "x"}),
    );
    let svc_new = svc(
        json!([{"name": "http", "port": 80, "targetPort": "http"}, {"name": "metrics", "port": 9090}]),
        json!({"app": "web"}),
    );
    let mut svc_live = svc_orig.clone();
    svc_live["spec"]["clusterIP"] = json!("10.0.0.5");
    svc_live["spec"]["ports"][0]["protocol"] = json!("TCP");
    svc_live["spec"]["ports"][1]["protocol"] = json!("TCP");
    // Two ports sharing a port number (merge key `port`): Go's sort and walk order decide.
    let svc_dup = svc(
        json!([{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]),
        json!({"app": "dns"}),
    );
    let svc_dup_new = svc(
        json!([{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}, {"name": "m", "port": 9153}]),
        json!({"app": "dns"}),
    );

    let cm = |data: J| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "1"}}, "data": data});
    let cm_orig = cm(json!({"a": "1", "b": "2"}));
    let cm_new = cm(json!({"a": "1", "c": "3"}));
    let mut cm_live = cm_orig.clone();
    cm_live["metadata"]["annotations"] =
        json!({"kubectl.kubernetes.io/last-applied": "x", "team": "ops"});
    cm_live["data"]["fromController"] = json!("y");

    let pod = |fin: J, containers: J| json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": fin}, "spec": {"containers": containers}});
    let pod_orig = pod(
        json!(["a.io/x", "b.io/y"]),
        json!([{"name": "c", "image": "i", "args": ["1", "2"]}]),
    );
    let pod_new = pod(
        json!(["b.io/y", "c.io/z"]),
        json!([{"name": "c", "image": "i", "args": ["2"]}]),
    );
    let pod_live = pod(
        json!(["a.io/x", "b.io/y", "ctrl.io/keep"]),
        json!([{"name": "c", "image": "i", "args": ["1", "2"], "imagePullPolicy": "IfNotPresent"}]),
    );

    let cr = |spec: J| json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec});

    vec![
        (
            "deployment upgrade: replicas, env removed, port added, label removed",
            "apps/v1",
            "Deployment",
            "smp3",
            orig.clone(),
            new.clone(),
            live.clone(),
        ),
        (
            "live-only sidecar and injected env survive",
            "apps/v1",
            "Deployment",
            "smp3",
            orig.clone(),
            new.clone(),
            live_side.clone(),
        ),
        (
            "no change",
            "apps/v1",
            "Deployment",
            "smp3",
            orig.clone(),
            orig.clone(),
            live.clone(),
        ),
        (
            "no change, live extras",
            "apps/v1",
            "Deployment",
            "smp3",
            orig.clone(),
            orig.clone(),
            live_side.clone(),
        ),
        (
            "containers reordered",
            "apps/v1",
            "Deployment",
            "smp3",
            before_reorder.clone(),
            reordered.clone(),
            before_reorder.clone(),
        ),
        (
            "container added and removed",
            "apps/v1",
            "Deployment",
            "smp3",
            orig.clone(),
            deployment(
                1,
                json!([side.clone()]),
                json!({"app": "web", "tier": "front"}),
            ),
            live_side.clone(),
        ),
        (
            "volume source changed (retainKeys) and volume added",
            "apps/v1",
            "Deployment",
            "smp3",
            vol_orig.clone(),
            vol_new.clone(),
            vol_orig.clone(),
        ),
        (
            "strategy type changed (retainKeys on a struct)",
            "apps/v1",
            "Deployment",
            "smp3",
            strategy_orig.clone(),
            strategy_new.clone(),
            strategy_live.clone(),
        ),
        (
            "rollback: new back to old",
            "apps/v1",
            "Deployment",
            "smp3",
            new.clone(),
            orig.clone(),
            live_side.clone(),
        ),
        (
            "missing live object",
            "apps/v1",
            "Deployment",
            "smp3",
            orig.clone(),
            new.clone(),
            J::Null,
        ),
        (
            "service ports by port, selector key removed",
            "v1",
            "Service",
            "smp3",
            svc_orig.clone(),
            svc_new.clone(),
            svc_live.clone(),
        ),
        (
            "service ports sharing a port number",
            "v1",
            "Service",
            "smp3",
            svc_dup.clone(),
            svc_dup_new.clone(),
            svc_dup.clone(),
        ),
        (
            "configmap key removed, live annotation kept",
            "v1",
            "ConfigMap",
            "smp3",
            cm_orig.clone(),
            cm_new.clone(),
            cm_live.clone(),
        ),
        (
            "configmap labels removed entirely",
            "v1",
            "ConfigMap",
            "smp3",
            cm_orig.clone(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}}),
            cm_live.clone(),
        ),
        (
            "null in the new manifest",
            "v1",
            "ConfigMap",
            "smp3",
            cm_orig.clone(),
            cm(json!({"a": null, "b": "2"})),
            cm_live.clone(),
        ),
        (
            "finalizers (primitive merge list) and args (replaced)",
            "v1",
            "Pod",
            "smp3",
            pod_orig.clone(),
            pod_new.clone(),
            pod_live.clone(),
        ),
        (
            "finalizers unchanged but out of order",
            "v1",
            "Pod",
            "smp3",
            pod(json!(["b", "a"]), json!([{"name": "c"}])),
            pod(json!(["b", "a"]), json!([{"name": "c"}])),
            pod(json!(["b", "a"]), json!([{"name": "c"}])),
        ),
        (
            "duplicate finalizers",
            "v1",
            "Pod",
            "smp3",
            pod(json!(["x", "x", "y"]), json!([{"name": "c"}])),
            pod(json!(["y"]), json!([{"name": "c"}])),
            pod(json!(["x", "y", "x"]), json!([{"name": "c"}])),
        ),
        (
            "unknown field differing: error",
            "v1",
            "ConfigMap",
            "smp3",
            json!({"metadata": {"name": "c"}, "bogus": {"a": 1}}),
            json!({"metadata": {"name": "c"}, "bogus": {"a": 2}}),
            json!({"metadata": {"name": "c"}, "bogus": {"a": 1}}),
        ),
        (
            "label map value type change",
            "v1",
            "ConfigMap",
            "smp3",
            cm_orig.clone(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": 1}}, "data": {"a": "1"}}),
            cm_orig.clone(),
        ),
        (
            "custom resource changed",
            "example.com/v1",
            "Widget",
            "merge2",
            cr(json!({"size": 1, "list": [1, 2], "nested": {"a": 1, "b": 2}})),
            cr(json!({"size": 2, "list": [1], "nested": {"a": 1}})),
            J::Null,
        ),
        (
            "custom resource unchanged, int vs float",
            "example.com/v1",
            "Widget",
            "merge2",
            cr(json!({"size": 1})),
            cr(json!({"size": 1.0})),
            J::Null,
        ),
    ]
}

#[test]
fn patches_match_apimachinery() {
    let Some(bin) = oracle() else {
        eprintln!("skipped: ~/.cache/helm-rs/patch-oracle/current/patch-oracle is not built (scripts/test.d/setup-patch-oracle.sh)");
        return;
    };
    let cases = cases();
    let kinds: Vec<J> = cases
        .iter()
        .filter(|c| c.3 == "smp3")
        .map(|c| json!({"apiVersion": c.1, "kind": c.2}))
        .collect();
    let table = run(&bin, &json!({"mode": "schema", "kinds": kinds}));
    let types = Rc::new(Types {
        types: table["types"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    });
    let input: Vec<J> = cases
        .iter()
        .map(|c| json!({"apiVersion": c.1, "kind": c.2, "op": c.3, "original": c.4, "modified": c.5, "current": c.6}))
        .collect();
    let expected = run(&bin, &json!({"mode": "patch", "cases": input}));
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let ours = if c.3 == "smp3" {
            let root = GoType {
                table: types.clone(),
                id: table["roots"][format!("{}/{}", c.1, c.2)]
                    .as_str()
                    .unwrap()
                    .to_string(),
            };
            create_three_way_merge_patch(&c.4, &c.5, &c.6, &root)
        } else {
            create_merge_patch(&c.4, &c.5)
        };
        let go = &expected[i];
        let agree = match (&ours, go.get("patch"), go.get("error")) {
            (Ok(p), Some(gp), _) => json_eq(p, gp),
            (Err(e), _, Some(ge)) => ge.as_str() == Some(e.0.as_str()),
            _ => false,
        };
        if !agree {
            failures.push(format!("{}:\n  ours: {:?}\n  Go:   {}", c.0, ours, go));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!("{} cases agree with apimachinery/json-patch", cases.len());
}

/// JSON values equal as Go decodes them (key order aside; numbers by value).
fn json_eq(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn typed_group_versions_match_helms_scheme() {
    let Some(bin) = oracle() else {
        eprintln!("skipped: patch-oracle is not built (scripts/test.d/setup-patch-oracle.sh)");
        return;
    };
    let go = run(&bin, &json!({"mode": "typed"}));
    let go: Vec<&str> = go
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(go, TYPED_GROUP_VERSIONS);
}
