//! Tokens, checked: each JWT's header, its RS256 signature against the issuer's JWKS, and its
//! claims against the configured app client, with one reason per problem, the way a resource
//! server would check them, plus what only this client can know (that it revoked them).
//!
//! The refresh token is opaque to the client (on Cognito an encrypted JWE only Cognito can
//! read): it is shown as such, never checked.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cognito::Client;
use crate::cognito::jwks::{JwksCache, KeyLookup, KeysSource, jwks_url};
use crate::cognito::redact::abbreviate;

/// Which of the three tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Id,
    Access,
    Refresh,
}

impl TokenKind {
    pub fn label(self) -> &'static str {
        match self {
            TokenKind::Id => "ID",
            TokenKind::Access => "Access",
            TokenKind::Refresh => "Refresh",
        }
    }

    /// The `token_use` claim Cognito writes into this kind of token.
    pub fn token_use(self) -> Option<&'static str> {
        match self {
            TokenKind::Id => Some("id"),
            TokenKind::Access => Some("access"),
            TokenKind::Refresh => None,
        }
    }
}

/// A JWT's (or JWE's) header, as far as it is worth showing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtHeader {
    pub alg: Option<String>,
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// A JWE's content encryption (`A256GCM`): set only for an encrypted token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enc: Option<String>,
}

/// What became of the signature check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "signature", rename_all = "snake_case")]
pub enum Signature {
    /// RS256 over header.payload verifies with the issuer's key `kid`.
    Verified { kid: String, keys: KeysSource },
    /// The key was found and the signature does not match it: the token was altered.
    Bad { kid: String, keys: KeysSource },
    /// Not checked; the problems say why (or the token is opaque).
    NotChecked,
}

/// How the client ended the session the tokens belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOutKind {
    /// GlobalSignOut succeeded: every token of the user is revoked.
    Global,
    /// RevokeToken succeeded: the refresh token and every token sharing its origin_jti.
    Revoked,
    /// Only forgotten here: no revocation was asked for, or it failed.
    Local,
}

/// A sign-out the client performed, for the tokens it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedOut {
    pub kind: SignOutKind,
    pub at_ms: i64,
}

/// One reason a token does not pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TokenProblem {
    /// Not three base64url parts, or a header or payload that is not a JSON object.
    Malformed {
        message: String,
    },
    /// Cognito signs with RS256 only; `none`, HS256 and the like are refused unchecked.
    UnsupportedAlg {
        alg: String,
    },
    /// The header names no key.
    NoKid,
    /// `iss` is not the configured pool's: its keys are not fetched.
    UntrustedIssuer {
        message: String,
    },
    KeysUnavailable {
        url: String,
        message: String,
    },
    /// The issuer publishes no key with this id (after fetching its JWKS again once).
    UnknownKid {
        kid: String,
        known: Vec<String>,
    },
    /// The signature does not verify with the issuer's key.
    BadSignature,
    Expired {
        exp: i64,
        seconds_ago: i64,
    },
    NoExp,
    WrongTokenUse {
        expected: String,
        found: Option<String>,
    },
    /// An ID token's `aud` is not the configured app client.
    WrongAudience {
        expected: String,
        found: Option<String>,
    },
    /// An access token's `client_id` is not the configured app client.
    WrongClientId {
        expected: String,
        found: Option<String>,
    },
    /// This client revoked it (GlobalSignOut or RevokeToken answered success).
    Revoked {
        by: SignOutKind,
        at_ms: i64,
    },
}

