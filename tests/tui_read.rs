//! Every word readable: at 80×24 and 60×15 the messages a user comes to read (a password
//! the policy refuses, a sign-in while signed in, the SRP note, a step's explanation) are on
//! screen whole, or one Enter away in the status row's detail view.

use cognito_tui::auth::events::AuthEvent;
use cognito_tui::auth::steps::{NextStep, SignInStep};
use cognito_tui::tui::App;
use cognito_tui::tui::demo::{self, NOW_MS, find, render, text};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;

const POLICY: &str = "Password did not conform with policy: Password not long enough";
const ALREADY: &str = "There is already a signed in user.";
const SRP: &str = "Cognito asks for the SRP proof (PASSWORD_VERIFIER for new-password): \
                   computing it, then RespondToAuthChallenge";

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS);
}

fn alt(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::ALT), NOW_MS);
}

/// The text inside the bordered box whose top border carries `title`, rows joined with a
/// space and runs of spaces collapsed: what a person reads in that box.
fn boxed(buf: &Buffer, title: &str) -> String {
    let (tx, ty) = find(buf, title).unwrap_or_else(|| panic!("no {title:?}:\n{}", text(buf)));
    let sym = |x: u16, y: u16| buf[(x, y)].symbol().to_string();
    let mut left = tx;
    while left > 0 && sym(left, ty) != "┌" {
        left -= 1;
    }
    let mut right = tx;
    while right + 1 < buf.area.width && sym(right, ty) != "┐" {
        right += 1;
    }
    let mut rows = Vec::new();
    let mut y = ty + 1;
    while y < buf.area.height && sym(left, y) != "└" {
        let row: String = (left + 1..right).map(|x| sym(x, y)).collect();
        rows.push(row);
        y += 1;
    }
    collapse(&rows.join(" "))
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The new-password journey: `abc` refused by the policy.
fn policy_refused() -> App {
    let mut app = demo::signed_in();
    app.on_auth_event(AuthEvent::Session { session: None }, NOW_MS);
    app.ctx.last_username = "new-password".into();
    app.on_auth_event(
        AuthEvent::Info {
            api: "signIn".into(),
            message: SRP.into(),
        },
        NOW_MS - 500,
    );
    app.on_auth_event(
        AuthEvent::Transition(demo::step(
            SignInStep::ConfirmSignInWithNewPasswordRequired {
                missing_attributes: Vec::new(),
            },
            "NEW_PASSWORD_REQUIRED",
            &[],
            NOW_MS - 400,
            300,
        )),
        NOW_MS,
    );
    let mut x = demo::exchange(4, "RespondToAuthChallenge", NOW_MS - 100);
    x.status = Some(400);
    x.error = Some("InvalidPasswordException".into());
    x.response = serde_json::json!({"__type": "InvalidPasswordException", "message": POLICY});
    app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    app.on_auth_event(
        demo::error(
            "confirmSignIn",
            "RespondToAuthChallenge",
            "InvalidPasswordException",
            POLICY,
        ),
        NOW_MS,
    );
    app
}

#[test]
fn a_refused_password_is_read_whole_in_the_form_and_the_status_pane_at_80x24() {
    let app = policy_refused();
    let buf = render(&app, 80, 24, NOW_MS);
    let status = boxed(&buf, "Status (UTC)");
    assert!(
        status.contains(&format!("InvalidPasswordException: {POLICY}")),
        "{}",
        text(&buf)
    );
    // The challenge form's message line wraps instead of ending at "policy: P".
    let form = boxed(&buf, "┌ Challenge ");
    assert!(form.contains(POLICY), "{}", text(&buf));
}

#[test]
fn at_60x15_the_refused_password_is_one_enter_away_with_the_call_behind_it() {
    let mut app = policy_refused();
    // Another call since: the inspector follows the newest one.
    app.on_auth_event(
        AuthEvent::Exchange(demo::exchange(5, "InitiateAuth", NOW_MS)),
        NOW_MS,
    );
    let buf = render(&app, 60, 15, NOW_MS);
    let form = boxed(&buf, "┌ Challenge ");
    assert!(form.contains(POLICY), "{}", text(&buf));
    // The status pane is two rows high here: it says the row is cut and how to read it.
    assert!(text(&buf).contains("Alt-↑ then Enter"), "{}", text(&buf));
    alt(&mut app, KeyCode::Up);
    let picked = text(&render(&app, 60, 15, NOW_MS));
    assert!(picked.contains("Enter read the row whole"), "{picked}");
    // Alt-↑ picked the newest row: the error.
    press(&mut app, KeyCode::Enter);
    let buf = render(&app, 60, 15, NOW_MS);
    let detail = boxed(&buf, "Status row");
    assert!(detail.contains(POLICY), "{}", text(&buf));
    assert!(detail.contains("InvalidPasswordException"), "{detail}");
    assert!(
        detail.contains("call RespondToAuthChallenge 400 InvalidPasswordException"),
        "{detail}"
    );
    assert!(detail.contains("Inspector 4/5"), "{detail}");
    // The inspector jumped to that call and stays on it.
    assert_eq!(app.inspected(), Some(3));
    press(&mut app, KeyCode::Esc);
    let s = text(&render(&app, 60, 15, NOW_MS));
    assert!(!s.contains("Status row"), "{s}");
}

#[test]
fn already_signed_in_is_read_whole_at_80x24_and_60x15() {
    let mut app = demo::signed_in();
    app.on_auth_event(
        demo::error(
            "signIn",
            "InitiateAuth",
            "UserAlreadyAuthenticatedException",
            ALREADY,
        ),
        NOW_MS,
    );
    let buf = render(&app, 80, 24, NOW_MS);
    let status = boxed(&buf, "Status (UTC)");
    assert!(
        status.contains(&format!("UserAlreadyAuthenticatedException: {ALREADY}")),
        "{}",
        text(&buf)
    );
    // At 60 columns the form is 32 wide: the code alone is longer than a row and is cut
    // into two, the rest wraps at spaces.
    let buf = render(&app, 60, 15, NOW_MS);
    let main = squeeze(&boxed(&buf, "┌ Session "));
    assert!(
        main.contains(&squeeze(&format!(
            "UserAlreadyAuthenticatedException: {ALREADY}"
        ))),
        "{}",
        text(&buf)
    );
}

#[test]
fn the_srp_note_and_every_explanation_are_read_whole() {
    let mut app = demo::app();
    app.on_auth_event(
        AuthEvent::Info {
            api: "signIn".into(),
            message: SRP.into(),
        },
        NOW_MS,
    );
    let buf = render(&app, 80, 24, NOW_MS);
    assert!(
        boxed(&buf, "Status (UTC)").contains(&collapse(SRP)),
        "{}",
        text(&buf)
    );
    // A step answered, then another: scrolling back shows why the earlier one happened.
    let mut t = demo::step(
        SignInStep::ConfirmSignInWithTotpCode,
        "SOFTWARE_TOKEN_MFA",
        &[],
        NOW_MS,
        0,
    );
    t.explanation = "Cognito asks for the authenticator-app code: answer with \
                     RespondToAuthChallenge (SOFTWARE_TOKEN_MFA_CODE)"
        .into();
    let why = t.explanation.clone();
    app.on_auth_event(AuthEvent::Transition(t), NOW_MS);
    let buf = render(&app, 80, 24, NOW_MS);
    assert!(boxed(&buf, "Status (UTC)").contains(&why), "{}", text(&buf));
    let mut done = demo::transition(
        "confirmSignIn",
        Some("CONFIRM_SIGN_IN_WITH_TOTP_CODE"),
        NextStep::SignIn(SignInStep::Done),
        NOW_MS + 1000,
    );
    done.explanation = "Signed in: tokens issued.".into();
    app.on_auth_event(AuthEvent::Transition(done), NOW_MS);
    alt(&mut app, KeyCode::Up);
    alt(&mut app, KeyCode::Up);
    let buf = render(&app, 80, 24, NOW_MS);
    assert!(boxed(&buf, "Status (UTC)").contains(&why), "{}", text(&buf));
}

#[test]
fn confirm_after_a_sign_in_does_not_show_the_previous_users_delivery() {
    let mut app = demo::after_sign_up();
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("Code sent by EMAIL to a***@e***.com"), "{s}");
    // carol, unconfirmed, signs in: Confirm opens for her; nothing was sent to her.
    app.ctx.last_username = "carol".into();
    app.on_auth_event(
        AuthEvent::Transition(demo::transition(
            "signIn",
            None,
            NextStep::SignIn(SignInStep::ConfirmSignUp),
            NOW_MS,
        )),
        NOW_MS,
    );
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("Username      carol"), "{s}");
    assert!(!s.contains("a***@e***"), "{s}");
    assert!(s.contains("carol is not confirmed"), "{s}");
}

