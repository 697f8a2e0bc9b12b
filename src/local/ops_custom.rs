//! CUSTOM_AUTH (with and without SRP) driven by the DefineAuthChallenge, CreateAuthChallenge
//! and VerifyAuthChallengeResponse triggers (the pool's LambdaConfig, see [`super::extras`]).
//!
//! **The built-in custom challenge.** CUSTOM_AUTH needs a DefineAuthChallenge trigger, as on
//! Cognito ("Custom auth lambda trigger is not configured for the user pool."), unless the pool
//! opts in to the built-in one: the demo pool does, and any pool whose LambdaConfig sets a
//! custom-auth trigger to `builtin:one-time-code`. There a trigger the pool does not configure
//! (or sets to `builtin:one-time-code`) is replaced by a built-in one: Define asks for one
//! CUSTOM_CHALLENGE (after a successful PASSWORD_VERIFIER when the flow started with SRP_A),
//! issues tokens when it was answered right and fails after three wrong answers; Create sends a
//! 6-digit one-time code to the user's email (else phone) through the outbox (purpose
//! `CUSTOM_CHALLENGE`) and keeps it for the retries; Verify compares the `ANSWER` with it. Each
//! trigger is chosen separately, so e.g. a custom Define can use the built-in code delivery.
//!
//! **Triggers** are local commands (see [`super::hooks`]); they run with the store unlocked.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

use super::access::{
    check_enabled, check_locked, check_secret_hash, check_status_allows_sign_in, client_and_pool,
    legacy, param, resolve_user,
};
use super::ctx::{Ctx, parse};
use super::delivery::{self, Message, verified_target};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::extras::{LambdaConfig, load_extras};
use super::flows::{self, Answer, FlowKind};
use super::hooks::{self, client_metadata};
use super::policy;
use super::signin;
use super::store::{self, ClientRow, PoolRow, UserRecord};
use super::tokens::start_sign_in;

/// Wrong answers the built-in custom challenge allows.
pub const BUILTIN_CUSTOM_TRIES: usize = 3;
/// What follows a CUSTOM_AUTH flow's PASSWORD_VERIFIER once `username`'s proof checked out:
/// DefineAuthChallenge, with the SRP_A and PASSWORD_VERIFIER steps in its session.
pub fn after_password_verifier(ctx: &Ctx, req: &Answer, username: &str) -> ApiResult<Value> {
    let (client, pool, extras, user) = ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id.clone())?;
        let extras = load_extras(conn, &pool.pool_id)?;
        let user = store::get_user(conn, &pool.pool_id, username)?;
        Ok((client, pool, extras, user))
    })?;
    let Some(user) = user else {
        return Err(ApiError::user_not_found());
    };
    let subject = Subject {
        username: user.username.clone(),
        user: Some(user),
        client_metadata: client_metadata(req.client_metadata.as_ref()),
    };
    let session = vec![
        session_entry("SRP_A", true, None),
        session_entry("PASSWORD_VERIFIER", true, None),
    ];
    drive(
        ctx,
        &client,
        &pool,
        &extras.lambda,
        &subject,
        session,
        None,
        None,
    )
}

// ---------------------------------------------------------------------------------------------
// CUSTOM_AUTH

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateReq {
    client_id: Option<String>,
    #[serde(default)]
    auth_parameters: Option<HashMap<String, String>>,
    #[serde(default)]
    client_metadata: Option<Value>,
}

/// Who a custom-auth flow is about; `user` is None for a missing user under
/// PreventUserExistenceErrors ENABLED (the triggers then see `userNotFound: true`).
struct Subject {
    username: String,
    user: Option<UserRecord>,
    client_metadata: Value,
}

fn session_entry(name: &str, result: bool, metadata: Option<&str>) -> Value {
    json!({
        "challengeName": name,
        "challengeResult": result,
        "challengeMetadata": metadata,
    })
}

