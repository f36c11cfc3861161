//! Length-limited canonical Huffman codes, built as Go's `huffmanEncoder.generate` builds them.
//!
//! The code lengths come from a package-merge style walk over levels (one per bit length) that
//! Go runs on the symbols sorted by (frequency, symbol); codes are then handed out per length in
//! symbol order, bit-reversed for the LSB-first stream. Any other optimal construction may pick
//! different lengths where frequencies tie, so the walk is reproduced step by step.

/// Number of literal/length symbols (0–255 literals, 256 end of block, 257–285 lengths).
pub(super) const MAX_NUM_LIT: usize = 286;
/// Bound on `max_bits` plus one: the level tables are sized by it.
const MAX_BITS_LIMIT: usize = 16;

/// A code: its bits (already reversed for the LSB-first writer) and its length in bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct HCode {
    pub code: u16,
    pub len: u16,
}

#[derive(Clone, Copy, Debug, Default)]
struct LiteralNode {
    literal: u16,
    freq: i32,
}

/// One level (bit length) of the length-limiting walk.
#[derive(Clone, Copy, Debug, Default)]
struct LevelInfo {
    level: i32,
    /// Frequency of the last node placed on this level.
    last_freq: i32,
    /// Frequency of the next leaf that could be placed here.
    next_char_freq: i32,
    /// Frequency of the next pair from the level below; valid once that level has made two.
    next_pair_freq: i32,
    /// Nodes still to place on this level before moving up.
    needed: i32,
}

/// A Huffman code table over `codes.len()` symbols, rebuilt in place by [`Self::generate`].
#[derive(Clone, Debug)]
pub(super) struct HuffmanEncoder {
    pub codes: Vec<HCode>,
    nodes: Vec<LiteralNode>,
    bit_count: [i32; 17],
}

pub(super) fn reverse_bits(number: u16, bit_length: u16) -> u16 {
    number
        .wrapping_shl(16 - u32::from(bit_length))
        .reverse_bits()
}

impl HuffmanEncoder {
    pub fn new(size: usize) -> Self {
        HuffmanEncoder {
            codes: vec![HCode::default(); size],
            nodes: Vec::new(),
            bit_count: [0; 17],
        }
    }

    /// RFC 1951's fixed literal/length code.
    pub fn fixed_literal() -> Self {
        let mut h = Self::new(MAX_NUM_LIT);
        for (ch, c) in h.codes.iter_mut().enumerate() {
            let ch = ch as u16;
            let (bits, size) = match ch {
                0..=143 => (ch + 48, 8),
                144..=255 => (ch + 400 - 144, 9),
                256..=279 => (ch - 256, 7),
                _ => (ch + 192 - 280, 8),
            };
            *c = HCode {
                code: reverse_bits(bits, size),
                len: size,
            };
        }
        h
    }

    /// RFC 1951's fixed distance code: 5 bits each.
    pub fn fixed_offset() -> Self {
        let mut h = Self::new(30);
        for (ch, c) in h.codes.iter_mut().enumerate() {
            *c = HCode {
                code: reverse_bits(ch as u16, 5),
                len: 5,
            };
        }
        h
    }

    /// Bits needed to write symbols with these frequencies in this code.
    pub fn bit_length(&self, freq: &[i32]) -> i64 {
        freq.iter()
            .zip(&self.codes)
            .filter(|(f, _)| **f != 0)
            .map(|(f, c)| i64::from(*f) * i64::from(c.len))
            .sum()
    }

    /// Rebuilds the code for `freq` (one entry per symbol) with no code longer than `max_bits`.
    /// Symbols with frequency 0 get length 0 (their code bits are left as they were).
    pub fn generate(&mut self, freq: &[i32], max_bits: i32) {
        if self.nodes.len() < MAX_NUM_LIT + 1 {
            self.nodes.resize(MAX_NUM_LIT + 1, LiteralNode::default());
        }
        let mut count = 0;
        for (i, &f) in freq.iter().enumerate() {
            if f != 0 {
                self.nodes[count] = LiteralNode {
                    literal: i as u16,
                    freq: f,
                };
                count += 1;
            } else {
                self.codes[i].len = 0;
            }
        }
        if count <= 2 {
            // One or two symbols: each gets a 1-bit code, in symbol order.
            for i in 0..count {
                let lit = usize::from(self.nodes[i].literal);
                self.codes[lit] = HCode {
                    code: i as u16,
                    len: 1,
                };
            }
            return;
        }
        self.nodes[..count].sort_unstable_by_key(|n| (n.freq, n.literal));
        let max_bits = self.bit_counts(count, max_bits);
        self.assign_encoding_and_size(count, max_bits);
    }

