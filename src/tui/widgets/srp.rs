//! The SRP panel: the last SRP sign-in derived step by step (the client's side and, against
//! a cognito-tui pool, the server's), one quantity per entry with its formula, its meaning and
//! its value. Values are abbreviated until Enter expands them; the private exponent a shows
//! only after an explicit `r`, and never survives into the next sign-in.

use std::cell::Cell;
use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::wrap_hanging;
use crate::srp::{Quantity, ServerSrpSide, Shown, SrpDerivation};
use crate::tui::theme::Theme;

/// Values longer than this are shown abbreviated until expanded.
const SHORT: usize = 40;

#[derive(Debug, Default)]
pub struct SrpPanel {
    pub open: bool,
    /// The client's side of the last SRP proof.
    pub client: Option<SrpDerivation>,
    /// The pool's side of the same sign-in (same u), when the target published it.
    pub server: Option<ServerSrpSide>,
    /// The selected entry (client quantities first, then the server's).
    pub selected: usize,
    pub expanded: BTreeSet<usize>,
    /// `r` was pressed: a (and what the pool publishes of b) is shown.
    pub revealed: bool,
    /// First row the last frame drew: the view moves only as far as the selection needs.
    top: Cell<usize>,
}

/// What a key did to the panel.
#[derive(Debug, PartialEq, Eq)]
pub enum PanelKey {
    Handled,
    Closed,
}

impl SrpPanel {
    /// A new SRP proof: the panel forgets the last one (and any reveal).
    pub fn set_client(&mut self, d: SrpDerivation) {
        if self.server.as_ref().is_some_and(|s| s.u != d.u) {
            self.server = None;
        }
        self.client = Some(d);
        self.expanded.clear();
        self.revealed = false;
        self.selected = 0;
        self.top.set(0);
    }

    /// The pool's side: kept only if it belongs to the proof shown.
    pub fn set_server(&mut self, s: ServerSrpSide) {
        if self.client.as_ref().is_some_and(|c| c.u == s.u) {
            self.server = Some(s);
        }
    }

