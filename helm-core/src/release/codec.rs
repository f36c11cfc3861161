//! Helm's release encoding (`pkg/storage/driver/util.go`): JSON, gzip (best compression), then
//! standard base64. Decoding accepts un-gzipped JSON too, as Helm does for old records.
//!
//! The gzip step is our port of Go's compressor ([`crate::gocompat::flate`]) at level 9 with
//! Go's default header, so the same JSON gives the very bytes Helm stores.

use super::record::Release;
use crate::gocompat::flate;
use base64::Engine as _;
use std::io::Read;

/// A record that cannot be encoded or decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CodecError {
    #[error("illegal base64 data: {0}")]
    Base64(String),
    #[error("gzip: {0}")]
    Gzip(String),
    #[error("{0}")]
    Json(String),
}

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// `base64(gzip(json(release)))`.
pub fn encode(rel: &Release) -> Result<String, CodecError> {
    let json =
        go_html_escape(&serde_json::to_vec(rel).map_err(|e| CodecError::Json(e.to_string()))?);
    let bytes = flate::gzip_compress(
        &json,
        flate::BEST_COMPRESSION,
        &flate::GzipHeader::default(),
    )
    .map_err(|e| CodecError::Gzip(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

pub use crate::gocompat::gostring::go_html_escape;

/// The inverse of [`encode`]; plain JSON after base64 is accepted.
pub fn decode(data: &str) -> Result<Release, CodecError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim().as_bytes())
        .map_err(|e| CodecError::Base64(e.to_string()))?;
    let json = if bytes.len() > 3 && bytes[..3] == GZIP_MAGIC {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| CodecError::Gzip(e.to_string()))?;
        out
    } else {
        bytes
    };
    serde_json::from_slice(&json).map_err(|e| CodecError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_go_does() {
        let j = serde_json::to_vec(&serde_json::json!({"a": "x<y>&z\u{2028}é"})).expect("json");
        assert_eq!(
            String::from_utf8(go_html_escape(&j)).expect("utf8"),
            r#"{"a":"x\u003cy\u003e\u0026z\u2028é"}"#
        );
    }
    use crate::release::record::{Info, Status};

    /// The head of the JSON Helm 4.1.4 wrote for `helm install r1 demo --set image.tag=x`
    /// (decoded from its Secret), trimmed to the fields that matter for the field names.
    const HELM_JSON: &str = r#"{"name":"r1","info":{"first_deployed":"2026-11-24T14:10:48.436792137Z","last_deployed":"2026-11-24T14:10:48.436792137Z","description":"Install complete","status":"deployed","notes":"n"},"chart":{"metadata":{"name":"demo","version":"0.1.0","description":"A Helm chart for Kubernetes","apiVersion":"v2","appVersion":"1.16.0","type":"application"},"lock":null,"templates":[{"name":"templates/NOTES.txt","data":"eA==","modtime":"2026-11-24T14:10:48.338033394Z"}],"values":{"replicaCount":1},"schema":null,"schemamodtime":"0001-01-01T00:00:00Z","files":[],"modtime":"2026-11-24T14:10:48.336899923Z"},"config":{"image":{"tag":"x"}},"manifest":"---\n# Source: demo/templates/service.yaml\nkind: Service","hooks":[{"name":"r1-hook","kind":"ConfigMap","path":"demo/templates/hook.yaml","manifest":"m","events":["pre-install"],"last_run":{"started_at":"2026-11-24T14:10:48.697547565Z","completed_at":"2026-11-24T14:10:48.730292871Z","phase":"Succeeded"},"weight":-1,"delete_policies":["before-hook-creation"]},{"name":"t","kind":"Pod","path":"demo/templates/tests/t.yaml","manifest":"m","events":["test"],"last_run":{"phase":""}}],"version":1,"namespace":"default","apply_method":"ssa"}"#;

    #[test]
    fn helm_json_round_trips_byte_for_byte() {
        let rel: Release = serde_json::from_str(HELM_JSON).unwrap_or_default();
        assert_eq!(rel.name, "r1");
        assert_eq!(rel.status(), Status::Deployed);
        assert_eq!(rel.version, 1);
        assert_eq!(rel.chart_name(), "demo");
        assert_eq!(rel.hooks[0].weight, -1);
        assert_eq!(rel.hooks[1].last_run.phase, "");
        // Go's encoder writes struct fields in declaration order and map keys sorted: serde
        // with the same field order and serde_json's sorted maps reproduces it.
        // equal values, and the record's own fields in Go's order (the stored chart's keys may
        // come out sorted: Go reads them in any order).
        let out = serde_json::to_string(&rel).unwrap_or_default();
        let a: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        let b: serde_json::Value = serde_json::from_str(HELM_JSON).unwrap_or_default();
        assert_eq!(a, b);
        let (head, tail) = (
            &out[..out.find(",\"chart\"").unwrap_or(0)],
            &out[out.find(",\"config\"").unwrap_or(0)..],
        );
        assert!(
            HELM_JSON.starts_with(head) && HELM_JSON.ends_with(tail),
            "{out}"
        );
    }

    #[test]
    fn encode_decode() {
        let mut rel = Release {
            name: "a".into(),
            version: 3,
            namespace: "ns".into(),
            ..Default::default()
        };
        rel.info = Some(Info {
            status: Status::Superseded,
            description: "d".into(),
            ..Default::default()
        });
        let enc = encode(&rel).unwrap_or_default();
        assert_eq!(decode(&enc), Ok(rel.clone()));
        // plain JSON under base64 is read too
        let plain = base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_vec(&rel).unwrap_or_default());
        assert_eq!(decode(&plain), Ok(rel));
        assert!(matches!(decode("!!"), Err(CodecError::Base64(_))));
        assert!(matches!(decode("e30x"), Err(CodecError::Json(_))));
    }

    #[test]
    fn empty_times_are_unset() {
        let rel: Result<Release, _> =
            serde_json::from_str(r#"{"name":"x","info":{"first_deployed":"","status":"failed"}}"#);
        let rel = rel.unwrap_or_default();
        assert_eq!(rel.status(), Status::Failed);
        assert_eq!(rel.info.and_then(|i| i.first_deployed), None);
    }
}
