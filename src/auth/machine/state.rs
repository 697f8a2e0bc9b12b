//! The machine's state and the moves every flow shares: start a command, send a call, emit a
//! step, fail, finish. The flow files (`sign_up`, `sign_in`, `challenge`, `password`,
//! `session`) build on these and never on each other.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::auth::events::{AuthCommand, AuthErrorView, AuthEvent, AuthFlowType, Transition};
use crate::auth::session::Tokens;
use crate::auth::steps::{CodeDeliveryDetails, MfaType, NextStep};
use crate::auth::token_check::SignOutKind;
use crate::cognito::codes::ClientCode;
use crate::cognito::error::CognitoError;
use crate::cognito::redact::{abbreviate_to, redact_params};
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

/// The issuer a TOTP setup URI names unless the front end chooses another.
pub const DEFAULT_TOTP_ISSUER: &str = "cognito-tui";

impl MachineConfig {
    pub fn new(client_id: impl Into<String>, user_pool_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            user_pool_id: user_pool_id.into(),
            totp_issuer: DEFAULT_TOTP_ISSUER.into(),
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

/// A sign-up in progress, kept for confirmSignUp and autoSignIn.
#[derive(Clone)]
pub(super) struct SignUpState {
    pub(super) username: String,
    pub(super) auto_sign_in: bool,
    pub(super) password: Option<Secret>,
    pub(super) session: Option<String>,
    pub(super) confirmed: bool,
}

/// A sign-in in progress: what the next answer to Cognito needs.
#[derive(Clone)]
pub(super) struct SignInState {
    pub(super) username: String,
    pub(super) user_id_for_srp: Option<String>,
    pub(super) flow: AuthFlowType,
    /// The challenge Cognito is waiting on (unknown names end the sign-in, so never kept).
    pub(super) challenge: Option<ChallengeName>,
    pub(super) challenge_parameters: BTreeMap<String, String>,
    pub(super) session: Option<String>,
    pub(super) session_at_ms: i64,
    pub(super) password: Option<Secret>,
    pub(super) ephemeral: Option<Arc<ClientEphemeral>>,
    /// SELECT_CHALLENGE answered locally with PASSWORD or PASSWORD_SRP.
    pub(super) first_factor: Option<ChallengeName>,
    /// MFA_SETUP answered locally with TOTP or EMAIL.
    pub(super) mfa_setup: Option<MfaType>,
    /// USER_AUTH's PREFERRED_CHALLENGE, until Cognito's first answer: a SELECT_CHALLENGE
    /// instead of it says why the preferred factor was not used.
    pub(super) preferred: Option<String>,
}

impl SignInState {
    pub(super) fn srp_username(&self) -> String {
        self.user_id_for_srp
            .clone()
            .unwrap_or_else(|| self.username.clone())
    }
}

/// What the command in flight waits for: routes a response (or an error) to its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pending {
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
    /// An account call (fetchUserAttributes, updatePassword, ...): see [`AccountCall`].
    Account,
}

/// The account call in flight, with what reading its answer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AccountCall {
    Fetch,
    Update(Vec<String>),
    SendCode(String),
    Confirm(String),
    Delete(Vec<String>),
    Password,
    DeleteUser(String),
    Mfa,
    SetUpTotp(String),
    VerifyTotp,
}

/// The command in flight.
pub(super) struct InFlight {
    pub(super) api: &'static str,
    pub(super) operations: Vec<String>,
    pub(super) latency_ms: u64,
    pub(super) pending: Pending,
    /// The operation of the last call sent (named in errors).
    pub(super) last_operation: &'static str,
}

/// The machine's whole state. Cloning is cheap enough for tests.
pub struct AuthState {
    pub(super) cfg: MachineConfig,
    pub(super) tokens: Option<Tokens>,
    pub(super) sign_up: Option<SignUpState>,
    pub(super) sign_in: Option<SignInState>,
    pub(super) last_step: Option<String>,
    pub(super) op: Option<InFlight>,
    pub(super) account: Option<AccountCall>,
    /// The tokens the last sign-out ended, and how, until the actor takes them.
    pub(super) ended: Option<(Tokens, SignOutKind)>,
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
            account: None,
            ended: None,
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

