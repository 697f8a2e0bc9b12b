//! The demo pool every fresh store starts with, under fixed ids so the README, tests and other
//! tools can name them.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::error::ApiResult;
use super::ops_admin::new_pool_row;
use super::ops_auth::{SIGN_UP_CODE_TTL, deliver_code};
use super::server::Ctx;
use super::store::{self, ClientConfig, ClientRow, PoolConfig, UserRecord};
use super::{
    DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_PASSWORD, DEMO_POOL_ID, DEMO_POOL_NAME,
    DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET, DEMO_UNCONFIRMED_USER,
};
use crate::srp;

/// Every explicit auth flow Cognito knows, for the demo client.
const ALL_FLOWS: &[&str] = &[
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_AUTH",
];

/// Creates whatever part of the demo pool is missing, in one transaction (another process
/// opening the same store at the same time waits, then finds it seeded). The pool's signing
/// keys are left for [`Ctx::ensure_keys`]. Returns true if anything was created.
pub fn seed(ctx: &Ctx) -> anyhow::Result<bool> {
    let created = ctx.with_db(|conn| {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = seed_all(ctx, conn);
        conn.execute_batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
        result
    })?;
    Ok(created)
}

fn seed_all(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    let mut created = false;
    if store::get_pool(conn, DEMO_POOL_ID)?.is_none() {
        let config = PoolConfig {
            auto_verified_attributes: vec!["email".into()],
            mfa_configuration: "OFF".into(),
            deletion_protection: "INACTIVE".into(),
            ..PoolConfig::default()
        };
        let row = new_pool_row(DEMO_POOL_ID, DEMO_POOL_NAME, config, ctx.now(), false)
            .map_err(|e| super::error::ApiError::internal(e.to_string()))?;
        store::insert_pool(conn, &row)?;
        created = true;
        tracing::info!(pool = DEMO_POOL_ID, "local pool: demo pool created");
    }
    let contents = seed_contents(ctx, conn)?;
    let mfa = super::ops_mfa::seed_demo(ctx, conn)?;
    let custom = super::ops_custom::seed(ctx, conn)?;
    Ok(contents || mfa || custom || created)
}

fn seed_contents(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    let mut created = false;
    let now = ctx.now();
    let pool = store::require_pool(conn, DEMO_POOL_ID)?;
    for (id, name, secret) in [
        (DEMO_CLIENT_ID, "cognito-tui demo", None),
        (
            DEMO_SECRET_CLIENT_ID,
            "cognito-tui demo (with secret)",
            Some(DEMO_SECRET_CLIENT_SECRET),
        ),
    ] {
        if store::get_client(conn, id)?.is_none() {
            store::insert_client(
                conn,
                &ClientRow {
                    client_id: id.into(),
                    pool_id: DEMO_POOL_ID.into(),
                    name: name.into(),
                    secret: secret.map(str::to_string),
                    config: ClientConfig {
                        explicit_auth_flows: ALL_FLOWS.iter().map(|s| s.to_string()).collect(),
                        ..ClientConfig::default()
                    },
                    created: now,
                    modified: now,
                },
            )?;
            created = true;
        }
    }
    let users = DEMO_CONFIRMED_USERS
        .iter()
        .map(|u| (*u, "CONFIRMED"))
        .chain([(DEMO_UNCONFIRMED_USER, "UNCONFIRMED")]);
    for (username, status) in users {
        if store::get_user(conn, DEMO_POOL_ID, username)?.is_some() {
            continue;
        }
        let salt = srp::random_salt();
        let verifier =
            srp::compute_verifier(srp::pool_name(DEMO_POOL_ID), username, DEMO_PASSWORD, &salt);
        let mut attributes = BTreeMap::new();
        attributes.insert("email".to_string(), format!("{username}@example.com"));
        attributes.insert(
            "email_verified".to_string(),
            (status == "CONFIRMED").to_string(),
        );
        let mut cap = username.chars();
        let display: String = cap
            .next()
            .map(|c| c.to_uppercase().chain(cap).collect())
            .unwrap_or_default();
        attributes.insert("name".to_string(), format!("{display} Example"));
        let user = UserRecord {
            pool_id: DEMO_POOL_ID.into(),
            username: username.into(),
            sub: uuid::Uuid::new_v4().to_string(),
            status: status.into(),
            enabled: true,
            salt: srp::to_hex(&salt),
            verifier: srp::to_hex(&verifier),
            attributes,
            created: now,
            modified: now,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        };
        store::insert_user(conn, &user)?;
        if status == "UNCONFIRMED" {
            deliver_code(ctx, conn, &pool, &user, "SIGN_UP", SIGN_UP_CODE_TTL)?;
        }
        created = true;
    }
    Ok(created)
}
