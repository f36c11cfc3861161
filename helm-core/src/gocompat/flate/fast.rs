//! Level 1 (best speed): Go's `deflateFast`, a Snappy-like single-probe matcher over blocks of
//! up to 64 KiB that may reach back into the previous block.

use super::bitwriter::MAX_STORE_BLOCK_SIZE;
use super::token::{literal_token, match_token, Token};

const TABLE_BITS: u32 = 14;
const TABLE_SIZE: usize = 1 << TABLE_BITS;
const TABLE_MASK: u32 = TABLE_SIZE as u32 - 1;
const TABLE_SHIFT: u32 = 32 - TABLE_BITS;
/// Offsets are rebased before `cur` could overflow an `i32`.
const BUFFER_RESET: i32 = i32::MAX - MAX_STORE_BLOCK_SIZE as i32 * 2;
const INPUT_MARGIN: i32 = 16 - 1;
const MIN_NON_LITERAL_BLOCK_SIZE: usize = 1 + 1 + INPUT_MARGIN as usize;
const MAX_MATCH_OFFSET: i32 = 1 << 15;
const MAX_MATCH_LENGTH: i32 = 258;
const BASE_MATCH_LENGTH: i32 = 3;
const BASE_MATCH_OFFSET: i32 = 1;

#[derive(Clone, Copy, Default)]
struct TableEntry {
    /// The four bytes found at `offset`.
    val: u32,
    offset: i32,
}

pub(super) struct DeflateFast {
    table: Vec<TableEntry>,
    /// The previous block, empty when unknown.
    prev: Vec<u8>,
    /// Offset of the current block's start in the table's coordinates.
    cur: i32,
}

