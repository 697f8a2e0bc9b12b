//! The pool settings screen (embedded pool only): MFA configuration and methods (editable,
//! SetUserPoolMfaConfig), auto-verified attributes and auto-confirm, the app client's
//! PreventUserExistenceErrors, flows and AuthSessionValidity, and which Lambda triggers are
//! set. Everything is read through the wire client (DescribeUserPool,
//! DescribeUserPoolClient, GetUserPoolMfaConfig), so each read shows in the inspector.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::admin::{AdminCommand, PoolMfaSummary, PoolSettings, SettingsError};
use crate::tui::context::Context;
use crate::tui::shared::{Action, SESSION_VALIDITY_MS};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::timeline::StatusEntry;

pub const MFA_MODES: &[&str] = &["OFF", "OPTIONAL", "ON"];

/// The editable MFA part, filled from what the pool answered.
pub fn mfa_form(current: Option<&PoolMfaSummary>) -> Form {
    let m = current.cloned().unwrap_or_default();
    let mut f = Form::new(vec![
        Field::choice(
            "mode",
            "MFA",
            MFA_MODES.iter().map(|s| s.to_string()).collect(),
        ),
        Field::toggle("sms", "SMS", m.sms),
        Field::toggle("totp", "TOTP app", m.totp),
        Field::toggle("email", "Email", m.email),
        Field::button("apply", "Apply"),
        Field::button("reload", "Reload"),
    ]);
    if !m.mode.is_empty() {
        f.set_choice("mode", &m.mode);
    }
    f
}

/// The SetPoolMfa command for what the form holds, or why it cannot be sent.
pub fn mfa_command(f: &Form) -> Result<AdminCommand, String> {
    let mode = f.raw("mode");
    let (sms, totp, email) = (
        f.toggle_value("sms"),
        f.toggle_value("totp"),
        f.toggle_value("email"),
    );
    if mode != "OFF" && !(sms || totp || email) {
        return Err(format!(
            "MFA {mode} needs at least one method (SMS, TOTP app or Email)."
        ));
    }
    Ok(AdminCommand::SetPoolMfa {
        mode,
        sms,
        totp,
        email,
    })
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn kv(t: &Theme, k: &str, v: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k}: "), t.label()),
        Span::raw(v.into()),
    ])
}

fn error_line(t: &Theme, e: &SettingsError) -> Line<'static> {
    Line::styled(
        format!("{} failed: {}: {}", e.operation, e.code, e.message),
        t.error(),
    )
}

/// What PreventUserExistenceErrors does, in one line.
pub fn existence_note(v: &str) -> &'static str {
    match v {
        "ENABLED" => "unknown users look like wrong passwords (no user enumeration)",
        "LEGACY" => "unknown users get UserNotFoundException",
        _ => "",
    }
}

