//! The pure auth flow machine: `handle(state, input) -> (state, effects)`.
//!
//! No IO and no clock reads: the actor passes the time and the SRP ephemeral in, runs the
//! effects (calls, SRP math, events, token persistence) and feeds the results back. Every flow
//! follows Amplify JS v6 (see AMPLIFY.md); every `nextStep` change emits one [`Transition`].
//!
//! This file only dispatches: a command to the flow that runs it, a response or an error to the
//! flow that waits for it. Layers, lowest first (a file uses only the ones before it):
//! - `state`: the types, the state, and the moves every flow shares (start, call, transition,
//!   fail, finish, respond to a challenge);
//! - the flows, which never use each other: `sign_up`, `sign_in` (InitiateAuth and the routing
//!   of Cognito's answer), `challenge` (confirmSignIn and MFA setup), `password` (reset),
//!   `session` (refresh and sign-out), `account` (the signed-in user's attributes, password,
//!   MFA preferences, TOTP setup and deletion);
//! - this file.
//!
//! [`Transition`]: crate::auth::events::Transition

mod account;
mod challenge;
mod device;
mod password;
mod session;
mod sign_in;
mod sign_up;
mod state;

use std::sync::Arc;

pub use device::DEVICE_NAME;
pub use state::{
    AuthState, ClaimJob, DEFAULT_TOTP_ISSUER, DeviceKeys, Effect, Input, MachineConfig,
    NewDeviceVerifier, SIGN_IN_STATE_TTL_MS, totp_setup_uri,
};

use super::events::{AuthCommand, AuthErrorView, AuthEvent, CHECK_TOKENS_API};
use crate::cognito::codes::ClientCode;
use crate::cognito::error::CognitoError;
use crate::cognito::types::Response;
use crate::srp::ClientEphemeral;
use state::Pending;

/// The machine: consumes the state and an input, returns the new state and the effects.
pub fn handle(mut state: AuthState, input: Input) -> (AuthState, Vec<Effect>) {
    let mut fx = Vec::new();
    match input {
        Input::Command { cmd, now_ms, srp } => state.on_command(cmd, now_ms, srp, &mut fx),
        Input::Response {
            result,
            latency_ms,
            now_ms,
        } => state.on_response(result, latency_ms, now_ms, &mut fx),
        Input::Claim { result, now_ms } => state.on_claim(result, now_ms, &mut fx),
        Input::Ephemeral { ephemeral, now_ms } => state.on_ephemeral(ephemeral, now_ms, &mut fx),
        Input::DeviceVerifier { verifier, now_ms } => {
            state.on_device_verifier(verifier, now_ms, &mut fx)
        }
    }
    (state, fx)
}

