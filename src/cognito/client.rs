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

use super::error::{CognitoError, normalize_code};
use super::exchange::WireExchange;
use super::redact::{Scrubber, redact, redact_with, shorten};
pub use super::sigv4::RequestSigner;
use super::sigv4::needs_sigv4;
use super::types::*;
use crate::config::Target;
use crate::secret::Secret;

/// The default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The largest response body read: 4 MiB, about sixty times the largest real Cognito answer
/// (a ListUsers page of 60 users with every attribute is under 70 KiB).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The most JSON values (array items and object members) an answer may hold: a body under the
/// size cap made of tiny values (`[0,0,0,…]`) would otherwise parse into sixteen times its size.
/// A ListUsers page of 60 users holds about 2,000.
pub const MAX_RESPONSE_VALUES: usize = 100_000;

/// Longest error message kept from a server's answer; the rest is cut, with its length shown.
const MAX_MESSAGE_CHARS: usize = 1000;

static NEXT_EXCHANGE_ID: AtomicU64 = AtomicU64::new(1);

fn next_exchange_id() -> u64 {
    NEXT_EXCHANGE_ID.fetch_add(1, Ordering::Relaxed)
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
        let op = req.operation();
        let body = req.body();
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
        }
    }

    /// Reads the embedded pool's outbox: `GET {endpoint}/_local/outbox`.
    pub async fn fetch_outbox(&self) -> Call<Vec<OutboxEntry>> {
        let url = format!(
            "{}/_local/outbox",
            self.inner.endpoint.trim_end_matches('/')
        );
        let started_at_ms = now_ms();
        let t0 = Instant::now();
        let scrub = self.scrubber(&Value::Null);
        let sent = self.inner.http.get(&url).timeout(self.inner.timeout).send();
        let raw = self.read_response(sent, &url, t0, &scrub).await;
        let mut exchange = WireExchange {
            id: next_exchange_id(),
            operation: "GET /_local/outbox".to_string(),
            endpoint: url,
            started_at_ms,
            latency_ms: t0.elapsed().as_millis() as u64,
            status: raw.status,
            request_id: raw.request_id.clone(),
            request: Value::Null,
            response: raw.shown.clone(),
            error: None,
            notes: vec![],
        };
        let result = raw.into_result().and_then(|v| {
            if v.is_array() {
                parse_typed::<Vec<OutboxEntry>>("GET /_local/outbox", v, None)
            } else {
                Err(CognitoError::InvalidResponse {
                    message: "the outbox is not a JSON array".into(),
                    status: exchange.status,
                    request_id: None,
                })
            }
        });
        exchange.error = result.as_ref().err().map(|e| e.code().to_string());
        Call { result, exchange }
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
            self.read_response(sent, &url, t0, &scrub).await
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

    /// The secrets of `body` and the client secret, to scrub from what comes back.
    fn scrubber(&self, body: &Value) -> Scrubber {
        let s = Scrubber::from_request(body);
        match &self.inner.client_secret {
            Some(secret) => s.with(secret.expose()),
            None => s,
        }
    }

    /// Waits for the answer and reads it, all within the deadline that started at `t0`.
    async fn read_response(
        &self,
        sent: impl std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
        url: &str,
        t0: Instant,
        scrub: &Scrubber,
    ) -> RawResponse {
        let deadline = t0 + self.inner.timeout;
        let timed_out = || {
            RawResponse::failed(CognitoError::Timeout {
                endpoint: url.to_string(),
                after_ms: self.inner.timeout.as_millis() as u64,
            })
        };
        let read = async {
            let resp = match sent.await {
                Ok(r) => r,
                Err(e) => return RawResponse::failed(self.transport_error(&e, url)),
            };
            self.read_body(resp, url, scrub).await
        };
        let Ok(raw) = tokio::time::timeout_at(deadline.into(), read).await else {
            return timed_out();
        };
        // Parsing is bounded by the size cap; a deadline passed while parsing still counts.
        if Instant::now() > deadline && raw.error.is_none() {
            let mut t = timed_out();
            t.status = raw.status;
            t.request_id = raw.request_id;
            return t;
        }
        raw
    }

    async fn read_body(&self, resp: reqwest::Response, url: &str, scrub: &Scrubber) -> RawResponse {
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| shorten(&clean(v)))
        };
        let request_id = header("x-amzn-requestid").or_else(|| header("x-amz-request-id"));
        let error_type = header("x-amzn-errortype");
        let error_message = header("x-amzn-errormessage");
        let fail = |e: CognitoError| {
            let mut raw = RawResponse::failed(e);
            raw.status = Some(status);
            raw.request_id = request_id.clone();
            raw
        };
        if (300..400).contains(&status) {
            let location = header("location").unwrap_or_else(|| "(no Location)".into());
            return fail(CognitoError::InvalidResponse {
                message: format!(
                    "HTTP {status} redirect to {}: Cognito never redirects, so it was not \
                     followed and the request was sent nowhere else",
                    scrub.text(&location)
                ),
                status: Some(status),
                request_id: request_id.clone(),
            });
        }
        let limit = self.inner.max_response_bytes;
        let too_big = |what: String| CognitoError::InvalidResponse {
            message: format!(
                "HTTP {status} with a body of {what}, over the client's limit of {}: \
                     not read further",
                human_bytes(limit as u64)
            ),
            status: Some(status),
            request_id: request_id.clone(),
        };
        if let Some(n) = resp.content_length()
            && n > limit as u64
        {
            return fail(too_big(human_bytes(n)));
        }
        let mut resp = resp;
        let mut bytes: Vec<u8> = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > limit {
                        return fail(too_big(format!("more than {}", human_bytes(limit as u64))));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return fail(self.transport_error(&e, url)),
            }
        }
        let values = count_values(&bytes);
        if values > MAX_RESPONSE_VALUES {
            return fail(CognitoError::InvalidResponse {
                message: format!(
                    "HTTP {status} with a body of {values} JSON values, over the client's limit \
                     of {MAX_RESPONSE_VALUES}: not parsed"
                ),
                status: Some(status),
                request_id: request_id.clone(),
            });
        }
        let mut parsed: Option<Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
            Some(Value::Object(Default::default()))
        } else {
            serde_json::from_slice(&bytes).ok()
        };
        let snip = || snippet(&bytes, scrub);
        let shown = match &parsed {
            Some(v) => redact_with(v, scrub),
            None => Value::String(snip()),
        };
        let success = (200..300).contains(&status);
        let outcome = if success {
            match parsed.take() {
                Some(v) => Ok(v),
                None => Err(CognitoError::InvalidResponse {
                    message: format!("HTTP {status} with a body that is not JSON: {}", snip()),
                    status: Some(status),
                    request_id: request_id.clone(),
                }),
            }
        } else {
            let body_field = |k: &str| {
                parsed
                    .as_ref()
                    .and_then(|v| v.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let code = error_type
                .as_deref()
                .and_then(normalize_code)
                .or_else(|| body_field("code").as_deref().and_then(normalize_code))
                .or_else(|| body_field("__type").as_deref().and_then(normalize_code))
                .map(|c| shorten_to(&clean(&scrub.text(&c)), 200));
            let message = body_field("message")
                .or_else(|| body_field("Message"))
                .or(error_message)
                .map(|m| shorten_to(&scrub.text(&m), MAX_MESSAGE_CHARS))
                .unwrap_or_default();
            match code {
                Some(code) => Err(CognitoError::Service {
                    code,
                    message,
                    request_id: request_id.clone(),
                    status,
                }),
                None => Err(CognitoError::InvalidResponse {
                    message: if parsed.is_some() {
                        format!("HTTP {status} without an error type: {}", snip())
                    } else {
                        format!("HTTP {status} with a body that is not JSON: {}", snip())
                    },
                    status: Some(status),
                    request_id: request_id.clone(),
                }),
            }
        };
        let (value, error) = match outcome {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e)),
        };
        RawResponse {
            status: Some(status),
            request_id,
            shown,
            value,
            error,
        }
    }

    fn transport_error(&self, e: &reqwest::Error, url: &str) -> CognitoError {
        if e.is_timeout() {
            return CognitoError::Timeout {
                endpoint: url.to_string(),
                after_ms: self.inner.timeout.as_millis() as u64,
            };
        }
        // The innermost cause says what happened ("Connection refused", "dns error...").
        let mut cause: &dyn std::error::Error = e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        let what = if e.is_connect() {
            "cannot connect to"
        } else if e.is_body() || e.is_decode() {
            "broken response from"
        } else {
            "request failed to"
        };
        CognitoError::Network {
            message: format!("{what} {url}: {cause}"),
        }
    }
}

