//! signUp, confirmSignUp and resendSignUpCode (SignUp, ConfirmSignUp, ResendConfirmationCode).
//! What autoSignIn needs afterwards is kept in the sign-up state; `sign_in` reads it.

use std::collections::BTreeMap;

use super::state::{AuthState, Effect, Pending, SignUpState, cdd, where_sent};
use crate::auth::steps::{NextStep, SignUpStep};
use crate::cognito::codes::ClientCode;
use crate::cognito::types::*;
use crate::secret::Secret;

impl AuthState {
    /// signUp: SignUp, keeping what autoSignIn needs.
    pub(super) fn sign_up(
        &mut self,
        api: &'static str,
        username: String,
        password: Secret,
        attributes: BTreeMap<String, String>,
        auto_sign_in: bool,
        fx: &mut Vec<Effect>,
    ) {
        if username.trim().is_empty() {
            return self.reject(
                api,
                ClientCode::EmptySignUpUsername,
                "username is required to signUp",
                fx,
            );
        }
        self.sign_up = Some(SignUpState {
            username: username.clone(),
            auto_sign_in,
            password: (!password.is_empty()).then(|| password.clone()),
            session: None,
            confirmed: false,
        });
        // A new flow: its first step is logged `— → …`.
        self.last_step = None;
        self.start("signUp", Pending::SignUp, fx);
        let req = SignUpRequest {
            client_id: self.cfg.client_id.clone(),
            username,
            password: (!password.is_empty()).then_some(password),
            user_attributes: attributes
                .into_iter()
                .map(|(name, value)| AttributeType {
                    name,
                    value: Some(value),
                })
                .collect(),
        };
        self.call(Pending::SignUp, Request::SignUp(req), vec![], fx);
    }

    /// confirmSignUp: ConfirmSignUp, with the Session SignUp returned for this user.
    pub(super) fn confirm_sign_up(
        &mut self,
        api: &'static str,
        username: String,
        code: String,
        fx: &mut Vec<Effect>,
    ) {
        if username.trim().is_empty() || code.trim().is_empty() {
            return self.reject(
                api,
                ClientCode::EmptyConfirmSignUpCode,
                "username and code are required to confirmSignUp",
                fx,
            );
        }
        let session = self
            .sign_up
            .as_ref()
            .filter(|s| s.username == username)
            .and_then(|s| s.session.clone());
        self.start("confirmSignUp", Pending::ConfirmSignUp, fx);
        let req = ConfirmSignUpRequest {
            client_id: self.cfg.client_id.clone(),
            username,
            confirmation_code: code.trim().to_string(),
            session,
        };
        self.call(
            Pending::ConfirmSignUp,
            Request::ConfirmSignUp(req),
            vec![],
            fx,
        );
    }

    /// resendSignUpCode: ResendConfirmationCode.
    pub(super) fn resend_sign_up_code(
        &mut self,
        api: &'static str,
        username: String,
        fx: &mut Vec<Effect>,
    ) {
        if username.trim().is_empty() {
            return self.reject(
                api,
                ClientCode::EmptySignUpUsername,
                "username is required to resendSignUpCode",
                fx,
            );
        }
        self.start("resendSignUpCode", Pending::ResendSignUpCode, fx);
        let req = ResendConfirmationCodeRequest {
            client_id: self.cfg.client_id.clone(),
            username,
        };
        self.call(
            Pending::ResendSignUpCode,
            Request::ResendConfirmationCode(req),
            vec![],
            fx,
        );
    }

    /// SignUp answered: confirm with a code, autoSignIn, or done.
    pub(super) fn on_signed_up(&mut self, r: SignUpResponse, now_ms: i64, fx: &mut Vec<Effect>) {
        let auto = self.sign_up.as_ref().is_some_and(|s| s.auto_sign_in);
        if let Some(s) = &mut self.sign_up {
            s.session = r.session.clone();
            s.confirmed = r.user_confirmed;
        }
        let (step, why) = if !r.user_confirmed {
            let d = cdd(r.code_delivery_details);
            let why = format!(
                "Cognito created user {} (unconfirmed) and sent a code to {}: answer with ConfirmSignUp",
                r.user_sub,
                where_sent(&d)
            );
            (
                SignUpStep::ConfirmSignUp {
                    code_delivery_details: d,
                },
                why,
            )
        } else if auto {
            (
                SignUpStep::CompleteAutoSignIn,
                "The user is confirmed already: autoSignIn signs in without asking again"
                    .to_string(),
            )
        } else {
            (
                SignUpStep::Done,
                "The user is confirmed already: sign in with InitiateAuth".to_string(),
            )
        };
        self.transition(now_ms, NextStep::SignUp(step), None, why, fx);
        self.finish(true, fx);
    }

    /// ConfirmSignUp answered: the user is confirmed.
    pub(super) fn on_sign_up_confirmed(
        &mut self,
        r: ConfirmSignUpResponse,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let auto = match &mut self.sign_up {
            Some(s) => {
                s.confirmed = true;
                if r.session.is_some() {
                    s.session = r.session.clone();
                }
                s.auto_sign_in
            }
            None => false,
        };
        let (step, why) = if auto {
            (
                SignUpStep::CompleteAutoSignIn,
                "Code accepted: the user is confirmed; autoSignIn signs in with the kept credentials or ConfirmSignUp's Session",
            )
        } else {
            (
                SignUpStep::Done,
                "Code accepted: the user is confirmed and can sign in",
            )
        };
        self.transition(now_ms, NextStep::SignUp(step), None, why, fx);
        self.finish(true, fx);
    }

    /// ResendConfirmationCode answered: a new code is on its way.
    pub(super) fn on_sign_up_code_resent(
        &mut self,
        r: CodeDeliveryResponse,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let d = cdd(r.code_delivery_details);
        let why = format!(
            "Cognito sent a new code to {}: answer with ConfirmSignUp",
            where_sent(&d)
        );
        self.transition(
            now_ms,
            NextStep::SignUp(SignUpStep::ConfirmSignUp {
                code_delivery_details: d,
            }),
            None,
            why,
            fx,
        );
        self.finish(true, fx);
    }
}
