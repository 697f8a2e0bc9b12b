//! Fixed-size Montgomery arithmetic modulo Cognito's 3072-bit N.
//!
//! `num-bigint`'s generic `modpow` costs about 7 µs per 3072-bit step here, which made one
//! sign-in's client work ~8 ms. This module does the same math on fixed-size arrays, with a
//! 5-bit sliding window for variable bases and an 8-bit fixed-base table for g = 2. Three
//! backends, the fastest the CPU has chosen at run time, all checked against `num-bigint`:
//!
//! - AVX-512 IFMA (x86-64): 60 digits of 52 bits in 8 vector registers, ~1 µs per product.
//!   Used for the variable-base powers and the g table, in optimised builds only (unoptimised
//!   builds do not inline the intrinsics).
//! - BMI2 + ADX (x86-64): 48 limbs of 64 bits, schoolbook rows then Montgomery reduction,
//!   a `mulx`/`adcx`/`adox` row kernel in inline assembly, ~2.5 µs per product.
//! - Portable Rust: the same rows with `u128` arithmetic, ~6.5 µs per product.
//!
//! One client sign-in (A = g^a, g^x, then a 512-bit exponent: ~600 squarings and
//! multiplications) costs ~0.8 ms with IFMA, ~1.5 ms with ADX.

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
    /// The CPU has BMI2 and ADX (mulx, adcx, adox): use the x86-64 row kernel.
    #[cfg(target_arch = "x86_64")]
    adx: bool,
    /// The CPU has AVX-512 IFMA: variable-base powers run on 52-bit digits in vector lanes.
    #[cfg(target_arch = "x86_64")]
    ifma: Option<ifma::Ifma>,
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

/// One row of schoolbook multiplication: `t += a·b`, returning the carry word.
trait RowKernel {
    fn addmul(t: &mut Limbs, a: &Limbs, b: u64) -> u64;
    /// The cross products of a square: `t = Σ_{i<j} a[i]·a[j]·2^(64(i+j))`; `t` starts at 0.
    fn triangle(t: &mut [u64; 2 * LIMBS], a: &Limbs);
}

/// Plain Rust, for every target.
struct Portable;

impl RowKernel for Portable {
    #[inline(always)]
    fn addmul(t: &mut Limbs, a: &Limbs, b: u64) -> u64 {
        Self::addmul_short(t, a, b)
    }

    #[inline(always)]
    fn triangle(t: &mut [u64; 2 * LIMBS], a: &Limbs) {
        for i in 0..LIMBS - 1 {
            let carry = Self::addmul_short(&mut t[2 * i + 1..i + LIMBS], &a[i + 1..], a[i]);
            t[i + LIMBS] = carry;
        }
    }
}

impl Portable {
    /// `t += a·b` for rows of any length (`t.len() == a.len()`), returning the carry word.
    #[inline(always)]
    fn addmul_short(t: &mut [u64], a: &[u64], b: u64) -> u64 {
        let b = u128::from(b);
        let mut carry = 0u64;
        for (ti, &ai) in t.iter_mut().zip(a) {
            let uv = u128::from(*ti) + u128::from(ai) * b + u128::from(carry);
            *ti = uv as u64;
            carry = (uv >> 64) as u64;
        }
        carry
    }
}

