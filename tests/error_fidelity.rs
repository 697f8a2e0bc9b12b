//! Error fidelity: a table of Cognito error cases (PROTOCOL.md §3 and §6), each sent to the
//! embedded pool over HTTP and compared exactly with what Cognito answers: HTTP status, `__type`
//! and `message`, plus the `x-amzn-ErrorType: <T>:` and `x-amzn-RequestId` headers, the
//! `application/x-amz-json-1.1` content type and a body with no other members.
//!
//! Every row names its source: [OBS] strings captured from real Cognito responses, [DG] the
//! developer guide, [M] botocore's model (validation wording), [BC] botocore's protocol parser.
//! Rows marked UNVERIFIED are where PROTOCOL.md found no primary source; the comment says what
//! the embedded pool chose.
//!
//! Cases run in table order on one pool; the clock-moving ones (expired Session, access token,
//! code, refresh token) come last.

mod support;

mod api_model;

use std::collections::BTreeMap;

use cognito_tui::local::LocalPool;
use cognito_tui::srp::{self, ClientEphemeral};
use serde_json::{Value, json};
use support::http::{self, Resp};

const GOOD_PW: &str = "Fidelity-Passw0rd!";

struct World {
    pool: LocalPool,
    http: reqwest::Client,
    offset: i64,
    model: Option<api_model::Model>,
    /// Every response checked against the API model, for the summary.
    checked: usize,
    pool_id: String,
    legacy: String,
    enabled: String,
    srp_only: String,
    with_secret: String,
    secret: String,
}

impl World {
    async fn raw(&mut self, target: Option<&str>, body: Vec<u8>) -> Resp {
        // Admin operations are signed, as an AWS SDK signs them.
        let r = http::post(
            &self.http,
            self.pool.base_url(),
            "application/x-amz-json-1.1",
            target,
            body,
        )
        .send()
        .await
        .expect("the pool answers");
        Resp::read(r).await
    }

    /// One operation; the response (success or error) is checked against the API model.
    async fn call(&mut self, op: &str, body: Value) -> Resp {
        self.call_checked(op, body, true).await
    }

    /// `check_input` false: the request breaks the model on purpose (validation errors).
    async fn call_checked(&mut self, op: &str, body: Value, check_input: bool) -> Resp {
        if let Some(m) = self.model.as_ref().filter(|_| check_input) {
            let problems = m.validate_input(op, &body);
            assert!(
                problems.is_empty(),
                "test bug: {op} request breaks the model: {problems:?}"
            );
        }
        let target = format!("AWSCognitoIdentityProviderService.{op}");
        let r = self.raw(Some(&target), body.to_string().into_bytes()).await;
        if let Some(m) = &self.model {
            let problems = if r.status == 200 {
                m.validate_output(op, &r.body)
            } else {
                m.validate_error(op, &r.body)
            };
            assert!(
                problems.is_empty(),
                "{op} response breaks Cognito's API model: {problems:?}\n{}",
                redacted(&r)
            );
            self.checked += 1;
        }
        r
    }

    async fn ok(&mut self, op: &str, body: Value) -> Value {
        let r = self.call(op, body).await;
        assert_eq!(r.status, 200, "setup call {op} failed: {}", redacted(&r));
        r.body
    }

    fn advance(&mut self, secs: i64) {
        self.pool.advance_clock(secs);
        self.offset += secs;
    }

    fn timestamp(&self) -> String {
        srp::format_timestamp(
            time::OffsetDateTime::now_utc() + time::Duration::seconds(self.offset),
        )
    }

    async fn sign_up(&mut self, client: &str, username: &str) {
        let body = json!({"ClientId": client, "Username": username, "Password": GOOD_PW,
            "UserAttributes": [{"Name": "email", "Value": format!("{username}@fidelity.example.org")}]});
        self.ok("SignUp", body).await;
    }

    async fn confirmed_user(&mut self, username: &str) {
        let client = self.legacy.clone();
        self.sign_up(&client, username).await;
        let pool = self.pool_id.clone();
        self.ok(
            "AdminConfirmSignUp",
            json!({"UserPoolId": pool, "Username": username}),
        )
        .await;
    }

    async fn password_tokens(&mut self, username: &str) -> (String, String) {
        let client = self.legacy.clone();
        let r = self
            .ok(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": username, "PASSWORD": GOOD_PW}}),
            )
            .await;
        let a = &r["AuthenticationResult"];
        (
            a["AccessToken"].as_str().unwrap().to_string(),
            a["RefreshToken"].as_str().unwrap().to_string(),
        )
    }

