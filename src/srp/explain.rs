//! SRP, derived step by step: the typed record of one sign-in's proof, for a reader.
//!
//! [`SrpDerivation`] is the client's side of one PASSWORD_VERIFIER answer and
//! [`ServerSrpSide`] the server's (the embedded pool's) side of the same sign-in. Each lists
//! its quantities ([`Quantity`]: a formula, one sentence of meaning, a value) in the order the
//! math builds them, so a front end can show the derivation without knowing SRP.
//!
//! What may be shown, and why:
//! - The password never appears, in any form. x = H(salt‖H(pool‖user‖":"‖password)) and the
//!   verifier v = gˣ are shown only as fingerprints: either one lets anyone test password
//!   guesses offline.
//! - The private exponents a and b are as dangerous: with a (or b) and the public values of
//!   the exchange, each password guess can be checked against S. The client's `a` is kept in
//!   memory for an explicit "reveal" and is never serialised (headless events, files); the
//!   pool publishes only a fingerprint of b.
//! - A, B, salt, u, k, S, K, the message and the signature are shown in full. A, B, salt and
//!   the signature crossed the wire already. S and K are the one-time shared secret of this
//!   sign-in: without a or b they give no way to test a password (that would mean computing
//!   g^ab from gᵃ and gᵇ), and the Session they belong to is spent by the answer they sign, so
//!   they cannot complete another sign-in. The pool publishes its side only after that answer
//!   has been checked (see `local/srp_sides.rs`).

use serde::{Deserialize, Serialize};

/// A private value kept for an explicit reveal: `Debug` hides it, serialisation skips it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Hidden(String);

impl Hidden {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value, for the one place that shows it after the user asked.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hidden")
    }
}

/// How a quantity's value is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Lowercase hex, in full (a front end abbreviates it until expanded).
    Hex(String),
    /// Base64, in full.
    Base64(String),
    /// Plain text (names, the timestamp, the message's parts).
    Text(String),
    /// A short non-reversible fingerprint: the value itself is never shown.
    Fingerprint(String),
    /// A private exponent: shown only when the user explicitly reveals it.
    Secret(Hidden),
    /// A private value this side does not have (the pool never publishes b).
    Unavailable(String),
}

/// One line of the derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    /// Its name (`A`, `u`, `K`, ...).
    pub name: &'static str,
    /// How it is computed.
    pub formula: &'static str,
    /// One sentence saying what it is for.
    pub meaning: &'static str,
    pub value: Shown,
}

/// The client's side of one SRP proof (PASSWORD_VERIFIER answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrpDerivation {
    /// The pool id's part after `_`, the name the math uses.
    pub pool_name: String,
    /// USER_ID_FOR_SRP.
    pub user_id_for_srp: String,
    /// The private exponent a (hex): in memory only, never serialised.
    #[serde(skip)]
    pub a: Option<Hidden>,
    /// A = gᵃ mod N (SRP_A), hex.
    pub a_pub: String,
    /// B (SRP_B), hex.
    pub b_pub: String,
    /// SALT, hex.
    pub salt: String,
    /// k = H(PAD(N)‖PAD(g)), hex.
    pub k: String,
    /// u = H(PAD(A)‖PAD(B)), hex.
    pub u: String,
    /// A fingerprint of x (never x).
    pub x_fingerprint: String,
    /// S = (B − k·gˣ)^(a + u·x) mod N, hex.
    pub s: String,
    /// K = HKDF(PAD(S), salt = PAD(u)), the 16-byte key, hex.
    pub key: String,
    /// SECRET_BLOCK as Cognito sent it (base64).
    pub secret_block: String,
    /// TIMESTAMP.
    pub timestamp: String,
    /// PASSWORD_CLAIM_SIGNATURE = HMAC-SHA256(K, pool‖user‖SECRET_BLOCK‖TIMESTAMP), base64.
    pub signature: String,
}

/// The server's side of the same sign-in, as the embedded pool publishes it once the answer
/// has been checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSrpSide {
    /// u = H(PAD(A)‖PAD(B)), hex: which sign-in this is.
    pub u: String,
    /// A fingerprint of the verifier v = gˣ the pool stores (never v).
    pub v_fingerprint: String,
    /// A fingerprint of the private exponent b (never b).
    pub b_fingerprint: String,
    /// B = k·v + gᵇ mod N, hex.
    pub b_pub: String,
    /// k, hex.
    pub k: String,
    /// S = (A·vᵘ)ᵇ mod N, hex.
    pub s: String,
    /// K = HKDF(PAD(S), salt = PAD(u)), hex.
    pub key: String,
    /// Whether the client's PASSWORD_CLAIM_SIGNATURE matched HMAC(K, message).
    pub signature_matched: bool,
}

