//! A small form: text inputs (tui-input, optionally masked), toggles, choices and buttons.
//! Tab/Shift-Tab (and Up/Down) move between fields, Enter submits or presses the focused
//! button, Esc leaves the form (the app decides what Esc means beyond that).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::tui::theme::Theme;

/// Width of the label column.
const LABEL_WIDTH: u16 = 14;
/// The mask character for secret inputs: one per typed character.
pub const MASK: char = '•';

#[derive(Debug, Clone)]
pub enum FieldKind {
    Text {
        input: Input,
        masked: bool,
    },
    Toggle {
        value: bool,
    },
    Choice {
        options: Vec<String>,
        selected: usize,
    },
    Button,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// Stable id the screen reads values by.
    pub id: String,
    pub label: String,
    pub kind: FieldKind,
    /// A dim hint shown after the field.
    pub hint: Option<String>,
}

impl Field {
    pub fn text(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            kind: FieldKind::Text {
                input: Input::default(),
                masked: false,
            },
            hint: None,
        }
    }

    pub fn secret(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            kind: FieldKind::Text {
                input: Input::default(),
                masked: true,
            },
            hint: None,
        }
    }

    pub fn toggle(id: impl Into<String>, label: impl Into<String>, value: bool) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            kind: FieldKind::Toggle { value },
            hint: None,
        }
    }

    pub fn choice(id: impl Into<String>, label: impl Into<String>, options: Vec<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            kind: FieldKind::Choice {
                options,
                selected: 0,
            },
            hint: None,
        }
    }

    pub fn button(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            kind: FieldKind::Button,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_value(mut self, value: &str) -> Self {
        if let FieldKind::Text { input, .. } = &mut self.kind {
            *input = Input::new(value.to_string());
        }
        self
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    /// The key was used (typing, moving); redraw.
    Handled,
    /// Enter on a text/toggle/choice field: the form's main action.
    Submit,
    /// Enter (or Space) on a button.
    Pressed(String),
    /// Esc: the form lost focus.
    Left,
    /// The form did not use the key.
    Ignored,
}

#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: Vec<Field>,
    /// The focused field; `None` means the user is not typing (global letter keys work).
    pub focus: Option<usize>,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Self {
        Self {
            fields,
            focus: None,
        }
    }

    pub fn is_typing(&self) -> bool {
        self.focus
            .and_then(|i| self.fields.get(i))
            .is_some_and(|f| !matches!(f.kind, FieldKind::Button))
    }

    /// True when the focused field is a choice or a checkbox (←/→ change it).
    pub fn focus_is_choice(&self) -> bool {
        self.focus
            .and_then(|i| self.fields.get(i))
            .is_some_and(|f| matches!(f.kind, FieldKind::Choice { .. } | FieldKind::Toggle { .. }))
    }

    pub fn focus_first(&mut self) {
        self.focus = if self.fields.is_empty() {
            None
        } else {
            Some(0)
        };
    }

    /// Puts the cursor in the first empty text field, else on the first field.
    pub fn focus_first_empty(&mut self) {
        let idx = self.fields.iter().position(
            |fld| matches!(&fld.kind, FieldKind::Text { input, .. } if input.value().is_empty()),
        );
        match idx {
            Some(i) => self.focus = Some(i),
            None => self.focus_first(),
        }
    }

    pub fn focus_id(&mut self, id: &str) {
        if let Some(i) = self.fields.iter().position(|f| f.id == id) {
            self.focus = Some(i);
        }
    }

    pub fn focused_id(&self) -> Option<&str> {
        self.focus
            .and_then(|i| self.fields.get(i))
            .map(|f| f.id.as_str())
    }

    fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    fn field_mut(&mut self, id: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.id == id)
    }

    /// A text field's value, trimmed of surrounding whitespace (not for passwords).
    pub fn text(&self, id: &str) -> String {
        self.raw(id).trim().to_string()
    }

    /// A text field's exact value (passwords keep their spaces).
    pub fn raw(&self, id: &str) -> String {
        match self.field(id).map(|f| &f.kind) {
            Some(FieldKind::Text { input, .. }) => input.value().to_string(),
            Some(FieldKind::Choice { options, selected }) => {
                options.get(*selected).cloned().unwrap_or_default()
            }
            _ => String::new(),
        }
    }

    pub fn set_text(&mut self, id: &str, value: &str) {
        if let Some(Field {
            kind: FieldKind::Text { input, .. },
            ..
        }) = self.field_mut(id)
        {
            *input = Input::new(value.to_string());
        }
    }

    pub fn clear(&mut self, id: &str) {
        self.set_text(id, "");
    }

    pub fn toggle_value(&self, id: &str) -> bool {
        matches!(
            self.field(id).map(|f| &f.kind),
            Some(FieldKind::Toggle { value: true })
        )
    }

    pub fn choice_index(&self, id: &str) -> usize {
        match self.field(id).map(|f| &f.kind) {
            Some(FieldKind::Choice { selected, .. }) => *selected,
            _ => 0,
        }
    }

    pub fn set_choice(&mut self, id: &str, value: &str) {
        if let Some(Field {
            kind: FieldKind::Choice { options, selected },
            ..
        }) = self.field_mut(id)
            && let Some(i) = options.iter().position(|o| o == value)
        {
            *selected = i;
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        if n == 0 {
            return;
        }
        self.focus = Some(match (self.focus, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        });
    }

    /// Handles a key while the form has focus (or Tab to enter it).
    pub fn handle_key(&mut self, key: KeyEvent) -> FormOutcome {
        let shift_tab = key.code == KeyCode::BackTab
            || (key.code == KeyCode::Tab && key.modifiers.contains(KeyModifiers::SHIFT));
        if shift_tab {
            self.move_focus(false);
            return FormOutcome::Handled;
        }
        if key.code == KeyCode::Tab {
            self.move_focus(true);
            return FormOutcome::Handled;
        }
        let Some(i) = self.focus else {
            return FormOutcome::Ignored;
        };
        match key.code {
            KeyCode::Esc => {
                self.focus = None;
                return FormOutcome::Left;
            }
            KeyCode::Down => {
                self.move_focus(true);
                return FormOutcome::Handled;
            }
            KeyCode::Up => {
                self.move_focus(false);
                return FormOutcome::Handled;
            }
            _ => {}
        }
        let field = &mut self.fields[i];
        match &mut field.kind {
            FieldKind::Button => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') => FormOutcome::Pressed(field.id.clone()),
                _ => FormOutcome::Ignored,
            },
            FieldKind::Toggle { value } => match key.code {
                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => {
                    *value = !*value;
                    FormOutcome::Handled
                }
                KeyCode::Enter => FormOutcome::Submit,
                _ => FormOutcome::Ignored,
            },
            FieldKind::Choice { options, selected } => match key.code {
                KeyCode::Right | KeyCode::Char(' ') if !options.is_empty() => {
                    *selected = (*selected + 1) % options.len();
                    FormOutcome::Handled
                }
                KeyCode::Left if !options.is_empty() => {
                    *selected = (*selected + options.len() - 1) % options.len();
                    FormOutcome::Handled
                }
                KeyCode::Enter => FormOutcome::Submit,
                _ => FormOutcome::Ignored,
            },
            FieldKind::Text { input, .. } => {
                if key.code == KeyCode::Enter {
                    return FormOutcome::Submit;
                }
                if input.handle_event(&Event::Key(key)).is_some() {
                    FormOutcome::Handled
                } else {
                    // Printable keys are always the form's while typing, even when the
                    // input made no change (e.g. Backspace at the start).
                    match key.code {
                        KeyCode::Char(_)
                            if !key
                                .modifiers
                                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                        {
                            FormOutcome::Handled
                        }
                        KeyCode::Backspace
                        | KeyCode::Delete
                        | KeyCode::Left
                        | KeyCode::Right
                        | KeyCode::Home
                        | KeyCode::End => FormOutcome::Handled,
                        _ => FormOutcome::Ignored,
                    }
                }
            }
        }
    }

    /// A bracketed paste into the focused text field, as one insertion at the cursor.
    /// Fields are single-line: trailing line breaks are dropped (a copied line usually
    /// carries one) and only the first line of a multi-line paste is kept, since joining
    /// lines would silently make a different value; tabs become spaces and other control
    /// characters are removed. A paste never submits the form. `None` when no text field
    /// has focus.
    pub fn paste(&mut self, text: &str) -> Option<Pasted> {
        let i = self.focus?;
        let FieldKind::Text { input, .. } = &mut self.fields.get_mut(i)?.kind else {
            return None;
        };
        let (line, dropped) = single_line(text);
        let cursor = input.cursor();
        let value = input.value();
        let at = value
            .char_indices()
            .nth(cursor)
            .map_or(value.len(), |(b, _)| b);
        let mut next = String::with_capacity(value.len() + line.len());
        next.push_str(&value[..at]);
        next.push_str(&line);
        next.push_str(&value[at..]);
        let inserted = line.chars().count();
        *input = Input::new(next).with_cursor(cursor + inserted);
        Some(Pasted {
            inserted,
            dropped_lines: dropped,
        })
    }

    /// Number of rows `render` uses.
    pub fn height(&self) -> u16 {
        self.fields.len() as u16
    }

    /// Draws one row per field from `area.y`; places the cursor in the focused text field.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        for (i, field) in self.fields.iter().enumerate() {
            let y = area.y + i as u16;
            if y >= area.bottom() {
                break;
            }
            let row = Rect::new(area.x, y, area.width, 1);
            let focused = self.focus == Some(i);
            let label_style = if focused {
                theme.label_focused()
            } else {
                theme.label()
            };
            let marker = if focused { "›" } else { " " };
            let label_w = LABEL_WIDTH.min(row.width);
            let value_w = row.width.saturating_sub(label_w + 1);
            let mut spans = Vec::new();
            match &field.kind {
                FieldKind::Button => {
                    let style = if focused {
                        theme.button_focused()
                    } else {
                        theme.button()
                    };
                    spans.push(Span::styled(marker, label_style));
                    spans.push(Span::raw(" ".repeat(label_w.saturating_sub(1) as usize)));
                    spans.push(Span::styled(format!("[ {} ]", field.label), style));
                }
                _ => {
                    let label = format!("{marker}{}", field.label);
                    spans.push(Span::styled(pad_to(&label, label_w as usize), label_style));
                    spans.push(Span::raw(" "));
                    let input_style = if focused {
                        theme.input_focused()
                    } else {
                        theme.input()
                    };
                    match &field.kind {
                        FieldKind::Text { input, masked } => {
                            // Leave room for the hint when there is enough.
                            let hint_w = field
                                .hint
                                .as_ref()
                                .map_or(0, |h| h.chars().count() as u16 + 1);
                            let w = if hint_w > 0 && value_w >= hint_w + 12 {
                                value_w - hint_w
                            } else {
                                value_w
                            };
                            let w = w.max(1) as usize;
                            let scroll = input.visual_scroll(w.saturating_sub(1));
                            let shown: String = if *masked {
                                input
                                    .value()
                                    .chars()
                                    .skip(scroll)
                                    .map(|_| MASK)
                                    .take(w)
                                    .collect()
                            } else {
                                input.value().chars().skip(scroll).take(w).collect()
                            };
                            spans.push(Span::styled(pad_to(&shown, w), input_style));
                            if focused {
                                let cx = row.x
                                    + label_w
                                    + 1
                                    + (input.visual_cursor().saturating_sub(scroll)) as u16;
                                if cx < row.right() {
                                    frame.set_cursor_position((cx, y));
                                }
                            }
                        }
                        FieldKind::Toggle { value } => {
                            let s = if *value { "[x]" } else { "[ ]" };
                            spans.push(Span::styled(s, input_style));
                        }
                        FieldKind::Choice { options, selected } => {
                            let s = options.get(*selected).map(String::as_str).unwrap_or("-");
                            spans.push(Span::styled(format!("‹ {s} ›"), input_style));
                        }
                        FieldKind::Button => {}
                    }
                }
            }
            if let Some(h) = &field.hint {
                spans.push(Span::styled(format!(" {h}"), theme.dim()));
            }
            frame.render_widget(Line::from(spans), row);
        }
    }
}

