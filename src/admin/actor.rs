//! The users actor: ListUsers pages, a user's detail, the Admin* actions, groups, the pool
//! settings and the embedded pool's outbox, over channels. Every call's [`WireExchange`] goes
//! out as [`AdminEvent::Exchange`] before the command's result event.
//!
//! [`WireExchange`]: crate::cognito::WireExchange

use std::collections::BTreeMap;

use tokio::sync::mpsc;

use super::events::{
    AdminCommand, AdminEvent, ClientSummary, DeviceRow, GroupRow, PoolMfaSummary, PoolSettings,
    PoolSummary, SettingsError, UserAction, UserDetail, UserRow,
};
use crate::cognito::admin::{
    AdminCreateUserRequest, AdminDeleteUserAttributesRequest, AdminListDevicesRequest,
    AdminListGroupsForUserRequest, AdminSetUserMfaPreferenceRequest, AdminSetUserPasswordRequest,
    AdminUpdateUserAttributesRequest, AdminUserGroupRequest, CreateGroupRequest, DeviceType,
    GroupType, ListGroupsRequest,
};
use crate::cognito::pool::{
    SetUserPoolMfaConfigRequest, SoftwareTokenMfaConfig, UserPoolMfaConfig,
};
use crate::cognito::types::{AttributeType, MfaSettings};
use crate::cognito::types::{ListUsersRequest, MAX_PAGE_LIMIT, UserType};
use crate::cognito::{Call, Client, ClientCode, CognitoError};
use crate::config::Target;

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
        mfa: u
            .mfa_options
            .into_iter()
            .filter_map(|o| o.delivery_medium)
            .collect(),
    }
}

/// GroupType as the Users view shows it.
pub fn group_row(g: GroupType) -> GroupRow {
    GroupRow {
        name: g.group_name,
        description: g.description.filter(|d| !d.is_empty()),
        precedence: g.precedence,
        role_arn: g.role_arn.filter(|r| !r.is_empty()),
        created: g.creation_date.map(|d| d.0 as i64).unwrap_or(0),
        modified: g.last_modified_date.map(|d| d.0 as i64).unwrap_or(0),
    }
}

/// DeviceType as the detail panel shows it.
pub fn device_row(d: DeviceType) -> DeviceRow {
    let attr = |name: &str| {
        d.device_attributes
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.clone())
    };
    DeviceRow {
        name: attr("device_name"),
        remembered: attr("dev:device_remembered_status"),
        last_authenticated: d
            .device_last_authenticated_date
            .or(d.device_last_modified_date)
            .map(|t| t.0 as i64)
            .unwrap_or(0),
        key: d.device_key,
    }
}

/// The most pages one "all pages" read follows (a server repeating its token cannot loop us).
const MAX_PAGES: usize = 1000;

