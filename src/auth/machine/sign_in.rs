//! signIn and autoSignIn: InitiateAuth for every flow (SRP, password, custom, USER_AUTH), the
//! routing of Cognito's answer to the next step, the SRP proof for PASSWORD_VERIFIER, and what
//! a failed sign-in call means.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::state::{AuthState, ClaimJob, Effect, Pending, SignInState};
use crate::auth::events::{AuthEvent, AuthFlowType};
use crate::auth::session::Tokens;
use crate::auth::steps::{CodeDeliveryDetails, MfaType, NextStep, SignInStep};
use crate::cognito::codes::ClientCode;
use crate::cognito::error::CognitoError;
use crate::cognito::types::*;
use crate::secret::Secret;
use crate::srp::{ClientEphemeral, PasswordClaim, SrpError};

impl AuthState {
    #[allow(clippy::too_many_arguments)]
    /// signIn (and autoSignIn): InitiateAuth with the flow's parameters.
    pub(super) fn sign_in(
        &mut self,
        api: &'static str,
        username: String,
        password: Option<Secret>,
        flow: AuthFlowType,
        preferred_challenge: Option<String>,
        session: Option<String>,
        now_ms: i64,
        srp: Option<Arc<ClientEphemeral>>,
        fx: &mut Vec<Effect>,
    ) {
        if self.tokens.is_some() {
            return self.reject(
                api,
                ClientCode::UserAlreadyAuthenticated,
                "There is already a signed in user.",
                fx,
            );
        }
        if username.trim().is_empty() {
            return self.reject(
                api,
                ClientCode::EmptySignInUsername,
                "username is required to signIn",
                fx,
            );
        }
        let password = password.filter(|p| !p.is_empty());
        let preferred = preferred_challenge.filter(|p| !p.is_empty());
        // The wire name goes out as given; a password factor also needs the password or SRP_A.
        let preferred_kind = preferred.as_deref().and_then(ChallengeName::parse);
        let needs_password = match flow {
            AuthFlowType::UserSrpAuth
            | AuthFlowType::UserPasswordAuth
            | AuthFlowType::CustomWithSrp => true,
            AuthFlowType::UserAuth => {
                matches!(
                    preferred_kind,
                    Some(ChallengeName::Password | ChallengeName::PasswordSrp)
                ) && session.is_none()
            }
            AuthFlowType::CustomWithoutSrp => false,
        };
        if needs_password && password.is_none() {
            return self.reject(
                api,
                ClientCode::EmptySignInPassword,
                "password is required to signIn with this flow",
                fx,
            );
        }
        let uses_srp = matches!(
            flow,
            AuthFlowType::UserSrpAuth | AuthFlowType::CustomWithSrp
        ) || (flow == AuthFlowType::UserAuth
            && preferred_kind == Some(ChallengeName::PasswordSrp));
        if uses_srp && srp.is_none() {
            return self.reject(
                api,
                ClientCode::InternalError,
                "no SRP ephemeral was prepared for this sign-in",
                fx,
            );
        }
        // A new sign-in is a new flow (`— → …`); autoSignIn continues the sign-up's.
        if api == "signIn" {
            self.last_step = None;
        }
        let mut params = BTreeMap::new();
        params.insert("USERNAME".to_string(), username.clone());
        let auth_flow = match flow {
            AuthFlowType::UserSrpAuth => {
                params.insert(
                    "SRP_A".into(),
                    srp.as_ref().map(|e| e.a_hex()).unwrap_or_default(),
                );
                "USER_SRP_AUTH"
            }
            AuthFlowType::UserPasswordAuth => {
                params.insert(
                    "PASSWORD".into(),
                    password
                        .as_ref()
                        .map(|p| p.expose().to_string())
                        .unwrap_or_default(),
                );
                "USER_PASSWORD_AUTH"
            }
            AuthFlowType::CustomWithSrp => {
                params.insert(
                    "SRP_A".into(),
                    srp.as_ref().map(|e| e.a_hex()).unwrap_or_default(),
                );
                params.insert("CHALLENGE_NAME".into(), "SRP_A".into());
                "CUSTOM_AUTH"
            }
            AuthFlowType::CustomWithoutSrp => "CUSTOM_AUTH",
            AuthFlowType::UserAuth => {
                if let Some(p) = &preferred {
                    params.insert("PREFERRED_CHALLENGE".into(), p.clone());
                    match preferred_kind {
                        Some(ChallengeName::Password) => {
                            if let Some(pw) = &password {
                                params.insert("PASSWORD".into(), pw.expose().to_string());
                            }
                        }
                        Some(ChallengeName::PasswordSrp) => {
                            params.insert(
                                "SRP_A".into(),
                                srp.as_ref().map(|e| e.a_hex()).unwrap_or_default(),
                            );
                        }
                        _ => {}
                    }
                }
                "USER_AUTH"
            }
        };
        self.sign_in = Some(SignInState {
            username: username.clone(),
            user_id_for_srp: None,
            flow,
            challenge: None,
            challenge_parameters: BTreeMap::new(),
            session: session.clone(),
            session_at_ms: now_ms,
            password,
            ephemeral: if uses_srp { srp } else { None },
            first_factor: None,
            mfa_setup: None,
            preferred: (flow == AuthFlowType::UserAuth)
                .then(|| preferred.clone())
                .flatten(),
        });
        self.start(api, Pending::Auth, fx);
        let req = InitiateAuthRequest {
            auth_flow: auth_flow.into(),
            client_id: self.cfg.client_id.clone(),
            auth_parameters: params,
            session,
            secret_hash_username: None,
        };
        self.call(Pending::Auth, Request::InitiateAuth(req), vec![], fx);
    }

