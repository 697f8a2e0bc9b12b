//! The signed-in user's account on the embedded pool, over HTTP: UpdateUserAttributes with and
//! without AttributesRequireVerificationBeforeUpdate (the old email stays until the new one is
//! verified), VerifyUserAttribute's codes (wrong, used, expired), DeleteUserAttributes,
//! ChangePassword, DeleteUser, and passwordless sign-up with auto sign-in.

mod support;

use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_NO_PASSWORD_USER, DEMO_PASSWORD};
use serde_json::{Value, json};
use support::Harness;

/// A pool that auto-verifies email, with `require` as AttributesRequireVerificationBeforeUpdate,
/// a client, and a confirmed user `ann` with a verified email; (pool id, client id, access token).
async fn pool_with_user(h: &Harness, require: Value) -> (String, String, String) {
    let pool = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "account", "AutoVerifiedAttributes": ["email"],
                   "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": require}}),
        )
        .await
        .ok();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    let client = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app",
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await
        .ok();
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "ann@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "ann", "Password": DEMO_PASSWORD, "Permanent": true}),
    )
    .await
    .ok();
    let access = sign_in(h, &client_id, "ann", DEMO_PASSWORD).await;
    (pool_id, client_id, access)
}

async fn sign_in(h: &Harness, client_id: &str, user: &str, password: &str) -> String {
    let r = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": user, "PASSWORD": password}}),
        )
        .await
        .ok();
    r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string()
}

fn attr<'a>(user: &'a Value, name: &str) -> Option<&'a str> {
    user["UserAttributes"]
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
}

#[tokio::test]
async fn a_verified_email_stays_until_the_new_one_is_verified() {
    let h = Harness::new().await;
    let (pool_id, _client, access) = pool_with_user(&h, json!(["email"])).await;
    let described = h
        .call("DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await
        .ok();
    assert_eq!(
        described["UserPool"]["UserAttributeUpdateSettings"],
        json!({"AttributesRequireVerificationBeforeUpdate": ["email"]})
    );

    let out = h
        .call(
            "UpdateUserAttributes",
            json!({"AccessToken": access,
                   "UserAttributes": [{"Name": "email", "Value": "new@example.com"},
                                      {"Name": "name", "Value": "Ann"}]}),
        )
        .await
        .ok();
    let details = &out["CodeDeliveryDetailsList"][0];
    assert_eq!(details["AttributeName"], "email");
    assert_eq!(details["DeliveryMedium"], "EMAIL");
    let sent = h.outbox("ann", "VERIFY_EMAIL").await;
    let last = sent.last().unwrap();
    assert_eq!(last["destination"], "new@example.com");
    // The text comes from the pool's verification template, as every other code's does.
    assert_eq!(
        last["message"].as_str().unwrap(),
        format!(
            "Your verification code is {}. ",
            last["code"].as_str().unwrap()
        )
    );

    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attr(&user, "email"), Some("ann@example.com"), "{user}");
    assert_eq!(attr(&user, "email_verified"), Some("true"));
    assert_eq!(
        attr(&user, "name"),
        Some("Ann"),
        "other attributes change at once"
    );

    let verify =
        |code: &str| json!({"AccessToken": access, "AttributeName": "email", "Code": code});
    h.call("VerifyUserAttribute", verify("000000"))
        .await
        .err_is(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        );
    let code = h.latest_code("ann", "VERIFY_EMAIL").await;
    h.call("VerifyUserAttribute", verify(&code)).await.ok();
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attr(&user, "email"), Some("new@example.com"));
    assert_eq!(attr(&user, "email_verified"), Some("true"));
    h.call("VerifyUserAttribute", verify(&code)).await.err_is(
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
}

#[tokio::test]
async fn an_admin_change_waits_too_unless_it_marks_the_new_value_verified() {
    let h = Harness::new().await;
    let (pool_id, _client, access) = pool_with_user(&h, json!(["email"])).await;
    let admin_update = |email: &str, verified: Option<&str>| {
        let mut attrs = vec![json!({"Name": "email", "Value": email})];
        if let Some(v) = verified {
            attrs.push(json!({"Name": "email_verified", "Value": v}));
        }
        json!({"UserPoolId": pool_id, "Username": "ann", "UserAttributes": attrs})
    };
    h.call(
        "AdminUpdateUserAttributes",
        admin_update("b@example.com", None),
    )
    .await
    .ok();
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attr(&user, "email"), Some("ann@example.com"));
    let sent = h.outbox("ann", "VERIFY_EMAIL").await;
    assert_eq!(sent.last().unwrap()["destination"], "b@example.com");

    h.call(
        "AdminUpdateUserAttributes",
        admin_update("c@example.com", Some("true")),
    )
    .await
    .ok();
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attr(&user, "email"), Some("c@example.com"));
    assert_eq!(attr(&user, "email_verified"), Some("true"));
    // The earlier pending value was given up: its code no longer changes the email.
    let code = sent.last().unwrap()["code"].as_str().unwrap().to_string();
    h.call(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": code}),
    )
    .await
    .ok();
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attr(&user, "email"), Some("c@example.com"));
}

