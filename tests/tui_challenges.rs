//! The screens for every challenge step, the pool settings screen and step mode: what each
//! shows at 80×24 and 120×40, and which command each key sends (fixed clock, no IO).

use std::collections::BTreeMap;

use cognito_tui::admin::{AdminCommand, AdminEvent, SettingsError};
use cognito_tui::auth::events::{AuthCommand, AuthEvent};
use cognito_tui::auth::steps::{MfaType, NextStep, ResetPasswordStep, SignInStep};
use cognito_tui::tui::demo::{self, NOW_MS, render, text};
use cognito_tui::tui::screens::Screen;
use cognito_tui::tui::{Action, App};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn typ(app: &mut App, s: &str) -> Vec<Action> {
    let mut out = Vec::new();
    for c in s.chars() {
        out.extend(app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), NOW_MS));
    }
    out
}

fn press(app: &mut App, code: KeyCode) -> Vec<Action> {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS)
}

fn ctrl(app: &mut App, c: char) -> Vec<Action> {
    app.handle_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        NOW_MS,
    )
}

fn screen(app: &App, w: u16, h: u16) -> String {
    text(&render(app, w, h, NOW_MS))
}

/// alice is on `step` (the Challenge screen).
fn on_step(t: cognito_tui::auth::events::Transition) -> App {
    let mut app = demo::app();
    app.ctx.last_username = "alice".into();
    app.on_auth_event(AuthEvent::Transition(t), NOW_MS);
    assert_eq!(app.screen, Screen::Challenge);
    app
}

fn confirm_sign_in(actions: &[Action]) -> (String, BTreeMap<String, String>) {
    match actions {
        [
            Action::Auth(AuthCommand::ConfirmSignIn {
                response,
                attributes,
            }),
        ] => (response.expose().to_string(), attributes.clone()),
        other => panic!("expected one confirmSignIn, got {other:?}"),
    }
}

#[test]
fn totp_setup_shows_secret_uri_and_a_qr_code_that_fits() {
    let mut app = on_step(demo::totp_setup(NOW_MS - 2_000));
    let wide = screen(&app, 120, 40);
    assert!(wide.contains("CONTINUE_SIGN_IN_WITH_TOTP_SETUP"), "{wide}");
    assert!(wide.contains("Scan with an authenticator app"), "{wide}");
    assert!(wide.contains('▀') && wide.contains('█'), "{wide}");
    // The secret is on screen whole (it wraps at the pane edge if it must).
    let joined: String = wide.lines().map(|l| l.trim_end_matches('│')).collect();
    assert!(joined.contains(&demo::TOTP_SECRET[..30]), "{wide}");
    assert!(wide.contains("otpauth://totp/"), "{wide}");
    assert!(wide.contains("MFA_SETUP"));

    // 80×24 has no room beside the form: the screen says how to see it.
    let small = screen(&app, 80, 24);
    assert!(!small.contains("Scan with an authenticator app"), "{small}");
    assert!(small.contains("^V full screen"), "{small}");
    // Ctrl-V draws it over the whole terminal, which an otpauth URI's code fits.
    assert!(ctrl(&mut app, 'v').is_empty());
    let full = screen(&app, 80, 24);
    assert!(full.contains("Scan with an authenticator app"), "{full}");
    assert!(full.contains('█'), "{full}");
    assert!(
        !full.contains("F1 Sign up"),
        "the QR covers the screen:\n{full}"
    );
    // Too small even for that: it says how large the terminal must be.
    let tiny = screen(&app, 40, 16);
    assert!(tiny.contains("Enlarge the terminal"), "{tiny}");
    // Any key closes it and is not typed.
    assert!(press(&mut app, KeyCode::Char('1')).is_empty());
    assert!(!screen(&app, 80, 24).contains("any key closes"));
    assert_eq!(
        app.challenge.current.as_ref().unwrap().form.text("code"),
        ""
    );

    // Ctrl-Y copies the otpauth URI (OSC 52).
    match ctrl(&mut app, 'y').as_slice() {
        [Action::Copy(uri)] => assert!(uri.starts_with("otpauth://totp/cognito-tui:alice?secret=")),
        other => panic!("{other:?}"),
    }
    // The code from the app answers the step.
    typ(&mut app, "123456");
    let (code, _) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
    assert_eq!(code, "123456");
}

