//! Everything the pool "sends": the one place an outbox entry is made ([`send`]), the codes
//! behind it (sign-up, forgot-password, reset), where a code goes, and the simulated delivery
//! for users that do not exist.

use rusqlite::Connection;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::access::legacy;
use super::ctx::Ctx;
use super::error::{ApiError, ApiResult, ErrorKind};
use super::extras::load_extras;
use super::policy;
use super::pool_settings::{self, Recovery};
use super::store::{self, ClientRow, PoolRow, UserRecord};
use crate::cognito::types::OutboxEntry;

/// Sign-up codes stay valid for 24 hours.
pub const SIGN_UP_CODE_TTL: i64 = 24 * 3600;

/// One message to the outbox: `code` went to `destination` by `medium` for `purpose`.
pub struct Message<'a> {
    pub pool_id: &'a str,
    pub username: &'a str,
    pub medium: &'a str,
    pub destination: &'a str,
    pub purpose: &'a str,
    pub code: &'a str,
}

/// A message of a pool with a CustomMessage trigger: its text is the trigger's to decide, once
/// the request's transaction has committed (the trigger never runs with the store locked).
#[derive(Debug, Clone)]
pub struct PendingMessage {
    pub outbox_id: i64,
    pub pool_id: String,
    pub username: String,
    pub medium: String,
    pub purpose: String,
    pub code: String,
}

