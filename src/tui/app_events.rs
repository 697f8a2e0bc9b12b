//! How the app takes the auth actor's events: steps, calls, trigger runs, errors, notes and
//! step mode's held requests, each routed to the screen or pane it belongs to (the users
//! actor's are in `app_admin.rs`). Like `app.rs`, nothing here does IO.

use super::app::{App, is_session_error};
use super::replay;
use super::screens::challenge::ChallengeState;
use super::shared::{Action, HeldRequest, Screen};
use super::widgets::timeline::{self, SessionRef, StatusEntry};
use crate::admin::AdminCommand;
use crate::auth::events::{
    AuthCommand, AuthErrorView, AuthEvent, CHECK_TOKENS_API, Release, Transition,
};
use crate::auth::steps::{NextStep, ResetPasswordStep, SignInStep, SignUpStep};
use crate::cognito::ClientCode;

impl App {
    fn refresh_outbox(&self, out: &mut Vec<Action>) {
        if self.ctx.local {
            out.push(Action::Admin(AdminCommand::FetchOutbox));
        }
    }

    pub fn on_auth_event(&mut self, ev: AuthEvent, now_ms: i64) -> Vec<Action> {
        self.dirty = true;
        self.transcript.record(now_ms, &ev);
        let mut out = Vec::new();
        match ev {
            AuthEvent::Started { api } => {
                // A new flow: the inspector follows its calls again.
                if matches!(api.as_str(), "signUp" | "signIn" | "resetPassword") {
                    self.inspector.selected = None;
                }
                self.ctx.in_flight.push((api, now_ms));
            }
            AuthEvent::Finished { api, ok } => {
                // A token check runs beside the flows: its end says nothing of a held request.
                if api != CHECK_TOKENS_API {
                    self.ctx.held = None;
                }
                if let Some(i) = self.ctx.in_flight.iter().position(|(a, _)| *a == api) {
                    self.ctx.in_flight.remove(i);
                }
                if ok && api == "resendSignUpCode" {
                    self.ctx.flash_info("A new code was sent.");
                    self.refresh_outbox(&mut out);
                }
                // The Devices list follows what changed it.
                if ok
                    && matches!(api.as_str(), "rememberDevice" | "forgetDevice")
                    && let Some(cmd) = self.ctx.auth(AuthCommand::FetchDevices, now_ms)
                {
                    out.push(cmd);
                }
            }
            AuthEvent::Transition(t) => {
                self.ctx.status.push(StatusEntry::Transition(t.clone()));
                self.apply_transition(t, &mut out);
            }
            AuthEvent::Exchange(x) => {
                self.ctx.held = None;
                if let Some(row) = replay::origin_row(&x, now_ms) {
                    self.ctx.status.push(row);
                }
                self.inspector.push(x);
            }
            AuthEvent::Trigger(run) => {
                // A row in the status pane, and the run beside the calls in the inspector.
                self.inspector.push(crate::cognito::trigger_exchange(&run));
                self.ctx.status.push(StatusEntry::Trigger(run));
            }
            AuthEvent::Session { session } => {
                let had = self.session.view.is_some();
                if session.is_none()
                    && let Some(old) = &self.session.view
                    && self.sign_in.form.text("username").is_empty()
                {
                    self.sign_in.form.set_text("username", &old.username);
                }
                if session.is_none() {
                    self.session.devices = None;
                }
                self.session.view = session;
                // Every new session (and a sign-out, for the tokens it ended) is checked: the
                // answer arrives as a TokenCheck event, without the UI waiting for it.
                if self.session.view.is_some() || had {
                    out.push(Action::Auth(AuthCommand::CheckTokens));
                }
                // A session restored at start (no step taken yet): show it.
                let restored = !had
                    && self.session.view.is_some()
                    && !self
                        .ctx
                        .status
                        .entries
                        .iter()
                        .any(|e| matches!(e, StatusEntry::Transition(_)));
                if restored && self.screen == Screen::SignIn {
                    self.goto(Screen::Session);
                }
                if had && self.session.view.is_none() {
                    self.account.clear();
                    self.ctx.flash_info("Signed out.");
                    if matches!(self.screen, Screen::Session | Screen::Account) {
                        self.goto(Screen::SignIn);
                        self.ctx.flash_info("Signed out.");
                    }
                }
            }
            AuthEvent::TokenCheck(report) => {
                self.session.check = Some(report);
            }
            AuthEvent::Error(error) => {
                if error.code != ClientCode::Busy.as_str()
                    && error.code != ClientCode::InvalidEdit.as_str()
                {
                    self.ctx.held = None;
                }
                let note = timeline::error_note(&error)
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default();
                self.ctx
                    .flash_error(format!("{}: {}{note}", error.code, error.message));
                // A stale or reused Session: the row under the error names it.
                let session = self
                    .session_of(&error, now_ms)
                    .filter(|s| s.expired || is_session_error(&error));
                self.ctx.status.push(StatusEntry::Error {
                    at_ms: now_ms,
                    error,
                    session,
                });
            }
            AuthEvent::Devices { devices } => {
                self.session.devices = Some(devices);
            }
            AuthEvent::Account(update) => {
                let actions = self.account.on_update(update, &mut self.ctx);
                out.extend(self.route(actions));
            }
            AuthEvent::Info { api, message } => {
                self.ctx.status.push(StatusEntry::Info {
                    at_ms: now_ms,
                    api,
                    message,
                });
            }
            AuthEvent::Held {
                api,
                operation,
                request,
            } => {
                let message = format!(
                    "Step mode: {operation} is held — Ctrl-G sends it, Ctrl-E edits it, \
                     Ctrl-D drops it (request in the inspector)"
                );
                self.ctx.held = Some(HeldRequest {
                    api: api.clone(),
                    operation,
                    request,
                });
                self.ctx.status.push(StatusEntry::Info {
                    at_ms: now_ms,
                    api,
                    message,
                });
            }
            AuthEvent::Released { api, why, .. } => {
                self.ctx.held = None;
                self.replay.on_released();
                if why == Release::StepModeOff {
                    self.ctx.status.push(StatusEntry::Info {
                        at_ms: now_ms,
                        api,
                        message: "Step mode off: sending the held request".into(),
                    });
                }
            }
            AuthEvent::Srp(d) => self.srp.set_client(d),
            AuthEvent::SrpServer(s) => self.srp.set_server(s),
        }
        out
    }

