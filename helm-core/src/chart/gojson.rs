//! JSON as Helm's Go structs write it: `encoding/json` writes a struct's fields in their
//! declaration order (maps with sorted keys), so a byte-identical stored release or
//! `repo index --json` needs each object's Go struct. [`Shape`] names those structs (the chart's,
//! and a repository index's, whose entries inline a chart's metadata).

use serde::{Serialize, Serializer};

/// Which Go struct a JSON object is (its fields' order).
#[derive(Clone, Copy)]
pub enum Shape {
    Chart,
    Metadata,
    Maintainer,
    Dependency,
    Lock,
    File,
    /// A repository's `index.yaml` (`repo.IndexFile`).
    IndexFile,
    /// An index's `entries`: chart names to their versions.
    IndexEntries,
    /// One chart version of an index (`repo.ChartVersion`: the chart's metadata, inline).
    ChartVersion,
    /// A Go map or free-form data: sorted keys, as Go writes maps.
    Map,
}

impl Shape {
    fn order(self) -> &'static [&'static str] {
        match self {
            Shape::Chart => &[
                "metadata",
                "lock",
                "templates",
                "values",
                "schema",
                "schemamodtime",
                "files",
                "modtime",
            ],
            Shape::Metadata => super::metadata::METADATA_FIELDS,
            Shape::Maintainer => super::metadata::MAINTAINER_FIELDS,
            Shape::Dependency => super::metadata::DEPENDENCY_FIELDS,
            Shape::Lock => &["generated", "digest", "dependencies"],
            Shape::File => &["name", "data", "modtime"],
            Shape::IndexFile => &[
                "serverInfo",
                "apiVersion",
                "generated",
                "entries",
                "publicKeys",
                "annotations",
            ],
            Shape::ChartVersion => &[
                "name",
                "home",
                "sources",
                "version",
                "description",
                "keywords",
                "maintainers",
                "icon",
                "apiVersion",
                "condition",
                "tags",
                "appVersion",
                "deprecated",
                "annotations",
                "kubeVersion",
                "dependencies",
                "type",
                "urls",
                "created",
                "removed",
                "digest",
                "checksum",
                "engine",
                "tillerVersion",
                "url",
            ],
            Shape::IndexEntries | Shape::Map => &[],
        }
    }

    /// The shape of a field's value (of each element, for lists).
    fn child(self, key: &str) -> Shape {
        match (self, key) {
            (Shape::Chart, "metadata") => Shape::Metadata,
            (Shape::Chart, "lock") => Shape::Lock,
            (Shape::Chart, "templates" | "files") => Shape::File,
            (Shape::Metadata | Shape::ChartVersion, "maintainers") => Shape::Maintainer,
            (Shape::Metadata | Shape::Lock | Shape::ChartVersion, "dependencies") => {
                Shape::Dependency
            }
            (Shape::IndexFile, "entries") => Shape::IndexEntries,
            (Shape::IndexEntries, _) => Shape::ChartVersion,
            _ => Shape::Map,
        }
    }
}

/// A JSON value written with the field order of the Go struct `Shape` names.
pub struct Ordered<'a>(pub &'a serde_json::Value, pub Shape);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            serde_json::Value::Object(m) => {
                let order = self.1.order();
                let mut map = ser.serialize_map(Some(m.len()))?;
                for k in order.iter().filter(|k| m.contains_key(**k)) {
                    map.serialize_entry(k, &Ordered(&m[*k], self.1.child(k)))?;
                }
                let mut rest: Vec<&String> =
                    m.keys().filter(|k| !order.contains(&k.as_str())).collect();
                rest.sort();
                for k in rest {
                    map.serialize_entry(k, &Ordered(&m[k], self.1.child(k)))?;
                }
                map.end()
            }
            serde_json::Value::Array(a) => {
                let mut seq = ser.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Ordered(v, self.1))?;
                }
                seq.end()
            }
            other => other.serialize(ser),
        }
    }
}

/// `json.MarshalIndent(v, "", "  ")` of a value shaped as `shape`.
pub fn marshal_indent(v: &serde_json::Value, shape: Shape) -> String {
    let text = serde_json::to_vec_pretty(&Ordered(v, shape)).unwrap_or_default();
    String::from_utf8(crate::gocompat::gostring::go_html_escape(&text)).unwrap_or_default()
}
