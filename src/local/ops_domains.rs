//! User pool domains: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain and
//! DeleteUserPoolDomain (SigV4). A pool has at most one prefix domain and one custom domain;
//! a domain name belongs to one pool. Their hosted endpoints are not served.

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::access::required;
use super::ctx::{ACCOUNT, Ctx, parse};
use super::error::{ApiError, ApiResult, echo};
use super::store::{self, DomainRow};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CustomDomainConfig {
    certificate_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DomainReq {
    domain: Option<String>,
    user_pool_id: Option<String>,
    managed_login_version: Option<i64>,
    custom_domain_config: Option<CustomDomainConfig>,
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::invalid_parameter(msg)
}

/// One DNS label as the model's DomainType allows it: lowercase letters, digits and inner
/// hyphens, 1 to 63 characters.
fn valid_label(l: &str) -> bool {
    let b = l.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Checks a domain: a prefix domain is one label without Cognito's reserved words; a custom
/// domain (`custom`) is a dotted name of such labels.
fn check_domain(domain: &str, custom: bool) -> ApiResult<()> {
    let ok = if custom {
        domain.len() <= 253 && domain.contains('.') && domain.split('.').all(valid_label)
    } else {
        valid_label(domain)
    };
    if !ok {
        return Err(invalid(format!(
            "1 validation error detected: Value '{}' at 'domain' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: \
             ^[a-z0-9](?:[a-z0-9\\-]{{0,61}}[a-z0-9])?$",
            echo(domain)
        )));
    }
    if !custom {
        for word in ["aws", "amazon", "cognito"] {
            if domain.contains(word) {
                return Err(invalid(format!(
                    "Domain cannot contain reserved word: {word}"
                )));
            }
        }
    }
    Ok(())
}

fn check_login_version(v: Option<i64>) -> ApiResult<()> {
    match v {
        None | Some(1) | Some(2) => Ok(()),
        Some(v) => Err(invalid(format!(
            "Invalid ManagedLoginVersion {v}: must be 1 (classic hosted UI) or 2 (managed login)"
        ))),
    }
}

fn certificate(c: Option<CustomDomainConfig>) -> ApiResult<Option<String>> {
    match c {
        None => Ok(None),
        Some(c) => {
            let arn = c
                .certificate_arn
                .ok_or_else(|| ApiError::missing("customDomainConfig.certificateArn"))?;
            if !arn.starts_with("arn:") || arn.len() < 20 || arn.len() > 2048 {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{}' at \
                     'customDomainConfig.certificateArn' failed to satisfy constraint: Member \
                     must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:\
                     ([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?",
                    echo(&arn)
                )));
            }
            Ok(Some(arn))
        }
    }
}

/// The CloudFront name a domain answers on: stable for the domain, in CloudFront's format.
fn cloudfront(domain: &str) -> String {
    let digest = Sha256::digest(domain.as_bytes());
    let name: String = digest
        .iter()
        .take(13)
        .map(|b| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[(*b as usize) % 36]))
        .collect();
    format!("d{name}.cloudfront.net")
}

/// The response of CreateUserPoolDomain / UpdateUserPoolDomain.
fn domain_answer(d: &DomainRow) -> Value {
    let mut v = json!({});
    if let Some(m) = d.managed_login_version {
        v["ManagedLoginVersion"] = json!(m);
    }
    if d.certificate_arn.is_some() {
        v["CloudFrontDomain"] = json!(cloudfront(&d.domain));
    }
    v
}

