//! The first factor of a password sign-in: checking a password against the stored SRP verifier
//! (USER_PASSWORD_AUTH, ChangePassword), starting SRP (the PASSWORD_VERIFIER challenge with
//! its SECRET_BLOCK) and checking the client's password claim (PROTOCOL.md §4.3). What comes
//! after a first factor that checked out is `next_step.rs`'s.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use rusqlite::Connection;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::access::{
    check_enabled, check_locked, check_secret_hash, hmac, legacy, param, record_failure,
    record_success, resolve_user, session_expired, session_used,
};
use super::cpu;
use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::flows::{self, Family, FlowKind};
use super::store::{self, ClientRow, PoolRow, UserRecord};
use super::verified::Credential;
use crate::srp::{self, BigUint};

/// Accepted clock skew of a PASSWORD_VERIFIER TIMESTAMP.
pub const TIMESTAMP_SKEW: i64 = 5 * 60;

const SECRET_BLOCK_VERSION: u8 = 1;

/// The salt of a user who signed up without a password (a random salt is never zero). Their
/// verifier is made from a random password nobody knows; setting a password replaces both.
pub const NO_PASSWORD_SALT: &str = "0";

/// The (salt, verifier) of a user without a password: [`NO_PASSWORD_SALT`] and the verifier of
/// 32 random bytes nobody ever sees, so every password sign-in of theirs fails as a wrong
/// password does; they sign in with a one-time code (USER_AUTH EMAIL_OTP / SMS_OTP) until they
/// set a password.
pub fn passwordless_verifier(pool_id: &str, username: &str) -> (String, String) {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let unknowable = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let salt = BigUint::default();
    let v = srp::compute_verifier(srp::pool_name(pool_id), username, &unknowable, &salt);
    (NO_PASSWORD_SALT.to_string(), srp::to_hex(&v))
}

/// Whether the user has a password of their own (not a passwordless sign-up's).
pub fn has_password(user: &UserRecord) -> bool {
    user.salt != NO_PASSWORD_SALT
}

/// Whether `password` is the user's: its verifier, recomputed with the stored salt, matches.
pub fn password_matches(pool: &PoolRow, user: &UserRecord, password: &str) -> ApiResult<bool> {
    let salt = srp::parse_hex(&user.salt, "salt")
        .map_err(|_| ApiError::internal("Internal error: corrupt verifier"))?;
    let candidate = srp::compute_verifier(
        srp::pool_name(&pool.pool_id),
        &user.username,
        password,
        &salt,
    );
    Ok(bool::from(
        srp::to_hex(&candidate)
            .as_bytes()
            .ct_eq(user.verifier.as_bytes()),
    ))
}

/// What was learnt about a USER_PASSWORD_AUTH password before the write transaction, so that
/// the exponentiation of the check runs outside the store's write lock.
#[derive(Default)]
pub struct Precheck {
    /// The full cost of a check was paid (also for an unknown user).
    paid: bool,
    /// The user checked, with the salt and verifier the answer holds for.
    checked: Option<(String, String, String, String, bool)>,
}

impl Precheck {
    fn answer_for(&self, user: &UserRecord) -> Option<bool> {
        let (pool_id, username, salt, verifier, matches) = self.checked.as_ref()?;
        (pool_id == &user.pool_id
            && username == &user.username
            && salt == &user.salt
            && verifier == &user.verifier)
            .then_some(*matches)
    }
}

/// Checks `PASSWORD` for `USERNAME` against what `conn` (a read snapshot) holds, remembering a
/// match ([`super::verified`]). An unknown user costs a check against a simulated verifier, so
/// its answer takes as long as a wrong password's.
pub fn precheck_password(
    ctx: &Ctx,
    pool: &PoolRow,
    user: Option<&UserRecord>,
    params: &HashMap<String, String>,
) -> ApiResult<Precheck> {
    let (Ok(name), Ok(password)) = (param(params, "USERNAME"), param(params, "PASSWORD")) else {
        return Ok(Precheck::default());
    };
    let Some(user) = user else {
        simulated_check(ctx, pool, name, password);
        return Ok(Precheck {
            paid: true,
            checked: None,
        });
    };
    let matches = remembered_or_checked(ctx, pool, user, password)?;
    Ok(Precheck {
        paid: true,
        checked: Some((
            user.pool_id.clone(),
            user.username.clone(),
            user.salt.clone(),
            user.verifier.clone(),
            matches,
        )),
    })
}

