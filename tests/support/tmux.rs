//! The terminal tests' tmux: run a program in a private tmux server, send keys, read the
//! screen back.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::peers::under_ci;

pub struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    /// Runs `exe args` in a fresh tmux server (100×30), with `env` set. Without tmux this
    /// returns `None` after saying so, except under CI=true, where a missing tmux fails the test.
    pub fn start(name: &str, exe: &Path, args: &str, env: &[(&str, &str)]) -> Option<Tmux> {
        Self::start_sized(name, exe, args, env, 100, 30)
    }

    /// [`Tmux::start`] with a terminal of `width`×`height`.
    pub fn start_sized(
        name: &str,
        exe: &Path,
        args: &str,
        env: &[(&str, &str)],
        width: u16,
        height: u16,
    ) -> Option<Tmux> {
        let have_tmux = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !have_tmux {
            if under_ci() {
                panic!("tmux is not installed: under CI this test must run (.ci/run installs it)");
            }
            eprintln!("SKIPPED: tmux is not installed; install it to run this terminal test");
            return None;
        }
        let socket = format!("cognito-tui-test-{}-{name}", std::process::id());
        let t = Tmux {
            socket,
            session: name.to_string(),
        };
        let cmd = format!("{} {args}; echo EXITED:$?; sleep 60", exe.display());
        let (width, height) = (width.to_string(), height.to_string());
        let mut argv: Vec<String> = [
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            width.as_str(),
            "-y",
            height.as_str(),
            "env",
            "TERM=xterm-256color",
            "RUST_BACKTRACE=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        argv.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        argv.extend(["sh".to_string(), "-c".to_string(), cmd]);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        t.run(&argv);
        Some(t)
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed for this test (.ci/run installs it)");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.session])
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", &self.session, k]);
        }
    }

    pub fn text(&self, s: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", s]);
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |s| s.contains(needle))
    }

    /// Polls the screen until `ready` holds (15 s at most); `what` names it in the failure.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ready(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("{what:?} never appeared; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn alternate_on(&self) -> bool {
        self.run(&["display", "-p", "-t", &self.session, "#{alternate_on}"])
            .trim()
            == "1"
    }

    /// The pid of the example (the child of the pane's shell).
    pub fn app_pid(&self) -> String {
        let shell = self.run(&["display", "-p", "-t", &self.session, "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .expect("the app process")
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}
