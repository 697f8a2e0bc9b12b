//! Devices and MFA in the embedded pool: with `ChallengeRequiredOnNewDevice`, a remembered
//! device's sign-in goes from the password straight to device SRP (no SMS_MFA), a device that
//! is not remembered answers the MFA challenge first and then device SRP, and without the
//! setting a remembered device is still asked for MFA.

mod support;

use cognito_tui::srp::{self, ClientEphemeral};
use serde_json::{Value, json};
use support::Harness;

const PASSWORD: &str = "Device-Passw0rd!";

struct Device {
    key: String,
    group: String,
    password: String,
}

/// A pool (MFA ON with SMS) that tracks devices, a client and a user with a phone number.
async fn mfa_pool(h: &Harness, challenge_on_new: bool) -> (String, String) {
    let pool = h
        .call(
            "CreateUserPool",
            json!({
                "PoolName": "devices-mfa",
                "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": challenge_on_new},
            }),
        )
        .await
        .ok();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    h.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool_id, "MfaConfiguration": "ON",
               "SmsMfaConfiguration": {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms"}}}),
    )
    .await
    .ok();
    let client = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "c",
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await
        .ok();
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "mo", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "phone_number", "Value": "+15555550199"},
                                  {"Name": "phone_number_verified", "Value": "true"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "mo", "Password": PASSWORD, "Permanent": true}),
    )
    .await
    .ok();
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    (pool_id, client_id)
}

async fn password(h: &Harness, client_id: &str, device: Option<&Device>) -> Value {
    let mut params = json!({"USERNAME": "mo", "PASSWORD": PASSWORD});
    if let Some(d) = device {
        params["DEVICE_KEY"] = json!(d.key);
    }
    h.call(
        "InitiateAuth",
        json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params}),
    )
    .await
    .ok()
}

async fn sms(h: &Harness, client_id: &str, challenge: &Value, device: Option<&Device>) -> Value {
    assert_eq!(challenge["ChallengeName"], "SMS_MFA", "{challenge}");
    let code = h.latest_code("mo", "MFA").await;
    let mut r = json!({"USERNAME": "mo", "SMS_MFA_CODE": code});
    if let Some(d) = device {
        r["DEVICE_KEY"] = json!(d.key);
    }
    h.respond(client_id, "SMS_MFA", &challenge["Session"], r)
        .await
        .ok()
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER; returns the tokens' answer.
async fn device_srp(h: &Harness, client_id: &str, challenge: &Value, d: &Device) -> Value {
    assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH", "{challenge}");
    let eph = ClientEphemeral::generate();
    let verifier = h
        .respond(
            client_id,
            "DEVICE_SRP_AUTH",
            &challenge["Session"],
            json!({"USERNAME": "mo", "DEVICE_KEY": d.key, "SRP_A": eph.a_hex()}),
        )
        .await
        .ok();
    let p = &verifier["ChallengeParameters"];
    let ts = h.timestamp();
    let claim = eph
        .password_claim(
            &d.group,
            &d.key,
            &d.password,
            p["SALT"].as_str().unwrap(),
            p["SRP_B"].as_str().unwrap(),
            p["SECRET_BLOCK"].as_str().unwrap(),
            &ts,
        )
        .unwrap();
    h.respond(
        client_id,
        "DEVICE_PASSWORD_VERIFIER",
        &verifier["Session"],
        json!({"USERNAME": "mo", "DEVICE_KEY": d.key, "TIMESTAMP": ts,
               "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
               "PASSWORD_CLAIM_SIGNATURE": claim.signature}),
    )
    .await
    .ok()
}

/// Signs in with SMS MFA as a new device and confirms it (remembered at once).
async fn new_device(h: &Harness, client_id: &str) -> Device {
    let first = password(h, client_id, None).await;
    let tokens = sms(h, client_id, &first, None).await;
    let meta = &tokens["AuthenticationResult"]["NewDeviceMetadata"];
    let device = Device {
        key: meta["DeviceKey"].as_str().unwrap().into(),
        group: meta["DeviceGroupKey"].as_str().unwrap().into(),
        password: srp::device::random_password(),
    };
    let salt = srp::random_salt();
    let (verifier, salt) =
        srp::device::verifier_config(&device.group, &device.key, &device.password, &salt);
    let confirmed = h
        .call(
            "ConfirmDevice",
            json!({"AccessToken": tokens["AuthenticationResult"]["AccessToken"],
                   "DeviceKey": device.key,
                   "DeviceSecretVerifierConfig": {"PasswordVerifier": verifier, "Salt": salt}}),
        )
        .await
        .ok();
    assert_eq!(confirmed["UserConfirmationNecessary"], false);
    device
}

#[tokio::test]
async fn a_remembered_device_stands_in_for_mfa_when_the_pool_asks_only_new_devices() {
    let h = Harness::new().await;
    let (pool_id, client_id) = mfa_pool(&h, true).await;
    let d = new_device(&h, &client_id).await;

    // Remembered: the password leads straight to device SRP, no SMS is sent.
    let sent = h.outbox("mo", "MFA").await.len();
    let challenge = password(&h, &client_id, Some(&d)).await;
    let tokens = device_srp(&h, &client_id, &challenge, &d).await;
    let claims = h.tokens(&tokens);
    assert_eq!(claims["device_key"], d.key.as_str());
    assert!(tokens["AuthenticationResult"]["NewDeviceMetadata"].is_null());
    assert_eq!(h.outbox("mo", "MFA").await.len(), sent, "no MFA code sent");

    // Not remembered: MFA first (with the device named), then device SRP.
    h.call(
        "AdminUpdateDeviceStatus",
        json!({"UserPoolId": pool_id, "Username": "mo", "DeviceKey": d.key,
               "DeviceRememberedStatus": "not_remembered"}),
    )
    .await
    .ok();
    let challenge = password(&h, &client_id, Some(&d)).await;
    let next = sms(&h, &client_id, &challenge, Some(&d)).await;
    let tokens = device_srp(&h, &client_id, &next, &d).await;
    assert_eq!(h.tokens(&tokens)["device_key"], d.key.as_str());
}

#[tokio::test]
async fn without_challenge_required_on_new_device_a_remembered_device_still_answers_mfa() {
    let h = Harness::new().await;
    let (_, client_id) = mfa_pool(&h, false).await;
    let d = new_device(&h, &client_id).await;
    let challenge = password(&h, &client_id, Some(&d)).await;
    let next = sms(&h, &client_id, &challenge, Some(&d)).await;
    let tokens = device_srp(&h, &client_id, &next, &d).await;
    assert_eq!(h.tokens(&tokens)["device_key"], d.key.as_str());
}
