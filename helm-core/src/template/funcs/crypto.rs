//! Template functions: Sprig's crypto (`bcrypt`, `htpasswd`, `derivePassword`,
//! `genPrivateKey`, `buildCustomCert`, `genCA`, `genCAWithKey`, `genSelfSignedCert`,
//! `genSelfSignedCertWithKey`, `genSignedCert`, `genSignedCertWithKey`, `encryptAES`,
//! `decryptAES`).
//!
//! Charts use these to mint webhook TLS certificates and passwords at render time, so the
//! output must be what Kubernetes and other tools accept from Helm: PEM blocks named as Go's
//! `encoding/pem` names them (`RSA PRIVATE KEY` PKCS#1, `EC PRIVATE KEY` SEC 1, `PRIVATE KEY`
//! PKCS#8 for Ed25519, Sprig's own `DSA PRIVATE KEY`), certificates with exactly the fields
//! Sprig's template sets (CN-only subject, SANs, server+client auth, key usages, basic
//! constraints, Go 1.25's truncated-SHA-256 subject key id on CAs), and Sprig's odd error
//! conventions (several functions return their error *as the result string*).
//! Certificates are DER-encoded by hand (the private `der` module) so field order matches Go's encoder.

mod der;
mod monty;
mod rsagen;

use super::encoding::{bytes_to_string, go_base64_decode};
use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::{go_type_names, Object, StructField, Value};
use base64::Engine as _;
use rand::RngCore;
use sha2::Digest as _;
use std::net::IpAddr;
use std::sync::Arc;

pub fn register(t: &mut FuncTable) {
    t.add("bcrypt", &[Param::String], None, bcrypt_fn);
    t.add("htpasswd", &[Param::String, Param::String], None, htpasswd);
    t.add(
        "derivePassword",
        &[
            Param::Uint,
            Param::String,
            Param::String,
            Param::String,
            Param::String,
        ],
        None,
        derive_password,
    );
    t.add("genPrivateKey", &[Param::String], None, gen_private_key);
    t.add(
        "buildCustomCert",
        &[Param::String, Param::String],
        None,
        build_custom_cert,
    );
    t.add("genCA", &[Param::String, Param::Int], None, gen_ca);
    t.add(
        "genCAWithKey",
        &[Param::String, Param::Int, Param::String],
        None,
        gen_ca_with_key,
    );
    t.add(
        "genSelfSignedCert",
        &[Param::String, Param::List, Param::List, Param::Int],
        None,
        gen_self_signed,
    );
    t.add(
        "genSelfSignedCertWithKey",
        &[
            Param::String,
            Param::List,
            Param::List,
            Param::Int,
            Param::String,
        ],
        None,
        gen_self_signed_with_key,
    );
    t.add(
        "genSignedCert",
        &[
            Param::String,
            Param::List,
            Param::List,
            Param::Int,
            Param::Any,
        ],
        None,
        gen_signed,
    );
    t.add(
        "genSignedCertWithKey",
        &[
            Param::String,
            Param::List,
            Param::List,
            Param::Int,
            Param::Any,
            Param::String,
        ],
        None,
        gen_signed_with_key,
    );
    t.add(
        "encryptAES",
        &[Param::String, Param::String],
        None,
        encrypt_aes,
    );
    t.add(
        "decryptAES",
        &[Param::String, Param::String],
        None,
        decrypt_aes,
    );
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn int_arg(args: &[Value], i: usize) -> i64 {
    args.get(i).and_then(Value::as_i64).unwrap_or(0)
}

// ---- passwords

/// golang.org/x/crypto/bcrypt at the default cost (10), `$2a$` form.
fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(h) => h.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

fn bcrypt_fn(args: &[Value]) -> FuncResult {
    Ok(Value::from(bcrypt_hash(str_arg(args, 0))))
}

fn htpasswd(args: &[Value]) -> FuncResult {
    let (user, pass) = (str_arg(args, 0), str_arg(args, 1));
    if user.contains(':') {
        return Ok(Value::from(format!("invalid username: {user}")));
    }
    Ok(Value::from(format!("{user}:{}", bcrypt_hash(pass))))
}

const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        b'x' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => b"",
    }
}

