//! Suite 4: OUR client against another Cognito implementation, moto's server (PyPI
//! `moto[server]`, pinned in tests/interop/requirements.txt). Each test starts moto on a free
//! port (tests/interop/moto_serve.py), creates pools and app clients in it with boto3
//! (tests/interop/moto_pools.py), then drives the built binary's headless driver,
//! `cognito-tui run --endpoint … --user-pool-id … --client-id …`, one JSON command at a time.
//!
//! What moto does differently from Cognito is asserted here as moto's behaviour, each with a
//! `MOTO:` note, not as our bug:
//! - MOTO: no code is sent anywhere and ConfirmSignUp accepts any code (Cognito: CodeMismatch).
//! - MOTO: GetTokensFromRefreshToken and RevokeToken are not implemented: HTTP 500 with an HTML
//!   page. Our client falls back to InitiateAuth REFRESH_TOKEN_AUTH and its inspector note says
//!   so; sign-out clears the tokens anyway, as Amplify does.
//! - MOTO: USER_SRP_AUTH is not verified. Its PASSWORD_VERIFIER has a random 128-bit SRP_B, a
//!   SECRET_BLOCK that is the session UUID (not base64) and USER_ID_FOR_SRP = the user's `sub`
//!   (Cognito: the username). Our client refuses to compute a proof from a SECRET_BLOCK that is
//!   not base64 and says so, so the default SRP sign-in stops there (SrpError). (Had it sent a
//!   proof, moto would have looked the `sub` up as a username: UserNotFoundException in a pool
//!   with plain usernames; and it accepts any proof, whatever the password.)
//! - MOTO: MFA_SETUP's MFAS_CAN_SETUP is a JSON list, not the JSON text Cognito sends (our
//!   client reads either); every user gets the same 12-character TOTP secret; a sign-in with
//!   USER_PASSWORD_AUTH never asks to set up MFA in a pool with MFA ON (only after
//!   NEW_PASSWORD_REQUIRED or SRP does it).
//! - MOTO: a wrong TOTP code is `CodeMismatchException` "MFA Code Mismatch" at sign-in and
//!   "Code mismatch (<FriendlyDeviceName>)" at setup (Cognito: "Invalid code received for user").
//!
//! - MOTO: AdminResetUserPassword leaves the user RESET_REQUIRED but the old password still signs
//!   in (Cognito: PasswordResetRequiredException); AdminSetUserMFAPreference refuses TOTP for a
//!   user without a verified software token.
//!
//! The users actor (ListUsers with filters, get_user, list_groups, and `act`: AdminCreateUser,
//! AdminConfirmSignUp, Admin{Disable,Enable}User, AdminUserGlobalSignOut, Admin{Update,Delete}
//! UserAttributes, AdminSetUserPassword, AdminResetUserPassword, CreateGroup,
//! Admin{Add,Remove}UserToGroup, AdminDeleteUser) signs its calls with SigV4 (dummy
//! credentials), as it would for AWS.
//!
//! Needs python3 with moto[server] and boto3 (`pip install -r tests/interop/requirements.txt`).
//! Without them the tests are skipped with a message, except under CI=true where they fail.

mod support;

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::peers::{
    Headless, Moto, interop_dir, moto, moto_ready, peer_available, run_with_limit,
};

const PASSWORD: &str = "Moto-Interop-Passw0rd!";
const TEMP_PASSWORD: &str = "Moto-Temp-Passw0rd!";
const NEW_PASSWORD: &str = "Moto-New-Passw0rd!";
const INVITED: &str = "tina@example.org";

struct Pools {
    username_pool: (String, String),
    email_pool: (String, String),
}

