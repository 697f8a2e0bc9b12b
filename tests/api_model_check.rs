//! The API model check (issue 5 item 5): this project's wire client, driven through the auth and
//! users actors exactly as the TUI and `cognito-tui run` drive it, talks to the embedded pool
//! through a recording proxy. Every raw request it sends is validated against the input shape of
//! botocore's Cognito model, and every response the pool returns against the output (or error)
//! shape: operation exists, member names and JSON types, required members, enum values, lengths,
//! ranges and patterns. Runs with a client without a secret and with one that has a secret
//! (SECRET_HASH / ClientSecret members), through sign-up, confirmation, both sign-in flows,
//! refresh, sign-out (local and global), errors, ListUsers paging with a filter, and every
//! Users-view action (Admin* operations, groups) with the user detail; and, called raw as an SDK
//! calls them, the operations test suites use to sign in server-side and tear down.

mod support;

mod api_model;

use std::collections::BTreeMap;
use std::time::Duration;

use api_model::model_problems;
use cognito_tui::admin::{AdminCommand, AdminEvent, UserAction};
use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType};
use cognito_tui::config::Target;
use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_PASSWORD, DEMO_POOL_ID, DEMO_SECRET_CLIENT_ID,
    DEMO_SECRET_CLIENT_SECRET, LocalPool,
};
use cognito_tui::secret::Secret;
use serde_json::json;
use support::proxy::RecordingProxy;

struct Actors {
    auth: cognito_tui::auth::actor::AuthHandle,
    admin: cognito_tui::admin::actor::AdminHandle,
}

fn actors(endpoint: &str, client_id: &str, secret: Option<&str>) -> Actors {
    let target = Target {
        endpoint: format!("{endpoint}/"),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: client_id.into(),
        client_secret: secret.map(Secret::new),
        local: true,
    };
    let client = cognito_tui::cognito::Client::new(&target)
        .expect("client")
        .with_signer(support::signer());
    Actors {
        auth: cognito_tui::auth::actor::spawn(
            client.clone(),
            &target,
            cognito_tui::auth::actor::ActorOptions::default(),
        ),
        admin: cognito_tui::admin::actor::spawn(client, &target),
    }
}

/// Sends one command and waits for its `Finished` event; returns whether it succeeded.
async fn run(a: &mut Actors, cmd: AuthCommand) -> bool {
    let api = cmd_api(&cmd);
    a.auth.tx.send(cmd).await.expect("actor alive");
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(60), a.auth.rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{api}: no Finished event within 60 s"))
            .expect("actor alive");
        if let AuthEvent::Finished { ok, .. } = ev {
            return ok;
        }
    }
}

fn cmd_api(cmd: &AuthCommand) -> &'static str {
    match cmd {
        AuthCommand::SignUp { .. } => "signUp",
        AuthCommand::ConfirmSignUp { .. } => "confirmSignUp",
        AuthCommand::SignIn { .. } => "signIn",
        AuthCommand::SignOut { .. } => "signOut",
        AuthCommand::FetchSession { .. } => "fetchAuthSession",
        _ => "command",
    }
}

async fn list_users(a: &mut Actors, filter: Option<&str>, token: Option<String>) -> Option<String> {
    a.admin
        .tx
        .send(AdminCommand::ListUsers {
            filter: filter.map(str::to_string),
            pagination_token: token,
            limit: 2,
        })
        .await
        .expect("admin actor alive");
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(60), a.admin.rx.recv())
            .await
            .expect("a users page within 60 s")
            .expect("admin actor alive");
        match ev {
            AdminEvent::UsersPage { next_token, .. } => return next_token,
            AdminEvent::Error { code, message, .. } => {
                panic!("ListUsers failed: {code}: {message}")
            }
            _ => {}
        }
    }
}

/// Sends one admin command and waits for its result event (not an exchange).
async fn admin_cmd(a: &mut Actors, cmd: AdminCommand) -> AdminEvent {
    a.admin.tx.send(cmd).await.expect("admin actor alive");
    next_admin_result(a).await
}

async fn next_admin_result(a: &mut Actors) -> AdminEvent {
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(60), a.admin.rx.recv())
            .await
            .expect("an admin result within 60 s")
            .expect("admin actor alive");
        if !matches!(ev, AdminEvent::Exchange(_)) {
            return ev;
        }
    }
}

