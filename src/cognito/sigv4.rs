//! SigV4 signing of the operations Cognito authorises with AWS credentials (every operation
//! that is not in [`NO_AUTH_OPERATIONS`]: `Admin*`, ListUsers, ListGroups, Describe*, ...).
//!
//! The signature itself is computed by the `aws-sigv4` crate and credentials come from
//! `aws-config`'s providers in the standard order (environment, shared config and credentials
//! files with SSO, `--profile` / `AWS_PROFILE`, web identity, container credentials; not the EC2
//! instance metadata service). Nothing is resolved when the
//! signer is built: the chain runs on the first signed call, so start-up and sign-in never wait
//! for (or need) credentials. Resolved credentials are cached until five minutes before they
//! expire.
//!
//! Failures to get credentials become [`CognitoError::Credentials`] (code `CredentialsError`)
//! with a message that says what to do. The secret key and session token never reach a log or
//! the inspector: the exchange gets a note with the `Authorization` header's scheme, the key id
//! abbreviated, the scope and signed headers, and no signature.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::{Mutex, OnceCell};

use super::error::CognitoError;
use super::redact::abbreviate_to;
use crate::secret::Secret;

/// The SigV4 service name of Cognito user pools.
pub const SERVICE: &str = "cognito-idp";

/// The operations botocore's model marks `smithy.api#noAuth` (PROTOCOL.md §1.1): authorised by
/// a value in the body, never signed. Every other operation needs SigV4.
pub const NO_AUTH_OPERATIONS: &[&str] = &[
    "AssociateSoftwareToken",
    "ChangePassword",
    "CompleteWebAuthnRegistration",
    "ConfirmDevice",
    "ConfirmForgotPassword",
    "ConfirmSignUp",
    "DeleteUser",
    "DeleteUserAttributes",
    "DeleteWebAuthnCredential",
    "ForgetDevice",
    "ForgotPassword",
    "GetDevice",
    "GetTokensFromRefreshToken",
    "GetUser",
    "GetUserAttributeVerificationCode",
    "GetUserAuthFactors",
    "GlobalSignOut",
    "InitiateAuth",
    "ListDevices",
    "ListWebAuthnCredentials",
    "ResendConfirmationCode",
    "RespondToAuthChallenge",
    "RevokeToken",
    "SetUserMFAPreference",
    "SetUserSettings",
    "SignUp",
    "StartWebAuthnRegistration",
    "UpdateAuthEventFeedback",
    "UpdateDeviceStatus",
    "UpdateUserAttributes",
    "VerifySoftwareToken",
    "VerifyUserAttribute",
];

/// True when Cognito requires a SigV4 signature for `op`.
pub fn needs_sigv4(op: &str) -> bool {
    !NO_AUTH_OPERATIONS.contains(&op)
}

/// AWS's documentation example key pair: what the signer uses for a loopback `--endpoint` when
/// the chain has no credentials (a `serve` without credentials accepts any well-formed
/// signature). Obviously not a real key.
pub const PLACEHOLDER_ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const PLACEHOLDER_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Credentials are refreshed this long before they expire.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);
/// An upper bound on one run of the credential chain (SSO, STS and IMDS have their own).
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(30);

/// A future returned by [`RequestSigner::sign`].
pub type SignFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<String>, CognitoError>> + Send + 'a>>;

/// Signs the operations that AWS authorises with SigV4. [`super::Client`] calls it for every
/// operation [`needs_sigv4`] names, just before sending.
pub trait RequestSigner: Send + Sync {
    /// Adds the authorization headers for a POST of `body` to `url`. Returns notes for the
    /// inspector (the redacted `Authorization` header, where the credentials came from).
    fn sign<'a>(
        &'a self,
        url: &'a str,
        body: &'a [u8],
        headers: &'a mut HeaderMap,
    ) -> SignFuture<'a>;
}