#[test]
fn code_steps_show_medium_and_masked_destination_and_take_the_outbox_code() {
    let t = demo::step(
        SignInStep::ConfirmSignInWithEmailCode {
            code_delivery_details: Some(demo::email_delivery()),
        },
        "EMAIL_OTP",
        &[
            ("CODE_DELIVERY_DELIVERY_MEDIUM", "EMAIL"),
            ("CODE_DELIVERY_DESTINATION", "a***@e***.com"),
        ],
        NOW_MS - 5_000,
        0,
    );
    let mut app = on_step(t);
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(
            s.contains("Code sent by EMAIL to a***@e***.com"),
            "{w}x{h}\n{s}"
        );
        assert!(s.contains("^O fills it in"), "{w}x{h}\n{s}");
    }
    // Not in the outbox the app has read: Ctrl-O reads it again, and the code that
    // arrives is filled in (an older code of alice's, from before this step, is not).
    assert_eq!(
        ctrl(&mut app, 'o'),
        vec![Action::Admin(AdminCommand::FetchOutbox)]
    );
    app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![
                demo::outbox_entry("alice", "SIGN_UP", "111111", "2026-11-28T22:20:00Z"),
                demo::outbox_entry("alice", "MFA", "000000", "2026-11-28T22:21:00Z"),
                demo::outbox_entry("bob", "MFA", "222222", "2026-11-28T22:29:58Z"),
                demo::outbox_entry("alice", "MFA", "482913", "2026-11-28T22:29:55Z"),
            ],
        },
        NOW_MS,
    );
    let (code, _) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
    assert_eq!(code, "482913");
    // Only stale codes: a clear message, nothing filled in, no endless re-reading.
    let mut app = on_step(demo::step(
        SignInStep::ConfirmSignInWithSmsCode {
            code_delivery_details: None,
        },
        "SMS_MFA",
        &[],
        NOW_MS - 5_000,
        0,
    ));
    assert_eq!(
        ctrl(&mut app, 'o'),
        vec![Action::Admin(AdminCommand::FetchOutbox)]
    );
    let out = app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![demo::outbox_entry(
                "alice",
                "MFA",
                "000000",
                "2026-11-28T22:21:00Z",
            )],
        },
        NOW_MS,
    );
    assert!(out.is_empty());
    assert!(app.ctx.flash.as_ref().unwrap().error);
    assert!(screen(&app, 120, 40).contains("No MFA/EMAIL_OTP/SMS_OTP code for alice"));
    assert_eq!(
        app.challenge.current.as_ref().unwrap().form.text("code"),
        ""
    );
}

#[test]
fn totp_code_step_does_not_offer_the_outbox() {
    let mut app = on_step(demo::step(
        SignInStep::ConfirmSignInWithTotpCode,
        "SOFTWARE_TOKEN_MFA",
        &[],
        NOW_MS,
        0,
    ));
    let s = screen(&app, 80, 24);
    assert!(s.contains("authenticator app"), "{s}");
    assert!(!s.contains("^O fills it in"), "{s}");
    ctrl(&mut app, 'o');
    assert!(
        app.ctx
            .flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("authenticator app"))
    );
}

