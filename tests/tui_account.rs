//! The Account screen drawn at 80×24 and driven by keys (TestBackend, fixed clock): attributes
//! with their verified flags and MFA settings, the confirm form after an email change with the
//! code taken from the outbox, the password form's masking, the TOTP setup's secret, and the
//! typed confirmation before deleteUser.

use cognito_tui::admin::AdminEvent;
use cognito_tui::auth::events::{AccountUpdate, AuthCommand, AuthEvent};
use cognito_tui::auth::steps::TotpSetupDetails;
use cognito_tui::tui::app::Action;
use cognito_tui::tui::demo::{self, NOW_MS, render, text};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut cognito_tui::tui::app::App, code: KeyCode) -> Vec<Action> {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS)
}

fn ctrl(app: &mut cognito_tui::tui::app::App, c: char) -> Vec<Action> {
    app.handle_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        NOW_MS,
    )
}

fn typed(app: &mut cognito_tui::tui::app::App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn sent(actions: &[Action]) -> Vec<&AuthCommand> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Auth(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn the_account_reads_whole_at_80x24_and_confirms_the_new_email_from_the_outbox() {
    let mut app = demo::account();
    let screen = text(&render(&app, 80, 24, NOW_MS));
    for needle in [
        "alice  MFA TOTP* EMAIL",
        "email         alice@example.com ✓ verified",
        "phone_number  +15555550100 ✗ unverified",
        "name          Alice Liddell",
        "Code",
        "A code for email went to a***@e***",
    ] {
        assert!(screen.contains(needle), "{needle:?} missing:\n{screen}");
    }
    assert!(
        !screen.contains("email_verified"),
        "flags show beside their attribute:\n{screen}"
    );

    // The code arrives in the outbox; Ctrl-O fills it, Enter confirms.
    app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![demo::outbox_entry(
                "alice",
                "VERIFY_EMAIL",
                "640213",
                "2026-11-28T22:29:59Z",
            )],
        },
        NOW_MS,
    );
    ctrl(&mut app, 'o');
    let actions = key(&mut app, KeyCode::Enter);
    match sent(&actions).as_slice() {
        [AuthCommand::ConfirmUserAttribute { attribute, code }] => {
            assert_eq!(attribute, "email");
            assert_eq!(code.expose(), "640213");
        }
        other => panic!("expected confirmUserAttribute, got {other:?}"),
    }
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(
        !screen.contains("640213"),
        "the code is not shown:\n{screen}"
    );
    app.on_auth_event(
        AuthEvent::Finished {
            api: "confirmUserAttribute".into(),
            ok: true,
        },
        NOW_MS,
    );
    let actions = app.on_auth_event(
        AuthEvent::Account(AccountUpdate::Confirmed {
            attribute: "email".into(),
        }),
        NOW_MS,
    );
    assert!(matches!(
        sent(&actions).as_slice(),
        [AuthCommand::FetchUserAttributes]
    ));
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(screen.contains("email is verified."), "{screen}");
}

