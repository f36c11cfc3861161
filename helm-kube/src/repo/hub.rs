//! `helm search hub`: Artifact Hub's Monocular-compatible search API
//! (`GET {endpoint}/api/chartsvc/v1/charts/search?q=…`), or any hub that implements it.

use super::http::{Getter, HttpOptions};

/// One chart the hub found, as `helm search hub` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HubChart {
    /// The chart's page: Artifact Hub's `packageUrl`, else `{endpoint}/charts/{id}` (Monocular).
    pub url: String,
    pub version: String,
    pub app_version: String,
    pub description: String,
    pub repo_url: String,
    pub repo_name: String,
}

/// Why a search failed, in Helm's words.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("unable to create connection to {0:?}: no hostname provided")]
    NoHostname(String),
    #[error("unable to perform search against {0:?}")]
    Search(String),
}

/// Searches `endpoint` for `query` (the keywords joined by spaces). An answer that does not
/// decode gives no results, as Helm ignores its decoding error.
pub fn search(endpoint: &str, query: &str) -> Result<Vec<HubChart>, HubError> {
    let base = url::Url::parse(endpoint).map_err(|_| HubError::NoHostname(endpoint.into()))?;
    if base.host_str().unwrap_or("").is_empty() {
        return Err(HubError::NoHostname(endpoint.into()));
    }
    let mut u = base.clone();
    let path = format!(
        "{}/api/chartsvc/v1/charts/search",
        base.path().trim_end_matches('/')
    );
    u.set_path(&path);
    u.set_query(None);
    u.query_pairs_mut().append_pair("q", query);
    let getter =
        Getter::new(&HttpOptions::default()).map_err(|_| HubError::Search(endpoint.into()))?;
    let body = getter
        .get_bytes(u.as_str())
        .map_err(|_| HubError::Search(endpoint.into()))?;
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let s = |v: &serde_json::Value, p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_string()
    };
    Ok(doc
        .get("data")
        .and_then(|d| d.as_array())
        .map(|items| {
            items
                .iter()
                .map(|r| {
                    let package = s(r, "/artifactHub/packageUrl");
                    HubChart {
                        url: if package.is_empty() {
                            format!("{endpoint}/charts/{}", s(r, "/id"))
                        } else {
                            package
                        },
                        version: s(r, "/relationships/latestChartVersion/data/version"),
                        app_version: s(r, "/relationships/latestChartVersion/data/app_version"),
                        description: s(r, "/attributes/description"),
                        repo_url: s(r, "/attributes/repo/url"),
                        repo_name: s(r, "/attributes/repo/name"),
                    }
                })
                .collect()
        })
        .unwrap_or_default())
}
