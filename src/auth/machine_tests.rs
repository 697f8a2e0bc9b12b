//! The flow machine, input by input: no IO, no clock.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::srp::BigUint;
use serde_json::json;

use super::events::{AuthCommand, AuthEvent, AuthFlowType, Transition};
use super::machine::*;
use super::session::fake_jwt;
use super::steps::{MfaType, NextStep, ResetPasswordStep, SignInStep, SignUpStep};
use crate::cognito::error::CognitoError;
use crate::cognito::types::*;
use crate::secret::Secret;
use crate::srp::{self, ClientEphemeral, ServerEphemeral};

const PW: &str = "Sup3r-Secret-Pw!";
const T0: i64 = 1_800_000_000_000;

fn new_state() -> AuthState {
    AuthState::new(MachineConfig::new("cid", "us-east-1_TestPool"))
}

fn eph() -> Arc<ClientEphemeral> {
    Arc::new(ClientEphemeral::from_private(BigUint::from(
        0x1234_5678_9abc_u64,
    )))
}

fn cmd(s: AuthState, c: AuthCommand) -> (AuthState, Vec<Effect>) {
    handle(
        s,
        Input::Command {
            cmd: c,
            now_ms: T0,
            srp: Some(eph()),
        },
    )
}

fn cmd_at(s: AuthState, c: AuthCommand, now_ms: i64) -> (AuthState, Vec<Effect>) {
    handle(
        s,
        Input::Command {
            cmd: c,
            now_ms,
            srp: Some(eph()),
        },
    )
}

fn reply(s: AuthState, r: Result<Response, CognitoError>) -> (AuthState, Vec<Effect>) {
    handle(
        s,
        Input::Response {
            result: r,
            latency_ms: 7,
            now_ms: T0 + 100,
        },
    )
}

fn service(code: &str, msg: &str) -> CognitoError {
    CognitoError::Service {
        code: code.into(),
        message: msg.into(),
        request_id: Some("rid".into()),
        status: 400,
    }
}

fn calls(fx: &[Effect]) -> Vec<&Request> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Call { request, .. } => Some(request),
            _ => None,
        })
        .collect()
}

fn only_call(fx: &[Effect]) -> serde_json::Value {
    let c = calls(fx);
    assert_eq!(c.len(), 1, "expected one call in {fx:?}");
    let mut v = c[0].body();
    v["_op"] = json!(c[0].operation());
    v
}

fn events(fx: &[Effect]) -> Vec<&AuthEvent> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Emit(ev) => Some(ev),
            _ => None,
        })
        .collect()
}

fn transitions(fx: &[Effect]) -> Vec<&Transition> {
    events(fx)
        .into_iter()
        .filter_map(|e| match e {
            AuthEvent::Transition(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn the_transition(fx: &[Effect]) -> &Transition {
    let t = transitions(fx);
    assert_eq!(t.len(), 1, "expected one transition in {fx:?}");
    t[0]
}

fn finished(fx: &[Effect]) -> Option<bool> {
    events(fx).into_iter().find_map(|e| match e {
        AuthEvent::Finished { ok, .. } => Some(*ok),
        _ => None,
    })
}

fn error_code(fx: &[Effect]) -> Option<String> {
    events(fx).into_iter().find_map(|e| match e {
        AuthEvent::Error(v) => Some(v.code.clone()),
        _ => None,
    })
}

fn tokens_result(origin_jti: bool, exp: i64, refresh: Option<&str>) -> AuthenticationResult {
    let mut access = json!({"sub": "sub-1", "username": "alice", "exp": exp, "iat": T0 / 1000,
        "token_use": "access", "client_id": "cid"});
    if origin_jti {
        access["origin_jti"] = json!("ojti-1");
    }
    AuthenticationResult {
        access_token: Some(fake_jwt(&access)),
        id_token: Some(fake_jwt(
            &json!({"sub": "sub-1", "cognito:username": "alice",
            "exp": exp, "email": "alice@example.com"}),
        )),
        refresh_token: refresh.map(str::to_string),
        expires_in: Some(3600),
        token_type: Some("Bearer".into()),
        new_device_metadata: None,
    }
}

fn auth_ok(r: AuthenticationResult) -> Result<Response, CognitoError> {
    Ok(Response::RespondToAuthChallenge(AuthResponse {
        authentication_result: Some(r),
        ..Default::default()
    }))
}

fn challenge(name: &str, params: &[(&str, &str)]) -> Result<Response, CognitoError> {
    Ok(Response::InitiateAuth(AuthResponse {
        challenge_name: Some(name.into()),
        session: Some(format!("session-for-{name}-0123456789")),
        challenge_parameters: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }))
}

fn sign_in_cmd(flow: AuthFlowType) -> AuthCommand {
    AuthCommand::SignIn {
        username: "alice".into(),
        password: Some(Secret::new(PW)),
        flow,
        preferred_challenge: None,
    }
}

/// A state signed in with tokens expiring at `exp` (Unix seconds).
fn signed_in(origin_jti: bool, exp: i64) -> AuthState {
    let (s, _) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserPasswordAuth));
    let (s, fx) = reply(
        s,
        auth_ok(tokens_result(
            origin_jti,
            exp,
            Some("refresh-token-0123456789"),
        )),
    );
    assert_eq!(finished(&fx), Some(true));
    assert!(s.tokens().is_some());
    s
}

/// A state waiting on `name` after USER_PASSWORD_AUTH.
fn at_challenge(name: &str, params: &[(&str, &str)]) -> (AuthState, Vec<Effect>) {
    let (s, _) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserPasswordAuth));
    reply(s, challenge(name, params))
}

// ---------------------------------------------------------------- sign-up

#[test]
fn sign_up_unconfirmed_asks_for_the_code() {
    let mut attrs = BTreeMap::new();
    attrs.insert("email".to_string(), "alice@example.com".to_string());
    let (s, fx) = cmd(
        new_state(),
        AuthCommand::SignUp {
            username: "alice".into(),
            password: Secret::new(PW),
            attributes: attrs,
            auto_sign_in: false,
        },
    );
    assert!(matches!(events(&fx)[0], AuthEvent::Started { api } if api == "signUp"));
    let body = only_call(&fx);
    assert_eq!(body["_op"], "SignUp");
    assert_eq!(body["ClientId"], "cid");
    assert_eq!(body["Password"], PW);
    assert_eq!(
        body["UserAttributes"],
        json!([{"Name": "email", "Value": "alice@example.com"}])
    );
    assert!(s.busy());

    let (s, fx) = reply(
        s,
        Ok(Response::SignUp(SignUpResponse {
            user_confirmed: false,
            code_delivery_details: Some(CodeDeliveryDetailsType {
                destination: Some("a***@e***".into()),
                delivery_medium: Some("EMAIL".into()),
                attribute_name: Some("email".into()),
            }),
            user_sub: "sub-1".into(),
            session: None,
        })),
    );
    let t = the_transition(&fx);
    assert_eq!(t.api, "signUp");
    assert_eq!(t.from, None);
    assert_eq!(t.operations, vec!["SignUp"]);
    assert_eq!(t.latency_ms, 7);
    assert_eq!(t.at_ms, T0 + 100);
    match &t.next_step {
        NextStep::SignUp(SignUpStep::ConfirmSignUp {
            code_delivery_details: Some(d),
        }) => {
            assert_eq!(d.destination.as_deref(), Some("a***@e***"));
            assert_eq!(d.delivery_medium.as_deref(), Some("EMAIL"));
        }
        other => panic!("{other:?}"),
    }
    assert!(t.explanation.contains("ConfirmSignUp"), "{}", t.explanation);
    assert!(t.explanation.contains("a***@e***"));
    assert_eq!(finished(&fx), Some(true));
    assert!(!s.busy());
    assert_eq!(s.last_step(), Some("CONFIRM_SIGN_UP"));

    // Confirming: DONE without auto sign-in, and the transition knows where it came from.
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignUp {
            username: "alice".into(),
            code: " 123456 ".into(),
        },
    );
    let body = only_call(&fx);
    assert_eq!(body["_op"], "ConfirmSignUp");
    assert_eq!(body["ConfirmationCode"], "123456");
    let (_, fx) = reply(
        s,
        Ok(Response::ConfirmSignUp(ConfirmSignUpResponse {
            session: None,
        })),
    );
    let t = the_transition(&fx);
    assert_eq!(t.next_step, NextStep::SignUp(SignUpStep::Done));
    assert_eq!(t.from.as_deref(), Some("CONFIRM_SIGN_UP"));
}

