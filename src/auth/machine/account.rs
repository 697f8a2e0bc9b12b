//! The signed-in user's account, as Amplify's account APIs run it, each with the access token:
//! fetchUserAttributes (GetUser), updateUserAttributes, sendUserAttributeVerificationCode,
//! confirmUserAttribute, deleteUserAttributes, updatePassword (ChangePassword), deleteUser,
//! updateMFAPreference (SetUserMFAPreference), setUpTOTP / verifyTOTPSetup outside sign-in
//! (AssociateSoftwareToken / VerifySoftwareToken with the access token).

use std::collections::BTreeMap;

use super::state::{AccountCall, AuthState, Effect, Pending, cdd, totp_setup_uri, where_sent};
use crate::auth::events::{AccountUpdate, AuthCommand, AuthEvent, MfaPreference};
use crate::auth::steps::{MfaType, NextStep, TotpSetupDetails, UpdateAttributeStep};
use crate::cognito::codes::ClientCode;
use crate::cognito::types::*;

/// Amplify's SetUserMFAPreference member for a preference.
fn setting(p: Option<MfaPreference>) -> Option<MfaPreferenceSetting> {
    p.map(|p| match p {
        MfaPreference::Enabled => MfaPreferenceSetting {
            enabled: true,
            preferred_mfa: None,
        },
        MfaPreference::Disabled => MfaPreferenceSetting {
            enabled: false,
            preferred_mfa: None,
        },
        MfaPreference::Preferred => MfaPreferenceSetting {
            enabled: true,
            preferred_mfa: Some(true),
        },
        MfaPreference::NotPreferred => MfaPreferenceSetting {
            enabled: true,
            preferred_mfa: Some(false),
        },
    })
}

/// GetUser's MFA names as Amplify's (SMS_MFA → SMS, SOFTWARE_TOKEN_MFA → TOTP, EMAIL_OTP → EMAIL).
fn mfa_type(name: &str) -> Option<MfaType> {
    match name {
        "SMS_MFA" => Some(MfaType::Sms),
        "SOFTWARE_TOKEN_MFA" => Some(MfaType::Totp),
        "EMAIL_OTP" | "EMAIL_MFA" => Some(MfaType::Email),
        _ => None,
    }
}

