//! Aggregated discovery: every API group, version and resource of the cluster in two requests
//! (`GET /api` and `GET /apis` asking for `apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`),
//! where the classic walk asks once per group-version (forty and more requests on a cluster
//! with a few CRDs, one after the other, before an install can render).
//!
//! One answer serves both things an action needs from discovery: `.Capabilities.APIVersions`
//! (every group-version, and `group-version/Kind` for each resource and subresource, as
//! Helm's `GetVersionSet` builds it) and the endpoint of each kind it applies (plural name and
//! scope). API servers older than 1.30 (no aggregated discovery) answer with the classic
//! lists; [`parse`] then says so and the caller walks the groups instead.

use kube::discovery::ApiResource;
use serde::Deserialize;

/// The media type asking for aggregated discovery, with the classic list as a fallback.
pub const ACCEPT: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

#[derive(Deserialize)]
struct GroupList {
    kind: String,
    #[serde(default)]
    items: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(default)]
    metadata: Meta,
    #[serde(default)]
    versions: Vec<Version>,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Version {
    version: String,
    #[serde(default)]
    resources: Vec<Resource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    resource: String,
    #[serde(default)]
    response_kind: Option<Gvk>,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    subresources: Vec<Subresource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subresource {
    #[serde(default)]
    response_kind: Option<Gvk>,
}

#[derive(Deserialize)]
struct Gvk {
    #[serde(default)]
    kind: String,
}

/// What aggregated discovery told about a cluster's APIs.
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    /// `.Capabilities.APIVersions`: group-versions, then `GV/Kind` for resources and their
    /// subresources, each once.
    pub api_versions: Vec<String>,
    /// (group, version, kind) → endpoint and whether it is namespaced.
    pub resources: Vec<((String, String, String), (ApiResource, bool))>,
}

/// Adds one answer (`/api` or `/apis`) to `into`. `None` when the server answered with the
/// classic lists instead (no aggregated discovery) or with something unreadable.
pub fn parse(body: &[u8], into: &mut Discovered) -> Option<()> {
    let list: GroupList = serde_json::from_slice(body).ok()?;
    if list.kind != "APIGroupDiscoveryList" {
        return None;
    }
    let mut seen: std::collections::HashSet<String> = into.api_versions.iter().cloned().collect();
    let mut push = |s: String, out: &mut Vec<String>| {
        if seen.insert(s.clone()) {
            out.push(s);
        }
    };
    for g in list.items {
        let group = g.metadata.name;
        for v in g.versions {
            let gv = if group.is_empty() {
                v.version.clone()
            } else {
                format!("{group}/{}", v.version)
            };
            push(gv.clone(), &mut into.api_versions);
            for r in v.resources {
                let kind = r.response_kind.map(|k| k.kind).unwrap_or_default();
                if !kind.is_empty() {
                    push(format!("{gv}/{kind}"), &mut into.api_versions);
                    let ar = ApiResource {
                        group: group.clone(),
                        version: v.version.clone(),
                        api_version: gv.clone(),
                        kind: kind.clone(),
                        plural: r.resource.clone(),
                    };
                    into.resources.push((
                        (group.clone(), v.version.clone(), kind),
                        (ar, r.scope == "Namespaced"),
                    ));
                }
                for s in r.subresources {
                    if let Some(k) = s.response_kind.filter(|k| !k.kind.is_empty()) {
                        push(format!("{gv}/{}", k.kind), &mut into.api_versions);
                    }
                }
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_versions_kinds_and_subresources() {
        let core = br#"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"metadata":{"creationTimestamp":null},"versions":[{"version":"v1","resources":[{"resource":"pods","responseKind":{"group":"","version":"v1","kind":"Pod"},"scope":"Namespaced","singularResource":"pod","verbs":["get"],"subresources":[{"subresource":"eviction","responseKind":{"group":"policy","version":"v1","kind":"Eviction"},"verbs":["create"]},{"subresource":"status","responseKind":{"group":"","version":"v1","kind":"Pod"},"verbs":["get"]}]},{"resource":"namespaces","responseKind":{"group":"","version":"v1","kind":"Namespace"},"scope":"Cluster","verbs":["get"]}],"freshness":"Current"}]}]}"#;
        let apis = br#"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"metadata":{"name":"apps"},"versions":[{"version":"v1","resources":[{"resource":"deployments","responseKind":{"group":"apps","version":"v1","kind":"Deployment"},"scope":"Namespaced","verbs":["get"]}]}]}]}"#;
        let mut d = Discovered::default();
        parse(core, &mut d).unwrap();
        parse(apis, &mut d).unwrap();
        assert_eq!(
            d.api_versions,
            [
                "v1",
                "v1/Pod",
                "v1/Eviction",
                "v1/Namespace",
                "apps/v1",
                "apps/v1/Deployment"
            ]
        );
        let ns = d
            .resources
            .iter()
            .find(|(k, _)| k.2 == "Namespace")
            .unwrap();
        assert!(!ns.1 .1);
        let dep = d
            .resources
            .iter()
            .find(|(k, _)| k.2 == "Deployment")
            .unwrap();
        assert_eq!(dep.1 .0.plural, "deployments");
        assert_eq!(dep.1 .0.api_version, "apps/v1");
        assert!(dep.1 .1);
    }

    #[test]
    fn classic_lists_are_not_aggregated() {
        let mut d = Discovered::default();
        assert!(parse(br#"{"kind":"APIGroupList","groups":[]}"#, &mut d).is_none());
        assert!(parse(b"not json", &mut d).is_none());
    }
}
