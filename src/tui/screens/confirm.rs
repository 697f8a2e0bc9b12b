//! Confirm sign-up (F2): the code (typed, or taken from the embedded pool's outbox), a
//! resend, and autoSignIn once ConfirmSignUp answered COMPLETE_AUTO_SIGN_IN.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::admin::OutboxEntry;
use crate::auth::events::AuthCommand;
use crate::auth::steps::CodeDeliveryDetails;
use crate::tui::context::Context;
use crate::tui::shared::Action;
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::{below, notes, sent_clock};

pub struct ConfirmScreen {
    pub form: Form,
    /// Where the last sign-up code went (from the CONFIRM_SIGN_UP step).
    pub delivery: Option<CodeDeliveryDetails>,
    /// ConfirmSignUp returned COMPLETE_AUTO_SIGN_IN: the screen offers autoSignIn.
    pub auto_sign_in_ready: bool,
}

impl Default for ConfirmScreen {
    fn default() -> Self {
        Self {
            form: confirm_form(false),
            delivery: None,
            auto_sign_in_ready: false,
        }
    }
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

/// The newest outbox entry for `username` with `purpose`.
pub fn latest_code<'a>(
    outbox: &'a [OutboxEntry],
    username: &str,
    purpose: &str,
) -> Option<&'a OutboxEntry> {
    outbox
        .iter()
        .rev()
        .find(|e| e.username == username && e.purpose == purpose)
}

impl ConfirmScreen {
    /// A key when no field has focus.
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        match key.code {
            KeyCode::Enter => self.submit(None, ctx, now_ms),
            KeyCode::Char('e') => {
                self.form.focus_first();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Enter (`None`) or a button: ConfirmSignUp, ResendConfirmationCode or autoSignIn.
    pub fn submit(&mut self, button: Option<&str>, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        let username = self.form.text("username");
        if button == Some("auto") {
            return ctx
                .auth(AuthCommand::AutoSignIn, now_ms)
                .into_iter()
                .collect();
        }
        if username.is_empty() {
            ctx.flash_error("Username is required.");
            self.form.focus_id("username");
            return Vec::new();
        }
        ctx.last_username = username.clone();
        if button == Some("resend") {
            return ctx
                .auth(AuthCommand::ResendSignUpCode { username }, now_ms)
                .into_iter()
                .collect();
        }
        let code = self.form.text("code");
        if code.is_empty() {
            ctx.flash_error("Enter the confirmation code (Ctrl-O takes it from the outbox).");
            self.form.focus_id("code");
            return Vec::new();
        }
        ctx.auth(AuthCommand::ConfirmSignUp { username, code }, now_ms)
            .into_iter()
            .collect()
    }

    /// Ctrl-O: the newest sign-up code for the username typed (any user's if none).
    pub fn use_outbox_code(&mut self, outbox: &[OutboxEntry], ctx: &mut Context) {
        let user = self.form.text("username");
        let found = outbox
            .iter()
            .rev()
            .find(|e| e.purpose == "SIGN_UP" && (user.is_empty() || e.username == user));
        match found {
            Some(e) => {
                self.form.set_text("username", &e.username);
                self.form.set_text("code", &e.code);
                self.form.focus_id("code");
                ctx.flash_info(format!("Code for {} taken from the outbox.", e.username));
            }
            None => ctx.flash_error("No sign-up code in the outbox for this user yet."),
        }
    }

    /// The CONFIRM_SIGN_UP step: the code field, empty, for `user`.
    pub fn open(&mut self, user: &str) {
        if !user.is_empty() {
            self.form.set_text("username", user);
        }
        self.form.clear("code");
        self.form.focus_id("code");
    }

    /// COMPLETE_AUTO_SIGN_IN: the form gains its autoSignIn button, focused.
    pub fn offer_auto_sign_in(&mut self, user: String) {
        self.auto_sign_in_ready = true;
        let username = if user.is_empty() {
            self.form.text("username")
        } else {
            user
        };
        let code = self.form.text("code");
        self.form = confirm_form(true);
        self.form.set_text("username", &username);
        self.form.set_text("code", &code);
        self.form.focus_id("auto");
    }

    /// Signed in (by autoSignIn or otherwise): the button goes away.
    pub fn signed_in(&mut self) {
        if self.auto_sign_in_ready {
            self.auto_sign_in_ready = false;
            self.form = confirm_form(false);
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context, outbox: &[OutboxEntry]) {
        let t = &ctx.theme;
        self.form.render(frame, area, t);
        let mut lines = Vec::new();
        if let Some(d) = &self.delivery {
            lines.push(Line::from(vec![
                Span::styled("Code sent by ", t.label()),
                Span::raw(d.delivery_medium.clone().unwrap_or_else(|| "?".into())),
                Span::styled(" to ", t.label()),
                Span::raw(d.destination.clone().unwrap_or_else(|| "?".into())),
            ]));
        }
        let user = self.form.text("username");
        if ctx.local && !user.is_empty() {
            match latest_code(outbox, &user, "SIGN_UP") {
                Some(e) => lines.push(Line::from(vec![
                    Span::styled("Outbox: ", t.label()),
                    Span::styled(e.code.clone(), t.code()),
                    Span::styled(
                        format!(
                            " for {} at {} (Ctrl-O uses it)",
                            e.username,
                            sent_clock(&e.sent_at)
                        ),
                        t.dim(),
                    ),
                ])),
                None => lines.push(Line::styled(
                    format!("Outbox: no sign-up code for {user} yet"),
                    t.dim(),
                )),
            }
        }
        if self.auto_sign_in_ready {
            lines.push(Line::styled(
                "COMPLETE_AUTO_SIGN_IN: autoSignIn() signs in with the sign-up Session.",
                t.step(),
            ));
        }
        notes(frame, below(area, self.form.height() + 1), lines);
    }
}
