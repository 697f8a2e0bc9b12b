//! Lambda triggers: building Cognito's events, running them, reading their responses.
//!
//! A pool's `LambdaConfig` (CreateUserPool / UpdateUserPool, returned by DescribeUserPool) maps
//! a trigger name (`PreSignUp`, `PostConfirmation`, `PreTokenGeneration`, …) to a value. On AWS
//! that value is a Lambda ARN; here it names something this machine runs (`runner.rs`):
//! `cmd:<command line>` (or an absolute path), `node:<module>#<export>` or
//! `python:<file>#<function>`. Anything else (e.g. a real `arn:aws:lambda:…`) is stored and
//! returned by DescribeUserPool, but invoking it answers `UnexpectedLambdaException`, since no
//! Lambda can run here.
//!
//! Local code runs only when whoever started the pool allowed it ([`Ctx::command_triggers`]:
//! `serve --allow-command-triggers`, or credentials that admin signatures are verified with, as
//! the TUI's embedded pool has); otherwise anyone able to call UpdateUserPool could run code on
//! this machine. A trigger of a pool that does not allow them is stored but answers
//! `UnexpectedLambdaException` naming the flag.
//!
//! Each run gets Cognito's event (`version`, `triggerSource`, `region`, `userPoolId`,
//! `userName`, `callerContext{awsSdkVersion, clientId}`, `request`, `response`) and answers
//! the same event with `response` filled in, as a Lambda returns it; timeouts, thrown errors
//! and bad output give Cognito's errors (`runner.rs`). Every run is kept in the pool's trigger
//! log (`trigger_log.rs`) for the debugger.
//!
//! Runs happen on the Tokio runtime (tokio::process) while the calling blocking-pool thread
//! waits; callers never hold the store lock across a run.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use serde_json::{Map, Value, json};

use super::access::resolve_user;
use super::ctx::{Ctx, region_of};
use super::error::ApiResult;
use super::extras::{PoolExtras, load_extras};
use super::runner::{self, Runner, unexpected, unrecognizable};
use super::store::{self, ClientRow, UserRecord};
use crate::cognito::types::TriggerInvocation;

/// What a PreSignUp trigger answered (all false when the pool has none). The verification
/// flags only take effect together with `auto_confirm`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreSignUpOutcome {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

/// Cognito's `userAttributes` map for trigger events: every attribute as a string plus `sub`
/// and `cognito:user_status`.
pub fn user_attributes(user: &UserRecord) -> Value {
    let mut m = Map::new();
    m.insert("sub".into(), json!(user.sub));
    for (k, v) in &user.attributes {
        m.insert(k.clone(), json!(v));
    }
    m.insert("cognito:user_status".into(), json!(user.status));
    Value::Object(m)
}

/// Builds the event Cognito sends a trigger.
pub fn event(
    trigger_source: &str,
    pool_id: &str,
    user_name: &str,
    client_id: Option<&str>,
    request: Value,
    response: Value,
) -> Value {
    json!({
        "version": "1",
        "triggerSource": trigger_source,
        "region": region_of(pool_id),
        "userPoolId": pool_id,
        "userName": user_name,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": client_id.map(Value::from).unwrap_or(Value::Null),
        },
        "request": request,
        "response": response,
    })
}

/// The flag of `cognito-tui serve` that lets LambdaConfig commands run.
pub const ALLOW_FLAG: &str = "--allow-command-triggers";

