//! The release server (issue 8): Tiller's role without Tiller's privilege hole. An HTTP/JSON
//! API over helm-kube's release actions where every request carries the caller's Kubernetes
//! bearer token and the server talks to the API server *with that token* — the server's own
//! kubeconfig (or in-cluster config) only supplies the API server's URL and CA, its
//! credentials are dropped — so Kubernetes RBAC decides what each caller may do, and a 403 from
//! the API server is returned as 403 with Kubernetes' message.
//!
//! Safety: request bodies are size-limited (413); each caller (identified by a hash of its
//! token, never the token) has a bounded number of requests in flight (429); operations on one
//! release are serialized (a second one gets 409 with the pending state of the first);
//! mutating operations run as tasks that a client disconnect cannot cancel (a request that
//! outlives `request_timeout` gets 202 with its operation id); on SIGTERM the server stops
//! accepting, waits for running operations up to `shutdown_grace`, and logs any release it had
//! to leave `pending-*` (the record in the cluster says so; rollback recovers it).
//!
//! Replicas: several servers may serve one cluster behind one Service; they share nothing but
//! the API server. The per-release lock above is per replica; between replicas the release
//! storage decides (the next revision is claimed with a create that fails when it exists, and
//! records are updated guarded by the version read), so the loser of a race gets the same 409.
//! Operations (ids, status, event feeds) live in the memory of the replica that runs them:
//! their ids end in `@replica`, every response names its replica (`x-helm-rs-replica`), and a
//! request for another replica's operation gets 404 naming it, after which [`crate::RemoteClient`]
//! follows the release's record, which any replica reads. A replica killed mid-operation leaves
//! its release `pending-*`, reported by the others and recovered by `recover`.
//!
//! Endpoints are listed in [`openapi::document`] (served at `/openapi.json`). A web view of the
//! releases ([`web`]) is served at `/` and under `/ui/`, signed in with the same tokens.

pub mod api;
pub mod openapi;
pub mod ops;
pub mod progress;
pub mod web;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use ops::Registry;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Response bodies: whole JSON documents or an SSE stream.
pub type Body = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;

/// `helm-rs serve` settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// PEM certificate chain and private key: serve HTTPS (rustls) instead of HTTP.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Where the API server is (credentials in it are ignored): None = $KUBECONFIG,
    /// ~/.kube/config, in-cluster.
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub max_body_bytes: usize,
    pub max_concurrent_per_caller: usize,
    /// How long a mutating request waits for its operation before answering 202.
    pub request_timeout: Duration,
    /// How long SIGTERM waits for running operations.
    pub shutdown_grace: Duration,
    /// This server's name among replicas serving one cluster (a pod's name): operation ids
    /// carry it and every response names it (`x-helm-rs-replica`), so an operation asked of
    /// the wrong replica is answered with where it runs. See [`default_replica_name`].
    pub replica: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls_cert: None,
            tls_key: None,
            kubeconfig: None,
            context: None,
            max_body_bytes: 16 << 20,
            max_concurrent_per_caller: 4,
            request_timeout: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(300),
            replica: default_replica_name(),
        }
    }
}

/// The replica's name when none is given: `$POD_NAME` (the chart sets it from the downward
/// API), else `$HOSTNAME` (a pod's hostname is its name), else one made of the process id and
/// start time. Reduced to lowercase letters, digits and `-` so it fits in ids and headers.
pub fn default_replica_name() -> String {
    let given = ["POD_NAME", "HOSTNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| replica_name(&v))
        .find(|v| !v.is_empty());
    given.unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        format!("r{:x}-{}", t & 0xffff_ffff, std::process::id())
    })
}

/// `name` reduced to what a replica name may hold (lowercase letters, digits, `-`; at most
/// 63 characters).
pub fn replica_name(name: &str) -> String {
    name.trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(63)
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Shared by every request.
pub struct State {
    pub cfg: ServerConfig,
    /// The API server's address and CA (None: no cluster configured; template still works).
    pub base: Option<kube::Config>,
    pub base_error: Option<String>,
    pub reg: Arc<Registry>,
    pub shutting_down: AtomicBool,
}

/// Writes one structured log line (JSON) to stderr.
pub fn log(level: &str, msg: &str, fields: serde_json::Value) {
    let mut obj = serde_json::Map::new();
    obj.insert("ts".into(), ops::now_rfc3339().into());
    obj.insert("level".into(), level.into());
    obj.insert("msg".into(), msg.into());
    if let serde_json::Value::Object(m) = fields {
        obj.extend(m);
    }
    eprintln!("{}", serde_json::Value::Object(obj));
}

/// Loads where the API server is; credentials are dropped (each request brings its own).
pub async fn load_base_config(
    kubeconfig: Option<&PathBuf>,
    context: Option<&String>,
) -> Result<kube::Config, String> {
    use kube::config::{KubeConfigOptions, Kubeconfig};
    let kopts = KubeConfigOptions {
        context: context.cloned(),
        ..Default::default()
    };
    let mut config = match kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path).map_err(|e| e.to_string())?;
            kube::Config::from_custom_kubeconfig(kc, &kopts)
                .await
                .map_err(|e| e.to_string())?
        }
        None if context.is_some() => kube::Config::from_kubeconfig(&kopts)
            .await
            .map_err(|e| e.to_string())?,
        None => kube::Config::infer().await.map_err(|e| e.to_string())?,
    };
    config.auth_info = Default::default();
    Ok(config)
}

