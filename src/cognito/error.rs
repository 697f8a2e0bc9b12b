//! One error type for every way a Cognito call can fail, normalised as Amplify and botocore do.

use serde::{Deserialize, Serialize};

/// A failed Cognito call, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CognitoError {
    /// Cognito (or a compatible server) answered with an error.
    #[error("{code}: {message}")]
    Service {
        /// Normalised code, e.g. `NotAuthorizedException`.
        code: String,
        message: String,
        request_id: Option<String>,
        status: u16,
    },
    /// No response: DNS failure, connection refused, connection reset...
    #[error("network error: {message}")]
    Network { message: String },
    /// No response within the request timeout.
    #[error("no response from {endpoint} within {after_ms} ms")]
    Timeout { endpoint: String, after_ms: u64 },
    /// The request was never sent (dropped by the user in step mode).
    #[error("{message}")]
    Cancelled { message: String },
    /// No AWS credentials to sign a SigV4 operation with (none in the chain, an expired SSO
    /// session, a broken profile). The request was not sent. Code `CredentialsError`.
    #[error("{message}")]
    Credentials { message: String },
    /// A response arrived but could not be understood.
    #[error("invalid response: {message}")]
    InvalidResponse {
        message: String,
        status: Option<u16>,
        request_id: Option<String>,
    },
}

impl CognitoError {
    /// The code front ends show and match on: Cognito's code, or `NetworkError`, `Timeout`,
    /// `InvalidResponse`.
    pub fn code(&self) -> &str {
        match self {
            CognitoError::Service { code, .. } => code,
            CognitoError::Network { .. } => "NetworkError",
            CognitoError::Timeout { .. } => "Timeout",
            CognitoError::InvalidResponse { .. } => "InvalidResponse",
            CognitoError::Cancelled { .. } => "Cancelled",
            CognitoError::Credentials { .. } => "CredentialsError",
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> String {
        match self {
            CognitoError::Service { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            CognitoError::Service { request_id, .. }
            | CognitoError::InvalidResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            CognitoError::Service { status, .. } => Some(*status),
            CognitoError::InvalidResponse { status, .. } => *status,
            _ => None,
        }
    }

    /// True when the code names `name`, with or without the `Exception` suffix.
    pub fn is(&self, name: &str) -> bool {
        let code = self.code();
        let base = name.trim_end_matches("Exception");
        code == name || code.trim_end_matches("Exception") == base
    }
}

/// Normalises a raw error type as Amplify and botocore do: split on `,` and `:`, keep the first
/// non-empty part, and keep what follows the last `#`.
/// `NotAuthorizedException:` → `NotAuthorizedException`;
/// `com.amazonaws.cognito#UserNotFoundException:http://...` → `UserNotFoundException`.
pub fn normalize_code(raw: &str) -> Option<String> {
    let first = raw
        .split([',', ':'])
        .map(str::trim)
        .find(|s| !s.is_empty())?;
    let code = first.rsplit('#').next().unwrap_or(first).trim();
    if code.is_empty() {
        None
    } else {
        Some(code.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_all_known_forms() {
        assert_eq!(
            normalize_code("NotAuthorizedException:").as_deref(),
            Some("NotAuthorizedException")
        );
        assert_eq!(
            normalize_code("com.amazon.coral.service#UserNotFoundException").as_deref(),
            Some("UserNotFoundException")
        );
        assert_eq!(
            normalize_code("com.amazon#Foo:http://internal.amazon.com/coral/").as_deref(),
            Some("Foo")
        );
        assert_eq!(
            normalize_code("ValidationException,SerializationException").as_deref(),
            Some("ValidationException")
        );
        assert_eq!(normalize_code(""), None);
        assert_eq!(normalize_code(" :, "), None);
    }

    #[test]
    fn codes_and_suffix_matching() {
        let e = CognitoError::Service {
            code: "UserNotConfirmedException".into(),
            message: "User is not confirmed.".into(),
            request_id: Some("r-1".into()),
            status: 400,
        };
        assert!(e.is("UserNotConfirmedException"));
        assert!(e.is("UserNotConfirmed"));
        assert!(!e.is("UserNotFound"));
        assert_eq!(e.request_id(), Some("r-1"));
        assert_eq!(e.status(), Some(400));
        let t = CognitoError::Timeout {
            endpoint: "http://x/".into(),
            after_ms: 1500,
        };
        assert_eq!(t.code(), "Timeout");
        assert_eq!(t.message(), "no response from http://x/ within 1500 ms");
    }
}