    /// autoSignIn: signs in with what signUp kept (the password, or ConfirmSignUp's Session).
    pub(super) fn auto_sign_in(
        &mut self,
        now_ms: i64,
        srp: Option<Arc<ClientEphemeral>>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(su) = self
            .sign_up
            .clone()
            .filter(|s| s.auto_sign_in && s.confirmed)
        else {
            return self.reject(
                "autoSignIn",
                ClientCode::AutoSignIn,
                "autoSignIn is only available after signUp with auto_sign_in and a confirmed user",
                fx,
            );
        };
        self.sign_up = None;
        match (su.password, su.session) {
            (Some(pw), _) => self.sign_in(
                "autoSignIn",
                su.username,
                Some(pw),
                AuthFlowType::UserSrpAuth,
                None,
                None,
                now_ms,
                srp,
                fx,
            ),
            (None, Some(session)) => self.sign_in(
                "autoSignIn",
                su.username,
                None,
                AuthFlowType::UserAuth,
                None,
                Some(session),
                now_ms,
                srp,
                fx,
            ),
            (None, None) => self.reject(
                "autoSignIn",
                ClientCode::AutoSignIn,
                "nothing to sign in with: no password was kept and ConfirmSignUp returned no Session",
                fx,
            ),
        }
    }

    /// cancelSignIn: drops a half-finished sign-in and its Session.
    pub(super) fn cancel_sign_in(&mut self, fx: &mut Vec<Effect>) {
        self.start("cancelSignIn", Pending::Auth, fx);
        if self.sign_in.take().is_some() {
            self.info("Sign-in cancelled: its Session is dropped", fx);
            self.last_step = None;
        } else {
            self.info("No sign-in in progress", fx);
        }
        self.finish(true, fx);
    }

