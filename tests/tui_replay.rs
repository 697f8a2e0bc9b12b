//! The copy popup and the held request's editor, on a TestBackend at 80×24 with a fixed
//! clock: what the keys send, what is drawn, and that no secret is either.

use cognito_tui::auth::events::{AuthCommand, AuthEvent, Release};
use cognito_tui::cognito::CallOrigin;
use cognito_tui::tui::demo::{self, NOW_MS, render, text};
use cognito_tui::tui::{Action, App};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

const PASSWORD: &str = "Correct-Horse-9";

fn press(app: &mut App, code: KeyCode) -> Vec<Action> {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS)
}

fn ctrl(app: &mut App, c: char) -> Vec<Action> {
    app.handle_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        NOW_MS,
    )
}

fn typ(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn password_sign_in() -> serde_json::Value {
    json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"PASSWORD": "***", "USERNAME": "alice"},
        "ClientId": "democlientcognitotui000001",
    })
}

/// A signed-in app whose newest call is a USER_PASSWORD_AUTH InitiateAuth.
fn app_with_password_call() -> App {
    let mut app = demo::signed_in();
    let mut x = demo::exchange(40, "InitiateAuth", NOW_MS - 500);
    x.request = password_sign_in();
    app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    app
}

fn copied(actions: &[Action]) -> String {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Copy(t) => Some(t.clone()),
            _ => None,
        })
        .expect("something was copied")
}

#[test]
fn copy_as_aws_cli_then_curl_is_copied_and_readable_at_80x24() {
    let mut app = app_with_password_call();
    let text_copied = copied(&press(&mut app, KeyCode::Char('C')));
    assert!(
        text_copied.contains("aws cognito-idp initiate-auth"),
        "{text_copied}"
    );
    assert!(text_copied.contains("\"$COGNITO_PASSWORD\""));
    assert!(text_copied.contains("--endpoint-url"));
    assert!(!text_copied.contains("***"));
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(!screen.contains(PASSWORD));
    assert!(
        screen.contains("InitiateAuth as AWS CLI (copied)"),
        "{screen}"
    );
    let flash = app.ctx.flash.clone().expect("a flash line").text;
    assert!(
        flash.contains("Copied InitiateAuth as an AWS CLI command"),
        "{flash}"
    );
    // Every line of the command can be read on screen (long ones wrapped, not cut).
    let flat: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "# export COGNITO_PASSWORD=…",
        "aws cognito-idp initiate-auth \\",
        "--auth-flow USER_PASSWORD_AUTH \\",
        "--client-id democlientcognitotui000001 \\",
        "--region us-east-1 \\",
        "--no-sign-request",
    ] {
        assert!(flat.contains(part), "{part:?} not on screen:\n{screen}");
    }
    let squeezed: String = screen
        .lines()
        .map(|l| l.trim_start_matches('│').trim_end_matches('│'))
        .collect::<String>()
        .replace(' ', "");
    assert!(
        squeezed.contains("\"PASSWORD\":\"'\"$COGNITO_PASSWORD\"'\",\"USERNAME\":\"alice\""),
        "{screen}"
    );

    // Tab: the same call as curl, copied too.
    let curl = copied(&press(&mut app, KeyCode::Tab));
    assert!(curl.starts_with("# export COGNITO_PASSWORD"), "{curl}");
    assert!(curl.contains("X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth"));
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(screen.contains("InitiateAuth as curl (copied)"), "{screen}");
    assert!(screen.contains("X-Amz-Target"), "{screen}");
    press(&mut app, KeyCode::Esc);
    assert!(!text(&render(&app, 80, 24, NOW_MS)).contains("(copied)"));
}

fn held_app() -> App {
    let mut app = demo::signed_in();
    app.ctx.step_mode = true;
    app.on_auth_event(
        AuthEvent::Held {
            api: "signIn".into(),
            operation: "InitiateAuth".into(),
            request: password_sign_in(),
        },
        NOW_MS,
    );
    app
}

