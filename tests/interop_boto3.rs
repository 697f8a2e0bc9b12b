//! boto3 (the AWS SDK for Python, from PyPI, unchanged) runs challenge flows against
//! `cognito-tui serve`: AdminCreateUser -> NEW_PASSWORD_REQUIRED -> tokens; SetUserPoolMfaConfig
//! ON on a pool made by CreateUserPool -> MFA_SETUP -> TOTP set up with the Session -> tokens,
//! then SOFTWARE_TOKEN_MFA; ForgotPassword -> ConfirmForgotPassword with the outbox code.
//!
//! Needs python3 with boto3 (`pip install boto3`). Without them the test is skipped with a
//! message, except under CI=true where it fails.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_POOL_ID};

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python_ready() -> Result<(), String> {
    let out = Command::new("python3")
        .args(["-c", "import boto3"])
        .output()
        .map_err(|e| format!("python3 is not available ({e})"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "boto3 is not installed for python3 (pip install boto3): {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ))
    }
}

#[test]
fn boto3_new_password_mfa_setup_and_forgot_password_flows() {
    if let Err(why) = python_ready() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("interop test cannot run under CI: {why}");
        }
        eprintln!("SKIPPED interop_boto3: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pool.sqlite3");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-tui"))
        .args(["serve", "--port", "0", "--db"])
        .arg(&db)
        .env("COGNITO_TUI_HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cognito-tui serve");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);

    // The first line names the URL: "... listening on http://127.0.0.1:PORT".
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(first)) = lines.next() {
            let _ = tx.send(first);
        }
        // Keep draining so the server never blocks on a full pipe.
        for _ in lines {}
    });
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("serve printed its URL");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/boto3_flows.py");
    let started = Instant::now();
    let mut py = Command::new("python3")
        .arg(script)
        .env("POOL_ENDPOINT", &url)
        .env("POOL_ID", DEMO_POOL_ID)
        .env("CLIENT_ID", DEMO_CLIENT_ID)
        // boto3 wants some credentials even for unsigned operations; never real ones.
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("COGNITO_JWKS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    // A hung script fails the test instead of hanging it.
    loop {
        if py.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = py.kill();
            panic!("boto3 script timed out");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = py.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    drop(server);
    assert!(
        out.status.success() && stdout.contains("ALL OK"),
        "boto3 interop failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    for check in [
        "AdminCreateUser -> NEW_PASSWORD_REQUIRED -> RespondToAuthChallenge -> tokens",
        "SetUserPoolMfaConfig ON -> MFA_SETUP -> TOTP set up with the Session -> tokens",
        "second sign-in answers SOFTWARE_TOKEN_MFA with a computed code",
        "ForgotPassword -> ConfirmForgotPassword with the outbox code -> sign-in",
    ] {
        assert!(stdout.contains(check), "missing check {check:?}:\n{stdout}");
    }
}
