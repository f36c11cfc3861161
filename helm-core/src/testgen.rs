//! Generated texts for differential tests (a hand-written matcher against the pattern it
//! replaces): short strings over an alphabet of the pieces that matter, from a fixed-seed
//! xorshift so every run checks the same texts.

/// `count` texts of fewer than `max_len` pieces drawn from `alphabet`.
pub(crate) fn texts(seed: u64, count: usize, alphabet: &[&str], max_len: u64) -> Vec<String> {
    let mut seed = seed;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..count)
        .map(|_| {
            let len = next() % max_len;
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect()
}