#[test]
fn a_sign_in_after_a_finished_sign_up_starts_a_new_flow() {
    let (s, _) = cmd(
        new_state(),
        AuthCommand::SignUp {
            username: "alice".into(),
            password: Secret::new(PW),
            attributes: BTreeMap::new(),
            auto_sign_in: false,
        },
    );
    let (s, fx) = reply(
        s,
        Ok(Response::SignUp(SignUpResponse {
            user_confirmed: true,
            user_sub: "s".into(),
            ..Default::default()
        })),
    );
    assert_eq!(the_transition(&fx).next_step.name(), "DONE");
    let (s, _) = cmd(s, sign_in_cmd(AuthFlowType::UserPasswordAuth));
    let (s, fx) = reply(s, auth_ok(tokens_result(false, T0 / 1000 + 3600, None)));
    let t = the_transition(&fx);
    assert_eq!(t.api, "signIn");
    assert_eq!(t.next_step.name(), "DONE");
    // Logged `signIn — → DONE`, not `DONE → DONE`.
    assert_eq!(t.from, None);
    // The same for a reset after a finished sign-in (signed out first).
    let (s, fx) = cmd(s, AuthCommand::SignOut { global: false });
    let s = if calls(&fx).is_empty() {
        s
    } else {
        reply(s, Ok(Response::RevokeToken(Empty {}))).0
    };
    let (s, _) = cmd(
        s,
        AuthCommand::ResetPassword {
            username: "alice".into(),
        },
    );
    let (_, fx) = reply(
        s,
        Ok(Response::ForgotPassword(CodeDeliveryResponse::default())),
    );
    assert_eq!(the_transition(&fx).from, None);
}

#[test]
fn step_mode_notes_use_no_headless_wording() {
    for on in [true, false] {
        let (_, fx) = cmd(new_state(), AuthCommand::SetStepMode { on });
        let notes: Vec<String> = events(&fx)
            .iter()
            .filter_map(|e| match e {
                AuthEvent::Info { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(!notes[0].contains("send=false"), "{notes:?}");
        assert!(!notes[0].contains("step ("), "{notes:?}");
    }
}

#[test]
fn fetch_session_with_valid_tokens_says_so() {
    let s = signed_in(false, T0 / 1000 + 600);
    let (_, fx) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: false,
        },
    );
    assert!(calls(&fx).is_empty());
    let note = events(&fx)
        .iter()
        .find_map(|e| match e {
            AuthEvent::Info { message, .. } => Some(message.clone()),
            _ => None,
        })
        .expect("a note");
    assert!(note.contains("valid for 10:00 more"), "{note}");
}

#[test]
fn sign_up_already_confirmed_is_done_or_complete_auto_sign_in() {
    for (auto, want) in [(false, "DONE"), (true, "COMPLETE_AUTO_SIGN_IN")] {
        let (s, _) = cmd(
            new_state(),
            AuthCommand::SignUp {
                username: "bob".into(),
                password: Secret::new(PW),
                attributes: BTreeMap::new(),
                auto_sign_in: auto,
            },
        );
        let (_, fx) = reply(
            s,
            Ok(Response::SignUp(SignUpResponse {
                user_confirmed: true,
                user_sub: "s".into(),
                ..Default::default()
            })),
        );
        assert_eq!(the_transition(&fx).next_step.name(), want);
    }
}

#[test]
fn auto_sign_in_keeps_confirm_sign_ups_session_and_replays_sign_in() {
    let (s, _) = cmd(
        new_state(),
        AuthCommand::SignUp {
            username: "carol".into(),
            password: Secret::new(PW),
            attributes: BTreeMap::new(),
            auto_sign_in: true,
        },
    );
    let (s, _) = reply(
        s,
        Ok(Response::SignUp(SignUpResponse {
            user_confirmed: false,
            user_sub: "s".into(),
            session: Some("signup-session-abcdefghij".into()),
            ..Default::default()
        })),
    );
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignUp {
            username: "carol".into(),
            code: "1".into(),
        },
    );
    assert_eq!(only_call(&fx)["Session"], "signup-session-abcdefghij");
    let (s, fx) = reply(
        s,
        Ok(Response::ConfirmSignUp(ConfirmSignUpResponse {
            session: Some("confirm-session-abcdefghij".into()),
        })),
    );
    assert_eq!(
        the_transition(&fx).next_step,
        NextStep::SignUp(SignUpStep::CompleteAutoSignIn)
    );
    let (s, fx) = cmd(s, AuthCommand::AutoSignIn);
    let body = only_call(&fx);
    assert_eq!(body["AuthFlow"], "USER_SRP_AUTH");
    assert_eq!(body["AuthParameters"]["USERNAME"], "carol");
    assert_eq!(body["AuthParameters"]["SRP_A"], eph().a_hex());
    // Auto sign-in is single-use.
    let (s, _) = reply(s, auth_ok(tokens_result(true, T0 / 1000 + 3600, Some("r"))));
    let (_, fx) = cmd(s, AuthCommand::AutoSignIn);
    assert_eq!(error_code(&fx).as_deref(), Some("AutoSignInException"));
}

#[test]
fn auto_sign_in_without_sign_up_is_refused_without_a_call() {
    let (_, fx) = cmd(new_state(), AuthCommand::AutoSignIn);
    assert!(calls(&fx).is_empty());
    assert_eq!(error_code(&fx).as_deref(), Some("AutoSignInException"));
    assert_eq!(finished(&fx), Some(false));
}

#[test]
fn resend_sign_up_code_reports_where_it_went() {
    let (s, fx) = cmd(
        new_state(),
        AuthCommand::ResendSignUpCode {
            username: "alice".into(),
        },
    );
    assert_eq!(only_call(&fx)["_op"], "ResendConfirmationCode");
    let (_, fx) = reply(
        s,
        Ok(Response::ResendConfirmationCode(CodeDeliveryResponse {
            code_delivery_details: Some(CodeDeliveryDetailsType {
                destination: Some("+*******1234".into()),
                delivery_medium: Some("SMS".into()),
                attribute_name: Some("phone_number".into()),
            }),
        })),
    );
    let t = the_transition(&fx);
    assert_eq!(t.next_step.name(), "CONFIRM_SIGN_UP");
    assert!(
        t.explanation.contains("+*******1234 (SMS)"),
        "{}",
        t.explanation
    );
}

#[test]
fn empty_inputs_are_rejected_before_any_call() {
    for c in [
        AuthCommand::SignUp {
            username: " ".into(),
            password: Secret::new(PW),
            attributes: BTreeMap::new(),
            auto_sign_in: false,
        },
        AuthCommand::ConfirmSignUp {
            username: "a".into(),
            code: "".into(),
        },
        AuthCommand::SignIn {
            username: "".into(),
            password: Some(Secret::new(PW)),
            flow: AuthFlowType::UserSrpAuth,
            preferred_challenge: None,
        },
        AuthCommand::SignIn {
            username: "a".into(),
            password: None,
            flow: AuthFlowType::UserSrpAuth,
            preferred_challenge: None,
        },
        AuthCommand::SignIn {
            username: "a".into(),
            password: Some(Secret::new("")),
            flow: AuthFlowType::UserPasswordAuth,
            preferred_challenge: None,
        },
        AuthCommand::ResetPassword {
            username: "".into(),
        },
        AuthCommand::ConfirmResetPassword {
            username: "a".into(),
            code: "1".into(),
            new_password: Secret::new(""),
        },
    ] {
        let (s, fx) = cmd(new_state(), c.clone());
        assert!(calls(&fx).is_empty(), "{c:?}");
        assert!(error_code(&fx).is_some(), "{c:?}");
        assert_eq!(finished(&fx), Some(false));
        assert!(!s.busy());
    }
}

