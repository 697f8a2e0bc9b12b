//! Pool administration (SigV4 operations on AWS; unsigned here): pools, app clients, ListUsers
//! with its filter grammar and paging (PROTOCOL.md §2.4), AdminConfirmSignUp.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::jwt;
use super::ops_auth::resolve_user;
use super::policy::{self, PasswordPolicy};
use super::server::{Ctx, parse};
use super::store::{self, ClientConfig, ClientRow, PoolConfig, PoolRow, UserRecord};

/// The region embedded in the ids of pools this server creates.
pub const REGION: &str = "us-east-1";
/// The account id in ARNs.
pub const ACCOUNT: &str = "000000000000";
/// ListUsers pagination tokens expire after an hour.
pub const PAGE_TOKEN_TTL: i64 = 3600;

pub(crate) fn required(v: Option<String>, member: &str) -> ApiResult<String> {
    v.ok_or_else(|| ApiError::missing(member))
}

fn random_alnum(n: usize, lowercase: bool) -> String {
    let s: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect();
    if lowercase { s.to_lowercase() } else { s }
}

/// Two fresh RSA keys (ID, access), generated in parallel: this takes a moment.
pub fn generate_key_pair() -> anyhow::Result<((String, String), (String, String))> {
    let (id_key, access_key) = std::thread::scope(|s| {
        let a = s.spawn(jwt::generate_key);
        let b = jwt::generate_key();
        (a.join(), b)
    });
    let id_key = id_key.map_err(|_| anyhow::anyhow!("key generation panicked"))??;
    Ok((id_key, access_key?))
}

/// Builds a pool row; with `keys: false` its signing keys are left for
/// [`Ctx::ensure_keys`](super::server::Ctx::ensure_keys) to generate in the background.
pub fn new_pool_row(
    pool_id: &str,
    name: &str,
    config: PoolConfig,
    now: i64,
    keys: bool,
) -> anyhow::Result<PoolRow> {
    let ((id_kid, id_key_pem), (access_kid, access_key_pem)) = if keys {
        generate_key_pair()?
    } else {
        Default::default()
    };
    Ok(PoolRow {
        pool_id: pool_id.to_string(),
        name: name.to_string(),
        config,
        created: now,
        modified: now,
        id_kid,
        id_key_pem,
        access_kid,
        access_key_pem,
    })
}

fn pool_json(conn: &rusqlite::Connection, p: &PoolRow) -> ApiResult<Value> {
    let c = &p.config;
    let mut v = json!({
        "Id": p.pool_id,
        "Name": p.name,
        "Arn": format!("arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{}", p.pool_id),
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
        "SchemaAttributes": policy::schema_attributes_json(&c.required_attributes),
    });
    if !c.username_attributes.is_empty() {
        v["UsernameAttributes"] = json!(c.username_attributes);
    }
    if !c.alias_attributes.is_empty() {
        v["AliasAttributes"] = json!(c.alias_attributes);
    }
    super::ops_custom::decorate_pool_json(conn, &p.pool_id, &mut v)?;
    Ok(v)
}

/// A validity in seconds as (value, unit) in the largest unit that divides it evenly.
fn in_units(seconds: i64) -> (i64, &'static str) {
    for (unit, size) in [("days", 86400), ("hours", 3600), ("minutes", 60)] {
        if seconds % size == 0 {
            return (seconds / size, unit);
        }
    }
    (seconds, "seconds")
}

