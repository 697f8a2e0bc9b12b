//! The server's side of recent SRP sign-ins, kept so a reader can compare it with the client's
//! (`GET /_local/srp/{u}`, see `server.rs`): B = k·v + gᵇ, S, K and whether the signature
//! matched.
//!
//! Why publishing it is safe:
//! - A side is recorded only once the PASSWORD_VERIFIER answer it belongs to has been checked,
//!   and published only after the transaction that spent that answer's Session has committed
//!   (`respond.rs`). By then the Session (and its SECRET_BLOCK) can never be answered again, so
//!   K cannot help finish that sign-in or any other.
//! - Nothing that lets anyone test a password is in it: v and b appear only as fingerprints
//!   (with either one, each password guess could be checked offline); S and K alone do not
//!   allow that (see `srp/explain.rs`).
//! - It lives in memory only, bounded ([`KEPT`] sides, each for [`KEPT_SECS`]), and is served
//!   under the `/_local/*` rules: never to a browser page (`edge.rs` refuses an `Origin`), and
//!   only to a loopback peer.

use std::collections::VecDeque;

use parking_lot::Mutex;

use crate::srp::ServerSrpSide;

/// How many sides are kept (the oldest goes first).
pub const KEPT: usize = 64;

/// How long a side is kept, in seconds.
pub const KEPT_SECS: i64 = 10 * 60;

/// The recent sides, newest last.
#[derive(Default)]
pub struct SrpSides {
    sides: Mutex<VecDeque<(i64, ServerSrpSide)>>,
}

impl SrpSides {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `side` (checked and committed: see the module docs) from `now` (Unix seconds).
    pub fn publish(&self, side: ServerSrpSide, now: i64) {
        let mut sides = self.sides.lock();
        sides.retain(|(at, s)| now - at <= KEPT_SECS && s.u != side.u);
        while sides.len() >= KEPT {
            sides.pop_front();
        }
        sides.push_back((now, side));
    }

    /// The side of the sign-in whose u (hex) is `u`, if it is still kept.
    pub fn get(&self, u: &str, now: i64) -> Option<ServerSrpSide> {
        let u = u.trim().to_ascii_lowercase();
        self.sides
            .lock()
            .iter()
            .rev()
            .find(|(at, s)| s.u == u && now - at <= KEPT_SECS)
            .map(|(_, s)| s.clone())
    }

    pub fn clear(&self) {
        self.sides.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(u: &str) -> ServerSrpSide {
        ServerSrpSide {
            u: u.into(),
            v_fingerprint: String::new(),
            b_fingerprint: String::new(),
            b_pub: String::new(),
            k: String::new(),
            s: String::new(),
            key: String::new(),
            signature_matched: true,
        }
    }

    #[test]
    fn keeps_a_bounded_number_for_a_bounded_time() {
        let sides = SrpSides::new();
        for i in 0..(KEPT + 5) {
            sides.publish(side(&format!("{i:x}")), 100);
        }
        assert!(sides.get("0", 100).is_none(), "the oldest went first");
        assert!(sides.get(&format!("{:x}", KEPT + 4), 100).is_some());
        assert_eq!(sides.sides.lock().len(), KEPT);
        assert!(sides.get("Ab", 100).is_none());
        sides.publish(side("ab"), 200);
        assert!(sides.get("AB", 200).is_some());
        assert!(sides.get("ab", 200 + KEPT_SECS + 1).is_none(), "expired");
        sides.clear();
        assert!(sides.get("ab", 200).is_none());
    }
}
