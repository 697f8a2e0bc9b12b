//! Every Amplify step (AMPLIFY.md §2: the 14 signInSteps and the 3 signUpSteps) reached through
//! the headless driver against the embedded pool, with the data carried by each step checked
//! and each flow completed to DONE; and Cognito's errors for wrong codes, expired codes, reused
//! Sessions and expired Sessions as the driver reports them.
//!
//! The driver runs in-process on pipes, so a test can read a step's output (a TOTP secret, a
//! Session id) before it writes the next command, as a script at a terminal would.

mod support;

use std::time::Duration;

use cognito_tui::config::Target;
use cognito_tui::local::{
    DEMO_CHOICE_TOTP_SECRET, DEMO_CLIENT_ID, DEMO_CUSTOM_CLIENT_ID, DEMO_EMAIL_MFA_USER,
    DEMO_MFA_CHOICE_USER, DEMO_NEW_PASSWORD_USER, DEMO_PASSWORD, DEMO_PHONE_USER, DEMO_POOL_ID,
    DEMO_RESET_USER, DEMO_SMS_MFA_USER, DEMO_TEMP_PASSWORD, DEMO_TOTP_SECRET, DEMO_TOTP_USER,
    DEMO_UNCONFIRMED_USER,
};
use cognito_tui::{admin, auth, cognito::Client, headless};
use serde_json::{Value, json};
use support::Harness;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};

const NEW_PW: &str = "Stepwise-Passw0rd!";
const INVALID_MFA_CODE: &str = "Invalid code received for user";
const INVALID_VERIFICATION_CODE: &str = "Invalid verification code provided, please try again.";
const EXPIRED_CODE: &str = "Invalid code provided, please request a code again.";
const SESSION_EXPIRED: &str = "Invalid session for the user, session is expired.";
const SESSION_USED: &str = "Invalid session for the user, session can only be used once.";

// ------------------------------------------------------------------------------------ harness

/// Test-specific helpers on the shared harness.
impl Harness {
    /// An admin call straight to the pool (pool settings the driver has no command for).
    async fn admin(&self, op: &str, body: Value) -> Value {
        let (ok, v) = self.admin_raw(op, body).await;
        assert!(ok, "{op} failed: {v}");
        v
    }

    /// (success, body) of a call straight to the pool.
    async fn admin_raw(&self, op: &str, body: Value) -> (bool, Value) {
        let r = support::raw_request(&self.http, self.pool.base_url(), op, body.to_string())
            .send()
            .await
            .unwrap();
        let ok = r.status().is_success();
        let v: Value = r.json().await.unwrap();
        (ok, v)
    }

    /// Requires MFA in the demo pool with these methods.
    async fn require_mfa(&self, totp: bool, email: bool) {
        let mut cfg = json!({"UserPoolId": DEMO_POOL_ID, "MfaConfiguration": "ON",
                             "SoftwareTokenMfaConfiguration": {"Enabled": totp}});
        if email {
            cfg["EmailMfaConfiguration"] = json!({});
        }
        self.admin("SetUserPoolMfaConfig", cfg).await;
    }

    fn driver(&self, client_id: &str) -> Driver {
        self.driver_for(DEMO_POOL_ID, client_id)
    }

    fn driver_for(&self, pool_id: &str, client_id: &str) -> Driver {
        let t = Target {
            endpoint: self.pool.base_url().to_string(),
            region: "us-east-1".into(),
            user_pool_id: pool_id.into(),
            client_id: client_id.into(),
            client_secret: None,
            local: true,
        };
        let client = Client::new(&t).unwrap().with_signer(support::signer());
        let a = auth::spawn(client.clone(), &t, Default::default());
        let ad = admin::spawn(client, &t);
        let (input, driver_in) = tokio::io::duplex(64 * 1024);
        let (driver_out, output) = tokio::io::duplex(1024 * 1024);
        let task = tokio::spawn(async move {
            headless::run(a, ad, BufReader::new(driver_in), driver_out).await
        });
        Driver {
            input: Some(input),
            out: BufReader::new(output).lines(),
            task: Some(task),
            text: String::new(),
        }
    }
}

/// The headless driver, one command at a time.
struct Driver {
    input: Option<DuplexStream>,
    out: Lines<BufReader<DuplexStream>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Everything the driver wrote.
    text: String,
}

/// True for the line that ends a command's output.
fn ends_command(l: &Value) -> bool {
    match (l["source"].as_str(), l["event"].as_str()) {
        (Some("auth"), Some("finished")) => true,
        (Some("headless"), Some("error" | "outbox_code")) => true,
        (Some("admin"), Some(e)) => e != "exchange",
        _ => false,
    }
}

impl Driver {
    /// Writes one command and returns its output lines, up to the one that ends it.
    async fn send(&mut self, cmd: Value) -> Vec<Value> {
        let input = self.input.as_mut().expect("driver open");
        input
            .write_all(format!("{cmd}\n").as_bytes())
            .await
            .unwrap();
        input.flush().await.unwrap();
        let mut lines = Vec::new();
        loop {
            let line = tokio::time::timeout(Duration::from_secs(30), self.out.next_line())
                .await
                .unwrap_or_else(|_| panic!("no output within 30 s after {}", cmd["cmd"]))
                .unwrap()
                .unwrap_or_else(|| panic!("the driver stopped after {}", cmd["cmd"]));
            self.text.push_str(&line);
            self.text.push('\n');
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let end = ends_command(&v);
            lines.push(v);
            if end {
                return lines;
            }
        }
    }

    /// Ends the input, waits for the driver and checks that no password reached its output.
    async fn close(mut self, secrets: &[&str]) -> String {
        drop(self.input.take());
        while let Ok(Some(line)) = self.out.next_line().await {
            self.text.push_str(&line);
            self.text.push('\n');
        }
        let task = self.task.take().unwrap();
        tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("the driver ends with its input")
            .unwrap()
            .expect("the driver succeeded");
        for s in secrets
            .iter()
            .chain([&DEMO_PASSWORD, &NEW_PW, &DEMO_TEMP_PASSWORD])
        {
            assert!(!self.text.contains(s), "a password reached the output");
        }
        // Nor does a whole token: tokens are abbreviated.
        for (i, _) in self.text.match_indices("eyJ") {
            let run = self.text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                .count();
            assert!(run <= 12, "a whole token reached the output");
        }
        std::mem::take(&mut self.text)
    }
}

