//! The application: the screens, the shared panes (status in the context, the inspector)
//! and the context. Nothing here does IO: keys and actor events go in (with the current
//! time passed in, so tests use a fixed clock) and [`Action`]s come out. Each screen owns
//! its state, keys and submit; the app handles the global keys, routes keys and events to
//! the screen they belong to, and resolves what a screen asks of another one (the
//! app-internal [`Action`]s). The auth actor's events are taken in `app_events.rs` (the users actor's in
//! `app_admin.rs`), drawing is in
//! `draw.rs`.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::context::Context;
use super::export::{self, ExportPrompt};
use super::help::HelpScroll;
use super::replay::{self, ReplayUi};
use super::screens::account::AccountScreen;
use super::screens::challenge::ChallengeScreen;
use super::screens::confirm::ConfirmScreen;
use super::screens::outbox::OutboxScreen;
use super::screens::pool::PoolScreen;
use super::screens::session::SessionScreen;
use super::screens::sign_in::SignInScreen;
use super::screens::sign_up::SignUpScreen;
use super::shared::{Screen, TargetInfo, TargetKind};
use super::theme::Theme;
use super::users::UsersScreen;
use super::widgets::form::{Form, FormOutcome};
use super::widgets::inspector::{self, Inspector};
use super::widgets::srp::SrpPanel;
use super::widgets::timeline;
use crate::admin::{AdminCommand, OutboxEntry};
use crate::auth::events::{AuthCommand, AuthErrorView};
use crate::cognito::ClientCode;
use crate::transcript::Transcript;

pub use super::shared::{Action, Flash};

pub struct App {
    pub ctx: Context,
    pub target: TargetInfo,
    pub log_path: Option<PathBuf>,
    pub screen: Screen,
    pub sign_up: SignUpScreen,
    pub confirm: ConfirmScreen,
    pub sign_in: SignInScreen,
    pub challenge: ChallengeScreen,
    pub session: SessionScreen,
    pub users: UsersScreen,
    pub outbox: OutboxScreen,
    pub pool: PoolScreen,
    pub account: AccountScreen,
    pub inspector: Inspector,
    /// The copy popup and the held request's editor.
    pub replay: ReplayUi,
    pub srp: SrpPanel,
    pub help: bool,
    /// The help overlay's scroll (its glossary is longer than 24 rows).
    pub help_view: HelpScroll,
    /// Every auth event so far, for Ctrl-S (see `export.rs`).
    pub transcript: Transcript,
    /// The path prompt of Ctrl-S, while it is open.
    pub export: Option<ExportPrompt>,
    pub should_quit: bool,
    pub dirty: bool,
}

impl App {
    pub fn new(target: TargetInfo, local: bool, log_path: Option<PathBuf>, theme: Theme) -> Self {
        Self {
            ctx: Context::new(theme, local),
            transcript: Transcript::new(export::target_of(&target), 0),
            export: None,
            help_view: HelpScroll::default(),
            target,
            log_path,
            screen: Screen::SignIn,
            sign_up: SignUpScreen::default(),
            confirm: ConfirmScreen::default(),
            sign_in: SignInScreen::default(),
            challenge: ChallengeScreen::default(),
            session: SessionScreen::default(),
            users: UsersScreen::default(),
            outbox: OutboxScreen::default(),
            pool: PoolScreen::default(),
            account: AccountScreen::default(),
            inspector: Inspector::default(),
            replay: ReplayUi::default(),
            srp: SrpPanel::default(),
            help: false,
            should_quit: false,
            dirty: true,
        }
    }

    /// Commands to send once at start: read the outbox of the embedded pool; ask a custom
    /// endpoint whether it is a cognito-tui pool (then Outbox and Pool work there too).
    /// Real Cognito is never asked.
    pub fn startup_actions(&self) -> Vec<Action> {
        if self.ctx.local {
            vec![Action::Admin(AdminCommand::FetchOutbox)]
        } else if self.target.kind == TargetKind::Custom {
            vec![Action::Admin(AdminCommand::DetectLocalPool)]
        } else {
            Vec::new()
        }
    }

