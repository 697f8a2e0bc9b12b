//! Key sequences produce the right commands, and actor events move the UI along.

use std::collections::BTreeMap;

use cognito_tui::admin::{AdminCommand, AdminEvent};
use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType};
use cognito_tui::auth::steps::{MfaType, NextStep, SignInStep, SignUpStep};
use cognito_tui::tui::demo::{self, NOW_MS};
use cognito_tui::tui::screens::Screen;
use cognito_tui::tui::{Action, App};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(app: &mut App, code: KeyCode) -> Vec<Action> {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS)
}

fn ctrl(app: &mut App, c: char) -> Vec<Action> {
    app.handle_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        NOW_MS,
    )
}

fn typ(app: &mut App, s: &str) -> Vec<Action> {
    let mut out = Vec::new();
    for c in s.chars() {
        out.extend(press(app, KeyCode::Char(c)));
    }
    out
}

fn auth(actions: Vec<Action>) -> AuthCommand {
    match actions.as_slice() {
        [Action::Auth(c)] => c.clone(),
        other => panic!("expected one auth command, got {other:?}"),
    }
}

#[test]
fn sign_in_sends_srp_sign_in_with_the_typed_password() {
    let mut app = demo::app();
    assert_eq!(app.screen, Screen::SignIn);
    assert!(typ(&mut app, "alice").is_empty());
    press(&mut app, KeyCode::Tab);
    assert!(
        typ(&mut app, "Pa55 word!q1").is_empty(),
        "q and 1 are typed, not commands"
    );
    let cmd = auth(press(&mut app, KeyCode::Enter));
    match cmd {
        AuthCommand::SignIn {
            username,
            password,
            flow,
            preferred_challenge,
        } => {
            assert_eq!(username, "alice");
            assert_eq!(password.expect("password").expose(), "Pa55 word!q1");
            assert_eq!(flow, AuthFlowType::UserSrpAuth);
            assert_eq!(preferred_challenge, None);
        }
        other => panic!("{other:?}"),
    }
    // The password field is emptied once handed over.
    assert_eq!(app.sign_in.form.raw("password"), "");
}