    /// USER_SRP_AUTH: returns the RespondToAuthChallenge body answering PASSWORD_VERIFIER with
    /// `password` (right or wrong).
    async fn srp_answer(&mut self, client: &str, username: &str, password: &str) -> Value {
        let eph = ClientEphemeral::generate();
        let init = self
            .ok(
                "InitiateAuth",
                json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": username, "SRP_A": eph.a_hex()}}),
            )
            .await;
        assert_eq!(init["ChallengeName"], "PASSWORD_VERIFIER", "{init}");
        let p = &init["ChallengeParameters"];
        let user_id = p["USER_ID_FOR_SRP"].as_str().unwrap();
        let claim = eph
            .password_claim(
                srp::pool_name(&self.pool_id),
                user_id,
                password,
                p["SALT"].as_str().unwrap(),
                p["SRP_B"].as_str().unwrap(),
                p["SECRET_BLOCK"].as_str().unwrap(),
                &self.timestamp(),
            )
            .unwrap();
        json!({
            "ClientId": client,
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": init["Session"],
            "ChallengeResponses": {
                "USERNAME": user_id,
                "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": claim.signature,
                "TIMESTAMP": claim.timestamp,
            }
        })
    }

    async fn latest_code(&self, username: &str) -> String {
        let entries = self.pool.outbox().await.unwrap();
        entries
            .iter()
            .rev()
            .find(|e| e.username == username && e.pool_id == self.pool_id)
            .unwrap_or_else(|| panic!("no outbox entry for {username}"))
            .code
            .clone()
    }
}

/// What a failure message may show of a response: an error body in full, a success body only
/// as its member names (it may hold tokens, which never reach test output).
fn redacted(r: &Resp) -> String {
    match r.body.as_object() {
        Some(o) if o.contains_key("__type") => r.raw.clone(),
        Some(o) => format!(
            "a {} response with members {:?}",
            r.status,
            o.keys().collect::<Vec<_>>()
        ),
        None => format!("a {} response that is not a JSON object", r.status),
    }
}