#[inline]
fn load32(b: &[u8], i: i32) -> u32 {
    let i = i as usize;
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

#[inline]
fn load64(b: &[u8], i: i32) -> u64 {
    let i = i as usize;
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

#[inline]
fn hash(u: u32) -> u32 {
    u.wrapping_mul(0x1e35a7bd) >> TABLE_SHIFT
}

fn emit_literal(dst: &mut Vec<Token>, lit: &[u8]) {
    dst.extend(lit.iter().map(|&b| literal_token(b)));
}

impl DeflateFast {
    pub fn new() -> Self {
        DeflateFast {
            table: vec![TableEntry::default(); TABLE_SIZE],
            prev: Vec::with_capacity(MAX_STORE_BLOCK_SIZE),
            cur: MAX_STORE_BLOCK_SIZE as i32,
        }
    }

    /// Appends the tokens of `src` (at most 64 KiB) to `dst`.
    pub fn encode(&mut self, dst: &mut Vec<Token>, src: &[u8]) {
        if self.cur >= BUFFER_RESET {
            self.shift_offsets();
        }
        if src.len() < MIN_NON_LITERAL_BLOCK_SIZE {
            self.cur += MAX_STORE_BLOCK_SIZE as i32;
            self.prev.clear();
            emit_literal(dst, src);
            return;
        }
        let s_limit = src.len() as i32 - INPUT_MARGIN;
        let mut next_emit: i32 = 0;
        let mut s: i32 = 0;
        let mut cv = load32(src, s);
        let mut next_hash = hash(cv);

        'outer: loop {
            // Look for a 4-byte match, probing less often the longer nothing matches.
            let mut skip: i32 = 32;
            let mut next_s = s;
            let mut candidate;
            loop {
                s = next_s;
                let step = skip >> 5;
                next_s = s + step;
                skip += step;
                if next_s > s_limit {
                    break 'outer;
                }
                let slot = (next_hash & TABLE_MASK) as usize;
                candidate = self.table[slot];
                let now = load32(src, next_s);
                self.table[slot] = TableEntry {
                    offset: s + self.cur,
                    val: cv,
                };
                next_hash = hash(now);
                let offset = s - (candidate.offset - self.cur);
                if offset > MAX_MATCH_OFFSET || cv != candidate.val {
                    cv = now;
                    continue;
                }
                break;
            }
            emit_literal(dst, &src[next_emit as usize..s as usize]);

            // Emit matches for as long as the next position matches too.
            loop {
                s += 4;
                let t = candidate.offset - self.cur + 4;
                let l = self.match_len(s, t, src);
                dst.push(match_token(
                    (l + 4 - BASE_MATCH_LENGTH) as u32,
                    (s - t - BASE_MATCH_OFFSET) as u32,
                ));
                s += l;
                next_emit = s;
                if s >= s_limit {
                    break 'outer;
                }
                let mut x = load64(src, s - 1);
                let prev_hash = hash(x as u32);
                self.table[(prev_hash & TABLE_MASK) as usize] = TableEntry {
                    offset: self.cur + s - 1,
                    val: x as u32,
                };
                x >>= 8;
                let curr_hash = hash(x as u32);
                let slot = (curr_hash & TABLE_MASK) as usize;
                candidate = self.table[slot];
                self.table[slot] = TableEntry {
                    offset: self.cur + s,
                    val: x as u32,
                };
                let offset = s - (candidate.offset - self.cur);
                if offset > MAX_MATCH_OFFSET || x as u32 != candidate.val {
                    cv = (x >> 8) as u32;
                    next_hash = hash(cv);
                    s += 1;
                    break;
                }
            }
        }

        if (next_emit as usize) < src.len() {
            emit_literal(dst, &src[next_emit as usize..]);
        }
        self.cur += src.len() as i32;
        self.prev.clear();
        self.prev.extend_from_slice(src);
    }

    /// Match length (beyond the 4 bytes already known equal) of `src[s..]` against position
    /// `t`, which is in the previous block when negative.
    fn match_len(&self, s: i32, t: i32, src: &[u8]) -> i32 {
        let s = s as usize;
        let s1 = (s + MAX_MATCH_LENGTH as usize - 4).min(src.len());
        let a = &src[s..s1];
        if t >= 0 {
            let b = &src[t as usize..t as usize + a.len()];
            return common_prefix(a, b) as i32;
        }
        let tp = self.prev.len() as i32 + t;
        if tp < 0 {
            return 0;
        }
        let mut b = &self.prev[tp as usize..];
        if b.len() > a.len() {
            b = &b[..a.len()];
        }
        let a = &a[..b.len()];
        let n = common_prefix(a, b);
        if n < b.len() {
            return n as i32;
        }
        if s + n == s1 {
            return n as i32;
        }
        // The match runs off the end of the previous block into the start of this one.
        let a = &src[s + n..s1];
        let b = &src[..a.len()];
        (common_prefix(a, b) + n) as i32
    }

    /// Forgets the previous block (the next block cannot refer back to it).
    pub fn reset(&mut self) {
        self.prev.clear();
        self.cur += MAX_MATCH_OFFSET;
        if self.cur >= BUFFER_RESET {
            self.shift_offsets();
        }
    }

    fn shift_offsets(&mut self) {
        if self.prev.is_empty() {
            self.table.fill(TableEntry::default());
            self.cur = MAX_MATCH_OFFSET + 1;
            return;
        }
        for e in self.table.iter_mut() {
            e.offset = (e.offset - self.cur + MAX_MATCH_OFFSET + 1).max(0);
        }
        self.cur = MAX_MATCH_OFFSET + 1;
    }
}

/// Number of equal leading bytes of `a` and `b` (compared up to the shorter length).
#[inline]
pub(super) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut i = 0;
    while i + 8 <= n {
        let mut x = [0u8; 8];
        let mut y = [0u8; 8];
        x.copy_from_slice(&a[i..i + 8]);
        y.copy_from_slice(&b[i..i + 8]);
        let d = u64::from_le_bytes(x) ^ u64::from_le_bytes(y);
        if d != 0 {
            return i + (d.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}
