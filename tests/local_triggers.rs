//! The triggers of sign-in, tokens and messages over HTTP, with handlers written as they are
//! deployed to Lambda (examples/triggers): PreTokenGeneration V1 and V2 (Node), UserMigration
//! (Python), CustomMessage (Node, callback style), PreAuthentication, PostAuthentication; and
//! the pool's trigger log (`GET /_local/triggers`) with its secrets hidden.

mod support;

use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID};
use cognito_tui::srp::ClientEphemeral;
use serde_json::{Value, json};
use support::{Harness, claims};

fn handler(kind: &str, file: &str, export: &str) -> String {
    format!(
        "{kind}:{}/examples/triggers/{file}#{export}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Sets the demo pool's LambdaConfig (keeping email auto-verification).
async fn set_lambda(h: &Harness, lambda: Value) {
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "LambdaConfig": lambda}),
    )
    .await
    .ok();
}

async fn password_sign_in(h: &Harness, username: &str, password: &str) -> support::Resp {
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
               "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
    )
    .await
}

async fn srp_sign_in(h: &Harness, username: &str) -> Value {
    let eph = ClientEphemeral::generate();
    let init = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": username, "SRP_A": eph.a_hex()}}),
        )
        .await
        .ok();
    h.answer_verifier(DEMO_CLIENT_ID, &eph, &init, DEMO_PASSWORD)
        .await
        .ok()
}

