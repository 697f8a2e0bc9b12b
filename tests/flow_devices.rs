//! Remembered devices through the auth actor against the embedded pool, as Amplify runs them:
//! a sign-in's NewDeviceMetadata confirmed at once (ConfirmDevice), the device's keys kept in a
//! 0600 file bound to the pool and client, device SRP run by itself on the next sign-in
//! (its own status rows, the device password and verifier never shown), fetchDevices,
//! rememberDevice, forgetDevice, and a device the pool forgot.

mod support;

use std::time::Duration;

use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType, DeviceView};
use cognito_tui::auth::{self, ActorOptions, AuthHandle};
use cognito_tui::cognito::Client;
use cognito_tui::config::Target;
use cognito_tui::secret::Secret;
use serde_json::json;
use support::Harness;

const PASSWORD: &str = "Device-Passw0rd!";

/// A pool that tracks devices, its client and a confirmed user.
async fn device_pool(h: &Harness, prompt: bool) -> Target {
    let pool = h
        .call(
            "CreateUserPool",
            json!({
                "PoolName": "devices",
                "DeviceConfiguration": {
                    "ChallengeRequiredOnNewDevice": true,
                    "DeviceOnlyRememberedOnUserPrompt": prompt,
                },
            }),
        )
        .await
        .ok();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    let client = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "tui"}),
        )
        .await
        .ok();
    for (op, body) in [
        (
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "dev", "MessageAction": "SUPPRESS"}),
        ),
        (
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": "dev", "Password": PASSWORD, "Permanent": true}),
        ),
    ] {
        h.call(op, body).await.ok();
    }
    Target {
        endpoint: h.pool.base_url().to_string(),
        region: "us-east-1".into(),
        user_pool_id: pool_id,
        client_id: client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string(),
        client_secret: None,
        local: true,
    }
}

fn actor(t: &Target, dir: &std::path::Path) -> AuthHandle {
    auth::spawn(
        Client::new(t).unwrap().with_signer(support::signer()),
        t,
        ActorOptions {
            state_dir: Some(dir.to_path_buf()),
            ..Default::default()
        },
    )
}

async fn run(h: &mut AuthHandle, cmd: AuthCommand) -> Vec<AuthEvent> {
    h.tx.send(cmd).await.unwrap();
    let mut out = Vec::new();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), h.rx.recv())
            .await
            .expect("no event within 30 s")
            .expect("actor stopped");
        let done = matches!(ev, AuthEvent::Finished { .. });
        out.push(ev);
        if done {
            return out;
        }
    }
}

fn sign_in() -> AuthCommand {
    AuthCommand::SignIn {
        username: "dev".into(),
        password: Some(Secret::new(PASSWORD)),
        flow: AuthFlowType::UserSrpAuth,
        preferred_challenge: None,
    }
}

