//! The AWS CLI (PyPI `awscli`, unchanged) against `cognito-tui serve` with `--endpoint-url`:
//! tests/interop/awscli.sh creates a pool and app clients, signs up, confirms (admin and with the
//! outbox code), signs in with USER_PASSWORD_AUTH, lists users with filters and paging, and runs
//! every admin operation the pool supports, checking outputs and exact error messages; then a
//! pool with a custom-attribute schema, and a domain, a resource server and an identity
//! provider created and deleted.
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
            "create-user-pool --schema (custom attributes)",
            "custom attributes enforced on admin writes; add-custom-attributes",
            "create/describe/delete-user-pool-domain",
            "create/list/delete-resource-server",
            "create/describe/delete-identity-provider",
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

/// The claims of a JWT (its middle part), for comparing two answers' tokens.
fn claims(jwt: &str) -> serde_json::Map<String, serde_json::Value> {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url claims");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// Claims that differ between two sign-ins of the same user by design.
const PER_SIGN_IN: &[&str] = &["iat", "exp", "auth_time", "jti", "origin_jti", "event_id"];

fn same_claims(a: &str, b: &str) {
    let (mut a, mut b) = (claims(a), claims(b));
    for k in PER_SIGN_IN {
        a.remove(*k);
        b.remove(*k);
    }
    assert_eq!(a, b, "the two sign-ins' tokens say different things");
}

/// The inspector's "copy as AWS CLI command" of a USER_PASSWORD_AUTH InitiateAuth, run by the
/// real AWS CLI with its placeholder filled from the environment, gets the answer the app got:
/// the same token type, lifetime and claims for the right password, the same error for a wrong one.
#[test]
fn copied_aws_cli_command_gets_the_same_answer() {
    use cognito_tui::cognito::reproduce::{CallSpec, aws_cli};
    use cognito_tui::cognito::types::InitiateAuthRequest;
    use cognito_tui::cognito::{Client, Request, Response};
    use cognito_tui::config::Target;
    use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_PASSWORD, DEMO_POOL_ID};

    if !peer_available("interop_awscli", cli_ready()) {
        return;
    }
    let server = serve();
    let target = Target {
        endpoint: server.url.clone(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: true,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = Client::new(&target).unwrap();
    let sign_in = |password: &str| {
        let req = InitiateAuthRequest {
            auth_flow: "USER_PASSWORD_AUTH".into(),
            client_id: DEMO_CLIENT_ID.into(),
            auth_parameters: [
                ("USERNAME".to_string(), DEMO_CONFIRMED_USERS[0].to_string()),
                ("PASSWORD".to_string(), password.to_string()),
            ]
            .into(),
            session: None,
            secret_hash_username: None,
        };
        rt.block_on(client.send(Request::InitiateAuth(req), vec![]))
    };
    // What the copy is made from: the exchange, as the inspector holds it.
    let run_copy = |x: &cognito_tui::cognito::WireExchange, password: &str| {
        let r = aws_cli(&CallSpec {
            operation: &x.operation,
            request: &x.request,
            endpoint: &x.endpoint,
            region: "us-east-1",
        });
        assert!(!r.text().contains(password), "the copy carries no password");
        assert_eq!(r.placeholders.len(), 1, "{:?}", r.placeholders);
        assert_eq!(r.placeholders[0].var, "COGNITO_PASSWORD");
        let mut cmd = Command::new("bash");
        cmd.arg("-c").arg(r.text());
        peer_env(&mut cmd, &server.url);
        cmd.env("COGNITO_PASSWORD", password);
        run_with_limit(cmd, Duration::from_secs(60))
    };

    let call = sign_in(DEMO_PASSWORD);
    let Ok(Response::InitiateAuth(app)) = call.result else {
        panic!("the app's sign-in failed: {:?}", call.result.err());
    };
    let app = app.authentication_result.expect("tokens for the demo user");
    let out = run_copy(&call.exchange, DEMO_PASSWORD);
    assert!(
        out.status.success(),
        "the copied command failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the CLI prints JSON");
    let cli = &cli["AuthenticationResult"];
    assert_eq!(cli["TokenType"], app.token_type.clone().unwrap());
    assert_eq!(cli["ExpiresIn"], app.expires_in.unwrap());
    assert!(cli["RefreshToken"].is_string());
    same_claims(cli["IdToken"].as_str().unwrap(), &app.id_token.unwrap());
    same_claims(
        cli["AccessToken"].as_str().unwrap(),
        &app.access_token.unwrap(),
    );

    // A wrong password: the same refusal, word for word.
    let call = sign_in("Wrong-passw0rd!");
    let err = call.result.expect_err("a wrong password is refused");
    let out = run_copy(&call.exchange, "Wrong-passw0rd!");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = call.exchange.error.clone().unwrap();
    assert_eq!(code, "NotAuthorizedException");
    let message = call.exchange.response["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        stderr.contains(&format!(
            "An error occurred ({code}) when calling the InitiateAuth operation: {message}"
        )),
        "the CLI's answer differs from the app's ({err}):\n{stderr}"
    );
}