fn sign_in(user: &str, pw: Option<&str>, flow: &str) -> Value {
    let mut c = json!({"cmd": "sign_in", "username": user, "flow": flow});
    if let Some(pw) = pw {
        c["password"] = json!(pw);
    }
    c
}

fn answer(response: &str) -> Value {
    json!({"cmd": "confirm_sign_in", "response": response})
}

/// `confirm_sign_in` with the newest outbox code of `user`.
fn answer_from_outbox(user: &str) -> Value {
    json!({"cmd": "confirm_sign_in", "response": "{{outbox}}", "username": user})
}

fn transitions(lines: &[Value]) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| l["event"] == "transition")
        .collect()
}

fn step_name(t: &Value) -> &str {
    let s = &t["next_step"];
    s["signInStep"]
        .as_str()
        .or(s["signUpStep"].as_str())
        .or(s["resetPasswordStep"].as_str())
        .unwrap_or("?")
}

/// The one transition of a command, checked for what every transition must carry.
#[track_caller]
fn the_step<'a>(lines: &'a [Value], api: &str, name: &str) -> &'a Value {
    let ts = transitions(lines);
    let names: Vec<&str> = ts.iter().map(|t| step_name(t)).collect();
    assert_eq!(names, vec![name], "{lines:#?}");
    let t = ts[0];
    assert_eq!(t["api"], api, "{t}");
    assert!(
        !t["explanation"].as_str().unwrap_or("").trim().is_empty(),
        "a transition explains itself: {t}"
    );
    if t["challenge_name"].is_string() {
        // A challenge step shows which Session it holds and how old it is.
        let id = t["session_id"].as_str().unwrap_or_else(|| panic!("{t}"));
        assert!(id.len() >= 8 && id.len() < 40, "abbreviated Session: {id}");
        assert!(t["session_age_ms"].is_u64(), "{t}");
        assert!(t["session_age_ms"].as_u64().unwrap() < 60_000, "{t}");
    }
    assert_eq!(
        lines.last().unwrap()["ok"],
        true,
        "the command ended well: {lines:#?}"
    );
    t
}

/// The auth error a command ended with: (code, message, operation).
#[track_caller]
fn the_error(lines: &[Value]) -> (String, String, String) {
    let e = lines
        .iter()
        .find(|l| l["source"] == "auth" && l["event"] == "error")
        .unwrap_or_else(|| panic!("expected an error: {lines:#?}"));
    assert_eq!(lines.last().unwrap()["ok"], false, "{lines:#?}");
    assert!(transitions(lines).is_empty(), "{lines:#?}");
    (
        e["code"].as_str().unwrap().to_string(),
        e["message"].as_str().unwrap().to_string(),
        e["operation"].as_str().unwrap_or("").to_string(),
    )
}

/// Checks the signed-in user of a DONE and returns the step.
#[track_caller]
fn signed_in<'a>(lines: &'a [Value], api: &str, user: &str) -> &'a Value {
    let t = the_step(lines, api, "DONE");
    let s = lines
        .iter()
        .rev()
        .find(|l| l["event"] == "session")
        .unwrap_or_else(|| panic!("a session event: {lines:#?}"));
    assert_eq!(s["session"]["username"], user, "{s}");
    assert_eq!(s["session"]["id_token_claims"]["cognito:username"], user);
    t
}