/// What a paste put into a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pasted {
    /// Characters inserted.
    pub inserted: usize,
    /// Lines after the first that were not inserted (the field holds one line).
    pub dropped_lines: usize,
}

/// The first line of `text` (trailing line breaks ignored), tabs as spaces, without other
/// control characters; and how many further non-empty lines were left out.
fn single_line(text: &str) -> (String, usize) {
    let trimmed = text.trim_end_matches(['\r', '\n']);
    let mut lines = trimmed.split(['\r', '\n']);
    let first = lines.next().unwrap_or_default();
    let dropped = lines.filter(|l| !l.trim().is_empty()).count();
    let line = first
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    (line, dropped)
}

/// Pads (or cuts) `s` to exactly `w` display columns (one column per char is assumed for
/// the ASCII-ish values forms hold).
pub fn pad_to(s: &str, w: usize) -> String {
    let mut out: String = s.chars().take(w).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', w - n));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn a_paste_is_one_insertion_at_the_cursor_and_keeps_one_line() {
        let mut f = Form::new(vec![Field::text("u", "Username"), Field::button("b", "Go")]);
        assert_eq!(f.paste("x"), None, "no field has focus");
        f.focus_first();
        f.handle_key(key(KeyCode::Char('a')));
        f.handle_key(key(KeyCode::Char('z')));
        f.handle_key(key(KeyCode::Left));
        let long = "b".repeat(2_500);
        let got = f.paste(&format!("{long}\r\n"));
        assert_eq!(
            got,
            Some(Pasted {
                inserted: 2_500,
                dropped_lines: 0
            })
        );
        assert_eq!(f.raw("u"), format!("a{long}z"));
        // The cursor is after the pasted text: typing continues there.
        f.handle_key(key(KeyCode::Char('c')));
        assert_eq!(f.raw("u"), format!("a{long}cz"));
        // Several lines: the first is kept, the rest are counted, tabs are spaces.
        f.set_text("u", "");
        f.focus_first();
        let got = f.paste("one\ttwo\nthree\n\nfour\n");
        assert_eq!(got.map(|p| p.dropped_lines), Some(2));
        assert_eq!(f.raw("u"), "one two");
        assert_eq!(f.focused_id(), Some("u"), "a paste does not move the focus");
        // On a button a paste does nothing.
        f.focus_id("b");
        assert_eq!(f.paste("x"), None);
    }

    #[test]
    fn typing_tabbing_and_toggles() {
        let mut f = Form::new(vec![
            Field::text("user", "Username"),
            Field::secret("pw", "Password"),
            Field::toggle("auto", "Auto", false),
            Field::button("go", "Go"),
        ]);
        assert_eq!(f.handle_key(key(KeyCode::Char('a'))), FormOutcome::Ignored);
        f.handle_key(key(KeyCode::Tab));
        assert!(f.is_typing());
        for c in "bob".chars() {
            f.handle_key(key(KeyCode::Char(c)));
        }
        f.handle_key(key(KeyCode::Tab));
        f.handle_key(key(KeyCode::Char('p')));
        f.handle_key(key(KeyCode::Char(' ')));
        assert_eq!(f.raw("pw"), "p ");
        f.handle_key(key(KeyCode::Tab));
        f.handle_key(key(KeyCode::Char(' ')));
        assert!(f.toggle_value("auto"));
        f.handle_key(key(KeyCode::Tab));
        assert!(!f.is_typing());
        assert_eq!(
            f.handle_key(key(KeyCode::Enter)),
            FormOutcome::Pressed("go".into())
        );
        f.handle_key(key(KeyCode::BackTab));
        f.handle_key(key(KeyCode::BackTab));
        f.handle_key(key(KeyCode::BackTab));
        assert_eq!(f.focused_id(), Some("user"));
        assert_eq!(f.text("user"), "bob");
        assert_eq!(f.handle_key(key(KeyCode::Esc)), FormOutcome::Left);
        assert_eq!(f.focus, None);
    }
}
