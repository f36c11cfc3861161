//! RSA key generation fast enough for render time.
//!
//! Bitnami-style charts call `genCA` + `genSignedCert` (two 2048-bit keys) on every render;
//! Go generates such a key in ~0.1 s, the `rsa` crate's generic prime search in ~0.5–1.5 s.
//! This search does what Go's does: random candidates with the top two bits set (so the
//! modulus has exactly the requested size), a sieve over small primes while stepping by 2,
//! then Miller–Rabin (base 2, then 19 random bases). The key itself is assembled and
//! validated by the `rsa` crate.

use rand::RngCore;
use rsa::BigUint;
use std::sync::OnceLock;

/// Odd primes below 20 000, for the sieve.
fn small_primes() -> &'static [u32] {
    static P: OnceLock<Vec<u32>> = OnceLock::new();
    P.get_or_init(|| {
        const N: usize = 20_000;
        let mut composite = vec![false; N];
        let mut out = Vec::new();
        for i in 2..N {
            if !composite[i] {
                if i > 2 {
                    out.push(i as u32);
                }
                let mut j = i * i;
                while j < N {
                    composite[j] = true;
                    j += i;
                }
            }
        }
        out
    })
}

/// Miller–Rabin over `num-bigint` (not the `rsa` crate's `num-bigint-dig`): its Montgomery
/// `modpow` is several times faster, and this test is where key generation spends its time.
fn miller_rabin(n: &BigUint, rounds: usize, rng: &mut impl RngCore) -> bool {
    use num_bigint::BigUint as Fast;
    let n = Fast::from_bytes_be(&n.to_bytes_be());
    let one = Fast::from(1u32);
    let two = Fast::from(2u32);
    if n < Fast::from(5u32) {
        return n == two || n == Fast::from(3u32);
    }
    if !n.bit(0) {
        return false;
    }
    let n_minus_1 = &n - &one;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let d = &n_minus_1 >> s;
    let bytes = n.to_bytes_be().len();
    let n_minus_3 = &n - 3u32;
    'rounds: for round in 0..rounds {
        let a = if round == 0 {
            two.clone()
        } else {
            let mut buf = vec![0u8; bytes];
            rng.fill_bytes(&mut buf);
            (Fast::from_bytes_be(&buf) % &n_minus_3) + &two
        };
        let mut x = a.modpow(&d, &n);
        if x == one || x == n_minus_1 {
            continue;
        }
        for _ in 1..s {
            x = (&x * &x) % &n;
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

/// A random prime of exactly `bits` bits (a multiple of 8) with its top two bits set.
fn random_prime(bits: usize, rng: &mut impl RngCore) -> BigUint {
    let nbytes = bits / 8;
    let primes = small_primes();
    loop {
        let mut b = vec![0u8; nbytes];
        rng.fill_bytes(&mut b);
        b[0] |= 0xC0;
        if let Some(last) = b.last_mut() {
            *last |= 1;
        }
        let residues: Vec<u32> = primes
            .iter()
            .map(|&p| b.iter().fold(0u64, |r, &byte| (r * 256 + u64::from(byte)) % u64::from(p)) as u32)
            .collect();
        let base = BigUint::from_bytes_be(&b);
        let mut delta: u64 = 0;
        while delta < (1 << 20) {
            let sieved = primes
                .iter()
                .zip(&residues)
                .any(|(&p, &r)| (u64::from(r) + delta).is_multiple_of(u64::from(p)));
            if !sieved {
                let cand = &base + BigUint::from(delta);
                if cand.bits() != bits {
                    break;
                }
                if miller_rabin(&cand, 20, rng) {
                    return cand;
                }
            }
            delta += 2;
        }
    }
}

/// A 2-prime RSA key of `bits` bits with e = 65537, as Go's `rsa.GenerateKey`.
pub fn generate(bits: usize) -> Result<rsa::RsaPrivateKey, String> {
    if bits < 64 || !bits.is_multiple_of(16) {
        return rsa::RsaPrivateKey::new(&mut rand::thread_rng(), bits).map_err(|e| e.to_string());
    }
    let mut rng = rand::thread_rng();
    let e = BigUint::from(65_537u32);
    for _ in 0..64 {
        let p = random_prime(bits / 2, &mut rng);
        let q = random_prime(bits / 2, &mut rng);
        // e must be invertible mod p-1 and q-1: 65537 is prime, so it must not divide them.
        let one = BigUint::from(1u32);
        let zero = BigUint::from(0u32);
        if p == q || (&p - &one) % &e == zero || (&q - &one) % &e == zero {
            continue;
        }
        if (&p * &q).bits() != bits {
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
        let k = generate(1024).unwrap();
        assert_eq!(k.n().bits(), 1024);
        assert_eq!(k.e(), &BigUint::from(65_537u32));
        k.validate().unwrap();
        // Round trip a PKCS#1 v1.5 signature.
        use rsa::signature::{Signer, Verifier};
        let sk = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k.clone());
        let sig = sk.sign(b"hello");
        let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.to_public_key());
        vk.verify(b"hello", &sig).unwrap();
    }

    #[test]
    fn primality_test_knows_small_cases() {
        let mut rng = rand::thread_rng();
        assert!(miller_rabin(&BigUint::from(1_000_000_007u32), 20, &mut rng));
        assert!(!miller_rabin(&BigUint::from(1_000_000_011u64 * 3), 20, &mut rng));
        // Carmichael number 561 fools Fermat, not Miller–Rabin.
        assert!(!miller_rabin(&BigUint::from(561u32), 20, &mut rng));
    }
}
