//! The OpenAPI 3 description served at `/openapi.json`, written by hand next to the handlers
//! (api.rs) so that it lists exactly what they accept and answer.

use serde_json::{json, Value};

fn err(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": schema } } })
}

fn common(mut responses: serde_json::Map<String, Value>) -> Value {
    for (code, d) in [
        ("400", "bad request"),
        (
            "401",
            "no or bad bearer token; or the API server refused it",
        ),
        (
            "403",
            "Kubernetes RBAC refused the caller (the API server's message)",
        ),
        ("404", "not found"),
        ("413", "request body too large"),
        ("429", "too many concurrent requests from this caller"),
        ("502", "the API server failed"),
        ("503", "no cluster configured"),
    ] {
        responses.entry(code.to_string()).or_insert_with(|| err(d));
    }
    Value::Object(responses)
}

fn path_param(name: &str, desc: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": desc, "schema": { "type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 63 } })
}

fn query_bool(name: &str, desc: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": "boolean" } })
}

fn query_int(name: &str, desc: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": "integer", "minimum": 0, "maximum": 2147483647 } })
}

fn op_responses(ok_code: &str) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(
        ok_code.into(),
        ok(
            "the operation finished",
            json!({ "$ref": "#/components/schemas/ReleaseResult" }),
        ),
    );
    m.insert(
        "202".into(),
        ok(
            "still running (async, or past the request timeout)",
            json!({ "$ref": "#/components/schemas/Accepted" }),
        ),
    );
    m.insert(
        "409".into(),
        ok(
            "another operation on this release is in progress",
            json!({ "$ref": "#/components/schemas/Conflict" }),
        ),
    );
    m.insert(
        "401".into(),
        err("no or bad bearer token (async requests are checked before 202)"),
    );
    m.insert("403".into(), err("Kubernetes RBAC refused the caller (async requests: checked with a SelfSubjectAccessReview before 202)"));
    m.insert(
        "422".into(),
        err("the chart failed to render or the action refused"),
    );
    m.insert("504".into(), err("hooks or --wait timed out"));
    common(m)
}

fn read_responses(schema: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("200".into(), ok("ok", schema));
    common(m)
}

