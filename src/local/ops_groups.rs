//! User-pool groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup, and
//! the `cognito:groups` / `cognito:roles` / `cognito:preferred_role` claims of a member's tokens.

use rusqlite::{Connection, OptionalExtension, params};

use super::error::ApiResult;

pub const SCHEMA: &str = r#"
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
"#;

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

const GROUP_COLS: &str =
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