enum Source {
    /// Fixed credentials (the embedded pool's generated pair, or tests).
    Static(Credentials),
    /// aws-config's default chain, resolved on first use.
    Chain {
        profile: Option<String>,
        /// Used (with a note) when the chain has no credentials at all.
        placeholder: bool,
        provider: OnceCell<SharedCredentialsProvider>,
        cached: Mutex<Option<Credentials>>,
    },
}

/// The SigV4 signer for one target (one region).
pub struct SigV4Signer {
    region: String,
    source: Source,
}

impl std::fmt::Debug for SigV4Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Static(c) => format!("static {}", abbreviate_to(c.access_key_id(), 4)),
            Source::Chain { profile, .. } => format!("chain profile={profile:?}"),
        };
        f.debug_struct("SigV4Signer")
            .field("region", &self.region)
            .field("source", &source)
            .finish()
    }
}

impl SigV4Signer {
    /// Credentials from aws-config's standard chain; `profile` overrides `AWS_PROFILE`.
    /// Nothing is read until the first signed call.
    pub fn from_chain(region: impl Into<String>, profile: Option<String>) -> Self {
        Self {
            region: region.into(),
            source: Source::Chain {
                profile: profile.filter(|p| !p.is_empty()),
                placeholder: false,
                provider: OnceCell::new(),
                cached: Mutex::new(None),
            },
        }
    }

    /// Fixed credentials (e.g. the pair generated for the embedded pool).
    pub fn with_credentials(
        region: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_access_key: &Secret,
    ) -> Self {
        let creds = Credentials::new(
            access_key_id.into(),
            secret_access_key.expose().to_string(),
            None,
            None,
            "cognito-tui",
        );
        Self {
            region: region.into(),
            source: Source::Static(creds),
        }
    }

    /// For a loopback `--endpoint`: when the chain finds no credentials, sign with AWS's
    /// documentation example key instead (and say so in the inspector). No effect on fixed
    /// credentials.
    pub fn with_placeholder_fallback(mut self) -> Self {
        if let Source::Chain { placeholder, .. } = &mut self.source {
            *placeholder = true;
        }
        self
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The credentials to sign with now, and notes about where they came from.
    async fn credentials(&self) -> Result<(Credentials, Vec<String>), CognitoError> {
        let (profile, placeholder, provider, cached) = match &self.source {
            Source::Static(c) => return Ok((c.clone(), vec![])),
            Source::Chain {
                profile,
                placeholder,
                provider,
                cached,
            } => (profile, *placeholder, provider, cached),
        };
        let mut cached = cached.lock().await;
        if let Some(c) = cached.as_ref()
            && c.expiry()
                .is_none_or(|exp| exp > SystemTime::now() + REFRESH_BEFORE)
        {
            return Ok((c.clone(), vec![]));
        }
        let provider = provider
            .get_or_init(|| chain_provider(&self.region, profile.clone()))
            .await;
        let resolved = tokio::time::timeout(RESOLVE_TIMEOUT, provider.provide_credentials()).await;
        match resolved {
            Ok(Ok(c)) => {
                tracing::info!(
                    key = %abbreviate_to(c.access_key_id(), 4),
                    "AWS credentials resolved for admin operations"
                );
                *cached = Some(c.clone());
                Ok((c, vec![]))
            }
            Ok(Err(CredentialsError::CredentialsNotLoaded(_))) if placeholder => {
                let c = Credentials::new(
                    PLACEHOLDER_ACCESS_KEY_ID,
                    PLACEHOLDER_SECRET,
                    None,
                    None,
                    "placeholder",
                );
                *cached = Some(c.clone());
                Ok((
                    c,
                    vec![format!(
                        "no AWS credentials in the chain: signed with the placeholder key \
                         {PLACEHOLDER_ACCESS_KEY_ID} (a loopback endpoint; `cognito-tui serve` \
                         without credentials accepts it)"
                    )],
                ))
            }
            Ok(Err(e)) => Err(credentials_error(&e, profile.as_deref())),
            Err(_) => Err(CognitoError::Credentials {
                message: format!(
                    "Getting AWS credentials took longer than {} s; check the profile's \
                     configuration (or pass --profile NAME)",
                    RESOLVE_TIMEOUT.as_secs()
                ),
            }),
        }
    }
}

/// The standard chain for `region`, in aws-config's order: environment variables, the shared
/// config and credentials files (`--profile` / `AWS_PROFILE`, with SSO, assume-role and
/// credential_process), a web identity token, the container credentials endpoint. The EC2
/// instance metadata service is deliberately left out: it would probe a link-local address on
/// every machine without credentials, and this is a developer's terminal tool. SSO and STS get a
/// rustls (ring) HTTPS client.
async fn chain_provider(region: &str, profile: Option<String>) -> SharedCredentialsProvider {
    use aws_config::meta::credentials::CredentialsProviderChain;
    use aws_smithy_http_client::tls;
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let conf = aws_config::provider_config::ProviderConfig::default()
        .with_http_client(http)
        .with_region(Some(aws_config::Region::new(region.to_string())));
    let mut files = aws_config::profile::ProfileFileCredentialsProvider::builder().configure(&conf);
    if let Some(p) = profile {
        files = files.profile_name(p);
    }
    let chain = CredentialsProviderChain::first_try(
        "Environment",
        aws_config::environment::credentials::EnvironmentVariableCredentialsProvider::new(),
    )
    .or_else("Profile", files.build())
    .or_else(
        "WebIdentityToken",
        aws_config::web_identity_token::WebIdentityTokenCredentialsProvider::builder()
            .configure(&conf)
            .build(),
    )
    .or_else(
        "EcsContainer",
        aws_config::ecs::EcsCredentialsProvider::builder()
            .configure(&conf)
            .build(),
    );
    SharedCredentialsProvider::new(chain)
}

/// The whole error chain as one line.
fn chain_text(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        cur = s.source();
    }
    out
}

