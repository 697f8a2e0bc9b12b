//! The Users view: the pool's users as one lazily filled list (ListUsers pages of 60,
//! fetched as the selection nears the end of what is loaded; nothing is fetched twice),
//! Cognito's filter with Tab completion, a detail panel (AdminGetUser, groups, devices), the
//! Admin* actions behind confirmations, and OSC 52 copies of a username or sub.
//!
//! All rows live in one `Vec`; drawing builds only the visible window, so a frame costs the
//! same with ten rows or a hundred thousand. Pages answering an older request (another
//! filter, a superseded reload) are dropped.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell as TableCell, Paragraph, Row, Table, Wrap};

use crate::admin::{AdminCommand, AdminEvent, GroupRow, UserAction, UserDetail, UserRow};
use crate::auth::events::AuthErrorView;
use crate::tui::App;
use crate::tui::app::{Action, Flash, USERS_PAGE_LIMIT};
use crate::tui::users::dialog::{self, ACTIONS, Dialog, FormDialog, FormKind};
use crate::tui::users::{date, filter, thousands};
use crate::tui::widgets::form::{Field, Form, FormOutcome};
use crate::tui::widgets::timeline::StatusEntry;
use crate::tui::widgets::truncate;

/// Prefetch the next page when the selection is this close to the last loaded row (or a
/// screenful, when that is more).
pub const PREFETCH_ROWS: usize = 20;

/// Error codes that mean "the admin calls cannot be authorized": shown in the view itself.
pub const CREDENTIAL_CODES: &[&str] = &[
    "CredentialsError",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "MissingAuthenticationTokenException",
];

pub const SPINNER: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A ListUsers page on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub filter: Option<String>,
    /// `None`: the first page (a new filter, or a reload).
    pub token: Option<String>,
    pub since_ms: i64,
}

/// A failed admin call, as the view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminProblem {
    pub operation: String,
    pub code: String,
    pub message: String,
}

/// The detail panel of one user.
#[derive(Debug, Clone)]
pub struct DetailPanel {
    pub username: String,
    pub detail: Option<UserDetail>,
    /// AdminGetUser is on its way (since when).
    pub loading_since: Option<i64>,
    pub scroll: u16,
}

#[derive(Debug, Clone)]
pub struct UsersState {
    /// Every row loaded so far, in ListUsers order (plus users created here, on top).
    pub rows: Vec<UserRow>,
    /// The filter the rows answer.
    pub filter: Option<String>,
    /// The filter box.
    pub filter_form: Form,
    /// Where the next page starts; `None` once everything is loaded.
    pub next_token: Option<String>,
    /// The first page for `filter` has arrived.
    pub loaded: bool,
    pub pending: Option<PageRequest>,
    /// Pages received for the current filter.
    pub pages: usize,
    pub selected: usize,
    offset: Cell<usize>,
    viewport: Cell<usize>,
    /// The last ListUsers failure (a rejected filter keeps the previous list).
    pub list_error: Option<AdminProblem>,
    /// Missing or refused credentials: shown in place, above the list.
    pub credentials: Option<AdminProblem>,
    pub detail: Option<DetailPanel>,
    pub dialog: Option<Dialog>,
    /// ListGroups' answer.
    pub groups: Option<Vec<GroupRow>>,
    pub groups_loading: bool,
    /// Details read so far (MFA column, group membership), by username.
    pub details: HashMap<String, UserDetail>,
    /// Users created from this view (shown on top; skipped when a later page lists them).
    added: HashSet<String>,
    /// Actions sent and not answered: (operation, user, since ms).
    pub acting: Vec<(String, String, i64)>,
    /// The last Tab offered one of several candidates: the next Tab offers the next.
    tab: Option<TabCycle>,
}

#[derive(Debug, Clone)]
struct TabCycle {
    /// The text before the first Tab.
    base: String,
    /// What the last Tab put in the box.
    produced: String,
    n: usize,
}

impl Default for UsersState {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            filter: None,
            filter_form: filter_box(),
            next_token: None,
            loaded: false,
            pending: None,
            pages: 0,
            selected: 0,
            offset: Cell::new(0),
            viewport: Cell::new(20),
            list_error: None,
            credentials: None,
            detail: None,
            dialog: None,
            groups: None,
            groups_loading: false,
            details: HashMap::new(),
            added: HashSet::new(),
            acting: Vec::new(),
            tab: None,
        }
    }
}

fn filter_box() -> Form {
    Form::new(vec![Field::text("filter", "Filter")])
}

fn list_users(filter: Option<String>, token: Option<String>) -> Action {
    Action::Admin(AdminCommand::ListUsers {
        filter,
        pagination_token: token,
        limit: USERS_PAGE_LIMIT,
    })
}

