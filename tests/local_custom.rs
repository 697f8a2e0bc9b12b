//! CUSTOM_AUTH over HTTP: the built-in one-time code, with and without SRP; the example
//! triggers (one-time code in a file, question and answer, PreSignUp, PostConfirmation); and
//! triggers that time out, print garbage or fail, each giving Cognito's error.

mod support;

use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_CUSTOM_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID};
use cognito_tui::srp::ClientEphemeral;
use serde_json::{Value, json};
use support::{Harness, example};

async fn start_custom(h: &Harness, client: &str, username: &str) -> support::Resp {
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": username}}),
    )
    .await
}

async fn answer(h: &Harness, client: &str, ch: &Value, username: &str, a: &str) -> support::Resp {
    h.respond(
        client,
        "CUSTOM_CHALLENGE",
        &ch["Session"],
        json!({"USERNAME": username, "ANSWER": a}),
    )
    .await
}

/// Sets the demo pool's triggers (keeping email auto-verification and the sign-in policy).
async fn set_triggers(h: &Harness, lambda: Value) {
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}},
               "LambdaConfig": lambda}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn builtin_one_time_code_works_without_setup() {
    let h = Harness::new().await;
    let ch = start_custom(&h, DEMO_CLIENT_ID, "alice").await.ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    let p = &ch["ChallengeParameters"];
    assert_eq!(p["USERNAME"], "alice");
    assert_eq!(p["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(p["CODE_DELIVERY_DESTINATION"], "a***@e***");
    assert_eq!(p["ATTEMPTS_LEFT"], "3");
    assert!(
        p.get("answer").is_none(),
        "private parameters stay private: {p}"
    );
    let code = h.latest_code("alice", "CUSTOM_CHALLENGE").await;

    // A wrong answer: the same code stays valid, a new Session comes back, the old one is spent.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let ch2 = answer(&h, DEMO_CLIENT_ID, &ch, "alice", wrong).await.ok();
    assert_eq!(ch2["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(ch2["ChallengeParameters"]["ATTEMPTS_LEFT"], "2");
    assert_ne!(ch2["Session"], ch["Session"]);
    assert_eq!(
        h.outbox("alice", "CUSTOM_CHALLENGE").await.len(),
        1,
        "no second code on a retry"
    );
    answer(&h, DEMO_CLIENT_ID, &ch, "alice", &code)
        .await
        .err_is(
            "NotAuthorizedException",
            "Invalid session for the user, session can only be used once.",
        );

    let done = answer(&h, DEMO_CLIENT_ID, &ch2, "alice", &code).await.ok();
    assert_eq!(h.tokens(&done)["username"], "alice");

    // Three wrong answers fail the sign-in.
    let mut ch = start_custom(&h, DEMO_CLIENT_ID, "bob").await.ok();
    for _ in 0..2 {
        ch = answer(&h, DEMO_CLIENT_ID, &ch, "bob", "not-the-code")
            .await
            .ok();
        assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    }
    answer(&h, DEMO_CLIENT_ID, &ch, "bob", "not-the-code")
        .await
        .err_is("NotAuthorizedException", "Incorrect username or password.");

    // Missing parameters, another user's name, a stale Session.
    let ch = start_custom(&h, DEMO_CLIENT_ID, "dave").await.ok();
    h.respond(
        DEMO_CLIENT_ID,
        "CUSTOM_CHALLENGE",
        &ch["Session"],
        json!({"USERNAME": "dave"}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Missing required parameter ANSWER",
    );
    answer(&h, DEMO_CLIENT_ID, &ch, "alice", "123456")
        .await
        .err_is("NotAuthorizedException", "Invalid session for the user.");
    h.respond(
        DEMO_CLIENT_ID,
        "CUSTOM_CHALLENGE",
        &json!("garbage!"),
        json!({"USERNAME": "dave", "ANSWER": "1"}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    );
    h.pool.advance_clock(181);
    let code = h.latest_code("dave", "CUSTOM_CHALLENGE").await;
    answer(&h, DEMO_CLIENT_ID, &ch, "dave", &code).await.err_is(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    );
}

#[tokio::test]
async fn builtin_custom_auth_with_srp_checks_the_password_first() {
    let h = Harness::new().await;
    let eph = ClientEphemeral::generate();
    let ch = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "alice", "SRP_A": eph.a_hex(), "CHALLENGE_NAME": "SRP_A"}}),
        )
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
    assert!(
        h.outbox("alice", "CUSTOM_CHALLENGE").await.is_empty(),
        "no code before the password"
    );
    let ch = h
        .answer_verifier(DEMO_CLIENT_ID, &eph, &ch, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE", "{ch}");
    let code = h.latest_code("alice", "CUSTOM_CHALLENGE").await;
    let done = answer(&h, DEMO_CLIENT_ID, &ch, "alice", &code).await.ok();
    h.tokens(&done);

    // A wrong password ends it there.
    let eph = ClientEphemeral::generate();
    let ch = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "bob", "SRP_A": eph.a_hex(), "CHALLENGE_NAME": "SRP_A"}}),
        )
        .await
        .ok();
    h.answer_verifier(DEMO_CLIENT_ID, &eph, &ch, "Wrong-passw0rd")
        .await
        .err_is("NotAuthorizedException", "Incorrect username or password.");
    assert!(h.outbox("bob", "CUSTOM_CHALLENGE").await.is_empty());

    // CHALLENGE_NAME SRP_A without SRP_A.
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": DEMO_CLIENT_ID,
               "AuthParameters": {"USERNAME": "bob", "CHALLENGE_NAME": "SRP_A"}}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Missing required parameter SRP_A",
    );
}

