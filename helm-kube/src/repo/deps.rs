//! `helm dependency update|build`: resolve Chart.yaml's dependencies against HTTP repositories,
//! OCI registries and `file://` directories, download them into `charts/`, write Chart.lock.
//!
//! Everything is fetched into a staging directory first; `charts/` is only touched once every
//! dependency has arrived (and each file lands by rename), so a failed update leaves the chart
//! as it was — Helm gets the same effect by backing `charts/` up and restoring it.

use super::oci::{pull_chart_observed, OciOptions};
use super::progress::TransferObserver;
use super::{download_index_observed, resolve_chart, RepoIoError};
use helm_core::chart::{self, Dependency, Lock};
use helm_core::gocompat::semver::Version;
use helm_core::repo::deps::{self, Source};
use helm_core::repo::{paths, IndexFile, RepoFile};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where dependencies are looked up.
pub struct DepOptions {
    pub repos: RepoFile,
    pub cache: PathBuf,
    pub oci: OciOptions,
    /// `--skip-refresh`: use the cached indexes as they are.
    pub skip_refresh: bool,
}

fn other(e: impl std::fmt::Display) -> RepoIoError {
    RepoIoError::Other(e.to_string())
}

/// Helm's `ensureMissingRepos`: indexes of repositories named by URL only, fetched into the
/// cache under their `helm-manager-…` names; returns the repositories file extended with them.
fn fetch_unmanaged(
    sources: &[Source],
    opts: &DepOptions,
    out: &mut dyn Write,
    observer: &Option<TransferObserver>,
) -> Result<RepoFile, RepoIoError> {
    let mut repos = opts.repos.clone();
    let unmanaged: Vec<&helm_core::repo::RepoEntry> = sources
        .iter()
        .filter_map(|s| match s {
            Source::Http(e) if !opts.repos.has(&e.name) => Some(e),
            _ => None,
        })
        .collect();
    if unmanaged.is_empty() {
        return Ok(repos);
    }
    let _ = writeln!(out, "Getting updates for unmanaged Helm repositories...");
    for e in unmanaged {
        if repos.has(&e.name) {
            continue;
        }
        download_index_observed(e, &opts.cache, observer.clone()).map_err(|err| {
            other(format!(
                "no cached repository for {} found. (try 'helm repo update'): {err}",
                e.url
            ))
        })?;
        let _ = writeln!(
            out,
            "...Successfully got an update from the {:?} chart repository",
            e.url
        );
        repos.update(e.clone());
    }
    Ok(repos)
}

/// Helm's `UpdateRepositories`: refreshes every configured repository's index.
fn refresh(
    opts: &DepOptions,
    out: &mut dyn Write,
    observer: &Option<TransferObserver>,
) -> Result<(), RepoIoError> {
    if opts.skip_refresh || opts.repos.repositories.is_empty() {
        return Ok(());
    }
    let _ = writeln!(
        out,
        "Hang tight while we grab the latest from your chart repositories..."
    );
    for e in &opts.repos.repositories {
        match download_index_observed(e, &opts.cache, observer.clone()) {
            Ok(_) => {
                let _ = writeln!(
                    out,
                    "...Successfully got an update from the {:?} chart repository",
                    e.name
                );
            }
            Err(err) => {
                let _ = writeln!(
                    out,
                    "...Unable to get an update from the {:?} chart repository ({}):\n\t{err}",
                    e.name, e.url
                );
            }
        }
    }
    let _ = writeln!(out, "Update Complete. ⎈Happy Helming!⎈");
    Ok(())
}

