//! One session store for every kind of challenge Session: the PASSWORD_VERIFIER of an SRP
//! sign-in (plain or in a CUSTOM_AUTH flow), NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE, the
//! USER_AUTH steps, auto sign-in after SignUp / ConfirmSignUp, the MFA challenges and device SRP.
//!
//! A Session is `base64url(prefix byte ‖ 48 random bytes)`; the store keeps its SHA-256 only.
//! The prefix names the family that issued it ([`Family`]): a Session of one family presented
//! where another is expected reads as unknown, exactly as when each family had a table of its
//! own. Each Session is single-use ([`spend`]); wrong answers can be counted
//! ([`count_wrong_answer`]); it is valid for the client's AuthSessionValidity ([`validity`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::RngCore;
use std::collections::HashMap;

use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

use super::access::{self, session_expired, session_used, sha256};
use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::store::{self, ClientRow, SessionRow};

/// Who issued a Session: the three families answer unknown Sessions each in their own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// PASSWORD_VERIFIER (plain or CUSTOM_AUTH) and NEW_PASSWORD_REQUIRED.
    Password,
    /// CUSTOM_CHALLENGE, the USER_AUTH steps and auto sign-in.
    Flow,
    /// SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA setup.
    Mfa,
}

impl Family {
    fn prefix(self) -> u8 {
        match self {
            Family::Password => 0x53,
            Family::Flow => 0x46,
            Family::Mfa => 0x4d,
        }
    }
}

/// What a Session is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    /// USER_SRP_AUTH (or USER_AUTH PASSWORD_SRP) waiting for the password claim.
    PasswordVerifier,
    /// The PASSWORD_VERIFIER of a CUSTOM_AUTH flow: DefineAuthChallenge follows the proof.
    CustomSrp,
    NewPasswordRequired,
    CustomChallenge,
    AutoSignIn,
    SelectChallenge,
    /// USER_AUTH asked for the password.
    Password,
    /// USER_AUTH asked for SRP_A.
    PasswordSrp,
    /// USER_AUTH's first-factor code by email.
    FirstFactorEmailOtp,
    /// USER_AUTH's first-factor code by SMS.
    FirstFactorSmsOtp,
    SmsMfa,
    /// EMAIL_OTP as a second factor.
    EmailMfa,
    SoftwareTokenMfa,
    SelectMfaType,
    MfaSetup,
    /// MFA setup after AssociateSoftwareToken, waiting for VerifySoftwareToken.
    MfaSetupTotp,
    /// MFA setup after VerifySoftwareToken, waiting for RespondToAuthChallenge MFA_SETUP.
    MfaSetupVerified,
    /// A remembered device asked for: waiting for DEVICE_SRP_AUTH (the device's SRP_A).
    DeviceSrpAuth,
    /// Device SRP started: waiting for DEVICE_PASSWORD_VERIFIER (the device's claim).
    DevicePasswordVerifier,
}

