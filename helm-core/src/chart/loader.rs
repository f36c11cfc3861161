//! From files to a [`Chart`]: Helm's `LoadDir`, `LoadArchive` and `LoadFiles`.
//!
//! Why in-memory files first: a directory and an archive end up as the same list of
//! `(path, bytes)` pairs, and Helm sorts them into the chart the same way for both; doing the
//! same keeps `.Files`, template order and subchart discovery identical between the two forms.

use super::archive::{self, MAX_DECOMPRESSED_FILE_SIZE};
use super::helmignore::Rules;
use super::metadata::{Lock, Metadata};
use super::{Chart, ChartError, File};
use crate::values::Value;
use std::path::Path;

/// Deepest directory nesting followed while walking a chart. Helm has no limit of its own: a
/// symlink loop ends with the system's `too many levels of symbolic links` (40 links in one
/// path) and real directories with its path length limit (~2,000 levels), both met long
/// before this; the walk recursion continues on fresh stack segments.
const MAX_WALK_DEPTH: usize = 10_000;

/// Loads a chart from a directory or a `.tgz` file (Helm's `loader.Load`).
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    let meta = std::fs::metadata(path).map_err(|_| {
        ChartError::Io(format!(
            "path {} not found",
            crate::gocompat::strconv::go_quote(&path.display().to_string())
        ))
    })?;
    if meta.is_dir() {
        check_dir_api_version(path)?;
        load_dir(path)
    } else {
        let data = std::fs::read(path).map_err(|e| {
            ChartError::Io(format!(
                "open {}: {}",
                path.display(),
                crate::gocompat::os::go_io_error(&e)
            ))
        })?;
        ensure_archive(&path.display().to_string(), &data)?;
        // Helm 4 first reads the archive to pick the chart API version; any failure there
        // (traversal, size limits, corrupt data, no files) surfaces as this one message.
        let files = archive::load_archive_files(&data)
            .map_err(|_| ChartError::Archive("unable to load chart archive".into()))?;
        load_files(files)
    }
}

/// Helm 4 picks the chart API (v2 for apiVersion v1/v2) from the directory's Chart.yaml before
/// loading; a Chart.yaml without `apiVersion`, or with `v3`, is refused there.
fn check_dir_api_version(dir: &Path) -> Result<(), ChartError> {
    let file = dir.join("Chart.yaml");
    let data = std::fs::read(&file).map_err(|e| {
        ChartError::Io(format!(
            "unable to detect chart at {}: open {}: {}",
            file.display(),
            file.display(),
            crate::gocompat::os::go_io_error(&e)
        ))
    })?;
    let text = crate::gocompat::gostring::utf8_lossy(&archive::trim_bom(data)).into_owned();
    // Parse errors are reported later with the full loader's wording.
    let Ok(doc) = parse_yaml("Chart.yaml", &text) else {
        return Ok(());
    };
    let api = doc.as_map().and_then(|m| m.get("apiVersion"));
    match api {
        None => Err(ChartError::ApiVersion("invalid chart apiVersion".into())),
        Some(Value::String(s)) if matches!(&*s, "" | "v1" | "v2") => Ok(()),
        Some(Value::Nil) => Ok(()),
        Some(Value::String(s)) if &*s == "v3" => {
            Err(ChartError::ApiVersion("invalid chart apiVersion".into()))
        }
        Some(_) => Err(ChartError::ApiVersion("unsupported chart version".into())),
    }
}

/// Helm's `EnsureArchive`: a friendly error when a non-gzip file is given as a chart.
fn ensure_archive(name: &str, data: &[u8]) -> Result<(), ChartError> {
    if archive::is_gzip(data) {
        return Ok(());
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Err(ChartError::Archive(format!(
            "file '{name}' seems to be a YAML file, but expected a gzipped archive"
        )));
    }
    Err(ChartError::Archive(format!(
        "file '{name}' does not appear to be a gzipped archive; got '{}'",
        sniff_content_type(data)
    )))
}