fn operations(t: &Value) -> Vec<&str> {
    t["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect()
}

/// Cognito's ChallengeParameters as the exchange showed them.
fn wire_challenge_parameters(lines: &[Value]) -> Value {
    lines
        .iter()
        .rev()
        .filter(|l| l["event"] == "exchange")
        .find_map(|l| {
            let p = &l["response"]["ChallengeParameters"];
            p.is_object().then(|| p.clone())
        })
        .unwrap_or_else(|| panic!("an exchange with ChallengeParameters: {lines:#?}"))
}

/// RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at Unix time `at`.
fn totp(secret: &str, at: i64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
        .generate(at as u64)
        .to_string()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A 6-digit code that matches no step near now.
fn wrong_totp(secret: &str) -> String {
    let t = now();
    let near: Vec<String> = (-2..=2).map(|k| totp(secret, t + k * 30)).collect();
    let mut c = totp(secret, t + 7200);
    while near.contains(&c) {
        c = format!("{:06}", (c.parse::<u32>().unwrap() + 1) % 1_000_000);
    }
    c
}

/// The newest outbox code sent to `user`.
async fn newest_code(p: &Harness, user: &str) -> String {
    p.pool
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.username == user)
        .unwrap_or_else(|| panic!("no outbox entry for {user}"))
        .code
}

/// A 6-digit code that is not `code`.
fn other_code(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[track_caller]
fn code_delivery(t: &Value, medium: &str) -> String {
    let d = &t["next_step"]["codeDeliveryDetails"];
    assert_eq!(d["deliveryMedium"], medium, "{t}");
    let dest = d["destination"].as_str().unwrap_or_else(|| panic!("{t}"));
    assert!(dest.contains('*'), "a masked destination: {dest}");
    dest.to_string()
}

// ------------------------------------------------------------------------------ sign-up steps

#[tokio::test]
async fn sign_up_confirm_sign_up_then_done() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(
            json!({"cmd": "sign_up", "username": "gina", "password": NEW_PW,
                     "attributes": {"email": "gina@example.com"}}),
        )
        .await;
    let t = the_step(&out, "signUp", "CONFIRM_SIGN_UP");
    assert_eq!(code_delivery(t, "EMAIL"), "g***@e***");
    assert_eq!(
        t["next_step"]["codeDeliveryDetails"]["attributeName"],
        "email"
    );

    // A wrong code: Cognito's CodeMismatchException, and the right one still works.
    let out = d
        .send(json!({"cmd": "confirm_sign_up", "username": "gina", "code": "000000x"}))
        .await;
    let (code, msg, op) = the_error(&out);
    assert_eq!(
        (code.as_str(), msg.as_str(), op.as_str()),
        (
            "CodeMismatchException",
            INVALID_VERIFICATION_CODE,
            "ConfirmSignUp"
        )
    );
    let out = d
        .send(json!({"cmd": "confirm_sign_up", "username": "gina", "code": "{{outbox}}"}))
        .await;
    let t = the_step(&out, "confirmSignUp", "DONE");
    assert_eq!(t["from"], "CONFIRM_SIGN_UP");
    let out = d.send(sign_in("gina", Some(NEW_PW), "USER_SRP_AUTH")).await;
    let t = signed_in(&out, "signIn", "gina");
    assert_eq!(
        operations(t),
        vec!["InitiateAuth", "RespondToAuthChallenge"]
    );
    d.close(&[]).await;
}

#[tokio::test]
async fn an_expired_sign_up_code_gives_expired_code_exception() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(
            json!({"cmd": "sign_up", "username": "hugo", "password": NEW_PW,
                     "attributes": {"email": "hugo@example.com"}}),
        )
        .await;
    the_step(&out, "signUp", "CONFIRM_SIGN_UP");
    p.advance(24 * 3600 + 60);
    let out = d
        .send(json!({"cmd": "confirm_sign_up", "username": "hugo", "code": "{{outbox}}"}))
        .await;
    let (code, msg, _) = the_error(&out);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("ExpiredCodeException", EXPIRED_CODE)
    );
    // A new code (ResendConfirmationCode) confirms the user.
    let out = d
        .send(json!({"cmd": "resend_sign_up_code", "username": "hugo"}))
        .await;
    let t = the_step(&out, "resendSignUpCode", "CONFIRM_SIGN_UP");
    code_delivery(t, "EMAIL");
    let out = d
        .send(json!({"cmd": "confirm_sign_up", "username": "hugo", "code": "{{outbox}}"}))
        .await;
    the_step(&out, "confirmSignUp", "DONE");
    d.close(&[]).await;
}

#[tokio::test]
async fn complete_auto_sign_in_after_confirm_sign_up() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(
            json!({"cmd": "sign_up", "username": "ivy", "password": NEW_PW,
                     "attributes": {"email": "ivy@example.com"}, "auto_sign_in": true}),
        )
        .await;
    the_step(&out, "signUp", "CONFIRM_SIGN_UP");
    let out = d
        .send(json!({"cmd": "confirm_sign_up", "username": "ivy", "code": "{{outbox}}"}))
        .await;
    the_step(&out, "confirmSignUp", "COMPLETE_AUTO_SIGN_IN");
    // ConfirmSignUp answered with a Session for auto sign-in.
    let confirm = out
        .iter()
        .find(|l| l["event"] == "exchange" && l["operation"] == "ConfirmSignUp")
        .unwrap_or_else(|| panic!("{out:#?}"));
    assert!(confirm["response"]["Session"].is_string(), "{confirm}");
    let out = d.send(json!({"cmd": "auto_sign_in"})).await;
    let t = signed_in(&out, "autoSignIn", "ivy");
    assert_eq!(t["from"], "COMPLETE_AUTO_SIGN_IN");
    // autoSignIn is spent.
    let out = d.send(json!({"cmd": "auto_sign_in"})).await;
    assert_eq!(the_error(&out).0, "AutoSignInException");
    d.close(&[]).await;
}

#[tokio::test]
async fn auto_confirmed_sign_up_is_done_or_completes_auto_sign_in_at_once() {
    let p = Harness::with_command_triggers().await;
    let trigger = format!(
        "cmd:python3 {}/examples/triggers/pre_sign_up.py",
        env!("CARGO_MANIFEST_DIR")
    );
    p.admin(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}},
               "LambdaConfig": {"PreSignUp": trigger}}),
    )
    .await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(
            json!({"cmd": "sign_up", "username": "jack", "password": NEW_PW,
                     "attributes": {"email": "jack@example.com"}}),
        )
        .await;
    let t = the_step(&out, "signUp", "DONE");
    assert!(t["next_step"].get("codeDeliveryDetails").is_none(), "{t}");
    let out = d
        .send(
            json!({"cmd": "sign_up", "username": "kate", "password": NEW_PW,
                     "attributes": {"email": "kate@example.com"}, "auto_sign_in": true}),
        )
        .await;
    the_step(&out, "signUp", "COMPLETE_AUTO_SIGN_IN");
    let out = d.send(json!({"cmd": "auto_sign_in"})).await;
    signed_in(&out, "autoSignIn", "kate");
    d.close(&[]).await;
}

// ------------------------------------------------------------------------ code challenges

#[tokio::test]
async fn sms_code_wrong_then_right() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_SMS_MFA_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    assert_eq!(t["challenge_name"], "SMS_MFA");
    assert_eq!(code_delivery(t, "SMS"), "+*******0101");
    assert_eq!(
        t["challenge_parameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    assert_eq!(
        t["challenge_parameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******0101"
    );
    assert_eq!(
        operations(t),
        vec!["InitiateAuth", "RespondToAuthChallenge"]
    );
    let session = t["session_id"].clone();

    let right = newest_code(&p, DEMO_SMS_MFA_USER).await;
    let out = d.send(answer(&other_code(&right))).await;
    let (c, m, op) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str(), op.as_str()),
        (
            "CodeMismatchException",
            INVALID_MFA_CODE,
            "RespondToAuthChallenge"
        )
    );
    let out = d.send(answer_from_outbox(DEMO_SMS_MFA_USER)).await;
    let t = signed_in(&out, "confirmSignIn", DEMO_SMS_MFA_USER);
    assert_eq!(t["from"], "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    // The request that completed it carried the same Session as the step showed.
    let sent = out
        .iter()
        .find(|l| l["event"] == "exchange" && l["operation"] == "RespondToAuthChallenge")
        .unwrap();
    assert_eq!(sent["request"]["ChallengeName"], "SMS_MFA");
    assert!(
        sent["request"]["ChallengeResponses"]["SMS_MFA_CODE"].is_string(),
        "{sent}"
    );
    let shown = session.as_str().unwrap();
    let prefix: String = shown.chars().take(8).collect();
    assert!(
        sent["request"]["Session"]
            .as_str()
            .unwrap()
            .starts_with(&prefix),
        "{sent} vs {shown}"
    );
    d.close(&[]).await;
}

