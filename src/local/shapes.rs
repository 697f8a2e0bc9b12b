//! Shapes several operations share: a user as the admin listings show it, the MFA fields of
//! GetUser / AdminGetUser, and the model's checks of request members every operation has
//! (`Username`, `ValidationData`, `ClientMetadata`, `UserContextData`, `AnalyticsMetadata`).

use rusqlite::Connection;
use serde_json::{Value, json};

use serde::Deserialize;

use super::access::required;
use super::error::{ApiError, ApiResult};
use super::policy;
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

/// The model's checks of request members every operation shares, before the operation runs:
/// a `Username` (and the `USERNAME` of AuthParameters / ChallengeResponses) must fit
/// Cognito's pattern and length; `ValidationData`, `ClientMetadata`,
/// `UserContextData` and `AnalyticsMetadata` of the wrong JSON type are a
/// `SerializationException`, as Cognito's deserializer answers them (null is absent).
pub fn check_common_members(body: &Value) -> ApiResult<()> {
    if let Some(Value::String(name)) = body.get("Username") {
        policy::check_username(name)?;
    }
    // The sign-in maps carry the username as USERNAME; one that breaks the pattern names no
    // user, so it is refused the same way (a missing or empty one keeps its own answer).
    for (member, path) in [
        ("AuthParameters", "authParameters.USERNAME"),
        ("ChallengeResponses", "challengeResponses.USERNAME"),
    ] {
        if let Some(Value::String(name)) = body.get(member).and_then(|m| m.get("USERNAME"))
            && !name.is_empty()
        {
            policy::check_username_at(name, path)?;
        }
    }
    // Ids longer than the model allows never reach a lookup (whose "does not exist" would
    // repeat them); the client id is sensitive in the model, so it is not repeated.
    check_length(body, "ClientId", "clientId", 128)?;
    check_length(body, "UserPoolId", "userPoolId", 55)?;
    if let Some(v) = body.get("ValidationData") {
        check_attribute_list(v)?;
    }
    if let Some(v) = body.get("ClientMetadata") {
        check_string_map(v)?;
    }
    if let Some(v) = body.get("UserContextData") {
        check_structure(v, &["EncodedData", "IpAddress"])?;
    }
    if let Some(v) = body.get("AnalyticsMetadata") {
        check_structure(v, &["AnalyticsEndpointId"])?;
    }
    Ok(())
}

fn check_length(body: &Value, member: &str, path: &str, max: usize) -> ApiResult<()> {
    match body.get(member) {
        Some(Value::String(v)) if v.chars().count() > max => {
            Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value at '{path}' failed to satisfy constraint: \
                 Member must have length less than or equal to {max}"
            )))
        }
        _ => Ok(()),
    }
}

/// Cognito's deserializer's word for finding `found` where another type was expected.
fn unexpected(found: &Value, expected: &str) -> ApiError {
    ApiError::serialization(match found {
        Value::Object(_) => "Start of structure or map found where not expected.".to_string(),
        Value::Array(_) => "Start of list found where not expected".to_string(),
        Value::String(_) => format!("STRING_VALUE can not be converted to {expected}"),
        Value::Number(_) => format!("NUMBER_VALUE can not be converted to {expected}"),
        Value::Bool(_) => format!("TRUE_VALUE can not be converted to {expected}"),
        Value::Null => format!("NULL_VALUE can not be converted to {expected}"),
    })
}

fn check_string(v: &Value) -> ApiResult<()> {
    match v {
        Value::String(_) | Value::Null => Ok(()),
        other => Err(unexpected(other, "a String")),
    }
}

/// A list of `{Name, Value}` (AttributeType).
fn check_attribute_list(v: &Value) -> ApiResult<()> {
    match v {
        Value::Null => Ok(()),
        Value::Array(items) => items.iter().try_for_each(|item| {
            check_structure(item, &["Name", "Value"])?;
            match item.get("Name") {
                Some(Value::String(_)) => Ok(()),
                _ => Err(ApiError::missing("validationData.member.name")),
            }
        }),
        other => Err(unexpected(other, "a List")),
    }
}

/// A map of strings to strings.
fn check_string_map(v: &Value) -> ApiResult<()> {
    match v {
        Value::Null => Ok(()),
        Value::Object(m) => m.values().try_for_each(check_string),
        other => Err(unexpected(other, "a Map")),
    }
}

/// A structure whose `fields` are strings (other members are ignored, as Cognito does).
fn check_structure(v: &Value, fields: &[&str]) -> ApiResult<()> {
    match v {
        Value::Null => Ok(()),
        Value::Object(m) => fields
            .iter()
            .filter_map(|f| m.get(*f))
            .try_for_each(check_string),
        other => Err(unexpected(other, "a Structure")),
    }
}

/// One member of a request's `UserAttributes` list.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeIn {
    pub name: Option<String>,
    pub value: Option<String>,
}

/// The attribute writes of an update (UpdateUserAttributes, AdminUpdateUserAttributes): each
/// name and value checked as the pool's policy checks them, booleans kept as Cognito keeps
/// them (`"True"` is stored `"true"`). The list itself is required.
pub fn attribute_changes(attrs: Option<Vec<AttributeIn>>) -> ApiResult<Vec<(String, String)>> {
    let attrs = attrs.ok_or_else(|| ApiError::missing("userAttributes"))?;
    let mut changes = Vec::with_capacity(attrs.len());
    for a in attrs {
        let name = required(a.name, "userAttributes.member.name")?;
        let value = a.value.unwrap_or_default();
        policy::check_attribute(&name, &value)?;
        let value = policy::canonical_value(&name, value);
        changes.push((name, value));
    }
    Ok(changes)
}
