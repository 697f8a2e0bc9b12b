//! Account upkeep: ForgotPassword, ConfirmForgotPassword, ChangePassword and DeleteUser
//! (PROTOCOL.md §2.3, §6). Forgot-password codes go to a *verified* email or phone and last one
//! hour.

use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{
    check_locked, check_secret_hash, client_and_pool, legacy, limit_exceeded, record_failure,
    record_success, required, resolve_user,
};
use super::ctx::{Ctx, parse};
use super::delivery::{
    admin_only_recovery, deliver_code_to, recovery_target, self_service_recovery,
    unknown_user_delivery,
};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::hooks;
use super::hooks_auth;
use super::policy::check_password_shape;
use super::signin::{has_password, password_matches};
use super::store::{self, PoolRow, UserRecord};
use super::tokens::authorize_access;
use crate::srp;

/// Forgot-password codes stay valid for one hour.
pub const FORGOT_PASSWORD_CODE_TTL: i64 = 3600;
/// ForgotPassword calls per user per hour.
pub const FORGOT_PER_HOUR: i64 = 5;
/// ConfirmForgotPassword calls per user per hour.
pub const CONFIRM_FORGOT_PER_HOUR: i64 = 10;
/// ChangePassword calls per user per hour.
pub const CHANGE_PER_HOUR: i64 = 5;

fn mismatch() -> ApiError {
    ApiError::new(
        ErrorKind::CodeMismatch,
        "Invalid verification code provided, please try again.",
    )
}

/// Replaces a user's SRP verifier with one for `password` (after the pool's policy).
fn set_password(pool: &PoolRow, user: &mut UserRecord, password: &str, now: i64) -> ApiResult<()> {
    check_password_shape(password, "password")?;
    pool.config.password_policy.check(password)?;
    let salt = srp::random_salt();
    let v = srp::compute_verifier(
        srp::pool_name(&pool.pool_id),
        &user.username,
        password,
        &salt,
    );
    user.salt = srp::to_hex(&salt);
    user.verifier = srp::to_hex(&v);
    user.modified = now;
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ForgotReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
}

pub fn forgot_password(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    // An unknown user may be brought in by the pool's UserMigration trigger first.
    hooks_auth::migrate_for_forgot_password(ctx, &body)?;
    let req: ForgotReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let name = required(req.username, "username")?;
        check_secret_hash(&client, &[&name], req.secret_hash.as_deref())?;
        if !self_service_recovery(&pool) {
            return Err(admin_only_recovery());
        }
        let Some(user) = resolve_user(conn, &pool, &name)? else {
            return unknown_user_delivery(&client, "EMAIL", &name);
        };
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        let Some(target) = recovery_target(&pool, &user)? else {
            return Err(ApiError::invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            ));
        };
        if !store::rate_allow(conn, &pool.pool_id, &user.username, "FORGOT_PASSWORD", ctx.now(), 3600, FORGOT_PER_HOUR)? {
            return Err(limit_exceeded());
        }
        let details = deliver_code_to(
            ctx,
            conn,
            &pool,
            &user,
            "FORGOT_PASSWORD",
            FORGOT_PASSWORD_CODE_TTL,
            Some(target),
        )?;
        Ok(json!({"CodeDeliveryDetails": details}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfirmForgotReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
    confirmation_code: Option<String>,
    password: Option<String>,
}

/// ConfirmForgotPassword, then the pool's PostConfirmation trigger.
pub fn confirm_forgot_password(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let out = reset_password(ctx, body.clone())?;
    hooks::post_confirmation_for_client(ctx, &body, "PostConfirmation_ConfirmForgotPassword")?;
    Ok(out)
}

fn reset_password(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ConfirmForgotReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let name = required(req.username, "username")?;
        let code = required(req.confirmation_code, "confirmationCode")?;
        let password = required(req.password, "password")?;
        check_secret_hash(&client, &[&name], req.secret_hash.as_deref())?;
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
        let now = ctx.now();
        if !store::rate_allow(conn, &pool.pool_id, &user.username, "CONFIRM_FORGOT_PASSWORD", now, 3600, CONFIRM_FORGOT_PER_HOUR)? {
            return Err(limit_exceeded());
        }
        let expired = || {
            ApiError::new(
                ErrorKind::ExpiredCode,
                "Invalid code provided, please request a code again.",
            )
        };
        let Some(stored) = store::get_code(conn, &pool.pool_id, &user.username, "FORGOT_PASSWORD")? else {
            return Err(expired());
        };
        if stored.used || stored.expires <= now {
            return Err(expired());
        }
        if !bool::from(stored.code.as_bytes().ct_eq(code.trim().as_bytes())) {
            return Err(mismatch());
        }
        set_password(&pool, &mut user, &password, now)?;
        store::mark_code_used(conn, &pool.pool_id, &user.username, "FORGOT_PASSWORD")?;
        if user.status == "RESET_REQUIRED" || user.status == "FORCE_CHANGE_PASSWORD" {
            user.status = "CONFIRMED".into();
        }
        user.failed_attempts = 0;
        user.locked_until = None;
        user.last_failure = None;
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: password reset");
        ctx.verified.forget(&pool.pool_id, &user.username);
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChangePasswordReq {
    access_token: Option<String>,
    previous_password: Option<String>,
    proposed_password: Option<String>,
}

pub fn change_password(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ChangePasswordReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, mut user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        // PreviousPassword is required only of a user who has a password (not one who signed
        // up without).
        let previous = if has_password(&user) {
            Some(required(req.previous_password, "previousPassword")?)
        } else {
            None
        };
        let proposed = required(req.proposed_password, "proposedPassword")?;
        let now = ctx.now();
        if !store::rate_allow(conn, &pool.pool_id, &user.username, "CHANGE_PASSWORD", now, 3600, CHANGE_PER_HOUR)? {
            return Err(limit_exceeded());
        }
        check_locked(&mut user, now)?;
        if let Some(previous) = previous {
            if !password_matches(&pool, &user, &previous)? {
                return Err(record_failure(conn, &mut user, now));
            }
            record_success(conn, &mut user)?;
        }
        set_password(&pool, &mut user, &proposed, now)?;
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: password changed");
        ctx.verified.forget(&pool.pool_id, &user.username);
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteUserReq {
    access_token: Option<String>,
}

/// DeleteUser: the signed-in user deletes themselves; every token they hold is revoked with
/// them (a later call with the same access token is refused).
pub fn delete_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DeleteUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        store::delete_user(conn, &pool.pool_id, &user.username)?;
        ctx.verified.forget(&pool.pool_id, &user.username);
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: user deleted by the user");
        Ok(json!({}))
    })
}
