//! Crypto tests. Fixtures marked "Go" were produced by sprig v3.3.0 under Go 1.26.

use super::*;

/// A CA made by sprig's `genCA "go-ca" 3650` (Go).
const GO_CA_CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIDCzCCAfOgAwIBAgIQSjZ1ldihOIkXirPaKRS0QDANBgkqhkiG9w0BAQsFADAQ\nMQ4wDAYDVQQDEwVnby1jYTAeFw0yNjExMjQxMjI4NTdaFw0zNjExMjExMjI4NTda\nMBAxDjAMBgNVBAMTBWdvLWNhMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC\nAQEAtJy7zs5CtbDBesQX9PynE1VIVbDWiMUhyiZZnSQflDiT5OdgvDgIPK8ZNSi5\n+rz5qpaA1qFEu/hlZRgIBZJ/vfIk9laNJKVgIzuXByQi2AAY5PskcTNLp8fikoce\nioa/l53qdWoQEb3ZDAEWsGvS75V/Ab8SAXY47TY/tHXguaJdXEubJuvrhQvCkj2p\nt5BY97swia5+Wz1Wd3glvcCdruL7zlEsqcWu2PeI3YkLDz4j5bU7fE/cfTIikH1z\nqUgI5V7BobhVP9AL39QrfQfx7lk3O96hB6NZ/Naxsu5IU6pF43YVjs54aCNpLHSR\n3gpp8I7Gda3VsVFIGsuzVjrFoQIDAQABo2EwXzAOBgNVHQ8BAf8EBAMCAqQwHQYD\nVR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCMA8GA1UdEwEB/wQFMAMBAf8wHQYD\nVR0OBBYEFO66XOeDfsGDmK9ljtxBdYj91MmuMA0GCSqGSIb3DQEBCwUAA4IBAQCa\nHv65C4kUugOj0lG4tuLswmNxqJf+VqtVv+rlYXuAMNKEJ+hljYfDqqCRPBPX/3II\n9btGFQNQ0RBDQbQkUBFQaKdsPGcCx8dUWpWSun4RkaQRub3itFUe92vWjUSeqw0/\nC0i5N4w99lFIOFlQH+L9/Kgrn/sTNQpPlS5GMEBSzIarnunBm0X0lyEf29YZcawZ\nNgGpv75erqjXLejQEPUbukM6Nq/0oy9kCywet8NAwS0XSmArUUiiA4NQX6LAnuiy\nDgkDVi0bg/HnL+rfPFFPsldnZ7y/o0WS6jIQgrs2MYBxOwZRkNVt9fwpa2NhuHSU\nF9FSFTcONsnMB9SbQTnK\n-----END CERTIFICATE-----\n";
const GO_CA_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEoAIBAAKCAQEAtJy7zs5CtbDBesQX9PynE1VIVbDWiMUhyiZZnSQflDiT5Odg\nvDgIPK8ZNSi5+rz5qpaA1qFEu/hlZRgIBZJ/vfIk9laNJKVgIzuXByQi2AAY5Psk\ncTNLp8fikoceioa/l53qdWoQEb3ZDAEWsGvS75V/Ab8SAXY47TY/tHXguaJdXEub\nJuvrhQvCkj2pt5BY97swia5+Wz1Wd3glvcCdruL7zlEsqcWu2PeI3YkLDz4j5bU7\nfE/cfTIikH1zqUgI5V7BobhVP9AL39QrfQfx7lk3O96hB6NZ/Naxsu5IU6pF43YV\njs54aCNpLHSR3gpp8I7Gda3VsVFIGsuzVjrFoQIDAQABAoIBAAcOVHv+LOGs7RzJ\ntRHkyPYwD7+2mpBZ+zmgM+y4Bjp5LLX1oB7aUDVmtc+7g+swH3oy9QeYN0zh+xFv\nAJPkfEnEav3rYF+Sd7td+Zwqz5MBYKJEJCapVVxRqnVaWAQbbY1pJZ6+rQVfFbAA\nCY3iOH8UUmjpY7UGPwUYEyG5X9/V+iu1aMpCFJIXKgQjNNKm3A4VLMLtPETN4XyB\nT/jII7uZpdpphhI6mWNdQlf8X8JG+RW8kNIlRyvLLM6ZWuSP7+U6JnKToEBRI9PD\nZgoCx24sujYIeXBGFF8+9WzpjyLDUfabOGvV5t2Bq234YOpmrzDVES0I7rUDy6D1\nG3qplt0CgYEA6Fzyn5Up3zmomzoS9ChRKMt68FMk6oo7YaPmrB9wwiI/WffWwhvv\n4Zjfhk4ok5p9bW02c6wLwA+Hdl/8SGSpljQualQlfXjLCtbRabNsaOXn8cfX5lDF\nbi0r1jm9zMPitDrY2Xd1RCO+/wDURVppNs0gg8wQKIXYgUTlMPXDs3MCgYEAxvwf\nktl+tQ4wP+k5xyNb+vxNCAsktE7o3ShYEXS0ywLJJgxETupsOHCn9Cu30Gml0DrO\nDDvGh3DMX/SQFaVSx11comupjqBAjG095wIm1vX2Yc6Lw84UJkViu5+vmDnHS+AF\nnk5gKqCo+pZuczst2wgTPPP+0quSTxvzdsScpZsCfzkupoafLq7Agb2xjPiI83AW\noyqBS5RscDCXJS02j4k25GA/nZonReE+vcNPeKzaWAOV3NCahkm9iJiZBnzKSPGt\n5b5E9vTpxQ3lz6MzhHpMGchmZbtIJU33z9HoY80AZ8nysWrS+wjJwzb9/T8UANB7\nqoTEszVFuwIU8lIaKQ8CgYA9/lrP45cITY1WvBDWK/wCLAzLzrz2uAbwsBsQBS42\neX21ruixNXPV+bM57UztT5zrTQbY5N6rX8cstgMV21X46utrZuOCnga+OWKp0A/N\ntP+35SPCMzgv3DowfkW0xXuD9h2J/p0Tas56k9eBaxSUQuXLfbEMbYu9vdWSURsE\ntQKBgAhXFPXxX5JL0vOhbkQccuxlUNg8uGsaYiz1TBq2aoYTHgrbcjP8NjUpzUjv\n9RoZ1FhiD8sRppAfDqMjTycvDeCCLnF4t84qFl6sxKDLgepwXsYrEztHftp1p6Un\nCP8+3CshSj9+RNeeLU9mpq/+Z2upKcQpFXvoQSI4H8+8Ap9b\n-----END RSA PRIVATE KEY-----\n";
/// `genPrivateKey "ecdsa"` and `genPrivateKey "ed25519"` output (Go).
const GO_EC_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIvLAIU+VFQ1tdIfv2xQOYUDYfN+oc2kcbbAJYLEZ115oAoGCCqGSM49\nAwEHoUQDQgAEUVr7tGLNtMRLKHDT23rmHszR84/P8n19b9D9iSn5i233o5ibDqZ1\nBcSzBS6Q2GiJMCty8BBLIkJwa0FjM1o9LA==\n-----END EC PRIVATE KEY-----\n";
const GO_ED_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIEJiyQV+xoifzefAPdKPEdaIl35mG20Ikyf5id2/RbGg\n-----END PRIVATE KEY-----\n";

