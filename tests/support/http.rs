//! Raw requests to a pool as an AWS SDK makes them: the JSON 1.1 protocol's headers, SigV4 on
//! the operations Cognito signs, and the response with the headers the tests check.

use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognito_tui::cognito::SigV4Signer;
use cognito_tui::secret::Secret;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

/// The prefix of every Cognito `X-Amz-Target`.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// The key pair test clients sign admin operations with. The test pools run without
/// credentials, so they accept any well-formed signature; `tests/admin_sigv4.rs` covers pools
/// that verify.
pub const TEST_ACCESS_KEY_ID: &str = "AKIDTESTCOGNITOTUI01";
pub const TEST_SECRET_ACCESS_KEY: &str = "test-secret-access-key-0000000000000000";

static SIGNER: LazyLock<Arc<SigV4Signer>> = LazyLock::new(|| {
    Arc::new(SigV4Signer::with_credentials(
        "us-east-1",
        TEST_ACCESS_KEY_ID,
        &Secret::new(TEST_SECRET_ACCESS_KEY),
    ))
});

/// The signer for `Client::with_signer` in tests against an embedded pool.
pub fn signer() -> Arc<SigV4Signer> {
    SIGNER.clone()
}

/// Adds SigV4 headers to a raw request of `op` when Cognito requires them (as an AWS SDK does).
pub fn sign_if_needed(op: &str, url: &str, body: &[u8], headers: &mut HeaderMap) {
    if cognito_tui::cognito::needs_sigv4(op) {
        SIGNER.sign_now(url, body, headers).expect("test signing");
    }
}

/// A raw POST to the pool at `url` (no trailing slash needed) with `content_type`, this
/// `X-Amz-Target` (None: the header is left out) and `body`, signed when the target names an
/// operation Cognito signs.
pub fn post(
    http: &reqwest::Client,
    url: &str,
    content_type: &'static str,
    target: Option<&str>,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let url = format!("{}/", url.trim_end_matches('/'));
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static(content_type));
    if let Some(t) = target {
        headers.insert(
            "x-amz-target",
            HeaderValue::from_str(t).expect("a header value"),
        );
        if let Some(op) = t.strip_prefix(TARGET_PREFIX) {
            sign_if_needed(op, &url, &body, &mut headers);
        }
    }
    http.post(url).headers(headers).body(body)
}

/// A raw POST of `op` to the pool at `url` (no trailing slash needed), signed when needed.
pub fn raw_request(
    http: &reqwest::Client,
    url: &str,
    op: &str,
    body: String,
) -> reqwest::RequestBuilder {
    post(
        http,
        url,
        "application/x-amz-json-1.1",
        Some(&format!("{TARGET_PREFIX}{op}")),
        body.into_bytes(),
    )
}

/// A pool's answer: status, body (JSON null when it is not JSON), the raw text and the headers
/// the protocol defines.
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub raw: String,
    pub error_type: Option<String>,
    pub request_id: Option<String>,
    pub content_type: Option<String>,
}

impl Resp {
    /// Reads a response; its body may be anything.
    pub async fn read(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let header = |n: &str| {
            r.headers()
                .get(n)
                .map(|v| v.to_str().unwrap_or("<non-ascii>").to_string())
        };
        let error_type = header("x-amzn-errortype");
        let request_id = header("x-amzn-requestid");
        let content_type = header("content-type");
        let raw = r.text().await.expect("a body");
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        Resp {
            status,
            body,
            raw,
            error_type,
            request_id,
            content_type,
        }
    }

    /// Reads a response whose body must be JSON.
    pub async fn read_json(r: reqwest::Response) -> Resp {
        let resp = Resp::read(r).await;
        if serde_json::from_str::<Value>(&resp.raw).is_err() {
            panic!("not JSON: {:?}", resp.raw);
        }
        resp
    }

    #[track_caller]
    pub fn ok(self) -> Value {
        assert_eq!(self.status, 200, "expected success, got {}", self.body);
        self.body
    }
    #[track_caller]
    pub fn err(&self) -> (String, String) {
        assert_ne!(self.status, 200, "expected an error, got {}", self.body);
        (
            self.body["__type"].as_str().unwrap_or("").to_string(),
            self.body["message"].as_str().unwrap_or("").to_string(),
        )
    }
    #[track_caller]
    pub fn err_is(&self, kind: &str, message: &str) {
        let (k, m) = self.err();
        assert_eq!((k.as_str(), m.as_str()), (kind, message), "{}", self.body);
    }
}

/// One operation against the pool at `url`; the answer must be JSON.
pub async fn call(http: &reqwest::Client, url: &str, op: &str, body: &Value) -> Resp {
    let r = raw_request(http, url, op, body.to_string())
        .send()
        .await
        .unwrap();
    Resp::read_json(r).await
}

/// The claims of a JWT (its payload, unverified).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64URL.decode(payload).unwrap()).unwrap()
}
