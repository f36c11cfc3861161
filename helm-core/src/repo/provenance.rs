//! Provenance files (`CHART.tgz.prov`): Helm's signed statement of a chart's metadata and
//! archive digest, an OpenPGP cleartext-signed message.
//!
//! The signed text is Helm's `messageBlock`: Chart.yaml as `yaml.Marshal(metadata)`, then
//! `\n...\n` (YAML's document end, since `---` is not allowed in a clearsign block), then
//! `files: {ARCHIVE: sha256:HEX}`. Keys come from GnuPG keyrings (binary, as
//! `gpg --export[-secret-keys]` writes them, or armored), chosen by a user ID substring like
//! Helm's `--key`. OpenPGP is the pure-Rust `pgp` (rpgp) crate.

use super::RepoError;
use pgp::composed::{CleartextSignedMessage, Deserializable, SignedPublicKey, SignedSecretKey};
use pgp::types::{KeyDetails, Password};
use std::path::Path;

fn err(msg: impl std::fmt::Display) -> RepoError {
    RepoError::Other(msg.to_string())
}

fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Helm's `messageBlock` for the archive at `archive`.
pub fn message_block(archive: &Path) -> Result<String, RepoError> {
    let digest = super::index::digest_file(archive)?;
    let chart = crate::chart::load(archive).map_err(err)?;
    let md = crate::values::yaml::to_string(&chart.metadata.to_json_value()).map_err(err)?;
    let sums = crate::values::Map::new();
    let files = crate::values::Map::new();
    files.insert(
        base_name(archive),
        crate::values::Value::str(format!("sha256:{digest}")),
    );
    sums.insert("files", crate::values::Value::Map(files));
    let sums = crate::values::yaml::to_string(&crate::values::Value::Map(sums)).map_err(err)?;
    Ok(format!("{md}\n...\n{sums}"))
}

fn user_ids(details: &pgp::composed::SignedKeyDetails) -> Vec<String> {
    details
        .users
        .iter()
        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
        .collect()
}

fn read_secret_keys(data: &[u8]) -> Result<Vec<SignedSecretKey>, RepoError> {
    let keys: Vec<SignedSecretKey> = if data.starts_with(b"-----BEGIN") {
        SignedSecretKey::from_armor_many(std::io::Cursor::new(data))
            .map_err(err)?
            .0
            .filter_map(Result::ok)
            .collect()
    } else {
        SignedSecretKey::from_bytes_many(std::io::Cursor::new(data))
            .map_err(err)?
            .filter_map(Result::ok)
            .collect()
    };
    Ok(keys)
}

fn read_public_keys(data: &[u8]) -> Result<Vec<SignedPublicKey>, RepoError> {
    // Every OpenPGP packet starts with a tag byte whose high bit is set: a file that does not
    // is not a keyring at all (Go's openpgp says so in these words).
    if data.first().is_some_and(|b| b & 0x80 == 0) && !data.starts_with(b"-----BEGIN") {
        return Err(err(
            "failed to load keyring: openpgp: invalid data: tag byte does not have MSB set",
        ));
    }
    let mut keys: Vec<SignedPublicKey> = if data.starts_with(b"-----BEGIN") {
        SignedPublicKey::from_armor_many(std::io::Cursor::new(data))
            .map_err(err)?
            .0
            .filter_map(Result::ok)
            .collect()
    } else {
        SignedPublicKey::from_bytes_many(std::io::Cursor::new(data))
            .map_err(err)?
            .filter_map(Result::ok)
            .collect()
    };
    if keys.is_empty() {
        // A secret keyring verifies too (Helm's ReadKeyRing reads both).
        keys = read_secret_keys(data)?
            .into_iter()
            .map(|k| k.to_public_key())
            .collect();
    }
    Ok(keys)
}

/// Signs `archive` with the key whose user ID contains `key_name` from the secret `keyring`,
/// returning the `.prov` text. `passphrase` unlocks a protected key.
pub fn sign(
    archive: &Path,
    keyring: &Path,
    key_name: &str,
    passphrase: &str,
) -> Result<String, RepoError> {
    // Helm opens the keyring first: Go's `open PATH: …` when it cannot.
    let data = std::fs::read(keyring).map_err(|e| {
        err(format!(
            "open {}: {}",
            keyring.display(),
            crate::gocompat::os::go_io_error(&e)
        ))
    })?;
    let keys = read_secret_keys(&data)?;
    let key = keys
        .iter()
        .find(|k| user_ids(&k.details).iter().any(|u| u.contains(key_name)))
        .ok_or_else(|| {
            err(format!(
                "private key not found: no key named {key_name:?} in {}",
                keyring.display()
            ))
        })?;
    let text = message_block(archive)?;
    let pw = Password::from(passphrase);
    let msg = CleartextSignedMessage::sign(rand::thread_rng(), &text, &key.primary_key, &pw)
        .map_err(err)?;
    msg.to_armored_string(Default::default()).map_err(err)
}

/// What a successful verification established (Helm prints each).
#[derive(Debug, Clone)]
pub struct Verification {
    pub signed_by: String,
    pub fingerprint: String,
    pub file_hash: String,
}

/// Checks `prov` (a `.prov` text) against the public `keyring` and the archive at `archive`.
pub fn verify(archive: &Path, prov: &str, keyring: &Path) -> Result<Verification, RepoError> {
    // Helm opens the keyring first: Go's `open PATH: …` when it cannot.
    let data = std::fs::read(keyring).map_err(|e| {
        err(format!(
            "failed to load keyring: open {}: {}",
            keyring.display(),
            crate::gocompat::os::go_io_error(&e)
        ))
    })?;
    let digest = super::index::digest_file(archive)?;
    verify_signed(&base_name(archive), &digest, prov, &data)
}

/// [`verify`] on what it reads: the archive's file name and SHA-256 (hex), the `.prov` text and
/// the public keyring's bytes (binary or armored). Everything here comes from outside: the
/// provenance file and keyring are parsed without trusting either.
pub fn verify_signed(
    name: &str,
    archive_digest: &str,
    prov: &str,
    keyring: &[u8],
) -> Result<Verification, RepoError> {
    let keys = read_public_keys(keyring)?;
    let (msg, _) = CleartextSignedMessage::from_string(prov)
        .map_err(|e| err(format!("failed to decode signature: {e}")))?;
    let mut signer = None;
    for k in &keys {
        if msg.verify(&k.primary_key).is_ok()
            || k.public_subkeys.iter().any(|s| msg.verify(&s.key).is_ok())
        {
            signer = Some(k);
            break;
        }
    }
    let k = signer.ok_or_else(|| err("openpgp: signature made by unknown entity"))?;
    let text = msg.signed_text().replace("\r\n", "\n");
    let sums_text = text.split_once("\n...\n").map(|(_, s)| s).unwrap_or("");
    let sums = crate::values::yaml::from_str(sums_text).map_err(err)?;
    let want = sums
        .as_map()
        .and_then(|m| m.get("files"))
        .and_then(|f| f.as_map().and_then(|m| m.get(&name)))
        .and_then(|v| v.as_str().map(str::to_string))
        .ok_or_else(|| {
            err(format!(
                "provenance does not contain a SHA for a file named {name:?}"
            ))
        })?;
    let have = format!("sha256:{archive_digest}");
    if want != have {
        return Err(err(format!(
            "sha256 sum does not match for {name}: {want:?} != {have:?}"
        )));
    }
    Ok(Verification {
        signed_by: user_ids(&k.details).first().cloned().unwrap_or_default(),
        fingerprint: hex::encode_upper(k.primary_key.fingerprint().as_bytes()),
        file_hash: have,
    })
}
