//! The signed-in user's own attributes, with an access token: UpdateUserAttributes (a changed
//! email or phone number is no longer verified, and when the pool auto-verifies it a code goes
//! to the new value through the outbox; with AttributesRequireVerificationBeforeUpdate a
//! verified one keeps its old value and the new one waits, pending, for its code),
//! GetUserAttributeVerificationCode (a new code), VerifyUserAttribute (the code marks the
//! attribute verified, putting a pending value in place) and DeleteUserAttributes.

use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{limit_exceeded, refuse_taken_alias, required};
use super::ctx::{Ctx, parse};
use super::delivery;
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::policy;
use super::shapes::{self, AttributeIn};
use super::store::{self, PoolRow, UserRecord};
use super::tokens::authorize_access;
use super::user_schema;

/// GetUserAttributeVerificationCode calls per user per hour (Cognito's limit).
pub const CODES_PER_HOUR: i64 = 5;

/// Sends a verification code for `attribute` to its current value.
fn send_code(
    ctx: &Ctx,
    conn: &rusqlite::Connection,
    pool: &PoolRow,
    user: &UserRecord,
    attribute: &str,
) -> ApiResult<Option<Value>> {
    match user.attributes.get(attribute) {
        Some(value) => send_code_to(ctx, conn, pool, user, attribute, value),
        None => Ok(None),
    }
}

/// Sends a verification code for `attribute` to `value` (its current or pending new value).
fn send_code_to(
    ctx: &Ctx,
    conn: &rusqlite::Connection,
    pool: &PoolRow,
    user: &UserRecord,
    attribute: &str,
    value: &str,
) -> ApiResult<Option<Value>> {
    delivery::deliver_verification_code(ctx, conn, pool, user, attribute, value)
}

