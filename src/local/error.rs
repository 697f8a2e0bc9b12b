//! Cognito-style API errors: `{"__type": "...", "message": "..."}` with HTTP 400 (500 for
//! internal errors), as PROTOCOL.md §1.2 and §3 describe.

use std::fmt;

/// Every exception the embedded pool answers with; [`ErrorKind::as_str`] is its wire name
/// (the bare `__type`), and the HTTP status follows from it ([`ErrorKind::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    AliasExists,
    CodeMismatch,
    DuplicateProvider,
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
    ResourceNotFound,
    Serialization,
    SoftwareTokenMFANotFound,
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
        Self::AliasExists,
        Self::CodeMismatch,
        Self::DuplicateProvider,
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
        Self::ResourceNotFound,
        Self::Serialization,
        Self::SoftwareTokenMFANotFound,
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
            Self::AliasExists => "AliasExistsException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::DuplicateProvider => "DuplicateProviderException",
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
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Serialization => "SerializationException",
            Self::SoftwareTokenMFANotFound => "SoftwareTokenMFANotFoundException",
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
        tracing::error!(error = %e, "local pool: SQLite error");
        Self::internal("Internal error: storage failure")
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

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
}
