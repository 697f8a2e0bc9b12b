//! What every screen may read and change besides its own state: the theme, the flash line,
//! the status pane, and the step-mode / in-flight gate in front of the auth actor.

use super::shared::{Action, Flash, HeldRequest};
use super::theme::Theme;
use super::widgets::timeline::StatusEntry;
use crate::auth::events::{AuthCommand, AuthErrorView};

/// Most status entries (and inspector exchanges) kept in memory.
pub const MAX_ENTRIES: usize = 2000;
/// A call that has not finished after this long no longer blocks new submissions.
const IN_FLIGHT_STALE_MS: i64 = 60_000;

/// The status pane: step changes, errors and notes, newest last.
#[derive(Debug, Default)]
pub struct StatusPane {
    pub entries: Vec<StatusEntry>,
    /// How many entries the pane is scrolled back from the newest.
    pub back: usize,
    /// Alt-↑ picks the lowest row shown; Enter then opens it whole.
    pub pick: bool,
    /// The row opened whole (Enter on a picked row).
    pub detail: Option<StatusEntry>,
}

impl StatusPane {
    pub fn push(&mut self, e: StatusEntry) {
        self.entries.push(e);
        if self.entries.len() > MAX_ENTRIES {
            self.entries.drain(..self.entries.len() - MAX_ENTRIES);
        }
        if self.back > 0 || self.pick {
            // A picked row stays picked while newer ones arrive.
            self.back = (self.back + 1).min(self.entries.len().saturating_sub(1));
        }
    }

    /// Alt-↑: picks the newest row shown, then moves the pick to older rows.
    pub fn up(&mut self) {
        if self.pick {
            self.back = (self.back + 1).min(self.entries.len().saturating_sub(1));
        } else {
            self.pick = !self.entries.is_empty();
        }
    }

    /// Alt-↓: towards the newest row; past it, no row is picked.
    pub fn down(&mut self) {
        if self.back > 0 {
            self.back -= 1;
        } else {
            self.pick = false;
        }
    }

    /// Esc while picking: back to following the newest row.
    pub fn leave(&mut self) {
        self.pick = false;
        self.back = 0;
    }

    /// The picked row.
    pub fn picked(&self) -> Option<&StatusEntry> {
        if !self.pick {
            return None;
        }
        let n = self.entries.len();
        let i = n.checked_sub(1 + self.back.min(n.saturating_sub(1)))?;
        self.entries.get(i)
    }
}

pub struct Context {
    pub theme: Theme,
    /// True for the embedded pool (its outbox and settings can be read).
    pub local: bool,
    pub flash: Option<Flash>,
    pub status: StatusPane,
    /// The username of the last sign-up / sign-in / reset the user started.
    pub last_username: String,
    /// Step mode: every request waits in the inspector until Ctrl-G sends it.
    pub step_mode: bool,
    pub held: Option<HeldRequest>,
    /// Commands started and not yet finished: (api, since ms).
    pub in_flight: Vec<(String, i64)>,
}

impl Context {
    pub fn new(theme: Theme, local: bool) -> Self {
        Self {
            theme,
            local,
            flash: None,
            status: StatusPane::default(),
            last_username: String::new(),
            step_mode: false,
            held: None,
            in_flight: Vec::new(),
        }
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash::error(text));
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash::info(text));
    }

    /// An error line in the status pane (the flash, when wanted, is the caller's).
    pub fn log_error(
        &mut self,
        now_ms: i64,
        api: impl Into<String>,
        operation: Option<String>,
        code: impl Into<String>,
        message: String,
    ) {
        self.status.push(StatusEntry::Error {
            at_ms: now_ms,
            error: AuthErrorView {
                api: api.into(),
                operation,
                code: code.into(),
                message,
                request_id: None,
            },
            session: None,
        });
    }

    /// The call still running that blocks a new one, if any.
    pub fn busy(&self, now_ms: i64) -> Option<&str> {
        self.in_flight
            .iter()
            .find(|(_, since)| now_ms - since < IN_FLIGHT_STALE_MS)
            .map(|(a, _)| a.as_str())
    }

    /// `cmd` for the auth actor, unless a request is held or a call is still running (the
    /// flash says which).
    pub fn auth(&mut self, cmd: AuthCommand, now_ms: i64) -> Option<Action> {
        if let Some(h) = &self.held {
            let text = format!(
                "{} is held in step mode: Ctrl-G sends it, Ctrl-E edits it, Ctrl-D drops it.",
                h.operation
            );
            self.flash_error(text);
            return None;
        }
        if let Some(api) = self.busy(now_ms) {
            let text = format!("Waiting for {api} to finish…");
            self.flash_error(text);
            return None;
        }
        self.flash = None;
        Some(Action::Auth(cmd))
    }
}
