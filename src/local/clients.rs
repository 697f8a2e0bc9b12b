//! App clients as CreateUserPoolClient, UpdateUserPoolClient and DescribeUserPoolClient see
//! them: the request's settings validated into a [`ClientConfig`] (token validities with their
//! units, auth flows, OAuth fields), and the UserPoolClientType answer.

use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, echo};
use super::store::{ClientConfig, ClientRow, ValidityUnits};

/// A random id: `n` ASCII letters and digits, lowercased when asked.
pub fn random_alnum(n: usize, lowercase: bool) -> String {
    let s: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect();
    if lowercase { s.to_lowercase() } else { s }
}

/// The OAuth grant types an app client may allow.
const OAUTH_FLOWS: &[&str] = &["code", "implicit", "client_credentials"];

/// A validity in seconds as (value, unit) in the largest unit that divides it evenly.
fn in_units(seconds: i64) -> (i64, &'static str) {
    for (unit, size) in [("days", 86400), ("hours", 3600), ("minutes", 60)] {
        if seconds % size == 0 {
            return (seconds / size, unit);
        }
    }
    (seconds, "seconds")
}

/// Seconds in one `unit` of TimeUnitsType.
fn unit_seconds(unit: &str) -> Option<i64> {
    match unit {
        "seconds" => Some(1),
        "minutes" => Some(60),
        "hours" => Some(3600),
        "days" => Some(86400),
        _ => None,
    }
}

/// A validity in seconds as (value, unit): in the unit it was given in, else the largest unit
/// that divides it evenly.
fn described(seconds: i64, unit: Option<&str>) -> (i64, String) {
    match unit.and_then(|u| unit_seconds(u).map(|n| (u, n))) {
        Some((u, n)) if seconds % n == 0 => (seconds / n, u.to_string()),
        _ => {
            let (v, u) = in_units(seconds);
            (v, u.to_string())
        }
    }
}

/// UserPoolClientType.
pub fn client_json(c: &ClientRow) -> Value {
    let cfg = &c.config;
    let units = cfg.validity_units.as_ref();
    let (access_value, access_unit) =
        described(cfg.access_token_validity, units.map(|u| u.access.as_str()));
    let (id_value, id_unit) = described(cfg.id_token_validity, units.map(|u| u.id.as_str()));
    let (refresh_value, refresh_unit) = described(
        cfg.refresh_token_validity,
        units.map(|u| u.refresh.as_str()),
    );
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
        "AllowedOAuthFlowsUserPoolClient": cfg.allowed_oauth_flows_user_pool_client,
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
    for (member, list) in [
        ("CallbackURLs", &cfg.callback_urls),
        ("LogoutURLs", &cfg.logout_urls),
        ("AllowedOAuthFlows", &cfg.allowed_oauth_flows),
        ("AllowedOAuthScopes", &cfg.allowed_oauth_scopes),
        (
            "SupportedIdentityProviders",
            &cfg.supported_identity_providers,
        ),
    ] {
        if !list.is_empty() {
            v[member] = json!(list);
        }
    }
    if let Some(d) = &cfg.default_redirect_uri {
        v["DefaultRedirectURI"] = json!(d);
    }
    v
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct TokenValidityUnits {
    access_token: Option<String>,
    id_token: Option<String>,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientReq {
    pub user_pool_id: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub generate_secret: Option<bool>,
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
    #[serde(rename = "CallbackURLs")]
    callback_urls: Option<Vec<String>>,
    #[serde(rename = "LogoutURLs")]
    logout_urls: Option<Vec<String>>,
    #[serde(rename = "DefaultRedirectURI")]
    default_redirect_uri: Option<String>,
    #[serde(rename = "AllowedOAuthFlows")]
    allowed_oauth_flows: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthScopes")]
    allowed_oauth_scopes: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    allowed_oauth_flows_user_pool_client: Option<bool>,
    supported_identity_providers: Option<Vec<String>>,
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
                "Invalid TimeUnitsType value: {}",
                echo(other)
            )));
        }
    };
    value
        .checked_mul(mult)
        .ok_or_else(|| ApiError::invalid_parameter("Token validity out of range"))
}

