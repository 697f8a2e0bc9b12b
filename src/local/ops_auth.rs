//! The unsigned, user-facing operations: sign-up, sign-in (SRP, password, refresh), GetUser,
//! sign-out and token revocation (PROTOCOL.md §2.1–2.3, §4.3, §6).

use std::collections::{BTreeMap, HashMap};

use crate::srp::BigUint;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use hmac::{Hmac, Mac};
use rand::RngCore;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{ApiError, ApiResult};
use super::jwt::{self, TokenProblem};
use super::policy::{self, check_password_shape, check_username};
use super::server::{Ctx, parse};
use super::store::{self, ChallengeRow, ClientRow, PoolRow, RefreshRow, UserRecord};
use crate::srp;

type HmacSha256 = Hmac<Sha256>;

/// Sign-up codes stay valid for 24 hours.
pub const SIGN_UP_CODE_TTL: i64 = 24 * 3600;
/// Accepted clock skew of a PASSWORD_VERIFIER TIMESTAMP.
pub const TIMESTAMP_SKEW: i64 = 5 * 60;
/// Failed sign-ins before the lockout starts.
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// The failure counter resets after this long without attempts.
pub const LOCKOUT_RESET: i64 = 15 * 60;
/// ResendConfirmationCode calls per user per hour.
pub const RESEND_PER_HOUR: i64 = 5;
/// ConfirmSignUp calls per user per hour.
pub const CONFIRM_PER_HOUR: i64 = 15;

pub(crate) fn limit_exceeded() -> ApiError {
    ApiError::new(
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
}

const SECRET_BLOCK_VERSION: u8 = 1;
const SESSION_VERSION: u8 = 0x53;

// ---------------------------------------------------------------------------------------------
// Shared helpers

pub(crate) fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().to_vec()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

pub(crate) fn required(v: Option<String>, member: &str) -> ApiResult<String> {
    v.ok_or_else(|| ApiError::missing(member))
}

/// The app client and its pool.
pub(crate) fn client_and_pool(
    conn: &Connection,
    client_id: Option<String>,
) -> ApiResult<(ClientRow, PoolRow)> {
    let client_id = required(client_id, "clientId")?;
    let client = store::require_client(conn, &client_id)?;
    let pool = store::require_pool(conn, &client.pool_id)?;
    Ok((client, pool))
}

/// Verifies SECRET_HASH for a client that has a secret (clients without one ignore it).
pub(crate) fn check_secret_hash(
    client: &ClientRow,
    usernames: &[&str],
    given: Option<&str>,
) -> ApiResult<()> {
    let Some(secret) = client.secret.as_deref() else {
        return Ok(());
    };
    let Some(given) = given else {
        return Err(ApiError::not_authorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.client_id
        )));
    };
    let ok = usernames.iter().any(|u| {
        let expected = srp::secret_hash(u, &client.client_id, secret);
        bool::from(expected.as_bytes().ct_eq(given.trim().as_bytes()))
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id
        )))
    }
}

pub(crate) fn legacy(client: &ClientRow) -> bool {
    client.config.prevent_user_existence_errors != "ENABLED"
}

/// Finds a user by username, or by email / phone number when the pool signs users in with them
/// (UsernameAttributes or AliasAttributes).
pub(crate) fn resolve_user(
    conn: &Connection,
    pool: &PoolRow,
    name: &str,
) -> ApiResult<Option<UserRecord>> {
    if let Some(u) = store::get_user(conn, &pool.pool_id, name)? {
        return Ok(Some(u));
    }
    let cfg = &pool.config;
    for attr in ["email", "phone_number", "preferred_username"] {
        let as_username = cfg.username_attributes.iter().any(|a| a == attr);
        let as_alias = cfg.alias_attributes.iter().any(|a| a == attr);
        if !(as_username || as_alias) {
            continue;
        }
        if let Some(u) = store::find_user_by_attribute(conn, &pool.pool_id, attr, name)? {
            let verified_attr = format!("{attr}_verified");
            // An alias only signs in once verified; a username attribute always does.
            let alias_ok = attr == "preferred_username"
                || u.attributes
                    .get(&verified_attr)
                    .is_some_and(|v| v == "true");
            if as_username || alias_ok {
                return Ok(Some(u));
            }
        }
    }
    Ok(None)
}

pub(crate) fn rfc3339_millis(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Which attribute a code for this user goes to: the phone if the pool auto-verifies phone
/// numbers and the user has one, else the email likewise.
fn delivery_target(
    pool: &PoolRow,
    user: &UserRecord,
) -> Option<(&'static str, &'static str, String)> {
    let auto = &pool.config.auto_verified_attributes;
    if auto.iter().any(|a| a == "phone_number")
        && let Some(p) = user.attributes.get("phone_number")
    {
        return Some(("SMS", "phone_number", p.clone()));
    }
    if auto.iter().any(|a| a == "email")
        && let Some(e) = user.attributes.get("email")
    {
        return Some(("EMAIL", "email", e.clone()));
    }
    None
}

/// Creates a code for `purpose`, writes it to the outbox and returns CodeDeliveryDetails.
pub(crate) fn deliver_code(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    purpose: &str,
    ttl: i64,
) -> ApiResult<Option<Value>> {
    let target = delivery_target(pool, user);
    deliver_code_to(ctx, conn, pool, user, purpose, ttl, target)
}

/// Where account-recovery codes go: a verified email, else a verified phone number.
pub(crate) fn verified_target(user: &UserRecord) -> Option<(&'static str, &'static str, String)> {
    let verified = |a: &str| {
        user.attributes
            .get(&format!("{a}_verified"))
            .is_some_and(|v| v == "true")
    };
    if verified("email")
        && let Some(e) = user.attributes.get("email")
    {
        return Some(("EMAIL", "email", e.clone()));
    }
    if verified("phone_number")
        && let Some(p) = user.attributes.get("phone_number")
    {
        return Some(("SMS", "phone_number", p.clone()));
    }
    None
}

/// Like [`deliver_code`], to a given (medium, attribute, destination).
pub(crate) fn deliver_code_to(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    user: &UserRecord,
    purpose: &str,
    ttl: i64,
    target: Option<(&'static str, &'static str, String)>,
) -> ApiResult<Option<Value>> {
    let Some((medium, attribute, destination)) = target else {
        return Ok(None);
    };
    let code = policy::new_code();
    let now = ctx.now_dt();
    store::put_code(
        conn,
        &pool.pool_id,
        &user.username,
        purpose,
        &code,
        attribute,
        now.unix_timestamp(),
        ttl,
    )?;
    store::push_outbox(
        conn,
        &crate::cognito::types::OutboxEntry {
            pool_id: pool.pool_id.clone(),
            username: user.username.clone(),
            medium: medium.to_string(),
            destination: destination.clone(),
            purpose: purpose.to_string(),
            code,
            sent_at: rfc3339_millis(now),
        },
    )?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, purpose, medium, "local pool: code written to the outbox");
    Ok(Some(json!({
        "Destination": policy::mask_destination(medium, &destination),
        "DeliveryMedium": medium,
        "AttributeName": attribute,
    })))
}

