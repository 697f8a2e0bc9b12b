//! The Challenge screen: renders the current `signInStep` (or the reset-password step) as a
//! form, with everything Cognito sent: ChallengeName, all ChallengeParameters, the Session
//! id and its age (Sessions are single-use and expire 3 minutes after they are issued).

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::admin::{AdminCommand, OutboxEntry};
use crate::auth::events::{AuthCommand, Transition};
use crate::auth::steps::{CodeDeliveryDetails, MfaType, NextStep, ResetPasswordStep, SignInStep};
use crate::secret::Secret;
use crate::tui::context::Context;
use crate::tui::shared::Action;
use crate::tui::widgets::form::{Field, FieldKind, Form};
use crate::tui::widgets::qr::{self, QrGrid};
use crate::tui::widgets::{countdown, sent_ms};

#[derive(Debug, Clone)]
pub struct ChallengeState {
    pub transition: Transition,
    pub username: String,
    pub form: Form,
}

fn mfa_name(m: MfaType) -> &'static str {
    match m {
        MfaType::Sms => "SMS",
        MfaType::Totp => "TOTP",
        MfaType::Email => "EMAIL",
    }
}

/// What each MFA type means, for the selection lists.
pub fn mfa_note(m: MfaType) -> &'static str {
    match m {
        MfaType::Sms => "a code by text message (SMS_MFA)",
        MfaType::Totp => "a code from an authenticator app (SOFTWARE_TOKEN_MFA)",
        MfaType::Email => "a code by email (EMAIL_OTP)",
    }
}

/// What each USER_AUTH first factor means.
pub fn factor_note(f: &str) -> &'static str {
    match f {
        "PASSWORD" => "the password itself, sent over TLS",
        "PASSWORD_SRP" => "the password, proven with SRP: it never leaves",
        "EMAIL_OTP" => "a one-time code sent by email, no password",
        "SMS_OTP" => "a one-time code sent by SMS, no password",
        "WEB_AUTHN" => "a passkey: not possible here (see below)",
        _ => "",
    }
}

/// Why WEB_AUTHN cannot be chosen in a terminal.
pub const WEB_AUTHN_NOTE: &str = "WEB_AUTHN needs a passkey ceremony (navigator.credentials \
     in a browser, or the OS's authenticator): a terminal cannot perform it. Choose another \
     factor.";

fn delivery(d: &Option<CodeDeliveryDetails>) -> Option<String> {
    let d = d.as_ref()?;
    Some(format!(
        "Code sent by {} to {}",
        d.delivery_medium.as_deref().unwrap_or("?"),
        d.destination.as_deref().unwrap_or("?")
    ))
}

