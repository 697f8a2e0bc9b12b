//! Tokens, checked, against the embedded pool: the Session screen's ✓ for fresh tokens and ✗
//! with the right reason for tampered, expired, foreign-client, unknown-key and revoked ones;
//! the same check as a typed event; and the panel read at 80×24.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType};
use cognito_tui::auth::session::Tokens;
use cognito_tui::auth::token_check::{
    SignOutKind, Signature, TokenCheck, TokenCheckReport, TokenKind, TokenProblem, TokenSet,
    check_jwt, check_tokens,
};
use cognito_tui::auth::{self, ActorOptions, AuthHandle};
use cognito_tui::cognito::jwks::JwksCache;
use cognito_tui::cognito::types::{AuthenticationResult, InitiateAuthRequest};
use cognito_tui::cognito::{Client, now_ms};
use cognito_tui::config::Target;
use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID, DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET,
};
use cognito_tui::secret::Secret;
use cognito_tui::tui::App;
use cognito_tui::tui::demo;
use serde_json::Value;
use support::Harness;

fn target(env: &Harness, client_id: &str, secret: Option<&str>) -> Target {
    Target {
        endpoint: env.pool.base_url().to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: client_id.into(),
        client_secret: secret.map(Secret::new),
        local: true,
    }
}

fn client(env: &Harness) -> Client {
    Client::new(&target(env, DEMO_CLIENT_ID, None)).unwrap()
}

fn actor(env: &Harness) -> AuthHandle {
    let t = target(env, DEMO_CLIENT_ID, None);
    auth::spawn(Client::new(&t).unwrap(), &t, ActorOptions::default())
}

/// Sends one command and collects its events up to and including `finished`.
async fn run(h: &mut AuthHandle, cmd: AuthCommand) -> Vec<AuthEvent> {
    h.tx.send(cmd).await.unwrap();
    let mut out = Vec::new();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), h.rx.recv())
            .await
            .expect("no event within 30 s")
            .expect("actor stopped");
        let done = matches!(ev, AuthEvent::Finished { .. });
        out.push(ev);
        if done {
            return out;
        }
    }
}

async fn sign_in(h: &mut AuthHandle, user: &str) -> Vec<AuthEvent> {
    let evs = run(
        h,
        AuthCommand::SignIn {
            username: user.into(),
            password: Some(Secret::new(DEMO_PASSWORD)),
            flow: AuthFlowType::UserPasswordAuth,
            preferred_challenge: None,
        },
    )
    .await;
    assert!(
        matches!(evs.last(), Some(AuthEvent::Finished { ok: true, .. })),
        "{evs:?}"
    );
    evs
}

/// The check the actor answers `CheckTokens` with (then `finished`).
async fn checked(h: &mut AuthHandle) -> TokenCheckReport {
    let evs = run(h, AuthCommand::CheckTokens).await;
    assert!(
        matches!(evs.last(), Some(AuthEvent::Finished { api, ok: true }) if api == "checkTokens"),
        "{evs:?}"
    );
    evs.into_iter()
        .find_map(|e| match e {
            AuthEvent::TokenCheck(r) => Some(r),
            _ => None,
        })
        .expect("a token_check event")
}

/// Tokens straight from InitiateAuth USER_PASSWORD_AUTH with `c`'s client.
async fn tokens_from(c: &Client, user: &str) -> AuthenticationResult {
    let call = c
        .initiate_auth(InitiateAuthRequest {
            auth_flow: "USER_PASSWORD_AUTH".into(),
            client_id: c.client_id().into(),
            auth_parameters: BTreeMap::from([
                ("USERNAME".into(), user.into()),
                ("PASSWORD".into(), DEMO_PASSWORD.into()),
            ]),
            session: None,
            secret_hash_username: None,
        })
        .await;
    call.result
        .expect("signed in")
        .authentication_result
        .expect("tokens")
}