// ---------------------------------------------------------------------------------------------
// Lockout

fn lock_state_refresh(u: &mut UserRecord, now: i64) {
    if u.last_failure.is_some_and(|t| now - t > LOCKOUT_RESET) {
        u.failed_attempts = 0;
        u.locked_until = None;
    }
}

pub(crate) fn check_locked(u: &mut UserRecord, now: i64) -> ApiResult<()> {
    lock_state_refresh(u, now);
    if u.locked_until.is_some_and(|t| now < t) {
        return Err(ApiError::attempts_exceeded());
    }
    Ok(())
}

/// Counts a failed sign-in and returns the error to answer with.
pub(crate) fn record_failure(conn: &Connection, u: &mut UserRecord, now: i64) -> ApiError {
    lock_state_refresh(u, now);
    u.failed_attempts += 1;
    u.last_failure = Some(now);
    if u.failed_attempts >= LOCKOUT_THRESHOLD {
        let doublings = (u.failed_attempts - LOCKOUT_THRESHOLD).min(10) as u32;
        u.locked_until = Some(now + (1i64 << doublings).min(900));
    }
    if let Err(e) = store::update_user(conn, u) {
        return e;
    }
    tracing::info!(pool = %u.pool_id, username = %u.username, failures = u.failed_attempts, "local pool: failed sign-in");
    if u.failed_attempts > LOCKOUT_THRESHOLD {
        ApiError::attempts_exceeded()
    } else {
        ApiError::incorrect_password()
    }
}

pub(crate) fn record_success(conn: &Connection, u: &mut UserRecord) -> ApiResult<()> {
    if u.failed_attempts != 0 || u.locked_until.is_some() {
        u.failed_attempts = 0;
        u.locked_until = None;
        u.last_failure = None;
        store::update_user(conn, u)?;
    }
    Ok(())
}

/// What a sign-in of a user in this state answers once the password checked out.
pub(crate) fn after_password_ok(u: &UserRecord) -> ApiResult<()> {
    match u.status.as_str() {
        "UNCONFIRMED" => Err(ApiError::new(
            "UserNotConfirmedException",
            "User is not confirmed.",
        )),
        "RESET_REQUIRED" => Err(ApiError::new(
            "PasswordResetRequiredException",
            "Password reset required for the user",
        )),
        _ => Ok(()),
    }
}

/// The answer to a sign-in whose password checked out: tokens, or NEW_PASSWORD_REQUIRED for a
/// user still on a temporary password, or the error for the user's state.
pub(crate) fn password_ok(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Value> {
    after_password_ok(user)?;
    if user.status != "FORCE_CHANGE_PASSWORD" {
        return super::ops_mfa::after_password(ctx, conn, pool, client, user);
    }
    let now = ctx.now();
    let days = i64::from(pool.config.password_policy.temporary_password_validity_days);
    if days > 0 && now > user.modified + days * 86400 {
        return Err(ApiError::not_authorized(
            "Temporary password has expired and must be reset by an administrator.",
        ));
    }
    let mut id = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut id);
    let mut session = vec![SESSION_VERSION];
    session.extend_from_slice(&{
        let mut s = [0u8; 48];
        rand::thread_rng().fill_bytes(&mut s);
        s
    });
    let row = ChallengeRow {
        kind: "NEW_PASSWORD_REQUIRED".into(),
        id_hash: sha256(&[&id]),
        pool_id: pool.pool_id.clone(),
        client_id: client.client_id.clone(),
        username: user.username.clone(),
        a_pub: String::new(),
        b_priv: String::new(),
        b_pub: String::new(),
        created: now,
        used: false,
    };
    store::insert_challenge(conn, &row, &sha256(&[&session]))?;
    let attrs: serde_json::Map<String, Value> = user
        .attributes
        .iter()
        .filter(|(k, _)| !k.ends_with("_verified"))
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    // The pool's required attributes this user lacks (an administrator may have created it
    // without them), as Cognito names them.
    let required: Vec<String> =
        policy::missing_required(&pool.config.required_attributes, &user.attributes)
            .into_iter()
            .map(|a| format!("userAttributes.{a}"))
            .collect();
    Ok(json!({
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": B64URL.encode(&session),
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": serde_json::to_string(&required).unwrap_or_default(),
            "userAttributes": Value::Object(attrs).to_string(),
        }
    }))
}

