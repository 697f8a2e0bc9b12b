//! Multi-factor authentication in the embedded pool (PROTOCOL.md §2.2–2.4, §3, §6):
//!
//! - the pool's MFA configuration (SetUserPoolMfaConfig / GetUserPoolMfaConfig) and each user's
//!   methods and preference (SetUserMFAPreference / AdminSetUserMFAPreference, shown by GetUser
//!   and AdminGetUser);
//! - the answers to the second step of a sign-in (issued by `next_step.rs`): SMS_MFA,
//!   EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, and MFA_SETUP (TOTP through
//!   AssociateSoftwareToken / VerifySoftwareToken with the Session, or email through
//!   `MFA_SETUP {USERNAME, EMAIL}` then EMAIL_OTP);
//! - AssociateSoftwareToken / VerifySoftwareToken with an AccessToken;
//! - AdminResetUserPassword (RESET_REQUIRED, a reset code in the outbox).
//!
//! The settings live in the store's `pool_mfa` and `user_mfa` tables (see
//! [`super::store`]); the challenge Sessions in the one session store ([`super::flows`]),
//! single-use, valid for the client's AuthSessionValidity.
//!
//! Sessions: a correct answer spends the Session (a reuse answers "session can only be used
//! once"); a wrong code leaves it standing for another try, up to [`MAX_CODE_ATTEMPTS`] wrong
//! codes. An SMS / email code lives as long as its Session; once it has run out the answer is
//! ExpiredCodeException (the code is what the user notices), while a stale SOFTWARE_TOKEN_MFA,
//! SELECT_MFA_TYPE or MFA_SETUP Session answers NotAuthorizedException "session is expired".
//! A TOTP code is accepted once (±1 step of 30 s); a second use of the same step answers
//! ExpiredCodeException "Your software token has already been used once.".

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{
    check_enabled, check_secret_hash, client_and_pool, required, resolve_user, session_expired,
    session_used,
};
use super::ctx::{Ctx, parse};
use super::delivery::{deliver_code_to, verified_target};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::flows::{self, Family, Flow, FlowKind};
use super::next_step::{Answer, MfaState, issue_challenge, new_mfa_session};
use super::policy;
use super::store::{
    self, ClientRow, EMAIL_OTP, PoolMfa, PoolRow, SMS_MFA, SOFTWARE_TOKEN_MFA, UserMfa, UserRecord,
    put_user_mfa, user_mfa,
};
use super::tokens::{authorize_access, start_sign_in};
use super::totp::{new_totp_secret, totp_step};

/// Wrong codes one challenge Session takes before it is spent.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// The AdminResetUserPassword code lasts one hour, like a forgot-password code.
pub const RESET_CODE_TTL: i64 = 3600;
/// The outbox purpose of a seeded TOTP secret (so a learner can compute codes).
pub const PURPOSE_TOTP_SECRET: &str = "TOTP_SECRET";

// ---------------------------------------------------------------------------------------------
// Errors

fn code_mismatch() -> ApiError {
    ApiError::new(ErrorKind::CodeMismatch, "Invalid code received for user")
}

fn code_expired() -> ApiError {
    ApiError::new(
        ErrorKind::ExpiredCode,
        "Invalid code provided, please request a code again.",
    )
}

fn token_reused() -> ApiError {
    ApiError::new(
        ErrorKind::ExpiredCode,
        "Your software token has already been used once.",
    )
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

/// Writes a pool's MfaConfiguration (OFF / ON / OPTIONAL) into its config.
fn set_mfa_configuration(
    conn: &Connection,
    pool: &mut PoolRow,
    mode: &str,
    now: i64,
) -> ApiResult<()> {
    pool.config.mfa_configuration = mode.to_string();
    pool.modified = now;
    store::update_pool_config(conn, &pool.pool_id, &pool.config, now)
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
                "1 validation error detected: Value '{}' at 'mfaConfiguration' failed to \
                 satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
                echo(&mode)
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
        store::put_pool_mfa(conn, &pool.pool_id, &c)?;
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
    ctx.read(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        let c = store::pool_mfa(conn, &pool)?;
        Ok(mfa_config_json(&pool, &c))
    })
}

// ---------------------------------------------------------------------------------------------
// User settings

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
// Challenge sessions

/// An MFA challenge Session with its state.
struct SessionRow {
    flow: Flow,
    kind: &'static str,
    data: MfaState,
}

