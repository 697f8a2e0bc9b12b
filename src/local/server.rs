//! The axum front of the embedded pool: `POST /` dispatched on `X-Amz-Target`, the JWKS, the
//! outbox, permissive CORS. Each operation runs on the blocking pool with the store locked, so
//! SQLite and the SRP/RSA math never stall the async executor.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::error::{ApiError, ApiResult};
use super::jwt::{PoolKeys, SigningKey};
use super::store::{self, PoolRow};
use super::{ops_account, ops_admin, ops_auth, ops_custom, ops_groups, ops_mfa, ops_user_auth};

/// Shared state of one running pool.
pub struct Ctx {
    pub db: Mutex<Connection>,
    /// e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub base_url: String,
    /// Authenticates SECRET_BLOCKs and derives simulated users.
    pub server_key: [u8; 32],
    /// Seconds added to the wall clock (tests move time forward with it).
    pub clock_offset: AtomicI64,
    keys: Mutex<HashMap<String, Arc<PoolKeys>>>,
    /// Held while generating missing pool keys; `keys_ready` once none are missing.
    keygen: Mutex<()>,
    keys_ready: AtomicBool,
    /// The key pair SigV4 signatures are verified with; unset = any well-formed signature.
    pub sigv4_credentials: std::sync::OnceLock<super::sigv4::LocalCredentials>,
}

impl Ctx {
    pub fn new(conn: Connection, base_url: String, server_key: [u8; 32]) -> Self {
        Self {
            db: Mutex::new(conn),
            base_url,
            server_key,
            clock_offset: AtomicI64::new(0),
            keys: Mutex::new(HashMap::new()),
            keygen: Mutex::new(()),
            keys_ready: AtomicBool::new(false),
            sigv4_credentials: std::sync::OnceLock::new(),
        }
    }

    /// Generates the signing keys of every pool that has none yet (the seeded demo pool on a
    /// fresh store), outside the store lock. Cheap once done; concurrent callers wait for the
    /// one doing the work. Must not be called with the store locked.
    pub fn ensure_keys(&self) -> ApiResult<()> {
        if self.keys_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let _guard = self.keygen.lock().unwrap_or_else(|e| e.into_inner());
        if self.keys_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        for pool_id in self.with_db(store::pools_without_keys)? {
            let (id, access) = super::ops_admin::generate_key_pair().map_err(|e| {
                tracing::error!(error = %e, "local pool: key generation failed");
                ApiError::internal("Internal error: key generation failed")
            })?;
            self.with_db(|c| store::set_pool_keys(c, &pool_id, &id, &access))?;
            tracing::info!(pool = %pool_id, "local pool: signing keys generated");
        }
        self.keys_ready.store(true, Ordering::Release);
        Ok(())
    }

    pub fn now_dt(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
            + time::Duration::seconds(self.clock_offset.load(Ordering::Relaxed))
    }

    /// Unix seconds on the pool's clock.
    pub fn now(&self) -> i64 {
        self.now_dt().unix_timestamp()
    }

    /// The token issuer of a pool: this server's base URL plus `/{poolId}`.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.base_url, pool_id)
    }

    /// The pool's signing keys (parsed once, then cached).
    pub fn pool_keys(&self, pool: &PoolRow) -> ApiResult<Arc<PoolKeys>> {
        let mut cache = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = cache.get(&pool.pool_id) {
            return Ok(k.clone());
        }
        if pool.id_key_pem.is_empty() || pool.access_key_pem.is_empty() {
            return Err(ApiError::internal(
                "Internal error: the pool's signing keys are not generated yet",
            ));
        }
        let build = || -> anyhow::Result<PoolKeys> {
            Ok(PoolKeys {
                id: SigningKey::from_pem(&pool.id_kid, &pool.id_key_pem)?,
                access: SigningKey::from_pem(&pool.access_kid, &pool.access_key_pem)?,
            })
        };
        let keys = Arc::new(build().map_err(|e| {
            tracing::error!(error = %e, pool = %pool.pool_id, "local pool: unusable signing key");
            ApiError::internal("Internal error: signing keys unavailable")
        })?);
        cache.insert(pool.pool_id.clone(), keys.clone());
        Ok(keys)
    }

    /// Runs `f` with the store locked.
    pub fn with_db<T>(&self, f: impl FnOnce(&Connection) -> ApiResult<T>) -> ApiResult<T> {
        let conn = self.db.lock().unwrap_or_else(|e| e.into_inner());
        f(&conn)
    }
}

