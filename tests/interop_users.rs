//! boto3 against `cognito-tui serve` with 1,000 users added by `cognito-tui seed-users` while the
//! server runs on the same store: ListUsers paging with Limit 60 returns every user exactly
//! once, and every filter form (each searchable attribute with `=` and `^=`, status, cognito:
//! user_status in any case, escaped quotes, the empty filter) returns what Cognito's documented
//! rules give, computed independently in Python from the full list; invalid filters answer
//! InvalidParameterException. See tests/interop/users_paging.py.
//!
//! Needs python3 with boto3 (`pip install -r tests/interop/requirements.txt`). Without it the
//! test is skipped with a message, except under CI=true where it fails.

mod support;

use std::process::Command;
use std::time::Duration;

use support::peers::{
    assert_peer_passed, interop_dir, peer_available, peer_env, probe, run_with_limit,
};
use support::pool::serve;

#[test]
fn boto3_pages_and_filters_a_thousand_seeded_users() {
    let ready = probe("python3", &["-c", "import boto3"], None).map(|_| ());
    if !peer_available("interop_users", ready) {
        return;
    }
    let served = serve();
    let home = served.db.parent().expect("the store has a directory");
    let seed = support::pool::binary()
        .args(["seed-users", "--count", "1000", "--rng-seed", "4", "--db"])
        .arg(&served.db)
        .env("COGNITO_TUI_HOME", home)
        .output()
        .expect("run cognito-tui seed-users");
    let printed = String::from_utf8_lossy(&seed.stdout);
    assert!(
        seed.status.success(),
        "seed-users failed: {printed}\n{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    assert!(
        printed.contains("seeded 1000 users") && printed.contains("users/s"),
        "{printed}"
    );

    let mut cmd = Command::new("python3");
    cmd.arg(interop_dir().join("users_paging.py"))
        .env("EXPECT_USERS", "1000");
    peer_env(&mut cmd, &served.url);
    let out = run_with_limit(cmd, Duration::from_secs(300));
    assert_peer_passed(
        "boto3 users",
        &out,
        &[
            "username: = and ^= match Cognito's rules",
            "email: = and ^= match Cognito's rules",
            "phone_number: = and ^= match Cognito's rules",
            "name: = and ^= match Cognito's rules",
            "given_name: = and ^= match Cognito's rules",
            "family_name: = and ^= match Cognito's rules",
            "preferred_username: = and ^= match Cognito's rules",
            "sub: = and ^= match Cognito's rules",
            "cognito:user_status matches without regard to case",
            "escaped quotes (\\\") in filter values",
            "an empty filter lists every user",
            "invalid filters answer InvalidParameterException",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ok: Limit 60 paging returns every user exactly once")),
        "{stdout}"
    );
}
