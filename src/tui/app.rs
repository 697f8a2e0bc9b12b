//! The application state and its pure update functions. Nothing here does IO: keys and
//! actor events go in (with the current time passed in, so tests use a fixed clock) and
//! [`Action`]s come out; `render` draws the whole screen from the state.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::TargetInfo;
use super::screens::{self, Screen, challenge::ChallengeState, users::UsersState};
use super::theme::Theme;
use super::widgets::form::{Field, Form, FormOutcome};
use super::widgets::qr::QrGrid;
use super::widgets::timeline::{self, SessionRef, StatusEntry};
use super::widgets::{duration, inspector, truncate};
use crate::admin::{AdminCommand, AdminEvent, OutboxEntry, PoolSettings, SettingsError};
use crate::auth::events::{AuthCommand, AuthErrorView, AuthEvent, AuthFlowType, SessionView};
use crate::auth::steps::{
    CodeDeliveryDetails, NextStep, ResetPasswordStep, SignInStep, SignUpStep,
};
use crate::cognito::exchange::WireExchange;
use crate::secret::Secret;

/// Most status entries and exchanges kept in memory.
const MAX_ENTRIES: usize = 2000;
/// A call that has not finished after this long no longer blocks new submissions.
const IN_FLIGHT_STALE_MS: i64 = 60_000;
/// ListUsers page size (Cognito's maximum).
pub const USERS_PAGE_LIMIT: u32 = 60;

const SPINNER: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// What the run loop must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Auth(AuthCommand),
    Admin(AdminCommand),
    /// Put this text on the clipboard (OSC 52: works over SSH, needs no X/Wayland).
    Copy(String),
    Quit,
}

/// The sign-in flows offered by the Sign in screen, in selector order.
pub const FLOWS: &[(AuthFlowType, &str)] = &[
    (AuthFlowType::UserSrpAuth, "USER_SRP_AUTH"),
    (AuthFlowType::UserPasswordAuth, "USER_PASSWORD_AUTH"),
    (AuthFlowType::CustomWithSrp, "CUSTOM_WITH_SRP"),
    (AuthFlowType::CustomWithoutSrp, "CUSTOM_WITHOUT_SRP"),
    (AuthFlowType::UserAuth, "USER_AUTH"),
];

/// USER_AUTH's PREFERRED_CHALLENGE choices ("none" lets Cognito answer SELECT_CHALLENGE).
pub const PREFERRED: &[&str] = &[
    "none",
    "PASSWORD_SRP",
    "PASSWORD",
    "EMAIL_OTP",
    "SMS_OTP",
    "WEB_AUTHN",
];

pub fn flow_name(f: AuthFlowType) -> &'static str {
    FLOWS
        .iter()
        .find(|(x, _)| *x == f)
        .map(|(_, n)| *n)
        .unwrap_or("?")
}

/// A request the auth actor holds in step mode until the user sends or drops it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRequest {
    pub api: String,
    pub operation: String,
    /// The request body, secrets already redacted by the actor.
    pub request: serde_json::Value,
}

/// Reads the actor's step-mode note: `Step mode: {op} is ready to send (…): {json}`.
pub fn parse_held(api: &str, message: &str) -> Option<HeldRequest> {
    let rest = message.strip_prefix("Step mode: ")?;
    let (operation, rest) = rest.split_once(" is ready to send")?;
    let request = rest
        .split_once("): ")
        .and_then(|(_, json)| serde_json::from_str(json).ok())
        .unwrap_or(serde_json::Value::Null);
    Some(HeldRequest {
        api: api.to_string(),
        operation: operation.to_string(),
        request,
    })
}

/// A one-line message at the bottom of the current screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub theme: Theme,
    pub target: TargetInfo,
    pub local: bool,
    pub log_path: Option<PathBuf>,
    pub screen: Screen,
    pub sign_up: Form,
    pub confirm: Form,
    pub sign_in: Form,
    /// Where the last sign-up code went (from the CONFIRM_SIGN_UP step).
    pub confirm_delivery: Option<CodeDeliveryDetails>,
    /// ConfirmSignUp returned COMPLETE_AUTO_SIGN_IN: the Confirm screen offers autoSignIn.
    pub auto_sign_in_ready: bool,
    pub challenge: Option<ChallengeState>,
    pub session: Option<SessionView>,
    pub users: UsersState,
    pub outbox: Vec<OutboxEntry>,
    pub outbox_loaded: bool,
    /// Index into the newest-first outbox list.
    pub outbox_selected: usize,
    pub timeline: Vec<StatusEntry>,
    /// How many entries the status pane is scrolled back from the newest.
    pub status_back: usize,
    pub exchanges: Vec<WireExchange>,
    /// `None` follows the newest exchange.
    pub selected_exchange: Option<usize>,
    pub inspector_scroll: u16,
    pub inspector_zoom: bool,
    /// Scroll offset of the Session screen's claims.
    pub session_scroll: u16,
    /// Commands started and not yet finished: (api, since ms).
    pub in_flight: Vec<(String, i64)>,
    pub help: bool,
    pub flash: Option<Flash>,
    /// The username of the last sign-up / sign-in / reset the user started.
    pub last_username: String,
    pub should_quit: bool,
    pub dirty: bool,
    /// The pool settings screen's data (embedded pool).
    pub pool_settings: Option<PoolSettings>,
    pub pool_loading: bool,
    /// An Apply is on its way (the next settings read reports its outcome).
    pub pool_applying: bool,
    pub pool_set_error: Option<SettingsError>,
    pub pool_form: Form,
    pub pool_scroll: u16,
    /// Step mode: every request waits in the inspector until Ctrl-G sends it.
    pub step_mode: bool,
    pub held: Option<HeldRequest>,
    /// The QR code of the TOTP setup step, full screen.
    pub qr_full: bool,
    /// Ctrl-O found no code and asked for the outbox: fill the code in when it arrives.
    pub outbox_fill_pending: bool,
}

impl App {
    pub fn new(target: TargetInfo, local: bool, log_path: Option<PathBuf>, theme: Theme) -> Self {
        let mut sign_in = sign_in_form();
        sign_in.focus_first();
        Self {
            theme,
            target,
            local,
            log_path,
            screen: Screen::SignIn,
            sign_up: sign_up_form(),
            confirm: confirm_form(false),
            sign_in,
            confirm_delivery: None,
            auto_sign_in_ready: false,
            challenge: None,
            session: None,
            users: UsersState::default(),
            outbox: Vec::new(),
            outbox_loaded: false,
            outbox_selected: 0,
            timeline: Vec::new(),
            status_back: 0,
            exchanges: Vec::new(),
            selected_exchange: None,
            inspector_scroll: 0,
            inspector_zoom: false,
            session_scroll: 0,
            in_flight: Vec::new(),
            help: false,
            flash: None,
            last_username: String::new(),
            should_quit: false,
            dirty: true,
            pool_settings: None,
            pool_loading: false,
            pool_applying: false,
            pool_set_error: None,
            pool_form: screens::pool::mfa_form(None),
            pool_scroll: 0,
            step_mode: false,
            held: None,
            qr_full: false,
            outbox_fill_pending: false,
        }
    }

    /// How long a challenge Session lives: the client's AuthSessionValidity when the pool
    /// settings were read, else Cognito's default of 3 minutes.
    pub fn session_validity_ms(&self) -> i64 {
        self.pool_settings
            .as_ref()
            .and_then(|s| s.client.as_ref())
            .and_then(|c| c.auth_session_validity)
            .filter(|m| *m > 0)
            .map(|m| m * 60_000)
            .unwrap_or(screens::challenge::SESSION_VALIDITY_MS)
    }

