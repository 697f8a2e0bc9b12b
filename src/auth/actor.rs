//! The auth actor: a tokio task that runs the pure machine's effects (HTTP calls, SRP math on
//! a blocking thread, token persistence) and talks to front ends only over channels.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use serde_json::Value;

use super::events::{AuthCommand, AuthErrorView, AuthEvent, CHECK_TOKENS_API, Release};
use super::machine::{self, AuthState, Effect, Input, MachineConfig, NewDeviceVerifier};
use super::session::Tokens;
use super::stores::{DeviceStore, Saved, TokenStore};
use super::token_check::{SignedOut, TokenSet, check_tokens};
use crate::cognito::jwks::JwksCache;
use crate::cognito::{CallOrigin, Client, ClientCode, Request, now_ms};
use crate::config::Target;
use crate::srp::ClientEphemeral;

/// Options for [`spawn`].
#[derive(Debug, Clone)]
pub struct ActorOptions {
    /// Where to keep the tokens between runs (a 0600 file); `None` keeps them in memory only.
    pub state_dir: Option<PathBuf>,
    /// Capacity of the command and event channels.
    pub channel_capacity: usize,
    /// The issuer shown in TOTP setup URIs.
    pub totp_issuer: String,
}

impl Default for ActorOptions {
    fn default() -> Self {
        Self {
            state_dir: None,
            channel_capacity: 64,
            totp_issuer: machine::DEFAULT_TOTP_ISSUER.into(),
        }
    }
}

/// The front end's end of the actor: send commands on `tx`, read events from `rx`.
/// Dropping `tx` (or sending [`AuthCommand::Shutdown`]) stops the actor.
pub struct AuthHandle {
    pub tx: mpsc::Sender<AuthCommand>,
    pub rx: mpsc::Receiver<AuthEvent>,
}

/// Starts the auth actor for `target`.
pub fn spawn(client: Client, target: &Target, opts: ActorOptions) -> AuthHandle {
    let cap = opts.channel_capacity.max(1);
    let (cmd_tx, cmd_rx) = mpsc::channel(cap);
    let (ev_tx, ev_rx) = mpsc::channel(cap);
    let mut cfg = MachineConfig::new(target.client_id.clone(), target.user_pool_id.clone());
    cfg.totp_issuer = opts.totp_issuer.clone();
    let store = opts.state_dir.as_ref().map(|d| TokenStore::new(d, target));
    let pool = PoolKind::of(target);
    let devices = opts.state_dir.as_ref().map(|d| DeviceStore::new(d, target));
    tokio::spawn(run(client, cfg, store, devices, pool, cmd_rx, ev_tx));
    AuthHandle {
        tx: cmd_tx,
        rx: ev_rx,
    }
}