#[tokio::test]
async fn custom_auth_needs_the_client_flow_and_hides_missing_users_when_asked() {
    let h = Harness::new().await;
    let client = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": DEMO_POOL_ID, "ClientName": "srp-only",
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await
        .ok();
    let id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    start_custom(&h, id, "alice").await.err_is(
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    );

    // LEGACY: the user is reported missing.
    start_custom(&h, DEMO_CLIENT_ID, "nobody")
        .await
        .err_is("UserNotFoundException", "User does not exist.");
    // ENABLED (the custom demo client): a challenge that never succeeds, and no outbox entry.
    let ch = start_custom(&h, DEMO_CUSTOM_CLIENT_ID, "nobody").await.ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    assert!(h.outbox("nobody", "CUSTOM_CHALLENGE").await.is_empty());
    let ch = answer(&h, DEMO_CUSTOM_CLIENT_ID, &ch, "nobody", "123456")
        .await
        .ok();
    assert_eq!(ch["ChallengeParameters"]["ATTEMPTS_LEFT"], "2");
}

#[tokio::test]
async fn one_time_code_example_trigger_with_and_without_srp() {
    let h = Harness::with_command_triggers().await;
    let dir = h.dir.path().join("codes");
    let cmd = format!(
        "cmd:COGNITO_TUI_CODE_DIR={} {}",
        dir.display(),
        example("one_time_code.py").trim_start_matches("cmd:")
    );
    set_triggers(
        &h,
        json!({"DefineAuthChallenge": cmd, "CreateAuthChallenge": cmd, "VerifyAuthChallengeResponse": cmd}),
    )
    .await;
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(
        pool["UserPool"]["LambdaConfig"]["DefineAuthChallenge"],
        json!(cmd)
    );

    let ch = start_custom(&h, DEMO_CLIENT_ID, "alice").await.ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE", "{ch}");
    let p = &ch["ChallengeParameters"];
    assert_eq!(p["DELIVERY"], "file");
    assert_eq!(p["USERNAME"], "alice");
    let file = p["CODE_FILE"].as_str().unwrap();
    let code = std::fs::read_to_string(file).unwrap().trim().to_string();
    assert_eq!(code.len(), 6);
    assert!(
        h.outbox("alice", "CUSTOM_CHALLENGE").await.is_empty(),
        "the trigger, not the built-in, ran"
    );
    let ch = answer(&h, DEMO_CLIENT_ID, &ch, "alice", "nope").await.ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    let done = answer(&h, DEMO_CLIENT_ID, &ch, "alice", &code).await.ok();
    assert_eq!(h.tokens(&done)["username"], "alice");

    // With SRP: Define asks for PASSWORD_VERIFIER first, then the code.
    let eph = ClientEphemeral::generate();
    let ch = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "bob", "SRP_A": eph.a_hex(), "CHALLENGE_NAME": "SRP_A"}}),
        )
        .await
        .ok();
    let ch = h
        .answer_verifier(DEMO_CLIENT_ID, &eph, &ch, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE", "{ch}");
    let code = std::fs::read_to_string(ch["ChallengeParameters"]["CODE_FILE"].as_str().unwrap())
        .unwrap()
        .trim()
        .to_string();
    let done = answer(&h, DEMO_CLIENT_ID, &ch, "bob", &code).await.ok();
    assert_eq!(h.tokens(&done)["username"], "bob");
}

