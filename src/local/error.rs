//! Cognito-style API errors: `{"__type": "...", "message": "..."}` with HTTP 400 (500 for
//! internal errors), as PROTOCOL.md §1.2 and §3 describe.

use std::fmt;

/// Every exception the embedded pool answers with; [`ErrorKind::as_str`] is its wire name
/// (the bare `__type`), and the HTTP status follows from it ([`ErrorKind::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    AccessDenied,
    AliasExists,
    CodeMismatch,
    EnableSoftwareTokenMFA,
    ExpiredCode,
    GroupExists,
    IncompleteSignature,
    InternalError,
    InternalFailure,
    InternalServer,
    InvalidLambdaResponse,
    InvalidParameter,
    InvalidPassword,
    InvalidSignature,
    LimitExceeded,
    MFAMethodNotFound,
    MissingAuthenticationToken,
    NotAuthorized,
    NotFound,
    PasswordResetRequired,
    RequestEntityTooLarge,
    RequestTimeout,
    ResourceNotFound,
    Serialization,
    SoftwareTokenMFANotFound,
    TooManyRequests,
    Unauthorized,
    UnexpectedLambda,
    UnknownOperation,
    UnrecognizedClient,
    UnsupportedOperation,
    UnsupportedTokenType,
    UnsupportedUserState,
    UserLambdaValidation,
    UserNotConfirmed,
    UserNotFound,
    UsernameExists,
    WebAuthnNotEnabled,
}

impl ErrorKind {
    /// Every kind, for tests and documentation.
    pub const ALL: &'static [ErrorKind] = &[
        Self::AccessDenied,
        Self::AliasExists,
        Self::CodeMismatch,
        Self::EnableSoftwareTokenMFA,
        Self::ExpiredCode,
        Self::GroupExists,
        Self::IncompleteSignature,
        Self::InternalError,
        Self::InternalFailure,
        Self::InternalServer,
        Self::InvalidLambdaResponse,
        Self::InvalidParameter,
        Self::InvalidPassword,
        Self::InvalidSignature,
        Self::LimitExceeded,
        Self::MFAMethodNotFound,
        Self::MissingAuthenticationToken,
        Self::NotAuthorized,
        Self::NotFound,
        Self::PasswordResetRequired,
        Self::RequestEntityTooLarge,
        Self::RequestTimeout,
        Self::ResourceNotFound,
        Self::Serialization,
        Self::SoftwareTokenMFANotFound,
        Self::TooManyRequests,
        Self::Unauthorized,
        Self::UnexpectedLambda,
        Self::UnknownOperation,
        Self::UnrecognizedClient,
        Self::UnsupportedOperation,
        Self::UnsupportedTokenType,
        Self::UnsupportedUserState,
        Self::UserLambdaValidation,
        Self::UserNotConfirmed,
        Self::UserNotFound,
        Self::UsernameExists,
        Self::WebAuthnNotEnabled,
    ];

    /// The wire name, e.g. `NotAuthorizedException`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "AccessDeniedException",
            Self::AliasExists => "AliasExistsException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::EnableSoftwareTokenMFA => "EnableSoftwareTokenMFAException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::GroupExists => "GroupExistsException",
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::InternalError => "InternalErrorException",
            Self::InternalFailure => "InternalFailure",
            Self::InternalServer => "InternalServerException",
            Self::InvalidLambdaResponse => "InvalidLambdaResponseException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::LimitExceeded => "LimitExceededException",
            Self::MFAMethodNotFound => "MFAMethodNotFoundException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::NotAuthorized => "NotAuthorizedException",
            Self::NotFound => "NotFoundException",
            Self::PasswordResetRequired => "PasswordResetRequiredException",
            Self::RequestEntityTooLarge => "RequestEntityTooLargeException",
            Self::RequestTimeout => "RequestTimeoutException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Serialization => "SerializationException",
            Self::SoftwareTokenMFANotFound => "SoftwareTokenMFANotFoundException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::Unauthorized => "UnauthorizedException",
            Self::UnexpectedLambda => "UnexpectedLambdaException",
            Self::UnknownOperation => "UnknownOperationException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::UnsupportedOperation => "UnsupportedOperationException",
            Self::UnsupportedTokenType => "UnsupportedTokenTypeException",
            Self::UnsupportedUserState => "UnsupportedUserStateException",
            Self::UserLambdaValidation => "UserLambdaValidationException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
            Self::UserNotFound => "UserNotFoundException",
            Self::UsernameExists => "UsernameExistsException",
            Self::WebAuthnNotEnabled => "WebAuthnNotEnabledException",
        }
    }

    /// The HTTP status Cognito uses for this error: 500 for faults, 400 otherwise.
    pub fn status(self) -> u16 {
        match self {
            Self::InternalError | Self::InternalServer | Self::InternalFailure => 500,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One error answer of the embedded pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The HTTP status Cognito uses for this error: 500 for faults, 400 otherwise.
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    pub fn resource_not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceNotFound, message)
    }

    pub fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFound, "User does not exist.")
    }

    pub fn incorrect_password() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }

    pub fn attempts_exceeded() -> Self {
        Self::not_authorized("Password attempts exceeded")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InternalError, message)
    }

    /// A missing required member, worded like the service's model validation.
    pub fn missing(member: &str) -> Self {
        Self::invalid_parameter(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    }

    /// The write lock of the store could not be had within the busy wait: Cognito's
    /// throttling answer (HTTP 400, retried by every AWS SDK), never a 500.
    pub fn store_busy() -> Self {
        Self::new(
            ErrorKind::TooManyRequests,
            "Too many requests: the user pool's store is busy, try again.",
        )
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Serialization, message)
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
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        {
            // Another connection held the write lock past the busy wait: Cognito's throttling
            // answer, which SDKs retry, rather than a fault.
            tracing::warn!(error = %e, "local pool: store busy");
            return Self::store_busy();
        }
        tracing::error!(error = %e, "local pool: SQLite error");
        Self::internal("Internal error: storage failure")
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// How much of a caller's input an error message repeats.
pub const ECHO_CHARS: usize = 64;

/// `input` as an error message repeats it: at most [`ECHO_CHARS`] characters (then `...`), so
/// a 70 KB value never comes back as a 70 KB message.
pub fn echo(input: &str) -> String {
    let mut chars = input.chars();
    let mut out: String = chars.by_ref().take(ECHO_CHARS).collect();
    if chars.next().is_some() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_distinct_and_faults_are_500() {
        let mut names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        for k in ErrorKind::ALL {
            let fault = k.as_str().starts_with("Internal");
            assert_eq!(k.status(), if fault { 500 } else { 400 }, "{k}");
        }
        assert_eq!(ErrorKind::NotAuthorized.as_str(), "NotAuthorizedException");
        assert_eq!(ErrorKind::InternalFailure.as_str(), "InternalFailure");
    }

    #[test]
    fn echoed_input_is_cut_to_a_short_prefix() {
        assert_eq!(echo("alice"), "alice");
        let long = "x".repeat(70_000);
        assert_eq!(echo(&long), format!("{}...", "x".repeat(ECHO_CHARS)));
        assert_eq!(echo(&"é".repeat(ECHO_CHARS)), "é".repeat(ECHO_CHARS));
    }
}