// ---------------------------------------------------------------- sign-in

#[test]
fn srp_sign_in_runs_password_verifier_automatically_and_the_server_accepts_the_proof() {
    // Server side: a verifier for USER_ID_FOR_SRP "alice-id" in pool "TestPool".
    let salt = BigUint::from(0xfeed_beef_u64);
    let v = srp::compute_verifier("TestPool", "alice-id", PW, &salt);
    let server = ServerEphemeral::from_private(BigUint::from(0x7777_u32), &v);
    let secret_block = "c2VjcmV0LWJsb2NrLWJ5dGVz";

    let (s, fx) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserSrpAuth));
    let body = only_call(&fx);
    assert_eq!(body["_op"], "InitiateAuth");
    assert_eq!(body["AuthFlow"], "USER_SRP_AUTH");
    assert_eq!(body["AuthParameters"]["USERNAME"], "alice");
    assert_eq!(body["AuthParameters"]["SRP_A"], eph().a_hex());
    assert!(body["AuthParameters"].get("PASSWORD").is_none());

    let (s, fx) = reply(
        s,
        Ok(Response::InitiateAuth(AuthResponse {
            challenge_name: Some("PASSWORD_VERIFIER".into()),
            session: None,
            challenge_parameters: BTreeMap::from([
                ("SALT".to_string(), srp::to_hex(&salt)),
                ("SRP_B".to_string(), srp::to_hex(server.public())),
                ("SECRET_BLOCK".to_string(), secret_block.to_string()),
                ("USERNAME".to_string(), "alice-id".to_string()),
                ("USER_ID_FOR_SRP".to_string(), "alice-id".to_string()),
            ]),
            ..Default::default()
        })),
    );
    // No step change yet: an Info line, then the SRP job.
    assert!(transitions(&fx).is_empty());
    assert!(events(&fx).iter().any(
        |e| matches!(e, AuthEvent::Info { message, .. } if message.contains("PASSWORD_VERIFIER"))
    ));
    let job = fx
        .iter()
        .find_map(|e| match e {
            Effect::ComputeClaim(j) => Some(j.clone()),
            _ => None,
        })
        .expect("a claim job");
    assert_eq!(job.pool_name, "TestPool");
    assert_eq!(job.user_id_for_srp, "alice-id");
    assert_eq!(job.timestamp, "Fri Jan 15 08:00:00 UTC 2027");
    let claim = job.compute().unwrap();

    let (s, fx) = handle(
        s,
        Input::Claim {
            result: Ok(claim),
            now_ms: T0 + 150,
        },
    );
    assert!(
        events(&fx)
            .iter()
            .any(|e| matches!(e, AuthEvent::Info { message, .. }
        if message.starts_with("SRP proof computed for alice-id in pool TestPool: u=")
            && message.contains("key fingerprint sha256:")))
    );
    let body = only_call(&fx);
    assert_eq!(body["_op"], "RespondToAuthChallenge");
    assert_eq!(body["ChallengeName"], "PASSWORD_VERIFIER");
    let r = &body["ChallengeResponses"];
    assert_eq!(r["USERNAME"], "alice-id");
    assert_eq!(r["PASSWORD_CLAIM_SECRET_BLOCK"], secret_block);
    assert_eq!(r["TIMESTAMP"], "Fri Jan 15 08:00:00 UTC 2027");
    // The embedded pool's check, done here by hand: the proof is right.
    let ok = srp::server_verify_claim(
        "TestPool",
        "alice-id",
        &v,
        eph().public(),
        server.private(),
        server.public(),
        b"secret-block-bytes",
        r["TIMESTAMP"].as_str().unwrap(),
        r["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap(),
    )
    .unwrap();
    assert!(ok);
    // The derivation goes to the front ends with the proof, naming what was sent.
    let d = events(&fx)
        .into_iter()
        .find_map(|e| match e {
            AuthEvent::Srp(d) => Some(d.clone()),
            _ => None,
        })
        .expect("the SRP derivation is emitted with the proof");
    assert_eq!(d.signature, r["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap());
    assert_eq!(d.timestamp, "Fri Jan 15 08:00:00 UTC 2027");
    assert_eq!(d.secret_block, secret_block);
    assert_eq!(d.b_pub, srp::to_hex(server.public()));
    assert_eq!(d.a_pub, eph().a_hex());

    let (s, fx) = reply(
        s,
        auth_ok(tokens_result(
            true,
            T0 / 1000 + 3600,
            Some("refresh-abcdefghijklmnop"),
        )),
    );
    let t = the_transition(&fx);
    assert_eq!(t.next_step, NextStep::SignIn(SignInStep::Done));
    assert_eq!(t.operations, vec!["InitiateAuth", "RespondToAuthChallenge"]);
    assert_eq!(t.latency_ms, 14);
    assert!(fx.iter().any(|e| matches!(e, Effect::Persist(Some(_)))));
    let session = events(&fx)
        .into_iter()
        .find_map(|e| match e {
            AuthEvent::Session { session } => session.clone(),
            _ => None,
        })
        .unwrap();
    assert_eq!(session.username, "alice");
    assert_eq!(session.id_token_claims["email"], "alice@example.com");
    assert_eq!(session.auth_flow, AuthFlowType::UserSrpAuth);
    assert_eq!(finished(&fx), Some(true));
    assert_eq!(s.tokens().unwrap().login_id, "alice");
}

#[test]
fn no_event_ever_carries_the_password() {
    let salt = BigUint::from(99u32);
    let v = srp::compute_verifier("TestPool", "alice", PW, &salt);
    let server = ServerEphemeral::from_private(BigUint::from(5u32), &v);
    let mut all = Vec::new();
    let (s, fx) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserSrpAuth));
    all.extend(fx);
    let (s, fx) = reply(
        s,
        challenge(
            "PASSWORD_VERIFIER",
            &[
                ("SALT", "63"),
                ("SRP_B", &srp::to_hex(server.public())),
                ("SECRET_BLOCK", "AAAA"),
            ],
        ),
    );
    let job = fx
        .iter()
        .find_map(|e| match e {
            Effect::ComputeClaim(j) => Some(j.clone()),
            _ => None,
        })
        .unwrap();
    assert!(!format!("{job:?}").contains(PW));
    all.extend(fx);
    let (s, fx) = handle(
        s,
        Input::Claim {
            result: job.compute(),
            now_ms: T0,
        },
    );
    all.extend(fx);
    let (_, fx) = reply(s, auth_ok(tokens_result(true, T0 / 1000 + 3600, Some("r"))));
    all.extend(fx);
    for e in &all {
        if let Effect::Emit(ev) = e {
            let text = serde_json::to_string(ev).unwrap();
            assert!(!text.contains(PW), "{text}");
        }
        assert!(!format!("{e:?}").contains(PW), "{e:?}");
    }
}

#[test]
fn password_auth_sends_the_password_and_signs_in() {
    let (s, fx) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserPasswordAuth));
    let body = only_call(&fx);
    assert_eq!(body["AuthFlow"], "USER_PASSWORD_AUTH");
    assert_eq!(body["AuthParameters"]["PASSWORD"], PW);
    assert!(body["AuthParameters"].get("SRP_A").is_none());
    let (s, fx) = reply(
        s,
        Ok(Response::InitiateAuth(AuthResponse {
            authentication_result: Some(tokens_result(false, T0 / 1000 + 3600, Some("r"))),
            ..Default::default()
        })),
    );
    assert_eq!(the_transition(&fx).operations, vec!["InitiateAuth"]);
    assert_eq!(
        s.tokens().unwrap().auth_flow,
        AuthFlowType::UserPasswordAuth
    );
}

