//! The triggers of sign-in, tokens and messages, at the points Cognito calls them:
//! UserMigration (a sign-in or ForgotPassword for an unknown user), PreAuthentication,
//! PreTokenGeneration (V1: the ID token; V2: both tokens, and the access token's scopes),
//! PostAuthentication, and CustomMessage (the text of what the outbox shows). Each runs
//! outside the store's write lock, through [`hooks::invoke`].

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::access::resolve_user;
use super::ctx::Ctx;
use super::delivery::PendingMessage;
use super::error::{ApiError, ApiResult, ErrorKind};
use super::extras::{PoolExtras, load_extras};
use super::hooks::{self, client_metadata, opt_string, user_attributes};
use super::policy;
use super::runner::unrecognizable;
use super::store::{self, ClientRow, PoolRow, UserRecord};
use super::user_schema;

/// The client, its pool and the pool's triggers, read on a snapshot.
fn client_pool(
    ctx: &Ctx,
    client_id: Option<&str>,
) -> ApiResult<Option<(ClientRow, PoolRow, PoolExtras)>> {
    let Some(cid) = client_id else {
        return Ok(None);
    };
    ctx.read(|conn| {
        let Some(client) = store::get_client(conn, cid)? else {
            return Ok(None);
        };
        let Some(pool) = store::get_pool(conn, &client.pool_id)? else {
            return Ok(None);
        };
        let extras = load_extras(conn, &pool.pool_id)?;
        Ok(Some((client, pool, extras)))
    })
}

// ---------------------------------------------------------------------------------------------
// Before a sign-in: UserMigration and PreAuthentication

/// Runs before a sign-in's first factor (InitiateAuth, AdminInitiateAuth): an unknown user
/// signing in with a password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH) is migrated by
/// the pool's UserMigration trigger (`UserMigration_Authentication`), and a known user's
/// sign-in goes through PreAuthentication (`PreAuthentication_Authentication`), whose error
/// refuses it. `admin_pool` is AdminInitiateAuth's UserPoolId.
pub fn before_sign_in(
    ctx: &Ctx,
    client_id: Option<&str>,
    admin_pool: Option<&str>,
    flow: &str,
    params: &HashMap<String, String>,
    metadata: Option<&Value>,
) -> ApiResult<()> {
    let Some(name) = params.get("USERNAME").filter(|n| !n.is_empty()) else {
        return Ok(());
    };
    let Some((client, pool, extras)) = client_pool(ctx, client_id)? else {
        return Ok(());
    };
    let allowed = match flow {
        "ADMIN_NO_SRP_AUTH" => client.config.allows("ADMIN_USER_PASSWORD_AUTH"),
        f => client.config.allows(f),
    };
    if admin_pool.is_some_and(|p| p != pool.pool_id) || !allowed {
        return Ok(());
    }
    let migrate = extras.lambda.command("UserMigration");
    let pre_auth = extras.lambda.command("PreAuthentication");
    if migrate.is_none() && pre_auth.is_none() {
        return Ok(());
    }
    let mut user = ctx.read(|conn| resolve_user(conn, &pool, name))?;
    let with_password = matches!(
        flow,
        "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH"
    );
    if user.is_none()
        && let (Some(value), true, Some(password)) =
            (migrate, with_password, params.get("PASSWORD"))
    {
        let ev = hooks::event(
            "UserMigration_Authentication",
            &pool.pool_id,
            name,
            Some(&client.client_id),
            json!({
                "password": password,
                "validationData": {},
                "clientMetadata": client_metadata(metadata),
            }),
            migration_response_template(),
        );
        let r = hooks::invoke(ctx, "UserMigration", value, &ev)?;
        user = Some(migrate_user(ctx, &pool, &client, name, Some(password), &r)?);
    }
    if let (Some(u), Some(value)) = (user, pre_auth) {
        let ev = hooks::event(
            "PreAuthentication_Authentication",
            &pool.pool_id,
            &u.username,
            Some(&client.client_id),
            json!({
                "userAttributes": user_attributes(&u),
                "validationData": {},
                "userNotFound": false,
            }),
            json!({}),
        );
        hooks::invoke(ctx, "PreAuthentication", value, &ev)?;
    }
    Ok(())
}

