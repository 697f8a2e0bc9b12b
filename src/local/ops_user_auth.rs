//! USER_AUTH, Cognito's choice-based sign-in (PROTOCOL.md §2.2, AMPLIFY.md §3), and auto
//! sign-in with the Session that SignUp / ConfirmSignUp return.
//!
//! - The pool's sign-in policy (`Policies.SignInPolicy.AllowedFirstAuthFactors`, see
//!   [`super::extras`]) says which first factors exist; a user can use PASSWORD and
//!   PASSWORD_SRP always, EMAIL_OTP with an email address, SMS_OTP with a phone number, and
//!   WEB_AUTHN is listed when the policy allows it.
//! - `PREFERRED_CHALLENGE` PASSWORD (+`PASSWORD`) signs in (tokens, or whatever a password
//!   sign-in answers next); PASSWORD_SRP (+`SRP_A`) answers PASSWORD_VERIFIER; without the
//!   password (or SRP_A) the answer is the PASSWORD (PASSWORD_SRP) challenge asking for it.
//!   EMAIL_OTP / SMS_OTP send a code through the outbox, valid for the client's
//!   AuthSessionValidity, answered with `EMAIL_OTP_CODE` / `SMS_OTP_CODE` (three tries).
//! - No preference, or one the user cannot use: SELECT_CHALLENGE with the top-level
//!   `AvailableChallenges`, answered by `{ANSWER, PASSWORD | SRP_A}`.
//! - WEB_AUTHN can be listed, but choosing it answers `WebAuthnNotEnabledException`: a passkey
//!   ceremony needs a browser, and this pool keeps no passkeys.
//! - Auto sign-in: `InitiateAuth USER_AUTH {USERNAME}` with the `Session` of SignUp or
//!   ConfirmSignUp signs a confirmed user in once, within AuthSessionValidity.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{
    check_enabled, check_locked, check_secret_hash, check_status_allows_sign_in, client_and_pool,
    legacy, param, record_success, resolve_user,
};
use super::ctx::{Ctx, parse};
use super::delivery::{self, Message};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::extras::load_extras;
use super::flows::{self, Answer, FlowKind};
use super::policy;
use super::store::{self, ClientRow, PoolRow, UserRecord};
use super::{next_step, signin};

/// Wrong EMAIL_OTP / SMS_OTP codes allowed on one Session.
pub const OTP_TRIES: i64 = 3;
/// Every PREFERRED_CHALLENGE value.
pub const CHALLENGES: &[&str] = &[
    "PASSWORD",
    "PASSWORD_SRP",
    "EMAIL_OTP",
    "SMS_OTP",
    "WEB_AUTHN",
];

fn not_enabled() -> ApiError {
    ApiError::invalid_parameter("Auth flow not enabled for this client")
}

fn passkeys_unsupported() -> ApiError {
    ApiError::new(
        ErrorKind::WebAuthnNotEnabled,
        "WEB_AUTHN (passkey) sign-in is not supported by the embedded user pool: a passkey \
         ceremony needs a browser and this pool keeps no passkeys. Choose another first factor.",
    )
}

fn code_mismatch() -> ApiError {
    ApiError::new(ErrorKind::CodeMismatch, "Invalid code received for user")
}

/// The first factors `user` can use under the pool's policy (a missing user, under
/// PreventUserExistenceErrors ENABLED, gets what the policy allows besides SMS_OTP).
fn available(policy: &[String], user: Option<&UserRecord>) -> Vec<&'static str> {
    let allowed = |f: &str| policy.iter().any(|p| p == f);
    let has = |a: &str| user.is_none_or(|u| u.attributes.contains_key(a));
    let mut out = Vec::new();
    if allowed("PASSWORD") {
        out.extend(["PASSWORD", "PASSWORD_SRP"]);
    }
    if allowed("EMAIL_OTP") && has("email") {
        out.push("EMAIL_OTP");
    }
    if allowed("SMS_OTP") && user.is_some() && has("phone_number") {
        out.push("SMS_OTP");
    }
    if allowed("WEB_AUTHN") {
        out.push("WEB_AUTHN");
    }
    out
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateReq {
    client_id: Option<String>,
    #[serde(default)]
    auth_parameters: Option<HashMap<String, String>>,
    session: Option<String>,
}

