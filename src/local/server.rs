//! The axum front of the embedded pool: `POST /` dispatched on `X-Amz-Target`, the JWKS, the
//! outbox, behind the edge's checks (`edge.rs`). A request from a web page (an `Origin`
//! header) never reaches a SigV4 operation; the unsigned ones answer it with CORS. Each
//! operation runs on the blocking pool (its writes in one store transaction, its reads on
//! read-only connections), so SQLite and the SRP/RSA math never stall the async
//! executor.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::cognito::types::{AMZ_JSON_1_1, TARGET_PREFIX};

use super::ctx::{Ctx, with_request_region};
use super::edge::{
    self, CorsAllowed, Edge, error_response, error_with_status, json_response, method_not_allowed,
    not_found,
};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::store;
use super::{
    admin_auth, ops_account, ops_auth, ops_custom, ops_domains, ops_groups, ops_idps, ops_mfa,
    ops_pool_admin, ops_pools, ops_resources, ops_schema, ops_signup, ops_user_attributes,
    ops_user_auth, ops_users, respond, shapes,
};
use super::{delivery, hooks_auth};

/// One operation of the pool: its `X-Amz-Target` name, whether AWS authorises it with SigV4
/// (the pool then requires a signature, see [`super::sigv4`]), whether it issues or checks
/// tokens (the pool's signing keys must exist first), and the function that answers it
/// (blocking: it runs on the blocking pool).
pub struct Operation {
    pub name: &'static str,
    pub sigv4: bool,
    pub needs_keys: bool,
    pub handler: fn(&Ctx, Value) -> ApiResult<Value>,
}

const fn op(
    name: &'static str,
    sigv4: bool,
    needs_keys: bool,
    handler: fn(&Ctx, Value) -> ApiResult<Value>,
) -> Operation {
    Operation {
        name,
        sigv4,
        needs_keys,
        handler,
    }
}

