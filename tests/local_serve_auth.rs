//! The embedded pool as other people's test suites use it: AdminInitiateAuth and
//! AdminRespondToAuthChallenge on the same flows as the client-facing operations, deleting
//! pools and clients, UpdateUserPoolClient (OAuth fields, token validity, revocation), the
//! request's region in pool ids and ARNs, Cognito's case rules for booleans, the built-in
//! custom challenge only where configured, and `POST /_local/reset`. Settings survive a
//! restart.

mod support;

use cognito_tui::cognito::SigV4Signer;
use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_EMAIL_MFA_USER, DEMO_NEW_PASSWORD_USER, DEMO_PASSWORD, DEMO_POOL_ID,
    DEMO_TEMP_PASSWORD,
};
use cognito_tui::secret::Secret;
use cognito_tui::srp::ClientEphemeral;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use support::{Harness, Resp, claims, verifier_answer};

async fn admin_auth(h: &Harness, client: &str, flow: &str, params: Value) -> Resp {
    h.call(
        "AdminInitiateAuth",
        json!({"UserPoolId": DEMO_POOL_ID, "ClientId": client, "AuthFlow": flow,
               "AuthParameters": params}),
    )
    .await
}

async fn admin_respond(h: &Harness, mut body: Value) -> Resp {
    body["UserPoolId"] = json!(DEMO_POOL_ID);
    h.call("AdminRespondToAuthChallenge", body).await
}