/// The Master Password algorithm (scrypt N=32768 r=8 p=2, HMAC-SHA256 seed, templates).
fn derive_password(args: &[Value]) -> FuncResult {
    let counter = match args.first() {
        Some(Value::Uint(u)) => *u as u32,
        Some(v) => v.as_i64().unwrap_or(0) as u32,
        None => 0,
    };
    let (kind, password, user, site) = (
        str_arg(args, 1),
        str_arg(args, 2),
        str_arg(args, 3),
        str_arg(args, 4),
    );
    let Some(templates) = password_templates(kind) else {
        return Ok(Value::from(format!("cannot find password template {kind}")));
    };
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = scrypt::Params::new(15, 8, 2, 64).map_err(|e| FuncError::new(e.to_string()))?;
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return Ok(Value::from(format!("failed to derive password: {e}")));
    }
    let mut msg = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    use hmac::Mac as _;
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&key)
        .map_err(|e| FuncError::new(e.to_string()))?;
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let temp = templates[seed[0] as usize % templates.len()].as_bytes();
    let mut out = String::with_capacity(temp.len());
    for (i, &c) in temp.iter().enumerate() {
        let chars = template_chars(c);
        let s = seed.get(i + 1).copied().unwrap_or(0) as usize;
        if let Some(&ch) = chars.get(s % chars.len().max(1)) {
            out.push(ch as char);
        }
    }
    Ok(Value::from(out))
}

// ---- AES

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    let n = p.len().min(32);
    key[..n].copy_from_slice(&p[..n]);
    key
}

/// AES-256-CBC, zero-padded password as key, random IV prepended, PKCS#7 padding, base64.
fn encrypt_aes(args: &[Value]) -> FuncResult {
    use aes::cipher::{BlockEncryptMut, KeyIvInit};
    let (password, plaintext) = (str_arg(args, 0), str_arg(args, 1));
    if plaintext.is_empty() {
        return Ok(Value::str(""));
    }
    let mut iv = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut iv);
    let enc = cbc::Encryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let ct = enc.encrypt_padded_vec_mut::<aes::cipher::block_padding::Pkcs7>(plaintext.as_bytes());
    let mut out = iv.to_vec();
    out.extend_from_slice(&ct);
    Ok(Value::from(
        base64::engine::general_purpose::STANDARD.encode(out),
    ))
}

/// Sprig's decryptAES, including the Go runtime panics it hits on short or malformed input.
fn decrypt_aes(args: &[Value]) -> FuncResult {
    use aes::cipher::{BlockDecryptMut, KeyIvInit};
    let (password, crypt64) = (str_arg(args, 0), str_arg(args, 1));
    if crypt64.is_empty() {
        return Ok(Value::str(""));
    }
    let crypt = go_base64_decode(crypt64.as_bytes())
        .map_err(|pos| FuncError::new(format!("illegal base64 data at input byte {pos}")))?;
    if crypt.len() < 16 {
        // Go's DecodeString buffer capacity: DecodedLen(len(s)).
        let cap = crypt64.len() / 4 * 3;
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:16] with capacity {cap}"
        )));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err(FuncError::new("crypto/cipher: input not full blocks"));
    }
    let mut buf = body.to_vec();
    let mut dec = cbc::Decryptor::<aes::Aes256>::new(&aes_key(password).into(), iv.into());
    for chunk in buf.chunks_exact_mut(16) {
        dec.decrypt_block_mut(chunk.into());
    }
    let Some(&last) = buf.last() else {
        return Err(FuncError::new("runtime error: index out of range [-1]"));
    };
    let keep = buf.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        )));
    }
    buf.truncate(keep as usize);
    Ok(Value::from(bytes_to_string(buf)))
}

