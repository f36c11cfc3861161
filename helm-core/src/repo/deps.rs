//! Chart dependencies against repositories, the pure part of `helm dependency`: the Chart.lock
//! digest, resolving version constraints to locked versions, and `dependency list`'s statuses.
//!
//! The lock digest is Helm's `HashReq`: sha256 of `json.Marshal([2][]*Dependency{req, lock})`,
//! with Go's field order and HTML escaping (`>=` is written `\u003e=`), so a Chart.lock we write
//! is accepted by `helm dependency build` and the reverse.

use super::oci::go_struct_json;
use super::{IndexFile, RepoEntry, RepoError, RepoFile};
use crate::chart::{Chart, Dependency, Metadata};
use crate::gocompat::semver::{Constraints, Version};
use sha2::Digest;
use std::path::{Path, PathBuf};

use crate::chart::metadata::DEPENDENCY_FIELDS;

fn deps_json(deps: &[Dependency]) -> String {
    let md = Metadata {
        dependencies: deps.to_vec(),
        ..Metadata::default()
    };
    match md
        .to_json_value()
        .as_map()
        .and_then(|m| m.get("dependencies"))
    {
        Some(list) => {
            let items = list.as_list().unwrap_or(&[]);
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|d| go_struct_json(d, DEPENDENCY_FIELDS, &|_| None))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
        None => "null".into(),
    }
}

/// `resolver.HashReq`: `sha256:<hex>` over the declared and the locked dependencies.
pub fn hash_req(req: &[Dependency], lock: &[Dependency]) -> String {
    let data = format!("[{},{}]", deps_json(req), deps_json(lock));
    format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(data.as_bytes()))
    )
}

/// Where a dependency comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `file://PATH`, resolved against the chart directory.
    Local(PathBuf),
    /// No `repository:` at all: Helm assumes the chart is already in `charts/NAME` (as
    /// kube-prometheus-stack's `crds` subchart is) and leaves it there.
    InCharts(PathBuf),
    /// A configured HTTP repository.
    Http(RepoEntry),
    /// `oci://…` (the repository, without the chart name).
    Oci(String),
}

/// The cache name Helm gives a repository a dependency names by URL without `helm repo add`
/// (`helm-manager-<sha256 of the URL>`).
pub fn unmanaged_repo_name(url: &str) -> String {
    format!(
        "helm-manager-{}",
        hex::encode(sha2::Sha256::digest(url.as_bytes()))
    )
}

/// `resolveRepoNames` + `ensureMissingRepos`: each dependency's source. `@name` and
/// `alias:name` must name a configured repository; an HTTP URL that is not configured is used
/// anyway as an "unmanaged" repository (Helm 4), with `unmanaged` set on its entry's name.
pub fn sources(
    chart_dir: &Path,
    deps: &[Dependency],
    repos: &RepoFile,
) -> Result<Vec<Source>, RepoError> {
    let mut out = Vec::new();
    for d in deps {
        let r = d.repository.as_str();
        if let Some(p) = r.strip_prefix("file://") {
            out.push(Source::Local(chart_dir.join(p)));
        } else if r.starts_with("oci://") {
            out.push(Source::Oci(r.to_string()));
        } else if let Some(name) = r.strip_prefix('@').or_else(|| r.strip_prefix("alias:")) {
            match repos.get(name) {
                Some(e) => out.push(Source::Http(e.clone())),
                None => {
                    return Err(RepoError::Other(format!(
                        "no repository definition for {r}"
                    )))
                }
            }
        } else if r.is_empty() {
            out.push(Source::InCharts(chart_dir.join("charts").join(&d.name)));
        } else {
            let want = r.trim_end_matches('/');
            match repos
                .repositories
                .iter()
                .find(|e| e.url.trim_end_matches('/') == want)
            {
                Some(e) => out.push(Source::Http(e.clone())),
                None => out.push(Source::Http(RepoEntry {
                    name: unmanaged_repo_name(r),
                    url: r.to_string(),
                    ..Default::default()
                })),
            }
        }
    }
    Ok(out)
}

/// The newest version of `name` in `index` that satisfies `constraint` (the resolver's rule).
pub fn resolve_in_index(index: &IndexFile, name: &str, constraint: &str) -> Option<String> {
    let c = Constraints::parse(if constraint.is_empty() {
        "*"
    } else {
        constraint
    })
    .ok()?;
    index.entries.get(name)?.iter().find_map(|cv| {
        let v = Version::parse(cv.version()).ok()?;
        c.check(&v).then(|| cv.version().to_string())
    })
}

