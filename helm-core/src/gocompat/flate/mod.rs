//! Go's DEFLATE and gzip *compressors* (`compress/flate`, `compress/gzip`), byte for byte.
//!
//! Why: Helm writes chart archives (`helm package`, the layer pushed to OCI registries) and
//! release records with Go's compressor. DEFLATE leaves every choice to the compressor (which
//! matches to take, where blocks end, which Huffman tables), so another compressor — flate2,
//! zlib — gives valid but different bytes. With Go's choices reproduced, a chart packaged here
//! has the same `.tgz` bytes, hence the same SHA-256 and OCI digest, as the one Helm packages
//! from the same files, and archives stay reproducible across both tools.
//!
//! What is reproduced: the hash chains, lazy matching and level table of `deflate.go` (levels
//! 2–9, −1 = 6), level 1's `deflatefast.go`, level 0 (stored) and −2 (Huffman only); the block
//! choice between stored / fixed / dynamic Huffman and the code-length coding of
//! `huffman_bit_writer.go`; the length-limited codes of `huffman_code.go`; and `gzip.Writer`'s
//! header and trailer. Decompression is not here (any inflater reads these streams).
//!
//! Go's output also depends on how the caller splits its writes (each `Write` runs a
//! compression step before buffering), so [`Deflater`] and [`GzipWriter`] take writes in the
//! same pieces; [`gzip_compress`] is one write of the whole buffer. Memory is the 64 KiB window,
//! the 512 KiB hash table and the output; time is linear in the input (chain walks and match
//! lengths are bounded per position by the level).

mod bitwriter;
mod compressor;
mod fast;
mod huffman;
mod token;

pub use compressor::{
    Deflater, BEST_COMPRESSION, BEST_SPEED, DEFAULT_COMPRESSION, HUFFMAN_ONLY, NO_COMPRESSION,
};

/// Why a stream could not be started; Display is Go's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FlateError {
    #[error("flate: invalid compression level {0}: want value in range [-2, 9]")]
    InvalidLevel(i32),
    #[error("gzip: invalid compression level: {0}")]
    InvalidGzipLevel(i32),
    #[error("gzip.Write: Extra data is too large")]
    ExtraTooLarge,
    #[error("gzip.Write: non-Latin-1 header string")]
    NonLatin1,
}

/// The optional gzip header fields Go's `gzip.Header` carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GzipHeader {
    /// File name (FNAME); empty for none. Must be Latin-1 without NUL.
    pub name: String,
    /// Comment (FCOMMENT); empty for none. Must be Latin-1 without NUL.
    pub comment: String,
    /// Extra field (FEXTRA), written when `Some` (even if empty); at most 65535 bytes.
    pub extra: Option<Vec<u8>>,
    /// Modification time in Unix seconds; 0 or earlier writes 0 (no time).
    pub mod_time: i64,
    /// Operating system byte; Go's default is 255 (unknown).
    pub os: u8,
}

impl Default for GzipHeader {
    fn default() -> Self {
        GzipHeader {
            name: String::new(),
            comment: String::new(),
            extra: None,
            mod_time: 0,
            os: 255,
        }
    }
}

/// A header string as Go writes it: each char as one Latin-1 byte, then NUL.
fn latin1(s: &str, out: &mut Vec<u8>) -> Result<(), FlateError> {
    for c in s.chars() {
        let v = u32::from(c);
        if v == 0 || v > 0xff {
            return Err(FlateError::NonLatin1);
        }
        out.push(v as u8);
    }
    out.push(0);
    Ok(())
}

/// A gzip stream writer with Go's output (`gzip.NewWriterLevel`, `Write`, `Close`).
pub struct GzipWriter {
    deflater: Deflater,
    crc: crc32fast::Hasher,
    size: u32,
}

impl GzipWriter {
    pub fn new(level: i32, header: &GzipHeader) -> Result<Self, FlateError> {
        if !(HUFFMAN_ONLY..=BEST_COMPRESSION).contains(&level) {
            return Err(FlateError::InvalidGzipLevel(level));
        }
        let mut flags = 0u8;
        if header.extra.is_some() {
            flags |= 0x04;
        }
        if !header.name.is_empty() {
            flags |= 0x08;
        }
        if !header.comment.is_empty() {
            flags |= 0x10;
        }
        let mtime = if header.mod_time > 0 {
            header.mod_time as u32
        } else {
            0
        };
        let xfl = match level {
            BEST_COMPRESSION => 2,
            BEST_SPEED => 4,
            _ => 0,
        };
        let mut out = vec![0x1f, 0x8b, 8, flags];
        out.extend_from_slice(&mtime.to_le_bytes());
        out.push(xfl);
        out.push(header.os);
        if let Some(extra) = &header.extra {
            let len = u16::try_from(extra.len()).map_err(|_| FlateError::ExtraTooLarge)?;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(extra);
        }
        if !header.name.is_empty() {
            latin1(&header.name, &mut out)?;
        }
        if !header.comment.is_empty() {
            latin1(&header.comment, &mut out)?;
        }
        Ok(GzipWriter {
            deflater: Deflater::with_output(level, out)?,
            crc: crc32fast::Hasher::new(),
            size: 0,
        })
    }

