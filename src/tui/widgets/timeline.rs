//! The status pane: every `nextStep` transition (time, API, from → to, the Cognito
//! operations and their latency, ChallengeName, Session id and age), errors in red and
//! info lines. Newest at the bottom; it follows the newest entry unless scrolled back.
//! A transition's one-line explanation goes on a second line under it; the Session age is
//! shown against the window the Session lives (AuthSessionValidity, 3 minutes by default),
//! and an error answering a challenge names the Session it used.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{clock, countdown, duration};
use crate::auth::events::{AuthErrorView, Transition};
use crate::tui::shared::SESSION_VALIDITY_MS;
use crate::tui::theme::Theme;

/// The stale or reused challenge Session an error was answering, and how old it was then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    /// Abbreviated, as the Transition carries it.
    pub id: String,
    pub age_ms: i64,
    pub validity_ms: i64,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatusEntry {
    Transition(Transition),
    Error {
        at_ms: i64,
        error: AuthErrorView,
        session: Option<SessionRef>,
    },
    Info {
        at_ms: i64,
        api: String,
        message: String,
    },
}

impl StatusEntry {
    /// The entry's rows: one, plus (when `explain`) the explanation under a transition,
    /// and under an error that a stale or reused Session caused, that Session.
    pub fn lines(&self, theme: &Theme, validity_ms: i64, explain: bool) -> Vec<Line<'static>> {
        let mut out = vec![self.line_with(theme, validity_ms)];
        match self {
            StatusEntry::Transition(t) if explain && !t.explanation.is_empty() => {
                out.push(Line::from(vec![
                    Span::raw("         ↳ "),
                    Span::styled(t.explanation.clone(), theme.info()),
                ]));
            }
            StatusEntry::Error {
                session: Some(s), ..
            } => {
                let state = if s.expired {
                    format!(
                        "expired ({} old, lives {})",
                        countdown(s.age_ms / 1000),
                        countdown(s.validity_ms / 1000)
                    )
                } else {
                    format!(
                        "{} old of {}, already used",
                        countdown(s.age_ms / 1000),
                        countdown(s.validity_ms / 1000)
                    )
                };
                out.push(Line::from(vec![
                    Span::raw("         ↳ "),
                    Span::styled(format!("Session {} {state}", s.id), theme.error()),
                    Span::styled(
                        ": a Session answers one challenge, once — sign in again",
                        theme.info(),
                    ),
                ]));
            }
            _ => {}
        }
        out
    }

    pub fn line(&self, theme: &Theme) -> Line<'static> {
        self.line_with(theme, SESSION_VALIDITY_MS)
    }

    pub fn line_with(&self, theme: &Theme, validity_ms: i64) -> Line<'static> {
        match self {
            StatusEntry::Transition(t) => {
                let mut spans = vec![
                    Span::styled(clock(t.at_ms), theme.dim()),
                    Span::raw(" "),
                    Span::styled(t.api.clone(), theme.title()),
                    Span::raw(" "),
                    Span::styled(t.from.clone().unwrap_or_else(|| "—".into()), theme.dim()),
                    Span::raw(" → "),
                    Span::styled(t.next_step.name().to_string(), theme.step()),
                ];
                if let Some(c) = &t.challenge_name {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(c.clone(), theme.key()));
                }
                if let Some(s) = &t.session_id {
                    let age_ms = t.session_age_ms.unwrap_or(0) as i64;
                    let style = if age_ms >= validity_ms {
                        theme.error()
                    } else {
                        theme.dim()
                    };
                    spans.push(Span::styled(
                        format!(
                            "  Session {s} {}/{}",
                            countdown(age_ms / 1000),
                            countdown(validity_ms / 1000)
                        ),
                        style,
                    ));
                }
                if !t.operations.is_empty() {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(t.operations.join("+"), theme.operation()));
                    spans.push(Span::styled(
                        format!(" {}", duration(t.latency_ms)),
                        theme.dim(),
                    ));
                }
                Line::from(spans)
            }
            StatusEntry::Error {
                at_ms,
                error,
                session,
            } => {
                let op = error
                    .operation
                    .as_ref()
                    .map(|o| format!(" {o}"))
                    .unwrap_or_default();
                let rid = error
                    .request_id
                    .as_ref()
                    .map(|r| format!(" (request {r})"))
                    .unwrap_or_default();
                let spans = vec![
                    Span::styled(clock(*at_ms), theme.dim()),
                    Span::raw(" "),
                    Span::styled(
                        format!(
                            "ERROR {}{op}: {}: {}{rid}",
                            error.api, error.code, error.message
                        ),
                        theme.error(),
                    ),
                ];
                let _ = session; // shown on the row below (see `lines`)
                Line::from(spans)
            }
            StatusEntry::Info {
                at_ms,
                api,
                message,
            } => Line::from(vec![
                Span::styled(clock(*at_ms), theme.dim()),
                Span::raw(" "),
                Span::styled(format!("{api}: {message}"), theme.info()),
            ]),
        }
    }
}

/// Draws the pane. `back` is how many entries the view is scrolled back from the newest;
/// `validity_ms` is how long a challenge Session lives.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    entries: &[StatusEntry],
    back: usize,
    validity_ms: i64,
    theme: &Theme,
) {
    let title = if back > 0 {
        format!(" Status (UTC) — {back} newer below ")
    } else {
        " Status (UTC) ".to_string()
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    if rows == 0 {
        return;
    }
    if entries.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "No steps yet. Each nextStep, error and note will appear here.",
                theme.dim(),
            )),
            inner,
        );
        return;
    }
    let end = entries
        .len()
        .saturating_sub(back.min(entries.len().saturating_sub(1)));
    // Fill the pane from the newest entry up; an entry that does not fit whole shows its
    // first row(s) only when it is the newest.
    // Only the newest transition (the step the user is on) gets its explanation row.
    let newest_transition = entries[..end]
        .iter()
        .rposition(|e| matches!(e, StatusEntry::Transition(_)));
    let mut lines: Vec<Line> = Vec::new();
    for (i, e) in entries[..end].iter().enumerate().rev() {
        let mut l = e.lines(theme, validity_ms, Some(i) == newest_transition);
        if lines.len() + l.len() > rows {
            if lines.is_empty() {
                l.truncate(rows);
                lines = l;
            }
            break;
        }
        l.extend(lines);
        lines = l;
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
