use super::*;
use std::collections::BTreeMap;

fn user(name: &str, email: &str, status: &str, enabled: bool) -> UserRecord {
    UserRecord {
        pool_id: "us-east-1_t".into(),
        username: name.into(),
        sub: format!("SUB-{name}"),
        status: status.into(),
        enabled,
        salt: String::new(),
        verifier: String::new(),
        attributes: BTreeMap::from([("email".to_string(), email.to_string())]),
        created: 0,
        modified: 0,
        failed_attempts: 0,
        last_failure: None,
        locked_until: None,
    }
}

#[test]
fn prefix_successor_bounds_exactly_the_strings_with_the_prefix() {
    assert_eq!(prefix_successor("ann").as_deref(), Some("ano"));
    assert_eq!(prefix_successor("").as_deref(), None);
    assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
    assert_eq!(prefix_successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
    for s in ["ann", "anna", "ann\u{10FFFF}x", "annz"] {
        let hi = prefix_successor("ann").unwrap();
        assert!(s >= "ann" && s < hi.as_str(), "{s}");
    }
    assert!("ano" >= prefix_successor("ann").unwrap().as_str());
}

#[test]
fn the_search_index_follows_inserts_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("t.db")).unwrap();
    conn.execute(
        "INSERT INTO pools (pool_id, name, config, created, modified, id_kid, id_key, access_kid, access_key) \
         VALUES ('us-east-1_t', 't', '{}', 0, 0, '', '', '', '')",
        [],
    )
    .unwrap();
    let pool = "us-east-1_t";
    insert_user(&conn, &user("ann", "Ann@Example.com", "CONFIRMED", true)).unwrap();
    insert_users_bulk(
        &conn,
        &[
            user("bob", "bob@example.com", "UNCONFIRMED", false),
            user("ann", "dup@example.com", "CONFIRMED", true),
        ],
    )
    .unwrap();
    assert_eq!(count_users(&conn, pool).unwrap(), 2);
    let names = |f: Option<(&str, &str, bool)>| -> Vec<String> {
        search_users(&conn, pool, f, None, 10)
            .unwrap()
            .into_iter()
            .map(|(u, _)| u.username)
            .collect()
    };
    assert_eq!(names(None), ["ann", "bob"]);
    assert_eq!(names(Some(("email", "ANN@", true))), ["ann"]);
    assert_eq!(
        names(Some(("email", "dup@example.com", false))),
        [] as [&str; 0]
    );
    assert_eq!(names(Some(("status", "Disabled", false))), ["bob"]);
    assert_eq!(
        names(Some(("cognito:user_status", "unconfirmed", false))),
        ["bob"]
    );
    assert_eq!(names(Some(("sub", "sub-ann", false))), ["ann"]);
    assert_eq!(names(Some(("username", "b", true))), ["bob"]);

    let mut bob = get_user(&conn, pool, "bob").unwrap().unwrap();
    bob.enabled = true;
    bob.status = "CONFIRMED".into();
    bob.attributes
        .insert("email".into(), "robert@example.com".into());
    update_user(&conn, &bob).unwrap();
    assert_eq!(names(Some(("status", "Disabled", false))), [] as [&str; 0]);
    assert_eq!(names(Some(("email", "bob", true))), [] as [&str; 0]);
    assert_eq!(names(Some(("email", "rob", true))), ["bob"]);
    assert_eq!(
        find_user_by_attribute(&conn, pool, "email", "robert@example.com")
            .unwrap()
            .map(|u| u.username),
        Some("bob".into())
    );
    // Exact lookups stay exact even though the index folds case.
    assert!(
        find_user_by_attribute(&conn, pool, "email", "ROBERT@example.com")
            .unwrap()
            .is_none()
    );
    assert!(user_exists_with_sub(&conn, pool, "SUB-bob").unwrap());
    assert!(!user_exists_with_sub(&conn, pool, "sub-bob").unwrap());

    delete_user(&conn, pool, "bob").unwrap();
    assert_eq!(count_users(&conn, pool).unwrap(), 1);
    assert_eq!(names(Some(("email", "rob", true))), [] as [&str; 0]);
    let left: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM user_index WHERE username = 'bob'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);

    // A store from before the index: rebuilt on open.
    conn.execute_batch("DELETE FROM user_index; DELETE FROM pool_user_counts; DELETE FROM meta WHERE key = 'user_index_v1';")
        .unwrap();
    drop(conn);
    let conn = open(&dir.path().join("t.db")).unwrap();
    assert_eq!(count_users(&conn, pool).unwrap(), 1);
    let found = search_users(&conn, pool, Some(("email", "ann@", true)), None, 10).unwrap();
    assert_eq!(found.len(), 1);
}

