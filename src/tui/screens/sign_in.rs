//! Sign in (F3): username, password, the auth flow and USER_AUTH's preferred challenge;
//! "Forgot password" starts a reset.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::auth::events::{AuthCommand, AuthFlowType};
use crate::secret::Secret;
use crate::tui::context::Context;
use crate::tui::shared::{Action, FLOWS, flow_name};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::{below, notes};

/// USER_AUTH's PREFERRED_CHALLENGE choices ("none" lets Cognito answer SELECT_CHALLENGE).
pub const PREFERRED: &[&str] = &[
    "none",
    "PASSWORD_SRP",
    "PASSWORD",
    "EMAIL_OTP",
    "SMS_OTP",
    "WEB_AUTHN",
];

pub struct SignInScreen {
    pub form: Form,
}

impl Default for SignInScreen {
    fn default() -> Self {
        let mut form = sign_in_form();
        form.focus_first();
        Self { form }
    }
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

impl SignInScreen {
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

    /// Enter (`None`) or a button: signIn with the chosen flow, or resetPassword.
    pub fn submit(&mut self, button: Option<&str>, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        let username = self.form.text("username");
        if username.is_empty() {
            ctx.flash_error("Username is required.");
            self.form.focus_id("username");
            return Vec::new();
        }
        ctx.last_username = username.clone();
        if button == Some("forgot") {
            return ctx
                .auth(AuthCommand::ResetPassword { username }, now_ms)
                .into_iter()
                .collect();
        }
        let flow = FLOWS[self.form.choice_index("flow").min(FLOWS.len() - 1)].0;
        let password = self.form.raw("password");
        let needs_password = matches!(
            flow,
            AuthFlowType::UserSrpAuth
                | AuthFlowType::UserPasswordAuth
                | AuthFlowType::CustomWithSrp
        );
        if needs_password && password.is_empty() {
            ctx.flash_error(format!("{} needs a password.", flow_name(flow)));
            self.form.focus_id("password");
            return Vec::new();
        }
        let preferred = self.form.raw("preferred");
        let preferred_challenge =
            (flow == AuthFlowType::UserAuth && preferred != "none").then_some(preferred);
        let cmd = AuthCommand::SignIn {
            username,
            password: (!password.is_empty()).then(|| Secret::new(password)),
            flow,
            preferred_challenge,
        };
        let out: Vec<Action> = ctx.auth(cmd, now_ms).into_iter().collect();
        if !out.is_empty() {
            self.form.clear("password");
        }
        out
    }

    /// Ready for `user` with the cursor on the password (after a sign-up or a reset).
    pub fn ready_for(&mut self, user: &str) {
        self.form.set_text("username", user);
        self.form.focus_id("password");
    }

    /// `first`: nothing has happened yet on the demo pool; a line says what to try.
    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        ctx: &Context,
        signed_in: Option<&str>,
        first: bool,
    ) {
        let t = &ctx.theme;
        self.form.render(frame, area, t);
        let flow = self.form.raw("flow");
        let what = match flow.as_str() {
            "USER_SRP_AUTH" => {
                "InitiateAuth (SRP_A) → PASSWORD_VERIFIER: the password never leaves."
            }
            "USER_PASSWORD_AUTH" => "InitiateAuth with the password itself (over TLS).",
            "CUSTOM_WITH_SRP" => "CUSTOM_AUTH: SRP first, then your Lambda's challenge.",
            "CUSTOM_WITHOUT_SRP" => "CUSTOM_AUTH without a password: your Lambda's challenges.",
            "USER_AUTH" => "Choice-based: PREFERRED_CHALLENGE, or Cognito offers SELECT_CHALLENGE.",
            _ => "",
        };
        // What the chosen flow does comes first; on first contact the hint follows it, so at
        // 80x24 neither is cut (the step-mode line below is the one that gives way).
        let mut lines = vec![Line::styled(what.to_string(), t.dim())];
        if first {
            lines.push(Line::styled(
                "New here? Sign in as alice, or mfa-totp for MFA (passwords: README, Demo \
                 data). Codes arrive in F7 Outbox.",
                t.info(),
            ));
        }
        lines.push(Line::from(vec![
            Span::styled("Step mode ", t.label()),
            if ctx.step_mode {
                Span::styled("on", t.key())
            } else {
                Span::styled("off", t.dim())
            },
            Span::styled(
                " (^T): each request waits in the inspector until ^G sends it",
                t.dim(),
            ),
        ]));
        if let Some(u) = signed_in {
            lines.push(Line::styled(
                format!("{u} is signed in: sign out first (F5) to sign in again."),
                t.info(),
            ));
        }
        notes(frame, below(area, self.form.height() + 1), lines);
    }
}
