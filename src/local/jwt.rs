//! RS256 tokens: per-pool RSA key pairs (one for ID tokens, one for access tokens, so the JWKS
//! holds two keys as Cognito's does), signing, verification and the JWKS document.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiResult};

/// A fresh RSA-2048 key: (kid, PKCS#1 PEM of the private key).
pub fn generate_key() -> anyhow::Result<(String, String)> {
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
    let pem = key.to_pkcs1_pem(LineEnding::LF)?.to_string();
    Ok((kid_of(&key)?, pem))
}

fn kid_of(key: &rsa::RsaPrivateKey) -> anyhow::Result<String> {
    let der = key.to_public_key().to_pkcs1_der()?;
    Ok(B64.encode(Sha256::digest(der.as_bytes())))
}

/// Two fresh RSA keys (ID, access), generated in parallel: this takes a moment.
pub fn generate_key_pair() -> anyhow::Result<KeyPair> {
    let (id_key, access_key) = std::thread::scope(|s| {
        let a = s.spawn(generate_key);
        let b = generate_key();
        (a.join(), b)
    });
    let id_key = id_key.map_err(|_| anyhow::anyhow!("key generation panicked"))??;
    Ok((id_key, access_key?))
}

/// A pool's (ID, access) key pair: each a (kid, PKCS#1 PEM).
pub type KeyPair = ((String, String), (String, String));

/// Key pairs generated ahead of need, so CreateUserPool does not wait for RSA. A filler thread
/// (see `Ctx::start_key_filler`) keeps up to [`KeyStock::TARGET`] pairs ready once pools are
/// being created; each pair is handed out once, so every pool still has its own keys.
#[derive(Default)]
pub struct KeyStock {
    state: std::sync::Mutex<StockState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct StockState {
    ready: Vec<KeyPair>,
    /// Set by the first CreateUserPool (or reset): until then nothing is generated ahead.
    active: bool,
    /// When a pair was last asked for: the filler waits for a quiet moment after it, so a burst
    /// of CreateUserPool calls does not compete with key generation for the CPU.
    last_take: Option<std::time::Instant>,
    closed: bool,
}

/// What the filler should do next.
pub enum StockWork {
    /// Generate a pair (for a pool still without keys, else for the stock).
    Generate,
    /// The pool was dropped: stop.
    Stop,
}

impl KeyStock {
    /// Pairs kept ready: enough for a suite that creates a pool per test (one taken, one made
    /// while the test runs); a burst beyond it gets pools whose keys follow in the background,
    /// and a pool made by nobody costs no key generation at all.
    pub const TARGET: usize = 2;
    /// How long after the last request for a pair the filler waits before generating.
    pub const QUIET: std::time::Duration = std::time::Duration::from_millis(200);

    fn lock(&self) -> std::sync::MutexGuard<'_, StockState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A ready pair, if any; asks the filler for more either way.
    pub fn take(&self) -> Option<KeyPair> {
        let mut st = self.lock();
        st.active = true;
        st.last_take = Some(std::time::Instant::now());
        let pair = st.ready.pop();
        self.changed.notify_all();
        pair
    }

    /// A ready pair, if any, without starting the filler (the demo pool's keys at start-up must
    /// not set key generation going in every process).
    pub fn take_if_ready(&self) -> Option<KeyPair> {
        self.lock().ready.pop()
    }

    /// Starts filling (e.g. after a reset, when the demo pool needs keys again).
    pub fn activate(&self) {
        self.lock().active = true;
        self.changed.notify_all();
    }

    pub fn put(&self, pair: KeyPair) {
        self.lock().ready.push(pair);
    }

    pub fn ready(&self) -> usize {
        self.lock().ready.len()
    }

    /// Wakes the filler for good: the pool is gone.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Blocks until the stock wants another pair (or the pool is gone).
    pub fn next_work(&self) -> StockWork {
        let mut st = self.lock();
        loop {
            if st.closed {
                return StockWork::Stop;
            }
            let mut wait = std::time::Duration::from_secs(5);
            if st.active && st.ready.len() < Self::TARGET {
                let since = st.last_take.map(|t| t.elapsed());
                match since {
                    Some(s) if s < Self::QUIET => wait = Self::QUIET - s,
                    _ => return StockWork::Generate,
                }
            }
            st = self
                .changed
                .wait_timeout(st, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// One usable signing key.
pub struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    n_b64: String,
    e_b64: String,
}

impl SigningKey {
    pub fn from_pem(kid: &str, pem: &str) -> anyhow::Result<Self> {
        let key = rsa::RsaPrivateKey::from_pkcs1_pem(pem)?;
        let n_b64 = B64URL.encode(key.n().to_bytes_be());
        let e_b64 = B64URL.encode(key.e().to_bytes_be());
        Ok(Self {
            kid: kid.to_string(),
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes())?,
            decoding: DecodingKey::from_rsa_components(&n_b64, &e_b64)?,
            n_b64,
            e_b64,
        })
    }

    pub fn sign(&self, claims: &Value) -> ApiResult<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| {
            tracing::error!(error = %e, "local pool: signing a token failed");
            ApiError::internal("Internal error: could not sign token")
        })
    }

