//! Fixed-size Montgomery arithmetic modulo Cognito's 3072-bit N.
//!
//! `num-bigint`'s generic `modpow` costs about 7 µs per 3072-bit step here, which makes one
//! sign-in's client work ~8 ms. This module does the same math on fixed 48-limb arrays
//! (CIOS Montgomery multiplication), with a sliding window for variable bases and a precomputed
//! table for the fixed base g = 2. Results are checked against `num-bigint` in the tests.

use std::sync::LazyLock;

use num_bigint::BigUint;
use num_traits::{One, Zero};

/// 3072 bits in 64-bit limbs.
pub const LIMBS: usize = 48;
type Limbs = [u64; LIMBS];

/// A modulus with its Montgomery constants.
pub struct Modulus {
    n: Limbs,
    n_big: BigUint,
    /// -n⁻¹ mod 2⁶⁴
    n0inv: u64,
    /// R mod N in Montgomery form is "one".
    one: Limbs,
}

fn to_limbs(x: &BigUint) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (o, d) in out.iter_mut().zip(x.iter_u64_digits()) {
        *o = d;
    }
    out
}

fn from_limbs(x: &Limbs) -> BigUint {
    let mut bytes = Vec::with_capacity(LIMBS * 8);
    for limb in x {
        bytes.extend_from_slice(&limb.to_le_bytes());
    }
    BigUint::from_bytes_le(&bytes)
}

/// a ≥ b on equal-length little-endian limbs.
fn geq(a: &Limbs, b: &Limbs) -> bool {
    for i in (0..LIMBS).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

fn sub_in_place(a: &mut Limbs, b: &Limbs) {
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = u64::from(b1 | b2);
    }
}

impl Modulus {
    /// `n` must be odd and exactly fit in 3072 bits.
    pub fn new(n: &BigUint) -> Self {
        assert!(
            n.bits() <= 64 * LIMBS as u64 && n.bit(0),
            "odd 3072-bit modulus"
        );
        let limbs = to_limbs(n);
        // Newton iteration for n[0]⁻¹ mod 2⁶⁴.
        let mut inv: u64 = 1;
        for _ in 0..7 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(limbs[0].wrapping_mul(inv)));
        }
        let r_mod_n = (BigUint::one() << (64 * LIMBS)) % n;
        Self {
            n: limbs,
            n_big: n.clone(),
            n0inv: inv.wrapping_neg(),
            one: to_limbs(&r_mod_n),
        }
    }

    /// a·b·R⁻¹ mod N for a, b < N (CIOS).
    #[inline]
    pub fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let n = &self.n;
        let mut t = [0u64; LIMBS + 2];
        for &bi in b.iter() {
            let bi = u128::from(bi);
            let mut carry = 0u128;
            for j in 0..LIMBS {
                let uv = u128::from(t[j]) + u128::from(a[j]) * bi + carry;
                t[j] = uv as u64;
                carry = uv >> 64;
            }
            let uv = u128::from(t[LIMBS]) + carry;
            t[LIMBS] = uv as u64;
            t[LIMBS + 1] = (uv >> 64) as u64;

            let m = u128::from(t[0].wrapping_mul(self.n0inv));
            let uv = u128::from(t[0]) + m * u128::from(n[0]);
            let mut carry = uv >> 64;
            for j in 1..LIMBS {
                let uv = u128::from(t[j]) + m * u128::from(n[j]) + carry;
                t[j - 1] = uv as u64;
                carry = uv >> 64;
            }
            let uv = u128::from(t[LIMBS]) + carry;
            t[LIMBS - 1] = uv as u64;
            t[LIMBS] = t[LIMBS + 1] + (uv >> 64) as u64;
        }
        let mut out = [0u64; LIMBS];
        out.copy_from_slice(&t[..LIMBS]);
        if t[LIMBS] != 0 || geq(&out, n) {
            sub_in_place(&mut out, n);
        }
        out
    }

    /// x·R mod N.
    pub fn enter_mont(&self, x: &BigUint) -> Limbs {
        to_limbs(&(((x % &self.n_big) << (64 * LIMBS)) % &self.n_big))
    }

    /// x·R⁻¹ mod N.
    pub fn leave_mont(&self, x: &Limbs) -> BigUint {
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        from_limbs(&self.mul(x, &one))
    }

    /// base^exp mod N with a 5-bit sliding window.
    pub fn pow(&self, base: &BigUint, exp: &BigUint) -> BigUint {
        if exp.is_zero() {
            return BigUint::one() % &self.n_big;
        }
        let b = self.enter_mont(base);
        self.leave_mont(&self.pow_mont(&b, exp))
    }

    fn pow_mont(&self, b: &Limbs, exp: &BigUint) -> Limbs {
        const W: u64 = 5;
        // odd[i] = b^(2i+1)
        let b2 = self.mul(b, b);
        let mut odd = Vec::with_capacity(1 << (W - 1));
        odd.push(*b);
        for i in 1..(1 << (W - 1)) {
            let next = self.mul(&odd[i - 1], &b2);
            odd.push(next);
        }
        let mut acc = self.one;
        let mut i = exp.bits() as i64 - 1;
        while i >= 0 {
            if !exp.bit(i as u64) {
                acc = self.mul(&acc, &acc);
                i -= 1;
                continue;
            }
            // Longest window [l, i] of at most W bits that ends in a set bit.
            let mut l = (i - W as i64 + 1).max(0);
            while !exp.bit(l as u64) {
                l += 1;
            }
            let mut val = 0usize;
            for k in (l..=i).rev() {
                acc = self.mul(&acc, &acc);
                val = (val << 1) | usize::from(exp.bit(k as u64));
            }
            acc = self.mul(&acc, &odd[val >> 1]);
            i = l - 1;
        }
        acc
    }
}