impl UsersState {
    /// Asks for the first page of `filter` (a new filter, or a reload). An answer to any
    /// earlier request is ignored from now on.
    pub fn request_first(&mut self, filter: Option<String>, now_ms: i64) -> Action {
        self.pending = Some(PageRequest {
            filter: filter.clone(),
            token: None,
            since_ms: now_ms,
        });
        list_users(filter, None)
    }

    /// The first visit: load the first page.
    pub fn open(&mut self, now_ms: i64) -> Vec<Action> {
        if !self.loaded && self.pending.is_none() {
            vec![self.request_first(self.filter.clone(), now_ms)]
        } else {
            Vec::new()
        }
    }

    /// True while any Users call is on its way (the spinner turns).
    pub fn busy(&self) -> bool {
        self.pending.is_some()
            || self.groups_loading
            || !self.acting.is_empty()
            || self
                .detail
                .as_ref()
                .is_some_and(|d| d.loading_since.is_some())
    }

    /// The keys belong to the view (a dialog, the detail panel or the filter box is open).
    pub fn captures_keys(&self) -> bool {
        self.dialog.is_some() || self.detail.is_some() || self.filter_form.focus.is_some()
    }

    /// The form the user is typing in, if any.
    pub fn active_form(&self) -> Option<&Form> {
        match &self.dialog {
            Some(Dialog::Form(f)) => Some(&f.form),
            Some(_) => None,
            None if self.filter_form.focus.is_some() => Some(&self.filter_form),
            None => None,
        }
    }

    pub fn selected_user(&self) -> Option<&UserRow> {
        self.rows.get(self.selected)
    }

    /// The user actions apply to: the detail panel's, else the selected row's.
    pub fn target(&self) -> Option<UserRow> {
        if let Some(d) = &self.detail {
            return d
                .detail
                .as_ref()
                .and_then(|x| x.user.clone())
                .or_else(|| self.rows.iter().find(|r| r.username == d.username).cloned());
        }
        self.selected_user().cloned()
    }

    /// Rows visible at the last draw.
    pub fn viewport(&self) -> usize {
        self.viewport.get().max(1)
    }

    /// The next page, when the selection is near the end of what is loaded and nothing
    /// is on its way.
    pub fn prefetch(&mut self, now_ms: i64) -> Option<Action> {
        if !self.loaded || self.pending.is_some() {
            return None;
        }
        let token = self.next_token.clone()?;
        let margin = PREFETCH_ROWS.max(self.viewport());
        if self.selected + margin < self.rows.len() {
            return None;
        }
        self.pending = Some(PageRequest {
            filter: self.filter.clone(),
            token: Some(token.clone()),
            since_ms: now_ms,
        });
        Some(list_users(self.filter.clone(), Some(token)))
    }

    /// Moves the selection (clamped to what is loaded) and prefetches when near the end.
    pub fn select(&mut self, to: usize, now_ms: i64) -> Vec<Action> {
        self.selected = to.min(self.rows.len().saturating_sub(1));
        self.prefetch(now_ms).into_iter().collect()
    }

    fn step(&mut self, delta: isize, now_ms: i64) -> Vec<Action> {
        let to = (self.selected as isize + delta).max(0) as usize;
        self.select(to, now_ms)
    }

    /// A ListUsers page arrived. Pages that answer anything but the request on its way are
    /// stale and dropped.
    pub fn apply_page(
        &mut self,
        filter: Option<String>,
        request_token: Option<String>,
        users: Vec<UserRow>,
        next_token: Option<String>,
        now_ms: i64,
    ) -> Vec<Action> {
        let Some(p) = &self.pending else {
            tracing::debug!("users page nobody waits for: dropped");
            return Vec::new();
        };
        if p.filter != filter || p.token != request_token {
            tracing::debug!(?filter, ?request_token, "stale users page dropped");
            return Vec::new();
        }
        self.pending = None;
        self.credentials = None;
        self.list_error = None;
        if request_token.is_none() {
            // A new filter or a reload: the list starts again, the selection stays on the
            // same user when they are still listed.
            let keep = if filter == self.filter {
                self.selected_user().map(|u| u.username.clone())
            } else {
                None
            };
            self.rows = users;
            self.added.clear();
            self.selected = keep
                .and_then(|k| self.rows.iter().position(|r| r.username == k))
                .unwrap_or(0);
            if filter != self.filter {
                self.offset.set(0);
            }
            self.filter = filter;
            self.pages = 1;
        } else {
            if self.added.is_empty() {
                self.rows.extend(users);
            } else {
                let added = &self.added;
                self.rows
                    .extend(users.into_iter().filter(|u| !added.contains(&u.username)));
            }
            self.pages += 1;
        }
        self.next_token = next_token;
        self.loaded = true;
        self.prefetch(now_ms).into_iter().collect()
    }

