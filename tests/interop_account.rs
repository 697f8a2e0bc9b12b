//! The signed-in user's account, driven by unchanged peers against `cognito-tui serve`:
//! Amplify JS v6 (updateUserAttributes on the email with the outbox code, confirmUserAttribute,
//! updatePassword, deleteUser, passwordless sign-up; every call through a recording proxy and
//! checked against botocore's API model), and boto3 (every account operation's errors).
//!
//! Needs node 18+ with `npm ci --prefix tests/interop`, and python3 with boto3. Without them a
//! test is skipped with a message, except under CI=true where it fails.

mod api_model;
mod support;

use std::process::Command;
use std::time::Duration;

use support::peers::{
    assert_peer_passed, interop_dir, peer_available, peer_env, probe, run_with_limit,
};
use support::pool::serve;

fn amplify_ready() -> Result<(), String> {
    let version = probe("node", &["--version"], None)?;
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 18 {
        return Err(format!(
            "node {version} is too old for Amplify JS v6 (need 18+)"
        ));
    }
    probe(
        "node",
        &[
            "--input-type=module",
            "-e",
            "await import('aws-amplify/auth')",
        ],
        Some(&interop_dir()),
    )
    .map_err(|e| format!("aws-amplify is not installed (npm ci --prefix tests/interop): {e}"))?;
    Ok(())
}

#[test]
fn amplify_js_v6_updates_confirms_changes_the_password_and_deletes_the_user() {
    if !peer_available("interop_account", amplify_ready()) {
        return;
    }
    let server = serve();
    let proxy = support::proxy::RecordingProxy::start(&server.url);
    let mut cmd = Command::new("node");
    cmd.arg(interop_dir().join("amplify_account.mjs"))
        .current_dir(interop_dir());
    peer_env(&mut cmd, &proxy.url);
    let out = run_with_limit(cmd, Duration::from_secs(120));
    let calls = proxy.calls();
    drop(proxy);
    drop(server);
    assert_peer_passed(
        "Amplify JS v6",
        &out,
        &[
            "signUp, confirmSignUp, autoSignIn",
            "updateUserAttributes on the email: CONFIRM_ATTRIBUTE_WITH_CODE, the code in the outbox",
            "confirmUserAttribute with the outbox code (a wrong one and a used one refused)",
            "sendUserAttributeVerificationCode",
            "updatePassword; the new password signs in, the old one is refused",
            "deleteUserAttributes",
            "deleteUser: signed out, and the user is gone",
            "passwordless signUp, confirmSignUp, autoSignIn (USER_AUTH)",
        ],
    );
    let ok = |op: &str| calls.iter().any(|c| c.operation == op && c.status == 200);
    for op in [
        "UpdateUserAttributes",
        "VerifyUserAttribute",
        "GetUserAttributeVerificationCode",
        "ChangePassword",
        "DeleteUserAttributes",
        "DeleteUser",
    ] {
        assert!(ok(op), "Amplify never called {op} successfully");
    }
    assert!(
        calls.iter().any(|c| c.operation == "SignUp"
            && c.status == 200
            && c.request.get("Password").is_none()),
        "the passwordless SignUp went out without a Password"
    );
    if let Some(model) = api_model::Model::load_or_skip("interop_account") {
        let problems = api_model::model_problems(&model, &calls, true);
        assert!(
            problems.is_empty(),
            "Amplify JS v6: {} of the {} calls break Cognito's API model:\n{}",
            problems.len(),
            calls.len(),
            problems.join("\n")
        );
    }
}

#[test]
fn boto3_gets_cognitos_errors_from_every_account_operation() {
    let ready = probe("python3", &["-c", "import boto3"], None).map(|_| ());
    if !peer_available("interop_account", ready) {
        return;
    }
    let served = serve();
    let mut cmd = Command::new("python3");
    cmd.arg(interop_dir().join("boto3_account.py"));
    peer_env(&mut cmd, &served.url);
    let out = run_with_limit(cmd, Duration::from_secs(120));
    assert_peer_passed(
        "boto3",
        &out,
        &[
            "UserAttributeUpdateSettings kept by CreateUserPool and DescribeUserPool, refused when not auto-verified",
            "UpdateUserAttributes: the verified email stays until the pending one is verified",
            "VerifyUserAttribute: a wrong code, then the code, then the used code (expired)",
            "GetUserAttributeVerificationCode: resend, an attribute that cannot be verified, one the user lacks",
            "ForgotPassword refused while the email is unverified",
            "DeleteUserAttributes: required and immutable attributes refused",
            "ChangePassword: a wrong previous password, a weak new one",
            "DeleteUser: the access token is refused afterwards, and the user is gone",
            "passwordless SignUp where EMAIL_OTP is allowed, refused where it is not",
        ],
    );
}