#[test]
fn every_tab_is_named_at_80_and_60_columns_and_none_is_called_step() {
    let mut app = demo::app();
    for w in [120u16, 80, 60] {
        for screen in cognito_tui::tui::screens::Screen::ALL {
            app.goto(screen);
            let s = text(&render(&app, w, 24, NOW_MS));
            let tabs = format!("{} ", s.lines().nth(1).unwrap_or_default());
            assert!(!tabs.contains("Step"), "{w}: {tabs}");
            // All eight keys are there, the screen shown with its whole title.
            for n in 1..=8 {
                assert!(tabs.contains(&format!("F{n}")), "{w}: {tabs}");
            }
            // (At 80 columns "Challenge" itself is "Chall.".)
            let shown = if w == 80 && screen.title() == "Challenge" {
                "Chall."
            } else {
                screen.title()
            };
            assert!(tabs.contains(&format!(" {shown} ")), "{w}: {tabs}");
            if w >= 80 {
                assert!(tabs.contains("F8 Pool"), "{w}: {tabs}");
                assert!(tabs.contains("F4 Chall"), "{w}: {tabs}");
            }
        }
    }
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        NOW_MS,
    );
}

#[test]
fn a_held_request_and_the_calls_before_it_can_both_be_inspected() {
    let mut app = demo::signed_in();
    app.on_auth_event(AuthEvent::Session { session: None }, NOW_MS);
    app.goto(cognito_tui::tui::screens::Screen::Session);
    app.on_auth_event(
        AuthEvent::Held {
            api: "signIn".into(),
            operation: "RespondToAuthChallenge".into(),
            request: serde_json::json!({"ChallengeName": "PASSWORD_VERIFIER"}),
        },
        NOW_MS,
    );
    let held =
        |app: &App| text(&render(app, 80, 24, NOW_MS)).contains("Held: RespondToAuthChallenge");
    assert!(held(&app));
    // `[` goes to the call before the held one: the InitiateAuth with SRP_B and SALT is
    // two back (the newest call is the earlier sign-in's RespondToAuthChallenge).
    press(&mut app, KeyCode::Char('['));
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(!held(&app), "{s}");
    assert!(s.contains("Inspector 3/3"), "{s}");
    ctrl(&mut app, 'p');
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(s.contains("Inspector 2/3"), "{s}");
    assert!(s.contains("SRP_B"), "{s}");
    assert!(s.contains("SALT"), "{s}");
    // `]` twice comes back to the held request.
    press(&mut app, KeyCode::Char(']'));
    assert!(!held(&app));
    press(&mut app, KeyCode::Char(']'));
    assert!(held(&app));
    // `z` widens the view but still shows the held request, not an old call.
    press(&mut app, KeyCode::Char('z'));
    for w in [80u16, 120] {
        let s = text(&render(&app, w, 24, NOW_MS));
        assert!(s.contains("Held: RespondToAuthChallenge"), "{w}: {s}");
    }
}