/// The locked version of each dependency (the resolver).
fn resolve(
    chart_dir: &Path,
    req: &[Dependency],
    sources: &[Source],
    opts: &DepOptions,
) -> Result<Vec<Dependency>, RepoIoError> {
    let mut locked = Vec::new();
    let mut missing = Vec::new();
    for (d, src) in req.iter().zip(sources) {
        let version = match src {
            // Helm's resolver locks the declared version as it is, once the directory is there.
            Source::InCharts(dir) => {
                if !dir.is_dir() {
                    return Err(other(format!("directory {} not found", dir.display())));
                }
                Some(d.version.clone())
            }
            Source::Local(dir) => {
                let c = chart::load_dir(dir)
                    .map_err(|e| other(format!("directory {} not found: {e}", dir.display())))?;
                deps::satisfies(&d.version, &c.metadata.version).then(|| c.metadata.version.clone())
            }
            Source::Http(entry) => {
                let path = opts.cache.join(paths::cache_index_file(&entry.name));
                let index = IndexFile::load_file(&path).map_err(|e| {
                    other(format!(
                        "no cached repository for {} found. (try 'helm repo update'): {e}",
                        entry.url
                    ))
                })?;
                deps::resolve_in_index(&index, &d.name, &d.version)
            }
            Source::Oci(repo) => {
                let r = helm_core::repo::oci::Reference::parse(&format!(
                    "{}/{}",
                    repo.trim_end_matches('/'),
                    d.name
                ))?;
                let creds = super::oci::stored_credentials(&opts.oci.registry_config, &r.registry);
                let reg = super::oci::Registry::new(
                    &r.registry,
                    opts.oci.plain_http,
                    &opts.oci.tls,
                    creds,
                )?;
                let tags = reg.tags(&r.repository)?;
                helm_core::repo::oci::select_tag(&tags, &d.version).ok()
            }
        };
        match version {
            Some(v) => locked.push(Dependency {
                name: d.name.clone(),
                version: v,
                repository: d.repository.clone(),
                ..Default::default()
            }),
            None => missing.push(format!("{:?}", d.repository)),
        }
    }
    if !missing.is_empty() {
        return Err(other(format!(
            "can't get a valid version for {} subchart(s): {}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml",
            missing.len(),
            missing.join(", ")
        )));
    }
    let _ = chart_dir;
    Ok(locked)
}

/// Fetches every locked dependency into a staging directory, then replaces the archives in
/// `charts/` with them.
fn download_all(
    chart_dir: &Path,
    locked: &[Dependency],
    sources: &[Source],
    repos: &RepoFile,
    opts: &DepOptions,
    out: &mut dyn Write,
    observer: &Option<TransferObserver>,
) -> Result<(), RepoIoError> {
    let _ = writeln!(out, "Saving {} charts", locked.len());
    let staging = tempfile::tempdir().map_err(|e| RepoIoError::Io {
        path: std::env::temp_dir(),
        source: e,
    })?;
    for (d, src) in locked.iter().zip(sources) {
        match src {
            Source::InCharts(_) => {
                let _ = writeln!(out, "Dependency {} did not declare a repository. Assuming it exists in the charts directory", d.name);
            }
            Source::Local(dir) => {
                let c = chart::load_dir(dir).map_err(other)?;
                if c.metadata.version != d.version {
                    return Err(other(format!(
                        "can't get a valid version for dependency {}",
                        d.name
                    )));
                }
                chart::package::save_dir(&c, dir, staging.path()).map_err(other)?;
            }
            Source::Http(entry) => {
                let _ = writeln!(out, "Downloading {} from repo {}", d.name, entry.url);
                let r = resolve_chart(
                    &format!("{}/{}", entry.name, d.name),
                    &d.version,
                    repos,
                    &opts.cache,
                )?;
                r.download_observed(staging.path(), observer.clone())?;
            }
            Source::Oci(repo) => {
                let _ = writeln!(out, "Downloading {} from repo {}", d.name, repo);
                pull_chart_observed(
                    &format!("{}/{}", repo.trim_end_matches('/'), d.name),
                    &d.version,
                    staging.path(),
                    &opts.oci,
                    observer.clone(),
                )?;
            }
        }
    }
    let _ = writeln!(out, "Deleting outdated charts");
    let charts = chart_dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|e| RepoIoError::Io {
        path: charts.clone(),
        source: e,
    })?;
    if let Ok(rd) = std::fs::read_dir(&charts) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "tgz") && p.is_file() {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    let rd = std::fs::read_dir(staging.path()).map_err(|e| RepoIoError::Io {
        path: staging.path().into(),
        source: e,
    })?;
    for e in rd.flatten() {
        let name = e.file_name();
        let tmp = charts.join(format!(".{}.tmp", name.to_string_lossy()));
        std::fs::copy(e.path(), &tmp).map_err(|err| RepoIoError::Io {
            path: tmp.clone(),
            source: err,
        })?;
        std::fs::rename(&tmp, charts.join(&name)).map_err(|err| RepoIoError::Io {
            path: tmp.clone(),
            source: err,
        })?;
    }
    Ok(())
}

/// Helm's `resolveRepoNames`: a dependency's `@name` or `alias:name` repository becomes the URL
/// of the configured repository of that name (as the lock and its digest record it).
fn with_repo_urls(req: &[Dependency], repos: &RepoFile) -> Vec<Dependency> {
    req.iter()
        .map(|d| {
            let name = d
                .repository
                .strip_prefix('@')
                .or_else(|| d.repository.strip_prefix("alias:"));
            match name.and_then(|n| repos.repositories.iter().find(|e| e.name == n)) {
                Some(entry) => Dependency {
                    repository: entry.url.clone(),
                    ..d.clone()
                },
                None => d.clone(),
            }
        })
        .collect()
}