impl AuthState {
    fn on_command(
        &mut self,
        cmd: AuthCommand,
        now_ms: i64,
        srp: Option<Arc<ClientEphemeral>>,
        fx: &mut Vec<Effect>,
    ) {
        let api = cmd.api_name();
        if self.op.is_some() {
            fx.push(Effect::Emit(AuthEvent::Error(AuthErrorView {
                api: api.into(),
                operation: None,
                code: ClientCode::Busy.as_str().into(),
                message: format!("{} is still running; wait for it to finish", self.api()),
                request_id: None,
            })));
            return;
        }
        match cmd {
            AuthCommand::SignUp {
                username,
                password,
                attributes,
                auto_sign_in,
            } => self.sign_up(api, username, password, attributes, auto_sign_in, fx),
            AuthCommand::ConfirmSignUp { username, code } => {
                self.confirm_sign_up(api, username, code, fx)
            }
            AuthCommand::ResendSignUpCode { username } => {
                self.resend_sign_up_code(api, username, fx)
            }
            AuthCommand::AutoSignIn => self.auto_sign_in(now_ms, srp, fx),
            AuthCommand::SignIn {
                username,
                password,
                flow,
                preferred_challenge,
            } => self.sign_in(
                "signIn",
                username,
                password,
                flow,
                preferred_challenge,
                None,
                now_ms,
                srp,
                fx,
            ),
            AuthCommand::ConfirmSignIn {
                response,
                attributes,
            } => self.confirm_sign_in(response, attributes, now_ms, srp, fx),
            AuthCommand::ResetPassword { username } => self.reset_password(api, username, fx),
            AuthCommand::ConfirmResetPassword {
                username,
                code,
                new_password,
            } => self.confirm_reset_password(api, username, code, new_password, fx),
            AuthCommand::SignOut { global } => self.sign_out(global, fx),
            AuthCommand::FetchSession { force_refresh } => {
                self.fetch_session(force_refresh, now_ms, fx)
            }
            AuthCommand::RememberDevice => self.remember_device(fx),
            AuthCommand::ForgetDevice { device_key } => self.forget_device(device_key, fx),
            AuthCommand::FetchDevices => self.fetch_devices(fx),
            AuthCommand::CancelSignIn => self.cancel_sign_in(fx),
            AuthCommand::FetchUserAttributes
            | AuthCommand::UpdateUserAttributes { .. }
            | AuthCommand::SendUserAttributeVerificationCode { .. }
            | AuthCommand::ConfirmUserAttribute { .. }
            | AuthCommand::DeleteUserAttributes { .. }
            | AuthCommand::UpdatePassword { .. }
            | AuthCommand::DeleteUser
            | AuthCommand::UpdateMfaPreference { .. }
            | AuthCommand::SetUpTotp
            | AuthCommand::VerifyTotpSetup { .. } => self.account_command(cmd, fx),
            AuthCommand::Shutdown => {
                self.start("shutdown", Pending::Auth, fx);
                self.finish(true, fx);
            }
            // Step mode lives in the actor; the machine only sees these when nothing is held.
            AuthCommand::SetStepMode { on } => {
                self.start("setStepMode", Pending::Auth, fx);
                self.info(
                    if on {
                        "Step mode on: each request is held until it is sent or dropped"
                    } else {
                        "Step mode off: requests are sent at once"
                    },
                    fx,
                );
                self.finish(true, fx);
            }
            // The actor follows the trigger log; nothing changes in the flow.
            AuthCommand::FollowTriggers => {}
            // The actor checks tokens itself (a JWKS fetch is no flow step): it never hands
            // this command here, and the machine would have nothing to do with it.
            AuthCommand::CheckTokens => {
                self.start(CHECK_TOKENS_API, Pending::Auth, fx);
                self.info(
                    "Tokens are checked by the auth actor, not the flow machine",
                    fx,
                );
                self.finish(false, fx);
            }
            AuthCommand::Step { .. } | AuthCommand::SendEdited { .. } => self.reject(
                api,
                ClientCode::NothingHeld,
                "no request is waiting to be sent",
                fx,
            ),
            // The actor runs replays (it keeps the calls); see `begin_replay`.
            AuthCommand::Replay { exchange_id } => self.reject(
                api,
                ClientCode::NotReplayable,
                format!("call #{exchange_id} is not kept by this actor"),
                fx,
            ),
        }
    }

    /// A past call was sent again: true when the flow takes its answer (as the answer to the
    /// step it is at; `replay` is then the command in flight), or why it cannot.
    pub fn begin_replay(&mut self, operation: &'static str) -> Result<(), String> {
        if self.op.is_some() {
            return Err(format!("{} is running", self.api()));
        }
        match operation {
            "InitiateAuth" | "RespondToAuthChallenge" if self.sign_in.is_some() => {
                self.start("replay", Pending::Auth, &mut Vec::new());
                if let Some(op) = &mut self.op {
                    op.last_operation = operation;
                }
                Ok(())
            }
            "InitiateAuth" | "RespondToAuthChallenge" => {
                Err("no sign-in is in progress to take its answer".into())
            }
            other => Err(format!(
                "the flows take a {other} answer only inside their own step"
            )),
        }
    }

