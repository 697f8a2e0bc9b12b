//! The terminal UI: a front end over channels only. It never does IO or SRP itself and
//! never blocks: key presses become [`AuthCommand`]s / [`AdminCommand`]s sent with
//! `try_send`, and [`AuthEvent`]s / [`AdminEvent`]s update the [`App`] state, which is
//! redrawn when something changed.
//!
//! Entry point: [`run`] with an [`AppContext`].

pub mod app;
mod app_admin;
pub mod app_events;
pub mod context;
pub mod demo;
pub mod draw;
pub mod export;
pub mod help;
pub mod replay;
pub mod screens;
pub mod shared;
pub mod svg;
pub mod terminal;
pub mod theme;
pub mod users;
pub mod widgets;

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

pub use app::App;
pub use shared::{Action, TargetInfo, TargetKind};

use crate::admin::{AdminCommand, AdminEvent};
use crate::auth::events::{AuthCommand, AuthEvent};

/// Everything the TUI needs: where it points, and the channels to the two actors.
pub struct AppContext {
    pub target: TargetInfo,
    /// True for the embedded pool: the Outbox can be read.
    pub local: bool,
    pub auth_tx: mpsc::Sender<AuthCommand>,
    pub auth_rx: mpsc::Receiver<AuthEvent>,
    pub admin_tx: mpsc::Sender<AdminCommand>,
    pub admin_rx: mpsc::Receiver<AdminEvent>,
    /// The log file, shown in the help overlay.
    pub log_path: Option<PathBuf>,
}

