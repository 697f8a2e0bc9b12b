//! The embedded Cognito-compatible user pool: an axum server on 127.0.0.1 backed by SQLite that
//! really verifies SRP and issues RS256 JWTs, so Amplify JS, the AWS CLI, boto3, pycognito and
//! this app's own client can run every sign-up and sign-in step without an AWS account.
//!
//! - `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` (the
//!   operation table in `server.rs`); errors are HTTP 400 `{"__type", "message"}` with
//!   `x-amzn-ErrorType` and `x-amzn-RequestId`.
//! - `GET /{poolId}/.well-known/jwks.json`: the pool's two signing keys.
//! - `GET /_local/outbox`: every code the pool "sent", oldest first, as a JSON array of
//!   [`crate::cognito::types::OutboxEntry`] (`pool_id`, `username`, `medium`, `destination`, `purpose`,
//!   `code`, `sent_at`, and `message` / `subject` where the pool's templates make a text).
//! - `POST /_local/reset`: the store back to its freshly seeded state (local clients only, no
//!   browser origin).
//! - `GET /{poolId}/.well-known/openid-configuration`: the OIDC discovery document (issuer and
//!   JWKS URL as the tokens have them).
//!
//! Operations: SignUp, ConfirmSignUp, ResendConfirmationCode, InitiateAuth (USER_SRP_AUTH,
//! USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN), RespondToAuthChallenge
//! (PASSWORD_VERIFIER, with or without Session; NEW_PASSWORD_REQUIRED), GetTokensFromRefreshToken,
//! GetUser, GlobalSignOut, RevokeToken, ForgotPassword, ConfirmForgotPassword, ChangePassword,
//! ListUsers, CreateUserPool, CreateUserPoolClient, DescribeUserPool, DescribeUserPoolClient,
//! ListUserPools, ListUserPoolClients, AdminConfirmSignUp, AdminGetUser, AdminCreateUser,
//! AdminSetUserPassword, AdminDeleteUser, AdminDisableUser, AdminEnableUser,
//! AdminUserGlobalSignOut; MFA (`ops_mfa.rs`): SetUserPoolMfaConfig, GetUserPoolMfaConfig,
//! SetUserMFAPreference, AdminSetUserMFAPreference, AssociateSoftwareToken and
//! VerifySoftwareToken (with an AccessToken or a MFA_SETUP Session), the SMS_MFA, EMAIL_OTP,
//! SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP challenges, and AdminResetUserPassword.
//! For test suites (`admin_auth.rs`, `ops_pool_admin.rs`, `ops_user_attributes.rs`):
//! AdminInitiateAuth and AdminRespondToAuthChallenge on the same flows, DeleteUserPool,
//! DeleteUserPoolClient, UpdateUserPoolClient (with the OAuth fields), UpdateUserAttributes,
//! GetUserAttributeVerificationCode and VerifyUserAttribute. New pools take the region of the
//! request's SigV4 scope and their RSA keys from a stock generated ahead of need.
//! Pool configuration: CreateUserPool's `Schema` (custom attributes, checked on every write by
//! `user_schema.rs`), AddCustomAttributes, AccountRecoverySetting and the message templates
//! (`pool_settings.rs`); domains (`ops_domains.rs`), resource servers (`ops_resources.rs`) and
//! identity providers (`ops_idps.rs`), stored and described (their OAuth endpoints are not
//! served).
//! Admin operations (every SigV4 operation) need a SigV4 `Authorization` header; with
//! [`LocalOptions::credentials`] set the signature is verified ([`sigv4`]).
//!
//! Layers, lowest first (a file imports only files on an earlier rank; ARCHITECTURE.md holds
//! the same order and `tests/tidy.rs` checks it): `error`; `policy`, `jwt`, `sigv4`, `totp`,
//! `edge` (the HTTP edge: Host, Origin, CORS, timeouts and limits); `user_schema`,
//! `pool_settings`; `store/` (all SQL, every schema and migration); `ctx`; `access`, `extras`; `paging`,
//! `delivery` (the one maker of outbox entries), `flows` (one store for every challenge
//! Session), `hooks` (the triggers), `shapes`; `tokens`, `signin`; `next_step`; the operations
//! `ops_*` (private; none imports another); `respond` (the RespondToAuthChallenge router);
//! `server` (the operation table); `seed` (the demo constants and seeding); this file.
//!
//! User administration at scale: ListUsers with the whole filter grammar of PROTOCOL.md §2.4
//! served from an indexed side table (`=` and `^=` are index range scans; first pages answer
//! in a few milliseconds with 100,000 users), AttributesToGet, and signed keyset pagination
//! tokens bound to the pool and filter that expire after an hour; groups (`ops_groups.rs`:
//! CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
//! AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup) whose members' tokens
//! carry `cognito:groups` (by precedence) and the ID token `cognito:roles` /
//! `cognito:preferred_role`; AdminUpdateUserAttributes, AdminDeleteUserAttributes,
//! AdminListDevices (always empty: the pool does not track devices). [`seed::seed_users`]
//! (`cognito-tui seed-users`) adds many realistic users straight into the store.
//!
//! Custom auth and choice-based sign-in (`ops_custom.rs`, `ops_user_auth.rs`, `hooks.rs`):
//! InitiateAuth CUSTOM_AUTH (with or without SRP_A) and USER_AUTH (PREFERRED_CHALLENGE,
//! SELECT_CHALLENGE + AvailableChallenges, auto sign-in with the Session of SignUp /
//! ConfirmSignUp); RespondToAuthChallenge CUSTOM_CHALLENGE, SELECT_CHALLENGE, PASSWORD,
//! PASSWORD_SRP, EMAIL_OTP, SMS_OTP; UpdateUserPool; `LambdaConfig` and
//! `Policies.SignInPolicy` in CreateUserPool / UpdateUserPool / DescribeUserPool. Lambda
//! triggers (DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse, PreSignUp,
//! PostConfirmation) run as local commands: a LambdaConfig value `cmd:<command line>` (or an
//! absolute path); see `hooks.rs` and `examples/triggers/`. CUSTOM_AUTH without a
//! DefineAuthChallenge trigger is Cognito's error, except on pools that opt in to the built-in
//! one-time code (outbox purpose `CUSTOM_CHALLENGE`): the demo pool, and pools whose custom-auth
//! triggers are set to `builtin:one-time-code`.
//!
//! The store keeps SRP verifiers (salt, v), never passwords. The one exception is by design: an
//! AdminCreateUser invitation (outbox purpose `INVITATION`) carries the temporary password in
//! its `code`, as Cognito's invitation message does.
//!
//! A fresh store is seeded with a demo pool ([`DEMO_POOL_ID`]), an app client allowing every
//! flow ([`DEMO_CLIENT_ID`]), one with a secret, confirmed users [`DEMO_CONFIRMED_USERS`] and
//! the unconfirmed [`DEMO_UNCONFIRMED_USER`], all with password [`DEMO_PASSWORD`], and a user
//! for each challenge scenario ([`DEMO_SCENARIO_USERS`]: TOTP, SMS and email MFA, a choice of
//! MFA, FORCE_CHANGE_PASSWORD, RESET_REQUIRED). The demo pool's MfaConfiguration is OPTIONAL
//! with SMS, TOTP and email MFA offered, so ordinary users sign in without MFA. For custom auth
//! and USER_AUTH: the client [`DEMO_CUSTOM_CLIENT_ID`], the passwordless user
//! [`DEMO_PHONE_USER`], and a sign-in policy allowing PASSWORD, EMAIL_OTP and SMS_OTP.