fn client_json(c: &ClientRow) -> Value {
    let cfg = &c.config;
    let (access_value, access_unit) = in_units(cfg.access_token_validity);
    let (id_value, id_unit) = in_units(cfg.id_token_validity);
    let (refresh_value, refresh_unit) = in_units(cfg.refresh_token_validity);
    let mut v = json!({
        "UserPoolId": c.pool_id,
        "ClientName": c.name,
        "ClientId": c.client_id,
        "LastModifiedDate": c.modified,
        "CreationDate": c.created,
        "RefreshTokenValidity": refresh_value,
        "AccessTokenValidity": access_value,
        "IdTokenValidity": id_value,
        "TokenValidityUnits": {"AccessToken": access_unit, "IdToken": id_unit, "RefreshToken": refresh_unit},
        "ExplicitAuthFlows": cfg.explicit_auth_flows,
        "AllowedOAuthFlowsUserPoolClient": false,
        "PreventUserExistenceErrors": cfg.prevent_user_existence_errors,
        "EnableTokenRevocation": cfg.enable_token_revocation,
        "EnablePropagateAdditionalUserContextData": false,
        "AuthSessionValidity": cfg.auth_session_validity,
    });
    if let Some(s) = &c.secret {
        v["ClientSecret"] = json!(s);
    }
    if !cfg.read_attributes.is_empty() {
        v["ReadAttributes"] = json!(cfg.read_attributes);
    }
    if !cfg.write_attributes.is_empty() {
        v["WriteAttributes"] = json!(cfg.write_attributes);
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Pagination tokens: opaque base64url of a small JSON document.

#[derive(Serialize, Deserialize)]
struct PageToken {
    k: String,
    a: String,
    t: i64,
}

fn make_page_token(kind: &str, after: &str, now: i64) -> String {
    let t = PageToken {
        k: kind.into(),
        a: after.into(),
        t: now,
    };
    B64URL.encode(serde_json::to_vec(&t).unwrap_or_default())
}

fn read_page_token(kind: &str, token: &str, now: i64, ttl: Option<i64>) -> ApiResult<String> {
    let bad = || ApiError::invalid_parameter("Invalid pagination token.");
    let bytes = B64URL.decode(token.trim()).map_err(|_| bad())?;
    let t: PageToken = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if t.k != kind {
        return Err(bad());
    }
    if let Some(ttl) = ttl
        && now - t.t > ttl
    {
        return Err(ApiError::invalid_parameter("Pagination token expired."));
    }
    Ok(t.a)
}

// ---------------------------------------------------------------------------------------------
// CreateUserPool, DescribeUserPool, ListUserPools

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

/// One entry of CreateUserPool's `Schema` (only what the pool keeps: which are required).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SchemaAttributeIn {
    name: Option<String>,
    required: Option<bool>,
}

/// Validates CreateUserPool settings into a PoolConfig.
fn pool_config(req: CreateUserPoolReq) -> ApiResult<(String, PoolConfig)> {
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
                "Invalid AutoVerifiedAttributes value: {a}"
            )));
        }
    }
    let alias = req.alias_attributes.unwrap_or_default();
    for a in &alias {
        if !["email", "phone_number", "preferred_username"].contains(&a.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid AliasAttributes value: {a}"
            )));
        }
    }
    let username_attrs = req.username_attributes.unwrap_or_default();
    for a in &username_attrs {
        if a != "email" && a != "phone_number" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid UsernameAttributes value: {a}"
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
                "Invalid MfaConfiguration value: {other}"
            )));
        }
    }
    let schema: Vec<(String, bool)> = req
        .schema
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.name.unwrap_or_default(), a.required.unwrap_or(false)))
        .collect();
    let required_attributes = policy::required_from_schema(&schema)?;
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
        },
    ))
}