// ---- PEM

/// Go's `pem.EncodeToMemory` for a block without headers.
fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The first PEM block: (type, DER bytes). Headers (`Proc-Type:`) are skipped.
fn pem_decode(data: &str) -> Option<(String, Vec<u8>)> {
    let start = data.find("-----BEGIN ")?;
    let rest = &data[start + 11..];
    let type_end = rest.find("-----")?;
    let kind = &rest[..type_end];
    if kind.contains('\n') {
        return None;
    }
    let body_start = &rest[type_end + 5..];
    let end_marker = format!("-----END {kind}-----");
    let end = body_start.find(&end_marker)?;
    let body = &body_start[..end];
    let b64: String = body
        .lines()
        .filter(|l| !l.contains(':'))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some((kind.to_string(), der))
}

// ---- keys

/// A private key of one of the kinds Sprig handles.
enum PrivKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(p256::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
    Dsa(Box<dsa::SigningKey>),
}

const OID_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
const OID_EC: &[u64] = &[1, 2, 840, 10045, 2, 1];
const OID_P256: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];

impl PrivKey {
    fn generate_rsa(bits: usize) -> Result<PrivKey, String> {
        rsagen::generate(bits).map(|k| PrivKey::Rsa(Box::new(k)))
    }

    /// The PEM block Sprig's `pemBlockForKey` writes.
    fn to_pem(&self) -> Result<String, String> {
        Ok(match self {
            PrivKey::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                let der = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                pem_encode("RSA PRIVATE KEY", der.as_bytes())
            }
            PrivKey::Ec(k) => {
                // SEC 1 ECPrivateKey as Go's MarshalECPrivateKey writes it.
                let point = k.public_key().to_sec1_bytes();
                let body = der::seq(&[
                    der::small_int(1),
                    der::tlv(der::OCTET_STRING, &k.to_bytes()),
                    der::tlv(0xa0, &der::oid(OID_P256)),
                    der::tlv(0xa1, &der::bit_string(&uncompressed(&point, k), 0)),
                ]);
                pem_encode("EC PRIVATE KEY", &body)
            }
            PrivKey::Ed25519(k) => {
                // PKCS#8 v1 without the public key, as Go's MarshalPKCS8PrivateKey.
                let body = der::seq(&[
                    der::small_int(0),
                    der::seq(&[der::oid(OID_ED25519)]),
                    der::tlv(
                        der::OCTET_STRING,
                        &der::tlv(der::OCTET_STRING, &k.to_bytes()),
                    ),
                ]);
                pem_encode("PRIVATE KEY", &body)
            }
            PrivKey::Dsa(k) => {
                let vk = k.verifying_key();
                let c = vk.components();
                let body = der::seq(&[
                    der::small_int(0),
                    der::uint(&c.p().to_bytes_be()),
                    der::uint(&c.q().to_bytes_be()),
                    der::uint(&c.g().to_bytes_be()),
                    der::uint(&vk.y().to_bytes_be()),
                    der::uint(&k.x().to_bytes_be()),
                ]);
                pem_encode("DSA PRIVATE KEY", &body)
            }
        })
    }

    /// SubjectPublicKeyInfo DER and the raw public key bits (for the subject key id).
    fn spki(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        match self {
            PrivKey::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                let pk = k
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec();
                let spki = der::seq(&[
                    der::seq(&[der::oid(OID_RSA), der::tlv(der::NULL, &[])]),
                    der::bit_string(&pk, 0),
                ]);
                Ok((spki, pk))
            }
            PrivKey::Ec(k) => {
                let pk = uncompressed(&k.public_key().to_sec1_bytes(), k);
                let spki = der::seq(&[
                    der::seq(&[der::oid(OID_EC), der::oid(OID_P256)]),
                    der::bit_string(&pk, 0),
                ]);
                Ok((spki, pk))
            }
            PrivKey::Ed25519(k) => {
                let pk = k.verifying_key().to_bytes().to_vec();
                let spki = der::seq(&[der::seq(&[der::oid(OID_ED25519)]), der::bit_string(&pk, 0)]);
                Ok((spki, pk))
            }
            PrivKey::Dsa(_) => Err("x509: unsupported public key type: *dsa.PublicKey".into()),
        }
    }

    /// Signature algorithm identifier and signature over `tbs`, as Go's signingParamsForKey.
    fn algorithm(&self) -> Result<Vec<u8>, String> {
        match self {
            PrivKey::Rsa(_) => Ok(der::seq(&[
                der::oid(&[1, 2, 840, 113549, 1, 1, 11]),
                der::tlv(der::NULL, &[]),
            ])),
            PrivKey::Ec(_) => Ok(der::seq(&[der::oid(&[1, 2, 840, 10045, 4, 3, 2])])),
            PrivKey::Ed25519(_) => Ok(der::seq(&[der::oid(OID_ED25519)])),
            PrivKey::Dsa(_) => Err("x509: only RSA, ECDSA and Ed25519 keys supported".into()),
        }
    }

    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, String> {
        use rsa::signature::{SignatureEncoding, Signer};
        match self {
            PrivKey::Rsa(k) => {
                let sk = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
                let sig: rsa::pkcs1v15::Signature = sk.try_sign(tbs).map_err(|e| e.to_string())?;
                Ok(sig.to_vec())
            }
            PrivKey::Ec(k) => {
                let sk = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = sk.try_sign(tbs).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivKey::Ed25519(k) => Ok(k.sign(tbs).to_bytes().to_vec()),
            PrivKey::Dsa(_) => Err("x509: only RSA, ECDSA and Ed25519 keys supported".into()),
        }
    }
}