/// [`password_matches`], skipping the math for a password this process verified already.
fn remembered_or_checked(
    ctx: &Ctx,
    pool: &PoolRow,
    user: &UserRecord,
    password: &str,
) -> ApiResult<bool> {
    let credential = Credential {
        pool_id: &user.pool_id,
        username: &user.username,
        salt: &user.salt,
        verifier: &user.verifier,
    };
    if ctx.verified.knows(&credential, password) {
        return Ok(true);
    }
    let matches = cpu::run(|| password_matches(pool, user, password))?;
    if matches {
        ctx.verified.remember(&credential, password);
    }
    Ok(matches)
}

/// The work of a password check for a user that does not exist (its answer is thrown away).
fn simulated_check(ctx: &Ctx, pool: &PoolRow, name: &str, password: &str) {
    // The salt alone: a real check derives no verifier from x, only the candidate's.
    let salt = simulated_salt(&simulated_seed(ctx, pool, name));
    cpu::run(|| srp::compute_verifier(srp::pool_name(&pool.pool_id), name, password, &salt));
}

/// USER_PASSWORD_AUTH's check: `USERNAME` and `PASSWORD` (and SECRET_HASH) against the store,
/// counting failures towards the lockout. Returns the user whose password this is.
pub fn verify_password(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    params: &HashMap<String, String>,
) -> ApiResult<UserRecord> {
    verify_password_prechecked(ctx, conn, client, pool, params, &Precheck::default())
}

/// [`verify_password`] with the answer of a [`precheck_password`] (used while the user's salt
/// and verifier are still the ones it checked against).
pub fn verify_password_prechecked(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    params: &HashMap<String, String>,
    pre: &Precheck,
) -> ApiResult<UserRecord> {
    let name = param(params, "USERNAME")?;
    let password = param(params, "PASSWORD")?;
    let now = ctx.now();
    let Some(mut user) = resolve_user(conn, pool, name)? else {
        check_secret_hash(
            client,
            &[name],
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        if legacy(client) {
            return Err(ApiError::user_not_found());
        }
        // PreventUserExistenceErrors: as long as a wrong password of a real user.
        if !pre.paid {
            simulated_check(ctx, pool, name, password);
        }
        return Err(ApiError::incorrect_password());
    };
    check_secret_hash(
        client,
        &[name, &user.username],
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    check_locked(&mut user, now)?;
    check_enabled(&user)?;
    let matches = match pre.answer_for(&user) {
        Some(m) => m,
        None => remembered_or_checked(ctx, pool, &user, password)?,
    };
    if !matches {
        return Err(record_failure(conn, &mut user, now));
    }
    record_success(conn, &mut user)?;
    Ok(user)
}

/// A stable fake (salt, verifier, user id) for a user that does not exist, so SRP sign-in under
/// PreventUserExistenceErrors=ENABLED looks the same as for a real user.
fn simulated_user(ctx: &Ctx, pool: &PoolRow, name: &str) -> (BigUint, BigUint, String) {
    let seed = simulated_seed(ctx, pool, name);
    let x = BigUint::from_bytes_be(&seed[16..]);
    let v = srp::verifier_from_x(&x);
    let id = uuid::Builder::from_random_bytes(seed[..16].try_into().expect("16 bytes")).into_uuid();
    (simulated_salt(&seed), v, id.to_string())
}

fn simulated_seed(ctx: &Ctx, pool: &PoolRow, name: &str) -> [u8; 32] {
    hmac(
        &ctx.server_key,
        &[
            b"simulated-user",
            pool.pool_id.as_bytes(),
            b"\0",
            name.as_bytes(),
        ],
    )
}

fn simulated_salt(seed: &[u8; 32]) -> BigUint {
    BigUint::from_bytes_be(&seed[..16]).max(BigUint::from(1u8))
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

/// Starts SRP (`USERNAME`, `SRP_A`): the PASSWORD_VERIFIER challenge. `custom_auth` marks the
/// PASSWORD_VERIFIER of a CUSTOM_AUTH flow, which continues with DefineAuthChallenge once the
/// proof checks out ([`Verified::CustomAuth`]).
pub fn start_srp(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    params: &HashMap<String, String>,
    custom_auth: bool,
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
    let kind = if custom_auth {
        FlowKind::CustomSrp
    } else {
        FlowKind::PasswordVerifier
    };
    let state = json!({
        "a_pub": srp::to_hex(&a_pub),
        "b_priv": srp::to_hex(eph.private()),
        "b_pub": srp::to_hex(eph.public()),
    });
    let session = flows::start(
        conn,
        now,
        kind,
        &pool.pool_id,
        &client.client_id,
        &username,
        &state,
        Some(&id),
    )?;
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
        "Session": session,
        "ChallengeParameters": {
            "SALT": srp::to_hex(&salt),
            "SRP_B": srp::to_hex(eph.public()),
            "SECRET_BLOCK": B64.encode(&block),
            "USERNAME": user_id_for_srp,
            "USER_ID_FOR_SRP": user_id_for_srp,
        }
    }))
}

