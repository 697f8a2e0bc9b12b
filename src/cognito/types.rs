//! Typed request and response bodies, named and cased as botocore's model (PascalCase).
//!
//! Request types that carry a password hold it as a [`Secret`]: it goes over the wire in full
//! but `Debug` never prints it. Free-form maps (`AuthParameters`, `ChallengeResponses`) may hold
//! passwords, so the [`Request`] enum's `Debug` prints the redacted JSON instead.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use super::redact::{abbreviate, redact};
use crate::secret::Secret;

fn expose<S: Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.expose())
}

fn expose_opt<S: Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(s) => ser.serialize_str(s.expose()),
        None => ser.serialize_none(),
    }
}

/// `{Name, Value}` as in UserAttributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}

/// Where Cognito sent a code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetailsType {
    #[serde(default)]
    pub destination: Option<String>,
    #[serde(default)]
    pub delivery_medium: Option<String>,
    #[serde(default)]
    pub attribute_name: Option<String>,
}

// ---------------------------------------------------------------- sign-up

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpRequest {
    pub client_id: String,
    pub username: String,
    #[serde(serialize_with = "expose_opt", skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_attributes: Vec<AttributeType>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    pub user_confirmed: bool,
    #[serde(default)]
    pub code_delivery_details: Option<CodeDeliveryDetailsType>,
    #[serde(rename = "UserSub")]
    pub user_sub: String,
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpRequest {
    pub client_id: String,
    pub username: String,
    pub confirmation_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpResponse {
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeRequest {
    pub client_id: String,
    pub username: String,
}

/// The output of ResendConfirmationCode and ForgotPassword.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryResponse {
    #[serde(default)]
    pub code_delivery_details: Option<CodeDeliveryDetailsType>,
}

// ---------------------------------------------------------------- sign-in

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthRequest {
    pub auth_flow: String,
    pub client_id: String,
    pub auth_parameters: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The username SECRET_HASH is computed over when `AuthParameters` has no `USERNAME`
    /// (REFRESH_TOKEN_AUTH). Not sent.
    #[serde(skip)]
    pub secret_hash_username: Option<String>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeRequest {
    pub client_id: String,
    pub challenge_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub challenge_responses: BTreeMap<String, String>,
}

#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    pub device_key: String,
    pub device_group_key: String,
}

/// Tokens as Cognito returns them. `Debug` abbreviates every token.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

impl fmt::Debug for AuthenticationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ab = |t: &Option<String>| t.as_deref().map(abbreviate);
        f.debug_struct("AuthenticationResult")
            .field("access_token", &ab(&self.access_token))
            .field("id_token", &ab(&self.id_token))
            .field("refresh_token", &ab(&self.refresh_token))
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// ChallengeParameters is a map of strings, and Cognito puts lists in it as JSON text
/// (`MFAS_CAN_SETUP: "[\"SOFTWARE_TOKEN_MFA\"]"`). Some compatible servers (moto) send the list
/// itself: a value that is not a string is kept as its JSON text, which is what Cognito would have
/// sent, instead of failing the whole response. `null` drops the key.
fn string_map_lenient<'de, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw: Option<BTreeMap<String, serde_json::Value>> = Deserialize::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some((k, s)),
            other => Some((k, other.to_string())),
        })
        .collect())
}

/// The output of InitiateAuth and RespondToAuthChallenge.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthResponse {
    #[serde(default)]
    pub challenge_name: Option<String>,
    #[serde(default)]
    pub session: Option<String>,
    #[serde(default, deserialize_with = "string_map_lenient")]
    pub challenge_parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub authentication_result: Option<AuthenticationResult>,
    #[serde(default)]
    pub available_challenges: Vec<String>,
}