#[tokio::test]
async fn without_the_setting_the_new_email_is_unverified_at_once_and_codes_expire() {
    let h = Harness::new().await;
    let (_pool, client, access) = pool_with_user(&h, json!([])).await;
    h.call(
        "UpdateUserAttributes",
        json!({"AccessToken": access, "UserAttributes": [{"Name": "email", "Value": "b@example.com"}]}),
    )
    .await
    .ok();
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attr(&user, "email"), Some("b@example.com"));
    assert_eq!(attr(&user, "email_verified"), Some("false"));

    let code = h.latest_code("ann", "VERIFY_EMAIL").await;
    h.advance(24 * 3600 + 1);
    let access = {
        // The access token expired with the clock; the code's 24 hours are what is tested.
        let r = h
            .call("GetUser", json!({"AccessToken": access}))
            .await
            .err();
        assert_eq!(r.0, "NotAuthorizedException");
        sign_in(&h, &client, "ann", DEMO_PASSWORD).await
    };
    h.call(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": code}),
    )
    .await
    .err_is(
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    let resent = h
        .call(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": access, "AttributeName": "email"}),
        )
        .await
        .ok();
    assert_eq!(resent["CodeDeliveryDetails"]["AttributeName"], "email");
    let code = h.latest_code("ann", "VERIFY_EMAIL").await;
    h.call(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": code}),
    )
    .await
    .ok();
    h.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "nickname"}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Invalid attribute name: nickname cannot be verified",
    );
}

#[tokio::test]
async fn the_user_deletes_attributes_changes_the_password_and_deletes_themselves() {
    let h = Harness::new().await;
    let (_pool, client, access) = pool_with_user(&h, json!(["email"])).await;
    h.call(
        "UpdateUserAttributes",
        json!({"AccessToken": access, "UserAttributes": [{"Name": "nickname", "Value": "an"}]}),
    )
    .await
    .ok();
    h.call(
        "DeleteUserAttributes",
        json!({"AccessToken": access, "UserAttributeNames": ["nickname", "email"]}),
    )
    .await
    .ok();
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attr(&user, "nickname"), None);
    assert_eq!(attr(&user, "email"), None);
    assert_eq!(attr(&user, "email_verified"), None, "the flag goes with it");
    h.call(
        "DeleteUserAttributes",
        json!({"AccessToken": access, "UserAttributeNames": ["sub"]}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Cannot modify the non-mutable attribute sub",
    );
    h.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "email"}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "The user has no email to verify",
    );

    h.call(
        "ChangePassword",
        json!({"AccessToken": access, "PreviousPassword": DEMO_PASSWORD, "ProposedPassword": "An0ther-Passw0rd!"}),
    )
    .await
    .ok();
    let access = sign_in(&h, &client, "ann", "An0ther-Passw0rd!").await;
    h.call("DeleteUser", json!({"AccessToken": access}))
        .await
        .ok();
    let (kind, _) = h
        .call("GetUser", json!({"AccessToken": access}))
        .await
        .err();
    assert_eq!(kind, "NotAuthorizedException");
    let (kind, _) = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": "ann", "PASSWORD": "An0ther-Passw0rd!"}}),
        )
        .await
        .err();
    assert_eq!(kind, "UserNotFoundException");
}

#[tokio::test]
async fn update_settings_must_name_auto_verified_email_or_phone() {
    let h = Harness::new().await;
    let (kind, message) = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "bad", "AutoVerifiedAttributes": ["email"],
                   "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["phone_number"]}}),
        )
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(
        message.contains("phone_number is not auto-verified"),
        "{message}"
    );
    let (kind, _) = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "bad", "AutoVerifiedAttributes": ["email"],
                   "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["name"]}}),
        )
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException");
}

