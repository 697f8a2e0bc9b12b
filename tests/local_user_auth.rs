//! USER_AUTH (choice-based sign-in) and auto sign-in over HTTP: PREFERRED_CHALLENGE PASSWORD,
//! PASSWORD_SRP, EMAIL_OTP, SMS_OTP; SELECT_CHALLENGE with AvailableChallenges; WEB_AUTHN
//! listed but refused; the pool's sign-in policy; the Session of SignUp / ConfirmSignUp.

mod support;

use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_CUSTOM_CLIENT_ID, DEMO_PASSWORD, DEMO_PHONE_USER, DEMO_POOL_ID,
};
use cognito_tui::srp::ClientEphemeral;
use serde_json::{Value, json};
use support::{Harness, Resp};

async fn user_auth(h: &Harness, client: &str, params: Value) -> Resp {
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": client, "AuthParameters": params}),
    )
    .await
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn select_challenge_lists_what_the_user_can_do() {
    let h = Harness::new().await;
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(
        pool["UserPool"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        json!(["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    );

    let ch = user_auth(&h, DEMO_CLIENT_ID, json!({"USERNAME": "alice"}))
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SELECT_CHALLENGE");
    assert!(
        ch["ChallengeParameters"]
            .get("AvailableChallenges")
            .is_none()
    );
    assert_eq!(
        strings(&ch["AvailableChallenges"]),
        ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"],
        "alice has no phone number"
    );
    let ch_phone = user_auth(&h, DEMO_CLIENT_ID, json!({"USERNAME": DEMO_PHONE_USER}))
        .await
        .ok();
    assert_eq!(
        strings(&ch_phone["AvailableChallenges"]),
        ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    );

    // An answer that is not on the list; then PASSWORD with the password.
    h.respond(
        DEMO_CLIENT_ID,
        "SELECT_CHALLENGE",
        &ch["Session"],
        json!({"USERNAME": "alice", "ANSWER": "SMS_OTP"}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "ANSWER SMS_OTP is not one of the AvailableChallenges: PASSWORD, PASSWORD_SRP, EMAIL_OTP",
    );
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "SELECT_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], "alice");
    h.respond(
        DEMO_CLIENT_ID,
        "SELECT_CHALLENGE",
        &ch["Session"],
        json!({"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );

    // PASSWORD_SRP chosen: SRP_A goes with the answer, PASSWORD_VERIFIER follows.
    let eph = ClientEphemeral::generate();
    let pv = h
        .respond(
            DEMO_CLIENT_ID,
            "SELECT_CHALLENGE",
            &ch_phone["Session"],
            json!({"USERNAME": DEMO_PHONE_USER, "ANSWER": "PASSWORD_SRP", "SRP_A": eph.a_hex()}),
        )
        .await
        .ok();
    let done = h
        .answer_verifier(DEMO_CLIENT_ID, &eph, &pv, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], DEMO_PHONE_USER);

    // EMAIL_OTP chosen.
    let ch = user_auth(&h, DEMO_CLIENT_ID, json!({"USERNAME": "bob"}))
        .await
        .ok();
    let otp = h
        .respond(
            DEMO_CLIENT_ID,
            "SELECT_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "bob", "ANSWER": "EMAIL_OTP"}),
        )
        .await
        .ok();
    assert_eq!(otp["ChallengeName"], "EMAIL_OTP");
    let code = h.latest_code("bob", "EMAIL_OTP").await;
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "EMAIL_OTP",
            &otp["Session"],
            json!({"USERNAME": "bob", "EMAIL_OTP_CODE": code}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], "bob");
}

#[tokio::test]
async fn preferred_password_and_password_srp() {
    let h = Harness::new().await;
    let done = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .ok();
    assert_eq!(h.tokens(&done)["username"], "alice");
    user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wrong-passw0rd"}),
    )
    .await
    .err_is("NotAuthorizedException", "Incorrect username or password.");

    // Without the password: the PASSWORD challenge asks for it.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "PASSWORD");
    h.respond(
        DEMO_CLIENT_ID,
        "PASSWORD",
        &ch["Session"],
        json!({"USERNAME": "alice"}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Missing required parameter PASSWORD",
    );
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "PASSWORD",
            &ch["Session"],
            json!({"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}),
        )
        .await
        .ok();
    h.tokens(&done);

    let eph = ClientEphemeral::generate();
    let pv = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "bob", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": eph.a_hex()}),
    )
    .await
    .ok();
    assert_eq!(pv["ChallengeName"], "PASSWORD_VERIFIER");
    let done = h
        .answer_verifier(DEMO_CLIENT_ID, &eph, &pv, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], "bob");

    // PASSWORD_SRP without SRP_A, then with it.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "bob", "PREFERRED_CHALLENGE": "PASSWORD_SRP"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "PASSWORD_SRP");
    let eph = ClientEphemeral::generate();
    let pv = h
        .respond(
            DEMO_CLIENT_ID,
            "PASSWORD_SRP",
            &ch["Session"],
            json!({"USERNAME": "bob", "SRP_A": eph.a_hex()}),
        )
        .await
        .ok();
    let done = h
        .answer_verifier(DEMO_CLIENT_ID, &eph, &pv, DEMO_PASSWORD)
        .await
        .ok();
    h.tokens(&done);

    // The unconfirmed user gets Cognito's error once the password checks out.
    user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "carol", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .err_is("UserNotConfirmedException", "User is not confirmed.");
    // Garbage preference.
    let (kind, _) = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "FACE_ID"}),
    )
    .await
    .err();
    assert_eq!(kind, "InvalidParameterException");
}

#[tokio::test]
async fn email_and_sms_one_time_codes() {
    let h = Harness::new().await;
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "EMAIL"
    );
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "a***@e***"
    );
    let sent = h.outbox("alice", "EMAIL_OTP").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["medium"], "EMAIL");
    let code = sent[0]["code"].as_str().unwrap().to_string();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.respond(
        DEMO_CLIENT_ID,
        "EMAIL_OTP",
        &ch["Session"],
        json!({"USERNAME": "alice", "EMAIL_OTP_CODE": wrong}),
    )
    .await
    .err_is("CodeMismatchException", "Invalid code received for user");
    // The same Session takes another try.
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": "alice", "EMAIL_OTP_CODE": code}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], "alice");
    h.respond(
        DEMO_CLIENT_ID,
        "EMAIL_OTP",
        &ch["Session"],
        json!({"USERNAME": "alice", "EMAIL_OTP_CODE": code}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );

    // Three wrong codes spend the Session.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "bob", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await
    .ok();
    let code = h.latest_code("bob", "EMAIL_OTP").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        h.respond(
            DEMO_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": "bob", "EMAIL_OTP_CODE": wrong}),
        )
        .await
        .err_is("CodeMismatchException", "Invalid code received for user");
    }
    h.respond(
        DEMO_CLIENT_ID,
        "EMAIL_OTP",
        &ch["Session"],
        json!({"USERNAME": "bob", "EMAIL_OTP_CODE": code}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );

    // Codes last for the client's AuthSessionValidity (3 minutes).
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "dave", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await
    .ok();
    let code = h.latest_code("dave", "EMAIL_OTP").await;
    h.pool.advance_clock(181);
    h.respond(
        DEMO_CLIENT_ID,
        "EMAIL_OTP",
        &ch["Session"],
        json!({"USERNAME": "dave", "EMAIL_OTP_CODE": code}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    );

    // SMS_OTP for the user with a phone number.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": DEMO_PHONE_USER, "PREFERRED_CHALLENGE": "SMS_OTP"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "SMS_OTP");
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******0123"
    );
    let code = h.latest_code(DEMO_PHONE_USER, "SMS_OTP").await;
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "SMS_OTP",
            &ch["Session"],
            json!({"USERNAME": DEMO_PHONE_USER, "SMS_OTP_CODE": code}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], DEMO_PHONE_USER);

    // SMS_OTP preferred by a user without a phone: the choice comes back instead.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "SMS_OTP"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "SELECT_CHALLENGE");
    assert!(h.outbox("alice", "SMS_OTP").await.is_empty());

    // An unconfirmed user gets no code.
    user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "carol", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await
    .err_is("UserNotConfirmedException", "User is not confirmed.");
    assert!(h.outbox("carol", "EMAIL_OTP").await.is_empty());
}

