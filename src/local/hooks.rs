//! Lambda triggers run as local commands.
//!
//! A pool's `LambdaConfig` (CreateUserPool / UpdateUserPool, returned by DescribeUserPool) maps
//! a trigger name (`PreSignUp`, `PostConfirmation`, `DefineAuthChallenge`,
//! `CreateAuthChallenge`, `VerifyAuthChallengeResponse`, …) to a value. On AWS that value is a
//! Lambda ARN; here it is a command line:
//!
//! - `cmd:<command line>` runs `<command line>` with `sh -c`, or
//! - a value starting with `/` is taken as a command line as it is (an absolute path to a
//!   script, optionally followed by arguments).
//!
//! Anything else (e.g. a real `arn:aws:lambda:…`) is stored and returned by DescribeUserPool,
//! but invoking it answers `UnexpectedLambdaException`, since no Lambda can run here.
//!
//! Commands run only when whoever started the pool allowed them ([`Ctx::command_triggers`]:
//! `serve --allow-command-triggers`, or credentials that admin signatures are verified with, as
//! the TUI's embedded pool has); otherwise anyone able to call UpdateUserPool could run a
//! command on this machine. A command trigger of a pool that does not allow them is stored but
//! answers `UnexpectedLambdaException` naming the flag.
//!
//! Each run gets Cognito's event JSON on stdin (`version`, `triggerSource`, `region`,
//! `userPoolId`, `userName`, `callerContext{awsSdkVersion, clientId}`, `request`, `response`)
//! and must print the same event with `response` filled in on stdout, as a Lambda returns it.
//! Like Cognito:
//! - a run that takes longer than [`TRIGGER_TIMEOUT`] is killed (its whole process group) and
//!   the call answers `UnexpectedLambdaException "<Trigger> invocation failed due to error
//!   Socket timeout while invoking Lambda function."`;
//! - a run that exits non-zero "threw": `UserLambdaValidationException "<Trigger> failed with
//!   error <last line of stderr>."`;
//! - output that is not the event JSON with a well-typed `response` gives
//!   `InvalidLambdaResponseException "Unrecognizable lambda output"`.
//!
//! Runs happen on the Tokio runtime (tokio::process) while the calling blocking-pool thread
//! waits; callers never hold the store lock across a run.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::access::resolve_user;
use super::ctx::{Ctx, region_of};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::extras::{PoolExtras, load_extras};
use super::store::{self, ClientRow, UserRecord};

/// How long a trigger may run (Cognito waits 5 seconds for a Lambda).
pub const TRIGGER_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest stdout a trigger may print.
const MAX_OUTPUT: usize = 256 * 1024;

/// What a PreSignUp trigger answered (all false when the pool has none). The verification
/// flags only take effect together with `auto_confirm`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreSignUpOutcome {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

