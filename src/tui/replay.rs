//! Taking a call out and trying a variation: the copy popup (the inspected call as an AWS CLI
//! or curl command, put on the clipboard and shown whole) and the editor of a request held in
//! step mode (in the app, or in `$EDITOR` with the terminal handed over; see `mod.rs`).
//!
//! Both work on what the inspector shows: the redacted request. The command's secrets are
//! environment references (`cognito::reproduce`); the editor shows hidden values as the
//! inspector does and the auth actor puts them back when the edit is sent (`SendEdited`), so
//! no secret reaches the screen, the clipboard or the editor's file.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use serde_json::Value;

use super::context::Context;
use super::shared::{Action, HeldRequest, TargetInfo};
use super::theme::Theme;
use super::widgets::editor::{EditorKey, TextEditor};
use super::widgets::inspector::Inspector;
use super::widgets::timeline::StatusEntry;
use crate::auth::events::AuthCommand;
use crate::cognito::exchange::WireExchange;
use crate::cognito::reproduce::{CallSpec, Style, reproduce};

/// The copy popup and the held request's editor; at most one is open.
#[derive(Debug, Default)]
pub struct ReplayUi {
    pub copy: Option<CopyPopup>,
    pub edit: Option<EditHeld>,
    /// Text to open in `$EDITOR`: the run loop takes it, hands the terminal over, and gives
    /// the result to [`ReplayUi::external_done`].
    pub external: Option<String>,
    /// The last edit of a held request (operation, text), offered again when the actor
    /// refused it and the editor is reopened.
    last_edit: Option<(String, String)>,
}

/// A call written out as a command.
#[derive(Debug)]
pub struct CopyPopup {
    pub operation: String,
    request: Value,
    endpoint: String,
    region: String,
    pub style: Style,
    pub text: String,
    pub scroll: u16,
}

/// The held request being edited.
#[derive(Debug)]
pub struct EditHeld {
    pub operation: String,
    pub editor: TextEditor,
    /// Why the last attempt to send was refused (invalid JSON, not an object).
    pub error: Option<String>,
}

impl ReplayUi {
    pub fn is_open(&self) -> bool {
        self.copy.is_some() || self.edit.is_some()
    }

    /// `C`: the call (`operation` with its redacted `request`, sent to `endpoint`) as an AWS
    /// CLI command, on the clipboard and on screen.
    pub fn open_copy(
        &mut self,
        operation: &str,
        request: &Value,
        endpoint: &str,
        region: &str,
        ctx: &mut Context,
    ) -> Vec<Action> {
        let mut popup = CopyPopup {
            operation: operation.to_string(),
            request: request.clone(),
            endpoint: endpoint.to_string(),
            region: region.to_string(),
            style: Style::AwsCli,
            text: String::new(),
            scroll: 0,
        };
        let out = popup.write(ctx);
        self.copy = Some(popup);
        out
    }

    /// `C`: the call the inspector shows (the held request when it shows that) as a command.
    pub fn copy_inspected(
        &mut self,
        insp: &Inspector,
        held: Option<&HeldRequest>,
        target: &TargetInfo,
        ctx: &mut Context,
    ) -> Vec<Action> {
        if let Some(h) = held.filter(|_| insp.selected.is_none()) {
            return self.open_copy(
                &h.operation,
                &h.request,
                &target.endpoint,
                &target.region,
                ctx,
            );
        }
        match insp.inspected().and_then(|i| insp.exchanges.get(i)) {
            Some(x) if x.trigger_source.is_some() => {
                ctx.flash_error(format!(
                    "{} is a trigger run inside the pool, not a call: nothing to copy as a command.",
                    x.operation
                ));
                Vec::new()
            }
            Some(x) => self.open_copy(&x.operation, &x.request, &x.endpoint, &target.region, ctx),
            None => {
                ctx.flash_error("No call to copy yet.");
                Vec::new()
            }
        }
    }

    /// Ctrl-E: edits the held request, as the inspector shows it.
    pub fn open_editor(&mut self, held: &HeldRequest) {
        let text = match &self.last_edit {
            Some((op, text)) if *op == held.operation => text.clone(),
            _ => serde_json::to_string_pretty(&held.request).unwrap_or_default(),
        };
        self.edit = Some(EditHeld {
            operation: held.operation.clone(),
            editor: TextEditor::new(&text),
            error: None,
        });
    }