    fn on_response(
        &mut self,
        result: Result<Response, CognitoError>,
        latency_ms: u64,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let Some(op) = &mut self.op else {
            tracing::warn!("auth machine: a response arrived with no command in flight");
            return;
        };
        let pending = op.pending;
        op.latency_ms += latency_ms;
        let op_name = match &result {
            Ok(r) => response_operation(r).to_string(),
            Err(_) => op.last_operation.to_string(),
        };
        op.operations.push(op_name.clone());

        let resp = match result {
            Ok(r) => r,
            Err(e) => return self.on_error(pending, &op_name, &e, now_ms, fx),
        };
        match (pending, resp) {
            (Pending::SignUp, Response::SignUp(r)) => self.on_signed_up(r, now_ms, fx),
            (Pending::ConfirmSignUp, Response::ConfirmSignUp(r)) => {
                self.on_sign_up_confirmed(r, now_ms, fx)
            }
            (Pending::ResendSignUpCode, Response::ResendConfirmationCode(r)) => {
                self.on_sign_up_code_resent(r, now_ms, fx)
            }
            (Pending::Auth, Response::InitiateAuth(r) | Response::RespondToAuthChallenge(r)) => {
                self.on_auth_response(r, now_ms, fx)
            }
            (Pending::AssociateSoftwareToken, Response::AssociateSoftwareToken(r)) => {
                self.on_totp_associated(r, now_ms, fx)
            }
            (Pending::VerifySoftwareToken, Response::VerifySoftwareToken(r)) => {
                self.on_totp_verified(r, now_ms, fx)
            }
            (Pending::ForgotPassword, Response::ForgotPassword(r)) => {
                self.on_reset_code_sent(r, now_ms, fx)
            }
            (Pending::ConfirmForgotPassword, Response::ConfirmForgotPassword(_)) => {
                self.on_password_reset(now_ms, fx)
            }
            (Pending::SignOut, Response::GlobalSignOut(_)) => self.on_signed_out(true, fx),
            (Pending::SignOut, Response::RevokeToken(_)) => self.on_signed_out(false, fx),
            (Pending::Refresh, Response::GetTokensFromRefreshToken(r)) => self.on_refreshed(
                r.authentication_result,
                "GetTokensFromRefreshToken",
                now_ms,
                fx,
            ),
            (Pending::ConfirmDevice, Response::ConfirmDevice(r)) => {
                self.on_device_confirmed(r, now_ms, fx)
            }
            (Pending::RememberDevice, Response::UpdateDeviceStatus(_)) => {
                self.on_device_remembered(fx)
            }
            (Pending::ForgetDevice, Response::ForgetDevice(_)) => self.on_device_forgotten(fx),
            (Pending::FetchDevices, Response::ListDevices(r)) => self.on_devices_listed(r, fx),
            (Pending::RefreshFallback, Response::InitiateAuth(r)) => self.on_refreshed(
                r.authentication_result,
                "InitiateAuth REFRESH_TOKEN_AUTH",
                now_ms,
                fx,
            ),
            (Pending::Account, r) => self.on_account_response(r, now_ms, fx),
            (p, r) => {
                let msg = format!(
                    "unexpected {} response while waiting for {p:?}",
                    response_operation(&r)
                );
                self.fail(
                    Some(response_operation(&r)),
                    ClientCode::InternalError,
                    msg,
                    fx,
                )
            }
        }
    }

    fn on_error(
        &mut self,
        pending: Pending,
        op_name: &str,
        e: &CognitoError,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        match pending {
            Pending::Auth
            | Pending::Claim
            | Pending::DeviceEphemeral
            | Pending::AssociateSoftwareToken
            | Pending::VerifySoftwareToken => self.on_sign_in_error(op_name, e, now_ms, fx),
            Pending::ConfirmDevice | Pending::DeviceVerifier => {
                self.on_confirm_device_error(e, now_ms, fx)
            }
            Pending::SignOut => self.on_sign_out_error(op_name, e, fx),
            Pending::Account => {
                self.account = None;
                self.fail_cognito(op_name, e, fx)
            }
            Pending::Refresh | Pending::RefreshFallback => {
                self.on_refresh_error(pending, op_name, e, fx)
            }
            _ => self.fail_cognito(op_name, e, fx),
        }
    }
}

fn response_operation(r: &Response) -> &'static str {
    match r {
        Response::SignUp(_) => "SignUp",
        Response::ConfirmSignUp(_) => "ConfirmSignUp",
        Response::ResendConfirmationCode(_) => "ResendConfirmationCode",
        Response::InitiateAuth(_) => "InitiateAuth",
        Response::RespondToAuthChallenge(_) => "RespondToAuthChallenge",
        Response::GetTokensFromRefreshToken(_) => "GetTokensFromRefreshToken",
        Response::GetUser(_) => "GetUser",
        Response::GlobalSignOut(_) => "GlobalSignOut",
        Response::RevokeToken(_) => "RevokeToken",
        Response::ForgotPassword(_) => "ForgotPassword",
        Response::ConfirmForgotPassword(_) => "ConfirmForgotPassword",
        Response::ChangePassword(_) => "ChangePassword",
        Response::AssociateSoftwareToken(_) => "AssociateSoftwareToken",
        Response::VerifySoftwareToken(_) => "VerifySoftwareToken",
        Response::SetUserMfaPreference(_) => "SetUserMFAPreference",
        Response::ConfirmDevice(_) => "ConfirmDevice",
        Response::UpdateDeviceStatus(_) => "UpdateDeviceStatus",
        Response::ForgetDevice(_) => "ForgetDevice",
        Response::ListDevices(_) => "ListDevices",
        Response::UpdateUserAttributes(_) => "UpdateUserAttributes",
        Response::GetUserAttributeVerificationCode(_) => "GetUserAttributeVerificationCode",
        Response::VerifyUserAttribute(_) => "VerifyUserAttribute",
        Response::DeleteUserAttributes(_) => "DeleteUserAttributes",
        Response::DeleteUser(_) => "DeleteUser",
    }
}