struct RawResponse {
    status: Option<u16>,
    request_id: Option<String>,
    shown: Value,
    value: Option<Value>,
    error: Option<CognitoError>,
}

impl RawResponse {
    fn failed(e: CognitoError) -> Self {
        Self {
            status: None,
            request_id: None,
            shown: Value::Null,
            value: None,
            error: Some(e),
        }
    }
    fn error_code(&self) -> Option<String> {
        self.error.as_ref().map(|e| e.code().to_string())
    }
    fn into_result(self) -> Result<Value, CognitoError> {
        match (self.error, self.value) {
            (Some(e), _) => Err(e),
            (None, Some(v)) => Ok(v),
            (None, None) => Err(CognitoError::InvalidResponse {
                message: "empty response".into(),
                status: self.status,
                request_id: self.request_id,
            }),
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

/// About how many values a JSON text holds (commas, brackets and braces outside strings), in
/// one pass without parsing: enough to refuse a body before it is turned into a tree.
fn count_values(bytes: &[u8]) -> usize {
    let (mut n, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => n += 1,
                _ => {}
            }
        }
    }
    n
}

/// `s` cut to `max` characters, with its full length shown when cut.
fn shorten_to(s: &str, max: usize) -> String {
    if s.len() <= max || s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…({} chars)", s.chars().count())
    }
}

