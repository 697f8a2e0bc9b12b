//! The real TUI (`cognito_tui::tui::run`) on a real terminal, wired to scripted stand-in
//! actors that answer each command with the events the real actors emit (no network, no
//! pool). Used by tests/tui_terminal.rs to drive the run loop in tmux, and handy to try the
//! keys: `cargo run --example tui_echo`.
//!
//! `--panic-after-draw` enters the full-screen terminal, draws once and panics on the UI
//! thread, to check that the panic hook restores the terminal.

use std::collections::BTreeMap;

use cognito_tui::admin::{
    AdminCommand, AdminEvent, DeviceRow, GroupRow, UserAction, UserDetail, UserRow,
};
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

/// The stand-in users actor's pool: 500 demo users, two groups, memberships.
struct FakePool {
    users: Vec<UserRow>,
    groups: Vec<GroupRow>,
    members: BTreeMap<String, Vec<String>>,
    mfa: BTreeMap<String, (Vec<String>, Option<String>)>,
}

impl FakePool {
    fn new() -> Self {
        let group = |name: &str, p: i64, d: &str| GroupRow {
            name: name.into(),
            description: Some(d.into()),
            precedence: Some(p),
            created: demo::NOW_MS / 1000 - 86_400 * 30,
            modified: demo::NOW_MS / 1000 - 86_400,
            ..GroupRow::default()
        };
        Self {
            users: demo::users(500),
            groups: vec![
                group("admins", 1, "Pool admins"),
                group("readers", 10, "Read only"),
            ],
            members: BTreeMap::from([("alice".to_string(), vec!["admins".to_string()])]),
            mfa: BTreeMap::from([(
                "bob".to_string(),
                (
                    vec!["SOFTWARE_TOKEN_MFA".to_string()],
                    Some("SOFTWARE_TOKEN_MFA".to_string()),
                ),
            )]),
        }
    }

    /// Cognito's grammar, enough for the demo: `attr = "v"` / `attr ^= "v"`.
    fn matches(u: &UserRow, filter: &str) -> Result<bool, String> {
        let (attr, rest) = filter
            .split_once([' ', '=', '^'])
            .ok_or_else(|| format!("Error while parsing filter: {filter}"))?;
        let rest = rest.trim_start();
        let (prefix, value) = if let Some(v) = rest.strip_prefix("^=") {
            (true, v)
        } else if let Some(v) = rest.strip_prefix('=') {
            (false, v)
        } else {
            return Err(format!("Error while parsing filter: {filter}"));
        };
        let value = value.trim().trim_matches('"');
        let have = match attr {
            "username" => u.username.clone(),
            "cognito:user_status" => u.status.clone(),
            "status" => if u.enabled { "Enabled" } else { "Disabled" }.into(),
            "email" | "phone_number" | "name" | "given_name" | "family_name"
            | "preferred_username" | "sub" => u.attributes.get(attr).cloned().unwrap_or_default(),
            other => return Err(format!("Invalid search attribute: {other}")),
        };
        let ci = attr == "cognito:user_status";
        let (have, value) = if ci {
            (have.to_lowercase(), value.to_lowercase())
        } else {
            (have, value.to_string())
        };
        Ok(if prefix {
            have.starts_with(&value)
        } else {
            have == value
        })
    }

