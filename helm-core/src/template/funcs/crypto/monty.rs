//! Fixed-width Montgomery arithmetic for the RSA prime search.
//!
//! Why not a bignum crate: a random 1024-bit prime takes ~36 Miller–Rabin tests after sieving
//! and a 2048-bit one ~72, each a full-width modular exponentiation; that is all the time
//! `genCA` and `genPrivateKey "rsa"` spend. `num-bigint`'s generic `modpow` allocates and runs
//! length-generic loops; here the width is a const generic (8, 16 or 32 limbs of 64 bits, the
//! prime sizes of RSA-1024/2048/4096 keys), so the compiler keeps operands in fixed arrays and
//! unrolls. Squaring computes each cross product once; base 2, the first Miller–Rabin base,
//! needs no multiplications at all (a doubling per 1 bit of the exponent).
//!
//! Every product is a sequence of rows `t[i..i+k] += a[..k]·v` (GMP's `addmul_1`). On x86-64
//! CPUs with BMI2 and ADX (Intel since Broadwell, AMD since Zen) the row runs as `mulx` with
//! two independent carry chains (`adcx`/`adox`), about twice the speed of what the compiler
//! makes of `u128` arithmetic; elsewhere a portable row does the same work.
//!
//! Timing side channels do not matter here (the keys are printed into a manifest), so the
//! code branches on secret data freely.
//!
//! Moduli must be odd with their top bit set (exactly `64·N` bits): then `R mod n = R - n`
//! (with `R = 2^(64·N)`) comes for free.

/// `t + a·b + c` as (low, high) words.
#[inline(always)]
fn mac(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    let r = u128::from(t) + u128::from(a) * u128::from(b) + u128::from(c);
    (r as u64, (r >> 64) as u64)
}

/// `a >= b` for little-endian limbs.
#[inline(always)]
fn ge<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

/// `a -= b` (wrapping), returning the borrow.
#[inline(always)]
fn sub_assign<const N: usize>(a: &mut [u64; N], b: &[u64; N]) -> bool {
    let mut borrow = false;
    for i in 0..N {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        a[i] = d;
        borrow = b1 | b2;
    }
    borrow
}

/// `rp[..up.len()] += up·v`, returning the carry out of the top limb (portable).
#[inline(always)]
fn addmul_1_portable(rp: &mut [u64], up: &[u64], v: u64) -> u64 {
    let mut c = 0;
    for (r, &u) in rp.iter_mut().zip(up) {
        (*r, c) = mac(*r, u, v, c);
    }
    c
}

/// `rp[..up.len()] += up·v` with `mulx`/`adcx`/`adox`, two limbs per turn.
///
/// # Safety
/// The CPU must have BMI2 and ADX, and `rp.len() >= up.len()`.
#[cfg(target_arch = "x86_64")]
#[inline]
unsafe fn addmul_1_adx(rp: &mut [u64], up: &[u64], v: u64) -> u64 {
    debug_assert!(rp.len() >= up.len());
    let n = up.len();
    let carry: u64;
    // Two carry chains: CF (adcx) adds the previous high word, OF (adox) adds rp[i]. Nothing
    // in the loop but adcx/adox may touch the flags, so counting uses lea and jrcxz.
    // SAFETY: the caller guarantees the features; the loop reads `n` limbs of `up` and
    // reads/writes `n` limbs of `rp`, both at least that long.
    unsafe {
        core::arch::asm!(
            "mov {lo}, rcx",
            "shr rcx, 1",
            "xor {c:e}, {c:e}",
            // test clears CF and OF: both chains start empty.
            "test {lo:e}, 1",
            "jz 2f",
            // Odd count: one limb first.
            "mulx {hi}, {lo}, qword ptr [{up}]",
            "adcx {lo}, {c}",
            "adox {lo}, qword ptr [{rp}]",
            "mov qword ptr [{rp}], {lo}",
            "mov {c}, {hi}",
            "lea {up}, [{up} + 8]",
            "lea {rp}, [{rp} + 8]",
            "2:",
            "jrcxz 3f",
            "mulx {hi}, {lo}, qword ptr [{up}]",
            "adcx {lo}, {c}",
            "adox {lo}, qword ptr [{rp}]",
            "mov qword ptr [{rp}], {lo}",
            "mulx {c}, {lo}, qword ptr [{up} + 8]",
            "adcx {lo}, {hi}",
            "adox {lo}, qword ptr [{rp} + 8]",
            "mov qword ptr [{rp} + 8], {lo}",
            "lea {up}, [{up} + 16]",
            "lea {rp}, [{rp} + 16]",
            "lea rcx, [rcx - 1]",
            "jmp 2b",
            "3:",
            "mov {lo:e}, 0",
            "adcx {c}, {lo}",
            "adox {c}, {lo}",
            up = inout(reg) up.as_ptr() => _,
            rp = inout(reg) rp.as_mut_ptr() => _,
            inout("rcx") n => _,
            in("rdx") v,
            c = out(reg) carry,
            hi = out(reg) _,
            lo = out(reg) _,
            options(nostack),
        );
    }
    carry
}

