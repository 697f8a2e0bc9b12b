//! confirmSignIn: answering the challenge a sign-in waits on (MFA codes, SELECT_MFA_TYPE,
//! NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE, SELECT_CHALLENGE, a password factor) and MFA_SETUP
//! during sign-in (AssociateSoftwareToken, VerifySoftwareToken, or an email address).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::state::{AuthState, Effect, Pending, SIGN_IN_STATE_TTL_MS, SignInState, totp_setup_uri};
use crate::auth::steps::{MfaType, NextStep, SignInStep, TotpSetupDetails};
use crate::cognito::codes::ClientCode;
use crate::cognito::types::*;
use crate::secret::Secret;
use crate::srp::ClientEphemeral;

impl AuthState {
    /// confirmSignIn: answers the challenge the sign-in waits on.
    pub(super) fn confirm_sign_in(
        &mut self,
        response: Secret,
        attributes: BTreeMap<String, String>,
        now_ms: i64,
        srp: Option<Arc<ClientEphemeral>>,
        fx: &mut Vec<Effect>,
    ) {
        const API: &str = "confirmSignIn";
        let Some(si) = self.sign_in.clone() else {
            return self.reject(
                API,
                ClientCode::SignIn,
                "No sign-in is in progress: call signIn first",
                fx,
            );
        };
        let Some(challenge) = si.challenge else {
            return self.reject(
                API,
                ClientCode::SignIn,
                "The sign-in is not waiting for an answer",
                fx,
            );
        };
        if now_ms - si.session_at_ms > SIGN_IN_STATE_TTL_MS {
            self.sign_in = None;
            self.last_step = None;
            return self.reject(
                API,
                ClientCode::SignIn,
                "The sign-in session has expired (3 minutes after Cognito's last Session): sign in again",
                fx,
            );
        }
        let answer = response.expose().trim().to_string();
        if answer.is_empty() {
            return self.reject(
                API,
                ClientCode::EmptyChallengeResponse,
                "an answer is required to confirmSignIn",
                fx,
            );
        }
        let one = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);

        // SELECT_CHALLENGE answered with a password factor, or Cognito asking for a password.
        let password_factor = si.first_factor.or(match challenge {
            ChallengeName::Password | ChallengeName::PasswordSrp => Some(challenge),
            _ => None,
        });
        if let Some(factor) = password_factor {
            self.start(API, Pending::Auth, fx);
            let mut r = one("ANSWER", factor.as_str());
            if factor == ChallengeName::Password {
                r.insert("PASSWORD".into(), response.expose().to_string());
            } else {
                let Some(e) = srp else {
                    return self.fail(
                        None,
                        ClientCode::InternalError,
                        "no SRP ephemeral was prepared",
                        fx,
                    );
                };
                r.insert("SRP_A".into(), e.a_hex());
                if let Some(s) = &mut self.sign_in {
                    s.ephemeral = Some(e);
                    s.password = Some(response.clone());
                }
            }
            return self.respond(challenge, r, None, fx);
        }