#[test]
fn mfa_selection_lists_each_type_and_sends_the_choice() {
    for (step, heading) in [
        (
            SignInStep::ContinueSignInWithMfaSelection {
                allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp, MfaType::Email],
            },
            "which MFA to use",
        ),
        (
            SignInStep::ContinueSignInWithMfaSetupSelection {
                allowed_mfa_types: vec![MfaType::Totp, MfaType::Email],
            },
            "MFA is required and you have none",
        ),
    ] {
        let mut app = on_step(demo::step(step, "SELECT_MFA_TYPE", &[], NOW_MS, 0));
        for (w, h) in SIZES {
            let s = screen(&app, w, h);
            assert!(s.contains(heading), "{w}x{h}\n{s}");
            assert!(
                s.contains("TOTP  a code from an authenticator app"),
                "{w}x{h}\n{s}"
            );
            assert!(s.contains("EMAIL a code by email"), "{w}x{h}\n{s}");
        }
        press(&mut app, KeyCode::Right);
        let (choice, _) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
        assert!(choice == "TOTP" || choice == "EMAIL", "{choice}");
        assert_ne!(choice, "SMS");
    }
}

#[test]
fn first_factor_selection_explains_and_refuses_web_authn() {
    let mut app = on_step(demo::step(
        SignInStep::ContinueSignInWithFirstFactorSelection {
            available_challenges: vec![
                "WEB_AUTHN".into(),
                "PASSWORD_SRP".into(),
                "EMAIL_OTP".into(),
            ],
        },
        "SELECT_CHALLENGE",
        &[],
        NOW_MS,
        0,
    ));
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("PASSWORD_SRP the password, proven with SRP"),
        "{s}"
    );
    assert!(s.contains("a terminal cannot perform"), "{s}");
    // WEB_AUTHN (the first option) is refused with the reason; nothing is sent.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let f = app.ctx.flash.clone().unwrap();
    assert!(f.error && f.text.contains("passkey"), "{f:?}");
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    let (choice, _) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
    assert_eq!(choice, "EMAIL_OTP");
}

#[test]
fn new_password_has_a_field_per_missing_attribute() {
    let mut app = on_step(demo::step(
        SignInStep::ConfirmSignInWithNewPasswordRequired {
            missing_attributes: vec!["name".into(), "phone_number".into()],
        },
        "NEW_PASSWORD_REQUIRED",
        &[
            (
                "requiredAttributes",
                "[\"userAttributes.name\",\"userAttributes.phone_number\"]",
            ),
            ("userAttributes", "{\"email\":\"alice@example.com\"}"),
        ],
        NOW_MS,
        0,
    ));
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(s.contains("New password"), "{s}");
        assert!(s.contains("phone_number"), "{s}");
        assert!(s.contains("requiredAttributes"), "{w}x{h}\n{s}");
    }
    typ(&mut app, "N3w-Passw0rd!");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Alice");
    // phone_number missing: refused, says which.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("phone_number")
    );
    assert!(!screen(&app, 120, 40).contains("N3w-Passw0rd!"));
    app.challenge
        .current
        .as_mut()
        .unwrap()
        .form
        .focus_id("attr:phone_number");
    typ(&mut app, "+15555550100");
    let (pw, attrs) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
    assert_eq!(pw, "N3w-Passw0rd!");
    assert_eq!(attrs["name"], "Alice");
    assert_eq!(attrs["phone_number"], "+15555550100");
}

#[test]
fn custom_challenge_shows_every_parameter() {
    let mut t = demo::step(
        SignInStep::ConfirmSignInWithCustomChallenge {
            additional_info: BTreeMap::from([
                ("question".to_string(), "Capital of France?".to_string()),
                ("hint".to_string(), "starts with P".to_string()),
            ]),
        },
        "CUSTOM_CHALLENGE",
        &[
            ("question", "Capital of France?"),
            ("hint", "starts with P"),
        ],
        NOW_MS,
        0,
    );
    t.challenge_parameters
        .insert("USERNAME".into(), "alice".into());
    let mut app = on_step(t);
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(s.contains("question Capital of France?"), "{w}x{h}\n{s}");
        assert!(s.contains("hint starts with P"), "{w}x{h}\n{s}");
        assert!(s.contains("USERNAME alice"), "{w}x{h}\n{s}");
    }
    typ(&mut app, "Paris");
    let (answer, _) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
    assert_eq!(answer, "Paris");
}