/// The row kernel with BMI2 `mulx` and ADX's two independent carry chains (`adcx` for the low
/// halves, `adox` for the high halves), fully unrolled for 48 limbs: ~2.5 times the portable
/// loop's speed. Chosen at run time; [`Portable`] is the fallback.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{LIMBS, Limbs, RowKernel};

    pub fn available() -> bool {
        std::arch::is_x86_feature_detected!("bmi2") && std::arch::is_x86_feature_detected!("adx")
    }

    pub struct Adx;

    impl RowKernel for Adx {
        #[inline(always)]
        fn addmul(t: &mut Limbs, a: &Limbs, b: u64) -> u64 {
            const _: () = assert!(LIMBS == 48);
            let carry: u64;
            // SAFETY: `Adx` is only used when `Modulus::adx` is set, which `available()` decides
            // (tests check `available()` too), so the CPU has BMI2 and ADX. The code reads
            // a[0..48] and reads/writes t[0..48], both valid 48-limb arrays that do not overlap
            // (t is uniquely borrowed); touches no memory else and no stack.
            unsafe {
                core::arch::asm!(
                "xor r11d, r11d", // clears CF and OF too
                "mulx r9, r8, qword ptr [{a} + 0]",
                "adcx r8, qword ptr [{t} + 0]",
                "adox r8, r11",
                "mov qword ptr [{t} + 0], r8",
                "mulx r11, r10, qword ptr [{a} + 8]",
                "adcx r10, qword ptr [{t} + 8]",
                "adox r10, r9",
                "mov qword ptr [{t} + 8], r10",
                "mulx r9, r8, qword ptr [{a} + 16]",
                "adcx r8, qword ptr [{t} + 16]",
                "adox r8, r11",
                "mov qword ptr [{t} + 16], r8",
                "mulx r11, r10, qword ptr [{a} + 24]",
                "adcx r10, qword ptr [{t} + 24]",
                "adox r10, r9",
                "mov qword ptr [{t} + 24], r10",
                "mulx r9, r8, qword ptr [{a} + 32]",
                "adcx r8, qword ptr [{t} + 32]",
                "adox r8, r11",
                "mov qword ptr [{t} + 32], r8",
                "mulx r11, r10, qword ptr [{a} + 40]",
                "adcx r10, qword ptr [{t} + 40]",
                "adox r10, r9",
                "mov qword ptr [{t} + 40], r10",
                "mulx r9, r8, qword ptr [{a} + 48]",
                "adcx r8, qword ptr [{t} + 48]",
                "adox r8, r11",
                "mov qword ptr [{t} + 48], r8",
                "mulx r11, r10, qword ptr [{a} + 56]",
                "adcx r10, qword ptr [{t} + 56]",
                "adox r10, r9",
                "mov qword ptr [{t} + 56], r10",
                "mulx r9, r8, qword ptr [{a} + 64]",
                "adcx r8, qword ptr [{t} + 64]",
                "adox r8, r11",
                "mov qword ptr [{t} + 64], r8",
                "mulx r11, r10, qword ptr [{a} + 72]",
                "adcx r10, qword ptr [{t} + 72]",
                "adox r10, r9",
                "mov qword ptr [{t} + 72], r10",
                "mulx r9, r8, qword ptr [{a} + 80]",
                "adcx r8, qword ptr [{t} + 80]",
                "adox r8, r11",
                "mov qword ptr [{t} + 80], r8",
                "mulx r11, r10, qword ptr [{a} + 88]",
                "adcx r10, qword ptr [{t} + 88]",
                "adox r10, r9",
                "mov qword ptr [{t} + 88], r10",
                "mulx r9, r8, qword ptr [{a} + 96]",
                "adcx r8, qword ptr [{t} + 96]",
                "adox r8, r11",
                "mov qword ptr [{t} + 96], r8",
                "mulx r11, r10, qword ptr [{a} + 104]",
                "adcx r10, qword ptr [{t} + 104]",
                "adox r10, r9",
                "mov qword ptr [{t} + 104], r10",
                "mulx r9, r8, qword ptr [{a} + 112]",
                "adcx r8, qword ptr [{t} + 112]",
                "adox r8, r11",
                "mov qword ptr [{t} + 112], r8",
                "mulx r11, r10, qword ptr [{a} + 120]",
                "adcx r10, qword ptr [{t} + 120]",
                "adox r10, r9",
                "mov qword ptr [{t} + 120], r10",
                "mulx r9, r8, qword ptr [{a} + 128]",
                "adcx r8, qword ptr [{t} + 128]",
                "adox r8, r11",
                "mov qword ptr [{t} + 128], r8",
                "mulx r11, r10, qword ptr [{a} + 136]",
                "adcx r10, qword ptr [{t} + 136]",
                "adox r10, r9",
                "mov qword ptr [{t} + 136], r10",
                "mulx r9, r8, qword ptr [{a} + 144]",
                "adcx r8, qword ptr [{t} + 144]",
                "adox r8, r11",
                "mov qword ptr [{t} + 144], r8",
                "mulx r11, r10, qword ptr [{a} + 152]",
                "adcx r10, qword ptr [{t} + 152]",
                "adox r10, r9",
                "mov qword ptr [{t} + 152], r10",
                "mulx r9, r8, qword ptr [{a} + 160]",
                "adcx r8, qword ptr [{t} + 160]",
                "adox r8, r11",
                "mov qword ptr [{t} + 160], r8",
                "mulx r11, r10, qword ptr [{a} + 168]",
                "adcx r10, qword ptr [{t} + 168]",
                "adox r10, r9",
                "mov qword ptr [{t} + 168], r10",
                "mulx r9, r8, qword ptr [{a} + 176]",
                "adcx r8, qword ptr [{t} + 176]",
                "adox r8, r11",
                "mov qword ptr [{t} + 176], r8",
                "mulx r11, r10, qword ptr [{a} + 184]",
                "adcx r10, qword ptr [{t} + 184]",
                "adox r10, r9",
                "mov qword ptr [{t} + 184], r10",
                "mulx r9, r8, qword ptr [{a} + 192]",
                "adcx r8, qword ptr [{t} + 192]",
                "adox r8, r11",
                "mov qword ptr [{t} + 192], r8",
                "mulx r11, r10, qword ptr [{a} + 200]",
                "adcx r10, qword ptr [{t} + 200]",
                "adox r10, r9",
                "mov qword ptr [{t} + 200], r10",
                "mulx r9, r8, qword ptr [{a} + 208]",
                "adcx r8, qword ptr [{t} + 208]",
                "adox r8, r11",
                "mov qword ptr [{t} + 208], r8",
                "mulx r11, r10, qword ptr [{a} + 216]",
                "adcx r10, qword ptr [{t} + 216]",
                "adox r10, r9",
                "mov qword ptr [{t} + 216], r10",
                "mulx r9, r8, qword ptr [{a} + 224]",
                "adcx r8, qword ptr [{t} + 224]",
                "adox r8, r11",
                "mov qword ptr [{t} + 224], r8",
                "mulx r11, r10, qword ptr [{a} + 232]",
                "adcx r10, qword ptr [{t} + 232]",
                "adox r10, r9",
                "mov qword ptr [{t} + 232], r10",
                "mulx r9, r8, qword ptr [{a} + 240]",
                "adcx r8, qword ptr [{t} + 240]",
                "adox r8, r11",
                "mov qword ptr [{t} + 240], r8",
                "mulx r11, r10, qword ptr [{a} + 248]",
                "adcx r10, qword ptr [{t} + 248]",
                "adox r10, r9",
                "mov qword ptr [{t} + 248], r10",
                "mulx r9, r8, qword ptr [{a} + 256]",
                "adcx r8, qword ptr [{t} + 256]",
                "adox r8, r11",
                "mov qword ptr [{t} + 256], r8",
                "mulx r11, r10, qword ptr [{a} + 264]",
                "adcx r10, qword ptr [{t} + 264]",
                "adox r10, r9",
                "mov qword ptr [{t} + 264], r10",
                "mulx r9, r8, qword ptr [{a} + 272]",
                "adcx r8, qword ptr [{t} + 272]",
                "adox r8, r11",
                "mov qword ptr [{t} + 272], r8",
                "mulx r11, r10, qword ptr [{a} + 280]",
                "adcx r10, qword ptr [{t} + 280]",
                "adox r10, r9",
                "mov qword ptr [{t} + 280], r10",
                "mulx r9, r8, qword ptr [{a} + 288]",
                "adcx r8, qword ptr [{t} + 288]",
                "adox r8, r11",
                "mov qword ptr [{t} + 288], r8",
                "mulx r11, r10, qword ptr [{a} + 296]",
                "adcx r10, qword ptr [{t} + 296]",
                "adox r10, r9",
                "mov qword ptr [{t} + 296], r10",
                "mulx r9, r8, qword ptr [{a} + 304]",
                "adcx r8, qword ptr [{t} + 304]",
                "adox r8, r11",
                "mov qword ptr [{t} + 304], r8",
                "mulx r11, r10, qword ptr [{a} + 312]",
                "adcx r10, qword ptr [{t} + 312]",
                "adox r10, r9",
                "mov qword ptr [{t} + 312], r10",
                "mulx r9, r8, qword ptr [{a} + 320]",
                "adcx r8, qword ptr [{t} + 320]",
                "adox r8, r11",
                "mov qword ptr [{t} + 320], r8",
                "mulx r11, r10, qword ptr [{a} + 328]",
                "adcx r10, qword ptr [{t} + 328]",
                "adox r10, r9",
                "mov qword ptr [{t} + 328], r10",
                "mulx r9, r8, qword ptr [{a} + 336]",
                "adcx r8, qword ptr [{t} + 336]",
                "adox r8, r11",
                "mov qword ptr [{t} + 336], r8",
                "mulx r11, r10, qword ptr [{a} + 344]",
                "adcx r10, qword ptr [{t} + 344]",
                "adox r10, r9",
                "mov qword ptr [{t} + 344], r10",
                "mulx r9, r8, qword ptr [{a} + 352]",
                "adcx r8, qword ptr [{t} + 352]",
                "adox r8, r11",
                "mov qword ptr [{t} + 352], r8",
                "mulx r11, r10, qword ptr [{a} + 360]",
                "adcx r10, qword ptr [{t} + 360]",
                "adox r10, r9",
                "mov qword ptr [{t} + 360], r10",
                "mulx r9, r8, qword ptr [{a} + 368]",
                "adcx r8, qword ptr [{t} + 368]",
                "adox r8, r11",
                "mov qword ptr [{t} + 368], r8",
                "mulx r11, r10, qword ptr [{a} + 376]",
                "adcx r10, qword ptr [{t} + 376]",
                "adox r10, r9",
                "mov qword ptr [{t} + 376], r10",
                "mov eax, 0",
                "adcx r11, rax",
                "adox r11, rax",
                t = in(reg) t.as_mut_ptr(),
                a = in(reg) a.as_ptr(),
                in("rdx") b,
                out("rax") _,
                out("r8") _,
                out("r9") _,
                out("r10") _,
                out("r11") carry,
                options(nostack),
                );
            }
            carry
        }

        /// Row i of the triangle is a[i]·a[i+1..48] at limb 2i+1. Rows are rounded up to a
        /// multiple of 8 limbs, read from a copy of `a` padded with zeros, and run as chained
        /// 8-limb blocks: a few wasted products per row, but every one at the fast kernel's pace.
        /// Before row i, limbs from i+48 up are still zero (the rows so far sum to less than
        /// 2^(64(i+48))), and row i adds less than 2^(64(i+49)): the padded tail only carries
        /// zeros, and the carry word lands on a zero limb.
        #[inline(always)]
        fn triangle(t: &mut [u64; 2 * LIMBS], a: &Limbs) {
            let mut ap = [0u64; LIMBS + 8];
            ap[..LIMBS].copy_from_slice(a);
            let mut tt = [0u64; 2 * LIMBS + 8];
            for i in 0..LIMBS - 1 {
                let blocks = (LIMBS - 1 - i).div_ceil(8);
                let mut carry = 0;
                for k in 0..blocks {
                    let at = 2 * i + 1 + 8 * k;
                    let from = i + 1 + 8 * k;
                    let tb: &mut [u64; 8] = (&mut tt[at..at + 8]).try_into().expect("8 limbs");
                    let ab: &[u64; 8] = (&ap[from..from + 8]).try_into().expect("8 limbs");
                    carry = addmul8(tb, ab, a[i], carry);
                }
                tt[2 * i + 1 + 8 * blocks] = carry;
            }
            t.copy_from_slice(&tt[..2 * LIMBS]);
        }
    }

    /// `t += a·b + carry_in` on 8 limbs, returning the carry word.
    #[inline(always)]
    fn addmul8(t: &mut [u64; 8], a: &[u64; 8], b: u64, carry_in: u64) -> u64 {
        let carry: u64;
        // SAFETY: as in `addmul`, on 8-limb arrays; only called through `Adx`, which is only
        // used once `available()` has said the CPU has BMI2 and ADX.
        unsafe {
            core::arch::asm!(
                "xor eax, eax", // clears CF and OF, and rax is the zero for the last adds
                "mulx r9, r8, qword ptr [{a} + 0]",
                "adcx r8, qword ptr [{t} + 0]",
                "adox r8, r11",
                "mov qword ptr [{t} + 0], r8",
                "mulx r11, r10, qword ptr [{a} + 8]",
                "adcx r10, qword ptr [{t} + 8]",
                "adox r10, r9",
                "mov qword ptr [{t} + 8], r10",
                "mulx r9, r8, qword ptr [{a} + 16]",
                "adcx r8, qword ptr [{t} + 16]",
                "adox r8, r11",
                "mov qword ptr [{t} + 16], r8",
                "mulx r11, r10, qword ptr [{a} + 24]",
                "adcx r10, qword ptr [{t} + 24]",
                "adox r10, r9",
                "mov qword ptr [{t} + 24], r10",
                "mulx r9, r8, qword ptr [{a} + 32]",
                "adcx r8, qword ptr [{t} + 32]",
                "adox r8, r11",
                "mov qword ptr [{t} + 32], r8",
                "mulx r11, r10, qword ptr [{a} + 40]",
                "adcx r10, qword ptr [{t} + 40]",
                "adox r10, r9",
                "mov qword ptr [{t} + 40], r10",
                "mulx r9, r8, qword ptr [{a} + 48]",
                "adcx r8, qword ptr [{t} + 48]",
                "adox r8, r11",
                "mov qword ptr [{t} + 48], r8",
                "mulx r11, r10, qword ptr [{a} + 56]",
                "adcx r10, qword ptr [{t} + 56]",
                "adox r10, r9",
                "mov qword ptr [{t} + 56], r10",
                "adcx r11, rax",
                "adox r11, rax",
                t = in(reg) t.as_mut_ptr(),
                a = in(reg) a.as_ptr(),
                in("rdx") b,
                out("rax") _,
                out("r8") _,
                out("r9") _,
                out("r10") _,
                inout("r11") carry_in => carry,
                options(nostack),
            );
        }
        carry
    }
}