#[test]
fn edit_password_totp_and_delete_take_their_forms() {
    let mut app = demo::account();
    key(&mut app, KeyCode::Esc); // leave the code field
    key(&mut app, KeyCode::Esc); // back to the list
    // The list (email, name, phone_number, sub): ↓ to name, e edits it with its value.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('e'));
    for _ in 0.."Alice Liddell".len() {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "Alice L.");
    let actions = key(&mut app, KeyCode::Enter);
    match sent(&actions).as_slice() {
        [AuthCommand::UpdateUserAttributes { attributes }] => {
            assert_eq!(attributes.get("name").map(String::as_str), Some("Alice L."));
        }
        other => panic!("expected updateUserAttributes, got {other:?}"),
    }
    app.on_auth_event(
        AuthEvent::Finished {
            api: "updateUserAttributes".into(),
            ok: true,
        },
        NOW_MS,
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);

    // p: the password form masks what is typed.
    key(&mut app, KeyCode::Char('p'));
    typed(&mut app, "Old-Passw0rd!");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "New-Passw0rd!");
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(!screen.contains("Passw0rd"), "{screen}");
    let actions = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        sent(&actions).as_slice(),
        [AuthCommand::UpdatePassword { .. }]
    ));
    app.on_auth_event(
        AuthEvent::Finished {
            api: "updatePassword".into(),
            ok: true,
        },
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::Account(AccountUpdate::PasswordUpdated), NOW_MS);

    // t: TOTP setup shows the secret and takes a code.
    let actions = key(&mut app, KeyCode::Char('t'));
    assert!(matches!(
        sent(&actions).as_slice(),
        [AuthCommand::SetUpTotp]
    ));
    app.on_auth_event(
        AuthEvent::Finished {
            api: "setUpTOTP".into(),
            ok: true,
        },
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Account(AccountUpdate::TotpSetup {
            details: TotpSetupDetails {
                shared_secret: demo::TOTP_SECRET.into(),
                setup_uri: format!(
                    "otpauth://totp/cognito-tui:alice?secret={}&issuer=cognito-tui",
                    demo::TOTP_SECRET
                ),
            },
        }),
        NOW_MS,
    );
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(screen.contains(&demo::TOTP_SECRET[..20]), "{screen}");
    typed(&mut app, "123456");
    let actions = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        sent(&actions).as_slice(),
        [AuthCommand::VerifyTotpSetup { .. }]
    ));
    app.on_auth_event(
        AuthEvent::Finished {
            api: "verifyTOTPSetup".into(),
            ok: true,
        },
        NOW_MS,
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);

    // D: nothing is sent until the username is typed.
    key(&mut app, KeyCode::Char('D'));
    typed(&mut app, "alic");
    let actions = key(&mut app, KeyCode::Enter);
    assert!(
        sent(&actions).is_empty(),
        "deleteUser sent without the confirmation"
    );
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(screen.contains("Type the username (alice)"), "{screen}");
    typed(&mut app, "e");
    let actions = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        sent(&actions).as_slice(),
        [AuthCommand::DeleteUser]
    ));
}

#[test]
fn sign_up_with_an_empty_password_is_a_passwordless_sign_up_with_auto_sign_in() {
    use cognito_tui::tui::shared::Screen;
    let mut app = demo::app();
    let _ = app.goto(Screen::SignUp);
    typed(&mut app, "nopw");
    key(&mut app, KeyCode::Tab); // the password stays empty
    key(&mut app, KeyCode::Tab);
    let refused = key(&mut app, KeyCode::Enter);
    assert!(
        sent(&refused).is_empty(),
        "no password and no address: nothing to send"
    );
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(screen.contains("Password is required, unless"), "{screen}");
    app.sign_up.form.focus_id("email");
    typed(&mut app, "nopw@example.com");
    let actions = key(&mut app, KeyCode::Enter);
    match sent(&actions).as_slice() {
        [
            AuthCommand::SignUp {
                username,
                password,
                attributes,
                auto_sign_in,
            },
        ] => {
            assert_eq!(username, "nopw");
            assert!(password.is_empty());
            assert_eq!(
                attributes.get("email").map(String::as_str),
                Some("nopw@example.com")
            );
            assert!(
                auto_sign_in,
                "the code's Session is what signs a passwordless user in"
            );
        }
        other => panic!("expected signUp, got {other:?}"),
    }
}

#[test]
fn enter_on_a_verification_code_in_the_outbox_opens_the_account_to_confirm_it() {
    use cognito_tui::tui::shared::Screen;
    let mut app = demo::account();
    app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![demo::outbox_entry(
                "alice",
                "VERIFY_EMAIL",
                "731904",
                "2026-11-28T22:29:59Z",
            )],
        },
        NOW_MS,
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::F(7));
    assert_eq!(app.screen, Screen::Outbox);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Account);
    let actions = key(&mut app, KeyCode::Enter);
    match sent(&actions).as_slice() {
        [AuthCommand::ConfirmUserAttribute { attribute, code }] => {
            assert_eq!(attribute, "email");
            assert_eq!(code.expose(), "731904");
        }
        other => panic!("expected confirmUserAttribute, got {other:?}"),
    }
}
