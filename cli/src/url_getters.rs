//! The getters through which `-f` and `--set-file` read a path that is a URL (Helm's
//! `getter.All` handed to `MergeValues`): HTTP and HTTPS, fetched without credentials or TLS
//! options as Helm's values reader does, and every scheme a getter plugin serves
//! (`secrets://…` from helm-secrets). Any other path is read as a local file by the core.

use helm_core::render::user_values::UrlGetter;
use helm_kube::repo::{Getter, HttpOptions};

/// Helm's getter providers for values files.
pub struct CliGetters;

impl UrlGetter for CliGetters {
    fn get(&self, scheme: &str, url: &str) -> Option<Result<Vec<u8>, String>> {
        match scheme {
            "http" | "https" => Some(
                Getter::new(&HttpOptions::default())
                    .map(|g| g.with_observer(crate::transfer::observer()))
                    .and_then(|g| g.get_bytes(url))
                    .map_err(|e| e.to_string()),
            ),
            _ => crate::plugin::getter::get_by_scheme(scheme, url, &Default::default()),
        }
    }
}