impl TokenProblem {
    /// One line saying what is wrong, for the panel and the status pane.
    pub fn reason(&self) -> String {
        match self {
            TokenProblem::Malformed { message } => format!("malformed: {message}"),
            TokenProblem::UnsupportedAlg { alg } => {
                format!("alg {alg:?}: Cognito signs only with RS256, so this is not its token")
            }
            TokenProblem::NoKid => "the header names no key (kid): nothing to verify with".into(),
            TokenProblem::UntrustedIssuer { message } => message.clone(),
            TokenProblem::KeysUnavailable { url, message } => {
                format!("the issuer's keys could not be read from {url}: {message}")
            }
            TokenProblem::UnknownKid { kid, known } => format!(
                "unknown kid {}: the issuer publishes {} (fetched again once)",
                short_kid(kid),
                if known.is_empty() {
                    "no key".to_string()
                } else {
                    known
                        .iter()
                        .map(|k| short_kid(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            TokenProblem::BadSignature => "bad signature: the header or claims were changed after \
                 the issuer signed them (tampered)"
                .into(),
            TokenProblem::Expired { seconds_ago, .. } => {
                format!(
                    "expired {} ago (exp is past on this machine's clock)",
                    span(*seconds_ago)
                )
            }
            TokenProblem::NoExp => "no exp claim: a Cognito token always has one".into(),
            TokenProblem::WrongTokenUse { expected, found } => format!(
                "wrong token_use: {} where an {} token says {expected:?}",
                quoted(found),
                if expected == "id" { "ID" } else { "access" }
            ),
            TokenProblem::WrongAudience { expected, found } => format!(
                "wrong audience: aud is {}, the configured app client is {expected:?}",
                quoted(found)
            ),
            TokenProblem::WrongClientId { expected, found } => format!(
                "wrong client_id: {}, the configured app client is {expected:?}",
                quoted(found)
            ),
            TokenProblem::Revoked { by, .. } => match by {
                SignOutKind::Global => "revoked by GlobalSignOut (every session of the user): \
                                        Cognito refuses it, yet it still passes a check of \
                                        signature and exp alone"
                    .into(),
                _ => "revoked by RevokeToken (all of its origin_jti): Cognito refuses it, yet \
                      it still passes a check of signature and exp alone"
                    .into(),
            },
        }
    }
}

fn quoted(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{:?}", cut(s)),
        None => "missing".into(),
    }
}

/// A value a token brought, for a line: at most 60 characters, without control characters.
fn cut(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() > 60 {
        let head: String = clean.chars().take(60).collect();
        format!("{head}…")
    } else {
        clean
    }
}

/// A kid shortened for a line (Cognito's are 44-character base64 hashes).
pub fn short_kid(kid: &str) -> String {
    if kid.chars().count() > 12 {
        let head: String = kid.chars().take(10).collect();
        format!("{head}…")
    } else {
        kid.to_string()
    }
}

/// `54 min`, `2 h 5 min`, `40 s`, `3 d`.
pub fn span(secs: i64) -> String {
    let s = secs.unsigned_abs();
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        match (s / 3600, (s % 3600) / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        }
    } else {
        format!("{} d", s / 86_400)
    }
}

/// One token's check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenCheck {
    pub kind: TokenKind,
    /// The token abbreviated (`eyJraWQi…(1043 chars)`), never whole.
    pub abbrev: String,
    pub header: Option<JwtHeader>,
    /// The decoded claims (empty for an opaque token).
    pub claims: Value,
    #[serde(flatten)]
    pub signature: Signature,
    pub problems: Vec<TokenProblem>,
    /// True for a token the client cannot read (the refresh token).
    #[serde(default)]
    pub opaque: bool,
    /// Things worth knowing that are not problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl TokenCheck {
    /// ✓: the signature verifies and nothing is wrong.
    pub fn ok(&self) -> bool {
        matches!(self.signature, Signature::Verified { .. }) && self.problems.is_empty()
    }
}

/// The check of one session's tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenCheckReport {
    pub checked_at_ms: i64,
    pub username: String,
    /// Set when the tokens are the ones the last sign-out ended (nobody is signed in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_out: Option<SignedOut>,
    pub tokens: Vec<TokenCheck>,
}

impl TokenCheckReport {
    pub fn token(&self, kind: TokenKind) -> Option<&TokenCheck> {
        self.tokens.iter().find(|t| t.kind == kind)
    }
}

/// The tokens of one session, as strings (the caller keeps them; nothing here stores them).
#[derive(Clone, Copy)]
pub struct TokenSet<'a> {
    pub username: &'a str,
    pub id: Option<&'a str>,
    pub access: &'a str,
    pub refresh: Option<&'a str>,
    /// The issuer's clock minus this machine's, in ms (measured from `iat` on receipt).
    pub clock_drift_ms: i64,
}

/// A clock difference worth a note: a minute.
const NOTABLE_DRIFT_MS: i64 = 60_000;

/// Checks a session's tokens against the keys of their issuer and the configured client.
pub async fn check_tokens(
    client: &Client,
    cache: &JwksCache,
    set: TokenSet<'_>,
    signed_out: Option<SignedOut>,
    now_ms: i64,
) -> TokenCheckReport {
    let mut tokens = Vec::new();
    if let Some(id) = set.id {
        tokens.push(check_jwt(client, cache, TokenKind::Id, id, signed_out, now_ms).await);
    }
    tokens.push(
        check_jwt(
            client,
            cache,
            TokenKind::Access,
            set.access,
            signed_out,
            now_ms,
        )
        .await,
    );
    if set.clock_drift_ms.abs() >= NOTABLE_DRIFT_MS {
        let d = set.clock_drift_ms / 1000;
        let note = format!(
            "the issuer's clock is {} {} this machine's: times are judged on this machine's \
             clock, as a resource server here would judge them",
            span(d),
            if d < 0 { "behind" } else { "ahead of" }
        );
        for t in &mut tokens {
            t.notes.push(note.clone());
        }
    }
    if let Some(r) = set.refresh {
        tokens.push(refresh_check(r, signed_out));
    }
    TokenCheckReport {
        checked_at_ms: now_ms,
        username: set.username.to_string(),
        signed_out,
        tokens,
    }
}