pub fn create_user_pool(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: CreateUserPoolReq = parse(body)?;
    let (name, config) = pool_config(req)?;
    let pool_id = format!("{REGION}_{}", random_alnum(9, false));
    // Key generation happens outside the store lock.
    let row = new_pool_row(&pool_id, &name, config, ctx.now(), true).map_err(|e| {
        tracing::error!(error = %e, "local pool: key generation failed");
        ApiError::internal("Internal error: key generation failed")
    })?;
    ctx.with_db(|conn| {
        store::insert_pool(conn, &row)?;
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
    ctx.with_db(|conn| {
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

fn check_max_results(n: Option<i64>, required_member: bool) -> ApiResult<usize> {
    match n {
        None if required_member => Err(ApiError::missing("maxResults")),
        None => Ok(60),
        Some(n) if (1..=60).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy \
             constraint: Member must have value between 1 and 60"
        ))),
    }
}

pub fn list_user_pools(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListReq = parse(body)?;
    let limit = check_max_results(req.max_results, true)?;
    let now = ctx.now();
    ctx.with_db(|conn| {
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
                let lambda = super::ops_custom::load_extras(conn, &p.pool_id)
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

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct TokenValidityUnits {
    access_token: Option<String>,
    id_token: Option<String>,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateClientReq {
    user_pool_id: Option<String>,
    client_name: Option<String>,
    generate_secret: Option<bool>,
    refresh_token_validity: Option<i64>,
    access_token_validity: Option<i64>,
    id_token_validity: Option<i64>,
    token_validity_units: Option<TokenValidityUnits>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<String>,
    enable_token_revocation: Option<bool>,
    auth_session_validity: Option<i64>,
}

const AUTH_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

fn seconds(value: i64, unit: Option<&str>, default_unit: &str) -> ApiResult<i64> {
    let mult = match unit.unwrap_or(default_unit) {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        other => {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid TimeUnitsType value: {other}"
            )));
        }
    };
    value
        .checked_mul(mult)
        .ok_or_else(|| ApiError::invalid_parameter("Token validity out of range"))
}

fn client_config(req: &CreateClientReq) -> ApiResult<ClientConfig> {
    let mut cfg = ClientConfig::default();
    let units = req.token_validity_units.as_ref();
    if let Some(v) = req.access_token_validity {
        cfg.access_token_validity =
            seconds(v, units.and_then(|u| u.access_token.as_deref()), "hours")?;
    }
    if let Some(v) = req.id_token_validity {
        cfg.id_token_validity = seconds(v, units.and_then(|u| u.id_token.as_deref()), "hours")?;
    }
    if let Some(v) = req.refresh_token_validity {
        cfg.refresh_token_validity =
            seconds(v, units.and_then(|u| u.refresh_token.as_deref()), "days")?;
    }
    for (what, v) in [
        ("AccessTokenValidity", cfg.access_token_validity),
        ("IdTokenValidity", cfg.id_token_validity),
    ] {
        if !(300..=86400).contains(&v) {
            return Err(ApiError::invalid_parameter(format!(
                "{what} must be between 5 minutes and 1 day"
            )));
        }
    }
    if !(3600..=10 * 365 * 86400).contains(&cfg.refresh_token_validity) {
        return Err(ApiError::invalid_parameter(
            "RefreshTokenValidity must be between 60 minutes and 10 years",
        ));
    }
    if let Some(flows) = &req.explicit_auth_flows {
        for f in flows {
            if !AUTH_FLOWS.contains(&f.as_str()) {
                return Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value '[{f}]' at 'explicitAuthFlows' failed to \
                     satisfy constraint: Member must satisfy enum value set: [{}]",
                    AUTH_FLOWS.join(", ")
                )));
            }
        }
        let new_style = flows.iter().filter(|f| f.starts_with("ALLOW_")).count();
        if new_style != 0 && new_style != flows.len() {
            return Err(ApiError::invalid_parameter(
                "The combination of ExplicitAuthFlows is not valid: do not mix legacy and ALLOW_ values.",
            ));
        }
        cfg.explicit_auth_flows = flows.clone();
    }
    if let Some(p) = &req.prevent_user_existence_errors {
        if p != "LEGACY" && p != "ENABLED" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid PreventUserExistenceErrors value: {p}"
            )));
        }
        cfg.prevent_user_existence_errors = p.clone();
    }
    if let Some(e) = req.enable_token_revocation {
        cfg.enable_token_revocation = e;
    }
    if let Some(m) = req.auth_session_validity {
        if !(3..=15).contains(&m) {
            return Err(ApiError::invalid_parameter(
                "AuthSessionValidity must be between 3 and 15 minutes",
            ));
        }
        cfg.auth_session_validity = m as u32;
    }
    cfg.read_attributes = req.read_attributes.clone().unwrap_or_default();
    cfg.write_attributes = req.write_attributes.clone().unwrap_or_default();
    Ok(cfg)
}

