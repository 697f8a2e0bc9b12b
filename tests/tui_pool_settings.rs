//! The pool settings screen's data path against the embedded pool over HTTP: the users
//! actor reads DescribeUserPool, DescribeUserPoolClient and GetUserPoolMfaConfig, and
//! SetPoolMfa changes the pool's MFA (keeping its SMS / email templates); a dead endpoint
//! gives a clear error per operation, never a hang.

mod support;

use std::time::Duration;

use cognito_tui::admin::{self, AdminCommand, AdminEvent, AdminHandle, PoolSettings};
use cognito_tui::cognito::{Client, WireExchange};
use cognito_tui::config::Target;
use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_POOL_ID, DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET, LocalPool,
};
use cognito_tui::secret::Secret;

async fn pool(dir: &tempfile::TempDir) -> LocalPool {
    support::start_pool(&dir.path().join(support::pool::DB_FILE)).await
}

fn target(endpoint: &str, secret: bool) -> Target {
    Target {
        endpoint: endpoint.to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: if secret {
            DEMO_SECRET_CLIENT_ID
        } else {
            DEMO_CLIENT_ID
        }
        .into(),
        client_secret: secret.then(|| Secret::new(DEMO_SECRET_CLIENT_SECRET)),
        local: true,
    }
}

fn actor(t: &Target) -> AdminHandle {
    admin::spawn(Client::new(t).unwrap().with_signer(support::signer()), t)
}

/// Sends `cmd`, collecting exchanges, until the PoolSettings answer (and any Error before it).
async fn settings(
    h: &mut AdminHandle,
    cmd: AdminCommand,
) -> (Vec<WireExchange>, Vec<AdminEvent>, PoolSettings) {
    h.tx.send(cmd).await.unwrap();
    let (mut xs, mut errors) = (Vec::new(), Vec::new());
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), h.rx.recv())
            .await
            .expect("no admin event within 30 s")
            .expect("admin actor stopped");
        match ev {
            AdminEvent::Exchange(x) => xs.push(x),
            AdminEvent::PoolSettings { settings } => return (xs, errors, settings),
            other => errors.push(other),
        }
    }
}

#[tokio::test]
async fn reads_the_demo_pool_settings() {
    let dir = tempfile::tempdir().unwrap();
    let p = pool(&dir).await;
    let mut h = actor(&target(p.base_url(), false));
    let (xs, errors, s) = settings(&mut h, AdminCommand::FetchPoolSettings).await;
    assert!(errors.is_empty(), "{errors:?}");
    let ops: Vec<&str> = xs.iter().map(|x| x.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "DescribeUserPool",
            "DescribeUserPoolClient",
            "GetUserPoolMfaConfig"
        ]
    );
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.pool_id, DEMO_POOL_ID);
    let pool = s.pool.expect("pool");
    assert_eq!(pool.name.as_deref(), Some("cognito-tui demo"));
    let client = s.client.expect("client");
    assert_eq!(client.client_id, DEMO_CLIENT_ID);
    assert!(!client.has_secret);
    assert!(client.prevent_user_existence_errors.is_some());
    assert!(
        client
            .auth_session_validity
            .is_some_and(|m| (3..=15).contains(&m))
    );
    let mfa = s.mfa.expect("mfa");
    assert_eq!(mfa.mode, "OPTIONAL");
    assert!(mfa.sms && mfa.totp && mfa.email, "{mfa:?}");
}

#[tokio::test]
async fn the_client_secret_never_reaches_the_settings_or_the_inspector() {
    let dir = tempfile::tempdir().unwrap();
    let p = pool(&dir).await;
    let mut h = actor(&target(p.base_url(), true));
    let (xs, _, s) = settings(&mut h, AdminCommand::FetchPoolSettings).await;
    assert!(s.client.as_ref().is_some_and(|c| c.has_secret), "{s:?}");
    assert!(!format!("{s:?}").contains(DEMO_SECRET_CLIENT_SECRET));
    for x in xs {
        let shown = serde_json::to_string(&x).unwrap();
        assert!(!shown.contains(DEMO_SECRET_CLIENT_SECRET), "{shown}");
    }
}

#[tokio::test]
async fn set_pool_mfa_changes_mode_and_methods_and_keeps_templates() {
    let dir = tempfile::tempdir().unwrap();
    let p = pool(&dir).await;
    let mut h = actor(&target(p.base_url(), false));
    let (xs, errors, s) = settings(
        &mut h,
        AdminCommand::SetPoolMfa {
            mode: "ON".into(),
            sms: false,
            totp: true,
            email: true,
        },
    )
    .await;
    assert!(errors.is_empty(), "{errors:?}");
    let set = xs
        .iter()
        .find(|x| x.operation == "SetUserPoolMfaConfig")
        .expect("SetUserPoolMfaConfig sent");
    assert_eq!(set.status, Some(200));
    // The email template the demo pool had survives the change.
    assert_eq!(
        set.request["EmailMfaConfiguration"]["Message"],
        "Your cognito-tui sign-in code is {####}"
    );
    assert!(set.request.get("SmsMfaConfiguration").is_none());
    let mfa = s.mfa.expect("mfa");
    assert_eq!(
        (mfa.mode.as_str(), mfa.sms, mfa.totp, mfa.email),
        ("ON", false, true, true)
    );
    assert_eq!(s.pool.unwrap().mfa_configuration.as_deref(), Some("ON"));

    // ON with no method: the pool refuses, the error comes back, the settings are re-read.
    let (_, errors, s) = settings(
        &mut h,
        AdminCommand::SetPoolMfa {
            mode: "ON".into(),
            sms: false,
            totp: false,
            email: false,
        },
    )
    .await;
    match errors.as_slice() {
        [
            AdminEvent::Error {
                operation, code, ..
            },
        ] => {
            assert_eq!(operation, "SetUserPoolMfaConfig");
            assert_eq!(code, "InvalidParameterException");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.mfa.unwrap().mode, "ON");
}

#[tokio::test]
async fn a_dead_endpoint_gives_an_error_per_operation() {
    let mut h = actor(&target(&support::pool::dead_endpoint(), false));
    let (_, _, s) = settings(&mut h, AdminCommand::FetchPoolSettings).await;
    assert!(s.pool.is_none() && s.client.is_none() && s.mfa.is_none());
    let ops: Vec<&str> = s.errors.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "DescribeUserPool",
            "DescribeUserPoolClient",
            "GetUserPoolMfaConfig"
        ]
    );
    assert!(s.errors.iter().all(|e| e.code == "NetworkError"), "{s:?}");
}
