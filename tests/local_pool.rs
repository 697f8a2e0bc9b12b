//! The embedded user pool over HTTP, as a Cognito client sees it: sign-up, SRP sign-in,
//! tokens, sign-out, lockout, sessions, persistence, ListUsers and the error format.

mod support;

use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID, DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET,
};
use cognito_tui::srp::{self, ClientEphemeral};
use serde_json::{Value, json};

use support::{Case, Harness, Resp, claims, start_pool, verifier_answer};

/// Test-specific helpers on the shared harness.
impl Harness {
    /// The newest outbox code of `username`, whatever it was sent for.
    async fn newest_code(&self, username: &str) -> String {
        let entries: Value = self
            .http
            .get(format!("{}/_local/outbox", self.base()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        entries
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["username"] == username)
            .unwrap_or_else(|| panic!("no outbox entry for {username}: {entries}"))["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn srp(&self, client_id: &str, username: &str, password: &str) -> Resp {
        let offset = self.offset();
        srp_sign_in_at(
            &self.http,
            self.base(),
            client_id,
            username,
            password,
            true,
            offset,
        )
        .await
    }
}

async fn call(http: &reqwest::Client, base: &str, op: &str, body: Value) -> Resp {
    support::http::call(http, base, op, &body).await
}

/// USER_SRP_AUTH then PASSWORD_VERIFIER, exactly as Amplify does it.
async fn srp_sign_in(
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    username: &str,
    password: &str,
    send_session: bool,
) -> Resp {
    srp_sign_in_at(http, base, client_id, username, password, send_session, 0).await
}

/// The same with the client's clock `offset` seconds ahead.
async fn srp_sign_in_at(
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    username: &str,
    password: &str,
    send_session: bool,
    offset: i64,
) -> Resp {
    let eph = ClientEphemeral::generate();
    let init = call(
        http,
        base,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": username, "SRP_A": eph.a_hex()}}),
    )
    .await;
    if init.status != 200 {
        return init;
    }
    let timestamp =
        srp::format_timestamp(time::OffsetDateTime::now_utc() + time::Duration::seconds(offset));
    let mut body = verifier_answer(client_id, &eph, &init.body, password, &timestamp);
    if !send_session {
        body.as_object_mut().unwrap().remove("Session");
    }
    call(http, base, "RespondToAuthChallenge", body).await
}

#[tokio::test]
async fn sign_up_confirm_srp_sign_in_refresh_and_global_sign_out() {
    let h = Harness::new().await;
    let up = h
        .call(
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "zoe", "Password": "Sup3r-secret!",
                   "UserAttributes": [{"Name": "email", "Value": "zoe@example.org"}],
                   "SomeFieldCognitoAddsLater": 1}),
        )
        .await
        .ok();
    assert_eq!(up["UserConfirmed"], false);
    assert_eq!(up["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(up["CodeDeliveryDetails"]["AttributeName"], "email");
    assert_eq!(up["CodeDeliveryDetails"]["Destination"], "z***@e***");
    let sub = up["UserSub"].as_str().unwrap().to_string();

    // Not confirmed yet: a right password says so, and only a right one.
    let (t, m) = h.srp(DEMO_CLIENT_ID, "zoe", "Wr0ng-secret!").await.err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (t, _) = h.srp(DEMO_CLIENT_ID, "zoe", "Sup3r-secret!").await.err();
    assert_eq!(t, "UserNotConfirmedException");

    let outbox = h.pool.outbox().await.unwrap();
    let entry = outbox.iter().rev().find(|e| e.username == "zoe").unwrap();
    assert_eq!(entry.purpose, "SIGN_UP");
    assert_eq!(entry.medium, "EMAIL");
    assert_eq!(entry.destination, "zoe@example.org");
    assert_eq!(entry.pool_id, DEMO_POOL_ID);
    let code = h.newest_code("zoe").await;
    assert_eq!(code, entry.code);
    // The outbox over HTTP: a JSON array of objects with exactly the documented keys.
    let raw: Value = h
        .http
        .get(format!("{}/_local/outbox", h.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = raw.as_array().unwrap().last().unwrap().as_object().unwrap();
    let mut keys: Vec<&str> = last.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "code",
            "destination",
            "medium",
            "message",
            "pool_id",
            "purpose",
            "sent_at",
            "subject",
            "username"
        ]
    );
    assert_eq!(
        last["message"],
        format!(
            "Your verification code is {}. ",
            last["code"].as_str().unwrap()
        )
    );
    assert_eq!(last["subject"], "Your verification code");
    let sent_at = last["sent_at"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(sent_at, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{sent_at}"
    );
    assert!(sent_at.ends_with('Z'));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (t, _) = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "zoe", "ConfirmationCode": wrong}),
        )
        .await
        .err();
    assert_eq!(t, "CodeMismatchException");
    let confirmed = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "zoe", "ConfirmationCode": code}),
        )
        .await
        .ok();
    // Only the auto sign-in Session comes back.
    assert_eq!(confirmed.as_object().unwrap().len(), 1, "{confirmed}");
    assert!(confirmed["Session"].is_string());
    let (t, m) = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "zoe", "ConfirmationCode": code}),
        )
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(m, "User cannot be confirmed. Current status is CONFIRMED");

    let signed_in = h.srp(DEMO_CLIENT_ID, "zoe", "Sup3r-secret!").await.ok();
    let auth = &signed_in["AuthenticationResult"];
    assert_eq!(auth["TokenType"], "Bearer");
    assert_eq!(auth["ExpiresIn"], 3600);
    let access = auth["AccessToken"].as_str().unwrap().to_string();
    let id = auth["IdToken"].as_str().unwrap();
    let refresh = auth["RefreshToken"].as_str().unwrap().to_string();
    assert!(
        refresh
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.".contains(&b))
    );
    let idc = claims(id);
    assert_eq!(idc["cognito:username"], "zoe");
    assert_eq!(idc["sub"], sub.as_str());
    assert_eq!(idc["email"], "zoe@example.org");
    assert_eq!(idc["email_verified"], true);
    assert_eq!(idc["token_use"], "id");
    assert_eq!(idc["aud"], DEMO_CLIENT_ID);
    assert_eq!(idc["iss"], format!("{}/{}", h.base(), DEMO_POOL_ID));
    let ac = claims(&access);
    assert_eq!(ac["token_use"], "access");
    assert_eq!(ac["username"], "zoe");
    assert_eq!(ac["client_id"], DEMO_CLIENT_ID);
    assert_eq!(ac["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(ac["origin_jti"], idc["origin_jti"]);
    assert!(ac["jti"].is_string() && ac["event_id"].is_string() && ac["auth_time"].is_i64());

    let me = h.call("GetUser", json!({"AccessToken": access})).await.ok();
    assert_eq!(me["Username"], "zoe");
    let attrs = me["UserAttributes"].as_array().unwrap();
    assert!(attrs.contains(&json!({"Name": "sub", "Value": sub})));
    assert!(attrs.contains(&json!({"Name": "email_verified", "Value": "true"})));

    // Both refresh paths; the refreshed token keeps origin_jti and auth_time.
    let r1 = h
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": DEMO_CLIENT_ID, "RefreshToken": refresh}),
        )
        .await
        .ok();
    let a1 = r1["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(claims(&a1)["origin_jti"], ac["origin_jti"]);
    assert_eq!(claims(&a1)["auth_time"], ac["auth_time"]);
    let r2 = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DEMO_CLIENT_ID,
                                      "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        )
        .await
        .ok();
    assert!(r2["AuthenticationResult"]["IdToken"].is_string());
    h.call("GetUser", json!({"AccessToken": a1})).await.ok();

    assert_eq!(
        h.call("GlobalSignOut", json!({"AccessToken": access}))
            .await
            .ok(),
        json!({})
    );
    for token in [&access, &a1] {
        let (t, m) = h.call("GetUser", json!({"AccessToken": token})).await.err();
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("NotAuthorizedException", "Access Token has been revoked")
        );
    }
    let (t, m) = h
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": DEMO_CLIENT_ID, "RefreshToken": refresh}),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Refresh Token has been revoked")
    );

    // The pool clock moves on: a code from SignUp expires after 24 h.
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "yan", "Password": "Sup3r-secret!",
                            "UserAttributes": [{"Name": "email", "Value": "yan@example.org"}]}),
    )
    .await
    .ok();
    let code = h.newest_code("yan").await;
    h.pool.advance_clock(24 * 3600 + 1);
    let (t, _) = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "yan", "ConfirmationCode": code}),
        )
        .await
        .err();
    assert_eq!(t, "ExpiredCodeException");
    let resent = h
        .call(
            "ResendConfirmationCode",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "yan"}),
        )
        .await
        .ok();
    assert_eq!(resent["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code2 = h.newest_code("yan").await;
    h.call(
        "ConfirmSignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "yan", "ConfirmationCode": code2}),
    )
    .await
    .ok();
    h.pool.shutdown().await;
}

#[tokio::test]
async fn wrong_passwords_then_lockout() {
    let h = Harness::new().await;
    for attempt in 1..=5 {
        let (t, m) = h.srp(DEMO_CLIENT_ID, "bob", "N0t-the-password").await.err();
        assert_eq!(t, "NotAuthorizedException", "attempt {attempt}");
        assert_eq!(m, "Incorrect username or password.", "attempt {attempt}");
    }
    let (t, m) = h.srp(DEMO_CLIENT_ID, "bob", "N0t-the-password").await.err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
    // While locked, even the right password is refused...
    let (_, m) = h.srp(DEMO_CLIENT_ID, "bob", DEMO_PASSWORD).await.err();
    assert_eq!(m, "Password attempts exceeded");
    // ...and USER_PASSWORD_AUTH shares the counter.
    let (_, m) = h
        .call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
                                      "AuthParameters": {"USERNAME": "bob", "PASSWORD": DEMO_PASSWORD}}))
        .await
        .err();
    assert_eq!(m, "Password attempts exceeded");
    // After the lockout (15 min without attempts resets the counter) the right password works.
    h.advance(16 * 60);
    h.srp(DEMO_CLIENT_ID, "bob", DEMO_PASSWORD).await.ok();
    // And a success resets the count: five more wrong ones are "Incorrect" again.
    let (_, m) = h.srp(DEMO_CLIENT_ID, "bob", "N0t-the-password").await.err();
    assert_eq!(m, "Incorrect username or password.");
    // Another user is unaffected, and an unknown user is LEGACY's UserNotFoundException.
    h.srp(DEMO_CLIENT_ID, "alice", DEMO_PASSWORD).await.ok();
    let (t, m) = h.srp(DEMO_CLIENT_ID, "nobody", DEMO_PASSWORD).await.err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
}