    /// Compresses `b` as one Go `Write` call.
    pub fn write(&mut self, b: &[u8]) {
        self.size = self.size.wrapping_add(b.len() as u32);
        self.crc.update(b);
        self.deflater.write(b);
    }

    /// Ends the stream (`Close`): last block, CRC-32 and size trailer.
    pub fn finish(self) -> Vec<u8> {
        let crc = self.crc.finalize();
        let mut out = self.deflater.finish();
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        out
    }
}

/// `data` as Go's `flate.NewWriter(w, level)` writes it in one `Write` and `Close`.
pub fn deflate(data: &[u8], level: i32) -> Result<Vec<u8>, FlateError> {
    let mut d = Deflater::new(level)?;
    d.write(data);
    Ok(d.finish())
}

/// `data` as Go's `gzip.NewWriterLevel(w, level)` with `header` writes it in one `Write` and
/// `Close`.
pub fn gzip_compress(data: &[u8], level: i32, header: &GzipHeader) -> Result<Vec<u8>, FlateError> {
    let mut z = GzipWriter::new(level, header)?;
    z.write(data);
    Ok(z.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate(d: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(d)
            .read_to_end(&mut out)
            .expect("inflate");
        out
    }

    /// Deterministic pseudo-random bytes (xorshift), `alphabet` distinct values.
    fn noise(n: usize, alphabet: u32, mut seed: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                ((seed >> 32) as u32 % alphabet) as u8
            })
            .collect()
    }

    #[test]
    fn empty_input_is_gos_empty_stream() {
        // Go: flate.NewWriter + Close on nothing writes one final empty stored block.
        assert_eq!(deflate(b"", 6).expect("deflate"), [1, 0, 0, 0xff, 0xff]);
        // gzip of nothing with Go's defaults.
        assert_eq!(
            gzip_compress(b"", -1, &GzipHeader::default()).expect("gzip"),
            [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn every_level_round_trips() {
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            b"a".to_vec(),
            b"hello hello hello hello".to_vec(),
            vec![0u8; 300_000],
            noise(200_000, 256, 7),
            noise(200_000, 4, 9),
        ];
        let text: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("line {} of {}\n", i % 97, i % 13).into_bytes())
            .collect();
        inputs.push(text);
        for level in -2..=9 {
            for inp in &inputs {
                let z = deflate(inp, level).expect("deflate");
                assert_eq!(&inflate(&z), inp, "level {level}, {} bytes", inp.len());
            }
        }
    }

    #[test]
    fn chunked_writes_round_trip() {
        let data = noise(150_000, 3, 1);
        for level in [-2, 0, 1, 2, 6, 9] {
            let mut d = Deflater::new(level).expect("level");
            for c in data.chunks(777) {
                d.write(c);
            }
            assert_eq!(inflate(&d.finish()), data);
        }
    }

    #[test]
    fn bad_levels_and_headers_are_refused_with_gos_messages() {
        assert_eq!(
            Deflater::new(10).err().map(|e| e.to_string()).as_deref(),
            Some("flate: invalid compression level 10: want value in range [-2, 9]")
        );
        assert_eq!(
            GzipWriter::new(-3, &GzipHeader::default())
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("gzip: invalid compression level: -3")
        );
        let h = GzipHeader {
            extra: Some(vec![0; 65536]),
            ..Default::default()
        };
        assert_eq!(
            GzipWriter::new(6, &h).err(),
            Some(FlateError::ExtraTooLarge)
        );
        let h = GzipHeader {
            comment: "snow ☃".into(),
            ..Default::default()
        };
        assert_eq!(GzipWriter::new(6, &h).err(), Some(FlateError::NonLatin1));
    }

    #[test]
    fn header_fields_are_written_like_go() {
        let h = GzipHeader {
            name: "café".into(),
            comment: "Helm".into(),
            extra: Some(b"xy".to_vec()),
            mod_time: 1_600_000_000,
            os: 3,
        };
        let z = gzip_compress(b"x", 9, &h).expect("gzip");
        let mut want = vec![0x1f, 0x8b, 8, 0x1c];
        want.extend_from_slice(&1_600_000_000u32.to_le_bytes());
        want.extend_from_slice(&[2, 3, 2, 0, b'x', b'y', b'c', b'a', b'f', 0xe9, 0, b'H']);
        assert!(z.starts_with(&want), "{z:02x?}");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&z[..])
            .read_to_end(&mut out)
            .expect("gunzip");
        assert_eq!(out, b"x");
    }
}
