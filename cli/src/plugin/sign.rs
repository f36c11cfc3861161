//! Plugin tarballs and their provenance: `plugin package` (a tarball of the directory under the
//! plugin's name, signed unless `--sign=false`), and the signature checks of `plugin verify`
//! and `plugin install` (Helm's provenance format, shared with charts: the signed text is the
//! plugin's metadata, `...`, then the tarball's SHA-256 under `files:`).
//!
//! The tarball's bytes differ from Helm's (Go's gzip compresses differently), its entries do
//! not; signatures differ by nature (a signature has a time and randomness). A tarball signed by
//! one verifies with the other, which is what matters.

use super::loader::Plugin;
use super::metadata::{PlatformCommand, TypeConfig};
use super::PluginError;
use helm_core::values::{Map, Value};
use pgp::composed::{CleartextSignedMessage, Deserializable, SignedSecretKey};
use pgp::types::Password;
use std::path::Path;

fn msg(e: impl std::fmt::Display) -> PluginError {
    PluginError::Message(e.to_string())
}

/// A gzipped tarball of `dir` with every entry under `name/` (Helm's `CreatePluginTarball`:
/// the directory walked in name order, modes kept, symbolic links as links).
pub fn tarball(dir: &Path, name: &str) -> Result<Vec<u8>, PluginError> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.follow_symlinks(false);
    fn walk(
        tar: &mut tar::Builder<flate2::write::GzEncoder<Vec<u8>>>,
        dir: &Path,
        rel: &Path,
    ) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let name = rel.join(e.file_name());
            let ft = e.file_type()?;
            if ft.is_dir() {
                tar.append_dir(&name, &path)?;
                walk(tar, &path, &name)?;
            } else {
                tar.append_path_with_name(&path, &name)?;
            }
        }
        Ok(())
    }
    tar.append_dir(name, dir).map_err(msg)?;
    walk(&mut tar, dir, Path::new(name)).map_err(msg)?;
    let gz = tar.into_inner().map_err(msg)?;
    gz.finish().map_err(msg)
}

fn commands(cmds: &[PlatformCommand]) -> Value {
    if cmds.is_empty() {
        return Value::Nil;
    }
    Value::list(
        cmds.iter()
            .map(|c| {
                let m = Map::new();
                m.insert("OperatingSystem", Value::str(&c.os));
                m.insert("Architecture", Value::str(&c.arch));
                m.insert("Command", Value::str(&c.command));
                m.insert("Args", strings(&c.args));
                Value::Map(m)
            })
            .collect(),
    )
}

fn strings(v: &[String]) -> Value {
    if v.is_empty() {
        Value::Nil
    } else {
        Value::list(v.iter().map(Value::str).collect())
    }
}

/// The plugin's metadata as Helm signs it (`sigs.k8s.io/yaml` of its Go struct, whose fields
/// have no JSON names).
fn metadata_yaml(p: &Plugin) -> Result<String, PluginError> {
    let m = &p.metadata;
    let md = Map::new();
    md.insert("APIVersion", Value::str(&m.api_version));
    md.insert("Name", Value::str(&m.name));
    md.insert("Type", Value::str(&m.kind));
    md.insert("Runtime", Value::str(&m.runtime));
    md.insert("Version", Value::str(&m.version));
    md.insert("SourceURL", Value::str(&m.source_url));
    let config = Map::new();
    match &m.config {
        TypeConfig::Cli {
            usage,
            short_help,
            long_help,
            ignore_flags,
        } => {
            config.insert("Usage", Value::str(usage));
            config.insert("ShortHelp", Value::str(short_help));
            config.insert("LongHelp", Value::str(long_help));
            config.insert("IgnoreFlags", Value::Bool(*ignore_flags));
        }
        TypeConfig::Getter { protocols } => {
            config.insert("Protocols", strings(protocols));
        }
        TypeConfig::PostRenderer | TypeConfig::Test => {}
    }
    md.insert("Config", Value::Map(config));
    let rc = match &m.subprocess {
        Some(s) => {
            let rc = Map::new();
            rc.insert("PlatformCommand", commands(&s.platform_command));
            rc.insert(
                "PlatformHooks",
                if s.platform_hooks.is_empty() {
                    Value::Nil
                } else {
                    let h = Map::new();
                    for (event, cmds) in &s.platform_hooks {
                        h.insert(event.as_str(), commands(cmds));
                    }
                    Value::Map(h)
                },
            );
            rc.insert(
                "ProtocolCommands",
                if s.protocol_commands.is_empty() {
                    Value::Nil
                } else {
                    Value::list(
                        s.protocol_commands
                            .iter()
                            .map(|pc| {
                                let x = Map::new();
                                x.insert("Protocols", strings(&pc.protocols));
                                x.insert("PlatformCommand", commands(&pc.platform_command));
                                Value::Map(x)
                            })
                            .collect(),
                    )
                },
            );
            Value::Map(rc)
        }
        None => Value::empty_map(),
    };
    md.insert("RuntimeConfig", rc);
    helm_core::values::yaml::to_string(&Value::Map(md)).map_err(msg)
}

