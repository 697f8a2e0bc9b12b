//! Sign up, Confirm sign-up and Sign in: forms plus a few lines of context.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::App;
use crate::tui::widgets::clock;

fn below(area: Rect, rows: u16) -> Rect {
    let y = area.y + rows.min(area.height);
    Rect::new(area.x, y, area.width, area.bottom().saturating_sub(y))
}

fn notes(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    if area.height > 0 {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
    }
}

pub fn render_sign_up(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    app.sign_up.render(frame, area, t);
    notes(
        frame,
        below(area, app.sign_up.height() + 1),
        vec![Line::styled(
            "signUp → SignUp. With auto sign-in, confirming the code signs you in.",
            t.dim(),
        )],
    );
}

pub fn render_confirm(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    app.confirm.render(frame, area, t);
    let mut lines = Vec::new();
    if let Some(d) = &app.confirm_delivery {
        lines.push(Line::from(vec![
            Span::styled("Code sent by ", t.label()),
            Span::raw(d.delivery_medium.clone().unwrap_or_else(|| "?".into())),
            Span::styled(" to ", t.label()),
            Span::raw(d.destination.clone().unwrap_or_else(|| "?".into())),
        ]));
    }
    let user = app.confirm.text("username");
    if app.local && !user.is_empty() {
        match app.latest_code(&user, "SIGN_UP") {
            Some(e) => lines.push(Line::from(vec![
                Span::styled("Outbox: ", t.label()),
                Span::styled(e.code.clone(), t.code()),
                Span::styled(
                    format!(
                        " for {} at {} (Ctrl-O uses it)",
                        e.username,
                        sent_clock(&e.sent_at)
                    ),
                    t.dim(),
                ),
            ])),
            None => lines.push(Line::styled(
                format!("Outbox: no sign-up code for {user} yet"),
                t.dim(),
            )),
        }
    }
    if app.auto_sign_in_ready {
        lines.push(Line::styled(
            "COMPLETE_AUTO_SIGN_IN: autoSignIn() signs in with the sign-up Session.",
            t.step(),
        ));
    }
    notes(frame, below(area, app.confirm.height() + 1), lines);
}

pub fn render_sign_in(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    app.sign_in.render(frame, area, t);
    let flow = app.sign_in.raw("flow");
    let what = match flow.as_str() {
        "USER_SRP_AUTH" => "InitiateAuth (SRP_A) → PASSWORD_VERIFIER: the password never leaves.",
        "USER_PASSWORD_AUTH" => "InitiateAuth with the password itself (over TLS).",
        "CUSTOM_WITH_SRP" => "CUSTOM_AUTH: SRP first, then your Lambda's challenge.",
        "CUSTOM_WITHOUT_SRP" => "CUSTOM_AUTH without a password: your Lambda's challenges.",
        "USER_AUTH" => "Choice-based: PREFERRED_CHALLENGE, or Cognito offers SELECT_CHALLENGE.",
        _ => "",
    };
    let mut lines = vec![Line::styled(what.to_string(), t.dim())];
    lines.push(Line::from(vec![
        Span::styled("Step mode ", t.label()),
        if app.step_mode {
            Span::styled("on", t.key())
        } else {
            Span::styled("off", t.dim())
        },
        Span::styled(
            " (^T): each request waits in the inspector until ^G sends it",
            t.dim(),
        ),
    ]));
    if let Some(u) = app.signed_in_user() {
        lines.push(Line::styled(
            format!("{u} is signed in: sign out first (F5) to sign in again."),
            t.info(),
        ));
    }
    notes(frame, below(area, app.sign_in.height() + 1), lines);
}

/// Unix milliseconds of an RFC 3339 timestamp, if it parses.
pub fn sent_ms(sent_at: &str) -> Option<i64> {
    time::OffsetDateTime::parse(sent_at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// `HH:MM:SS` out of an RFC 3339 timestamp (`2026-11-28T22:30:00.123Z`).
pub fn sent_clock(sent_at: &str) -> String {
    match time::OffsetDateTime::parse(sent_at, &time::format_description::well_known::Rfc3339) {
        Ok(t) => clock((t.unix_timestamp_nanos() / 1_000_000) as i64),
        Err(_) => sent_at.to_string(),
    }
}
