//! The status pane: every `nextStep` transition (time, API, from → to, the Cognito
//! operations and their latency, ChallengeName, Session id and age), errors in red and
//! info lines. Newest at the bottom; it follows the newest entry unless scrolled back.
//! Rows wrap to the pane's width; a picked row opens whole in a detail view with the call
//! behind it. A transition's one-line explanation goes on a second line under it (every error
//! has one too: a lockout, a rate limit, a wrong code to type again); the Session age is
//! shown against the window the Session lives (AuthSessionValidity, 3 minutes by default),
//! and an error answering a challenge names the Session it used.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{clock, countdown, duration, wrap_hanging, wrap_line};
use crate::auth::events::{AuthErrorView, Transition};
use crate::auth::explain;
use crate::cognito::exchange::WireExchange;
use crate::cognito::types::TriggerInvocation;
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
    /// A Lambda trigger the pool ran during a call.
    Trigger(TriggerInvocation),
}

/// What a lockout means, for the flash line (the status row explains every error).
pub fn error_note(e: &AuthErrorView) -> Option<&'static str> {
    (e.code == "NotAuthorizedException" && e.message.starts_with("Password attempts exceeded"))
        .then(|| explain::error_explanation(e))
        .flatten()
}

impl StatusEntry {
    /// The entry's rows: one, plus (when `explain`) the explanation under a transition,
    /// and under an error that a stale or reused Session caused, that Session.
    pub fn lines(&self, theme: &Theme, validity_ms: i64, explain: bool) -> Vec<Line<'static>> {
        let mut out = vec![self.line_with(theme, validity_ms)];
        let why = |text: String| {
            Line::from(vec![
                Span::raw("         ↳ "),
                Span::styled(text, theme.info()),
            ])
        };
        match self {
            StatusEntry::Transition(t) if explain && !t.explanation.is_empty() => {
                out.push(why(t.explanation.clone()));
            }
            StatusEntry::Error { error, session, .. } => {
                // An error always says what it means (a lockout, a rate limit, a wrong code
                // that can be typed again), and which Session it used when that was the cause.
                if let Some(text) = explain::error_explanation(error) {
                    out.push(why(text.to_string()));
                }
                if let Some(s) = session {
                    out.push(session_line(s, theme));
                }
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
            StatusEntry::Trigger(run) => {
                let mut spans = vec![
                    Span::styled(clock(run.at_ms), theme.dim()),
                    Span::raw(" "),
                    Span::styled(format!("λ {}", run.trigger), theme.title()),
                    Span::raw(" "),
                    Span::styled(run.trigger_source.clone(), theme.key()),
                    Span::styled(
                        format!("  {} {}  ", run.runner, duration(run.duration_ms)),
                        theme.dim(),
                    ),
                ];
                if run.ok() {
                    spans.push(Span::styled("ok", theme.ok()));
                } else {
                    spans.push(Span::styled(
                        match &run.error {
                            Some(m) => format!("{}: {m}", run.outcome),
                            None => run.outcome.clone(),
                        },
                        theme.error(),
                    ));
                }
                Line::from(spans)
            }
        }
    }
}

/// The exchange behind a status row: for a transition its last Cognito operation, for an
/// error the operation that failed, for a note the newest call made by then; always the
/// newest such call sent at or before the row's time.
pub fn call_of(entry: &StatusEntry, exchanges: &[WireExchange]) -> Option<usize> {
    let (at_ms, operation) = match entry {
        StatusEntry::Transition(t) => (t.at_ms, Some(t.operations.last()?.as_str())),
        StatusEntry::Error { at_ms, error, .. } => (*at_ms, Some(error.operation.as_deref()?)),
        StatusEntry::Info { at_ms, .. } => (*at_ms, None),
        StatusEntry::Trigger(run) => {
            return exchanges.iter().rposition(|x| {
                x.trigger_source.as_deref() == Some(run.trigger_source.as_str())
                    && x.started_at_ms == run.at_ms
                    && x.operation == run.trigger
            });
        }
    };
    exchanges.iter().rposition(|x| {
        x.trigger_source.is_none()
            && x.started_at_ms <= at_ms
            && operation.is_none_or(|o| x.operation == o)
    })
}

