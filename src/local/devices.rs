//! Devices in a sign-in (PROTOCOL.md §4.4), for pools with a `DeviceConfiguration`:
//!
//! - a sign-in that names no device ends with `NewDeviceMetadata` (a new, unconfirmed device);
//! - one that names a confirmed device (`DEVICE_KEY`) is asked to prove it: DEVICE_SRP_AUTH
//!   (the client's `SRP_A`), then DEVICE_PASSWORD_VERIFIER (the claim, signed as SRP is with
//!   the DeviceGroupKey and the DeviceKey in the place of the pool name and the username);
//! - a remembered device skips the MFA challenge when the pool sets
//!   `ChallengeRequiredOnNewDevice`;
//! - the device SRP answers find their challenge without a Session too (pycognito sends none):
//!   DEVICE_SRP_AUTH by the user and client, DEVICE_PASSWORD_VERIFIER by its SECRET_BLOCK;
//! - a device the pool does not know is Cognito's `ResourceNotFoundException: Device does not
//!   exist.` (Amplify forgets its device then and signs in again without it).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::{Rng, RngCore};
use rusqlite::Connection;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{param, resolve_user, session_expired};
use super::ctx::{Ctx, region_of};
use super::error::{ApiError, ApiResult};
use super::flows::{self, Flow, FlowKind};
use super::store::{self, ClientRow, DeviceConfiguration, DeviceRow, PoolRow, UserRecord};
use crate::srp::{self, BigUint};

/// Accepted clock skew of a DEVICE_PASSWORD_VERIFIER TIMESTAMP (as of PASSWORD_VERIFIER's).
const TIMESTAMP_SKEW: i64 = 5 * 60;

/// How many never-confirmed devices a user keeps (the newest): enough for clients that confirm
/// a moment later, bounded for clients that never do.
const UNCONFIRMED_KEPT: usize = 10;

/// Cognito's answer for a device key it does not know (or that is another user's).
pub(crate) fn device_not_found() -> ApiError {
    ApiError::resource_not_found("Device does not exist.")
}

/// The pool's device tracking, when it has one.
pub(crate) fn tracking(pool: &PoolRow) -> Option<DeviceConfiguration> {
    pool.config.device_configuration
}

/// How a sign-in that checked out ends, as far as devices go.
pub(crate) enum Gate {
    /// Tokens, with the new device to announce (`NewDeviceMetadata`) if one was made.
    Tokens(Option<DeviceRow>),
    /// The DEVICE_SRP_AUTH challenge: the named device must prove itself first.
    DeviceSrp(Value),
}

/// The device `key` of `user`, or Cognito's error for an unknown one.
pub(crate) fn users_device(
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    key: &str,
) -> ApiResult<DeviceRow> {
    store::get_device(conn, &pool.pool_id, &user.username, key.trim())?.ok_or_else(device_not_found)
}

/// Refuses, before anything of the request is spent, a `DEVICE_KEY` that the user named by
/// `USERNAME` does not have: Amplify answers "Device does not exist." by forgetting its device
/// and sending the same PASSWORD_VERIFIER answer again, without it.
pub(crate) fn check_named_device(
    conn: &Connection,
    pool: &PoolRow,
    params: &HashMap<String, String>,
) -> ApiResult<()> {
    let Some(key) = params.get("DEVICE_KEY").filter(|k| !k.trim().is_empty()) else {
        return Ok(());
    };
    if tracking(pool).is_none() {
        return Ok(());
    }
    let Some(name) = params.get("USERNAME") else {
        return Ok(());
    };
    match resolve_user(conn, pool, name)? {
        Some(user) => users_device(conn, pool, &user, key).map(|_| ()),
        None => Ok(()),
    }
}

/// Whether the device the sign-in names lets it skip the MFA challenge: the pool requires a
/// challenge on new devices only, and this one is confirmed and remembered.
pub(crate) fn skips_mfa(
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    device_key: Option<&str>,
) -> ApiResult<bool> {
    let (Some(cfg), Some(key)) = (tracking(pool), device_key) else {
        return Ok(false);
    };
    if !cfg.challenge_required_on_new_device {
        return Ok(false);
    }
    let device = users_device(conn, pool, user, key)?;
    Ok(device.confirmed() && device.remembered)
}

