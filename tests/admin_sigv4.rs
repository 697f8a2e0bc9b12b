//! SigV4 end to end: this project's client signs admin operations (aws-sigv4) and the embedded
//! pool verifies them when it has credentials, answering Cognito's (AWS's) errors for a wrong
//! secret key, an unknown key id, a missing or malformed header, a tampered body and a stale
//! date. Without credentials the pool still requires a well-formed header.

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;

use cognito_tui::cognito::types::ListUsersRequest;
use cognito_tui::cognito::{Client, SigV4Signer};
use cognito_tui::config::Target;
use cognito_tui::local::sigv4::LocalCredentials;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_POOL_ID, LocalPool};
use cognito_tui::secret::Secret;
use serde_json::{Value, json};

const MISMATCH: &str = "The request signature we calculated does not match the signature you \
    provided. Check your AWS Secret Access Key and signing method. Consult the service \
    documentation for details.";

async fn pool(credentials: Option<LocalCredentials>) -> (LocalPool, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let pool =
        support::start_pool_with(&dir.path().join(support::pool::DB_FILE), credentials).await;
    (pool, dir)
}

fn target(pool: &LocalPool) -> Target {
    Target {
        endpoint: format!("{}/", pool.base_url()),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: true,
    }
}

fn client(pool: &LocalPool, key_id: &str, secret: &str) -> Client {
    Client::new(&target(pool))
        .unwrap()
        .with_signer(Arc::new(SigV4Signer::with_credentials(
            "us-east-1",
            key_id,
            &Secret::new(secret),
        )))
}

fn list_users() -> ListUsersRequest {
    ListUsersRequest {
        user_pool_id: DEMO_POOL_ID.into(),
        limit: Some(5),
        pagination_token: None,
        filter: None,
    }
}

fn creds() -> LocalCredentials {
    LocalCredentials::generate()
}

/// A raw POST with chosen headers; (status, __type, message).
async fn raw(
    pool: &LocalPool,
    op: &str,
    body: &str,
    edit: impl FnOnce(&mut reqwest::header::HeaderMap),
) -> (u16, String, String) {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "content-type",
        "application/x-amz-json-1.1".parse().unwrap(),
    );
    headers.insert(
        "x-amz-target",
        format!("AWSCognitoIdentityProviderService.{op}")
            .parse()
            .unwrap(),
    );
    edit(&mut headers);
    let r = reqwest::Client::new()
        .post(format!("{}/", pool.base_url()))
        .headers(headers)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let error_type = r
        .headers()
        .get("x-amzn-errortype")
        .map(|v| v.to_str().unwrap().to_string());
    let v: Value = r.json().await.unwrap();
    let kind = v["__type"].as_str().unwrap_or("").to_string();
    if !kind.is_empty() {
        assert_eq!(error_type, Some(format!("{kind}:")), "{v}");
    }
    (
        status,
        kind,
        v["message"].as_str().unwrap_or("").to_string(),
    )
}

#[tokio::test]
async fn the_pool_verifies_the_clients_signature_and_rejects_a_wrong_secret_key() {
    let c = creds();
    let (pool, _dir) = pool(Some(c.clone())).await;
    let good = client(&pool, &c.access_key_id, c.secret_access_key.expose());
    let call = good.list_users(list_users()).await;
    let page = call.result.expect("a correctly signed ListUsers succeeds");
    assert!(page.users.iter().any(|u| u.username == "alice"));
    // The inspector sees the Authorization header with the key id abbreviated and no signature.
    let note = call
        .exchange
        .notes
        .iter()
        .find(|n| {
            n.starts_with("SigV4 Authorization: AWS4-HMAC-SHA256 Credential=LOCL…(20 chars)/")
        })
        .unwrap_or_else(|| panic!("{:?}", call.exchange.notes));
    assert!(note.ends_with("Signature=(hidden)"), "{note}");
    assert!(!note.contains(&c.access_key_id));
    let shown = serde_json::to_string(&call.exchange).unwrap();
    assert!(!shown.contains(c.secret_access_key.expose()));
    // Other admin operations too.
    let user = good.admin_get_user("alice").await.result.unwrap();
    assert_eq!(user.username, "alice");

    let wrong_secret = client(
        &pool,
        &c.access_key_id,
        "not-the-secret-key-0000000000000000000000",
    );
    let e = wrong_secret
        .list_users(list_users())
        .await
        .result
        .unwrap_err();
    assert_eq!(e.code(), "InvalidSignatureException");
    assert_eq!(e.message(), MISMATCH);
    assert_eq!(e.status(), Some(400));

    let wrong_id = client(&pool, "AKIDUNKNOWN000000000", c.secret_access_key.expose());
    let e = wrong_id.admin_get_user("alice").await.result.unwrap_err();
    assert_eq!(e.code(), "UnrecognizedClientException");
    assert_eq!(
        e.message(),
        "The security token included in the request is invalid."
    );
    assert_eq!(e.status(), Some(400));

    // Sign-in operations are never signed and keep working without credentials.
    let unsigned = Client::new(&target(&pool)).unwrap();
    let r = unsigned
        .initiate_auth(cognito_tui::cognito::types::InitiateAuthRequest {
            auth_flow: "USER_PASSWORD_AUTH".into(),
            client_id: DEMO_CLIENT_ID.into(),
            auth_parameters: [
                ("USERNAME".to_string(), "alice".to_string()),
                (
                    "PASSWORD".to_string(),
                    cognito_tui::local::DEMO_PASSWORD.to_string(),
                ),
            ]
            .into(),
            session: None,
            secret_hash_username: None,
        })
        .await;
    assert!(r.result.is_ok(), "{:?}", r.result);
    pool.shutdown().await;
}

