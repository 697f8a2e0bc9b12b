//! The keys a token issuer signs with (its JWKS, `iss` + `/.well-known/jwks.json`): which
//! issuers the client will fetch them from, the fetch itself (through the client's bounded
//! reading: size cap, one deadline, no redirect), and a cache per issuer that is fetched again
//! once when a token names a key it does not hold (Cognito rotates keys rarely, but it does).
//!
//! A token must not make the tool fetch an arbitrary URL: its `iss` is only ever fetched from
//! when it is exactly the issuer of the configured user pool, either as real Cognito writes it
//! (`https://cognito-idp.{region}.amazonaws.com/{poolId}`, always https) or under the endpoint
//! the user configured (`{endpoint}/{poolId}`, which is how the embedded pool and other
//! Cognito-compatible servers write it). Any other `iss` is refused without a request.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::client::{Client, now_ms};
use crate::config::Target;

/// The largest JWKS document read: Cognito's holds two 2048-bit keys (about 1 KiB).
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// The most keys kept from one JWKS document.
pub const MAX_JWKS_KEYS: usize = 32;

/// Unknown key ids a cached issuer is fetched again for, at most (each only once).
const MAX_REFETCHES: usize = 8;

/// One public key of a JWKS (RSA only: Cognito signs with RS256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kid: String,
    pub kty: String,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    /// The modulus, base64url.
    pub n: String,
    /// The exponent, base64url.
    pub e: String,
}

/// Where a key came from, as a front end may show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysSource {
    pub url: String,
    /// Unix milliseconds of the fetch the key came from.
    pub fetched_at_ms: i64,
    /// True when no request was made for this check (the issuer's keys were cached).
    pub from_cache: bool,
    /// The key ids the issuer published.
    pub kids: Vec<String>,
}

/// The answer to "which key signed this?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    Found {
        key: Jwk,
        source: KeysSource,
    },
    /// The issuer's JWKS (fetched again once for this kid) has no key of that id.
    UnknownKid {
        source: KeysSource,
    },
    /// The JWKS could not be fetched or read.
    Failed {
        url: String,
        message: String,
    },
}

/// The issuers of the configured pool a token may name: real Cognito's form, and the one under
/// the configured endpoint (the same URL when the endpoint is Cognito's own).
pub fn trusted_issuers(endpoint: &str, user_pool_id: &str) -> Vec<String> {
    let pool_ok = !user_pool_id.is_empty()
        && user_pool_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !pool_ok {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(region) = Target::region_of(user_pool_id) {
        out.push(format!("{}{user_pool_id}", Target::aws_endpoint(region)));
    }
    let base = endpoint.trim_end_matches('/');
    if !base.is_empty() {
        let own = format!("{base}/{user_pool_id}");
        if !out.contains(&own) {
            out.push(own);
        }
    }
    out
}

/// The JWKS URL of `iss`, or why the client will not fetch it.
pub fn jwks_url(client: &Client, iss: &str) -> Result<String, String> {
    let trusted = trusted_issuers(client.endpoint(), client.user_pool_id());
    if trusted.is_empty() {
        return Err(format!(
            "no user pool id is configured (\"{}\"), so no issuer is trusted: keys not fetched",
            client.user_pool_id()
        ));
    }
    if trusted.iter().any(|t| t == iss) {
        Ok(format!("{iss}/.well-known/jwks.json"))
    } else {
        Err(format!(
            "the issuer {} is not the configured pool's ({}): its keys were not fetched",
            shown(iss),
            trusted.join(" or ")
        ))
    }
}

/// At most 120 characters of a value a token brought, without control characters.
fn shown(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() > 120 {
        let head: String = clean.chars().take(120).collect();
        format!("{head:?}…")
    } else {
        format!("{clean:?}")
    }
}

struct Entry {
    keys: Vec<Jwk>,
    fetched_at_ms: i64,
    /// Unknown key ids this issuer was already fetched again for.
    refetched_for: HashSet<String>,
}

/// JWKS documents per issuer URL. Cheap to clone: clones share one cache.
#[derive(Clone, Default)]
pub struct JwksCache {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("issuers", &self.entries.lock().len())
            .finish()
    }
}

impl JwksCache {
    /// The key `kid` of the JWKS at `url` (an URL [`jwks_url`] gave): from the cache, else
    /// fetched; a cached document without `kid` is fetched again once for that kid.
    pub async fn key(&self, client: &Client, url: &str, kid: &str) -> KeyLookup {
        let cached = {
            let mut map = self.entries.lock();
            match map.get_mut(url) {
                Some(e) => {
                    if let Some(k) = e.keys.iter().find(|k| k.kid == kid) {
                        return KeyLookup::Found {
                            key: k.clone(),
                            source: source(url, e, true),
                        };
                    }
                    if e.refetched_for.contains(kid) || e.refetched_for.len() >= MAX_REFETCHES {
                        return KeyLookup::UnknownKid {
                            source: source(url, e, true),
                        };
                    }
                    e.refetched_for.insert(kid.to_string());
                    true
                }
                None => false,
            }
        };
        let keys = match fetch(client, url).await {
            Ok(k) => k,
            Err(message) => {
                return KeyLookup::Failed {
                    url: url.to_string(),
                    message,
                };
            }
        };
        let mut map = self.entries.lock();
        let refetched_for = match map.remove(url) {
            Some(old) => old.refetched_for,
            None if cached => HashSet::from([kid.to_string()]),
            None => HashSet::new(),
        };
        let entry = map.entry(url.to_string()).or_insert(Entry {
            keys,
            fetched_at_ms: now_ms(),
            refetched_for,
        });
        match entry.keys.iter().find(|k| k.kid == kid) {
            Some(k) => KeyLookup::Found {
                key: k.clone(),
                source: source(url, entry, false),
            },
            None => KeyLookup::UnknownKid {
                source: source(url, entry, false),
            },
        }
    }
}

