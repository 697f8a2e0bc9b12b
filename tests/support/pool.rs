//! The embedded pool, started one way in-process ([`start_pool`], [`Harness`]) and one way as
//! the `serve` binary ([`serve`]), each on a store in a fresh temporary directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use cognito_tui::local::sigv4::LocalCredentials;
use cognito_tui::local::{DEMO_POOL_ID, LocalOptions, LocalPool};
use cognito_tui::srp::{self, ClientEphemeral};
use serde_json::{Value, json};

use super::http::{self, Resp};

/// The store's file name inside a harness's directory.
pub const DB_FILE: &str = "pool.sqlite3";

/// Starts an in-process pool on the store at `db` (created when missing), on a free port of
/// 127.0.0.1, accepting any well-formed admin signature.
pub async fn start_pool(db: &Path) -> LocalPool {
    start_pool_with(db, None).await
}

/// [`start_pool`] verifying admin signatures with `credentials` (when some).
pub async fn start_pool_with(db: &Path, credentials: Option<LocalCredentials>) -> LocalPool {
    LocalPool::start(LocalOptions {
        db_path: db.to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        credentials,
        allow_command_triggers: false,
        edge: Default::default(),
    })
    .await
    .expect("the pool starts")
}

/// [`start_pool`] whose starter allowed command triggers (`serve --allow-command-triggers`).
pub async fn start_pool_running_commands(db: &Path) -> LocalPool {
    LocalPool::start(LocalOptions {
        db_path: db.to_path_buf(),
        allow_command_triggers: true,
        ..LocalOptions::default_local()
    })
    .await
    .expect("the pool starts")
}

/// An in-process pool on a temporary store, an HTTP client, and the pool clock's offset (client
/// timestamps follow it).
pub struct Harness {
    pub pool: LocalPool,
    pub http: reqwest::Client,
    /// How far the pool clock has been moved, in seconds.
    pub offset: AtomicI64,
    pub dir: tempfile::TempDir,
}

impl Harness {
    /// A pool on a new store.
    pub async fn new() -> Self {
        Self::with_credentials(None).await
    }

    /// A pool on a new store, verifying admin signatures with `credentials` (when some).
    pub async fn with_credentials(credentials: Option<LocalCredentials>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pool = start_pool_with(&dir.path().join(DB_FILE), credentials).await;
        Self::around(pool, dir)
    }

    /// A pool on a new store that runs command triggers (`serve --allow-command-triggers`).
    pub async fn with_command_triggers() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pool = start_pool_running_commands(&dir.path().join(DB_FILE)).await;
        Self::around(pool, dir)
    }

    /// A pool on the existing store `db`, kept (with everything else in it) by `dir`.
    pub async fn on_store(dir: tempfile::TempDir, db: &Path) -> Self {
        let pool = start_pool(db).await;
        Self::around(pool, dir)
    }

    /// A harness around a pool already started (its store in `dir`).
    pub fn around(pool: LocalPool, dir: tempfile::TempDir) -> Self {
        Self {
            pool,
            http: reqwest::Client::new(),
            offset: AtomicI64::new(0),
            dir,
        }
    }

    /// The store of [`Harness::new`].
    pub fn db(&self) -> PathBuf {
        self.dir.path().join(DB_FILE)
    }

    /// The pool's URL, without a trailing slash.
    pub fn base(&self) -> &str {
        self.pool.base_url()
    }

    /// Moves the pool clock `secs` forward; [`Harness::timestamp`] follows.
    pub fn advance(&self, secs: i64) {
        self.pool.advance_clock(secs);
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }

    /// Seconds the pool clock has been moved.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Unix time on the pool's clock.
    pub fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp() + self.offset()
    }

    /// An SRP TIMESTAMP on the pool's clock.
    pub fn timestamp(&self) -> String {
        srp::format_timestamp(
            time::OffsetDateTime::now_utc() + time::Duration::seconds(self.offset()),
        )
    }

    /// One operation; the answer must be JSON.
    pub async fn call(&self, op: &str, body: Value) -> Resp {
        http::call(&self.http, self.base(), op, &body).await
    }

    /// Outbox entries of `username` with `purpose`, oldest first.
    pub async fn outbox(&self, username: &str, purpose: &str) -> Vec<Value> {
        let entries: Value = self
            .http
            .get(format!("{}/_local/outbox", self.base()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["username"] == username && e["purpose"] == purpose)
            .cloned()
            .collect()
    }

    pub async fn latest_code(&self, username: &str, purpose: &str) -> String {
        let all = self.outbox(username, purpose).await;
        all.last()
            .unwrap_or_else(|| panic!("no {purpose} outbox entry for {username}"))["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Answers a PASSWORD_VERIFIER challenge made for `eph`.
    pub async fn answer_verifier(
        &self,
        client_id: &str,
        eph: &ClientEphemeral,
        challenge: &Value,
        password: &str,
    ) -> Resp {
        let body = verifier_answer(client_id, eph, challenge, password, &self.timestamp());
        self.call("RespondToAuthChallenge", body).await
    }

    pub async fn respond(
        &self,
        client_id: &str,
        challenge: &str,
        session: &Value,
        responses: Value,
    ) -> Resp {
        self.call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": challenge, "Session": session,
                   "ChallengeResponses": responses}),
        )
        .await
    }

    /// Checks the response carries tokens and returns the access token's claims.
    #[track_caller]
    pub fn tokens(&self, v: &Value) -> Value {
        let r = &v["AuthenticationResult"];
        assert!(
            r["IdToken"].is_string() && r["RefreshToken"].is_string(),
            "{v}"
        );
        http::claims(r["AccessToken"].as_str().unwrap())
    }
}

