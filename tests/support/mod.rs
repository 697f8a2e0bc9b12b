//! The one test harness. Every test that starts a pool starts it here:
//!
//! - [`pool`]: the embedded pool in-process ([`Harness`], [`start_pool`]) or as the `serve`
//!   binary ([`serve`]), on a temporary store;
//! - [`cases`]: table rows of requests and the answers they expect;
//! - [`http`]: raw requests as an AWS SDK sends them (SigV4 where Cognito signs) and the answer;
//! - [`tmux`]: a program in a private tmux server, keys in, screen out;
//! - [`peers`]: interop peers (Python, Node, the AWS CLI, moto) and the headless driver, with the
//!   CI rule: under CI=true a missing peer fails the test, elsewhere it skips with a message;
//! - [`proxy`]: a recording proxy between a client and the pool;
//! - [`hostile`]: a server that misbehaves on purpose (redirects, endless bodies, absurd tokens).
//!
//! Each test binary compiles it whole and uses a part, hence the allowances.
#![allow(dead_code, unused_imports)]

pub mod cases;
pub mod hostile;
pub mod http;
pub mod peers;
pub mod pool;
pub mod proxy;
pub mod tmux;

pub use cases::{Case, Want};
pub use http::{Resp, claims, raw_request, sign_if_needed, signer};
pub use pool::{
    Harness, Served, example, serve, serve_with, start_pool, start_pool_with, verifier_answer,
};
