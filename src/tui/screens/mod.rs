//! One module per screen. Each screen is a struct that owns its state, handles its keys and
//! its submit (returning [`Action`](super::shared::Action)s for the app to route) and draws
//! itself. Screens use the shared types, the context and the widgets, never the app or one
//! another.

pub mod account;
pub mod challenge;
pub mod confirm;
pub mod outbox;
pub mod pool;
pub mod session;
pub mod sign_in;
pub mod sign_up;

pub use super::shared::Screen;