/// A bound server, ready to [`Server::run`].
pub struct Server {
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    pub state: Arc<State>,
}

impl Server {
    pub async fn bind(cfg: ServerConfig) -> Result<Server, ServerError> {
        let (base, base_error) =
            match load_base_config(cfg.kubeconfig.as_ref(), cfg.context.as_ref()).await {
                Ok(c) => (Some(c), None),
                Err(e) => {
                    log(
                        "warn",
                        "no cluster configured; only template works",
                        serde_json::json!({ "error": e }),
                    );
                    (None, Some(e))
                }
            };
        let tls = match (&cfg.tls_cert, &cfg.tls_key) {
            (Some(c), Some(k)) => Some(tls_acceptor(c, k)?),
            (None, None) => None,
            _ => {
                return Err(ServerError::Tls(
                    "--tls-cert and --tls-key go together".into(),
                ))
            }
        };
        let listener = tokio::net::TcpListener::bind(cfg.listen)
            .await
            .map_err(|e| ServerError::Listen(cfg.listen, e))?;
        let reg = Arc::new(Registry::for_replica(&cfg.replica));
        let state = Arc::new(State {
            cfg,
            base,
            base_error,
            reg,
            shutting_down: AtomicBool::new(false),
        });
        Ok(Server {
            listener,
            tls,
            state,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then stops accepting and waits for running operations
    /// (up to `shutdown_grace`). Returns the operations it had to abandon.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<Vec<serde_json::Value>, ServerError> {
        let Server {
            listener,
            tls,
            state,
        } = self;
        log(
            "info",
            "listening",
            serde_json::json!({ "addr": listener.local_addr()?.to_string(), "tls": tls.is_some() }),
        );
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                acc = listener.accept() => {
                    let Ok((stream, peer)) = acc else { continue };
                    let state = state.clone();
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        let svc = hyper::service::service_fn(move |req| {
                            let state = state.clone();
                            async move { Ok::<_, std::convert::Infallible>(handle(state, req, peer).await) }
                        });
                        let http = hyper::server::conn::http1::Builder::new();
                        match tls {
                            Some(acc) => {
                                if let Ok(s) = acc.accept(stream).await {
                                    let _ = http.serve_connection(hyper_util::rt::TokioIo::new(s), svc).await;
                                }
                            }
                            None => {
                                let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), svc).await;
                            }
                        }
                    });
                }
            }
        }
        drop(listener);
        state.shutting_down.store(true, Ordering::SeqCst);
        let running = state.reg.running.load(Ordering::SeqCst);
        log(
            "info",
            "shutting down: no new connections; waiting for running operations",
            serde_json::json!({ "running": running }),
        );
        let deadline = tokio::time::Instant::now() + state.cfg.shutdown_grace;
        loop {
            let idle = state.reg.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if state.reg.running.load(Ordering::SeqCst) == 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                break;
            }
        }
        let abandoned: Vec<serde_json::Value> = state
            .reg
            .unfinished()
            .iter()
            .map(|op| serde_json::json!({ "operation": op.id, "kind": op.kind.as_str(), "namespace": op.namespace, "release": op.release, "left_as": op.kind.pending_status() }))
            .collect();
        for a in &abandoned {
            log("warn", "operation interrupted by shutdown; the release stays pending in storage (rollback recovers it)", a.clone());
        }
        log(
            "info",
            "stopped",
            serde_json::json!({ "abandoned": abandoned.len() }),
        );
        Ok(abandoned)
    }
}

fn tls_acceptor(cert: &PathBuf, key: &PathBuf) -> Result<tokio_rustls::TlsAcceptor, ServerError> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert.display())))?;
    if certs.is_empty() {
        return Err(ServerError::Tls(format!(
            "{}: no certificate",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// A JSON response.
pub fn json(status: u16, body: &serde_json::Value) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())).boxed());
    *r.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

/// `{"error": message}` with `status`.
pub fn error(status: u16, message: impl Into<String>) -> Response<Body> {
    json(status, &serde_json::json!({ "error": message.into() }))
}

async fn handle(state: Arc<State>, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let replica = state.cfg.replica.clone();
    let (mut resp, caller) = api::route(state, req).await;
    log(
        "info",
        "request",
        serde_json::json!({
            "method": method, "path": path, "status": resp.status().as_u16(),
            "ms": started.elapsed().as_millis() as u64, "peer": peer.to_string(), "caller": caller,
            "replica": replica,
        }),
    );
    if let Ok(v) = hyper::header::HeaderValue::from_str(&replica) {
        resp.headers_mut().insert("x-helm-rs-replica", v);
    }
    resp
}