/// Left-to-right sliding-window exponentiation (5-bit windows) in any Montgomery domain;
/// `exp` is not zero.
fn window_pow<E: Copy>(
    b: E,
    one: E,
    exp: &BigUint,
    mul: impl Fn(&E, &E) -> E,
    sqr: impl Fn(&E) -> E,
) -> E {
    const W: u64 = 5;
    // odd[i] = b^(2i+1)
    let b2 = sqr(&b);
    let mut odd = Vec::with_capacity(1 << (W - 1));
    odd.push(b);
    for i in 1..(1 << (W - 1)) {
        let next = mul(&odd[i - 1], &b2);
        odd.push(next);
    }
    let mut acc = one;
    let mut i = exp.bits() as i64 - 1;
    while i >= 0 {
        if !exp.bit(i as u64) {
            acc = sqr(&acc);
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
            acc = sqr(&acc);
            val = (val << 1) | usize::from(exp.bit(k as u64));
        }
        acc = mul(&acc, &odd[val >> 1]);
        i = l - 1;
    }
    acc
}

/// Montgomery multiplication with AVX-512 IFMA (`vpmadd52luq`/`vpmadd52huq`): numbers as 60
/// digits of 52 bits (R = 2^3120) in 8 vectors of 8 lanes, one digit of b per step, eight lanes
/// of products per instruction. Lanes hold partial sums (up to 2^60) and are carried only at the
/// end. Almost-Montgomery: inputs and outputs are below 2N (4N < R keeps it so), the exact
/// residue is taken when leaving the domain. Chosen at run time; the 64-bit code is the fallback.
#[cfg(target_arch = "x86_64")]
mod ifma {
    use core::arch::x86_64::*;

