//! One record per HTTP call: what the status pane, inspector and headless output show.

use serde::{Deserialize, Serialize};

/// One Cognito call as it went over the wire, with secrets already redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireExchange {
    /// Monotonic id within this process, so the UI can select an exchange.
    pub id: u64,
    /// The Cognito operation, e.g. `InitiateAuth`.
    pub operation: String,
    /// The endpoint URL the call went to.
    pub endpoint: String,
    /// Unix time in milliseconds when the request was sent.
    pub started_at_ms: i64,
    /// Wall-clock latency in milliseconds.
    pub latency_ms: u64,
    /// HTTP status, or `None` when no response arrived (network error, timeout).
    pub status: Option<u16>,
    /// `x-amzn-RequestId` of the response, if any.
    pub request_id: Option<String>,
    /// Request body with secrets redacted (see `crate::cognito::redact`).
    pub request: serde_json::Value,
    /// Response body with secrets redacted, or `null` when none arrived.
    pub response: serde_json::Value,
    /// Normalised error code (`NotAuthorizedException`, `NetworkError`, ...) when the call failed.
    pub error: Option<String>,
    /// Free-text notes for the inspector (e.g. "fell back to REFRESH_TOKEN_AUTH").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Set when this record is a Lambda trigger run of the embedded pool, not an HTTP call:
    /// the run's `triggerSource`. Its `request` is then the event in, `response` the response
    /// out, `endpoint` the runner, and `error` the Cognito error the run gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_source: Option<String>,
}