mod access;
mod admin_auth;
mod clients;
mod cpu;
mod ctx;
mod delivery;
mod edge;
mod error;
mod extras;
mod flows;
mod hooks;
mod hooks_auth;
mod jwt;
mod next_step;
mod ops_account;
mod ops_auth;
mod ops_custom;
mod ops_domains;
mod ops_groups;
mod ops_idps;
mod ops_mfa;
mod ops_pool_admin;
mod ops_pools;
mod ops_resources;
mod ops_schema;
mod ops_signup;
mod ops_user_attributes;
mod ops_user_auth;
mod ops_users;
mod paging;
mod policy;
mod pool_settings;
mod respond;
mod runner;
pub mod seed;
mod seed_account;
mod server;
mod shapes;
mod signin;
pub mod sigv4;
mod srp_sides;
mod store;
mod tokens;
mod totp;
mod trigger_log;
mod user_schema;
mod verified;

pub use seed::{
    DEMO_CHOICE_TOTP_SECRET, DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_CUSTOM_CLIENT_ID,
    DEMO_EMAIL_MFA_USER, DEMO_MFA_CHOICE_USER, DEMO_NEW_PASSWORD_USER, DEMO_PASSWORD,
    DEMO_PHONE_NUMBER, DEMO_PHONE_USER, DEMO_POOL_ID, DEMO_POOL_NAME, DEMO_RESET_USER,
    DEMO_SCENARIO_USERS, DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET, DEMO_SMS_MFA_USER,
    DEMO_TEMP_PASSWORD, DEMO_TOTP_SECRET, DEMO_TOTP_USER, DEMO_UNCONFIRMED_USER,
};
pub use seed_account::DEMO_NO_PASSWORD_USER;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Context as _;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::secret::Secret;
use ctx::Ctx;
pub use edge::EdgeLimits;

