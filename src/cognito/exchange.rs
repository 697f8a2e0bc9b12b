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
    /// How the call came to be sent: by the flow, or edited or replayed by the user.
    #[serde(default, skip_serializing_if = "CallOrigin::is_flow")]
    pub origin: CallOrigin,
}

/// Who made a call: the flow as it runs, or the user in step mode (an edited held request, a
/// past call sent again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallOrigin {
    #[default]
    Flow,
    /// The held request, changed by the user before it was sent.
    Edited,
    /// Call `of` (an exchange id) sent again; `edited` when it was changed first.
    Replayed { of: u64, edited: bool },
}

impl CallOrigin {
    pub fn is_flow(&self) -> bool {
        *self == CallOrigin::Flow
    }

    /// A short mark for the inspector and the status pane (`edited`, `replay of #12`).
    pub fn mark(&self) -> Option<String> {
        match self {
            CallOrigin::Flow => None,
            CallOrigin::Edited => Some("edited".into()),
            CallOrigin::Replayed { of, edited: false } => Some(format!("replay of #{of}")),
            CallOrigin::Replayed { of, edited: true } => Some(format!("replay of #{of}, edited")),
        }
    }
}