async fn new_pool(h: &Harness, name: &str) -> String {
    h.call("CreateUserPool", json!({"PoolName": name}))
        .await
        .ok()["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn new_client(h: &Harness, pool: &str, extra: Value) -> Value {
    let mut body = json!({"UserPoolId": pool, "ClientName": "tests"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    h.call("CreateUserPoolClient", body).await.ok()["UserPoolClient"].clone()
}

#[tokio::test]
async fn admin_initiate_auth_signs_in_with_the_admin_password_flow() {
    let h = Harness::new().await;
    for flow in ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"] {
        let done = admin_auth(
            &h,
            DEMO_CLIENT_ID,
            flow,
            json!({"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}),
        )
        .await
        .ok();
        let access = h.tokens(&done);
        assert_eq!(access["username"], "alice");
        assert_eq!(access["client_id"], DEMO_CLIENT_ID);
    }
    admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "ADMIN_USER_PASSWORD_AUTH",
        json!({"USERNAME": "alice", "PASSWORD": "Wrong-passw0rd"}),
    )
    .await
    .err_is("NotAuthorizedException", "Incorrect username or password.");
    // USER_PASSWORD_AUTH is InitiateAuth's flow, not the admin one.
    admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "USER_PASSWORD_AUTH",
        json!({"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Initiate Auth method not supported.",
    );
    // A client without ALLOW_ADMIN_USER_PASSWORD_AUTH.
    let c = new_client(
        &h,
        DEMO_POOL_ID,
        json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    admin_auth(
        &h,
        c["ClientId"].as_str().unwrap(),
        "ADMIN_USER_PASSWORD_AUTH",
        json!({"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    );
    // The client must belong to the pool named.
    let other = new_pool(&h, "other").await;
    h.call(
        "AdminInitiateAuth",
        json!({"UserPoolId": other, "ClientId": DEMO_CLIENT_ID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}}),
    )
    .await
    .err_is(
        "ResourceNotFoundException",
        &format!("User pool client {DEMO_CLIENT_ID} does not exist."),
    );
    h.call(
        "AdminInitiateAuth",
        json!({"ClientId": DEMO_CLIENT_ID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH"}),
    )
    .await
    .err();
}

#[tokio::test]
async fn admin_auth_operations_need_a_sigv4_signature() {
    let h = Harness::new().await;
    for op in ["AdminInitiateAuth", "AdminRespondToAuthChallenge"] {
        let r = h
            .http
            .post(format!("{}/", h.base()))
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{op}"),
            )
            .body(
                json!({"UserPoolId": DEMO_POOL_ID, "ClientId": DEMO_CLIENT_ID,
                       "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}})
                .to_string(),
            )
            .send()
            .await
            .unwrap();
        Resp::read_json(r).await.err_is(
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
        );
    }
}

#[tokio::test]
async fn admin_flows_run_srp_refresh_custom_user_auth_and_every_challenge() {
    let h = Harness::new().await;
    // USER_SRP_AUTH, answered with AdminRespondToAuthChallenge.
    let eph = ClientEphemeral::generate();
    let ch = admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "USER_SRP_AUTH",
        json!({"USERNAME": "alice", "SRP_A": eph.a_hex()}),
    )
    .await
    .ok();
    let answer = verifier_answer(DEMO_CLIENT_ID, &eph, &ch, DEMO_PASSWORD, &h.timestamp());
    let done = admin_respond(&h, answer).await.ok();
    h.tokens(&done);
    // REFRESH_TOKEN_AUTH.
    let refresh = done["AuthenticationResult"]["RefreshToken"].clone();
    let again = admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "REFRESH_TOKEN_AUTH",
        json!({"REFRESH_TOKEN": refresh}),
    )
    .await
    .ok();
    assert!(again["AuthenticationResult"]["AccessToken"].is_string());
    // NEW_PASSWORD_REQUIRED after the admin password flow.
    let ch = admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "ADMIN_USER_PASSWORD_AUTH",
        json!({"USERNAME": DEMO_NEW_PASSWORD_USER, "PASSWORD": DEMO_TEMP_PASSWORD}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{ch}");
    let wrong_pool = h
        .call(
            "AdminRespondToAuthChallenge",
            json!({"UserPoolId": "us-east-1_nothere00", "ClientId": DEMO_CLIENT_ID,
                   "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": ch["Session"],
                   "ChallengeResponses": {"USERNAME": DEMO_NEW_PASSWORD_USER, "NEW_PASSWORD": "N3w-passw0rd!"}}),
        )
        .await;
    wrong_pool.err_is(
        "ResourceNotFoundException",
        "User pool us-east-1_nothere00 does not exist.",
    );
    let done = admin_respond(
        &h,
        json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "NEW_PASSWORD_REQUIRED",
               "Session": ch["Session"],
               "ChallengeResponses": {"USERNAME": DEMO_NEW_PASSWORD_USER, "NEW_PASSWORD": "N3w-passw0rd!"}}),
    )
    .await
    .ok();
    assert_eq!(h.tokens(&done)["username"], DEMO_NEW_PASSWORD_USER);
    // CUSTOM_AUTH with the demo pool's built-in challenge.
    let ch = admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "CUSTOM_AUTH",
        json!({"USERNAME": "bob"}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    let code = h.latest_code("bob", "CUSTOM_CHALLENGE").await;
    let done = admin_respond(
        &h,
        json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "CUSTOM_CHALLENGE",
               "Session": ch["Session"], "ChallengeResponses": {"USERNAME": "bob", "ANSWER": code}}),
    )
    .await
    .ok();
    assert_eq!(h.tokens(&done)["username"], "bob");
    // An MFA challenge (EMAIL_OTP, the code in the outbox).
    let ch = admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "ADMIN_USER_PASSWORD_AUTH",
        json!({"USERNAME": DEMO_EMAIL_MFA_USER, "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .ok();
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP", "{ch}");
    let code = h.latest_code(DEMO_EMAIL_MFA_USER, "MFA").await;
    let done = admin_respond(
        &h,
        json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "EMAIL_OTP", "Session": ch["Session"],
               "ChallengeResponses": {"USERNAME": DEMO_EMAIL_MFA_USER, "EMAIL_OTP_CODE": code}}),
    )
    .await
    .ok();
    assert_eq!(h.tokens(&done)["username"], DEMO_EMAIL_MFA_USER);
    // USER_AUTH with a preferred first factor.
    let done = admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "USER_AUTH",
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .ok();
    assert_eq!(h.tokens(&done)["username"], "alice");
}

#[tokio::test]
async fn custom_auth_without_triggers_is_cognitos_error_unless_the_pool_opts_in() {
    let h = Harness::new().await;
    let pool = new_pool(&h, "plain").await;
    let c = new_client(
        &h,
        &pool,
        json!({"ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]}),
    )
    .await;
    let client = c["ClientId"].as_str().unwrap();
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "carol", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "carol@example.com"},
                                  {"Name": "email_verified", "Value": "True"}]}),
    )
    .await
    .ok();
    let start = || {
        h.call(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": "carol"}}),
        )
    };
    start().await.err_is(
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool.",
    );
    // Opting in: the custom-auth triggers set to the built-in one-time code.
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": pool, "LambdaConfig": {"DefineAuthChallenge": "builtin:one-time-code",
               "CreateAuthChallenge": "builtin:one-time-code",
               "VerifyAuthChallengeResponse": "builtin:one-time-code"}}),
    )
    .await
    .ok();
    let ch = start().await.ok();
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE", "{ch}");
    let code = h.latest_code("carol", "CUSTOM_CHALLENGE").await;
    let done = h
        .respond(
            client,
            "CUSTOM_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "carol", "ANSWER": code}),
        )
        .await
        .ok();
    assert_eq!(h.tokens(&done)["username"], "carol");
}