/// InitiateAuth USER_AUTH.
pub fn initiate_user_auth(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: InitiateReq = parse(body)?;
    let params = req.auth_parameters.unwrap_or_default();
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id.clone())?;
        if !client.config.allows("USER_AUTH") {
            return Err(not_enabled());
        }
        let name = param(&params, "USERNAME")?;
        if let Some(s) = req.session.as_deref().filter(|s| !s.is_empty()) {
            return auto_sign_in(ctx, conn, &client, &pool, name, s, &params);
        }
        let preferred = params
            .get("PREFERRED_CHALLENGE")
            .map(String::as_str)
            .filter(|s| !s.is_empty());
        if let Some(p) = preferred
            && !CHALLENGES.contains(&p)
        {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid PREFERRED_CHALLENGE {}: must be one of PASSWORD, PASSWORD_SRP, \
                 EMAIL_OTP, SMS_OTP, WEB_AUTHN",
                echo(p)
            )));
        }
        let given_hash = params.get("SECRET_HASH").map(String::as_str);
        let user = match resolve_user(conn, &pool, name)? {
            Some(mut u) => {
                check_secret_hash(&client, &[name, &u.username], given_hash)?;
                check_locked(&mut u, ctx.now())?;
                check_enabled(&u)?;
                Some(u)
            }
            None => {
                check_secret_hash(&client, &[name], given_hash)?;
                if legacy(&client) {
                    return Err(ApiError::user_not_found());
                }
                None
            }
        };
        let extras = load_extras(conn, &pool.pool_id)?;
        let options = available(&extras.allowed_first_auth_factors, user.as_ref());
        let username = user
            .as_ref()
            .map(|u| u.username.clone())
            .unwrap_or_else(|| name.to_string());
        tracing::info!(pool = %pool.pool_id, username = %username, preferred = preferred.unwrap_or("-"), "local pool: USER_AUTH started");
        match preferred {
            Some(p) if options.contains(&p) => start_factor(
                ctx,
                conn,
                &client,
                &pool,
                &username,
                user.as_ref(),
                p,
                &params,
            ),
            _ => {
                let state = json!({"available": options, "user_not_found": user.is_none()});
                let session = flows::start(
                    conn,
                    ctx.now(),
                    FlowKind::SelectChallenge,
                    &pool.pool_id,
                    &client.client_id,
                    &username,
                    &state,
                    None,
                )?;
                Ok(json!({
                    "ChallengeName": "SELECT_CHALLENGE",
                    "Session": session,
                    "ChallengeParameters": {},
                    "AvailableChallenges": options,
                }))
            }
        }
    })
}