#[tokio::test]
async fn an_expired_sms_code_gives_expired_code_exception() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_SMS_MFA_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    p.advance(3 * 60 + 5);
    let out = d.send(answer_from_outbox(DEMO_SMS_MFA_USER)).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("ExpiredCodeException", EXPIRED_CODE)
    );
    // The sign-in is over: a new one works.
    let out = d.send(answer_from_outbox(DEMO_SMS_MFA_USER)).await;
    assert_eq!(the_error(&out).0, "SignInException");
    let out = d
        .send(sign_in(
            DEMO_SMS_MFA_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    let out = d.send(answer_from_outbox(DEMO_SMS_MFA_USER)).await;
    signed_in(&out, "confirmSignIn", DEMO_SMS_MFA_USER);
    d.close(&[]).await;
}

#[tokio::test]
async fn a_session_spent_by_wrong_codes_cannot_be_used_again() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_EMAIL_MFA_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    let right = newest_code(&p, DEMO_EMAIL_MFA_USER).await;
    let wrong = other_code(&right);
    for _ in 0..5 {
        let out = d.send(answer(&wrong)).await;
        assert_eq!(the_error(&out).1, INVALID_MFA_CODE);
    }
    // Five wrong codes spent the Session: even the right code is refused now.
    let out = d.send(answer(&right)).await;
    let (c, m, op) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str(), op.as_str()),
        (
            "NotAuthorizedException",
            SESSION_USED,
            "RespondToAuthChallenge"
        )
    );
    d.close(&[]).await;
}

#[tokio::test]
async fn email_code() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_EMAIL_MFA_USER,
            Some(DEMO_PASSWORD),
            "USER_PASSWORD_AUTH",
        ))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    assert_eq!(t["challenge_name"], "EMAIL_OTP");
    assert_eq!(code_delivery(t, "EMAIL"), "m***@e***");
    assert_eq!(operations(t), vec!["InitiateAuth"]);
    let out = d.send(answer_from_outbox(DEMO_EMAIL_MFA_USER)).await;
    let t = signed_in(&out, "confirmSignIn", DEMO_EMAIL_MFA_USER);
    assert_eq!(t["from"], "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    d.close(&[]).await;
}

#[tokio::test]
async fn totp_code_wrong_then_right() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_TOTP_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    assert_eq!(t["challenge_name"], "SOFTWARE_TOKEN_MFA");
    let out = d.send(answer(&wrong_totp(DEMO_TOTP_SECRET))).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("CodeMismatchException", INVALID_MFA_CODE)
    );
    let out = d.send(answer(&totp(DEMO_TOTP_SECRET, now()))).await;
    let t = signed_in(&out, "confirmSignIn", DEMO_TOTP_USER);
    assert_eq!(t["from"], "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    d.close(&[]).await;
}

#[tokio::test]
async fn an_expired_totp_session_gives_session_expired() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_TOTP_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    p.advance(3 * 60 + 5);
    // The code is computed for the pool's (moved) clock.
    let out = d
        .send(answer(&totp(DEMO_TOTP_SECRET, now() + 3 * 60 + 5)))
        .await;
    let (c, m, op) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str(), op.as_str()),
        (
            "NotAuthorizedException",
            SESSION_EXPIRED,
            "RespondToAuthChallenge"
        )
    );
    d.close(&[]).await;
}

// ------------------------------------------------------------------------ MFA selection / setup

#[tokio::test]
async fn mfa_selection_then_each_method() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    for (choice, step) in [
        ("TOTP", "CONFIRM_SIGN_IN_WITH_TOTP_CODE"),
        ("EMAIL", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"),
        ("SMS", "CONFIRM_SIGN_IN_WITH_SMS_CODE"),
    ] {
        let out = d
            .send(sign_in(
                DEMO_MFA_CHOICE_USER,
                Some(DEMO_PASSWORD),
                "USER_SRP_AUTH",
            ))
            .await;
        let t = the_step(&out, "signIn", "CONTINUE_SIGN_IN_WITH_MFA_SELECTION");
        assert_eq!(t["challenge_name"], "SELECT_MFA_TYPE");
        assert_eq!(
            t["next_step"]["allowedMFATypes"],
            json!(["SMS", "TOTP", "EMAIL"])
        );
        assert_eq!(
            t["challenge_parameters"]["MFAS_CAN_CHOOSE"],
            "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"
        );
        let out = d.send(answer(choice)).await;
        let t = the_step(&out, "confirmSignIn", step);
        let sent = out
            .iter()
            .find(|l| l["event"] == "exchange")
            .unwrap_or_else(|| panic!("{out:#?}"));
        assert_eq!(sent["request"]["ChallengeName"], "SELECT_MFA_TYPE");
        let wire = match choice {
            "TOTP" => "SOFTWARE_TOKEN_MFA",
            "EMAIL" => "EMAIL_OTP",
            _ => "SMS_MFA",
        };
        assert_eq!(sent["request"]["ChallengeResponses"]["ANSWER"], wire);
        assert_eq!(t["challenge_name"], wire);
        let out = if choice == "TOTP" {
            d.send(answer(&totp(DEMO_CHOICE_TOTP_SECRET, now()))).await
        } else {
            d.send(answer_from_outbox(DEMO_MFA_CHOICE_USER)).await
        };
        signed_in(&out, "confirmSignIn", DEMO_MFA_CHOICE_USER);
        let out = d.send(json!({"cmd": "sign_out"})).await;
        assert_eq!(out.last().unwrap()["ok"], true);
    }
    d.close(&[]).await;
}

