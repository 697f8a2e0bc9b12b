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
    /// Reads the pool settings (DescribeUserPool, DescribeUserPoolClient,
    /// GetUserPoolMfaConfig); answered by [`AdminEvent::PoolSettings`].
    FetchPoolSettings,
    /// SetUserPoolMfaConfig: `mode` is OFF / OPTIONAL / ON. The SMS and email settings the
    /// pool already has (message templates, SNS role) are kept for the methods left on.
    /// Answered by a fresh [`AdminEvent::PoolSettings`] (or an `Error`).
    SetPoolMfa {
        mode: String,
        sms: bool,
        totp: bool,
        email: bool,
    },
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
    PoolSettings {
        settings: PoolSettings,
    },
    Exchange(WireExchange),
    Error {
        operation: String,
        code: String,
        message: String,
    },
}

/// The pool settings screen's data. Each part is `None` when its operation failed; the
/// failure is in `errors` (the screen shows it in place of the part).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PoolSettings {
    pub pool_id: String,
    pub pool: Option<PoolSummary>,
    pub client: Option<ClientSummary>,
    pub mfa: Option<PoolMfaSummary>,
    pub errors: Vec<SettingsError>,
}

/// DescribeUserPool, as the settings screen shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PoolSummary {
    pub name: Option<String>,
    pub mfa_configuration: Option<String>,
    pub auto_verified_attributes: Vec<String>,
    pub username_attributes: Vec<String>,
    pub alias_attributes: Vec<String>,
    pub allowed_first_auth_factors: Vec<String>,
    /// Trigger name → what runs (a Lambda ARN, or the embedded pool's command).
    pub triggers: BTreeMap<String, String>,
    pub estimated_users: Option<i64>,
    pub admin_create_user_only: Option<bool>,
}

/// DescribeUserPoolClient, as the settings screen shows it (never the secret itself).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub client_id: String,
    pub client_name: Option<String>,
    pub explicit_auth_flows: Vec<String>,
    pub prevent_user_existence_errors: Option<String>,
    /// Minutes a challenge Session stays valid (3–15).
    pub auth_session_validity: Option<i64>,
    pub enable_token_revocation: Option<bool>,
    pub has_secret: bool,
}

/// GetUserPoolMfaConfig, as the settings screen shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMfaSummary {
    /// OFF | OPTIONAL | ON
    pub mode: String,
    pub sms: bool,
    pub totp: bool,
    pub email: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsError {
    pub operation: String,
    pub code: String,
    pub message: String,
}