/// `token` with one byte of its payload changed: `"alice"` becomes `"alicf"`, still valid
/// base64url JSON, so only the signature can tell.
fn tampered(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert!(payload.contains("\"alice\""), "{payload}");
    let changed = payload.replacen("\"alice\"", "\"alicf\"", 1);
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(changed.as_bytes()),
        parts[2]
    )
}

/// `token` whose header names key `kid` instead (the signature is left as it was).
fn with_kid(token: &str, kid: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    header["kid"] = Value::String(kid.into());
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        parts[1],
        parts[2]
    )
}

/// The Session screen after `tokens` arrived and were checked (`report`), at `w`×`h`.
fn panel(view_of: &AuthenticationResult, report: TokenCheckReport, w: u16, h: u16) -> String {
    let now = now_ms();
    let tokens = Tokens::from_result(view_of, None, "alice", AuthFlowType::UserPasswordAuth, now)
        .expect("tokens decode");
    panel_of(Some(tokens.view(now)), report, w, h)
}

fn panel_of(
    view: Option<cognito_tui::auth::events::SessionView>,
    report: TokenCheckReport,
    w: u16,
    h: u16,
) -> String {
    let now = now_ms();
    let mut app: App = demo::app();
    let signed_in = view.is_some();
    let actions = app.on_auth_event(AuthEvent::Session { session: view }, now);
    if signed_in {
        // A new session asks for its check at once, without waiting for it.
        assert!(
            actions
                .iter()
                .any(|a| format!("{a:?}").contains("CheckTokens")),
            "{actions:?}"
        );
    }
    app.on_auth_event(AuthEvent::TokenCheck(report), now);
    app.goto(cognito_tui::tui::screens::Screen::Session);
    demo::text(&demo::render(&app, w, h, now))
}

fn line<'a>(screen: &'a str, start: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.trim_start_matches('│').starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?}:\n{screen}"))
}

fn problems(c: &TokenCheck) -> Vec<&TokenProblem> {
    c.problems.iter().collect()
}

#[tokio::test]
async fn fresh_tokens_verify_with_the_pools_keys_and_the_panel_shows_check_marks() {
    let env = Harness::new().await;
    let mut a = actor(&env);
    sign_in(&mut a, "alice").await;
    let report = checked(&mut a).await;
    assert_eq!(report.username, "alice");
    assert_eq!(report.signed_out, None);
    let jwks = format!(
        "{}/{DEMO_POOL_ID}/.well-known/jwks.json",
        env.pool.base_url().trim_end_matches('/')
    );
    for kind in [TokenKind::Id, TokenKind::Access] {
        let c = report.token(kind).unwrap();
        assert!(c.ok(), "{kind:?}: {c:?}");
        let header = c.header.as_ref().unwrap();
        assert_eq!(header.alg.as_deref(), Some("RS256"));
        let Signature::Verified { kid, keys } = &c.signature else {
            panic!("{c:?}")
        };
        assert_eq!(header.kid.as_ref(), Some(kid));
        assert_eq!(keys.url, jwks);
        assert!(keys.kids.contains(kid));
        assert_eq!(c.claims["token_use"], kind.token_use().unwrap());
    }
    // ID and access tokens are signed with the pool's two keys: the JWKS fetched for the ID
    // token already holds the access token's.
    let from_cache = |k| match &report.token(k).unwrap().signature {
        Signature::Verified { keys, .. } => keys.from_cache,
        other => panic!("{other:?}"),
    };
    assert!(!from_cache(TokenKind::Id));
    assert!(from_cache(TokenKind::Access));
    let refresh = report.token(TokenKind::Refresh).unwrap();
    assert!(refresh.opaque && refresh.problems.is_empty(), "{refresh:?}");
    // Checked again: the keys come from the cache.
    let again = checked(&mut a).await;
    for kind in [TokenKind::Id, TokenKind::Access] {
        let c = again.token(kind).unwrap();
        assert!(c.ok());
        assert!(matches!(&c.signature, Signature::Verified { keys, .. } if keys.from_cache));
    }
    // The typed event is what the headless driver writes: no whole token in it.
    let json = serde_json::to_string(&AuthEvent::TokenCheck(report.clone())).unwrap();
    assert!(json.contains("\"event\":\"token_check\""), "{json}");
    let back: AuthEvent = serde_json::from_str(&json).unwrap();
    assert_eq!(back, AuthEvent::TokenCheck(report.clone()));
    // Every token is over 700 characters; nothing in the event comes close.
    fn longest(v: &Value) -> usize {
        match v {
            Value::String(s) => s.len(),
            Value::Array(a) => a.iter().map(longest).max().unwrap_or(0),
            Value::Object(m) => m.values().map(longest).max().unwrap_or(0),
            _ => 0,
        }
    }
    let longest_string = longest(&serde_json::from_str(&json).unwrap());
    assert!(longest_string < 200, "{longest_string}: {json}");
    // The panel: ✓ for both, the header, and the claims with their meaning.
    let view = {
        let evs = run(
            &mut a,
            AuthCommand::FetchSession {
                force_refresh: false,
            },
        )
        .await;
        evs.into_iter()
            .find_map(|e| match e {
                AuthEvent::Session { session } => session,
                _ => None,
            })
            .unwrap()
    };
    let s = panel_of(Some(view), report, 120, 60);
    assert!(line(&s, "Access  expires in").contains("✓ verified"), "{s}");
    assert!(line(&s, "ID      expires in").contains("✓ verified"), "{s}");
    assert!(line(&s, "Refresh").contains("opaque"), "{s}");
    assert!(s.contains("alg RS256  kid "), "{s}");
    assert!(s.contains("✓ signature verified"), "{s}");
    assert!(s.contains(&jwks), "{s}");
    assert!(
        s.contains("the app client this access token was issued to"),
        "{s}"
    );
    assert!(!s.contains('✗'), "{s}");
}

