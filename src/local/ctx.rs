//! The shared state of one running pool ([`Ctx`]: the store, its clock, the signing keys), the
//! region and account ids the pool puts in its ids and ARNs, and the request-body parser every
//! operation starts with.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;

use super::error::{ApiError, ApiResult};
use super::jwt::{self, KeyPair, KeyStock, PoolKeys, SigningKey, StockWork};
use super::srp_sides::SrpSides;
use super::store::{self, Db, PoolRow};
use super::verified::VerifiedPasswords;

/// The region of pools created by a request that names none (no SigV4 credential scope, no
/// regional Host).
pub const REGION: &str = "us-east-1";
/// The account id in ARNs (stable: one account for every caller).
pub const ACCOUNT: &str = "000000000000";

thread_local! {
    static REQUEST_REGION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` (one operation, on its blocking thread) with the region the request was signed
/// for or addressed to.
pub fn with_request_region<T>(region: Option<String>, f: impl FnOnce() -> T) -> T {
    REQUEST_REGION.with(|r| *r.borrow_mut() = region);
    let out = f();
    REQUEST_REGION.with(|r| *r.borrow_mut() = None);
    out
}

/// The region of the request being answered ([`REGION`] when it named none): new pools get
/// their id in it.
pub fn request_region() -> String {
    REQUEST_REGION
        .with(|r| r.borrow().clone())
        .unwrap_or_else(|| REGION.to_string())
}

/// The region of a pool: the part of its id before `_`.
pub fn region_of(pool_id: &str) -> &str {
    pool_id
        .split_once('_')
        .map(|(r, _)| r)
        .filter(|r| !r.is_empty())
        .unwrap_or(REGION)
}

/// A pool's ARN.
pub fn pool_arn(pool_id: &str) -> String {
    format!(
        "arn:aws:cognito-idp:{}:{ACCOUNT}:userpool/{pool_id}",
        region_of(pool_id)
    )
}

/// Shared state of one running pool.
pub struct Ctx {
    /// The store: one writer (`with_db`) and read-only connections (`read`).
    pub db: Db,
    /// Passwords verified by this process, in memory only (see `verified.rs`).
    pub verified: VerifiedPasswords,
    /// The server's side of recent SRP sign-ins, published once checked (see `srp_sides.rs`).
    pub srp_sides: SrpSides,
    /// e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub base_url: String,
    /// Authenticates SECRET_BLOCKs and derives simulated users.
    pub server_key: [u8; 32],
    /// Seconds added to the wall clock (tests move time forward with it).
    pub clock_offset: AtomicI64,
    keys: Mutex<HashMap<String, Arc<PoolKeys>>>,
    /// Held while generating missing pool keys; `keys_ready` once none are missing.
    keygen: Mutex<()>,
    keys_ready: AtomicBool,
    /// Key pairs generated ahead of need (CreateUserPool takes one).
    pub key_stock: Arc<KeyStock>,
    /// The key pair SigV4 signatures are verified with; unset = any well-formed signature.
    pub sigv4_credentials: std::sync::OnceLock<super::sigv4::LocalCredentials>,
    /// Whoever started the pool allowed LambdaConfig commands to run (see `hooks.rs`).
    pub command_triggers: AtomicBool,
    /// The latest trigger runs, for `GET /_local/triggers`.
    pub trigger_log: super::trigger_log::TriggerLog,
}

impl Ctx {
    pub fn new(conn: Connection, base_url: String, server_key: [u8; 32]) -> Self {
        Self {
            db: Db::new(conn),
            verified: VerifiedPasswords::new(),
            srp_sides: SrpSides::new(),
            base_url,
            server_key,
            clock_offset: AtomicI64::new(0),
            keys: Mutex::new(HashMap::new()),
            keygen: Mutex::new(()),
            keys_ready: AtomicBool::new(false),
            key_stock: Arc::new(KeyStock::default()),
            sigv4_credentials: std::sync::OnceLock::new(),
            command_triggers: AtomicBool::new(false),
            trigger_log: Default::default(),
        }
    }

    /// Generates the signing keys of every pool that has none yet (the seeded demo pool on a
    /// fresh store), outside the store lock. Cheap once done; concurrent callers wait for the
    /// one doing the work. Must not be called with the store locked.
    pub fn ensure_keys(&self) -> ApiResult<()> {
        if self.keys_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let _guard = self.keygen.lock().unwrap_or_else(|e| e.into_inner());
        if self.keys_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        for pool_id in self.with_db(store::pools_without_keys)? {
            let (id, access) = self.key_pair()?;
            self.with_db(|c| store::set_pool_keys(c, &pool_id, &id, &access))?;
            tracing::info!(pool = %pool_id, "local pool: signing keys generated");
        }
        self.keys_ready.store(true, Ordering::Release);
        Ok(())
    }

    /// A key pair for a pool that needs one now: a ready one, else one generated now.
    pub fn key_pair(&self) -> ApiResult<KeyPair> {
        if let Some(pair) = self.key_stock.take_if_ready() {
            return Ok(pair);
        }
        jwt::generate_key_pair().map_err(|e| {
            tracing::error!(error = %e, "local pool: key generation failed");
            ApiError::internal("Internal error: key generation failed")
        })
    }

    /// Starts the thread that keeps [`KeyStock`] filled (idle until the first CreateUserPool)
    /// and gives keys to pools created while the stock was empty. It ends with the pool.
    pub fn start_key_filler(self: &Arc<Self>) {
        let stock = self.key_stock.clone();
        let ctx = Arc::downgrade(self);
        let spawned = std::thread::Builder::new()
            .name("pool-keygen".into())
            .spawn(move || {
                while let StockWork::Generate = stock.next_work() {
                    let pair = match jwt::generate_key_pair() {
                        Ok(p) => p,
                        Err(e) => {
                            tracing::error!(error = %e, "local pool: key generation failed");
                            return;
                        }
                    };
                    let Some(ctx) = ctx.upgrade() else { return };
                    let waiting = ctx
                        .with_db(store::pools_without_keys)
                        .ok()
                        .and_then(|p| p.into_iter().next());
                    match waiting {
                        Some(pool_id) => {
                            let (id, access) = &pair;
                            if let Err(e) =
                                ctx.with_db(|c| store::set_pool_keys(c, &pool_id, id, access))
                            {
                                tracing::error!(error = %e.message, "local pool: storing keys failed");
                            }
                        }
                        None => stock.put(pair),
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "local pool: cannot start the key generator");
        }
    }

    /// Back to a freshly seeded store: empties it (in one transaction), forgets cached keys, and
    /// runs `reseed`.
    pub fn reset(&self, reseed: fn(&Ctx) -> anyhow::Result<bool>) -> ApiResult<()> {
        let _guard = self.keygen.lock().unwrap_or_else(|e| e.into_inner());
        self.with_db(store::wipe)?;
        self.verified.clear();
        self.srp_sides.clear();
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.keys_ready.store(false, Ordering::Release);
        self.key_stock.activate();
        reseed(self).map_err(|e| {
            tracing::error!(error = %e, "local pool: reseeding failed");
            ApiError::internal("Internal error: reseeding failed")
        })?;
        Ok(())
    }

    pub fn now_dt(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
            + time::Duration::seconds(self.clock_offset.load(Ordering::Relaxed))
    }

    /// Unix seconds on the pool's clock.
    pub fn now(&self) -> i64 {
        self.now_dt().unix_timestamp()
    }

    /// The token issuer of a pool: this server's base URL plus `/{poolId}`.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.base_url, pool_id)
    }

    /// The pool's signing keys (parsed once, then cached). A pool created while no key pair
    /// was ready gets its pair now, if the filler has not given it one yet.
    pub fn pool_keys(&self, conn: &Connection, pool: &PoolRow) -> ApiResult<Arc<PoolKeys>> {
        if let Some(k) = self
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&pool.pool_id)
        {
            return Ok(k.clone());
        }
        let fresh;
        let pool = if pool.id_key_pem.is_empty() || pool.access_key_pem.is_empty() {
            let (id, access) = self.key_pair()?;
            store::set_pool_keys(conn, &pool.pool_id, &id, &access)?;
            fresh = store::require_pool(conn, &pool.pool_id)?;
            &fresh
        } else {
            pool
        };
        let mut cache = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let build = || -> anyhow::Result<PoolKeys> {
            Ok(PoolKeys {
                id: SigningKey::from_pem(&pool.id_kid, &pool.id_key_pem)?,
                access: SigningKey::from_pem(&pool.access_kid, &pool.access_key_pem)?,
            })
        };
        let keys = Arc::new(build().map_err(|e| {
            tracing::error!(error = %e, pool = %pool.pool_id, "local pool: unusable signing key");
            ApiError::internal("Internal error: signing keys unavailable")
        })?);
        cache.insert(pool.pool_id.clone(), keys.clone());
        Ok(keys)
    }

    /// Drops a deleted pool's cached signing keys.
    pub fn forget_pool_keys(&self, pool_id: &str) {
        let mut cache = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        cache.remove(pool_id);
    }

    /// Runs `f` in one write transaction of the store: committed when `f` answers (also with
    /// a Cognito error, so a failed attempt still counts), rolled back on a fault. Waits at
    /// most two seconds for the write lock, then answers TooManyRequestsException.
    /// Keep SRP and RSA math out of `f` where the operation allows: others wait for it.
    pub fn with_db<T>(&self, f: impl FnOnce(&Connection) -> ApiResult<T>) -> ApiResult<T> {
        self.db.write(f)
    }

    /// Runs `f` on a read-only connection in one consistent snapshot; never waits on a writer.
    /// A write in `f` fails (the connection is read-only): writes go through `with_db`.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> ApiResult<T>) -> ApiResult<T> {
        self.db.read(f)
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        self.key_stock.close();
    }
}

/// Parses a request body into an operation's input shape.
pub fn parse<T: DeserializeOwned>(body: Value) -> ApiResult<T> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::serialization(format!("Could not deserialize the request: {e}")))
}
