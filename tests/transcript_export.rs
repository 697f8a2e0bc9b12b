//! Transcript export through the headless driver (`run --transcript`), against the embedded
//! pool: a full sign-up → confirm → sign-in with TOTP MFA set up → sign-out → sign-in with a
//! TOTP code → sign-out. The Markdown and the JSON hold every transition the driver reported,
//! every call, the tool version and the target; and no password, code, TOTP secret, SECRET_HASH
//! or whole token (each one the run used is searched for in both files).

mod support;

use std::path::Path;
use std::time::Duration;

use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_POOL_ID};
use cognito_tui::transcript::{Transcript, TranscriptTarget};
use cognito_tui::{admin, auth, cognito::Client, headless};
use serde_json::{Value, json};
use support::Harness;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};

const PASSWORD: &str = "Transcript-Passw0rd!";
const USER: &str = "exporter";

struct Driver {
    input: Option<DuplexStream>,
    out: Lines<BufReader<DuplexStream>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    lines: Vec<Value>,
}

impl Driver {
    async fn send(&mut self, cmd: Value) -> Vec<Value> {
        let input = self.input.as_mut().unwrap();
        input
            .write_all(format!("{cmd}\n").as_bytes())
            .await
            .unwrap();
        input.flush().await.unwrap();
        let mut got = Vec::new();
        loop {
            let line = tokio::time::timeout(Duration::from_secs(30), self.out.next_line())
                .await
                .expect("output within 30 s")
                .unwrap()
                .expect("the driver runs");
            let v: Value = serde_json::from_str(&line).unwrap();
            let end = matches!(
                (v["source"].as_str(), v["event"].as_str()),
                (Some("auth"), Some("finished")) | (Some("headless"), Some(_))
            );
            self.lines.push(v.clone());
            got.push(v);
            if end {
                return got;
            }
        }
    }

    /// Ends the input; returns what the driver wrote after it (the `transcript` event).
    async fn close(mut self) -> (Vec<Value>, Vec<Value>) {
        drop(self.input.take());
        let mut tail = Vec::new();
        while let Ok(Some(line)) = self.out.next_line().await {
            tail.push(serde_json::from_str(&line).unwrap());
        }
        tokio::time::timeout(Duration::from_secs(30), self.task.take().unwrap())
            .await
            .expect("the driver ends with its input")
            .unwrap()
            .expect("the driver succeeded");
        (self.lines, tail)
    }
}

fn driver(p: &Harness, path: &Path, state_dir: &Path) -> Driver {
    let t = Target {
        endpoint: p.pool.base_url().to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: true,
    };
    let client = Client::new(&t).unwrap().with_signer(support::signer());
    let opts = auth::ActorOptions {
        state_dir: Some(state_dir.to_path_buf()),
        ..Default::default()
    };
    let a = auth::spawn(client.clone(), &t, opts);
    let ad = admin::spawn(client, &t);
    let (input, driver_in) = tokio::io::duplex(64 * 1024);
    let (driver_out, output) = tokio::io::duplex(1024 * 1024);
    let transcript = headless::TranscriptOut {
        transcript: Transcript::new(TranscriptTarget::from_target(&t), 0),
        path: path.to_path_buf(),
    };
    let task = tokio::spawn(async move {
        headless::run_recorded(
            a,
            ad,
            BufReader::new(driver_in),
            driver_out,
            Some(transcript),
        )
        .await
    });
    Driver {
        input: Some(input),
        out: BufReader::new(output).lines(),
        task: Some(task),
        lines: Vec::new(),
    }
}

fn totp(secret: &str, at: u64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
        .generate(at)
        .to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn step<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| {
            l["event"] == "transition"
                && ["signUpStep", "signInStep", "resetPasswordStep"]
                    .iter()
                    .any(|k| l["next_step"][k] == name)
        })
        .unwrap_or_else(|| panic!("no {name} step in {lines:#?}"))
}

/// Every JWT-shaped run (three base64url parts) in `text`.
fn whole_jwts(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("eyJ") {
        let run: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
            .collect();
        if run.matches('.').count() >= 2 {
            found.push(run);
        }
    }
    found
}

