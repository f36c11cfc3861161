//! Chart downloads through getter plugins: a chart reference `SCHEME://HOST/PATH` whose scheme
//! a `getter/v1` plugin (or a legacy plugin's `downloaders:`) declares is fetched by running the
//! plugin (`COMMAND ARGS… CERT KEY CA URL`, the chart on its standard output), and saved under
//! the URL path's last element, as Helm's chart downloader does. Helm looks for getters in
//! `$HELM_PLUGINS` taken as one directory (not split as a list), which is kept.
//!
//! A failing getter is reported as Helm reports it: Helm formats the plugin object itself into
//! the message (`plugin &{{"v1" "name" …} …} failed to invoke: …`), and scripts see that text,
//! so [`go_plugin_repr`] writes the same Go `%q` rendering of the plugin.

use super::loader::{self, Plugin};
use super::metadata::{PlatformCommand, TypeConfig};
use super::runtime::{self, GetterOptions};
use helm_core::gocompat::strconv::go_quote;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static SETTINGS_ENV: OnceLock<(BTreeMap<String, String>, bool)> = OnceLock::new();

/// Records Helm's settings (`helm env`) and `--debug`, which getters get.
pub fn set_settings(s: &crate::settings::EnvSettings) {
    let env = s
        .env_vars()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let _ = SETTINGS_ENV.set((env, s.debug));
}

/// A chart reference read as an absolute URL with a host and a path (Go's `url.Parse` then
/// `IsAbs() && Host != "" && Path != ""`): (scheme, path).
fn url_parts(reference: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = reference.split_once("://")?;
    let valid_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    (!host.is_empty() && !path.is_empty()).then_some((scheme, path))
}

/// The getter plugins (printing Helm's warnings for broken plugins, as Helm's scan does).
fn getters() -> Vec<Plugin> {
    let dir = std::env::var("HELM_PLUGINS").unwrap_or_default();
    loader::find_plugins(&[dir], "getter/v1", "").unwrap_or_default()
}

/// The bytes at `url` from the getter plugin that serves `scheme` (Helm's
/// `getter.Providers.ByScheme` over the plugins), or None when no plugin does. This is how
/// `-f` and `--set-file` read a URL such as `secrets://values.yaml`.
pub fn get_by_scheme(
    scheme: &str,
    url: &str,
    opts: &GetterOptions,
) -> Option<Result<Vec<u8>, String>> {
    let plugins = getters();
    let p = plugins.iter().find(|p| match &p.metadata.config {
        TypeConfig::Getter { protocols } => protocols.iter().any(|x| x == scheme),
        _ => false,
    })?;
    let (env, debug) = SETTINGS_ENV.get().cloned().unwrap_or_default();
    Some(
        runtime::run_getter(p, scheme, url, opts, &env, debug)
            .map_err(|e| format!("plugin {} failed to invoke: {e}", go_plugin_repr(p))),
    )
}

/// Downloads `reference` into `dir` through a getter plugin when its scheme is not one
/// helm-rs fetches itself (http, https, oci). Ok(None): not a plugin URL.
pub fn download(
    reference: &str,
    opts: &GetterOptions,
    dir: &Path,
) -> Result<Option<PathBuf>, String> {
    let Some((scheme, path)) = url_parts(reference) else {
        return Ok(None);
    };
    if matches!(scheme, "http" | "https" | "oci") {
        return Ok(None);
    }
    let data = get_by_scheme(scheme, reference, opts)
        .unwrap_or_else(|| Err(format!("scheme {scheme:?} not supported")))?;
    let name = helm_core::gocompat::path::base(path);
    let dest = dir.join(name);
    std::fs::write(&dest, data).map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok(Some(dest))
}

/// The provenance file of a chart fetched through a getter plugin (`URL.prov`, saved beside
/// `archive`). None: not a plugin URL. Some(None): not found, after Helm's warning (an error
/// with `verify`).
pub fn download_prov(
    reference: &str,
    opts: &GetterOptions,
    archive: &Path,
    verify: bool,
) -> Result<Option<Option<PathBuf>>, String> {
    if !url_parts(reference).is_some_and(|(s, _)| !matches!(s, "http" | "https" | "oci")) {
        return Ok(None);
    }
    let prov_url = format!("{reference}.prov");
    let dir = archive.parent().unwrap_or(Path::new("."));
    match download(&prov_url, opts, dir) {
        Ok(p) => Ok(Some(p)),
        Err(_) if verify => Err(format!("failed to fetch provenance {prov_url:?}")),
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stdout().lock(),
                "WARNING: Verification not found for {reference}: {e}"
            );
            Ok(Some(None))
        }
    }
}

fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(" "))
}

fn cmd_v(c: &PlatformCommand) -> String {
    format!(
        "{{{} {} {} {}}}",
        c.os,
        c.arch,
        c.command,
        list(c.args.iter().cloned())
    )
}

fn cmd_q(c: &PlatformCommand) -> String {
    format!(
        "{{{} {} {} {}}}",
        go_quote(&c.os),
        go_quote(&c.arch),
        go_quote(&c.command),
        list(c.args.iter().map(|a| go_quote(a)))
    )
}

