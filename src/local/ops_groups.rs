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

// ---------------------------------------------------------------------------------------------
// Operations

use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::ops_admin::{
    AdminUserReq, admin_user, check_limit, make_signed_cursor, read_signed_cursor, required,
    user_type,
};
use super::server::{Ctx, parse};
use super::store::{self, PageCursor};

fn group_not_found() -> ApiError {
    ApiError::resource_not_found("Group not found.")
}

fn group_json(g: &GroupRow) -> Value {
    let mut v = json!({
        "GroupName": g.group_name,
        "UserPoolId": g.pool_id,
        "LastModifiedDate": g.modified,
        "CreationDate": g.created,
    });
    if let Some(d) = &g.description {
        v["Description"] = json!(d);
    }
    if let Some(r) = &g.role_arn {
        v["RoleArn"] = json!(r);
    }
    if let Some(p) = g.precedence {
        v["Precedence"] = json!(p);
    }
    v
}

/// GroupName: 1..=128 characters of letters, marks, symbols, numbers and punctuation.
fn check_group_name(name: &str) -> ApiResult<()> {
    let n = name.chars().count();
    if !(1..=128).contains(&n) {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{name}' at 'groupName' failed to satisfy \
             constraint: Member must have length {}",
            if n == 0 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 128"
            }
        )));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{name}' at 'groupName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: \
             [\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}]+"
        )));
    }
    Ok(())
}

fn check_group_fields(
    description: Option<&str>,
    role_arn: Option<&str>,
    precedence: Option<i64>,
) -> ApiResult<()> {
    if let Some(d) = description
        && d.chars().count() > 2048
    {
        return Err(ApiError::invalid_parameter(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: \
             Member must have length less than or equal to 2048",
        ));
    }
    if let Some(r) = role_arn
        && !looks_like_role_arn(r)
    {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{r}' at 'roleArn' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: \
             arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?"
        )));
    }
    if let Some(p) = precedence
        && !(0..=i64::from(i32::MAX)).contains(&p)
    {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{p}' at 'precedence' failed to satisfy \
             constraint: Member must have value {}",
            if p < 0 {
                "greater than or equal to 0"
            } else {
                "less than or equal to 2147483647"
            }
        )));
    }
    Ok(())
}

