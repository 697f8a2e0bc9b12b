//! Software tokens (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps, one step of skew either
//! side): new secrets, checking a code, and computing one.

use rand::RngCore;

use super::error::{ApiError, ApiResult};

/// A fresh software-token secret: 32 random bytes in base32 (52 characters, no padding).
pub fn new_totp_secret() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    totp_rs::Secret::from(b.to_vec()).to_base32()
}

pub fn totp(secret_b32: &str) -> ApiResult<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32)
        .map_err(|_| ApiError::internal("Internal error: corrupt software token secret"))?;
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(1)
        .with_secret(secret)
        .build()
        .map_err(|_| ApiError::internal("Internal error: unusable software token secret"))
}

/// The step a TOTP code matches at `now` (±1 step), if any.
pub fn totp_step(secret_b32: &str, code: &str, now: i64) -> ApiResult<Option<i64>> {
    let t = totp(secret_b32)?;
    let now = u64::try_from(now).unwrap_or(0);
    Ok(t.check(code.trim(), now).map(|s| s as i64))
}

/// The TOTP code of `secret_b32` at unix time `at`.
#[cfg(test)]
fn totp_code(secret_b32: &str, at: i64) -> ApiResult<String> {
    Ok(totp(secret_b32)?
        .generate(u64::try_from(at).unwrap_or(0))
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B (SHA-1 seed "12345678901234567890"), last 6 of the 8 digits.
    #[test]
    fn totp_matches_rfc_6238_and_accepts_one_step_either_side() {
        let secret = totp_rs::Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(totp_code(&secret, 59).unwrap(), "287082");
        assert_eq!(totp_code(&secret, 1111111109).unwrap(), "081804");
        assert_eq!(totp_code(&secret, 1234567890).unwrap(), "005924");
        let at = 1111111109;
        let step = at / 30;
        for (delta, expected) in [(-30, Some(step - 1)), (0, Some(step)), (30, Some(step + 1))] {
            let code = totp_code(&secret, at + delta).unwrap();
            assert_eq!(totp_step(&secret, &code, at).unwrap(), expected, "{delta}");
        }
        let far = totp_code(&secret, at + 90).unwrap();
        assert_eq!(totp_step(&secret, &far, at).unwrap(), None);
        for junk in ["", "12345", "1234567", "12a456", "+12345", "１２３４５６"] {
            assert_eq!(totp_step(&secret, junk, at).unwrap(), None, "{junk:?}");
        }
    }

    #[test]
    fn new_secrets_are_base32_and_distinct() {
        let a = new_totp_secret();
        let b = new_totp_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 52);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
        );
        assert!(totp(&a).is_ok());
    }
}
