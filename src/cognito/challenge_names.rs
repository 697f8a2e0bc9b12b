//! Cognito's challenge names, typed: what code that routes on a challenge matches on (the wire
//! itself keeps strings). Re-exported by `types.rs`, where the request and response shapes are.

use std::fmt;

/// Cognito's `ChallengeName` values (RespondToAuthChallenge, InitiateAuth answers). The wire
/// keeps strings; code that routes on a challenge matches on this enum. A name Cognito adds later
/// parses to `None`, so callers answer it as an unknown challenge instead of guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChallengeName {
    SmsMfa,
    EmailOtp,
    SmsOtp,
    SoftwareTokenMfa,
    SelectMfaType,
    MfaSetup,
    PasswordVerifier,
    CustomChallenge,
    SelectChallenge,
    Password,
    PasswordSrp,
    WebAuthn,
    DeviceSrpAuth,
    DevicePasswordVerifier,
    AdminNoSrpAuth,
    NewPasswordRequired,
}

impl ChallengeName {
    /// Every challenge name, in the order Cognito's API reference lists them.
    pub const ALL: [ChallengeName; 16] = [
        ChallengeName::SmsMfa,
        ChallengeName::EmailOtp,
        ChallengeName::SmsOtp,
        ChallengeName::SoftwareTokenMfa,
        ChallengeName::SelectMfaType,
        ChallengeName::MfaSetup,
        ChallengeName::PasswordVerifier,
        ChallengeName::CustomChallenge,
        ChallengeName::SelectChallenge,
        ChallengeName::Password,
        ChallengeName::PasswordSrp,
        ChallengeName::WebAuthn,
        ChallengeName::DeviceSrpAuth,
        ChallengeName::DevicePasswordVerifier,
        ChallengeName::AdminNoSrpAuth,
        ChallengeName::NewPasswordRequired,
    ];

    /// The name as it travels on the wire, e.g. `SOFTWARE_TOKEN_MFA`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChallengeName::SmsMfa => "SMS_MFA",
            ChallengeName::EmailOtp => "EMAIL_OTP",
            ChallengeName::SmsOtp => "SMS_OTP",
            ChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            ChallengeName::SelectMfaType => "SELECT_MFA_TYPE",
            ChallengeName::MfaSetup => "MFA_SETUP",
            ChallengeName::PasswordVerifier => "PASSWORD_VERIFIER",
            ChallengeName::CustomChallenge => "CUSTOM_CHALLENGE",
            ChallengeName::SelectChallenge => "SELECT_CHALLENGE",
            ChallengeName::Password => "PASSWORD",
            ChallengeName::PasswordSrp => "PASSWORD_SRP",
            ChallengeName::WebAuthn => "WEB_AUTHN",
            ChallengeName::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            ChallengeName::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            ChallengeName::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            ChallengeName::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
        }
    }

    /// The enum for a wire name; `None` for a name this build does not know.
    pub fn parse(name: &str) -> Option<ChallengeName> {
        ChallengeName::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for ChallengeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
