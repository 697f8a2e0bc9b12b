//! Step mode's edit and replay against the embedded pool: a held request sent with the user's
//! edit (the pool signs in the user the edit names, the password put back by the actor), a
//! bad edit refused with the request still held, and a past call sent again.

mod support;

use std::time::Duration;

use cognito_tui::auth::events::{AuthCommand, AuthEvent, AuthFlowType, Release};
use cognito_tui::auth::{self, ActorOptions, AuthHandle};
use cognito_tui::cognito::{CallOrigin, Client, WireExchange};
use cognito_tui::config::Target;
use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID, DEMO_TOTP_USER};
use cognito_tui::secret::Secret;
use serde_json::json;
use support::Harness;

fn actor(env: &Harness) -> AuthHandle {
    let t = Target {
        endpoint: env.pool.base_url().to_string(),
        region: "us-east-1".into(),
        user_pool_id: DEMO_POOL_ID.into(),
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: None,
        local: true,
    };
    auth::spawn(Client::new(&t).unwrap(), &t, ActorOptions::default())
}

async fn next(h: &mut AuthHandle) -> AuthEvent {
    tokio::time::timeout(Duration::from_secs(30), h.rx.recv())
        .await
        .expect("no event within 30 s")
        .expect("actor stopped")
}

/// Events up to and including `Finished`.
async fn until_finished(h: &mut AuthHandle) -> Vec<AuthEvent> {
    let mut out = Vec::new();
    loop {
        let ev = next(h).await;
        let done = matches!(ev, AuthEvent::Finished { .. });
        out.push(ev);
        if done {
            return out;
        }
    }
}

/// Reads events until a request is held; its api and redacted body.
async fn until_held(h: &mut AuthHandle) -> (String, serde_json::Value) {
    loop {
        if let AuthEvent::Held { api, request, .. } = next(h).await {
            return (api, request);
        }
    }
}

fn exchange(evs: &[AuthEvent]) -> &WireExchange {
    evs.iter()
        .find_map(|e| match e {
            AuthEvent::Exchange(x) => Some(x),
            _ => None,
        })
        .expect("a call was made")
}