pub fn create_user_pool_client(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: CreateClientReq = parse(body)?;
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
    ctx.with_db(|conn| {
        let pool_id = required(req.user_pool_id, "userPoolId")?;
        let client_id = required(req.client_id, "clientId")?;
        store::require_pool(conn, &pool_id)?;
        match store::get_client(conn, &client_id)? {
            Some(c) if c.pool_id == pool_id => Ok(json!({"UserPoolClient": client_json(&c)})),
            _ => Err(ApiError::resource_not_found(format!(
                "User pool client {client_id} does not exist."
            ))),
        }
    })
}

pub fn list_user_pool_clients(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListReq = parse(body)?;
    let limit = check_max_results(req.max_results, false)?;
    let now = ctx.now();
    ctx.with_db(|conn| {
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

// ---------------------------------------------------------------------------------------------
// ListUsers

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
            "Invalid search attribute: {attribute}"
        )));
    }
    Ok(Some(UserFilter {
        attribute: attribute.to_string(),
        prefix,
        value,
    }))
}

impl UserFilter {
    pub fn matches(&self, u: &UserRecord) -> bool {
        let candidate: Option<String> = match self.attribute.as_str() {
            "username" => Some(u.username.clone()),
            "sub" => Some(u.sub.clone()),
            "cognito:user_status" => Some(u.status.clone()),
            "status" => Some(if u.enabled { "Enabled" } else { "Disabled" }.to_string()),
            other => u.attributes.get(other).cloned(),
        };
        let Some(c) = candidate else {
            return false;
        };
        let (c, v) = (
            store::search_key(&self.attribute, &c),
            store::search_key(&self.attribute, &self.value),
        );
        if self.prefix {
            c.starts_with(&v)
        } else {
            c == v
        }
    }
}

