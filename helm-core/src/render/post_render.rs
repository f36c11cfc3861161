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

/// Helm's `annotateAndMerge`: the stream a post-renderer reads.
pub fn annotate_and_merge(files: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::new();
    for (name, content) in files {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in crate::render::manifest::split_manifests(content) {
            if doc.trim().is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push_str("---\n");
            }
            out.push_str(&doc);
            out.push('\n');
        }
    }
    Ok(out)
}

/// Helm's `splitAndDeannotate`: the post-renderer's output back into files.
pub fn split_and_deannotate(stream: &str) -> Result<BTreeMap<String, String>, String> {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for (i, doc) in crate::render::manifest::split_manifests(stream)
        .into_iter()
        .enumerate()
    {
        let name = format!("generated-by-postrender-{i}.yaml");
        let entry = files.entry(name).or_default();
        if !entry.is_empty() {
            entry.push_str("---\n");
        }
        entry.push_str(&doc);
        entry.push('\n');
    }
    Ok(files)
}
