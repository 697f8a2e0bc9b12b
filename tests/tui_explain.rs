//! The reasons and the glossary on screen, and Ctrl-S inside the app: every error row says
//! what it means (a rate limit, a wrong code to type again), the help overlay scrolls through
//! Cognito's terms at 80×24, and the export prompt hands the run loop the transcript of every
//! event so far, with codes and the TOTP secret hidden.

use cognito_tui::auth::events::AuthEvent;
use cognito_tui::tui::demo::{self, NOW_MS, render, text};
use cognito_tui::tui::{Action, App, export};
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

#[test]
fn an_older_error_keeps_its_reason_under_newer_rows_at_80x24() {
    let mut app = demo::app();
    app.on_auth_event(
        demo::error(
            "signIn",
            "InitiateAuth",
            "TooManyRequestsException",
            "Rate exceeded",
        ),
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Info {
            api: "signIn".into(),
            message: "waiting".into(),
        },
        NOW_MS,
    );
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("↳ rate limit: Cognito throttles"), "{s}");
    // A wrong code is one to type again, and is not blamed on the Session.
    let mut app = demo::app();
    app.on_auth_event(
        demo::error(
            "confirmSignIn",
            "RespondToAuthChallenge",
            "CodeMismatchException",
            "Invalid code received for user",
        ),
        NOW_MS,
    );
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("↳ the code is wrong: type it again"), "{s}");
    assert!(!s.contains("↳ Session"), "{s}");
}

#[test]
fn the_help_glossary_scrolls_to_its_end_at_80x24() {
    let mut app = demo::app();
    press(&mut app, KeyCode::F(9));
    let first = text(&render(&app, 80, 24, NOW_MS));
    assert!(first.contains("Keys and terms — ↓"), "{first}");
    assert!(first.contains("Ctrl-S"), "{first}");
    assert!(!first.contains("x-amzn-RequestId"), "{first}");
    let mut seen = first.clone();
    for _ in 0..20 {
        press(&mut app, KeyCode::PageDown);
        seen.push_str(&text(&render(&app, 80, 24, NOW_MS)));
    }
    let last = text(&render(&app, 80, 24, NOW_MS));
    assert!(last.contains("end (↑ back)"), "{last}");
    for term in [
        "Session",
        "ChallengeParameters",
        "SECRET_BLOCK",
        "SRP_A / SRP_B",
        "SECRET_HASH",
        "origin_jti",
        "USER_AUTH",
        "PreventUserExistenceErrors",
        "x-amzn-RequestId",
    ] {
        assert!(seen.contains(term), "{term} never shown");
    }
    // Nothing is cut at the right edge: every row of the overlay ends inside its border.
    for l in last.lines().filter(|l| l.starts_with(" │")) {
        assert!(l.trim_end().ends_with('│'), "{l}");
    }
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Esc);
    assert!(!app.help);
    // Opened again, it starts at the top.
    press(&mut app, KeyCode::F(9));
    assert_eq!(app.help_scroll, 0);
}

#[test]
fn ctrl_s_prompts_for_a_path_and_hands_over_the_redacted_transcript() {
    let mut app = demo::app();
    app.on_auth_event(
        AuthEvent::Started {
            api: "signIn".into(),
        },
        NOW_MS,
    );
    app.on_auth_event(AuthEvent::Transition(demo::totp_setup(NOW_MS)), NOW_MS);
    app.on_auth_event(
        demo::error(
            "confirmSignIn",
            "VerifySoftwareToken",
            "EnableSoftwareTokenMFAException",
            "Code mismatch",
        ),
        NOW_MS,
    );
    assert!(ctrl(&mut app, 's').is_empty());
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("Export the transcript"), "{s}");
    assert!(
        s.contains("transcript-"),
        "the default path is filled in:\n{s}"
    );
    // Keys go to the prompt, not to the screen behind it.
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.should_quit);
    ctrl(&mut app, 'u');
    for c in "/tmp/lesson.md".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let actions = press(&mut app, KeyCode::Enter);
    assert!(app.export.is_none());
    let [Action::Export { path, transcript }] = actions.as_slice() else {
        panic!("{actions:?}");
    };
    assert_eq!(path, std::path::Path::new("/tmp/lesson.md"));
    assert_eq!(transcript.entries.len(), 3);
    assert_eq!(transcript.target.user_pool_id, demo::POOL_ID);
    let json = transcript.to_json().to_string();
    assert!(!json.contains(demo::TOTP_SECRET), "{json}");
    assert!(json.contains("CONTINUE_SIGN_IN_WITH_TOTP_SETUP"), "{json}");
    assert!(
        json.contains("the authenticator-app code did not verify"),
        "{json}"
    );
    // Esc closes the prompt without writing anything.
    ctrl(&mut app, 's');
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.export.is_none());

    // The run loop's answer: the flash and a status row say where the files went.
    let out = cognito_tui::transcript::paths_for(std::path::Path::new("/tmp/lesson.md"));
    export::written(Ok(out), &mut app.ctx, NOW_MS);
    let s = text(&render(&app, 100, 30, NOW_MS));
    assert!(s.contains("Transcript written to /tmp/lesson.md"), "{s}");
    assert!(s.contains("/tmp/lesson.json"), "{s}");
    export::written(
        Err("cannot write /x.md: the disk is full".into()),
        &mut app.ctx,
        NOW_MS,
    );
    let s = text(&render(&app, 100, 30, NOW_MS));
    assert!(
        s.contains("Transcript not written: cannot write /x.md: the disk"),
        "{s}"
    );
    assert!(s.contains("ExportFailed"), "{s}");
}
