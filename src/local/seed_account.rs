//! The demo pool's passwordless user: one who signed up without a password (as SignUp allows
//! where the sign-in policy has EMAIL_OTP or SMS_OTP), so USER_AUTH with an email code is their
//! only way in, and ChangePassword sets their first password without a previous one.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::ctx::Ctx;
use super::error::ApiResult;
use super::signin::passwordless_verifier;
use super::store::{self, UserRecord};

/// Signed up without a password: signs in with USER_AUTH EMAIL_OTP (the code is in the
/// outbox); the Account screen's password form sets a first password with the old one empty.
pub const DEMO_NO_PASSWORD_USER: &str = "no-password";

/// Adds [`DEMO_NO_PASSWORD_USER`] to the demo pool `pool_id` when missing; true if it did.
pub fn seed_passwordless_user(ctx: &Ctx, conn: &Connection, pool_id: &str) -> ApiResult<bool> {
    if store::get_user(conn, pool_id, DEMO_NO_PASSWORD_USER)?.is_some() {
        return Ok(false);
    }
    let (salt, verifier) = passwordless_verifier(pool_id, DEMO_NO_PASSWORD_USER);
    let attributes = BTreeMap::from([
        (
            "email".to_string(),
            format!("{DEMO_NO_PASSWORD_USER}@example.com"),
        ),
        ("email_verified".to_string(), "true".to_string()),
        ("name".to_string(), "Noa Nopassword".to_string()),
    ]);
    let now = ctx.now();
    store::insert_user(
        conn,
        &UserRecord {
            pool_id: pool_id.into(),
            username: DEMO_NO_PASSWORD_USER.into(),
            sub: uuid::Uuid::new_v4().to_string(),
            status: "CONFIRMED".into(),
            enabled: true,
            salt,
            verifier,
            attributes,
            created: now,
            modified: now,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        },
    )?;
    Ok(true)
}
