//! Sample events with a fixed clock, for render tests and the screenshot generator. These are
//! shaped exactly as the auth and admin actors emit them; nothing here is used at run time.

use std::collections::BTreeMap;

use serde_json::json;

use super::app::App;
use super::shared::{TargetInfo, TargetKind};
use crate::admin::{AdminEvent, OutboxEntry, UserRow};
use crate::auth::events::{AuthErrorView, AuthEvent, AuthFlowType, SessionView, Transition};
use crate::auth::steps::{CodeDeliveryDetails, NextStep, SignInStep, SignUpStep};
use crate::auth::token_check::{
    JwtHeader, SignOutKind, Signature, SignedOut, TokenCheck, TokenCheckReport, TokenKind,
    TokenProblem,
};
use crate::cognito::exchange::WireExchange;
use crate::cognito::jwks::KeysSource;
use crate::cognito::types::TriggerInvocation;
use crate::tui::screens::session::LocalZone;
use crate::tui::theme::Theme;

/// 2026-11-28T22:30:00Z in Unix milliseconds: the clock every sample uses.
pub const NOW_MS: i64 = 1_795_905_000_000;
pub const POOL_ID: &str = "us-east-1_DemoPool1";
pub const ENDPOINT: &str = "http://127.0.0.1:41234/";

pub fn target() -> TargetInfo {
    TargetInfo {
        kind: TargetKind::Embedded,
        user_pool_id: POOL_ID.into(),
        client_id: "3n4b5urk1ft4fl3mg5e62d9ado".into(),
        region: "us-east-1".into(),
        endpoint: ENDPOINT.into(),
        client_secret: false,
    }
}

/// A fresh app against the sample embedded pool, in colour, showing times in UTC.
pub fn app() -> App {
    let mut app = App::new(
        target(),
        true,
        Some("/home/dev/.local/state/cognito-tui/cognito-tui.log".into()),
        Theme::default(),
    );
    app.session.zone = LocalZone(jiff::tz::TimeZone::UTC);
    app
}

pub fn transition(api: &str, from: Option<&str>, next: NextStep, at_ms: i64) -> Transition {
    Transition {
        at_ms,
        api: api.into(),
        from: from.map(Into::into),
        next_step: next,
        operations: Vec::new(),
        latency_ms: 0,
        challenge_name: None,
        challenge_parameters: BTreeMap::new(),
        session_id: None,
        session_age_ms: None,
        explanation: String::new(),
    }
}

pub fn email_delivery() -> CodeDeliveryDetails {
    CodeDeliveryDetails {
        destination: Some("a***@e***.com".into()),
        delivery_medium: Some("EMAIL".into()),
        attribute_name: Some("email".into()),
    }
}

/// signUp → CONFIRM_SIGN_UP.
pub fn sign_up_transition(at_ms: i64) -> Transition {
    let mut t = transition(
        "signUp",
        None,
        NextStep::SignUp(SignUpStep::ConfirmSignUp {
            code_delivery_details: Some(email_delivery()),
        }),
        at_ms,
    );
    t.operations = vec!["SignUp".into()];
    t.latency_ms = 38;
    t.explanation = "Cognito sent a confirmation code; confirmSignUp answers it.".into();
    t
}

/// confirmSignUp → DONE.
pub fn confirmed_transition(at_ms: i64) -> Transition {
    let mut t = transition(
        "confirmSignUp",
        Some("CONFIRM_SIGN_UP"),
        NextStep::SignUp(SignUpStep::Done),
        at_ms,
    );
    t.operations = vec!["ConfirmSignUp".into()];
    t.latency_ms = 21;
    t
}

