//! A sign-in that prefers WEB_AUTHN and gets SELECT_CHALLENGE instead: the flow machine's
//! explanation names the cause, and the TUI shows it whole at 80×24 and 60×15.

use std::sync::Arc;

use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType};
use cognito_tui::auth::machine::{self, AuthState, Effect, Input, MachineConfig};
use cognito_tui::cognito::types::{AuthResponse, Response};
use cognito_tui::srp::{BigUint, ClientEphemeral};
use cognito_tui::tui::App;
use cognito_tui::tui::demo::{self, NOW_MS, render, text};
use cognito_tui::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;

/// The events the machine emits for: signIn USER_AUTH preferring WEB_AUTHN, answered with
/// SELECT_CHALLENGE.
fn fallback_events() -> Vec<AuthEvent> {
    let s = AuthState::new(MachineConfig::new(
        demo::target().client_id.as_str(),
        demo::target().user_pool_id.as_str(),
    ));
    let (s, fx1) = machine::handle(
        s,
        Input::Command {
            cmd: AuthCommand::SignIn {
                username: "alice".into(),
                password: None,
                flow: AuthFlowType::UserAuth,
                preferred_challenge: Some("WEB_AUTHN".into()),
            },
            now_ms: NOW_MS - 200,
            srp: Some(Arc::new(ClientEphemeral::from_private(BigUint::from(
                0x1234_5678_u64,
            )))),
        },
    );
    let (_, fx2) = machine::handle(
        s,
        Input::Response {
            result: Ok(Response::InitiateAuth(AuthResponse {
                challenge_name: Some("SELECT_CHALLENGE".into()),
                session: Some("s".repeat(40)),
                available_challenges: vec!["PASSWORD_SRP".into(), "EMAIL_OTP".into()],
                ..Default::default()
            })),
            latency_ms: 30,
            now_ms: NOW_MS - 100,
        },
    );
    fx1.into_iter()
        .chain(fx2)
        .filter_map(|e| match e {
            Effect::Emit(ev) => Some(ev),
            _ => None,
        })
        .collect()
}

/// The text inside the box titled `title`, rows joined, runs of spaces collapsed.
fn boxed(buf: &Buffer, title: &str) -> String {
    let (tx, ty) = demo::find(buf, title).unwrap_or_else(|| panic!("no {title:?}:\n{}", text(buf)));
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
        rows.push((left + 1..right).map(|x| sym(x, y)).collect::<String>());
        y += 1;
    }
    rows.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const CAUSE: &str = "WEB_AUTHN (a passkey) is not available for this user or pool, and this \
                     tool cannot run the passkey ceremony anyway, so Cognito offered the other \
                     first factors instead of the preferred one";

#[test]
fn a_web_authn_fallback_is_explained_on_screen() {
    for (w, h) in [(80, 24), (60, 15)] {
        let mut app = App::new(demo::target(), true, None, Theme::default());
        for ev in fallback_events() {
            app.on_auth_event(ev, NOW_MS);
        }
        let buf = render(&app, w, h, NOW_MS);
        let status = boxed(&buf, "Status");
        if status.contains(CAUSE) {
            continue;
        }
        // Not whole in the pane: one Enter away (Alt-↑ picks the newest row).
        app.handle_key(KeyEvent::new(KeyCode::Up, KeyModifiers::ALT), NOW_MS);
        app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), NOW_MS);
        let buf = render(&app, w, h, NOW_MS);
        let detail = boxed(&buf, "Status row");
        assert!(
            detail.contains(CAUSE),
            "{w}x{h}: the cause is not readable\nstatus: {status}\n{}",
            text(&buf)
        );
    }
}