/// ForgotPassword for a user the pool does not know: the UserMigration trigger
/// (`UserMigration_ForgotPassword`, no password) may bring the user in, in RESET_REQUIRED, so
/// that the code goes out as for any user.
pub fn migrate_for_forgot_password(ctx: &Ctx, body: &Value) -> ApiResult<()> {
    let client_id = body.get("ClientId").and_then(Value::as_str);
    let Some(name) = body
        .get("Username")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return Ok(());
    };
    let Some((client, pool, extras)) = client_pool(ctx, client_id)? else {
        return Ok(());
    };
    let Some(value) = extras.lambda.command("UserMigration") else {
        return Ok(());
    };
    if ctx.read(|conn| resolve_user(conn, &pool, name))?.is_some() {
        return Ok(());
    }
    let ev = hooks::event(
        "UserMigration_ForgotPassword",
        &pool.pool_id,
        name,
        Some(&client.client_id),
        json!({"validationData": {}, "clientMetadata": client_metadata(body.get("ClientMetadata"))}),
        migration_response_template(),
    );
    let r = hooks::invoke(ctx, "UserMigration", value, &ev)?;
    migrate_user(ctx, &pool, &client, name, None, &r).map(|_| ())
}

fn migration_response_template() -> Value {
    json!({
        "userAttributes": null,
        "finalUserStatus": null,
        "messageAction": null,
        "desiredDeliveryMediums": null,
        "forceAliasCreation": null,
        "enableSMSMFA": null,
    })
}

/// Creates the user a UserMigration trigger answered with: its `userAttributes`, the
/// password the sign-in gave (a random one for ForgotPassword, whose user must reset it), and
/// `finalUserStatus` (CONFIRMED, or RESET_REQUIRED; ForgotPassword's users are always
/// RESET_REQUIRED). A response without `userAttributes` did not migrate anyone.
fn migrate_user(
    ctx: &Ctx,
    pool: &PoolRow,
    client: &ClientRow,
    name: &str,
    password: Option<&str>,
    r: &Map<String, Value>,
) -> ApiResult<UserRecord> {
    let not_migrated = || {
        ApiError::new(
            ErrorKind::UserNotFound,
            format!(
                "Exception migrating user in app client {}",
                client.client_id
            ),
        )
    };
    let attrs = match r.get("userAttributes") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => return Err(not_migrated()),
        Some(_) => return Err(unrecognizable()),
    };
    let status = match (opt_string(r, "finalUserStatus")?.as_deref(), password) {
        (_, None) => "RESET_REQUIRED",
        (None | Some("CONFIRMED"), Some(_)) => "CONFIRMED",
        (Some("RESET_REQUIRED"), Some(_)) => "RESET_REQUIRED",
        (Some(_), Some(_)) => return Err(unrecognizable()),
    };
    match opt_string(r, "messageAction")?.as_deref() {
        None | Some("SUPPRESS") | Some("RESEND") => {}
        Some(_) => return Err(unrecognizable()),
    }
    let mut attributes = std::collections::BTreeMap::new();
    for (k, v) in attrs {
        if k == "sub" || k.starts_with("cognito:") {
            continue;
        }
        let v = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err(unrecognizable()),
        };
        user_schema::check_user_attribute(&pool.config.schema, k, &v, None)?;
        attributes.insert(k.clone(), v);
    }
    let sub = uuid::Uuid::new_v4().to_string();
    let cfg = &pool.config;
    let username = if cfg.username_attributes.is_empty() {
        name.to_string()
    } else {
        let attr = policy::username_attribute(&cfg.username_attributes, name)?;
        attributes
            .entry(attr.to_string())
            .or_insert_with(|| name.to_string());
        sub.clone()
    };
    let random;
    let password = match password {
        Some(p) => p,
        None => {
            random = uuid::Uuid::new_v4().to_string();
            &random
        }
    };
    let salt = crate::srp::random_salt();
    let verifier = crate::srp::compute_verifier(
        crate::srp::pool_name(&pool.pool_id),
        &username,
        password,
        &salt,
    );
    let now = ctx.now();
    let user = UserRecord {
        pool_id: pool.pool_id.clone(),
        username: username.clone(),
        sub,
        status: status.into(),
        enabled: true,
        salt: crate::srp::to_hex(&salt),
        verifier: crate::srp::to_hex(&verifier),
        attributes,
        created: now,
        modified: now,
        failed_attempts: 0,
        last_failure: None,
        locked_until: None,
    };
    ctx.with_db(|conn| {
        if let Some(existing) = resolve_user(conn, pool, name)? {
            // Migrated meanwhile by a concurrent request: that one stands.
            return Ok(existing);
        }
        store::insert_user(conn, &user)?;
        Ok(user.clone())
    })
    .inspect(|u| {
        tracing::info!(pool = %pool.pool_id, username = %u.username, status = %u.status, "local pool: user migrated");
    })
}

// ---------------------------------------------------------------------------------------------
// PreTokenGeneration and PostAuthentication

/// What a sign-in's tokens are made for, as the token triggers see it.
pub struct TokenSubject<'a> {
    pub pool_id: &'a str,
    pub client_id: &'a str,
    pub user: &'a UserRecord,
    /// `TokenGeneration_Authentication`, `TokenGeneration_RefreshTokens`, ...
    pub source: &'a str,
}

