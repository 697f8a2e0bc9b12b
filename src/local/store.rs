//! The SQLite store of the embedded pool: pools, app clients, users (SRP verifiers only, never
//! passwords), codes, the outbox, challenge state and refresh tokens. WAL mode; one connection
//! behind a mutex held for one operation at a time (see `server.rs`).

use std::collections::BTreeMap;
use std::path::Path;

use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::policy::PasswordPolicy;

const SCHEMA: &str = r#"
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
    sent_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS challenges (
    id_hash      BLOB PRIMARY KEY,
    session_hash BLOB NOT NULL UNIQUE,
    pool_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    username     TEXT NOT NULL,
    a_pub        TEXT NOT NULL,
    b_priv       TEXT NOT NULL,
    b_pub        TEXT NOT NULL,
    created      INTEGER NOT NULL,
    used         INTEGER NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL DEFAULT 'PASSWORD_VERIFIER'
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
"#;

/// Opens (creating if needed) the store at `path`.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(super::ops_custom::SCHEMA)?;
    conn.execute_batch(super::ops_groups::SCHEMA)?;
    migrate(&conn)?;
    super::ops_mfa::migrate(&conn)?;
    Ok(conn)
}

/// Brings stores made by earlier versions up to date.
fn migrate(conn: &Connection) -> anyhow::Result<()> {
    let has_kind: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('challenges') WHERE name = 'kind'")?
        .exists([])?;
    if !has_kind {
        conn.execute_batch(
            "ALTER TABLE challenges ADD COLUMN kind TEXT NOT NULL DEFAULT 'PASSWORD_VERIFIER'",
        )?;
    }
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

/// The server-wide 32-byte key that authenticates SECRET_BLOCKs and derives simulated users;
/// created on first use and kept in the store.
pub fn server_key(conn: &Connection) -> anyhow::Result<[u8; 32]> {
    let existing: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = 'server_key'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(v) = existing
        && v.len() == 32
    {
        let mut k = [0u8; 32];
        k.copy_from_slice(&v);
        return Ok(k);
    }
    let mut k = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut k);
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('server_key', ?1)",
        params![k.to_vec()],
    )?;
    Ok(k)
}

// ---------------------------------------------------------------------------------------------
// Pools

/// Settings of a pool that CreateUserPool accepts and DescribeUserPool returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PoolConfig {
    pub password_policy: PasswordPolicy,
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    #[serde(default)]
    pub username_attributes: Vec<String>,
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    #[serde(default = "default_mfa")]
    pub mfa_configuration: String,
    #[serde(default = "default_deletion_protection")]
    pub deletion_protection: String,
    /// Standard attributes the pool's schema marks `Required` (fixed at CreateUserPool):
    /// SignUp must give them, and NEW_PASSWORD_REQUIRED asks for those a user lacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_attributes: Vec<String>,
}

fn default_mfa() -> String {
    "OFF".into()
}
fn default_deletion_protection() -> String {
    "INACTIVE".into()
}

#[derive(Debug, Clone)]
pub struct PoolRow {
    pub pool_id: String,
    pub name: String,
    pub config: PoolConfig,
    pub created: i64,
    pub modified: i64,
    pub id_kid: String,
    pub id_key_pem: String,
    pub access_kid: String,
    pub access_key_pem: String,
}

fn pool_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PoolRow> {
    let config: String = r.get(2)?;
    Ok(PoolRow {
        pool_id: r.get(0)?,
        name: r.get(1)?,
        config: serde_json::from_str(&config).unwrap_or_default(),
        created: r.get(3)?,
        modified: r.get(4)?,
        id_kid: r.get(5)?,
        id_key_pem: r.get(6)?,
        access_kid: r.get(7)?,
        access_key_pem: r.get(8)?,
    })
}

const POOL_COLS: &str =
    "pool_id, name, config, created, modified, id_kid, id_key, access_kid, access_key";

pub fn insert_pool(conn: &Connection, p: &PoolRow) -> ApiResult<()> {
    conn.execute(
        &format!("INSERT INTO pools ({POOL_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        params![
            p.pool_id,
            p.name,
            serde_json::to_string(&p.config).map_err(|e| ApiError::internal(e.to_string()))?,
            p.created,
            p.modified,
            p.id_kid,
            p.id_key_pem,
            p.access_kid,
            p.access_key_pem
        ],
    )?;
    Ok(())
}

