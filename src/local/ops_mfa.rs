//! Multi-factor authentication in the embedded pool (PROTOCOL.md §2.2–2.4, §3, §6):
//!
//! - the pool's MFA configuration (SetUserPoolMfaConfig / GetUserPoolMfaConfig) and each user's
//!   methods and preference (SetUserMFAPreference / AdminSetUserMFAPreference, shown by GetUser
//!   and AdminGetUser);
//! - the second step of a sign-in whose password checked out ([`after_password`]): SMS_MFA,
//!   EMAIL_OTP or SOFTWARE_TOKEN_MFA for the preferred (or only) method, SELECT_MFA_TYPE when
//!   several are enabled and none preferred, MFA_SETUP when the pool requires MFA and the user
//!   has none (TOTP through AssociateSoftwareToken / VerifySoftwareToken with the Session, or
//!   email through `MFA_SETUP {USERNAME, EMAIL}` then EMAIL_OTP);
//! - AssociateSoftwareToken / VerifySoftwareToken with an AccessToken;
//! - AdminResetUserPassword (RESET_REQUIRED, a reset code in the outbox).
//!
//! The state lives in three tables of their own: `pool_mfa` (methods per pool; the ON / OPTIONAL
//! / OFF switch stays in the pool's config as `MfaConfiguration`), `user_mfa` (per user *sub*,
//! so a re-created user starts clean) and `mfa_sessions` (the challenge Sessions of this module,
//! stored as SHA-256 hashes, single-use, valid for the client's AuthSessionValidity).
//!
//! Sessions: a correct answer spends the Session (a reuse answers "session can only be used
//! once"); a wrong code leaves it standing for another try, up to [`MAX_CODE_ATTEMPTS`] wrong
//! codes. An SMS / email code lives as long as its Session; once it has run out the answer is
//! ExpiredCodeException (the code is what the user notices), while a stale SOFTWARE_TOKEN_MFA,
//! SELECT_MFA_TYPE or MFA_SETUP Session answers NotAuthorizedException "session is expired".
//! A TOTP code is accepted once (±1 step of 30 s); a second use of the same step answers
//! ExpiredCodeException "Your software token has already been used once.".

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::error::{ApiError, ApiResult};
use super::ops_auth::{
    authorize_access, check_enabled, check_secret_hash, client_and_pool, required, resolve_user,
    rfc3339_millis, sha256, sign_in_result, verified_target,
};
use super::policy;
use super::server::{Ctx, parse};
use super::store::{self, ClientRow, PoolRow, UserRecord};

pub const SMS_MFA: &str = "SMS_MFA";
pub const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
pub const EMAIL_OTP: &str = "EMAIL_OTP";
/// Wrong codes one challenge Session takes before it is spent.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// The AdminResetUserPassword code lasts one hour, like a forgot-password code.
pub const RESET_CODE_TTL: i64 = 3600;
/// The outbox purpose of an MFA code.
pub const PURPOSE_MFA: &str = "MFA";
/// The outbox purpose of a seeded TOTP secret (so a learner can compute codes).
pub const PURPOSE_TOTP_SECRET: &str = "TOTP_SECRET";

const SESSION_PREFIX: u8 = 0x4d;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS pool_mfa (
    pool_id  TEXT PRIMARY KEY,
    config   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_mfa (
    pool_id        TEXT NOT NULL,
    sub            TEXT NOT NULL,
    sms_enabled    INTEGER NOT NULL DEFAULT 0,
    email_enabled  INTEGER NOT NULL DEFAULT 0,
    totp_enabled   INTEGER NOT NULL DEFAULT 0,
    preferred      TEXT,
    totp_secret    TEXT,
    pending_secret TEXT,
    device_name    TEXT,
    last_step      INTEGER,
    PRIMARY KEY (pool_id, sub)
);
CREATE TABLE IF NOT EXISTS mfa_sessions (
    session_hash BLOB PRIMARY KEY,
    pool_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    username     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    data         TEXT NOT NULL,
    created      INTEGER NOT NULL,
    used         INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0
);
"#;

/// Creates this module's tables (additive: `IF NOT EXISTS`), for new and old stores alike.
pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)
}

// ---------------------------------------------------------------------------------------------
// Errors

fn code_mismatch() -> ApiError {
    ApiError::new("CodeMismatchException", "Invalid code received for user")
}

fn code_expired() -> ApiError {
    ApiError::new(
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
}

fn token_reused() -> ApiError {
    ApiError::new(
        "ExpiredCodeException",
        "Your software token has already been used once.",
    )
}

fn session_expired() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session is expired.")
}

fn session_used() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session can only be used once.")
}

fn bad_session() -> ApiError {
    ApiError::not_authorized("Invalid session for the user.")
}

fn param<'a>(responses: &'a HashMap<String, String>, name: &str) -> ApiResult<&'a str> {
    responses
        .get(name)
        .map(String::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}

// ---------------------------------------------------------------------------------------------
// Pool configuration

/// Which MFA methods a pool offers (its MfaConfiguration is in the pool's own config).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMfa {
    pub sms_enabled: bool,
    #[serde(default)]
    pub sms_authentication_message: Option<String>,
    #[serde(default)]
    pub sms_configuration: Option<Value>,
    pub totp_enabled: bool,
    pub email_enabled: bool,
    #[serde(default)]
    pub email_message: Option<String>,
    #[serde(default)]
    pub email_subject: Option<String>,
}

/// The pool's MFA methods. A pool never configured (made before MFA existed here, or by
/// CreateUserPool) offers TOTP when its MfaConfiguration is not OFF, nothing otherwise.
pub fn pool_mfa(conn: &Connection, pool: &PoolRow) -> ApiResult<PoolMfa> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT config FROM pool_mfa WHERE pool_id = ?1",
            params![pool.pool_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match stored.and_then(|s| serde_json::from_str(&s).ok()) {
        Some(c) => c,
        None => PoolMfa {
            totp_enabled: pool.config.mfa_configuration != "OFF",
            ..PoolMfa::default()
        },
    })
}

fn has_pool_mfa_row(conn: &Connection, pool_id: &str) -> ApiResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM pool_mfa WHERE pool_id = ?1",
            params![pool_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn put_pool_mfa(conn: &Connection, pool_id: &str, c: &PoolMfa) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO pool_mfa (pool_id, config) VALUES (?1, ?2)",
        params![
            pool_id,
            serde_json::to_string(c).map_err(|e| ApiError::internal(e.to_string()))?
        ],
    )?;
    Ok(())
}

