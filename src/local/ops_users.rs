//! User administration: ListUsers with its filter grammar and signed paging (PROTOCOL.md §2.4),
//! AdminGetUser, AdminCreateUser (after the PreSignUp trigger), AdminConfirmSignUp (then
//! PostConfirmation), AdminSetUserPassword, AdminDeleteUser, AdminDisableUser,
//! AdminEnableUser, AdminUserGlobalSignOut, AdminUpdateUserAttributes,
//! AdminDeleteUserAttributes and AdminListDevices.

use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{admin_user as find_admin_user, refuse_taken_alias, required, resolve_user};
use super::ctx::{Ctx, parse};
use super::delivery::{self, Message};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::hooks;
use super::paging::{check_limit, make_signed_cursor, read_signed_cursor};
use super::policy::{self, PasswordPolicy};
use super::shapes::{self, AttributeIn, add_user_mfa_fields, user_type};
use super::store::{self, PoolRow, UserRecord};
use super::user_schema;

/// A parsed ListUsers filter: `<attr> = "<value>"` or `<attr> ^= "<value>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    pub attribute: String,
    pub prefix: bool,
    pub value: String,
}

/// Parses the Filter grammar of PROTOCOL.md §2.4. An empty filter means "everyone".
pub fn parse_filter(filter: &str) -> ApiResult<Option<UserFilter>> {
    // Cognito answers every malformed filter with the same message; `why` goes to the log.
    let bad = |why: &str| {
        tracing::debug!(why, "local pool: ListUsers filter rejected");
        ApiError::invalid_parameter("Error while parsing filter.")
    };
    if filter.chars().count() > 256 {
        return Err(ApiError::invalid_parameter(
            "1 validation error detected: Value at 'filter' failed to satisfy constraint: \
             Member must have length less than or equal to 256",
        ));
    }
    let s = filter.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let attr_len = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(s.len());
    let attribute = &s[..attr_len];
    if attribute.is_empty() {
        return Err(bad("expected an attribute name"));
    }
    let rest = s[attr_len..].trim_start();
    let (prefix, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (false, r)
    } else {
        return Err(bad("expected = or ^="));
    };
    let rest = rest.trim_start();
    let Some(body) = rest.strip_prefix('"') else {
        return Err(bad("the value must be in double quotes"));
    };
    let mut value = String::new();
    let mut chars = body.chars();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => value.push(n),
                None => return Err(bad("dangling escape")),
            },
            '"' => {
                closed = true;
                break;
            }
            c => value.push(c),
        }
    }
    if !closed {
        return Err(bad("unterminated value"));
    }
    if !chars.as_str().trim().is_empty() {
        return Err(bad("only one attribute can be filtered on"));
    }
    if !store::SEARCHABLE_ATTRIBUTES.contains(&attribute) {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid search attribute: {}",
            echo(attribute)
        )));
    }
    Ok(Some(UserFilter {
        attribute: attribute.to_string(),
        prefix,
        value,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsersReq {
    user_pool_id: Option<String>,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

/// AttributesToGet: every name must be an attribute of the schema (standard, `sub`, or
/// custom); an unsearchable one must be set on every listed user (Cognito's rule).
fn check_attributes_to_get(names: &[String]) -> ApiResult<()> {
    for n in names {
        let custom = n
            .strip_prefix("custom:")
            .or_else(|| n.strip_prefix("dev:custom:"))
            .is_some_and(|c| !c.is_empty());
        if !(custom || n == "sub" || policy::STANDARD_ATTRIBUTES.contains(&n.as_str())) {
            return Err(attributes_do_not_exist());
        }
    }
    Ok(())
}

fn attributes_do_not_exist() -> ApiError {
    ApiError::invalid_parameter("One or more requested attributes do not exist.")
}

pub fn list_users(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListUsersReq = parse(body)?;
    let limit = check_limit(req.limit)?;
    let filter = parse_filter(req.filter.as_deref().unwrap_or(""))?;
    if let Some(names) = &req.attributes_to_get {
        check_attributes_to_get(names)?;
    }
    let now = ctx.now();
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    // Tokens are bound to the pool and the filter (canonical form), signed, and expire.
    let scope = match &filter {
        Some(f) => format!(
            "users\u{0}{pool_id}\u{0}{}\u{0}{}\u{0}{}",
            f.attribute,
            if f.prefix { "^=" } else { "=" },
            store::search_key(&f.attribute, &f.value)
        ),
        None => format!("users\u{0}{pool_id}"),
    };
    ctx.read(|conn| {
        store::require_pool(conn, &pool_id)?;
        let after = match req.pagination_token.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(read_signed_cursor(ctx, &scope, t, now)?),
            None => None,
        };
        let f = filter
            .as_ref()
            .map(|f| (f.attribute.as_str(), f.value.as_str(), f.prefix));
        let mut rows = store::search_users(conn, &pool_id, f, after.as_ref(), limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let only = req.attributes_to_get.as_deref();
        if let Some(names) = only {
            for n in names {
                let searchable = matches!(
                    n.as_str(),
                    "sub"
                        | "email"
                        | "phone_number"
                        | "name"
                        | "given_name"
                        | "family_name"
                        | "preferred_username"
                );
                if !searchable && rows.iter().any(|(u, _)| !u.attributes.contains_key(n)) {
                    return Err(attributes_do_not_exist());
                }
            }
        }
        let items: Vec<Value> = rows.iter().map(|(u, _)| user_type(u, only)).collect();
        let mut out = json!({"Users": items});
        if more && let Some((_, last)) = rows.last() {
            out["PaginationToken"] = json!(make_signed_cursor(ctx, &scope, last, now));
        }
        Ok(out)
    })
}

// ---------------------------------------------------------------------------------------------
// AdminConfirmSignUp

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AdminUserReq {
    pub(crate) user_pool_id: Option<String>,
    pub(crate) username: Option<String>,
}

/// AdminConfirmSignUp, then the pool's PostConfirmation trigger.
pub fn admin_confirm_sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let out = confirm_user(ctx, body.clone())?;
    let pool_id = body.get("UserPoolId").and_then(Value::as_str).unwrap_or("");
    let username = body.get("Username").and_then(Value::as_str).unwrap_or("");
    hooks::post_confirmation(
        ctx,
        pool_id,
        None,
        username,
        "PostConfirmation_ConfirmSignUp",
        body.get("ClientMetadata"),
    )?;
    Ok(out)
}

fn confirm_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        let name = required(req.username, "username")?;
        let mut user = resolve_user(conn, &pool, &name)?.ok_or_else(ApiError::user_not_found)?;
        if user.status != "UNCONFIRMED" {
            return Err(ApiError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status
            )));
        }
        user.status = "CONFIRMED".into();
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: user confirmed by admin");
        Ok(json!({}))
    })
}