    /// The held request was let go: its edit is no longer wanted.
    pub fn on_released(&mut self) {
        self.edit = None;
        self.last_edit = None;
    }

    /// A key while a popup is open (the caller checks [`ReplayUi::is_open`]).
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Vec<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(popup) = &mut self.copy {
            match key.code {
                KeyCode::Tab | KeyCode::BackTab => {
                    popup.style = match popup.style {
                        Style::AwsCli => Style::Curl,
                        Style::Curl => Style::AwsCli,
                    };
                    popup.scroll = 0;
                    return popup.write(ctx);
                }
                KeyCode::Down | KeyCode::Char('j') => popup.scroll = popup.scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => popup.scroll = popup.scroll.saturating_sub(1),
                KeyCode::PageDown => popup.scroll = popup.scroll.saturating_add(10),
                KeyCode::PageUp => popup.scroll = popup.scroll.saturating_sub(10),
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('C') => {
                    self.copy = None;
                }
                _ => {}
            }
            return Vec::new();
        }
        let Some(edit) = &mut self.edit else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                self.last_edit = Some((edit.operation.clone(), edit.editor.text()));
                ctx.flash_info(format!(
                    "Edit put aside: {} is still held as it was (^G sends it, ^E edits again).",
                    edit.operation
                ));
                self.edit = None;
                Vec::new()
            }
            KeyCode::Char('s') | KeyCode::Char('g') if ctrl => self.send(ctx),
            KeyCode::Char('o') if ctrl => {
                self.external = Some(edit.editor.text());
                Vec::new()
            }
            _ => {
                if edit.editor.handle_key(key) == EditorKey::Handled {
                    edit.error = None;
                }
                Vec::new()
            }
        }
    }

    /// A bracketed paste while the editor is open.
    pub fn paste(&mut self, text: &str) -> bool {
        match &mut self.edit {
            Some(edit) => {
                edit.editor.insert(text);
                true
            }
            None => false,
        }
    }

    /// Ctrl-S / Ctrl-G in the editor: the text, if it is a JSON object, goes to the actor.
    fn send(&mut self, ctx: &mut Context) -> Vec<Action> {
        let Some(edit) = &mut self.edit else {
            return Vec::new();
        };
        let text = edit.editor.text();
        match parse_body(&text) {
            Ok(request) => {
                self.last_edit = Some((edit.operation.clone(), text));
                ctx.flash_info(format!("{} sent as edited.", edit.operation));
                self.edit = None;
                vec![Action::Auth(AuthCommand::SendEdited { request })]
            }
            Err(why) => {
                edit.error = Some(why);
                Vec::new()
            }
        }
    }

    /// What `$EDITOR` gave back (or why it could not run): the editor shows the new text,
    /// or keeps its own and says what went wrong.
    pub fn external_done(&mut self, result: Result<String, String>, ctx: &mut Context) {
        let Some(edit) = &mut self.edit else {
            return;
        };
        match result {
            Ok(text) => {
                edit.editor.set_text(&text);
                edit.error = parse_body(&text).err();
                ctx.flash_info("Back from the editor: ^S sends the request as it reads here.");
            }
            Err(why) => {
                let why = format!("{why} (the text here is unchanged)");
                edit.error = Some(why.clone());
                ctx.flash_error(why);
            }
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        if let Some(p) = &self.copy {
            p.render(frame, area, theme);
        } else if let Some(e) = &self.edit {
            e.render(frame, area, theme);
        }
    }
}

/// Ctrl-R: sends the inspected call again (held first in step mode).
pub fn replay_inspected(insp: &Inspector, ctx: &mut Context) -> Vec<Action> {
    if ctx.held.is_some() {
        ctx.flash_error("A request is held: send or drop it first (^G / ^D).");
        return Vec::new();
    }
    match insp.inspected().and_then(|i| insp.exchanges.get(i)) {
        Some(x) if x.trigger_source.is_some() => {
            ctx.flash_error(format!(
                "{} is a trigger run inside the pool: send again the call that caused it.",
                x.operation
            ));
            Vec::new()
        }
        Some(x) => {
            ctx.flash_info(format!("Sending {} (call #{}) again.", x.operation, x.id));
            vec![Action::Auth(AuthCommand::Replay { exchange_id: x.id })]
        }
        None => {
            ctx.flash_error("No call to send again yet.");
            Vec::new()
        }
    }
}

