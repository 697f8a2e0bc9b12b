//! The demo pool every fresh store starts with, under fixed ids so the README, tests and other
//! tools can name them.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;

use super::error::ApiResult;
use super::ops_admin::new_pool_row;
use super::ops_auth::{SIGN_UP_CODE_TTL, deliver_code};
use super::server::Ctx;
use super::store::{self, ClientConfig, ClientRow, PoolConfig, UserRecord};
use super::{
    DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_PASSWORD, DEMO_POOL_ID, DEMO_POOL_NAME,
    DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET, DEMO_UNCONFIRMED_USER,
};
use crate::secret::Secret;
use crate::srp;

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
    let created = ctx.with_db(|conn| {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = seed_all(ctx, conn);
        conn.execute_batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
        result
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
        let row = new_pool_row(DEMO_POOL_ID, DEMO_POOL_NAME, config, ctx.now(), false)
            .map_err(|e| super::error::ApiError::internal(e.to_string()))?;
        store::insert_pool(conn, &row)?;
        created = true;
        tracing::info!(pool = DEMO_POOL_ID, "local pool: demo pool created");
    }
    let contents = seed_contents(ctx, conn)?;
    let mfa = super::ops_mfa::seed_demo(ctx, conn)?;
    let custom = super::ops_custom::seed(ctx, conn)?;
    Ok(contents || mfa || custom || created)
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
    /// Users generated and written so far (added or skipped as taken).
    pub done: usize,
    /// Users the run generates in all.
    pub total: usize,
    pub elapsed: std::time::Duration,
}

impl SeedProgress {
    pub fn per_second(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.done as f64 / s } else { 0.0 }
    }

    /// The time left at the rate so far (None before the first batch).
    pub fn eta(&self) -> Option<std::time::Duration> {
        let rate = self.per_second();
        (self.done > 0 && rate > 0.0).then(|| {
            std::time::Duration::from_secs_f64(self.total.saturating_sub(self.done) as f64 / rate)
        })
    }
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
