//! One module per screen. Each draws itself from the [`App`](super::App) state.

pub mod challenge;
pub mod forms;
pub mod outbox;
pub mod pool;
pub mod session;
pub mod users;

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
        }
    }
}
