//! What the users actor tells the app (its pages, details, pool settings, the outbox, its
//! calls and errors), routed to the screen it belongs to. Split from `app.rs`, which keeps
//! the keys (the auth events are in `app_events.rs`).

use super::app::{Action, App};
use super::shared::Screen;
use super::users;
use super::widgets::timeline::StatusEntry;
use crate::admin::AdminEvent;
use crate::auth::events::AuthCommand;

impl App {
    pub fn on_admin_event(&mut self, ev: AdminEvent, now_ms: i64) -> Vec<Action> {
        self.dirty = true;
        match ev {
            ev @ (AdminEvent::UsersPage { .. }
            | AdminEvent::UserDetail { .. }
            | AdminEvent::ActionDone { .. }
            | AdminEvent::ActionFailed { .. }
            | AdminEvent::Groups { .. }) => {
                let out = self.users.update(ev, &mut self.ctx, now_ms);
                return self.route(out);
            }
            AdminEvent::PoolSettings { settings } => {
                let shown = self.screen == Screen::Pool;
                self.pool.update(settings, &mut self.ctx, shown, now_ms);
            }
            AdminEvent::LocalPoolFound => {
                if !self.ctx.local {
                    self.ctx.local = true;
                    self.ctx.status.push(StatusEntry::Info {
                        at_ms: now_ms,
                        api: "pool".into(),
                        message: "this endpoint is a cognito-tui pool: F7 Outbox shows the codes \
                                  it sends, F8 Pool its settings"
                            .into(),
                    });
                    // Trigger runs show in the status pane from now on.
                    let mut out = vec![Action::Auth(AuthCommand::FollowTriggers)];
                    // A screen opened before the answer reads its data now.
                    if matches!(self.screen, Screen::Outbox | Screen::Pool) {
                        out.extend(self.goto(self.screen));
                    }
                    return self.route(out);
                }
            }
            AdminEvent::Outbox { entries } => {
                self.outbox.update(entries);
                if std::mem::take(&mut self.challenge.fill_pending) {
                    self.challenge
                        .code_from_outbox(&self.outbox.entries, false, &mut self.ctx);
                }
            }
            // Reading the embedded pool's outbox is not a Cognito call: keep the inspector
            // on the calls being debugged.
            AdminEvent::Exchange(x) if x.operation.starts_with("GET /_local") => {
                tracing::debug!(operation = %x.operation, "outbox read");
            }
            AdminEvent::Exchange(x) => {
                self.inspector.push(x);
                // Thousands of loaded users must not be kept twice (rows and raw pages).
                users::compact_list_users(&mut self.inspector.exchanges);
            }
            AdminEvent::Error {
                operation,
                code,
                message,
            } => {
                users::events::on_error(&mut self.users, &operation, &code, &message);
                self.pool.on_error(&operation, &code, &message);
                self.ctx
                    .flash_error(format!("{operation}: {code}: {message}"));
                self.ctx
                    .log_error(now_ms, "admin", Some(operation), code, message);
            }
        }
        Vec::new()
    }
}