#[test]
fn reset_password_takes_code_and_new_password() {
    let mut app = demo::app();
    app.ctx.last_username = "alice".into();
    app.on_auth_event(
        AuthEvent::Transition(demo::transition(
            "resetPassword",
            None,
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode {
                code_delivery_details: Some(demo::email_delivery()),
            }),
            NOW_MS,
        )),
        NOW_MS,
    );
    let s = screen(&app, 80, 24);
    assert!(s.contains("CONFIRM_RESET_PASSWORD_WITH_CODE"), "{s}");
    assert!(s.contains("Code sent by EMAIL to a***@e***.com"), "{s}");
    app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![demo::outbox_entry(
                "alice",
                "FORGOT_PASSWORD",
                "774411",
                "2026-11-28T22:29:59Z",
            )],
        },
        NOW_MS,
    );
    ctrl(&mut app, 'o');
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Fresh-Passw0rd!");
    match press(&mut app, KeyCode::Enter).as_slice() {
        [
            Action::Auth(AuthCommand::ConfirmResetPassword {
                username,
                code,
                new_password,
            }),
        ] => {
            assert_eq!(username, "alice");
            assert_eq!(code, "774411");
            assert_eq!(new_password.expose(), "Fresh-Passw0rd!");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_pane_shows_session_age_against_its_window_and_ties_stale_errors_to_it() {
    // Reached 2:50 into the Session's life, answered 20 s later: expired.
    let mut app = on_step(demo::step(
        SignInStep::ConfirmSignInWithTotpCode,
        "SOFTWARE_TOKEN_MFA",
        &[],
        NOW_MS - 20_000,
        170_000,
    ));
    let s = screen(&app, 120, 40);
    assert!(s.contains("Session AYABeC7r…(912 chars) 2:50/3:00"), "{s}");
    assert!(
        s.contains("↳ Cognito answered with SOFTWARE_TOKEN_MFA"),
        "{s}"
    );
    app.on_auth_event(
        demo::error(
            "confirmSignIn",
            "RespondToAuthChallenge",
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
        ),
        NOW_MS,
    );
    let s = screen(&app, 120, 40);
    // The row right under the error names the Session it used and why it failed.
    let rows: Vec<&str> = s.lines().collect();
    let at = rows
        .iter()
        .position(|l| l.contains("ERROR confirmSignIn"))
        .unwrap_or_else(|| panic!("{s}"));
    // The error wraps onto a second row; the Session row comes right after it.
    let at = at + 1;
    assert!(
        rows[at + 1].contains("↳ Session AYABeC7r…(912 chars) expired (3:10 old, lives 3:00)"),
        "{s}"
    );
    assert!(
        rows[at + 1].contains("a Session answers one challenge, once"),
        "{s}"
    );
    // A reused Session, still young, is named the same way.
    let mut app2 = on_step(demo::step(
        SignInStep::ConfirmSignInWithTotpCode,
        "SOFTWARE_TOKEN_MFA",
        &[],
        NOW_MS - 20_000,
        0,
    ));
    app2.on_auth_event(
        demo::error(
            "confirmSignIn",
            "RespondToAuthChallenge",
            "NotAuthorizedException",
            "Invalid session for the user, session can only be used once.",
        ),
        NOW_MS,
    );
    assert!(screen(&app2, 120, 40).contains("0:20 old of 3:00, already used"));
    // A wrong code on a live Session is not blamed on the Session.
    let mut app3 = on_step(demo::step(
        SignInStep::ConfirmSignInWithTotpCode,
        "SOFTWARE_TOKEN_MFA",
        &[],
        NOW_MS - 20_000,
        0,
    ));
    app3.on_auth_event(
        demo::error(
            "confirmSignIn",
            "RespondToAuthChallenge",
            "CodeMismatchException",
            "Invalid code received for user",
        ),
        NOW_MS,
    );
    assert!(!screen(&app3, 120, 40).contains("↳ Session"));
    // The pool's AuthSessionValidity, once read, is the window shown.
    let mut settings = demo::pool_settings();
    settings.client.as_mut().unwrap().auth_session_validity = Some(5);
    app.on_admin_event(AdminEvent::PoolSettings { settings }, NOW_MS);
    assert!(screen(&app, 120, 40).contains("2:50/5:00"));
}

#[test]
fn pool_settings_screen_reads_shows_and_edits_mfa() {
    let mut app = demo::app();
    let actions = app.goto(Screen::Pool);
    assert_eq!(
        actions,
        vec![Action::Admin(AdminCommand::FetchPoolSettings)]
    );
    assert!(screen(&app, 80, 24).contains("Reading DescribeUserPool"));
    app.on_admin_event(
        AdminEvent::PoolSettings {
            settings: demo::pool_settings(),
        },
        NOW_MS,
    );
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(s.contains("F8 Pool"), "{w}x{h}\n{s}");
        assert!(s.contains("‹ OPTIONAL ›"), "{w}x{h}\n{s}");
        assert!(s.contains("Pool says: MFA OPTIONAL"), "{w}x{h}\n{s}");
    }
    let s = screen(&app, 120, 40);
    assert!(s.contains("Auto-verified: email"), "{s}");
    assert!(
        s.contains("DefineAuthChallenge examples/triggers/question_answer.py"),
        "{s}"
    );
    assert!(s.contains("PreventUserExistenceErrors: ENABLED"), "{s}");
    assert!(s.contains("Auto-confirm: no"), "{s}");
    assert!(s.contains("AuthSessionValidity: 3 min"), "{s}");

    // e edits: ON, SMS off, TOTP stays, Apply.
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    // The change is for the whole pool: the first Enter asks, the second sends.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("every user of the pool")
    );
    match press(&mut app, KeyCode::Enter).as_slice() {
        [
            Action::Admin(AdminCommand::SetPoolMfa {
                mode,
                sms,
                totp,
                email,
            }),
        ] => {
            assert_eq!(mode, "ON");
            assert!(!sms && *totp && !email);
        }
        other => panic!("{other:?}"),
    }
    // ON without any method is refused before it is sent.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("at least one method")
    );
    // r reloads when no field has focus.
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        press(&mut app, KeyCode::Char('r')),
        vec![Action::Admin(AdminCommand::FetchPoolSettings)]
    );
}