/// signIn → CONFIRM_SIGN_IN_WITH_SMS_CODE (SMS_MFA after PASSWORD_VERIFIER).
pub fn sms_challenge(at_ms: i64) -> Transition {
    let mut t = transition(
        "signIn",
        None,
        NextStep::SignIn(SignInStep::ConfirmSignInWithSmsCode {
            code_delivery_details: Some(CodeDeliveryDetails {
                destination: Some("+*******0100".into()),
                delivery_medium: Some("SMS".into()),
                attribute_name: Some("phone_number".into()),
            }),
        }),
        at_ms,
    );
    t.operations = vec!["InitiateAuth".into(), "RespondToAuthChallenge".into()];
    t.latency_ms = 64;
    t.challenge_name = Some("SMS_MFA".into());
    t.challenge_parameters = BTreeMap::from([
        ("CODE_DELIVERY_DELIVERY_MEDIUM".into(), "SMS".into()),
        ("CODE_DELIVERY_DESTINATION".into(), "+*******0100".into()),
    ]);
    t.session_id = Some("AYABeBxq…(920 chars)".into());
    t.session_age_ms = Some(0);
    t.explanation =
        "Cognito texted a code; confirmSignIn sends it as SMS_MFA_CODE (RespondToAuthChallenge)."
            .into();
    t
}

/// signIn → DONE.
pub fn signed_in_transition(at_ms: i64) -> Transition {
    let mut t = transition("signIn", None, NextStep::SignIn(SignInStep::Done), at_ms);
    t.operations = vec!["InitiateAuth".into(), "RespondToAuthChallenge".into()];
    t.latency_ms = 57;
    t.challenge_name = Some("PASSWORD_VERIFIER".into());
    t.session_id = None;
    t
}

pub fn session() -> SessionView {
    let iat = NOW_MS / 1000 - 272;
    SessionView {
        username: "alice".into(),
        sub: Some("4f1c2a9e-7d3b-4c1e-9a55-2b8e0d6f7a10".into()),
        auth_flow: AuthFlowType::UserSrpAuth,
        id_token_claims: json!({
            "sub": "4f1c2a9e-7d3b-4c1e-9a55-2b8e0d6f7a10",
            "email_verified": true,
            "iss": format!("http://127.0.0.1:41234/{POOL_ID}"),
            "cognito:username": "alice",
            "origin_jti": "b7f0c0de-11aa-4e2b-8f00-5a7d1c2e3f40",
            "aud": "3n4b5urk1ft4fl3mg5e62d9ado",
            "token_use": "id",
            "auth_time": iat,
            "exp": iat + 3600,
            "iat": iat,
            "email": "alice@example.com"
        }),
        access_token_claims: json!({
            "sub": "4f1c2a9e-7d3b-4c1e-9a55-2b8e0d6f7a10",
            "iss": format!("http://127.0.0.1:41234/{POOL_ID}"),
            "client_id": "3n4b5urk1ft4fl3mg5e62d9ado",
            "origin_jti": "b7f0c0de-11aa-4e2b-8f00-5a7d1c2e3f40",
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": iat,
            "exp": iat + 3600,
            "iat": iat,
            "jti": "e3d2c1b0-aaaa-4bbb-8ccc-0123456789ab",
            "username": "alice"
        }),
        access_expires_at: iat + 3600,
        id_expires_at: iat + 3600,
        access_token_abbrev: "eyJraWQi…(1043 chars)".into(),
        id_token_abbrev: "eyJraWQi…(1187 chars)".into(),
        refresh_token_abbrev: Some("eyJjdHki…(1788 chars)".into()),
        refreshed_at_ms: None,
        access_expiry: Default::default(),
        id_expiry: Default::default(),
    }
}

/// The sample pool's key ids (ID, access): base64 SHA-256 hashes, as Cognito's are.
pub const KIDS: [&str; 2] = [
    "q3Xv0cTd2m7NfJ8wKp1L5sYhR9bUeA4zGi6oC0tWjE8=",
    "Hn7pLw2eQz5sV1kR8dXc4mTy0uJb6aGf9iOo3NtE2K4=",
];