    /// The tokens a sign-out just ended and how it ended them (revoked or only forgotten).
    pub fn take_ended(&mut self) -> Option<(Tokens, SignOutKind)> {
        self.ended.take()
    }

    /// Remembers the current tokens as ended by a sign-out of `kind`.
    pub(super) fn end_tokens(&mut self, kind: SignOutKind) {
        self.ended = self.tokens.clone().map(|t| (t, kind));
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

impl AuthState {
    pub(super) fn start(&mut self, api: &'static str, pending: Pending, fx: &mut Vec<Effect>) {
        self.op = Some(InFlight {
            api,
            operations: Vec::new(),
            latency_ms: 0,
            pending,
            last_operation: "",
        });
        fx.push(Effect::Emit(AuthEvent::Started { api: api.into() }));
    }

    pub(super) fn api(&self) -> &'static str {
        self.op.as_ref().map(|o| o.api).unwrap_or("auth")
    }

    pub(super) fn call(
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

    pub(super) fn finish(&mut self, ok: bool, fx: &mut Vec<Effect>) {
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
    pub(super) fn fail(
        &mut self,
        operation: Option<&str>,
        code: ClientCode,
        message: impl Into<String>,
        fx: &mut Vec<Effect>,
    ) {
        self.emit_error(operation, code.as_str(), message.into(), None, fx);
    }

    /// Ends the command with the error Cognito (or the transport) answered.
    pub(super) fn fail_cognito(&mut self, operation: &str, e: &CognitoError, fx: &mut Vec<Effect>) {
        self.emit_error(
            Some(operation),
            e.code(),
            e.message(),
            e.request_id().map(str::to_string),
            fx,
        );
    }

    /// A validation failure before any call: Started, Error, Finished.
    pub(super) fn reject(
        &mut self,
        api: &'static str,
        code: ClientCode,
        message: impl Into<String>,
        fx: &mut Vec<Effect>,
    ) {
        self.start(api, Pending::Auth, fx);
        self.fail(None, code, message, fx);
    }

    pub(super) fn info(&self, message: impl Into<String>, fx: &mut Vec<Effect>) {
        fx.push(Effect::Emit(AuthEvent::Info {
            api: self.api().into(),
            message: message.into(),
        }));
    }

    pub(super) fn transition(
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
                redact_params(&s.challenge_parameters),
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

    /// The session as it stands at `now_ms` (expiry flags are judged then).
    pub(super) fn emit_session(&self, now_ms: i64, fx: &mut Vec<Effect>) {
        fx.push(Effect::Emit(AuthEvent::Session {
            session: self.tokens.as_ref().map(|t| t.view(now_ms)),
        }));
    }

    /// Tokens just received: kept, and flagged in the status when their expiry is wrong.
    pub(super) fn accept_tokens(&mut self, t: Tokens, now_ms: i64, fx: &mut Vec<Effect>) {
        if let Some(problem) = t.expiry_problem(now_ms) {
            self.info(format!("Warning: {problem}"), fx);
        }
        self.tokens = Some(t.clone());
        fx.push(Effect::Persist(Some(t)));
    }

    pub(super) fn clear_tokens(&mut self, fx: &mut Vec<Effect>) {
        self.tokens = None;
        fx.push(Effect::Persist(None));
        fx.push(Effect::Emit(AuthEvent::Session { session: None }));
    }

    pub(super) fn respond(
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
}

pub(super) fn cdd(d: Option<CodeDeliveryDetailsType>) -> Option<CodeDeliveryDetails> {
    d.map(|d| CodeDeliveryDetails {
        destination: d.destination,
        delivery_medium: d.delivery_medium,
        attribute_name: d.attribute_name,
    })
}

pub(super) fn where_sent(d: &Option<CodeDeliveryDetails>) -> String {
    match d {
        Some(d) => format!(
            "{} ({})",
            d.destination.as_deref().unwrap_or("an unknown destination"),
            d.delivery_medium.as_deref().unwrap_or("UNKNOWN")
        ),
        None => "the user".into(),
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
