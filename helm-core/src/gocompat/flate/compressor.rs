//! The DEFLATE compressor of Go's `compress/flate` (`deflate.go`): window handling, hash
//! chains, lazy matching and when blocks are cut, for every level Go accepts.
//!
//! Output depends on where the caller's writes split the input only through Go's own
//! write loop, which is reproduced here: each `write` runs a compression step before filling
//! the window, so a caller that writes the same chunks Go's caller wrote gets the same bytes.

use super::bitwriter::{BitWriter, MAX_STORE_BLOCK_SIZE};
use super::fast::{common_prefix, DeflateFast};
use super::token::{literal_token, match_token, Token};
use super::FlateError;

const LOG_WINDOW_SIZE: usize = 15;
const WINDOW_SIZE: usize = 1 << LOG_WINDOW_SIZE;
const WINDOW_MASK: usize = WINDOW_SIZE - 1;
const BASE_MATCH_LENGTH: usize = 3;
/// Go never emits matches shorter than 4 (the hash covers 4 bytes).
const MIN_MATCH_LENGTH: usize = 4;
const MAX_MATCH_LENGTH: usize = 258;
const BASE_MATCH_OFFSET: usize = 1;
/// A block is cut after this many tokens.
const MAX_FLATE_BLOCK_TOKENS: usize = 1 << 14;
const HASH_BITS: u32 = 17;
const HASH_SIZE: usize = 1 << HASH_BITS;
const HASH_MASK: u32 = (1 << HASH_BITS) - 1;
/// Hash-table positions are rebased once their offset passes this.
const MAX_HASH_OFFSET: isize = 1 << 24;
const SKIP_NEVER: usize = i32::MAX as usize;
const HASH_MUL: u32 = 0x1e35a7bd;

/// Go's `NoCompression`, `BestSpeed`, `BestCompression`, `DefaultCompression`, `HuffmanOnly`.
pub const NO_COMPRESSION: i32 = 0;
pub const BEST_SPEED: i32 = 1;
pub const BEST_COMPRESSION: i32 = 9;
pub const DEFAULT_COMPRESSION: i32 = -1;
pub const HUFFMAN_ONLY: i32 = -2;

/// Tuning of one level: matches at least `good` long search a quarter of the chain; no lazy
/// search after a match of `lazy`; stop at a match of `nice`; follow at most `chain` links;
/// matches up to `fast_skip_hashing` long get every position hashed (levels 2–3 only).
#[derive(Clone, Copy)]
struct Level {
    good: usize,
    lazy: usize,
    nice: usize,
    chain: usize,
    fast_skip_hashing: usize,
}

const fn level(good: usize, lazy: usize, nice: usize, chain: usize, skip: usize) -> Level {
    Level {
        good,
        lazy,
        nice,
        chain,
        fast_skip_hashing: skip,
    }
}

/// Levels 2–9 (Go's `levels` table).
const LEVELS: [Level; 8] = [
    level(4, 0, 16, 8, 5),
    level(4, 0, 32, 32, 6),
    level(4, 4, 16, 16, SKIP_NEVER),
    level(8, 16, 32, 32, SKIP_NEVER),
    level(8, 16, 128, 128, SKIP_NEVER),
    level(8, 32, 128, 256, SKIP_NEVER),
    level(32, 128, 258, 1024, SKIP_NEVER),
    level(32, 258, 258, 4096, SKIP_NEVER),
];

/// The step function Go picks for the level.
enum Mode {
    /// Level 0: stored blocks of up to 64 KiB.
    Store,
    /// Huffman-only: literal blocks of up to 64 KiB.
    Huff,
    /// Level 1.
    Fast(Box<DeflateFast>),
    /// Levels 2–9.
    Deflate(Box<Chains>),
}

/// Hash chains of levels 2–9. `hash_head[h]` is the latest position (plus `hash_offset`)
/// whose 4 bytes hash to `h`; `hash_prev[p & WINDOW_MASK]` the one before it.
struct Chains {
    head: Vec<u32>,
    prev: Vec<u32>,
}

