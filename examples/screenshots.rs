//! Renders the app's main screens with sample data (`cognito_tui::tui::demo`) on a
//! TestBackend and writes one SVG per screen: `cargo run --example screenshots -- OUT_DIR`.
//! `--text` prints the screens as text instead. scripts/screenshots.sh turns the SVGs into
//! PNGs.

use std::path::PathBuf;

use cognito_tui::admin::{AdminEvent, GroupRow, UserDetail};
use cognito_tui::auth::events::{AuthEvent, DeviceView};
use cognito_tui::auth::steps::{MfaType, SignInStep};
use cognito_tui::tui::App;
use cognito_tui::tui::demo::{self, NOW_MS};
use cognito_tui::tui::screens::Screen;
use cognito_tui::tui::svg::buffer_to_svg;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), NOW_MS);
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE), NOW_MS);
}

/// The Users view with the demo's first page, the second row selected.
fn users_app() -> App {
    let mut users = demo::signed_in();
    users.goto(Screen::Users);
    users.on_admin_event(
        AdminEvent::UsersPage {
            filter: None,
            request_token: None,
            users: demo::users(60),
            next_token: Some("page-2".into()),
        },
        NOW_MS,
    );
    key(&mut users, KeyCode::Down);
    users
}

/// alice's second sign-in on a remembered device: device SRP ran by itself (its two status
/// rows and calls), and the Session screen lists her devices.
fn device_sign_in() -> App {
    let device = "us-east-1_6f1d0c2e-9b7a-4e3c-8d21-5a4b3c2d1e0f";
    let mut app = demo::after_sign_up();
    app.on_auth_event(
        AuthEvent::Transition(demo::confirmed_transition(NOW_MS - 60_000)),
        NOW_MS,
    );
    let mut at = NOW_MS - 2_400;
    let mut exchange = |app: &mut App, id: u64, challenge: Option<&str>| {
        let op = if challenge.is_some() {
            "RespondToAuthChallenge"
        } else {
            "InitiateAuth"
        };
        let mut x = demo::exchange(id, op, at);
        if let Some(c) = challenge {
            x.request["ChallengeName"] = c.into();
            x.request["ChallengeResponses"]["DEVICE_KEY"] = device.into();
        }
        at += 300;
        app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    };
    let info = |app: &mut App, message: String, at_ms: i64| {
        app.on_auth_event(
            AuthEvent::Info {
                api: "signIn".into(),
                message,
            },
            at_ms,
        );
    };
    exchange(&mut app, 2, None);
    exchange(&mut app, 3, Some("PASSWORD_VERIFIER"));
    info(
        &mut app,
        format!(
            "DEVICE_SRP_AUTH: Cognito asks the remembered device {device} to prove itself; a new \
             SRP_A, then RespondToAuthChallenge DEVICE_SRP_AUTH"
        ),
        NOW_MS - 1_700,
    );
    exchange(&mut app, 4, Some("DEVICE_SRP_AUTH"));
    info(
        &mut app,
        format!(
            "DEVICE_PASSWORD_VERIFIER: Cognito asks for the device's proof; computing it with \
             the device key {device} and its group key, then RespondToAuthChallenge"
        ),
        NOW_MS - 1_400,
    );
    exchange(&mut app, 5, Some("DEVICE_PASSWORD_VERIFIER"));
    let mut done = demo::signed_in_transition(NOW_MS - 1_000);
    done.challenge_name = None;
    done.operations = vec![
        "InitiateAuth".into(),
        "RespondToAuthChallenge".into(),
        "RespondToAuthChallenge".into(),
        "RespondToAuthChallenge".into(),
    ];
    done.explanation =
        "The remembered device proved itself: Cognito issued tokens, the user is signed in".into();
    app.on_auth_event(AuthEvent::Transition(done), NOW_MS);
    let mut session = demo::session();
    session.access_token_claims["device_key"] = device.into();
    app.on_auth_event(
        AuthEvent::Session {
            session: Some(session),
        },
        NOW_MS,
    );
    app.goto(Screen::Session);
    app.on_auth_event(
        AuthEvent::Devices {
            devices: vec![
                DeviceView {
                    device_key: device.into(),
                    name: Some("cognito-tui".into()),
                    status: Some("remembered".into()),
                    last_authenticated: Some(NOW_MS / 1000 - 1),
                    this_client: true,
                },
                DeviceView {
                    device_key: "us-east-1_0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d".into(),
                    name: Some("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15)".into()),
                    status: Some("not_remembered".into()),
                    last_authenticated: Some(NOW_MS / 1000 - 86_400 * 3),
                    this_client: false,
                },
            ],
        },
        NOW_MS,
    );
    app
}

