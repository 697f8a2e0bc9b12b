//! The contract between the auth actor and its front ends (the TUI, the headless driver).
//! Commands go in over a bounded mpsc channel; events come out over another. Both serialise
//! to JSON: the headless driver reads commands and writes events as JSON lines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::steps::{CodeDeliveryDetails, MfaType, NextStep, TotpSetupDetails, UpdateAttributeStep};
use super::token_check::TokenCheckReport;
use crate::cognito::exchange::WireExchange;
use crate::cognito::types::TriggerInvocation;
use crate::secret::Secret;
use crate::srp::{ServerSrpSide, SrpDerivation};

/// Amplify's `authFlowType`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthFlowType {
    #[default]
    UserSrpAuth,
    UserPasswordAuth,
    CustomWithSrp,
    CustomWithoutSrp,
    UserAuth,
}

/// What a front end asks the actor to do (Amplify's API calls).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum AuthCommand {
    SignUp {
        username: String,
        password: Secret,
        #[serde(default)]
        attributes: BTreeMap<String, String>,
        #[serde(default)]
        auto_sign_in: bool,
    },
    ConfirmSignUp {
        username: String,
        code: String,
    },
    ResendSignUpCode {
        username: String,
    },
    AutoSignIn,
    SignIn {
        username: String,
        #[serde(default)]
        password: Option<Secret>,
        #[serde(default)]
        flow: AuthFlowType,
        /// USER_AUTH's PREFERRED_CHALLENGE.
        #[serde(default)]
        preferred_challenge: Option<String>,
    },
    /// Answers the current sign-in step (a code, an MFA choice, a new password, ...).
    ConfirmSignIn {
        response: Secret,
        #[serde(default)]
        attributes: BTreeMap<String, String>,
    },
    ResetPassword {
        username: String,
    },
    ConfirmResetPassword {
        username: String,
        code: String,
        new_password: Secret,
    },
    SignOut {
        #[serde(default)]
        global: bool,
    },
    FetchSession {
        #[serde(default)]
        force_refresh: bool,
    },
    /// Amplify's rememberDevice: UpdateDeviceStatus `remembered` for this client's device.
    RememberDevice,
    /// Amplify's forgetDevice: ForgetDevice for `device_key` (this client's device when
    /// left out), which then signs in as a new device.
    ForgetDevice {
        #[serde(default)]
        device_key: Option<String>,
    },
    /// Amplify's fetchDevices: ListDevices (Limit 60), answered by a `devices` event.
    FetchDevices,
    /// fetchUserAttributes (GetUser): the attributes, with the MFA settings GetUser also gives.
    FetchUserAttributes,
    /// updateUserAttributes: each attribute's step (DONE, or CONFIRM_ATTRIBUTE_WITH_CODE).
    UpdateUserAttributes {
        attributes: BTreeMap<String, String>,
    },
    SendUserAttributeVerificationCode {
        attribute: String,
    },
    ConfirmUserAttribute {
        attribute: String,
        code: Secret,
    },
    DeleteUserAttributes {
        names: Vec<String>,
    },
    /// updatePassword (ChangePassword). `old_password` is left out only by a user who has none
    /// (signed up without one).
    UpdatePassword {
        #[serde(default)]
        old_password: Option<Secret>,
        new_password: Secret,
    },
    DeleteUser,
    /// updateMFAPreference: a factor left out keeps its setting.
    UpdateMfaPreference {
        #[serde(default)]
        sms: Option<MfaPreference>,
        #[serde(default)]
        totp: Option<MfaPreference>,
        #[serde(default)]
        email: Option<MfaPreference>,
    },
    /// setUpTOTP outside sign-in (AssociateSoftwareToken with the access token).
    SetUpTotp,
    /// verifyTOTPSetup outside sign-in (VerifySoftwareToken with the access token).
    VerifyTotpSetup {
        code: Secret,
        #[serde(default)]
        friendly_device_name: Option<String>,
    },
    /// Drops any half-finished sign-in (the UI's Esc).
    CancelSignIn,
    /// Step mode (the debugger's): every request is held, shown as a `held` event, until a
    /// `Step` sends or drops it. Interactive front ends only.
    SetStepMode {
        on: bool,
    },
    /// Sends (`send: true`, the default) or drops the request held in step mode.
    Step {
        #[serde(default = "default_true")]
        send: bool,
    },
    /// Step mode: sends the held request with this body instead, as the user edited it from
    /// the `held` event's (redacted) request. Values still shown redacted where they were
    /// shown are put back by the actor, so a secret never has to leave it; the operation stays.
    SendEdited {
        request: serde_json::Value,
    },
    /// Sends a past call again (`exchange_id`: its exchange's id), held first in step mode.
    /// Its answer goes to the flow when the flow can take it, else it is only shown.
    Replay {
        exchange_id: u64,
    },
    /// The target turned out to be a cognito-tui pool (`cognito-tui serve`): read its trigger
    /// log after each call, as for the embedded pool, so trigger runs become events.
    FollowTriggers,
    Shutdown,
    /// Checks the session's tokens: header, signature against the issuer's JWKS, claims
    /// against the configured client, revocation as far as this client knows. When nobody is
    /// signed in, the tokens the last sign-out ended are checked. Answered by a `token_check`
    /// event, then `finished`.
    CheckTokens,
}

