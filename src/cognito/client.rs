//! The HTTP side of the wire client: one shared connection pool, one `WireExchange` per call.
//!
//! A server this client talks to may be broken or hostile, and nothing it sends may turn the
//! client against its user:
//! - redirects are never followed (Cognito's API never sends one): a 3xx is an
//!   `InvalidResponse` naming the status and the `Location`, and the request body (which may
//!   hold a password) goes nowhere else;
//! - a response body is read as a stream and refused past [`MAX_RESPONSE_BYTES`] (or the
//!   [`ClientOptions::max_response_bytes`] given), before more is read;
//! - one deadline (the timeout) covers connecting, sending, reading and parsing;
//! - the exact secrets a request carried are scrubbed from everything the answer brings back
//!   (error messages, snippets, HTML pages; see [`Scrubber`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::CognitoError;
use super::exchange::WireExchange;
use super::redact::{Scrubber, redact};
use super::response::{Limits, RawResponse, read_response};
pub use super::response::{MAX_RESPONSE_BYTES, MAX_RESPONSE_VALUES};
pub use super::sigv4::RequestSigner;
use super::sigv4::needs_sigv4;
use super::types::*;
use crate::config::Target;
use crate::secret::Secret;

/// The default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

static NEXT_EXCHANGE_ID: AtomicU64 = AtomicU64::new(1);

fn next_exchange_id() -> u64 {
    NEXT_EXCHANGE_ID.fetch_add(1, Ordering::Relaxed)
}

/// A trigger run as the inspector lists it beside the HTTP calls (see
/// [`WireExchange::trigger_source`]), with an exchange id of its own.
pub fn trigger_exchange(run: &TriggerInvocation) -> WireExchange {
    WireExchange {
        id: next_exchange_id(),
        operation: run.trigger.clone(),
        endpoint: format!("{} handler", run.runner),
        started_at_ms: run.at_ms,
        latency_ms: run.duration_ms,
        status: None,
        request_id: None,
        request: run.event_in.clone(),
        response: run.response_out.clone(),
        error: (!run.ok()).then(|| run.outcome.clone()),
        notes: run.error.iter().cloned().collect(),
        trigger_source: Some(run.trigger_source.clone()),
        origin: Default::default(),
    }
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Options for [`Client::with_options`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Whole-request deadline (connect, send, read, parse).
    pub timeout: Duration,
    /// Largest response body accepted.
    pub max_response_bytes: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }
}

/// The result of one call together with the exchange it produced.
#[derive(Debug)]
pub struct Call<T> {
    pub result: Result<T, CognitoError>,
    pub exchange: WireExchange,
}

impl<T> Call<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Call<U> {
        Call {
            result: self.result.map(f),
            exchange: self.exchange,
        }
    }
}