pub fn get_pool(conn: &Connection, pool_id: &str) -> ApiResult<Option<PoolRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {POOL_COLS} FROM pools WHERE pool_id = ?1"),
            params![pool_id],
            pool_from_row,
        )
        .optional()?)
}

/// The pool, or Cognito's ResourceNotFoundException.
pub fn require_pool(conn: &Connection, pool_id: &str) -> ApiResult<PoolRow> {
    get_pool(conn, pool_id)?
        .ok_or_else(|| ApiError::resource_not_found(format!("User pool {pool_id} does not exist.")))
}

/// Pools whose signing keys are still to be generated (empty key columns).
pub fn pools_without_keys(conn: &Connection) -> ApiResult<Vec<String>> {
    let mut st = conn.prepare("SELECT pool_id FROM pools WHERE id_key = '' OR access_key = ''")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn set_pool_keys(
    conn: &Connection,
    pool_id: &str,
    id: &(String, String),
    access: &(String, String),
) -> ApiResult<()> {
    conn.execute(
        // Only fills keys that are still missing: another process sharing the store may have
        // generated them first, and tokens must keep verifying everywhere.
        "UPDATE pools SET id_kid = ?2, id_key = ?3, access_kid = ?4, access_key = ?5 \
         WHERE pool_id = ?1 AND (id_key = '' OR access_key = '')",
        params![pool_id, id.0, id.1, access.0, access.1],
    )?;
    Ok(())
}

pub fn list_pools(conn: &Connection) -> ApiResult<Vec<PoolRow>> {
    let mut st = conn.prepare(&format!("SELECT {POOL_COLS} FROM pools ORDER BY pool_id"))?;
    let rows = st.query_map([], pool_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

// ---------------------------------------------------------------------------------------------
// App clients

/// App-client settings (UserPoolClientType members the pool enforces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    pub explicit_auth_flows: Vec<String>,
    /// `LEGACY` or `ENABLED`.
    pub prevent_user_existence_errors: String,
    pub enable_token_revocation: bool,
    /// Minutes a challenge Session stays valid (3..=15).
    pub auth_session_validity: u32,
    /// Seconds.
    pub access_token_validity: i64,
    /// Seconds.
    pub id_token_validity: i64,
    /// Seconds.
    pub refresh_token_validity: i64,
    #[serde(default)]
    pub read_attributes: Vec<String>,
    #[serde(default)]
    pub write_attributes: Vec<String>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            explicit_auth_flows: vec![
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_CUSTOM_AUTH".into(),
            ],
            prevent_user_existence_errors: "LEGACY".into(),
            enable_token_revocation: true,
            auth_session_validity: 3,
            access_token_validity: 3600,
            id_token_validity: 3600,
            refresh_token_validity: 30 * 86400,
            read_attributes: vec![],
            write_attributes: vec![],
        }
    }
}

impl ClientConfig {
    /// Whether the client allows `flow` (an InitiateAuth AuthFlow value), honouring the legacy
    /// ExplicitAuthFlows names.
    pub fn allows(&self, flow: &str) -> bool {
        let has = |f: &str| self.explicit_auth_flows.iter().any(|x| x == f);
        match flow {
            "USER_SRP_AUTH" => {
                has("ALLOW_USER_SRP_AUTH") || (!has("CUSTOM_AUTH_FLOW_ONLY") && self.legacy_only())
            }
            "USER_PASSWORD_AUTH" => has("ALLOW_USER_PASSWORD_AUTH") || has("USER_PASSWORD_AUTH"),
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                has("ALLOW_REFRESH_TOKEN_AUTH") || self.legacy_only()
            }
            "CUSTOM_AUTH" => has("ALLOW_CUSTOM_AUTH") || has("CUSTOM_AUTH_FLOW_ONLY"),
            "USER_AUTH" => has("ALLOW_USER_AUTH"),
            _ => false,
        }
    }

    /// Legacy (non-ALLOW_) lists implicitly allow SRP and refresh.
    fn legacy_only(&self) -> bool {
        !self
            .explicit_auth_flows
            .iter()
            .any(|f| f.starts_with("ALLOW_"))
    }
}