/// RespondToAuthChallenge NEW_PASSWORD_REQUIRED: `NEW_PASSWORD` (and any `userAttributes.*`)
/// with the Session from the challenge.
fn respond_new_password(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    session: Option<&str>,
    responses: &HashMap<String, String>,
) -> ApiResult<Value> {
    let name = param(responses, "USERNAME")?;
    let new_password = param(responses, "NEW_PASSWORD")?;
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
    let bytes = B64URL
        .decode(session.trim_end_matches('='))
        .map_err(|_| session_expired())?;
    let row = store::challenge_by_session(conn, &sha256(&[&bytes]))?.ok_or_else(session_expired)?;
    if row.kind != "NEW_PASSWORD_REQUIRED"
        || row.pool_id != pool.pool_id
        || row.client_id != client.client_id
    {
        return Err(session_expired());
    }
    if row.used {
        return Err(session_used());
    }
    let now = ctx.now();
    let validity = i64::from(client.config.auth_session_validity.clamp(3, 15)) * 60;
    if now - row.created > validity {
        store::consume_challenge(conn, &row.id_hash)?;
        return Err(session_expired());
    }
    let Some(mut user) = store::get_user(conn, &pool.pool_id, &row.username)? else {
        return Err(ApiError::user_not_found());
    };
    check_secret_hash(
        client,
        &[name, &user.username],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    if name != user.username
        && resolve_user(conn, pool, name)?.map(|u| u.username) != Some(user.username.clone())
    {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    // A rejected password leaves the session usable for another try.
    check_password_shape(new_password, "NEW_PASSWORD")?;
    pool.config.password_policy.check(new_password)?;
    let mut attributes = user.attributes.clone();
    for (k, v) in responses {
        if let Some(attr) = k.strip_prefix("userAttributes.") {
            policy::check_attribute(attr, v)?;
            attributes.insert(attr.to_string(), v.clone());
        }
    }
    let missing = policy::missing_required(&pool.config.required_attributes, &attributes);
    if !missing.is_empty() {
        // Cognito's wording; the Session stays usable for an answer with the attributes.
        return Err(ApiError::invalid_parameter(format!(
            "Invalid attributes given, {} is missing",
            missing.join(" and ")
        )));
    }
    store::consume_challenge(conn, &row.id_hash)?;
    let salt = srp::random_salt();
    let v = srp::compute_verifier(
        srp::pool_name(&pool.pool_id),
        &user.username,
        new_password,
        &salt,
    );
    user.salt = srp::to_hex(&salt);
    user.verifier = srp::to_hex(&v);
    user.attributes = attributes;
    user.status = "CONFIRMED".into();
    user.modified = now;
    store::update_user(conn, &user)?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: new password set, user confirmed");
    super::ops_mfa::after_password(ctx, conn, pool, client, &user)
}

pub(crate) fn check_enabled(u: &UserRecord) -> ApiResult<()> {
    if u.enabled {
        Ok(())
    } else {
        Err(ApiError::not_authorized("User is disabled."))
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    B64URL.encode(b)
}

/// Cognito's ID-token form of attributes: `*_verified` as booleans, everything else a string.
fn id_claims_from_attributes(user: &UserRecord, claims: &mut Map<String, Value>) {
    for (k, v) in &user.attributes {
        let value = if k.ends_with("_verified") {
            Value::Bool(v == "true")
        } else {
            Value::String(v.clone())
        };
        claims.insert(k.clone(), value);
    }
}

/// Issues access and ID tokens for a sign-in or a refresh. `session` is the refresh-token row
/// they belong to (its origin_jti, event_id and auth_time carry over).
fn mint(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
    session: &RefreshRow,
) -> ApiResult<(String, String)> {
    let keys = ctx.pool_keys(pool)?;
    let now = ctx.now();
    let iss = ctx.issuer(&pool.pool_id);
    let groups = super::ops_groups::group_claims(conn, &pool.pool_id, &user.username)?;
    let mut access = json!({
        "sub": user.sub,
        "iss": iss,
        "client_id": client.client_id,
        "origin_jti": session.origin_jti,
        "event_id": session.event_id,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": session.auth_time,
        "exp": now + client.config.access_token_validity,
        "iat": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "username": user.username,
    });
    let mut id = Map::new();
    id.insert("sub".into(), json!(user.sub));
    id_claims_from_attributes(user, &mut id);
    id.insert("iss".into(), json!(iss));
    id.insert("cognito:username".into(), json!(user.username));
    id.insert("origin_jti".into(), json!(session.origin_jti));
    id.insert("aud".into(), json!(client.client_id));
    id.insert("event_id".into(), json!(session.event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(session.auth_time));
    id.insert("exp".into(), json!(now + client.config.id_token_validity));
    id.insert("iat".into(), json!(now));
    id.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    if !groups.groups.is_empty() {
        access["cognito:groups"] = json!(groups.groups);
        id.insert("cognito:groups".into(), json!(groups.groups));
    }
    if !groups.roles.is_empty() {
        id.insert("cognito:roles".into(), json!(groups.roles));
    }
    if let Some(r) = groups.preferred_role {
        id.insert("cognito:preferred_role".into(), json!(r));
    }
    Ok((
        keys.access.sign(&access)?,
        keys.id.sign(&Value::Object(id))?,
    ))
}

/// A full sign-in result: new refresh token, access and ID tokens.
pub(crate) fn sign_in_result(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Value> {
    let now = ctx.now();
    let refresh = random_token(96);
    let row = RefreshRow {
        pool_id: pool.pool_id.clone(),
        client_id: client.client_id.clone(),
        username: user.username.clone(),
        origin_jti: uuid::Uuid::new_v4().to_string(),
        event_id: uuid::Uuid::new_v4().to_string(),
        auth_time: now,
        expires: now + client.config.refresh_token_validity,
        revoked: false,
    };
    store::insert_refresh(conn, &sha256(&[refresh.as_bytes()]), &row, now)?;
    let (access, id) = mint(ctx, conn, pool, client, user, &row)?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: signed in");
    Ok(json!({
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": access,
            "ExpiresIn": client.config.access_token_validity,
            "TokenType": "Bearer",
            "RefreshToken": refresh,
            "IdToken": id,
        }
    }))
}

fn valid_refresh_shape(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 8192
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.".contains(&b))
}

/// Checks a refresh token for a client and mints new access and ID tokens (no rotation: the
/// refresh token stays the same, so the result carries none).
fn refresh_flow(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    token: &str,
    secret_hash: Option<(Option<&str>,)>,
) -> ApiResult<Value> {
    if !valid_refresh_shape(token) {
        return Err(ApiError::not_authorized("Invalid Refresh Token."));
    }
    let hash = sha256(&[token.as_bytes()]);
    let Some(row) = store::refresh_by_hash(conn, &hash)? else {
        return Err(ApiError::not_authorized("Invalid Refresh Token."));
    };
    if row.client_id != client.client_id || row.pool_id != pool.pool_id {
        return Err(ApiError::not_authorized("Invalid Refresh Token."));
    }
    let Some(user) = store::get_user(conn, &pool.pool_id, &row.username)? else {
        return Err(ApiError::user_not_found());
    };
    if let Some((given,)) = secret_hash {
        check_secret_hash(client, &[&user.username, &user.sub], given)?;
    }
    if row.revoked {
        return Err(ApiError::not_authorized("Refresh Token has been revoked"));
    }
    if row.expires <= ctx.now() {
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    check_enabled(&user)?;
    let (access, id) = mint(ctx, conn, pool, client, &user, &row)?;
    Ok(json!({
        "AccessToken": access,
        "ExpiresIn": client.config.access_token_validity,
        "TokenType": "Bearer",
        "IdToken": id,
    }))
}

/// Authorizes an `AccessToken`: signature, expiry, revocation; returns the pool and user.
pub(crate) fn authorize_access(
    ctx: &Ctx,
    conn: &Connection,
    token: Option<String>,
) -> ApiResult<(PoolRow, UserRecord, Value)> {
    let token = required(token, "accessToken")?;
    let invalid = || ApiError::not_authorized("Invalid Access Token");
    let claims = jwt::peek_claims(&token).ok_or_else(invalid)?;
    let pool_id = claims
        .get("iss")
        .and_then(Value::as_str)
        .and_then(|iss| iss.rsplit('/').next())
        .ok_or_else(invalid)?
        .to_string();
    let pool = store::get_pool(conn, &pool_id)?.ok_or_else(invalid)?;
    let keys = ctx.pool_keys(&pool)?;
    let claims = match jwt::verify(&token, &keys, ctx.now()) {
        Ok(c) => c,
        Err(TokenProblem::Expired) => {
            return Err(ApiError::not_authorized("Access Token has expired"));
        }
        Err(TokenProblem::Invalid) => return Err(invalid()),
    };
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(invalid());
    }
    let origin = claims
        .get("origin_jti")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    match store::refresh_by_origin(conn, origin)? {
        Some(r) if r.revoked => {
            return Err(ApiError::not_authorized("Access Token has been revoked"));
        }
        Some(_) => {}
        None => return Err(invalid()),
    }
    let username = claims
        .get("username")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let user =
        store::get_user(conn, &pool.pool_id, username)?.ok_or_else(ApiError::user_not_found)?;
    if claims.get("sub").and_then(Value::as_str) != Some(user.sub.as_str()) {
        // The user was deleted and re-created under the same name.
        return Err(ApiError::user_not_found());
    }
    check_enabled(&user)?;
    Ok((pool, user, claims))
}

// ---------------------------------------------------------------------------------------------
// SignUp, ConfirmSignUp, ResendConfirmationCode

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeType {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SignUpReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    user_attributes: Option<Vec<AttributeType>>,
}

pub fn sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    sign_up_with(ctx, body, super::triggers::PreSignUpOutcome::default())
}

/// SignUp with what the PreSignUp trigger answered (run by the caller, outside the store lock).
pub fn sign_up_with(
    ctx: &Ctx,
    body: Value,
    pre: super::triggers::PreSignUpOutcome,
) -> ApiResult<Value> {
    let req: SignUpReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let given_name = required(req.username, "username")?;
        check_username(&given_name)?;
        check_secret_hash(&client, &[&given_name], req.secret_hash.as_deref())?;
        let password = req.password.ok_or_else(|| {
            ApiError::invalid_parameter("Password is required for this user pool")
        })?;
        check_password_shape(&password, "password")?;

        let mut attributes = BTreeMap::new();
        for a in req.user_attributes.unwrap_or_default() {
            let name = required(a.name, "userAttributes.member.name")?;
            let value = a.value.unwrap_or_default();
            policy::check_attribute(&name, &value)?;
            attributes.insert(name, value);
        }
        // Nobody verifies their own attributes by saying so.
        attributes.remove("email_verified");
        attributes.remove("phone_number_verified");

        let sub = uuid::Uuid::new_v4().to_string();
        let cfg = &pool.config;
        let username = if cfg.username_attributes.is_empty() {
            if policy::looks_like_email(&given_name) && !cfg.alias_attributes.is_empty() {
                return Err(ApiError::invalid_parameter(
                    "Username cannot be of email format, since user pool is configured for email alias.",
                ));
            }
            given_name.clone()
        } else {
            let attr = if cfg.username_attributes.iter().any(|a| a == "email")
                && policy::looks_like_email(&given_name)
            {
                "email"
            } else if cfg.username_attributes.iter().any(|a| a == "phone_number")
                && policy::looks_like_phone(&given_name)
            {
                "phone_number"
            } else {
                return Err(ApiError::invalid_parameter(
                    "Username should be either an email or a phone number.",
                ));
            };
            if attributes.get(attr).is_some_and(|v| v != &given_name) {
                return Err(ApiError::invalid_parameter(format!(
                    "The {attr} attribute must match the username"
                )));
            }
            attributes.insert(attr.to_string(), given_name.clone());
            sub.clone()
        };

        let missing = policy::missing_required(&cfg.required_attributes, &attributes);
        if !missing.is_empty() {
            return Err(policy::schema_required_error(&missing));
        }
        pool.config.password_policy.check(&password)?;

        if store::get_user(conn, &pool.pool_id, &username)?.is_some() {
            return Err(ApiError::new("UsernameExistsException", "User already exists"));
        }
        for attr in cfg
            .username_attributes
            .iter()
            .chain(cfg.alias_attributes.iter())
        {
            if let Some(v) = attributes.get(attr.as_str())
                && store::find_user_by_attribute(conn, &pool.pool_id, attr, v)?.is_some()
            {
                let what = if attr == "phone_number" { "phone_number" } else { attr.as_str() };
                return Err(ApiError::new(
                    "UsernameExistsException",
                    format!("An account with the given {what} already exists."),
                ));
            }
        }

        if pre.auto_confirm {
            for (flag, attr) in [(pre.auto_verify_email, "email"), (pre.auto_verify_phone, "phone_number")] {
                if flag && attributes.contains_key(attr) {
                    attributes.insert(format!("{attr}_verified"), "true".into());
                }
            }
        }
        let salt = srp::random_salt();
        let verifier = srp::compute_verifier(srp::pool_name(&pool.pool_id), &username, &password, &salt);
        let now = ctx.now();
        let user = UserRecord {
            pool_id: pool.pool_id.clone(),
            username: username.clone(),
            sub: sub.clone(),
            status: if pre.auto_confirm { "CONFIRMED" } else { "UNCONFIRMED" }.into(),
            enabled: true,
            salt: srp::to_hex(&salt),
            verifier: srp::to_hex(&verifier),
            attributes,
            created: now,
            modified: now,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        };
        store::insert_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %username, auto_confirmed = pre.auto_confirm, "local pool: user signed up");
        let session = super::ops_user_auth::issue_auto_sign_in_session(ctx, conn, &pool, &client, &username)?;
        if pre.auto_confirm {
            return Ok(json!({"UserConfirmed": true, "UserSub": sub, "Session": session}));
        }
        let delivery = deliver_code(ctx, conn, &pool, &user, "SIGN_UP", SIGN_UP_CODE_TTL)?;
        let mut out = json!({"UserConfirmed": false, "UserSub": sub, "Session": session});
        if let Some(d) = delivery {
            out["CodeDeliveryDetails"] = d;
        }
        Ok(out)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfirmSignUpReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
    confirmation_code: Option<String>,
}

pub fn confirm_sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ConfirmSignUpReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let name = required(req.username, "username")?;
        let code = required(req.confirmation_code, "confirmationCode")?;
        check_secret_hash(&client, &[&name], req.secret_hash.as_deref())?;
        let mismatch = || {
            ApiError::new(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )
        };
        let Some(mut user) = resolve_user(conn, &pool, &name)? else {
            return Err(if legacy(&client) {
                ApiError::new(
                    "UserNotFoundException",
                    "Username/client id combination not found.",
                )
            } else {
                mismatch()
            });
        };
        if user.status != "UNCONFIRMED" {
            return Err(ApiError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status
            )));
        }
        let now = ctx.now();
        if !store::rate_allow(conn, &pool.pool_id, &user.username, "CONFIRM_SIGN_UP", now, 3600, CONFIRM_PER_HOUR)? {
            return Err(limit_exceeded());
        }
        let Some(stored) = store::get_code(conn, &pool.pool_id, &user.username, "SIGN_UP")? else {
            return Err(mismatch());
        };
        if stored.used || stored.expires <= now {
            return Err(ApiError::new(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
            ));
        }
        if !bool::from(stored.code.as_bytes().ct_eq(code.trim().as_bytes())) {
            return Err(mismatch());
        }
        store::mark_code_used(conn, &pool.pool_id, &user.username, "SIGN_UP")?;
        user.status = "CONFIRMED".into();
        user.attributes
            .insert(format!("{}_verified", stored.attribute), "true".into());
        user.modified = now;
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: user confirmed");
        let session = super::ops_user_auth::issue_auto_sign_in_session(ctx, conn, &pool, &client, &user.username)?;
        Ok(json!({"Session": session}))
    })
}