/// InitiateAuth CUSTOM_AUTH: `{USERNAME}`, or `{USERNAME, SRP_A, CHALLENGE_NAME: "SRP_A"}` to
/// verify the password first.
pub fn initiate_custom_auth(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: InitiateReq = parse(body)?;
    let params = req.auth_parameters.unwrap_or_default();
    let (client, pool, extras, subject) = ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id.clone())?;
        if !client.config.allows("CUSTOM_AUTH") {
            return Err(ApiError::invalid_parameter(
                "Auth flow not enabled for this client",
            ));
        }
        let extras = load_extras(conn, &pool.pool_id)?;
        if !pool.config.builtin_custom_challenge && !extras.lambda.has("DefineAuthChallenge") {
            return Err(ApiError::invalid_parameter(
                "Custom auth lambda trigger is not configured for the user pool.",
            ));
        }
        let name = param(&params, "USERNAME")?;
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
        let subject = Subject {
            username: user
                .as_ref()
                .map(|u| u.username.clone())
                .unwrap_or_else(|| name.to_string()),
            user,
            client_metadata: client_metadata(req.client_metadata.as_ref()),
        };
        Ok((client, pool, extras, subject))
    })?;
    let with_srp = match params.get("CHALLENGE_NAME").map(String::as_str) {
        None | Some("") => false,
        Some("SRP_A") => {
            param(&params, "SRP_A")?;
            true
        }
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "CHALLENGE_NAME {} is not valid for CUSTOM_AUTH; only SRP_A is",
                echo(other)
            )));
        }
    };
    let session = if with_srp {
        vec![session_entry("SRP_A", true, None)]
    } else {
        vec![]
    };
    tracing::info!(pool = %pool.pool_id, username = %subject.username, with_srp, "local pool: custom auth started");
    drive(
        ctx,
        &client,
        &pool,
        &extras.lambda,
        &subject,
        session,
        with_srp.then_some(&params),
        None,
    )
}

struct DefineOut {
    challenge_name: Option<String>,
    issue_tokens: bool,
    fail: bool,
}

/// Runs DefineAuthChallenge on `session` and acts on its answer: tokens, failure, a new
/// CUSTOM_CHALLENGE (CreateAuthChallenge) or PASSWORD_VERIFIER.
#[allow(clippy::too_many_arguments)]
fn drive(
    ctx: &Ctx,
    client: &ClientRow,
    pool: &PoolRow,
    lambda: &LambdaConfig,
    subj: &Subject,
    session: Vec<Value>,
    srp_params: Option<&HashMap<String, String>>,
    previous_private: Option<&Value>,
) -> ApiResult<Value> {
    let define = run_define(ctx, pool, client, lambda, subj, &session)?;
    if define.fail {
        tracing::info!(pool = %pool.pool_id, username = %subj.username, "local pool: custom auth failed by DefineAuthChallenge");
        return Err(ApiError::incorrect_password());
    }
    if define.issue_tokens {
        let Some(user) = &subj.user else {
            return Err(ApiError::incorrect_password());
        };
        // The tokens' triggers run, and they are signed, after the transaction.
        return ctx
            .with_db(|conn| {
                let user = store::get_user(conn, &pool.pool_id, &user.username)?
                    .ok_or_else(ApiError::user_not_found)?;
                check_enabled(&user)?;
                check_status_allows_sign_in(&user)?;
                start_sign_in(ctx, conn, pool, client, &user)
            })?
            .finish(ctx);
    }
    match define.challenge_name.as_deref() {
        Some("CUSTOM_CHALLENGE") => {
            let created = run_create(ctx, pool, client, lambda, subj, &session, previous_private)?;
            let state = json!({
                "session": session,
                "private": created.private,
                "metadata": created.metadata,
                "user_not_found": subj.user.is_none(),
                "client_metadata": subj.client_metadata,
            });
            let token = ctx.with_db(|conn| {
                flows::start(
                    conn,
                    ctx.now(),
                    FlowKind::CustomChallenge,
                    &pool.pool_id,
                    &client.client_id,
                    &subj.username,
                    &state,
                    None,
                )
            })?;
            let mut cp: Map<String, Value> = created
                .public
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            cp.insert("USERNAME".into(), json!(subj.username));
            Ok(json!({
                "ChallengeName": "CUSTOM_CHALLENGE",
                "Session": token,
                "ChallengeParameters": cp,
            }))
        }
        Some("PASSWORD_VERIFIER") => {
            let Some(p) = srp_params.filter(|_| session.len() == 1) else {
                return Err(ApiError::new(
                    ErrorKind::InvalidLambdaResponse,
                    "DefineAuthChallenge asked for PASSWORD_VERIFIER, which only follows SRP_A \
                     at the start of a CUSTOM_AUTH flow",
                ));
            };
            ctx.with_db(|conn| signin::start_srp(ctx, conn, client, pool, p, true))
        }
        Some(other) => Err(ApiError::new(
            ErrorKind::InvalidLambdaResponse,
            format!(
                "DefineAuthChallenge answered challengeName {}, which the embedded user \
                 pool does not issue in a custom flow (CUSTOM_CHALLENGE or PASSWORD_VERIFIER)",
                echo(other)
            ),
        )),
        None => Err(ApiError::new(
            ErrorKind::InvalidLambdaResponse,
            "Unrecognizable lambda output",
        )),
    }
}

