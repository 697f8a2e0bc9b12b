//! The status pane: every `nextStep` transition (time, API, from → to, the Cognito
//! operations and their latency, ChallengeName, Session id and age), errors in red and
//! info lines. Newest at the bottom; it follows the newest entry unless scrolled back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{clock, duration};
use crate::auth::events::{AuthErrorView, Transition};
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq)]
pub enum StatusEntry {
    Transition(Transition),
    Error {
        at_ms: i64,
        error: AuthErrorView,
    },
    Info {
        at_ms: i64,
        api: String,
        message: String,
    },
}

impl StatusEntry {
    pub fn line(&self, theme: &Theme) -> Line<'static> {
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
                if !t.operations.is_empty() {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(t.operations.join("+"), theme.operation()));
                    spans.push(Span::styled(
                        format!(" {}", duration(t.latency_ms)),
                        theme.dim(),
                    ));
                }
                if let Some(c) = &t.challenge_name {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(c.clone(), theme.key()));
                }
                if let Some(s) = &t.session_id {
                    let age = t
                        .session_age_ms
                        .map(|a| format!(" age {}", duration(a)))
                        .unwrap_or_default();
                    spans.push(Span::styled(format!("  Session {s}{age}"), theme.dim()));
                }
                Line::from(spans)
            }
            StatusEntry::Error { at_ms, error } => {
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
                Line::from(vec![
                    Span::styled(clock(*at_ms), theme.dim()),
                    Span::raw(" "),
                    Span::styled(
                        format!(
                            "ERROR {}{op}: {}: {}{rid}",
                            error.api, error.code, error.message
                        ),
                        theme.error(),
                    ),
                ])
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

/// Draws the pane. `back` is how many entries the view is scrolled back from the newest.
pub fn render(frame: &mut Frame, area: Rect, entries: &[StatusEntry], back: usize, theme: &Theme) {
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
    let start = end.saturating_sub(rows);
    let lines: Vec<Line> = entries[start..end].iter().map(|e| e.line(theme)).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
