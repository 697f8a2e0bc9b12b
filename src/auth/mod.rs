//! Amplify-style auth flows: the step enums, the pure flow machine, and the actor that runs it.

pub mod events;
pub mod machine;
pub mod session;
pub mod steps;