    use num_bigint::BigUint;

    const USED: usize = 60;
    const LANES: usize = 64;
    const MASK: u64 = (1 << 52) - 1;
    pub type Digits = [u64; LANES];

    pub struct Ifma {
        n: Digits,
        n_big: BigUint,
        /// -n⁻¹ mod 2^52
        k0: u64,
        /// R mod N, "one" in the domain.
        one: Digits,
    }

    fn to_digits(x: &BigUint) -> Digits {
        let limbs: Vec<u64> = x.iter_u64_digits().collect();
        let limb = |i: usize| limbs.get(i).copied().unwrap_or(0);
        let mut out = [0u64; LANES];
        for (j, d) in out.iter_mut().enumerate().take(USED) {
            let bit = 52 * j;
            let (w, o) = (bit / 64, bit % 64);
            let mut v = limb(w) >> o;
            if o > 12 {
                v |= limb(w + 1) << (64 - o);
            }
            *d = v & MASK;
        }
        out
    }

    fn from_digits(d: &Digits) -> BigUint {
        let mut x = BigUint::default();
        for &v in d.iter().rev() {
            x <<= 52;
            x += v;
        }
        x
    }

    impl Ifma {
        pub fn new(n: &BigUint) -> Option<Self> {
            if !(std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512ifma"))
                || n.bits() + 2 > (52 * USED) as u64
            {
                return None;
            }
            let nd = to_digits(n);
            let mut inv: u64 = 1;
            for _ in 0..7 {
                inv = inv.wrapping_mul(2u64.wrapping_sub(nd[0].wrapping_mul(inv)));
            }
            let one = (BigUint::from(1u32) << (52 * USED)) % n;
            Some(Self {
                n: nd,
                n_big: n.clone(),
                k0: inv.wrapping_neg() & MASK,
                one: to_digits(&one),
            })
        }

        /// x·R mod N as digits.
        pub fn enter(&self, x: &BigUint) -> Digits {
            to_digits(&(((x % &self.n_big) << (52 * USED)) % &self.n_big))
        }

        /// x·R⁻¹ mod N, fully reduced.
        pub fn leave(&self, x: &Digits) -> BigUint {
            let mut unit = [0u64; LANES];
            unit[0] = 1;
            from_digits(&self.amm(x, &unit)) % &self.n_big
        }

        /// a·b·R⁻¹ (mod N) for values from [`Ifma::enter`] or this.
        pub fn mul(&self, a: &Digits, b: &Digits) -> Digits {
            self.amm(a, b)
        }

        /// base^exp mod N for exp ≠ 0.
        pub fn pow(&self, base: &BigUint, exp: &BigUint) -> BigUint {
            let b = self.enter(base);
            let r = super::window_pow(b, self.one, exp, |x, y| self.amm(x, y), |x| self.amm(x, x));
            self.leave(&r)
        }

        /// a·b·R⁻¹ mod N, up to one N: a, b < 2N as normalised digits; the result likewise.
        fn amm(&self, a: &Digits, b: &Digits) -> Digits {
            // SAFETY: `Ifma` exists only when the CPU has AVX-512F and AVX-512 IFMA.
            // N ≡ −1 mod 2^52 (RFC 3526 primes end in 64 one bits) makes k0 = 1: the digit to
            // cancel is then the accumulator's low digit itself, one multiplication shorter on
            // the critical path.
            unsafe {
                if self.k0 == 1 {
                    amm::<true>(a, b, &self.n, 1)
                } else {
                    amm::<false>(a, b, &self.n, self.k0)
                }
            }
        }
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn amm<const K0_IS_ONE: bool>(a: &Digits, b: &Digits, n: &Digits, k0: u64) -> Digits {
        let load = |d: &Digits| -> [__m512i; 8] {
            // SAFETY: each chunk is 8 in-bounds u64s; loadu has no alignment requirement.
            core::array::from_fn(|k| unsafe { _mm512_loadu_si512(d[8 * k..].as_ptr().cast()) })
        };
        let av = load(a);
        let nv = load(n);
        let zero = _mm512_setzero_si512();
        let mut r = [zero; 8];
        let n0 = n[0];
        for &bi in b.iter().take(USED) {
            let bv = _mm512_set1_epi64(bi as i64);
            for k in 0..8 {
                r[k] = _mm512_madd52lo_epu64(r[k], av[k], bv);
            }
            let r0 = _mm_cvtsi128_si64(_mm512_castsi512_si128(r[0])) as u64;
            let y = if K0_IS_ONE { r0 } else { r0.wrapping_mul(k0) } & MASK;
            let yv = _mm512_set1_epi64(y as i64);
            for k in 0..8 {
                r[k] = _mm512_madd52lo_epu64(r[k], nv[k], yv);
            }
            // Digit 0 is now 0 mod 2^52; what is above moves into the next digit.
            let low = (u128::from(n0) * u128::from(y)) as u64 & MASK;
            let carry = (r0 + low) >> 52;
            for k in 0..7 {
                r[k] = _mm512_alignr_epi64::<1>(r[k + 1], r[k]);
            }
            r[7] = _mm512_alignr_epi64::<1>(zero, r[7]);
            r[0] = _mm512_add_epi64(r[0], _mm512_maskz_set1_epi64(1, carry as i64));
            for k in 0..8 {
                r[k] = _mm512_madd52hi_epu64(r[k], av[k], bv);
            }
            for k in 0..8 {
                r[k] = _mm512_madd52hi_epu64(r[k], nv[k], yv);
            }
        }
        let mut out = [0u64; LANES];
        for k in 0..8 {
            // SAFETY: 8 in-bounds u64s; storeu has no alignment requirement.
            unsafe { _mm512_storeu_si512(out[8 * k..].as_mut_ptr().cast(), r[k]) };
        }
        let mut c = 0u64;
        for d in out.iter_mut() {
            let v = *d + c;
            *d = v & MASK;
            c = v >> 52;
        }
        out
    }
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
            #[cfg(target_arch = "x86_64")]
            adx: x86::available(),
            // Unoptimised builds do not inline the vector intrinsics, which makes this path
            // slower there than the ADX assembly: debug builds (the tests) keep to the latter.
            #[cfg(target_arch = "x86_64")]
            ifma: ifma::Ifma::new(n).filter(|_| !cfg!(debug_assertions)),
        }
    }

