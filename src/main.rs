//! cognito-tui entry point: parse the command line, set up logging (to a file only), pick the
//! target, and run the TUI, the embedded pool alone (`serve`) or the headless driver (`run`).

#![forbid(unsafe_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use cognito_tui::cli::{Cli, Command, TargetArgs};
use cognito_tui::cognito::SigV4Signer;
use cognito_tui::config::{AmplifyConfig, Target};
use cognito_tui::local::sigv4::LocalCredentials;
use cognito_tui::local::{LocalOptions, LocalPool};
use cognito_tui::paths::Paths;
use cognito_tui::secret::Secret;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cognito-tui: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `seed-users`: adds the users and prints what it did (users per second included).
fn seed_users(
    db_path: &std::path::Path,
    args: cognito_tui::cli::SeedUsersArgs,
) -> anyhow::Result<()> {
    use cognito_tui::local::seed::{SeedProgress, SeedUsers, seed_users_with_progress};
    let defaults = SeedUsers::default();
    let opts = SeedUsers {
        count: args.count,
        pool_id: args.pool_id.unwrap_or(defaults.pool_id),
        prefix: args.prefix,
        password: args.password.map(Secret::new).unwrap_or(defaults.password),
        rng_seed: args.rng_seed,
    };
    // Progress on stderr after every batch, so a long run shows it is alive and when it ends.
    let progress = |p: &SeedProgress| {
        let secs = p.elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            p.done as f64 / secs
        } else {
            0.0
        };
        let eta = if rate > 0.0 {
            format!(
                ", about {:.0} s left",
                p.total.saturating_sub(p.done) as f64 / rate
            )
        } else {
            String::new()
        };
        eprintln!(
            "  {}/{} users ({:.0}%), {rate:.0} users/s{eta}",
            p.done,
            p.total,
            100.0 * p.done as f64 / p.total.max(1) as f64,
        );
    };
    let report = seed_users_with_progress(db_path, &opts, progress)?;
    println!(
        "seeded {} users into {} in {:.2} s ({:.0} users/s); {} skipped (username taken); the pool now has {} users",
        report.inserted,
        report.pool_id,
        report.elapsed.as_secs_f64(),
        report.users_per_second(),
        report.skipped,
        report.pool_users
    );
    println!(
        "  time writing SQLite: {:.2} s; generating users and SRP verifiers: {:.2} s (summed over worker threads)",
        report.insert_time.as_secs_f64(),
        report.generate_time.as_secs_f64()
    );
    println!("  store: {}", db_path.display());
    Ok(())
}

fn real_main(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths::resolve()?;
    paths.create()?;
    let _log_guard = init_logging(&paths)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match cli.command {
        Some(Command::Serve(args)) => {
            let db_path = cli.target.db.clone().unwrap_or_else(|| paths.local_db());
            let credentials = match (args.access_key_id, args.secret_access_key) {
                (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
                    Some(LocalCredentials {
                        access_key_id: id,
                        secret_access_key: Secret::new(secret),
                    })
                }
                _ => None,
            };
            rt.block_on(cognito_tui::local::serve(LocalOptions {
                db_path,
                bind: SocketAddr::new(args.bind, args.port),
                credentials,
                allow_command_triggers: args.allow_command_triggers,
                edge: Default::default(),
            }))
        }
        Some(Command::SeedUsers(args)) => {
            let db_path = cli.target.db.clone().unwrap_or_else(|| paths.local_db());
            seed_users(&db_path, args)
        }
        Some(Command::Run(args)) => rt.block_on(async {
            let (target, pool, signer) = resolve_target(&cli.target, &paths).await?;
            let (auth, admin) = spawn_actors(&target, &paths, signer)?;
            let transcript = args
                .transcript
                .map(|path| cognito_tui::headless::TranscriptOut {
                    transcript: cognito_tui::transcript::Transcript::new(
                        cognito_tui::transcript::TranscriptTarget::from_target(&target),
                        cognito_tui::cognito::now_ms(),
                    ),
                    path,
                });
            let result = cognito_tui::headless::run_recorded(
                auth,
                admin,
                tokio::io::BufReader::new(tokio::io::stdin()),
                tokio::io::stdout(),
                transcript,
            )
            .await;
            if let Some(pool) = pool {
                pool.shutdown().await;
            }
            result
        }),
        None => rt.block_on(async {
            let (target, pool, signer) = resolve_target(&cli.target, &paths).await?;
            let (auth, admin) = spawn_actors(&target, &paths, signer)?;
            let ctx = cognito_tui::tui::AppContext {
                target: cognito_tui::tui::TargetInfo::from_target(&target),
                local: target.local,
                auth_tx: auth.tx,
                auth_rx: auth.rx,
                admin_tx: admin.tx,
                admin_rx: admin.rx,
                log_path: Some(paths.log_file()),
            };
            let result = cognito_tui::tui::run(ctx).await;
            if let Some(pool) = pool {
                pool.shutdown().await;
            }
            result
        }),
    }
}