/// Writes a pool's MfaConfiguration (OFF / ON / OPTIONAL) into its config.
fn set_mfa_configuration(
    conn: &Connection,
    pool: &mut PoolRow,
    mode: &str,
    now: i64,
) -> ApiResult<()> {
    pool.config.mfa_configuration = mode.to_string();
    pool.modified = now;
    conn.execute(
        "UPDATE pools SET config = ?2, modified = ?3 WHERE pool_id = ?1",
        params![
            pool.pool_id,
            serde_json::to_string(&pool.config).map_err(|e| ApiError::internal(e.to_string()))?,
            now
        ],
    )?;
    Ok(())
}

fn mfa_config_json(pool: &PoolRow, c: &PoolMfa) -> Value {
    let mut v = json!({
        "MfaConfiguration": pool.config.mfa_configuration,
        "SoftwareTokenMfaConfiguration": {"Enabled": c.totp_enabled},
    });
    if c.sms_enabled {
        let mut sms = json!({});
        if let Some(m) = &c.sms_authentication_message {
            sms["SmsAuthenticationMessage"] = json!(m);
        }
        if let Some(s) = &c.sms_configuration {
            sms["SmsConfiguration"] = s.clone();
        }
        v["SmsMfaConfiguration"] = sms;
    }
    if c.email_enabled {
        let mut email = json!({});
        if let Some(m) = &c.email_message {
            email["Message"] = json!(m);
        }
        if let Some(s) = &c.email_subject {
            email["Subject"] = json!(s);
        }
        v["EmailMfaConfiguration"] = email;
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SmsMfaIn {
    sms_authentication_message: Option<String>,
    sms_configuration: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TotpMfaIn {
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EmailMfaIn {
    message: Option<String>,
    subject: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetPoolMfaReq {
    user_pool_id: Option<String>,
    sms_mfa_configuration: Option<SmsMfaIn>,
    software_token_mfa_configuration: Option<TotpMfaIn>,
    email_mfa_configuration: Option<EmailMfaIn>,
    mfa_configuration: Option<String>,
}

/// SetUserPoolMfaConfig. Like Cognito's it replaces the method settings: a method whose
/// configuration is left out is turned off. MfaConfiguration left out stays as it was.
pub fn set_user_pool_mfa_config(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: SetPoolMfaReq = parse(body)?;
    ctx.with_db(|conn| {
        let mut pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        let mode = req
            .mfa_configuration
            .unwrap_or_else(|| pool.config.mfa_configuration.clone());
        if !["OFF", "ON", "OPTIONAL"].contains(&mode.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '{mode}' at 'mfaConfiguration' failed to \
                 satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
            )));
        }
        let mut c = PoolMfa::default();
        if let Some(sms) = req.sms_mfa_configuration {
            if let Some(m) = &sms.sms_authentication_message
                && !m.contains("{####}")
            {
                return Err(ApiError::invalid_parameter(
                    "SmsAuthenticationMessage must contain the {####} placeholder.",
                ));
            }
            c.sms_enabled = true;
            c.sms_authentication_message = sms.sms_authentication_message;
            c.sms_configuration = sms.sms_configuration;
        }
        if let Some(t) = req.software_token_mfa_configuration {
            c.totp_enabled = t.enabled.unwrap_or(false);
        }
        if let Some(e) = req.email_mfa_configuration {
            if let Some(m) = &e.message
                && !m.contains("{####}")
            {
                return Err(ApiError::invalid_parameter(
                    "EmailMfaConfiguration Message must contain the {####} placeholder.",
                ));
            }
            c.email_enabled = true;
            c.email_message = e.message;
            c.email_subject = e.subject;
        }
        if mode != "OFF" && !(c.sms_enabled || c.totp_enabled || c.email_enabled) {
            return Err(ApiError::invalid_parameter(
                "Invalid MFA configuration given, can't turn on MFA without any MFA method \
                 (SMS, software token or email) enabled.",
            ));
        }
        put_pool_mfa(conn, &pool.pool_id, &c)?;
        set_mfa_configuration(conn, &mut pool, &mode, ctx.now())?;
        tracing::info!(pool = %pool.pool_id, mode = %mode, sms = c.sms_enabled, totp = c.totp_enabled, email = c.email_enabled, "local pool: MFA configuration set");
        Ok(mfa_config_json(&pool, &c))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolIdReq {
    user_pool_id: Option<String>,
}

/// GetUserPoolMfaConfig.
pub fn get_user_pool_mfa_config(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: PoolIdReq = parse(body)?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        let c = pool_mfa(conn, &pool)?;
        Ok(mfa_config_json(&pool, &c))
    })
}

// ---------------------------------------------------------------------------------------------
// User settings

/// One user's MFA methods, preference and software token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserMfa {
    pub sms: bool,
    pub email: bool,
    pub totp: bool,
    pub preferred: Option<String>,
    /// Base32 secret of the verified software token.
    pub totp_secret: Option<String>,
    /// Base32 secret from AssociateSoftwareToken (AccessToken) awaiting VerifySoftwareToken.
    pub pending_secret: Option<String>,
    pub device_name: Option<String>,
    /// The last TOTP step accepted (a code is accepted once).
    pub last_step: Option<i64>,
}

impl UserMfa {
    /// The methods the user has turned on, in Cognito's order.
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.sms {
            out.push(SMS_MFA);
        }
        if self.totp {
            out.push(SOFTWARE_TOKEN_MFA);
        }
        if self.email {
            out.push(EMAIL_OTP);
        }
        out
    }
}

pub fn user_mfa(conn: &Connection, pool_id: &str, sub: &str) -> ApiResult<UserMfa> {
    Ok(conn
        .query_row(
            "SELECT sms_enabled, email_enabled, totp_enabled, preferred, totp_secret, \
             pending_secret, device_name, last_step FROM user_mfa WHERE pool_id = ?1 AND sub = ?2",
            params![pool_id, sub],
            |r| {
                Ok(UserMfa {
                    sms: r.get::<_, i64>(0)? != 0,
                    email: r.get::<_, i64>(1)? != 0,
                    totp: r.get::<_, i64>(2)? != 0,
                    preferred: r.get(3)?,
                    totp_secret: r.get(4)?,
                    pending_secret: r.get(5)?,
                    device_name: r.get(6)?,
                    last_step: r.get(7)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn put_user_mfa(conn: &Connection, pool_id: &str, sub: &str, m: &UserMfa) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO user_mfa (pool_id, sub, sms_enabled, email_enabled, totp_enabled, \
         preferred, totp_secret, pending_secret, device_name, last_step) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            pool_id,
            sub,
            m.sms as i64,
            m.email as i64,
            m.totp as i64,
            m.preferred,
            m.totp_secret,
            m.pending_secret,
            m.device_name,
            m.last_step
        ],
    )?;
    Ok(())
}

/// Adds `PreferredMfaSetting` and `UserMFASettingList` to a GetUser / AdminGetUser answer.
pub fn add_user_mfa_fields(conn: &Connection, user: &UserRecord, out: &mut Value) -> ApiResult<()> {
    let m = user_mfa(conn, &user.pool_id, &user.sub)?;
    let enabled = m.enabled();
    if let Some(p) = m.preferred.as_deref().filter(|p| enabled.contains(p)) {
        out["PreferredMfaSetting"] = json!(p);
    }
    if !enabled.is_empty() {
        out["UserMFASettingList"] = json!(enabled);
    }
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct MethodSettings {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PreferenceReq {
    access_token: Option<String>,
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<MethodSettings>,
    software_token_mfa_settings: Option<MethodSettings>,
    email_mfa_settings: Option<MethodSettings>,
}

/// Applies SMSMfaSettings / SoftwareTokenMfaSettings / EmailMfaSettings to a user.
fn apply_preferences(
    conn: &Connection,
    user: &UserRecord,
    settings: [(&'static str, Option<MethodSettings>); 3],
) -> ApiResult<UserMfa> {
    let mut m = user_mfa(conn, &user.pool_id, &user.sub)?;
    let preferred_count = settings
        .iter()
        .filter(|(_, s)| s.as_ref().and_then(|s| s.preferred_mfa) == Some(true))
        .count();
    if preferred_count > 1 {
        return Err(ApiError::invalid_parameter(
            "Only one MFA method can be set as preferred.",
        ));
    }
    for (method, s) in settings {
        let Some(s) = s else { continue };
        let currently = match method {
            SMS_MFA => m.sms,
            SOFTWARE_TOKEN_MFA => m.totp,
            _ => m.email,
        };
        let enabled = s.enabled.unwrap_or(currently);
        if s.preferred_mfa == Some(true) && !enabled {
            return Err(ApiError::invalid_parameter(format!(
                "{method} cannot be the preferred MFA method while it is not enabled."
            )));
        }
        if enabled && !currently {
            match method {
                SMS_MFA if !user.attributes.contains_key("phone_number") => {
                    return Err(ApiError::invalid_parameter(
                        "User does not have delivery config set to turn on SMS_MFA",
                    ));
                }
                EMAIL_OTP if !user.attributes.contains_key("email") => {
                    return Err(ApiError::invalid_parameter(
                        "User does not have delivery config set to turn on EMAIL_OTP",
                    ));
                }
                SOFTWARE_TOKEN_MFA if m.totp_secret.is_none() => {
                    return Err(ApiError::invalid_parameter(
                        "User has not verified software token mfa",
                    ));
                }
                _ => {}
            }
        }
        match method {
            SMS_MFA => m.sms = enabled,
            SOFTWARE_TOKEN_MFA => m.totp = enabled,
            _ => m.email = enabled,
        }
        if s.preferred_mfa == Some(true) {
            m.preferred = Some(method.to_string());
        } else if m.preferred.as_deref() == Some(method)
            && (!enabled || s.preferred_mfa == Some(false))
        {
            m.preferred = None;
        }
    }
    put_user_mfa(conn, &user.pool_id, &user.sub, &m)?;
    tracing::info!(pool = %user.pool_id, username = %user.username, methods = ?m.enabled(), preferred = ?m.preferred, "local pool: MFA preference set");
    Ok(m)
}

fn settings_of(req: PreferenceReq) -> [(&'static str, Option<MethodSettings>); 3] {
    [
        (SMS_MFA, req.sms_mfa_settings),
        (SOFTWARE_TOKEN_MFA, req.software_token_mfa_settings),
        (EMAIL_OTP, req.email_mfa_settings),
    ]
}

/// SetUserMFAPreference (AccessToken).
pub fn set_user_mfa_preference(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let mut req: PreferenceReq = parse(body)?;
    ctx.with_db(|conn| {
        let (_pool, user, _claims) = authorize_access(ctx, conn, req.access_token.take())?;
        apply_preferences(conn, &user, settings_of(req))?;
        Ok(json!({}))
    })
}

/// AdminSetUserMFAPreference.
pub fn admin_set_user_mfa_preference(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let mut req: PreferenceReq = parse(body)?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id.take(), "userPoolId")?)?;
        let name = required(req.username.take(), "username")?;
        let user = resolve_user(conn, &pool, &name)?.ok_or_else(ApiError::user_not_found)?;
        apply_preferences(conn, &user, settings_of(req))?;
        Ok(json!({}))
    })
}

// ---------------------------------------------------------------------------------------------
// TOTP

/// A fresh software-token secret: 32 random bytes in base32 (52 characters, no padding).
pub fn new_totp_secret() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    totp_rs::Secret::from(b.to_vec()).to_base32()
}

fn totp(secret_b32: &str) -> ApiResult<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32)
        .map_err(|_| ApiError::internal("Internal error: corrupt software token secret"))?;
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(1)
        .with_secret(secret)
        .build()
        .map_err(|_| ApiError::internal("Internal error: unusable software token secret"))
}

/// The step a TOTP code matches at `now` (±1 step), if any.
fn totp_step(secret_b32: &str, code: &str, now: i64) -> ApiResult<Option<i64>> {
    let t = totp(secret_b32)?;
    let now = u64::try_from(now).unwrap_or(0);
    Ok(t.check(code.trim(), now).map(|s| s as i64))
}

/// The TOTP code of `secret_b32` at unix time `at` (for seeding docs and tests).
pub fn totp_code(secret_b32: &str, at: i64) -> ApiResult<String> {
    Ok(totp(secret_b32)?
        .generate(u64::try_from(at).unwrap_or(0))
        .to_string())
}

// ---------------------------------------------------------------------------------------------
// Challenge sessions

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SessionData {
    /// SELECT_MFA_TYPE: MFAS_CAN_CHOOSE; MFA_SETUP: MFAS_CAN_SETUP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    choices: Vec<String>,
    /// SMS_MFA / EMAIL_OTP: the code sent and when it runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code_expires: Option<i64>,
    /// MFA setup: the software token being set up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    step: Option<i64>,
    /// Email MFA setup: the address the code went to (becomes the user's email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    setup_email: Option<String>,
}

struct SessionRow {
    hash: Vec<u8>,
    pool_id: String,
    client_id: String,
    username: String,
    kind: String,
    data: SessionData,
    created: i64,
    used: bool,
}

fn validity(client: &ClientRow) -> i64 {
    i64::from(client.config.auth_session_validity.clamp(3, 15)) * 60
}

/// Stores a new challenge Session and returns its opaque value.
fn new_session(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    username: &str,
    kind: &str,
    data: &SessionData,
) -> ApiResult<String> {
    let mut raw = vec![SESSION_PREFIX];
    raw.extend_from_slice(&{
        let mut s = [0u8; 48];
        rand::thread_rng().fill_bytes(&mut s);
        s
    });
    let now = ctx.now();
    conn.execute(
        "DELETE FROM mfa_sessions WHERE created < ?1",
        params![now - 86400],
    )?;
    conn.execute(
        "INSERT INTO mfa_sessions (session_hash, pool_id, client_id, username, kind, data, created) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            sha256(&[&raw]),
            client.pool_id,
            client.client_id,
            username,
            kind,
            serde_json::to_string(data).map_err(|e| ApiError::internal(e.to_string()))?,
            now
        ],
    )?;
    Ok(B64URL.encode(&raw))
}

/// Finds the Session (None if this module never issued it).
fn find_session(conn: &Connection, session: &str) -> ApiResult<Option<SessionRow>> {
    if session.len() > 4096 {
        return Ok(None);
    }
    let Ok(raw) = B64URL.decode(session.trim().trim_end_matches('=')) else {
        return Ok(None);
    };
    if raw.first() != Some(&SESSION_PREFIX) {
        return Ok(None);
    }
    let hash = sha256(&[&raw]);
    Ok(conn
        .query_row(
            "SELECT pool_id, client_id, username, kind, data, created, used \
             FROM mfa_sessions WHERE session_hash = ?1",
            params![hash],
            |r| {
                let data: String = r.get(4)?;
                Ok(SessionRow {
                    hash: hash.clone(),
                    pool_id: r.get(0)?,
                    client_id: r.get(1)?,
                    username: r.get(2)?,
                    kind: r.get(3)?,
                    data: serde_json::from_str(&data).unwrap_or_default(),
                    created: r.get(5)?,
                    used: r.get::<_, i64>(6)? != 0,
                })
            },
        )
        .optional()?)
}

fn spend(conn: &Connection, row: &SessionRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE mfa_sessions SET used = 1 WHERE session_hash = ?1",
        params![row.hash],
    )?;
    Ok(())
}

