//! SRP, derived step by step, against the embedded pool: the values the client's derivation and
//! the pool's side show are enough to recompute the PASSWORD_CLAIM_SIGNATURE that went on the
//! wire, both sides reach the same K, the pool's side is never published before the answer
//! was checked, and the panel shows every quantity whole at 80×24.

mod support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType};
use cognito_tui::auth::{self, ActorOptions, AuthHandle};
use cognito_tui::cognito::{Client, WireExchange};
use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID};
use cognito_tui::secret::Secret;
use cognito_tui::srp::{self, ServerSrpSide, Shown, SrpDerivation};
use cognito_tui::tui::App;
use cognito_tui::tui::demo::{self, NOW_MS, render};
use cognito_tui::tui::screens::Screen;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::Harness;
use support::proxy::RecordingProxy;

fn target(endpoint: &str) -> Target {
    Target {
        endpoint: endpoint.to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: true,
    }
}

fn actor(endpoint: &str) -> AuthHandle {
    let t = target(endpoint);
    auth::spawn(Client::new(&t).unwrap(), &t, ActorOptions::default())
}

async fn sign_in(h: &mut AuthHandle, user: &str, password: &str) -> Vec<AuthEvent> {
    h.tx.send(AuthCommand::SignIn {
        username: user.into(),
        password: Some(Secret::new(password)),
        flow: AuthFlowType::UserSrpAuth,
        preferred_challenge: None,
    })
    .await
    .unwrap();
    let mut out = Vec::new();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), h.rx.recv())
            .await
            .expect("no event within 30 s")
            .expect("actor stopped");
        let done = matches!(ev, AuthEvent::Finished { .. });
        out.push(ev);
        if done {
            return out;
        }
    }
}

fn sides(events: &[AuthEvent]) -> (SrpDerivation, Option<ServerSrpSide>) {
    let client = events.iter().find_map(|e| match e {
        AuthEvent::Srp(d) => Some(d.clone()),
        _ => None,
    });
    let server = events.iter().find_map(|e| match e {
        AuthEvent::SrpServer(s) => Some(s.clone()),
        _ => None,
    });
    (client.expect("an SRP sign-in emits its derivation"), server)
}

