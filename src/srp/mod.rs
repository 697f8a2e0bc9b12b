//! Cognito's variant of SRP-6a (PROTOCOL.md §4), both sides, plus SECRET_HASH (§5).
//!
//! Cognito differs from RFC 5054: the 3072-bit RFC 3526 prime with g = 2, Java
//! `BigInteger.toByteArray()` padding before hashing, x salted with the pool name, and no M1/M2
//! proofs: the client instead signs `poolName ‖ userId ‖ secretBlock ‖ timestamp` with an HKDF
//! key derived from S. Every value is exposed through [`SrpTrace`] so the inspector can teach
//! the exchange; secret values only ever appear there as short fingerprints.
//!
//! Private exponents: Amplify draws 128 random bytes for `a`. We draw 256 bits, the exponent size
//! RFC 3526 §8 gives for this group's strength, which makes a sign-in's client work about four
//! times cheaper. Any size works with the server: the vectors use a 1024-byte `a`.
//!
//! The group arithmetic (every exponentiation modulo N) is RustCrypto's `srp` crate on
//! constant-time crypto-bigint, with Cognito's group defined in `group.rs`; k, u, x, the HKDF
//! and the claim are Cognito's own and stay here. [`BigUint`] (`num.rs`) is the integer type.

mod explain;
mod group;
mod num;

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

pub use explain::{Hidden, Quantity, ServerSrpSide, Shown, SrpDerivation};
pub use group::{CognitoGroup, N_HEX};
pub use num::BigUint;

type HmacSha256 = Hmac<Sha256>;

/// The HKDF `info` string Cognito uses.
pub const DERIVED_KEY_INFO: &[u8] = b"Caldera Derived Key";

/// Bytes of randomness in a private ephemeral exponent we generate (see the module docs).
pub const EPHEMERAL_BYTES: usize = 32;

/// The group: N, g and the multiplier k = H(PAD(N) | PAD(g)).
pub struct Group {
    pub n: BigUint,
    pub g: BigUint,
    pub k: BigUint,
}

pub static GROUP: LazyLock<Group> = LazyLock::new(|| {
    let n = group::modulus().clone();
    let g = group::generator();
    let k = hash_to_int(&[&pad(&n), &pad(&g)]);
    Group { n, g, k }
});

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    #[error("{0} is not valid hexadecimal")]
    BadHex(&'static str),
    #[error("SECRET_BLOCK is not valid base64")]
    BadSecretBlock,
    #[error("PASSWORD_CLAIM_SIGNATURE is not valid base64")]
    BadSignature,
    #[error("the server's B is 0 mod N: refusing to continue (the server is broken or hostile)")]
    IllegalB,
    #[error("the client's A is 0 mod N")]
    IllegalA,
    #[error("u = H(A|B) is 0: refusing to continue")]
    IllegalU,
}

/// Java `BigInteger.toByteArray()` of a non-negative integer: minimal big-endian bytes with a
/// leading 0x00 when the top bit is set (PROTOCOL.md §4.1 "PAD").
pub fn pad(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        let mut out = Vec::with_capacity(bytes.len() + 1);
        out.push(0);
        out.extend_from_slice(&bytes);
        out
    } else {
        bytes
    }
}

/// Lowercase hex without leading zeros, as Cognito sends `SRP_A`, `SRP_B` and `SALT`.
pub fn to_hex(n: &BigUint) -> String {
    n.to_hex()
}

pub fn parse_hex(s: &str, what: &'static str) -> Result<BigUint, SrpError> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SrpError::BadHex(what));
    }
    BigUint::parse_hex(s).ok_or(SrpError::BadHex(what))
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    BigUint::from_bytes_be(&sha256(parts))
}

/// The pool name used in the math: the part of the pool id after `_`.
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, name)| name)
}

/// u = H(PAD(A) | PAD(B)).
pub fn compute_u(a_pub: &BigUint, b_pub: &BigUint) -> BigUint {
    hash_to_int(&[&pad(a_pub), &pad(b_pub)])
}

