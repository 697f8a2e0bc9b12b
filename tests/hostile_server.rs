//! `cognito-tui run` (the built binary, headless) against servers that misbehave on purpose
//! (tests/support/hostile.rs): a 307 to another origin, a 50 MB JSON array, a 4 MiB array of
//! two million zeros, an endless body, a token with `exp` = i64::MAX, a token already expired,
//! and errors that echo the request body.
//!
//! For each: the command ends with a clear error (or a flagged session) well within the
//! client's 15 s deadline; the process's peak memory (VmHWM in /proc/PID/status, read before it
//! exits) stays under [`MEMORY_BOUND_KIB`]; and the password appears nowhere in stdout, stderr
//! or the log file (written at debug level here).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::hostile::{Behaviour, Hostile};

/// The bound on the headless client's peak resident memory, whatever the server sends.
const MEMORY_BOUND_KIB: u64 = 64 * 1024;

/// Every answer here must come well before the client's 15 s timeout: the limits act on size,
/// not on time.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

const PASSWORD: &str = "Hostile-Passw0rd!";

struct Run {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stdout: String,
    stderr: std::thread::JoinHandle<String>,
    home: tempfile::TempDir,
}

impl Run {
    fn start(endpoint: &str) -> Run {
        let home = tempfile::tempdir().expect("temp dir");
        let mut child = support::pool::binary()
            .args(["run", "--endpoint", endpoint])
            .args([
                "--user-pool-id",
                "us-east-1_Hostile",
                "--client-id",
                "hostileclient",
            ])
            .env("COGNITO_TUI_HOME", home.path())
            .env("COGNITO_TUI_LOG", "debug")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .env_remove("COGNITO_TUI_CLIENT_SECRET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cognito-tui run");
        let stdin = child.stdin.take();
        let out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        Run {
            child,
            stdin,
            lines,
            stdout: String::new(),
            stderr,
            home,
        }
    }

    /// Sends one command and returns its events up to `finished`, and how long that took.
    fn auth(&mut self, cmd: Value) -> (Vec<Value>, Duration) {
        let t0 = Instant::now();
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{cmd}").expect("write a command");
        stdin.flush().expect("flush");
        let mut events = Vec::new();
        loop {
            let left = (t0 + ANSWER_WITHIN + Duration::from_secs(10))
                .saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!("no `finished` for {} in time; got {events:?}", cmd["cmd"])
            });
            self.stdout.push_str(&line);
            self.stdout.push('\n');
            let ev: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let done = ev["source"] == "auth" && ev["event"] == "finished";
            events.push(ev);
            if done {
                return (events, t0.elapsed());
            }
        }
    }

    /// Peak resident memory so far, from /proc (Linux).
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a VmHWM line")
    }

    /// Checks the memory bound, ends the process and checks that no output and no log holds
    /// the password.
    fn finish(mut self) {
        let peak = self.peak_kib();
        eprintln!("peak memory of cognito-tui run: {peak} KiB");
        assert!(
            peak < MEMORY_BOUND_KIB,
            "peak memory {peak} KiB over the bound of {MEMORY_BOUND_KIB} KiB"
        );
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().ok().flatten().is_none() {
            assert!(
                Instant::now() < deadline,
                "cognito-tui run did not exit at end of input"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            self.stdout.push_str(&line);
        }
        let stderr = self.stderr.join().unwrap_or_default();
        let mut log = String::new();
        for e in walk(self.home.path()) {
            if e.extension().is_some_and(|x| x == "log") || e.to_string_lossy().contains("log") {
                log.push_str(&String::from_utf8_lossy(
                    &std::fs::read(&e).unwrap_or_default(),
                ));
            }
        }
        assert!(
            !log.is_empty(),
            "no log file under {}",
            self.home.path().display()
        );
        for (what, text) in [("stdout", &self.stdout), ("stderr", &stderr), ("log", &log)] {
            assert!(
                !text.contains(PASSWORD),
                "the password is in {what}:\n{text}"
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn error_of(events: &[Value]) -> &Value {
    events
        .iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("no error event in {events:?}"))
}

fn finished_ok(events: &[Value]) -> bool {
    events.last().is_some_and(|e| e["ok"] == true)
}

fn sign_in(flow: &str) -> Value {
    json!({"cmd": "sign_in", "username": "mallory", "password": PASSWORD, "flow": flow})
}

#[test]
fn a_redirect_to_another_origin_is_refused_and_nothing_reaches_it() {
    let elsewhere = Hostile::start(Behaviour::Empty);
    let server = Hostile::start(Behaviour::Redirect {
        location: format!("{}/collect", elsewhere.url),
    });
    let mut run = Run::start(&server.url);
    for cmd in [
        json!({"cmd": "sign_up", "username": "mallory", "password": PASSWORD}),
        sign_in("USER_PASSWORD_AUTH"),
    ] {
        let (events, took) = run.auth(cmd);
        assert!(took < ANSWER_WITHIN, "{took:?}");
        assert!(!finished_ok(&events));
        let e = error_of(&events);
        assert_eq!(e["code"], "InvalidResponse", "{e}");
        let msg = e["message"].as_str().unwrap();
        assert!(msg.contains("HTTP 307 redirect to"), "{msg}");
        assert!(msg.contains(&format!("{}/collect", elsewhere.url)), "{msg}");
    }
    assert_eq!(server.count("SignUp"), 1);
    assert_eq!(server.count("InitiateAuth"), 1);
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
    run.finish();
}

#[test]
fn a_50_mb_array_is_cut_off_at_the_limit_in_bounded_memory() {
    let server = Hostile::start(Behaviour::HugeArray {
        bytes: 50 * 1024 * 1024,
    });
    let mut run = Run::start(&server.url);
    let (events, took) = run.auth(sign_in("USER_PASSWORD_AUTH"));
    assert!(took < ANSWER_WITHIN, "{took:?}");
    let e = error_of(&events);
    assert_eq!(e["code"], "InvalidResponse", "{e}");
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("over the client's limit of 4 MiB"), "{msg}");
    run.finish();
}

#[test]
fn a_body_of_millions_of_tiny_values_is_refused_before_parsing() {
    let server = Hostile::start(Behaviour::ManyValues {
        bytes: 4 * 1024 * 1024 - 64,
    });
    let mut run = Run::start(&server.url);
    let (events, took) = run.auth(sign_in("USER_PASSWORD_AUTH"));
    assert!(took < ANSWER_WITHIN, "{took:?}");
    let e = error_of(&events);
    assert_eq!(e["code"], "InvalidResponse", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("over the client's limit of 100000"),
        "{e}"
    );
    run.finish();
}

#[test]
fn an_endless_body_is_cut_off_at_the_limit_in_bounded_memory() {
    let server = Hostile::start(Behaviour::Endless);
    let mut run = Run::start(&server.url);
    let (events, took) = run.auth(sign_in("USER_SRP_AUTH"));
    assert!(took < ANSWER_WITHIN, "{took:?}");
    let e = error_of(&events);
    assert_eq!(e["code"], "InvalidResponse", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("over the client's limit of 4 MiB"),
        "{e}"
    );
    // The next command works as before: the client is not stuck on the stream.
    let (events, took) = run.auth(sign_in("USER_PASSWORD_AUTH"));
    assert!(took < ANSWER_WITHIN, "{took:?}");
    assert_eq!(error_of(&events)["code"], "InvalidResponse");
    run.finish();
}

#[test]
fn a_far_future_exp_is_flagged_and_never_refreshed() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let server = Hostile::start(Behaviour::Tokens {
        exp: i64::MAX,
        iat: now,
    });
    let mut run = Run::start(&server.url);
    let (events, _) = run.auth(sign_in("USER_PASSWORD_AUTH"));
    assert!(finished_ok(&events), "{events:?}");
    let warning = events
        .iter()
        .find(|e| e["event"] == "info" && e["message"].as_str().unwrap().starts_with("Warning"))
        .unwrap_or_else(|| panic!("no warning in {events:?}"));
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("implausibly far ahead"),
        "{warning}"
    );
    for _ in 0..3 {
        let (events, took) = run.auth(json!({"cmd": "fetch_session"}));
        assert!(took < ANSWER_WITHIN);
        assert!(finished_ok(&events), "{events:?}");
        let s = events
            .iter()
            .find(|e| e["event"] == "session")
            .unwrap_or_else(|| panic!("no session in {events:?}"));
        assert_eq!(s["session"]["access_expiry"], "implausibly_far", "{s}");
        assert_eq!(s["session"]["access_expires_at"], i64::MAX, "{s}");
    }
    assert_eq!(server.count("GetTokensFromRefreshToken"), 0);
    assert_eq!(server.count("InitiateAuth"), 1);
    run.finish();
}