fn s(v: FuncResult) -> String {
    v.unwrap().as_str().unwrap().to_string()
}
fn st(x: &str) -> Value {
    Value::str(x)
}
fn cert_of(v: &Value) -> Certificate {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<Certificate>().unwrap().clone(),
        other => panic!("not a certificate: {other:?}"),
    }
}

#[test]
fn derive_password_vectors() {
    // sprig/crypto_test.go, confirmed by Helm 4.1.4 (conformance v0186..v0192).
    let d = |c: u64, kind: &str| {
        s(derive_password(&[
            Value::Uint(c),
            st(kind),
            st("password"),
            st("user"),
            st("example.com"),
        ]))
    };
    assert_eq!(d(1, "long"), "ZedaFaxcZaso9*");
    assert_eq!(d(2, "long"), "Fovi2@JifpTupx");
    assert_eq!(d(1, "maximum"), "pf4zS1LjCg&LjhsZ7T2~");
    assert_eq!(d(1, "medium"), "ZedJuz8$");
    assert_eq!(d(1, "basic"), "pIS54PLs");
    assert_eq!(d(1, "pin"), "6685");
    // Go: derivePassword 3 "short" "pw" "u" "s".
    assert_eq!(
        s(derive_password(&[
            Value::Uint(3),
            st("short"),
            st("pw"),
            st("u"),
            st("s")
        ])),
        "Yun9"
    );
    assert_eq!(
        s(derive_password(&[
            Value::Uint(1),
            st("nope"),
            st("p"),
            st("u"),
            st("s")
        ])),
        "cannot find password template nope"
    );
}