async fn run(
    client: Client,
    pool_id: String,
    local: bool,
    mut commands: mpsc::Receiver<AdminCommand>,
    events: mpsc::Sender<AdminEvent>,
) {
    let mut local = local;
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
                    limit: Some(limit.clamp(1, MAX_PAGE_LIMIT)),
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
            AdminCommand::GetUser { username } => {
                let detail = user_detail(&client, &events, &username).await;
                let _ = events.send(AdminEvent::UserDetail { detail }).await;
            }
            AdminCommand::Act { action } => {
                let ev = act(&client, &events, action).await;
                let _ = events.send(ev).await;
            }
            AdminCommand::ListGroups => {
                let ev = match all_groups(&client, &events).await {
                    Ok(groups) => AdminEvent::Groups { groups },
                    Err(e) => AdminEvent::Error {
                        operation: "ListGroups".into(),
                        code: e.code().to_string(),
                        message: e.message(),
                    },
                };
                let _ = events.send(ev).await;
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
            AdminCommand::DetectLocalPool => {
                if local {
                    let _ = events.send(AdminEvent::LocalPoolFound).await;
                    continue;
                }
                // Only a cognito-tui pool answers GET /_local/outbox with a JSON array.
                let call = client.fetch_outbox().await;
                let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
                match call.result {
                    Ok(entries) => {
                        local = true;
                        let _ = events.send(AdminEvent::LocalPoolFound).await;
                        let _ = events.send(AdminEvent::Outbox { entries }).await;
                    }
                    Err(e) => {
                        tracing::debug!(code = e.code(), "the target is not a cognito-tui pool");
                    }
                }
            }
            AdminCommand::FetchOutbox => {
                if !local {
                    let _ = events
                        .send(AdminEvent::Error {
                            operation: "GET /_local/outbox".into(),
                            code: ClientCode::NotLocalPool.as_str().into(),
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

/// Sends a call's exchange to the inspector and returns its result.
async fn forward<T>(events: &mpsc::Sender<AdminEvent>, call: Call<T>) -> Result<T, CognitoError> {
    let _ = events.send(AdminEvent::Exchange(call.exchange)).await;
    call.result
}

/// AdminGetUser, AdminListGroupsForUser (every page) and AdminListDevices (every page); a part
/// that fails is left `None` and its failure recorded in `errors`.
async fn user_detail(
    client: &Client,
    events: &mpsc::Sender<AdminEvent>,
    username: &str,
) -> UserDetail {
    let mut detail = UserDetail {
        username: username.to_string(),
        ..UserDetail::default()
    };
    match forward(events, client.admin_get_user(username).await).await {
        Ok(u) => {
            detail.preferred_mfa = u.preferred_mfa_setting.clone().filter(|p| !p.is_empty());
            detail.mfa_settings = u.user_mfa_setting_list.clone();
            detail.user = Some(user_row(u.into_user_type()));
        }
        Err(e) => detail.errors.push(settings_error("AdminGetUser", &e)),
    }
    let mut groups = Vec::new();
    let mut token: Option<String> = None;
    let mut failed = false;
    for _ in 0..MAX_PAGES {
        let req = AdminListGroupsForUserRequest {
            user_pool_id: client.user_pool_id().to_string(),
            username: username.to_string(),
            limit: Some(MAX_PAGE_LIMIT),
            next_token: token.clone(),
        };
        match forward(events, client.admin_list_groups_for_user(req).await).await {
            Ok(page) => {
                groups.extend(page.groups.into_iter().map(group_row));
                match page.next_token.filter(|t| !t.is_empty()) {
                    Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                    _ => break,
                }
            }
            Err(e) => {
                detail
                    .errors
                    .push(settings_error("AdminListGroupsForUser", &e));
                failed = true;
                break;
            }
        }
    }
    if !failed {
        detail.groups = Some(groups);
    }
    let mut devices = Vec::new();
    let mut token: Option<String> = None;
    let mut failed = false;
    for _ in 0..MAX_PAGES {
        let req = AdminListDevicesRequest {
            user_pool_id: client.user_pool_id().to_string(),
            username: username.to_string(),
            limit: Some(MAX_PAGE_LIMIT),
            pagination_token: token.clone(),
        };
        match forward(events, client.admin_list_devices(req).await).await {
            Ok(page) => {
                devices.extend(page.devices.into_iter().map(device_row));
                match page.pagination_token.filter(|t| !t.is_empty()) {
                    Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                    _ => break,
                }
            }
            Err(e) => {
                detail.errors.push(settings_error("AdminListDevices", &e));
                failed = true;
                break;
            }
        }
    }
    if !failed {
        detail.devices = Some(devices);
    }
    detail
}

/// ListGroups, every page.
async fn all_groups(
    client: &Client,
    events: &mpsc::Sender<AdminEvent>,
) -> Result<Vec<GroupRow>, CognitoError> {
    let mut groups = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let req = ListGroupsRequest {
            user_pool_id: client.user_pool_id().to_string(),
            limit: Some(MAX_PAGE_LIMIT),
            next_token: token.clone(),
        };
        let page = forward(events, client.list_groups(req).await).await?;
        groups.extend(page.groups.into_iter().map(group_row));
        match page.next_token.filter(|t| !t.is_empty()) {
            Some(next) if Some(&next) != token.as_ref() => token = Some(next),
            _ => break,
        }
    }
    Ok(groups)
}

/// The MFA method names of [`UserAction::SetMfaPreference`].
pub const MFA_METHODS: &[&str] = &["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"];

/// The AdminSetUserMFAPreference request for `enabled` methods and the `preferred` one: every
/// method is sent, so methods not listed are turned off.
pub fn mfa_preference_request(
    pool_id: &str,
    username: &str,
    enabled: &[String],
    preferred: Option<&str>,
) -> AdminSetUserMfaPreferenceRequest {
    let setting = |m: &str| {
        Some(MfaSettings {
            enabled: enabled.iter().any(|e| e == m),
            preferred_mfa: preferred == Some(m),
        })
    };
    AdminSetUserMfaPreferenceRequest {
        user_pool_id: pool_id.to_string(),
        username: username.to_string(),
        sms_mfa_settings: setting("SMS_MFA"),
        software_token_mfa_settings: setting("SOFTWARE_TOKEN_MFA"),
        email_mfa_settings: setting("EMAIL_OTP"),
    }
}

fn attributes(map: &BTreeMap<String, String>) -> Vec<AttributeType> {
    map.iter()
        .map(|(k, v)| AttributeType {
            name: k.clone(),
            value: Some(v.clone()),
        })
        .collect()
}

/// Runs one action, then re-reads the user; the event to send.
async fn act(client: &Client, events: &mpsc::Sender<AdminEvent>, action: UserAction) -> AdminEvent {
    let pool = client.user_pool_id().to_string();
    let op = action.operation();
    let outcome: Result<String, CognitoError> = match &action {
        UserAction::Create {
            username,
            attributes: attrs,
            temporary_password,
            suppress_invitation,
            delivery,
        } => {
            let req = AdminCreateUserRequest {
                user_pool_id: pool.clone(),
                username: username.clone(),
                user_attributes: attributes(attrs),
                temporary_password: temporary_password.clone().filter(|p| !p.is_empty()),
                message_action: suppress_invitation.then(|| "SUPPRESS".to_string()),
                desired_delivery_mediums: delivery.clone(),
            };
            forward(events, client.admin_create_user(req).await)
                .await
                .map(|r| {
                    let status = r
                        .user
                        .and_then(|u| u.user_status)
                        .unwrap_or_else(|| "FORCE_CHANGE_PASSWORD".into());
                    let password = if temporary_password.as_ref().is_some_and(|p| !p.is_empty()) {
                        "with the given temporary password"
                    } else {
                        "with a generated temporary password"
                    };
                    let invitation = if *suppress_invitation {
                        "invitation suppressed".to_string()
                    } else if delivery.is_empty() {
                        "invitation sent".to_string()
                    } else {
                        format!("invitation sent by {}", delivery.join(" and "))
                    };
                    format!("created ({status}) {password}; {invitation}")
                })
        }
        UserAction::ConfirmSignUp { username } => {
            forward(events, client.admin_confirm_sign_up(username).await)
                .await
                .map(|_| "sign-up confirmed".to_string())
        }
        UserAction::Enable { username } => {
            forward(events, client.admin_enable_user(username).await)
                .await
                .map(|_| "enabled".to_string())
        }
        UserAction::Disable { username } => {
            forward(events, client.admin_disable_user(username).await)
                .await
                .map(|_| {
                    "disabled, tokens revoked; sign-in now answers \"User is disabled.\""
                        .to_string()
                })
        }
        UserAction::Delete { username } => {
            forward(events, client.admin_delete_user(username).await)
                .await
                .map(|_| "deleted".to_string())
        }
        UserAction::ResetPassword { username } => {
            forward(events, client.admin_reset_user_password(username).await)
                .await
                .map(|_| {
                    "password reset: a code was sent; the next sign-in must reset the password"
                        .to_string()
                })
        }
        UserAction::SetPassword {
            username,
            password,
            permanent,
        } => {
            let req = AdminSetUserPasswordRequest {
                user_pool_id: pool.clone(),
                username: username.clone(),
                password: password.clone(),
                permanent: *permanent,
            };
            forward(events, client.admin_set_user_password(req).await)
                .await
                .map(|_| {
                    if *permanent {
                        "permanent password set (CONFIRMED)".to_string()
                    } else {
                        "temporary password set: a new password is required at the next sign-in"
                            .to_string()
                    }
                })
        }
        UserAction::GlobalSignOut { username } => {
            forward(events, client.admin_user_global_sign_out(username).await)
                .await
                .map(|_| "signed out everywhere: refresh tokens revoked".to_string())
        }
        UserAction::SetMfaPreference {
            username,
            enabled,
            preferred,
        } => {
            if let Some(bad) = enabled
                .iter()
                .map(String::as_str)
                .chain(preferred.as_deref())
                .find(|m| !MFA_METHODS.contains(m))
            {
                return AdminEvent::ActionFailed {
                    operation: op.to_string(),
                    code: ClientCode::InvalidParameter.as_str().into(),
                    message: format!(
                        "unknown MFA method {bad:?}: expected one of {}",
                        MFA_METHODS.join(", ")
                    ),
                    action,
                };
            }
            let req = mfa_preference_request(&pool, username, enabled, preferred.as_deref());
            forward(events, client.admin_set_user_mfa_preference(req).await)
                .await
                .map(|_| {
                    if enabled.is_empty() {
                        "MFA turned off".to_string()
                    } else {
                        format!(
                            "MFA {} enabled; preferred {}",
                            enabled.join(", "),
                            preferred.as_deref().unwrap_or("none")
                        )
                    }
                })
        }
        UserAction::UpdateAttributes {
            username,
            attributes: attrs,
        } => {
            let req = AdminUpdateUserAttributesRequest {
                user_pool_id: pool.clone(),
                username: username.clone(),
                user_attributes: attributes(attrs),
            };
            forward(events, client.admin_update_user_attributes(req).await)
                .await
                .map(|_| {
                    let names: Vec<&str> = attrs.keys().map(String::as_str).collect();
                    format!("attributes updated: {}", names.join(", "))
                })
        }
        UserAction::DeleteAttributes { username, names } => {
            let req = AdminDeleteUserAttributesRequest {
                user_pool_id: pool.clone(),
                username: username.clone(),
                user_attribute_names: names.clone(),
            };
            forward(events, client.admin_delete_user_attributes(req).await)
                .await
                .map(|_| format!("attributes deleted: {}", names.join(", ")))
        }
        UserAction::AddToGroup { username, group } => {
            let req = AdminUserGroupRequest {
                user_pool_id: pool.clone(),
                username: username.clone(),
                group_name: group.clone(),
            };
            forward(events, client.admin_add_user_to_group(req).await)
                .await
                .map(|_| format!("added to group {group}"))
        }
        UserAction::RemoveFromGroup { username, group } => {
            let req = AdminUserGroupRequest {
                user_pool_id: pool.clone(),
                username: username.clone(),
                group_name: group.clone(),
            };
            forward(events, client.admin_remove_user_from_group(req).await)
                .await
                .map(|_| format!("removed from group {group}"))
        }
        UserAction::CreateGroup {
            group,
            description,
            precedence,
        } => {
            let req = CreateGroupRequest {
                user_pool_id: pool.clone(),
                group_name: group.clone(),
                description: description.clone().filter(|d| !d.is_empty()),
                precedence: *precedence,
                role_arn: None,
            };
            forward(events, client.create_group(req).await)
                .await
                .map(|_| match precedence {
                    Some(p) => format!("group {group} created (precedence {p})"),
                    None => format!("group {group} created"),
                })
        }
    };
    let done = match outcome {
        Ok(done) => done,
        Err(e) => {
            return AdminEvent::ActionFailed {
                operation: op.to_string(),
                code: e.code().to_string(),
                message: e.message(),
                action,
            };
        }
    };
    let subject = action.username().map(str::to_string);
    let mut message = match &subject {
        Some(u) => format!("{op} {u}: {done}"),
        None => format!("{op}: {done}"),
    };
    let user = match (&action, &subject) {
        (UserAction::Delete { .. }, _) | (_, None) => None,
        (_, Some(u)) => match forward(events, client.admin_get_user(u).await).await {
            Ok(r) => Some(user_row(r.into_user_type())),
            Err(e) => {
                message.push_str(&format!(" (re-reading the user failed: {})", e.code()));
                None
            }
        },
    };
    if matches!(action, UserAction::CreateGroup { .. }) {
        let done_ev = AdminEvent::ActionDone {
            action,
            message,
            user: None,
        };
        let _ = events.send(done_ev).await;
        return match all_groups(client, events).await {
            Ok(groups) => AdminEvent::Groups { groups },
            Err(e) => AdminEvent::Error {
                operation: "ListGroups".into(),
                code: e.code().to_string(),
                message: e.message(),
            },
        };
    }
    AdminEvent::ActionDone {
        action,
        message,
        user,
    }
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
            mfa_options: vec![crate::cognito::types::MfaOptionType {
                delivery_medium: Some("SMS".into()),
                attribute_name: Some("phone_number".into()),
            }],
        });
        assert_eq!(row.mfa, vec!["SMS"]);
        assert_eq!(row.username, "alice");
        assert_eq!(row.status, "UNCONFIRMED");
        assert!(!row.enabled);
        assert_eq!(row.attributes["email"], "a@example.com");
        assert_eq!(row.attributes["sub"], "");
        assert_eq!(row.created, 1_700_000_000);
        assert_eq!(row.modified, 0);
    }
}
