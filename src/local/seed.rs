//! The demo pool every fresh store starts with, under fixed ids (the `DEMO_*` constants) so
//! the README, tests and other tools can name them; and `seed-users`, many realistic users
//! straight into the store.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;

use super::ctx::Ctx;
use super::delivery::{self, Message, SIGN_UP_CODE_TTL, deliver_code};
use super::error::{ApiError, ApiResult};
use super::extras::{self, LambdaConfig, PoolExtras};
use super::ops_mfa::{self, PURPOSE_TOTP_SECRET};
use super::ops_pools::new_pool_row;
use super::seed_account;
use super::store::{
    self, ClientConfig, ClientRow, EMAIL_OTP, PoolConfig, PoolMfa, SMS_MFA, SOFTWARE_TOKEN_MFA,
    UserMfa, UserRecord,
};
use crate::secret::Secret;
use crate::srp;

/// The demo pool's id (region `us-east-1`, pool name `cognitotui`).
pub const DEMO_POOL_ID: &str = "us-east-1_cognitotui";
pub const DEMO_POOL_NAME: &str = "cognito-tui demo";
/// The demo app client: no secret, every auth flow allowed.
pub const DEMO_CLIENT_ID: &str = "democlientcognitotui000001";
/// A second demo client that has a secret (SECRET_HASH required).
pub const DEMO_SECRET_CLIENT_ID: &str = "democlientwithsecret000002";
/// The secret of [`DEMO_SECRET_CLIENT_ID`]. A published demo value: local use only.
pub const DEMO_SECRET_CLIENT_SECRET: &str = "demosecretcognitotui0000000000000000000000000000001";
/// Confirmed demo users (email `<name>@example.com`, verified).
pub const DEMO_CONFIRMED_USERS: &[&str] = &["alice", "bob", "dave"];
/// A demo user still waiting for its sign-up code (it is in the outbox).
pub const DEMO_UNCONFIRMED_USER: &str = "carol";
/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "DemoPassw0rd!";
/// A demo client for custom auth and choice-based sign-in: ALLOW_CUSTOM_AUTH, ALLOW_USER_AUTH,
/// ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH; no secret; PreventUserExistenceErrors ENABLED.
pub const DEMO_CUSTOM_CLIENT_ID: &str = "democlientcustomauth000003";
/// A confirmed demo user with a verified phone number and email, for passwordless sign-in
/// (USER_AUTH with SMS_OTP or EMAIL_OTP).
pub const DEMO_PHONE_USER: &str = "passwordless";
/// [`DEMO_PHONE_USER`]'s phone number.
pub const DEMO_PHONE_NUMBER: &str = "+15555550123";
/// Signs in with TOTP MFA (SOFTWARE_TOKEN_MFA, preferred); its authenticator secret is
/// [`DEMO_TOTP_SECRET`], also in the outbox (purpose `TOTP_SECRET`).
pub const DEMO_TOTP_USER: &str = "mfa-totp";
/// The base32 TOTP secret of [`DEMO_TOTP_USER`] (SHA-1, 6 digits, 30 s). A published demo value.
pub const DEMO_TOTP_SECRET: &str = "MNXWO3TJORXS25DVNEQHI33UOAQDAMBR";
/// Signs in with SMS MFA (SMS_MFA, preferred; phone +15555550101); the code is in the outbox.
pub const DEMO_SMS_MFA_USER: &str = "mfa-sms";
/// Signs in with email MFA (EMAIL_OTP, preferred); the code is in the outbox.
pub const DEMO_EMAIL_MFA_USER: &str = "mfa-email";
/// Has SMS, TOTP and email MFA enabled and none preferred: sign-in answers SELECT_MFA_TYPE.
pub const DEMO_MFA_CHOICE_USER: &str = "mfa-choice";
/// The base32 TOTP secret of [`DEMO_MFA_CHOICE_USER`] (also in the outbox).
pub const DEMO_CHOICE_TOTP_SECRET: &str = "MNXWO3TJORXS25DVNEQHI33UOAQDAMBS";
/// Created as by AdminCreateUser (FORCE_CHANGE_PASSWORD): sign-in with
/// [`DEMO_TEMP_PASSWORD`] answers NEW_PASSWORD_REQUIRED. The invitation is in the outbox.
pub const DEMO_NEW_PASSWORD_USER: &str = "new-password";
/// The temporary password of [`DEMO_NEW_PASSWORD_USER`].
pub const DEMO_TEMP_PASSWORD: &str = "TempPassw0rd!";
/// Reset by AdminResetUserPassword (RESET_REQUIRED): sign-in answers
/// PasswordResetRequiredException; the reset code is in the outbox (ForgotPassword sends a
/// fresh one), and ConfirmForgotPassword makes it CONFIRMED again.
pub const DEMO_RESET_USER: &str = "reset-required";
/// The MFA and account-state demo users (all but [`DEMO_NEW_PASSWORD_USER`] use
/// [`DEMO_PASSWORD`]).
pub const DEMO_SCENARIO_USERS: &[&str] = &[
    DEMO_TOTP_USER,
    DEMO_SMS_MFA_USER,
    DEMO_EMAIL_MFA_USER,
    DEMO_MFA_CHOICE_USER,
    DEMO_NEW_PASSWORD_USER,
    DEMO_RESET_USER,
];