    /// InitiateAuth or RespondToAuthChallenge answered: tokens, or the next challenge as a step.
    pub(super) fn on_auth_response(&mut self, r: AuthResponse, now_ms: i64, fx: &mut Vec<Effect>) {
        let Some(si) = &mut self.sign_in else {
            return self.fail(
                None,
                ClientCode::InternalError,
                "a sign-in response arrived after the sign-in was dropped",
                fx,
            );
        };
        if let Some(s) = &r.session {
            si.session = Some(s.clone());
            si.session_at_ms = now_ms;
        }
        if let Some(u) = r.challenge_parameters.get("USER_ID_FOR_SRP") {
            si.user_id_for_srp = Some(u.clone());
        }
        si.challenge = r.challenge_name.as_deref().and_then(ChallengeName::parse);
        si.challenge_parameters = r.challenge_parameters.clone();
        si.first_factor = None;
        let preferred = si.preferred.take();

        if let Some(result) = r.authentication_result {
            let (login, flow) = (si.username.clone(), si.flow);
            self.sign_in = None;
            return match Tokens::from_result(&result, None, &login, flow, now_ms) {
                Ok(t) => {
                    self.accept_tokens(t, now_ms, fx);
                    self.transition(
                        now_ms,
                        NextStep::SignIn(SignInStep::Done),
                        None,
                        "Cognito issued tokens: the user is signed in",
                        fx,
                    );
                    self.emit_session(now_ms, fx);
                    self.finish(true, fx);
                }
                Err(msg) => self.fail(None, ClientCode::InvalidResponse, msg, fx),
            };
        }
        let Some(name) = r.challenge_name.clone() else {
            self.sign_in = None;
            return self.fail(
                None,
                ClientCode::InvalidResponse,
                "Cognito returned neither a challenge nor tokens",
                fx,
            );
        };
        let params = r.challenge_parameters;
        let challenge = ChallengeName::parse(&name);
        match route(challenge, &name, &params, r.available_challenges) {
            Route::SrpProof => self.start_claim(&params, now_ms, fx),
            Route::AssociateTotp => {
                if let Some(s) = &mut self.sign_in {
                    s.mfa_setup = Some(MfaType::Totp);
                }
                let session = self.sign_in.as_ref().and_then(|s| s.session.clone());
                self.info(
                    "MFA must be set up and only TOTP is possible: AssociateSoftwareToken",
                    fx,
                );
                let req = AssociateSoftwareTokenRequest {
                    access_token: None,
                    session,
                };
                self.call(
                    Pending::AssociateSoftwareToken,
                    Request::AssociateSoftwareToken(req),
                    vec![],
                    fx,
                );
            }
            Route::End(code, message) => {
                self.sign_in = None;
                self.fail(None, code, message, fx);
            }
            Route::Step(step, why) => {
                let why = match (&preferred, challenge) {
                    (Some(p), Some(ChallengeName::SelectChallenge)) => fallback_note(p),
                    _ => why,
                };
                self.transition(now_ms, NextStep::SignIn(step), challenge, why, fx);
                self.finish(true, fx);
            }
        }
    }

    /// PASSWORD_VERIFIER: asks the actor for the SRP proof.
    fn start_claim(
        &mut self,
        params: &BTreeMap<String, String>,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let pool_name = crate::srp::pool_name(&self.cfg.user_pool_id).to_string();
        let Some(si) = &mut self.sign_in else { return };
        let (Some(e), Some(pw)) = (si.ephemeral.clone(), si.password.clone()) else {
            self.sign_in = None;
            return self.fail(
                None,
                ClientCode::InternalError,
                "PASSWORD_VERIFIER arrived but this sign-in has no SRP state",
                fx,
            );
        };
        let get = |k: &str| params.get(k).cloned();
        let (Some(salt), Some(b), Some(block)) = (get("SALT"), get("SRP_B"), get("SECRET_BLOCK"))
        else {
            self.sign_in = None;
            return self.fail(
                Some("InitiateAuth"),
                ClientCode::InvalidResponse,
                "PASSWORD_VERIFIER lacks SALT, SRP_B or SECRET_BLOCK",
                fx,
            );
        };
        let user = si.srp_username();
        if let Some(op) = &mut self.op {
            op.pending = Pending::Claim;
        }
        self.info(
            format!("Cognito asks for the SRP proof (PASSWORD_VERIFIER for {user}): computing it, then RespondToAuthChallenge"),
            fx,
        );
        fx.push(Effect::ComputeClaim(ClaimJob {
            ephemeral: e,
            pool_name,
            user_id_for_srp: user,
            password: pw,
            salt_hex: salt,
            srp_b_hex: b,
            secret_block: block,
            timestamp: cognito_timestamp(now_ms),
        }));
    }