#[derive(Debug, Clone)]
pub struct ClientRow {
    pub client_id: String,
    pub pool_id: String,
    pub name: String,
    pub secret: Option<String>,
    pub config: ClientConfig,
    pub created: i64,
    pub modified: i64,
}

const CLIENT_COLS: &str = "client_id, pool_id, name, secret, config, created, modified";

fn client_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClientRow> {
    let config: String = r.get(4)?;
    Ok(ClientRow {
        client_id: r.get(0)?,
        pool_id: r.get(1)?,
        name: r.get(2)?,
        secret: r.get(3)?,
        config: serde_json::from_str(&config).unwrap_or_default(),
        created: r.get(5)?,
        modified: r.get(6)?,
    })
}

pub fn insert_client(conn: &Connection, c: &ClientRow) -> ApiResult<()> {
    conn.execute(
        &format!("INSERT INTO clients ({CLIENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            c.client_id,
            c.pool_id,
            c.name,
            c.secret,
            serde_json::to_string(&c.config).map_err(|e| ApiError::internal(e.to_string()))?,
            c.created,
            c.modified
        ],
    )?;
    Ok(())
}

pub fn get_client(conn: &Connection, client_id: &str) -> ApiResult<Option<ClientRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {CLIENT_COLS} FROM clients WHERE client_id = ?1"),
            params![client_id],
            client_from_row,
        )
        .optional()?)
}

/// The client, or Cognito's ResourceNotFoundException.
pub fn require_client(conn: &Connection, client_id: &str) -> ApiResult<ClientRow> {
    get_client(conn, client_id)?.ok_or_else(|| {
        ApiError::resource_not_found(format!("User pool client {client_id} does not exist."))
    })
}

