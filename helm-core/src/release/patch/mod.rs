//! The patches Helm's client-side apply sends (Helm 4.1.4 `pkg/kube/client.go` `createPatch`):
//! a three-way strategic merge patch for the kinds Kubernetes' Go client knows, a two-way JSON
//! merge patch for the others (custom resources, aggregated APIs).
//!
//! Why here: which fields an upgrade changes, keeps or deletes on a live object is release logic
//! that must agree with Helm byte for byte in meaning (a controller's sidecar or annotation must
//! survive exactly when it survives Helm's upgrade), and it is pure data work: the previous
//! manifest's object, the new one and the live one in, a patch out. The cluster layer
//! (`helm-kube`) fetches the live object and the API server's OpenAPI, and sends the patch.
//!
//! - [`strategic`]: `CreateThreeWayMergePatch` of k8s.io/apimachinery (`$setElementOrder`,
//!   `$patch: delete`, `$deleteFromPrimitiveList`, `$retainKeys`), over a [`LookupPatchMeta`]:
//!   each field's patch strategy and merge key, which Helm reads from the Go types' struct tags.
//! - [`openapi`]: that lookup from the API server's OpenAPI v3 documents, whose
//!   `x-kubernetes-patch-strategy`/`x-kubernetes-patch-merge-key` are those same tags.
//! - [`merge`]: RFC 7386 JSON merge patch creation as evanphx/json-patch does it.

pub mod merge;
pub mod openapi;
pub mod strategic;

pub use merge::create_merge_patch;
pub use openapi::{OpenApiPatchMeta, OpenApiSchemas};
pub use strategic::{create_three_way_merge_patch, LookupPatchMeta, PatchMeta};

/// Why a patch could not be computed (k8s.io/apimachinery's message, which Helm shows after
/// `failed to create patch: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatchError(pub String);

/// Deepest nesting of objects and lists the patch functions follow (Kubernetes objects nest a
/// few dozen levels at most; the API server itself refuses documents deeper than 10,000).
pub const MAX_DEPTH: usize = 1000;

/// The group-versions whose kinds Helm 4.1.4 converts to Go types (client-go v0.35's scheme plus
/// apiextensions v1 and v1beta1, Helm's `kubernetesNativeScheme`): their objects get a
/// strategic merge patch, every other kind a JSON merge patch (`patch-oracle` mode `typed`
/// prints the list from Go; `helm-core/tests/patch_oracle.rs` compares).
pub const TYPED_GROUP_VERSIONS: &[&str] = &[
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
    "apiextensions.k8s.io/v1beta1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1alpha1",
    "certificates.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "internal.apiserver.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1alpha1",
    "rbac.authorization.k8s.io/v1beta1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1alpha3",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1beta2",
    "scheduling.k8s.io/v1",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storage.k8s.io/v1beta1",
    "storagemigration.k8s.io/v1beta1",
    "v1",
];

/// Whether Helm patches objects of `api_version`/`kind` with a strategic merge patch (a typed
/// kind) rather than a JSON merge patch. apiextensions v1beta1 CRDs are the exception Helm
/// makes: typed, but patched with a JSON merge patch.
pub fn uses_strategic_merge(api_version: &str, kind: &str) -> bool {
    if api_version == "apiextensions.k8s.io/v1beta1" && kind == "CustomResourceDefinition" {
        return false;
    }
    TYPED_GROUP_VERSIONS.contains(&api_version)
}

/// Which patch Helm's client-side apply sends for an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/strategic-merge-patch+json`
    StrategicMerge,
    /// `application/merge-patch+json`
    JsonMerge,
}

impl PatchType {
    /// The request's `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
            PatchType::JsonMerge => "application/merge-patch+json",
        }
    }
}