/// Whether the user's `attribute` is verified (`<attribute>_verified` is true).
fn is_verified(user: &UserRecord, attribute: &str) -> bool {
    user.attributes
        .get(&format!("{attribute}_verified"))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn unauthorized_attribute() -> ApiError {
    ApiError::not_authorized("A client attempted to write unauthorized attribute")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateReq {
    access_token: Option<String>,
    user_attributes: Option<Vec<AttributeIn>>,
}

/// UpdateUserAttributes: the user sets their own attributes (not the `*_verified` flags, nor
/// attributes the app client may not write). A changed email or phone number is unverified;
/// when the pool auto-verifies it, a code goes to the new value, listed in
/// CodeDeliveryDetailsList.
pub fn update_user_attributes(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: UpdateReq = parse(body)?;
    let changes = shapes::attribute_changes(req.user_attributes)?;
    ctx.with_db(|conn| {
        let (pool, mut user, claims) = authorize_access(ctx, conn, req.access_token)?;
        let client_id = claims
            .get("client_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let writable = store::get_client(conn, client_id)?
            .map(|c| c.config.write_attributes)
            .unwrap_or_default();
        for (name, _) in &changes {
            if name.ends_with("_verified")
                || (!writable.is_empty() && !writable.iter().any(|w| w == name))
            {
                return Err(unauthorized_attribute());
            }
        }
        let mut attributes = user.attributes.clone();
        let mut to_verify: Vec<&str> = Vec::new();
        let mut pending: Vec<(&str, &str)> = Vec::new();
        let now = ctx.now();
        for (name, value) in &changes {
            user_schema::check_user_attribute(
                &pool.config.schema,
                name,
                value,
                user.attributes.get(name).map(String::as_str),
            )?;
            let changed = attributes.get(name) != Some(value);
            if changed {
                refuse_taken_alias(conn, &pool, &user, name, value)?;
            }
            let waits = pool
                .config
                .attributes_require_verification
                .iter()
                .any(|a| a == name);
            if waits && !changed {
                // Set back to the value it has: a pending change is given up.
                store::drop_pending_attribute(conn, &pool.pool_id, &user.username, Some(name))?;
            }
            if waits && changed && is_verified(&user, name) {
                pending.push((name, value));
                continue;
            }
            attributes.insert(name.clone(), value.clone());
            if changed && (name == "email" || name == "phone_number") {
                attributes.insert(format!("{name}_verified"), "false".into());
                if pool
                    .config
                    .auto_verified_attributes
                    .iter()
                    .any(|a| a == name)
                {
                    to_verify.push(name);
                }
            }
        }
        let missing = policy::missing_required(&pool.config.required_attributes, &attributes);
        if !missing.is_empty() {
            return Err(policy::schema_required_error(&missing));
        }
        user.attributes = attributes;
        user.modified = now;
        store::update_user(conn, &user)?;
        let mut details = Vec::new();
        for name in to_verify {
            store::drop_pending_attribute(conn, &pool.pool_id, &user.username, Some(name))?;
            if let Some(d) = send_code(ctx, conn, &pool, &user, name)? {
                details.push(d);
            }
        }
        for (name, value) in pending {
            store::put_pending_attribute(conn, &pool.pool_id, &user.username, name, value, now)?;
            if let Some(d) = send_code_to(ctx, conn, &pool, &user, name, value)? {
                details.push(d);
            }
        }
        tracing::info!(pool = %pool.pool_id, username = %user.username, count = changes.len(), codes = details.len(), "local pool: attributes updated by the user");
        Ok(json!({"CodeDeliveryDetailsList": details}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeNameReq {
    access_token: Option<String>,
    attribute_name: Option<String>,
    code: Option<String>,
}

/// The attribute a verification is about: email or phone_number, which the user has (or has a
/// pending new value of: `pending`).
fn verifiable(user: &UserRecord, name: &str, pending: bool) -> ApiResult<()> {
    if name != "email" && name != "phone_number" {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid attribute name: {} cannot be verified",
            echo(name)
        )));
    }
    if !pending && !user.attributes.contains_key(name) {
        return Err(ApiError::invalid_parameter(format!(
            "The user has no {name} to verify"
        )));
    }
    Ok(())
}

/// GetUserAttributeVerificationCode: a new code for the user's email or phone number.
pub fn get_user_attribute_verification_code(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AttributeNameReq = parse(body)?;
    let name = required(req.attribute_name, "attributeName")?;
    ctx.with_db(|conn| {
        let (pool, user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        let pending = store::pending_attribute(conn, &pool.pool_id, &user.username, &name)?;
        verifiable(&user, &name, pending.is_some())?;
        if !store::rate_allow(
            conn,
            &pool.pool_id,
            &user.username,
            "ATTRIBUTE_CODE",
            ctx.now(),
            3600,
            CODES_PER_HOUR,
        )? {
            return Err(limit_exceeded());
        }
        let details = match pending {
            Some(value) => send_code_to(ctx, conn, &pool, &user, &name, &value)?,
            None => send_code(ctx, conn, &pool, &user, &name)?,
        };
        Ok(json!({"CodeDeliveryDetails": details}))
    })
}

/// VerifyUserAttribute: the code sent for the attribute marks it verified.
pub fn verify_user_attribute(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AttributeNameReq = parse(body)?;
    let name = required(req.attribute_name, "attributeName")?;
    let code = required(req.code, "code")?;
    ctx.with_db(|conn| {
        let (pool, mut user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        let pending = store::pending_attribute(conn, &pool.pool_id, &user.username, &name)?;
        verifiable(&user, &name, pending.is_some())?;
        let purpose = delivery::verification_purpose(&name);
        let stored = store::get_code(conn, &pool.pool_id, &user.username, purpose)?;
        let Some(stored) = stored.filter(|c| !c.used && c.expires > ctx.now()) else {
            return Err(ApiError::new(
                ErrorKind::ExpiredCode,
                "Invalid code provided, please request a code again.",
            ));
        };
        if !bool::from(stored.code.as_bytes().ct_eq(code.trim().as_bytes())) {
            return Err(ApiError::new(
                ErrorKind::CodeMismatch,
                "Invalid verification code provided, please try again.",
            ));
        }
        store::mark_code_used(conn, &pool.pool_id, &user.username, purpose)?;
        if let Some(value) = pending {
            // The new value becomes the user's only now; nobody may have taken it meanwhile.
            refuse_taken_alias(conn, &pool, &user, &name, &value)?;
            user.attributes.insert(name.clone(), value);
            store::drop_pending_attribute(conn, &pool.pool_id, &user.username, Some(&name))?;
        }
        user.attributes
            .insert(format!("{name}_verified"), "true".into());
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, attribute = %name, "local pool: attribute verified");
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteReq {
    access_token: Option<String>,
    user_attribute_names: Option<Vec<String>>,
}

/// DeleteUserAttributes: the user removes their own attributes (not required ones, nor those
/// the app client may not write). Deleting email or phone_number takes its verified flag and
/// any pending new value with it.
pub fn delete_user_attributes(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DeleteReq = parse(body)?;
    let names = req
        .user_attribute_names
        .ok_or_else(|| ApiError::missing("userAttributeNames"))?;
    for n in &names {
        policy::check_attribute_name(n)?;
    }
    ctx.with_db(|conn| {
        let (pool, mut user, claims) = authorize_access(ctx, conn, req.access_token)?;
        let client_id = claims
            .get("client_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let writable = store::get_client(conn, client_id)?
            .map(|c| c.config.write_attributes)
            .unwrap_or_default();
        for n in &names {
            if n == "sub" || (!writable.is_empty() && !writable.iter().any(|w| w == n)) {
                return Err(unauthorized_attribute());
            }
        }
        let required: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| pool.config.required_attributes.iter().any(|r| r == n))
            .collect();
        if !required.is_empty() {
            return Err(policy::schema_required_error(&required));
        }
        for n in &names {
            user.attributes.remove(n);
            if n == "email" || n == "phone_number" {
                user.attributes.remove(&format!("{n}_verified"));
                store::drop_pending_attribute(conn, &pool.pool_id, &user.username, Some(n))?;
            }
        }
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, count = names.len(), "local pool: attributes deleted by the user");
        Ok(json!({}))
    })
}
