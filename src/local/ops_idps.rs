//! Identity providers: CreateIdentityProvider, DescribeIdentityProvider, ListIdentityProviders,
//! UpdateIdentityProvider and DeleteIdentityProvider (SigV4). Each type's required
//! `ProviderDetails` are checked and Cognito's derived endpoints added; the attribute mapping
//! must name attributes of the pool's schema. Nobody signs in through them yet (their OAuth
//! endpoints are not served), and nothing is fetched from the provider.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::access::required;
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::paging::{make_page_token, read_page_token};
use super::store::{self, IdentityProviderRow, PoolRow};
use super::user_schema;

const PROVIDER_TYPES: &[&str] = &[
    "SAML",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
    "OIDC",
];

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::invalid_parameter(msg)
}

/// The details each type must have, and the ones Cognito fills in for it.
fn type_rules(
    kind: &str,
) -> (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
) {
    match kind {
        "Google" => (
            &["client_id", "client_secret", "authorize_scopes"],
            &[
                (
                    "attributes_url",
                    "https://people.googleapis.com/v1/people/me?personFields=",
                ),
                ("attributes_url_add_attributes", "true"),
                (
                    "authorize_url",
                    "https://accounts.google.com/o/oauth2/v2/auth",
                ),
                ("oidc_issuer", "https://accounts.google.com"),
                ("token_request_method", "POST"),
                ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
            ],
        ),
        "Facebook" => (
            &["client_id", "client_secret", "authorize_scopes"],
            &[
                ("attributes_url", "https://graph.facebook.com/me?fields="),
                ("attributes_url_add_attributes", "true"),
                ("authorize_url", "https://www.facebook.com/dialog/oauth"),
                ("token_request_method", "GET"),
                ("token_url", "https://graph.facebook.com/oauth/access_token"),
            ],
        ),
        "LoginWithAmazon" => (
            &["client_id", "client_secret", "authorize_scopes"],
            &[
                ("attributes_url", "https://api.amazon.com/user/profile"),
                ("attributes_url_add_attributes", "false"),
                ("authorize_url", "https://www.amazon.com/ap/oa"),
                ("token_request_method", "POST"),
                ("token_url", "https://api.amazon.com/auth/o2/token"),
            ],
        ),
        "SignInWithApple" => (
            &[
                "client_id",
                "team_id",
                "key_id",
                "private_key",
                "authorize_scopes",
            ],
            &[
                ("attributes_url_add_attributes", "false"),
                ("authorize_url", "https://appleid.apple.com/auth/authorize"),
                ("oidc_issuer", "https://appleid.apple.com"),
                ("token_request_method", "POST"),
                ("token_url", "https://appleid.apple.com/auth/token"),
            ],
        ),
        "OIDC" => (
            &[
                "client_id",
                "attributes_request_method",
                "oidc_issuer",
                "authorize_scopes",
            ],
            &[],
        ),
        _ => (&[], &[]),
    }
}

/// The provider's own id claim Cognito maps to `username` unless told otherwise.
fn username_claim(kind: &str) -> Option<&'static str> {
    match kind {
        "Google" | "SignInWithApple" | "OIDC" => Some("sub"),
        "Facebook" => Some("id"),
        "LoginWithAmazon" => Some("user_id"),
        _ => None,
    }
}

fn string_map(v: Value, member: &str) -> ApiResult<Map<String, Value>> {
    match v {
        Value::Object(m) if m.values().all(Value::is_string) => Ok(m),
        _ => Err(ApiError::serialization(format!(
            "{member} must be a map of strings"
        ))),
    }
}

