//! The headless driver end to end against the embedded pool: JSON lines in, JSON lines out.

mod support;

use std::time::Duration;

use cognito_tui::cognito::Client;
use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID, LocalPool};
use cognito_tui::{admin, auth, headless};
use serde_json::{Value, json};

const PW: &str = "Headless-Passw0rd!";

async fn start() -> (LocalPool, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let pool = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    (pool, dir)
}

/// Runs `script` through the driver and returns the output lines parsed as JSON.
async fn drive(pool: &LocalPool, script: &str) -> (String, Vec<Value>) {
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

fn script(cmds: &[Value]) -> String {
    cmds.iter().map(|c| format!("{c}\n")).collect()
}

fn steps(lines: &[Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter(|l| l["event"] == "transition")
        .map(|l| {
            let step = &l["next_step"];
            let name = step["signUpStep"]
                .as_str()
                .or(step["signInStep"].as_str())
                .or(step["resetPasswordStep"].as_str())
                .unwrap_or("?");
            (l["api"].as_str().unwrap().to_string(), name.to_string())
        })
        .collect()
}

#[tokio::test]
async fn full_journey_and_the_password_appears_nowhere() {
    let (pool, _dir) = start().await;
    let (text, lines) = drive(
        &pool,
        &script(&[
            json!({"cmd": "sign_up", "username": "gina", "password": PW,
                   "attributes": {"email": "gina@example.com"}}),
            json!({"cmd": "confirm_sign_up", "username": "gina", "code": "{{outbox}}"}),
            json!({"cmd": "sign_in", "username": "gina", "password": PW}),
            json!({"cmd": "fetch_session", "force_refresh": true}),
            json!({"cmd": "list_users", "filter": "username = \"gina\""}),
            json!({"cmd": "sign_out", "global": true}),
        ]),
    )
    .await;
    assert_eq!(
        steps(&lines),
        vec![
            ("signUp".to_string(), "CONFIRM_SIGN_UP".to_string()),
            ("confirmSignUp".to_string(), "DONE".to_string()),
            ("signIn".to_string(), "DONE".to_string()),
        ]
    );
    for l in &lines {
        assert!(l["source"].is_string(), "{l}");
        assert!(l["event"].is_string(), "{l}");
    }
    let finished: Vec<(&str, bool)> = lines
        .iter()
        .filter(|l| l["event"] == "finished")
        .map(|l| (l["api"].as_str().unwrap(), l["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        finished,
        vec![
            ("signUp", true),
            ("confirmSignUp", true),
            ("signIn", true),
            ("fetchAuthSession", true),
            ("signOut", true)
        ]
    );
    let page = lines.iter().find(|l| l["event"] == "users_page").unwrap();
    assert_eq!(page["users"][0]["username"], "gina");
    let session = lines
        .iter()
        .find(|l| l["event"] == "session" && l["session"].is_object())
        .unwrap();
    assert_eq!(
        session["session"]["id_token_claims"]["cognito:username"],
        "gina"
    );
    assert_eq!(lines.last().unwrap()["event"], "finished");
    // The password, in any form, never reaches the output.
    assert!(!text.contains(PW), "password leaked");
    assert!(!text.contains("Headless-Passw"), "password prefix leaked");
    // Nor do whole tokens: every token is abbreviated.
    for (i, _) in text.match_indices("eyJ") {
        let run = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
            .count();
        assert!(
            run <= 10,
            "a whole token reached the output: {}",
            &text[i..i + run]
        );
    }
    for l in lines.iter().filter(|l| l["event"] == "exchange") {
        if let Some(t) = l["response"]["AuthenticationResult"]["AccessToken"].as_str() {
            assert!(t.ends_with("chars)"), "{t}");
            assert!(t.len() < 40, "{t}");
        }
    }
}

#[tokio::test]
async fn bad_lines_are_reported_and_the_driver_carries_on() {
    let (pool, _dir) = start().await;
    let input = format!(
        "this is not json\n\
         {{\"no_cmd\": 1}}\n\
         {{\"cmd\": \"launch_rockets\"}}\n\
         {{\"cmd\": \"sign_in\", \"username\": \"alice\", \"password\": 12345678}}\n\
         {{\"cmd\": \"sign_in\", \"username\": \"alice\", \"password\": \"x\", \"flow\": \"BOGUS_FLOW\"}}\n\
         {{\"cmd\": \"set_step_mode\", \"on\": true}}\n\
         \n\
         # a comment\n\
         {{\"cmd\": \"sign_in\", \"username\": \"alice\", \"password\": \"{DEMO_PASSWORD}\"}}\n"
    );
    let (text, lines) = drive(&pool, &input).await;
    let errors: Vec<&Value> = lines
        .iter()
        .filter(|l| l["source"] == "headless" && l["event"] == "error")
        .collect();
    assert_eq!(errors.len(), 6, "{text}");
    assert_eq!(
        errors
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert!(errors.iter().all(|e| e["code"] == "BadCommand"));
    assert!(errors[0]["message"].as_str().unwrap().contains("not JSON"));
    assert!(
        errors[2]["message"]
            .as_str()
            .unwrap()
            .contains("launch_rockets")
    );
    assert!(
        errors[3]["message"]
            .as_str()
            .unwrap()
            .contains("invalid sign_in")
    );
    assert!(
        !text.contains("12345678"),
        "a mistyped password is not echoed"
    );
    assert!(!text.contains(DEMO_PASSWORD));
    // The good line at the end still ran.
    assert_eq!(
        steps(&lines),
        vec![("signIn".to_string(), "DONE".to_string())]
    );
}

#[tokio::test]
async fn wait_outbox_and_shutdown() {
    let (pool, _dir) = start().await;
    let (_, lines) = drive(
        &pool,
        &script(&[
            json!({"cmd": "wait_outbox", "username": "carol", "purpose": "SIGN_UP", "timeout_ms": 5000}),
            json!({"cmd": "wait_outbox", "username": "nobody", "timeout_ms": 300}),
            json!({"cmd": "confirm_sign_up", "username": "nobody", "code": "{{outbox}}"}),
            json!({"cmd": "shutdown"}),
            json!({"cmd": "sign_in", "username": "alice", "password": DEMO_PASSWORD}),
        ]),
    )
    .await;
    let code = lines.iter().find(|l| l["event"] == "outbox_code").unwrap();
    assert_eq!(code["username"], "carol");
    assert_eq!(code["code"].as_str().unwrap().len(), 6);
    let timeout = lines.iter().find(|l| l["code"] == "OutboxTimeout").unwrap();
    assert!(timeout["message"].as_str().unwrap().contains("nobody"));
    let missing = lines
        .iter()
        .find(|l| l["code"] == "BadCommand")
        .expect("a placeholder without a code is reported");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("no outbox code for \"nobody\"")
    );
    assert!(
        !lines.iter().any(|l| l["api"] == "confirmSignUp"),
        "nothing was sent"
    );
    // Nothing after shutdown ran.
    assert!(steps(&lines).is_empty());
    assert!(!lines.iter().any(|l| l["api"] == "signIn"));
}