pub fn list_clients(conn: &Connection, pool_id: &str) -> ApiResult<Vec<ClientRow>> {
    let mut st = conn.prepare(&format!(
        "SELECT {CLIENT_COLS} FROM clients WHERE pool_id = ?1 ORDER BY client_id"
    ))?;
    let rows = st.query_map(params![pool_id], client_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

// ---------------------------------------------------------------------------------------------
// Users

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub pool_id: String,
    pub username: String,
    pub sub: String,
    pub status: String,
    pub enabled: bool,
    /// Hex of the SRP salt.
    pub salt: String,
    /// Hex of the SRP verifier v = g^x mod N.
    pub verifier: String,
    /// Attributes other than `sub`.
    pub attributes: BTreeMap<String, String>,
    pub created: i64,
    pub modified: i64,
    pub failed_attempts: i64,
    pub last_failure: Option<i64>,
    pub locked_until: Option<i64>,
}

impl UserRecord {
    /// All attributes as Cognito lists them, `sub` first.
    pub fn attribute_list(&self) -> Vec<(String, String)> {
        let mut out = vec![("sub".to_string(), self.sub.clone())];
        out.extend(self.attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }
}

const USER_COLS: &str = "pool_id, username, sub, status, enabled, salt, verifier, attributes, \
                         created, modified, failed_attempts, last_failure, locked_until";

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    let attrs: String = r.get(7)?;
    Ok(UserRecord {
        pool_id: r.get(0)?,
        username: r.get(1)?,
        sub: r.get(2)?,
        status: r.get(3)?,
        enabled: r.get::<_, i64>(4)? != 0,
        salt: r.get(5)?,
        verifier: r.get(6)?,
        attributes: serde_json::from_str(&attrs).unwrap_or_default(),
        created: r.get(8)?,
        modified: r.get(9)?,
        failed_attempts: r.get(10)?,
        last_failure: r.get(11)?,
        locked_until: r.get(12)?,
    })
}

pub fn insert_user(conn: &Connection, u: &UserRecord) -> ApiResult<()> {
    let mut st = conn.prepare_cached(INSERT_USER_SQL)?;
    st.execute(params![
        u.pool_id,
        u.username,
        u.sub,
        u.status,
        u.enabled as i64,
        u.salt,
        u.verifier,
        serde_json::to_string(&u.attributes).map_err(|e| ApiError::internal(e.to_string()))?,
        u.created,
        u.modified,
        u.failed_attempts,
        u.last_failure,
        u.locked_until
    ])?;
    index_insert(conn, u)?;
    bump_user_count(conn, &u.pool_id, 1)?;
    Ok(())
}

const INSERT_USER_SQL: &str = "INSERT INTO users (pool_id, username, sub, status, enabled, salt, \
     verifier, attributes, created, modified, failed_attempts, last_failure, locked_until) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

/// Writes back every mutable column of a user (and its ListUsers index entries).
pub fn update_user(conn: &Connection, u: &UserRecord) -> ApiResult<()> {
    let old = get_user(conn, &u.pool_id, &u.username)?;
    conn.execute(
        "UPDATE users SET status = ?3, enabled = ?4, salt = ?5, verifier = ?6, attributes = ?7, \
         modified = ?8, failed_attempts = ?9, last_failure = ?10, locked_until = ?11 \
         WHERE pool_id = ?1 AND username = ?2",
        params![
            u.pool_id,
            u.username,
            u.status,
            u.enabled as i64,
            u.salt,
            u.verifier,
            serde_json::to_string(&u.attributes).map_err(|e| ApiError::internal(e.to_string()))?,
            u.modified,
            u.failed_attempts,
            u.last_failure,
            u.locked_until
        ],
    )?;
    if let Some(old) = old {
        let before = index_entries(&old);
        let after = index_entries(u);
        if before != after {
            index_delete(conn, &old)?;
            index_insert(conn, u)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The ListUsers side table: one row per (user, searchable attribute) with the value as the
// filter compares it, so `=` and `^=` are index range scans instead of a pass over every user.

/// The attributes ListUsers can filter on (PROTOCOL.md §2.4). `username` is served by the
/// users table's own key.
pub use crate::cognito::types::SEARCHABLE_ATTRIBUTES;

/// Whether a filter on `attribute` ignores case: every searchable attribute does except
/// `username` and `status` (the API reference marks those two case-sensitive, and the
/// developer guide says the other searches are case-insensitive).
pub fn search_folds_case(attribute: &str) -> bool {
    attribute != "username" && attribute != "status"
}

/// A value as the side table stores it (and a filter value as it is compared).
pub fn search_key(attribute: &str, value: &str) -> String {
    if search_folds_case(attribute) {
        value.to_lowercase()
    } else {
        value.to_string()
    }
}

/// The user attributes the side table holds (besides sub and the two statuses).
const INDEXED_ATTRIBUTES: &[&str] = &[
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
];

/// The side-table entries of a user: (attribute, value as compared).
fn index_entries(u: &UserRecord) -> Vec<(&'static str, String)> {
    let mut out = Vec::with_capacity(9);
    for &attr in INDEXED_ATTRIBUTES {
        if let Some(v) = u.attributes.get(attr) {
            out.push((attr, search_key(attr, v)));
        }
    }
    out.push(("sub", search_key("sub", &u.sub)));
    out.push((
        "cognito:user_status",
        search_key("cognito:user_status", &u.status),
    ));
    out.push((
        "status",
        if u.enabled { "Enabled" } else { "Disabled" }.to_string(),
    ));
    out
}

fn index_insert(conn: &Connection, u: &UserRecord) -> ApiResult<()> {
    let mut st = conn.prepare_cached(
        "INSERT OR IGNORE INTO user_index (pool_id, name, value, username) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (name, value) in index_entries(u) {
        st.execute(params![u.pool_id, name, value, u.username])?;
    }
    Ok(())
}

fn index_delete(conn: &Connection, u: &UserRecord) -> ApiResult<()> {
    let mut st = conn.prepare_cached(
        "DELETE FROM user_index WHERE pool_id = ?1 AND name = ?2 AND value = ?3 AND username = ?4",
    )?;
    for (name, value) in index_entries(u) {
        st.execute(params![u.pool_id, name, value, u.username])?;
    }
    Ok(())
}

fn bump_user_count(conn: &Connection, pool_id: &str, delta: i64) -> ApiResult<()> {
    let mut st = conn.prepare_cached(
        "INSERT INTO pool_user_counts (pool_id, n) VALUES (?1, max(?2, 0)) \
         ON CONFLICT(pool_id) DO UPDATE SET n = max(n + ?2, 0)",
    )?;
    st.execute(params![pool_id, delta])?;
    Ok(())
}

/// Inserts many users at once (the caller holds a transaction): one prepared statement for
/// the rows, one for their index entries, and one count update; rows go in key order so each
/// B-tree is written page by page instead of all over. Users whose username is taken already
/// are skipped; returns how many were inserted.
pub fn insert_users_bulk(conn: &Connection, users: &[UserRecord]) -> ApiResult<usize> {
    let mut ins =
        conn.prepare_cached(&INSERT_USER_SQL.replacen("INSERT", "INSERT OR IGNORE", 1))?;
    let mut idx = conn.prepare_cached(
        "INSERT OR IGNORE INTO user_index (pool_id, name, value, username) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut order: Vec<&UserRecord> = users.iter().collect();
    order.sort_by(|a, b| (&a.pool_id, &a.username).cmp(&(&b.pool_id, &b.username)));
    let mut per_pool: BTreeMap<&str, i64> = BTreeMap::new();
    let mut entries: Vec<(&str, &'static str, String, &str)> = Vec::with_capacity(users.len() * 9);
    for u in order {
        let n = ins.execute(params![
            u.pool_id,
            u.username,
            u.sub,
            u.status,
            u.enabled as i64,
            u.salt,
            u.verifier,
            serde_json::to_string(&u.attributes).map_err(|e| ApiError::internal(e.to_string()))?,
            u.created,
            u.modified,
            u.failed_attempts,
            u.last_failure,
            u.locked_until
        ])?;
        if n == 0 {
            continue;
        }
        for (name, value) in index_entries(u) {
            entries.push((&u.pool_id, name, value, &u.username));
        }
        *per_pool.entry(&u.pool_id).or_default() += 1;
    }
    entries.sort_unstable();
    for (pool, name, value, username) in &entries {
        idx.execute(params![pool, name, value, username])?;
    }
    let inserted = per_pool.values().sum::<i64>() as usize;
    for (pool, n) in per_pool {
        bump_user_count(conn, pool, n)?;
    }
    Ok(inserted)
}

/// Where a ListUsers page starts: after this (value, username) of the order it walks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    /// The compared value of the last row (empty when walking by username).
    pub value: String,
    pub username: String,
}

/// One ListUsers query: the users of a pool, optionally those whose `attribute` equals
/// `value` or starts with it (`prefix`), `limit` of them after `after`, in a stable order:
/// by username without a filter or with a username filter, else by (value, username). Returns
/// the users with the cursor of each.
pub fn search_users(
    conn: &Connection,
    pool_id: &str,
    filter: Option<(&str, &str, bool)>,
    after: Option<&PageCursor>,
    limit: usize,
) -> ApiResult<Vec<(UserRecord, PageCursor)>> {
    use rusqlite::types::Value as Sql;
    // The SQL is built from fixed pieces (values are always bound), so each shape of query is
    // one cached statement whose WHERE is a plain index range.
    let mut args: Vec<Sql> = vec![Sql::Text(pool_id.to_string())];
    let arg = |v: Sql, args: &mut Vec<Sql>| -> String {
        args.push(v);
        format!("?{}", args.len())
    };
    let by_username = matches!(filter, None | Some(("username", _, _)));
    let (sql, key) = if by_username {
        let mut sql = format!("SELECT {USER_COLS} FROM users WHERE pool_id = ?1");
        let mut key = None;
        if let Some((_, v, prefix)) = filter {
            if prefix {
                sql += &format!(" AND username >= {}", arg(Sql::Text(v.into()), &mut args));
                if let Some(hi) = prefix_successor(v) {
                    sql += &format!(" AND username < {}", arg(Sql::Text(hi), &mut args));
                }
                key = Some(v.to_string());
            } else {
                sql += &format!(" AND username = {}", arg(Sql::Text(v.into()), &mut args));
            }
        }
        if let Some(c) = after {
            sql += &format!(
                " AND username > {}",
                arg(Sql::Text(c.username.clone()), &mut args)
            );
        }
        sql += &format!(
            " ORDER BY username LIMIT {}",
            arg(Sql::Integer(limit as i64), &mut args)
        );
        (sql, key)
    } else {
        let Some((attribute, value, prefix)) = filter else {
            unreachable!("checked above")
        };
        let cols = USER_COLS
            .split(',')
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let key = search_key(attribute, value);
        let mut sql = format!(
            "SELECT {cols}, i.value FROM user_index i \
             JOIN users u ON u.pool_id = i.pool_id AND u.username = i.username \
             WHERE i.pool_id = ?1 AND i.name = {}",
            arg(Sql::Text(attribute.into()), &mut args)
        );
        if prefix {
            sql += &format!(" AND i.value >= {}", arg(Sql::Text(key.clone()), &mut args));
            if let Some(hi) = prefix_successor(&key) {
                sql += &format!(" AND i.value < {}", arg(Sql::Text(hi), &mut args));
            }
        } else {
            sql += &format!(" AND i.value = {}", arg(Sql::Text(key.clone()), &mut args));
        }
        if let Some(c) = after {
            let v = arg(Sql::Text(c.value.clone()), &mut args);
            let u = arg(Sql::Text(c.username.clone()), &mut args);
            sql += &format!(" AND (i.value, i.username) > ({v}, {u})");
        }
        sql += &format!(
            " ORDER BY i.value, i.username LIMIT {}",
            arg(Sql::Integer(limit as i64), &mut args)
        );
        (sql, prefix.then_some(key))
    };
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        let u = user_from_row(r)?;
        let v: String = if by_username {
            String::new()
        } else {
            r.get(13)?
        };
        Ok((u, v))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (u, v) = row?;
        // The range is exact for `=`; for `^=` it could only over-approximate at the top.
        let compared = if by_username { &u.username } else { &v };
        if let Some(k) = &key
            && !compared.starts_with(k.as_str())
        {
            continue;
        }
        let c = PageCursor {
            value: v,
            username: u.username.clone(),
        };
        out.push((u, c));
    }
    Ok(out)
}

/// The smallest string greater than every string that starts with `p` (None: no bound).
fn prefix_successor(p: &str) -> Option<String> {
    let mut chars: Vec<char> = p.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

pub fn get_user(conn: &Connection, pool_id: &str, username: &str) -> ApiResult<Option<UserRecord>> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLS} FROM users WHERE pool_id = ?1 AND username = ?2"),
            params![pool_id, username],
            user_from_row,
        )
        .optional()?)
}

/// Finds a user by one attribute value (used for email/phone usernames and aliases).
pub fn find_user_by_attribute(
    conn: &Connection,
    pool_id: &str,
    attribute: &str,
    value: &str,
) -> ApiResult<Option<UserRecord>> {
    if INDEXED_ATTRIBUTES.contains(&attribute) {
        // The side table narrows to the few users whose value matches without case; the
        // exact comparison happens here.
        let cols = USER_COLS
            .split(',')
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut st = conn.prepare_cached(&format!(
            "SELECT {cols} FROM user_index i JOIN users u \
             ON u.pool_id = i.pool_id AND u.username = i.username \
             WHERE i.pool_id = ?1 AND i.name = ?2 AND i.value = ?3 ORDER BY u.created"
        ))?;
        let rows = st.query_map(
            params![pool_id, attribute, search_key(attribute, value)],
            user_from_row,
        )?;
        for u in rows {
            let u = u?;
            if u.attributes.get(attribute).map(String::as_str) == Some(value) {
                return Ok(Some(u));
            }
        }
        return Ok(None);
    }
    let path = format!("$.\"{}\"", attribute.replace('"', ""));
    Ok(conn
        .query_row(
            &format!(
                "SELECT {USER_COLS} FROM users WHERE pool_id = ?1 AND json_extract(attributes, ?2) = ?3 \
                 ORDER BY created LIMIT 1"
            ),
            params![pool_id, path, value],
            user_from_row,
        )
        .optional()?)
}

pub fn user_exists_with_sub(conn: &Connection, pool_id: &str, sub: &str) -> ApiResult<bool> {
    let mut st = conn.prepare_cached(
        "SELECT u.sub FROM user_index i JOIN users u \
         ON u.pool_id = i.pool_id AND u.username = i.username \
         WHERE i.pool_id = ?1 AND i.name = 'sub' AND i.value = ?2",
    )?;
    let subs = st.query_map(params![pool_id, search_key("sub", sub)], |r| {
        r.get::<_, String>(0)
    })?;
    for s in subs {
        if s? == sub {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The number of users in a pool, from the count kept as users come and go (no scan).
pub fn count_users(conn: &Connection, pool_id: &str) -> ApiResult<i64> {
    Ok(conn
        .query_row(
            "SELECT n FROM pool_user_counts WHERE pool_id = ?1",
            params![pool_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------
// Codes and outbox

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

pub fn push_outbox(conn: &Connection, e: &crate::cognito::types::OutboxEntry) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO outbox (pool_id, username, medium, destination, purpose, code, sent_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.pool_id,
            e.username,
            e.medium,
            e.destination,
            e.purpose,
            e.code,
            e.sent_at
        ],
    )?;
    Ok(())
}

/// Every outbox entry, oldest first.
pub fn read_outbox(conn: &Connection) -> ApiResult<Vec<crate::cognito::types::OutboxEntry>> {
    let mut st = conn.prepare(
        "SELECT pool_id, username, medium, destination, purpose, code, sent_at FROM outbox ORDER BY id",
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
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

// ---------------------------------------------------------------------------------------------
// SRP challenges (the state a SECRET_BLOCK and a Session refer to)

#[derive(Debug, Clone)]
pub struct ChallengeRow {
    /// `PASSWORD_VERIFIER` or `NEW_PASSWORD_REQUIRED`.
    pub kind: String,
    pub id_hash: Vec<u8>,
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub a_pub: String,
    pub b_priv: String,
    pub b_pub: String,
    pub created: i64,
    pub used: bool,
}

pub fn insert_challenge(conn: &Connection, c: &ChallengeRow, session_hash: &[u8]) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO challenges (id_hash, session_hash, pool_id, client_id, username, a_pub, b_priv, b_pub, created, used, kind) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)",
        params![
            c.id_hash,
            session_hash,
            c.pool_id,
            c.client_id,
            c.username,
            c.a_pub,
            c.b_priv,
            c.b_pub,
            c.created,
            c.kind
        ],
    )?;
    Ok(())
}

fn challenge_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChallengeRow> {
    Ok(ChallengeRow {
        id_hash: r.get(0)?,
        pool_id: r.get(1)?,
        client_id: r.get(2)?,
        username: r.get(3)?,
        a_pub: r.get(4)?,
        b_priv: r.get(5)?,
        b_pub: r.get(6)?,
        created: r.get(7)?,
        used: r.get::<_, i64>(8)? != 0,
        kind: r.get(9)?,
    })
}

const CHALLENGE_COLS: &str =
    "id_hash, pool_id, client_id, username, a_pub, b_priv, b_pub, created, used, kind";

pub fn challenge_by_id(conn: &Connection, id_hash: &[u8]) -> ApiResult<Option<ChallengeRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {CHALLENGE_COLS} FROM challenges WHERE id_hash = ?1"),
            params![id_hash],
            challenge_from_row,
        )
        .optional()?)
}

pub fn challenge_by_session(
    conn: &Connection,
    session_hash: &[u8],
) -> ApiResult<Option<ChallengeRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {CHALLENGE_COLS} FROM challenges WHERE session_hash = ?1"),
            params![session_hash],
            challenge_from_row,
        )
        .optional()?)
}