/// Every operation the pool answers: dispatch, the SigV4 check and the list all read this.
pub const OPERATIONS: &[Operation] = &[
    op("SignUp", false, false, ops_signup::sign_up),
    op("ConfirmSignUp", false, false, ops_signup::confirm_sign_up),
    op(
        "ResendConfirmationCode",
        false,
        false,
        ops_signup::resend_confirmation_code,
    ),
    op("InitiateAuth", false, true, initiate_auth),
    op(
        "RespondToAuthChallenge",
        false,
        true,
        respond::respond_to_auth_challenge,
    ),
    op(
        "GetTokensFromRefreshToken",
        false,
        true,
        ops_auth::get_tokens_from_refresh_token,
    ),
    op("GetUser", false, true, ops_auth::get_user),
    op("GlobalSignOut", false, true, ops_auth::global_sign_out),
    op(
        "UpdateUserAttributes",
        false,
        true,
        ops_user_attributes::update_user_attributes,
    ),
    op(
        "GetUserAttributeVerificationCode",
        false,
        true,
        ops_user_attributes::get_user_attribute_verification_code,
    ),
    op(
        "VerifyUserAttribute",
        false,
        true,
        ops_user_attributes::verify_user_attribute,
    ),
    op("RevokeToken", false, false, ops_auth::revoke_token),
    op(
        "AdminInitiateAuth",
        true,
        true,
        admin_auth::admin_initiate_auth,
    ),
    op(
        "AdminRespondToAuthChallenge",
        true,
        true,
        admin_auth::admin_respond_to_auth_challenge,
    ),
    op("ListUsers", true, false, ops_users::list_users),
    op("CreateUserPool", true, false, ops_pools::create_user_pool),
    op(
        "CreateUserPoolClient",
        true,
        false,
        ops_pools::create_user_pool_client,
    ),
    op(
        "DescribeUserPool",
        true,
        false,
        ops_pools::describe_user_pool,
    ),
    op(
        "DescribeUserPoolClient",
        true,
        false,
        ops_pools::describe_user_pool_client,
    ),
    op("ListUserPools", true, false, ops_pools::list_user_pools),
    op(
        "ListUserPoolClients",
        true,
        false,
        ops_pools::list_user_pool_clients,
    ),
    op(
        "AdminConfirmSignUp",
        true,
        false,
        ops_users::admin_confirm_sign_up,
    ),
    op("ForgotPassword", false, false, ops_account::forgot_password),
    op(
        "ConfirmForgotPassword",
        false,
        false,
        ops_account::confirm_forgot_password,
    ),
    op("ChangePassword", false, true, ops_account::change_password),
    op("DeleteUser", false, true, ops_account::delete_user),
    op(
        "DeleteUserAttributes",
        false,
        true,
        ops_user_attributes::delete_user_attributes,
    ),
    op("AdminGetUser", true, false, ops_users::admin_get_user),
    op("AdminDeleteUser", true, false, ops_users::admin_delete_user),
    op(
        "AdminDisableUser",
        true,
        false,
        ops_users::admin_disable_user,
    ),
    op("AdminEnableUser", true, false, ops_users::admin_enable_user),
    op(
        "AdminUserGlobalSignOut",
        true,
        false,
        ops_users::admin_user_global_sign_out,
    ),
    op("AdminCreateUser", true, false, ops_users::admin_create_user),
    op(
        "AdminSetUserPassword",
        true,
        false,
        ops_users::admin_set_user_password,
    ),
    op(
        "SetUserPoolMfaConfig",
        true,
        false,
        ops_mfa::set_user_pool_mfa_config,
    ),
    op(
        "GetUserPoolMfaConfig",
        true,
        false,
        ops_mfa::get_user_pool_mfa_config,
    ),
    op(
        "SetUserMFAPreference",
        false,
        true,
        ops_mfa::set_user_mfa_preference,
    ),
    op(
        "AdminSetUserMFAPreference",
        true,
        false,
        ops_mfa::admin_set_user_mfa_preference,
    ),
    op(
        "AssociateSoftwareToken",
        false,
        true,
        ops_mfa::associate_software_token,
    ),
    op(
        "VerifySoftwareToken",
        false,
        true,
        ops_mfa::verify_software_token,
    ),
    op(
        "AdminResetUserPassword",
        true,
        false,
        ops_mfa::admin_reset_user_password,
    ),
    op("UpdateUserPool", true, false, ops_pools::update_user_pool),
    op(
        "DeleteUserPool",
        true,
        false,
        ops_pool_admin::delete_user_pool,
    ),
    op(
        "DeleteUserPoolClient",
        true,
        false,
        ops_pool_admin::delete_user_pool_client,
    ),
    op(
        "UpdateUserPoolClient",
        true,
        false,
        ops_pool_admin::update_user_pool_client,
    ),
    op("CreateGroup", true, false, ops_groups::create_group),
    op("GetGroup", true, false, ops_groups::get_group_op),
    op("UpdateGroup", true, false, ops_groups::update_group),
    op("DeleteGroup", true, false, ops_groups::delete_group),
    op("ListGroups", true, false, ops_groups::list_groups),
    op(
        "AdminAddUserToGroup",
        true,
        false,
        ops_groups::admin_add_user_to_group,
    ),
    op(
        "AdminRemoveUserFromGroup",
        true,
        false,
        ops_groups::admin_remove_user_from_group,
    ),
    op(
        "AdminListGroupsForUser",
        true,
        false,
        ops_groups::admin_list_groups_for_user,
    ),
    op(
        "ListUsersInGroup",
        true,
        false,
        ops_groups::list_users_in_group,
    ),
    op(
        "AdminUpdateUserAttributes",
        true,
        false,
        ops_users::admin_update_user_attributes,
    ),
    op(
        "AdminDeleteUserAttributes",
        true,
        false,
        ops_users::admin_delete_user_attributes,
    ),
    op(
        "AdminListDevices",
        true,
        false,
        ops_users::admin_list_devices,
    ),
    op(
        "AddCustomAttributes",
        true,
        false,
        ops_schema::add_custom_attributes,
    ),
    op(
        "CreateUserPoolDomain",
        true,
        false,
        ops_domains::create_user_pool_domain,
    ),
    op(
        "DescribeUserPoolDomain",
        true,
        false,
        ops_domains::describe_user_pool_domain,
    ),
    op(
        "UpdateUserPoolDomain",
        true,
        false,
        ops_domains::update_user_pool_domain,
    ),
    op(
        "DeleteUserPoolDomain",
        true,
        false,
        ops_domains::delete_user_pool_domain,
    ),
    op(
        "CreateResourceServer",
        true,
        false,
        ops_resources::create_resource_server,
    ),
    op(
        "DescribeResourceServer",
        true,
        false,
        ops_resources::describe_resource_server,
    ),
    op(
        "ListResourceServers",
        true,
        false,
        ops_resources::list_resource_servers,
    ),
    op(
        "UpdateResourceServer",
        true,
        false,
        ops_resources::update_resource_server,
    ),
    op(
        "DeleteResourceServer",
        true,
        false,
        ops_resources::delete_resource_server,
    ),
    op(
        "CreateIdentityProvider",
        true,
        false,
        ops_idps::create_identity_provider,
    ),
    op(
        "DescribeIdentityProvider",
        true,
        false,
        ops_idps::describe_identity_provider,
    ),
    op(
        "ListIdentityProviders",
        true,
        false,
        ops_idps::list_identity_providers,
    ),
    op(
        "UpdateIdentityProvider",
        true,
        false,
        ops_idps::update_identity_provider,
    ),
    op(
        "DeleteIdentityProvider",
        true,
        false,
        ops_idps::delete_identity_provider,
    ),
];