#[tokio::test]
async fn mfa_setup_selection_totp_setup_then_totp_code_next_time() {
    let p = Harness::new().await;
    p.require_mfa(true, true).await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in("alice", Some(DEMO_PASSWORD), "USER_SRP_AUTH"))
        .await;
    let t = the_step(&out, "signIn", "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION");
    assert_eq!(t["challenge_name"], "MFA_SETUP");
    assert_eq!(t["next_step"]["allowedMFATypes"], json!(["TOTP", "EMAIL"]));
    assert_eq!(
        t["challenge_parameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"
    );

    let out = d.send(answer("TOTP")).await;
    let t = the_step(&out, "confirmSignIn", "CONTINUE_SIGN_IN_WITH_TOTP_SETUP");
    assert_eq!(operations(t), vec!["AssociateSoftwareToken"]);
    let details = &t["next_step"]["totpSetupDetails"];
    let secret = details["sharedSecret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 16, "{secret}");
    assert_eq!(
        details["setupUri"],
        format!("otpauth://totp/cognito-tui:alice?secret={secret}&issuer=cognito-tui")
    );

    // A mistyped code can be typed again.
    let out = d.send(answer(&wrong_totp(&secret))).await;
    let (c, _, op) = the_error(&out);
    assert_eq!(
        (c.as_str(), op.as_str()),
        ("EnableSoftwareTokenMFAException", "VerifySoftwareToken")
    );
    let used_at = now();
    let out = d.send(answer(&totp(&secret, used_at))).await;
    let t = signed_in(&out, "confirmSignIn", "alice");
    assert_eq!(
        operations(t),
        vec!["VerifySoftwareToken", "RespondToAuthChallenge"]
    );
    // MFA_SETUP was answered with the Session VerifySoftwareToken returned.
    let xs: Vec<&Value> = out.iter().filter(|l| l["event"] == "exchange").collect();
    assert_eq!(xs[0]["operation"], "VerifySoftwareToken");
    assert_eq!(xs[1]["request"]["ChallengeName"], "MFA_SETUP");
    assert_eq!(xs[1]["request"]["Session"], xs[0]["response"]["Session"]);

    let out = d.send(json!({"cmd": "sign_out"})).await;
    assert_eq!(out.last().unwrap()["ok"], true);
    let out = d
        .send(sign_in("alice", Some(DEMO_PASSWORD), "USER_SRP_AUTH"))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    assert_eq!(t["challenge_name"], "SOFTWARE_TOKEN_MFA");
    // The code of the setup is spent (Cognito accepts each code once) ...
    let out = d.send(answer(&totp(&secret, used_at))).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "ExpiredCodeException",
            "Your software token has already been used once."
        )
    );
    // ... and the next 30 s step's code (inside the ±1 window) answers the same step.
    let out = d.send(answer(&totp(&secret, used_at + 30))).await;
    signed_in(&out, "confirmSignIn", "alice");
    d.close(&[]).await;
}

#[tokio::test]
async fn totp_setup_when_totp_is_the_only_method() {
    let p = Harness::new().await;
    p.require_mfa(true, false).await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in("bob", Some(DEMO_PASSWORD), "USER_PASSWORD_AUTH"))
        .await;
    let t = the_step(&out, "signIn", "CONTINUE_SIGN_IN_WITH_TOTP_SETUP");
    assert_eq!(t["challenge_name"], "MFA_SETUP");
    assert_eq!(
        operations(t),
        vec!["InitiateAuth", "AssociateSoftwareToken"]
    );
    let secret = t["next_step"]["totpSetupDetails"]["sharedSecret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        t["next_step"]["totpSetupDetails"]["setupUri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/cognito-tui:bob?secret=")
    );
    let out = d.send(answer(&totp(&secret, now()))).await;
    signed_in(&out, "confirmSignIn", "bob");
    d.close(&[]).await;
}

#[tokio::test]
async fn email_setup_when_email_is_the_only_method_and_from_the_selection() {
    let p = Harness::new().await;
    p.require_mfa(false, true).await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in("dave", Some(DEMO_PASSWORD), "USER_SRP_AUTH"))
        .await;
    let t = the_step(&out, "signIn", "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP");
    assert_eq!(t["challenge_name"], "MFA_SETUP");
    assert_eq!(
        t["challenge_parameters"]["MFAS_CAN_SETUP"],
        "[\"EMAIL_OTP\"]"
    );
    let out = d.send(answer("dave.mfa@example.org")).await;
    let t = the_step(&out, "confirmSignIn", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    assert_eq!(code_delivery(t, "EMAIL"), "d***@e***");
    let sent = out.iter().find(|l| l["event"] == "exchange").unwrap();
    assert_eq!(sent["request"]["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        sent["request"]["ChallengeResponses"]["EMAIL"],
        "dave.mfa@example.org"
    );
    let out = d.send(answer_from_outbox("dave")).await;
    signed_in(&out, "confirmSignIn", "dave");
    let sent_to = p
        .pool
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.username == "dave")
        .unwrap()
        .destination;
    assert_eq!(sent_to, "dave.mfa@example.org");

    // Both methods: EMAIL chosen from the selection, locally, then the address.
    let out = d.send(json!({"cmd": "sign_out"})).await;
    assert_eq!(out.last().unwrap()["ok"], true);
    p.require_mfa(true, true).await;
    let out = d
        .send(sign_in("bob", Some(DEMO_PASSWORD), "USER_SRP_AUTH"))
        .await;
    let t = the_step(&out, "signIn", "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION");
    assert_eq!(t["next_step"]["allowedMFATypes"], json!(["TOTP", "EMAIL"]));
    let out = d.send(answer("EMAIL")).await;
    let t = the_step(&out, "confirmSignIn", "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP");
    assert!(operations(t).is_empty(), "chosen locally: {t}");
    let out = d.send(answer("bob@example.com")).await;
    the_step(&out, "confirmSignIn", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    let out = d.send(answer_from_outbox("bob")).await;
    signed_in(&out, "confirmSignIn", "bob");
    d.close(&[]).await;
}

// ------------------------------------------------------------------------ custom auth

#[tokio::test]
async fn custom_challenge_without_srp() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CUSTOM_CLIENT_ID);
    let out = d.send(sign_in("alice", None, "CUSTOM_WITHOUT_SRP")).await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE");
    assert_eq!(t["challenge_name"], "CUSTOM_CHALLENGE");
    assert_eq!(operations(t), vec!["InitiateAuth"]);
    let sent = out.iter().find(|l| l["event"] == "exchange").unwrap();
    assert_eq!(sent["request"]["AuthFlow"], "CUSTOM_AUTH");
    assert!(sent["request"]["AuthParameters"].get("SRP_A").is_none());
    // additionalInfo is every ChallengeParameter Cognito sent.
    let wire = wire_challenge_parameters(&out);
    assert!(!wire.as_object().unwrap().is_empty(), "{wire}");
    assert_eq!(t["next_step"]["additionalInfo"], wire);
    assert_eq!(t["challenge_parameters"], wire);
    let first_session = t["session_id"].clone();

    // A wrong answer: the pool's DefineAuthChallenge asks again, with a new Session.
    let out = d.send(answer("not-the-code")).await;
    let t = the_step(
        &out,
        "confirmSignIn",
        "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
    );
    assert_ne!(t["session_id"], first_session);
    let out = d.send(answer_from_outbox("alice")).await;
    signed_in(&out, "confirmSignIn", "alice");
    d.close(&[]).await;
}

