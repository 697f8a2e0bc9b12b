//! The account calls of the flow machine, input by input: what each sends with the access
//! token, what each answer becomes, and the refusals made before any call.

use serde_json::json;

use super::events::{AccountUpdate, AuthCommand, AuthEvent, MfaPreference};
use super::machine::*;
use super::session::fake_jwt;
use super::steps::{MfaType, NextStep, UpdateAttributeStep};
use crate::cognito::error::CognitoError;
use crate::cognito::types::*;
use crate::secret::Secret;

const T0: i64 = 1_800_000_000_000;

fn cmd(s: AuthState, c: AuthCommand) -> (AuthState, Vec<Effect>) {
    handle(
        s,
        Input::Command {
            cmd: c,
            now_ms: T0,
            srp: None,
        },
    )
}

fn reply(s: AuthState, r: Result<Response, CognitoError>) -> (AuthState, Vec<Effect>) {
    handle(
        s,
        Input::Response {
            result: r,
            latency_ms: 5,
            now_ms: T0 + 50,
        },
    )
}

fn events(fx: &[Effect]) -> Vec<&AuthEvent> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Emit(ev) => Some(ev),
            _ => None,
        })
        .collect()
}

fn sent(fx: &[Effect]) -> Vec<&Request> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Call { request, .. } => Some(request),
            _ => None,
        })
        .collect()
}

fn account(fx: &[Effect]) -> Option<&AccountUpdate> {
    events(fx).into_iter().find_map(|e| match e {
        AuthEvent::Account(u) => Some(u),
        _ => None,
    })
}

fn finished(fx: &[Effect]) -> Option<bool> {
    events(fx).into_iter().find_map(|e| match e {
        AuthEvent::Finished { ok, .. } => Some(*ok),
        _ => None,
    })
}

/// Signed in as alice, with an access token the account calls carry.
fn signed_in() -> AuthState {
    let exp = T0 / 1000 + 3600;
    let access = fake_jwt(&json!({"sub": "s", "username": "alice", "exp": exp,
        "iat": T0 / 1000, "token_use": "access", "origin_jti": "o"}));
    let id = fake_jwt(&json!({"sub": "s", "cognito:username": "alice", "exp": exp}));
    let s = AuthState::new(MachineConfig::new("cid", "us-east-1_Pool"));
    let (s, _) = cmd(
        s,
        AuthCommand::SignIn {
            username: "alice".into(),
            password: Some(Secret::new("Pw-12345678!")),
            flow: crate::auth::events::AuthFlowType::UserPasswordAuth,
            preferred_challenge: None,
        },
    );
    let (s, fx) = reply(
        s,
        Ok(Response::InitiateAuth(AuthResponse {
            authentication_result: Some(AuthenticationResult {
                access_token: Some(access),
                id_token: Some(id),
                refresh_token: Some("refresh-0123456789".into()),
                expires_in: Some(3600),
                token_type: Some("Bearer".into()),
                new_device_metadata: None,
            }),
            ..Default::default()
        })),
    );
    assert_eq!(finished(&fx), Some(true));
    s
}

#[test]
fn account_calls_need_a_signed_in_user_and_their_inputs() {
    let s = AuthState::new(MachineConfig::new("cid", "us-east-1_Pool"));
    let (s, fx) = cmd(s, AuthCommand::FetchUserAttributes);
    assert!(sent(&fx).is_empty());
    assert!(events(&fx).iter().any(|e| matches!(e,
        AuthEvent::Error(v) if v.code == "UserUnAuthenticatedException"
            && v.api == "fetchUserAttributes")));
    assert!(!s.busy());

    for c in [
        AuthCommand::UpdateUserAttributes {
            attributes: Default::default(),
        },
        AuthCommand::ConfirmUserAttribute {
            attribute: "email".into(),
            code: Secret::new(" "),
        },
        AuthCommand::UpdatePassword {
            old_password: None,
            new_password: Secret::new(""),
        },
        AuthCommand::UpdateMfaPreference {
            sms: None,
            totp: None,
            email: None,
        },
    ] {
        let (_, fx) = cmd(signed_in(), c);
        assert!(sent(&fx).is_empty());
        assert!(events(&fx).iter().any(|e| matches!(e,
            AuthEvent::Error(v) if v.code == "EmptyAccountInput")));
    }
}

