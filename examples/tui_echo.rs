//! The real TUI (`cognito_tui::tui::run`) on a real terminal, wired to scripted stand-in
//! actors that answer each command with the events the real actors emit (no network, no
//! pool). Used by tests/tui_terminal.rs to drive the run loop in tmux, and handy to try the
//! keys: `cargo run --example tui_echo`.
//!
//! `--panic-after-draw` enters the full-screen terminal, draws once and panics on the UI
//! thread, to check that the panic hook restores the terminal.

use cognito_tui::admin::{AdminCommand, AdminEvent};
use cognito_tui::auth::events::{AuthCommand, AuthEvent};
use cognito_tui::auth::steps::{NextStep, SignUpStep};
use cognito_tui::tui::demo;
use cognito_tui::tui::{AppContext, now_ms, terminal::TerminalGuard};
use tokio::sync::mpsc;

async fn auth_actor(mut rx: mpsc::Receiver<AuthCommand>, tx: mpsc::Sender<AuthEvent>) {
    while let Some(cmd) = rx.recv().await {
        let api = cmd.api_name().to_string();
        if matches!(cmd, AuthCommand::Shutdown) {
            break;
        }
        let mut events = vec![
            AuthEvent::Started { api: api.clone() },
            AuthEvent::Info {
                api: api.clone(),
                message: format!("stand-in actor received {api}"),
            },
        ];
        let now = now_ms();
        match cmd {
            AuthCommand::SignUp { .. } => {
                events.push(AuthEvent::Transition(demo::sign_up_transition(now)));
            }
            AuthCommand::ConfirmSignUp { code, .. } if code == "000000" => {
                events.push(demo::error(
                    "confirmSignUp",
                    "ConfirmSignUp",
                    "CodeMismatchException",
                    "Invalid verification code provided, please try again.",
                ));
            }
            AuthCommand::ConfirmSignUp { .. } => {
                events.push(AuthEvent::Transition(demo::transition(
                    "confirmSignUp",
                    Some("CONFIRM_SIGN_UP"),
                    NextStep::SignUp(SignUpStep::Done),
                    now,
                )));
            }
            AuthCommand::SignIn { username, .. } => {
                events.push(AuthEvent::Exchange(demo::exchange(1, "InitiateAuth", now)));
                events.push(AuthEvent::Transition(demo::signed_in_transition(now)));
                let mut s = demo::session();
                s.username = username;
                let exp = now / 1000 + 3600;
                s.access_expires_at = exp;
                s.id_expires_at = exp;
                events.push(AuthEvent::Session { session: Some(s) });
            }
            AuthCommand::SignOut { .. } => events.push(AuthEvent::Session { session: None }),
            _ => {}
        }
        events.push(AuthEvent::Finished { api, ok: true });
        for e in events {
            if tx.send(e).await.is_err() {
                return;
            }
        }
    }
}

async fn admin_actor(mut rx: mpsc::Receiver<AdminCommand>, tx: mpsc::Sender<AdminEvent>) {
    while let Some(cmd) = rx.recv().await {
        let ev = match cmd {
            AdminCommand::FetchOutbox => demo::outbox(),
            AdminCommand::ListUsers {
                pagination_token, ..
            } => AdminEvent::UsersPage {
                filter: None,
                next_token: pagination_token.is_none().then(|| "page-2".to_string()),
                request_token: pagination_token,
                users: demo::users(60),
            },
            AdminCommand::FetchPoolSettings => AdminEvent::PoolSettings {
                settings: demo::pool_settings(),
            },
            AdminCommand::SetPoolMfa {
                mode,
                sms,
                totp,
                email,
            } => {
                let mut settings = demo::pool_settings();
                settings.mfa = Some(cognito_tui::admin::PoolMfaSummary {
                    mode,
                    sms,
                    totp,
                    email,
                });
                AdminEvent::PoolSettings { settings }
            }
            AdminCommand::Shutdown => break,
            // The Users view work of issue 4 teaches this echo the new commands.
            AdminCommand::GetUser { .. } | AdminCommand::Act { .. } | AdminCommand::ListGroups => {
                continue;
            }
        };
        if tx.send(ev).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--panic-after-draw") {
        let mut guard = TerminalGuard::enter()?;
        let app = demo::app();
        guard.terminal.draw(|f| app.render(f, now_ms()))?;
        std::thread::sleep(std::time::Duration::from_millis(500));
        panic!("deliberate panic after the first frame");
    }
    let (auth_tx, auth_cmd_rx) = mpsc::channel(16);
    let (auth_ev_tx, auth_rx) = mpsc::channel(64);
    let (admin_tx, admin_cmd_rx) = mpsc::channel(16);
    let (admin_ev_tx, admin_rx) = mpsc::channel(64);
    tokio::spawn(auth_actor(auth_cmd_rx, auth_ev_tx));
    tokio::spawn(admin_actor(admin_cmd_rx, admin_ev_tx));
    cognito_tui::tui::run(AppContext {
        target: demo::target(),
        local: true,
        auth_tx,
        auth_rx,
        admin_tx,
        admin_rx,
        log_path: None,
    })
    .await
}
