//! Template functions: network (`getHostByName`).
//!
//! Helm overrides Sprig's DNS lookup unless `--enable-dns` is given (pkg/engine/engine.go):
//! `helm template` therefore renders `getHostByName` as the empty string without touching the
//! network, which is also what keeps rendering deterministic. [`register_with_dns`] installs
//! the real lookup for an `--enable-dns` mode.

use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::Value;
use rand::Rng;
use std::net::ToSocketAddrs;

/// Helm's default: `getHostByName` always returns `""`.
pub fn register(t: &mut FuncTable) {
    t.add("getHostByName", &[Param::String], None, |_args| {
        Ok(Value::str(""))
    });
}

/// Sprig's real lookup (Helm's `--enable-dns`): one random address of the name. With no
/// address Sprig indexes an empty slice and Go's template reports that panic.
pub fn register_with_dns(t: &mut FuncTable) {
    t.add("getHostByName", &[Param::String], None, lookup_host);
}

fn lookup_host(args: &[Value]) -> FuncResult {
    let name = args.first().and_then(Value::as_str).unwrap_or("");
    let mut addrs: Vec<String> = Vec::new();
    if let Ok(it) = (name, 0u16).to_socket_addrs() {
        for a in it {
            let ip = a.ip().to_string();
            if !addrs.contains(&ip) {
                addrs.push(ip);
            }
        }
    }
    if addrs.is_empty() {
        return Err(FuncError::new(
            "runtime error: index out of range [0] with length 0",
        ));
    }
    let i = rand::thread_rng().gen_range(0..addrs.len());
    Ok(Value::from(addrs.swap_remove(i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_default_is_empty() {
        // Conformance vector v0337: `{{"www.google.com" | getHostByName}}` renders "".
        let mut t = FuncTable::new();
        register(&mut t);
        let f = t.get("getHostByName").unwrap();
        struct NoHost;
        impl super::super::Host for NoHost {
            fn include(&mut self, _: &str, _: &Value) -> Result<String, FuncError> {
                Err(FuncError::new("no"))
            }
            fn tpl(&mut self, _: &str, _: &Value) -> Result<String, FuncError> {
                Err(FuncError::new("no"))
            }
        }
        let out = (f.imp)(&mut NoHost, &[Value::str("www.google.com")]).unwrap();
        assert_eq!(out, Value::str(""));
    }

    #[test]
    fn dns_mode_resolves_localhost() {
        let out = lookup_host(&[Value::str("localhost")]).unwrap();
        assert!(out.as_str().unwrap() == "127.0.0.1" || out.as_str().unwrap() == "::1");
    }
}