/// Claims a trigger may not change (Cognito keeps them as it made them).
const PROTECTED: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "client_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "event_id",
    "sub",
    "token_use",
    "username",
    "scope",
];

fn protected(claim: &str) -> bool {
    PROTECTED.contains(&claim) || claim.starts_with("cognito:")
}

/// Runs the pool's PreTokenGeneration trigger (`value`, event `version` 1 or 2) and applies its
/// answer to the unsigned claims: V1's `claimsOverrideDetails` to the ID token; V2's
/// `claimsAndScopeOverrideDetails` to both tokens and the access token's scopes; either's
/// `groupOverrideDetails` to `cognito:groups` (both tokens), `cognito:roles` and
/// `cognito:preferred_role` (ID token). Protected claims (`sub`, `exp`, `cognito:*`, …) keep
/// their values.
pub fn pre_token_generation(
    ctx: &Ctx,
    value: &str,
    version: u8,
    subject: &TokenSubject<'_>,
    id: &mut Value,
    access: &mut Value,
) -> ApiResult<()> {
    let strings = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let scopes: Vec<String> = access
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut request = json!({
        "userAttributes": user_attributes(subject.user),
        "groupConfiguration": {
            "groupsToOverride": strings(id.get("cognito:groups")),
            "iamRolesToOverride": strings(id.get("cognito:roles")),
            "preferredRole": id.get("cognito:preferred_role").cloned().unwrap_or(Value::Null),
        },
        "clientMetadata": {},
    });
    let response = if version >= 2 {
        request["scopes"] = json!(scopes);
        json!({"claimsAndScopeOverrideDetails": null})
    } else {
        json!({"claimsOverrideDetails": null})
    };
    let mut ev = hooks::event(
        subject.source,
        subject.pool_id,
        &subject.user.username,
        Some(subject.client_id),
        request,
        response,
    );
    ev["version"] = json!(version.to_string());
    let r = hooks::invoke(ctx, "PreTokenGeneration", value, &ev)?;
    let details_key = if version >= 2 {
        "claimsAndScopeOverrideDetails"
    } else {
        "claimsOverrideDetails"
    };
    let details = match r.get(details_key) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(unrecognizable()),
    };
    if version >= 2 {
        if let Some(g) = object(details, "idTokenGeneration")? {
            apply_claims(g, id, false)?;
        }
        if let Some(g) = object(details, "accessTokenGeneration")? {
            apply_claims(g, access, false)?;
            apply_scopes(g, access)?;
        }
    } else {
        apply_claims(details, id, true)?;
    }
    if let Some(g) = object(details, "groupOverrideDetails")? {
        apply_groups(g, id, access)?;
    }
    Ok(())
}

fn object<'a>(m: &'a Map<String, Value>, key: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(unrecognizable()),
    }
}

fn string_list(m: &Map<String, Value>, key: &str) -> ApiResult<Option<Vec<String>>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(unrecognizable))
            .collect::<ApiResult<Vec<_>>>()
            .map(Some),
        Some(_) => Err(unrecognizable()),
    }
}

/// `claimsToAddOrOverride` and `claimsToSuppress` on one token. V1 takes only strings,
/// numbers and booleans; V2 any JSON value.
fn apply_claims(g: &Map<String, Value>, token: &mut Value, v1: bool) -> ApiResult<()> {
    let Value::Object(claims) = token else {
        return Ok(());
    };
    if let Some(add) = object(g, "claimsToAddOrOverride")? {
        for (k, v) in add {
            if v1 && (v.is_array() || v.is_object()) {
                return Err(unrecognizable());
            }
            if !protected(k) && !v.is_null() {
                claims.insert(k.clone(), v.clone());
            }
        }
    }
    for k in string_list(g, "claimsToSuppress")?.unwrap_or_default() {
        if !protected(&k) {
            claims.remove(&k);
        }
    }
    Ok(())
}