impl AuthState {
    /// Runs an account command (the caller routes only those here).
    pub(super) fn account_command(&mut self, cmd: AuthCommand, fx: &mut Vec<Effect>) {
        let api = cmd.api_name();
        let Some(tokens) = self.tokens.clone() else {
            return self.reject(
                api,
                ClientCode::UserUnAuthenticated,
                format!("{api} needs a signed-in user: sign in first"),
                fx,
            );
        };
        let access_token = tokens.access_token.clone();
        let empty = |what: &str| format!("{what} is required to {api}");
        let (call, request) = match cmd {
            AuthCommand::FetchUserAttributes => (
                AccountCall::Fetch,
                Request::GetUser(AccessTokenRequest { access_token }),
            ),
            AuthCommand::UpdateUserAttributes { attributes } => {
                if attributes.is_empty() || attributes.keys().any(|k| k.trim().is_empty()) {
                    let msg = empty("an attribute name");
                    return self.reject(api, ClientCode::EmptyAccountInput, msg, fx);
                }
                let names = attributes.keys().cloned().collect();
                let user_attributes = attributes
                    .into_iter()
                    .map(|(name, value)| AttributeType {
                        name,
                        value: Some(value),
                    })
                    .collect();
                (
                    AccountCall::Update(names),
                    Request::UpdateUserAttributes(UpdateUserAttributesRequest {
                        access_token,
                        user_attributes,
                    }),
                )
            }
            AuthCommand::SendUserAttributeVerificationCode { attribute } => {
                if attribute.trim().is_empty() {
                    let msg = empty("an attribute name");
                    return self.reject(api, ClientCode::EmptyAccountInput, msg, fx);
                }
                (
                    AccountCall::SendCode(attribute.clone()),
                    Request::GetUserAttributeVerificationCode(AttributeVerificationCodeRequest {
                        access_token,
                        attribute_name: attribute,
                    }),
                )
            }
            AuthCommand::ConfirmUserAttribute { attribute, code } => {
                if attribute.trim().is_empty() || code.expose().trim().is_empty() {
                    let msg = empty("an attribute name and its code");
                    return self.reject(api, ClientCode::EmptyAccountInput, msg, fx);
                }
                (
                    AccountCall::Confirm(attribute.clone()),
                    Request::VerifyUserAttribute(VerifyUserAttributeRequest {
                        access_token,
                        attribute_name: attribute,
                        code: code.expose().trim().to_string(),
                    }),
                )
            }
            AuthCommand::DeleteUserAttributes { names } => {
                if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) {
                    let msg = empty("an attribute name");
                    return self.reject(api, ClientCode::EmptyAccountInput, msg, fx);
                }
                (
                    AccountCall::Delete(names.clone()),
                    Request::DeleteUserAttributes(DeleteUserAttributesRequest {
                        access_token,
                        user_attribute_names: names,
                    }),
                )
            }
            AuthCommand::UpdatePassword {
                old_password,
                new_password,
            } => {
                if new_password.is_empty() {
                    let msg = empty("a new password");
                    return self.reject(api, ClientCode::EmptyAccountInput, msg, fx);
                }
                (
                    AccountCall::Password,
                    Request::ChangePassword(ChangePasswordRequest {
                        access_token,
                        previous_password: old_password.filter(|p| !p.is_empty()),
                        proposed_password: new_password,
                    }),
                )
            }
            AuthCommand::DeleteUser => (
                AccountCall::DeleteUser(tokens.username()),
                Request::DeleteUser(AccessTokenRequest { access_token }),
            ),
            AuthCommand::UpdateMfaPreference { sms, totp, email } => {
                if sms.is_none() && totp.is_none() && email.is_none() {
                    let msg = empty("a preference for SMS, TOTP or EMAIL");
                    return self.reject(api, ClientCode::EmptyAccountInput, msg, fx);
                }
                (
                    AccountCall::Mfa,
                    Request::SetUserMfaPreference(SetUserMfaPreferenceRequest {
                        access_token,
                        sms_mfa_settings: setting(sms),
                        software_token_mfa_settings: setting(totp),
                        email_mfa_settings: setting(email),
                    }),
                )
            }
            AuthCommand::SetUpTotp => (
                AccountCall::SetUpTotp(tokens.username()),
                Request::AssociateSoftwareToken(AssociateSoftwareTokenRequest {
                    access_token: Some(access_token),
                    session: None,
                }),
            ),
            AuthCommand::VerifyTotpSetup {
                code,
                friendly_device_name,
            } => {
                if code.expose().trim().is_empty() {
                    let msg = empty("a code from the authenticator app");
                    return self.reject(api, ClientCode::EmptyAccountInput, msg, fx);
                }
                (
                    AccountCall::VerifyTotp,
                    Request::VerifySoftwareToken(VerifySoftwareTokenRequest {
                        access_token: Some(access_token),
                        session: None,
                        user_code: code.expose().trim().to_string(),
                        friendly_device_name,
                    }),
                )
            }
            other => {
                let msg = format!("{} is not an account call", other.api_name());
                return self.reject(api, ClientCode::InternalError, msg, fx);
            }
        };
        self.start(api, Pending::Account, fx);
        self.account = Some(call);
        self.call(Pending::Account, request, vec![], fx);
    }

    /// An account call answered.
    pub(super) fn on_account_response(&mut self, r: Response, now_ms: i64, fx: &mut Vec<Effect>) {
        let Some(call) = self.account.take() else {
            return self.fail(
                None,
                ClientCode::InternalError,
                "an account answer arrived with no account call in flight",
                fx,
            );
        };
        let update = match (call, r) {
            (AccountCall::Fetch, Response::GetUser(u)) => {
                let attributes: BTreeMap<String, String> = u
                    .user_attributes
                    .into_iter()
                    .map(|a| (a.name, a.value.unwrap_or_default()))
                    .collect();
                self.info(
                    format!("GetUser: {} attributes of {}", attributes.len(), u.username),
                    fx,
                );
                AccountUpdate::Attributes {
                    username: u.username,
                    attributes,
                    mfa_enabled: u
                        .user_mfa_setting_list
                        .iter()
                        .filter_map(|m| mfa_type(m))
                        .collect(),
                    mfa_preferred: u.preferred_mfa_setting.as_deref().and_then(mfa_type),
                }
            }
            (AccountCall::Update(names), Response::UpdateUserAttributes(r)) => {
                let mut results = BTreeMap::new();
                for name in names {
                    let sent = r
                        .code_delivery_details_list
                        .iter()
                        .find(|d| d.attribute_name.as_deref() == Some(name.as_str()))
                        .cloned();
                    let step = match sent {
                        Some(d) => {
                            let d = cdd(Some(d));
                            let why = format!(
                                "Cognito sent a code for {name} to {}: answer with \
                                 VerifyUserAttribute (confirmUserAttribute)",
                                where_sent(&d)
                            );
                            let step = UpdateAttributeStep::ConfirmAttributeWithCode {
                                code_delivery_details: d,
                            };
                            self.transition(
                                now_ms,
                                NextStep::UpdateAttribute(step.clone()),
                                None,
                                why,
                                fx,
                            );
                            step
                        }
                        None => UpdateAttributeStep::Done,
                    };
                    results.insert(name, step);
                }
                let done: Vec<&str> = results
                    .iter()
                    .filter(|(_, s)| **s == UpdateAttributeStep::Done)
                    .map(|(n, _)| n.as_str())
                    .collect();
                if !done.is_empty() {
                    self.transition(
                        now_ms,
                        NextStep::UpdateAttribute(UpdateAttributeStep::Done),
                        None,
                        format!("Updated: {}", done.join(", ")),
                        fx,
                    );
                }
                AccountUpdate::Updated { results }
            }
            (AccountCall::SendCode(attribute), Response::GetUserAttributeVerificationCode(r)) => {
                let d = cdd(r.code_delivery_details);
                self.info(
                    format!(
                        "GetUserAttributeVerificationCode: a code for {attribute} went to {}",
                        where_sent(&d)
                    ),
                    fx,
                );
                AccountUpdate::CodeSent {
                    attribute,
                    code_delivery_details: d,
                }
            }
            (AccountCall::Confirm(attribute), Response::VerifyUserAttribute(_)) => {
                self.info(format!("VerifyUserAttribute: {attribute} is verified"), fx);
                AccountUpdate::Confirmed { attribute }
            }
            (AccountCall::Delete(names), Response::DeleteUserAttributes(_)) => {
                self.info(
                    format!("DeleteUserAttributes: {} deleted", names.join(", ")),
                    fx,
                );
                AccountUpdate::Deleted { names }
            }
            (AccountCall::Password, Response::ChangePassword(_)) => {
                self.info("ChangePassword: the new password is set", fx);
                AccountUpdate::PasswordUpdated
            }
            (AccountCall::Mfa, Response::SetUserMfaPreference(_)) => {
                self.info("SetUserMFAPreference: the MFA preference is saved", fx);
                AccountUpdate::MfaPreferenceUpdated
            }
            (AccountCall::SetUpTotp(account), Response::AssociateSoftwareToken(r)) => {
                let uri = totp_setup_uri(&self.cfg.totp_issuer, &account, &r.secret_code);
                self.info(
                    "AssociateSoftwareToken: add the secret to an authenticator app, then \
                     verify a code (VerifySoftwareToken)",
                    fx,
                );
                AccountUpdate::TotpSetup {
                    details: TotpSetupDetails {
                        shared_secret: r.secret_code,
                        setup_uri: uri,
                    },
                }
            }
            (AccountCall::VerifyTotp, Response::VerifySoftwareToken(r)) => {
                if r.status.as_deref() != Some("SUCCESS") {
                    return self.fail(
                        Some("VerifySoftwareToken"),
                        ClientCode::CodeMismatch,
                        "VerifySoftwareToken answered ERROR: the code does not match the secret",
                        fx,
                    );
                }
                self.info(
                    "VerifySoftwareToken: TOTP is set up (enable it with updateMFAPreference)",
                    fx,
                );
                AccountUpdate::TotpVerified
            }
            (AccountCall::DeleteUser(username), Response::DeleteUser(_)) => {
                self.info(
                    format!("DeleteUser: {username} is deleted; tokens cleared"),
                    fx,
                );
                self.last_step = None;
                self.sign_in = None;
                self.clear_tokens(fx);
                AccountUpdate::UserDeleted { username }
            }
            (call, _) => {
                let msg = format!("unexpected answer to the account call {call:?}");
                return self.fail(None, ClientCode::InternalError, msg, fx);
            }
        };
        fx.push(Effect::Emit(AuthEvent::Account(update)));
        self.finish(true, fx);
    }
}
