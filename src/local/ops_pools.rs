//! Pool administration: CreateUserPool (with LambdaConfig and `Policies.SignInPolicy`),
//! UpdateUserPool, DescribeUserPool, ListUserPools, and the app clients (CreateUserPoolClient,
//! DescribeUserPoolClient, ListUserPoolClients). SigV4 operations on AWS and here.

use serde::Deserialize;
use serde_json::{Value, json};

use super::access::required;
use super::clients::{ClientReq, client_config, client_json, random_alnum};
use super::ctx::{Ctx, parse, pool_arn, request_region};
use super::error::{ApiError, ApiResult, echo};
use super::extras;
use super::jwt::KeyPair;
use super::paging::{check_max_results, make_page_token, read_page_token};
use super::policy::{self, PasswordPolicy};
use super::pool_settings;
use super::store::{self, ClientRow, PoolConfig, PoolRow};
use super::user_schema::{self, SchemaAttributeIn};

/// Builds a pool row with these signing keys; with `None` they are left for the key filler
/// (or [`Ctx::ensure_keys`], or the first token) to give it.
pub fn new_pool_row(
    pool_id: &str,
    name: &str,
    config: PoolConfig,
    now: i64,
    keys: Option<KeyPair>,
) -> PoolRow {
    let ((id_kid, id_key_pem), (access_kid, access_key_pem)) = keys.unwrap_or_default();
    PoolRow {
        pool_id: pool_id.to_string(),
        name: name.to_string(),
        config,
        created: now,
        modified: now,
        id_kid,
        id_key_pem,
        access_kid,
        access_key_pem,
    }
}

fn pool_json(conn: &rusqlite::Connection, p: &PoolRow) -> ApiResult<Value> {
    let c = &p.config;
    let mut v = json!({
        "Id": p.pool_id,
        "Name": p.name,
        "Arn": pool_arn(&p.pool_id),
        "Policies": {
            "PasswordPolicy": c.password_policy,
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        "DeletionProtection": c.deletion_protection,
        "LambdaConfig": {},
        "Status": "Enabled",
        "LastModifiedDate": p.modified,
        "CreationDate": p.created,
        "AutoVerifiedAttributes": c.auto_verified_attributes,
        "MfaConfiguration": c.mfa_configuration,
        "EstimatedNumberOfUsers": store::count_users(conn, &p.pool_id)?,
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": c.password_policy.temporary_password_validity_days},
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "UserPoolTier": "ESSENTIALS",
        "SchemaAttributes": user_schema::schema_attributes_json(&c.schema, &c.required_attributes),
    });
    pool_settings::decorate_pool_json(&c.messages, &mut v);
    v["UserAttributeUpdateSettings"] =
        pool_settings::update_settings_json(&c.attributes_require_verification);
    if let Some(r) = pool_settings::recovery_json(c.account_recovery.as_deref()) {
        v["AccountRecoverySetting"] = r;
    }
    if !c.username_attributes.is_empty() {
        v["UsernameAttributes"] = json!(c.username_attributes);
    }
    if !c.alias_attributes.is_empty() {
        v["AliasAttributes"] = json!(c.alias_attributes);
    }
    for d in store::pool_domains(conn, &p.pool_id)? {
        let key = if d.certificate_arn.is_some() {
            "CustomDomain"
        } else {
            "Domain"
        };
        v[key] = json!(d.domain);
    }
    extras::decorate_pool_json(conn, &p.pool_id, &mut v)?;
    Ok(v)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoliciesIn {
    password_policy: Option<PasswordPolicy>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateUserPoolReq {
    pool_name: Option<String>,
    policies: Option<PoliciesIn>,
    auto_verified_attributes: Option<Vec<String>>,
    alias_attributes: Option<Vec<String>>,
    username_attributes: Option<Vec<String>>,
    mfa_configuration: Option<String>,
    deletion_protection: Option<String>,
    schema: Option<Vec<SchemaAttributeIn>>,
}

/// Validates CreateUserPool settings into a PoolConfig (`body` gives the recovery setting and
/// the message templates).
fn pool_config(req: CreateUserPoolReq, body: &Value) -> ApiResult<(String, PoolConfig)> {
    let name = required(req.pool_name, "poolName")?;
    if name.is_empty()
        || name.chars().count() > 128
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c))
    {
        return Err(ApiError::invalid_parameter(
            "1 validation error detected: Value at 'poolName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ));
    }
    let password_policy = req
        .policies
        .and_then(|p| p.password_policy)
        .unwrap_or_default();
    password_policy.validate()?;
    let auto = req.auto_verified_attributes.unwrap_or_default();
    for a in &auto {
        if a != "email" && a != "phone_number" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid AutoVerifiedAttributes value: {}",
                echo(a)
            )));
        }
    }
    let alias = req.alias_attributes.unwrap_or_default();
    for a in &alias {
        if !["email", "phone_number", "preferred_username"].contains(&a.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid AliasAttributes value: {}",
                echo(a)
            )));
        }
    }
    let username_attrs = req.username_attributes.unwrap_or_default();
    for a in &username_attrs {
        if a != "email" && a != "phone_number" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid UsernameAttributes value: {}",
                echo(a)
            )));
        }
    }
    if !alias.is_empty() && !username_attrs.is_empty() {
        return Err(ApiError::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let mfa = req.mfa_configuration.unwrap_or_else(|| "OFF".into());
    match mfa.as_str() {
        "OFF" | "OPTIONAL" | "ON" => {}
        other => {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid MfaConfiguration value: {}",
                echo(other)
            )));
        }
    }
    let (schema, required_attributes) =
        user_schema::schema_from_request(&req.schema.unwrap_or_default())?;
    let account_recovery =
        pool_settings::recovery_from_request(body.get("AccountRecoverySetting"))?;
    let messages = pool_settings::templates_from_request(body)?;
    let attributes_require_verification = pool_settings::update_settings_from_request(body, &auto)?;
    let deletion_protection = req.deletion_protection.unwrap_or_else(|| "INACTIVE".into());
    if deletion_protection != "ACTIVE" && deletion_protection != "INACTIVE" {
        return Err(ApiError::invalid_parameter(
            "Invalid DeletionProtection value",
        ));
    }
    Ok((
        name,
        PoolConfig {
            password_policy,
            auto_verified_attributes: auto,
            username_attributes: username_attrs,
            alias_attributes: alias,
            mfa_configuration: mfa,
            deletion_protection,
            required_attributes,
            builtin_custom_challenge: false,
            schema,
            account_recovery,
            messages,
            attributes_require_verification,
        },
    ))
}