#[tokio::test]
async fn sign_in_policy_web_authn_and_client_flows() {
    let h = Harness::new().await;
    // The policy must contain PASSWORD.
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}}}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "AllowedFirstAuthFactors must include PASSWORD.",
    );

    // PASSWORD and WEB_AUTHN only.
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}}),
    )
    .await
    .ok();
    let ch = user_auth(&h, DEMO_CLIENT_ID, json!({"USERNAME": "alice"}))
        .await
        .ok();
    assert_eq!(
        strings(&ch["AvailableChallenges"]),
        ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    );
    let (kind, msg) = h
        .respond(
            DEMO_CLIENT_ID,
            "SELECT_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "alice", "ANSWER": "WEB_AUTHN"}),
        )
        .await
        .err();
    assert_eq!(kind, "WebAuthnNotEnabledException");
    assert!(
        msg.contains("passkey") && msg.contains("not supported"),
        "{msg}"
    );
    // The Session still serves another choice.
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "SELECT_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
        )
        .await
        .ok();
    h.tokens(&done);
    // EMAIL_OTP is off now: preferring it falls back to the choice.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "SELECT_CHALLENGE");
    let (kind, _) = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}),
    )
    .await
    .err();
    assert_eq!(kind, "WebAuthnNotEnabledException");

    // A client without ALLOW_USER_AUTH.
    let client = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": DEMO_POOL_ID, "ClientName": "srp-only",
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await
        .ok();
    let id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    user_auth(&h, id, json!({"USERNAME": "alice"}))
        .await
        .err_is(
            "InvalidParameterException",
            "Auth flow not enabled for this client",
        );

    // Missing users: LEGACY says so, ENABLED plays along and then fails.
    user_auth(&h, DEMO_CLIENT_ID, json!({"USERNAME": "nobody"}))
        .await
        .err_is("UserNotFoundException", "User does not exist.");
    let ch = user_auth(&h, DEMO_CUSTOM_CLIENT_ID, json!({"USERNAME": "nobody"}))
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SELECT_CHALLENGE");
    h.respond(
        DEMO_CUSTOM_CLIENT_ID,
        "SELECT_CHALLENGE",
        &ch["Session"],
        json!({"USERNAME": "nobody", "ANSWER": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .err_is("NotAuthorizedException", "Incorrect username or password.");
}

#[tokio::test]
async fn auto_sign_in_with_the_sign_up_session() {
    let h = Harness::new().await;
    let up = h
        .call(
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "ivan", "Password": DEMO_PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "ivan@example.com"}]}),
        )
        .await
        .ok();
    assert_eq!(up["UserConfirmed"], false);
    assert!(up["Session"].is_string());
    // Not confirmed yet: the SignUp Session cannot sign in.
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID, "Session": up["Session"],
               "AuthParameters": {"USERNAME": "ivan"}}),
    )
    .await
    .err_is("UserNotConfirmedException", "User is not confirmed.");
    let code = h.latest_code("ivan", "SIGN_UP").await;
    let confirmed = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "ivan", "ConfirmationCode": code,
                   "Session": up["Session"]}),
        )
        .await
        .ok();
    let session = confirmed["Session"].clone();
    assert!(session.is_string());

    // Another user's name with this Session.
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID, "Session": session,
               "AuthParameters": {"USERNAME": "alice"}}),
    )
    .await
    .err_is("NotAuthorizedException", "Invalid session for the user.");
    let done = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID, "Session": session,
                   "AuthParameters": {"USERNAME": "ivan"}}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], "ivan");
    // Once only.
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID, "Session": session,
               "AuthParameters": {"USERNAME": "ivan"}}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );

    // Within its validity only.
    let up = h
        .call(
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "judy", "Password": DEMO_PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "judy@example.com"}]}),
        )
        .await
        .ok();
    let code = h.latest_code("judy", "SIGN_UP").await;
    let confirmed = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "judy", "ConfirmationCode": code}),
        )
        .await
        .ok();
    drop(up);
    h.pool.advance_clock(181);
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID, "Session": confirmed["Session"],
               "AuthParameters": {"USERNAME": "judy"}}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    );
    // A Session of some other step is no sign-up Session.
    let ch = user_auth(&h, DEMO_CLIENT_ID, json!({"USERNAME": "judy"}))
        .await
        .ok();
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID, "Session": ch["Session"],
               "AuthParameters": {"USERNAME": "judy"}}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    );
}