impl fmt::Debug for AuthResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthResponse")
            .field("challenge_name", &self.challenge_name)
            .field("session", &self.session.as_deref().map(abbreviate))
            .field("challenge_parameters", &self.challenge_parameters.keys())
            .field("authentication_result", &self.authentication_result)
            .field("available_challenges", &self.available_challenges)
            .finish()
    }
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenRequest {
    pub refresh_token: String,
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokensResponse {
    #[serde(default)]
    pub authentication_result: Option<AuthenticationResult>,
}

// ---------------------------------------------------------------- token-authorised

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessTokenRequest {
    pub access_token: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    pub username: String,
    #[serde(default)]
    pub user_attributes: Vec<AttributeType>,
    #[serde(default)]
    pub preferred_mfa_setting: Option<String>,
    #[serde(default, rename = "UserMFASettingList")]
    pub user_mfa_setting_list: Vec<String>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeTokenRequest {
    pub token: String,
    pub client_id: String,
}

/// Any output this client does not read (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Empty {}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordRequest {
    pub client_id: String,
    pub username: String,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordRequest {
    pub client_id: String,
    pub username: String,
    pub confirmation_code: String,
    #[serde(serialize_with = "expose")]
    pub password: Secret,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordRequest {
    pub access_token: String,
    #[serde(serialize_with = "expose_opt", skip_serializing_if = "Option::is_none")]
    pub previous_password: Option<Secret>,
    #[serde(serialize_with = "expose")]
    pub proposed_password: Secret,
}

/// AssociateSoftwareToken: exactly one of `AccessToken` and `Session`.
#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    pub secret_code: String,
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub user_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_device_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    pub enabled: bool,
    pub preferred_mfa: bool,
}

/// One factor of SetUserMFAPreference, as Amplify sends it: `PreferredMfa` only when the
/// preference says so (ENABLED leaves the preferred factor as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaPreferenceSetting {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_mfa: Option<bool>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreferenceRequest {
    pub access_token: String,
    #[serde(rename = "SMSMfaSettings", skip_serializing_if = "Option::is_none")]
    pub sms_mfa_settings: Option<MfaPreferenceSetting>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaPreferenceSetting>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaPreferenceSetting>,
}

// ---------------------------------------------------------------- the signed-in user's account

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesRequest {
    pub access_token: String,
    pub user_attributes: Vec<AttributeType>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesResponse {
    #[serde(default)]
    pub code_delivery_details_list: Vec<CodeDeliveryDetailsType>,
}

/// GetUserAttributeVerificationCode.
#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeVerificationCodeRequest {
    pub access_token: String,
    pub attribute_name: String,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyUserAttributeRequest {
    pub access_token: String,
    pub attribute_name: String,
    pub code: String,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserAttributesRequest {
    pub access_token: String,
    pub user_attribute_names: Vec<String>,
}

// ---------------------------------------------------------------- admin (SigV4 on AWS)

/// The attributes a ListUsers `Filter` may name (PROTOCOL.md §2.4), in the order the Users
/// view offers them. Custom attributes are not searchable.
pub const SEARCHABLE_ATTRIBUTES: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersRequest {
    pub user_pool_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

/// A time Cognito sends as epoch seconds (an integer or a fraction).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct EpochSeconds(pub f64);

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    pub username: String,
    #[serde(default)]
    pub attributes: Vec<AttributeType>,
    #[serde(default)]
    pub user_create_date: Option<EpochSeconds>,
    #[serde(default)]
    pub user_last_modified_date: Option<EpochSeconds>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub user_status: Option<String>,
    /// The legacy SMS MFA settings (`[{DeliveryMedium, AttributeName}]`).
    #[serde(default, rename = "MFAOptions")]
    pub mfa_options: Vec<MfaOptionType>,
}

/// `{MFAOptions: [{DeliveryMedium, AttributeName}]}` entries (legacy SMS MFA settings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaOptionType {
    #[serde(default)]
    pub delivery_medium: Option<String>,
    #[serde(default)]
    pub attribute_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersResponse {
    #[serde(default)]
    pub users: Vec<UserType>,
    #[serde(default)]
    pub pagination_token: Option<String>,
}

// ---------------------------------------------------------------- the operation enums

/// One call the flow machine asks for: data, so the machine stays pure and tests can
/// assert exactly what would be sent.
#[derive(Clone)]
pub enum Request {
    SignUp(SignUpRequest),
    ConfirmSignUp(ConfirmSignUpRequest),
    ResendConfirmationCode(ResendConfirmationCodeRequest),
    InitiateAuth(InitiateAuthRequest),
    RespondToAuthChallenge(RespondToAuthChallengeRequest),
    GetTokensFromRefreshToken(GetTokensFromRefreshTokenRequest),
    GetUser(AccessTokenRequest),
    GlobalSignOut(AccessTokenRequest),
    RevokeToken(RevokeTokenRequest),
    ForgotPassword(ForgotPasswordRequest),
    ConfirmForgotPassword(ConfirmForgotPasswordRequest),
    ChangePassword(ChangePasswordRequest),
    AssociateSoftwareToken(AssociateSoftwareTokenRequest),
    VerifySoftwareToken(VerifySoftwareTokenRequest),
    SetUserMfaPreference(SetUserMfaPreferenceRequest),
    UpdateUserAttributes(UpdateUserAttributesRequest),
    GetUserAttributeVerificationCode(AttributeVerificationCodeRequest),
    VerifyUserAttribute(VerifyUserAttributeRequest),
    DeleteUserAttributes(DeleteUserAttributesRequest),
    DeleteUser(AccessTokenRequest),
}

impl Request {
    /// The Cognito operation name (`X-Amz-Target` suffix).
    pub fn operation(&self) -> &'static str {
        match self {
            Request::SignUp(_) => "SignUp",
            Request::ConfirmSignUp(_) => "ConfirmSignUp",
            Request::ResendConfirmationCode(_) => "ResendConfirmationCode",
            Request::InitiateAuth(_) => "InitiateAuth",
            Request::RespondToAuthChallenge(_) => "RespondToAuthChallenge",
            Request::GetTokensFromRefreshToken(_) => "GetTokensFromRefreshToken",
            Request::GetUser(_) => "GetUser",
            Request::GlobalSignOut(_) => "GlobalSignOut",
            Request::RevokeToken(_) => "RevokeToken",
            Request::ForgotPassword(_) => "ForgotPassword",
            Request::ConfirmForgotPassword(_) => "ConfirmForgotPassword",
            Request::ChangePassword(_) => "ChangePassword",
            Request::AssociateSoftwareToken(_) => "AssociateSoftwareToken",
            Request::VerifySoftwareToken(_) => "VerifySoftwareToken",
            Request::SetUserMfaPreference(_) => "SetUserMFAPreference",
            Request::UpdateUserAttributes(_) => "UpdateUserAttributes",
            Request::GetUserAttributeVerificationCode(_) => "GetUserAttributeVerificationCode",
            Request::VerifyUserAttribute(_) => "VerifyUserAttribute",
            Request::DeleteUserAttributes(_) => "DeleteUserAttributes",
            Request::DeleteUser(_) => "DeleteUser",
        }
    }

    /// The body as it would be sent (before SECRET_HASH is added). Contains secrets: never
    /// log it; use [`Request::redacted`].
    pub fn body(&self) -> serde_json::Value {
        let v = match self {
            Request::SignUp(r) => serde_json::to_value(r),
            Request::ConfirmSignUp(r) => serde_json::to_value(r),
            Request::ResendConfirmationCode(r) => serde_json::to_value(r),
            Request::InitiateAuth(r) => serde_json::to_value(r),
            Request::RespondToAuthChallenge(r) => serde_json::to_value(r),
            Request::GetTokensFromRefreshToken(r) => serde_json::to_value(r),
            Request::GetUser(r) | Request::GlobalSignOut(r) | Request::DeleteUser(r) => {
                serde_json::to_value(r)
            }
            Request::RevokeToken(r) => serde_json::to_value(r),
            Request::ForgotPassword(r) => serde_json::to_value(r),
            Request::ConfirmForgotPassword(r) => serde_json::to_value(r),
            Request::ChangePassword(r) => serde_json::to_value(r),
            Request::AssociateSoftwareToken(r) => serde_json::to_value(r),
            Request::VerifySoftwareToken(r) => serde_json::to_value(r),
            Request::SetUserMfaPreference(r) => serde_json::to_value(r),
            Request::UpdateUserAttributes(r) => serde_json::to_value(r),
            Request::GetUserAttributeVerificationCode(r) => serde_json::to_value(r),
            Request::VerifyUserAttribute(r) => serde_json::to_value(r),
            Request::DeleteUserAttributes(r) => serde_json::to_value(r),
        };
        // Serialising plain structs of strings and maps cannot fail.
        v.unwrap_or(serde_json::Value::Null)
    }

    /// The body with secrets hidden and tokens abbreviated.
    pub fn redacted(&self) -> serde_json::Value {
        redact(&self.body())
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.operation(), self.redacted())
    }
}

/// The typed output of a [`Request`].
#[derive(Debug, Clone)]
pub enum Response {
    SignUp(SignUpResponse),
    ConfirmSignUp(ConfirmSignUpResponse),
    ResendConfirmationCode(CodeDeliveryResponse),
    InitiateAuth(AuthResponse),
    RespondToAuthChallenge(AuthResponse),
    GetTokensFromRefreshToken(TokensResponse),
    GetUser(GetUserResponse),
    GlobalSignOut(Empty),
    RevokeToken(Empty),
    ForgotPassword(CodeDeliveryResponse),
    ConfirmForgotPassword(Empty),
    ChangePassword(Empty),
    AssociateSoftwareToken(AssociateSoftwareTokenResponse),
    VerifySoftwareToken(VerifySoftwareTokenResponse),
    SetUserMfaPreference(Empty),
    UpdateUserAttributes(UpdateUserAttributesResponse),
    GetUserAttributeVerificationCode(CodeDeliveryResponse),
    VerifyUserAttribute(Empty),
    DeleteUserAttributes(Empty),
    DeleteUser(Empty),
}

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
    /// EMAIL_OTP codes), `INVITATION`, `VERIFY_EMAIL` / `VERIFY_PHONE_NUMBER` (an attribute's verification code), `TOTP_SECRET` (a demo user's base32
    /// authenticator secret, in `code`), ...
    pub purpose: String,
    pub code: String,
    /// RFC 3339 UTC, e.g. `2026-11-28T22:30:00.123Z`.
    pub sent_at: String,
    /// The message text as the pool's templates make it (`{####}` replaced by the code);
    /// absent for what the templates do not cover (invitations, TOTP secrets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The email subject, for an email message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// One Lambda trigger run of the embedded pool, as `GET /_local/triggers` returns it: the
/// event it got and the response it gave, with secrets already hidden (a UserMigration
/// password, a custom challenge's answer and private parameters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerInvocation {
    /// Increasing within one running pool; `GET /_local/triggers?after=<seq>` gives the later ones.
    pub seq: u64,
    /// Unix time in milliseconds when the run started.
    pub at_ms: i64,
    pub pool_id: String,
    /// The LambdaConfig name, e.g. `PreTokenGeneration`.
    pub trigger: String,
    /// The event's `triggerSource`, e.g. `TokenGeneration_Authentication`.
    pub trigger_source: String,
    /// `cmd`, `node`, `python`, or `lambda` for a value that cannot run here (an ARN).
    pub runner: String,
    pub user_name: String,
    pub duration_ms: u64,
    /// `ok`, or the Cognito error the run gave (`UserLambdaValidationException`, ...).
    pub outcome: String,
    /// The error's message, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The event as sent (redacted). (Not `event`: front ends tag their events with that name.)
    pub event_in: serde_json::Value,
    /// The `response` object as returned (redacted); null when the run failed.
    pub response_out: serde_json::Value,
}