/// The uncompressed SEC 1 point (04 || X || Y) of a P-256 key.
fn uncompressed(_sec1: &[u8], k: &p256::SecretKey) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    k.public_key().to_encoded_point(false).as_bytes().to_vec()
}

/// Sprig's `parsePrivateKeyPEM`, with its error texts.
fn parse_private_key_pem(pem: &str) -> Result<PrivKey, String> {
    let (kind, der_bytes) = pem_decode(pem).ok_or("no PEM data in input")?;
    if kind == "PRIVATE KEY" {
        return parse_pkcs8(&der_bytes).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(prefix) = kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {kind}"));
    };
    match prefix {
        "RSA" => {
            use rsa::pkcs1::DecodeRsaPrivateKey;
            rsa::RsaPrivateKey::from_pkcs1_der(&der_bytes)
                .map(|k| PrivKey::Rsa(Box::new(k)))
                .map_err(|e| {
                    format!(
                        "parsing RSA private key from PEM: x509: failed to parse private key: {e}"
                    )
                })
        }
        "EC" => p256::SecretKey::from_sec1_der(&der_bytes)
            .map(PrivKey::Ec)
            .map_err(|_| {
                "parsing EC private key from PEM: x509: failed to parse EC private key".to_string()
            }),
        "DSA" => parse_dsa(&der_bytes).ok_or_else(|| {
            "parsing DSA private key from PEM: asn1: structure error: tags don't match".to_string()
        }),
        _ => Err(format!("invalid private key type {kind}")),
    }
}

