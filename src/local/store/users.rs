//! Users (SRP verifiers only, never passwords) and the ListUsers side table.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::codes::revoke_user_tokens;
use super::groups::remove_user_memberships;
use crate::local::error::{ApiError, ApiResult};

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

pub(super) const USER_COLS: &str = "pool_id, username, sub, status, enabled, salt, verifier, attributes, \
                         created, modified, failed_attempts, last_failure, locked_until";

pub(super) fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
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
    execute_insert_user(&mut st, u)?;
    index_insert(conn, u)?;
    bump_user_count(conn, &u.pool_id, 1)?;
    Ok(())
}

/// Runs [`INSERT_USER_SQL`] (or its `OR IGNORE` form) for one user; returns the rows inserted.
fn execute_insert_user(st: &mut rusqlite::CachedStatement<'_>, u: &UserRecord) -> ApiResult<usize> {
    Ok(st.execute(params![
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
    ])?)
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

pub(super) fn index_insert(conn: &Connection, u: &UserRecord) -> ApiResult<()> {
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
        let n = execute_insert_user(&mut ins, u)?;
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
pub(super) fn prefix_successor(p: &str) -> Option<String> {
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

#[cfg(test)]
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
    remove_user_memberships(conn, pool_id, username)?;
    conn.execute(
        "DELETE FROM codes WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    conn.execute(
        "DELETE FROM rate_events WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    conn.execute(
        "DELETE FROM pending_attributes WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    revoke_user_tokens(conn, pool_id, username)
}
