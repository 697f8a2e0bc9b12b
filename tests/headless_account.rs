//! The account commands of the headless driver against the embedded pool: fetch, update with
//! the outbox code, confirm, resend, delete an attribute, change the password, MFA preference,
//! TOTP setup outside sign-in, delete the user; and what they refuse without a signed-in user.
//! Secrets (passwords, codes) never appear in the output.

mod support;

use std::time::Duration;

use cognito_tui::cognito::Client;
use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_POOL_ID, LocalPool};
use cognito_tui::{admin, auth, headless};
use serde_json::{Value, json};

const PW: &str = "Account-Passw0rd!";
const NEW_PW: &str = "Changed-Passw0rd!";

async fn drive(pool: &LocalPool, cmds: &[Value]) -> (String, Vec<Value>) {
    let t = Target {
        endpoint: pool.base_url().to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: true,
    };
    let client = Client::new(&t).unwrap().with_signer(support::signer());
    let a = auth::spawn(client.clone(), &t, Default::default());
    let ad = admin::spawn(client, &t);
    let script: String = cmds.iter().map(|c| format!("{c}\n")).collect();
    let mut out = Vec::new();
    tokio::time::timeout(
        Duration::from_secs(60),
        headless::run(a, ad, script.as_bytes(), &mut out),
    )
    .await
    .expect("the driver finished")
    .expect("the driver succeeded");
    let text = String::from_utf8(out).unwrap();
    let lines = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (text, lines)
}

fn account(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|l| l["event"] == "account").collect()
}