async fn trigger_log(h: &Harness, after: u64) -> Vec<Value> {
    let v: Value = h
        .http
        .get(format!("{}/_local/triggers?after={after}", h.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().clone()
}

fn id_and_access(v: &Value) -> (Value, Value) {
    let r = &v["AuthenticationResult"];
    (
        claims(r["IdToken"].as_str().unwrap()),
        claims(r["AccessToken"].as_str().unwrap()),
    )
}

#[tokio::test]
async fn pre_token_generation_v2_node_handler_adds_a_claim_to_both_tokens() {
    let h = Harness::with_command_triggers().await;
    let value = handler("node", "pre_token_generation.js", "handler");
    set_lambda(
        &h,
        json!({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": value}}),
    )
    .await;
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    let lambda = &pool["UserPool"]["LambdaConfig"];
    assert_eq!(lambda["PreTokenGenerationConfig"]["LambdaVersion"], "V2_0");
    assert_eq!(
        lambda["PreTokenGenerationConfig"]["LambdaArn"],
        json!(value)
    );
    assert_eq!(lambda["PreTokenGeneration"], json!(value));

    // USER_PASSWORD_AUTH.
    let signed = password_sign_in(&h, "alice", DEMO_PASSWORD).await.ok();
    let (id, access) = id_and_access(&signed);
    assert_eq!(id["tenant"], "demo", "{id}");
    assert_eq!(access["tenant"], "demo", "{access}");
    let scopes = access["scope"].as_str().unwrap();
    assert!(scopes.split(' ').any(|s| s == "orders:read"), "{scopes}");
    assert!(scopes.contains("aws.cognito.signin.user.admin"), "{scopes}");
    assert_eq!(id["email"], "alice@example.com", "the ID token keeps email");
    assert_eq!(id["cognito:username"], "alice");

    // SRP, as Amplify signs in.
    let signed = srp_sign_in(&h, "alice").await;
    let (id, access) = id_and_access(&signed);
    assert_eq!(
        (id["tenant"].clone(), access["tenant"].clone()),
        (json!("demo"), json!("demo"))
    );

    // A refresh runs it again, as TokenGeneration_RefreshTokens.
    let refreshed = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"REFRESH_TOKEN": signed["AuthenticationResult"]["RefreshToken"]}}),
        )
        .await
        .ok();
    let access = claims(
        refreshed["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(access["tenant"], "demo");

    let log = trigger_log(&h, 0).await;
    let sources: Vec<&str> = log
        .iter()
        .map(|r| r["trigger_source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "TokenGeneration_Authentication",
            "TokenGeneration_Authentication",
            "TokenGeneration_RefreshTokens"
        ]
    );
    let first = &log[0];
    assert_eq!(first["trigger"], "PreTokenGeneration");
    assert_eq!(first["runner"], "node");
    assert_eq!(first["outcome"], "ok");
    assert_eq!(first["event_in"]["version"], "2");
    assert_eq!(
        first["event_in"]["callerContext"]["clientId"],
        DEMO_CLIENT_ID
    );
    assert!(
        first["event_in"]["request"]["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("aws.cognito.signin.user.admin"))
    );
    assert_eq!(
        first["response_out"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]["claimsToAddOrOverride"]
            ["tenant"],
        "demo"
    );
    let seq = log[2]["seq"].as_u64().unwrap();
    assert!(trigger_log(&h, seq).await.is_empty());
}

#[tokio::test]
async fn pre_token_generation_v1_customises_the_id_token_and_the_groups() {
    let h = Harness::with_command_triggers().await;
    let dir = h.dir.path();
    let file = dir.join("v1.js");
    std::fs::write(
        &file,
        "exports.handler = async (event) => {\n\
           event.response.claimsOverrideDetails = {\n\
             claimsToAddOrOverride: { plan: 'pro', sub: 'forged' },\n\
             claimsToSuppress: ['email'],\n\
             groupOverrideDetails: { groupsToOverride: ['admins'], iamRolesToOverride: [] },\n\
           };\n\
           return event;\n\
         };",
    )
    .unwrap();
    set_lambda(
        &h,
        json!({"PreTokenGeneration": format!("node:{}", file.display())}),
    )
    .await;
    let signed = password_sign_in(&h, "alice", DEMO_PASSWORD).await.ok();
    let (id, access) = id_and_access(&signed);
    assert_eq!(id["plan"], "pro");
    assert!(id.get("email").is_none(), "{id}");
    assert_ne!(id["sub"], "forged", "sub is Cognito's to set");
    assert_eq!(id["cognito:groups"], json!(["admins"]));
    assert_eq!(access["cognito:groups"], json!(["admins"]));
    assert!(
        access.get("plan").is_none(),
        "V1 leaves the access token's claims: {access}"
    );
    let log = trigger_log(&h, 0).await;
    assert_eq!(log[0]["event_in"]["version"], "1");
    assert!(log[0]["event_in"]["request"].get("scopes").is_none());
}

#[tokio::test]
async fn user_migration_python_handler_migrates_a_user_on_first_sign_in() {
    let h = Harness::with_command_triggers().await;
    set_lambda(
        &h,
        json!({"UserMigration": handler("python", "user_migration.py", "lambda_handler")}),
    )
    .await;
    // The legacy store refuses a wrong password: nobody is created.
    password_sign_in(&h, "legacy-lee", "WrongPassw0rd!")
        .await
        .err_is(
            "UserLambdaValidationException",
            "UserMigration failed with error Bad password.",
        );
    h.call(
        "AdminGetUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "legacy-lee"}),
    )
    .await
    .err_is("UserNotFoundException", "User does not exist.");

    let signed = password_sign_in(&h, "legacy-lee", "LegacyPassw0rd!")
        .await
        .ok();
    let (id, _) = id_and_access(&signed);
    assert_eq!(id["cognito:username"], "legacy-lee");
    assert_eq!(id["email"], "lee@legacy.example");
    assert_eq!(id["email_verified"], true);
    let user = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "legacy-lee"}),
        )
        .await
        .ok();
    assert_eq!(user["UserStatus"], "CONFIRMED");

    // From now on the user is the pool's: SRP works with the migrated password, and the
    // trigger is not asked again.
    let runs_before = trigger_log(&h, 0).await.len();
    let eph = ClientEphemeral::generate();
    let init = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "legacy-lee", "SRP_A": eph.a_hex()}}),
        )
        .await
        .ok();
    let done = h
        .answer_verifier(DEMO_CLIENT_ID, &eph, &init, "LegacyPassw0rd!")
        .await
        .ok();
    h.tokens(&done);
    assert_eq!(trigger_log(&h, 0).await.len(), runs_before);

    // The log shows both runs, the password never.
    let log = trigger_log(&h, 0).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["outcome"], "UserLambdaValidationException");
    assert_eq!(
        log[0]["error"],
        "UserMigration failed with error Bad password."
    );
    assert_eq!(log[1]["trigger_source"], "UserMigration_Authentication");
    assert_eq!(log[1]["runner"], "python");
    let text = serde_json::to_string(&log).unwrap();
    assert!(
        !text.contains("LegacyPassw0rd!") && !text.contains("WrongPassw0rd!"),
        "{text}"
    );
    assert_eq!(log[1]["event_in"]["request"]["password"], "***");
}

