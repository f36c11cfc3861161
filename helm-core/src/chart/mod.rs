//! Charts: Chart.yaml metadata, loading from a directory or a `.tgz`, `.helmignore`.