impl ChallengeState {
    pub fn new(transition: Transition, username: String) -> Self {
        let mut fields = Vec::new();
        match &transition.next_step {
            NextStep::SignIn(step) => match step {
                SignInStep::ConfirmSignInWithSmsCode { .. }
                | SignInStep::ConfirmSignInWithEmailCode { .. }
                | SignInStep::ConfirmSignInWithTotpCode => {
                    fields.push(Field::text("code", "Code"));
                }
                SignInStep::ContinueSignInWithMfaSelection { allowed_mfa_types }
                | SignInStep::ContinueSignInWithMfaSetupSelection { allowed_mfa_types } => {
                    fields.push(Field::choice(
                        "choice",
                        "MFA type",
                        allowed_mfa_types
                            .iter()
                            .map(|m| mfa_name(*m).to_string())
                            .collect(),
                    ));
                }
                SignInStep::ContinueSignInWithTotpSetup { .. } => {
                    fields.push(Field::text("code", "Code").with_hint("from the app"));
                }
                SignInStep::ContinueSignInWithEmailSetup => {
                    fields.push(Field::text("email", "Email"));
                }
                SignInStep::ConfirmSignInWithCustomChallenge { .. } => {
                    fields.push(Field::text("answer", "Answer"));
                }
                SignInStep::ConfirmSignInWithNewPasswordRequired { missing_attributes } => {
                    fields.push(Field::secret("new_password", "New password"));
                    for a in missing_attributes {
                        fields.push(Field::text(format!("attr:{a}"), a.clone()));
                    }
                }
                SignInStep::ContinueSignInWithFirstFactorSelection {
                    available_challenges,
                } => {
                    fields.push(Field::choice(
                        "choice",
                        "Factor",
                        available_challenges.clone(),
                    ));
                }
                SignInStep::ConfirmSignInWithPassword => {
                    fields.push(Field::secret("password", "Password"));
                }
                SignInStep::ResetPassword => {
                    fields.push(Field::button("send_reset", "Send reset code"));
                }
                SignInStep::ConfirmSignUp | SignInStep::Done => {}
            },
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode { .. }) => {
                fields.push(Field::text("code", "Code"));
                fields.push(Field::secret("new_password", "New password"));
            }
            _ => {}
        }
        let has_input = !fields.is_empty()
            && !matches!(fields.first().map(|f| &f.kind), Some(FieldKind::Button));
        if has_input {
            fields.push(Field::button("submit", "Submit"));
        }
        fields.push(Field::button("cancel", "Cancel"));
        let mut form = Form::new(fields);
        form.focus_first();
        Self {
            transition,
            username,
            form,
        }
    }

    /// True for a sign-in step (Cancel drops the sign-in in the actor too).
    pub fn is_sign_in(&self) -> bool {
        matches!(self.transition.next_step, NextStep::SignIn(_))
    }

    /// Where an outbox code goes on this step, and which outbox purposes carry it: MFA and
    /// USER_AUTH codes, the built-in custom challenge's code, a password-reset code. `None`
    /// for TOTP (that code comes from an authenticator app) and steps without a code.
    pub fn outbox_target(&self) -> Option<(&'static str, &'static [&'static str])> {
        match &self.transition.next_step {
            NextStep::SignIn(SignInStep::ConfirmSignInWithSmsCode { .. })
            | NextStep::SignIn(SignInStep::ConfirmSignInWithEmailCode { .. }) => {
                Some(("code", &["MFA", "EMAIL_OTP", "SMS_OTP"]))
            }
            NextStep::SignIn(SignInStep::ConfirmSignInWithCustomChallenge { .. }) => {
                Some(("answer", &["CUSTOM_CHALLENGE"]))
            }
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode { .. }) => {
                Some(("code", &["FORGOT_PASSWORD"]))
            }
            _ => None,
        }
    }

    /// A step whose code the embedded pool's outbox holds.
    pub fn takes_outbox_code(&self) -> bool {
        self.outbox_target().is_some()
    }

    pub fn has_field(&self, id: &str) -> bool {
        self.form.fields.iter().any(|f| f.id == id)
    }

    pub fn step_name(&self) -> &'static str {
        self.transition.next_step.name()
    }

    /// Forgets typed passwords once they were handed to the actor.
    pub fn clear_secrets(&mut self) {
        self.form.clear("new_password");
        self.form.clear("password");
    }

    /// The command answering this step, or a message saying what is missing.
    pub fn command(&self, button: Option<&str>) -> Result<AuthCommand, String> {
        let f = &self.form;
        let required = |id: &str, what: &str| -> Result<String, String> {
            let v = if id.contains("password") {
                f.raw(id)
            } else {
                f.text(id)
            };
            if v.is_empty() {
                Err(format!("{what} is required."))
            } else {
                Ok(v)
            }
        };
        let confirm = |response: String| AuthCommand::ConfirmSignIn {
            response: Secret::new(response),
            attributes: BTreeMap::new(),
        };
        match &self.transition.next_step {
            NextStep::SignIn(step) => match step {
                SignInStep::ResetPassword => {
                    if button == Some("send_reset") || button.is_none() {
                        Ok(AuthCommand::ResetPassword {
                            username: self.username.clone(),
                        })
                    } else {
                        Err("Nothing to submit.".into())
                    }
                }
                SignInStep::ConfirmSignInWithSmsCode { .. }
                | SignInStep::ConfirmSignInWithEmailCode { .. }
                | SignInStep::ConfirmSignInWithTotpCode
                | SignInStep::ContinueSignInWithTotpSetup { .. } => {
                    required("code", "The code").map(confirm)
                }
                SignInStep::ContinueSignInWithMfaSelection { .. }
                | SignInStep::ContinueSignInWithMfaSetupSelection { .. } => {
                    required("choice", "A choice").map(confirm)
                }
                SignInStep::ContinueSignInWithFirstFactorSelection { .. } => {
                    let choice = required("choice", "A choice")?;
                    if choice == "WEB_AUTHN" {
                        return Err(WEB_AUTHN_NOTE.into());
                    }
                    Ok(confirm(choice))
                }
                SignInStep::ContinueSignInWithEmailSetup => {
                    let email = required("email", "An email address")?;
                    if !email.contains('@') {
                        return Err("That is not an email address.".into());
                    }
                    Ok(confirm(email))
                }
                SignInStep::ConfirmSignInWithCustomChallenge { .. } => {
                    required("answer", "An answer").map(confirm)
                }
                SignInStep::ConfirmSignInWithPassword => {
                    required("password", "The password").map(confirm)
                }
                SignInStep::ConfirmSignInWithNewPasswordRequired { missing_attributes } => {
                    let pw = required("new_password", "A new password")?;
                    let mut attributes = BTreeMap::new();
                    for a in missing_attributes {
                        let v = f.text(&format!("attr:{a}"));
                        if v.is_empty() {
                            return Err(format!("{a} is required."));
                        }
                        attributes.insert(a.clone(), v);
                    }
                    Ok(AuthCommand::ConfirmSignIn {
                        response: Secret::new(pw),
                        attributes,
                    })
                }
                SignInStep::ConfirmSignUp | SignInStep::Done => Err("Nothing to answer.".into()),
            },
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode { .. }) => {
                let code = required("code", "The code")?;
                let pw = required("new_password", "A new password")?;
                Ok(AuthCommand::ConfirmResetPassword {
                    username: self.username.clone(),
                    code,
                    new_password: Secret::new(pw),
                })
            }
            _ => Err("Nothing to answer.".into()),
        }
    }

    fn details(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.transition.next_step {
            NextStep::SignIn(step) => match step {
                SignInStep::ConfirmSignInWithSmsCode {
                    code_delivery_details,
                }
                | SignInStep::ConfirmSignInWithEmailCode {
                    code_delivery_details,
                } => out.extend(delivery(code_delivery_details)),
                SignInStep::ConfirmSignInWithTotpCode => {
                    out.push("Enter the 6-digit code from your authenticator app.".into())
                }
                SignInStep::ContinueSignInWithMfaSelection { allowed_mfa_types } => {
                    out.push("Cognito asks which MFA to use this time:".into());
                    for m in allowed_mfa_types {
                        out.push(format!("  {:<6}{}", mfa_name(*m), mfa_note(*m)));
                    }
                }
                SignInStep::ContinueSignInWithMfaSetupSelection { allowed_mfa_types } => {
                    out.push("MFA is required and you have none: pick one to set up.".into());
                    for m in allowed_mfa_types {
                        out.push(format!("  {:<6}{}", mfa_name(*m), mfa_note(*m)));
                    }
                }
                SignInStep::ContinueSignInWithFirstFactorSelection {
                    available_challenges,
                } => {
                    out.push("Cognito offers these first factors:".into());
                    for c in available_challenges {
                        out.push(format!("  {:<13}{}", c, factor_note(c)));
                    }
                    if available_challenges.iter().any(|c| c == "WEB_AUTHN") {
                        out.push(WEB_AUTHN_NOTE.into());
                    }
                }
                SignInStep::ContinueSignInWithTotpSetup { totp_setup_details } => {
                    out.push("Add this key to an authenticator app, then enter its code:".into());
                    out.push(format!("Secret {}", totp_setup_details.shared_secret));
                    out.push(format!("URI    {}", totp_setup_details.setup_uri));
                }
                SignInStep::ContinueSignInWithEmailSetup => {
                    out.push("Enter the email address codes go to.".into())
                }
                SignInStep::ConfirmSignInWithCustomChallenge { additional_info } => {
                    // What the CreateAuthChallenge trigger made public: one value said
                    // inline, more listed under the form.
                    let mut values = additional_info.values();
                    out.push(match (values.next(), values.next()) {
                        (None, _) => "Your auth-challenge Lambda sent no public parameters: \
                                      answer with what it expects."
                            .into(),
                        (Some(v), None) => format!("Your auth-challenge Lambda asks: {v}"),
                        _ => "Your Lambda trigger asks (see below):"
                            .into(),
                    })
                }
                SignInStep::ConfirmSignInWithPassword => out.push(
                    "USER_AUTH chose a password factor: enter the password to continue.".into(),
                ),
                SignInStep::ConfirmSignInWithNewPasswordRequired { missing_attributes } => {
                    out.push("Temporary password: choose a new one.".into());
                    if !missing_attributes.is_empty() {
                        out.push(format!(
                            "Cognito also needs: {}",
                            missing_attributes.join(", ")
                        ));
                    }
                }
                SignInStep::ResetPassword => out.push(format!(
                    "Cognito requires a password reset for {}: send a code, then set a new password.",
                    self.username
                )),
                _ => {}
            },
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode {
                code_delivery_details,
            }) => out.extend(delivery(code_delivery_details)),
            _ => {}
        }
        out
    }
}