#[tokio::test]
async fn user_migration_on_forgot_password_brings_the_user_in_to_reset() {
    let h = Harness::with_command_triggers().await;
    set_lambda(
        &h,
        json!({"UserMigration": handler("python", "user_migration.py", "lambda_handler")}),
    )
    .await;
    let sent = h
        .call(
            "ForgotPassword",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "legacy-lee"}),
        )
        .await
        .ok();
    assert_eq!(sent["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code = h.latest_code("legacy-lee", "FORGOT_PASSWORD").await;
    h.call(
        "ConfirmForgotPassword",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "legacy-lee",
               "ConfirmationCode": code, "Password": "NewPassw0rd!"}),
    )
    .await
    .ok();
    let signed = password_sign_in(&h, "legacy-lee", "NewPassw0rd!")
        .await
        .ok();
    h.tokens(&signed);
    let log = trigger_log(&h, 0).await;
    assert_eq!(log[0]["trigger_source"], "UserMigration_ForgotPassword");
}

#[tokio::test]
async fn custom_message_node_handler_text_reaches_the_outbox() {
    let h = Harness::with_command_triggers().await;
    set_lambda(
        &h,
        json!({"CustomMessage": handler("node", "custom_message.js", "handler")}),
    )
    .await;
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "newbie", "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "newbie@example.org"}]}),
    )
    .await
    .ok();
    let entry = h.outbox("newbie", "SIGN_UP").await.pop().unwrap();
    let code = entry["code"].as_str().unwrap();
    assert_eq!(
        entry["message"],
        format!("Welcome, newbie! Your confirmation code is {code}.")
    );
    assert_eq!(entry["subject"], "Welcome to Example Corp");

    // A resent code is CustomMessage_ResendCode; a reset is CustomMessage_ForgotPassword.
    h.call(
        "ResendConfirmationCode",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "newbie"}),
    )
    .await
    .ok();
    let entry = h.outbox("newbie", "SIGN_UP").await.pop().unwrap();
    assert!(
        entry["message"]
            .as_str()
            .unwrap()
            .starts_with("Welcome, newbie!")
    );
    h.call(
        "ForgotPassword",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "alice"}),
    )
    .await
    .ok();
    let entry = h.outbox("alice", "FORGOT_PASSWORD").await.pop().unwrap();
    let code = entry["code"].as_str().unwrap();
    assert_eq!(
        entry["message"],
        format!("Someone asked to reset your password. The code is {code}.")
    );
    let sources: Vec<String> = trigger_log(&h, 0)
        .await
        .iter()
        .map(|r| r["trigger_source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sources,
        [
            "CustomMessage_SignUp",
            "CustomMessage_ResendCode",
            "CustomMessage_ForgotPassword"
        ]
    );
}