fn user_attrs(subj: &Subject) -> Value {
    subj.user
        .as_ref()
        .map(hooks::user_attributes)
        .unwrap_or_else(|| json!({}))
}

fn run_define(
    ctx: &Ctx,
    pool: &PoolRow,
    client: &ClientRow,
    lambda: &LambdaConfig,
    subj: &Subject,
    session: &[Value],
) -> ApiResult<DefineOut> {
    let Some(value) = lambda.command("DefineAuthChallenge") else {
        return Ok(builtin_define(session));
    };
    let ev = hooks::event(
        "DefineAuthChallenge_Authentication",
        &pool.pool_id,
        &subj.username,
        Some(&client.client_id),
        json!({
            "userAttributes": user_attrs(subj),
            "session": session,
            "clientMetadata": subj.client_metadata,
            "userNotFound": subj.user.is_none(),
        }),
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
    );
    let r = hooks::invoke(ctx, "DefineAuthChallenge", value, &ev)?;
    Ok(DefineOut {
        challenge_name: hooks::opt_string(&r, "challengeName")?,
        issue_tokens: hooks::opt_bool(&r, "issueTokens")?,
        fail: hooks::opt_bool(&r, "failAuthentication")?,
    })
}

fn builtin_define(session: &[Value]) -> DefineOut {
    let challenge = |c: &str| DefineOut {
        challenge_name: Some(c.into()),
        issue_tokens: false,
        fail: false,
    };
    let result = |e: &Value| e["challengeResult"].as_bool().unwrap_or(false);
    let Some(last) = session.last() else {
        return challenge("CUSTOM_CHALLENGE");
    };
    match last["challengeName"].as_str() {
        Some("SRP_A") => challenge("PASSWORD_VERIFIER"),
        Some("PASSWORD_VERIFIER") if result(last) => challenge("CUSTOM_CHALLENGE"),
        Some("CUSTOM_CHALLENGE") if result(last) => DefineOut {
            challenge_name: None,
            issue_tokens: true,
            fail: false,
        },
        Some("CUSTOM_CHALLENGE") => {
            let wrong = session
                .iter()
                .filter(|e| e["challengeName"] == "CUSTOM_CHALLENGE" && !result(e))
                .count();
            if wrong >= BUILTIN_CUSTOM_TRIES {
                DefineOut {
                    challenge_name: None,
                    issue_tokens: false,
                    fail: true,
                }
            } else {
                challenge("CUSTOM_CHALLENGE")
            }
        }
        _ => DefineOut {
            challenge_name: None,
            issue_tokens: false,
            fail: true,
        },
    }
}

struct Created {
    public: BTreeMap<String, String>,
    private: BTreeMap<String, String>,
    metadata: Option<String>,
}

fn run_create(
    ctx: &Ctx,
    pool: &PoolRow,
    client: &ClientRow,
    lambda: &LambdaConfig,
    subj: &Subject,
    session: &[Value],
    previous_private: Option<&Value>,
) -> ApiResult<Created> {
    let Some(value) = lambda.command("CreateAuthChallenge") else {
        return builtin_create(ctx, pool, client, subj, session, previous_private);
    };
    let ev = hooks::event(
        "CreateAuthChallenge_Authentication",
        &pool.pool_id,
        &subj.username,
        Some(&client.client_id),
        json!({
            "userAttributes": user_attrs(subj),
            "challengeName": "CUSTOM_CHALLENGE",
            "session": session,
            "clientMetadata": subj.client_metadata,
            "userNotFound": subj.user.is_none(),
        }),
        json!({
            "publicChallengeParameters": null,
            "privateChallengeParameters": null,
            "challengeMetadata": null,
        }),
    );
    let r = hooks::invoke(ctx, "CreateAuthChallenge", value, &ev)?;
    Ok(Created {
        public: hooks::opt_string_map(&r, "publicChallengeParameters")?,
        private: hooks::opt_string_map(&r, "privateChallengeParameters")?,
        metadata: hooks::opt_string(&r, "challengeMetadata")?,
    })
}

