//! The Users view (F6), all in this folder: its state and paging (`state`), keys (`keys`),
//! the users actor's answers (`events`), the table (`view`), the overlays over it
//! (`overlay`: detail panel, dialogs), the action dialogs (`dialog`) and the filter grammar
//! with its completion (`filter`).
//!
//! Inside the folder data flows down: `filter`, `format` and `dialog` import no sibling;
//! `state` imports `dialog`; `keys`, `events`, `view` and `overlay` import `state` and the
//! ones below it, and never each other.

pub mod dialog;
pub mod events;
pub mod filter;
pub mod format;
pub mod keys;
pub mod overlay;
pub mod state;
pub mod view;

pub use format::{LIST_USERS_KEPT_WHOLE, compact_list_users, date, thousands};
pub use state::{
    AdminProblem, CREDENTIAL_CODES, DetailPanel, PREFETCH_ROWS, PageRequest, UsersScreen,
};
