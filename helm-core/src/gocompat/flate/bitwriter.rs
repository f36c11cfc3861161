//! Block writer: Go's `huffmanBitWriter`, which picks each block's encoding and writes it.
//!
//! For a block of tokens it sizes the fixed-Huffman, dynamic-Huffman and (when the block's raw
//! bytes are still in the window) stored encodings and writes the smallest, with Go's exact
//! tie rules and its run-length coding of the code-length tables. Bits go out LSB first; the
//! output bytes do not depend on how Go buffers them, so they are appended to one `Vec`.

use super::huffman::{HCode, HuffmanEncoder, MAX_NUM_LIT};
use super::token::{length_code, offset_code, Token, MATCH_TYPE};

pub(super) const OFFSET_CODE_COUNT: usize = 30;
const END_BLOCK_MARKER: usize = 256;
const LENGTH_CODES_START: usize = 257;
const CODEGEN_CODE_COUNT: usize = 19;
const BAD_CODE: u8 = 255;
/// The largest stored block (and the window of the non-LZ77 levels).
pub(super) const MAX_STORE_BLOCK_SIZE: usize = 65535;

const LENGTH_EXTRA_BITS: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const LENGTH_BASE: [u32; 29] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128,
    160, 192, 224, 255,
];
const OFFSET_EXTRA_BITS: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const OFFSET_BASE: [u32; 30] = [
    0x000000, 0x000001, 0x000002, 0x000003, 0x000004, 0x000006, 0x000008, 0x00000c, 0x000010,
    0x000018, 0x000020, 0x000030, 0x000040, 0x000060, 0x000080, 0x0000c0, 0x000100, 0x000180,
    0x000200, 0x000300, 0x000400, 0x000600, 0x000800, 0x000c00, 0x001000, 0x001800, 0x002000,
    0x003000, 0x004000, 0x006000,
];
/// The order in which code-length code lengths are written (RFC 1951 3.2.7).
const CODEGEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Which table set [`BitWriter::write_block`] chose.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tables {
    Fixed,
    Dynamic,
}

pub(super) struct BitWriter {
    pub out: Vec<u8>,
    bits: u64,
    nbits: u32,
    codegen_freq: [i32; CODEGEN_CODE_COUNT],
    literal_freq: Vec<i32>,
    offset_freq: Vec<i32>,
    /// Run-length coded code lengths, ended by `BAD_CODE` (also scratch for the raw lengths).
    codegen: Vec<u8>,
    literal_encoding: HuffmanEncoder,
    offset_encoding: HuffmanEncoder,
    codegen_encoding: HuffmanEncoder,
    fixed_literal: HuffmanEncoder,
    fixed_offset: HuffmanEncoder,
    /// The distance code of literal-only blocks: one symbol, 1 bit.
    huff_offset: HuffmanEncoder,
    /// Token buffer reused to append the end-of-block marker.
    scratch: Vec<Token>,
}

impl BitWriter {
    pub fn new(out: Vec<u8>) -> Self {
        let mut huff_offset = HuffmanEncoder::new(OFFSET_CODE_COUNT);
        let mut f = vec![0i32; OFFSET_CODE_COUNT];
        f[0] = 1;
        huff_offset.generate(&f, 15);
        BitWriter {
            out,
            bits: 0,
            nbits: 0,
            codegen_freq: [0; CODEGEN_CODE_COUNT],
            literal_freq: vec![0; MAX_NUM_LIT],
            offset_freq: vec![0; OFFSET_CODE_COUNT],
            codegen: vec![0; MAX_NUM_LIT + OFFSET_CODE_COUNT + 1],
            literal_encoding: HuffmanEncoder::new(MAX_NUM_LIT),
            offset_encoding: HuffmanEncoder::new(OFFSET_CODE_COUNT),
            codegen_encoding: HuffmanEncoder::new(CODEGEN_CODE_COUNT),
            fixed_literal: HuffmanEncoder::fixed_literal(),
            fixed_offset: HuffmanEncoder::fixed_offset(),
            huff_offset,
            scratch: Vec::new(),
        }
    }