/// Runs `trigger` (its LambdaConfig value `value`) with `event` and returns the `response`
/// object it answered (see `runner.rs` for the kinds of value and Cognito's errors). Local
/// code (a command, a Node module, a Python file) runs only when whoever started the pool
/// allowed it ([`Ctx::command_triggers`]: [`ALLOW_FLAG`], or admin signatures verified with
/// configured credentials); otherwise the value stays stored and the call answers
/// `UnexpectedLambdaException` naming the flag. Every run, failed or not, goes to the pool's
/// trigger log. Blocking: call from a blocking-pool thread, never with the store locked.
pub fn invoke(
    ctx: &Ctx,
    trigger: &str,
    value: &str,
    event: &Value,
) -> ApiResult<Map<String, Value>> {
    let started = std::time::Instant::now();
    let at_ms = (ctx.now_dt().unix_timestamp_nanos() / 1_000_000) as i64;
    let runner = Runner::parse(value);
    let result = match runner {
        Some(_) if !ctx.command_triggers.load(Ordering::Relaxed) => {
            tracing::info!(trigger, "local pool: command trigger not run (not allowed)");
            Err(unexpected(
                trigger,
                &format!(
                    "AccessDeniedException: this pool does not run command triggers. Start it \
                     with `cognito-tui serve {ALLOW_FLAG}` (or with --access-key-id and \
                     --secret-access-key, so only signed admin calls can set triggers) to run \
                     them."
                ),
            ))
        }
        _ => run_trigger(trigger, value, event),
    };
    let duration_ms = started.elapsed().as_millis() as u64;
    let text = |k: &str| {
        event
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    ctx.trigger_log.push(TriggerInvocation {
        seq: 0,
        at_ms,
        pool_id: text("userPoolId"),
        trigger: trigger.to_string(),
        trigger_source: text("triggerSource"),
        runner: runner.map_or("lambda", |r| r.kind()).to_string(),
        user_name: text("userName"),
        duration_ms,
        outcome: match &result {
            Ok(_) => "ok".to_string(),
            Err(e) => e.kind.as_str().to_string(),
        },
        error: result.as_ref().err().map(|e| e.message.clone()),
        event_in: event.clone(),
        response_out: match &result {
            Ok(m) => Value::Object(m.clone()),
            Err(_) => Value::Null,
        },
    });
    result
}

/// [`invoke`] without the opt-in check and the log.
fn run_trigger(trigger: &str, value: &str, event: &Value) -> ApiResult<Map<String, Value>> {
    let Some(runner) = Runner::parse(value) else {
        return Err(unexpected(
            trigger,
            "AccessDeniedException: the embedded user pool runs triggers given as \
             `cmd:<command line>`, `node:<module>#<export>` or `python:<file>#<function>`, not \
             Lambda ARNs.",
        ));
    };
    let started = std::time::Instant::now();
    let result = runner::run_blocking(trigger, runner, event);
    let ms = started.elapsed().as_millis();
    match &result {
        Ok(_) => tracing::info!(
            trigger,
            ms,
            runner = runner.kind(),
            "local pool: trigger answered"
        ),
        Err(e) => tracing::info!(
            trigger,
            ms,
            runner = runner.kind(),
            error = e.kind.as_str(),
            "local pool: trigger failed"
        ),
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Typed readers of a trigger's `response`

/// An optional boolean member; anything but a boolean or null is unrecognizable.
pub fn opt_bool(resp: &Map<String, Value>, key: &str) -> ApiResult<bool> {
    match resp.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(unrecognizable()),
    }
}

/// An optional string member.
pub fn opt_string(resp: &Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match resp.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(unrecognizable()),
    }
}

/// An optional map of strings (numbers and booleans are taken as their text, as a Lambda's
/// JSON serializer would make them into strings for Cognito anyway).
pub fn opt_string_map(resp: &Map<String, Value>, key: &str) -> ApiResult<BTreeMap<String, String>> {
    match resp.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                Value::Bool(b) => Ok((k.clone(), b.to_string())),
                _ => Err(unrecognizable()),
            })
            .collect(),
        Some(_) => Err(unrecognizable()),
    }
}

// ---------------------------------------------------------------------------------------------
// The triggers of sign-up and confirmation

/// A request's ClientMetadata as the triggers get it (an object; `{}` otherwise).
pub fn client_metadata(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => json!({}),
    }
}

fn pool_of_client(
    ctx: &Ctx,
    client_id: Option<&str>,
) -> ApiResult<Option<(ClientRow, PoolExtras)>> {
    let Some(cid) = client_id else {
        return Ok(None);
    };
    ctx.with_db(|conn| match store::get_client(conn, cid)? {
        Some(c) => {
            let e = load_extras(conn, &c.pool_id)?;
            Ok(Some((c, e)))
        }
        None => Ok(None),
    })
}

fn string_map_of_attribute_list(v: Option<&Value>) -> Value {
    let mut m = Map::new();
    if let Some(Value::Array(items)) = v {
        for a in items {
            if let Some(n) = a.get("Name").and_then(Value::as_str) {
                let val = a.get("Value").and_then(Value::as_str).unwrap_or("");
                m.insert(n.to_string(), json!(val));
            }
        }
    }
    Value::Object(m)
}

/// Runs the PreSignUp trigger of the pool of a SignUp request (`PreSignUp_SignUp`), if it has
/// one; what it answered decides whether the new user is confirmed and verified.
pub fn pre_sign_up(ctx: &Ctx, body: &Value) -> ApiResult<PreSignUpOutcome> {
    let client_id = body.get("ClientId").and_then(Value::as_str);
    let mut outcome = PreSignUpOutcome::default();
    if let Some((client, extras)) = pool_of_client(ctx, client_id)?
        && let Some(value) = extras.lambda.get("PreSignUp")
        && let Some(username) = body.get("Username").and_then(Value::as_str)
    {
        let ev = event(
            "PreSignUp_SignUp",
            &client.pool_id,
            username,
            Some(&client.client_id),
            json!({
                "userAttributes": string_map_of_attribute_list(body.get("UserAttributes")),
                "validationData": string_map_of_attribute_list(body.get("ValidationData")),
                "clientMetadata": client_metadata(body.get("ClientMetadata")),
            }),
            json!({"autoConfirmUser": false, "autoVerifyPhone": false, "autoVerifyEmail": false}),
        );
        let r = invoke(ctx, "PreSignUp", value, &ev)?;
        outcome = PreSignUpOutcome {
            auto_confirm: opt_bool(&r, "autoConfirmUser")?,
            auto_verify_email: opt_bool(&r, "autoVerifyEmail")?,
            auto_verify_phone: opt_bool(&r, "autoVerifyPhone")?,
        };
    }
    Ok(outcome)
}

