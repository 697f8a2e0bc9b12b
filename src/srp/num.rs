//! [`BigUint`]: the non-negative integers the SRP code passes around (salts, verifiers, public
//! and private ephemerals, k, u, x, S), stored as crypto-bigint's [`BoxedUint`].
//!
//! Only what the protocol and its callers need is offered: byte and hex conversion, decimal
//! display (the vectors in PROTOCOL.md appendix A give some values in decimal), comparison,
//! reduction modulo N and exponentiation. The exponentiations themselves run in the `srp` crate
//! (see `group.rs`); the helpers here that branch on a value (`%`, comparisons, formatting) are
//! only used on public values or for display of fingerprints.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Rem;

use srp::bigint::{BoxedUint, NonZero, Resize};

/// A non-negative integer of any size.
#[derive(Clone)]
pub struct BigUint(BoxedUint);

impl BigUint {
    /// Big-endian bytes, any length (an empty slice is 0).
    pub fn from_bytes_be(bytes: &[u8]) -> Self {
        if bytes.is_empty() {
            return Self::default();
        }
        Self(BoxedUint::from_be_slice_vartime(bytes))
    }

    /// Minimal big-endian bytes; 0 is `[0]`.
    pub fn to_bytes_be(&self) -> Vec<u8> {
        let bytes = self.0.to_be_bytes_trimmed_vartime();
        if bytes.is_empty() {
            vec![0]
        } else {
            bytes.into_vec()
        }
    }

    /// Parses hexadecimal digits (either case, no prefix). `None` for an empty string or any
    /// other character.
    pub fn parse_hex(s: &str) -> Option<Self> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        BoxedUint::from_str_radix_vartime(s, 16).ok().map(Self)
    }

    /// Lowercase hexadecimal without leading zeros (0 is "0").
    pub fn to_hex(&self) -> String {
        self.0.to_string_radix_vartime(16).to_ascii_lowercase()
    }

    /// The number of significant bits (0 for 0).
    pub fn bits(&self) -> u64 {
        u64::from(self.0.bit_width_vartime())
    }

    pub fn is_zero(&self) -> bool {
        self.bits() == 0
    }

    pub(crate) fn from_boxed(n: BoxedUint) -> Self {
        Self(n)
    }

    pub(crate) fn as_boxed(&self) -> &BoxedUint {
        &self.0
    }

    /// The same value with at least `bits` of storage (never truncates).
    pub(crate) fn widened(&self, bits: u32) -> BoxedUint {
        if self.0.bits_precision() >= bits {
            self.0.clone()
        } else {
            (&self.0).resize(bits)
        }
    }
}

impl Default for BigUint {
    fn default() -> Self {
        Self(BoxedUint::zero())
    }
}

impl From<u8> for BigUint {
    fn from(v: u8) -> Self {
        Self(BoxedUint::from(v))
    }
}

impl From<u32> for BigUint {
    fn from(v: u32) -> Self {
        Self(BoxedUint::from(v))
    }
}

impl From<u64> for BigUint {
    fn from(v: u64) -> Self {
        Self(BoxedUint::from(v))
    }
}

impl PartialEq for BigUint {
    fn eq(&self, other: &Self) -> bool {
        self.0.cmp_vartime(&other.0) == Ordering::Equal
    }
}

impl Eq for BigUint {}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_vartime(&other.0)
    }
}

/// `a % m`; panics when m is 0, as integer division does.
impl Rem<&BigUint> for &BigUint {
    type Output = BigUint;

    fn rem(self, modulus: &BigUint) -> BigUint {
        let m = NonZero::new(modulus.0.clone())
            .into_option()
            .expect("remainder by zero");
        BigUint(self.0.rem_vartime(&m))
    }
}

impl Rem<&BigUint> for BigUint {
    type Output = BigUint;

    fn rem(self, modulus: &BigUint) -> BigUint {
        &self % modulus
    }
}

/// Decimal (some vectors in PROTOCOL.md appendix A are given in decimal).
impl fmt::Display for BigUint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad_integral(true, "", &self.0.to_string_radix_vartime(10))
    }
}

impl fmt::LowerHex for BigUint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad_integral(true, "0x", &self.to_hex())
    }
}

/// Values may be secret (a private exponent, x, S): Debug shows only their size.
impl fmt::Debug for BigUint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BigUint({} bits)", self.bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_hex_and_decimal() {
        let n = BigUint::from_bytes_be(&[0x00, 0x81, 0x23, 0xab, 0xcd]);
        assert_eq!(n.to_bytes_be(), vec![0x81, 0x23, 0xab, 0xcd]);
        assert_eq!(n.to_hex(), "8123abcd");
        assert_eq!(n.to_string(), "2166598605");
        assert_eq!(BigUint::parse_hex("8123ABCD"), Some(n.clone()));
        assert_eq!(BigUint::parse_hex(""), None);
        assert_eq!(BigUint::parse_hex("0x12"), None);
        assert_eq!(BigUint::default().to_bytes_be(), vec![0]);
        assert_eq!(BigUint::default().to_hex(), "0");
        assert_eq!(BigUint::default().to_string(), "0");
        assert_eq!(BigUint::from_bytes_be(&[]), BigUint::default());
        assert_eq!(n.bits(), 32);
    }

    #[test]
    fn comparison_ignores_storage_size() {
        let small = BigUint::from(5u8);
        let wide =
            BigUint::from_bytes_be(&[0u8; 40].iter().chain(&[5u8]).copied().collect::<Vec<_>>());
        assert_eq!(small, wide);
        assert!(BigUint::from(4u32) < wide);
        assert_eq!(
            BigUint::from(0u64).max(BigUint::from(1u8)),
            BigUint::from(1u8)
        );
    }

    #[test]
    fn remainder() {
        let m = BigUint::from(1_000_003u32);
        assert_eq!(&BigUint::from(2_000_010u64) % &m, BigUint::from(4u8));
        assert_eq!(
            &BigUint::from(1_000_002u64) % &m,
            BigUint::from(1_000_002u64)
        );
        assert!((&BigUint::from(3_000_009u64) % &m).is_zero());
    }
}