/// Every explicit auth flow Cognito knows, for the demo client.
const ALL_FLOWS: &[&str] = &[
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_AUTH",
];

/// Creates whatever part of the demo pool is missing, in one transaction (another process
/// opening the same store at the same time waits, then finds it seeded). The pool's signing
/// keys are left for [`Ctx::ensure_keys`]. Returns true if anything was created.
pub fn seed(ctx: &Ctx) -> anyhow::Result<bool> {
    // `with_db` is one write transaction; an error rolls the seeding back whole.
    let created = ctx.with_db(|conn| {
        seed_all(ctx, conn).map_err(|e| {
            tracing::error!(error = e.kind.as_str(), "local pool: seeding failed");
            ApiError::internal("Internal error: seeding failed")
        })
    })?;
    Ok(created)
}

fn seed_all(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    let mut created = false;
    if store::get_pool(conn, DEMO_POOL_ID)?.is_none() {
        let config = PoolConfig {
            auto_verified_attributes: vec!["email".into()],
            mfa_configuration: "OFF".into(),
            deletion_protection: "INACTIVE".into(),
            ..PoolConfig::default()
        };
        let row = new_pool_row(DEMO_POOL_ID, DEMO_POOL_NAME, config, ctx.now(), None);
        store::insert_pool(conn, &row)?;
        created = true;
        tracing::info!(pool = DEMO_POOL_ID, "local pool: demo pool created");
    }
    let contents = seed_contents(ctx, conn)?;
    let mfa = seed_mfa(ctx, conn)?;
    let custom = seed_custom(ctx, conn)?;
    let nopw = seed_account::seed_passwordless_user(ctx, conn, DEMO_POOL_ID)?;
    Ok(contents || mfa || custom || nopw || created)
}

