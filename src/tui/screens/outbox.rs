//! The Outbox: codes the embedded pool "sent" by email or SMS, newest first, the code in
//! bold so it can be read at a glance.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::forms::sent_clock;
use crate::tui::App;
use crate::tui::widgets::truncate;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    if !app.local {
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
    if app.outbox.is_empty() {
        let msg = if app.outbox_loaded {
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
    let start = app.outbox_selected.saturating_sub(rows - 1);
    let mut y = area.y;
    for (i, e) in app.outbox.iter().rev().enumerate().skip(start).take(rows) {
        let sel = i == app.outbox_selected;
        let marker = if sel { "›" } else { " " };
        let first = Line::from(vec![
            Span::styled(marker, t.key()),
            Span::styled(format!("{} ", sent_clock(&e.sent_at)), t.dim()),
            Span::styled(e.code.clone(), t.code()),
            Span::raw(format!("  {} ", e.purpose)),
            Span::styled(e.username.clone(), t.title()),
        ]);
        let second = Line::styled(
            truncate(
                &format!("  {} to {} · pool {}", e.medium, e.destination, e.pool_id),
                area.width as usize,
            ),
            t.dim(),
        );
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
