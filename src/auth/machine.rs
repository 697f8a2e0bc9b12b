//! The pure auth flow machine: `handle(state, input) -> (state, effects)`.
//!
//! No IO and no clock reads: the actor passes the time and the SRP ephemeral in, runs the
//! effects (calls, SRP math, events, token persistence) and feeds the results back. Every flow
//! follows Amplify JS v6 (see AMPLIFY.md); every `nextStep` change emits one [`Transition`].

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::codes::LocalCode;
use super::events::{AuthCommand, AuthErrorView, AuthEvent, AuthFlowType, Transition};
use super::session::Tokens;
use super::steps::{
    CodeDeliveryDetails, MfaType, NextStep, ResetPasswordStep, SignInStep, SignUpStep,
    TotpSetupDetails,
};
use crate::cognito::error::CognitoError;
use crate::cognito::redact::abbreviate_to;
use crate::cognito::types::*;
use crate::secret::Secret;
use crate::srp::{ClientEphemeral, PasswordClaim, SrpError};

/// How long a sign-in state lives after Cognito's last Session (AuthSessionValidity default).
pub const SIGN_IN_STATE_TTL_MS: i64 = 3 * 60 * 1000;

/// What the machine needs to know about the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineConfig {
    pub client_id: String,
    pub user_pool_id: String,
    /// The issuer (app name) put in TOTP setup URIs.
    pub totp_issuer: String,
}

impl MachineConfig {
    pub fn new(client_id: impl Into<String>, user_pool_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            user_pool_id: user_pool_id.into(),
            totp_issuer: "cognito-tui".into(),
        }
    }
}

/// An input to the machine.
pub enum Input {
    /// A front end's command. `srp` is a fresh client ephemeral (the actor makes one for every
    /// command that may need SRP, off the async runtime), `now_ms` the current Unix time.
    Command {
        cmd: AuthCommand,
        now_ms: i64,
        srp: Option<Arc<ClientEphemeral>>,
    },
    /// The outcome of the last [`Effect::Call`].
    Response {
        result: Result<Response, CognitoError>,
        latency_ms: u64,
        now_ms: i64,
    },
    /// The outcome of the last [`Effect::ComputeClaim`].
    Claim {
        result: Result<PasswordClaim, SrpError>,
        now_ms: i64,
    },
}

/// The SRP proof the actor computes (on a blocking thread) for PASSWORD_VERIFIER.
#[derive(Clone)]
pub struct ClaimJob {
    pub ephemeral: Arc<ClientEphemeral>,
    pub pool_name: String,
    pub user_id_for_srp: String,
    pub password: Secret,
    pub salt_hex: String,
    pub srp_b_hex: String,
    pub secret_block: String,
    pub timestamp: String,
}

impl ClaimJob {
    /// Runs the SRP math (CPU-bound: call it off the async runtime).
    pub fn compute(&self) -> Result<PasswordClaim, SrpError> {
        self.ephemeral.password_claim(
            &self.pool_name,
            &self.user_id_for_srp,
            self.password.expose(),
            &self.salt_hex,
            &self.srp_b_hex,
            &self.secret_block,
            &self.timestamp,
        )
    }
}

impl std::fmt::Debug for ClaimJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimJob")
            .field("pool_name", &self.pool_name)
            .field("user_id_for_srp", &self.user_id_for_srp)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

/// What the actor must do.
#[derive(Debug)]
pub enum Effect {
    /// Send this request; feed the outcome back as [`Input::Response`]. `notes` go on the
    /// exchange.
    Call {
        request: Request,
        notes: Vec<String>,
    },
    /// Compute the SRP proof; feed it back as [`Input::Claim`].
    ComputeClaim(ClaimJob),
    /// Send this event to the front ends.
    Emit(AuthEvent),
    /// Store (or, with `None`, delete) the tokens.
    Persist(Option<Tokens>),
}

#[derive(Clone)]
struct SignUpState {
    username: String,
    auto_sign_in: bool,
    password: Option<Secret>,
    session: Option<String>,
    confirmed: bool,
}

#[derive(Clone)]
struct SignInState {
    username: String,
    user_id_for_srp: Option<String>,
    flow: AuthFlowType,
    /// The challenge Cognito is waiting on (unknown names end the sign-in, so never kept).
    challenge: Option<ChallengeName>,
    challenge_parameters: BTreeMap<String, String>,
    session: Option<String>,
    session_at_ms: i64,
    password: Option<Secret>,
    ephemeral: Option<Arc<ClientEphemeral>>,
    /// SELECT_CHALLENGE answered locally with PASSWORD or PASSWORD_SRP.
    first_factor: Option<ChallengeName>,
    /// MFA_SETUP answered locally with TOTP or EMAIL.
    mfa_setup: Option<MfaType>,
}

