//! The transport of chart repositories: HTTP(S) downloads of indexes and chart archives.
//!
//! Why a separate layer: what a repository means (index model, version resolution, cache
//! layout) is pure logic in `helm_core::repo`; this module only moves bytes, with the options
//! Helm's HTTP getter has — basic auth, a CA bundle, client certificates,
//! `insecure_skip_tls_verify`, `pass_credentials_all` — over rustls (no OpenSSL).
//!
//! Safety rules, all enforced here so callers cannot forget them: downloads stream into a
//! temporary file beside the destination and are renamed into place only when complete (and,
//! for charts, when the index's digest matches); bodies larger than a limit are refused; a
//! redirect may not downgrade HTTPS to HTTP, and credentials never follow a redirect to another
//! host (reqwest drops the `Authorization` header across hosts).
//!
//! Progress: the `_observed` variants take a [`TransferObserver`], told of every index, chart
//! and provenance file as its bytes move ([`progress`]); the plain functions report nothing.

pub mod chart_repo;
pub mod deps;
pub mod http;
pub mod hub;
pub mod oci;
pub mod progress;

pub use chart_repo::{
    download_index, download_index_observed, find_chart_in_repo_url, resolve_chart, ResolvedChart,
};
pub use http::{Getter, HttpOptions};
pub use progress::{Direction, Transfer, TransferEvent, TransferKind, TransferObserver};

/// Errors of repository IO, with Helm's wording where Helm has one.
#[derive(Debug, thiserror::Error)]
pub enum RepoIoError {
    #[error("failed to fetch {url} : {status}")]
    Status { url: String, status: String },
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url}: the response exceeds the maximum size of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Tls(String),
    #[error("digest mismatch for {url}: the index says sha256:{expected}, the download is sha256:{actual}")]
    Digest {
        url: String,
        expected: String,
        actual: String,
    },
    #[error(transparent)]
    Repo(#[from] helm_core::repo::RepoError),
    #[error("{0}")]
    Other(String),
}
