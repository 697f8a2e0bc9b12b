//! The wire client against a small axum mock: headers, SECRET_HASH, redaction, and every way
//! a call can fail.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response as AxumResponse};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::types::*;
use super::*;
use crate::config::Target;
use crate::secret::Secret;

type Reply = (u16, Vec<(&'static str, String)>, String, u64);
type Responder = Arc<dyn Fn(&str, &Value) -> Reply + Send + Sync>;

#[derive(Clone)]
struct Mock {
    respond: Responder,
    seen: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
}

async fn handler(State(m): State<Mock>, headers: HeaderMap, body: Bytes) -> AxumResponse {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let op = headers
        .get("x-amz-target")
        .and_then(|h| h.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("")
        .to_string();
    m.seen.lock().unwrap().push((headers, v.clone()));
    let (status, hdrs, body, delay_ms) = (m.respond)(&op, &v);
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    let mut resp = (StatusCode::from_u16(status).unwrap(), body).into_response();
    for (k, val) in hdrs {
        resp.headers_mut().insert(k, val.parse().unwrap());
    }
    resp
}

async fn mock(
    respond: impl Fn(&str, &Value) -> Reply + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<(HeaderMap, Value)>>>) {
    let m = Mock {
        respond: Arc::new(respond),
        seen: Arc::default(),
    };
    let seen = m.seen.clone();
    let app = Router::new()
        .route("/", post(handler))
        .route(
            "/_local/outbox",
            get(|| async {
                r#"[{"pool_id":"p","username":"alice","medium":"EMAIL","destination":"a@example.com","purpose":"SIGN_UP","code":"123456","sent_at":"2026-11-28T22:30:00.123Z"}]"#
            }),
        )
        .with_state(m);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), seen)
}

fn target(endpoint: &str, secret: Option<&str>) -> Target {
    Target {
        endpoint: endpoint.into(),
        region: "us-east-1".into(),
        user_pool_id: "us-east-1_TestPool".into(),
        client_id: "client123".into(),
        client_secret: secret.map(Secret::new),
        local: true,
    }
}

fn ok(body: Value) -> Reply {
    (
        200,
        vec![("x-amzn-requestid", "req-ok".into())],
        body.to_string(),
        0,
    )
}

fn sign_up_req(pw: &str) -> SignUpRequest {
    SignUpRequest {
        client_id: "client123".into(),
        username: "alice".into(),
        password: Some(Secret::new(pw)),
        user_attributes: vec![],
    }
}

#[tokio::test]
async fn sends_cognito_headers_and_secret_hash_and_redacts_the_exchange() {
    let (url, seen) = mock(|op, _| match op {
        "SignUp" => ok(json!({"UserConfirmed": false, "UserSub": "sub-1",
            "CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}})),
        _ => ok(json!({})),
    })
    .await;
    let c = Client::new(&target(&url, Some("s3cr3t-client"))).unwrap();
    let call = c.sign_up(sign_up_req("Pa55word-very-secret!")).await;
    let r = call.result.unwrap();
    assert_eq!(r.user_sub, "sub-1");
    assert_eq!(
        r.code_delivery_details.unwrap().destination.as_deref(),
        Some("a***@e***")
    );

    let (headers, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(headers["content-type"], "application/x-amz-json-1.1");
    assert_eq!(
        headers["x-amz-target"],
        "AWSCognitoIdentityProviderService.SignUp"
    );
    assert_eq!(body["Password"], "Pa55word-very-secret!");
    assert_eq!(
        body["SecretHash"],
        crate::srp::secret_hash("alice", "client123", "s3cr3t-client")
    );

    let x = &call.exchange;
    assert_eq!(x.operation, "SignUp");
    assert_eq!(x.status, Some(200));
    assert_eq!(x.request_id.as_deref(), Some("req-ok"));
    assert_eq!(x.error, None);
    let shown = serde_json::to_string(x).unwrap();
    assert!(!shown.contains("Pa55word-very-secret!"), "{shown}");
    assert!(
        !shown.contains(body["SecretHash"].as_str().unwrap()),
        "{shown}"
    );
    assert_eq!(x.request["Password"], "***");
    assert_eq!(x.request["SecretHash"], "***");
    assert_eq!(x.response["UserSub"], "sub-1");
}

#[tokio::test]
async fn secret_hash_follows_the_username_of_each_operation() {
    let (url, seen) = mock(|_, _| ok(json!({}))).await;
    let c = Client::new(&target(&url, Some("sec"))).unwrap();
    let mut responses = std::collections::BTreeMap::new();
    responses.insert("USERNAME".to_string(), "real-user".to_string());
    let call = c
        .send(
            Request::RespondToAuthChallenge(RespondToAuthChallengeRequest {
                client_id: "client123".into(),
                challenge_name: "SMS_MFA".into(),
                session: Some("session-value-abcdefghijkl".into()),
                challenge_responses: responses,
            }),
            vec!["a note".into()],
        )
        .await;
    assert!(call.result.is_ok());
    assert_eq!(call.exchange.notes, vec!["a note".to_string()]);
    assert_eq!(call.exchange.request["Session"], "session-va…(26 chars)");
    let call = c
        .initiate_auth(InitiateAuthRequest {
            auth_flow: "REFRESH_TOKEN_AUTH".into(),
            client_id: "client123".into(),
            auth_parameters: [("REFRESH_TOKEN".to_string(), "r".repeat(40))].into(),
            session: None,
            secret_hash_username: Some("sub-123".into()),
        })
        .await;
    assert!(call.result.is_ok());
    c.revoke_token(RevokeTokenRequest {
        token: "t".repeat(30),
        client_id: "client123".into(),
    })
    .await
    .result
    .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].1["ChallengeResponses"]["SECRET_HASH"],
        crate::srp::secret_hash("real-user", "client123", "sec")
    );
    assert_eq!(
        seen[1].1["AuthParameters"]["SECRET_HASH"],
        crate::srp::secret_hash("sub-123", "client123", "sec")
    );
    assert_eq!(seen[2].1["ClientSecret"], "sec");
    assert!(seen[2].1.get("SecretHash").is_none());
}

#[tokio::test]
async fn no_secret_no_hash() {
    let (url, seen) = mock(|_, _| ok(json!({"UserConfirmed": true, "UserSub": "s"}))).await;
    let c = Client::new(&target(&url, None)).unwrap();
    c.sign_up(sign_up_req("pw")).await.result.unwrap();
    assert!(seen.lock().unwrap()[0].1.get("SecretHash").is_none());
}

async fn error_for(reply: Reply) -> (CognitoError, WireExchange) {
    let (url, _) = mock(move |_, _| reply.clone()).await;
    let c = Client::new(&target(&url, None)).unwrap();
    let call = c.sign_up(sign_up_req("pw")).await;
    (call.result.unwrap_err(), call.exchange)
}

#[tokio::test]
async fn error_code_from_the_header_wins() {
    let (e, x) = error_for((
        400,
        vec![
            ("x-amzn-errortype", "NotAuthorizedException:".into()),
            ("x-amzn-requestid", "rid-1".into()),
        ],
        json!({"__type": "SomethingElse", "message": "Incorrect username or password."})
            .to_string(),
        0,
    ))
    .await;
    assert_eq!(
        e,
        CognitoError::Service {
            code: "NotAuthorizedException".into(),
            message: "Incorrect username or password.".into(),
            request_id: Some("rid-1".into()),
            status: 400,
        }
    );
    assert_eq!(x.error.as_deref(), Some("NotAuthorizedException"));
    assert_eq!(x.status, Some(400));
    assert_eq!(x.request_id.as_deref(), Some("rid-1"));
    assert_eq!(x.response["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn error_code_from_type_with_namespace_and_capital_message() {
    let (e, _) = error_for((
        400,
        vec![],
        json!({"__type": "com.amazonaws.cognito#UserNotFoundException", "Message": "User does not exist."})
            .to_string(),
        0,
    ))
    .await;
    assert_eq!(e.code(), "UserNotFoundException");
    assert_eq!(e.message(), "User does not exist.");
    assert_eq!(e.request_id(), None);
}

#[tokio::test]
async fn error_code_in_header_with_namespace_and_suffix() {
    let (e, _) = error_for((
        500,
        vec![
            (
                "x-amzn-errortype",
                "com.amazon#InternalErrorException:http://internal/".into(),
            ),
            ("x-amzn-errormessage", "boom".into()),
        ],
        String::new(),
        0,
    ))
    .await;
    assert_eq!(e.code(), "InternalErrorException");
    assert_eq!(e.message(), "boom");
    assert_eq!(e.status(), Some(500));
}

#[tokio::test]
async fn non_json_error_body_is_an_invalid_response() {
    let (e, x) = error_for((502, vec![], "<html>Bad Gateway</html>".into(), 0)).await;
    assert_eq!(e.code(), "InvalidResponse");
    assert!(e.message().contains("HTTP 502"), "{}", e.message());
    assert!(e.message().contains("Bad Gateway"));
    assert_eq!(x.response, Value::String("<html>Bad Gateway</html>".into()));
    assert_eq!(x.error.as_deref(), Some("InvalidResponse"));
}

#[tokio::test]
async fn success_with_garbage_or_wrong_shape_is_an_invalid_response() {
    let (e, _) = error_for((200, vec![], "not json at all".into(), 0)).await;
    assert_eq!(e.code(), "InvalidResponse");
    assert!(e.message().contains("not JSON"));
    let (e, x) = error_for((200, vec![], json!({"UserConfirmed": "yes"}).to_string(), 0)).await;
    assert_eq!(e.code(), "InvalidResponse");
    assert!(e.message().contains("SignUp"), "{}", e.message());
    assert!(
        !e.message().contains("yes"),
        "values are scrubbed: {}",
        e.message()
    );
    assert_eq!(x.error.as_deref(), Some("InvalidResponse"));
}

#[tokio::test]
async fn empty_success_body_reads_as_an_empty_object() {
    let (url, _) = mock(|_, _| (200, vec![], String::new(), 0)).await;
    let c = Client::new(&target(&url, None)).unwrap();
    let call = c
        .global_sign_out(AccessTokenRequest {
            access_token: "a".repeat(50),
        })
        .await;
    assert!(call.result.is_ok());
    assert_eq!(
        call.exchange.request["AccessToken"],
        "aaaaaaaaaa…(50 chars)"
    );
}

#[tokio::test]
async fn slow_server_times_out_with_a_clear_error() {
    let (url_slow, _) = mock(|_, _| (200, vec![], "{}".into(), 3_000)).await;
    let opts = ClientOptions {
        timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let c = Client::with_options(&target(&url_slow, None), opts).unwrap();
    let t0 = std::time::Instant::now();
    let call = c.sign_up(sign_up_req("pw")).await;
    assert!(t0.elapsed() < Duration::from_secs(2));
    let e = call.result.unwrap_err();
    assert_eq!(e.code(), "Timeout");
    assert!(e.message().contains("300 ms"), "{}", e.message());
    assert_eq!(call.exchange.status, None);
    assert_eq!(call.exchange.error.as_deref(), Some("Timeout"));
    assert_eq!(call.exchange.response, Value::Null);
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let c = Client::new(&target(&format!("http://127.0.0.1:{port}/"), None)).unwrap();
    let call = c.sign_up(sign_up_req("pw")).await;
    let e = call.result.unwrap_err();
    assert_eq!(e.code(), "NetworkError");
    assert!(e.message().contains("cannot connect"), "{}", e.message());
    assert!(
        e.message().to_lowercase().contains("refused"),
        "{}",
        e.message()
    );
    assert_eq!(call.exchange.error.as_deref(), Some("NetworkError"));
    assert_eq!(call.exchange.request["Password"], "***");
}

#[tokio::test]
async fn every_call_has_its_own_exchange_id_and_outbox_reads() {
    let (url, _) = mock(|_, _| ok(json!({"Users": [], "PaginationToken": "p2"}))).await;
    let c = Client::new(&target(&url, None)).unwrap();
    let a = c
        .list_users(ListUsersRequest {
            user_pool_id: "p".into(),
            limit: Some(60),
            pagination_token: None,
            filter: None,
        })
        .await;
    assert_eq!(a.result.unwrap().pagination_token.as_deref(), Some("p2"));
    let b = c.fetch_outbox().await;
    assert_ne!(a.exchange.id, b.exchange.id);
    let entries = b.result.unwrap();
    assert_eq!(entries[0].code, "123456");
    assert_eq!(b.exchange.operation, "GET /_local/outbox");
}

struct FakeSigner;
impl RequestSigner for FakeSigner {
    fn sign<'a>(
        &'a self,
        _url: &'a str,
        body: &'a [u8],
        h: &'a mut reqwest::header::HeaderMap,
    ) -> crate::cognito::sigv4::SignFuture<'a> {
        Box::pin(async move {
            h.insert(
                "authorization",
                format!("FAKE len={}", body.len()).parse().unwrap(),
            );
            Ok(vec!["fake signer".to_string()])
        })
    }
}

#[tokio::test]
async fn signer_seam_signs_list_users_only() {
    let (url, seen) = mock(|_, _| ok(json!({"Users": []}))).await;
    let c = Client::new(&target(&url, None))
        .unwrap()
        .with_signer(Arc::new(FakeSigner));
    c.list_users(ListUsersRequest {
        user_pool_id: "p".into(),
        limit: None,
        pagination_token: None,
        filter: None,
    })
    .await
    .result
    .unwrap();
    c.get_user(AccessTokenRequest {
        access_token: "x".into(),
    })
    .await;
    let seen = seen.lock().unwrap();
    assert!(
        seen[0].0["authorization"]
            .to_str()
            .unwrap()
            .starts_with("FAKE")
    );
    assert!(seen[1].0.get("authorization").is_none());
}

struct NoCredentials;
impl RequestSigner for NoCredentials {
    fn sign<'a>(
        &'a self,
        _url: &'a str,
        _body: &'a [u8],
        _h: &'a mut reqwest::header::HeaderMap,
    ) -> crate::cognito::sigv4::SignFuture<'a> {
        Box::pin(async {
            Err(crate::cognito::sigv4::credentials_error(
                &aws_credential_types::provider::error::CredentialsError::not_loaded("none"),
                None,
            ))
        })
    }
}

#[tokio::test]
async fn missing_credentials_fail_before_sending_and_sign_in_still_works() {
    let (url, seen) = mock(|_, _| ok(json!({"Users": []}))).await;
    let c = Client::new(&target(&url, None))
        .unwrap()
        .with_signer(Arc::new(NoCredentials));
    let call = c
        .list_users(ListUsersRequest {
            user_pool_id: "p".into(),
            limit: None,
            pagination_token: None,
            filter: None,
        })
        .await;
    let e = call.result.unwrap_err();
    assert_eq!(e.code(), "CredentialsError");
    assert!(e.message().contains("--profile"), "{}", e.message());
    assert_eq!(call.exchange.error.as_deref(), Some("CredentialsError"));
    assert_eq!(call.exchange.status, None);
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
    // An unsigned operation does not need the signer at all.
    c.get_user(AccessTokenRequest {
        access_token: "x".into(),
    })
    .await;
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn access_denied_passes_through_as_cognito_sent_it() {
    const DENIED: &str = "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: \
        cognito-idp:ListUsers on resource: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_TestPool";
    let (url, _) = mock(|_, _| {
        (
            400,
            vec![
                ("x-amzn-requestid", "req-denied".into()),
                ("x-amzn-errortype", "AccessDeniedException:".into()),
            ],
            json!({"__type": "AccessDeniedException", "Message": DENIED}).to_string(),
            0,
        )
    })
    .await;
    let c = Client::new(&target(&url, None))
        .unwrap()
        .with_signer(Arc::new(FakeSigner));
    let e = c
        .list_users(ListUsersRequest {
            user_pool_id: "p".into(),
            limit: None,
            pagination_token: None,
            filter: None,
        })
        .await
        .result
        .unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    assert_eq!(e.message(), DENIED);
    assert_eq!(e.request_id(), Some("req-denied"));
}

#[tokio::test]
async fn a_redirect_is_an_error_naming_it_and_the_body_goes_nowhere_else() {
    let (elsewhere, seen_elsewhere) = mock(|_, _| ok(json!({}))).await;
    let location = format!("{elsewhere}steal");
    let (url, seen) =
        mock(move |_, _| (307, vec![("location", location.clone())], "".into(), 0)).await;
    let c = Client::new(&target(&url, None)).unwrap();
    let call = c.sign_up(sign_up_req("Redirected-Passw0rd")).await;
    let e = call.result.unwrap_err();
    assert_eq!(e.code(), "InvalidResponse");
    assert!(e.message().contains("HTTP 307 redirect to"), "{e}");
    assert!(e.message().contains(&format!("{elsewhere}steal")), "{e}");
    assert_eq!(call.exchange.status, Some(307));
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(seen_elsewhere.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_the_limit_named() {
    let big = json!({"UserConfirmed": false, "UserSub": "x".repeat(5000)}).to_string();
    let (url, _) = mock(move |_, _| (200, vec![], big.clone(), 0)).await;
    let opts = ClientOptions {
        max_response_bytes: 1024,
        ..Default::default()
    };
    let c = Client::with_options(&target(&url, None), opts).unwrap();
    let call = c.sign_up(sign_up_req("pw")).await;
    let e = call.result.unwrap_err();
    assert_eq!(e.code(), "InvalidResponse");
    assert!(
        e.message()
            .contains("over the client's limit of 1024 bytes"),
        "{e}"
    );
    assert_eq!(call.exchange.response, Value::Null);
}

#[tokio::test]
async fn secrets_a_server_echoes_are_scrubbed_from_errors_and_exchanges() {
    const PW: &str = "Echoed-Passw0rd!";
    const CLIENT_SECRET: &str = "client-secret-echoed-1";
    let (url, _) = mock(|op, body| match op {
        "SignUp" => (
            400,
            vec![],
            json!({"__type": "InvalidParameterException",
                   "message": format!("bad {body}")})
            .to_string(),
            0,
        ),
        _ => (500, vec![], format!("<html><pre>{body}</pre></html>"), 0),
    })
    .await;
    let c = Client::new(&target(&url, Some(CLIENT_SECRET))).unwrap();
    let call = c.sign_up(sign_up_req(PW)).await;
    let e = call.result.unwrap_err();
    let shown = format!(
        "{e} {:?} {}",
        e,
        serde_json::to_string(&call.exchange).unwrap()
    );
    assert!(e.message().contains("\"Password\":\"***\""), "{e}");
    let revoke = c
        .revoke_token(RevokeTokenRequest {
            token: "refresh-token-echoed-0123".into(),
            client_id: "client123".into(),
        })
        .await;
    let e2 = revoke.result.unwrap_err();
    assert!(e2.message().contains("HTTP 500"), "{e2}");
    let shown = format!(
        "{shown} {e2} {}",
        serde_json::to_string(&revoke.exchange).unwrap()
    );
    for secret in [PW, CLIENT_SECRET, "refresh-token-echoed-0123"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn the_deadline_covers_reading_the_body_not_only_the_headers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).await;
        // Headers at once, then a body that drips forever.
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\r\n{";
        let _ = s.write_all(head.as_bytes()).await;
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if s.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let opts = ClientOptions {
        timeout: Duration::from_millis(400),
        ..Default::default()
    };
    let c = Client::with_options(&target(&format!("http://{addr}/"), None), opts).unwrap();
    let t0 = std::time::Instant::now();
    let call = c.sign_up(sign_up_req("pw")).await;
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    let e = call.result.unwrap_err();
    assert_eq!(e.code(), "Timeout", "{e}");
    assert_eq!(
        e.message(),
        format!("no response from http://{addr}/ within 400 ms")
    );
}