/// The operation named `name`, if the pool answers it.
pub fn operation(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.name == name)
}

/// InitiateAuth, by AuthFlow: CUSTOM_AUTH and USER_AUTH have their own modules.
fn initiate_auth(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    match body.get("AuthFlow").and_then(Value::as_str) {
        Some("CUSTOM_AUTH") => ops_custom::initiate_custom_auth(ctx, body),
        Some("USER_AUTH") => ops_user_auth::initiate_user_auth(ctx, body),
        _ => ops_auth::initiate_auth(ctx, body),
    }
}

fn unknown_operation(name: &str) -> ApiError {
    ApiError::new(
        ErrorKind::UnknownOperation,
        format!(
            "Operation {} is not supported by the embedded user pool",
            echo(name)
        ),
    )
}

/// Runs one operation (blocking: call from the blocking pool) in the request's region.
fn run(ctx: &Ctx, op: &Operation, body: Value, region: Option<String>) -> ApiResult<Value> {
    if op.needs_keys {
        ctx.ensure_keys()?;
    }
    let client_id = body
        .get("ClientId")
        .and_then(Value::as_str)
        .map(str::to_string);
    with_request_region(region, || {
        // Whatever an earlier request on this thread left (it failed before its messages).
        delivery::take_pending();
        let result = (op.handler)(ctx, body);
        let pending = delivery::take_pending();
        if pending.is_empty() {
            return result;
        }
        // The CustomMessage trigger, after the request's transaction: its error is the answer.
        let messages = hooks_auth::custom_messages(ctx, op.name, client_id.as_deref(), pending);
        match (result, messages) {
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) | (Err(e), _) => Err(e),
        }
    })
}

/// The region a request was signed for (its SigV4 credential scope,
/// `Credential=AKID/20260101/eu-west-1/cognito-idp/aws4_request`) or addressed to (a Host of
/// `cognito-idp.eu-west-1.amazonaws.com`).
fn request_region_of(headers: &HeaderMap) -> Option<String> {
    let valid = |r: &str| {
        !r.is_empty()
            && r.len() <= 32
            && r.contains('-')
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let from_scope = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split([',', ' ']).next())
        .and_then(|scope| scope.split('/').nth(2));
    let from_host = || {
        headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("cognito-idp."))
            .and_then(|h| h.split('.').next())
    };
    from_scope
        .filter(|r| valid(r))
        .or_else(|| from_host().filter(|r| valid(r)))
        .map(str::to_string)
}

