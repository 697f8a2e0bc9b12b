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