/// The row under an error that a stale or reused Session caused: that Session and its age.
fn session_line(s: &SessionRef, theme: &Theme) -> Line<'static> {
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
    Line::from(vec![
        Span::raw("         ↳ "),
        Span::styled(format!("Session {} {state}", s.id), theme.error()),
        Span::styled(
            ": a Session answers one challenge, once — sign in again",
            theme.info(),
        ),
    ])
}

impl StatusEntry {
    /// The row's explanation, as the pane and an exported transcript give it: a
    /// transition's own, an error's meaning; a note is its own explanation.
    pub fn explanation(&self) -> Option<String> {
        match self {
            StatusEntry::Transition(t) => Some(t.explanation.clone()).filter(|e| !e.is_empty()),
            StatusEntry::Error { error, .. } => {
                explain::error_explanation(error).map(str::to_string)
            }
            // A run's row says which trigger ran, how long and how it ended; a failed run's
            // error is what the handler (or the runner) said.
            StatusEntry::Trigger(run) => run.error.clone(),
            StatusEntry::Info { .. } => None,
        }
    }

    fn at_ms(&self) -> i64 {
        match self {
            StatusEntry::Transition(t) => t.at_ms,
            StatusEntry::Trigger(run) => run.at_ms,
            StatusEntry::Error { at_ms, .. } | StatusEntry::Info { at_ms, .. } => *at_ms,
        }
    }
}

/// The whole of one status row (Enter on a picked row): its text wrapped, its explanation
/// or the Session behind it, and the call that produced it (the inspector shows that call).
pub fn render_detail(
    frame: &mut Frame,
    area: Rect,
    entry: &StatusEntry,
    call: Option<(usize, &[WireExchange])>,
    validity_ms: i64,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(2).min(84);
    let inner_w = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    for l in entry.lines(theme, validity_ms, true) {
        lines.extend(wrap_line(l, inner_w));
    }
    lines.push(Line::raw(""));
    // The row's own facts come after the call behind it, so a small terminal shows the
    // row, its explanation and its call first.
    let mut facts: Vec<Line<'static>> = Vec::new();
    match entry {
        StatusEntry::Transition(t) => {
            for (k, v) in &t.challenge_parameters {
                facts.extend(wrap_line(
                    Line::from(vec![
                        Span::styled(format!("{k} "), theme.label()),
                        Span::raw(v.clone()),
                    ]),
                    inner_w,
                ));
            }
        }
        StatusEntry::Error { error, .. } => {
            facts.push(Line::from(vec![
                Span::styled("code ", theme.label()),
                Span::styled(error.code.clone(), theme.error()),
            ]));
            facts.extend(wrap_line(
                Line::from(vec![
                    Span::styled("message ", theme.label()),
                    Span::raw(error.message.clone()),
                ]),
                inner_w,
            ));
        }
        StatusEntry::Info { .. } => {}
        StatusEntry::Trigger(run) => {
            lines.push(Line::from(vec![
                Span::styled("user ", theme.label()),
                Span::raw(run.user_name.clone()),
                Span::styled("  pool ", theme.label()),
                Span::raw(run.pool_id.clone()),
            ]));
        }
    }
    match call.and_then(|(i, xs)| Some((i, xs.len(), xs.get(i)?))) {
        Some((i, n, x)) => {
            let trigger = x.trigger_source.is_some();
            let status = match (x.status, &x.error) {
                (_, None) if trigger => Span::styled("ok", theme.ok()),
                (_, Some(e)) if trigger => Span::styled(e.clone(), theme.error()),
                (Some(s), None) => Span::styled(format!("{s}"), theme.ok()),
                (Some(s), Some(e)) => Span::styled(format!("{s} {e}"), theme.error()),
                (None, Some(e)) => Span::styled(format!("no response: {e}"), theme.error()),
                (None, None) => Span::styled("no response", theme.error()),
            };
            lines.extend(wrap_line(
                Line::from(vec![
                    Span::styled(if trigger { "run " } else { "call " }, theme.label()),
                    Span::styled(x.operation.clone(), theme.title()),
                    Span::raw(" "),
                    status,
                    Span::styled(
                        format!(
                            " {} {} {} · Inspector {}/{n}",
                            duration(x.latency_ms),
                            if trigger { "ran" } else { "sent" },
                            clock(x.started_at_ms),
                            i + 1
                        ),
                        theme.dim(),
                    ),
                ]),
                inner_w,
            ));
            if let Some(m) = x.response.get("message").and_then(|m| m.as_str()) {
                lines.extend(wrap_line(
                    Line::from(vec![
                        Span::styled("Cognito said ", theme.label()),
                        Span::raw(m.to_string()),
                    ]),
                    inner_w,
                ));
            }
        }
        None => lines.push(Line::styled(
            "No Cognito call behind this row (the client decided it).",
            theme.dim(),
        )),
    }
    lines.extend(facts);
    let h = (lines.len() as u16 + 2).min(area.height);
    let x = area.x + (area.width - w) / 2;
    let y = area.y + (area.height - h) / 2;
    let popup = Rect::new(x, y, w, h);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(Span::styled(
                    format!(" Status row {} — Esc closes ", clock(entry.at_ms())),
                    theme.title(),
                ))
                .border_style(theme.border_focused()),
        ),
        popup,
    );
}