#[tokio::test]
async fn custom_message_without_the_code_keeps_the_template_and_a_failure_is_the_answer() {
    let h = Harness::with_command_triggers().await;
    let file = h.dir.path().join("cm.py");
    std::fs::write(
        &file,
        "def lambda_handler(event, context):\n\
         \x20   if event['userName'] == 'broken':\n\
         \x20       raise Exception('template service down')\n\
         \x20   event['response']['emailMessage'] = 'no code here'\n\
         \x20   return event\n",
    )
    .unwrap();
    set_lambda(
        &h,
        json!({"CustomMessage": format!("python:{}", file.display())}),
    )
    .await;
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "plain", "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "plain@example.org"}]}),
    )
    .await
    .ok();
    let entry = h.outbox("plain", "SIGN_UP").await.pop().unwrap();
    let code = entry["code"].as_str().unwrap();
    assert!(entry["message"].as_str().unwrap().contains(code), "{entry}");
    assert_ne!(entry["message"], "no code here");

    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "broken", "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "broken@example.org"}]}),
    )
    .await
    .err_is(
        "UserLambdaValidationException",
        "CustomMessage failed with error template service down.",
    );
}

#[tokio::test]
async fn pre_and_post_authentication_run_around_a_sign_in() {
    let h = Harness::with_command_triggers().await;
    let dir = h.dir.path();
    let post_log = dir.join("post.log");
    let pre = dir.join("pre.py");
    std::fs::write(
        &pre,
        "def lambda_handler(event, context):\n\
         \x20   if event['userName'] == 'bob':\n\
         \x20       raise Exception('Bob is on holiday')\n\
         \x20   return event\n",
    )
    .unwrap();
    let post = dir.join("post.js");
    std::fs::write(
        &post,
        format!(
            "const fs = require('fs');\n\
             exports.handler = async (event) => {{\n\
               fs.appendFileSync({:?}, event.triggerSource + ' ' + event.userName + '\\n');\n\
               return event;\n\
             }};",
            post_log.display().to_string()
        ),
    )
    .unwrap();
    set_lambda(
        &h,
        json!({"PreAuthentication": format!("python:{}", pre.display()),
               "PostAuthentication": format!("node:{}", post.display())}),
    )
    .await;
    password_sign_in(&h, "bob", DEMO_PASSWORD).await.err_is(
        "UserLambdaValidationException",
        "PreAuthentication failed with error Bob is on holiday.",
    );
    let signed = srp_sign_in(&h, "alice").await;
    h.tokens(&signed);
    let written = std::fs::read_to_string(&post_log).unwrap();
    assert_eq!(written, "PostAuthentication_Authentication alice\n");
    let log = trigger_log(&h, 0).await;
    let seen: Vec<(&str, &str)> = log
        .iter()
        .map(|r| {
            (
                r["trigger_source"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "PreAuthentication_Authentication",
                "UserLambdaValidationException"
            ),
            ("PreAuthentication_Authentication", "ok"),
            ("PostAuthentication_Authentication", "ok"),
        ]
    );
}

#[tokio::test]
async fn handlers_do_not_run_unless_the_pool_allows_local_code() {
    let h = Harness::new().await;
    set_lambda(
        &h,
        json!({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0",
               "LambdaArn": handler("node", "pre_token_generation.js", "handler")}}),
    )
    .await;
    let (code, message) = password_sign_in(&h, "alice", DEMO_PASSWORD).await.err();
    assert_eq!(code, "UnexpectedLambdaException");
    assert!(message.contains("--allow-command-triggers"), "{message}");
    let log = trigger_log(&h, 0).await;
    assert_eq!(log[0]["outcome"], "UnexpectedLambdaException");
}