#[test]
fn the_inspector_says_newer_calls_exist_and_follows_a_new_flow() {
    let mut app = demo::signed_in();
    app.goto(cognito_tui::tui::screens::Screen::Session);
    press(&mut app, KeyCode::Char('['));
    press(&mut app, KeyCode::Char('['));
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(s.contains("Inspector 1/3 — 2 newer: ]"), "{s}");
    // A new sign-in: its calls are shown as they come.
    app.on_auth_event(AuthEvent::Session { session: None }, NOW_MS);
    app.on_auth_event(
        AuthEvent::Started {
            api: "signIn".into(),
        },
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Exchange(demo::exchange(4, "InitiateAuth", NOW_MS)),
        NOW_MS,
    );
    let s = text(&render(&app, 120, 40, NOW_MS));
    assert!(s.contains("Inspector 4/4 "), "{s}");
    assert!(!s.contains("newer"), "{s}");
}

#[test]
fn pool_mfa_apply_asks_first_and_logs_what_it_changed() {
    use cognito_tui::admin::{AdminCommand, AdminEvent};
    use cognito_tui::tui::Action;
    use cognito_tui::tui::screens::Screen;
    let mut app = demo::app();
    app.goto(Screen::Pool);
    app.on_admin_event(
        AdminEvent::PoolSettings {
            settings: demo::pool_settings(),
        },
        NOW_MS,
    );
    // e, then down to Apply.
    press(&mut app, KeyCode::Char('e'));
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    let first = app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), NOW_MS);
    assert!(first.is_empty(), "sent without asking: {first:?}");
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(
        collapse(&s.replace('│', " ")).contains("changes MFA for every user of the pool"),
        "{s}"
    );
    let second = app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), NOW_MS);
    assert!(
        matches!(
            second.as_slice(),
            [Action::Admin(AdminCommand::SetPoolMfa { .. })]
        ),
        "{second:?}"
    );
    app.on_admin_event(
        AdminEvent::PoolSettings {
            settings: demo::pool_settings(),
        },
        NOW_MS,
    );
    let buf = render(&app, 80, 24, NOW_MS);
    assert!(
        boxed(&buf, "Status (UTC)")
            .contains("SetUserPoolMfaConfig done: MFA is OPTIONAL for the whole pool."),
        "{}",
        text(&buf)
    );
}

