//! Tokens, their decoded claims, expiry (with clock drift) and the view front ends may show.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::{AuthFlowType, ExpiryHealth, SessionView};
use crate::cognito::redact::abbreviate;
use crate::cognito::types::AuthenticationResult;

/// Amplify refreshes when a token is within this many milliseconds of `exp`.
pub const REFRESH_MARGIN_MS: i64 = 5_000;

/// The longest a token may plausibly live, in seconds: 30 days, thirty times Cognito's
/// longest access or ID token validity (one day). An `exp` further ahead is flagged.
pub const MAX_PLAUSIBLE_LIFETIME_S: i64 = 30 * 24 * 3600;

/// Unix seconds to milliseconds, saturating (an `exp` of `i64::MAX` is "never", not a wrap).
pub fn secs_to_ms(s: i64) -> i64 {
    s.saturating_mul(1000)
}

/// What `exp_s` (Unix seconds) means at `now_ms` on the local clock.
pub fn expiry_health(exp_s: i64, now_ms: i64) -> ExpiryHealth {
    let now_s = now_ms.div_euclid(1000);
    if exp_s <= now_s {
        ExpiryHealth::Expired
    } else if exp_s.saturating_sub(now_s) > MAX_PLAUSIBLE_LIFETIME_S {
        ExpiryHealth::ImplausiblyFar
    } else {
        ExpiryHealth::Valid
    }
}

/// Decodes a JWT's payload (base64url JSON). No signature check: the client has no reason to
/// distrust the server it just talked to, and the claims are only shown.
pub fn decode_claims(token: &str) -> Result<Value, String> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT (expected three dot-separated parts)".into());
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| "the JWT payload is not base64url".to_string())?;
    let v: Value =
        serde_json::from_slice(&bytes).map_err(|_| "the JWT payload is not JSON".to_string())?;
    if !v.is_object() {
        return Err("the JWT payload is not a JSON object".into());
    }
    Ok(v)
}

fn claim_i64(claims: &Value, name: &str) -> Option<i64> {
    claims.get(name).and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_f64().map(|f| f as i64))
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

