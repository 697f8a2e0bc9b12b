//! The users actor's answers, applied to the Users view.

use super::dialog::{self, Dialog, FormKind};
use super::state::{AdminProblem, UsersScreen, is_credentials};
use crate::admin::{AdminCommand, AdminEvent, UserAction, UserDetail, UserRow};
use crate::tui::context::Context;
use crate::tui::shared::Action;
use crate::tui::widgets::timeline::StatusEntry;

// --------------------------------------------------------------------------------------
// Events
// --------------------------------------------------------------------------------------

impl UsersScreen {
    /// The users actor's answers that belong to this view; the follow-up commands.
    pub fn update(&mut self, ev: AdminEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        on_event(self, ctx, ev, now_ms)
    }
}

/// The users actor's answers that belong to this view. Returns the follow-up commands
/// (a prefetch, a refreshed detail).
fn on_event(u: &mut UsersScreen, ctx: &mut Context, ev: AdminEvent, now_ms: i64) -> Vec<Action> {
    match ev {
        AdminEvent::UsersPage {
            filter,
            request_token,
            users,
            next_token,
        } => u.apply_page(filter, request_token, users, next_token, now_ms),
        AdminEvent::UserDetail { detail } => {
            on_detail(u, detail);
            Vec::new()
        }
        AdminEvent::ActionDone {
            action,
            message,
            user,
        } => on_done(u, ctx, action, message, user, now_ms),
        AdminEvent::ActionFailed {
            action,
            operation,
            code,
            message,
        } => {
            take_acting(u, &action);
            if is_credentials(&code) {
                u.credentials = Some(AdminProblem {
                    operation: operation.clone(),
                    code: code.clone(),
                    message: message.clone(),
                });
            }
            let who = action.username().unwrap_or_default().to_string();
            ctx.flash_error(format!("{operation} {who}: {code}: {message}"));
            ctx.log_error(now_ms, "admin", Some(operation), code, message);
            Vec::new()
        }
        AdminEvent::Groups { groups } => {
            u.groups = Some(groups);
            u.groups_loading = false;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn take_acting(u: &mut UsersScreen, action: &UserAction) {
    let op = action.operation();
    let who = action.username().unwrap_or_default();
    if let Some(i) = u.acting.iter().position(|(o, w, _)| o == op && w == who) {
        u.acting.remove(i);
    }
}

fn on_detail(u: &mut UsersScreen, detail: UserDetail) {
    if let Some(e) = detail.errors.iter().find(|e| is_credentials(&e.code)) {
        u.credentials = Some(AdminProblem {
            operation: e.operation.clone(),
            code: e.code.clone(),
            message: e.message.clone(),
        });
    }
    if let Some(row) = &detail.user {
        u.replace_row(row.clone());
    }
    // The MFA form opened before the user's settings were known: show them.
    if let Some(Dialog::Form(f)) = &mut u.dialog
        && let FormKind::Mfa { username } = &f.kind
        && *username == detail.username
    {
        let focus = f.form.focus;
        f.form = dialog::mfa_form(Some(&detail));
        f.form.focus = focus;
    }
    if let Some(p) = &mut u.detail
        && p.username == detail.username
    {
        p.detail = Some(detail.clone());
        p.loading_since = None;
    }
    u.details.insert(detail.username.clone(), detail);
}

fn on_done(
    u: &mut UsersScreen,
    ctx: &mut Context,
    action: UserAction,
    message: String,
    user: Option<UserRow>,
    now_ms: i64,
) -> Vec<Action> {
    take_acting(u, &action);
    ctx.status.push(StatusEntry::Info {
        at_ms: now_ms,
        api: "admin".into(),
        message: message.clone(),
    });
    ctx.flash_info(message);
    let mut out = Vec::new();
    match (&action, user) {
        (UserAction::Delete { username }, _) => {
            u.remove_row(username);
            if u.detail.as_ref().is_some_and(|d| d.username == *username) {
                u.detail = None;
            }
        }
        (UserAction::Create { .. }, Some(row)) => {
            // On top and selected, so the new user is in view.
            u.added.insert(row.username.clone());
            u.rows.insert(0, row);
            u.selected = 0;
            u.offset.set(0);
        }
        (UserAction::CreateGroup { .. }, _) => {}
        (a, row) => {
            if let Some(row) = row {
                u.replace_row(row);
            }
            if let Some(name) = a.username() {
                // Groups, MFA and attributes changed: read the detail again when it is
                // shown, else forget the cached one.
                if u.detail.as_ref().is_some_and(|d| d.username == name)
                    || matches!(
                        a,
                        UserAction::AddToGroup { .. } | UserAction::RemoveFromGroup { .. }
                    ) && u.details.contains_key(name)
                {
                    if let Some(d) = u.detail.as_mut().filter(|d| d.username == name) {
                        d.loading_since = Some(now_ms);
                    }
                    out.push(Action::Admin(AdminCommand::GetUser {
                        username: name.to_string(),
                    }));
                } else {
                    u.details.remove(name);
                }
            }
        }
    }
    out
}

/// An admin call failed (`AdminEvent::Error`): the part of the view it belongs to shows it.
pub fn on_error(u: &mut UsersScreen, operation: &str, code: &str, message: &str) {
    let problem = AdminProblem {
        operation: operation.to_string(),
        code: code.to_string(),
        message: message.to_string(),
    };
    if is_credentials(code) {
        u.credentials = Some(problem.clone());
    }
    match operation {
        "ListUsers" => {
            // The list and the filter in force stay as they were.
            u.pending = None;
            u.list_error = Some(problem);
        }
        "ListGroups" => u.groups_loading = false,
        "AdminGetUser" | "GetUser" => {
            if let Some(d) = &mut u.detail {
                d.loading_since = None;
                if d.detail.is_none() {
                    d.detail = Some(UserDetail {
                        username: d.username.clone(),
                        errors: vec![crate::admin::SettingsError {
                            operation: problem.operation,
                            code: problem.code,
                            message: problem.message,
                        }],
                        ..UserDetail::default()
                    });
                }
            }
        }
        _ => {}
    }
}