fn infos(evs: &[AuthEvent]) -> Vec<&str> {
    evs.iter()
        .filter_map(|e| match e {
            AuthEvent::Info { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect()
}

fn calls(evs: &[AuthEvent]) -> Vec<String> {
    evs.iter()
        .filter_map(|e| match e {
            AuthEvent::Exchange(x) => Some(format!(
                "{} {}",
                x.operation,
                x.request["ChallengeName"].as_str().unwrap_or("")
            )),
            _ => None,
        })
        .collect()
}

fn finished_ok(evs: &[AuthEvent]) -> bool {
    matches!(evs.last(), Some(AuthEvent::Finished { ok: true, .. }))
}

fn devices(evs: &[AuthEvent]) -> Vec<DeviceView> {
    evs.iter()
        .find_map(|e| match e {
            AuthEvent::Devices { devices } => Some(devices.clone()),
            _ => None,
        })
        .expect("a devices event")
}

#[tokio::test]
async fn a_device_is_confirmed_then_proves_itself_on_the_next_sign_in() {
    let h = Harness::new().await;
    let t = device_pool(&h, true).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = actor(&t, dir.path());

    let first = run(&mut a, sign_in()).await;
    assert!(finished_ok(&first), "{first:?}");
    let ops = calls(&first);
    assert_eq!(
        ops,
        [
            "InitiateAuth ",
            "RespondToAuthChallenge PASSWORD_VERIFIER",
            "ConfirmDevice "
        ]
    );
    assert!(
        infos(&first)
            .iter()
            .any(|m| m.contains("not remembered yet")),
        "{:?}",
        infos(&first)
    );
    // The device's keys are kept, 0600, and nothing shown carries its password or verifier.
    let file = dir.path().join(format!("devices-{}.json", t.client_id));
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let kept = &saved["devices"][0];
    let device_password = kept["password"].as_str().unwrap().to_string();
    assert_eq!(saved["user_pool_id"], t.user_pool_id.as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let shown = serde_json::to_string(&first).unwrap();
    assert!(
        !shown.contains(&device_password),
        "the device password leaked"
    );
    let confirm = first
        .iter()
        .find_map(|e| match e {
            AuthEvent::Exchange(x) if x.operation == "ConfirmDevice" => Some(x),
            _ => None,
        })
        .unwrap();
    let verifier = confirm.request["DeviceSecretVerifierConfig"]["PasswordVerifier"]
        .as_str()
        .unwrap();
    assert!(
        verifier.len() < 100,
        "the verifier is abbreviated: {verifier}"
    );

    let listed = run(&mut a, AuthCommand::FetchDevices).await;
    let list = devices(&listed);
    assert_eq!(list.len(), 1);
    assert!(list[0].this_client);
    assert_eq!(list[0].status.as_deref(), Some("not_remembered"));
    assert_eq!(list[0].name.as_deref(), Some("cognito-tui"));
    let remembered = run(&mut a, AuthCommand::RememberDevice).await;
    assert!(finished_ok(&remembered), "{remembered:?}");
    let listed = run(&mut a, AuthCommand::FetchDevices).await;
    assert_eq!(devices(&listed)[0].status.as_deref(), Some("remembered"));

    // A new actor (the next run of the program) signs in with device SRP by itself.
    run(&mut a, AuthCommand::SignOut { global: false }).await;
    drop(a);
    let mut a = actor(&t, dir.path());
    let second = run(&mut a, sign_in()).await;
    assert!(finished_ok(&second), "{second:?}");
    assert_eq!(
        calls(&second),
        [
            "InitiateAuth ",
            "RespondToAuthChallenge PASSWORD_VERIFIER",
            "RespondToAuthChallenge DEVICE_SRP_AUTH",
            "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER",
        ]
    );
    let rows = infos(&second);
    assert!(
        rows.iter().any(|m| m.starts_with("DEVICE_SRP_AUTH:")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|m| m.starts_with("DEVICE_PASSWORD_VERIFIER:")),
        "{rows:?}"
    );
    let session = second
        .iter()
        .rev()
        .find_map(|e| match e {
            AuthEvent::Session { session: Some(s) } => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        session.access_token_claims["device_key"],
        kept["device_key"]
    );
    let shown = serde_json::to_string(&second).unwrap();
    assert!(
        !shown.contains(&device_password),
        "the device password leaked"
    );

    // forgetDevice: the pool and this client forget it; the next sign-in is a new device.
    let forgot = run(&mut a, AuthCommand::ForgetDevice { device_key: None }).await;
    assert!(finished_ok(&forgot), "{forgot:?}");
    assert!(devices(&run(&mut a, AuthCommand::FetchDevices).await).is_empty());
    run(&mut a, AuthCommand::SignOut { global: false }).await;
    let third = run(&mut a, sign_in()).await;
    assert!(calls(&third).contains(&"ConfirmDevice ".to_string()));
    assert!(
        !calls(&third).iter().any(|c| c.contains("DEVICE_SRP_AUTH")),
        "{:?}",
        calls(&third)
    );
}

#[tokio::test]
async fn a_device_the_pool_forgot_is_dropped_and_device_commands_need_a_device() {
    let h = Harness::new().await;
    let t = device_pool(&h, false).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = actor(&t, dir.path());

    let refused = run(&mut a, AuthCommand::RememberDevice).await;
    assert!(refused.iter().any(|e| matches!(
        e,
        AuthEvent::Error(v) if v.code == "UserUnAuthenticatedException"
    )));
    let first = run(&mut a, sign_in()).await;
    assert!(finished_ok(&first));
    let key = devices(&run(&mut a, AuthCommand::FetchDevices).await)[0]
        .device_key
        .clone();
    // An administrator forgets the device behind the client's back.
    h.call(
        "AdminForgetDevice",
        json!({"UserPoolId": t.user_pool_id, "Username": "dev", "DeviceKey": key}),
    )
    .await
    .ok();
    run(&mut a, AuthCommand::SignOut { global: false }).await;
    let stale = run(&mut a, sign_in()).await;
    assert!(stale.iter().any(|e| matches!(
        e,
        AuthEvent::Error(v) if v.code == "ResourceNotFoundException"
            && v.message == "Device does not exist."
    )));
    assert!(
        infos(&stale)
            .iter()
            .any(|m| m.contains("no longer knows the device")),
        "{:?}",
        infos(&stale)
    );
    // Signed in again, it is a new device; without one kept, rememberDevice is refused.
    let again = run(&mut a, sign_in()).await;
    assert!(finished_ok(&again), "{again:?}");
    assert!(calls(&again).contains(&"ConfirmDevice ".to_string()));
    let new_key = devices(&run(&mut a, AuthCommand::FetchDevices).await)[0]
        .device_key
        .clone();
    assert_ne!(new_key, key);
    run(
        &mut a,
        AuthCommand::ForgetDevice {
            device_key: Some(new_key),
        },
    )
    .await;
    let refused = run(&mut a, AuthCommand::RememberDevice).await;
    assert!(refused.iter().any(|e| matches!(
        e,
        AuthEvent::Error(v) if v.code == "DeviceMetadataException"
    )));
}