/// An example trigger's command line (`cmd:` + interpreter + absolute path).
pub fn example(script: &str) -> String {
    let path = format!("{}/examples/triggers/{script}", env!("CARGO_MANIFEST_DIR"));
    if script.ends_with(".py") {
        format!("cmd:python3 {path}")
    } else {
        format!("cmd:sh {path}")
    }
}

/// `cognito-tui serve` on a fresh store; killed when dropped, however the test ends.
pub struct Served {
    child: Child,
    pub url: String,
    /// The server's SQLite store (other processes may write it too: WAL).
    pub db: PathBuf,
    /// Standard output after the URL line, line by line.
    lines: Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// The server's next lines of output, up to and including the first `last` accepts, or
    /// at most `max` lines, or what came within `limit`.
    pub fn lines_until(&self, max: usize, limit: Duration, last: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        let mut out = String::new();
        for _ in 0..max {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.lines.recv_timeout(left) else {
                break;
            };
            out.push_str(&line);
            out.push('\n');
            if last(&line) {
                break;
            }
        }
        out
    }
}

/// The built `cognito-tui` binary.
pub fn binary_path() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_cognito-tui"))
}

/// The built `cognito-tui` binary, to be given its arguments.
pub fn binary() -> Command {
    Command::new(binary_path())
}

/// Starts `cognito-tui serve --port 0 --db <tmp>` and waits for the URL it prints.
pub fn serve() -> Served {
    serve_with(&[], &[])
}

/// [`serve`] with more arguments and environment variables.
pub fn serve_with(args: &[&str], env: &[(&str, &str)]) -> Served {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join(DB_FILE);
    let mut child = binary()
        .args(["serve", "--port", "0", "--db"])
        .arg(&db)
        .args(args)
        .env("COGNITO_TUI_HOME", dir.path())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cognito-tui serve");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    // Keeps draining so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(60));
    let mut served = Served {
        child,
        url: String::new(),
        db,
        lines: rx,
        _dir: dir,
    };
    let Ok(first) = first else {
        drop(served);
        panic!("cognito-tui serve printed no URL within 60 s");
    };
    served.url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .trim_end_matches('/')
        .to_string();
    served
}

/// A URL on 127.0.0.1 where nothing listens (a port just freed), with a trailing slash.
pub fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

/// The RespondToAuthChallenge body that answers a PASSWORD_VERIFIER `challenge` made for `eph`,
/// signed at `timestamp` (Cognito's format), with the challenge's Session.
pub fn verifier_answer(
    client_id: &str,
    eph: &ClientEphemeral,
    challenge: &Value,
    password: &str,
    timestamp: &str,
) -> Value {
    assert_eq!(
        challenge["ChallengeName"], "PASSWORD_VERIFIER",
        "{challenge}"
    );
    let p = &challenge["ChallengeParameters"];
    let user_id = p["USER_ID_FOR_SRP"].as_str().unwrap();
    let claim = eph
        .password_claim(
            srp::pool_name(DEMO_POOL_ID),
            user_id,
            password,
            p["SALT"].as_str().unwrap(),
            p["SRP_B"].as_str().unwrap(),
            p["SECRET_BLOCK"].as_str().unwrap(),
            timestamp,
        )
        .unwrap();
    json!({
        "ClientId": client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "Session": challenge["Session"],
        "ChallengeResponses": {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": claim.signature,
            "TIMESTAMP": claim.timestamp,
        }
    })
}
