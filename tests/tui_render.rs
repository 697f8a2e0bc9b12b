//! Render tests on a TestBackend with a fixed clock: what each screen shows at 80×24 and
//! 120×40, the styles that carry meaning, secrets never drawn, and no panic at any size.

use cognito_tui::admin::AdminEvent;
use cognito_tui::auth::events::AuthEvent;
use cognito_tui::tui::App;
use cognito_tui::tui::demo::{self, NOW_MS, find, render, text};
use cognito_tui::tui::screens::Screen;
use cognito_tui::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const PASSWORD: &str = "Correct-Horse-9";

fn typ(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), NOW_MS);
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS);
}

fn cell_at<'a>(buf: &'a Buffer, needle: &str) -> &'a ratatui::buffer::Cell {
    let (x, y) =
        find(buf, needle).unwrap_or_else(|| panic!("{needle:?} not drawn:\n{}", text(buf)));
    &buf[(x, y)]
}

fn sign_up_typed() -> App {
    let mut app = demo::app();
    app.goto(Screen::SignUp);
    typ(&mut app, "alice");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, PASSWORD);
    app
}

fn users_app() -> App {
    let mut app = demo::signed_in();
    app.goto(Screen::Users);
    app.on_admin_event(
        AdminEvent::UsersPage {
            filter: None,
            request_token: None,
            users: demo::users(60),
            next_token: Some("page-2".into()),
        },
        NOW_MS,
    );
    app
}

fn challenge_app() -> App {
    let mut app = demo::after_sign_up();
    app.on_auth_event(
        AuthEvent::Transition(demo::sms_challenge(NOW_MS - 14_000)),
        NOW_MS,
    );
    app
}

#[test]
fn sign_up_masks_the_password_at_both_sizes() {
    let app = sign_up_typed();
    for (w, h) in [(80, 24), (120, 40)] {
        let buf = render(&app, w, h, NOW_MS);
        let s = text(&buf);
        assert!(!s.contains(PASSWORD), "password drawn at {w}x{h}:\n{s}");
        assert!(s.contains(&"•".repeat(PASSWORD.len())));
        assert!(s.contains("Username      alice"));
        assert!(s.contains("Auto sign-in  [ ]"));
        assert!(s.contains("[ Sign up ]"));
        assert!(s.contains("F1 Sign up"));
        assert!(s.contains("embedded pool us-east-1_DemoPool1"));
        assert!(s.contains("not signed in"));
        // The active tab is highlighted.
        assert_eq!(cell_at(&buf, " Sign up ").bg, Color::Yellow);
    }
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(s.contains("embedded pool us-east-1_DemoPool1 @ http://127.0.0.1:41234"));
}

#[test]
fn confirm_screen_shows_delivery_and_the_outbox_code() {
    let app = demo::after_sign_up();
    let buf = render(&app, 80, 24, NOW_MS);
    let s = text(&buf);
    assert!(s.contains("Code sent by EMAIL to a***@e***.com"), "{s}");
    assert!(s.contains("Outbox: 734912 for alice"));
    let code = cell_at(&buf, "734912");
    assert!(code.modifier.contains(Modifier::BOLD));
    assert_eq!(code.fg, Color::Yellow);
    // The status pane logs the step with its operation and latency.
    assert!(s.contains("signUp — → CONFIRM_SIGN_UP  SignUp 38ms"));
    insta::assert_snapshot!("confirm_80x24", s);
}

#[test]
fn sign_in_screen_lists_the_flows() {
    let mut app = demo::app();
    typ(&mut app, "alice");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, PASSWORD);
    let buf = render(&app, 80, 24, NOW_MS);
    let s = text(&buf);
    assert!(!s.contains(PASSWORD));
    assert!(s.contains("Flow          ‹ USER_SRP_AUTH ›"));
    assert!(s.contains("[ Sign in ]"));
    insta::assert_snapshot!("sign_in_80x24", s);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(s.contains("‹ USER_PASSWORD_AUTH ›"));
    assert!(s.contains("InitiateAuth with the password itself"));
}