impl TriggerInvocation {
    pub fn ok(&self) -> bool {
        self.outcome == "ok"
    }
}

/// Cognito's `ChallengeName` values (RespondToAuthChallenge, InitiateAuth answers). The wire
/// keeps strings; code that routes on a challenge matches on this enum. A name Cognito adds later
/// parses to `None`, so callers answer it as an unknown challenge instead of guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChallengeName {
    SmsMfa,
    EmailOtp,
    SmsOtp,
    SoftwareTokenMfa,
    SelectMfaType,
    MfaSetup,
    PasswordVerifier,
    CustomChallenge,
    SelectChallenge,
    Password,
    PasswordSrp,
    WebAuthn,
    DeviceSrpAuth,
    DevicePasswordVerifier,
    AdminNoSrpAuth,
    NewPasswordRequired,
}

impl ChallengeName {
    /// Every challenge name, in the order Cognito's API reference lists them.
    pub const ALL: [ChallengeName; 16] = [
        ChallengeName::SmsMfa,
        ChallengeName::EmailOtp,
        ChallengeName::SmsOtp,
        ChallengeName::SoftwareTokenMfa,
        ChallengeName::SelectMfaType,
        ChallengeName::MfaSetup,
        ChallengeName::PasswordVerifier,
        ChallengeName::CustomChallenge,
        ChallengeName::SelectChallenge,
        ChallengeName::Password,
        ChallengeName::PasswordSrp,
        ChallengeName::WebAuthn,
        ChallengeName::DeviceSrpAuth,
        ChallengeName::DevicePasswordVerifier,
        ChallengeName::AdminNoSrpAuth,
        ChallengeName::NewPasswordRequired,
    ];