#[test]
fn custom_and_user_auth_flows_send_amplifys_parameters() {
    let (_, fx) = cmd(new_state(), sign_in_cmd(AuthFlowType::CustomWithSrp));
    let b = only_call(&fx);
    assert_eq!(b["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(b["AuthParameters"]["CHALLENGE_NAME"], "SRP_A");
    assert!(b["AuthParameters"]["SRP_A"].is_string());
    let (_, fx) = cmd(
        new_state(),
        AuthCommand::SignIn {
            username: "a".into(),
            password: None,
            flow: AuthFlowType::CustomWithoutSrp,
            preferred_challenge: None,
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(b["AuthParameters"], json!({"USERNAME": "a"}));
    let (_, fx) = cmd(
        new_state(),
        AuthCommand::SignIn {
            username: "a".into(),
            password: Some(Secret::new(PW)),
            flow: AuthFlowType::UserAuth,
            preferred_challenge: Some("PASSWORD".into()),
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["AuthFlow"], "USER_AUTH");
    assert_eq!(b["AuthParameters"]["PREFERRED_CHALLENGE"], "PASSWORD");
    assert_eq!(b["AuthParameters"]["PASSWORD"], PW);
    let (_, fx) = cmd(
        new_state(),
        AuthCommand::SignIn {
            username: "a".into(),
            password: None,
            flow: AuthFlowType::UserAuth,
            preferred_challenge: Some("EMAIL_OTP".into()),
        },
    );
    assert_eq!(
        only_call(&fx)["AuthParameters"],
        json!({"USERNAME": "a", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    );
}

#[test]
fn a_second_sign_in_is_refused_like_amplify() {
    let s = signed_in(true, T0 / 1000 + 3600);
    let (s, fx) = cmd(s, sign_in_cmd(AuthFlowType::UserSrpAuth));
    assert!(calls(&fx).is_empty());
    let err = events(&fx)
        .into_iter()
        .find_map(|e| match e {
            AuthEvent::Error(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(err.code, "UserAlreadyAuthenticatedException");
    assert_eq!(err.message, "There is already a signed in user.");
    assert!(s.tokens().is_some());
}

#[test]
fn unconfirmed_and_reset_required_users_get_a_next_step_not_an_error() {
    for (code, step) in [
        ("UserNotConfirmedException", SignInStep::ConfirmSignUp),
        ("PasswordResetRequiredException", SignInStep::ResetPassword),
    ] {
        let (s, _) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserPasswordAuth));
        let (s, fx) = reply(s, Err(service(code, "…")));
        assert_eq!(the_transition(&fx).next_step, NextStep::SignIn(step));
        assert_eq!(the_transition(&fx).operations, vec!["InitiateAuth"]);
        assert_eq!(error_code(&fx), None);
        assert_eq!(finished(&fx), Some(true));
        assert_eq!(s.pending_challenge(), None);
    }
}

#[test]
fn wrong_password_is_an_error_naming_the_operation() {
    let (s, _) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserPasswordAuth));
    let (s, fx) = reply(
        s,
        Err(service(
            "NotAuthorizedException",
            "Incorrect username or password.",
        )),
    );
    let err = events(&fx)
        .into_iter()
        .find_map(|e| match e {
            AuthEvent::Error(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(err.api, "signIn");
    assert_eq!(err.operation.as_deref(), Some("InitiateAuth"));
    assert_eq!(err.code, "NotAuthorizedException");
    assert_eq!(err.message, "Incorrect username or password.");
    assert_eq!(err.request_id.as_deref(), Some("rid"));
    assert_eq!(finished(&fx), Some(false));
    assert!(s.tokens().is_none());
    assert!(!s.busy());
}

#[test]
fn every_challenge_maps_to_amplifys_sign_in_step() {
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, SignInStep);
    let cases: Vec<Case> = vec![
        (
            "SMS_MFA",
            vec![
                ("CODE_DELIVERY_DESTINATION", "+***12"),
                ("CODE_DELIVERY_DELIVERY_MEDIUM", "SMS"),
            ],
            SignInStep::ConfirmSignInWithSmsCode {
                code_delivery_details: Some(super::steps::CodeDeliveryDetails {
                    destination: Some("+***12".into()),
                    delivery_medium: Some("SMS".into()),
                    attribute_name: None,
                }),
            },
        ),
        (
            "SMS_OTP",
            vec![],
            SignInStep::ConfirmSignInWithSmsCode {
                code_delivery_details: Some(Default::default()),
            },
        ),
        (
            "EMAIL_OTP",
            vec![
                ("CODE_DELIVERY_DESTINATION", "a***@e***"),
                ("CODE_DELIVERY_DELIVERY_MEDIUM", "EMAIL"),
            ],
            SignInStep::ConfirmSignInWithEmailCode {
                code_delivery_details: Some(super::steps::CodeDeliveryDetails {
                    destination: Some("a***@e***".into()),
                    delivery_medium: Some("EMAIL".into()),
                    attribute_name: None,
                }),
            },
        ),
        (
            "SOFTWARE_TOKEN_MFA",
            vec![],
            SignInStep::ConfirmSignInWithTotpCode,
        ),
        (
            "SELECT_MFA_TYPE",
            vec![(
                "MFAS_CAN_CHOOSE",
                r#"["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#,
            )],
            SignInStep::ContinueSignInWithMfaSelection {
                allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp, MfaType::Email],
            },
        ),
        (
            "MFA_SETUP",
            vec![(
                "MFAS_CAN_SETUP",
                r#"["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#,
            )],
            SignInStep::ContinueSignInWithMfaSetupSelection {
                allowed_mfa_types: vec![MfaType::Totp, MfaType::Email],
            },
        ),
        (
            "MFA_SETUP",
            vec![("MFAS_CAN_SETUP", r#"["EMAIL_OTP"]"#)],
            SignInStep::ContinueSignInWithEmailSetup,
        ),
        (
            "NEW_PASSWORD_REQUIRED",
            vec![
                (
                    "requiredAttributes",
                    r#"["userAttributes.name","userAttributes.email"]"#,
                ),
                ("userAttributes", "{}"),
            ],
            SignInStep::ConfirmSignInWithNewPasswordRequired {
                missing_attributes: vec!["name".into(), "email".into()],
            },
        ),
        (
            "CUSTOM_CHALLENGE",
            vec![("question", "2+2?")],
            SignInStep::ConfirmSignInWithCustomChallenge {
                additional_info: BTreeMap::from([("question".to_string(), "2+2?".to_string())]),
            },
        ),
        ("PASSWORD", vec![], SignInStep::ConfirmSignInWithPassword),
        (
            "PASSWORD_SRP",
            vec![],
            SignInStep::ConfirmSignInWithPassword,
        ),
    ];
    for (name, params, want) in cases {
        let (s, fx) = at_challenge(name, &params);
        let t = the_transition(&fx);
        assert_eq!(t.next_step, NextStep::SignIn(want), "{name}");
        assert_eq!(t.challenge_name.as_deref(), Some(name));
        assert_eq!(t.challenge_parameters.len(), params.len());
        let session = format!("session-for-{name}-0123456789");
        assert_eq!(
            t.session_id,
            Some(format!("session-…({} chars)", session.len()))
        );
        assert_eq!(t.session_age_ms, Some(0));
        assert!(!t.explanation.is_empty());
        assert_eq!(finished(&fx), Some(true));
        assert_eq!(s.pending_challenge(), Some(name));
    }
    // SELECT_CHALLENGE lists the top-level AvailableChallenges.
    let (s, _) = cmd(
        new_state(),
        AuthCommand::SignIn {
            username: "a".into(),
            password: None,
            flow: AuthFlowType::UserAuth,
            preferred_challenge: None,
        },
    );
    let (_, fx) = reply(
        s,
        Ok(Response::InitiateAuth(AuthResponse {
            challenge_name: Some("SELECT_CHALLENGE".into()),
            session: Some("s".repeat(20)),
            available_challenges: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
            ..Default::default()
        })),
    );
    assert_eq!(
        the_transition(&fx).next_step,
        NextStep::SignIn(SignInStep::ContinueSignInWithFirstFactorSelection {
            available_challenges: vec!["PASSWORD".into(), "EMAIL_OTP".into()]
        })
    );
}

#[test]
fn a_preferred_challenge_answered_with_select_challenge_says_why() {
    let select = || {
        Ok(Response::InitiateAuth(AuthResponse {
            challenge_name: Some("SELECT_CHALLENGE".into()),
            session: Some("s".repeat(20)),
            available_challenges: vec!["PASSWORD_SRP".into(), "EMAIL_OTP".into()],
            ..Default::default()
        }))
    };
    let sign_in = |preferred: Option<&str>| AuthCommand::SignIn {
        username: "a".into(),
        password: None,
        flow: AuthFlowType::UserAuth,
        preferred_challenge: preferred.map(str::to_string),
    };
    // WEB_AUTHN preferred: the explanation names the cause, not just the question.
    let (s, fx) = cmd(new_state(), sign_in(Some("WEB_AUTHN")));
    assert_eq!(
        only_call(&fx)["AuthParameters"]["PREFERRED_CHALLENGE"],
        "WEB_AUTHN"
    );
    let (s, fx) = reply(s, select());
    let t = the_transition(&fx);
    assert_eq!(
        t.next_step,
        NextStep::SignIn(SignInStep::ContinueSignInWithFirstFactorSelection {
            available_challenges: vec!["PASSWORD_SRP".into(), "EMAIL_OTP".into()]
        })
    );
    assert!(
        t.explanation.contains("WEB_AUTHN")
            && t.explanation
                .contains("not available for this user or pool")
            && t.explanation.contains("cannot run the passkey ceremony")
            && t.explanation.contains("offered the other first factors"),
        "{}",
        t.explanation
    );
    assert_eq!(s.pending_challenge(), Some("SELECT_CHALLENGE"));
    // Another preferred factor: named too.
    let (s, _) = cmd(new_state(), sign_in(Some("SMS_OTP")));
    let (_, fx) = reply(s, select());
    let why = &the_transition(&fx).explanation;
    assert!(
        why.contains("SMS_OTP is not available") && !why.contains("passkey"),
        "{why}"
    );
    // No preference: SELECT_CHALLENGE is simply the question.
    let (s, _) = cmd(new_state(), sign_in(None));
    let (_, fx) = reply(s, select());
    let why = &the_transition(&fx).explanation;
    assert!(
        why.contains("which first factor") && !why.contains("not available"),
        "{why}"
    );
}

#[test]
fn impossible_challenges_end_the_sign_in_with_a_clear_error() {
    for (name, params, code) in [
        ("WEB_AUTHN", vec![], "PasskeyNotSupported"),
        (
            "MFA_SETUP",
            vec![("MFAS_CAN_SETUP", r#"["SMS_MFA"]"#)],
            "MfaSetupNotSupported",
        ),
        ("DEVICE_SRP_AUTH", vec![], "DeviceSrpNotSupported"),
        ("SOMETHING_NEW", vec![], "UnsupportedChallenge"),
    ] {
        let (s, fx) = at_challenge(name, &params);
        assert_eq!(error_code(&fx).as_deref(), Some(code), "{name}");
        assert_eq!(finished(&fx), Some(false));
        assert_eq!(s.pending_challenge(), None);
    }
    // Neither tokens nor a challenge.
    let (s, _) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserPasswordAuth));
    let (_, fx) = reply(s, Ok(Response::InitiateAuth(AuthResponse::default())));
    assert_eq!(error_code(&fx).as_deref(), Some("InvalidResponse"));
}

#[test]
fn confirm_sign_in_answers_each_code_challenge_with_its_key_and_the_session() {
    for (name, key) in [
        ("SMS_MFA", "SMS_MFA_CODE"),
        ("SMS_OTP", "SMS_OTP_CODE"),
        ("EMAIL_OTP", "EMAIL_OTP_CODE"),
        ("SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE"),
    ] {
        let (s, _) = at_challenge(name, &[]);
        let (s, fx) = cmd(
            s,
            AuthCommand::ConfirmSignIn {
                response: Secret::new("123456"),
                attributes: BTreeMap::new(),
            },
        );
        let b = only_call(&fx);
        assert_eq!(b["_op"], "RespondToAuthChallenge");
        assert_eq!(b["ChallengeName"], name);
        assert_eq!(b["Session"], format!("session-for-{name}-0123456789"));
        assert_eq!(
            b["ChallengeResponses"],
            json!({key: "123456", "USERNAME": "alice"})
        );
        let (s, fx) = reply(s, auth_ok(tokens_result(true, T0 / 1000 + 3600, Some("r"))));
        let t = the_transition(&fx);
        assert_eq!(t.api, "confirmSignIn");
        assert_eq!(
            t.from.as_deref(),
            Some(SignInStep::name(&match name {
                "SOFTWARE_TOKEN_MFA" => SignInStep::ConfirmSignInWithTotpCode,
                "EMAIL_OTP" => SignInStep::ConfirmSignInWithEmailCode {
                    code_delivery_details: None
                },
                _ => SignInStep::ConfirmSignInWithSmsCode {
                    code_delivery_details: None
                },
            }))
        );
        assert_eq!(t.next_step, NextStep::SignIn(SignInStep::Done));
        assert!(s.tokens().is_some());
    }
}

#[test]
fn a_wrong_mfa_code_can_be_retried_but_other_errors_end_the_sign_in() {
    let (s, _) = at_challenge("SMS_MFA", &[]);
    let (s, _) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("000000"),
            attributes: BTreeMap::new(),
        },
    );
    let (s, fx) = reply(
        s,
        Err(service(
            "CodeMismatchException",
            "Invalid code received for user",
        )),
    );
    assert_eq!(error_code(&fx).as_deref(), Some("CodeMismatchException"));
    assert_eq!(s.pending_challenge(), Some("SMS_MFA"));
    let (s, _) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("111111"),
            attributes: BTreeMap::new(),
        },
    );
    let (s, fx) = reply(
        s,
        Err(service(
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
        )),
    );
    assert_eq!(error_code(&fx).as_deref(), Some("NotAuthorizedException"));
    assert_eq!(s.pending_challenge(), None);
}

#[test]
fn new_password_required_sends_the_password_and_attributes() {
    let (s, _) = at_challenge(
        "NEW_PASSWORD_REQUIRED",
        &[("requiredAttributes", r#"["userAttributes.name"]"#)],
    );
    let (_, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("N3w-Password!"),
            attributes: BTreeMap::from([("name".to_string(), "Alice".to_string())]),
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        b["ChallengeResponses"],
        json!({"NEW_PASSWORD": "N3w-Password!", "userAttributes.name": "Alice", "USERNAME": "alice"})
    );
    let shown = format!("{fx:?}");
    assert!(!shown.contains("N3w-Password!"), "{shown}");
}

#[test]
fn custom_challenge_and_mfa_selection_answers() {
    let (s, _) = at_challenge("CUSTOM_CHALLENGE", &[]);
    let (_, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("4"),
            attributes: BTreeMap::new(),
        },
    );
    assert_eq!(only_call(&fx)["ChallengeResponses"]["ANSWER"], "4");

    for (answer, sent) in [
        ("TOTP", "SOFTWARE_TOKEN_MFA"),
        ("sms", "SMS_MFA"),
        ("EMAIL", "EMAIL_OTP"),
    ] {
        let (s, _) = at_challenge(
            "SELECT_MFA_TYPE",
            &[("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)],
        );
        let (_, fx) = cmd(
            s,
            AuthCommand::ConfirmSignIn {
                response: Secret::new(answer),
                attributes: BTreeMap::new(),
            },
        );
        let b = only_call(&fx);
        assert_eq!(b["ChallengeName"], "SELECT_MFA_TYPE");
        assert_eq!(b["ChallengeResponses"]["ANSWER"], sent);
    }
    let (s, _) = at_challenge("SELECT_MFA_TYPE", &[]);
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("carrier pigeon"),
            attributes: BTreeMap::new(),
        },
    );
    assert!(calls(&fx).is_empty());
    assert_eq!(error_code(&fx).as_deref(), Some("InvalidMfaType"));
    assert_eq!(
        s.pending_challenge(),
        Some("SELECT_MFA_TYPE"),
        "a bad answer keeps the challenge"
    );
}

#[test]
fn totp_setup_during_sign_in() {
    // TOTP is the only option: AssociateSoftwareToken right away with the challenge Session.
    let (s, fx) = at_challenge(
        "MFA_SETUP",
        &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
    );
    let b = only_call(&fx);
    assert_eq!(b["_op"], "AssociateSoftwareToken");
    assert_eq!(b["Session"], "session-for-MFA_SETUP-0123456789");
    assert!(transitions(&fx).is_empty());
    let (s, fx) = reply(
        s,
        Ok(Response::AssociateSoftwareToken(
            AssociateSoftwareTokenResponse {
                secret_code: "JBSWY3DPEHPK3PXP".into(),
                session: Some("assoc-session-0123456789".into()),
            },
        )),
    );
    let t = the_transition(&fx);
    assert_eq!(t.operations, vec!["InitiateAuth", "AssociateSoftwareToken"]);
    match &t.next_step {
        NextStep::SignIn(SignInStep::ContinueSignInWithTotpSetup { totp_setup_details }) => {
            assert_eq!(totp_setup_details.shared_secret, "JBSWY3DPEHPK3PXP");
            assert_eq!(
                totp_setup_details.setup_uri,
                "otpauth://totp/cognito-tui:alice?secret=JBSWY3DPEHPK3PXP&issuer=cognito-tui"
            );
        }
        other => panic!("{other:?}"),
    }
    // A 6-digit answer: VerifySoftwareToken, then MFA_SETUP with *its* Session.
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("123456"),
            attributes: BTreeMap::new(),
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["_op"], "VerifySoftwareToken");
    assert_eq!(b["Session"], "assoc-session-0123456789");
    assert_eq!(b["UserCode"], "123456");
    let (s, fx) = reply(
        s,
        Ok(Response::VerifySoftwareToken(VerifySoftwareTokenResponse {
            status: Some("SUCCESS".into()),
            session: Some("verify-session-0123456789".into()),
        })),
    );
    let b = only_call(&fx);
    assert_eq!(b["_op"], "RespondToAuthChallenge");
    assert_eq!(b["ChallengeName"], "MFA_SETUP");
    assert_eq!(b["Session"], "verify-session-0123456789");
    assert_eq!(b["ChallengeResponses"], json!({"USERNAME": "alice"}));
    let (_, fx) = reply(s, auth_ok(tokens_result(true, T0 / 1000 + 3600, Some("r"))));
    assert_eq!(
        the_transition(&fx).operations,
        vec!["VerifySoftwareToken", "RespondToAuthChallenge"]
    );

    // VerifySoftwareToken status ERROR is a code mismatch.
    let (s, _) = at_challenge(
        "MFA_SETUP",
        &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#)],
    );
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("TOTP"),
            attributes: BTreeMap::new(),
        },
    );
    assert_eq!(only_call(&fx)["_op"], "AssociateSoftwareToken");
    let (s, _) = reply(
        s,
        Ok(Response::AssociateSoftwareToken(
            AssociateSoftwareTokenResponse {
                secret_code: "ABC".into(),
                session: None,
            },
        )),
    );
    let (s, _) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("654321"),
            attributes: BTreeMap::new(),
        },
    );
    let (_, fx) = reply(
        s,
        Ok(Response::VerifySoftwareToken(VerifySoftwareTokenResponse {
            status: Some("ERROR".into()),
            session: None,
        })),
    );
    assert_eq!(error_code(&fx).as_deref(), Some("CodeMismatchException"));
}

#[test]
fn email_mfa_setup_is_chosen_locally_then_answered_with_the_address() {
    let (s, _) = at_challenge(
        "MFA_SETUP",
        &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#)],
    );
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("EMAIL"),
            attributes: BTreeMap::new(),
        },
    );
    assert!(calls(&fx).is_empty());
    let t = the_transition(&fx);
    assert_eq!(
        t.next_step,
        NextStep::SignIn(SignInStep::ContinueSignInWithEmailSetup)
    );
    assert!(t.operations.is_empty());
    let (_, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("alice@example.com"),
            attributes: BTreeMap::new(),
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        b["ChallengeResponses"],
        json!({"EMAIL": "alice@example.com", "USERNAME": "alice"})
    );
}

