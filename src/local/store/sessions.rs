//! Challenge Sessions: one table for every kind (SRP, NEW_PASSWORD_REQUIRED, custom auth,
//! USER_AUTH steps, auto sign-in, MFA). Stored as SHA-256 hashes of the Session (and, for SRP,
//! of the SECRET_BLOCK id); the state of each kind is JSON that `flows.rs` reads.

use rusqlite::{Connection, OptionalExtension, params};

use crate::local::error::ApiResult;

/// One stored Session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub session_hash: Vec<u8>,
    /// SHA-256 of the SECRET_BLOCK id of an SRP challenge.
    pub block_hash: Option<Vec<u8>>,
    pub kind: String,
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    /// JSON.
    pub state: String,
    pub created: i64,
    pub used: bool,
    /// Wrong answers so far.
    pub attempts: i64,
}

const COLS: &str = "session_hash, block_hash, kind, pool_id, client_id, username, state, created, \
                    used, attempts";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        session_hash: r.get(0)?,
        block_hash: r.get(1)?,
        kind: r.get(2)?,
        pool_id: r.get(3)?,
        client_id: r.get(4)?,
        username: r.get(5)?,
        state: r.get(6)?,
        created: r.get(7)?,
        used: r.get::<_, i64>(8)? != 0,
        attempts: r.get(9)?,
    })
}

/// Stores a new Session, first dropping those older than a day (by then they only serve
/// "already used" answers).
pub fn insert_session(conn: &Connection, s: &SessionRow) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM auth_sessions WHERE created < ?1",
        params![s.created - 86400],
    )?;
    conn.execute(
        &format!(
            "INSERT INTO auth_sessions ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ),
        params![
            s.session_hash,
            s.block_hash,
            s.kind,
            s.pool_id,
            s.client_id,
            s.username,
            s.state,
            s.created,
            s.used as i64,
            s.attempts
        ],
    )?;
    Ok(())
}

pub fn session_by_hash(conn: &Connection, session_hash: &[u8]) -> ApiResult<Option<SessionRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM auth_sessions WHERE session_hash = ?1"),
            params![session_hash],
            from_row,
        )
        .optional()?)
}

pub fn session_by_block(conn: &Connection, block_hash: &[u8]) -> ApiResult<Option<SessionRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM auth_sessions WHERE block_hash = ?1"),
            params![block_hash],
            from_row,
        )
        .optional()?)
}

/// The newest unused Session of `kind` for `username` of a client, made at `since` or later:
/// how an answer sent without its Session (pycognito's device SRP) finds its challenge.
pub fn newest_open_session(
    conn: &Connection,
    pool_id: &str,
    client_id: &str,
    username: &str,
    kind: &str,
    since: i64,
) -> ApiResult<Option<SessionRow>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLS} FROM auth_sessions WHERE kind = ?1 AND pool_id = ?2 \
                 AND client_id = ?3 AND username = ?4 AND used = 0 AND created >= ?5 \
                 ORDER BY created DESC LIMIT 1"
            ),
            params![kind, pool_id, client_id, username, since],
            from_row,
        )
        .optional()?)
}

/// Marks a Session used and replaces its state (to forget what it no longer needs).
pub fn spend_session(conn: &Connection, session_hash: &[u8], state: &str) -> ApiResult<()> {
    conn.execute(
        "UPDATE auth_sessions SET used = 1, state = ?2 WHERE session_hash = ?1",
        params![session_hash, state],
    )?;
    Ok(())
}

pub fn set_session_state(conn: &Connection, session_hash: &[u8], state: &str) -> ApiResult<()> {
    conn.execute(
        "UPDATE auth_sessions SET state = ?2 WHERE session_hash = ?1",
        params![session_hash, state],
    )?;
    Ok(())
}

/// Counts a wrong answer; the Session is spent once `max` have been given.
pub fn count_wrong_answer(conn: &Connection, session_hash: &[u8], max: i64) -> ApiResult<()> {
    conn.execute(
        "UPDATE auth_sessions SET attempts = attempts + 1, \
         used = CASE WHEN attempts + 1 >= ?2 THEN 1 ELSE used END WHERE session_hash = ?1",
        params![session_hash, max],
    )?;
    Ok(())
}
