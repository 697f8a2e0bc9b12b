//! CUSTOM_AUTH (with and without SRP) driven by the DefineAuthChallenge, CreateAuthChallenge
//! and VerifyAuthChallengeResponse triggers; PreSignUp and PostConfirmation; UpdateUserPool and
//! the pool settings this part adds (LambdaConfig, `Policies.SignInPolicy`); the flow Sessions
//! that custom auth and USER_AUTH share.
//!
//! **Custom auth without setup.** A trigger the pool does not configure is replaced by a
//! built-in one: Define asks for one CUSTOM_CHALLENGE (after a successful PASSWORD_VERIFIER when
//! the flow started with SRP_A), issues tokens when it was answered right and fails after three
//! wrong answers; Create sends a 6-digit one-time code to the user's email (else phone) through
//! the outbox (purpose `CUSTOM_CHALLENGE`) and keeps it for the retries; Verify compares the
//! `ANSWER` with it. Each trigger is chosen separately, so e.g. a custom Define can use the
//! built-in code delivery.
//!
//! **Triggers** are local commands (see [`super::triggers`]); they run with the store unlocked.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

use super::error::{ApiError, ApiResult};
use super::ops_auth::{
    self, check_enabled, check_locked, check_secret_hash, client_and_pool, legacy, param, required,
    resolve_user, session_expired, session_used, sha256,
};
use super::policy;
use super::server::{Ctx, parse};
use super::store::{self, ClientRow, PoolConfig, PoolRow, UserRecord};
use super::triggers::{self, LambdaConfig, PreSignUpOutcome};

/// Tables this part adds (created with the store; additive).
pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS pool_extras (
    pool_id        TEXT PRIMARY KEY,
    lambda_config  TEXT NOT NULL DEFAULT '{}',
    sign_in_policy TEXT NOT NULL DEFAULT '["PASSWORD"]'
);
CREATE TABLE IF NOT EXISTS flow_sessions (
    session_hash BLOB PRIMARY KEY,
    kind         TEXT NOT NULL,
    pool_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    username     TEXT NOT NULL,
    state        TEXT NOT NULL,
    created      INTEGER NOT NULL,
    used         INTEGER NOT NULL DEFAULT 0
);
"#;

/// Wrong answers the built-in custom challenge allows.
pub const BUILTIN_CUSTOM_TRIES: usize = 3;
/// The first factors a sign-in policy may allow.
pub const FIRST_FACTORS: &[&str] = &["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"];

const FLOW_SESSION_VERSION: u8 = 0x46;

// ---------------------------------------------------------------------------------------------
// Pool extras: LambdaConfig and the sign-in policy