/// Checks (and completes) `ProviderDetails` for a provider of type `kind`.
fn check_details(kind: &str, details: &mut Map<String, Value>) -> ApiResult<()> {
    let (needed, derived) = type_rules(kind);
    for key in needed {
        if details
            .get(*key)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
        {
            return Err(invalid(format!(
                "{key} is required for a {kind} identity provider."
            )));
        }
    }
    for (key, value) in derived {
        details
            .entry(key.to_string())
            .or_insert_with(|| json!(value));
    }
    match kind {
        "OIDC" => {
            let method = details["attributes_request_method"].as_str().unwrap_or("");
            if method != "GET" && method != "POST" {
                return Err(invalid(
                    "attributes_request_method must be GET or POST for an OIDC identity provider.",
                ));
            }
            let issuer = details["oidc_issuer"].as_str().unwrap_or("");
            if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                return Err(invalid(format!(
                    "oidc_issuer must be a URL, not {}.",
                    echo(issuer)
                )));
            }
        }
        "SAML" => {
            let url = details.get("MetadataURL").and_then(Value::as_str);
            let file = details.get("MetadataFile").and_then(Value::as_str);
            match (url, file) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "Only one of MetadataURL and MetadataFile may be given for a SAML identity provider.",
                    ));
                }
                (None, None) => {
                    return Err(invalid(
                        "MetadataURL or MetadataFile is required for a SAML identity provider.",
                    ));
                }
                _ => {}
            }
            if let Some(v) = details.get("IDPSignout").and_then(Value::as_str)
                && v != "true"
                && v != "false"
            {
                return Err(invalid("IDPSignout must be true or false."));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks `AttributeMapping`: every key is `username` or an attribute of the pool's schema.
fn check_mapping(pool: &PoolRow, mapping: &Map<String, Value>) -> ApiResult<()> {
    let schema =
        user_schema::effective_schema(&pool.config.schema, &pool.config.required_attributes);
    for key in mapping.keys() {
        if key.is_empty() || key.chars().count() > 32 {
            return Err(invalid(
                "1 validation error detected: Value at 'attributeMapping' failed to satisfy \
                 constraint: Map keys must have length between 1 and 32",
            ));
        }
        if key != "username" && !schema.iter().any(|a| &a.name == key) {
            return Err(invalid(format!(
                "Attribute {key} does not exist in the user pool schema."
            )));
        }
    }
    Ok(())
}

/// Checks `IdpIdentifiers` (model shape; unique within the pool, `name` excepted).
fn check_identifiers(
    conn: &rusqlite::Connection,
    pool_id: &str,
    name: &str,
    ids: &[String],
) -> ApiResult<()> {
    if ids.len() > 50 {
        return Err(invalid(
            "1 validation error detected: Value at 'idpIdentifiers' failed to satisfy \
             constraint: Member must have length less than or equal to 50",
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        let n = id.chars().count();
        if n == 0
            || n > 40
            || !id.chars().all(|c| {
                c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=.@-".contains(c)
            })
        {
            return Err(invalid(format!(
                "1 validation error detected: Value '{}' at 'idpIdentifiers' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: [\\w\\s+=.@-]+",
                echo(id)
            )));
        }
        if ids[..i].contains(id) {
            return Err(invalid(format!("Duplicate IdpIdentifier {}.", echo(id))));
        }
    }
    for other in store::list_identity_providers(conn, pool_id)? {
        if other.provider_name == name {
            continue;
        }
        let theirs = other
            .idp_identifiers
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(id) = ids.iter().find(|id| theirs.iter().any(|t| t == *id)) {
            return Err(invalid(format!(
                "IdpIdentifier {id} is already used by identity provider {}.",
                other.provider_name
            )));
        }
    }
    Ok(())
}

/// ProviderNameTypeV2 for SAML and OIDC; the social types are named after themselves.
fn check_name(name: &str, kind: &str) -> ApiResult<()> {
    if !["SAML", "OIDC"].contains(&kind) {
        if name != kind {
            return Err(invalid(format!(
                "ProviderName must be {kind} for a {kind} identity provider."
            )));
        }
        return Ok(());
    }
    let chars: Vec<char> = name.chars().collect();
    let edge_ok = |c: &char| *c != '_' && !c.is_whitespace();
    if chars.len() < 3
        || chars.len() > 32
        || !edge_ok(&chars[0])
        || !edge_ok(&chars[chars.len() - 1])
        || chars.iter().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '{}' at 'providerName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: \
             [^_\\p{{Z}}][\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}][^_\\p{{Z}}]+",
            echo(name)
        )));
    }
    if PROVIDER_TYPES.contains(&name) || name.eq_ignore_ascii_case("cognito") {
        return Err(invalid(format!("ProviderName {name} is reserved.")));
    }
    Ok(())
}