fn default_true() -> bool {
    true
}

/// Amplify's MFA preference values for updateMFAPreference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MfaPreference {
    Enabled,
    Disabled,
    Preferred,
    NotPreferred,
}

/// What an account call answered, for the front ends' Account views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountUpdate {
    /// fetchUserAttributes: every attribute, and GetUser's MFA settings (Amplify's
    /// fetchMFAPreference: `enabled`, `preferred`).
    Attributes {
        username: String,
        attributes: BTreeMap<String, String>,
        mfa_enabled: Vec<MfaType>,
        mfa_preferred: Option<MfaType>,
    },
    /// updateUserAttributes: each attribute's outcome.
    Updated {
        results: BTreeMap<String, UpdateAttributeStep>,
    },
    /// sendUserAttributeVerificationCode.
    CodeSent {
        attribute: String,
        code_delivery_details: Option<CodeDeliveryDetails>,
    },
    /// confirmUserAttribute.
    Confirmed {
        attribute: String,
    },
    /// deleteUserAttributes.
    Deleted {
        names: Vec<String>,
    },
    PasswordUpdated,
    MfaPreferenceUpdated,
    /// setUpTOTP: the secret to enter in an authenticator app (shown on purpose).
    TotpSetup {
        details: TotpSetupDetails,
    },
    /// verifyTOTPSetup succeeded: TOTP can now be enabled as an MFA factor.
    TotpVerified,
    /// deleteUser: the user is gone and signed out.
    UserDeleted {
        username: String,
    },
}

impl AuthCommand {
    /// Amplify's name for the API this command runs (`signIn`, `confirmSignUp`, ...).
    pub fn api_name(&self) -> &'static str {
        match self {
            AuthCommand::SignUp { .. } => "signUp",
            AuthCommand::ConfirmSignUp { .. } => "confirmSignUp",
            AuthCommand::ResendSignUpCode { .. } => "resendSignUpCode",
            AuthCommand::AutoSignIn => "autoSignIn",
            AuthCommand::SignIn { .. } => "signIn",
            AuthCommand::ConfirmSignIn { .. } => "confirmSignIn",
            AuthCommand::ResetPassword { .. } => "resetPassword",
            AuthCommand::ConfirmResetPassword { .. } => "confirmResetPassword",
            AuthCommand::SignOut { .. } => "signOut",
            AuthCommand::FetchSession { .. } => "fetchAuthSession",
            AuthCommand::RememberDevice => "rememberDevice",
            AuthCommand::ForgetDevice { .. } => "forgetDevice",
            AuthCommand::FetchDevices => "fetchDevices",
            AuthCommand::FetchUserAttributes => "fetchUserAttributes",
            AuthCommand::UpdateUserAttributes { .. } => "updateUserAttributes",
            AuthCommand::SendUserAttributeVerificationCode { .. } => {
                "sendUserAttributeVerificationCode"
            }
            AuthCommand::ConfirmUserAttribute { .. } => "confirmUserAttribute",
            AuthCommand::DeleteUserAttributes { .. } => "deleteUserAttributes",
            AuthCommand::UpdatePassword { .. } => "updatePassword",
            AuthCommand::DeleteUser => "deleteUser",
            AuthCommand::UpdateMfaPreference { .. } => "updateMFAPreference",
            AuthCommand::SetUpTotp => "setUpTOTP",
            AuthCommand::VerifyTotpSetup { .. } => "verifyTOTPSetup",
            AuthCommand::CancelSignIn => "cancelSignIn",
            AuthCommand::SetStepMode { .. } => "setStepMode",
            AuthCommand::Step { .. } => "step",
            AuthCommand::SendEdited { .. } => "sendEdited",
            AuthCommand::Replay { .. } => "replay",
            AuthCommand::FollowTriggers => "followTriggers",
            AuthCommand::Shutdown => "shutdown",
            AuthCommand::CheckTokens => CHECK_TOKENS_API,
        }
    }
}

/// The api name of [`AuthCommand::CheckTokens`].
pub const CHECK_TOKENS_API: &str = "checkTokens";

/// One `nextStep` change, as the status pane logs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// Unix time in milliseconds.
    pub at_ms: i64,
    /// The Amplify API that produced it (`signUp`, `signIn`, ...).
    pub api: String,
    /// The previous step's name, if a flow was in progress.
    pub from: Option<String>,
    /// The new step, with the data Amplify returns with it.
    pub next_step: NextStep,
    /// The Cognito operation(s) behind this transition, e.g. `InitiateAuth`.
    pub operations: Vec<String>,
    /// Total latency of those operations in milliseconds.
    pub latency_ms: u64,
    /// Cognito's ChallengeName, when a challenge produced the step.
    pub challenge_name: Option<String>,
    /// The ChallengeParameters Cognito sent (public values; nothing secret is sent there).
    #[serde(default)]
    pub challenge_parameters: BTreeMap<String, String>,
    /// The challenge Session, abbreviated (first 8 characters and length), if any.
    pub session_id: Option<String>,
    /// Age of that Session in milliseconds when the step was reached.
    pub session_age_ms: Option<u64>,
    /// One line saying what Cognito is asking and which call answers it.
    pub explanation: String,
}

