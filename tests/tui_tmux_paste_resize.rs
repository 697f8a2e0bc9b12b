//! The built binary in tmux, against the embedded pool in a private COGNITO_TUI_HOME:
//! a long bracketed paste lands in the focused field at once (and the Tab after it is not
//! lost), and resizing the terminal redraws every screen with a readable footer.
//! Needs tmux (installed by .ci/run).

mod support;

use std::io::Write;
use std::time::Duration;

use support::tmux::Tmux;

/// The row of the field labelled `label` (with its focus marker when focused).
fn field_row<'a>(screen: &'a str, label: &str) -> Option<&'a str> {
    screen
        .lines()
        .find(|l| l.contains(&format!("›{label} ")) || l.contains(&format!(" {label} ")))
}

#[test]
fn a_long_paste_fills_username_at_once_and_the_next_tab_moves_on() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized("paste", exe, "", &[("COGNITO_TUI_HOME", &home_s)], 100, 30)
    else {
        return;
    };
    let s = t.wait_for("F1 Sign up");
    assert!(
        field_row(&s, "Username").is_some_and(|l| l.contains("›Username")),
        "Username has focus on the first screen:\n{s}"
    );
    // ~2,500 characters with a recognisable end, and the line break a copied line carries.
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 2_480 {
        text.push_str(&format!("w{i:04}-"));
        i += 1;
    }
    text.push_str("THE-END-OF-PASTE\n");
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(text.as_bytes()).expect("write");
    file.flush().expect("flush");
    let path = file.path().to_string_lossy().to_string();
    t.run(&["load-buffer", "-b", "long", &path]);
    // -p: bracketed, as a terminal pastes when the program asked for it.
    t.run(&["paste-buffer", "-p", "-b", "long", "-t", "paste"]);
    t.keys(&["Tab"]);
    let s = t.wait_until(
        "the paste's end in Username and the focus on Password",
        |s| {
            field_row(s, "Username").is_some_and(|l| l.contains("THE-END-OF-PASTE"))
                && field_row(s, "Password").is_some_and(|l| l.contains("›Password"))
        },
    );
    let user = field_row(&s, "Username").expect("Username row");
    assert!(!user.contains('›'), "Username lost the focus: {user}");
    // The pasted line break did not submit the form (no call, no required-field error),
    // and no pasted letter was taken for a command (q would have quit).
    assert!(!s.contains("signIn"), "the paste submitted the form:\n{s}");
    assert!(!s.contains("EXITED"), "{s}");
    t.keys(&["Escape"]);
    // An Esc followed at once by q reads as Alt-q.
    std::thread::sleep(Duration::from_millis(600));
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert!(!t.alternate_on());
}