/// The model's RoleArn pattern: `arn:<partition>:<service>:<region?>:<account digits>:<resource>`.
fn looks_like_role_arn(r: &str) -> bool {
    let n = r.chars().count();
    if !(20..=2048).contains(&n) {
        return false;
    }
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || "+=/,.@-".contains(c))
    };
    let parts: Vec<&str> = r.split(':').collect();
    parts.len() >= 6
        && parts.len() <= 8
        && parts[0] == "arn"
        && word(parts[1])
        && word(parts[2])
        && (parts[3].is_empty() || word(parts[3]))
        && !parts[4].is_empty()
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5..].iter().all(|p| word(p))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupReq {
    user_pool_id: Option<String>,
    group_name: Option<String>,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

pub fn create_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupReq = parse(body)?;
    let name = required(req.group_name, "groupName")?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    check_group_name(&name)?;
    check_group_fields(
        req.description.as_deref(),
        req.role_arn.as_deref(),
        req.precedence,
    )?;
    let now = ctx.now();
    ctx.with_db(|conn| {
        store::require_pool(conn, &pool_id)?;
        if get_group(conn, &pool_id, &name)?.is_some() {
            return Err(ApiError::new(
                "GroupExistsException",
                "A group with the name already exists.",
            ));
        }
        let g = GroupRow {
            pool_id: pool_id.clone(),
            group_name: name,
            description: req.description,
            role_arn: req.role_arn,
            precedence: req.precedence,
            created: now,
            modified: now,
        };
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
        tracing::info!(pool = %pool_id, group = %g.group_name, "local pool: group created");
        Ok(json!({"Group": group_json(&g)}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupNameReq {
    user_pool_id: Option<String>,
    group_name: Option<String>,
}

fn require_group(conn: &Connection, req: GroupNameReq) -> ApiResult<GroupRow> {
    let name = required(req.group_name, "groupName")?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    store::require_pool(conn, &pool_id)?;
    get_group(conn, &pool_id, &name)?.ok_or_else(group_not_found)
}

pub fn get_group_op(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupNameReq = parse(body)?;
    ctx.with_db(|conn| Ok(json!({"Group": group_json(&require_group(conn, req)?)})))
}

/// UpdateGroup: changes the members given, keeps the others.
pub fn update_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupReq = parse(body)?;
    check_group_fields(
        req.description.as_deref(),
        req.role_arn.as_deref(),
        req.precedence,
    )?;
    let now = ctx.now();
    ctx.with_db(|conn| {
        let mut g = require_group(
            conn,
            GroupNameReq {
                user_pool_id: req.user_pool_id,
                group_name: req.group_name,
            },
        )?;
        if req.description.is_some() {
            g.description = req.description;
        }
        if req.role_arn.is_some() {
            g.role_arn = req.role_arn;
        }
        if req.precedence.is_some() {
            g.precedence = req.precedence;
        }
        g.modified = now;
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
        Ok(json!({"Group": group_json(&g)}))
    })
}

/// DeleteGroup: the group and every membership in it.
pub fn delete_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupNameReq = parse(body)?;
    ctx.with_db(|conn| {
        let g = require_group(conn, req)?;
        conn.execute(
            "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2",
            params![g.pool_id, g.group_name],
        )?;
        conn.execute(
            "DELETE FROM user_groups WHERE pool_id = ?1 AND group_name = ?2",
            params![g.pool_id, g.group_name],
        )?;
        tracing::info!(pool = %g.pool_id, group = %g.group_name, "local pool: group deleted");
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListGroupsReq {
    user_pool_id: Option<String>,
    username: Option<String>,
    group_name: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// A page of groups in name order after `after`.
fn groups_page(
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

fn list_groups_common(
    ctx: &Ctx,
    conn: &Connection,
    pool_id: &str,
    member: Option<&str>,
    limit: usize,
    token: Option<&str>,
) -> ApiResult<Value> {
    let now = ctx.now();
    let scope = match member {
        None => format!("groups\u{0}{pool_id}"),
        Some(u) => format!("groups-of\u{0}{pool_id}\u{0}{u}"),
    };
    let after = match token.filter(|t| !t.is_empty()) {
        Some(t) => Some(read_signed_cursor(ctx, &scope, t, now)?.username),
        None => None,
    };
    let mut rows = groups_page(conn, pool_id, member, after.as_deref(), limit + 1)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let mut out = json!({"Groups": rows.iter().map(group_json).collect::<Vec<_>>()});
    if more && let Some(last) = rows.last() {
        let at = PageCursor {
            value: String::new(),
            username: last.group_name.clone(),
        };
        out["NextToken"] = json!(make_signed_cursor(ctx, &scope, &at, now));
    }
    Ok(out)
}

/// ListGroups: the pool's groups in name order, `Limit` (0..=60) per page, NextToken.
pub fn list_groups(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListGroupsReq = parse(body)?;
    let limit = check_limit(req.limit)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    ctx.with_db(|conn| {
        store::require_pool(conn, &pool_id)?;
        list_groups_common(ctx, conn, &pool_id, None, limit, req.next_token.as_deref())
    })
}

/// AdminListGroupsForUser: the user's groups in name order, paged with NextToken.
pub fn admin_list_groups_for_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListGroupsReq = parse(body)?;
    let limit = check_limit(req.limit)?;
    ctx.with_db(|conn| {
        let (pool, user) = admin_user(
            conn,
            AdminUserReq {
                user_pool_id: req.user_pool_id,
                username: req.username,
            },
        )?;
        list_groups_common(
            ctx,
            conn,
            &pool.pool_id,
            Some(&user.username),
            limit,
            req.next_token.as_deref(),
        )
    })
}

/// ListUsersInGroup: the members (UserType) in username order, paged with NextToken.
pub fn list_users_in_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListGroupsReq = parse(body)?;
    let limit = check_limit(req.limit)?;
    let now = ctx.now();
    ctx.with_db(|conn| {
        let g = require_group(
            conn,
            GroupNameReq {
                user_pool_id: req.user_pool_id,
                group_name: req.group_name,
            },
        )?;
        let scope = format!("members\u{0}{}\u{0}{}", g.pool_id, g.group_name);
        let after = match req.next_token.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => read_signed_cursor(ctx, &scope, t, now)?.username,
            None => String::new(),
        };
        let mut st = conn.prepare_cached(
            "SELECT username FROM group_members WHERE pool_id = ?1 AND group_name = ?2 \
             AND username > ?3 ORDER BY username LIMIT ?4",
        )?;
        let names = st
            .query_map(
                params![g.pool_id, g.group_name, after, (limit + 1) as i64],
                |r| r.get::<_, String>(0),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let more = names.len() > limit;
        let mut users = Vec::new();
        for n in names.iter().take(limit) {
            if let Some(u) = store::get_user(conn, &g.pool_id, n)? {
                users.push(user_type(&u, None));
            }
        }
        let mut out = json!({"Users": users});
        if more && let Some(last) = names.get(limit - 1) {
            let at = PageCursor {
                value: String::new(),
                username: last.clone(),
            };
            out["NextToken"] = json!(make_signed_cursor(ctx, &scope, &at, now));
        }
        Ok(out)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MembershipReq {
    user_pool_id: Option<String>,
    username: Option<String>,
    group_name: Option<String>,
}

fn membership(
    conn: &Connection,
    req: MembershipReq,
) -> ApiResult<(GroupRow, super::store::UserRecord)> {
    let group_name = required(req.group_name, "groupName")?;
    let (pool, user) = admin_user(
        conn,
        AdminUserReq {
            user_pool_id: req.user_pool_id,
            username: req.username,
        },
    )?;
    let g = get_group(conn, &pool.pool_id, &group_name)?.ok_or_else(group_not_found)?;
    Ok((g, user))
}

/// AdminAddUserToGroup (adding a member again changes nothing).
pub fn admin_add_user_to_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: MembershipReq = parse(body)?;
    ctx.with_db(|conn| {
        let (g, u) = membership(conn, req)?;
        conn.execute(
            "INSERT OR IGNORE INTO group_members (pool_id, group_name, username) VALUES (?1, ?2, ?3)",
            params![g.pool_id, g.group_name, u.username],
        )?;
        tracing::info!(pool = %g.pool_id, group = %g.group_name, username = %u.username, "local pool: user added to group");
        Ok(json!({}))
    })
}

/// AdminRemoveUserFromGroup (removing a non-member changes nothing).
pub fn admin_remove_user_from_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: MembershipReq = parse(body)?;
    ctx.with_db(|conn| {
        let (g, u) = membership(conn, req)?;
        conn.execute(
            "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2 AND username = ?3",
            params![g.pool_id, g.group_name, u.username],
        )?;
        tracing::info!(pool = %g.pool_id, group = %g.group_name, username = %u.username, "local pool: user removed from group");
        Ok(json!({}))
    })
}

// ---------------------------------------------------------------------------------------------
// Token claims

/// The group claims of a user's tokens: `cognito:groups` (both tokens) and, for the ID token,
/// `cognito:roles` (every member group's role) and `cognito:preferred_role` (the role of the
/// group with the lowest Precedence; none when tied groups name different roles). Empty when
/// the user is in no group.
pub struct GroupClaims {
    pub groups: Vec<String>,
    pub roles: Vec<String>,
    pub preferred_role: Option<String>,
}

pub fn group_claims(conn: &Connection, pool_id: &str, username: &str) -> ApiResult<GroupClaims> {
    let groups = groups_of_user(conn, pool_id, username)?;
    let mut roles: Vec<String> = Vec::new();
    for g in &groups {
        if let Some(r) = &g.role_arn
            && !roles.contains(r)
        {
            roles.push(r.clone());
        }
    }
    // Groups are ordered by precedence (None last), so the best with a role comes first.
    let with_role: Vec<&GroupRow> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let preferred_role = with_role.first().and_then(|best| {
        let tied: Vec<&&GroupRow> = with_role
            .iter()
            .filter(|g| g.precedence == best.precedence)
            .collect();
        if tied.iter().all(|g| g.role_arn == best.role_arn) {
            best.role_arn.clone()
        } else {
            None
        }
    });
    Ok(GroupClaims {
        groups: groups.into_iter().map(|g| g.group_name).collect(),
        roles,
        preferred_role,
    })
}
