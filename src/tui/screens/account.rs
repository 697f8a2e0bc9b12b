//! The Account screen (from Session: `a`): the signed-in user's attributes with their verified
//! flags and MFA settings, and Amplify's account calls on them: edit an attribute
//! (updateUserAttributes; a changed email or phone gets a code in the outbox), confirm it
//! (confirmUserAttribute) or resend its code, delete an attribute, change the password, set the
//! MFA preference, set up TOTP (its QR code as on the sign-in step), and delete the user behind
//! a typed confirmation.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::admin::OutboxEntry;
use crate::auth::events::{AccountUpdate, AuthCommand, MfaPreference};
use crate::auth::steps::{MfaType, TotpSetupDetails, UpdateAttributeStep};
use crate::secret::Secret;
use crate::tui::context::Context;
use crate::tui::shared::{Action, Screen};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::qr::{self, QrGrid};
use crate::tui::widgets::truncate;

/// What the lower half of the screen is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The attribute list only (keys act on the selected attribute).
    #[default]
    List,
    Edit,
    Verify,
    Password,
    Mfa,
    Totp,
    Delete,
}

const MFA_CHOICES: [&str; 5] = [
    "unchanged",
    "enabled",
    "disabled",
    "preferred",
    "not preferred",
];

fn mfa_choice(i: usize) -> Option<MfaPreference> {
    match i {
        1 => Some(MfaPreference::Enabled),
        2 => Some(MfaPreference::Disabled),
        3 => Some(MfaPreference::Preferred),
        4 => Some(MfaPreference::NotPreferred),
        _ => None,
    }
}

fn mfa_name(m: MfaType) -> &'static str {
    match m {
        MfaType::Sms => "SMS",
        MfaType::Totp => "TOTP",
        MfaType::Email => "EMAIL",
    }
}

#[derive(Debug, Default)]
pub struct AccountScreen {
    /// What fetchUserAttributes last answered (`None` before the first answer).
    pub username: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub mfa_enabled: Vec<MfaType>,
    pub mfa_preferred: Option<MfaType>,
    /// The selected row of the attribute list.
    pub selected: usize,
    pub mode: Mode,
    pub form: Form,
    /// setUpTOTP's secret while it is being verified.
    pub totp: Option<TotpSetupDetails>,
    /// Its QR code is shown over the whole terminal (v / Ctrl-V).
    pub qr_full: bool,
}

impl AccountScreen {
    /// The rows of the list: every attribute but the `*_verified` flags (shown beside theirs).
    pub fn rows(&self) -> Vec<&str> {
        self.attributes
            .keys()
            .filter(|k| !k.ends_with("_verified"))
            .map(String::as_str)
            .collect()
    }

    fn selected_name(&self) -> Option<String> {
        self.rows().get(self.selected).map(|s| s.to_string())
    }