/// Auto sign-in with the Session of SignUp / ConfirmSignUp.
fn auto_sign_in(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    name: &str,
    session: &str,
    params: &HashMap<String, String>,
) -> ApiResult<Value> {
    let row = flows::take(ctx, conn, Some(session), &[FlowKind::AutoSignIn], client)?;
    flows::check_username_matches(conn, pool, name, &row.username)?;
    let Some(user) = store::get_user(conn, &pool.pool_id, &row.username)? else {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    };
    check_secret_hash(
        client,
        &[name, &user.username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    check_enabled(&user)?;
    // An unconfirmed user keeps the Session: ConfirmSignUp hands out a fresh one anyway.
    check_status_allows_sign_in(&user)?;
    flows::spend(conn, &row)?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: auto sign-in");
    next_step::password_ok(
        ctx,
        conn,
        pool,
        client,
        &user,
        params.get("DEVICE_KEY").map(String::as_str),
    )
}

/// Sends a PASSWORD or PASSWORD_SRP (params with PASSWORD / SRP_A) on, or asks for them.
fn with_username(
    username: &str,
    given: &HashMap<String, String>,
    keys: &[&str],
) -> HashMap<String, String> {
    let mut m = HashMap::new();
    m.insert("USERNAME".to_string(), username.to_string());
    for k in keys.iter().chain(["SECRET_HASH", "DEVICE_KEY"].iter()) {
        if let Some(v) = given.get(*k) {
            m.insert(k.to_string(), v.clone());
        }
    }
    m
}

/// PASSWORD with the password given: checked, then whatever a password sign-in answers next.
fn password_sign_in(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    username: &str,
    params: &HashMap<String, String>,
) -> ApiResult<Value> {
    let params = with_username(username, params, &["PASSWORD"]);
    let user = signin::verify_password(ctx, conn, client, pool, &params)?;
    next_step::password_ok(
        ctx,
        conn,
        pool,
        client,
        &user,
        params.get("DEVICE_KEY").map(String::as_str),
    )
}

/// Starts the chosen first factor.
#[allow(clippy::too_many_arguments)]
fn start_factor(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    username: &str,
    user: Option<&UserRecord>,
    factor: &str,
    params: &HashMap<String, String>,
) -> ApiResult<Value> {
    let ask = |kind: FlowKind| -> ApiResult<Value> {
        let session = flows::start(
            conn,
            ctx.now(),
            kind,
            &pool.pool_id,
            &client.client_id,
            username,
            &json!({"user_not_found": user.is_none()}),
            None,
        )?;
        Ok(json!({"ChallengeName": kind.as_str(), "Session": session, "ChallengeParameters": {}}))
    };
    let has = |k: &str| params.get(k).is_some_and(|v| !v.is_empty());
    match factor {
        "PASSWORD" if has("PASSWORD") => {
            password_sign_in(ctx, conn, client, pool, username, params)
        }
        "PASSWORD" => ask(FlowKind::Password),
        "PASSWORD_SRP" if has("SRP_A") => signin::start_srp(
            ctx,
            conn,
            client,
            pool,
            &with_username(username, params, &["SRP_A"]),
            false,
        ),
        "PASSWORD_SRP" => ask(FlowKind::PasswordSrp),
        "EMAIL_OTP" | "SMS_OTP" => send_otp(ctx, conn, client, pool, username, user, factor),
        "WEB_AUTHN" => Err(passkeys_unsupported()),
        other => Err(ApiError::invalid_parameter(format!(
            "Invalid challenge {}",
            echo(other)
        ))),
    }
}

fn send_otp(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    username: &str,
    user: Option<&UserRecord>,
    factor: &str,
) -> ApiResult<Value> {
    let (medium, attr, kind) = if factor == "EMAIL_OTP" {
        ("EMAIL", "email", FlowKind::FirstFactorEmailOtp)
    } else {
        ("SMS", "phone_number", FlowKind::FirstFactorSmsOtp)
    };
    let code = policy::new_code();
    let destination = match user {
        Some(u) => {
            check_status_allows_sign_in(u)?;
            let Some(dest) = u.attributes.get(attr).cloned() else {
                return Err(ApiError::invalid_parameter(format!(
                    "The user has no {attr} for {factor}"
                )));
            };
            delivery::send(
                conn,
                Message {
                    pool_id: &pool.pool_id,
                    username: &u.username,
                    medium,
                    destination: &dest,
                    purpose: factor,
                    code: &code,
                },
                ctx.now_dt(),
            )?;
            tracing::info!(pool = %pool.pool_id, username = %u.username, purpose = factor, medium, "local pool: sign-in code written to the outbox");
            dest
        }
        // Simulated for a user that does not exist: nothing is sent, no code will match.
        None => format!("{username}@example.com"),
    };
    let state = json!({"code": code, "attempts": 0, "user_not_found": user.is_none()});
    let session = flows::start(
        conn,
        ctx.now(),
        kind,
        &pool.pool_id,
        &client.client_id,
        username,
        &state,
        None,
    )?;
    Ok(json!({
        "ChallengeName": factor,
        "Session": session,
        "ChallengeParameters": {
            "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
            "CODE_DELIVERY_DESTINATION": policy::mask_destination(medium, &destination),
        },
    }))
}

/// RespondToAuthChallenge SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, and EMAIL_OTP / SMS_OTP
/// of a USER_AUTH sign-in.
pub(crate) fn respond(ctx: &Ctx, req: Answer) -> ApiResult<Value> {
    let responses = req.challenge_responses.unwrap_or_default();
    let challenge = req.challenge_name.clone().unwrap_or_default();
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id.clone())?;
        if !client.config.allows("USER_AUTH") {
            return Err(not_enabled());
        }
        let kind = match challenge.as_str() {
            "SELECT_CHALLENGE" => Some(FlowKind::SelectChallenge),
            "PASSWORD" => Some(FlowKind::Password),
            "PASSWORD_SRP" => Some(FlowKind::PasswordSrp),
            "EMAIL_OTP" => Some(FlowKind::FirstFactorEmailOtp),
            "SMS_OTP" => Some(FlowKind::FirstFactorSmsOtp),
            _ => None,
        };
        let row = flows::take(
            ctx,
            conn,
            req.session.as_deref(),
            kind.as_slice(),
            &client,
        )?;
        let name = param(&responses, "USERNAME")?;
        flows::check_username_matches(conn, &pool, name, &row.username)?;
        let user_not_found = row.state["user_not_found"] == true;
        let user = if user_not_found {
            None
        } else {
            Some(
                store::get_user(conn, &pool.pool_id, &row.username)?
                    .ok_or_else(ApiError::user_not_found)?,
            )
        };
        let hash_names = [name, row.username.as_str()];
        check_secret_hash(
            &client,
            &hash_names,
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
        if let Some(u) = &user {
            check_enabled(u)?;
        }
        match challenge.as_str() {
            "SELECT_CHALLENGE" => {
                let answer = param(&responses, "ANSWER")?;
                let options: Vec<String> =
                    serde_json::from_value(row.state["available"].clone()).unwrap_or_default();
                if !options.iter().any(|o| o == answer) {
                    return Err(ApiError::invalid_parameter(format!(
                        "ANSWER {} is not one of the AvailableChallenges: {}",
                        echo(answer),
                        options.join(", ")
                    )));
                }
                if answer == "WEB_AUTHN" {
                    // The Session stays usable for another choice.
                    return Err(passkeys_unsupported());
                }
                flows::spend(conn, &row)?;
                start_factor(
                    ctx,
                    conn,
                    &client,
                    &pool,
                    &row.username,
                    user.as_ref(),
                    answer,
                    &responses,
                )
            }
            "PASSWORD" => {
                param(&responses, "PASSWORD")?;
                flows::spend(conn, &row)?;
                password_sign_in(ctx, conn, &client, &pool, &row.username, &responses)
            }
            "PASSWORD_SRP" => {
                param(&responses, "SRP_A")?;
                flows::spend(conn, &row)?;
                signin::start_srp(
                    ctx,
                    conn,
                    &client,
                    &pool,
                    &with_username(&row.username, &responses, &["SRP_A"]),
                    false,
                )
            }
            "EMAIL_OTP" | "SMS_OTP" => {
                let key = format!("{challenge}_CODE");
                let given = param(&responses, &key)?;
                let expected = row.state["code"].as_str().unwrap_or("");
                let ok = user.is_some()
                    && !expected.is_empty()
                    && bool::from(expected.as_bytes().ct_eq(given.trim().as_bytes()));
                if !ok {
                    let attempts = row.state["attempts"].as_i64().unwrap_or(0) + 1;
                    if attempts >= OTP_TRIES {
                        flows::spend(conn, &row)?;
                    } else {
                        let mut state = row.state.clone();
                        state["attempts"] = json!(attempts);
                        flows::set_state(conn, &row, &state)?;
                    }
                    return Err(code_mismatch());
                }
                flows::spend(conn, &row)?;
                let mut user = user.ok_or_else(code_mismatch)?;
                check_status_allows_sign_in(&user)?;
                record_success(conn, &mut user)?;
                tracing::info!(pool = %pool.pool_id, username = %user.username, factor = %challenge, "local pool: passwordless sign-in");
                next_step::finish_sign_in(
                    ctx,
                    conn,
                    &pool,
                    &client,
                    &user,
                    responses.get("DEVICE_KEY").map(String::as_str),
                )?
                .finish(ctx)
            }
            other => Err(ApiError::invalid_parameter(format!(
                "Challenge {} is not supported by the embedded user pool",
                echo(other)
            ))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn user(attrs: &[(&str, &str)]) -> UserRecord {
        UserRecord {
            pool_id: "p".into(),
            username: "u".into(),
            sub: "s".into(),
            status: "CONFIRMED".into(),
            enabled: true,
            salt: String::new(),
            verifier: String::new(),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            created: 0,
            modified: 0,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        }
    }

    #[test]
    fn available_challenges_follow_policy_and_attributes() {
        let all: Vec<String> = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let email_only = user(&[("email", "a@example.com")]);
        assert_eq!(
            available(&all, Some(&email_only)),
            vec!["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
        );
        let both = user(&[("email", "a@example.com"), ("phone_number", "+15550000")]);
        assert_eq!(
            available(&["PASSWORD".to_string()], Some(&both)),
            vec!["PASSWORD", "PASSWORD_SRP"]
        );
        assert!(available(&all, Some(&both)).contains(&"SMS_OTP"));
    }
}