/// Validates the settings of CreateUserPoolClient / UpdateUserPoolClient into a ClientConfig;
/// a setting left out takes its default, as on Cognito.
pub fn client_config(req: &ClientReq) -> ApiResult<ClientConfig> {
    let mut cfg = ClientConfig::default();
    let units = req.token_validity_units.as_ref();
    cfg.validity_units = Some(ValidityUnits {
        access: units
            .and_then(|u| u.access_token.clone())
            .unwrap_or_else(|| "hours".into()),
        id: units
            .and_then(|u| u.id_token.clone())
            .unwrap_or_else(|| "hours".into()),
        refresh: units
            .and_then(|u| u.refresh_token.clone())
            .unwrap_or_else(|| "days".into()),
    });
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
                    "1 validation error detected: Value '[{}]' at 'explicitAuthFlows' failed to \
                     satisfy constraint: Member must satisfy enum value set: [{}]",
                    echo(f),
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
                "Invalid PreventUserExistenceErrors value: {}",
                echo(p)
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
    oauth_settings(req, &mut cfg)?;
    Ok(cfg)
}

/// The OAuth members of an app client (stored and described; the hosted endpoints that use
/// them come later).
fn oauth_settings(req: &ClientReq, cfg: &mut ClientConfig) -> ApiResult<()> {
    let callbacks = req.callback_urls.clone().unwrap_or_default();
    let logouts = req.logout_urls.clone().unwrap_or_default();
    for (member, urls) in [("callbackURLs", &callbacks), ("logoutURLs", &logouts)] {
        if urls.len() > 100 {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
                 Member must have length less than or equal to 100"
            )));
        }
        for u in urls {
            check_redirect_url(u)?;
        }
    }
    let flows = req.allowed_oauth_flows.clone().unwrap_or_default();
    for f in &flows {
        if !OAUTH_FLOWS.contains(&f.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '[{}]' at 'allowedOAuthFlows' failed to \
                 satisfy constraint: Member must satisfy enum value set: [{}]",
                echo(f),
                OAUTH_FLOWS.join(", ")
            )));
        }
    }
    if flows.iter().any(|f| f == "client_credentials") && flows.len() > 1 {
        return Err(ApiError::invalid_parameter(
            "client_credentials flow can not be selected along with code flow or implicit flow.",
        ));
    }
    let scopes = req.allowed_oauth_scopes.clone().unwrap_or_default();
    for s in &scopes {
        if s.is_empty() || s.len() > 256 || s.chars().any(|c| c.is_whitespace() || c == '"') {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid scope requested: {s}"
            )));
        }
    }
    let oauth_client = req.allowed_oauth_flows_user_pool_client.unwrap_or(false);
    if oauth_client && (flows.is_empty() || scopes.is_empty()) {
        return Err(ApiError::invalid_parameter(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is \
             allowed to use OAuth flows.",
        ));
    }
    if oauth_client && flows.iter().any(|f| f != "client_credentials") && callbacks.is_empty() {
        return Err(ApiError::invalid_parameter(
            "CallbackURLs must be specified when using the code or implicit OAuth flows.",
        ));
    }
    if let Some(d) = &req.default_redirect_uri {
        check_redirect_url(d)?;
        if !callbacks.contains(d) {
            return Err(ApiError::invalid_parameter(
                "DefaultRedirectURI must be one of the CallbackURLs.",
            ));
        }
    }
    let providers = req.supported_identity_providers.clone().unwrap_or_default();
    for p in &providers {
        if p.is_empty() || p.chars().count() > 32 {
            return Err(ApiError::invalid_parameter(format!(
                "The provider {} does not exist for the user pool.",
                echo(p)
            )));
        }
    }
    cfg.callback_urls = callbacks;
    cfg.logout_urls = logouts;
    cfg.default_redirect_uri = req.default_redirect_uri.clone();
    cfg.allowed_oauth_flows = flows;
    cfg.allowed_oauth_scopes = scopes;
    cfg.allowed_oauth_flows_user_pool_client = oauth_client;
    cfg.supported_identity_providers = providers;
    Ok(())
}

/// Cognito's rule for callback and sign-out URLs: absolute, no fragment, and HTTPS unless the
/// host is localhost (a custom scheme such as `myapp://` is allowed for mobile apps).
fn check_redirect_url(u: &str) -> ApiResult<()> {
    let bad = |why: &str| Err(ApiError::invalid_parameter(format!("{why}: {}", echo(u))));
    if u.is_empty() || u.chars().count() > 1024 {
        return bad("Invalid redirect URL length");
    }
    if u.contains('#') {
        return bad("Redirect URL cannot contain a fragment");
    }
    let Some((scheme, rest)) = u.split_once("://") else {
        return bad("Invalid redirect URL");
    };
    if scheme.eq_ignore_ascii_case("http") {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if host != "localhost" {
            return bad("Redirect URL must use HTTPS unless its host is localhost");
        }
    }
    Ok(())
}
