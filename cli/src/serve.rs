//! `helm-rs serve`: runs the release server (`helm_kube::server`) until SIGTERM/SIGINT, then
//! stops accepting, waits for running operations and exits (1 if it had to abandon some; they
//! stay `pending-*` in the cluster and are named in the log).

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (`127.0.0.1:8080`; port 0 picks one, printed in the log).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// PEM certificate chain: serve HTTPS.
    #[arg(long = "tls-cert", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long = "tls-key", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Where the API server is (its credentials are not used: each caller brings a token).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    #[arg(long = "kube-context")]
    kube_context: Option<String>,
    /// Largest accepted request body.
    #[arg(long = "max-body-bytes", default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// Requests one caller (token) may have in flight.
    #[arg(long = "max-concurrent-per-caller", default_value_t = 4)]
    max_concurrent_per_caller: usize,
    /// Seconds a mutating request waits for its operation before answering 202.
    #[arg(long = "request-timeout", default_value_t = 600)]
    request_timeout: u64,
    /// Seconds SIGTERM waits for running operations.
    #[arg(long = "shutdown-grace", default_value_t = 300)]
    shutdown_grace: u64,
    /// This replica's name when several serve one cluster (default: $POD_NAME, else
    /// $HOSTNAME): operation ids and the `x-helm-rs-replica` header carry it.
    #[arg(long = "replica-name")]
    replica_name: Option<String>,
}

pub fn run(a: ServeArgs) -> ExitCode {
    let cfg = helm_kube::server::ServerConfig {
        listen: a.listen,
        tls_cert: a.tls_cert,
        tls_key: a.tls_key,
        kubeconfig: a.kubeconfig,
        context: a.kube_context,
        max_body_bytes: a.max_body_bytes,
        max_concurrent_per_caller: a.max_concurrent_per_caller.max(1),
        request_timeout: Duration::from_secs(a.request_timeout),
        shutdown_grace: Duration::from_secs(a.shutdown_grace),
        replica: a
            .replica_name
            .as_deref()
            .map(helm_kube::server::replica_name)
            .filter(|r| !r.is_empty())
            .unwrap_or_else(helm_kube::server::default_replica_name),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let server = match helm_kube::server::Server::bind(cfg).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let shutdown = async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                match signal(SignalKind::terminate()) {
                    Ok(mut term) => {
                        tokio::select! {
                            _ = term.recv() => {}
                            _ = tokio::signal::ctrl_c() => {}
                        }
                    }
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        };
        match server.run(shutdown).await {
            Ok(abandoned) if abandoned.is_empty() => ExitCode::SUCCESS,
            Ok(_) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("Error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
