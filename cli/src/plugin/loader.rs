//! Finding installed plugins: every `DIR/*/plugin.yaml` of each plugins directory, in name
//! order, as Helm's `LoadAllDir`. A plugin that fails to load is skipped with Helm's warning
//! (so one broken plugin never stops Helm); two plugins of one name in a directory make the
//! whole directory fail, as in Helm.

use super::metadata::{self, Metadata};
use super::slog_value;
use std::path::{Path, PathBuf};

/// An installed plugin: its directory (as found: `DIR/NAME`, a symlink for a plugin installed
/// from a local directory) and its description.
#[derive(Clone, Debug)]
pub struct Plugin {
    pub dir: PathBuf,
    pub metadata: Metadata,
}

/// `$HELM_PLUGINS` split as a path list (Go's `filepath.SplitList`: an empty string is none).
pub fn split_dirs(plugins_directory: &str) -> Vec<String> {
    if plugins_directory.is_empty() {
        return Vec::new();
    }
    plugins_directory.split(':').map(String::from).collect()
}

/// Helm's `LoadDir`: the plugin in `dir`, or Helm's error text.
pub fn load_dir(dir: &Path) -> Result<Plugin, String> {
    let file = dir.join("plugin.yaml");
    let data = std::fs::read(&file).map_err(|e| {
        format!(
            "failed to read plugin at {:?}: open {}: {}",
            file.display().to_string(),
            file.display(),
            helm_core::gocompat::os::go_io_error(&e)
        )
    })?;
    let text = String::from_utf8_lossy(&data);
    let m = metadata::load(&text)
        .map_err(|e| format!("failed to load plugin {:?}: {e}", dir.display().to_string()))?;
    if m.runtime == "extism/v1" {
        // Helm's WebAssembly runtime needs the module beside plugin.yaml to load the plugin.
        super::extism::check_wasm(dir)?;
    }
    Ok(Plugin {
        dir: dir.to_path_buf(),
        metadata: m,
    })
}

/// Go's `filepath.Join(base, name)` for a directory entry (cleaned).
fn join(base: &str, name: &str) -> PathBuf {
    PathBuf::from(helm_core::gocompat::path::clean(&format!("{base}/{name}")))
}

/// Helm's `LoadAllDir` with its "log and ignore" filter: the loadable plugins of one
/// directory; a duplicate name is an error.
pub fn load_all_dir(base: &str) -> Result<Vec<Plugin>, String> {
    let mut names: Vec<String> = match std::fs::read_dir(if base.is_empty() { "." } else { base }) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let mut plugins: Vec<Plugin> = Vec::new();
    for name in names {
        let dir = join(base, &name);
        let yaml = dir.join("plugin.yaml");
        if std::fs::metadata(&yaml).is_err() {
            continue;
        }
        match load_dir(&dir) {
            Ok(p) => plugins.push(p),
            Err(e) => eprintln!(
                "level=WARN msg=\"failed to load plugin (ignoring)\" plugin_yaml={} error={}",
                slog_value(&yaml.display().to_string()),
                slog_value(&e)
            ),
        }
    }
    for (i, p) in plugins.iter().enumerate() {
        if let Some(first) = plugins[..i]
            .iter()
            .find(|q| q.metadata.name == p.metadata.name)
        {
            return Err(format!(
                "two plugins claim the name {:?} at {:?} and {:?}",
                p.metadata.name,
                first.dir.display().to_string(),
                p.dir.display().to_string()
            ));
        }
    }
    Ok(plugins)
}

/// Helm's `FindPlugins`: the plugins of every directory whose type (and name) match (empty:
/// any).
pub fn find_plugins(dirs: &[String], kind: &str, name: &str) -> Result<Vec<Plugin>, String> {
    let mut found = Vec::new();
    for d in dirs {
        for p in load_all_dir(d)? {
            if (name.is_empty() || p.metadata.name == name)
                && (kind.is_empty() || p.metadata.kind == kind)
            {
                found.push(p);
            }
        }
    }
    Ok(found)
}