/// Unix milliseconds now (the real clock; tests pass their own).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Runs the full-screen UI until the user quits, Ctrl-C, SIGTERM or SIGHUP (the terminal
/// closed). The terminal is restored on every exit path the process can see: `q`, Ctrl-C
/// (SIGINT), SIGTERM and SIGHUP end the loop and restore it; an error returned from the loop
/// drops the guard, which restores it; a panic restores it from the panic hook before the
/// message is printed (see `terminal`). Only what no process can catch (SIGKILL, an abort)
/// leaves it as it is; the wire client's bounds on every response keep memory from running
/// out, which is what used to abort.
pub async fn run(ctx: AppContext) -> anyhow::Result<()> {
    use futures::StreamExt;

    let AppContext {
        target,
        local,
        auth_tx,
        mut auth_rx,
        admin_tx,
        mut admin_rx,
        log_path,
    } = ctx;
    let mut app = App::new(target, local, log_path, theme::Theme::from_env());
    let mut term = terminal::TerminalGuard::enter()?;
    let mut keys = crossterm::event::EventStream::new();
    #[cfg(unix)]
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;

    let (export_tx, mut export_rx) = mpsc::channel(4);
    let dispatch = |app: &mut App, term: &mut terminal::TerminalGuard, actions: Vec<Action>| {
        for a in actions {
            match a {
                Action::Auth(cmd) => {
                    let api = cmd.api_name();
                    if let Err(e) = auth_tx.try_send(cmd) {
                        tracing::warn!(api, "auth command not sent: {e}");
                        app.note_send_failure(api, &e.to_string(), now_ms());
                    }
                }
                Action::Admin(cmd) => {
                    if let Err(e) = admin_tx.try_send(cmd) {
                        tracing::warn!("admin command not sent: {e}");
                        app.note_send_failure("admin", &e.to_string(), now_ms());
                    }
                }
                Action::Copy(text) => {
                    // Through the backend's writer, so it cannot land inside a frame.
                    if let Err(e) = terminal::copy_osc52_to(term.terminal.backend_mut(), &text) {
                        tracing::warn!("clipboard copy failed: {e}");
                        app.ctx.flash = Some(shared::Flash::error(format!("Copy failed: {e}")));
                    }
                }
                Action::Quit => app.should_quit = true,
                Action::Export { path, transcript } => {
                    // Files are written off the UI thread; the answer comes back below.
                    let done = export_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let r = crate::transcript::write(&transcript, &path, now_ms());
                        let _ = done.blocking_send(r);
                    });
                }
                // Resolved inside the app; never handed to the run loop.
                other => tracing::debug!(?other, "app-internal action reached the run loop"),
            }
        }
    };

    let first = app.startup_actions();
    dispatch(&mut app, &mut term, first);
    let mut auth_open = true;
    let mut admin_open = true;
    let mut keys_open = true;
    while !app.should_quit {
        if app.dirty {
            let now = now_ms();
            // Synchronized updates: terminals that support them (and tmux) show the frame at
            // once, which avoids tearing over slow SSH links; others ignore the sequence.
            let _ = crossterm::queue!(
                term.terminal.backend_mut(),
                crossterm::terminal::BeginSynchronizedUpdate
            );
            term.terminal.draw(|f| app.render(f, now))?;
            let _ = crossterm::execute!(
                term.terminal.backend_mut(),
                crossterm::terminal::EndSynchronizedUpdate
            );
            app.dirty = false;
        }
        let tick = app.tick_interval();
        #[cfg(unix)]
        let term_signal = sigterm.recv();
        #[cfg(not(unix))]
        let term_signal = std::future::pending::<Option<()>>();
        #[cfg(unix)]
        let hup_signal = sighup.recv();
        #[cfg(not(unix))]
        let hup_signal = std::future::pending::<Option<()>>();
        tokio::select! {
            ev = keys.next(), if keys_open => match ev {
                Some(Ok(ev)) => {
                    let actions = app.handle_event(&ev, now_ms());
                    dispatch(&mut app, &mut term, actions);
                }
                Some(Err(e)) => {
                    tracing::error!("terminal input failed: {e}");
                    keys_open = false;
                    app.should_quit = true;
                }
                None => {
                    keys_open = false;
                    app.should_quit = true;
                }
            },
            ev = auth_rx.recv(), if auth_open => match ev {
                Some(ev) => {
                    let actions = app.on_auth_event(ev, now_ms());
                    dispatch(&mut app, &mut term, actions);
                }
                None => {
                    auth_open = false;
                    app.note_actor_gone("auth", now_ms());
                }
            },
            ev = admin_rx.recv(), if admin_open => match ev {
                Some(ev) => {
                    let actions = app.on_admin_event(ev, now_ms());
                    dispatch(&mut app, &mut term, actions);
                }
                None => {
                    admin_open = false;
                    app.note_actor_gone("admin", now_ms());
                }
            },
            Some(r) = export_rx.recv() => {
                export::written(r, &mut app.ctx, now_ms());
                app.dirty = true;
            }
            _ = tokio::time::sleep(tick.unwrap_or(Duration::from_secs(3600))), if tick.is_some() => {
                app.dirty = true;
            }
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("SIGINT: leaving");
                app.should_quit = true;
            }
            _ = term_signal => {
                tracing::info!("SIGTERM: leaving");
                app.should_quit = true;
            }
            _ = hup_signal => {
                tracing::info!("SIGHUP: leaving");
                app.should_quit = true;
            }
        }
        // `$EDITOR` on the held request: the terminal (and stdin) go to the editor until it
        // exits; the key stream is dropped first so it does not read the editor's keys.
        if let Some(text) = app.replay.external.take() {
            drop(keys);
            let result = terminal::edit_externally(&mut term, &text);
            keys = crossterm::event::EventStream::new();
            app.replay.external_done(result, &mut app.ctx);
            app.dirty = true;
            continue;
        }
        // Take whatever else is already queued before drawing, so a burst of events
        // (a call's exchange, transition and session, or keys typed faster than a frame)
        // costs one frame and no key waits for the next one to be seen.
        for _ in 0..256 {
            let mut got = false;
            // `poll!` polls with this task's own waker: crossterm's stream keeps the first
            // waker it is given while it waits, so a no-op waker (`now_or_never`) would
            // leave the next key unseen until some other event came.
            if keys_open && let std::task::Poll::Ready(ev) = futures::poll!(keys.next()) {
                got = true;
                match ev {
                    Some(Ok(ev)) => {
                        let actions = app.handle_event(&ev, now_ms());
                        dispatch(&mut app, &mut term, actions);
                    }
                    Some(Err(e)) => {
                        tracing::error!("terminal input failed: {e}");
                        keys_open = false;
                        app.should_quit = true;
                    }
                    None => {
                        keys_open = false;
                        app.should_quit = true;
                    }
                }
                if app.should_quit {
                    break;
                }
            }
            if auth_open && let Ok(ev) = auth_rx.try_recv() {
                let actions = app.on_auth_event(ev, now_ms());
                dispatch(&mut app, &mut term, actions);
                got = true;
            }
            if admin_open && let Ok(ev) = admin_rx.try_recv() {
                let actions = app.on_admin_event(ev, now_ms());
                dispatch(&mut app, &mut term, actions);
                got = true;
            }
            if !got {
                break;
            }
        }
    }
    let _ = auth_tx.try_send(AuthCommand::Shutdown);
    let _ = admin_tx.try_send(AdminCommand::Shutdown);
    term.restore()?;
    Ok(())
}