/// Decides the end of a sign-in that checked out: the device SRP challenge for a confirmed
/// device, else tokens (with a new device where the pool tracks devices).
pub(crate) fn gate(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
    device_key: Option<&str>,
) -> ApiResult<Gate> {
    if tracking(pool).is_none() {
        return Ok(Gate::Tokens(None));
    }
    if let Some(key) = device_key.filter(|k| !k.trim().is_empty()) {
        let device = users_device(conn, pool, user, key)?;
        if device.confirmed() {
            let session = flows::start(
                conn,
                ctx.now(),
                FlowKind::DeviceSrpAuth,
                &pool.pool_id,
                &client.client_id,
                &user.username,
                &json!({"device_key": device.device_key}),
                None,
            )?;
            tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: DEVICE_SRP_AUTH");
            return Ok(Gate::DeviceSrp(json!({
                "ChallengeName": "DEVICE_SRP_AUTH",
                "Session": session,
                "ChallengeParameters": {"USERNAME": user.username},
            })));
        }
        // Never confirmed: the client did not keep it; a new device takes its place.
        store::forget_device(conn, &device.device_key)?;
    }
    Ok(Gate::Tokens(Some(new_device(ctx, conn, pool, user)?)))
}

/// Stores a new, unconfirmed device for `user`: key `<region>_<uuid>`, a random group key.
fn new_device(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
) -> ApiResult<DeviceRow> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let group: String = (0..9)
        .map(|_| ALNUM[rng.gen_range(0..ALNUM.len())] as char)
        .collect();
    let now = ctx.now();
    let device = DeviceRow {
        device_key: format!("{}_{}", region_of(&pool.pool_id), uuid::Uuid::new_v4()),
        pool_id: pool.pool_id.clone(),
        username: user.username.clone(),
        group_key: format!("-{group}"),
        name: None,
        salt: None,
        verifier: None,
        remembered: false,
        created: now,
        modified: now,
        last_auth: None,
    };
    store::insert_device(conn, &device)?;
    store::prune_unconfirmed(conn, &pool.pool_id, &user.username, UNCONFIRMED_KEPT)?;
    Ok(device)
}

/// The device a device-SRP step is about: the Session's, which `DEVICE_KEY` must name.
fn session_device(
    conn: &Connection,
    pool: &PoolRow,
    row: &Flow,
    responses: &HashMap<String, String>,
) -> ApiResult<DeviceRow> {
    let given = param(responses, "DEVICE_KEY")?;
    let key = row.state["device_key"].as_str().unwrap_or_default();
    if given.trim() != key {
        return Err(device_not_found());
    }
    store::get_device(conn, &pool.pool_id, &row.username, key)?.ok_or_else(device_not_found)
}

fn stored_number(hex: Option<&str>) -> ApiResult<BigUint> {
    srp::parse_hex(hex.unwrap_or_default(), "stored value")
        .map_err(|_| ApiError::internal("Internal error: corrupt device verifier"))
}

