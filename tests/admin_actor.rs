//! The users actor against the embedded pool: every UserAction does what the Users view
//! promises (and what a user then notices at sign-in), the refreshed row comes back, failures
//! come back with Cognito's code, and GetUser / ListGroups gather every part.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use cognito_tui::admin::{
    self, AdminCommand, AdminEvent, AdminHandle, UserAction, UserDetail, UserRow,
};
use cognito_tui::cognito::{Client, WireExchange};
use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_MFA_CHOICE_USER, DEMO_PASSWORD, DEMO_POOL_ID};
use cognito_tui::secret::Secret;
use serde_json::{Value, json};
use support::Harness;

const NEW_PW: &str = "Admin-Set-Passw0rd!";

struct World {
    h: Harness,
    admin: AdminHandle,
}

impl World {
    async fn new() -> Self {
        let h = Harness::new().await;
        let t = Target {
            endpoint: format!("{}/", h.pool.base_url()),
            region: "us-east-1".into(),
            user_pool_id: DEMO_POOL_ID.into(),
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: None,
            local: true,
        };
        let client = Client::new(&t).unwrap().with_signer(support::signer());
        let admin = admin::spawn(client, &t);
        Self { h, admin }
    }

    /// Sends `cmd`; the exchanges before the first result event, and that event.
    async fn send(&mut self, cmd: AdminCommand) -> (Vec<WireExchange>, AdminEvent) {
        self.admin.tx.send(cmd).await.unwrap();
        self.next().await
    }

    async fn next(&mut self) -> (Vec<WireExchange>, AdminEvent) {
        let mut xs = Vec::new();
        loop {
            let ev = tokio::time::timeout(Duration::from_secs(30), self.admin.rx.recv())
                .await
                .expect("an admin event within 30 s")
                .expect("the users actor runs");
            match ev {
                AdminEvent::Exchange(x) => xs.push(x),
                other => return (xs, other),
            }
        }
    }

    /// Runs an action that must succeed: (message, refreshed row, operations called).
    async fn done(&mut self, action: UserAction) -> (String, Option<UserRow>, Vec<String>) {
        let (xs, ev) = self.send(AdminCommand::Act { action }).await;
        let ops = xs.iter().map(|x| x.operation.clone()).collect();
        match ev {
            AdminEvent::ActionDone { message, user, .. } => (message, user, ops),
            other => panic!("expected ActionDone, got {other:?}"),
        }
    }

    async fn failed(&mut self, action: UserAction) -> (String, String, usize) {
        let (xs, ev) = self.send(AdminCommand::Act { action }).await;
        match ev {
            AdminEvent::ActionFailed { code, message, .. } => (code, message, xs.len()),
            other => panic!("expected ActionFailed, got {other:?}"),
        }
    }

    async fn detail(&mut self, username: &str) -> UserDetail {
        let (_, ev) = self
            .send(AdminCommand::GetUser {
                username: username.into(),
            })
            .await;
        match ev {
            AdminEvent::UserDetail { detail } => detail,
            other => panic!("expected UserDetail, got {other:?}"),
        }
    }

    /// USER_PASSWORD_AUTH straight to the pool: the body or (type, message).
    async fn sign_in(&self, user: &str, password: &str) -> Result<Value, (String, String)> {
        let r = self
            .h
            .call(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
                       "AuthParameters": {"USERNAME": user, "PASSWORD": password}}),
            )
            .await;
        if r.status == 200 {
            Ok(r.body)
        } else {
            Err(r.err())
        }
    }
}

fn user(name: &str) -> String {
    name.to_string()
}