fn seed_contents(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    let mut created = false;
    let now = ctx.now();
    let pool = store::require_pool(conn, DEMO_POOL_ID)?;
    for (id, name, secret) in [
        (DEMO_CLIENT_ID, "cognito-tui demo", None),
        (
            DEMO_SECRET_CLIENT_ID,
            "cognito-tui demo (with secret)",
            Some(DEMO_SECRET_CLIENT_SECRET),
        ),
    ] {
        if store::get_client(conn, id)?.is_none() {
            store::insert_client(
                conn,
                &ClientRow {
                    client_id: id.into(),
                    pool_id: DEMO_POOL_ID.into(),
                    name: name.into(),
                    secret: secret.map(str::to_string),
                    config: ClientConfig {
                        explicit_auth_flows: ALL_FLOWS.iter().map(|s| s.to_string()).collect(),
                        ..ClientConfig::default()
                    },
                    created: now,
                    modified: now,
                },
            )?;
            created = true;
        }
    }
    let users = DEMO_CONFIRMED_USERS
        .iter()
        .map(|u| (*u, "CONFIRMED"))
        .chain([(DEMO_UNCONFIRMED_USER, "UNCONFIRMED")]);
    for (username, status) in users {
        if store::get_user(conn, DEMO_POOL_ID, username)?.is_some() {
            continue;
        }
        let salt = srp::random_salt();
        let verifier =
            srp::compute_verifier(srp::pool_name(DEMO_POOL_ID), username, DEMO_PASSWORD, &salt);
        let mut attributes = BTreeMap::new();
        attributes.insert("email".to_string(), format!("{username}@example.com"));
        attributes.insert(
            "email_verified".to_string(),
            (status == "CONFIRMED").to_string(),
        );
        let mut cap = username.chars();
        let display: String = cap
            .next()
            .map(|c| c.to_uppercase().chain(cap).collect())
            .unwrap_or_default();
        attributes.insert("name".to_string(), format!("{display} Example"));
        let user = UserRecord {
            pool_id: DEMO_POOL_ID.into(),
            username: username.into(),
            sub: uuid::Uuid::new_v4().to_string(),
            status: status.into(),
            enabled: true,
            salt: srp::to_hex(&salt),
            verifier: srp::to_hex(&verifier),
            attributes,
            created: now,
            modified: now,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        };
        store::insert_user(conn, &user)?;
        if status == "UNCONFIRMED" {
            deliver_code(ctx, conn, &pool, &user, "SIGN_UP", SIGN_UP_CODE_TTL)?;
        }
        created = true;
    }
    Ok(created)
}

// ---------------------------------------------------------------------------------------------
// The MFA and account-state demo users