pub(crate) fn user_type(u: &UserRecord, only: Option<&[String]>) -> Value {
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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsersReq {
    user_pool_id: Option<String>,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

/// ListUsers `Limit`: 0..=60, where 0 (like no Limit) means the maximum.
pub(crate) fn check_limit(n: Option<i64>) -> ApiResult<usize> {
    match n {
        None | Some(0) => Ok(60),
        Some(n) if (1..=60).contains(&n) => Ok(n as usize),
        Some(n) if n < 0 => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: \
             Member must have value greater than or equal to 0"
        ))),
        Some(n) => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: \
             Member must have value less than or equal to 60"
        ))),
    }
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
    ctx.with_db(|conn| {
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
// Signed page cursors (ListUsers and the group listings): base64url(JSON) "." base64url(MAC),
// bound to what they page through, so they cannot be edited or replayed on another pool,
// filter or group, and they expire after [`PAGE_TOKEN_TTL`].

#[derive(Serialize, Deserialize)]
struct SignedCursor {
    /// The scope: operation, pool, filter or group.
    s: String,
    v: String,
    u: String,
    /// Issued at (pool clock).
    t: i64,
}

fn cursor_mac(ctx: &Ctx, payload: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&ctx.server_key)
        .expect("HMAC takes any key length");
    mac.update(b"page-cursor\0");
    mac.update(payload);
    mac.finalize().into_bytes()[..16].to_vec()
}

pub(crate) fn make_signed_cursor(
    ctx: &Ctx,
    scope: &str,
    at: &store::PageCursor,
    now: i64,
) -> String {
    let payload = serde_json::to_vec(&SignedCursor {
        s: scope.to_string(),
        v: at.value.clone(),
        u: at.username.clone(),
        t: now,
    })
    .unwrap_or_default();
    format!(
        "{}.{}",
        B64URL.encode(&payload),
        B64URL.encode(cursor_mac(ctx, &payload))
    )
}

pub(crate) fn read_signed_cursor(
    ctx: &Ctx,
    scope: &str,
    token: &str,
    now: i64,
) -> ApiResult<store::PageCursor> {
    use subtle::ConstantTimeEq as _;
    let bad = || ApiError::invalid_parameter("Invalid pagination token.");
    let (payload, mac) = token.trim().split_once('.').ok_or_else(bad)?;
    let payload = B64URL.decode(payload).map_err(|_| bad())?;
    let mac = B64URL.decode(mac).map_err(|_| bad())?;
    if !bool::from(cursor_mac(ctx, &payload).ct_eq(&mac)) {
        return Err(bad());
    }
    let c: SignedCursor = serde_json::from_slice(&payload).map_err(|_| bad())?;
    if c.s != scope {
        return Err(bad());
    }
    if now - c.t > PAGE_TOKEN_TTL {
        return Err(ApiError::invalid_parameter("Pagination token expired."));
    }
    Ok(store::PageCursor {
        value: c.v,
        username: c.u,
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

pub fn admin_confirm_sign_up(ctx: &Ctx, body: Value) -> ApiResult<Value> {
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
    let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
    let name = required(req.username, "username")?;
    let user = resolve_user(conn, &pool, &name)?.ok_or_else(ApiError::user_not_found)?;
    Ok((pool, user))
}

pub fn admin_get_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.with_db(|conn| {
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
        super::ops_mfa::add_user_mfa_fields(conn, &u, &mut out)?;
        Ok(out)
    })
}

pub fn admin_delete_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let (pool, u) = admin_user(conn, req)?;
        store::delete_user(conn, &pool.pool_id, &u.username)?;
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

/// Another user of the pool already signs in with `value` as `attribute` (a username
/// attribute, or a verified alias): Cognito refuses to give it to a second user.
fn alias_taken(
    conn: &rusqlite::Connection,
    pool: &PoolRow,
    user: &UserRecord,
    attribute: &str,
    value: &str,
) -> ApiResult<bool> {
    let cfg = &pool.config;
    let signs_in_with = cfg.username_attributes.iter().any(|a| a == attribute)
        || cfg.alias_attributes.iter().any(|a| a == attribute);
    if !signs_in_with {
        return Ok(false);
    }
    Ok(
        store::find_user_by_attribute(conn, &pool.pool_id, attribute, value)?
            .is_some_and(|other| other.username != user.username),
    )
}

/// AdminUpdateUserAttributes: sets the given attributes. `sub` cannot be changed; a changed
/// email or phone number is no longer verified unless the same call sets its `*_verified`;
/// required attributes cannot be emptied.
pub fn admin_update_user_attributes(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: UpdateAttributesReq = parse(body)?;
    let attrs = req
        .user_attributes
        .ok_or_else(|| ApiError::missing("userAttributes"))?;
    let mut changes: Vec<(String, String)> = Vec::new();
    for a in attrs {
        let name = required(a.name, "userAttributes.member.name")?;
        let value = a.value.unwrap_or_default();
        super::policy::check_attribute(&name, &value)?;
        changes.push((name, value));
    }
    ctx.with_db(|conn| {
        let (pool, mut user) = admin_user(
            conn,
            AdminUserReq {
                user_pool_id: req.user_pool_id,
                username: req.username,
            },
        )?;
        let given = |n: &str| changes.iter().any(|(k, _)| k == n);
        let mut attributes = user.attributes.clone();
        for (name, value) in &changes {
            let changed = attributes.get(name) != Some(value);
            if changed && alias_taken(conn, &pool, &user, name, value)? {
                return Err(ApiError::new(
                    "AliasExistsException",
                    format!(
                        "An account with the given {} already exists.",
                        if name == "phone_number" { "phone_number" } else { "email" }
                    ),
                ));
            }
            attributes.insert(name.clone(), value.clone());
            let verified = format!("{name}_verified");
            if changed
                && (name == "email" || name == "phone_number")
                && !given(&verified)
                && attributes.contains_key(&verified)
            {
                attributes.insert(verified, "false".into());
            }
        }
        let missing = super::policy::missing_required(&pool.config.required_attributes, &attributes);
        if !missing.is_empty() {
            return Err(super::policy::schema_required_error(&missing));
        }
        user.attributes = attributes;
        user.modified = ctx.now();
        store::update_user(conn, &user)?;
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
        super::policy::check_attribute_name(n)?;
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
            return Err(super::policy::schema_required_error(&required));
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
    ctx.with_db(|conn| {
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
struct AttributeIn {
    name: Option<String>,
    value: Option<String>,
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
/// next sign-in answers NEW_PASSWORD_REQUIRED.
pub fn admin_create_user(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AdminCreateUserReq = parse(body)?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &required(req.user_pool_id, "userPoolId")?)?;
        let given = required(req.username, "username")?;
        super::policy::check_username(&given)?;
        let action = req.message_action.unwrap_or_default();
        if !action.is_empty() && action != "RESEND" && action != "SUPPRESS" {
            return Err(ApiError::invalid_parameter(format!("Invalid MessageAction value: {action}")));
        }
        let mediums = req.desired_delivery_mediums.unwrap_or_else(|| vec!["SMS".into()]);
        for m in &mediums {
            if m != "SMS" && m != "EMAIL" {
                return Err(ApiError::invalid_parameter(format!("Invalid DesiredDeliveryMediums value: {m}")));
            }
        }
        let temp = match req.temporary_password {
            Some(p) => {
                super::policy::check_password_shape(&p, "temporaryPassword")?;
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
                    "UnsupportedUserStateException",
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
                super::policy::check_attribute(&name, &value)?;
                attributes.insert(name, value);
            }
            let sub = uuid::Uuid::new_v4().to_string();
            let cfg = &pool.config;
            let username = if cfg.username_attributes.is_empty() {
                given.clone()
            } else {
                let attr = if cfg.username_attributes.iter().any(|a| a == "email")
                    && super::policy::looks_like_email(&given)
                {
                    "email"
                } else if cfg.username_attributes.iter().any(|a| a == "phone_number")
                    && super::policy::looks_like_phone(&given)
                {
                    "phone_number"
                } else {
                    return Err(ApiError::invalid_parameter(
                        "Username should be either an email or a phone number.",
                    ));
                };
                attributes.insert(attr.to_string(), given.clone());
                sub.clone()
            };
            if resolve_user(conn, &pool, &given)?.is_some()
                || store::get_user(conn, &pool.pool_id, &username)?.is_some()
            {
                return Err(ApiError::new("UsernameExistsException", "User account already exists"));
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
            let sent_at = super::ops_auth::rfc3339_millis(ctx.now_dt());
            for (medium, attr) in [("EMAIL", "email"), ("SMS", "phone_number")] {
                if !mediums.iter().any(|m| m == medium) {
                    continue;
                }
                if let Some(dest) = user.attributes.get(attr) {
                    store::push_outbox(
                        conn,
                        &crate::cognito::types::OutboxEntry {
                            pool_id: pool.pool_id.clone(),
                            username: user.username.clone(),
                            medium: medium.into(),
                            destination: dest.clone(),
                            purpose: "INVITATION".into(),
                            code: temp.clone(),
                            sent_at: sent_at.clone(),
                        },
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
        super::policy::check_password_shape(&password, "password")?;
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
            assert_eq!(e.kind, "InvalidParameterException", "{bad}");
        }
        assert!(parse_filter(&format!("email = \"{}\"", "x".repeat(300))).is_err());
    }

    #[test]
    fn page_tokens_round_trip_and_reject_garbage() {
        let t = make_page_token("users:p", "bob", 100);
        assert_eq!(
            read_page_token("users:p", &t, 200, Some(3600)).unwrap(),
            "bob"
        );
        assert!(read_page_token("users:q", &t, 200, Some(3600)).is_err());
        assert!(read_page_token("users:p", &t, 100 + 3601, Some(3600)).is_err());
        assert!(read_page_token("users:p", "!!!", 200, None).is_err());
        assert!(read_page_token("users:p", "e30", 200, None).is_err());
    }
}