    fn replace_row(&mut self, user: UserRow) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.username == user.username) {
            *r = user;
        }
    }

    fn remove_row(&mut self, username: &str) {
        if let Some(i) = self.rows.iter().position(|r| r.username == username) {
            self.rows.remove(i);
            if self.selected > i || self.selected >= self.rows.len() {
                self.selected = self.selected.saturating_sub(1);
            }
        }
        self.details.remove(username);
        self.added.remove(username);
    }

    /// The MFA column: the detail's settings once read, else ListUsers' MFAOptions.
    pub fn mfa_text(&self, row: &UserRow) -> String {
        if let Some(d) = self.details.get(&row.username) {
            if d.mfa_settings.is_empty() {
                return "none".into();
            }
            return d
                .mfa_settings
                .iter()
                .map(|m| {
                    let short = match m.as_str() {
                        "SOFTWARE_TOKEN_MFA" => "TOTP",
                        "SMS_MFA" => "SMS",
                        "EMAIL_OTP" => "EMAIL",
                        other => other,
                    };
                    if d.preferred_mfa.as_deref() == Some(m) {
                        format!("{short}*")
                    } else {
                        short.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(",");
        }
        if row.mfa.is_empty() {
            "-".into()
        } else {
            row.mfa.join(",")
        }
    }
}

fn flash(app: &mut App, text: impl Into<String>, error: bool) {
    app.flash = Some(Flash {
        text: text.into(),
        error,
    });
}

fn is_credentials(code: &str) -> bool {
    CREDENTIAL_CODES.contains(&code)
}

// --------------------------------------------------------------------------------------
// Keys
// --------------------------------------------------------------------------------------

/// A key on the Users screen (after the app's global keys).
pub fn handle_key(app: &mut App, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    if app.users.dialog.is_some() {
        return dialog_key(app, key, now_ms);
    }
    if app.users.filter_form.focus.is_some() {
        return filter_key(app, key, now_ms);
    }
    if app.users.detail.is_some() {
        return detail_key(app, key, now_ms);
    }
    list_key(app, key, now_ms)
}

fn list_key(app: &mut App, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    let u = &mut app.users;
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
        KeyCode::Enter => open_detail(app, now_ms),
        KeyCode::Char('/') => {
            // The box keeps what was last typed (a rejected filter can be fixed).
            u.filter_form.focus_first();
            u.tab = None;
            Vec::new()
        }
        KeyCode::Esc if u.filter.is_some() => {
            u.filter_form.clear("filter");
            let a = u.request_first(None, now_ms);
            flash(app, "Filter cleared: listing every user.", false);
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
        KeyCode::Char(c) => start_action(app, c, now_ms),
        _ => Vec::new(),
    }
}

fn open_detail(app: &mut App, now_ms: i64) -> Vec<Action> {
    let Some(row) = app.users.selected_user() else {
        return Vec::new();
    };
    let username = row.username.clone();
    app.users.detail = Some(DetailPanel {
        username: username.clone(),
        detail: app.users.details.get(&username).cloned(),
        loading_since: Some(now_ms),
        scroll: 0,
    });
    vec![Action::Admin(AdminCommand::GetUser { username })]
}

fn detail_key(app: &mut App, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    let Some(d) = app.users.detail.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
            app.users.detail = None;
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
            app.users.dialog = Some(Dialog::Menu { selected: 0 });
            Vec::new()
        }
        KeyCode::Char(c) => start_action(app, c, now_ms),
        _ => Vec::new(),
    }
}

fn filter_key(app: &mut App, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    let u = &mut app.users;
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
fn start_action(app: &mut App, c: char, now_ms: i64) -> Vec<Action> {
    if !ACTIONS.iter().any(|(k, _)| *k == c) {
        return Vec::new();
    }
    if c == 'n' {
        app.users.dialog = Some(Dialog::Form(FormDialog {
            kind: FormKind::Create,
            form: dialog::create_form(),
        }));
        return Vec::new();
    }
    let Some(user) = app.users.target() else {
        flash(app, "No user selected.", true);
        return Vec::new();
    };
    let username = user.username.clone();
    let confirm = |a: UserAction| Some(Dialog::Confirm(dialog::confirm(vec![a])));
    let u = &mut app.users;
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
            flash(
                app,
                format!("Copied the username {username} to the clipboard (OSC 52)."),
                false,
            );
            out.push(Action::Copy(username));
        }
        'Y' => match user.attributes.get("sub") {
            Some(sub) => {
                flash(
                    app,
                    format!("Copied {username}'s sub {sub} to the clipboard (OSC 52)."),
                    false,
                );
                out.push(Action::Copy(sub.clone()));
            }
            None => flash(app, format!("{username} has no sub attribute."), true),
        },
        _ => {}
    }
    let _ = now_ms;
    out
}