async fn run(
    client: Client,
    cfg: MachineConfig,
    store: Option<TokenStore>,
    devices: Option<DeviceStore>,
    pool: PoolKind,
    mut commands: mpsc::Receiver<AuthCommand>,
    events: mpsc::Sender<AuthEvent>,
) {
    let restored = match store.as_ref().map(TokenStore::load) {
        Some(Saved::Here(t)) => Some(t),
        Some(Saved::Elsewhere { username, place }) => {
            // Tokens are only good where they were issued: another server with the same
            // ids would refuse them (Invalid Refresh Token) while the header said signed in.
            let _ = events
                .send(AuthEvent::Info {
                    api: "fetchAuthSession".into(),
                    message: format!(
                        "The saved session of {username} belongs to {place}, not this endpoint: \
                         not restored (sign in here)"
                    ),
                })
                .await;
            None
        }
        _ => None,
    };
    if let Some(t) = &restored {
        let _ = events
            .send(AuthEvent::Info {
                api: "fetchAuthSession".into(),
                message: format!("Restored the saved session of {}", t.username()),
            })
            .await;
        let _ = events
            .send(AuthEvent::Session {
                session: Some(t.view(crate::cognito::now_ms())),
            })
            .await;
    }
    let kept = devices.as_ref().map(DeviceStore::load).unwrap_or_default();
    let mut state = AuthState::new(cfg).with_tokens(restored).with_devices(kept);
    let stores = Stores {
        tokens: store.as_ref(),
        devices: devices.as_ref(),
    };
    let mut step = Stepper {
        on: false,
        commands: &mut commands,
        shutdown: false,
        sent: VecDeque::new(),
        pool,
        srp_u: None,
        triggers: TriggerFollow::start(&client).await,
    };
    let keys = JwksCache::default();
    // The tokens the last sign-out ended: checked when nobody is signed in.
    let mut ended: Option<(Tokens, SignedOut)> = None;
    while let Some(cmd) = step.commands.recv().await {
        if let AuthCommand::Replay { exchange_id } = cmd {
            state = replay(state, exchange_id, &client, stores, &events, &mut step).await;
            if step.shutdown {
                break;
            }
            continue;
        }
        if matches!(cmd, AuthCommand::CheckTokens) {
            let tokens = match state.tokens() {
                Some(t) => Some((t.clone(), None)),
                None => ended.clone().map(|(t, s)| (t, Some(s))),
            };
            spawn_check(&client, &keys, tokens, &events);
            continue;
        }
        let shutdown = matches!(cmd, AuthCommand::Shutdown);
        if let AuthCommand::SetStepMode { on } = cmd {
            step.on = on;
        }
        if matches!(cmd, AuthCommand::FollowTriggers) {
            step.triggers.follow(&client).await;
            continue;
        }
        let srp = if needs_ephemeral(&cmd) {
            match tokio::task::spawn_blocking(ClientEphemeral::generate).await {
                Ok(e) => Some(Arc::new(e)),
                Err(e) => {
                    tracing::error!("SRP ephemeral task failed: {e}");
                    None
                }
            }
        } else {
            None
        };
        let input = Input::Command {
            cmd,
            now_ms: now_ms(),
            srp,
        };
        state = drive(state, input, &client, stores, &events, &mut step).await;
        // A new session makes the last sign-out's tokens history.
        if state.tokens().is_some() {
            ended = None;
        }
        if let Some((tokens, kind)) = state.take_ended() {
            ended = Some((
                tokens,
                SignedOut {
                    kind,
                    at_ms: now_ms(),
                },
            ));
        }
        if shutdown || step.shutdown {
            break;
        }
    }
    tracing::debug!("auth actor stopped");
}

/// Checks `tokens` on a task of its own (the JWKS may take a while to arrive and the actor
/// keeps answering meanwhile): a `TokenCheck` event, then `Finished`.
fn spawn_check(
    client: &Client,
    keys: &JwksCache,
    tokens: Option<(Tokens, Option<SignedOut>)>,
    events: &mpsc::Sender<AuthEvent>,
) {
    let (client, keys, events) = (client.clone(), keys.clone(), events.clone());
    tokio::spawn(async move {
        let ok = match tokens {
            Some((t, signed_out)) => {
                let username = t.username();
                let set = TokenSet {
                    username: &username,
                    id: t.id_token.as_deref(),
                    access: &t.access_token,
                    refresh: t.refresh_token.as_deref(),
                    clock_drift_ms: t.clock_drift_ms,
                };
                let report = check_tokens(&client, &keys, set, signed_out, now_ms()).await;
                let _ = events.send(AuthEvent::TokenCheck(report)).await;
                true
            }
            None => {
                let _ = events
                    .send(AuthEvent::Info {
                        api: CHECK_TOKENS_API.into(),
                        message: "No user is signed in and no sign-out to look back on: no \
                                  tokens to check"
                            .into(),
                    })
                    .await;
                false
            }
        };
        let _ = events
            .send(AuthEvent::Finished {
                api: CHECK_TOKENS_API.into(),
                ok,
            })
            .await;
    });
}

/// How many past calls are kept to be sent again.
pub const REPLAYABLE_CALLS: usize = 32;

/// Step mode: holds each request until the front end sends `Step` (or `SendEdited`); and the
/// last calls sent, which `Replay` can send again.
struct Stepper<'a> {
    on: bool,
    commands: &'a mut mpsc::Receiver<AuthCommand>,
    /// A Shutdown (or a closed channel) arrived while a request was held.
    shutdown: bool,
    /// The last [`REPLAYABLE_CALLS`] calls: exchange id, request, the body sent (secrets in
    /// it; never logged, never sent to a front end).
    sent: VecDeque<(u64, Request, Value)>,
    /// Whether the target publishes the server's side of an SRP sign-in.
    pool: PoolKind,
    /// The u of the SRP proof just emitted, whose server side is read once the call carrying
    /// the proof has been answered (never on a target that is not a cognito-tui pool).
    srp_u: Option<String>,
    /// The embedded pool's trigger log, read after each call.
    triggers: TriggerFollow,
}