#[test]
fn an_expired_token_is_flagged_and_a_refresh_to_expired_tokens_is_an_error() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Issued now (so the client sees no clock drift) and expired ten minutes ago.
    let server = Hostile::start(Behaviour::Tokens {
        exp: now - 600,
        iat: now,
    });
    let mut run = Run::start(&server.url);
    let (events, _) = run.auth(sign_in("USER_PASSWORD_AUTH"));
    assert!(finished_ok(&events), "{events:?}");
    let s = events
        .iter()
        .find(|e| e["event"] == "session")
        .expect("a session");
    assert_eq!(s["session"]["access_expiry"], "expired", "{s}");
    assert_eq!(s["session"]["id_expiry"], "expired", "{s}");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "info"
                && e["message"].as_str().unwrap().contains("already expired")),
        "{events:?}"
    );
    // The tokens are due: fetch_session refreshes, and the server answers expired tokens again.
    let (events, took) = run.auth(json!({"cmd": "fetch_session"}));
    assert!(took < ANSWER_WITHIN);
    assert!(!finished_ok(&events), "{events:?}");
    let e = error_of(&events);
    assert_eq!(e["code"], "InvalidResponse", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("GetTokensFromRefreshToken returned expired tokens"),
        "{e}"
    );
    assert_eq!(server.count("GetTokensFromRefreshToken"), 1);
    run.finish();
}

#[test]
fn errors_that_echo_the_request_never_show_the_password() {
    for behaviour in [Behaviour::EchoJsonError, Behaviour::EchoHtml] {
        let server = Hostile::start(behaviour.clone());
        let mut run = Run::start(&server.url);
        for cmd in [
            json!({"cmd": "sign_up", "username": "mallory", "password": PASSWORD}),
            sign_in("USER_PASSWORD_AUTH"),
        ] {
            let (events, took) = run.auth(cmd);
            assert!(took < ANSWER_WITHIN);
            let e = error_of(&events);
            let msg = e["message"].as_str().unwrap();
            // The echo is shown, with the password replaced by the redaction mark.
            assert!(msg.contains("***"), "{behaviour:?}: {msg}");
            assert!(msg.contains("mallory"), "{behaviour:?}: {msg}");
        }
        // The servers did receive it: the scrubbing, not a missing password, hides it.
        assert!(server.seen().iter().any(|s| s.body.contains(PASSWORD)));
        run.finish();
    }
}