impl FlowKind {
    const ALL: &'static [FlowKind] = &[
        FlowKind::PasswordVerifier,
        FlowKind::CustomSrp,
        FlowKind::NewPasswordRequired,
        FlowKind::CustomChallenge,
        FlowKind::AutoSignIn,
        FlowKind::SelectChallenge,
        FlowKind::Password,
        FlowKind::PasswordSrp,
        FlowKind::FirstFactorEmailOtp,
        FlowKind::FirstFactorSmsOtp,
        FlowKind::SmsMfa,
        FlowKind::EmailMfa,
        FlowKind::SoftwareTokenMfa,
        FlowKind::SelectMfaType,
        FlowKind::MfaSetup,
        FlowKind::MfaSetupTotp,
        FlowKind::MfaSetupVerified,
        FlowKind::DeviceSrpAuth,
        FlowKind::DevicePasswordVerifier,
    ];

    /// The name the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::PasswordVerifier => "PASSWORD_VERIFIER",
            FlowKind::CustomSrp => "CUSTOM_SRP",
            FlowKind::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            FlowKind::CustomChallenge => "CUSTOM_CHALLENGE",
            FlowKind::AutoSignIn => "AUTO_SIGN_IN",
            FlowKind::SelectChallenge => "SELECT_CHALLENGE",
            FlowKind::Password => "PASSWORD",
            FlowKind::PasswordSrp => "PASSWORD_SRP",
            FlowKind::FirstFactorEmailOtp => "USER_AUTH_EMAIL_OTP",
            FlowKind::FirstFactorSmsOtp => "USER_AUTH_SMS_OTP",
            FlowKind::SmsMfa => "SMS_MFA",
            FlowKind::EmailMfa => "EMAIL_OTP",
            FlowKind::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            FlowKind::SelectMfaType => "SELECT_MFA_TYPE",
            FlowKind::MfaSetup => "MFA_SETUP",
            FlowKind::MfaSetupTotp => "MFA_SETUP_TOTP",
            FlowKind::MfaSetupVerified => "MFA_SETUP_VERIFIED",
            FlowKind::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            FlowKind::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
        }
    }

    pub fn parse(s: &str) -> Option<FlowKind> {
        FlowKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    pub fn family(self) -> Family {
        match self {
            FlowKind::PasswordVerifier | FlowKind::CustomSrp | FlowKind::NewPasswordRequired => {
                Family::Password
            }
            FlowKind::CustomChallenge
            | FlowKind::AutoSignIn
            | FlowKind::SelectChallenge
            | FlowKind::Password
            | FlowKind::PasswordSrp
            | FlowKind::FirstFactorEmailOtp
            | FlowKind::FirstFactorSmsOtp
            | FlowKind::DeviceSrpAuth
            | FlowKind::DevicePasswordVerifier => Family::Flow,
            FlowKind::SmsMfa
            | FlowKind::EmailMfa
            | FlowKind::SoftwareTokenMfa
            | FlowKind::SelectMfaType
            | FlowKind::MfaSetup
            | FlowKind::MfaSetupTotp
            | FlowKind::MfaSetupVerified => Family::Mfa,
        }
    }
}

/// A Session as found.
#[derive(Debug, Clone)]
pub struct Flow {
    pub session_hash: Vec<u8>,
    pub kind: FlowKind,
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    /// The kind's own state (JSON; `Null` when unreadable).
    pub state: Value,
    pub created: i64,
    pub used: bool,
}

impl Flow {
    fn from_row(row: SessionRow) -> Option<Flow> {
        Some(Flow {
            kind: FlowKind::parse(&row.kind)?,
            session_hash: row.session_hash,
            pool_id: row.pool_id,
            client_id: row.client_id,
            username: row.username,
            state: serde_json::from_str(&row.state).unwrap_or(Value::Null),
            created: row.created,
            used: row.used,
        })
    }
}

/// A new Session of `kind`: stored with `state` (and, for SRP, the hash of the SECRET_BLOCK
/// id), returned as the opaque string the client echoes.
#[allow(clippy::too_many_arguments)]
pub fn start(
    conn: &Connection,
    now: i64,
    kind: FlowKind,
    pool_id: &str,
    client_id: &str,
    username: &str,
    state: &Value,
    block_id: Option<&[u8]>,
) -> ApiResult<String> {
    let mut session = vec![kind.family().prefix()];
    let mut r = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut r);
    session.extend_from_slice(&r);
    store::insert_session(
        conn,
        &SessionRow {
            session_hash: sha256(&[&session]),
            block_hash: block_id.map(|id| sha256(&[id])),
            kind: kind.as_str().to_string(),
            pool_id: pool_id.to_string(),
            client_id: client_id.to_string(),
            username: username.to_string(),
            state: state.to_string(),
            created: now,
            used: false,
            attempts: 0,
        },
    )?;
    Ok(B64URL.encode(&session))
}

/// The Session a client sent, if `family` issued it (None for anything else).
pub fn find(conn: &Connection, session: &str, family: Family) -> ApiResult<Option<Flow>> {
    let encoded = match family {
        // The password family never trimmed what it was given.
        Family::Password => session.trim_end_matches('='),
        Family::Flow => session.trim().trim_end_matches('='),
        Family::Mfa if session.len() > 4096 => return Ok(None),
        Family::Mfa => session.trim().trim_end_matches('='),
    };
    let Ok(bytes) = B64URL.decode(encoded) else {
        return Ok(None);
    };
    if family != Family::Password && bytes.first() != Some(&family.prefix()) {
        return Ok(None);
    }
    Ok(store::session_by_hash(conn, &sha256(&[&bytes]))?
        .and_then(Flow::from_row)
        .filter(|f| f.kind.family() == family))
}