/// The command line a LambdaConfig value runs, if it is runnable here.
pub fn command_of(value: &str) -> Option<&str> {
    if let Some(rest) = value.strip_prefix("cmd:") {
        let rest = rest.trim();
        return (!rest.is_empty()).then_some(rest);
    }
    value.starts_with('/').then_some(value)
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

fn unrecognizable() -> ApiError {
    ApiError::new(
        ErrorKind::InvalidLambdaResponse,
        "Unrecognizable lambda output",
    )
}

fn unexpected(trigger: &str, why: &str) -> ApiError {
    ApiError::new(
        ErrorKind::UnexpectedLambda,
        format!("{trigger} invocation failed due to error {why}"),
    )
}

/// The flag of `cognito-tui serve` that lets LambdaConfig commands run.
pub const ALLOW_FLAG: &str = "--allow-command-triggers";

/// Runs `trigger` (its LambdaConfig value `value`) with `event` and returns the `response`
/// object the command answered. A command runs only when whoever started the pool allowed it
/// ([`Ctx::command_triggers`]: [`ALLOW_FLAG`], or admin signatures verified with configured
/// credentials); otherwise the value stays stored and the call answers
/// `UnexpectedLambdaException` naming the flag. Blocking: call from a blocking-pool thread,
/// never with the store locked.
pub fn invoke(
    ctx: &Ctx,
    trigger: &str,
    value: &str,
    event: &Value,
) -> ApiResult<Map<String, Value>> {
    if command_of(value).is_some() && !ctx.command_triggers.load(Ordering::Relaxed) {
        tracing::info!(trigger, "local pool: command trigger not run (not allowed)");
        return Err(unexpected(
            trigger,
            &format!(
                "AccessDeniedException: this pool does not run command triggers. Start it with \
                 `cognito-tui serve {ALLOW_FLAG}` (or with --access-key-id and \
                 --secret-access-key, so only signed admin calls can set triggers) to run them."
            ),
        ));
    }
    run_trigger(trigger, value, event)
}

/// [`invoke`] without the opt-in check.
fn run_trigger(trigger: &str, value: &str, event: &Value) -> ApiResult<Map<String, Value>> {
    let Some(command) = command_of(value) else {
        return Err(unexpected(
            trigger,
            "AccessDeniedException: the embedded user pool runs triggers given as \
             `cmd:<command line>` or an absolute path, not Lambda ARNs.",
        ));
    };
    let input = serde_json::to_vec(event).map_err(|_| ApiError::internal("Internal error"))?;
    let started = std::time::Instant::now();
    let fut = run(trigger, command, input);
    let result = match tokio::runtime::Handle::try_current() {
        Ok(h) => h.block_on(fut),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|_| ApiError::internal("Internal error: no runtime for the trigger"))?
            .block_on(fut),
    };
    let ms = started.elapsed().as_millis();
    match &result {
        Ok(_) => tracing::info!(trigger, ms, "local pool: trigger answered"),
        Err(e) => tracing::info!(
            trigger,
            ms,
            error = e.kind.as_str(),
            "local pool: trigger failed"
        ),
    }
    result
}

async fn run(trigger: &str, command: &str, input: Vec<u8>) -> ApiResult<Map<String, Value>> {
    use std::process::Stdio;
    use tokio::io::AsyncWriteExt as _;

    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .env("COGNITO_TUI_TRIGGER", trigger)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn().map_err(|e| {
        tracing::warn!(trigger, error = %e, "local pool: trigger could not start");
        unexpected(trigger, "the command could not be started.")
    })?;
    let pid = child.id();
    let stdin = child.stdin.take();
    let work = async move {
        if let Some(mut s) = stdin {
            // A command that does not read its input may close the pipe: that is its business.
            let _ = s.write_all(&input).await;
            let _ = s.shutdown().await;
            drop(s);
        }
        child.wait_with_output().await
    };
    let output = match tokio::time::timeout(TRIGGER_TIMEOUT, work).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            tracing::warn!(trigger, error = %e, "local pool: trigger I/O failed");
            return Err(unexpected(trigger, "the command could not be run."));
        }
        Err(_) => {
            // The child itself was killed when its future was dropped; its children too.
            kill_group(pid);
            return Err(unexpected(
                trigger,
                "Socket timeout while invoking Lambda function.",
            ));
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = stderr
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(300).collect::<String>())
            .unwrap_or_else(|| match output.status.code() {
                Some(c) => format!("exit status {c}"),
                None => "terminated by a signal".to_string(),
            });
        let line = line.trim_end_matches('.');
        return Err(ApiError::new(
            ErrorKind::UserLambdaValidation,
            format!("{trigger} failed with error {line}."),
        ));
    }
    if output.stdout.len() > MAX_OUTPUT {
        return Err(unrecognizable());
    }
    let value: Value = serde_json::from_slice(&output.stdout).map_err(|_| unrecognizable())?;
    match value.get("response") {
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::Null) => Ok(Map::new()),
        _ => Err(unrecognizable()),
    }
}

fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid {
        // Best effort: a shell's children (e.g. `sleep`) live on in the group otherwise.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    let _ = pid;
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
    fn commands_are_cmd_prefixed_or_absolute_paths() {
        assert_eq!(command_of("cmd: python3 x.py"), Some("python3 x.py"));
        assert_eq!(command_of("/opt/t.sh --flag"), Some("/opt/t.sh --flag"));
        assert_eq!(command_of("cmd:   "), None);
        assert_eq!(
            command_of("arn:aws:lambda:us-east-1:123456789012:function:f"),
            None
        );
    }

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