#[test]
fn first_contact_says_what_to_try_and_how_to_leave_a_field() {
    use cognito_tui::tui::theme::Theme;
    let mut t = demo::target();
    t.user_pool_id = cognito_tui::local::DEMO_POOL_ID.into();
    let mut app = App::new(t, true, None, Theme::default());
    let buf = render(&app, 80, 24, NOW_MS);
    let main = boxed(&buf, "┌ Sign in");
    assert!(
        main.contains("New here? Sign in as alice"),
        "{}",
        text(&buf)
    );
    assert!(
        main.contains("Codes arrive in F7 Outbox."),
        "{}",
        text(&buf)
    );
    // The hint does not push the chosen flow's explanation out of the form.
    assert!(
        main.contains("the password never leaves."),
        "{}",
        text(&buf)
    );
    // In a field, the footer first says how to leave it (q types there).
    press(&mut app, KeyCode::Tab);
    let s = text(&render(&app, 80, 24, NOW_MS));
    let footer = s.lines().nth(23).unwrap_or_default();
    assert!(
        footer.starts_with("Esc leave the field (then q quits)"),
        "{s}"
    );
    assert!(!footer.contains("←/→"), "{footer}");
    // On the flow selector, ←/→ is named.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("Flow          ‹ USER_SRP_AUTH ›"), "{s}");
    let footer = s.lines().nth(23).unwrap_or_default();
    assert!(footer.contains("←/→ change"), "{footer}");
    // Once something happened, the hint gives the room back.
    app.on_auth_event(
        AuthEvent::Info {
            api: "signIn".into(),
            message: SRP.into(),
        },
        NOW_MS,
    );
    assert!(!text(&render(&app, 80, 24, NOW_MS)).contains("New here?"));
}

#[test]
fn a_restored_session_opens_on_session() {
    let mut app = demo::app();
    app.on_auth_event(
        AuthEvent::Info {
            api: "fetchAuthSession".into(),
            message: "Restored the saved session of alice".into(),
        },
        NOW_MS,
    );
    app.on_auth_event(
        AuthEvent::Session {
            session: Some(demo::session()),
        },
        NOW_MS,
    );
    assert_eq!(app.screen, cognito_tui::tui::screens::Screen::Session);
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("Signed in as alice"), "{s}");
}

