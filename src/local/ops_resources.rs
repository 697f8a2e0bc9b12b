//! Resource servers: CreateResourceServer, DescribeResourceServer, ListResourceServers,
//! UpdateResourceServer and DeleteResourceServer (SigV4), with their custom scopes. Their
//! scopes are stored for the OAuth endpoints to come; nothing issues them yet.

use serde::Deserialize;
use serde_json::{Value, json};

use super::access::required;
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult, ErrorKind, echo};
use super::paging::{make_page_token, read_page_token};
use super::store::{self, ResourceServerRow};

/// Cognito's limit on resource servers per pool.
pub const MAX_RESOURCE_SERVERS: i64 = 25;
/// Cognito's limit on custom scopes per resource server.
pub const MAX_SCOPES: usize = 100;

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::invalid_parameter(msg)
}

fn pattern_error(member: &str, value: &str, pattern: &str) -> ApiError {
    invalid(format!(
        "1 validation error detected: Value '{}' at '{member}' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: {pattern}",
        echo(value)
    ))
}

fn length_ok(s: &str) -> bool {
    (1..=256).contains(&s.chars().count())
}

/// ResourceServerIdentifierType: printable ASCII without `"` and `\`.
fn check_identifier(id: &str) -> ApiResult<()> {
    if !length_ok(id)
        || !id
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
    {
        return Err(pattern_error(
            "identifier",
            id,
            "[\\x21\\x23-\\x5B\\x5D-\\x7E]+",
        ));
    }
    Ok(())
}

/// ResourceServerNameType: word characters, spaces and `+=,.@-`.
fn check_name(name: &str) -> ApiResult<()> {
    if !length_ok(name)
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c))
    {
        return Err(pattern_error("name", name, "[\\w\\s+=,.@-]+"));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScopeIn {
    scope_name: Option<String>,
    scope_description: Option<String>,
}

/// Validates `Scopes` into the stored list: names of printable ASCII without `"`, `/` and
/// `\`, descriptions of 1 to 256 characters, no name twice.
fn scopes(given: Option<Vec<ScopeIn>>) -> ApiResult<Value> {
    let given = given.unwrap_or_default();
    if given.len() > MAX_SCOPES {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'scopes' failed to satisfy constraint: Member \
             must have length less than or equal to {MAX_SCOPES}"
        )));
    }
    let mut out: Vec<Value> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for s in given {
        let name = required(s.scope_name, "scopes.member.scopeName")?;
        let description = required(s.scope_description, "scopes.member.scopeDescription")?;
        if !length_ok(&name)
            || !name
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && !b"\"/\\".contains(&b))
        {
            return Err(pattern_error(
                "scopes.member.scopeName",
                &name,
                "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+",
            ));
        }
        if !length_ok(&description) {
            return Err(invalid(
                "1 validation error detected: Value at 'scopes.member.scopeDescription' failed \
                 to satisfy constraint: Member must have length between 1 and 256",
            ));
        }
        if names.contains(&name) {
            return Err(invalid(format!("Duplicate scope name {}.", echo(&name))));
        }
        names.push(name.clone());
        out.push(json!({"ScopeName": name, "ScopeDescription": description}));
    }
    Ok(Value::Array(out))
}

fn server_json(r: &ResourceServerRow) -> Value {
    json!({"UserPoolId": r.pool_id, "Identifier": r.identifier, "Name": r.name, "Scopes": r.scopes})
}

