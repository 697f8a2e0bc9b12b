//! SigV4 on the embedded pool: the operations Cognito authorises with AWS credentials
//! (everything [`crate::cognito::sigv4::needs_sigv4`] names) must carry an
//! `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header, as they
//! must on AWS.
//!
//! - No header: `MissingAuthenticationTokenException` "Request is missing Authentication Token".
//! - A header that is not a complete SigV4 header: `IncompleteSignatureException` naming what is
//!   missing, as AWS's JSON services word it.
//! - With credentials set for the pool ([`LocalCredentials`], `serve --access-key-id …
//!   --secret-access-key …`): an unknown key id is `UnrecognizedClientException` "The security
//!   token included in the request is invalid."; a date more than 5 minutes off the pool's
//!   clock is `InvalidSignatureException` "Signature expired: …" / "Signature not yet
//!   current: …"; a signature that differs from the one recomputed (with `aws-sigv4`, over the
//!   request's signed headers and its actual body) is `InvalidSignatureException` "The request
//!   signature we calculated does not match the signature you provided. …". Signatures are
//!   compared in constant time.
//! - Without credentials any well-formed signature is accepted (as moto does).
//!
//! All of these are HTTP 400 with the usual `__type` / `x-amzn-ErrorType`, like AWS's JSON
//! protocol services answer them.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use axum::http::{HeaderMap, Uri};
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;
use time::macros::format_description;

use super::error::{ApiError, ErrorKind};
use crate::secret::Secret;

/// The key pair the pool verifies signatures with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

impl LocalCredentials {
    /// A fresh random pair (the embedded default pool uses one per run).
    pub fn generate() -> Self {
        use rand::Rng as _;
        use rand::distributions::Alphanumeric;
        let mut rng = rand::thread_rng();
        let id: String = (0..16)
            .map(|_| {
                let c = rng.sample(Alphanumeric) as char;
                c.to_ascii_uppercase()
            })
            .collect();
        let secret: String = (0..40).map(|_| rng.sample(Alphanumeric) as char).collect();
        Self {
            access_key_id: format!("LOCL{id}"),
            secret_access_key: Secret::new(secret),
        }
    }
}

/// How far the request's date may be from the pool's clock.
pub const MAX_SKEW: Duration = Duration::from_secs(300);

const SCHEME: &str = "AWS4-HMAC-SHA256";

fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::IncompleteSignature, message)
}

fn invalid_signature(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidSignature, message)
}

/// The message AWS gives when the signature does not match.
pub const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the \
     signature you provided. Check your AWS Secret Access Key and signing method. Consult the \
     service documentation for details.";

/// The message AWS gives for an unknown access key id.
pub const UNRECOGNIZED_CLIENT: &str = "The security token included in the request is invalid.";

/// The message AWS's JSON services give when there is no Authorization header.
pub const MISSING_TOKEN: &str = "Request is missing Authentication Token";

/// An Authorization header as the client sent it, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// A header value shortened for an error message (it is echoed back, as AWS does, but a
/// bearer token pasted by mistake should not be repeated whole).
fn echo(v: &str) -> String {
    if v.chars().count() > 40 {
        let head: String = v.chars().take(40).collect();
        format!("{head}…")
    } else {
        v.to_string()
    }
}

/// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; `has_date` says
/// whether the request has `X-Amz-Date` (or `Date`).
pub fn parse_authorization(value: &str, has_date: bool) -> Result<ParsedAuthorization, ApiError> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    if scheme == SCHEME {
        for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((k, v)) = part.split_once('=') else {
                return Err(incomplete(format!(
                    "'{}' not a valid key=value pair (missing equal-sign) in Authorization \
                     header: '{}'.",
                    echo(part),
                    echo(value)
                )));
            };
            match k.trim() {
                "Credential" => credential = Some(v.trim().to_string()),
                "SignedHeaders" => signed = Some(v.trim().to_string()),
                "Signature" => signature = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    let mut missing = Vec::new();
    if credential.as_deref().is_none_or(str::is_empty) {
        missing.push("Authorization header requires 'Credential' parameter.");
    }
    if signature.as_deref().is_none_or(str::is_empty) {
        missing.push("Authorization header requires 'Signature' parameter.");
    }
    if signed.as_deref().is_none_or(str::is_empty) {
        missing.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    if !has_date {
        missing.push(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        );
    }
    if !missing.is_empty() {
        return Err(incomplete(format!(
            "{} Authorization={}",
            missing.join(" "),
            echo(value)
        )));
    }
    let credential = credential.unwrap_or_default();
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope.iter().any(|s| s.is_empty()) || scope[4] != "aws4_request" {
        return Err(incomplete(format!(
            "Credential should have exactly 5 slash-delimited elements, e.g. \
             keyid/date/region/service/term, got '{}'",
            echo(&credential)
        )));
    }
    if scope[3] != crate::cognito::sigv4::SERVICE {
        return Err(incomplete(format!(
            "Credential should be scoped to correct service: '{}'. ",
            crate::cognito::sigv4::SERVICE
        )));
    }
    let signature = signature.unwrap_or_default();
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid_signature(SIGNATURE_MISMATCH));
    }
    Ok(ParsedAuthorization {
        access_key_id: scope[0].to_string(),
        date: scope[1].to_string(),
        region: scope[2].to_string(),
        service: scope[3].to_string(),
        signed_headers: signed
            .unwrap_or_default()
            .split(';')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect(),
        signature: signature.to_ascii_lowercase(),
    })
}

fn amz_date(dt: OffsetDateTime) -> String {
    dt.format(format_description!(
        "[year][month][day]T[hour][minute][second]Z"
    ))
    .unwrap_or_default()
}

fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(
        s,
        format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .ok()
    .map(|p| p.assume_utc())
}

/// Checks the SigV4 signature of one request to the pool (see the module docs). `now` is the
/// pool's clock.
pub fn verify(
    creds: Option<&LocalCredentials>,
    now: OffsetDateTime,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let Some(auth) = headers.get("authorization") else {
        return Err(ApiError::new(
            ErrorKind::MissingAuthenticationToken,
            MISSING_TOKEN,
        ));
    };
    let auth = auth
        .to_str()
        .map_err(|_| incomplete("The Authorization header is not valid ASCII."))?;
    let date_header = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let has_date = date_header.is_some() || headers.contains_key("date");
    let parsed = parse_authorization(auth, has_date)?;
    let Some(creds) = creds else {
        return Ok(());
    };
    if parsed
        .access_key_id
        .as_bytes()
        .ct_eq(creds.access_key_id.as_bytes())
        .unwrap_u8()
        != 1
    {
        return Err(ApiError::new(
            ErrorKind::UnrecognizedClient,
            UNRECOGNIZED_CLIENT,
        ));
    }
    // The signing time: X-Amz-Date (this pool's clients always send it).
    let Some(signed_at) = date_header.as_deref().and_then(parse_amz_date) else {
        return Err(incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{}'. See \
             http://en.wikipedia.org/wiki/ISO_8601",
            echo(date_header.as_deref().unwrap_or(""))
        )));
    };
    let skew = time::Duration::try_from(MAX_SKEW).unwrap_or(time::Duration::minutes(5));
    if signed_at < now - skew {
        return Err(invalid_signature(format!(
            "Signature expired: {} is now earlier than {} ({} - 5 min.)",
            amz_date(signed_at),
            amz_date(now - skew),
            amz_date(now)
        )));
    }
    if signed_at > now + skew {
        return Err(invalid_signature(format!(
            "Signature not yet current: {} is still later than {} ({} + 5 min.)",
            amz_date(signed_at),
            amz_date(now + skew),
            amz_date(now)
        )));
    }
    let expected = recompute(creds, &parsed, signed_at, method, uri, headers, body)?;
    if expected
        .as_bytes()
        .ct_eq(parsed.signature.as_bytes())
        .unwrap_u8()
        != 1
    {
        return Err(invalid_signature(SIGNATURE_MISMATCH));
    }
    Ok(())
}

/// The signature `aws-sigv4` computes with the pool's secret over the headers the client says
/// it signed and the body that actually arrived.
fn recompute(
    creds: &LocalCredentials,
    parsed: &ParsedAuthorization,
    signed_at: OffsetDateTime,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, ApiError> {
    let mismatch = || invalid_signature(SIGNATURE_MISMATCH);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for name in &parsed.signed_headers {
        if name == "x-amz-date" {
            continue; // aws-sigv4 adds it from the signing time
        }
        let values: Vec<&str> = headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            // A signed header that did not arrive: the signatures cannot match.
            return Err(mismatch());
        }
        for v in values {
            pairs.push((name.clone(), v.to_string()));
        }
    }
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("http://{host}{path}");
    let credentials = Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_string(),
        None,
        None,
        "local-pool",
    );
    let identity: Identity = credentials.into();
    let mut settings = SigningSettings::default();
    // Sign exactly the headers the client listed, whatever they are.
    settings.excluded_headers = Some(Vec::new());
    let time = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(signed_at.unix_timestamp()).map_err(|_| mismatch())?);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&parsed.region)
        .name(&parsed.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|_| mismatch())?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|_| mismatch())?;
    let (_, signature) = sign(signable, &params)
        .map_err(|_| mismatch())?
        .into_parts();
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_names_what_is_missing() {
        let e = parse_authorization(
            "Bearer eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.payload.sig",
            true,
        )
        .unwrap_err();
        assert_eq!(e.kind.as_str(), "IncompleteSignatureException");
        assert!(e.message.starts_with(
            "Authorization header requires 'Credential' parameter. Authorization header requires \
             'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
             Authorization=Bearer eyJ"
        ), "{}", e.message);
        assert!(e.message.ends_with('…'), "{}", e.message);
        let e = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/cognito-idp/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00",
            false,
        )
        .unwrap_err();
        assert!(
            e.message.contains("'X-Amz-Date' or a 'Date' header"),
            "{}",
            e.message
        );
        let e = parse_authorization(
            "AWS4-HMAC-SHA256 Credential AK/x, SignedHeaders=host, Signature=00",
            true,
        )
        .unwrap_err();
        assert!(e.message.contains("missing equal-sign"), "{}", e.message);
        let e = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1, SignedHeaders=host, Signature=00",
            true,
        )
        .unwrap_err();
        assert!(e.message.contains("5 slash-delimited"), "{}", e.message);
        let ok = parse_authorization(
            &format!(
                "AWS4-HMAC-SHA256 Credential=AK/20260101/eu-west-1/cognito-idp/aws4_request, \
                 SignedHeaders=Content-Type;host;x-amz-date, Signature={}",
                "a".repeat(64)
            ),
            true,
        )
        .unwrap();
        assert_eq!(ok.access_key_id, "AK");
        assert_eq!(ok.region, "eu-west-1");
        assert_eq!(
            ok.signed_headers,
            vec!["content-type", "host", "x-amz-date"]
        );
    }

    #[test]
    fn generated_credentials_differ() {
        let a = LocalCredentials::generate();
        let b = LocalCredentials::generate();
        assert_ne!(a.access_key_id, b.access_key_id);
        assert_eq!(a.secret_access_key.expose().len(), 40);
        assert!(!format!("{a:?}").contains(a.secret_access_key.expose()));
    }
}
