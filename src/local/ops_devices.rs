//! The device operations: ConfirmDevice (the device's SRP verifier), GetDevice, ListDevices,
//! ForgetDevice and UpdateDeviceStatus with the user's AccessToken, and AdminGetDevice,
//! AdminListDevices, AdminForgetDevice and AdminUpdateDeviceStatus (SigV4) for any user. How
//! a device takes part in a sign-in is `devices.rs`'s.

use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{admin_user, required};
use super::ctx::{Ctx, parse};
use super::devices::{device_not_found, tracking, users_device};
use super::error::{ApiError, ApiResult, echo};
use super::paging::{check_limit, make_page_token, read_page_token};
use super::store::{self, DeviceRow, PoolRow, UserRecord};
use super::tokens::authorize_access;
use crate::srp::{self, device};

/// The page tokens of ListDevices and AdminListDevices (they expire like ListUsers').
const PAGE_KIND: &str = "devices";
const PAGE_TOKEN_TTL: i64 = 3600;

/// DeviceType, as Cognito answers it.
fn device_json(d: &DeviceRow) -> Value {
    let mut attrs = vec![json!({"Name": "device_status", "Value": "valid"})];
    if let Some(name) = &d.name {
        attrs.push(json!({"Name": "device_name", "Value": name}));
    }
    let status = if d.remembered {
        "remembered"
    } else {
        "not_remembered"
    };
    attrs.push(json!({"Name": "dev:device_remembered_status", "Value": status}));
    let mut v = json!({
        "DeviceKey": d.device_key,
        "DeviceAttributes": attrs,
        "DeviceCreateDate": d.created,
        "DeviceLastModifiedDate": d.modified,
    });
    if let Some(t) = d.last_auth {
        v["DeviceLastAuthenticatedDate"] = json!(t);
    }
    v
}

/// `DeviceKey`: required, 1..=55 characters of `[\w-]+_[0-9a-f-]+`.
fn device_key(key: Option<String>) -> ApiResult<String> {
    let key = required(key, "deviceKey")?;
    let well_formed = key.len() <= 55
        && key.rsplit_once('_').is_some_and(|(head, tail)| {
            !head.is_empty()
                && !tail.is_empty()
                && head
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && tail
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
        });
    if !well_formed {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{}' at 'deviceKey' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+",
            echo(&key)
        )));
    }
    Ok(key)
}