    /// a·b·R⁻¹ mod N for a, b < N.
    #[inline]
    pub fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if self.adx {
            return self.mul_with::<x86::Adx>(a, b);
        }
        self.mul_with::<Portable>(a, b)
    }

    /// a²·R⁻¹ mod N for a < N.
    #[inline]
    pub fn sqr(&self, a: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if self.adx {
            return self.sqr_with::<x86::Adx>(a);
        }
        self.sqr_with::<Portable>(a)
    }

    /// Schoolbook product into 96 limbs, then Montgomery reduction (SOS).
    #[inline(always)]
    fn mul_with<K: RowKernel>(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut t = [0u64; 2 * LIMBS];
        for (i, &bi) in b.iter().enumerate() {
            let row: &mut Limbs = (&mut t[i..i + LIMBS]).try_into().expect("48 limbs");
            let carry = K::addmul(row, a, bi);
            t[i + LIMBS] = carry;
        }
        self.redc::<K>(t)
    }

    /// Squaring: each cross product a[i]·a[j] (i < j) is computed once, the sum doubled, then
    /// the squares a[i]² added on the diagonal; almost half of the product's limb products.
    #[inline(always)]
    fn sqr_with<K: RowKernel>(&self, a: &Limbs) -> Limbs {
        let mut t = [0u64; 2 * LIMBS];
        K::triangle(&mut t, a);
        // Double: t < 2^(64·95) before this, so no bit falls off the top.
        let mut top = 0u64;
        for w in t.iter_mut() {
            let next = *w >> 63;
            *w = (*w << 1) | top;
            top = next;
        }
        let mut carry = 0u64;
        for (i, &ai) in a.iter().enumerate() {
            let sq = u128::from(ai) * u128::from(ai);
            let lo = u128::from(t[2 * i]) + (sq & u128::from(u64::MAX)) + u128::from(carry);
            t[2 * i] = lo as u64;
            let hi = u128::from(t[2 * i + 1]) + (sq >> 64) + (lo >> 64);
            t[2 * i + 1] = hi as u64;
            carry = (hi >> 64) as u64;
        }
        self.redc::<K>(t)
    }

    /// t·R⁻¹ mod N for t < N·R.
    #[inline(always)]
    fn redc<K: RowKernel>(&self, mut t: [u64; 2 * LIMBS]) -> Limbs {
        let mut extra = 0u64;
        for i in 0..LIMBS {
            let m = t[i].wrapping_mul(self.n0inv);
            let row: &mut Limbs = (&mut t[i..i + LIMBS]).try_into().expect("48 limbs");
            let c = K::addmul(row, &self.n, m);
            let (s, o1) = t[i + LIMBS].overflowing_add(c);
            let (s, o2) = s.overflowing_add(extra);
            t[i + LIMBS] = s;
            extra = u64::from(o1 | o2);
        }
        let mut out = [0u64; LIMBS];
        out.copy_from_slice(&t[LIMBS..]);
        // t + m·N < 2·N·R, so the result is below 2N: one conditional subtraction.
        if extra != 0 || geq(&out, &self.n) {
            sub_in_place(&mut out, &self.n);
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
        #[cfg(target_arch = "x86_64")]
        if let Some(v) = &self.ifma {
            return v.pow(base, exp);
        }
        let b = self.enter_mont(base);
        let r = window_pow(b, self.one, exp, |x, y| self.mul(x, y), |x| self.sqr(x));
        self.leave_mont(&r)
    }
}