fn apply_scopes(g: &Map<String, Value>, access: &mut Value) -> ApiResult<()> {
    let add = string_list(g, "scopesToAdd")?.unwrap_or_default();
    let drop = string_list(g, "scopesToSuppress")?.unwrap_or_default();
    if add.is_empty() && drop.is_empty() {
        return Ok(());
    }
    let mut scopes: Vec<String> = access
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    for s in add {
        if !s.is_empty() && !s.contains(char::is_whitespace) && !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    scopes.retain(|s| !drop.contains(s));
    access["scope"] = json!(scopes.join(" "));
    Ok(())
}

fn apply_groups(g: &Map<String, Value>, id: &mut Value, access: &mut Value) -> ApiResult<()> {
    let set = |token: &mut Value, key: &str, v: Option<Value>| {
        if let Value::Object(m) = token {
            match v {
                Some(v) => m.insert(key.to_string(), v),
                None => m.remove(key),
            };
        }
    };
    if let Some(groups) = string_list(g, "groupsToOverride")? {
        let v = (!groups.is_empty()).then(|| json!(groups));
        set(id, "cognito:groups", v.clone());
        set(access, "cognito:groups", v);
    }
    if let Some(roles) = string_list(g, "iamRolesToOverride")? {
        set(
            id,
            "cognito:roles",
            (!roles.is_empty()).then(|| json!(roles)),
        );
    }
    match g.get("preferredRole") {
        None => {}
        Some(Value::Null) => set(id, "cognito:preferred_role", None),
        Some(Value::String(r)) => set(id, "cognito:preferred_role", Some(json!(r))),
        Some(_) => return Err(unrecognizable()),
    }
    Ok(())
}

/// Runs PostAuthentication (`PostAuthentication_Authentication`) after a sign-in succeeded;
/// its error refuses the sign-in.
pub fn post_authentication(ctx: &Ctx, value: &str, subject: &TokenSubject<'_>) -> ApiResult<()> {
    let ev = hooks::event(
        "PostAuthentication_Authentication",
        subject.pool_id,
        &subject.user.username,
        Some(subject.client_id),
        json!({
            "userAttributes": user_attributes(subject.user),
            "newDeviceUsed": false,
            "clientMetadata": {},
        }),
        json!({}),
    );
    hooks::invoke(ctx, "PostAuthentication", value, &ev).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// CustomMessage

/// Cognito's CustomMessage trigger source for a message sent by `operation` for `purpose`.
fn message_source(operation: &str, purpose: &str) -> &'static str {
    match (operation, purpose) {
        ("ResendConfirmationCode", _) => "CustomMessage_ResendCode",
        (_, "SIGN_UP") => "CustomMessage_SignUp",
        (_, "FORGOT_PASSWORD") => "CustomMessage_ForgotPassword",
        ("AdminCreateUser", _) | (_, "INVITATION") => "CustomMessage_AdminCreateUser",
        ("UpdateUserAttributes" | "AdminUpdateUserAttributes", _) => {
            "CustomMessage_UpdateUserAttribute"
        }
        (_, "VERIFY_EMAIL" | "VERIFY_PHONE_NUMBER") => "CustomMessage_VerifyUserAttribute",
        _ => "CustomMessage_Authentication",
    }
}

/// Runs the CustomMessage trigger for each message the request put in the outbox of a pool
/// that has one (after the request's transaction committed): its `emailMessage` /
/// `emailSubject` (email) or `smsMessage` (SMS) become the outbox entry's text, with `{####}`
/// (and `{username}`) filled in. A message without `{####}` is not used: the template's text
/// stays, as Cognito sends its default then. The trigger's error is the request's.
pub fn custom_messages(
    ctx: &Ctx,
    operation: &str,
    client_id: Option<&str>,
    pending: Vec<PendingMessage>,
) -> ApiResult<()> {
    for m in pending {
        let found = ctx.read(|conn| {
            if !store::outbox_entry_is(conn, m.outbox_id, &m.code)? {
                // The request's transaction did not keep it.
                return Ok(None);
            }
            let user = store::get_user(conn, &m.pool_id, &m.username)?;
            let extras = load_extras(conn, &m.pool_id)?;
            Ok(user.zip(extras.lambda.command("CustomMessage").map(str::to_string)))
        })?;
        let Some((user, value)) = found else {
            continue;
        };
        let ev = hooks::event(
            message_source(operation, &m.purpose),
            &m.pool_id,
            &user.username,
            client_id,
            json!({
                "userAttributes": user_attributes(&user),
                "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}",
                "usernameParameter": if m.purpose == "INVITATION" { json!("{username}") } else { Value::Null },
                "clientMetadata": {},
            }),
            json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
        );
        let r = hooks::invoke(ctx, "CustomMessage", &value, &ev)?;
        let email = m.medium == "EMAIL";
        let text = opt_string(&r, if email { "emailMessage" } else { "smsMessage" })?;
        let subject = opt_string(&r, "emailSubject")?;
        let Some(text) = text.filter(|t| t.contains("{####}")) else {
            tracing::info!(pool = %m.pool_id, "local pool: CustomMessage gave no text with {{####}}; the template's stays");
            continue;
        };
        let fill = |t: &str| {
            t.replace("{####}", &m.code)
                .replace("{username}", &user.username)
        };
        let message = fill(&text);
        let subject = if email {
            subject.map(|s| fill(&s))
        } else {
            None
        };
        ctx.with_db(|conn| {
            store::set_outbox_message(conn, m.outbox_id, &message, subject.as_deref())
        })?;
    }
    Ok(())
}