/// What the user decided about a held request.
enum Decision {
    Send,
    /// Send this body (the edit, its redacted values put back) instead.
    SendEdited(Value),
    Drop,
}

/// What the target is, as far as the server's side of an SRP sign-in goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PoolKind {
    /// The embedded pool, or a custom endpoint found to be `cognito-tui serve`.
    CognitoTui,
    /// A custom endpoint not asked yet: asked once, the way the users actor asks
    /// (`GET /_local/outbox` answers a JSON array only there), when a proof needs it.
    Unknown,
    /// Real Cognito (never asked) or another server.
    Other,
}

impl PoolKind {
    fn of(target: &Target) -> Self {
        let aws = reqwest::Url::parse(&target.endpoint)
            .ok()
            .and_then(|u| u.host_str().map(|h| h.ends_with(".amazonaws.com")))
            .unwrap_or(true);
        if target.local {
            PoolKind::CognitoTui
        } else if aws {
            PoolKind::Other
        } else {
            PoolKind::Unknown
        }
    }
}

/// Follows the trigger log of the embedded pool (`GET /_local/triggers`): after each call,
/// the runs it caused become [`AuthEvent::Trigger`]s. Runs from before the actor started are
/// skipped. Off for any other server (real Cognito has no such log).
struct TriggerFollow {
    on: bool,
    last: u64,
}

impl TriggerFollow {
    async fn start(client: &Client) -> Self {
        let mut me = Self { on: false, last: 0 };
        if client.is_local() {
            me.follow(client).await;
        }
        me
    }

    /// Starts following from the newest run now logged (a no-op when already following).
    async fn follow(&mut self, client: &Client) {
        if self.on {
            return;
        }
        match client.fetch_triggers(0).await {
            Ok(runs) => {
                self.on = true;
                self.last = runs.iter().map(|r| r.seq).max().unwrap_or(0);
            }
            Err(e) => tracing::debug!(code = e.code(), "no trigger log to follow"),
        }
    }

    /// Emits the runs logged since the last look.
    async fn after_call(&mut self, client: &Client, events: &mpsc::Sender<AuthEvent>) {
        if !self.on {
            return;
        }
        match client.fetch_triggers(self.last).await {
            Ok(runs) => {
                for run in runs {
                    self.last = self.last.max(run.seq);
                    let _ = events.send(AuthEvent::Trigger(run)).await;
                }
            }
            Err(e) => tracing::debug!(code = e.code(), "the trigger log could not be read"),
        }
    }
}

impl Stepper<'_> {
    /// Waits for the user's decision on a held request whose body is `body`.
    async fn hold(
        &mut self,
        api: &str,
        op: &str,
        body: &Value,
        events: &mpsc::Sender<AuthEvent>,
    ) -> Decision {
        let _ = events
            .send(AuthEvent::Held {
                api: api.into(),
                operation: op.to_string(),
                request: crate::cognito::redact::redact(body),
            })
            .await;
        let release = |why: Release| AuthEvent::Released {
            api: api.into(),
            operation: op.to_string(),
            why,
        };
        loop {
            let mut edited = None;
            let why = match self.commands.recv().await {
                Some(AuthCommand::Step { send: true }) => Release::Sent,
                Some(AuthCommand::SendEdited { request }) => match check_edit(&request, body) {
                    Ok(b) if &b == body => Release::Sent,
                    Ok(b) => {
                        edited = Some(b);
                        Release::Edited
                    }
                    Err(message) => {
                        let _ = events
                            .send(AuthEvent::Error(AuthErrorView {
                                api: "sendEdited".into(),
                                operation: Some(op.to_string()),
                                code: ClientCode::InvalidEdit.as_str().into(),
                                message: format!("{op} not sent (still held): {message}"),
                                request_id: None,
                            }))
                            .await;
                        continue;
                    }
                },
                Some(AuthCommand::Step { send: false }) => Release::Dropped,
                Some(AuthCommand::SetStepMode { on: false }) => {
                    self.on = false;
                    Release::StepModeOff
                }
                Some(AuthCommand::CancelSignIn) => Release::Cancelled,
                Some(AuthCommand::Shutdown) | None => {
                    self.shutdown = true;
                    Release::Shutdown
                }
                Some(other) => {
                    let _ = events
                        .send(AuthEvent::Error(super::events::AuthErrorView {
                            api: other.api_name().into(),
                            operation: None,
                            code: crate::cognito::ClientCode::Busy.as_str().into(),
                            message: format!("{op} is held in step mode: send or drop it first"),
                            request_id: None,
                        }))
                        .await;
                    continue;
                }
            };
            let _ = events.send(release(why)).await;
            return match (edited, why.sends()) {
                (Some(b), _) => Decision::SendEdited(b),
                (None, true) => Decision::Send,
                (None, false) => Decision::Drop,
            };
        }
    }

    /// Sends `body` as `request`'s operation, records the call for `Replay`, and emits its
    /// exchange marked with `origin`.
    async fn send(
        &mut self,
        client: &Client,
        request: Request,
        body: Value,
        notes: Vec<String>,
        origin: CallOrigin,
        events: &mpsc::Sender<AuthEvent>,
    ) -> crate::cognito::Call<crate::cognito::Response> {
        let mut call = client
            .send_with_body(request.clone(), body.clone(), notes)
            .await;
        call.exchange.origin = origin;
        if self.sent.len() == REPLAYABLE_CALLS {
            self.sent.pop_front();
        }
        self.sent.push_back((call.exchange.id, request, body));
        let _ = events
            .send(AuthEvent::Exchange(call.exchange.clone()))
            .await;
        self.triggers.after_call(client, events).await;
        call
    }
}