#[test]
fn update_user_attributes_gives_each_attribute_its_step() {
    let s = signed_in();
    let attributes = [("email", "new@example.com"), ("nickname", "al")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into_iter()
        .collect();
    let (s, fx) = cmd(s, AuthCommand::UpdateUserAttributes { attributes });
    match sent(&fx).as_slice() {
        [Request::UpdateUserAttributes(r)] => {
            assert!(r.access_token.starts_with("ey"));
            assert_eq!(r.user_attributes.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    let (s, fx) = reply(
        s,
        Ok(Response::UpdateUserAttributes(
            UpdateUserAttributesResponse {
                code_delivery_details_list: vec![CodeDeliveryDetailsType {
                    destination: Some("n***@e***".into()),
                    delivery_medium: Some("EMAIL".into()),
                    attribute_name: Some("email".into()),
                }],
            },
        )),
    );
    let Some(AccountUpdate::Updated { results }) = account(&fx) else {
        panic!("no Updated event: {fx:?}");
    };
    assert!(matches!(
        results["email"],
        UpdateAttributeStep::ConfirmAttributeWithCode { .. }
    ));
    assert_eq!(results["nickname"], UpdateAttributeStep::Done);
    let steps: Vec<&str> = events(&fx)
        .iter()
        .filter_map(|e| match e {
            AuthEvent::Transition(t) => Some(t.next_step.name()),
            _ => None,
        })
        .collect();
    assert_eq!(steps, ["CONFIRM_ATTRIBUTE_WITH_CODE", "DONE"]);
    assert!(matches!(
        events(&fx).iter().find_map(|e| match e {
            AuthEvent::Transition(t) => Some(&t.next_step),
            _ => None,
        }),
        Some(NextStep::UpdateAttribute(_))
    ));
    assert_eq!(finished(&fx), Some(true));
    assert!(!s.busy());
}

#[test]
fn mfa_preferences_map_as_amplify_maps_them_and_get_user_reads_back() {
    let (s, fx) = cmd(
        signed_in(),
        AuthCommand::UpdateMfaPreference {
            sms: Some(MfaPreference::Disabled),
            totp: Some(MfaPreference::Preferred),
            email: Some(MfaPreference::Enabled),
        },
    );
    let body = sent(&fx)[0].body();
    assert_eq!(body["SMSMfaSettings"], json!({"Enabled": false}));
    assert_eq!(
        body["SoftwareTokenMfaSettings"],
        json!({"Enabled": true, "PreferredMfa": true})
    );
    assert_eq!(body["EmailMfaSettings"], json!({"Enabled": true}));
    let (s, _) = reply(s, Ok(Response::SetUserMfaPreference(Empty {})));
    let (s, _) = cmd(s, AuthCommand::FetchUserAttributes);
    let (_, fx) = reply(
        s,
        Ok(Response::GetUser(GetUserResponse {
            username: "alice".into(),
            user_attributes: vec![AttributeType {
                name: "email".into(),
                value: Some("a@example.com".into()),
            }],
            preferred_mfa_setting: Some("SOFTWARE_TOKEN_MFA".into()),
            user_mfa_setting_list: vec!["SOFTWARE_TOKEN_MFA".into(), "EMAIL_OTP".into()],
        })),
    );
    let Some(AccountUpdate::Attributes {
        mfa_enabled,
        mfa_preferred,
        attributes,
        ..
    }) = account(&fx)
    else {
        panic!("no Attributes event");
    };
    assert_eq!(mfa_enabled, &[MfaType::Totp, MfaType::Email]);
    assert_eq!(*mfa_preferred, Some(MfaType::Totp));
    assert_eq!(attributes["email"], "a@example.com");
}

#[test]
fn totp_setup_outside_sign_in_and_delete_user_clear_what_they_should() {
    let (s, fx) = cmd(signed_in(), AuthCommand::SetUpTotp);
    match sent(&fx).as_slice() {
        [Request::AssociateSoftwareToken(r)] => {
            assert!(r.access_token.is_some() && r.session.is_none());
        }
        other => panic!("{other:?}"),
    }
    let (s, fx) = reply(
        s,
        Ok(Response::AssociateSoftwareToken(
            AssociateSoftwareTokenResponse {
                secret_code: "JBSWY3DPEHPK3PXP".into(),
                session: None,
            },
        )),
    );
    let Some(AccountUpdate::TotpSetup { details }) = account(&fx) else {
        panic!("no TotpSetup");
    };
    assert_eq!(
        details.setup_uri,
        "otpauth://totp/cognito-tui:alice?secret=JBSWY3DPEHPK3PXP&issuer=cognito-tui"
    );
    let (s, fx) = cmd(
        s,
        AuthCommand::VerifyTotpSetup {
            code: Secret::new("123456"),
            friendly_device_name: None,
        },
    );
    assert!(
        matches!(sent(&fx).as_slice(), [Request::VerifySoftwareToken(r)] if r.access_token.is_some())
    );
    let (s, fx) = reply(
        s,
        Ok(Response::VerifySoftwareToken(VerifySoftwareTokenResponse {
            status: Some("ERROR".into()),
            session: None,
        })),
    );
    assert_eq!(finished(&fx), Some(false), "Status ERROR is a failure");

    let (s, _) = cmd(s, AuthCommand::DeleteUser);
    let (s, fx) = reply(s, Ok(Response::DeleteUser(Empty {})));
    assert!(matches!(
        account(&fx),
        Some(AccountUpdate::UserDeleted { username }) if username == "alice"
    ));
    assert!(fx.iter().any(|e| matches!(e, Effect::Persist(None))));
    assert!(s.tokens().is_none());
    // A failed account call leaves the tokens alone.
    let (s, _) = cmd(signed_in(), AuthCommand::DeleteUser);
    let (s, fx) = reply(
        s,
        Err(CognitoError::Service {
            code: "NotAuthorizedException".into(),
            message: "Access Token has been revoked".into(),
            request_id: None,
            status: 400,
        }),
    );
    assert_eq!(finished(&fx), Some(false));
    assert!(s.tokens().is_some());
}
