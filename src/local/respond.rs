//! RespondToAuthChallenge: one router on the typed [`ChallengeName`].
//!
//! - CUSTOM_CHALLENGE: custom auth ([`ops_custom::respond`]).
//! - SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, and EMAIL_OTP / SMS_OTP answering a USER_AUTH
//!   first-factor code: choice-based sign-in ([`ops_user_auth::respond`]).
//! - NEW_PASSWORD_REQUIRED: [`ops_auth::respond_new_password`].
//! - SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP: [`ops_mfa::respond`].
//! - PASSWORD_VERIFIER: the SRP proof ([`signin::verify_password_claim`]); a plain sign-in goes
//!   on to its next step, a CUSTOM_AUTH flow to DefineAuthChallenge
//!   ([`ops_custom::after_password_verifier`], with the store unlocked for the triggers).
//! - Anything else: InvalidParameterException.

use serde_json::Value;

use super::access::{client_and_pool, required};
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult, echo};
use super::flows::{self, Answer, Family, FlowKind};
use super::signin::{self, Verified};
use super::{next_step, ops_auth, ops_custom, ops_mfa, ops_user_auth, store};
use crate::cognito::types::ChallengeName;

/// Which part answers a request.
enum Route {
    CustomAuth,
    UserAuth,
    /// Everything answered with the store locked throughout: PASSWORD_VERIFIER,
    /// NEW_PASSWORD_REQUIRED, the MFA challenges, and the names nobody answers.
    Pool,
}

/// What a PASSWORD_VERIFIER (or another pool-route challenge) leads to.
enum Next {
    Answer(next_step::Answer),
    /// A CUSTOM_AUTH flow whose password proof checked out for this user.
    CustomAuth(String),
}

pub fn respond_to_auth_challenge(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let name = body
        .get("ChallengeName")
        .and_then(Value::as_str)
        .and_then(ChallengeName::parse);
    let route = match name {
        Some(ChallengeName::CustomChallenge) => Route::CustomAuth,
        Some(
            ChallengeName::SelectChallenge | ChallengeName::Password | ChallengeName::PasswordSrp,
        ) => Route::UserAuth,
        // The same names as the MFA challenges: the Session tells them apart.
        Some(ChallengeName::EmailOtp | ChallengeName::SmsOtp) => {
            match body.get("Session").and_then(Value::as_str) {
                Some(s) if is_first_factor_code(ctx, s)? => Route::UserAuth,
                _ => Route::Pool,
            }
        }
        _ => Route::Pool,
    };
    let req: Answer = parse(body)?;
    match route {
        Route::CustomAuth => ops_custom::respond(ctx, req),
        Route::UserAuth => ops_user_auth::respond(ctx, req),
        Route::Pool => respond_in_pool(ctx, req),
    }
}

/// Whether `session` is a USER_AUTH first-factor code Session (EMAIL_OTP / SMS_OTP).
fn is_first_factor_code(ctx: &Ctx, session: &str) -> ApiResult<bool> {
    let flow = ctx.with_db(|conn| flows::find(conn, session, Family::Flow))?;
    Ok(flow.is_some_and(|f| {
        matches!(
            f.kind,
            FlowKind::FirstFactorEmailOtp | FlowKind::FirstFactorSmsOtp
        )
    }))
}

fn respond_in_pool(ctx: &Ctx, req: Answer) -> ApiResult<Value> {
    let mut srp_side = None;
    let next = ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id.clone())?;
        let challenge = required(req.challenge_name.clone(), "challengeName")?;
        let responses = req.challenge_responses.clone().unwrap_or_default();
        let session = req.session.as_deref();
        let answer = match ChallengeName::parse(&challenge) {
            Some(ChallengeName::NewPasswordRequired) => next_step::Answer::Ready(
                ops_auth::respond_new_password(ctx, conn, &client, &pool, session, &responses)?,
            ),
            Some(
                ChallengeName::SmsMfa
                | ChallengeName::SoftwareTokenMfa
                | ChallengeName::SelectMfaType
                | ChallengeName::MfaSetup
                | ChallengeName::EmailOtp,
            ) => ops_mfa::respond(ctx, conn, &client, &pool, &challenge, session, &responses)?,
            Some(ChallengeName::PasswordVerifier) => {
                match signin::verify_password_claim(
                    ctx,
                    conn,
                    &client,
                    &pool,
                    session,
                    &responses,
                    &mut srp_side,
                )? {
                    Verified::Password(user) => {
                        // Its tokens (and their triggers) after the transaction.
                        next_step::password_ok_unsigned(ctx, conn, &pool, &client, &user)?
                    }
                    Verified::CustomAuth(user) => return Ok(Next::CustomAuth(user.username)),
                }
            }
            _ => {
                return Err(ApiError::invalid_parameter(format!(
                    "Challenge {} is not supported by the embedded user pool",
                    echo(&challenge.to_string())
                )));
            }
        };
        Ok(Next::Answer(answer))
    });
    // The server's side of an SRP proof is published only now that the transaction which
    // spent its Session has committed (a fault rolls it back: nothing is published then).
    if let Some(side) = srp_side
        && next.as_ref().err().is_none_or(|e| !store::is_fault(e))
    {
        ctx.srp_sides.publish(side, ctx.now());
    }
    match next? {
        Next::Answer(a) => a.finish(ctx),
        Next::CustomAuth(username) => ops_custom::after_password_verifier(ctx, &req, &username),
    }
}
