//! fetchAuthSession (refresh with GetTokensFromRefreshToken, or InitiateAuth REFRESH_TOKEN_AUTH
//! where the server lacks it) and signOut (GlobalSignOut or RevokeToken).

use std::collections::BTreeMap;

use super::state::{AuthState, Effect, Pending};
use crate::auth::events::AuthEvent;
use crate::auth::session::Tokens;
use crate::auth::token_check::SignOutKind;
use crate::cognito::codes::ClientCode;
use crate::cognito::error::CognitoError;
use crate::cognito::types::*;

impl AuthState {
    /// signOut: GlobalSignOut, RevokeToken, or (no origin_jti) a local clear.
    pub(super) fn sign_out(&mut self, global: bool, fx: &mut Vec<Effect>) {
        self.start("signOut", Pending::SignOut, fx);
        self.sign_in = None;
        let Some(tokens) = self.tokens.clone() else {
            self.info("No user is signed in", fx);
            fx.push(Effect::Emit(AuthEvent::Session { session: None }));
            return self.finish(true, fx);
        };
        if global {
            let req = AccessTokenRequest {
                access_token: tokens.access_token.clone(),
            };
            self.call(Pending::SignOut, Request::GlobalSignOut(req), vec![], fx);
        } else if let (true, Some(refresh)) =
            (tokens.has_origin_jti(), tokens.refresh_token.clone())
        {
            let req = RevokeTokenRequest {
                token: refresh,
                client_id: self.cfg.client_id.clone(),
            };
            self.call(Pending::SignOut, Request::RevokeToken(req), vec![], fx);
        } else {
            self.info(
                "The access token has no origin_jti: nothing to revoke, tokens cleared locally",
                fx,
            );
            self.end_tokens(SignOutKind::Local);
            self.complete_sign_out(fx);
        }
    }

    /// Clears the tokens and ends signOut.
    pub(super) fn complete_sign_out(&mut self, fx: &mut Vec<Effect>) {
        self.last_step = None;
        self.clear_tokens(fx);
        self.info("Signed out", fx);
        self.finish(true, fx);
    }

    /// fetchAuthSession: the tokens as they are, or refreshed when they expire (or forced).
    pub(super) fn fetch_session(&mut self, force: bool, now_ms: i64, fx: &mut Vec<Effect>) {
        self.start("fetchAuthSession", Pending::Refresh, fx);
        let Some(tokens) = self.tokens.clone() else {
            self.info("No user is signed in: no tokens", fx);
            self.emit_session(now_ms, fx);
            return self.finish(true, fx);
        };
        if !force && !tokens.needs_refresh(now_ms) {
            if let Some(problem) = tokens.expiry_problem(now_ms) {
                self.info(format!("Warning: {problem}"), fx);
            } else {
                let left = (tokens.access_expires_at() - now_ms.div_euclid(1000)).max(0);
                self.info(
                    format!(
                        "The tokens of {} are valid for {}:{:02} more: nothing to refresh (r forces a refresh)",
                        tokens.username(),
                        left / 60,
                        left % 60
                    ),
                    fx,
                );
            }
            self.emit_session(now_ms, fx);
            return self.finish(true, fx);
        }
        let Some(refresh) = tokens.refresh_token.clone() else {
            return self.fail(
                None,
                ClientCode::NoRefreshToken,
                "the tokens are expiring and there is no refresh token",
                fx,
            );
        };
        let req = GetTokensFromRefreshTokenRequest {
            refresh_token: refresh,
            client_id: self.cfg.client_id.clone(),
            device_key: None,
        };
        self.call(
            Pending::Refresh,
            Request::GetTokensFromRefreshToken(req),
            vec![],
            fx,
        );
    }

    /// GlobalSignOut or RevokeToken succeeded.
    pub(super) fn on_signed_out(&mut self, global: bool, fx: &mut Vec<Effect>) {
        self.end_tokens(if global {
            SignOutKind::Global
        } else {
            SignOutKind::Revoked
        });
        if global {
            self.info("GlobalSignOut: every token of this user is revoked", fx);
        } else {
            self.info(
                "RevokeToken: the refresh token and its access tokens are revoked",
                fx,
            );
        }
        self.complete_sign_out(fx);
    }

    /// A sign-out call failed: Amplify swallows it and clears the tokens anyway.
    pub(super) fn on_sign_out_error(
        &mut self,
        op_name: &str,
        e: &CognitoError,
        fx: &mut Vec<Effect>,
    ) {
        // Amplify swallows sign-out errors and clears the tokens anyway.
        self.info(
            format!(
                "{op_name} failed ({}: {}); tokens cleared anyway, as Amplify does",
                e.code(),
                e.message()
            ),
            fx,
        );
        self.end_tokens(SignOutKind::Local);
        self.complete_sign_out(fx);
    }

