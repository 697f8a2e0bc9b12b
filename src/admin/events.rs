//! The contract between the users actor and its front ends: the rows and details it lists,
//! the actions it runs, its commands and its events. Both sides serialise to JSON (the headless
//! driver reads commands and writes events as JSON lines).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cognito::exchange::WireExchange;
use crate::cognito::types::MAX_PAGE_LIMIT;
use crate::secret::Secret;

/// One code the embedded pool "sent" (the wire type lives with the client that reads it).
pub use crate::cognito::types::OutboxEntry;

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
    /// The legacy `MFAOptions` delivery mediums ListUsers returns (`SMS`); the full MFA
    /// settings are in [`UserDetail`].
    #[serde(default)]
    pub mfa: Vec<String>,
}

/// Everything the detail panel shows of one user: AdminGetUser, AdminListGroupsForUser and
/// (where the pool tracks devices) AdminListDevices. A part whose operation failed is `None`
/// and its failure is in `errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    /// The row as AdminGetUser describes it (attributes, status, enabled, dates).
    pub user: Option<UserRow>,
    /// The username asked for (also when AdminGetUser failed).
    pub username: String,
    /// `SMS_MFA` | `SOFTWARE_TOKEN_MFA` | `EMAIL_OTP`
    pub preferred_mfa: Option<String>,
    /// `UserMFASettingList`: the MFA methods enabled for the user.
    pub mfa_settings: Vec<String>,
    pub groups: Option<Vec<GroupRow>>,
    pub devices: Option<Vec<DeviceRow>>,
    pub errors: Vec<SettingsError>,
}

/// A group (ListGroups / AdminListGroupsForUser GroupType).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub name: String,
    pub description: Option<String>,
    pub precedence: Option<i64>,
    pub role_arn: Option<String>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub modified: i64,
}

/// A remembered or tracked device (AdminListDevices DeviceType).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRow {
    pub key: String,
    /// The `device_name` attribute.
    pub name: Option<String>,
    /// `remembered` | `not_remembered` (the `dev:device_remembered_status` attribute).
    pub remembered: Option<String>,
    /// Unix seconds.
    pub last_authenticated: i64,
}

/// One action on a user (or a group) of the Users view. Each is one Admin* operation;
/// the actor answers with [`AdminEvent::ActionDone`] (carrying the user's refreshed row) or
/// [`AdminEvent::ActionFailed`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum UserAction {
    /// AdminCreateUser. `temporary_password: None` lets the pool generate one;
    /// `suppress_invitation` sends MessageAction SUPPRESS; `delivery` is the
    /// DesiredDeliveryMediums (`EMAIL`, `SMS`; empty = the pool's default).
    Create {
        username: String,
        #[serde(default)]
        attributes: BTreeMap<String, String>,
        #[serde(default)]
        temporary_password: Option<Secret>,
        #[serde(default)]
        suppress_invitation: bool,
        #[serde(default)]
        delivery: Vec<String>,
    },
    /// AdminConfirmSignUp.
    ConfirmSignUp { username: String },
    /// AdminEnableUser.
    Enable { username: String },
    /// AdminDisableUser (revokes the user's tokens; sign-in answers "User is disabled.").
    Disable { username: String },
    /// AdminDeleteUser.
    Delete { username: String },
    /// AdminResetUserPassword (a code goes out; status RESET_REQUIRED).
    ResetPassword { username: String },
    /// AdminSetUserPassword; `permanent: false` leaves the user in FORCE_CHANGE_PASSWORD.
    SetPassword {
        username: String,
        password: Secret,
        permanent: bool,
    },
    /// AdminUserGlobalSignOut.
    GlobalSignOut { username: String },
    /// AdminSetUserMFAPreference: `enabled` lists `SMS_MFA` / `SOFTWARE_TOKEN_MFA` /
    /// `EMAIL_OTP` (methods not listed are disabled); `preferred` is one of them or `None`.
    SetMfaPreference {
        username: String,
        enabled: Vec<String>,
        preferred: Option<String>,
    },
    /// AdminUpdateUserAttributes (names → new values).
    UpdateAttributes {
        username: String,
        attributes: BTreeMap<String, String>,
    },
    /// AdminDeleteUserAttributes.
    DeleteAttributes {
        username: String,
        names: Vec<String>,
    },
    /// AdminAddUserToGroup.
    AddToGroup { username: String, group: String },
    /// AdminRemoveUserFromGroup.
    RemoveFromGroup { username: String, group: String },
    /// CreateGroup (answered with `ActionDone { user: None }` and a fresh `Groups`).
    CreateGroup {
        group: String,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        precedence: Option<i64>,
    },
}