/// The status pane's row for a call the user edited or sent again (none for the flow's own).
pub fn origin_row(x: &WireExchange, now_ms: i64) -> Option<StatusEntry> {
    let mark = x.origin.mark()?;
    let outcome = match (&x.error, x.status) {
        (Some(e), _) => format!("answered {e}"),
        (None, Some(s)) => format!("answered {s}"),
        (None, None) => "no answer".into(),
    };
    Some(StatusEntry::Info {
        at_ms: now_ms,
        api: "step".into(),
        message: format!("{} #{} sent {mark}: {outcome}", x.operation, x.id),
    })
}

/// The editor's text as a request body: JSON, and an object.
pub fn parse_body(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err("A request body is a JSON object: { \"Member\": … }".into()),
        Err(e) => Err(format!(
            "Not valid JSON at line {}, column {}: {}",
            e.line(),
            e.column(),
            crate::cognito::redact::scrub_serde_message(&e.to_string())
        )),
    }
}

fn popup_area(area: Rect) -> Rect {
    let w = area.width.saturating_sub(2).min(100);
    let h = area.height.saturating_sub(2);
    Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h)
}

impl CopyPopup {
    /// Writes the command in the current style, copies it and says so.
    fn write(&mut self, ctx: &mut Context) -> Vec<Action> {
        let r = reproduce(
            &CallSpec {
                operation: &self.operation,
                request: &self.request,
                endpoint: &self.endpoint,
                region: &self.region,
            },
            self.style,
        );
        self.text = r.text();
        ctx.flash_info(format!(
            "Copied {} as {} to the clipboard{}.",
            self.operation,
            if self.style == Style::AwsCli {
                "an AWS CLI command"
            } else {
                "a curl command"
            },
            if r.placeholders.is_empty() {
                ""
            } else {
                " (secrets as $VARIABLES)"
            }
        ));
        vec![Action::Copy(self.text.clone())]
    }

    fn render(&self, frame: &mut Frame, area: Rect, t: &Theme) {
        let popup = popup_area(area);
        frame.render_widget(Clear, popup);
        let other = match self.style {
            Style::AwsCli => Style::Curl,
            Style::Curl => Style::AwsCli,
        };
        let block = Block::bordered()
            .title(Span::styled(
                format!(" {} as {} (copied) ", self.operation, self.style.label()),
                t.title(),
            ))
            .title_bottom(Line::from(vec![
                Span::styled(" Tab ", t.key()),
                Span::raw(format!("{} ", other.label())),
                Span::styled(" ↑↓ ", t.key()),
                Span::raw("scroll "),
                Span::styled(" Esc ", t.key()),
                Span::raw("close "),
            ]))
            .border_style(t.border_focused());
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let lines: Vec<Line> = self
            .text
            .lines()
            .map(|l| {
                if l.starts_with('#') {
                    Line::styled(l.to_string(), t.dim())
                } else {
                    Line::styled(l.to_string(), t.base())
                }
            })
            .collect();
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            inner,
        );
    }
}

impl EditHeld {
    fn render(&self, frame: &mut Frame, area: Rect, t: &Theme) {
        let popup = popup_area(area);
        frame.render_widget(Clear, popup);
        let block = Block::bordered()
            .title(Span::styled(
                format!(" Edit the held {} ", self.operation),
                t.title(),
            ))
            .title_bottom(Line::from(vec![
                Span::styled(" ^S ", t.key()),
                Span::raw("send "),
                Span::styled(" ^O ", t.key()),
                Span::raw("$EDITOR "),
                Span::styled(" Esc ", t.key()),
                Span::raw("back "),
            ]))
            .border_style(t.border_focused());
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let note = match &self.error {
            Some(e) => Line::styled(e.clone(), t.error()),
            None => Line::styled(
                "*** and …(N chars) stand for values kept back; left in place, they are sent as they were.",
                t.dim(),
            ),
        };
        let note_h = (note.width() as u16)
            .div_ceil(inner.width.max(1))
            .clamp(1, 3);
        let [text, foot] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(note_h)]).areas(inner);
        self.editor.render(frame, text, t);
        frame.render_widget(Paragraph::new(note).wrap(Wrap { trim: true }), foot);
    }
}
