//! Release storage (Helm's `pkg/storage`): the [`ReleaseStorage`] trait the actions use, and
//! [`MemoryStorage`] (Helm's `memory` driver).
//!
//! The trait's methods return `Send` futures so that `helm-kube`'s Secret and ConfigMap drivers
//! (async kube-rs calls) implement it directly, while helm-core itself needs no runtime: the
//! memory driver's futures are ready at once.

use super::record::{Release, Status};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::future::Future;

/// Storage failures. `NotFound`/`AlreadyExists` texts are Helm's driver errors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    #[error("release: not found")]
    NotFound,
    #[error("release: already exists")]
    AlreadyExists,
    /// The object changed since it was read (optimistic concurrency).
    #[error("release: conflict: {0}")]
    Conflict(String),
    #[error("{0}")]
    Codec(#[from] super::codec::CodecError),
    /// Anything the backend reports.
    #[error("{0}")]
    Backend(String),
    /// An HTTP API answered with an error status (the Kubernetes drivers: 401, 403, ...); the
    /// message is the server's.
    #[error("{message}")]
    Api { code: u16, message: String },
}

/// Where release records live. Keys are (name, revision) within the storage's namespace (or
/// all namespaces for `list` when the driver was made for all of them).
pub trait ReleaseStorage: Send + Sync {
    /// Helm's driver name (`Secret`, `ConfigMap`, `Memory`).
    fn name(&self) -> &'static str;
    /// Stores a new revision; `AlreadyExists` if that revision is there.
    fn create(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send;
    /// Replaces an existing revision; `NotFound` if it is not there.
    fn update(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send;
    /// Removes a revision, returning it.
    fn delete(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send;
    /// One revision.
    fn get(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send;
    /// Every revision of every release (the caller filters).
    fn list(&self) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send;
    /// Every revision of one release, any order; empty when none.
    fn history(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send;
    /// A hint that `rel` is about to be stored exactly as it is: a driver whose records take
    /// work to make (the Kubernetes drivers encode them: JSON, gzip, base64) may start now, on
    /// another thread, while the caller waits on something else, and use the result when
    /// `create` or `update` gets an equal record. Nothing happens by default.
    fn prepare(&self, _rel: &Release) {}
}

/// Helm's `Storage.Deployed`/`DeployedAll` helpers and friends over any [`ReleaseStorage`].
pub trait ReleaseStorageExt: ReleaseStorage {
    /// The revision with the highest number (Helm's `Last`), `NotFound` if none.
    fn last(&self, name: &str) -> impl Future<Output = Result<Release, StorageError>> + Send {
        async move {
            let h = self.history(name).await?;
            h.into_iter()
                .max_by_key(|r| r.version)
                .ok_or(StorageError::NotFound)
        }
    }

    /// The latest `deployed` revision (Helm's `Deployed`), `NotFound` if none.
    fn deployed(&self, name: &str) -> impl Future<Output = Result<Release, StorageError>> + Send {
        async move {
            let h = self.history(name).await?;
            h.into_iter()
                .filter(|r| r.status() == Status::Deployed)
                .max_by_key(|r| r.version)
                .ok_or(StorageError::NotFound)
        }
    }
}

impl<T: ReleaseStorage + ?Sized> ReleaseStorageExt for T {}

/// Helm's `memory` driver: records in a map, for tests and `--dry-run`. Clones (and
/// [`MemoryStorage::scoped`] views) share the records.
#[derive(Debug, Default, Clone)]
pub struct MemoryStorage {
    /// (namespace, name, version) → record.
    records: std::sync::Arc<Mutex<BTreeMap<(String, String, i64), Release>>>,
    namespace: String,
}

impl MemoryStorage {
    /// A store scoped to `namespace` (empty: all namespaces).
    pub fn new(namespace: &str) -> Self {
        MemoryStorage {
            records: Default::default(),
            namespace: namespace.to_string(),
        }
    }

    /// The same records seen from `namespace` (empty: all namespaces).
    pub fn scoped(&self, namespace: &str) -> Self {
        MemoryStorage {
            records: self.records.clone(),
            namespace: namespace.to_string(),
        }
    }

    fn key(&self, name: &str, version: i64) -> (String, String, i64) {
        (self.namespace.clone(), name.to_string(), version)
    }

    fn in_scope(&self, ns: &str) -> bool {
        self.namespace.is_empty() || self.namespace == ns
    }
}

impl ReleaseStorage for MemoryStorage {
    fn name(&self) -> &'static str {
        "Memory"
    }

    fn create(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let mut recs = self.records.lock();
        let ns = if self.namespace.is_empty() {
            rel.namespace.clone()
        } else {
            self.namespace.clone()
        };
        let key = (ns, rel.name.clone(), rel.version);
        let r = if recs.contains_key(&key) {
            Err(StorageError::AlreadyExists)
        } else {
            recs.insert(key, rel.clone());
            Ok(())
        };
        std::future::ready(r)
    }

    fn update(&self, rel: &Release) -> impl Future<Output = Result<(), StorageError>> + Send {
        let mut recs = self.records.lock();
        let ns = if self.namespace.is_empty() {
            rel.namespace.clone()
        } else {
            self.namespace.clone()
        };
        let r = match recs.get_mut(&(ns, rel.name.clone(), rel.version)) {
            Some(slot) => {
                *slot = rel.clone();
                Ok(())
            }
            None => Err(StorageError::NotFound),
        };
        std::future::ready(r)
    }

    fn delete(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let key = self.key(name, version);
        std::future::ready(
            self.records
                .lock()
                .remove(&key)
                .ok_or(StorageError::NotFound),
        )
    }

    fn get(
        &self,
        name: &str,
        version: i64,
    ) -> impl Future<Output = Result<Release, StorageError>> + Send {
        let key = self.key(name, version);
        std::future::ready(
            self.records
                .lock()
                .get(&key)
                .cloned()
                .ok_or(StorageError::NotFound),
        )
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let recs = self.records.lock();
        std::future::ready(Ok(recs
            .iter()
            .filter(|(k, _)| self.in_scope(&k.0))
            .map(|(_, r)| r.clone())
            .collect()))
    }

    fn history(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let recs = self.records.lock();
        std::future::ready(Ok(recs
            .iter()
            .filter(|(k, _)| self.in_scope(&k.0) && k.1 == name)
            .map(|(_, r)| r.clone())
            .collect()))
    }
}

/// Runs a future to completion on the current thread. For the memory driver and tests: its
/// futures never wait, so a no-op waker is enough.
pub fn block_on_ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::Info;

    fn rel(name: &str, v: i64, st: Status) -> Release {
        Release {
            name: name.into(),
            version: v,
            namespace: "ns".into(),
            info: Some(Info {
                status: st,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn memory_driver() {
        let s = MemoryStorage::new("ns");
        assert_eq!(
            block_on_ready(s.create(&rel("a", 1, Status::Superseded))),
            Ok(())
        );
        assert_eq!(
            block_on_ready(s.create(&rel("a", 1, Status::Superseded))),
            Err(StorageError::AlreadyExists)
        );
        assert_eq!(
            block_on_ready(s.create(&rel("a", 2, Status::Deployed))),
            Ok(())
        );
        assert_eq!(
            block_on_ready(s.create(&rel("a", 3, Status::Failed))),
            Ok(())
        );
        assert_eq!(
            block_on_ready(s.create(&rel("b", 1, Status::Deployed))),
            Ok(())
        );
        assert_eq!(block_on_ready(s.history("a")).map(|h| h.len()), Ok(3));
        assert_eq!(block_on_ready(s.last("a")).map(|r| r.version), Ok(3));
        assert_eq!(block_on_ready(s.deployed("a")).map(|r| r.version), Ok(2));
        assert_eq!(
            block_on_ready(s.deployed("zz")),
            Err(StorageError::NotFound)
        );
        assert_eq!(
            block_on_ready(s.update(&rel("a", 9, Status::Deployed))),
            Err(StorageError::NotFound)
        );
        assert_eq!(
            block_on_ready(s.update(&rel("a", 3, Status::Deployed))),
            Ok(())
        );
        assert_eq!(
            block_on_ready(s.get("a", 3)).map(|r| r.status()),
            Ok(Status::Deployed)
        );
        assert_eq!(block_on_ready(s.delete("a", 3)).map(|r| r.version), Ok(3));
        assert_eq!(block_on_ready(s.get("a", 3)), Err(StorageError::NotFound));
        assert_eq!(block_on_ready(s.list()).map(|l| l.len()), Ok(3));
    }
}