/// A DEFLATE stream writer with Go's output (`flate.NewWriter` / `Write` / `Close`).
pub struct Deflater {
    w: BitWriter,
    mode: Mode,
    lv: Level,
    window: Vec<u8>,
    /// Unprocessed input is `window[index..window_end]`.
    index: usize,
    window_end: usize,
    /// Where the pending tokens start in the window; `None` once that has been shifted out.
    block_start: Option<usize>,
    /// `window[index - 1]` still has to be emitted (lazy matching).
    byte_available: bool,
    sync: bool,
    tokens: Vec<Token>,
    length: usize,
    offset: usize,
    max_insert_index: usize,
    chain_head: isize,
    hash_offset: isize,
}

#[inline]
fn hash4(b: &[u8]) -> u32 {
    let v = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    v.wrapping_mul(HASH_MUL) >> (32 - HASH_BITS)
}

impl Deflater {
    /// A compressor at `level` (−2 to 9; −1 is Go's default, level 6).
    pub fn new(level: i32) -> Result<Self, FlateError> {
        Self::with_output(level, Vec::new())
    }

    /// Like [`Self::new`], appending the stream to `out` (which may hold a header already).
    pub fn with_output(level: i32, out: Vec<u8>) -> Result<Self, FlateError> {
        let zero = Level {
            good: 0,
            lazy: 0,
            nice: 0,
            chain: 0,
            fast_skip_hashing: 0,
        };
        let (mode, lv, window_len, tokens_cap) = match level {
            NO_COMPRESSION => (Mode::Store, zero, MAX_STORE_BLOCK_SIZE, 0),
            HUFFMAN_ONLY => (Mode::Huff, zero, MAX_STORE_BLOCK_SIZE, 0),
            BEST_SPEED => (
                Mode::Fast(Box::new(DeflateFast::new())),
                zero,
                MAX_STORE_BLOCK_SIZE,
                MAX_STORE_BLOCK_SIZE,
            ),
            -1 | 2..=9 => {
                let l = if level == DEFAULT_COMPRESSION {
                    6
                } else {
                    level
                };
                (
                    Mode::Deflate(Box::new(Chains {
                        head: vec![0; HASH_SIZE],
                        prev: vec![0; WINDOW_SIZE],
                    })),
                    LEVELS[(l - 2) as usize],
                    2 * WINDOW_SIZE,
                    MAX_FLATE_BLOCK_TOKENS + 1,
                )
            }
            _ => return Err(FlateError::InvalidLevel(level)),
        };
        Ok(Deflater {
            w: BitWriter::new(out),
            mode,
            lv,
            window: vec![0; window_len],
            index: 0,
            window_end: 0,
            block_start: Some(0),
            byte_available: false,
            sync: false,
            tokens: Vec::with_capacity(tokens_cap),
            length: MIN_MATCH_LENGTH - 1,
            offset: 0,
            max_insert_index: 0,
            chain_head: -1,
            hash_offset: 1,
        })
    }