/// CreateUserPool, with `LambdaConfig` and `Policies.SignInPolicy`.
pub fn create_user_pool(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let extras = extras::extras_from_request(&body)?;
    let req: CreateUserPoolReq = parse(body.clone())?;
    let (name, config) = pool_config(req, &body)?;
    let pool_id = format!("{}_{}", request_region(), random_alnum(9, false));
    // A pair generated ahead of need; when none is ready the pool gets its own pair from the
    // filler in the background (or when it first signs a token), not on this request.
    let keys = ctx.key_stock.take();
    let row = new_pool_row(&pool_id, &name, config, ctx.now(), keys);
    ctx.with_db(|conn| {
        store::insert_pool(conn, &row)?;
        extras::save_extras(conn, &pool_id, &extras)?;
        tracing::info!(pool = %pool_id, "local pool: user pool created");
        Ok(json!({"UserPool": pool_json(conn, &row)?}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolIdReq {
    user_pool_id: Option<String>,
}

pub fn describe_user_pool(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: PoolIdReq = parse(body)?;
    ctx.read(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        Ok(json!({"UserPool": pool_json(conn, &pool)?}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListReq {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub fn list_user_pools(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListReq = parse(body)?;
    let limit = check_max_results(req.max_results, true)?;
    let now = ctx.now();
    ctx.read(|conn| {
        let after = match req.next_token.as_deref() {
            Some(t) => Some(read_page_token("pools", t, now, None)?),
            None => None,
        };
        let pools: Vec<PoolRow> = store::list_pools(conn)?
            .into_iter()
            .filter(|p| {
                after
                    .as_ref()
                    .is_none_or(|a| p.pool_id.as_str() > a.as_str())
            })
            .collect();
        let page = &pools[..pools.len().min(limit)];
        let items: Vec<Value> = page
            .iter()
            .map(|p| {
                let lambda = extras::load_extras(conn, &p.pool_id)
                    .map(|e| e.lambda.to_json())
                    .unwrap_or_else(|_| json!({}));
                json!({"Id": p.pool_id, "Name": p.name, "LambdaConfig": lambda, "Status": "Enabled",
                       "LastModifiedDate": p.modified, "CreationDate": p.created})
            })
            .collect();
        let mut out = json!({"UserPools": items});
        if pools.len() > limit
            && let Some(last) = page.last()
        {
            out["NextToken"] = json!(make_page_token("pools", &last.pool_id, now));
        }
        Ok(out)
    })
}

// ---------------------------------------------------------------------------------------------
// App clients

pub fn create_user_pool_client(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ClientReq = parse(body)?;
    let config = client_config(&req)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let name = required(req.client_name, "clientName")?;
    if name.is_empty() || name.chars().count() > 128 {
        return Err(ApiError::invalid_parameter(
            "ClientName must be between 1 and 128 characters",
        ));
    }
    let now = ctx.now();
    ctx.with_db(|conn| {
        store::require_pool(conn, &pool_id)?;
        let row = ClientRow {
            client_id: random_alnum(26, true),
            pool_id: pool_id.clone(),
            name,
            secret: req
                .generate_secret
                .unwrap_or(false)
                .then(|| random_alnum(51, true)),
            config,
            created: now,
            modified: now,
        };
        store::insert_client(conn, &row)?;
        tracing::info!(pool = %pool_id, client = %row.client_id, "local pool: app client created");
        Ok(json!({"UserPoolClient": client_json(&row)}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeClientReq {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

pub fn describe_user_pool_client(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DescribeClientReq = parse(body)?;
    ctx.read(|conn| {
        let pool_id = required(req.user_pool_id, "userPoolId")?;
        let client_id = required(req.client_id, "clientId")?;
        store::require_pool(conn, &pool_id)?;
        match store::get_client(conn, &client_id)? {
            Some(c) if c.pool_id == pool_id => Ok(json!({"UserPoolClient": client_json(&c)})),
            _ => Err(ApiError::resource_not_found(format!(
                "User pool client {} does not exist.",
                echo(&client_id)
            ))),
        }
    })
}

pub fn list_user_pool_clients(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListReq = parse(body)?;
    let limit = check_max_results(req.max_results, false)?;
    let now = ctx.now();
    ctx.read(|conn| {
        let pool_id = required(req.user_pool_id, "userPoolId")?;
        store::require_pool(conn, &pool_id)?;
        let after = match req.next_token.as_deref() {
            Some(t) => Some(read_page_token("clients", t, now, None)?),
            None => None,
        };
        let clients: Vec<ClientRow> = store::list_clients(conn, &pool_id)?
            .into_iter()
            .filter(|c| {
                after
                    .as_ref()
                    .is_none_or(|a| c.client_id.as_str() > a.as_str())
            })
            .collect();
        let page = &clients[..clients.len().min(limit)];
        let items: Vec<Value> = page
            .iter()
            .map(
                |c| json!({"ClientId": c.client_id, "UserPoolId": c.pool_id, "ClientName": c.name}),
            )
            .collect();
        let mut out = json!({"UserPoolClients": items});
        if clients.len() > limit
            && let Some(last) = page.last()
        {
            out["NextToken"] = json!(make_page_token("clients", &last.client_id, now));
        }
        Ok(out)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdatePoolReq {
    user_pool_id: Option<String>,
    policies: Option<Value>,
    auto_verified_attributes: Option<Vec<String>>,
    mfa_configuration: Option<String>,
    deletion_protection: Option<String>,
}

/// UpdateUserPool. As on Cognito, a setting left out of the request goes back to its default
/// (no triggers, PASSWORD only, the default password policy, no auto-verified attributes,
/// deletion protection INACTIVE, no recovery setting, the default message templates);
/// MfaConfiguration is kept unless given.
pub fn update_user_pool(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let extras = extras::extras_from_request(&body)?;
    let account_recovery =
        pool_settings::recovery_from_request(body.get("AccountRecoverySetting"))?;
    let messages = pool_settings::templates_from_request(&body)?;
    let update_settings = body.clone();
    let req: UpdatePoolReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let password_policy = match req
        .policies
        .as_ref()
        .and_then(|p| p.get("PasswordPolicy"))
        .filter(|p| !p.is_null())
    {
        Some(p) => serde_json::from_value::<policy::PasswordPolicy>(p.clone())
            .map_err(|e| ApiError::invalid_parameter(format!("Invalid PasswordPolicy: {e}")))?,
        None => policy::PasswordPolicy::default(),
    };
    password_policy.validate()?;
    let auto = req.auto_verified_attributes.unwrap_or_default();
    for a in &auto {
        if a != "email" && a != "phone_number" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid AutoVerifiedAttributes value: {}",
                echo(a)
            )));
        }
    }
    let attributes_require_verification =
        pool_settings::update_settings_from_request(&update_settings, &auto)?;
    let deletion = req.deletion_protection.unwrap_or_else(|| "INACTIVE".into());
    if deletion != "ACTIVE" && deletion != "INACTIVE" {
        return Err(ApiError::invalid_parameter(
            "Invalid DeletionProtection value",
        ));
    }
    if let Some(m) = &req.mfa_configuration
        && !["OFF", "ON", "OPTIONAL"].contains(&m.as_str())
    {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid MfaConfiguration value: {}",
            echo(m)
        )));
    }
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &pool_id)?;
        let config = PoolConfig {
            password_policy,
            auto_verified_attributes: auto,
            deletion_protection: deletion,
            account_recovery,
            messages,
            attributes_require_verification,
            mfa_configuration: req
                .mfa_configuration
                .clone()
                .unwrap_or_else(|| pool.config.mfa_configuration.clone()),
            ..pool.config.clone()
        };
        store::update_pool_config(conn, &pool.pool_id, &config, ctx.now())?;
        extras::save_extras(conn, &pool.pool_id, &extras)?;
        tracing::info!(pool = %pool.pool_id, triggers = extras.lambda.0.len(), "local pool: user pool updated");
        Ok(json!({}))
    })
}