fn parse_pkcs8(der_bytes: &[u8]) -> Result<PrivKey, String> {
    let bad = || "x509: failed to parse private key".to_string();
    let (outer, _) = der::read(der_bytes).ok_or_else(bad)?;
    let parts = der::children(outer.content).ok_or_else(bad)?;
    let alg = parts.get(1).ok_or_else(bad)?;
    let alg_parts = der::children(alg.content).ok_or_else(bad)?;
    let alg_oid = alg_parts.first().ok_or_else(bad)?.raw;
    if alg_oid == der::oid(OID_RSA).as_slice() {
        use rsa::pkcs8::DecodePrivateKey;
        return rsa::RsaPrivateKey::from_pkcs8_der(der_bytes)
            .map(|k| PrivKey::Rsa(Box::new(k)))
            .map_err(|e| e.to_string());
    }
    if alg_oid == der::oid(OID_EC).as_slice() {
        use p256::pkcs8::DecodePrivateKey;
        return p256::SecretKey::from_pkcs8_der(der_bytes)
            .map(PrivKey::Ec)
            .map_err(|_| "x509: failed to parse EC private key embedded in PKCS#8: x509: unknown elliptic curve".into());
    }
    if alg_oid == der::oid(OID_ED25519).as_slice() {
        let octet = parts.get(2).ok_or_else(bad)?;
        let (inner, _) = der::read(octet.content).ok_or_else(bad)?;
        let seed: [u8; 32] = inner.content.try_into().map_err(|_| {
            format!(
                "x509: invalid Ed25519 private key length: {}",
                inner.content.len()
            )
        })?;
        return Ok(PrivKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
            &seed,
        )));
    }
    Err("x509: PKCS#8 wrapping contained private key with unknown algorithm".into())
}

fn parse_dsa(der_bytes: &[u8]) -> Option<PrivKey> {
    let (outer, _) = der::read(der_bytes)?;
    let ints = der::children(outer.content)?;
    if ints.len() != 6 || ints.iter().any(|t| t.tag != der::INTEGER) {
        return None;
    }
    let big = |i: usize| dsa::BigUint::from_bytes_be(der::int_bytes(ints[i].content));
    let comps = dsa::Components::from_components(big(1), big(2), big(3)).ok()?;
    let vk = dsa::VerifyingKey::from_components(comps, big(4)).ok()?;
    dsa::SigningKey::from_components(vk, big(5))
        .ok()
        .map(|k| PrivKey::Dsa(Box::new(k)))
}

fn gen_private_key(args: &[Value]) -> FuncResult {
    let typ = str_arg(args, 0);
    let key = match typ {
        "" | "rsa" => PrivKey::generate_rsa(4096),
        "dsa" => {
            let comps =
                dsa::Components::generate(&mut rand::thread_rng(), dsa::KeySize::DSA_2048_256);
            Ok(PrivKey::Dsa(Box::new(dsa::SigningKey::generate(
                &mut rand::thread_rng(),
                comps,
            ))))
        }
        "ecdsa" => Ok(PrivKey::Ec(
            p256::SecretKey::random(&mut rand::thread_rng()),
        )),
        "ed25519" => Ok(PrivKey::Ed25519(ed25519_dalek::SigningKey::generate(
            &mut rand::thread_rng(),
        ))),
        _ => return Ok(Value::from(format!("Unknown type {typ}"))),
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => return Ok(Value::from(format!("failed to generate private key: {e}"))),
    };
    Ok(Value::from(key.to_pem().unwrap_or_default()))
}

// ---- certificates

