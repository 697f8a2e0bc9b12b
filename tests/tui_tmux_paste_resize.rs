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

const SCREENS: [(&str, &str); 8] = [
    ("F1", "Sign up"),
    ("F2", "Confirm"),
    ("F3", "Sign in"),
    ("F4", "Challenge"),
    ("F5", "Session"),
    ("F6", "Users"),
    ("F7", "Outbox"),
    ("F8", "Pool"),
];

/// The screen fills a `w`×`h` terminal: the status pane's bottom border spans the width on
/// the second-to-last row, `title`'s box is drawn, and the footer ends with a whole hint.
fn drawn_at(s: &str, w: usize, h: usize, title: &str) -> bool {
    let rows: Vec<&str> = s.lines().collect();
    rows.len() == h
        && rows[h - 2].starts_with('└')
        && rows[h - 2].trim_end().chars().count() == w
        && s.contains(&format!("┌ {title} "))
        && footer_whole(rows[h - 1])
}

/// The footer ends with its help or quit hint, not a word cut at the edge.
fn footer_whole(footer: &str) -> bool {
    let f = footer.trim_end();
    f.ends_with("quit") || f.ends_with("help")
}

#[test]
fn every_screen_redraws_after_each_resize_with_a_readable_footer() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized("resize", exe, "", &[("COGNITO_TUI_HOME", &home_s)], 120, 40)
    else {
        return;
    };
    t.wait_for("F1 Sign up");
    for (w, h) in [(120usize, 40usize), (60, 15), (80, 24)] {
        t.run(&[
            "resize-window",
            "-t",
            "resize",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
        for (key, title) in SCREENS {
            t.keys(&[key]);
            let s = t.wait_until(&format!("{title} drawn at {w}x{h}"), |s| {
                drawn_at(s, w, h, title)
            });
            assert!(!s.contains("panicked") && !s.contains("EXITED"), "{s}");
        }
    }
    // Still alive and answering: q (outside a field) quits and restores the terminal.
    t.keys(&["F7"]);
    t.wait_for("┌ Outbox ");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert!(!t.alternate_on());
}
