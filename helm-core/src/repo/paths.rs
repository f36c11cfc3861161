//! Where Helm keeps repository state (`helmpath`): the repositories file, the index cache and
//! the registry credentials, each overridable by Helm's environment variables.
//!
//! Order, as Helm's `lazypath`: `HELM_*_HOME`, else `$XDG_*_HOME/helm`, else the platform
//! default (`~/.config/helm`, `~/.cache/helm` on Linux). `HELM_REPOSITORY_CONFIG`,
//! `HELM_REPOSITORY_CACHE` and `HELM_REGISTRY_CONFIG` override the individual paths.

use std::path::PathBuf;

fn env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn home() -> PathBuf {
    env("HOME").unwrap_or_else(|| PathBuf::from("/"))
}

/// `helmpath.ConfigPath()`.
pub fn config_home() -> PathBuf {
    env("HELM_CONFIG_HOME")
        .or_else(|| env("XDG_CONFIG_HOME").map(|p| p.join("helm")))
        .unwrap_or_else(|| home().join(".config/helm"))
}

/// `helmpath.CachePath()`.
pub fn cache_home() -> PathBuf {
    env("HELM_CACHE_HOME")
        .or_else(|| env("XDG_CACHE_HOME").map(|p| p.join("helm")))
        .unwrap_or_else(|| home().join(".cache/helm"))
}

/// `$HELM_REPOSITORY_CONFIG`, default `<config>/repositories.yaml`.
pub fn repository_config() -> PathBuf {
    env("HELM_REPOSITORY_CONFIG").unwrap_or_else(|| config_home().join("repositories.yaml"))
}

/// `$HELM_REPOSITORY_CACHE`, default `<cache>/repository`.
pub fn repository_cache() -> PathBuf {
    env("HELM_REPOSITORY_CACHE").unwrap_or_else(|| cache_home().join("repository"))
}

/// `$HELM_REGISTRY_CONFIG`, default `<config>/registry/config.json`.
pub fn registry_config() -> PathBuf {
    env("HELM_REGISTRY_CONFIG").unwrap_or_else(|| config_home().join("registry/config.json"))
}

/// `helmpath.CacheIndexFile(name)`: `<name>-index.yaml`.
pub fn cache_index_file(name: &str) -> String {
    format!("{name}-index.yaml")
}

/// `helmpath.CacheChartsFile(name)`: `<name>-charts.txt`.
pub fn cache_charts_file(name: &str) -> String {
    format!("{name}-charts.txt")
}
