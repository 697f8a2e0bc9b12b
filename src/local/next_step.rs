//! What a sign-in answers once its first factor checked out: NEW_PASSWORD_REQUIRED for a user
//! on a temporary password, the MFA challenge the pool and the user call for (SMS_MFA,
//! EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP), or tokens.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::access::check_status_allows_sign_in;
use super::ctx::Ctx;
use super::delivery::{self, Message};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::flows::{self, FlowKind};
use super::policy;
use super::store::{
    self, ClientRow, EMAIL_OTP, PoolMfa, PoolRow, SMS_MFA, SOFTWARE_TOKEN_MFA, UserMfa, UserRecord,
};
use super::tokens::{Refreshed, SignIn, start_sign_in};

/// The outbox purpose of an MFA code.
pub const PURPOSE_MFA: &str = "MFA";

/// The answer to a sign-in whose password checked out: tokens, or NEW_PASSWORD_REQUIRED for a
/// user still on a temporary password, or the error for the user's state.
pub(crate) fn password_ok(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Value> {
    password_ok_unsigned(ctx, conn, pool, client, user)?.finish(ctx)
}

/// A sign-in's answer: ready, or tokens still to be signed ([`Answer::finish`] signs them, best
/// after the write transaction, so that the RSA math does not hold the store's write lock).
pub(crate) enum Answer {
    Ready(Value),
    Tokens(Box<SignIn>),
    Refreshed(Box<Refreshed>),
}

impl Answer {
    /// The answer, its token triggers run and its tokens signed.
    pub(crate) fn finish(self, ctx: &Ctx) -> ApiResult<Value> {
        match self {
            Answer::Ready(v) => Ok(v),
            Answer::Tokens(s) => s.finish(ctx),
            Answer::Refreshed(r) => {
                Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": r.finish(ctx)?}))
            }
        }
    }
}

/// [`password_ok`], leaving the tokens unsigned.
pub(crate) fn password_ok_unsigned(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Answer> {
    check_status_allows_sign_in(user)?;
    if user.status != "FORCE_CHANGE_PASSWORD" {
        return after_password_unsigned(ctx, conn, pool, client, user);
    }
    let now = ctx.now();
    let days = i64::from(pool.config.password_policy.temporary_password_validity_days);
    if days > 0 && now > user.modified + days * 86400 {
        return Err(ApiError::not_authorized(
            "Temporary password has expired and must be reset by an administrator.",
        ));
    }
    let session = flows::start(
        conn,
        now,
        FlowKind::NewPasswordRequired,
        &pool.pool_id,
        &client.client_id,
        &user.username,
        &json!({}),
        None,
    )?;
    let attrs: serde_json::Map<String, Value> = user
        .attributes
        .iter()
        .filter(|(k, _)| !k.ends_with("_verified"))
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    // The pool's required attributes this user lacks (an administrator may have created it
    // without them), as Cognito names them.
    let required: Vec<String> =
        policy::missing_required(&pool.config.required_attributes, &user.attributes)
            .into_iter()
            .map(|a| format!("userAttributes.{a}"))
            .collect();
    Ok(Answer::Ready(json!({
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": session,
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": serde_json::to_string(&required).unwrap_or_default(),
            "userAttributes": Value::Object(attrs).to_string(),
        }
    })))
}

/// The state an MFA challenge Session keeps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MfaState {
    /// SELECT_MFA_TYPE: MFAS_CAN_CHOOSE; MFA_SETUP: MFAS_CAN_SETUP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// SMS_MFA / EMAIL_OTP: the code sent and when it runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_expires: Option<i64>,
    /// MFA setup: the software token being set up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<i64>,
    /// Email MFA setup: the address the code went to (becomes the user's email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_email: Option<String>,
}

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
    after_password_unsigned(ctx, conn, pool, client, user)?.finish(ctx)
}

fn after_password_unsigned(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Answer> {
    let tokens = || -> ApiResult<Answer> {
        Ok(Answer::Tokens(Box::new(start_sign_in(
            ctx, conn, pool, client, user,
        )?)))
    };
    let mode = pool.config.mfa_configuration.as_str();
    if mode != "ON" && mode != "OPTIONAL" {
        return tokens();
    }
    let pm = store::pool_mfa(conn, pool)?;
    let um = store::user_mfa(conn, &pool.pool_id, &user.sub)?;
    let usable = usable_methods(pool, &pm, &um, user);
    if usable.is_empty() {
        if mode == "OPTIONAL" {
            return tokens();
        }
        return mfa_setup_challenge(ctx, conn, client, user, &pm).map(Answer::Ready);
    }
    let pick = match um.preferred.as_deref() {
        Some(p) if usable.iter().any(|u| u == p) => Some(p.to_string()),
        _ if usable.len() == 1 => Some(usable[0].clone()),
        _ => None,
    };
    let answer = match pick {
        Some(method) => issue_challenge(ctx, conn, pool, client, user, &method, None),
        None => {
            let data = MfaState {
                choices: usable.clone(),
                ..MfaState::default()
            };
            let session = new_mfa_session(
                ctx,
                conn,
                client,
                &user.username,
                FlowKind::SelectMfaType,
                &data,
            )?;
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
    };
    answer.map(Answer::Ready)
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
            ErrorKind::MFAMethodNotFound,
            "No MFA mechanism registerd in the account.",
        ));
    }
    let data = MfaState {
        choices: can_setup.clone(),
        ..MfaState::default()
    };
    let session = new_mfa_session(ctx, conn, client, &user.username, FlowKind::MfaSetup, &data)?;
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
pub fn issue_challenge(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
    method: &str,
    setup_email: Option<String>,
) -> ApiResult<Value> {
    let mut data = MfaState::default();
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
                        ErrorKind::MFAMethodNotFound,
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
                        ErrorKind::MFAMethodNotFound,
                        "User does not have an email address for email MFA.",
                    )
                })?;
            ("EMAIL", email)
        };
        let code = policy::new_code();
        let now = ctx.now_dt();
        data.code = Some(code.clone());
        data.code_expires = Some(now.unix_timestamp() + flows::validity(client));
        data.setup_email = setup_email;
        delivery::send(
            conn,
            Message {
                pool_id: &pool.pool_id,
                username: &user.username,
                medium,
                destination: &destination,
                purpose: PURPOSE_MFA,
                code: &code,
            },
            now,
        )?;
        params.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!(medium));
        params.insert(
            "CODE_DELIVERY_DESTINATION".into(),
            json!(policy::mask_destination(medium, &destination)),
        );
    }
    let kind = FlowKind::parse(method)
        .ok_or_else(|| ApiError::internal("Internal error: unknown MFA method"))?;
    let session = new_mfa_session(ctx, conn, client, &user.username, kind, &data)?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, challenge = method, "local pool: MFA challenge issued");
    Ok(json!({
        "ChallengeName": method,
        "Session": session,
        "ChallengeParameters": Value::Object(params),
    }))
}

/// Stores a new MFA challenge Session and returns its opaque value.
pub fn new_mfa_session(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    username: &str,
    kind: FlowKind,
    data: &MfaState,
) -> ApiResult<String> {
    let state = serde_json::to_value(data).map_err(|e| ApiError::internal(e.to_string()))?;
    flows::start(
        conn,
        ctx.now(),
        kind,
        &client.pool_id,
        &client.client_id,
        username,
        &state,
        None,
    )
}
