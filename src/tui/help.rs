//! The help overlay's scrolling part: the keys (listed by `draw.rs`) followed by the glossary
//! of Cognito's terms, which at 80×24 is longer than the screen; ↑↓ PgUp PgDn scroll it and
//! the title says how much is left.

use std::cell::Cell;

use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;
use super::widgets::{wrap_hanging, wrap_line};
use crate::auth::explain::GLOSSARY;

/// How far the overlay is scrolled, and how far it can be (known once it is drawn).
#[derive(Debug, Default)]
pub struct HelpScroll {
    pub scroll: u16,
    pub max: Cell<u16>,
}

impl HelpScroll {
    /// A key while help is open; true when it closes help.
    pub fn key(&mut self, code: KeyCode) -> bool {
        let by: i32 = match code {
            KeyCode::Esc
            | KeyCode::Enter
            | KeyCode::F(9)
            | KeyCode::Char('?')
            | KeyCode::Char('q') => return true,
            KeyCode::Down | KeyCode::Char('j') => 1,
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::PageDown | KeyCode::Char(' ') => 10,
            KeyCode::PageUp => -10,
            _ => 0,
        };
        let max = i32::from(self.max.get());
        self.scroll = (i32::from(self.scroll) + by).clamp(0, max) as u16;
        false
    }

    /// `keys` (the key rows), then the glossary, in `popup`, scrolled.
    pub fn render(&self, frame: &mut Frame, popup: Rect, keys: Vec<Line<'static>>, t: &Theme) {
        let inner_w = popup.width.saturating_sub(2) as usize;
        let mut rows: Vec<Line> = Vec::new();
        for l in keys {
            rows.extend(wrap_line(l, inner_w));
        }
        rows.push(Line::raw(""));
        rows.push(Line::styled("Cognito's terms", t.title()));
        for (term, meaning) in GLOSSARY {
            rows.extend(wrap_hanging(
                Line::from(vec![
                    Span::styled(term.to_string(), t.key()),
                    Span::raw(format!(": {meaning}")),
                ]),
                inner_w,
                2,
            ));
        }
        let view = popup.height.saturating_sub(2) as usize;
        let max_scroll = rows.len().saturating_sub(view);
        let scroll = (self.scroll as usize).min(max_scroll);
        self.max.set(u16::try_from(max_scroll).unwrap_or(u16::MAX));
        let title = if max_scroll == 0 {
            " Keys and terms ".to_string()
        } else if scroll < max_scroll {
            format!(" Keys and terms — ↓ {} more rows ", max_scroll - scroll)
        } else {
            " Keys and terms — end (↑ back) ".to_string()
        };
        let shown: Vec<Line> = rows.into_iter().skip(scroll).take(view).collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(shown).block(
                Block::bordered()
                    .title(Span::styled(title, t.title()))
                    .border_style(t.border_focused()),
            ),
            popup,
        );
    }
}