#[tokio::test]
async fn a_sign_up_mfa_sign_in_sign_out_transcript_holds_every_step_and_no_secret() {
    let p = Harness::new().await;
    // MFA required, TOTP the only method: a new user sets it up at the first sign-in.
    let r = support::raw_request(
        &p.http,
        p.pool.base_url(),
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": DEMO_POOL_ID, "MfaConfiguration": "ON",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}})
        .to_string(),
    )
    .send()
    .await
    .unwrap();
    assert!(r.status().is_success());

    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let path = dir.path().join("out/session.md");
    let mut d = driver(&p, &path, state.path());
    let mut secrets: Vec<String> = vec![PASSWORD.into()];

    let out = d
        .send(
            json!({"cmd": "sign_up", "username": USER, "password": PASSWORD,
                     "attributes": {"email": "exporter@example.com"}}),
        )
        .await;
    step(&out, "CONFIRM_SIGN_UP");
    let out = d
        .send(json!({"cmd": "wait_outbox", "username": USER, "purpose": "SIGN_UP"}))
        .await;
    let code = out.last().unwrap()["code"].as_str().unwrap().to_string();
    secrets.push(code.clone());
    let out = d
        .send(json!({"cmd": "confirm_sign_up", "username": USER, "code": code}))
        .await;
    step(&out, "DONE");

    let out = d
        .send(json!({"cmd": "sign_in", "username": USER, "password": PASSWORD}))
        .await;
    let t = step(&out, "CONTINUE_SIGN_IN_WITH_TOTP_SETUP");
    let secret = t["next_step"]["totpSetupDetails"]["sharedSecret"]
        .as_str()
        .unwrap()
        .to_string();
    secrets.push(secret.clone());
    let used_at = now();
    let first = totp(&secret, used_at);
    secrets.push(first.clone());
    let out = d
        .send(json!({"cmd": "confirm_sign_in", "response": first}))
        .await;
    step(&out, "DONE");
    // The whole tokens, as the actor keeps them on disk: none may reach the transcript.
    for f in std::fs::read_dir(state.path()).unwrap().flatten() {
        let text = std::fs::read_to_string(f.path()).unwrap_or_default();
        secrets.extend(whole_jwts(&text));
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            collect_strings(&v, &mut secrets);
        }
    }
    let out = d.send(json!({"cmd": "sign_out"})).await;
    assert_eq!(out.last().unwrap()["ok"], true);

    let out = d
        .send(json!({"cmd": "sign_in", "username": USER, "password": PASSWORD}))
        .await;
    step(&out, "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    let second = totp(&secret, used_at + 30);
    secrets.push(second.clone());
    let out = d
        .send(json!({"cmd": "confirm_sign_in", "response": second}))
        .await;
    step(&out, "DONE");
    let out = d.send(json!({"cmd": "sign_out"})).await;
    assert_eq!(out.last().unwrap()["ok"], true);

    let (lines, tail) = d.close().await;
    let done = tail
        .iter()
        .find(|l| l["event"] == "transcript")
        .unwrap_or_else(|| panic!("a transcript event: {tail:#?}"));
    let md_path = Path::new(done["markdown"].as_str().unwrap());
    let json_path = Path::new(done["json"].as_str().unwrap());
    assert_eq!(md_path, path);
    assert_eq!(json_path, dir.path().join("out/session.json"));
    let md = std::fs::read_to_string(md_path).unwrap();
    let json_text = std::fs::read_to_string(json_path).unwrap();
    let doc: Value = serde_json::from_str(&json_text).unwrap();
    #[cfg(unix)]
    for f in [md_path, json_path] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(f).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", f.display());
    }

    // The tool, its version and the target.
    assert_eq!(doc["format"], "cognito-tui-transcript/1");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["target"]["user_pool_id"], DEMO_POOL_ID);
    assert_eq!(doc["target"]["region"], "us-east-1");
    assert_eq!(doc["target"]["endpoint"], p.pool.base_url());
    assert!(md.contains(&format!("cognito-tui {}", env!("CARGO_PKG_VERSION"))));
    assert!(md.contains(DEMO_POOL_ID) && md.contains(p.pool.base_url()));

    // Every transition the driver reported, in order, with its explanation and latency.
    let reported: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "transition")
        .collect();
    let kept: Vec<&Value> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "transition")
        .collect();
    assert_eq!(reported.len(), 6, "{reported:#?}");
    assert_eq!(kept.len(), reported.len());
    let names = [
        "CONFIRM_SIGN_UP",
        "DONE",
        "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        "DONE",
        "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
        "DONE",
    ];
    for (r, k) in reported.iter().zip(&kept) {
        for field in [
            "api",
            "from",
            "operations",
            "latency_ms",
            "at_ms",
            "explanation",
        ] {
            assert_eq!(r[field], k[field], "{field}");
        }
        let row = format!(
            "| {} | {} → **",
            r["api"].as_str().unwrap(),
            r["from"].as_str().unwrap_or("—")
        );
        assert!(md.contains(&row), "{row} not in the steps table:\n{md}");
        let why = r["explanation"].as_str().unwrap();
        assert!(!why.is_empty());
    }
    // The narrative tells the steps in order.
    let mut at = md.find("## What happened").expect("a narrative");
    for name in names {
        let needle = format!("→ **{name}**");
        let i = md[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{name} after byte {at} in:\n{md}"));
        at += i + needle.len();
    }
    // Every call, with its latency.
    let calls = lines.iter().filter(|l| l["event"] == "exchange").count();
    let kept_calls = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "exchange" && e["latency_ms"].is_u64())
        .count();
    assert_eq!(kept_calls, calls);
    assert_eq!(md.matches("**Call** `").count(), calls);
    for op in [
        "SignUp",
        "ConfirmSignUp",
        "InitiateAuth",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "RespondToAuthChallenge",
        "RevokeToken",
    ] {
        assert!(md.contains(&format!("**Call** `{op}`")), "{op}");
    }

    // No password, code, TOTP secret or whole token; code-bearing fields are hidden.
    assert!(secrets.len() > 6, "{secrets:?}");
    for s in &secrets {
        assert!(
            !md.contains(s.as_str()),
            "a secret ({} chars) is in the Markdown",
            s.len()
        );
        assert!(
            !json_text.contains(s.as_str()),
            "a secret ({} chars) is in the JSON",
            s.len()
        );
    }
    for text in [&md, &json_text] {
        assert!(
            whole_jwts(text).is_empty(),
            "a whole token: {:?}",
            whole_jwts(text)
        );
        for key in [
            "ConfirmationCode",
            "UserCode",
            "SOFTWARE_TOKEN_MFA_CODE",
            "PASSWORD",
            "SecretCode",
            "sharedSecret",
            "SECRET_HASH",
        ] {
            for (i, _) in text.match_indices(&format!("\"{key}\"")) {
                let rest = text[i + key.len() + 2..].trim_start_matches([':', ' ']);
                assert!(
                    rest.starts_with("\"***\""),
                    "{key} is not hidden: {}",
                    &rest[..rest.len().min(40)]
                );
            }
        }
    }
}

/// The values of every `*_token` member (the saved session's tokens), at any depth.
fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k.ends_with("token") && s.len() >= 20 => {
                        out.push(s.clone())
                    }
                    _ => collect_strings(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}