/// The SRP challenge a SECRET_BLOCK id names.
pub fn find_by_block(conn: &Connection, block_id: &[u8]) -> ApiResult<Option<Flow>> {
    Ok(store::session_by_block(conn, &sha256(&[block_id]))?
        .and_then(Flow::from_row)
        .filter(|f| f.kind.family() == Family::Password))
}

/// Spends a Session. An SRP challenge forgets its private exponent.
pub fn spend(conn: &Connection, flow: &Flow) -> ApiResult<()> {
    let mut state = flow.state.clone();
    if flow.kind.family() == Family::Password
        && let Some(o) = state.as_object_mut()
        && o.contains_key("b_priv")
    {
        o.insert("b_priv".into(), Value::String(String::new()));
    }
    store::spend_session(conn, &flow.session_hash, &state.to_string())
}

pub fn set_state(conn: &Connection, flow: &Flow, state: &Value) -> ApiResult<()> {
    store::set_session_state(conn, &flow.session_hash, &state.to_string())
}

/// Counts a wrong answer; the Session is spent once `max` wrong answers were given.
pub fn count_wrong_answer(conn: &Connection, flow: &Flow, max: i64) -> ApiResult<()> {
    store::count_wrong_answer(conn, &flow.session_hash, max)
}

/// The client's AuthSessionValidity in seconds.
pub fn validity(client: &ClientRow) -> i64 {
    i64::from(client.config.auth_session_validity.clamp(3, 15)) * 60
}

/// Checks a Session for a step of one of `kinds` on this client: unknown, foreign or stale
/// Sessions answer "session is expired", spent ones "can only be used once". Not spent.
pub fn take(
    ctx: &Ctx,
    conn: &Connection,
    session: Option<&str>,
    kinds: &[FlowKind],
    client: &ClientRow,
) -> ApiResult<Flow> {
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
    let row = find(conn, session, Family::Flow)?.ok_or_else(session_expired)?;
    if !kinds.contains(&row.kind)
        || row.pool_id != client.pool_id
        || row.client_id != client.client_id
    {
        return Err(session_expired());
    }
    if row.used {
        return Err(session_used());
    }
    if ctx.now() - row.created > validity(client) {
        spend(conn, &row)?;
        return Err(session_expired());
    }
    Ok(row)
}

/// An answer sent without its Session (pycognito's device SRP does so, and Cognito takes
/// it): the newest open Session of `kind` for `username` of this client. Not spent.
pub fn take_newest(
    ctx: &Ctx,
    conn: &Connection,
    kind: FlowKind,
    client: &ClientRow,
    username: &str,
) -> ApiResult<Flow> {
    let since = ctx.now() - validity(client);
    store::newest_open_session(
        conn,
        &client.pool_id,
        &client.client_id,
        username,
        kind.as_str(),
        since,
    )?
    .and_then(Flow::from_row)
    .ok_or_else(session_expired)
}

/// An answer sent without its Session, found by the id in its SECRET_BLOCK (a challenge of
/// `kind` started with that id). Not spent.
pub fn take_by_block(
    ctx: &Ctx,
    conn: &Connection,
    block_id: &[u8],
    kind: FlowKind,
    client: &ClientRow,
) -> ApiResult<Flow> {
    let row = store::session_by_block(conn, &sha256(&[block_id]))?
        .and_then(Flow::from_row)
        .filter(|f| f.kind == kind)
        .ok_or_else(session_expired)?;
    if row.pool_id != client.pool_id || row.client_id != client.client_id {
        return Err(session_expired());
    }
    if row.used {
        return Err(session_used());
    }
    if ctx.now() - row.created > validity(client) {
        spend(conn, &row)?;
        return Err(session_expired());
    }
    Ok(row)
}

/// A RespondToAuthChallenge request: the answer to a Session's challenge.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    pub client_id: Option<String>,
    pub challenge_name: Option<String>,
    pub session: Option<String>,
    #[serde(default)]
    pub challenge_responses: Option<HashMap<String, String>>,
    #[serde(default)]
    pub client_metadata: Option<Value>,
}