/// `reseed` puts the demo pool back after `POST /_local/reset` has emptied the store.
pub fn router(ctx: Arc<Ctx>, edge: Edge, reseed: fn(&Ctx) -> anyhow::Result<bool>) -> Router {
    Router::new()
        .route("/", post(api).get(index).fallback(method_not_allowed))
        .route(
            "/{pool_id}/.well-known/jwks.json",
            get(jwks).fallback(method_not_allowed),
        )
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration).fallback(method_not_allowed),
        )
        .route("/_local/outbox", get(outbox).fallback(method_not_allowed))
        .route(
            "/_local/srp/{u}",
            get(srp_side).fallback(method_not_allowed),
        )
        .route(
            "/_local/triggers",
            get(triggers).fallback(method_not_allowed),
        )
        .route(
            "/_local/reset",
            post(
                move |state: State<Arc<Ctx>>, peer: ConnectInfo<SocketAddr>, headers: HeaderMap| {
                    reset(state, peer, headers, reseed)
                },
            )
            .fallback(method_not_allowed),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::new(edge), edge::guard))
        .with_state(ctx)
}

/// `POST /`: one operation. Answers of the unsigned operations carry CORS for pages; a SigV4
/// operation refuses any request with an `Origin` header (a page's), before its signature.
async fn api(
    State(ctx): State<Arc<Ctx>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let operation = target.strip_prefix(TARGET_PREFIX).and_then(operation);
    if let Some(op) = operation
        && op.sigv4
    {
        if headers.contains_key("origin") {
            tracing::info!(
                operation = op.name,
                "local pool: refused a page's SigV4 call"
            );
            return edge::page_refused(op.name);
        }
        return dispatch(ctx, &target, operation, uri, headers, body).await;
    }
    let mut resp = dispatch(ctx, &target, operation, uri, headers, body).await;
    resp.extensions_mut().insert(CorsAllowed);
    resp
}

async fn dispatch(
    ctx: Arc<Ctx>,
    target: &str,
    operation: Option<&'static Operation>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(operation) = operation else {
        return error_response(&match target.strip_prefix(TARGET_PREFIX) {
            Some(name) => unknown_operation(name),
            None if target.is_empty() => {
                ApiError::new(ErrorKind::UnknownOperation, "Missing X-Amz-Target header")
            }
            None => ApiError::new(
                ErrorKind::UnknownOperation,
                format!("Unknown target {}", echo(target)),
            ),
        });
    };
    let op = operation.name;
    if operation.sigv4
        && let Err(e) = super::sigv4::verify(
            ctx.sigv4_credentials.get(),
            ctx.now_dt(),
            "POST",
            &uri,
            &headers,
            &body,
        )
    {
        tracing::debug!(operation = %op, error = e.kind.as_str(), "local pool: SigV4 rejected");
        return error_response(&e);
    }
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return error_response(&ApiError::serialization(
                    "Start of structure or map found where not expected.",
                ));
            }
            Err(_) => {
                return error_response(&ApiError::serialization(
                    "The request body is not valid JSON.",
                ));
            }
        }
    };
    if let Err(e) = shapes::check_common_members(&value) {
        return error_response(&e);
    }
    let region = request_region_of(&headers);
    let started = std::time::Instant::now();
    let result = tokio::task::spawn_blocking(move || run(&ctx, operation, value, region)).await;
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(operation = %op, error = %e, "local pool: operation panicked");
            Err(ApiError::internal("Internal error"))
        }
    };
    let ms = started.elapsed().as_millis();
    match result {
        Ok(v) => {
            tracing::debug!(operation = %op, ms, "local pool: ok");
            json_response(StatusCode::OK, AMZ_JSON_1_1, &v)
        }
        Err(e) => {
            tracing::debug!(operation = %op, ms, error = e.kind.as_str(), "local pool: error");
            error_response(&e)
        }
    }
}