/// Adds the MFA demo users and the demo pool's MFA settings where missing (called by the
/// seeder inside its transaction, so stores made before MFA existed are upgraded). Returns
/// true if anything was created.
fn seed_mfa(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    let mut created = false;
    let mut pool = store::require_pool(conn, DEMO_POOL_ID)?;
    let now = ctx.now();
    if !store::has_pool_mfa_row(conn, DEMO_POOL_ID)? {
        store::put_pool_mfa(
            conn,
            DEMO_POOL_ID,
            &PoolMfa {
                sms_enabled: true,
                sms_authentication_message: Some("Your cognito-tui code is {####}".into()),
                sms_configuration: None,
                totp_enabled: true,
                email_enabled: true,
                email_message: Some("Your cognito-tui sign-in code is {####}".into()),
                email_subject: Some("Your sign-in code".into()),
            },
        )?;
        if pool.config.mfa_configuration == "OFF" {
            pool.config.mfa_configuration = "OPTIONAL".into();
            pool.modified = now;
            store::update_pool_config(conn, &pool.pool_id, &pool.config, now)?;
        }
        created = true;
    }
    struct Demo {
        username: &'static str,
        status: &'static str,
        phone: bool,
        mfa: UserMfa,
        totp_secret: Option<&'static str>,
    }
    let totp_user = UserMfa {
        totp: true,
        preferred: Some(SOFTWARE_TOKEN_MFA.into()),
        totp_secret: Some(DEMO_TOTP_SECRET.into()),
        device_name: Some("demo authenticator".into()),
        ..UserMfa::default()
    };
    let demos = [
        Demo {
            username: DEMO_TOTP_USER,
            status: "CONFIRMED",
            phone: false,
            mfa: totp_user,
            totp_secret: Some(DEMO_TOTP_SECRET),
        },
        Demo {
            username: DEMO_SMS_MFA_USER,
            status: "CONFIRMED",
            phone: true,
            mfa: UserMfa {
                sms: true,
                preferred: Some(SMS_MFA.into()),
                ..UserMfa::default()
            },
            totp_secret: None,
        },
        Demo {
            username: DEMO_EMAIL_MFA_USER,
            status: "CONFIRMED",
            phone: false,
            mfa: UserMfa {
                email: true,
                preferred: Some(EMAIL_OTP.into()),
                ..UserMfa::default()
            },
            totp_secret: None,
        },
        Demo {
            username: DEMO_MFA_CHOICE_USER,
            status: "CONFIRMED",
            phone: true,
            mfa: UserMfa {
                sms: true,
                email: true,
                totp: true,
                totp_secret: Some(DEMO_CHOICE_TOTP_SECRET.into()),
                device_name: Some("demo authenticator".into()),
                ..UserMfa::default()
            },
            totp_secret: Some(DEMO_CHOICE_TOTP_SECRET),
        },
        Demo {
            username: DEMO_NEW_PASSWORD_USER,
            status: "FORCE_CHANGE_PASSWORD",
            phone: false,
            mfa: UserMfa::default(),
            totp_secret: None,
        },
        Demo {
            username: DEMO_RESET_USER,
            status: "CONFIRMED",
            phone: false,
            mfa: UserMfa::default(),
            totp_secret: None,
        },
    ];
    let sent_at = ctx.now_dt();
    for (i, d) in demos.into_iter().enumerate() {
        if store::get_user(conn, DEMO_POOL_ID, d.username)?.is_some() {
            continue;
        }
        let password = if d.status == "FORCE_CHANGE_PASSWORD" {
            DEMO_TEMP_PASSWORD
        } else {
            DEMO_PASSWORD
        };
        let salt = crate::srp::random_salt();
        let verifier = crate::srp::compute_verifier(
            crate::srp::pool_name(DEMO_POOL_ID),
            d.username,
            password,
            &salt,
        );
        let mut attributes = BTreeMap::new();
        attributes.insert("email".to_string(), format!("{}@example.com", d.username));
        attributes.insert(
            "email_verified".to_string(),
            (d.status == "CONFIRMED").to_string(),
        );
        if d.phone {
            attributes.insert("phone_number".to_string(), format!("+1555555010{i}"));
            attributes.insert("phone_number_verified".to_string(), "true".to_string());
        }
        let mut user = UserRecord {
            pool_id: DEMO_POOL_ID.into(),
            username: d.username.into(),
            sub: uuid::Uuid::new_v4().to_string(),
            status: d.status.into(),
            enabled: true,
            salt: crate::srp::to_hex(&salt),
            verifier: crate::srp::to_hex(&verifier),
            attributes,
            created: now,
            modified: now,
            failed_attempts: 0,
            last_failure: None,
            locked_until: None,
        };
        store::insert_user(conn, &user)?;
        if d.mfa != UserMfa::default() {
            store::put_user_mfa(conn, DEMO_POOL_ID, &user.sub, &d.mfa)?;
        }
        if let Some(secret) = d.totp_secret {
            delivery::send(
                conn,
                Message {
                    pool_id: DEMO_POOL_ID,
                    username: d.username,
                    medium: "TOTP",
                    destination: "authenticator app",
                    purpose: PURPOSE_TOTP_SECRET,
                    code: secret,
                },
                sent_at,
            )?;
        }
        if d.status == "FORCE_CHANGE_PASSWORD" {
            // As AdminCreateUser does: the invitation carries the temporary password.
            delivery::send(
                conn,
                Message {
                    pool_id: DEMO_POOL_ID,
                    username: d.username,
                    medium: "EMAIL",
                    destination: &format!("{}@example.com", d.username),
                    purpose: "INVITATION",
                    code: DEMO_TEMP_PASSWORD,
                },
                sent_at,
            )?;
        }
        if d.username == DEMO_RESET_USER {
            ops_mfa::reset_user(ctx, conn, &pool, &mut user)?;
        }
        created = true;
        tracing::info!(
            pool = DEMO_POOL_ID,
            username = d.username,
            "local pool: demo user created"
        );
    }
    Ok(created)
}

// ---------------------------------------------------------------------------------------------
// Custom auth and choice-based sign-in