    /// The otpauth URI of the TOTP setup step being shown, if any.
    pub fn totp_uri(&self) -> Option<&str> {
        match &self.challenge.as_ref()?.transition.next_step {
            NextStep::SignIn(SignInStep::ContinueSignInWithTotpSetup { totp_setup_details }) => {
                Some(totp_setup_details.setup_uri.as_str())
            }
            _ => None,
        }
    }

    /// The QR code of the TOTP setup step, if one is shown and the URI encodes.
    pub fn totp_qr(&self) -> Option<QrGrid> {
        QrGrid::encode(self.totp_uri()?)
    }

    /// Commands to send once at start (read the outbox of the embedded pool).
    pub fn startup_actions(&self) -> Vec<Action> {
        if self.local {
            vec![Action::Admin(AdminCommand::FetchOutbox)]
        } else {
            Vec::new()
        }
    }

    /// How often to redraw without input: a spinner while a call is in flight, a
    /// once-a-second countdown while a session or a challenge Session is shown.
    pub fn tick_interval(&self) -> Option<Duration> {
        if !self.in_flight.is_empty() || (self.screen == Screen::Users && self.users.busy()) {
            Some(Duration::from_millis(100))
        } else if (self.screen == Screen::Session && self.session.is_some())
            || (self.screen == Screen::Challenge && self.challenge.is_some())
        {
            Some(Duration::from_secs(1))
        } else {
            None
        }
    }

