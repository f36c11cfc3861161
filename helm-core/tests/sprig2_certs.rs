//! Sprig certificate functions called through the function table, checked with OpenSSL (when
//! installed) the way a cluster would consume them: the chain verifies, and the fields are the
//! ones a Go-generated certificate from sprig v3.3.0 shows in `openssl x509 -text`.

mod common;
use common::NoHost;
use helm_core::template::funcs::{FuncError, FuncTable};
use helm_core::Value;
use std::process::Command;

fn call(t: &FuncTable, name: &str, args: &[Value]) -> Result<Value, FuncError> {
    let f = t
        .get(name)
        .unwrap_or_else(|| panic!("{name} not registered"));
    assert_eq!(f.params.len(), args.len(), "{name} arity");
    (f.imp)(&mut NoHost, args)
}

fn field(v: &Value, name: &str) -> String {
    match v {
        Value::Object(o) => o
            .field(name)
            .and_then(|f| f.as_str().map(str::to_string))
            .unwrap(),
        other => panic!("not an object: {other:?}"),
    }
}

fn openssl(args: &[&str]) -> Option<String> {
    let out = Command::new("openssl").args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// `openssl x509 -text` of the certificate `what` at `pem` shows every line of `wants`, and
/// not `absent`.
fn assert_cert_text(what: &str, pem: &str, wants: &[&str], absent: &str) {
    let text = openssl(&["x509", "-in", pem, "-noout", "-text"]).unwrap();
    for want in wants {
        assert!(text.contains(want), "{what} lacks {want:?}:\n{text}");
    }
    assert!(!text.contains(absent), "{what} has {absent:?}:\n{text}");
}

#[test]
fn ca_and_signed_cert_verify_and_show_sprig_fields() {
    let t = FuncTable::sprig();
    let ca = call(&t, "genCA", &[Value::str("my-ca"), Value::Int(365)]).unwrap();
    let leaf = call(
        &t,
        "genSignedCert",
        &[
            Value::str("svc.ns"),
            Value::list(vec![Value::str("10.0.0.1"), Value::str("::1")]),
            Value::list(vec![Value::str("svc"), Value::str("svc.ns.svc")]),
            Value::Int(30),
            ca.clone(),
        ],
    )
    .unwrap();
    let self_signed = call(
        &t,
        "genSelfSignedCert",
        &[
            Value::str(""),
            Value::Nil,
            Value::list(vec![Value::str("only.dns")]),
            Value::Int(10),
        ],
    )
    .unwrap();
    for c in [&ca, &leaf, &self_signed] {
        assert!(field(c, "Cert").starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(field(c, "Key").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert!(field(c, "Cert").lines().all(|l| l.len() <= 64));
    }
    if openssl(&["version"]).is_none() {
        println!("openssl not installed; skipping the OpenSSL checks");
        return;
    }
    let dir = common::scratch_dir("sprig2-certs");
    let w = |n: &str, s: &str| {
        let p = dir.join(n);
        std::fs::write(&p, s).unwrap();
        p.to_string_lossy().into_owned()
    };
    let ca_p = w("ca.pem", &field(&ca, "Cert"));
    let leaf_p = w("leaf.pem", &field(&leaf, "Cert"));
    let ss_p = w("ss.pem", &field(&self_signed, "Cert"));
    let key_p = w("leaf.key", &field(&leaf, "Key"));

    let v = openssl(&["verify", "-CAfile", &ca_p, &leaf_p]).unwrap();
    assert!(v.contains(": OK"), "{v}");

    assert_cert_text(
        "CA",
        &ca_p,
        &[
            "Version: 3 (0x2)",
            "Signature Algorithm: sha256WithRSAEncryption",
            "Issuer: CN = my-ca",
            "Subject: CN = my-ca",
            "Public-Key: (2048 bit)",
            "X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment, Certificate Sign",
            "X509v3 Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication",
            "X509v3 Basic Constraints: critical\n                CA:TRUE",
            "X509v3 Subject Key Identifier:",
        ],
        "Authority Key Identifier",
    );
    assert_cert_text(
        "leaf",
        &leaf_p,
        &[
            "Issuer: CN = my-ca",
            "Subject: CN = svc.ns",
            "X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment\n",
            "X509v3 Basic Constraints: critical\n                CA:FALSE",
            "X509v3 Authority Key Identifier:",
            "X509v3 Subject Alternative Name: \n                DNS:svc, DNS:svc.ns.svc, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1",
        ],
        "Subject Key Identifier",
    );
    // 30 days of validity.
    let dates = openssl(&["x509", "-in", &leaf_p, "-noout", "-startdate", "-enddate"]).unwrap();
    assert!(dates.contains("notBefore=") && dates.contains("notAfter="));
    // Empty CN: SAN is critical, subject empty (Go's rule).
    let ss_text = openssl(&["x509", "-in", &ss_p, "-noout", "-text"]).unwrap();
    assert!(
        ss_text.contains("X509v3 Subject Alternative Name: critical\n                DNS:only.dns"),
        "{ss_text}"
    );
    // The key matches the certificate.
    let m1 = openssl(&["x509", "-in", &leaf_p, "-noout", "-pubkey"]).unwrap();
    let m2 = openssl(&["pkey", "-in", &key_p, "-pubout"]).unwrap();
    assert_eq!(m1, m2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_sprig2_function_is_registered_with_go_arity() {
    let t = FuncTable::sprig();
    for (name, arity) in [
        ("sha1sum", 1),
        ("sha256sum", 1),
        ("sha512sum", 1),
        ("adler32sum", 1),
        ("b64enc", 1),
        ("b64dec", 1),
        ("b32enc", 1),
        ("b32dec", 1),
        ("bcrypt", 1),
        ("htpasswd", 2),
        ("derivePassword", 5),
        ("genPrivateKey", 1),
        ("buildCustomCert", 2),
        ("genCA", 2),
        ("genCAWithKey", 3),
        ("genSelfSignedCert", 4),
        ("genSelfSignedCertWithKey", 5),
        ("genSignedCert", 5),
        ("genSignedCertWithKey", 6),
        ("encryptAES", 2),
        ("decryptAES", 2),
        ("randBytes", 1),
        ("uuidv4", 0),
        ("randAlphaNum", 1),
        ("randAlpha", 1),
        ("randAscii", 1),
        ("randNumeric", 1),
        ("randInt", 2),
        ("now", 0),
        ("date", 2),
        ("dateInZone", 3),
        ("date_in_zone", 3),
        ("dateModify", 2),
        ("date_modify", 2),
        ("mustDateModify", 2),
        ("must_date_modify", 2),
        ("ago", 1),
        ("duration", 1),
        ("durationRound", 1),
        ("htmlDate", 1),
        ("htmlDateInZone", 2),
        ("toDate", 2),
        ("mustToDate", 2),
        ("unixEpoch", 1),
        ("getHostByName", 1),
    ] {
        let f = t.get(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(f.params.len(), arity, "{name}");
        assert!(f.variadic.is_none(), "{name}");
    }
}
