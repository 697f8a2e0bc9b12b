//! MFA in the embedded pool over HTTP: the pool's MFA configuration, user preferences, the
//! SMS_MFA / EMAIL_OTP / SOFTWARE_TOKEN_MFA / SELECT_MFA_TYPE / MFA_SETUP challenges, software
//! tokens with a Session or an AccessToken, AdminResetUserPassword and the seeded demo users.

mod support;

use cognito_tui::local::{
    DEMO_CHOICE_TOTP_SECRET, DEMO_CLIENT_ID, DEMO_EMAIL_MFA_USER, DEMO_MFA_CHOICE_USER,
    DEMO_NEW_PASSWORD_USER, DEMO_PASSWORD, DEMO_POOL_ID, DEMO_RESET_USER, DEMO_SCENARIO_USERS,
    DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET, DEMO_SMS_MFA_USER, DEMO_TEMP_PASSWORD,
    DEMO_TOTP_SECRET, DEMO_TOTP_USER,
};
use cognito_tui::srp::{self, ClientEphemeral};
use serde_json::{Value, json};
use support::{Case, Harness, Resp, start_pool};

const INVALID_CODE: &str = "Invalid code received for user";
const USED_ONCE: &str = "Invalid session for the user, session can only be used once.";
const EXPIRED: &str = "Invalid session for the user, session is expired.";

/// Test-specific helpers on the shared harness.
impl Harness {
    /// The newest outbox entry for (username, purpose).
    async fn newest_outbox(
        &self,
        username: &str,
        purpose: &str,
    ) -> cognito_tui::admin::OutboxEntry {
        self.pool
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .rev()
            .find(|e| e.username == username && e.purpose == purpose)
            .unwrap_or_else(|| panic!("no {purpose} outbox entry for {username}"))
    }

    async fn password_sign_in(&self, client: &str, username: &str, password: &str) -> Resp {
        self.call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
        )
        .await
    }

    /// USER_SRP_AUTH + PASSWORD_VERIFIER on the demo pool, with the client clock following
    /// the pool's.
    async fn srp_sign_in(&self, username: &str, password: &str) -> Resp {
        let eph = ClientEphemeral::generate();
        let init = self
            .call(
                "InitiateAuth",
                json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
                       "AuthParameters": {"USERNAME": username, "SRP_A": eph.a_hex()}}),
            )
            .await
            .ok();
        let p = &init["ChallengeParameters"];
        let user_id = p["USER_ID_FOR_SRP"].as_str().unwrap();
        let ts = time::OffsetDateTime::now_utc() + time::Duration::seconds(self.offset());
        let claim = eph
            .password_claim(
                srp::pool_name(DEMO_POOL_ID),
                user_id,
                password,
                p["SALT"].as_str().unwrap(),
                p["SRP_B"].as_str().unwrap(),
                p["SECRET_BLOCK"].as_str().unwrap(),
                &srp::format_timestamp(ts),
            )
            .unwrap();
        self.call(
            "RespondToAuthChallenge",
            json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "PASSWORD_VERIFIER",
                   "Session": init["Session"],
                   "ChallengeResponses": {"USERNAME": user_id,
                       "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                       "PASSWORD_CLAIM_SIGNATURE": claim.signature,
                       "TIMESTAMP": claim.timestamp}}),
        )
        .await
    }

    async fn admin_get_user(&self, pool_id: &str, username: &str) -> Value {
        self.call(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": username}),
        )
        .await
        .ok()
    }
}

/// RFC 6238 (SHA-1, 6 digits, 30 s) code of a base32 secret at unix time `at`.
fn totp(secret: &str, at: i64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
        .generate(at as u64)
        .to_string()
}

/// A 6-digit code that is not `code`.
fn other_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// A code that matches no step within ±1 of `at` (a window well away from now).
fn wrong_totp(secret: &str, at: i64) -> String {
    let near: Vec<String> = (-1..=1).map(|k| totp(secret, at + k * 30)).collect();
    let mut c = totp(secret, at + 3600);
    while near.contains(&c) {
        c = other_code(&c);
    }
    c
}

fn tokens(v: &Value) -> &Value {
    assert!(
        v["AuthenticationResult"]["AccessToken"].is_string(),
        "expected tokens, got {v}"
    );
    &v["AuthenticationResult"]
}