/// The built-in CreateAuthChallenge: a one-time code through the outbox, kept for retries.
fn builtin_create(
    ctx: &Ctx,
    pool: &PoolRow,
    client: &ClientRow,
    subj: &Subject,
    session: &[Value],
    previous_private: Option<&Value>,
) -> ApiResult<Created> {
    let wrong = session
        .iter()
        .filter(|e| e["challengeName"] == "CUSTOM_CHALLENGE" && e["challengeResult"] == false)
        .count();
    let left = BUILTIN_CUSTOM_TRIES.saturating_sub(wrong).to_string();
    // A retry keeps the code already sent.
    if let Some(prev) = previous_private
        && let Some(code) = prev.get("answer").and_then(Value::as_str)
        && let Some(Value::Object(public)) = prev.get("public")
    {
        let mut p: BTreeMap<String, String> = public
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect();
        p.insert("ATTEMPTS_LEFT".into(), left);
        return Ok(builtin_created(p, code.to_string()));
    }
    let (medium, destination) = match &subj.user {
        Some(user) => {
            let target = verified_target(user).or_else(|| {
                user.attributes
                    .get("email")
                    .map(|e| ("EMAIL", "email", e.clone()))
                    .or_else(|| {
                        user.attributes
                            .get("phone_number")
                            .map(|p| ("SMS", "phone_number", p.clone()))
                    })
            });
            let Some((medium, _attr, destination)) = target else {
                return Err(ApiError::new(
                    ErrorKind::UserLambdaValidation,
                    "CreateAuthChallenge failed with error the user has no email address or \
                     phone number to send a code to.",
                ));
            };
            let code = policy::new_code();
            ctx.with_db(|conn| {
                delivery::send(
                    conn,
                    Message {
                        pool_id: &pool.pool_id,
                        username: &user.username,
                        medium,
                        destination: &destination,
                        purpose: "CUSTOM_CHALLENGE",
                        code: &code,
                    },
                    ctx.now_dt(),
                )
            })?;
            tracing::info!(pool = %pool.pool_id, username = %user.username, client = %client.client_id, medium, "local pool: custom challenge code written to the outbox");
            let mut p = BTreeMap::new();
            p.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), medium.to_string());
            p.insert(
                "CODE_DELIVERY_DESTINATION".into(),
                policy::mask_destination(medium, &destination),
            );
            p.insert("ATTEMPTS_LEFT".into(), left);
            return Ok(builtin_created(p, code));
        }
        None => ("EMAIL", format!("{}@example.com", subj.username)),
    };
    // A simulated delivery for a user that does not exist: nothing is sent.
    let mut p = BTreeMap::new();
    p.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), medium.to_string());
    p.insert(
        "CODE_DELIVERY_DESTINATION".into(),
        policy::mask_destination(medium, &destination),
    );
    p.insert("ATTEMPTS_LEFT".into(), left);
    Ok(builtin_created(p, policy::new_code()))
}

fn builtin_created(public: BTreeMap<String, String>, code: String) -> Created {
    let mut private = BTreeMap::new();
    private.insert("answer".to_string(), code);
    // The public parameters travel along so a retry can show them again.
    private.insert(
        "public".to_string(),
        serde_json::to_string(&public).unwrap_or_default(),
    );
    Created {
        public,
        private,
        metadata: Some("BUILTIN_ONE_TIME_CODE".into()),
    }
}