/// An edited body as it will be sent: a JSON object, its redacted values put back from
/// `original`.
fn check_edit(edited: &Value, original: &Value) -> Result<Value, String> {
    if !edited.is_object() {
        return Err("a request body is a JSON object ({ … })".into());
    }
    crate::cognito::redact::unredact(edited, original)
}

/// `Replay`: sends call `id` again (held first in step mode). The flow takes its answer when
/// it can (`AuthState::begin_replay`); otherwise the answer is only shown, and a note says why.
async fn replay(
    mut state: AuthState,
    id: u64,
    client: &Client,
    stores: Stores<'_>,
    events: &mpsc::Sender<AuthEvent>,
    step: &mut Stepper<'_>,
) -> AuthState {
    let Some((_, request, body)) = step.sent.iter().find(|(x, _, _)| *x == id).cloned() else {
        // Started … Finished like every command, so a front end waiting for the end sees it.
        let _ = events
            .send(AuthEvent::Started {
                api: "replay".into(),
            })
            .await;
        let _ = events
            .send(AuthEvent::Error(AuthErrorView {
                api: "replay".into(),
                operation: None,
                code: ClientCode::NotReplayable.as_str().into(),
                message: format!(
                    "call #{id} cannot be sent again: only the last {REPLAYABLE_CALLS} calls of \
                     the sign-in flows are kept (the Users view's calls are not)"
                ),
                request_id: None,
            }))
            .await;
        let _ = events
            .send(AuthEvent::Finished {
                api: "replay".into(),
                ok: false,
            })
            .await;
        return state;
    };
    let op = request.operation();
    let emit = |ev: AuthEvent| async { events.send(ev).await.is_ok() };
    emit(AuthEvent::Started {
        api: "replay".into(),
    })
    .await;
    let decision = if step.on {
        step.hold("replay", op, &body, events).await
    } else {
        Decision::Send
    };
    let (body, edited) = match decision {
        Decision::Drop => {
            emit(AuthEvent::Info {
                api: "replay".into(),
                message: format!("{op} (call #{id}) was not sent again: dropped in step mode"),
            })
            .await;
            emit(AuthEvent::Finished {
                api: "replay".into(),
                ok: false,
            })
            .await;
            return state;
        }
        Decision::SendEdited(b) => (b, true),
        Decision::Send => (body, false),
    };
    let origin = CallOrigin::Replayed { of: id, edited };
    let call = step
        .send(client, request, body, vec![], origin, events)
        .await;
    let latency_ms = call.exchange.latency_ms;
    match state.begin_replay(op) {
        Ok(()) => {
            let input = Input::Response {
                result: call.result,
                latency_ms,
                now_ms: now_ms(),
            };
            drive(state, input, client, stores, events, step).await
        }
        Err(why) => {
            let ok = call.result.is_ok();
            emit(AuthEvent::Info {
                api: "replay".into(),
                message: format!(
                    "The answer to {op} sent again (call #{id}) is shown in the inspector; the \
                     flow does not take it: {why}"
                ),
            })
            .await;
            emit(AuthEvent::Finished {
                api: "replay".into(),
                ok,
            })
            .await;
            state
        }
    }
}