/// Adds what this part needs to the demo pool, where missing: its sign-in policy (PASSWORD,
/// EMAIL_OTP, SMS_OTP), the custom-auth demo client and the demo user with a phone number.
fn seed_custom(ctx: &Ctx, conn: &Connection) -> ApiResult<bool> {
    let mut created = false;
    let now = ctx.now();
    let pool = store::require_pool(conn, DEMO_POOL_ID)?;
    if !pool.config.builtin_custom_challenge {
        let config = store::PoolConfig {
            builtin_custom_challenge: true,
            ..pool.config
        };
        store::update_pool_config(conn, DEMO_POOL_ID, &config, pool.modified)?;
        created = true;
    }
    if !extras::extras_exist(conn, DEMO_POOL_ID)? {
        extras::save_extras(
            conn,
            DEMO_POOL_ID,
            &PoolExtras {
                lambda: LambdaConfig::default(),
                allowed_first_auth_factors: vec![
                    "PASSWORD".into(),
                    "EMAIL_OTP".into(),
                    "SMS_OTP".into(),
                ],
            },
        )?;
        created = true;
    }
    if store::get_client(conn, DEMO_CUSTOM_CLIENT_ID)?.is_none() {
        store::insert_client(
            conn,
            &ClientRow {
                client_id: DEMO_CUSTOM_CLIENT_ID.into(),
                pool_id: DEMO_POOL_ID.into(),
                name: "cognito-tui demo (custom auth, choice-based sign-in)".into(),
                secret: None,
                config: store::ClientConfig {
                    explicit_auth_flows: [
                        "ALLOW_CUSTOM_AUTH",
                        "ALLOW_USER_AUTH",
                        "ALLOW_USER_SRP_AUTH",
                        "ALLOW_REFRESH_TOKEN_AUTH",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                    prevent_user_existence_errors: "ENABLED".into(),
                    ..store::ClientConfig::default()
                },
                created: now,
                modified: now,
            },
        )?;
        created = true;
    }
    if store::get_user(conn, DEMO_POOL_ID, DEMO_PHONE_USER)?.is_none() {
        let salt = crate::srp::random_salt();
        let verifier = crate::srp::compute_verifier(
            crate::srp::pool_name(DEMO_POOL_ID),
            DEMO_PHONE_USER,
            DEMO_PASSWORD,
            &salt,
        );
        let mut attributes = BTreeMap::new();
        attributes.insert("email".into(), format!("{DEMO_PHONE_USER}@example.com"));
        attributes.insert("email_verified".into(), "true".into());
        attributes.insert("phone_number".into(), DEMO_PHONE_NUMBER.into());
        attributes.insert("phone_number_verified".into(), "true".into());
        attributes.insert("name".into(), "Pat Passwordless".into());
        store::insert_user(
            conn,
            &UserRecord {
                pool_id: DEMO_POOL_ID.into(),
                username: DEMO_PHONE_USER.into(),
                sub: uuid::Uuid::new_v4().to_string(),
                status: "CONFIRMED".into(),
                enabled: true,
                salt: crate::srp::to_hex(&salt),
                verifier: crate::srp::to_hex(&verifier),
                attributes,
                created: now,
                modified: now,
                failed_attempts: 0,
                last_failure: None,
                locked_until: None,
            },
        )?;
        created = true;
    }
    Ok(created)
}

// ---------------------------------------------------------------------------------------------
// seed-users: many realistic users, fast, straight into the store.

/// What [`seed_users`] creates.
#[derive(Debug, Clone)]
pub struct SeedUsers {
    /// How many users to add.
    pub count: usize,
    /// The pool to add them to (the demo pool, created if the store is new, by default).
    pub pool_id: String,
    /// Put in front of every generated username (e.g. `load-`), to tell batches apart.
    pub prefix: String,
    /// Every seeded user's password (their SRP verifiers are computed from it, so they can
    /// sign in).
    pub password: Secret,
    /// Seeds the generator of names, statuses and dates (the same seed and store state give
    /// the same users); None picks one at random.
    pub rng_seed: Option<u64>,
}

impl Default for SeedUsers {
    fn default() -> Self {
        Self {
            count: 1000,
            pool_id: DEMO_POOL_ID.into(),
            prefix: String::new(),
            password: Secret::new(DEMO_PASSWORD),
            rng_seed: None,
        }
    }
}

/// What [`seed_users`] did.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub pool_id: String,
    /// Users added.
    pub inserted: usize,
    /// Generated users whose username was taken already (left as they were).
    pub skipped: usize,
    /// The username of the first generated user (serial number `first_serial`), if added.
    pub first_username: Option<String>,
    /// Serial numbers `first_serial..first_serial + count` end the generated usernames.
    pub first_serial: u64,
    pub elapsed: std::time::Duration,
    /// Time spent writing to SQLite (the rest overlaps with computing SRP verifiers).
    pub insert_time: std::time::Duration,
    /// Time the worker threads spent generating users and their verifiers, summed.
    pub generate_time: std::time::Duration,
    /// The pool's user count afterwards.
    pub pool_users: i64,
}

