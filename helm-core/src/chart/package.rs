//! `helm package`: save a chart as `NAME-VERSION.tgz`, laid out as Helm's `chartutil.Save` does.
//!
//! What Helm 4.1.4 writes (checked with the reference binary), and what we do:
//! - entries in this order: `NAME/Chart.yaml` (re-serialized from the metadata: keys sorted,
//!   comments gone, `dependencies` dropped for apiVersion v1 charts), `NAME/Chart.lock` (v2 charts
//!   with a lock, re-serialized), `NAME/values.yaml` (raw bytes), `NAME/values.schema.json`,
//!   the templates, every other file, then each subchart under `NAME/charts/SUB/` (a subchart
//!   that was a `.tgz` is written expanded, as Helm does);
//! - USTAR headers: mode 0644, uid/gid 0, no user/group names, only regular files (no directory
//!   entries), each file's modification time rounded to the nearest second (Helm 4 keeps the
//!   files' mtimes, so packaging the same unchanged directory twice gives identical bytes;
//!   `Chart.lock` carries the lock's `generated` time instead); two
//!   zero blocks at the end and no padding to a 10 KiB record;
//! - gzip with header mtime 0, OS byte 255, Helm's extra field
//!   (`+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=`) and comment `Helm`, compressed by our port
//!   of Go's `compress/flate` at its default level ([`crate::gocompat::flate`]) with the tar
//!   stream written in the pieces Go's `archive/tar` writes, so the `.tgz` bytes (and their
//!   SHA-256, the OCI layer digest) are the ones Helm writes for the same files and mtimes.
//!
//! Differences from Helm: a `.tgz` subchart's entries take their mtimes from the archive whose
//! top directory is the subchart's name (Helm keeps the loaded files' times, whatever the
//! archive is called); names that do
//! not fit a USTAR header (over 256 bytes, or non-ASCII) are refused instead of written as PAX.
//! Our output is deterministic for the same inputs (same files, same mtimes).

use super::{Chart, ChartError, Lock, Metadata};
use crate::gocompat::flate::{GzipHeader, GzipWriter, DEFAULT_COMPRESSION};
use crate::values::{Map, Value};
use std::fs;
use std::path::{Path, PathBuf};

/// Helm's gzip extra field (its `headerBytes`).
const GZIP_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

/// Why packaging failed; Display is Helm's message.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("invalid semantic version")]
    InvalidVersion,
    #[error("chart validation: {0}")]
    Validation(String),
    #[error("is not a directory: {0}")]
    NotADirectory(String),
    #[error("invalid JSON in values.schema.json")]
    InvalidSchema,
    #[error("file name too long for a tar header: {0}")]
    NameTooLong(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// `helm package` options.
#[derive(Clone, Debug, Default)]
pub struct PackageOptions {
    /// `--version`: replaces Chart.yaml's version (must be SemVer).
    pub version: Option<String>,
    /// `--app-version`: replaces Chart.yaml's appVersion.
    pub app_version: Option<String>,
    /// `-d/--destination`: the directory to write to (made if missing).
    pub destination: PathBuf,
}

/// One entry of the archive: path inside it, bytes, modification time (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
    pub mtime: u64,
}

/// Helm's `action.Package.Run` for a chart directory: load, apply `--version`/`--app-version`,
/// check dependencies, save. Returns the written path (`DEST/NAME-VERSION.tgz`).
pub fn package_dir(dir: &Path, opts: &PackageOptions) -> Result<PathBuf, PackageError> {
    let mut chart = super::load_dir(dir)?;
    if let Some(v) = &opts.version {
        chart.metadata.version = v.clone();
    }
    if !super::metadata::is_valid_semver(&chart.metadata.version) {
        return Err(PackageError::InvalidVersion);
    }
    if let Some(v) = &opts.app_version {
        chart.metadata.app_version = v.clone();
    }
    chart.check_dependencies()?;
    let entries = entries(&chart, dir)?;
    save_entries(&chart, &entries, &opts.destination)
}

/// Helm's `chartutil.Save` of a loaded chart directory, without `package`'s dependency check:
/// what `helm dependency build` does with a `file://` dependency. A dependency that lists its
/// parent (a cycle) is packaged as it is, as Helm does.
pub fn save_dir(chart: &Chart, dir: &Path, dest: &Path) -> Result<PathBuf, PackageError> {
    let entries = entries(chart, dir)?;
    save_entries(chart, &entries, dest)
}