/// The read-only part of the screen.
pub fn info_lines(s: &PoolSettings, t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let err = |op: &str| s.errors.iter().find(|e| e.operation == op);
    if s.mfa.is_none()
        && let Some(e) = err("GetUserPoolMfaConfig")
    {
        out.push(error_line(t, e));
    }
    out.push(Line::styled("Pool (DescribeUserPool)", t.title()));
    match &s.pool {
        Some(p) => {
            out.push(kv(
                t,
                "  Name",
                format!("{} ({})", p.name.as_deref().unwrap_or("?"), s.pool_id),
            ));
            out.push(kv(t, "  Auto-verified", list(&p.auto_verified_attributes)));
            let mut sign_in_with = p.username_attributes.clone();
            sign_in_with.extend(p.alias_attributes.iter().map(|a| format!("{a} (alias)")));
            if !sign_in_with.is_empty() {
                out.push(kv(t, "  Sign in with", list(&sign_in_with)));
            }
            out.push(kv(
                t,
                "  First factors",
                format!("{} (USER_AUTH)", list(&p.allowed_first_auth_factors)),
            ));
            let auto_confirm = if p.triggers.contains_key("PreSignUp") {
                "by the PreSignUp trigger (autoConfirmUser)"
            } else {
                "no (no PreSignUp trigger: sign-ups need a code)"
            };
            out.push(kv(t, "  Auto-confirm", auto_confirm));
            if let Some(only) = p.admin_create_user_only {
                out.push(kv(
                    t,
                    "  Self sign-up",
                    if only {
                        "off (admins create users)"
                    } else {
                        "allowed"
                    },
                ));
            }
            if p.triggers.is_empty() {
                out.push(kv(t, "  Triggers", "none set"));
            } else {
                out.push(Line::styled("  Triggers", t.label()));
                for (k, v) in &p.triggers {
                    out.push(Line::from(vec![
                        Span::styled(format!("    {k} "), t.json_key()),
                        Span::styled(v.clone(), t.dim()),
                    ]));
                }
            }
        }
        None => {
            if let Some(e) = err("DescribeUserPool") {
                out.push(error_line(t, e));
            }
        }
    }
    out.push(Line::styled(
        "App client (DescribeUserPoolClient)",
        t.title(),
    ));
    match &s.client {
        Some(c) => {
            out.push(kv(
                t,
                "  Client",
                format!(
                    "{} ({}){}",
                    c.client_name.as_deref().unwrap_or("?"),
                    c.client_id,
                    if c.has_secret { ", has a secret" } else { "" }
                ),
            ));
            let pue = c
                .prevent_user_existence_errors
                .clone()
                .unwrap_or_else(|| "LEGACY".into());
            out.push(Line::from(vec![
                Span::styled("  PreventUserExistenceErrors: ", t.label()),
                Span::raw(pue.clone()),
                Span::styled(format!("  {}", existence_note(&pue)), t.dim()),
            ]));
            out.push(kv(t, "  Auth flows", list(&c.explicit_auth_flows)));
            if let Some(m) = c.auth_session_validity {
                out.push(kv(
                    t,
                    "  AuthSessionValidity",
                    format!("{m} min (how long a challenge Session lives)"),
                ));
            }
        }
        None => {
            if let Some(e) = err("DescribeUserPoolClient") {
                out.push(error_line(t, e));
            }
        }
    }
    out
}

pub struct PoolScreen {
    /// What the pool said when last read.
    pub settings: Option<PoolSettings>,
    pub loading: bool,
    /// An Apply is on its way (the next settings read reports its outcome).
    pub applying: bool,
    pub set_error: Option<SettingsError>,
    /// Apply pressed once: the change waits for a second Apply (it changes the whole pool).
    pub confirm: Option<AdminCommand>,
    pub form: Form,
    pub scroll: u16,
}

impl Default for PoolScreen {
    fn default() -> Self {
        Self {
            settings: None,
            loading: false,
            applying: false,
            set_error: None,
            confirm: None,
            form: mfa_form(None),
            scroll: 0,
        }
    }
}

impl PoolScreen {
    /// How long a challenge Session lives: the client's AuthSessionValidity when the
    /// settings were read, else Cognito's default of 3 minutes.
    pub fn session_validity_ms(&self) -> i64 {
        self.settings
            .as_ref()
            .and_then(|s| s.client.as_ref())
            .and_then(|c| c.auth_session_validity)
            .filter(|m| *m > 0)
            .map(|m| m * 60_000)
            .unwrap_or(SESSION_VALIDITY_MS)
    }

    /// The form, where it can be edited (the embedded pool).
    pub fn form_mut(&mut self, ctx: &Context) -> Option<&mut Form> {
        ctx.local.then_some(&mut self.form)
    }

    /// A key when no field has focus.
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Vec<Action> {
        match key.code {
            KeyCode::Char('r') => return self.read(ctx),
            KeyCode::Char('e') | KeyCode::Enter if ctx.local => self.form.focus_first(),
            KeyCode::Down | KeyCode::Char('j') => {
                self.scroll = self.scroll.saturating_add(1).min(40);
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.scroll = self.scroll.saturating_sub(1);
            }
            _ => {}
        }
        Vec::new()
    }

    /// Reads the settings again (embedded pool only).
    pub fn read(&mut self, ctx: &mut Context) -> Vec<Action> {
        if !ctx.local {
            ctx.flash_info("Pool settings are shown for the embedded pool only.");
            return Vec::new();
        }
        self.loading = true;
        vec![Action::Admin(AdminCommand::FetchPoolSettings)]
    }

    /// Shown: read the settings once.
    pub fn open(&mut self, ctx: &mut Context) -> Vec<Action> {
        if ctx.local && self.settings.is_none() && !self.loading {
            self.read(ctx)
        } else {
            if !ctx.local {
                ctx.flash_info("Pool settings are shown for the embedded pool only.");
            }
            Vec::new()
        }
    }

