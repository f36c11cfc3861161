//! Chart repositories over HTTP: refreshing a repository's cached index, and turning a chart
//! reference (`repo/chart`, a URL, or `--repo URL` + name) into a download.

use super::http::{Getter, HttpOptions};
use super::progress::{TransferKind, TransferObserver};
use super::RepoIoError;
use helm_core::repo::{self, paths, ChartVersion, IndexFile, RepoEntry, RepoError, RepoFile};
use std::path::{Path, PathBuf};

/// Downloads `entry`'s index.yaml, checks it parses as an index, and stores it in `cache_dir`
/// as `<name>-index.yaml` (raw bytes, as Helm) plus `<name>-charts.txt`.
pub fn download_index(
    entry: &RepoEntry,
    cache_dir: &Path,
) -> Result<(IndexFile, PathBuf), RepoIoError> {
    download_index_observed(entry, cache_dir, None)
}

/// [`download_index`], reporting the download to `observer` as an index named by the
/// repository's name.
pub fn download_index_observed(
    entry: &RepoEntry,
    cache_dir: &Path,
    observer: Option<TransferObserver>,
) -> Result<(IndexFile, PathBuf), RepoIoError> {
    let url = repo::index_url(&entry.url)?;
    let getter = Getter::new(&HttpOptions::from_entry(entry))?.with_observer(observer);
    let data = getter.get_bytes_named(&url, TransferKind::Index, &entry.name)?;
    let index = IndexFile::load(&data, &url)?;
    let index_path = cache_dir.join(paths::cache_index_file(&entry.name));
    repo::atomic_write(
        &cache_dir.join(paths::cache_charts_file(&entry.name)),
        index.chart_names_text().as_bytes(),
        0o644,
    )?;
    repo::atomic_write(&index_path, &data, 0o644)?;
    Ok((index, index_path))
}

/// A chart version found in a repository, ready to download.
#[derive(Clone, Debug)]
pub struct ResolvedChart {
    pub url: String,
    /// The sha256 from the index ("" for direct URLs).
    pub digest: String,
    /// HTTP options for the download (credentials only when Helm would send them).
    pub options: HttpOptions,
    pub chart: Option<ChartVersion>,
}

impl ResolvedChart {
    /// The archive's file name (the last path element of the URL).
    pub fn file_name(&self) -> String {
        let path = url::Url::parse(&self.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| self.url.clone());
        path.rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("chart.tgz")
            .to_string()
    }

    /// Streams the archive into `dir` (digest checked), returning its path.
    pub fn download(&self, dir: &Path) -> Result<PathBuf, RepoIoError> {
        self.download_observed(dir, None)
    }

    /// [`ResolvedChart::download`], reporting the bytes to `observer`.
    pub fn download_observed(
        &self,
        dir: &Path,
        observer: Option<TransferObserver>,
    ) -> Result<PathBuf, RepoIoError> {
        let dest = dir.join(self.file_name());
        Getter::new(&self.options)?
            .with_observer(observer)
            .download_to(&self.url, &dest, &self.digest)?;
        Ok(dest)
    }
}

fn same_host(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(x), Ok(y)) => {
            x.host_str() == y.host_str() && x.port_or_known_default() == y.port_or_known_default()
        }
        _ => false,
    }
}

/// The chart URL for `cv` in the repository `entry`, with the options to fetch it: credentials
/// go along only to the repository's own host, unless `pass_credentials_all`.
fn resolved(
    entry: &RepoEntry,
    base: HttpOptions,
    cv: &ChartVersion,
) -> Result<ResolvedChart, RepoIoError> {
    let first = cv.urls.first().ok_or_else(|| {
        RepoIoError::Other(format!("chart {:?} has no downloadable URLs", cv.name()))
    })?;
    let url = repo::resolve_reference_url(&entry.url, first)?;
    let options = if entry.pass_credentials_all || same_host(&url, &entry.url) {
        base
    } else {
        base.without_credentials()
    };
    Ok(ResolvedChart {
        url,
        digest: cv.digest.clone(),
        options,
        chart: Some(cv.clone()),
    })
}

/// Resolves `reference` as Helm's `ChartDownloader.ResolveChartVersion` does for HTTP: an
/// absolute `http(s)://` URL is fetched as is (with the credentials of a configured repository
/// whose URL it starts with); `repo/chart` is looked up in the cached index of `repo`.
pub fn resolve_chart(
    reference: &str,
    version: &str,
    repos: &RepoFile,
    cache_dir: &Path,
) -> Result<ResolvedChart, RepoIoError> {
    if reference.starts_with("http://") || reference.starts_with("https://") {
        let entry = repos
            .repositories
            .iter()
            .find(|r| !r.url.is_empty() && reference.starts_with(&r.url));
        let options = entry.map(HttpOptions::from_entry).unwrap_or_default();
        return Ok(ResolvedChart {
            url: reference.to_string(),
            digest: String::new(),
            options,
            chart: None,
        });
    }
    let Some((repo_name, chart_name)) = reference.split_once('/') else {
        return Err(RepoIoError::Other(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {reference}"
        )));
    };
    let entry = repos
        .get(repo_name)
        .ok_or_else(|| RepoIoError::Other(format!("repo {repo_name} not found")))?;
    let index_path = cache_dir.join(paths::cache_index_file(repo_name));
    let index = IndexFile::load_file(&index_path).map_err(|e| match e {
        RepoError::Io { .. } => {
            RepoIoError::Other("no cached repo found. (try 'helm repo update')".into())
        }
        other => RepoIoError::Repo(other),
    })?;
    let cv = index.get(chart_name, version).map_err(|e| {
        RepoIoError::Other(format!(
            "chart {chart_name:?} matching {version} not found in {repo_name} index. (try 'helm repo update'): {e}"
        ))
    })?;
    resolved(entry, HttpOptions::from_entry(entry), cv)
}

/// `--repo URL`: fetches that repository's index (not cached) and finds `chart` in it
/// (Helm's `FindChartInAuthAndTLSAndPassRepoURL`).
pub fn find_chart_in_repo_url(
    repo_url: &str,
    chart: &str,
    version: &str,
    entry_opts: &RepoEntry,
) -> Result<ResolvedChart, RepoIoError> {
    let entry = RepoEntry {
        url: repo_url.to_string(),
        ..entry_opts.clone()
    };
    let url = repo::index_url(repo_url)?;
    let getter = Getter::new(&HttpOptions::from_entry(&entry))?;
    let data = getter.get_bytes(&url).map_err(|e| {
        RepoIoError::Other(format!(
            "looks like {repo_url:?} is not a valid chart repository or cannot be reached: {e}"
        ))
    })?;
    let index = IndexFile::load(&data, &url)?;
    let cv = index.get(chart, version).map_err(|_| {
        if version.is_empty() {
            RepoIoError::Other(format!(
                "chart {chart:?} not found in {repo_url} repository"
            ))
        } else {
            RepoIoError::Other(format!(
                "chart {chart:?} version {version:?} not found in {repo_url} repository"
            ))
        }
    })?;
    resolved(&entry, HttpOptions::from_entry(&entry), cv)
}