    /// Every entry, client's first.
    pub fn quantities(&self) -> Vec<(Side, Quantity)> {
        let mut v: Vec<(Side, Quantity)> = Vec::new();
        if let Some(c) = &self.client {
            v.extend(c.quantities().into_iter().map(|q| (Side::Client, q)));
        }
        if let Some(s) = &self.server {
            v.extend(s.quantities().into_iter().map(|q| (Side::Server, q)));
        }
        v
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> PanelKey {
        let n = self.quantities().len();
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.open = false;
                self.revealed = false;
                return PanelKey::Closed;
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                self.selected = self.selected.saturating_sub(1);
            }
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = n.saturating_sub(1),
            KeyCode::PageDown => self.selected = (self.selected + 3).min(n.saturating_sub(1)),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(3),
            KeyCode::Enter | KeyCode::Char(' ') if !self.expanded.remove(&self.selected) => {
                self.expanded.insert(self.selected);
            }
            KeyCode::Char('r') => self.revealed = !self.revealed,
            _ => {}
        }
        PanelKey::Handled
    }

    /// The panel's rows at `width` columns, each with the entry it belongs to.
    pub fn rows(
        &self,
        width: usize,
        theme: &Theme,
        local: bool,
    ) -> Vec<(Option<usize>, Line<'static>)> {
        let mut rows: Vec<(Option<usize>, Line<'static>)> = Vec::new();
        let mut push = |entry: Option<usize>, line: Line<'static>, indent: usize| {
            for l in wrap_hanging(line, width, indent) {
                rows.push((entry, l));
            }
        };
        let Some(c) = &self.client else {
            push(
                None,
                Line::raw("No SRP sign-in yet: sign in with USER_SRP_AUTH (the default flow)."),
                0,
            );
            return rows;
        };
        push(
            None,
            Line::from(vec![
                Span::styled("Client side ", theme.title()),
                Span::styled(
                    format!(
                        "· {} in pool {} · TIMESTAMP {}",
                        c.user_id_for_srp, c.pool_name, c.timestamp
                    ),
                    theme.dim(),
                ),
            ]),
            2,
        );
        let mut server_started = false;
        for (i, (side, q)) in self.quantities().into_iter().enumerate() {
            if side == Side::Server && !server_started {
                server_started = true;
                push(None, Line::raw(""), 0);
                push(
                    None,
                    Line::styled(
                        "Pool side (published after it checked the answer)",
                        theme.title(),
                    ),
                    2,
                );
            }
            let sel = i == self.selected;
            let marker = if sel { "▸ " } else { "  " };
            let head = Line::from(vec![
                Span::styled(marker, theme.key()),
                Span::styled(
                    q.formula.to_string(),
                    if sel { theme.selected() } else { theme.label() },
                ),
            ]);
            push(Some(i), head, 4);
            push(
                Some(i),
                Line::from(vec![
                    Span::raw("    "),
                    Span::styled(q.meaning, theme.dim()),
                ]),
                4,
            );
            let value = self.value(&q.value, self.expanded.contains(&i), theme);
            let mut spans = vec![Span::raw("    ")];
            spans.extend(value);
            push(Some(i), Line::from(spans), 4);
        }
        push(None, Line::raw(""), 0);
        push(None, self.verdict(theme, local), 2);
        rows
    }

    fn verdict(&self, theme: &Theme, local: bool) -> Line<'static> {
        let (Some(c), Some(s)) = (&self.client, &self.server) else {
            return Line::styled(
                if local {
                    "The pool's side shows once it has checked this answer."
                } else {
                    "Real Cognito does not publish its side: only the client's is shown."
                },
                theme.dim(),
            );
        };
        if c.key == s.key && s.signature_matched {
            Line::styled(
                "✓ Both sides reach the same K: the pool's HMAC matches PASSWORD_CLAIM_SIGNATURE.",
                theme.ok(),
            )
        } else if c.key == s.key {
            Line::styled(
                "✗ Both sides reach the same K, yet the pool refused the signature.",
                theme.error(),
            )
        } else {
            Line::styled(
                "✗ The two K differ: the password used is not the one behind the pool's \
                 verifier, so the pool refused the signature.",
                theme.error(),
            )
        }
    }

    fn value(&self, v: &Shown, expanded: bool, theme: &Theme) -> Vec<Span<'static>> {
        // Text (the message) keeps more of both ends: the names and the timestamp.
        let ends = if matches!(v, Shown::Text(_)) {
            (28, 30)
        } else {
            (16, 8)
        };
        let shorten = |s: &str, unit: &str| -> Vec<Span<'static>> {
            let n = s.chars().count();
            if expanded || n <= SHORT.max(ends.0 + ends.1 + 4) {
                vec![Span::styled(s.to_string(), theme.code())]
            } else {
                let head: String = s.chars().take(ends.0).collect();
                let tail: String = s.chars().skip(n - ends.1).collect();
                vec![
                    Span::styled(format!("{head}…{tail}"), theme.code()),
                    Span::styled(format!(" ({n} {unit}; Enter expands)"), theme.dim()),
                ]
            }
        };
        match v {
            Shown::Hex(h) => shorten(h, "hex digits"),
            Shown::Base64(b) => shorten(b, "chars"),
            Shown::Text(t) => shorten(t, "chars"),
            Shown::Fingerprint(f) => vec![
                Span::styled(f.clone(), theme.code()),
                Span::styled(" (fingerprint only)", theme.dim()),
            ],
            Shown::Secret(h) if self.revealed && !h.reveal().is_empty() => {
                let mut v = shorten(h.reveal(), "hex digits");
                v[0].style = theme.error();
                v.push(Span::styled(" (revealed: r hides)", theme.dim()));
                v
            }
            Shown::Secret(_) => vec![Span::styled("hidden · r reveals it", theme.dim())],
            Shown::Unavailable(fp) if self.revealed => vec![
                Span::styled("never published; its fingerprint: ", theme.dim()),
                Span::styled(fp.clone(), theme.code()),
            ],
            Shown::Unavailable(_) => vec![Span::styled(
                "hidden · r reveals what is published",
                theme.dim(),
            )],
        }
    }

    /// Draws the panel over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, local: bool) {
        let w = area.width.saturating_sub(2).min(100);
        let h = area.height.saturating_sub(2);
        let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
        let inner_w = w.saturating_sub(2) as usize;
        let inner_h = h.saturating_sub(2) as usize;
        let rows = self.rows(inner_w, theme, local);
        // Keep the selected entry in view: its first row, and as much of it as fits.
        let first = rows.iter().position(|(e, _)| *e == Some(self.selected));
        let last = rows.iter().rposition(|(e, _)| *e == Some(self.selected));
        let max_top = rows.len().saturating_sub(inner_h);
        let mut top = self.top.get().min(max_top);
        if let (Some(f), Some(l)) = (first, last) {
            if l >= top + inner_h {
                top = (l + 1).saturating_sub(inner_h).min(f);
            }
            if f < top {
                top = f;
            }
            // The first entry brings the header back into view, the last one the verdict.
            if self.selected == 0 {
                top = 0;
            } else if rows[l + 1..].iter().all(|(e, _)| e.is_none()) {
                top = max_top.min(f);
            }
        }
        self.top.set(top);
        let more = if top < max_top { " · ↓ more" } else { "" };
        let lines: Vec<Line> = rows
            .into_iter()
            .skip(top)
            .take(inner_h)
            .map(|(_, l)| l)
            .collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::bordered()
                    .title(Span::styled(" SRP, derived step by step ", theme.title()))
                    .title_bottom(Span::styled(
                        format!(" ↑↓ entry · Enter expand · r reveal a/b · Esc close{more} "),
                        theme.dim(),
                    ))
                    .border_style(theme.border_focused()),
            ),
            popup,
        );
    }
}

/// Whose quantity an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}