/// The check of [`session`]'s tokens against the sample pool's keys: both verify.
pub fn token_check() -> TokenCheckReport {
    let s = session();
    let keys = KeysSource {
        url: format!("http://127.0.0.1:41234/{POOL_ID}/.well-known/jwks.json"),
        fetched_at_ms: NOW_MS - 800,
        from_cache: false,
        kids: KIDS.iter().map(|k| k.to_string()).collect(),
    };
    let jwt = |kind, abbrev: &str, claims: serde_json::Value, kid: &str| TokenCheck {
        kind,
        abbrev: abbrev.into(),
        header: Some(JwtHeader {
            alg: Some("RS256".into()),
            kid: Some(kid.into()),
            typ: None,
            enc: None,
        }),
        claims,
        signature: Signature::Verified {
            kid: kid.into(),
            keys: keys.clone(),
        },
        problems: vec![],
        opaque: false,
        notes: vec![],
    };
    TokenCheckReport {
        checked_at_ms: NOW_MS - 790,
        username: s.username.clone(),
        signed_out: None,
        tokens: vec![
            jwt(
                TokenKind::Id,
                &s.id_token_abbrev,
                s.id_token_claims.clone(),
                KIDS[0],
            ),
            jwt(
                TokenKind::Access,
                &s.access_token_abbrev,
                s.access_token_claims.clone(),
                KIDS[1],
            ),
            TokenCheck {
                kind: TokenKind::Refresh,
                abbrev: s.refresh_token_abbrev.clone().unwrap_or_default(),
                header: Some(JwtHeader {
                    alg: Some("RSA-OAEP".into()),
                    kid: None,
                    typ: None,
                    enc: Some("A256GCM".into()),
                }),
                claims: json!({}),
                signature: Signature::NotChecked,
                problems: vec![],
                opaque: true,
                notes: vec![
                    "opaque: encrypted (JWE) for Cognito alone; only Cognito can read or check \
                     it, when it is sent back to refresh"
                        .into(),
                ],
            },
        ],
    }
}

/// The same tokens checked after alice signed out with RevokeToken a minute later.
pub fn revoked_check() -> TokenCheckReport {
    let mut r = token_check();
    let at_ms = NOW_MS - 5_000;
    r.checked_at_ms = NOW_MS - 4_990;
    r.signed_out = Some(SignedOut {
        kind: SignOutKind::Revoked,
        at_ms,
    });
    for t in &mut r.tokens {
        t.problems.push(TokenProblem::Revoked {
            by: SignOutKind::Revoked,
            at_ms,
        });
        if let Signature::Verified { keys, .. } = &mut t.signature {
            keys.from_cache = true;
        }
    }
    r
}

/// An app whose saved session was restored two hours after sign-in: both tokens verify, and
/// both have expired.
pub fn expired() -> App {
    let shift = |v: &mut serde_json::Value| {
        for k in ["iat", "exp", "auth_time"] {
            if let Some(n) = v.get(k).and_then(serde_json::Value::as_i64) {
                v[k] = json!(n - 7200);
            }
        }
    };
    let mut view = session();
    shift(&mut view.id_token_claims);
    shift(&mut view.access_token_claims);
    view.access_expires_at -= 7200;
    view.id_expires_at -= 7200;
    view.access_expiry = crate::auth::events::ExpiryHealth::Expired;
    view.id_expiry = crate::auth::events::ExpiryHealth::Expired;
    let mut report = token_check();
    for t in &mut report.tokens {
        shift(&mut t.claims);
        if let Some(exp) = t.claims.get("exp").and_then(serde_json::Value::as_i64) {
            t.problems.push(TokenProblem::Expired {
                exp,
                seconds_ago: NOW_MS / 1000 - exp,
            });
        }
    }
    let mut app = app();
    app.on_auth_event(
        AuthEvent::Info {
            api: "fetchAuthSession".into(),
            message: "Restored the saved session of alice".into(),
        },
        NOW_MS - 900,
    );
    app.on_auth_event(
        AuthEvent::Session {
            session: Some(view),
        },
        NOW_MS - 900,
    );
    app.on_auth_event(AuthEvent::TokenCheck(report), NOW_MS);
    app
}

/// An app where alice signed in and then out (RevokeToken): the Session screen shows the
/// check of the tokens the sign-out ended.
pub fn signed_out() -> App {
    let mut app = signed_in();
    app.on_auth_event(
        AuthEvent::Info {
            api: "signOut".into(),
            message: "RevokeToken: the refresh token and its access tokens are revoked".into(),
        },
        NOW_MS - 5_000,
    );
    app.on_auth_event(AuthEvent::Session { session: None }, NOW_MS - 5_000);
    app.on_auth_event(AuthEvent::TokenCheck(revoked_check()), NOW_MS);
    app.goto(crate::tui::screens::Screen::Session);
    app
}

