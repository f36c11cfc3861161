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
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
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

/// The chart of `--server` install/upgrade: a local directory or archive is packaged and
/// uploaded; `oci://…` and `http(s)://` references, and `repo/chart` of a repository in the
/// local repositories.yaml (sent as its URL plus the chart's name), are downloaded by the
/// server. Repository credentials stay here: the server downloads anonymously.
fn remote_chart(chart: &str, version: Option<&str>) -> Result<helm_kube::server::RemoteChart, crate::CmdError> {
    use crate::CmdError;
    use helm_kube::server::{chart_archive, RemoteChart};
    let path = std::path::Path::new(chart);
    let version = version.unwrap_or("").to_string();
    if path.exists() {
        return chart_archive(path).map(RemoteChart::Archive).map_err(|e| CmdError(e.to_string()));
    }
    if chart.starts_with("oci://") || chart.starts_with("http://") || chart.starts_with("https://") {
        return Ok(RemoteChart::Reference { reference: chart.to_string(), version, plain_http: false });
    }
    match chart.split_once('/') {
        Some((repo, name)) if !path.is_absolute() && !chart.starts_with('.') => {
            let repos = helm_core::repo::RepoFile::load_file_or_empty(&helm_core::repo::paths::repository_config()).map_err(|e| CmdError(e.to_string()))?;
            let entry = repos.get(repo).ok_or_else(|| CmdError(format!("repo {repo} not found")))?;
            Ok(RemoteChart::Repo { repo_url: entry.url.clone(), name: name.to_string(), version })
        }
        _ => Err(CmdError(format!("path {chart:?} not found"))),
    }
}

