//! The users actor: ListUsers paging, a user's detail, the Admin* actions and groups, plus the
//! embedded pool's outbox reader and pool settings. Like the auth actor it talks to front ends
//! only over channels: [`AdminCommand`] in, [`AdminEvent`] out.
//!
//! Every SigV4 operation's failure to get credentials (none in the chain, an expired SSO
//! session) comes back as [`AdminEvent::Error`] (or [`AdminEvent::ActionFailed`]) with `code`
//! `CredentialsError` and a message saying what to do; `AccessDeniedException` comes back as
//! Cognito sent it. The auth actor never needs credentials, so sign-in keeps working.

pub mod actor;
pub mod events;

pub use actor::{AdminHandle, spawn};
pub use events::{
    AdminCommand, AdminEvent, ClientSummary, DeviceRow, GroupRow, OutboxEntry, PoolMfaSummary,
    PoolSettings, PoolSummary, SettingsError, UserAction, UserDetail, UserRow,
};