#[tokio::test]
async fn missing_malformed_tampered_and_stale_signatures_are_refused() {
    let c = creds();
    let (pool, _dir) = pool(Some(c.clone())).await;
    let url = format!("{}/", pool.base_url());
    let body = json!({"UserPoolId": DEMO_POOL_ID, "Username": "alice"}).to_string();
    let signer = SigV4Signer::with_credentials("us-east-1", &c.access_key_id, &c.secret_access_key);

    let (status, kind, message) = raw(&pool, "AdminGetUser", &body, |_| {}).await;
    assert_eq!(
        (status, kind.as_str(), message.as_str()),
        (
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token"
        )
    );

    let (status, kind, message) = raw(&pool, "AdminGetUser", &body, |h| {
        h.insert("authorization", "Bearer eyJhbGciOi".parse().unwrap());
        h.insert("x-amz-date", "20260101T000000Z".parse().unwrap());
    })
    .await;
    assert_eq!(
        (status, kind.as_str()),
        (400, "IncompleteSignatureException")
    );
    assert_eq!(
        message,
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
         Authorization=Bearer eyJhbGciOi"
    );

    // Signed for one body, sent with another.
    let (status, kind, message) = raw(&pool, "AdminGetUser", &body, |h| {
        let other = json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}).to_string();
        signer.sign_now(&url, other.as_bytes(), h).unwrap();
    })
    .await;
    assert_eq!(
        (status, kind.as_str(), message.as_str()),
        (400, "InvalidSignatureException", MISMATCH)
    );

    // A signed header changed after signing.
    let (_, kind, _) = raw(&pool, "AdminGetUser", &body, |h| {
        signer.sign_now(&url, body.as_bytes(), h).unwrap();
        h.insert(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.AdminDeleteUser"
                .parse()
                .unwrap(),
        );
    })
    .await;
    assert_eq!(kind, "InvalidSignatureException");

    // The same request, untouched, passes.
    let (status, kind, _) = raw(&pool, "AdminGetUser", &body, |h| {
        signer.sign_now(&url, body.as_bytes(), h).unwrap();
    })
    .await;
    assert_eq!((status, kind.as_str()), (200, ""));

    // Signed ten minutes before the pool's clock: expired.
    pool.advance_clock(600);
    let (status, kind, message) = raw(&pool, "AdminGetUser", &body, |h| {
        signer.sign_now(&url, body.as_bytes(), h).unwrap();
    })
    .await;
    assert_eq!((status, kind.as_str()), (400, "InvalidSignatureException"));
    assert!(message.starts_with("Signature expired: "), "{message}");
    assert!(message.ends_with(" - 5 min.)"), "{message}");
    // ... and ten minutes after it: not yet current.
    pool.advance_clock(-1200);
    let (_, kind, message) = raw(&pool, "AdminGetUser", &body, |h| {
        signer.sign_now(&url, body.as_bytes(), h).unwrap();
    })
    .await;
    assert_eq!(kind, "InvalidSignatureException");
    assert!(
        message.starts_with("Signature not yet current: "),
        "{message}"
    );
    pool.shutdown().await;
}

#[tokio::test]
async fn without_credentials_any_well_formed_signature_is_accepted_but_one_is_required() {
    let (pool, _dir) = pool(None).await;
    let anyone = client(&pool, "AKIDANYTHING00000000", "whatever-secret");
    assert!(anyone.list_users(list_users()).await.result.is_ok());
    let unsigned = Client::new(&target(&pool)).unwrap();
    let call = unsigned.list_users(list_users()).await;
    let e = call.result.unwrap_err();
    assert_eq!(e.code(), "MissingAuthenticationTokenException");
    assert!(
        call.exchange
            .notes
            .iter()
            .any(|n| n.contains("needs SigV4")),
        "{:?}",
        call.exchange.notes
    );
    let body = json!({"UserPoolId": DEMO_POOL_ID}).to_string();
    let (_, kind, message) = raw(&pool, "ListUsers", &body, |h| {
        h.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/cognito-idp/aws4_request"
                .parse()
                .unwrap(),
        );
        h.insert("x-amz-date", "20260101T000000Z".parse().unwrap());
    })
    .await;
    assert_eq!(kind, "IncompleteSignatureException");
    assert!(
        message.contains("requires 'Signature' parameter"),
        "{message}"
    );
    assert!(!message.contains("requires 'Credential'"), "{message}");
    pool.shutdown().await;
}