#[test]
fn the_custom_challenge_says_what_it_asks_and_the_outbox_names_every_user() {
    use cognito_tui::admin::AdminEvent;
    use cognito_tui::tui::screens::Screen;
    use std::collections::BTreeMap;
    let mut app = demo::app();
    app.ctx.last_username = "alice".into();
    app.on_auth_event(
        AuthEvent::Transition(demo::step(
            SignInStep::ConfirmSignInWithCustomChallenge {
                additional_info: BTreeMap::from([(
                    "question".to_string(),
                    "Capital of France?".to_string(),
                )]),
            },
            "CUSTOM_CHALLENGE",
            &[("question", "Capital of France?")],
            NOW_MS,
            0,
        )),
        NOW_MS,
    );
    let buf = render(&app, 80, 24, NOW_MS);
    assert!(
        boxed(&buf, "┌ Challenge").contains("Your auth-challenge Lambda asks: Capital of France?"),
        "{}",
        text(&buf)
    );
    // A TOTP secret in the outbox does not push its user off the row.
    let mut secret = demo::outbox_entry(
        "mfa-choice",
        "TOTP_SECRET",
        cognito_tui::local::DEMO_CHOICE_TOTP_SECRET,
        "2026-11-28T22:29:59.000Z",
    );
    secret.medium = "APP".into();
    app.on_admin_event(
        AdminEvent::Outbox {
            entries: vec![secret],
        },
        NOW_MS,
    );
    app.goto(Screen::Outbox);
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("TOTP_SECRET mfa-choice"), "{s}");
    assert!(s.contains("MNXWO3TJ"), "{s}");
}

#[test]
fn a_lockout_is_explained() {
    let mut app = demo::app();
    app.on_auth_event(
        demo::error(
            "signIn",
            "RespondToAuthChallenge",
            "NotAuthorizedException",
            "Password attempts exceeded",
        ),
        NOW_MS,
    );
    let buf = render(&app, 80, 24, NOW_MS);
    let status = boxed(&buf, "Status (UTC)");
    assert!(
        status.contains("↳ too many wrong passwords: Cognito locks this user's sign-in"),
        "{}",
        text(&buf)
    );
    assert!(
        boxed(&buf, "┌ Sign in").contains("Password attempts exceeded — too many wrong passwords"),
        "{}",
        text(&buf)
    );
}

#[test]
fn the_users_actions_menu_scrolls_at_80x24() {
    use cognito_tui::admin::AdminEvent;
    use cognito_tui::tui::screens::Screen;
    let mut app = demo::signed_in();
    app.goto(Screen::Users);
    app.on_admin_event(
        AdminEvent::UsersPage {
            filter: None,
            request_token: None,
            users: demo::users(5),
            next_token: None,
        },
        NOW_MS,
    );
    press(&mut app, KeyCode::Char('a'));
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("new user (AdminCreateUser)"), "{s}");
    assert!(s.contains("more below"), "{s}");
    for _ in 0..12 {
        press(&mut app, KeyCode::Down);
    }
    let s = text(&render(&app, 80, 24, NOW_MS));
    assert!(s.contains("copy the username (OSC 52)"), "{s}");
    assert!(s.contains("copy the sub (OSC 52)"), "{s}");
    assert!(s.contains("more above"), "{s}");
}

#[test]
fn the_users_mfa_column_does_not_read_as_no_mfa_before_the_detail() {
    use cognito_tui::admin::AdminEvent;
    use cognito_tui::tui::screens::Screen;
    let mut app = demo::signed_in();
    app.goto(Screen::Users);
    app.on_admin_event(
        AdminEvent::UsersPage {
            filter: None,
            request_token: None,
            users: demo::users(3),
            next_token: None,
        },
        NOW_MS,
    );
    let s = text(&render(&app, 160, 30, NOW_MS));
    let row = s
        .lines()
        .find(|l| l.contains("bob@example.com"))
        .unwrap_or_else(|| panic!("{s}"));
    // Unknown until Enter reads the detail, not "-", which reads as "no MFA".
    assert!(row.contains("? Enter"), "{row}");
}