fn needs_ephemeral(cmd: &AuthCommand) -> bool {
    matches!(
        cmd,
        AuthCommand::SignIn { .. } | AuthCommand::ConfirmSignIn { .. } | AuthCommand::AutoSignIn
    )
}

/// Where the actor keeps what outlives it (none: memory only).
#[derive(Clone, Copy)]
struct Stores<'a> {
    tokens: Option<&'a TokenStore>,
    devices: Option<&'a DeviceStore>,
}

/// Runs one input and every effect it leads to, until the machine asks for nothing more.
async fn drive(
    mut state: AuthState,
    input: Input,
    client: &Client,
    stores: Stores<'_>,
    events: &mpsc::Sender<AuthEvent>,
    step: &mut Stepper<'_>,
) -> AuthState {
    let (s, fx) = machine::handle(state, input);
    state = s;
    let mut queue: VecDeque<Effect> = fx.into();
    while let Some(effect) = queue.pop_front() {
        let next_input = match effect {
            Effect::Emit(ev) => {
                if let AuthEvent::Srp(d) = &ev
                    && step.pool != PoolKind::Other
                {
                    step.srp_u = Some(d.u.clone());
                }
                // A closed event channel means nobody listens; keep the state consistent anyway.
                let _ = events.send(ev).await;
                None
            }
            Effect::Persist(tokens) => {
                if let Some(store) = stores.tokens {
                    store.save(tokens.as_ref());
                }
                None
            }
            Effect::PersistDevices(list) => {
                if let Some(store) = stores.devices {
                    store.save(&list);
                }
                None
            }
            Effect::NewEphemeral => {
                match tokio::task::spawn_blocking(ClientEphemeral::generate).await {
                    Ok(e) => Some(Input::Ephemeral {
                        ephemeral: Arc::new(e),
                        now_ms: now_ms(),
                    }),
                    Err(e) => {
                        tracing::error!("SRP ephemeral task failed: {e}");
                        None
                    }
                }
            }
            Effect::MakeDeviceVerifier {
                group_key,
                device_key,
            } => {
                let made = tokio::task::spawn_blocking(move || {
                    NewDeviceVerifier::generate(&group_key, &device_key)
                })
                .await;
                match made {
                    Ok(verifier) => Some(Input::DeviceVerifier {
                        verifier,
                        now_ms: now_ms(),
                    }),
                    Err(e) => {
                        tracing::error!("device verifier task failed: {e}");
                        None
                    }
                }
            }
            Effect::Call { request, notes } => {
                let api = state.current_api().unwrap_or("auth");
                let srp_u = step.srp_u.take();
                let op = request.operation();
                let body = request.body();
                let decision = if step.on {
                    step.hold(api, op, &body, events).await
                } else {
                    Decision::Send
                };
                Some(match decision {
                    Decision::Drop => Input::Response {
                        result: Err(crate::cognito::CognitoError::Cancelled {
                            message: format!("{op} was not sent: dropped in step mode"),
                        }),
                        latency_ms: 0,
                        now_ms: now_ms(),
                    },
                    sent => {
                        let (body, origin) = match sent {
                            Decision::SendEdited(b) => (b, CallOrigin::Edited),
                            _ => (body, CallOrigin::Flow),
                        };
                        let call = step
                            .send(client, request, body, notes, origin, events)
                            .await;
                        if let Some(u) = srp_u {
                            if step.pool == PoolKind::Unknown {
                                step.pool = if client.fetch_outbox().await.result.is_ok() {
                                    PoolKind::CognitoTui
                                } else {
                                    PoolKind::Other
                                };
                            }
                            if step.pool == PoolKind::CognitoTui {
                                server_side(client, &u, events).await;
                            }
                        }
                        Input::Response {
                            result: call.result,
                            latency_ms: call.exchange.latency_ms,
                            now_ms: now_ms(),
                        }
                    }
                })
            }
            Effect::ComputeClaim(job) => {
                let result = match tokio::task::spawn_blocking(move || job.compute()).await {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::error!("SRP claim task failed: {e}");
                        Err(crate::srp::SrpError::BadSecretBlock)
                    }
                };
                Some(Input::Claim {
                    result,
                    now_ms: now_ms(),
                })
            }
        };
        if let Some(input) = next_input {
            let (s, fx) = machine::handle(state, input);
            state = s;
            // The follow-up effects run before anything still queued (there is never more
            // than one call outstanding, so order is preserved).
            for e in fx.into_iter().rev() {
                queue.push_front(e);
            }
        }
    }
    state
}