/// Go's `http.DetectContentType` on a zero-padded 512-byte buffer, reduced to the answers that
/// matter here: short files read as binary because of the padding.
fn sniff_content_type(data: &[u8]) -> &'static str {
    let head = &data[..data.len().min(512)];
    if head.starts_with(b"PK\x03\x04") {
        return "application/zip";
    }
    if head.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return "image/png";
    }
    let binary = data.len() < 512
        || head.iter().any(|&b| {
            b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
        });
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Loads a chart from a directory (Helm's `LoadDir`): `.helmignore` applies, files are walked in
/// sorted order following symlinks, and each file's BOM is stripped.
pub fn load_dir(dir: &Path) -> Result<Chart, ChartError> {
    let mut rules = Rules::empty();
    let ignore_file = dir.join(".helmignore");
    if ignore_file.is_file() {
        let text = std::fs::read(&ignore_file).map_err(|e| {
            ChartError::Io(format!(
                "open {}: {}",
                ignore_file.display(),
                crate::gocompat::os::go_io_error(&e)
            ))
        })?;
        rules = Rules::parse(&crate::gocompat::gostring::utf8_lossy(&text))?;
    }
    rules.add_defaults();
    // Two passes: list the files (directory order, .helmignore, symlinks), then read them on
    // two threads. Reading is most of a large chart's load (READMEs and CHANGELOGs included,
    // since `.Files` may ask for them); errors still surface in the walk's order.
    let mut entries = Vec::new();
    let walk_error = walk(dir, "", &rules, &mut entries, 0).err();
    let files = read_entries(&entries)?;
    if let Some(e) = walk_error {
        return Err(e);
    }
    load_files(files)
}

/// A file the walk found: its chart-relative name and its path.
struct Entry {
    name: String,
    path: std::path::PathBuf,
}

fn io_error(p: &Path, e: &std::io::Error) -> ChartError {
    ChartError::Io(format!(
        "open {}: {}",
        p.display(),
        crate::gocompat::os::go_io_error(e)
    ))
}

/// Lists the chart's files in Helm's walk order. Stops at the first error (returned after
/// the entries listed before it, which the caller still reads: an error reading one of those
/// came first in Helm's walk).
fn walk(
    dir: &Path,
    rel: &str,
    rules: &Rules,
    out: &mut Vec<Entry>,
    depth: usize,
) -> Result<(), ChartError> {
    if depth > MAX_WALK_DEPTH {
        return Err(ChartError::Io(format!(
            "{}: too many levels of symbolic links",
            dir.display()
        )));
    }
    let mut names: Vec<(String, Option<std::fs::FileType>)> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .filter_map(|e| e.ok())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.file_type().ok(),
            )
        })
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, file_type) in names {
        let full = dir.join(&name);
        let n = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        // The directory entry's type saves a stat per file; symlinks are followed.
        let (is_dir, is_file) = match file_type {
            Some(t) if t.is_dir() => (true, false),
            Some(t) if t.is_file() => (false, true),
            _ => match std::fs::metadata(&full) {
                Ok(m) => (m.is_dir(), m.is_file()),
                Err(e) => {
                    // A broken symlink: respect .helmignore before failing.
                    if rules.ignore(&n, false) {
                        continue;
                    }
                    return Err(ChartError::Io(format!(
                        "stat {}: {}",
                        full.display(),
                        crate::gocompat::os::go_io_error(&e)
                    )));
                }
            },
        };
        if is_dir {
            if rules.ignore(&n, true) {
                continue;
            }
            crate::values::deep::guard(|| walk(&full, &n, rules, out, depth + 1))?;
            continue;
        }
        if rules.ignore(&n, false) {
            continue;
        }
        if !is_file {
            return Err(ChartError::Io(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                full.display()
            )));
        }
        out.push(Entry {
            name: n,
            path: full,
        });
    }
    Ok(())
}

/// Reads one listed file: size limit, BOM stripped, modification time kept.
fn read_entry(e: &Entry) -> Result<File, ChartError> {
    use std::io::Read;
    let read_err = |err: &std::io::Error| {
        ChartError::Io(format!(
            "error reading {}: {}",
            e.name,
            crate::gocompat::os::go_io_error(err)
        ))
    };
    let mut f = std::fs::File::open(&e.path).map_err(|err| read_err(&err))?;
    let meta = f.metadata().map_err(|err| read_err(&err))?;
    if meta.len() > MAX_DECOMPRESSED_FILE_SIZE {
        let base = e.name.rsplit('/').next().unwrap_or(&e.name);
        return Err(ChartError::Io(format!(
            "chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
            crate::gocompat::strconv::go_quote(base)
        )));
    }
    let mut data = Vec::with_capacity(meta.len() as usize + 1);
    f.read_to_end(&mut data).map_err(|err| read_err(&err))?;
    Ok(File {
        name: e.name.clone(),
        data: archive::trim_bom(data).into(),
        modtime: meta.modified().ok(),
    })
}

