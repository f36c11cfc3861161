//! `helm-rs version`: Helm's `version` command, naming the Helm release whose behaviour
//! helm-rs reproduces (tools that gate features on `helm version` keep working) with
//! helm-rs's own version as build metadata.

use helm_core::render::objects::BuildInfo;
use helm_core::template::{funcs::FuncTable, Engine};
use helm_core::values::Value;

/// The Helm version implemented (what `.Capabilities.HelmVersion` also reports).
const HELM_LEVEL: &str = "v4.1.4";
const KUBE_CLIENT_VERSION: &str = "v1.35";

/// helm-rs's own build: Helm's version with helm-rs's as build metadata, and no Go build data.
fn current() -> BuildInfo {
    BuildInfo {
        version: format!("{HELM_LEVEL}+helm-rs.{}", env!("CARGO_PKG_VERSION")),
        git_commit: "",
        git_tree_state: "",
        go_version: "",
        kube_client_version: KUBE_CLIENT_VERSION,
    }
}

/// The text `helm-rs version` prints (without the final newline), or the template error.
pub fn render(short: bool, template: Option<&str>) -> Result<String, String> {
    let info = current();
    if let Some(t) = template {
        let mut e = Engine::new(FuncTable::helm());
        e.parse("_", t).map_err(|e| e.to_string())?;
        return e
            .execute("_", &Value::Object(std::sync::Arc::new(info)))
            .map_err(|e| e.to_string());
    }
    if short {
        return Ok(info.version);
    }
    Ok(format!(
        "version.BuildInfo{{Version:{:?}, GitCommit:\"\", GitTreeState:\"\", GoVersion:\"\", KubeClientVersion:{KUBE_CLIENT_VERSION:?}}}",
        info.version
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_like_helm() {
        let v = format!("v4.1.4+helm-rs.{}", env!("CARGO_PKG_VERSION"));
        assert_eq!(render(true, None).as_deref(), Ok(v.as_str()));
        assert!(render(false, None)
            .unwrap_or_default()
            .starts_with(&format!("version.BuildInfo{{Version:\"{v}\", ")));
        assert_eq!(
            render(false, Some("{{.Version}} {{.KubeClientVersion}}")),
            Ok(format!("{v} v1.35"))
        );
        assert_eq!(
            render(false, Some("{{.Nope}}")),
            Err("template: _:1:2: executing \"_\" at <.Nope>: can't evaluate field Nope in type version.BuildInfo".into())
        );
    }
}