fn screens() -> Vec<(&'static str, App)> {
    let mut out = Vec::new();

    let mut sign_up = demo::app();
    sign_up.goto(Screen::SignUp);
    type_text(&mut sign_up, "alice");
    key(&mut sign_up, KeyCode::Tab);
    type_text(&mut sign_up, "Correct-Horse-9");
    key(&mut sign_up, KeyCode::Tab);
    type_text(&mut sign_up, "alice@example.com");
    out.push(("sign-up", sign_up));

    let confirm = demo::after_sign_up();
    out.push(("confirm", confirm));

    let mut sign_in = demo::after_sign_up();
    sign_in.on_auth_event(
        AuthEvent::Transition(demo::confirmed_transition(NOW_MS - 60_000)),
        NOW_MS,
    );
    type_text(&mut sign_in, "Correct-Horse-9");
    out.push(("sign-in", sign_in));

    let mut challenge = demo::after_sign_up();
    challenge.ctx.last_username = "alice".into();
    challenge.on_auth_event(
        AuthEvent::Exchange(demo::exchange(2, "InitiateAuth", NOW_MS - 15_000)),
        NOW_MS,
    );
    challenge.on_auth_event(
        AuthEvent::Transition(demo::sms_challenge(NOW_MS - 14_000)),
        NOW_MS,
    );
    type_text(&mut challenge, "4821");
    out.push(("challenge", challenge));

    let session = demo::signed_in();
    out.push(("session", session));
    out.push(("token-expired", demo::expired()));
    out.push(("token-revoked", demo::signed_out()));

    // The SRP panel at its end: the pool's side and the verdict that both reach the same K.
    let mut srp = demo::srp_panel();
    key(&mut srp, KeyCode::End);
    out.push(("srp-panel", srp));

    out.push(("devices", device_sign_in()));
    out.push(("account", demo::account()));

    let users = users_app();
    let mut users_detail = users_app();
    let mut users_confirm = users_app();
    out.push(("users", users));

    // The detail panel of the selected user (AdminGetUser + groups + devices).
    key(&mut users_detail, KeyCode::Enter);
    let bob = demo::users(2).pop().expect("two demo users");
    users_detail.on_admin_event(
        AdminEvent::UserDetail {
            detail: UserDetail {
                username: bob.username.clone(),
                preferred_mfa: Some("SOFTWARE_TOKEN_MFA".into()),
                mfa_settings: vec!["SOFTWARE_TOKEN_MFA".into(), "EMAIL_OTP".into()],
                groups: Some(vec![GroupRow {
                    name: "editors".into(),
                    description: Some("Can publish articles".into()),
                    precedence: Some(10),
                    role_arn: None,
                    created: NOW_MS / 1000 - 86_400 * 30,
                    modified: NOW_MS / 1000 - 86_400 * 30,
                }]),
                devices: Some(Vec::new()),
                user: Some(bob),
                errors: Vec::new(),
            },
        },
        NOW_MS,
    );
    out.push(("users-detail", users_detail));

    // An action behind its confirmation.
    key(&mut users_confirm, KeyCode::Char('d'));
    out.push(("users-confirm", users_confirm));

    let mut outbox = demo::signed_in();
    outbox.goto(Screen::Outbox);
    out.push(("outbox", outbox));

    let mut inspector = demo::signed_in();
    let mut failed = demo::exchange(4, "InitiateAuth", NOW_MS - 400);
    failed.status = Some(400);
    failed.error = Some("NotAuthorizedException".into());
    failed.request = serde_json::json!({"AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": "***"}});
    failed.response = serde_json::json!({"__type": "NotAuthorizedException",
        "message": "Incorrect username or password."});
    inspector.on_auth_event(AuthEvent::Exchange(failed), NOW_MS);
    inspector.on_auth_event(
        demo::error(
            "signIn",
            "InitiateAuth",
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        NOW_MS,
    );
    inspector.inspector.zoom = true;
    out.push(("inspector", inspector));

    let mut help = demo::signed_in();
    help.help = true;
    out.push(("help", help));

    // Issue 3: a screen per challenge step, the pool settings, step mode.
    let mut totp = demo::after_sign_up();
    totp.on_auth_event(
        AuthEvent::Transition(demo::totp_setup(NOW_MS - 9_000)),
        NOW_MS,
    );
    out.push(("totp-setup", totp));

    let mut factor = demo::after_sign_up();
    factor.on_auth_event(
        AuthEvent::Transition(demo::step(
            SignInStep::ContinueSignInWithFirstFactorSelection {
                available_challenges: vec![
                    "PASSWORD_SRP".into(),
                    "EMAIL_OTP".into(),
                    "WEB_AUTHN".into(),
                ],
            },
            "SELECT_CHALLENGE",
            &[],
            NOW_MS - 4_000,
            0,
        )),
        NOW_MS,
    );
    out.push(("first-factor", factor));

    let mut mfa = demo::after_sign_up();
    mfa.on_auth_event(
        AuthEvent::Transition(demo::step(
            SignInStep::ContinueSignInWithMfaSelection {
                allowed_mfa_types: vec![MfaType::Sms, MfaType::Totp, MfaType::Email],
            },
            "SELECT_MFA_TYPE",
            &[(
                "MFAS_CAN_CHOOSE",
                "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]",
            )],
            NOW_MS - 2_000,
            0,
        )),
        NOW_MS,
    );
    out.push(("mfa-selection", mfa));

    let mut stale = demo::after_sign_up();
    stale.on_auth_event(
        AuthEvent::Transition(demo::step(
            SignInStep::ConfirmSignInWithTotpCode,
            "SOFTWARE_TOKEN_MFA",
            &[],
            NOW_MS - 20_000,
            170_000,
        )),
        NOW_MS,
    );
    stale.on_auth_event(
        demo::error(
            "confirmSignIn",
            "RespondToAuthChallenge",
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
        ),
        NOW_MS,
    );
    out.push(("stale-session", stale));

    // A new password the policy refuses, its status row opened whole (Alt-↑, Enter).
    let mut detail = demo::after_sign_up();
    detail.ctx.last_username = "new-password".into();
    detail.on_auth_event(
        AuthEvent::Transition(demo::step(
            SignInStep::ConfirmSignInWithNewPasswordRequired {
                missing_attributes: Vec::new(),
            },
            "NEW_PASSWORD_REQUIRED",
            &[],
            NOW_MS - 9_000,
            300,
        )),
        NOW_MS,
    );
    let policy = "Password did not conform with policy: Password not long enough";
    let mut refused = demo::exchange(2, "RespondToAuthChallenge", NOW_MS - 100);
    refused.status = Some(400);
    refused.error = Some("InvalidPasswordException".into());
    refused.response = serde_json::json!({"__type": "InvalidPasswordException", "message": policy});
    detail.on_auth_event(AuthEvent::Exchange(refused), NOW_MS);
    detail.on_auth_event(
        demo::error(
            "confirmSignIn",
            "RespondToAuthChallenge",
            "InvalidPasswordException",
            policy,
        ),
        NOW_MS,
    );
    for code in [KeyCode::Up, KeyCode::Enter] {
        let mods = if code == KeyCode::Up {
            KeyModifiers::ALT
        } else {
            KeyModifiers::NONE
        };
        detail.handle_key(KeyEvent::new(code, mods), NOW_MS);
    }
    out.push(("status-detail", detail));

    // Triggers in the debugger: a sign-in PreAuthentication refused, then alice's with a
    // PreTokenGeneration run, shown in the inspector.
    let mut triggers = demo::after_sign_up();
    triggers.on_auth_event(
        AuthEvent::Exchange(demo::exchange(2, "InitiateAuth", NOW_MS - 5_000)),
        NOW_MS,
    );
    triggers.on_auth_event(
        AuthEvent::Trigger(demo::refused_run(NOW_MS - 4_990)),
        NOW_MS,
    );
    triggers.on_auth_event(
        AuthEvent::Exchange(demo::exchange(3, "InitiateAuth", NOW_MS - 900)),
        NOW_MS,
    );
    triggers.on_auth_event(
        AuthEvent::Exchange(demo::exchange(4, "RespondToAuthChallenge", NOW_MS - 860)),
        NOW_MS,
    );
    triggers.on_auth_event(
        AuthEvent::Trigger(demo::pre_token_run(NOW_MS - 850)),
        NOW_MS,
    );
    triggers.on_auth_event(
        AuthEvent::Transition(demo::signed_in_transition(NOW_MS - 760)),
        NOW_MS,
    );
    triggers.on_auth_event(
        AuthEvent::Session {
            session: Some(demo::session()),
        },
        NOW_MS,
    );
    // The inspector, full width, on the PreTokenGeneration run.
    let run = triggers.inspector.exchanges.len() - 1;
    triggers.inspector.show(run);
    triggers.inspector.zoom = true;
    out.push(("triggers", triggers));

    let mut pool = demo::signed_in();
    pool.goto(Screen::Pool);
    pool.on_admin_event(
        AdminEvent::PoolSettings {
            settings: demo::pool_settings(),
        },
        NOW_MS,
    );
    out.push(("pool", pool));

    let mut step = demo::after_sign_up();
    step.ctx.step_mode = true;
    step.goto(Screen::SignIn);
    step.on_auth_event(
        AuthEvent::Held {
            api: "signIn".into(),
            operation: "InitiateAuth".into(),
            request: serde_json::json!({
                "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"SRP_A": "4f1c9e…(768 chars)", "USERNAME": "alice"},
                "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
            }),
        },
        NOW_MS,
    );
    out.push(("step-mode", step));

    // `C` on a USER_PASSWORD_AUTH sign-in: the call as an AWS CLI command.
    let mut copy = demo::signed_in();
    let mut x = demo::exchange(40, "InitiateAuth", NOW_MS - 500);
    x.request = serde_json::json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"PASSWORD": "***", "USERNAME": "alice"},
        "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
    });
    copy.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
    key(&mut copy, KeyCode::Char('C'));
    out.push(("copy-call", copy));

    // Ctrl-E on a held request: the editor, the password kept back.
    let mut edit = demo::after_sign_up();
    edit.ctx.step_mode = true;
    edit.goto(Screen::SignIn);
    edit.on_auth_event(
        AuthEvent::Held {
            api: "signIn".into(),
            operation: "InitiateAuth".into(),
            request: serde_json::json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"PASSWORD": "***", "USERNAME": "alice"},
                "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
            }),
        },
        NOW_MS,
    );
    edit.handle_key(
        KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL),
        NOW_MS,
    );
    for _ in 0..4 {
        key(&mut edit, KeyCode::Down);
    }
    key(&mut edit, KeyCode::End);
    key(&mut edit, KeyCode::Left);
    for _ in 0.."alice".len() {
        key(&mut edit, KeyCode::Backspace);
    }
    type_text(&mut edit, "bob");
    out.push(("edit-held", edit));
    out
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = args.iter().any(|a| a == "--text");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("screenshots"));
    let (w, h) = args
        .iter()
        .find_map(|a| a.strip_prefix("--size="))
        .and_then(|s| s.split_once('x'))
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .unwrap_or((120, 36));
    if !text {
        std::fs::create_dir_all(&dir)?;
    }
    for (name, app) in screens() {
        let buf = demo::render(&app, w, h, NOW_MS);
        if text {
            println!("=== {name}\n{}", demo::text(&buf));
        } else {
            let path = dir.join(format!("{name}.svg"));
            std::fs::write(&path, buffer_to_svg(&buf))?;
            println!("{}", path.display());
        }
    }
    Ok(())
}
