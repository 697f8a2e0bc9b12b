//! AddCustomAttributes: custom attributes added to a pool's schema after CreateUserPool (SigV4).

use serde::Deserialize;
use serde_json::{Value, json};

use super::access::required;
use super::ctx::{Ctx, parse};
use super::error::{ApiError, ApiResult};
use super::store;
use super::user_schema::{self, SchemaAttributeIn};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AddCustomAttributesReq {
    user_pool_id: Option<String>,
    custom_attributes: Option<Vec<SchemaAttributeIn>>,
}

/// AddCustomAttributes: appends the new custom attributes to the pool's schema. A name the
/// schema already has (standard or custom), a required custom attribute, or a bad type or
/// constraint fails the whole call.
pub fn add_custom_attributes(ctx: &Ctx, body: Value) -> ApiResult<Value> {
    let req: AddCustomAttributesReq = parse(body)?;
    let pool_id = required(req.user_pool_id, "userPoolId")?;
    let inputs = req
        .custom_attributes
        .ok_or_else(|| ApiError::missing("customAttributes"))?;
    ctx.with_db(|conn| {
        let pool = store::require_pool(conn, &pool_id)?;
        let mut config = pool.config.clone();
        config.schema = user_schema::add_custom_attributes(&config.schema, &inputs)?;
        store::update_pool_config(conn, &pool.pool_id, &config, ctx.now())?;
        tracing::info!(pool = %pool.pool_id, added = inputs.len(), "local pool: custom attributes added");
        Ok(json!({}))
    })
}
