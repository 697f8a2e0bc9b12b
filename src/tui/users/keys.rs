//! The Users view's keys: the list, the filter box, the detail panel and the dialogs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::dialog::{self, ACTIONS, Dialog, FormDialog, FormKind};
use super::filter;
use super::state::{DetailPanel, TabCycle, UsersScreen, member_of};
use crate::admin::{AdminCommand, UserAction};
use crate::tui::context::Context;
use crate::tui::shared::Action;
use crate::tui::widgets::form::FormOutcome;

// --------------------------------------------------------------------------------------
// Keys
// --------------------------------------------------------------------------------------

impl UsersScreen {
    /// A key on the Users screen (after the app's global keys).
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        handle_key(self, ctx, key, now_ms)
    }
}

/// A key on the Users screen (after the app's global keys).
fn handle_key(u: &mut UsersScreen, ctx: &mut Context, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    if u.dialog.is_some() {
        return dialog_key(u, ctx, key, now_ms);
    }
    if u.filter_form.focus.is_some() {
        return filter_key(u, key, now_ms);
    }
    if u.detail.is_some() {
        return detail_key(u, ctx, key, now_ms);
    }
    list_key(u, ctx, key, now_ms)
}

fn list_key(u: &mut UsersScreen, ctx: &mut Context, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    let page = u.viewport().saturating_sub(1).max(1) as isize;
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => u.step(1, now_ms),
        KeyCode::Up | KeyCode::Char('k') => u.step(-1, now_ms),
        KeyCode::PageDown => u.step(page, now_ms),
        KeyCode::PageUp => u.step(-page, now_ms),
        KeyCode::Char('f') if key.modifiers.contains(KeyModifiers::CONTROL) => u.step(page, now_ms),
        KeyCode::Char('b') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            u.step(-page, now_ms)
        }
        KeyCode::Home => u.select(0, now_ms),
        KeyCode::End => u.select(usize::MAX, now_ms),
        KeyCode::Enter => open_detail(u, now_ms),
        KeyCode::Char('/') => {
            // The box keeps what was last typed (a rejected filter can be fixed).
            u.filter_form.focus_first();
            u.tab = None;
            Vec::new()
        }
        KeyCode::Esc if u.filter.is_some() => {
            u.filter_form.clear("filter");
            let a = u.request_first(None, now_ms);
            ctx.flash_info("Filter cleared: listing every user.");
            vec![a]
        }
        KeyCode::Char('r') => {
            let a = u.request_first(u.filter.clone(), now_ms);
            vec![a]
        }
        KeyCode::Char('a') => {
            u.dialog = Some(Dialog::Menu { selected: 0 });
            Vec::new()
        }
        KeyCode::Char(c) => start_action(u, ctx, c, now_ms),
        _ => Vec::new(),
    }
}

fn open_detail(u: &mut UsersScreen, now_ms: i64) -> Vec<Action> {
    let Some(row) = u.selected_user() else {
        return Vec::new();
    };
    let username = row.username.clone();
    u.detail = Some(DetailPanel {
        username: username.clone(),
        detail: u.details.get(&username).cloned(),
        loading_since: Some(now_ms),
        scroll: 0,
    });
    vec![Action::Admin(AdminCommand::GetUser { username })]
}

fn detail_key(u: &mut UsersScreen, ctx: &mut Context, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    let Some(d) = u.detail.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
            u.detail = None;
            Vec::new()
        }
        KeyCode::Down | KeyCode::Char('j') => {
            d.scroll = d.scroll.saturating_add(1).min(200);
            Vec::new()
        }
        KeyCode::Up | KeyCode::Char('k') => {
            d.scroll = d.scroll.saturating_sub(1);
            Vec::new()
        }
        KeyCode::PageDown => {
            d.scroll = d.scroll.saturating_add(10).min(200);
            Vec::new()
        }
        KeyCode::PageUp => {
            d.scroll = d.scroll.saturating_sub(10);
            Vec::new()
        }
        KeyCode::Char('r') => {
            d.loading_since = Some(now_ms);
            vec![Action::Admin(AdminCommand::GetUser {
                username: d.username.clone(),
            })]
        }
        KeyCode::Char('a') => {
            u.dialog = Some(Dialog::Menu { selected: 0 });
            Vec::new()
        }
        KeyCode::Char(c) => start_action(u, ctx, c, now_ms),
        _ => Vec::new(),
    }
}