#[test]
fn pool_settings_errors_are_shown_in_place() {
    let mut app = demo::app();
    app.goto(Screen::Pool);
    let mut settings = demo::pool_settings();
    settings.mfa = None;
    settings.errors.push(SettingsError {
        operation: "GetUserPoolMfaConfig".into(),
        code: "InvalidParameterException".into(),
        message: "Unknown operation GetUserPoolMfaConfig".into(),
    });
    app.on_admin_event(AdminEvent::PoolSettings { settings }, NOW_MS);
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(s.contains("GetUserPoolMfaConfig failed:"), "{w}x{h}\n{s}");
        assert!(s.contains("InvalidParameterException"), "{w}x{h}\n{s}");
    }
    // A refused SetUserPoolMfaConfig stays on screen until the next Apply.
    app.on_admin_event(
        AdminEvent::Error {
            operation: "SetUserPoolMfaConfig".into(),
            code: "InvalidParameterException".into(),
            message: "Invalid MFA configuration given".into(),
        },
        NOW_MS,
    );
    app.on_admin_event(
        AdminEvent::PoolSettings {
            settings: demo::pool_settings(),
        },
        NOW_MS,
    );
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("SetUserPoolMfaConfig failed: InvalidParameterException"),
        "{s}"
    );

    // Against AWS the screen says it is for the embedded pool and sends nothing.
    let mut aws = App::new(
        demo::target(),
        false,
        None,
        cognito_tui::tui::theme::Theme::default(),
    );
    assert!(aws.goto(Screen::Pool).is_empty());
    assert!(screen(&aws, 120, 40).contains("shown for the embedded pool only"));
}