    /// How many symbols get each bit length (into `self.bit_count[1..=max_bits]`), for the
    /// `n >= 3` symbols in `self.nodes[..n]` sorted by increasing frequency. Returns the
    /// effective `max_bits` (never more than `n - 1`).
    fn bit_counts(&mut self, n: usize, max_bits: i32) -> usize {
        let list = &mut self.nodes;
        list[n] = LiteralNode {
            literal: u16::MAX,
            freq: i32::MAX,
        };
        let n_i = n as i32;
        let max_bits = max_bits.min(n_i - 1) as usize;
        debug_assert!(max_bits < MAX_BITS_LIMIT);

        // Level 0 is a placeholder whose `needed` stays 0, so level 1 never takes pairs.
        let mut levels = [LevelInfo::default(); MAX_BITS_LIMIT + 1];
        // leaf_counts[i][j]: leaves left of the level-j ancestor of level i's rightmost node.
        let mut leaf_counts = [[0i32; MAX_BITS_LIMIT + 1]; MAX_BITS_LIMIT + 1];
        for level in 1..=max_bits {
            levels[level] = LevelInfo {
                level: level as i32,
                last_freq: list[1].freq,
                next_char_freq: list[2].freq,
                next_pair_freq: list[0].freq.wrapping_add(list[1].freq),
                needed: 0,
            };
            leaf_counts[level][level] = 2;
            if level == 1 {
                levels[level].next_pair_freq = i32::MAX;
            }
        }
        // The top level needs 2n - 2 nodes and already has two.
        levels[max_bits].needed = 2 * n_i - 4;

        let mut level = max_bits;
        loop {
            let l = &mut levels[level];
            if l.next_pair_freq == i32::MAX && l.next_char_freq == i32::MAX {
                // Out of leaves and pairs: finish this level and never come back below it.
                l.needed = 0;
                levels[level + 1].next_pair_freq = i32::MAX;
                level += 1;
                continue;
            }
            let prev_freq = l.last_freq;
            if l.next_char_freq < l.next_pair_freq {
                // A leaf comes next on this level.
                let next = leaf_counts[level][level] + 1;
                l.last_freq = l.next_char_freq;
                leaf_counts[level][level] = next;
                l.next_char_freq = list[next as usize].freq;
            } else {
                // A pair from the level below; that level must make two more nodes.
                l.last_freq = l.next_pair_freq;
                let (lower, upper) = leaf_counts.split_at_mut(level);
                upper[0][..level].copy_from_slice(&lower[level - 1][..level]);
                levels[level - 1].needed = 2;
            }
            let l = &mut levels[level];
            l.needed -= 1;
            if l.needed == 0 {
                if l.level as usize == max_bits {
                    break;
                }
                let sum = prev_freq.wrapping_add(l.last_freq);
                levels[level + 1].next_pair_freq = sum;
                level += 1;
            } else {
                while levels[level - 1].needed > 0 {
                    level -= 1;
                }
            }
        }
        debug_assert_eq!(leaf_counts[max_bits][max_bits], n_i);

        // Level `max_bits` ancestors hold the 1-bit leaves, level 1 the `max_bits`-bit ones.
        let counts = &leaf_counts[max_bits];
        for (bits, level) in (1..).zip((1..=max_bits).rev()) {
            self.bit_count[bits] = counts[level] - counts[level - 1];
        }
        max_bits
    }

    /// Hands out canonical codes: the least frequent symbols take the longest codes, and within
    /// one length codes go up in symbol order.
    fn assign_encoding_and_size(&mut self, count: usize, max_bits: usize) {
        let mut code: u16 = 0;
        let mut end = count;
        for n in 0..=max_bits {
            code = code.wrapping_shl(1);
            let bits = self.bit_count[n] as usize;
            if n == 0 || bits == 0 {
                continue;
            }
            let chunk = &mut self.nodes[end - bits..end];
            chunk.sort_unstable_by_key(|node| node.literal);
            for node in chunk.iter() {
                self.codes[usize::from(node.literal)] = HCode {
                    code: reverse_bits(code, n as u16),
                    len: n as u16,
                };
                code = code.wrapping_add(1);
            }
            end -= bits;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kraft sum of the non-zero lengths, as a fraction of 2^15.
    fn kraft(codes: &[HCode]) -> u64 {
        codes
            .iter()
            .filter(|c| c.len > 0)
            .map(|c| 1u64 << (15 - c.len))
            .sum()
    }

    #[test]
    fn lengths_are_limited_and_complete() {
        // Fibonacci frequencies force a deep tree; the limit of 7 must hold and the code stay
        // complete (Kraft sum exactly 1).
        let mut freq = vec![0i32; 19];
        let (mut a, mut b) = (1i32, 1i32);
        for f in freq.iter_mut() {
            *f = a;
            (a, b) = (b, a + b);
        }
        let mut h = HuffmanEncoder::new(19);
        h.generate(&freq, 7);
        assert!(h.codes.iter().all(|c| c.len >= 1 && c.len <= 7));
        assert_eq!(kraft(&h.codes), 1 << 15);
    }

    #[test]
    fn one_or_two_symbols_get_one_bit() {
        let mut h = HuffmanEncoder::new(30);
        let mut freq = vec![0i32; 30];
        freq[4] = 9;
        freq[20] = 1;
        h.generate(&freq, 15);
        assert_eq!(h.codes[4], HCode { code: 0, len: 1 });
        assert_eq!(h.codes[20], HCode { code: 1, len: 1 });
        assert_eq!(h.codes[5].len, 0);
    }

    #[test]
    fn fixed_codes_match_rfc1951() {
        let f = HuffmanEncoder::fixed_literal();
        // 'A' (65) is 8 bits 0x30+65 = 0x71, written reversed.
        assert_eq!(
            f.codes[65],
            HCode {
                code: reverse_bits(0x71, 8),
                len: 8
            }
        );
        assert_eq!(f.codes[256].len, 7);
        assert_eq!(f.codes[200].len, 9);
        assert_eq!(f.codes[285].len, 8);
    }
}