/// What the user sees when the chain fails: what happened and what to do.
pub fn credentials_error(e: &CredentialsError, profile: Option<&str>) -> CognitoError {
    let text = chain_text(e);
    let lower = text.to_ascii_lowercase();
    let profile_name = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_string());
    let message = if lower.contains("sso")
        && (lower.contains("expired") || lower.contains("aws sso login"))
    {
        format!(
            "The AWS SSO session of profile {profile_name} has expired. Run `aws sso login \
             --profile {profile_name}` and try again."
        )
    } else if matches!(e, CredentialsError::CredentialsNotLoaded(_)) {
        match profile {
            Some(p) => format!(
                "No AWS credentials found for profile {p}: admin operations (ListUsers, \
                 Admin*) are signed with SigV4. Check that the profile exists in ~/.aws/config \
                 or ~/.aws/credentials (aws configure --profile {p}, or aws configure sso)."
            ),
            None => "No AWS credentials found: admin operations (ListUsers, Admin*) are signed \
                     with SigV4. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure a \
                     profile in ~/.aws/credentials or ~/.aws/config (aws configure, aws \
                     configure sso), or choose one with --profile NAME (or AWS_PROFILE). \
                     Sign-in flows do not need credentials."
                .to_string(),
        }
    } else {
        format!(
            "Cannot get AWS credentials (profile {profile_name}): {text}. Fix the profile or \
             choose another with --profile NAME."
        )
    };
    CognitoError::Credentials { message }
}

/// The `Authorization` header as the inspector may show it: the key id abbreviated, the
/// signature dropped.
pub fn redact_authorization(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once(' ') else {
        return "(unparseable Authorization header)".to_string();
    };
    let parts: Vec<String> = rest
        .split(',')
        .map(str::trim)
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some(match k {
                "Credential" => {
                    let (key, scope) = v.split_once('/').unwrap_or((v, ""));
                    format!("Credential={}/{scope}", abbreviate_to(key, 4))
                }
                "Signature" => "Signature=(hidden)".to_string(),
                _ => format!("{k}={v}"),
            })
        })
        .collect();
    format!("{scheme} {}", parts.join(", "))
}