#[tokio::test]
async fn passwordless_sign_up_confirms_and_signs_in_automatically() {
    let h = Harness::new().await;
    let up = h
        .call(
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "nopass",
                   "UserAttributes": [{"Name": "email", "Value": "nopass@example.com"}]}),
        )
        .await
        .ok();
    assert_eq!(up["UserConfirmed"], false);
    let code = h.latest_code("nopass", "SIGN_UP").await;
    let confirmed = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "nopass", "ConfirmationCode": code,
                   "Session": up["Session"]}),
        )
        .await
        .ok();
    let auto = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "nopass"}, "Session": confirmed["Session"]}),
        )
        .await
        .ok();
    let claims = h.tokens(&auto);
    assert_eq!(claims["username"], "nopass");

    // No password works for them; an email code does.
    let (kind, _) = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "nopass", "PASSWORD": DEMO_PASSWORD}}),
        )
        .await
        .err();
    assert_eq!(kind, "NotAuthorizedException");

    // A passwordless user sets a first password without a previous one; then it signs in.
    let access = auto["AuthenticationResult"]["AccessToken"].clone();
    h.call(
        "ChangePassword",
        json!({"AccessToken": access, "ProposedPassword": "F1rst-Passw0rd!"}),
    )
    .await
    .ok();
    let signed = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "nopass", "PASSWORD": "F1rst-Passw0rd!"}}),
        )
        .await
        .ok();
    let access = signed["AuthenticationResult"]["AccessToken"].clone();
    // Now it has one: the previous password is required again.
    let (kind, _) = h
        .call(
            "ChangePassword",
            json!({"AccessToken": access, "ProposedPassword": "Sec0nd-Passw0rd!"}),
        )
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException");

    // Without an address a code could reach, there is no way to sign in: refused.
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "nowhere"}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "A user without a password needs an email address or phone number that the user pool's sign-in policy (EMAIL_OTP or SMS_OTP) can send codes to",
    );
    // A pool whose sign-in policy is PASSWORD only still requires one.
    let pool = h
        .call("CreateUserPool", json!({"PoolName": "pw-only"}))
        .await
        .ok();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap();
    let client = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app"}),
        )
        .await
        .ok();
    h.call(
        "SignUp",
        json!({"ClientId": client["UserPoolClient"]["ClientId"], "Username": "x",
               "UserAttributes": [{"Name": "email", "Value": "x@example.com"}]}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Password is required for this user pool",
    );
}

#[tokio::test]
async fn the_demo_user_without_a_password_signs_in_with_an_email_code_only() {
    let h = Harness::new().await;
    let (kind, _) = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": DEMO_NO_PASSWORD_USER, "PASSWORD": DEMO_PASSWORD}}),
        )
        .await
        .err();
    assert_eq!(kind, "NotAuthorizedException");
    let ch = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": DEMO_NO_PASSWORD_USER, "PREFERRED_CHALLENGE": "EMAIL_OTP"}}),
        )
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
    let code = h.latest_code(DEMO_NO_PASSWORD_USER, "EMAIL_OTP").await;
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": DEMO_NO_PASSWORD_USER, "EMAIL_OTP_CODE": code}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], DEMO_NO_PASSWORD_USER);
}

#[tokio::test]
async fn a_custom_message_trigger_writes_the_attribute_codes_text() {
    let h = Harness::with_command_triggers().await;
    let file = h.dir.path().join("custom_message.py");
    std::fs::write(
        &file,
        "def lambda_handler(event, context):\n\
         \x20   code = event['request']['codeParameter']\n\
         \x20   event['response']['emailMessage'] = event['triggerSource'] + ': ' + code\n\
         \x20   return event\n",
    )
    .unwrap();
    let (pool_id, _client, access) = pool_with_user(&h, json!([])).await;
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": pool_id, "AutoVerifiedAttributes": ["email"],
               "LambdaConfig": {"CustomMessage": format!("python:{}", file.display())}}),
    )
    .await
    .ok();
    h.call(
        "UpdateUserAttributes",
        json!({"AccessToken": access, "UserAttributes": [{"Name": "email", "Value": "z@example.com"}]}),
    )
    .await
    .ok();
    h.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "email"}),
    )
    .await
    .ok();
    let sent = h.outbox("ann", "VERIFY_EMAIL").await;
    let texts: Vec<&str> = sent
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            format!(
                "CustomMessage_UpdateUserAttribute: {}",
                sent[0]["code"].as_str().unwrap()
            ),
            format!(
                "CustomMessage_VerifyUserAttribute: {}",
                sent[1]["code"].as_str().unwrap()
            ),
        ]
    );
}