#[tokio::test]
async fn sessions_are_single_use_and_expire_and_srp_works_without_one() {
    let h = Harness::new().await;
    let http = &h.http;
    // pycognito style: no Session at all.
    srp_sign_in(
        http,
        h.base(),
        DEMO_CLIENT_ID,
        "alice",
        DEMO_PASSWORD,
        false,
    )
    .await
    .ok();

    // Build one challenge by hand so it can be replayed.
    let eph = ClientEphemeral::generate();
    let init = h
        .call("InitiateAuth", json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
                                      "AuthParameters": {"USERNAME": "alice", "SRP_A": eph.a_hex()}}))
        .await
        .ok();
    let p = &init["ChallengeParameters"];
    assert_eq!(p["USER_ID_FOR_SRP"], "alice");
    assert!(!p["SECRET_BLOCK"].as_str().unwrap().is_empty());
    let respond = |ts: String| {
        let claim = eph
            .password_claim(
                srp::pool_name(DEMO_POOL_ID),
                "alice",
                DEMO_PASSWORD,
                p["SALT"].as_str().unwrap(),
                p["SRP_B"].as_str().unwrap(),
                p["SECRET_BLOCK"].as_str().unwrap(),
                &ts,
            )
            .unwrap();
        json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "PASSWORD_VERIFIER", "Session": init["Session"],
               "ChallengeResponses": {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                                      "PASSWORD_CLAIM_SIGNATURE": claim.signature, "TIMESTAMP": claim.timestamp}})
    };
    // A TIMESTAMP more than 5 minutes off is refused (and spends the challenge).
    let skewed = respond(srp::format_timestamp(
        time::OffsetDateTime::now_utc() - time::Duration::minutes(10),
    ));
    let (t, m) = h.call("RespondToAuthChallenge", skewed).await.err();
    assert_eq!(t, "NotAuthorizedException");
    assert!(m.contains("TIMESTAMP"), "{m}");
    let (_, m) = h
        .call("RespondToAuthChallenge", respond(srp::timestamp_now()))
        .await
        .err();
    assert_eq!(
        m,
        "Invalid session for the user, session can only be used once."
    );

    let eph = ClientEphemeral::generate();
    let init = h
        .call("InitiateAuth", json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
                                      "AuthParameters": {"USERNAME": "alice", "SRP_A": eph.a_hex()}}))
        .await
        .ok();
    let p = &init["ChallengeParameters"];
    let respond = |ts: String| {
        let claim = eph
            .password_claim(
                srp::pool_name(DEMO_POOL_ID),
                "alice",
                DEMO_PASSWORD,
                p["SALT"].as_str().unwrap(),
                p["SRP_B"].as_str().unwrap(),
                p["SECRET_BLOCK"].as_str().unwrap(),
                &ts,
            )
            .unwrap();
        json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "PASSWORD_VERIFIER", "Session": init["Session"],
               "ChallengeResponses": {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                                      "PASSWORD_CLAIM_SIGNATURE": claim.signature, "TIMESTAMP": claim.timestamp}})
    };
    let body = respond(srp::timestamp_now());
    h.call("RespondToAuthChallenge", body.clone()).await.ok();
    let (t, m) = h.call("RespondToAuthChallenge", body.clone()).await.err();
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(
        m,
        "Invalid session for the user, session can only be used once."
    );
    // Replaying the SECRET_BLOCK without the Session is refused the same way.
    let mut no_session = body.clone();
    no_session.as_object_mut().unwrap().remove("Session");
    let (_, m) = h.call("RespondToAuthChallenge", no_session).await.err();
    assert_eq!(
        m,
        "Invalid session for the user, session can only be used once."
    );

    // An expired session: the pool clock moves past 3 minutes.
    let eph2 = ClientEphemeral::generate();
    let init2 = h
        .call("InitiateAuth", json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
                                      "AuthParameters": {"USERNAME": "alice", "SRP_A": eph2.a_hex()}}))
        .await
        .ok();
    h.pool.advance_clock(181);
    let p2 = &init2["ChallengeParameters"];
    let claim = eph2
        .password_claim(
            srp::pool_name(DEMO_POOL_ID),
            "alice",
            DEMO_PASSWORD,
            p2["SALT"].as_str().unwrap(),
            p2["SRP_B"].as_str().unwrap(),
            p2["SECRET_BLOCK"].as_str().unwrap(),
            &srp::format_timestamp(time::OffsetDateTime::now_utc() + time::Duration::seconds(181)),
        )
        .unwrap();
    let (t, m) = h
        .call("RespondToAuthChallenge", json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "PASSWORD_VERIFIER",
            "Session": init2["Session"], "ChallengeResponses": {"USERNAME": "alice",
            "PASSWORD_CLAIM_SECRET_BLOCK": p2["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": claim.signature,
            "TIMESTAMP": claim.timestamp}}))
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );

    // Garbage sessions and secret blocks are errors, not crashes.
    let (t, _) = h
        .call("RespondToAuthChallenge", json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "PASSWORD_VERIFIER",
            "Session": "not a session", "ChallengeResponses": {"USERNAME": "alice",
            "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA", "PASSWORD_CLAIM_SIGNATURE": "AAAA", "TIMESTAMP": "x"}}))
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException");
    let (t, _) = h
        .call(
            "RespondToAuthChallenge",
            json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": "%%%",
            "PASSWORD_CLAIM_SIGNATURE": "AAAA", "TIMESTAMP": "x"}}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
}

