//! Client-side apply on a Kubernetes API server, as Helm 4.1.4 does it for releases recorded
//! with apply method `csa` (every Helm 3 release, and Helm 4's `--server-side=false`): new
//! objects are created with POST, existing ones patched with the patch Helm computes
//! ([`helm_core::release::patch`]) from the previous release's object, the new one and the live
//! one, and `--force-replace` replaces them with PUT. Field manager `helm` throughout, as Helm's.
//!
//! A strategic merge patch needs each field's patch strategy and merge key: Helm has them from
//! the Go API types; here they come from the API server's OpenAPI v3 document of the object's
//! group-version (the same tags, published as `x-kubernetes-patch-*`), fetched once per
//! group-version and kept in the [`Client`].

use crate::cluster::client::Client;
use crate::cluster::resources::{set_ownership, FIELD_MANAGER};
use crate::error::{is_not_found, Error, Result};
use helm_core::release::api::ErrorKind;
use helm_core::release::logic::ResourceDoc;
use helm_core::release::patch::{self, OpenApiSchemas, PatchType};
use kube::api::DynamicObject;
use kube::core::Resource;
use serde_json::Value as J;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// OpenAPI v3 documents by group-version (None: the server publishes none for it).
pub type OpenApiCache = Arc<Mutex<HashMap<String, Option<Arc<OpenApiSchemas>>>>>;

/// The object as Helm sends it: with Helm's ownership metadata (`owner`) and, for namespaced
/// kinds, the namespace set (as Helm's resource builder sets it).
pub(crate) fn prepared(
    doc: &ResourceDoc,
    obj: &J,
    release_ns: &str,
    namespaced: bool,
    owner: Option<&str>,
) -> J {
    let mut obj = obj.clone();
    if let Some(release) = owner {
        set_ownership(&mut obj, release, release_ns);
    }
    if namespaced {
        let ns = doc
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        if let Some(md) = obj.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            md.insert("namespace".into(), J::String(ns));
        }
    }
    obj
}

impl Client {
    /// The collection URL of a document's kind, and whether it is namespaced.
    pub(super) async fn collection_path(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
    ) -> Result<(String, bool)> {
        let (ar, namespaced) = self.resolve(&doc.api_version, &doc.kind).await?;
        let ns = doc
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        let path = DynamicObject::url_path(&ar, namespaced.then_some(ns.as_str()));
        Ok((path, namespaced))
    }