/// moto with the two pools of tests/interop/moto_pools.py (and the invited user).
fn moto_with_pools() -> (Moto, Pools) {
    let server = moto();
    let mut cmd = Command::new("python3");
    cmd.arg(interop_dir().join("moto_pools.py"))
        .env("POOL_ENDPOINT", &server.url)
        .env("INVITED_USER", INVITED)
        .env("TEMP_PASSWORD", TEMP_PASSWORD)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL");
    let out = run_with_limit(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "moto_pools.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("moto_pools.py prints JSON");
    let ids = |k: &str| {
        (
            v[k]["pool_id"].as_str().expect("pool_id").to_string(),
            v[k]["client_id"].as_str().expect("client_id").to_string(),
        )
    };
    let pools = Pools {
        username_pool: ids("username_pool"),
        email_pool: ids("email_pool"),
    };
    (server, pools)
}

fn driver(server: &Moto, (pool, client): &(String, String)) -> Headless {
    Headless::start(&server.url, pool, client)
}

/// The signUpStep / signInStep of every transition, in order.
fn steps(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "transition")
        .map(|e| {
            let s = &e["next_step"];
            s["signInStep"]
                .as_str()
                .or(s["signUpStep"].as_str())
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

fn last_step(events: &[Value]) -> String {
    steps(events).pop().unwrap_or_else(|| {
        panic!("no transition in {}", pretty(events));
    })
}

fn finished_ok(events: &[Value]) -> bool {
    events
        .iter()
        .rev()
        .find(|e| e["event"] == "finished")
        .is_some_and(|e| e["ok"] == true)
}

fn exchanges<'a>(events: &'a [Value], op: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    events
        .iter()
        .filter(move |e| e["event"] == "exchange" && e["operation"] == op)
}

fn pretty(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The error event the command ended with, checked against what moto sent: the same code (the
/// response's `__type`) and the same message. Returns (code, message).
fn error_as_sent(events: &[Value], op: &str) -> (String, String) {
    let err = events
        .iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("no error event in\n{}", pretty(events)));
    let ex = exchanges(events, op)
        .last()
        .unwrap_or_else(|| panic!("no {op} exchange in\n{}", pretty(events)));
    assert_eq!(ex["status"], 400, "{op}: {ex}");
    let sent_code = ex["response"]["__type"].as_str().expect("moto sent __type");
    let sent_message = ex["response"]["message"]
        .as_str()
        .expect("moto sent message");
    assert_eq!(err["code"], sent_code, "error code as moto sent it: {err}");
    assert_eq!(
        err["message"], sent_message,
        "message as moto sent it: {err}"
    );
    assert_eq!(err["operation"], op);
    assert_eq!(ex["error"], sent_code, "the inspector names the error");
    (sent_code.to_string(), sent_message.to_string())
}

fn session_of(events: &[Value]) -> Value {
    events
        .iter()
        .rev()
        .find(|e| e["event"] == "session")
        .map(|e| e["session"].clone())
        .unwrap_or_else(|| panic!("no session event in\n{}", pretty(events)))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// RFC 6238 (SHA-1, 30 s, 6 digits) at unix time `at`. moto's secret is 12 base32 characters
/// (60 bits), under RFC 4226's 128-bit minimum, hence the non-compliant builder.
fn totp_at(secret_b32: &str, at: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_b32.to_ascii_uppercase())
        .unwrap_or_else(|e| panic!("the TOTP secret {secret_b32:?} is not base32: {e:?}"));
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build_noncompliant()
        .generate(at)
        .to_string()
}

/// A code for the current step with time left to use it: moto checks the current step only.
fn fresh_totp(secret: &str) -> String {
    if now_secs() % 30 > 24 {
        std::thread::sleep(Duration::from_secs(31 - now_secs() % 30));
    }
    totp_at(secret, now_secs())
}

/// A code no nearby step produces.
fn wrong_totp(secret: &str) -> String {
    let now = now_secs();
    let near: Vec<String> = (0..=4)
        .map(|k| totp_at(secret, now + k * 30 - 60))
        .collect();
    (0..10u32)
        .map(|d| format!("{d}{d}{d}{d}{d}{d}"))
        .find(|c| !near.contains(c))
        .expect("a wrong code")
}

#[test]
fn sign_up_confirm_password_sign_in_refresh_fallback_and_errors_against_moto() {
    if !peer_available("interop_moto", moto_ready()) {
        return;
    }
    let (server, pools) = moto_with_pools();
    let mut h = driver(&server, &pools.username_pool);

    // Sign-up: moto mails nothing but says where it would have.
    let ev = h.auth(
        json!({"cmd": "sign_up", "username": "mia", "password": PASSWORD,
                           "attributes": {"email": "mia@example.org"}}),
    );
    assert_eq!(last_step(&ev), "CONFIRM_SIGN_UP", "{}", pretty(&ev));
    let t = ev.iter().find(|e| e["event"] == "transition").unwrap();
    assert_eq!(
        t["next_step"]["codeDeliveryDetails"]["deliveryMedium"],
        "EMAIL"
    );
    assert_eq!(
        t["next_step"]["codeDeliveryDetails"]["attributeName"],
        "email"
    );

    // An unconfirmed user's sign-in: Amplify's CONFIRM_SIGN_UP step, from moto's
    // UserNotConfirmedException (which, as Cognito, moto sends only for the right password).
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "mia", "password": PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(last_step(&ev), "CONFIRM_SIGN_UP", "{}", pretty(&ev));
    let ex = exchanges(&ev, "InitiateAuth").last().unwrap();
    assert_eq!(ex["response"]["__type"], "UserNotConfirmedException");

    // MOTO: no code was sent, and any code confirms.
    let ev = h.auth(json!({"cmd": "confirm_sign_up", "username": "mia", "code": "000000"}));
    assert_eq!(last_step(&ev), "DONE", "{}", pretty(&ev));
    assert!(finished_ok(&ev));

    // Errors, shown as moto sent them.
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "mia", "password": "Wrong-Passw0rd!",
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert!(!finished_ok(&ev));
    let (code, message) = error_as_sent(&ev, "InitiateAuth");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "nobody", "password": PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    let (code, message) = error_as_sent(&ev, "InitiateAuth");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let ev = h.auth(json!({"cmd": "sign_up", "username": "mia", "password": PASSWORD}));
    let (code, _) = error_as_sent(&ev, "SignUp");
    assert_eq!(code, "UsernameExistsException");

    // USER_PASSWORD_AUTH (Amplify's authFlowType) signs in.
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "mia", "password": PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(last_step(&ev), "DONE", "{}", pretty(&ev));
    let ex = exchanges(&ev, "InitiateAuth").last().unwrap();
    assert_eq!(ex["request"]["AuthFlow"], "USER_PASSWORD_AUTH");
    assert_eq!(ex["request"]["AuthParameters"]["PASSWORD"], "***");
    let before = session_of(&ev);
    assert_eq!(before["username"], "mia");
    assert_eq!(before["auth_flow"], "USER_PASSWORD_AUTH");

    // fetchAuthSession({forceRefresh}): MOTO lacks GetTokensFromRefreshToken (HTTP 500, HTML);
    // the client falls back to REFRESH_TOKEN_AUTH and the exchange's note says so.
    std::thread::sleep(Duration::from_millis(1100));
    let ev = h.auth(json!({"cmd": "fetch_session", "force_refresh": true}));
    assert!(finished_ok(&ev), "refresh failed:\n{}", pretty(&ev));
    let failed = exchanges(&ev, "GetTokensFromRefreshToken").next().unwrap();
    assert_eq!(failed["status"], 500);
    assert_eq!(failed["error"], "InvalidResponse");
    let fallback = exchanges(&ev, "InitiateAuth").next().unwrap();
    assert_eq!(fallback["request"]["AuthFlow"], "REFRESH_TOKEN_AUTH");
    assert_eq!(fallback["status"], 200);
    let notes: Vec<&str> = fallback["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notes.iter().any(|n| n.contains(
            "GetTokensFromRefreshToken is not available here (InvalidResponse, HTTP 500); fell back to InitiateAuth REFRESH_TOKEN_AUTH"
        )),
        "inspector notes: {notes:?}"
    );
    assert!(!ev.iter().any(|e| e["event"] == "error"), "{}", pretty(&ev));
    let after = session_of(&ev);
    assert_ne!(
        after["access_token_claims"]["jti"], before["access_token_claims"]["jti"],
        "a new access token"
    );
    assert!(
        after["access_token_claims"]["iat"].as_i64()
            > before["access_token_claims"]["iat"].as_i64()
    );
    // REFRESH_TOKEN_AUTH returns no refresh token: the old one is kept.
    assert_eq!(
        after["refresh_token_abbrev"],
        before["refresh_token_abbrev"]
    );
    assert!(after["refreshed_at_ms"].is_i64());

    // signOut: MOTO lacks RevokeToken; tokens are cleared anyway, as Amplify does.
    let ev = h.auth(json!({"cmd": "sign_out"}));
    assert!(finished_ok(&ev));
    assert_eq!(exchanges(&ev, "RevokeToken").next().unwrap()["status"], 500);
    assert_eq!(session_of(&ev), Value::Null);

    // signOut global: GlobalSignOut, which moto has.
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "mia", "password": PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(last_step(&ev), "DONE");
    let ev = h.auth(json!({"cmd": "sign_out", "global": true}));
    assert!(finished_ok(&ev));
    assert_eq!(
        exchanges(&ev, "GlobalSignOut").next().unwrap()["status"],
        200
    );
    assert_eq!(session_of(&ev), Value::Null);

    assert!(
        !h.transcript.contains(PASSWORD) && !h.transcript.contains("Wrong-Passw0rd!"),
        "a password reached the output"
    );
}

#[test]
fn default_srp_sign_in_against_moto_stops_with_a_clear_reason() {
    if !peer_available("interop_moto", moto_ready()) {
        return;
    }
    let (server, pools) = moto_with_pools();
    let mut h = driver(&server, &pools.username_pool);
    let ev = h.auth(
        json!({"cmd": "sign_up", "username": "sam", "password": PASSWORD,
                           "attributes": {"email": "sam@example.org"}}),
    );
    assert!(finished_ok(&ev));
    h.auth(json!({"cmd": "confirm_sign_up", "username": "sam", "code": "123456"}));

    // The default flow (USER_SRP_AUTH, as Amplify's signIn).
    let ev = h.auth(json!({"cmd": "sign_in", "username": "sam", "password": PASSWORD}));
    let start = exchanges(&ev, "InitiateAuth").next().unwrap();
    assert_eq!(start["request"]["AuthFlow"], "USER_SRP_AUTH");
    assert_eq!(start["response"]["ChallengeName"], "PASSWORD_VERIFIER");
    let params = &start["response"]["ChallengeParameters"];
    // MOTO: USER_ID_FOR_SRP is the sub (Cognito: the username), SRP_B a random 128-bit value.
    let sub = params["USER_ID_FOR_SRP"].as_str().unwrap();
    assert_ne!(sub, "sam");
    assert_eq!(params["USERNAME"], "sam");
    // The exchange abbreviates SRP_B, with its full length.
    assert!(
        params["SRP_B"].as_str().unwrap().ends_with("…(32 chars)"),
        "{params}"
    );
    // MOTO: SECRET_BLOCK is the session's UUID, not base64: no proof can be computed from it,
    // and our client says so instead of sending a made-up one.
    assert!(!finished_ok(&ev));
    let err = ev.iter().find(|e| e["event"] == "error").unwrap();
    assert_eq!(err["code"], "SrpError", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("SECRET_BLOCK is not valid base64"),
        "{err}"
    );
    assert_eq!(
        exchanges(&ev, "RespondToAuthChallenge").count(),
        0,
        "no proof was sent"
    );
    assert!(!h.transcript.contains(PASSWORD));
}

#[test]
fn totp_mfa_setup_and_sign_in_with_a_computed_code_against_moto() {
    if !peer_available("interop_moto", moto_ready()) {
        return;
    }
    let (server, pools) = moto_with_pools();
    let mut h = driver(&server, &pools.email_pool);

    // The invited user (AdminCreateUser) signs in with the temporary password.
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": INVITED, "password": TEMP_PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(
        last_step(&ev),
        "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
        "{}",
        pretty(&ev)
    );
    // The new password; the pool has MFA ON, so moto asks to set up TOTP (MFA_SETUP) and the
    // client calls AssociateSoftwareToken with the Session, as Amplify does.
    let ev = h.auth(json!({"cmd": "confirm_sign_in", "response": NEW_PASSWORD}));
    assert_eq!(
        last_step(&ev),
        "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        "{}",
        pretty(&ev)
    );
    let mfa_setup = exchanges(&ev, "RespondToAuthChallenge").next().unwrap();
    assert_eq!(mfa_setup["response"]["ChallengeName"], "MFA_SETUP");
    // MOTO: a JSON list where Cognito sends JSON text; the client reads it as Cognito's text.
    assert_eq!(
        mfa_setup["response"]["ChallengeParameters"]["MFAS_CAN_SETUP"],
        json!(["SOFTWARE_TOKEN_MFA"])
    );
    let t = ev.iter().rfind(|e| e["event"] == "transition").unwrap();
    assert_eq!(
        t["challenge_parameters"]["MFAS_CAN_SETUP"],
        r#"["SOFTWARE_TOKEN_MFA"]"#
    );
    assert_eq!(exchanges(&ev, "AssociateSoftwareToken").count(), 1);
    let details = &t["next_step"]["totpSetupDetails"];
    let secret = details["sharedSecret"].as_str().unwrap().to_string();
    assert!(
        details["setupUri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
            && details["setupUri"]
                .as_str()
                .unwrap()
                .contains(&format!("secret={secret}")),
        "{details}"
    );

    // A wrong code is refused as moto says (VerifySoftwareToken); the right one completes.
    let ev = h.auth(json!({"cmd": "confirm_sign_in", "response": wrong_totp(&secret)}));
    assert!(!finished_ok(&ev));
    let (code, message) = error_as_sent(&ev, "VerifySoftwareToken");
    assert_eq!(code, "CodeMismatchException");
    assert!(message.starts_with("Code mismatch"), "{message}");
    let ev = h.auth(json!({"cmd": "confirm_sign_in", "response": fresh_totp(&secret)}));
    assert_eq!(last_step(&ev), "DONE", "{}", pretty(&ev));
    let verify = exchanges(&ev, "VerifySoftwareToken").next().unwrap();
    assert_eq!(verify["response"]["Status"], "SUCCESS");
    let answer = exchanges(&ev, "RespondToAuthChallenge").next().unwrap();
    assert_eq!(answer["request"]["ChallengeName"], "MFA_SETUP");
    assert!(session_of(&ev).is_object());
    h.auth(json!({"cmd": "sign_out"}));

    // The next sign-in asks for a TOTP code: CONFIRM_SIGN_IN_WITH_TOTP_CODE.
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": INVITED, "password": NEW_PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(
        last_step(&ev),
        "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
        "{}",
        pretty(&ev)
    );
    let ev = h.auth(json!({"cmd": "confirm_sign_in", "response": wrong_totp(&secret)}));
    let (code, message) = error_as_sent(&ev, "RespondToAuthChallenge");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("CodeMismatchException", "MFA Code Mismatch")
    );
    // As in Amplify, the sign-in survives a wrong code: the right one finishes it.
    let ev = h.auth(json!({"cmd": "confirm_sign_in", "response": fresh_totp(&secret)}));
    assert_eq!(last_step(&ev), "DONE", "{}", pretty(&ev));
    let answer = exchanges(&ev, "RespondToAuthChallenge").next().unwrap();
    assert_eq!(answer["request"]["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let session = session_of(&ev);
    assert_eq!(session["id_token_claims"]["email"], INVITED);

    for secret_text in [TEMP_PASSWORD, NEW_PASSWORD] {
        assert!(
            !h.transcript.contains(secret_text),
            "a password reached the output"
        );
    }
}

#[test]
fn users_actor_lists_and_filters_moto_users() {
    if !peer_available("interop_moto", moto_ready()) {
        return;
    }
    let (server, pools) = moto_with_pools();
    let mut h = driver(&server, &pools.username_pool);
    for (name, mail) in [("ann", "ann@example.org"), ("bob", "bob@example.net")] {
        let ev = h.auth(
            json!({"cmd": "sign_up", "username": name, "password": PASSWORD,
                               "attributes": {"email": mail}}),
        );
        assert!(finished_ok(&ev), "{}", pretty(&ev));
    }
    h.auth(json!({"cmd": "confirm_sign_up", "username": "ann", "code": "111111"}));

    let page = |ev: &[Value]| -> Vec<(String, String)> {
        let p = ev
            .iter()
            .find(|e| e["event"] == "users_page")
            .unwrap_or_else(|| panic!("no users_page in\n{}", pretty(ev)));
        let mut users: Vec<(String, String)> = p["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["username"].as_str().unwrap().to_string(),
                    u["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        users.sort();
        users
    };
    let ev = h.admin(json!({"cmd": "list_users"}));
    assert_eq!(
        page(&ev),
        vec![
            ("ann".to_string(), "CONFIRMED".to_string()),
            ("bob".to_string(), "UNCONFIRMED".to_string())
        ]
    );
    let ex = exchanges(&ev, "ListUsers").next().unwrap();
    assert_eq!(ex["request"]["UserPoolId"], pools.username_pool.0);
    let ev = h.admin(json!({"cmd": "list_users", "filter": "email ^= \"bob@\""}));
    assert_eq!(
        page(&ev),
        vec![("bob".to_string(), "UNCONFIRMED".to_string())]
    );
    let ev = h.admin(json!({"cmd": "list_users", "filter": "cognito:user_status = \"CONFIRMED\""}));
    assert_eq!(
        page(&ev),
        vec![("ann".to_string(), "CONFIRMED".to_string())]
    );

    // A filter moto cannot parse: the error as moto sent it.
    let ev = h.admin(json!({"cmd": "list_users", "filter": "custom:team = \"x\""}));
    let err = ev.iter().find(|e| e["event"] == "error").unwrap();
    let ex = exchanges(&ev, "ListUsers").last().unwrap();
    assert_eq!(err["code"], ex["response"]["__type"]);
    assert_eq!(err["message"], ex["response"]["message"]);
    assert_eq!(err["code"], "InvalidParameterException");
}

/// One `act` command; returns the `action_done` event (panics on `action_failed`).
fn act(h: &mut Headless, action: Value) -> Value {
    let ev = h.admin(json!({"cmd": "act", "action": action}));
    let last = ev.last().unwrap().clone();
    assert_eq!(last["event"], "action_done", "{}", pretty(&ev));
    last
}

/// One `act` command that moto refuses; the failure as moto sent it: (operation, code, message).
fn act_refused(h: &mut Headless, action: Value) -> (String, String, String) {
    let ev = h.admin(json!({"cmd": "act", "action": action}));
    let last = ev.last().unwrap();
    assert_eq!(last["event"], "action_failed", "{}", pretty(&ev));
    let op = last["operation"].as_str().unwrap();
    let ex = exchanges(&ev, op).last().expect("the failed exchange");
    assert_eq!(
        last["code"], ex["response"]["__type"],
        "code as moto sent it"
    );
    assert_eq!(
        last["message"], ex["response"]["message"],
        "message as moto sent it"
    );
    (
        op.to_string(),
        last["code"].as_str().unwrap().to_string(),
        last["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn users_actor_administers_moto_users_and_groups() {
    if !peer_available("interop_moto", moto_ready()) {
        return;
    }
    let (server, pools) = moto_with_pools();
    let mut h = driver(&server, &pools.username_pool);
    let ev = h.auth(
        json!({"cmd": "sign_up", "username": "ann", "password": PASSWORD,
                           "attributes": {"email": "ann@example.org"}}),
    );
    assert!(finished_ok(&ev), "{}", pretty(&ev));
    let ev = h.auth(
        json!({"cmd": "sign_up", "username": "bob", "password": PASSWORD,
                           "attributes": {"email": "bob@example.net"}}),
    );
    assert!(finished_ok(&ev), "{}", pretty(&ev));

    // AdminConfirmSignUp, then the detail (AdminGetUser + AdminListGroupsForUser).
    let done = act(
        &mut h,
        json!({"action": "confirm_sign_up", "username": "ann"}),
    );
    assert_eq!(done["user"]["status"], "CONFIRMED", "{done}");
    let ev = h.admin(json!({"cmd": "get_user", "username": "ann"}));
    let detail = &ev.last().unwrap()["detail"];
    assert_eq!(detail["user"]["username"], "ann", "{detail}");
    assert_eq!(detail["user"]["attributes"]["email"], "ann@example.org");
    assert_eq!(detail["groups"], json!([]), "{detail}");

    // Groups: CreateGroup, ListGroups, AdminAddUserToGroup, and back out.
    // CreateGroup is answered by `action_done`, then the fresh group list.
    let ev = h.admin_until(
        json!({"cmd": "act", "action": {"action": "create_group", "group": "team",
                                        "description": "the team", "precedence": 3}}),
        |e| e["event"] == "groups" || e["event"] == "action_failed" || e["event"] == "error",
    );
    assert!(
        ev.iter().any(|e| e["event"] == "action_done"),
        "{}",
        pretty(&ev)
    );
    assert_eq!(
        ev.last().unwrap()["groups"][0]["name"],
        "team",
        "{}",
        pretty(&ev)
    );
    let ev = h.admin(json!({"cmd": "list_groups"}));
    let groups = &ev.last().unwrap()["groups"];
    assert_eq!(groups[0]["name"], "team", "{groups}");
    assert_eq!(groups[0]["description"], "the team");
    assert_eq!(groups[0]["precedence"], 3);
    act(
        &mut h,
        json!({"action": "add_to_group", "username": "ann", "group": "team"}),
    );
    let ev = h.admin(json!({"cmd": "get_user", "username": "ann"}));
    assert_eq!(ev.last().unwrap()["detail"]["groups"][0]["name"], "team");
    act(
        &mut h,
        json!({"action": "remove_from_group", "username": "ann", "group": "team"}),
    );
    let ev = h.admin(json!({"cmd": "get_user", "username": "ann"}));
    assert_eq!(ev.last().unwrap()["detail"]["groups"], json!([]));

    // AdminDisableUser: the sign-in is refused as moto says; AdminEnableUser lets it in again.
    let done = act(&mut h, json!({"action": "disable", "username": "ann"}));
    assert_eq!(done["user"]["enabled"], false, "{done}");
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "ann", "password": PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    let (code, message) = error_as_sent(&ev, "InitiateAuth");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "User is disabled.")
    );
    let done = act(&mut h, json!({"action": "enable", "username": "ann"}));
    assert_eq!(done["user"]["enabled"], true);
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "ann", "password": PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(last_step(&ev), "DONE", "{}", pretty(&ev));
    act(
        &mut h,
        json!({"action": "global_sign_out", "username": "ann"}),
    );
    h.auth(json!({"cmd": "sign_out"}));

    // AdminUpdateUserAttributes / AdminDeleteUserAttributes.
    let done = act(
        &mut h,
        json!({"action": "update_attributes", "username": "ann",
                                  "attributes": {"name": "Ann Example"}}),
    );
    assert_eq!(done["user"]["attributes"]["name"], "Ann Example", "{done}");
    let done = act(
        &mut h,
        json!({"action": "delete_attributes", "username": "ann",
                                  "names": ["name"]}),
    );
    assert!(done["user"]["attributes"].get("name").is_none(), "{done}");

    // AdminCreateUser with a temporary password: our client then gets NEW_PASSWORD_REQUIRED.
    let done = act(
        &mut h,
        json!({"action": "create", "username": "cid",
                                  "attributes": {"email": "cid@example.org"},
                                  "temporary_password": TEMP_PASSWORD,
                                  "suppress_invitation": true}),
    );
    assert_eq!(done["user"]["status"], "FORCE_CHANGE_PASSWORD", "{done}");
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "cid", "password": TEMP_PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(last_step(&ev), "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED");
    h.auth(json!({"cmd": "cancel_sign_in"}));
    // AdminSetUserPassword (permanent): the new password signs in.
    let done = act(
        &mut h,
        json!({"action": "set_password", "username": "cid",
                                  "password": NEW_PASSWORD, "permanent": true}),
    );
    assert_eq!(done["user"]["status"], "CONFIRMED", "{done}");
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "cid", "password": NEW_PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(last_step(&ev), "DONE", "{}", pretty(&ev));
    h.auth(json!({"cmd": "sign_out"}));

    // AdminResetUserPassword needs a verified email or phone (as in Cognito): verify it first.
    // MOTO: the user is then RESET_REQUIRED, yet the old password still signs in (Cognito:
    // PasswordResetRequiredException, Amplify's RESET_PASSWORD step).
    let (_, code, _) = act_refused(
        &mut h,
        json!({"action": "reset_password", "username": "cid"}),
    );
    assert_eq!(code, "InvalidParameterException");
    act(
        &mut h,
        json!({"action": "update_attributes", "username": "cid",
               "attributes": {"email_verified": "true"}}),
    );
    let done = act(
        &mut h,
        json!({"action": "reset_password", "username": "cid"}),
    );
    assert_eq!(done["user"]["status"], "RESET_REQUIRED", "{done}");
    let ev = h.auth(
        json!({"cmd": "sign_in", "username": "cid", "password": NEW_PASSWORD,
                           "flow": "USER_PASSWORD_AUTH"}),
    );
    assert_eq!(last_step(&ev), "DONE", "MOTO: {}", pretty(&ev));
    h.auth(json!({"cmd": "sign_out"}));

    // MOTO: AdminSetUserMFAPreference for TOTP needs a verified software token first; the
    // refusal is shown as moto sent it.
    let (op, code, message) = act_refused(
        &mut h,
        json!({"action": "set_mfa_preference", "username": "bob",
               "enabled": ["SOFTWARE_TOKEN_MFA"], "preferred": "SOFTWARE_TOKEN_MFA"}),
    );
    assert_eq!(op, "AdminSetUserMFAPreference");
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "User has not verified software token mfa");

    // An unknown user: the failure as moto sent it.
    let (_, code, message) = act_refused(&mut h, json!({"action": "disable", "username": "zed"}));
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );

    // AdminDeleteUser: gone from ListUsers.
    let done = act(&mut h, json!({"action": "delete", "username": "bob"}));
    assert_eq!(done["user"], Value::Null);
    let ev = h.admin(json!({"cmd": "list_users"}));
    let names: Vec<&str> = ev.iter().find(|e| e["event"] == "users_page").unwrap()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"bob") && names.contains(&"ann"),
        "{names:?}"
    );
    // The admin calls were SigV4-signed with the (dummy) credentials, as for AWS.
    let ex = exchanges(&ev, "ListUsers").next().unwrap();
    assert!(
        ex["notes"].as_array().is_some_and(|n| n.iter().any(|n| n
            .as_str()
            .is_some_and(|n| n.starts_with("SigV4 Authorization: AWS4-HMAC-SHA256")))),
        "{ex}"
    );
    for secret_text in [PASSWORD, TEMP_PASSWORD, NEW_PASSWORD] {
        assert!(
            !h.transcript.contains(secret_text),
            "a password reached the output"
        );
    }
}