#[tokio::test]
async fn deleting_clients_and_pools_and_deletion_protection() {
    let h = Harness::new().await;
    let pool = new_pool(&h, "to-delete").await;
    let c = new_client(&h, &pool, json!({})).await;
    let client = c["ClientId"].as_str().unwrap().to_string();
    h.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await
    .ok();
    let gone = format!("User pool client {client} does not exist.");
    h.call(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await
    .err_is("ResourceNotFoundException", &gone);
    h.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await
    .err_is("ResourceNotFoundException", &gone);
    // A client of another pool is not this pool's.
    h.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": DEMO_CLIENT_ID}),
    )
    .await
    .err_is(
        "ResourceNotFoundException",
        &format!("User pool client {DEMO_CLIENT_ID} does not exist."),
    );
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "dan", "MessageAction": "SUPPRESS"}),
    )
    .await
    .ok();
    h.call("DeleteUserPool", json!({"UserPoolId": pool}))
        .await
        .ok();
    let missing = format!("User pool {pool} does not exist.");
    h.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await
        .err_is("ResourceNotFoundException", &missing);
    h.call(
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "dan"}),
    )
    .await
    .err_is("ResourceNotFoundException", &missing);
    h.call("DeleteUserPool", json!({"UserPoolId": pool}))
        .await
        .err_is("ResourceNotFoundException", &missing);
    let pools = h
        .call("ListUserPools", json!({"MaxResults": 60}))
        .await
        .ok();
    assert!(!pools.to_string().contains(&pool), "{pools}");

    let kept = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "protected", "DeletionProtection": "ACTIVE"}),
        )
        .await
        .ok()["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let (kind, message) = h
        .call("DeleteUserPool", json!({"UserPoolId": kept}))
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(message.contains("deletion protection"), "{message}");
    h.call("DescribeUserPool", json!({"UserPoolId": kept}))
        .await
        .ok();

    // After a restart the deleted pool is still gone and the protected one still there.
    let Harness {
        pool: server, dir, ..
    } = h;
    let db = dir.path().join(support::pool::DB_FILE);
    server.shutdown().await;
    let h = Harness::on_store(dir, &db).await;
    h.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await
        .err_is("ResourceNotFoundException", &missing);
    h.call("DescribeUserPool", json!({"UserPoolId": kept}))
        .await
        .ok();
}