    /// One request with a JSON body: the request could not be built (the outer error), or the
    /// API server's answer.
    async fn send(
        &self,
        method: http::Method,
        path: String,
        content_type: &str,
        body: &J,
    ) -> Result<std::result::Result<J, kube::Error>> {
        let req = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::CONTENT_TYPE, content_type)
            .header(http::header::ACCEPT, "application/json")
            .body(serde_json::to_vec(body).unwrap_or_default())
            .map_err(|e| Error::action(ErrorKind::Internal, format!("building a request: {e}")))?;
        Ok(self.kube.request::<J>(req).await)
    }

    /// Helm's `createResource`: POST of the object.
    pub(crate) async fn csa_create(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> Result<()> {
        let (path, namespaced) = self.collection_path(doc, release_ns).await?;
        let obj = prepared(doc, &doc.object, release_ns, namespaced, owner);
        let url = format!("{path}?fieldManager={FIELD_MANAGER}");
        self.send(http::Method::POST, url, "application/json", &obj)
            .await?
            .map(|_| ())
            .map_err(Error::from)
    }

    /// Helm's `replaceResource` (`--force-replace` under client-side apply): PUT of the object
    /// over the live one, with the live `resourceVersion` when the object has none (client-go's
    /// `Replace` with `overwrite`).
    pub(crate) async fn csa_replace(
        &self,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> Result<()> {
        let (path, namespaced) = self.collection_path(doc, release_ns).await?;
        let mut obj = prepared(doc, &doc.object, release_ns, namespaced, owner);
        let url = format!("{path}/{}", doc.name);
        let has_version = obj
            .pointer("/metadata/resourceVersion")
            .and_then(J::as_str)
            .is_some_and(|v| !v.is_empty());
        if !has_version {
            let req = http::Request::get(&url).body(Vec::new()).map_err(|e| {
                Error::action(ErrorKind::Internal, format!("building a request: {e}"))
            })?;
            let live = self
                .kube
                .request::<J>(req)
                .await
                .map_err(|e| Error::api(&e, "failed to replace object: "))?;
            if let (Some(v), Some(md)) = (
                live.pointer("/metadata/resourceVersion").cloned(),
                obj.get_mut("metadata").and_then(J::as_object_mut),
            ) {
                md.insert("resourceVersion".into(), v);
            }
        }
        let url = format!("{url}?fieldManager={FIELD_MANAGER}&fieldValidation=Strict");
        self.send(http::Method::PUT, url, "application/json", &obj)
            .await?
            .map(|_| ())
            .map_err(|e| Error::api(&e, "failed to replace object: "))
    }

    /// Helm's `patchResourceClientSide`: the patch from `original` (the previous release's
    /// object) to the new object, against the live one; an empty patch sends nothing.
    pub(crate) async fn csa_patch(
        &self,
        original: &J,
        doc: &ResourceDoc,
        release_ns: &str,
        owner: Option<&str>,
    ) -> Result<()> {
        let (path, namespaced) = self.collection_path(doc, release_ns).await?;
        let url = format!("{path}/{}", doc.name);
        let original = prepared(doc, original, release_ns, namespaced, None);
        let target = prepared(doc, &doc.object, release_ns, namespaced, owner);
        let created =
            |e: String| Error::action(ErrorKind::Internal, format!("failed to create patch: {e}"));
        let current = match self
            .kube
            .request::<J>(
                http::Request::get(&url)
                    .body(Vec::new())
                    .map_err(|e| created(e.to_string()))?,
            )
            .await
        {
            Ok(v) => v,
            Err(e) if is_not_found(&e) => J::Null,
            Err(e) => {
                return Err(created(format!(
                    "unable to get data for current object {}/{}: {}",
                    if namespaced {
                        doc.namespace
                            .clone()
                            .unwrap_or_else(|| release_ns.to_string())
                    } else {
                        String::new()
                    },
                    doc.name,
                    Error::from(e)
                )))
            }
        };
        let (body, kind) = if patch::uses_strategic_merge(&doc.api_version, &doc.kind) {
            let schemas = self.openapi_for(&doc.api_version).await?;
            let root = schemas
                .as_ref()
                .and_then(|s| s.root(&doc.api_version, &doc.kind));
            let Some(root) = root else {
                return Err(created(format!(
                    "unable to create patch metadata from object: no OpenAPI schema for {} {}",
                    doc.api_version, doc.kind
                )));
            };
            let p = patch::create_three_way_merge_patch(&original, &target, &current, &root)
                .map_err(|e| created(e.0))?;
            (p, PatchType::StrategicMerge)
        } else {
            let p = patch::create_merge_patch(&original, &target).map_err(|e| created(e.0))?;
            (p, PatchType::JsonMerge)
        };
        if body.as_object().is_some_and(|m| m.is_empty()) {
            return Ok(());
        }
        let url = format!("{url}?fieldManager={FIELD_MANAGER}");
        self.send(http::Method::PATCH, url, kind.content_type(), &body)
            .await?
            .map(|_| ())
            .map_err(|e| {
                Error::api(
                    &e,
                    format!("cannot patch {:?} with kind {}: ", doc.name, doc.kind),
                )
            })
    }

    /// The OpenAPI v3 document of `api_version`, read once per client.
    async fn openapi_for(&self, api_version: &str) -> Result<Option<Arc<OpenApiSchemas>>> {
        if let Some(hit) = self.openapi.lock().unwrap().get(api_version) {
            return Ok(hit.clone());
        }
        let path = if api_version.contains('/') {
            format!("/openapi/v3/apis/{api_version}")
        } else {
            format!("/openapi/v3/api/{api_version}")
        };
        let req = http::Request::get(&path)
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| Error::action(ErrorKind::Internal, format!("building a request: {e}")))?;
        let doc = match self.kube.request::<J>(req).await {
            Ok(v) => Some(Arc::new(OpenApiSchemas::from_document(v))),
            Err(e) if is_not_found(&e) => None,
            Err(e) => {
                return Err(Error::api(
                    &e,
                    "failed to create patch: unable to read the API server's OpenAPI: ",
                ))
            }
        };
        self.openapi
            .lock()
            .unwrap()
            .insert(api_version.to_string(), doc.clone());
        Ok(doc)
    }
}