#[tokio::test]
async fn users_and_refresh_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pool.sqlite3");
    let http = reqwest::Client::new();
    let pool = start_pool(&db).await;
    call(&http, pool.base_url(), "SignUp", json!({"ClientId": DEMO_CLIENT_ID, "Username": "pat",
        "Password": "Sup3r-secret!", "UserAttributes": [{"Name": "email", "Value": "pat@example.org"}]}))
        .await
        .ok();
    call(
        &http,
        pool.base_url(),
        "AdminConfirmSignUp",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "pat"}),
    )
    .await
    .ok();
    let signed = srp_sign_in(
        &http,
        pool.base_url(),
        DEMO_CLIENT_ID,
        "pat",
        "Sup3r-secret!",
        true,
    )
    .await
    .ok();
    let refresh = signed["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let old_jwks: Value = http
        .get(format!(
            "{}/{DEMO_POOL_ID}/.well-known/jwks.json",
            pool.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    pool.shutdown().await;

    let pool = start_pool(&db).await;
    let r = call(
        &http,
        pool.base_url(),
        "GetTokensFromRefreshToken",
        json!({"ClientId": DEMO_CLIENT_ID, "RefreshToken": refresh}),
    )
    .await
    .ok();
    let access = r["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    let me = call(
        &http,
        pool.base_url(),
        "GetUser",
        json!({"AccessToken": access}),
    )
    .await
    .ok();
    assert_eq!(me["Username"], "pat");
    srp_sign_in(
        &http,
        pool.base_url(),
        DEMO_CLIENT_ID,
        "pat",
        "Sup3r-secret!",
        true,
    )
    .await
    .ok();
    // The keys are the same pool keys as before the restart.
    let new_jwks: Value = http
        .get(format!(
            "{}/{DEMO_POOL_ID}/.well-known/jwks.json",
            pool.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(old_jwks, new_jwks);
    pool.shutdown().await;

    // The password is nowhere in the store (database, WAL or shared-memory file).
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for secret in ["Sup3r-secret!", DEMO_PASSWORD] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a password is stored in the SQLite files"
            );
        }
    }
}

#[tokio::test]
async fn tokens_verify_against_the_jwks() {
    let h = Harness::new().await;
    let signed = h.srp(DEMO_CLIENT_ID, "alice", DEMO_PASSWORD).await.ok();
    let jwks: Value = h
        .http
        .get(format!("{}/{DEMO_POOL_ID}/.well-known/jwks.json", h.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let issuer = format!("{}/{DEMO_POOL_ID}", h.base());
    let mut kids = vec![];
    for (name, aud) in [("IdToken", Some(DEMO_CLIENT_ID)), ("AccessToken", None)] {
        let token = signed["AuthenticationResult"][name].as_str().unwrap();
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        let kid = header.kid.unwrap();
        let jwk = keys
            .iter()
            .find(|k| k["kid"] == kid.as_str())
            .expect("kid in JWKS");
        assert_eq!(
            (
                jwk["kty"].as_str(),
                jwk["alg"].as_str(),
                jwk["use"].as_str()
            ),
            (Some("RSA"), Some("RS256"), Some("sig"))
        );
        let key = jsonwebtoken::DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap(),
            jwk["e"].as_str().unwrap(),
        )
        .unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_issuer(&[&issuer]);
        match aud {
            Some(a) => v.set_audience(&[a]),
            None => v.validate_aud = false,
        }
        let data = jsonwebtoken::decode::<Value>(token, &key, &v).expect("token verifies");
        assert_eq!(data.claims["iss"], issuer.as_str());
        kids.push(kid);
    }
    assert_ne!(kids[0], kids[1], "ID and access tokens use different keys");
    let r = h
        .http
        .get(format!("{}/us-east-1_nope/.well-known/jwks.json", h.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn list_users_pages_and_filters() {
    let h = Harness::new().await;
    let demo = h
        .call("ListUsers", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok()["Users"]
        .as_array()
        .unwrap()
        .len();
    for i in 0..7 {
        h.call("SignUp", json!({"ClientId": DEMO_CLIENT_ID, "Username": format!("user{i:02}"),
            "Password": "Sup3r-secret!", "UserAttributes": [{"Name": "email", "Value": format!("u{i}@Corp.example")}]}))
            .await
            .ok();
    }
    // The demo users + 7 new ones, in pages of 3.
    let total = demo + 7;
    let mut seen = vec![];
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({"UserPoolId": DEMO_POOL_ID, "Limit": 3});
        if let Some(t) = &token {
            body["PaginationToken"] = json!(t);
        }
        let page = h.call("ListUsers", body).await.ok();
        pages += 1;
        let users = page["Users"].as_array().unwrap();
        assert!(users.len() <= 3);
        for u in users {
            seen.push(u["Username"].as_str().unwrap().to_string());
            assert!(u["UserCreateDate"].is_number() && u["UserLastModifiedDate"].is_number());
            assert!(
                u["Enabled"].is_boolean()
                    && u["UserStatus"].is_string()
                    && u["Attributes"].is_array()
            );
        }
        match page["PaginationToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, total.div_ceil(3));
    assert_eq!(seen.len(), total);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), total, "no user twice across pages");

    let names = |v: Value| -> Vec<String> {
        v["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["Username"].as_str().unwrap().to_string())
            .collect()
    };
    let f = |filter: &str| json!({"UserPoolId": DEMO_POOL_ID, "Filter": filter});
    assert_eq!(
        names(h.call("ListUsers", f(r#"username = "alice""#)).await.ok()),
        vec!["alice"]
    );
    assert_eq!(
        names(h.call("ListUsers", f(r#"username ^= "user0""#)).await.ok()).len(),
        7
    );
    assert_eq!(
        names(h.call("ListUsers", f(r#"username = "ALICE""#)).await.ok()).len(),
        0
    );
    assert_eq!(
        names(h.call("ListUsers", f(r#"email ^= "U3@corp""#)).await.ok()),
        vec!["user03"]
    );
    assert_eq!(
        names(
            h.call("ListUsers", f(r#"cognito:user_status = "unconfirmed""#))
                .await
                .ok()
        )
        .len(),
        8
    );
    assert_eq!(
        names(h.call("ListUsers", f(r#"status = "Enabled""#)).await.ok()).len(),
        total
    );
    assert_eq!(names(h.call("ListUsers", f("")).await.ok()).len(), total);
    let only = h
        .call("ListUsers", json!({"UserPoolId": DEMO_POOL_ID, "Filter": "username = \"alice\"", "AttributesToGet": ["email"]}))
        .await
        .ok();
    assert_eq!(
        only["Users"][0]["Attributes"],
        json!([{"Name": "email", "Value": "alice@example.com"}])
    );

    let (t, _) = h.call("ListUsers", f(r#"custom:team = "x""#)).await.err();
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = h.call("ListUsers", f("email = unquoted")).await.err();
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = h
        .call(
            "ListUsers",
            json!({"UserPoolId": DEMO_POOL_ID, "Limit": 61}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = h
        .call(
            "ListUsers",
            json!({"UserPoolId": DEMO_POOL_ID, "PaginationToken": "garbage!"}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = h
        .call("ListUsers", json!({"UserPoolId": "us-east-1_missing"}))
        .await
        .err();
    assert_eq!(t, "ResourceNotFoundException");
}

#[tokio::test]
async fn errors_have_cognito_shape_and_bad_input_never_crashes() {
    let h = Harness::new().await;
    let r = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nope",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": "x"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["__type"], "ResourceNotFoundException");
    assert_eq!(r.error_type.as_deref(), Some("ResourceNotFoundException:"));
    assert!(uuid::Uuid::parse_str(r.request_id.as_deref().unwrap()).is_ok());

    let r = h.call("DeleteEverything", json!({})).await;
    assert_eq!(
        (r.status, r.body["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );

    for raw in ["{not json", "[1,2]", "\"str\"", "\u{0}\u{1}"] {
        let resp = h
            .http
            .post(format!("{}/", h.base()))
            .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
            .header("content-type", "application/x-amz-json-1.1")
            .body(raw.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{raw:?}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["__type"], "SerializationException");
    }
    // Wrong member types are serialization errors too; missing members are InvalidParameter.
    let srp_a = |name, a: &str| {
        Case::new(
            name,
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": "alice", "SRP_A": a}}),
        )
    };
    h.run_cases([
        Case::new("a number for ClientId", "SignUp", json!({"ClientId": 5}))
            .kind("SerializationException"),
        Case::new(
            "SignUp without Username",
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a malformed access token",
            "GetUser",
            json!({"AccessToken": "a.b.c"}),
        )
        .kind("NotAuthorizedException"),
        srp_a("SRP_A that is not hex", "xyz").kind("InvalidParameterException"),
        srp_a("SRP_A = N, 0 mod N", srp::N_HEX).kind("NotAuthorizedException"),
    ])
    .await;

    // Empty outputs are `{}`, and application/json is accepted too.
    let url = format!("{}/", h.base());
    let body = json!({"UserPoolId": DEMO_POOL_ID, "Username": "carol"}).to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-amz-target",
        "AWSCognitoIdentityProviderService.AdminConfirmSignUp"
            .parse()
            .unwrap(),
    );
    headers.insert("content-type", "application/json".parse().unwrap());
    support::sign_if_needed("AdminConfirmSignUp", &url, body.as_bytes(), &mut headers);
    let resp = h
        .http
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().await.unwrap(), "{}");

    // The password policy speaks Cognito.
    h.run_cases([
        Case::new(
            "a short password",
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "weak", "Password": "short"}),
        )
        .error(
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough",
        ),
        Case::new(
            "a username in use",
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "alice", "Password": "Sup3r-secret!"}),
        )
        .error("UsernameExistsException", "User already exists"),
    ])
    .await;

    // CORS preflight for Amplify in a browser.
    let resp = h
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/", h.base()))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "x-amz-target,x-amz-user-agent,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn password_flow_secret_hash_and_per_client_rules() {
    let h = Harness::new().await;
    let pw = |client: &str, user: &str, password: &str, extra: Option<(&str, String)>| {
        let mut params = json!({"USERNAME": user, "PASSWORD": password});
        if let Some((k, v)) = extra {
            params[k] = json!(v);
        }
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": params})
    };
    let ok = h
        .call(
            "InitiateAuth",
            pw(DEMO_CLIENT_ID, "alice", DEMO_PASSWORD, None),
        )
        .await
        .ok();
    assert!(ok["AuthenticationResult"]["RefreshToken"].is_string());
    let sign_in = |name, client, user, password, extra| {
        Case::new(name, "InitiateAuth", pw(client, user, password, extra))
    };
    h.run_cases([
        sign_in(
            "a wrong password",
            DEMO_CLIENT_ID,
            "alice",
            "Wr0ng-secret!",
            None,
        )
        .message("Incorrect username or password."),
        // UNCONFIRMED: only a right password reveals it.
        sign_in(
            "UNCONFIRMED, a wrong password",
            DEMO_CLIENT_ID,
            "carol",
            "Wr0ng-secret!",
            None,
        )
        .kind("NotAuthorizedException"),
        sign_in(
            "UNCONFIRMED, the right password",
            DEMO_CLIENT_ID,
            "carol",
            DEMO_PASSWORD,
            None,
        )
        .error("UserNotConfirmedException", "User is not confirmed."),
        // The client with a secret needs SECRET_HASH.
        sign_in(
            "no SECRET_HASH",
            DEMO_SECRET_CLIENT_ID,
            "alice",
            DEMO_PASSWORD,
            None,
        )
        .message_has("SECRET_HASH was not received"),
        sign_in(
            "a wrong SECRET_HASH",
            DEMO_SECRET_CLIENT_ID,
            "alice",
            DEMO_PASSWORD,
            Some(("SECRET_HASH", "bm9wZQ==".into())),
        )
        .message(format!(
            "Unable to verify secret hash for client {DEMO_SECRET_CLIENT_ID}"
        )),
    ])
    .await;
    let hash = srp::secret_hash("alice", DEMO_SECRET_CLIENT_ID, DEMO_SECRET_CLIENT_SECRET);
    let ok = h
        .call(
            "InitiateAuth",
            pw(
                DEMO_SECRET_CLIENT_ID,
                "alice",
                DEMO_PASSWORD,
                Some(("SECRET_HASH", hash)),
            ),
        )
        .await
        .ok();
    let refresh = ok["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let (t, _) = h
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": DEMO_SECRET_CLIENT_ID, "RefreshToken": refresh}),
        )
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException");
    h.call(
        "GetTokensFromRefreshToken",
        json!({"ClientId": DEMO_SECRET_CLIENT_ID, "RefreshToken": refresh,
        "ClientSecret": DEMO_SECRET_CLIENT_SECRET}),
    )
    .await
    .ok();
    // A refresh token belongs to its client.
    let (_, m) = h
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": DEMO_CLIENT_ID, "RefreshToken": refresh}),
        )
        .await
        .err();
    assert_eq!(m, "Invalid Refresh Token.");

    // A new client with only SRP allowed, and PreventUserExistenceErrors.
    let created = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": DEMO_POOL_ID, "ClientName": "srp-only",
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED"}),
        )
        .await
        .ok();
    let cid = created["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(created["UserPoolClient"].get("ClientSecret").is_none());
    let (t, m) = h
        .call("InitiateAuth", pw(&cid, "alice", DEMO_PASSWORD, None))
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client"
        )
    );
    h.srp(&cid, "alice", DEMO_PASSWORD).await.ok();
    // Unknown user: a simulated challenge, then the same answer as a wrong password.
    let eph = ClientEphemeral::generate();
    let a = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": cid,
        "AuthParameters": {"USERNAME": "ghost", "SRP_A": eph.a_hex()}}),
        )
        .await
        .ok();
    let b = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": cid,
        "AuthParameters": {"USERNAME": "ghost", "SRP_A": eph.a_hex()}}),
        )
        .await
        .ok();
    assert_eq!(
        a["ChallengeParameters"]["SALT"], b["ChallengeParameters"]["SALT"],
        "stable fake salt"
    );
    let (_, m) = h.srp(&cid, "ghost", DEMO_PASSWORD).await.err();
    assert_eq!(m, "Incorrect username or password.");

    // RevokeToken ends one refresh token and the access tokens issued from it, not others.
    let s1 = h.srp(DEMO_CLIENT_ID, "dave", DEMO_PASSWORD).await.ok();
    let s2 = h.srp(DEMO_CLIENT_ID, "dave", DEMO_PASSWORD).await.ok();
    let r1 = s1["AuthenticationResult"]["RefreshToken"].as_str().unwrap();
    assert_eq!(
        h.call(
            "RevokeToken",
            json!({"ClientId": DEMO_CLIENT_ID, "Token": r1})
        )
        .await
        .ok(),
        json!({})
    );
    let (_, m) = h
        .call(
            "GetUser",
            json!({"AccessToken": s1["AuthenticationResult"]["AccessToken"]}),
        )
        .await
        .err();
    assert_eq!(m, "Access Token has been revoked");
    h.call(
        "GetUser",
        json!({"AccessToken": s2["AuthenticationResult"]["AccessToken"]}),
    )
    .await
    .ok();
    let (t, _) = h
        .call(
            "RevokeToken",
            json!({"ClientId": DEMO_CLIENT_ID, "Token": s2["AuthenticationResult"]["AccessToken"]}),
        )
        .await
        .err();
    assert_eq!(t, "UnsupportedTokenTypeException");

    // Access tokens expire on the pool clock.
    h.advance(3601);
    let (_, m) = h
        .call(
            "GetUser",
            json!({"AccessToken": s2["AuthenticationResult"]["AccessToken"]}),
        )
        .await
        .err();
    assert_eq!(m, "Access Token has expired");
}

#[tokio::test]
async fn pool_and_client_administration() {
    let h = Harness::new().await;
    let created = h.call("CreateUserPool", json!({"PoolName": "my pool",
        "Policies": {"PasswordPolicy": {"MinimumLength": 6, "RequireUppercase": false, "RequireLowercase": true,
                                         "RequireNumbers": false, "RequireSymbols": false}},
        "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"]})).await.ok();
    let pool = &created["UserPool"];
    let pool_id = pool["Id"].as_str().unwrap().to_string();
    assert!(pool_id.starts_with("us-east-1_"));
    assert_eq!(pool["Policies"]["PasswordPolicy"]["MinimumLength"], 6);
    assert!(pool["CreationDate"].is_number());
    let described = h
        .call("DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await
        .ok();
    assert_eq!(described["UserPool"]["Name"], "my pool");
    assert_eq!(
        described["UserPool"]["UsernameAttributes"],
        json!(["email"])
    );

    let listed = h
        .call("ListUserPools", json!({"MaxResults": 60}))
        .await
        .ok();
    let ids: Vec<&str> = listed["UserPools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&pool_id.as_str()) && ids.contains(&DEMO_POOL_ID));
    let first = h.call("ListUserPools", json!({"MaxResults": 1})).await.ok();
    assert_eq!(first["UserPools"].as_array().unwrap().len(), 1);
    let second = h
        .call(
            "ListUserPools",
            json!({"MaxResults": 1, "NextToken": first["NextToken"]}),
        )
        .await
        .ok();
    assert_ne!(first["UserPools"][0]["Id"], second["UserPools"][0]["Id"]);
    let (t, _) = h.call("ListUserPools", json!({})).await.err();
    assert_eq!(t, "InvalidParameterException");

    let client = h.call("CreateUserPoolClient", json!({"UserPoolId": pool_id, "ClientName": "web",
        "GenerateSecret": true, "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]})).await.ok();
    let c = &client["UserPoolClient"];
    let cid = c["ClientId"].as_str().unwrap().to_string();
    let secret = c["ClientSecret"].as_str().unwrap().to_string();
    assert_eq!(
        c["ExplicitAuthFlows"],
        json!(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );
    assert_eq!(c["PreventUserExistenceErrors"], "LEGACY");
    let d = h
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientId": cid}),
        )
        .await
        .ok();
    assert_eq!(d["UserPoolClient"]["ClientName"], "web");
    let (t, _) = h
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": DEMO_POOL_ID, "ClientId": cid}),
        )
        .await
        .err();
    assert_eq!(t, "ResourceNotFoundException");
    let l = h
        .call("ListUserPoolClients", json!({"UserPoolId": pool_id}))
        .await
        .ok();
    assert_eq!(
        l["UserPoolClients"],
        json!([{"ClientId": cid, "UserPoolId": pool_id, "ClientName": "web"}])
    );
    let (t, _) = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "x",
        "ExplicitAuthFlows": ["ALLOW_EVERYTHING"]}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");

    // Email as username: the username is the sub, sign-in works with the email, the relaxed
    // policy applies, and SRP is not allowed on this client.
    let sh = |u: &str| srp::secret_hash(u, &cid, &secret);
    let up = h
        .call(
            "SignUp",
            json!({"ClientId": cid, "Username": "Kim@Example.org", "Password": "simple",
        "SecretHash": sh("Kim@Example.org")}),
        )
        .await
        .ok();
    let sub = up["UserSub"].as_str().unwrap().to_string();
    let (t, _) = h
        .call(
            "SignUp",
            json!({"ClientId": cid, "Username": "not-an-email", "Password": "simple",
        "SecretHash": sh("not-an-email")}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
    h.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool_id, "Username": "Kim@Example.org"}),
    )
    .await
    .ok();
    let signed = h.call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cid,
        "AuthParameters": {"USERNAME": "Kim@Example.org", "PASSWORD": "simple", "SECRET_HASH": sh("Kim@Example.org")}})).await.ok();
    let id = claims(signed["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["cognito:username"], sub.as_str());
    assert_eq!(id["email"], "Kim@Example.org");
    assert_eq!(id["iss"], format!("{}/{}", h.base(), pool_id));
    let (t, m) = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": cid,
        "AuthParameters": {"USERNAME": "Kim@Example.org", "SRP_A": "abc"}}),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Auth flow not enabled for this client"
        )
    );
    let (t, _) = h
        .call(
            "AdminConfirmSignUp",
            json!({"UserPoolId": pool_id, "Username": "nobody@example.org"}),
        )
        .await
        .err();
    assert_eq!(t, "UserNotFoundException");
}

#[tokio::test]
async fn hourly_limits_on_codes() {
    let h = Harness::new().await;
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "lim", "Password": "Sup3r-secret!",
        "UserAttributes": [{"Name": "email", "Value": "lim@example.org"}]}),
    )
    .await
    .ok();
    for _ in 0..5 {
        h.call(
            "ResendConfirmationCode",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "lim"}),
        )
        .await
        .ok();
    }
    let (t, m) = h
        .call(
            "ResendConfirmationCode",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "lim"}),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time."
        )
    );
    // Only the newest code counts, and guessing is capped at 15 tries an hour.
    let code = h.newest_code("lim").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..15 {
        let (t, _) = h
            .call(
                "ConfirmSignUp",
                json!({"ClientId": DEMO_CLIENT_ID, "Username": "lim", "ConfirmationCode": wrong}),
            )
            .await
            .err();
        assert_eq!(t, "CodeMismatchException");
    }
    let (t, _) = h
        .call(
            "ConfirmSignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "lim", "ConfirmationCode": code}),
        )
        .await
        .err();
    assert_eq!(t, "LimitExceededException");
    h.advance(3601);
    h.call(
        "ConfirmSignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "lim", "ConfirmationCode": code}),
    )
    .await
    .ok();
    // Unknown users (LEGACY) and confirmed users get their own answers.
    let (t, m) = h
        .call(
            "ResendConfirmationCode",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "nobody"}),
        )
        .await
        .err();
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "UserNotFoundException",
            "Username/client id combination not found."
        )
    );
    let (t, _) = h
        .call(
            "ResendConfirmationCode",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "lim"}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");
}

#[tokio::test]
async fn forgot_and_change_password_and_admin_user_actions() {
    let h = Harness::new().await;
    let fp = h
        .call(
            "ForgotPassword",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "alice"}),
        )
        .await
        .ok();
    assert_eq!(
        fp["CodeDeliveryDetails"],
        json!({"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
    );
    let entry = h.pool.outbox().await.unwrap().pop().unwrap();
    assert_eq!(
        (entry.purpose.as_str(), entry.username.as_str()),
        ("FORGOT_PASSWORD", "alice")
    );
    let wrong = if entry.code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let confirm = |code: &str, pw: &str| json!({"ClientId": DEMO_CLIENT_ID, "Username": "alice", "ConfirmationCode": code, "Password": pw});
    let (t, _) = h
        .call("ConfirmForgotPassword", confirm(wrong, "N3w-password!"))
        .await
        .err();
    assert_eq!(t, "CodeMismatchException");
    let (t, _) = h
        .call("ConfirmForgotPassword", confirm(&entry.code, "weak"))
        .await
        .err();
    assert_eq!(t, "InvalidPasswordException");
    assert_eq!(
        h.call(
            "ConfirmForgotPassword",
            confirm(&entry.code, "N3w-password!")
        )
        .await
        .ok(),
        json!({})
    );
    let (t, _) = h
        .call(
            "ConfirmForgotPassword",
            confirm(&entry.code, "An0ther-password!"),
        )
        .await
        .err();
    assert_eq!(t, "ExpiredCodeException");
    let (_, m) = h.srp(DEMO_CLIENT_ID, "alice", DEMO_PASSWORD).await.err();
    assert_eq!(m, "Incorrect username or password.");
    let s = h.srp(DEMO_CLIENT_ID, "alice", "N3w-password!").await.ok();
    let access = s["AuthenticationResult"]["AccessToken"].clone();

    let (_, m) = h.call("ChangePassword", json!({"AccessToken": access, "PreviousPassword": "Wr0ng-password!", "ProposedPassword": "Th1rd-password!"})).await.err();
    assert_eq!(m, "Incorrect username or password.");
    h.call("ChangePassword", json!({"AccessToken": access, "PreviousPassword": "N3w-password!", "ProposedPassword": "Th1rd-password!"})).await.ok();
    h.srp(DEMO_CLIENT_ID, "alice", "Th1rd-password!").await.ok();

    // Unverified email: nowhere to send a reset code.
    let (t, _) = h
        .call(
            "ForgotPassword",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": "carol"}),
        )
        .await
        .err();
    assert_eq!(t, "InvalidParameterException");

    let u = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}),
        )
        .await
        .ok();
    assert_eq!(
        (
            u["Username"].as_str(),
            u["UserStatus"].as_str(),
            u["Enabled"].as_bool()
        ),
        (Some("bob"), Some("CONFIRMED"), Some(true))
    );
    assert!(
        u["UserAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["Name"] == "sub")
    );

    let bob = h.srp(DEMO_CLIENT_ID, "bob", DEMO_PASSWORD).await.ok();
    h.call(
        "AdminDisableUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}),
    )
    .await
    .ok();
    let (_, m) = h.srp(DEMO_CLIENT_ID, "bob", DEMO_PASSWORD).await.err();
    assert_eq!(m, "User is disabled.");
    let (t, _) = h
        .call(
            "GetUser",
            json!({"AccessToken": bob["AuthenticationResult"]["AccessToken"]}),
        )
        .await
        .err();
    assert_eq!(t, "NotAuthorizedException");
    h.call(
        "AdminEnableUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}),
    )
    .await
    .ok();
    let bob = h.srp(DEMO_CLIENT_ID, "bob", DEMO_PASSWORD).await.ok();
    h.call(
        "AdminUserGlobalSignOut",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "bob"}),
    )
    .await
    .ok();
    let (_, m) = h
        .call(
            "GetUser",
            json!({"AccessToken": bob["AuthenticationResult"]["AccessToken"]}),
        )
        .await
        .err();
    assert_eq!(m, "Access Token has been revoked");

    h.call(
        "AdminDeleteUser",
        json!({"UserPoolId": DEMO_POOL_ID, "Username": "dave"}),
    )
    .await
    .ok();
    let (t, _) = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "dave"}),
        )
        .await
        .err();
    assert_eq!(t, "UserNotFoundException");
    let (t, _) = h.srp(DEMO_CLIENT_ID, "dave", DEMO_PASSWORD).await.err();
    assert_eq!(t, "UserNotFoundException");
}