/// Whose password claim checked out, and in which flow.
#[derive(Debug)]
pub enum Verified {
    /// USER_SRP_AUTH (or USER_AUTH PASSWORD_SRP): the sign-in goes on to its next step.
    Password(UserRecord),
    /// The PASSWORD_VERIFIER of a CUSTOM_AUTH flow: DefineAuthChallenge decides what follows.
    CustomAuth(UserRecord),
}

/// RespondToAuthChallenge PASSWORD_VERIFIER: finds the challenge by Session and SECRET_BLOCK,
/// spends it, and checks the claim (and TIMESTAMP) against the user's verifier, counting
/// failures towards the lockout. Once the claim has been checked (either way), `side` holds
/// the server's side of the math, for the caller to publish after its transaction commits
/// (`srp_sides.rs`).
pub fn verify_password_claim(
    ctx: &Ctx,
    conn: &Connection,
    client: &ClientRow,
    pool: &PoolRow,
    session: Option<&str>,
    responses: &HashMap<String, String>,
    side: &mut Option<srp::ServerSrpSide>,
) -> ApiResult<Verified> {
    let name = param(responses, "USERNAME")?;
    let block_b64 = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = param(responses, "TIMESTAMP")?;
    let now = ctx.now();
    let validity = flows::validity(client);

    let by_session = match session.filter(|s| !s.is_empty()) {
        Some(s) => Some(flows::find(conn, s, Family::Password)?.ok_or_else(session_expired)?),
        None => None,
    };
    let block = B64.decode(block_b64.trim()).map_err(|_| {
        ApiError::invalid_parameter("PASSWORD_CLAIM_SECRET_BLOCK is not valid base64")
    })?;
    let from_block = if block.len() == 65 && block[0] == SECRET_BLOCK_VERSION {
        flows::find_by_block(conn, &block[1..33])?
    } else {
        None
    };
    let row = match (by_session, from_block) {
        (Some(s), Some(b)) if s.session_hash == b.session_hash => s,
        (Some(s), _) => {
            // The session is real but the block is not its own: spend the session anyway.
            if !s.used {
                flows::spend(conn, &s)?;
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
        flows::spend(conn, &row)?;
        return Err(session_expired());
    }
    flows::spend(conn, &row)?;

    let Some(mut user) = store::get_user(conn, &pool.pool_id, &row.username)? else {
        // A simulated challenge (PreventUserExistenceErrors): never succeeds.
        return Err(ApiError::incorrect_password());
    };
    check_secret_hash(
        client,
        &[name, &user.username],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    if name != user.username
        && resolve_user(conn, pool, name)?.map(|u| u.username) != Some(user.username.clone())
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
    let stored = |key: &str| {
        srp::parse_hex(row.state[key].as_str().unwrap_or(""), "stored value")
            .map_err(|_| ApiError::internal("Internal error: corrupt challenge state"))
    };
    let verifier = srp::parse_hex(&user.verifier, "stored value")
        .map_err(|_| ApiError::internal("Internal error: corrupt challenge state"))?;
    let checked = srp::server_check_claim(
        srp::pool_name(&pool.pool_id),
        &user.username,
        &verifier,
        &stored("a_pub")?,
        &stored("b_priv")?,
        &stored("b_pub")?,
        &block,
        timestamp,
        signature,
    )
    .ok();
    let verified = checked.as_ref().is_some_and(|s| s.signature_matched);
    *side = checked;
    if !verified {
        return Err(record_failure(conn, &mut user, now));
    }
    record_success(conn, &mut user)?;
    Ok(if row.kind == FlowKind::CustomSrp {
        Verified::CustomAuth(user)
    } else {
        Verified::Password(user)
    })
}