/// ForgotPassword and ResendConfirmationCode for a user that does not exist: LEGACY clients get
/// UserNotFoundException, ENABLED ones a simulated delivery (PROTOCOL.md §6).
pub(crate) fn unknown_user_delivery(
    client: &ClientRow,
    medium: &str,
    name: &str,
) -> ApiResult<Value> {
    if legacy(client) {
        return Err(ApiError::new(
            "UserNotFoundException",
            "Username/client id combination not found.",
        ));
    }
    let fake = if medium == "SMS" {
        "+10000000000".to_string()
    } else {
        format!("{name}@example.com")
    };
    Ok(json!({"CodeDeliveryDetails": {
        "Destination": policy::mask_destination(medium, &fake),
        "DeliveryMedium": medium,
        "AttributeName": if medium == "SMS" { "phone_number" } else { "email" },
    }}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResendReq {
    client_id: Option<String>,
    secret_hash: Option<String>,
    username: Option<String>,
}

pub fn resend_confirmation_code(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ResendReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let name = required(req.username, "username")?;
        check_secret_hash(&client, &[&name], req.secret_hash.as_deref())?;
        let Some(user) = resolve_user(conn, &pool, &name)? else {
            let medium = if pool
                .config
                .auto_verified_attributes
                .iter()
                .any(|a| a == "phone_number")
            {
                "SMS"
            } else {
                "EMAIL"
            };
            return unknown_user_delivery(&client, medium, &name);
        };
        if user.status != "UNCONFIRMED" {
            return Err(ApiError::invalid_parameter("User is already confirmed."));
        }
        if !store::rate_allow(
            conn,
            &pool.pool_id,
            &user.username,
            "RESEND_CODE",
            ctx.now(),
            3600,
            RESEND_PER_HOUR,
        )? {
            return Err(limit_exceeded());
        }
        match deliver_code(ctx, conn, &pool, &user, "SIGN_UP", SIGN_UP_CODE_TTL)? {
            Some(d) => Ok(json!({"CodeDeliveryDetails": d})),
            None => Err(ApiError::invalid_parameter(
                "Cannot resend codes. Auto verification not turned on.",
            )),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateAuthReq {
    auth_flow: Option<String>,
    client_id: Option<String>,
    #[serde(default)]
    auth_parameters: Option<HashMap<String, String>>,
}

pub fn initiate_auth(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: InitiateAuthReq = parse(body)?;
    ctx.with_db(|conn| {
        let flow = required(req.auth_flow, "authFlow")?;
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let params = req.auth_parameters.unwrap_or_default();
        match flow.as_str() {
            "USER_SRP_AUTH" | "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {}
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => {
                return Err(ApiError::invalid_parameter(
                    "Initiate Auth method not supported.",
                ));
            }
            "CUSTOM_AUTH" | "USER_AUTH" => {
                if !client.config.allows(&flow) {
                    return Err(ApiError::invalid_parameter(
                        "Auth flow not enabled for this client",
                    ));
                }
                return Err(ApiError::invalid_parameter(format!(
                    "{flow} is not supported by the embedded user pool"
                )));
            }
            other => {
                return Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value '{other}' at 'authFlow' failed to satisfy \
                     constraint: Member must satisfy enum value set: [USER_SRP_AUTH, \
                     REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, \
                     USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
                )));
            }
        }
        if !client.config.allows(&flow) {
            return Err(ApiError::invalid_parameter(
                if flow == "USER_PASSWORD_AUTH" {
                    "USER_PASSWORD_AUTH flow not enabled for this client"
                } else {
                    "Auth flow not enabled for this client"
                },
            ));
        }
        match flow.as_str() {
            "USER_SRP_AUTH" => start_srp(ctx, conn, &client, &pool, &params),
            "USER_PASSWORD_AUTH" => password_auth(ctx, conn, &client, &pool, &params),
            _ => {
                let token = params.get("REFRESH_TOKEN").ok_or_else(|| {
                    ApiError::invalid_parameter("Missing required parameter REFRESH_TOKEN")
                })?;
                let result = refresh_flow(
                    ctx,
                    conn,
                    &client,
                    &pool,
                    token,
                    Some((params.get("SECRET_HASH").map(String::as_str),)),
                )?;
                Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": result}))
            }
        }
    })
}

pub(crate) fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}

pub(crate) fn password_auth(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    params: &HashMap<String, String>,
) -> ApiResult<Value> {
    let name = param(params, "USERNAME")?;
    let password = param(params, "PASSWORD")?;
    let now = ctx.now();
    let Some(mut user) = resolve_user(conn, pool, name)? else {
        check_secret_hash(
            client,
            &[name],
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        return Err(if legacy(client) {
            ApiError::user_not_found()
        } else {
            ApiError::incorrect_password()
        });
    };
    check_secret_hash(
        client,
        &[name, &user.username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    check_locked(&mut user, now)?;
    check_enabled(&user)?;
    let salt = srp::parse_hex(&user.salt, "salt")
        .map_err(|_| ApiError::internal("Internal error: corrupt verifier"))?;
    let candidate = srp::compute_verifier(
        srp::pool_name(&pool.pool_id),
        &user.username,
        password,
        &salt,
    );
    let ok = bool::from(
        srp::to_hex(&candidate)
            .as_bytes()
            .ct_eq(user.verifier.as_bytes()),
    );
    if !ok {
        return Err(record_failure(conn, &mut user, now));
    }
    record_success(conn, &mut user)?;
    password_ok(ctx, conn, pool, client, &user)
}

/// A stable fake (salt, verifier, user id) for a user that does not exist, so SRP sign-in under
/// PreventUserExistenceErrors=ENABLED looks the same as for a real user.
fn simulated_user(ctx: &Ctx, pool: &PoolRow, name: &str) -> (BigUint, BigUint, String) {
    let seed = hmac(
        &ctx.server_key,
        &[
            b"simulated-user",
            pool.pool_id.as_bytes(),
            b"\0",
            name.as_bytes(),
        ],
    );
    let salt = BigUint::from_bytes_be(&seed[..16]);
    let x = BigUint::from_bytes_be(&seed[16..]);
    let v = srp::GROUP.g.modpow(&x, &srp::GROUP.n);
    let id = uuid::Builder::from_random_bytes(seed[..16].try_into().expect("16 bytes")).into_uuid();
    (salt.max(BigUint::from(1u8)), v, id.to_string())
}

fn secret_block_tag(
    ctx: &Ctx,
    id: &[u8],
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> [u8; 32] {
    hmac(
        &ctx.server_key,
        &[
            b"secret-block",
            id,
            pool_id.as_bytes(),
            b"\0",
            client_id.as_bytes(),
            b"\0",
            username.as_bytes(),
        ],
    )
}

pub(crate) fn start_srp(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    params: &HashMap<String, String>,
) -> ApiResult<Value> {
    start_srp_kind(ctx, conn, client, pool, params, "PASSWORD_VERIFIER")
}

/// [`start_srp`] recording the challenge as `kind`: `CUSTOM_SRP` marks the PASSWORD_VERIFIER
/// of a CUSTOM_AUTH flow, which continues with DefineAuthChallenge once the proof checks out.
pub(crate) fn start_srp_kind(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    params: &HashMap<String, String>,
    kind: &str,
) -> ApiResult<Value> {
    let name = param(params, "USERNAME")?;
    let a_hex = param(params, "SRP_A")?;
    if a_hex.len() > 2048 {
        return Err(ApiError::invalid_parameter("SRP_A is too long"));
    }
    let a_pub = srp::parse_hex(a_hex, "SRP_A")
        .map_err(|_| ApiError::invalid_parameter("SRP_A is not valid hexadecimal"))?;
    if (&a_pub % &srp::GROUP.n) == BigUint::default() {
        return Err(ApiError::not_authorized("Invalid SRP_A: A mod N is zero"));
    }
    let now = ctx.now();
    let (username, user_id_for_srp, salt, verifier) = match resolve_user(conn, pool, name)? {
        Some(mut user) => {
            check_secret_hash(
                client,
                &[name, &user.username],
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            check_locked(&mut user, now)?;
            check_enabled(&user)?;
            let salt = srp::parse_hex(&user.salt, "salt")
                .map_err(|_| ApiError::internal("Internal error: corrupt verifier"))?;
            let v = srp::parse_hex(&user.verifier, "verifier")
                .map_err(|_| ApiError::internal("Internal error: corrupt verifier"))?;
            (user.username.clone(), user.username.clone(), salt, v)
        }
        None => {
            check_secret_hash(
                client,
                &[name],
                params.get("SECRET_HASH").map(String::as_str),
            )?;
            if legacy(client) {
                return Err(ApiError::user_not_found());
            }
            let (salt, v, id) = simulated_user(ctx, pool, name);
            (name.to_string(), id, salt, v)
        }
    };
    let eph = srp::ServerEphemeral::generate(&verifier);
    let mut id = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut id);
    let mut session = vec![SESSION_VERSION];
    session.extend_from_slice(&{
        let mut s = [0u8; 48];
        rand::thread_rng().fill_bytes(&mut s);
        s
    });
    let row = ChallengeRow {
        kind: kind.into(),
        id_hash: sha256(&[&id]),
        pool_id: pool.pool_id.clone(),
        client_id: client.client_id.clone(),
        username: username.clone(),
        a_pub: srp::to_hex(&a_pub),
        b_priv: srp::to_hex(eph.private()),
        b_pub: srp::to_hex(eph.public()),
        created: now,
        used: false,
    };
    store::prune_challenges(conn, now)?;
    store::insert_challenge(conn, &row, &sha256(&[&session]))?;
    let mut block = vec![SECRET_BLOCK_VERSION];
    block.extend_from_slice(&id);
    block.extend_from_slice(&secret_block_tag(
        ctx,
        &id,
        &pool.pool_id,
        &client.client_id,
        &username,
    ));
    Ok(json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "Session": B64URL.encode(&session),
        "ChallengeParameters": {
            "SALT": srp::to_hex(&salt),
            "SRP_B": srp::to_hex(eph.public()),
            "SECRET_BLOCK": B64.encode(&block),
            "USERNAME": user_id_for_srp,
            "USER_ID_FOR_SRP": user_id_for_srp,
        }
    }))
}

// ---------------------------------------------------------------------------------------------
// RespondToAuthChallenge

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RespondReq {
    client_id: Option<String>,
    challenge_name: Option<String>,
    session: Option<String>,
    #[serde(default)]
    challenge_responses: Option<HashMap<String, String>>,
}

pub(crate) fn session_expired() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session is expired.")
}

pub(crate) fn session_used() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session can only be used once.")
}

pub fn respond_to_auth_challenge(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: RespondReq = parse(body)?;
    ctx.with_db(|conn| {
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        let challenge = required(req.challenge_name, "challengeName")?;
        let responses = req.challenge_responses.unwrap_or_default();
        if challenge == "NEW_PASSWORD_REQUIRED" {
            return respond_new_password(
                ctx,
                conn,
                &client,
                &pool,
                req.session.as_deref(),
                &responses,
            );
        }
        if super::ops_mfa::handles(&challenge)
            && let Some(answer) = super::ops_mfa::respond(
                ctx,
                conn,
                &client,
                &pool,
                &challenge,
                req.session.as_deref(),
                &responses,
            )?
        {
            return Ok(answer);
        }
        if challenge != "PASSWORD_VERIFIER" {
            return Err(ApiError::invalid_parameter(format!(
                "Challenge {challenge} is not supported by the embedded user pool"
            )));
        }
        let name = param(&responses, "USERNAME")?;
        let block_b64 = param(&responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = param(&responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = param(&responses, "TIMESTAMP")?;
        let now = ctx.now();
        let validity = i64::from(client.config.auth_session_validity.clamp(3, 15)) * 60;

        let by_session = match req.session.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                let bytes = B64URL
                    .decode(s.trim_end_matches('='))
                    .map_err(|_| session_expired())?;
                Some(
                    store::challenge_by_session(conn, &sha256(&[&bytes]))?
                        .ok_or_else(session_expired)?,
                )
            }
            None => None,
        };
        let block = B64.decode(block_b64.trim()).map_err(|_| {
            ApiError::invalid_parameter("PASSWORD_CLAIM_SECRET_BLOCK is not valid base64")
        })?;
        let from_block = if block.len() == 65 && block[0] == SECRET_BLOCK_VERSION {
            store::challenge_by_id(conn, &sha256(&[&block[1..33]]))?
        } else {
            None
        };
        let row = match (by_session, from_block) {
            (Some(s), Some(b)) if s.id_hash == b.id_hash => s,
            (Some(s), _) => {
                // The session is real but the block is not its own: spend the session anyway.
                if !s.used {
                    store::consume_challenge(conn, &s.id_hash)?;
                } else {
                    return Err(session_used());
                }
                return Err(ApiError::incorrect_password());
            }
            (None, Some(b)) => b,
            (None, None) => return Err(session_expired()),
        };
        let tag = secret_block_tag(
            ctx,
            &block[1..33],
            &row.pool_id,
            &row.client_id,
            &row.username,
        );
        if !bool::from(tag.ct_eq(&block[33..65])) {
            return Err(ApiError::incorrect_password());
        }
        if row.pool_id != pool.pool_id || row.client_id != client.client_id {
            return Err(session_expired());
        }
        if row.used {
            return Err(session_used());
        }
        if now - row.created > validity {
            store::consume_challenge(conn, &row.id_hash)?;
            return Err(session_expired());
        }
        store::consume_challenge(conn, &row.id_hash)?;

        let Some(mut user) = store::get_user(conn, &pool.pool_id, &row.username)? else {
            // A simulated challenge (PreventUserExistenceErrors): never succeeds.
            return Err(ApiError::incorrect_password());
        };
        check_secret_hash(
            &client,
            &[name, &user.username],
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
        if name != user.username
            && resolve_user(conn, &pool, name)?.map(|u| u.username) != Some(user.username.clone())
        {
            return Err(ApiError::incorrect_password());
        }
        let Some(ts) = srp::parse_timestamp(timestamp) else {
            return Err(ApiError::invalid_parameter(
                "TIMESTAMP must look like 'Tue Jan 7 09:05:03 UTC 2025'",
            ));
        };
        if (ts.unix_timestamp() - now).abs() > TIMESTAMP_SKEW {
            return Err(ApiError::not_authorized(
                "Incorrect username or password. (TIMESTAMP is more than 5 minutes off)",
            ));
        }
        check_locked(&mut user, now)?;
        check_enabled(&user)?;
        let parse = |s: &str| {
            srp::parse_hex(s, "stored value")
                .map_err(|_| ApiError::internal("Internal error: corrupt challenge state"))
        };
        let verified = srp::server_verify_claim(
            srp::pool_name(&pool.pool_id),
            &user.username,
            &parse(&user.verifier)?,
            &parse(&row.a_pub)?,
            &parse(&row.b_priv)?,
            &parse(&row.b_pub)?,
            &block,
            timestamp,
            signature,
        )
        .unwrap_or(false);
        if !verified {
            return Err(record_failure(conn, &mut user, now));
        }
        record_success(conn, &mut user)?;
        if row.kind == "CUSTOM_SRP" {
            return Ok(super::ops_custom::custom_srp_verified_marker(
                &user.username,
            ));
        }
        password_ok(ctx, conn, &pool, &client, &user)
    })
}

// ---------------------------------------------------------------------------------------------
// GetTokensFromRefreshToken, GetUser, GlobalSignOut, RevokeToken

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RefreshReq {
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn check_client_secret(
    client: &ClientRow,
    given: Option<&str>,
    kind: &'static str,
) -> ApiResult<()> {
    let Some(secret) = client.secret.as_deref() else {
        return Ok(());
    };
    match given {
        Some(g) if bool::from(g.as_bytes().ct_eq(secret.as_bytes())) => Ok(()),
        _ => Err(ApiError::new(
            kind,
            format!(
                "Unable to verify secret hash for client {}",
                client.client_id
            ),
        )),
    }
}

pub fn get_tokens_from_refresh_token(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: RefreshReq = parse(body)?;
    ctx.with_db(|conn| {
        let token = required(req.refresh_token, "refreshToken")?;
        let (client, pool) = client_and_pool(conn, req.client_id)?;
        check_client_secret(
            &client,
            req.client_secret.as_deref(),
            "NotAuthorizedException",
        )?;
        if !client.config.allows("REFRESH_TOKEN_AUTH") {
            return Err(ApiError::invalid_parameter(
                "Auth flow not enabled for this client",
            ));
        }
        let result = refresh_flow(ctx, conn, &client, &pool, &token, None)?;
        Ok(json!({"AuthenticationResult": result}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccessTokenReq {
    access_token: Option<String>,
}

pub fn get_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AccessTokenReq = parse(body)?;
    ctx.with_db(|conn| {
        let (_pool, user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        let attrs: Vec<Value> = user
            .attribute_list()
            .into_iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect();
        let mut out = json!({"Username": user.username, "UserAttributes": attrs});
        super::ops_mfa::add_user_mfa_fields(conn, &user, &mut out)?;
        Ok(out)
    })
}

pub fn global_sign_out(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AccessTokenReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, user, _claims) = authorize_access(ctx, conn, req.access_token)?;
        store::revoke_user_tokens(conn, &pool.pool_id, &user.username)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: global sign-out");
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeReq {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub fn revoke_token(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: RevokeReq = parse(body)?;
    ctx.with_db(|conn| {
        let token = required(req.token, "token")?;
        let (client, _pool) = client_and_pool(conn, req.client_id)?;
        check_client_secret(&client, req.client_secret.as_deref(), "UnauthorizedException")?;
        if !client.config.enable_token_revocation {
            return Err(ApiError::new(
                "UnsupportedOperationException",
                "Token revocation is not enabled for this app client.",
            ));
        }
        if jwt::peek_claims(&token).is_some() {
            return Err(ApiError::new(
                "UnsupportedTokenTypeException",
                "Only refresh tokens can be revoked.",
            ));
        }
        if !valid_refresh_shape(&token) {
            return Err(ApiError::invalid_parameter("Invalid token."));
        }
        let hash = sha256(&[token.as_bytes()]);
        match store::refresh_by_hash(conn, &hash)? {
            Some(row) if row.client_id != client.client_id => Err(ApiError::new(
                "UnauthorizedException",
                "The token was not issued to this client.",
            )),
            Some(row) => {
                store::revoke_refresh(conn, &hash)?;
                tracing::info!(pool = %row.pool_id, username = %row.username, "local pool: refresh token revoked");
                Ok(json!({}))
            }
            // RFC 7009: revoking an unknown token is not an error.
            None => Ok(json!({})),
        }
    })
}
