//! Tokens: minting access and ID tokens (with the user's group claims), the sign-in result
//! (AuthenticationResult with a new refresh token), the refresh flow, and authorizing an
//! AccessToken.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::access::{check_enabled, check_secret_hash, required, sha256};
use super::cpu;
use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::extras::load_extras;
use super::hooks_auth;
use super::jwt::{self, TokenProblem};
use super::store::{self, ClientRow, GroupRow, PoolRow, RefreshRow, UserRecord};

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

/// The claims of a sign-in's or a refresh's access and ID tokens, not yet signed.
pub(crate) struct Claims {
    access: Value,
    id: Value,
    keys: std::sync::Arc<jwt::PoolKeys>,
}

impl Claims {
    /// Signs both tokens (RS256; run it outside the write transaction where possible).
    pub(crate) fn sign(&self) -> ApiResult<(String, String)> {
        Ok((
            self.keys.access.sign(&self.access)?,
            self.keys.id.sign(&self.id)?,
        ))
    }
}

/// The unsigned claims of the access and ID tokens of a sign-in or a refresh. `session` is the
/// refresh-token row they belong to (its origin_jti, event_id and auth_time carry over).
fn claims(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
    session: &RefreshRow,
) -> ApiResult<Claims> {
    let keys = ctx.pool_keys(conn, pool)?;
    let now = ctx.now();
    let iss = ctx.issuer(&pool.pool_id);
    let groups = group_claims(conn, &pool.pool_id, &user.username)?;
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
    Ok(Claims {
        access,
        id: Value::Object(id),
        keys,
    })
}

/// The token triggers of a pool (PreTokenGeneration, PostAuthentication) and what they are
/// told, kept with unsigned claims until the write transaction has committed.
pub(crate) struct TokenHooks {
    pool_id: String,
    client_id: String,
    user: UserRecord,
    pre_token: Option<(String, u8)>,
    post_auth: Option<String>,
}

impl TokenHooks {
    fn load(
        conn: &Connection,
        pool: &PoolRow,
        client: &ClientRow,
        user: &UserRecord,
    ) -> ApiResult<Self> {
        let extras = load_extras(conn, &pool.pool_id)?;
        let lambda = &extras.lambda;
        Ok(Self {
            pool_id: pool.pool_id.clone(),
            client_id: client.client_id.clone(),
            user: user.clone(),
            pre_token: lambda
                .command("PreTokenGeneration")
                .map(|v| (v.to_string(), lambda.pre_token_generation_version())),
            post_auth: lambda.command("PostAuthentication").map(str::to_string),
        })
    }

    /// Runs PreTokenGeneration on `claims` (trigger source `source`), then, for a sign-in,
    /// PostAuthentication.
    fn run(&self, ctx: &Ctx, source: &str, claims: &mut Claims, sign_in: bool) -> ApiResult<()> {
        let subject = hooks_auth::TokenSubject {
            pool_id: &self.pool_id,
            client_id: &self.client_id,
            user: &self.user,
            source,
        };
        if let Some((value, version)) = &self.pre_token {
            hooks_auth::pre_token_generation(
                ctx,
                value,
                *version,
                &subject,
                &mut claims.id,
                &mut claims.access,
            )?;
        }
        if sign_in && let Some(value) = &self.post_auth {
            hooks_auth::post_authentication(ctx, value, &subject)?;
        }
        Ok(())
    }
}

/// A sign-in decided and stored (its refresh token row written), its tokens not yet signed:
/// [`SignIn::finish`] runs the token triggers and signs them, best after the write
/// transaction has committed.
pub(crate) struct SignIn {
    claims: Claims,
    hooks: TokenHooks,
    refresh: String,
    expires_in: i64,
}

impl SignIn {
    /// The AuthenticationResult answer: PreTokenGeneration and PostAuthentication run, both
    /// tokens signed.
    pub(crate) fn finish(mut self, ctx: &Ctx) -> ApiResult<Value> {
        self.hooks.run(
            ctx,
            "TokenGeneration_Authentication",
            &mut self.claims,
            true,
        )?;
        let claims = &self.claims;
        let (access, id) = cpu::run(|| claims.sign())?;
        Ok(json!({
            "ChallengeParameters": {},
            "AuthenticationResult": {
                "AccessToken": access,
                "ExpiresIn": self.expires_in,
                "TokenType": "Bearer",
                "RefreshToken": self.refresh,
                "IdToken": id,
            }
        }))
    }
}

