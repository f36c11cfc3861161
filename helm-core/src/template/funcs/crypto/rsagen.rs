//! RSA key generation fast enough for render time.
//!
//! Bitnami-style charts call `genCA` + `genSignedCert` (2048-bit keys) on every render, and
//! `genPrivateKey "rsa"` makes a 4096-bit key; the `rsa` crate's generic prime search takes
//! seconds for those, and Go's (what Helm runs) about two for a 4096-bit key. Output is random,
//! so only speed and validity matter. The search:
//! - random candidates with the top two bits set (so the modulus has exactly the requested
//!   size) and the low bit set;
//! - a window sieve: the candidate's residues modulo the odd primes below 2^16 are computed
//!   once (two primes per division), then every offset `base + 2i` (i < [`WINDOW`]) divisible
//!   by one of them, or with `p ≡ 1 (mod 65537)` (e would not be invertible), is struck out;
//! - Miller–Rabin on the survivors in fixed-width Montgomery arithmetic ([`super::monty`]):
//!   base 2 first, which rejects almost every composite with squarings alone, then the number
//!   of random-base rounds FIPS 186-5 Table B.1 prescribes for primes of that size (as Go's
//!   `crypto/rsa` does; random candidates, error < 2^-100);
//! - two threads search together and the first two primes found become p and q, each from its
//!   own random starting point (p and q are never from one window). Expected time is one
//!   prime's search, where "p on one thread, q on the other" waits for the slower of two.
//!
//! The key itself is assembled and validated by the `rsa` crate.

use super::monty::Monty;
use rand::RngCore;
use rsa::BigUint;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// Sieve primes bound: odd primes below this.
const SIEVE_BOUND: usize = 1 << 16;
/// Offsets `base + 2i` examined per random base (a 2^15-wide range: many prime gaps).
const WINDOW: usize = 1 << 14;
/// The public exponent.
const E: u32 = 65_537;

/// Odd primes below [`SIEVE_BOUND`], paired so that each pair's product is below 2^32 (one
/// 64-by-32-bit division per digit then serves both).
fn sieve_pairs() -> &'static [(u32, u32)] {
    static P: OnceLock<Vec<(u32, u32)>> = OnceLock::new();
    P.get_or_init(|| {
        let mut composite = vec![false; SIEVE_BOUND];
        let mut primes = Vec::new();
        for i in 2..SIEVE_BOUND {
            if !composite[i] {
                if i > 2 {
                    primes.push(i as u32);
                }
                let mut j = i * i;
                while j < SIEVE_BOUND {
                    composite[j] = true;
                    j += i;
                }
            }
        }
        // Smallest with largest: every product is at most about (2^15)^2. An odd count leaves
        // the middle prime paired with 1.
        let (mut lo, mut hi) = (0usize, primes.len());
        let mut pairs = Vec::with_capacity(primes.len() / 2 + 1);
        while lo < hi {
            hi -= 1;
            pairs.push(if lo == hi {
                (primes[lo], 1)
            } else {
                (primes[lo], primes[hi])
            });
            lo += 1;
        }
        pairs
    })
}

/// Miller–Rabin rounds for a random candidate of `bits` bits: FIPS 186-5 Table B.1 for RSA
/// primes (1024-bit: 5, 1536-bit and up: 4); conservative counts below that.
fn rounds_for(bits: usize) -> usize {
    match bits {
        1536.. => 4,
        1024.. => 5,
        512.. => 8,
        _ => 20,
    }
}

/// `n mod m` for `m < 2^32`, from `n`'s 32-bit digits (most significant first).
fn rem_small(digits_be: &[u32], m: u32) -> u32 {
    let m = u64::from(m);
    digits_be
        .iter()
        .fold(0u64, |r, &d| ((r << 32) | u64::from(d)) % m) as u32
}

/// Strikes `base + 2i ≡ target (mod p)` from the window: `i ≡ (target - r)·2⁻¹ (mod p)` with
/// `r = base mod p` and `2⁻¹ = (p + 1) / 2`.
fn strike(struck: &mut [bool], r: u32, target: u32, p: u32) {
    let p64 = u64::from(p);
    let mut i = ((p64 + u64::from(target) - u64::from(r)) % p64 * p64.div_ceil(2) % p64) as usize;
    while i < struck.len() {
        struck[i] = true;
        i += p as usize;
    }
}

/// A random prime of exactly `64·N` bits with its top two bits set and `p - 1` prime to
/// 65537, or `None` once `stop` is set (another thread finished the search).
fn random_prime<const N: usize>(rng: &mut impl RngCore, stop: &AtomicBool) -> Option<BigUint> {
    let rounds = rounds_for(64 * N);
    let mut struck = vec![false; WINDOW];
    let mut fill = |a: &mut [u64; N]| a.iter_mut().for_each(|l| *l = rng.next_u64());
    loop {
        let mut base = [0u64; N];
        fill(&mut base);
        base[N - 1] |= 0b11 << 62;
        base[0] |= 1;
        let digits: Vec<u32> = base
            .iter()
            .rev()
            .flat_map(|&l| [(l >> 32) as u32, l as u32])
            .collect();
        struck.iter_mut().for_each(|s| *s = false);
        for &(p1, p2) in sieve_pairs() {
            let r = rem_small(&digits, p1 * p2);
            strike(&mut struck, r % p1, 0, p1);
            if p2 > 1 {
                strike(&mut struck, r % p2, 0, p2);
            }
        }
        strike(&mut struck, rem_small(&digits, E), 1, E);
        for (i, _) in struck.iter().enumerate().filter(|(_, s)| !**s) {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            // base + 2i; a carry out of the top limb would change the size: next base.
            let mut cand = base;
            let mut carry = 2 * i as u64;
            for l in cand.iter_mut() {
                let (s, over) = l.overflowing_add(carry);
                *l = s;
                carry = u64::from(over);
                if carry == 0 {
                    break;
                }
            }
            if carry != 0 {
                break;
            }
            let Some(m) = Monty::new(cand) else { break };
            if m.miller_rabin(rounds, &mut fill) {
                let bytes: Vec<u8> = cand.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
                return Some(BigUint::from_bytes_be(&bytes));
            }
        }
    }
}

