//! Another `cognito-tui serve` given with `--endpoint`: the TUI asks it (through the users
//! actor, off the UI thread) whether it is a cognito-tui pool, and then Outbox and Pool work
//! against it as they do against the embedded pool. A server that is not one stays as it
//! was, and real Cognito is never asked.

mod support;

use std::time::Duration;

use cognito_tui::admin::{self, AdminCommand, AdminHandle};
use cognito_tui::cognito::Client;
use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_POOL_ID};
use cognito_tui::tui::demo::{NOW_MS, render, text};
use cognito_tui::tui::shared::Screen;
use cognito_tui::tui::theme::Theme;
use cognito_tui::tui::{Action, App, TargetInfo, TargetKind};

fn target(endpoint: &str) -> Target {
    Target {
        endpoint: endpoint.to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        // Given with --endpoint: not the embedded pool.
        local: false,
    }
}

fn actor(t: &Target) -> AdminHandle {
    admin::spawn(Client::new(t).unwrap().with_signer(support::signer()), t)
}

/// Sends the app's admin commands to the actor and feeds every answer back, until the actor
/// has been quiet for a moment.
async fn pump(app: &mut App, h: &mut AdminHandle, actions: Vec<Action>) {
    let mut pending = actions;
    loop {
        for a in pending.drain(..) {
            if let Action::Admin(cmd) = a {
                h.tx.send(cmd).await.unwrap();
            }
        }
        match tokio::time::timeout(Duration::from_millis(800), h.rx.recv()).await {
            Ok(Some(ev)) => pending = app.on_admin_event(ev, NOW_MS),
            Ok(None) => panic!("admin actor stopped"),
            Err(_) => return,
        }
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    text(&render(app, w, h, NOW_MS))
}

#[tokio::test]
async fn outbox_and_pool_work_against_another_cognito_tui_pool() {
    let dir = tempfile::tempdir().unwrap();
    let p = support::start_pool(&dir.path().join(support::pool::DB_FILE)).await;
    let t = target(p.base_url());
    let info = TargetInfo::from_target(&t);
    assert_eq!(info.kind, TargetKind::Custom);
    let mut app = App::new(info, false, None, Theme::default());
    let mut h = actor(&t);

    // A code goes out on the other server before the TUI looks.
    let client = Client::new(&t).unwrap();
    let call = client
        .sign_up(cognito_tui::cognito::types::SignUpRequest {
            client_id: DEMO_CLIENT_ID.into(),
            username: "detect-me".into(),
            password: Some(cognito_tui::secret::Secret::new("Detect-Passw0rd!")),
            user_attributes: vec![cognito_tui::cognito::types::AttributeType {
                name: "email".into(),
                value: Some("detect-me@example.com".into()),
            }],
        })
        .await;
    call.result.expect("sign-up on the second pool");

    // Before the answer the Outbox says what it says for any other server.
    app.goto(Screen::Outbox);
    assert!(
        screen(&app, 80, 24).contains("outbox exists for the embedded pool"),
        "{}",
        screen(&app, 80, 24)
    );

    let start = app.startup_actions();
    assert!(
        start
            .iter()
            .any(|a| matches!(a, Action::Admin(AdminCommand::DetectLocalPool))),
        "{start:?}"
    );
    pump(&mut app, &mut h, start).await;
    assert!(app.ctx.local, "the second pool was not recognised");

    // The Outbox (already open) shows the code the second pool sent.
    let s = screen(&app, 80, 24);
    assert!(!s.contains("exists for the embedded pool"), "{s}");
    assert!(s.contains("SIGN_UP") && s.contains("detect-me"), "{s}");
    assert!(
        s.contains("cognito-tui pool"),
        "the status pane says why:\n{s}"
    );

    // Pool reads the second pool's settings.
    let out = app.goto(Screen::Pool);
    assert!(
        out.iter()
            .any(|a| matches!(a, Action::Admin(AdminCommand::FetchPoolSettings))),
        "{out:?}"
    );
    pump(&mut app, &mut h, out).await;
    let s = screen(&app, 120, 40);
    assert!(!s.contains("embedded pool only"), "{s}");
    assert!(s.contains(DEMO_POOL_ID) && s.contains("MFA"), "{s}");
}

#[tokio::test]
async fn a_server_that_is_not_a_cognito_tui_pool_is_left_as_it_was() {
    // A plain HTTP server that answers 404 to everything.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let app = axum::Router::new();
        let _ = axum::serve(listener, app).await;
    });
    let t = target(&format!("http://{addr}"));
    let mut app = App::new(TargetInfo::from_target(&t), false, None, Theme::default());
    let mut h = actor(&t);
    let start = app.startup_actions();
    pump(&mut app, &mut h, start).await;
    assert!(!app.ctx.local);
    app.goto(Screen::Pool);
    assert!(screen(&app, 120, 40).contains("shown for the embedded pool only"));

    // Real Cognito is never asked.
    let aws = Target {
        endpoint: Target::aws_endpoint("us-east-1"),
        ..target("")
    };
    let app = App::new(TargetInfo::from_target(&aws), false, None, Theme::default());
    assert!(app.startup_actions().is_empty());
}
