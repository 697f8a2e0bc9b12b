//! Amplify JS v6 (npm `aws-amplify@6`, unchanged) against `cognito-tui serve` through
//! `Auth.Cognito.userPoolEndpoint`: signUp with autoSignIn → confirmSignUp with the outbox code →
//! autoSignIn → fetchAuthSession({forceRefresh}) (GetTokensFromRefreshToken) → signOut
//! (RevokeToken) → a wrong password rejected → signIn with the default SRP flow
//! → setUpTOTP / verifyTOTPSetup / updateMFAPreference → signIn answers
//! CONFIRM_SIGN_IN_WITH_TOTP_CODE → confirmSignIn → signOut global → the old access token refused
//! by GetUser; then a wrong TOTP code, USER_PASSWORD_AUTH and an unconfirmed user's
//! CONFIRM_SIGN_UP step; custom auth (CUSTOM_WITHOUT_SRP with a retried wrong answer,
//! CUSTOM_WITH_SRP) with the custom-auth demo client and its built-in trigger; USER_AUTH with
//! preferred EMAIL_OTP and PASSWORD_SRP and the SELECT_CHALLENGE step; MFA selection
//! (CONTINUE_SIGN_IN_WITH_MFA_SELECTION) with `mfa-choice`. Every call goes through a recording
//! proxy and is checked against botocore's API model.
//!
//! Needs node 18+ and `npm ci --prefix tests/interop`. Without them the test is skipped with a
//! message, except under CI=true where it fails.

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
fn amplify_js_v6_journey_with_default_srp_sign_in() {
    if !peer_available("interop_amplify", amplify_ready()) {
        return;
    }
    let server = serve();
    let proxy = support::proxy::RecordingProxy::start(&server.url);
    let mut cmd = Command::new("node");
    cmd.arg(interop_dir().join("amplify_journey.mjs"))
        .current_dir(interop_dir());
    peer_env(&mut cmd, &proxy.url);
    let out = run_with_limit(cmd, Duration::from_secs(180));
    let calls = proxy.calls();
    drop(proxy);
    drop(server);
    assert_peer_passed(
        "Amplify JS v6",
        &out,
        &[
            "signUp with autoSignIn: CONFIRM_SIGN_UP",
            "confirmSignUp with the outbox code, autoSignIn, getCurrentUser, fetchUserAttributes",
            "fetchAuthSession forceRefresh",
            "signOut revokes the refresh token and its access tokens",
            "wrong password rejected: NotAuthorizedException \"Incorrect username or password.\"",
            "signIn (default USER_SRP_AUTH)",
            "setUpTOTP, verifyTOTPSetup, updateMFAPreference; signIn answers CONFIRM_SIGN_IN_WITH_TOTP_CODE; confirmSignIn",
            "signOut global: the old access token is refused by GetUser",
            "a wrong TOTP code is rejected with CodeMismatchException",
            "USER_PASSWORD_AUTH asks for TOTP too; an unconfirmed user gets CONFIRM_SIGN_UP",
            "CUSTOM_WITHOUT_SRP: custom challenge, a wrong answer retried, the outbox code signs in",
            "CUSTOM_WITH_SRP: SRP, then the custom challenge",
            "USER_AUTH with preferred EMAIL_OTP and the outbox code",
            "USER_AUTH with preferred PASSWORD_SRP",
            "USER_AUTH SELECT_CHALLENGE: the first-factor selection answered with PASSWORD_SRP, then with EMAIL_OTP",
            "CONTINUE_SIGN_IN_WITH_MFA_SELECTION: TOTP chosen and answered, then EMAIL chosen and answered",
        ],
    );
    // Amplify itself (not the script's raw checks) used the operations the journey is about.
    let ops: std::collections::BTreeSet<&str> =
        calls.iter().map(|c| c.operation.as_str()).collect();
    for op in [
        "SignUp",
        "ConfirmSignUp",
        "InitiateAuth",
        "RespondToAuthChallenge",
        "GetTokensFromRefreshToken",
        "RevokeToken",
        "GlobalSignOut",
        "GetUser",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "SetUserMFAPreference",
    ] {
        assert!(ops.contains(op), "Amplify never called {op}: {ops:?}");
    }
    let srp = calls.iter().any(|c| {
        c.operation == "InitiateAuth" && c.request["AuthFlow"] == "USER_SRP_AUTH" && c.status == 200
    });
    assert!(srp, "Amplify's default sign-in used USER_SRP_AUTH");
    // The custom-auth, USER_AUTH and MFA-selection steps went over the wire as Cognito's.
    let sent = |flow: &str, check: &dyn Fn(&serde_json::Value) -> bool| {
        calls.iter().any(|c| {
            c.operation == "InitiateAuth"
                && c.request["AuthFlow"] == flow
                && c.status == 200
                && check(&c.request["AuthParameters"])
        })
    };
    assert!(
        sent("CUSTOM_AUTH", &|p| p.get("SRP_A").is_none()),
        "CUSTOM_WITHOUT_SRP: InitiateAuth CUSTOM_AUTH without SRP_A"
    );
    assert!(
        sent("CUSTOM_AUTH", &|p| p["CHALLENGE_NAME"] == "SRP_A"
            && p.get("SRP_A").is_some()),
        "CUSTOM_WITH_SRP: InitiateAuth CUSTOM_AUTH with SRP_A"
    );
    for preferred in ["EMAIL_OTP", "PASSWORD_SRP"] {
        assert!(
            sent("USER_AUTH", &|p| p["PREFERRED_CHALLENGE"] == preferred),
            "USER_AUTH with PREFERRED_CHALLENGE {preferred}"
        );
    }
    let answered = |challenge: &str, check: &dyn Fn(&serde_json::Value) -> bool| {
        calls.iter().any(|c| {
            c.operation == "RespondToAuthChallenge"
                && c.request["ChallengeName"] == challenge
                && c.status == 200
                && check(&c.request["ChallengeResponses"])
        })
    };
    assert!(answered("CUSTOM_CHALLENGE", &|_| true));
    assert!(answered("EMAIL_OTP", &|r| r
        .get("EMAIL_OTP_CODE")
        .is_some()));
    assert!(answered("SELECT_CHALLENGE", &|r| r["ANSWER"] == "PASSWORD_SRP"));
    assert!(answered("SELECT_CHALLENGE", &|r| r["ANSWER"] == "EMAIL_OTP"));
    assert!(answered("SELECT_MFA_TYPE", &|r| r["ANSWER"] == "SOFTWARE_TOKEN_MFA"));
    assert!(answered("SELECT_MFA_TYPE", &|r| r["ANSWER"] == "EMAIL_OTP"));
    if let Some(model) = api_model::Model::load_or_skip("interop_amplify") {
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