/// `helm-rs --server URL [--token T] COMMAND`: the release commands (and `template`) sent to a
/// release server through `helm_kube::server::RemoteClient`. install/upgrade/rollback/status
/// print as the local commands do; history/list print Helm's table columns.
pub fn run_remote(cmd: crate::release::ReleaseCommand, url: &str, token: Option<String>) -> Result<(), crate::CmdError> {
    use crate::release::{print_release, GetCommand, ReleaseCommand};
    use crate::CmdError;
    use helm_kube::server::RemoteClient;
    let token = token.or_else(|| std::env::var("HELM_RS_TOKEN").ok()).filter(|t| !t.is_empty()).ok_or_else(|| CmdError("--server needs a token: --token or HELM_RS_TOKEN".into()))?;
    let err = |e: helm_kube::server::RemoteError| CmdError(e.to_string());
    let dur = |s: &str| crate::release::parse_go_duration(s);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| CmdError(e.to_string()))?;
    rt.block_on(async move {
        let ns_of = |k: &crate::release::KubeArgs| k.namespace.clone();
        let client = |ns: Option<String>| RemoteClient::new(url, &token, ns.as_deref()).map_err(err);
        let labels = |l: &[String]| -> Result<std::collections::BTreeMap<String, String>, CmdError> {
            l.iter().map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).ok_or_else(|| CmdError(format!("invalid label {kv:?}")))).collect()
        };
        match cmd {
            ReleaseCommand::Install(a) => {
                let (name, chart) = match (a.args.as_slice(), a.generate_name) {
                    ([chart], true) => (None, chart.clone()),
                    ([name, chart], false) => (Some(name.clone()), chart.clone()),
                    _ => return Err(CmdError("usage: helm-rs install [NAME] CHART".into())),
                };
                let d = &a.deploy;
                let values = d.values.to_options().merge_values().map_err(CmdError)?;
                let chart = remote_chart(&chart, d.version.as_deref())?;
                let opts = helm_kube::InstallOptions {
                    name, generate_name: a.generate_name, namespace: ns_of(&a.kube), create_namespace: a.create_namespace,
                    dry_run: d.dry_run.is_some(), replace: a.replace, description: d.description.clone(), labels: labels(&d.labels)?,
                    skip_crds: a.skip_crds, no_hooks: d.no_hooks, wait: d.wait.is_some() || d.atomic, wait_for_jobs: d.wait_for_jobs,
                    timeout: Some(dur(&d.timeout)?), atomic: d.atomic, force_conflicts: d.force_conflicts, skip_schema_validation: d.skip_schema_validation,
                    ..Default::default()
                };
                let rel = client(ns_of(&a.kube))?.install_chart(&chart, &values, opts).await.map_err(|e| CmdError(format!("INSTALLATION FAILED: {e}")))?;
                print_release(&rel, &d.output, true, d.hide_notes)
            }
            ReleaseCommand::Upgrade(a) => {
                let [name, chart] = a.args.as_slice() else { return Err(CmdError("usage: helm-rs upgrade RELEASE CHART".into())) };
                let d = &a.deploy;
                let values = d.values.to_options().merge_values().map_err(CmdError)?;
                let chart = remote_chart(chart, d.version.as_deref())?;
                let opts = helm_kube::UpgradeOptions {
                    namespace: ns_of(&a.kube), dry_run: d.dry_run.is_some(), description: d.description.clone(), labels: labels(&d.labels)?,
                    no_hooks: d.no_hooks, wait: d.wait.is_some() || d.atomic, wait_for_jobs: d.wait_for_jobs, timeout: Some(dur(&d.timeout)?),
                    atomic: d.atomic, reuse_values: a.reuse_values, reset_values: a.reset_values, reset_then_reuse_values: a.reset_then_reuse_values,
                    cleanup_on_fail: a.cleanup_on_fail, max_history: a.max_history, force_conflicts: d.force_conflicts, force_replace: d.force_replace || a.force,
                    skip_schema_validation: d.skip_schema_validation,
                    ..Default::default()
                };
                let rel = client(ns_of(&a.kube))?.upgrade_chart(name, &chart, &values, opts, a.install).await.map_err(|e| CmdError(format!("UPGRADE FAILED: {e}")))?;
                if d.output == "table" {
                    println!("Release \"{name}\" has been upgraded. Happy Helming!");
                }
                print_release(&rel, &d.output, true, d.hide_notes)
            }
            ReleaseCommand::Rollback(a) => {
                let (name, revision) = match a.args.as_slice() {
                    [n] => (n.clone(), 0),
                    [n, r] => (n.clone(), r.parse::<i64>().map_err(|_| CmdError(format!("strconv.Atoi: parsing {r:?}: invalid syntax")))?),
                    _ => return Err(CmdError("usage: helm-rs rollback RELEASE [REVISION]".into())),
                };
                let opts = helm_kube::RollbackOptions {
                    namespace: ns_of(&a.kube), revision, dry_run: a.dry_run.is_some(), no_hooks: a.no_hooks, wait: a.wait.is_some(),
                    timeout: Some(dur(&a.timeout)?), max_history: a.max_history, force_conflicts: a.force_conflicts,
                    force_replace: a.force_replace || a.force, ..Default::default()
                };
                client(ns_of(&a.kube))?.rollback(&name, opts).await.map_err(err)?;
                println!("Rollback was a success! Happy Helming!");
                Ok(())
            }
            ReleaseCommand::Uninstall(a) => {
                let c = client(ns_of(&a.kube))?;
                for name in &a.names {
                    let opts = helm_kube::UninstallOptions {
                        namespace: ns_of(&a.kube), keep_history: a.keep_history, dry_run: a.dry_run, no_hooks: a.no_hooks,
                        wait: a.wait.is_some(), timeout: Some(dur(&a.timeout)?), description: a.description.clone(),
                        cascade: Some(a.cascade.clone()),
                    };
                    match c.uninstall(name, opts).await {
                        Ok(_) => println!("release \"{name}\" uninstalled"),
                        Err(e) if a.ignore_not_found && e.to_string().contains("not found") => println!("release \"{name}\" uninstalled"),
                        Err(e) => return Err(err(e)),
                    }
                }
                Ok(())
            }
            ReleaseCommand::Status(a) => {
                let rel = client(ns_of(&a.kube))?.get_release(&a.name, None, a.revision).await.map_err(err)?;
                print_release(&rel, &a.output, false, false)
            }
            ReleaseCommand::History(a) => {
                let hist = client(ns_of(&a.kube))?.history(&a.name, None).await.map_err(err)?;
                println!("REVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION\tDESCRIPTION");
                for r in hist.iter().rev().take(a.max).rev() {
                    let info = r.info.clone().unwrap_or_default();
                    println!("{}\t{}\t{}\t{}-{}\t{}\t{}", r.version, info.last_deployed.map(|t| t.ansic()).unwrap_or_default(), r.status().as_str(), r.chart_name(), r.chart_version(), r.app_version(), info.description);
                }
                Ok(())
            }
            ReleaseCommand::List(a) => {
                let mut states = Vec::new();
                for (on, st) in [(a.deployed, helm_core::release::Status::Deployed), (a.failed, helm_core::release::Status::Failed), (a.superseded, helm_core::release::Status::Superseded), (a.uninstalled, helm_core::release::Status::Uninstalled), (a.uninstalling, helm_core::release::Status::Uninstalling)] {
                    if on {
                        states.push(st);
                    }
                }
                if a.pending {
                    states.extend([helm_core::release::Status::PendingInstall, helm_core::release::Status::PendingUpgrade, helm_core::release::Status::PendingRollback]);
                }
                let opts = helm_kube::ListOptions { namespace: ns_of(&a.kube), all_namespaces: a.all_namespaces, all: false, states, filter: a.filter.clone() };
                let rels = client(ns_of(&a.kube))?.list(opts).await.map_err(err)?;
                if a.short {
                    for r in &rels {
                        println!("{}", r.name);
                    }
                    return Ok(());
                }
                if !a.no_headers {
                    println!("NAME\tNAMESPACE\tREVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION");
                }
                for r in &rels {
                    let updated = r.info.as_ref().and_then(|i| i.last_deployed).map(|t| t.go_string()).unwrap_or_default();
                    println!("{}\t{}\t{}\t{}\t{}\t{}-{}\t{}", r.name, r.namespace, r.version, updated, r.status().as_str(), r.chart_name(), r.chart_version(), r.app_version());
                }
                Ok(())
            }
            ReleaseCommand::Get { what } => match what {
                GetCommand::Manifest(g) => {
                    print!("{}", client(ns_of(&g.kube))?.get_manifest(&g.name, None, g.revision).await.map_err(err)?);
                    Ok(())
                }
                GetCommand::Notes(g) => {
                    println!("NOTES:\n{}", client(ns_of(&g.kube))?.get_notes(&g.name, None, g.revision).await.map_err(err)?);
                    Ok(())
                }
                GetCommand::Values { get, all, output } => {
                    let v = client(ns_of(&get.kube))?.get_values(&get.name, None, get.revision, all).await.map_err(err)?;
                    let j = helm_core::release::record::core_to_json(&v);
                    match output.as_str() {
                        "json" => println!("{j}"),
                        _ => {
                            println!("{}", if all { "COMPUTED VALUES:" } else { "USER-SUPPLIED VALUES:" });
                            print!("{}", helm_core::values::yaml::to_string(&v).unwrap_or_default());
                        }
                    }
                    Ok(())
                }
                _ => Err(CmdError("with --server: get manifest, notes or values".into())),
            },
            ReleaseCommand::Test(_) => Err(CmdError("test is not available through --server".into())),
        }
    })
}