fn load(chart_dir: &Path) -> Result<chart::Chart, RepoIoError> {
    chart::load_dir(chart_dir).map_err(other)
}

fn write_lock(chart_dir: &Path, c: &chart::Chart, lock: &Lock) -> Result<(), RepoIoError> {
    let name = if c.metadata.api_version == "v1" {
        "requirements.lock"
    } else {
        "Chart.lock"
    };
    let data = chart::package::lock_yaml(lock).map_err(other)?;
    helm_core::repo::atomic_write(&chart_dir.join(name), &data, 0o644)?;
    Ok(())
}

/// `helm dependency update`: resolve, download, and write the lock when it changed.
pub fn update(chart_dir: &Path, opts: &DepOptions, out: &mut dyn Write) -> Result<(), RepoIoError> {
    update_observed(chart_dir, opts, out, None)
}

/// [`update`], reporting every index and chart download to `observer`.
pub fn update_observed(
    chart_dir: &Path,
    opts: &DepOptions,
    out: &mut dyn Write,
    observer: Option<TransferObserver>,
) -> Result<(), RepoIoError> {
    let c = load(chart_dir)?;
    let req = c.metadata.dependencies.clone();
    if req.is_empty() {
        return Ok(());
    }
    let sources = deps::sources(chart_dir, &req, &opts.repos)?;
    let repos = fetch_unmanaged(&sources, opts, out, &observer)?;
    refresh(opts, out, &observer)?;
    let mut locked = resolve(chart_dir, &req, &sources, opts)?;
    download_all(chart_dir, &locked, &sources, &repos, opts, out, &observer)?;
    // The lock names repositories by URL, and its digest is of the dependencies so named.
    let req = with_repo_urls(&req, &opts.repos);
    for (l, r) in locked.iter_mut().zip(&req) {
        l.repository = r.repository.clone();
    }
    let digest = deps::hash_req(&req, &locked);
    if c.lock.as_ref().is_some_and(|l| l.digest == digest) {
        return Ok(());
    }
    let lock = Lock {
        generated: helm_core::repo::now_rfc3339_nano(),
        digest,
        dependencies: locked,
    };
    write_lock(chart_dir, &c, &lock)
}

/// `helm dependency build`: download exactly what Chart.lock says (or `update` without one).
pub fn build(chart_dir: &Path, opts: &DepOptions, out: &mut dyn Write) -> Result<(), RepoIoError> {
    build_observed(chart_dir, opts, out, None)
}

/// [`build`], reporting every index and chart download to `observer`.
pub fn build_observed(
    chart_dir: &Path,
    opts: &DepOptions,
    out: &mut dyn Write,
    observer: Option<TransferObserver>,
) -> Result<(), RepoIoError> {
    let c = load(chart_dir)?;
    let Some(lock) = c.lock.clone() else {
        return update_observed(chart_dir, opts, out, observer);
    };
    let req = with_repo_urls(&c.metadata.dependencies, &opts.repos);
    if deps::hash_req(&req, &lock.dependencies) != lock.digest {
        return Err(other("the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies"));
    }
    // Every repository the lock names by URL must be one of the configured repositories.
    let missing: Vec<&str> = lock
        .dependencies
        .iter()
        .map(|d| d.repository.as_str())
        .filter(|r| !r.is_empty() && !r.starts_with("file://") && !r.starts_with("oci://"))
        .filter(|r| {
            !opts
                .repos
                .repositories
                .iter()
                .any(|e| e.url.trim_end_matches('/') == r.trim_end_matches('/'))
        })
        .collect();
    if !missing.is_empty() {
        return Err(other(format!(
            "no repository definition for {}. Please add the missing repos via 'helm repo add'",
            missing.join(", ")
        )));
    }
    let sources = deps::sources(chart_dir, &lock.dependencies, &opts.repos)?;
    let repos = fetch_unmanaged(&sources, opts, out, &observer)?;
    refresh(opts, out, &observer)?;
    for (d, src) in lock.dependencies.iter().zip(&sources) {
        if !matches!(src, Source::InCharts(_)) && Version::parse(&d.version).is_err() {
            return Err(other(format!(
                "dependency {:?} has an invalid locked version {:?}",
                d.name, d.version
            )));
        }
    }
    download_all(
        chart_dir,
        &lock.dependencies,
        &sources,
        &repos,
        opts,
        out,
        &observer,
    )
}