thread_local! {
    /// The messages of the request running on this thread (one operation per blocking thread
    /// at a time, like the request region in `ctx.rs`).
    static PENDING: std::cell::RefCell<Vec<PendingMessage>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The messages this thread's request sent to pools with a CustomMessage trigger, taken.
pub fn take_pending() -> Vec<PendingMessage> {
    PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// Writes one message to the outbox, stamped with `at`, with its text from the pool's message
/// templates (a CustomMessage trigger may replace it after the request's transaction).
pub fn send(conn: &Connection, m: Message<'_>, at: OffsetDateTime) -> ApiResult<()> {
    let rendered = store::get_pool(conn, m.pool_id)?
        .and_then(|p| pool_settings::render(&p.config.messages, m.purpose, m.medium, m.code));
    let (message, subject) = match rendered {
        Some((text, subject)) => (Some(text), subject),
        None => (None, None),
    };
    let id = store::push_outbox(
        conn,
        &OutboxEntry {
            pool_id: m.pool_id.to_string(),
            username: m.username.to_string(),
            medium: m.medium.to_string(),
            destination: m.destination.to_string(),
            purpose: m.purpose.to_string(),
            code: m.code.to_string(),
            sent_at: rfc3339_millis(at),
            message,
            subject,
        },
    )?;
    if m.medium != "TOTP"
        && load_extras(conn, m.pool_id)?
            .lambda
            .command("CustomMessage")
            .is_some()
    {
        PENDING.with(|p| {
            p.borrow_mut().push(PendingMessage {
                outbox_id: id,
                pool_id: m.pool_id.to_string(),
                username: m.username.to_string(),
                medium: m.medium.to_string(),
                purpose: m.purpose.to_string(),
                code: m.code.to_string(),
            })
        });
    }
    Ok(())
}

pub(crate) fn rfc3339_millis(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Which attribute a code for this user goes to: the phone if the pool auto-verifies phone
/// numbers and the user has one, else the email likewise.
fn delivery_target(
    pool: &PoolRow,
    user: &UserRecord,
) -> Option<(&'static str, &'static str, String)> {
    let auto = &pool.config.auto_verified_attributes;
    if auto.iter().any(|a| a == "phone_number")
        && let Some(p) = user.attributes.get("phone_number")
    {
        return Some(("SMS", "phone_number", p.clone()));
    }
    if auto.iter().any(|a| a == "email")
        && let Some(e) = user.attributes.get("email")
    {
        return Some(("EMAIL", "email", e.clone()));
    }
    None
}

/// Creates a code for `purpose`, writes it to the outbox and returns CodeDeliveryDetails.
pub(crate) fn deliver_code(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    purpose: &str,
    ttl: i64,
) -> ApiResult<Option<Value>> {
    let target = delivery_target(pool, user);
    deliver_code_to(ctx, conn, pool, user, purpose, ttl, target)
}

/// Where account-recovery codes go when no recovery setting orders them: a verified email,
/// else a verified phone number.
pub(crate) fn verified_target(user: &UserRecord) -> Option<(&'static str, &'static str, String)> {
    let verified = |a: &str| {
        user.attributes
            .get(&format!("{a}_verified"))
            .is_some_and(|v| v == "true")
    };
    if verified("email")
        && let Some(e) = user.attributes.get("email")
    {
        return Some(("EMAIL", "email", e.clone()));
    }
    if verified("phone_number")
        && let Some(p) = user.attributes.get("phone_number")
    {
        return Some(("SMS", "phone_number", p.clone()));
    }
    None
}

/// Where ForgotPassword's code goes: the first verified attribute in the order of the pool's
/// AccountRecoverySetting (without one, [`verified_target`]'s order). A pool whose setting is
/// `admin_only` answers NotAuthorizedException.
pub(crate) fn recovery_target(
    pool: &PoolRow,
    user: &UserRecord,
) -> ApiResult<Option<(&'static str, &'static str, String)>> {
    let order = match pool_settings::recovery(pool.config.account_recovery.as_deref()) {
        Recovery::AdminOnly => return Err(admin_only_recovery()),
        Recovery::Verified(order) => order,
    };
    let verified = |a: &str| {
        user.attributes
            .get(&format!("{a}_verified"))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    for attr in order.into_iter().flatten() {
        if verified(attr)
            && let Some(dest) = user.attributes.get(attr)
        {
            let medium = if attr == "email" { "EMAIL" } else { "SMS" };
            let attr = if attr == "email" {
                "email"
            } else {
                "phone_number"
            };
            return Ok(Some((medium, attr, dest.clone())));
        }
    }
    Ok(None)
}

/// ForgotPassword on a pool whose AccountRecoverySetting is `admin_only`.
pub(crate) fn admin_only_recovery() -> ApiError {
    ApiError::not_authorized("Contact administrator to reset password.")
}

/// Whether the pool lets users reset their own password (its AccountRecoverySetting is not
/// `admin_only`).
pub(crate) fn self_service_recovery(pool: &PoolRow) -> bool {
    pool_settings::recovery(pool.config.account_recovery.as_deref()) != Recovery::AdminOnly
}

/// The code and outbox purpose of verifying `attribute` (email or phone_number).
pub(crate) fn verification_purpose(attribute: &str) -> &'static str {
    if attribute == "phone_number" {
        "VERIFY_PHONE_NUMBER"
    } else {
        "VERIFY_EMAIL"
    }
}

/// Sends a verification code for `attribute` (email or phone_number) to `value`, its new or
/// current value; the CodeDeliveryDetails. Codes last as sign-up codes do (24 hours).
pub(crate) fn deliver_verification_code(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    attribute: &str,
    value: &str,
) -> ApiResult<Option<Value>> {
    let target = match attribute {
        "email" => ("EMAIL", "email", value.to_string()),
        _ => ("SMS", "phone_number", value.to_string()),
    };
    deliver_code_to(
        ctx,
        conn,
        pool,
        user,
        verification_purpose(attribute),
        SIGN_UP_CODE_TTL,
        Some(target),
    )
}

/// Like [`deliver_code`], to a given (medium, attribute, destination).
pub(crate) fn deliver_code_to(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    purpose: &str,
    ttl: i64,
    target: Option<(&'static str, &'static str, String)>,
) -> ApiResult<Option<Value>> {
    let Some((medium, attribute, destination)) = target else {
        return Ok(None);
    };
    let code = policy::new_code();
    let now = ctx.now_dt();
    store::put_code(
        conn,
        &pool.pool_id,
        &user.username,
        purpose,
        &code,
        attribute,
        now.unix_timestamp(),
        ttl,
    )?;
    send(
        conn,
        Message {
            pool_id: &pool.pool_id,
            username: &user.username,
            medium,
            destination: &destination,
            purpose,
            code: &code,
        },
        now,
    )?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, purpose, medium, "local pool: code written to the outbox");
    Ok(Some(json!({
        "Destination": policy::mask_destination(medium, &destination),
        "DeliveryMedium": medium,
        "AttributeName": attribute,
    })))
}

/// ForgotPassword and ResendConfirmationCode for a user that does not exist: LEGACY clients get
/// UserNotFoundException, ENABLED ones a simulated delivery (PROTOCOL.md §6).
pub(crate) fn unknown_user_delivery(
    client: &ClientRow,
    medium: &str,
    name: &str,
) -> ApiResult<Value> {
    if legacy(client) {
        return Err(ApiError::new(
            ErrorKind::UserNotFound,
            "Username/client id combination not found.",
        ));
    }
    let fake = if medium == "SMS" {
        "+10000000000".to_string()
    } else {
        format!("{name}@example.com")
    };
    Ok(json!({"CodeDeliveryDetails": {
        "Destination": policy::mask_destination(medium, &fake),
        "DeliveryMedium": medium,
        "AttributeName": if medium == "SMS" { "phone_number" } else { "email" },
    }}))
}
