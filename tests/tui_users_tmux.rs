//! The Users-view journey on the built `cognito-tui` binary in tmux, against the
//! embedded pool in a private COGNITO_TUI_HOME:
//! - two users whose email starts with "ann" are created through the Users view, and the
//!   filter `email ^= "ann"` then lists exactly them;
//! - disabling bob (a demo user) makes his next sign-in on the Sign-in screen fail with
//!   "User is disabled.";
//! - a user created with a temporary password gets CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
//!   on their first sign-in (read from the status pane).
//!
//! The temporary password never shows on screen.

mod support;

use std::time::Duration;

use support::tmux::Tmux;

const DEMO_PASSWORD: &str = "DemoPassw0rd!";
const TEMP_PASSWORD: &str = "Temp-Passw0rd1!";

/// The table rows on screen that show an email address.
fn email_rows(s: &str) -> Vec<String> {
    s.lines()
        .filter(|l| l.contains("@example.com"))
        .map(str::to_string)
        .collect()
}

/// Creates `name` (email `name@example.com`) through the Users view's form and waits for
/// the row.
fn create_user(t: &Tmux, name: &str, temp_password: Option<&str>) {
    t.keys(&["n"]);
    t.wait_for("Temp password");
    t.text(name);
    t.keys(&["Tab"]);
    t.text(&format!("{name}@example.com"));
    if let Some(pw) = temp_password {
        t.keys(&["Tab", "Tab"]);
        t.text(pw);
        let s = t.screen();
        assert!(!s.contains(pw), "the temporary password is on screen:\n{s}");
    }
    t.keys(&["Enter"]);
    t.wait_for(&format!("Create user {name} (email {name}@example.com)?"));
    t.keys(&["Enter"]);
    t.wait_until(&format!("{name}'s row in FORCE_CHANGE_PASSWORD"), |s| {
        s.lines()
            .any(|l| l.contains(&format!("{name}@example.com")) && l.contains("FORCE_CHANGE"))
    });
}

fn apply_filter(t: &Tmux, filter: &str) {
    t.keys(&["/"]);
    t.wait_for("Tab ");
    // Empty the box first (it keeps the last filter typed).
    for _ in 0..40 {
        t.keys(&["BSpace"]);
    }
    t.text(filter);
    t.keys(&["Enter"]);
    t.wait_until(&format!("the list for {filter}"), |s| {
        s.contains(&format!("Filter  {filter}")) && s.contains(" loaded") && !s.contains("applying")
    });
}

fn sign_in(t: &Tmux, username: &str, password: &str) {
    t.keys(&["F3"]);
    t.wait_for("Forgot password");
    // Leave whatever field has the cursor; Tab enters the form at the username.
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(100));
    t.keys(&["Tab"]);
    for _ in 0..20 {
        t.keys(&["BSpace"]);
    }
    t.text(username);
    t.keys(&["Tab"]);
    t.text(password);
    t.keys(&["Enter"]);
}

#[test]
fn filter_disable_and_temporary_password_on_the_built_binary() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized("users", exe, "", &[("COGNITO_TUI_HOME", &home_s)], 140, 45)
    else {
        return;
    };
    t.wait_for("F1 Sign up");
    t.keys(&["F6"]);
    t.wait_for(" loaded");

    // 1. email ^= "ann" lists exactly the users whose email starts with "ann".
    create_user(&t, "anne", None);
    create_user(&t, "annika", None);
    apply_filter(&t, "email ^= \"ann\"");
    let s = t.wait_for("all 2 loaded");
    let rows = email_rows(&s);
    assert_eq!(rows.len(), 2, "{s}");
    assert!(rows.iter().any(|r| r.contains("anne@example.com")), "{s}");
    assert!(rows.iter().any(|r| r.contains("annika@example.com")), "{s}");
    assert!(!s.contains("alice@example.com"), "{s}");
    // Esc clears the filter: everyone again.
    t.keys(&["Escape"]);
    t.wait_until("the unfiltered list", |s| {
        s.contains("Filter  none") && s.contains("alice@example.com")
    });

    // 2. Disabling bob: his next sign-in answers "User is disabled.".
    apply_filter(&t, "username = \"bob\"");
    t.wait_for("all 1 loaded");
    t.keys(&["d"]);
    t.wait_for("Disable bob?");
    t.keys(&["Enter"]);
    t.wait_until("bob's row disabled", |s| {
        s.lines()
            .any(|l| l.contains("bob@example.com") && l.contains(" no "))
    });
    sign_in(&t, "bob", DEMO_PASSWORD);
    let s = t.wait_for("User is disabled.");
    assert!(!s.contains(DEMO_PASSWORD), "{s}");

    // 3. A user created with a temporary password must choose a new one at first sign-in.
    t.keys(&["F6"]);
    t.wait_for("Filter  username");
    t.keys(&["Escape"]);
    t.wait_for("Filter  none");
    create_user(&t, "tempuser", Some(TEMP_PASSWORD));
    sign_in(&t, "tempuser", TEMP_PASSWORD);
    let s = t.wait_for("CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED");
    assert!(
        s.lines()
            .any(|l| l.contains("signIn")
                && l.contains("→ CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED")),
        "the status pane shows the transition:\n{s}"
    );
    assert!(!s.contains(TEMP_PASSWORD), "{s}");
    t.keys(&["C-c"]);
    std::thread::sleep(Duration::from_millis(300));
    t.wait_for("EXITED:");
}