/// A store made by the previous version kept challenge Sessions in three tables. Opening it
/// moves every row into `auth_sessions` (a sign-in under way can still finish), names USER_AUTH's
/// first-factor codes apart from MFA's, and drops the old tables; a second open changes nothing.
#[test]
fn opening_a_store_with_the_three_old_session_tables_moves_their_rows_into_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE challenges (id_hash BLOB PRIMARY KEY, session_hash BLOB NOT NULL UNIQUE,
                 pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL,
                 a_pub TEXT NOT NULL, b_priv TEXT NOT NULL, b_pub TEXT NOT NULL,
                 created INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0,
                 kind TEXT NOT NULL DEFAULT 'PASSWORD_VERIFIER');
             CREATE TABLE flow_sessions (session_hash BLOB PRIMARY KEY, kind TEXT NOT NULL,
                 pool_id TEXT NOT NULL, client_id TEXT NOT NULL, username TEXT NOT NULL,
                 state TEXT NOT NULL, created INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE mfa_sessions (session_hash BLOB PRIMARY KEY, pool_id TEXT NOT NULL,
                 client_id TEXT NOT NULL, username TEXT NOT NULL, kind TEXT NOT NULL,
                 data TEXT NOT NULL, created INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0,
                 attempts INTEGER NOT NULL DEFAULT 0);
             INSERT INTO challenges VALUES (x'01', x'11', 'p', 'c', 'alice', 'A', 'b', 'B', 5, 0,
                 'PASSWORD_VERIFIER');
             INSERT INTO challenges VALUES (x'02', x'12', 'p', 'c', 'np', 'A2', 'b2', 'B2', 6, 1,
                 'NEW_PASSWORD_REQUIRED');
             INSERT INTO flow_sessions VALUES (x'21', 'EMAIL_OTP', 'p', 'c', 'pwless', '{}', 7, 0);
             INSERT INTO flow_sessions VALUES (x'22', 'CUSTOM_CHALLENGE', 'p', 'c', 'bob',
                 '{\"n\":1}', 8, 0);
             INSERT INTO mfa_sessions VALUES (x'31', 'p', 'c', 'mfa-sms', 'SMS_MFA', '{\"code\":1}',
                 9, 0, 2);",
        )
        .unwrap();
    }
    let rows = |conn: &Connection| -> Vec<(Vec<u8>, String, String, String, i64, i64)> {
        conn.prepare(
            "SELECT session_hash, kind, username, state, used, attempts FROM auth_sessions
             ORDER BY session_hash",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let conn = open(&path).unwrap();
    let moved = rows(&conn);
    let summary: Vec<(u8, &str, &str, i64, i64)> = moved
        .iter()
        .map(|(h, k, u, _, used, attempts)| (h[0], k.as_str(), u.as_str(), *used, *attempts))
        .collect();
    assert_eq!(
        summary,
        vec![
            (0x11, "PASSWORD_VERIFIER", "alice", 0, 0),
            (0x12, "NEW_PASSWORD_REQUIRED", "np", 1, 0),
            (0x21, "USER_AUTH_EMAIL_OTP", "pwless", 0, 0),
            (0x22, "CUSTOM_CHALLENGE", "bob", 0, 0),
            (0x31, "SMS_MFA", "mfa-sms", 0, 2),
        ]
    );
    let srp_state: serde_json::Value = serde_json::from_str(&moved[0].3).unwrap();
    assert_eq!(
        srp_state,
        serde_json::json!({"a_pub": "A", "b_priv": "b", "b_pub": "B"})
    );
    assert_eq!(moved[4].3, r#"{"code":1}"#);
    let block: Vec<u8> = conn
        .query_row(
            "SELECT block_hash FROM auth_sessions WHERE session_hash = x'11'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        block,
        vec![0x01],
        "the SECRET_BLOCK's hash keeps finding the SRP session"
    );
    for old in ["challenges", "flow_sessions", "mfa_sessions"] {
        let left: bool = conn
            .prepare("SELECT 1 FROM sqlite_master WHERE name = ?1")
            .unwrap()
            .exists([old])
            .unwrap();
        assert!(!left, "{old} is still there");
    }
    drop(conn);
    let again = open(&path).unwrap();
    assert_eq!(rows(&again), moved);
}

/// An outbox written by an earlier version has no message columns: opening the store adds them,
/// the old entries keep their codes (with no message), and new entries carry their text.
#[test]
fn an_outbox_from_an_earlier_version_gains_the_message_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old-outbox.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, pool_id TEXT NOT NULL,
                 username TEXT NOT NULL, medium TEXT NOT NULL, destination TEXT NOT NULL,
                 purpose TEXT NOT NULL, code TEXT NOT NULL, sent_at TEXT NOT NULL);
             INSERT INTO outbox (pool_id, username, medium, destination, purpose, code, sent_at)
                 VALUES ('p', 'ann', 'EMAIL', 'ann@example.com', 'SIGN_UP', '123456',
                         '2026-11-28T22:30:00.000Z');",
        )
        .unwrap();
    }
    let conn = open(&path).unwrap();
    let mut entry = crate::cognito::types::OutboxEntry {
        pool_id: "p".into(),
        username: "bob".into(),
        medium: "SMS".into(),
        destination: "+15555550100".into(),
        purpose: "SIGN_UP".into(),
        code: "654321".into(),
        sent_at: "2026-11-28T22:31:00.000Z".into(),
        message: Some("Your verification code is 654321. ".into()),
        subject: None,
    };
    push_outbox(&conn, &entry).unwrap();
    let all = read_outbox(&conn).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].code.as_str(), all[0].message.as_deref()),
        ("123456", None)
    );
    assert_eq!(all[1], entry);
    drop(conn);
    let conn = open(&path).unwrap();
    entry.username = "cy".into();
    push_outbox(&conn, &entry).unwrap();
    assert_eq!(read_outbox(&conn).unwrap().len(), 3);
}