fn claim_str<'a>(claims: &'a Value, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// The signed-in user's tokens. Contains secrets: `Debug` abbreviates, and only the token
/// file (0600) ever receives the serialised form.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    pub access_claims: Value,
    pub id_claims: Value,
    /// The name the user signed in with (Amplify's signInDetails.loginId).
    pub login_id: String,
    pub auth_flow: AuthFlowType,
    /// Server time minus local time in ms, measured from the access token's `iat` on receipt.
    pub clock_drift_ms: i64,
    pub refreshed_at_ms: Option<i64>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &abbreviate(&self.access_token))
            .field("id_token", &self.id_token.as_deref().map(abbreviate))
            .field(
                "refresh_token",
                &self.refresh_token.as_deref().map(abbreviate),
            )
            .field("login_id", &self.login_id)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Builds tokens from an AuthenticationResult. `previous_refresh` is kept when the result
    /// has no refresh token (refreshes usually do not rotate it).
    pub fn from_result(
        result: &AuthenticationResult,
        previous_refresh: Option<String>,
        login_id: &str,
        auth_flow: AuthFlowType,
        now_ms: i64,
    ) -> Result<Tokens, String> {
        let access_token = result
            .access_token
            .clone()
            .ok_or("the AuthenticationResult has no AccessToken")?;
        let access_claims =
            decode_claims(&access_token).map_err(|e| format!("AccessToken: {e}"))?;
        let id_claims = match &result.id_token {
            Some(t) => decode_claims(t).map_err(|e| format!("IdToken: {e}"))?,
            None => Value::Object(Default::default()),
        };
        if claim_i64(&access_claims, "exp").is_none() {
            return Err("the AccessToken has no exp claim".into());
        }
        let clock_drift_ms = claim_i64(&access_claims, "iat")
            .map(|iat| secs_to_ms(iat).saturating_sub(now_ms))
            .unwrap_or(0);
        Ok(Tokens {
            access_token,
            id_token: result.id_token.clone(),
            refresh_token: result.refresh_token.clone().or(previous_refresh),
            access_claims,
            id_claims,
            login_id: login_id.to_string(),
            auth_flow,
            clock_drift_ms,
            refreshed_at_ms: None,
        })
    }

    pub fn access_expires_at(&self) -> i64 {
        claim_i64(&self.access_claims, "exp").unwrap_or(0)
    }

    pub fn id_expires_at(&self) -> i64 {
        claim_i64(&self.id_claims, "exp").unwrap_or_else(|| self.access_expires_at())
    }

    /// Cognito's username (`cognito:username` in the ID token, `username` in the access token).
    pub fn username(&self) -> String {
        claim_str(&self.id_claims, "cognito:username")
            .or_else(|| claim_str(&self.access_claims, "username"))
            .unwrap_or(&self.login_id)
            .to_string()
    }

    pub fn sub(&self) -> Option<String> {
        claim_str(&self.id_claims, "sub")
            .or_else(|| claim_str(&self.access_claims, "sub"))
            .map(str::to_string)
    }

    /// Whether the access token carries `origin_jti` (then sign-out revokes the refresh token).
    pub fn has_origin_jti(&self) -> bool {
        self.access_claims.get("origin_jti").is_some()
    }

    /// Amplify's rule: refresh when either token is within 5 s of `exp`, on the server's clock.
    /// Saturating: an `exp` of `i64::MAX` never needs a refresh, and no claim can wrap.
    pub fn needs_refresh(&self, now_ms: i64) -> bool {
        let server_now = now_ms.saturating_add(self.clock_drift_ms);
        let soonest = secs_to_ms(self.access_expires_at().min(self.id_expires_at()));
        server_now.saturating_add(REFRESH_MARGIN_MS) > soonest
    }

    /// What is wrong with the tokens' expiry at `now_ms`, in words, if anything: an access or
    /// ID token already expired, or expiring implausibly far ahead.
    pub fn expiry_problem(&self, now_ms: i64) -> Option<String> {
        let mut out = Vec::new();
        for (name, exp) in [
            ("access", self.access_expires_at()),
            ("ID", self.id_expires_at()),
        ] {
            match expiry_health(exp, now_ms) {
                ExpiryHealth::Valid => {}
                ExpiryHealth::Expired => {
                    out.push(format!("the {name} token is already expired (exp {exp})"))
                }
                ExpiryHealth::ImplausiblyFar => out.push(format!(
                    "the {name} token expires implausibly far ahead (exp {exp}, more than 30 days away)"
                )),
            }
        }
        (!out.is_empty()).then(|| out.join("; "))
    }

    /// True when the access or ID token is past its `exp` on the local clock.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        [self.access_expires_at(), self.id_expires_at()]
            .into_iter()
            .any(|exp| expiry_health(exp, now_ms) == ExpiryHealth::Expired)
    }

    pub fn view(&self, now_ms: i64) -> SessionView {
        SessionView {
            username: self.username(),
            sub: self.sub(),
            auth_flow: self.auth_flow,
            id_token_claims: self.id_claims.clone(),
            access_token_claims: self.access_claims.clone(),
            access_expires_at: self.access_expires_at(),
            id_expires_at: self.id_expires_at(),
            access_token_abbrev: abbreviate(&self.access_token),
            id_token_abbrev: self.id_token.as_deref().map(abbreviate).unwrap_or_default(),
            refresh_token_abbrev: self.refresh_token.as_deref().map(abbreviate),
            refreshed_at_ms: self.refreshed_at_ms,
            access_expiry: expiry_health(self.access_expires_at(), now_ms),
            id_expiry: expiry_health(self.id_expires_at(), now_ms),
        }
    }
}