/// Counts a wrong code; the Session is spent after [`MAX_CODE_ATTEMPTS`].
fn wrong_code(conn: &Connection, row: &SessionRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE mfa_sessions SET attempts = attempts + 1, \
         used = CASE WHEN attempts + 1 >= ?2 THEN 1 ELSE used END WHERE session_hash = ?1",
        params![row.hash, MAX_CODE_ATTEMPTS],
    )?;
    Ok(())
}

/// Checks a Session found for `client`: the right client, unused, not expired. Code challenges
/// answer ExpiredCodeException once their code has run out.
fn check_session(
    ctx: &Ctx,
    conn: &Connection,
    row: &SessionRow,
    client: Option<&ClientRow>,
) -> ApiResult<()> {
    if let Some(c) = client
        && (row.client_id != c.client_id || row.pool_id != c.pool_id)
    {
        return Err(bad_session());
    }
    if row.used {
        return Err(session_used());
    }
    let client = match client {
        Some(c) => c.clone(),
        None => store::require_client(conn, &row.client_id)?,
    };
    let now = ctx.now();
    if let Some(exp) = row.data.code_expires
        && now >= exp
    {
        spend(conn, row)?;
        return Err(code_expired());
    }
    if now - row.created > validity(&client) {
        spend(conn, row)?;
        return Err(session_expired());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The second step of a sign-in

/// The methods a user can be challenged with now: enabled by the user (SMS also for any user
/// with a phone number when the pool requires MFA), offered by the pool, and deliverable.
fn usable_methods(pool: &PoolRow, pm: &PoolMfa, um: &UserMfa, user: &UserRecord) -> Vec<String> {
    let on = pool.config.mfa_configuration == "ON";
    let mut out = Vec::new();
    if pm.sms_enabled && (um.sms || on) && user.attributes.contains_key("phone_number") {
        out.push(SMS_MFA.to_string());
    }
    if pm.totp_enabled && um.totp && um.totp_secret.is_some() {
        out.push(SOFTWARE_TOKEN_MFA.to_string());
    }
    if pm.email_enabled && um.email && user.attributes.contains_key("email") {
        out.push(EMAIL_OTP.to_string());
    }
    out
}

/// What a sign-in answers once the password (or new password) checked out: tokens, or the
/// MFA challenge the pool and the user call for. Call with the store locked.
pub fn after_password(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Value> {
    let mode = pool.config.mfa_configuration.as_str();
    if mode != "ON" && mode != "OPTIONAL" {
        return sign_in_result(ctx, conn, pool, client, user);
    }
    let pm = pool_mfa(conn, pool)?;
    let um = user_mfa(conn, &pool.pool_id, &user.sub)?;
    let usable = usable_methods(pool, &pm, &um, user);
    if usable.is_empty() {
        if mode == "OPTIONAL" {
            return sign_in_result(ctx, conn, pool, client, user);
        }
        return mfa_setup_challenge(ctx, conn, client, user, &pm);
    }
    let pick = match um.preferred.as_deref() {
        Some(p) if usable.iter().any(|u| u == p) => Some(p.to_string()),
        _ if usable.len() == 1 => Some(usable[0].clone()),
        _ => None,
    };
    match pick {
        Some(method) => issue_challenge(ctx, conn, pool, client, user, &method, None),
        None => {
            let data = SessionData {
                choices: usable.clone(),
                ..SessionData::default()
            };
            let session = new_session(ctx, conn, client, &user.username, "SELECT_MFA_TYPE", &data)?;
            tracing::info!(pool = %pool.pool_id, username = %user.username, choices = ?usable, "local pool: SELECT_MFA_TYPE");
            Ok(json!({
                "ChallengeName": "SELECT_MFA_TYPE",
                "Session": session,
                "ChallengeParameters": {
                    "MFAS_CAN_CHOOSE": serde_json::to_string(&usable).unwrap_or_default(),
                    "USER_ID_FOR_SRP": user.username,
                }
            }))
        }
    }
}

fn mfa_setup_challenge(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    user: &UserRecord,
    pm: &PoolMfa,
) -> ApiResult<Value> {
    // SMS needs no setup: in a pool that requires MFA a user with a phone number is sent
    // SMS_MFA directly (see `usable_methods`), so only TOTP and email are set up here.
    let mut can_setup = Vec::new();
    if pm.totp_enabled {
        can_setup.push(SOFTWARE_TOKEN_MFA.to_string());
    }
    if pm.email_enabled {
        can_setup.push(EMAIL_OTP.to_string());
    }
    if can_setup.is_empty() {
        // SMS is the pool's only method and the user has no phone number. The wording
        // (typo included) is what Cognito answers.
        return Err(ApiError::new(
            "MFAMethodNotFoundException",
            "No MFA mechanism registerd in the account.",
        ));
    }
    let data = SessionData {
        choices: can_setup.clone(),
        ..SessionData::default()
    };
    let session = new_session(ctx, conn, client, &user.username, "MFA_SETUP", &data)?;
    tracing::info!(pool = %client.pool_id, username = %user.username, can_setup = ?can_setup, "local pool: MFA_SETUP");
    Ok(json!({
        "ChallengeName": "MFA_SETUP",
        "Session": session,
        "ChallengeParameters": {
            "MFAS_CAN_SETUP": serde_json::to_string(&can_setup).unwrap_or_default(),
            "USER_ID_FOR_SRP": user.username,
        }
    }))
}

/// Sends (for SMS / email) and returns the challenge for `method`. `setup_email` sends the
/// EMAIL_OTP code to an address being set up instead of the user's email.
fn issue_challenge(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
    method: &str,
    setup_email: Option<String>,
) -> ApiResult<Value> {
    let mut data = SessionData::default();
    let mut params = serde_json::Map::new();
    params.insert("USER_ID_FOR_SRP".into(), json!(user.username));
    if method == SMS_MFA || method == EMAIL_OTP {
        let (medium, destination) = if method == SMS_MFA {
            let phone = user
                .attributes
                .get("phone_number")
                .cloned()
                .ok_or_else(|| {
                    ApiError::new(
                        "MFAMethodNotFoundException",
                        "User does not have a phone number for SMS MFA.",
                    )
                })?;
            ("SMS", phone)
        } else {
            let email = setup_email
                .clone()
                .or_else(|| user.attributes.get("email").cloned())
                .ok_or_else(|| {
                    ApiError::new(
                        "MFAMethodNotFoundException",
                        "User does not have an email address for email MFA.",
                    )
                })?;
            ("EMAIL", email)
        };
        let code = policy::new_code();
        let now = ctx.now_dt();
        data.code = Some(code.clone());
        data.code_expires = Some(now.unix_timestamp() + validity(client));
        data.setup_email = setup_email;
        store::push_outbox(
            conn,
            &crate::cognito::types::OutboxEntry {
                pool_id: pool.pool_id.clone(),
                username: user.username.clone(),
                medium: medium.to_string(),
                destination: destination.clone(),
                purpose: PURPOSE_MFA.to_string(),
                code,
                sent_at: rfc3339_millis(now),
            },
        )?;
        params.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!(medium));
        params.insert(
            "CODE_DELIVERY_DESTINATION".into(),
            json!(policy::mask_destination(medium, &destination)),
        );
    }
    let session = new_session(ctx, conn, client, &user.username, method, &data)?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, challenge = method, "local pool: MFA challenge issued");
    Ok(json!({
        "ChallengeName": method,
        "Session": session,
        "ChallengeParameters": Value::Object(params),
    }))
}

/// The challenge names this module answers in RespondToAuthChallenge.
pub fn handles(challenge: &str) -> bool {
    matches!(
        challenge,
        "SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "SELECT_MFA_TYPE" | "MFA_SETUP" | "EMAIL_OTP"
    )
}

/// RespondToAuthChallenge for SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and
/// MFA_SETUP; always `Some` today (the Option leaves room for a challenge name shared with
/// another flow). USER_AUTH's first-factor EMAIL_OTP must be routed before this is reached: a
/// Session this module did not issue is answered as expired.
pub fn respond(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    challenge: &str,
    session: Option<&str>,
    responses: &HashMap<String, String>,
) -> ApiResult<Option<Value>> {
    let session = session.filter(|s| !s.trim().is_empty());
    let row = match session {
        Some(s) => find_session(conn, s)?,
        None => None,
    };
    let Some(row) = row else {
        return Err(if session.is_none() {
            ApiError::invalid_parameter("Missing required parameter Session")
        } else {
            session_expired()
        });
    };
    let name = param(responses, "USERNAME")?;
    // The Session must be one issued for this challenge.
    let kind_ok = match challenge {
        "MFA_SETUP" => row.kind == "MFA_SETUP" || row.kind == "MFA_SETUP_VERIFIED",
        other => row.kind == other,
    };
    if !kind_ok {
        return Err(bad_session());
    }
    check_session(ctx, conn, &row, Some(client))?;
    let Some(mut user) = store::get_user(conn, &pool.pool_id, &row.username)? else {
        return Err(ApiError::user_not_found());
    };
    check_secret_hash(
        client,
        &[name, &user.username],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    if name != user.username
        && resolve_user(conn, pool, name)?.map(|u| u.username) != Some(user.username.clone())
    {
        return Err(bad_session());
    }
    check_enabled(&user)?;
    let now = ctx.now();
    match challenge {
        "SMS_MFA" | "EMAIL_OTP" => {
            let member = if challenge == SMS_MFA {
                "SMS_MFA_CODE"
            } else {
                "EMAIL_OTP_CODE"
            };
            let given = param(responses, member)?;
            let expected = row.data.code.as_deref().unwrap_or("");
            if expected.is_empty()
                || !bool::from(expected.as_bytes().ct_eq(given.trim().as_bytes()))
            {
                wrong_code(conn, &row)?;
                return Err(code_mismatch());
            }
            spend(conn, &row)?;
            // A code that arrived proves the address: Cognito marks it verified.
            let verified_attr = if challenge == SMS_MFA {
                "phone_number_verified"
            } else {
                "email_verified"
            };
            if row.data.setup_email.is_none()
                && user.attributes.get(verified_attr).map(String::as_str) != Some("true")
            {
                user.attributes
                    .insert(verified_attr.to_string(), "true".into());
                user.modified = now;
                store::update_user(conn, &user)?;
            }
            if let Some(email) = &row.data.setup_email {
                // Email MFA set up during sign-in: the address is now the user's, verified.
                user.attributes.insert("email".into(), email.clone());
                user.attributes
                    .insert("email_verified".into(), "true".into());
                user.modified = now;
                store::update_user(conn, &user)?;
                let mut m = user_mfa(conn, &pool.pool_id, &user.sub)?;
                m.email = true;
                if m.preferred.is_none() {
                    m.preferred = Some(EMAIL_OTP.into());
                }
                put_user_mfa(conn, &pool.pool_id, &user.sub, &m)?;
                tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: email MFA set up");
            }
            Ok(Some(sign_in_result(ctx, conn, pool, client, &user)?))
        }
        "SOFTWARE_TOKEN_MFA" => {
            let given = param(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
            let mut m = user_mfa(conn, &pool.pool_id, &user.sub)?;
            let Some(secret) = m.totp_secret.clone() else {
                return Err(ApiError::new(
                    "SoftwareTokenMFANotFoundException",
                    "Software token MFA is not set up for the user.",
                ));
            };
            let Some(step) = totp_step(&secret, given, now)? else {
                wrong_code(conn, &row)?;
                return Err(code_mismatch());
            };
            if m.last_step.is_some_and(|last| step <= last) {
                wrong_code(conn, &row)?;
                return Err(token_reused());
            }
            spend(conn, &row)?;
            m.last_step = Some(step);
            put_user_mfa(conn, &pool.pool_id, &user.sub, &m)?;
            Ok(Some(sign_in_result(ctx, conn, pool, client, &user)?))
        }
        "SELECT_MFA_TYPE" => {
            let answer = param(responses, "ANSWER")?.trim();
            let answer = if answer == "EMAIL_MFA" {
                EMAIL_OTP
            } else {
                answer
            };
            if !row.data.choices.iter().any(|c| c == answer) {
                if answer == SMS_MFA && !user.attributes.contains_key("phone_number") {
                    return Err(ApiError::new(
                        "MFAMethodNotFoundException",
                        "User does not have a phone number for SMS MFA.",
                    ));
                }
                return Err(ApiError::invalid_parameter(format!(
                    "ANSWER must be one of {}",
                    row.data.choices.join(", ")
                )));
            }
            spend(conn, &row)?;
            Ok(Some(issue_challenge(
                ctx, conn, pool, client, &user, answer, None,
            )?))
        }
        _ => {
            // MFA_SETUP
            if row.kind == "MFA_SETUP_VERIFIED" {
                let secret = row
                    .data
                    .secret
                    .clone()
                    .ok_or_else(|| ApiError::internal("Internal error: corrupt session"))?;
                spend(conn, &row)?;
                let mut m = user_mfa(conn, &pool.pool_id, &user.sub)?;
                m.totp = true;
                m.totp_secret = Some(secret);
                m.pending_secret = None;
                m.device_name = row.data.device_name.clone();
                m.last_step = row.data.step.or(m.last_step);
                if m.preferred.is_none() {
                    m.preferred = Some(SOFTWARE_TOKEN_MFA.into());
                }
                put_user_mfa(conn, &pool.pool_id, &user.sub, &m)?;
                tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: TOTP MFA set up during sign-in");
                return Ok(Some(sign_in_result(ctx, conn, pool, client, &user)?));
            }
            if let Some(email) = responses.get("EMAIL").map(|e| e.trim().to_string()) {
                if !row.data.choices.iter().any(|c| c == EMAIL_OTP) {
                    return Err(ApiError::invalid_parameter(
                        "Email MFA cannot be set up in this user pool.",
                    ));
                }
                if !policy::looks_like_email(&email) {
                    return Err(ApiError::invalid_parameter("Invalid email address format."));
                }
                spend(conn, &row)?;
                return Ok(Some(issue_challenge(
                    ctx,
                    conn,
                    pool,
                    client,
                    &user,
                    EMAIL_OTP,
                    Some(email),
                )?));
            }
            Err(ApiError::new(
                "SoftwareTokenMFANotFoundException",
                "Software token MFA has not been verified for the user: call \
                 AssociateSoftwareToken and VerifySoftwareToken with the Session first, or \
                 answer with EMAIL to set up email MFA.",
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// AssociateSoftwareToken, VerifySoftwareToken

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssociateReq {
    access_token: Option<String>,
    session: Option<String>,
}

fn one_of(access: &Option<String>, session: &Option<String>) -> ApiResult<()> {
    let a = access.as_deref().is_some_and(|s| !s.is_empty());
    let s = session.as_deref().is_some_and(|s| !s.is_empty());
    match (a, s) {
        (true, true) => Err(ApiError::invalid_parameter(
            "Only one of AccessToken or Session can be given.",
        )),
        (false, false) => Err(ApiError::invalid_parameter(
            "Either AccessToken or Session is required.",
        )),
        _ => Ok(()),
    }
}

/// A Session this module issued for MFA_SETUP (or its follow-ups), checked and for its user.
fn setup_session(
    ctx: &Ctx,
    conn: &Connection,
    session: &str,
    kinds: &[&str],
) -> ApiResult<(SessionRow, PoolRow, ClientRow, UserRecord)> {
    let row = find_session(conn, session)?.ok_or_else(session_expired)?;
    if !kinds.contains(&row.kind.as_str()) {
        return Err(bad_session());
    }
    let (client, pool) = client_and_pool(conn, Some(row.client_id.clone()))?;
    check_session(ctx, conn, &row, Some(&client))?;
    let user = store::get_user(conn, &pool.pool_id, &row.username)?
        .ok_or_else(ApiError::user_not_found)?;
    check_enabled(&user)?;
    Ok((row, pool, client, user))
}

/// AssociateSoftwareToken: a new secret, for the signed-in user (AccessToken) or for the user
/// in MFA_SETUP (Session; the answer carries the Session for VerifySoftwareToken).
pub fn associate_software_token(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AssociateReq = parse(body)?;
    one_of(&req.access_token, &req.session)?;
    ctx.with_db(|conn| {
        let secret = new_totp_secret();
        if let Some(session) = req.session.as_deref().filter(|s| !s.is_empty()) {
            let (row, pool, client, user) =
                setup_session(ctx, conn, session, &["MFA_SETUP", "MFA_SETUP_TOTP"])?;
            if !row.data.choices.iter().any(|c| c == SOFTWARE_TOKEN_MFA) {
                return Err(ApiError::invalid_parameter(
                    "Software token MFA cannot be set up in this user pool.",
                ));
            }
            spend(conn, &row)?;
            let data = SessionData {
                choices: row.data.choices.clone(),
                secret: Some(secret.clone()),
                ..SessionData::default()
            };
            let next = new_session(ctx, conn, &client, &user.username, "MFA_SETUP_TOTP", &data)?;
            tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: software token associated (MFA setup)");
            return Ok(json!({"SecretCode": secret, "Session": next}));
        }
        let (pool, user, _claims) = authorize_access(ctx, conn, req.access_token.clone())?;
        let mut m = user_mfa(conn, &pool.pool_id, &user.sub)?;
        m.pending_secret = Some(secret.clone());
        put_user_mfa(conn, &pool.pool_id, &user.sub, &m)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: software token associated");
        Ok(json!({"SecretCode": secret}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifyReq {
    access_token: Option<String>,
    session: Option<String>,
    user_code: Option<String>,
    friendly_device_name: Option<String>,
}

fn enable_mismatch() -> ApiError {
    ApiError::new("EnableSoftwareTokenMFAException", "Code mismatch")
}

/// VerifySoftwareToken: checks a code of the secret from AssociateSoftwareToken. With an
/// AccessToken the token becomes the user's and SOFTWARE_TOKEN_MFA is enabled; with a Session
/// the answer carries the Session that finishes MFA_SETUP. A wrong code answers
/// EnableSoftwareTokenMFAException "Code mismatch" and leaves the secret (and Session) usable.
pub fn verify_software_token(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: VerifyReq = parse(body)?;
    one_of(&req.access_token, &req.session)?;
    let code = required(req.user_code, "userCode")?;
    if code.trim().len() != 6 || !code.trim().bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid_parameter(
            "1 validation error detected: Value at 'userCode' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [0-9]+ and have length 6",
        ));
    }
    let device = req
        .friendly_device_name
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.chars().take(131).collect::<String>());
    ctx.with_db(|conn| {
        let now = ctx.now();
        if let Some(session) = req.session.as_deref().filter(|s| !s.is_empty()) {
            let (row, pool, client, user) =
                setup_session(ctx, conn, session, &["MFA_SETUP_TOTP"])?;
            let secret = row
                .data
                .secret
                .clone()
                .ok_or_else(|| ApiError::internal("Internal error: corrupt session"))?;
            let Some(step) = totp_step(&secret, &code, now)? else {
                wrong_code(conn, &row)?;
                return Err(enable_mismatch());
            };
            spend(conn, &row)?;
            let data = SessionData {
                choices: row.data.choices.clone(),
                secret: Some(secret),
                device_name: device.clone(),
                step: Some(step),
                ..SessionData::default()
            };
            let next = new_session(ctx, conn, &client, &user.username, "MFA_SETUP_VERIFIED", &data)?;
            tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: software token verified (MFA setup)");
            return Ok(json!({"Status": "SUCCESS", "Session": next}));
        }
        let (pool, user, _claims) = authorize_access(ctx, conn, req.access_token.clone())?;
        let mut m = user_mfa(conn, &pool.pool_id, &user.sub)?;
        let Some(secret) = m.pending_secret.clone() else {
            return Err(ApiError::new(
                "SoftwareTokenMFANotFoundException",
                "Software token is not associated: call AssociateSoftwareToken first.",
            ));
        };
        let Some(step) = totp_step(&secret, &code, now)? else {
            return Err(enable_mismatch());
        };
        m.totp_secret = Some(secret);
        m.pending_secret = None;
        m.totp = true;
        m.device_name = device;
        m.last_step = Some(step);
        put_user_mfa(conn, &pool.pool_id, &user.sub, &m)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: software token verified, TOTP MFA enabled");
        Ok(json!({"Status": "SUCCESS"}))
    })
}

// ---------------------------------------------------------------------------------------------
// AdminResetUserPassword

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminUserReq {
    user_pool_id: Option<String>,
    username: Option<String>,
}

/// AdminResetUserPassword: the user goes to RESET_REQUIRED and a reset code (outbox purpose
/// `FORGOT_PASSWORD`, valid one hour) goes to its verified email or phone. Sign-in then answers
/// PasswordResetRequiredException until ConfirmForgotPassword sets a new password.
pub fn admin_reset_user_password(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        let name = required(req.username, "username")?;
        let mut user = resolve_user(conn, &pool, &name)?.ok_or_else(ApiError::user_not_found)?;
        reset_user(ctx, conn, &pool, &mut user)?;
        Ok(json!({}))
    })
}

fn reset_user(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    user: &mut UserRecord,
) -> ApiResult<()> {
    if user.status == "FORCE_CHANGE_PASSWORD" || user.status == "UNCONFIRMED" {
        return Err(ApiError::not_authorized(format!(
            "User password cannot be reset in the current state ({}).",
            user.status
        )));
    }
    let Some(target) = verified_target(user) else {
        return Err(ApiError::invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    };
    user.status = "RESET_REQUIRED".into();
    user.modified = ctx.now();
    store::update_user(conn, user)?;
    super::ops_auth::deliver_code_to(
        ctx,
        conn,
        pool,
        user,
        "FORGOT_PASSWORD",
        RESET_CODE_TTL,
        Some(target),
    )?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: password reset by admin");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Demo users

/// Adds the MFA demo users and the demo pool's MFA settings where missing (called by the
/// seeder inside its transaction, so stores made before MFA existed are upgraded). Returns
/// true if anything was created.
pub fn seed_demo(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    use super::{
        DEMO_CHOICE_TOTP_SECRET, DEMO_EMAIL_MFA_USER, DEMO_MFA_CHOICE_USER, DEMO_NEW_PASSWORD_USER,
        DEMO_PASSWORD, DEMO_POOL_ID, DEMO_RESET_USER, DEMO_SMS_MFA_USER, DEMO_TEMP_PASSWORD,
        DEMO_TOTP_SECRET, DEMO_TOTP_USER,
    };
    let mut created = false;
    let mut pool = store::require_pool(conn, DEMO_POOL_ID)?;
    let now = ctx.now();
    if !has_pool_mfa_row(conn, DEMO_POOL_ID)? {
        put_pool_mfa(
            conn,
            DEMO_POOL_ID,
            &PoolMfa {
                sms_enabled: true,
                sms_authentication_message: Some("Your cognito-tui code is {####}".into()),
                sms_configuration: None,
                totp_enabled: true,
                email_enabled: true,
                email_message: Some("Your cognito-tui sign-in code is {####}".into()),
                email_subject: Some("Your sign-in code".into()),
            },
        )?;
        if pool.config.mfa_configuration == "OFF" {
            set_mfa_configuration(conn, &mut pool, "OPTIONAL", now)?;
        }
        created = true;
    }
    struct Demo {
        username: &'static str,
        status: &'static str,
        phone: bool,
        mfa: UserMfa,
        totp_secret: Option<&'static str>,
    }
    let totp_user = UserMfa {
        totp: true,
        preferred: Some(SOFTWARE_TOKEN_MFA.into()),
        totp_secret: Some(DEMO_TOTP_SECRET.into()),
        device_name: Some("demo authenticator".into()),
        ..UserMfa::default()
    };
    let demos = [
        Demo {
            username: DEMO_TOTP_USER,
            status: "CONFIRMED",
            phone: false,
            mfa: totp_user,
            totp_secret: Some(DEMO_TOTP_SECRET),
        },
        Demo {
            username: DEMO_SMS_MFA_USER,
            status: "CONFIRMED",
            phone: true,
            mfa: UserMfa {
                sms: true,
                preferred: Some(SMS_MFA.into()),
                ..UserMfa::default()
            },
            totp_secret: None,
        },
        Demo {
            username: DEMO_EMAIL_MFA_USER,
            status: "CONFIRMED",
            phone: false,
            mfa: UserMfa {
                email: true,
                preferred: Some(EMAIL_OTP.into()),
                ..UserMfa::default()
            },
            totp_secret: None,
        },
        Demo {
            username: DEMO_MFA_CHOICE_USER,
            status: "CONFIRMED",
            phone: true,
            mfa: UserMfa {
                sms: true,
                email: true,
                totp: true,
                totp_secret: Some(DEMO_CHOICE_TOTP_SECRET.into()),
                device_name: Some("demo authenticator".into()),
                ..UserMfa::default()
            },
            totp_secret: Some(DEMO_CHOICE_TOTP_SECRET),
        },
        Demo {
            username: DEMO_NEW_PASSWORD_USER,
            status: "FORCE_CHANGE_PASSWORD",
            phone: false,
            mfa: UserMfa::default(),
            totp_secret: None,
        },
        Demo {
            username: DEMO_RESET_USER,
            status: "CONFIRMED",
            phone: false,
            mfa: UserMfa::default(),
            totp_secret: None,
        },
    ];
    let sent_at = rfc3339_millis(ctx.now_dt());
    for (i, d) in demos.into_iter().enumerate() {
        if store::get_user(conn, DEMO_POOL_ID, d.username)?.is_some() {
            continue;
        }
        let password = if d.status == "FORCE_CHANGE_PASSWORD" {
            DEMO_TEMP_PASSWORD
        } else {
            DEMO_PASSWORD
        };
        let salt = crate::srp::random_salt();
        let verifier = crate::srp::compute_verifier(
            crate::srp::pool_name(DEMO_POOL_ID),
            d.username,
            password,
            &salt,
        );
        let mut attributes = BTreeMap::new();
        attributes.insert("email".to_string(), format!("{}@example.com", d.username));
        attributes.insert(
            "email_verified".to_string(),
            (d.status == "CONFIRMED").to_string(),
        );
        if d.phone {
            attributes.insert("phone_number".to_string(), format!("+1555555010{i}"));
            attributes.insert("phone_number_verified".to_string(), "true".to_string());
        }
        let mut user = UserRecord {
            pool_id: DEMO_POOL_ID.into(),
            username: d.username.into(),
            sub: uuid::Uuid::new_v4().to_string(),
            status: d.status.into(),
            enabled: true,
            salt: crate::srp::to_hex(&salt),
            verifier: crate::srp::to_hex(&verifier),
            attributes,
            created: now,
            modified: now,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        };
        store::insert_user(conn, &user)?;
        if d.mfa != UserMfa::default() {
            put_user_mfa(conn, DEMO_POOL_ID, &user.sub, &d.mfa)?;
        }
        if let Some(secret) = d.totp_secret {
            store::push_outbox(
                conn,
                &crate::cognito::types::OutboxEntry {
                    pool_id: DEMO_POOL_ID.into(),
                    username: d.username.into(),
                    medium: "TOTP".into(),
                    destination: "authenticator app".into(),
                    purpose: PURPOSE_TOTP_SECRET.into(),
                    code: secret.into(),
                    sent_at: sent_at.clone(),
                },
            )?;
        }
        if d.status == "FORCE_CHANGE_PASSWORD" {
            // As AdminCreateUser does: the invitation carries the temporary password.
            store::push_outbox(
                conn,
                &crate::cognito::types::OutboxEntry {
                    pool_id: DEMO_POOL_ID.into(),
                    username: d.username.into(),
                    medium: "EMAIL".into(),
                    destination: format!("{}@example.com", d.username),
                    purpose: "INVITATION".into(),
                    code: DEMO_TEMP_PASSWORD.into(),
                    sent_at: sent_at.clone(),
                },
            )?;
        }
        if d.username == DEMO_RESET_USER {
            reset_user(ctx, conn, &pool, &mut user)?;
        }
        created = true;
        tracing::info!(
            pool = DEMO_POOL_ID,
            username = d.username,
            "local pool: demo user created"
        );
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B (SHA-1 seed "12345678901234567890"), last 6 of the 8 digits.
    #[test]
    fn totp_matches_rfc_6238_and_accepts_one_step_either_side() {
        let secret = totp_rs::Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(totp_code(&secret, 59).unwrap(), "287082");
        assert_eq!(totp_code(&secret, 1111111109).unwrap(), "081804");
        assert_eq!(totp_code(&secret, 1234567890).unwrap(), "005924");
        let at = 1111111109;
        let step = at / 30;
        for (delta, expected) in [(-30, Some(step - 1)), (0, Some(step)), (30, Some(step + 1))] {
            let code = totp_code(&secret, at + delta).unwrap();
            assert_eq!(totp_step(&secret, &code, at).unwrap(), expected, "{delta}");
        }
        let far = totp_code(&secret, at + 90).unwrap();
        assert_eq!(totp_step(&secret, &far, at).unwrap(), None);
        for junk in ["", "12345", "1234567", "12a456", "+12345", "１２３４５６"] {
            assert_eq!(totp_step(&secret, junk, at).unwrap(), None, "{junk:?}");
        }
    }

    #[test]
    fn new_secrets_are_base32_and_distinct() {
        let a = new_totp_secret();
        let b = new_totp_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 52);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
        );
        assert!(totp(&a).is_ok());
    }

    #[test]
    fn demo_secrets_are_valid() {
        for s in [
            super::super::DEMO_TOTP_SECRET,
            super::super::DEMO_CHOICE_TOTP_SECRET,
        ] {
            assert!(totp(s).is_ok(), "{s}");
        }
    }
}
