//! Amplify's `nextStep` values (AMPLIFY.md §2), serialised exactly as Amplify returns them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `codeDeliveryDetails`: where Cognito says it sent a code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeDeliveryDetails {
    pub destination: Option<String>,
    /// EMAIL | SMS | PHONE | UNKNOWN
    pub delivery_medium: Option<String>,
    pub attribute_name: Option<String>,
}

/// Amplify's MFA type names (SMS_MFA → SMS, SOFTWARE_TOKEN_MFA → TOTP, EMAIL_OTP → EMAIL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MfaType {
    Sms,
    Totp,
    Email,
}

/// Details for TOTP setup during sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpSetupDetails {
    /// The base32 shared secret (shown to the user on purpose: they must enter it in an app).
    pub shared_secret: String,
    /// `otpauth://totp/{app}:{account}?secret=…&issuer={app}`
    pub setup_uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "signUpStep", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignUpStep {
    #[serde(rename_all = "camelCase")]
    ConfirmSignUp {
        code_delivery_details: Option<CodeDeliveryDetails>,
    },
    CompleteAutoSignIn,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "signInStep", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignInStep {
    #[serde(rename_all = "camelCase")]
    ConfirmSignInWithSmsCode {
        code_delivery_details: Option<CodeDeliveryDetails>,
    },
    #[serde(rename_all = "camelCase")]
    ConfirmSignInWithEmailCode {
        code_delivery_details: Option<CodeDeliveryDetails>,
    },
    ConfirmSignInWithTotpCode,
    #[serde(
        rename = "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        rename_all = "camelCase"
    )]
    ContinueSignInWithMfaSelection {
        #[serde(rename = "allowedMFATypes")]
        allowed_mfa_types: Vec<MfaType>,
    },
    #[serde(
        rename = "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
        rename_all = "camelCase"
    )]
    ContinueSignInWithMfaSetupSelection {
        #[serde(rename = "allowedMFATypes")]
        allowed_mfa_types: Vec<MfaType>,
    },
    #[serde(rename = "CONTINUE_SIGN_IN_WITH_TOTP_SETUP", rename_all = "camelCase")]
    ContinueSignInWithTotpSetup {
        totp_setup_details: TotpSetupDetails,
    },
    ContinueSignInWithEmailSetup,
    #[serde(rename_all = "camelCase")]
    ConfirmSignInWithCustomChallenge {
        additional_info: BTreeMap<String, String>,
    },
    #[serde(rename_all = "camelCase")]
    ConfirmSignInWithNewPasswordRequired {
        missing_attributes: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    ContinueSignInWithFirstFactorSelection {
        available_challenges: Vec<String>,
    },
    ConfirmSignInWithPassword,
    ConfirmSignUp,
    ResetPassword,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "resetPasswordStep", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResetPasswordStep {
    #[serde(rename_all = "camelCase")]
    ConfirmResetPasswordWithCode {
        code_delivery_details: Option<CodeDeliveryDetails>,
    },
    Done,
}

/// updateUserAttributes' step for one attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "updateAttributeStep", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UpdateAttributeStep {
    #[serde(rename_all = "camelCase")]
    ConfirmAttributeWithCode {
        code_delivery_details: Option<CodeDeliveryDetails>,
    },
    Done,
}

impl UpdateAttributeStep {
    pub fn name(&self) -> &'static str {
        match self {
            UpdateAttributeStep::ConfirmAttributeWithCode { .. } => "CONFIRM_ATTRIBUTE_WITH_CODE",
            UpdateAttributeStep::Done => "DONE",
        }
    }
}

/// Any of these, as the status pane logs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NextStep {
    SignUp(SignUpStep),
    SignIn(SignInStep),
    ResetPassword(ResetPasswordStep),
    UpdateAttribute(UpdateAttributeStep),
}

impl SignUpStep {
    pub fn name(&self) -> &'static str {
        match self {
            SignUpStep::ConfirmSignUp { .. } => "CONFIRM_SIGN_UP",
            SignUpStep::CompleteAutoSignIn => "COMPLETE_AUTO_SIGN_IN",
            SignUpStep::Done => "DONE",
        }
    }
}

impl SignInStep {
    pub fn name(&self) -> &'static str {
        match self {
            SignInStep::ConfirmSignInWithSmsCode { .. } => "CONFIRM_SIGN_IN_WITH_SMS_CODE",
            SignInStep::ConfirmSignInWithEmailCode { .. } => "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            SignInStep::ConfirmSignInWithTotpCode => "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
            SignInStep::ContinueSignInWithMfaSelection { .. } => {
                "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
            }
            SignInStep::ContinueSignInWithMfaSetupSelection { .. } => {
                "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
            }
            SignInStep::ContinueSignInWithTotpSetup { .. } => "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
            SignInStep::ContinueSignInWithEmailSetup => "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
            SignInStep::ConfirmSignInWithCustomChallenge { .. } => {
                "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
            }
            SignInStep::ConfirmSignInWithNewPasswordRequired { .. } => {
                "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
            }
            SignInStep::ContinueSignInWithFirstFactorSelection { .. } => {
                "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
            }
            SignInStep::ConfirmSignInWithPassword => "CONFIRM_SIGN_IN_WITH_PASSWORD",
            SignInStep::ConfirmSignUp => "CONFIRM_SIGN_UP",
            SignInStep::ResetPassword => "RESET_PASSWORD",
            SignInStep::Done => "DONE",
        }
    }
}

impl ResetPasswordStep {
    pub fn name(&self) -> &'static str {
        match self {
            ResetPasswordStep::ConfirmResetPasswordWithCode { .. } => {
                "CONFIRM_RESET_PASSWORD_WITH_CODE"
            }
            ResetPasswordStep::Done => "DONE",
        }
    }
}

impl NextStep {
    pub fn name(&self) -> &'static str {
        match self {
            NextStep::SignUp(s) => s.name(),
            NextStep::SignIn(s) => s.name(),
            NextStep::ResetPassword(s) => s.name(),
            NextStep::UpdateAttribute(s) => s.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_amplify_does() {
        let s = SignUpStep::ConfirmSignUp {
            code_delivery_details: Some(CodeDeliveryDetails {
                destination: Some("a***@e***".into()),
                delivery_medium: Some("EMAIL".into()),
                attribute_name: Some("email".into()),
            }),
        };
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({"signUpStep":"CONFIRM_SIGN_UP","codeDeliveryDetails":
                {"destination":"a***@e***","deliveryMedium":"EMAIL","attributeName":"email"}})
        );
        let m = SignInStep::ContinueSignInWithMfaSelection {
            allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp],
        };
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({"signInStep":"CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
                "allowedMFATypes":["SMS","TOTP"]})
        );
        for step in [
            SignInStep::Done,
            SignInStep::ConfirmSignInWithTotpCode,
            SignInStep::ResetPassword,
        ] {
            let v = serde_json::to_value(&step).unwrap();
            assert_eq!(v["signInStep"], step.name());
        }
    }
}
