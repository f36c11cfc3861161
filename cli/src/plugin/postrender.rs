//! `--post-renderer NAME --post-renderer-args ARG…` (template, install, upgrade, diff): a
//! `postrenderer/v1` plugin as the render's post-render step.
//!
//! The plugin is found by name in the plugins directories when the flag is read (Helm refuses
//! an unknown name as an invalid flag value). It runs once per render. With the `subprocess`
//! runtime: the merged stream of documents on its standard input, the stream to use on its
//! standard output, its standard error kept out of sight (Helm captures it and shows it only
//! in the `--debug` record of a failure). With the `extism/v1` runtime, Helm's input and output
//! messages carry the manifests in Go buffers that its JSON encoding leaves empty, so such a
//! plugin never sees them and its answer reads as empty output (or Helm's decoding error):
//! helm-rs sends and reads the same messages. The merge and split around it are helm-core's
//! (`helm_core::render::post_render`), so the library and the command line render alike.

use super::loader::{self, Plugin};
use super::runtime;
use crate::CmdError;
use clap::Args;
use helm_core::render::{PostRenderStep, PostRenderer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The post-renderer flags, as Helm's install, upgrade and template have them.
#[derive(Args, Clone, Default, Debug)]
pub struct PostRendererArgs {
    /// the name of a postrenderer type plugin to be used for post rendering. If it exists, the plugin will be used
    #[arg(long = "post-renderer")]
    pub post_renderer: Option<String>,
    /// an argument to the post-renderer (can specify multiple)
    #[arg(long = "post-renderer-args")]
    pub post_renderer_args: Vec<String>,
}

impl PostRendererArgs {
    /// The render's post-render step: none without `--post-renderer`, else the named plugin
    /// (Helm's flag error when no `postrenderer/v1` plugin has that name).
    pub fn step(&self, debug: bool) -> Result<PostRenderStep, CmdError> {
        let Some(name) = &self.post_renderer else {
            return Ok(PostRenderStep::default());
        };
        let plugin = find(name).ok_or_else(|| {
            CmdError(format!(
                "invalid argument {name:?} for \"--post-renderer\" flag: plugin: {{Name:{name} Type:postrenderer/v1}} not found"
            ))
        })?;
        Ok(PostRenderStep(Some(Arc::new(PluginPostRenderer {
            plugin,
            args: self.post_renderer_args.clone(),
            debug,
        }))))
    }
}

/// The installed `postrenderer/v1` plugin called `name`, if any (the first of the plugins
/// directories that has one).
pub fn find(name: &str) -> Option<Plugin> {
    let dirs = loader::split_dirs(&std::env::var("HELM_PLUGINS").unwrap_or_default());
    loader::find_plugins(&dirs, "postrenderer/v1", name)
        .ok()?
        .into_iter()
        .next()
}

/// A `postrenderer/v1` plugin run as a child process.
struct PluginPostRenderer {
    plugin: Plugin,
    args: Vec<String>,
    debug: bool,
}

impl PostRenderer for PluginPostRenderer {
    fn run(&self, manifests: &str) -> Result<String, String> {
        let name = &self.plugin.metadata.name;
        let out = self
            .invoke(manifests)
            .map_err(|e| format!("failed to invoke post-renderer plugin {name:?}: {e}"))?;
        // Almost nothing back means the plugin rendered nothing (Helm's check).
        if out.trim().is_empty() {
            return Err(format!("post-renderer {name:?} produced empty output"));
        }
        Ok(out)
    }
}

impl PluginPostRenderer {
    /// One run of the plugin's command with `--post-renderer-args` after its own arguments;
    /// the child gets helm-rs's environment with the plugin's name and directory.
    fn invoke(&self, manifests: &str) -> Result<String, String> {
        let p = &self.plugin;
        if let Some(rc) = &p.metadata.extism {
            return self.invoke_extism(rc);
        }
        let Some(sub) = &p.metadata.subprocess else {
            return Err(super::PluginError::Runtime(p.metadata.runtime.clone()).to_string());
        };
        let env = runtime::plugin_env(p, &BTreeMap::new());
        let (main, argv) = runtime::prepare_commands(&sub.platform_command, true, &self.args, &env)
            .map_err(|e| format!("failed to prepare plugin command: {e}"))?;
        let (mut cmd, shown) = runtime::command(&main, &argv, &env)?;
        if self.debug {
            crate::slog::debug(
                "executing plugin command",
                &[("pluginName", &p.metadata.name), ("command", &shown)],
            );
        }
        let out = helm_kube::post_render::pipe_through(&mut cmd, manifests.as_bytes())
            .map_err(|e| runtime::start_error(&main, &e))?;
        let (stdout, stderr, status) = (out.stdout, out.stderr, out.status);
        if !status.success() {
            if self.debug {
                let code = runtime::exit_code(status).to_string();
                let err_text = String::from_utf8_lossy(&stderr);
                crate::slog::debug(
                    "plugin execution failed",
                    &[
                        ("pluginName", &p.metadata.name),
                        ("error", &go_exit_text(status)),
                        ("exitCode", &code),
                        ("stderr", err_text.trim()),
                    ],
                );
            }
            return Err(format!("plugin {:?} exited with error", p.metadata.name));
        }
        String::from_utf8(stdout).map_err(|_| "the post-renderer's output is not UTF-8".to_string())
    }
}

impl PluginPostRenderer {
    /// A Wasm post-renderer: no environment, no standard streams (Helm gives it none). A bare
    /// non-zero return code reads as Helm's exec error, which has no message of its own.
    fn invoke_extism(&self, rc: &super::metadata::ExtismConfig) -> Result<String, String> {
        use super::extism;
        let inv = extism::Invocation {
            input: extism::postrenderer_input(&self.args),
            env: Vec::new(),
            stdio: extism::Stdio::None,
            debug: self.debug,
        };
        let out = extism::invoke(&self.plugin, rc, inv).map_err(|e| match e {
            extism::InvokeError::Exit(code) => format!(
                "plugin {:?} exited with code {code}",
                self.plugin.metadata.name
            ),
            extism::InvokeError::Message(m) => m,
        })?;
        // The decoded buffer is always empty (see the module docs).
        extism::decode_output(extism::OutputKind::PostRenderer, &out)?;
        Ok(String::new())
    }
}

/// Go's `ExitError` text: `exit status N`, or `signal: NAME` for a child a signal ended.
fn go_exit_text(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(sig)) => format!("signal: {}", signal_name(sig)),
        _ => "exit status -1".into(),
    }
}

fn signal_name(sig: i32) -> String {
    match sig {
        1 => "hangup".into(),
        2 => "interrupt".into(),
        9 => "killed".into(),
        13 => "broken pipe".into(),
        15 => "terminated".into(),
        n => format!("signal {n}"),
    }
}