/// Runs the PreSignUp trigger before AdminCreateUser (`PreSignUp_AdminCreateUser`; not for
/// `MessageAction: RESEND`, which creates nobody). Its auto-confirm flags do not apply: the
/// user still has to choose a new password.
pub fn pre_admin_create_user(ctx: &Ctx, body: &Value) -> ApiResult<()> {
    let pool_id = body.get("UserPoolId").and_then(Value::as_str);
    let resend = body.get("MessageAction").and_then(Value::as_str) == Some("RESEND");
    if let (Some(pool_id), Some(username), false) = (
        pool_id,
        body.get("Username").and_then(Value::as_str),
        resend,
    ) {
        let value = ctx.with_db(|conn| {
            Ok(load_extras(conn, pool_id)?
                .lambda
                .get("PreSignUp")
                .map(str::to_string))
        })?;
        if let Some(value) = value {
            let ev = event(
                "PreSignUp_AdminCreateUser",
                pool_id,
                username,
                None,
                json!({
                    "userAttributes": string_map_of_attribute_list(body.get("UserAttributes")),
                    "validationData": string_map_of_attribute_list(body.get("ValidationData")),
                    "clientMetadata": client_metadata(body.get("ClientMetadata")),
                }),
                json!({"autoConfirmUser": false, "autoVerifyPhone": false, "autoVerifyEmail": false}),
            );
            invoke(ctx, "PreSignUp", &value, &ev)?;
        }
    }
    Ok(())
}

/// Runs PostConfirmation for a user who was just confirmed (the confirmation stands even if
/// the trigger fails; the caller then gets the trigger's error, as on Cognito).
pub fn post_confirmation(
    ctx: &Ctx,
    pool_id: &str,
    client_id: Option<&str>,
    username: &str,
    source: &str,
    metadata: Option<&Value>,
) -> ApiResult<()> {
    let found = ctx.with_db(|conn| {
        let e = load_extras(conn, pool_id)?;
        let Some(value) = e.lambda.get("PostConfirmation").map(str::to_string) else {
            return Ok(None);
        };
        let pool = store::require_pool(conn, pool_id)?;
        Ok(resolve_user(conn, &pool, username)?.map(|u| (value, u)))
    })?;
    let Some((value, user)) = found else {
        return Ok(());
    };
    let ev = event(
        source,
        pool_id,
        &user.username,
        client_id,
        json!({
            "userAttributes": user_attributes(&user),
            "clientMetadata": client_metadata(metadata),
        }),
        json!({}),
    );
    invoke(ctx, "PostConfirmation", &value, &ev).map(|_| ())
}

/// Runs PostConfirmation for the user a request (`ClientId`, `Username`) just confirmed.
pub fn post_confirmation_for_client(ctx: &Ctx, body: &Value, source: &str) -> ApiResult<()> {
    let client_id = body.get("ClientId").and_then(Value::as_str);
    let username = body.get("Username").and_then(Value::as_str).unwrap_or("");
    let Some((client, _)) = pool_of_client(ctx, client_id)? else {
        return Ok(());
    };
    post_confirmation(
        ctx,
        &client.pool_id,
        Some(&client.client_id),
        username,
        source,
        body.get("ClientMetadata"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_a_command_and_maps_failures_to_cognito_errors() {
        let ev = event(
            "PreSignUp_SignUp",
            "p",
            "u",
            Some("c"),
            json!({}),
            json!({}),
        );
        let ok = run_trigger(
            "PreSignUp",
            r#"cmd:read -r line; printf '{"response":{"autoConfirmUser":true}}'"#,
            &ev,
        )
        .unwrap();
        assert_eq!(ok.get("autoConfirmUser"), Some(&json!(true)));

        let e = run_trigger(
            "PreSignUp",
            "cmd:echo 'Email domain not allowed' >&2; exit 1",
            &ev,
        )
        .unwrap_err();
        assert_eq!(e.kind.as_str(), "UserLambdaValidationException");
        assert_eq!(
            e.message,
            "PreSignUp failed with error Email domain not allowed."
        );

        let e = run_trigger("PreSignUp", "cmd:echo nope", &ev).unwrap_err();
        assert_eq!(e.kind.as_str(), "InvalidLambdaResponseException");
        assert_eq!(e.message, "Unrecognizable lambda output");

        let e = run_trigger("PreSignUp", "arn:aws:lambda:us-east-1:1:function:f", &ev).unwrap_err();
        assert_eq!(e.kind.as_str(), "UnexpectedLambdaException");
    }
}