#[tokio::test]
async fn custom_message_writes_the_invitation_of_an_admin_created_user() {
    let h = Harness::with_command_triggers().await;
    let file = h.dir.path().join("invite.js");
    std::fs::write(
        &file,
        "exports.handler = async (event) => {\n\
           if (event.triggerSource === 'CustomMessage_AdminCreateUser') {\n\
             const { usernameParameter, codeParameter } = event.request;\n\
             event.response.emailSubject = 'Your Example Corp account';\n\
             event.response.emailMessage = `Sign in as ${usernameParameter} with ${codeParameter}`;\n\
           }\n\
           return event;\n\
         };",
    )
    .unwrap();
    set_lambda(
        &h,
        json!({"CustomMessage": format!("node:{}", file.display())}),
    )
    .await;
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "invited",
               "TemporaryPassword": "Temp-Passw0rd!", "DesiredDeliveryMediums": ["EMAIL"],
               "UserAttributes": [{"Name": "email", "Value": "invited@example.org"}]}),
    )
    .await
    .ok();
    let entry = h.outbox("invited", "INVITATION").await.pop().unwrap();
    assert_eq!(entry["message"], "Sign in as invited with Temp-Passw0rd!");
    assert_eq!(entry["subject"], "Your Example Corp account");
    let log = trigger_log(&h, 0).await;
    assert_eq!(log[0]["trigger_source"], "CustomMessage_AdminCreateUser");
    assert_eq!(
        log[0]["event_in"]["request"]["usernameParameter"],
        "{username}"
    );
}

#[tokio::test]
async fn token_triggers_run_after_an_mfa_answer() {
    use cognito_tui::local::{DEMO_TOTP_SECRET, DEMO_TOTP_USER};
    let h = Harness::with_command_triggers().await;
    let value = handler("node", "pre_token_generation.js", "handler");
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "MfaConfiguration": "OPTIONAL",
               "LambdaConfig": {"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": value}}}),
    )
    .await
    .ok();
    let ch = password_sign_in(&h, DEMO_TOTP_USER, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA", "{ch}");
    assert!(trigger_log(&h, 0).await.is_empty(), "no tokens yet, no run");
    let code = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(DEMO_TOTP_SECRET).unwrap())
        .build()
        .unwrap()
        .generate(h.now() as u64)
        .to_string();
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": DEMO_TOTP_USER, "SOFTWARE_TOKEN_MFA_CODE": code}),
        )
        .await
        .ok();
    let (id, access) = id_and_access(&done);
    assert_eq!(
        (id["tenant"].clone(), access["tenant"].clone()),
        (json!("demo"), json!("demo"))
    );
    let log = trigger_log(&h, 0).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["trigger_source"], "TokenGeneration_Authentication");
}

#[tokio::test]
async fn pre_sign_up_for_admin_created_users_and_post_confirmation_for_a_reset() {
    let h = Harness::with_command_triggers().await;
    let file = h.dir.path().join("pass.py");
    std::fs::write(
        &file,
        "def lambda_handler(event, context):\n\
         \x20   if event['userName'] == 'refused':\n\
         \x20       raise Exception('Not on the list')\n\
         \x20   return event\n",
    )
    .unwrap();
    let value = format!("python:{}", file.display());
    set_lambda(&h, json!({"PreSignUp": value, "PostConfirmation": value})).await;
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "refused",
               "UserAttributes": [{"Name": "email", "Value": "refused@example.org"}]}),
    )
    .await
    .err_is(
        "UserLambdaValidationException",
        "PreSignUp failed with error Not on the list.",
    );
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "welcome",
               "UserAttributes": [{"Name": "email", "Value": "welcome@example.org"}]}),
    )
    .await
    .ok();

    h.call(
        "ForgotPassword",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "alice"}),
    )
    .await
    .ok();
    let code = h.latest_code("alice", "FORGOT_PASSWORD").await;
    h.call(
        "ConfirmForgotPassword",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "alice",
               "ConfirmationCode": code, "Password": "Reset-Passw0rd!"}),
    )
    .await
    .ok();
    let seen: Vec<(String, String, String)> = trigger_log(&h, 0)
        .await
        .iter()
        .map(|r| {
            (
                r["trigger_source"].as_str().unwrap().to_string(),
                r["user_name"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |s: &str, u: &str, o: &str| (s.to_string(), u.to_string(), o.to_string());
    assert_eq!(
        seen,
        [
            row(
                "PreSignUp_AdminCreateUser",
                "refused",
                "UserLambdaValidationException"
            ),
            row("PreSignUp_AdminCreateUser", "welcome", "ok"),
            row("PostConfirmation_ConfirmForgotPassword", "alice", "ok"),
        ]
    );
}