    /// Compresses `b`; split the input into the same writes as a Go caller to get its bytes.
    pub fn write(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            self.step();
            let n = self.fill(b);
            b = &b[n..];
        }
    }

    /// Flushes everything, ends the stream and returns it.
    pub fn finish(mut self) -> Vec<u8> {
        self.sync = true;
        self.step();
        self.w.write_stored_header(0, true);
        self.w.flush();
        std::mem::take(&mut self.w.out)
    }

    fn fill(&mut self, b: &[u8]) -> usize {
        if matches!(self.mode, Mode::Deflate(_)) {
            self.slide_window();
        }
        let room = &mut self.window[self.window_end..];
        let n = room.len().min(b.len());
        room[..n].copy_from_slice(&b[..n]);
        self.window_end += n;
        n
    }

    fn step(&mut self) {
        match self.mode {
            Mode::Store => self.store(),
            Mode::Huff => self.store_huff(),
            Mode::Fast(_) => self.enc_speed(),
            Mode::Deflate(_) => self.deflate(),
        }
    }

    /// When the window's second half is nearly used, moves it down by `WINDOW_SIZE`.
    fn slide_window(&mut self) {
        if self.index < 2 * WINDOW_SIZE - (MIN_MATCH_LENGTH + MAX_MATCH_LENGTH) {
            return;
        }
        self.window.copy_within(WINDOW_SIZE..2 * WINDOW_SIZE, 0);
        self.index -= WINDOW_SIZE;
        self.window_end -= WINDOW_SIZE;
        self.block_start = match self.block_start {
            Some(s) if s >= WINDOW_SIZE => Some(s - WINDOW_SIZE),
            _ => None,
        };
        self.hash_offset += WINDOW_SIZE as isize;
        if self.hash_offset > MAX_HASH_OFFSET {
            let delta = self.hash_offset - 1;
            self.hash_offset -= delta;
            self.chain_head -= delta;
            if let Mode::Deflate(c) = &mut self.mode {
                for v in c.prev.iter_mut().chain(c.head.iter_mut()) {
                    *v = if *v as isize > delta {
                        (*v as isize - delta) as u32
                    } else {
                        0
                    };
                }
            }
        }
    }

    fn store(&mut self) {
        if self.window_end > 0 && (self.window_end == MAX_STORE_BLOCK_SIZE || self.sync) {
            self.w
                .write_stored_block(&self.window[..self.window_end], false);
            self.window_end = 0;
        }
    }

    fn store_huff(&mut self) {
        if self.window_end < self.window.len() && !self.sync || self.window_end == 0 {
            return;
        }
        self.w
            .write_block_huff(false, &self.window[..self.window_end]);
        self.window_end = 0;
    }

    fn enc_speed(&mut self) {
        let Mode::Fast(fast) = &mut self.mode else {
            return;
        };
        // Compress only full 64 KiB blocks, except when flushing.
        if self.window_end < MAX_STORE_BLOCK_SIZE {
            if !self.sync {
                return;
            }
            if self.window_end < 128 {
                match self.window_end {
                    0 => return,
                    1..=16 => self
                        .w
                        .write_stored_block(&self.window[..self.window_end], false),
                    _ => self
                        .w
                        .write_block_huff(false, &self.window[..self.window_end]),
                }
                self.window_end = 0;
                fast.reset();
                return;
            }
        }
        self.tokens.clear();
        fast.encode(&mut self.tokens, &self.window[..self.window_end]);
        // Less than 1/16 removed: literals only.
        if self.tokens.len() > self.window_end - (self.window_end >> 4) {
            self.w
                .write_block_huff(false, &self.window[..self.window_end]);
        } else {
            self.w
                .write_block_dynamic(&self.tokens, false, Some(&self.window[..self.window_end]));
        }
        self.window_end = 0;
    }

    /// Writes the pending tokens as a block ending at window position `index`.
    fn write_block(&mut self, index: usize) {
        if index > 0 {
            let raw = match self.block_start {
                Some(s) if s <= index => Some(&self.window[s..index]),
                _ => None,
            };
            self.w.write_block(&self.tokens, false, raw);
            self.block_start = Some(index);
        }
        self.tokens.clear();
    }

    /// The longest match for `pos` better than `prev_length`, following the chain from
    /// `prev_head` for at most the level's chain length; `(length, offset)` when found.
    fn find_match(
        &self,
        chains: &Chains,
        pos: usize,
        prev_head: isize,
        prev_length: usize,
        lookahead: usize,
    ) -> Option<(usize, usize)> {
        let min_match_look = MAX_MATCH_LENGTH.min(lookahead);
        let win = &self.window[..pos + min_match_look];
        let nice = (win.len() - pos).min(self.lv.nice);
        let mut tries = self.lv.chain;
        let mut length = prev_length;
        if length >= self.lv.good {
            tries >>= 2;
        }
        let mut w_end = win[pos + length];
        let w_pos = &win[pos..];
        let min_index = pos as isize - WINDOW_SIZE as isize;
        let mut found = None;
        let mut i = prev_head;
        while tries > 0 {
            let iu = i as usize;
            if w_end == win[iu + length] {
                let n = common_prefix(&win[iu..iu + min_match_look], w_pos);
                if n > length && (n > MIN_MATCH_LENGTH || pos - iu <= 4096) {
                    length = n;
                    found = Some((n, pos - iu));
                    if n >= nice {
                        break;
                    }
                    w_end = win[pos + n];
                }
            }
            if i == min_index {
                // This position's `prev` slot already holds a newer position.
                break;
            }
            i = chains.prev[iu & WINDOW_MASK] as isize - self.hash_offset;
            if i < min_index || i < 0 {
                break;
            }
            tries -= 1;
        }
        found
    }

    fn insert_hash(&self, chains: &mut Chains, index: usize) {
        let h = hash4(&self.window[index..index + MIN_MATCH_LENGTH]);
        let hh = &mut chains.head[(h & HASH_MASK) as usize];
        chains.prev[index & WINDOW_MASK] = *hh;
        *hh = (index as isize + self.hash_offset) as u32;
    }

    /// Levels 2–9: LZ77 over the window (greedy for 2–3, lazy for 4–9), cutting a block every
    /// `MAX_FLATE_BLOCK_TOKENS` tokens and at the end.
    fn deflate(&mut self) {
        if self.window_end - self.index < MIN_MATCH_LENGTH + MAX_MATCH_LENGTH && !self.sync {
            return;
        }
        let mut chains = match std::mem::replace(&mut self.mode, Mode::Store) {
            Mode::Deflate(c) => c,
            other => {
                self.mode = other;
                return;
            }
        };
        self.deflate_with(&mut chains);
        self.mode = Mode::Deflate(chains);
    }

    fn deflate_with(&mut self, chains: &mut Chains) {
        self.max_insert_index = self.window_end.saturating_sub(MIN_MATCH_LENGTH - 1);
        let skip_never = self.lv.fast_skip_hashing == SKIP_NEVER;
        loop {
            let lookahead = self.window_end - self.index;
            if lookahead < MIN_MATCH_LENGTH + MAX_MATCH_LENGTH {
                if !self.sync {
                    return;
                }
                if lookahead == 0 {
                    if self.byte_available {
                        // The byte before `index` is still owed.
                        self.tokens.push(literal_token(self.window[self.index - 1]));
                        self.byte_available = false;
                    }
                    if !self.tokens.is_empty() {
                        self.write_block(self.index);
                    }
                    return;
                }
            }
            if self.index < self.max_insert_index {
                let h = hash4(&self.window[self.index..self.index + MIN_MATCH_LENGTH]);
                let hh = &mut chains.head[(h & HASH_MASK) as usize];
                self.chain_head = *hh as isize;
                chains.prev[self.index & WINDOW_MASK] = self.chain_head as u32;
                *hh = (self.index as isize + self.hash_offset) as u32;
            }
            let prev_length = self.length;
            let prev_offset = self.offset;
            self.length = MIN_MATCH_LENGTH - 1;
            self.offset = 0;
            let min_index = (self.index as isize - WINDOW_SIZE as isize).max(0);

            let head = self.chain_head - self.hash_offset;
            if head >= min_index
                && (!skip_never && lookahead > MIN_MATCH_LENGTH - 1
                    || skip_never && lookahead > prev_length && prev_length < self.lv.lazy)
            {
                if let Some((l, o)) =
                    self.find_match(chains, self.index, head, MIN_MATCH_LENGTH - 1, lookahead)
                {
                    self.length = l;
                    self.offset = o;
                }
            }
            if !skip_never && self.length >= MIN_MATCH_LENGTH
                || skip_never && prev_length >= MIN_MATCH_LENGTH && self.length <= prev_length
            {
                // Emit the match (for lazy levels the previous one, as this one is no better).
                let (l, o) = if skip_never {
                    (prev_length, prev_offset)
                } else {
                    (self.length, self.offset)
                };
                self.tokens.push(match_token(
                    (l - BASE_MATCH_LENGTH) as u32,
                    (o - BASE_MATCH_OFFSET) as u32,
                ));
                // Hash every position the match covers (index and index-1 are already in),
                // except past the lookahead.
                if self.length <= self.lv.fast_skip_hashing {
                    let new_index = if skip_never {
                        self.index + prev_length - 1
                    } else {
                        self.index + self.length
                    };
                    let mut index = self.index + 1;
                    while index < new_index {
                        if index < self.max_insert_index {
                            self.insert_hash(chains, index);
                        }
                        index += 1;
                    }
                    self.index = index;
                    if skip_never {
                        self.byte_available = false;
                        self.length = MIN_MATCH_LENGTH - 1;
                    }
                } else {
                    // Long greedy matches skip hashing their positions.
                    self.index += self.length;
                }
                if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                    self.write_block(self.index);
                }
            } else {
                if !skip_never || self.byte_available {
                    let i = if skip_never {
                        self.index - 1
                    } else {
                        self.index
                    };
                    self.tokens.push(literal_token(self.window[i]));
                    if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                        self.write_block(i + 1);
                    }
                }
                self.index += 1;
                if skip_never {
                    self.byte_available = true;
                }
            }
        }
    }
}