/// Helm's `NewFromKeyring` + `DecryptKey` + `ClearSign` for a plugin tarball: the `.prov`
/// text.
pub fn sign(
    p: &Plugin,
    archive: &[u8],
    filename: &str,
    keyring: &str,
    key: &str,
    passphrase: Option<&str>,
) -> Result<String, PluginError> {
    let data = std::fs::read(keyring).map_err(|e| {
        msg(format!(
            "error reading from keyring: open {keyring}: {}",
            helm_core::gocompat::os::go_io_error(&e)
        ))
    })?;
    let keys: Vec<SignedSecretKey> = if data.starts_with(b"-----BEGIN") {
        SignedSecretKey::from_armor_many(std::io::Cursor::new(&data))
            .map(|(keys, _)| keys.filter_map(Result::ok).collect())
            .unwrap_or_default()
    } else {
        SignedSecretKey::from_bytes_many(std::io::Cursor::new(&data))
            .map(|keys| keys.filter_map(Result::ok).collect())
            .unwrap_or_default()
    };
    let ids = |k: &SignedSecretKey| -> Vec<String> {
        k.details
            .users
            .iter()
            .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
            .collect()
    };
    let exact = keys.iter().find(|k| ids(k).iter().any(|u| u == key));
    let candidates: Vec<&SignedSecretKey> = keys
        .iter()
        .filter(|k| !key.is_empty() && ids(k).iter().any(|u| u.contains(key)))
        .collect();
    let chosen = match (exact, candidates.as_slice()) {
        (Some(k), _) => k,
        (None, [k]) => *k,
        (None, [_, _, ..]) => {
            return Err(msg(format!(
                "error reading from keyring: more than one key contain the id {key:?}"
            )))
        }
        (None, []) => {
            return Err(msg(
                if keys.is_empty() && !data.is_empty() && !key.is_empty() {
                    "provided key is not a private key. Try providing a keyring with secret keys"
                } else {
                    "private key not found"
                },
            ))
        }
    };
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(archive))
    };
    let files = Map::new();
    files.insert(filename, Value::str(format!("sha256:{digest}")));
    let sums = Map::new();
    sums.insert("files", Value::Map(files));
    let sums = helm_core::values::yaml::to_string(&Value::Map(sums)).map_err(msg)?;
    let text = format!("{}\n...\n{sums}", metadata_yaml(p)?);
    let pw = Password::from(passphrase.unwrap_or(""));
    let signed = CleartextSignedMessage::sign(rand::thread_rng(), &text, &chosen.primary_key, &pw)
        .map_err(|e| msg(format!("failed to sign plugin: {e}")))?;
    signed.to_armored_string(Default::default()).map_err(msg)
}

/// What a verified tarball was signed by (Helm prints each).
pub fn verify(
    archive: &Path,
    prov: &str,
    keyring: &str,
) -> Result<helm_core::repo::provenance::Verification, PluginError> {
    if let Err(e) = std::fs::metadata(keyring) {
        return Err(msg(format!(
            "open {keyring}: {}",
            helm_core::gocompat::os::go_io_error(&e)
        )));
    }
    helm_core::repo::provenance::verify(archive, prov, Path::new(keyring)).map_err(msg)
}
