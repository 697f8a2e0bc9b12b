//! The journey on the built `cognito-tui` binary in tmux, against the embedded pool
//! in a private COGNITO_TUI_HOME: sign up, read the code from the outbox, confirm, sign in
//! with SRP, see `cognito:username` on the Session screen, sign out. The status pane shows
//! CONFIRM_SIGN_UP, then DONE for sign-up, then DONE for sign-in; the password never
//! appears on screen, in the log file or in the SQLite file.

mod support;

use std::path::Path;
use std::time::Duration;

use support::tmux::Tmux;

const PASSWORD: &str = "Journey-Passw0rd!";

fn contains_bytes(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                files_under(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

#[test]
fn sign_up_confirm_sign_in_sign_out_in_the_built_binary() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    // 120x36: the status pane holds the three transitions, the SRP notes (wrapped whole, not
    // cut) and the newest transition's explanation.
    let Some(t) = Tmux::start_sized("binary", exe, "", &[("COGNITO_TUI_HOME", &home_s)], 120, 36)
    else {
        return;
    };
    t.wait_for("F1 Sign up");
    t.keys(&["F1"]);
    t.wait_for("Auto sign-in");
    t.text("journey");
    t.keys(&["Tab"]);
    t.text(PASSWORD);
    t.keys(&["Tab"]);
    t.text("journey@example.com");
    t.keys(&["Enter"]);
    // The code "arrives" in the outbox; read it off the screen like a user would.
    let code_on = |s: &str| -> Option<String> {
        s.lines()
            .find_map(|l| l.split("Outbox: ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .filter(|c| c.len() == 6 && c.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string)
    };
    let s = t.wait_until("a code in the outbox line", |s| code_on(s).is_some());
    let code = code_on(&s).expect("a code on the Confirm screen");
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{code:?}\n{s}"
    );
    t.keys(&["F7"]);
    // The Outbox screen lists the entry: purpose, user and the same code.
    t.wait_until("the sign-up code on the Outbox screen", |s| {
        s.lines()
            .any(|l| l.contains("SIGN_UP journey") && l.contains(&code))
            || s.lines().any(|l| l.contains("SIGN_UP journey"))
                && s.contains(&format!("{code} "))
                && !s.contains("Outbox: ")
    });
    t.keys(&["F2"]);
    t.wait_for("Resend code");
    t.text(&code);
    t.keys(&["Enter"]);
    t.wait_for("confirmSignUp CONFIRM_SIGN_UP → DONE");
    // Sign in with SRP (the default flow); the cursor waits in the password field.
    t.text(PASSWORD);
    t.keys(&["Enter"]);
    let s = t.wait_for("cognito:username journey");
    assert!(s.contains("Signed in as journey  USER_SRP_AUTH"), "{s}");
    let status: Vec<&str> = s.lines().filter(|l| l.contains(" → ")).collect();
    let pos = |api: &str, to: &str| {
        status
            .iter()
            .position(|l| l.contains(&format!(" {api} ")) && l.contains(&format!("→ {to} ")))
            .unwrap_or_else(|| panic!("{api} → {to} not in the status pane:\n{s}"))
    };
    let a = pos("signUp", "CONFIRM_SIGN_UP");
    let b = pos("confirmSignUp", "DONE");
    let c = pos("signIn", "DONE");
    assert!(a < b && b < c, "{s}");
    assert!(!s.contains(PASSWORD));
    // The new tokens are checked against the pool's JWKS on their own (no key pressed).
    let s = t.wait_until("both tokens verified", |s| {
        s.lines()
            .any(|l| l.contains("Access  expires in") && l.contains("✓ verified"))
            && s.lines()
                .any(|l| l.contains("ID      expires in") && l.contains("✓ verified"))
    });
    assert!(s.contains("✓ signature verified"), "{s}");
    // Sign out: the tokens it ended are checked again, and are revoked.
    t.keys(&["o"]);
    t.wait_for("Signed out");
    t.keys(&["F5"]);
    let s = t.wait_for("revoked by RevokeToken");
    assert!(
        s.lines()
            .any(|l| l.contains("Access ") && l.contains("✗ revoked")),
        "{s}"
    );
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(600));
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert!(!t.alternate_on());
    // The password is nowhere on disk either.
    let mut files = Vec::new();
    files_under(home.path(), &mut files);
    assert!(!files.is_empty(), "nothing written under {home_s}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !contains_bytes(&bytes, PASSWORD),
            "the password is in {}",
            f.display()
        );
    }
}