/// x = H(PAD(salt) | H(poolName ‖ userId ‖ ":" ‖ password)).
pub fn compute_x(pool_name: &str, user_id: &str, password: &str, salt: &BigUint) -> BigUint {
    let inner = sha256(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    hash_to_int(&[&pad(salt), &inner])
}

/// The verifier v = g^x mod N that a server stores instead of the password.
pub fn compute_verifier(pool_name: &str, user_id: &str, password: &str, salt: &BigUint) -> BigUint {
    verifier_from_x(&compute_x(pool_name, user_id, password, salt))
}

/// The verifier v = g^x mod N for an x that did not come from a password (the pool's stand-in
/// for a user that does not exist, which must look like any other).
pub fn verifier_from_x(x: &BigUint) -> BigUint {
    group::g_pow(x)
}

/// HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info = "Caldera Derived Key", L = 16).
pub fn derive_key(u: &BigUint, s: &BigUint) -> [u8; 16] {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(u)), &pad(s));
    let mut okm = [0u8; 16];
    hk.expand(DERIVED_KEY_INFO, &mut okm)
        .expect("16 bytes is a valid HKDF-SHA256 length");
    okm
}

/// HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ timestamp), the raw 32 bytes.
pub fn claim_mac(
    key: &[u8],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().into()
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Cognito's TIMESTAMP: `EEE MMM d HH:mm:ss 'UTC' yyyy`, English, UTC, day not padded.
pub fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        DAYS[t.weekday().number_days_from_monday() as usize],
        MONTHS[u8::from(t.month()) as usize - 1],
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    )
}

/// Parses a TIMESTAMP in Cognito's format (a zero-padded day is accepted too).
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    let mut it = s.split_whitespace();
    let _dow = it.next()?;
    let month_name = it.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u8 + 1;
    let day: u8 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':');
    let (h, m, sec): (u8, u8, u8) = (
        hms.next()?.parse().ok()?,
        hms.next()?.parse().ok()?,
        hms.next()?.parse().ok()?,
    );
    if it.next()? != "UTC" {
        return None;
    }
    let year: i32 = it.next()?.parse().ok()?;
    if it.next().is_some() || hms.next().is_some() {
        return None;
    }
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let time = time::Time::from_hms(h, m, sec).ok()?;
    Some(time::PrimitiveDateTime::new(date, time).assume_utc())
}

/// SECRET_HASH = Base64(HMAC-SHA256(clientSecret, username ‖ clientId)).
pub fn secret_hash(username: &str, client_id: &str, client_secret: &str) -> String {
    let mut mac =
        HmacSha256::new_from_slice(client_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// A short, non-reversible fingerprint of a secret value, for display.
pub fn fingerprint(bytes: &[u8]) -> String {
    let d = sha256(&[bytes]);
    format!("sha256:{}…", hex::encode(&d[..4]))
}

fn random_exponent() -> BigUint {
    let mut bytes = [0u8; EPHEMERAL_BYTES];
    loop {
        rand::thread_rng().fill_bytes(&mut bytes);
        let e = BigUint::from_bytes_be(&bytes);
        if !e.is_zero() {
            return e;
        }
    }
}

/// What the inspector can show of one SRP exchange. Public values are given in full (hex);
/// values derived from the password or the private exponents only as fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SrpTrace {
    pub pool_name: String,
    pub user_id_for_srp: String,
    pub k: String,
    pub srp_a: String,
    pub srp_b: String,
    pub salt: String,
    pub u: String,
    pub timestamp: String,
    pub secret_block_bytes: usize,
    pub x_fingerprint: String,
    pub s_fingerprint: String,
    pub key_fingerprint: String,
    pub signature: String,
}

/// The client's ephemeral pair (a, A = g^a mod N).
pub struct ClientEphemeral {
    a: BigUint,
    a_pub: BigUint,
}

impl std::fmt::Debug for ClientEphemeral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientEphemeral")
            .field("A", &to_hex(&self.a_pub))
            .finish_non_exhaustive()
    }
}

/// The answer to PASSWORD_VERIFIER.
#[derive(Debug, Clone)]
pub struct PasswordClaim {
    pub signature: String,
    pub timestamp: String,
    pub trace: SrpTrace,
    /// Every quantity of the proof, for the step-by-step view.
    pub derivation: Box<SrpDerivation>,
}

impl ClientEphemeral {
    pub fn generate() -> Self {
        Self::from_private(random_exponent())
    }

    /// Uses a given private exponent (for known-answer tests). Panics never: a = 0 gives A = 1,
    /// which servers accept; callers that draw randomly use [`ClientEphemeral::generate`].
    pub fn from_private(a: BigUint) -> Self {
        let a_pub = group::client_public(&a);
        Self { a, a_pub }
    }