fn b64_json(part: &str, what: &str) -> Result<Value, TokenProblem> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| TokenProblem::Malformed {
            message: format!("the {what} is not base64url"),
        })?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| TokenProblem::Malformed {
        message: format!("the {what} is not JSON"),
    })?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(TokenProblem::Malformed {
            message: format!("the {what} is not a JSON object"),
        })
    }
}

fn header_of(v: &Value) -> JwtHeader {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(cut);
    JwtHeader {
        alg: s("alg"),
        // Cognito's kids are 44 characters; a longer one is cut, and then matches no key.
        kid: s("kid"),
        typ: s("typ"),
        enc: s("enc"),
    }
}

fn revoked(signed_out: Option<SignedOut>) -> Option<TokenProblem> {
    match signed_out {
        Some(SignedOut {
            kind: by @ (SignOutKind::Global | SignOutKind::Revoked),
            at_ms,
        }) => Some(TokenProblem::Revoked { by, at_ms }),
        _ => None,
    }
}

fn local_sign_out_note(signed_out: Option<SignedOut>) -> Option<String> {
    matches!(
        signed_out,
        Some(SignedOut {
            kind: SignOutKind::Local,
            ..
        })
    )
    .then(|| {
        "signed out here only: Cognito was not asked to revoke it (or refused), so it still \
         accepts it until it expires"
            .to_string()
    })
}

fn refresh_check(token: &str, signed_out: Option<SignedOut>) -> TokenCheck {
    let parts: Vec<&str> = token.split('.').collect();
    let header = (parts.len() == 5)
        .then(|| b64_json(parts[0], "header").ok())
        .flatten()
        .map(|h| header_of(&h));
    let mut notes = vec![match &header {
        Some(h) if h.enc.is_some() => {
            "opaque: encrypted (JWE) for Cognito alone; only Cognito can read or check it, \
             when it is sent back to refresh"
                .to_string()
        }
        _ => "opaque: only the issuer can read or check it, when it is sent back to refresh"
            .to_string(),
    }];
    notes.extend(local_sign_out_note(signed_out));
    TokenCheck {
        kind: TokenKind::Refresh,
        abbrev: abbreviate(token),
        header,
        claims: Value::Object(Default::default()),
        signature: Signature::NotChecked,
        problems: revoked(signed_out).into_iter().collect(),
        opaque: true,
        notes,
    }
}

/// Checks one JWT: shape, header, issuer, key, signature, then its claims.
pub async fn check_jwt(
    client: &Client,
    cache: &JwksCache,
    kind: TokenKind,
    token: &str,
    signed_out: Option<SignedOut>,
    now_ms: i64,
) -> TokenCheck {
    let mut check = TokenCheck {
        kind,
        abbrev: abbreviate(token),
        header: None,
        claims: Value::Object(Default::default()),
        signature: Signature::NotChecked,
        problems: Vec::new(),
        opaque: false,
        notes: local_sign_out_note(signed_out).into_iter().collect(),
    };
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, sig] = parts[..] else {
        check.problems.push(TokenProblem::Malformed {
            message: format!("{} dot-separated parts where a JWT has 3", parts.len()),
        });
        return check;
    };
    let header = match b64_json(h, "header") {
        Ok(v) => header_of(&v),
        Err(e) => {
            check.problems.push(e);
            return check;
        }
    };
    check.header = Some(header.clone());
    match b64_json(p, "payload") {
        Ok(v) => check.claims = v,
        Err(e) => check.problems.push(e),
    }
    check_signature(client, cache, &mut check, &header, token, sig).await;
    if check.claims.as_object().is_some_and(|m| !m.is_empty()) {
        check_claims(client.client_id(), &mut check, now_ms);
    }
    check.problems.extend(revoked(signed_out));
    check
}