    /// The SRP proof is computed: RespondToAuthChallenge PASSWORD_VERIFIER.
    pub(super) fn on_claim(
        &mut self,
        result: Result<PasswordClaim, SrpError>,
        _now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        if self.op.as_ref().map(|o| o.pending) != Some(Pending::Claim) {
            tracing::warn!("auth machine: an SRP claim arrived unasked");
            return;
        }
        let Some(si) = &mut self.sign_in else {
            return self.finish(false, fx);
        };
        match result {
            Ok(claim) => {
                // The password and the ephemeral are not needed any more.
                si.password = None;
                si.ephemeral = None;
                let tr = &claim.trace;
                let u: String = tr.u.chars().take(16).collect();
                let msg = format!(
                    "SRP proof computed for {} in pool {}: u={u}…, key fingerprint {}, TIMESTAMP {}; sending RespondToAuthChallenge PASSWORD_VERIFIER",
                    tr.user_id_for_srp, tr.pool_name, tr.key_fingerprint, tr.timestamp
                );
                let block = si
                    .challenge_parameters
                    .get("SECRET_BLOCK")
                    .cloned()
                    .unwrap_or_default();
                let r = BTreeMap::from([
                    ("PASSWORD_CLAIM_SECRET_BLOCK".to_string(), block),
                    ("PASSWORD_CLAIM_SIGNATURE".to_string(), claim.signature),
                    ("TIMESTAMP".to_string(), claim.timestamp),
                ]);
                self.info(msg, fx);
                fx.push(Effect::Emit(AuthEvent::Srp(*claim.derivation)));
                self.respond(ChallengeName::PasswordVerifier, r, None, fx);
            }
            Err(e) => {
                self.sign_in = None;
                self.fail(
                    None,
                    ClientCode::SrpError,
                    format!("cannot compute the SRP proof: {e}"),
                    fx,
                );
            }
        }
    }

    /// A sign-in call failed: some errors are steps (confirm the sign-up, reset the password),
    /// a wrong answer keeps the sign-in for a retry, anything else ends it.
    pub(super) fn on_sign_in_error(
        &mut self,
        op_name: &str,
        e: &CognitoError,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        if e.is("UserNotConfirmedException") {
            self.sign_in = None;
            self.transition(
                now_ms,
                NextStep::SignIn(SignInStep::ConfirmSignUp),
                None,
                format!("{op_name}: {} The user must confirm the sign-up code (ConfirmSignUp), then sign in again", sentence(&e.message())),
                fx,
            );
            return self.finish(true, fx);
        }
        if e.is("PasswordResetRequiredException") {
            self.sign_in = None;
            self.transition(
                now_ms,
                NextStep::SignIn(SignInStep::ResetPassword),
                None,
                format!(
                    "{op_name}: {} Reset the password (ForgotPassword), then sign in",
                    sentence(&e.message())
                ),
                fx,
            );
            return self.finish(true, fx);
        }
        // A wrong answer can be retried with the same Session, which Cognito leaves
        // standing (as Amplify keeps its sign-in state): a wrong MFA code, a wrong code
        // at TOTP setup, a TOTP code already used once (the next 30 s code works), a
        // new password the policy refuses. Anything else ends the sign-in.
        let challenge = self.sign_in.as_ref().and_then(|s| s.challenge);
        let retryable = challenge.is_some()
            && (e.is("CodeMismatchException")
                || e.is("EnableSoftwareTokenMFAException")
                || (challenge == Some(ChallengeName::SoftwareTokenMfa)
                    && e.is("ExpiredCodeException"))
                || (challenge == Some(ChallengeName::NewPasswordRequired)
                    && (e.is("InvalidPasswordException")
                        || e.is("PasswordHistoryPolicyViolationException")
                        || e.is("InvalidParameterException"))));
        if !retryable {
            self.sign_in = None;
            if self.last_step.as_deref() != Some("DONE") {
                self.last_step = None;
            }
        }
        self.fail_cognito(op_name, e, fx);
    }
}

