//! Go strings are bytes; ours are UTF-8. This keeps the bytes of a Go string that is not
//! valid UTF-8 (a binary file from `.Files.Get`, a `b64dec` of binary data) so that they come
//! back out exactly where Go would use them as bytes: `b64enc`, `b32enc`, the digests, `len`,
//! and the rendered output.
//!
//! Why not a byte-string `Value`: almost every function takes text, and Go's own behaviour for
//! invalid UTF-8 there (ranging gives U+FFFD) is rarely met in charts; what charts do with
//! binary files is encode them (`{{ .Files.Get "keystore.jks" | b64enc }}`). So each byte of an
//! invalid sequence is carried as one character of a private-use block (U+10FF00 + byte), which
//! no chart text uses, and turned back into that byte by [`go_bytes`].

use std::borrow::Cow;

/// The first character of the escape block: byte `b` is `char::from_u32(RAW_BASE + b)`.
const RAW_BASE: u32 = 0x10FF00;

/// `String::from_utf8_lossy`, checking valid input with `str::from_utf8` first: its
/// word-at-a-time ASCII scan is an order of magnitude faster on chart files (templates and
/// values are ASCII), and only invalid input takes the chunked path.
pub fn utf8_lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// A Go string's bytes as our text: valid UTF-8 as is, each byte of an invalid sequence as
/// one escape character.
pub fn from_go_bytes(b: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_string();
    }
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            out.push(char::from_u32(RAW_BASE + byte as u32).expect("escape block is valid"));
        }
    }
    out
}

/// The bytes Go would hold for this text (the inverse of [`from_go_bytes`]); borrowed when
/// there is nothing to turn back, the usual case.
pub fn go_bytes(s: &str) -> Cow<'_, [u8]> {
    if !has_raw_bytes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let u = c as u32;
        if (RAW_BASE..=RAW_BASE + 0xFF).contains(&u) {
            out.push((u - RAW_BASE) as u8);
        } else {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Cow::Owned(out)
}

/// Whether the text carries any escaped byte: a byte scan (escape characters encode as
/// F4 8F BC..BF xx), cheap enough for every rendered document.
fn has_raw_bytes(s: &str) -> bool {
    s.as_bytes()
        .windows(3)
        .any(|w| w[0] == 0xF4 && w[1] == 0x8F && w[2] >= 0xBC)
}

/// The byte an escape character stands for, if it is one.
pub fn raw_byte(c: char) -> Option<u8> {
    let u = c as u32;
    (RAW_BASE..=RAW_BASE + 0xFF)
        .contains(&u)
        .then(|| (u - RAW_BASE) as u8)
}