/// Writes `entries` as `DEST/NAME-VERSION.tgz` (Helm's `chartutil.Save` file handling).
pub fn save_entries(
    chart: &Chart,
    entries: &[Entry],
    dest: &Path,
) -> Result<PathBuf, PackageError> {
    let mut md = chart.metadata.clone();
    md.validate()
        .map_err(|e| PackageError::Validation(e.to_string()))?;
    let file = dest.join(format!("{}-{}.tgz", md.name, md.version));
    match fs::metadata(dest) {
        Err(_) => fs::create_dir_all(dest).map_err(|source| io_err(dest, source))?,
        Ok(m) if !m.is_dir() => {
            return Err(PackageError::NotADirectory(dest.display().to_string()))
        }
        Ok(_) => {}
    }
    let bytes = tgz(entries)?;
    fs::write(&file, bytes).map_err(|source| io_err(&file, source))?;
    Ok(file)
}

fn io_err(p: &Path, source: std::io::Error) -> PackageError {
    PackageError::Io {
        path: p.display().to_string(),
        source,
    }
}

/// Where modification times come from: the chart directory on disk, or the tar headers of a
/// subchart archive in `charts/` (Helm keeps the archive's mtimes when it re-packs a `.tgz`
/// subchart as a directory).
enum Times {
    Dir(PathBuf),
    /// Header mtimes keyed by path inside the chart, and the time for paths not found.
    Archive(std::collections::HashMap<String, u64>, u64),
}

impl Times {
    fn of(&self, name: &str) -> u64 {
        match self {
            Times::Dir(dir) => mtime_of(dir, name),
            Times::Archive(map, fallback) => map.get(name).copied().unwrap_or(*fallback),
        }
    }

    /// The times for subchart `sub` of the chart these times belong to.
    fn sub(&self, sub: &str) -> Times {
        match self {
            Times::Dir(dir) => {
                let sub_dir = dir.join("charts").join(sub);
                if sub_dir.is_dir() {
                    return Times::Dir(sub_dir);
                }
                archive_times(&dir.join("charts"), sub)
                    .unwrap_or_else(|| Times::Dir(dir.join("charts")))
            }
            Times::Archive(map, fallback) => {
                let prefix = format!("charts/{sub}/");
                let inner: std::collections::HashMap<String, u64> = map
                    .iter()
                    .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|rest| (rest.to_string(), *v)))
                    .collect();
                Times::Archive(inner, *fallback)
            }
        }
    }
}

