//! `helm-rs version`: Helm's `version` command, naming the Helm release whose behaviour
//! helm-rs reproduces (tools that gate features on `helm version` keep working) with
//! helm-rs's own version as build metadata.

use helm_core::template::{funcs::FuncTable, Engine};
use helm_core::values::{Object, Value};
use std::any::Any;

/// The Helm version implemented (what `.Capabilities.HelmVersion` also reports).
const HELM_LEVEL: &str = "v4.1.4";
const KUBE_CLIENT_VERSION: &str = "v1.35";

/// `version.BuildInfo` as Go templates see it.
struct BuildInfo {
    version: String,
}

impl BuildInfo {
    fn current() -> Self {
        BuildInfo { version: format!("{HELM_LEVEL}+helm-rs.{}", env!("CARGO_PKG_VERSION")) }
    }
}

impl Object for BuildInfo {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::str(match name {
            "Version" => &self.version,
            "GitCommit" | "GitTreeState" | "GoVersion" => "",
            "KubeClientVersion" => KUBE_CLIENT_VERSION,
            _ => return None,
        }))
    }
    fn go_string(&self) -> String {
        format!("{{{}    {KUBE_CLIENT_VERSION}}}", self.version)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The text `helm-rs version` prints (without the final newline), or the template error.
pub fn render(short: bool, template: Option<&str>) -> Result<String, String> {
    let info = BuildInfo::current();
    if let Some(t) = template {
        let mut e = Engine::new(FuncTable::helm());
        e.parse("_", t).map_err(|e| e.to_string())?;
        return e.execute("_", &Value::Object(std::sync::Arc::new(info))).map_err(|e| e.to_string());
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
        assert!(render(false, None).unwrap_or_default().starts_with(&format!("version.BuildInfo{{Version:\"{v}\", ")));
        assert_eq!(render(false, Some("{{.Version}} {{.KubeClientVersion}}")), Ok(format!("{v} v1.35")));
        assert_eq!(
            render(false, Some("{{.Nope}}")),
            Err("template: _:1:2: executing \"_\" at <.Nope>: can't evaluate field Nope in type version.BuildInfo".into())
        );
    }
}