#[tokio::test]
async fn two_servers_can_share_one_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pool.sqlite3");
    let (a, b) = tokio::join!(start_pool(&db), start_pool(&db));
    let http = reqwest::Client::new();
    let signed = srp_sign_in(
        &http,
        a.base_url(),
        DEMO_CLIENT_ID,
        "alice",
        DEMO_PASSWORD,
        true,
    )
    .await
    .ok();
    // A token from one server is good at the other: both use the same stored keys.
    let me = call(
        &http,
        b.base_url(),
        "GetUser",
        json!({"AccessToken": signed["AuthenticationResult"]["AccessToken"]}),
    )
    .await
    .ok();
    assert_eq!(me["Username"], "alice");
    let users = call(
        &http,
        b.base_url(),
        "ListUsers",
        json!({"UserPoolId": DEMO_POOL_ID}),
    )
    .await
    .ok();
    // As many users as a store seeded by one server alone.
    let other = tempfile::tempdir().unwrap();
    let single = start_pool(&other.path().join("pool.sqlite3")).await;
    let expected = call(
        &http,
        single.base_url(),
        "ListUsers",
        json!({"UserPoolId": DEMO_POOL_ID}),
    )
    .await
    .ok()["Users"]
        .as_array()
        .unwrap()
        .len();
    single.shutdown().await;
    assert_eq!(
        users["Users"].as_array().unwrap().len(),
        expected,
        "seeded once, not twice"
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn admin_created_users_must_choose_a_new_password() {
    let h = Harness::new().await;
    let created = h.call("AdminCreateUser", json!({"UserPoolId": DEMO_POOL_ID, "Username": "newbie",
        "UserAttributes": [{"Name": "email", "Value": "newbie@example.org"}, {"Name": "email_verified", "Value": "true"}],
        "DesiredDeliveryMediums": ["EMAIL"]})).await.ok();
    assert_eq!(created["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    let (t, _) = h
        .call(
            "AdminCreateUser",
            json!({"UserPoolId": DEMO_POOL_ID, "Username": "newbie"}),
        )
        .await
        .err();
    assert_eq!(t, "UsernameExistsException");
    let invite = h.pool.outbox().await.unwrap().pop().unwrap();
    assert_eq!(
        (
            invite.purpose.as_str(),
            invite.medium.as_str(),
            invite.destination.as_str()
        ),
        ("INVITATION", "EMAIL", "newbie@example.org")
    );
    let temp = invite.code.clone();

    let ch = h.srp(DEMO_CLIENT_ID, "newbie", &temp).await.ok();
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert!(ch.get("AuthenticationResult").is_none());
    let attrs: Value = serde_json::from_str(
        ch["ChallengeParameters"]["userAttributes"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(attrs["email"], "newbie@example.org");
    let answer = |pw: &str| {
        json!({"ClientId": DEMO_CLIENT_ID, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": ch["Session"],
        "ChallengeResponses": {"USERNAME": "newbie", "NEW_PASSWORD": pw, "userAttributes.name": "New Bie"}})
    };
    let (t, _) = h.call("RespondToAuthChallenge", answer("weak")).await.err();
    assert_eq!(t, "InvalidPasswordException");
    let done = h
        .call("RespondToAuthChallenge", answer("Ch0sen-password!"))
        .await
        .ok();
    let id = claims(done["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(
        (id["cognito:username"].as_str(), id["name"].as_str()),
        (Some("newbie"), Some("New Bie"))
    );
    let (_, m) = h
        .call("RespondToAuthChallenge", answer("An0ther-password!"))
        .await
        .err();
    assert_eq!(
        m,
        "Invalid session for the user, session can only be used once."
    );
    h.srp(DEMO_CLIENT_ID, "newbie", "Ch0sen-password!")
        .await
        .ok();
    let (_, m) = h.srp(DEMO_CLIENT_ID, "newbie", &temp).await.err();
    assert_eq!(m, "Incorrect username or password.");

    // A temporary password set by an admin: the password flow gets the challenge too, and it
    // expires after TemporaryPasswordValidityDays (7).
    h.call("AdminSetUserPassword", json!({"UserPoolId": DEMO_POOL_ID, "Username": "newbie", "Password": "Temp0rary-pw!", "Permanent": false})).await.ok();
    let r = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
        "AuthParameters": {"USERNAME": "newbie", "PASSWORD": "Temp0rary-pw!"}}),
        )
        .await
        .ok();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    h.advance(8 * 86400);
    let (_, m) = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
        "AuthParameters": {"USERNAME": "newbie", "PASSWORD": "Temp0rary-pw!"}}),
        )
        .await
        .err();
    assert_eq!(
        m,
        "Temporary password has expired and must be reset by an administrator."
    );
    h.call("AdminSetUserPassword", json!({"UserPoolId": DEMO_POOL_ID, "Username": "newbie", "Password": "Perman3nt-pw!", "Permanent": true})).await.ok();
    h.srp(DEMO_CLIENT_ID, "newbie", "Perman3nt-pw!").await.ok();
}