/// What the challenge Cognito answered with asks of the sign-in.
enum Route {
    /// A step for the user to answer, with its explanation.
    Step(SignInStep, String),
    /// PASSWORD_VERIFIER: compute the SRP proof and answer at once.
    SrpProof,
    /// MFA_SETUP where only TOTP can be set up: AssociateSoftwareToken at once.
    AssociateTotp,
    /// A challenge this client cannot answer: the sign-in ends with this error.
    End(ClientCode, String),
}

/// Routes a challenge (`name` as Cognito sent it, `challenge` its parsed form) to what comes
/// next. Pure: the caller applies the route to the state.
fn route(
    challenge: Option<ChallengeName>,
    name: &str,
    params: &BTreeMap<String, String>,
    available_challenges: Vec<String>,
) -> Route {
    let destination = || {
        params
            .get("CODE_DELIVERY_DESTINATION")
            .map(String::as_str)
            .unwrap_or("the user")
    };
    let delivery = || {
        Some(CodeDeliveryDetails {
            destination: params.get("CODE_DELIVERY_DESTINATION").cloned(),
            delivery_medium: params.get("CODE_DELIVERY_DELIVERY_MEDIUM").cloned(),
            attribute_name: None,
        })
    };
    let step = |step: SignInStep, why: &str| Route::Step(step, why.to_string());
    match challenge {
        Some(ChallengeName::PasswordVerifier) => Route::SrpProof,
        Some(ChallengeName::DeviceSrpAuth | ChallengeName::DevicePasswordVerifier) => Route::End(
            ClientCode::DeviceSrpNotSupported,
            format!("Cognito asked for {name}, but this client has not remembered a device"),
        ),
        Some(ChallengeName::CustomChallenge) => step(
            SignInStep::ConfirmSignInWithCustomChallenge {
                additional_info: crate::cognito::redact::redact_params(params),
            },
            "Cognito's Lambda asks a custom challenge: answer with RespondToAuthChallenge CUSTOM_CHALLENGE (ANSWER)",
        ),
        Some(ChallengeName::NewPasswordRequired) => {
            let missing: Vec<String> = params
                .get("requiredAttributes")
                .and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.trim_start_matches("userAttributes.").to_string())
                .collect();
            step(
                SignInStep::ConfirmSignInWithNewPasswordRequired {
                    missing_attributes: missing,
                },
                "The password is temporary: answer with RespondToAuthChallenge NEW_PASSWORD_REQUIRED (NEW_PASSWORD)",
            )
        }
        Some(ChallengeName::SelectMfaType) => step(
            SignInStep::ContinueSignInWithMfaSelection {
                allowed_mfa_types: parse_mfa_list(params.get("MFAS_CAN_CHOOSE")),
            },
            "Cognito asks which MFA to use: answer with RespondToAuthChallenge SELECT_MFA_TYPE",
        ),
        Some(ChallengeName::SmsMfa | ChallengeName::SmsOtp) => Route::Step(
            SignInStep::ConfirmSignInWithSmsCode {
                code_delivery_details: delivery(),
            },
            format!(
                "Cognito sent an SMS code to {}: answer with RespondToAuthChallenge {name}",
                destination()
            ),
        ),
        Some(ChallengeName::EmailOtp) => Route::Step(
            SignInStep::ConfirmSignInWithEmailCode {
                code_delivery_details: delivery(),
            },
            format!(
                "Cognito emailed a code to {}: answer with RespondToAuthChallenge EMAIL_OTP",
                destination()
            ),
        ),
        Some(ChallengeName::SoftwareTokenMfa) => step(
            SignInStep::ConfirmSignInWithTotpCode,
            "Cognito asks for the authenticator-app code: answer with RespondToAuthChallenge SOFTWARE_TOKEN_MFA",
        ),
        Some(ChallengeName::Password | ChallengeName::PasswordSrp) => Route::Step(
            SignInStep::ConfirmSignInWithPassword,
            format!("Cognito asks for the password ({name})"),
        ),
        Some(ChallengeName::SelectChallenge) => step(
            SignInStep::ContinueSignInWithFirstFactorSelection {
                available_challenges,
            },
            "Cognito asks which first factor to use: answer with RespondToAuthChallenge SELECT_CHALLENGE",
        ),
        Some(ChallengeName::MfaSetup) => {
            let can: Vec<MfaType> = parse_mfa_list(params.get("MFAS_CAN_SETUP"))
                .into_iter()
                .filter(|t| *t != MfaType::Sms)
                .collect();
            match can.as_slice() {
                [MfaType::Totp] => Route::AssociateTotp,
                [MfaType::Email] => step(
                    SignInStep::ContinueSignInWithEmailSetup,
                    "MFA must be set up with email: answer with the email address (RespondToAuthChallenge MFA_SETUP)",
                ),
                [] => Route::End(
                    ClientCode::MfaSetupNotSupported,
                    "Cognito requires MFA setup, but only SMS can be set up, which sign-in cannot do"
                        .into(),
                ),
                _ => step(
                    SignInStep::ContinueSignInWithMfaSetupSelection {
                        allowed_mfa_types: can,
                    },
                    "MFA must be set up: choose TOTP or EMAIL",
                ),
            }
        }
        Some(ChallengeName::WebAuthn) => Route::End(
            ClientCode::PasskeyNotSupported,
            "Cognito asks for a passkey (WEB_AUTHN): a terminal cannot run the browser ceremony"
                .into(),
        ),
        // ADMIN_NO_SRP_AUTH belongs to AdminInitiateAuth: a client never answers it.
        Some(ChallengeName::AdminNoSrpAuth) | None => Route::End(
            ClientCode::UnsupportedChallenge,
            format!("Cognito returned an unknown challenge {name}"),
        ),
    }
}