/// Two random primes of `bits` bits (512, 1024 or 2048), searched for by two threads.
fn two_primes(bits: usize) -> (BigUint, BigUint) {
    let found = Mutex::new(Vec::with_capacity(3));
    let stop = AtomicBool::new(false);
    let search = || {
        let mut rng = rand::thread_rng();
        while !stop.load(Ordering::Relaxed) {
            let p = match bits {
                512 => random_prime::<8>(&mut rng, &stop),
                1024 => random_prime::<16>(&mut rng, &stop),
                _ => random_prime::<32>(&mut rng, &stop),
            };
            if let Some(p) = p {
                let mut f = found.lock().unwrap_or_else(|e| e.into_inner());
                f.push(p);
                if f.len() >= 2 {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    };
    std::thread::scope(|s| {
        let helper = s.spawn(search);
        search();
        // A helper that panicked found nothing; the search above ran until two were found.
        let _ = helper.join();
    });
    let mut f = found.into_inner().unwrap_or_else(|e| e.into_inner());
    let q = f.pop().unwrap_or_default();
    let p = f.pop().unwrap_or_default();
    (p, q)
}

/// A 2-prime RSA key of `bits` bits with e = 65537, as Go's `rsa.GenerateKey`.
pub fn generate(bits: usize) -> Result<rsa::RsaPrivateKey, String> {
    if !matches!(bits, 1024 | 2048 | 4096) {
        return rsa::RsaPrivateKey::new(&mut rand::thread_rng(), bits).map_err(|e| e.to_string());
    }
    let e = BigUint::from(E);
    for _ in 0..64 {
        let (p, q) = two_primes(bits / 2);
        // FIPS 186-5 A.1.3: |p - q| > 2^(bits/2 - 100); the modulus of exactly `bits` bits.
        let diff = if p > q { &p - &q } else { &q - &p };
        if diff.bits() <= bits / 2 - 100 || (&p * &q).bits() != bits {
            continue;
        }
        return rsa::RsaPrivateKey::from_p_q(p, q, e).map_err(|e| e.to_string());
    }
    Err("crypto/rsa: failed to generate key".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    #[test]
    fn generates_valid_keys_of_exact_size() {
        for bits in [1024, 2048] {
            let k = generate(bits).unwrap();
            assert_eq!(k.n().bits(), bits);
            assert_eq!(k.e(), &BigUint::from(65_537u32));
            k.validate().unwrap();
            // Round trip a PKCS#1 v1.5 signature.
            use rsa::signature::{Signer, Verifier};
            let sk = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k.clone());
            let sig = sk.sign(b"hello");
            let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.to_public_key());
            vk.verify(b"hello", &sig).unwrap();
        }
    }

    #[test]
    fn random_primes_are_prime_and_sized() {
        let mut rng = rand::thread_rng();
        let stop = AtomicBool::new(false);
        for _ in 0..3 {
            let p = random_prime::<8>(&mut rng, &stop).unwrap();
            assert_eq!(p.bits(), 512);
            assert_eq!(&p >> 510usize, BigUint::from(3u32), "top two bits set");
            // Fermat to several bases (num-bigint-dig's modpow: independent arithmetic).
            for a in [2u32, 3, 5, 7, 11] {
                assert_eq!(
                    BigUint::from(a).modpow(&(&p - 1u32), &p),
                    BigUint::from(1u32)
                );
            }
            assert_ne!(&p % E, BigUint::from(1u32));
            for &(a, b) in sieve_pairs().iter().take(100) {
                assert_ne!(&p % a, BigUint::from(0u32));
                assert_ne!(&p % b, BigUint::from(0u32));
            }
        }
        // A stop request ends the search.
        stop.store(true, Ordering::Relaxed);
        assert!(random_prime::<16>(&mut rng, &stop).is_none());
    }

    #[test]
    fn sieve_pairs_cover_the_odd_primes_below_the_bound() {
        let mut all: Vec<u32> = sieve_pairs()
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&x| x > 1)
            .collect();
        all.sort();
        assert_eq!(all.len(), 6541, "odd primes below 2^16");
        assert_eq!((all[0], all[all.len() - 1]), (3, 65521));
        assert!(sieve_pairs()
            .iter()
            .all(|&(a, b)| u64::from(a) * u64::from(b) < 1 << 32));
    }

    #[test]
    #[ignore = "timing: cargo test --release -p helm-core rsagen -- --ignored --nocapture"]
    fn keygen_timing() {
        for bits in [2048, 4096] {
            let n = if bits == 2048 { 20 } else { 5 };
            let t = std::time::Instant::now();
            for _ in 0..n {
                generate(bits).unwrap();
            }
            eprintln!(
                "{bits}-bit: {:.1} ms per key",
                t.elapsed().as_secs_f64() * 1000.0 / n as f64
            );
        }
    }
}
