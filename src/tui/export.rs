//! Ctrl-S: export the session's transcript. A one-line prompt offers the default path (under
//! the data directory); Enter hands the app an [`Action::Export`] that the run loop carries
//! out off the UI thread, and the answer comes back as [`written`]: the flash and the status
//! pane say where the files went, or why they could not be written.

use std::path::PathBuf;

use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::context::Context;
use super::shared::{Action, TargetInfo};
use super::theme::Theme;
use super::widgets::timeline::StatusEntry;
use crate::cognito::ClientCode;
use crate::paths::Paths;
use crate::transcript::{self, Transcript, TranscriptTarget, Written};

/// The path prompt.
#[derive(Debug, Clone)]
pub struct ExportPrompt {
    pub input: Input,
}

/// What a key did to the prompt.
pub enum PromptOutcome {
    Handled,
    Cancelled,
    Submitted(PathBuf),
}

impl ExportPrompt {
    /// The prompt with the default path filled in.
    pub fn open(now_ms: i64) -> Self {
        let dir = Paths::resolve()
            .map(|p| p.data_dir)
            .unwrap_or_else(|_| PathBuf::from("."));
        let path = transcript::default_path(&dir, now_ms);
        Self {
            input: Input::new(path.display().to_string()),
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> PromptOutcome {
        match key.code {
            KeyCode::Esc => PromptOutcome::Cancelled,
            KeyCode::Enter => {
                let path = self.input.value().trim();
                if path.is_empty() {
                    PromptOutcome::Handled
                } else {
                    PromptOutcome::Submitted(PathBuf::from(path))
                }
            }
            _ => {
                self.input.handle_event(&Event::Key(key));
                PromptOutcome::Handled
            }
        }
    }

    /// A pasted path goes into the line (its first line only).
    pub fn paste(&mut self, text: &str) {
        let line = text.lines().next().unwrap_or_default();
        let value = format!("{}{line}", self.input.value());
        self.input = Input::new(value);
    }

    /// The prompt, three rows high, across the bottom of `area`.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        const HINT: &str =
            "Markdown to this path, JSON beside it (.json); files 0600. Enter writes, Esc cancels.";
        let w = area.width.saturating_sub(2).min(100);
        // The hint wraps rather than being cut at 80 columns.
        let hint_rows = HINT
            .chars()
            .count()
            .div_ceil(usize::from(w.saturating_sub(2).max(1)));
        let h = (3 + hint_rows as u16).min(area.height);
        let popup = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + area.height.saturating_sub(h + 1),
            w,
            h,
        );
        let inner_w = w.saturating_sub(2) as usize;
        let value = self.input.value();
        let cursor = self.input.visual_cursor();
        let scroll = cursor.saturating_sub(inner_w.saturating_sub(1));
        let shown: String = value.chars().skip(scroll).take(inner_w).collect();
        let lines = vec![Line::raw(shown), Line::styled(HINT, theme.dim())];
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                Block::bordered()
                    .title(Span::styled(" Export the transcript ", theme.title()))
                    .border_style(theme.border_focused()),
            ),
            popup,
        );
        frame.set_cursor_position((popup.x + 1 + (cursor - scroll) as u16, popup.y + 1));
    }
}

/// The transcript's description of where the app points.
pub fn target_of(t: &TargetInfo) -> TranscriptTarget {
    TranscriptTarget {
        kind: t.kind_word().to_string(),
        user_pool_id: t.user_pool_id.clone(),
        client_id: t.client_id.clone(),
        region: t.region.clone(),
        endpoint: t.endpoint.clone(),
        client_secret: t.client_secret,
    }
}

/// Ctrl-S: the prompt opens with the default path.
pub fn open(prompt: &mut Option<ExportPrompt>, now_ms: i64) -> Vec<Action> {
    *prompt = Some(ExportPrompt::open(now_ms));
    Vec::new()
}

/// A key while the prompt is open: Esc closes it, Enter closes it and asks for the
/// transcript to be written, any other key edits the path.
pub fn key(
    prompt: &mut Option<ExportPrompt>,
    transcript: &Transcript,
    key: KeyEvent,
    ctx: &mut Context,
) -> Vec<Action> {
    let Some(p) = prompt else {
        return Vec::new();
    };
    match p.handle_key(key) {
        PromptOutcome::Handled => Vec::new(),
        PromptOutcome::Cancelled => {
            *prompt = None;
            Vec::new()
        }
        PromptOutcome::Submitted(path) => {
            *prompt = None;
            export(transcript, path, ctx)
        }
    }
}

/// Enter on the prompt: the transcript so far, to be written at `path`.
pub fn export(transcript: &Transcript, path: PathBuf, ctx: &mut Context) -> Vec<Action> {
    ctx.flash_info(format!("Writing the transcript to {}…", path.display()));
    vec![Action::Export {
        path,
        transcript: Box::new(transcript.clone()),
    }]
}

/// The run loop's answer: where the transcript went, or why it did not.
pub fn written(result: Result<Written, String>, ctx: &mut Context, now_ms: i64) {
    match result {
        Ok(w) => {
            let message = format!(
                "transcript written to {} and {}",
                w.markdown.display(),
                w.json.display()
            );
            ctx.flash_info(format!("Transcript written to {}", w.markdown.display()));
            ctx.status.push(StatusEntry::Info {
                at_ms: now_ms,
                api: "export".into(),
                message,
            });
        }
        Err(message) => {
            ctx.flash_error(format!("Transcript not written: {message}"));
            ctx.log_error(
                now_ms,
                "export",
                None,
                ClientCode::ExportFailed.as_str(),
                message,
            );
        }
    }
}
