//! Triggers in the debugger, on the built binary in tmux: the embedded pool's store has a
//! PreTokenGeneration V2 handler (a plain Node `exports.handler`); after alice signs in, the
//! status pane shows the run as a row (trigger, source, runner, duration, outcome), and the
//! row opened whole shows the run and puts it in the inspector: the event in and the
//! response out, with the claim it added.

mod support;

use cognito_tui::local::DEMO_POOL_ID;
use serde_json::json;
use support::tmux::Tmux;

const PASSWORD: &str = "DemoPassw0rd!";

/// Sets the demo pool's PreTokenGeneration trigger in the store the binary will open.
fn prepare_store(db: &std::path::Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = support::pool::start_pool(db).await;
        let http = reqwest::Client::new();
        let handler = format!(
            "node:{}/examples/triggers/pre_token_generation.js#handler",
            env!("CARGO_MANIFEST_DIR")
        );
        support::http::call(
            &http,
            pool.base_url(),
            "UpdateUserPool",
            &json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
                    "LambdaConfig": {"PreTokenGenerationConfig":
                        {"LambdaVersion": "V2_0", "LambdaArn": handler}}}),
        )
        .await
        .ok();
        pool.shutdown().await;
    });
}

#[test]
fn a_trigger_run_is_a_status_row_and_an_inspector_entry() {
    let home = tempfile::tempdir().expect("tempdir");
    let data = home.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    prepare_store(&data.join("local-pool.sqlite3"));
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized(
        "triggers",
        exe,
        "",
        &[("COGNITO_TUI_HOME", &home_s)],
        140,
        45,
    ) else {
        return;
    };
    t.wait_for("F1 Sign up");
    t.keys(&["F3"]);
    t.wait_for("Forgot password");
    t.text("alice");
    t.keys(&["Tab"]);
    t.text(PASSWORD);
    t.keys(&["Enter"]);
    let s = t.wait_for("cognito:username alice");
    // The row: λ, the trigger, its source, the runner, and the outcome.
    let row = s
        .lines()
        .find(|l| l.contains("λ PreTokenGeneration") && l.contains("node"))
        .unwrap_or_else(|| panic!("no trigger row in the status pane:\n{s}"));
    assert!(row.contains("TokenGeneration_Authentication"), "{row}\n{s}");
    assert!(row.contains("node") && row.contains(" ok"), "{row}");
    assert!(!s.contains(PASSWORD));

    // Pick rows from the newest back until the trigger's opens whole.
    let mut opened = None;
    for back in 1..=8 {
        for _ in 0..back {
            t.keys(&["M-Up"]);
        }
        t.keys(&["Enter"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let s = t.screen();
        // Only a trigger row's detail names its user and pool.
        if s.contains("user alice  pool us-east-1_cognitotui") {
            opened = Some(s);
            break;
        }
        t.keys(&["Escape"]);
        t.keys(&["Escape"]);
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let s = opened.unwrap_or_else(|| panic!("the trigger row never opened:\n{}", t.screen()));
    assert!(s.contains("run PreTokenGeneration ok"), "{s}");
    // The inspector shows the run: its header and the event in...
    assert!(
        s.contains("λ PreTokenGeneration TokenGeneration_Authentication ok"),
        "{s}"
    );
    assert!(s.contains("by the pool's node handler"), "{s}");
    assert!(s.contains("── event in"), "{s}");
    // ...and, further down, the response out with the claim the handler added.
    t.keys(&["Escape"]);
    let mut s = t.screen();
    for _ in 0..10 {
        if s.contains("── response out") && s.contains("\"tenant\": \"demo\"") {
            break;
        }
        t.keys(&["NPage"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
        s = t.screen();
    }
    assert!(s.contains("── response out"), "{s}");
    assert!(s.contains("\"tenant\": \"demo\""), "{s}");
    assert!(!s.contains(PASSWORD));
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}