    pub fn public(&self) -> &BigUint {
        &self.a_pub
    }

    /// `SRP_A` as sent on the wire: unpadded lowercase hex.
    pub fn a_hex(&self) -> String {
        to_hex(&self.a_pub)
    }

    /// The password-derived shared key for the server's PASSWORD_VERIFIER parameters.
    pub fn shared_key(
        &self,
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
    ) -> Result<SharedKey, SrpError> {
        let g = &*GROUP;
        let b_pub = parse_hex(srp_b_hex, "SRP_B")?;
        if (&b_pub % &g.n).is_zero() {
            return Err(SrpError::IllegalB);
        }
        let salt = parse_hex(salt_hex, "SALT")?;
        let u = compute_u(&self.a_pub, &b_pub);
        if u.is_zero() {
            return Err(SrpError::IllegalU);
        }
        let x = compute_x(pool_name, user_id_for_srp, password, &salt);
        let s = group::client_premaster(&b_pub, &g.k, &x, &self.a, &u);
        let key = derive_key(&u, &s);
        Ok(SharedKey {
            key,
            u,
            b_pub,
            salt,
            x_fingerprint: fingerprint(&pad(&x)),
            s_fingerprint: fingerprint(&pad(&s)),
            s,
        })
    }

    /// Computes PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER challenge.
    #[allow(clippy::too_many_arguments)]
    pub fn password_claim(
        &self,
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<PasswordClaim, SrpError> {
        let secret_block = B64
            .decode(secret_block_b64.trim())
            .map_err(|_| SrpError::BadSecretBlock)?;
        let sk = self.shared_key(pool_name, user_id_for_srp, password, salt_hex, srp_b_hex)?;
        let mac = claim_mac(
            &sk.key,
            pool_name,
            user_id_for_srp,
            &secret_block,
            timestamp,
        );
        let signature = B64.encode(mac);
        let trace = SrpTrace {
            pool_name: pool_name.to_string(),
            user_id_for_srp: user_id_for_srp.to_string(),
            k: to_hex(&GROUP.k),
            srp_a: self.a_hex(),
            srp_b: to_hex(&sk.b_pub),
            salt: to_hex(&sk.salt),
            u: to_hex(&sk.u),
            timestamp: timestamp.to_string(),
            secret_block_bytes: secret_block.len(),
            x_fingerprint: sk.x_fingerprint,
            s_fingerprint: sk.s_fingerprint,
            key_fingerprint: fingerprint(&sk.key),
            signature: signature.clone(),
        };
        let derivation = SrpDerivation {
            pool_name: pool_name.to_string(),
            user_id_for_srp: user_id_for_srp.to_string(),
            a: Some(Hidden::new(to_hex(&self.a))),
            a_pub: self.a_hex(),
            b_pub: to_hex(&sk.b_pub),
            salt: to_hex(&sk.salt),
            k: to_hex(&GROUP.k),
            u: to_hex(&sk.u),
            x_fingerprint: trace.x_fingerprint.clone(),
            s: to_hex(&sk.s),
            key: hex::encode(sk.key),
            secret_block: secret_block_b64.trim().to_string(),
            timestamp: timestamp.to_string(),
            signature: signature.clone(),
        };
        Ok(PasswordClaim {
            signature,
            timestamp: timestamp.to_string(),
            trace,
            derivation: Box::new(derivation),
        })
    }
}

/// The key both sides derive, with the values the trace shows.
pub struct SharedKey {
    pub key: [u8; 16],
    pub u: BigUint,
    pub b_pub: BigUint,
    pub salt: BigUint,
    pub x_fingerprint: String,
    pub s_fingerprint: String,
    /// The premaster secret S itself (see `explain.rs` for why it may be shown).
    pub s: BigUint,
}

/// The server's ephemeral pair (b, B = k·v + g^b mod N) for a user's verifier v.
pub struct ServerEphemeral {
    b: BigUint,
    b_pub: BigUint,
}

impl std::fmt::Debug for ServerEphemeral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerEphemeral")
            .field("B", &to_hex(&self.b_pub))
            .finish_non_exhaustive()
    }
}