#[tokio::test]
async fn pool_mfa_configuration_round_trips_and_is_validated() {
    let h = Harness::new().await;
    let cfg = h
        .call("GetUserPoolMfaConfig", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(cfg["MfaConfiguration"], "OPTIONAL");
    assert_eq!(cfg["SoftwareTokenMfaConfiguration"]["Enabled"], true);
    assert!(cfg["SmsMfaConfiguration"].is_object());
    assert!(cfg["EmailMfaConfiguration"].is_object());

    h.run_cases([
        Case::new(
            "ON without any method",
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": DEMO_POOL_ID, "MfaConfiguration": "ON"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an unknown MfaConfiguration",
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": DEMO_POOL_ID, "MfaConfiguration": "SOMETIMES",
                   "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an unknown pool",
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": "us-east-1_nope", "MfaConfiguration": "OFF"}),
        )
        .kind("ResourceNotFoundException"),
    ])
    .await;

    let set = h
        .call(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": DEMO_POOL_ID, "MfaConfiguration": "ON",
                   "SoftwareTokenMfaConfiguration": {"Enabled": true},
                   "EmailMfaConfiguration": {"Message": "code {####}", "Subject": "hi"}}),
        )
        .await
        .ok();
    assert_eq!(set["MfaConfiguration"], "ON");
    assert!(set.get("SmsMfaConfiguration").is_none());
    assert_eq!(set["EmailMfaConfiguration"]["Subject"], "hi");
    let got = h
        .call("GetUserPoolMfaConfig", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(got, set);
    let described = h
        .call("DescribeUserPool", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(described["UserPool"]["MfaConfiguration"], "ON");

    // OFF: even the TOTP demo user signs in with the password alone.
    h.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": DEMO_POOL_ID, "MfaConfiguration": "OFF"}),
    )
    .await
    .ok();
    let r = h
        .password_sign_in(DEMO_CLIENT_ID, DEMO_TOTP_USER, DEMO_PASSWORD)
        .await
        .ok();
    tokens(&r);
}

