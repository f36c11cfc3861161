//! Helm plugins, as Helm 4.1.4 has them: plugins are directories with a `plugin.yaml` under
//! the plugins directories (`$HELM_PLUGINS`, a path list, else `$HELM_DATA_HOME/plugins`), of
//! type `cli/v1` (a command: `helm-rs NAME ARGS…`), `getter/v1` (a downloader for chart URLs
//! of its schemes) or `postrenderer/v1`, run as child processes (the `subprocess` runtime) or
//! as WebAssembly modules (the `extism/v1` runtime).
//!
//! Why here and like this: tools that drive `helm` (helmfile, CI scripts) install plugins with
//! `helm plugin install` and call `helm NAME …`, and charts are fetched through plugin schemes
//! (`s3://`, `gs://`); a drop-in must do the same, with Helm's messages, since scripts match on
//! them.
//!
//! * [`metadata`]: `plugin.yaml` (legacy and `apiVersion: v1`), Helm's validation errors;
//! * [`loader`]: discovery, Helm's warnings for broken plugins, duplicate names;
//! * [`runtime`]: the subprocess runtime (commands, hooks, getters) and its environment;
//! * [`extism`]: the `extism/v1` runtime (a `plugin.wasm` run by Wasmtime), for the three types;
//! * [`dispatch`]: `helm-rs NAME ARGS…` for a CLI plugin (global flags as Helm treats them);
//! * [`commands`]: `helm-rs plugin list|install|uninstall|update|package|verify`;
//! * [`completion`]: a plugin's `completion.yaml` (its sub-commands and flags for completion);
//! * [`install`]: install sources (a local directory, a local or HTTP tarball, a registry);
//! * [`vcs`]: plugins from git repositories (install and update);
//! * [`getter`]: chart downloads through a getter plugin;
//! * [`postrender`]: `--post-renderer`, a post-renderer plugin as the render's post-render step;
//! * [`sign`]: plugin tarballs and their provenance (signing, verification).
//!
//! Not supported: installing from a VCS repository or an OCI registry.

pub mod commands;
pub mod completion;
pub mod dispatch;
pub mod extism;
pub mod getter;
pub mod install;
pub mod loader;
pub mod metadata;
pub mod postrender;
pub mod runtime;
pub mod sign;
pub mod vcs;

pub use commands::{run, PluginCommand};

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What can go wrong with a plugin, as Helm reports it.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// A plugin's process ended with a non-zero exit code: helm-rs exits with the same code.
    #[error("plugin {name:?} exited with error")]
    Exit { name: String, code: i32 },
    /// A plugin without the settings of the runtime it names.
    #[error("plugin runtime {0:?} has no runtime settings")]
    Runtime(String),
    /// Any other failure, in Helm's words.
    #[error("{0}")]
    Message(String),
}

impl PluginError {
    /// The exit code Helm ends with for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            // Go's os.Exit takes the low byte (-1, a signal, is 255).
            PluginError::Exit { code, .. } => (*code & 0xff) as u8,
            _ => 1,
        }
    }
}

impl From<PluginError> for crate::CmdError {
    fn from(e: PluginError) -> Self {
        crate::CmdError(e.to_string())
    }
}

static ORIGINAL_ENV: OnceLock<BTreeMap<String, String>> = OnceLock::new();

/// Records the environment helm-rs was started with, before the settings are exported into
/// it: plugins get this environment (plus Helm's settings for commands and getters), as
/// Helm, which exports nothing into its own, gives them.
pub fn remember_environment() {
    let _ = ORIGINAL_ENV.set(
        std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect(),
    );
}

fn original_env() -> &'static BTreeMap<String, String> {
    ORIGINAL_ENV.get_or_init(|| std::env::vars().collect())
}

pub use crate::slog::value as slog_value;
