//! The error codes the client side gives itself, as opposed to the codes a Cognito server
//! answers.
//!
//! Front ends and the headless JSON see an error code as a string (the auth actor's
//! `AuthErrorView::code`, the users actor's `AdminEvent::Error::code`): Cognito's own code for a
//! failed call ([`super::error::CognitoError::code`]), or one of these for a refusal that never
//! reached the server (a validation in the style of Amplify's `AuthValidationErrorCode`, a
//! command sent while another runs, an answer that makes no sense). Code that gives or checks
//! one of these names it by variant; [`ClientCode::as_str`] is the text users see.

use std::fmt;

/// A code the client invents. The strings are part of the user-visible output: keep them.
/// The auth flows give most of them; the users actor gives `NotLocalPool` and
/// `InvalidParameter`, the headless driver `BadCommand` and `OutboxTimeout`, the TUI `NotSent`
/// and `ActorStopped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientCode {
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
    /// `DeviceMetadataException`, as Amplify: rememberDevice / forgetDevice with no device kept.
    DeviceMetadata,
    /// The tokens are expiring and there is no refresh token.
    NoRefreshToken,
    /// The SRP proof could not be computed.
    SrpError,
    /// `CodeMismatchException`: VerifySoftwareToken answered a status other than SUCCESS.
    /// Cognito's own code, so the retry rules and the UI treat it as a wrong code.
    CodeMismatch,
    /// A response that is well-formed but lacks what the flow needs (same code as
    /// [`super::error::CognitoError::InvalidResponse`]).
    InvalidResponse,
    /// A state the machine should never reach (a bug, not a user error).
    InternalError,
    /// An account or device call (fetchUserAttributes, rememberDevice, ...) with no user signed in.
    UserUnAuthenticated,
    /// An account call missing what it needs (an attribute, a code, a new password).
    EmptyAccountInput,
    /// The outbox was asked of a server that is not the embedded pool.
    NotLocalPool,
    /// An admin action's parameter was refused before the call (Cognito's code for the same
    /// refusal is `InvalidParameterException`).
    InvalidParameter,
    /// The headless driver could not read a command line.
    BadCommand,
    /// The headless driver's `wait_outbox` saw no code in time.
    OutboxTimeout,
    /// The TUI could not queue a command to an actor.
    NotSent,
    /// An actor's event channel closed.
    ActorStopped,
    /// A request edited in step mode cannot be sent as it is (not an object, a redacted
    /// value moved away from its place).
    InvalidEdit,
    /// A past call asked to be sent again is not one the auth actor keeps.
    NotReplayable,
    /// A transcript could not be written (the TUI's export, the headless `--transcript`).
    ExportFailed,
}

impl ClientCode {
    /// Every code, for tests and documentation.
    pub const ALL: [ClientCode; 35] = [
        ClientCode::Busy,
        ClientCode::NothingHeld,
        ClientCode::EmptySignUpUsername,
        ClientCode::EmptyConfirmSignUpCode,
        ClientCode::EmptyResetPasswordUsername,
        ClientCode::EmptyConfirmResetPasswordCode,
        ClientCode::EmptySignInUsername,
        ClientCode::EmptySignInPassword,
        ClientCode::EmptyChallengeResponse,
        ClientCode::UserAlreadyAuthenticated,
        ClientCode::AutoSignIn,
        ClientCode::SignIn,
        ClientCode::InvalidMfaType,
        ClientCode::InvalidChallengeAnswer,
        ClientCode::PasskeyNotSupported,
        ClientCode::UnsupportedChallenge,
        ClientCode::DeviceSrpNotSupported,
        ClientCode::MfaSetupNotSupported,
        ClientCode::DeviceMetadata,
        ClientCode::NoRefreshToken,
        ClientCode::SrpError,
        ClientCode::CodeMismatch,
        ClientCode::InvalidResponse,
        ClientCode::InternalError,
        ClientCode::UserUnAuthenticated,
        ClientCode::EmptyAccountInput,
        ClientCode::NotLocalPool,
        ClientCode::InvalidParameter,
        ClientCode::BadCommand,
        ClientCode::OutboxTimeout,
        ClientCode::NotSent,
        ClientCode::ActorStopped,
        ClientCode::InvalidEdit,
        ClientCode::NotReplayable,
        ClientCode::ExportFailed,
    ];

