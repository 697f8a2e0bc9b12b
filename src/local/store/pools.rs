//! Pools and app clients, with the settings each keeps as JSON.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::local::error::{ApiError, ApiResult};
use crate::local::policy::PasswordPolicy;
use crate::local::pool_settings::{MessageTemplates, RecoveryOption};
use crate::local::user_schema::SchemaAttribute;

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
    /// CUSTOM_AUTH without a DefineAuthChallenge trigger runs the built-in one-time code (the
    /// demo pool); elsewhere it is Cognito's error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub builtin_custom_challenge: bool,
    /// The schema entries the pool chose (standard attributes it configured, its custom
    /// attributes); see `user_schema::effective_schema` for the whole list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schema: Vec<SchemaAttribute>,
    /// `AccountRecoverySetting.RecoveryMechanisms`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_recovery: Option<Vec<RecoveryOption>>,
    /// The verification and authentication message templates.
    #[serde(default, skip_serializing_if = "MessageTemplates::is_empty")]
    pub messages: MessageTemplates,
    /// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`: a change of
    /// these (verified) attributes waits, pending, until the new value is verified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes_require_verification: Vec<String>,
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
    #[serde(default)]
    pub callback_urls: Vec<String>,
    #[serde(default)]
    pub logout_urls: Vec<String>,
    #[serde(default)]
    pub default_redirect_uri: Option<String>,
    #[serde(default)]
    pub allowed_oauth_flows: Vec<String>,
    #[serde(default)]
    pub allowed_oauth_scopes: Vec<String>,
    #[serde(default)]
    pub allowed_oauth_flows_user_pool_client: bool,
    #[serde(default)]
    pub supported_identity_providers: Vec<String>,
    /// The units the validities were given in (TokenValidityUnits), to describe them back so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_units: Option<ValidityUnits>,
}

/// TokenValidityUnits as given (or defaulted: hours, hours, days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityUnits {
    pub access: String,
    pub id: String,
    pub refresh: String,
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
            callback_urls: vec![],
            logout_urls: vec![],
            default_redirect_uri: None,
            allowed_oauth_flows: vec![],
            allowed_oauth_scopes: vec![],
            allowed_oauth_flows_user_pool_client: false,
            supported_identity_providers: vec![],
            validity_units: None,
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
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                has("ALLOW_ADMIN_USER_PASSWORD_AUTH") || has("ADMIN_NO_SRP_AUTH")
            }
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

/// Writes back a pool's settings.
pub fn update_pool_config(
    conn: &Connection,
    pool_id: &str,
    config: &PoolConfig,
    now: i64,
) -> ApiResult<()> {
    conn.execute(
        "UPDATE pools SET config = ?2, modified = ?3 WHERE pool_id = ?1",
        params![
            pool_id,
            serde_json::to_string(config).map_err(|e| ApiError::internal(e.to_string()))?,
            now
        ],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Pool extras: the LambdaConfig and sign-in policy, as the JSON the layer above keeps there

/// A pool's stored (LambdaConfig JSON, AllowedFirstAuthFactors JSON), if any were stored.
pub fn pool_extras(conn: &Connection, pool_id: &str) -> ApiResult<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT lambda_config, sign_in_policy FROM pool_extras WHERE pool_id = ?1",
            params![pool_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn put_pool_extras(
    conn: &Connection,
    pool_id: &str,
    lambda_config: &str,
    sign_in_policy: &str,
) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO pool_extras (pool_id, lambda_config, sign_in_policy) \
         VALUES (?1, ?2, ?3)",
        params![pool_id, lambda_config, sign_in_policy],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Deleting pools and clients, and emptying the store

/// The store's tables that have a `pool_id` column (every table of a pool's data), `pools`
/// last, so a table added later is covered without being named here.
fn tables_with_pool_id(conn: &Connection) -> ApiResult<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND c.name = 'pool_id' ORDER BY m.name = 'pools', m.name",
    )?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Deletes a pool and everything in it: clients, users, groups, codes, outbox entries,
/// sessions, tokens and settings. Returns whether the pool existed.
pub fn delete_pool(conn: &Connection, pool_id: &str) -> ApiResult<bool> {
    let mut existed = false;
    for table in tables_with_pool_id(conn)? {
        let n = conn.execute(
            &format!("DELETE FROM \"{table}\" WHERE pool_id = ?1"),
            params![pool_id],
        )?;
        if table == "pools" {
            existed = n > 0;
        }
    }
    Ok(existed)
}

/// Deletes an app client with its refresh tokens and challenge sessions.
pub fn delete_client(conn: &Connection, client_id: &str) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM refresh_tokens WHERE client_id = ?1",
        params![client_id],
    )?;
    conn.execute(
        "DELETE FROM auth_sessions WHERE client_id = ?1",
        params![client_id],
    )?;
    conn.execute(
        "DELETE FROM clients WHERE client_id = ?1",
        params![client_id],
    )?;
    Ok(())
}

/// Writes back an app client's name and settings.
pub fn update_client(conn: &Connection, c: &ClientRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE clients SET name = ?2, config = ?3, modified = ?4 WHERE client_id = ?1",
        params![
            c.client_id,
            c.name,
            serde_json::to_string(&c.config).map_err(|e| ApiError::internal(e.to_string()))?,
            c.modified
        ],
    )?;
    Ok(())
}

/// Empties every table but `meta` (the server key and migration marks), for a reset to the
/// freshly seeded state.
pub fn wipe(conn: &Connection) -> ApiResult<()> {
    let mut st = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta') \
         AND name NOT LIKE 'sqlite_%' ORDER BY name = 'pools', name",
    )?;
    let tables: Vec<String> = st
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    for t in tables {
        conn.execute(&format!("DELETE FROM \"{t}\""), [])?;
    }
    Ok(())
}