impl ServerEphemeral {
    pub fn generate(verifier: &BigUint) -> Self {
        loop {
            let e = Self::from_private(random_exponent(), verifier);
            if !(&e.b_pub % &GROUP.n).is_zero() {
                return e;
            }
        }
    }

    pub fn from_private(b: BigUint, verifier: &BigUint) -> Self {
        let b_pub = group::server_public(&b, &GROUP.k, verifier);
        Self { b, b_pub }
    }

    pub fn private(&self) -> &BigUint {
        &self.b
    }

    pub fn public(&self) -> &BigUint {
        &self.b_pub
    }
}

/// Server side of PASSWORD_VERIFIER: u, S = (A · v^u)^b mod N and the key the client must
/// have used.
fn server_secret(
    a_pub: &BigUint,
    b_priv: &BigUint,
    b_pub: &BigUint,
    verifier: &BigUint,
) -> Result<(BigUint, BigUint, [u8; 16]), SrpError> {
    let g = &*GROUP;
    if (a_pub % &g.n).is_zero() {
        return Err(SrpError::IllegalA);
    }
    let u = compute_u(a_pub, b_pub);
    if u.is_zero() {
        return Err(SrpError::IllegalU);
    }
    let s = group::server_premaster(a_pub, verifier, &u, b_priv);
    let key = derive_key(&u, &s);
    Ok((u, s, key))
}

/// Server side of PASSWORD_VERIFIER: the key the client must have used.
pub fn server_key(
    a_pub: &BigUint,
    b_priv: &BigUint,
    b_pub: &BigUint,
    verifier: &BigUint,
) -> Result<[u8; 16], SrpError> {
    server_secret(a_pub, b_priv, b_pub, verifier).map(|(_, _, key)| key)
}

/// Checks a client's PASSWORD_CLAIM_SIGNATURE in constant time.
#[allow(clippy::too_many_arguments)]
pub fn server_verify_claim(
    pool_name: &str,
    user_id_for_srp: &str,
    verifier: &BigUint,
    a_pub: &BigUint,
    b_priv: &BigUint,
    b_pub: &BigUint,
    secret_block: &[u8],
    timestamp: &str,
    signature_b64: &str,
) -> Result<bool, SrpError> {
    server_check_claim(
        pool_name,
        user_id_for_srp,
        verifier,
        a_pub,
        b_priv,
        b_pub,
        secret_block,
        timestamp,
        signature_b64,
    )
    .map(|side| side.signature_matched)
}

/// Checks a client's PASSWORD_CLAIM_SIGNATURE in constant time, answering the server's side
/// of the derivation (`signature_matched` is the verdict). A signature that is not base64
/// fails like a wrong one; an illegal A is an error.
#[allow(clippy::too_many_arguments)]
pub fn server_check_claim(
    pool_name: &str,
    user_id_for_srp: &str,
    verifier: &BigUint,
    a_pub: &BigUint,
    b_priv: &BigUint,
    b_pub: &BigUint,
    secret_block: &[u8],
    timestamp: &str,
    signature_b64: &str,
) -> Result<ServerSrpSide, SrpError> {
    let given = B64
        .decode(signature_b64.trim())
        .map_err(|_| SrpError::BadSignature)?;
    let (u, s, key) = server_secret(a_pub, b_priv, b_pub, verifier)?;
    let expected = claim_mac(&key, pool_name, user_id_for_srp, secret_block, timestamp);
    let matched = given.len() == expected.len() && bool::from(given.ct_eq(&expected));
    Ok(ServerSrpSide {
        u: to_hex(&u),
        v_fingerprint: fingerprint(&pad(verifier)),
        b_fingerprint: fingerprint(&pad(b_priv)),
        b_pub: to_hex(b_pub),
        k: to_hex(&GROUP.k),
        s: to_hex(&s),
        key: hex::encode(key),
        signature_matched: matched,
    })
}

/// A fresh random salt for a new verifier (16 bytes, as Cognito's).
pub fn random_salt() -> BigUint {
    let mut bytes = [0u8; 16];
    loop {
        rand::thread_rng().fill_bytes(&mut bytes);
        let s = BigUint::from_bytes_be(&bytes);
        if !s.is_zero() {
            return s;
        }
    }
}

/// The current time in Cognito's TIMESTAMP format.
pub fn timestamp_now() -> String {
    format_timestamp(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests;
