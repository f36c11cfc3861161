//! Sign-in state of the web view: the caller's Kubernetes token in a cookie, and the CSRF
//! token that every form posting a change must carry.
//!
//! Why the token itself is the session: the server keeps no accounts and no session table (it
//! is stateless between replicas, and RBAC must decide with the caller's own identity), so the
//! browser holds the bearer token the way `kubectl` holds it in a kubeconfig. The cookie is
//! `HttpOnly` (page scripts cannot read it), `SameSite=Strict` (other sites' pages cannot make
//! the browser send it) and `Secure` when the server speaks TLS.
//!
//! CSRF: a form's token is an HMAC-SHA256 of the session token under a random key made when the
//! process starts; forms carry it in a hidden field and POSTs without the matching value are
//! refused. It cannot be forged without the key, differs per session, and needs no storage. A
//! restart makes a new key, so a form opened before it is refused (sign-in stays valid).

use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The cookie holding the caller's token.
pub const TOKEN_COOKIE: &str = "helm_rs_token";
/// The cookie holding who signed in, for display only (never used to decide anything).
pub const USER_COOKIE: &str = "helm_rs_user";

/// The per-process key of CSRF tokens.
fn key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        let provider = tokio_rustls::rustls::crypto::ring::default_provider();
        if provider.secure_random.fill(&mut k).is_err() {
            // The system's generator failed (it does not on Linux); fall back to what varies
            // per process so the key is at least not a constant.
            let seed = format!(
                "{:?}{}{:p}",
                std::time::SystemTime::now(),
                std::process::id(),
                &k
            );
            k.copy_from_slice(&Sha256::digest(seed.as_bytes()));
        }
        k
    })
}

/// HMAC-SHA256 (RFC 2104) of `msg` under `key` (at most one block long).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The CSRF token of the session holding `token`.
pub fn csrf_token(token: &str) -> String {
    hex::encode(&hmac_sha256(key(), format!("csrf\0{token}").as_bytes())[..20])
}

/// Whether `given` is the CSRF token of the session holding `token` (compared in constant
/// time).
pub fn csrf_ok(token: &str, given: &str) -> bool {
    let want = csrf_token(token);
    want.len() == given.len()
        && want
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A token as a cookie may carry it and Kubernetes takes it: visible ASCII without the
/// characters cookies reserve. Service account tokens (JWTs) and static tokens fit.
pub fn valid_token(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 16 * 1024
        && t.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &hyper::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
}

/// A `Set-Cookie` value: `value` for the session, or (None) one that removes the cookie.
pub fn set_cookie(name: &str, value: Option<&str>, secure: bool) -> String {
    let mut c = match value {
        Some(v) => format!("{name}={v}; Path=/; HttpOnly; SameSite=Strict"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    };
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Who signed in, as the user cookie stores it: the name without characters a cookie cannot
/// hold (display only).
pub fn user_cookie_value(name: &str) -> String {
    super::html::enc(name)
}

/// Whether a POST comes from a page of this server: a browser sends `Origin` with form posts;
/// when it does, it must name the host the request was sent to. (A request without `Origin`
/// is not from a browser's cross-site form, and still needs the CSRF token.)
pub fn same_origin(headers: &hyper::HeaderMap) -> bool {
    let Some(origin) = headers
        .get(hyper::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = headers
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .trim_end_matches('/');
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231() {
        // RFC 4231 test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn csrf_tokens_are_per_session() {
        let a = csrf_token("token-a");
        assert!(csrf_ok("token-a", &a));
        assert!(!csrf_ok("token-b", &a));
        assert!(!csrf_ok("token-a", ""));
        assert!(!csrf_ok("token-a", &a[..a.len() - 1]));
    }

    #[test]
    fn cookies() {
        let mut h = hyper::HeaderMap::new();
        h.insert(
            hyper::header::COOKIE,
            "a=1; helm_rs_token=abc.def; b=2".parse().expect("header"),
        );
        assert_eq!(cookie(&h, TOKEN_COOKIE).as_deref(), Some("abc.def"));
        assert_eq!(cookie(&h, "c"), None);
        let c = set_cookie(TOKEN_COOKIE, Some("t"), true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
        assert!(set_cookie(TOKEN_COOKIE, None, false).contains("Max-Age=0"));
        assert!(valid_token("eyJhbGci.eyJzdWIi.sig-_"));
        assert!(!valid_token("a;b") && !valid_token("a b") && !valid_token(""));
    }

    #[test]
    fn origins() {
        let mut h = hyper::HeaderMap::new();
        h.insert(hyper::header::HOST, "127.0.0.1:8080".parse().expect("h"));
        assert!(same_origin(&h));
        h.insert(
            hyper::header::ORIGIN,
            "http://127.0.0.1:8080".parse().expect("h"),
        );
        assert!(same_origin(&h));
        h.insert(
            hyper::header::ORIGIN,
            "https://evil.example".parse().expect("h"),
        );
        assert!(!same_origin(&h));
    }
}
