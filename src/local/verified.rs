//! Passwords this process has already checked, kept in memory only (never on disk): for each
//! user, a keyed hash of the password together with the salt and verifier it matched. A
//! USER_PASSWORD_AUTH whose password is remembered skips the 3072-bit exponentiation that
//! recomputing the verifier costs.
//!
//! The key is random per process, so the hashes are worthless outside it. A change of the
//! password (a new salt and verifier) makes a remembered hash stop matching by itself; the
//! operations that change, reset or disable a user also [`VerifiedPasswords::forget`] it.
//! A password that is not remembered, right or wrong, and an unknown user all cost the full
//! check, so timing tells nothing that the answer does not.

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Users remembered at most; past it the memory starts over (a bound on memory, not a policy).
pub const MAX_REMEMBERED: usize = 20_000;

/// What one user's remembered password is bound to.
pub struct Credential<'a> {
    pub pool_id: &'a str,
    pub username: &'a str,
    pub salt: &'a str,
    pub verifier: &'a str,
}

/// The in-memory set of verified passwords (see the module docs).
pub struct VerifiedPasswords {
    key: [u8; 32],
    entries: Mutex<HashMap<(String, String), [u8; 32]>>,
}

impl Default for VerifiedPasswords {
    fn default() -> Self {
        Self::new()
    }
}

impl VerifiedPasswords {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self {
            key,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn tag(&self, c: &Credential<'_>, password: &str) -> [u8; 32] {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        for part in [c.pool_id, c.username, c.salt, c.verifier, password] {
            m.update(&(part.len() as u64).to_be_bytes());
            m.update(part.as_bytes());
        }
        m.finalize().into_bytes().into()
    }

    /// Whether `password` was verified for this user with this very salt and verifier.
    pub fn knows(&self, c: &Credential<'_>, password: &str) -> bool {
        let tag = self.tag(c, password);
        let entries = self.entries.lock();
        entries
            .get(&(c.pool_id.to_string(), c.username.to_string()))
            .is_some_and(|t| bool::from(t.ct_eq(&tag)))
    }

    /// Remembers that `password` matched this user's salt and verifier.
    pub fn remember(&self, c: &Credential<'_>, password: &str) {
        let tag = self.tag(c, password);
        let mut entries = self.entries.lock();
        if entries.len() >= MAX_REMEMBERED {
            entries.clear();
        }
        entries.insert((c.pool_id.to_string(), c.username.to_string()), tag);
    }

    /// Forgets the user's password (it changed, was reset, or the user was disabled or deleted).
    pub fn forget(&self, pool_id: &str, username: &str) {
        self.entries
            .lock()
            .remove(&(pool_id.to_string(), username.to_string()));
    }

    /// Forgets every user (the store was reset).
    pub fn clear(&self) {
        self.entries.lock().clear();
    }

    /// How many users are remembered.
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred<'a>(verifier: &'a str) -> Credential<'a> {
        Credential {
            pool_id: "us-east-1_p",
            username: "alice",
            salt: "0a1b",
            verifier,
        }
    }

    #[test]
    fn remembers_only_the_same_password_with_the_same_verifier_until_forgotten() {
        let v = VerifiedPasswords::new();
        assert!(!v.knows(&cred("v1"), "Passw0rd!"));
        v.remember(&cred("v1"), "Passw0rd!");
        assert!(v.knows(&cred("v1"), "Passw0rd!"));
        assert!(!v.knows(&cred("v1"), "Passw0rd?"), "another password");
        assert!(!v.knows(&cred("v2"), "Passw0rd!"), "a changed verifier");
        let other = Credential {
            username: "bob",
            ..cred("v1")
        };
        assert!(!v.knows(&other, "Passw0rd!"), "another user");
        v.forget("us-east-1_p", "alice");
        assert!(!v.knows(&cred("v1"), "Passw0rd!"));
        assert!(v.is_empty());
    }

    #[test]
    fn memory_stays_bounded() {
        let v = VerifiedPasswords::new();
        for i in 0..MAX_REMEMBERED + 10 {
            let name = format!("user{i}");
            let c = Credential {
                username: &name,
                ..cred("v")
            };
            v.remember(&c, "pw");
        }
        assert!(v.len() <= MAX_REMEMBERED);
    }
}
