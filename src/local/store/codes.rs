//! One-time codes, the outbox, per-user hourly limits and refresh tokens (stored as SHA-256
//! hashes).

use rusqlite::{Connection, OptionalExtension, params};

use crate::local::error::ApiResult;

#[derive(Debug, Clone)]
pub struct CodeRow {
    pub code: String,
    pub attribute: String,
    pub expires: i64,
    pub used: bool,
}

/// Stores the one current code for (user, purpose), replacing an older one.
#[allow(clippy::too_many_arguments)]
pub fn put_code(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    purpose: &str,
    code: &str,
    attribute: &str,
    now: i64,
    ttl: i64,
) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO codes (pool_id, username, purpose, code, attribute, created, expires, used) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
        params![pool_id, username, purpose, code, attribute, now, now + ttl],
    )?;
    Ok(())
}

pub fn get_code(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    purpose: &str,
) -> ApiResult<Option<CodeRow>> {
    Ok(conn
        .query_row(
            "SELECT code, attribute, expires, used FROM codes WHERE pool_id = ?1 AND username = ?2 AND purpose = ?3",
            params![pool_id, username, purpose],
            |r| {
                Ok(CodeRow {
                    code: r.get(0)?,
                    attribute: r.get(1)?,
                    expires: r.get(2)?,
                    used: r.get::<_, i64>(3)? != 0,
                })
            },
        )
        .optional()?)
}

pub fn mark_code_used(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    purpose: &str,
) -> ApiResult<()> {
    conn.execute(
        "UPDATE codes SET used = 1 WHERE pool_id = ?1 AND username = ?2 AND purpose = ?3",
        params![pool_id, username, purpose],
    )?;
    Ok(())
}

/// Writes one outbox entry and returns its row id.
pub fn push_outbox(conn: &Connection, e: &crate::cognito::types::OutboxEntry) -> ApiResult<i64> {
    conn.execute(
        "INSERT INTO outbox (pool_id, username, medium, destination, purpose, code, sent_at, \
         message, subject) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            e.pool_id,
            e.username,
            e.medium,
            e.destination,
            e.purpose,
            e.code,
            e.sent_at,
            e.message,
            e.subject
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Whether outbox entry `id` is there and carries `code`.
pub fn outbox_entry_is(conn: &Connection, id: i64, code: &str) -> ApiResult<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM outbox WHERE id = ?1 AND code = ?2",
        params![id, code],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Replaces the text of outbox entry `id` (and its subject, when `subject` is given): a
/// CustomMessage trigger's answer.
pub fn set_outbox_message(
    conn: &Connection,
    id: i64,
    message: &str,
    subject: Option<&str>,
) -> ApiResult<()> {
    conn.execute(
        "UPDATE outbox SET message = ?2, subject = COALESCE(?3, subject) WHERE id = ?1",
        params![id, message, subject],
    )?;
    Ok(())
}

/// Every outbox entry, oldest first.
pub fn read_outbox(conn: &Connection) -> ApiResult<Vec<crate::cognito::types::OutboxEntry>> {
    let mut st = conn.prepare(
        "SELECT pool_id, username, medium, destination, purpose, code, sent_at, message, subject \
         FROM outbox ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(crate::cognito::types::OutboxEntry {
            pool_id: r.get(0)?,
            username: r.get(1)?,
            medium: r.get(2)?,
            destination: r.get(3)?,
            purpose: r.get(4)?,
            code: r.get(5)?,
            sent_at: r.get(6)?,
            message: r.get(7)?,
            subject: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens (stored as SHA-256 hashes)

#[derive(Debug, Clone)]
pub struct RefreshRow {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub origin_jti: String,
    pub event_id: String,
    pub auth_time: i64,
    pub expires: i64,
    pub revoked: bool,
}

pub fn insert_refresh(conn: &Connection, hash: &[u8], r: &RefreshRow, now: i64) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO refresh_tokens (hash, pool_id, client_id, username, origin_jti, event_id, auth_time, created, expires, revoked) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)",
        params![
            hash,
            r.pool_id,
            r.client_id,
            r.username,
            r.origin_jti,
            r.event_id,
            r.auth_time,
            now,
            r.expires
        ],
    )?;
    Ok(())
}

const REFRESH_COLS: &str =
    "pool_id, client_id, username, origin_jti, event_id, auth_time, expires, revoked";

fn refresh_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RefreshRow> {
    Ok(RefreshRow {
        pool_id: r.get(0)?,
        client_id: r.get(1)?,
        username: r.get(2)?,
        origin_jti: r.get(3)?,
        event_id: r.get(4)?,
        auth_time: r.get(5)?,
        expires: r.get(6)?,
        revoked: r.get::<_, i64>(7)? != 0,
    })
}

pub fn refresh_by_hash(conn: &Connection, hash: &[u8]) -> ApiResult<Option<RefreshRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {REFRESH_COLS} FROM refresh_tokens WHERE hash = ?1"),
            params![hash],
            refresh_from_row,
        )
        .optional()?)
}