#[test]
fn devices_list_confirmed_ones_in_order_and_unconfirmed_ones_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("t.db")).unwrap();
    let device = |key: &str, created: i64, confirmed: bool| DeviceRow {
        device_key: key.into(),
        pool_id: "us-east-1_t".into(),
        username: "ann".into(),
        group_key: "-g".into(),
        name: None,
        salt: confirmed.then(|| "aa".into()),
        verifier: confirmed.then(|| "bb".into()),
        remembered: false,
        created,
        modified: created,
        last_auth: None,
    };
    for (i, key) in ["k_3", "k_1", "k_2"].iter().enumerate() {
        insert_device(&conn, &device(key, 100 + i as i64 % 2, true)).unwrap();
    }
    for i in 0..15 {
        insert_device(&conn, &device(&format!("u_{i:02}"), 200 + i, false)).unwrap();
    }
    prune_unconfirmed(&conn, "us-east-1_t", "ann", 10).unwrap();
    // Only confirmed devices are listed, by (created, key), a page after a position.
    let keys = |after: Option<(i64, &str)>, n| -> Vec<String> {
        list_devices(&conn, "us-east-1_t", "ann", after, n)
            .unwrap()
            .into_iter()
            .map(|d| d.device_key)
            .collect()
    };
    assert_eq!(keys(None, 10), ["k_2", "k_3", "k_1"]);
    assert_eq!(keys(Some((100, "k_3")), 10), ["k_1"]);
    assert_eq!(keys(None, 1), ["k_2"]);
    // The 10 newest unconfirmed devices are kept.
    assert!(
        get_device(&conn, "us-east-1_t", "ann", "u_04")
            .unwrap()
            .is_none()
    );
    assert!(
        get_device(&conn, "us-east-1_t", "ann", "u_05")
            .unwrap()
            .is_some()
    );
    assert!(
        get_device(&conn, "us-east-1_t", "ann", "u_14")
            .unwrap()
            .is_some()
    );
    // Another user's device reads as unknown; forgetting the user's devices empties them.
    assert!(
        get_device(&conn, "us-east-1_t", "bob", "k_1")
            .unwrap()
            .is_none()
    );
    assert!(forget_device(&conn, "k_1").unwrap());
    assert!(!forget_device(&conn, "k_1").unwrap());
    forget_user_devices(&conn, "us-east-1_t", "ann").unwrap();
    assert!(keys(None, 10).is_empty());
    assert!(
        get_device(&conn, "us-east-1_t", "ann", "u_14")
            .unwrap()
            .is_none()
    );
}
