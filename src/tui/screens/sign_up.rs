//! Sign up (F1): username, password, email, phone and the auto sign-in choice.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::auth::events::AuthCommand;
use crate::secret::Secret;
use crate::tui::context::Context;
use crate::tui::shared::Action;
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::{below, notes};

pub struct SignUpScreen {
    pub form: Form,
}

impl Default for SignUpScreen {
    fn default() -> Self {
        Self {
            form: sign_up_form(),
        }
    }
}

pub fn sign_up_form() -> Form {
    Form::new(vec![
        Field::text("username", "Username"),
        Field::secret("password", "Password").with_hint("empty: passwordless"),
        Field::text("email", "Email"),
        Field::text("phone", "Phone").with_hint("+15555550100"),
        Field::toggle("auto", "Auto sign-in", false),
        Field::button("submit", "Sign up"),
    ])
}

impl SignUpScreen {
    /// A key when no field has focus.
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        match key.code {
            KeyCode::Enter => self.submit(ctx, now_ms),
            KeyCode::Char('e') => {
                self.form.focus_first();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Enter or the button: SignUp.
    pub fn submit(&mut self, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        let username = self.form.text("username");
        let password = self.form.raw("password");
        if username.is_empty() {
            ctx.flash_error("Username is required.");
            self.form.focus_id("username");
            return Vec::new();
        }
        let passwordless = password.is_empty();
        if passwordless && self.form.text("email").is_empty() && self.form.text("phone").is_empty()
        {
            ctx.flash_error(
                "Password is required, unless the pool allows passwordless sign-in: then give \
                 an email or phone for the one-time codes.",
            );
            self.form.focus_id("password");
            return Vec::new();
        }
        let mut attributes = BTreeMap::new();
        for (field, attr) in [("email", "email"), ("phone", "phone_number")] {
            let v = self.form.text(field);
            if !v.is_empty() {
                attributes.insert(attr.to_string(), v);
            }
        }
        let cmd = AuthCommand::SignUp {
            username: username.clone(),
            password: Secret::new(password),
            attributes,
            // Without a password, the code's Session is what signs in (USER_AUTH).
            auto_sign_in: self.form.toggle_value("auto") || passwordless,
        };
        let out: Vec<Action> = ctx.auth(cmd, now_ms).into_iter().collect();
        if !out.is_empty() {
            ctx.last_username = username;
            self.form.clear("password");
        }
        out
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let t = &ctx.theme;
        self.form.render(frame, area, t);
        notes(
            frame,
            below(area, self.form.height() + 1),
            vec![
                Line::styled(
                    "signUp → SignUp. With auto sign-in, confirming the code signs you in.",
                    t.dim(),
                ),
                Line::styled(
                    "No password: a passwordless user (the pool's sign-in policy must allow \
                     EMAIL_OTP or SMS_OTP, as the demo pool does), signed in with the code.",
                    t.dim(),
                ),
            ],
        );
    }
}