/// RespondToAuthChallenge CUSTOM_CHALLENGE `{USERNAME, ANSWER}`.
pub fn respond(ctx: &Ctx, req: Answer) -> ApiResult<Value> {
    let responses = req.challenge_responses.unwrap_or_default();
    let (client, pool, extras, row, user) = ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id.clone())?;
        let row = flows::take(
            ctx,
            conn,
            req.session.as_deref(),
            &[FlowKind::CustomChallenge],
            &client,
        )?;
        let name = param(&responses, "USERNAME")?;
        param(&responses, "ANSWER")?;
        flows::check_username_matches(conn, &pool, name, &row.username)?;
        let user = if row.state["user_not_found"] == true {
            None
        } else {
            Some(
                store::get_user(conn, &pool.pool_id, &row.username)?
                    .ok_or_else(ApiError::user_not_found)?,
            )
        };
        let hash_names: Vec<&str> = vec![name, &row.username];
        check_secret_hash(
            &client,
            &hash_names,
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
        if let Some(u) = &user {
            check_enabled(u)?;
        }
        flows::spend(conn, &row)?;
        let extras = load_extras(conn, &pool.pool_id)?;
        Ok((client, pool, extras, row, user))
    })?;
    let answer = responses.get("ANSWER").cloned().unwrap_or_default();
    let subject = Subject {
        username: row.username.clone(),
        user,
        client_metadata: match req.client_metadata {
            Some(Value::Object(m)) => Value::Object(m),
            _ => row.state["client_metadata"].clone(),
        },
    };
    let private: BTreeMap<String, String> =
        serde_json::from_value(row.state["private"].clone()).unwrap_or_default();
    let correct = run_verify(
        ctx,
        &pool,
        &client,
        &extras.lambda,
        &subject,
        &private,
        &answer,
    )?;
    tracing::info!(pool = %pool.pool_id, username = %subject.username, correct, "local pool: custom challenge answered");
    let mut session: Vec<Value> = row.state["session"].as_array().cloned().unwrap_or_default();
    let metadata = row.state["metadata"].as_str().map(str::to_string);
    session.push(session_entry(
        "CUSTOM_CHALLENGE",
        correct,
        metadata.as_deref(),
    ));
    // The built-in Create re-uses its code on a retry.
    let previous = if extras.lambda.command("CreateAuthChallenge").is_some() {
        None
    } else {
        let mut p = json!({"answer": private.get("answer")});
        if let Some(public) = private
            .get("public")
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
        {
            p["public"] = public;
        }
        Some(p)
    };
    drive(
        ctx,
        &client,
        &pool,
        &extras.lambda,
        &subject,
        session,
        None,
        previous.as_ref(),
    )
}

fn run_verify(
    ctx: &Ctx,
    pool: &PoolRow,
    client: &ClientRow,
    lambda: &LambdaConfig,
    subj: &Subject,
    private: &BTreeMap<String, String>,
    answer: &str,
) -> ApiResult<bool> {
    let Some(value) = lambda.command("VerifyAuthChallengeResponse") else {
        let Some(expected) = private.get("answer") else {
            return Ok(false);
        };
        return Ok(
            subj.user.is_some() && bool::from(expected.as_bytes().ct_eq(answer.trim().as_bytes()))
        );
    };
    let ev = hooks::event(
        "VerifyAuthChallengeResponse_Authentication",
        &pool.pool_id,
        &subj.username,
        Some(&client.client_id),
        json!({
            "userAttributes": user_attrs(subj),
            "privateChallengeParameters": private,
            "challengeAnswer": answer,
            "clientMetadata": subj.client_metadata,
            "userNotFound": subj.user.is_none(),
        }),
        json!({"answerCorrect": null}),
    );
    let r = hooks::invoke(ctx, "VerifyAuthChallengeResponse", value, &ev)?;
    hooks::opt_bool(&r, "answerCorrect")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(d: &DefineOut) -> (Option<&str>, bool, bool) {
        (d.challenge_name.as_deref(), d.issue_tokens, d.fail)
    }

    #[test]
    fn builtin_define_walks_srp_then_three_tries() {
        assert_eq!(
            names(&builtin_define(&[])),
            (Some("CUSTOM_CHALLENGE"), false, false)
        );
        let srp = session_entry("SRP_A", true, None);
        assert_eq!(
            names(&builtin_define(std::slice::from_ref(&srp))),
            (Some("PASSWORD_VERIFIER"), false, false)
        );
        let pv = session_entry("PASSWORD_VERIFIER", true, None);
        assert_eq!(
            names(&builtin_define(&[srp.clone(), pv])),
            (Some("CUSTOM_CHALLENGE"), false, false)
        );
        let wrong = session_entry("CUSTOM_CHALLENGE", false, None);
        let right = session_entry("CUSTOM_CHALLENGE", true, None);
        assert_eq!(
            names(&builtin_define(&[wrong.clone(), right])),
            (None, true, false)
        );
        assert_eq!(
            names(&builtin_define(&[wrong.clone(), wrong.clone()])),
            (Some("CUSTOM_CHALLENGE"), false, false)
        );
        assert_eq!(
            names(&builtin_define(&[wrong.clone(), wrong.clone(), wrong])),
            (None, false, true)
        );
        let bad_pv = session_entry("PASSWORD_VERIFIER", false, None);
        assert_eq!(names(&builtin_define(&[srp, bad_pv])), (None, false, true));
    }
}