pub fn exchange(id: u64, operation: &str, at_ms: i64) -> WireExchange {
    let (request, response) = match operation {
        "InitiateAuth" => (
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
                   "AuthParameters": {"USERNAME": "alice", "SRP_A": "4d1f8a…(768 chars)"}}),
            json!({"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {
                "SALT": "a5c1e2…(32 chars)", "SECRET_BLOCK": "AYADeP…(1404 chars)",
                "SRP_B": "7e31c9…(768 chars)", "USERNAME": "alice",
                "USER_ID_FOR_SRP": "alice"}}),
        ),
        "SignUp" => (
            json!({"ClientId": "3n4b5urk1ft4fl3mg5e62d9ado", "Username": "alice",
                   "Password": "***", "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
            json!({"UserConfirmed": false, "UserSub": "4f1c2a9e-7d3b-4c1e-9a55-2b8e0d6f7a10",
                   "CodeDeliveryDetails": {"AttributeName": "email", "DeliveryMedium": "EMAIL",
                   "Destination": "a***@e***.com"}}),
        ),
        "UpdateUserAttributes" => (
            json!({"AccessToken": "eyJraWQi…(1043 chars)",
                   "UserAttributes": [{"Name": "email", "Value": "alice@example.org"}]}),
            json!({"CodeDeliveryDetailsList": [{"AttributeName": "email",
                   "DeliveryMedium": "EMAIL", "Destination": "a***@e***"}]}),
        ),
        _ => (
            json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
                   "ChallengeResponses": {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": "AYADeP…(1404 chars)",
                   "PASSWORD_CLAIM_SIGNATURE": "hD0u8m…(44 chars)", "TIMESTAMP": "Sat Nov 28 22:30:00 UTC 2026"}}),
            json!({"AuthenticationResult": {"AccessToken": "eyJraWQi…(1043 chars)",
                   "ExpiresIn": 3600, "IdToken": "eyJraWQi…(1187 chars)",
                   "RefreshToken": "eyJjdHki…(1788 chars)", "TokenType": "Bearer"},
                   "ChallengeParameters": {}}),
        ),
    };
    WireExchange {
        id,
        operation: operation.into(),
        endpoint: ENDPOINT.into(),
        started_at_ms: at_ms,
        latency_ms: 29,
        status: Some(200),
        request_id: Some("6c0f3e6a-2b8d-4d59-9a3e-6f0b1c2d3e4f".into()),
        request,
        response,
        error: None,
        notes: Vec::new(),
        origin: Default::default(),
        trigger_source: None,
    }
}

pub fn users(n: usize) -> Vec<UserRow> {
    let names = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    ];
    (0..n)
        .map(|i| {
            let name = if i < names.len() {
                names[i].to_string()
            } else {
                format!("user{i:03}")
            };
            UserRow {
                username: name.clone(),
                status: if i % 4 == 3 {
                    "UNCONFIRMED".into()
                } else {
                    "CONFIRMED".into()
                },
                enabled: i % 7 != 6,
                attributes: BTreeMap::from([
                    ("email".into(), format!("{name}@example.com")),
                    ("email_verified".into(), (i % 4 != 3).to_string()),
                    ("sub".into(), format!("00000000-0000-4000-8000-{i:012}")),
                ]),
                created: NOW_MS / 1000 - 86_400 * (n - i) as i64,
                modified: NOW_MS / 1000 - 3600,
                mfa: Vec::new(),
            }
        })
        .collect()
}

pub fn outbox_entry(username: &str, purpose: &str, code: &str, sent_at: &str) -> OutboxEntry {
    OutboxEntry {
        pool_id: POOL_ID.into(),
        username: username.into(),
        medium: "EMAIL".into(),
        destination: format!("{username}@example.com"),
        purpose: purpose.into(),
        code: code.into(),
        sent_at: sent_at.into(),
        message: None,
        subject: None,
    }
}