    /// A refresh failed: fall back when the operation is missing, clear the tokens when
    /// Amplify would.
    pub(super) fn on_refresh_error(
        &mut self,
        pending: Pending,
        op_name: &str,
        e: &CognitoError,
        fx: &mut Vec<Effect>,
    ) {
        if pending == Pending::Refresh && is_unknown_operation(e) {
            return self.refresh_with_initiate_auth(e, fx);
        }
        if clears_tokens_on_refresh_failure(e) {
            self.info(
                format!(
                    "Refresh failed with {}: tokens cleared (signed out)",
                    e.code()
                ),
                fx,
            );
            self.last_step = None;
            self.clear_tokens(fx);
        }
        self.fail_cognito(op_name, e, fx);
    }

    /// GetTokensFromRefreshToken is missing on this server: InitiateAuth REFRESH_TOKEN_AUTH.
    fn refresh_with_initiate_auth(&mut self, e: &CognitoError, fx: &mut Vec<Effect>) {
        let Some(tokens) = self.tokens.clone() else {
            return self.finish(false, fx);
        };
        let Some(refresh) = tokens.refresh_token.clone() else {
            return self.finish(false, fx);
        };
        let why = match e.status() {
            Some(status) => format!("{}, HTTP {status}", e.code()),
            None => e.code().to_string(),
        };
        let note = format!(
            "GetTokensFromRefreshToken is not available here ({why}); fell back to InitiateAuth REFRESH_TOKEN_AUTH"
        );
        self.info(note.clone(), fx);
        let req = InitiateAuthRequest {
            auth_flow: "REFRESH_TOKEN_AUTH".into(),
            client_id: self.cfg.client_id.clone(),
            auth_parameters: BTreeMap::from([("REFRESH_TOKEN".to_string(), refresh)]),
            session: None,
            secret_hash_username: tokens
                .access_claims
                .get("username")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .or_else(|| tokens.sub()),
        };
        self.call(
            Pending::RefreshFallback,
            Request::InitiateAuth(req),
            vec![note],
            fx,
        );
    }

    /// A refresh answered: keep the new tokens (and the old refresh token unless rotated).
    pub(super) fn on_refreshed(
        &mut self,
        result: Option<AuthenticationResult>,
        via: &str,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let Some(old) = self.tokens.clone() else {
            return self.finish(false, fx);
        };
        let Some(result) = result else {
            return self.fail(
                None,
                ClientCode::InvalidResponse,
                format!("{via} returned no AuthenticationResult"),
                fx,
            );
        };
        match Tokens::from_result(
            &result,
            old.refresh_token.clone(),
            &old.login_id,
            old.auth_flow,
            now_ms,
        ) {
            Ok(t) if t.is_expired(now_ms) => {
                let problem = t.expiry_problem(now_ms).unwrap_or_default();
                self.fail(
                    None,
                    ClientCode::InvalidResponse,
                    format!("{via} returned expired tokens ({problem}); the old tokens are kept"),
                    fx,
                );
            }
            Ok(mut t) => {
                t.refreshed_at_ms = Some(now_ms);
                let rotated = result.refresh_token.is_some();
                self.accept_tokens(t, now_ms, fx);
                self.info(
                    format!(
                        "Tokens refreshed with {via}{}",
                        if rotated {
                            " (refresh token rotated)"
                        } else {
                            " (refresh token kept)"
                        }
                    ),
                    fx,
                );
                self.emit_session(now_ms, fx);
                self.finish(true, fx);
            }
            Err(msg) => self.fail(None, ClientCode::InvalidResponse, msg, fx),
        }
    }
}

/// Errors that mean GetTokensFromRefreshToken does not exist on this server: a named "unknown
/// operation" error, or an answer that is not a Cognito error at all (no JSON error type) with
/// 400, 404, 405, 500 or 501. moto, for one, answers an operation it lacks with HTTP 500 and an
/// HTML page. Gateway statuses (502-504) are left alone: they say nothing about the operation.
fn is_unknown_operation(e: &CognitoError) -> bool {
    let c = e.code();
    matches!(
        c,
        "UnknownOperationException"
            | "UnknownOperation"
            | "InvalidAction"
            | "InvalidActionException"
            | "UnsupportedOperation"
            | "UnsupportedOperationException"
            | "UnrecognizedOperation"
    ) || (c == "InvalidResponse" && matches!(e.status(), Some(400 | 404 | 405 | 500 | 501)))
}

/// Refresh failures after which Amplify clears the tokens.
fn clears_tokens_on_refresh_failure(e: &CognitoError) -> bool {
    [
        "NotAuthorized",
        "TokenRevoked",
        "UserNotFound",
        "PasswordResetRequired",
        "UserNotConfirmed",
        "RefreshTokenReuse",
    ]
    .iter()
    .any(|n| e.is(n))
}