/// Reads the listed files in order, on two threads when there is enough to read; the first
/// failure in list order wins.
fn read_entries(entries: &[Entry]) -> Result<Vec<File>, ChartError> {
    let read_all =
        |part: &[Entry]| -> Result<Vec<File>, ChartError> { part.iter().map(read_entry).collect() };
    if entries.len() < 32 {
        return read_all(entries);
    }
    // Split by count: most of the time is per file (open, stat, read), not per byte.
    let (a, b) = crate::halves::on_two_threads(entries, |_| 1, read_all);
    let mut files = a?;
    files.extend(b?);
    Ok(files)
}

/// Loads a chart from the bytes of a `.tgz` (Helm's `LoadArchive`).
pub fn load_archive_bytes(data: &[u8]) -> Result<Chart, ChartError> {
    let files = archive::load_archive_files(data)?;
    load_files(files)
}

/// Parses one YAML document as Helm reads chart files.
fn parse_yaml(file: &str, src: &str) -> Result<Value, ChartError> {
    crate::values::yaml::from_str(src).map_err(|e| ChartError::Yaml {
        file: file.to_string(),
        line: e.line,
        column: e.column,
        message: e.message,
    })
}

/// Helm's `LoadValues` for a chart's values.yaml: each YAML document must be a map (or
/// empty); documents are merged in order (maps merge, everything else replaces).
pub fn load_values(src: &str) -> Result<Value, ChartError> {
    crate::values::file::read_values(src).map_err(|e| match e {
        crate::values::file::ValuesError::Parse {
            line,
            column,
            message,
        } if line > 0 => ChartError::Yaml {
            file: "values.yaml".into(),
            line,
            column,
            message,
        },
        other => ChartError::Decode {
            file: "values.yaml".into(),
            message: other.to_string(),
        },
    })
}

/// Sorts in-memory files into a chart (Helm's `LoadFiles`), loading subcharts recursively.
pub fn load_files(files: Vec<File>) -> Result<Chart, ChartError> {
    load_files_depth(files, 0)
}

/// Subchart nesting deeper than this is refused. Helm has no limit (it renders a chart whose
/// `charts/` holds a chart of the same name a hundred levels down); this only stops archive
/// recursion bombs (a gzip quine), beyond what a directory tree can hold (the 4 KiB path
/// limit allows some 450 levels of `charts/x/`).
pub const MAX_CHART_DEPTH: usize = 1000;

fn load_files_depth(files: Vec<File>, depth: usize) -> Result<Chart, ChartError> {
    if depth > MAX_CHART_DEPTH {
        return Err(ChartError::Archive("chart nesting is too deep".into()));
    }
    let mut metadata: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            let md = metadata.get_or_insert_with(Metadata::default);
            let doc = parse_yaml(
                "Chart.yaml",
                &crate::gocompat::gostring::utf8_lossy(&f.data),
            )?;
            md.merge_from(&doc, "Chart.yaml")?;
            if md.api_version.is_empty() {
                md.api_version = "v1".into();
            }
        }
    }
    // The values files (normally one) are parsed on another thread while the rest of this
    // chart and its subcharts load: on charts with large values files that parse is most of
    // the load. Errors keep the sequential order: a values error wins over any error met at a
    // later file or after the loop.
    let values_files: Vec<(usize, std::sync::Arc<[u8]>)> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name == "values.yaml")
        .map(|(i, f)| (i, f.data.clone()))
        .collect();
    let parse_values =
        |list: &[(usize, std::sync::Arc<[u8]>)]| -> Result<Option<Value>, (usize, ChartError)> {
            let mut last = None;
            for (i, data) in list {
                last = Some(
                    load_values(&crate::gocompat::gostring::utf8_lossy(data))
                        .map_err(|e| (*i, e))?,
                );
            }
            Ok(last)
        };
    std::thread::scope(|s| {
        let big = values_files.iter().map(|(_, d)| d.len()).sum::<usize>() >= PARALLEL_VALUES_BYTES;
        let job = big.then(|| s.spawn(|| parse_values(&values_files)));
        let rest = load_files_rest(files, metadata, depth);
        let values = match job {
            Some(h) => h.join().unwrap_or_else(|_| parse_values(&values_files)),
            None => parse_values(&values_files),
        };
        match (values, rest) {
            (Err((i, e)), Err((at, _))) if i < at => Err(e),
            (Err((_, e)), Ok(_)) => Err(e),
            (_, Err((_, e))) => Err(e),
            (Ok(v), Ok(mut chart)) => {
                if let Some(v) = v {
                    chart.values = v;
                }
                Ok(chart)
            }
        }
    })
}