/// Go's `%v` (quote = false) or `%q` rendering of a `RuntimeConfigSubprocess` value.
fn runtime_config(p: &Plugin, quote: bool) -> String {
    let sub = p.metadata.subprocess.clone().unwrap_or_default();
    let cmd = |c: &PlatformCommand| if quote { cmd_q(c) } else { cmd_v(c) };
    let s = |x: &str| if quote { go_quote(x) } else { x.to_string() };
    let hooks = format!(
        "map[{}]",
        sub.platform_hooks
            .iter()
            .map(|(e, cs)| format!("{}:{}", s(e), list(cs.iter().map(cmd))))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let protocols = list(sub.protocol_commands.iter().map(|pc| {
        format!(
            "{{{} {}}}",
            list(pc.protocols.iter().map(|x| s(x))),
            list(pc.platform_command.iter().map(cmd))
        )
    }));
    let expand = if quote {
        format!("%!q(bool={})", sub.expand_hook_args)
    } else {
        sub.expand_hook_args.to_string()
    };
    format!(
        "{{{} {hooks} {protocols} {expand}}}",
        list(sub.platform_command.iter().map(cmd))
    )
}

/// Go's `%v` of a `RuntimeConfigExtismV1` value.
fn extism_config(rc: &super::metadata::ExtismConfig) -> String {
    format!(
        "{{{{{} {} {}}} map[{}] {} {{{}}} {} {} {}}}",
        rc.max_pages,
        rc.max_http_response_bytes,
        rc.max_var_bytes,
        rc.config
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(" "),
        list(rc.allowed_hosts.iter().cloned()),
        rc.create_temp_dir,
        rc.timeout_ms,
        list(rc.host_functions.iter().cloned()),
        rc.entry_func_name
    )
}

/// Go's `fmt.Sprintf("%q", plugin)` of Helm's plugin object: a subprocess one, or an
/// `extism/v1` one, whose runtime holds a pointer (Helm prints its address; a fixed one here).
pub fn go_plugin_repr(p: &Plugin) -> String {
    let m = &p.metadata;
    // The metadata fields both kinds print first.
    let meta = [
        &m.api_version,
        &m.name,
        &m.kind,
        &m.runtime,
        &m.version,
        &m.source_url,
    ]
    .map(|f| go_quote(f))
    .join(" ");
    let config = type_config(m);
    let dir = go_quote(&p.dir.to_string_lossy());
    if let Some(rc) = &m.extism {
        let rc = format!("%!q(*plugin.RuntimeConfigExtismV1=&{})", extism_config(rc));
        return format!(
            "&{{{{{meta} {config} {rc}}} {dir} {rc} %!q(*plugin.RuntimeExtismV1=&{{map[] 0xc000010000}})}}"
        );
    }
    format!(
        "&{{{{{meta} {config} %!q(*plugin.RuntimeConfigSubprocess=&{})}} {dir} {} map[]}}",
        runtime_config(p, false),
        runtime_config(p, true),
    )
}

/// Go's `%q` of a plugin's type-specific config pointer.
fn type_config(m: &super::metadata::Metadata) -> String {
    match &m.config {
        TypeConfig::Getter { protocols } => format!(
            "%!q(*schema.ConfigGetterV1=&{{{}}})",
            list(protocols.iter().cloned())
        ),
        TypeConfig::Cli {
            usage,
            short_help,
            long_help,
            ignore_flags,
        } => {
            format!("%!q(*schema.ConfigCLIV1=&{{{usage} {short_help} {long_help} {ignore_flags}}})")
        }
        TypeConfig::PostRenderer => "%!q(*schema.ConfigPostRendererV1=&{})".into(),
        TypeConfig::Test => "%!q(*schema.ConfigTestV1=&{})".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts_needs_host_and_path() {
        assert_eq!(
            url_parts("s3://bucket/charts/a-1.0.0.tgz"),
            Some(("s3", "/charts/a-1.0.0.tgz"))
        );
        assert_eq!(url_parts("s3://bucket"), None);
        assert_eq!(url_parts("repo/chart"), None);
        assert_eq!(url_parts("1x://h/p"), None);
    }

    #[test]
    fn plugin_repr_is_go_percent_q() {
        let m = super::super::metadata::load("apiVersion: v1\nname: getter\nversion: 0.1.0\ntype: getter/v1\nruntime: subprocess\nconfig:\n  protocols: [tstv1]\nruntimeConfig:\n  protocolCommands:\n    - protocols: [tstv1]\n      platformCommand:\n        - command: get.sh\n          args: [\"$HELM_PLUGIN_NAME\"]\n").unwrap();
        let p = Plugin {
            dir: "/tmp/pt2/plugins/getter".into(),
            metadata: m,
        };
        assert_eq!(
            go_plugin_repr(&p),
            r#"&{{"v1" "getter" "getter/v1" "subprocess" "0.1.0" "" %!q(*schema.ConfigGetterV1=&{[tstv1]}) %!q(*plugin.RuntimeConfigSubprocess=&{[] map[] [{[tstv1] [{  get.sh [$HELM_PLUGIN_NAME]}]}] false})} "/tmp/pt2/plugins/getter" {[] map[] [{["tstv1"] [{"" "" "get.sh" ["$HELM_PLUGIN_NAME"]}]}] %!q(bool=false)} map[]}"#
        );
    }
}