/// Every Users-view action, the detail and the group list, through the users actor.
async fn admin_journey(a: &mut Actors, prefix: &str) {
    let name = format!("{prefix}-admin");
    let group = format!("{prefix}-group");
    let mut attributes = BTreeMap::new();
    attributes.insert("email".to_string(), format!("{name}@example.com"));
    attributes.insert("email_verified".to_string(), "true".to_string());
    let actions = vec![
        UserAction::Create {
            username: name.clone(),
            attributes: attributes.clone(),
            temporary_password: Some(Secret::new("Temp-Passw0rd!")),
            suppress_invitation: false,
            delivery: vec!["EMAIL".into()],
        },
        UserAction::SetPassword {
            username: name.clone(),
            password: Secret::new("Perm-Passw0rd!"),
            permanent: true,
        },
        UserAction::Disable {
            username: name.clone(),
        },
        UserAction::Enable {
            username: name.clone(),
        },
        UserAction::SetMfaPreference {
            username: name.clone(),
            enabled: vec!["EMAIL_OTP".into()],
            preferred: Some("EMAIL_OTP".into()),
        },
        UserAction::UpdateAttributes {
            username: name.clone(),
            attributes: [("name".to_string(), "Ann Admin".to_string())].into(),
        },
        UserAction::DeleteAttributes {
            username: name.clone(),
            names: vec!["name".into()],
        },
        UserAction::CreateGroup {
            group: group.clone(),
            description: Some("model check".into()),
            precedence: Some(3),
        },
        UserAction::AddToGroup {
            username: name.clone(),
            group: group.clone(),
        },
        UserAction::RemoveFromGroup {
            username: name.clone(),
            group: group.clone(),
        },
        UserAction::GlobalSignOut {
            username: name.clone(),
        },
        UserAction::ResetPassword {
            username: name.clone(),
        },
        UserAction::Delete {
            username: name.clone(),
        },
    ];
    for action in actions {
        let creates_group = matches!(action, UserAction::CreateGroup { .. });
        let op = action.operation();
        match admin_cmd(a, AdminCommand::Act { action }).await {
            AdminEvent::ActionDone { .. } => {}
            other => panic!("{op} failed: {other:?}"),
        }
        if creates_group {
            // CreateGroup's ActionDone is followed by the fresh group list.
            let ev = next_admin_result(a).await;
            assert!(matches!(ev, AdminEvent::Groups { .. }), "{ev:?}");
        }
    }
    // An unconfirmed user to confirm, and the detail of a demo user.
    let ev = admin_cmd(
        a,
        AdminCommand::Act {
            action: UserAction::ConfirmSignUp {
                username: format!("{prefix}-never-signed-up"),
            },
        },
    )
    .await;
    assert!(
        matches!(&ev, AdminEvent::ActionFailed { code, .. } if code == "UserNotFoundException"),
        "{ev:?}"
    );
    let ev = admin_cmd(
        a,
        AdminCommand::GetUser {
            username: DEMO_CONFIRMED_USERS[0].into(),
        },
    )
    .await;
    let AdminEvent::UserDetail { detail } = ev else {
        panic!("{ev:?}")
    };
    assert!(detail.user.is_some(), "{detail:?}");
    let ev = admin_cmd(a, AdminCommand::ListGroups).await;
    assert!(matches!(ev, AdminEvent::Groups { .. }), "{ev:?}");
}