#[tokio::test]
async fn a_password_first_factor_is_followed_by_mfa() {
    use cognito_tui::local::{DEMO_EMAIL_MFA_USER, DEMO_SMS_MFA_USER};
    let h = Harness::new().await;
    // Email MFA after PASSWORD: an EMAIL_OTP challenge that is MFA, not a first factor.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": DEMO_EMAIL_MFA_USER, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP", "{ch}");
    assert!(h.outbox(DEMO_EMAIL_MFA_USER, "EMAIL_OTP").await.is_empty());
    let code = h.latest_code(DEMO_EMAIL_MFA_USER, "MFA").await;
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": DEMO_EMAIL_MFA_USER, "EMAIL_OTP_CODE": code}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], DEMO_EMAIL_MFA_USER);

    // SMS MFA after choosing PASSWORD in SELECT_CHALLENGE.
    let ch = user_auth(&h, DEMO_CLIENT_ID, json!({"USERNAME": DEMO_SMS_MFA_USER}))
        .await
        .ok();
    let mfa = h
        .respond(
            DEMO_CLIENT_ID,
            "SELECT_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": DEMO_SMS_MFA_USER, "ANSWER": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
        )
        .await
        .ok();
    assert_eq!(mfa["ChallengeName"], "SMS_MFA", "{mfa}");
    let code = h.latest_code(DEMO_SMS_MFA_USER, "MFA").await;
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "SMS_MFA",
            &mfa["Session"],
            json!({"USERNAME": DEMO_SMS_MFA_USER, "SMS_MFA_CODE": code}),
        )
        .await
        .ok();
    h.tokens(&done);

    // A passwordless first factor is not followed by MFA.
    let ch = user_auth(
        &h,
        DEMO_CLIENT_ID,
        json!({"USERNAME": DEMO_EMAIL_MFA_USER, "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
    let code = h.latest_code(DEMO_EMAIL_MFA_USER, "EMAIL_OTP").await;
    let done = h
        .respond(
            DEMO_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": DEMO_EMAIL_MFA_USER, "EMAIL_OTP_CODE": code}),
        )
        .await
        .ok();
    h.tokens(&done);
}