impl SignInState {
    fn srp_username(&self) -> String {
        self.user_id_for_srp
            .clone()
            .unwrap_or_else(|| self.username.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    SignUp,
    ConfirmSignUp,
    ResendSignUpCode,
    /// InitiateAuth / RespondToAuthChallenge of a sign-in.
    Auth,
    /// Waiting for the SRP proof.
    Claim,
    AssociateSoftwareToken,
    VerifySoftwareToken,
    ForgotPassword,
    ConfirmForgotPassword,
    SignOut,
    Refresh,
    RefreshFallback,
}

struct InFlight {
    api: &'static str,
    operations: Vec<String>,
    latency_ms: u64,
    pending: Pending,
    /// The operation of the last call sent (named in errors).
    last_operation: &'static str,
}

/// The machine's whole state. Cloning is cheap enough for tests.
pub struct AuthState {
    cfg: MachineConfig,
    tokens: Option<Tokens>,
    sign_up: Option<SignUpState>,
    sign_in: Option<SignInState>,
    last_step: Option<String>,
    op: Option<InFlight>,
}

impl AuthState {
    pub fn new(cfg: MachineConfig) -> Self {
        Self {
            cfg,
            tokens: None,
            sign_up: None,
            sign_in: None,
            last_step: None,
            op: None,
        }
    }

    /// Starts with tokens restored from storage.
    pub fn with_tokens(mut self, tokens: Option<Tokens>) -> Self {
        self.tokens = tokens;
        self
    }

    pub fn tokens(&self) -> Option<&Tokens> {
        self.tokens.as_ref()
    }

    /// The challenge a sign-in is waiting on, if any.
    pub fn pending_challenge(&self) -> Option<&str> {
        self.sign_in
            .as_ref()
            .and_then(|s| s.challenge)
            .map(ChallengeName::as_str)
    }

    /// True while a command is being processed.
    pub fn busy(&self) -> bool {
        self.op.is_some()
    }

    pub fn last_step(&self) -> Option<&str> {
        self.last_step.as_deref()
    }

    /// The Amplify API of the command in progress, if any.
    pub fn current_api(&self) -> Option<&'static str> {
        self.op.as_ref().map(|o| o.api)
    }
}

/// The machine: consumes the state and an input, returns the new state and the effects.
pub fn handle(mut state: AuthState, input: Input) -> (AuthState, Vec<Effect>) {
    let mut fx = Vec::new();
    match input {
        Input::Command { cmd, now_ms, srp } => state.on_command(cmd, now_ms, srp, &mut fx),
        Input::Response {
            result,
            latency_ms,
            now_ms,
        } => state.on_response(result, latency_ms, now_ms, &mut fx),
        Input::Claim { result, now_ms } => state.on_claim(result, now_ms, &mut fx),
    }
    (state, fx)
}

fn cdd(d: Option<CodeDeliveryDetailsType>) -> Option<CodeDeliveryDetails> {
    d.map(|d| CodeDeliveryDetails {
        destination: d.destination,
        delivery_medium: d.delivery_medium,
        attribute_name: d.attribute_name,
    })
}

fn where_sent(d: &Option<CodeDeliveryDetails>) -> String {
    match d {
        Some(d) => format!(
            "{} ({})",
            d.destination.as_deref().unwrap_or("an unknown destination"),
            d.delivery_medium.as_deref().unwrap_or("UNKNOWN")
        ),
        None => "the user".into(),
    }
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

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `otpauth://totp/{app}:{account}?secret=…&issuer={app}`, as Amplify's getSetupUri.
pub fn totp_setup_uri(issuer: &str, account: &str, secret: &str) -> String {
    let app = percent_encode(issuer);
    format!(
        "otpauth://totp/{app}:{}?secret={secret}&issuer={app}",
        percent_encode(account)
    )
}

/// Errors that mean GetTokensFromRefreshToken does not exist on this server: a named "unknown
/// operation" error, or an answer that is not a Cognito error at all (no JSON error type) with
/// 400, 404, 405, 500 or 501. moto, for one, answers an operation it lacks with HTTP 500 and an
/// HTML page. Gateway statuses (502-504) are left alone: they say nothing about the operation.
fn is_unknown_operation(e: &CognitoError) -> bool {
    let c = e.code();
    matches!(
        c,
        "UnknownOperationException"
            | "UnknownOperation"
            | "InvalidAction"
            | "InvalidActionException"
            | "UnsupportedOperation"
            | "UnsupportedOperationException"
            | "UnrecognizedOperation"
    ) || (c == "InvalidResponse" && matches!(e.status(), Some(400 | 404 | 405 | 500 | 501)))
}

/// Refresh failures after which Amplify clears the tokens.
fn clears_tokens_on_refresh_failure(e: &CognitoError) -> bool {
    [
        "NotAuthorized",
        "TokenRevoked",
        "UserNotFound",
        "PasswordResetRequired",
        "UserNotConfirmed",
        "RefreshTokenReuse",
    ]
    .iter()
    .any(|n| e.is(n))
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

impl AuthState {
    // ------------------------------------------------------------ helpers

    fn start(&mut self, api: &'static str, pending: Pending, fx: &mut Vec<Effect>) {
        self.op = Some(InFlight {
            api,
            operations: Vec::new(),
            latency_ms: 0,
            pending,
            last_operation: "",
        });
        fx.push(Effect::Emit(AuthEvent::Started { api: api.into() }));
    }

    fn api(&self) -> &'static str {
        self.op.as_ref().map(|o| o.api).unwrap_or("auth")
    }

    fn call(
        &mut self,
        pending: Pending,
        request: Request,
        notes: Vec<String>,
        fx: &mut Vec<Effect>,
    ) {
        if let Some(op) = &mut self.op {
            op.pending = pending;
            op.last_operation = request.operation();
        }
        fx.push(Effect::Call { request, notes });
    }

    fn finish(&mut self, ok: bool, fx: &mut Vec<Effect>) {
        let api = self.api();
        self.op = None;
        fx.push(Effect::Emit(AuthEvent::Finished {
            api: api.into(),
            ok,
        }));
    }

    /// Emits the error and ends the command.
    fn emit_error(
        &mut self,
        operation: Option<&str>,
        code: &str,
        message: String,
        request_id: Option<String>,
        fx: &mut Vec<Effect>,
    ) {
        fx.push(Effect::Emit(AuthEvent::Error(AuthErrorView {
            api: self.api().into(),
            operation: operation.map(str::to_string),
            code: code.into(),
            message,
            request_id,
        })));
        self.finish(false, fx);
    }

    /// Ends the command with an error the client gives itself.
    fn fail(
        &mut self,
        operation: Option<&str>,
        code: LocalCode,
        message: impl Into<String>,
        fx: &mut Vec<Effect>,
    ) {
        self.emit_error(operation, code.as_str(), message.into(), None, fx);
    }

    /// Ends the command with the error Cognito (or the transport) answered.
    fn fail_cognito(&mut self, operation: &str, e: &CognitoError, fx: &mut Vec<Effect>) {
        self.emit_error(
            Some(operation),
            e.code(),
            e.message(),
            e.request_id().map(str::to_string),
            fx,
        );
    }

    /// A validation failure before any call: Started, Error, Finished.
    fn reject(
        &mut self,
        api: &'static str,
        code: LocalCode,
        message: impl Into<String>,
        fx: &mut Vec<Effect>,
    ) {
        self.start(api, Pending::Auth, fx);
        self.fail(None, code, message, fx);
    }

    fn info(&self, message: impl Into<String>, fx: &mut Vec<Effect>) {
        fx.push(Effect::Emit(AuthEvent::Info {
            api: self.api().into(),
            message: message.into(),
        }));
    }

    fn transition(
        &mut self,
        now_ms: i64,
        step: NextStep,
        challenge: Option<ChallengeName>,
        explanation: impl Into<String>,
        fx: &mut Vec<Effect>,
    ) {
        let (operations, latency_ms, api) = match &self.op {
            Some(op) => (op.operations.clone(), op.latency_ms, op.api),
            None => (vec![], 0, "auth"),
        };
        let (session_id, session_age_ms, params) = match &self.sign_in {
            Some(s) if challenge.is_some() => (
                s.session.as_deref().map(|x| abbreviate_to(x, 8)),
                s.session
                    .as_ref()
                    .map(|_| (now_ms - s.session_at_ms).max(0) as u64),
                s.challenge_parameters.clone(),
            ),
            _ => (None, None, BTreeMap::new()),
        };
        let name = step.name().to_string();
        fx.push(Effect::Emit(AuthEvent::Transition(Transition {
            at_ms: now_ms,
            api: api.into(),
            from: self.last_step.clone(),
            next_step: step,
            operations,
            latency_ms,
            challenge_name: challenge.map(|c| c.as_str().to_string()),
            challenge_parameters: params,
            session_id,
            session_age_ms,
            explanation: explanation.into(),
        })));
        self.last_step = Some(name);
    }

    fn emit_session(&self, fx: &mut Vec<Effect>) {
        fx.push(Effect::Emit(AuthEvent::Session {
            session: self.tokens.as_ref().map(Tokens::view),
        }));
    }

    fn clear_tokens(&mut self, fx: &mut Vec<Effect>) {
        self.tokens = None;
        fx.push(Effect::Persist(None));
        self.emit_session(fx);
    }

    // ------------------------------------------------------------ commands

    fn on_command(
        &mut self,
        cmd: AuthCommand,
        now_ms: i64,
        srp: Option<Arc<ClientEphemeral>>,
        fx: &mut Vec<Effect>,
    ) {
        let api = cmd.api_name();
        if self.op.is_some() {
            fx.push(Effect::Emit(AuthEvent::Error(AuthErrorView {
                api: api.into(),
                operation: None,
                code: LocalCode::Busy.as_str().into(),
                message: format!("{} is still running; wait for it to finish", self.api()),
                request_id: None,
            })));
            return;
        }
        let client_id = self.cfg.client_id.clone();
        match cmd {
            AuthCommand::SignUp {
                username,
                password,
                attributes,
                auto_sign_in,
            } => {
                if username.trim().is_empty() {
                    return self.reject(
                        api,
                        LocalCode::EmptySignUpUsername,
                        "username is required to signUp",
                        fx,
                    );
                }
                self.sign_up = Some(SignUpState {
                    username: username.clone(),
                    auto_sign_in,
                    password: (!password.is_empty()).then(|| password.clone()),
                    session: None,
                    confirmed: false,
                });
                self.start("signUp", Pending::SignUp, fx);
                let req = SignUpRequest {
                    client_id,
                    username,
                    password: (!password.is_empty()).then_some(password),
                    user_attributes: attributes
                        .into_iter()
                        .map(|(name, value)| AttributeType {
                            name,
                            value: Some(value),
                        })
                        .collect(),
                };
                self.call(Pending::SignUp, Request::SignUp(req), vec![], fx);
            }
            AuthCommand::ConfirmSignUp { username, code } => {
                if username.trim().is_empty() || code.trim().is_empty() {
                    return self.reject(
                        api,
                        LocalCode::EmptyConfirmSignUpCode,
                        "username and code are required to confirmSignUp",
                        fx,
                    );
                }
                let session = self
                    .sign_up
                    .as_ref()
                    .filter(|s| s.username == username)
                    .and_then(|s| s.session.clone());
                self.start("confirmSignUp", Pending::ConfirmSignUp, fx);
                let req = ConfirmSignUpRequest {
                    client_id,
                    username,
                    confirmation_code: code.trim().to_string(),
                    session,
                };
                self.call(
                    Pending::ConfirmSignUp,
                    Request::ConfirmSignUp(req),
                    vec![],
                    fx,
                );
            }
            AuthCommand::ResendSignUpCode { username } => {
                if username.trim().is_empty() {
                    return self.reject(
                        api,
                        LocalCode::EmptySignUpUsername,
                        "username is required to resendSignUpCode",
                        fx,
                    );
                }
                self.start("resendSignUpCode", Pending::ResendSignUpCode, fx);
                let req = ResendConfirmationCodeRequest {
                    client_id,
                    username,
                };
                self.call(
                    Pending::ResendSignUpCode,
                    Request::ResendConfirmationCode(req),
                    vec![],
                    fx,
                );
            }
            AuthCommand::AutoSignIn => self.auto_sign_in(now_ms, srp, fx),
            AuthCommand::SignIn {
                username,
                password,
                flow,
                preferred_challenge,
            } => self.sign_in(
                "signIn",
                username,
                password,
                flow,
                preferred_challenge,
                None,
                now_ms,
                srp,
                fx,
            ),
            AuthCommand::ConfirmSignIn {
                response,
                attributes,
            } => self.confirm_sign_in(response, attributes, now_ms, srp, fx),
            AuthCommand::ResetPassword { username } => {
                if username.trim().is_empty() {
                    return self.reject(
                        api,
                        LocalCode::EmptyResetPasswordUsername,
                        "username is required to resetPassword",
                        fx,
                    );
                }
                self.start("resetPassword", Pending::ForgotPassword, fx);
                let req = ForgotPasswordRequest {
                    client_id,
                    username,
                };
                self.call(
                    Pending::ForgotPassword,
                    Request::ForgotPassword(req),
                    vec![],
                    fx,
                );
            }
            AuthCommand::ConfirmResetPassword {
                username,
                code,
                new_password,
            } => {
                if username.trim().is_empty() || code.trim().is_empty() || new_password.is_empty() {
                    return self.reject(
                        api,
                        LocalCode::EmptyConfirmResetPasswordCode,
                        "username, code and new password are required to confirmResetPassword",
                        fx,
                    );
                }
                self.start("confirmResetPassword", Pending::ConfirmForgotPassword, fx);
                let req = ConfirmForgotPasswordRequest {
                    client_id,
                    username,
                    confirmation_code: code.trim().to_string(),
                    password: new_password,
                };
                self.call(
                    Pending::ConfirmForgotPassword,
                    Request::ConfirmForgotPassword(req),
                    vec![],
                    fx,
                );
            }
            AuthCommand::SignOut { global } => self.sign_out(global, fx),
            AuthCommand::FetchSession { force_refresh } => {
                self.fetch_session(force_refresh, now_ms, fx)
            }
            AuthCommand::CancelSignIn => {
                self.start("cancelSignIn", Pending::Auth, fx);
                if self.sign_in.take().is_some() {
                    self.info("Sign-in cancelled: its Session is dropped", fx);
                    self.last_step = None;
                } else {
                    self.info("No sign-in in progress", fx);
                }
                self.finish(true, fx);
            }
            AuthCommand::Shutdown => {
                self.start("shutdown", Pending::Auth, fx);
                self.finish(true, fx);
            }
            // Step mode lives in the actor; the machine only sees these when nothing is held.
            AuthCommand::SetStepMode { on } => {
                self.start("setStepMode", Pending::Auth, fx);
                self.info(
                    if on {
                        "Step mode on: each request waits for step (send) or step with send=false (drop)"
                    } else {
                        "Step mode off: requests are sent at once"
                    },
                    fx,
                );
                self.finish(true, fx);
            }
            AuthCommand::Step { .. } => self.reject(
                "step",
                LocalCode::NothingHeld,
                "no request is waiting to be sent",
                fx,
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sign_in(
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
                LocalCode::UserAlreadyAuthenticated,
                "There is already a signed in user.",
                fx,
            );
        }
        if username.trim().is_empty() {
            return self.reject(
                api,
                LocalCode::EmptySignInUsername,
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
                LocalCode::EmptySignInPassword,
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
                LocalCode::InternalError,
                "no SRP ephemeral was prepared for this sign-in",
                fx,
            );
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

    fn auto_sign_in(
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
                LocalCode::AutoSignIn,
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
            (None, None) => self.reject("autoSignIn", LocalCode::AutoSignIn, "nothing to sign in with: no password was kept and ConfirmSignUp returned no Session", fx),
        }
    }

    fn respond(
        &mut self,
        challenge: ChallengeName,
        mut responses: BTreeMap<String, String>,
        pending_session: Option<String>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(si) = &self.sign_in else { return };
        responses
            .entry("USERNAME".into())
            .or_insert_with(|| si.srp_username());
        let req = RespondToAuthChallengeRequest {
            client_id: self.cfg.client_id.clone(),
            challenge_name: challenge.as_str().into(),
            session: pending_session.or_else(|| si.session.clone()),
            challenge_responses: responses,
        };
        self.call(
            Pending::Auth,
            Request::RespondToAuthChallenge(req),
            vec![],
            fx,
        );
    }

    fn confirm_sign_in(
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
                LocalCode::SignIn,
                "No sign-in is in progress: call signIn first",
                fx,
            );
        };
        let Some(challenge) = si.challenge else {
            return self.reject(
                API,
                LocalCode::SignIn,
                "The sign-in is not waiting for an answer",
                fx,
            );
        };
        if now_ms - si.session_at_ms > SIGN_IN_STATE_TTL_MS {
            self.sign_in = None;
            self.last_step = None;
            return self.reject(API, LocalCode::SignIn, "The sign-in session has expired (3 minutes after Cognito's last Session): sign in again", fx);
        }
        let answer = response.expose().trim().to_string();
        if answer.is_empty() {
            return self.reject(
                API,
                LocalCode::EmptyChallengeResponse,
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
                        LocalCode::InternalError,
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
                    LocalCode::InvalidMfaType,
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
                        LocalCode::PasskeyNotSupported,
                        "WEB_AUTHN needs a browser passkey ceremony, which a terminal cannot run",
                        fx,
                    ),
                    Some(f @ (ChallengeName::EmailOtp | ChallengeName::SmsOtp)) => {
                        self.start(API, Pending::Auth, fx);
                        self.respond(challenge, one("ANSWER", f.as_str()), None, fx);
                    }
                    _ => self.reject(
                        API,
                        LocalCode::InvalidChallengeAnswer,
                        "answer with one of the available challenges",
                        fx,
                    ),
                }
            }
            ChallengeName::WebAuthn => self.reject(
                API,
                LocalCode::PasskeyNotSupported,
                "Cognito asks for a passkey (WEB_AUTHN), which a terminal cannot provide",
                fx,
            ),
            other => {
                let msg = format!("confirmSignIn cannot answer the {other} challenge");
                self.reject(API, LocalCode::UnsupportedChallenge, msg, fx)
            }
        }
    }

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
                    LocalCode::InvalidMfaType,
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
                LocalCode::InvalidChallengeAnswer,
                "answer with TOTP or EMAIL, a 6-digit TOTP code, or an email address",
                fx,
            )
        }
    }

    fn sign_out(&mut self, global: bool, fx: &mut Vec<Effect>) {
        self.start("signOut", Pending::SignOut, fx);
        self.sign_in = None;
        let Some(tokens) = self.tokens.clone() else {
            self.info("No user is signed in", fx);
            self.emit_session(fx);
            return self.finish(true, fx);
        };
        if global {
            let req = AccessTokenRequest {
                access_token: tokens.access_token.clone(),
            };
            self.call(Pending::SignOut, Request::GlobalSignOut(req), vec![], fx);
        } else if let (true, Some(refresh)) =
            (tokens.has_origin_jti(), tokens.refresh_token.clone())
        {
            let req = RevokeTokenRequest {
                token: refresh,
                client_id: self.cfg.client_id.clone(),
            };
            self.call(Pending::SignOut, Request::RevokeToken(req), vec![], fx);
        } else {
            self.info(
                "The access token has no origin_jti: nothing to revoke, tokens cleared locally",
                fx,
            );
            self.complete_sign_out(fx);
        }
    }

    fn complete_sign_out(&mut self, fx: &mut Vec<Effect>) {
        self.last_step = None;
        self.clear_tokens(fx);
        self.info("Signed out", fx);
        self.finish(true, fx);
    }

    fn fetch_session(&mut self, force: bool, now_ms: i64, fx: &mut Vec<Effect>) {
        self.start("fetchAuthSession", Pending::Refresh, fx);
        let Some(tokens) = self.tokens.clone() else {
            self.info("No user is signed in: no tokens", fx);
            self.emit_session(fx);
            return self.finish(true, fx);
        };
        if !force && !tokens.needs_refresh(now_ms) {
            self.emit_session(fx);
            return self.finish(true, fx);
        }
        let Some(refresh) = tokens.refresh_token.clone() else {
            return self.fail(
                None,
                LocalCode::NoRefreshToken,
                "the tokens are expiring and there is no refresh token",
                fx,
            );
        };
        let req = GetTokensFromRefreshTokenRequest {
            refresh_token: refresh,
            client_id: self.cfg.client_id.clone(),
            device_key: None,
        };
        self.call(
            Pending::Refresh,
            Request::GetTokensFromRefreshToken(req),
            vec![],
            fx,
        );
    }

    // ------------------------------------------------------------ results

    fn on_response(
        &mut self,
        result: Result<Response, CognitoError>,
        latency_ms: u64,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let Some(op) = &mut self.op else {
            tracing::warn!("auth machine: a response arrived with no command in flight");
            return;
        };
        let pending = op.pending;
        op.latency_ms += latency_ms;
        let op_name = match &result {
            Ok(r) => response_operation(r).to_string(),
            Err(_) => op.last_operation.to_string(),
        };
        op.operations.push(op_name.clone());

        let resp = match result {
            Ok(r) => r,
            Err(e) => return self.on_error(pending, &op_name, e, now_ms, fx),
        };
        match (pending, resp) {
            (Pending::SignUp, Response::SignUp(r)) => {
                let auto = self.sign_up.as_ref().is_some_and(|s| s.auto_sign_in);
                if let Some(s) = &mut self.sign_up {
                    s.session = r.session.clone();
                    s.confirmed = r.user_confirmed;
                }
                let (step, why) = if !r.user_confirmed {
                    let d = cdd(r.code_delivery_details);
                    let why = format!(
                        "Cognito created user {} (unconfirmed) and sent a code to {}: answer with ConfirmSignUp",
                        r.user_sub,
                        where_sent(&d)
                    );
                    (
                        SignUpStep::ConfirmSignUp {
                            code_delivery_details: d,
                        },
                        why,
                    )
                } else if auto {
                    (
                        SignUpStep::CompleteAutoSignIn,
                        "The user is confirmed already: autoSignIn signs in without asking again"
                            .to_string(),
                    )
                } else {
                    (
                        SignUpStep::Done,
                        "The user is confirmed already: sign in with InitiateAuth".to_string(),
                    )
                };
                self.transition(now_ms, NextStep::SignUp(step), None, why, fx);
                self.finish(true, fx);
            }
            (Pending::ConfirmSignUp, Response::ConfirmSignUp(r)) => {
                let auto = match &mut self.sign_up {
                    Some(s) => {
                        s.confirmed = true;
                        if r.session.is_some() {
                            s.session = r.session.clone();
                        }
                        s.auto_sign_in
                    }
                    None => false,
                };
                let (step, why) = if auto {
                    (
                        SignUpStep::CompleteAutoSignIn,
                        "Code accepted: the user is confirmed; autoSignIn signs in with the kept credentials or ConfirmSignUp's Session",
                    )
                } else {
                    (
                        SignUpStep::Done,
                        "Code accepted: the user is confirmed and can sign in",
                    )
                };
                self.transition(now_ms, NextStep::SignUp(step), None, why, fx);
                self.finish(true, fx);
            }
            (Pending::ResendSignUpCode, Response::ResendConfirmationCode(r)) => {
                let d = cdd(r.code_delivery_details);
                let why = format!(
                    "Cognito sent a new code to {}: answer with ConfirmSignUp",
                    where_sent(&d)
                );
                self.transition(
                    now_ms,
                    NextStep::SignUp(SignUpStep::ConfirmSignUp {
                        code_delivery_details: d,
                    }),
                    None,
                    why,
                    fx,
                );
                self.finish(true, fx);
            }
            (Pending::Auth, Response::InitiateAuth(r) | Response::RespondToAuthChallenge(r)) => {
                self.on_auth_response(r, now_ms, fx)
            }
            (Pending::AssociateSoftwareToken, Response::AssociateSoftwareToken(r)) => {
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
            (Pending::VerifySoftwareToken, Response::VerifySoftwareToken(r)) => {
                if r.status.as_deref() != Some("SUCCESS") {
                    return self.fail(
                        Some("VerifySoftwareToken"),
                        LocalCode::CodeMismatch,
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
            (Pending::ForgotPassword, Response::ForgotPassword(r)) => {
                let d = cdd(r.code_delivery_details);
                let why = format!(
                    "Cognito sent a password-reset code to {}: answer with ConfirmForgotPassword",
                    where_sent(&d)
                );
                self.transition(
                    now_ms,
                    NextStep::ResetPassword(ResetPasswordStep::ConfirmResetPasswordWithCode {
                        code_delivery_details: d,
                    }),
                    None,
                    why,
                    fx,
                );
                self.finish(true, fx);
            }
            (Pending::ConfirmForgotPassword, Response::ConfirmForgotPassword(_)) => {
                self.transition(
                    now_ms,
                    NextStep::ResetPassword(ResetPasswordStep::Done),
                    None,
                    "The new password is set: sign in with it",
                    fx,
                );
                self.finish(true, fx);
            }
            (Pending::SignOut, Response::GlobalSignOut(_)) => {
                self.info("GlobalSignOut: every token of this user is revoked", fx);
                self.complete_sign_out(fx);
            }
            (Pending::SignOut, Response::RevokeToken(_)) => {
                self.info(
                    "RevokeToken: the refresh token and its access tokens are revoked",
                    fx,
                );
                self.complete_sign_out(fx);
            }
            (Pending::Refresh, Response::GetTokensFromRefreshToken(r)) => self.on_refreshed(
                r.authentication_result,
                "GetTokensFromRefreshToken",
                now_ms,
                fx,
            ),
            (Pending::RefreshFallback, Response::InitiateAuth(r)) => self.on_refreshed(
                r.authentication_result,
                "InitiateAuth REFRESH_TOKEN_AUTH",
                now_ms,
                fx,
            ),
            (p, r) => {
                let msg = format!(
                    "unexpected {} response while waiting for {p:?}",
                    response_operation(&r)
                );
                self.fail(
                    Some(response_operation(&r)),
                    LocalCode::InternalError,
                    msg,
                    fx,
                )
            }
        }
    }

    fn on_error(
        &mut self,
        pending: Pending,
        op_name: &str,
        e: CognitoError,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        match pending {
            Pending::Auth
            | Pending::Claim
            | Pending::AssociateSoftwareToken
            | Pending::VerifySoftwareToken => {
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
                self.fail_cognito(op_name, &e, fx);
            }
            Pending::SignOut => {
                // Amplify swallows sign-out errors and clears the tokens anyway.
                self.info(
                    format!(
                        "{op_name} failed ({}: {}); tokens cleared anyway, as Amplify does",
                        e.code(),
                        e.message()
                    ),
                    fx,
                );
                self.complete_sign_out(fx);
            }
            Pending::Refresh if is_unknown_operation(&e) => {
                let Some(tokens) = self.tokens.clone() else {
                    return self.finish(false, fx);
                };
                let Some(refresh) = tokens.refresh_token.clone() else {
                    return self.finish(false, fx);
                };
                let why = match e.status() {
                    Some(status) => format!("{}, HTTP {status}", e.code()),
                    None => e.code().to_string(),
                };
                let note = format!(
                    "GetTokensFromRefreshToken is not available here ({why}); fell back to InitiateAuth REFRESH_TOKEN_AUTH"
                );
                self.info(note.clone(), fx);
                let req = InitiateAuthRequest {
                    auth_flow: "REFRESH_TOKEN_AUTH".into(),
                    client_id: self.cfg.client_id.clone(),
                    auth_parameters: BTreeMap::from([("REFRESH_TOKEN".to_string(), refresh)]),
                    session: None,
                    secret_hash_username: tokens
                        .access_claims
                        .get("username")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                        .or_else(|| tokens.sub()),
                };
                self.call(
                    Pending::RefreshFallback,
                    Request::InitiateAuth(req),
                    vec![note],
                    fx,
                );
            }
            Pending::Refresh | Pending::RefreshFallback => {
                if clears_tokens_on_refresh_failure(&e) {
                    self.info(
                        format!(
                            "Refresh failed with {}: tokens cleared (signed out)",
                            e.code()
                        ),
                        fx,
                    );
                    self.last_step = None;
                    self.clear_tokens(fx);
                }
                self.fail_cognito(op_name, &e, fx);
            }
            _ => self.fail_cognito(op_name, &e, fx),
        }
    }

    fn on_refreshed(
        &mut self,
        result: Option<AuthenticationResult>,
        via: &str,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        let Some(old) = self.tokens.clone() else {
            return self.finish(false, fx);
        };
        let Some(result) = result else {
            return self.fail(
                None,
                LocalCode::InvalidResponse,
                format!("{via} returned no AuthenticationResult"),
                fx,
            );
        };
        match Tokens::from_result(
            &result,
            old.refresh_token.clone(),
            &old.login_id,
            old.auth_flow,
            now_ms,
        ) {
            Ok(mut t) => {
                t.refreshed_at_ms = Some(now_ms);
                let rotated = result.refresh_token.is_some();
                self.tokens = Some(t.clone());
                fx.push(Effect::Persist(Some(t)));
                self.info(
                    format!(
                        "Tokens refreshed with {via}{}",
                        if rotated {
                            " (refresh token rotated)"
                        } else {
                            " (refresh token kept)"
                        }
                    ),
                    fx,
                );
                self.emit_session(fx);
                self.finish(true, fx);
            }
            Err(msg) => self.fail(None, LocalCode::InvalidResponse, msg, fx),
        }
    }

    fn on_auth_response(&mut self, r: AuthResponse, now_ms: i64, fx: &mut Vec<Effect>) {
        let Some(si) = &mut self.sign_in else {
            return self.fail(
                None,
                LocalCode::InternalError,
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

        if let Some(result) = r.authentication_result {
            let (login, flow) = (si.username.clone(), si.flow);
            self.sign_in = None;
            return match Tokens::from_result(&result, None, &login, flow, now_ms) {
                Ok(t) => {
                    self.tokens = Some(t.clone());
                    fx.push(Effect::Persist(Some(t)));
                    self.transition(
                        now_ms,
                        NextStep::SignIn(SignInStep::Done),
                        None,
                        "Cognito issued tokens: the user is signed in",
                        fx,
                    );
                    self.emit_session(fx);
                    self.finish(true, fx);
                }
                Err(msg) => self.fail(None, LocalCode::InvalidResponse, msg, fx),
            };
        }
        let Some(name) = r.challenge_name.clone() else {
            self.sign_in = None;
            return self.fail(
                None,
                LocalCode::InvalidResponse,
                "Cognito returned neither a challenge nor tokens",
                fx,
            );
        };
        let params = r.challenge_parameters;
        let cdd_of = |p: &BTreeMap<String, String>| {
            Some(CodeDeliveryDetails {
                destination: p.get("CODE_DELIVERY_DESTINATION").cloned(),
                delivery_medium: p.get("CODE_DELIVERY_DELIVERY_MEDIUM").cloned(),
                attribute_name: None,
            })
        };
        let challenge = ChallengeName::parse(&name);
        let step = match challenge {
            Some(ChallengeName::PasswordVerifier) => return self.start_claim(&params, now_ms, fx),
            Some(ChallengeName::DeviceSrpAuth | ChallengeName::DevicePasswordVerifier) => {
                self.sign_in = None;
                return self.fail(None, LocalCode::DeviceSrpNotSupported, format!("Cognito asked for {name}, but this client has not remembered a device"), fx);
            }
            Some(ChallengeName::CustomChallenge) => (SignInStep::ConfirmSignInWithCustomChallenge { additional_info: params.clone() }, "Cognito's Lambda asks a custom challenge: answer with RespondToAuthChallenge CUSTOM_CHALLENGE (ANSWER)".to_string()),
            Some(ChallengeName::NewPasswordRequired) => {
                let missing: Vec<String> = params
                    .get("requiredAttributes")
                    .and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| a.trim_start_matches("userAttributes.").to_string())
                    .collect();
                (SignInStep::ConfirmSignInWithNewPasswordRequired { missing_attributes: missing }, "The password is temporary: answer with RespondToAuthChallenge NEW_PASSWORD_REQUIRED (NEW_PASSWORD)".to_string())
            }
            Some(ChallengeName::SelectMfaType) => (SignInStep::ContinueSignInWithMfaSelection { allowed_mfa_types: parse_mfa_list(params.get("MFAS_CAN_CHOOSE")) }, "Cognito asks which MFA to use: answer with RespondToAuthChallenge SELECT_MFA_TYPE".to_string()),
            Some(ChallengeName::SmsMfa | ChallengeName::SmsOtp) => (SignInStep::ConfirmSignInWithSmsCode { code_delivery_details: cdd_of(&params) }, format!("Cognito sent an SMS code to {}: answer with RespondToAuthChallenge {name}", params.get("CODE_DELIVERY_DESTINATION").map(String::as_str).unwrap_or("the user"))),
            Some(ChallengeName::EmailOtp) => (SignInStep::ConfirmSignInWithEmailCode { code_delivery_details: cdd_of(&params) }, format!("Cognito emailed a code to {}: answer with RespondToAuthChallenge EMAIL_OTP", params.get("CODE_DELIVERY_DESTINATION").map(String::as_str).unwrap_or("the user"))),
            Some(ChallengeName::SoftwareTokenMfa) => (SignInStep::ConfirmSignInWithTotpCode, "Cognito asks for the authenticator-app code: answer with RespondToAuthChallenge SOFTWARE_TOKEN_MFA".to_string()),
            Some(ChallengeName::Password | ChallengeName::PasswordSrp) => (SignInStep::ConfirmSignInWithPassword, format!("Cognito asks for the password ({name})")),
            Some(ChallengeName::SelectChallenge) => (SignInStep::ContinueSignInWithFirstFactorSelection { available_challenges: r.available_challenges.clone() }, "Cognito asks which first factor to use: answer with RespondToAuthChallenge SELECT_CHALLENGE".to_string()),
            Some(ChallengeName::MfaSetup) => {
                let can: Vec<MfaType> = parse_mfa_list(params.get("MFAS_CAN_SETUP"))
                    .into_iter()
                    .filter(|t| *t != MfaType::Sms)
                    .collect();
                match can.as_slice() {
                    [MfaType::Totp] => {
                        if let Some(s) = &mut self.sign_in {
                            s.mfa_setup = Some(MfaType::Totp);
                        }
                        let session = self.sign_in.as_ref().and_then(|s| s.session.clone());
                        self.info("MFA must be set up and only TOTP is possible: AssociateSoftwareToken", fx);
                        let req = AssociateSoftwareTokenRequest { access_token: None, session };
                        return self.call(Pending::AssociateSoftwareToken, Request::AssociateSoftwareToken(req), vec![], fx);
                    }
                    [MfaType::Email] => (SignInStep::ContinueSignInWithEmailSetup, "MFA must be set up with email: answer with the email address (RespondToAuthChallenge MFA_SETUP)".to_string()),
                    [] => {
                        self.sign_in = None;
                        return self.fail(None, LocalCode::MfaSetupNotSupported, "Cognito requires MFA setup, but only SMS can be set up, which sign-in cannot do", fx);
                    }
                    _ => (SignInStep::ContinueSignInWithMfaSetupSelection { allowed_mfa_types: can }, "MFA must be set up: choose TOTP or EMAIL".to_string()),
                }
            }
            Some(ChallengeName::WebAuthn) => {
                self.sign_in = None;
                return self.fail(None, LocalCode::PasskeyNotSupported, "Cognito asks for a passkey (WEB_AUTHN): a terminal cannot run the browser ceremony", fx);
            }
            // ADMIN_NO_SRP_AUTH belongs to AdminInitiateAuth: a client never answers it.
            Some(ChallengeName::AdminNoSrpAuth) | None => {
                self.sign_in = None;
                return self.fail(None, LocalCode::UnsupportedChallenge, format!("Cognito returned an unknown challenge {name}"), fx);
            }
        };
        self.transition(now_ms, NextStep::SignIn(step.0), challenge, step.1, fx);
        self.finish(true, fx);
    }

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
                LocalCode::InternalError,
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
                LocalCode::InvalidResponse,
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

    fn on_claim(
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
                self.respond(ChallengeName::PasswordVerifier, r, None, fx);
            }
            Err(e) => {
                self.sign_in = None;
                self.fail(
                    None,
                    LocalCode::SrpError,
                    format!("cannot compute the SRP proof: {e}"),
                    fx,
                );
            }
        }
    }
}

fn response_operation(r: &Response) -> &'static str {
    match r {
        Response::SignUp(_) => "SignUp",
        Response::ConfirmSignUp(_) => "ConfirmSignUp",
        Response::ResendConfirmationCode(_) => "ResendConfirmationCode",
        Response::InitiateAuth(_) => "InitiateAuth",
        Response::RespondToAuthChallenge(_) => "RespondToAuthChallenge",
        Response::GetTokensFromRefreshToken(_) => "GetTokensFromRefreshToken",
        Response::GetUser(_) => "GetUser",
        Response::GlobalSignOut(_) => "GlobalSignOut",
        Response::RevokeToken(_) => "RevokeToken",
        Response::ForgotPassword(_) => "ForgotPassword",
        Response::ConfirmForgotPassword(_) => "ConfirmForgotPassword",
        Response::ChangePassword(_) => "ChangePassword",
        Response::AssociateSoftwareToken(_) => "AssociateSoftwareToken",
        Response::VerifySoftwareToken(_) => "VerifySoftwareToken",
        Response::SetUserMfaPreference(_) => "SetUserMFAPreference",
    }
}