    pub fn signed_in_user(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.username.as_str())
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match self.screen {
            Screen::SignUp => Some(&mut self.sign_up),
            Screen::Confirm => Some(&mut self.confirm),
            Screen::SignIn => Some(&mut self.sign_in),
            Screen::Challenge => self.challenge.as_mut().map(|c| &mut c.form),
            // The Users view handles its own filter box and dialogs.
            Screen::Users => None,
            Screen::Pool if self.local => Some(&mut self.pool_form),
            _ => None,
        }
    }

    pub fn form(&self) -> Option<&Form> {
        match self.screen {
            Screen::SignUp => Some(&self.sign_up),
            Screen::Confirm => Some(&self.confirm),
            Screen::SignIn => Some(&self.sign_in),
            Screen::Challenge => self.challenge.as_ref().map(|c| &c.form),
            Screen::Users => self.users.active_form(),
            Screen::Pool if self.local => Some(&self.pool_form),
            _ => None,
        }
    }

    /// True while a text field has focus: letter keys type instead of acting.
    pub fn is_typing(&self) -> bool {
        self.form().is_some_and(Form::is_typing)
    }

    pub(crate) fn push_status(&mut self, e: StatusEntry) {
        self.timeline.push(e);
        if self.timeline.len() > MAX_ENTRIES {
            self.timeline.drain(..self.timeline.len() - MAX_ENTRIES);
        }
        if self.status_back > 0 {
            self.status_back += 1;
        }
    }

    fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: true,
        });
    }

    fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: false,
        });
    }

    /// The run loop could not hand a command to an actor (queue full or actor gone).
    pub fn note_send_failure(&mut self, api: &str, why: &str, now_ms: i64) {
        self.in_flight.retain(|(a, _)| a != api);
        self.push_status(StatusEntry::Error {
            at_ms: now_ms,
            error: AuthErrorView {
                api: api.to_string(),
                operation: None,
                code: "NotSent".into(),
                message: format!("the command could not be queued: {why}"),
                request_id: None,
            },
            session: None,
        });
        self.flash_error(format!("{api}: not sent ({why})"));
        self.dirty = true;
    }

    /// An actor's event channel closed.
    pub fn note_actor_gone(&mut self, which: &str, now_ms: i64) {
        self.in_flight.clear();
        self.push_status(StatusEntry::Error {
            at_ms: now_ms,
            error: AuthErrorView {
                api: which.to_string(),
                operation: None,
                code: "ActorStopped".into(),
                message: format!("the {which} actor stopped; see the log file"),
                request_id: None,
            },
            session: None,
        });
        self.flash_error(format!("the {which} actor stopped"));
        self.dirty = true;
    }

    fn busy(&self, now_ms: i64) -> Option<&str> {
        self.in_flight
            .iter()
            .find(|(_, since)| now_ms - since < IN_FLIGHT_STALE_MS)
            .map(|(a, _)| a.as_str())
    }

    // ----------------------------------------------------------------------------------
    // Keys
    // ----------------------------------------------------------------------------------

    /// A terminal event (keys; resizes only need a redraw).
    pub fn handle_event(&mut self, ev: &Event, now_ms: i64) -> Vec<Action> {
        match ev {
            Event::Key(k) => self.handle_key(*k, now_ms),
            Event::Resize(..) | Event::FocusGained => {
                self.dirty = true;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent, now_ms: i64) -> Vec<Action> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        self.dirty = true;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);

        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
            return vec![Action::Quit];
        }
        if self.qr_full {
            self.qr_full = false;
            return Vec::new();
        }
        if self.help {
            if matches!(
                key.code,
                KeyCode::Esc
                    | KeyCode::Enter
                    | KeyCode::F(9)
                    | KeyCode::Char('?')
                    | KeyCode::Char('q')
            ) {
                self.help = false;
            }
            return Vec::new();
        }
        // Global keys that never clash with typing.
        match key.code {
            KeyCode::F(n @ 1..=8) => return self.goto(Screen::ALL[n as usize - 1]),
            KeyCode::Char(c @ '1'..='8') if alt => {
                return self.goto(Screen::ALL[c as usize - '1' as usize]);
            }
            KeyCode::Char('t') if ctrl => return self.toggle_step_mode(now_ms),
            KeyCode::Char('g') if ctrl => return self.step(true),
            KeyCode::Char('d') if ctrl && self.held.is_some() => return self.step(false),
            KeyCode::Char('y') if ctrl && self.totp_uri().is_some() => return self.copy_uri(),
            KeyCode::Char('v') if ctrl && self.totp_uri().is_some() => {
                self.qr_full = true;
                return Vec::new();
            }
            KeyCode::Char('o') if ctrl && self.screen == Screen::Challenge => {
                return self.challenge_code_from_outbox(true);
            }
            KeyCode::F(10) => {
                self.inspector_zoom = !self.inspector_zoom;
                return Vec::new();
            }
            KeyCode::F(9) => {
                self.help = true;
                return Vec::new();
            }
            KeyCode::Char('n') if ctrl => {
                self.select_exchange(1);
                return Vec::new();
            }
            KeyCode::Char('p') if ctrl => {
                self.select_exchange(-1);
                return Vec::new();
            }
            // On the Users screen PgDn/PgUp page through the list.
            KeyCode::PageDown if self.screen != Screen::Users => {
                self.inspector_scroll = self.inspector_scroll.saturating_add(5);
                return Vec::new();
            }
            KeyCode::PageUp if self.screen != Screen::Users => {
                self.inspector_scroll = self.inspector_scroll.saturating_sub(5);
                return Vec::new();
            }
            KeyCode::Up if alt => {
                self.status_back =
                    (self.status_back + 1).min(self.timeline.len().saturating_sub(1));
                return Vec::new();
            }
            KeyCode::Down if alt => {
                self.status_back = self.status_back.saturating_sub(1);
                return Vec::new();
            }
            KeyCode::Char('o') if ctrl && self.screen == Screen::Confirm => {
                self.use_outbox_code();
                return Vec::new();
            }
            _ => {}
        }
        if self.screen == Screen::Users && self.users.captures_keys() {
            return screens::users::handle_key(self, key, now_ms);
        }
        // Forms get every key while a field has focus (and Tab to enter them).
        if let Some(form) = self.form_mut() {
            let entering = matches!(key.code, KeyCode::Tab | KeyCode::BackTab);
            if form.focus.is_some() || entering {
                let typing = form.is_typing();
                match form.handle_key(key) {
                    FormOutcome::Handled => return Vec::new(),
                    FormOutcome::Submit => return self.submit(None, now_ms),
                    FormOutcome::Pressed(id) => return self.submit(Some(id), now_ms),
                    FormOutcome::Left => return Vec::new(),
                    FormOutcome::Ignored if typing => return Vec::new(),
                    FormOutcome::Ignored => {}
                }
            }
        }
        // No field has focus: letter keys are commands.
        match key.code {
            KeyCode::Char('q') => return vec![Action::Quit],
            KeyCode::Char('?') => {
                self.help = true;
                return Vec::new();
            }
            KeyCode::Char(c @ '1'..='8') => {
                return self.goto(Screen::ALL[c as usize - '1' as usize]);
            }
            KeyCode::Char('z') => {
                self.inspector_zoom = !self.inspector_zoom;
                return Vec::new();
            }
            KeyCode::Char('c') => {
                return match self.inspected().and_then(|i| self.exchanges.get(i)) {
                    Some(x) => {
                        let json = serde_json::json!({
                            "operation": x.operation,
                            "status": x.status,
                            "request_id": x.request_id,
                            "request": inspector::redact_for_display(&x.request),
                            "response": inspector::redact_for_display(&x.response),
                        });
                        self.flash_info(format!(
                            "Copied {} (redacted) to the clipboard.",
                            x.operation
                        ));
                        vec![Action::Copy(
                            serde_json::to_string_pretty(&json).unwrap_or_default(),
                        )]
                    }
                    None => {
                        self.flash_error("No call to copy yet.");
                        Vec::new()
                    }
                };
            }
            KeyCode::Char('[') => {
                self.select_exchange(-1);
                return Vec::new();
            }
            KeyCode::Char(']') => {
                self.select_exchange(1);
                return Vec::new();
            }
            _ => {}
        }
        match self.screen {
            Screen::SignUp | Screen::Confirm | Screen::SignIn => {
                if key.code == KeyCode::Enter {
                    return self.submit(None, now_ms);
                }
                if key.code == KeyCode::Char('e')
                    && let Some(f) = self.form_mut()
                {
                    f.focus_first();
                }
                Vec::new()
            }
            Screen::Challenge => match key.code {
                KeyCode::Esc | KeyCode::Char('x') if self.challenge.is_some() => {
                    self.cancel_challenge()
                }
                KeyCode::Char('y') if self.totp_uri().is_some() => self.copy_uri(),
                KeyCode::Char('v') if self.totp_uri().is_some() => {
                    self.qr_full = true;
                    Vec::new()
                }
                KeyCode::Enter if self.challenge.is_some() => self.submit(None, now_ms),
                KeyCode::Char('e') => {
                    if let Some(c) = self.challenge.as_mut() {
                        c.form.focus_first();
                    }
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Screen::Session => self.session_key(key, now_ms),
            Screen::Users => screens::users::handle_key(self, key, now_ms),
            Screen::Outbox => self.outbox_key(key),
            Screen::Pool => self.pool_key(key),
        }
    }

    fn pool_key(&mut self, key: KeyEvent) -> Vec<Action> {
        match key.code {
            KeyCode::Char('r') => return self.read_pool_settings(),
            KeyCode::Char('e') | KeyCode::Enter if self.local => self.pool_form.focus_first(),
            KeyCode::Down | KeyCode::Char('j') => {
                self.pool_scroll = self.pool_scroll.saturating_add(1).min(40);
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.pool_scroll = self.pool_scroll.saturating_sub(1);
            }
            _ => {}
        }
        Vec::new()
    }

    fn read_pool_settings(&mut self) -> Vec<Action> {
        if !self.local {
            self.flash_info("Pool settings are shown for the embedded pool only.");
            return Vec::new();
        }
        self.pool_loading = true;
        vec![Action::Admin(AdminCommand::FetchPoolSettings)]
    }

    fn toggle_step_mode(&mut self, now_ms: i64) -> Vec<Action> {
        self.step_mode = !self.step_mode;
        let _ = now_ms;
        if self.step_mode {
            self.flash_info(
                "Step mode on: each request waits in the inspector (Ctrl-G sends, Ctrl-D drops).",
            );
        } else {
            self.flash_info("Step mode off: requests are sent at once.");
        }
        vec![Action::Auth(AuthCommand::SetStepMode {
            on: self.step_mode,
        })]
    }

    fn step(&mut self, send: bool) -> Vec<Action> {
        match self.held.take() {
            Some(h) => {
                self.flash_info(format!(
                    "{} {}.",
                    h.operation,
                    if send { "sent" } else { "dropped" }
                ));
                vec![Action::Auth(AuthCommand::Step { send })]
            }
            None => {
                self.flash_error(if self.step_mode {
                    "No request is held yet: submit a form first."
                } else {
                    "Step mode is off (Ctrl-T turns it on)."
                });
                Vec::new()
            }
        }
    }

    fn copy_uri(&mut self) -> Vec<Action> {
        match self.totp_uri().map(str::to_string) {
            Some(uri) => {
                self.flash_info("Copied the otpauth URI to the clipboard (OSC 52).");
                vec![Action::Copy(uri)]
            }
            None => Vec::new(),
        }
    }

    /// Ctrl-O on a code step: the newest code the embedded pool sent this user for it
    /// since the step began. Not there yet: the outbox is read again (once) and the code
    /// filled in when it arrives.
    fn challenge_code_from_outbox(&mut self, may_refresh: bool) -> Vec<Action> {
        let Some(ch) = self.challenge.as_ref() else {
            return Vec::new();
        };
        let Some((field, purposes)) = ch.outbox_target() else {
            self.flash_error(if ch.step_name().contains("TOTP") {
                "TOTP codes come from your authenticator app, not from the outbox."
            } else {
                "This step takes no code from the outbox."
            });
            return Vec::new();
        };
        let user = ch.username.clone();
        // Codes sent for an earlier step are not this step's.
        let since_ms = ch.transition.at_ms - ch.transition.latency_ms as i64 - 5_000;
        let found = self
            .outbox
            .iter()
            .rev()
            .find(|e| {
                e.username == user
                    && purposes.contains(&e.purpose.as_str())
                    && screens::forms::sent_ms(&e.sent_at).is_none_or(|t| t >= since_ms)
            })
            .cloned();
        match found {
            Some(e) => {
                if let Some(ch) = self.challenge.as_mut() {
                    ch.form.set_text(field, &e.code);
                    ch.form.focus_id(field);
                }
                self.flash_info(format!(
                    "{} code for {user} taken from the outbox.",
                    e.purpose
                ));
                Vec::new()
            }
            None if may_refresh && self.local => {
                self.outbox_fill_pending = true;
                self.flash_info("Reading the outbox…");
                vec![Action::Admin(AdminCommand::FetchOutbox)]
            }
            None => {
                self.flash_error(format!(
                    "No {} code for {user} in the outbox for this step.",
                    purposes.join("/")
                ));
                Vec::new()
            }
        }
    }

    fn select_exchange(&mut self, delta: isize) {
        let n = self.exchanges.len();
        if n == 0 {
            return;
        }
        let cur = self.selected_exchange.unwrap_or(n - 1) as isize;
        let next = (cur + delta).clamp(0, n as isize - 1) as usize;
        // Moving onto the newest one follows new exchanges again.
        self.selected_exchange = if next == n - 1 { None } else { Some(next) };
        self.inspector_scroll = 0;
    }

    /// The exchange the inspector shows.
    pub fn inspected(&self) -> Option<usize> {
        match self.selected_exchange {
            Some(i) if i < self.exchanges.len() => Some(i),
            _ => self.exchanges.len().checked_sub(1),
        }
    }

    /// Switches screens; form screens put the cursor in their first empty field.
    pub fn goto(&mut self, screen: Screen) -> Vec<Action> {
        self.screen = screen;
        self.flash = None;
        self.dirty = true;
        let mut out = Vec::new();
        match screen {
            Screen::SignUp | Screen::Confirm | Screen::SignIn | Screen::Challenge => {
                if let Some(f) = self.form_mut() {
                    focus_first_empty(f);
                }
            }
            Screen::Users => out.extend(self.users.open(0)),
            Screen::Outbox => {
                if self.local {
                    out.push(Action::Admin(AdminCommand::FetchOutbox));
                } else {
                    self.flash_info("The outbox exists only for the embedded pool.");
                }
            }
            Screen::Pool => {
                if self.local && self.pool_settings.is_none() && !self.pool_loading {
                    out.extend(self.read_pool_settings());
                } else if !self.local {
                    self.flash_info("Pool settings are shown for the embedded pool only.");
                }
            }
            Screen::Session => {}
        }
        out
    }

    fn use_outbox_code(&mut self) {
        let user = self.confirm.text("username");
        let found = self
            .outbox
            .iter()
            .rev()
            .find(|e| e.purpose == "SIGN_UP" && (user.is_empty() || e.username == user))
            .cloned();
        match found {
            Some(e) => {
                self.confirm.set_text("username", &e.username);
                self.confirm.set_text("code", &e.code);
                self.confirm.focus_id("code");
                self.flash_info(format!("Code for {} taken from the outbox.", e.username));
            }
            None => self.flash_error("No sign-up code in the outbox for this user yet."),
        }
    }

    fn cancel_challenge(&mut self) -> Vec<Action> {
        let was_sign_in = self.challenge.as_ref().is_some_and(|c| c.is_sign_in());
        self.challenge = None;
        self.goto(Screen::SignIn);
        self.flash_info("Sign-in cancelled.");
        if was_sign_in {
            vec![Action::Auth(AuthCommand::CancelSignIn)]
        } else {
            Vec::new()
        }
    }

    fn auth(&mut self, cmd: AuthCommand, now_ms: i64) -> Vec<Action> {
        if let Some(h) = &self.held {
            self.flash_error(format!(
                "{} is held in step mode: Ctrl-G sends it, Ctrl-D drops it.",
                h.operation
            ));
            return Vec::new();
        }
        if let Some(api) = self.busy(now_ms) {
            self.flash_error(format!("Waiting for {api} to finish…"));
            return Vec::new();
        }
        self.flash = None;
        vec![Action::Auth(cmd)]
    }

    /// Enter on a form (`None`) or a button press (`Some(id)`).
    fn submit(&mut self, button: Option<String>, now_ms: i64) -> Vec<Action> {
        match self.screen {
            Screen::SignUp => {
                let username = self.sign_up.text("username");
                let password = self.sign_up.raw("password");
                if username.is_empty() {
                    self.flash_error("Username is required.");
                    self.sign_up.focus_id("username");
                    return Vec::new();
                }
                if password.is_empty() {
                    self.flash_error("Password is required.");
                    self.sign_up.focus_id("password");
                    return Vec::new();
                }
                let mut attributes = BTreeMap::new();
                for (field, attr) in [("email", "email"), ("phone", "phone_number")] {
                    let v = self.sign_up.text(field);
                    if !v.is_empty() {
                        attributes.insert(attr.to_string(), v);
                    }
                }
                let cmd = AuthCommand::SignUp {
                    username: username.clone(),
                    password: Secret::new(password),
                    attributes,
                    auto_sign_in: self.sign_up.toggle_value("auto"),
                };
                let out = self.auth(cmd, now_ms);
                if !out.is_empty() {
                    self.last_username = username;
                    self.sign_up.clear("password");
                }
                out
            }
            Screen::Confirm => {
                let username = self.confirm.text("username");
                if button.as_deref() == Some("auto") {
                    return self.auth(AuthCommand::AutoSignIn, now_ms);
                }
                if username.is_empty() {
                    self.flash_error("Username is required.");
                    self.confirm.focus_id("username");
                    return Vec::new();
                }
                self.last_username = username.clone();
                if button.as_deref() == Some("resend") {
                    return self.auth(AuthCommand::ResendSignUpCode { username }, now_ms);
                }
                let code = self.confirm.text("code");
                if code.is_empty() {
                    self.flash_error(
                        "Enter the confirmation code (Ctrl-O takes it from the outbox).",
                    );
                    self.confirm.focus_id("code");
                    return Vec::new();
                }
                self.auth(AuthCommand::ConfirmSignUp { username, code }, now_ms)
            }
            Screen::SignIn => {
                let username = self.sign_in.text("username");
                if username.is_empty() {
                    self.flash_error("Username is required.");
                    self.sign_in.focus_id("username");
                    return Vec::new();
                }
                self.last_username = username.clone();
                if button.as_deref() == Some("forgot") {
                    return self.auth(AuthCommand::ResetPassword { username }, now_ms);
                }
                let flow = FLOWS[self.sign_in.choice_index("flow").min(FLOWS.len() - 1)].0;
                let password = self.sign_in.raw("password");
                let needs_password = matches!(
                    flow,
                    AuthFlowType::UserSrpAuth
                        | AuthFlowType::UserPasswordAuth
                        | AuthFlowType::CustomWithSrp
                );
                if needs_password && password.is_empty() {
                    self.flash_error(format!("{} needs a password.", flow_name(flow)));
                    self.sign_in.focus_id("password");
                    return Vec::new();
                }
                let preferred = self.sign_in.raw("preferred");
                let preferred_challenge =
                    (flow == AuthFlowType::UserAuth && preferred != "none").then_some(preferred);
                let cmd = AuthCommand::SignIn {
                    username,
                    password: (!password.is_empty()).then(|| Secret::new(password)),
                    flow,
                    preferred_challenge,
                };
                let out = self.auth(cmd, now_ms);
                if !out.is_empty() {
                    self.sign_in.clear("password");
                }
                out
            }
            Screen::Challenge => {
                if button.as_deref() == Some("cancel") {
                    return self.cancel_challenge();
                }
                let Some(ch) = self.challenge.as_mut() else {
                    return Vec::new();
                };
                match ch.command(button.as_deref()) {
                    Ok(cmd) => {
                        let out = self.auth(cmd, now_ms);
                        if !out.is_empty()
                            && let Some(ch) = self.challenge.as_mut()
                        {
                            ch.clear_secrets();
                        }
                        out
                    }
                    Err(msg) => {
                        self.flash_error(msg);
                        Vec::new()
                    }
                }
            }
            Screen::Pool => {
                if button.as_deref() == Some("reload") {
                    self.pool_form.focus = None;
                    return self.read_pool_settings();
                }
                match screens::pool::mfa_command(&self.pool_form) {
                    Ok(cmd) => {
                        self.pool_applying = true;
                        self.pool_set_error = None;
                        self.pool_loading = true;
                        self.flash_info("Sending SetUserPoolMfaConfig…");
                        vec![Action::Admin(cmd)]
                    }
                    Err(msg) => {
                        self.flash_error(msg);
                        Vec::new()
                    }
                }
            }
            _ => Vec::new(),
        }
    }

    fn session_key(&mut self, key: KeyEvent, now_ms: i64) -> Vec<Action> {
        match key.code {
            KeyCode::Char('r') => self.auth(
                AuthCommand::FetchSession {
                    force_refresh: true,
                },
                now_ms,
            ),
            KeyCode::Char('f') => self.auth(
                AuthCommand::FetchSession {
                    force_refresh: false,
                },
                now_ms,
            ),
            KeyCode::Char('o') => self.auth(AuthCommand::SignOut { global: false }, now_ms),
            KeyCode::Char('g') => self.auth(AuthCommand::SignOut { global: true }, now_ms),
            KeyCode::Down | KeyCode::Char('j') => {
                self.session_scroll = self.session_scroll.saturating_add(1).min(60);
                Vec::new()
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.session_scroll = self.session_scroll.saturating_sub(1);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn outbox_key(&mut self, key: KeyEvent) -> Vec<Action> {
        let n = self.outbox.len();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') if n > 0 => {
                self.outbox_selected = (self.outbox_selected + 1).min(n - 1);
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.outbox_selected = self.outbox_selected.saturating_sub(1);
            }
            KeyCode::Char('r') if self.local => {
                return vec![Action::Admin(AdminCommand::FetchOutbox)];
            }
            KeyCode::Char('y') if n > 0 => {
                let e = &self.outbox[n - 1 - self.outbox_selected.min(n - 1)];
                let code = e.code.clone();
                self.flash_info(format!("Copied {}'s code to the clipboard.", e.username));
                return vec![Action::Copy(code)];
            }
            KeyCode::Enter if n > 0 => {
                // Newest first on screen.
                let e = self.outbox[n - 1 - self.outbox_selected.min(n - 1)].clone();
                if e.purpose == "SIGN_UP" {
                    self.confirm.set_text("username", &e.username);
                    self.confirm.set_text("code", &e.code);
                    self.goto(Screen::Confirm);
                    self.confirm.focus_id("code");
                    self.flash_info("Code filled in from the outbox: Enter confirms.");
                } else if let Some(ch) = self.challenge.as_mut()
                    && let Some((field, _)) = ch.outbox_target()
                {
                    ch.form.set_text(field, &e.code);
                    self.goto(Screen::Challenge);
                    self.flash_info("Code filled in from the outbox: Enter submits.");
                } else {
                    self.flash_info(format!("{} code {}", e.purpose, e.code));
                }
            }
            _ => {}
        }
        Vec::new()
    }

    // ----------------------------------------------------------------------------------
    // Actor events
    // ----------------------------------------------------------------------------------

    fn refresh_outbox(&self, out: &mut Vec<Action>) {
        if self.local {
            out.push(Action::Admin(AdminCommand::FetchOutbox));
        }
    }

    pub fn on_auth_event(&mut self, ev: AuthEvent, now_ms: i64) -> Vec<Action> {
        self.dirty = true;
        let mut out = Vec::new();
        match ev {
            AuthEvent::Started { api } => self.in_flight.push((api, now_ms)),
            AuthEvent::Finished { api, ok } => {
                self.held = None;
                if let Some(i) = self.in_flight.iter().position(|(a, _)| *a == api) {
                    self.in_flight.remove(i);
                }
                if ok && api == "resendSignUpCode" {
                    self.flash_info("A new code was sent.");
                    self.refresh_outbox(&mut out);
                }
            }
            AuthEvent::Transition(t) => {
                self.push_status(StatusEntry::Transition(t.clone()));
                self.apply_transition(t, &mut out);
            }
            AuthEvent::Exchange(x) => {
                self.held = None;
                self.push_exchange(x);
            }
            AuthEvent::Session { session } => {
                let had = self.session.is_some();
                if session.is_none()
                    && let Some(old) = &self.session
                    && self.sign_in.text("username").is_empty()
                {
                    self.sign_in.set_text("username", &old.username);
                }
                self.session = session;
                if had && self.session.is_none() {
                    self.flash_info("Signed out.");
                    if self.screen == Screen::Session {
                        self.goto(Screen::SignIn);
                        self.flash_info("Signed out.");
                    }
                }
            }
            AuthEvent::Error(error) => {
                if error.code != crate::cognito::ClientCode::Busy.as_str() {
                    self.held = None;
                }
                self.flash_error(format!("{}: {}", error.code, error.message));
                // A stale or reused Session: the row under the error names it.
                let session = self
                    .session_of(&error, now_ms)
                    .filter(|s| s.expired || is_session_error(&error));
                self.push_status(StatusEntry::Error {
                    at_ms: now_ms,
                    error,
                    session,
                });
            }
            AuthEvent::Info { api, message } => {
                let message = match parse_held(&api, &message) {
                    Some(h) => {
                        let m = format!(
                            "Step mode: {} is held — Ctrl-G sends it, Ctrl-D drops it \
                             (request in the inspector)",
                            h.operation
                        );
                        self.held = Some(h);
                        m
                    }
                    None => message,
                };
                self.push_status(StatusEntry::Info {
                    at_ms: now_ms,
                    api,
                    message,
                });
            }
        }
        out
    }

    /// The challenge Session an error answered, with its age then: a failed
    /// RespondToAuthChallenge is shown next to the Session it used.
    fn session_of(&self, error: &AuthErrorView, now_ms: i64) -> Option<SessionRef> {
        if error.operation.as_deref() != Some("RespondToAuthChallenge") {
            return None;
        }
        let t = &self.challenge.as_ref()?.transition;
        let id = t.session_id.clone()?;
        let issued = t.at_ms - t.session_age_ms.unwrap_or(0) as i64;
        let age_ms = (now_ms - issued).max(0);
        let validity_ms = self.session_validity_ms();
        Some(SessionRef {
            id,
            age_ms,
            validity_ms,
            expired: age_ms >= validity_ms,
        })
    }

    fn push_exchange(&mut self, x: WireExchange) {
        self.exchanges.push(x);
        if self.exchanges.len() > MAX_ENTRIES {
            let cut = self.exchanges.len() - MAX_ENTRIES;
            self.exchanges.drain(..cut);
            self.selected_exchange = self.selected_exchange.and_then(|i| i.checked_sub(cut));
        }
        if self.selected_exchange.is_none() {
            self.inspector_scroll = 0;
        }
    }

    fn apply_transition(&mut self, t: crate::auth::events::Transition, out: &mut Vec<Action>) {
        let user = self.last_username.clone();
        match &t.next_step {
            NextStep::SignUp(SignUpStep::ConfirmSignUp {
                code_delivery_details,
            }) => {
                self.confirm_delivery = code_delivery_details.clone();
                self.open_confirm(&user);
                self.refresh_outbox(out);
            }
            NextStep::SignUp(SignUpStep::CompleteAutoSignIn) => {
                self.auto_sign_in_ready = true;
                let username = if user.is_empty() {
                    self.confirm.text("username")
                } else {
                    user
                };
                let code = self.confirm.text("code");
                self.confirm = confirm_form(true);
                self.confirm.set_text("username", &username);
                self.confirm.set_text("code", &code);
                self.screen = Screen::Confirm;
                self.confirm.focus_id("auto");
                self.flash_info("Confirmed. Press Enter to complete auto sign-in.");
            }
            NextStep::SignUp(SignUpStep::Done) => {
                self.auto_sign_in_ready = false;
                self.sign_in.set_text("username", &user);
                self.goto(Screen::SignIn);
                self.sign_in.focus_id("password");
                self.flash_info(format!("{user} is confirmed. Sign in now."));
            }
            NextStep::SignIn(SignInStep::Done) => {
                self.challenge = None;
                if self.auto_sign_in_ready {
                    self.auto_sign_in_ready = false;
                    self.confirm = confirm_form(false);
                }
                self.goto(Screen::Session);
                self.flash_info("Signed in.");
            }
            NextStep::SignIn(SignInStep::ConfirmSignUp) => {
                self.challenge = None;
                self.open_confirm(&user);
                self.flash_info(format!(
                    "{user} is not confirmed: enter the code (F2 · Resend if you have none)."
                ));
            }
            NextStep::SignIn(step) => {
                let delivers = matches!(
                    step,
                    SignInStep::ConfirmSignInWithSmsCode { .. }
                        | SignInStep::ConfirmSignInWithEmailCode { .. }
                        | SignInStep::ConfirmSignInWithCustomChallenge { .. }
                );
                self.challenge = Some(ChallengeState::new(t.clone(), user));
                self.goto(Screen::Challenge);
                if delivers {
                    self.refresh_outbox(out);
                }
            }
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode { .. }) => {
                self.challenge = Some(ChallengeState::new(t.clone(), user));
                self.goto(Screen::Challenge);
                self.refresh_outbox(out);
            }
            NextStep::ResetPassword(ResetPasswordStep::Done) => {
                self.challenge = None;
                self.sign_in.set_text("username", &user);
                self.goto(Screen::SignIn);
                self.sign_in.focus_id("password");
                self.flash_info("Password reset. Sign in with the new password.");
            }
        }
    }

    fn open_confirm(&mut self, user: &str) {
        if !user.is_empty() {
            self.confirm.set_text("username", user);
        }
        self.confirm.clear("code");
        self.screen = Screen::Confirm;
        self.confirm.focus_id("code");
        self.flash = None;
    }

    pub fn on_admin_event(&mut self, ev: AdminEvent, now_ms: i64) -> Vec<Action> {
        self.dirty = true;
        match ev {
            ev @ (AdminEvent::UsersPage { .. }
            | AdminEvent::UserDetail { .. }
            | AdminEvent::ActionDone { .. }
            | AdminEvent::ActionFailed { .. }
            | AdminEvent::Groups { .. }) => return screens::users::on_event(self, ev, now_ms),
            AdminEvent::PoolSettings { settings } => {
                self.pool_loading = false;
                if let Some(e) = settings.errors.first() {
                    if self.screen == Screen::Pool {
                        self.flash_error(format!("{}: {}: {}", e.operation, e.code, e.message));
                    }
                } else if self.pool_applying && self.pool_set_error.is_none() {
                    let m = settings.mfa.clone().unwrap_or_default();
                    self.flash_info(format!("SetUserPoolMfaConfig done: MFA is {}.", m.mode));
                }
                self.pool_applying = false;
                // Keep what the user is editing; otherwise show what the pool says.
                if self.pool_form.focus.is_none() || self.pool_set_error.is_none() {
                    let focus = self.pool_form.focus;
                    self.pool_form = screens::pool::mfa_form(settings.mfa.as_ref());
                    self.pool_form.focus = focus;
                }
                self.pool_settings = Some(settings);
            }
            AdminEvent::Outbox { entries } => {
                self.outbox = entries;
                self.outbox_loaded = true;
                self.outbox_selected = self
                    .outbox_selected
                    .min(self.outbox.len().saturating_sub(1));
                if std::mem::take(&mut self.outbox_fill_pending) {
                    self.challenge_code_from_outbox(false);
                }
            }
            // Reading the embedded pool's outbox is not a Cognito call: keep the inspector
            // on the calls being debugged.
            AdminEvent::Exchange(x) if x.operation.starts_with("GET /_local") => {
                tracing::debug!(operation = %x.operation, "outbox read");
            }
            AdminEvent::Exchange(x) => {
                self.push_exchange(x);
                // Thousands of loaded users must not be kept twice (rows and raw pages).
                super::users::compact_list_users(&mut self.exchanges);
            }
            AdminEvent::Error {
                operation,
                code,
                message,
            } => {
                screens::users::on_error(&mut self.users, &operation, &code, &message);
                if operation == "SetUserPoolMfaConfig" {
                    self.pool_set_error = Some(SettingsError {
                        operation: operation.clone(),
                        code: code.clone(),
                        message: message.clone(),
                    });
                }
                self.flash_error(format!("{operation}: {code}: {message}"));
                self.push_status(StatusEntry::Error {
                    at_ms: now_ms,
                    error: AuthErrorView {
                        api: "admin".into(),
                        operation: Some(operation),
                        code,
                        message,
                        request_id: None,
                    },
                    session: None,
                });
            }
        }
        Vec::new()
    }

    /// The newest outbox entry for `username` with `purpose`.
    pub fn latest_code(&self, username: &str, purpose: &str) -> Option<&OutboxEntry> {
        self.outbox
            .iter()
            .rev()
            .find(|e| e.username == username && e.purpose == purpose)
    }

    // ----------------------------------------------------------------------------------
    // Drawing
    // ----------------------------------------------------------------------------------

    pub fn render(&self, frame: &mut Frame, now_ms: i64) {
        let area = frame.area();
        if area.width < 20 || area.height < 6 {
            frame.render_widget(
                Paragraph::new("cognito-tui: terminal too small").wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        let mut status_h = if area.height >= 36 {
            10
        } else if area.height >= 22 {
            7
        } else {
            4
        };
        // The TOTP setup's QR code beside the form: give it the status pane's rows when
        // that is what it takes (the newest step and its explanation still show).
        if self.screen == Screen::Challenge
            && !self.inspector_zoom
            && self.held.is_none()
            && let Some(q) = self.totp_qr()
        {
            let need = q.rows() + 3;
            let body = |s: u16| area.height.saturating_sub(3 + s);
            if body(status_h) < need && body(4) >= need {
                status_h = area.height.saturating_sub(3 + need).clamp(4, status_h);
            }
        }
        let [header, tabs, body, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(status_h),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(frame, header, now_ms);
        self.render_tabs(frame, tabs);
        if self.inspector_zoom {
            if body.width >= 90 {
                let [list, detail] =
                    Layout::horizontal([Constraint::Length(44), Constraint::Min(40)]).areas(body);
                inspector::render_list(frame, list, &self.exchanges, self.inspected(), &self.theme);
                self.render_inspector(frame, detail, true);
            } else {
                self.render_inspector(frame, body, true);
            }
        } else if self.screen == Screen::Users && body.width < 150 {
            // The users table needs the width; F10 shows the calls.
            self.render_main(frame, body, now_ms);
        } else if body.width >= 60 {
            let main_pct = if self.screen == Screen::Users { 70 } else { 56 };
            let [main, insp] = Layout::horizontal([
                Constraint::Percentage(main_pct),
                Constraint::Percentage(100 - main_pct),
            ])
            .areas(body);
            self.render_main(frame, main, now_ms);
            self.render_right(frame, insp);
        } else {
            self.render_main(frame, body, now_ms);
        }
        timeline::render(
            frame,
            status,
            &self.timeline,
            self.status_back,
            self.session_validity_ms(),
            &self.theme,
        );
        self.render_footer(frame, footer);
        if self.screen == Screen::Users {
            super::users::overlay::render(self, frame, body, now_ms);
        }
        if self.help {
            self.render_help(frame, area);
        }
        if self.qr_full {
            self.render_qr_full(frame, area);
        }
    }

    /// The right pane: a held request (step mode), else the TOTP setup's QR code when it
    /// fits, else the inspector.
    fn render_right(&self, frame: &mut Frame, area: Rect) {
        if let Some(h) = &self.held {
            inspector::render_held(frame, area, h, &self.theme);
            return;
        }
        if self.screen == Screen::Challenge
            && let Some(q) = self.totp_qr()
            && q.fits(area.width.saturating_sub(2), area.height.saturating_sub(3))
        {
            let t = &self.theme;
            let block = Block::bordered()
                .title(Span::styled(" Scan with an authenticator app ", t.title()))
                .border_style(t.border_focused());
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let x = inner.x + (inner.width - q.cols()) / 2;
            frame.render_widget(
                Paragraph::new(q.lines()),
                Rect::new(x, inner.y, q.cols(), q.rows()),
            );
            if inner.height > q.rows() {
                frame.render_widget(
                    Line::styled("^Y copies the URI · F10 shows the calls", t.dim()),
                    Rect::new(inner.x, inner.y + q.rows(), inner.width, 1),
                );
            }
            return;
        }
        self.render_inspector(frame, area, true);
    }

    /// Ctrl-V on the TOTP setup step: the QR code over the whole terminal.
    fn render_qr_full(&self, frame: &mut Frame, area: Rect) {
        let t = &self.theme;
        frame.render_widget(Clear, area);
        let Some(q) = self.totp_qr() else {
            frame.render_widget(
                Paragraph::new("No TOTP setup step is shown (any key closes).").style(t.dim()),
                area,
            );
            return;
        };
        if !q.fits(area.width, area.height.saturating_sub(1)) {
            frame.render_widget(
                Paragraph::new(vec![
                    Line::styled(
                        format!(
                            "The QR code needs {}×{} cells; this terminal is {}×{}.",
                            q.cols(),
                            q.rows() + 1,
                            area.width,
                            area.height
                        ),
                        t.error(),
                    ),
                    Line::raw("Enlarge the terminal, or copy the URI (^Y, OSC 52) or the secret."),
                    Line::styled("Any key closes.", t.dim()),
                ])
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        let x = area.x + (area.width - q.cols()) / 2;
        let y = area.y + (area.height - 1 - q.rows()) / 2;
        frame.render_widget(
            Paragraph::new(q.lines()),
            Rect::new(x, y, q.cols(), q.rows()),
        );
        frame.render_widget(
            Line::styled(
                "Scan with an authenticator app · ^Y copies the URI · any key closes",
                t.dim(),
            ),
            Rect::new(area.x, y + q.rows(), area.width, 1),
        );
    }

    fn render_header(&self, frame: &mut Frame, area: Rect, now_ms: i64) {
        let t = &self.theme;
        let width = area.width as usize;
        let right = match self.signed_in_user() {
            Some(u) => format!(" ● {u} "),
            None => " not signed in ".to_string(),
        };
        let spinner = if let Some(h) = &self.held {
            Some(format!(" ⏸ {} held ", h.operation))
        } else if self.step_mode && self.in_flight.is_empty() {
            Some(" STEP ".to_string())
        } else {
            None
        };
        let spinner = spinner.or_else(|| {
            self.in_flight.first().map(|(api, since)| {
                let i = ((now_ms - since).max(0) / 100) as usize % SPINNER.len();
                format!(
                    " {} {api} {} ",
                    SPINNER[i],
                    duration((now_ms - since).max(0) as u64)
                )
            })
        });
        let name = " cognito-tui ";
        let fixed = name.chars().count()
            + right.chars().count()
            + spinner.as_ref().map_or(0, |s| s.chars().count());
        let room = width.saturating_sub(fixed + 2);
        let mut label = self.target.label();
        if label.chars().count() > room {
            // Drop the endpoint first, then cut.
            label = match self.target.kind {
                super::TargetKind::Aws => label,
                _ => format!(
                    "{} pool {}",
                    self.target.kind_word(),
                    self.target.user_pool_id
                ),
            };
            label = truncate(&label, room);
        }
        let mut spans = vec![
            Span::styled(name, t.header()),
            Span::styled(format!(" {label} "), t.header()),
        ];
        if let Some(s) = spinner {
            let style = if self.held.is_some() {
                t.error()
            } else {
                t.key()
            };
            spans.push(Span::styled(s, style));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let gap = width.saturating_sub(used + right.chars().count());
        spans.push(Span::styled(" ".repeat(gap), t.header()));
        spans.push(Span::styled(right, t.header()));
        frame.render_widget(Line::from(spans), area);
    }

    fn render_tabs(&self, frame: &mut Frame, area: Rect) {
        let t = &self.theme;
        let roomy = area.width >= 100;
        // Eight tabs need 84 columns; narrower, the Challenge tab is called Step.
        let narrow = area.width < 84;
        let mut spans = Vec::new();
        for (i, s) in Screen::ALL.iter().enumerate() {
            let active = *s == self.screen;
            let style = if active { t.tab_active() } else { t.tab() };
            spans.push(Span::styled(
                format!("F{}", i + 1),
                if active { style } else { t.key() },
            ));
            let title = if narrow && *s == Screen::Challenge {
                "Step"
            } else {
                s.title()
            };
            spans.push(Span::styled(format!(" {title} "), style));
            if roomy {
                spans.push(Span::raw(" "));
            }
        }
        frame.render_widget(Line::from(spans), area);
    }

    fn render_main(&self, frame: &mut Frame, area: Rect, now_ms: i64) {
        let t = &self.theme;
        let border = if self.is_typing() {
            t.border_focused()
        } else {
            t.border()
        };
        let block = Block::bordered()
            .title(Span::styled(
                format!(" {} ", self.screen.title()),
                t.title(),
            ))
            .border_style(border);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let (content, flash_area) = if self.flash.is_some() && inner.height >= 2 {
            let [c, f] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            (c, Some(f))
        } else {
            (inner, None)
        };
        match self.screen {
            Screen::SignUp => screens::forms::render_sign_up(self, frame, content),
            Screen::Confirm => screens::forms::render_confirm(self, frame, content),
            Screen::SignIn => screens::forms::render_sign_in(self, frame, content),
            Screen::Challenge => screens::challenge::render(self, frame, content, now_ms),
            Screen::Session => screens::session::render(self, frame, content, now_ms),
            Screen::Users => screens::users::render(self, frame, content, now_ms),
            Screen::Outbox => screens::outbox::render(self, frame, content),
            Screen::Pool => screens::pool::render(self, frame, content),
        }
        if let (Some(f), Some(a)) = (&self.flash, flash_area) {
            let style = if f.error { t.error() } else { t.ok() };
            frame.render_widget(Clear, a);
            frame.render_widget(Line::styled(f.text.clone(), style), a);
        }
    }

    fn render_inspector(&self, frame: &mut Frame, area: Rect, wrap: bool) {
        inspector::render(
            frame,
            area,
            &self.exchanges,
            self.inspected(),
            self.inspector_scroll,
            wrap,
            &self.theme,
        );
    }

    fn footer_hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.help {
            return vec![("Esc", "close help")];
        }
        if self.qr_full {
            return vec![("any key", "close the QR code")];
        }
        if self.screen == Screen::Users && self.users.captures_keys() {
            let mut v = screens::users::footer_hints(&self.users);
            v.push(("F9", "help"));
            return v;
        }
        if self.held.is_some() {
            return vec![
                ("^G", "send the held request"),
                ("^D", "drop it"),
                ("^T", "step mode off"),
            ];
        }
        if self.is_typing() {
            let mut v = vec![
                ("Tab", "next"),
                ("S-Tab", "prev"),
                ("Enter", "submit"),
                ("Esc", "leave field"),
            ];
            if self.screen == Screen::Confirm {
                v.push(("^O", "code from outbox"));
            }
            if self.screen == Screen::Challenge {
                if self.totp_uri().is_some() {
                    v.push(("^Y", "copy URI"));
                    v.push(("^V", "QR"));
                } else if self.local
                    && self
                        .challenge
                        .as_ref()
                        .is_some_and(ChallengeState::takes_outbox_code)
                {
                    v.push(("^O", "code from outbox"));
                }
            }
            v.extend([("F9", "help"), ("^C", "quit")]);
            return v;
        }
        let mut v = match self.screen {
            Screen::SignUp | Screen::Confirm | Screen::SignIn => {
                vec![("Tab/e", "edit"), ("Enter", "submit")]
            }
            Screen::Challenge if self.totp_uri().is_some() => vec![
                ("Tab/e", "edit"),
                ("v", "QR"),
                ("y", "copy URI"),
                ("Esc", "cancel"),
            ],
            Screen::Challenge => vec![("Tab/e", "edit"), ("Enter", "submit"), ("Esc", "cancel")],
            Screen::Session => vec![
                ("↑↓", "claims"),
                ("r", "refresh"),
                ("o", "sign out"),
                ("g", "global sign out"),
            ],
            Screen::Users => screens::users::footer_hints(&self.users),
            Screen::Outbox => vec![
                ("↑↓", "select"),
                ("Enter", "use code"),
                ("y", "copy"),
                ("r", "refresh"),
            ],
            Screen::Pool => vec![("e", "edit MFA"), ("r", "reload"), ("↑↓", "scroll")],
        };
        v.push((
            "^T",
            if self.step_mode {
                "step off"
            } else {
                "step mode"
            },
        ));
        v.extend([("[ ]", "calls"), ("?", "help"), ("q", "quit")]);
        v
    }

    fn render_footer(&self, frame: &mut Frame, area: Rect) {
        let t = &self.theme;
        let mut hints = self.footer_hints();
        // Too wide: drop the hints a user needs least, one at a time.
        let width = |h: &[(&str, &str)]| -> usize {
            h.iter()
                .map(|(k, w)| k.chars().count() + w.chars().count() + 3)
                .sum()
        };
        for optional in ["^T", "S-Tab", "[ ]", "Tab"] {
            if width(&hints) <= area.width as usize {
                break;
            }
            hints.retain(|(k, _)| *k != optional);
        }
        let mut spans = Vec::new();
        for (k, what) in hints {
            spans.push(Span::styled(k, t.key()));
            spans.push(Span::styled(format!(" {what}  "), t.dim()));
        }
        frame.render_widget(Line::from(spans), area);
    }

    fn render_help(&self, frame: &mut Frame, area: Rect) {
        let t = &self.theme;
        let w = area.width.saturating_sub(2).min(78);
        let h = area.height.saturating_sub(2).min(30);
        let x = area.x + (area.width - w) / 2;
        let y = area.y + (area.height - h) / 2;
        let popup = Rect::new(x, y, w, h);
        let rows: &[(&str, &str)] = &[
            (
                "F1…F8, Alt-1…8",
                "switch screen (1…8 when no field has focus)",
            ),
            (
                "Tab / Shift-Tab",
                "next / previous field (Tab enters a form)",
            ),
            ("Enter", "submit the form, press the focused button"),
            ("Esc", "leave the field; on Challenge: cancel the sign-in"),
            ("Space, ←/→", "toggle a checkbox, change a choice"),
            (
                "Ctrl-O",
                "Confirm, Challenge: take the code from the outbox",
            ),
            (
                "Ctrl-T, ^G, ^D",
                "step mode: hold each request; send / drop it",
            ),
            ("Ctrl-V, Ctrl-Y", "TOTP setup: QR full screen, copy the URI"),
            ("Ctrl-N/P, ] [", "next / previous call in the inspector"),
            ("PgDn / PgUp", "scroll the inspector"),
            ("F10, z", "inspector full width (wrapped)"),
            (
                "Pool: e r",
                "edit MFA (Apply sends SetUserPoolMfaConfig), reload",
            ),
            ("Alt-↑ / Alt-↓", "scroll the status pane back / forward"),
            (
                "Session: r f o g",
                "refresh, fetch, sign out, global sign out",
            ),
            (
                "Users: / Enter a",
                "filter, details, actions n e d D R P o m A g y Y",
            ),
            ("Outbox: r Enter y", "refresh, use the code, copy it"),
            ("c", "copy the inspected call (redacted JSON)"),
            ("F9 ? · q ^C ^Q", "this help · quit"),
        ];
        let mut lines: Vec<Line> = rows
            .iter()
            .map(|(k, v)| {
                Line::from(vec![
                    Span::styled(format!("{k:<20}"), t.key()),
                    Span::raw(v.to_string()),
                ])
            })
            .collect();
        lines.push(Line::styled(
            "Letter keys act only when no text field has focus (Esc leaves one).",
            t.dim(),
        ));
        if let Some(p) = &self.log_path {
            lines.push(Line::from(vec![
                Span::styled("Log file: ", t.label()),
                Span::raw(p.display().to_string()),
            ]));
        }
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                Block::bordered()
                    .title(Span::styled(" Keys ", t.title()))
                    .border_style(t.border_focused()),
            ),
            popup,
        );
    }
}

/// Cognito's answers to a stale or reused challenge Session.
pub fn is_session_error(e: &AuthErrorView) -> bool {
    e.code == "NotAuthorizedException" && e.message.starts_with("Invalid session for the user")
}

fn focus_first_empty(f: &mut Form) {
    let idx = f.fields.iter().position(|fld| {
        matches!(&fld.kind, super::widgets::form::FieldKind::Text { input, .. } if input.value().is_empty())
    });
    match idx {
        Some(i) => f.focus = Some(i),
        None => f.focus_first(),
    }
}

pub fn sign_up_form() -> Form {
    Form::new(vec![
        Field::text("username", "Username"),
        Field::secret("password", "Password"),
        Field::text("email", "Email"),
        Field::text("phone", "Phone").with_hint("+15555550100"),
        Field::toggle("auto", "Auto sign-in", false),
        Field::button("submit", "Sign up"),
    ])
}

pub fn confirm_form(auto_ready: bool) -> Form {
    let mut fields = vec![
        Field::text("username", "Username"),
        Field::text("code", "Code"),
        Field::button("confirm", "Confirm"),
        Field::button("resend", "Resend code"),
    ];
    if auto_ready {
        fields.push(Field::button("auto", "Complete auto sign-in"));
    }
    Form::new(fields)
}

pub fn sign_in_form() -> Form {
    Form::new(vec![
        Field::text("username", "Username"),
        Field::secret("password", "Password"),
        Field::choice(
            "flow",
            "Flow",
            FLOWS.iter().map(|(_, n)| n.to_string()).collect(),
        ),
        Field::choice(
            "preferred",
            "Preferred",
            PREFERRED.iter().map(|s| s.to_string()).collect(),
        )
        .with_hint("USER_AUTH"),
        Field::button("submit", "Sign in"),
        Field::button("forgot", "Forgot password"),
    ])
}