fn source(url: &str, e: &Entry, from_cache: bool) -> KeysSource {
    KeysSource {
        url: url.to_string(),
        fetched_at_ms: e.fetched_at_ms,
        from_cache,
        kids: e.keys.iter().map(|k| k.kid.clone()).collect(),
    }
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

/// GETs and reads one JWKS document; keeps its RSA keys.
async fn fetch(client: &Client, url: &str) -> Result<Vec<Jwk>, String> {
    let call = client
        .get_json(url, "GET /.well-known/jwks.json", MAX_JWKS_BYTES)
        .await;
    let value = call
        .result
        .map_err(|e| format!("{}: {}", e.code(), e.message()))?;
    let doc: Document = serde_json::from_value(value)
        .map_err(|_| "the JWKS is not a JSON object with a \"keys\" array".to_string())?;
    if doc.keys.len() > MAX_JWKS_KEYS {
        return Err(format!(
            "the JWKS holds {} keys, over the client's limit of {MAX_JWKS_KEYS}",
            doc.keys.len()
        ));
    }
    let keys: Vec<Jwk> = doc
        .keys
        .into_iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k).ok())
        .filter(|k| k.kty == "RSA")
        .collect();
    if keys.is_empty() {
        return Err("the JWKS holds no RSA key".into());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_pools_issuers_are_trusted() {
        let aws = "https://cognito-idp.eu-west-1.amazonaws.com/";
        assert_eq!(
            trusted_issuers(aws, "eu-west-1_AbC"),
            vec!["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC".to_string()]
        );
        assert_eq!(
            trusted_issuers("http://127.0.0.1:9229/", "us-east-1_x"),
            vec![
                "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x".to_string(),
                "http://127.0.0.1:9229/us-east-1_x".to_string(),
            ]
        );
        // A pool id that would change the path is no pool id.
        assert!(trusted_issuers(aws, "eu-west-1_a/../x").is_empty());
        assert!(trusted_issuers(aws, "").is_empty());
    }

    /// A JWKS server on 127.0.0.1 publishing one key `a`; counts the requests it answers.
    fn jwks_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/p/.well-known/jwks.json",
            listener.local_addr().unwrap()
        );
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let body = r#"{"keys":[{"kid":"a","kty":"RSA","n":"AQAB","e":"AQAB"},
                                       {"kid":"ec","kty":"EC","crv":"P-256"}]}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, hits)
    }

    #[tokio::test]
    async fn keys_are_cached_per_issuer_and_fetched_again_once_per_unknown_kid() {
        let (url, hits) = jwks_server();
        let n = || hits.load(std::sync::atomic::Ordering::SeqCst);
        let target = Target {
            endpoint: "http://127.0.0.1:9/".into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_x".into(),
            client_id: "c".into(),
            client_secret: None,
            local: false,
        };
        let client = Client::new(&target).unwrap();
        let cache = JwksCache::default();
        let KeyLookup::Found { key, source } = cache.key(&client, &url, "a").await else {
            panic!("key a")
        };
        assert_eq!((key.kid.as_str(), source.from_cache, n()), ("a", false, 1));
        // Only the RSA key is kept.
        assert_eq!(source.kids, vec!["a".to_string()]);
        let KeyLookup::Found { source, .. } = cache.key(&client, &url, "a").await else {
            panic!("key a again")
        };
        assert!(source.from_cache);
        assert_eq!(n(), 1);
        // An unknown kid: fetched again once (a rotation would show up), then not again.
        assert!(matches!(
            cache.key(&client, &url, "b").await,
            KeyLookup::UnknownKid { source } if !source.from_cache
        ));
        assert_eq!(n(), 2);
        assert!(matches!(
            cache.key(&client, &url, "b").await,
            KeyLookup::UnknownKid { source } if source.from_cache
        ));
        assert_eq!(n(), 2);
        // Many made-up kids cannot make it fetch without end.
        for i in 0..20 {
            cache.key(&client, &url, &format!("made-up-{i}")).await;
        }
        assert_eq!(n(), 2 + MAX_REFETCHES - 1);
    }

    #[test]
    fn an_issuer_from_elsewhere_is_not_fetched() {
        let target = Target {
            endpoint: "http://127.0.0.1:9/".into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_x".into(),
            client_id: "c".into(),
            client_secret: None,
            local: true,
        };
        let client = Client::new(&target).unwrap();
        assert_eq!(
            jwks_url(&client, "http://127.0.0.1:9/us-east-1_x").unwrap(),
            "http://127.0.0.1:9/us-east-1_x/.well-known/jwks.json"
        );
        for bad in [
            "https://evil.example/us-east-1_x",
            "http://127.0.0.1:9/us-east-1_y",
            "http://127.0.0.1:9/us-east-1_x/",
            "http://169.254.169.254/latest",
        ] {
            let e = jwks_url(&client, bad).unwrap_err();
            assert!(e.contains("not the configured pool's"), "{e}");
        }
    }
}