/// How to run the pool.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// The SQLite file (created if missing, with its directory).
    pub db_path: PathBuf,
    /// Where to listen; `127.0.0.1:0` lets the OS choose the port.
    pub bind: SocketAddr,
    /// The key pair SigV4 signatures of admin operations are verified with. `None` accepts any
    /// well-formed signature (as moto does); the header itself is always required. Required
    /// to listen beyond loopback.
    pub credentials: Option<sigv4::LocalCredentials>,
    /// Run LambdaConfig commands (`cmd:…`, absolute paths) even without `credentials`
    /// (`serve --allow-command-triggers`). With credentials they run anyway: only callers
    /// holding the key can set triggers then.
    pub allow_command_triggers: bool,
    /// Timeouts and limits of the HTTP edge.
    pub edge: EdgeLimits,
}

impl LocalOptions {
    /// The default store location and an OS-chosen port on 127.0.0.1.
    pub fn default_local() -> Self {
        Self {
            db_path: default_db_path(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: None,
            allow_command_triggers: false,
            edge: EdgeLimits::default(),
        }
    }
}

/// The embedded pool's SQLite file in the data directory (see `crate::paths`).
pub fn default_db_path() -> PathBuf {
    crate::paths::Paths::resolve()
        .map(|p| p.local_db())
        .unwrap_or_else(|_| PathBuf::from("local-pool.sqlite3"))
}

/// The ids a fresh pool is seeded with.
#[derive(Debug, Clone)]
pub struct DemoIds {
    pub pool_id: String,
    pub client_id: String,
    pub secret_client_id: String,
    pub secret_client_secret: Secret,
    pub confirmed_users: Vec<String>,
    pub unconfirmed_user: String,
    pub password: Secret,
}

impl DemoIds {
    fn fixed() -> Self {
        Self {
            pool_id: DEMO_POOL_ID.into(),
            client_id: DEMO_CLIENT_ID.into(),
            secret_client_id: DEMO_SECRET_CLIENT_ID.into(),
            secret_client_secret: Secret::new(DEMO_SECRET_CLIENT_SECRET),
            confirmed_users: DEMO_CONFIRMED_USERS.iter().map(|s| s.to_string()).collect(),
            unconfirmed_user: DEMO_UNCONFIRMED_USER.into(),
            password: Secret::new(DEMO_PASSWORD),
        }
    }
}

/// A running embedded pool. Dropping it stops the server too; [`LocalPool::shutdown`] waits.
pub struct LocalPool {
    base_url: String,
    addr: SocketAddr,
    db_path: PathBuf,
    demo: DemoIds,
    ctx: Arc<Ctx>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LocalPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalPool")
            .field("base_url", &self.base_url)
            .field("db_path", &self.db_path)
            .finish_non_exhaustive()
    }
}