pub fn outbox() -> AdminEvent {
    AdminEvent::Outbox {
        entries: vec![
            outbox_entry("bob", "SIGN_UP", "551027", "2026-11-28T22:12:40.000Z"),
            outbox_entry(
                "carol",
                "FORGOT_PASSWORD",
                "090341",
                "2026-11-28T22:20:05.000Z",
            ),
            outbox_entry("alice", "SIGN_UP", "734912", "2026-11-28T22:29:58.412Z"),
        ],
    }
}

pub fn error(api: &str, operation: &str, code: &str, message: &str) -> AuthEvent {
    AuthEvent::Error(AuthErrorView {
        api: api.into(),
        operation: Some(operation.into()),
        code: code.into(),
        message: message.into(),
        request_id: Some("0b7e4c2d-1f3a-4e5b-8c6d-7e8f9a0b1c2d".into()),
    })
}

/// An app that has just signed up alice (Confirm screen, code in the outbox).
pub fn after_sign_up() -> App {
    let mut app = app();
    app.ctx.last_username = "alice".into();
    app.on_auth_event(
        AuthEvent::Exchange(exchange(1, "SignUp", NOW_MS - 120_000)),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Transition(sign_up_transition(NOW_MS - 119_960)),
        NOW_MS,
    );
    app.on_admin_event(outbox(), NOW_MS);
    app
}

/// An app where alice has signed in with SRP (Session screen).
pub fn signed_in() -> App {
    let mut app = after_sign_up();
    app.on_auth_event(
        AuthEvent::Transition(confirmed_transition(NOW_MS - 60_000)),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Exchange(exchange(2, "InitiateAuth", NOW_MS - 900)),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Exchange(exchange(3, "RespondToAuthChallenge", NOW_MS - 860)),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Transition(signed_in_transition(NOW_MS - 830)),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Session {
            session: Some(session()),
        },
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::TokenCheck(token_check()), NOW_MS);
    app
}

/// The SRP proof of alice's sign-in and the pool's side of it, computed for real with fixed
/// exponents (so the sample is stable and both sides truly agree).
pub fn srp_sides() -> (crate::srp::SrpDerivation, crate::srp::ServerSrpSide) {
    use crate::srp::{self, BigUint, ClientEphemeral, ServerEphemeral};
    let pool = srp::pool_name(POOL_ID);
    let salt = BigUint::from_bytes_be(&[0x3c; 16]);
    let v = srp::compute_verifier(pool, "alice", "Correct-Horse-9", &salt);
    let server = ServerEphemeral::from_private(BigUint::from_bytes_be(&[0x5b; 32]), &v);
    let client = ClientEphemeral::from_private(BigUint::from_bytes_be(&[0xa7; 32]));
    let block = [0x42u8; 65];
    let ts = srp::format_timestamp(
        time::OffsetDateTime::from_unix_timestamp(NOW_MS / 1000 - 1)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    );
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(block)
    };
    let claim = client
        .password_claim(
            pool,
            "alice",
            "Correct-Horse-9",
            &srp::to_hex(&salt),
            &srp::to_hex(server.public()),
            &b64,
            &ts,
        )
        .expect("the sample's values are valid");
    let side = srp::server_check_claim(
        pool,
        "alice",
        &v,
        client.public(),
        server.private(),
        server.public(),
        &block,
        &ts,
        &claim.signature,
    )
    .expect("the sample's values are valid");
    (*claim.derivation, side)
}

/// `signed_in`, with the SRP panel open on the proof of that sign-in.
pub fn srp_panel() -> App {
    let mut app = signed_in();
    let (client, server) = srp_sides();
    app.on_auth_event(AuthEvent::Srp(client), NOW_MS);
    app.on_auth_event(AuthEvent::SrpServer(server), NOW_MS);
    app.srp.open = true;
    app
}

