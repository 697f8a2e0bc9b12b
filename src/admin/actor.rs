//! The users actor: ListUsers pages and the embedded pool's outbox, over channels.

use std::collections::BTreeMap;

use tokio::sync::mpsc;

use super::{
    AdminCommand, AdminEvent, ClientSummary, PoolMfaSummary, PoolSettings, PoolSummary,
    SettingsError, UserRow,
};
use crate::cognito::Client;
use crate::cognito::pool::{
    SetUserPoolMfaConfigRequest, SoftwareTokenMfaConfig, UserPoolMfaConfig,
};
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
        mfa: Vec::new(),
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
            AdminCommand::GetUser { .. } | AdminCommand::Act { .. } | AdminCommand::ListGroups => {
                // Interim: the admin-operations work (issue 4) replaces this arm.
                let _ = events
                    .send(AdminEvent::Error {
                        operation: "Admin".into(),
                        code: "Unsupported".into(),
                        message: "This build cannot run admin actions yet".into(),
                    })
                    .await;
            }
            AdminCommand::FetchPoolSettings => {
                let settings = read_settings(&client, &events).await;
                let _ = events.send(AdminEvent::PoolSettings { settings }).await;
            }
            AdminCommand::SetPoolMfa {
                mode,
                sms,
                totp,
                email,
            } => {
                // Read the current settings first: SetUserPoolMfaConfig replaces them, and
                // the SMS / email templates must survive a change of mode.
                let current = client.get_user_pool_mfa_config().await;
                let _ = events.send(AdminEvent::Exchange(current.exchange)).await;
                let current = current.result.unwrap_or_default();
                let req = mfa_request(client.user_pool_id(), &current, &mode, sms, totp, email);
                let call = client.set_user_pool_mfa_config(req).await;
                let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
                if let Err(e) = call.result {
                    let _ = events
                        .send(AdminEvent::Error {
                            operation: "SetUserPoolMfaConfig".into(),
                            code: e.code().to_string(),
                            message: e.message(),
                        })
                        .await;
                }
                let settings = read_settings(&client, &events).await;
                let _ = events.send(AdminEvent::PoolSettings { settings }).await;
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

/// The SetUserPoolMfaConfig request for the chosen mode and methods, keeping the
/// templates `current` has for the methods that stay on.
pub fn mfa_request(
    pool_id: &str,
    current: &UserPoolMfaConfig,
    mode: &str,
    sms: bool,
    totp: bool,
    email: bool,
) -> SetUserPoolMfaConfigRequest {
    let keep = |v: &Option<serde_json::Value>| {
        v.clone()
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({}))
    };
    SetUserPoolMfaConfigRequest {
        user_pool_id: pool_id.to_string(),
        mfa_configuration: Some(mode.to_string()),
        sms_mfa_configuration: sms.then(|| keep(&current.sms_mfa_configuration)),
        software_token_mfa_configuration: Some(SoftwareTokenMfaConfig { enabled: totp }),
        email_mfa_configuration: email.then(|| keep(&current.email_mfa_configuration)),
    }
}

fn settings_error(op: &str, e: &crate::cognito::CognitoError) -> SettingsError {
    SettingsError {
        operation: op.to_string(),
        code: e.code().to_string(),
        message: e.message(),
    }
}

/// DescribeUserPool, DescribeUserPoolClient and GetUserPoolMfaConfig, one after the other;
/// a failure of one is recorded and the others are still read.
async fn read_settings(client: &Client, events: &mpsc::Sender<AdminEvent>) -> PoolSettings {
    let mut out = PoolSettings {
        pool_id: client.user_pool_id().to_string(),
        ..PoolSettings::default()
    };
    let call = client.describe_user_pool().await;
    let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
    match call.result {
        Ok(r) => {
            let p = r.user_pool;
            out.pool = Some(PoolSummary {
                allowed_first_auth_factors: p.allowed_first_auth_factors(),
                triggers: p.triggers(),
                admin_create_user_only: p
                    .admin_create_user_config
                    .as_ref()
                    .and_then(|c| c.get("AllowAdminCreateUserOnly"))
                    .and_then(serde_json::Value::as_bool),
                name: p.name,
                mfa_configuration: p.mfa_configuration,
                auto_verified_attributes: p.auto_verified_attributes,
                username_attributes: p.username_attributes,
                alias_attributes: p.alias_attributes,
                estimated_users: p.estimated_number_of_users,
            });
        }
        Err(e) => out.errors.push(settings_error("DescribeUserPool", &e)),
    }
    let call = client.describe_user_pool_client().await;
    let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
    match call.result {
        Ok(r) => {
            let c = r.user_pool_client;
            out.client = Some(ClientSummary {
                client_id: c
                    .client_id
                    .unwrap_or_else(|| client.client_id().to_string()),
                client_name: c.client_name,
                explicit_auth_flows: c.explicit_auth_flows,
                prevent_user_existence_errors: c.prevent_user_existence_errors,
                auth_session_validity: c.auth_session_validity,
                enable_token_revocation: c.enable_token_revocation,
                has_secret: c.client_secret.is_some(),
            });
        }
        Err(e) => out
            .errors
            .push(settings_error("DescribeUserPoolClient", &e)),
    }
    let call = client.get_user_pool_mfa_config().await;
    let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
    match call.result {
        Ok(m) => {
            out.mfa = Some(PoolMfaSummary {
                mode: m.mfa_configuration.clone().unwrap_or_else(|| "OFF".into()),
                sms: m.sms_enabled(),
                totp: m.totp_enabled(),
                email: m.email_enabled(),
            });
        }
        Err(e) => out.errors.push(settings_error("GetUserPoolMfaConfig", &e)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_request_keeps_templates_of_methods_left_on() {
        let current: UserPoolMfaConfig = serde_json::from_value(serde_json::json!({
            "MfaConfiguration": "OPTIONAL",
            "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}"},
            "EmailMfaConfiguration": {"Message": "Mail {####}", "Subject": "Hi"}
        }))
        .unwrap();
        let r = mfa_request("p", &current, "ON", true, true, false);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["MfaConfiguration"], "ON");
        assert_eq!(
            v["SmsMfaConfiguration"]["SmsAuthenticationMessage"],
            "Code {####}"
        );
        assert_eq!(v["SoftwareTokenMfaConfiguration"]["Enabled"], true);
        assert!(v.get("EmailMfaConfiguration").is_none(), "{v}");
        let r = mfa_request(
            "p",
            &UserPoolMfaConfig::default(),
            "OFF",
            false,
            false,
            true,
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["EmailMfaConfiguration"], serde_json::json!({}));
        assert_eq!(v["SoftwareTokenMfaConfiguration"]["Enabled"], false);
    }
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