/// SELECT_CHALLENGE in answer to a USER_AUTH sign-in that preferred `preferred`: Cognito
/// offers the factors it has when the preferred one is not available for this user or pool.
fn fallback_note(preferred: &str) -> String {
    let cause = if ChallengeName::parse(preferred) == Some(ChallengeName::WebAuthn) {
        "WEB_AUTHN (a passkey) is not available for this user or pool, and this tool cannot \
         run the passkey ceremony anyway"
            .to_string()
    } else {
        format!("{preferred} is not available for this user or pool")
    };
    format!(
        "{cause}, so Cognito offered the other first factors instead of the preferred one: \
         answer with RespondToAuthChallenge SELECT_CHALLENGE"
    )
}

/// `MFAS_CAN_CHOOSE` / `MFAS_CAN_SETUP`: a JSON-array string of challenge names.
fn parse_mfa_list(raw: Option<&String>) -> Vec<MfaType> {
    let names: Vec<String> = raw
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let mut out = Vec::new();
    for n in names {
        let t = match ChallengeName::parse(&n) {
            Some(ChallengeName::SmsMfa | ChallengeName::SmsOtp) => Some(MfaType::Sms),
            Some(ChallengeName::SoftwareTokenMfa) => Some(MfaType::Totp),
            Some(ChallengeName::EmailOtp) => Some(MfaType::Email),
            // Email MFA listed under its setting name rather than its challenge.
            None if n == "EMAIL_MFA" => Some(MfaType::Email),
            _ => None,
        };
        if let Some(t) = t
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    out
}

/// Cognito's message as a sentence (some end with a full stop, some do not).
fn sentence(msg: &str) -> String {
    let m = msg.trim_end();
    if m.ends_with(['.', '!', '?']) {
        m.to_string()
    } else {
        format!("{m}.")
    }
}

fn cognito_timestamp(now_ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    crate::srp::format_timestamp(t)
}