/// Draws the pane. `back` is how many entries the view is scrolled back from the newest;
/// with `pick` the lowest entry shown is picked (Enter opens it whole); `validity_ms` is
/// how long a challenge Session lives. Rows wrap; every transition has its explanation when
/// all of them fit, or while scrolled back or picking; else only the newest.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    entries: &[StatusEntry],
    back: usize,
    pick: bool,
    validity_ms: i64,
    theme: &Theme,
) {
    let block = Block::bordered().border_style(theme.border());
    let inner = block.inner(area);
    let rows = inner.height as usize;
    let width = inner.width as usize;
    let end = entries
        .len()
        .saturating_sub(back.min(entries.len().saturating_sub(1)));
    // Fill the pane from the newest entry up; an entry that does not fit whole shows its
    // first row(s) only when it is the newest. Every transition keeps its explanation when
    // they all fit; else the newest one (and, scrolled back or picking, every one) shows it.
    let newest_transition = entries[..end]
        .iter()
        .rposition(|e| matches!(e, StatusEntry::Transition(_)));
    let fill = |explain_all: bool| -> (Vec<Line<'static>>, bool, bool) {
        let mut lines: Vec<Line> = Vec::new();
        let mut cut = false;
        let mut whole = true;
        if rows == 0 {
            return (lines, cut, false);
        }
        for (i, e) in entries[..end].iter().enumerate().rev() {
            let explain = explain_all || pick || back > 0 || Some(i) == newest_transition;
            let mut l: Vec<Line> = e
                .lines(theme, validity_ms, explain)
                .into_iter()
                .flat_map(|l| wrap_hanging(l, width, 9))
                .collect();
            if pick && i + 1 == end {
                l = l
                    .into_iter()
                    .map(|x| x.patch_style(theme.selected()))
                    .collect();
            }
            if lines.len() + l.len() > rows {
                whole = false;
                if lines.is_empty() {
                    l.truncate(rows);
                    lines = l;
                    cut = true;
                }
                break;
            }
            l.extend(lines);
            lines = l;
        }
        (lines, cut, whole)
    };
    let (lines, cut) = match fill(true) {
        (lines, cut, true) => (lines, cut),
        _ => {
            let (lines, cut, _) = fill(false);
            (lines, cut)
        }
    };
    let title = if pick {
        " Status (UTC) — Enter opens the row · Esc ".to_string()
    } else if cut {
        " Status (UTC) — cut: Alt-↑ then Enter reads it ".to_string()
    } else if back > 0 {
        format!(" Status (UTC) — {back} newer below ")
    } else {
        " Status (UTC) ".to_string()
    };
    let block = block.title(Span::styled(title, theme.title()));
    frame.render_widget(block, area);
    if rows == 0 {
        return;
    }
    if entries.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "No steps yet. Each nextStep, error and note will appear here.",
                theme.dim(),
            ))
            .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