#[test]
fn first_factor_selection_with_password() {
    let (s, _) = cmd(
        new_state(),
        AuthCommand::SignIn {
            username: "a".into(),
            password: None,
            flow: AuthFlowType::UserAuth,
            preferred_challenge: None,
        },
    );
    let (s, _) = reply(s, challenge("SELECT_CHALLENGE", &[]));
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("PASSWORD"),
            attributes: BTreeMap::new(),
        },
    );
    assert!(calls(&fx).is_empty());
    assert_eq!(
        the_transition(&fx).next_step,
        NextStep::SignIn(SignInStep::ConfirmSignInWithPassword)
    );
    let (_, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new(PW),
            attributes: BTreeMap::new(),
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(
        b["ChallengeResponses"],
        json!({"ANSWER": "PASSWORD", "PASSWORD": PW, "USERNAME": "a"})
    );

    // PASSWORD_SRP: SRP_A now, PASSWORD_VERIFIER next.
    let (s, _) = cmd(
        new_state(),
        AuthCommand::SignIn {
            username: "a".into(),
            password: None,
            flow: AuthFlowType::UserAuth,
            preferred_challenge: None,
        },
    );
    let (s, _) = reply(s, challenge("SELECT_CHALLENGE", &[]));
    let (s, _) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("password_srp"),
            attributes: BTreeMap::new(),
        },
    );
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new(PW),
            attributes: BTreeMap::new(),
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["ChallengeResponses"]["ANSWER"], "PASSWORD_SRP");
    assert_eq!(b["ChallengeResponses"]["SRP_A"], eph().a_hex());
    let (_, fx) = reply(
        s,
        challenge(
            "PASSWORD_VERIFIER",
            &[("SALT", "ab"), ("SRP_B", "cd"), ("SECRET_BLOCK", "AAAA")],
        ),
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::ComputeClaim(_))));

    // EMAIL_OTP goes to Cognito.
    let (s, _) = cmd(
        new_state(),
        AuthCommand::SignIn {
            username: "a".into(),
            password: None,
            flow: AuthFlowType::UserAuth,
            preferred_challenge: None,
        },
    );
    let (s, _) = reply(s, challenge("SELECT_CHALLENGE", &[]));
    let (_, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("EMAIL_OTP"),
            attributes: BTreeMap::new(),
        },
    );
    assert_eq!(
        only_call(&fx)["ChallengeResponses"],
        json!({"ANSWER": "EMAIL_OTP", "USERNAME": "a"})
    );
}