/// The header mtimes of the `.tgz` in `charts_dir` whose top directory is `sub`.
fn archive_times(charts_dir: &Path, sub: &str) -> Option<Times> {
    let mut names: Vec<PathBuf> = fs::read_dir(charts_dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
        .collect();
    names.sort();
    for path in names {
        let Ok(file) = fs::File::open(&path) else {
            continue;
        };
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let Ok(entries) = archive.entries() else {
            continue;
        };
        let mut map = std::collections::HashMap::new();
        let mut top_ok = true;
        for entry in entries.flatten() {
            let Ok(p) = entry.path() else { continue };
            let p = p.to_string_lossy().into_owned();
            let (top, rest) = p.split_once('/').unwrap_or((p.as_str(), ""));
            if top != sub {
                top_ok = false;
                break;
            }
            map.insert(rest.to_string(), entry.header().mtime().unwrap_or(0));
        }
        if top_ok && !map.is_empty() {
            return Some(Times::Archive(map, mtime_of(&path, "")));
        }
    }
    None
}

/// The archive entries of `chart` loaded from directory `dir`, in Helm's order. Modification
/// times are read from the files under `dir`; for a subchart from a `.tgz` in `charts/`, from
/// that archive's headers.
pub fn entries(chart: &Chart, dir: &Path) -> Result<Vec<Entry>, PackageError> {
    let mut out = Vec::new();
    collect(
        chart,
        &Times::Dir(dir.to_path_buf()),
        &chart.metadata.name,
        &mut out,
    )?;
    Ok(out)
}

fn collect(
    chart: &Chart,
    times: &Times,
    base: &str,
    out: &mut Vec<Entry>,
) -> Result<(), PackageError> {
    let mtime = |name: &str| times.of(name);
    out.push(Entry {
        name: format!("{base}/Chart.yaml"),
        data: chart_yaml(&chart.metadata)?,
        mtime: mtime("Chart.yaml"),
    });
    if chart.metadata.api_version == "v2" {
        if let Some(lock) = &chart.lock {
            out.push(Entry {
                name: format!("{base}/Chart.lock"),
                data: lock_yaml(lock)?,
                mtime: lock_mtime(lock),
            });
        }
    }
    if let Some(f) = chart.raw.iter().find(|f| f.name == "values.yaml") {
        out.push(Entry {
            name: format!("{base}/values.yaml"),
            data: f.data.to_vec(),
            mtime: mtime("values.yaml"),
        });
    }
    if let Some(schema) = &chart.schema {
        if serde_json::from_slice::<serde_json::Value>(schema).is_err() {
            return Err(PackageError::InvalidSchema);
        }
        out.push(Entry {
            name: format!("{base}/values.schema.json"),
            data: schema.to_vec(),
            mtime: mtime("values.schema.json"),
        });
    }
    for f in chart.templates.iter().chain(chart.files.iter()) {
        out.push(Entry {
            name: format!("{base}/{}", f.name),
            data: f.data.to_vec(),
            mtime: mtime(&f.name),
        });
    }
    for dep in &chart.dependencies {
        let sub_base = format!("{base}/charts/{}", dep.metadata.name);
        collect(dep, &times.sub(&dep.metadata.name), &sub_base, out)?;
    }
    Ok(())
}

/// Chart.lock's header time: Helm stamps it with the lock's `generated` time, not the file's,
/// rounded to the nearest second as Go's tar writer does; without a time, the current one (Helm's
/// zero time falls back to `time.Now()`).
fn lock_mtime(lock: &Lock) -> u64 {
    use crate::gocompat::time::{parse_in_location, Location, Time};
    let t = parse_in_location(
        "2006-01-02T15:04:05Z07:00",
        &lock.generated,
        Location::utc(),
    )
    .ok()
    .filter(|t| !t.is_zero())
    .unwrap_or_else(Time::now);
    let secs = t.unix + i64::from(t.nsec >= 500_000_000);
    u64::try_from(secs).unwrap_or(0)
}

/// The file's mtime in Unix seconds rounded to the nearest second (Go's tar writer rounds when
/// the format is left to it); walks up to the nearest existing path when the file is not on
/// disk; 0 when nothing can be stat'ed.
fn mtime_of(dir: &Path, name: &str) -> u64 {
    let mut p = if name.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(name)
    };
    loop {
        if let Ok(t) = fs::symlink_metadata(&p).and_then(|m| m.modified()) {
            if let Ok(d) = t.duration_since(std::time::UNIX_EPOCH) {
                return d.as_secs() + u64::from(d.subsec_nanos() >= 500_000_000);
            }
            return 0;
        }
        if !p.pop() {
            return 0;
        }
    }
}

/// Chart.yaml as Helm saves it: `yaml.Marshal(metadata)`, without `dependencies` for v1 charts.
pub fn chart_yaml(md: &Metadata) -> Result<Vec<u8>, PackageError> {
    let mut md = md.clone();
    if md.api_version == "v1" {
        md.dependencies.clear();
    }
    to_yaml(&md.to_json_value(), "Chart.yaml")
}

/// Chart.lock as Helm saves it: `yaml.Marshal(lock)` (keys `dependencies`, `digest`, `generated`).
pub fn lock_yaml(lock: &Lock) -> Result<Vec<u8>, PackageError> {
    let m = Map::new();
    // Reuse the metadata's JSON form of dependencies (same Go struct and tags).
    let md = Metadata {
        dependencies: lock.dependencies.clone(),
        ..Metadata::default()
    };
    let deps = match md.to_json_value() {
        Value::Map(mm) => mm.get("dependencies").unwrap_or(Value::Nil),
        _ => Value::Nil,
    };
    m.insert("dependencies", deps);
    m.insert("digest", Value::str(&lock.digest));
    m.insert("generated", Value::str(&lock.generated));
    to_yaml(&Value::Map(m), "Chart.lock")
}

fn to_yaml(v: &Value, file: &str) -> Result<Vec<u8>, PackageError> {
    crate::values::yaml::to_string(v)
        .map(String::into_bytes)
        .map_err(|e| {
            PackageError::Chart(ChartError::Yaml {
                file: file.into(),
                line: e.line,
                column: e.column,
                message: e.to_string(),
            })
        })
}