/// Settings of a pool kept next to its PoolConfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolExtras {
    pub lambda: LambdaConfig,
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors`.
    pub allowed_first_auth_factors: Vec<String>,
}

impl Default for PoolExtras {
    fn default() -> Self {
        Self {
            lambda: LambdaConfig::default(),
            allowed_first_auth_factors: vec!["PASSWORD".into()],
        }
    }
}

pub fn load_extras(conn: &Connection, pool_id: &str) -> ApiResult<PoolExtras> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT lambda_config, sign_in_policy FROM pool_extras WHERE pool_id = ?1",
            params![pool_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        None => PoolExtras::default(),
        Some((l, p)) => PoolExtras {
            lambda: serde_json::from_str(&l).unwrap_or_default(),
            allowed_first_auth_factors: serde_json::from_str(&p)
                .unwrap_or_else(|_| vec!["PASSWORD".into()]),
        },
    })
}

fn extras_exist(conn: &Connection, pool_id: &str) -> ApiResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM pool_extras WHERE pool_id = ?1",
            params![pool_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn save_extras(conn: &Connection, pool_id: &str, e: &PoolExtras) -> ApiResult<()> {
    let internal = |e: serde_json::Error| ApiError::internal(e.to_string());
    conn.execute(
        "INSERT OR REPLACE INTO pool_extras (pool_id, lambda_config, sign_in_policy) \
         VALUES (?1, ?2, ?3)",
        params![
            pool_id,
            serde_json::to_string(&e.lambda).map_err(internal)?,
            serde_json::to_string(&e.allowed_first_auth_factors).map_err(internal)?
        ],
    )?;
    Ok(())
}

/// Validates `Policies.SignInPolicy` of a CreateUserPool / UpdateUserPool request.
fn sign_in_policy_from_request(policies: Option<&Value>) -> ApiResult<Vec<String>> {
    let Some(sp) = policies.and_then(|p| p.get("SignInPolicy")) else {
        return Ok(vec!["PASSWORD".into()]);
    };
    let Some(list) = sp.get("AllowedFirstAuthFactors") else {
        return Ok(vec!["PASSWORD".into()]);
    };
    let Some(items) = list.as_array() else {
        return Err(ApiError::invalid_parameter(
            "AllowedFirstAuthFactors must be a list",
        ));
    };
    let mut out: Vec<String> = Vec::new();
    for i in items {
        let Some(f) = i.as_str().filter(|f| FIRST_FACTORS.contains(f)) else {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '{}' at 'policies.signInPolicy.\
                 allowedFirstAuthFactors' failed to satisfy constraint: Member must satisfy \
                 enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN]",
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            )));
        };
        if !out.iter().any(|x| x == f) {
            out.push(f.to_string());
        }
    }
    if !out.iter().any(|f| f == "PASSWORD") {
        return Err(ApiError::invalid_parameter(
            "AllowedFirstAuthFactors must include PASSWORD.",
        ));
    }
    Ok(out)
}

fn extras_from_request(body: &Value) -> ApiResult<PoolExtras> {
    let lambda = match body.get("LambdaConfig") {
        None | Some(Value::Null) => LambdaConfig::default(),
        Some(v) => LambdaConfig::from_request(v)?,
    };
    Ok(PoolExtras {
        lambda,
        allowed_first_auth_factors: sign_in_policy_from_request(body.get("Policies"))?,
    })
}

/// Puts the pool's LambdaConfig and SignInPolicy into a DescribeUserPool / CreateUserPool
/// `UserPool` object.
pub fn decorate_pool_json(conn: &Connection, pool_id: &str, v: &mut Value) -> ApiResult<()> {
    let e = load_extras(conn, pool_id)?;
    v["LambdaConfig"] = e.lambda.to_json();
    if !v["Policies"].is_object() {
        v["Policies"] = json!({});
    }
    v["Policies"]["SignInPolicy"] =
        json!({"AllowedFirstAuthFactors": e.allowed_first_auth_factors});
    Ok(())
}

/// CreateUserPool with `LambdaConfig` and `Policies.SignInPolicy`.
pub fn create_user_pool(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let extras = extras_from_request(&body)?;
    let mut out = super::ops_admin::create_user_pool(ctx, body)?;
    let Some(id) = out["UserPool"]["Id"].as_str().map(str::to_string) else {
        return Err(ApiError::internal("Internal error: pool without an id"));
    };
    ctx.with_db(|conn| {
        save_extras(conn, &id, &extras)?;
        decorate_pool_json(conn, &id, &mut out["UserPool"])
    })?;
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdatePoolReq {
    user_pool_id: Option<String>,
    policies: Option<Value>,
    auto_verified_attributes: Option<Vec<String>>,
    mfa_configuration: Option<String>,
    deletion_protection: Option<String>,
}

/// UpdateUserPool. As on Cognito, a setting left out of the request goes back to its default
/// (no triggers, PASSWORD only, the default password policy, no auto-verified attributes,
/// deletion protection INACTIVE); MfaConfiguration is kept unless given.
pub fn update_user_pool(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let extras = extras_from_request(&body)?;
    let req: UpdatePoolReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let password_policy = match req
        .policies
        .as_ref()
        .and_then(|p| p.get("PasswordPolicy"))
        .filter(|p| !p.is_null())
    {
        Some(p) => serde_json::from_value::<policy::PasswordPolicy>(p.clone())
            .map_err(|e| ApiError::invalid_parameter(format!("Invalid PasswordPolicy: {e}")))?,
        None => policy::PasswordPolicy::default(),
    };
    password_policy.validate()?;
    let auto = req.auto_verified_attributes.unwrap_or_default();
    for a in &auto {
        if a != "email" && a != "phone_number" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid AutoVerifiedAttributes value: {a}"
            )));
        }
    }
    let deletion = req.deletion_protection.unwrap_or_else(|| "INACTIVE".into());
    if deletion != "ACTIVE" && deletion != "INACTIVE" {
        return Err(ApiError::invalid_parameter(
            "Invalid DeletionProtection value",
        ));
    }
    if let Some(m) = &req.mfa_configuration
        && !["OFF", "ON", "OPTIONAL"].contains(&m.as_str())
    {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid MfaConfiguration value: {m}"
        )));
    }
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &pool_id)?;
        let config = PoolConfig {
            password_policy,
            auto_verified_attributes: auto,
            deletion_protection: deletion,
            mfa_configuration: req
                .mfa_configuration
                .clone()
                .unwrap_or_else(|| pool.config.mfa_configuration.clone()),
            ..pool.config.clone()
        };
        conn.execute(
            "UPDATE pools SET config = ?2, modified = ?3 WHERE pool_id = ?1",
            params![
                pool.pool_id,
                serde_json::to_string(&config).map_err(|e| ApiError::internal(e.to_string()))?,
                ctx.now()
            ],
        )?;
        save_extras(conn, &pool.pool_id, &extras)?;
        tracing::info!(pool = %pool.pool_id, triggers = extras.lambda.0.len(), "local pool: user pool updated");
        Ok(json!({}))
    })
}

// ---------------------------------------------------------------------------------------------
// Flow sessions (custom challenges, USER_AUTH steps, auto sign-in)

#[derive(Debug, Clone)]
pub struct FlowRow {
    pub session_hash: Vec<u8>,
    pub kind: String,
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub state: Value,
    pub created: i64,
    pub used: bool,
}

/// Stores a new flow step and returns its Session string.
pub fn new_flow(
    conn: &Connection,
    now: i64,
    kind: &str,
    pool_id: &str,
    client_id: &str,
    username: &str,
    state: &Value,
) -> ApiResult<String> {
    let mut session = vec![FLOW_SESSION_VERSION];
    let mut r = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut r);
    session.extend_from_slice(&r);
    conn.execute(
        "DELETE FROM flow_sessions WHERE created < ?1",
        params![now - 86400],
    )?;
    conn.execute(
        "INSERT INTO flow_sessions (session_hash, kind, pool_id, client_id, username, state, created, used) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
        params![
            sha256(&[&session]),
            kind,
            pool_id,
            client_id,
            username,
            state.to_string(),
            now
        ],
    )?;
    Ok(B64URL.encode(&session))
}

/// The flow step a Session string names, if any.
pub fn find_flow(conn: &Connection, session: &str) -> ApiResult<Option<FlowRow>> {
    let Ok(bytes) = B64URL.decode(session.trim().trim_end_matches('=')) else {
        return Ok(None);
    };
    if bytes.first() != Some(&FLOW_SESSION_VERSION) {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT session_hash, kind, pool_id, client_id, username, state, created, used \
             FROM flow_sessions WHERE session_hash = ?1",
            params![sha256(&[&bytes])],
            |r| {
                let state: String = r.get(5)?;
                Ok(FlowRow {
                    session_hash: r.get(0)?,
                    kind: r.get(1)?,
                    pool_id: r.get(2)?,
                    client_id: r.get(3)?,
                    username: r.get(4)?,
                    state: serde_json::from_str(&state).unwrap_or(Value::Null),
                    created: r.get(6)?,
                    used: r.get::<_, i64>(7)? != 0,
                })
            },
        )
        .optional()?)
}

pub fn consume_flow(conn: &Connection, row: &FlowRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE flow_sessions SET used = 1 WHERE session_hash = ?1",
        params![row.session_hash],
    )?;
    Ok(())
}

pub fn update_flow_state(conn: &Connection, row: &FlowRow, state: &Value) -> ApiResult<()> {
    conn.execute(
        "UPDATE flow_sessions SET state = ?2 WHERE session_hash = ?1",
        params![row.session_hash, state.to_string()],
    )?;
    Ok(())
}

/// The client's AuthSessionValidity in seconds.
pub fn session_validity(client: &ClientRow) -> i64 {
    i64::from(client.config.auth_session_validity.clamp(3, 15)) * 60
}

/// Checks a Session for a step of one of `kinds` on this client: unknown, foreign or stale
/// Sessions answer "session is expired", spent ones "can only be used once". Not consumed.
pub fn take_flow(
    ctx: &Ctx,
    conn: &Connection,
    session: Option<&str>,
    kinds: &[&str],
    client: &ClientRow,
) -> ApiResult<FlowRow> {
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
    let row = find_flow(conn, session)?.ok_or_else(session_expired)?;
    if !kinds.contains(&row.kind.as_str())
        || row.pool_id != client.pool_id
        || row.client_id != client.client_id
    {
        return Err(session_expired());
    }
    if row.used {
        return Err(session_used());
    }
    if ctx.now() - row.created > session_validity(client) {
        consume_flow(conn, &row)?;
        return Err(session_expired());
    }
    Ok(row)
}

/// Checks that the `USERNAME` of a challenge response names the user of the Session.
pub fn check_username_matches(
    conn: &Connection,
    pool: &PoolRow,
    given: &str,
    expected: &str,
) -> ApiResult<()> {
    if given == expected {
        return Ok(());
    }
    match resolve_user(conn, pool, given)? {
        Some(u) if u.username == expected => Ok(()),
        _ => Err(ApiError::not_authorized("Invalid session for the user.")),
    }
}

// ---------------------------------------------------------------------------------------------
// RespondToAuthChallenge routing

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RespondReq {
    pub client_id: Option<String>,
    pub challenge_name: Option<String>,
    pub session: Option<String>,
    #[serde(default)]
    pub challenge_responses: Option<HashMap<String, String>>,
    #[serde(default)]
    pub client_metadata: Option<Value>,
}

/// RespondToAuthChallenge: the challenges of this part (CUSTOM_CHALLENGE, SELECT_CHALLENGE,
/// PASSWORD, PASSWORD_SRP, and EMAIL_OTP / SMS_OTP of a USER_AUTH sign-in) are answered here,
/// everything else by [`ops_auth::respond_to_auth_challenge`]; a PASSWORD_VERIFIER of a
/// CUSTOM_AUTH flow then continues with DefineAuthChallenge.
pub fn respond_to_auth_challenge(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let name = body.get("ChallengeName").and_then(Value::as_str);
    let session = body.get("Session").and_then(Value::as_str);
    let ours = match name {
        Some("CUSTOM_CHALLENGE" | "SELECT_CHALLENGE" | "PASSWORD" | "PASSWORD_SRP") => true,
        Some("EMAIL_OTP" | "SMS_OTP") => match session {
            Some(s) => ctx
                .with_db(|conn| find_flow(conn, s))?
                .is_some_and(|r| r.kind == "EMAIL_OTP" || r.kind == "SMS_OTP"),
            None => false,
        },
        _ => false,
    };
    if !ours {
        let out = ops_auth::respond_to_auth_challenge(ctx, body.clone())?;
        return continue_after_custom_srp(ctx, body, out);
    }
    let req: RespondReq = parse(body)?;
    if req.challenge_name.as_deref() == Some("CUSTOM_CHALLENGE") {
        respond_custom(ctx, req)
    } else {
        super::ops_user_auth::respond(ctx, req)
    }
}

const CUSTOM_SRP_MARKER: &str = "__cognito_tui_custom_srp_verified";

/// What [`ops_auth::respond_to_auth_challenge`] returns when a CUSTOM_AUTH flow's password
/// proof checked out (never sent to a client: [`respond_to_auth_challenge`] replaces it).
pub(crate) fn custom_srp_verified_marker(username: &str) -> Value {
    json!({ CUSTOM_SRP_MARKER: username })
}

fn continue_after_custom_srp(ctx: &Ctx, body: Value, out: Value) -> ApiResult<Value> {
    let Some(username) = out.get(CUSTOM_SRP_MARKER).and_then(Value::as_str) else {
        return Ok(out);
    };
    let client_id = body
        .get("ClientId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (client, pool, extras, user) = ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, client_id)?;
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
        client_metadata: client_metadata(body.get("ClientMetadata")),
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

fn client_metadata(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => json!({}),
    }
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
        let extras = load_extras(conn, &pool.pool_id)?;
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
                "CHALLENGE_NAME {other} is not valid for CUSTOM_AUTH; only SRP_A is"
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
    let define = run_define(pool, client, lambda, subj, &session)?;
    if define.fail {
        tracing::info!(pool = %pool.pool_id, username = %subj.username, "local pool: custom auth failed by DefineAuthChallenge");
        return Err(ApiError::incorrect_password());
    }
    if define.issue_tokens {
        let Some(user) = &subj.user else {
            return Err(ApiError::incorrect_password());
        };
        return ctx.with_db(|conn| {
            let user = store::get_user(conn, &pool.pool_id, &user.username)?
                .ok_or_else(ApiError::user_not_found)?;
            check_enabled(&user)?;
            ops_auth::after_password_ok(&user)?;
            ops_auth::sign_in_result(ctx, conn, pool, client, &user)
        });
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
                new_flow(
                    conn,
                    ctx.now(),
                    "CUSTOM_CHALLENGE",
                    &pool.pool_id,
                    &client.client_id,
                    &subj.username,
                    &state,
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
                    "InvalidLambdaResponseException",
                    "DefineAuthChallenge asked for PASSWORD_VERIFIER, which only follows SRP_A \
                     at the start of a CUSTOM_AUTH flow",
                ));
            };
            ctx.with_db(|conn| ops_auth::start_srp_kind(ctx, conn, client, pool, p, "CUSTOM_SRP"))
        }
        Some(other) => Err(ApiError::new(
            "InvalidLambdaResponseException",
            format!(
                "DefineAuthChallenge answered challengeName {other}, which the embedded user \
                 pool does not issue in a custom flow (CUSTOM_CHALLENGE or PASSWORD_VERIFIER)"
            ),
        )),
        None => Err(ApiError::new(
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        )),
    }
}

fn user_attrs(subj: &Subject) -> Value {
    subj.user
        .as_ref()
        .map(triggers::user_attributes)
        .unwrap_or_else(|| json!({}))
}

fn run_define(
    pool: &PoolRow,
    client: &ClientRow,
    lambda: &LambdaConfig,
    subj: &Subject,
    session: &[Value],
) -> ApiResult<DefineOut> {
    let Some(value) = lambda.get("DefineAuthChallenge") else {
        return Ok(builtin_define(session));
    };
    let ev = triggers::event(
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
    let r = triggers::invoke("DefineAuthChallenge", value, &ev)?;
    Ok(DefineOut {
        challenge_name: triggers::opt_string(&r, "challengeName")?,
        issue_tokens: triggers::opt_bool(&r, "issueTokens")?,
        fail: triggers::opt_bool(&r, "failAuthentication")?,
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
    let Some(value) = lambda.get("CreateAuthChallenge") else {
        return builtin_create(ctx, pool, client, subj, session, previous_private);
    };
    let ev = triggers::event(
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
    let r = triggers::invoke("CreateAuthChallenge", value, &ev)?;
    Ok(Created {
        public: triggers::opt_string_map(&r, "publicChallengeParameters")?,
        private: triggers::opt_string_map(&r, "privateChallengeParameters")?,
        metadata: triggers::opt_string(&r, "challengeMetadata")?,
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
            let target = ops_auth::verified_target(user).or_else(|| {
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
                    "UserLambdaValidationException",
                    "CreateAuthChallenge failed with error the user has no email address or \
                     phone number to send a code to.",
                ));
            };
            let code = policy::new_code();
            ctx.with_db(|conn| {
                store::push_outbox(
                    conn,
                    &crate::cognito::types::OutboxEntry {
                        pool_id: pool.pool_id.clone(),
                        username: user.username.clone(),
                        medium: medium.to_string(),
                        destination: destination.clone(),
                        purpose: "CUSTOM_CHALLENGE".into(),
                        code: code.clone(),
                        sent_at: ops_auth::rfc3339_millis(ctx.now_dt()),
                    },
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
fn respond_custom(ctx: &Ctx, req: RespondReq) -> ApiResult<Value> {
    let responses = req.challenge_responses.unwrap_or_default();
    let (client, pool, extras, row, user) = ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id.clone())?;
        let row = take_flow(
            ctx,
            conn,
            req.session.as_deref(),
            &["CUSTOM_CHALLENGE"],
            &client,
        )?;
        let name = param(&responses, "USERNAME")?;
        param(&responses, "ANSWER")?;
        check_username_matches(conn, &pool, name, &row.username)?;
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
        consume_flow(conn, &row)?;
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
    let correct = run_verify(&pool, &client, &extras.lambda, &subject, &private, &answer)?;
    tracing::info!(pool = %pool.pool_id, username = %subject.username, correct, "local pool: custom challenge answered");
    let mut session: Vec<Value> = row.state["session"].as_array().cloned().unwrap_or_default();
    let metadata = row.state["metadata"].as_str().map(str::to_string);
    session.push(session_entry(
        "CUSTOM_CHALLENGE",
        correct,
        metadata.as_deref(),
    ));
    // The built-in Create re-uses its code on a retry.
    let previous = if extras.lambda.has("CreateAuthChallenge") {
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
    pool: &PoolRow,
    client: &ClientRow,
    lambda: &LambdaConfig,
    subj: &Subject,
    private: &BTreeMap<String, String>,
    answer: &str,
) -> ApiResult<bool> {
    let Some(value) = lambda.get("VerifyAuthChallengeResponse") else {
        let Some(expected) = private.get("answer") else {
            return Ok(false);
        };
        return Ok(
            subj.user.is_some() && bool::from(expected.as_bytes().ct_eq(answer.trim().as_bytes()))
        );
    };
    let ev = triggers::event(
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
    let r = triggers::invoke("VerifyAuthChallengeResponse", value, &ev)?;
    triggers::opt_bool(&r, "answerCorrect")
}

// ---------------------------------------------------------------------------------------------
// PreSignUp and PostConfirmation

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

/// SignUp, running the pool's PreSignUp trigger first.
pub fn sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let client_id = body.get("ClientId").and_then(Value::as_str);
    let mut outcome = PreSignUpOutcome::default();
    if let Some((client, extras)) = pool_of_client(ctx, client_id)?
        && let Some(value) = extras.lambda.get("PreSignUp")
        && let Some(username) = body.get("Username").and_then(Value::as_str)
    {
        let ev = triggers::event(
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
        let r = triggers::invoke("PreSignUp", value, &ev)?;
        outcome = PreSignUpOutcome {
            auto_confirm: triggers::opt_bool(&r, "autoConfirmUser")?,
            auto_verify_email: triggers::opt_bool(&r, "autoVerifyEmail")?,
            auto_verify_phone: triggers::opt_bool(&r, "autoVerifyPhone")?,
        };
    }
    ops_auth::sign_up_with(ctx, body, outcome)
}

/// AdminCreateUser, running the pool's PreSignUp trigger first (`PreSignUp_AdminCreateUser`;
/// not for `MessageAction: RESEND`, which creates nobody). Its auto-confirm flags do not apply:
/// the user still has to choose a new password.
pub fn admin_create_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
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
            let ev = triggers::event(
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
            triggers::invoke("PreSignUp", &value, &ev)?;
        }
    }
    super::ops_admin::admin_create_user(ctx, body)
}

/// Runs PostConfirmation for a user who was just confirmed (the confirmation stands even if
/// the trigger fails; the caller then gets the trigger's error, as on Cognito).
fn post_confirmation(
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
    let ev = triggers::event(
        source,
        pool_id,
        &user.username,
        client_id,
        json!({
            "userAttributes": triggers::user_attributes(&user),
            "clientMetadata": client_metadata(metadata),
        }),
        json!({}),
    );
    triggers::invoke("PostConfirmation", &value, &ev).map(|_| ())
}

/// ConfirmSignUp, then PostConfirmation.
pub fn confirm_sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let out = ops_auth::confirm_sign_up(ctx, body.clone())?;
    post_confirmation_for_client(ctx, &body, "PostConfirmation_ConfirmSignUp")?;
    Ok(out)
}

/// ConfirmForgotPassword, then PostConfirmation.
pub fn confirm_forgot_password(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let out = super::ops_account::confirm_forgot_password(ctx, body.clone())?;
    post_confirmation_for_client(ctx, &body, "PostConfirmation_ConfirmForgotPassword")?;
    Ok(out)
}

fn post_confirmation_for_client(ctx: &Ctx, body: &Value, source: &str) -> ApiResult<()> {
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

/// AdminConfirmSignUp, then PostConfirmation.
pub fn admin_confirm_sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let out = super::ops_admin::admin_confirm_sign_up(ctx, body.clone())?;
    let pool_id = body.get("UserPoolId").and_then(Value::as_str).unwrap_or("");
    let username = body.get("Username").and_then(Value::as_str).unwrap_or("");
    post_confirmation(
        ctx,
        pool_id,
        None,
        username,
        "PostConfirmation_ConfirmSignUp",
        body.get("ClientMetadata"),
    )?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Seed

/// Adds what this part needs to the demo pool, where missing: its sign-in policy (PASSWORD,
/// EMAIL_OTP, SMS_OTP), the custom-auth demo client and the demo user with a phone number.
pub fn seed(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    use super::{
        DEMO_CUSTOM_CLIENT_ID, DEMO_PASSWORD, DEMO_PHONE_NUMBER, DEMO_PHONE_USER, DEMO_POOL_ID,
    };
    let mut created = false;
    let now = ctx.now();
    if !extras_exist(conn, DEMO_POOL_ID)? {
        save_extras(
            conn,
            DEMO_POOL_ID,
            &PoolExtras {
                lambda: LambdaConfig::default(),
                allowed_first_auth_factors: vec![
                    "PASSWORD".into(),
                    "EMAIL_OTP".into(),
                    "SMS_OTP".into(),
                ],
            },
        )?;
        created = true;
    }
    if store::get_client(conn, DEMO_CUSTOM_CLIENT_ID)?.is_none() {
        store::insert_client(
            conn,
            &ClientRow {
                client_id: DEMO_CUSTOM_CLIENT_ID.into(),
                pool_id: DEMO_POOL_ID.into(),
                name: "cognito-tui demo (custom auth, choice-based sign-in)".into(),
                secret: None,
                config: store::ClientConfig {
                    explicit_auth_flows: [
                        "ALLOW_CUSTOM_AUTH",
                        "ALLOW_USER_AUTH",
                        "ALLOW_USER_SRP_AUTH",
                        "ALLOW_REFRESH_TOKEN_AUTH",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                    prevent_user_existence_errors: "ENABLED".into(),
                    ..store::ClientConfig::default()
                },
                created: now,
                modified: now,
            },
        )?;
        created = true;
    }
    if store::get_user(conn, DEMO_POOL_ID, DEMO_PHONE_USER)?.is_none() {
        let salt = crate::srp::random_salt();
        let verifier = crate::srp::compute_verifier(
            crate::srp::pool_name(DEMO_POOL_ID),
            DEMO_PHONE_USER,
            DEMO_PASSWORD,
            &salt,
        );
        let mut attributes = BTreeMap::new();
        attributes.insert("email".into(), format!("{DEMO_PHONE_USER}@example.com"));
        attributes.insert("email_verified".into(), "true".into());
        attributes.insert("phone_number".into(), DEMO_PHONE_NUMBER.into());
        attributes.insert("phone_number_verified".into(), "true".into());
        attributes.insert("name".into(), "Pat Passwordless".into());
        store::insert_user(
            conn,
            &UserRecord {
                pool_id: DEMO_POOL_ID.into(),
                username: DEMO_PHONE_USER.into(),
                sub: uuid::Uuid::new_v4().to_string(),
                status: "CONFIRMED".into(),
                enabled: true,
                salt: crate::srp::to_hex(&salt),
                verifier: crate::srp::to_hex(&verifier),
                attributes,
                created: now,
                modified: now,
                failed_attempts: 0,
                last_failure: None,
                locked_until: None,
            },
        )?;
        created = true;
    }
    Ok(created)
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

    #[test]
    fn sign_in_policy_must_include_password_and_known_factors() {
        let p = |v: Value| sign_in_policy_from_request(Some(&v));
        assert_eq!(
            p(json!({"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "EMAIL_OTP"]}}))
                .unwrap(),
            vec!["PASSWORD", "EMAIL_OTP"]
        );
        assert!(p(json!({"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}})).is_err());
        assert!(
            p(json!({"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "FACE"]}})).is_err()
        );
        assert_eq!(p(json!({})).unwrap(), vec!["PASSWORD"]);
    }
}