fn finished(lines: &[Value]) -> Vec<(String, bool)> {
    lines
        .iter()
        .filter(|l| l["event"] == "finished")
        .map(|l| {
            (
                l["api"].as_str().unwrap().to_string(),
                l["ok"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_account_journey_headless() {
    let dir = tempfile::tempdir().unwrap();
    let pool = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    let (text, lines) = drive(
        &pool,
        &[
            json!({"cmd": "fetch_user_attributes"}),
            json!({"cmd": "sign_up", "username": "hana", "password": PW,
                   "attributes": {"email": "hana@example.com"}}),
            json!({"cmd": "confirm_sign_up", "username": "hana", "code": "{{outbox}}"}),
            json!({"cmd": "sign_in", "username": "hana", "password": PW}),
            json!({"cmd": "update_user_attributes",
                   "attributes": {"email": "hana.new@example.com", "nickname": "h"}}),
            json!({"cmd": "confirm_user_attribute", "attribute": "email", "code": "000000"}),
            json!({"cmd": "confirm_user_attribute", "username": "hana", "attribute": "email",
                   "code": "{{outbox}}"}),
            json!({"cmd": "send_user_attribute_verification_code", "attribute": "email"}),
            json!({"cmd": "delete_user_attributes", "names": ["nickname"]}),
            json!({"cmd": "fetch_user_attributes"}),
            json!({"cmd": "update_password", "old_password": PW, "new_password": NEW_PW}),
            json!({"cmd": "set_up_totp"}),
            json!({"cmd": "verify_totp_setup", "code": "000000"}),
            json!({"cmd": "update_mfa_preference", "email": "PREFERRED"}),
            json!({"cmd": "fetch_user_attributes"}),
            json!({"cmd": "delete_user"}),
            json!({"cmd": "sign_in", "username": "hana", "password": NEW_PW}),
        ],
    )
    .await;
    assert!(
        !text.contains(PW) && !text.contains(NEW_PW),
        "a password leaked"
    );
    assert_eq!(
        finished(&lines),
        [
            ("fetchUserAttributes", false),
            ("signUp", true),
            ("confirmSignUp", true),
            ("signIn", true),
            ("updateUserAttributes", true),
            ("confirmUserAttribute", false),
            ("confirmUserAttribute", true),
            ("sendUserAttributeVerificationCode", true),
            ("deleteUserAttributes", true),
            ("fetchUserAttributes", true),
            ("updatePassword", true),
            ("setUpTOTP", true),
            ("verifyTOTPSetup", false),
            ("updateMFAPreference", true),
            ("fetchUserAttributes", true),
            ("deleteUser", true),
            ("signIn", false),
        ]
        .map(|(a, ok)| (a.to_string(), ok))
    );
    let errors: Vec<&str> = lines
        .iter()
        .filter(|l| l["event"] == "error")
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        errors,
        [
            "UserUnAuthenticatedException",
            "CodeMismatchException",
            "EnableSoftwareTokenMFAException",
            "UserNotFoundException"
        ],
        "{text}"
    );
    let acct = account(&lines);
    let updated = acct.iter().find(|a| a["kind"] == "updated").unwrap();
    assert_eq!(
        updated["results"]["email"]["updateAttributeStep"],
        "CONFIRM_ATTRIBUTE_WITH_CODE"
    );
    assert_eq!(
        updated["results"]["email"]["codeDeliveryDetails"]["attributeName"],
        "email"
    );
    assert_eq!(
        updated["results"]["nickname"]["updateAttributeStep"],
        "DONE"
    );
    assert!(
        acct.iter()
            .any(|a| a["kind"] == "confirmed" && a["attribute"] == "email")
    );
    let fetched: Vec<&&Value> = acct.iter().filter(|a| a["kind"] == "attributes").collect();
    assert_eq!(fetched[0]["attributes"]["email"], "hana.new@example.com");
    assert_eq!(fetched[0]["attributes"]["email_verified"], "true");
    assert!(fetched[0]["attributes"].get("nickname").is_none());
    assert_eq!(fetched[1]["mfa_enabled"], json!(["EMAIL"]));
    assert_eq!(fetched[1]["mfa_preferred"], "EMAIL");
    let totp = acct.iter().find(|a| a["kind"] == "totp_setup").unwrap();
    assert!(
        totp["details"]["setupUri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/cognito-tui:hana?secret=")
    );
    assert!(
        acct.iter()
            .any(|a| a["kind"] == "user_deleted" && a["username"] == "hana")
    );
    // deleteUser signs out: the session event after it is empty.
    let last_session = lines
        .iter()
        .rev()
        .find(|l| l["event"] == "session")
        .unwrap();
    assert!(last_session["session"].is_null(), "{last_session}");
    // Each account call went over the wire as its Cognito operation.
    let ops: Vec<&str> = lines
        .iter()
        .filter(|l| l["event"] == "exchange")
        .filter_map(|l| l["operation"].as_str())
        .collect();
    for op in [
        "UpdateUserAttributes",
        "VerifyUserAttribute",
        "GetUserAttributeVerificationCode",
        "DeleteUserAttributes",
        "ChangePassword",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "SetUserMFAPreference",
        "DeleteUser",
    ] {
        assert!(ops.contains(&op), "no {op} exchange: {ops:?}");
    }
}

#[tokio::test]
async fn passwordless_sign_up_then_auto_sign_in_headless() {
    let dir = tempfile::tempdir().unwrap();
    let pool = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    let (_text, lines) = drive(
        &pool,
        &[
            json!({"cmd": "sign_up", "username": "ines", "password": "",
                   "attributes": {"email": "ines@example.com"}, "auto_sign_in": true}),
            json!({"cmd": "confirm_sign_up", "username": "ines", "code": "{{outbox}}"}),
            json!({"cmd": "auto_sign_in"}),
            json!({"cmd": "fetch_user_attributes"}),
        ],
    )
    .await;
    assert_eq!(
        finished(&lines),
        [
            ("signUp", true),
            ("confirmSignUp", true),
            ("autoSignIn", true),
            ("fetchUserAttributes", true),
        ]
        .map(|(a, ok)| (a.to_string(), ok))
    );
    let sign_up = lines
        .iter()
        .find(|l| l["event"] == "exchange" && l["operation"] == "SignUp")
        .unwrap();
    assert!(sign_up["request"].get("Password").is_none(), "{sign_up}");
    let auto = lines
        .iter()
        .find(|l| {
            l["event"] == "exchange"
                && l["operation"] == "InitiateAuth"
                && l["request"]["AuthFlow"] == "USER_AUTH"
        })
        .expect("autoSignIn used USER_AUTH with the Session");
    assert!(auto["request"]["Session"].is_string(), "{auto}");
    let attrs = account(&lines)
        .into_iter()
        .find(|a| a["kind"] == "attributes")
        .unwrap();
    assert_eq!(attrs["username"], "ines");
    assert_eq!(attrs["attributes"]["email_verified"], "true");
}