/// `s` without control characters (a header or code that could move the cursor).
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// `4 MiB`, `50.0 MiB`, `812 bytes`.
fn human_bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else {
        format!("{n} bytes")
    }
}

/// The first 200 characters of a body, secrets scrubbed, for error messages.
fn snippet(bytes: &[u8], scrub: &Scrubber) -> String {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let s = scrub.text(&String::from_utf8_lossy(head));
    let s = s.trim();
    if s.is_empty() {
        return "(empty)".into();
    }
    let mut out: String = s.chars().take(200).collect();
    if s.chars().count() > 200 || head.len() < bytes.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded() {
        let none = Scrubber::default();
        assert_eq!(snippet(b"  ", &none), "(empty)");
        let long = "x".repeat(500);
        assert_eq!(snippet(long.as_bytes(), &none).chars().count(), 201);
        let huge = "y".repeat(10_000_000);
        assert_eq!(snippet(huge.as_bytes(), &none).chars().count(), 201);
        let echo = format!("{}Pass-word-1 and more", "z".repeat(195));
        let scrub = Scrubber::from_request(&serde_json::json!({"Password": "Pass-word-1"}));
        let s = snippet(echo.as_bytes(), &scrub);
        assert!(!s.contains("Pass"), "{s}");
    }

    #[test]
    fn values_are_counted_outside_strings() {
        assert_eq!(count_values(b"{}"), 1);
        assert_eq!(count_values(br#"{"a":[1,2,3],"b":"x,[{\",y"}"#), 5);
        assert_eq!(count_values("[0,".repeat(10).as_bytes()), 20);
    }

    #[test]
    fn sizes_and_messages_are_shown_short() {
        assert_eq!(human_bytes(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human_bytes(50_000_000), "47.7 MiB");
        assert_eq!(human_bytes(812), "812 bytes");
        assert_eq!(shorten_to("abcdef", 3), "abc…(6 chars)");
        assert_eq!(shorten_to("abc", 3), "abc");
        assert_eq!(clean("a\u{1b}[2Jb"), "a[2Jb");
    }

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