#[tokio::test]
async fn a_tampered_token_fails_on_its_signature() {
    let env = Harness::new().await;
    let c = client(&env);
    let cache = JwksCache::default();
    let mut result = tokens_from(&c, "alice").await;
    let access = tampered(result.access_token.as_deref().unwrap());
    let check = check_jwt(&c, &cache, TokenKind::Access, &access, None, now_ms()).await;
    assert_eq!(
        problems(&check),
        vec![&TokenProblem::BadSignature],
        "{check:?}"
    );
    assert!(matches!(check.signature, Signature::Bad { .. }));
    assert!(!check.ok());
    assert_eq!(check.claims["username"], "alicf");
    assert!(TokenProblem::BadSignature.reason().contains("tampered"));
    // The untouched ID token of the same sign-in still verifies.
    let id = result.id_token.clone().unwrap();
    let fine = check_jwt(&c, &cache, TokenKind::Id, &id, None, now_ms()).await;
    assert!(fine.ok(), "{fine:?}");
    // On screen, at 80×24: the access token's ✗ and why, whole.
    result.access_token = Some(access.clone());
    let set = TokenSet {
        username: "alice",
        id: Some(&id),
        access: &access,
        refresh: result.refresh_token.as_deref(),
        clock_drift_ms: 0,
    };
    let report = check_tokens(&c, &cache, set, None, now_ms()).await;
    let s = panel(&result, report, 80, 24);
    assert!(
        line(&s, "Access  expires in").contains("✗ bad signature"),
        "{s}"
    );
    assert!(line(&s, "ID      expires in").contains("✓ verified"), "{s}");
    assert!(s.contains("✗ Access: bad signature"), "{s}");
    // The reason is there whole, wrapped, at 80×24.
    assert!(s.contains("(tampered)"), "{s}");
}