/// Parses a request body into an operation's input shape.
pub fn parse<T: DeserializeOwned>(body: Value) -> ApiResult<T> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::serialization(format!("Could not deserialize the request: {e}")))
}

/// Every operation the pool answers.
pub const OPERATIONS: &[&str] = &[
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetTokensFromRefreshToken",
    "GetUser",
    "GlobalSignOut",
    "RevokeToken",
    "ListUsers",
    "CreateUserPool",
    "CreateUserPoolClient",
    "DescribeUserPool",
    "DescribeUserPoolClient",
    "ListUserPools",
    "ListUserPoolClients",
    "AdminConfirmSignUp",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ChangePassword",
    "AdminGetUser",
    "AdminDeleteUser",
    "AdminDisableUser",
    "AdminEnableUser",
    "AdminUserGlobalSignOut",
    "AdminCreateUser",
    "AdminSetUserPassword",
    "SetUserPoolMfaConfig",
    "GetUserPoolMfaConfig",
    "SetUserMFAPreference",
    "AdminSetUserMFAPreference",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "AdminResetUserPassword",
    "UpdateUserPool",
    "CreateGroup",
    "GetGroup",
    "UpdateGroup",
    "DeleteGroup",
    "ListGroups",
    "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup",
    "AdminListGroupsForUser",
    "ListUsersInGroup",
    "AdminUpdateUserAttributes",
    "AdminDeleteUserAttributes",
    "AdminListDevices",
];

