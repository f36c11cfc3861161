//! Releases: the record Helm stores for each revision, its storage codec, the storage trait and
//! the pure parts of Helm's install/upgrade/rollback/uninstall actions.
//!
//! Why here and not in `helm-kube`: a release record must round-trip *exactly* through Helm's
//! own storage (a Secret written by `helm` is read by `helm-rs` and the other way round), and the
//! rules that decide the next revision, which revision gets superseded, what max-history prunes
//! and when an operation must be refused are plain data logic. Keeping them here lets them be
//! unit-tested without a cluster and shared by every front end (CLI, Python, Node).
//!
//! - [`record`]: [`Release`], [`Info`], [`HookRecord`], [`Status`] with Helm 4.1.4's JSON field
//!   names (checked by decoding the Secret `helm install` writes).
//! - [`codec`]: `base64(gzip(json))`, the `data.release` payload of Helm's Secret/ConfigMap drivers.
//! - [`storage`]: the [`ReleaseStorage`] trait (create/update/delete/get/list/history/last
//!   deployed) and [`MemoryStorage`].
//! - [`api`]: the release API's vocabulary: option structs (serde-able: the release server's
//!   request bodies), [`api::ErrorKind`], [`api::ChartRef`].
//! - [`summary`]: a release as the bindings show it ([`release_summary`]).
//! - [`logic`]: next revision, pending-operation refusal, supersede, history pruning, manifest
//!   splitting into resources and Helm's install/uninstall order.

pub mod api;
pub mod codec;
pub mod logic;
pub mod patch;
pub mod plan;
pub mod record;
pub mod storage;
pub mod summary;

pub use record::{HookExecution, HookRecord, Info, Release, Status, Time};
pub use storage::{MemoryStorage, ReleaseStorage, StorageError};
pub use summary::release_summary;
