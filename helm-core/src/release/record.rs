//! The release record as Helm 4.1.4 stores it (`pkg/release/v1`): Go JSON field names,
//! `omitempty` on every field, times as RFC 3339 with nanoseconds (Go's `time.Time` JSON).
//!
//! The chart is kept as the JSON Helm stored (`chart` field) rather than re-modelled: Helm's
//! chart JSON has fields we never read (`modtime`, `schemamodtime`, the lock), and an upgrade of
//! a release written by Helm must hand the same data back untouched. [`Release::chart_from`]
//! builds that JSON for charts helm-rs installs.

use crate::chart::gojson::{Ordered, Shape};
use crate::chart::Chart;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A release's status (Helm's `common.Status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Status {
    #[default]
    Unknown,
    Deployed,
    Uninstalled,
    Superseded,
    Failed,
    Uninstalling,
    PendingInstall,
    PendingUpgrade,
    PendingRollback,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Unknown,
        Status::Deployed,
        Status::Uninstalled,
        Status::Superseded,
        Status::Failed,
        Status::Uninstalling,
        Status::PendingInstall,
        Status::PendingUpgrade,
        Status::PendingRollback,
    ];

    /// Helm's spelling (`pending-install`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Deployed => "deployed",
            Status::Uninstalled => "uninstalled",
            Status::Superseded => "superseded",
            Status::Failed => "failed",
            Status::Uninstalling => "uninstalling",
            Status::PendingInstall => "pending-install",
            Status::PendingUpgrade => "pending-upgrade",
            Status::PendingRollback => "pending-rollback",
        }
    }

    /// Parses Helm's spelling; anything else is `Unknown` (as Go keeps the raw string, which
    /// then matches none of Helm's checks either).
    pub fn parse(s: &str) -> Status {
        Status::ALL
            .iter()
            .copied()
            .find(|st| st.as_str() == s)
            .unwrap_or(Status::Unknown)
    }

    /// Helm's `IsPending`: an operation is in flight (or died mid-way).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Status::parse(&s))
    }
}

/// A point in time as Go's `time.Time` marshals it (RFC 3339, nanoseconds with trailing zeros
/// trimmed, `Z` for a zero offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time(pub DateTime<FixedOffset>);

impl Time {
    /// Now, in the local zone (Helm uses `time.Now()`).
    pub fn now() -> Time {
        Time(chrono::Local::now().fixed_offset())
    }

    /// Go's `RFC3339Nano` layout.
    pub fn to_rfc3339_nano(&self) -> String {
        let t = &self.0;
        let mut out = t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let nanos = t.timestamp_subsec_nanos() % 1_000_000_000;
        if nanos != 0 {
            let frac = format!("{nanos:09}");
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        let off = t.offset().local_minus_utc();
        if off == 0 {
            out.push('Z');
        } else {
            let sign = if off < 0 { '-' } else { '+' };
            let a = off.abs();
            out.push_str(&format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60));
        }
        out
    }

    /// Go's `time.ANSIC` in the local zone (`Tue Nov 24 14:10:48 2026`), as `helm status`
    /// prints LAST DEPLOYED.
    pub fn ansic(&self) -> String {
        self.0
            .with_timezone(&chrono::Local)
            .format("%a %b %e %H:%M:%S %Y")
            .to_string()
    }

    /// Helm's `helm list`/`helm history` layout: Go's `time.Time.String()` form
    /// (`2026-11-24 14:10:48.436792137 +0000 UTC`).
    pub fn go_string(&self) -> String {
        let t = self.0.with_timezone(&chrono::Local);
        let nanos = t.timestamp_subsec_nanos() % 1_000_000_000;
        let mut out = t.format("%Y-%m-%d %H:%M:%S").to_string();
        if nanos != 0 {
            out.push('.');
            out.push_str(format!("{nanos:09}").trim_end_matches('0'));
        }
        let zone = t.format("%Z").to_string();
        out.push_str(&t.format(" %z ").to_string());
        // chrono's %Z gives the offset for Local; Go prints the zone abbreviation. In UTC both
        // agree on the offset, and Go's abbreviation is "UTC".
        if t.offset().local_minus_utc() == 0 {
            out.push_str("UTC");
        } else {
            out.push_str(&zone);
        }
        out
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339_nano())
    }
}

/// Helm accepts an empty string for a time (treated as unset); anything else must be RFC 3339.
fn de_opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(Time(t)))
            .map_err(|e| serde::de::Error::custom(format!("parsing time {s:?}: {e}"))),
    }
}

fn is_empty_map(m: &serde_json::Map<String, serde_json::Value>) -> bool {
    m.is_empty()
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Release information (`pkg/release/v1.Info`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Info {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de_opt_time"
    )]
    pub first_deployed: Option<Time>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de_opt_time"
    )]
    pub last_deployed: Option<Time>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de_opt_time"
    )]
    pub deleted: Option<Time>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Helm only fills this for `helm status --show-resources`; kept as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<serde_json::Value>,
}

/// When a hook last ran (`HookExecution`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HookExecution {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de_opt_time"
    )]
    pub started_at: Option<Time>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de_opt_time"
    )]
    pub completed_at: Option<Time>,
    /// `Unknown`, `Running`, `Succeeded`, `Failed` or empty (never run). Always written.
    #[serde(default)]
    pub phase: String,
}

/// A hook as stored in the release (`pkg/release/v1.Hook`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HookRecord {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Go marshals a struct field even with `omitempty`, so `last_run` is always present.
    #[serde(default)]
    pub last_run: HookExecution,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delete_policies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_log_policies: Vec<String>,
}

impl HookRecord {
    /// From a rendered hook (events spelled as Helm writes them).
    pub fn from_rendered(h: &crate::render::Hook) -> HookRecord {
        HookRecord {
            name: h.name.clone(),
            kind: h.kind.clone(),
            path: h.path.clone(),
            manifest: h.manifest.clone(),
            events: h
                .events
                .iter()
                .map(|e| hook_event_name(*e).to_string())
                .collect(),
            last_run: HookExecution::default(),
            weight: h.weight,
            delete_policies: h.delete_policies.clone(),
            output_log_policies: Vec::new(),
        }
    }

    pub fn has_event(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

/// Helm's name for a hook event.
pub fn hook_event_name(e: crate::render::manifest::HookEvent) -> &'static str {
    use crate::render::manifest::HookEvent::*;
    match e {
        PreInstall => "pre-install",
        PostInstall => "post-install",
        PreDelete => "pre-delete",
        PostDelete => "post-delete",
        PreUpgrade => "pre-upgrade",
        PostUpgrade => "post-upgrade",
        PreRollback => "pre-rollback",
        PostRollback => "post-rollback",
        Test => "test",
    }
}

fn ser_chart<S: Serializer>(chart: &Option<serde_json::Value>, ser: S) -> Result<S::Ok, S::Error> {
    match chart {
        Some(c) => Ordered(c, Shape::Chart).serialize(ser),
        None => ser.serialize_none(),
    }
}

/// One revision of a release (`pkg/release/v1.Release`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Release {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Info>,
    /// The chart as Helm stores it (metadata, lock, templates, values, schema, files).
    /// Written with the field order of Helm's Go structs (the JSON is then byte for byte
    /// Helm's); maps (values) keep Go's sorted keys.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_chart"
    )]
    pub chart: Option<serde_json::Value>,
    /// The user-supplied values (`config`).
    #[serde(
        default,
        skip_serializing_if = "is_empty_map",
        deserialize_with = "de_null_map"
    )]
    pub config: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_vec"
    )]
    pub hooks: Vec<HookRecord>,
    /// The revision.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Custom labels (`--labels`): stored in the storage object's labels, never in the JSON.
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
    /// `ssa` or `csa` (empty: client-side apply, Helm 3 releases).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub apply_method: String,
}

fn de_null_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    Ok(Option::deserialize(d)?.unwrap_or_default())
}

fn de_null_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<HookRecord>, D::Error> {
    Ok(Option::deserialize(d)?.unwrap_or_default())
}

impl Release {
    pub fn status(&self) -> Status {
        self.info.as_ref().map(|i| i.status).unwrap_or_default()
    }

    pub fn info_mut(&mut self) -> &mut Info {
        self.info.get_or_insert_with(Info::default)
    }

    /// Helm's `SetStatus`: status and description together.
    pub fn set_status(&mut self, status: Status, description: impl Into<String>) {
        let info = self.info_mut();
        info.status = status;
        info.description = description.into();
    }

    fn chart_field(&self, key: &str) -> Option<&serde_json::Value> {
        self.chart.as_ref()?.get(key)
    }

    /// `chart.metadata.name`.
    pub fn chart_name(&self) -> &str {
        self.chart_field("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
    }

    /// `chart.metadata.version`.
    pub fn chart_version(&self) -> &str {
        self.chart_field("metadata")
            .and_then(|m| m.get("version"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
    }

    /// `chart.metadata.appVersion`.
    pub fn app_version(&self) -> &str {
        self.chart_field("metadata")
            .and_then(|m| m.get("appVersion"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
    }

    /// The chart's default values as stored.
    pub fn chart_values(&self) -> serde_json::Map<String, serde_json::Value> {
        self.chart_field("values")
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default()
    }

    /// The JSON Helm stores for a chart (`pkg/chart/v2.Chart`'s JSON): metadata, lock,
    /// templates and files with base64 data, values, schema. Subcharts are not stored (Helm's
    /// `dependencies` field is unexported), so rollback replays the stored manifest.
    pub fn chart_from(chart: &Chart) -> serde_json::Value {
        use serde_json::{json, Value as J};
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        // Go writes a nil slice (no files) as null.
        let files = |fs: &[crate::chart::File]| -> J {
            if fs.is_empty() {
                return J::Null;
            }
            J::Array(fs.iter().map(|f| json!({"name": f.name, "data": b64(&f.data), "modtime": go_time(f.modtime)})).collect())
        };
        // The chart's own time is Chart.yaml's, the schema's its file's (Helm's loader); Go's
        // zero time when unknown or absent.
        let raw_time = |name: &str| {
            go_time(
                chart
                    .raw
                    .iter()
                    .find(|f| f.name == name)
                    .and_then(|f| f.modtime),
            )
        };
        let metadata = core_to_json(&chart.metadata.to_json_value());
        let lock = match &chart.lock {
            None => J::Null,
            Some(l) => {
                let mut m = serde_json::Map::new();
                m.insert("generated".into(), J::String(l.generated.clone()));
                m.insert("digest".into(), J::String(l.digest.clone()));
                m.insert(
                    "dependencies".into(),
                    J::Array(l.dependencies.iter().map(|d| json!({"name": d.name, "version": d.version, "repository": d.repository})).collect()),
                );
                J::Object(m)
            }
        };
        json!({
            "metadata": metadata,
            "lock": lock,
            "templates": files(&chart.templates),
            "values": core_to_json(&chart.values),
            "schema": chart.schema.as_ref().map(|s| J::String(b64(s))).unwrap_or(J::Null),
            "schemamodtime": if chart.schema.is_some() { raw_time("values.schema.json") } else { go_time(None) },
            "files": files(&chart.files),
            "modtime": raw_time("Chart.yaml"),
        })
    }
}

/// A file time as Go's `time.Time` marshals it (local zone, as Go's `os.Stat` and tar reader
/// give it); Go's zero time for None.
fn go_time(t: Option<std::time::SystemTime>) -> serde_json::Value {
    match t {
        Some(t) => serde_json::Value::String(
            Time(chrono::DateTime::<chrono::Local>::from(t).fixed_offset()).to_rfc3339_nano(),
        ),
        None => serde_json::Value::String("0001-01-01T00:00:00Z".into()),
    }
}

/// helm-core's Go-like value → serde_json (through Go's JSON encoding, so numbers and strings
/// come out as Helm writes them).
pub fn core_to_json(v: &crate::values::Value) -> serde_json::Value {
    let text = crate::values::json::to_string(v);
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// serde_json → helm-core's value (numbers as Go's JSON decoding into `interface{}` reads them).
pub fn json_to_core(v: &serde_json::Value) -> crate::values::Value {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    crate::values::json::from_str(&text).unwrap_or(crate::values::Value::Nil)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_like_go() {
        let t = Time(
            DateTime::parse_from_rfc3339("2026-11-24T14:10:48.436792137Z").unwrap_or_default(),
        );
        assert_eq!(t.to_rfc3339_nano(), "2026-11-24T14:10:48.436792137Z");
        let t = Time(DateTime::parse_from_rfc3339("2026-11-24T14:10:48.4367Z").unwrap_or_default());
        assert_eq!(t.to_rfc3339_nano(), "2026-11-24T14:10:48.4367Z");
        let t = Time(DateTime::parse_from_rfc3339("2026-11-24T14:10:48+02:00").unwrap_or_default());
        assert_eq!(t.to_rfc3339_nano(), "2026-11-24T14:10:48+02:00");
    }

    #[test]
    fn status_names() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), s);
        }
        assert!(Status::PendingRollback.is_pending());
        assert!(!Status::Failed.is_pending());
        assert_eq!(Status::parse("bogus"), Status::Unknown);
    }
}
