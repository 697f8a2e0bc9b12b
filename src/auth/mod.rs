//! Amplify-style auth flows: the step enums, the pure flow machine, and the actor that runs it.

pub mod actor;
pub mod events;
pub mod explain;
pub mod machine;
pub mod session;
pub mod steps;
pub mod stores;
pub mod token_check;

pub use actor::{ActorOptions, AuthHandle, spawn};

#[cfg(test)]
mod account_tests;
#[cfg(test)]
mod machine_tests;
