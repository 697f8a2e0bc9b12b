//! A small multi-line text editor (the step mode's request editor): typing, line breaks,
//! Backspace/Delete across lines, arrows, Home/End, PgUp/PgDn, bracketed paste. The view
//! follows the cursor, scrolling down and sideways; the terminal cursor is put where the
//! next character goes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::theme::Theme;

/// The text as lines, and the cursor as (line, character) positions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextEditor {
    lines: Vec<String>,
    row: usize,
    col: usize,
}

/// Whether the editor used a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorKey {
    Handled,
    Ignored,
}

impl TextEditor {
    pub fn new(text: &str) -> Self {
        let mut e = Self::default();
        e.set_text(text);
        e
    }

    /// Replaces the text; the cursor goes to the start.
    pub fn set_text(&mut self, text: &str) {
        self.lines = text.lines().map(str::to_string).collect();
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.row = 0;
        self.col = 0;
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The cursor: (line, character), from 0.
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    fn len(&self, row: usize) -> usize {
        self.lines.get(row).map_or(0, |l| l.chars().count())
    }

    fn byte(&self, row: usize, col: usize) -> usize {
        let line = &self.lines[row];
        line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    fn insert_char(&mut self, c: char) {
        let at = self.byte(self.row, self.col);
        self.lines[self.row].insert(at, c);
        self.col += 1;
    }

    fn newline(&mut self) {
        let at = self.byte(self.row, self.col);
        let rest = self.lines[self.row].split_off(at);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    /// Inserts `text` at the cursor (line breaks included).
    pub fn insert(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for c in text.chars() {
            match c {
                '\n' => self.newline(),
                '\t' => {
                    self.insert_char(' ');
                    self.insert_char(' ');
                }
                c if c.is_control() => {}
                c => self.insert_char(c),
            }
        }
    }

    fn backspace(&mut self) {
        if self.col > 0 {
            self.col -= 1;
            let at = self.byte(self.row, self.col);
            self.lines[self.row].remove(at);
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.len(self.row);
            self.lines[self.row].push_str(&line);
        }
    }

    fn delete(&mut self) {
        if self.col < self.len(self.row) {
            let at = self.byte(self.row, self.col);
            self.lines[self.row].remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    fn move_to(&mut self, row: usize) {
        self.row = row.min(self.lines.len() - 1);
        self.col = self.col.min(self.len(self.row));
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> EditorKey {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(c) if plain => self.insert_char(c),
            KeyCode::Enter if plain => self.newline(),
            KeyCode::Tab => self.insert("\t"),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left if self.col > 0 => self.col -= 1,
            KeyCode::Left if self.row > 0 => {
                self.row -= 1;
                self.col = self.len(self.row);
            }
            KeyCode::Right if self.col < self.len(self.row) => self.col += 1,
            KeyCode::Right if self.row + 1 < self.lines.len() => {
                self.row += 1;
                self.col = 0;
            }
            KeyCode::Left | KeyCode::Right => {}
            KeyCode::Up => self.move_to(self.row.saturating_sub(1)),
            KeyCode::Down => self.move_to(self.row + 1),
            KeyCode::PageUp => self.move_to(self.row.saturating_sub(10)),
            KeyCode::PageDown => self.move_to(self.row + 10),
            KeyCode::Home => self.col = 0,
            KeyCode::End => self.col = self.len(self.row),
            _ => return EditorKey::Ignored,
        }
        EditorKey::Handled
    }

    /// Draws the lines in view (the cursor's line and column always in it) and puts the
    /// terminal cursor there.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let (w, h) = (area.width as usize, area.height as usize);
        if w == 0 || h == 0 {
            return;
        }
        let top = (self.row + 1).saturating_sub(h);
        let left = (self.col + 1).saturating_sub(w);
        let rows: Vec<Line> = self
            .lines
            .iter()
            .skip(top)
            .take(h)
            .map(|l| {
                Line::styled(
                    l.chars().skip(left).take(w).collect::<String>(),
                    theme.base(),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(rows), area);
        frame.set_cursor_position(Position::new(
            area.x + (self.col - left) as u16,
            area.y + (self.row - top) as u16,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_breaking_and_joining_lines() {
        let mut e = TextEditor::new("{\n  \"A\": 1\n}");
        e.handle_key(key(KeyCode::Down));
        e.handle_key(key(KeyCode::End));
        assert_eq!(e.cursor(), (1, 8));
        e.insert(",\n\"é\": \"x\"");
        assert_eq!(e.text(), "{\n  \"A\": 1,\n\"é\": \"x\"\n}");
        assert_eq!(e.cursor(), (2, 8));
        e.handle_key(key(KeyCode::Home));
        e.handle_key(key(KeyCode::Backspace));
        assert_eq!(e.text(), "{\n  \"A\": 1,\"é\": \"x\"\n}");
        e.handle_key(key(KeyCode::End));
        e.handle_key(key(KeyCode::Delete));
        assert_eq!(e.text(), "{\n  \"A\": 1,\"é\": \"x\"}");
        e.handle_key(key(KeyCode::Left));
        e.handle_key(key(KeyCode::Backspace));
        assert_eq!(e.text(), "{\n  \"A\": 1,\"é\": \"\"}");
        // Ctrl-letters are not typed.
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(e.handle_key(ctrl_s), EditorKey::Ignored);
        assert_eq!(e.text(), "{\n  \"A\": 1,\"é\": \"\"}");
    }

    #[test]
    fn the_view_follows_the_cursor() {
        let text: Vec<String> = (0..30)
            .map(|i| format!("line {i} {}", "x".repeat(i)))
            .collect();
        let mut e = TextEditor::new(&text.join("\n"));
        for _ in 0..25 {
            e.handle_key(key(KeyCode::Down));
        }
        e.handle_key(key(KeyCode::End));
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(20, 5)).unwrap();
        term.draw(|f| e.render(f, f.area(), &Theme::default()))
            .unwrap();
        let buf = term.backend().buffer().clone();
        let last: String = (0..20).map(|x| buf[(x, 4)].symbol().to_string()).collect();
        // The end of the long line is in view, the cursor just after it.
        assert_eq!(last, format!("{} ", "x".repeat(19)));
        let cursor = term.get_cursor_position().unwrap();
        assert_eq!((cursor.x, cursor.y), (19, 4));
    }
}