#[tokio::test]
async fn an_expired_token_fails_as_expired_though_its_signature_holds() {
    let env = Harness::new().await;
    // The pool's clock two hours behind: its one-hour tokens arrive an hour expired.
    env.advance(-7200);
    let mut a = actor(&env);
    let evs = sign_in(&mut a, "alice").await;
    let report = checked(&mut a).await;
    for kind in [TokenKind::Id, TokenKind::Access] {
        let c = report.token(kind).unwrap();
        assert!(matches!(c.signature, Signature::Verified { .. }), "{c:?}");
        match problems(c)[..] {
            [TokenProblem::Expired { seconds_ago, .. }] => {
                assert!((3500..3700).contains(seconds_ago), "{seconds_ago}")
            }
            ref other => panic!("{kind:?}: {other:?}"),
        }
        assert!(!c.ok());
    }
    let view = evs
        .into_iter()
        .find_map(|e| match e {
            AuthEvent::Session { session } => session,
            _ => None,
        })
        .unwrap();
    // The cause is said: the issuer's clock is two hours behind this machine's.
    let access = report.token(TokenKind::Access).unwrap();
    assert!(
        access
            .notes
            .iter()
            .any(|n| n.starts_with("the issuer's clock is 2 h behind this machine's")),
        "{access:?}"
    );
    let s = panel_of(Some(view), report, 80, 24);
    assert!(line(&s, "Access  expired").contains("✗ expired"), "{s}");
    assert!(line(&s, "ID      expired").contains("✗ expired"), "{s}");
    assert!(s.contains("✗ Access, ID: expired 1 h"), "{s}");
    assert!(s.contains("machine's clock)"), "{s}");
}

#[tokio::test]
async fn tokens_of_another_client_unknown_keys_and_foreign_issuers_are_refused() {
    let env = Harness::new().await;
    let mine = client(&env);
    let cache = JwksCache::default();
    // Tokens the pool issued to another app client of the same pool.
    let other = Client::new(&target(
        &env,
        DEMO_SECRET_CLIENT_ID,
        Some(DEMO_SECRET_CLIENT_SECRET),
    ))
    .unwrap();
    let theirs = tokens_from(&other, "bob").await;
    let now = now_ms();
    let id = check_jwt(
        &mine,
        &cache,
        TokenKind::Id,
        theirs.id_token.as_deref().unwrap(),
        None,
        now,
    )
    .await;
    assert!(matches!(id.signature, Signature::Verified { .. }), "{id:?}");
    assert!(
        matches!(problems(&id)[..], [TokenProblem::WrongAudience { expected, found: Some(f) }]
            if expected == DEMO_CLIENT_ID && f == DEMO_SECRET_CLIENT_ID),
        "{id:?}"
    );
    let access_token = theirs.access_token.as_deref().unwrap();
    let access = check_jwt(&mine, &cache, TokenKind::Access, access_token, None, now).await;
    assert!(
        matches!(problems(&access)[..], [TokenProblem::WrongClientId { expected, .. }]
            if expected == DEMO_CLIENT_ID),
        "{access:?}"
    );
    // The same tokens check fine for the client they were issued to.
    let ok = check_jwt(&other, &cache, TokenKind::Access, access_token, None, now).await;
    assert!(ok.ok(), "{ok:?}");
    // An access token presented as an ID token: wrong token_use (and no aud).
    let swapped = check_jwt(&other, &cache, TokenKind::Id, access_token, None, now).await;
    assert!(
        matches!(&problems(&swapped)[0], TokenProblem::WrongTokenUse { expected, found: Some(f) }
            if expected == "id" && f == "access"),
        "{swapped:?}"
    );
    // A key the pool never published: fetched again once, then known to be unknown.
    let unknown = with_kid(access_token, "no-such-key");
    let first = check_jwt(&other, &cache, TokenKind::Access, &unknown, None, now).await;
    assert!(
        matches!(&problems(&first)[..], [TokenProblem::UnknownKid { kid, known }, ..]
            if kid == "no-such-key" && known.len() == 2),
        "{first:?}"
    );
    assert_eq!(first.signature, Signature::NotChecked);
    // A token naming a foreign issuer: nothing is fetched from it.
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"k"}"#);
    let payload = URL_SAFE_NO_PAD
        .encode(r#"{"iss":"http://169.254.169.254/latest","token_use":"access","exp":9999999999}"#);
    let foreign = format!("{header}.{payload}.c2ln");
    let f = check_jwt(&mine, &cache, TokenKind::Access, &foreign, None, now).await;
    assert!(
        matches!(&problems(&f)[0], TokenProblem::UntrustedIssuer { message }
            if message.contains("not the configured pool's")),
        "{f:?}"
    );
    // alg none is no Cognito token.
    let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#));
    let n = check_jwt(&mine, &cache, TokenKind::Access, &none, None, now).await;
    assert!(
        matches!(&problems(&n)[0], TokenProblem::UnsupportedAlg { alg } if alg == "none"),
        "{n:?}"
    );
}