#[tokio::test]
async fn question_and_answer_example_trigger_on_a_new_pool() {
    let h = Harness::with_command_triggers().await;
    let qa = example("question_answer.py");
    let pool = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "quiz", "AutoVerifiedAttributes": ["email"],
                   "LambdaConfig": {"DefineAuthChallenge": qa, "CreateAuthChallenge": qa,
                                    "VerifyAuthChallengeResponse": qa}}),
        )
        .await
        .ok();
    assert_eq!(
        pool["UserPool"]["LambdaConfig"]["CreateAuthChallenge"],
        json!(qa)
    );
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    let client = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "quiz",
                   "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await
        .ok();
    let cid = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    h.call(
        "SignUp",
        json!({"ClientId": cid, "Username": "quinn", "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "quinn@example.com"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool_id, "Username": "quinn"}),
    )
    .await
    .ok();

    let ch = start_custom(&h, &cid, "quinn").await.ok();
    let question = ch["ChallengeParameters"]["QUESTION"]
        .as_str()
        .unwrap()
        .to_string();
    let right = match question.as_str() {
        "What is the capital of France?" => "  Paris ",
        "How many sides does a hexagon have?" => "6",
        "What colour do you get by mixing blue and yellow?" => "GREEN",
        other => panic!("unexpected question {other}"),
    };
    let ch = answer(&h, &cid, &ch, "quinn", "I don't know").await.ok();
    assert_eq!(ch["ChallengeParameters"]["QUESTION"], json!(question));
    let done = answer(&h, &cid, &ch, "quinn", right).await.ok();
    assert_eq!(h.tokens(&done)["username"], "quinn");

    // Three wrong answers: Define fails the sign-in.
    let mut ch = start_custom(&h, &cid, "quinn").await.ok();
    for _ in 0..2 {
        ch = answer(&h, &cid, &ch, "quinn", "wrong").await.ok();
    }
    answer(&h, &cid, &ch, "quinn", "wrong")
        .await
        .err_is("NotAuthorizedException", "Incorrect username or password.");
}

#[tokio::test]
async fn broken_triggers_give_cognitos_errors() {
    let h = Harness::with_command_triggers().await;
    // Timeout: killed after 5 s, and the pool keeps serving others meanwhile.
    set_triggers(&h, json!({"DefineAuthChallenge": example("slow.sh")})).await;
    let started = std::time::Instant::now();
    let ((slow, slow_done), (r, other_done)) = tokio::join!(
        async {
            let r = start_custom(&h, DEMO_CLIENT_ID, "alice").await;
            (r, std::time::Instant::now())
        },
        async {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let r = h
                .call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID,
                      "AuthParameters": {"USERNAME": "bob", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": DEMO_PASSWORD}}))
                .await;
            (r, std::time::Instant::now())
        }
    );
    slow.err_is(
        "UnexpectedLambdaException",
        "DefineAuthChallenge invocation failed due to error Socket timeout while invoking Lambda function.",
    );
    let took = slow_done - started;
    assert!(
        took >= std::time::Duration::from_secs(5) && took < std::time::Duration::from_secs(15),
        "{took:?}"
    );
    h.tokens(&r.ok());
    // The other sign-in was answered while the trigger was still running, not after it.
    assert!(
        other_done + std::time::Duration::from_secs(1) < slow_done,
        "blocked by the trigger: answered {:?} after the trigger's timeout",
        other_done.saturating_duration_since(slow_done)
    );
    let pools = h
        .call("ListUserPools", json!({"MaxResults": 10}))
        .await
        .ok();
    assert_eq!(
        pools["UserPools"][0]["LambdaConfig"]["DefineAuthChallenge"],
        json!(example("slow.sh"))
    );

    // Invalid JSON.
    set_triggers(&h, json!({"DefineAuthChallenge": example("not_json.sh")})).await;
    start_custom(&h, DEMO_CLIENT_ID, "alice").await.err_is(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    );

    // Valid JSON, wrong types.
    set_triggers(&h, json!({"DefineAuthChallenge": r#"cmd:cat >/dev/null; echo '{"response":{"issueTokens":"yes"}}'"#})).await;
    start_custom(&h, DEMO_CLIENT_ID, "alice").await.err_is(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    );

    // A thrown error.
    set_triggers(
        &h,
        json!({"CreateAuthChallenge": "cmd:cat >/dev/null; echo 'No code for you' >&2; exit 2"}),
    )
    .await;
    start_custom(&h, DEMO_CLIENT_ID, "alice").await.err_is(
        "UserLambdaValidationException",
        "CreateAuthChallenge failed with error No code for you.",
    );

    // A Lambda ARN cannot run here.
    set_triggers(&h, json!({"VerifyAuthChallengeResponse": "arn:aws:lambda:us-east-1:123456789012:function:verify"})).await;
    let ch = start_custom(&h, DEMO_CLIENT_ID, "alice").await.ok();
    let (kind, msg) = answer(&h, DEMO_CLIENT_ID, &ch, "alice", "1").await.err();
    assert_eq!(kind, "UnexpectedLambdaException");
    assert!(
        msg.starts_with("VerifyAuthChallengeResponse invocation failed"),
        "{msg}"
    );

    // Bad LambdaConfig values are refused.
    let (kind, _) = h
        .call(
            "UpdateUserPool",
            json!({"UserPoolId": DEMO_POOL_ID, "LambdaConfig": {"PreSignUp": 3}}),
        )
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException");
}

#[tokio::test]
async fn pre_sign_up_and_post_confirmation_triggers() {
    let h = Harness::with_command_triggers().await;
    let log = h.dir.path().join("confirmations.log");
    let post = format!(
        "cmd:COGNITO_TUI_TRIGGER_LOG={} {}",
        log.display(),
        example("post_confirmation.sh").trim_start_matches("cmd:")
    );
    set_triggers(
        &h,
        json!({"PreSignUp": example("pre_sign_up.py"), "PostConfirmation": post}),
    )
    .await;

    // Auto-confirmed and verified: no code, and the Session signs in at once.
    let out = h
        .call(
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "frank", "Password": DEMO_PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "frank@example.com"}]}),
        )
        .await
        .ok();
    assert_eq!(out["UserConfirmed"], true);
    assert!(out.get("CodeDeliveryDetails").is_none());
    assert!(h.outbox("frank", "SIGN_UP").await.is_empty());
    let user = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "frank"}),
        )
        .await
        .ok();
    assert_eq!(user["UserStatus"], "CONFIRMED");
    assert!(
        user["UserAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["Name"] == "email_verified" && a["Value"] == "true")
    );
    let signed = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": DEMO_CLIENT_ID, "Session": out["Session"],
                   "AuthParameters": {"USERNAME": "frank"}}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&signed)["username"], "frank");

    // Refused by the trigger.
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "mallory", "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "m@blocked.example"}]}),
    )
    .await
    .err_is(
        "UserLambdaValidationException",
        "PreSignUp failed with error Sign-ups from blocked.example are not allowed.",
    );
    // PreSignUp runs for AdminCreateUser too.
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "mallory", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "m@blocked.example"}]}),
    )
    .await
    .err_is(
        "UserLambdaValidationException",
        "PreSignUp failed with error Sign-ups from blocked.example are not allowed.",
    );
    h.call(
        "AdminGetUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "mallory"}),
    )
    .await
    .err_is("UserNotFoundException", "User does not exist.");

    // Anyone else confirms by code; PostConfirmation then sees the confirmed user.
    let out = h
        .call(
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "grace", "Password": DEMO_PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "grace@elsewhere.test"}]}),
        )
        .await
        .ok();
    assert_eq!(out["UserConfirmed"], false);
    assert!(!log.exists(), "no confirmation yet");
    let code = h.latest_code("grace", "SIGN_UP").await;
    h.call(
        "ConfirmSignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "grace", "ConfirmationCode": code}),
    )
    .await
    .ok();
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let ev = &lines[0];
    assert_eq!(ev["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(ev["userName"], "grace");
    assert_eq!(ev["version"], "1");
    assert_eq!(ev["userPoolId"], DEMO_POOL_ID);
    assert_eq!(ev["callerContext"]["clientId"], DEMO_CLIENT_ID);
    assert_eq!(
        ev["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(ev["request"]["userAttributes"]["email_verified"], "true");

    // A failing PostConfirmation: the error comes back, the user stays confirmed.
    set_triggers(
        &h,
        json!({"PostConfirmation": "cmd:cat >/dev/null; echo 'CRM is down' >&2; exit 1"}),
    )
    .await;
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "heidi", "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "heidi@example.com"}]}),
    )
    .await
    .ok();
    let code = h.latest_code("heidi", "SIGN_UP").await;
    h.call(
        "ConfirmSignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "heidi", "ConfirmationCode": code}),
    )
    .await
    .err_is(
        "UserLambdaValidationException",
        "PostConfirmation failed with error CRM is down.",
    );
    let user = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "heidi"}),
        )
        .await
        .ok();
    assert_eq!(user["UserStatus"], "CONFIRMED");
}