fn dialog_key(app: &mut App, key: KeyEvent, now_ms: i64) -> Vec<Action> {
    let Some(d) = app.users.dialog.take() else {
        return Vec::new();
    };
    match d {
        Dialog::Menu { mut selected } => match key.code {
            KeyCode::Esc | KeyCode::Char('q') => Vec::new(),
            KeyCode::Down | KeyCode::Char('j') => {
                selected = (selected + 1).min(ACTIONS.len() - 1);
                app.users.dialog = Some(Dialog::Menu { selected });
                Vec::new()
            }
            KeyCode::Up | KeyCode::Char('k') => {
                selected = selected.saturating_sub(1);
                app.users.dialog = Some(Dialog::Menu { selected });
                Vec::new()
            }
            KeyCode::Enter => start_action(app, ACTIONS[selected.min(ACTIONS.len() - 1)].0, now_ms),
            KeyCode::Char(c) if ACTIONS.iter().any(|(k, _)| *k == c) => {
                start_action(app, c, now_ms)
            }
            _ => {
                app.users.dialog = Some(Dialog::Menu { selected });
                Vec::new()
            }
        },
        Dialog::Confirm(c) => match key.code {
            KeyCode::Enter | KeyCode::Char('y') => {
                let mut out = Vec::new();
                for a in c.actions {
                    app.users.acting.push((
                        a.operation().to_string(),
                        a.username().unwrap_or_default().to_string(),
                        now_ms,
                    ));
                    out.push(Action::Admin(AdminCommand::Act { action: a }));
                }
                flash(app, format!("{}: sent.", c.verb), false);
                out
            }
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                flash(app, "Cancelled: nothing was sent.", false);
                Vec::new()
            }
            _ => {
                app.users.dialog = Some(Dialog::Confirm(c));
                Vec::new()
            }
        },
        Dialog::Form(mut f) => match f.form.handle_key(key) {
            FormOutcome::Left | FormOutcome::Pressed(_)
                if key.code == KeyCode::Esc || f.form.focused_id() == Some("cancel") =>
            {
                flash(app, "Cancelled: nothing was sent.", false);
                Vec::new()
            }
            FormOutcome::Submit | FormOutcome::Pressed(_) => match dialog::actions_from(&f) {
                Ok(actions) => {
                    app.users.dialog = Some(Dialog::Confirm(dialog::confirm(actions)));
                    Vec::new()
                }
                Err(msg) => {
                    flash(app, msg, true);
                    app.users.dialog = Some(Dialog::Form(f));
                    Vec::new()
                }
            },
            FormOutcome::Left => {
                flash(app, "Cancelled: nothing was sent.", false);
                Vec::new()
            }
            _ => {
                // Keep focus in the dialog: leaving it takes Esc.
                if f.form.focus.is_none() {
                    f.form.focus_first();
                }
                app.users.dialog = Some(Dialog::Form(f));
                Vec::new()
            }
        },
        Dialog::Groups {
            username,
            mut selected,
        } => {
            let n = app.users.groups.as_ref().map_or(0, Vec::len);
            let keep = |app: &mut App, selected| {
                app.users.dialog = Some(Dialog::Groups {
                    username: username.clone(),
                    selected,
                });
            };
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => Vec::new(),
                KeyCode::Down | KeyCode::Char('j') => {
                    selected = (selected + 1).min(n.saturating_sub(1));
                    keep(app, selected);
                    Vec::new()
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    keep(app, selected.saturating_sub(1));
                    Vec::new()
                }
                KeyCode::Char('n') => {
                    app.users.dialog = Some(Dialog::Form(FormDialog {
                        kind: FormKind::CreateGroup,
                        form: dialog::create_group_form(),
                    }));
                    Vec::new()
                }
                KeyCode::Char('r') => {
                    app.users.groups_loading = true;
                    keep(app, selected);
                    vec![
                        Action::Admin(AdminCommand::ListGroups),
                        Action::Admin(AdminCommand::GetUser {
                            username: username.clone(),
                        }),
                    ]
                }
                KeyCode::Enter | KeyCode::Char(' ') => {
                    let Some(group) = app
                        .users
                        .groups
                        .as_ref()
                        .and_then(|g| g.get(selected))
                        .map(|g| g.name.clone())
                    else {
                        keep(app, selected);
                        return Vec::new();
                    };
                    match member_of(&app.users, &username, &group) {
                        Some(true) => {
                            app.users.dialog = Some(Dialog::Confirm(dialog::confirm(vec![
                                UserAction::RemoveFromGroup {
                                    username: username.clone(),
                                    group,
                                },
                            ])));
                        }
                        Some(false) => {
                            app.users.dialog = Some(Dialog::Confirm(dialog::confirm(vec![
                                UserAction::AddToGroup {
                                    username: username.clone(),
                                    group,
                                },
                            ])));
                        }
                        None => {
                            flash(app, format!("Reading {username}'s groups…"), false);
                            keep(app, selected);
                        }
                    }
                    Vec::new()
                }
                _ => {
                    keep(app, selected);
                    Vec::new()
                }
            }
        }
    }
}