#[test]
fn challenge_screen_shows_step_parameters_and_session_age() {
    let app = challenge_app();
    let buf = render(&app, 120, 40, NOW_MS);
    let s = text(&buf);
    assert!(
        s.contains("CONFIRM_SIGN_IN_WITH_SMS_CODE  for alice"),
        "{s}"
    );
    assert!(s.contains("Code sent by SMS to +*******0100"));
    assert!(s.contains("ChallengeName SMS_MFA"));
    assert!(s.contains("CODE_DELIVERY_DESTINATION +*******0100"));
    assert!(s.contains("Session AYABeBxq…(920 chars)  age 0:14  expires in 2:46"));
    assert_eq!(
        cell_at(&buf, "CONFIRM_SIGN_IN_WITH_SMS_CODE  for").fg,
        Color::Magenta
    );
    // Three minutes later the Session is shown expired, in red.
    let later = render(&app, 120, 40, NOW_MS + 170_000);
    let s = text(&later);
    assert!(s.contains("expired 0:04 ago"), "{s}");
    assert_eq!(cell_at(&later, "expired 0:04 ago").fg, Color::Red);
    insta::assert_snapshot!("challenge_80x24", text(&render(&app, 80, 24, NOW_MS)));
}

#[test]
fn challenge_screen_without_a_challenge_says_so() {
    let mut app = demo::app();
    app.goto(Screen::Challenge);
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("No challenge is pending."));
}

#[test]
fn session_screen_shows_claims_and_counts_down() {
    let app = demo::signed_in();
    let buf = render(&app, 120, 40, NOW_MS);
    let s = text(&buf);
    assert!(s.contains("Signed in as alice  USER_SRP_AUTH"), "{s}");
    assert!(s.contains("cognito:username alice"));
    assert!(s.contains("expires in 55:28"));
    assert!(s.contains("eyJraWQi…(1043 chars)"));
    // The claims scroll: the access token's come into view under the ID token's (each claim
    // with its line of meaning).
    let mut scrolled = demo::signed_in();
    for _ in 0..27 {
        press(&mut scrolled, KeyCode::Down);
    }
    let s2 = text(&render(&scrolled, 120, 40, NOW_MS));
    assert!(s2.contains("Access token claims"), "{s2}");
    assert!(
        s2.contains("scope      aws.cognito.signin.user.admin"),
        "{s2}"
    );
    assert!(s.contains("● alice"));
    assert_eq!(cell_at(&buf, "expires in 55:28").fg, Color::Green);
    // One second later the countdown moved.
    assert!(text(&render(&app, 120, 40, NOW_MS + 1000)).contains("expires in 55:27"));
    // After expiry: red.
    let late = render(&app, 120, 40, NOW_MS + 3_600_000);
    assert_eq!(cell_at(&late, "expired 4:32 ago").fg, Color::Red);
    // The status pane logs sign-up, confirmation and sign-in.
    let status: Vec<&str> = s.lines().filter(|l| l.contains(" → ")).collect();
    assert!(
        status
            .iter()
            .any(|l| l.contains("signUp — → CONFIRM_SIGN_UP"))
    );
    assert!(
        status
            .iter()
            .any(|l| l.contains("confirmSignUp CONFIRM_SIGN_UP → DONE"))
    );
    assert!(status.iter().any(|l| {
        l.contains("signIn — → DONE  PASSWORD_VERIFIER  InitiateAuth+RespondToAuthChallenge 57ms")
    }));
    insta::assert_snapshot!("session_80x24", text(&render(&app, 80, 24, NOW_MS)));
}

#[test]
fn absurd_expiries_are_flagged_on_the_session_screen_and_in_the_status_pane() {
    let mut app = demo::signed_in();
    let mut view = demo::session();
    view.access_expires_at = i64::MAX;
    view.id_expires_at = i64::MIN;
    app.on_auth_event(
        AuthEvent::Session {
            session: Some(view),
        },
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Info {
            api: "signIn".into(),
            message: "Warning: the access token expires implausibly far ahead".into(),
        },
        NOW_MS,
    );
    let buf = render(&app, 120, 40, NOW_MS);
    let s = text(&buf);
    assert!(
        s.contains("exp 9223372036854775807 is implausibly far ahead"),
        "{s}"
    );
    assert_eq!(cell_at(&buf, "exp 9223372036854775807").fg, Color::Red);
    assert_eq!(cell_at(&buf, "expired ").fg, Color::Red);
    assert!(s.contains("Warning: the access token expires"), "{s}");
}