async fn check_signature(
    client: &Client,
    cache: &JwksCache,
    check: &mut TokenCheck,
    header: &JwtHeader,
    token: &str,
    sig: &str,
) {
    let alg = header.alg.as_deref().unwrap_or("(none)");
    if alg != "RS256" {
        check
            .problems
            .push(TokenProblem::UnsupportedAlg { alg: alg.into() });
        return;
    }
    let Some(kid) = header.kid.clone() else {
        check.problems.push(TokenProblem::NoKid);
        return;
    };
    let Some(iss) = check.claims.get("iss").and_then(Value::as_str) else {
        if check.claims.as_object().is_some_and(|m| !m.is_empty()) {
            check.problems.push(TokenProblem::UntrustedIssuer {
                message: "no iss claim: no issuer to fetch keys from".into(),
            });
        }
        return;
    };
    let url = match jwks_url(client, iss) {
        Ok(u) => u,
        Err(message) => {
            check
                .problems
                .push(TokenProblem::UntrustedIssuer { message });
            return;
        }
    };
    let (key, keys) = match cache.key(client, &url, &kid).await {
        KeyLookup::Found { key, source } => (key, source),
        KeyLookup::UnknownKid { source } => {
            check.problems.push(TokenProblem::UnknownKid {
                kid,
                known: source.kids,
            });
            return;
        }
        KeyLookup::Failed { url, message } => {
            check
                .problems
                .push(TokenProblem::KeysUnavailable { url, message });
            return;
        }
    };
    let message_len = token.len() - sig.len() - 1;
    let verified = DecodingKey::from_rsa_components(&key.n, &key.e).and_then(|dk| {
        jsonwebtoken::crypto::verify(sig, &token.as_bytes()[..message_len], &dk, Algorithm::RS256)
    });
    check.signature = match verified {
        Ok(true) => Signature::Verified { kid, keys },
        Ok(false) => {
            check.problems.insert(0, TokenProblem::BadSignature);
            Signature::Bad { kid, keys }
        }
        Err(_) => {
            check.problems.insert(0, TokenProblem::BadSignature);
            Signature::Bad { kid, keys }
        }
    };
}

fn claim_str(claims: &Value, name: &str) -> Option<String> {
    match claims.get(name)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn check_claims(client_id: &str, check: &mut TokenCheck, now_ms: i64) {
    let claims = &check.claims;
    let mut problems = Vec::new();
    if let Some(expected) = check.kind.token_use() {
        let found = claim_str(claims, "token_use");
        if found.as_deref() != Some(expected) {
            problems.push(TokenProblem::WrongTokenUse {
                expected: expected.into(),
                found,
            });
        }
    }
    match check.kind {
        TokenKind::Id => {
            let aud_ok = match claims.get("aud") {
                Some(Value::String(s)) => s == client_id,
                Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(client_id)),
                _ => false,
            };
            if !aud_ok {
                problems.push(TokenProblem::WrongAudience {
                    expected: client_id.into(),
                    found: claim_str(claims, "aud"),
                });
            }
        }
        TokenKind::Access => {
            let found = claim_str(claims, "client_id");
            if found.as_deref() != Some(client_id) {
                problems.push(TokenProblem::WrongClientId {
                    expected: client_id.into(),
                    found,
                });
            }
        }
        TokenKind::Refresh => {}
    }
    let now_s = now_ms.div_euclid(1000);
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp <= now_s => problems.push(TokenProblem::Expired {
            exp,
            seconds_ago: now_s - exp,
        }),
        Some(_) => {}
        None => problems.push(TokenProblem::NoExp),
    }
    check.problems.extend(problems);
}

/// One line saying what a claim means, for the panel.
pub fn claim_meaning(name: &str) -> &'static str {
    match name {
        "sub" => "the user's permanent id: key data on it, not on the username",
        "iss" => "the pool that signed it; its keys: iss + /.well-known/jwks.json",
        "aud" => "the audience: the app client this ID token was issued to",
        "client_id" => "the app client this access token was issued to",
        "token_use" => "id (who the user is) or access (what it may call)",
        "auth_time" => "when the user signed in; a refresh keeps it",
        "iat" => "when this token was issued",
        "exp" => "when it stops being valid (5 min to 1 day after iat)",
        "nbf" => "not valid before this time",
        "jti" => "this token's own unique id",
        "origin_jti" => "its sign-in's id: RevokeToken revokes every token sharing it",
        "event_id" => "the sign-in event (threat protection logs it)",
        "username" | "cognito:username" => "the user's name in the pool (not an alias)",
        "scope" => "what it may call (user.admin: the user's own Cognito APIs)",
        "cognito:groups" => "the groups the user belongs to",
        "cognito:roles" | "cognito:preferred_role" => "IAM roles of the user's groups",
        "device_key" => "the remembered device this session signed in from",
        "version" => "the access token's format version",
        "email" | "phone_number" | "name" | "given_name" | "family_name" | "preferred_username"
        | "birthdate" | "address" | "locale" | "zoneinfo" | "gender" | "picture" | "profile"
        | "website" | "nickname" | "middle_name" | "updated_at" => "a user attribute",
        "email_verified" | "phone_number_verified" => "whether that attribute was verified",
        "identities" => "the federated identities linked to this user",
        "at_hash" => "binds this ID token to the access token issued with it",
        "nonce" => "the value the app sent, to tie the ID token to its request",
        n if n.starts_with("custom:") => "a custom attribute",
        _ => "a claim the pool added",
    }
}