#[tokio::test]
async fn tokens_ended_by_a_sign_out_are_revoked_as_far_as_the_client_knows() {
    let env = Harness::new().await;
    let mut a = actor(&env);
    for (global, kind) in [(false, SignOutKind::Revoked), (true, SignOutKind::Global)] {
        sign_in(&mut a, "alice").await;
        let before = checked(&mut a).await;
        assert!(before.token(TokenKind::Access).unwrap().ok());
        run(&mut a, AuthCommand::SignOut { global }).await;
        let after = checked(&mut a).await;
        assert_eq!(after.signed_out.map(|s| s.kind), Some(kind));
        for c in &after.tokens {
            assert!(
                c.problems
                    .iter()
                    .any(|p| matches!(p, TokenProblem::Revoked { by, .. } if *by == kind)),
                "{c:?}"
            );
            // Still signed as issued: only the client's knowledge makes it revoked.
            if !c.opaque {
                assert!(matches!(c.signature, Signature::Verified { .. }), "{c:?}");
            }
        }
        let s = panel_of(None, after, 80, 24);
        assert!(s.contains("Not signed in."), "{s}");
        assert!(line(&s, "Access  expires in").contains("✗ revoked"), "{s}");
        assert!(s.contains("✗ Access, ID, Refresh: revoked by"), "{s}");
        assert!(s.contains("exp alone"), "{s}");
    }
}

#[tokio::test]
async fn the_headless_driver_answers_check_tokens_with_a_typed_event() {
    let env = Harness::new().await;
    let t = target(&env, DEMO_CLIENT_ID, None);
    let c = Client::new(&t).unwrap().with_signer(support::signer());
    let a = auth::spawn(c.clone(), &t, ActorOptions::default());
    let ad = cognito_tui::admin::spawn(c, &t);
    let script: String = [
        serde_json::json!({"cmd": "check_tokens"}),
        serde_json::json!({"cmd": "sign_in", "username": "alice", "password": DEMO_PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
        serde_json::json!({"cmd": "check_tokens"}),
        serde_json::json!({"cmd": "sign_out", "global": true}),
        serde_json::json!({"cmd": "check_tokens"}),
    ]
    .iter()
    .map(|c| format!("{c}\n"))
    .collect();
    let mut out = Vec::new();
    tokio::time::timeout(
        Duration::from_secs(60),
        cognito_tui::headless::run(a, ad, script.as_bytes(), &mut out),
    )
    .await
    .expect("the driver finished")
    .expect("the driver succeeded");
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let checks: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "token_check")
        .collect();
    assert_eq!(checks.len(), 2, "{text}");
    // Before signing in there is nothing to check: said so, and finished.
    assert!(
        text.contains("No user is signed in and no sign-out to look back on"),
        "{text}"
    );
    let kinds = |c: &Value| -> Vec<(String, bool)> {
        c["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["kind"].as_str().unwrap().to_string(),
                    t["problems"].as_array().unwrap().is_empty(),
                )
            })
            .collect()
    };
    assert_eq!(
        kinds(checks[0]),
        vec![
            ("id".into(), true),
            ("access".into(), true),
            ("refresh".into(), true)
        ],
        "{}",
        checks[0]
    );
    assert_eq!(checks[0]["tokens"][1]["signature"], "verified");
    assert_eq!(checks[1]["signed_out"]["kind"], "global");
    for t in checks[1]["tokens"].as_array().unwrap() {
        assert_eq!(t["problems"][0]["problem"], "revoked", "{t}");
        assert_eq!(t["problems"][0]["by"], "global", "{t}");
    }
    // Tokens stay abbreviated in the output.
    assert!(
        !text.lines().any(|l| l.split('"').any(|s| s.len() > 300)),
        "a long value (a whole token?) in the output"
    );
}

