use clap::Parser as _;
use cognito_tui::cli::{Cli, Command};
use cognito_tui::local::{self, LocalOptions};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        // Minimal dispatch so the embedded pool can run alone; the lead owns the full wiring.
        Some(Command::Serve(args)) => {
            let opts = LocalOptions {
                db_path: cli.target.db.clone().unwrap_or_else(local::default_db_path),
                bind: std::net::SocketAddr::new(args.bind, args.port),
            };
            tokio::runtime::Runtime::new()?.block_on(local::serve(opts))
        }
        _ => anyhow::bail!("only `cognito-tui serve` is wired up on this branch"),
    }
}
