//! Who is asking, and may they: the app client and its pool, SECRET_HASH, user resolution
//! (username, email or phone alias), the lockout after failed sign-ins, the enabled and status
//! checks, and the small helpers every operation uses (required members, hashes).

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{ApiError, ApiResult, ErrorKind};
use super::store::{self, ClientRow, PoolRow, UserRecord};
use crate::srp;

type HmacSha256 = Hmac<Sha256>;

/// Failed sign-ins before the lockout starts.
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// The failure counter resets after this long without attempts.
pub const LOCKOUT_RESET: i64 = 15 * 60;

pub(crate) fn limit_exceeded() -> ApiError {
    ApiError::new(
        ErrorKind::LimitExceeded,
        "Attempt limit exceeded, please try after some time.",
    )
}

pub(crate) fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().to_vec()
}

pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

pub(crate) fn required(v: Option<String>, member: &str) -> ApiResult<String> {
    v.ok_or_else(|| ApiError::missing(member))
}

pub(crate) fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}

/// The app client and its pool.
pub(crate) fn client_and_pool(
    conn: &Connection,
    client_id: Option<String>,
) -> ApiResult<(ClientRow, PoolRow)> {
    let client_id = required(client_id, "clientId")?;
    let client = store::require_client(conn, &client_id)?;
    let pool = store::require_pool(conn, &client.pool_id)?;
    Ok((client, pool))
}

/// Verifies SECRET_HASH for a client that has a secret (clients without one ignore it).
pub(crate) fn check_secret_hash(
    client: &ClientRow,
    usernames: &[&str],
    given: Option<&str>,
) -> ApiResult<()> {
    let Some(secret) = client.secret.as_deref() else {
        return Ok(());
    };
    let Some(given) = given else {
        return Err(ApiError::not_authorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.client_id
        )));
    };
    let ok = usernames.iter().any(|u| {
        let expected = srp::secret_hash(u, &client.client_id, secret);
        bool::from(expected.as_bytes().ct_eq(given.trim().as_bytes()))
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id
        )))
    }
}

pub(crate) fn legacy(client: &ClientRow) -> bool {
    client.config.prevent_user_existence_errors != "ENABLED"
}

/// Finds a user by username, or by email / phone number when the pool signs users in with them
/// (UsernameAttributes or AliasAttributes).
pub(crate) fn resolve_user(
    conn: &Connection,
    pool: &PoolRow,
    name: &str,
) -> ApiResult<Option<UserRecord>> {
    if let Some(u) = store::get_user(conn, &pool.pool_id, name)? {
        return Ok(Some(u));
    }
    let cfg = &pool.config;
    for attr in ["email", "phone_number", "preferred_username"] {
        let as_username = cfg.username_attributes.iter().any(|a| a == attr);
        let as_alias = cfg.alias_attributes.iter().any(|a| a == attr);
        if !(as_username || as_alias) {
            continue;
        }
        if let Some(u) = store::find_user_by_attribute(conn, &pool.pool_id, attr, name)? {
            let verified_attr = format!("{attr}_verified");
            // An alias only signs in once verified; a username attribute always does.
            let alias_ok = attr == "preferred_username"
                || u.attributes
                    .get(&verified_attr)
                    .is_some_and(|v| v == "true");
            if as_username || alias_ok {
                return Ok(Some(u));
            }
        }
    }
    Ok(None)
}

/// The pool and user an admin operation names (`UserPoolId`, `Username`, alias or not).
pub(crate) fn admin_user(
    conn: &Connection,
    user_pool_id: Option<String>,
    username: Option<String>,
) -> ApiResult<(PoolRow, UserRecord)> {
    let pool = store::require_pool(conn, &required(user_pool_id, "userPoolId")?)?;
    let name = required(username, "username")?;
    let user = resolve_user(conn, &pool, &name)?.ok_or_else(ApiError::user_not_found)?;
    Ok((pool, user))
}

/// Refuses to give `value` as `attribute` to `user` when another user of the pool already signs
/// in with it (a username attribute, or a verified alias): Cognito's AliasExistsException.
pub(crate) fn refuse_taken_alias(
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    attribute: &str,
    value: &str,
) -> ApiResult<()> {
    let cfg = &pool.config;
    let signs_in_with = cfg.username_attributes.iter().any(|a| a == attribute)
        || cfg.alias_attributes.iter().any(|a| a == attribute);
    if !signs_in_with {
        return Ok(());
    }
    let taken = store::find_user_by_attribute(conn, &pool.pool_id, attribute, value)?
        .is_some_and(|other| other.username != user.username);
    if taken {
        return Err(ApiError::new(
            ErrorKind::AliasExists,
            format!(
                "An account with the given {} already exists.",
                if attribute == "phone_number" {
                    "phone_number"
                } else {
                    "email"
                }
            ),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Lockout and account state

fn lock_state_refresh(u: &mut UserRecord, now: i64) {
    if u.last_failure.is_some_and(|t| now - t > LOCKOUT_RESET) {
        u.failed_attempts = 0;
        u.locked_until = None;
    }
}

pub(crate) fn check_locked(u: &mut UserRecord, now: i64) -> ApiResult<()> {
    lock_state_refresh(u, now);
    if u.locked_until.is_some_and(|t| now < t) {
        return Err(ApiError::attempts_exceeded());
    }
    Ok(())
}

/// Counts a failed sign-in and returns the error to answer with.
pub(crate) fn record_failure(conn: &Connection, u: &mut UserRecord, now: i64) -> ApiError {
    lock_state_refresh(u, now);
    u.failed_attempts += 1;
    u.last_failure = Some(now);
    if u.failed_attempts >= LOCKOUT_THRESHOLD {
        let doublings = (u.failed_attempts - LOCKOUT_THRESHOLD).min(10) as u32;
        u.locked_until = Some(now + (1i64 << doublings).min(900));
    }
    if let Err(e) = store::update_user(conn, u) {
        return e;
    }
    tracing::info!(pool = %u.pool_id, username = %u.username, failures = u.failed_attempts, "local pool: failed sign-in");
    if u.failed_attempts > LOCKOUT_THRESHOLD {
        ApiError::attempts_exceeded()
    } else {
        ApiError::incorrect_password()
    }
}

pub(crate) fn record_success(conn: &Connection, u: &mut UserRecord) -> ApiResult<()> {
    if u.failed_attempts != 0 || u.locked_until.is_some() {
        u.failed_attempts = 0;
        u.locked_until = None;
        u.last_failure = None;
        store::update_user(conn, u)?;
    }
    Ok(())
}

pub(crate) fn check_enabled(u: &UserRecord) -> ApiResult<()> {
    if u.enabled {
        Ok(())
    } else {
        Err(ApiError::not_authorized("User is disabled."))
    }
}

/// What a sign-in of a user in this state answers once the password checked out.
pub(crate) fn check_status_allows_sign_in(u: &UserRecord) -> ApiResult<()> {
    match u.status.as_str() {
        "UNCONFIRMED" => Err(ApiError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        )),
        "RESET_REQUIRED" => Err(ApiError::new(
            ErrorKind::PasswordResetRequired,
            "Password reset required for the user",
        )),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Session errors

pub(crate) fn session_expired() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session is expired.")
}

pub(crate) fn session_used() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session can only be used once.")
}
