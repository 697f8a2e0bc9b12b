//! The Outbox: codes the embedded pool "sent" by email or SMS, newest first, the code in
//! bold so it can be read at a glance.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::admin::{AdminCommand, OutboxEntry};
use crate::tui::context::Context;
use crate::tui::shared::Action;
use crate::tui::widgets::{sent_clock, truncate};

#[derive(Debug, Default)]
pub struct OutboxScreen {
    pub entries: Vec<OutboxEntry>,
    pub loaded: bool,
    /// Index into the newest-first list.
    pub selected: usize,
}

impl OutboxScreen {
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Vec<Action> {
        let n = self.entries.len();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') if n > 0 => {
                self.selected = (self.selected + 1).min(n - 1);
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
            }
            KeyCode::Char('r') if ctx.local => {
                return vec![Action::Admin(AdminCommand::FetchOutbox)];
            }
            KeyCode::Char('y') if n > 0 => {
                let e = &self.entries[n - 1 - self.selected.min(n - 1)];
                let code = e.code.clone();
                ctx.flash_info(format!("Copied {}'s code to the clipboard.", e.username));
                return vec![Action::Copy(code)];
            }
            KeyCode::Enter if n > 0 => {
                // Newest first on screen.
                let e = self.entries[n - 1 - self.selected.min(n - 1)].clone();
                return vec![Action::UseCode(e)];
            }
            _ => {}
        }
        Vec::new()
    }

    /// The pool's outbox as just read.
    pub fn update(&mut self, entries: Vec<OutboxEntry>) {
        self.entries = entries;
        self.loaded = true;
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        render(self, ctx, frame, area);
    }
}

fn render(outbox: &OutboxScreen, ctx: &Context, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    if !ctx.local {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "Real Cognito sends codes by email/SMS; the outbox exists for the embedded pool.",
                t.dim(),
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    if outbox.entries.is_empty() {
        let msg = if outbox.loaded {
            "No codes sent yet. Sign up (F1) and the confirmation code lands here."
        } else {
            "Reading the outbox…"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, t.dim())).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let rows = area.height as usize / 2;
    if rows == 0 {
        return;
    }
    let start = outbox.selected.saturating_sub(rows - 1);
    let mut y = area.y;
    for (i, e) in outbox
        .entries
        .iter()
        .rev()
        .enumerate()
        .skip(start)
        .take(rows)
    {
        let sel = i == outbox.selected;
        let marker = if sel { "›" } else { " " };
        // A short code leads the first row; a long one (a TOTP secret) takes the second
        // row so the purpose and the user are never the part that is cut.
        let short = e.code.chars().count() <= 8;
        let mut head = vec![
            Span::styled(marker, t.key()),
            Span::styled(format!("{} ", sent_clock(&e.sent_at)), t.dim()),
        ];
        if short {
            head.push(Span::styled(e.code.clone(), t.code()));
            head.push(Span::raw("  "));
        }
        head.push(Span::raw(format!("{} ", e.purpose)));
        head.push(Span::styled(e.username.clone(), t.title()));
        let first = Line::from(head);
        // The message text the pool's templates made, when it has one.
        let rest = match &e.message {
            Some(m) => format!(
                " {} to {} · “{}” · pool {}",
                e.medium,
                e.destination,
                m.trim(),
                e.pool_id
            ),
            None => format!(" {} to {} · pool {}", e.medium, e.destination, e.pool_id),
        };
        let second = if short {
            Line::styled(truncate(&format!(" {rest}"), area.width as usize), t.dim())
        } else {
            let room = (area.width as usize).saturating_sub(2);
            let code = truncate(&e.code, room);
            let left = room.saturating_sub(code.chars().count());
            Line::from(vec![
                Span::raw("  "),
                Span::styled(code, t.code()),
                Span::styled(truncate(&rest, left), t.dim()),
            ])
        };
        let first = if sel {
            first.style(t.selected())
        } else {
            first
        };
        frame.render_widget(first, Rect::new(area.x, y, area.width, 1));
        if y + 1 < area.bottom() {
            frame.render_widget(second, Rect::new(area.x, y + 1, area.width, 1));
        }
        y += 2;
    }
}
