//! User-pool groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup, and
//! the `cognito:groups` / `cognito:roles` / `cognito:preferred_role` claims of a member's tokens.

use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{admin_user, required};
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::paging::{check_limit, make_signed_cursor, read_signed_cursor};
use super::shapes::user_type;
use super::store::{self, GroupRow, PageCursor, get_group, groups_page};

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
                ErrorKind::GroupExists,
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
        store::insert_group(conn, &g)?;
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
    ctx.read(|conn| Ok(json!({"Group": group_json(&require_group(conn, req)?)})))
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
        store::update_group(conn, &g)?;
        Ok(json!({"Group": group_json(&g)}))
    })
}

/// DeleteGroup: the group and every membership in it.
pub fn delete_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupNameReq = parse(body)?;
    ctx.with_db(|conn| {
        let g = require_group(conn, req)?;
        store::delete_group(conn, &g.pool_id, &g.group_name)?;
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
    ctx.read(|conn| {
        store::require_pool(conn, &pool_id)?;
        list_groups_common(ctx, conn, &pool_id, None, limit, req.next_token.as_deref())
    })
}

/// AdminListGroupsForUser: the user's groups in name order, paged with NextToken.
pub fn admin_list_groups_for_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListGroupsReq = parse(body)?;
    let limit = check_limit(req.limit)?;
    ctx.read(|conn| {
        let (pool, user) = admin_user(conn, req.user_pool_id, req.username)?;
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
    ctx.read(|conn| {
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
        let names = store::group_member_names(conn, &g.pool_id, &g.group_name, &after, limit + 1)?;
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
    let (pool, user) = admin_user(conn, req.user_pool_id, req.username)?;
    let g = get_group(conn, &pool.pool_id, &group_name)?.ok_or_else(group_not_found)?;
    Ok((g, user))
}

/// AdminAddUserToGroup (adding a member again changes nothing).
pub fn admin_add_user_to_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: MembershipReq = parse(body)?;
    ctx.with_db(|conn| {
        let (g, u) = membership(conn, req)?;
        store::add_group_member(conn, &g.pool_id, &g.group_name, &u.username)?;
        tracing::info!(pool = %g.pool_id, group = %g.group_name, username = %u.username, "local pool: user added to group");
        Ok(json!({}))
    })
}

/// AdminRemoveUserFromGroup (removing a non-member changes nothing).
pub fn admin_remove_user_from_group(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: MembershipReq = parse(body)?;
    ctx.with_db(|conn| {
        let (g, u) = membership(conn, req)?;
        store::remove_group_member(conn, &g.pool_id, &g.group_name, &u.username)?;
        tracing::info!(pool = %g.pool_id, group = %g.group_name, username = %u.username, "local pool: user removed from group");
        Ok(json!({}))
    })
}
