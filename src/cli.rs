//! Command line: no subcommand runs the TUI, `serve` runs the embedded pool alone, `run` is the
//! headless JSON-lines driver.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cognito-tui",
    version,
    about = "Run and inspect Amazon Cognito sign-in flows, against real Cognito or an embedded user pool",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the embedded Cognito-compatible user pool alone (for your own tests).
    Serve(ServeArgs),
    /// Headless driver: JSON-lines commands on stdin, JSON-lines events on stdout.
    Run(RunArgs),
    /// Add many realistic test users to the embedded pool's store (works while `serve` runs).
    SeedUsers(SeedUsersArgs),
}

#[derive(Debug, Clone, Args, Default)]
pub struct TargetArgs {
    /// An amplify_outputs.json, amplifyconfiguration.json or aws-exports.js to take the pool from.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// A real (or other) user pool id, e.g. eu-west-1_AbCdEf123. The region is taken from it.
    #[arg(long, value_name = "ID", global = true)]
    pub user_pool_id: Option<String>,
    /// The app client id.
    #[arg(long, value_name = "ID", global = true)]
    pub client_id: Option<String>,
    /// The app client secret, if the client has one (prefer the environment variable, which
    /// other users of this machine cannot see in the process list).
    #[arg(
        long,
        value_name = "SECRET",
        env = "COGNITO_TUI_CLIENT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub client_secret: Option<String>,
    /// A Cognito-compatible endpoint instead of AWS (e.g. http://127.0.0.1:9229 from `serve`).
    #[arg(long, value_name = "URL", global = true)]
    pub endpoint: Option<String>,
    /// Override the region (normally the part of the pool id before `_`).
    #[arg(long, value_name = "REGION", global = true)]
    pub region: Option<String>,
    /// The embedded pool's SQLite file (default: in the data directory).
    #[arg(long, value_name = "PATH", global = true)]
    pub db: Option<PathBuf>,
    /// The AWS profile whose credentials sign admin operations (ListUsers, Admin*); default:
    /// AWS_PROFILE, then the standard chain (environment, ~/.aws files, SSO).
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 lets the OS choose; the URL is printed).
    #[arg(long, default_value_t = 9229)]
    pub port: u16,
    /// Address to bind. Keep the loopback default unless you know why not.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Verify the SigV4 signature of admin operations with this access key id (needs
    /// --secret-access-key). Without it any well-formed signature is accepted.
    #[arg(
        long,
        value_name = "ID",
        env = "COGNITO_TUI_ACCESS_KEY_ID",
        requires = "secret_access_key"
    )]
    pub access_key_id: Option<String>,
    /// The secret key for --access-key-id (prefer the environment variable, which other users
    /// of this machine cannot see in the process list).
    #[arg(
        long,
        value_name = "KEY",
        env = "COGNITO_TUI_SECRET_ACCESS_KEY",
        hide_env_values = true,
        requires = "access_key_id"
    )]
    pub secret_access_key: Option<String>,
    /// Run LambdaConfig triggers given as `cmd:<command line>` or an absolute path. Without it
    /// (and without --access-key-id) such a trigger is stored but invoking it fails, so no
    /// caller of the API can make this machine run a command.
    #[arg(long)]
    pub allow_command_triggers: bool,
}

#[derive(Debug, Clone, Args, Default)]
pub struct RunArgs {
    /// When the input ends, write a transcript of the run (every step and call, redacted:
    /// no password, code, secret or whole token) as Markdown to PATH and as JSON beside it
    /// (`run.md` and `run.json` for `run`, `run.md` or `run.json`). Files are 0600.
    #[arg(long, value_name = "PATH")]
    pub transcript: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SeedUsersArgs {
    /// How many users to add.
    #[arg(long)]
    pub count: usize,
    /// The pool to add them to (default: the demo pool).
    #[arg(long, value_name = "ID")]
    pub pool_id: Option<String>,
    /// Put in front of every generated username.
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// The users' password (default: the demo password).
    #[arg(
        long,
        value_name = "PW",
        env = "COGNITO_TUI_SEED_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// Seed of the name/status generator, for a reproducible set of users.
    #[arg(long, value_name = "N")]
    pub rng_seed: Option<u64>,
}

impl TargetArgs {
    /// True when no real or custom target was named: the embedded pool is used.
    pub fn is_embedded(&self) -> bool {
        self.config.is_none()
            && self.user_pool_id.is_none()
            && self.client_id.is_none()
            && self.endpoint.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_tui_on_embedded_pool() {
        let cli = Cli::try_parse_from(["cognito-tui"]).unwrap();
        assert!(cli.command.is_none());
        assert!(cli.target.is_embedded());
    }

    #[test]
    fn serve_and_run_parse() {
        let cli = Cli::try_parse_from(["cognito-tui", "serve", "--port", "0", "--db", "/tmp/x.db"])
            .unwrap();
        match cli.command {
            Some(Command::Serve(s)) => {
                assert_eq!(s.port, 0);
                assert!(s.access_key_id.is_none());
                assert!(
                    !s.allow_command_triggers,
                    "commands are off unless asked for"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cli.target.db, Some(PathBuf::from("/tmp/x.db")));
        let cli = Cli::try_parse_from([
            "cognito-tui",
            "serve",
            "--access-key-id",
            "AKIDLOCAL",
            "--secret-access-key",
            "s3cr3t",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Serve(s)) => {
                assert_eq!(s.access_key_id.as_deref(), Some("AKIDLOCAL"));
                assert_eq!(s.secret_access_key.as_deref(), Some("s3cr3t"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            Cli::try_parse_from(["cognito-tui", "serve", "--access-key-id", "AKIDLOCAL"]).is_err()
                || std::env::var("COGNITO_TUI_SECRET_ACCESS_KEY").is_ok()
        );
        let cli =
            Cli::try_parse_from(["cognito-tui", "serve", "--allow-command-triggers"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Serve(s)) if s.allow_command_triggers));
        let cli = Cli::try_parse_from(["cognito-tui", "--profile", "dev"]).unwrap();
        assert_eq!(cli.target.profile.as_deref(), Some("dev"));

        let cli = Cli::try_parse_from([
            "cognito-tui",
            "run",
            "--user-pool-id",
            "eu-west-1_x",
            "--client-id",
            "c",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Run(RunArgs { transcript: None }))
        ));
        assert_eq!(cli.target.user_pool_id.as_deref(), Some("eu-west-1_x"));
        assert!(!cli.target.is_embedded());
        let cli = Cli::try_parse_from(["cognito-tui", "run", "--transcript", "/tmp/t.md"]).unwrap();
        assert!(
            matches!(cli.command, Some(Command::Run(RunArgs { transcript: Some(p) })) if p == std::path::Path::new("/tmp/t.md"))
        );
    }
}
