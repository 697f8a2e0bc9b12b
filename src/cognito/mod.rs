//! The Cognito wire client: typed operations over `application/x-amz-json-1.1`.
//!
//! Every call yields exactly one [`WireExchange`] with secrets redacted ([`redact`]), and
//! failures are normalised into one [`CognitoError`].

pub mod admin;
mod challenge_names;
pub mod client;
pub mod codes;
pub mod error;
pub mod exchange;
pub mod jwks;
pub mod pool;
pub mod redact;
pub mod reproduce;
mod response;
pub mod sigv4;
pub mod types;

pub use client::{Call, Client, ClientOptions, DEFAULT_TIMEOUT, now_ms, trigger_exchange};
pub use codes::ClientCode;
pub use error::{CognitoError, normalize_code};
pub use exchange::{CallOrigin, WireExchange};
pub use sigv4::{RequestSigner, SigV4Signer, needs_sigv4};
pub use types::{Request, Response};

#[cfg(test)]
mod tests;