/// The Cognito wire client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: String,
    user_pool_id: String,
    client_id: String,
    client_secret: Option<Secret>,
    local: bool,
    timeout: Duration,
    max_response_bytes: usize,
    signer: Option<Arc<dyn RequestSigner>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("client_id", &self.inner.client_id)
            .field("has_secret", &self.inner.client_secret.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `target` with the default 15 s timeout.
    pub fn new(target: &Target) -> Result<Self, CognitoError> {
        Self::with_options(target, ClientOptions::default())
    }

    pub fn with_options(target: &Target, opts: ClientOptions) -> Result<Self, CognitoError> {
        let http = reqwest::Client::builder()
            .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("cognito-tui/", env!("CARGO_PKG_VERSION")))
            // Cognito never redirects; following one would resend the body (a password) to
            // wherever the server says.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CognitoError::Network {
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                endpoint: target.endpoint.clone(),
                user_pool_id: target.user_pool_id.clone(),
                client_id: target.client_id.clone(),
                client_secret: target.client_secret.clone().filter(|s| !s.is_empty()),
                local: target.local,
                timeout: opts.timeout,
                max_response_bytes: opts.max_response_bytes,
                signer: None,
            }),
        })
    }

    /// The same client with a SigV4 signer for admin operations.
    pub fn with_signer(self, signer: Arc<dyn RequestSigner>) -> Self {
        let i = &self.inner;
        Self {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                endpoint: i.endpoint.clone(),
                user_pool_id: i.user_pool_id.clone(),
                client_id: i.client_id.clone(),
                client_secret: i.client_secret.clone(),
                local: i.local,
                timeout: i.timeout,
                max_response_bytes: i.max_response_bytes,
                signer: Some(signer),
            }),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }
    pub fn user_pool_id(&self) -> &str {
        &self.inner.user_pool_id
    }
    pub fn is_local(&self) -> bool {
        self.inner.local
    }
    pub fn has_client_secret(&self) -> bool {
        self.inner.client_secret.is_some()
    }
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    // ------------------------------------------------------------ typed operations

    pub async fn sign_up(&self, r: SignUpRequest) -> Call<SignUpResponse> {
        self.call_typed("SignUp", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn confirm_sign_up(&self, r: ConfirmSignUpRequest) -> Call<ConfirmSignUpResponse> {
        self.call_typed("ConfirmSignUp", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn resend_confirmation_code(
        &self,
        r: ResendConfirmationCodeRequest,
    ) -> Call<CodeDeliveryResponse> {
        self.call_typed("ResendConfirmationCode", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn initiate_auth(&self, r: InitiateAuthRequest) -> Call<AuthResponse> {
        let hint = r.secret_hash_username.clone();
        self.call_typed("InitiateAuth", to_body(&r), hint, false, vec![])
            .await
    }
    pub async fn respond_to_auth_challenge(
        &self,
        r: RespondToAuthChallengeRequest,
    ) -> Call<AuthResponse> {
        self.call_typed("RespondToAuthChallenge", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn get_tokens_from_refresh_token(
        &self,
        r: GetTokensFromRefreshTokenRequest,
    ) -> Call<TokensResponse> {
        self.call_typed(
            "GetTokensFromRefreshToken",
            to_body(&r),
            None,
            false,
            vec![],
        )
        .await
    }
    pub async fn get_user(&self, r: AccessTokenRequest) -> Call<GetUserResponse> {
        self.call_typed("GetUser", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn global_sign_out(&self, r: AccessTokenRequest) -> Call<Empty> {
        self.call_typed("GlobalSignOut", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn revoke_token(&self, r: RevokeTokenRequest) -> Call<Empty> {
        self.call_typed("RevokeToken", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn forgot_password(&self, r: ForgotPasswordRequest) -> Call<CodeDeliveryResponse> {
        self.call_typed("ForgotPassword", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn confirm_forgot_password(&self, r: ConfirmForgotPasswordRequest) -> Call<Empty> {
        self.call_typed("ConfirmForgotPassword", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn change_password(&self, r: ChangePasswordRequest) -> Call<Empty> {
        self.call_typed("ChangePassword", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn associate_software_token(
        &self,
        r: AssociateSoftwareTokenRequest,
    ) -> Call<AssociateSoftwareTokenResponse> {
        self.call_typed("AssociateSoftwareToken", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn verify_software_token(
        &self,
        r: VerifySoftwareTokenRequest,
    ) -> Call<VerifySoftwareTokenResponse> {
        self.call_typed("VerifySoftwareToken", to_body(&r), None, false, vec![])
            .await
    }
    pub async fn set_user_mfa_preference(&self, r: SetUserMfaPreferenceRequest) -> Call<Empty> {
        self.call_typed("SetUserMFAPreference", to_body(&r), None, false, vec![])
            .await
    }
    /// ListUsers: SigV4 on AWS (see [`RequestSigner`]).
    pub async fn list_users(&self, r: ListUsersRequest) -> Call<ListUsersResponse> {
        self.call_typed("ListUsers", to_body(&r), None, true, vec![])
            .await
    }

    /// Sends any [`Request`], attaching `notes` to its exchange.
    pub async fn send(&self, req: Request, notes: Vec<String>) -> Call<Response> {
        let body = req.body();
        self.send_with_body(req, body, notes).await
    }

    /// Sends `req`'s operation with `body` instead of its own (a request the user edited in
    /// step mode), read back as `req`'s response type. `body` holds secrets: never log it.
    pub async fn send_with_body(
        &self,
        req: Request,
        body: Value,
        notes: Vec<String>,
    ) -> Call<Response> {
        let op = req.operation();
        match req {
            Request::SignUp(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::SignUp),
            Request::ConfirmSignUp(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::ConfirmSignUp),
            Request::ResendConfirmationCode(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::ResendConfirmationCode),
            Request::InitiateAuth(r) => self
                .call_typed(op, body, r.secret_hash_username, false, notes)
                .await
                .map(Response::InitiateAuth),
            Request::RespondToAuthChallenge(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::RespondToAuthChallenge),
            Request::GetTokensFromRefreshToken(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::GetTokensFromRefreshToken),
            Request::GetUser(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::GetUser),
            Request::GlobalSignOut(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::GlobalSignOut),
            Request::RevokeToken(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::RevokeToken),
            Request::ForgotPassword(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::ForgotPassword),
            Request::ConfirmForgotPassword(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::ConfirmForgotPassword),
            Request::ChangePassword(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::ChangePassword),
            Request::AssociateSoftwareToken(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::AssociateSoftwareToken),
            Request::VerifySoftwareToken(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::VerifySoftwareToken),
            Request::SetUserMfaPreference(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::SetUserMfaPreference),
            Request::ConfirmDevice(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::ConfirmDevice),
            Request::UpdateDeviceStatus(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::UpdateDeviceStatus),
            Request::ForgetDevice(_) => {
                // Cognito may answer ForgetDevice with no body at all (Amplify does not read it).
                let mut call = self.call_typed(op, body, None, false, notes).await;
                if let Err(CognitoError::InvalidResponse {
                    status: Some(200), ..
                }) = &call.result
                    && call.exchange.response.is_null()
                {
                    call.result = Ok(Empty {});
                    call.exchange.error = None;
                }
                call.map(Response::ForgetDevice)
            }
            Request::ListDevices(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::ListDevices),
            Request::UpdateUserAttributes(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::UpdateUserAttributes),
            Request::GetUserAttributeVerificationCode(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::GetUserAttributeVerificationCode),
            Request::VerifyUserAttribute(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::VerifyUserAttribute),
            Request::DeleteUserAttributes(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::DeleteUserAttributes),
            Request::DeleteUser(_) => self
                .call_typed(op, body, None, false, notes)
                .await
                .map(Response::DeleteUser),
        }
    }

    /// Reads the embedded pool's outbox: `GET {endpoint}/_local/outbox`.
    pub async fn fetch_outbox(&self) -> Call<Vec<OutboxEntry>> {
        let url = format!(
            "{}/_local/outbox",
            self.inner.endpoint.trim_end_matches('/')
        );
        self.get_typed(&url, "GET /_local/outbox", Some("the outbox"))
            .await
    }

    /// Reads a cognito-tui pool's side of a checked SRP sign-in: `GET /_local/srp/{u}`
    /// (`u` in hex, as [`crate::srp::SrpDerivation::u`]), read within the usual bounds.
    pub async fn fetch_srp_side(&self, u: &str) -> Call<crate::srp::ServerSrpSide> {
        let u: String = u.chars().filter(char::is_ascii_hexdigit).take(64).collect();
        let url = format!(
            "{}/_local/srp/{u}",
            self.inner.endpoint.trim_end_matches('/')
        );
        self.get_typed(&url, "GET /_local/srp", None).await
    }

    /// GETs one of a cognito-tui pool's `/_local` documents as `T` (a JSON array when
    /// `array_of` names what it holds); the exchange records a shape error too.
    async fn get_typed<T: DeserializeOwned>(
        &self,
        url: &str,
        op: &str,
        array_of: Option<&str>,
    ) -> Call<T> {
        let Call {
            result,
            mut exchange,
        } = self.get_json(url, op, self.inner.max_response_bytes).await;
        let status = exchange.status;
        let result = result.and_then(|v| match array_of {
            Some(what) if !v.is_array() => Err(CognitoError::InvalidResponse {
                message: format!("{what} is not a JSON array"),
                status,
                request_id: None,
            }),
            _ => parse_typed::<T>(op, v, status),
        });
        exchange.error = result.as_ref().err().map(|e| e.code().to_string());
        Call { result, exchange }
    }

    /// GETs a JSON document that is not a Cognito operation (a JWKS), read within the
    /// client's deadline and at most `max_bytes`, no redirect followed.
    pub async fn get_json(&self, url: &str, label: &str, max_bytes: usize) -> Call<Value> {
        let started_at_ms = now_ms();
        let t0 = Instant::now();
        let scrub = self.scrubber(&Value::Null);
        let sent = self.inner.http.get(url).timeout(self.inner.timeout).send();
        let limits = Limits {
            timeout: self.inner.timeout,
            max_bytes: max_bytes.min(self.inner.max_response_bytes),
        };
        let raw = read_response(sent, url, t0, limits, &scrub).await;
        let exchange = WireExchange {
            id: next_exchange_id(),
            operation: label.to_string(),
            endpoint: url.to_string(),
            started_at_ms,
            latency_ms: t0.elapsed().as_millis() as u64,
            status: raw.status,
            request_id: raw.request_id.clone(),
            request: Value::Null,
            response: raw.shown.clone(),
            error: raw.error_code(),
            notes: vec![],
            trigger_source: None,
            origin: Default::default(),
        };
        Call {
            result: raw.into_result(),
            exchange,
        }
    }

    /// Reads the embedded pool's trigger runs after sequence number `after`, of this client's
    /// pool: `GET {endpoint}/_local/triggers?after=N&pool=ID`. The events and responses are
    /// redacted again here (the pool hid their secrets already; nothing is taken on trust).
    /// No exchange is recorded: the runs themselves are what the debugger shows.
    pub async fn fetch_triggers(&self, after: u64) -> Result<Vec<TriggerInvocation>, CognitoError> {
        let op = "GET /_local/triggers";
        let url = format!(
            "{}/_local/triggers?after={after}&pool={}",
            self.inner.endpoint.trim_end_matches('/'),
            self.inner
                .user_pool_id
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect::<String>()
        );
        let t0 = Instant::now();
        let scrub = self.scrubber(&Value::Null);
        let sent = self.inner.http.get(&url).timeout(self.inner.timeout).send();
        let raw = read_response(sent, &url, t0, self.limits(), &scrub).await;
        let status = raw.status;
        let v = raw.into_result()?;
        if !v.is_array() {
            return Err(CognitoError::InvalidResponse {
                message: "the trigger log is not a JSON array".into(),
                status,
                request_id: None,
            });
        }
        let mut runs = parse_typed::<Vec<TriggerInvocation>>(op, v, None)?;
        for r in &mut runs {
            r.event_in = redact(&r.event_in);
            r.response_out = redact(&r.response_out);
            if let Some(e) = &mut r.error {
                *e = super::redact::shorten(e);
            }
        }
        Ok(runs)
    }

    // ------------------------------------------------------------ the core

    async fn call_typed<T: DeserializeOwned>(
        &self,
        op: &str,
        body: Value,
        secret_hash_user: Option<String>,
        sigv4: bool,
        notes: Vec<String>,
    ) -> Call<T> {
        let (result, exchange) = self
            .call_raw(op, body, secret_hash_user, sigv4, notes)
            .await;
        let request_id = exchange.request_id.clone();
        let status = exchange.status;
        let result = result.and_then(|v| {
            parse_typed::<T>(op, v, status).map_err(|e| match e {
                CognitoError::InvalidResponse {
                    message, status, ..
                } => CognitoError::InvalidResponse {
                    message,
                    status,
                    request_id: request_id.clone(),
                },
                other => other,
            })
        });
        let mut exchange = exchange;
        if exchange.error.is_none() {
            exchange.error = result.as_ref().err().map(|e| e.code().to_string());
        }
        Call { result, exchange }
    }

    /// Sends one operation and returns the JSON body (or the normalised error) and its exchange.
    pub async fn call_raw(
        &self,
        op: &str,
        mut body: Value,
        secret_hash_user: Option<String>,
        sigv4: bool,
        mut notes: Vec<String>,
    ) -> (Result<Value, CognitoError>, WireExchange) {
        self.add_client_secret(op, &mut body, secret_hash_user.as_deref());
        let shown_request = redact(&body);
        let scrub = self.scrubber(&body);
        let url = self.inner.endpoint.clone();
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON_1_1));
        if let Ok(v) = HeaderValue::from_str(&format!("{TARGET_PREFIX}{op}")) {
            headers.insert("X-Amz-Target", v);
        }
        let mut sign_error = None;
        let started_at_ms = now_ms();
        let t0 = Instant::now();
        if sigv4 || needs_sigv4(op) {
            match &self.inner.signer {
                Some(signer) => match signer.sign(&url, &bytes, &mut headers).await {
                    Ok(more) => notes.extend(more),
                    Err(e) => sign_error = Some(e),
                },
                None => notes.push(format!(
                    "{op} needs SigV4; sent unsigned (this client has no signer)"
                )),
            }
        }
        let raw = if let Some(e) = sign_error {
            RawResponse::failed(e)
        } else {
            let sent = self
                .inner
                .http
                .post(&url)
                .headers(headers)
                .body(bytes)
                .timeout(self.inner.timeout)
                .send();
            read_response(sent, &url, t0, self.limits(), &scrub).await
        };
        let latency_ms = t0.elapsed().as_millis() as u64;
        let exchange = WireExchange {
            id: next_exchange_id(),
            operation: op.to_string(),
            endpoint: url,
            started_at_ms,
            latency_ms,
            status: raw.status,
            request_id: raw.request_id.clone(),
            request: shown_request,
            response: raw.shown.clone(),
            error: raw.error_code(),
            notes,
            origin: Default::default(),
            trigger_source: None,
        };
        match &raw.error {
            Some(e) => tracing::debug!(op, code = e.code(), latency_ms, "cognito call failed"),
            None => tracing::debug!(op, latency_ms, "cognito call ok"),
        }
        (raw.into_result(), exchange)
    }

    fn add_client_secret(&self, op: &str, body: &mut Value, hint: Option<&str>) {
        let Some(secret) = &self.inner.client_secret else {
            return;
        };
        let Some(obj) = body.as_object_mut() else {
            return;
        };
        let hash = |user: &str| {
            Value::String(crate::srp::secret_hash(
                user,
                &self.inner.client_id,
                secret.expose(),
            ))
        };
        match op {
            "SignUp"
            | "ConfirmSignUp"
            | "ResendConfirmationCode"
            | "ForgotPassword"
            | "ConfirmForgotPassword" => {
                if let Some(user) = obj.get("Username").and_then(Value::as_str) {
                    let h = hash(user);
                    obj.insert("SecretHash".into(), h);
                }
            }
            "InitiateAuth" | "RespondToAuthChallenge" => {
                let key = if op == "InitiateAuth" {
                    "AuthParameters"
                } else {
                    "ChallengeResponses"
                };
                if let Some(params) = obj.get_mut(key).and_then(Value::as_object_mut) {
                    let user = params
                        .get("USERNAME")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| hint.map(str::to_string));
                    if let Some(user) = user {
                        params.insert("SECRET_HASH".into(), hash(&user));
                    }
                }
            }
            "RevokeToken" | "GetTokensFromRefreshToken" => {
                obj.insert(
                    "ClientSecret".into(),
                    Value::String(secret.expose().to_string()),
                );
            }
            _ => {}
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            timeout: self.inner.timeout,
            max_bytes: self.inner.max_response_bytes,
        }
    }

    /// The secrets of `body` and the client secret, to scrub from what comes back.
    fn scrubber(&self, body: &Value) -> Scrubber {
        let s = Scrubber::from_request(body);
        match &self.inner.client_secret {
            Some(secret) => s.with(secret.expose()),
            None => s,
        }
    }
}

fn to_body<T: serde::Serialize>(r: &T) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Members an operation's answer always has; an answer without them is not Cognito's (an
/// empty ListUsers page would otherwise pass for a wrongly-shaped answer).
fn required_members(op: &str) -> &'static [&'static str] {
    match op {
        "ListUsers" => &["Users"],
        _ => &[],
    }
}

fn parse_typed<T: DeserializeOwned>(
    op: &str,
    v: Value,
    status: Option<u16>,
) -> Result<T, CognitoError> {
    // Every Cognito operation answers a JSON object (the outbox, `GET /_local/...`, a list).
    if !op.contains(' ') {
        let Some(obj) = v.as_object() else {
            return Err(CognitoError::InvalidResponse {
                message: format!("the {op} response is not a JSON object"),
                status,
                request_id: None,
            });
        };
        if let Some(missing) = required_members(op).iter().find(|m| !obj.contains_key(**m)) {
            return Err(CognitoError::InvalidResponse {
                message: format!("the {op} response has no {missing}"),
                status,
                request_id: None,
            });
        }
    }
    serde_json::from_value(v).map_err(|e| CognitoError::InvalidResponse {
        message: format!(
            "the {op} response does not have Cognito's shape: {}",
            super::redact::scrub_serde_message(&e.to_string())
        ),
        status,
        request_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_users_without_users_and_non_objects_are_errors() {
        let e = parse_typed::<ListUsersResponse>("ListUsers", serde_json::json!({}), Some(200))
            .unwrap_err();
        assert_eq!(
            e.message(),
            "invalid response: the ListUsers response has no Users"
        );
        let e = parse_typed::<ListUsersResponse>("ListUsers", serde_json::json!([]), Some(200))
            .unwrap_err();
        assert!(e.message().contains("not a JSON object"), "{e}");
        let ok = parse_typed::<ListUsersResponse>(
            "ListUsers",
            serde_json::json!({"Users": []}),
            Some(200),
        )
        .unwrap();
        assert!(ok.users.is_empty());
    }
}