/// How a row's request is made.
enum Req {
    /// One operation with this body.
    Op(&'static str, Value),
    /// A raw POST: this X-Amz-Target (None = header missing) and body bytes.
    Raw(Option<String>, Vec<u8>),
    /// USER_SRP_AUTH, then RespondToAuthChallenge (the checked call) with this password.
    Srp {
        client: String,
        username: String,
        password: String,
    },
    /// A successful SRP sign-in, then the same RespondToAuthChallenge again (checked).
    SrpReplay { client: String, username: String },
    /// USER_SRP_AUTH, the clock moves `secs`, then the right answer (checked).
    SrpLate {
        client: String,
        username: String,
        secs: i64,
    },
}

struct Case {
    name: &'static str,
    /// Calls made first, and whether each must succeed (true) or fail (false).
    before: Vec<(&'static str, Value, bool)>,
    /// Seconds the pool clock moves before the request.
    advance: i64,
    /// The request breaks the API model on purpose (validation-error rows).
    invalid_request: bool,
    req: Req,
    status: u16,
    kind: &'static str,
    message: String,
    source: &'static str,
}

fn case(
    name: &'static str,
    req: Req,
    kind: &'static str,
    message: impl Into<String>,
    source: &'static str,
) -> Case {
    Case {
        name,
        before: Vec::new(),
        advance: 0,
        invalid_request: false,
        req,
        status: 400,
        kind,
        message: message.into(),
        source,
    }
}

impl Case {
    /// Calls that must succeed first.
    fn before(mut self, calls: Vec<(&'static str, Value)>) -> Self {
        self.before = calls.into_iter().map(|(o, b)| (o, b, true)).collect();
        self
    }
    /// Calls that must fail first (e.g. wrong passwords before a lockout).
    fn before_failing(mut self, calls: Vec<(&'static str, Value)>) -> Self {
        self.before = calls.into_iter().map(|(o, b)| (o, b, false)).collect();
        self
    }
    fn breaks_model(mut self) -> Self {
        self.invalid_request = true;
        self
    }
    fn after_seconds(mut self, secs: i64) -> Self {
        self.advance = secs;
        self
    }
}

fn password_auth(client: &str, username: &str, password: &str) -> Req {
    Req::Op(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
    )
}

fn sign_up_with(client: &str, username: &str, password: &str) -> Req {
    Req::Op(
        "SignUp",
        json!({"ClientId": client, "Username": username, "Password": password,
               "UserAttributes": [{"Name": "email", "Value": "policy@fidelity.example.org"}]}),
    )
}

fn validation(member: &str) -> String {
    format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
         Member must not be null"
    )
}

async fn world() -> (World, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let pool = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    let model = api_model::Model::load_or_skip("error_fidelity");
    let mut w = World {
        pool,
        http: reqwest::Client::new(),
        offset: 0,
        model,
        checked: 0,
        pool_id: String::new(),
        legacy: String::new(),
        enabled: String::new(),
        srp_only: String::new(),
        with_secret: String::new(),
        secret: String::new(),
    };
    let created = w
        .ok(
            "CreateUserPool",
            json!({
                "PoolName": "fidelity",
                "AutoVerifiedAttributes": ["email"],
                "Policies": {"PasswordPolicy": {
                    "MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
                    "RequireNumbers": true, "RequireSymbols": true}},
            }),
        )
        .await;
    w.pool_id = created["UserPool"]["Id"].as_str().unwrap().to_string();
    let all_flows = json!([
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH"
    ]);
    let pool_id = w.pool_id.clone();
    let client = async |w: &mut World, extra: Value| -> (String, Option<String>) {
        let mut body = json!({"UserPoolId": pool_id, "ClientName": "fidelity"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let c = w.ok("CreateUserPoolClient", body).await;
        let c = &c["UserPoolClient"];
        (
            c["ClientId"].as_str().unwrap().to_string(),
            c["ClientSecret"].as_str().map(str::to_string),
        )
    };
    w.legacy = client(
        &mut w,
        json!({"ExplicitAuthFlows": all_flows, "PreventUserExistenceErrors": "LEGACY"}),
    )
    .await
    .0;
    w.enabled = client(
        &mut w,
        json!({"ExplicitAuthFlows": all_flows, "PreventUserExistenceErrors": "ENABLED"}),
    )
    .await
    .0;
    w.srp_only = client(
        &mut w,
        json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await
    .0;
    let (id, secret) = client(
        &mut w,
        json!({"ExplicitAuthFlows": all_flows, "GenerateSecret": true}),
    )
    .await;
    w.with_secret = id;
    w.secret = secret.expect("GenerateSecret gives a ClientSecret");
    (w, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_pool_answers_errors_exactly_as_cognito() {
    let (mut w, _dir) = world().await;
    let legacy = w.legacy.clone();
    let enabled = w.enabled.clone();
    let srp_only = w.srp_only.clone();
    let with_secret = w.with_secret.clone();
    let pool_id = w.pool_id.clone();

    // Users: confirmed ones for sign-in cases, unconfirmed ones for sign-up codes.
    for u in [
        "ann", "ben", "lou", "dis", "gso", "rev", "ses", "exp", "old", "sec", "chg", "otp",
    ] {
        w.confirmed_user(u).await;
    }
    // A user whose email is verified (confirmed with the emailed code), so an admin can reset it.
    w.sign_up(&legacy, "rst").await;
    let rst_code = w.latest_code("rst").await;
    w.ok(
        "ConfirmSignUp",
        json!({"ClientId": legacy, "Username": "rst", "ConfirmationCode": rst_code}),
    )
    .await;
    w.sign_up(&legacy, "una").await;
    w.sign_up(&legacy, "late").await;
    let una_code = w.latest_code("una").await;
    let wrong_code = if una_code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (gso_access, _) = w.password_tokens("gso").await;
    let (chg_access, _) = w.password_tokens("chg").await;
    let (totp_access, _) = w.password_tokens("otp").await;
    let (_, rev_refresh) = w.password_tokens("rev").await;
    let (exp_access, _) = w.password_tokens("exp").await;
    let (_, old_refresh) = w.password_tokens("old").await;
    let good_hash = srp::secret_hash("sec", &with_secret, &w.secret);
    let bad_hash = srp::secret_hash("sec", &with_secret, "not-the-secret");

    let incorrect = "Incorrect username or password.";
    let cases = vec![
        // --- sign-in
        case(
            "wrong password, USER_PASSWORD_AUTH",
            password_auth(&legacy, "ann", "Wrong-Passw0rd!"),
            "NotAuthorizedException",
            incorrect,
            "[DG][OBS]",
        ),
        case(
            "wrong password, SRP (PASSWORD_VERIFIER signature mismatch)",
            Req::Srp {
                client: legacy.clone(),
                username: "ann".into(),
                password: "Wrong-Passw0rd!".into(),
            },
            "NotAuthorizedException",
            incorrect,
            "[DG][OBS]",
        ),
        case(
            "unknown user, LEGACY, USER_PASSWORD_AUTH",
            password_auth(&legacy, "nobody", GOOD_PW),
            "UserNotFoundException",
            "User does not exist.",
            "[OBS]",
        ),
        case(
            "unknown user, LEGACY, USER_SRP_AUTH",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": legacy,
                       "AuthParameters": {"USERNAME": "nobody", "SRP_A": ClientEphemeral::generate().a_hex()}}),
            ),
            "UserNotFoundException",
            "User does not exist.",
            "[OBS]",
        ),
        case(
            "unknown user, PreventUserExistenceErrors ENABLED, USER_PASSWORD_AUTH",
            password_auth(&enabled, "nobody", GOOD_PW),
            "NotAuthorizedException",
            incorrect,
            "[DG cognito-user-pool-managing-errors]",
        ),
        case(
            "unknown user, ENABLED, SRP (simulated PASSWORD_VERIFIER, then refused)",
            Req::Srp {
                client: enabled.clone(),
                username: "nobody".into(),
                password: GOOD_PW.into(),
            },
            "NotAuthorizedException",
            incorrect,
            "[DG cognito-user-pool-managing-errors]",
        ),
        case(
            "6th wrong password in a row: lockout",
            password_auth(&legacy, "lou", "Wrong-Passw0rd!"),
            "NotAuthorizedException",
            "Password attempts exceeded",
            "[DG authentication-flow]",
        )
        .before_failing(
            (0..5)
                .map(|_| {
                    (
                        "InitiateAuth",
                        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": legacy,
                               "AuthParameters": {"USERNAME": "lou", "PASSWORD": "Wrong-Passw0rd!"}}),
                    )
                })
                .collect(),
        ),
        case(
            "unconfirmed user, correct password",
            password_auth(&legacy, "una", GOOD_PW),
            "UserNotConfirmedException",
            "User is not confirmed.",
            "[OBS] (UNVERIFIED that it needs the correct password; MOTO and CL agree)",
        ),
        case(
            "unconfirmed user, wrong password: the password is checked first",
            password_auth(&legacy, "una", "Wrong-Passw0rd!"),
            "NotAuthorizedException",
            incorrect,
            "[MOTO][CL] (UNVERIFIED for AWS; PROTOCOL.md §6)",
        ),
        case(
            "disabled user signs in",
            password_auth(&legacy, "dis", GOOD_PW),
            "NotAuthorizedException",
            "User is disabled.",
            "[OBS]",
        )
        .before(vec![(
            "AdminDisableUser",
            json!({"UserPoolId": pool_id, "Username": "dis"}),
        )]),
        case(
            "USER_PASSWORD_AUTH not enabled for the client",
            password_auth(&srp_only, "ann", GOOD_PW),
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client",
            "[OBS]",
        ),
        case(
            "wrong SECRET_HASH",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": with_secret,
                       "AuthParameters": {"USERNAME": "sec", "PASSWORD": GOOD_PW, "SECRET_HASH": bad_hash}}),
            ),
            "NotAuthorizedException",
            format!("Unable to verify secret hash for client {with_secret}"),
            "[OBS]",
        ),
        case(
            "right SECRET_HASH, wrong password",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": with_secret,
                       "AuthParameters": {"USERNAME": "sec", "PASSWORD": "Wrong-Passw0rd!", "SECRET_HASH": good_hash}}),
            ),
            "NotAuthorizedException",
            incorrect,
            "[DG][OBS]",
        ),
        case(
            "missing SECRET_HASH for a client with a secret",
            password_auth(&with_secret, "sec", GOOD_PW),
            "NotAuthorizedException",
            format!("Client {with_secret} is configured with secret but SECRET_HASH was not received"),
            "[OBS]",
        ),
        case(
            "AuthFlow outside the enum",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "MAGIC_AUTH", "ClientId": legacy, "AuthParameters": {}}),
            ),
            "InvalidParameterException",
            "1 validation error detected: Value 'MAGIC_AUTH' at 'authFlow' failed to satisfy \
             constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, \
             REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, \
             ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
            "[M] enum; AWS validation wording [OBS]",
        )
        .breaks_model(),
        // --- sign-up
        case(
            "SignUp with a taken username",
            sign_up_with(&legacy, "ann", GOOD_PW),
            "UsernameExistsException",
            "User already exists",
            "[DG]",
        ),
        case(
            "password policy: length",
            sign_up_with(&legacy, "p1", "Sh0rt!"),
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough",
            "[OBS]",
        ),
        case(
            "password policy: uppercase",
            sign_up_with(&legacy, "p2", "lower-passw0rd!"),
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have uppercase characters",
            "[OBS]",
        ),
        case(
            "password policy: lowercase",
            sign_up_with(&legacy, "p3", "UPPER-PASSW0RD!"),
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have lowercase characters",
            "[OBS]",
        ),
        case(
            "password policy: numbers",
            sign_up_with(&legacy, "p4", "No-Numbers-Here!"),
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have numeric characters",
            "[OBS]",
        ),
        case(
            "password policy: symbols",
            sign_up_with(&legacy, "p5", "NoSymbols123"),
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have symbol characters",
            "[OBS]",
        ),
        case(
            "ConfirmSignUp with a wrong code",
            Req::Op(
                "ConfirmSignUp",
                json!({"ClientId": legacy, "Username": "una", "ConfirmationCode": wrong_code}),
            ),
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
            "[OBS]",
        ),
        case(
            "ConfirmSignUp of a confirmed user",
            Req::Op(
                "ConfirmSignUp",
                json!({"ClientId": legacy, "Username": "ann", "ConfirmationCode": "123456"}),
            ),
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is CONFIRMED",
            "[OBS]",
        ),
        case(
            "ConfirmSignUp of an unknown user, LEGACY",
            Req::Op(
                "ConfirmSignUp",
                json!({"ClientId": legacy, "Username": "nobody", "ConfirmationCode": "123456"}),
            ),
            "UserNotFoundException",
            "Username/client id combination not found.",
            "[OBS]",
        ),
        case(
            "ResendConfirmationCode for an unknown user, LEGACY",
            Req::Op(
                "ResendConfirmationCode",
                json!({"ClientId": legacy, "Username": "nobody"}),
            ),
            "UserNotFoundException",
            "Username/client id combination not found.",
            "[OBS]",
        ),
        case(
            "ForgotPassword without a verified email or phone",
            Req::Op("ForgotPassword", json!({"ClientId": legacy, "Username": "ben"})),
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
            "[OBS][M doc]",
        ),
        case(
            "USER_SRP_AUTH without SRP_A",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": legacy,
                       "AuthParameters": {"USERNAME": "ann"}}),
            ),
            "InvalidParameterException",
            "Missing required parameter SRP_A",
            "[OBS]",
        ),
        case(
            "USER_PASSWORD_AUTH without USERNAME",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": legacy,
                       "AuthParameters": {"PASSWORD": GOOD_PW}}),
            ),
            "InvalidParameterException",
            "Missing required parameter USERNAME",
            "[OBS]",
        ),
        case(
            "ResendConfirmationCode for a confirmed user",
            Req::Op(
                "ResendConfirmationCode",
                json!({"ClientId": legacy, "Username": "ann"}),
            ),
            "InvalidParameterException",
            "User is already confirmed.",
            "[OBS]",
        ),
        case(
            "ForgotPassword for an unknown user, LEGACY",
            Req::Op("ForgotPassword", json!({"ClientId": legacy, "Username": "nobody"})),
            "UserNotFoundException",
            "Username/client id combination not found.",
            "[OBS]",
        ),
        case(
            "AdminGetUser of an unknown user",
            Req::Op(
                "AdminGetUser",
                json!({"UserPoolId": pool_id, "Username": "nobody"}),
            ),
            "UserNotFoundException",
            "User does not exist.",
            "[OBS]",
        ),
        case(
            "AdminCreateUser with a taken username",
            Req::Op(
                "AdminCreateUser",
                json!({"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS"}),
            ),
            "UsernameExistsException",
            "User account already exists",
            "[OBS]",
        ),
        case(
            "ChangePassword with a wrong previous password",
            Req::Op(
                "ChangePassword",
                json!({"AccessToken": chg_access, "PreviousPassword": "Wrong-Passw0rd!",
                       "ProposedPassword": "Another-Passw0rd!"}),
            ),
            "NotAuthorizedException",
            incorrect,
            "[OBS]",
        ),
        case(
            "RESET_REQUIRED user signs in with the right password",
            password_auth(&legacy, "rst", GOOD_PW),
            "PasswordResetRequiredException",
            "Password reset required for the user",
            "UNVERIFIED wording (PROTOCOL.md §3); the exception is [M]'s",
        )
        .before(vec![(
            "AdminResetUserPassword",
            json!({"UserPoolId": pool_id, "Username": "rst"}),
        )]),
        case(
            "VerifySoftwareToken with a wrong code",
            Req::Op(
                "VerifySoftwareToken",
                json!({"AccessToken": totp_access, "UserCode": "000000"}),
            ),
            "EnableSoftwareTokenMFAException",
            "Code mismatch",
            "[OBS]",
        )
        .before(vec![(
            "AssociateSoftwareToken",
            json!({"AccessToken": totp_access}),
        )]),
        // --- tokens
        case(
            "refresh with a garbage refresh token",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": legacy,
                       "AuthParameters": {"REFRESH_TOKEN": "not-a-refresh-token"}}),
            ),
            "NotAuthorizedException",
            "Invalid Refresh Token.",
            "[OBS]",
        ),
        case(
            "refresh with a revoked refresh token (RevokeToken)",
            Req::Op(
                "GetTokensFromRefreshToken",
                json!({"ClientId": legacy, "RefreshToken": rev_refresh}),
            ),
            "NotAuthorizedException",
            "Refresh Token has been revoked",
            "[OBS]",
        )
        .before(vec![(
            "RevokeToken",
            json!({"ClientId": legacy, "Token": rev_refresh}),
        )]),
        case(
            "GetUser with a garbage access token",
            Req::Op("GetUser", json!({"AccessToken": "abc.def.ghi"})),
            "NotAuthorizedException",
            "Invalid Access Token",
            "[OBS]",
        ),
        case(
            "GetUser after GlobalSignOut",
            Req::Op("GetUser", json!({"AccessToken": gso_access})),
            "NotAuthorizedException",
            "Access Token has been revoked",
            "[M GlobalSignOut doc][OBS]",
        )
        .before(vec![("GlobalSignOut", json!({"AccessToken": gso_access}))]),
        // --- sessions
        case(
            "PASSWORD_VERIFIER Session used twice",
            Req::SrpReplay {
                client: legacy.clone(),
                username: "ses".into(),
            },
            "NotAuthorizedException",
            "Invalid session for the user, session can only be used once.",
            "[OBS]",
        ),
        // --- resources and parameters
        case(
            "InitiateAuth with an unknown client id",
            password_auth("nosuchclient0000000000000", "ann", GOOD_PW),
            "ResourceNotFoundException",
            "User pool client nosuchclient0000000000000 does not exist.",
            "[OBS]",
        ),
        case(
            "DescribeUserPool of an unknown pool",
            Req::Op(
                "DescribeUserPool",
                json!({"UserPoolId": "us-east-1_nothere"}),
            ),
            "ResourceNotFoundException",
            "User pool us-east-1_nothere does not exist.",
            "[OBS]",
        ),
        case(
            "ListUsers of an unknown pool",
            Req::Op("ListUsers", json!({"UserPoolId": "us-east-1_nothere"})),
            "ResourceNotFoundException",
            "User pool us-east-1_nothere does not exist.",
            "[OBS]",
        ),
        // --- user administration (issue 4)
        case(
            "ListUsers with a malformed filter",
            Req::Op(
                "ListUsers",
                json!({"UserPoolId": pool_id, "Filter": "email = ann"}),
            ),
            "InvalidParameterException",
            "Error while parsing filter.",
            "[OBS] aws/aws-sdk-php#1088",
        ),
        case(
            "ListUsers filtering on a custom attribute",
            Req::Op(
                "ListUsers",
                json!({"UserPoolId": pool_id, "Filter": "custom:team = \"x\""}),
            ),
            "InvalidParameterException",
            "Invalid search attribute: custom:team",
            "UNVERIFIED: custom attributes are not searchable [M doc]; the wording is moto's",
        ),
        case(
            "ListUsers with Limit 61",
            Req::Op("ListUsers", json!({"UserPoolId": pool_id, "Limit": 61})),
            "InvalidParameterException",
            "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: \
             Member must have value less than or equal to 60",
            "[OBS] boto/boto3#1356; range [M]",
        )
        .breaks_model(),
        case(
            "ListUsers AttributesToGet naming no attribute",
            Req::Op(
                "ListUsers",
                json!({"UserPoolId": pool_id, "AttributesToGet": ["shoe_size"]}),
            ),
            "InvalidParameterException",
            "One or more requested attributes do not exist.",
            "[OBS] aws/aws-sdk-js#2570",
        ),
        case(
            "ListUsers with a PaginationToken it did not issue",
            Req::Op(
                "ListUsers",
                json!({"UserPoolId": pool_id, "PaginationToken": "eyJzIjoiIn0.AAAA"}),
            ),
            "InvalidParameterException",
            "Invalid pagination token.",
            "UNVERIFIED: the pool's wording",
        ),
        case(
            "CreateGroup with a name in use",
            Req::Op(
                "CreateGroup",
                json!({"UserPoolId": pool_id, "GroupName": "fidelity-group"}),
            ),
            "GroupExistsException",
            "A group with the name already exists.",
            "UNVERIFIED: GroupExistsException [M]; the wording is the pool's",
        )
        .before(vec![(
            "CreateGroup",
            json!({"UserPoolId": pool_id, "GroupName": "fidelity-group"}),
        )]),
        case(
            "GetGroup of an unknown group",
            Req::Op(
                "GetGroup",
                json!({"UserPoolId": pool_id, "GroupName": "no-such-group"}),
            ),
            "ResourceNotFoundException",
            "Group not found.",
            "[OBS]",
        ),
        case(
            "AdminAddUserToGroup with an unknown user",
            Req::Op(
                "AdminAddUserToGroup",
                json!({"UserPoolId": pool_id, "Username": "nobody", "GroupName": "fidelity-group"}),
            ),
            "UserNotFoundException",
            "User does not exist.",
            "[OBS]",
        ),
        case(
            "AdminAddUserToGroup with an unknown group",
            Req::Op(
                "AdminAddUserToGroup",
                json!({"UserPoolId": pool_id, "Username": "ann", "GroupName": "no-such-group"}),
            ),
            "ResourceNotFoundException",
            "Group not found.",
            "[OBS]",
        ),
        case(
            "AdminListGroupsForUser with an unknown user",
            Req::Op(
                "AdminListGroupsForUser",
                json!({"UserPoolId": pool_id, "Username": "nobody"}),
            ),
            "UserNotFoundException",
            "User does not exist.",
            "[OBS]; UserNotFound in the operation's errors [M]",
        ),
        case(
            "AdminUpdateUserAttributes changing sub",
            Req::Op(
                "AdminUpdateUserAttributes",
                json!({"UserPoolId": pool_id, "Username": "ann",
                       "UserAttributes": [{"Name": "sub", "Value": "x"}]}),
            ),
            "InvalidParameterException",
            "Cannot modify the non-mutable attribute sub",
            "UNVERIFIED: sub is immutable [M schema Mutable false]; the wording is the pool's",
        ),
        case(
            "SignUp without Username",
            Req::Op(
                "SignUp",
                json!({"ClientId": legacy, "Password": GOOD_PW}),
            ),
            "InvalidParameterException",
            validation("username"),
            "[M] required member; AWS validation wording [OBS]",
        )
        .breaks_model(),
        case(
            "ConfirmSignUp without ConfirmationCode",
            Req::Op(
                "ConfirmSignUp",
                json!({"ClientId": legacy, "Username": "una"}),
            ),
            "InvalidParameterException",
            validation("confirmationCode"),
            "[M] required member; AWS validation wording [OBS]",
        )
        .breaks_model(),
        case(
            "InitiateAuth without ClientId",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {}}),
            ),
            "InvalidParameterException",
            validation("clientId"),
            "[M] required member; AWS validation wording [OBS]",
        )
        .breaks_model(),
        // --- protocol level (not in the model's per-operation error lists)
        case(
            "malformed JSON body",
            Req::Raw(
                Some("AWSCognitoIdentityProviderService.InitiateAuth".into()),
                b"{\"AuthFlow\": ".to_vec(),
            ),
            "SerializationException",
            "The request body is not valid JSON.",
            "UNVERIFIED: AWS JSON services answer SerializationException [BC]; the message is the pool's",
        ),
        case(
            "unknown X-Amz-Target operation",
            Req::Raw(
                Some("AWSCognitoIdentityProviderService.FlyToTheMoon".into()),
                b"{}".to_vec(),
            ),
            "UnknownOperationException",
            "Operation FlyToTheMoon is not supported by the embedded user pool",
            "UNVERIFIED: AWS answers com.amazon.coral.service#UnknownOperationException (clients keep \
             the part after '#'); the message is the pool's",
        ),
        // --- clock-moving cases last
        case(
            "PASSWORD_VERIFIER answered after the 3-minute Session validity",
            Req::SrpLate {
                client: legacy.clone(),
                username: "ses".into(),
                secs: 181,
            },
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
            "[OBS]; validity [M AuthSessionValidity default 3]",
        ),
        case(
            "GetUser with an expired access token",
            Req::Op("GetUser", json!({"AccessToken": exp_access})),
            "NotAuthorizedException",
            "Access Token has expired",
            "[OBS]",
        )
        .after_seconds(3601),
        case(
            "ConfirmSignUp with a code older than 24 h",
            Req::Op(
                "ConfirmSignUp",
                json!({"ClientId": legacy, "Username": "late", "ConfirmationCode": "__late_code__"}),
            ),
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
            "[OBS]; validity [DG limits]",
        )
        .after_seconds(24 * 3600),
        case(
            "refresh token past its 30-day validity",
            Req::Op(
                "InitiateAuth",
                json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": legacy,
                       "AuthParameters": {"REFRESH_TOKEN": old_refresh}}),
            ),
            "NotAuthorizedException",
            "Refresh Token has expired",
            "[OBS]; validity [DG]",
        )
        .after_seconds(30 * 24 * 3600),
    ];
    assert!(cases.len() >= 25, "the table must keep at least 25 rows");

    let late_code = w.latest_code("late").await;
    let mut failures = Vec::new();
    let mut seen_kinds = BTreeMap::<&str, usize>::new();
    let total = cases.len();
    for c in cases {
        for (op, body, must_succeed) in &c.before {
            let r = w.call(op, body.clone()).await;
            assert_eq!(
                r.status == 200,
                *must_succeed,
                "{}: the preparatory {op} answered {} {}",
                c.name,
                r.status,
                redacted(&r)
            );
        }
        if c.advance != 0 {
            w.advance(c.advance);
        }
        let (op, r) = match c.req {
            Req::Op(op, mut body) => {
                if body["ConfirmationCode"] == "__late_code__" {
                    body["ConfirmationCode"] = json!(late_code);
                }
                (
                    op.to_string(),
                    w.call_checked(op, body, !c.invalid_request).await,
                )
            }
            Req::Raw(target, bytes) => {
                let op = target
                    .as_deref()
                    .and_then(|t| t.rsplit('.').next())
                    .unwrap_or("?")
                    .to_string();
                (op, w.raw(target.as_deref(), bytes).await)
            }
            Req::Srp {
                client,
                username,
                password,
            } => {
                let body = w.srp_answer(&client, &username, &password).await;
                (
                    "RespondToAuthChallenge".into(),
                    w.call("RespondToAuthChallenge", body).await,
                )
            }
            Req::SrpReplay { client, username } => {
                let body = w.srp_answer(&client, &username, GOOD_PW).await;
                let first = w.call("RespondToAuthChallenge", body.clone()).await;
                assert_eq!(
                    first.status, 200,
                    "{}: first answer failed: {}",
                    c.name, first.raw
                );
                (
                    "RespondToAuthChallenge".into(),
                    w.call("RespondToAuthChallenge", body).await,
                )
            }
            Req::SrpLate {
                client,
                username,
                secs,
            } => {
                // The signed TIMESTAMP stays within the 5-minute skew window: only the
                // Session's age is wrong.
                let body = w.srp_answer(&client, &username, GOOD_PW).await;
                w.advance(secs);
                (
                    "RespondToAuthChallenge".into(),
                    w.call("RespondToAuthChallenge", body).await,
                )
            }
        };
        *seen_kinds.entry(c.kind).or_default() += 1;
        let mut problems = Vec::new();
        if r.status != c.status {
            problems.push(format!("status {} (want {})", r.status, c.status));
        }
        let kind = r.body["__type"].as_str().unwrap_or("<none>");
        let message = r.body["message"].as_str().unwrap_or("<none>");
        if kind != c.kind {
            problems.push(format!("__type {kind:?} (want {:?})", c.kind));
        }
        if message != c.message {
            problems.push(format!("message {message:?} (want {:?})", c.message));
        }
        match r.body.as_object() {
            Some(o) if o.keys().all(|k| k == "__type" || k == "message") => {}
            _ => problems.push(format!(
                "body is not just {{__type, message}}: {}",
                redacted(&r)
            )),
        }
        if r.error_type.as_deref() != Some(&format!("{}:", c.kind)) {
            problems.push(format!(
                "x-amzn-ErrorType {:?} (want \"{}:\")",
                r.error_type, c.kind
            ));
        }
        let request_id_ok = r
            .request_id
            .as_deref()
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok());
        if !request_id_ok {
            problems.push(format!("x-amzn-RequestId {:?} is not a UUID", r.request_id));
        }
        if r.content_type.as_deref() != Some("application/x-amz-json-1.1") {
            problems.push(format!("content-type {:?}", r.content_type));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "- {} ({op}; source {}): {}",
                c.name,
                c.source,
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} error cases differ from Cognito:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        seen_kinds.len() >= 10,
        "the table should cover many error types: {seen_kinds:?}"
    );
    if w.model.is_some() {
        assert!(
            w.checked > total,
            "every response was checked against the API model"
        );
    }
}