/// The signature recomputed from the shown values alone: HMAC-SHA256(K, pool ‖ user ‖
/// SECRET_BLOCK ‖ TIMESTAMP), with the crates, not the app's SRP code.
fn recompute_signature(d: &SrpDerivation) -> String {
    let key = hex::decode(&d.key).expect("K is shown as hex");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(d.pool_name.as_bytes());
    mac.update(d.user_id_for_srp.as_bytes());
    mac.update(&B64.decode(&d.secret_block).expect("SECRET_BLOCK is base64"));
    mac.update(d.timestamp.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// Java's `BigInteger.toByteArray()` of a hex value.
fn pad_hex(h: &str) -> Vec<u8> {
    let h = if h.len() % 2 == 1 {
        format!("0{h}")
    } else {
        h.to_string()
    };
    let mut b = hex::decode(h).unwrap();
    while b.len() > 1 && b[0] == 0 && b[1] & 0x80 == 0 {
        b.remove(0);
    }
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    b
}

/// K = HKDF-SHA256(ikm PAD(S), salt PAD(u), "Caldera Derived Key")[..16] from shown S and u.
fn recompute_key(s: &str, u: &str) -> String {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad_hex(u)), &pad_hex(s));
    let mut okm = [0u8; 16];
    hk.expand(b"Caldera Derived Key", &mut okm).unwrap();
    hex::encode(okm)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shown_values_give_the_signature_sent_and_both_sides_reach_the_same_key() {
    let h = Harness::new().await;
    let proxy = RecordingProxy::start(h.pool.base_url());
    let mut a = actor(&proxy.url);
    let events = sign_in(&mut a, "alice", DEMO_PASSWORD).await;
    let (d, server) = sides(&events);
    let server = server.expect("the embedded pool publishes its side once it has checked");

    // What went on the wire, whole (the proxy) and as the inspector shows it.
    let sent = proxy
        .calls()
        .into_iter()
        .find(|c| {
            c.operation == "RespondToAuthChallenge"
                && c.request["ChallengeName"] == "PASSWORD_VERIFIER"
        })
        .expect("the proof was sent");
    let wire_signature = sent.request["ChallengeResponses"]["PASSWORD_CLAIM_SIGNATURE"]
        .as_str()
        .unwrap()
        .to_string();
    let recomputed = recompute_signature(&d);
    assert_eq!(
        recomputed, wire_signature,
        "HMAC(K, message) is what was sent"
    );
    assert_eq!(d.signature, wire_signature);
    assert_eq!(
        sent.request["ChallengeResponses"]["TIMESTAMP"], d.timestamp,
        "the message's TIMESTAMP is the one sent"
    );
    let shown: Vec<&WireExchange> = events
        .iter()
        .filter_map(|e| match e {
            AuthEvent::Exchange(x) if x.operation == "RespondToAuthChallenge" => Some(x),
            _ => None,
        })
        .collect();
    let in_inspector = shown[0].request["ChallengeResponses"]["PASSWORD_CLAIM_SIGNATURE"]
        .as_str()
        .unwrap();
    let head: String = recomputed.chars().take(10).collect();
    assert_eq!(in_inspector, format!("{head}…({} chars)", recomputed.len()));
    // A and B are the ones on the wire too.
    let init = proxy
        .calls()
        .into_iter()
        .find(|c| c.operation == "InitiateAuth")
        .unwrap();
    assert_eq!(init.request["AuthParameters"]["SRP_A"], d.a_pub);
    assert_eq!(init.response["ChallengeParameters"]["SRP_B"], d.b_pub);
    assert_eq!(init.response["ChallengeParameters"]["SALT"], d.salt);

    // u = H(PAD(A) ‖ PAD(B)) and K = HKDF(S, u), from the shown values.
    let u = hex::encode(
        Sha256::new()
            .chain_update(pad_hex(&d.a_pub))
            .chain_update(pad_hex(&d.b_pub))
            .finalize(),
    );
    assert_eq!(u.trim_start_matches('0'), d.u.trim_start_matches('0'));
    assert_eq!(recompute_key(&d.s, &d.u), d.key);
    assert_eq!(recompute_key(&server.s, &server.u), server.key);

    // Both sides reach the same S and K, and the pool says the signature matched.
    assert_eq!(server.u, d.u);
    assert_eq!(server.s, d.s);
    assert_eq!(server.key, d.key);
    assert_eq!(server.b_pub, d.b_pub);
    assert!(server.signature_matched);

    // Nothing private in the headless JSON of these events: no a, no password, no v or b.
    let a_hex =
        d.a.as_ref()
            .expect("a is kept in memory")
            .reveal()
            .to_string();
    let json: String = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    assert!(json.contains("\"event\":\"srp\""), "{json}");
    assert!(json.contains("\"event\":\"srp_server\""));
    assert!(!json.contains(&a_hex), "a reached the JSON");
    assert!(!json.contains(DEMO_PASSWORD));
    assert!(
        server.v_fingerprint.starts_with("sha256:") && server.b_fingerprint.starts_with("sha256:")
    );

    // The panel shows the same K on both sides, and says so, at 80×24.
    let mut app = demo::app();
    for e in events {
        app.on_auth_event(e, NOW_MS);
    }
    app.goto(Screen::Session);
    ctrl(&mut app, 'k');
    assert!(app.srp.open);
    key(&mut app, KeyCode::End);
    let screen = panel_text(&app);
    assert!(screen.contains("Both sides reach the same K"), "{screen}");
    let k_rows = count(&screen, &d.key);
    assert_eq!(k_rows, 1, "the pool's K in view: {screen}");
    // The client's K, a few entries up, shows the same hex.
    for _ in 0..8 {
        key(&mut app, KeyCode::Up);
    }
    let screen = panel_text(&app);
    assert!(screen.contains("K = HKDF-SHA256"), "{screen}");
    assert!(screen.contains(&d.key), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_endpoint_found_to_be_a_cognito_tui_pool_gives_the_server_side_too() {
    // `--endpoint http://127.0.0.1:…` at `cognito-tui serve`: not the embedded pool, so the
    // actor first asks (as the users view does) whether it is a cognito-tui pool.
    let h = Harness::new().await;
    let t = Target {
        local: false,
        ..target(h.pool.base_url())
    };
    let mut a = auth::spawn(Client::new(&t).unwrap(), &t, ActorOptions::default());
    let events = sign_in(&mut a, "alice", DEMO_PASSWORD).await;
    let (d, server) = sides(&events);
    let server = server.expect("a cognito-tui pool behind a custom endpoint publishes its side");
    assert_eq!(server.key, d.key);
    assert!(server.signature_matched);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_shows_two_different_keys_and_a_refused_signature() {
    let h = Harness::new().await;
    let mut a = actor(h.pool.base_url());
    let events = sign_in(&mut a, "bob", "Not-the-passw0rd").await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, AuthEvent::Error(v) if v.code == "NotAuthorizedException"))
    );
    let (d, server) = sides(&events);
    let server = server.expect("a checked answer is published, refused or not");
    assert_eq!(server.u, d.u);
    assert!(!server.signature_matched);
    assert_ne!(server.key, d.key);
    assert_ne!(server.s, d.s);

    let mut app = demo::app();
    for e in events {
        app.on_auth_event(e, NOW_MS);
    }
    app.goto(Screen::Challenge);
    ctrl(&mut app, 'k');
    key(&mut app, KeyCode::End);
    let screen = panel_text(&app);
    assert!(screen.contains("The two K differ"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_publishes_its_side_only_after_the_answer_and_only_to_local_clients() {
    let h = Harness::new().await;
    let base = h.pool.base_url().trim_end_matches('/').to_string();
    let http = reqwest::Client::new();
    let call = |op: &'static str, body: Value| {
        let http = http.clone();
        let base = base.clone();
        async move {
            http.post(format!("{base}/"))
                .header(
                    "x-amz-target",
                    format!("AWSCognitoIdentityProviderService.{op}"),
                )
                .header("content-type", "application/x-amz-json-1.1")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let c = srp::ClientEphemeral::generate();
    let init = call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": DEMO_CLIENT_ID,
               "AuthParameters": {"USERNAME": "dave", "SRP_A": c.a_hex()}}),
    )
    .await;
    let p = &init["ChallengeParameters"];
    let b_hex = p["SRP_B"].as_str().unwrap();
    let u = srp::to_hex(&srp::compute_u(
        c.public(),
        &srp::parse_hex(b_hex, "B").unwrap(),
    ));
    let get = |origin: Option<&str>| {
        let mut r = http.get(format!("{base}/_local/srp/{u}"));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    // Pending: nothing to read (K would let anyone finish this sign-in).
    let pending = get(None).await.unwrap();
    assert_eq!(pending.status(), 404);
    let kind = pending.headers()["x-amzn-errortype"].to_str().unwrap();
    assert!(kind.starts_with("ResourceNotFoundException"), "{kind}");
    let ts = srp::timestamp_now();
    let claim = c
        .password_claim(
            srp::pool_name(DEMO_POOL_ID),
            p["USER_ID_FOR_SRP"].as_str().unwrap(),
            DEMO_PASSWORD,
            p["SALT"].as_str().unwrap(),
            b_hex,
            p["SECRET_BLOCK"].as_str().unwrap(),
            &ts,
        )
        .unwrap();
    let answer = call(
        "RespondToAuthChallenge",
        json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": DEMO_CLIENT_ID,
               "Session": init["Session"],
               "ChallengeResponses": {"USERNAME": p["USER_ID_FOR_SRP"],
                   "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                   "PASSWORD_CLAIM_SIGNATURE": claim.signature, "TIMESTAMP": ts}}),
    )
    .await;
    assert!(
        answer["AuthenticationResult"]["AccessToken"].is_string(),
        "{answer}"
    );
    // A browser page never gets it.
    let page = get(Some("http://evil.example")).await.unwrap();
    assert_eq!(page.status(), 403);
    // This machine's client does, once checked; with nothing that allows guessing offline.
    let side: ServerSrpSide = get(None).await.unwrap().json().await.unwrap();
    assert_eq!(side.key, claim.derivation.key);
    assert!(side.signature_matched);
    let raw = serde_json::to_string(&side).unwrap();
    assert!(!raw.contains("b_priv") && !raw.contains("verifier\""));
    // Unknown or malformed u: a Cognito-shaped 404, never a 5xx.
    for bad in ["00", "zz", &"f".repeat(300)] {
        let r = http
            .get(format!("{base}/_local/srp/{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
}

#[test]
fn the_panel_reads_whole_at_80x24_and_reveals_a_only_when_asked() {
    let mut app = demo::srp_panel();
    let (client, server) = demo::srp_sides();
    let entries: Vec<_> = client
        .quantities()
        .into_iter()
        .chain(server.quantities())
        .collect();
    key(&mut app, KeyCode::Home);
    for (i, q) in entries.iter().enumerate() {
        let screen = norm(&panel_text(&app));
        // Each entry, when selected, shows its formula and its meaning whole (wrapped, not cut).
        assert!(screen.contains(&norm(q.formula)), "entry {i}: {screen}");
        assert!(screen.contains(&norm(q.meaning)), "entry {i}: {screen}");
        if let Shown::Hex(h) = &q.value {
            if h.len() > 40 {
                assert!(!screen.contains(h.as_str()), "abbreviated until expanded");
                key(&mut app, KeyCode::Enter);
                let expanded: String = panel_rows(&app).join("").split_whitespace().collect();
                assert!(
                    expanded.contains(h.as_str()),
                    "entry {i} expanded: {expanded}"
                );
                key(&mut app, KeyCode::Enter);
            } else {
                assert!(screen.contains(h.as_str()));
            }
        }
        key(&mut app, KeyCode::Down);
    }
    // a stays hidden until r, and is hidden again when the panel closes.
    let a = client.a.as_ref().unwrap().reveal().to_string();
    let head: String = a.chars().take(16).collect();
    key(&mut app, KeyCode::Home);
    assert!(panel_text(&app).contains("hidden · r reveals it"));
    assert!(!panel_text(&app).contains(&head));
    key(&mut app, KeyCode::Char('r'));
    assert!(panel_text(&app).contains(&head));
    key(&mut app, KeyCode::Esc);
    assert!(!app.srp.open);
    ctrl(&mut app, 'k');
    assert!(app.srp.open);
    assert!(
        !panel_text(&app).contains(&head),
        "a reveal does not outlive the panel"
    );
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS);
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        NOW_MS,
    );
}

/// The panel's inner rows at 80×24 (inside its border).
fn panel_rows(app: &App) -> Vec<String> {
    let buf = render(app, 80, 24, NOW_MS);
    (2..23)
        .map(|y| {
            (2..78)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

fn panel_text(app: &App) -> String {
    panel_rows(app).join("\n")
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The built binary in tmux at 80×24: sign in with SRP, Ctrl-K on the Session screen opens the
/// panel, End shows the pool's side and the verdict, and the password is nowhere on screen.
#[test]
fn the_built_binary_shows_the_panel_at_80x24() {
    use support::tmux::Tmux;
    let home = tempfile::tempdir().expect("tempdir");
    let home_s = home.path().to_string_lossy().to_string();
    let exe = support::pool::binary_path();
    let Some(t) = Tmux::start_sized("srp", exe, "", &[("COGNITO_TUI_HOME", &home_s)], 80, 24)
    else {
        return;
    };
    t.wait_for("F3 Sign in");
    t.keys(&["F3"]);
    t.wait_for("Username");
    t.text("alice");
    t.keys(&["Tab"]);
    t.text(DEMO_PASSWORD);
    t.keys(&["Enter"]);
    t.wait_for("signIn — → DONE");
    t.keys(&["C-k"]);
    let s = t.wait_for("SRP, derived step by step");
    assert!(
        s.contains("a = 256 random bits") && s.contains("hidden · r reveals it"),
        "{s}"
    );
    assert!(s.contains("A = gᵃ mod N"), "{s}");
    t.keys(&["End"]);
    let s = t.wait_for("Both sides reach the same K");
    assert!(s.contains("S = (A·vᵘ)ᵇ mod N"), "{s}");
    // The verdict is wrapped, not cut: its sentence ends on screen.
    assert!(s.contains("PASSWORD_CLAIM_SIGNATURE."), "{s}");
    assert!(!s.contains(DEMO_PASSWORD));
    t.keys(&["Escape"]);
    t.wait_until("the panel closed", |s| {
        !s.contains("SRP, derived step by step")
    });
}
