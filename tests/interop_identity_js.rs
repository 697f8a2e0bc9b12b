//! amazon-cognito-identity-js (npm, unchanged) against `cognito-tui serve`: SRP sign-in
//! (authenticateUser's default USER_SRP_AUTH), getUserAttributes, refreshSession, globalSignOut
//! and the old access token refused by GetUser, a wrong password rejected with
//! NotAuthorizedException "Incorrect username or password.", and sign-up → confirm → sign-in.
//!
//! Needs node and the package installed by `npm ci --prefix tests/interop`. Without them the test
//! is skipped with a message, except under CI=true where it fails.

mod api_model;
mod support;

use std::process::Command;
use std::time::Duration;

use support::peers::{
    assert_peer_passed, interop_dir, peer_available, peer_env, probe, run_with_limit,
};
use support::pool::serve;

fn node_ready() -> Result<(), String> {
    let version = probe("node", &["--version"], None)?;
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 18 {
        return Err(format!("node {version} has no global fetch (need 18+)"));
    }
    probe(
        "node",
        &[
            "--input-type=module",
            "-e",
            "await import('amazon-cognito-identity-js')",
        ],
        Some(&interop_dir()),
    )
    .map_err(|e| {
        format!("amazon-cognito-identity-js is not installed (npm ci --prefix tests/interop): {e}")
    })?;
    Ok(())
}

#[test]
fn amazon_cognito_identity_js_signs_in_refreshes_and_signs_out_globally() {
    if !peer_available("interop_identity_js", node_ready()) {
        return;
    }
    let server = serve();
    // The peer talks to the pool through a recording proxy: every request it sends and every
    // response the pool returns is then checked against botocore's model of the API.
    let proxy = support::proxy::RecordingProxy::start(&server.url);
    let mut cmd = Command::new("node");
    cmd.arg(interop_dir().join("identity_js.mjs"))
        .current_dir(interop_dir());
    peer_env(&mut cmd, &proxy.url);
    let out = run_with_limit(cmd, Duration::from_secs(120));
    let calls = proxy.calls();
    drop(proxy);
    drop(server);
    assert_peer_passed(
        "amazon-cognito-identity-js",
        &out,
        &[
            "SRP sign-in (authenticateUser, USER_SRP_AUTH)",
            "getUserAttributes",
            "refreshSession",
            "getSession from storage",
            "globalSignOut",
            "old access tokens refused by GetUser after globalSignOut",
            "refresh token refused after globalSignOut",
            "wrong password rejected (SRP and USER_PASSWORD_AUTH)",
            "USER_PASSWORD_AUTH sign-in",
            "unknown user rejected",
            "signUp, confirmRegistration with the outbox code, sign in",
        ],
    );
    assert!(
        calls.len() > 10,
        "the proxy saw the peer's calls: {}",
        calls.len()
    );
    if let Some(model) = api_model::Model::load_or_skip("interop_identity_js") {
        let problems = api_model::model_problems(&model, &calls, true);
        assert!(
            problems.is_empty(),
            "amazon-cognito-identity-js: {} of the {} calls break Cognito's API model:\n{}",
            problems.len(),
            calls.len(),
            problems.join("\n")
        );
    }
}