/// The signed-in session as front ends may show it: claims in full, tokens abbreviated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub username: String,
    pub sub: Option<String>,
    pub auth_flow: AuthFlowType,
    pub id_token_claims: serde_json::Value,
    pub access_token_claims: serde_json::Value,
    /// Unix seconds at which the access token expires.
    pub access_expires_at: i64,
    /// Unix seconds at which the ID token expires.
    pub id_expires_at: i64,
    /// Abbreviated tokens (`eyJraWQi…(812 chars)`), never the whole value.
    pub access_token_abbrev: String,
    pub id_token_abbrev: String,
    pub refresh_token_abbrev: Option<String>,
    /// Unix milliseconds of the last refresh, if any.
    pub refreshed_at_ms: Option<i64>,
    /// Whether the access token's `exp` is believable when the view was made.
    #[serde(default)]
    pub access_expiry: ExpiryHealth,
    /// The same for the ID token.
    #[serde(default)]
    pub id_expiry: ExpiryHealth,
}

/// What a token's `exp` says, on the local clock: fine, already past, or so far ahead that no
/// Cognito token lives that long (a server that is broken or lying).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryHealth {
    #[default]
    Valid,
    Expired,
    ImplausiblyFar,
}

/// One of the user's devices as ListDevices describes it (no secret: the device password and
/// its verifier never leave the client's store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub device_key: String,
    /// The `device_name` attribute.
    pub name: Option<String>,
    /// `remembered` | `not_remembered` (`dev:device_remembered_status`).
    pub status: Option<String>,
    /// Unix seconds of the device's last sign-in, if any.
    pub last_authenticated: Option<i64>,
    /// Whether this is the device this client keeps for the user (its keys are stored here).
    pub this_client: bool,
}

/// An error as front ends show it: Cognito's code and message, or a local failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthErrorView {
    pub api: String,
    /// The Cognito operation that failed, if any.
    pub operation: Option<String>,
    /// `NotAuthorizedException`, `NetworkError`, `Timeout`, `InvalidResponse`,
    /// `UserAlreadyAuthenticatedException`, ...
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

/// What the actor tells its front ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuthEvent {
    /// A command was accepted and its first call is about to be sent.
    Started {
        api: String,
    },
    /// A command has finished (successfully or not); the UI stops its spinner.
    Finished {
        api: String,
        ok: bool,
    },
    Transition(Transition),
    Exchange(WireExchange),
    /// The current session changed (`None` after sign-out).
    Session {
        session: Option<SessionView>,
    },
    Error(AuthErrorView),
    /// fetchDevices answered: the signed-in user's devices.
    Devices {
        devices: Vec<DeviceView>,
    },
    /// An account call's outcome (fetchUserAttributes, updateUserAttributes, ...).
    Account(AccountUpdate),
    /// A Lambda trigger the embedded pool ran while answering a call (read from its trigger
    /// log after the call): which trigger, how long, its outcome, its event and response
    /// (redacted).
    Trigger(TriggerInvocation),
    /// A note for the status pane that is not a step change (e.g. "tokens refreshed").
    Info {
        api: String,
        message: String,
    },
    /// Step mode: `operation`'s request is ready and waits until a `Step` sends or drops it.
    Held {
        api: String,
        operation: String,
        /// The request body, secrets already redacted.
        request: serde_json::Value,
    },
    /// Step mode: the held request was let go.
    Released {
        api: String,
        operation: String,
        why: Release,
    },
    /// SRP, derived step by step: every quantity of the PASSWORD_VERIFIER proof about to be
    /// sent (the private `a` stays in memory for an explicit reveal and is never serialised).
    Srp(SrpDerivation),
    /// The server's side of that sign-in (B = k·v + gᵇ, its S and K), read from a cognito-tui
    /// pool once it has checked the answer.
    SrpServer(ServerSrpSide),
    /// The answer to `CheckTokens`.
    TokenCheck(TokenCheckReport),
}

/// Why a request held in step mode was let go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Release {
    /// `Step { send: true }`.
    Sent,
    /// `Step { send: false }`.
    Dropped,
    /// `SendEdited`: sent with the user's changes.
    Edited,
    /// Step mode was turned off: the request is sent.
    StepModeOff,
    /// The sign-in was cancelled: the request is dropped.
    Cancelled,
    /// The actor is shutting down: the request is dropped.
    Shutdown,
}

impl Release {
    /// True when the held request goes out.
    pub fn sends(self) -> bool {
        matches!(self, Release::Sent | Release::Edited | Release::StepModeOff)
    }
}