#[tokio::test]
async fn update_user_pool_client_keeps_oauth_fields_validity_and_revocation_across_a_restart() {
    let h = Harness::new().await;
    let c = new_client(
        &h,
        DEMO_POOL_ID,
        json!({"ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let client = c["ClientId"].as_str().unwrap().to_string();
    let updated = h
        .call(
            "UpdateUserPoolClient",
            json!({"UserPoolId": DEMO_POOL_ID, "ClientId": client, "ClientName": "renamed",
                   "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                   "CallbackURLs": ["https://app.example.com/cb", "http://localhost:3000/cb"],
                   "LogoutURLs": ["https://app.example.com/bye"],
                   "DefaultRedirectURI": "https://app.example.com/cb",
                   "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
                   "AllowedOAuthFlowsUserPoolClient": true,
                   "SupportedIdentityProviders": ["COGNITO"],
                   "AccessTokenValidity": 10, "IdTokenValidity": 2, "RefreshTokenValidity": 120,
                   "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "minutes"},
                   "EnableTokenRevocation": false}),
        )
        .await
        .ok();
    let u = &updated["UserPoolClient"];
    assert_eq!(u["ClientName"], "renamed");
    assert_eq!(u["AccessTokenValidity"], 10);
    assert_eq!(u["TokenValidityUnits"]["AccessToken"], "minutes");
    // Bad settings are Cognito's errors, and change nothing.
    for (bad, why) in [
        (
            json!({"AllowedOAuthFlows": ["password"]}),
            "allowedOAuthFlows",
        ),
        (
            json!({"CallbackURLs": ["http://app.example.com/cb"]}),
            "HTTPS",
        ),
        (
            json!({"CallbackURLs": ["https://a.example.com"], "DefaultRedirectURI": "https://b.example.com"}),
            "DefaultRedirectURI",
        ),
        (
            json!({"AllowedOAuthFlowsUserPoolClient": true}),
            "AllowedOAuthFlows",
        ),
        (
            json!({"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}}),
            "AccessTokenValidity",
        ),
    ] {
        let mut body = json!({"UserPoolId": DEMO_POOL_ID, "ClientId": client});
        for (k, v) in bad.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (kind, message) = h.call("UpdateUserPoolClient", body).await.err();
        assert_eq!(kind, "InvalidParameterException", "{bad}");
        assert!(message.contains(why), "{bad}: {message}");
    }
    h.call(
        "UpdateUserPoolClient",
        json!({"UserPoolId": DEMO_POOL_ID, "ClientId": "nosuchclient000000000000000"}),
    )
    .await
    .err_is(
        "ResourceNotFoundException",
        "User pool client nosuchclient000000000000000 does not exist.",
    );

    // Restart on the same store: everything was kept.
    let Harness { pool, dir, .. } = h;
    let db = dir.path().join(support::pool::DB_FILE);
    pool.shutdown().await;
    let h = Harness::on_store(dir, &db).await;
    let d = h
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": DEMO_POOL_ID, "ClientId": client}),
        )
        .await
        .ok();
    let d = &d["UserPoolClient"];
    assert_eq!(d["ClientName"], "renamed");
    assert_eq!(
        d["CallbackURLs"],
        json!(["https://app.example.com/cb", "http://localhost:3000/cb"])
    );
    assert_eq!(d["LogoutURLs"], json!(["https://app.example.com/bye"]));
    assert_eq!(d["DefaultRedirectURI"], "https://app.example.com/cb");
    assert_eq!(d["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(d["AllowedOAuthScopes"], json!(["openid", "email"]));
    assert_eq!(d["AllowedOAuthFlowsUserPoolClient"], true);
    assert_eq!(d["SupportedIdentityProviders"], json!(["COGNITO"]));
    assert_eq!(d["EnableTokenRevocation"], false);
    assert_eq!(
        (
            d["AccessTokenValidity"].clone(),
            d["IdTokenValidity"].clone()
        ),
        (json!(10), json!(2))
    );
    // Described in the units they were given in (120 minutes stays 120 minutes).
    assert_eq!(d["RefreshTokenValidity"], 120);
    assert_eq!(
        d["TokenValidityUnits"],
        json!({"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "minutes"})
    );

    // The validity settings drive the tokens' exp.
    let done = admin_auth(
        &h,
        &client,
        "ADMIN_USER_PASSWORD_AUTH",
        json!({"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .ok();
    let r = &done["AuthenticationResult"];
    assert_eq!(r["ExpiresIn"], 600);
    let access = claims(r["AccessToken"].as_str().unwrap());
    let id = claims(r["IdToken"].as_str().unwrap());
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        600
    );
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        7200
    );
    // The refresh token lasts 120 minutes.
    let refresh = r["RefreshToken"].clone();
    h.advance(119 * 60);
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
               "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    )
    .await
    .ok();
    h.advance(2 * 60);
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
               "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    )
    .await
    .err();
    // EnableTokenRevocation false: RevokeToken is refused.
    h.call("RevokeToken", json!({"Token": refresh, "ClientId": client}))
        .await
        .err_is(
            "UnsupportedOperationException",
            "Token revocation is not enabled for this app client.",
        );
}

/// A raw signed call with a signer for `region`.
async fn call_in_region(h: &Harness, region: &str, op: &str, body: &Value) -> Resp {
    let signer = SigV4Signer::with_credentials(
        region,
        support::http::TEST_ACCESS_KEY_ID,
        &Secret::new(support::http::TEST_SECRET_ACCESS_KEY),
    );
    let url = format!("{}/", h.base());
    let body = body.to_string().into_bytes();
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    headers.insert(
        "x-amz-target",
        HeaderValue::from_str(&format!("AWSCognitoIdentityProviderService.{op}")).unwrap(),
    );
    signer.sign_now(&url, &body, &mut headers).unwrap();
    let r = h
        .http
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    Resp::read_json(r).await
}

#[tokio::test]
async fn pools_take_the_region_the_caller_signed_for() {
    let h = Harness::new().await;
    let made = call_in_region(
        &h,
        "eu-west-1",
        "CreateUserPool",
        &json!({"PoolName": "eu"}),
    )
    .await
    .ok();
    let id = made["UserPool"]["Id"].as_str().unwrap().to_string();
    assert!(id.starts_with("eu-west-1_"), "{id}");
    assert_eq!(
        made["UserPool"]["Arn"],
        format!("arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{id}")
    );
    // Described from anywhere, the pool keeps its own region; the demo pool stays in us-east-1.
    let d = h
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await
        .ok();
    assert_eq!(d["UserPool"]["Arn"], made["UserPool"]["Arn"]);
    let demo = call_in_region(
        &h,
        "ap-southeast-2",
        "DescribeUserPool",
        &json!({"UserPoolId": DEMO_POOL_ID}),
    )
    .await
    .ok();
    assert_eq!(
        demo["UserPool"]["Arn"],
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{DEMO_POOL_ID}")
    );
    let default = new_pool(&h, "default").await;
    assert!(default.starts_with("us-east-1_"), "{default}");
}

#[tokio::test]
async fn verified_flags_take_any_case_and_are_kept_lowercase() {
    let h = Harness::new().await;
    h.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob",
               "UserAttributes": [{"Name": "email", "Value": "bob.new@example.com"},
                                  {"Name": "email_verified", "Value": "True"}]}),
    )
    .await
    .ok();
    let u = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}),
        )
        .await
        .ok();
    let verified = u["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "email_verified")
        .unwrap()["Value"]
        .clone();
    assert_eq!(verified, "true");
    h.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob",
               "UserAttributes": [{"Name": "email_verified", "Value": "FALSE"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob",
               "UserAttributes": [{"Name": "email_verified", "Value": "yes"}]}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Invalid value for email_verified: must be true or false",
    );
}

#[tokio::test]
async fn reset_returns_the_store_to_its_seeded_state() {
    let h = Harness::new().await;
    let pool = new_pool(&h, "scratch").await;
    h.call(
        "AdminDeleteUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}),
    )
    .await
    .ok();
    let before = h
        .call(
            "AdminInitiateAuth",
            json!({"UserPoolId": DEMO_POOL_ID, "ClientId": DEMO_CLIENT_ID,
                   "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}}),
        )
        .await
        .ok();
    let old_access = before["AuthenticationResult"]["AccessToken"].clone();
    // A browser page cannot reset the pool.
    let r = h
        .http
        .post(format!("{}/_local/reset", h.base()))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    h.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await
        .ok();

    let r = h
        .http
        .post(format!("{}/_local/reset", h.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    h.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await
        .err_is(
            "ResourceNotFoundException",
            &format!("User pool {pool} does not exist."),
        );
    // The demo users are back (bob too), and signing in works.
    for user in ["alice", "bob"] {
        let done = admin_auth(
            &h,
            DEMO_CLIENT_ID,
            "ADMIN_USER_PASSWORD_AUTH",
            json!({"USERNAME": user, "PASSWORD": DEMO_PASSWORD}),
        )
        .await
        .ok();
        h.tokens(&done);
    }
    // Tokens from before the reset no longer work: new keys, no sessions.
    h.call("GetUser", json!({"AccessToken": old_access}))
        .await
        .err();
    let pools = h
        .call("ListUserPools", json!({"MaxResults": 60}))
        .await
        .ok();
    assert_eq!(pools["UserPools"].as_array().unwrap().len(), 1, "{pools}");
}

fn attribute(user: &Value, name: &str) -> Option<String> {
    user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .map(|a| a["Value"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn update_user_attributes_sends_a_code_for_a_new_email_and_verify_user_attribute_takes_it() {
    let h = Harness::new().await;
    let done = admin_auth(
        &h,
        DEMO_CLIENT_ID,
        "ADMIN_USER_PASSWORD_AUTH",
        json!({"USERNAME": "alice", "PASSWORD": DEMO_PASSWORD}),
    )
    .await
    .ok();
    let access = done["AuthenticationResult"]["AccessToken"].clone();
    // A name only: nothing to verify.
    let r = h
        .call(
            "UpdateUserAttributes",
            json!({"AccessToken": access, "UserAttributes": [{"Name": "name", "Value": "Alice A."}]}),
        )
        .await
        .ok();
    assert_eq!(r["CodeDeliveryDetailsList"], json!([]));
    // A new email on a pool that auto-verifies email: unverified, and a code is sent to it.
    let r = h
        .call(
            "UpdateUserAttributes",
            json!({"AccessToken": access,
                   "UserAttributes": [{"Name": "email", "Value": "alice.new@example.com"}]}),
        )
        .await
        .ok();
    let list = r["CodeDeliveryDetailsList"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{r}");
    assert_eq!(list[0]["DeliveryMedium"], "EMAIL");
    assert_eq!(list[0]["AttributeName"], "email");
    assert!(
        !list[0]["Destination"]
            .as_str()
            .unwrap()
            .contains("alice.new"),
        "the destination is masked: {r}"
    );
    let sent = h.outbox("alice", "VERIFY_EMAIL").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["destination"], "alice.new@example.com");
    let code = sent[0]["code"].as_str().unwrap().to_string();
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("alice.new@example.com")
    );
    assert_eq!(attribute(&user, "email_verified").as_deref(), Some("false"));
    assert_eq!(attribute(&user, "name").as_deref(), Some("Alice A."));

    // The user cannot verify by saying so, and bad input is Cognito's error.
    h.call(
        "UpdateUserAttributes",
        json!({"AccessToken": access,
               "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
    )
    .await
    .err_is(
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    );
    h.call(
        "UpdateUserAttributes",
        json!({"AccessToken": access, "UserAttributes": [{"Name": "email", "Value": "nope"}]}),
    )
    .await
    .err_is("InvalidParameterException", "Invalid email address format.");
    h.call(
        "UpdateUserAttributes",
        json!({"AccessToken": "not-a-token", "UserAttributes": [{"Name": "name", "Value": "x"}]}),
    )
    .await
    .err_is("NotAuthorizedException", "Invalid Access Token");

    // The code survives a restart, and verifies the new email once.
    let Harness { pool, dir, .. } = h;
    let db = dir.path().join(support::pool::DB_FILE);
    pool.shutdown().await;
    let h = Harness::on_store(dir, &db).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify = |c: &str| {
        h.call(
            "VerifyUserAttribute",
            json!({"AccessToken": access, "AttributeName": "email", "Code": c}),
        )
    };
    verify(wrong).await.err_is(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    verify(&code).await.ok();
    verify(&code).await.err_is(
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    let user = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(attribute(&user, "email_verified").as_deref(), Some("true"));
    // A fresh code on request.
    let again = h
        .call(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": access, "AttributeName": "email"}),
        )
        .await
        .ok();
    assert_eq!(again["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(h.outbox("alice", "VERIFY_EMAIL").await.len(), 2);
}