// ---------------------------------------------------------------------------------------------
// AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminUserGlobalSignOut

pub(crate) fn admin_user(
    conn: &rusqlite::Connection,
    req: AdminUserReq,
) -> ApiResult<(PoolRow, UserRecord)> {
    find_admin_user(conn, req.user_pool_id, req.username)
}

pub fn admin_get_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.read(|conn| {
        let (_pool, u) = admin_user(conn, req)?;
        let attrs: Vec<Value> = u
            .attribute_list()
            .into_iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect();
        let mut out = json!({
            "Username": u.username,
            "UserAttributes": attrs,
            "UserCreateDate": u.created,
            "UserLastModifiedDate": u.modified,
            "Enabled": u.enabled,
            "UserStatus": u.status,
        });
        add_user_mfa_fields(conn, &u, &mut out)?;
        Ok(out)
    })
}

pub fn admin_delete_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, u) = admin_user(conn, req)?;
        store::delete_user(conn, &pool.pool_id, &u.username)?;
        ctx.verified.forget(&pool.pool_id, &u.username);
        tracing::info!(pool = %pool.pool_id, username = %u.username, "local pool: user deleted");
        Ok(json!({}))
    })
}

fn set_enabled(ctx: &Ctx, body: Value, enabled: bool) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, mut u) = admin_user(conn, req)?;
        u.enabled = enabled;
        u.modified = ctx.now();
        store::update_user(conn, &u)?;
        if !enabled {
            store::revoke_user_tokens(conn, &pool.pool_id, &u.username)?;
            ctx.verified.forget(&pool.pool_id, &u.username);
        }
        tracing::info!(pool = %pool.pool_id, username = %u.username, enabled, "local pool: user enabled/disabled");
        Ok(json!({}))
    })
}

