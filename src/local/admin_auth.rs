//! AdminInitiateAuth and AdminRespondToAuthChallenge: the server-side entry points of the same
//! flows InitiateAuth and RespondToAuthChallenge run. They differ only in who may call them
//! (SigV4, checked by the operation table), in naming the pool as well as the app client (which
//! must belong to it), and in the flows allowed: ADMIN_USER_PASSWORD_AUTH (and its legacy name
//! ADMIN_NO_SRP_AUTH, both needing ALLOW_ADMIN_USER_PASSWORD_AUTH on the client) instead of
//! USER_PASSWORD_AUTH. Every other flow and every challenge answer goes to the one place that
//! runs it for the client-facing operations.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::access::required;
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult};
use super::hooks_auth;
use super::store::{self, ClientRow, PoolRow};
use super::{next_step, ops_auth, ops_custom, ops_user_auth, respond, signin};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminAuthReq {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    auth_flow: Option<String>,
    #[serde(default)]
    auth_parameters: Option<HashMap<String, String>>,
}

/// The pool the request names and its app client; a client of another pool does not exist
/// there.
fn pool_and_client(
    conn: &rusqlite::Connection,
    pool_id: Option<String>,
    client_id: Option<String>,
) -> ApiResult<(PoolRow, ClientRow)> {
    let pool_id = required(pool_id, "userPoolId")?;
    let client_id = required(client_id, "clientId")?;
    let pool = store::require_pool(conn, &pool_id)?;
    match store::get_client(conn, &client_id)? {
        Some(c) if c.pool_id == pool.pool_id => Ok((pool, c)),
        _ => Err(ApiError::resource_not_found(format!(
            "User pool client {client_id} does not exist."
        ))),
    }
}

/// The request without `UserPoolId`, as the client-facing operation takes it.
fn without_pool_id(mut body: Value) -> Value {
    if let Some(o) = body.as_object_mut() {
        o.remove("UserPoolId");
    }
    body
}

/// AdminInitiateAuth: ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH here; USER_SRP_AUTH,
/// REFRESH_TOKEN_AUTH / REFRESH_TOKEN, CUSTOM_AUTH and USER_AUTH by the flows InitiateAuth
/// runs.
pub fn admin_initiate_auth(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminAuthReq = parse(body.clone())?;
    let flow = required(req.auth_flow, "authFlow")?;
    if let ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", Some(params)) =
        (flow.as_str(), &req.auth_parameters)
    {
        hooks_auth::before_sign_in(
            ctx,
            req.client_id.as_deref(),
            req.user_pool_id.as_deref(),
            "ADMIN_USER_PASSWORD_AUTH",
            params,
            body.get("ClientMetadata"),
        )?;
    }
    let admin_password = ctx.with_db(|conn| {
        let (pool, client) = pool_and_client(conn, req.user_pool_id, req.client_id)?;
        match flow.as_str() {
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                if !client.config.allows("ADMIN_USER_PASSWORD_AUTH") {
                    return Err(ApiError::invalid_parameter(
                        "Auth flow not enabled for this client",
                    ));
                }
                let params = req.auth_parameters.clone().unwrap_or_default();
                let user = signin::verify_password(ctx, conn, &client, &pool, &params)?;
                next_step::password_ok_unsigned(ctx, conn, &pool, &client, &user).map(Some)
            }
            "USER_PASSWORD_AUTH" => Err(ApiError::invalid_parameter(
                "Initiate Auth method not supported.",
            )),
            _ => Ok(None),
        }
    })?;
    if let Some(answer) = admin_password {
        return answer.finish(ctx);
    }
    let body = without_pool_id(body);
    match flow.as_str() {
        "CUSTOM_AUTH" => ops_custom::initiate_custom_auth(ctx, body),
        "USER_AUTH" => ops_user_auth::initiate_user_auth(ctx, body),
        // USER_SRP_AUTH, the refresh flows, and InitiateAuth's answer to an unknown flow.
        _ => ops_auth::initiate_auth(ctx, body),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminAnswerReq {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

/// AdminRespondToAuthChallenge: every challenge RespondToAuthChallenge answers, for a client of
/// the named pool.
pub fn admin_respond_to_auth_challenge(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminAnswerReq = parse(body.clone())?;
    ctx.with_db(|conn| pool_and_client(conn, req.user_pool_id, req.client_id))?;
    respond::respond_to_auth_challenge(ctx, without_pool_id(body))
}
