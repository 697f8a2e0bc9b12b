//! The AWS CLI (PyPI `awscli`, unchanged) against `cognito-tui serve` with `--endpoint-url`:
//! tests/interop/awscli.sh creates a pool and app clients, signs up, confirms (admin and with the
//! outbox code), signs in with USER_PASSWORD_AUTH, lists users with filters and paging, and runs
//! every admin operation the pool supports, checking outputs and exact error messages.
//!
//! Needs bash, python3 and `aws` (pip install awscli). Without them the test is skipped with a
//! message, except under CI=true where it fails.

mod api_model;
mod support;

use std::process::Command;
use std::time::Duration;

use support::peers::{
    assert_peer_passed, interop_dir, peer_available, peer_env, probe, run_with_limit,
};
use support::pool::serve;

fn cli_ready() -> Result<(), String> {
    probe("bash", &["--version"], None)?;
    probe("python3", &["--version"], None)?;
    probe("aws", &["--version"], None)
        .map_err(|e| format!("the AWS CLI is not installed (pip install awscli): {e}"))?;
    Ok(())
}

#[test]
fn aws_cli_manages_pools_users_and_signs_in() {
    if !peer_available("interop_awscli", cli_ready()) {
        return;
    }
    let server = serve();
    // The peer talks to the pool through a recording proxy: every request it sends and every
    // response the pool returns is then checked against botocore's model of the API.
    let proxy = support::proxy::RecordingProxy::start(&server.url);
    let mut cmd = Command::new("bash");
    cmd.arg(interop_dir().join("awscli.sh"));
    peer_env(&mut cmd, &proxy.url);
    let out = run_with_limit(cmd, Duration::from_secs(480));
    let calls = proxy.calls();
    drop(proxy);
    drop(server);
    assert_peer_passed(
        "AWS CLI",
        &out,
        &[
            "create-user-pool",
            "describe-user-pool",
            "create-user-pool-client",
            "describe-user-pool-client",
            "list-user-pools and list-user-pool-clients",
            "describe-user-pool of a missing pool: ResourceNotFoundException",
            "sign-up (policy enforced, duplicates refused)",
            "admin-confirm-sign-up and admin-get-user",
            "confirm-sign-up with the outbox code verifies the email",
            "initiate-auth USER_PASSWORD_AUTH and get-user",
            "initiate-auth REFRESH_TOKEN_AUTH",
            "wrong password, unknown user and a disabled flow refused",
            "list-users with filters and paging",
            "admin-disable-user: sign-in refused with \"User is disabled.\"",
            "admin-enable-user: sign-in works again",
            "admin-user-global-sign-out revokes access and refresh tokens",
            "admin-set-user-password --permanent",
            "admin-create-user, then NEW_PASSWORD_REQUIRED answered with respond-to-auth-challenge",
            "forgot-password / confirm-forgot-password with the outbox code, change-password",
            "admin-reset-user-password, then confirm-forgot-password with the outbox code",
            "set-user-pool-mfa-config, get-user-pool-mfa-config, admin-set-user-mfa-preference",
            "admin-delete-user",
            "admin-initiate-auth ADMIN_USER_PASSWORD_AUTH",
            "admin-respond-to-auth-challenge NEW_PASSWORD_REQUIRED",
            "update-user-pool-client",
            "delete-user-pool-client",
            "delete-user-pool",
        ],
    );
    assert!(
        calls.len() > 10,
        "the proxy saw the peer's calls: {}",
        calls.len()
    );
    if let Some(model) = api_model::Model::load_or_skip("interop_awscli") {
        let problems = api_model::model_problems(&model, &calls, true);
        assert!(
            problems.is_empty(),
            "AWS CLI: {} of the {} calls break Cognito's API model:\n{}",
            problems.len(),
            calls.len(),
            problems.join("\n")
        );
    }
}
