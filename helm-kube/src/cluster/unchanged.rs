//! Whether a server-side apply would change nothing, decided from the live object alone.
//!
//! An upgrade applies every object of the release again, and most of them are as the last
//! apply left them. The API server then stores nothing, but it still decodes, merges,
//! validates and converts each object first, and for custom resources with large schemas that
//! costs tens of milliseconds each: most of a no-op upgrade of a big chart. Reading the object
//! is cheap, and its `managedFields` say exactly what an apply of ours would do.
//!
//! A server-side apply by manager `helm` sets every field of the applied configuration and
//! removes the fields `helm`'s apply entry owns that the configuration no longer has. It
//! changes nothing when both hold:
//!
//! - the fields of the configuration are exactly the fields `helm`'s apply entry owns (none
//!   to take, none to give up), and
//! - every one of them has the configuration's value in the live object.
//!
//! [`apply_unchanged`] checks both by walking the configuration beside the owned field set
//! (`fieldsV1`: `f:name` for a map key, `k:{…}` for an element of a keyed list, `v:…` for a
//! set element, an empty object for a value owned whole) and the live object.
//!
//! The server may store a value otherwise than it was applied: defaults filled in inside a
//! value owned whole (a NetworkPolicy port's `protocol`), quantities normalised (`0.5` CPU as
//! `"500m"`). Such a value is still proven unchanged when the same configuration was applied
//! successfully last time (`applied_before`): whoever changes a field since takes it from
//! `helm`'s entry (an update moves ownership; an apply of another value conflicts), so a field
//! still owned by `helm` holds what that apply stored. Write-only fields (a Secret's
//! `stringData`, absent from the live object) are never excused.
//!
//! Anything else it cannot prove — lists indexed by position, another manager's elements in
//! a list — counts as a change, and the object is applied: the check may only miss a no-op,
//! never invent one.

use serde_json::{Map, Value as J};

/// Whether applying `config` as field manager `manager` would leave `live` as it is;
/// `applied_before`: the last apply of this object (by this manager, successful) was of this
/// same configuration.
pub fn apply_unchanged(config: J, live: &J, manager: &str, applied_before: bool) -> bool {
    let Some(owned) = owned_fields(live, manager) else {
        return false;
    };
    let (J::Object(mut config), Some(live)) = (config, live.as_object()) else {
        return false;
    };
    let Some(owned) = owned.as_object() else {
        return false;
    };
    // apiVersion, kind and the object's name and namespace identify it; they are never
    // listed as owned fields.
    config.remove("apiVersion");
    config.remove("kind");
    if let Some(md) = config.get_mut("metadata").and_then(J::as_object_mut) {
        md.remove("name");
        md.remove("namespace");
        if md.is_empty() && !owned.contains_key("f:metadata") {
            config.remove("metadata");
        }
    }
    !owned.contains_key(".") && Walk { applied_before }.same_map(owned, &config, live)
}

/// The field set of `manager`'s apply entry for the object itself (not a subresource).
fn owned_fields<'a>(live: &'a J, manager: &str) -> Option<&'a J> {
    let entries = live.pointer("/metadata/managedFields")?.as_array()?;
    let mut found = entries.iter().filter(|e| {
        e.get("manager").and_then(J::as_str) == Some(manager)
            && e.get("operation").and_then(J::as_str) == Some("Apply")
            && e.get("subresource")
                .and_then(J::as_str)
                .is_none_or(str::is_empty)
            && e.get("fieldsType").and_then(J::as_str) == Some("FieldsV1")
    });
    let entry = found.next()?;
    if found.next().is_some() {
        return None;
    }
    entry.get("fieldsV1")
}

/// The children of an owned node, without `.` (which marks the node itself as owned).
fn children(owned: &Map<String, J>) -> impl Iterator<Item = (&String, &J)> {
    owned.iter().filter(|(k, _)| k.as_str() != ".")
}

/// The walk over a configuration, its owned field set and the live object.
struct Walk {
    applied_before: bool,
}

impl Walk {
    /// `config` (a map) against its owned node and its live value.
    fn same_map(
        &self,
        owned: &Map<String, J>,
        config: &Map<String, J>,
        live: &Map<String, J>,
    ) -> bool {
        if children(owned).count() != config.len() {
            return false;
        }
        config.iter().all(|(key, value)| {
            let Some(node) = owned.get(&format!("f:{key}")).and_then(J::as_object) else {
                return false;
            };
            self.same_value(node, value, live.get(key), false)
        })
    }