/// Whether `username` is in `group`, when their groups are known.
pub fn member_of(u: &UsersState, username: &str, group: &str) -> Option<bool> {
    u.details
        .get(username)?
        .groups
        .as_ref()
        .map(|gs| gs.iter().any(|g| g.name == group))
}

// --------------------------------------------------------------------------------------
// Events
// --------------------------------------------------------------------------------------

/// The users actor's answers that belong to this view. Returns the follow-up commands
/// (a prefetch, a refreshed detail).
pub fn on_event(app: &mut App, ev: AdminEvent, now_ms: i64) -> Vec<Action> {
    match ev {
        AdminEvent::UsersPage {
            filter,
            request_token,
            users,
            next_token,
        } => app
            .users
            .apply_page(filter, request_token, users, next_token, now_ms),
        AdminEvent::UserDetail { detail } => {
            on_detail(app, detail);
            Vec::new()
        }
        AdminEvent::ActionDone {
            action,
            message,
            user,
        } => on_done(app, action, message, user, now_ms),
        AdminEvent::ActionFailed {
            action,
            operation,
            code,
            message,
        } => {
            take_acting(&mut app.users, &action);
            if is_credentials(&code) {
                app.users.credentials = Some(AdminProblem {
                    operation: operation.clone(),
                    code: code.clone(),
                    message: message.clone(),
                });
            }
            let who = action.username().unwrap_or_default().to_string();
            flash(app, format!("{operation} {who}: {code}: {message}"), true);
            app.push_status(StatusEntry::Error {
                at_ms: now_ms,
                error: AuthErrorView {
                    api: "admin".into(),
                    operation: Some(operation),
                    code,
                    message,
                    request_id: None,
                },
                session: None,
            });
            Vec::new()
        }
        AdminEvent::Groups { groups } => {
            app.users.groups = Some(groups);
            app.users.groups_loading = false;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn take_acting(u: &mut UsersState, action: &UserAction) {
    let op = action.operation();
    let who = action.username().unwrap_or_default();
    if let Some(i) = u.acting.iter().position(|(o, w, _)| o == op && w == who) {
        u.acting.remove(i);
    }
}

fn on_detail(app: &mut App, detail: UserDetail) {
    let u = &mut app.users;
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
    app: &mut App,
    action: UserAction,
    message: String,
    user: Option<UserRow>,
    now_ms: i64,
) -> Vec<Action> {
    take_acting(&mut app.users, &action);
    app.push_status(StatusEntry::Info {
        at_ms: now_ms,
        api: "admin".into(),
        message: message.clone(),
    });
    flash(app, message, false);
    let u = &mut app.users;
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
pub fn on_error(u: &mut UsersState, operation: &str, code: &str, message: &str) {
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

// --------------------------------------------------------------------------------------
// Drawing
// --------------------------------------------------------------------------------------

/// The footer's hints for the Users screen.
pub fn footer_hints(u: &UsersState) -> Vec<(&'static str, &'static str)> {
    match &u.dialog {
        Some(Dialog::Confirm(_)) => return vec![("Enter/y", "confirm"), ("Esc/n", "cancel")],
        Some(Dialog::Form(_)) => {
            return vec![
                ("Tab", "next"),
                ("Space", "toggle"),
                ("Enter", "submit"),
                ("Esc", "cancel"),
            ];
        }
        Some(Dialog::Menu { .. }) => {
            return vec![("↑↓", "select"), ("Enter/key", "run"), ("Esc", "close")];
        }
        Some(Dialog::Groups { .. }) => {
            return vec![
                ("↑↓", "select"),
                ("Enter", "add/remove"),
                ("n", "new group"),
                ("r", "reload"),
                ("Esc", "close"),
            ];
        }
        None => {}
    }
    if u.filter_form.focus.is_some() {
        return vec![("Tab", "complete"), ("Enter", "apply"), ("Esc", "cancel")];
    }
    if u.detail.is_some() {
        return vec![
            ("Esc", "close"),
            ("↑↓", "scroll"),
            ("a", "actions"),
            ("r", "refresh"),
            ("y/Y", "copy name/sub"),
        ];
    }
    let mut v = vec![
        ("/", "filter"),
        ("Enter", "details"),
        ("a", "actions"),
        ("n", "new"),
        ("d/e", "disable/enable"),
        ("y/Y", "copy"),
        ("r", "reload"),
    ];
    if u.filter.is_some() {
        v.insert(1, ("Esc", "clear filter"));
    }
    v
}

/// The spinner frame `now_ms`; `since_ms` 0 means "started at an unknown time".
fn spinner(since_ms: i64, now_ms: i64) -> char {
    let since = if since_ms == 0 { now_ms } else { since_ms };
    SPINNER[((now_ms - since).max(0) / 100) as usize % SPINNER.len()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Username,
    Status,
    Enabled,
    Email,
    Phone,
    Mfa,
    Created,
    Modified,
}

impl Col {
    const ALL: [Col; 8] = [
        Col::Username,
        Col::Status,
        Col::Enabled,
        Col::Email,
        Col::Phone,
        Col::Mfa,
        Col::Created,
        Col::Modified,
    ];
    /// Dropped first when the terminal is narrow.
    const DROP_ORDER: [Col; 6] = [
        Col::Modified,
        Col::Mfa,
        Col::Phone,
        Col::Created,
        Col::Enabled,
        Col::Email,
    ];

    fn title(self) -> &'static str {
        match self {
            Col::Username => "Username",
            Col::Status => "Status",
            Col::Enabled => "Enabled",
            Col::Email => "Email",
            Col::Phone => "Phone",
            Col::Mfa => "MFA",
            Col::Created => "Created (UTC)",
            Col::Modified => "Modified (UTC)",
        }
    }

    fn min(self) -> usize {
        match self {
            Col::Username => 8,
            Col::Status => 10,
            Col::Enabled => 7,
            Col::Email => 12,
            Col::Phone => 10,
            Col::Mfa => 4,
            Col::Created => 16,
            Col::Modified => 16,
        }
    }

    /// The width a column keeps before less important columns are dropped.
    fn comfortable(self) -> usize {
        match self {
            Col::Username => 22,
            Col::Email => 26,
            Col::Phone => 15,
            // The rest keep their content's width until the second stage.
            other => other.max(),
        }
    }

    fn max(self) -> usize {
        match self {
            Col::Username => 32,
            Col::Status => 21,
            Col::Enabled => 7,
            Col::Email => 40,
            Col::Phone => 18,
            Col::Mfa => 20,
            Col::Created => 16,
            Col::Modified => 16,
        }
    }
}

/// Columns that fit `width`, and their widths, for the rows on screen. The username and email
/// keep a readable width (`Col::comfortable`) before a less important column is dropped; only
/// when nothing else can go are they cut down to their minimum.
fn layout_columns(width: usize, u: &UsersState, rows: &[UserRow]) -> Vec<(Col, usize)> {
    let content = |c: Col| -> usize {
        let longest = rows
            .iter()
            .map(|r| match c {
                Col::Username => r.username.chars().count(),
                Col::Status => r.status.chars().count(),
                Col::Email => r
                    .attributes
                    .get("email")
                    .map_or(0, |e| e.chars().count() + 2),
                Col::Phone => r
                    .attributes
                    .get("phone_number")
                    .map_or(0, |e| e.chars().count() + 2),
                Col::Mfa => u.mfa_text(r).chars().count(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        longest
            .max(c.title().chars().count())
            .clamp(c.min(), c.max())
    };
    let total = |o: &[(Col, usize)]| -> usize {
        o.iter().map(|(_, w)| w).sum::<usize>() + o.len().saturating_sub(1)
    };
    // Shrinks the columns in `order` towards `floor(col)` until the row fits; what is still
    // too much is returned.
    fn shrink(
        out: &mut [(Col, usize)],
        mut excess: usize,
        order: &[Col],
        floor: impl Fn(Col) -> usize,
    ) -> usize {
        for c in order {
            if excess == 0 {
                break;
            }
            if let Some((_, w)) = out.iter_mut().find(|(x, _)| x == c) {
                let cut = excess.min(w.saturating_sub(floor(*c)));
                *w -= cut;
                excess -= cut;
            }
        }
        excess
    }
    // 1. Drop the least important columns while username and email keep a readable width.
    // 2. Then cut every column down to its minimum. 3. Then drop the rest in order.
    let layout = |cols: &[Col], floor: &dyn Fn(Col) -> usize| -> (Vec<(Col, usize)>, usize) {
        let mut out: Vec<(Col, usize)> = cols.iter().map(|c| (*c, content(*c))).collect();
        let excess = total(&out).saturating_sub(width);
        let order = [Col::Email, Col::Username, Col::Phone, Col::Mfa, Col::Status];
        let left = shrink(&mut out, excess, &order, floor);
        (out, left)
    };
    let comfortable = |c: Col| c.comfortable().min(content(c));
    let mut cols: Vec<Col> = Col::ALL.to_vec();
    let (soft, hard) = Col::DROP_ORDER.split_at(4);
    let mut soft = soft.iter();
    let (mut out, mut excess) = layout(&cols, &comfortable);
    while excess > 0 {
        let Some(d) = soft.next() else { break };
        cols.retain(|c| c != d);
        (out, excess) = layout(&cols, &comfortable);
    }
    if excess > 0 {
        (out, excess) = layout(&cols, &Col::min);
        let mut hard = hard.iter();
        while excess > 0 {
            let Some(d) = hard.next() else { break };
            cols.retain(|c| c != d);
            (out, excess) = layout(&cols, &Col::min);
        }
    }
    // Room left over goes back to the columns that were cut (email first).
    let mut spare = width.saturating_sub(total(&out));
    for c in [Col::Email, Col::Username, Col::Phone] {
        if let Some((_, w)) = out.iter_mut().find(|(x, _)| *x == c) {
            let grow = spare.min(content(c).saturating_sub(*w));
            *w += grow;
            spare -= grow;
        }
    }
    // Still too wide (a very narrow terminal): the last column takes what is left.
    if excess > 0
        && let Some((_, w)) = out.last_mut()
    {
        *w = w.saturating_sub(excess).max(1);
    }
    out
}

fn verified_cell<'a>(
    value: Option<&String>,
    verified: Option<&String>,
    w: usize,
    app: &App,
) -> Line<'a> {
    let t = &app.theme;
    match value {
        None => Line::styled("-", t.dim()),
        Some(v) => {
            let ok = verified.is_some_and(|x| x == "true");
            Line::from(vec![
                Span::raw(format!(
                    "{:<width$}",
                    truncate(v, w.saturating_sub(2)),
                    width = w.saturating_sub(2)
                )),
                Span::raw(" "),
                if ok {
                    Span::styled("✓", t.ok())
                } else {
                    Span::styled("✗", t.dim())
                },
            ])
        }
    }
}

/// How many lines greedy word wrapping at `width` columns makes of `text` (as ratatui's
/// `Wrap` does; a word longer than the line is broken).
fn wrapped_lines(text: &str, width: usize) -> usize {
    let mut lines = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        let need = if used == 0 { w } else { used + 1 + w };
        if need <= width {
            used = need;
        } else if w <= width {
            lines += 1;
            used = w;
        } else {
            // A long word: continues on the current line, broken across as many as it needs.
            let total = if used == 0 { w } else { used + 1 + w };
            lines += (total - 1) / width;
            used = (total - 1) % width + 1;
        }
    }
    lines
}

fn status_style(app: &App, status: &str) -> Style {
    let t = &app.theme;
    match status {
        "CONFIRMED" => t.ok(),
        "UNCONFIRMED" | "FORCE_CHANGE_PASSWORD" | "RESET_REQUIRED" => t.key(),
        "COMPROMISED" | "ARCHIVED" => t.error(),
        _ => t.base(),
    }
}

/// The Users screen inside the main pane.
pub fn render(app: &App, frame: &mut Frame, area: Rect, now_ms: i64) {
    let t = &app.theme;
    let u = &app.users;
    if area.height < 3 || area.width < 4 {
        return;
    }
    let mut y = area.y;
    let line = |y: u16| Rect::new(area.x, y, area.width, 1);
    // The filter box (or the filter in force).
    if u.filter_form.focus.is_some() {
        u.filter_form.render(frame, line(y), t);
        y += 1;
        let text = u.filter_form.raw("filter");
        let c = filter::candidates(&text);
        let hint = if c.is_empty() {
            Line::styled(
                "Enter applies · Esc cancels · e.g. email ^= \"ann\", status = \"Disabled\"",
                t.dim(),
            )
        } else {
            Line::from(vec![
                Span::styled("Tab ", t.key()),
                Span::styled(c.join("  "), t.dim()),
            ])
        };
        frame.render_widget(hint, line(y));
        y += 1;
    } else {
        let spans = match &u.filter {
            Some(f) => vec![
                Span::styled("Filter  ", t.label()),
                Span::styled(f.clone(), t.input()),
                Span::styled("  / edit · Esc clears", t.dim()),
            ],
            None => vec![
                Span::styled("Filter  ", t.label()),
                Span::styled("none · / to filter (email ^= \"ann\" …)", t.dim()),
            ],
        };
        frame.render_widget(Line::from(spans), line(y));
        y += 1;
    }
    if y >= area.bottom() {
        return;
    }
    // The count, with a spinner while something is on its way.
    let mut spans = Vec::new();
    if u.loaded {
        let n = thousands(u.rows.len());
        spans.push(Span::styled(
            if u.next_token.is_some() {
                format!("{n} loaded, more available")
            } else {
                format!("all {n} loaded")
            },
            t.title(),
        ));
        if !u.rows.is_empty() {
            spans.push(Span::styled(
                format!(" · row {}", thousands(u.selected + 1)),
                t.dim(),
            ));
        }
    }
    if let Some(p) = &u.pending {
        let what = match (&p.token, u.loaded) {
            (_, false) => "loading users (ListUsers)…".to_string(),
            (Some(_), true) => format!("loading page {}…", u.pages + 1),
            (None, true) => "applying the filter…".to_string(),
        };
        spans.push(Span::styled(
            format!(
                "{}{} {what}",
                if u.loaded { " · " } else { "" },
                spinner(p.since_ms, now_ms)
            ),
            t.key(),
        ));
    }
    for (op, who, since) in &u.acting {
        spans.push(Span::styled(
            format!(" · {} {op} {who}…", spinner(*since, now_ms)),
            t.key(),
        ));
    }
    if spans.is_empty() {
        spans.push(Span::styled("Press r to list the pool's users.", t.dim()));
    }
    frame.render_widget(Line::from(spans), line(y));
    y += 1;
    // A credentials problem has its own box below: the same error is not repeated here.
    if let Some(e) = &u.list_error
        && y < area.bottom()
        && u.credentials.as_ref().is_none_or(|c| c.code != e.code)
    {
        let what = if e.code.contains("InvalidParameter") {
            "Filter rejected"
        } else {
            "ListUsers failed"
        };
        frame.render_widget(
            Line::from(vec![
                Span::styled(format!("{what}: {}: ", e.code), t.error()),
                Span::styled(e.message.clone(), t.error()),
            ]),
            line(y),
        );
        y += 1;
    }
    if let Some(c) = &u.credentials
        && y < area.bottom()
    {
        let text = vec![
            Line::styled(format!("{}: {}", c.code, c.message), t.error()),
            Line::styled(
                format!(
                    "{} needs AWS credentials allowed to call it: set AWS_PROFILE or \
                     --profile, or run `aws sso login`, then press r. Sign-in, sign-up and \
                     the other auth screens keep working.",
                    c.operation
                ),
                t.dim(),
            ),
        ];
        // Tall enough for the word-wrapped text.
        let inner = usize::from(area.width.saturating_sub(2)).max(1);
        let lines: usize = text
            .iter()
            .map(|l| wrapped_lines(&l.to_string(), inner))
            .sum();
        let h = (area.bottom() - y).min(u16::try_from(lines + 2).unwrap_or(u16::MAX));
        let box_area = Rect::new(area.x, y, area.width, h);
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(
                Block::bordered()
                    .title(Span::styled(" Admin calls are not authorized ", t.error()))
                    .border_style(t.error()),
            ),
            box_area,
        );
        y += h;
    }
    if y >= area.bottom() {
        return;
    }
    let table_area = Rect::new(area.x, y, area.width, area.bottom() - y);
    if u.loaded && u.rows.is_empty() {
        let msg = if u.filter.is_some() {
            "No user matches the filter (Esc clears it)."
        } else {
            "No users in this pool yet (n creates one)."
        };
        frame.render_widget(Line::styled(msg, t.dim()), table_area);
        return;
    }
    // Only the visible window of rows is built.
    let visible = table_area.height.saturating_sub(1) as usize;
    u.viewport.set(visible.max(1));
    if visible == 0 {
        return;
    }
    let mut off = u.offset.get();
    if u.selected < off {
        off = u.selected;
    } else if u.selected >= off + visible {
        off = u.selected + 1 - visible;
    }
    off = off.min(u.rows.len().saturating_sub(visible));
    u.offset.set(off);
    let end = (off + visible).min(u.rows.len());
    let window = &u.rows[off..end];
    let cols = layout_columns(table_area.width as usize, u, window);
    let rows: Vec<Row> = window
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells: Vec<TableCell> = cols
                .iter()
                .map(|(c, w)| match c {
                    Col::Username => TableCell::from(truncate(&r.username, *w)),
                    Col::Status => TableCell::from(Span::styled(
                        truncate(&r.status, *w),
                        status_style(app, &r.status),
                    )),
                    Col::Enabled => TableCell::from(if r.enabled {
                        Span::raw("yes")
                    } else {
                        Span::styled("no", t.error())
                    }),
                    Col::Email => TableCell::from(verified_cell(
                        r.attributes.get("email"),
                        r.attributes.get("email_verified"),
                        *w,
                        app,
                    )),
                    Col::Phone => TableCell::from(verified_cell(
                        r.attributes.get("phone_number"),
                        r.attributes.get("phone_number_verified"),
                        *w,
                        app,
                    )),
                    Col::Mfa => TableCell::from(truncate(&u.mfa_text(r), *w)),
                    Col::Created => TableCell::from(date(r.created)),
                    Col::Modified => TableCell::from(date(r.modified)),
                })
                .collect();
            let row = Row::new(cells);
            if off + i == u.selected {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|(_, w)| Constraint::Length(*w as u16))
        .collect();
    let header: Vec<String> = cols.iter().map(|(c, w)| truncate(c.title(), *w)).collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.label()))
        .column_spacing(1);
    frame.render_widget(table, table_area);
}

/// Rows of the attributes map that the detail panel shows (sorted by name).
pub fn attribute_lines(attrs: &BTreeMap<String, String>) -> Vec<(String, String)> {
    attrs.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}