pub fn admin_disable_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    set_enabled(ctx, body, false)
}

pub fn admin_enable_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    set_enabled(ctx, body, true)
}

pub fn admin_user_global_sign_out(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, u) = admin_user(conn, req)?;
        store::revoke_user_tokens(conn, &pool.pool_id, &u.username)?;
        Ok(json!({}))
    })
}

// ---------------------------------------------------------------------------------------------
// AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminListDevices

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateAttributesReq {
    user_pool_id: Option<String>,
    username: Option<String>,
    user_attributes: Option<Vec<AttributeIn>>,
}

/// AdminUpdateUserAttributes: sets the given attributes. `sub` cannot be changed; a changed
/// email or phone number is no longer verified unless the same call sets its `*_verified`;
/// required attributes cannot be emptied.
pub fn admin_update_user_attributes(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: UpdateAttributesReq = parse(body)?;
    let changes = shapes::attribute_changes(req.user_attributes)?;
    ctx.with_db(|conn| {
        let (pool, mut user) = admin_user(
            conn,
            AdminUserReq {
                user_pool_id: req.user_pool_id,
                username: req.username,
            },
        )?;
        let given = |n: &str| changes.iter().any(|(k, _)| k == n);
        let marked = |n: &str| changes.iter().any(|(k, v)| k == n && v == "true");
        let mut attributes = user.attributes.clone();
        let mut pending: Vec<(&str, &str)> = Vec::new();
        for (name, value) in &changes {
            user_schema::check_attribute(
                &pool.config.schema,
                name,
                value,
                user.attributes.get(name).map(String::as_str),
            )?;
            let changed = attributes.get(name) != Some(value);
            if changed {
                refuse_taken_alias(conn, &pool, &user, name, value)?;
            }
            let verified = format!("{name}_verified");
            // AttributesRequireVerificationBeforeUpdate: a verified email or phone keeps its
            // value until the new one is verified, unless this request marks it verified.
            if changed
                && pool.config.attributes_require_verification.contains(name)
                && user.attributes.get(&verified).is_some_and(|v| v == "true")
                && !marked(&verified)
            {
                pending.push((name, value));
                continue;
            }
            if name == "email" || name == "phone_number" {
                store::drop_pending_attribute(conn, &pool.pool_id, &user.username, Some(name))?;
            }
            attributes.insert(name.clone(), value.clone());
            if changed
                && (name == "email" || name == "phone_number")
                && !given(&verified)
                && attributes.contains_key(&verified)
            {
                attributes.insert(verified, "false".into());
            }
        }
        let missing = policy::missing_required(&pool.config.required_attributes, &attributes);
        if !missing.is_empty() {
            return Err(policy::schema_required_error(&missing));
        }
        user.attributes = attributes;
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        for (name, value) in pending {
            store::put_pending_attribute(conn, &pool.pool_id, &user.username, name, value, ctx.now())?;
            delivery::deliver_verification_code(ctx, conn, &pool, &user, name, value)?;
        }
        tracing::info!(pool = %pool.pool_id, username = %user.username, count = changes.len(), "local pool: attributes updated by admin");
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteAttributesReq {
    user_pool_id: Option<String>,
    username: Option<String>,
    user_attribute_names: Option<Vec<String>>,
}

/// AdminDeleteUserAttributes: removes the named attributes (absent ones are no error); `sub`
/// and the pool's required attributes cannot be deleted.
pub fn admin_delete_user_attributes(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DeleteAttributesReq = parse(body)?;
    let names = req
        .user_attribute_names
        .ok_or_else(|| ApiError::missing("userAttributeNames"))?;
    for n in &names {
        policy::check_attribute_name(n)?;
    }
    ctx.with_db(|conn| {
        let (pool, mut user) = admin_user(
            conn,
            AdminUserReq {
                user_pool_id: req.user_pool_id,
                username: req.username,
            },
        )?;
        let required: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| pool.config.required_attributes.iter().any(|r| r == n))
            .collect();
        if !required.is_empty() {
            return Err(policy::schema_required_error(&required));
        }
        for n in &names {
            user.attributes.remove(n);
        }
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        Ok(json!({}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminListDevicesReq {
    user_pool_id: Option<String>,
    username: Option<String>,
    limit: Option<i64>,
}

/// AdminListDevices: the embedded pool does not remember devices (no device tracking), so
/// every user honestly has none.
pub fn admin_list_devices(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminListDevicesReq = parse(body)?;
    check_limit(req.limit)?;
    ctx.read(|conn| {
        admin_user(
            conn,
            AdminUserReq {
                user_pool_id: req.user_pool_id,
                username: req.username,
            },
        )?;
        Ok(json!({"Devices": []}))
    })
}

// ---------------------------------------------------------------------------------------------
// AdminCreateUser, AdminSetUserPassword

/// A temporary password that satisfies `policy`.
fn temporary_password(policy: &PasswordPolicy) -> String {
    let mut rng = rand::thread_rng();
    let pick =
        |set: &[u8], rng: &mut rand::rngs::ThreadRng| set[rng.gen_range(0..set.len())] as char;
    let mut chars = vec![
        pick(b"ABCDEFGHJKLMNPQRSTUVWXYZ", &mut rng),
        pick(b"abcdefghijkmnopqrstuvwxyz", &mut rng),
        pick(b"23456789", &mut rng),
        pick(b"!#%^*-_=+", &mut rng),
    ];
    let len = (policy.minimum_length as usize).max(12);
    while chars.len() < len {
        chars.push(pick(
            b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789",
            &mut rng,
        ));
    }
    // Shuffle so the classes are not always in front.
    for i in (1..chars.len()).rev() {
        let j = rng.gen_range(0..=i);
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminCreateUserReq {
    user_pool_id: Option<String>,
    username: Option<String>,
    user_attributes: Option<Vec<AttributeIn>>,
    temporary_password: Option<String>,
    message_action: Option<String>,
    desired_delivery_mediums: Option<Vec<String>>,
}

/// AdminCreateUser: a FORCE_CHANGE_PASSWORD user whose invitation (username and temporary
/// password, purpose `INVITATION`) lands in the outbox unless MessageAction is SUPPRESS. The
/// next sign-in answers NEW_PASSWORD_REQUIRED. The pool's PreSignUp trigger runs first.
pub fn admin_create_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    hooks::pre_admin_create_user(ctx, &body)?;
    let req: AdminCreateUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        let given = required(req.username, "username")?;
        policy::check_username(&given)?;
        let action = req.message_action.unwrap_or_default();
        if !action.is_empty() && action != "RESEND" && action != "SUPPRESS" {
            return Err(ApiError::invalid_parameter(format!("Invalid MessageAction value: {}", echo(&action))));
        }
        let mediums = req.desired_delivery_mediums.unwrap_or_else(|| vec!["SMS".into()]);
        for m in &mediums {
            if m != "SMS" && m != "EMAIL" {
                return Err(ApiError::invalid_parameter(format!("Invalid DesiredDeliveryMediums value: {}", echo(m))));
            }
        }
        let temp = match req.temporary_password {
            Some(p) => {
                policy::check_password_shape(&p, "temporaryPassword")?;
                pool.config.password_policy.check(&p)?;
                p
            }
            None => temporary_password(&pool.config.password_policy),
        };
        let now = ctx.now();
        let mut user = if action == "RESEND" {
            let mut u = resolve_user(conn, &pool, &given)?.ok_or_else(ApiError::user_not_found)?;
            if u.status != "FORCE_CHANGE_PASSWORD" {
                return Err(ApiError::new(
                    ErrorKind::UnsupportedUserState,
                    format!("Resend not possible. {} status is not FORCE_CHANGE_PASSWORD", u.username),
                ));
            }
            u.modified = now;
            u
        } else {
            let mut attributes = std::collections::BTreeMap::new();
            for a in req.user_attributes.unwrap_or_default() {
                let name = required(a.name, "userAttributes.member.name")?;
                let value = a.value.unwrap_or_default();
                let value = policy::canonical_value(&name, value);
                user_schema::check_attribute(&pool.config.schema, &name, &value, None)?;
                attributes.insert(name, value);
            }
            let sub = uuid::Uuid::new_v4().to_string();
            let cfg = &pool.config;
            let username = if cfg.username_attributes.is_empty() {
                given.clone()
            } else {
                let attr = policy::username_attribute(&cfg.username_attributes, &given)?;
                attributes.insert(attr.to_string(), given.clone());
                sub.clone()
            };
            if resolve_user(conn, &pool, &given)?.is_some()
                || store::get_user(conn, &pool.pool_id, &username)?.is_some()
            {
                return Err(ApiError::new(ErrorKind::UsernameExists, "User account already exists"));
            }
            UserRecord {
                pool_id: pool.pool_id.clone(),
                username,
                sub,
                status: "FORCE_CHANGE_PASSWORD".into(),
                enabled: true,
                salt: String::new(),
                verifier: String::new(),
                attributes,
                created: now,
                modified: now,
                failed_attempts: 0,
                last_failure: None,
                locked_until: None,
            }
        };
        let salt = crate::srp::random_salt();
        let v = crate::srp::compute_verifier(crate::srp::pool_name(&pool.pool_id), &user.username, &temp, &salt);
        user.salt = crate::srp::to_hex(&salt);
        user.verifier = crate::srp::to_hex(&v);
        if action == "RESEND" {
            store::update_user(conn, &user)?;
        } else {
            store::insert_user(conn, &user)?;
        }
        if action != "SUPPRESS" {
            let sent_at = ctx.now_dt();
            for (medium, attr) in [("EMAIL", "email"), ("SMS", "phone_number")] {
                if !mediums.iter().any(|m| m == medium) {
                    continue;
                }
                if let Some(dest) = user.attributes.get(attr) {
                    delivery::send(
                        conn,
                        Message {
                            pool_id: &pool.pool_id,
                            username: &user.username,
                            medium,
                            destination: dest,
                            purpose: "INVITATION",
                            code: &temp,
                        },
                        sent_at,
                    )?;
                }
            }
        }
        tracing::info!(pool = %pool.pool_id, username = %user.username, "local pool: user created by admin");
        Ok(json!({"User": user_type(&user, None)}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminSetPasswordReq {
    user_pool_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    permanent: Option<bool>,
}

/// AdminSetUserPassword: CONFIRMED if Permanent, else FORCE_CHANGE_PASSWORD (a temporary one).
pub fn admin_set_user_password(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminSetPasswordReq = parse(body)?;
    ctx.with_db(|conn| {
        let password = required(req.password, "password")?;
        let (pool, mut user) = admin_user(
            conn,
            AdminUserReq {
                user_pool_id: req.user_pool_id,
                username: req.username,
            },
        )?;
        policy::check_password_shape(&password, "password")?;
        pool.config.password_policy.check(&password)?;
        let salt = crate::srp::random_salt();
        let v = crate::srp::compute_verifier(
            crate::srp::pool_name(&pool.pool_id),
            &user.username,
            &password,
            &salt,
        );
        user.salt = crate::srp::to_hex(&salt);
        user.verifier = crate::srp::to_hex(&v);
        user.status = if req.permanent.unwrap_or(false) {
            "CONFIRMED"
        } else {
            "FORCE_CHANGE_PASSWORD"
        }
        .into();
        user.failed_attempts = 0;
        user.locked_until = None;
        user.last_failure = None;
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
        ctx.verified.forget(&user.pool_id, &user.username);
        Ok(json!({}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_grammar() {
        assert_eq!(parse_filter("").unwrap(), None);
        assert_eq!(parse_filter("   ").unwrap(), None);
        let f = parse_filter(r#"email ^= "Al""#).unwrap().unwrap();
        assert_eq!(
            (f.attribute.as_str(), f.prefix, f.value.as_str()),
            ("email", true, "Al")
        );
        let f = parse_filter(r#"username="a\"b""#).unwrap().unwrap();
        assert_eq!(
            (f.attribute.as_str(), f.prefix, f.value.as_str()),
            ("username", false, "a\"b")
        );
        let f = parse_filter(r#"cognito:user_status = "unconfirmed""#)
            .unwrap()
            .unwrap();
        assert_eq!(f.attribute, "cognito:user_status");
        for bad in [
            r#"email "x""#,
            r#"email = x"#,
            r#"email = "x"#,
            r#"custom:team = "x""#,
            r#"email = "x" and name = "y""#,
            r#"= "x""#,
        ] {
            let e = parse_filter(bad).unwrap_err();
            assert_eq!(e.kind.as_str(), "InvalidParameterException", "{bad}");
        }
        assert!(parse_filter(&format!("email = \"{}\"", "x".repeat(300))).is_err());
    }
}
