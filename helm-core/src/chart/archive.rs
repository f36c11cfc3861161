//! Reading a chart archive (`.tgz`) into memory, with Helm's safety checks.
//!
//! Why the checks: chart archives come from repositories and registries; Helm refuses absolute
//! paths, `..` escapes, Windows drive paths, a Chart.yaml outside the top directory, and
//! decompression bombs (5 MiB per file, 100 MiB in all). The top directory name (`mychart/`) is
//! dropped, a UTF-8 BOM is stripped from each file, and error texts are Helm's.

use super::{ChartError, File};
use std::io::Read;

/// Helm's `MaxDecompressedChartSize`: all files together (100 MiB).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize`: any one file (5 MiB).
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Strips a leading UTF-8 byte order mark.
pub fn trim_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..UTF8_BOM.len());
    }
    data
}

fn archive_err(m: impl Into<String>) -> ChartError {
    ChartError::Archive(m.into())
}

/// Whether the first bytes look like gzip (Go's content sniffing for `application/x-gzip`).
pub fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b, 0x08])
}

/// Reads a gzipped tar into chart files (Helm's `LoadArchiveFiles`).
pub fn load_archive_files(data: &[u8]) -> Result<Vec<File>, ChartError> {
    let gz = flate2::read::GzDecoder::new(data);
    if gz.header().is_none() {
        return Err(archive_err(if data.len() < 10 {
            "unexpected EOF"
        } else {
            "gzip: invalid header"
        }));
    }
    let mut tar = tar::Archive::new(gz);
    let entries = tar.entries().map_err(|e| archive_err(tar_error_text(&e)))?;
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE as i64;
    for entry in entries {
        let mut entry = entry.map_err(|e| archive_err(tar_error_text(&e)))?;
        let header = entry.header();
        let kind = header.entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if kind.is_gnu_longname() || kind.is_gnu_longlink() {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        // A tar name ending in `/` is a directory in Go's FileInfo even with a regular type flag.
        if raw_name.ends_with('/') {
            continue;
        }
        let delimiter = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delimiter).collect();
        let rest = parts.get(1..).unwrap_or(&[]).join(&delimiter.to_string());
        let n = rest.replace(delimiter, "/");
        if n.starts_with('/') {
            return Err(archive_err("chart illegally contains absolute paths"));
        }
        let n = crate::gocompat::path::clean(&n);
        if n == "." {
            return Err(archive_err(format!(
                "chart illegally contains content outside the base directory: {}",
                crate::gocompat::strconv::go_quote(&raw_name)
            )));
        }
        if n.starts_with("..") {
            return Err(archive_err("chart illegally references parent directory"));
        }
        let b = n.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
            return Err(archive_err("chart contains illegally named files"));
        }
        if parts.first() == Some(&"Chart.yaml") {
            return Err(archive_err("chart yaml not in base directory"));
        }
        let size = entry.header().size().unwrap_or(0) as i64;
        let mtime = entry.header().mtime().ok();
        if size > remaining {
            return Err(archive_err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE as i64 {
            return Err(archive_err(format!(
                "decompressed chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                crate::gocompat::strconv::go_quote(&raw_name)
            )));
        }
        let mut buf = Vec::with_capacity(size.clamp(0, 1 << 20) as usize);
        let read = (&mut entry)
            .take(remaining.max(0) as u64)
            .read_to_end(&mut buf)
            .map_err(|e| archive_err(tar_error_text(&e)))? as i64;
        remaining -= read;
        if read < size || remaining <= 0 {
            return Err(archive_err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        let modtime = mtime.map(|s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s));
        files.push(File {
            name: n,
            data: trim_bom(buf).into(),
            modtime,
        });
    }
    if files.is_empty() {
        return Err(archive_err("no files in chart archive"));
    }
    Ok(files)
}

fn tar_error_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "unexpected EOF".into(),
        _ => {
            let s = e.to_string();
            if s.contains("invalid gzip header") || s.contains("corrupt deflate") {
                "gzip: invalid header".into()
            } else {
                s
            }
        }
    }
}