#[tokio::test]
async fn create_with_a_temporary_password_leads_to_new_password_required() {
    let mut w = World::new().await;
    let mut attributes = BTreeMap::new();
    attributes.insert("email".to_string(), "newbie@example.com".to_string());
    let (message, row, ops) = w
        .done(UserAction::Create {
            username: user("newbie"),
            attributes,
            temporary_password: Some(Secret::new("Temp-Passw0rd!")),
            suppress_invitation: false,
            delivery: vec!["EMAIL".into()],
        })
        .await;
    assert_eq!(ops, vec!["AdminCreateUser", "AdminGetUser"]);
    assert_eq!(
        message,
        "AdminCreateUser newbie: created (FORCE_CHANGE_PASSWORD) with the given temporary \
         password; invitation sent by EMAIL"
    );
    let row = row.expect("the refreshed row");
    assert_eq!(row.status, "FORCE_CHANGE_PASSWORD");
    assert_eq!(row.attributes["email"], "newbie@example.com");
    assert!(!w.h.outbox("newbie", "INVITATION").await.is_empty());
    let r = w.sign_in("newbie", "Temp-Passw0rd!").await.unwrap();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{r}");

    // A suppressed invitation with a generated password: nothing in the outbox.
    let (message, row, _) = w
        .done(UserAction::Create {
            username: user("quiet"),
            attributes: BTreeMap::new(),
            temporary_password: None,
            suppress_invitation: true,
            delivery: vec![],
        })
        .await;
    assert!(
        message.ends_with("with a generated temporary password; invitation suppressed"),
        "{message}"
    );
    assert_eq!(row.unwrap().status, "FORCE_CHANGE_PASSWORD");
    assert!(w.h.outbox("quiet", "INVITATION").await.is_empty());

    // Creating it again fails with Cognito's code; no refresh is attempted.
    let (code, _, calls) = w
        .failed(UserAction::Create {
            username: user("quiet"),
            attributes: BTreeMap::new(),
            temporary_password: None,
            suppress_invitation: true,
            delivery: vec![],
        })
        .await;
    assert_eq!((code.as_str(), calls), ("UsernameExistsException", 1));
}

#[tokio::test]
async fn disable_blocks_sign_in_and_enable_restores_it() {
    let mut w = World::new().await;
    let tokens = w.sign_in("bob", DEMO_PASSWORD).await.unwrap();
    let (message, row, ops) = w
        .done(UserAction::Disable {
            username: user("bob"),
        })
        .await;
    assert_eq!(ops, vec!["AdminDisableUser", "AdminGetUser"]);
    assert!(
        message.starts_with("AdminDisableUser bob: disabled"),
        "{message}"
    );
    assert!(!row.unwrap().enabled);
    assert_eq!(
        w.sign_in("bob", DEMO_PASSWORD).await.unwrap_err(),
        ("NotAuthorizedException".into(), "User is disabled.".into())
    );
    // Disabling revoked the tokens issued before.
    let r =
        w.h.call(
            "GetUser",
            json!({"AccessToken": tokens["AuthenticationResult"]["AccessToken"]}),
        )
        .await;
    assert_eq!(r.err().0, "NotAuthorizedException");
    let (_, row, _) = w
        .done(UserAction::Enable {
            username: user("bob"),
        })
        .await;
    assert!(row.unwrap().enabled);
    assert!(w.sign_in("bob", DEMO_PASSWORD).await.is_ok());
}

#[tokio::test]
async fn passwords_confirmation_reset_sign_out_and_delete() {
    let mut w = World::new().await;
    // Permanent password: CONFIRMED, signs in with it.
    let (message, row, _) = w
        .done(UserAction::SetPassword {
            username: user("dave"),
            password: Secret::new(NEW_PW),
            permanent: true,
        })
        .await;
    assert!(message.contains("permanent password set"), "{message}");
    assert_eq!(row.unwrap().status, "CONFIRMED");
    let tokens = w.sign_in("dave", NEW_PW).await.unwrap();
    assert!(tokens["AuthenticationResult"]["AccessToken"].is_string());
    // Temporary password: a new password is required at the next sign-in.
    let (_, row, _) = w
        .done(UserAction::SetPassword {
            username: user("alice"),
            password: Secret::new(NEW_PW),
            permanent: false,
        })
        .await;
    assert_eq!(row.unwrap().status, "FORCE_CHANGE_PASSWORD");
    let r = w.sign_in("alice", NEW_PW).await.unwrap();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");

    // Global sign-out revokes dave's refresh token.
    let (message, _, ops) = w
        .done(UserAction::GlobalSignOut {
            username: user("dave"),
        })
        .await;
    assert_eq!(ops, vec!["AdminUserGlobalSignOut", "AdminGetUser"]);
    assert!(message.contains("signed out everywhere"), "{message}");
    let r =
        w.h.call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": DEMO_CLIENT_ID,
                   "RefreshToken": tokens["AuthenticationResult"]["RefreshToken"]}),
        )
        .await;
    assert_eq!(r.err().0, "NotAuthorizedException");

    // Confirming carol's sign-up.
    let (_, row, _) = w
        .done(UserAction::ConfirmSignUp {
            username: user("carol"),
        })
        .await;
    assert_eq!(row.unwrap().status, "CONFIRMED");

    // Resetting dave's password: RESET_REQUIRED, a code in the outbox, sign-in refused.
    let (message, row, _) = w
        .done(UserAction::ResetPassword {
            username: user("dave"),
        })
        .await;
    assert!(
        message.starts_with("AdminResetUserPassword dave: password reset"),
        "{message}"
    );
    assert_eq!(row.unwrap().status, "RESET_REQUIRED");
    assert!(!w.h.outbox("dave", "FORGOT_PASSWORD").await.is_empty());
    assert_eq!(
        w.sign_in("dave", NEW_PW).await.unwrap_err().0,
        "PasswordResetRequiredException"
    );

    // Delete: no row comes back, and the user is gone.
    let (message, row, ops) = w
        .done(UserAction::Delete {
            username: user("dave"),
        })
        .await;
    assert_eq!(message, "AdminDeleteUser dave: deleted");
    assert!(row.is_none());
    assert_eq!(ops, vec!["AdminDeleteUser"]);
    let d = w.detail("dave").await;
    assert!(d.user.is_none());
    assert_eq!(d.errors[0].operation, "AdminGetUser");
    assert_eq!(d.errors[0].code, "UserNotFoundException");
    let (code, message, _) = w
        .failed(UserAction::Enable {
            username: user("dave"),
        })
        .await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
}

