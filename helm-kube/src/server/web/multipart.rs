//! `multipart/form-data` bodies (RFC 7578), as the upgrade form sends a chart archive and a
//! values file: the parts' names, file names and bytes.
//!
//! Why by hand: a browser's form upload is the only multipart the server reads, the body is
//! already in memory and size-limited, and the format needs a boundary search and a few header
//! lines — less than a dependency would bring.

/// One part of a form.
#[derive(Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data; boundary=…` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..].starts_with(needle))
}

/// `name="…"` of a `Content-Disposition` header.
fn param(header: &str, key: &str) -> Option<String> {
    let mut rest = header;
    while let Some(i) = rest.find(key) {
        let before = rest[..i].chars().last();
        let after = &rest[i + key.len()..];
        if matches!(before, Some(' ' | ';')) {
            if let Some(v) = after.strip_prefix("=\"") {
                return v.find('"').map(|e| v[..e].to_string());
            }
        }
        rest = after;
    }
    None
}

/// The parts of `body`, or why it is not a form of this boundary.
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delim = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let mut pos = find(body, delim.as_bytes(), 0).ok_or("multipart body: no boundary")?;
    let mut parts = Vec::new();
    loop {
        pos += delim.len();
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err("multipart body: malformed boundary line".into());
        }
        pos += 2;
        let head_end =
            find(body, b"\r\n\r\n", pos).ok_or("multipart body: part without headers")?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let data_start = head_end + 4;
        let end =
            find(body, next.as_bytes(), data_start).ok_or("multipart body: unterminated part")?;
        let disposition = head
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .ok_or("multipart body: part without Content-Disposition")?;
        let name = param(disposition, "name").ok_or("multipart body: part without a name")?;
        parts.push(Part {
            name,
            filename: param(disposition, "filename"),
            data: body[data_start..end].to_vec(),
        });
        pos = end + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_parts() {
        let b = boundary("multipart/form-data; boundary=----X1").expect("boundary");
        assert_eq!(b, "----X1");
        let body = b"------X1\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n------X1\r\nContent-Disposition: form-data; name=\"chart\"; filename=\"c-0.1.0.tgz\"\r\nContent-Type: application/gzip\r\n\r\n\x1f\x8b\r\n\x00\r\n------X1--\r\n";
        let parts = parse(body, &b).expect("parts");
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0],
            Part {
                name: "csrf".into(),
                filename: None,
                data: b"abc".to_vec()
            }
        );
        assert_eq!(parts[1].filename.as_deref(), Some("c-0.1.0.tgz"));
        assert_eq!(parts[1].data, b"\x1f\x8b\r\n\x00");
        assert!(parse(b"garbage", "X").is_err());
        assert!(parse(
            b"--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            "X"
        )
        .is_err());
        assert_eq!(boundary("application/json"), None);
    }
}
