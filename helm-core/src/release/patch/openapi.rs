//! Patch metadata from the API server's OpenAPI v3 documents (`/openapi/v3/api/v1`,
//! `/openapi/v3/apis/GROUP/VERSION`), for [`strategic`](super::strategic).
//!
//! Helm reads each field's patch strategy and merge key from the Go API types' struct tags
//! (`patchStrategy:"merge" patchMergeKey:"name"`); the API server publishes those same tags as
//! `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` on each property, generated
//! from the same types. `x-kubernetes-list-type`/`-map-keys` are server-side apply's and the
//! struct-tag lookup ignores them, so this does too. The lookups answer as Go's struct lookup
//! does, errors included: a field missing from an object type, an object where the type is a
//! map (`merging an object in json but data type is not struct, instead is: map`).

use super::strategic::{LookupPatchMeta, PatchMeta};
use serde_json::{Map, Value as J};
use std::collections::HashMap;

/// The component schemas of one group-version's OpenAPI v3 document, with the kinds they
/// define.
#[derive(Debug, Clone, Default)]
pub struct OpenApiSchemas {
    schemas: Map<String, J>,
    kinds: HashMap<(String, String, String), String>,
}

impl OpenApiSchemas {
    /// Reads an OpenAPI v3 document (`components.schemas`).
    pub fn from_document(mut doc: J) -> Self {
        let schemas = match doc
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .map(J::take)
        {
            Some(J::Object(m)) => m,
            _ => Map::new(),
        };
        let mut kinds = HashMap::new();
        for (name, s) in &schemas {
            if let Some(J::Array(gvks)) = s.get("x-kubernetes-group-version-kind") {
                for g in gvks {
                    let f = |k: &str| g.get(k).and_then(J::as_str).unwrap_or("").to_string();
                    kinds.insert((f("group"), f("version"), f("kind")), name.clone());
                }
            }
        }
        OpenApiSchemas { schemas, kinds }
    }

    /// The object type of `kind` in `api_version` (`v1`, `apps/v1`), if this document has it.
    pub fn root(&self, api_version: &str, kind: &str) -> Option<OpenApiPatchMeta<'_>> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let name = self
            .kinds
            .get(&(group.to_string(), version.to_string(), kind.to_string()))?;
        Some(OpenApiPatchMeta {
            schemas: &self.schemas,
            schema: self.schemas.get(name)?,
            name: name.rsplit('.').next().unwrap_or(name),
        })
    }
}

/// One type of an [`OpenApiSchemas`] document, as a [`LookupPatchMeta`].
#[derive(Debug, Clone, Copy)]
pub struct OpenApiPatchMeta<'a> {
    schemas: &'a Map<String, J>,
    schema: &'a J,
    /// The Go type's name (the component's last segment), for error texts.
    name: &'a str,
}

impl<'a> OpenApiPatchMeta<'a> {
    /// Follows `$ref` and `allOf: [{$ref}]` to the schema they name (with that name).
    fn resolve(schemas: &'a Map<String, J>, mut s: &'a J) -> (&'a J, &'a str) {
        let mut name: &'a str = "";
        for _ in 0..8 {
            let r = s.get("$ref").and_then(J::as_str).or_else(|| {
                s.get("allOf")
                    .and_then(J::as_array)
                    .and_then(|a| a.first())
                    .and_then(|x| x.get("$ref"))
                    .and_then(J::as_str)
            });
            let Some(r) = r else { break };
            let key = r.trim_start_matches("#/components/schemas/");
            match schemas.get_key_value(key) {
                Some((k, next)) => {
                    name = k.rsplit('.').next().unwrap_or(k);
                    s = next;
                }
                None => break,
            }
        }
        (s, name)
    }

    /// The Go kind of this type as reflect prints it.
    fn go_kind(&self) -> &'static str {
        let s = self.schema;
        match s.get("type").and_then(J::as_str) {
            Some("array") => "slice",
            Some("string") => "string",
            Some("boolean") => "bool",
            Some("number") => "float64",
            Some("integer") => match s.get("format").and_then(J::as_str) {
                Some("int32") => "int32",
                _ => "int64",
            },
            _ if s.get("properties").is_none() && s.get("additionalProperties").is_some() => "map",
            _ => "struct",
        }
    }

    fn field(&self, key: &str) -> Result<(&'a J, PatchMeta), String> {
        let kind = self.go_kind();
        if kind != "struct" {
            return Err(format!(
                "merging an object in json but data type is not struct, instead is: {kind}"
            ));
        }
        let props = self.schema.get("properties").and_then(J::as_object);
        let found = props.and_then(|p| {
            p.get(key).or_else(|| {
                p.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            })
        });
        let Some(f) = found else {
            return Err(format!(
                "unable to find api field in struct {} for the json field {key:?}",
                self.name
            ));
        };
        let strategies = f
            .get("x-kubernetes-patch-strategy")
            .and_then(J::as_str)
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        let merge_key = f
            .get("x-kubernetes-patch-merge-key")
            .and_then(J::as_str)
            .unwrap_or("")
            .to_string();
        Ok((
            f,
            PatchMeta {
                strategies,
                merge_key,
            },
        ))
    }

    fn at(&self, s: &'a J) -> Self {
        let (schema, name) = Self::resolve(self.schemas, s);
        OpenApiPatchMeta {
            schemas: self.schemas,
            schema,
            name,
        }
    }
}

impl LookupPatchMeta for OpenApiPatchMeta<'_> {
    fn lookup_struct(&self, key: &str) -> Result<(Self, PatchMeta), String> {
        let (f, meta) = self.field(key)?;
        Ok((self.at(f), meta))
    }

    fn lookup_slice(&self, key: &str) -> Result<(Self, PatchMeta), String> {
        let (f, meta) = self.field(key)?;
        let field = self.at(f);
        if field.go_kind() != "slice" {
            return Err("expected slice or array type, but got: struct".to_string());
        }
        let items = field.schema.get("items").unwrap_or(&J::Null);
        let elem = self.at(items);
        if elem.go_kind() == "slice" {
            return Err("unexpected slice of slice".to_string());
        }
        Ok((elem, meta))
    }

    fn name(&self) -> String {
        self.go_kind().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_patch_extensions_through_refs() {
        let doc = json!({"components": {"schemas": {
            "io.k8s.api.core.v1.Pod": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Pod"}],
                "properties": {"spec": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}]}}},
            "io.k8s.api.core.v1.PodSpec": {"type": "object", "properties": {
                "containers": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}]},
                    "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
                "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "io.k8s.api.core.v1.Container": {"type": "object", "properties": {"name": {"type": "string"}}}
        }}});
        let s = OpenApiSchemas::from_document(doc);
        let pod = s.root("v1", "Pod").unwrap();
        let (spec, _) = pod.lookup_struct("spec").unwrap();
        let (c, meta) = spec.lookup_slice("containers").unwrap();
        assert_eq!(meta.merge_key, "name");
        assert_eq!(meta.strategies, vec!["merge"]);
        assert!(c.lookup_struct("name").is_ok());
        let e = c.lookup_struct("nope").unwrap_err();
        assert_eq!(
            e,
            "unable to find api field in struct Container for the json field \"nope\""
        );
        let (ns, _) = spec.lookup_struct("nodeSelector").unwrap();
        assert!(ns
            .lookup_struct("x")
            .unwrap_err()
            .ends_with("instead is: map"));
        assert!(s.root("apps/v1", "Pod").is_none());
    }
}