/// Sprig's `certificate` struct: `.Cert` and `.Key` PEM strings.
#[derive(Debug, Clone, Default)]
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Object for Certificate {
    go_type_names!("sprig.certificate", "struct");
    fn go_string(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn struct_fields(&self) -> Option<Vec<StructField>> {
        Some(vec![
            StructField {
                go_name: "Cert",
                json_name: "Cert",
                value: Value::str(&self.cert),
            },
            StructField {
                go_name: "Key",
                json_name: "Key",
                value: Value::str(&self.key),
            },
        ])
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn cert_value(c: Certificate) -> Value {
    Value::Object(Arc::new(c))
}

fn build_custom_cert(args: &[Value]) -> FuncResult {
    let b64 = base64::engine::general_purpose::STANDARD;
    let cert = go_base64_decode(str_arg(args, 0).as_bytes())
        .map_err(|_| FuncError::new("unable to decode base64 certificate"))?;
    let key = go_base64_decode(str_arg(args, 1).as_bytes())
        .map_err(|_| FuncError::new("unable to decode base64 private key"))?;
    let _ = b64;
    let cert_s = bytes_to_string(cert);
    let key_s = bytes_to_string(key);
    let (_, der_bytes) =
        pem_decode(&cert_s).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    der::parse_certificate(&der_bytes).map_err(|e| {
        FuncError::new(format!("error parsing certificate: decodedCert.Bytes: {e}"))
    })?;
    parse_private_key_pem(&key_s)
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    Ok(cert_value(Certificate {
        cert: cert_s,
        key: key_s,
    }))
}

/// The fields of Sprig's `getBaseCertTemplate` that vary.
struct Template {
    cn: String,
    ips: Vec<IpAddr>,
    dns: Vec<String>,
    days: i64,
    is_ca: bool,
}

/// Sprig's getNetIPs / getAlternateDNSStrs over `[]interface{}` arguments.
fn base_template(
    cn: &str,
    ips: Option<&Value>,
    dns: Option<&Value>,
    days: i64,
) -> Result<Template, FuncError> {
    let list = |v: Option<&Value>| -> Vec<Value> {
        match v {
            Some(Value::List(l)) => l.to_vec(),
            _ => Vec::new(),
        }
    };
    let mut ip_out = Vec::new();
    for ip in list(ips) {
        let Some(s) = ip.as_str() else {
            return Err(FuncError::new(format!(
                "error parsing ip: {} is not a string",
                value_v(&ip)
            )));
        };
        match s.parse::<IpAddr>() {
            Ok(a) => ip_out.push(a),
            Err(_) => return Err(FuncError::new(format!("error parsing ip: {s}"))),
        }
    }
    let mut dns_out = Vec::new();
    for d in list(dns) {
        let Some(s) = d.as_str() else {
            return Err(FuncError::new(format!(
                "error processing alternate dns name: {} is not a string",
                value_v(&d)
            )));
        };
        dns_out.push(s.to_string());
    }
    Ok(Template {
        cn: cn.to_string(),
        ips: ip_out,
        dns: dns_out,
        days,
        is_ca: false,
    })
}

/// `%v` of a non-string list item in Sprig's messages.
fn value_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => go_float_v(*f),
        Value::String(s) => s.to_string(),
        Value::List(l) => format!("[{}]", l.iter().map(value_v).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!(
            "map[{}]",
            m.entries()
                .iter()
                .map(|(k, v)| format!("{k}:{}", value_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Bytes(b) => format!("{:?}", b.as_ref()),
        Value::Object(o) => o.go_string(),
    }
}

/// Go's `%v` for a float64 (strconv 'g' with the shortest digits, exponent past 1e21).
fn go_float_v(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let a = f.abs();
    if a != 0.0 && !(1e-4..1e21).contains(&a) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    format!("{f}")
}

/// A Name with only a CommonName (Go omits an empty CN entirely).
fn subject_name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return der::seq(&[]);
    }
    let printable = cn.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    });
    let value = der::tlv(
        if printable {
            der::PRINTABLE_STRING
        } else {
            der::UTF8_STRING
        },
        cn.as_bytes(),
    );
    der::seq(&[der::tlv(
        der::SET,
        &der::seq(&[der::oid(&[2, 5, 4, 3]), value]),
    )])
}

/// UTCTime for 1950..2050, GeneralizedTime otherwise, as Go's asn1 does for certificates.
fn asn1_time(unix: i64) -> Result<Vec<u8>, String> {
    use crate::gocompat::time::{Location, Time};
    let t = Time::from_unix(unix, 0, Location::utc());
    let year = t.civil().year;
    if (1950..2050).contains(&year) {
        Ok(der::tlv(
            der::UTC_TIME,
            t.format("060102150405Z").as_bytes(),
        ))
    } else if (0..=9999).contains(&year) {
        Ok(der::tlv(
            der::GENERALIZED_TIME,
            t.format("20060102150405Z").as_bytes(),
        ))
    } else {
        Err("asn1: cannot represent time as GeneralizedTime".into())
    }
}

fn extension(id: &[u64], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![der::oid(id)];
    if critical {
        parts.push(der::tlv(der::BOOLEAN, &[0xff]));
    }
    parts.push(der::tlv(der::OCTET_STRING, &value));
    der::seq(&parts)
}

/// Go's `x509.CreateCertificate(rand, template, parent, pub, signer)` for Sprig's templates,
/// returning (cert PEM, key PEM) as Sprig's getCertAndKey.
fn create_certificate(
    tpl: &Template,
    signee: &PrivKey,
    parent: Option<&der::ParsedCert>,
    signer: &PrivKey,
) -> Result<(String, String), FuncError> {
    let wrap = |e: String| FuncError::new(format!("error creating certificate: {e}"));
    let alg = signer.algorithm().map_err(wrap)?;
    let (spki, pub_bits) = signee.spki().map_err(wrap)?;
    let subject = subject_name(&tpl.cn);
    let (issuer, parent_skid) = match parent {
        Some(p) => {
            let (signer_spki, _) = signer.spki().map_err(wrap)?;
            if signer_spki != p.spki {
                return Err(wrap(
                    "x509: provided PrivateKey doesn't match parent's PublicKey".into(),
                ));
            }
            (p.raw_subject.clone(), p.subject_key_id.clone())
        }
        None => (subject.clone(), None),
    };
    for name in &tpl.dns {
        if !name.is_ascii() {
            return Err(wrap(format!(
                "x509: {name:?} cannot be encoded as an IA5String"
            )));
        }
    }

    // Serial: uniform in [0, 2^128).
    let mut serial = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut serial);

    let now = crate::gocompat::time::Time::now();
    let not_after = now
        .unix
        .wrapping_add((tpl.days.wrapping_mul(86_400_000_000_000) / 1_000_000_000).wrapping_add(0));
    let validity = der::seq(&[
        asn1_time(now.unix).map_err(wrap)?,
        asn1_time(not_after).map_err(wrap)?,
    ]);

    let mut exts = Vec::new();
    // KeyUsage: digitalSignature | keyEncipherment (| keyCertSign for CAs), as a BIT STRING.
    exts.push(extension(
        &[2, 5, 29, 15],
        true,
        if tpl.is_ca {
            der::bit_string(&[0xa4], 2)
        } else {
            der::bit_string(&[0xa0], 5)
        },
    ));
    exts.push(extension(
        &[2, 5, 29, 37],
        false,
        der::seq(&[
            der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]),
            der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]),
        ]),
    ));
    exts.push(extension(
        &[2, 5, 29, 19],
        true,
        if tpl.is_ca {
            der::seq(&[der::tlv(der::BOOLEAN, &[0xff])])
        } else {
            der::seq(&[])
        },
    ));
    if tpl.is_ca {
        let skid = &sha2::Sha256::digest(&pub_bits)[..20];
        exts.push(extension(
            &[2, 5, 29, 14],
            false,
            der::tlv(der::OCTET_STRING, skid),
        ));
    }
    if let Some(akid) = parent_skid.filter(|k| !k.is_empty()) {
        if issuer != subject {
            exts.push(extension(
                &[2, 5, 29, 35],
                false,
                der::seq(&[der::tlv(0x80, &akid)]),
            ));
        }
    }
    if !tpl.dns.is_empty() || !tpl.ips.is_empty() {
        let mut names = Vec::new();
        for d in &tpl.dns {
            names.push(der::tlv(0x82, d.as_bytes()));
        }
        for ip in &tpl.ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.push(der::tlv(0x87, &bytes));
        }
        exts.push(extension(
            &[2, 5, 29, 17],
            tpl.cn.is_empty(),
            der::seq(&names),
        ));
    }

    let tbs = der::seq(&[
        der::tlv(0xa0, &der::small_int(2)),
        der::uint(&serial),
        alg.clone(),
        issuer,
        validity,
        subject,
        spki,
        der::tlv(0xa3, &der::seq(&exts)),
    ]);
    let sig = signer.sign(&tbs).map_err(wrap)?;
    let cert = der::seq(&[tbs, alg, der::bit_string(&sig, 0)]);
    let key_pem = signee
        .to_pem()
        .map_err(|e| FuncError::new(format!("error pem-encoding key: {e}")))?;
    Ok((pem_encode("CERTIFICATE", &cert), key_pem))
}