/// Values files at least this large are parsed on a thread of their own.
const PARALLEL_VALUES_BYTES: usize = 16 * 1024;

/// Everything of [`load_files_depth`] but the values: sorts the files into the chart and
/// loads the subcharts. An error comes with the index of the file it was met at
/// (`usize::MAX` after the loop over the files).
fn load_files_rest(
    files: Vec<File>,
    mut metadata: Option<Metadata>,
    depth: usize,
) -> Result<Chart, (usize, ChartError)> {
    let mut chart = Chart {
        metadata: Metadata::default(),
        lock: None,
        templates: Vec::new(),
        files: Vec::new(),
        values: Value::empty_map(),
        raw_values: None,
        schema: None,
        dependencies: Vec::new(),
        raw: files.clone(),
    };
    // Subchart name → its files (paths relative to charts/), in first-seen order.
    let mut subcharts: Vec<(String, Vec<File>)> = Vec::new();
    for (index, f) in files.into_iter().enumerate() {
        let at = |e: ChartError| (index, e);
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => {
                let doc = parse_yaml(
                    "Chart.lock",
                    &crate::gocompat::gostring::utf8_lossy(&f.data),
                )
                .map_err(at)?;
                chart.lock = Some(Lock::from_value(&doc, "Chart.lock").map_err(at)?);
            }
            "values.yaml" => chart.raw_values = Some(f.data.clone()),
            "values.schema.json" => chart.schema = Some(f.data.clone()),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                let doc = parse_yaml(
                    "requirements.yaml",
                    &crate::gocompat::gostring::utf8_lossy(&f.data),
                )
                .map_err(at)?;
                md.merge_from(&doc, "requirements.yaml").map_err(at)?;
                if md.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            "requirements.lock" => {
                let doc = parse_yaml(
                    "requirements.lock",
                    &crate::gocompat::gostring::utf8_lossy(&f.data),
                )
                .map_err(at)?;
                chart.lock = Some(Lock::from_value(&doc, "requirements.lock").map_err(at)?);
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            name if name.starts_with("templates/") => chart.templates.push(f),
            name if name.starts_with("charts/") => {
                if name.ends_with(".prov") && crate::gocompat::path::ext(name) == ".prov" {
                    chart.files.push(f);
                    continue;
                }
                let fname = &name["charts/".len()..];
                let cname = fname.split('/').next().unwrap_or("").to_string();
                let sub = File {
                    name: fname.to_string(),
                    data: f.data,
                    modtime: f.modtime,
                };
                match subcharts.iter_mut().find(|(n, _)| *n == cname) {
                    Some((_, v)) => v.push(sub),
                    None => subcharts.push((cname, vec![sub])),
                }
            }
            _ => chart.files.push(f),
        }
    }
    let Some(mut md) = metadata else {
        return Err((usize::MAX, ChartError::MissingChartYaml));
    };
    md.validate().map_err(|e| (usize::MAX, e))?;
    chart.metadata = md;

    subcharts.sort_by(|a, b| a.0.cmp(&b.0));
    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let wrap = |e: ChartError| ChartError::Subchart {
            subchart: n.clone(),
            parent: chart.metadata.name.clone(),
            source: Box::new(e),
        };
        let sub = if crate::gocompat::path::ext(&n) == ".tgz" {
            let Some(file) = files.first() else { continue };
            if file.name != n {
                return Err((
                    usize::MAX,
                    ChartError::Archive(format!(
                        "error unpacking subchart tar in {}: expected {}, got {}",
                        chart.metadata.name, n, file.name
                    )),
                ));
            }
            archive::load_archive_files(&file.data)
                .and_then(|fs| crate::values::deep::guard(|| load_files_depth(fs, depth + 1)))
                .map_err(|e| (usize::MAX, wrap(e)))?
        } else {
            let buff: Vec<File> = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| File {
                        name: rest.to_string(),
                        data: f.data,
                        modtime: f.modtime,
                    })
                })
                .collect();
            crate::values::deep::guard(|| load_files_depth(buff, depth + 1))
                .map_err(|e| (usize::MAX, wrap(e)))?
        };
        chart.dependencies.push(sub);
    }
    Ok(chart)
}