    /// `config` against its owned node and its live value (None: the live object lacks it);
    /// `element`: an element of a keyed list.
    fn same_value(
        &self,
        owned: &Map<String, J>,
        config: &J,
        live: Option<&J>,
        element: bool,
    ) -> bool {
        // An apply marks the elements of keyed lists it sets field by field as owned
        // themselves (`.`), and no map field; another mark comes from another kind of entry
        // (an update's, or one migrated from it), which the apply would rewrite.
        if owned.contains_key(".") != (element && children(owned).next().is_some()) {
            return false;
        }
        if children(owned).next().is_none() {
            // Owned whole (a scalar, an atomic map or list).
            return match (config, live) {
                // A null applied leaves the field unset.
                (J::Null, None | Some(J::Null)) => true,
                (_, Some(l)) if config == l => true,
                // What the server made of this same configuration last time: a value in its
                // own form, or none for an empty one (Go drops `[]`, `false`, `0` and `""`
                // from the stored object).
                (_, Some(_)) => self.applied_before,
                (_, None) => self.applied_before && is_empty(config),
            };
        }
        match (config, live) {
            (J::Object(c), Some(J::Object(l))) => self.same_map(owned, c, l),
            (J::Array(c), Some(J::Array(l))) => self.same_list(owned, c, l),
            _ => false,
        }
    }

    /// A list owned element by element: keyed (`k:{…}`) or a set (`v:…`).
    fn same_list(&self, owned: &Map<String, J>, config: &[J], live: &[J]) -> bool {
        let entries: Vec<(&String, &J)> = children(owned).collect();
        if entries.len() != config.len() || live.len() != config.len() {
            return false;
        }
        if entries.iter().all(|(k, _)| k.starts_with("v:")) {
            // A set of scalars: each element owned, and the live list the same.
            return config == live
                && config.iter().all(|e| {
                    serde_json::to_string(e)
                        .map(|s| owned.contains_key(&format!("v:{s}")))
                        .unwrap_or(false)
                });
        }
        let mut keys: Vec<(Map<String, J>, &Map<String, J>)> = Vec::with_capacity(entries.len());
        for (k, node) in entries {
            let Some(key) = k.strip_prefix("k:") else {
                return false;
            };
            let (Ok(J::Object(key)), Some(node)) =
                (serde_json::from_str::<J>(key), node.as_object())
            else {
                return false;
            };
            keys.push((key, node));
        }
        let mut used = vec![false; keys.len()];
        for element in config {
            let Some(c) = element.as_object() else {
                return false;
            };
            // The entry whose key the element has. A key field the element leaves out was
            // defaulted by the server (a port's `protocol`): the live element shows it.
            let mut matching = keys.iter().enumerate().filter(|(i, (key, _))| {
                !used[*i] && key.iter().all(|(f, v)| c.get(f).is_none_or(|cv| cv == v))
            });
            let Some((i, (key, node))) = matching.next() else {
                return false;
            };
            if matching.next().is_some() {
                return false;
            }
            used[i] = true;
            let mut live_match = live
                .iter()
                .filter(|l| key.iter().all(|(f, v)| l.get(f) == Some(v)));
            let Some(l) = live_match.next() else {
                return false;
            };
            if live_match.next().is_some() || !self.same_value(node, element, Some(l), true) {
                return false;
            }
        }
        true
    }
}