/// Marks a challenge used and forgets its private exponent.
pub fn consume_challenge(conn: &Connection, id_hash: &[u8]) -> ApiResult<()> {
    conn.execute(
        "UPDATE challenges SET used = 1, b_priv = '' WHERE id_hash = ?1",
        params![id_hash],
    )?;
    Ok(())
}

/// Drops challenge rows older than a day (they only serve "already used" answers by then).
pub fn prune_challenges(conn: &Connection, now: i64) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM challenges WHERE created < ?1",
        params![now - 86400],
    )?;
    Ok(())
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

/// Deletes a user with its codes, index entries and group memberships, and revokes its
/// refresh (and so access) tokens.
pub fn delete_user(conn: &Connection, pool_id: &str, username: &str) -> ApiResult<()> {
    if let Some(old) = get_user(conn, pool_id, username)? {
        index_delete(conn, &old)?;
        let n = conn.execute(
            "DELETE FROM users WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username],
        )?;
        bump_user_count(conn, pool_id, -(n as i64))?;
    }
    super::ops_groups::remove_user_memberships(conn, pool_id, username)?;
    conn.execute(
        "DELETE FROM codes WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    conn.execute(
        "DELETE FROM rate_events WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    revoke_user_tokens(conn, pool_id, username)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, email: &str, status: &str, enabled: bool) -> UserRecord {
        UserRecord {
            pool_id: "us-east-1_t".into(),
            username: name.into(),
            sub: format!("SUB-{name}"),
            status: status.into(),
            enabled,
            salt: String::new(),
            verifier: String::new(),
            attributes: BTreeMap::from([("email".to_string(), email.to_string())]),
            created: 0,
            modified: 0,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        }
    }

    #[test]
    fn prefix_successor_bounds_exactly_the_strings_with_the_prefix() {
        assert_eq!(prefix_successor("ann").as_deref(), Some("ano"));
        assert_eq!(prefix_successor("").as_deref(), None);
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
        for s in ["ann", "anna", "ann\u{10FFFF}x", "annz"] {
            let hi = prefix_successor("ann").unwrap();
            assert!(s >= "ann" && s < hi.as_str(), "{s}");
        }
        assert!("ano" >= prefix_successor("ann").unwrap().as_str());
    }

    #[test]
    fn the_search_index_follows_inserts_updates_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("t.db")).unwrap();
        conn.execute(
            "INSERT INTO pools (pool_id, name, config, created, modified, id_kid, id_key, access_kid, access_key) \
             VALUES ('us-east-1_t', 't', '{}', 0, 0, '', '', '', '')",
            [],
        )
        .unwrap();
        let pool = "us-east-1_t";
        insert_user(&conn, &user("ann", "Ann@Example.com", "CONFIRMED", true)).unwrap();
        insert_users_bulk(
            &conn,
            &[
                user("bob", "bob@example.com", "UNCONFIRMED", false),
                user("ann", "dup@example.com", "CONFIRMED", true),
            ],
        )
        .unwrap();
        assert_eq!(count_users(&conn, pool).unwrap(), 2);
        let names = |f: Option<(&str, &str, bool)>| -> Vec<String> {
            search_users(&conn, pool, f, None, 10)
                .unwrap()
                .into_iter()
                .map(|(u, _)| u.username)
                .collect()
        };
        assert_eq!(names(None), ["ann", "bob"]);
        assert_eq!(names(Some(("email", "ANN@", true))), ["ann"]);
        assert_eq!(
            names(Some(("email", "dup@example.com", false))),
            [] as [&str; 0]
        );
        assert_eq!(names(Some(("status", "Disabled", false))), ["bob"]);
        assert_eq!(
            names(Some(("cognito:user_status", "unconfirmed", false))),
            ["bob"]
        );
        assert_eq!(names(Some(("sub", "sub-ann", false))), ["ann"]);
        assert_eq!(names(Some(("username", "b", true))), ["bob"]);

        let mut bob = get_user(&conn, pool, "bob").unwrap().unwrap();
        bob.enabled = true;
        bob.status = "CONFIRMED".into();
        bob.attributes
            .insert("email".into(), "robert@example.com".into());
        update_user(&conn, &bob).unwrap();
        assert_eq!(names(Some(("status", "Disabled", false))), [] as [&str; 0]);
        assert_eq!(names(Some(("email", "bob", true))), [] as [&str; 0]);
        assert_eq!(names(Some(("email", "rob", true))), ["bob"]);
        assert_eq!(
            find_user_by_attribute(&conn, pool, "email", "robert@example.com")
                .unwrap()
                .map(|u| u.username),
            Some("bob".into())
        );
        // Exact lookups stay exact even though the index folds case.
        assert!(
            find_user_by_attribute(&conn, pool, "email", "ROBERT@example.com")
                .unwrap()
                .is_none()
        );
        assert!(user_exists_with_sub(&conn, pool, "SUB-bob").unwrap());
        assert!(!user_exists_with_sub(&conn, pool, "sub-bob").unwrap());

        delete_user(&conn, pool, "bob").unwrap();
        assert_eq!(count_users(&conn, pool).unwrap(), 1);
        assert_eq!(names(Some(("email", "rob", true))), [] as [&str; 0]);
        let left: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM user_index WHERE username = 'bob'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);

        // A store from before the index: rebuilt on open.
        conn.execute_batch("DELETE FROM user_index; DELETE FROM pool_user_counts; DELETE FROM meta WHERE key = 'user_index_v1';")
            .unwrap();
        drop(conn);
        let conn = open(&dir.path().join("t.db")).unwrap();
        assert_eq!(count_users(&conn, pool).unwrap(), 1);
        let found = search_users(&conn, pool, Some(("email", "ann@", true)), None, 10).unwrap();
        assert_eq!(found.len(), 1);
    }
}