/// DEVICE_SRP_AUTH (`USERNAME`, `DEVICE_KEY`, `SRP_A`): answers DEVICE_PASSWORD_VERIFIER with
/// the device's salt, the server's B and a SECRET_BLOCK.
pub(crate) fn start_device_srp(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    session: Option<&str>,
    responses: &HashMap<String, String>,
) -> ApiResult<Value> {
    let name = param(responses, "USERNAME")?;
    let row = match session.filter(|s| !s.trim().is_empty()) {
        Some(_) => flows::take(ctx, conn, session, &[FlowKind::DeviceSrpAuth], client)?,
        None => {
            let user = resolve_user(conn, pool, name)?.ok_or_else(session_expired)?;
            flows::take_newest(ctx, conn, FlowKind::DeviceSrpAuth, client, &user.username)?
        }
    };
    flows::check_username_matches(conn, pool, name, &row.username)?;
    let device = session_device(conn, pool, &row, responses)?;
    let a_hex = param(responses, "SRP_A")?;
    if a_hex.len() > 2048 {
        return Err(ApiError::invalid_parameter("SRP_A is too long"));
    }
    let a_pub = srp::parse_hex(a_hex, "SRP_A")
        .map_err(|_| ApiError::invalid_parameter("SRP_A is not valid hexadecimal"))?;
    if (&a_pub % &srp::GROUP.n).is_zero() {
        return Err(ApiError::not_authorized("Invalid SRP_A: A mod N is zero"));
    }
    let salt = stored_number(device.salt.as_deref())?;
    let verifier = stored_number(device.verifier.as_deref())?;
    flows::spend(conn, &row)?;
    let eph = srp::ServerEphemeral::generate(&verifier);
    let mut block = [0u8; 64];
    rand::thread_rng().fill_bytes(&mut block);
    let next = flows::start(
        conn,
        ctx.now(),
        FlowKind::DevicePasswordVerifier,
        &pool.pool_id,
        &client.client_id,
        &row.username,
        &json!({
            "device_key": device.device_key,
            "a_pub": srp::to_hex(&a_pub),
            "b_priv": srp::to_hex(eph.private()),
            "b_pub": srp::to_hex(eph.public()),
            "block": B64.encode(block),
        }),
        Some(&block),
    )?;
    Ok(json!({
        "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
        "Session": next,
        "ChallengeParameters": {
            "SRP_B": srp::to_hex(eph.public()),
            "SALT": srp::to_hex(&salt),
            "SECRET_BLOCK": B64.encode(block),
            "USERNAME": row.username,
        }
    }))
}

/// DEVICE_PASSWORD_VERIFIER: checks the device's claim. Returns the user and the device, whose
/// last sign-in is now; the caller issues the tokens.
pub(crate) fn verify_device_claim(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    session: Option<&str>,
    responses: &HashMap<String, String>,
) -> ApiResult<(UserRecord, DeviceRow)> {
    let block_b64 = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let row = match session.filter(|s| !s.trim().is_empty()) {
        Some(_) => flows::take(
            ctx,
            conn,
            session,
            &[FlowKind::DevicePasswordVerifier],
            client,
        )?,
        None => {
            let block = B64.decode(block_b64.trim()).map_err(|_| {
                ApiError::invalid_parameter("PASSWORD_CLAIM_SECRET_BLOCK is not valid base64")
            })?;
            flows::take_by_block(ctx, conn, &block, FlowKind::DevicePasswordVerifier, client)?
        }
    };
    flows::check_username_matches(conn, pool, param(responses, "USERNAME")?, &row.username)?;
    let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = param(responses, "TIMESTAMP")?;
    let mut device = session_device(conn, pool, &row, responses)?;
    // One try: a wrong claim spends the Session as a wrong password does.
    flows::spend(conn, &row)?;
    let expected = row.state["block"].as_str().unwrap_or_default();
    if !bool::from(block_b64.trim().as_bytes().ct_eq(expected.as_bytes())) {
        return Err(ApiError::incorrect_password());
    }
    let Some(ts) = srp::parse_timestamp(timestamp) else {
        return Err(ApiError::invalid_parameter(
            "TIMESTAMP must look like 'Tue Jan 7 09:05:03 UTC 2025'",
        ));
    };
    let now = ctx.now();
    if (ts.unix_timestamp() - now).abs() > TIMESTAMP_SKEW {
        return Err(ApiError::not_authorized(
            "Incorrect username or password. (TIMESTAMP is more than 5 minutes off)",
        ));
    }
    let block = B64
        .decode(expected)
        .map_err(|_| ApiError::internal("Internal error: corrupt challenge state"))?;
    let stored = |key: &str| stored_number(row.state[key].as_str());
    let verified = srp::server_verify_claim(
        &device.group_key,
        &device.device_key,
        &stored_number(device.verifier.as_deref())?,
        &stored("a_pub")?,
        &stored("b_priv")?,
        &stored("b_pub")?,
        &block,
        timestamp,
        signature,
    )
    .unwrap_or(false);
    if !verified {
        return Err(ApiError::incorrect_password());
    }
    let user = store::get_user(conn, &pool.pool_id, &row.username)?
        .ok_or_else(ApiError::user_not_found)?;
    super::access::check_enabled(&user)?;
    device.last_auth = Some(now);
    store::update_device(conn, &device)?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: device verified");
    Ok((user, device))
}