    /// The challenge Session an error answered, with its age then: a failed
    /// RespondToAuthChallenge is shown next to the Session it used.
    fn session_of(&self, error: &AuthErrorView, now_ms: i64) -> Option<SessionRef> {
        if error.operation.as_deref() != Some("RespondToAuthChallenge") {
            return None;
        }
        let t = &self.challenge.current.as_ref()?.transition;
        let id = t.session_id.clone()?;
        let issued = t.at_ms - t.session_age_ms.unwrap_or(0) as i64;
        let age_ms = (now_ms - issued).max(0);
        let validity_ms = self.pool.session_validity_ms();
        Some(SessionRef {
            id,
            age_ms,
            validity_ms,
            expired: age_ms >= validity_ms,
        })
    }

    fn apply_transition(&mut self, t: Transition, out: &mut Vec<Action>) {
        let user = self.ctx.last_username.clone();
        match &t.next_step {
            NextStep::SignUp(SignUpStep::ConfirmSignUp {
                code_delivery_details,
            }) => {
                self.confirm.delivery = code_delivery_details.clone();
                self.open_confirm(&user);
                self.refresh_outbox(out);
            }
            NextStep::SignUp(SignUpStep::CompleteAutoSignIn) => {
                self.confirm.offer_auto_sign_in(user);
                self.screen = Screen::Confirm;
                self.ctx
                    .flash_info("Confirmed. Press Enter to complete auto sign-in.");
            }
            NextStep::SignUp(SignUpStep::Done) => {
                self.confirm.auto_sign_in_ready = false;
                self.sign_in.form.set_text("username", &user);
                self.goto(Screen::SignIn);
                self.sign_in.form.focus_id("password");
                self.ctx
                    .flash_info(format!("{user} is confirmed. Sign in now."));
            }
            NextStep::SignIn(SignInStep::Done) => {
                self.challenge.current = None;
                self.confirm.signed_in();
                self.goto(Screen::Session);
                self.ctx.flash_info("Signed in.");
            }
            NextStep::SignIn(SignInStep::ConfirmSignUp) => {
                self.challenge.current = None;
                // Nothing was sent in this flow: an earlier sign-up's address is not it.
                self.confirm.delivery = None;
                self.open_confirm(&user);
                self.ctx.flash_info(format!(
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
                self.challenge.current = Some(ChallengeState::new(t.clone(), user));
                self.goto(Screen::Challenge);
                if delivers {
                    self.refresh_outbox(out);
                }
            }
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode { .. }) => {
                self.challenge.current = Some(ChallengeState::new(t.clone(), user));
                self.goto(Screen::Challenge);
                self.refresh_outbox(out);
            }
            // The Account screen follows updateUserAttributes itself (AuthEvent::Account).
            NextStep::UpdateAttribute(_) => {}
            NextStep::ResetPassword(ResetPasswordStep::Done) => {
                self.challenge.current = None;
                self.sign_in.form.set_text("username", &user);
                self.goto(Screen::SignIn);
                self.sign_in.form.focus_id("password");
                self.ctx
                    .flash_info("Password reset. Sign in with the new password.");
            }
        }
    }

    fn open_confirm(&mut self, user: &str) {
        self.confirm.open(user);
        self.screen = Screen::Confirm;
        self.ctx.flash = None;
    }
}
