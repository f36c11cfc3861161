//! Plugins installed from a git repository (`helm plugin install https://github.com/o/helm-x`,
//! `git://host/x.git`, `file:///path/checkout`), as Helm does it through its VCS library:
//! the source is recognised as git by its URL (the `git`/`git+ssh` schemes, well-known git
//! hosts, a path ending in `.git`, the user `git`, or a `file://` path holding a `.git`
//! directory), cloned into the plugin cache (`$HELM_CACHE_HOME/plugins/KEY`, fetched again
//! when it is there), checked out at `--version` (a ref, or the newest tag meeting a semver
//! constraint) and copied, `.git` included, to `$HELM_DATA_HOME/plugins/BASENAME`, so that
//! `plugin update` can fetch and pull it later.
//!
//! Git runs as a child process with the same arguments Helm's library gives it, and its
//! errors read as Helm prints them (`Unable to get repository: OUTPUT: exit status 128`).
//! Mercurial, Subversion and Bazaar sources, which Helm's library also knows, are refused.

use super::PluginError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The version-control system a source names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vcs {
    Git,
    Other(&'static str),
}

/// The error Helm's VCS library gives when it cannot tell.
pub const CANNOT_DETECT: &str = "Cannot detect VCS";

/// `user@host:path` (git's scp-like syntax).
fn scp_syntax(s: &str) -> Option<(&str, &str, &str)> {
    let (user, rest) = s.split_once('@')?;
    let (host, path) = rest.split_once(':')?;
    let word = |t: &str, extra: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || extra.contains(c))
    };
    (word(user, "") && word(host, ".-")).then_some((user, host, path))
}

/// `[A-Za-z0-9_.\-]+`
fn segment(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Which VCS the source URL names, as Helm's VCS library detects it from the URL.
pub fn detect(source: &str) -> Result<Vcs, String> {
    let (scheme, user, host, path) = if let Some((user, host, path)) = scp_syntax(source) {
        (
            "ssh".to_string(),
            user.to_string(),
            host.to_string(),
            format!("/{path}"),
        )
    } else {
        let u = url::Url::parse(source).map_err(|_| CANNOT_DETECT.to_string())?;
        if u.scheme() == "file" {
            return if Path::new(u.path()).join(".git").is_dir() {
                Ok(Vcs::Git)
            } else {
                Err(CANNOT_DETECT.into())
            };
        }
        let host = match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(CANNOT_DETECT.into()),
        };
        (
            u.scheme().to_string(),
            u.username().to_string(),
            host,
            u.path().to_string(),
        )
    };
    match scheme.as_str() {
        "git+ssh" | "git" => return Ok(Vcs::Git),
        "bzr+ssh" => return Ok(Vcs::Other("bzr")),
        "svn+ssh" => return Ok(Vcs::Other("svn")),
        _ => {}
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let known = |min: usize| parts.len() >= min && parts.iter().all(|p| segment(p));
    match host.as_str() {
        "github.com" | "bitbucket.org" => {
            return if known(2) {
                Ok(Vcs::Git)
            } else {
                Err(CANNOT_DETECT.into())
            }
        }
        "git.launchpad.net"
        | "hub.jazz.net"
        | "go.googlesource.com"
        | "git.openstack.org"
        | "git.code.sf.net" => return Ok(Vcs::Git),
        "launchpad.net" | "svn.code.sf.net" | "hg.code.sf.net" => {
            return Ok(Vcs::Other("another VCS than git"))
        }
        _ => {}
    }
    for (ext, vcs) in [
        (".git", Vcs::Git),
        (".hg", Vcs::Other("hg")),
        (".svn", Vcs::Other("svn")),
        (".bzr", Vcs::Other("bzr")),
    ] {
        if path.ends_with(ext) {
            return Ok(vcs);
        }
    }
    match user.as_str() {
        "git" => Ok(Vcs::Git),
        "hg" => Ok(Vcs::Other("hg")),
        _ => Err(CANNOT_DETECT.into()),
    }
}

/// A git checkout of a plugin (the cache's, or an installed plugin's).
pub struct GitRepo {
    pub remote: String,
    pub local: PathBuf,
}

impl GitRepo {
    /// Runs git in `dir` (None: the current directory); the error is Helm's
    /// `MESSAGE: OUTPUT: exit status N`.
    fn git(&self, dir: Option<&Path>, args: &[&str], what: &str) -> Result<String, PluginError> {
        let mut c = Command::new("git");
        c.args(args);
        if let Some(d) = dir {
            c.current_dir(d);
        }
        let out = c
            .output()
            .map_err(|e| PluginError::Message(format!("{what}: {e}")))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            Ok(text)
        } else {
            let code = out.status.code().unwrap_or(-1);
            Err(PluginError::Message(format!(
                "{what}: {text}: exit status {code}"
            )))
        }
    }

    fn here(&self, args: &[&str], what: &str) -> Result<String, PluginError> {
        self.git(Some(&self.local), args, what)
    }

    /// `git clone --recursive -- REMOTE LOCAL`.
    pub fn get(&self) -> Result<(), PluginError> {
        if let Some(parent) = self.local.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let local = self.local.to_string_lossy().into_owned();
        self.git(
            None,
            &["clone", "--recursive", "--", &self.remote, &local],
            "Unable to get repository",
        )
        .map(|_| ())
    }

    /// Fetches tags, then pulls unless a tag or commit is checked out.
    pub fn update(&self) -> Result<(), PluginError> {
        let what = "Unable to update repository";
        self.here(&["fetch", "--tags", "--", "origin"], what)?;
        let head = std::fs::read_to_string(self.local.join(".git/HEAD")).unwrap_or_default();
        if !head.starts_with("ref:") {
            return Ok(());
        }
        self.here(&["pull"], what)?;
        self.defend_against_submodules()
    }

    /// Whether the checkout has uncommitted changes.
    pub fn is_dirty(&self) -> bool {
        self.here(&["diff"], "")
            .map(|o| !o.is_empty())
            .unwrap_or(true)
    }

    /// Checks out `version` (a tag, branch or commit).
    pub fn update_version(&self, version: &str) -> Result<(), PluginError> {
        self.here(
            &["checkout", version],
            "Unable to update checked out version",
        )?;
        self.defend_against_submodules()
    }

    fn defend_against_submodules(&self) -> Result<(), PluginError> {
        self.here(
            &["submodule", "update", "--init", "--recursive"],
            "Unexpected error while defensively updating submodules",
        )?;
        self.here(
            &["clean", "-x", "-d", "-f", "-f"],
            "Unexpected error while defensively cleaning up after possible derelict submodule directories",
        )?;
        self.here(
            &["submodule", "foreach", "--recursive", "git clean -x -d -f -f"],
            "Unexpected error while defensively cleaning up after possible derelict nested submodule directories",
        )
        .map(|_| ())
    }

    fn is_reference(&self, r: &str) -> bool {
        self.here(&["rev-parse", "--verify", r], "").is_ok()
            || self.here(&["show-ref", r], "").is_ok()
    }

    fn tags(&self) -> Result<Vec<String>, PluginError> {
        let out = self.here(&["show-ref"], "Unable to retrieve tags")?;
        Ok(out
            .lines()
            .filter_map(|l| l.split_once("tags/").map(|(_, t)| t.trim().to_string()))
            .filter(|t| !t.is_empty() && !t.contains(char::is_whitespace))
            .collect())
    }

    /// Helm's `solveVersion`: a ref as it is, else the newest tag meeting the constraint.
    pub fn solve_version(&self, version: &str) -> Result<Option<String>, PluginError> {
        if version.is_empty() {
            return Ok(None);
        }
        if self.is_reference(version) {
            return Ok(Some(version.to_string()));
        }
        use helm_core::gocompat::semver::{Constraints, Version};
        let c = Constraints::parse(version).map_err(|e| PluginError::Message(e.to_string()))?;
        let mut tags: Vec<(Version, String)> = self
            .tags()?
            .into_iter()
            .filter_map(|t| Version::parse(&t).ok().map(|v| (v, t)))
            .collect();
        tags.sort_by(|a, b| b.0.compare(&a.0).cmp(&0));
        tags.into_iter()
            .find(|(v, _)| c.check(v))
            .map(|(_, t)| Some(t))
            .ok_or_else(|| {
                PluginError::Message(format!(
                    "requested version {version:?} does not exist for plugin {:?}",
                    self.remote
                ))
            })
    }
}

