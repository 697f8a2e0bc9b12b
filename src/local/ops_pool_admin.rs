//! Tearing down and changing what CreateUserPool and CreateUserPoolClient made: DeleteUserPool
//! (with everything in the pool, unless deletion protection is on), DeleteUserPoolClient (with
//! its tokens and sessions) and UpdateUserPoolClient. SigV4 operations on AWS and here.

use serde::Deserialize;
use serde_json::{Value, json};

use super::access::required;
use super::clients::{ClientReq, client_config, client_json};
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult};
use super::store::{self, ClientRow};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolReq {
    user_pool_id: Option<String>,
}

/// DeleteUserPool: the pool and everything in it; refused while deletion protection is ACTIVE.
pub fn delete_user_pool(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: PoolReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &pool_id)?;
        if pool.config.deletion_protection == "ACTIVE" {
            return Err(ApiError::invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated. \
                 Deletion protection must be inactivated first.",
            ));
        }
        store::delete_pool(conn, &pool.pool_id)?;
        Ok(())
    })?;
    ctx.forget_pool_keys(&pool_id);
    tracing::info!(pool = %pool_id, "local pool: user pool deleted");
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClientIdReq {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

/// The named client of the named pool, or Cognito's ResourceNotFoundException.
fn pool_client(
    conn: &rusqlite::Connection,
    pool_id: Option<String>,
    client_id: Option<String>,
) -> ApiResult<ClientRow> {
    let pool_id = required(pool_id, "userPoolId")?;
    let client_id = required(client_id, "clientId")?;
    store::require_pool(conn, &pool_id)?;
    match store::get_client(conn, &client_id)? {
        Some(c) if c.pool_id == pool_id => Ok(c),
        _ => Err(ApiError::resource_not_found(format!(
            "User pool client {client_id} does not exist."
        ))),
    }
}

/// DeleteUserPoolClient: the client, its refresh tokens and its open challenge sessions.
pub fn delete_user_pool_client(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ClientIdReq = parse(body)?;
    ctx.with_db(|conn| {
        let client = pool_client(conn, req.user_pool_id, req.client_id)?;
        store::delete_client(conn, &client.client_id)?;
        tracing::info!(pool = %client.pool_id, client = %client.client_id, "local pool: app client deleted");
        Ok(json!({}))
    })
}

/// UpdateUserPoolClient. As on Cognito, a setting left out of the request goes back to its
/// default; the client's id and secret stay, and so does its name unless a new one is given.
pub fn update_user_pool_client(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ClientReq = parse(body)?;
    let config = client_config(&req)?;
    if let Some(name) = &req.client_name
        && (name.is_empty() || name.chars().count() > 128)
    {
        return Err(ApiError::invalid_parameter(
            "ClientName must be between 1 and 128 characters",
        ));
    }
    let now = ctx.now();
    ctx.with_db(|conn| {
        let mut client = pool_client(conn, req.user_pool_id.clone(), req.client_id.clone())?;
        if let Some(name) = &req.client_name {
            client.name = name.clone();
        }
        client.config = config;
        client.modified = now;
        store::update_client(conn, &client)?;
        tracing::info!(pool = %client.pool_id, client = %client.client_id, "local pool: app client updated");
        Ok(json!({"UserPoolClient": client_json(&client)}))
    })
}