/// Fixed-base table for g with 8-bit windows: entry `255·i + d − 1` is g^(d·256^i) in Montgomery
/// form for d in 1..=255, covering exponents below 2^256 (every exponent a sign-in uses: 256-bit
/// randoms and SHA-256 outputs) with at most 31 multiplications and no squaring. 3-4 MiB, built
/// once on first use (8,160 multiplications), in the representation of the fastest backend.
pub struct FixedBase {
    table: Table,
}

enum Table {
    Limbs(Vec<Limbs>),
    #[cfg(target_arch = "x86_64")]
    Digits(Vec<ifma::Digits>),
}

const FIXED_BITS: usize = 8;
const FIXED_WINDOWS: usize = 256 / FIXED_BITS;
const FIXED_DIGITS: usize = (1 << FIXED_BITS) - 1;

fn build_table<E: Copy>(g: E, mul: impl Fn(&E, &E) -> E) -> Vec<E> {
    let mut table = Vec::with_capacity(FIXED_WINDOWS * FIXED_DIGITS);
    let mut base = g;
    for _ in 0..FIXED_WINDOWS {
        let start = table.len();
        table.push(base);
        for d in 1..FIXED_DIGITS {
            let next = mul(&table[start + d - 1], &base);
            table.push(next);
        }
        // The next window's base: g^(256^(i+1)) = g^(255·256^i) · g^(256^i).
        base = mul(&table[start + FIXED_DIGITS - 1], &base);
    }
    table
}

