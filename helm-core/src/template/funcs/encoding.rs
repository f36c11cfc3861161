//! Template functions: Sprig's base64/base32 encoders (`b64enc`, `b64dec`, `b32enc`, `b32dec`).
//!
//! Sprig's decoders never fail: on bad input they *return the Go error text as the result*
//! (`illegal base64 data at input byte 4`), so charts that feed them garbage render that text.
//! The byte offsets in those messages come from Go's `encoding/base64` and `encoding/base32`
//! decoders, whose exact rules (newlines skipped, padding checks, trailing garbage) are
//! reproduced here rather than delegated to a crate with different error positions.

use super::{FuncResult, FuncTable, Param};
use crate::values::Value;
use base64::Engine as _;

pub fn register(t: &mut FuncTable) {
    t.add("b64enc", &[Param::String], None, b64enc);
    t.add("b64dec", &[Param::String], None, b64dec);
    t.add("b32enc", &[Param::String], None, b32enc);
    t.add("b32dec", &[Param::String], None, b32dec);
}

fn arg_str(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// Go's `string([]byte)` keeps invalid UTF-8 as is; ours keeps those bytes escaped
/// ([`crate::gocompat::gostring`]) so that encoding them again gives Go's bytes.
pub(crate) fn bytes_to_string(b: Vec<u8>) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => crate::gocompat::gostring::from_go_bytes(e.as_bytes()),
    }
}

fn b64enc(args: &[Value]) -> FuncResult {
    Ok(Value::from(
        base64::engine::general_purpose::STANDARD
            .encode(crate::gocompat::gostring::go_bytes(arg_str(args, 0))),
    ))
}

fn b64dec(args: &[Value]) -> FuncResult {
    Ok(Value::from(
        match go_base64_decode(arg_str(args, 0).as_bytes()) {
            Ok(b) => bytes_to_string(b),
            Err(pos) => format!("illegal base64 data at input byte {pos}"),
        },
    ))
}

fn b32enc(args: &[Value]) -> FuncResult {
    Ok(Value::from(data_encoding::BASE32.encode(
        &crate::gocompat::gostring::go_bytes(arg_str(args, 0)),
    )))
}

fn b32dec(args: &[Value]) -> FuncResult {
    Ok(Value::from(
        match go_base32_decode(arg_str(args, 0).as_bytes()) {
            Ok(b) => bytes_to_string(b),
            Err(pos) => format!("illegal base32 data at input byte {pos}"),
        },
    ))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn decode_map(alphabet: &[u8]) -> [u8; 256] {
    let mut m = [0xffu8; 256];
    for (i, &c) in alphabet.iter().enumerate() {
        m[c as usize] = i as u8;
    }
    m
}

/// Go's `base64.StdEncoding.DecodeString`: `Err(offset)` is Go's `CorruptInputError`.
/// `\r` and `\n` are skipped anywhere; `=` padding is required.
pub(crate) fn go_base64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let map = decode_map(B64);
    let mut out = Vec::with_capacity(src.len() / 4 * 3 + 3);
    let mut si = 0usize;
    while si < src.len() {
        // One quantum of up to four symbols (Go's decodeQuantum).
        let mut dbuf = [0u8; 4];
        let mut dlen = 4usize;
        let mut j = 0usize;
        let mut trailing_err: Option<usize> = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Padding is mandatory for StdEncoding.
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            let v = map[c as usize];
            if v != 0xff {
                dbuf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != b'=' {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_err = Some(si);
            }
            dlen = j;
            break;
        }
        let val = (u32::from(dbuf[0]) << 18)
            | (u32::from(dbuf[1]) << 12)
            | (u32::from(dbuf[2]) << 6)
            | u32::from(dbuf[3]);
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        let n = dlen.saturating_sub(1).min(3);
        out.extend_from_slice(&bytes[..n]);
        if let Some(pos) = trailing_err {
            return Err(pos);
        }
    }
    Ok(out)
}