#[tokio::test]
async fn totp_demo_user_answers_software_token_mfa() {
    let h = Harness::new().await;
    // The secret is where a learner can find it.
    let entry = h.newest_outbox(DEMO_TOTP_USER, "TOTP_SECRET").await;
    assert_eq!(entry.code, DEMO_TOTP_SECRET);

    // Ordinary users are not asked for MFA in the OPTIONAL demo pool.
    tokens(&h.srp_sign_in("alice", DEMO_PASSWORD).await.ok());

    let ch = h.srp_sign_in(DEMO_TOTP_USER, DEMO_PASSWORD).await.ok();
    assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert!(ch.get("AuthenticationResult").is_none());
    let s = ch["Session"].clone();
    let answer = |code: &str| json!({"USERNAME": DEMO_TOTP_USER, "SOFTWARE_TOKEN_MFA_CODE": code});

    let wrong = wrong_totp(DEMO_TOTP_SECRET, h.now());
    let (t, m) = h
        .respond(DEMO_CLIENT_ID, "SOFTWARE_TOKEN_MFA", &s, answer(&wrong))
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("CodeMismatchException", INVALID_CODE)
    );
    let (t, _) = h
        .respond(DEMO_CLIENT_ID, "SOFTWARE_TOKEN_MFA", &s, answer("12ab56"))
        .await
        .err();
    assert_eq!(t, "CodeMismatchException");
    // A wrong code leaves the Session standing; the right one signs in.
    let code = totp(DEMO_TOTP_SECRET, h.now());
    let done = h
        .respond(DEMO_CLIENT_ID, "SOFTWARE_TOKEN_MFA", &s, answer(&code))
        .await
        .ok();
    let access = tokens(&done)["AccessToken"].clone();
    let (t, m) = h
        .respond(DEMO_CLIENT_ID, "SOFTWARE_TOKEN_MFA", &s, answer(&code))
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", USED_ONCE)
    );

    // The same code again in a new sign-in: a TOTP code is accepted once.
    let ch = h.srp_sign_in(DEMO_TOTP_USER, DEMO_PASSWORD).await.ok();
    let (t, m) = h
        .respond(
            DEMO_CLIENT_ID,
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            answer(&code),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "ExpiredCodeException",
            "Your software token has already been used once."
        )
    );
    // The next step's code works (±1 step is accepted).
    let next = totp(DEMO_TOTP_SECRET, h.now() + 30);
    tokens(
        &h.respond(
            DEMO_CLIENT_ID,
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            answer(&next),
        )
        .await
        .ok(),
    );

    // A stale Session.
    h.advance(90);
    let ch = h.srp_sign_in(DEMO_TOTP_USER, DEMO_PASSWORD).await.ok();
    h.advance(181);
    let code = totp(DEMO_TOTP_SECRET, h.now());
    let (t, m) = h
        .respond(
            DEMO_CLIENT_ID,
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            answer(&code),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", EXPIRED)
    );

    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(user["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(user["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
}

#[tokio::test]
async fn sms_and_email_codes_go_to_the_outbox_and_expire() {
    let h = Harness::new().await;
    let ch = h
        .password_sign_in(DEMO_CLIENT_ID, DEMO_SMS_MFA_USER, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SMS_MFA");
    let p = &ch["ChallengeParameters"];
    assert_eq!(p["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(p["CODE_DELIVERY_DESTINATION"], "+*******0101");
    let sent = h.newest_outbox(DEMO_SMS_MFA_USER, "MFA").await;
    assert_eq!(
        (sent.medium.as_str(), sent.destination.as_str()),
        ("SMS", "+15555550101")
    );
    assert_eq!(sent.code.len(), 6);
    let answer = |code: &str| json!({"USERNAME": DEMO_SMS_MFA_USER, "SMS_MFA_CODE": code});
    let (t, m) = h
        .respond(
            DEMO_CLIENT_ID,
            "SMS_MFA",
            &ch["Session"],
            answer(&other_code(&sent.code)),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("CodeMismatchException", INVALID_CODE)
    );
    // The Session belongs to SMS_MFA: answering another challenge with it fails.
    let (t, _) = h
        .respond(
            DEMO_CLIENT_ID,
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": DEMO_SMS_MFA_USER, "SOFTWARE_TOKEN_MFA_CODE": "123456"}),
        )
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException");
    tokens(
        &h.respond(
            DEMO_CLIENT_ID,
            "SMS_MFA",
            &ch["Session"],
            answer(&sent.code),
        )
        .await
        .ok(),
    );

    // Five wrong codes spend the Session.
    let ch = h
        .password_sign_in(DEMO_CLIENT_ID, DEMO_SMS_MFA_USER, DEMO_PASSWORD)
        .await
        .ok();
    let sent = h.newest_outbox(DEMO_SMS_MFA_USER, "MFA").await;
    for _ in 0..5 {
        let (t, _) = h
            .respond(
                DEMO_CLIENT_ID,
                "SMS_MFA",
                &ch["Session"],
                answer(&other_code(&sent.code)),
            )
            .await
            .err();
        assert_eq!(t, "CodeMismatchException");
    }
    let (_, m) = h
        .respond(
            DEMO_CLIENT_ID,
            "SMS_MFA",
            &ch["Session"],
            answer(&sent.code),
        )
        .await
        .err();
    assert_eq!(m, USED_ONCE);

    // Codes last the client's AuthSessionValidity (3 minutes).
    let ch = h
        .password_sign_in(DEMO_CLIENT_ID, DEMO_SMS_MFA_USER, DEMO_PASSWORD)
        .await
        .ok();
    let sent = h.newest_outbox(DEMO_SMS_MFA_USER, "MFA").await;
    h.advance(181);
    let (t, m) = h
        .respond(
            DEMO_CLIENT_ID,
            "SMS_MFA",
            &ch["Session"],
            answer(&sent.code),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "ExpiredCodeException",
            "Invalid code provided, please request a code again."
        )
    );

    // Email MFA, through SRP and the client with a secret (SECRET_HASH on every step).
    let hash = srp::secret_hash(
        DEMO_EMAIL_MFA_USER,
        DEMO_SECRET_CLIENT_ID,
        DEMO_SECRET_CLIENT_SECRET,
    );
    let ch = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_SECRET_CLIENT_ID,
                   "AuthParameters": {"USERNAME": DEMO_EMAIL_MFA_USER, "PASSWORD": DEMO_PASSWORD,
                                      "SECRET_HASH": hash}}),
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
        "m***@e***"
    );
    let sent = h.newest_outbox(DEMO_EMAIL_MFA_USER, "MFA").await;
    assert_eq!(sent.destination, "mfa-email@example.com");
    let (t, _) = h
        .respond(
            DEMO_SECRET_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": DEMO_EMAIL_MFA_USER, "EMAIL_OTP_CODE": sent.code}),
        )
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException", "SECRET_HASH is required");
    tokens(
        &h.respond(
            DEMO_SECRET_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": DEMO_EMAIL_MFA_USER, "EMAIL_OTP_CODE": sent.code, "SECRET_HASH": hash}),
        )
        .await
        .ok(),
    );
    // A Session of one client is no good with another.
    let ch = h
        .password_sign_in(DEMO_CLIENT_ID, DEMO_EMAIL_MFA_USER, DEMO_PASSWORD)
        .await
        .ok();
    let (t, _) = h
        .respond(
            DEMO_SECRET_CLIENT_ID,
            "EMAIL_OTP",
            &ch["Session"],
            json!({"USERNAME": DEMO_EMAIL_MFA_USER, "EMAIL_OTP_CODE": "000000", "SECRET_HASH": hash}),
        )
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException");
    // Garbage Sessions never crash: a missing one is a bad parameter, anything else a
    // session the pool does not know.
    for challenge in [
        "SMS_MFA",
        "EMAIL_OTP",
        "SOFTWARE_TOKEN_MFA",
        "SELECT_MFA_TYPE",
        "MFA_SETUP",
    ] {
        for bad in [
            json!("garbage"),
            json!("TQ"),
            json!("x".repeat(10_000)),
            json!(""),
            json!(null),
        ] {
            let responses = json!({"USERNAME": DEMO_SMS_MFA_USER, "SMS_MFA_CODE": "123456",
                "EMAIL_OTP_CODE": "123456", "SOFTWARE_TOKEN_MFA_CODE": "123456", "ANSWER": "SMS_MFA"});
            let (t, m) = h
                .respond(DEMO_CLIENT_ID, challenge, &bad, responses)
                .await
                .err();
            let missing = bad.as_str().is_none_or(str::is_empty);
            if missing {
                assert_eq!(t, "InvalidParameterException", "{challenge} {m}");
            } else {
                assert_eq!(
                    (t.as_str(), m.as_str()),
                    ("NotAuthorizedException", EXPIRED),
                    "{challenge}"
                );
            }
        }
    }
}

