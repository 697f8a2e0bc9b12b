//! TOTP MFA on the built binary in tmux, against the embedded pool: the Pool screen turns
//! MFA ON with only the TOTP app (SetUserPoolMfaConfig), alice signs in and is asked to set
//! up TOTP (CONTINUE_SIGN_IN_WITH_TOTP_SETUP, QR code drawn), the test reads the shared
//! secret off the screen and computes the code like an authenticator app, and a second
//! sign-in answers CONFIRM_SIGN_IN_WITH_TOTP_CODE.

mod support;

use support::tmux::Tmux;

const USER: &str = "alice";
const PASSWORD: &str = "DemoPassw0rd!";

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// RFC 6238 (SHA-1, 6 digits, 30 s) code of a base32 secret at unix time `at`.
fn totp(secret: &str, at: u64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("a base32 secret"))
        .build()
        .expect("a TOTP")
        .generate(at)
        .to_string()
}

/// The shared secret on the TOTP setup screen: the `Secret XXXX…` line.
fn secret_on(screen: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let rest = l.split("Secret ").nth(1)?;
        let s: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || ('2'..='7').contains(c))
            .collect();
        (s.len() >= 16).then_some(s)
    })
}

fn sign_in(t: &Tmux) {
    t.keys(&["F3"]);
    t.wait_for("Forgot password");
    // The cursor is in the first empty field: username (first time) or password.
    let s = t.screen();
    if !s.contains(&format!("Username      {USER}")) {
        t.text(USER);
        t.keys(&["Tab"]);
    }
    t.text(PASSWORD);
    t.keys(&["Enter"]);
}

#[test]
fn totp_setup_then_totp_sign_in_in_the_built_binary() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized("totp", exe, "", &[("COGNITO_TUI_HOME", &home_s)], 140, 45)
    else {
        return;
    };
    t.wait_for("F1 Sign up");

    // Pool screen: MFA ON, TOTP app only.
    t.keys(&["F8"]);
    t.wait_for("Pool says: MFA");
    t.keys(&["e"]);
    // mode: pick ON whatever it was.
    for _ in 0..3 {
        if t.screen().contains("‹ ON ›") {
            break;
        }
        t.keys(&["Right"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    let s = t.screen();
    assert!(s.contains("‹ ON ›"), "{s}");
    // SMS off, TOTP on, Email off (each toggles only if needed).
    for (label, want) in [("SMS", false), ("TOTP app", true), ("Email", false)] {
        t.keys(&["Down"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
        let s = t.screen();
        let on = s.lines().any(|l| l.contains(label) && l.contains("[x]"));
        if on != want {
            t.keys(&["Space"]);
        }
    }
    // The first Enter asks (the change is for the whole pool), the second sends.
    t.keys(&["Enter"]);
    t.wait_for("every user of the pool");
    t.keys(&["Enter"]);
    let s = t.wait_for("SetUserPoolMfaConfig done: MFA is ON");
    assert!(s.contains("methods TOTP"), "{s}");

    // First sign-in: Cognito wants TOTP set up.
    sign_in(&t);
    t.wait_for("CONTINUE_SIGN_IN_WITH_TOTP_SETUP");
    // The secret, its otpauth URI and the QR code arrive in one frame; a capture can land while
    // that frame is still being written, so wait for the whole of it.
    let s = t.wait_until("the shared secret, its URI and the QR code", |s| {
        secret_on(s).is_some()
            && s.contains("otpauth://totp/")
            && s.contains("Scan with an authenticator app")
    });
    let secret = secret_on(&s).expect("the secret on screen");
    assert!(s.contains("otpauth://totp/"), "{s}");
    // The QR code is drawn in the right pane (half blocks).
    assert!(s.contains("Scan with an authenticator app"), "{s}");
    assert!(s.contains('▀') || s.contains('▄'), "{s}");
    assert!(!s.contains(PASSWORD));
    t.text(&totp(&secret, now_s()));
    t.keys(&["Enter"]);
    let s = t.wait_for("cognito:username alice");
    assert!(
        s.contains("AssociateSoftwareToken") || s.contains("VerifySoftwareToken"),
        "{s}"
    );

    // Sign out, sign in again: now Cognito asks for a TOTP code.
    t.keys(&["o"]);
    t.wait_for("Signed out");
    sign_in(&t);
    let s = t.wait_for("CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    assert!(s.contains("SOFTWARE_TOKEN_MFA"), "{s}");
    // The setup's code was used; the next 30 s step's code is in the accepted window.
    t.text(&totp(&secret, now_s() + 30));
    t.keys(&["Enter"]);
    let s = t.wait_for("cognito:username alice");
    let status: Vec<&str> = s.lines().filter(|l| l.contains(" → ")).collect();
    assert!(
        status
            .iter()
            .any(|l| l.contains("CONFIRM_SIGN_IN_WITH_TOTP_CODE → DONE")),
        "{s}"
    );
    t.keys(&["Escape", "q"]);
    t.wait_for("EXITED:0");
}