/// Reads the pool's side of the SRP proof whose u is `u` (the call carrying it has been
/// answered, so the pool has checked it) and passes it on; if the pool has none (the answer
/// never reached the check), the front ends simply get no server side.
async fn server_side(client: &Client, u: &str, events: &mpsc::Sender<AuthEvent>) {
    let call = client.fetch_srp_side(u).await;
    match call.result {
        Ok(side) if side.u == u => {
            let _ = events.send(AuthEvent::SrpServer(side)).await;
        }
        Ok(_) => tracing::warn!("the pool answered the SRP side of another sign-in"),
        Err(e) => tracing::debug!(code = e.code(), "no server side for this SRP proof"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::events::AuthFlowType;
    use crate::auth::machine::DeviceKeys;
    use crate::auth::session::fake_jwt;
    use crate::cognito::types::AuthenticationResult;

    #[test]
    fn only_a_cognito_tui_pool_is_asked_for_the_server_side_of_srp() {
        let target = |endpoint: &str, local: bool| Target {
            endpoint: endpoint.into(),
            region: "eu-west-1".into(),
            user_pool_id: "eu-west-1_p".into(),
            client_id: "c".into(),
            client_secret: None,
            local,
        };
        let kind = |e: &str, local: bool| PoolKind::of(&target(e, local));
        assert_eq!(kind("http://127.0.0.1:1/", true), PoolKind::CognitoTui);
        assert_eq!(
            kind("https://cognito-idp.eu-west-1.amazonaws.com/", false),
            PoolKind::Other,
            "real Cognito is never asked"
        );
        assert_eq!(kind("http://127.0.0.1:9229/", false), PoolKind::Unknown);
        assert_eq!(kind("not a url", false), PoolKind::Other);
    }

    #[test]
    fn device_file_round_trips_with_mode_0600_for_its_own_endpoint_only() {
        let dir = tempfile::tempdir().unwrap();
        let target = |endpoint: &str| Target {
            endpoint: endpoint.into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_p".into(),
            client_id: "client/1".into(),
            client_secret: None,
            local: true,
        };
        let store = DeviceStore::new(dir.path(), &target("http://127.0.0.1:1/"));
        assert!(store.load().is_empty());
        let kept = vec![DeviceKeys {
            username: "ann".into(),
            device_key: "us-east-1_abc".into(),
            group_key: "-g".into(),
            password: "device-password".into(),
        }];
        store.save(&kept);
        assert!(store.path().ends_with("devices-client_1.json"));
        assert_eq!(store.load(), kept);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Another server with the same pool and client ids does not get them.
        let other = DeviceStore::new(dir.path(), &target("http://127.0.0.1:2"));
        assert!(other.load().is_empty());
        std::fs::write(store.path(), b"garbage").unwrap();
        assert!(store.load().is_empty());
    }

    #[test]
    fn token_file_round_trips_with_mode_0600_and_is_removed_on_sign_out() {
        let dir = tempfile::tempdir().unwrap();
        let target = |endpoint: &str| Target {
            endpoint: endpoint.into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_p".into(),
            client_id: "client/1".into(),
            client_secret: None,
            local: true,
        };
        let store = TokenStore::new(dir.path(), &target("http://127.0.0.1:1/"));
        assert_eq!(store.load(), Saved::None);
        let r = AuthenticationResult {
            access_token: Some(fake_jwt(&serde_json::json!({"exp": 10, "username": "a"}))),
            refresh_token: Some("refresh".into()),
            ..Default::default()
        };
        let t = Tokens::from_result(&r, None, "a", AuthFlowType::UserSrpAuth, 0).unwrap();
        store.save(Some(&t));
        assert_eq!(store.load(), Saved::Here(t.clone()));
        // Another server with the same pool and client ids does not get them.
        let other = TokenStore::new(dir.path(), &target("http://127.0.0.1:2"));
        assert_eq!(
            other.load(),
            Saved::Elsewhere {
                username: "a".into(),
                place: "http://127.0.0.1:1 (pool us-east-1_p)".into()
            }
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(store.path().ends_with("tokens-client_1.json"));
        store.save(None);
        assert!(!store.path().exists());
        std::fs::write(store.path(), b"garbage").unwrap();
        assert_eq!(store.load(), Saved::None);
    }
}