fn filter_key(u: &mut UsersScreen, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    match key.code {
        KeyCode::Tab => {
            let text = u.filter_form.raw("filter");
            // Tab again right after a Tab that had several candidates: the next one,
            // completed from what was typed before.
            let (base, cycle) = match &u.tab {
                Some(t) if t.produced == text => (t.base.clone(), t.n + 1),
                _ => (text.clone(), 0),
            };
            match filter::tab(&base, cycle) {
                Some(done) => {
                    let ambiguous = filter::tab(&base, cycle + 1).as_ref() != Some(&done);
                    u.filter_form.set_text("filter", &done);
                    u.tab = ambiguous.then_some(TabCycle {
                        base,
                        produced: done,
                        n: cycle,
                    });
                }
                None => u.tab = None,
            }
            Vec::new()
        }
        KeyCode::Enter => {
            let text = filter::close(&u.filter_form.text("filter"));
            u.filter_form.set_text("filter", &text);
            u.filter_form.focus = None;
            u.tab = None;
            let f = (!text.is_empty()).then_some(text);
            vec![u.request_first(f, now_ms)]
        }
        KeyCode::Esc => {
            // Cancel: the box shows the filter in force again.
            let text = u.filter.clone().unwrap_or_default();
            u.filter_form.set_text("filter", &text);
            u.filter_form.focus = None;
            u.tab = None;
            Vec::new()
        }
        _ => {
            u.tab = None;
            match u.filter_form.handle_key(key) {
                FormOutcome::Left => u.filter_form.focus = None,
                _ => u.filter_form.focus = Some(0),
            }
            Vec::new()
        }
    }
}

/// An action key (the list, the detail panel or the menu).
fn start_action(u: &mut UsersScreen, ctx: &mut Context, c: char, now_ms: i64) -> Vec<Action> {
    if !ACTIONS.iter().any(|(k, _)| *k == c) {
        return Vec::new();
    }
    if c == 'n' {
        u.dialog = Some(Dialog::Form(FormDialog {
            kind: FormKind::Create,
            form: dialog::create_form(),
        }));
        return Vec::new();
    }
    let Some(user) = u.target() else {
        ctx.flash_error("No user selected.");
        return Vec::new();
    };
    let username = user.username.clone();
    let confirm = |a: UserAction| Some(Dialog::Confirm(dialog::confirm(vec![a])));
    let mut out = Vec::new();
    match c {
        'C' => u.dialog = confirm(UserAction::ConfirmSignUp { username }),
        'e' => u.dialog = confirm(UserAction::Enable { username }),
        'd' => u.dialog = confirm(UserAction::Disable { username }),
        'D' => u.dialog = confirm(UserAction::Delete { username }),
        'R' => u.dialog = confirm(UserAction::ResetPassword { username }),
        'o' => u.dialog = confirm(UserAction::GlobalSignOut { username }),
        'P' => {
            u.dialog = Some(Dialog::Form(FormDialog {
                kind: FormKind::SetPassword { username },
                form: dialog::set_password_form(),
            }))
        }
        'm' => {
            let known = u.details.get(&username);
            if known.is_none() {
                out.push(Action::Admin(AdminCommand::GetUser {
                    username: username.clone(),
                }));
            }
            u.dialog = Some(Dialog::Form(FormDialog {
                form: dialog::mfa_form(known),
                kind: FormKind::Mfa { username },
            }));
        }
        'A' => {
            let (form, original) = dialog::attributes_form(&user);
            u.dialog = Some(Dialog::Form(FormDialog {
                kind: FormKind::Attributes { username, original },
                form,
            }));
        }
        'g' => {
            u.groups_loading = true;
            out.push(Action::Admin(AdminCommand::ListGroups));
            if !u.details.contains_key(&username) {
                out.push(Action::Admin(AdminCommand::GetUser {
                    username: username.clone(),
                }));
            }
            u.dialog = Some(Dialog::Groups {
                username,
                selected: 0,
            });
        }
        'y' => {
            ctx.flash_info(format!(
                "Copied the username {username} to the clipboard (OSC 52)."
            ));
            out.push(Action::Copy(username));
        }
        'Y' => match user.attributes.get("sub") {
            Some(sub) => {
                ctx.flash_info(format!(
                    "Copied {username}'s sub {sub} to the clipboard (OSC 52)."
                ));
                out.push(Action::Copy(sub.clone()));
            }
            None => ctx.flash_error(format!("{username} has no sub attribute.")),
        },
        _ => {}
    }
    let _ = now_ms;
    out
}