#[tokio::test]
async fn mfa_preference_shows_in_the_detail() {
    let mut w = World::new().await;
    let (message, _, _) = w
        .done(UserAction::SetMfaPreference {
            username: user(DEMO_MFA_CHOICE_USER),
            enabled: vec!["SOFTWARE_TOKEN_MFA".into(), "EMAIL_OTP".into()],
            preferred: Some("SOFTWARE_TOKEN_MFA".into()),
        })
        .await;
    assert!(
        message.contains("preferred SOFTWARE_TOKEN_MFA"),
        "{message}"
    );
    let d = w.detail(DEMO_MFA_CHOICE_USER).await;
    assert_eq!(d.preferred_mfa.as_deref(), Some("SOFTWARE_TOKEN_MFA"));
    let mut settings = d.mfa_settings.clone();
    settings.sort();
    assert_eq!(settings, vec!["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"]);
    // Sign-in now asks for the TOTP code, not for a choice.
    let r = w
        .sign_in(DEMO_MFA_CHOICE_USER, DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(r["ChallengeName"], "SOFTWARE_TOKEN_MFA", "{r}");
    // Everything off.
    w.done(UserAction::SetMfaPreference {
        username: user(DEMO_MFA_CHOICE_USER),
        enabled: vec![],
        preferred: None,
    })
    .await;
    let d = w.detail(DEMO_MFA_CHOICE_USER).await;
    assert!(d.mfa_settings.is_empty(), "{d:?}");
    assert!(d.preferred_mfa.is_none());
    // A method the API does not know is refused before anything is sent.
    let (code, message, calls) = w
        .failed(UserAction::SetMfaPreference {
            username: user("alice"),
            enabled: vec!["CARRIER_PIGEON".into()],
            preferred: None,
        })
        .await;
    assert_eq!((code.as_str(), calls), ("InvalidParameter", 0));
    assert!(message.contains("CARRIER_PIGEON"), "{message}");
}

#[tokio::test]
async fn get_user_reads_the_row_and_records_each_failed_part() {
    let mut w = World::new().await;
    let d = w.detail("alice").await;
    let row = d.user.clone().expect("AdminGetUser");
    assert_eq!(row.username, "alice");
    assert_eq!(row.status, "CONFIRMED");
    assert_eq!(row.attributes["email"], "alice@example.com");
    assert!(row.created > 0);
    assert_eq!(d.username, "alice");
    // Each part is either present or has its failure recorded.
    assert!(
        d.groups.is_some()
            || d.errors
                .iter()
                .any(|e| e.operation == "AdminListGroupsForUser")
    );
    assert!(d.devices.is_some() || d.errors.iter().any(|e| e.operation == "AdminListDevices"));
}
