//! The pool's edges, tried as an attacker would: a web page (an `Origin` header, a rebound
//! `Host`) reaching admin operations, the outbox or command triggers; a bind beyond loopback;
//! file modes; a bounded fuzz of malformed requests; stalled connections; the model's
//! validation of usernames and wrong-typed members; bounded error messages.

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use cognito_tui::local::sigv4::LocalCredentials;
use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_PASSWORD, DEMO_POOL_ID, EdgeLimits, LocalOptions,
    LocalPool,
};
use cognito_tui::secret::Secret;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};
use support::Harness;
use support::http::{TARGET_PREFIX, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, raw_request};

/// The response of one raw HTTP/1.1 exchange: status and body (empty when the server closed
/// the connection without answering).
fn raw_exchange(base: &str, request: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A signed admin request as raw HTTP with these extra header lines.
fn signed_raw(base: &str, op: &str, body: &Value, host: &str, extra: &str) -> String {
    let url = format!("{base}/");
    let body = body.to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    support::sign_if_needed(op, &url, body.as_bytes(), &mut headers);
    let mut lines = String::new();
    for (k, v) in &headers {
        if k != "host" {
            lines.push_str(&format!("{k}: {}\r\n", v.to_str().unwrap()));
        }
    }
    format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: {TARGET_PREFIX}{op}\r\n{lines}{extra}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn host_of(base: &str) -> String {
    base.trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn a_web_page_reaches_no_admin_operation_outbox_or_foreign_host() {
    let h = Harness::new().await;
    let base = h.base().to_string();
    let host = host_of(&base);
    let set = json!({"UserPoolId": DEMO_POOL_ID,
                     "LambdaConfig": {"PreSignUp": "cmd:touch /tmp/cognito-tui-pwned"}});
    let before = h
        .call("DescribeUserPool", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();

    let checks = tokio::task::spawn_blocking(move || {
        // A page's signed UpdateUserPool (the attack), with an Origin header.
        let page = signed_raw(
            &base,
            "UpdateUserPool",
            &set,
            &host,
            "Origin: https://evil.example\r\n",
        );
        let (status, body) = raw_exchange(&base, &page);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 403, "{body}");
        assert_eq!(v["__type"], "AccessDeniedException", "{body}");
        assert!(!body.contains("access-control"), "{body}");
        // `null` is a page's origin too (sandboxed frames, file://).
        let null_page = signed_raw(
            &base,
            "ListUsers",
            &json!({"UserPoolId": DEMO_POOL_ID}),
            &host,
            "Origin: null\r\n",
        );
        assert_eq!(raw_exchange(&base, &null_page).0, 403);
        // DNS rebinding: the page's own name in Host, no Origin needed for same-origin GETs.
        let rebound = signed_raw(
            &base,
            "ListUsers",
            &json!({"UserPoolId": DEMO_POOL_ID}),
            "evil.example:80",
            "",
        );
        let (status, body) = raw_exchange(&base, &rebound);
        assert_eq!(status, 403, "{body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["__type"],
            "AccessDeniedException"
        );
        let rebound_outbox =
            "GET /_local/outbox HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
        assert_eq!(raw_exchange(&base, rebound_outbox).0, 403);
        let page_outbox = format!(
            "GET /_local/outbox HTTP/1.1\r\nHost: {host}\r\nOrigin: http://localhost:3000\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(raw_exchange(&base, &page_outbox).0, 403);
        // The same calls from a program (loopback Host, no Origin) are served.
        let program = signed_raw(
            &base,
            "ListUsers",
            &json!({"UserPoolId": DEMO_POOL_ID}),
            &host,
            "",
        );
        assert_eq!(raw_exchange(&base, &program).0, 200);
        let localhost = signed_raw(
            &base,
            "ListUsers",
            &json!({"UserPoolId": DEMO_POOL_ID}),
            &host.replace("127.0.0.1", "localhost"),
            "",
        );
        assert_eq!(raw_exchange(&base, &localhost).0, 200);
    });
    checks.await.unwrap();

    // Nothing changed: the attack's trigger was never stored.
    let after = h
        .call("DescribeUserPool", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(
        before["UserPool"]["LambdaConfig"],
        after["UserPool"]["LambdaConfig"]
    );

    // CORS: the preflight of `POST /` allows no SigV4 header; the unsigned operations answer
    // pages; the outbox has no CORS at all.
    let pre = h
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/", h.base()))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, x-amz-date, content-type, x-amz-target",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(pre.headers()["access-control-allow-origin"], "*");
    let allowed = pre.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(allowed.contains("x-amz-target"), "{allowed}");
    assert!(
        !allowed.contains("authorization") && !allowed.contains("x-amz-date"),
        "{allowed}"
    );
    let pre_outbox = h
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/_local/outbox", h.base()),
        )
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(
        pre_outbox
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let sign_in = raw_request(
        &h.http,
        h.base(),
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
               "AuthParameters": {"USERNAME": DEMO_CONFIRMED_USERS[0], "PASSWORD": DEMO_PASSWORD}})
        .to_string(),
    )
    .header("origin", "http://localhost:3000")
    .send()
    .await
    .unwrap();
    assert_eq!(sign_in.status(), 200);
    assert_eq!(sign_in.headers()["access-control-allow-origin"], "*");
}

/// A PreSignUp trigger that leaves a file behind when it runs.
fn marker_trigger(marker: &std::path::Path) -> String {
    format!(
        "cmd:cat >/dev/null; touch '{}'; echo '{{\"response\":{{}}}}'",
        marker.display()
    )
}

async fn set_pre_sign_up(h: &Harness, value: &str) {
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": DEMO_POOL_ID, "AutoVerifiedAttributes": ["email"],
               "LambdaConfig": {"PreSignUp": value}}),
    )
    .await
    .ok();
}