/// Whether `version` satisfies `constraint` (Masterminds semantics).
pub fn satisfies(constraint: &str, version: &str) -> bool {
    match (
        Constraints::parse(if constraint.is_empty() {
            "*"
        } else {
            constraint
        }),
        Version::parse(version),
    ) {
        (Ok(c), Ok(v)) => c.check(&v),
        _ => false,
    }
}

fn status_for_version(dep: &Dependency, version: &str) -> Option<&'static str> {
    if version == dep.version {
        return None;
    }
    let Ok(c) = Constraints::parse(&dep.version) else {
        return Some("invalid version");
    };
    let Ok(v) = Version::parse(version) else {
        return Some("invalid version");
    };
    (!c.check(&v)).then_some("wrong version")
}

fn archive_status(archive: &Path, dep: &Dependency) -> &'static str {
    match crate::chart::load(archive) {
        Err(_) => "corrupt",
        Ok(c) if c.name() != dep.name => "misnamed",
        Ok(c) => status_for_version(dep, &c.metadata.version).unwrap_or("ok"),
    }
}

/// `dependencyStatus` of `helm dependency list`.
pub fn dependency_status(chart_dir: &Path, dep: &Dependency, parent: &Chart) -> &'static str {
    let prefix = format!("{}-", dep.name);
    let archives: Vec<PathBuf> = std::fs::read_dir(chart_dir.join("charts"))
        .map(|rd| {
            let mut v: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let n = p
                        .file_name()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    n.starts_with(&prefix) && n.ends_with(".tgz")
                })
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    if archives.len() == 1 {
        return archive_status(&archives[0], dep);
    }
    if archives.len() > 1 {
        let found: Vec<&PathBuf> = archives
            .iter()
            .filter(|p| {
                let n = p
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let v = n
                    .trim_end_matches(".tgz")
                    .trim_start_matches(&prefix)
                    .to_string();
                crate::chart::metadata::is_valid_semver(&v) && !v.starts_with('v')
            })
            .collect();
        if found.len() == 1 {
            return archive_status(found[0], dep);
        } else if found.len() > 1 {
            return "too many matches";
        }
    }
    let Some(sub) = parent
        .dependencies
        .iter()
        .rev()
        .find(|c| c.name() == dep.name)
    else {
        return "missing";
    };
    status_for_version(dep, &sub.metadata.version).unwrap_or("unpacked")
}

/// `helm dependency list CHART`'s output.
pub fn list_output(chart_dir: &Path, chart: &Chart) -> String {
    let deps = &chart.metadata.dependencies;
    if deps.is_empty() {
        return format!(
            "WARNING: no dependencies at {}\n",
            chart_dir.join("charts").display()
        );
    }
    let mut rows = vec![vec![
        "NAME".to_string(),
        "VERSION".into(),
        "REPOSITORY".into(),
        "STATUS".into(),
    ]];
    for d in deps {
        rows.push(vec![
            d.name.clone(),
            d.version.clone(),
            d.repository.clone(),
            dependency_status(chart_dir, d, chart).into(),
        ]);
    }
    let mut out = format!("{}\n\n", super::search::uitable(&rows, 80));
    // printMissing: archives in charts/ that Chart.yaml does not declare.
    if let Ok(rd) = std::fs::read_dir(chart_dir.join("charts")) {
        let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let Ok(c) = crate::chart::load(&p) else {
                continue;
            };
            if !deps.iter().any(|d| d.name == c.name()) {
                out.push_str(&format!(
                    "WARNING: {:?} is not in Chart.yaml.\n",
                    p.display().to_string()
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_digest_matches_helm() {
        // Helm 4.1.4 wrote `digest: sha256:eb8b2d69…` for these dependencies.
        let dep = |n: &str, v: &str, r: &str, c: &str| Dependency {
            name: n.into(),
            version: v.into(),
            repository: r.into(),
            condition: c.into(),
            ..Default::default()
        };
        let req = vec![
            dep("mychart", "~0.1.0", "http://127.0.0.1:18765", ""),
            dep(
                "localsub",
                ">=0.0.1",
                "file://../localsub",
                "localsub.enabled",
            ),
        ];
        let lock = vec![
            dep("mychart", "0.1.0", "http://127.0.0.1:18765", ""),
            dep("localsub", "0.1.0", "file://../localsub", ""),
        ];
        assert_eq!(
            hash_req(&req, &lock),
            "sha256:eb8b2d69958c4225a440ebdde6bc643e0b3a1d477fd3a24646c4ef40bbd1468f"
        );
    }
}
