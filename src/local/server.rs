//! The axum front of the embedded pool: `POST /` dispatched on `X-Amz-Target`, the JWKS, the
//! outbox, permissive CORS. Each operation runs on the blocking pool with the store locked, so
//! SQLite and the SRP/RSA math never stall the async executor.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::cognito::types::{AMZ_JSON_1_1, TARGET_PREFIX};

use super::ctx::Ctx;
use super::error::{ApiError, ApiResult, ErrorKind};
use super::store;
use super::{
    ops_account, ops_auth, ops_custom, ops_domains, ops_groups, ops_idps, ops_mfa, ops_pools,
    ops_resources, ops_schema, ops_signup, ops_user_auth, ops_users, respond,
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
    op("RevokeToken", false, false, ops_auth::revoke_token),
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
        format!("Operation {name} is not supported by the embedded user pool"),
    )
}

/// Runs one operation (blocking: call from the blocking pool).
fn run(ctx: &Ctx, op: &Operation, body: Value) -> ApiResult<Value> {
    if op.needs_keys {
        ctx.ensure_keys()?;
    }
    (op.handler)(ctx, body)
}

pub fn router(ctx: Arc<Ctx>) -> Router {
    Router::new()
        .route("/", post(api).get(index))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/_local/outbox", get(outbox))
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
    let started = std::time::Instant::now();
    let result = tokio::task::spawn_blocking(move || run(&ctx, operation, value)).await;
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
        let pool = ctx.with_db(|c| store::require_pool(c, &pool_id))?;
        Ok::<_, ApiError>(ctx.pool_keys(&pool)?.jwks())
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

/// The OIDC discovery document of a pool: its issuer (the `iss` of its tokens) and the JWKS
/// URL beside it, as Cognito publishes them. The OAuth endpoints it names are where this
/// server will answer them; they are not served yet.
async fn openid_configuration(
    State(ctx): State<Arc<Ctx>>,
    Path(pool_id): Path<String>,
) -> Response {
    let res = tokio::task::spawn_blocking(move || {
        let pool = ctx.with_db(|c| store::require_pool(c, &pool_id))?;
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