/// Runs one operation (blocking: call from the blocking pool).
pub fn dispatch(ctx: &Ctx, op: &str, body: Value) -> ApiResult<Value> {
    if matches!(
        op,
        "InitiateAuth"
            | "RespondToAuthChallenge"
            | "GetTokensFromRefreshToken"
            | "GetUser"
            | "GlobalSignOut"
            | "ChangePassword"
            | "SetUserMFAPreference"
            | "AssociateSoftwareToken"
            | "VerifySoftwareToken"
    ) {
        ctx.ensure_keys()?;
    }
    match op {
        "SignUp" => ops_custom::sign_up(ctx, body),
        "ConfirmSignUp" => ops_custom::confirm_sign_up(ctx, body),
        "ResendConfirmationCode" => ops_auth::resend_confirmation_code(ctx, body),
        "InitiateAuth" => match body.get("AuthFlow").and_then(Value::as_str) {
            Some("CUSTOM_AUTH") => ops_custom::initiate_custom_auth(ctx, body),
            Some("USER_AUTH") => ops_user_auth::initiate_user_auth(ctx, body),
            _ => ops_auth::initiate_auth(ctx, body),
        },
        "RespondToAuthChallenge" => ops_custom::respond_to_auth_challenge(ctx, body),
        "GetTokensFromRefreshToken" => ops_auth::get_tokens_from_refresh_token(ctx, body),
        "GetUser" => ops_auth::get_user(ctx, body),
        "GlobalSignOut" => ops_auth::global_sign_out(ctx, body),
        "RevokeToken" => ops_auth::revoke_token(ctx, body),
        "ListUsers" => ops_admin::list_users(ctx, body),
        "CreateUserPool" => ops_custom::create_user_pool(ctx, body),
        "UpdateUserPool" => ops_custom::update_user_pool(ctx, body),
        "CreateUserPoolClient" => ops_admin::create_user_pool_client(ctx, body),
        "DescribeUserPool" => ops_admin::describe_user_pool(ctx, body),
        "DescribeUserPoolClient" => ops_admin::describe_user_pool_client(ctx, body),
        "ListUserPools" => ops_admin::list_user_pools(ctx, body),
        "ListUserPoolClients" => ops_admin::list_user_pool_clients(ctx, body),
        "AdminConfirmSignUp" => ops_custom::admin_confirm_sign_up(ctx, body),
        "ForgotPassword" => ops_account::forgot_password(ctx, body),
        "ConfirmForgotPassword" => ops_custom::confirm_forgot_password(ctx, body),
        "ChangePassword" => ops_account::change_password(ctx, body),
        "AdminGetUser" => ops_admin::admin_get_user(ctx, body),
        "AdminDeleteUser" => ops_admin::admin_delete_user(ctx, body),
        "AdminDisableUser" => ops_admin::admin_disable_user(ctx, body),
        "AdminEnableUser" => ops_admin::admin_enable_user(ctx, body),
        "AdminUserGlobalSignOut" => ops_admin::admin_user_global_sign_out(ctx, body),
        "AdminCreateUser" => ops_custom::admin_create_user(ctx, body),
        "AdminSetUserPassword" => ops_admin::admin_set_user_password(ctx, body),
        "SetUserPoolMfaConfig" => ops_mfa::set_user_pool_mfa_config(ctx, body),
        "GetUserPoolMfaConfig" => ops_mfa::get_user_pool_mfa_config(ctx, body),
        "SetUserMFAPreference" => ops_mfa::set_user_mfa_preference(ctx, body),
        "AdminSetUserMFAPreference" => ops_mfa::admin_set_user_mfa_preference(ctx, body),
        "AssociateSoftwareToken" => ops_mfa::associate_software_token(ctx, body),
        "VerifySoftwareToken" => ops_mfa::verify_software_token(ctx, body),
        "AdminResetUserPassword" => ops_mfa::admin_reset_user_password(ctx, body),
        "CreateGroup" => ops_groups::create_group(ctx, body),
        "GetGroup" => ops_groups::get_group_op(ctx, body),
        "UpdateGroup" => ops_groups::update_group(ctx, body),
        "DeleteGroup" => ops_groups::delete_group(ctx, body),
        "ListGroups" => ops_groups::list_groups(ctx, body),
        "AdminAddUserToGroup" => ops_groups::admin_add_user_to_group(ctx, body),
        "AdminRemoveUserFromGroup" => ops_groups::admin_remove_user_from_group(ctx, body),
        "AdminListGroupsForUser" => ops_groups::admin_list_groups_for_user(ctx, body),
        "ListUsersInGroup" => ops_groups::list_users_in_group(ctx, body),
        "AdminUpdateUserAttributes" => ops_admin::admin_update_user_attributes(ctx, body),
        "AdminDeleteUserAttributes" => ops_admin::admin_delete_user_attributes(ctx, body),
        "AdminListDevices" => ops_admin::admin_list_devices(ctx, body),
        other => Err(ApiError::new(
            "UnknownOperationException",
            format!("Operation {other} is not supported by the embedded user pool"),
        )),
    }
}

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const AMZ_JSON: &str = "application/x-amz-json-1.1";

pub fn router(ctx: Arc<Ctx>) -> Router {
    Router::new()
        .route("/", post(api).get(index))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
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
    let body = json!({"__type": err.kind, "message": err.message});
    let mut resp = json_response(status, AMZ_JSON, &body);
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
            "UnknownOperationException",
            if target.is_empty() {
                "Missing X-Amz-Target header".to_string()
            } else {
                format!("Unknown target {target}")
            },
        ));
    };
    if !OPERATIONS.contains(&op.as_str()) {
        return error_response(&ApiError::new(
            "UnknownOperationException",
            format!("Operation {op} is not supported by the embedded user pool"),
        ));
    }
    if crate::cognito::sigv4::needs_sigv4(&op)
        && let Err(e) = super::sigv4::verify(
            ctx.sigv4_credentials.get(),
            ctx.now_dt(),
            "POST",
            &uri,
            &headers,
            &body,
        )
    {
        tracing::debug!(operation = %op, error = e.kind, "local pool: SigV4 rejected");
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
    let op_for_task = op.clone();
    let result = tokio::task::spawn_blocking(move || dispatch(&ctx, &op_for_task, value)).await;
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
            json_response(StatusCode::OK, AMZ_JSON, &v)
        }
        Err(e) => {
            tracing::debug!(operation = %op, ms, error = e.kind, "local pool: error");
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
        Err(e) if e.kind == "ResourceNotFoundException" => {
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
    let mut r = error_response(&ApiError::new("NotFoundException", "No such resource"));
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
