//! A pool's resources beside its users: the user pool domains, the resource servers (with
//! their scopes) and the identity providers. The layers above keep their JSON members
//! (scopes, provider details, attribute mapping) as `serde_json::Value`.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::local::error::{ApiError, ApiResult};

fn to_text(v: &Value) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::internal(e.to_string()))
}

fn from_text(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------------------
// Domains

/// A user pool domain: a prefix domain, or a custom one (with its certificate's ARN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRow {
    pub domain: String,
    pub pool_id: String,
    /// `CustomDomainConfig.CertificateArn` of a custom domain.
    pub certificate_arn: Option<String>,
    pub managed_login_version: Option<i64>,
    pub created: i64,
}

const DOMAIN_COLS: &str = "domain, pool_id, custom_config, login_version, created";

fn domain_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DomainRow> {
    Ok(DomainRow {
        domain: r.get(0)?,
        pool_id: r.get(1)?,
        certificate_arn: r.get(2)?,
        managed_login_version: r.get(3)?,
        created: r.get(4)?,
    })
}

pub fn get_domain(conn: &Connection, domain: &str) -> ApiResult<Option<DomainRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {DOMAIN_COLS} FROM pool_domains WHERE domain = ?1"),
            params![domain],
            domain_from_row,
        )
        .optional()?)
}

/// A pool's domains, oldest first.
pub fn pool_domains(conn: &Connection, pool_id: &str) -> ApiResult<Vec<DomainRow>> {
    let mut st = conn.prepare(&format!(
        "SELECT {DOMAIN_COLS} FROM pool_domains WHERE pool_id = ?1 ORDER BY created, domain"
    ))?;
    let rows = st.query_map(params![pool_id], domain_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Inserts or replaces a domain.
pub fn put_domain(conn: &Connection, d: &DomainRow) -> ApiResult<()> {
    conn.execute(
        &format!("INSERT OR REPLACE INTO pool_domains ({DOMAIN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
        params![
            d.domain,
            d.pool_id,
            d.certificate_arn,
            d.managed_login_version,
            d.created
        ],
    )?;
    Ok(())
}

/// Deletes a domain of a pool; whether there was one.
pub fn delete_domain(conn: &Connection, pool_id: &str, domain: &str) -> ApiResult<bool> {
    Ok(conn.execute(
        "DELETE FROM pool_domains WHERE pool_id = ?1 AND domain = ?2",
        params![pool_id, domain],
    )? > 0)
}

// ---------------------------------------------------------------------------------------------
// Resource servers

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceServerRow {
    pub pool_id: String,
    pub identifier: String,
    pub name: String,
    /// `[{"ScopeName", "ScopeDescription"}]`.
    pub scopes: Value,
}

fn resource_server_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ResourceServerRow> {
    let scopes: String = r.get(3)?;
    Ok(ResourceServerRow {
        pool_id: r.get(0)?,
        identifier: r.get(1)?,
        name: r.get(2)?,
        scopes: from_text(&scopes),
    })
}

pub fn get_resource_server(
    conn: &Connection,
    pool_id: &str,
    identifier: &str,
) -> ApiResult<Option<ResourceServerRow>> {
    Ok(conn
        .query_row(
            "SELECT pool_id, identifier, name, scopes FROM resource_servers \
             WHERE pool_id = ?1 AND identifier = ?2",
            params![pool_id, identifier],
            resource_server_from_row,
        )
        .optional()?)
}

/// A pool's resource servers after `after` (by identifier), at most `limit`.
pub fn list_resource_servers(
    conn: &Connection,
    pool_id: &str,
    after: Option<&str>,
    limit: usize,
) -> ApiResult<Vec<ResourceServerRow>> {
    let mut st = conn.prepare(
        "SELECT pool_id, identifier, name, scopes FROM resource_servers \
         WHERE pool_id = ?1 AND identifier > ?2 ORDER BY identifier LIMIT ?3",
    )?;
    let rows = st.query_map(
        params![pool_id, after.unwrap_or(""), limit as i64],
        resource_server_from_row,
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn count_resource_servers(conn: &Connection, pool_id: &str) -> ApiResult<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM resource_servers WHERE pool_id = ?1",
        params![pool_id],
        |r| r.get(0),
    )?)
}

pub fn put_resource_server(conn: &Connection, r: &ResourceServerRow) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO resource_servers (pool_id, identifier, name, scopes) \
         VALUES (?1, ?2, ?3, ?4)",
        params![r.pool_id, r.identifier, r.name, to_text(&r.scopes)?],
    )?;
    Ok(())
}

pub fn delete_resource_server(
    conn: &Connection,
    pool_id: &str,
    identifier: &str,
) -> ApiResult<bool> {
    Ok(conn.execute(
        "DELETE FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2",
        params![pool_id, identifier],
    )? > 0)
}

// ---------------------------------------------------------------------------------------------
// Identity providers

#[derive(Debug, Clone, PartialEq)]
pub struct IdentityProviderRow {
    pub pool_id: String,
    pub provider_name: String,
    pub provider_type: String,
    /// `ProviderDetails`: a JSON object of strings.
    pub details: Value,
    /// `AttributeMapping`: a JSON object of strings.
    pub mapping: Value,
    /// `IdpIdentifiers`: a JSON list of strings.
    pub idp_identifiers: Value,
    pub created: i64,
    pub modified: i64,
}

const IDP_COLS: &str =
    "pool_id, provider_name, provider_type, details, mapping, idp_identifiers, created, modified";

fn idp_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IdentityProviderRow> {
    let details: String = r.get(3)?;
    let mapping: String = r.get(4)?;
    let ids: String = r.get(5)?;
    Ok(IdentityProviderRow {
        pool_id: r.get(0)?,
        provider_name: r.get(1)?,
        provider_type: r.get(2)?,
        details: from_text(&details),
        mapping: from_text(&mapping),
        idp_identifiers: from_text(&ids),
        created: r.get(6)?,
        modified: r.get(7)?,
    })
}

pub fn get_identity_provider(
    conn: &Connection,
    pool_id: &str,
    name: &str,
) -> ApiResult<Option<IdentityProviderRow>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {IDP_COLS} FROM identity_providers WHERE pool_id = ?1 AND provider_name = ?2"
            ),
            params![pool_id, name],
            idp_from_row,
        )
        .optional()?)
}

/// Every identity provider of a pool, by name.
pub fn list_identity_providers(
    conn: &Connection,
    pool_id: &str,
) -> ApiResult<Vec<IdentityProviderRow>> {
    let mut st = conn.prepare(&format!(
        "SELECT {IDP_COLS} FROM identity_providers WHERE pool_id = ?1 ORDER BY provider_name"
    ))?;
    let rows = st.query_map(params![pool_id], idp_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn put_identity_provider(conn: &Connection, p: &IdentityProviderRow) -> ApiResult<()> {
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO identity_providers ({IDP_COLS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ),
        params![
            p.pool_id,
            p.provider_name,
            p.provider_type,
            to_text(&p.details)?,
            to_text(&p.mapping)?,
            to_text(&p.idp_identifiers)?,
            p.created,
            p.modified
        ],
    )?;
    Ok(())
}

pub fn delete_identity_provider(conn: &Connection, pool_id: &str, name: &str) -> ApiResult<bool> {
    Ok(conn.execute(
        "DELETE FROM identity_providers WHERE pool_id = ?1 AND provider_name = ?2",
        params![pool_id, name],
    )? > 0)
}