impl SigV4Signer {
    /// Signs now, without waiting: only for fixed credentials ([`SigV4Signer::with_credentials`]);
    /// a chain signer answers `CredentialsError` (use [`RequestSigner::sign`]).
    pub fn sign_now(
        &self,
        url: &str,
        body: &[u8],
        headers: &mut HeaderMap,
    ) -> Result<String, CognitoError> {
        match &self.source {
            Source::Static(c) => {
                sign_request(c, &self.region, SystemTime::now(), url, body, headers)
            }
            Source::Chain { .. } => Err(CognitoError::Credentials {
                message: "credentials from the chain are resolved asynchronously".into(),
            }),
        }
    }

    /// Signs with `creds` at `time`, adding the headers to `headers`; returns the redacted
    /// `Authorization` header.
    pub fn sign_at(
        &self,
        creds: &Credentials,
        time: SystemTime,
        url: &str,
        body: &[u8],
        headers: &mut HeaderMap,
    ) -> Result<String, CognitoError> {
        sign_request(creds, &self.region, time, url, body, headers)
    }
}

/// Signs a POST of `body` to `url` for `cognito-idp` in `region`, adding `Authorization`,
/// `X-Amz-Date` (and `X-Amz-Security-Token`) to `headers`. Returns the redacted
/// `Authorization` header.
pub fn sign_request(
    creds: &Credentials,
    region: &str,
    time: SystemTime,
    url: &str,
    body: &[u8],
    headers: &mut HeaderMap,
) -> Result<String, CognitoError> {
    let fail = |what: String| CognitoError::Credentials {
        message: format!("cannot sign the request: {what}"),
    };
    let identity: Identity = creds.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| fail(e.to_string()))?
        .into();
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let signable = SignableRequest::new(
        "POST",
        url,
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| fail(e.to_string()))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| fail(e.to_string()))?
        .into_parts();
    let (new_headers, _) = instructions.into_parts();
    let mut shown = String::new();
    for h in new_headers {
        let name = HeaderName::from_bytes(h.name().as_bytes()).map_err(|e| fail(e.to_string()))?;
        let mut value = HeaderValue::from_str(h.value()).map_err(|e| fail(e.to_string()))?;
        if h.sensitive() || name == reqwest::header::AUTHORIZATION {
            value.set_sensitive(true);
        }
        if name == reqwest::header::AUTHORIZATION {
            shown = redact_authorization(h.value());
        }
        headers.insert(name, value);
    }
    Ok(shown)
}