/// A full sign-in: a new refresh token stored, the access and ID tokens' claims made.
pub(crate) fn start_sign_in(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<SignIn> {
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
    let claims = claims(ctx, conn, pool, client, user, &row)?;
    tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: signed in");
    Ok(SignIn {
        claims,
        hooks: TokenHooks::load(conn, pool, client, user)?,
        refresh,
        expires_in: client.config.access_token_validity,
    })
}

/// A full sign-in result: new refresh token, access and ID tokens.
pub(crate) fn sign_in_result(
    ctx: &Ctx,
    conn: &Connection,
    pool: &PoolRow,
    client: &ClientRow,
    user: &UserRecord,
) -> ApiResult<Value> {
    start_sign_in(ctx, conn, pool, client, user)?.finish(ctx)
}

pub(crate) fn valid_refresh_shape(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 8192
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.".contains(&b))
}

/// A refresh checked, its new tokens not yet made: [`Refreshed::finish`] runs
/// PreTokenGeneration (`TokenGeneration_RefreshTokens`) and signs them, after the transaction.
pub(crate) struct Refreshed {
    claims: Claims,
    hooks: TokenHooks,
    expires_in: i64,
}

impl Refreshed {
    /// The AuthenticationResult of a refresh (no new refresh token: no rotation).
    pub(crate) fn finish(mut self, ctx: &Ctx) -> ApiResult<Value> {
        self.hooks.run(
            ctx,
            "TokenGeneration_RefreshTokens",
            &mut self.claims,
            false,
        )?;
        let claims = &self.claims;
        let (access, id) = cpu::run(|| claims.sign())?;
        Ok(json!({
            "AccessToken": access,
            "ExpiresIn": self.expires_in,
            "TokenType": "Bearer",
            "IdToken": id,
        }))
    }
}

/// Checks a refresh token for a client and makes the claims of new access and ID tokens (no
/// rotation: the refresh token stays the same, so the result carries none).
pub(crate) fn refresh_flow(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    token: &str,
    secret_hash: Option<(Option<&str>,)>,
) -> ApiResult<Refreshed> {
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
    Ok(Refreshed {
        claims: claims(ctx, conn, pool, client, &user, &row)?,
        hooks: TokenHooks::load(conn, pool, client, &user)?,
        expires_in: client.config.access_token_validity,
    })
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
    let keys = ctx.pool_keys(conn, &pool)?;
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
// Token claims

/// The group claims of a user's tokens: `cognito:groups` (both tokens) and, for the ID token,
/// `cognito:roles` (every member group's role) and `cognito:preferred_role` (the role of the
/// group with the lowest Precedence; none when tied groups name different roles). Empty when
/// the user is in no group.
pub struct GroupClaims {
    pub groups: Vec<String>,
    pub roles: Vec<String>,
    pub preferred_role: Option<String>,
}

fn group_claims(conn: &Connection, pool_id: &str, username: &str) -> ApiResult<GroupClaims> {
    let groups = store::groups_of_user(conn, pool_id, username)?;
    let mut roles: Vec<String> = Vec::new();
    for g in &groups {
        if let Some(r) = &g.role_arn
            && !roles.contains(r)
        {
            roles.push(r.clone());
        }
    }
    // Groups are ordered by precedence (None last), so the best with a role comes first.
    let with_role: Vec<&GroupRow> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let preferred_role = with_role.first().and_then(|best| {
        let tied: Vec<&&GroupRow> = with_role
            .iter()
            .filter(|g| g.precedence == best.precedence)
            .collect();
        if tied.iter().all(|g| g.role_arn == best.role_arn) {
            best.role_arn.clone()
        } else {
            None
        }
    });
    Ok(GroupClaims {
        groups: groups.into_iter().map(|g| g.group_name).collect(),
        roles,
        preferred_role,
    })
}
