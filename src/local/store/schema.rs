//! Every table of the store, created on open (`IF NOT EXISTS`: additive, so stores made by
//! earlier versions gain the tables they lack), and the migrations of older stores.

use rusqlite::Connection;

use super::users::{USER_COLS, index_insert, user_from_row};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS pools (
    pool_id     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    created     INTEGER NOT NULL,
    modified    INTEGER NOT NULL,
    id_kid      TEXT NOT NULL,
    id_key      TEXT NOT NULL,
    access_kid  TEXT NOT NULL,
    access_key  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clients (
    client_id   TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES pools(pool_id),
    name        TEXT NOT NULL,
    secret      TEXT,
    config      TEXT NOT NULL,
    created     INTEGER NOT NULL,
    modified    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS clients_by_pool ON clients(pool_id, client_id);
CREATE TABLE IF NOT EXISTS users (
    pool_id          TEXT NOT NULL REFERENCES pools(pool_id),
    username         TEXT NOT NULL,
    sub              TEXT NOT NULL,
    status           TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    salt             TEXT NOT NULL,
    verifier         TEXT NOT NULL,
    attributes       TEXT NOT NULL,
    created          INTEGER NOT NULL,
    modified         INTEGER NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    last_failure     INTEGER,
    locked_until     INTEGER,
    PRIMARY KEY (pool_id, username)
);
CREATE TABLE IF NOT EXISTS pending_attributes (
    pool_id   TEXT NOT NULL,
    username  TEXT NOT NULL,
    name      TEXT NOT NULL,
    value     TEXT NOT NULL,
    created   INTEGER NOT NULL,
    PRIMARY KEY (pool_id, username, name)
);
CREATE TABLE IF NOT EXISTS codes (
    pool_id   TEXT NOT NULL,
    username  TEXT NOT NULL,
    purpose   TEXT NOT NULL,
    code      TEXT NOT NULL,
    attribute TEXT NOT NULL,
    created   INTEGER NOT NULL,
    expires   INTEGER NOT NULL,
    used      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, username, purpose)
);
CREATE TABLE IF NOT EXISTS outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id     TEXT NOT NULL,
    username    TEXT NOT NULL,
    medium      TEXT NOT NULL,
    destination TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    code        TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    message     TEXT,
    subject     TEXT
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash        BLOB PRIMARY KEY,
    pool_id     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    username    TEXT NOT NULL,
    origin_jti  TEXT NOT NULL UNIQUE,
    event_id    TEXT NOT NULL,
    auth_time   INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS refresh_by_user ON refresh_tokens(pool_id, username);
CREATE TABLE IF NOT EXISTS rate_events (
    pool_id   TEXT NOT NULL,
    username  TEXT NOT NULL,
    action    TEXT NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_by_user ON rate_events(pool_id, username, action, at);
CREATE TABLE IF NOT EXISTS user_index (
    pool_id  TEXT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (pool_id, name, value, username)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pool_user_counts (
    pool_id TEXT PRIMARY KEY,
    n       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pool_extras (
    pool_id        TEXT PRIMARY KEY,
    lambda_config  TEXT NOT NULL DEFAULT '{}',
    sign_in_policy TEXT NOT NULL DEFAULT '["PASSWORD"]'
);
CREATE TABLE IF NOT EXISTS user_groups (
    pool_id     TEXT NOT NULL,
    group_name  TEXT NOT NULL,
    description TEXT,
    role_arn    TEXT,
    precedence  INTEGER,
    created     INTEGER NOT NULL,
    modified    INTEGER NOT NULL,
    PRIMARY KEY (pool_id, group_name)
);
CREATE TABLE IF NOT EXISTS group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    username   TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS group_members_by_user ON group_members(pool_id, username, group_name);
CREATE TABLE IF NOT EXISTS pool_mfa (
    pool_id  TEXT PRIMARY KEY,
    config   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_mfa (
    pool_id        TEXT NOT NULL,
    sub            TEXT NOT NULL,
    sms_enabled    INTEGER NOT NULL DEFAULT 0,
    email_enabled  INTEGER NOT NULL DEFAULT 0,
    totp_enabled   INTEGER NOT NULL DEFAULT 0,
    preferred      TEXT,
    totp_secret    TEXT,
    pending_secret TEXT,
    device_name    TEXT,
    last_step      INTEGER,
    PRIMARY KEY (pool_id, sub)
);
CREATE TABLE IF NOT EXISTS pool_domains (
    domain        TEXT PRIMARY KEY,
    pool_id       TEXT NOT NULL,
    custom_config TEXT,
    login_version INTEGER,
    created       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pool_domains_by_pool ON pool_domains(pool_id);
CREATE TABLE IF NOT EXISTS resource_servers (
    pool_id    TEXT NOT NULL,
    identifier TEXT NOT NULL,
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
CREATE TABLE IF NOT EXISTS identity_providers (
    pool_id        TEXT NOT NULL,
    provider_name  TEXT NOT NULL,
    provider_type  TEXT NOT NULL,
    details        TEXT NOT NULL,
    mapping        TEXT NOT NULL,
    idp_identifiers TEXT NOT NULL,
    created        INTEGER NOT NULL,
    modified       INTEGER NOT NULL,
    PRIMARY KEY (pool_id, provider_name)
);
CREATE TABLE IF NOT EXISTS auth_sessions (
    session_hash BLOB PRIMARY KEY,
    block_hash   BLOB UNIQUE,
    kind         TEXT NOT NULL,
    pool_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    username     TEXT NOT NULL,
    state        TEXT NOT NULL,
    created      INTEGER NOT NULL,
    used         INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0
);
"#;

/// Brings stores made by earlier versions up to date.
fn migrate(conn: &Connection) -> anyhow::Result<()> {
    merge_session_tables(conn)?;
    add_outbox_message_columns(conn)?;
    let indexed: bool = conn
        .prepare("SELECT 1 FROM meta WHERE key = 'user_index_v1'")?
        .exists([])?;
    if !indexed {
        rebuild_user_index(conn)?;
    }
    Ok(())
}

/// Rebuilds the ListUsers side table and the per-pool user counts from the users table (a
/// store written by an earlier version has neither). One transaction.
fn rebuild_user_index(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> anyhow::Result<()> {
        conn.execute_batch("DELETE FROM user_index; DELETE FROM pool_user_counts;")?;
        let users = {
            let mut st = conn.prepare(&format!("SELECT {USER_COLS} FROM users"))?;
            let rows = st.query_map([], user_from_row)?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        for u in &users {
            index_insert(conn, u)?;
        }
        conn.execute(
            "INSERT INTO pool_user_counts (pool_id, n) SELECT pool_id, COUNT(*) FROM users GROUP BY pool_id",
            [],
        )?;
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('user_index_v1', X'01')",
            [],
        )?;
        Ok(())
    })();
    conn.execute_batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
    result
}

/// Outboxes written by earlier versions have no message text: the columns are added (empty for
/// the entries already there).
fn add_outbox_message_columns(conn: &Connection) -> anyhow::Result<()> {
    for column in ["message", "subject"] {
        let has: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('outbox') WHERE name = ?1")?
            .exists([column])?;
        if !has {
            conn.execute_batch(&format!("ALTER TABLE outbox ADD COLUMN {column} TEXT"))?;
        }
    }
    Ok(())
}

/// Creates every table and index, then migrates what an earlier version left behind.
pub(super) fn create_and_migrate(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch(SCHEMA)?;
    migrate(conn)
}

/// Stores made by earlier versions kept challenge Sessions in three tables (`challenges` for SRP and
/// NEW_PASSWORD_REQUIRED, `flow_sessions` for custom auth, USER_AUTH and auto sign-in,
/// `mfa_sessions` for MFA). Their rows move into `auth_sessions`, so a sign-in under way when
/// the pool was upgraded can still finish, and the old tables go. One transaction.
fn merge_session_tables(conn: &Connection) -> anyhow::Result<()> {
    let has = |table: &str| -> rusqlite::Result<bool> {
        conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
            .exists([table])
    };
    let (challenges, flows, mfa) = (
        has("challenges")?,
        has("flow_sessions")?,
        has("mfa_sessions")?,
    );
    if !(challenges || flows || mfa) {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> rusqlite::Result<()> {
        if challenges {
            let has_kind: bool = conn
                .prepare("SELECT 1 FROM pragma_table_info('challenges') WHERE name = 'kind'")?
                .exists([])?;
            let kind = if has_kind {
                "kind"
            } else {
                "'PASSWORD_VERIFIER'"
            };
            conn.execute_batch(&format!(
                "INSERT OR IGNORE INTO auth_sessions \
                 (session_hash, block_hash, kind, pool_id, client_id, username, state, created, used) \
                 SELECT session_hash, id_hash, {kind}, pool_id, client_id, username, \
                 json_object('a_pub', a_pub, 'b_priv', b_priv, 'b_pub', b_pub), created, used \
                 FROM challenges; DROP TABLE challenges;"
            ))?;
        }
        if flows {
            // USER_AUTH's first-factor codes are named apart from the MFA challenges now.
            conn.execute_batch(
                "INSERT OR IGNORE INTO auth_sessions \
                 (session_hash, kind, pool_id, client_id, username, state, created, used) \
                 SELECT session_hash, CASE kind WHEN 'EMAIL_OTP' THEN 'USER_AUTH_EMAIL_OTP' \
                 WHEN 'SMS_OTP' THEN 'USER_AUTH_SMS_OTP' ELSE kind END, \
                 pool_id, client_id, username, state, created, used FROM flow_sessions; \
                 DROP TABLE flow_sessions;",
            )?;
        }
        if mfa {
            conn.execute_batch(
                "INSERT OR IGNORE INTO auth_sessions \
                 (session_hash, kind, pool_id, client_id, username, state, created, used, attempts) \
                 SELECT session_hash, kind, pool_id, client_id, username, data, created, used, \
                 attempts FROM mfa_sessions; DROP TABLE mfa_sessions;",
            )?;
        }
        Ok(())
    })();
    conn.execute_batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
    Ok(result?)
}