/// Fixed-base table for g: `table[i][j] = g^(j·16^i)` in Montgomery form, covering exponents
/// below 2^512 (every exponent a sign-in uses: 256-bit randoms and SHA-256 outputs).
pub struct FixedBase {
    table: Vec<[Limbs; 16]>,
}

const FIXED_WINDOWS: usize = 128;

impl FixedBase {
    pub fn new(m: &Modulus, g: &BigUint) -> Self {
        let mut table = Vec::with_capacity(FIXED_WINDOWS);
        let mut base = m.enter_mont(g);
        for _ in 0..FIXED_WINDOWS {
            let mut row = [m.one; 16];
            for j in 1..16 {
                row[j] = m.mul(&row[j - 1], &base);
            }
            // Next window's base: g^(16^(i+1)) = (row[15]) * base.
            base = m.mul(&row[15], &base);
            table.push(row);
        }
        Self { table }
    }

    /// g^exp mod N; falls back to the sliding window beyond the table.
    pub fn pow(&self, m: &Modulus, g: &BigUint, exp: &BigUint) -> BigUint {
        if exp.bits() > 4 * FIXED_WINDOWS as u64 {
            return m.pow(g, exp);
        }
        let mut acc = m.one;
        let mut first = true;
        for (i, digit) in nibbles(exp).enumerate() {
            if digit != 0 {
                if first {
                    acc = self.table[i][digit];
                    first = false;
                } else {
                    acc = m.mul(&acc, &self.table[i][digit]);
                }
            }
        }
        m.leave_mont(&acc)
    }
}

fn nibbles(exp: &BigUint) -> impl Iterator<Item = usize> + '_ {
    exp.iter_u64_digits()
        .flat_map(|d| (0..16).map(move |k| ((d >> (4 * k)) & 0xf) as usize))
}

pub static MODULUS: LazyLock<Modulus> = LazyLock::new(|| Modulus::new(&super::GROUP.n));
pub static G_TABLE: LazyLock<FixedBase> =
    LazyLock::new(|| FixedBase::new(&MODULUS, &super::GROUP.g));

/// g^e mod N.
pub fn pow_g(e: &BigUint) -> BigUint {
    G_TABLE.pow(&MODULUS, &super::GROUP.g, e)
}

/// b^e mod N.
pub fn pow_n(b: &BigUint, e: &BigUint) -> BigUint {
    MODULUS.pow(b, e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    fn random(bytes: usize) -> BigUint {
        let mut v = vec![0u8; bytes];
        rand::thread_rng().fill_bytes(&mut v);
        BigUint::from_bytes_be(&v)
    }

    #[test]
    fn matches_num_bigint_modpow() {
        let n = &super::super::GROUP.n;
        for (base_bytes, exp_bytes) in [(384, 32), (384, 64), (3, 1), (384, 384), (200, 1024)] {
            let b = random(base_bytes) % n;
            let e = random(exp_bytes);
            assert_eq!(pow_n(&b, &e), b.modpow(&e, n), "{base_bytes}/{exp_bytes}");
        }
        let e = random(48);
        assert_eq!(pow_g(&e), BigUint::from(2u32).modpow(&e, n));
        let big = random(1024);
        assert_eq!(pow_g(&big), BigUint::from(2u32).modpow(&big, n));
    }

    #[test]
    fn edge_exponents_and_bases() {
        let n = &super::super::GROUP.n;
        assert_eq!(
            pow_n(&BigUint::from(7u32), &BigUint::zero()),
            BigUint::one()
        );
        assert_eq!(pow_g(&BigUint::zero()), BigUint::one());
        assert_eq!(pow_g(&BigUint::one()), BigUint::from(2u32));
        assert_eq!(
            pow_n(&BigUint::zero(), &BigUint::from(5u32)),
            BigUint::zero()
        );
        let n_minus_1 = n - 1u32;
        assert_eq!(pow_n(&n_minus_1, &BigUint::from(2u32)), BigUint::one());
        // A base ≥ N is reduced first.
        assert_eq!(
            pow_n(&(n + 3u32), &BigUint::from(2u32)),
            BigUint::from(9u32)
        );
        let all_ones = (BigUint::one() << 512) - 1u32;
        assert_eq!(pow_g(&all_ones), BigUint::from(2u32).modpow(&all_ones, n));
    }
}
