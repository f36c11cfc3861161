//! helm-kube's error enum: cluster access, storage, rendering and action failures. Display is
//! what Helm prints after `Error: ` where Helm has a fixed text.

use helm_core::release::StorageError;
use helm_core::render::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Kubeconfig could not be loaded or the context does not exist.
    #[error("kubernetes cluster unreachable: {0}")]
    Config(String),
    /// An API call failed: the HTTP status code the API server answered with (0 when no
    /// answer came: connection, TLS or decoding failures) and its message, which is what Helm
    /// prints.
    #[error("{message}")]
    Api { code: u16, message: String },
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
        Error::Api { code: api_code(&e), message: api_message(&e) }
    }
}

impl Error {
    /// An API error with the API server's code and `context` put before its message.
    pub fn api(e: &kube::Error, context: impl std::fmt::Display) -> Error {
        Error::Api { code: api_code(e), message: format!("{context}{}", api_message(e)) }
    }

    /// The API server's HTTP status code behind this error (401, 403, 404, 409, 422, ...), if
    /// it came from the API server, also through release storage. Callers decide by code, not
    /// by the message's wording.
    pub fn http_code(&self) -> Option<u16> {
        match self {
            Error::Api { code, .. } if *code > 0 => Some(*code),
            Error::Storage(StorageError::Api { code, .. }) => Some(*code),
            _ => None,
        }
    }
}

/// The HTTP status code of an API error (0 when the API server did not answer).
pub fn api_code(e: &kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        _ => 0,
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
