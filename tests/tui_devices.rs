//! Remembered devices in the built binary, in tmux, against `cognito-tui serve` with a pool
//! that tracks devices: the first sign-in confirms the new device (ConfirmDevice), the Session
//! screen lists it (v) and remembers it (m); after signing out, the second sign-in proves the
//! device by itself and the status pane shows its own DEVICE_SRP_AUTH and
//! DEVICE_PASSWORD_VERIFIER steps; x forgets it.

mod support;

use serde_json::{Value, json};
use support::pool::serve;
use support::tmux::Tmux;

const USER: &str = "dev";
const PASSWORD: &str = "Device-Passw0rd!";

/// A pool that tracks devices (remembered on the user's prompt), its client and a user.
fn device_pool(url: &str) -> (String, String) {
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
                "DeviceConfiguration": {"DeviceOnlyRememberedOnUserPrompt": true},
            }),
        )
        .await;
        let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
        let client = call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "tui"}),
        )
        .await;
        call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": USER, "MessageAction": "SUPPRESS"}),
        )
        .await;
        call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": USER, "Password": PASSWORD, "Permanent": true}),
        )
        .await;
        let client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string();
        (pool_id, client_id)
    })
}

fn sign_in(t: &Tmux) {
    t.keys(&["F3"]);
    t.wait_for("Forgot password");
    let s = t.screen();
    if !s.contains(&format!("Username      {USER}")) {
        t.text(USER);
        t.keys(&["Tab"]);
    }
    t.text(PASSWORD);
    t.keys(&["Enter"]);
}

#[test]
fn a_remembered_devices_second_sign_in_shows_the_device_srp_steps() {
    let served = serve();
    let (pool_id, client_id) = device_pool(&served.url);
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let args = format!(
        "--endpoint {} --user-pool-id {pool_id} --client-id {client_id}",
        served.url
    );
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized(
        "devices",
        exe,
        &args,
        &[("COGNITO_TUI_HOME", &home_s)],
        140,
        45,
    ) else {
        return;
    };
    t.wait_for("F1 Sign up");

    // First sign-in: a new device, confirmed by the client itself.
    sign_in(&t);
    let s = t.wait_for("cognito:username dev");
    t.wait_for("ConfirmDevice");
    assert!(!s.contains(PASSWORD));
    t.keys(&["d"]);
    let s = t.wait_for("Devices (1)");
    assert!(s.contains("not_remembered"), "{s}");
    assert!(s.contains("(this client)"), "{s}");
    t.keys(&["m"]);
    let s = t.wait_until("the device remembered", |s| {
        s.lines()
            .any(|l| l.contains("(this client)") && l.contains(" remembered"))
    });
    assert!(s.contains("UpdateDeviceStatus"), "{s}");

    // Signed out and in again: device SRP runs by itself, each step its own status row.
    t.keys(&["o"]);
    t.wait_for("Signed out");
    sign_in(&t);
    let s = t.wait_until("both device SRP steps and the session", |s| {
        s.contains("cognito:username dev")
            && s.contains("DEVICE_SRP_AUTH:")
            && s.contains("DEVICE_PASSWORD_VERIFIER:")
    });
    assert!(!s.contains(PASSWORD));
    // The access token's claims come after the ID token's (each with its meaning): scroll.
    let mut s = t.screen();
    for _ in 0..60 {
        if s.contains("device_key") {
            break;
        }
        t.keys(&["Down"]);
        std::thread::sleep(std::time::Duration::from_millis(30));
        s = t.screen();
    }
    assert!(
        s.contains("device_key"),
        "the access token names the device:\n{s}"
    );
    assert!(!s.contains(PASSWORD));
    // The device's password and verifier are in the devices file only, never on screen.
    let file = std::fs::read_dir(home.path())
        .unwrap()
        .flatten()
        .flat_map(|e| {
            std::fs::read_dir(e.path())
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .chain(std::iter::once(e.path()))
                .collect::<Vec<_>>()
        })
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("devices-"))
        })
        .expect("the devices file");
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let device_password = saved["devices"][0]["password"].as_str().unwrap();
    assert!(!s.contains(&device_password[..12]), "{s}");

    // x forgets the device: the list empties.
    t.keys(&["x"]);
    t.wait_for("Devices none");
    t.keys(&["Escape", "q"]);
    t.wait_for("EXITED:0");
}