        match challenge {
            ChallengeName::SmsMfa
            | ChallengeName::SmsOtp
            | ChallengeName::EmailOtp
            | ChallengeName::SoftwareTokenMfa => {
                let key = match challenge {
                    ChallengeName::SmsMfa => "SMS_MFA_CODE",
                    ChallengeName::SmsOtp => "SMS_OTP_CODE",
                    ChallengeName::EmailOtp => "EMAIL_OTP_CODE",
                    _ => "SOFTWARE_TOKEN_MFA_CODE",
                };
                self.start(API, Pending::Auth, fx);
                self.respond(challenge, one(key, &answer), None, fx);
            }
            ChallengeName::NewPasswordRequired => {
                self.start(API, Pending::Auth, fx);
                let mut r = one("NEW_PASSWORD", response.expose());
                for (k, v) in attributes {
                    r.insert(format!("userAttributes.{k}"), v);
                }
                self.respond(challenge, r, None, fx);
            }
            ChallengeName::CustomChallenge => {
                self.start(API, Pending::Auth, fx);
                self.respond(challenge, one("ANSWER", response.expose()), None, fx);
            }
            ChallengeName::SelectMfaType => match parse_mfa_choice(&answer) {
                Some(t) => {
                    self.start(API, Pending::Auth, fx);
                    self.respond(challenge, one("ANSWER", mfa_answer(t).as_str()), None, fx);
                }
                None => self.reject(
                    API,
                    ClientCode::InvalidMfaType,
                    "answer with SMS, TOTP or EMAIL",
                    fx,
                ),
            },
            ChallengeName::MfaSetup => self.confirm_mfa_setup(&si, &answer, now_ms, fx),
            ChallengeName::SelectChallenge => {
                match ChallengeName::parse(&answer.to_ascii_uppercase()) {
                    Some(f @ (ChallengeName::Password | ChallengeName::PasswordSrp)) => {
                        self.start(API, Pending::Auth, fx);
                        if let Some(s) = &mut self.sign_in {
                            s.first_factor = Some(f);
                        }
                        self.transition(
                            now_ms,
                            NextStep::SignIn(SignInStep::ConfirmSignInWithPassword),
                            Some(ChallengeName::SelectChallenge),
                            format!("{f} chosen locally (no call): answer with the password"),
                            fx,
                        );
                        self.finish(true, fx);
                    }
                    Some(ChallengeName::WebAuthn) => self.reject(
                        API,
                        ClientCode::PasskeyNotSupported,
                        "WEB_AUTHN needs a browser passkey ceremony, which a terminal cannot run",
                        fx,
                    ),
                    Some(f @ (ChallengeName::EmailOtp | ChallengeName::SmsOtp)) => {
                        self.start(API, Pending::Auth, fx);
                        self.respond(challenge, one("ANSWER", f.as_str()), None, fx);
                    }
                    _ => self.reject(
                        API,
                        ClientCode::InvalidChallengeAnswer,
                        "answer with one of the available challenges",
                        fx,
                    ),
                }
            }
            ChallengeName::WebAuthn => self.reject(
                API,
                ClientCode::PasskeyNotSupported,
                "Cognito asks for a passkey (WEB_AUTHN), which a terminal cannot provide",
                fx,
            ),
            other => {
                let msg = format!("confirmSignIn cannot answer the {other} challenge");
                self.reject(API, ClientCode::UnsupportedChallenge, msg, fx)
            }
        }
    }

    /// MFA_SETUP: a choice (TOTP or EMAIL), a TOTP code to verify, or an email address.
    fn confirm_mfa_setup(
        &mut self,
        si: &SignInState,
        answer: &str,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        const API: &str = "confirmSignIn";
        if let Some(t) = parse_mfa_choice(answer) {
            self.start(API, Pending::Auth, fx);
            match t {
                MfaType::Totp => {
                    if let Some(s) = &mut self.sign_in {
                        s.mfa_setup = Some(MfaType::Totp);
                    }
                    let req = AssociateSoftwareTokenRequest {
                        access_token: None,
                        session: si.session.clone(),
                    };
                    self.call(
                        Pending::AssociateSoftwareToken,
                        Request::AssociateSoftwareToken(req),
                        vec![],
                        fx,
                    );
                }
                MfaType::Email => {
                    if let Some(s) = &mut self.sign_in {
                        s.mfa_setup = Some(MfaType::Email);
                    }
                    self.transition(
                        now_ms,
                        NextStep::SignIn(SignInStep::ContinueSignInWithEmailSetup),
                        Some(ChallengeName::MfaSetup),
                        "EMAIL chosen locally (no call): answer with the email address to use",
                        fx,
                    );
                    self.finish(true, fx);
                }
                MfaType::Sms => self.fail(
                    None,
                    ClientCode::InvalidMfaType,
                    "SMS MFA cannot be set up during sign-in; choose TOTP or EMAIL",
                    fx,
                ),
            }
        } else if !answer.is_empty() && answer.chars().all(|c| c.is_ascii_digit()) {
            self.start(API, Pending::Auth, fx);
            let req = VerifySoftwareTokenRequest {
                access_token: None,
                session: si.session.clone(),
                user_code: answer.to_string(),
                friendly_device_name: None,
            };
            self.call(
                Pending::VerifySoftwareToken,
                Request::VerifySoftwareToken(req),
                vec![],
                fx,
            );
        } else if answer.contains('@') {
            self.start(API, Pending::Auth, fx);
            let r = BTreeMap::from([("EMAIL".to_string(), answer.to_string())]);
            self.respond(ChallengeName::MfaSetup, r, None, fx);
        } else {
            self.reject(
                API,
                ClientCode::InvalidChallengeAnswer,
                "answer with TOTP or EMAIL, a 6-digit TOTP code, or an email address",
                fx,
            )
        }
    }

    /// AssociateSoftwareToken answered: show the secret and wait for a code.
    pub(super) fn on_totp_associated(
        &mut self,
        r: AssociateSoftwareTokenResponse,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let Some(si) = &mut self.sign_in else {
            return self.finish(false, fx);
        };
        if r.session.is_some() {
            si.session = r.session.clone();
            si.session_at_ms = now_ms;
        }
        let account = si.username.clone();
        let uri = totp_setup_uri(&self.cfg.totp_issuer, &account, &r.secret_code);
        self.transition(
            now_ms,
            NextStep::SignIn(SignInStep::ContinueSignInWithTotpSetup {
                totp_setup_details: TotpSetupDetails {
                    shared_secret: r.secret_code,
                    setup_uri: uri,
                },
            }),
            Some(ChallengeName::MfaSetup),
            "Cognito issued a TOTP secret (AssociateSoftwareToken): add it to an authenticator app and answer with a code",
            fx,
        );
        self.finish(true, fx);
    }

    /// VerifySoftwareToken answered: finish MFA_SETUP with its Session.
    pub(super) fn on_totp_verified(
        &mut self,
        r: VerifySoftwareTokenResponse,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        if r.status.as_deref() != Some("SUCCESS") {
            return self.fail(
                Some("VerifySoftwareToken"),
                ClientCode::CodeMismatch,
                format!(
                    "VerifySoftwareToken answered status {}",
                    r.status.as_deref().unwrap_or("(none)")
                ),
                fx,
            );
        }
        if let Some(si) = &mut self.sign_in
            && r.session.is_some()
        {
            si.session = r.session.clone();
            si.session_at_ms = now_ms;
        }
        // The next call must use the Session VerifySoftwareToken returned.
        self.respond(ChallengeName::MfaSetup, BTreeMap::new(), r.session, fx);
    }
}

/// The SELECT_MFA_TYPE answer for an MFA type: the challenge it leads to.
fn mfa_answer(t: MfaType) -> ChallengeName {
    match t {
        MfaType::Sms => ChallengeName::SmsMfa,
        MfaType::Totp => ChallengeName::SoftwareTokenMfa,
        MfaType::Email => ChallengeName::EmailOtp,
    }
}

fn parse_mfa_choice(s: &str) -> Option<MfaType> {
    match s.trim().to_ascii_uppercase().as_str() {
        "SMS" | "SMS_MFA" => Some(MfaType::Sms),
        "TOTP" | "SOFTWARE_TOKEN_MFA" => Some(MfaType::Totp),
        "EMAIL" | "EMAIL_OTP" | "EMAIL_MFA" => Some(MfaType::Email),
        _ => None,
    }
}