/// The document.
pub fn document() -> Value {
    let ns = path_param("namespace", "Kubernetes namespace");
    let name = path_param("name", "release name");
    let rev = query_int("revision", "revision (0 or absent: the latest)");
    let values_props = json!({
        "values": { "type": "object", "description": "values as JSON (merged over values_yaml)" },
        "values_yaml": { "type": "string", "description": "a values.yaml document" },
    });
    let mut install_props = json!({
        "name": { "type": "string" }, "chart": { "$ref": "#/components/schemas/Chart" },
        "generate_name": { "type": "boolean" }, "create_namespace": { "type": "boolean" }, "dry_run": { "type": "boolean" },
        "replace": { "type": "boolean" }, "description": { "type": "string" },
        "labels": { "type": "object", "additionalProperties": { "type": "string" } },
        "skip_crds": { "type": "boolean" }, "no_hooks": { "type": "boolean" }, "wait": { "type": "boolean" }, "wait_strategy": { "type": "string", "enum": ["watcher", "legacy"] }, "wait_for_jobs": { "type": "boolean" },
        "timeout_seconds": { "type": "integer", "minimum": 0 }, "atomic": { "type": "boolean" },
        "force_conflicts": { "type": "boolean" }, "skip_schema_validation": { "type": "boolean" }, "async": { "type": "boolean" },
        "dry_run_server": { "type": "boolean" }, "server_side": { "type": "boolean" }, "take_ownership": { "type": "boolean" }, "render_subchart_notes": { "type": "boolean" },
        "hide_secret": { "type": "boolean", "description": "with a dry run: v1 Secrets left out of the returned manifest" },
    });
    let mut upgrade_props = json!({
        "chart": { "$ref": "#/components/schemas/Chart" }, "install": { "type": "boolean" }, "dry_run": { "type": "boolean" },
        "description": { "type": "string" }, "labels": { "type": "object", "additionalProperties": { "type": "string" } },
        "no_hooks": { "type": "boolean" }, "wait": { "type": "boolean" }, "wait_strategy": { "type": "string", "enum": ["watcher", "legacy"] }, "wait_for_jobs": { "type": "boolean" }, "timeout_seconds": { "type": "integer", "minimum": 0 },
        "atomic": { "type": "boolean" }, "reuse_values": { "type": "boolean" }, "reset_values": { "type": "boolean" },
        "reset_then_reuse_values": { "type": "boolean" }, "cleanup_on_fail": { "type": "boolean" },
        "max_history": { "type": "integer", "minimum": 0 }, "force_conflicts": { "type": "boolean" }, "force_replace": { "type": "boolean" },
        "skip_schema_validation": { "type": "boolean" }, "async": { "type": "boolean" },
        "create_namespace": { "type": "boolean" }, "skip_crds": { "type": "boolean" }, "update_crds": { "type": "boolean" }, "dry_run_server": { "type": "boolean" }, "server_side": { "type": "boolean" },
        "take_ownership": { "type": "boolean" }, "render_subchart_notes": { "type": "boolean" },
        "hide_secret": { "type": "boolean", "description": "with a dry run: v1 Secrets left out of the returned manifest" },
    });
    let rollback_props = json!({
        "revision": { "type": "integer", "minimum": 0 }, "dry_run": { "type": "boolean" }, "no_hooks": { "type": "boolean" }, "wait": { "type": "boolean" }, "wait_strategy": { "type": "string", "enum": ["watcher", "legacy"] }, "wait_for_jobs": { "type": "boolean" },
        "timeout_seconds": { "type": "integer", "minimum": 0 }, "max_history": { "type": "integer", "minimum": 0 }, "force_conflicts": { "type": "boolean" },
        "force_replace": { "type": "boolean" }, "cleanup_on_fail": { "type": "boolean" }, "server_side": { "type": "boolean" }, "async": { "type": "boolean" },
    });
    let mut template_props = json!({
        "chart": { "$ref": "#/components/schemas/Chart" }, "name": { "type": "string" }, "namespace": { "type": "string" },
        "kube_version": { "type": "string" }, "api_versions": { "type": "array", "items": { "type": "string" } },
        "include_crds": { "type": "boolean" }, "no_hooks": { "type": "boolean" }, "skip_tests": { "type": "boolean" },
        "show_only": { "type": "array", "items": { "type": "string" } }, "is_upgrade": { "type": "boolean" },
        "skip_schema_validation": { "type": "boolean" },
    });
    for p in [&mut install_props, &mut upgrade_props, &mut template_props] {
        if let (Some(m), Some(v)) = (p.as_object_mut(), values_props.as_object()) {
            m.extend(v.clone());
        }
    }
    let body = |props: Value, required: Value| json!({ "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "required": required, "properties": props } } } });
    let security = json!([{ "bearer": [] }]);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "helm-rs release server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Helm release actions over HTTP. Every /v1 request carries the caller's Kubernetes bearer token; the server calls the API server with it, so Kubernetes RBAC decides."
        },
        "servers": [{ "url": "/" }],
        "security": security,
        "paths": {
            "/healthz": { "get": { "operationId": "healthz", "security": [], "responses": { "200": ok("alive", json!({ "type": "object" })) } } },
            "/readyz": { "get": { "operationId": "readyz", "security": [], "responses": { "200": ok("ready", json!({ "type": "object" })), "503": ok("shutting down", json!({ "type": "object" })) } } },
            "/openapi.json": { "get": { "operationId": "openapi", "security": [], "responses": { "200": ok("this document", json!({ "type": "object" })) } } },
            "/v1/template": { "post": {
                "operationId": "template", "summary": "helm template (no cluster)",
                "requestBody": body(template_props, json!(["chart"])),
                "responses": { "200": ok("rendered", json!({ "type": "object", "properties": { "manifest": { "type": "string" }, "notes": { "type": "string" }, "warnings": { "type": "array", "items": { "type": "string" } } } })),
                    "400": err("bad request"), "401": err("no token"), "413": err("too large"), "422": err("render error"), "429": err("too many requests") }
            } },
            "/v1/releases": { "get": { "operationId": "listAll", "summary": "helm list -A",
                "parameters": [query_bool("all", "every status"), { "name": "states", "in": "query", "schema": { "type": "string" }, "description": "comma-separated statuses" }, { "name": "filter", "in": "query", "schema": { "type": "string" }, "description": "regular expression on names" }],
                "responses": read_responses(json!({ "$ref": "#/components/schemas/ReleaseList" })) } },
            "/v1/namespaces/{namespace}/releases": {
                "parameters": [ns],
                "get": { "operationId": "list", "summary": "helm list -n NAMESPACE",
                    "parameters": [query_bool("all", "every status"), { "name": "states", "in": "query", "schema": { "type": "string" } }, { "name": "filter", "in": "query", "schema": { "type": "string" } }],
                    "responses": read_responses(json!({ "$ref": "#/components/schemas/ReleaseList" })) },
                "post": { "operationId": "install", "summary": "helm install", "requestBody": body(install_props, json!(["chart"])), "responses": op_responses("201") }
            },
            "/v1/namespaces/{namespace}/releases/{name}": {
                "parameters": [ns, name],
                "get": { "operationId": "status", "summary": "helm status", "parameters": [rev, { "name": "resources", "in": "query", "required": false, "description": "also the release's live objects: the API server's Table renderings (table) or the objects (objects)", "schema": { "type": "string", "enum": ["table", "objects"] } }], "responses": read_responses(json!({ "$ref": "#/components/schemas/ReleaseResult" })) },
                "put": { "operationId": "upgrade", "summary": "helm upgrade", "requestBody": body(upgrade_props.clone(), json!(["chart"])), "responses": op_responses("200") },
                "delete": { "operationId": "uninstall", "summary": "helm uninstall",
                    "parameters": [query_bool("keep_history", ""), query_bool("dry_run", ""), query_bool("no_hooks", ""), query_bool("wait", ""), query_int("timeout_seconds", ""), { "name": "description", "in": "query", "schema": { "type": "string" } }, { "name": "cascade", "in": "query", "schema": { "type": "string", "enum": ["background", "foreground", "orphan"] } }, query_bool("async", "")],
                    "responses": op_responses("200") }
            },
            "/v1/namespaces/{namespace}/releases/{name}/rollback": {
                "parameters": [ns, name],
                "post": { "operationId": "rollback", "summary": "helm rollback",
                    "requestBody": body(rollback_props.clone(), json!([])),
                    "responses": op_responses("200") }
            },
            "/v1/namespaces/{namespace}/releases/{name}/plan": {
                "parameters": [ns, name],
                "post": { "operationId": "plan", "summary": "upgrade --plan: what the upgrade would change (a dry run compared with the release's objects, helm-diff's rules); nothing is applied",
                    "requestBody": body(upgrade_props.clone(), json!(["chart"])),
                    "responses": read_responses(json!({ "type": "object", "properties": { "plan": { "type": "object", "properties": { "changes": { "type": "array", "items": { "type": "object" } }, "unchanged": { "type": "array", "items": { "type": "string" } }, "suppressed_kinds": { "type": "array", "items": { "type": "string" } } } } } })) }
            },
            "/v1/namespaces/{namespace}/releases/{name}/test": {
                "parameters": [ns, name],
                "post": { "operationId": "test", "summary": "helm test: runs the release's test hooks",
                    "requestBody": body(json!({ "timeout_seconds": { "type": "integer", "minimum": 0 }, "async": { "type": "boolean" } }), json!([])),
                    "responses": op_responses("200") }
            },
            "/v1/namespaces/{namespace}/releases/{name}/recover": {
                "parameters": [ns, name],
                "post": { "operationId": "recover", "summary": "helm-rs recover: a revision left pending by a killed operation marked failed (refused while it is younger than stale_after_seconds, default 300, unless force)",
                    "requestBody": body(json!({ "force": { "type": "boolean" }, "stale_after_seconds": { "type": "integer", "minimum": 0 } }), json!([])),
                    "responses": read_responses(json!({ "type": "object", "properties": { "release": { "$ref": "#/components/schemas/Release" } } })) }
            },
            "/v1/namespaces/{namespace}/releases/{name}/history": { "parameters": [ns, name], "get": { "operationId": "history", "summary": "helm history", "responses": read_responses(json!({ "type": "object", "properties": { "history": { "type": "array", "items": { "$ref": "#/components/schemas/Release" } } } })) } },
            "/v1/namespaces/{namespace}/releases/{name}/values": { "parameters": [ns, name], "get": { "operationId": "getValues", "summary": "helm get values", "parameters": [rev, query_bool("all", "chart defaults too")], "responses": read_responses(json!({ "type": "object", "properties": { "values": { "type": "object" } } })) } },
            "/v1/namespaces/{namespace}/releases/{name}/manifest": { "parameters": [ns, name], "get": { "operationId": "getManifest", "summary": "helm get manifest", "parameters": [rev], "responses": read_responses(json!({ "type": "object", "properties": { "manifest": { "type": "string" } } })) } },
            "/v1/namespaces/{namespace}/releases/{name}/notes": { "parameters": [ns, name], "get": { "operationId": "getNotes", "summary": "helm get notes", "parameters": [rev], "responses": read_responses(json!({ "type": "object", "properties": { "notes": { "type": "string" } } })) } },
            "/v1/namespaces/{namespace}/releases/{name}/hooks": { "parameters": [ns, name], "get": { "operationId": "getHooks", "summary": "helm get hooks", "parameters": [rev], "responses": read_responses(json!({ "type": "object", "properties": { "hooks": { "type": "array", "items": { "type": "object" } } } })) } },
            "/v1/operations/{id}": { "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "get": { "operationId": "operation", "summary": "an operation of this caller and its result (404 with `replica` when the id names another replica: follow the release's record there)", "responses": read_responses(json!({ "type": "object" })) } },
            "/v1/operations/{id}/events": { "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "get": { "operationId": "operationEvents", "summary": "progress as Server-Sent Events (accepted, rendering, record, hook, apply, delete, waiting, done, failed)",
                    "responses": { "200": { "description": "event stream", "content": { "text/event-stream": { "schema": { "type": "string" } } } }, "401": err("no token"), "404": err("no such operation of this caller") } } }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "the caller's Kubernetes token" } },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": {
                    "error": { "type": "string", "description": "Helm's message" },
                    "kind": { "type": "string", "enum": helm_core::release::api::ErrorKind::ALL.map(|k| k.as_str()), "description": "what kind of failure (decide on this, not on the message)" },
                    "location": { "type": "object", "description": "render errors: where in the chart", "properties": { "template": { "type": "string" }, "line": { "type": "integer" }, "column": { "type": "integer", "nullable": true } } } } },
                "Chart": { "description": "exactly one source: an uploaded archive, a reference (oci:// or a chart URL), or a repository URL with the chart's name (helm install --repo). The server downloads references anonymously, TLS verified.", "oneOf": [
                    { "type": "object", "additionalProperties": false, "required": ["tgz_base64"], "properties": { "tgz_base64": { "type": "string", "description": "a packaged chart (.tgz), base64" } } },
                    { "type": "object", "additionalProperties": false, "required": ["ref"], "properties": {
                        "ref": { "type": "string", "pattern": "^(oci|https?)://", "description": "oci://host/repository/name[:tag|@digest] or an http(s):// chart archive URL" },
                        "version": { "type": "string", "description": "version or constraint (OCI references without a tag)" },
                        "plain_http": { "type": "boolean", "description": "the OCI registry speaks plain HTTP" } } },
                    { "type": "object", "additionalProperties": false, "required": ["repo_url", "name"], "properties": {
                        "repo_url": { "type": "string", "pattern": "^https?://", "description": "the chart repository (where index.yaml is)" },
                        "name": { "type": "string", "description": "the chart's name in the repository" },
                        "version": { "type": "string", "description": "version or constraint (empty: the newest)" } } }
                ] },
                "Release": { "type": "object", "description": "Helm's release record (the JSON Helm stores)" },
                "ReleaseResult": { "type": "object", "properties": { "release": { "$ref": "#/components/schemas/Release" }, "operation_id": { "type": "string" } } },
                "ReleaseList": { "type": "object", "properties": { "releases": { "type": "array", "items": { "$ref": "#/components/schemas/Release" } } } },
                "Accepted": { "type": "object", "properties": {
                    "operation_id": { "type": "string", "description": "op-…@REPLICA: only that replica keeps its status and events" },
                    "status_url": { "type": "string" }, "events_url": { "type": "string" },
                    "kind": { "type": "string", "enum": ["install", "upgrade", "rollback", "uninstall", "test"] },
                    "namespace": { "type": "string" }, "release": { "type": "string" },
                    "replica": { "type": "string", "description": "the replica running the operation" },
                    "started": { "type": "string", "format": "date-time", "description": "on that replica's clock, which also times the revision it writes" } } },
                "Conflict": { "type": "object", "properties": { "error": { "type": "string" }, "kind": { "type": "string", "description": "pending (another operation runs), name_in_use or conflict" }, "pending": { "type": "object", "properties": { "status": { "type": "string" }, "operation": { "type": "string" }, "revision": { "type": "integer" } } } } }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use helm_core::release::api::{InstallOptions, RollbackOptions, UpgradeOptions};
    use std::collections::BTreeSet;

    /// The documented body of an action, less what the server reads beside the options.
    fn documented(doc: &Value, path: &str, method: &str) -> BTreeSet<String> {
        let props = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]
            ["schema"]["properties"];
        props
            .as_object()
            .expect("properties")
            .keys()
            .filter(|k| !matches!(k.as_str(), "chart" | "values" | "values_yaml" | "async"))
            .cloned()
            .collect()
    }

    fn fields<T: serde::Serialize>(opts: &T) -> BTreeSet<String> {
        serde_json::to_value(opts)
            .expect("json")
            .as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect()
    }

    /// The request bodies are the option structs: every field is documented, nothing more.
    #[test]
    fn bodies_document_the_option_structs() {
        let doc = document();
        assert_eq!(
            documented(&doc, "/v1/namespaces/{namespace}/releases", "post"),
            fields(&InstallOptions::default())
        );
        assert_eq!(
            documented(&doc, "/v1/namespaces/{namespace}/releases/{name}", "put"),
            fields(&UpgradeOptions::default())
        );
        assert_eq!(
            documented(
                &doc,
                "/v1/namespaces/{namespace}/releases/{name}/plan",
                "post"
            ),
            fields(&UpgradeOptions::default())
        );
        assert_eq!(
            documented(
                &doc,
                "/v1/namespaces/{namespace}/releases/{name}/rollback",
                "post"
            ),
            fields(&RollbackOptions::default())
        );
    }
}