async fn index(State(ctx): State<Arc<Ctx>>) -> Response {
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({"service": "cognito-tui embedded user pool", "url": ctx.base_url}),
    )
}

/// The answer to a public document's path that is not UTF-8: it names no pool.
fn unreadable_pool_path() -> Response {
    error_with_status(
        &ApiError::new(
            ErrorKind::NotFound,
            "The pool id in the path is not valid UTF-8",
        ),
        StatusCode::NOT_FOUND,
    )
}

/// A pool's public document (JWKS, OIDC discovery) as pages may read it: 404 for an unknown
/// pool, Cognito's error otherwise.
fn public_document(res: ApiResult<Value>) -> Response {
    let mut resp = match res {
        Ok(v) => json_response(StatusCode::OK, "application/json", &v),
        Err(e) if e.kind == ErrorKind::ResourceNotFound => {
            error_with_status(&e, StatusCode::NOT_FOUND)
        }
        Err(e) => error_response(&e),
    };
    resp.extensions_mut().insert(CorsAllowed);
    resp
}

/// A pool's public keys; pages may read them.
async fn jwks(
    State(ctx): State<Arc<Ctx>>,
    pool_id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(pool_id)) = pool_id else {
        return unreadable_pool_path();
    };
    let res = tokio::task::spawn_blocking(move || {
        ctx.ensure_keys()?;
        let pool = ctx.read(|c| store::require_pool(c, &pool_id))?;
        // A pool created while no key pair was ready gets its keys on the writer.
        let keys = if pool.id_key_pem.is_empty() || pool.access_key_pem.is_empty() {
            ctx.with_db(|c| {
                let pool = store::require_pool(c, &pool_id)?;
                ctx.pool_keys(c, &pool)
            })?
        } else {
            ctx.read(|c| ctx.pool_keys(c, &pool))?
        };
        Ok::<_, ApiError>(keys.jwks())
    })
    .await
    .unwrap_or_else(|_| Err(ApiError::internal("Internal error")));
    public_document(res)
}

/// The OIDC discovery document of a pool: its issuer (the `iss` of its tokens) and the JWKS
/// URL beside it, as Cognito publishes them. The OAuth endpoints it names are where this
/// server will answer them; they are not served yet.
async fn openid_configuration(
    State(ctx): State<Arc<Ctx>>,
    pool_id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(pool_id)) = pool_id else {
        return unreadable_pool_path();
    };
    let res = tokio::task::spawn_blocking(move || {
        let pool = ctx.read(|c| store::require_pool(c, &pool_id))?;
        let issuer = ctx.issuer(&pool.pool_id);
        let base = &ctx.base_url;
        Ok::<_, ApiError>(json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "revocation_endpoint": format!("{base}/oauth2/revoke"),
            "end_session_endpoint": format!("{base}/logout"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }))
    })
    .await
    .unwrap_or_else(|_| Err(ApiError::internal("Internal error")));
    public_document(res)
}

async fn outbox(State(ctx): State<Arc<Ctx>>) -> Response {
    let res = tokio::task::spawn_blocking(move || ctx.read(store::read_outbox))
        .await
        .unwrap_or_else(|_| Err(ApiError::internal("Internal error")));
    match res {
        Ok(entries) => json_response(
            StatusCode::OK,
            "application/json",
            &serde_json::to_value(entries).unwrap_or_else(|_| json!([])),
        ),
        Err(e) => error_response(&e),
    }
}