pub fn refresh_by_origin(conn: &Connection, origin_jti: &str) -> ApiResult<Option<RefreshRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {REFRESH_COLS} FROM refresh_tokens WHERE origin_jti = ?1"),
            params![origin_jti],
            refresh_from_row,
        )
        .optional()?)
}

pub fn revoke_refresh(conn: &Connection, hash: &[u8]) -> ApiResult<()> {
    conn.execute(
        "UPDATE refresh_tokens SET revoked = 1 WHERE hash = ?1",
        params![hash],
    )?;
    Ok(())
}

/// Revokes every refresh token (and so every access token) of a user.
pub fn revoke_user_tokens(conn: &Connection, pool_id: &str, username: &str) -> ApiResult<()> {
    conn.execute(
        "UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Per-user hourly limits

/// Records one `action` by a user unless `max` of them already happened within `window`
/// seconds; returns false (and records nothing) when the limit is reached.
pub fn rate_allow(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    action: &str,
    now: i64,
    window: i64,
    max: i64,
) -> ApiResult<bool> {
    conn.execute(
        "DELETE FROM rate_events WHERE pool_id = ?1 AND username = ?2 AND action = ?3 AND at <= ?4",
        params![pool_id, username, action, now - window],
    )?;
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM rate_events WHERE pool_id = ?1 AND username = ?2 AND action = ?3",
        params![pool_id, username, action],
        |r| r.get(0),
    )?;
    if n >= max {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO rate_events (pool_id, username, action, at) VALUES (?1, ?2, ?3, ?4)",
        params![pool_id, username, action, now],
    )?;
    Ok(true)
}

// Pending attribute values: with AttributesRequireVerificationBeforeUpdate, a new email or
// phone number waits here (the old one stays the user's) until its code is verified.

/// Keeps `value` as the pending new value of the user's attribute `name` (replacing an older one).
pub fn put_pending_attribute(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    name: &str,
    value: &str,
    now: i64,
) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO pending_attributes (pool_id, username, name, value, created) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![pool_id, username, name, value, now],
    )?;
    Ok(())
}

/// The pending new value of the user's attribute `name`, if any.
pub fn pending_attribute(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    name: &str,
) -> ApiResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM pending_attributes WHERE pool_id = ?1 AND username = ?2 AND name = ?3",
            params![pool_id, username, name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Drops the pending value of `name` (`None`: every pending value of the user).
pub fn drop_pending_attribute(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    name: Option<&str>,
) -> ApiResult<()> {
    match name {
        Some(n) => conn.execute(
            "DELETE FROM pending_attributes WHERE pool_id = ?1 AND username = ?2 AND name = ?3",
            params![pool_id, username, n],
        )?,
        None => conn.execute(
            "DELETE FROM pending_attributes WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username],
        )?,
    };
    Ok(())
}