/// The embedded pool (started in-process on an OS-chosen port) unless a target was named, and
/// the SigV4 signer for its admin operations: the embedded pool verifies signatures with a key
/// pair generated for this run (so every run tests signing end to end); any other target signs
/// with the standard AWS credential chain (`--profile`), resolved on the first admin call, and
/// a loopback `--endpoint` falls back to a placeholder key when the chain has none.
async fn resolve_target(
    args: &TargetArgs,
    paths: &Paths,
) -> anyhow::Result<(Target, Option<LocalPool>, SigV4Signer)> {
    if args.is_embedded() {
        let db_path = args.db.clone().unwrap_or_else(|| paths.local_db());
        let credentials = LocalCredentials::generate();
        let pool = LocalPool::start(LocalOptions {
            db_path: db_path.clone(),
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            credentials: Some(credentials.clone()),
            // Only this process holds the random key, so only the TUI itself can set triggers.
            allow_command_triggers: false,
            edge: Default::default(),
        })
        .await
        .with_context(|| {
            format!(
                "cannot start the embedded user pool ({})",
                db_path.display()
            )
        })?;
        let demo = pool.demo();
        let target = Target {
            endpoint: format!("{}/", pool.base_url().trim_end_matches('/')),
            region: Target::region_of(&demo.pool_id)
                .unwrap_or("us-east-1")
                .to_string(),
            user_pool_id: demo.pool_id.clone(),
            client_id: demo.client_id.clone(),
            client_secret: None,
            local: true,
        };
        let signer = SigV4Signer::with_credentials(
            target.region.clone(),
            credentials.access_key_id,
            &credentials.secret_access_key,
        );
        return Ok((target, Some(pool), signer));
    }
    let from_file = match &args.config {
        Some(path) => Some(AmplifyConfig::load(path)?),
        None => None,
    };
    let pool_id = args
        .user_pool_id
        .clone()
        .or_else(|| from_file.as_ref().map(|c| c.user_pool_id.clone()))
        .context("--user-pool-id (or --config FILE) is required when a target is named")?;
    let client_id = args
        .client_id
        .clone()
        .or_else(|| from_file.as_ref().map(|c| c.client_id.clone()))
        .context("--client-id (or --config FILE) is required when a target is named")?;
    let region = args
        .region
        .clone()
        .or_else(|| from_file.as_ref().map(|c| c.region.clone()))
        .or_else(|| Target::region_of(&pool_id).map(str::to_string))
        .with_context(|| {
            format!("cannot tell the region from user pool id {pool_id:?}: pass --region")
        })?;
    let client_secret = args
        .client_secret
        .clone()
        .or_else(|| from_file.as_ref().and_then(|c| c.client_secret.clone()))
        .filter(|s| !s.is_empty())
        .map(Secret::new);
    let endpoint = match &args.endpoint {
        Some(e) => {
            let url =
                reqwest::Url::parse(e).with_context(|| format!("--endpoint {e:?} is not a URL"))?;
            anyhow::ensure!(
                matches!(url.scheme(), "http" | "https"),
                "--endpoint must be an http:// or https:// URL"
            );
            url.to_string()
        }
        None => Target::aws_endpoint(&region),
    };
    let loopback = reqwest::Url::parse(&endpoint)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.trim_start_matches('[').trim_end_matches(']');
            Some(host == "localhost" || host.parse::<IpAddr>().is_ok_and(|a| a.is_loopback()))
        })
        .unwrap_or(false);
    let mut signer = SigV4Signer::from_chain(region.clone(), args.profile.clone());
    if loopback {
        signer = signer.with_placeholder_fallback();
    }
    Ok((
        Target {
            endpoint,
            region,
            user_pool_id: pool_id,
            client_id,
            client_secret,
            local: false,
        },
        None,
        signer,
    ))
}

fn init_logging(paths: &Paths) -> anyhow::Result<tracing_appender::non_blocking::WorkerGuard> {
    let log_file = paths.log_file();
    let file = cognito_tui::paths::open_private_append(&log_file)
        .with_context(|| format!("cannot open the log file {}", log_file.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("COGNITO_TUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
    Ok(guard)
}

/// The wire client and the two actors (auth flows, users/outbox) for a target.
fn spawn_actors(
    target: &Target,
    paths: &Paths,
    signer: SigV4Signer,
) -> anyhow::Result<(
    cognito_tui::auth::actor::AuthHandle,
    cognito_tui::admin::actor::AdminHandle,
)> {
    let client = cognito_tui::cognito::Client::new(target)
        .map_err(|e| anyhow::anyhow!("cannot set up the Cognito client: {e}"))?
        .with_signer(std::sync::Arc::new(signer));
    let auth = cognito_tui::auth::actor::spawn(
        client.clone(),
        target,
        cognito_tui::auth::actor::ActorOptions {
            state_dir: Some(paths.state_dir.clone()),
            ..Default::default()
        },
    );
    let admin = cognito_tui::admin::actor::spawn(client, target);
    Ok((auth, admin))
}