#[test]
fn a_held_request_is_edited_checked_and_sent_edited() {
    let mut app = held_app();
    assert!(ctrl(&mut app, 'e').is_empty());
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(screen.contains("Edit the held InitiateAuth"), "{screen}");
    assert!(screen.contains("\"PASSWORD\": \"***\""), "{screen}");
    assert!(screen.contains("^S send"), "{screen}");

    // Not JSON: a clear message, nothing sent, the editor stays.
    typ(&mut app, "x");
    assert!(ctrl(&mut app, 's').is_empty());
    let screen = text(&render(&app, 80, 24, NOW_MS));
    assert!(
        screen.contains("Not valid JSON at line 1, column 1"),
        "{screen}"
    );
    press(&mut app, KeyCode::Backspace);

    // alice → bob on the USERNAME line (the fifth), then send.
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Left);
    for _ in 0.."alice".len() {
        press(&mut app, KeyCode::Backspace);
    }
    typ(&mut app, "bob");
    let actions = ctrl(&mut app, 's');
    let [Action::Auth(AuthCommand::SendEdited { request })] = actions.as_slice() else {
        panic!("{actions:?}");
    };
    assert_eq!(request["AuthParameters"]["USERNAME"], "bob");
    assert_eq!(request["AuthParameters"]["PASSWORD"], "***");
    assert!(!app.replay.is_open());

    // The actor sends it: the inspector and the status pane say it was edited.
    app.on_auth_event(
        AuthEvent::Released {
            api: "signIn".into(),
            operation: "InitiateAuth".into(),
            why: Release::Edited,
        },
        NOW_MS,
    );
    let mut x = demo::exchange(41, "InitiateAuth", NOW_MS - 100);
    x.request = request.clone();
    x.origin = CallOrigin::Edited;
    app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    let screen = text(&render(&app, 120, 40, NOW_MS));
    assert!(screen.contains("✎ edited in step mode"), "{screen}");
    assert!(screen.contains("InitiateAuth #41 sent edited"), "{screen}");
    // The full-width inspector's list marks it too.
    app.inspector.zoom = true;
    let screen = text(&render(&app, 120, 40, NOW_MS));
    assert!(
        screen
            .lines()
            .any(|l| l.contains("200 InitiateAuth") && l.contains('✎')),
        "{screen}"
    );
    app.inspector.zoom = false;

    // Ctrl-R sends the inspected call again.
    let actions = ctrl(&mut app, 'r');
    assert_eq!(
        actions,
        vec![Action::Auth(AuthCommand::Replay { exchange_id: 41 })]
    );
}

#[test]
fn a_refused_edit_keeps_the_request_held_and_the_text() {
    let mut app = held_app();
    ctrl(&mut app, 'e');
    typ(&mut app, " ");
    let actions = ctrl(&mut app, 's');
    assert!(matches!(
        actions.as_slice(),
        [Action::Auth(AuthCommand::SendEdited { .. })]
    ));
    app.on_auth_event(
        AuthEvent::Error(cognito_tui::auth::events::AuthErrorView {
            api: "sendEdited".into(),
            operation: Some("InitiateAuth".into()),
            code: "InvalidEdit".into(),
            message: "InitiateAuth not sent (still held): AuthParameters.X holds a redacted value"
                .into(),
            request_id: None,
        }),
        NOW_MS,
    );
    assert!(app.ctx.held.is_some(), "the request is still held");
    ctrl(&mut app, 'e');
    let edit = app.replay.edit.as_ref().expect("the editor reopens");
    assert!(
        edit.editor.text().starts_with(" {"),
        "the last edit comes back"
    );
    // Esc puts the edit aside; the request stays held, and ^G still sends it as it was.
    press(&mut app, KeyCode::Esc);
    assert!(app.ctx.held.is_some());
    assert_eq!(
        ctrl(&mut app, 'g'),
        vec![Action::Auth(AuthCommand::Step { send: true })]
    );
}

/// On the Users screen `C` stays the Users view's (confirm a sign-up): no popup, nothing copied.
#[test]
fn c_on_the_users_screen_is_not_the_copy() {
    let mut app = app_with_password_call();
    app.goto(cognito_tui::tui::screens::Screen::Users);
    let actions = press(&mut app, KeyCode::Char('C'));
    assert!(
        !actions.iter().any(|a| matches!(a, Action::Copy(_))),
        "{actions:?}"
    );
    assert!(app.replay.copy.is_none());
}