/// What go-yaml's reader says about text that is not valid UTF-8 (None when it is): Helm
/// fails on rendered manifests holding raw binary bytes with this.
pub fn yaml_reader_error(s: &str) -> Option<&'static str> {
    if !has_raw_bytes(s) {
        return None;
    }
    let b = go_bytes(s);
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        let width = match lead {
            0x00..=0x7F => 1,
            _ if lead & 0xE0 == 0xC0 => 2,
            _ if lead & 0xF0 == 0xE0 => 3,
            _ if lead & 0xF8 == 0xF0 => 4,
            _ => return Some("invalid leading UTF-8 octet"),
        };
        if i + width > b.len() {
            return Some("incomplete UTF-8 octet sequence");
        }
        let mut value: u32 = match width {
            1 => lead as u32,
            2 => (lead & 0x1F) as u32,
            3 => (lead & 0x0F) as u32,
            _ => (lead & 0x07) as u32,
        };
        for k in 1..width {
            let t = b[i + k];
            if t & 0xC0 != 0x80 {
                return Some("invalid trailing UTF-8 octet");
            }
            value = (value << 6) | (t & 0x3F) as u32;
        }
        let shortest = match width {
            1 => true,
            2 => value >= 0x80,
            3 => value >= 0x800,
            _ => value >= 0x10000,
        };
        if !shortest {
            return Some("invalid length of a UTF-8 sequence");
        }
        if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
            return Some("invalid Unicode character");
        }
        i += width;
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_escape_agrees_with_byte_by_byte() {
        fn reference(json: &[u8]) -> Vec<u8> {
            let mut out = Vec::new();
            let mut i = 0;
            while i < json.len() {
                match json[i] {
                    b'<' => out.extend_from_slice(b"\\u003c"),
                    b'>' => out.extend_from_slice(b"\\u003e"),
                    b'&' => out.extend_from_slice(b"\\u0026"),
                    0xE2 if json.get(i + 1..i + 3) == Some(&[0x80, 0xA8]) => {
                        out.extend_from_slice(b"\\u2028");
                        i += 2;
                    }
                    0xE2 if json.get(i + 1..i + 3) == Some(&[0x80, 0xA9]) => {
                        out.extend_from_slice(b"\\u2029");
                        i += 2;
                    }
                    b => out.push(b),
                }
                i += 1;
            }
            out
        }
        let cases: [&[u8]; 9] = [
            b"",
            b"plain",
            b"<<>>&&",
            "a\u{2028}b\u{2029}c".as_bytes(),
            "\u{2028}\u{2028}<\u{2029}".as_bytes(),
            "\u{2010}\u{20AC}<x>".as_bytes(),
            b"\xE2",
            b"\xE2\x80",
            b"&\xE2\x80\xA8&\xE2\xE2\x80\xA9>",
        ];
        for case in cases {
            assert_eq!(go_html_escape(case), reference(case), "{case:?}");
        }
    }

    use super::*;

    #[test]
    fn binary_round_trips_and_text_is_untouched() {
        let bin: Vec<u8> = vec![
            b'B', b'Z', b'h', 0x91, 0x41, 0xff, 0xfe, 0xe2, 0x82, b'x', 0xf0,
        ];
        let s = from_go_bytes(&bin);
        assert_eq!(&*go_bytes(&s), &bin[..]);
        assert!(s.starts_with("BZh"));
        let text = "naïve 😀 \u{10FEFF} text";
        assert_eq!(from_go_bytes(text.as_bytes()), text);
        assert_eq!(&*go_bytes(text), text.as_bytes());
        assert!(matches!(go_bytes("naïve 😀"), Cow::Borrowed(_)));
        assert_eq!(yaml_reader_error(text), None);
        assert_eq!(yaml_reader_error(&s), Some("invalid leading UTF-8 octet"));
        assert_eq!(
            yaml_reader_error(&from_go_bytes(b"a\xe2\x82")),
            Some("incomplete UTF-8 octet sequence")
        );
        assert_eq!(
            yaml_reader_error(&from_go_bytes(b"a\xe2(b")),
            Some("invalid trailing UTF-8 octet")
        );
    }
}

/// Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 in strings (`\u003c`, ...).
/// They only occur inside strings in JSON text, so replacing them everywhere is exact.
pub fn go_html_escape(json: &[u8]) -> Vec<u8> {
    // Runs without `<`, `>`, `&` or U+2028/U+2029's first byte are copied whole (a release
    // record is megabytes with few of them); each search starts where the last one's byte was
    // consumed, so the text is scanned once.
    let html = |from: usize| memchr::memchr3(b'<', b'>', b'&', &json[from..]).map(|p| from + p);
    let lead = |from: usize| memchr::memchr(0xE2, &json[from..]).map(|p| from + p);
    let mut out = Vec::with_capacity(json.len() + json.len() / 64);
    let (mut start, mut next_html, mut next_lead) = (0, html(0), lead(0));
    loop {
        let i = match (next_html, next_lead) {
            (Some(h), Some(l)) => h.min(l),
            (Some(i), None) | (None, Some(i)) => i,
            (None, None) => break,
        };
        out.extend_from_slice(&json[start..i]);
        if next_html == Some(i) {
            out.extend_from_slice(match json[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            });
            start = i + 1;
            next_html = html(start);
        } else {
            match json.get(i + 1..i + 3) {
                Some([0x80, 0xA8]) => out.extend_from_slice(b"\\u2028"),
                Some([0x80, 0xA9]) => out.extend_from_slice(b"\\u2029"),
                _ => {
                    out.push(0xE2);
                    start = i + 1;
                    next_lead = lead(start);
                    continue;
                }
            }
            start = i + 3;
            next_lead = lead(start);
        }
    }
    out.extend_from_slice(&json[start..]);
    out
}

/// Text from bytes that Go would keep as a (possibly invalid UTF-8) string, as Go sees it when
/// ranging over its runes or encoding it as JSON: each invalid byte becomes one U+FFFD.
pub fn runes_of(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{FFFD}');
        }
    }
    out
}
