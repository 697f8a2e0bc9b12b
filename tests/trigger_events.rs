//! Trigger runs reach the front ends as typed events: the headless driver against the
//! embedded pool prints one `trigger` line per run (trigger, source, runner, duration,
//! outcome, the event in and the response out, secrets hidden), right after the call that
//! caused it; the TUI against a `serve` pool it recognised shows them too.

mod support;

use std::time::Duration;

use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID};
use cognito_tui::{admin, auth, cognito::Client, headless};
use serde_json::{Value, json};
use support::Harness;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Runs the headless driver on the harness's pool with `commands`, and returns every line it
/// printed.
async fn headless_lines(h: &Harness, commands: &[Value]) -> Vec<Value> {
    let t = Target {
        endpoint: h.base().to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: true,
    };
    let client = Client::new(&t).unwrap().with_signer(support::signer());
    let a = auth::spawn(client.clone(), &t, Default::default());
    let ad = admin::spawn(client, &t);
    let (mut input, driver_in) = tokio::io::duplex(64 * 1024);
    let (driver_out, output) = tokio::io::duplex(1024 * 1024);
    let task =
        tokio::spawn(
            async move { headless::run(a, ad, BufReader::new(driver_in), driver_out).await },
        );
    for c in commands {
        input.write_all(format!("{c}\n").as_bytes()).await.unwrap();
    }
    drop(input);
    let mut lines = BufReader::new(output).lines();
    let mut out = Vec::new();
    while let Some(line) = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("output within 30 s")
        .unwrap()
    {
        assert!(
            !line.contains(DEMO_PASSWORD),
            "a password reached the output"
        );
        out.push(serde_json::from_str(&line).unwrap());
    }
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("the driver ends with its input")
        .unwrap()
        .expect("the driver succeeded");
    out
}

#[tokio::test]
async fn headless_output_carries_each_trigger_run_after_its_call() {
    let h = Harness::with_command_triggers().await;
    let migrate = format!(
        "python:{}/examples/triggers/user_migration.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let tokens = format!(
        "node:{}/examples/triggers/pre_token_generation.js#handler",
        env!("CARGO_MANIFEST_DIR")
    );
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "LambdaConfig": {"UserMigration": migrate,
                                "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": tokens}}}),
    )
    .await
    .ok();
    let out = headless_lines(
        &h,
        &[
            json!({"cmd": "sign_in", "username": "legacy-lee", "password": "LegacyPassw0rd!",
                   "flow": "USER_PASSWORD_AUTH"}),
        ],
    )
    .await;
    let kinds: Vec<(String, String)> = out
        .iter()
        .filter(|l| l["source"] == "auth")
        .map(|l| {
            let what = l["operation"]
                .as_str()
                .or(l["trigger"].as_str())
                .unwrap_or("")
                .to_string();
            (l["event"].as_str().unwrap_or("").to_string(), what)
        })
        .filter(|(e, _)| e == "exchange" || e == "trigger")
        .collect();
    assert_eq!(
        kinds,
        [
            ("exchange".to_string(), "InitiateAuth".to_string()),
            ("trigger".to_string(), "UserMigration".to_string()),
            ("trigger".to_string(), "PreTokenGeneration".to_string()),
        ],
        "{out:#?}"
    );
    let runs: Vec<&Value> = out.iter().filter(|l| l["event"] == "trigger").collect();
    let migration = runs[0];
    assert_eq!(migration["trigger_source"], "UserMigration_Authentication");
    assert_eq!(migration["runner"], "python");
    assert_eq!(migration["outcome"], "ok");
    assert_eq!(migration["event_in"]["request"]["password"], "***");
    assert_eq!(
        migration["response_out"]["userAttributes"]["email"],
        "lee@legacy.example"
    );
    assert!(migration["duration_ms"].is_u64());
    let text = serde_json::to_string(&out).unwrap();
    assert!(
        !text.contains("LegacyPassw0rd!"),
        "the migrated password leaked"
    );
    let ptg = runs[1];
    assert_eq!(ptg["trigger_source"], "TokenGeneration_Authentication");
    assert_eq!(ptg["runner"], "node");
    // The session the driver reports has the claim the handler added.
    let session = out
        .iter()
        .rev()
        .find(|l| l["event"] == "session" && l["session"].is_object())
        .unwrap_or_else(|| panic!("{out:#?}"));
    assert_eq!(session["session"]["id_token_claims"]["tenant"], "demo");
    assert_eq!(session["session"]["access_token_claims"]["tenant"], "demo");
}