async fn journey(pool: &LocalPool, a: &mut Actors, prefix: &str) {
    let name = format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let password = "Model-Passw0rd!";
    let mut attributes = BTreeMap::new();
    attributes.insert("email".to_string(), format!("{name}@model.example.org"));
    assert!(
        run(
            a,
            AuthCommand::SignUp {
                username: name.clone(),
                password: Secret::new(password),
                attributes,
                auto_sign_in: false,
            }
        )
        .await,
        "signUp"
    );
    let code = pool
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.username == name)
        .expect("a sign-up code")
        .code;
    assert!(
        !run(
            a,
            AuthCommand::ConfirmSignUp {
                username: name.clone(),
                code: if code == "000000" { "111111" } else { "000000" }.into(),
            }
        )
        .await,
        "a wrong code must fail"
    );
    assert!(
        run(
            a,
            AuthCommand::ConfirmSignUp {
                username: name.clone(),
                code,
            }
        )
        .await,
        "confirmSignUp"
    );
    for flow in [AuthFlowType::UserSrpAuth, AuthFlowType::UserPasswordAuth] {
        assert!(
            !run(
                a,
                AuthCommand::SignIn {
                    username: name.clone(),
                    password: Some(Secret::new("Wrong-Passw0rd!")),
                    flow,
                    preferred_challenge: None,
                }
            )
            .await,
            "a wrong password must fail"
        );
        assert!(
            run(
                a,
                AuthCommand::SignIn {
                    username: name.clone(),
                    password: Some(Secret::new(password)),
                    flow,
                    preferred_challenge: None,
                }
            )
            .await,
            "signIn {flow:?}"
        );
        assert!(
            run(
                a,
                AuthCommand::FetchSession {
                    force_refresh: true
                }
            )
            .await,
            "fetchAuthSession forceRefresh"
        );
        assert!(
            run(
                a,
                AuthCommand::SignOut {
                    global: flow == AuthFlowType::UserPasswordAuth
                }
            )
            .await,
            "signOut"
        );
    }
    account_journey(pool, a, &name, password).await;
    assert!(
        run(
            a,
            AuthCommand::SignIn {
                username: DEMO_CONFIRMED_USERS[1].into(),
                password: Some(Secret::new(DEMO_PASSWORD)),
                flow: AuthFlowType::UserSrpAuth,
                preferred_challenge: None,
            }
        )
        .await,
        "demo user signs in"
    );
    assert!(run(a, AuthCommand::SignOut { global: false }).await);
    let mut token = list_users(a, None, None).await;
    let mut pages = 1;
    while let Some(t) = token {
        token = list_users(a, None, Some(t)).await;
        pages += 1;
        assert!(pages < 50, "ListUsers paging does not end");
    }
    assert!(
        pages >= 2,
        "the demo pool has more than 2 users, so paging happened"
    );
    list_users(a, Some("email ^= \"a\""), None).await;
}

