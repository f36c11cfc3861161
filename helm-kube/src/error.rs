//! helm-kube's error enum: cluster access, storage, rendering and action failures. Display is
//! what Helm prints after `Error: ` where Helm has a fixed text.

use helm_core::release::StorageError;
use helm_core::render::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Kubeconfig could not be loaded or the context does not exist.
    #[error("kubernetes cluster unreachable: {0}")]
    Config(String),
    /// An API call failed; the text is the API server's message when it sent one.
    #[error("{0}")]
    Api(String),
    #[error("{0}")]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Render(#[from] RenderError),
    /// An action refused or failed with Helm's message.
    #[error("{0}")]
    Action(String),
    /// `--wait`/hooks did not finish in time.
    #[error("{0}")]
    Timeout(String),
}

impl From<kube::Error> for Error {
    fn from(e: kube::Error) -> Self {
        Error::Api(api_message(&e))
    }
}

/// The API server's own message for an API error (what Helm prints), else kube's text.
pub fn api_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

/// Whether the error is a 404 from the API server.
pub fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

/// Whether the error is a 409 (already exists / conflict).
pub fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 409)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