fn new_rsa_2048() -> Result<PrivKey, FuncError> {
    PrivKey::generate_rsa(2048)
        .map_err(|e| FuncError::new(format!("error generating rsa key: {e}")))
}

fn key_from_pem(pem: &str) -> Result<PrivKey, FuncError> {
    parse_private_key_pem(pem).map_err(|e| FuncError::new(format!("parsing private key: {e}")))
}

fn ca_with(cn: &str, days: i64, key: PrivKey) -> FuncResult {
    let mut tpl = base_template(cn, None, None, days)?;
    tpl.is_ca = true;
    let (cert, key) = create_certificate(&tpl, &key, None, &key)?;
    Ok(cert_value(Certificate { cert, key }))
}

fn gen_ca(args: &[Value]) -> FuncResult {
    ca_with(str_arg(args, 0), int_arg(args, 1), new_rsa_2048()?)
}

fn gen_ca_with_key(args: &[Value]) -> FuncResult {
    let key = key_from_pem(str_arg(args, 2))?;
    ca_with(str_arg(args, 0), int_arg(args, 1), key)
}

fn self_signed_with(args: &[Value], key: PrivKey) -> FuncResult {
    let tpl = base_template(str_arg(args, 0), args.get(1), args.get(2), int_arg(args, 3))?;
    let (cert, key) = create_certificate(&tpl, &key, None, &key)?;
    Ok(cert_value(Certificate { cert, key }))
}

