//! Sign-up: SignUp (after the PreSignUp trigger), ConfirmSignUp (then PostConfirmation) and
//! ResendConfirmationCode (PROTOCOL.md §2.1, §6). Both SignUp and ConfirmSignUp hand out the
//! Session of auto sign-in (InitiateAuth USER_AUTH answers it).

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{
    check_secret_hash, client_and_pool, legacy, limit_exceeded, required, resolve_user,
};
use super::ctx::{Ctx, parse};
use super::delivery::{SIGN_UP_CODE_TTL, deliver_code, unknown_user_delivery};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::extras;
use super::flows::{self, FlowKind};
use super::hooks::{self, PreSignUpOutcome};
use super::policy::{self, check_password_shape, check_username};
use super::signin::passwordless_verifier;
use super::store::{self, ClientRow, PoolRow, UserRecord};
use super::user_schema;
use crate::srp;

/// ResendConfirmationCode calls per user per hour.
pub const RESEND_PER_HOUR: i64 = 5;
/// ConfirmSignUp calls per user per hour.
pub const CONFIRM_PER_HOUR: i64 = 15;

/// A Session for auto sign-in (returned by SignUp and ConfirmSignUp).
fn auto_sign_in_session(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    username: &str,
) -> ApiResult<String> {
    flows::start(
        conn,
        ctx.now(),
        FlowKind::AutoSignIn,
        &pool.pool_id,
        &client.client_id,
        username,
        &json!({}),
        None,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeType {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SignUpReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    user_attributes: Option<Vec<AttributeType>>,
}

/// SignUp, running the pool's PreSignUp trigger first (outside the store lock).
pub fn sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let pre = hooks::pre_sign_up(ctx, &body)?;
    sign_up_with(ctx, body, pre)
}

/// SignUp with what the PreSignUp trigger answered.
fn sign_up_with(ctx: &Ctx, body: Value, pre: PreSignUpOutcome) -> ApiResult<Value> {
    let req: SignUpReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let given_name = required(req.username, "username")?;
        check_username(&given_name)?;
        check_secret_hash(&client, &[&given_name], req.secret_hash.as_deref())?;
        let factors = extras::load_extras(conn, &pool.pool_id)?.allowed_first_auth_factors;
        let otp = |f: &str| factors.iter().any(|a| a == f);
        let passwordless = req.password.is_none();
        let password = match req.password {
            Some(p) => p,
            // Checked for its shape only; a passwordless user's verifier is made apart.
            None if otp("EMAIL_OTP") || otp("SMS_OTP") => "no-password".to_string(),
            None => {
                return Err(ApiError::invalid_parameter(
                    "Password is required for this user pool",
                ));
            }
        };
        check_password_shape(&password, "password")?;

        let mut attributes = BTreeMap::new();
        for a in req.user_attributes.unwrap_or_default() {
            let name = required(a.name, "userAttributes.member.name")?;
            let value = a.value.unwrap_or_default();
            user_schema::check_user_attribute(&pool.config.schema, &name, &value, None)?;
            attributes.insert(name, value);
        }
        // Nobody verifies their own attributes by saying so.
        attributes.remove("email_verified");
        attributes.remove("phone_number_verified");

        let sub = uuid::Uuid::new_v4().to_string();
        let cfg = &pool.config;
        let username = if cfg.username_attributes.is_empty() {
            if policy::looks_like_email(&given_name) && !cfg.alias_attributes.is_empty() {
                return Err(ApiError::invalid_parameter(
                    "Username cannot be of email format, since user pool is configured for email alias.",
                ));
            }
            given_name.clone()
        } else {
            let attr = policy::username_attribute(&cfg.username_attributes, &given_name)?;
            if attributes.get(attr).is_some_and(|v| v != &given_name) {
                return Err(ApiError::invalid_parameter(format!(
                    "The {attr} attribute must match the username"
                )));
            }
            attributes.insert(attr.to_string(), given_name.clone());
            sub.clone()
        };

        let missing = policy::missing_required(&cfg.required_attributes, &attributes);
        if !missing.is_empty() {
            return Err(policy::schema_required_error(&missing));
        }
        if passwordless {
            // Without a password, the user signs in with a one-time code: somewhere to send it.
            let reachable = (otp("EMAIL_OTP") && attributes.contains_key("email"))
                || (otp("SMS_OTP") && attributes.contains_key("phone_number"));
            if !reachable {
                return Err(ApiError::invalid_parameter(
                    "A user without a password needs an email address or phone number that the \
                     user pool's sign-in policy (EMAIL_OTP or SMS_OTP) can send codes to",
                ));
            }
        } else {
            pool.config.password_policy.check(&password)?;
        }

        if store::get_user(conn, &pool.pool_id, &username)?.is_some() {
            return Err(ApiError::new(ErrorKind::UsernameExists, "User already exists"));
        }
        for attr in cfg
            .username_attributes
            .iter()
            .chain(cfg.alias_attributes.iter())
        {
            if let Some(v) = attributes.get(attr.as_str())
                && store::find_user_by_attribute(conn, &pool.pool_id, attr, v)?.is_some()
            {
                let what = if attr == "phone_number" { "phone_number" } else { attr.as_str() };
                return Err(ApiError::new(
                    ErrorKind::UsernameExists,
                    format!("An account with the given {what} already exists."),
                ));
            }
        }

        if pre.auto_confirm {
            for (flag, attr) in [(pre.auto_verify_email, "email"), (pre.auto_verify_phone, "phone_number")] {
                if flag && attributes.contains_key(attr) {
                    attributes.insert(format!("{attr}_verified"), "true".into());
                }
            }
        }
        let (salt, verifier) = if passwordless {
            passwordless_verifier(&pool.pool_id, &username)
        } else {
            let salt = srp::random_salt();
            let v = srp::compute_verifier(srp::pool_name(&pool.pool_id), &username, &password, &salt);
            (srp::to_hex(&salt), srp::to_hex(&v))
        };
        let now = ctx.now();
        let user = UserRecord {
            pool_id: pool.pool_id.clone(),
            username: username.clone(),
            sub: sub.clone(),
            status: if pre.auto_confirm { "CONFIRMED" } else { "UNCONFIRMED" }.into(),
            enabled: true,
            salt,
            verifier,
            attributes,
            created: now,
            modified: now,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        };
        store::insert_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %username, auto_confirmed = pre.auto_confirm, passwordless, "local pool: user signed up");
        let session = auto_sign_in_session(ctx, conn, &pool, &client, &username)?;
        if pre.auto_confirm {
            return Ok(json!({"UserConfirmed": true, "UserSub": sub, "Session": session}));
        }
        let delivery = deliver_code(ctx, conn, &pool, &user, "SIGN_UP", SIGN_UP_CODE_TTL)?;
        let mut out = json!({"UserConfirmed": false, "UserSub": sub, "Session": session});
        if let Some(d) = delivery {
            out["CodeDeliveryDetails"] = d;
        }
        Ok(out)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfirmSignUpReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
    confirmation_code: Option<String>,
}