#[test]
fn flow_selector_picks_user_password_auth_and_user_auth_preference() {
    let mut app = demo::app();
    typ(&mut app, "bob");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "secret-1A");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    match auth(press(&mut app, KeyCode::Enter)) {
        AuthCommand::SignIn { flow, .. } => assert_eq!(flow, AuthFlowType::UserPasswordAuth),
        other => panic!("{other:?}"),
    }
    // USER_AUTH with EMAIL_OTP needs no password.
    let mut app = demo::app();
    typ(&mut app, "bob");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Left); // wraps to the last flow, USER_AUTH
    press(&mut app, KeyCode::Tab);
    for _ in 0..3 {
        press(&mut app, KeyCode::Right); // none → PASSWORD_SRP → PASSWORD → EMAIL_OTP
    }
    match auth(press(&mut app, KeyCode::Enter)) {
        AuthCommand::SignIn {
            flow,
            password,
            preferred_challenge,
            ..
        } => {
            assert_eq!(flow, AuthFlowType::UserAuth);
            assert_eq!(password, None);
            assert_eq!(preferred_challenge.as_deref(), Some("EMAIL_OTP"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_fields_are_reported_not_sent() {
    let mut app = demo::app();
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("Username is required")
    );
    typ(&mut app, "alice");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("needs a password")
    );
    assert_eq!(app.sign_in.form.focused_id(), Some("password"));
}

#[test]
fn sign_up_sends_attributes_and_auto_sign_in() {
    let mut app = demo::app();
    assert!(press(&mut app, KeyCode::F(1)).is_empty());
    assert_eq!(app.screen, Screen::SignUp);
    typ(&mut app, "carol");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Correct-Horse-9");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "carol@example.com");
    press(&mut app, KeyCode::Tab); // phone, left empty
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' ')); // auto sign-in on (Amplify's default is off)
    match auth(press(&mut app, KeyCode::Enter)) {
        AuthCommand::SignUp {
            username,
            password,
            attributes,
            auto_sign_in,
        } => {
            assert_eq!(username, "carol");
            assert_eq!(password.expose(), "Correct-Horse-9");
            assert_eq!(
                attributes,
                BTreeMap::from([("email".to_string(), "carol@example.com".to_string())])
            );
            assert!(auto_sign_in);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn confirm_sign_up_step_opens_confirm_with_the_username_and_reads_the_outbox() {
    let mut app = demo::app();
    press(&mut app, KeyCode::F(1));
    typ(&mut app, "alice");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Correct-Horse-9");
    auth(press(&mut app, KeyCode::Enter));
    let actions = app.on_auth_event(
        AuthEvent::Transition(demo::sign_up_transition(NOW_MS)),
        NOW_MS,
    );
    assert_eq!(actions, vec![Action::Admin(AdminCommand::FetchOutbox)]);
    assert_eq!(app.screen, Screen::Confirm);
    assert_eq!(app.confirm.form.text("username"), "alice");
    assert_eq!(app.confirm.form.focused_id(), Some("code"));
    app.on_admin_event(demo::outbox(), NOW_MS);
    // Ctrl-O takes alice's code (not bob's) from the outbox.
    assert!(ctrl(&mut app, 'o').is_empty());
    assert_eq!(app.confirm.form.text("code"), "734912");
    assert_eq!(
        auth(press(&mut app, KeyCode::Enter)),
        AuthCommand::ConfirmSignUp {
            username: "alice".into(),
            code: "734912".into()
        }
    );
}

#[test]
fn resend_button_and_refreshing_the_outbox_after_resend() {
    let mut app = demo::after_sign_up();
    press(&mut app, KeyCode::Tab); // code → Confirm button
    press(&mut app, KeyCode::Tab); // → Resend
    assert_eq!(app.confirm.form.focused_id(), Some("resend"));
    assert_eq!(
        auth(press(&mut app, KeyCode::Enter)),
        AuthCommand::ResendSignUpCode {
            username: "alice".into()
        }
    );
    let a = app.on_auth_event(
        AuthEvent::Finished {
            api: "resendSignUpCode".into(),
            ok: true,
        },
        NOW_MS,
    );
    assert_eq!(a, vec![Action::Admin(AdminCommand::FetchOutbox)]);
}

#[test]
fn outbox_enter_fills_the_confirm_screen() {
    let mut app = demo::after_sign_up();
    press(&mut app, KeyCode::F(7));
    assert_eq!(app.screen, Screen::Outbox);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down); // newest first: alice, carol, bob
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Confirm);
    assert_eq!(app.confirm.form.text("username"), "bob");
    assert_eq!(app.confirm.form.text("code"), "551027");
}

#[test]
fn sign_up_done_moves_to_sign_in_and_sign_in_done_to_session() {
    let mut app = demo::after_sign_up();
    app.on_auth_event(
        AuthEvent::Transition(demo::confirmed_transition(NOW_MS)),
        NOW_MS,
    );
    assert_eq!(app.screen, Screen::SignIn);
    assert_eq!(app.sign_in.form.text("username"), "alice");
    assert_eq!(app.sign_in.form.focused_id(), Some("password"));
    app.on_auth_event(
        AuthEvent::Transition(demo::signed_in_transition(NOW_MS)),
        NOW_MS,
    );
    assert_eq!(app.screen, Screen::Session);
}

#[test]
fn auto_sign_in_step_offers_auto_sign_in() {
    let mut app = demo::after_sign_up();
    let t = demo::transition(
        "confirmSignUp",
        Some("CONFIRM_SIGN_UP"),
        NextStep::SignUp(SignUpStep::CompleteAutoSignIn),
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::Transition(t), NOW_MS);
    assert_eq!(app.screen, Screen::Confirm);
    assert_eq!(app.confirm.form.focused_id(), Some("auto"));
    assert_eq!(
        auth(press(&mut app, KeyCode::Enter)),
        AuthCommand::AutoSignIn
    );
}

#[test]
fn sms_code_is_answered_and_esc_cancels_the_sign_in() {
    let mut app = demo::app();
    app.ctx.last_username = "alice".into();
    let a = app.on_auth_event(AuthEvent::Transition(demo::sms_challenge(NOW_MS)), NOW_MS);
    assert_eq!(a, vec![Action::Admin(AdminCommand::FetchOutbox)]);
    assert_eq!(app.screen, Screen::Challenge);
    typ(&mut app, "123456");
    match auth(press(&mut app, KeyCode::Enter)) {
        AuthCommand::ConfirmSignIn {
            response,
            attributes,
        } => {
            assert_eq!(response.expose(), "123456");
            assert!(attributes.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // Esc leaves the field, a second Esc cancels the half-finished sign-in.
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(
        auth(press(&mut app, KeyCode::Esc)),
        AuthCommand::CancelSignIn
    );
    assert_eq!(app.screen, Screen::SignIn);
    assert!(app.challenge.current.is_none());
}

#[test]
fn new_password_required_sends_missing_attributes() {
    let mut app = demo::app();
    app.ctx.last_username = "dave".into();
    let t = demo::transition(
        "signIn",
        None,
        NextStep::SignIn(SignInStep::ConfirmSignInWithNewPasswordRequired {
            missing_attributes: vec!["name".into()],
        }),
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::Transition(t), NOW_MS);
    typ(&mut app, "N3w-Passw0rd");
    // Enter with the attribute still empty is refused.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("name is required")
    );
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Dave Doe");
    match auth(press(&mut app, KeyCode::Enter)) {
        AuthCommand::ConfirmSignIn {
            response,
            attributes,
        } => {
            assert_eq!(response.expose(), "N3w-Passw0rd");
            assert_eq!(attributes.get("name").map(String::as_str), Some("Dave Doe"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn mfa_selection_answers_with_the_chosen_type() {
    let mut app = demo::app();
    let t = demo::transition(
        "signIn",
        None,
        NextStep::SignIn(SignInStep::ContinueSignInWithMfaSelection {
            allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp],
        }),
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::Transition(t), NOW_MS);
    press(&mut app, KeyCode::Right);
    match auth(press(&mut app, KeyCode::Enter)) {
        AuthCommand::ConfirmSignIn { response, .. } => assert_eq!(response.expose(), "TOTP"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn session_keys_refresh_and_sign_out() {
    let mut app = demo::signed_in();
    assert_eq!(app.screen, Screen::Session);
    assert_eq!(
        auth(press(&mut app, KeyCode::Char('r'))),
        AuthCommand::FetchSession {
            force_refresh: true
        }
    );
    assert_eq!(
        auth(press(&mut app, KeyCode::Char('o'))),
        AuthCommand::SignOut { global: false }
    );
    assert_eq!(
        auth(press(&mut app, KeyCode::Char('g'))),
        AuthCommand::SignOut { global: true }
    );
    app.on_auth_event(AuthEvent::Session { session: None }, NOW_MS);
    assert_eq!(app.screen, Screen::SignIn);
    assert!(app.session.view.is_none());
}

#[test]
fn a_call_in_flight_blocks_a_second_submit() {
    let mut app = demo::app();
    typ(&mut app, "alice");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "pw-1");
    auth(press(&mut app, KeyCode::Enter));
    app.on_auth_event(
        AuthEvent::Started {
            api: "signIn".into(),
        },
        NOW_MS,
    );
    typ(&mut app, "pw-1");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("Waiting for signIn")
    );
    app.on_auth_event(
        AuthEvent::Finished {
            api: "signIn".into(),
            ok: false,
        },
        NOW_MS,
    );
    auth(press(&mut app, KeyCode::Enter));
}

#[test]
fn quitting_and_global_keys_do_not_clash_with_typing() {
    let mut app = demo::app();
    // Typing in a field: q and digits are text.
    assert!(typ(&mut app, "q1").is_empty());
    assert_eq!(app.sign_in.form.text("username"), "q1");
    assert_eq!(app.screen, Screen::SignIn);
    // Alt-5 and F-keys switch screens even while typing.
    app.handle_key(KeyEvent::new(KeyCode::Char('5'), KeyModifiers::ALT), NOW_MS);
    assert_eq!(app.screen, Screen::Session);
    // No field on Session: letters are commands.
    assert_eq!(press(&mut app, KeyCode::Char('?')), vec![]);
    assert!(app.help);
    press(&mut app, KeyCode::Esc);
    assert!(!app.help);
    assert_eq!(press(&mut app, KeyCode::Char('q')), vec![Action::Quit]);
    let mut app = demo::app();
    assert_eq!(ctrl(&mut app, 'c'), vec![Action::Quit]);
}

#[test]
fn inspector_selection_moves_between_exchanges() {
    let mut app = demo::signed_in();
    assert_eq!(app.inspected(), Some(2));
    ctrl(&mut app, 'p');
    assert_eq!(app.inspected(), Some(1));
    // A new exchange does not steal the selection back...
    app.on_auth_event(
        AuthEvent::Exchange(demo::exchange(4, "SignUp", NOW_MS)),
        NOW_MS,
    );
    assert_eq!(app.inspected(), Some(1));
    // ...until the user moves back to the newest one.
    ctrl(&mut app, 'n');
    ctrl(&mut app, 'n');
    assert_eq!(app.inspected(), Some(3));
    app.on_auth_event(
        AuthEvent::Exchange(demo::exchange(5, "SignUp", NOW_MS)),
        NOW_MS,
    );
    assert_eq!(app.inspected(), Some(4));
}

#[test]
fn errors_reach_the_status_pane_and_the_screen() {
    let mut app = demo::app();
    app.on_auth_event(
        demo::error(
            "signIn",
            "RespondToAuthChallenge",
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        NOW_MS,
    );
    let f = app.ctx.flash.clone().unwrap();
    assert!(f.error);
    assert!(f.text.contains("Incorrect username or password."));
    assert_eq!(app.ctx.status.entries.len(), 1);
}

#[test]
fn a_closed_actor_is_reported() {
    let mut app = demo::app();
    app.on_auth_event(
        AuthEvent::Started {
            api: "signIn".into(),
        },
        NOW_MS,
    );
    app.note_actor_gone("auth", NOW_MS);
    assert!(app.ctx.in_flight.is_empty());
    assert!(app.ctx.flash.unwrap().text.contains("auth actor stopped"));
}

#[test]
fn forgot_password_runs_the_reset_flow() {
    use cognito_tui::auth::steps::ResetPasswordStep;
    let mut app = demo::app();
    typ(&mut app, "carol");
    // Tab to the "Forgot password" button (username, password, flow, preferred, sign in, forgot).
    for _ in 0..5 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.sign_in.form.focused_id(), Some("forgot"));
    assert_eq!(
        auth(press(&mut app, KeyCode::Enter)),
        AuthCommand::ResetPassword {
            username: "carol".into()
        }
    );
    let t = demo::transition(
        "resetPassword",
        None,
        NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode {
            code_delivery_details: Some(demo::email_delivery()),
        }),
        NOW_MS,
    );
    let a = app.on_auth_event(AuthEvent::Transition(t), NOW_MS);
    assert_eq!(a, vec![Action::Admin(AdminCommand::FetchOutbox)]);
    assert_eq!(app.screen, Screen::Challenge);
    typ(&mut app, "090341");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Brand-New-Pw1");
    match auth(press(&mut app, KeyCode::Enter)) {
        AuthCommand::ConfirmResetPassword {
            username,
            code,
            new_password,
        } => {
            assert_eq!(username, "carol");
            assert_eq!(code, "090341");
            assert_eq!(new_password.expose(), "Brand-New-Pw1");
        }
        other => panic!("{other:?}"),
    }
    let done = demo::transition(
        "confirmResetPassword",
        Some("CONFIRM_RESET_PASSWORD_WITH_CODE"),
        NextStep::ResetPassword(ResetPasswordStep::Done),
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::Transition(done), NOW_MS);
    assert_eq!(app.screen, Screen::SignIn);
    assert_eq!(app.sign_in.form.text("username"), "carol");
}

#[test]
fn user_not_confirmed_at_sign_in_opens_confirm() {
    let mut app = demo::app();
    typ(&mut app, "dave");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "pw-Dave-1");
    auth(press(&mut app, KeyCode::Enter));
    let t = demo::transition(
        "signIn",
        None,
        NextStep::SignIn(SignInStep::ConfirmSignUp),
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::Transition(t), NOW_MS);
    assert_eq!(app.screen, Screen::Confirm);
    assert_eq!(app.confirm.form.text("username"), "dave");
}

#[test]
fn copy_keys_put_codes_and_redacted_calls_on_the_clipboard() {
    let mut app = demo::signed_in();
    press(&mut app, KeyCode::F(7));
    assert_eq!(
        press(&mut app, KeyCode::Char('y')),
        vec![Action::Copy("734912".into())]
    );
    let mut x = demo::exchange(9, "SignUp", NOW_MS);
    x.request["Password"] = serde_json::json!("Leaked-Pw-1");
    app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    match press(&mut app, KeyCode::Char('c')).as_slice() {
        [Action::Copy(json)] => {
            assert!(json.contains("\"operation\": \"SignUp\""), "{json}");
            assert!(!json.contains("Leaked-Pw-1"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn after_sign_out_the_username_is_ready_for_the_next_sign_in() {
    let mut app = demo::signed_in();
    app.sign_in.form.clear("username");
    app.on_auth_event(AuthEvent::Session { session: None }, NOW_MS);
    assert_eq!(app.screen, Screen::SignIn);
    assert_eq!(app.sign_in.form.text("username"), "alice");
}

#[test]
fn outbox_reads_do_not_take_over_the_inspector() {
    let mut app = demo::signed_in();
    let before = app.inspector.exchanges.len();
    let mut x = demo::exchange(10, "SignUp", NOW_MS);
    x.operation = "GET /_local/outbox".into();
    app.on_admin_event(AdminEvent::Exchange(x), NOW_MS);
    assert_eq!(app.inspector.exchanges.len(), before);
    let mut x = demo::exchange(11, "SignUp", NOW_MS);
    x.operation = "ListUsers".into();
    app.on_admin_event(AdminEvent::Exchange(x), NOW_MS);
    assert_eq!(
        app.inspector.exchanges.last().unwrap().operation,
        "ListUsers"
    );
}