/// alice on the Account screen: her attributes fetched, then an email change whose code went
/// to the new address (the confirm form open).
pub fn account() -> App {
    use crate::auth::events::AccountUpdate;
    use crate::auth::steps::{MfaType, UpdateAttributeStep};
    use crate::tui::shared::Screen;
    let mut app = signed_in();
    let _ = app.goto(Screen::Account);
    let attributes = [
        ("sub", "4f1c2a9e-7d3b-4c1e-9a55-2b8e0d6f7a10"),
        ("email", "alice@example.com"),
        ("email_verified", "true"),
        ("name", "Alice Liddell"),
        ("phone_number", "+15555550100"),
        ("phone_number_verified", "false"),
    ];
    app.on_auth_event(
        AuthEvent::Account(AccountUpdate::Attributes {
            username: "alice".into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            mfa_enabled: vec![MfaType::Totp, MfaType::Email],
            mfa_preferred: Some(MfaType::Totp),
        }),
        NOW_MS,
    );
    let step = UpdateAttributeStep::ConfirmAttributeWithCode {
        code_delivery_details: Some(CodeDeliveryDetails {
            destination: Some("a***@e***".into()),
            delivery_medium: Some("EMAIL".into()),
            attribute_name: Some("email".into()),
        }),
    };
    app.on_auth_event(
        AuthEvent::Exchange(exchange(4, "UpdateUserAttributes", NOW_MS - 1_230)),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Transition(transition(
            "updateUserAttributes",
            Some("DONE"),
            NextStep::UpdateAttribute(step.clone()),
            NOW_MS - 1_200,
        )),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Account(AccountUpdate::Updated {
            results: [("email".to_string(), step)].into_iter().collect(),
        }),
        NOW_MS,
    );
    app
}

/// A trigger run as the pool's log gives it (redacted): PreTokenGeneration V2 from a Node
/// handler that adds a `tenant` claim.
pub fn pre_token_run(at_ms: i64) -> TriggerInvocation {
    TriggerInvocation {
        seq: 2,
        at_ms,
        pool_id: POOL_ID.into(),
        trigger: "PreTokenGeneration".into(),
        trigger_source: "TokenGeneration_Authentication".into(),
        runner: "node".into(),
        user_name: "alice".into(),
        duration_ms: 84,
        outcome: "ok".into(),
        error: None,
        event_in: json!({
            "version": "2",
            "triggerSource": "TokenGeneration_Authentication",
            "region": "us-east-1",
            "userPoolId": POOL_ID,
            "userName": "alice",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown",
                              "clientId": "3n4b5urk1ft4fl3mg5e62d9ado"},
            "request": {
                "userAttributes": {"sub": "7d3f2a4e-1b8c-4e7a-9f61-0c2d5b8e9a13",
                                   "email": "alice@example.com", "email_verified": "true",
                                   "cognito:user_status": "CONFIRMED"},
                "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [],
                                       "preferredRole": null},
                "scopes": ["aws.cognito.signin.user.admin"],
                "clientMetadata": {},
            },
            "response": {"claimsAndScopeOverrideDetails": null},
        }),
        response_out: json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"},
                                      "scopesToAdd": ["orders:read"]},
        }}),
    }
}

/// A trigger run that refused a sign-in: PreAuthentication from a Python handler.
pub fn refused_run(at_ms: i64) -> TriggerInvocation {
    TriggerInvocation {
        seq: 1,
        at_ms,
        pool_id: POOL_ID.into(),
        trigger: "PreAuthentication".into(),
        trigger_source: "PreAuthentication_Authentication".into(),
        runner: "python".into(),
        user_name: "bob".into(),
        duration_ms: 61,
        outcome: "UserLambdaValidationException".into(),
        error: Some("PreAuthentication failed with error Bob is on holiday.".into()),
        event_in: json!({"version": "1", "triggerSource": "PreAuthentication_Authentication",
                         "userName": "bob", "request": {"validationData": {}}, "response": {}}),
        response_out: serde_json::Value::Null,
    }
}

/// Draws `app` on a `w`×`h` TestBackend at `now_ms` and returns the buffer.
pub fn render(app: &App, w: u16, h: u16, now_ms: i64) -> ratatui::buffer::Buffer {
    let backend = ratatui::backend::TestBackend::new(w, h);
    let mut term = match ratatui::Terminal::new(backend) {
        Ok(t) => t,
        Err(never) => match never {},
    };
    if let Err(never) = term.draw(|f| app.render(f, now_ms)) {
        match never {}
    }
    term.backend().buffer().clone()
}

