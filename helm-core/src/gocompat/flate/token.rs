//! LZ77 tokens packed in a `u32` as Go packs them: a literal is its byte value; a match is
//! `MATCH_TYPE | (length - 3) << 22 | (distance - 1)`. The end-of-block marker is literal 256.

pub(super) type Token = u32;

const LENGTH_SHIFT: u32 = 22;
const OFFSET_MASK: u32 = (1 << LENGTH_SHIFT) - 1;
pub(super) const MATCH_TYPE: u32 = 1 << 30;

#[inline]
pub(super) fn literal_token(lit: u8) -> Token {
    u32::from(lit)
}

/// A match from the stored forms `length - 3` and `distance - 1`.
#[inline]
pub(super) fn match_token(xlength: u32, xoffset: u32) -> Token {
    MATCH_TYPE + (xlength << LENGTH_SHIFT) + xoffset
}

/// `(length - 3, distance - 1)` of a match token.
#[inline]
pub(super) fn length_offset(t: Token) -> (u32, u32) {
    ((t - MATCH_TYPE) >> LENGTH_SHIFT, t & OFFSET_MASK)
}

/// Length code (0–28, to add to 257) for `length - 3`.
#[inline]
pub(super) fn length_code(xlength: u32) -> u32 {
    LENGTH_CODES[xlength as usize]
}

/// Distance code (0–29) for `distance - 1`.
#[inline]
pub(super) fn offset_code(xoffset: u32) -> u32 {
    if (xoffset as usize) < OFFSET_CODES.len() {
        OFFSET_CODES[xoffset as usize]
    } else if ((xoffset >> 7) as usize) < OFFSET_CODES.len() {
        OFFSET_CODES[(xoffset >> 7) as usize] + 14
    } else {
        OFFSET_CODES[(xoffset >> 14) as usize] + 28
    }
}

static LENGTH_CODES: [u32; 256] = build_length_codes();
static OFFSET_CODES: [u32; 256] = build_offset_codes();

/// The length code of each `length - 3`, from the RFC 1951 length table.
const fn build_length_codes() -> [u32; 256] {
    // Base (length - 3) of codes 257..=284; 285 is exactly length 258.
    const BASE: [u32; 28] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112,
        128, 160, 192, 224,
    ];
    let mut t = [0u32; 256];
    let mut code = 0;
    while code < 28 {
        let end = if code + 1 < 28 { BASE[code + 1] } else { 255 };
        let mut x = BASE[code];
        while x < end {
            t[x as usize] = code as u32;
            x += 1;
        }
        code += 1;
    }
    t[255] = 28;
    t
}

/// The distance code of each `distance - 1` below 256 (the rest are derived by shifting).
const fn build_offset_codes() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut x = 0u32;
    while x < 256 {
        t[x as usize] = if x < 4 {
            x
        } else {
            // Codes come in pairs per power of two: 2*log2(x) plus the next-highest bit.
            let log = 31 - x.leading_zeros();
            2 * log + ((x >> (log - 1)) & 1)
        };
        x += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_follow_rfc1951() {
        // Lengths 3..=10 are codes 257..=264; 11,12 → 265; 227..=257 → 284; 258 → 285.
        assert_eq!(length_code(0), 0);
        assert_eq!(length_code(7), 7);
        assert_eq!(length_code(8), 8);
        assert_eq!(length_code(9), 8);
        assert_eq!(length_code(224), 27);
        assert_eq!(length_code(254), 27);
        assert_eq!(length_code(255), 28);
        // Distances 1..=4 are codes 0..=3; 5,6 → 4; 7,8 → 5; 24577..=32768 → 29.
        assert_eq!(offset_code(0), 0);
        assert_eq!(offset_code(4), 4);
        assert_eq!(offset_code(5), 4);
        assert_eq!(offset_code(6), 5);
        assert_eq!(offset_code(255), 15);
        assert_eq!(offset_code(256), 16);
        assert_eq!(offset_code(24576), 29);
        assert_eq!(offset_code(32767), 29);
        assert_eq!(offset_code(16383), 27);
        assert_eq!(offset_code(16384), 28);
    }
}