impl RequestSigner for SigV4Signer {
    fn sign<'a>(
        &'a self,
        url: &'a str,
        body: &'a [u8],
        headers: &'a mut HeaderMap,
    ) -> SignFuture<'a> {
        Box::pin(async move {
            let (creds, mut notes) = self.credentials().await?;
            let shown = sign_request(&creds, &self.region, SystemTime::now(), url, body, headers)?;
            notes.insert(0, format!("SigV4 Authorization: {shown}"));
            Ok(notes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_no_auth_list_matches_the_protocol_notes() {
        assert_eq!(NO_AUTH_OPERATIONS.len(), 32);
        for op in [
            "InitiateAuth",
            "GetUser",
            "SignUp",
            "AssociateSoftwareToken",
        ] {
            assert!(!needs_sigv4(op), "{op}");
        }
        for op in [
            "ListUsers",
            "AdminGetUser",
            "AdminCreateUser",
            "ListGroups",
            "CreateGroup",
            "DescribeUserPool",
            "AdminListDevices",
        ] {
            assert!(needs_sigv4(op), "{op}");
        }
    }

    #[test]
    fn signing_adds_the_headers_and_the_note_hides_the_signature_and_secret() {
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzzzzzzzzz");
        let signer = SigV4Signer::with_credentials("eu-west-1", "AKIDEXAMPLEKEY123456", &secret);
        let Source::Static(creds) = &signer.source else {
            panic!()
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSCognitoIdentityProviderService.ListUsers"),
        );
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let shown = signer
            .sign_at(
                creds,
                t,
                "https://cognito-idp.eu-west-1.amazonaws.com/",
                b"{}",
                &mut headers,
            )
            .unwrap();
        let auth = headers["authorization"].to_str().unwrap();
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEKEY123456/20231114/eu-west-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
        ), "{auth}");
        assert_eq!(headers["x-amz-date"], "20231114T221320Z");
        assert!(headers["authorization"].is_sensitive());
        assert_eq!(
            shown,
            "AWS4-HMAC-SHA256 Credential=AKID…(20 chars)/20231114/eu-west-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=(hidden)"
        );
        let sig = auth.rsplit("Signature=").next().unwrap();
        assert_eq!(sig.len(), 64);
        assert!(!shown.contains(sig) && !shown.contains(secret.expose()));
        assert!(!format!("{signer:?}").contains(secret.expose()));
        // A different body gives a different signature.
        let mut other = HeaderMap::new();
        other.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        other.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSCognitoIdentityProviderService.ListUsers"),
        );
        signer
            .sign_at(
                creds,
                t,
                "https://cognito-idp.eu-west-1.amazonaws.com/",
                b"{\"x\":1}",
                &mut other,
            )
            .unwrap();
        assert_ne!(other["authorization"], headers["authorization"]);
    }

    #[test]
    fn credential_errors_say_what_to_do() {
        let e = credentials_error(
            &CredentialsError::not_loaded("no providers in chain provided credentials"),
            None,
        );
        assert_eq!(e.code(), "CredentialsError");
        let m = e.message();
        assert!(
            m.contains("AWS_ACCESS_KEY_ID") && m.contains("--profile"),
            "{m}"
        );
        let e = credentials_error(
            &CredentialsError::provider_error(
                "the SSO token for profile dev has expired: to refresh this SSO session run \
                 `aws sso login` with the corresponding profile",
            ),
            Some("dev"),
        );
        assert_eq!(
            e.message(),
            "The AWS SSO session of profile dev has expired. Run `aws sso login --profile dev` \
             and try again."
        );
        let e = credentials_error(
            &CredentialsError::invalid_configuration(
                "profile `x` did not contain credential information",
            ),
            Some("x"),
        );
        assert!(
            e.message().contains("profile `x` did not contain"),
            "{}",
            e.message()
        );
    }

    #[tokio::test]
    async fn a_loopback_endpoint_without_credentials_signs_with_the_placeholder() {
        // The chain cannot find anything here: no env keys, no files, no IMDS.
        let dir = tempfile_dir();
        let vars = [
            ("AWS_ACCESS_KEY_ID", None),
            ("AWS_SECRET_ACCESS_KEY", None),
            ("AWS_SESSION_TOKEN", None),
            ("AWS_PROFILE", None),
            ("AWS_CONFIG_FILE", Some(dir.join("config"))),
            ("AWS_SHARED_CREDENTIALS_FILE", Some(dir.join("credentials"))),
            ("AWS_EC2_METADATA_DISABLED", Some("true".into())),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", None),
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", None),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", None),
        ];
        // SAFETY: this is the only test in the library that touches these variables.
        for (k, v) in &vars {
            unsafe {
                match v {
                    Some(v) => std::env::set_var(k, v),
                    None => std::env::remove_var(k),
                }
            }
        }
        let signer = SigV4Signer::from_chain("us-east-1", None).with_placeholder_fallback();
        let mut headers = HeaderMap::new();
        let notes = signer
            .sign("http://127.0.0.1:9229/", b"{}", &mut headers)
            .await
            .unwrap();
        assert!(
            headers["authorization"]
                .to_str()
                .unwrap()
                .contains(PLACEHOLDER_ACCESS_KEY_ID)
        );
        assert!(notes.iter().any(|n| n.contains("placeholder")), "{notes:?}");
        let strict = SigV4Signer::from_chain("us-east-1", None);
        let e = strict
            .sign(
                "https://cognito-idp.us-east-1.amazonaws.com/",
                b"{}",
                &mut HeaderMap::new(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "CredentialsError");
        assert!(e.message().contains("--profile"), "{}", e.message());
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("cognito-tui-sigv4-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    }
}
