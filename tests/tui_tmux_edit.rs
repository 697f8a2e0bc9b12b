//! The built binary in tmux, against the embedded pool: in step mode a held USER_PASSWORD_AUTH
//! InitiateAuth is opened in `$EDITOR` (a script that changes the user), the terminal comes
//! back, and the edited request is sent: the pool signs in the user the edit names and the
//! status pane marks the call edited. A missing editor is said plainly, the text kept.
//! Needs tmux (installed by .ci/run).

mod support;

use std::time::Duration;

use support::tmux::Tmux;

/// Signs in as alice with USER_PASSWORD_AUTH in step mode, until the InitiateAuth is held,
/// then opens the held request's editor.
fn hold_and_edit(t: &Tmux) {
    t.wait_for("F1 Sign up");
    t.keys(&["F3"]);
    t.wait_for("Forgot password");
    t.text("alice");
    t.keys(&["Tab"]);
    t.text("DemoPassw0rd!");
    t.keys(&["Tab", "Right", "C-t"]);
    t.wait_for("USER_PASSWORD_AUTH");
    // The actor confirms step mode before the form is sent (a submit meanwhile waits).
    t.wait_for("each request is held until");
    t.keys(&["Enter"]);
    t.wait_for("InitiateAuth is held");
    t.keys(&["C-e"]);
    t.wait_for("Edit the held InitiateAuth");
}

#[test]
fn a_held_request_edited_in_editor_is_sent_with_the_edit() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let editor = home.path().join("edit.sh");
    std::fs::write(&editor, "#!/bin/sh\nsed -i 's/\"alice\"/\"bob\"/' \"$1\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let editor_s = editor.to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let env = [("COGNITO_TUI_HOME", home_s.as_str()), ("EDITOR", &editor_s)];
    let Some(t) = Tmux::start_sized("edit", exe, "", &env, 120, 40) else {
        return;
    };
    hold_and_edit(&t);
    t.keys(&["C-o"]);
    let s = t.wait_for("\"USERNAME\": \"bob\"");
    assert!(t.alternate_on(), "the full screen is back:\n{s}");
    assert!(s.contains("\"PASSWORD\": \"***\""), "{s}");
    assert!(!s.contains("DemoPassw0rd!"), "{s}");
    t.keys(&["C-s"]);
    let s = t.wait_for("sent edited: answered 200");
    assert!(s.contains("InitiateAuth #"), "{s}");
    // The pool signed in bob: the session shows his name.
    t.keys(&["F5"]);
    t.wait_until("bob's claims on the Session screen", |s| {
        s.lines()
            .any(|l| l.contains("cognito:username") && l.contains("bob"))
    });
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-q"]);
    t.wait_for("EXITED:0");
}

#[test]
fn a_missing_editor_is_said_and_the_text_kept() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let env = [
        ("COGNITO_TUI_HOME", home_s.as_str()),
        ("EDITOR", "/nonexistent/editor"),
        ("VISUAL", ""),
    ];
    let Some(t) = Tmux::start_sized("noeditor", exe, "", &env, 120, 40) else {
        return;
    };
    hold_and_edit(&t);
    t.keys(&["C-o"]);
    let s = t.wait_for("was not found");
    assert!(t.alternate_on(), "the full screen is back:\n{s}");
    assert!(
        s.contains("\"USERNAME\": \"alice\""),
        "the text is kept:\n{s}"
    );
    t.keys(&["C-q"]);
    t.wait_for("EXITED:0");
}
