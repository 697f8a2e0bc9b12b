//! Answer shapes several operations share: a user as the admin listings show it, and the MFA
//! fields of GetUser / AdminGetUser.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::error::ApiResult;
use super::store::{self, UserRecord};

/// A user as ListUsers, AdminCreateUser and ListUsersInGroup show it (`UserType`), with only
/// the attributes named in `only` when given.
pub fn user_type(u: &UserRecord, only: Option<&[String]>) -> Value {
    let attrs: Vec<Value> = u
        .attribute_list()
        .into_iter()
        .filter(|(k, _)| only.is_none_or(|o| o.iter().any(|x| x == k)))
        .map(|(k, v)| json!({"Name": k, "Value": v}))
        .collect();
    json!({
        "Username": u.username,
        "Attributes": attrs,
        "UserCreateDate": u.created,
        "UserLastModifiedDate": u.modified,
        "Enabled": u.enabled,
        "UserStatus": u.status,
    })
}

/// Adds `PreferredMfaSetting` and `UserMFASettingList` to a GetUser / AdminGetUser answer.
pub fn add_user_mfa_fields(conn: &Connection, user: &UserRecord, out: &mut Value) -> ApiResult<()> {
    let m = store::user_mfa(conn, &user.pool_id, &user.sub)?;
    let enabled = m.enabled();
    if let Some(p) = m.preferred.as_deref().filter(|p| enabled.contains(p)) {
        out["PreferredMfaSetting"] = json!(p);
    }
    if !enabled.is_empty() {
        out["UserMFASettingList"] = json!(enabled);
    }
    Ok(())
}