    /// Enter (`None`) or a button: Apply (SetUserPoolMfaConfig) or Reload.
    pub fn submit(&mut self, button: Option<&str>, ctx: &mut Context) -> Vec<Action> {
        if button == Some("reload") {
            self.form.focus = None;
            return self.read(ctx);
        }
        match mfa_command(&self.form) {
            Ok(cmd) if self.confirm.as_ref() != Some(&cmd) => {
                ctx.flash_info(
                    "This changes MFA for every user of the pool: Apply again to send \
                     SetUserPoolMfaConfig, Esc to leave it.",
                );
                self.confirm = Some(cmd);
                Vec::new()
            }
            Ok(cmd) => {
                self.confirm = None;
                self.applying = true;
                self.set_error = None;
                self.loading = true;
                ctx.flash_info("Sending SetUserPoolMfaConfig…");
                vec![Action::Admin(cmd)]
            }
            Err(msg) => {
                ctx.flash_error(msg);
                Vec::new()
            }
        }
    }

    /// The settings arrived; `shown` is true while this screen is on.
    pub fn update(&mut self, settings: PoolSettings, ctx: &mut Context, shown: bool, now_ms: i64) {
        self.loading = false;
        if let Some(e) = settings.errors.first() {
            if shown {
                ctx.flash_error(format!("{}: {}: {}", e.operation, e.code, e.message));
            }
        } else if self.applying && self.set_error.is_none() {
            let m = settings.mfa.clone().unwrap_or_default();
            let text = format!(
                "SetUserPoolMfaConfig done: MFA is {} for the whole pool.",
                m.mode
            );
            ctx.status.push(StatusEntry::Info {
                at_ms: now_ms,
                api: "pool".into(),
                message: text.clone(),
            });
            ctx.flash_info(text);
        }
        self.applying = false;
        // Keep what the user is editing; otherwise show what the pool says.
        if self.form.focus.is_none() || self.set_error.is_none() {
            let focus = self.form.focus;
            self.form = mfa_form(settings.mfa.as_ref());
            self.form.focus = focus;
        }
        self.settings = Some(settings);
    }

    /// An admin call failed; SetUserPoolMfaConfig's failure stays on the screen.
    pub fn on_error(&mut self, operation: &str, code: &str, message: &str) {
        if operation == "SetUserPoolMfaConfig" {
            self.set_error = Some(SettingsError {
                operation: operation.to_string(),
                code: code.to_string(),
                message: message.to_string(),
            });
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        render(self, ctx, frame, area);
    }
}

fn render(pool: &PoolScreen, ctx: &Context, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    if !ctx.local {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    "Pool settings are shown for the embedded pool only.",
                    t.dim(),
                ),
                Line::raw(""),
                Line::styled(
                    "On AWS these are admin calls signed with IAM credentials: use the \
                     console or `aws cognito-idp describe-user-pool`.",
                    t.dim(),
                ),
            ])
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let form_h = pool.form.height().min(area.height);
    pool.form
        .render(frame, Rect::new(area.x, area.y, area.width, form_h), t);
    let mut y = area.y + form_h;
    let mut lines = Vec::new();
    if let Some(e) = &pool.set_error {
        lines.push(error_line(t, e));
    }
    match &pool.settings {
        Some(s) => {
            if let Some(m) = &s.mfa {
                let methods: Vec<&str> = [(m.sms, "SMS"), (m.totp, "TOTP"), (m.email, "EMAIL")]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| *n)
                    .collect();
                lines.push(Line::from(vec![
                    Span::styled("Pool says: ", t.label()),
                    Span::styled(format!("MFA {}", m.mode), t.step()),
                    Span::raw(format!(
                        " · methods {}",
                        if methods.is_empty() {
                            "none".to_string()
                        } else {
                            methods.join(", ")
                        }
                    )),
                ]));
            }
            lines.extend(info_lines(s, t));
        }
        None if pool.loading => {
            lines.push(Line::styled(
                "Reading DescribeUserPool, DescribeUserPoolClient, GetUserPoolMfaConfig…",
                t.dim(),
            ));
        }
        None => lines.push(Line::styled("Not read yet: r reads the settings.", t.dim())),
    }
    if y < area.bottom() {
        y += 1.min(area.bottom() - y);
        let rect = Rect::new(area.x, y, area.width, area.bottom() - y);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((pool.scroll, 0)),
            rect,
        );
    }
}