/// The signed-in user's account calls, ending with deleteUser.
async fn account_journey(pool: &LocalPool, a: &mut Actors, name: &str, password: &str) {
    let sign_in = AuthCommand::SignIn {
        username: name.to_string(),
        password: Some(Secret::new(password)),
        flow: AuthFlowType::UserSrpAuth,
        preferred_challenge: None,
    };
    assert!(run(a, sign_in).await, "signIn for the account calls");
    assert!(run(a, AuthCommand::FetchUserAttributes).await);
    let attributes = BTreeMap::from([
        ("email".to_string(), format!("{name}@new.example.org")),
        ("nickname".to_string(), "model".to_string()),
    ]);
    assert!(run(a, AuthCommand::UpdateUserAttributes { attributes }).await);
    let confirm = |code: String| AuthCommand::ConfirmUserAttribute {
        attribute: "email".into(),
        code: Secret::new(code),
    };
    assert!(
        !run(a, confirm("000000x".into())).await,
        "a malformed code must fail"
    );
    let code = pool
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.username == name && e.purpose == "VERIFY_EMAIL")
        .expect("a verification code")
        .code;
    assert!(run(a, confirm(code)).await, "confirmUserAttribute");
    let resend = AuthCommand::SendUserAttributeVerificationCode {
        attribute: "email".into(),
    };
    assert!(run(a, resend).await);
    let names = vec!["nickname".to_string()];
    assert!(run(a, AuthCommand::DeleteUserAttributes { names }).await);
    let mfa = AuthCommand::UpdateMfaPreference {
        sms: None,
        totp: None,
        email: Some(cognito_tui::auth::events::MfaPreference::Enabled),
    };
    assert!(run(a, mfa).await, "updateMFAPreference");
    assert!(run(a, AuthCommand::SetUpTotp).await, "setUpTOTP");
    let verify = AuthCommand::VerifyTotpSetup {
        code: Secret::new("000000"),
        friendly_device_name: Some("model".into()),
    };
    run(a, verify).await;
    let change = AuthCommand::UpdatePassword {
        old_password: Some(Secret::new(password)),
        new_password: Secret::new("Model-Passw0rd-2!"),
    };
    assert!(run(a, change).await, "updatePassword");
    assert!(run(a, AuthCommand::DeleteUser).await, "deleteUser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_client_requests_and_pool_responses_follow_cognitos_api_model() {
    let Some(model) = api_model::Model::load_or_skip("api_model_check") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pool = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    let base = pool.base_url().to_string();
    let proxy = tokio::task::spawn_blocking(move || RecordingProxy::start(&base))
        .await
        .unwrap();

    let mut plain = actors(&proxy.url, DEMO_CLIENT_ID, None);
    journey(&pool, &mut plain, "plain").await;
    admin_journey(&mut plain, "plain").await;
    let mut secret = actors(
        &proxy.url,
        DEMO_SECRET_CLIENT_ID,
        Some(DEMO_SECRET_CLIENT_SECRET),
    );
    journey(&pool, &mut secret, "secret").await;

    let calls = proxy.calls();
    let ops: std::collections::BTreeSet<&str> =
        calls.iter().map(|c| c.operation.as_str()).collect();
    for op in [
        "SignUp",
        "ConfirmSignUp",
        "InitiateAuth",
        "RespondToAuthChallenge",
        "GetTokensFromRefreshToken",
        "RevokeToken",
        "GlobalSignOut",
        "ListUsers",
        "AdminCreateUser",
        "AdminSetUserPassword",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminSetUserMFAPreference",
        "AdminUpdateUserAttributes",
        "AdminDeleteUserAttributes",
        "CreateGroup",
        "ListGroups",
        "AdminAddUserToGroup",
        "AdminRemoveUserFromGroup",
        "AdminUserGlobalSignOut",
        "AdminResetUserPassword",
        "AdminDeleteUser",
        "AdminConfirmSignUp",
        "AdminGetUser",
        "AdminListGroupsForUser",
        "AdminListDevices",
        "GetUser",
        "UpdateUserAttributes",
        "VerifyUserAttribute",
        "GetUserAttributeVerificationCode",
        "DeleteUserAttributes",
        "SetUserMFAPreference",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "ChangePassword",
        "DeleteUser",
    ] {
        assert!(ops.contains(op), "the journey never called {op}: {ops:?}");
    }
    assert!(
        calls.iter().any(|c| c.status != 200),
        "the journey includes error responses"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.request.to_string().contains("SECRET_HASH")
                || c.request.get("SecretHash").is_some()),
        "the secret client sent SECRET_HASH"
    );
    let problems = model_problems(&model, &calls, true);
    assert!(
        problems.is_empty(),
        "{} problems in {} calls:\n{}",
        problems.len(),
        calls.len(),
        problems.join("\n")
    );
    drop(proxy);
    pool.shutdown().await;
}