impl SeedReport {
    pub fn users_per_second(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.inserted as f64 / s
        } else {
            self.inserted as f64
        }
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ann", "Anna", "Annie", "Aaron", "Abigail", "Adam", "Aisha", "Alex", "Amir", "Ben", "Bianca",
    "Carlos", "Chen", "Chloe", "Daniel", "Diego", "Elena", "Emma", "Fatima", "Felix", "Grace",
    "Hana", "Hugo", "Ines", "Ivan", "Jack", "Jamal", "Julia", "Kai", "Kenji", "Laura", "Leo",
    "Lina", "Lucas", "Maria", "Mateo", "Maya", "Mohammed", "Nadia", "Noah", "Olga", "Omar",
    "Priya", "Quinn", "Rafael", "Rosa", "Sara", "Sofia", "Tom", "Uma", "Victor", "Wei", "Yara",
    "Yusuf", "Zoe", "Zainab",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Müller",
    "Nguyen",
    "Kim",
    "Patel",
    "Rossi",
    "Silva",
    "Khan",
    "Novak",
    "Cohen",
    "Dubois",
    "Jensen",
    "Kowalski",
    "Tanaka",
    "Okafor",
    "Haddad",
    "Larsen",
    "Martin",
    "Lopez",
    "Brown",
    "Wilson",
    "Ivanova",
    "Chen",
    "Singh",
    "Andersson",
    "O'Brien",
    "Fischer",
    "Moreau",
    "Costa",
    "Yilmaz",
    "Sato",
    "Mensah",
    "Reyes",
    "Walker",
];

const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "corp.example",
    "test.example",
];

/// The ASCII form of a name for usernames and emails (`Müller` -> `muller`, `O'Brien` ->
/// `obrien`).
fn ascii_slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ä' | 'Ä' => Some('a'),
            'ö' | 'Ö' => Some('o'),
            'ü' | 'Ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The generated parts of one user (everything but the SRP verifier).
struct Draft {
    username: String,
    status: &'static str,
    enabled: bool,
    attributes: BTreeMap<String, String>,
    created: i64,
}