impl std::ops::Deref for SessionRow {
    type Target = Flow;

    fn deref(&self) -> &Flow {
        &self.flow
    }
}

/// Finds the Session (None if this module never issued it).
fn find_session(conn: &Connection, session: &str) -> ApiResult<Option<SessionRow>> {
    Ok(
        flows::find(conn, session, Family::Mfa)?.map(|flow| SessionRow {
            kind: flow.kind.as_str(),
            data: serde_json::from_value(flow.state.clone()).unwrap_or_default(),
            flow,
        }),
    )
}

fn spend(conn: &Connection, row: &SessionRow) -> ApiResult<()> {
    flows::spend(conn, &row.flow)
}

/// Counts a wrong code; the Session is spent after [`MAX_CODE_ATTEMPTS`].
fn wrong_code(conn: &Connection, row: &SessionRow) -> ApiResult<()> {
    flows::count_wrong_answer(conn, &row.flow, MAX_CODE_ATTEMPTS)
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
    if now - row.created > flows::validity(&client) {
        spend(conn, row)?;
        return Err(session_expired());
    }
    Ok(())
}

/// RespondToAuthChallenge for SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and
/// MFA_SETUP. USER_AUTH's first-factor EMAIL_OTP is routed elsewhere before this is reached
/// (see `respond.rs`): a Session this module did not issue is answered as expired.
pub fn respond(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    challenge: &str,
    session: Option<&str>,
    responses: &HashMap<String, String>,
) -> ApiResult<Answer> {
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
            tokens(ctx, conn, pool, client, &user)
        }
        "SOFTWARE_TOKEN_MFA" => {
            let given = param(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
            let mut m = user_mfa(conn, &pool.pool_id, &user.sub)?;
            let Some(secret) = m.totp_secret.clone() else {
                return Err(ApiError::new(
                    ErrorKind::SoftwareTokenMFANotFound,
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
            tokens(ctx, conn, pool, client, &user)
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
                        ErrorKind::MFAMethodNotFound,
                        "User does not have a phone number for SMS MFA.",
                    ));
                }
                return Err(ApiError::invalid_parameter(format!(
                    "ANSWER must be one of {}",
                    row.data.choices.join(", ")
                )));
            }
            spend(conn, &row)?;
            issue_challenge(ctx, conn, pool, client, &user, answer, None).map(Answer::Ready)
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
                return tokens(ctx, conn, pool, client, &user);
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
                return issue_challenge(ctx, conn, pool, client, &user, EMAIL_OTP, Some(email))
                    .map(Answer::Ready);
            }
            Err(ApiError::new(
                ErrorKind::SoftwareTokenMFANotFound,
                "Software token MFA has not been verified for the user: call \
                 AssociateSoftwareToken and VerifySoftwareToken with the Session first, or \
                 answer with EMAIL to set up email MFA.",
            ))
        }
    }
}

/// A sign-in's tokens, decided in this transaction; their triggers run and they are signed
/// after it ([`Answer::finish`]).
fn tokens(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Answer> {
    Ok(Answer::Tokens(Box::new(start_sign_in(
        ctx, conn, pool, client, user,
    )?)))
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
    if !kinds.contains(&row.kind) {
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
            let data = MfaState {
                choices: row.data.choices.clone(),
                secret: Some(secret.clone()),
                ..MfaState::default()
            };
            let next = new_mfa_session(ctx, conn, &client, &user.username, FlowKind::MfaSetupTotp, &data)?;
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
    ApiError::new(ErrorKind::EnableSoftwareTokenMFA, "Code mismatch")
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
            let data = MfaState {
                choices: row.data.choices.clone(),
                secret: Some(secret),
                device_name: device.clone(),
                step: Some(step),
                ..MfaState::default()
            };
            let next = new_mfa_session(ctx, conn, &client, &user.username, FlowKind::MfaSetupVerified, &data)?;
            tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: software token verified (MFA setup)");
            return Ok(json!({"Status": "SUCCESS", "Session": next}));
        }
        let (pool, user, _claims) = authorize_access(ctx, conn, req.access_token.clone())?;
        let mut m = user_mfa(conn, &pool.pool_id, &user.sub)?;
        let Some(secret) = m.pending_secret.clone() else {
            return Err(ApiError::new(
                ErrorKind::SoftwareTokenMFANotFound,
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

pub(crate) fn reset_user(
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
    ctx.verified.forget(&user.pool_id, &user.username);
    deliver_code_to(
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
