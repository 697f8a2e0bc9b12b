//! Paging: the List* `Limit` / `MaxResults` checks, the plain page tokens of ListUserPools and
//! ListUserPoolClients, and the signed cursors of ListUsers and the group listings.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::{Deserialize, Serialize};

use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::store::PageCursor;

/// ListUsers pagination tokens expire after an hour.
pub const PAGE_TOKEN_TTL: i64 = 3600;

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

pub(crate) fn check_max_results(n: Option<i64>, required_member: bool) -> ApiResult<usize> {
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

/// The page tokens of ListUserPools and ListUserPoolClients: opaque base64url of a small JSON
/// document.
#[derive(Serialize, Deserialize)]
struct PageToken {
    k: String,
    a: String,
    t: i64,
}

pub(crate) fn make_page_token(kind: &str, after: &str, now: i64) -> String {
    let t = PageToken {
        k: kind.into(),
        a: after.into(),
        t: now,
    };
    B64URL.encode(serde_json::to_vec(&t).unwrap_or_default())
}

pub(crate) fn read_page_token(
    kind: &str,
    token: &str,
    now: i64,
    ttl: Option<i64>,
) -> ApiResult<String> {
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

pub(crate) fn make_signed_cursor(ctx: &Ctx, scope: &str, at: &PageCursor, now: i64) -> String {
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
) -> ApiResult<PageCursor> {
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
    Ok(PageCursor {
        value: c.v,
        username: c.u,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