/// `cognito-tui serve` given with `--endpoint`: once the TUI has recognised it as a
/// cognito-tui pool, the auth actor follows its trigger log, and a run shows as a status row
/// and an inspector entry, as on the embedded pool.
#[tokio::test]
async fn a_detected_cognito_tui_pool_has_its_trigger_runs_in_the_tui() {
    use cognito_tui::auth::events::{AuthCommand, AuthEvent};
    use cognito_tui::tui::theme::Theme;
    use cognito_tui::tui::widgets::timeline::StatusEntry;
    use cognito_tui::tui::{Action, App, TargetInfo};

    let h = Harness::with_command_triggers().await;
    let tokens = format!(
        "node:{}/examples/triggers/pre_token_generation.js#handler",
        env!("CARGO_MANIFEST_DIR")
    );
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "LambdaConfig": {"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": tokens}}}),
    )
    .await
    .ok();
    let t = Target {
        endpoint: h.base().to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: false,
    };
    let client = Client::new(&t).unwrap().with_signer(support::signer());
    let mut auth_h = auth::spawn(client.clone(), &t, Default::default());
    let mut admin_h = admin::spawn(client, &t);
    let mut app = App::new(TargetInfo::from_target(&t), false, None, Theme::default());
    let now = cognito_tui::cognito::now_ms;

    // Startup: the users actor asks the server whether it is a cognito-tui pool.
    let mut pending = app.startup_actions();
    let mut follow = false;
    loop {
        for a in pending.drain(..) {
            match a {
                Action::Admin(cmd) => admin_h.tx.send(cmd).await.unwrap(),
                Action::Auth(cmd @ AuthCommand::FollowTriggers) => {
                    follow = true;
                    auth_h.tx.send(cmd).await.unwrap();
                }
                _ => {}
            }
        }
        match tokio::time::timeout(Duration::from_millis(800), admin_h.rx.recv()).await {
            Ok(Some(ev)) => pending = app.on_admin_event(ev, now()),
            Ok(None) => panic!("admin actor stopped"),
            Err(_) => break,
        }
    }
    assert!(app.ctx.local && follow, "the pool was not recognised");

    auth_h
        .tx
        .send(AuthCommand::SignIn {
            username: "alice".into(),
            password: Some(cognito_tui::secret::Secret::new(DEMO_PASSWORD)),
            flow: Default::default(),
            preferred_challenge: None,
        })
        .await
        .unwrap();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), auth_h.rx.recv())
            .await
            .expect("an event within 30 s")
            .expect("the actor runs");
        let done = matches!(ev, AuthEvent::Finished { .. });
        app.on_auth_event(ev, now());
        if done {
            break;
        }
    }
    let row = app
        .ctx
        .status
        .entries
        .iter()
        .find_map(|e| match e {
            StatusEntry::Trigger(run) => Some(run.clone()),
            _ => None,
        })
        .expect("a trigger row in the status pane");
    assert_eq!(row.trigger, "PreTokenGeneration");
    assert_eq!(row.trigger_source, "TokenGeneration_Authentication");
    assert!(row.ok());
    let entry = app
        .inspector
        .exchanges
        .iter()
        .find(|x| x.trigger_source.is_some())
        .expect("the run in the inspector");
    assert_eq!(entry.operation, "PreTokenGeneration");
    assert_eq!(
        entry.response["claimsAndScopeOverrideDetails"]["idTokenGeneration"]["claimsToAddOrOverride"]
            ["tenant"],
        "demo"
    );
}
