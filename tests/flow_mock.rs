//! The auth actor against a scripted server: the paths the embedded pool does not take
//! (no GetTokensFromRefreshToken, failing sign-out, garbage answers, a silent server).

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType};
use cognito_tui::auth::{self, ActorOptions, AuthHandle};
use cognito_tui::cognito::{Client, ClientOptions};
use cognito_tui::config::Target;
use cognito_tui::secret::Secret;
use serde_json::{Value, json};

fn jwt(claims: Value) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn tokens(refresh: bool) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut r = json!({
        "AccessToken": jwt(json!({"sub": "s-1", "username": "zed", "exp": now + 3600, "iat": now})),
        "IdToken": jwt(json!({"sub": "s-1", "cognito:username": "zed", "exp": now + 3600})),
        "ExpiresIn": 3600, "TokenType": "Bearer"
    });
    if refresh {
        r["RefreshToken"] = json!("opaque-refresh-token-value-0123456789");
    }
    r
}

async fn scripted(mode: &'static str) -> Target {
    let app = Router::new().route(
        "/",
        post(move |headers: HeaderMap, body: String| async move {
            let op = headers["x-amz-target"]
                .to_str()
                .unwrap()
                .rsplit('.')
                .next()
                .unwrap()
                .to_string();
            let body: Value = serde_json::from_str(&body).unwrap();
            let err = |code: &str| {
                (
                    StatusCode::BAD_REQUEST,
                    [("x-amzn-errortype", format!("{code}:"))],
                    json!({"message": "nope"}).to_string(),
                )
                    .into_response()
            };
            match (mode, op.as_str()) {
                ("garbage", _) => (StatusCode::OK, "<html>captive portal</html>").into_response(),
                ("silent", _) => {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    (StatusCode::OK, "{}").into_response()
                }
                (_, "InitiateAuth") if body["AuthFlow"] == "REFRESH_TOKEN_AUTH" => (
                    StatusCode::OK,
                    json!({"AuthenticationResult": tokens(false)}).to_string(),
                )
                    .into_response(),
                (_, "InitiateAuth") => (
                    StatusCode::OK,
                    json!({"AuthenticationResult": tokens(true)}).to_string(),
                )
                    .into_response(),
                (_, "GetTokensFromRefreshToken") => err("UnknownOperationException"),
                (_, "GlobalSignOut") => err("InternalErrorException"),
                _ => err("UnknownOperationException"),
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Target {
        endpoint: format!("http://{addr}/"),
        region: "us-east-1".into(),
        user_pool_id: "us-east-1_Mock".into(),
        client_id: "mockclient".into(),
        client_secret: None,
        local: false,
    }
}

fn spawn(t: &Target, timeout_ms: u64) -> AuthHandle {
    let c = Client::with_options(
        t,
        ClientOptions {
            timeout: Duration::from_millis(timeout_ms),
            ..Default::default()
        },
    )
    .unwrap();
    auth::spawn(c, t, ActorOptions::default())
}

async fn run(h: &mut AuthHandle, cmd: AuthCommand) -> Vec<AuthEvent> {
    h.tx.send(cmd).await.unwrap();
    let mut out = Vec::new();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(20), h.rx.recv())
            .await
            .unwrap()
            .unwrap();
        let done = matches!(ev, AuthEvent::Finished { .. });
        out.push(ev);
        if done {
            return out;
        }
    }
}

fn password_sign_in() -> AuthCommand {
    AuthCommand::SignIn {
        username: "zed".into(),
        password: Some(Secret::new("Zed-Passw0rd!")),
        flow: AuthFlowType::UserPasswordAuth,
        preferred_challenge: None,
    }
}

#[tokio::test]
async fn refresh_falls_back_to_refresh_token_auth_and_notes_it_on_the_exchange() {
    let t = scripted("no-gettokens").await;
    let mut a = spawn(&t, 5_000);
    let evs = run(&mut a, password_sign_in()).await;
    assert!(
        matches!(evs.last(), Some(AuthEvent::Finished { ok: true, .. })),
        "{evs:?}"
    );
    let evs = run(
        &mut a,
        AuthCommand::FetchSession {
            force_refresh: true,
        },
    )
    .await;
    let xs: Vec<_> = evs
        .iter()
        .filter_map(|e| match e {
            AuthEvent::Exchange(x) => Some(x),
            _ => None,
        })
        .collect();
    assert_eq!(xs.len(), 2);
    assert_eq!(xs[0].operation, "GetTokensFromRefreshToken");
    assert_eq!(xs[0].error.as_deref(), Some("UnknownOperationException"));
    assert_eq!(xs[1].operation, "InitiateAuth");
    assert_eq!(xs[1].request["AuthFlow"], "REFRESH_TOKEN_AUTH");
    assert!(xs[1].notes[0].contains("fell back"), "{:?}", xs[1].notes);
    assert_eq!(
        xs[1].request["AuthParameters"]["REFRESH_TOKEN"],
        "opaque-ref…(37 chars)"
    );
    let session = evs
        .iter()
        .rev()
        .find_map(|e| match e {
            AuthEvent::Session { session } => session.clone(),
            _ => None,
        })
        .unwrap();
    // The refresh token was not rotated: the old one is kept.
    assert_eq!(
        session.refresh_token_abbrev.as_deref(),
        Some("opaque-ref…(37 chars)")
    );
    assert!(matches!(
        evs.last(),
        Some(AuthEvent::Finished { ok: true, .. })
    ));

    // GlobalSignOut fails on this server; the user is signed out locally anyway.
    let evs = run(&mut a, AuthCommand::SignOut { global: true }).await;
    assert!(
        evs.iter()
            .any(|e| matches!(e, AuthEvent::Session { session: None }))
    );
    assert!(!evs.iter().any(|e| matches!(e, AuthEvent::Error(_))));
    assert!(evs.iter().any(|e| matches!(e, AuthEvent::Info { message, .. } if message.contains("InternalErrorException"))));
}

#[tokio::test]
async fn garbage_and_silence_are_clear_errors() {
    let t = scripted("garbage").await;
    let mut a = spawn(&t, 5_000);
    let evs = run(&mut a, password_sign_in()).await;
    let err = evs
        .iter()
        .find_map(|e| match e {
            AuthEvent::Error(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(err.code, "InvalidResponse");
    assert!(err.message.contains("captive portal"), "{}", err.message);
    assert_eq!(err.operation.as_deref(), Some("InitiateAuth"));

    let t = scripted("silent").await;
    let mut a = spawn(&t, 400);
    let started = std::time::Instant::now();
    let evs = run(&mut a, password_sign_in()).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let err = evs
        .iter()
        .find_map(|e| match e {
            AuthEvent::Error(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(err.code, "Timeout");
    assert!(matches!(
        evs.last(),
        Some(AuthEvent::Finished { ok: false, .. })
    ));
    // The actor is still alive and answers the next command.
    let evs = run(
        &mut a,
        AuthCommand::FetchSession {
            force_refresh: false,
        },
    )
    .await;
    assert!(matches!(
        evs.last(),
        Some(AuthEvent::Finished { ok: true, .. })
    ));
}