/// The operations test suites use to set up, sign in server-side and tear down, called raw (as
/// an SDK calls them) through the recording proxy: AdminInitiateAuth and
/// AdminRespondToAuthChallenge, UpdateUserPoolClient, UpdateUserAttributes and the attribute
/// verification, DeleteUserPoolClient and DeleteUserPool, with valid requests and with ones
/// Cognito refuses. Every request and response must fit botocore's model.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_operations_follow_cognitos_api_model() {
    let Some(model) = api_model::Model::load_or_skip("api_model_check") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pool = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    let base = pool.base_url().to_string();
    let proxy = tokio::task::spawn_blocking(move || RecordingProxy::start(&base))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let call = |op: &'static str, body: serde_json::Value| {
        let http = http.clone();
        let url = proxy.url.clone();
        async move { support::http::call(&http, &url, op, &body).await }
    };
    let made = call("CreateUserPool", json!({"PoolName": "model-check"}))
        .await
        .ok();
    let pool_id = made["UserPool"]["Id"].as_str().unwrap().to_string();
    let client = call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "server",
               "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await
    .ok()["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client, "ClientName": "server-renamed",
               "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
               "CallbackURLs": ["https://app.example.com/cb"], "LogoutURLs": ["https://app.example.com/out"],
               "DefaultRedirectURI": "https://app.example.com/cb",
               "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
               "AllowedOAuthFlowsUserPoolClient": true, "SupportedIdentityProviders": ["COGNITO"],
               "AccessTokenValidity": 30, "TokenValidityUnits": {"AccessToken": "minutes"},
               "EnableTokenRevocation": true}),
    )
    .await
    .ok();
    call(
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client,
               "CallbackURLs": ["https://a.example.com/cb"], "DefaultRedirectURI": "https://b.example.com/cb"}),
    )
    .await
    .err();
    call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "model", "TemporaryPassword": "Temp-Passw0rd-1",
               "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "model@example.com"},
                                  {"Name": "email_verified", "Value": "True"}]}),
    )
    .await
    .ok();
    let ch = call(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool_id, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "model", "PASSWORD": "Temp-Passw0rd-1"}}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{ch}");
    let done = call(
        "AdminRespondToAuthChallenge",
        json!({"UserPoolId": pool_id, "ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED",
               "Session": ch["Session"],
               "ChallengeResponses": {"USERNAME": "model", "NEW_PASSWORD": "Model-Passw0rd-2"}}),
    )
    .await
    .ok();
    let access = done["AuthenticationResult"]["AccessToken"].clone();
    call(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool_id, "ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
               "AuthParameters": {"REFRESH_TOKEN": done["AuthenticationResult"]["RefreshToken"]}}),
    )
    .await
    .ok();
    call(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool_id, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "model", "PASSWORD": "Wrong-Passw0rd-3"}}),
    )
    .await
    .err();
    call(
        "AdminRespondToAuthChallenge",
        json!({"UserPoolId": pool_id, "ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED",
               "Session": ch["Session"],
               "ChallengeResponses": {"USERNAME": "model", "NEW_PASSWORD": "Model-Passw0rd-4"}}),
    )
    .await
    .err();
    call(
        "UpdateUserAttributes",
        json!({"AccessToken": access, "UserAttributes": [{"Name": "name", "Value": "Model"}]}),
    )
    .await
    .ok();
    call(
        "UpdateUserAttributes",
        json!({"AccessToken": access,
               "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
    )
    .await
    .err();
    call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "email"}),
    )
    .await
    .ok();
    call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "name"}),
    )
    .await
    .err();
    call(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": "000000x"}),
    )
    .await
    .err();
    let code = pool
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.username == "model" && e.purpose == "VERIFY_EMAIL")
        .expect("a verification code in the outbox")
        .code;
    call(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": code}),
    )
    .await
    .ok();
    call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client}),
    )
    .await
    .ok();
    call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client}),
    )
    .await
    .err();
    call("DeleteUserPool", json!({"UserPoolId": pool_id}))
        .await
        .ok();
    call("DeleteUserPool", json!({"UserPoolId": pool_id}))
        .await
        .err();

    let calls = proxy.calls();
    for op in [
        "AdminInitiateAuth",
        "AdminRespondToAuthChallenge",
        "UpdateUserPoolClient",
        "UpdateUserAttributes",
        "GetUserAttributeVerificationCode",
        "VerifyUserAttribute",
        "DeleteUserPoolClient",
        "DeleteUserPool",
    ] {
        for ok in [true, false] {
            assert!(
                calls
                    .iter()
                    .any(|c| c.operation == op && (c.status == 200) == ok),
                "no {} call of {op}",
                if ok { "successful" } else { "refused" }
            );
        }
    }
    let problems = model_problems(&model, &calls, true);
    assert!(
        problems.is_empty(),
        "{} problems in {} calls:\n{}",
        problems.len(),
        calls.len(),
        problems.join("\n")
    );
    drop(proxy);
    pool.shutdown().await;
}