fn provider_json(p: &IdentityProviderRow) -> Value {
    json!({
        "UserPoolId": p.pool_id,
        "ProviderName": p.provider_name,
        "ProviderType": p.provider_type,
        "ProviderDetails": p.details,
        "AttributeMapping": p.mapping,
        "IdpIdentifiers": p.idp_identifiers,
        "LastModifiedDate": p.modified,
        "CreationDate": p.created,
    })
}

fn not_found(name: &str) -> ApiError {
    ApiError::resource_not_found(format!("Identity provider {} does not exist.", echo(name)))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderReq {
    user_pool_id: Option<String>,
    provider_name: Option<String>,
    provider_type: Option<String>,
    provider_details: Option<Value>,
    attribute_mapping: Option<Value>,
    idp_identifiers: Option<Vec<String>>,
}

/// CreateIdentityProvider.
pub fn create_identity_provider(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ProviderReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let name = required(req.provider_name, "providerName")?;
    let kind = required(req.provider_type, "providerType")?;
    if !PROVIDER_TYPES.contains(&kind.as_str()) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{}' at 'providerType' failed to satisfy \
             constraint: Member must satisfy enum value set: [{}]",
            echo(&kind),
            PROVIDER_TYPES.join(", ")
        )));
    }
    check_name(&name, &kind)?;
    let mut details = string_map(
        req.provider_details
            .ok_or_else(|| ApiError::missing("providerDetails"))?,
        "ProviderDetails",
    )?;
    check_details(&kind, &mut details)?;
    let mut mapping = string_map(
        req.attribute_mapping.unwrap_or_else(|| json!({})),
        "AttributeMapping",
    )?;
    let ids = req.idp_identifiers.unwrap_or_default();
    let now = ctx.now();
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &pool_id)?;
        check_mapping(&pool, &mapping)?;
        if store::get_identity_provider(conn, &pool_id, &name)?.is_some() {
            return Err(ApiError::new(
                ErrorKind::DuplicateProvider,
                format!("A provider with the name {name} already exists in this user pool."),
            ));
        }
        check_identifiers(conn, &pool_id, &name, &ids)?;
        if let Some(claim) = username_claim(&kind) {
            mapping
                .entry("username".to_string())
                .or_insert_with(|| json!(claim));
        }
        let row = IdentityProviderRow {
            pool_id: pool_id.clone(),
            provider_name: name.clone(),
            provider_type: kind.clone(),
            details: Value::Object(details),
            mapping: Value::Object(mapping),
            idp_identifiers: json!(ids),
            created: now,
            modified: now,
        };
        store::put_identity_provider(conn, &row)?;
        tracing::info!(pool = %pool_id, provider = %name, kind = %kind, "local pool: identity provider created");
        Ok(json!({"IdentityProvider": provider_json(&row)}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderIdReq {
    user_pool_id: Option<String>,
    provider_name: Option<String>,
}

/// DescribeIdentityProvider.
pub fn describe_identity_provider(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ProviderIdReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let name = required(req.provider_name, "providerName")?;
    ctx.read(|conn| {
        store::require_pool(conn, &pool_id)?;
        let p =
            store::get_identity_provider(conn, &pool_id, &name)?.ok_or_else(|| not_found(&name))?;
        Ok(json!({"IdentityProvider": provider_json(&p)}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListReq {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListIdentityProviders: by name, `MaxResults` (0..=60, 0 or none meaning 60) at a time.
pub fn list_identity_providers(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let limit = match req.max_results {
        None | Some(0) => 60,
        Some(n) if (1..=60).contains(&n) => n as usize,
        Some(n) => {
            return Err(invalid(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy \
                 constraint: Member must have value between 0 and 60"
            )));
        }
    };
    let now = ctx.now();
    let kind = format!("identity-providers:{pool_id}");
    ctx.read(|conn| {
        store::require_pool(conn, &pool_id)?;
        let after = match req.next_token.as_deref() {
            Some(t) => Some(read_page_token(&kind, t, now, None)?),
            None => None,
        };
        let rows: Vec<IdentityProviderRow> = store::list_identity_providers(conn, &pool_id)?
            .into_iter()
            .filter(|p| {
                after
                    .as_deref()
                    .is_none_or(|a| p.provider_name.as_str() > a)
            })
            .collect();
        let page = &rows[..rows.len().min(limit)];
        let items: Vec<Value> = page
            .iter()
            .map(|p| {
                json!({"ProviderName": p.provider_name, "ProviderType": p.provider_type,
                       "LastModifiedDate": p.modified, "CreationDate": p.created})
            })
            .collect();
        let mut out = json!({"Providers": items});
        if rows.len() > limit
            && let Some(last) = page.last()
        {
            out["NextToken"] = json!(make_page_token(&kind, &last.provider_name, now));
        }
        Ok(out)
    })
}

/// UpdateIdentityProvider: the given details are merged into the provider's (then checked as on
/// creation); a given mapping or identifier list replaces the old one.
pub fn update_identity_provider(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ProviderReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let name = required(req.provider_name, "providerName")?;
    let details_in = req
        .provider_details
        .map(|d| string_map(d, "ProviderDetails"))
        .transpose()?;
    let mapping_in = req
        .attribute_mapping
        .map(|m| string_map(m, "AttributeMapping"))
        .transpose()?;
    let now = ctx.now();
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &pool_id)?;
        let mut p =
            store::get_identity_provider(conn, &pool_id, &name)?.ok_or_else(|| not_found(&name))?;
        if let Some(given) = details_in {
            let mut details = p.details.as_object().cloned().unwrap_or_default();
            if p.provider_type == "SAML"
                && (given.contains_key("MetadataURL") || given.contains_key("MetadataFile"))
            {
                details.remove("MetadataURL");
                details.remove("MetadataFile");
            }
            details.extend(given);
            check_details(&p.provider_type, &mut details)?;
            p.details = Value::Object(details);
        }
        if let Some(mut mapping) = mapping_in {
            check_mapping(&pool, &mapping)?;
            if let Some(claim) = username_claim(&p.provider_type) {
                mapping
                    .entry("username".to_string())
                    .or_insert_with(|| json!(claim));
            }
            p.mapping = Value::Object(mapping);
        }
        if let Some(ids) = req.idp_identifiers {
            check_identifiers(conn, &pool_id, &name, &ids)?;
            p.idp_identifiers = json!(ids);
        }
        p.modified = now;
        store::put_identity_provider(conn, &p)?;
        tracing::info!(pool = %pool_id, provider = %name, "local pool: identity provider updated");
        Ok(json!({"IdentityProvider": provider_json(&p)}))
    })
}

/// DeleteIdentityProvider.
pub fn delete_identity_provider(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ProviderIdReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let name = required(req.provider_name, "providerName")?;
    ctx.with_db(|conn| {
        store::require_pool(conn, &pool_id)?;
        if !store::delete_identity_provider(conn, &pool_id, &name)? {
            return Err(not_found(&name));
        }
        tracing::info!(pool = %pool_id, provider = %name, "local pool: identity provider deleted");
        Ok(json!({}))
    })
}