/// CreateUserPoolDomain.
pub fn create_user_pool_domain(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DomainReq = parse(body)?;
    let domain = required(req.domain, "domain")?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let certificate_arn = certificate(req.custom_domain_config)?;
    check_domain(&domain, certificate_arn.is_some())?;
    check_login_version(req.managed_login_version)?;
    ctx.with_db(|conn| {
        store::require_pool(conn, &pool_id)?;
        if store::get_domain(conn, &domain)?.is_some() {
            return Err(invalid("Domain already associated with another user pool."));
        }
        let custom = certificate_arn.is_some();
        if store::pool_domains(conn, &pool_id)?
            .iter()
            .any(|d| d.certificate_arn.is_some() == custom)
        {
            return Err(invalid(if custom {
                "User pool already has a custom domain configured."
            } else {
                "User pool already has a domain configured."
            }));
        }
        let row = DomainRow {
            domain,
            pool_id,
            certificate_arn,
            managed_login_version: req.managed_login_version,
            created: ctx.now(),
        };
        store::put_domain(conn, &row)?;
        tracing::info!(pool = %row.pool_id, domain = %row.domain, "local pool: domain created");
        Ok(domain_answer(&row))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeDomainReq {
    domain: Option<String>,
}

/// DescribeUserPoolDomain: as on Cognito, a domain nobody has gives an empty description.
pub fn describe_user_pool_domain(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DescribeDomainReq = parse(body)?;
    let domain = required(req.domain, "domain")?;
    ctx.read(|conn| {
        let Some(d) = store::get_domain(conn, &domain)? else {
            return Ok(json!({"DomainDescription": {}}));
        };
        let mut desc = json!({
            "UserPoolId": d.pool_id,
            "AWSAccountId": ACCOUNT,
            "Domain": d.domain,
            "CloudFrontDistribution": cloudfront(&d.domain),
            "Version": "1",
            "Status": "ACTIVE",
        });
        if let Some(arn) = &d.certificate_arn {
            desc["CustomDomainConfig"] = json!({"CertificateArn": arn});
        }
        if let Some(m) = d.managed_login_version {
            desc["ManagedLoginVersion"] = json!(m);
        }
        Ok(json!({"DomainDescription": desc}))
    })
}

/// The pool's domain named `domain`, or Cognito's error.
fn pool_domain(conn: &rusqlite::Connection, pool_id: &str, domain: &str) -> ApiResult<DomainRow> {
    store::require_pool(conn, pool_id)?;
    match store::get_domain(conn, domain)? {
        Some(d) if d.pool_id == pool_id => Ok(d),
        _ => Err(ApiError::resource_not_found(format!(
            "Domain {} does not exist in user pool {}.",
            echo(domain),
            echo(pool_id)
        ))),
    }
}

/// UpdateUserPoolDomain: a custom domain's certificate, and the managed login version.
pub fn update_user_pool_domain(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DomainReq = parse(body)?;
    let domain = required(req.domain, "domain")?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let certificate_arn = certificate(req.custom_domain_config)?;
    check_login_version(req.managed_login_version)?;
    ctx.with_db(|conn| {
        let mut d = pool_domain(conn, &pool_id, &domain)?;
        if certificate_arn.is_some() && d.certificate_arn.is_none() {
            return Err(invalid(
                "CustomDomainConfig can only be updated on a custom domain.",
            ));
        }
        if certificate_arn.is_some() {
            d.certificate_arn = certificate_arn;
        }
        if req.managed_login_version.is_some() {
            d.managed_login_version = req.managed_login_version;
        }
        store::put_domain(conn, &d)?;
        tracing::info!(pool = %pool_id, domain = %domain, "local pool: domain updated");
        Ok(domain_answer(&d))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteDomainReq {
    domain: Option<String>,
    user_pool_id: Option<String>,
}

/// DeleteUserPoolDomain.
pub fn delete_user_pool_domain(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: DeleteDomainReq = parse(body)?;
    let domain = required(req.domain, "domain")?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    ctx.with_db(|conn| {
        store::require_pool(conn, &pool_id)?;
        if !store::delete_domain(conn, &pool_id, &domain)? {
            return Err(invalid("No such domain or user pool exists."));
        }
        tracing::info!(pool = %pool_id, domain = %domain, "local pool: domain deleted");
        Ok(json!({}))
    })
}
