//! Ctrl-S in the built binary, in tmux, against the embedded pool in a private
//! COGNITO_TUI_HOME: sign in, export the transcript to the default path (under the data
//! directory), read the status line for where it went, and read the files: 0600, the steps
//! and calls of the sign-in, and not the password. A path that cannot be written is a clear
//! message, and the app carries on.

mod support;

use std::path::{Path, PathBuf};

use cognito_tui::local::DEMO_PASSWORD;
use support::tmux::Tmux;

fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn ctrl_s_exports_the_transcript_and_the_status_line_says_where() {
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized("export", exe, "", &[("COGNITO_TUI_HOME", &home_s)], 140, 36)
    else {
        return;
    };
    t.wait_for("F1 Sign up");
    // Sign in as the demo's alice (the cursor starts in the username field).
    t.keys(&["F3"]);
    t.wait_for("USER_SRP_AUTH");
    t.text("alice");
    t.keys(&["Tab"]);
    t.text(DEMO_PASSWORD);
    t.keys(&["Enter"]);
    t.wait_for("cognito:username alice");

    t.keys(&["C-s"]);
    let s = t.wait_for("Export the transcript");
    let dir = home.path().join("data").join("transcripts");
    assert!(
        s.contains(&dir.display().to_string()),
        "the default path is under the data directory:\n{s}"
    );
    t.keys(&["Enter"]);
    let s = t.wait_for("Transcript written to");
    let md = files_with(&dir, "md");
    let json = files_with(&dir, "json");
    assert_eq!((md.len(), json.len()), (1, 1), "{s}");
    assert!(
        s.contains(&md[0].display().to_string()),
        "the status line names the file:\n{s}"
    );
    let text = std::fs::read_to_string(&md[0]).unwrap();
    assert!(text.starts_with("# cognito-tui transcript"), "{text}");
    assert!(text.contains("| signIn | — → **DONE** |"), "{text}");
    assert!(text.contains("**Call** `InitiateAuth`"), "{text}");
    assert!(text.contains("**Call** `RespondToAuthChallenge`"), "{text}");
    assert!(!text.contains(DEMO_PASSWORD));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json[0]).unwrap()).unwrap();
    assert_eq!(doc["target"]["kind"], "embedded");
    #[cfg(unix)]
    for f in [&md[0], &json[0]] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(f).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", f.display());
    }

    // A folder that is a file: a clear message, nothing written, the app still runs.
    let blocker = home.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    t.keys(&["C-s"]);
    t.wait_for("Export the transcript");
    t.keys(&["C-u"]);
    t.text(&blocker.join("t.md").display().to_string());
    t.keys(&["Enter"]);
    let s = t.wait_for("Transcript not written");
    assert!(s.contains("a file of that name is in the way"), "{s}");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}