#[test]
fn bcrypt_and_htpasswd() {
    let h = s(bcrypt_fn(&[st("abc")]));
    assert!(h.starts_with("$2a$10$") && h.len() == 60, "{h}");
    assert!(bcrypt::verify("abc", &h).unwrap());
    let hp = s(htpasswd(&[st("user"), st("pass")]));
    assert!(hp.starts_with("user:$2a$10$"));
    assert_eq!(s(htpasswd(&[st("a:b"), st("x")])), "invalid username: a:b");
    let long = "0123456789".repeat(7) + "abc";
    assert_eq!(
        s(bcrypt_fn(&[st(&long)])),
        "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    );
}

#[test]
fn aes_decrypts_go_ciphertext_and_round_trips() {
    // Go: encryptAES "secretkey" "plaintext".
    assert_eq!(
        s(decrypt_aes(&[
            st("secretkey"),
            st("r9FsNkwMxT5fbHpX5YeTfAA3e5rlosb9rV4sziO/px4=")
        ])),
        "plaintext"
    );
    // Go: a password longer than 32 bytes is cut; non-ASCII plaintext.
    assert_eq!(
        s(decrypt_aes(&[
            st("a-very-long-password-longer-than-32-bytes!!"),
            st("MQ4lU3TUH99nUGeJktcgyIIy0vSCMm4PY8c4nzJrm88DIRVtB8VwyV2uwL4xsYmek5OVrg3CrBtBu0vE5vaQRQ==")
        ])),
        "héllo wörld, 16+ bytes of text"
    );
    let ct = s(encrypt_aes(&[st("k"), st("hello")]));
    assert_eq!(s(decrypt_aes(&[st("k"), st(&ct)])), "hello");
    assert_eq!(s(encrypt_aes(&[st("k"), st("")])), "");
    assert_eq!(s(decrypt_aes(&[st("k"), st("")])), "");
    // Go's runtime panics, reported as errors.
    let e = |c: &str| decrypt_aes(&[st("k"), st(c)]).unwrap_err().0;
    assert_eq!(
        e("AAAA"),
        "runtime error: slice bounds out of range [:16] with capacity 3"
    );
    assert_eq!(e(&"A".repeat(40)), "crypto/cipher: input not full blocks");
    assert_eq!(
        e("AAAAAAAAAAAAAAAAAAAAAA=="),
        "runtime error: index out of range [-1]"
    );
    assert_eq!(e("!!!!"), "illegal base64 data at input byte 0");
}

#[test]
fn private_keys_have_go_pem_shapes() {
    let ed = s(gen_private_key(&[st("ed25519")]));
    assert!(ed.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
    assert_eq!(ed.len(), GO_ED_KEY.len());
    let ec = s(gen_private_key(&[st("ecdsa")]));
    assert!(ec.starts_with("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI"));
    assert_eq!(ec.len(), GO_EC_KEY.len());
    assert_eq!(&ec[30..60].len(), &GO_EC_KEY[30..60].len());
    // The fixed prefix after the key bytes (curve OID + public key header) matches Go's.
    assert_eq!(&ec[83..108], &GO_EC_KEY[83..108]);
    assert_eq!(s(gen_private_key(&[st("bad")])), "Unknown type bad");
    // Keys Go wrote parse, and re-encode byte-identically.
    for k in [GO_EC_KEY, GO_ED_KEY, GO_CA_KEY] {
        assert_eq!(parse_private_key_pem(k).unwrap().to_pem().unwrap(), k);
    }
    assert_eq!(
        parse_private_key_pem("nothing").err().unwrap(),
        "no PEM data in input"
    );
    assert_eq!(
        parse_private_key_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .err()
            .unwrap(),
        "no private key data in PEM block of type CERTIFICATE"
    );
}

fn ext_oids(cert_pem: &str) -> (Vec<Vec<u8>>, der::ParsedCert) {
    let (_, d) = pem_decode(cert_pem).unwrap();
    let parsed = der::parse_certificate(&d).unwrap();
    let (c, _) = der::read(&d).unwrap();
    let parts = der::children(c.content).unwrap();
    let tbs = der::children(parts[0].content).unwrap();
    let exts = tbs.iter().find(|t| t.tag == 0xa3).unwrap();
    let (seq, _) = der::read(exts.content).unwrap();
    let oids = der::children(seq.content)
        .unwrap()
        .iter()
        .map(|e| der::children(e.content).unwrap()[0].raw.to_vec())
        .collect();
    (oids, parsed)
}

#[test]
fn certificates_have_sprigs_fields() {
    let ca = gen_ca_with_key(&[st("my-ca"), Value::Int(365), st(GO_EC_KEY)]).unwrap();
    let ca_c = cert_of(&ca);
    assert_eq!(ca_c.key, GO_EC_KEY);
    let (oids, parsed) = ext_oids(&ca_c.cert);
    let o = |a: &[u64]| der::oid(a);
    assert_eq!(
        oids,
        vec![
            o(&[2, 5, 29, 15]),
            o(&[2, 5, 29, 37]),
            o(&[2, 5, 29, 19]),
            o(&[2, 5, 29, 14])
        ]
    );
    assert_eq!(parsed.subject_key_id.as_ref().unwrap().len(), 20);

    let leaf = gen_signed_with_key(&[
        st("svc.ns"),
        Value::list(vec![st("10.0.0.1"), st("::1")]),
        Value::list(vec![st("svc")]),
        Value::Int(30),
        ca.clone(),
        st(GO_ED_KEY),
    ])
    .unwrap();
    let (oids, _) = ext_oids(&cert_of(&leaf).cert);
    assert_eq!(
        oids,
        vec![
            o(&[2, 5, 29, 15]),
            o(&[2, 5, 29, 37]),
            o(&[2, 5, 29, 19]),
            o(&[2, 5, 29, 35]),
            o(&[2, 5, 29, 17])
        ]
    );
    // A Go CA signs our leaf; the AKID is the Go CA's SKID.
    let go_ca = build_custom_cert(&[
        st(&base64::engine::general_purpose::STANDARD.encode(GO_CA_CERT)),
        st(&base64::engine::general_purpose::STANDARD.encode(GO_CA_KEY)),
    ])
    .unwrap();
    let leaf2 = gen_signed_with_key(&[
        st("x"),
        Value::Nil,
        Value::Nil,
        Value::Int(1),
        go_ca,
        st(GO_EC_KEY),
    ])
    .unwrap();
    assert!(cert_of(&leaf2)
        .cert
        .starts_with("-----BEGIN CERTIFICATE-----\n"));
    // %v of the struct.
    let Value::Object(obj) = &leaf2 else {
        unreachable!()
    };
    assert_eq!(
        obj.go_string(),
        format!("{{{} {}}}", cert_of(&leaf2).cert, GO_EC_KEY)
    );
    assert_eq!(obj.type_name(), "sprig.certificate");
}

#[test]
fn certificate_errors_use_sprigs_texts() {
    let e = |r: FuncResult| r.unwrap_err().0;
    assert_eq!(
        e(build_custom_cert(&[st("%s"), st("%s")])),
        "unable to decode base64 certificate"
    );
    assert_eq!(
        e(build_custom_cert(&[st("aGk="), st("%s")])),
        "unable to decode base64 private key"
    );
    assert_eq!(
        e(build_custom_cert(&[st("aGk="), st("aGk=")])),
        "unable to decode certificate"
    );
    assert_eq!(
        e(gen_self_signed_with_key(&[
            st("x"),
            Value::list(vec![st("nope")]),
            Value::Nil,
            Value::Int(1),
            st(GO_EC_KEY)
        ])),
        "error parsing ip: nope"
    );
    assert_eq!(
        e(gen_self_signed_with_key(&[
            st("x"),
            Value::list(vec![Value::Int(1)]),
            Value::Nil,
            Value::Int(1),
            st(GO_EC_KEY)
        ])),
        "error parsing ip: 1 is not a string"
    );
    assert_eq!(
        e(gen_self_signed_with_key(&[
            st("x"),
            Value::Nil,
            Value::list(vec![Value::Bool(true)]),
            Value::Int(1),
            st(GO_EC_KEY)
        ])),
        "error processing alternate dns name: true is not a string"
    );
    assert_eq!(
        e(gen_ca_with_key(&[st("x"), Value::Int(1), st("junk")])),
        "parsing private key: no PEM data in input"
    );
    assert_eq!(
        e(gen_signed_with_key(&[
            st("x"),
            Value::Nil,
            Value::Nil,
            Value::Int(1),
            Value::empty_map(),
            st(GO_EC_KEY)
        ])),
        "wrong type for value; expected sprig.certificate; got map[string]interface {}"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn untrusted_inputs_never_panic(s in "[A-Za-z0-9+/= \n-]{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = decrypt_aes(&[st("k"), st(&s)]);
            let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let _ = decrypt_aes(&[st("k"), st(&b64)]);
            let _ = parse_private_key_pem(&s);
            for kind in ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "DSA PRIVATE KEY", "CERTIFICATE"] {
                let _ = parse_private_key_pem(&pem_encode(kind, &bytes));
            }
            let _ = der::parse_certificate(&bytes);
            let _ = build_custom_cert(&[st(&b64), st(&b64)]);
        }
    }
}
