//! Post-rendering, as Helm 4 does it between executing the templates and sorting manifests.
//!
//! A post-renderer (a `postrenderer/v1` plugin for the command line, any [`PostRenderer`] for
//! the library) sees one stream of YAML documents, not files: every rendered template but
//! partials, NOTES.txt and empty ones, in path order, each document annotated with
//! `postrenderer.helm.sh/postrender-filename: 'PATH'`. What it returns is split back into
//! files by that annotation (documents without one become `generated-by-postrender-N.yaml`),
//! the annotation removed. Helm merges and splits with kustomize's kyaml, which parses each
//! document into yaml.v3 nodes and writes them back: comments and scalar styles survive,
//! blank lines do not, sequences are written compact. Hooks pass through the post-renderer
//! too, since the split into hooks and manifests happens afterwards.

use crate::gocompat::kyaml;
use std::collections::BTreeMap;

/// The annotation that carries a document's template path through the post-renderer.
pub const FILENAME_ANNOTATION: &str = "postrenderer.helm.sh/postrender-filename";

/// A step that rewrites the rendered manifests (Helm's `postrenderer.PostRenderer`).
pub trait PostRenderer: Send + Sync {
    /// Takes the merged stream of documents and returns the stream to install. `Err` is the
    /// text Helm shows after `error while running post render on files: `.
    fn run(&self, manifests: &str) -> Result<String, String>;
}

impl<F> PostRenderer for F
where
    F: Fn(&str) -> Result<String, String> + Send + Sync,
{
    fn run(&self, manifests: &str) -> Result<String, String> {
        self(manifests)
    }
}

/// A failed post-render step; Display is Helm's message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PostRenderError {
    /// A rendered file could not be read as YAML documents (or one is not a mapping).
    #[error("error merging manifests: {0}")]
    Merge(String),
    /// The post-renderer itself failed.
    #[error("error while running post render on files: {0}")]
    Run(String),
    /// What the post-renderer returned is not YAML documents.
    #[error("error while parsing post rendered output: {0}")]
    Parse(String),
}

/// Helm's `renderResources` post-render step: merge, run, split.
pub fn post_render(
    files: &BTreeMap<String, String>,
    renderer: &dyn PostRenderer,
) -> Result<BTreeMap<String, String>, PostRenderError> {
    let merged = annotate_and_merge(files).map_err(PostRenderError::Merge)?;
    let out = renderer.run(&merged).map_err(PostRenderError::Run)?;
    split_and_deannotate(&out).map_err(PostRenderError::Parse)
}

/// Helm's `fixDocSeparators`: a `---` at the start of a line glued to what follows (template
/// whitespace trimming turns `---\n{{- ...` into `---apiVersion`) gets its newline back.
fn fix_doc_separators(content: &str) -> String {
    let mut out = String::with_capacity(content.len() + 8);
    let mut rest = content;
    while let Some(idx) = rest.find("---") {
        let at_line_start = idx == 0 || rest.as_bytes()[idx - 1] == b'\n';
        out.push_str(&rest[..idx + 3]);
        rest = &rest[idx + 3..];
        if at_line_start {
            if let Some(&c) = rest.as_bytes().first() {
                if !matches!(c, b'\n' | b'\r' | b' ' | b'\t') {
                    out.push('\n');
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Helm's `annotateAndMerge`: the stream a post-renderer reads. Every rendered file but
/// partials and blank ones, in path order, read by kyaml, each document annotated with its
/// path, all written back by kyaml. `Err` is the text after `error merging manifests: `.
pub fn annotate_and_merge(files: &BTreeMap<String, String>) -> Result<String, String> {
    let mut merged = Vec::new();
    for (name, content) in files {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        let content = fix_doc_separators(content);
        let docs = kyaml::parse_all(&content).map_err(|e| format!("parsing {name}: {e}"))?;
        for mut doc in docs {
            kyaml::set_annotation(&mut doc, FILENAME_ANNOTATION, name)
                .map_err(|e| format!("annotating {name}: {e}"))?;
            merged.push(doc);
        }
    }
    kyaml::string_all(merged).map_err(|e| format!("writing merged docs: {e}"))
}

/// Helm's `splitAndDeannotate`: the post-renderer's output back into files, by the filename
/// annotation (documents without one become `generated-by-postrender-N.yaml`, N counting the
/// documents read), the annotation removed, each file written by kyaml. `Err` is the text
/// after `error while parsing post rendered output: `.
pub fn split_and_deannotate(stream: &str) -> Result<BTreeMap<String, String>, String> {
    let docs = kyaml::parse_all(stream).map_err(|e| format!("error parsing YAML: {e}"))?;
    let mut by_file: BTreeMap<String, Vec<kyaml::Node>> = BTreeMap::new();
    for (i, mut doc) in docs.into_iter().enumerate() {
        let mut name = kyaml::meta_annotation(&doc, FILENAME_ANNOTATION)
            .map_err(|e| format!("getting metadata: {e}"))?;
        if name.is_empty() {
            name = format!("generated-by-postrender-{i}.yaml");
        }
        kyaml::clear_annotation(&mut doc, FILENAME_ANNOTATION)
            .map_err(|e| format!("clearing filename annotation: {e}"))?;
        by_file.entry(name).or_default().push(doc);
    }
    let mut files = BTreeMap::new();
    for (name, docs) in by_file {
        let text = kyaml::string_all(docs).map_err(|e| format!("re-writing {name}: {e}"))?;
        files.insert(name, text);
    }
    Ok(files)
}

#[cfg(test)]
#[path = "post_render_tests.rs"]
mod tests;