    /// Writes out the pending bits, the last byte padded with zero bits.
    pub fn flush(&mut self) {
        while self.nbits > 0 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.nbits = self.nbits.saturating_sub(8);
        }
        self.bits = 0;
    }

    #[inline]
    fn write_bits(&mut self, b: u32, nb: u32) {
        self.bits |= u64::from(b) << self.nbits;
        self.nbits += nb;
        if self.nbits >= 48 {
            self.out.extend_from_slice(&self.bits.to_le_bytes()[..6]);
            self.bits >>= 48;
            self.nbits -= 48;
        }
    }

    #[inline]
    fn write_code(&mut self, c: HCode) {
        self.write_bits(u32::from(c.code), u32::from(c.len));
    }

    /// Raw bytes after a stored-block header (the bit position is byte aligned there).
    fn write_bytes(&mut self, bytes: &[u8]) {
        debug_assert_eq!(self.nbits % 8, 0);
        self.flush();
        self.out.extend_from_slice(bytes);
    }

    pub fn write_stored_header(&mut self, length: usize, eof: bool) {
        self.write_bits(u32::from(eof), 3);
        self.flush();
        self.write_bits(length as u32 & 0xffff, 16);
        self.write_bits(!(length as u16) as u32, 16);
    }

    pub fn write_stored_block(&mut self, input: &[u8], eof: bool) {
        self.write_stored_header(input.len(), eof);
        self.write_bytes(input);
    }

    fn write_fixed_header(&mut self, eof: bool) {
        self.write_bits(if eof { 3 } else { 2 }, 3);
    }

    /// Run-length codes the literal and offset code lengths into `self.codegen` and counts the
    /// code-length symbols into `self.codegen_freq` (RFC 1951 3.2.7, with Go's choice of runs).
    fn generate_codegen(&mut self, num_literals: usize, num_offsets: usize, dynamic_offsets: bool) {
        self.codegen_freq = [0; CODEGEN_CODE_COUNT];
        let off_enc = if dynamic_offsets {
            &self.offset_encoding
        } else {
            &self.huff_offset
        };
        let codegen = &mut self.codegen;
        let lit = self.literal_encoding.codes[..num_literals].iter();
        let off = off_enc.codes[..num_offsets].iter();
        for (dst, c) in codegen.iter_mut().zip(lit.chain(off)) {
            *dst = c.len as u8;
        }
        codegen[num_literals + num_offsets] = BAD_CODE;

        let freq = &mut self.codegen_freq;
        let mut size = codegen[0];
        let mut count: i32 = 1;
        let mut out = 0usize;
        let mut inp = 1usize;
        while size != BAD_CODE {
            // `count` copies of `size` seen and not yet written.
            let next = codegen[inp];
            inp += 1;
            if next == size {
                count += 1;
                continue;
            }
            if size != 0 {
                codegen[out] = size;
                out += 1;
                freq[usize::from(size)] += 1;
                count -= 1;
                while count >= 3 {
                    let n = count.min(6);
                    codegen[out] = 16;
                    codegen[out + 1] = (n - 3) as u8;
                    out += 2;
                    freq[16] += 1;
                    count -= n;
                }
            } else {
                while count >= 11 {
                    let n = count.min(138);
                    codegen[out] = 18;
                    codegen[out + 1] = (n - 11) as u8;
                    out += 2;
                    freq[18] += 1;
                    count -= n;
                }
                if count >= 3 {
                    codegen[out] = 17;
                    codegen[out + 1] = (count - 3) as u8;
                    out += 2;
                    freq[17] += 1;
                    count = 0;
                }
            }
            while count > 0 {
                codegen[out] = size;
                out += 1;
                freq[usize::from(size)] += 1;
                count -= 1;
            }
            size = next;
            count = 1;
        }
        codegen[out] = BAD_CODE;
    }

    /// Size in bits of the block with dynamic tables, and how many code-length lengths to send.
    fn dynamic_size(&self, dynamic_offsets: bool, extra_bits: i64) -> (i64, usize) {
        let mut num_codegens = CODEGEN_CODE_COUNT;
        while num_codegens > 4 && self.codegen_freq[CODEGEN_ORDER[num_codegens - 1]] == 0 {
            num_codegens -= 1;
        }
        let header = 3
            + 5
            + 5
            + 4
            + 3 * num_codegens as i64
            + self.codegen_encoding.bit_length(&self.codegen_freq)
            + i64::from(self.codegen_freq[16]) * 2
            + i64::from(self.codegen_freq[17]) * 3
            + i64::from(self.codegen_freq[18]) * 7;
        let off_enc = if dynamic_offsets {
            &self.offset_encoding
        } else {
            &self.huff_offset
        };
        let size = header
            + self.literal_encoding.bit_length(&self.literal_freq)
            + off_enc.bit_length(&self.offset_freq)
            + extra_bits;
        (size, num_codegens)
    }

    fn fixed_size(&self, extra_bits: i64) -> i64 {
        3 + self.fixed_literal.bit_length(&self.literal_freq)
            + self.fixed_offset.bit_length(&self.offset_freq)
            + extra_bits
    }

    /// Stored size in bits including the header, when the input fits one stored block.
    fn stored_size(input: Option<&[u8]>) -> Option<i64> {
        match input {
            Some(b) if b.len() <= MAX_STORE_BLOCK_SIZE => Some((b.len() as i64 + 5) * 8),
            _ => None,
        }
    }

    fn write_dynamic_header(
        &mut self,
        num_literals: usize,
        num_offsets: usize,
        num_codegens: usize,
        eof: bool,
    ) {
        self.write_bits(if eof { 5 } else { 4 }, 3);
        self.write_bits((num_literals - 257) as u32, 5);
        self.write_bits((num_offsets - 1) as u32, 5);
        self.write_bits((num_codegens - 4) as u32, 4);
        for &sym in &CODEGEN_ORDER[..num_codegens] {
            let len = self.codegen_encoding.codes[sym].len;
            self.write_bits(u32::from(len), 3);
        }
        let mut i = 0;
        loop {
            let word = self.codegen[i];
            i += 1;
            if word == BAD_CODE {
                break;
            }
            let c = self.codegen_encoding.codes[usize::from(word)];
            self.write_code(c);
            let extra = match word {
                16 => 2,
                17 => 3,
                18 => 7,
                _ => continue,
            };
            let v = self.codegen[i];
            i += 1;
            self.write_bits(u32::from(v), extra);
        }
    }

    /// Counts the tokens' symbols and rebuilds the dynamic codes; returns how many literal
    /// and offset code lengths the block needs.
    fn index_tokens(&mut self, tokens: &[Token]) -> (usize, usize) {
        self.literal_freq.fill(0);
        self.offset_freq.fill(0);
        for &t in tokens {
            if t < MATCH_TYPE {
                self.literal_freq[t as usize] += 1;
                continue;
            }
            let (length, offset) = super::token::length_offset(t);
            self.literal_freq[LENGTH_CODES_START + length_code(length) as usize] += 1;
            self.offset_freq[offset_code(offset) as usize] += 1;
        }
        let mut num_literals = self.literal_freq.len();
        while self.literal_freq[num_literals - 1] == 0 {
            num_literals -= 1;
        }
        let mut num_offsets = self.offset_freq.len();
        while num_offsets > 0 && self.offset_freq[num_offsets - 1] == 0 {
            num_offsets -= 1;
        }
        if num_offsets == 0 {
            // A dynamic header must describe at least one distance code.
            self.offset_freq[0] = 1;
            num_offsets = 1;
        }
        self.literal_encoding.generate(&self.literal_freq, 15);
        self.offset_encoding.generate(&self.offset_freq, 15);
        (num_literals, num_offsets)
    }

    fn tokens_with_eob(&mut self, tokens: &[Token]) -> Vec<Token> {
        let mut t = std::mem::take(&mut self.scratch);
        t.clear();
        t.extend_from_slice(tokens);
        t.push(END_BLOCK_MARKER as Token);
        t
    }

    /// Writes `tokens` as the smallest of fixed, dynamic and (when `input`, the block's raw
    /// bytes, is given and fits) stored.
    pub fn write_block(&mut self, tokens: &[Token], eof: bool, input: Option<&[u8]>) {
        let tokens = self.tokens_with_eob(tokens);
        let (num_literals, num_offsets) = self.index_tokens(&tokens);

        let stored = Self::stored_size(input);
        let mut extra_bits: i64 = 0;
        if stored.is_some() {
            // Extra length/distance bits cost the same in fixed and dynamic; they only matter
            // against the stored size.
            for code in LENGTH_CODES_START + 8..num_literals {
                extra_bits += i64::from(self.literal_freq[code])
                    * i64::from(LENGTH_EXTRA_BITS[code - LENGTH_CODES_START]);
            }
            for (f, extra) in self.offset_freq[..num_offsets]
                .iter()
                .zip(OFFSET_EXTRA_BITS)
                .skip(4)
            {
                extra_bits += i64::from(*f) * i64::from(extra);
            }
        }

        let mut tables = Tables::Fixed;
        let mut size = self.fixed_size(extra_bits);

        self.generate_codegen(num_literals, num_offsets, true);
        let cf = self.codegen_freq;
        self.codegen_encoding.generate(&cf, 7);
        let (dynamic_size, num_codegens) = self.dynamic_size(true, extra_bits);
        if dynamic_size < size {
            size = dynamic_size;
            tables = Tables::Dynamic;
        }

        match (stored, input) {
            (Some(ss), Some(raw)) if ss < size => {
                self.write_stored_block(raw, eof);
            }
            _ => {
                if tables == Tables::Fixed {
                    self.write_fixed_header(eof);
                    self.write_tokens(&tokens, Tables::Fixed);
                } else {
                    self.write_dynamic_header(num_literals, num_offsets, num_codegens, eof);
                    self.write_tokens(&tokens, Tables::Dynamic);
                }
            }
        }
        self.scratch = tokens;
    }

    /// Writes `tokens` with dynamic tables, or stored when that saves less than 1/16.
    pub fn write_block_dynamic(&mut self, tokens: &[Token], eof: bool, input: Option<&[u8]>) {
        let tokens = self.tokens_with_eob(tokens);
        let (num_literals, num_offsets) = self.index_tokens(&tokens);
        self.generate_codegen(num_literals, num_offsets, true);
        let cf = self.codegen_freq;
        self.codegen_encoding.generate(&cf, 7);
        let (size, num_codegens) = self.dynamic_size(true, 0);
        match (Self::stored_size(input), input) {
            (Some(ss), Some(raw)) if ss < size + (size >> 4) => self.write_stored_block(raw, eof),
            _ => {
                self.write_dynamic_header(num_literals, num_offsets, num_codegens, eof);
                self.write_tokens(&tokens, Tables::Dynamic);
            }
        }
        self.scratch = tokens;
    }

    fn write_tokens(&mut self, tokens: &[Token], tables: Tables) {
        let (le, oe) = match tables {
            Tables::Fixed => (
                std::mem::take(&mut self.fixed_literal.codes),
                std::mem::take(&mut self.fixed_offset.codes),
            ),
            Tables::Dynamic => (
                std::mem::take(&mut self.literal_encoding.codes),
                std::mem::take(&mut self.offset_encoding.codes),
            ),
        };
        for &t in tokens {
            if t < MATCH_TYPE {
                self.write_code(le[t as usize]);
                continue;
            }
            let (length, offset) = super::token::length_offset(t);
            let lc = length_code(length) as usize;
            self.write_code(le[lc + LENGTH_CODES_START]);
            let extra = u32::from(LENGTH_EXTRA_BITS[lc]);
            if extra > 0 {
                self.write_bits(length - LENGTH_BASE[lc], extra);
            }
            let oc = offset_code(offset) as usize;
            self.write_code(oe[oc]);
            let extra = u32::from(OFFSET_EXTRA_BITS[oc]);
            if extra > 0 {
                self.write_bits(offset - OFFSET_BASE[oc], extra);
            }
        }
        match tables {
            Tables::Fixed => {
                self.fixed_literal.codes = le;
                self.fixed_offset.codes = oe;
            }
            Tables::Dynamic => {
                self.literal_encoding.codes = le;
                self.offset_encoding.codes = oe;
            }
        }
    }

    /// Writes `input` as literals only (dynamic tables), or stored when that saves less than
    /// 1/16.
    pub fn write_block_huff(&mut self, eof: bool, input: &[u8]) {
        self.literal_freq.fill(0);
        for &b in input {
            self.literal_freq[usize::from(b)] += 1;
        }
        self.literal_freq[END_BLOCK_MARKER] = 1;
        const NUM_LITERALS: usize = END_BLOCK_MARKER + 1;
        // The other distance counts keep their values from earlier blocks; the one-symbol
        // distance code gives them length 0, so they never count.
        self.offset_freq[0] = 1;
        const NUM_OFFSETS: usize = 1;

        self.literal_encoding.generate(&self.literal_freq, 15);
        self.generate_codegen(NUM_LITERALS, NUM_OFFSETS, false);
        let cf = self.codegen_freq;
        self.codegen_encoding.generate(&cf, 7);
        let (size, num_codegens) = self.dynamic_size(false, 0);

        if let Some(ss) = Self::stored_size(Some(input)) {
            if ss < size + (size >> 4) {
                self.write_stored_block(input, eof);
                return;
            }
        }
        self.write_dynamic_header(NUM_LITERALS, NUM_OFFSETS, num_codegens, eof);
        let codes = std::mem::take(&mut self.literal_encoding.codes);
        for &b in input {
            self.write_code(codes[usize::from(b)]);
        }
        self.write_code(codes[END_BLOCK_MARKER]);
        self.literal_encoding.codes = codes;
    }
}
