//! The Session screen: who is signed in, token expiry counting down, the decoded ID and
//! access token claims (tokens themselves only abbreviated).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use serde_json::Value;

use crate::auth::events::{AuthCommand, ExpiryHealth, SessionView};
use crate::auth::session::expiry_health;
use crate::tui::context::Context;
use crate::tui::shared::{Action, Screen, flow_name};
use crate::tui::theme::Theme;
use crate::tui::widgets::{clock, countdown};

fn expiry(exp_s: i64, now_ms: i64, t: &Theme) -> Span<'static> {
    let left = exp_s.saturating_sub(now_ms.div_euclid(1000));
    match expiry_health(exp_s, now_ms) {
        ExpiryHealth::Valid => Span::styled(format!("expires in {}", countdown(left)), t.ok()),
        ExpiryHealth::Expired => Span::styled(
            format!("expired {} ago", countdown(left.saturating_neg())),
            t.error(),
        ),
        ExpiryHealth::ImplausiblyFar => Span::styled(
            format!("exp {exp_s} is implausibly far ahead (no Cognito token lives 30 days)"),
            t.error(),
        ),
    }
}

fn claim_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Claims that are times, shown with their clock time too.
const TIME_CLAIMS: &[&str] = &["exp", "iat", "auth_time", "nbf"];

fn claims(title: &str, v: &Value, t: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(title.to_string(), t.title())];
    match v.as_object() {
        Some(map) if !map.is_empty() => {
            let w = map
                .keys()
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(0)
                .min(18);
            for (k, v) in map {
                let mut val = claim_value(v);
                if TIME_CLAIMS.contains(&k.as_str())
                    && let Some(n) = v.as_i64()
                {
                    val = format!("{val} ({} UTC)", clock(n.saturating_mul(1000)));
                }
                let key_style = if k == "cognito:username" {
                    t.key()
                } else {
                    t.json_key()
                };
                out.push(Line::from(vec![
                    Span::styled(format!("{k:<w$} "), key_style),
                    Span::raw(val),
                ]));
            }
        }
        _ => out.push(Line::styled("(no claims)", t.dim())),
    }
    out
}

#[derive(Debug, Default)]
pub struct SessionScreen {
    /// The signed-in session (`None` when signed out).
    pub view: Option<SessionView>,
    /// Scroll offset of the claims.
    pub scroll: u16,
}

impl SessionScreen {
    pub fn signed_in_user(&self) -> Option<&str> {
        self.view.as_ref().map(|s| s.username.as_str())
    }

    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        let cmd = match key.code {
            KeyCode::Char('r') => AuthCommand::FetchSession {
                force_refresh: true,
            },
            KeyCode::Char('f') => AuthCommand::FetchSession {
                force_refresh: false,
            },
            KeyCode::Char('o') => AuthCommand::SignOut { global: false },
            KeyCode::Char('g') => AuthCommand::SignOut { global: true },
            KeyCode::Char('a') if self.view.is_some() => {
                return vec![Action::Goto(Screen::Account)];
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.scroll = self.scroll.saturating_add(1).min(60);
                return Vec::new();
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.scroll = self.scroll.saturating_sub(1);
                return Vec::new();
            }
            _ => return Vec::new(),
        };
        ctx.auth(cmd, now_ms).into_iter().collect()
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context, now_ms: i64) {
        render(self, &ctx.theme, frame, area, now_ms);
    }
}

fn render(screen: &SessionScreen, t: &Theme, frame: &mut Frame, area: Rect, now_ms: i64) {
    let Some(s) = &screen.view else {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled("Not signed in.", t.dim()),
                Line::raw(""),
                Line::styled(
                    "Sign in (F3) to see the tokens' claims and their expiry here.",
                    t.dim(),
                ),
            ])
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let mut head = vec![
        Line::from(vec![
            Span::styled("Signed in as ", t.label()),
            Span::styled(s.username.clone(), t.key()),
            Span::styled(format!("  {}", flow_name(s.auth_flow)), t.dim()),
        ]),
        Line::from(vec![
            Span::styled("sub ", t.label()),
            Span::raw(s.sub.clone().unwrap_or_else(|| "—".into())),
        ]),
        Line::from(vec![
            Span::styled("Access  ", t.label()),
            expiry(s.access_expires_at, now_ms, t),
            Span::styled(format!("  {}", s.access_token_abbrev), t.dim()),
        ]),
        Line::from(vec![
            Span::styled("ID      ", t.label()),
            expiry(s.id_expires_at, now_ms, t),
            Span::styled(format!("  {}", s.id_token_abbrev), t.dim()),
        ]),
        Line::from(vec![
            Span::styled("Refresh ", t.label()),
            Span::styled(
                s.refresh_token_abbrev
                    .clone()
                    .unwrap_or_else(|| "none".into()),
                t.dim(),
            ),
        ]),
    ];
    if let Some(r) = s.refreshed_at_ms {
        head.push(Line::from(vec![
            Span::styled("Refreshed at ", t.label()),
            Span::raw(format!("{} UTC", clock(r))),
        ]));
    }
    let head_h = (head.len() as u16 + 1).min(area.height);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(head_h), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(head), top);
    let id = claims("ID token claims", &s.id_token_claims, t);
    let access = claims("Access token claims", &s.access_token_claims, t);
    let scroll = screen.scroll;
    if bottom.width >= 90 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(1)
            .areas(bottom);
        frame.render_widget(Paragraph::new(id).scroll((scroll, 0)), l);
        frame.render_widget(Paragraph::new(access).scroll((scroll, 0)), r);
    } else {
        let mut all = id;
        all.push(Line::raw(""));
        all.extend(access);
        frame.render_widget(Paragraph::new(all).scroll((scroll, 0)), bottom);
    }
}
