//! The real run loop on a real terminal: the `tui_echo` example (the TUI wired to scripted
//! stand-in actors) runs in tmux; keys go in with send-keys and the screen is read back with
//! capture-pane. Checks a sign-up → confirm → sign-in → sign-out journey, that the password
//! is never on screen, and that the terminal is restored on q, Ctrl-C, SIGTERM, SIGHUP and a
//! panic.
//! Needs tmux (installed by .ci/run).

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use support::tmux::Tmux;

fn example() -> PathBuf {
    // target/debug/deps/tui_terminal-… → target/debug/examples/tui_echo
    let exe = std::env::current_exe().expect("test exe");
    let p = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target dir")
        .join("examples")
        .join("tui_echo");
    assert!(
        p.exists(),
        "{} missing: `cargo test` builds examples; run it that way",
        p.display()
    );
    p
}

const PASSWORD: &str = "S3cret-Pass!";

#[test]
fn journey_in_a_real_terminal_and_quit_restores_it() {
    let Some(t) = Tmux::start("journey", &example(), "", &[]) else {
        return;
    };
    t.wait_for("F1 Sign up");
    assert!(t.alternate_on());
    // Sign up.
    t.keys(&["F1"]);
    t.wait_for("Auto sign-in");
    t.text("alice");
    t.keys(&["Tab"]);
    t.text(PASSWORD);
    t.keys(&["Enter"]);
    let s = t.wait_for("Outbox: 734912 for alice");
    assert!(s.contains("signUp — → CONFIRM_SIGN_UP"), "{s}");
    // Confirm with the code from the outbox.
    t.keys(&["C-o", "Enter"]);
    let s = t.wait_for("confirmSignUp CONFIRM_SIGN_UP → DONE");
    assert!(s.contains("alice is confirmed"), "{s}");
    // Sign in (the cursor is in the password field).
    t.text(PASSWORD);
    t.keys(&["Enter"]);
    // The claims may land a frame after the heading (a loaded machine): wait for both.
    let s = t.wait_until("the signed-in session with its claims", |s| {
        s.contains("Signed in as alice") && s.contains("cognito:username alice")
    });
    // The status row may land a frame after the Session screen (a loaded machine).
    t.wait_for("signIn — → DONE");
    assert!(!s.contains(PASSWORD), "password on screen:\n{s}");
    // The expiry counts down on its own (1 s tick while the Session screen is shown).
    let before = t.screen();
    std::thread::sleep(Duration::from_millis(2100));
    let after = t.screen();
    let line = |s: &str| {
        s.lines()
            .find(|l| l.contains("Access  expires in"))
            .map(str::to_string)
    };
    assert_ne!(line(&before), line(&after), "countdown did not move");
    // Sign out, then quit with q.
    t.keys(&["o"]);
    t.wait_for("Signed out.");
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(600));
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert!(!t.alternate_on(), "alternate screen left on");
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let Some(t) = Tmux::start("ctrlc", &example(), "", &[]) else {
        return;
    };
    t.wait_for("F1 Sign up");
    t.text("bob");
    t.keys(&["C-c"]);
    t.wait_for("EXITED:0");
    assert!(!t.alternate_on());
}

#[test]
fn sigterm_restores_the_terminal() {
    let Some(t) = Tmux::start("sigterm", &example(), "", &[]) else {
        return;
    };
    t.wait_for("F1 Sign up");
    let pid = t.app_pid();
    let ok = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
    t.wait_for("EXITED:0");
    assert!(!t.alternate_on());
}

#[test]
fn a_panic_restores_the_terminal_and_prints_the_message() {
    let Some(t) = Tmux::start("panic", &example(), "--panic-after-draw", &[]) else {
        return;
    };
    t.wait_for("F1 Sign up");
    let s = t.wait_for("EXITED:101");
    assert!(!t.alternate_on());
    assert!(s.contains("deliberate panic after the first frame"), "{s}");
}

#[test]
fn resizing_the_terminal_redraws_and_never_crashes() {
    let Some(t) = Tmux::start("resize", &example(), "", &[]) else {
        return;
    };
    t.wait_for("F1 Sign up");
    for (w, h) in [(10, 5), (3, 2), (40, 12), (200, 60), (80, 24)] {
        t.run(&[
            "resize-window",
            "-t",
            "resize",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
        std::thread::sleep(Duration::from_millis(250));
        assert!(!t.screen().contains("EXITED"), "the app died at {w}x{h}");
    }
    let s = t.wait_for("F7 Outbox");
    assert!(s.lines().count() >= 24, "{s}");
    t.keys(&["C-c"]);
    t.wait_for("EXITED:0");
}

#[test]
fn sighup_restores_the_terminal() {
    let Some(t) = Tmux::start("sighup", &example(), "", &[]) else {
        return;
    };
    t.wait_for("F1 Sign up");
    let pid = t.app_pid();
    let ok = Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
    t.wait_for("EXITED:0");
    assert!(!t.alternate_on());
}
