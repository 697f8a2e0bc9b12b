//! Which Cognito the app talks to: the embedded pool, real AWS, or another endpoint.

use crate::secret::Secret;

/// A resolved target: everything the wire client needs.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL of the Cognito API, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/`
    /// or `http://127.0.0.1:41234/` for the embedded pool.
    pub endpoint: String,
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// True for the embedded pool (its outbox can be read, its users seeded).
    pub local: bool,
}

impl Target {
    /// The region is the part of the pool id before `_`.
    pub fn region_of(pool_id: &str) -> Option<&str> {
        pool_id
            .split_once('_')
            .map(|(r, _)| r)
            .filter(|r| !r.is_empty())
    }

    /// The public AWS endpoint of a region.
    pub fn aws_endpoint(region: &str) -> String {
        format!("https://cognito-idp.{region}.amazonaws.com/")
    }
}