/// Installs from git: clone (or update) the cache's checkout, check out the version, require
/// a `plugin.yaml`, and copy the checkout to `dest`.
pub fn install(source: &str, version: &str, dest: &Path) -> Result<(), PluginError> {
    let cache = PathBuf::from(crate::settings::cache_path("plugins"))
        .join(super::install::cache_key(source));
    let repo = GitRepo {
        remote: source.to_string(),
        local: cache,
    };
    if repo.local.exists() {
        repo.update()?;
    } else {
        repo.get()?;
    }
    if let Some(r) = repo.solve_version(version)? {
        repo.update_version(&r)?;
    }
    if !repo.local.join("plugin.yaml").exists() {
        return Err(PluginError::Message(
            "plugin metadata (plugin.yaml) missing".into(),
        ));
    }
    super::install::copy_dir(&repo.local, dest).map_err(PluginError::Message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_sources_are_told_by_their_url() {
        for s in [
            "https://github.com/databus23/helm-diff",
            "https://github.com/databus23/helm-diff.git",
            "git://127.0.0.1:9418/x",
            "git+ssh://host/x",
            "https://example.com/plugins/x.git",
            "git@example.com:o/x",
            "ssh://git@example.com/o/x",
        ] {
            assert_eq!(detect(s), Ok(Vcs::Git), "{s}");
        }
        for s in [
            "https://example.com/plugins/x",
            "https://github.com/databus23",
            "nosuch",
            "file:///nonexistent/dir",
        ] {
            assert_eq!(detect(s), Err(CANNOT_DETECT.to_string()), "{s}");
        }
        assert!(matches!(
            detect("https://example.com/x.hg"),
            Ok(Vcs::Other(_))
        ));
    }
}