#[test]
fn session_screen_when_signed_out() {
    let mut app = demo::app();
    app.goto(Screen::Session);
    assert!(text(&render(&app, 80, 24, NOW_MS)).contains("Not signed in."));
}

#[test]
fn outbox_screen_lists_newest_first_with_prominent_codes() {
    let mut app = demo::signed_in();
    app.goto(Screen::Outbox);
    let buf = render(&app, 80, 24, NOW_MS);
    let s = text(&buf);
    let alice = s.find("734912").expect("alice's code");
    let carol = s.find("090341").expect("carol's code");
    let bob = s.find("551027").expect("bob's code");
    assert!(alice < carol && carol < bob, "newest first:\n{s}");
    assert!(s.contains("FORGOT_PASSWORD carol"));
    let c = cell_at(&buf, "551027");
    assert!(c.modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
    insta::assert_snapshot!("outbox_80x24", s);
}

#[test]
fn outbox_screen_shows_the_message_text_the_pool_sent() {
    let mut app = demo::signed_in();
    let mut entry = demo::outbox_entry("dora", "SIGN_UP", "246810", "2026-11-28T22:30:00.000Z");
    entry.message = Some("Welcome! Your code is 246810.".into());
    app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![entry],
        },
        NOW_MS,
    );
    app.goto(Screen::Outbox);
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(
        s.contains("EMAIL to dora@example.com · “Welcome! Your code is 246810.”"),
        "{s}"
    );
}

#[test]
fn outbox_for_real_cognito_explains_itself() {
    let mut t = demo::target();
    t.kind = cognito_tui::tui::TargetKind::Aws;
    t.user_pool_id = "eu-west-1_abc".into();
    let mut app = App::new(t, false, None, Theme::default());
    app.goto(Screen::Outbox);
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("AWS eu-west-1_abc"));
    assert!(s.contains("outbox exists for the embedded pool"), "{s}");
}

#[test]
fn inspector_shows_the_selected_call_redacted() {
    let mut app = demo::after_sign_up();
    let mut x = demo::exchange(2, "SignUp", NOW_MS);
    // Even if a secret slipped through the actor's redaction, it is not drawn.
    x.request["Password"] = serde_json::json!(PASSWORD);
    app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    app.inspector.zoom = true;
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(s.contains("Inspector 2/2"), "{s}");
    assert!(s.contains("SignUp 200 29ms"));
    assert!(s.contains("request id 6c0f3e6a-2b8d-4d59-9a3e-6f0b1c2d3e4f"));
    assert!(s.contains("\"Password\": \"***\""));
    assert!(!s.contains(PASSWORD));
    assert!(s.contains("\"UserSub\": \"4f1c2a9e-7d3b-4c1e-9a55-2b8e0d6f7a10\""));
}