impl UserAction {
    /// The Cognito operation the action calls.
    pub fn operation(&self) -> &'static str {
        match self {
            UserAction::Create { .. } => "AdminCreateUser",
            UserAction::ConfirmSignUp { .. } => "AdminConfirmSignUp",
            UserAction::Enable { .. } => "AdminEnableUser",
            UserAction::Disable { .. } => "AdminDisableUser",
            UserAction::Delete { .. } => "AdminDeleteUser",
            UserAction::ResetPassword { .. } => "AdminResetUserPassword",
            UserAction::SetPassword { .. } => "AdminSetUserPassword",
            UserAction::GlobalSignOut { .. } => "AdminUserGlobalSignOut",
            UserAction::SetMfaPreference { .. } => "AdminSetUserMFAPreference",
            UserAction::UpdateAttributes { .. } => "AdminUpdateUserAttributes",
            UserAction::DeleteAttributes { .. } => "AdminDeleteUserAttributes",
            UserAction::AddToGroup { .. } => "AdminAddUserToGroup",
            UserAction::RemoveFromGroup { .. } => "AdminRemoveUserFromGroup",
            UserAction::CreateGroup { .. } => "CreateGroup",
        }
    }

    /// The user the action is about (`None` for CreateGroup).
    pub fn username(&self) -> Option<&str> {
        match self {
            UserAction::Create { username, .. }
            | UserAction::ConfirmSignUp { username }
            | UserAction::Enable { username }
            | UserAction::Disable { username }
            | UserAction::Delete { username }
            | UserAction::ResetPassword { username }
            | UserAction::SetPassword { username, .. }
            | UserAction::GlobalSignOut { username }
            | UserAction::SetMfaPreference { username, .. }
            | UserAction::UpdateAttributes { username, .. }
            | UserAction::DeleteAttributes { username, .. }
            | UserAction::AddToGroup { username, .. }
            | UserAction::RemoveFromGroup { username, .. } => Some(username),
            UserAction::CreateGroup { .. } => None,
        }
    }
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
    /// AdminGetUser + AdminListGroupsForUser (+ AdminListDevices); answered by
    /// [`AdminEvent::UserDetail`].
    GetUser {
        username: String,
    },
    /// One Admin* action; answered by [`AdminEvent::ActionDone`] or
    /// [`AdminEvent::ActionFailed`].
    Act {
        action: UserAction,
    },
    /// ListGroups, every page; answered by [`AdminEvent::Groups`].
    ListGroups,
    /// Re-reads the embedded pool's outbox (local target only).
    FetchOutbox,
    /// Asks a custom endpoint whether it is a cognito-tui pool (its outbox answers JSON):
    /// answered by [`AdminEvent::LocalPoolFound`] and the outbox when it is, by nothing
    /// when it is not. From then on the outbox is read there too.
    DetectLocalPool,
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
    MAX_PAGE_LIMIT
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
    /// The target is a cognito-tui pool (another `cognito-tui serve`): its outbox and pool
    /// settings can be read like the embedded pool's.
    LocalPoolFound,
    UserDetail {
        detail: UserDetail,
    },
    /// An action succeeded. `user` is the user's row read back after it (AdminGetUser), or
    /// `None` when the user is gone (Delete) or the action was not about one user.
    ActionDone {
        action: UserAction,
        /// One line for the status pane, e.g. `AdminDisableUser bob: disabled, tokens revoked`.
        message: String,
        user: Option<UserRow>,
    },
    ActionFailed {
        action: UserAction,
        operation: String,
        code: String,
        message: String,
    },
    Groups {
        groups: Vec<GroupRow>,
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