#[test]
fn v_on_the_session_screen_checks_the_tokens_again() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = demo::signed_in();
    app.goto(cognito_tui::tui::screens::Screen::Session);
    let actions = app.handle_key(
        KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE),
        demo::NOW_MS,
    );
    assert_eq!(
        format!("{actions:?}"),
        format!(
            "{:?}",
            vec![cognito_tui::tui::shared::Action::Auth(
                AuthCommand::CheckTokens
            )]
        )
    );
    // A report of other tokens (an older session's) is not shown as this session's check.
    let mut stale = demo::token_check();
    for t in &mut stale.tokens {
        t.abbrev = "eyJolder0…(1000 chars)".into();
    }
    app.on_auth_event(AuthEvent::TokenCheck(stale), demo::NOW_MS);
    let s = demo::text(&demo::render(&app, 120, 36, demo::NOW_MS));
    assert!(line(&s, "Access  expires in").contains("checking…"), "{s}");
}

/// A token naming `issuer`, signed by nobody (its keys are all the check gets to).
fn token_from(issuer: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"k1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(
        serde_json::json!({"iss": issuer, "token_use": "access", "exp": 9_999_999_999i64})
            .to_string(),
    );
    format!("{header}.{payload}.c2ln")
}

#[tokio::test]
async fn a_hostile_jwks_is_read_within_bounds_and_no_redirect_is_followed() {
    use cognito_tui::cognito::ClientOptions;
    use support::hostile::{Behaviour, Hostile};
    let pool = "us-east-1_x";
    let elsewhere = Hostile::start(Behaviour::Empty);
    let cases = [
        (
            Behaviour::Redirect {
                location: format!("{}/keys", elsewhere.url),
            },
            "redirect",
        ),
        (
            Behaviour::HugeArray { bytes: 8_000_000 },
            "over the client's limit",
        ),
        // An endless body meets the 64 KiB cap long before the deadline.
        (Behaviour::Endless, "over the client's limit of 65536 bytes"),
    ];
    for (behaviour, says) in cases {
        let server = Hostile::start(behaviour);
        let t = Target {
            endpoint: format!("{}/", server.url),
            region: "us-east-1".into(),
            user_pool_id: pool.into(),
            client_id: "c".into(),
            client_secret: None,
            local: false,
        };
        let opts = ClientOptions {
            timeout: Duration::from_secs(2),
            ..Default::default()
        };
        let c = Client::with_options(&t, opts).unwrap();
        let token = token_from(&format!("{}/{pool}", server.url));
        let check = tokio::time::timeout(
            Duration::from_secs(10),
            check_jwt(
                &c,
                &JwksCache::default(),
                TokenKind::Access,
                &token,
                None,
                now_ms(),
            ),
        )
        .await
        .expect("the check ends within its deadline");
        match &problems(&check)[..] {
            [TokenProblem::KeysUnavailable { url, message }, ..] => {
                assert_eq!(url, &format!("{}/{pool}/.well-known/jwks.json", server.url));
                assert!(message.contains(says), "{says}: {message}");
            }
            other => panic!("{says}: {other:?}"),
        }
        let seen = server.seen();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].path, format!("/{pool}/.well-known/jwks.json"));
    }
    assert!(elsewhere.seen().is_empty(), "the redirect was followed");
}