fn dialog_key(u: &mut UsersScreen, ctx: &mut Context, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    let Some(d) = u.dialog.take() else {
        return Vec::new();
    };
    match d {
        Dialog::Menu { mut selected } => match key.code {
            KeyCode::Esc | KeyCode::Char('q') => Vec::new(),
            KeyCode::Down | KeyCode::Char('j') => {
                selected = (selected + 1).min(ACTIONS.len() - 1);
                u.dialog = Some(Dialog::Menu { selected });
                Vec::new()
            }
            KeyCode::Up | KeyCode::Char('k') => {
                selected = selected.saturating_sub(1);
                u.dialog = Some(Dialog::Menu { selected });
                Vec::new()
            }
            KeyCode::Enter => {
                start_action(u, ctx, ACTIONS[selected.min(ACTIONS.len() - 1)].0, now_ms)
            }
            KeyCode::Char(c) if ACTIONS.iter().any(|(k, _)| *k == c) => {
                start_action(u, ctx, c, now_ms)
            }
            _ => {
                u.dialog = Some(Dialog::Menu { selected });
                Vec::new()
            }
        },
        Dialog::Confirm(c) => match key.code {
            KeyCode::Enter | KeyCode::Char('y') => {
                let mut out = Vec::new();
                for a in c.actions {
                    u.acting.push((
                        a.operation().to_string(),
                        a.username().unwrap_or_default().to_string(),
                        now_ms,
                    ));
                    out.push(Action::Admin(AdminCommand::Act { action: a }));
                }
                ctx.flash_info(format!("{}: sent.", c.verb));
                out
            }
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                ctx.flash_info("Cancelled: nothing was sent.");
                Vec::new()
            }
            _ => {
                u.dialog = Some(Dialog::Confirm(c));
                Vec::new()
            }
        },
        Dialog::Form(mut f) => match f.form.handle_key(key) {
            FormOutcome::Left | FormOutcome::Pressed(_)
                if key.code == KeyCode::Esc || f.form.focused_id() == Some("cancel") =>
            {
                ctx.flash_info("Cancelled: nothing was sent.");
                Vec::new()
            }
            FormOutcome::Submit | FormOutcome::Pressed(_) => match dialog::actions_from(&f) {
                Ok(actions) => {
                    u.dialog = Some(Dialog::Confirm(dialog::confirm(actions)));
                    Vec::new()
                }
                Err(msg) => {
                    ctx.flash_error(msg);
                    u.dialog = Some(Dialog::Form(f));
                    Vec::new()
                }
            },
            FormOutcome::Left => {
                ctx.flash_info("Cancelled: nothing was sent.");
                Vec::new()
            }
            _ => {
                // Keep focus in the dialog: leaving it takes Esc.
                if f.form.focus.is_none() {
                    f.form.focus_first();
                }
                u.dialog = Some(Dialog::Form(f));
                Vec::new()
            }
        },
        Dialog::Groups {
            username,
            mut selected,
        } => {
            let n = u.groups.as_ref().map_or(0, Vec::len);
            let keep = |u: &mut UsersScreen, selected| {
                u.dialog = Some(Dialog::Groups {
                    username: username.clone(),
                    selected,
                });
            };
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => Vec::new(),
                KeyCode::Down | KeyCode::Char('j') => {
                    selected = (selected + 1).min(n.saturating_sub(1));
                    keep(u, selected);
                    Vec::new()
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    keep(u, selected.saturating_sub(1));
                    Vec::new()
                }
                KeyCode::Char('n') => {
                    u.dialog = Some(Dialog::Form(FormDialog {
                        kind: FormKind::CreateGroup,
                        form: dialog::create_group_form(),
                    }));
                    Vec::new()
                }
                KeyCode::Char('r') => {
                    u.groups_loading = true;
                    keep(u, selected);
                    vec![
                        Action::Admin(AdminCommand::ListGroups),
                        Action::Admin(AdminCommand::GetUser {
                            username: username.clone(),
                        }),
                    ]
                }
                KeyCode::Enter | KeyCode::Char(' ') => {
                    let Some(group) = u
                        .groups
                        .as_ref()
                        .and_then(|g| g.get(selected))
                        .map(|g| g.name.clone())
                    else {
                        keep(u, selected);
                        return Vec::new();
                    };
                    match member_of(u, &username, &group) {
                        Some(true) => {
                            u.dialog = Some(Dialog::Confirm(dialog::confirm(vec![
                                UserAction::RemoveFromGroup {
                                    username: username.clone(),
                                    group,
                                },
                            ])));
                        }
                        Some(false) => {
                            u.dialog = Some(Dialog::Confirm(dialog::confirm(vec![
                                UserAction::AddToGroup {
                                    username: username.clone(),
                                    group,
                                },
                            ])));
                        }
                        None => {
                            ctx.flash_info(format!("Reading {username}'s groups…"));
                            keep(u, selected);
                        }
                    }
                    Vec::new()
                }
                _ => {
                    keep(u, selected);
                    Vec::new()
                }
            }
        }
    }
}
