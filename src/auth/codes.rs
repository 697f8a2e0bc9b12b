//! The error codes the client itself gives, as opposed to the codes a Cognito server answers.
//!
//! Front ends and the headless JSON see a code as a string ([`super::events::AuthErrorView`]'s
//! `code`): Cognito's own code for a failed call, or one of these for a refusal that never
//! reached the server (a validation in the style of Amplify's `AuthValidationErrorCode`, a
//! command sent while another runs, an answer that makes no sense). Code that gives or checks
//! one of these names it by variant; [`LocalCode::as_str`] is the text users see.

use std::fmt;

/// A code the client invents. The strings are part of the user-visible output: keep them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocalCode {
    /// Another command is running (or held in step mode); the new one was refused.
    Busy,
    /// A step-mode `step` with no request waiting.
    NothingHeld,
    EmptySignUpUsername,
    EmptyConfirmSignUpCode,
    EmptyResetPasswordUsername,
    EmptyConfirmResetPasswordCode,
    EmptySignInUsername,
    EmptySignInPassword,
    EmptyChallengeResponse,
    /// `UserAlreadyAuthenticatedException`, as Amplify: signIn while tokens are held.
    UserAlreadyAuthenticated,
    /// `AutoSignInException`, as Amplify: autoSignIn without a confirmed auto sign-up.
    AutoSignIn,
    /// `SignInException`, as Amplify: confirmSignIn with no sign-in waiting for an answer.
    SignIn,
    /// The answer to SELECT_MFA_TYPE or MFA_SETUP names no usable MFA type.
    InvalidMfaType,
    /// The answer fits none of the choices the challenge offers.
    InvalidChallengeAnswer,
    /// Cognito asks for a passkey (WEB_AUTHN), which a terminal cannot provide.
    PasskeyNotSupported,
    /// A challenge this client cannot answer (or does not know).
    UnsupportedChallenge,
    /// DEVICE_SRP_AUTH: this client remembers no device.
    DeviceSrpNotSupported,
    /// MFA_SETUP where only SMS could be set up.
    MfaSetupNotSupported,
    /// The tokens are expiring and there is no refresh token.
    NoRefreshToken,
    /// The SRP proof could not be computed.
    SrpError,
    /// `CodeMismatchException`: VerifySoftwareToken answered a status other than SUCCESS.
    /// Cognito's own code, so the retry rules and the UI treat it as a wrong code.
    CodeMismatch,
    /// A response that is well-formed but lacks what the flow needs (same code as
    /// [`crate::cognito::CognitoError::InvalidResponse`]).
    InvalidResponse,
    /// A state the machine should never reach (a bug, not a user error).
    InternalError,
}

impl LocalCode {
    /// Every code, for tests and documentation.
    pub const ALL: [LocalCode; 23] = [
        LocalCode::Busy,
        LocalCode::NothingHeld,
        LocalCode::EmptySignUpUsername,
        LocalCode::EmptyConfirmSignUpCode,
        LocalCode::EmptyResetPasswordUsername,
        LocalCode::EmptyConfirmResetPasswordCode,
        LocalCode::EmptySignInUsername,
        LocalCode::EmptySignInPassword,
        LocalCode::EmptyChallengeResponse,
        LocalCode::UserAlreadyAuthenticated,
        LocalCode::AutoSignIn,
        LocalCode::SignIn,
        LocalCode::InvalidMfaType,
        LocalCode::InvalidChallengeAnswer,
        LocalCode::PasskeyNotSupported,
        LocalCode::UnsupportedChallenge,
        LocalCode::DeviceSrpNotSupported,
        LocalCode::MfaSetupNotSupported,
        LocalCode::NoRefreshToken,
        LocalCode::SrpError,
        LocalCode::CodeMismatch,
        LocalCode::InvalidResponse,
        LocalCode::InternalError,
    ];

    /// The code as front ends show it and the headless JSON writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            LocalCode::Busy => "Busy",
            LocalCode::NothingHeld => "NothingHeld",
            LocalCode::EmptySignUpUsername => "EmptySignUpUsername",
            LocalCode::EmptyConfirmSignUpCode => "EmptyConfirmSignUpCode",
            LocalCode::EmptyResetPasswordUsername => "EmptyResetPasswordUsername",
            LocalCode::EmptyConfirmResetPasswordCode => "EmptyConfirmResetPasswordCode",
            LocalCode::EmptySignInUsername => "EmptySignInUsername",
            LocalCode::EmptySignInPassword => "EmptySignInPassword",
            LocalCode::EmptyChallengeResponse => "EmptyChallengeResponse",
            LocalCode::UserAlreadyAuthenticated => "UserAlreadyAuthenticatedException",
            LocalCode::AutoSignIn => "AutoSignInException",
            LocalCode::SignIn => "SignInException",
            LocalCode::InvalidMfaType => "InvalidMfaType",
            LocalCode::InvalidChallengeAnswer => "InvalidChallengeAnswer",
            LocalCode::PasskeyNotSupported => "PasskeyNotSupported",
            LocalCode::UnsupportedChallenge => "UnsupportedChallenge",
            LocalCode::DeviceSrpNotSupported => "DeviceSrpNotSupported",
            LocalCode::MfaSetupNotSupported => "MfaSetupNotSupported",
            LocalCode::NoRefreshToken => "NoRefreshToken",
            LocalCode::SrpError => "SrpError",
            LocalCode::CodeMismatch => "CodeMismatchException",
            LocalCode::InvalidResponse => "InvalidResponse",
            LocalCode::InternalError => "InternalError",
        }
    }

    /// The code a string names, if it is one of these.
    pub fn parse(code: &str) -> Option<LocalCode> {
        LocalCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for LocalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_the_shown_strings_stay() {
        for c in LocalCode::ALL {
            assert_eq!(LocalCode::parse(c.as_str()), Some(c));
            assert_eq!(c.to_string(), c.as_str());
        }
        assert_eq!(LocalCode::Busy.as_str(), "Busy");
        assert_eq!(
            LocalCode::UserAlreadyAuthenticated.as_str(),
            "UserAlreadyAuthenticatedException"
        );
        assert_eq!(LocalCode::CodeMismatch.as_str(), "CodeMismatchException");
        assert_eq!(LocalCode::parse("NotAuthorizedException"), None);
        let distinct: std::collections::HashSet<_> = LocalCode::ALL.iter().collect();
        assert_eq!(distinct.len(), LocalCode::ALL.len());
    }
}