    /// How often to redraw without input: a spinner while a call is in flight, a
    /// once-a-second countdown while a session or a challenge Session is shown.
    pub fn tick_interval(&self) -> Option<Duration> {
        if !self.ctx.in_flight.is_empty() || (self.screen == Screen::Users && self.users.busy()) {
            Some(Duration::from_millis(100))
        } else if (self.screen == Screen::Session && self.session.view.is_some())
            || (self.screen == Screen::Challenge && self.challenge.current.is_some())
        {
            Some(Duration::from_secs(1))
        } else {
            None
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match self.screen {
            Screen::SignUp => Some(&mut self.sign_up.form),
            Screen::Confirm => Some(&mut self.confirm.form),
            Screen::SignIn => Some(&mut self.sign_in.form),
            Screen::Challenge => self.challenge.form_mut(),
            // The Users view handles its own filter box and dialogs.
            Screen::Users => None,
            Screen::Pool => self.pool.form_mut(&self.ctx),
            Screen::Account => self.account.form_mut(),
            _ => None,
        }
    }

    pub fn form(&self) -> Option<&Form> {
        match self.screen {
            Screen::SignUp => Some(&self.sign_up.form),
            Screen::Confirm => Some(&self.confirm.form),
            Screen::SignIn => Some(&self.sign_in.form),
            Screen::Challenge => self.challenge.form(),
            Screen::Users => self.users.active_form(),
            Screen::Pool if self.ctx.local => Some(&self.pool.form),
            Screen::Account => self.account.form(),
            _ => None,
        }
    }

    /// True while a text field has focus: letter keys type instead of acting.
    pub fn is_typing(&self) -> bool {
        self.form().is_some_and(Form::is_typing)
    }

    /// The exchange the inspector shows.
    pub fn inspected(&self) -> Option<usize> {
        self.inspector.inspected()
    }

    /// The run loop could not hand a command to an actor (queue full or actor gone).
    pub fn note_send_failure(&mut self, api: &str, why: &str, now_ms: i64) {
        self.ctx.in_flight.retain(|(a, _)| a != api);
        self.ctx.log_error(
            now_ms,
            api,
            None,
            ClientCode::NotSent.as_str(),
            format!("the command could not be queued: {why}"),
        );
        self.ctx.flash_error(format!("{api}: not sent ({why})"));
        self.dirty = true;
    }

    /// An actor's event channel closed.
    pub fn note_actor_gone(&mut self, which: &str, now_ms: i64) {
        self.ctx.in_flight.clear();
        self.ctx.log_error(
            now_ms,
            which,
            None,
            ClientCode::ActorStopped.as_str(),
            format!("the {which} actor stopped; see the log file"),
        );
        self.ctx.flash_error(format!("the {which} actor stopped"));
        self.dirty = true;
    }

    // ----------------------------------------------------------------------------------
    // Keys
    // ----------------------------------------------------------------------------------

    /// A terminal event (keys; resizes only need a redraw).
    pub fn handle_event(&mut self, ev: &Event, now_ms: i64) -> Vec<Action> {
        match ev {
            Event::Key(k) => self.handle_key(*k, now_ms),
            Event::Paste(text) => {
                self.handle_paste(text);
                Vec::new()
            }
            Event::Resize(..) | Event::FocusGained => {
                self.dirty = true;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A bracketed paste: one insertion into the focused text field (never keys, so pasted
    /// letters are not taken for commands and a pasted line break does not submit).
    pub fn handle_paste(&mut self, text: &str) {
        self.dirty = true;
        if self.replay.paste(text) {
            return;
        }
        if let Some(p) = &mut self.export {
            return p.paste(text);
        }
        if self.help || self.challenge.qr_full || self.ctx.status.detail.is_some() {
            return;
        }
        let form = if self.screen == Screen::Users {
            self.users.active_form_mut()
        } else {
            self.form_mut()
        };
        match form.and_then(|f| f.paste(text)) {
            Some(p) if p.dropped_lines > 0 => self.ctx.flash_info(format!(
                "Pasted the first line only: this field holds one line ({} more left out).",
                p.dropped_lines
            )),
            Some(_) => {}
            None => self
                .ctx
                .flash_info("Nothing to paste into: Tab to a text field first."),
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent, now_ms: i64) -> Vec<Action> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        self.dirty = true;
        let actions = self.key(key, now_ms);
        self.route(actions)
    }

    /// The key's actions, app-internal ones not yet resolved.
    fn key(&mut self, key: KeyEvent, now_ms: i64) -> Vec<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let ctx = &mut self.ctx;

        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
            return vec![Action::Quit];
        }
        if self.replay.is_open() {
            return self.replay.handle_key(key, ctx);
        }
        if self.challenge.qr_full || self.account.qr_full {
            (self.challenge.qr_full, self.account.qr_full) = (false, false);
            return Vec::new();
        }
        let account_totp = self.screen == Screen::Account && self.account.totp_uri().is_some();
        if ctx.status.detail.is_some() {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                ctx.status.detail = None;
            }
            return Vec::new();
        }
        if self.export.is_some() {
            return export::key(&mut self.export, &self.transcript, key, ctx);
        }
        if self.srp.open {
            self.srp.handle_key(key);
            return Vec::new();
        }
        if self.help {
            self.help = !self.help_view.key(key.code);
            return Vec::new();
        }
        let totp = self.challenge.totp_uri().is_some();
        // Global keys that never clash with typing.
        match key.code {
            KeyCode::F(n @ 1..=8) => return vec![Action::Goto(Screen::ALL[n as usize - 1])],
            KeyCode::Char(c @ '1'..='8') if alt => {
                return vec![Action::Goto(Screen::ALL[c as usize - '1' as usize])];
            }
            KeyCode::Char('t') if ctrl => return toggle_step_mode(ctx),
            KeyCode::Char('s') if ctrl => return export::open(&mut self.export, now_ms),
            KeyCode::Char('g') if ctrl => return step(ctx, true),
            KeyCode::Char('d') if ctrl && ctx.held.is_some() => return step(ctx, false),
            KeyCode::Char('e') if ctrl && let Some(h) = &ctx.held => {
                self.replay.open_editor(h);
                return Vec::new();
            }
            KeyCode::Char('r') if ctrl => return replay::replay_inspected(&self.inspector, ctx),
            KeyCode::Char(c @ ('y' | 'v')) if ctrl && account_totp => {
                return self.account.qr_key(c == 'v', ctx);
            }
            KeyCode::Char('o') if ctrl && self.screen == Screen::Account => {
                self.account.code_from_outbox(&self.outbox.entries, ctx);
                return Vec::new();
            }
            KeyCode::Char('y') if ctrl && totp => return self.challenge.copy_uri(ctx),
            KeyCode::Char('v') if ctrl && totp => {
                self.challenge.qr_full = true;
                return Vec::new();
            }
            // The SRP panel (it says so when there has been no SRP sign-in yet).
            KeyCode::Char('k')
                if ctrl && matches!(self.screen, Screen::Challenge | Screen::Session) =>
            {
                self.srp.open = true;
                return Vec::new();
            }
            KeyCode::Char('o') if ctrl && self.screen == Screen::Challenge => {
                return self
                    .challenge
                    .code_from_outbox(&self.outbox.entries, true, ctx);
            }
            KeyCode::F(10) => {
                self.inspector.zoom = !self.inspector.zoom;
                return Vec::new();
            }
            KeyCode::F(9) => {
                self.help = true;
                self.help_view.scroll = 0;
                return Vec::new();
            }
            KeyCode::Char('n') if ctrl => {
                self.select_call(1);
                return Vec::new();
            }
            KeyCode::Char('p') if ctrl => {
                self.select_call(-1);
                return Vec::new();
            }
            // On the Users screen PgDn/PgUp page through the list.
            KeyCode::PageDown if self.screen != Screen::Users => {
                self.inspector.scroll = self.inspector.scroll.saturating_add(5);
                return Vec::new();
            }
            KeyCode::PageUp if self.screen != Screen::Users => {
                self.inspector.scroll = self.inspector.scroll.saturating_sub(5);
                return Vec::new();
            }
            KeyCode::Up if alt => {
                ctx.status.up();
                return Vec::new();
            }
            KeyCode::Down if alt => {
                ctx.status.down();
                return Vec::new();
            }
            KeyCode::Enter if ctx.status.pick => {
                self.open_status_row();
                return Vec::new();
            }
            KeyCode::Esc if ctx.status.pick => {
                ctx.status.leave();
                return Vec::new();
            }
            KeyCode::Char('o') if ctrl && self.screen == Screen::Confirm => {
                self.confirm.use_outbox_code(&self.outbox.entries, ctx);
                return Vec::new();
            }
            _ => {}
        }
        if self.screen == Screen::Users && self.users.captures_keys() {
            return self.users.handle_key(key, &mut self.ctx, now_ms);
        }
        // Forms get every key while a field has focus (and Tab to enter them).
        if let Some(form) = self.form_mut() {
            let entering = matches!(key.code, KeyCode::Tab | KeyCode::BackTab);
            if form.focus.is_some() || entering {
                let typing = form.is_typing();
                match form.handle_key(key) {
                    FormOutcome::Handled => return Vec::new(),
                    FormOutcome::Submit => return self.submit(None, now_ms),
                    FormOutcome::Pressed(id) => return self.submit(Some(&id), now_ms),
                    FormOutcome::Left => {
                        // Leaving the pool's MFA form drops an Apply waiting for its second press.
                        self.pool.confirm = None;
                        return Vec::new();
                    }
                    FormOutcome::Ignored if typing => return Vec::new(),
                    FormOutcome::Ignored => {}
                }
            }
        }
        let ctx = &mut self.ctx;
        // No field has focus: letter keys are commands.
        match key.code {
            KeyCode::Char('q') => return vec![Action::Quit],
            KeyCode::Char('?') => {
                self.help = true;
                self.help_view.scroll = 0;
                return Vec::new();
            }
            KeyCode::Char(c @ '1'..='8') => {
                return vec![Action::Goto(Screen::ALL[c as usize - '1' as usize])];
            }
            KeyCode::Char('z') => {
                self.inspector.zoom = !self.inspector.zoom;
                return Vec::new();
            }
            KeyCode::Char('c') => return copy_inspected(&self.inspector, ctx),
            // On Users, C confirms a user's sign-up.
            KeyCode::Char('C') if self.screen != Screen::Users => {
                let held = ctx.held.clone();
                return self.replay.copy_inspected(
                    &self.inspector,
                    held.as_ref(),
                    &self.target,
                    ctx,
                );
            }
            KeyCode::Char('[') => {
                self.select_call(-1);
                return Vec::new();
            }
            KeyCode::Char(']') => {
                self.select_call(1);
                return Vec::new();
            }
            _ => {}
        }
        match self.screen {
            Screen::SignUp => self.sign_up.handle_key(key, ctx, now_ms),
            Screen::Confirm => self.confirm.handle_key(key, ctx, now_ms),
            Screen::SignIn => self.sign_in.handle_key(key, ctx, now_ms),
            Screen::Challenge => self.challenge.handle_key(key, ctx, now_ms),
            Screen::Session => self.session.handle_key(key, ctx, now_ms),
            Screen::Users => self.users.handle_key(key, ctx, now_ms),
            Screen::Outbox => self.outbox.handle_key(key, ctx),
            Screen::Pool => self.pool.handle_key(key, ctx),
            Screen::Account => self.account.handle_key(key, ctx, now_ms),
        }
    }

    /// `[` `]` Ctrl-P Ctrl-N: the previous / next call. A request held in step mode comes
    /// after the newest call: `[` leaves it for the calls before it, `]` comes back to it.
    fn select_call(&mut self, delta: isize) {
        let insp = &mut self.inspector;
        if self.ctx.held.is_none() {
            return insp.select(delta);
        }
        // Positions 0..n are the calls, n is the held request.
        let n = insp.exchanges.len();
        let cur = insp.selected.filter(|i| *i < n).unwrap_or(n) as isize;
        let next = (cur + delta).clamp(0, n as isize) as usize;
        if next == n {
            insp.selected = None;
        } else {
            insp.show_pinned(next);
        }
    }

    /// Enter on a picked status row: the row opens whole and the inspector shows the call
    /// behind it.
    fn open_status_row(&mut self) {
        let Some(entry) = self.ctx.status.picked().cloned() else {
            return;
        };
        if let Some(i) = timeline::call_of(&entry, &self.inspector.exchanges) {
            self.inspector.show(i);
        }
        self.ctx.status.detail = Some(entry);
    }

    /// Enter on a form (`None`) or a button press (`Some(id)`).
    fn submit(&mut self, button: Option<&str>, now_ms: i64) -> Vec<Action> {
        let ctx = &mut self.ctx;
        match self.screen {
            Screen::SignUp => self.sign_up.submit(ctx, now_ms),
            Screen::Confirm => self.confirm.submit(button, ctx, now_ms),
            Screen::SignIn => self.sign_in.submit(button, ctx, now_ms),
            Screen::Challenge => self.challenge.submit(button, ctx, now_ms),
            Screen::Pool => self.pool.submit(button, ctx),
            Screen::Account => self.account.submit(button, ctx, now_ms),
            _ => Vec::new(),
        }
    }

    /// Resolves the app-internal actions; what is left is for the run loop.
    pub(super) fn route(&mut self, actions: Vec<Action>) -> Vec<Action> {
        let mut out = Vec::new();
        for a in actions {
            match a {
                Action::Goto(screen) => out.extend(self.goto(screen)),
                Action::CancelChallenge => out.extend(self.cancel_challenge()),
                Action::UseCode(e) => self.use_code(e),
                other => out.push(other),
            }
        }
        out
    }

    /// Switches screens; form screens put the cursor in their first empty field.
    pub fn goto(&mut self, screen: Screen) -> Vec<Action> {
        self.screen = screen;
        self.ctx.flash = None;
        self.dirty = true;
        let mut out = Vec::new();
        match screen {
            Screen::SignUp | Screen::Confirm | Screen::SignIn | Screen::Challenge => {
                if let Some(f) = self.form_mut() {
                    f.focus_first_empty();
                }
            }
            Screen::Users => out.extend(self.users.open(0)),
            Screen::Outbox => {
                if self.ctx.local {
                    out.push(Action::Admin(AdminCommand::FetchOutbox));
                } else {
                    self.ctx
                        .flash_info("The outbox exists only for the embedded pool.");
                }
            }
            Screen::Pool => out.extend(self.pool.open(&mut self.ctx)),
            Screen::Session => {}
            Screen::Account if self.session.view.is_some() => {
                out.push(Action::Auth(AuthCommand::FetchUserAttributes));
            }
            Screen::Account => {}
        }
        out
    }

    fn cancel_challenge(&mut self) -> Vec<Action> {
        let was_sign_in = self
            .challenge
            .current
            .as_ref()
            .is_some_and(|c| c.is_sign_in());
        self.challenge.current = None;
        self.goto(Screen::SignIn);
        self.ctx.flash_info("Sign-in cancelled.");
        if was_sign_in {
            vec![Action::Auth(AuthCommand::CancelSignIn)]
        } else {
            Vec::new()
        }
    }

    /// Enter on the Outbox: the code goes to the screen that waits for it.
    fn use_code(&mut self, e: OutboxEntry) {
        if e.purpose == "SIGN_UP" {
            self.confirm.form.set_text("username", &e.username);
            self.confirm.form.set_text("code", &e.code);
            self.goto(Screen::Confirm);
            self.confirm.form.focus_id("code");
            self.ctx
                .flash_info("Code filled in from the outbox: Enter confirms.");
        } else if self.account.use_code(&e) {
            self.goto(Screen::Account);
            self.ctx
                .flash_info("Code filled in from the outbox: Enter confirms.");
        } else if self.challenge.fill(&e) {
            self.goto(Screen::Challenge);
            self.ctx
                .flash_info("Code filled in from the outbox: Enter submits.");
        } else {
            self.ctx
                .flash_info(format!("{} code {}", e.purpose, e.code));
        }
    }
}

/// Ctrl-T: step mode on or off.
fn toggle_step_mode(ctx: &mut Context) -> Vec<Action> {
    ctx.step_mode = !ctx.step_mode;
    if ctx.step_mode {
        ctx.flash_info(
            "Step mode on: each request waits in the inspector (Ctrl-G sends, Ctrl-D drops).",
        );
    } else {
        ctx.flash_info("Step mode off: requests are sent at once.");
    }
    vec![Action::Auth(AuthCommand::SetStepMode { on: ctx.step_mode })]
}

/// Ctrl-G (send) / Ctrl-D (drop) the held request.
fn step(ctx: &mut Context, send: bool) -> Vec<Action> {
    match ctx.held.take() {
        Some(h) => {
            ctx.flash_info(format!(
                "{} {}.",
                h.operation,
                if send { "sent" } else { "dropped" }
            ));
            vec![Action::Auth(AuthCommand::Step { send })]
        }
        None => {
            ctx.flash_error(if ctx.step_mode {
                "No request is held yet: submit a form first."
            } else {
                "Step mode is off (Ctrl-T turns it on)."
            });
            Vec::new()
        }
    }
}

/// `c`: the inspected call as redacted JSON on the clipboard.
fn copy_inspected(insp: &Inspector, ctx: &mut Context) -> Vec<Action> {
    match insp.inspected().and_then(|i| insp.exchanges.get(i)) {
        Some(x) => {
            let json = serde_json::json!({
                "operation": x.operation,
                "status": x.status,
                "request_id": x.request_id,
                "request": inspector::redact_for_display(&x.request),
                "response": inspector::redact_for_display(&x.response),
            });
            ctx.flash_info(format!(
                "Copied {} (redacted) to the clipboard.",
                x.operation
            ));
            vec![Action::Copy(
                serde_json::to_string_pretty(&json).unwrap_or_default(),
            )]
        }
        None => {
            ctx.flash_error("No call to copy yet.");
            Vec::new()
        }
    }
}

/// Cognito's answers to a stale or reused challenge Session.
pub fn is_session_error(e: &AuthErrorView) -> bool {
    e.code == "NotAuthorizedException" && e.message.starts_with("Invalid session for the user")
}