fn draft(rng: &mut impl rand::Rng, prefix: &str, serial: u64, now: i64) -> Draft {
    let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
    let (f, l) = (ascii_slug(first), ascii_slug(last));
    let username = format!("{prefix}{f}.{l}.{serial}");
    let roll: u32 = rng.gen_range(0..100);
    let status = match roll {
        0..=81 => "CONFIRMED",
        82..=91 => "UNCONFIRMED",
        92..=97 => "FORCE_CHANGE_PASSWORD",
        _ => "RESET_REQUIRED",
    };
    let enabled = rng.gen_range(0..100) >= 3;
    let domain = DOMAINS[rng.gen_range(0..DOMAINS.len())];
    let local = match rng.gen_range(0..4) {
        0 => format!("{f}.{l}"),
        1 => format!("{f}{}", rng.gen_range(1..1000)),
        2 => format!("{}{l}", &f[..1]),
        _ => format!("{f}_{l}{}", serial % 100),
    };
    // Some people type their address with capitals; filters on email ignore case.
    let email = if rng.gen_range(0..20) == 0 {
        let mut c = local.chars();
        let cap: String = c
            .next()
            .map(|h| h.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default();
        format!("{cap}@{domain}")
    } else {
        format!("{local}@{domain}")
    };
    let mut attributes = BTreeMap::new();
    attributes.insert("email".to_string(), email);
    attributes.insert(
        "email_verified".to_string(),
        (status == "CONFIRMED" && rng.gen_range(0..10) != 0).to_string(),
    );
    attributes.insert("given_name".to_string(), first.to_string());
    attributes.insert("family_name".to_string(), last.to_string());
    attributes.insert("name".to_string(), format!("{first} {last}"));
    if rng.gen_range(0..10) < 7 {
        let country = ["1", "44", "49", "33", "81", "91"][rng.gen_range(0..6)];
        attributes.insert(
            "phone_number".to_string(),
            format!(
                "+{country}{}",
                rng.gen_range(2_000_000_000u64..9_999_999_999)
            ),
        );
        attributes.insert(
            "phone_number_verified".to_string(),
            (rng.gen_range(0..2) == 0).to_string(),
        );
    }
    if rng.gen_range(0..10) == 0 {
        attributes.insert("preferred_username".to_string(), format!("{f}{l}{serial}"));
    }
    // Spread over the last two years.
    let created = now - rng.gen_range(0..2 * 365 * 86400);
    Draft {
        username,
        status,
        enabled,
        attributes,
        created,
    }
}

/// How far a [`seed_users_with_progress`] run is, given after every written batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedProgress {
    /// Users generated and written so far (added or skipped as taken), of `total`.
    pub done: usize,
    pub total: usize,
    pub elapsed: std::time::Duration,
}

/// Adds `opts.count` users to a pool in the store at `db_path`, straight into SQLite: batched
/// transactions and prepared statements, with SRP verifiers computed on worker threads so the
/// users can really sign in with `opts.password`. Safe while `serve` runs on the same file
/// (WAL; each batch is a short write transaction). A new store gets the demo pool first.
pub fn seed_users(db_path: &Path, opts: &SeedUsers) -> anyhow::Result<SeedReport> {
    seed_users_with_progress(db_path, opts, |_| {})
}