    /// Drops what belonged to the previous user (after sign-out or deleteUser).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        (self.mode != Mode::List).then_some(&mut self.form)
    }

    pub fn form(&self) -> Option<&Form> {
        (self.mode != Mode::List).then_some(&self.form)
    }

    /// The otpauth URI of a TOTP setup in progress.
    pub fn totp_uri(&self) -> Option<&str> {
        (self.mode == Mode::Totp)
            .then_some(self.totp.as_ref())
            .flatten()
            .map(|d| d.setup_uri.as_str())
    }

    pub fn totp_qr(&self) -> Option<QrGrid> {
        QrGrid::encode(self.totp_uri()?)
    }

    /// v / y (Ctrl- while typing) during TOTP setup: the QR code full screen, or the URI copied.
    pub fn qr_key(&mut self, show: bool, ctx: &mut Context) -> Vec<Action> {
        let Some(uri) = self.totp_uri().map(str::to_string) else {
            return Vec::new();
        };
        if show {
            self.qr_full = true;
            return Vec::new();
        }
        ctx.flash_info("Copied the otpauth URI to the clipboard (OSC 52).");
        vec![Action::Copy(uri)]
    }

    /// The footer's keys for the mode shown.
    pub fn footer_hints(&self) -> Vec<(&'static str, &'static str)> {
        match self.mode {
            Mode::List => vec![
                ("↑↓", "select"),
                ("e", "edit"),
                ("f", "fetch"),
                ("Esc", "session"),
            ],
            Mode::Verify => vec![
                ("Tab/e", "edit"),
                ("^O", "code from outbox"),
                ("Esc", "back"),
            ],
            Mode::Totp => vec![
                ("Tab/e", "edit"),
                ("v", "QR"),
                ("y", "copy URI"),
                ("Esc", "back"),
            ],
            _ => vec![("Tab/e", "edit"), ("Enter", "submit"), ("Esc", "back")],
        }
    }

    /// The QR code over the whole terminal.
    pub fn draw_qr_full(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        qr::render_full(frame, area, self.totp_qr(), &ctx.theme);
    }

    fn open(&mut self, mode: Mode, fields: Vec<Field>) {
        self.mode = mode;
        self.form = Form::new(fields);
        self.form.focus_first_empty();
    }

    fn open_edit(&mut self, name: Option<String>) {
        let value = name
            .as_ref()
            .and_then(|n| self.attributes.get(n))
            .cloned()
            .unwrap_or_default();
        self.open(
            Mode::Edit,
            vec![
                Field::text("name", "Attribute").with_value(name.as_deref().unwrap_or("")),
                Field::text("value", "New value").with_value(&value),
                Field::button("submit", "Update"),
            ],
        );
        if name.is_some() {
            self.form.focus_id("value");
        }
    }

    fn open_verify(&mut self, attribute: &str) {
        self.open(
            Mode::Verify,
            vec![
                Field::text("name", "Attribute").with_value(attribute),
                Field::text("code", "Code").with_hint("^O from outbox"),
                Field::button("submit", "Confirm"),
            ],
        );
        self.form.focus_id("code");
    }

    fn open_password(&mut self) {
        self.open(
            Mode::Password,
            vec![
                Field::secret("old", "Old password").with_hint("empty if none"),
                Field::secret("new", "New password"),
                Field::button("submit", "Change password"),
            ],
        );
    }

    fn open_mfa(&mut self) {
        let choices = || MFA_CHOICES.iter().map(|s| s.to_string()).collect();
        self.open(
            Mode::Mfa,
            vec![
                Field::choice("sms", "SMS", choices()),
                Field::choice("totp", "TOTP", choices()),
                Field::choice("email", "EMAIL", choices()),
                Field::button("submit", "Save"),
            ],
        );
        self.form.focus_first();
    }

    fn open_delete(&mut self) {
        self.open(
            Mode::Delete,
            vec![
                Field::text("confirm", "Type username"),
                Field::button("submit", "Delete user"),
            ],
        );
    }

    /// A key when no field has focus.
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        if self.mode != Mode::List {
            return match key.code {
                KeyCode::Char(c @ ('v' | 'y')) if self.mode == Mode::Totp => {
                    self.qr_key(c == 'v', ctx)
                }
                KeyCode::Esc => {
                    self.mode = Mode::List;
                    Vec::new()
                }
                KeyCode::Enter => self.submit(None, ctx, now_ms),
                KeyCode::Char('e') => {
                    self.form.focus_first_empty();
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        let n = self.rows().len();
        let selected = self.selected_name();
        let cmd = match key.code {
            KeyCode::Esc => return vec![Action::Goto(Screen::Session)],
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
                return Vec::new();
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                return Vec::new();
            }
            KeyCode::Char('f') | KeyCode::Char('r') => AuthCommand::FetchUserAttributes,
            KeyCode::Enter | KeyCode::Char('e') => {
                self.open_edit(selected);
                return Vec::new();
            }
            KeyCode::Char('n') => {
                self.open_edit(None);
                return Vec::new();
            }
            KeyCode::Char('v') => match selected.filter(|s| verifiable(s)) {
                Some(name) => {
                    self.open_verify(&name);
                    return Vec::new();
                }
                None => {
                    ctx.flash_error("Select email or phone_number to confirm it.");
                    return Vec::new();
                }
            },
            KeyCode::Char('s') => match selected.filter(|s| verifiable(s)) {
                Some(attribute) => AuthCommand::SendUserAttributeVerificationCode { attribute },
                None => {
                    ctx.flash_error("Select email or phone_number to resend its code.");
                    return Vec::new();
                }
            },
            KeyCode::Char('x') => match selected {
                Some(name) => AuthCommand::DeleteUserAttributes { names: vec![name] },
                None => return Vec::new(),
            },
            KeyCode::Char('p') => {
                self.open_password();
                return Vec::new();
            }
            KeyCode::Char('m') => {
                self.open_mfa();
                return Vec::new();
            }
            KeyCode::Char('t') => AuthCommand::SetUpTotp,
            KeyCode::Char('D') => {
                self.open_delete();
                ctx.flash_error("Deleting the user cannot be undone: type the username.");
                return Vec::new();
            }
            _ => return Vec::new(),
        };
        ctx.auth(cmd, now_ms).into_iter().collect()
    }

    /// Enter in the form (`None`) or its button.
    pub fn submit(&mut self, _button: Option<&str>, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        let f = &self.form;
        let cmd = match self.mode {
            Mode::List => return Vec::new(),
            Mode::Edit => {
                let name = f.text("name");
                if name.is_empty() {
                    ctx.flash_error("Name the attribute to update.");
                    return Vec::new();
                }
                AuthCommand::UpdateUserAttributes {
                    attributes: BTreeMap::from([(name, f.text("value"))]),
                }
            }
            Mode::Verify => {
                let code = f.text("code");
                if code.is_empty() {
                    ctx.flash_error("Enter the code (^O takes it from the outbox).");
                    return Vec::new();
                }
                AuthCommand::ConfirmUserAttribute {
                    attribute: f.text("name"),
                    code: Secret::new(code),
                }
            }
            Mode::Password => {
                let old = f.raw("old");
                let new = f.raw("new");
                if new.is_empty() {
                    ctx.flash_error("Enter the new password.");
                    return Vec::new();
                }
                AuthCommand::UpdatePassword {
                    old_password: (!old.is_empty()).then(|| Secret::new(old)),
                    new_password: Secret::new(new),
                }
            }
            Mode::Mfa => {
                let (sms, totp, email) = (
                    mfa_choice(f.choice_index("sms")),
                    mfa_choice(f.choice_index("totp")),
                    mfa_choice(f.choice_index("email")),
                );
                if sms.is_none() && totp.is_none() && email.is_none() {
                    ctx.flash_error("Choose a setting for at least one factor (←→).");
                    return Vec::new();
                }
                AuthCommand::UpdateMfaPreference { sms, totp, email }
            }
            Mode::Totp => {
                let code = f.text("code");
                if code.is_empty() {
                    ctx.flash_error("Enter the 6-digit code your authenticator app shows.");
                    return Vec::new();
                }
                AuthCommand::VerifyTotpSetup {
                    code: Secret::new(code),
                    friendly_device_name: None,
                }
            }
            Mode::Delete => {
                let who = self.username.clone().unwrap_or_default();
                if who.is_empty() || f.text("confirm") != who {
                    ctx.flash_error(format!(
                        "Type the username ({who}) to delete the user; Esc keeps it."
                    ));
                    return Vec::new();
                }
                AuthCommand::DeleteUser
            }
        };
        let out: Vec<Action> = ctx.auth(cmd, now_ms).into_iter().collect();
        if !out.is_empty() {
            for id in ["old", "new", "code"] {
                self.form.clear(id);
            }
        }
        out
    }

    /// Ctrl-O while confirming an attribute: the newest code the pool sent for it.
    pub fn code_from_outbox(&mut self, outbox: &[OutboxEntry], ctx: &mut Context) {
        if self.mode != Mode::Verify {
            ctx.flash_error("Ctrl-O fills a code while confirming an attribute (v).");
            return;
        }
        let purpose = purpose(&self.form.text("name"));
        let user = self.username.clone().unwrap_or_default();
        match outbox
            .iter()
            .rev()
            .find(|e| e.username == user && e.purpose == purpose)
        {
            Some(e) => {
                self.form.set_text("code", &e.code);
                self.form.focus_id("submit");
                ctx.flash_info("Code filled in from the outbox: Enter confirms.");
            }
            None => ctx.flash_error(format!("No {purpose} code for {user} in the outbox yet.")),
        }
    }

    /// Enter on an outbox entry of an attribute verification: confirm with its code.
    pub fn use_code(&mut self, e: &OutboxEntry) -> bool {
        let attribute = match e.purpose.as_str() {
            "VERIFY_EMAIL" => "email",
            "VERIFY_PHONE_NUMBER" => "phone_number",
            _ => return false,
        };
        if self.username.as_deref() != Some(e.username.as_str()) {
            return false;
        }
        self.open_verify(attribute);
        self.form.set_text("code", &e.code);
        self.form.focus_id("submit");
        true
    }

    /// An account call answered: keep what it says, move to what comes next.
    /// The attributes are read again after a change (the call that answered finishes before
    /// this one is taken, so it is sent straight to the actor).
    pub fn on_update(&mut self, u: AccountUpdate, ctx: &mut Context) -> Vec<Action> {
        let refetch = || vec![Action::Auth(AuthCommand::FetchUserAttributes)];
        match u {
            AccountUpdate::Attributes {
                username,
                attributes,
                mfa_enabled,
                mfa_preferred,
            } => {
                self.username = Some(username);
                self.attributes = attributes;
                self.mfa_enabled = mfa_enabled;
                self.mfa_preferred = mfa_preferred;
                self.selected = self.selected.min(self.rows().len().saturating_sub(1));
                Vec::new()
            }
            AccountUpdate::Updated { results } => {
                let waiting = results.iter().find_map(|(name, step)| match step {
                    UpdateAttributeStep::ConfirmAttributeWithCode {
                        code_delivery_details,
                    } => Some((name.clone(), code_delivery_details.clone())),
                    UpdateAttributeStep::Done => None,
                });
                match waiting {
                    Some((name, d)) => {
                        let to = d
                            .and_then(|d| d.destination)
                            .unwrap_or_else(|| "the new value".into());
                        self.open_verify(&name);
                        ctx.flash_info(format!(
                            "A code for {name} went to {to}: ^O fills it from the outbox."
                        ));
                        let mut out = refetch();
                        out.push(Action::Admin(crate::admin::AdminCommand::FetchOutbox));
                        out
                    }
                    None => {
                        self.mode = Mode::List;
                        ctx.flash_info("Updated.");
                        refetch()
                    }
                }
            }
            AccountUpdate::CodeSent {
                attribute,
                code_delivery_details,
            } => {
                let to = code_delivery_details
                    .and_then(|d| d.destination)
                    .unwrap_or_else(|| attribute.clone());
                self.open_verify(&attribute);
                ctx.flash_info(format!("A new code went to {to}: ^O fills it."));
                vec![Action::Admin(crate::admin::AdminCommand::FetchOutbox)]
            }
            AccountUpdate::Confirmed { attribute } => {
                self.mode = Mode::List;
                ctx.flash_info(format!("{attribute} is verified."));
                refetch()
            }
            AccountUpdate::Deleted { names } => {
                ctx.flash_info(format!("Deleted {}.", names.join(", ")));
                refetch()
            }
            AccountUpdate::PasswordUpdated => {
                self.mode = Mode::List;
                ctx.flash_info("Password changed.");
                Vec::new()
            }
            AccountUpdate::MfaPreferenceUpdated => {
                self.mode = Mode::List;
                ctx.flash_info("MFA preference saved.");
                refetch()
            }
            AccountUpdate::TotpSetup { details } => {
                self.totp = Some(details);
                self.open(
                    Mode::Totp,
                    vec![
                        Field::text("code", "Code").with_hint("from the app"),
                        Field::button("submit", "Verify"),
                    ],
                );
                Vec::new()
            }
            AccountUpdate::TotpVerified => {
                self.totp = None;
                self.open_mfa();
                self.form.set_choice("totp", "preferred");
                ctx.flash_info("TOTP is set up: Save makes it the preferred MFA.");
                Vec::new()
            }
            AccountUpdate::UserDeleted { username } => {
                self.clear();
                ctx.flash_info(format!("{username} is deleted."));
                vec![Action::Goto(Screen::SignIn)]
            }
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context, signed_in: bool) {
        render(self, &ctx.theme, frame, area, signed_in);
    }
}

fn verifiable(name: &str) -> bool {
    name == "email" || name == "phone_number"
}

fn purpose(attribute: &str) -> &'static str {
    if attribute == "phone_number" {
        "VERIFY_PHONE_NUMBER"
    } else {
        "VERIFY_EMAIL"
    }
}