fn gen_self_signed(args: &[Value]) -> FuncResult {
    self_signed_with(args, new_rsa_2048()?)
}

fn gen_self_signed_with_key(args: &[Value]) -> FuncResult {
    let key = key_from_pem(str_arg(args, 4))?;
    self_signed_with(args, key)
}

/// The `ca certificate` parameter: Go's executor accepts only Sprig's certificate struct.
fn ca_param(args: &[Value]) -> Result<Certificate, FuncError> {
    match args.get(4) {
        Some(Value::Object(o)) => match o.as_any().downcast_ref::<Certificate>() {
            Some(c) => Ok(c.clone()),
            None => Err(FuncError::new(format!(
                "wrong type for value; expected sprig.certificate; got {}",
                o.type_name()
            ))),
        },
        Some(Value::Nil) => Err(FuncError::new(
            "wrong type for value; expected sprig.certificate; got interface {}",
        )),
        None => Err(FuncError::new("invalid value; expected sprig.certificate")),
        Some(v) => Err(FuncError::new(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            v.go_type_name()
        ))),
    }
}

fn signed_with(args: &[Value], key: PrivKey) -> FuncResult {
    let ca = ca_param(args)?;
    let (_, der_bytes) =
        pem_decode(&ca.cert).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    let parent = der::parse_certificate(&der_bytes).map_err(|e| {
        FuncError::new(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let signer = parse_private_key_pem(&ca.key)
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    let tpl = base_template(str_arg(args, 0), args.get(1), args.get(2), int_arg(args, 3))?;
    let (cert, key) = create_certificate(&tpl, &key, Some(&parent), &signer)?;
    Ok(cert_value(Certificate { cert, key }))
}

fn gen_signed(args: &[Value]) -> FuncResult {
    // Sprig generates the key before looking at the CA.
    let key = new_rsa_2048()?;
    signed_with(args, key)
}

fn gen_signed_with_key(args: &[Value]) -> FuncResult {
    let key = key_from_pem(str_arg(args, 5))?;
    signed_with(args, key)
}

#[cfg(test)]
mod tests;