/// Checks that the `USERNAME` of a challenge response names the user of the Session.
pub fn check_username_matches(
    conn: &Connection,
    pool: &store::PoolRow,
    given: &str,
    expected: &str,
) -> ApiResult<()> {
    if given == expected {
        return Ok(());
    }
    match access::resolve_user(conn, pool, given)? {
        Some(u) if u.username == expected => Ok(()),
        _ => Err(ApiError::not_authorized("Invalid session for the user.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_families_have_distinct_prefixes() {
        for k in FlowKind::ALL {
            assert_eq!(FlowKind::parse(k.as_str()), Some(*k));
        }
        let mut names: Vec<&str> = FlowKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FlowKind::ALL.len());
        let p = [Family::Password, Family::Flow, Family::Mfa].map(Family::prefix);
        assert!(p[0] != p[1] && p[1] != p[2] && p[0] != p[2]);
    }

    #[test]
    fn old_session_tables_move_into_the_one_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE challenges (id_hash BLOB PRIMARY KEY, session_hash BLOB NOT NULL UNIQUE, \
                 pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL, \
                 a_pub TEXT NOT NULL, b_priv TEXT NOT NULL, b_pub TEXT NOT NULL, \
                 created INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
                 CREATE TABLE flow_sessions (session_hash BLOB PRIMARY KEY, kind TEXT NOT NULL, \
                 pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL, \
                 state TEXT NOT NULL, created INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
                 CREATE TABLE mfa_sessions (session_hash BLOB PRIMARY KEY, pool_id TEXT NOT NULL, \
                 client_id TEXT NOT NULL, username TEXT NOT NULL, kind TEXT NOT NULL, \
                 data TEXT NOT NULL, created INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0, \
                 attempts INTEGER NOT NULL DEFAULT 0);",
            )
            .unwrap();
            let srp = [0x53u8; 49];
            let flow = [0x46u8; 49];
            let mfa = [0x4du8; 49];
            conn.execute(
                "INSERT INTO challenges VALUES (?1, ?2, 'p', 'c', 'ann', 'aa', 'bb', 'cc', 5, 0)",
                rusqlite::params![sha256(&[b"id"]), sha256(&[&srp])],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO flow_sessions VALUES (?1, 'EMAIL_OTP', 'p', 'c', 'ann', '{\"code\":\"1\"}', 6, 0)",
                rusqlite::params![sha256(&[&flow])],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO mfa_sessions VALUES (?1, 'p', 'c', 'ann', 'SMS_MFA', '{}', 7, 0, 2)",
                rusqlite::params![sha256(&[&mfa])],
            )
            .unwrap();
        }
        let conn = store::open(&path).unwrap();
        let srp = find(&conn, &B64URL.encode([0x53u8; 49]), Family::Password)
            .unwrap()
            .unwrap();
        assert_eq!(srp.kind, FlowKind::PasswordVerifier);
        assert_eq!(srp.state["b_priv"], "bb");
        let by_block = find_by_block(&conn, b"id").unwrap().unwrap();
        assert_eq!(by_block.session_hash, srp.session_hash);
        let flow = find(&conn, &B64URL.encode([0x46u8; 49]), Family::Flow)
            .unwrap()
            .unwrap();
        assert_eq!(flow.kind, FlowKind::FirstFactorEmailOtp);
        assert_eq!(flow.state["code"], "1");
        let mfa = find(&conn, &B64URL.encode([0x4du8; 49]), Family::Mfa)
            .unwrap()
            .unwrap();
        assert_eq!(mfa.kind, FlowKind::SmsMfa);
        let stored = store::session_by_hash(&conn, &mfa.session_hash)
            .unwrap()
            .unwrap();
        assert_eq!(stored.attempts, 2);
        // A Session is only found by the family that issued it.
        assert!(
            find(&conn, &B64URL.encode([0x4du8; 49]), Family::Flow)
                .unwrap()
                .is_none()
        );
        spend(&conn, &srp).unwrap();
        let spent = find_by_block(&conn, b"id").unwrap().unwrap();
        assert!(spent.used);
        assert_eq!(spent.state["b_priv"], "");
        drop(conn);
        // Opening again changes nothing.
        let conn = store::open(&path).unwrap();
        assert!(find_by_block(&conn, b"id").unwrap().is_some());
    }
}
