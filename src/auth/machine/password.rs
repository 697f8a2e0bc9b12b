//! resetPassword and confirmResetPassword (ForgotPassword, ConfirmForgotPassword).

use super::state::{AuthState, Effect, Pending, cdd, where_sent};
use crate::auth::steps::{NextStep, ResetPasswordStep};
use crate::cognito::codes::ClientCode;
use crate::cognito::types::*;
use crate::secret::Secret;

impl AuthState {
    /// resetPassword: ForgotPassword.
    pub(super) fn reset_password(
        &mut self,
        api: &'static str,
        username: String,
        fx: &mut Vec<Effect>,
    ) {
        if username.trim().is_empty() {
            return self.reject(
                api,
                ClientCode::EmptyResetPasswordUsername,
                "username is required to resetPassword",
                fx,
            );
        }
        self.last_step = None;
        self.start("resetPassword", Pending::ForgotPassword, fx);
        let req = ForgotPasswordRequest {
            client_id: self.cfg.client_id.clone(),
            username,
        };
        self.call(
            Pending::ForgotPassword,
            Request::ForgotPassword(req),
            vec![],
            fx,
        );
    }

    /// confirmResetPassword: ConfirmForgotPassword.
    pub(super) fn confirm_reset_password(
        &mut self,
        api: &'static str,
        username: String,
        code: String,
        new_password: Secret,
        fx: &mut Vec<Effect>,
    ) {
        if username.trim().is_empty() || code.trim().is_empty() || new_password.is_empty() {
            return self.reject(
                api,
                ClientCode::EmptyConfirmResetPasswordCode,
                "username, code and new password are required to confirmResetPassword",
                fx,
            );
        }
        self.start("confirmResetPassword", Pending::ConfirmForgotPassword, fx);
        let req = ConfirmForgotPasswordRequest {
            client_id: self.cfg.client_id.clone(),
            username,
            confirmation_code: code.trim().to_string(),
            password: new_password,
        };
        self.call(
            Pending::ConfirmForgotPassword,
            Request::ConfirmForgotPassword(req),
            vec![],
            fx,
        );
    }

    /// ForgotPassword answered: a reset code is on its way.
    pub(super) fn on_reset_code_sent(
        &mut self,
        r: CodeDeliveryResponse,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let d = cdd(r.code_delivery_details);
        let why = format!(
            "Cognito sent a password-reset code to {}: answer with ConfirmForgotPassword",
            where_sent(&d)
        );
        self.transition(
            now_ms,
            NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode {
                code_delivery_details: d,
            }),
            None,
            why,
            fx,
        );
        self.finish(true, fx);
    }

    /// ConfirmForgotPassword answered: the new password is set.
    pub(super) fn on_password_reset(&mut self, now_ms: i64, fx: &mut Vec<Effect>) {
        self.transition(
            now_ms,
            NextStep::ResetPassword(ResetPasswordStep::Done),
            None,
            "The new password is set: sign in with it",
            fx,
        );
        self.finish(true, fx);
    }
}