    fn page(
        &self,
        filter: Option<&str>,
        token: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<UserRow>, Option<String>), String> {
        let start: usize = token
            .and_then(|t| t.strip_prefix("at:"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let mut out = Vec::new();
        let mut i = start;
        while i < self.users.len() && out.len() < limit {
            let u = &self.users[i];
            if filter.map_or(Ok(true), |f| Self::matches(u, f))? {
                out.push(u.clone());
            }
            i += 1;
        }
        Ok((out, (i < self.users.len()).then(|| format!("at:{i}"))))
    }

    fn row(&self, name: &str) -> Option<UserRow> {
        self.users.iter().find(|u| u.username == name).cloned()
    }

    fn detail(&self, name: &str) -> UserDetail {
        let (settings, preferred) = self.mfa.get(name).cloned().unwrap_or_default();
        let groups = self
            .members
            .get(name)
            .map(|gs| {
                self.groups
                    .iter()
                    .filter(|g| gs.contains(&g.name))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        UserDetail {
            user: self.row(name),
            username: name.to_string(),
            preferred_mfa: preferred,
            mfa_settings: settings,
            groups: Some(groups),
            devices: Some(if name == "alice" {
                vec![DeviceRow {
                    key: "us-east-1_0f3c2a9e-7d1b-4c55-9a0e-2b8f1d6c4e11".into(),
                    name: Some("alice's laptop".into()),
                    remembered: Some("remembered".into()),
                    last_authenticated: demo::NOW_MS / 1000 - 7200,
                }]
            } else {
                Vec::new()
            }),
            errors: Vec::new(),
        }
    }

    /// Runs an action: the status-pane line and the row read back, or Cognito's error.
    fn act(&mut self, a: &UserAction) -> Result<(String, Option<UserRow>), (String, String)> {
        let not_found = || {
            (
                "UserNotFoundException".to_string(),
                "User does not exist.".to_string(),
            )
        };
        let name = a.username().unwrap_or_default().to_string();
        let op = a.operation();
        let now = demo::NOW_MS / 1000;
        if !matches!(
            a,
            UserAction::Create { .. } | UserAction::CreateGroup { .. }
        ) && self.row(&name).is_none()
        {
            return Err(not_found());
        }
        let mut set = |f: &mut dyn FnMut(&mut UserRow)| {
            if let Some(u) = self.users.iter_mut().find(|u| u.username == name) {
                f(u);
                u.modified = now;
            }
        };
        let msg = match a {
            UserAction::Create {
                username,
                attributes,
                temporary_password,
                suppress_invitation,
                ..
            } => {
                if self.row(username).is_some() {
                    return Err((
                        "UsernameExistsException".into(),
                        "User account already exists".into(),
                    ));
                }
                let mut attrs = attributes.clone();
                attrs.insert(
                    "sub".into(),
                    format!("00000000-0000-4000-8000-{:012}", self.users.len()),
                );
                self.users.insert(
                    0,
                    UserRow {
                        username: username.clone(),
                        status: "FORCE_CHANGE_PASSWORD".into(),
                        enabled: true,
                        attributes: attrs,
                        created: now,
                        modified: now,
                        mfa: Vec::new(),
                    },
                );
                format!(
                    "created in FORCE_CHANGE_PASSWORD ({} temporary password, invitation {})",
                    if temporary_password.is_some() {
                        "given"
                    } else {
                        "generated"
                    },
                    if *suppress_invitation {
                        "suppressed"
                    } else {
                        "sent"
                    }
                )
            }
            UserAction::ConfirmSignUp { .. } => {
                set(&mut |u| u.status = "CONFIRMED".into());
                "confirmed".into()
            }
            UserAction::Enable { .. } => {
                set(&mut |u| u.enabled = true);
                "enabled".into()
            }
            UserAction::Disable { .. } => {
                set(&mut |u| u.enabled = false);
                "disabled, tokens revoked".into()
            }
            UserAction::Delete { .. } => {
                self.users.retain(|u| u.username != name);
                return Ok((format!("{op} {name}: deleted"), None));
            }
            UserAction::ResetPassword { .. } => {
                set(&mut |u| u.status = "RESET_REQUIRED".into());
                "reset: a code went to the outbox".into()
            }
            UserAction::SetPassword { permanent, .. } => {
                let s = if *permanent {
                    "CONFIRMED"
                } else {
                    "FORCE_CHANGE_PASSWORD"
                };
                set(&mut |u| u.status = s.into());
                format!(
                    "password set ({})",
                    if *permanent { "permanent" } else { "temporary" }
                )
            }
            UserAction::GlobalSignOut { .. } => "every refresh token revoked".into(),
            UserAction::SetMfaPreference {
                enabled, preferred, ..
            } => {
                self.mfa
                    .insert(name.clone(), (enabled.clone(), preferred.clone()));
                format!(
                    "MFA enabled: {}",
                    if enabled.is_empty() {
                        "none".into()
                    } else {
                        enabled.join(", ")
                    }
                )
            }
            UserAction::UpdateAttributes { attributes, .. } => {
                set(&mut |u| u.attributes.extend(attributes.clone()));
                format!(
                    "updated {}",
                    attributes.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            }
            UserAction::DeleteAttributes { names, .. } => {
                set(&mut |u| u.attributes.retain(|k, _| !names.contains(k)));
                format!("removed {}", names.join(", "))
            }
            UserAction::AddToGroup { group, .. } | UserAction::RemoveFromGroup { group, .. } => {
                if !self.groups.iter().any(|g| &g.name == group) {
                    return Err((
                        "ResourceNotFoundException".into(),
                        "Group not found.".into(),
                    ));
                }
                let gs = self.members.entry(name.clone()).or_default();
                gs.retain(|g| g != group);
                if matches!(a, UserAction::AddToGroup { .. }) {
                    gs.push(group.clone());
                    format!("added to {group}")
                } else {
                    format!("removed from {group}")
                }
            }
            UserAction::CreateGroup {
                group,
                description,
                precedence,
            } => {
                if self.groups.iter().any(|g| &g.name == group) {
                    return Err((
                        "GroupExistsException".into(),
                        "A group with the name already exists.".into(),
                    ));
                }
                self.groups.push(GroupRow {
                    name: group.clone(),
                    description: description.clone(),
                    precedence: *precedence,
                    created: now,
                    modified: now,
                    ..GroupRow::default()
                });
                return Ok((format!("CreateGroup {group}: created"), None));
            }
        };
        Ok((format!("{op} {name}: {msg}"), self.row(&name)))
    }
}

async fn admin_actor(mut rx: mpsc::Receiver<AdminCommand>, tx: mpsc::Sender<AdminEvent>) {
    let mut pool = FakePool::new();
    while let Some(cmd) = rx.recv().await {
        let events = match cmd {
            AdminCommand::FetchOutbox => vec![demo::outbox()],
            // The stand-in is the embedded pool, whose outbox is always read.
            AdminCommand::DetectLocalPool => vec![AdminEvent::LocalPoolFound],
            AdminCommand::ListUsers {
                filter,
                pagination_token,
                limit,
            } => {
                // A little latency, so the spinner and prefetch are visible.
                tokio::time::sleep(std::time::Duration::from_millis(150)).await;
                match pool.page(
                    filter.as_deref(),
                    pagination_token.as_deref(),
                    limit as usize,
                ) {
                    Ok((users, next_token)) => vec![AdminEvent::UsersPage {
                        filter,
                        request_token: pagination_token,
                        users,
                        next_token,
                    }],
                    Err(message) => vec![AdminEvent::Error {
                        operation: "ListUsers".into(),
                        code: "InvalidParameterException".into(),
                        message,
                    }],
                }
            }
            AdminCommand::GetUser { username } => vec![AdminEvent::UserDetail {
                detail: pool.detail(&username),
            }],
            AdminCommand::ListGroups => vec![AdminEvent::Groups {
                groups: pool.groups.clone(),
            }],
            AdminCommand::Act { action } => {
                let created_group = matches!(action, UserAction::CreateGroup { .. });
                let mut out = vec![match pool.act(&action) {
                    Ok((message, user)) => AdminEvent::ActionDone {
                        action: action.clone(),
                        message,
                        user,
                    },
                    Err((code, message)) => AdminEvent::ActionFailed {
                        operation: action.operation().to_string(),
                        action,
                        code,
                        message,
                    },
                }];
                if created_group {
                    out.push(AdminEvent::Groups {
                        groups: pool.groups.clone(),
                    });
                }
                out
            }
            AdminCommand::FetchPoolSettings => vec![AdminEvent::PoolSettings {
                settings: demo::pool_settings(),
            }],
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
                vec![AdminEvent::PoolSettings { settings }]
            }
            AdminCommand::Shutdown => break,
        };
        for ev in events {
            if tx.send(ev).await.is_err() {
                return;
            }
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