/// The Challenge screen: the step being answered, if any.
#[derive(Debug, Default)]
pub struct ChallengeScreen {
    pub current: Option<ChallengeState>,
    /// The QR code of the TOTP setup step, full screen.
    pub qr_full: bool,
    /// Ctrl-O found no code and asked for the outbox: fill the code in when it arrives.
    pub fill_pending: bool,
}

impl ChallengeScreen {
    /// The otpauth URI of the TOTP setup step being shown, if any.
    pub fn totp_uri(&self) -> Option<&str> {
        match &self.current.as_ref()?.transition.next_step {
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

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        self.current.as_mut().map(|c| &mut c.form)
    }

    pub fn form(&self) -> Option<&Form> {
        self.current.as_ref().map(|c| &c.form)
    }

    /// A key when no field has focus.
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        match key.code {
            KeyCode::Esc | KeyCode::Char('x') if self.current.is_some() => {
                vec![Action::CancelChallenge]
            }
            KeyCode::Char('y') if self.totp_uri().is_some() => self.copy_uri(ctx),
            KeyCode::Char('v') if self.totp_uri().is_some() => {
                self.qr_full = true;
                Vec::new()
            }
            KeyCode::Enter if self.current.is_some() => self.submit(None, ctx, now_ms),
            KeyCode::Char('e') => {
                if let Some(c) = self.current.as_mut() {
                    c.form.focus_first();
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Enter (`None`) or a button: the step's answer, or cancel.
    pub fn submit(&mut self, button: Option<&str>, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        if button == Some("cancel") {
            return vec![Action::CancelChallenge];
        }
        let Some(ch) = self.current.as_mut() else {
            return Vec::new();
        };
        match ch.command(button) {
            Ok(cmd) => {
                let out: Vec<Action> = ctx.auth(cmd, now_ms).into_iter().collect();
                if !out.is_empty() {
                    ch.clear_secrets();
                }
                out
            }
            Err(msg) => {
                ctx.flash_error(msg);
                Vec::new()
            }
        }
    }

    /// Ctrl-Y / y on the TOTP setup step.
    pub fn copy_uri(&self, ctx: &mut Context) -> Vec<Action> {
        match self.totp_uri().map(str::to_string) {
            Some(uri) => {
                ctx.flash_info("Copied the otpauth URI to the clipboard (OSC 52).");
                vec![Action::Copy(uri)]
            }
            None => Vec::new(),
        }
    }

    /// Ctrl-O on a code step: the newest code the embedded pool sent this user for it
    /// since the step began. Not there yet: the outbox is read again (once) and the code
    /// filled in when it arrives.
    pub fn code_from_outbox(
        &mut self,
        outbox: &[OutboxEntry],
        may_refresh: bool,
        ctx: &mut Context,
    ) -> Vec<Action> {
        let Some(ch) = self.current.as_mut() else {
            return Vec::new();
        };
        let Some((field, purposes)) = ch.outbox_target() else {
            ctx.flash_error(if ch.step_name().contains("TOTP") {
                "TOTP codes come from your authenticator app, not from the outbox."
            } else {
                "This step takes no code from the outbox."
            });
            return Vec::new();
        };
        let user = ch.username.clone();
        // Codes sent for an earlier step are not this step's.
        let since_ms = ch.transition.at_ms - ch.transition.latency_ms as i64 - 5_000;
        let found = outbox.iter().rev().find(|e| {
            e.username == user
                && purposes.contains(&e.purpose.as_str())
                && sent_ms(&e.sent_at).is_none_or(|t| t >= since_ms)
        });
        match found {
            Some(e) => {
                ch.form.set_text(field, &e.code);
                ch.form.focus_id(field);
                ctx.flash_info(format!(
                    "{} code for {user} taken from the outbox.",
                    e.purpose
                ));
                Vec::new()
            }
            None if may_refresh && ctx.local => {
                self.fill_pending = true;
                ctx.flash_info("Reading the outbox…");
                vec![Action::Admin(AdminCommand::FetchOutbox)]
            }
            None => {
                ctx.flash_error(format!(
                    "No {} code for {user} in the outbox for this step.",
                    purposes.join("/")
                ));
                Vec::new()
            }
        }
    }

    /// Puts an outbox code into the step's code field, if it takes one.
    pub fn fill(&mut self, e: &OutboxEntry) -> bool {
        match self.current.as_mut() {
            Some(ch) => match ch.outbox_target() {
                Some((field, _)) => {
                    ch.form.set_text(field, &e.code);
                    true
                }
                None => false,
            },
            None => false,
        }
    }

    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        ctx: &Context,
        validity_ms: i64,
        now_ms: i64,
    ) {
        render(self, ctx, validity_ms, frame, area, now_ms);
    }

    /// Ctrl-V on the TOTP setup step: the QR code over the whole terminal.
    pub fn draw_qr_full(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        qr::render_full(frame, area, self.totp_qr(), &ctx.theme);
    }
}

fn render(
    screen: &ChallengeScreen,
    ctx: &Context,
    validity_ms: i64,
    frame: &mut Frame,
    area: Rect,
    now_ms: i64,
) {
    let t = &ctx.theme;
    let Some(ch) = &screen.current else {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled("No challenge is pending.", t.dim()),
                Line::raw(""),
                Line::styled(
                    "When Cognito answers a sign-in with a challenge (MFA, new password,",
                    t.dim(),
                ),
                Line::styled("custom, …), its step appears here.", t.dim()),
            ])
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let tr = &ch.transition;
    let mut y = area.y;
    let line = |frame: &mut Frame, y: &mut u16, l: Line| {
        if *y < area.bottom() {
            frame.render_widget(l, Rect::new(area.x, *y, area.width, 1));
            *y += 1;
        }
    };
    line(
        frame,
        &mut y,
        Line::from(vec![
            Span::styled(ch.step_name(), t.step()),
            Span::styled(format!("  for {}", ch.username), t.dim()),
        ]),
    );
    let totp_setup = matches!(
        tr.next_step,
        NextStep::SignIn(SignInStep::ContinueSignInWithTotpSetup { .. })
    );
    for d in ch.details() {
        let style = if d.starts_with("WEB_AUTHN needs") {
            t.info()
        } else if d.starts_with("Secret ") {
            t.code()
        } else {
            t.base()
        };
        // Long lines wrap at spaces; long values (the secret, the URI) are cut in pieces.
        for row in wrap_words(&d, area.width.max(1) as usize) {
            line(frame, &mut y, Line::styled(row, style));
        }
    }
    if totp_setup {
        let hint = match screen.totp_qr() {
            Some(q) => format!(
                "QR: ^V full screen ({}×{}) · ^Y copies the URI (OSC 52)",
                q.cols(),
                q.rows() + 1
            ),
            None => "^Y copies the URI (OSC 52)".to_string(),
        };
        line(frame, &mut y, Line::styled(hint, t.dim()));
    } else if ctx.local && ch.takes_outbox_code() {
        line(
            frame,
            &mut y,
            Line::styled("The outbox has the code: ^O fills it in.", t.dim()),
        );
    }
    // Blank rows around the form only when there is room for them.
    let roomy = area.height >= 16;
    if roomy {
        y = (y + 1).min(area.bottom());
    }
    let form_h = ch.form.height().min(area.bottom() - y);
    ch.form
        .render(frame, Rect::new(area.x, y, area.width, form_h), t);
    y += form_h;
    if roomy {
        y = (y + 1).min(area.bottom());
    }

    let mut rest: Vec<Line> = Vec::new();
    if let Some(c) = &tr.challenge_name {
        rest.push(Line::from(vec![
            Span::styled("ChallengeName ", t.label()),
            Span::styled(c.clone(), t.key()),
        ]));
    }
    if let Some(s) = &tr.session_id {
        let issued = tr.at_ms - tr.session_age_ms.unwrap_or(0) as i64;
        let age = (now_ms - issued).max(0);
        let left = validity_ms - age;
        let (expiry, style) = if left > 0 {
            (format!("expires in {}", countdown(left / 1000)), t.dim())
        } else {
            (
                format!("expired {} ago", countdown(-left / 1000)),
                t.error(),
            )
        };
        if area.width >= 60 {
            rest.push(Line::from(vec![
                Span::styled("Session ", t.label()),
                Span::raw(s.clone()),
                Span::styled(format!("  age {}  ", countdown(age / 1000)), t.dim()),
                Span::styled(expiry, style),
            ]));
        } else {
            // Narrow: age against the window, as the status pane shows it.
            rest.push(Line::from(vec![
                Span::styled("Session ", t.label()),
                Span::raw(s.clone()),
                Span::styled(
                    format!(
                        " {}/{}{}",
                        countdown(age / 1000),
                        countdown(validity_ms / 1000),
                        if left > 0 { "" } else { " EXPIRED" }
                    ),
                    style,
                ),
            ]));
        }
    }
    if !tr.challenge_parameters.is_empty() {
        rest.push(Line::styled("ChallengeParameters", t.label()));
        for (k, v) in &tr.challenge_parameters {
            rest.push(Line::from(vec![
                Span::styled(format!("  {k} "), t.json_key()),
                Span::raw(v.clone()),
            ]));
        }
    }
    if let NextStep::SignIn(SignInStep::ConfirmSignInWithCustomChallenge { additional_info }) =
        &tr.next_step
    {
        for (k, v) in additional_info {
            if !tr.challenge_parameters.contains_key(k) {
                rest.push(Line::from(vec![
                    Span::styled(format!("  {k} "), t.json_key()),
                    Span::raw(v.clone()),
                ]));
            }
        }
    }
    // The step's explanation is the status pane's ↳ row, just below.
    if y < area.bottom() {
        frame.render_widget(
            Paragraph::new(rest).wrap(Wrap { trim: false }),
            Rect::new(area.x, y, area.width, area.bottom() - y),
        );
    }
}

/// Splits `s` into rows of at most `width` columns at spaces, keeping the first row's
/// indentation; a word longer than a row (a secret, a URI) is cut into pieces.
pub fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    for token in s.split_inclusive(' ') {
        let word = token.trim_end_matches(' ');
        let w = word.chars().count();
        if used > 0 && used + w > width {
            rows.push(row.trim_end().to_string());
            row = String::new();
            used = 0;
        }
        if used == 0 && word.is_empty() && !rows.is_empty() {
            continue; // no leading spaces on continuation rows
        }
        let mut chars: Vec<char> = token.chars().collect();
        while chars.len() > width - used && w > width - used {
            let take = width - used;
            let piece: String = chars.drain(..take).collect();
            row.push_str(&piece);
            rows.push(std::mem::take(&mut row).trim_end().to_string());
            used = 0;
        }
        used += chars.len();
        row.extend(chars);
    }
    if !row.trim_end().is_empty() || rows.is_empty() {
        rows.push(row.trim_end().to_string());
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap_words("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(
            wrap_words("Secret ABCDEFGHIJ", 8),
            vec!["Secret", "ABCDEFGH", "IJ"]
        );
        assert_eq!(wrap_words("  TOTP  a code", 20), vec!["  TOTP  a code"]);
        assert_eq!(wrap_words("", 5), vec![""]);
    }
}
