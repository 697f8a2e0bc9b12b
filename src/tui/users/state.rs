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

use super::dialog::Dialog;
use crate::admin::{AdminCommand, GroupRow, UserDetail, UserRow};
use crate::cognito::types::MAX_PAGE_LIMIT;
use crate::tui::shared::Action;
use crate::tui::widgets::form::{Field, Form};

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
pub struct UsersScreen {
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
    pub(super) offset: Cell<usize>,
    pub(super) viewport: Cell<usize>,
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
    pub(super) added: HashSet<String>,
    /// Actions sent and not answered: (operation, user, since ms).
    pub acting: Vec<(String, String, i64)>,
    /// The last Tab offered one of several candidates: the next Tab offers the next.
    pub(super) tab: Option<TabCycle>,
}

#[derive(Debug, Clone)]
pub(super) struct TabCycle {
    /// The text before the first Tab.
    pub(super) base: String,
    /// What the last Tab put in the box.
    pub(super) produced: String,
    pub(super) n: usize,
}

impl Default for UsersScreen {
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
        limit: MAX_PAGE_LIMIT,
    })
}

impl UsersScreen {
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

    /// [`Self::active_form`], to change (a paste goes there).
    pub fn active_form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.dialog {
            Some(Dialog::Form(f)) => Some(&mut f.form),
            Some(_) => None,
            None if self.filter_form.focus.is_some() => Some(&mut self.filter_form),
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

    pub(super) fn step(&mut self, delta: isize, now_ms: i64) -> Vec<Action> {
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

    pub(super) fn replace_row(&mut self, user: UserRow) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.username == user.username) {
            *r = user;
        }
    }

    pub(super) fn remove_row(&mut self, username: &str) {
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
            // ListUsers carries only legacy SMS options: a TOTP or email user looks the same
            // as one without MFA until the detail (AdminGetUser) is read. Not "-" ("none").
            "? Enter".into()
        } else {
            row.mfa.join(",")
        }
    }
}

pub(super) fn is_credentials(code: &str) -> bool {
    CREDENTIAL_CODES.contains(&code)
}

/// Whether `username` is in `group`, when their groups are known.
pub fn member_of(u: &UsersScreen, username: &str, group: &str) -> Option<bool> {
    u.details
        .get(username)?
        .groups
        .as_ref()
        .map(|gs| gs.iter().any(|g| g.name == group))
}

/// Rows of the attributes map that the detail panel shows (sorted by name).
pub fn attribute_lines(attrs: &BTreeMap<String, String>) -> Vec<(String, String)> {
    attrs.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}
