//! The pool's store under faults and contention: another process holding SQLite's write lock
//! (writers answer a retryable Cognito error, never a 5xx, and reads still answer), and
//! `kill -9` in the middle of concurrent SignUps (every acknowledged user survives whole and
//! confirmable; no user is left torn).

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID};
use rusqlite::Connection;
use serde_json::{Value, json};
use support::http;
use support::pool::{DB_FILE, Harness};

const PASSWORD: &str = "Str0ng-Passw0rd!";

fn sign_up_body(username: &str) -> Value {
    json!({
        "ClientId": DEMO_CLIENT_ID,
        "Username": username,
        "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_write_lock_gives_a_retryable_error_and_reads_still_answer() {
    let h = Harness::new().await;
    let signed_in = h
        .call(
            "InitiateAuth",
            json!({"ClientId": DEMO_CLIENT_ID, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}}),
        )
        .await
        .ok();
    let access = signed_in["AuthenticationResult"]["AccessToken"].clone();

    // Another process's connection takes the write lock and keeps it.
    let holder = Connection::open(h.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();

    // Writers queue up behind it...
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let http = h.http.clone();
            let url = h.base().to_string();
            tokio::spawn(async move {
                http::call(&http, &url, "SignUp", &sign_up_body(&format!("held{i}"))).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // ...while every kind of read answers, before any writer has given up.
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(user["Username"], "alice");
    let listed = h
        .call(
            "ListUsers",
            json!({"UserPoolId": DEMO_POOL_ID, "Filter": "username = \"alice\""}),
        )
        .await
        .ok();
    assert_eq!(
        listed["Users"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    let jwks: Value = h
        .http
        .get(format!("{}/{DEMO_POOL_ID}/.well-known/jwks.json", h.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2), "{jwks}");
    let outbox = h.outbox("bob", "SIGN_UP").await;
    assert!(outbox.is_empty());
    assert!(
        writers.iter().all(|w| !w.is_finished()),
        "the reads were answered while the writers still waited"
    );

    // The writers give up with Cognito's throttling error, which SDKs retry; never a 5xx.
    for w in writers {
        let r = w.await.unwrap();
        assert!(r.status < 500, "status {} {}", r.status, r.raw);
        r.err_is(
            "TooManyRequestsException",
            "Too many requests: the user pool's store is busy, try again.",
        );
        assert_eq!(r.error_type.as_deref(), Some("TooManyRequestsException:"));
    }
    // Nothing of them was written.
    let count: i64 = holder
        .query_row(
            "SELECT COUNT(*) FROM users WHERE username LIKE 'held%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 0);

    // Once the lock is free, the retry goes through.
    holder.execute_batch("ROLLBACK").unwrap();
    let out = h.call("SignUp", sign_up_body("held0")).await.ok();
    assert_eq!(out["UserConfirmed"], false);
    assert_eq!(h.outbox("held0", "SIGN_UP").await.len(), 1);
}

/// `cognito-tui serve` on the store `db`; the URL it prints.
fn spawn_serve(db: &Path, home: &Path) -> (Child, String) {
    let mut child = support::pool::binary()
        .args(["serve", "--port", "0", "--db"])
        .arg(db)
        .env("COGNITO_TUI_HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cognito-tui serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("serve prints its URL");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    (child, url)
}

/// Users of `prefix` missing a piece that SignUp writes: their status-index row, their
/// confirmation code or their outbox entry.
fn torn_users(db: &Path, prefix: &str) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut st = conn
        .prepare(
            "SELECT u.username FROM users u WHERE u.username LIKE ?1 || '%' AND (
               NOT EXISTS (SELECT 1 FROM user_index i WHERE i.pool_id = u.pool_id
                   AND i.username = u.username AND i.name = 'cognito:user_status')
               OR NOT EXISTS (SELECT 1 FROM codes c WHERE c.pool_id = u.pool_id
                   AND c.username = u.username AND c.purpose = 'SIGN_UP')
               OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.pool_id = u.pool_id
                   AND o.username = u.username AND o.purpose = 'SIGN_UP'))",
        )
        .unwrap();
    st.query_map([prefix], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn stored_users(db: &Path, prefix: &str) -> BTreeSet<String> {
    let conn = Connection::open(db).unwrap();
    let mut st = conn
        .prepare("SELECT username FROM users WHERE username LIKE ?1 || '%'")
        .unwrap();
    st.query_map([prefix], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_concurrent_sign_ups_leaves_no_torn_user() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut acknowledged = BTreeSet::new();
    const ROUNDS: usize = 3;
    for round in 0..ROUNDS {
        let (mut child, url) = spawn_serve(&db, dir.path());
        // Eight clients sign up users one after another until the server dies under them.
        let clients: Vec<_> = (0..8)
            .map(|c| {
                let http = http.clone();
                let url = url.clone();
                tokio::spawn(async move {
                    let mut acked = Vec::new();
                    for i in 0.. {
                        let name = format!("k9r{round}c{c}n{i}");
                        let body = sign_up_body(&name).to_string();
                        let sent = http::raw_request(&http, &url, "SignUp", body).send().await;
                        match sent {
                            Ok(r) if r.status() == 200 => acked.push(name),
                            Ok(r) => panic!("SignUp {name}: {} {:?}", r.status(), r.text().await),
                            Err(_) => break,
                        }
                    }
                    acked
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300 + 100 * round as u64)).await;
        child.kill().expect("kill -9");
        child.wait().unwrap();
        let before = acknowledged.len();
        for c in clients {
            acknowledged.extend(c.await.unwrap());
        }
        eprintln!(
            "round {round}: {} sign-ups acknowledged",
            acknowledged.len() - before
        );
    }
    assert!(
        acknowledged.len() >= ROUNDS,
        "some sign-ups were acknowledged: {}",
        acknowledged.len()
    );

    // No user is torn, and every acknowledged one is stored (others may be stored too: the
    // server can die after committing and before answering).
    assert_eq!(torn_users(&db, "k9r"), Vec::<String>::new());
    let stored = stored_users(&db, "k9r");
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    let conn = Connection::open(&db).unwrap();
    let indexed: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM user_index WHERE name = 'cognito:user_status' \
             AND username LIKE 'k9r%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexed as usize, stored.len(), "one status row per user");
    drop(conn);

    // Every acknowledged user confirms with the code it was sent, after a restart.
    let (mut child, url) = spawn_serve(&db, dir.path());
    let outbox: Vec<Value> = http
        .get(format!("{url}/_local/outbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for name in &acknowledged {
        let code = outbox
            .iter()
            .rfind(|e| e["username"] == name.as_str() && e["purpose"] == "SIGN_UP")
            .unwrap_or_else(|| panic!("no code for {name}"))["code"]
            .clone();
        let r = http::call(
            &http,
            &url,
            "ConfirmSignUp",
            &json!({"ClientId": DEMO_CLIENT_ID, "Username": name, "ConfirmationCode": code}),
        )
        .await;
        assert_eq!(r.status, 200, "{name}: {}", r.raw);
    }
    let _ = child.kill();
    let _ = child.wait();
}
