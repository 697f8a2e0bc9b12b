//! cognito-tui: a terminal debugger and teaching tool for Amazon Cognito user-pool sign-in,
//! with an embedded Cognito-compatible user pool.
//!
//! Layers (none imports the UI): `srp` (Cognito's SRP math), `cognito` (the wire client),
//! `auth` (the flow machine and its actor), `admin` (the users actor), `local` (the embedded
//! pool), `tui` (the terminal UI), `headless` (JSON-lines driver).

#![forbid(unsafe_code)]

pub mod admin;
pub mod auth;
pub mod cli;
pub mod cognito;
pub mod config;
pub mod headless;
pub mod local;
pub mod paths;
pub mod secret;
pub mod srp;
pub mod transcript;
pub mod tui;
