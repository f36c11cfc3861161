//! RSA key generation fast enough for render time.
//!
//! Bitnami-style charts call `genCA` + `genSignedCert` (2048-bit keys) on every render, and
//! `genPrivateKey "rsa"` makes a 4096-bit key; the `rsa` crate's generic prime search takes
//! seconds for those. Output is random, so only speed and validity matter. The search:
//! - random candidates with the top two bits set (so the modulus has exactly the requested
//!   size) and the low bit set;
//! - a window sieve: the candidate's residues modulo the odd primes below 2^16 are computed
//!   once, then every offset `base + 2i` (i < [`WINDOW`]) divisible by one of them, or with
//!   `p ≡ 1 (mod 65537)` (e would not be invertible), is struck out in one pass;
//! - Miller–Rabin on the survivors (base 2 first, which rejects almost every composite with a
//!   single modular exponentiation), with the number of rounds FIPS 186-5 Table B.1 prescribes
//!   for primes of that size (as Go's `crypto/rsa` does; random candidates, error < 2^-100);
//! - p and q are searched on two threads at once.
//!
//! Arithmetic is `num-bigint`'s Montgomery `modpow`, several times faster than the `rsa`
//! crate's `num-bigint-dig`. The key itself is assembled and validated by the `rsa` crate.

use num_bigint::BigUint as Fast;
use rand::RngCore;
use rsa::BigUint;
use std::sync::OnceLock;

/// Sieve primes bound: odd primes below this.
const SIEVE_BOUND: usize = 1 << 16;
/// Offsets `base + 2i` examined per random base (a 2^15-wide range: many prime gaps).
const WINDOW: usize = 1 << 14;
/// The public exponent.
const E: u32 = 65_537;

/// Odd primes below [`SIEVE_BOUND`].
fn small_primes() -> &'static [u32] {
    static P: OnceLock<Vec<u32>> = OnceLock::new();
    P.get_or_init(|| {
        let mut composite = vec![false; SIEVE_BOUND];
        let mut out = Vec::new();
        for i in 2..SIEVE_BOUND {
            if !composite[i] {
                if i > 2 {
                    out.push(i as u32);
                }
                let mut j = i * i;
                while j < SIEVE_BOUND {
                    composite[j] = true;
                    j += i;
                }
            }
        }
        out
    })
}

/// Miller–Rabin rounds for a random candidate of `bits` bits: FIPS 186-5 Table B.1 for RSA
/// primes (1024-bit: 5, 1536-bit and up: 4); conservative counts below that.
fn rounds_for(bits: u64) -> usize {
    match bits {
        1536.. => 4,
        1024.. => 5,
        512.. => 8,
        _ => 20,
    }
}

/// `n mod m` for a small `m`, from `n`'s 32-bit digits (most significant first).
fn rem_small(digits_be: &[u32], m: u32) -> u32 {
    let m = u64::from(m);
    digits_be.iter().fold(0u64, |r, &d| ((r << 32) | u64::from(d)) % m) as u32
}

/// Miller–Rabin with base 2 first, then `rounds - 1` random bases. `n` must be odd and > 3.
fn miller_rabin(n: &Fast, rounds: usize, rng: &mut impl RngCore) -> bool {
    let one = Fast::from(1u32);
    let two = Fast::from(2u32);
    if n < &Fast::from(5u32) {
        return n == &two || n == &Fast::from(3u32);
    }
    if !n.bit(0) {
        return false;
    }
    let n_minus_1 = n - &one;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let d = &n_minus_1 >> s;
    let bytes = n.to_bytes_be().len();
    let n_minus_3 = n - 3u32;
    'rounds: for round in 0..rounds {
        let a = if round == 0 {
            two.clone()
        } else {
            let mut buf = vec![0u8; bytes];
            rng.fill_bytes(&mut buf);
            (Fast::from_bytes_be(&buf) % &n_minus_3) + &two
        };
        let mut x = a.modpow(&d, n);
        if x == one || x == n_minus_1 {
            continue;
        }
        for _ in 1..s {
            x = (&x * &x) % n;
            if x == n_minus_1 {
                continue 'rounds;
            }
            if x == one {
                return false;
            }
        }
        return false;
    }
    true
}