/// The buffer's text, one line per row, trailing spaces trimmed.
pub fn text(buf: &ratatui::buffer::Buffer) -> String {
    let a = buf.area;
    let mut out = String::new();
    for y in a.top()..a.bottom() {
        let mut line = String::new();
        for x in a.left()..a.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Where `needle` starts in the rendered buffer (column, row), if anywhere.
pub fn find(buf: &ratatui::buffer::Buffer, needle: &str) -> Option<(u16, u16)> {
    let a = buf.area;
    for y in a.top()..a.bottom() {
        let cells: Vec<&str> = (a.left()..a.right())
            .map(|x| buf[(x, y)].symbol())
            .collect();
        let line: String = cells.concat();
        if let Some(byte) = line.find(needle) {
            // Map the byte offset back to a column.
            let mut acc = 0;
            for (i, c) in cells.iter().enumerate() {
                if acc == byte {
                    return Some((a.left() + i as u16, y));
                }
                acc += c.len();
            }
        }
    }
    None
}

/// A sign-in step for alice as the machine reports it, with a challenge Session of the given
/// age.
pub fn step(
    next: SignInStep,
    challenge: &str,
    params: &[(&str, &str)],
    at_ms: i64,
    session_age_ms: u64,
) -> Transition {
    let mut t = transition("signIn", None, NextStep::SignIn(next), at_ms);
    t.operations = vec!["InitiateAuth".into(), "RespondToAuthChallenge".into()];
    t.latency_ms = 71;
    t.challenge_name = Some(challenge.into());
    t.challenge_parameters = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    t.session_id = Some("AYABeC7r…(912 chars)".into());
    t.session_age_ms = Some(session_age_ms);
    t.explanation = format!("Cognito answered with {challenge}; confirmSignIn answers it.");
    t
}

/// The sample TOTP shared secret (base32) of the TOTP setup samples.
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSW";

/// CONTINUE_SIGN_IN_WITH_TOTP_SETUP after MFA_SETUP and AssociateSoftwareToken.
pub fn totp_setup(at_ms: i64) -> Transition {
    let mut t = step(
        SignInStep::ContinueSignInWithTotpSetup {
            totp_setup_details: crate::auth::steps::TotpSetupDetails {
                shared_secret: TOTP_SECRET.into(),
                setup_uri: format!(
                    "otpauth://totp/cognito-tui:alice?secret={TOTP_SECRET}&issuer=cognito-tui"
                ),
            },
        },
        "MFA_SETUP",
        &[("MFAS_CAN_SETUP", "[\"SOFTWARE_TOKEN_MFA\"]")],
        at_ms,
        400,
    );
    t.operations.push("AssociateSoftwareToken".into());
    t
}

/// The pool settings as the admin actor reads them from the embedded demo pool.
pub fn pool_settings() -> crate::admin::PoolSettings {
    use crate::admin::{ClientSummary, PoolMfaSummary, PoolSettings, PoolSummary};
    PoolSettings {
        pool_id: POOL_ID.into(),
        pool: Some(PoolSummary {
            name: Some("cognito-tui demo".into()),
            mfa_configuration: Some("OPTIONAL".into()),
            auto_verified_attributes: vec!["email".into()],
            username_attributes: Vec::new(),
            alias_attributes: Vec::new(),
            allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
            triggers: BTreeMap::from([(
                "DefineAuthChallenge".to_string(),
                "examples/triggers/question_answer.py".to_string(),
            )]),
            estimated_users: Some(12),
            admin_create_user_only: Some(false),
        }),
        client: Some(ClientSummary {
            client_id: "3n4b5urk1ft4fl3mg5e62d9ado".into(),
            client_name: Some("demo".into()),
            explicit_auth_flows: vec![
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_CUSTOM_AUTH".into(),
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
            ],
            prevent_user_existence_errors: Some("ENABLED".into()),
            auth_session_validity: Some(3),
            enable_token_revocation: Some(true),
            has_secret: false,
        }),
        mfa: Some(PoolMfaSummary {
            mode: "OPTIONAL".into(),
            sms: true,
            totp: true,
            email: false,
        }),
        errors: Vec::new(),
    }
}
