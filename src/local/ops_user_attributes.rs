//! The signed-in user's own attributes, with an access token: UpdateUserAttributes (a changed
//! email or phone number is no longer verified, and when the pool auto-verifies it a code goes
//! to the new value through the outbox), GetUserAttributeVerificationCode (a new code) and
//! VerifyUserAttribute (the code marks the attribute verified).

use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{refuse_taken_alias, required};
use super::ctx::{Ctx, parse};
use super::delivery::{self, SIGN_UP_CODE_TTL};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::policy;
use super::shapes::{self, AttributeIn};
use super::store::{self, PoolRow, UserRecord};
use super::tokens::authorize_access;
use super::user_schema;

/// The code and outbox purpose of verifying `attribute` (email or phone_number).
fn purpose(attribute: &str) -> &'static str {
    if attribute == "phone_number" {
        "VERIFY_PHONE_NUMBER"
    } else {
        "VERIFY_EMAIL"
    }
}

/// Where a verification code for `attribute` goes: (medium, attribute, destination).
fn target(user: &UserRecord, attribute: &str) -> Option<(&'static str, &'static str, String)> {
    let value = user.attributes.get(attribute)?.clone();
    match attribute {
        "email" => Some(("EMAIL", "email", value)),
        "phone_number" => Some(("SMS", "phone_number", value)),
        _ => None,
    }
}

/// Sends a verification code for `attribute` to its current value; the CodeDeliveryDetails.
fn send_code(
    ctx: &Ctx,
    conn: &rusqlite::Connection,
    pool: &PoolRow,
    user: &UserRecord,
    attribute: &str,
) -> ApiResult<Option<Value>> {
    delivery::deliver_code_to(
        ctx,
        conn,
        pool,
        user,
        purpose(attribute),
        SIGN_UP_CODE_TTL,
        target(user, attribute),
    )
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
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        let mut details = Vec::new();
        for name in to_verify {
            if let Some(d) = send_code(ctx, conn, &pool, &user, name)? {
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

/// The attribute a verification is about: email or phone_number, which the user has.
fn verifiable(user: &UserRecord, name: &str) -> ApiResult<()> {
    if name != "email" && name != "phone_number" {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid attribute name: {name} cannot be verified"
        )));
    }
    if !user.attributes.contains_key(name) {
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
        verifiable(&user, &name)?;
        let details = send_code(ctx, conn, &pool, &user, &name)?;
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
        verifiable(&user, &name)?;
        let purpose = purpose(&name);
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
        user.attributes
            .insert(format!("{name}_verified"), "true".into());
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, attribute = %name, "local pool: attribute verified");
        Ok(json!({}))
    })
}
