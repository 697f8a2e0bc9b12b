//! The users actor: ListUsers pages and the embedded pool's outbox, over channels.

use std::collections::BTreeMap;

use tokio::sync::mpsc;

use super::{AdminCommand, AdminEvent, UserRow};
use crate::cognito::Client;
use crate::cognito::types::{ListUsersRequest, UserType};
use crate::config::Target;

/// Cognito's maximum ListUsers page.
pub const MAX_LIMIT: u32 = 60;

/// The front end's end of the users actor.
pub struct AdminHandle {
    pub tx: mpsc::Sender<AdminCommand>,
    pub rx: mpsc::Receiver<AdminEvent>,
}

/// Starts the users actor for `target`.
pub fn spawn(client: Client, target: &Target) -> AdminHandle {
    let (cmd_tx, cmd_rx) = mpsc::channel(32);
    let (ev_tx, ev_rx) = mpsc::channel(64);
    tokio::spawn(run(
        client,
        target.user_pool_id.clone(),
        target.local,
        cmd_rx,
        ev_tx,
    ));
    AdminHandle {
        tx: cmd_tx,
        rx: ev_rx,
    }
}

/// ListUsers' UserType as the Users view shows it.
pub fn user_row(u: UserType) -> UserRow {
    let attributes: BTreeMap<String, String> = u
        .attributes
        .into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect();
    UserRow {
        username: u.username,
        status: u.user_status.unwrap_or_else(|| "UNKNOWN".into()),
        enabled: u.enabled.unwrap_or(true),
        attributes,
        created: u.user_create_date.map(|d| d.0 as i64).unwrap_or(0),
        modified: u.user_last_modified_date.map(|d| d.0 as i64).unwrap_or(0),
    }
}

async fn run(
    client: Client,
    pool_id: String,
    local: bool,
    mut commands: mpsc::Receiver<AdminCommand>,
    events: mpsc::Sender<AdminEvent>,
) {
    while let Some(cmd) = commands.recv().await {
        match cmd {
            AdminCommand::Shutdown => break,
            AdminCommand::ListUsers {
                filter,
                pagination_token,
                limit,
            } => {
                let req = ListUsersRequest {
                    user_pool_id: pool_id.clone(),
                    limit: Some(limit.clamp(1, MAX_LIMIT)),
                    pagination_token: pagination_token.clone(),
                    filter: filter.clone().filter(|f| !f.trim().is_empty()),
                };
                let call = client.list_users(req).await;
                let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
                let ev = match call.result {
                    Ok(page) => AdminEvent::UsersPage {
                        filter,
                        request_token: pagination_token,
                        users: page.users.into_iter().map(user_row).collect(),
                        next_token: page.pagination_token.filter(|t| !t.is_empty()),
                    },
                    Err(e) => AdminEvent::Error {
                        operation: "ListUsers".into(),
                        code: e.code().to_string(),
                        message: e.message(),
                    },
                };
                let _ = events.send(ev).await;
            }
            AdminCommand::FetchOutbox => {
                if !local {
                    let _ = events
                        .send(AdminEvent::Error {
                            operation: "GET /_local/outbox".into(),
                            code: "NotLocalPool".into(),
                            message: "The outbox exists only on the embedded pool; real Cognito \
                                      sends codes by email or SMS"
                                .into(),
                        })
                        .await;
                    continue;
                }
                let call = client.fetch_outbox().await;
                let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
                let ev = match call.result {
                    Ok(entries) => AdminEvent::Outbox { entries },
                    Err(e) => AdminEvent::Error {
                        operation: "GET /_local/outbox".into(),
                        code: e.code().to_string(),
                        message: e.message(),
                    },
                };
                let _ = events.send(ev).await;
            }
        }
    }
    tracing::debug!("users actor stopped");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito::types::{AttributeType, EpochSeconds};

    #[test]
    fn user_rows_from_user_types() {
        let row = user_row(UserType {
            username: "alice".into(),
            attributes: vec![
                AttributeType {
                    name: "email".into(),
                    value: Some("a@example.com".into()),
                },
                AttributeType {
                    name: "sub".into(),
                    value: None,
                },
            ],
            user_create_date: Some(EpochSeconds(1_700_000_000.75)),
            user_last_modified_date: None,
            enabled: Some(false),
            user_status: Some("UNCONFIRMED".into()),
        });
        assert_eq!(row.username, "alice");
        assert_eq!(row.status, "UNCONFIRMED");
        assert!(!row.enabled);
        assert_eq!(row.attributes["email"], "a@example.com");
        assert_eq!(row.attributes["sub"], "");
        assert_eq!(row.created, 1_700_000_000);
        assert_eq!(row.modified, 0);
    }
}