async fn sign_up(h: &Harness, username: &str) -> support::Resp {
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": username, "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}]}),
    )
    .await
}

#[tokio::test]
async fn an_api_set_command_trigger_runs_only_with_the_opt_in() {
    // No opt-in, no credentials: stored, shown, not run; the error names the flag.
    let h = Harness::new().await;
    let marker = h.dir.path().join("ran");
    let trigger = marker_trigger(&marker);
    set_pre_sign_up(&h, &trigger).await;
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": DEMO_POOL_ID}))
        .await
        .ok();
    assert_eq!(
        pool["UserPool"]["LambdaConfig"]["PreSignUp"],
        json!(trigger)
    );
    let (kind, message) = sign_up(&h, "nobody1").await.err();
    assert_eq!(kind, "UnexpectedLambdaException");
    assert!(message.contains("--allow-command-triggers"), "{message}");
    assert!(!marker.exists(), "the command ran without the opt-in");

    // `serve --allow-command-triggers`.
    let h = Harness::with_command_triggers().await;
    let marker = h.dir.path().join("ran");
    set_pre_sign_up(&h, &marker_trigger(&marker)).await;
    sign_up(&h, "somebody1").await.ok();
    assert!(marker.exists(), "the allowed command did not run");

    // Verified admin signatures: only holders of the key could have set the trigger.
    let creds = LocalCredentials {
        access_key_id: TEST_ACCESS_KEY_ID.into(),
        secret_access_key: Secret::new(TEST_SECRET_ACCESS_KEY),
    };
    let h = Harness::with_credentials(Some(creds)).await;
    let marker = h.dir.path().join("ran");
    set_pre_sign_up(&h, &marker_trigger(&marker)).await;
    sign_up(&h, "somebody2").await.ok();
    assert!(
        marker.exists(),
        "the command did not run on a pool with credentials"
    );
}