impl LocalPool {
    /// Opens (and on first run seeds) the store, binds, and serves on the caller's runtime.
    pub async fn start(opts: LocalOptions) -> anyhow::Result<LocalPool> {
        check_bind(&opts)?;
        let listener = tokio::net::TcpListener::bind(opts.bind)
            .await
            .with_context(|| format!("cannot listen on {}", opts.bind))?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let db_path = opts.db_path.clone();
        let credentials = opts.credentials.clone();
        let allow_commands = opts.allow_command_triggers;
        let url = base_url.clone();
        let ctx = tokio::task::spawn_blocking(move || -> anyhow::Result<Arc<Ctx>> {
            let conn = store::open(&db_path)
                .with_context(|| format!("cannot open the pool store {}", db_path.display()))?;
            let key = store::server_key(&conn)?;
            let ctx = Arc::new(Ctx::new(conn, url, key));
            let commands = allow_commands || credentials.is_some();
            ctx.command_triggers.store(commands, Ordering::Relaxed);
            if let Some(c) = credentials {
                let _ = ctx.sigv4_credentials.set(c);
            }
            seed::seed(&ctx).context("cannot seed the demo pool")?;
            Ok(ctx)
        })
        .await??;
        ctx.start_key_filler();
        let app = server::router(ctx.clone(), edge::Edge::new(addr, opts.edge), seed::seed);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(edge::serve(listener, app, opts.edge, stopped));
        // A fresh store's demo pool gets its RSA keys now, while the caller gets going.
        let keygen_ctx = ctx.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = keygen_ctx.ensure_keys() {
                tracing::error!(error = %e, "local pool: could not generate signing keys");
            }
        });
        tracing::info!(url = %base_url, db = %opts.db_path.display(), "local pool: listening");
        Ok(LocalPool {
            base_url,
            addr,
            db_path: opts.db_path,
            demo: DemoIds::fixed(),
            ctx,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    pub fn demo(&self) -> &DemoIds {
        &self.demo
    }

    /// The token issuer of a pool on this server (`base_url/poolId`).
    pub fn issuer(&self, pool_id: &str) -> String {
        self.ctx.issuer(pool_id)
    }

    /// Moves the pool's clock forward (or back) by `seconds`: for tests of expiry (codes,
    /// sessions, tokens, lockout). Affects this running server only.
    pub fn advance_clock(&self, seconds: i64) {
        self.ctx.clock_offset.fetch_add(seconds, Ordering::Relaxed);
    }

    /// The outbox, oldest first (what `GET /_local/outbox` returns).
    pub async fn outbox(&self) -> anyhow::Result<Vec<crate::cognito::types::OutboxEntry>> {
        let ctx = self.ctx.clone();
        Ok(tokio::task::spawn_blocking(move || ctx.read(store::read_outbox)).await??)
    }

    /// Stops accepting requests, lets in-flight ones finish (up to 5 s) and closes the store.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(std::time::Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for LocalPool {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Refuses to listen beyond loopback unless admin signatures are verified: otherwise anyone
/// on the network could call every admin operation (and set triggers).
fn check_bind(opts: &LocalOptions) -> anyhow::Result<()> {
    if opts.bind.ip().is_loopback() || opts.credentials.is_some() {
        return Ok(());
    }
    anyhow::bail!(
        "refusing to listen on {}: beyond loopback anyone who can reach the port could call \
         every admin operation. Pass --access-key-id and --secret-access-key (or \
         COGNITO_TUI_ACCESS_KEY_ID and COGNITO_TUI_SECRET_ACCESS_KEY) so admin calls need a \
         verified signature, or keep --bind 127.0.0.1",
        opts.bind.ip()
    )
}

/// Which LambdaConfig commands a pool started with `opts` runs, for the banner.
fn trigger_mode(opts: &LocalOptions) -> &'static str {
    if opts.allow_command_triggers {
        "commands run (--allow-command-triggers)"
    } else if opts.credentials.is_some() {
        "commands run (only signed admin calls can set them)"
    } else {
        "commands are stored but not run; --allow-command-triggers runs them"
    }
}

/// `cognito-tui serve`: runs the pool alone until Ctrl-C or SIGTERM, after printing its URL and
/// the demo ids to stdout (the one place library code prints: this is the CLI).
pub async fn serve(opts: LocalOptions) -> anyhow::Result<()> {
    let opts_key_id = opts.credentials.as_ref().map(|c| c.access_key_id.clone());
    let triggers = trigger_mode(&opts);
    let pool = LocalPool::start(opts).await?;
    let d = pool.demo();
    println!(
        "cognito-tui embedded user pool listening on {}",
        pool.base_url()
    );
    println!("  endpoint:      {}/", pool.base_url());
    println!("  pool id:       {}", d.pool_id);
    println!("  client id:     {}", d.client_id);
    println!(
        "  secret client: {} (its secret is in the README)",
        d.secret_client_id
    );
    println!("  custom client: {DEMO_CUSTOM_CLIENT_ID} (CUSTOM_AUTH, USER_AUTH)");
    println!(
        "  passwordless:  USER_AUTH with EMAIL_OTP or SMS_OTP on the custom client (demo user {DEMO_PHONE_USER}); \
         {DEMO_NO_PASSWORD_USER} signed up without a password; SignUp without one works too"
    );
    println!(
        "  demo users:    {} (confirmed), {} (unconfirmed); the demo password is in the README",
        d.confirmed_users.join(", "),
        d.unconfirmed_user
    );
    println!(
        "  scenarios:     {} (the README says what each demonstrates)",
        DEMO_SCENARIO_USERS.join(", ")
    );
    println!(
        "  jwks:          {}/{}/.well-known/jwks.json",
        pool.base_url(),
        d.pool_id
    );
    println!("  outbox:        {}/_local/outbox", pool.base_url());
    println!(
        "  reset:         POST {}/_local/reset (back to the seeded state)",
        pool.base_url()
    );
    println!("  store:         {}", pool.db_path().display());
    match &opts_key_id {
        Some(id) => println!("  admin SigV4:   verified with access key id {id}"),
        None => println!("  admin SigV4:   required; any well-formed signature is accepted"),
    }
    println!("  triggers:      {triggers}");
    println!("  browsers:      CORS for the unsigned operations only; no admin or /_local/* call");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    wait_for_stop_signal().await;
    pool.shutdown().await;
    Ok(())
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
