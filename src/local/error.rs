//! Cognito-style API errors: `{"__type": "...", "message": "..."}` with HTTP 400 (500 for
//! internal errors), as PROTOCOL.md §1.2 and §3 describe.

use std::fmt;

/// One error answer of the embedded pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The bare `__type`, e.g. `NotAuthorizedException`.
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The HTTP status Cognito uses for this error: 500 for faults, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self.kind {
            "InternalErrorException" | "InternalServerException" | "InternalFailure" => 500,
            _ => 400,
        }
    }

    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new("NotAuthorizedException", message)
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }

    pub fn resource_not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", message)
    }

    pub fn user_not_found() -> Self {
        Self::new("UserNotFoundException", "User does not exist.")
    }

    pub fn incorrect_password() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }

    pub fn attempts_exceeded() -> Self {
        Self::not_authorized("Password attempts exceeded")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("InternalErrorException", message)
    }

    /// A missing required member, worded like the service's model validation.
    pub fn missing(member: &str) -> Self {
        Self::invalid_parameter(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "local pool: SQLite error");
        Self::internal("Internal error: storage failure")
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
