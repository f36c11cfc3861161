//! helm-kube's error enum: cluster access, storage, rendering, action and release-server
//! failures. Each carries its [`ErrorKind`] as data ([`Error::kind`]); `Display` is what Helm
//! prints after `Error: ` where Helm has a fixed text.

use helm_core::release::api::ErrorKind;
use helm_core::release::StorageError;
use helm_core::render::RenderError;
use helm_core::template::error::TemplateLocation;

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
    /// Rendering failed. Shown as Helm's install and upgrade show it: without the hint to use
    /// `--debug` that only `helm template` adds.
    #[error("{}", .0.message())]
    Render(#[from] RenderError),
    /// The chart could not be loaded, packaged or downloaded.
    #[error("{0}")]
    Chart(String),
    /// An action refused or failed with Helm's message.
    #[error("{message}")]
    Action { kind: ErrorKind, message: String },
    /// `--wait`/hooks did not finish in time.
    #[error("{0}")]
    Timeout(String),
    /// A release server answered with an error: its HTTP status, the kind it sent, its message,
    /// on a pending conflict the release's pending state (`status`, `revision` or `operation`,
    /// `started`), and for a render error where in the chart it happened.
    #[error("{message}")]
    Server {
        status: u16,
        kind: ErrorKind,
        message: String,
        pending: Option<serde_json::Value>,
        location: Option<TemplateLocation>,
    },
    /// A release server could not be reached.
    #[error("release server unreachable: {0}")]
    Transport(String),
    /// A release server's answer could not be read.
    #[error("unexpected answer from the release server: {0}")]
    Decode(String),
}

impl From<kube::Error> for Error {
    fn from(e: kube::Error) -> Self {
        Error::Api {
            code: api_code(&e),
            message: api_message(&e),
        }
    }
}

impl Error {
    /// An API error with the API server's code and `context` put before its message.
    pub fn api(e: &kube::Error, context: impl std::fmt::Display) -> Error {
        Error::Api {
            code: api_code(e),
            message: format!("{context}{}", api_message(e)),
        }
    }

    /// An action's refusal or failure of the given kind, with Helm's message.
    pub fn action(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::Action {
            kind,
            message: message.into(),
        }
    }

    /// The same error with `context` put before its message (its kind and code kept).
    pub fn with_context(self, context: &str) -> Error {
        match self {
            Error::Api { code, message } => Error::Api {
                code,
                message: format!("{context}{message}"),
            },
            Error::Action { kind, message } => Error::Action {
                kind,
                message: format!("{context}{message}"),
            },
            other => {
                let kind = other.kind();
                Error::Action {
                    kind,
                    message: format!("{context}{other}"),
                }
            }
        }
    }

    /// The request is wrong (bad option, name or manifest; unsupported mode).
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::action(ErrorKind::InvalidInput, message)
    }

    /// The release or revision does not exist.
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::action(ErrorKind::NotFound, message)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_) => ErrorKind::Cluster,
            Error::Api { code, .. } => api_kind(*code),
            Error::Storage(s) => match s {
                StorageError::NotFound => ErrorKind::NotFound,
                StorageError::AlreadyExists | StorageError::Conflict(_) => ErrorKind::Conflict,
                StorageError::Codec(_) => ErrorKind::Internal,
                StorageError::Backend(_) => ErrorKind::Cluster,
                StorageError::Api { code, .. } => api_kind(*code),
            },
            // A bad release name is the request's fault, whichever side checks it.
            Error::Render(RenderError::InvalidReleaseName { .. }) => ErrorKind::InvalidInput,
            Error::Render(_) => ErrorKind::Render,
            Error::Chart(_) => ErrorKind::InvalidInput,
            Error::Action { kind, .. } => *kind,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Server { kind, .. } => *kind,
            Error::Transport(_) => ErrorKind::Unavailable,
            Error::Decode(_) => ErrorKind::Internal,
        }
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

    /// The HTTP status a release server answers with for this error.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Server { status, .. } => *status,
            e => e.kind().http_status(),
        }
    }

    /// The render error behind this error, when it happened here.
    pub fn render_error(&self) -> Option<&RenderError> {
        match self {
            Error::Render(r) => Some(r),
            _ => None,
        }
    }

    /// Where in the chart a render error happened (the chart's own template), as data,
    /// whether it happened here or on a release server.
    pub fn template_location(&self) -> Option<TemplateLocation> {
        match self {
            Error::Render(r) => r.location(),
            Error::Server { location, .. } => location.clone(),
            _ => None,
        }
    }
}

/// The kind of an error the API server answered with. Only the caller's own standing (401,
/// 403) and conflicts are the caller's to act on; a 404 or 422 from the API server during an
/// action is the cluster refusing something the chart asked for, not "release not found".
fn api_kind(code: u16) -> ErrorKind {
    match code {
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        409 => ErrorKind::Conflict,
        _ => ErrorKind::Cluster,
    }
}

/// The HTTP status code of an API error (0 when the API server did not answer).
pub fn api_code(e: &kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        _ => 0,
    }
}

/// The API server's own message for an API error (what Helm prints), else kube's text with
/// the causes under it (`client error (Connect): tcp connect error: Connection refused`), which
/// say why the API server was not reached.
pub fn api_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => {
            let mut text = other.to_string();
            let mut cause = std::error::Error::source(other);
            while let Some(c) = cause {
                let more = c.to_string();
                if !text.contains(&more) {
                    text.push_str(": ");
                    text.push_str(&more);
                }
                cause = c.source();
            }
            text
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_variants_and_codes() {
        assert_eq!(
            Error::Api {
                code: 403,
                message: "x is forbidden: User y".into()
            }
            .kind(),
            ErrorKind::Forbidden
        );
        assert_eq!(
            Error::Storage(StorageError::Api {
                code: 401,
                message: "Unauthorized".into()
            })
            .kind(),
            ErrorKind::Unauthorized
        );
        assert_eq!(
            Error::Storage(StorageError::NotFound).kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            Error::Api {
                code: 404,
                message: "namespaces \"x\" not found".into()
            }
            .kind(),
            ErrorKind::Cluster
        );
        assert_eq!(
            Error::Timeout("timed out".into()).kind(),
            ErrorKind::Timeout
        );
        assert_eq!(
            Error::action(
                ErrorKind::Pending,
                "another operation (install/upgrade/rollback) is in progress"
            )
            .http_status(),
            409
        );
        let server = Error::Server {
            status: 404,
            kind: ErrorKind::NotFound,
            message: "release: not found".into(),
            pending: None,
            location: None,
        };
        assert_eq!(
            (
                server.kind(),
                server.http_status(),
                server.to_string().as_str()
            ),
            (ErrorKind::NotFound, 404, "release: not found")
        );
    }
}