#[tokio::test]
async fn custom_challenge_with_srp() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CUSTOM_CLIENT_ID);
    let out = d
        .send(sign_in("bob", Some("Wrong-Passw0rd!"), "CUSTOM_WITH_SRP"))
        .await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let out = d
        .send(sign_in("bob", Some(DEMO_PASSWORD), "CUSTOM_WITH_SRP"))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE");
    assert_eq!(
        operations(t),
        vec!["InitiateAuth", "RespondToAuthChallenge"]
    );
    let xs: Vec<&Value> = out.iter().filter(|l| l["event"] == "exchange").collect();
    assert_eq!(xs[0]["request"]["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(
        xs[0]["request"]["AuthParameters"]["CHALLENGE_NAME"],
        "SRP_A"
    );
    assert_eq!(xs[1]["request"]["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(
        t["next_step"]["additionalInfo"],
        wire_challenge_parameters(&out)
    );
    let out = d.send(answer_from_outbox("bob")).await;
    signed_in(&out, "confirmSignIn", "bob");
    d.close(&["Wrong-Passw0rd!"]).await;
}

// ------------------------------------------------------------------------ new password

#[tokio::test]
async fn new_password_required() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_NEW_PASSWORD_USER,
            Some(DEMO_TEMP_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED");
    assert_eq!(t["challenge_name"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(t["next_step"]["missingAttributes"], json!([]));
    let attrs: Value = serde_json::from_str(
        t["challenge_parameters"]["userAttributes"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert!(attrs["email"].is_string(), "{attrs}");
    // A weak password: Cognito's policy message.
    let out = d.send(answer("short")).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(c, "InvalidPasswordException");
    assert!(m.starts_with("Password did not conform with policy"), "{m}");
    // The Session still stands: another password is an answer to the same step.
    let out = d
        .send(json!({"cmd": "confirm_sign_in", "response": NEW_PW,
                     "attributes": {"name": "New Password"}}))
        .await;
    signed_in(&out, "confirmSignIn", DEMO_NEW_PASSWORD_USER);
    let sent = out.iter().find(|l| l["event"] == "exchange").unwrap();
    assert_eq!(
        sent["request"]["ChallengeResponses"]["userAttributes.name"],
        "New Password"
    );
    // The new password is the password now.
    let _ = d.send(json!({"cmd": "sign_out"})).await;
    let out = d
        .send(sign_in(
            DEMO_NEW_PASSWORD_USER,
            Some(NEW_PW),
            "USER_SRP_AUTH",
        ))
        .await;
    signed_in(&out, "signIn", DEMO_NEW_PASSWORD_USER);
    d.close(&["short"]).await;
}

#[tokio::test]
async fn new_password_required_with_missing_required_attributes() {
    let p = Harness::new().await;
    // Only standard attributes can be required.
    let (ok, err) = p
        .admin_raw(
            "CreateUserPool",
            json!({"PoolName": "custom-required",
                   "Schema": [{"Name": "favorite", "AttributeDataType": "String", "Required": true}]}),
        )
        .await;
    assert!(!ok);
    assert_eq!(err["__type"], "InvalidParameterException", "{err}");
    let pool = p
        .admin(
            "CreateUserPool",
            json!({"PoolName": "required-name",
                   "Schema": [{"Name": "name", "AttributeDataType": "String", "Required": true},
                              {"Name": "email", "AttributeDataType": "String", "Required": true}]}),
        )
        .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    let required: Vec<&str> = pool["UserPool"]["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["Required"] == true)
        .map(|a| a["Name"].as_str().unwrap())
        .collect();
    assert_eq!(required, vec!["sub", "email", "name"]);
    let client = p
        .admin(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app",
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    // An administrator may create a user without them; a sign-up may not.
    p.admin(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "lena", "TemporaryPassword": DEMO_TEMP_PASSWORD,
               "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "lena@example.com"}]}),
    )
    .await;
    let mut d = p.driver_for(&pool_id, &client_id);
    let out = d
        .send(
            json!({"cmd": "sign_up", "username": "mona", "password": NEW_PW,
                     "attributes": {"email": "mona@example.com"}}),
        )
        .await;
    let (c, m, _) = the_error(&out);
    assert_eq!(c, "InvalidParameterException");
    assert_eq!(
        m.trim_end(),
        "Attributes did not conform to the schema: name: The attribute is required"
    );

    let out = d
        .send(sign_in("lena", Some(DEMO_TEMP_PASSWORD), "USER_SRP_AUTH"))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED");
    assert_eq!(t["next_step"]["missingAttributes"], json!(["name"]));
    assert_eq!(
        t["challenge_parameters"]["requiredAttributes"],
        "[\"userAttributes.name\"]"
    );
    // Without the attribute: Cognito's error, and the same step can be answered again.
    let out = d.send(answer(NEW_PW)).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Invalid attributes given, name is missing"
        )
    );
    let out = d
        .send(json!({"cmd": "confirm_sign_in", "response": NEW_PW,
                     "attributes": {"name": "Lena Example"}}))
        .await;
    signed_in(&out, "confirmSignIn", "lena");
    let s = out.iter().rev().find(|l| l["event"] == "session").unwrap();
    assert_eq!(s["session"]["id_token_claims"]["name"], "Lena Example");
    d.close(&[]).await;
}

#[tokio::test]
async fn an_expired_new_password_session_gives_session_expired() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_NEW_PASSWORD_USER,
            Some(DEMO_TEMP_PASSWORD),
            "USER_PASSWORD_AUTH",
        ))
        .await;
    the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED");
    p.advance(3 * 60 + 5);
    let out = d.send(answer(NEW_PW)).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NotAuthorizedException", SESSION_EXPIRED)
    );
    d.close(&[]).await;
}

// ------------------------------------------------------------------------ USER_AUTH

#[tokio::test]
async fn first_factor_selection_then_password_or_password_srp() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CUSTOM_CLIENT_ID);
    for (factor, ops) in [
        ("PASSWORD", vec!["RespondToAuthChallenge"]),
        (
            "PASSWORD_SRP",
            vec!["RespondToAuthChallenge", "RespondToAuthChallenge"],
        ),
    ] {
        let out = d.send(sign_in("alice", None, "USER_AUTH")).await;
        let t = the_step(
            &out,
            "signIn",
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        );
        assert_eq!(t["challenge_name"], "SELECT_CHALLENGE");
        let avail = &t["next_step"]["availableChallenges"];
        for c in ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"] {
            assert!(avail.as_array().unwrap().contains(&json!(c)), "{avail}");
        }
        let init = out.iter().find(|l| l["event"] == "exchange").unwrap();
        assert_eq!(init["response"]["AvailableChallenges"], *avail);

        let out = d.send(answer(factor)).await;
        let t = the_step(&out, "confirmSignIn", "CONFIRM_SIGN_IN_WITH_PASSWORD");
        assert!(operations(t).is_empty(), "chosen locally: {t}");
        assert!(!out.iter().any(|l| l["event"] == "exchange"));

        let out = d.send(answer(DEMO_PASSWORD)).await;
        let t = signed_in(&out, "confirmSignIn", "alice");
        assert_eq!(operations(t), ops);
        let first = out.iter().find(|l| l["event"] == "exchange").unwrap();
        assert_eq!(first["request"]["ChallengeName"], "SELECT_CHALLENGE");
        assert_eq!(first["request"]["ChallengeResponses"]["ANSWER"], factor);
        let _ = d.send(json!({"cmd": "sign_out"})).await;
    }
    d.close(&[]).await;
}