/// The pool-configuration operations the wire client does not call, sent raw as an
/// SDK sends them through the recording proxy: each request and each answer, success and
/// error, must follow botocore's model.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_configuration_operations_follow_cognitos_api_model() {
    let Some(model) = api_model::Model::load_or_skip("api_model_check") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pool = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    let base = pool.base_url().to_string();
    let proxy = tokio::task::spawn_blocking(move || RecordingProxy::start(&base))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let call = |op: &'static str, body: serde_json::Value| {
        let http = http.clone();
        let url = proxy.url.clone();
        async move { support::http::call(&http, &url, op, &body).await }
    };
    let created = call(
        "CreateUserPool",
        json!({"PoolName": "model", "AutoVerifiedAttributes": ["email"],
               "Schema": [
                   {"Name": "team", "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "8"}},
                   {"Name": "age", "AttributeDataType": "Number", "Mutable": false,
                    "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
                   {"Name": "email", "AttributeDataType": "String", "Required": true}],
               "AccountRecoverySetting": {"RecoveryMechanisms": [
                   {"Priority": 1, "Name": "verified_email"}]},
               "EmailVerificationSubject": "Welcome",
               "VerificationMessageTemplate": {"EmailMessage": "Your code: {####}",
                                               "SmsMessage": "Code {####}"},
               "SmsAuthenticationMessage": "Sign-in code {####}"}),
    )
    .await
    .ok();
    let p = created["UserPool"]["Id"].as_str().unwrap().to_string();
    let steps: Vec<(&'static str, serde_json::Value, bool)> = vec![
        ("DescribeUserPool", json!({"UserPoolId": p}), true),
        (
            "AddCustomAttributes",
            json!({"UserPoolId": p, "CustomAttributes": [
                {"Name": "plan", "AttributeDataType": "String"}]}),
            true,
        ),
        (
            "AddCustomAttributes",
            json!({"UserPoolId": p, "CustomAttributes": [
                {"Name": "plan", "AttributeDataType": "String"}]}),
            false,
        ),
        (
            "AdminCreateUser",
            json!({"UserPoolId": p, "Username": "zed", "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": "zed@example.com"},
                                      {"Name": "custom:nope", "Value": "x"}]}),
            false,
        ),
        ("DescribeUserPool", json!({"UserPoolId": p}), true),
        (
            "CreateUserPoolDomain",
            json!({"UserPoolId": p, "Domain": "model-login", "ManagedLoginVersion": 1}),
            true,
        ),
        // botocore's DomainType pattern has no dots, so a custom domain (auth.example.com,
        // which Cognito takes) is left to tests/local_serve_config.rs; its CustomDomainConfig
        // shape is checked on a prefix domain, which refuses it.
        (
            "UpdateUserPoolDomain",
            json!({"UserPoolId": p, "Domain": "model-login",
                   "CustomDomainConfig": {"CertificateArn":
                       "arn:aws:acm:us-east-1:000000000000:certificate/model"}}),
            false,
        ),
        (
            "CreateUserPoolDomain",
            json!({"UserPoolId": p, "Domain": "has-cognito"}),
            false,
        ),
        (
            "DescribeUserPoolDomain",
            json!({"Domain": "model-login"}),
            true,
        ),
        ("DescribeUserPoolDomain", json!({"Domain": "nobody"}), true),
        (
            "UpdateUserPoolDomain",
            json!({"UserPoolId": p, "Domain": "model-login", "ManagedLoginVersion": 2}),
            true,
        ),
        (
            "UpdateUserPoolDomain",
            json!({"UserPoolId": p, "Domain": "not-mine", "ManagedLoginVersion": 2}),
            false,
        ),
        ("DescribeUserPool", json!({"UserPoolId": p}), true),
        (
            "DeleteUserPoolDomain",
            json!({"UserPoolId": p, "Domain": "model-login"}),
            true,
        ),
        (
            "DeleteUserPoolDomain",
            json!({"UserPoolId": p, "Domain": "model-login"}),
            false,
        ),
        (
            "CreateResourceServer",
            json!({"UserPoolId": p, "Identifier": "https://api.example.com", "Name": "api",
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]}),
            true,
        ),
        (
            "CreateResourceServer",
            json!({"UserPoolId": p, "Identifier": "svc", "Name": "svc"}),
            true,
        ),
        (
            "CreateResourceServer",
            json!({"UserPoolId": p, "Identifier": "svc", "Name": "svc"}),
            false,
        ),
        (
            "DescribeResourceServer",
            json!({"UserPoolId": p, "Identifier": "svc"}),
            true,
        ),
        (
            "DescribeResourceServer",
            json!({"UserPoolId": p, "Identifier": "nope"}),
            false,
        ),
        (
            "ListResourceServers",
            json!({"UserPoolId": p, "MaxResults": 1}),
            true,
        ),
        (
            "UpdateResourceServer",
            json!({"UserPoolId": p, "Identifier": "svc", "Name": "renamed",
                   "Scopes": [{"ScopeName": "write", "ScopeDescription": "Write"}]}),
            true,
        ),
        (
            "UpdateResourceServer",
            json!({"UserPoolId": p, "Identifier": "nope", "Name": "x"}),
            false,
        ),
        (
            "DeleteResourceServer",
            json!({"UserPoolId": p, "Identifier": "svc"}),
            true,
        ),
        (
            "DeleteResourceServer",
            json!({"UserPoolId": p, "Identifier": "svc"}),
            false,
        ),
        (
            "CreateIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Google", "ProviderType": "Google",
                   "ProviderDetails": {"client_id": "gid", "client_secret": "gs",
                                       "authorize_scopes": "openid email"},
                   "AttributeMapping": {"email": "email"}}),
            true,
        ),
        (
            "CreateIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Corp", "ProviderType": "OIDC",
                   "ProviderDetails": {"client_id": "c", "attributes_request_method": "GET",
                                       "oidc_issuer": "https://idp.example.com",
                                       "authorize_scopes": "openid"},
                   "IdpIdentifiers": ["corp.example.com"]}),
            true,
        ),
        (
            "CreateIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Corp", "ProviderType": "OIDC",
                   "ProviderDetails": {"client_id": "c", "attributes_request_method": "GET",
                                       "oidc_issuer": "https://idp.example.com",
                                       "authorize_scopes": "openid"}}),
            false,
        ),
        (
            "DescribeIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Google"}),
            true,
        ),
        (
            "DescribeIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Nope"}),
            false,
        ),
        (
            "ListIdentityProviders",
            json!({"UserPoolId": p, "MaxResults": 1}),
            true,
        ),
        (
            "UpdateIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Google",
                   "ProviderDetails": {"authorize_scopes": "openid email profile"}}),
            true,
        ),
        (
            "UpdateIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Nope", "AttributeMapping": {}}),
            false,
        ),
        (
            "DeleteIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Corp"}),
            true,
        ),
        (
            "DeleteIdentityProvider",
            json!({"UserPoolId": p, "ProviderName": "Corp"}),
            false,
        ),
        (
            "UpdateUserPool",
            json!({"UserPoolId": p, "AccountRecoverySetting": {"RecoveryMechanisms": [
                       {"Priority": 1, "Name": "admin_only"}]},
                   "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"}}),
            true,
        ),
        ("DescribeUserPool", json!({"UserPoolId": p}), true),
    ];
    for (op, body, ok) in steps {
        let r = call(op, body.clone()).await;
        assert_eq!(r.status == 200, ok, "{op} {body}: {}", r.body);
    }
    // The list pages continue with their NextToken.
    let first = call(
        "ListIdentityProviders",
        json!({"UserPoolId": p, "MaxResults": 1}),
    )
    .await
    .ok();
    call(
        "ListIdentityProviders",
        json!({"UserPoolId": p, "MaxResults": 1, "NextToken": first["NextToken"]}),
    )
    .await
    .ok();

    let calls = proxy.calls();
    let ops: std::collections::BTreeSet<&str> =
        calls.iter().map(|c| c.operation.as_str()).collect();
    for op in [
        "AddCustomAttributes",
        "CreateUserPoolDomain",
        "DescribeUserPoolDomain",
        "UpdateUserPoolDomain",
        "DeleteUserPoolDomain",
        "CreateResourceServer",
        "DescribeResourceServer",
        "ListResourceServers",
        "UpdateResourceServer",
        "DeleteResourceServer",
        "CreateIdentityProvider",
        "DescribeIdentityProvider",
        "ListIdentityProviders",
        "UpdateIdentityProvider",
        "DeleteIdentityProvider",
    ] {
        assert!(ops.contains(op), "never called {op}");
        assert!(model.has_operation(op), "{op} is not in botocore's model");
    }
    let problems = model_problems(&model, &calls, true);
    assert!(
        problems.is_empty(),
        "{} problems in {} calls:\n{}",
        problems.len(),
        calls.len(),
        problems.join("\n")
    );
    drop(proxy);
    pool.shutdown().await;
}
