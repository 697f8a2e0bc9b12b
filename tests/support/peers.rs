//! Interop peers: programs in other languages (pycognito, boto3, Amplify JS, the AWS CLI) run
//! against a pool with a time limit, moto's server, and the headless driver run as a process.
//! The CI rule lives here: under CI=true a missing peer fails the test; elsewhere it skips with
//! a message.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::pool::binary;

/// Whether this run is CI (where a missing peer is a failure, not a skip).
pub fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Skips (returns false after printing why) or, under CI, panics, when a peer is missing.
pub fn peer_available(test: &str, check: Result<(), String>) -> bool {
    match check {
        Ok(()) => true,
        Err(why) if under_ci() => panic!("{test} cannot run under CI: {why}"),
        Err(why) => {
            eprintln!("SKIPPED {test}: {why}");
            false
        }
    }
}

/// Runs `program --version`-style probe: Ok when it starts and exits 0.
pub fn probe(program: &str, args: &[&str], cwd: Option<&Path>) -> Result<String, String> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("{program} is not available ({e})"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ))
    }
}

/// The environment every peer gets: the server, the demo ids, and dummy AWS credentials (never
/// real ones: the embedded pool checks no signature).
pub fn peer_env(cmd: &mut Command, url: &str) {
    use cognito_tui::local::{
        DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_CUSTOM_CLIENT_ID, DEMO_MFA_CHOICE_USER,
        DEMO_PASSWORD, DEMO_POOL_ID, DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET,
    };
    cmd.env("POOL_ENDPOINT", url)
        .env("POOL_ID", DEMO_POOL_ID)
        .env("CLIENT_ID", DEMO_CLIENT_ID)
        .env("CUSTOM_CLIENT_ID", DEMO_CUSTOM_CLIENT_ID)
        .env("MFA_CHOICE_USER", DEMO_MFA_CHOICE_USER)
        .env("SECRET_CLIENT_ID", DEMO_SECRET_CLIENT_ID)
        .env("SECRET_CLIENT_SECRET", DEMO_SECRET_CLIENT_SECRET)
        .env("DEMO_USER", DEMO_CONFIRMED_USERS[0])
        .env("DEMO_PASSWORD", DEMO_PASSWORD)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        // pycognito would otherwise trust keys from the environment instead of the JWKS.
        .env_remove("COGNITO_JWKS");
}

/// Runs a peer to completion with a time limit; a hung peer fails the test instead of hanging it.
pub fn run_with_limit(mut cmd: Command, limit: Duration) -> Output {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    // Read both pipes on threads so a chatty peer cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the peer") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let out = out_t.join().unwrap_or_default();
            panic!(
                "peer timed out after {limit:?}\n--- stdout so far\n{}",
                String::from_utf8_lossy(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    }
}

/// Asserts the peer exited 0, printed "ALL OK" and every expected check line.
pub fn assert_peer_passed(name: &str, out: &Output, checks: &[&str]) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("ALL OK"),
        "{name} interop failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    for check in checks {
        assert!(
            stdout.lines().any(|l| l == format!("ok: {check}")),
            "{name}: missing check {check:?}:\n{stdout}"
        );
    }
}

/// tests/interop in the source tree.
pub fn interop_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// moto's server (tests/interop/moto_serve.py) on an OS-chosen port; stopped when dropped.
pub struct Moto {
    child: Child,
    // Held open: the server stops when its standard input closes, even if this process dies.
    _stdin: Option<std::process::ChildStdin>,
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        self._stdin.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether python3 can run moto's server and boto3 (`pip install -r tests/interop/requirements.txt`).
pub fn moto_ready() -> Result<(), String> {
    probe(
        "python3",
        &[
            "-c",
            "import boto3, flask_cors, moto.moto_server.threaded_moto_server",
        ],
        None,
    )
    .map(|_| ())
    .map_err(|e| {
        format!(
            "moto[server] is not installed (pip install -r tests/interop/requirements.txt): {e}"
        )
    })
}

/// Starts moto's server and waits for the URL it prints.
pub fn moto() -> Moto {
    let mut child = Command::new("python3")
        .arg(interop_dir().join("moto_serve.py"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tests/interop/moto_serve.py");
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(first)) = lines.next() {
            let _ = tx.send(first);
        }
        for _ in lines {}
    });
    let mut moto = Moto {
        child,
        _stdin: stdin,
        url: String::new(),
    };
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("moto printed no URL within 60 s"));
    moto.url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    moto
}

/// `cognito-tui run` (the headless driver) against a named target, fed one command at a time so
/// a test can compute its next answer (a TOTP code) from the events so far.
pub struct Headless {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    lines: std::sync::mpsc::Receiver<String>,
    /// Every output line so far, as text (to check that no secret was printed).
    pub transcript: String,
    _home: tempfile::TempDir,
}

impl Drop for Headless {
    fn drop(&mut self) {
        self.stdin.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Headless {
    /// `cognito-tui run --endpoint URL --user-pool-id POOL --client-id CLIENT`, with its own
    /// home directory (tokens, logs) and dummy AWS credentials.
    pub fn start(endpoint: &str, pool_id: &str, client_id: &str) -> Headless {
        let home = tempfile::tempdir().expect("temp dir");
        let mut child = binary()
            .args(["run", "--endpoint", endpoint, "--user-pool-id", pool_id])
            .args(["--client-id", client_id])
            .env("COGNITO_TUI_HOME", home.path())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("COGNITO_TUI_CLIENT_SECRET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cognito-tui run");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Headless {
            child,
            stdin,
            lines: rx,
            transcript: String::new(),
            _home: home,
        }
    }

    /// Sends one auth command and returns its events, up to and including `finished`.
    pub fn auth(&mut self, cmd: serde_json::Value) -> Vec<serde_json::Value> {
        self.send(&cmd, |ev| {
            ev["source"] == "auth" && ev["event"] == "finished"
        })
    }

    /// Sends one users-actor command and returns its events, up to and including its answer
    /// (the first admin event that is not a wire exchange).
    pub fn admin(&mut self, cmd: serde_json::Value) -> Vec<serde_json::Value> {
        self.send(&cmd, |ev| {
            ev["source"] == "admin" && ev["event"] != "exchange"
                || ev["source"] == "headless" && ev["event"] == "error"
        })
    }

    /// Sends one command and returns its events up to and including the first one `done`
    /// accepts (for commands answered by more than one event, e.g. CreateGroup's `action_done`
    /// then `groups`).
    pub fn admin_until(
        &mut self,
        cmd: serde_json::Value,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> Vec<serde_json::Value> {
        self.send(&cmd, done)
    }

    fn send(
        &mut self,
        cmd: &serde_json::Value,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> Vec<serde_json::Value> {
        use std::io::Write;
        let name = cmd["cmd"].as_str().unwrap_or("?").to_string();
        let stdin = self.stdin.as_mut().expect("the driver's stdin is open");
        writeln!(stdin, "{cmd}").expect("write a command to the driver");
        stdin.flush().expect("flush the driver's stdin");
        let mut events = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(line) => line,
                Err(e) => panic!(
                    "{name}: no answer from the driver ({e:?}); events so far:\n{}",
                    self.transcript
                ),
            };
            self.transcript.push_str(&line);
            self.transcript.push('\n');
            let ev: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
                panic!("{name}: the driver wrote a line that is not JSON ({e}): {line}")
            });
            let last = done(&ev);
            events.push(ev);
            if last {
                return events;
            }
        }
    }
}