/// `GET /_local/srp/{u}`: the server's side of a recent SRP sign-in whose u (hex) is `u`,
/// published only after its PASSWORD_VERIFIER answer was checked and committed (why that is
/// safe: `srp_sides.rs`). Only from this machine, never from a browser page.
async fn srp_side(
    State(ctx): State<Arc<Ctx>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    u: Result<Path<String>, PathRejection>,
) -> Response {
    if !peer.ip().is_loopback() || headers.contains_key("origin") {
        let mut r = error_response(&ApiError::new(
            ErrorKind::NotAuthorized,
            "The SRP record is only available to local clients, not to browser pages",
        ));
        *r.status_mut() = StatusCode::FORBIDDEN;
        return r;
    }
    let found = u
        .ok()
        .filter(|Path(u)| u.len() <= 64 && u.bytes().all(|b| b.is_ascii_hexdigit()))
        .and_then(|Path(u)| ctx.srp_sides.get(&u, ctx.now()));
    match found {
        Some(side) => json_response(
            StatusCode::OK,
            "application/json",
            &serde_json::to_value(side).unwrap_or_else(|_| json!({})),
        ),
        None => error_with_status(
            &ApiError::resource_not_found(format!(
                "No checked SRP sign-in with this u: the pool keeps the last {} for {} minutes, \
                 once their PASSWORD_VERIFIER answer has been checked",
                super::srp_sides::KEPT,
                super::srp_sides::KEPT_SECS / 60
            )),
            StatusCode::NOT_FOUND,
        ),
    }
}

/// `GET /_local/triggers[?after=<seq>][&pool=<pool id>]`: the pool's latest trigger runs
/// (see `trigger_log.rs`), oldest first, as a JSON array; `after` keeps only the later ones.
/// The edge keeps it, like the outbox, from browser pages.
async fn triggers(
    State(ctx): State<Arc<Ctx>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let mut after = 0u64;
    let mut pool: Option<String> = None;
    for pair in query.as_deref().unwrap_or("").split('&') {
        match pair.split_once('=') {
            Some(("after", v)) => match v.parse() {
                Ok(n) => after = n,
                Err(_) => {
                    return error_response(&ApiError::invalid_parameter(
                        "after must be a sequence number",
                    ));
                }
            },
            Some(("pool", v)) if !v.is_empty() && v.len() <= 55 => pool = Some(v.to_string()),
            _ => {}
        }
    }
    let runs = ctx.trigger_log.after(after, pool.as_deref());
    json_response(
        StatusCode::OK,
        "application/json",
        &serde_json::to_value(runs).unwrap_or_else(|_| json!([])),
    )
}

/// `POST /_local/reset`: the store back to its freshly seeded state (the demo pool, its clients
/// and users; every other pool, user, code, session and token gone). For test suites between
/// tests; only from this machine, and never from a browser page (a request with an `Origin`
/// is refused).
async fn reset(
    State(ctx): State<Arc<Ctx>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    reseed: fn(&Ctx) -> anyhow::Result<bool>,
) -> Response {
    if !peer.ip().is_loopback() || headers.contains_key("origin") {
        let mut r = error_response(&ApiError::new(
            ErrorKind::NotAuthorized,
            "The reset is only available to local clients, not to browser pages",
        ));
        *r.status_mut() = StatusCode::FORBIDDEN;
        return r;
    }
    let res = tokio::task::spawn_blocking(move || ctx.reset(reseed))
        .await
        .unwrap_or_else(|_| Err(ApiError::internal("Internal error")));
    match res {
        Ok(()) => {
            tracing::info!("local pool: reset to the seeded state");
            json_response(StatusCode::OK, "application/json", &json!({"reset": true}))
        }
        Err(e) => error_response(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_operation_once_and_signs_what_aws_signs() {
        let mut names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len());
        for o in OPERATIONS {
            assert_eq!(
                o.sigv4,
                crate::cognito::sigv4::needs_sigv4(o.name),
                "{}",
                o.name
            );
        }
        assert!(operation("InitiateAuth").is_some_and(|o| o.needs_keys && !o.sigv4));
        assert!(operation("Nope").is_none());
    }
}