/// A value Go's `omitempty` leaves out.
fn is_empty(v: &J) -> bool {
    match v {
        J::Null => true,
        J::Bool(b) => !b,
        J::Number(n) => n.as_f64() == Some(0.0),
        J::String(s) => s.is_empty(),
        J::Array(a) => a.is_empty(),
        J::Object(m) => m.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A Deployment as the API server returns it after `helm`'s apply of [`config`] (field
    /// set and defaults as kube-apiserver 1.37 wrote them).
    fn live() -> J {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "namespace": "ns",
                "labels": {"app": "web"},
                "annotations": {"meta.helm.sh/release-name": "r", "deployment.kubernetes.io/revision": "1"},
                "managedFields": [
                    {"manager": "helm", "operation": "Apply", "apiVersion": "apps/v1",
                     "fieldsType": "FieldsV1", "fieldsV1": {
                        "f:metadata": {"f:labels": {"f:app": {}}, "f:annotations": {"f:meta.helm.sh/release-name": {}}},
                        "f:spec": {
                            "f:replicas": {},
                            "f:selector": {},
                            "f:template": {
                                "f:metadata": {"f:labels": {"f:app": {}}},
                                "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                                    ".": {}, "f:name": {}, "f:image": {}, "f:args": {},
                                    "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                                }}}
                            }
                        }
                    }},
                    {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status",
                     "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}}
                ]
            },
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{"name": "web", "image": "nginx:1", "args": ["-x"],
                            "imagePullPolicy": "IfNotPresent",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
                        "restartPolicy": "Always"
                    }
                }
            },
            "status": {"replicas": 0}
        })
    }

    fn config() -> J {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web"},
                         "annotations": {"meta.helm.sh/release-name": "r"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1", "args": ["-x"],
                                             "ports": [{"containerPort": 80}]}]}
                }
            }
        })
    }

    fn changed(edit: impl Fn(&mut J)) -> bool {
        let mut c = config();
        edit(&mut c);
        !apply_unchanged(c.clone(), &live(), "helm", false)
    }

    #[test]
    fn the_same_configuration_changes_nothing() {
        assert!(apply_unchanged(config(), &live(), "helm", false));
    }

    #[test]
    fn another_value_is_a_change() {
        assert!(changed(|c| c["spec"]["replicas"] = json!(3)));
        assert!(changed(
            |c| c["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2")
        ));
        // An atomic value is compared whole.
        assert!(changed(
            |c| c["spec"]["selector"]["matchLabels"]["tier"] = json!("x")
        ));
        assert!(changed(
            |c| c["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["-y"])
        ));
        // A number the server would store in another form is not proven equal.
        assert!(changed(|c| c["spec"]["replicas"] = json!(2.0)));
    }

    #[test]
    fn a_field_taken_or_given_up_is_a_change() {
        // New to the configuration: the apply would own it.
        assert!(changed(|c| c["metadata"]["labels"]["tier"] = json!("x")));
        assert!(changed(|c| c["spec"]["template"]["spec"]["containers"]
            [0]["imagePullPolicy"] =
            json!("IfNotPresent")));
        // Owned but gone from the configuration: the apply would remove it.
        assert!(changed(|c| {
            c["metadata"]["labels"]
                .as_object_mut()
                .map(|m| m.remove("app"));
        }));
        assert!(changed(|c| {
            c["spec"]["template"]["spec"]["containers"][0]
                .as_object_mut()
                .map(|m| m.remove("ports"));
        }));
        // A null asks for a removal.
        assert!(changed(|c| c["metadata"]["labels"]["app"] = J::Null));
        // Status is not the apply's to set.
        assert!(changed(|c| c["status"] = json!({"replicas": 0})));
    }

    #[test]
    fn keyed_lists_pair_elements_by_key() {
        // Another element, or the element under another key.
        assert!(changed(|c| {
            let mut second = c["spec"]["template"]["spec"]["containers"][0].clone();
            second["name"] = json!("side");
            c["spec"]["template"]["spec"]["containers"]
                .as_array_mut()
                .map(|a| a.push(second));
        }));
        assert!(changed(
            |c| c["spec"]["template"]["spec"]["containers"][0]["name"] = json!("other")
        ));
        // A port given with the protocol the server defaulted is the same element, but the
        // apply would then own `protocol`.
        assert!(changed(|c| c["spec"]["template"]["spec"]["containers"]
            [0]["ports"][0]["protocol"] = json!("TCP")));
    }

    #[test]
    fn without_helms_apply_entry_nothing_is_proven() {
        let mut l = live();
        l["metadata"]["managedFields"][0]["manager"] = json!("kubectl");
        assert!(!apply_unchanged(config(), &l, "helm", false));
        let mut l = live();
        l["metadata"]["managedFields"][0]["operation"] = json!("Update");
        assert!(!apply_unchanged(config(), &l, "helm", false));
        let mut l = live();
        l["metadata"]
            .as_object_mut()
            .map(|m| m.remove("managedFields"));
        assert!(!apply_unchanged(config(), &l, "helm", false));
    }

    #[test]
    fn a_live_value_edited_by_someone_else_is_a_change() {
        let mut l = live();
        l["spec"]["replicas"] = json!(5);
        assert!(!apply_unchanged(config(), &l, "helm", false));
        let mut l = live();
        l["metadata"]["labels"]["app"] = json!("edited");
        assert!(!apply_unchanged(config(), &l, "helm", false));
        // Another manager's element in a keyed list.
        let mut l = live();
        let extra = json!({"name": "injected", "image": "proxy"});
        l["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .map(|a| a.push(extra));
        assert!(!apply_unchanged(config(), &l, "helm", false));
    }

    #[test]
    fn sets_of_scalars() {
        let owned = json!({"f:finalizers": {"v:\"a\"": {}, "v:\"b\"": {}}});
        let l = json!({"metadata": {"managedFields": [{"manager": "helm", "operation": "Apply",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": owned}}],
            "finalizers": ["a", "b"]}});
        let c = json!({"metadata": {"name": "x", "finalizers": ["a", "b"]}});
        assert!(apply_unchanged(c.clone(), &l, "helm", false));
        let c = json!({"metadata": {"name": "x", "finalizers": ["a", "c"]}});
        assert!(!apply_unchanged(c.clone(), &l, "helm", false));
    }

    #[test]
    fn what_the_server_stored_from_the_same_configuration() {
        // A NetworkPolicy's rules are owned whole; the server filled in each port's protocol.
        let l = json!({"metadata": {"managedFields": [{"manager": "helm", "operation": "Apply",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:ingress": {}, "f:nodePort": {}}}}]},
            "spec": {"ingress": [{"ports": [{"port": 80, "protocol": "TCP"}]}]}});
        let c = json!({"metadata": {"name": "x"}, "spec": {"ingress": [{"ports": [{"port": 80}]}], "nodePort": null}});
        assert!(!apply_unchanged(c.clone(), &l, "helm", false));
        assert!(apply_unchanged(c.clone(), &l, "helm", true));
        // A null leaves the field unset; a set value would be a change.
        let mut set = l.clone();
        set["spec"]["nodePort"] = json!(30001);
        assert!(!apply_unchanged(c.clone(), &set, "helm", false));
    }

    #[test]
    fn write_only_fields_are_always_applied() {
        let l = json!({"metadata": {"managedFields": [{"manager": "helm", "operation": "Apply",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:stringData": {"f:a": {}}}}]},
            "data": {"a": "YQ=="}});
        let c = json!({"metadata": {"name": "x"}, "stringData": {"a": "a"}});
        assert!(!apply_unchanged(c.clone(), &l, "helm", true));
        // An empty value the stored object leaves out is what the same apply stored.
        let l = json!({"metadata": {"managedFields": [{"manager": "helm", "operation": "Apply",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:publishNotReadyAddresses": {}, "f:sysctls": {}}}}]},
            "spec": {}});
        let c = json!({"metadata": {"name": "x"}, "spec": {"publishNotReadyAddresses": false, "sysctls": []}});
        assert!(apply_unchanged(c.clone(), &l, "helm", true));
        assert!(!apply_unchanged(c.clone(), &l, "helm", false));
    }

    #[test]
    fn list_elements_owned_whole() {
        // A ServiceAccount's `secrets` are atomic references: the element's node is empty.
        let l = json!({"metadata": {"managedFields": [{"manager": "helm", "operation": "Apply",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:secrets": {"k:{\"name\":\"s\"}": {}}}}]},
            "secrets": [{"name": "s"}]});
        let c = json!({"metadata": {"name": "x"}, "secrets": [{"name": "s"}]});
        assert!(apply_unchanged(c.clone(), &l, "helm", false));
        let c = json!({"metadata": {"name": "x"}, "secrets": [{"name": "t"}]});
        assert!(!apply_unchanged(c.clone(), &l, "helm", true));
    }

    #[test]
    fn another_kind_of_entry_is_rewritten_by_an_apply() {
        // An entry migrated from a client-side update marks maps as owned (`.`); an apply
        // would write it without them, so it is not unchanged even with equal values.
        let l = json!({"metadata": {"managedFields": [{"manager": "helm", "operation": "Apply",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {".": {}, "f:a": {}}}}]},
            "data": {"a": "1"}});
        let c = json!({"metadata": {"name": "x"}, "data": {"a": "1"}});
        assert!(!apply_unchanged(c.clone(), &l, "helm", true));
        let mut applied = l.clone();
        applied["metadata"]["managedFields"][0]["fieldsV1"] = json!({"f:data": {"f:a": {}}});
        assert!(apply_unchanged(c.clone(), &applied, "helm", true));
        // A keyed list's element set field by field carries the mark.
        let mut unmarked = live();
        let containers = "/metadata/managedFields/0/fieldsV1/f:spec/f:template/f:spec/f:containers";
        let entry = unmarked
            .pointer_mut(containers)
            .and_then(|c| c.as_object_mut())
            .and_then(|c| c.values_mut().next())
            .and_then(|e| e.as_object_mut());
        entry.map(|e| e.remove("."));
        assert!(!apply_unchanged(config(), &unmarked, "helm", false));
    }
}