/// Builds an unsigned JWT with the given claims (tests and fixtures only need the shape).
pub fn fake_jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2ln")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(access_exp: i64, iat: i64) -> AuthenticationResult {
        AuthenticationResult {
            access_token: Some(fake_jwt(&json!({
                "sub": "u-1", "username": "alice", "exp": access_exp, "iat": iat,
                "origin_jti": "j-1", "token_use": "access"
            }))),
            id_token: Some(fake_jwt(&json!({
                "sub": "u-1", "cognito:username": "alice", "exp": access_exp.saturating_add(100),
                "email": "a@example.com"
            }))),
            refresh_token: None,
            expires_in: Some(3600),
            token_type: Some("Bearer".into()),
            new_device_metadata: None,
        }
    }

    #[test]
    fn decodes_claims_and_rejects_garbage() {
        let t = fake_jwt(&json!({"a": 1}));
        assert_eq!(decode_claims(&t).unwrap()["a"], 1);
        assert!(decode_claims("abc").unwrap_err().contains("three"));
        assert!(decode_claims("a.!!!.c").unwrap_err().contains("base64url"));
        let not_json = format!("a.{}.c", URL_SAFE_NO_PAD.encode("nope"));
        assert!(decode_claims(&not_json).unwrap_err().contains("JSON"));
        // Padded payloads (some servers pad) are accepted too.
        let padded = format!("a.{}==.c", URL_SAFE_NO_PAD.encode("{\"x\":true}"));
        assert_eq!(decode_claims(&padded).unwrap()["x"], true);
    }

    #[test]
    fn keeps_the_old_refresh_token_and_builds_the_view() {
        let t = Tokens::from_result(
            &result(2_000, 1_000),
            Some("refresh-old-token-value".into()),
            "alice@example.com",
            AuthFlowType::UserSrpAuth,
            1_000_000,
        )
        .unwrap();
        assert_eq!(t.refresh_token.as_deref(), Some("refresh-old-token-value"));
        assert!(t.has_origin_jti());
        let v = t.view(1_000_000);
        assert_eq!(v.username, "alice");
        assert_eq!(v.sub.as_deref(), Some("u-1"));
        assert_eq!(v.access_expires_at, 2_000);
        assert_eq!(v.id_expires_at, 2_100);
        assert_eq!(v.id_token_claims["email"], "a@example.com");
        assert_eq!(
            v.refresh_token_abbrev.as_deref(),
            Some("refresh-ol…(23 chars)")
        );
        assert!(!format!("{t:?}").contains("refresh-old-token-value"));
    }

    #[test]
    fn refresh_is_due_five_seconds_before_exp_on_the_servers_clock() {
        // Server and local clocks agree (iat == now).
        let t = Tokens::from_result(
            &result(2_000, 1_000),
            None,
            "a",
            Default::default(),
            1_000_000,
        )
        .unwrap();
        assert_eq!(t.clock_drift_ms, 0);
        assert!(!t.needs_refresh(1_994_999));
        assert!(t.needs_refresh(1_995_001));
        // Local clock 60 s behind the server: the token expires 60 s earlier locally.
        let t = Tokens::from_result(
            &result(2_000, 1_000),
            None,
            "a",
            Default::default(),
            940_000,
        )
        .unwrap();
        assert_eq!(t.clock_drift_ms, 60_000);
        assert!(!t.needs_refresh(1_934_000));
        assert!(t.needs_refresh(1_936_000));
    }

    #[test]
    fn extreme_times_neither_wrap_nor_panic_and_are_flagged() {
        // exp = i64::MAX: never due for a refresh, flagged as implausible.
        for (exp, iat) in [
            (i64::MAX, 1_000),
            (i64::MAX - 100, i64::MAX),
            (i64::MIN + 200, i64::MIN),
        ] {
            let t =
                Tokens::from_result(&result(exp, iat), None, "a", Default::default(), 1_000_000)
                    .unwrap();
            let _ = t.needs_refresh(i64::MAX);
            let _ = t.needs_refresh(i64::MIN);
            let _ = t.view(i64::MAX);
            assert!(t.expiry_problem(1_000_000).is_some());
        }
        let far = Tokens::from_result(
            &result(i64::MAX - 100, 1_000),
            None,
            "a",
            Default::default(),
            1_000_000,
        )
        .unwrap();
        assert!(!far.needs_refresh(1_000_000));
        assert!(!far.is_expired(1_000_000));
        let v = far.view(1_000_000);
        assert_eq!(v.access_expiry, ExpiryHealth::ImplausiblyFar);
        assert!(
            far.expiry_problem(1_000_000)
                .unwrap()
                .contains("implausibly far ahead")
        );
        // A token already expired is flagged, and a fresh one is not.
        let old = Tokens::from_result(&result(900, 800), None, "a", Default::default(), 1_000_000)
            .unwrap();
        assert!(old.is_expired(1_000_000));
        assert_eq!(old.view(1_000_000).access_expiry, ExpiryHealth::Expired);
        assert!(
            old.expiry_problem(1_000_000)
                .unwrap()
                .contains("already expired")
        );
        let fresh = Tokens::from_result(
            &result(4_600, 1_000),
            None,
            "a",
            Default::default(),
            1_000_000,
        )
        .unwrap();
        assert_eq!(fresh.expiry_problem(1_000_000), None);
        assert_eq!(fresh.view(1_000_000).access_expiry, ExpiryHealth::Valid);
        assert_eq!(
            expiry_health(1_000 + MAX_PLAUSIBLE_LIFETIME_S, 1_000_000),
            ExpiryHealth::Valid
        );
        assert_eq!(
            expiry_health(1_001 + MAX_PLAUSIBLE_LIFETIME_S, 1_000_000),
            ExpiryHealth::ImplausiblyFar
        );
    }

    #[test]
    fn missing_access_token_or_exp_is_an_error() {
        let mut r = result(2_000, 1_000);
        r.access_token = None;
        assert!(Tokens::from_result(&r, None, "a", Default::default(), 0).is_err());
        r.access_token = Some(fake_jwt(&json!({"sub": "x"})));
        assert!(
            Tokens::from_result(&r, None, "a", Default::default(), 0)
                .unwrap_err()
                .contains("exp")
        );
    }
}