/// Whether this CPU runs [`addmul_1_adx`].
fn has_adx() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static ADX: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *ADX.get_or_init(|| {
            std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("adx")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Arithmetic modulo one odd `n` of exactly `64·N` bits, on numbers in Montgomery form
/// (`x·R mod n`).
pub struct Monty<const N: usize> {
    n: [u64; N],
    /// `-n⁻¹ mod 2⁶⁴`.
    n0: u64,
    /// `R mod n`: the Montgomery form of 1.
    one: [u64; N],
    /// `n - (R mod n)`: the Montgomery form of -1.
    minus_one: [u64; N],
    /// Rows run as [`addmul_1_adx`].
    adx: bool,
}

impl<const N: usize> Monty<N> {
    /// `None` unless `n` (little-endian limbs) is odd with its top bit set.
    pub fn new(n: [u64; N]) -> Option<Self> {
        if N == 0 || n[0] & 1 == 0 || n[N - 1] >> 63 == 0 {
            return None;
        }
        // Newton's iteration for n⁻¹ mod 2⁶⁴ (each step doubles the correct low bits; n is its
        // own inverse mod 8, so 3 bits to start).
        let mut inv = n[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        // R mod n = R - n, as n > R/2; that is -n in N limbs.
        let mut one = [0u64; N];
        sub_assign(&mut one, &n);
        let mut minus_one = n;
        sub_assign(&mut minus_one, &one);
        Some(Monty {
            n,
            n0: inv.wrapping_neg(),
            one,
            minus_one,
            adx: has_adx(),
        })
    }

    /// `rp[..up.len()] += up·v`, returning the carry.
    #[inline(always)]
    fn addmul_1(&self, rp: &mut [u64], up: &[u64], v: u64) -> u64 {
        #[cfg(target_arch = "x86_64")]
        if self.adx {
            // SAFETY: `adx` is set only when the CPU has BMI2 and ADX; every caller passes
            // `rp` at least as long as `up`.
            return unsafe { addmul_1_adx(rp, up, v) };
        }
        addmul_1_portable(rp, up, v)
    }

    /// Montgomery reduction of the 2N-limb `t` (less than `n·R`), N rows from the bottom.
    #[inline(always)]
    fn redc(&self, t: &mut [u64]) -> [u64; N] {
        let mut top = 0u64;
        for i in 0..N {
            let m = t[i].wrapping_mul(self.n0);
            let c = self.addmul_1(&mut t[i..i + N], &self.n, m);
            let (s, o1) = t[i + N].overflowing_add(c);
            let (s, o2) = s.overflowing_add(top);
            t[i + N] = s;
            top = u64::from(o1) + u64::from(o2);
        }
        let mut hi = [0u64; N];
        hi.copy_from_slice(&t[N..]);
        self.finish(hi, top)
    }

    /// `a·b·R⁻¹ mod n`: the 2N-limb product, a row per limb of `b`, then [`Self::redc`].
    #[inline]
    pub fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut w = [[0u64; N]; 2];
        let t = w.as_flattened_mut();
        for (i, &bi) in b.iter().enumerate() {
            t[i + N] = self.addmul_1(&mut t[i..i + N], a, bi);
        }
        self.redc(t)
    }

    /// `a²·R⁻¹ mod n`: each cross product once, doubled, plus the diagonal, then reduced.
    #[inline]
    pub fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        let mut w = [[0u64; N]; 2];
        let t = w.as_flattened_mut();
        for i in 0..N - 1 {
            t[i + N] = self.addmul_1(&mut t[2 * i + 1..i + N], &a[i + 1..], a[i]);
        }
        // Double the cross products, then add the diagonal.
        let mut carry = 0u64;
        for x in t.iter_mut() {
            let next = *x >> 63;
            *x = (*x << 1) | carry;
            carry = next;
        }
        let mut c = 0u64;
        for i in 0..N {
            let sq = u128::from(a[i]) * u128::from(a[i]);
            let lo = u128::from(t[2 * i]) + (sq as u64 as u128) + u128::from(c);
            t[2 * i] = lo as u64;
            let hi = u128::from(t[2 * i + 1]) + (sq >> 64) + (lo >> 64);
            t[2 * i + 1] = hi as u64;
            c = (hi >> 64) as u64;
        }
        self.redc(t)
    }

    /// Reduces `top·R + t` (less than 2n) below n.
    #[inline(always)]
    fn finish(&self, mut t: [u64; N], top: u64) -> [u64; N] {
        if top != 0 || ge(&t, &self.n) {
            sub_assign(&mut t, &self.n);
        }
        t
    }

    /// `2a mod n`.
    #[inline]
    pub fn double(&self, a: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut carry = 0u64;
        for i in 0..N {
            t[i] = (a[i] << 1) | carry;
            carry = a[i] >> 63;
        }
        self.finish(t, carry)
    }

    /// The Montgomery form of an ordinary number `a < n`.
    fn to_monty(&self, a: &[u64; N]) -> [u64; N] {
        // R² mod n, by doubling R mod n another 64·N times.
        let mut r2 = self.one;
        for _ in 0..64 * N {
            r2 = self.double(&r2);
        }
        self.mul(a, &r2)
    }

    /// `base^exp` in Montgomery form, `base` in Montgomery form, `exp` little-endian limbs
    /// (a sliding window of 5 bits).
    fn pow(&self, base: &[u64; N], exp: &[u64; N]) -> [u64; N] {
        const W: usize = 5;
        // Odd powers base^1, base^3, …, base^31.
        let b2 = self.sqr(base);
        let mut odd = [*base; 1 << (W - 1)];
        for k in 1..odd.len() {
            odd[k] = self.mul(&odd[k - 1], &b2);
        }
        let bit = |i: usize| (exp[i / 64] >> (i % 64)) & 1 == 1;
        let Some(top) = (0..64 * N).rev().find(|&i| bit(i)) else {
            return self.one;
        };
        let mut x = self.one;
        let mut started = false;
        let mut i = top as isize;
        while i >= 0 {
            if !bit(i as usize) {
                if started {
                    x = self.sqr(&x);
                }
                i -= 1;
                continue;
            }
            // The longest window of at most W bits ending in a 1, from bit i down.
            let lo = (i - W as isize + 1).max(0);
            let mut j = lo;
            while !bit(j as usize) {
                j += 1;
            }
            let mut v = 0usize;
            for k in (j..=i).rev() {
                v = (v << 1) | usize::from(bit(k as usize));
                if started {
                    x = self.sqr(&x);
                }
            }
            x = if started {
                self.mul(&x, &odd[v >> 1])
            } else {
                odd[v >> 1]
            };
            started = true;
            i = j - 1;
        }
        x
    }

    /// `2^exp` in Montgomery form: a squaring per bit and a doubling per 1 bit.
    fn pow2(&self, exp: &[u64; N]) -> [u64; N] {
        let bit = |i: usize| (exp[i / 64] >> (i % 64)) & 1 == 1;
        let Some(top) = (0..64 * N).rev().find(|&i| bit(i)) else {
            return self.one;
        };
        let mut x = self.double(&self.one);
        for i in (0..top).rev() {
            x = self.sqr(&x);
            if bit(i) {
                x = self.double(&x);
            }
        }
        x
    }

    /// One Miller–Rabin round given `a^d` (Montgomery form) with `n - 1 = d·2^s`.
    fn strong_round(&self, mut x: [u64; N], s: u32) -> bool {
        if x == self.one || x == self.minus_one {
            return true;
        }
        for _ in 1..s {
            x = self.sqr(&x);
            if x == self.minus_one {
                return true;
            }
            if x == self.one {
                return false;
            }
        }
        false
    }

    /// Miller–Rabin: base 2, then `rounds - 1` bases drawn uniformly from `[2, n - 2]` with
    /// `random` (which fills limbs with random bits). True for a probable prime.
    pub fn miller_rabin(&self, rounds: usize, mut random: impl FnMut(&mut [u64; N])) -> bool {
        // n - 1 = d·2^s.
        let mut d = self.n;
        d[0] &= !1;
        let s = {
            let mut s = 0u32;
            for &l in d.iter() {
                if l == 0 {
                    s += 64;
                } else {
                    s += l.trailing_zeros();
                    break;
                }
            }
            s
        };
        let (limbs, bits) = ((s / 64) as usize, s % 64);
        for i in 0..N {
            let lo = d.get(i + limbs).copied().unwrap_or(0);
            let hi = d.get(i + limbs + 1).copied().unwrap_or(0);
            d[i] = if bits == 0 {
                lo
            } else {
                (lo >> bits) | (hi << (64 - bits))
            };
        }
        if !self.strong_round(self.pow2(&d), s) {
            return false;
        }
        let mut n_minus_2 = self.n;
        let mut two = [0u64; N];
        two[0] = 2;
        sub_assign(&mut n_minus_2, &two);
        for _ in 1..rounds {
            // Rejection sampling below n (same top limb width), then into [2, n - 2].
            let a = loop {
                let mut a = [0u64; N];
                random(&mut a);
                if a[1..].iter().all(|&l| l == 0) && a[0] < 2 {
                    continue;
                }
                if ge(&a, &n_minus_2) && a != n_minus_2 {
                    continue;
                }
                break a;
            };
            let x = self.pow(&self.to_monty(&a), &d);
            if !self.strong_round(x, s) {
                return false;
            }
        }
        true
    }

    /// Back from Montgomery form (tests).
    #[cfg(test)]
    fn from_monty(&self, a: &[u64; N]) -> [u64; N] {
        let mut one = [0u64; N];
        one[0] = 1;
        self.mul(a, &one)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use rand::RngCore;

    fn to_big<const N: usize>(a: &[u64; N]) -> BigUint {
        BigUint::from_slice(
            &a.iter()
                .flat_map(|&l| [l as u32, (l >> 32) as u32])
                .collect::<Vec<_>>(),
        )
    }

    fn from_big<const N: usize>(b: &BigUint) -> [u64; N] {
        let mut out = [0u64; N];
        for (i, d) in b.to_u64_digits().into_iter().enumerate() {
            out[i] = d;
        }
        out
    }

    fn random_modulus<const N: usize>(rng: &mut impl RngCore) -> [u64; N] {
        let mut n = [0u64; N];
        n.iter_mut().for_each(|l| *l = rng.next_u64());
        n[0] |= 1;
        n[N - 1] |= 1 << 63;
        n
    }

    fn check_against_num_bigint<const N: usize>() {
        let mut rng = rand::thread_rng();
        for round in 0..40 {
            let mut n = random_modulus::<N>(&mut rng);
            if round == 0 {
                n = [u64::MAX; N]; // the largest modulus: carries everywhere
            }
            let m = Monty::new(n).unwrap();
            let nb = to_big(&n);
            let r = BigUint::from(1u32) << (64 * N);
            let rinv = r.modinv(&nb).unwrap();
            let mut a = [0u64; N];
            a.iter_mut().for_each(|l| *l = rng.next_u64());
            let a = from_big::<N>(&(to_big(&a) % &nb));
            let b = if round == 1 {
                from_big::<N>(&(&nb - 1u32))
            } else {
                from_big::<N>(&(to_big(&random_modulus::<N>(&mut rng)) % &nb))
            };
            let (ab, bb) = (to_big(&a), to_big(&b));
            assert_eq!(to_big(&m.mul(&a, &b)), &ab * &bb * &rinv % &nb);
            assert_eq!(to_big(&m.sqr(&a)), &ab * &ab * &rinv % &nb);
            assert_eq!(to_big(&m.sqr(&b)), &bb * &bb * &rinv % &nb);
            assert_eq!(to_big(&m.double(&a)), (&ab * 2u32) % &nb);
            let am = m.to_monty(&a);
            assert_eq!(to_big(&am), &ab * &r % &nb);
            assert_eq!(m.from_monty(&am), a);
            let e = from_big::<N>(&(to_big(&random_modulus::<N>(&mut rng)) >> (round % 70)));
            let eb = to_big(&e);
            assert_eq!(to_big(&m.from_monty(&m.pow(&am, &e))), ab.modpow(&eb, &nb));
            assert_eq!(
                to_big(&m.from_monty(&m.pow2(&e))),
                BigUint::from(2u32).modpow(&eb, &nb)
            );
        }
    }

    #[test]
    fn arithmetic_matches_num_bigint() {
        check_against_num_bigint::<1>();
        check_against_num_bigint::<2>();
        check_against_num_bigint::<3>();
        check_against_num_bigint::<8>();
        check_against_num_bigint::<16>();
    }

    #[test]
    fn miller_rabin_knows_primes_and_pseudoprimes() {
        let mut rng = rand::thread_rng();
        let mut random = |a: &mut [u64; 1]| a[0] = rng.next_u64();
        let mr = |n: u64, random: &mut dyn FnMut(&mut [u64; 1])| {
            Monty::new([n]).unwrap().miller_rabin(20, random)
        };
        // 2^64 - 59 is the largest 64-bit prime; 2^63 + 29 the smallest with the top bit set.
        assert!(mr(u64::MAX - 58, &mut random));
        assert!(mr((1 << 63) + 29, &mut random));
        assert!(!mr((1 << 63) + 27, &mut random));
        // A product of two 32-bit primes, and a prime's square.
        assert!(!mr(4294967291 * 4294967279, &mut random));
        assert!(!mr(4294967291 * 4294967291, &mut random));
        // A 128-bit prime (2^128 - 159) and a composite neighbour.
        let mut rng = rand::thread_rng();
        let mut random2 = |a: &mut [u64; 2]| a.iter_mut().for_each(|l| *l = rng.next_u64());
        assert!(Monty::new([u64::MAX - 158, u64::MAX])
            .unwrap()
            .miller_rabin(20, &mut random2));
        assert!(!Monty::new([u64::MAX - 160, u64::MAX])
            .unwrap()
            .miller_rabin(20, &mut random2));
    }

    #[test]
    fn rows_agree_with_portable_arithmetic() {
        let mut rng = rand::thread_rng();
        for len in 0..40usize {
            for pattern in 0..4 {
                let limb = |rng: &mut rand::rngs::ThreadRng| match pattern {
                    0 => u64::MAX, // carries on every limb
                    1 => 0,
                    _ => rng.next_u64(),
                };
                let up: Vec<u64> = (0..len).map(|_| limb(&mut rng)).collect();
                let rp: Vec<u64> = (0..len + 1).map(|_| limb(&mut rng)).collect();
                let v = if pattern == 0 {
                    u64::MAX
                } else {
                    rng.next_u64()
                };
                let mut expect = rp.clone();
                let ce = addmul_1_portable(&mut expect, &up, v);
                #[cfg(target_arch = "x86_64")]
                if has_adx() {
                    let mut got = rp.clone();
                    // SAFETY: checked the features; got is longer than up.
                    let cg = unsafe { addmul_1_adx(&mut got, &up, v) };
                    assert_eq!(
                        (got, cg),
                        (expect.clone(), ce),
                        "len {len} pattern {pattern}"
                    );
                }
                // And against num-bigint: rp + up·v.
                let big = |x: &[u64]| to_big_slice(x);
                let mut sum = expect[..len].to_vec();
                sum.push(ce);
                let rp_low = big(&rp[..len]);
                assert_eq!(big(&sum), rp_low + big(&up) * BigUint::from(v));
            }
        }
    }

    fn to_big_slice(a: &[u64]) -> BigUint {
        BigUint::from_slice(
            &a.iter()
                .flat_map(|&l| [l as u32, (l >> 32) as u32])
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn portable_and_adx_montgomery_agree() {
        let mut rng = rand::thread_rng();
        for _ in 0..20 {
            let n = random_modulus::<16>(&mut rng);
            let fast = Monty::new(n).unwrap();
            let slow = Monty {
                adx: false,
                ..Monty::new(n).unwrap()
            };
            let mut a = [0u64; 16];
            a.iter_mut().for_each(|l| *l = rng.next_u64());
            a[15] &= u64::MAX >> 1; // below n
            let b = fast.sqr(&a);
            assert_eq!(fast.mul(&a, &b), slow.mul(&a, &b));
            assert_eq!(fast.sqr(&b), slow.sqr(&b));
        }
    }

    #[test]
    fn rejects_even_or_short_moduli() {
        assert!(Monty::new([4u64, 1 << 63]).is_none());
        assert!(Monty::new([5u64, 1]).is_none());
    }
}
