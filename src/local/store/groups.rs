//! User-pool groups and their members.

use rusqlite::{Connection, OptionalExtension, params};

use crate::local::error::ApiResult;

/// Forgets every group membership of a user (the user is being deleted).
pub fn remove_user_memberships(conn: &Connection, pool_id: &str, username: &str) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM group_members WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    Ok(())
}

/// One group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    pub pool_id: String,
    pub group_name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
    pub created: i64,
    pub modified: i64,
}

pub(super) const GROUP_COLS: &str =
    "pool_id, group_name, description, role_arn, precedence, created, modified";

fn group_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        pool_id: r.get(0)?,
        group_name: r.get(1)?,
        description: r.get(2)?,
        role_arn: r.get(3)?,
        precedence: r.get(4)?,
        created: r.get(5)?,
        modified: r.get(6)?,
    })
}

pub fn get_group(conn: &Connection, pool_id: &str, name: &str) -> ApiResult<Option<GroupRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {GROUP_COLS} FROM user_groups WHERE pool_id = ?1 AND group_name = ?2"),
            params![pool_id, name],
            group_from_row,
        )
        .optional()?)
}

/// The groups a user belongs to, in the order Cognito puts them in `cognito:groups`: by
/// precedence (lowest first, groups without one last), then by name.
pub fn groups_of_user(
    conn: &Connection,
    pool_id: &str,
    username: &str,
) -> ApiResult<Vec<GroupRow>> {
    let cols = GROUP_COLS
        .split(',')
        .map(|c| format!("g.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut st = conn.prepare_cached(&format!(
        "SELECT {cols} FROM group_members m JOIN user_groups g \
         ON g.pool_id = m.pool_id AND g.group_name = m.group_name \
         WHERE m.pool_id = ?1 AND m.username = ?2 \
         ORDER BY g.precedence IS NULL, g.precedence, g.group_name"
    ))?;
    let rows = st.query_map(params![pool_id, username], group_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn insert_group(conn: &Connection, g: &GroupRow) -> ApiResult<()> {
    conn.execute(
        &format!("INSERT INTO user_groups ({GROUP_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            g.pool_id,
            g.group_name,
            g.description,
            g.role_arn,
            g.precedence,
            g.created,
            g.modified
        ],
    )?;
    Ok(())
}

/// Writes back a group's description, role, precedence and modification time.
pub fn update_group(conn: &Connection, g: &GroupRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE user_groups SET description = ?3, role_arn = ?4, precedence = ?5, modified = ?6 \
         WHERE pool_id = ?1 AND group_name = ?2",
        params![
            g.pool_id,
            g.group_name,
            g.description,
            g.role_arn,
            g.precedence,
            g.modified
        ],
    )?;
    Ok(())
}

/// Deletes a group and every membership in it.
pub fn delete_group(conn: &Connection, pool_id: &str, group_name: &str) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2",
        params![pool_id, group_name],
    )?;
    conn.execute(
        "DELETE FROM user_groups WHERE pool_id = ?1 AND group_name = ?2",
        params![pool_id, group_name],
    )?;
    Ok(())
}

/// A page of groups in name order after `after`: the pool's, or those `member` belongs to.
pub fn groups_page(
    conn: &Connection,
    pool_id: &str,
    member: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> ApiResult<Vec<GroupRow>> {
    let cols = GROUP_COLS
        .split(',')
        .map(|c| format!("g.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match member {
        None => format!(
            "SELECT {cols} FROM user_groups g WHERE g.pool_id = ?1 AND g.group_name > ?2 \
             ORDER BY g.group_name LIMIT ?3"
        ),
        Some(_) => format!(
            "SELECT {cols} FROM group_members m JOIN user_groups g \
             ON g.pool_id = m.pool_id AND g.group_name = m.group_name \
             WHERE m.pool_id = ?1 AND m.username = ?4 AND m.group_name > ?2 \
             ORDER BY m.group_name LIMIT ?3"
        ),
    };
    let mut st = conn.prepare_cached(&sql)?;
    let after = after.unwrap_or("");
    let rows = match member {
        None => st
            .query_map(params![pool_id, after, limit as i64], group_from_row)?
            .collect::<Result<Vec<_>, _>>()?,
        Some(u) => st
            .query_map(params![pool_id, after, limit as i64, u], group_from_row)?
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

/// Up to `limit` member usernames of a group after `after`, in username order.
pub fn group_member_names(
    conn: &Connection,
    pool_id: &str,
    group_name: &str,
    after: &str,
    limit: usize,
) -> ApiResult<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT username FROM group_members WHERE pool_id = ?1 AND group_name = ?2 \
         AND username > ?3 ORDER BY username LIMIT ?4",
    )?;
    let names = st
        .query_map(params![pool_id, group_name, after, limit as i64], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(names)
}

/// Adds a member (adding one again changes nothing).
pub fn add_group_member(
    conn: &Connection,
    pool_id: &str,
    group_name: &str,
    username: &str,
) -> ApiResult<()> {
    conn.execute(
        "INSERT OR IGNORE INTO group_members (pool_id, group_name, username) VALUES (?1, ?2, ?3)",
        params![pool_id, group_name, username],
    )?;
    Ok(())
}

/// Removes a member (removing a non-member changes nothing).
pub fn remove_group_member(
    conn: &Connection,
    pool_id: &str,
    group_name: &str,
    username: &str,
) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2 AND username = ?3",
        params![pool_id, group_name, username],
    )?;
    Ok(())
}