    pub fn jwk(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": self.e_b64,
            "kid": self.kid,
            "kty": "RSA",
            "n": self.n_b64,
            "use": "sig",
        })
    }
}

/// A pool's two keys.
pub struct PoolKeys {
    pub id: SigningKey,
    pub access: SigningKey,
}

impl PoolKeys {
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.id.jwk(), self.access.jwk()] })
    }
}

/// Why a presented access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Invalid,
    Expired,
}

/// Checks the signature (with the key named by `kid`) and returns the claims. Expiry is checked
/// by the caller against the pool's clock.
pub fn verify(token: &str, keys: &PoolKeys, now: i64) -> Result<Value, TokenProblem> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenProblem::Invalid)?;
    let key = match header.kid.as_deref() {
        Some(k) if k == keys.access.kid => &keys.access,
        Some(k) if k == keys.id.kid => &keys.id,
        _ => return Err(TokenProblem::Invalid),
    };
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Value>(token, &key.decoding, &v)
        .map_err(|_| TokenProblem::Invalid)?;
    let exp = data.claims.get("exp").and_then(Value::as_i64);
    match exp {
        Some(exp) if exp > now => Ok(data.claims),
        Some(_) => Err(TokenProblem::Expired),
        None => Err(TokenProblem::Invalid),
    }
}

/// Reads the claims of a JWT without verifying it (for error messages only).
pub fn peek_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&B64URL.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dummy_pair(n: u8) -> KeyPair {
        let k = |s: &str| (format!("{s}{n}"), String::new());
        (k("id"), k("access"))
    }

    #[test]
    fn the_key_stock_fills_on_demand_after_a_quiet_moment_and_stops_with_its_pool() {
        let stock = KeyStock::default();
        // Start-up takes what is ready without setting generation going.
        assert!(stock.take_if_ready().is_none());
        stock.close();
        assert!(matches!(stock.next_work(), StockWork::Stop));

        let stock = KeyStock::default();
        assert!(
            stock.take().is_none(),
            "nothing is generated before it is asked for"
        );
        let asked = std::time::Instant::now();
        assert!(matches!(stock.next_work(), StockWork::Generate));
        assert!(
            asked.elapsed() >= KeyStock::QUIET,
            "the filler waits for a quiet moment"
        );
        stock.put(dummy_pair(1));
        stock.put(dummy_pair(2));
        assert_eq!(stock.ready(), KeyStock::TARGET);
        // Each pair is handed out once.
        let a = stock.take().unwrap();
        let b = stock.take_if_ready().unwrap();
        assert_ne!(a, b);
        assert_eq!(stock.ready(), 0);
        stock.close();
        assert!(matches!(stock.next_work(), StockWork::Stop));
    }

    #[test]
    fn sign_verify_and_reject_tampering() {
        let (kid1, pem1) = generate_key().unwrap();
        let (kid2, pem2) = generate_key().unwrap();
        assert_ne!(kid1, kid2);
        let keys = PoolKeys {
            id: SigningKey::from_pem(&kid1, &pem1).unwrap(),
            access: SigningKey::from_pem(&kid2, &pem2).unwrap(),
        };
        let tok = keys
            .access
            .sign(&json!({"sub": "x", "exp": 2000, "token_use": "access"}))
            .unwrap();
        let claims = verify(&tok, &keys, 1000).unwrap();
        assert_eq!(claims["sub"], "x");
        assert_eq!(verify(&tok, &keys, 2000), Err(TokenProblem::Expired));
        // Swap the payload: the signature no longer matches.
        let parts: Vec<&str> = tok.split('.').collect();
        let forged_payload = B64URL.encode(br#"{"sub":"y","exp":2000,"token_use":"access"}"#);
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(verify(&forged, &keys, 1000), Err(TokenProblem::Invalid));
        assert_eq!(verify("garbage", &keys, 1000), Err(TokenProblem::Invalid));
        let jwks = keys.jwks();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
        assert_eq!(peek_claims(&tok).unwrap()["sub"], "x");
    }
}