#[test]
fn failed_calls_and_errors_are_red() {
    let mut app = demo::app();
    let mut x = demo::exchange(1, "InitiateAuth", NOW_MS);
    x.status = Some(400);
    x.error = Some("NotAuthorizedException".into());
    x.response = serde_json::json!({"__type": "NotAuthorizedException",
        "message": "Incorrect username or password."});
    app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    app.on_auth_event(
        demo::error(
            "signIn",
            "InitiateAuth",
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        NOW_MS,
    );
    let buf = render(&app, 120, 40, NOW_MS);
    let s = text(&buf);
    assert!(
        s.contains(
            "ERROR signIn InitiateAuth: NotAuthorizedException: Incorrect username or password."
        ),
        "{s}"
    );
    assert_eq!(cell_at(&buf, "ERROR signIn").fg, Color::Red);
    assert_eq!(cell_at(&buf, "400 NotAuthorizedException").fg, Color::Red);
}

#[test]
fn spinner_while_a_call_is_in_flight() {
    let mut app = demo::app();
    app.on_auth_event(
        AuthEvent::Started {
            api: "signIn".into(),
        },
        NOW_MS,
    );
    assert!(app.tick_interval().is_some());
    let s = text(&render(&app, 80, 24, NOW_MS + 1200));
    assert!(s.contains("signIn 1.2s"), "{s}");
    app.on_auth_event(
        AuthEvent::Finished {
            api: "signIn".into(),
            ok: true,
        },
        NOW_MS,
    );
    assert!(app.tick_interval().is_none());
    assert!(!text(&render(&app, 80, 24, NOW_MS)).contains("signIn 1.2s"));
}

#[test]
fn help_overlay_lists_keys_and_the_log_file() {
    let mut app = demo::app();
    press(&mut app, KeyCode::F(9));
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("Keys"));
    assert!(s.contains("Tab / Shift-Tab"));
    assert!(s.contains("Ctrl-O"));
    assert!(s.contains("cognito-tui.log"), "{s}");
}

#[test]
fn no_color_uses_no_colours() {
    let mut app = demo::signed_in();
    app.ctx.theme = Theme::monochrome();
    app.on_auth_event(
        demo::error(
            "signOut",
            "RevokeToken",
            "NetworkError",
            "connection refused",
        ),
        NOW_MS,
    );
    for screen in Screen::ALL {
        app.goto(screen);
        let buf = render(&app, 120, 40, NOW_MS);
        for cell in buf.content() {
            assert_eq!(cell.fg, Color::Reset, "{screen:?}");
            assert_eq!(cell.bg, Color::Reset, "{screen:?}");
        }
        // The active tab is still visible without colour.
        assert!(
            cell_at(&buf, &format!(" {} ", screen.title()))
                .modifier
                .contains(Modifier::REVERSED)
        );
    }
}

#[test]
fn any_size_renders_without_panic() {
    let mut apps = vec![
        sign_up_typed(),
        demo::after_sign_up(),
        challenge_app(),
        users_app(),
    ];
    let mut s = demo::signed_in();
    s.help = true;
    apps.push(s);
    let mut o = demo::signed_in();
    o.goto(Screen::Outbox);
    o.inspector.zoom = true;
    apps.push(o);
    let mut d = users_app();
    press(&mut d, KeyCode::Enter);
    apps.push(d);
    for app in &apps {
        for w in [
            1u16, 2, 5, 10, 19, 20, 21, 30, 45, 59, 60, 61, 79, 80, 81, 200,
        ] {
            for h in [1u16, 2, 5, 6, 7, 10, 15, 21, 22, 24, 35, 36, 60] {
                let _ = render(app, w, h, NOW_MS);
            }
        }
    }
    let s = text(&render(&apps[0], 10, 5, NOW_MS));
    assert!(s.contains("too small"), "{s}");
}

#[test]
fn zoomed_inspector_lists_every_call() {
    let mut app = demo::signed_in();
    let mut x = demo::exchange(4, "GlobalSignOut", NOW_MS);
    x.status = None;
    x.error = Some("NetworkError".into());
    x.response = serde_json::Value::Null;
    app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    press(&mut app, KeyCode::F(10));
    app.handle_key(
        KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL),
        NOW_MS,
    );
    let buf = render(&app, 120, 40, NOW_MS);
    let s = text(&buf);
    assert!(s.contains("Calls (4)"), "{s}");
    assert!(s.contains("200 SignUp"));
    assert!(s.contains("ERR GlobalSignOut"));
    assert_eq!(cell_at(&buf, "ERR GlobalSignOut").fg, Color::Red);
    // Ctrl-P moved the selection to the third call, which is highlighted and inspected.
    assert_eq!(cell_at(&buf, "200 RespondToAuthChallenge").bg, Color::Blue);
    assert!(s.contains("Inspector 3/4"));
    // Scrolling past the end stops at the last line.
    for _ in 0..50 {
        press(&mut app, KeyCode::PageDown);
    }
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(s.contains('}'), "{s}");
}