#[test]
fn confirm_sign_in_needs_a_live_sign_in() {
    let (_, fx) = cmd(
        new_state(),
        AuthCommand::ConfirmSignIn {
            response: Secret::new("1"),
            attributes: BTreeMap::new(),
        },
    );
    assert_eq!(error_code(&fx).as_deref(), Some("SignInException"));
    assert!(calls(&fx).is_empty());
    // Three minutes after the last Session the sign-in state is gone.
    let (s, _) = at_challenge("SMS_MFA", &[]);
    let (s, fx) = cmd_at(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("1"),
            attributes: BTreeMap::new(),
        },
        T0 + 100 + SIGN_IN_STATE_TTL_MS + 1,
    );
    assert!(calls(&fx).is_empty());
    assert_eq!(error_code(&fx).as_deref(), Some("SignInException"));
    assert_eq!(s.pending_challenge(), None);
    // Just inside the window it is answered, and the transition shows the Session's age.
    let (s, _) = at_challenge("SMS_MFA", &[]);
    let (s, fx) = cmd_at(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("1"),
            attributes: BTreeMap::new(),
        },
        T0 + 100 + SIGN_IN_STATE_TTL_MS,
    );
    assert_eq!(calls(&fx).len(), 1);
    let (_, fx) = handle(
        s,
        Input::Response {
            result: Err(service("CodeMismatchException", "x")),
            latency_ms: 1,
            now_ms: T0 + 100 + 5_000,
        },
    );
    assert_eq!(error_code(&fx).as_deref(), Some("CodeMismatchException"));
}