#[tokio::test]
async fn binding_beyond_loopback_needs_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let opts = LocalOptions {
        db_path: dir.path().join("pool.sqlite3"),
        bind: "0.0.0.0:0".parse().unwrap(),
        ..LocalOptions::default_local()
    };
    let err = LocalPool::start(opts.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("refusing to listen on 0.0.0.0"), "{err}");
    assert!(err.contains("--access-key-id"), "{err}");
    assert!(!opts.db_path.exists(), "the refused pool created its store");

    let out = support::pool::binary()
        .args(["serve", "--port", "0", "--bind", "0.0.0.0", "--db"])
        .arg(&opts.db_path)
        .env("COGNITO_TUI_HOME", dir.path())
        .env_remove("COGNITO_TUI_ACCESS_KEY_ID")
        .env_remove("COGNITO_TUI_SECRET_ACCESS_KEY")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to listen on 0.0.0.0"), "{stderr}");

    let pool = LocalPool::start(LocalOptions {
        credentials: Some(LocalCredentials::generate()),
        ..opts
    })
    .await
    .expect("with credentials the bind is allowed");
    pool.shutdown().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_store_its_wal_and_shm_the_log_and_new_directories_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new").join("deeper").join("pool.sqlite3");
    let pool = support::start_pool(&db).await;
    let h = Harness::around(pool, dir);
    sign_up(&h, "walwriter").await.ok();
    for side in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{side}", db.display()));
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    assert_eq!(mode(db.parent().unwrap().parent().unwrap()), 0o700);

    // `serve`: its log (and its state directory), and the banner's trigger mode.
    let served = support::serve();
    let banner = served.lines_until(30, Duration::from_secs(20), |l| l.contains("triggers:"));
    assert!(
        banner.contains(
            "triggers:      commands are stored but not run; --allow-command-triggers runs them"
        ),
        "{banner}"
    );
    assert!(banner.contains("passwordless:"), "{banner}");
    let home = served.db.parent().unwrap();
    assert_eq!(mode(&home.join("state").join("cognito-tui.log")), 0o600);
    assert_eq!(mode(&home.join("state")), 0o700);
    assert_eq!(mode(&served.db), 0o600);
}