/// A random prime of exactly `bits` bits (a multiple of 8, at least 32) with its top two bits
/// set and `p - 1` prime to 65537.
fn random_prime(bits: usize, rng: &mut impl RngCore) -> Fast {
    let nbytes = bits / 8;
    let primes = small_primes();
    let rounds = rounds_for(bits as u64);
    let mut struck = vec![false; WINDOW];
    loop {
        let mut b = vec![0u8; nbytes];
        rng.fill_bytes(&mut b);
        b[0] |= 0xC0;
        if let Some(last) = b.last_mut() {
            *last |= 1;
        }
        let base = Fast::from_bytes_be(&b);
        let mut digits = base.to_u32_digits();
        digits.reverse();
        struck.iter_mut().for_each(|s| *s = false);
        // Strike base + 2i ≡ 0 (mod p): i ≡ -r · 2⁻¹ (mod p), with 2⁻¹ = (p + 1) / 2.
        for &p in primes {
            let r = u64::from(rem_small(&digits, p));
            let p64 = u64::from(p);
            let mut i = (((p64 - r) % p64) * p64.div_ceil(2) % p64) as usize;
            while i < WINDOW {
                struck[i] = true;
                i += p as usize;
            }
        }
        // Strike base + 2i ≡ 1 (mod 65537), so that e is invertible mod p - 1.
        {
            let e = u64::from(E);
            let r = u64::from(rem_small(&digits, E));
            let mut i = (((e + 1 - r) % e) * e.div_ceil(2) % e) as usize;
            while i < WINDOW {
                struck[i] = true;
                i += E as usize;
            }
        }
        for (i, _) in struck.iter().enumerate().filter(|(_, s)| !**s) {
            let cand = &base + Fast::from(2 * i as u64);
            if cand.bits() != bits as u64 {
                break;
            }
            // Tiny sizes: the sieve may strike the prime itself; nothing here is that small
            // except in tests, which re-check with Miller–Rabin anyway.
            if miller_rabin(&cand, rounds, rng) {
                return cand;
            }
        }
    }
}

/// A 2-prime RSA key of `bits` bits with e = 65537, as Go's `rsa.GenerateKey`.
pub fn generate(bits: usize) -> Result<rsa::RsaPrivateKey, String> {
    if bits < 256 || !bits.is_multiple_of(16) {
        return rsa::RsaPrivateKey::new(&mut rand::thread_rng(), bits).map_err(|e| e.to_string());
    }
    let e = BigUint::from(E);
    for _ in 0..64 {
        // p and q independently, one on a helper thread (keys are 4096 bits for
        // `genPrivateKey "rsa"`: each prime is a second or so of work).
        let (p, q) = std::thread::scope(|s| {
            let other = s.spawn(|| random_prime(bits / 2, &mut rand::thread_rng()));
            let p = random_prime(bits / 2, &mut rand::thread_rng());
            let q = other.join().unwrap_or_else(|_| random_prime(bits / 2, &mut rand::thread_rng()));
            (p, q)
        });
        if p == q || (&p * &q).bits() != bits as u64 {
            continue;
        }
        let p = BigUint::from_bytes_be(&p.to_bytes_be());
        let q = BigUint::from_bytes_be(&q.to_bytes_be());
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
    fn primality_test_knows_small_cases() {
        let mut rng = rand::thread_rng();
        assert!(miller_rabin(&Fast::from(1_000_000_007u32), 20, &mut rng));
        assert!(!miller_rabin(&Fast::from(1_000_000_011u64 * 3), 20, &mut rng));
        // Carmichael number 561 fools Fermat, not Miller–Rabin.
        assert!(!miller_rabin(&Fast::from(561u32), 20, &mut rng));
    }

    #[test]
    fn random_primes_are_prime_and_sized() {
        let mut rng = rand::thread_rng();
        for bits in [64usize, 256] {
            let p = random_prime(bits, &mut rng);
            assert_eq!(p.bits(), bits as u64);
            assert!(miller_rabin(&p, 40, &mut rng));
            assert_ne!(&p % E, Fast::from(1u32));
            // Every odd prime below the sieve bound is absent as a factor.
            assert!(small_primes().iter().take(100).all(|&q| &p % q != Fast::from(0u32)));
        }
    }
}