/// Go's `base32.StdEncoding.DecodeString` (newlines stripped first, then strict quanta).
pub(crate) fn go_base32_decode(input: &[u8]) -> Result<Vec<u8>, usize> {
    let map = decode_map(B32);
    let src: Vec<u8> = input
        .iter()
        .copied()
        .filter(|&c| c != b'\n' && c != b'\r')
        .collect();
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::with_capacity(olen / 8 * 5 + 5);
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut dbuf = [0u8; 8];
        let mut dlen = 8usize;
        let mut j = 0usize;
        while j < 8 {
            let Some((&c, tail)) = rest.split_first() else {
                return Err(olen - j);
            };
            rest = tail;
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(olen);
                }
                for k in 0..(7 - j) {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(olen - rest.len() + k - 1);
                    }
                }
                dlen = j;
                end = true;
                if matches!(dlen, 1 | 3 | 6) {
                    return Err(olen - rest.len() - 1);
                }
                break;
            }
            let v = map[c as usize];
            if v == 0xff {
                return Err(olen - rest.len() - 1);
            }
            dbuf[j] = v;
            j += 1;
        }
        let d = dbuf;
        let all = [
            (d[0] << 3) | (d[1] >> 2),
            (d[1] << 6) | (d[2] << 1) | (d[3] >> 4),
            (d[3] << 4) | (d[4] >> 1),
            (d[4] << 7) | (d[5] << 2) | (d[6] >> 3),
            (d[6] << 5) | d[7],
        ];
        let n = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(&all[..n]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_go_errors() {
        // Expected texts checked against Go's encoding/base64 and encoding/base32 (sprig
        // v3.3.0 b64dec, b32dec).
        let cases: &[(fn(&[Value]) -> FuncResult, &str, &str)] = &[
            (b64enc, "coffee", "Y29mZmVl"),
            (b64dec, "Y29mZmVl", "coffee"),
            (b64dec, "Y29m\nZmVl", "coffee"),
            (b64dec, "aGk=", "hi"),
            (b64dec, "aGk", "illegal base64 data at input byte 0"),
            (b64dec, "a!Gk", "illegal base64 data at input byte 1"),
            (b64dec, "aGk=x", "illegal base64 data at input byte 4"),
            (b64dec, "aG==", "h"),
            (b64dec, "aG=", "illegal base64 data at input byte 3"),
            (b64dec, "", ""),
            (b32enc, "coffee", "MNXWMZTFMU======"),
            (b32dec, "MNXWMZTFMU======", "coffee"),
            (b32dec, "MNXWMZTFMU", "illegal base32 data at input byte 8"),
            (b32dec, "mnxw", "illegal base32 data at input byte 0"),
        ];
        for (f, input, want) in cases {
            assert_eq!(
                f(&[Value::str(input)]).unwrap().as_str(),
                Some(*want),
                "{input:?}"
            );
        }
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decoders_never_panic(s in "[A-Za-z0-9+/=\r\n!]{0,40}") {
            let _ = go_base64_decode(s.as_bytes());
            let _ = go_base32_decode(s.as_bytes());
        }

        #[test]
        fn base64_round_trips(s in ".{0,40}") {
            // U+10FF00..=U+10FFFF stand for raw (non-UTF-8) bytes of Go strings (see
            // gocompat::gostring): such a character encodes as its byte, by design.
            prop_assume!(!s.chars().any(|c| (0x10FF00..=0x10FFFF).contains(&u32::from(c))));
            let enc = b64enc(&[Value::str(&s)]).unwrap();
            prop_assert_eq!(b64dec(&[enc]).unwrap(), Value::str(&s));
            let enc = b32enc(&[Value::str(&s)]).unwrap();
            prop_assert_eq!(b32dec(&[enc]).unwrap(), Value::str(&s));
        }
    }
}