fn not_found(identifier: &str) -> ApiError {
    ApiError::resource_not_found(format!(
        "Resource server {} does not exist.",
        echo(identifier)
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServerReq {
    user_pool_id: Option<String>,
    identifier: Option<String>,
    name: Option<String>,
    scopes: Option<Vec<ScopeIn>>,
}

/// The validated (pool, identifier, name, scopes) of a Create/UpdateResourceServer request.
fn server_req(body: Value) -> ApiResult<ResourceServerRow> {
    let req: ServerReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let identifier = required(req.identifier, "identifier")?;
    let name = required(req.name, "name")?;
    check_identifier(&identifier)?;
    check_name(&name)?;
    Ok(ResourceServerRow {
        pool_id,
        identifier,
        name,
        scopes: scopes(req.scopes)?,
    })
}

/// CreateResourceServer.
pub fn create_resource_server(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let row = server_req(body)?;
    ctx.with_db(|conn| {
        store::require_pool(conn, &row.pool_id)?;
        if store::get_resource_server(conn, &row.pool_id, &row.identifier)?.is_some() {
            return Err(invalid(format!(
                "{} already exists in {}",
                echo(&row.identifier),
                row.pool_id
            )));
        }
        if store::count_resource_servers(conn, &row.pool_id)? >= MAX_RESOURCE_SERVERS {
            return Err(ApiError::new(
                ErrorKind::LimitExceeded,
                format!(
                    "A user pool can have at most {MAX_RESOURCE_SERVERS} resource servers."
                ),
            ));
        }
        store::put_resource_server(conn, &row)?;
        tracing::info!(pool = %row.pool_id, identifier = %row.identifier, "local pool: resource server created");
        Ok(json!({"ResourceServer": server_json(&row)}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServerIdReq {
    user_pool_id: Option<String>,
    identifier: Option<String>,
}

/// DescribeResourceServer.
pub fn describe_resource_server(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ServerIdReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let identifier = required(req.identifier, "identifier")?;
    ctx.read(|conn| {
        store::require_pool(conn, &pool_id)?;
        let r = store::get_resource_server(conn, &pool_id, &identifier)?
            .ok_or_else(|| not_found(&identifier))?;
        Ok(json!({"ResourceServer": server_json(&r)}))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListReq {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListResourceServers: by identifier, `MaxResults` (1..=50) at a time.
pub fn list_resource_servers(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ListReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let limit = match req.max_results {
        None => 50,
        Some(n) if (1..=50).contains(&n) => n as usize,
        Some(n) => {
            return Err(invalid(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy \
                 constraint: Member must have value between 1 and 50"
            )));
        }
    };
    let now = ctx.now();
    let kind = format!("resource-servers:{pool_id}");
    ctx.read(|conn| {
        store::require_pool(conn, &pool_id)?;
        let after = match req.next_token.as_deref() {
            Some(t) => Some(read_page_token(&kind, t, now, None)?),
            None => None,
        };
        let mut rows = store::list_resource_servers(conn, &pool_id, after.as_deref(), limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let mut out = json!({"ResourceServers": rows.iter().map(server_json).collect::<Vec<_>>()});
        if more && let Some(last) = rows.last() {
            out["NextToken"] = json!(make_page_token(&kind, &last.identifier, now));
        }
        Ok(out)
    })
}

/// UpdateResourceServer: a new name and scope list (scopes left out: none).
pub fn update_resource_server(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let row = server_req(body)?;
    ctx.with_db(|conn| {
        store::require_pool(conn, &row.pool_id)?;
        if store::get_resource_server(conn, &row.pool_id, &row.identifier)?.is_none() {
            return Err(not_found(&row.identifier));
        }
        store::put_resource_server(conn, &row)?;
        tracing::info!(pool = %row.pool_id, identifier = %row.identifier, "local pool: resource server updated");
        Ok(json!({"ResourceServer": server_json(&row)}))
    })
}

/// DeleteResourceServer.
pub fn delete_resource_server(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: ServerIdReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let identifier = required(req.identifier, "identifier")?;
    ctx.with_db(|conn| {
        store::require_pool(conn, &pool_id)?;
        if !store::delete_resource_server(conn, &pool_id, &identifier)? {
            return Err(not_found(&identifier));
        }
        tracing::info!(pool = %pool_id, identifier = %identifier, "local pool: resource server deleted");
        Ok(json!({}))
    })
}