#[tokio::test]
async fn several_methods_and_none_preferred_select_mfa_type() {
    let h = Harness::new().await;
    let ch = h
        .srp_sign_in(DEMO_MFA_CHOICE_USER, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SELECT_MFA_TYPE");
    let choices: Vec<String> = serde_json::from_str(
        ch["ChallengeParameters"]["MFAS_CAN_CHOOSE"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(choices, ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]);
    let pick = |s: &Value, a: &str| {
        let (s, a) = (s.clone(), a.to_string());
        let h = &h;
        async move {
            h.respond(
                DEMO_CLIENT_ID,
                "SELECT_MFA_TYPE",
                &s,
                json!({"USERNAME": DEMO_MFA_CHOICE_USER, "ANSWER": a}),
            )
            .await
        }
    };
    let (t, _) = pick(&ch["Session"], "CARRIER_PIGEON").await.err();
    assert_eq!(t, "InvalidParameterException");
    // EMAIL_MFA (the API doc's name) means EMAIL_OTP.
    let email = pick(&ch["Session"], "EMAIL_MFA").await.ok();
    assert_eq!(email["ChallengeName"], "EMAIL_OTP");
    let (_, m) = pick(&ch["Session"], "SMS_MFA").await.err();
    assert_eq!(m, USED_ONCE);
    let sent = h.newest_outbox(DEMO_MFA_CHOICE_USER, "MFA").await;
    assert_eq!(sent.medium, "EMAIL");
    tokens(
        &h.respond(
            DEMO_CLIENT_ID,
            "EMAIL_OTP",
            &email["Session"],
            json!({"USERNAME": DEMO_MFA_CHOICE_USER, "EMAIL_OTP_CODE": sent.code}),
        )
        .await
        .ok(),
    );

    // Choosing TOTP.
    let ch = h
        .srp_sign_in(DEMO_MFA_CHOICE_USER, DEMO_PASSWORD)
        .await
        .ok();
    let totp_ch = pick(&ch["Session"], "SOFTWARE_TOKEN_MFA").await.ok();
    assert_eq!(totp_ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let code = totp(DEMO_CHOICE_TOTP_SECRET, h.now());
    tokens(
        &h.respond(
            DEMO_CLIENT_ID,
            "SOFTWARE_TOKEN_MFA",
            &totp_ch["Session"],
            json!({"USERNAME": DEMO_MFA_CHOICE_USER, "SOFTWARE_TOKEN_MFA_CODE": code}),
        )
        .await
        .ok(),
    );

    // A preference ends the choice.
    h.call(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": DEMO_MFA_CHOICE_USER,
               "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await
    .ok();
    let ch = h
        .password_sign_in(DEMO_CLIENT_ID, DEMO_MFA_CHOICE_USER, DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SMS_MFA");
    let u = h.admin_get_user(DEMO_POOL_ID, DEMO_MFA_CHOICE_USER).await;
    assert_eq!(u["PreferredMfaSetting"], "SMS_MFA");
    assert_eq!(
        u["UserMFASettingList"],
        json!(["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])
    );
}

/// A pool made by CreateUserPool with MFA required, a client and a confirmed user.
async fn mfa_on_pool(h: &Harness, with_email: bool) -> (String, String) {
    let pool = h
        .call("CreateUserPool", json!({"PoolName": "mfa-on"}))
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
    let mut cfg = json!({"UserPoolId": pool_id, "MfaConfiguration": "ON",
                         "SoftwareTokenMfaConfiguration": {"Enabled": true}});
    if with_email {
        cfg["EmailMfaConfiguration"] = json!({});
    }
    h.call("SetUserPoolMfaConfig", cfg).await.ok();
    (pool_id, client_id)
}

async fn add_user(h: &Harness, pool_id: &str, username: &str, attrs: Value) {
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
               "UserAttributes": attrs}),
    )
    .await
    .ok();
    h.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": username, "Password": DEMO_PASSWORD,
               "Permanent": true}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn mfa_on_sets_up_totp_during_sign_in() {
    let h = Harness::new().await;
    let (pool_id, client) = mfa_on_pool(&h, true).await;
    add_user(&h, &pool_id, "erin", json!([])).await;

    let ch = h
        .password_sign_in(&client, "erin", DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        ch["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"
    );
    // Finishing before a token is verified is refused and spends nothing.
    let (t, _) = h
        .respond(
            &client,
            "MFA_SETUP",
            &ch["Session"],
            json!({"USERNAME": "erin"}),
        )
        .await
        .err();
    assert_eq!(t, "SoftwareTokenMFANotFoundException");

    let assoc = h
        .call("AssociateSoftwareToken", json!({"Session": ch["Session"]}))
        .await
        .ok();
    let secret = assoc["SecretCode"].as_str().unwrap().to_string();
    assert!(secret.len() >= 16 && secret.bytes().all(|b| b.is_ascii_alphanumeric()));
    h.run_cases([
        Case::new(
            "the Session a second time",
            "AssociateSoftwareToken",
            json!({"Session": ch["Session"]}),
        )
        .message(USED_ONCE),
        Case::new(
            "both a Session and an AccessToken",
            "AssociateSoftwareToken",
            json!({"Session": ch["Session"], "AccessToken": "x"}),
        )
        .kind("InvalidParameterException"),
    ])
    .await;

    let s2 = assoc["Session"].clone();
    h.run_cases([
        Case::new(
            "a wrong code",
            "VerifySoftwareToken",
            json!({"Session": s2, "UserCode": wrong_totp(&secret, h.now())}),
        )
        .error("EnableSoftwareTokenMFAException", "Code mismatch"),
        Case::new(
            "a code that is not six digits",
            "VerifySoftwareToken",
            json!({"Session": s2, "UserCode": "abc"}),
        )
        .kind("InvalidParameterException"),
    ])
    .await;
    let code = totp(&secret, h.now());
    let verified = h
        .call(
            "VerifySoftwareToken",
            json!({"Session": s2, "UserCode": code, "FriendlyDeviceName": "phone"}),
        )
        .await
        .ok();
    assert_eq!(verified["Status"], "SUCCESS");
    let done = h
        .respond(
            &client,
            "MFA_SETUP",
            &verified["Session"],
            json!({"USERNAME": "erin"}),
        )
        .await
        .ok();
    tokens(&done);
    let u = h.admin_get_user(&pool_id, "erin").await;
    assert_eq!(u["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(u["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");

    // From now on the user answers SOFTWARE_TOKEN_MFA.
    h.advance(30);
    let ch = h
        .password_sign_in(&client, "erin", DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    tokens(
        &h.respond(
            &client,
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": "erin", "SOFTWARE_TOKEN_MFA_CODE": totp(&secret, h.now())}),
        )
        .await
        .ok(),
    );

    // An MFA_SETUP Session goes stale like any other.
    add_user(&h, &pool_id, "fred", json!([])).await;
    let ch = h
        .password_sign_in(&client, "fred", DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "MFA_SETUP");
    h.advance(181);
    let (t, m) = h
        .call("AssociateSoftwareToken", json!({"Session": ch["Session"]}))
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", EXPIRED)
    );

    // A user created by an admin chooses a new password first, then sets up MFA.
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "jill", "MessageAction": "SUPPRESS",
               "TemporaryPassword": "Temp0rary-pw!"}),
    )
    .await
    .ok();
    let ch = h
        .password_sign_in(&client, "jill", "Temp0rary-pw!")
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let next = h
        .respond(
            &client,
            "NEW_PASSWORD_REQUIRED",
            &ch["Session"],
            json!({"USERNAME": "jill", "NEW_PASSWORD": DEMO_PASSWORD}),
        )
        .await
        .ok();
    assert_eq!(next["ChallengeName"], "MFA_SETUP");
    assert!(next.get("AuthenticationResult").is_none());

    // With SMS MFA in a required pool, a user with a phone number gets SMS_MFA right away.
    h.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool_id, "MfaConfiguration": "ON", "SmsMfaConfiguration": {},
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await
    .ok();
    add_user(
        &h,
        &pool_id,
        "gina",
        json!([{"Name": "phone_number", "Value": "+15550001234"}]),
    )
    .await;
    let ch = h
        .password_sign_in(&client, "gina", DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "SMS_MFA");
    assert_eq!(
        ch["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******1234"
    );
    // The code that arrived proves the phone number.
    let verified = json!({"Name": "phone_number_verified", "Value": "true"});
    let attrs = |u: Value| u["UserAttributes"].as_array().unwrap().clone();
    assert!(!attrs(h.admin_get_user(&pool_id, "gina").await).contains(&verified));
    let sent = h.newest_outbox("gina", "MFA").await;
    tokens(
        &h.respond(
            &client,
            "SMS_MFA",
            &ch["Session"],
            json!({"USERNAME": "gina", "SMS_MFA_CODE": sent.code}),
        )
        .await
        .ok(),
    );
    assert!(attrs(h.admin_get_user(&pool_id, "gina").await).contains(&verified));

    // SMS as the only method: a user without a phone number cannot sign in.
    h.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool_id, "MfaConfiguration": "ON", "SmsMfaConfiguration": {}}),
    )
    .await
    .ok();
    let (t, _) = h
        .password_sign_in(&client, "fred", DEMO_PASSWORD)
        .await
        .err();
    assert_eq!(t, "MFAMethodNotFoundException");
}

#[tokio::test]
async fn mfa_on_sets_up_email_during_sign_in() {
    let h = Harness::new().await;
    let (pool_id, client) = mfa_on_pool(&h, true).await;
    add_user(&h, &pool_id, "hank", json!([])).await;
    let ch = h
        .password_sign_in(&client, "hank", DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "MFA_SETUP");
    let (t, _) = h
        .respond(
            &client,
            "MFA_SETUP",
            &ch["Session"],
            json!({"USERNAME": "hank", "EMAIL": "not-an-email"}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
    let email = h
        .respond(
            &client,
            "MFA_SETUP",
            &ch["Session"],
            json!({"USERNAME": "hank", "EMAIL": "hank@example.org"}),
        )
        .await
        .ok();
    assert_eq!(email["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        email["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "h***@e***"
    );
    let sent = h.newest_outbox("hank", "MFA").await;
    assert_eq!(sent.destination, "hank@example.org");
    let (t, _) = h
        .respond(
            &client,
            "EMAIL_OTP",
            &email["Session"],
            json!({"USERNAME": "hank", "EMAIL_OTP_CODE": other_code(&sent.code)}),
        )
        .await
        .err();
    assert_eq!(t, "CodeMismatchException");
    tokens(
        &h.respond(
            &client,
            "EMAIL_OTP",
            &email["Session"],
            json!({"USERNAME": "hank", "EMAIL_OTP_CODE": sent.code}),
        )
        .await
        .ok(),
    );
    let u = h.admin_get_user(&pool_id, "hank").await;
    assert_eq!(u["UserMFASettingList"], json!(["EMAIL_OTP"]));
    let attrs = u["UserAttributes"].as_array().unwrap();
    assert!(attrs.contains(&json!({"Name": "email", "Value": "hank@example.org"})));
    assert!(attrs.contains(&json!({"Name": "email_verified", "Value": "true"})));
    let ch = h
        .password_sign_in(&client, "hank", DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");

    // A pool offering TOTP only does not take EMAIL.
    let (pool2, client2) = mfa_on_pool(&h, false).await;
    add_user(&h, &pool2, "ivan", json!([])).await;
    let ch = h
        .password_sign_in(&client2, "ivan", DEMO_PASSWORD)
        .await
        .ok();
    assert_eq!(
        ch["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    let (t, _) = h
        .respond(
            &client2,
            "MFA_SETUP",
            &ch["Session"],
            json!({"USERNAME": "ivan", "EMAIL": "ivan@example.org"}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
}

#[tokio::test]
async fn signed_in_users_add_a_software_token_and_choose_preferences() {
    let h = Harness::new().await;
    let signed_in = h.srp_sign_in("alice", DEMO_PASSWORD).await.ok();
    let access = tokens(&signed_in)["AccessToken"].clone();

    // Preferences that cannot apply.
    h.run_cases([
        Case::new(
            "TOTP before a software token is verified",
            "SetUserMFAPreference",
            json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true}}),
        )
        .error(
            "InvalidParameterException",
            "User has not verified software token mfa",
        ),
        Case::new(
            "SMS for alice, who has no phone number",
            "SetUserMFAPreference",
            json!({"AccessToken": access, "SMSMfaSettings": {"Enabled": true}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a garbage access token",
            "SetUserMFAPreference",
            json!({"AccessToken": "not-a-token", "EmailMfaSettings": {"Enabled": true}}),
        )
        .kind("NotAuthorizedException"),
        Case::new(
            "VerifySoftwareToken before AssociateSoftwareToken",
            "VerifySoftwareToken",
            json!({"AccessToken": access, "UserCode": "123456"}),
        )
        .kind("SoftwareTokenMFANotFoundException"),
    ])
    .await;

    let assoc = h
        .call("AssociateSoftwareToken", json!({"AccessToken": access}))
        .await
        .ok();
    let secret = assoc["SecretCode"].as_str().unwrap().to_string();
    let (t, m) = h
        .call(
            "VerifySoftwareToken",
            json!({"AccessToken": access, "UserCode": wrong_totp(&secret, h.now())}),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("EnableSoftwareTokenMFAException", "Code mismatch")
    );
    let ok = h
        .call(
            "VerifySoftwareToken",
            json!({"AccessToken": access, "UserCode": totp(&secret, h.now())}),
        )
        .await
        .ok();
    assert_eq!(ok["Status"], "SUCCESS");
    let u = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(u["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert!(u.get("PreferredMfaSetting").is_none());

    // Email and TOTP enabled, none preferred: a choice; TOTP preferred: its challenge.
    h.call(
        "SetUserMFAPreference",
        json!({"AccessToken": access, "EmailMfaSettings": {"Enabled": true}}),
    )
    .await
    .ok();
    let ch = h.srp_sign_in("alice", DEMO_PASSWORD).await.ok();
    assert_eq!(ch["ChallengeName"], "SELECT_MFA_TYPE");
    let (t, _) = h
        .call(
            "SetUserMFAPreference",
            json!({"AccessToken": access,
                   "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true},
                   "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
    h.call(
        "SetUserMFAPreference",
        json!({"AccessToken": access,
               "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await
    .ok();
    h.advance(30);
    let ch = h.srp_sign_in("alice", DEMO_PASSWORD).await.ok();
    assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    tokens(
        &h.respond(
            DEMO_CLIENT_ID,
            "SOFTWARE_TOKEN_MFA",
            &ch["Session"],
            json!({"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp(&secret, h.now())}),
        )
        .await
        .ok(),
    );
    let u = h.admin_get_user(DEMO_POOL_ID, "alice").await;
    assert_eq!(u["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");

    // Turning both off signs in with the password alone again.
    h.call(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "alice",
               "SoftwareTokenMfaSettings": {"Enabled": false},
               "EmailMfaSettings": {"Enabled": false}}),
    )
    .await
    .ok();
    let u = h.admin_get_user(DEMO_POOL_ID, "alice").await;
    assert!(u.get("UserMFASettingList").is_none() && u.get("PreferredMfaSetting").is_none());
    tokens(&h.srp_sign_in("alice", DEMO_PASSWORD).await.ok());
    let (t, _) = h
        .call(
            "AdminSetUserMFAPreference",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "nobody",
                   "EmailMfaSettings": {"Enabled": true}}),
        )
        .await
        .err();
    assert_eq!(t, "UserNotFoundException");
}

#[tokio::test]
async fn admin_reset_requires_a_new_password() {
    let h = Harness::new().await;
    h.call(
        "AdminResetUserPassword",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}),
    )
    .await
    .ok();
    assert_eq!(
        h.admin_get_user(DEMO_POOL_ID, "bob").await["UserStatus"],
        "RESET_REQUIRED"
    );
    let sent = h.newest_outbox("bob", "FORGOT_PASSWORD").await;
    assert_eq!(sent.destination, "bob@example.com");
    let (t, m) = h.srp_sign_in("bob", DEMO_PASSWORD).await.err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "PasswordResetRequiredException",
            "Password reset required for the user"
        )
    );
    let (t, _) = h
        .password_sign_in(DEMO_CLIENT_ID, "bob", DEMO_PASSWORD)
        .await
        .err();
    assert_eq!(t, "PasswordResetRequiredException");
    let (t, m) = h.srp_sign_in("bob", "Wr0ng-password!").await.err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let confirm = |code: &str| {
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "bob", "ConfirmationCode": code,
               "Password": "N3w-password!"})
    };
    let (t, _) = h
        .call("ConfirmForgotPassword", confirm(&other_code(&sent.code)))
        .await
        .err();
    assert_eq!(t, "CodeMismatchException");
    h.call("ConfirmForgotPassword", confirm(&sent.code))
        .await
        .ok();
    assert_eq!(
        h.admin_get_user(DEMO_POOL_ID, "bob").await["UserStatus"],
        "CONFIRMED"
    );
    tokens(&h.srp_sign_in("bob", "N3w-password!").await.ok());

    let (t, _) = h
        .call(
            "AdminResetUserPassword",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "nobody"}),
        )
        .await
        .err();
    assert_eq!(t, "UserNotFoundException");
    // A user still on its invitation cannot be reset.
    let (t, _) = h
        .call(
            "AdminResetUserPassword",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": DEMO_NEW_PASSWORD_USER}),
        )
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException");
}

#[tokio::test]
async fn scenario_users_are_seeded_once_and_old_stores_are_upgraded() {
    let h = Harness::new().await;
    // RESET_REQUIRED, with its code in the outbox.
    let (t, _) = h.srp_sign_in(DEMO_RESET_USER, DEMO_PASSWORD).await.err();
    assert_eq!(t, "PasswordResetRequiredException");
    let code = h
        .newest_outbox(DEMO_RESET_USER, "FORGOT_PASSWORD")
        .await
        .code;
    h.call(
        "ConfirmForgotPassword",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": DEMO_RESET_USER, "ConfirmationCode": code,
               "Password": "Res3t-password!"}),
    )
    .await
    .ok();
    tokens(&h.srp_sign_in(DEMO_RESET_USER, "Res3t-password!").await.ok());
    // FORCE_CHANGE_PASSWORD, with the invitation in the outbox.
    let invite = h.newest_outbox(DEMO_NEW_PASSWORD_USER, "INVITATION").await;
    assert_eq!(invite.code, DEMO_TEMP_PASSWORD);
    let ch = h
        .srp_sign_in(DEMO_NEW_PASSWORD_USER, DEMO_TEMP_PASSWORD)
        .await
        .ok();
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        h.admin_get_user(DEMO_POOL_ID, DEMO_NEW_PASSWORD_USER).await["UserStatus"],
        "FORCE_CHANGE_PASSWORD"
    );
    let users = h
        .call("ListUsers", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    let names: Vec<&str> = users["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap())
        .collect();
    for u in DEMO_SCENARIO_USERS {
        assert!(names.contains(u), "{u} missing from {names:?}");
    }
    let outbox_len = h.pool.outbox().await.unwrap().len();

    // Restart: nothing is seeded twice.
    let db = h.dir.path().join("pool.sqlite3");
    let Harness { pool, dir, .. } = h;
    pool.shutdown().await;
    let pool = start_pool(&db).await;
    assert_eq!(pool.outbox().await.unwrap().len(), outbox_len);
    pool.shutdown().await;

    // A store from before MFA existed: no MFA tables, no scenario users, MFA OFF.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP TABLE pool_mfa; DROP TABLE user_mfa; \
             DELETE FROM outbox WHERE purpose IN ('TOTP_SECRET', 'MFA');",
        )
        .unwrap();
        for u in DEMO_SCENARIO_USERS {
            conn.execute("DELETE FROM users WHERE username = ?1", [u])
                .unwrap();
        }
        conn.execute(
            "UPDATE pools SET config = json_set(config, '$.mfa_configuration', 'OFF')",
            [],
        )
        .unwrap();
    }
    let pool = start_pool(&db).await;
    let h = Harness::around(pool, dir);
    let cfg = h
        .call("GetUserPoolMfaConfig", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(cfg["MfaConfiguration"], "OPTIONAL");
    let ch = h.srp_sign_in(DEMO_TOTP_USER, DEMO_PASSWORD).await.ok();
    assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(
        h.newest_outbox(DEMO_TOTP_USER, "TOTP_SECRET").await.code,
        DEMO_TOTP_SECRET
    );
    tokens(&h.srp_sign_in("alice", DEMO_PASSWORD).await.ok());
}