#[test]
fn chained_challenges_carry_the_newest_session_and_its_age() {
    let (s, _) = at_challenge("NEW_PASSWORD_REQUIRED", &[]);
    let (s, fx) = cmd_at(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("N3w-Pass!"),
            attributes: BTreeMap::new(),
        },
        T0 + 2_000,
    );
    assert_eq!(
        only_call(&fx)["Session"],
        "session-for-NEW_PASSWORD_REQUIRED-0123456789"
    );
    let (s, fx) = handle(
        s,
        Input::Response {
            result: Ok(Response::RespondToAuthChallenge(AuthResponse {
                challenge_name: Some("EMAIL_OTP".into()),
                session: Some("second-session-abcdefghij".into()),
                ..Default::default()
            })),
            latency_ms: 3,
            now_ms: T0 + 2_500,
        },
    );
    let t = the_transition(&fx);
    assert_eq!(
        t.from.as_deref(),
        Some("CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED")
    );
    assert_eq!(t.session_id.as_deref(), Some("second-s…(25 chars)"));
    assert_eq!(t.session_age_ms, Some(0));
    let (_, fx) = cmd_at(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("999999"),
            attributes: BTreeMap::new(),
        },
        T0 + 9_000,
    );
    assert_eq!(only_call(&fx)["Session"], "second-session-abcdefghij");
}

#[test]
fn cancel_sign_in_drops_the_session() {
    let (s, _) = at_challenge("SMS_MFA", &[]);
    let (s, fx) = cmd(s, AuthCommand::CancelSignIn);
    assert_eq!(finished(&fx), Some(true));
    assert_eq!(s.pending_challenge(), None);
    let (_, fx) = cmd(
        s,
        AuthCommand::ConfirmSignIn {
            response: Secret::new("1"),
            attributes: BTreeMap::new(),
        },
    );
    assert_eq!(error_code(&fx).as_deref(), Some("SignInException"));
}

// ---------------------------------------------------------------- sign-out

fn session_cleared(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::Persist(None)))
        && events(fx)
            .iter()
            .any(|e| matches!(e, AuthEvent::Session { session: None }))
}

#[test]
fn local_sign_out_revokes_the_refresh_token_only_with_origin_jti() {
    let s = signed_in(true, T0 / 1000 + 3600);
    let (s, fx) = cmd(s, AuthCommand::SignOut { global: false });
    let b = only_call(&fx);
    assert_eq!(b["_op"], "RevokeToken");
    assert_eq!(b["Token"], "refresh-token-0123456789");
    assert_eq!(b["ClientId"], "cid");
    assert!(!session_cleared(&fx));
    let (s, fx) = reply(s, Ok(Response::RevokeToken(Empty {})));
    assert!(session_cleared(&fx));
    assert_eq!(finished(&fx), Some(true));
    assert!(s.tokens().is_none());

    let s = signed_in(false, T0 / 1000 + 3600);
    let (s, fx) = cmd(s, AuthCommand::SignOut { global: false });
    assert!(calls(&fx).is_empty());
    assert!(session_cleared(&fx));
    assert!(s.tokens().is_none());
}

#[test]
fn global_sign_out_and_swallowed_errors() {
    let s = signed_in(true, T0 / 1000 + 3600);
    let access = s.tokens().unwrap().access_token.clone();
    let (s, fx) = cmd(s, AuthCommand::SignOut { global: true });
    let b = only_call(&fx);
    assert_eq!(b["_op"], "GlobalSignOut");
    assert_eq!(b["AccessToken"], access);
    let (s, fx) = reply(
        s,
        Err(CognitoError::Network {
            message: "down".into(),
        }),
    );
    assert!(session_cleared(&fx));
    assert_eq!(error_code(&fx), None, "sign-out errors are swallowed");
    assert_eq!(finished(&fx), Some(true));
    assert!(s.tokens().is_none());
    // Signing out with nobody signed in is a no-op that still reports the (empty) session.
    let (_, fx) = cmd(s, AuthCommand::SignOut { global: false });
    assert!(calls(&fx).is_empty());
    assert_eq!(finished(&fx), Some(true));
}

// ---------------------------------------------------------------- fetchAuthSession

#[test]
fn fetch_session_refreshes_only_near_expiry_or_when_forced() {
    let exp = T0 / 1000 + 3600;
    let s = signed_in(true, exp);
    let (s, fx) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: false,
        },
    );
    assert!(calls(&fx).is_empty());
    assert!(
        events(&fx)
            .iter()
            .any(|e| matches!(e, AuthEvent::Session { session: Some(_) }))
    );

    let (s, fx) = cmd_at(
        s,
        AuthCommand::FetchSession {
            force_refresh: false,
        },
        exp * 1000 - 4_000,
    );
    let b = only_call(&fx);
    assert_eq!(b["_op"], "GetTokensFromRefreshToken");
    assert_eq!(b["RefreshToken"], "refresh-token-0123456789");
    assert_eq!(b["ClientId"], "cid");
    // No refresh token in the answer: the old one is kept.
    let (s, fx) = reply(
        s,
        Ok(Response::GetTokensFromRefreshToken(TokensResponse {
            authentication_result: Some(tokens_result(true, exp + 3600, None)),
        })),
    );
    assert_eq!(finished(&fx), Some(true));
    let t = s.tokens().unwrap();
    assert_eq!(t.refresh_token.as_deref(), Some("refresh-token-0123456789"));
    assert_eq!(t.access_expires_at(), exp + 3600);
    assert_eq!(t.refreshed_at_ms, Some(T0 + 100));
    assert!(fx.iter().any(|e| matches!(e, Effect::Persist(Some(_)))));

    let (s, fx) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: true,
        },
    );
    assert_eq!(only_call(&fx)["_op"], "GetTokensFromRefreshToken");
    let (s, _) = reply(
        s,
        Ok(Response::GetTokensFromRefreshToken(TokensResponse {
            authentication_result: Some(tokens_result(
                true,
                exp + 7200,
                Some("rotated-refresh-token"),
            )),
        })),
    );
    assert_eq!(
        s.tokens().unwrap().refresh_token.as_deref(),
        Some("rotated-refresh-token")
    );
}

#[test]
fn refresh_falls_back_when_the_server_answers_with_a_non_cognito_error_page() {
    // moto answers an operation it lacks with HTTP 500 and an HTML page.
    let html = |status| {
        Err(CognitoError::InvalidResponse {
            message: "HTTP 500 with a body that is not JSON: <!doctype html>".into(),
            status: Some(status),
            request_id: None,
        })
    };
    let s = signed_in(true, T0 / 1000 + 3600);
    let (s, _) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: true,
        },
    );
    let (_, fx) = reply(s, html(500));
    let (req, notes) = fx
        .iter()
        .find_map(|e| match e {
            Effect::Call { request, notes } => Some((request.body(), notes.clone())),
            _ => None,
        })
        .expect("a fallback call");
    assert_eq!(req["AuthFlow"], "REFRESH_TOKEN_AUTH");
    assert!(
        notes[0]
            .contains("(InvalidResponse, HTTP 500); fell back to InitiateAuth REFRESH_TOKEN_AUTH"),
        "{notes:?}"
    );
    assert_eq!(error_code(&fx), None);

    // A gateway error says nothing about the operation: no fallback, the error is shown.
    let s = signed_in(true, T0 / 1000 + 3600);
    let (s, _) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: true,
        },
    );
    let (_, fx) = reply(s, html(502));
    assert!(calls(&fx).is_empty());
    assert_eq!(error_code(&fx).as_deref(), Some("InvalidResponse"));
}