    /// The code as front ends show it and the headless JSON writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClientCode::Busy => "Busy",
            ClientCode::NothingHeld => "NothingHeld",
            ClientCode::EmptySignUpUsername => "EmptySignUpUsername",
            ClientCode::EmptyConfirmSignUpCode => "EmptyConfirmSignUpCode",
            ClientCode::EmptyResetPasswordUsername => "EmptyResetPasswordUsername",
            ClientCode::EmptyConfirmResetPasswordCode => "EmptyConfirmResetPasswordCode",
            ClientCode::EmptySignInUsername => "EmptySignInUsername",
            ClientCode::EmptySignInPassword => "EmptySignInPassword",
            ClientCode::EmptyChallengeResponse => "EmptyChallengeResponse",
            ClientCode::UserAlreadyAuthenticated => "UserAlreadyAuthenticatedException",
            ClientCode::AutoSignIn => "AutoSignInException",
            ClientCode::SignIn => "SignInException",
            ClientCode::InvalidMfaType => "InvalidMfaType",
            ClientCode::InvalidChallengeAnswer => "InvalidChallengeAnswer",
            ClientCode::PasskeyNotSupported => "PasskeyNotSupported",
            ClientCode::UnsupportedChallenge => "UnsupportedChallenge",
            ClientCode::DeviceSrpNotSupported => "DeviceSrpNotSupported",
            ClientCode::MfaSetupNotSupported => "MfaSetupNotSupported",
            ClientCode::DeviceMetadata => "DeviceMetadataException",
            ClientCode::NoRefreshToken => "NoRefreshToken",
            ClientCode::SrpError => "SrpError",
            ClientCode::CodeMismatch => "CodeMismatchException",
            ClientCode::InvalidResponse => "InvalidResponse",
            ClientCode::InternalError => "InternalError",
            ClientCode::UserUnAuthenticated => "UserUnAuthenticatedException",
            ClientCode::EmptyAccountInput => "EmptyAccountInput",
            ClientCode::NotLocalPool => "NotLocalPool",
            ClientCode::InvalidParameter => "InvalidParameter",
            ClientCode::BadCommand => "BadCommand",
            ClientCode::OutboxTimeout => "OutboxTimeout",
            ClientCode::NotSent => "NotSent",
            ClientCode::ActorStopped => "ActorStopped",
            ClientCode::InvalidEdit => "InvalidEdit",
            ClientCode::NotReplayable => "NotReplayable",
            ClientCode::ExportFailed => "ExportFailed",
        }
    }

    /// The code a string names, if it is one of these.
    pub fn parse(code: &str) -> Option<ClientCode> {
        ClientCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ClientCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_the_shown_strings_stay() {
        for c in ClientCode::ALL {
            assert_eq!(ClientCode::parse(c.as_str()), Some(c));
            assert_eq!(c.to_string(), c.as_str());
        }
        assert_eq!(ClientCode::Busy.as_str(), "Busy");
        assert_eq!(
            ClientCode::UserAlreadyAuthenticated.as_str(),
            "UserAlreadyAuthenticatedException"
        );
        assert_eq!(ClientCode::CodeMismatch.as_str(), "CodeMismatchException");
        assert_eq!(ClientCode::parse("NotAuthorizedException"), None);
        let distinct: std::collections::HashSet<_> = ClientCode::ALL.iter().collect();
        assert_eq!(distinct.len(), ClientCode::ALL.len());
    }
}
