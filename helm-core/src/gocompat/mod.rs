//! Go compatibility: ports of the Go libraries whose behaviour shows in Helm's output.
//!
//! Helm's text comes from Go code: `%v` and `%q` printing, `strconv` quoting, `time` layouts
//! and durations, RE2 patterns, OS error wording, Masterminds semver ranges. Charts and users
//! see those strings (and tests pin them), so each is ported once here and shared by every
//! layer above: the template engine, chart loading, the `--set` parser, lint, repositories and
//! releases. Nothing here knows Helm; the one dependency is [`crate::values`], because Go's
//! `fmt` prints Go values.
//!
//! - [`strconv`]: `Quote` (`%q`) and `IsPrint`.
//! - [`fmt`]: `Sprint`, `Sprintf` and `%v` over [`crate::values::Value`].
//! - [`gostring`]: Go strings as bytes (non-UTF-8 bytes carried through our `str`s).
//! - [`time`]: `time.Time`, layouts, zones, `Duration` printing and parsing.
//! - [`jsonpath`]: Kubernetes JSONPath templates (client-go), for `show values --jsonpath`.
//! - [`regexp`]: Go regular expressions compiled with Rust's `regex` crate.
//! - [`os`]: Go's wording of OS errors.
//! - [`path`]: `path.Clean`, `Base`, `Dir`, `Ext`.
//! - [`semver`]: Masterminds `semver/v3`, the version library Helm builds with.
//! - [`kyaml`]: kustomize kyaml's read/annotate/write round trip over yaml.v3 nodes (post-rendering).
//! - [`flate`]: Go's DEFLATE/gzip compressor, so archives and release records match Helm's bytes.

pub mod flate;
pub mod fmt;
pub mod gostring;
pub mod jsonpath;
pub mod kyaml;
pub mod os;
pub mod path;
pub mod regexp;
pub mod semver;
pub mod strconv;
pub mod time;
pub mod url;