#[test]
fn refresh_falls_back_to_refresh_token_auth_when_the_operation_is_unknown() {
    let s = signed_in(true, T0 / 1000 + 3600);
    let (s, _) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: true,
        },
    );
    let (s, fx) = reply(s, Err(service("UnknownOperationException", "")));
    let (req, notes) = fx
        .iter()
        .find_map(|e| match e {
            Effect::Call { request, notes } => Some((request.body(), notes.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(req["AuthFlow"], "REFRESH_TOKEN_AUTH");
    assert_eq!(
        req["AuthParameters"],
        json!({"REFRESH_TOKEN": "refresh-token-0123456789"})
    );
    assert!(
        notes[0].contains("fell back to InitiateAuth REFRESH_TOKEN_AUTH"),
        "{notes:?}"
    );
    assert_eq!(error_code(&fx), None);
    let (s, fx) = reply(
        s,
        Ok(Response::InitiateAuth(AuthResponse {
            authentication_result: Some(tokens_result(true, T0 / 1000 + 7200, None)),
            ..Default::default()
        })),
    );
    assert_eq!(finished(&fx), Some(true));
    assert_eq!(
        s.tokens().unwrap().refresh_token.as_deref(),
        Some("refresh-token-0123456789")
    );
}

#[test]
fn refresh_failures_clear_tokens_only_for_amplifys_list() {
    let s = signed_in(true, T0 / 1000 + 3600);
    let (s, _) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: true,
        },
    );
    let (s, fx) = reply(
        s,
        Err(CognitoError::Timeout {
            endpoint: "e".into(),
            after_ms: 15_000,
        }),
    );
    assert_eq!(error_code(&fx).as_deref(), Some("Timeout"));
    assert!(s.tokens().is_some(), "a timeout keeps the tokens");
    let (s, _) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: true,
        },
    );
    let (s, fx) = reply(
        s,
        Err(service(
            "NotAuthorizedException",
            "Refresh Token has been revoked",
        )),
    );
    assert_eq!(error_code(&fx).as_deref(), Some("NotAuthorizedException"));
    assert!(session_cleared(&fx));
    assert!(s.tokens().is_none());
    let (_, fx) = cmd(
        s,
        AuthCommand::FetchSession {
            force_refresh: false,
        },
    );
    assert!(calls(&fx).is_empty());
    assert_eq!(finished(&fx), Some(true));
}

// ---------------------------------------------------------------- password reset

#[test]
fn reset_password_flow() {
    let (s, fx) = cmd(
        new_state(),
        AuthCommand::ResetPassword {
            username: "alice".into(),
        },
    );
    assert_eq!(only_call(&fx)["_op"], "ForgotPassword");
    let (s, fx) = reply(
        s,
        Ok(Response::ForgotPassword(CodeDeliveryResponse {
            code_delivery_details: Some(CodeDeliveryDetailsType {
                destination: Some("a***@e***".into()),
                delivery_medium: Some("EMAIL".into()),
                attribute_name: Some("email".into()),
            }),
        })),
    );
    assert_eq!(
        the_transition(&fx).next_step.name(),
        "CONFIRM_RESET_PASSWORD_WITH_CODE"
    );
    let (s, fx) = cmd(
        s,
        AuthCommand::ConfirmResetPassword {
            username: "alice".into(),
            code: "123456".into(),
            new_password: Secret::new("N3w-Pass!"),
        },
    );
    let b = only_call(&fx);
    assert_eq!(b["_op"], "ConfirmForgotPassword");
    assert_eq!(b["Password"], "N3w-Pass!");
    assert_eq!(b["ConfirmationCode"], "123456");
    let (_, fx) = reply(s, Ok(Response::ConfirmForgotPassword(Empty {})));
    assert_eq!(
        the_transition(&fx).next_step,
        NextStep::ResetPassword(ResetPasswordStep::Done)
    );
    assert_eq!(
        the_transition(&fx).from.as_deref(),
        Some("CONFIRM_RESET_PASSWORD_WITH_CODE")
    );
}

#[test]
fn commands_while_busy_are_refused_and_stray_results_ignored() {
    let (s, _) = cmd(new_state(), sign_in_cmd(AuthFlowType::UserPasswordAuth));
    let (s, fx) = cmd(s, AuthCommand::SignOut { global: false });
    assert_eq!(error_code(&fx).as_deref(), Some("Busy"));
    assert!(calls(&fx).is_empty());
    assert!(s.busy());
    let (s, fx) = handle(
        new_state(),
        Input::Response {
            result: Ok(Response::GlobalSignOut(Empty {})),
            latency_ms: 1,
            now_ms: 0,
        },
    );
    assert!(fx.is_empty());
    assert!(!s.busy());
}

#[test]
fn step_commands_outside_a_hold() {
    let (s, fx) = cmd(new_state(), AuthCommand::Step { send: true });
    assert_eq!(error_code(&fx).as_deref(), Some("NothingHeld"));
    let (_, fx) = cmd(s, AuthCommand::SetStepMode { on: true });
    assert_eq!(finished(&fx), Some(true));
    assert!(events(&fx).iter().any(
        |e| matches!(e, AuthEvent::Info { message, .. } if message.starts_with("Step mode on"))
    ));
    let parsed: AuthCommand = serde_json::from_str(r#"{"cmd":"step"}"#).unwrap();
    assert_eq!(parsed, AuthCommand::Step { send: true });
}

#[test]
fn a_wrong_totp_setup_code_a_reused_totp_code_or_a_refused_new_password_can_be_retried() {
    // TOTP setup: VerifySoftwareToken refuses the code; the Session still stands.
    let (s, _) = at_challenge(
        "MFA_SETUP",
        &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)],
    );
    let (s, _) = reply(
        s,
        Ok(Response::AssociateSoftwareToken(
            AssociateSoftwareTokenResponse {
                secret_code: "JBSWY3DPEHPK3PXP".into(),
                session: Some("assoc-session-0123456789".into()),
            },
        )),
    );
    let answer = |code: &str| AuthCommand::ConfirmSignIn {
        response: Secret::new(code),
        attributes: BTreeMap::new(),
    };
    let (s, _) = cmd(s, answer("111111"));
    let (s, fx) = reply(
        s,
        Err(service(
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        )),
    );
    assert_eq!(
        error_code(&fx).as_deref(),
        Some("EnableSoftwareTokenMFAException")
    );
    assert_eq!(finished(&fx), Some(false));
    assert_eq!(s.pending_challenge(), Some("MFA_SETUP"));
    let (_, fx) = cmd(s, answer("222222"));
    let b = only_call(&fx);
    assert_eq!(b["_op"], "VerifySoftwareToken");
    assert_eq!(b["Session"], "assoc-session-0123456789");
    assert_eq!(b["UserCode"], "222222");

    // SOFTWARE_TOKEN_MFA: a code already used once; the next one is accepted.
    let (s, _) = at_challenge("SOFTWARE_TOKEN_MFA", &[]);
    let (s, _) = cmd(s, answer("333333"));
    let (s, fx) = reply(
        s,
        Err(service(
            "ExpiredCodeException",
            "Your software token has already been used once.",
        )),
    );
    assert_eq!(error_code(&fx).as_deref(), Some("ExpiredCodeException"));
    assert_eq!(s.pending_challenge(), Some("SOFTWARE_TOKEN_MFA"));
    let (_, fx) = cmd(s, answer("444444"));
    let b = only_call(&fx);
    assert_eq!(b["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(b["Session"], "session-for-SOFTWARE_TOKEN_MFA-0123456789");
    // An expired SMS code is not retried: Cognito has spent that Session.
    let (s, _) = at_challenge("SMS_MFA", &[]);
    let (s, _) = cmd(s, answer("555555"));
    let (s, _) = reply(
        s,
        Err(service(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        )),
    );
    assert_eq!(s.pending_challenge(), None);

    // NEW_PASSWORD_REQUIRED: a password the policy refuses can be replaced.
    let (s, _) = at_challenge("NEW_PASSWORD_REQUIRED", &[("requiredAttributes", "[]")]);
    let (s, _) = cmd(s, answer("weak"));
    let (s, fx) = reply(
        s,
        Err(service(
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough",
        )),
    );
    assert_eq!(error_code(&fx).as_deref(), Some("InvalidPasswordException"));
    assert_eq!(s.pending_challenge(), Some("NEW_PASSWORD_REQUIRED"));
    let (s, fx) = cmd(s, answer("N3w-Password!"));
    let b = only_call(&fx);
    assert_eq!(b["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(b["Session"], "session-for-NEW_PASSWORD_REQUIRED-0123456789");
    // Other errors still end the sign-in.
    let (s, _) = reply(
        s,
        Err(service(
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
        )),
    );
    assert_eq!(s.pending_challenge(), None);
}