#[test]
fn step_mode_holds_requests_in_the_inspector_until_sent() {
    let mut app = demo::after_sign_up();
    assert_eq!(
        ctrl(&mut app, 't'),
        vec![Action::Auth(AuthCommand::SetStepMode { on: true })]
    );
    assert!(screen(&app, 120, 40).contains(" STEP "));
    app.on_auth_event(
        AuthEvent::Started {
            api: "signIn".into(),
        },
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Held {
            api: "signIn".into(),
            operation: "InitiateAuth".into(),
            request: serde_json::json!({
                "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"SRP_A": "4f1c…(768 chars)", "USERNAME": "alice"},
                "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
            }),
        },
        NOW_MS,
    );
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(s.contains("InitiateAuth held"), "{w}x{h}\n{s}");
    }
    let s = screen(&app, 120, 40);
    assert!(s.contains("Held: InitiateAuth"), "{s}");
    assert!(s.contains("\"AuthFlow\": \"USER_SRP_AUTH\""), "{s}");
    assert!(s.contains("Ctrl-G sends it"), "{s}");
    // Other commands wait.
    app.goto(Screen::SignIn);
    app.sign_in.form.set_text("username", "alice");
    app.sign_in.form.set_text("password", "Correct-Horse-9");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("held in step mode")
    );
    assert_eq!(
        ctrl(&mut app, 'g'),
        vec![Action::Auth(AuthCommand::Step { send: true })]
    );
    assert!(app.ctx.held.is_none());
    // Nothing held: Ctrl-G says so instead of sending.
    assert!(ctrl(&mut app, 'g').is_empty());
    assert_eq!(
        ctrl(&mut app, 't'),
        vec![Action::Auth(AuthCommand::SetStepMode { on: false })]
    );
}

#[test]
fn custom_challenge_code_comes_from_the_outbox() {
    let mut app = on_step(demo::step(
        SignInStep::ConfirmSignInWithCustomChallenge {
            additional_info: BTreeMap::from([("medium".to_string(), "EMAIL".to_string())]),
        },
        "CUSTOM_CHALLENGE",
        &[("medium", "EMAIL")],
        NOW_MS,
        0,
    ));
    app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![
                demo::outbox_entry("alice", "MFA", "111111", "2026-11-28T22:20:00Z"),
                demo::outbox_entry(
                    "alice",
                    "CUSTOM_CHALLENGE",
                    "905112",
                    "2026-11-28T22:29:59Z",
                ),
            ],
        },
        NOW_MS,
    );
    assert!(screen(&app, 80, 24).contains("^O fills it in"));
    ctrl(&mut app, 'o');
    let (answer, _) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
    assert_eq!(answer, "905112");
}

#[test]
fn email_setup_asks_for_an_address() {
    let mut app = on_step(demo::step(
        SignInStep::ContinueSignInWithEmailSetup,
        "MFA_SETUP",
        &[("MFAS_CAN_SETUP", "[\"EMAIL_OTP\"]")],
        NOW_MS,
        0,
    ));
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(s.contains("CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"), "{s}");
        assert!(
            s.contains("Enter the email address codes go to"),
            "{w}x{h}\n{s}"
        );
    }
    typ(&mut app, "not-an-address");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.ctx
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("not an email address")
    );
    let f = &mut app.challenge.current.as_mut().unwrap().form;
    f.set_text("email", "alice@example.com");
    let (email, _) = confirm_sign_in(&press(&mut app, KeyCode::Enter));
    assert_eq!(email, "alice@example.com");
}

#[test]
fn sign_in_screen_shows_step_mode() {
    let mut app = demo::app();
    assert!(screen(&app, 80, 24).contains("Step mode off (^T)"));
    ctrl(&mut app, 't');
    assert!(screen(&app, 80, 24).contains("Step mode on (^T)"));
}