fn claim(jwt_abbrev_claims: &serde_json::Value, key: &str) -> String {
    jwt_abbrev_claims[key]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn an_edited_held_request_is_sent_with_the_edit_and_marked_edited() {
    let env = Harness::new().await;
    let mut a = actor(&env);
    a.tx.send(AuthCommand::SetStepMode { on: true })
        .await
        .unwrap();
    until_finished(&mut a).await;
    a.tx.send(AuthCommand::SignIn {
        username: "alice".into(),
        password: Some(Secret::new(DEMO_PASSWORD)),
        flow: AuthFlowType::UserPasswordAuth,
        preferred_challenge: None,
    })
    .await
    .unwrap();
    let (_, held) = until_held(&mut a).await;
    assert_eq!(held["AuthParameters"]["PASSWORD"], "***");
    assert!(!held.to_string().contains(DEMO_PASSWORD));

    // Not an object: refused, and the request stays held.
    a.tx.send(AuthCommand::SendEdited {
        request: json!([1]),
    })
    .await
    .unwrap();
    match next(&mut a).await {
        AuthEvent::Error(e) => {
            assert_eq!(e.code, "InvalidEdit");
            assert!(e.message.contains("still held"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    // The hidden password moved to another member: it cannot be put back there.
    let mut moved = held.clone();
    moved["AuthParameters"]["PASSWORD"] = json!("x");
    moved["AuthParameters"]["OTHER"] = json!("***");
    a.tx.send(AuthCommand::SendEdited { request: moved })
        .await
        .unwrap();
    match next(&mut a).await {
        AuthEvent::Error(e) => {
            assert_eq!(e.code, "InvalidEdit");
            assert!(e.message.contains("AuthParameters.OTHER"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }

    // The edit: bob instead of alice; the password still shown as *** is put back.
    let mut edited = held.clone();
    edited["AuthParameters"]["USERNAME"] = json!("bob");
    a.tx.send(AuthCommand::SendEdited { request: edited })
        .await
        .unwrap();
    let evs = until_finished(&mut a).await;
    assert!(
        matches!(
            evs.first(),
            Some(AuthEvent::Released {
                why: Release::Edited,
                ..
            })
        ),
        "{evs:?}"
    );
    let x = exchange(&evs);
    assert_eq!(x.origin, CallOrigin::Edited);
    assert_eq!(x.origin.mark().as_deref(), Some("edited"));
    assert_eq!(x.request["AuthParameters"]["USERNAME"], "bob");
    assert_eq!(x.request["AuthParameters"]["PASSWORD"], "***");
    assert_eq!(x.status, Some(200), "{:?}", x.response);
    // The pool signed in the user the edit names: the wire carried the edit and the password.
    let session = evs
        .iter()
        .find_map(|e| match e {
            AuthEvent::Session { session: Some(s) } => Some(s.clone()),
            _ => None,
        })
        .expect("signed in");
    assert_eq!(claim(&session.access_token_claims, "username"), "bob");
    assert!(matches!(
        evs.last(),
        Some(AuthEvent::Finished { ok: true, .. })
    ));
    let initiate_id = x.id;

    // The same call sent again: held first (step mode is on), then sent and marked; no
    // sign-in is in progress, so the flow does not take the answer and says so.
    a.tx.send(AuthCommand::Replay {
        exchange_id: initiate_id,
    })
    .await
    .unwrap();
    let (api, held) = until_held(&mut a).await;
    assert_eq!(api, "replay");
    assert_eq!(held["AuthParameters"]["USERNAME"], "bob");
    assert_eq!(held["AuthParameters"]["PASSWORD"], "***");
    a.tx.send(AuthCommand::Step { send: true }).await.unwrap();
    let evs = until_finished(&mut a).await;
    let x = exchange(&evs);
    assert_eq!(
        x.origin,
        CallOrigin::Replayed {
            of: initiate_id,
            edited: false
        }
    );
    assert_eq!(x.status, Some(200));
    let said = evs
        .iter()
        .find_map(|e| match e {
            AuthEvent::Info { message, .. } => Some(message.clone()),
            _ => None,
        })
        .expect("a note on what the flow did with the answer");
    assert!(
        said.contains("the flow does not take it: no sign-in is in progress"),
        "{said}"
    );
    assert!(matches!(
        evs.last(),
        Some(AuthEvent::Finished { ok: true, .. })
    ));

    // A call the actor does not keep.
    a.tx.send(AuthCommand::Replay { exchange_id: 0 })
        .await
        .unwrap();
    let evs = until_finished(&mut a).await;
    let e = evs
        .iter()
        .find_map(|e| match e {
            AuthEvent::Error(e) => Some(e.clone()),
            _ => None,
        })
        .expect("an error");
    assert_eq!(e.code, "NotReplayable");
    assert!(
        e.message.starts_with("call #0 cannot be sent again"),
        "{}",
        e.message
    );
    assert!(matches!(
        evs.last(),
        Some(AuthEvent::Finished { ok: false, .. })
    ));
}

/// A replayed InitiateAuth while the sign-in waits at the challenge it led to: the flow
/// takes the answer (a fresh TOTP challenge with a new Session) as the step it is at.
#[tokio::test]
async fn a_replayed_call_the_flow_can_take_drives_it() {
    let env = Harness::new().await;
    let mut a = actor(&env);
    a.tx.send(AuthCommand::SignIn {
        username: DEMO_TOTP_USER.into(),
        password: Some(Secret::new(DEMO_PASSWORD)),
        flow: AuthFlowType::UserPasswordAuth,
        preferred_challenge: None,
    })
    .await
    .unwrap();
    let evs = until_finished(&mut a).await;
    let first = exchange(&evs).clone();
    let step = |evs: &[AuthEvent]| {
        evs.iter()
            .find_map(|e| match e {
                AuthEvent::Transition(t) => Some(t.clone()),
                _ => None,
            })
            .expect("a step")
    };
    let before = step(&evs);
    assert_eq!(before.challenge_name.as_deref(), Some("SOFTWARE_TOKEN_MFA"));

    a.tx.send(AuthCommand::Replay {
        exchange_id: first.id,
    })
    .await
    .unwrap();
    let evs = until_finished(&mut a).await;
    let x = exchange(&evs);
    assert!(matches!(x.origin, CallOrigin::Replayed { of, edited: false } if of == first.id));
    let after = step(&evs);
    assert_eq!(after.api, "replay");
    assert_eq!(after.challenge_name.as_deref(), Some("SOFTWARE_TOKEN_MFA"));
    assert_ne!(
        after.session_id, before.session_id,
        "the replay's Session is the new one"
    );
    assert!(matches!(
        evs.last(),
        Some(AuthEvent::Finished { ok: true, .. })
    ));
}
