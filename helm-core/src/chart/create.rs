//! `helm create`: write Helm 4.1.4's chart scaffold.
//!
//! Why byte-identical texts: users diff a freshly created chart against Helm's, CI pipelines run
//! `helm create` then `helm lint`/`helm template` and compare, and the scaffold's templates are the
//! most-rendered chart there is. The texts live in `scaffold/` with the placeholder
//! `<CHARTNAME>`, which Helm replaces by the chart name (the last path element) in every file.
//!
//! Helm's rules mirrored here (pkg/chart/v2/util/create.go):
//! - the name must match `^[a-zA-Z0-9._-]+$` and be 1..=250 characters long;
//! - the parent directory must already exist (Helm reports the `stat` error);
//! - an existing non-directory at the chart path is refused;
//! - existing files are overwritten, each announced by a `WARNING: File "PATH" already exists.
//!   Overwriting.` line (Helm prints these on standard output);
//! - files are written in Helm's order, then an empty `charts/` directory is made.
//!
//! With `--starter` (Helm's `CreateFrom`), the starter chart is loaded as any chart (its
//! `.helmignore` applies) and saved under the new name: Chart.yaml is replaced by the
//! scaffold's metadata (name, description, type, versions — nothing of the starter's), the
//! placeholder is replaced in the templates and values.yaml only (other files are copied as
//! they are), missing parent directories are made, and existing files are overwritten without
//! warnings. Subcharts of the starter are written to `charts/` as archives.

use crate::gocompat::strconv::go_quote;
use std::fs;
use std::path::{Path, PathBuf};

/// The placeholder Helm replaces with the chart name.
pub const CHARTNAME_PLACEHOLDER: &str = "<CHARTNAME>";

/// A file of the scaffold's `templates/`, kept as `scaffold/FILE`: its path in the chart and text.
macro_rules! template {
    ($file:literal) => {
        (
            concat!("templates/", $file),
            include_str!(concat!("scaffold/", $file)),
        )
    };
}

/// The scaffold: each file's path inside the chart and its text (with `<CHARTNAME>`), in the
/// order Helm writes them.
pub const SCAFFOLD: &[(&str, &str)] = &[
    ("Chart.yaml", include_str!("scaffold/Chart.yaml")),
    ("values.yaml", include_str!("scaffold/values.yaml")),
    (".helmignore", include_str!("scaffold/helmignore")),
    template!("ingress.yaml"),
    template!("httproute.yaml"),
    template!("deployment.yaml"),
    template!("service.yaml"),
    template!("serviceaccount.yaml"),
    template!("hpa.yaml"),
    template!("NOTES.txt"),
    template!("_helpers.tpl"),
    (
        "templates/tests/test-connection.yaml",
        include_str!("scaffold/tests_test-connection.yaml"),
    ),
];

/// The longest chart name Helm accepts.
pub const MAX_CHART_NAME_LEN: usize = 250;

/// Why `create` failed; Display is Helm's message.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("chart name must be between 1 and {MAX_CHART_NAME_LEN} characters")]
    NameLength,
    #[error("chart name must match the regular expression \"^[a-zA-Z0-9._-]+$\"")]
    NameChars,
    #[error("stat {path}: no such file or directory")]
    NoParent { path: String },
    #[error("no such directory {path}")]
    ParentNotDir { path: String },
    #[error("file {path} already exists and is not a directory")]
    NotADirectory { path: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The starter chart does not load (`could not load PATH: stat PATH: no such file or
    /// directory`).
    #[error("could not load {path}: {source}")]
    StarterLoad {
        path: String,
        source: super::ChartError,
    },
    /// Chart.yaml or a subchart (`NAME/charts/SUB`) of the starter could not be saved.
    #[error("saving {what}: {source}")]
    Save {
        what: String,
        source: super::package::PackageError,
    },
}

/// Helm's `validateChartName`.
pub fn validate_chart_name(name: &str) -> Result<(), CreateError> {
    if name.is_empty() || name.len() > MAX_CHART_NAME_LEN {
        return Err(CreateError::NameLength);
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(CreateError::NameChars);
    }
    Ok(())
}

/// The scaffold's files for a chart called `name` (placeholder replaced), in Helm's order.
pub fn scaffold_files(name: &str) -> Vec<(&'static str, String)> {
    SCAFFOLD
        .iter()
        .map(|(path, text)| (*path, text.replace(CHARTNAME_PLACEHOLDER, name)))
        .collect()
}

/// What [`create`] did: the chart directory and the warnings Helm would print.
#[derive(Debug, Default)]
pub struct Created {
    pub dir: PathBuf,
    /// `WARNING: File "…" already exists. Overwriting.` lines, in order.
    pub warnings: Vec<String>,
}

