//! Shared helpers of the custom-auth and USER_AUTH tests: a pool on a temp store, JSON calls,
//! the outbox and SRP answers.
#![allow(dead_code)]

use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognito_tui::cognito::SigV4Signer;
use cognito_tui::local::{DEMO_POOL_ID, LocalOptions, LocalPool};
use cognito_tui::secret::Secret;
use cognito_tui::srp::{self, ClientEphemeral};
use serde_json::{Value, json};

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
pub fn sign_if_needed(op: &str, url: &str, body: &[u8], headers: &mut reqwest::header::HeaderMap) {
    if cognito_tui::cognito::needs_sigv4(op) {
        SIGNER.sign_now(url, body, headers).expect("test signing");
    }
}

/// A raw POST of `op` to the pool at `url` (no trailing slash needed), signed when needed.
pub fn raw_request(
    http: &reqwest::Client,
    url: &str,
    op: &str,
    body: String,
) -> reqwest::RequestBuilder {
    let url = format!("{}/", url.trim_end_matches('/'));
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "content-type",
        reqwest::header::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    headers.insert(
        "x-amz-target",
        reqwest::header::HeaderValue::from_str(&format!("AWSCognitoIdentityProviderService.{op}"))
            .expect("operation name"),
    );
    sign_if_needed(op, &url, body.as_bytes(), &mut headers);
    http.post(url).headers(headers).body(body)
}

pub struct Resp {
    pub status: u16,
    pub body: Value,
}

impl Resp {
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

pub struct Harness {
    pub pool: LocalPool,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

impl Harness {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pool = LocalPool::start(LocalOptions {
            db_path: dir.path().join("pool.sqlite3"),
            bind: "127.0.0.1:0".parse().unwrap(),
            credentials: None,
        })
        .await
        .expect("pool starts");
        Self {
            pool,
            http: reqwest::Client::new(),
            dir,
        }
    }

    pub async fn call(&self, op: &str, body: Value) -> Resp {
        let r = raw_request(&self.http, self.pool.base_url(), op, body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text:?}"));
        Resp { status, body }
    }

    /// Outbox entries of `username` with `purpose`, oldest first.
    pub async fn outbox(&self, username: &str, purpose: &str) -> Vec<Value> {
        let entries: Value = self
            .http
            .get(format!("{}/_local/outbox", self.pool.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["username"] == username && e["purpose"] == purpose)
            .cloned()
            .collect()
    }

    pub async fn latest_code(&self, username: &str, purpose: &str) -> String {
        let all = self.outbox(username, purpose).await;
        all.last()
            .unwrap_or_else(|| panic!("no {purpose} outbox entry for {username}"))["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Answers a PASSWORD_VERIFIER challenge made for `eph`.
    pub async fn answer_verifier(
        &self,
        client_id: &str,
        eph: &ClientEphemeral,
        challenge: &Value,
        password: &str,
    ) -> Resp {
        assert_eq!(
            challenge["ChallengeName"], "PASSWORD_VERIFIER",
            "{challenge}"
        );
        let p = &challenge["ChallengeParameters"];
        let user_id = p["USER_ID_FOR_SRP"].as_str().unwrap();
        let claim = eph
            .password_claim(
                srp::pool_name(DEMO_POOL_ID),
                user_id,
                password,
                p["SALT"].as_str().unwrap(),
                p["SRP_B"].as_str().unwrap(),
                p["SECRET_BLOCK"].as_str().unwrap(),
                &srp::format_timestamp(time::OffsetDateTime::now_utc()),
            )
            .unwrap();
        self.call(
            "RespondToAuthChallenge",
            json!({
                "ClientId": client_id,
                "ChallengeName": "PASSWORD_VERIFIER",
                "Session": challenge["Session"],
                "ChallengeResponses": {
                    "USERNAME": user_id,
                    "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                    "PASSWORD_CLAIM_SIGNATURE": claim.signature,
                    "TIMESTAMP": claim.timestamp,
                }
            }),
        )
        .await
    }

    pub async fn respond(
        &self,
        client_id: &str,
        challenge: &str,
        session: &Value,
        responses: Value,
    ) -> Resp {
        self.call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": challenge, "Session": session,
                   "ChallengeResponses": responses}),
        )
        .await
    }

    /// Checks the response carries tokens and returns the access token's claims.
    #[track_caller]
    pub fn tokens(&self, v: &Value) -> Value {
        let r = &v["AuthenticationResult"];
        assert!(
            r["IdToken"].is_string() && r["RefreshToken"].is_string(),
            "{v}"
        );
        claims(r["AccessToken"].as_str().unwrap())
    }
}

pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64URL.decode(payload).unwrap()).unwrap()
}

/// An example trigger's command line (`cmd:` + interpreter + absolute path).
pub fn example(script: &str) -> String {
    let path = format!("{}/examples/triggers/{script}", env!("CARGO_MANIFEST_DIR"));
    if script.ends_with(".py") {
        format!("cmd:python3 {path}")
    } else {
        format!("cmd:sh {path}")
    }
}
