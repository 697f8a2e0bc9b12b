//! The Account screen in the built binary (tmux, against the embedded pool): alice signs in,
//! opens her account from Session (a), changes her email (updateUserAttributes), the code
//! arrives in the outbox and Ctrl-O fills it, Enter confirms it (confirmUserAttribute), and
//! the list shows the new email verified.

mod support;

use support::tmux::Tmux;

const USER: &str = "alice";
const PASSWORD: &str = "DemoPassw0rd!";
const NEW_EMAIL: &str = "alice.new@example.org";

#[test]
fn the_account_screen_updates_the_email_and_confirms_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized(
        "account",
        exe,
        "",
        &[("COGNITO_TUI_HOME", &home_s)],
        100,
        30,
    ) else {
        return;
    };
    t.wait_for("F1 Sign up");
    t.keys(&["F3"]);
    t.wait_for("Forgot password");
    t.text(USER);
    t.keys(&["Tab"]);
    t.text(PASSWORD);
    t.keys(&["Enter"]);
    t.wait_for("Signed in as alice");

    // Session → Account: GetUser lists the attributes with their verified flags.
    t.keys(&["a"]);
    let s = t.wait_for("alice@example.com ✓ verified");
    assert!(s.contains("Account"), "{s}");

    // n: a new value for email; Enter sends updateUserAttributes.
    t.keys(&["n"]);
    t.wait_for("Attribute");
    t.text("email");
    t.keys(&["Tab"]);
    t.text(NEW_EMAIL);
    t.keys(&["Enter"]);
    let s = t.wait_for("CONFIRM_ATTRIBUTE_WITH_CODE");
    assert!(s.contains("A code for email went to"), "{s}");
    // The list now has the new email, not yet verified.
    t.wait_for("✗ unverified");

    // Ctrl-O takes the code from the outbox (read again after the update), Enter confirms.
    t.wait_until("the code filled in from the outbox", |s| {
        if s.contains("Code filled in from the outbox") {
            return true;
        }
        t.keys(&["C-o"]);
        std::thread::sleep(std::time::Duration::from_millis(200));
        false
    });
    t.keys(&["Enter"]);
    let s = t.wait_for("email is verified.");
    assert!(s.contains("VerifyUserAttribute"), "{s}");
    let s = t.wait_until("the new email verified in the list", |s| {
        s.lines()
            .any(|l| l.contains("alice.new@example.o") && l.contains("✓ verified"))
    });
    assert!(!s.contains(PASSWORD), "{s}");
    t.keys(&["C-c"]);
}