/// The product of the table entries for the exponent's bytes; `None` for exponent 0.
fn table_pow<E: Copy>(table: &[E], exp_le: &[u8], mul: impl Fn(&E, &E) -> E) -> Option<E> {
    let mut acc: Option<E> = None;
    for (i, &digit) in exp_le.iter().enumerate() {
        if digit != 0 {
            let entry = &table[FIXED_DIGITS * i + usize::from(digit) - 1];
            acc = Some(match acc {
                None => *entry,
                Some(acc) => mul(&acc, entry),
            });
        }
    }
    acc
}

impl FixedBase {
    pub fn new(m: &Modulus, g: &BigUint) -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(f) = &m.ifma {
            return Self {
                table: Table::Digits(build_table(f.enter(g), |a, b| f.mul(a, b))),
            };
        }
        Self {
            table: Table::Limbs(build_table(m.enter_mont(g), |a, b| m.mul(a, b))),
        }
    }

    /// g^exp mod N for the `m` the table was built with; exponents beyond the table take the
    /// sliding window.
    pub fn pow(&self, m: &Modulus, g: &BigUint, exp: &BigUint) -> BigUint {
        if exp.bits() > (FIXED_BITS * FIXED_WINDOWS) as u64 {
            return m.pow(g, exp);
        }
        let bytes = exp.to_bytes_le();
        match (&self.table, m) {
            #[cfg(target_arch = "x86_64")]
            (Table::Digits(t), Modulus { ifma: Some(f), .. }) => {
                match table_pow(t, &bytes, |a, b| f.mul(a, b)) {
                    Some(acc) => f.leave(&acc),
                    None => BigUint::one() % &m.n_big,
                }
            }
            (Table::Limbs(t), _) => match table_pow(t, &bytes, |a, b| m.mul(a, b)) {
                Some(acc) => m.leave_mont(&acc),
                None => BigUint::one() % &m.n_big,
            },
            // A table of the other representation than `m` uses: still right, only slower.
            #[cfg(target_arch = "x86_64")]
            _ => m.pow(g, exp),
        }
    }
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
    use rand::rngs::StdRng;
    use rand::{Rng, RngCore, SeedableRng};

    fn n() -> &'static BigUint {
        &super::super::GROUP.n
    }

    /// A seeded generator; the seed is in every failure message, so a failure can be replayed.
    fn rng() -> (StdRng, u64) {
        let seed = rand::thread_rng().next_u64();
        (StdRng::seed_from_u64(seed), seed)
    }

    fn random(rng: &mut StdRng, bytes: usize) -> BigUint {
        let mut v = vec![0u8; bytes];
        rng.fill_bytes(&mut v);
        BigUint::from_bytes_be(&v)
    }

    /// Every implementation this CPU can run, each forced on its own.
    fn backends() -> Vec<(&'static str, Modulus)> {
        let mut out = Vec::new();
        #[allow(unused_mut)]
        let mut portable = Modulus::new(n());
        #[cfg(target_arch = "x86_64")]
        {
            portable.adx = false;
            portable.ifma = None;
        }
        out.push(("portable", portable));
        #[cfg(target_arch = "x86_64")]
        {
            if x86::available() {
                let mut m = Modulus::new(n());
                m.ifma = None;
                out.push(("adx", m));
            }
            let mut m = Modulus::new(n());
            m.ifma = ifma::Ifma::new(n());
            if m.ifma.is_some() {
                out.push(("ifma", m));
            }
        }
        out
    }

    /// Bases worth trying: edges of the range, values ≥ N, and random values of many sizes.
    fn bases(rng: &mut StdRng) -> Vec<BigUint> {
        let n = n();
        let r_mod_n = (BigUint::one() << (64 * LIMBS)) % n;
        let mut v = vec![
            BigUint::zero(),
            BigUint::one(),
            BigUint::from(2u32),
            n - 1u32,
            n - 2u32,
            n.clone(),
            n + 1u32,
            (BigUint::one() << 3072) - 1u32,
            r_mod_n,
            n * 3u32 + 5u32,
        ];
        for bytes in [1, 8, 47, 200, 383, 384, 384, 384, 500] {
            v.push(random(rng, bytes));
        }
        v
    }

    /// Exponents: tiny, word and window boundaries, long zero runs, all ones, 1..1024 bytes.
    fn exponents(rng: &mut StdRng) -> Vec<BigUint> {
        let one = BigUint::one();
        let mut v = vec![one.clone(), BigUint::from(2u32), BigUint::from(3u32)];
        for k in [5, 31, 63, 64, 65, 255, 256, 511, 512, 1000] {
            v.push(&one << k);
            v.push((&one << k) + 1u32);
            v.push((&one << k) - 1u32);
        }
        // A set bit, a run of 700 zeros, then random bits; and random bytes with zero bytes.
        v.push(((&one << 700) | random(rng, 32)) << 3);
        let mut sparse = vec![0u8; 64];
        for b in sparse.iter_mut().step_by(9) {
            *b = rng.r#gen();
        }
        sparse[0] |= 1;
        v.push(BigUint::from_bytes_be(&sparse));
        for bytes in [1, 2, 3, 7, 8, 9, 31, 32, 33, 64, 65, 128, 384] {
            v.push(random(rng, bytes));
        }
        v
    }

    #[test]
    fn pow_matches_num_bigint_on_every_backend() {
        let (mut rng, seed) = rng();
        let n = n();
        let bases = bases(&mut rng);
        let exps = exponents(&mut rng);
        let backends = backends();
        let mut cases = Vec::new();
        for (i, b) in bases.iter().enumerate() {
            // Every base with a few exponents, every exponent with a few bases.
            for e in exps.iter().skip(i % 4).step_by(4) {
                cases.push((b.clone(), e.clone()));
            }
        }
        // Exponents up to 1024 bytes.
        cases.push((bases[15].clone(), random(&mut rng, 1024) | BigUint::one()));
        // Unoptimised builds (plain `cargo test`) are slow, the portable and IFMA code 5-7 times
        // slower than the ADX assembly: there each backend takes a share of the cases, and
        // release-mode runs take them all.
        let step = |name: &str| match (cfg!(debug_assertions), name) {
            (true, "portable") => 8,
            (true, "ifma") => 4,
            (true, _) => 2,
            _ => 1,
        };
        for (i, (b, e)) in cases.iter().enumerate() {
            let run: Vec<_> = backends
                .iter()
                .filter(|(name, _)| i % step(name) == 0)
                .collect();
            if run.is_empty() {
                continue;
            }
            let want = b.modpow(e, n);
            for (name, m) in run {
                assert_eq!(
                    m.pow(b, e),
                    want,
                    "{name}: base {b:x}, exp {e:x}, seed {seed}"
                );
            }
        }
        for (name, m) in &backends {
            assert_eq!(m.pow(&bases[3], &BigUint::zero()), BigUint::one(), "{name}");
        }
    }

    #[test]
    fn other_odd_moduli_work_on_every_backend() {
        // Cognito's N makes the Montgomery constants 1; other odd moduli exercise the rest.
        let (mut rng, seed) = rng();
        for bytes in [384, 300] {
            let m_big =
                random(&mut rng, bytes) | BigUint::one() | (BigUint::one() << (8 * bytes - 1));
            #[allow(unused_mut)]
            let mut ms = vec![("portable", Modulus::new(&m_big))];
            #[cfg(target_arch = "x86_64")]
            {
                ms[0].1.adx = false;
                ms[0].1.ifma = None;
                if x86::available() {
                    let mut m = Modulus::new(&m_big);
                    m.ifma = None;
                    ms.push(("adx", m));
                }
                let mut m = Modulus::new(&m_big);
                m.ifma = ifma::Ifma::new(&m_big);
                if m.ifma.is_some() {
                    ms.push(("ifma", m));
                }
            }
            let b = random(&mut rng, 400);
            let e = random(&mut rng, 40);
            let want = b.modpow(&e, &m_big);
            for (name, m) in &ms {
                assert_eq!(
                    m.pow(&b, &e),
                    want,
                    "{name}: modulus {m_big:x}, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn mul_and_sqr_match_num_bigint_on_every_kernel() {
        let (mut rng, seed) = rng();
        let n = n();
        let mut values = vec![BigUint::zero(), BigUint::one(), n - 1u32, n - 2u32];
        for _ in 0..12 {
            values.push(random(&mut rng, 384) % n);
        }
        for (name, m) in backends() {
            for a in &values {
                let am = m.enter_mont(a);
                assert_eq!(
                    m.leave_mont(&m.sqr(&am)),
                    (a * a) % n,
                    "{name} sqr {a:x}, seed {seed}"
                );
                for b in values.iter().step_by(3) {
                    let bm = m.enter_mont(b);
                    assert_eq!(
                        m.leave_mont(&m.mul(&am, &bm)),
                        (a * b) % n,
                        "{name} mul {a:x}·{b:x}, seed {seed}"
                    );
                }
            }
        }
    }

    #[test]
    fn fixed_base_matches_num_bigint() {
        let (mut rng, seed) = rng();
        let n = n();
        let g = BigUint::from(2u32);
        let one = BigUint::one();
        let mut exps = vec![
            BigUint::zero(),
            one.clone(),
            BigUint::from(255u32),
            BigUint::from(256u32),
            (&one << 255) + 1u32,
            (&one << 256) - 1u32,
            &one << 256,
            (&one << 512) - 1u32,
            random(&mut rng, 1024),
        ];
        for bytes in [1, 2, 16, 31, 32, 32, 32, 33, 64] {
            exps.push(random(&mut rng, bytes));
        }
        for e in &exps {
            assert_eq!(pow_g(e), g.modpow(e, n), "exp {e:x}, seed {seed}");
        }
        // The table agrees with the sliding window of every backend.
        let e = random(&mut rng, 32);
        for (name, m) in backends() {
            assert_eq!(
                G_TABLE.pow(&m, &g, &e),
                m.pow(&g, &e),
                "{name}, seed {seed}"
            );
        }
    }

    #[test]
    fn edge_exponents_and_bases() {
        let n = n();
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
        assert_eq!(pow_n(&n_minus_1, &BigUint::from(3u32)), n_minus_1);
        // A base ≥ N is reduced first.
        assert_eq!(
            pow_n(&(n + 3u32), &BigUint::from(2u32)),
            BigUint::from(9u32)
        );
        // Fermat: 2^(N−1) = 1 for the prime N.
        assert_eq!(pow_n(&BigUint::from(2u32), &n_minus_1), BigUint::one());
    }
}
