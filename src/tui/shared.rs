//! Types every layer of the UI shares: the [`Action`]s screens hand to the app, the flash
//! line, a request held in step mode, the screen names and the target shown in the header.
//! This module imports nothing from the rest of `tui`, so widgets, screens and the app may
//! all use it without a circle.

use crate::admin::{AdminCommand, OutboxEntry};
use crate::auth::events::{AuthCommand, AuthFlowType};
use crate::config::Target;
use crate::transcript::Transcript;

/// Cognito's default AuthSessionValidity.
pub const SESSION_VALIDITY_MS: i64 = 3 * 60 * 1000;

/// The spinner's frames (one per 100 ms).
pub const SPINNER: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The sign-in flows offered by the Sign in screen, in selector order.
pub const FLOWS: &[(AuthFlowType, &str)] = &[
    (AuthFlowType::UserSrpAuth, "USER_SRP_AUTH"),
    (AuthFlowType::UserPasswordAuth, "USER_PASSWORD_AUTH"),
    (AuthFlowType::CustomWithSrp, "CUSTOM_WITH_SRP"),
    (AuthFlowType::CustomWithoutSrp, "CUSTOM_WITHOUT_SRP"),
    (AuthFlowType::UserAuth, "USER_AUTH"),
];

pub fn flow_name(f: AuthFlowType) -> &'static str {
    FLOWS
        .iter()
        .find(|(x, _)| *x == f)
        .map(|(_, n)| *n)
        .unwrap_or("?")
}

/// What a key press or an event asks for. The first four leave the app for the run loop;
/// the others are requests a screen makes of the app (another screen is involved), and the
/// app resolves them before returning.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Auth(AuthCommand),
    Admin(AdminCommand),
    /// Put this text on the clipboard (OSC 52: works over SSH, needs no X/Wayland).
    Copy(String),
    Quit,
    /// Show another screen.
    Goto(Screen),
    /// Drop the challenge being shown and go back to Sign in.
    CancelChallenge,
    /// Fill this outbox code into the screen that waits for it.
    UseCode(OutboxEntry),
    /// Write the transcript (Markdown at `path`, JSON beside it), off the UI thread.
    Export {
        path: std::path::PathBuf,
        transcript: Box<Transcript>,
    },
}

impl Action {
    /// True for the actions the run loop carries out (the rest stay inside the app).
    pub fn leaves_app(&self) -> bool {
        matches!(
            self,
            Action::Auth(_)
                | Action::Admin(_)
                | Action::Copy(_)
                | Action::Quit
                | Action::Export { .. }
        )
    }
}

/// A one-line message at the bottom of the current screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

impl Flash {
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            error: false,
        }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            error: true,
        }
    }
}

/// A request the auth actor holds in step mode until the user sends or drops it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRequest {
    pub api: String,
    pub operation: String,
    /// The request body, secrets already redacted by the actor.
    pub request: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    SignUp,
    Confirm,
    SignIn,
    Challenge,
    Session,
    Users,
    Outbox,
    Pool,
    /// The signed-in user's account, opened from Session (not a tab of its own).
    Account,
}

impl Screen {
    /// In tab order (F1…F8).
    pub const ALL: [Screen; 8] = [
        Screen::SignUp,
        Screen::Confirm,
        Screen::SignIn,
        Screen::Challenge,
        Screen::Session,
        Screen::Users,
        Screen::Outbox,
        Screen::Pool,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::SignUp => "Sign up",
            Screen::Confirm => "Confirm",
            Screen::SignIn => "Sign in",
            Screen::Challenge => "Challenge",
            Screen::Session => "Session",
            Screen::Users => "Users",
            Screen::Outbox => "Outbox",
            Screen::Pool => "Pool",
            Screen::Account => "Account",
        }
    }

    /// The tab shown as current: the Account screen belongs to Session's.
    pub fn tab(self) -> Screen {
        match self {
            Screen::Account => Screen::Session,
            s => s,
        }
    }
}

/// Which pool the app talks to, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    pub kind: TargetKind,
    pub user_pool_id: String,
    pub client_id: String,
    pub region: String,
    pub endpoint: String,
    /// Whether the app client has a secret (its value stays with the actors).
    pub client_secret: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The pool embedded in this process.
    Embedded,
    /// Real Amazon Cognito.
    Aws,
    /// Another Cognito-compatible endpoint (`--endpoint`).
    Custom,
}

impl TargetInfo {
    pub fn from_target(t: &Target) -> Self {
        let kind = if t.local {
            TargetKind::Embedded
        } else if t.endpoint.trim_end_matches('/')
            == Target::aws_endpoint(&t.region).trim_end_matches('/')
        {
            TargetKind::Aws
        } else {
            TargetKind::Custom
        };
        Self {
            kind,
            user_pool_id: t.user_pool_id.clone(),
            client_id: t.client_id.clone(),
            region: t.region.clone(),
            endpoint: t.endpoint.clone(),
            client_secret: t.client_secret.is_some(),
        }
    }

    /// `embedded`, `AWS` or `custom`.
    pub fn kind_word(&self) -> &'static str {
        match self.kind {
            TargetKind::Embedded => "embedded",
            TargetKind::Aws => "AWS",
            TargetKind::Custom => "custom",
        }
    }

    /// `embedded pool us-east-1_xxx @ http://127.0.0.1:port`, `AWS eu-west-1_abc`, ...
    pub fn label(&self) -> String {
        let endpoint = self.endpoint.trim_end_matches('/');
        match self.kind {
            TargetKind::Embedded => format!("embedded pool {} @ {endpoint}", self.user_pool_id),
            TargetKind::Aws => format!("AWS {}", self.user_pool_id),
            TargetKind::Custom => format!("pool {} @ {endpoint}", self.user_pool_id),
        }
    }
}