/// [`seed_users`], calling `on_progress` after every written batch (a few thousand users).
pub fn seed_users_with_progress(
    db_path: &Path,
    opts: &SeedUsers,
    mut on_progress: impl FnMut(&SeedProgress),
) -> anyhow::Result<SeedReport> {
    use anyhow::Context as _;
    use rand::SeedableRng as _;

    let started = std::time::Instant::now();
    let conn = store::open(db_path)
        .with_context(|| format!("cannot open the pool store {}", db_path.display()))?;
    // A large page cache keeps the B-trees being filled in memory (256 MiB at most; SQLite
    // only allocates what it uses).
    conn.pragma_update(None, "cache_size", -262_144)?;
    // Checkpoint every ~64 MiB of WAL instead of every 4 MiB: pages rewritten by several
    // batches are copied into the database once. The end of the run checkpoints the rest.
    conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
    if store::get_pool(&conn, &opts.pool_id)?.is_none() {
        anyhow::ensure!(
            opts.pool_id == DEMO_POOL_ID,
            "user pool {} does not exist in {}",
            opts.pool_id,
            db_path.display()
        );
        let key = store::server_key(&conn)?;
        let ctx = Ctx::new(store::open(db_path)?, "http://127.0.0.1".into(), key);
        seed(&ctx).context("cannot create the demo pool")?;
    }
    // Serial numbers continue from earlier runs, so usernames stay unique.
    let serial_key = format!("seed_serial:{}", opts.pool_id);
    let first_serial: u64 = conn
        .query_row(
            "SELECT CAST(value AS TEXT) FROM meta WHERE key = ?1",
            [&serial_key],
            |r| r.get::<_, String>(0),
        )
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let rng_seed = opts.rng_seed.unwrap_or_else(rand::random);
    let pool_name = srp::pool_name(&opts.pool_id).to_string();

    const BATCH: usize = 5000;
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let batches: Vec<(u64, usize)> = (0..opts.count)
        .step_by(BATCH)
        .map(|start| (first_serial + start as u64, BATCH.min(opts.count - start)))
        .collect();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<UserRecord>>(workers * 2);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut inserted = 0;
    let mut skipped = 0;
    let mut first_username = None;
    let mut insert_time = std::time::Duration::ZERO;
    let generate_nanos = std::sync::atomic::AtomicU64::new(0);
    let first_suffix = format!(".{first_serial}");
    std::thread::scope(|s| -> anyhow::Result<()> {
        for _ in 0..workers {
            let tx = tx.clone();
            let (batches, next, pool_name) = (&batches, &next, &pool_name);
            let generate_nanos = &generate_nanos;
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(serial0, n)) = batches.get(i) else {
                        break;
                    };
                    let t0 = std::time::Instant::now();
                    let mut rng = rand::rngs::StdRng::seed_from_u64(rng_seed ^ serial0);
                    let users: Vec<UserRecord> = (0..n as u64)
                        .map(|k| {
                            let d = draft(&mut rng, &opts.prefix, serial0 + k, now);
                            let salt = srp::random_salt();
                            let v = srp::compute_verifier(
                                pool_name,
                                &d.username,
                                opts.password.expose(),
                                &salt,
                            );
                            UserRecord {
                                pool_id: opts.pool_id.clone(),
                                username: d.username,
                                sub: uuid::Uuid::new_v4().to_string(),
                                status: d.status.into(),
                                enabled: d.enabled,
                                salt: srp::to_hex(&salt),
                                verifier: srp::to_hex(&v),
                                attributes: d.attributes,
                                created: d.created,
                                modified: d.created,
                                failed_attempts: 0,
                                last_failure: None,
                                locked_until: None,
                            }
                        })
                        .collect();
                    generate_nanos.fetch_add(
                        t0.elapsed().as_nanos() as u64,
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    if tx.send(users).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Batches arrive in any order; each is one short write transaction.
        for batch in rx {
            let t0 = std::time::Instant::now();
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let n = match store::insert_users_bulk(&conn, &batch) {
                Ok(n) => n,
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(anyhow::anyhow!("cannot insert users: {e}"));
                }
            };
            conn.execute_batch("COMMIT")?;
            insert_time += t0.elapsed();
            inserted += n;
            skipped += batch.len() - n;
            on_progress(&SeedProgress {
                done: inserted + skipped,
                total: opts.count,
                elapsed: started.elapsed(),
            });
            if let Some(u) = batch.first()
                && u.username.ends_with(&first_suffix)
                && n == batch.len()
            {
                first_username = Some(u.username.clone());
            }
        }
        Ok(())
    })?;
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        rusqlite::params![serial_key, (first_serial + opts.count as u64).to_string()],
    )?;
    // Fold the WAL back into the database (a running server's readers may keep part of it).
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
        tracing::debug!(error = %e, "seed-users: WAL checkpoint deferred");
    }
    let pool_users = store::count_users(&conn, &opts.pool_id)?;
    let report = SeedReport {
        pool_id: opts.pool_id.clone(),
        inserted,
        skipped,
        first_username,
        first_serial,
        elapsed: started.elapsed(),
        insert_time,
        generate_time: std::time::Duration::from_nanos(
            generate_nanos.load(std::sync::atomic::Ordering::Relaxed),
        ),
        pool_users,
    };
    tracing::info!(pool = %report.pool_id, inserted, skipped, per_second = report.users_per_second() as u64, "local pool: users seeded");
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_secrets_are_valid() {
        for s in [DEMO_TOTP_SECRET, DEMO_CHOICE_TOTP_SECRET] {
            assert!(super::super::totp::totp(s).is_ok(), "{s}");
        }
    }
}