impl ServerSrpSide {
    /// The server's quantities, in the order the math builds them.
    pub fn quantities(&self) -> Vec<Quantity> {
        vec![
            Quantity {
                name: "v",
                formula: "v = gˣ mod N",
                meaning: "The verifier the pool stored at sign-up instead of the password; \
                          shown only as a fingerprint, since it allows guessing offline.",
                value: Shown::Fingerprint(self.v_fingerprint.clone()),
            },
            Quantity {
                name: "b",
                formula: "b = 256 random bits (the pool's)",
                meaning: "The pool's private exponent for this sign-in; the pool publishes \
                          only its fingerprint.",
                value: Shown::Unavailable(self.b_fingerprint.clone()),
            },
            Quantity {
                name: "B",
                formula: "B = k·v + gᵇ mod N",
                meaning: "The pool's public value (SRP_B): it mixes in v, so only someone who \
                          knows the password can remove it again.",
                value: Shown::Hex(self.b_pub.clone()),
            },
            Quantity {
                name: "S (pool)",
                formula: "S = (A·vᵘ)ᵇ mod N",
                meaning: "The pool's shared secret, reached from A, v and b without ever \
                          seeing the password.",
                value: Shown::Hex(self.s.clone()),
            },
            Quantity {
                name: "K (pool)",
                formula: "K = HKDF-SHA256(PAD(S), salt PAD(u), \"Caldera Derived Key\")[0..16]",
                meaning: "The pool's key; it checks the client's signature with it.",
                value: Shown::Hex(self.key.clone()),
            },
        ]
    }
}

impl SrpDerivation {
    /// The client's quantities, in the order the math builds them.
    pub fn quantities(&self) -> Vec<Quantity> {
        vec![
            Quantity {
                name: "a",
                formula: "a = 256 random bits",
                meaning: "The client's private exponent for this sign-in only; with it and \
                          the exchange anyone could test password guesses, so it stays hidden.",
                value: Shown::Secret(self.a.clone().unwrap_or_default()),
            },
            Quantity {
                name: "A",
                formula: "A = gᵃ mod N",
                meaning: "The client's public value, sent as SRP_A in InitiateAuth.",
                value: Shown::Hex(self.a_pub.clone()),
            },
            Quantity {
                name: "B",
                formula: "B = k·v + gᵇ mod N (from Cognito)",
                meaning: "Cognito's public value (SRP_B), built from the stored verifier v \
                          and its own private b.",
                value: Shown::Hex(self.b_pub.clone()),
            },
            Quantity {
                name: "salt",
                formula: "salt = SALT (from Cognito)",
                meaning: "The random salt Cognito stored with the user's verifier at sign-up.",
                value: Shown::Hex(self.salt.clone()),
            },
            Quantity {
                name: "u",
                formula: "u = H(PAD(A) ‖ PAD(B))",
                meaning: "The scrambler that ties the proof to this exchange's two public \
                          values.",
                value: Shown::Hex(self.u.clone()),
            },
            Quantity {
                name: "k",
                formula: "k = H(PAD(N) ‖ PAD(g))",
                meaning: "The SRP-6a multiplier, the same for every sign-in (N is RFC 3526's \
                          3072-bit prime, g = 2).",
                value: Shown::Hex(self.k.clone()),
            },
            Quantity {
                name: "x",
                formula: "x = H(PAD(salt) ‖ H(pool ‖ user ‖ \":\" ‖ password))",
                meaning: "The password turned into a number; shown only as a fingerprint.",
                value: Shown::Fingerprint(self.x_fingerprint.clone()),
            },
            Quantity {
                name: "S",
                formula: "S = (B − k·gˣ)^(a + u·x) mod N",
                meaning: "The shared secret: the client removes k·v from B using the \
                          password, and reaches the same S as the server.",
                value: Shown::Hex(self.s.clone()),
            },
            Quantity {
                name: "K",
                formula: "K = HKDF-SHA256(PAD(S), salt PAD(u), \"Caldera Derived Key\")[0..16]",
                meaning: "The 16-byte key both sides derive from S; it signs the claim.",
                value: Shown::Hex(self.key.clone()),
            },
            Quantity {
                name: "message",
                formula: "message = pool ‖ user ‖ SECRET_BLOCK ‖ TIMESTAMP",
                meaning: "What the client signs: the pool name, the user, Cognito's opaque \
                          SECRET_BLOCK (its bytes, base64-decoded) and the time.",
                value: Shown::Text(format!(
                    "{} ‖ {} ‖ {} ‖ {}",
                    self.pool_name, self.user_id_for_srp, self.secret_block, self.timestamp
                )),
            },
            Quantity {
                name: "PASSWORD_CLAIM_SIGNATURE",
                formula: "PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(K, message))",
                meaning: "The proof sent in RespondToAuthChallenge: only someone who reached \
                          K, so knew the password, can produce it.",
                value: Shown::Base64(self.signature.clone()),
            },
        ]
    }
}
