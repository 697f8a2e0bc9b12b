//! The axum front of the embedded pool: `POST /` dispatched on `X-Amz-Target`, the JWKS, the
//! outbox, permissive CORS. Each operation runs on the blocking pool with the store locked, so
//! SQLite and the SRP/RSA math never stall the async executor.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::cognito::types::{AMZ_JSON_1_1, TARGET_PREFIX};

use super::ctx::{Ctx, with_request_region};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::store;
use super::{
    admin_auth, ops_account, ops_auth, ops_custom, ops_groups, ops_mfa, ops_pool_admin, ops_pools,
    ops_signup, ops_user_attributes, ops_user_auth, ops_users, respond,
};

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
        format!("Operation {name} is not supported by the embedded user pool"),
    )
}

/// Runs one operation (blocking: call from the blocking pool) in the request's region.
fn run(ctx: &Ctx, op: &Operation, body: Value, region: Option<String>) -> ApiResult<Value> {
    if op.needs_keys {
        ctx.ensure_keys()?;
    }
    with_request_region(region, || (op.handler)(ctx, body))
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
pub fn router(ctx: Arc<Ctx>, reseed: fn(&Ctx) -> anyhow::Result<bool>) -> Router {
    Router::new()
        .route("/", post(api).get(index))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route("/_local/outbox", get(outbox))
        .route(
            "/_local/reset",
            post(
                move |state: State<Arc<Ctx>>, peer: ConnectInfo<SocketAddr>, headers: HeaderMap| {
                    reset(state, peer, headers, reseed)
                },
            ),
        )
        .fallback(not_found)
        .layer(middleware::from_fn(cors))
        .with_state(ctx)
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn json_response(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

pub fn error_response(err: &ApiError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({"__type": err.kind.as_str(), "message": err.message});
    let mut resp = json_response(status, AMZ_JSON_1_1, &body);
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{}:", err.kind)) {
        h.insert("x-amzn-errortype", v);
    }
    if let Ok(v) = HeaderValue::from_str(&err.message) {
        h.insert("x-amzn-errormessage", v);
    }
    resp
}

async fn api(
    State(ctx): State<Arc<Ctx>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(op) = target.strip_prefix(TARGET_PREFIX).map(str::to_string) else {
        return error_response(&ApiError::new(
            ErrorKind::UnknownOperation,
            if target.is_empty() {
                "Missing X-Amz-Target header".to_string()
            } else {
                format!("Unknown target {target}")
            },
        ));
    };
    let Some(operation) = operation(&op) else {
        return error_response(&unknown_operation(&op));
    };
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

async fn jwks(State(ctx): State<Arc<Ctx>>, Path(pool_id): Path<String>) -> Response {
    let res = tokio::task::spawn_blocking(move || {
        ctx.ensure_keys()?;
        let keys = ctx.with_db(|c| {
            let pool = store::require_pool(c, &pool_id)?;
            ctx.pool_keys(c, &pool)
        })?;
        Ok::<_, ApiError>(keys.jwks())
    })
    .await
    .unwrap_or_else(|_| Err(ApiError::internal("Internal error")));
    match res {
        Ok(v) => json_response(StatusCode::OK, "application/json", &v),
        Err(e) if e.kind == ErrorKind::ResourceNotFound => {
            let mut r = error_response(&e);
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }
        Err(e) => error_response(&e),
    }
}

async fn outbox(State(ctx): State<Arc<Ctx>>) -> Response {
    let res = tokio::task::spawn_blocking(move || ctx.with_db(store::read_outbox))
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

async fn not_found() -> Response {
    let mut r = error_response(&ApiError::new(ErrorKind::NotFound, "No such resource"));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

const ALLOW_HEADERS: &str = "content-type, x-amz-target, x-amz-user-agent, x-amz-date, \
    x-amz-security-token, x-amz-content-sha256, amz-sdk-invocation-id, amz-sdk-request, \
    cache-control, authorization";
const EXPOSE_HEADERS: &str = "x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date";

/// Permissive CORS so Amplify in a browser can talk to the pool.
async fn cors(req: Request, next: Next) -> Response {
    let preflight = req.method() == Method::OPTIONS;
    let requested = req.headers().get("access-control-request-headers").cloned();
    let mut resp = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        HeaderName::from_static("access-control-allow-origin"),
        HeaderValue::from_static("*"),
    );
    h.insert(
        HeaderName::from_static("access-control-expose-headers"),
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    if preflight {
        h.insert(
            HeaderName::from_static("access-control-allow-methods"),
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        h.insert(
            HeaderName::from_static("access-control-allow-headers"),
            requested.unwrap_or(HeaderValue::from_static(ALLOW_HEADERS)),
        );
        h.insert(
            HeaderName::from_static("access-control-max-age"),
            HeaderValue::from_static("600"),
        );
    }
    resp
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