/// The gzip-compressed tar of `entries`, as described in the module docs: Go's compressor at
/// its default level, fed the same writes Go's `archive/tar` makes, so the bytes are Helm's.
pub fn tgz(entries: &[Entry]) -> Result<Vec<u8>, PackageError> {
    let header = GzipHeader {
        extra: Some(GZIP_EXTRA.to_vec()),
        comment: "Helm".into(),
        ..GzipHeader::default()
    };
    let mut gz = GzipWriter::new(DEFAULT_COMPRESSION, &header).map_err(|e| PackageError::Io {
        path: "gzip".into(),
        source: std::io::Error::other(e),
    })?;
    write_tar(entries, |b| gz.write(b))?;
    Ok(gz.finish())
}

/// The uncompressed tar stream (Go's `archive/tar` USTAR headers).
pub fn tar_bytes(entries: &[Entry]) -> Result<Vec<u8>, PackageError> {
    let mut out = Vec::new();
    write_tar(entries, |b| out.extend_from_slice(b))?;
    Ok(out)
}

/// Writes the tar stream in the pieces Go's `tar.Writer` writes: per entry the previous
/// entry's padding, the 512-byte header, the data; then the last padding and two zero blocks.
fn write_tar(entries: &[Entry], mut write: impl FnMut(&[u8])) -> Result<(), PackageError> {
    const ZERO_BLOCK: [u8; 512] = [0; 512];
    let mut pad = 0;
    for e in entries {
        let header = ustar_header(e)?;
        write(&ZERO_BLOCK[..pad]);
        write(&header);
        write(&e.data);
        pad = (512 - e.data.len() % 512) % 512;
    }
    write(&ZERO_BLOCK[..pad]);
    write(&ZERO_BLOCK);
    write(&ZERO_BLOCK);
    Ok(())
}

/// Go's `splitUSTARPath`: a name over 100 bytes is split at a `/` into prefix (≤155) and name.
fn split_name(name: &str) -> Option<(&str, &str)> {
    if name.len() <= 100 {
        return Some(("", name));
    }
    if name.len() > 256 {
        return None;
    }
    let limit = name.len().min(156);
    let i = name
        .as_bytes()
        .get(..limit)?
        .iter()
        .rposition(|b| *b == b'/')?;
    let (prefix, suffix) = (name.get(..i)?, name.get(i + 1..)?);
    if i == 0 || suffix.is_empty() || suffix.len() > 100 {
        return None;
    }
    Some((prefix, suffix))
}

fn octal(field: &mut [u8], v: u64) {
    // Go writes width-1 zero-padded octal digits then a NUL.
    let width = field.len() - 1;
    let s = format!("{v:0width$o}");
    let bytes = s.as_bytes();
    let start = bytes.len().saturating_sub(width);
    field[..width].copy_from_slice(&bytes[start..]);
    field[width] = 0;
}

fn ustar_header(e: &Entry) -> Result<[u8; 512], PackageError> {
    if !e.name.is_ascii() {
        return Err(PackageError::NameTooLong(e.name.clone()));
    }
    let (prefix, name) =
        split_name(&e.name).ok_or_else(|| PackageError::NameTooLong(e.name.clone()))?;
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], e.data.len() as u64);
    octal(&mut h[136..148], e.mtime);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], 0);
    octal(&mut h[337..345], 0);
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    // Checksum: sum of the header with the checksum field as spaces; written as 6 octal digits,
    // NUL, space.
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
    let s = format!("{:06o}", sum & 0o777777);
    h[148..154].copy_from_slice(s.as_bytes());
    h[154] = 0;
    h[155] = b' ';
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_go_archive_tar() {
        // Header bytes of `mychart/Chart.yaml` (121 bytes, mtime 1609556645) in an archive made
        // by Helm 4.1.4's `helm package`.
        let e = Entry {
            name: "mychart/Chart.yaml".into(),
            data: vec![b'x'; 121],
            mtime: 1609556645,
        };
        let h = ustar_header(&e).unwrap();
        assert_eq!(
            &h[100..157],
            b"0000644\x000000000\x000000000\x0000000000171\x0013773761245\x00012656\x00 0"
        );
        assert_eq!(&h[257..265], b"ustar\x0000");
        assert_eq!(&h[329..345], b"0000000\x000000000\x00");
    }

    #[test]
    fn long_names_split_like_go() {
        let long = format!("{}/{}", "a".repeat(120), "b".repeat(20));
        assert_eq!(split_name(&long), Some((&long[..120], &long[121..])));
        assert_eq!(split_name(&"a".repeat(101)), None);
    }
}
