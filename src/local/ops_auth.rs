//! The password sign-in operations: InitiateAuth USER_SRP_AUTH, USER_PASSWORD_AUTH and
//! REFRESH_TOKEN(_AUTH), RespondToAuthChallenge NEW_PASSWORD_REQUIRED, GetTokensFromRefreshToken,
//! GetUser, GlobalSignOut and RevokeToken (PROTOCOL.md §2.2, §4.3, §6).

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{
    check_secret_hash, client_and_pool, param, required, resolve_user, session_expired,
    session_used, sha256,
};
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::flows::{self, Family, FlowKind};
use super::hooks_auth;
use super::jwt;
use super::policy::{self, check_password_shape};
use super::shapes::add_user_mfa_fields;
use super::store::{self, ClientRow, PoolRow};
use super::tokens::{authorize_access, refresh_flow, valid_refresh_shape};
use super::user_schema;
use super::{next_step, signin};
use crate::srp;

/// RespondToAuthChallenge NEW_PASSWORD_REQUIRED: `NEW_PASSWORD` (and any `userAttributes.*`)
/// with the Session from the challenge.
pub(crate) fn respond_new_password(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    session: Option<&str>,
    responses: &HashMap<String, String>,
) -> ApiResult<Value> {
    let name = param(responses, "USERNAME")?;
    let new_password = param(responses, "NEW_PASSWORD")?;
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
    let row = flows::find(conn, session, Family::Password)?.ok_or_else(session_expired)?;
    if row.kind != FlowKind::NewPasswordRequired
        || row.pool_id != pool.pool_id
        || row.client_id != client.client_id
    {
        return Err(session_expired());
    }
    if row.used {
        return Err(session_used());
    }
    let now = ctx.now();
    if now - row.created > flows::validity(client) {
        flows::spend(conn, &row)?;
        return Err(session_expired());
    }
    let Some(mut user) = store::get_user(conn, &pool.pool_id, &row.username)? else {
        return Err(ApiError::user_not_found());
    };
    check_secret_hash(
        client,
        &[name, &user.username],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    if name != user.username
        && resolve_user(conn, pool, name)?.map(|u| u.username) != Some(user.username.clone())
    {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    // A rejected password leaves the session usable for another try.
    check_password_shape(new_password, "NEW_PASSWORD")?;
    pool.config.password_policy.check(new_password)?;
    let mut attributes = user.attributes.clone();
    for (k, v) in responses {
        if let Some(attr) = k.strip_prefix("userAttributes.") {
            let v = policy::canonical_value(attr, v.clone());
            user_schema::check_user_attribute(
                &pool.config.schema,
                attr,
                &v,
                user.attributes.get(attr).map(String::as_str),
            )?;
            attributes.insert(attr.to_string(), v);
        }
    }
    let missing = policy::missing_required(&pool.config.required_attributes, &attributes);
    if !missing.is_empty() {
        // Cognito's wording; the Session stays usable for an answer with the attributes.
        return Err(ApiError::invalid_parameter(format!(
            "Invalid attributes given, {} is missing",
            missing.join(" and ")
        )));
    }
    flows::spend(conn, &row)?;
    let salt = srp::random_salt();
    let v = srp::compute_verifier(
        srp::pool_name(&pool.pool_id),
        &user.username,
        new_password,
        &salt,
    );
    user.salt = srp::to_hex(&salt);
    user.verifier = srp::to_hex(&v);
    user.attributes = attributes;
    user.status = "CONFIRMED".into();
    user.modified = now;
    store::update_user(conn, &user)?;
    ctx.verified.forget(&pool.pool_id, &user.username);
    tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: new password set, user confirmed");
    next_step::after_password(ctx, conn, pool, client, &user)
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateAuthReq {
    auth_flow: Option<String>,
    client_id: Option<String>,
    #[serde(default)]
    auth_parameters: Option<HashMap<String, String>>,
    #[serde(default)]
    client_metadata: Option<Value>,
}

pub fn initiate_auth(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: InitiateAuthReq = parse(body)?;
    if let (Some(flow), Some(params)) = (&req.auth_flow, &req.auth_parameters) {
        hooks_auth::before_sign_in(
            ctx,
            req.client_id.as_deref(),
            None,
            flow,
            params,
            req.client_metadata.as_ref(),
        )?;
    }
    let pre = precheck_user_password(ctx, &req)?;
    // The tokens of a USER_PASSWORD_AUTH sign-in are signed after the transaction commits.
    let answer = ctx.with_db(|conn| {
        let flow = required(req.auth_flow, "authFlow")?;
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let params = req.auth_parameters.unwrap_or_default();
        match flow.as_str() {
            "USER_SRP_AUTH" | "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {}
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => {
                return Err(ApiError::invalid_parameter(
                    "Initiate Auth method not supported.",
                ));
            }
            "CUSTOM_AUTH" | "USER_AUTH" => {
                if !client.config.allows(&flow) {
                    return Err(ApiError::invalid_parameter(
                        "Auth flow not enabled for this client",
                    ));
                }
                return Err(ApiError::invalid_parameter(format!(
                    "{} is not supported by the embedded user pool",
                    echo(&flow)
                )));
            }
            other => {
                return Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value '{}' at 'authFlow' failed to satisfy \
                     constraint: Member must satisfy enum value set: [USER_SRP_AUTH, \
                     REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, \
                     USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
                    echo(other)
                )));
            }
        }
        if !client.config.allows(&flow) {
            return Err(ApiError::invalid_parameter(
                if flow == "USER_PASSWORD_AUTH" {
                    "USER_PASSWORD_AUTH flow not enabled for this client"
                } else {
                    "Auth flow not enabled for this client"
                },
            ));
        }
        match flow.as_str() {
            "USER_SRP_AUTH" => signin::start_srp(ctx, conn, &client, &pool, &params, false)
                .map(next_step::Answer::Ready),
            "USER_PASSWORD_AUTH" => {
                let user =
                    signin::verify_password_prechecked(ctx, conn, &client, &pool, &params, &pre)?;
                next_step::password_ok_unsigned(ctx, conn, &pool, &client, &user)
            }
            _ => {
                let token = params.get("REFRESH_TOKEN").ok_or_else(|| {
                    ApiError::invalid_parameter("Missing required parameter REFRESH_TOKEN")
                })?;
                let refreshed = refresh_flow(
                    ctx,
                    conn,
                    &client,
                    &pool,
                    token,
                    Some((params.get("SECRET_HASH").map(String::as_str),)),
                )?;
                Ok(next_step::Answer::Refreshed(Box::new(refreshed)))
            }
        }
    })?;
    answer.finish(ctx)
}

/// USER_PASSWORD_AUTH's password check, done on a read snapshot before the write transaction
/// so that its exponentiation does not hold the write lock (the transaction redoes it only if
/// the user's verifier changed in between). Any other flow, or a request that will fail
/// earlier, gets an empty precheck.
fn precheck_user_password(ctx: &Ctx, req: &InitiateAuthReq) -> ApiResult<signin::Precheck> {
    if req.auth_flow.as_deref() != Some("USER_PASSWORD_AUTH") {
        return Ok(signin::Precheck::default());
    }
    let (Some(client_id), Some(params)) = (&req.client_id, &req.auth_parameters) else {
        return Ok(signin::Precheck::default());
    };
    let Some(name) = params.get("USERNAME").filter(|n| !n.is_empty()) else {
        return Ok(signin::Precheck::default());
    };
    let found = ctx.read(|conn| {
        let Ok((client, pool)) = client_and_pool(conn, Some(client_id.clone())) else {
            return Ok(None);
        };
        if !client.config.allows("USER_PASSWORD_AUTH") {
            return Ok(None);
        }
        let user = resolve_user(conn, &pool, name)?;
        Ok(Some((pool, user)))
    })?;
    match found {
        Some((pool, user)) => signin::precheck_password(ctx, &pool, user.as_ref(), params),
        None => Ok(signin::Precheck::default()),
    }
}

// ---------------------------------------------------------------------------------------------
// GetTokensFromRefreshToken, GetUser, GlobalSignOut, RevokeToken

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RefreshReq {
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn check_client_secret(client: &ClientRow, given: Option<&str>, kind: ErrorKind) -> ApiResult<()> {
    let Some(secret) = client.secret.as_deref() else {
        return Ok(());
    };
    match given {
        Some(g) if bool::from(g.as_bytes().ct_eq(secret.as_bytes())) => Ok(()),
        _ => Err(ApiError::new(
            kind,
            format!(
                "Unable to verify secret hash for client {}",
                client.client_id
            ),
        )),
    }
}

pub fn get_tokens_from_refresh_token(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: RefreshReq = parse(body)?;
    let refreshed = ctx.with_db(|conn| {
        let token = required(req.refresh_token, "refreshToken")?;
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        check_client_secret(
            &client,
            req.client_secret.as_deref(),
            ErrorKind::NotAuthorized,
        )?;
        if !client.config.allows("REFRESH_TOKEN_AUTH") {
            return Err(ApiError::invalid_parameter(
                "Auth flow not enabled for this client",
            ));
        }
        refresh_flow(ctx, conn, &client, &pool, &token, None)
    })?;
    Ok(json!({"AuthenticationResult": refreshed.finish(ctx)?}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccessTokenReq {
    access_token: Option<String>,
}

pub fn get_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AccessTokenReq = parse(body)?;
    ctx.read(|conn| {
        let (_pool, user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        let attrs: Vec<Value> = user
            .attribute_list()
            .into_iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect();
        let mut out = json!({"Username": user.username, "UserAttributes": attrs});
        add_user_mfa_fields(conn, &user, &mut out)?;
        Ok(out)
    })
}

pub fn global_sign_out(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AccessTokenReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        store::revoke_user_tokens(conn, &pool.pool_id, &user.username)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: global sign-out");
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeReq {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub fn revoke_token(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: RevokeReq = parse(body)?;
    ctx.with_db(|conn| {
        let token = required(req.token, "token")?;
        let (client, _pool) = client_and_pool(conn, req.client_id)?;
        check_client_secret(&client, req.client_secret.as_deref(), ErrorKind::Unauthorized)?;
        if !client.config.enable_token_revocation {
            return Err(ApiError::new(
                ErrorKind::UnsupportedOperation,
                "Token revocation is not enabled for this app client.",
            ));
        }
        if jwt::peek_claims(&token).is_some() {
            return Err(ApiError::new(
                ErrorKind::UnsupportedTokenType,
                "Only refresh tokens can be revoked.",
            ));
        }
        if !valid_refresh_shape(&token) {
            return Err(ApiError::invalid_parameter("Invalid token."));
        }
        let hash = sha256(&[token.as_bytes()]);
        match store::refresh_by_hash(conn, &hash)? {
            Some(row) if row.client_id != client.client_id => Err(ApiError::new(
                ErrorKind::Unauthorized,
                "The token was not issued to this client.",
            )),
            Some(row) => {
                store::revoke_refresh(conn, &hash)?;
                tracing::info!(pool = %row.pool_id, username = %row.username, "local pool: refresh token revoked");
                Ok(json!({}))
            }
            // RFC 7009: revoking an unknown token is not an error.
            None => Ok(json!({})),
        }
    })
}