    /// The name as it travels on the wire, e.g. `SOFTWARE_TOKEN_MFA`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChallengeName::SmsMfa => "SMS_MFA",
            ChallengeName::EmailOtp => "EMAIL_OTP",
            ChallengeName::SmsOtp => "SMS_OTP",
            ChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            ChallengeName::SelectMfaType => "SELECT_MFA_TYPE",
            ChallengeName::MfaSetup => "MFA_SETUP",
            ChallengeName::PasswordVerifier => "PASSWORD_VERIFIER",
            ChallengeName::CustomChallenge => "CUSTOM_CHALLENGE",
            ChallengeName::SelectChallenge => "SELECT_CHALLENGE",
            ChallengeName::Password => "PASSWORD",
            ChallengeName::PasswordSrp => "PASSWORD_SRP",
            ChallengeName::WebAuthn => "WEB_AUTHN",
            ChallengeName::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            ChallengeName::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            ChallengeName::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            ChallengeName::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
        }
    }

    /// The enum for a wire name; `None` for a name this build does not know.
    pub fn parse(name: &str) -> Option<ChallengeName> {
        ChallengeName::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for ChallengeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `X-Amz-Target` is this prefix followed by the operation name (`…Service.InitiateAuth`).
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// The content type of every request and response body.
pub const AMZ_JSON_1_1: &str = "application/x-amz-json-1.1";

/// The most users (and groups) one List* page returns: Cognito's `Limit` maximum of 60.
pub const MAX_PAGE_LIMIT: u32 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_go_on_the_wire_but_never_into_debug() {
        let r = Request::SignUp(SignUpRequest {
            client_id: "c".into(),
            username: "alice".into(),
            password: Some(Secret::new("Hunter2-secret!")),
            user_attributes: vec![AttributeType {
                name: "email".into(),
                value: Some("a@example.com".into()),
            }],
        });
        assert_eq!(r.body()["Password"], "Hunter2-secret!");
        assert_eq!(r.body()["UserAttributes"][0]["Name"], "email");
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("Hunter2"), "{dbg}");
        assert!(dbg.starts_with("SignUp("));

        let mut params = BTreeMap::new();
        params.insert("USERNAME".to_string(), "alice".to_string());
        params.insert("PASSWORD".to_string(), "Hunter2-secret!".to_string());
        let r = Request::InitiateAuth(InitiateAuthRequest {
            auth_flow: "USER_PASSWORD_AUTH".into(),
            client_id: "c".into(),
            auth_parameters: params,
            session: None,
            secret_hash_username: Some("ignored".into()),
        });
        let body = r.body();
        assert_eq!(body["AuthParameters"]["PASSWORD"], "Hunter2-secret!");
        assert!(body.get("Session").is_none());
        assert!(body.get("SecretHashUsername").is_none());
        assert!(!format!("{r:?}").contains("Hunter2"));
    }

    #[test]
    fn parses_cognito_outputs() {
        let v: AuthResponse = serde_json::from_value(serde_json::json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {"SALT": "ab", "SRP_B": "cd", "USER_ID_FOR_SRP": "alice"},
            "Unknown": 1
        }))
        .unwrap();
        assert_eq!(v.challenge_name.as_deref(), Some("PASSWORD_VERIFIER"));
        assert_eq!(v.challenge_parameters["USER_ID_FOR_SRP"], "alice");
        // moto sends MFAS_CAN_SETUP as a list, not as the JSON text Cognito sends.
        let v: AuthResponse = serde_json::from_value(serde_json::json!({
            "ChallengeName": "MFA_SETUP",
            "ChallengeParameters": {"MFAS_CAN_SETUP": ["SOFTWARE_TOKEN_MFA"], "N": 1, "X": null},
            "Session": "s"
        }))
        .unwrap();
        assert_eq!(
            v.challenge_parameters["MFAS_CAN_SETUP"],
            r#"["SOFTWARE_TOKEN_MFA"]"#
        );
        assert_eq!(v.challenge_parameters["N"], "1");
        assert!(!v.challenge_parameters.contains_key("X"));
        let v: AuthResponse =
            serde_json::from_value(serde_json::json!({"ChallengeParameters": null})).unwrap();
        assert!(v.challenge_parameters.is_empty());
        let u: ListUsersResponse = serde_json::from_value(serde_json::json!({
            "Users": [{"Username": "a", "Attributes": [{"Name": "sub", "Value": "1"}],
                       "UserCreateDate": 1.7e9, "UserLastModifiedDate": 1700000000,
                       "Enabled": true, "UserStatus": "CONFIRMED"}],
            "PaginationToken": "next"
        }))
        .unwrap();
        assert_eq!(u.users[0].user_create_date, Some(EpochSeconds(1.7e9)));
        assert_eq!(u.pagination_token.as_deref(), Some("next"));
        let tokens = AuthenticationResult {
            access_token: Some("eyJaccess-token-long-value".into()),
            ..Default::default()
        };
        assert!(!format!("{tokens:?}").contains("access-token-long-value"));
    }

    #[test]
    fn challenge_names_round_trip_and_unknown_names_parse_to_none() {
        for c in ChallengeName::ALL {
            assert_eq!(ChallengeName::parse(c.as_str()), Some(c));
            assert_eq!(c.to_string(), c.as_str());
        }
        assert_eq!(
            ChallengeName::parse("SOFTWARE_TOKEN_MFA"),
            Some(ChallengeName::SoftwareTokenMfa)
        );
        assert_eq!(ChallengeName::parse("software_token_mfa"), None);
        assert_eq!(ChallengeName::parse("PASSKEY_SOMEDAY"), None);
    }
}
