//! The built binary in tmux against a server whose answer is large (a 3.5 MB challenge value,
//! under the client's 4 MiB limit): the Challenge screen redraws every second and the
//! inspector holds the exchange, yet F9 (help) and q still answer within 0.5 s, and the
//! terminal is restored on quit. Needs tmux (installed by .ci/run).

mod support;

use std::time::{Duration, Instant};

use support::hostile::{Behaviour, Hostile};
use support::tmux::Tmux;

const PASSWORD: &str = "Large-Body-Passw0rd!";
const HELP_ROW: &str = "switch screen (1…8 when no field has focus)";
const WITHIN: Duration = Duration::from_millis(500);

/// Sends `key` and polls the screen until `ready`; the time it took.
fn answer_time(t: &Tmux, key: &str, ready: impl Fn(&str) -> bool) -> Duration {
    let t0 = Instant::now();
    t.keys(&[key]);
    loop {
        let s = t.screen();
        if ready(&s) {
            return t0.elapsed();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "no answer to {key}:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn f9_and_q_answer_quickly_with_a_large_exchange_loaded() {
    let server = Hostile::start(Behaviour::LargeChallenge { bytes: 3_500_000 });
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let args = format!(
        "--endpoint {} --user-pool-id us-east-1_Hostile --client-id hostileclient",
        server.url
    );
    let Some(t) = Tmux::start_sized(
        "hostile",
        support::pool::binary_path(),
        &args,
        &[
            ("COGNITO_TUI_HOME", &home_s),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
        120,
        36,
    ) else {
        return;
    };
    t.wait_for("F1 Sign up");
    t.keys(&["F3"]);
    t.wait_for("Sign in");
    t.text("mallory");
    t.keys(&["Tab"]);
    t.text(PASSWORD);
    t.keys(&["Enter"]);
    let s = t.wait_for("CUSTOM_CHALLENGE");
    assert!(!s.contains(PASSWORD), "password on screen:\n{s}");
    // The large value is shown abbreviated, with its length.
    t.wait_for("(3500000 chars)");
    assert_eq!(server.count("InitiateAuth"), 1);
    // Let a few of the Challenge screen's once-a-second redraws pass.
    std::thread::sleep(Duration::from_millis(2200));
    let took = answer_time(&t, "F9", |s| s.contains(HELP_ROW));
    eprintln!("F9 answered in {took:?}");
    assert!(took < WITHIN, "F9 took {took:?}");
    let took = answer_time(&t, "q", |s| !s.contains(HELP_ROW));
    eprintln!("q (closing help) answered in {took:?}");
    assert!(took < WITHIN, "q (closing help) took {took:?}");
    // Leave the answer field, then q quits and the terminal comes back.
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    let took = answer_time(&t, "q", |s| s.contains("EXITED:0"));
    eprintln!("q (quit) answered in {took:?}");
    assert!(took < WITHIN, "q (quit) took {took:?}");
    assert!(!t.alternate_on(), "alternate screen left on");
}