/// ConfirmSignUp, then the pool's PostConfirmation trigger.
pub fn confirm_sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let out = confirm(ctx, body.clone())?;
    hooks::post_confirmation_for_client(ctx, &body, "PostConfirmation_ConfirmSignUp")?;
    Ok(out)
}

fn confirm(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ConfirmSignUpReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let name = required(req.username, "username")?;
        let code = required(req.confirmation_code, "confirmationCode")?;
        check_secret_hash(&client, &[&name], req.secret_hash.as_deref())?;
        let mismatch = || {
            ApiError::new(
                ErrorKind::CodeMismatch,
                "Invalid verification code provided, please try again.",
            )
        };
        let Some(mut user) = resolve_user(conn, &pool, &name)? else {
            return Err(if legacy(&client) {
                ApiError::new(
                    ErrorKind::UserNotFound,
                    "Username/client id combination not found.",
                )
            } else {
                mismatch()
            });
        };
        if user.status != "UNCONFIRMED" {
            return Err(ApiError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status
            )));
        }
        let now = ctx.now();
        if !store::rate_allow(conn, &pool.pool_id, &user.username, "CONFIRM_SIGN_UP", now, 3600, CONFIRM_PER_HOUR)? {
            return Err(limit_exceeded());
        }
        let Some(stored) = store::get_code(conn, &pool.pool_id, &user.username, "SIGN_UP")? else {
            return Err(mismatch());
        };
        if stored.used || stored.expires <= now {
            return Err(ApiError::new(
                ErrorKind::ExpiredCode,
                "Invalid code provided, please request a code again.",
            ));
        }
        if !bool::from(stored.code.as_bytes().ct_eq(code.trim().as_bytes())) {
            return Err(mismatch());
        }
        store::mark_code_used(conn, &pool.pool_id, &user.username, "SIGN_UP")?;
        user.status = "CONFIRMED".into();
        user.attributes
            .insert(format!("{}_verified", stored.attribute), "true".into());
        user.modified = now;
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: user confirmed");
        let session = auto_sign_in_session(ctx, conn, &pool, &client, &user.username)?;
        Ok(json!({"Session": session}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResendReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
}

pub fn resend_confirmation_code(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ResendReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let name = required(req.username, "username")?;
        check_secret_hash(&client, &[&name], req.secret_hash.as_deref())?;
        let Some(user) = resolve_user(conn, &pool, &name)? else {
            let medium = if pool
                .config
                .auto_verified_attributes
                .iter()
                .any(|a| a == "phone_number")
            {
                "SMS"
            } else {
                "EMAIL"
            };
            return unknown_user_delivery(&client, medium, &name);
        };
        if user.status != "UNCONFIRMED" {
            return Err(ApiError::invalid_parameter("User is already confirmed."));
        }
        if !store::rate_allow(
            conn,
            &pool.pool_id,
            &user.username,
            "RESEND_CODE",
            ctx.now(),
            3600,
            RESEND_PER_HOUR,
        )? {
            return Err(limit_exceeded());
        }
        match deliver_code(ctx, conn, &pool, &user, "SIGN_UP", SIGN_UP_CODE_TTL)? {
            Some(d) => Ok(json!({"CodeDeliveryDetails": d})),
            None => Err(ApiError::invalid_parameter(
                "Cannot resend codes. Auto verification not turned on.",
            )),
        }
    })
}