#[tokio::test]
async fn first_factor_selection_then_one_time_codes() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CUSTOM_CLIENT_ID);
    for (user, factor, step, medium) in [
        (
            "alice",
            "EMAIL_OTP",
            "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            "EMAIL",
        ),
        (
            DEMO_PHONE_USER,
            "SMS_OTP",
            "CONFIRM_SIGN_IN_WITH_SMS_CODE",
            "SMS",
        ),
    ] {
        let out = d.send(sign_in(user, None, "USER_AUTH")).await;
        let t = the_step(
            &out,
            "signIn",
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        );
        assert!(
            t["next_step"]["availableChallenges"]
                .as_array()
                .unwrap()
                .contains(&json!(factor)),
            "{t}"
        );
        let out = d.send(answer(factor)).await;
        let t = the_step(&out, "confirmSignIn", step);
        assert_eq!(t["challenge_name"], factor);
        code_delivery(t, medium);
        let out = d.send(answer_from_outbox(user)).await;
        signed_in(&out, "confirmSignIn", user);
        let _ = d.send(json!({"cmd": "sign_out"})).await;
    }
    d.close(&[]).await;
}

#[tokio::test]
async fn user_auth_with_a_preferred_challenge() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CUSTOM_CLIENT_ID);
    for (preferred, pw) in [("PASSWORD", true), ("PASSWORD_SRP", true)] {
        let mut cmd = sign_in("bob", pw.then_some(DEMO_PASSWORD), "USER_AUTH");
        cmd["preferred_challenge"] = json!(preferred);
        let out = d.send(cmd).await;
        signed_in(&out, "signIn", "bob");
        let init = out.iter().find(|l| l["event"] == "exchange").unwrap();
        assert_eq!(init["request"]["AuthFlow"], "USER_AUTH");
        assert_eq!(
            init["request"]["AuthParameters"]["PREFERRED_CHALLENGE"],
            preferred
        );
        let _ = d.send(json!({"cmd": "sign_out"})).await;
    }
    for (user, preferred, step) in [
        ("bob", "EMAIL_OTP", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"),
        (DEMO_PHONE_USER, "SMS_OTP", "CONFIRM_SIGN_IN_WITH_SMS_CODE"),
    ] {
        let mut cmd = sign_in(user, None, "USER_AUTH");
        cmd["preferred_challenge"] = json!(preferred);
        let out = d.send(cmd).await;
        let t = the_step(&out, "signIn", step);
        assert_eq!(t["challenge_name"], preferred);
        let out = d.send(answer_from_outbox(user)).await;
        signed_in(&out, "confirmSignIn", user);
        let _ = d.send(json!({"cmd": "sign_out"})).await;
    }
    d.close(&[]).await;
}