/// `DeviceRememberedStatus`: `remembered` or `not_remembered`.
fn remembered_status(status: Option<String>) -> ApiResult<bool> {
    match status.as_deref() {
        Some("remembered") => Ok(true),
        Some("not_remembered") => Ok(false),
        Some(other) => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{}' at 'deviceRememberedStatus' failed to \
             satisfy constraint: Member must satisfy enum value set: [remembered, \
             not_remembered]",
            echo(other)
        ))),
        // Cognito leaves the status as it is when the member is left out.
        None => Err(ApiError::missing("deviceRememberedStatus")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifierConfig {
    password_verifier: Option<String>,
    salt: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfirmDeviceReq {
    access_token: Option<String>,
    device_key: Option<String>,
    device_secret_verifier_config: Option<VerifierConfig>,
    device_name: Option<String>,
}

/// ConfirmDevice: stores the verifier of a device a sign-in announced (NewDeviceMetadata) and
/// its name. The device is remembered at once unless the pool waits for the user's choice
/// (DeviceOnlyRememberedOnUserPrompt), which `UserConfirmationNecessary` then says.
pub fn confirm_device(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ConfirmDeviceReq = parse(body)?;
    let key = device_key(req.device_key)?;
    let name = match req.device_name {
        Some(n) if n.is_empty() || n.chars().count() > 1024 => {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'deviceName' failed to satisfy \
                 constraint: Member must have length between 1 and 1024",
            ));
        }
        n => n,
    };
    let config = req.device_secret_verifier_config.ok_or_else(|| {
        ApiError::invalid_parameter("DeviceSecretVerifierConfig is required to confirm a device.")
    })?;
    let invalid = || ApiError::invalid_parameter("Invalid device secret verifier config.");
    let verifier = config
        .password_verifier
        .as_deref()
        .and_then(|v| device::decode_config_value(v, 512))
        .filter(|v| *v < srp::GROUP.n)
        .ok_or_else(invalid)?;
    let salt = config
        .salt
        .as_deref()
        .and_then(|s| device::decode_config_value(s, 64))
        .ok_or_else(invalid)?;
    ctx.with_db(|conn| {
        let (pool, user, _) = authorize_access(ctx, conn, req.access_token)?;
        let Some(cfg) = tracking(&pool) else {
            return Err(device_not_found());
        };
        let mut d = users_device(conn, &pool, &user, &key)?;
        if d.confirmed() {
            return Err(ApiError::invalid_parameter(
                "Device has already been confirmed.",
            ));
        }
        d.salt = Some(srp::to_hex(&salt));
        d.verifier = Some(srp::to_hex(&verifier));
        d.name = name.or(d.name.take());
        d.remembered = !cfg.device_only_remembered_on_user_prompt;
        d.modified = ctx.now();
        store::update_device(conn, &d)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, remembered = d.remembered, "local pool: device confirmed");
        Ok(json!({"UserConfirmationNecessary": cfg.device_only_remembered_on_user_prompt}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeviceReq {
    access_token: Option<String>,
    user_pool_id: Option<String>,
    username: Option<String>,
    device_key: Option<String>,
    device_remembered_status: Option<String>,
    limit: Option<i64>,
    pagination_token: Option<String>,
}

/// Whose devices a request is about: the AccessToken's user, or (admin) `UserPoolId` and
/// `Username`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Caller {
    User,
    Admin,
}

fn subject(
    ctx: &Ctx,
    conn: &Connection,
    caller: Caller,
    req: &DeviceReq,
) -> ApiResult<(PoolRow, UserRecord)> {
    match caller {
        Caller::User => {
            let (pool, user, _) = authorize_access(ctx, conn, req.access_token.clone())?;
            Ok((pool, user))
        }
        Caller::Admin => admin_user(conn, req.user_pool_id.clone(), req.username.clone()),
    }
}

fn get(ctx: &Ctx, body: Value, caller: Caller) -> ApiResult<Value> {
    let req: DeviceReq = parse(body)?;
    let key = device_key(req.device_key.clone())?;
    ctx.read(|conn| {
        let (pool, user) = subject(ctx, conn, caller, &req)?;
        let d = users_device(conn, &pool, &user, &key)?;
        Ok(json!({"Device": device_json(&d)}))
    })
}

fn list(ctx: &Ctx, body: Value, caller: Caller) -> ApiResult<Value> {
    let req: DeviceReq = parse(body)?;
    let limit = check_limit(req.limit)?;
    let now = ctx.now();
    let after = match req.pagination_token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => {
            let pos = read_page_token(PAGE_KIND, t, now, Some(PAGE_TOKEN_TTL))?;
            let (created, key) = pos
                .split_once(':')
                .and_then(|(c, k)| Some((c.parse::<i64>().ok()?, k.to_string())))
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?;
            Some((created, key))
        }
        None => None,
    };
    ctx.read(|conn| {
        let (pool, user) = subject(ctx, conn, caller, &req)?;
        let mut devices = store::list_devices(
            conn,
            &pool.pool_id,
            &user.username,
            after.as_ref().map(|(c, k)| (*c, k.as_str())),
            limit + 1,
        )?;
        let more = devices.len() > limit;
        devices.truncate(limit);
        let mut out = json!({"Devices": devices.iter().map(device_json).collect::<Vec<_>>()});
        if more && let Some(last) = devices.last() {
            out["PaginationToken"] = json!(make_page_token(
                PAGE_KIND,
                &format!("{}:{}", last.created, last.device_key),
                now
            ));
        }
        Ok(out)
    })
}

fn forget(ctx: &Ctx, body: Value, caller: Caller) -> ApiResult<Value> {
    let req: DeviceReq = parse(body)?;
    let key = device_key(req.device_key.clone())?;
    ctx.with_db(|conn| {
        let (pool, user) = subject(ctx, conn, caller, &req)?;
        let d = users_device(conn, &pool, &user, &key)?;
        store::forget_device(conn, &d.device_key)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: device forgotten");
        Ok(json!({}))
    })
}

fn update_status(ctx: &Ctx, body: Value, caller: Caller) -> ApiResult<Value> {
    let req: DeviceReq = parse(body)?;
    let key = device_key(req.device_key.clone())?;
    let remembered = remembered_status(req.device_remembered_status.clone())?;
    ctx.with_db(|conn| {
        let (pool, user) = subject(ctx, conn, caller, &req)?;
        let mut d = users_device(conn, &pool, &user, &key)?;
        d.remembered = remembered;
        d.modified = ctx.now();
        store::update_device(conn, &d)?;
        Ok(json!({}))
    })
}

/// GetDevice: one of the AccessToken's user's devices.
pub fn get_device(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    get(ctx, body, Caller::User)
}

/// ListDevices: the AccessToken's user's devices, oldest first, `Limit` (≤ 60) a page.
pub fn list_devices(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    list(ctx, body, Caller::User)
}

/// ForgetDevice: the device signs in as a new one from now on.
pub fn forget_device(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    forget(ctx, body, Caller::User)
}

/// UpdateDeviceStatus: remembered or not_remembered.
pub fn update_device_status(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    update_status(ctx, body, Caller::User)
}

/// AdminGetDevice.
pub fn admin_get_device(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    get(ctx, body, Caller::Admin)
}

/// AdminListDevices.
pub fn admin_list_devices(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    list(ctx, body, Caller::Admin)
}

/// AdminForgetDevice.
pub fn admin_forget_device(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    forget(ctx, body, Caller::Admin)
}

/// AdminUpdateDeviceStatus.
pub fn admin_update_device_status(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    update_status(ctx, body, Caller::Admin)
}