/// Helm's `chartutil.Create(name, dir)`: write the scaffold for `name` into `dir/name`.
/// `dir` must exist. Relative paths are made absolute against the current directory, as Go's
/// `filepath.Abs` does, so messages show the same paths as Helm's.
pub fn create(name: &str, dir: &Path) -> Result<Created, CreateError> {
    validate_chart_name(name)?;
    let parent = absolute(dir);
    let shown = parent.display().to_string();
    match fs::metadata(&parent) {
        Err(_) => return Err(CreateError::NoParent { path: shown }),
        Ok(m) if !m.is_dir() => return Err(CreateError::ParentNotDir { path: shown }),
        Ok(_) => {}
    }
    let cdir = parent.join(name);
    if let Ok(m) = fs::metadata(&cdir) {
        if !m.is_dir() {
            return Err(CreateError::NotADirectory {
                path: cdir.display().to_string(),
            });
        }
    }
    let mut out = Created {
        dir: cdir.clone(),
        warnings: Vec::new(),
    };
    for (rel, text) in scaffold_files(name) {
        let path = cdir.join(rel);
        let shown = path.display().to_string();
        if path.exists() {
            out.warnings.push(format!(
                "WARNING: File {} already exists. Overwriting.",
                go_quote(&shown)
            ));
        }
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(|source| CreateError::Io {
                path: p.display().to_string(),
                source,
            })?;
        }
        fs::write(&path, text.as_bytes()).map_err(|source| CreateError::Io {
            path: shown,
            source,
        })?;
    }
    let charts = cdir.join("charts");
    fs::create_dir_all(&charts).map_err(|source| CreateError::Io {
        path: charts.display().to_string(),
        source,
    })?;
    Ok(out)
}

/// Helm's `chartutil.CreateFrom`: the chart `name` made from the starter chart at `starter`
/// (a directory or archive), saved as `dest/name` (`dest` as given, relative paths staying
/// relative in messages, as Helm's `SaveDir` does).
pub fn create_from_starter(
    name: &str,
    dest: &Path,
    starter: &Path,
) -> Result<Created, CreateError> {
    let shown = starter.display().to_string();
    let load_error = |source| CreateError::StarterLoad {
        path: shown.clone(),
        source,
    };
    // Helm's chart v2 loader: Go's stat error for a missing path, and a directory loaded
    // without detecting its chart API version first.
    let meta = fs::metadata(starter).map_err(|e| {
        load_error(super::ChartError::Io(format!(
            "stat {shown}: {}",
            crate::gocompat::os::go_io_error(&e)
        )))
    })?;
    let mut chart = if meta.is_dir() {
        super::load_dir(starter)
    } else {
        super::load(starter)
    }
    .map_err(load_error)?;
    chart.metadata = super::Metadata {
        name: name.to_string(),
        description: "A Helm chart for Kubernetes".into(),
        chart_type: "application".into(),
        version: "0.1.0".into(),
        app_version: "0.1.0".into(),
        api_version: "v2".into(),
        ..Default::default()
    };
    let cdir = PathBuf::from(crate::gocompat::path::clean(&format!(
        "{}/{name}",
        dest.display()
    )));
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| CreateError::Io { path, source }
    };
    if let Ok(m) = fs::metadata(&cdir) {
        if !m.is_dir() {
            return Err(CreateError::NotADirectory {
                path: cdir.display().to_string(),
            });
        }
    }
    fs::create_dir_all(&cdir).map_err(io(&cdir))?;
    let write = |rel: &str, data: &[u8]| -> Result<(), CreateError> {
        let path = cdir.join(rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(io(p))?;
        }
        fs::write(&path, data).map_err(io(&path))
    };
    let chart_yaml =
        super::package::chart_yaml(&chart.metadata).map_err(|source| CreateError::Save {
            what: format!("{name}/Chart.yaml"),
            source,
        })?;
    write("Chart.yaml", &chart_yaml)?;
    if let Some(values) = chart.raw_file("values.yaml") {
        write("values.yaml", &replace_placeholder(&values.data, name))?;
    }
    if let Some(schema) = &chart.schema {
        write("values.schema.json", schema)?;
    }
    for t in &chart.templates {
        write(&t.name, &replace_placeholder(&t.data, name))?;
    }
    for f in &chart.files {
        write(&f.name, &f.data)?;
    }
    let charts = cdir.join("charts");
    for dep in &chart.dependencies {
        let source_dir = starter.join("charts").join(dep.name());
        super::package::save_dir(dep, &source_dir, &charts).map_err(|source| {
            CreateError::Save {
                what: format!("{name}/charts/{}", dep.name()),
                source,
            }
        })?;
    }
    Ok(Created {
        dir: cdir,
        warnings: Vec::new(),
    })
}

/// Every `<CHARTNAME>` in `data` replaced by `name`, byte-wise (a starter's files need not be
/// UTF-8; Go's `strings.ReplaceAll` keeps other bytes as they are).
fn replace_placeholder(data: &[u8], name: &str) -> Vec<u8> {
    let pat = CHARTNAME_PLACEHOLDER.as_bytes();
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(pat) {
            out.extend_from_slice(name.as_bytes());
            i += pat.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

/// Go's `filepath.Abs` followed by `Clean`: join with the current directory and drop `.` and
/// `..` lexically.
fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_checked_like_helm() {
        assert!(validate_chart_name("my_chart.v-1").is_ok());
        assert_eq!(
            validate_chart_name("a b").unwrap_err().to_string(),
            "chart name must match the regular expression \"^[a-zA-Z0-9._-]+$\""
        );
        assert_eq!(
            validate_chart_name(&"a".repeat(251))
                .unwrap_err()
                .to_string(),
            "chart name must be between 1 and 250 characters"
        );
        assert!(validate_chart_name(&"a".repeat(250)).is_ok());
    }

    #[test]
    fn placeholder_replaced_everywhere() {
        for (_, text) in scaffold_files("zz") {
            assert!(!text.contains(CHARTNAME_PLACEHOLDER));
        }
    }
}