/// Checks one answer of the fuzz: never 5xx; an error is Cognito-shaped and bounded.
fn check_answer(what: &str, status: u16, headers: &reqwest::header::HeaderMap, body: &str) {
    assert!(status < 500, "{what}: {status} {body}");
    if let Some(m) = headers.get("x-amzn-errormessage") {
        assert!(m.len() <= 256, "{what}: a {}-byte error header", m.len());
    }
    if status >= 400 {
        let v: Value = serde_json::from_str(body)
            .unwrap_or_else(|_| panic!("{what}: {status} with a body that is not JSON: {body:?}"));
        assert!(
            v["__type"].is_string() && v["message"].is_string(),
            "{what}: {body}"
        );
        assert!(
            body.len() < 2048,
            "{what}: a {}-byte error body",
            body.len()
        );
    }
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    match rng.gen_range(0..10) {
        0 => Value::Null,
        1 => json!(rng.r#gen::<bool>()),
        2 => json!(rng.r#gen::<i64>()),
        3 => json!(rng.r#gen::<f64>()),
        4 => json!("\u{200B}\u{202E}\u{FEFF}é"),
        5 => json!("x".repeat(rng.gen_range(0..5000))),
        6 if depth < 3 => Value::Array(
            (0..rng.gen_range(0..3))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        7 if depth < 3 => {
            json!({"Name": random_json(rng, depth + 1), "Value": random_json(rng, depth + 1)})
        }
        _ => json!(format!("s{}", rng.r#gen::<u16>())),
    }
}

const OPS: &[&str] = &[
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetTokensFromRefreshToken",
    "GetUser",
    "GlobalSignOut",
    "RevokeToken",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ChangePassword",
    "ListUsers",
    "DescribeUserPool",
    "AdminGetUser",
    "AdminCreateUser",
    "AdminSetUserPassword",
    "AdminUpdateUserAttributes",
    "ListGroups",
    "AdminListGroupsForUser",
    "SetUserMFAPreference",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "AdminResetUserPassword",
    "CreateGroup",
    "ListUserPoolClients",
];

const MEMBERS: &[&str] = &[
    "ClientId",
    "Username",
    "Password",
    "UserPoolId",
    "AuthFlow",
    "AuthParameters",
    "ChallengeName",
    "ChallengeResponses",
    "Session",
    "AccessToken",
    "ConfirmationCode",
    "UserAttributes",
    "ValidationData",
    "ClientMetadata",
    "UserContextData",
    "AnalyticsMetadata",
    "Limit",
    "PaginationToken",
    "Filter",
    "GroupName",
    "MessageAction",
];

/// One malformed request of the fuzz.
fn fuzz_request(
    rng: &mut StdRng,
    http: &reqwest::Client,
    base: &str,
) -> (String, reqwest::RequestBuilder) {
    let op = OPS[rng.gen_range(0..OPS.len())];
    let mut body = json!({"ClientId": DEMO_CLIENT_ID, "UserPoolId": DEMO_POOL_ID,
        "Username": DEMO_CONFIRMED_USERS[0], "Password": DEMO_PASSWORD,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": DEMO_CONFIRMED_USERS[0], "PASSWORD": DEMO_PASSWORD}});
    for _ in 0..rng.gen_range(1..4) {
        let m = MEMBERS[rng.gen_range(0..MEMBERS.len())];
        body[m] = random_json(rng, 0);
    }
    match rng.gen_range(0..12) {
        // A JSON body with wrong-typed members, signed where Cognito signs.
        0..=5 => (
            format!("{op} {body}"),
            raw_request(http, base, op, body.to_string()),
        ),
        // Broken bytes: truncated JSON, not UTF-8, not an object, deep nesting.
        6 => {
            let text = body.to_string();
            let cut = rng.gen_range(0..text.len());
            let mut bytes = text.into_bytes();
            bytes.truncate(cut);
            if rng.gen_bool(0.5) {
                bytes.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
            }
            let raw = String::from_utf8_lossy(&bytes).into_owned();
            (
                format!("{op} bytes"),
                support::http::post(
                    http,
                    base,
                    "application/x-amz-json-1.1",
                    Some(&format!("{TARGET_PREFIX}{op}")),
                    bytes,
                )
                .header("x-debug", raw.len().to_string()),
            )
        }
        7 => {
            let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
            let body = match rng.gen_range(0..3) {
                0 => deep,
                1 => "[1,2]".into(),
                _ => "\"str\"".into(),
            };
            (
                format!("{op} {body:.40}"),
                raw_request(http, base, op, body),
            )
        }
        // Odd targets.
        8 => {
            let target = match rng.gen_range(0..4) {
                0 => format!("{TARGET_PREFIX}{}", "Nope".repeat(rng.gen_range(1..3000))),
                1 => "SomethingElse.SignUp".into(),
                2 => String::new(),
                _ => TARGET_PREFIX.to_string(),
            };
            let t = (!target.is_empty()).then_some(target.as_str());
            (
                format!("target {target:.40}"),
                support::http::post(
                    http,
                    base,
                    "application/json",
                    t,
                    body.to_string().into_bytes(),
                ),
            )
        }
        // Odd methods and paths, including broken percent-encodings.
        9 | 10 => {
            let paths = [
                "/",
                "/nope",
                "/_local/outbox",
                "/_local/x",
                "/%FF%FE/.well-known/jwks.json",
                "/%C3%28/.well-known/jwks.json",
                "/us-east-1_nope/.well-known/jwks.json",
                "/a/b/c",
                "/%00",
                "/.well-known/jwks.json",
            ];
            let methods = [
                reqwest::Method::GET,
                reqwest::Method::PUT,
                reqwest::Method::DELETE,
                reqwest::Method::PATCH,
                reqwest::Method::POST,
                reqwest::Method::OPTIONS,
            ];
            let path = paths[rng.gen_range(0..paths.len())];
            let method = methods[rng.gen_range(0..methods.len())].clone();
            (
                format!("{method} {path}"),
                http.request(method, format!("{base}{path}"))
                    .body(body.to_string()),
            )
        }
        // Too large.
        _ => (
            format!("{op} 1.5 MB"),
            raw_request(http, base, op, "x".repeat(1_500_000)),
        ),
    }
}

#[tokio::test]
async fn a_fuzz_of_malformed_requests_gets_only_cognito_shaped_4xx() {
    use futures::StreamExt as _;
    let h = Harness::new().await;
    let base = h.base().to_string();
    let mut rng = StdRng::seed_from_u64(12);
    let requests: Vec<(String, reqwest::RequestBuilder)> = (0..2500)
        .map(|_| fuzz_request(&mut rng, &h.http, &base))
        .collect();
    let started = Instant::now();
    let answered = futures::stream::iter(requests)
        .map(|(what, req)| async move {
            let r = req.send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            let body = r.text().await.unwrap_or_default();
            check_answer(&what, status, &headers, &body);
            status
        })
        .buffer_unordered(8)
        .collect::<Vec<u16>>()
        .await;
    assert_eq!(answered.len(), 2500);
    assert!(
        answered.contains(&200),
        "the fuzz never reached an operation"
    );
    eprintln!(
        "fuzz: {} requests in {:?}",
        answered.len(),
        started.elapsed()
    );

    // And the explicit cases: 404, 405, 413, a bad path encoding, garbage JSON.
    let get = |p: &str| h.http.get(format!("{base}{p}"));
    for (what, req, status, kind) in [
        ("404", get("/nope"), 404, "NotFoundException"),
        (
            "405",
            h.http.put(format!("{base}/")),
            405,
            "UnknownOperationException",
        ),
        (
            "bad path",
            get("/%FF/.well-known/jwks.json"),
            404,
            "NotFoundException",
        ),
        (
            "413",
            raw_request(&h.http, &base, "SignUp", "{".repeat(2_000_000)),
            413,
            "RequestEntityTooLargeException",
        ),
        (
            "not JSON",
            raw_request(&h.http, &base, "SignUp", "{nope".into()),
            400,
            "SerializationException",
        ),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{what}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["__type"], kind, "{what}: {v}");
    }
}

#[tokio::test]
async fn raw_http_garbage_never_gets_a_5xx() {
    let h = Harness::new().await;
    let base = h.base().to_string();
    let host = host_of(&base);
    tokio::task::spawn_blocking(move || {
        for req in [
            "GARBAGE\r\n\r\n".to_string(),
            format!("POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: nope\r\n\r\n"),
            format!("POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: \u{ff}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"),
            format!("GET /{} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n", "a".repeat(100_000)),
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n", "b".repeat(100_000)),
            format!("POST / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n"),
        ] {
            let (status, body) = raw_exchange(&base, &req);
            assert!(status < 500, "{req:.60}: {status} {body}");
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn hundreds_of_stalled_connections_leave_a_sign_in_answered_within_a_second() {
    use tokio::io::AsyncWriteExt as _;
    let h = Harness::new().await;
    let sign_in = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
        "AuthParameters": {"USERNAME": DEMO_CONFIRMED_USERS[0], "PASSWORD": DEMO_PASSWORD}});
    // Keys made and the store warm before the clock starts.
    h.call("InitiateAuth", sign_in.clone()).await.ok();
    let addr = host_of(h.base());
    let mut stalled = Vec::new();
    for i in 0..400 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let half = if i % 2 == 0 {
            format!("POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Tar")
        } else {
            format!(
                "POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: {TARGET_PREFIX}SignUp\r\n\
                 Content-Length: 1000\r\n\r\n{{\"ClientId\":"
            )
        };
        s.write_all(half.as_bytes()).await.unwrap();
        stalled.push(s);
    }
    let fresh = reqwest::Client::new();
    let started = Instant::now();
    let r = support::http::call(&fresh, h.base(), "InitiateAuth", &sign_in).await;
    let took = started.elapsed();
    h.tokens(&r.ok());
    assert!(
        took < Duration::from_secs(1),
        "the sign-in took {took:?} behind 400 stalled connections"
    );
    drop(stalled);
}

#[tokio::test]
async fn a_stalled_client_costs_a_socket_for_the_timeout_only() {
    let dir = tempfile::tempdir().unwrap();
    let pool = LocalPool::start(LocalOptions {
        db_path: dir.path().join("pool.sqlite3"),
        edge: EdgeLimits {
            header_timeout: Duration::from_millis(400),
            body_timeout: Duration::from_millis(400),
            ..EdgeLimits::default()
        },
        ..LocalOptions::default_local()
    })
    .await
    .unwrap();
    let base = pool.base_url().to_string();
    let host = host_of(&base);
    tokio::task::spawn_blocking(move || {
        // Half a head, then silence: closed without an answer.
        let started = Instant::now();
        let (status, _) = raw_exchange(&base, &format!("POST / HTTP/1.1\r\nHost: {host}\r\nX-A"));
        assert_eq!(status, 0);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        // An idle keep-alive connection is closed too.
        let started = Instant::now();
        let (status, _) = raw_exchange(&base, "");
        assert_eq!(status, 0);
        assert!(started.elapsed() < Duration::from_secs(5));
        // Half a body: a Cognito-shaped 408.
        let started = Instant::now();
        let (status, body) = raw_exchange(
            &base,
            &format!("POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: {TARGET_PREFIX}SignUp\r\nContent-Length: 100\r\n\r\n{{\"a\""),
        );
        assert_eq!(status, 408, "{body}");
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["__type"], "RequestTimeoutException");
        assert!(started.elapsed() < Duration::from_secs(5));
    })
    .await
    .unwrap();
    pool.shutdown().await;
}

#[tokio::test]
async fn past_the_connection_cap_a_client_waits_until_a_stalled_one_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let timeout = Duration::from_millis(800);
    let pool = LocalPool::start(LocalOptions {
        db_path: dir.path().join("pool.sqlite3"),
        edge: EdgeLimits {
            header_timeout: timeout,
            max_connections: 2,
            ..EdgeLimits::default()
        },
        ..LocalOptions::default_local()
    })
    .await
    .unwrap();
    let base = pool.base_url().to_string();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let sign_in = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
        "AuthParameters": {"USERNAME": DEMO_CONFIRMED_USERS[0], "PASSWORD": DEMO_PASSWORD}});
    support::http::call(&http, &base, "InitiateAuth", &sign_in)
        .await
        .ok();
    let addr = host_of(&base);
    let _a = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let _b = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let started = Instant::now();
    let r = support::http::call(&http, &base, "InitiateAuth", &sign_in).await;
    let took = started.elapsed();
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        took >= timeout / 2,
        "answered after {took:?}: the two silent connections did not hold the two slots"
    );
    pool.shutdown().await;
}

/// Every operation whose input has a `Username` member.
const USERNAME_OPS: &[&str] = &[
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "AdminGetUser",
    "AdminCreateUser",
    "AdminDeleteUser",
    "AdminConfirmSignUp",
    "AdminDisableUser",
    "AdminEnableUser",
    "AdminUserGlobalSignOut",
    "AdminSetUserPassword",
    "AdminSetUserMFAPreference",
    "AdminResetUserPassword",
    "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup",
    "AdminListGroupsForUser",
    "AdminUpdateUserAttributes",
    "AdminDeleteUserAttributes",
    "AdminListDevices",
];

#[tokio::test]
async fn usernames_outside_cognitos_pattern_are_invalid_on_every_operation() {
    let h = Harness::new().await;
    let long = "u".repeat(3004);
    for name in [
        long.as_str(),
        "zero\u{200B}width",
        "rtl\u{202E}txet",
        "\u{FEFF}bom",
        "with space",
    ] {
        for op in USERNAME_OPS {
            let r = h
                .call(
                    op,
                    json!({"ClientId": DEMO_CLIENT_ID, "UserPoolId": DEMO_POOL_ID, "Username": name,
                           "Password": DEMO_PASSWORD, "ConfirmationCode": "123456",
                           "GroupName": "g", "UserAttributes": [], "UserAttributeNames": ["name"]}),
                )
                .await;
            let (kind, message) = r.err();
            assert_eq!(
                kind, "InvalidParameterException",
                "{op} {name:.20}: {message}"
            );
            assert!(message.contains("at 'username'"), "{op}: {message}");
            assert!(
                message.len() < 400 && !message.contains("uuuu"),
                "{op}: {message}"
            );
        }
    }
    // Letters of any script, marks, symbols and punctuation are fine.
    h.call(
        "SignUp",
        json!({"ClientId": DEMO_CLIENT_ID, "Username": "Ŝtéfan+ü_日本.名前", "Password": DEMO_PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "intl@example.com"}]}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn wrong_typed_members_are_serialization_exceptions() {
    let h = Harness::new().await;
    let base = json!({"ClientId": DEMO_CLIENT_ID, "Username": "typed1", "Password": DEMO_PASSWORD,
                      "UserAttributes": [{"Name": "email", "Value": "typed1@example.com"}]});
    for (member, value) in [
        ("ValidationData", json!("x")),
        ("ValidationData", json!({"Name": "a"})),
        ("ValidationData", json!([{"Name": 5, "Value": "v"}])),
        ("ClientMetadata", json!([1])),
        ("ClientMetadata", json!({"a": 1})),
        ("UserContextData", json!("abc")),
        ("UserContextData", json!({"EncodedData": 7})),
        ("AnalyticsMetadata", json!(5)),
        ("AnalyticsMetadata", json!({"AnalyticsEndpointId": []})),
    ] {
        let mut body = base.clone();
        body[member] = value.clone();
        let (kind, message) = h.call("SignUp", body).await.err();
        assert_eq!(
            kind, "SerializationException",
            "{member} {value}: {message}"
        );
    }
    let auth = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
        "AuthParameters": {"USERNAME": DEMO_CONFIRMED_USERS[0], "PASSWORD": DEMO_PASSWORD},
        "ClientMetadata": {"k": true}});
    assert_eq!(
        h.call("InitiateAuth", auth).await.err().0,
        "SerializationException"
    );
    // Well-typed (and null) members are accepted.
    let mut body = base.clone();
    body["ValidationData"] = json!([{"Name": "k", "Value": "v"}]);
    body["ClientMetadata"] = json!({"k": "v"});
    body["UserContextData"] = json!({"EncodedData": "e", "IpAddress": "127.0.0.1"});
    body["AnalyticsMetadata"] = Value::Null;
    h.call("SignUp", body).await.ok();
}

#[tokio::test]
async fn error_messages_and_headers_repeat_no_more_than_a_short_prefix() {
    let h = Harness::new().await;
    let huge = "C".repeat(70_000);
    for (op, body) in [
        (
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": huge,
                                "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}),
        ),
        (
            "InitiateAuth",
            json!({"AuthFlow": huge, "ClientId": DEMO_CLIENT_ID}),
        ),
        ("DescribeUserPool", json!({"UserPoolId": huge})),
        (
            "SignUp",
            json!({"ClientId": DEMO_CLIENT_ID, "Username": huge, "Password": "x"}),
        ),
    ] {
        let r = raw_request(&h.http, h.base(), op, body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let header = r
            .headers()
            .get("x-amzn-errormessage")
            .map(|v| v.len())
            .unwrap_or(0);
        assert!(header <= 256, "{op}: a {header}-byte error header");
        let v: Value = r.json().await.unwrap();
        let message = v["message"].as_str().unwrap();
        assert!(message.len() <= 400, "{op}: {message}");
        assert!(v["__type"].is_string());
    }
    let target = format!("{TARGET_PREFIX}{}", "X".repeat(70_000));
    let r = support::http::post(
        &h.http,
        h.base(),
        "application/x-amz-json-1.1",
        Some(&target),
        b"{}".to_vec(),
    )
    .send()
    .await
    .unwrap();
    assert!(r.status().is_client_error());
}