fn attribute_line(
    s: &AccountScreen,
    name: &str,
    active: bool,
    width: usize,
    t: &Theme,
) -> Line<'static> {
    let value = s.attributes.get(name).cloned().unwrap_or_default();
    let marker = if active { "›" } else { " " };
    let mut spans = vec![
        Span::styled(marker.to_string(), t.key()),
        Span::styled(
            format!("{name:<13} "),
            if active { t.key() } else { t.label() },
        ),
    ];
    let flag = s
        .attributes
        .get(&format!("{name}_verified"))
        .map(|v| v == "true");
    let flag_text = match flag {
        Some(true) => " ✓ verified",
        Some(false) => " ✗ unverified",
        None => "",
    };
    let room = width.saturating_sub(15 + flag_text.chars().count());
    spans.push(Span::raw(truncate(&value, room.max(4))));
    match flag {
        Some(true) => spans.push(Span::styled(flag_text, t.ok())),
        Some(false) => spans.push(Span::styled(flag_text, t.error())),
        None => {}
    }
    Line::from(spans)
}

fn render(s: &AccountScreen, t: &Theme, frame: &mut Frame, area: Rect, signed_in: bool) {
    if !signed_in {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled("Not signed in.", t.dim()),
                Line::styled(
                    "Sign in (F3), then open the account from Session (a).",
                    t.dim(),
                ),
            ])
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let width = area.width as usize;
    let mfa = if s.mfa_enabled.is_empty() {
        "none".to_string()
    } else {
        s.mfa_enabled
            .iter()
            .map(|m| {
                let star = if s.mfa_preferred == Some(*m) { "*" } else { "" };
                format!("{}{star}", mfa_name(*m))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let head = Line::from(vec![
        Span::styled(s.username.clone().unwrap_or_else(|| "…".into()), t.key()),
        Span::styled("  MFA ", t.label()),
        Span::raw(mfa),
    ]);
    let lower: Vec<Line<'static>> = match s.mode {
        Mode::List => vec![Line::styled(
            "e edit · n new · v confirm · s resend · x delete · p password · m MFA · t TOTP · D delete user",
            t.dim(),
        )],
        Mode::Totp => {
            let secret = s
                .totp
                .as_ref()
                .map(|d| d.shared_secret.clone())
                .unwrap_or_default();
            vec![
                Line::from(vec![Span::styled("Secret ", t.label()), Span::raw(secret)]),
                Line::styled("v/^V QR · y/^Y copy URI", t.dim()),
            ]
        }
        Mode::Delete => vec![Line::styled(
            "deleteUser removes the user for good and signs out.",
            t.error(),
        )],
        _ => Vec::new(),
    };
    let form_h = if s.mode == Mode::List {
        0
    } else {
        s.form.height()
    };
    let lower_h: u16 = lower
        .iter()
        .map(|l| (l.width() as u16).div_ceil(area.width.max(1)).max(1))
        .sum();
    let [top, list, form_area, notes] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(form_h),
        Constraint::Length(lower_h),
    ])
    .areas(area);
    frame.render_widget(head, top);
    let rows = s.rows();
    if s.username.is_none() {
        frame.render_widget(Line::styled("Fetching attributes… (f)", t.dim()), list);
    } else {
        let visible = list.height as usize;
        let start = s.selected.saturating_sub(visible.saturating_sub(1));
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(start)
            .take(visible)
            .map(|(i, name)| {
                attribute_line(s, name, i == s.selected && s.mode == Mode::List, width, t)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
    }
    if s.mode != Mode::List {
        s.form.render(frame, form_area, t);
    }
    frame.render_widget(Paragraph::new(lower).wrap(Wrap { trim: true }), notes);
}
