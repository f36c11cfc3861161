//! Just enough DER (X.690) to write the certificates Go's `x509.CreateCertificate` writes and
//! to read back the pieces Sprig needs from a CA certificate (raw subject, public key,
//! subject key id). Hand-written so the field order and encodings are exactly Go's.

/// Tag bytes used here.
pub const BOOLEAN: u8 = 0x01;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const UTF8_STRING: u8 = 0x0c;
pub const PRINTABLE_STRING: u8 = 0x13;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;

/// One TLV.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes (minimal, sign-padded).
pub fn uint(be: &[u8]) -> Vec<u8> {
    let skip = be.iter().take_while(|&&b| b == 0).count();
    let mut body: Vec<u8> = be[skip..].to_vec();
    if body.is_empty() || body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    tlv(INTEGER, &body)
}

pub fn small_int(v: u8) -> Vec<u8> {
    uint(&[v])
}

/// An OBJECT IDENTIFIER from its arcs.
pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    if arcs.len() >= 2 {
        push_base128(&mut body, arcs[0] * 40 + arcs[1]);
        for &a in &arcs[2..] {
            push_base128(&mut body, a);
        }
    }
    tlv(OID, &body)
}

fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        tmp.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    tmp.reverse();
    out.extend_from_slice(&tmp);
}

pub fn bit_string(bytes: &[u8], unused: u8) -> Vec<u8> {
    let mut body = vec![unused];
    body.extend_from_slice(bytes);
    tlv(BIT_STRING, &body)
}

/// A parsed TLV: tag, content, and the whole encoding.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads one TLV from the front of `data`, returning it and the rest.
pub fn read(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *data.first()?;
    let first = *data.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2usize)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *data.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    let content = data.get(hdr..end)?;
    Some((
        Tlv {
            tag,
            content,
            raw: &data[..end],
        },
        &data[end..],
    ))
}

/// All TLVs inside a constructed value.
pub fn children(mut data: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let (t, rest) = read(data)?;
        out.push(t);
        data = rest;
    }
    Some(out)
}

/// The unsigned big-endian magnitude of an INTEGER's content.
pub fn int_bytes(content: &[u8]) -> &[u8] {
    let skip = content.iter().take_while(|&&b| b == 0).count();
    &content[skip..]
}

/// The pieces of an X.509 certificate that signing with it as a parent needs.
pub struct ParsedCert {
    pub raw_subject: Vec<u8>,
    pub spki: Vec<u8>,
    pub subject_key_id: Option<Vec<u8>>,
}

/// Structural parse of a DER certificate; `Err` is a short reason.
pub fn parse_certificate(der: &[u8]) -> Result<ParsedCert, String> {
    let malformed = || "x509: malformed certificate".to_string();
    let (cert, rest) = read(der).ok_or_else(malformed)?;
    if cert.tag != SEQUENCE || !rest.is_empty() {
        return Err(malformed());
    }
    let parts = children(cert.content).ok_or_else(malformed)?;
    let tbs = parts
        .first()
        .filter(|t| t.tag == SEQUENCE)
        .ok_or_else(|| "x509: malformed tbs certificate".to_string())?;
    if parts.len() != 3 || parts[1].tag != SEQUENCE || parts[2].tag != BIT_STRING {
        return Err(malformed());
    }
    let mut fields = children(tbs.content)
        .ok_or_else(|| "x509: malformed tbs certificate".to_string())?
        .into_iter();
    let mut f = fields.next().ok_or_else(malformed)?;
    if f.tag == 0xa0 {
        f = fields.next().ok_or_else(malformed)?;
    }
    if f.tag != INTEGER {
        return Err("x509: malformed serial number".into());
    }
    let _sig = fields
        .next()
        .filter(|t| t.tag == SEQUENCE)
        .ok_or_else(|| "x509: malformed signature algorithm identifier".to_string())?;
    let _issuer = fields
        .next()
        .filter(|t| t.tag == SEQUENCE)
        .ok_or_else(|| "x509: malformed issuer".to_string())?;
    let _validity = fields
        .next()
        .filter(|t| t.tag == SEQUENCE)
        .ok_or_else(|| "x509: malformed validity".to_string())?;
    let subject = fields
        .next()
        .filter(|t| t.tag == SEQUENCE)
        .ok_or_else(|| "x509: malformed subject".to_string())?;
    let spki = fields
        .next()
        .filter(|t| t.tag == SEQUENCE)
        .ok_or_else(|| "x509: malformed spki".to_string())?;
    let mut skid = None;
    for f in fields {
        if f.tag != 0xa3 {
            continue;
        }
        let (exts, _) = read(f.content).ok_or_else(|| "x509: malformed extensions".to_string())?;
        for ext in children(exts.content).ok_or_else(|| "x509: malformed extension".to_string())? {
            let items =
                children(ext.content).ok_or_else(|| "x509: malformed extension".to_string())?;
            let (Some(id), Some(val)) = (items.first(), items.last()) else {
                continue;
            };
            if id.raw == oid(&[2, 5, 29, 14]).as_slice() && val.tag == OCTET_STRING {
                if let Some((inner, _)) = read(val.content) {
                    if inner.tag == OCTET_STRING {
                        skid = Some(inner.content.to_vec());
                    }
                }
            }
        }
    }
    Ok(ParsedCert {
        raw_subject: subject.raw.to_vec(),
        spki: spki.raw.to_vec(),
        subject_key_id: skid,
    })
}
