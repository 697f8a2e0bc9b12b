//! The README's compatibility table, measured: tests/interop/compat_probe.py (boto3) runs every
//! row with valid requests and checks Cognito's answers. Against `cognito-tui serve` every row
//! must be "supported". Against moto the rows are recorded (printed), and only what suite 4
//! (tests/interop_moto.rs) also asserts is asserted here: moto lacks GetTokensFromRefreshToken
//! and does not verify SRP. `scripts/compat-table.sh` runs the same probe against moto and
//! cognito-local and prints the README table.
//!
//! Needs python3 with boto3, pycognito and moto[server] (`pip install -r
//! tests/interop/requirements.txt`). Without them the tests are skipped with a message, except
//! under CI=true where they fail.

mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::peers::{interop_dir, moto, moto_ready, peer_available, probe, run_with_limit};
use support::pool::serve;

fn probe_ready() -> Result<(), String> {
    probe("python3", &["-c", "import boto3, pycognito"], None)
        .map(|_| ())
        .map_err(|e| {
            format!(
                "boto3 / pycognito missing (pip install -r tests/interop/requirements.txt): {e}"
            )
        })
}

/// Runs the probe against `endpoint`; returns row title → (status, detail).
fn run_probe(endpoint: &str, name: &str) -> Vec<(String, String, String)> {
    let mut cmd = Command::new("python3");
    cmd.arg(interop_dir().join("compat_probe.py"))
        .args(["--name", name])
        .env("POOL_ENDPOINT", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("COGNITO_LOCAL_DB");
    let out = run_with_limit(cmd, Duration::from_secs(240));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "compat_probe.py failed:\n{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("compat_probe.py printed no JSON ({e}):\n{stderr}"));
    eprintln!("compatibility probe against {name}:\n{stderr}");
    v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["row"].as_str().unwrap_or_default().to_string(),
                r["status"].as_str().unwrap_or_default().to_string(),
                r["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_compatibility_row_is_supported_by_the_embedded_pool() {
    if !peer_available("interop_compat", probe_ready()) {
        return;
    }
    let server = serve();
    let rows = run_probe(&server.url, "cognito-tui serve");
    assert!(rows.len() >= 20, "the probe measured {} rows", rows.len());
    let failing: Vec<String> = rows
        .iter()
        .filter(|(_, status, _)| status != "supported")
        .map(|(row, status, detail)| format!("{row}: {status} ({detail})"))
        .collect();
    assert!(
        failing.is_empty(),
        "rows the embedded pool does not support as Cognito does:\n{}",
        failing.join("\n")
    );
}

#[test]
fn compatibility_rows_are_measured_against_moto() {
    if !peer_available("interop_compat", moto_ready().and(probe_ready())) {
        return;
    }
    let server = moto();
    let rows = run_probe(&server.url, "moto");
    assert!(rows.len() >= 20, "the probe measured {} rows", rows.len());
    let status = |title: &str| {
        rows.iter()
            .find(|(row, _, _)| row == title)
            .map(|(_, s, d)| (s.clone(), d.clone()))
            .unwrap_or_else(|| panic!("no row {title:?}"))
    };
    // Recorded, not asserted, except what suite 4 asserts too.
    assert_eq!(status("GetTokensFromRefreshToken").0, "not implemented");
    let (srp, detail) =
        status("InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge PASSWORD_VERIFIER");
    assert_eq!(srp, "wrong");
    assert!(
        detail.contains("a proof made with a wrong password: accepted"),
        "{detail}"
    );
    assert_eq!(status("InitiateAuth USER_PASSWORD_AUTH").0, "supported");
}
