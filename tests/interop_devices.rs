//! Remembered devices against `cognito-tui serve`, driven by unchanged peers:
//!
//! - Amplify JS v6 (`tests/interop/amplify_devices.mjs`): signIn (NewDeviceMetadata, then
//!   Amplify's own ConfirmDevice), rememberDevice, signOut, signIn again with device SRP
//!   (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER, checked here on the wire), fetchDevices,
//!   forgetDevice, and a device the pool forgot (Amplify's retry without it);
//! - boto3 (`tests/interop/boto3_devices.py`): every device operation and its errors, and
//!   pycognito's own device sign-in (device SRP answered without a Session).
//!
//! Needs node 18+ with `npm ci --prefix tests/interop`, and python3 with boto3. Without them a
//! test is skipped with a message, except under CI=true where it fails.

mod api_model;
mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use support::peers::{
    assert_peer_passed, interop_dir, peer_available, peer_env, probe, run_with_limit,
};
use support::pool::serve;

const DEVICE_PASSWORD: &str = "Device-Passw0rd!";

fn amplify_ready() -> Result<(), String> {
    probe(
        "node",
        &[
            "--input-type=module",
            "-e",
            "await import('aws-amplify/auth')",
        ],
        Some(&interop_dir()),
    )
    .map(|_| ())
    .map_err(|e| format!("aws-amplify is not installed (npm ci --prefix tests/interop): {e}"))
}

/// A pool that tracks devices (remembered on the user's prompt), an SRP client and a
/// confirmed user, made through the admin API: (pool id, client id, username).
fn device_pool(url: &str) -> (String, String, String) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let http = reqwest::Client::new();
        let call = |op: &'static str, body: Value| {
            let http = http.clone();
            async move { support::http::call(&http, url, op, &body).await.ok() }
        };
        let pool = call(
            "CreateUserPool",
            json!({
                "PoolName": "devices",
                "DeviceConfiguration": {
                    "ChallengeRequiredOnNewDevice": false,
                    "DeviceOnlyRememberedOnUserPrompt": true,
                },
            }),
        )
        .await;
        let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
        assert_eq!(
            pool["UserPool"]["DeviceConfiguration"]["DeviceOnlyRememberedOnUserPrompt"],
            true
        );
        let client = call(
            "CreateUserPoolClient",
            json!({
                "UserPoolId": pool_id,
                "ClientName": "amplify",
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            }),
        )
        .await;
        let client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string();
        let username = "device-user".to_string();
        call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS"}),
        )
        .await;
        call(
            "AdminSetUserPassword",
            json!({
                "UserPoolId": pool_id,
                "Username": username,
                "Password": DEVICE_PASSWORD,
                "Permanent": true,
            }),
        )
        .await;
        (pool_id, client_id, username)
    })
}

#[test]
fn amplify_js_v6_remembers_signs_in_with_and_forgets_a_device() {
    if !peer_available("interop_devices", amplify_ready()) {
        return;
    }
    let server = serve();
    let (pool_id, client_id, username) = device_pool(&server.url);
    let proxy = support::proxy::RecordingProxy::start(&server.url);
    let mut cmd = Command::new("node");
    cmd.arg(interop_dir().join("amplify_devices.mjs"))
        .current_dir(interop_dir());
    peer_env(&mut cmd, &proxy.url);
    cmd.env("DEVICE_POOL_ID", &pool_id)
        .env("DEVICE_CLIENT_ID", &client_id)
        .env("DEVICE_USER", &username)
        .env("DEVICE_PASSWORD", DEVICE_PASSWORD);
    let out = run_with_limit(cmd, Duration::from_secs(120));
    let calls = proxy.calls();
    drop(proxy);
    drop(server);
    assert_peer_passed(
        "Amplify JS v6 (devices)",
        &out,
        &[
            "signIn: NewDeviceMetadata, ConfirmDevice with the device verifier, not yet remembered",
            "rememberDevice: the device is remembered",
            "signIn again: DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, access token with device_key",
            "fetchDevices: the remembered device with its last authentication date",
            "forgetDevice: ListDevices empty, GetDevice answers ResourceNotFoundException",
            "a device the pool forgot: ResourceNotFoundException, Amplify signs in again with a new device",
        ],
    );
    // Amplify itself ran the device operations and the device SRP steps.
    let ops: std::collections::BTreeSet<&str> =
        calls.iter().map(|c| c.operation.as_str()).collect();
    for op in [
        "ConfirmDevice",
        "UpdateDeviceStatus",
        "ListDevices",
        "ForgetDevice",
    ] {
        assert!(ops.contains(op), "Amplify never called {op}: {ops:?}");
    }
    let answered = |challenge: &str| {
        calls.iter().any(|c| {
            c.operation == "RespondToAuthChallenge"
                && c.request["ChallengeName"] == challenge
                && c.status == 200
                && c.request["ChallengeResponses"]["DEVICE_KEY"].is_string()
        })
    };
    assert!(
        answered("DEVICE_SRP_AUTH"),
        "DEVICE_SRP_AUTH on the wire, answered"
    );
    assert!(
        answered("DEVICE_PASSWORD_VERIFIER"),
        "DEVICE_PASSWORD_VERIFIER on the wire, answered"
    );
    let device_tokens = calls.iter().any(|c| {
        c.request["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
            && c.response["AuthenticationResult"]["AccessToken"].is_string()
            && c.response["AuthenticationResult"]
                .get("NewDeviceMetadata")
                .is_none()
    });
    assert!(
        device_tokens,
        "device SRP ends in tokens without a new device"
    );
    let stale = calls.iter().any(|c| {
        c.status == 400
            && c.response["__type"] == "ResourceNotFoundException"
            && c.response["message"] == "Device does not exist."
            && c.operation == "RespondToAuthChallenge"
    });
    assert!(stale, "the forgotten device was refused on the wire");
    if let Some(model) = api_model::Model::load_or_skip("interop_devices") {
        let problems = api_model::model_problems(&model, &calls, true);
        assert!(
            problems.is_empty(),
            "{} of the {} calls break Cognito's API model:\n{}",
            problems.len(),
            calls.len(),
            problems.join("\n")
        );
    }
}

#[test]
fn boto3_every_device_operation_and_its_errors() {
    let ready = probe("python3", &["-c", "import boto3, pycognito.aws_srp"], None).map(|_| ());
    if !peer_available("interop_devices", ready) {
        return;
    }
    let served = serve();
    let mut cmd = Command::new("python3");
    cmd.arg(interop_dir().join("boto3_devices.py"));
    peer_env(&mut cmd, &served.url);
    let out = run_with_limit(cmd, Duration::from_secs(120));
    assert_peer_passed(
        "boto3 (devices)",
        &out,
        &[
            "CreateUserPool DeviceConfiguration, shown by DescribeUserPool",
            "ConfirmDevice: unknown, malformed and another user's key, no or bad verifier, a bad token, a second confirmation refused",
            "GetDevice, UpdateDeviceStatus and its unknown status, ListDevices paging and a bad token",
            "DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER: a wrong DEVICE_KEY, a wrong device verifier, the spent Session, then tokens naming the device; REFRESH_TOKEN_AUTH with DEVICE_KEY",
            "pycognito AWSSRP with the device: USER_SRP_AUTH, then device SRP without a Session",
            "AdminGetDevice, AdminListDevices, AdminUpdateDeviceStatus, AdminForgetDevice and their errors",
            "a forgotten device answers Device does not exist. (sign-in included); AdminDeleteUser forgets devices; UpdateUserPool without DeviceConfiguration stops tracking",
        ],
    );
}