#[tokio::test]
async fn a_listed_passkey_is_refused_plainly_and_another_factor_still_works() {
    let p = Harness::new().await;
    p.admin(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}}}),
    )
    .await;
    let mut d = p.driver(DEMO_CUSTOM_CLIENT_ID);
    let out = d.send(sign_in("alice", None, "USER_AUTH")).await;
    let t = the_step(
        &out,
        "signIn",
        "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
    );
    assert!(
        t["next_step"]["availableChallenges"]
            .as_array()
            .unwrap()
            .contains(&json!("WEB_AUTHN")),
        "{t}"
    );
    // A terminal cannot run a passkey ceremony: said plainly, and nothing is sent.
    let out = d.send(answer("WEB_AUTHN")).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(c, "PasskeyNotSupported");
    assert!(m.contains("terminal"), "{m}");
    assert!(!out.iter().any(|l| l["event"] == "exchange"));
    // The selection still stands.
    let out = d.send(answer("EMAIL_OTP")).await;
    the_step(&out, "confirmSignIn", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    let out = d.send(answer_from_outbox("alice")).await;
    signed_in(&out, "confirmSignIn", "alice");
    d.close(&[]).await;
}

#[tokio::test]
async fn a_local_choice_keeps_the_session_and_shows_its_age_until_it_expires() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CUSTOM_CLIENT_ID);
    let out = d.send(sign_in("dave", None, "USER_AUTH")).await;
    let t = the_step(
        &out,
        "signIn",
        "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
    );
    let session = t["session_id"].clone();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // PASSWORD is chosen without a call: the step shows the same Session, older now.
    let out = d.send(answer("PASSWORD")).await;
    let t = the_step(&out, "confirmSignIn", "CONFIRM_SIGN_IN_WITH_PASSWORD");
    assert_eq!(t["session_id"], session);
    assert!(t["session_age_ms"].as_u64().unwrap() >= 1000, "{t}");
    // Cognito's Session has run out meanwhile (3 minutes): the password comes too late.
    p.advance(3 * 60 + 5);
    let out = d.send(answer(DEMO_PASSWORD)).await;
    let (c, m, op) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str(), op.as_str()),
        (
            "NotAuthorizedException",
            SESSION_EXPIRED,
            "RespondToAuthChallenge"
        )
    );

    // The same for a custom challenge.
    let out = d.send(sign_in("dave", None, "CUSTOM_WITHOUT_SRP")).await;
    the_step(&out, "signIn", "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE");
    p.advance(3 * 60 + 5);
    let out = d.send(answer_from_outbox("dave")).await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NotAuthorizedException", SESSION_EXPIRED)
    );
    d.close(&[]).await;
}

// ------------------------------------------------------------------------ account states

#[tokio::test]
async fn confirm_sign_up_reached_from_sign_in() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_UNCONFIRMED_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    let t = the_step(&out, "signIn", "CONFIRM_SIGN_UP");
    assert!(
        t["explanation"]
            .as_str()
            .unwrap()
            .contains("User is not confirmed."),
        "{t}"
    );
    let out = d
        .send(
            json!({"cmd": "confirm_sign_up", "username": DEMO_UNCONFIRMED_USER,
                     "code": "{{outbox}}"}),
        )
        .await;
    the_step(&out, "confirmSignUp", "DONE");
    let out = d
        .send(sign_in(
            DEMO_UNCONFIRMED_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    signed_in(&out, "signIn", DEMO_UNCONFIRMED_USER);
    d.close(&[]).await;
}

#[tokio::test]
async fn reset_password_reached_from_sign_in() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(sign_in(
            DEMO_RESET_USER,
            Some(DEMO_PASSWORD),
            "USER_SRP_AUTH",
        ))
        .await;
    let t = the_step(&out, "signIn", "RESET_PASSWORD");
    let why = t["explanation"].as_str().unwrap();
    assert!(
        why.contains("Password reset required for the user. ") && why.contains("ForgotPassword"),
        "{why}"
    );
    let out = d
        .send(json!({"cmd": "reset_password", "username": DEMO_RESET_USER}))
        .await;
    let t = the_step(&out, "resetPassword", "CONFIRM_RESET_PASSWORD_WITH_CODE");
    code_delivery(t, "EMAIL");
    let out = d
        .send(
            json!({"cmd": "confirm_reset_password", "username": DEMO_RESET_USER,
                     "code": "999999x", "new_password": NEW_PW}),
        )
        .await;
    let (c, m, _) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("CodeMismatchException", INVALID_VERIFICATION_CODE)
    );
    let out = d
        .send(
            json!({"cmd": "confirm_reset_password", "username": DEMO_RESET_USER,
                     "code": "{{outbox}}", "new_password": NEW_PW}),
        )
        .await;
    the_step(&out, "confirmResetPassword", "DONE");
    let out = d
        .send(sign_in(DEMO_RESET_USER, Some(NEW_PW), "USER_SRP_AUTH"))
        .await;
    signed_in(&out, "signIn", DEMO_RESET_USER);
    d.close(&[]).await;
}

#[tokio::test]
async fn an_expired_reset_code_gives_expired_code_exception() {
    let p = Harness::new().await;
    let mut d = p.driver(DEMO_CLIENT_ID);
    let out = d
        .send(json!({"cmd": "reset_password", "username": "dave"}))
        .await;
    the_step(&out, "resetPassword", "CONFIRM_RESET_PASSWORD_WITH_CODE");
    p.advance(3600 + 60);
    let out = d
        .send(json!({"cmd": "confirm_reset_password", "username": "dave",
                     "code": "{{outbox}}", "new_password": NEW_PW}))
        .await;
    let (c, m, op) = the_error(&out);
    assert_eq!(
        (c.as_str(), m.as_str(), op.as_str()),
        (
            "ExpiredCodeException",
            EXPIRED_CODE,
            "ConfirmForgotPassword"
        )
    );
    d.close(&[]).await;
}