/// Runs `cognito-tui run` on the embedded default (a private home) with `input` on stdin.
fn run_binary(input: &str) -> Vec<Value> {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = support::pool::binary();
    cmd.arg("run").env("COGNITO_TUI_HOME", home.path());
    headless_lines(cmd, input)
}

#[test]
fn the_embedded_default_signs_with_its_own_generated_credentials() {
    let lines =
        run_binary("{\"cmd\":\"list_users\"}\n{\"cmd\":\"get_user\",\"username\":\"alice\"}\n");
    let page = lines
        .iter()
        .find(|l| l["event"] == "users_page")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        page["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "alice")
    );
    let exchange = lines
        .iter()
        .find(|l| l["event"] == "exchange" && l["operation"] == "ListUsers")
        .unwrap();
    let notes = exchange["notes"].to_string();
    assert!(
        notes.contains("SigV4 Authorization: AWS4-HMAC-SHA256 Credential=LOCL"),
        "{notes}"
    );
    let detail = lines
        .iter()
        .find(|l| l["event"] == "user_detail")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(detail["detail"]["user"]["username"], "alice");
    assert!(!lines.iter().any(|l| l["event"] == "error"), "{lines:#?}");
}

#[test]
fn serve_verifies_with_the_credentials_it_is_given() {
    let c = creds();
    let served = support::serve_with(
        &["--access-key-id", &c.access_key_id],
        &[(
            "COGNITO_TUI_SECRET_ACCESS_KEY",
            c.secret_access_key.expose(),
        )],
    );
    let url = served.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let rest = served.lines_until(20, std::time::Duration::from_secs(60), |l| {
        l.contains("admin SigV4")
    });
    assert!(
        rest.contains(&format!("verified with access key id {}", c.access_key_id)),
        "{rest}"
    );
    assert!(!rest.contains(c.secret_access_key.expose()));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = Target {
        endpoint: format!("{url}/"),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: false,
    };
    let sign = |id: &str, secret: &str| {
        Client::new(&t)
            .unwrap()
            .with_signer(Arc::new(SigV4Signer::with_credentials(
                "us-east-1",
                id,
                &Secret::new(secret),
            )))
    };
    let good =
        rt.block_on(sign(&c.access_key_id, c.secret_access_key.expose()).list_users(list_users()));
    let bad = rt.block_on(sign(&c.access_key_id, "wrong-secret").list_users(list_users()));
    drop(served);
    assert!(good.result.is_ok(), "{:?}", good.result);
    let e = bad.result.unwrap_err();
    assert_eq!(
        (e.code(), e.message().as_str()),
        ("InvalidSignatureException", MISMATCH)
    );
}

/// `cognito-tui run` against `endpoint` with no AWS credentials anywhere in the chain.
fn run_against(endpoint: &str, input: &str) -> Vec<Value> {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = support::pool::binary();
    cmd.args([
        "run",
        "--endpoint",
        endpoint,
        "--user-pool-id",
        DEMO_POOL_ID,
        "--client-id",
        DEMO_CLIENT_ID,
    ])
    .env("COGNITO_TUI_HOME", home.path())
    .env("HOME", home.path())
    .env("AWS_CONFIG_FILE", home.path().join("no-config"))
    .env(
        "AWS_SHARED_CREDENTIALS_FILE",
        home.path().join("no-credentials"),
    )
    .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_")
            && !matches!(
                k.as_str(),
                "AWS_CONFIG_FILE" | "AWS_SHARED_CREDENTIALS_FILE" | "AWS_EC2_METADATA_DISABLED"
            )
        {
            cmd.env_remove(k);
        }
    }
    headless_lines(cmd, input)
}

/// Runs `cmd` (a `cognito-tui run`) with `input` on stdin; its JSON-lines output.
fn headless_lines(mut cmd: Command, input: &str) -> Vec<Value> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_endpoint_without_aws_credentials_signs_with_the_placeholder() {
    let (open, _d1) = pool(None).await;
    let endpoint = format!("{}/", open.base_url());
    let lines =
        tokio::task::spawn_blocking(move || run_against(&endpoint, "{\"cmd\":\"list_users\"}\n"))
            .await
            .unwrap();
    assert!(
        lines.iter().any(|l| l["event"] == "users_page"),
        "{lines:#?}"
    );
    let x = lines
        .iter()
        .find(|l| l["event"] == "exchange" && l["operation"] == "ListUsers")
        .unwrap();
    let notes = x["notes"].to_string();
    assert!(notes.contains("Credential=AKIA…(20 chars)/"), "{notes}");
    assert!(
        notes.contains("placeholder key AKIAIOSFODNN7EXAMPLE"),
        "{notes}"
    );

    // A pool that verifies refuses the placeholder, and the user is told so.
    let (strict, _d2) = pool(Some(creds())).await;
    let endpoint = format!("{}/", strict.base_url());
    let lines =
        tokio::task::spawn_blocking(move || run_against(&endpoint, "{\"cmd\":\"list_users\"}\n"))
            .await
            .unwrap();
    let e = lines
        .iter()
        .find(|l| l["event"] == "error")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(e["code"], "UnrecognizedClientException");
    assert_eq!(
        e["message"],
        "The security token included in the request is invalid."
    );
}
