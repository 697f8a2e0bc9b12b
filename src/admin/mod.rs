//! The users actor: ListUsers paging and (later) Admin* actions, plus the embedded pool's
//! outbox reader. Like the auth actor it talks to front ends only over channels.

pub mod actor;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cognito::exchange::WireExchange;

pub use actor::{AdminHandle, spawn};

/// One code the embedded pool "sent", exactly as `GET /_local/outbox` returns it.
/// This shape is a public contract (other projects' tests read it): keep it stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub pool_id: String,
    pub username: String,
    /// `EMAIL` or `SMS` (`TOTP` for a seeded demo user's authenticator secret).
    pub medium: String,
    /// The unmasked address or number it went to.
    pub destination: String,
    /// `SIGN_UP`, `FORGOT_PASSWORD` (also AdminResetUserPassword's code), `MFA` (SMS_MFA /
    /// EMAIL_OTP codes), `INVITATION`, `VERIFY_ATTRIBUTE`, `TOTP_SECRET` (a demo user's base32
    /// authenticator secret, in `code`), ...
    pub purpose: String,
    pub code: String,
    /// RFC 3339 UTC, e.g. `2026-11-28T22:30:00.123Z`.
    pub sent_at: String,
}

/// A user as the Users view lists it (ListUsers' UserType).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub username: String,
    pub status: String,
    pub enabled: bool,
    pub attributes: BTreeMap<String, String>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub modified: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum AdminCommand {
    /// One ListUsers page (Limit ≤ 60).
    ListUsers {
        #[serde(default)]
        filter: Option<String>,
        #[serde(default)]
        pagination_token: Option<String>,
        #[serde(default = "default_limit")]
        limit: u32,
    },
    /// Re-reads the embedded pool's outbox (local target only).
    FetchOutbox,
    Shutdown,
}

fn default_limit() -> u32 {
    60
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AdminEvent {
    UsersPage {
        filter: Option<String>,
        /// The token this page was requested with (`None` for the first page).
        request_token: Option<String>,
        users: Vec<UserRow>,
        next_token: Option<String>,
    },
    Outbox {
        entries: Vec<OutboxEntry>,
    },
    Exchange(WireExchange),
    Error {
        operation: String,
        code: String,
        message: String,
    },
}
