//! boto3 (the AWS SDK for Python, from PyPI, unchanged) runs challenge flows against
//! `cognito-tui serve`: AdminCreateUser -> NEW_PASSWORD_REQUIRED -> tokens; SetUserPoolMfaConfig
//! ON on a pool made by CreateUserPool -> MFA_SETUP -> TOTP set up with the Session -> tokens,
//! then SOFTWARE_TOKEN_MFA; ForgotPassword -> ConfirmForgotPassword with the outbox code.
//!
//! Needs python3 with boto3 (`pip install -r tests/interop/requirements.txt`). Without them the
//! test is skipped with a message, except under CI=true where it fails.

mod support;

use std::process::Command;
use std::time::Duration;

use support::peers::{
    assert_peer_passed, interop_dir, peer_available, peer_env, probe, run_with_limit,
};
use support::pool::serve;

#[test]
fn boto3_new_password_mfa_setup_and_forgot_password_flows() {
    let ready = probe("python3", &["-c", "import boto3"], None).map(|_| ());
    if !peer_available("interop_boto3", ready) {
        return;
    }
    let served = serve();
    let mut cmd = Command::new("python3");
    cmd.arg(interop_dir().join("boto3_flows.py"));
    peer_env(&mut cmd, &served.url);
    let out = run_with_limit(cmd, Duration::from_secs(180));
    assert_peer_passed(
        "boto3",
        &out,
        &[
            "AdminCreateUser -> NEW_PASSWORD_REQUIRED -> RespondToAuthChallenge -> tokens",
            "SetUserPoolMfaConfig ON -> MFA_SETUP -> TOTP set up with the Session -> tokens",
            "second sign-in answers SOFTWARE_TOKEN_MFA with a computed code",
            "ForgotPassword -> ConfirmForgotPassword with the outbox code -> sign-in",
            "50 CreateUserPool calls in a row, keys ready ahead of need",
            "AdminInitiateAuth -> NEW_PASSWORD_REQUIRED -> AdminRespondToAuthChallenge -> tokens",
            "UpdateUserPoolClient keeps the OAuth fields and token validity",
            "DeleteUserPoolClient and DeleteUserPool for every pool made",
        ],
    );
}
