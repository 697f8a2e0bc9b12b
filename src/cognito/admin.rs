//! The admin operations of the Users view (all SigV4 on AWS): AdminGetUser, AdminCreateUser,
//! AdminConfirmSignUp, AdminEnableUser, AdminDisableUser, AdminDeleteUser,
//! AdminResetUserPassword, AdminSetUserPassword, AdminUserGlobalSignOut,
//! AdminSetUserMFAPreference, AdminUpdateUserAttributes, AdminDeleteUserAttributes,
//! AdminListGroupsForUser, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListDevices,
//! ListGroups and CreateGroup.
//!
//! Names and shapes are botocore's (`tests/api_model_check.rs` validates the requests against
//! its model). Responses are read leniently: every member Cognito may add later is ignored, and
//! a body that is not a JSON object of the right shape is an `InvalidResponse`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::client::{Call, Client};
use super::error::CognitoError;
pub use super::types::DeviceType;
pub use super::types::MfaOptionType;
use super::types::{AttributeType, EpochSeconds, MfaSettings, UserType};
use crate::secret::Secret;

fn expose<S: Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.expose())
}

fn expose_opt<S: Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(s) => ser.serialize_str(s.expose()),
        None => ser.serialize_none(),
    }
}

/// `{UserPoolId, Username}`: AdminGetUser, AdminConfirmSignUp, AdminEnableUser,
/// AdminDisableUser, AdminDeleteUser, AdminResetUserPassword, AdminUserGlobalSignOut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserRequest {
    pub user_pool_id: String,
    pub username: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserResponse {
    pub username: String,
    #[serde(default)]
    pub user_attributes: Vec<AttributeType>,
    #[serde(default)]
    pub user_create_date: Option<EpochSeconds>,
    #[serde(default)]
    pub user_last_modified_date: Option<EpochSeconds>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub user_status: Option<String>,
    #[serde(default, rename = "MFAOptions")]
    pub mfa_options: Vec<MfaOptionType>,
    #[serde(default)]
    pub preferred_mfa_setting: Option<String>,
    #[serde(default, rename = "UserMFASettingList")]
    pub user_mfa_setting_list: Vec<String>,
}

impl AdminGetUserResponse {
    /// The same user as ListUsers' UserType.
    pub fn into_user_type(self) -> UserType {
        UserType {
            username: self.username,
            attributes: self.user_attributes,
            user_create_date: self.user_create_date,
            user_last_modified_date: self.user_last_modified_date,
            enabled: self.enabled,
            user_status: self.user_status,
            mfa_options: self.mfa_options,
        }
    }
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_attributes: Vec<AttributeType>,
    #[serde(serialize_with = "expose_opt", skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<Secret>,
    /// `RESEND` | `SUPPRESS`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_action: Option<String>,
    /// `SMS` | `EMAIL`
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub desired_delivery_mediums: Vec<String>,
}

impl std::fmt::Debug for AdminCreateUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminCreateUserRequest")
            .field("user_pool_id", &self.user_pool_id)
            .field("username", &self.username)
            .field("user_attributes", &self.user_attributes)
            .field("temporary_password", &self.temporary_password)
            .field("message_action", &self.message_action)
            .field("desired_delivery_mediums", &self.desired_delivery_mediums)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserResponse {
    #[serde(default)]
    pub user: Option<UserType>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserPasswordRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(serialize_with = "expose")]
    pub password: Secret,
    pub permanent: bool,
}

impl std::fmt::Debug for AdminSetUserPasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSetUserPasswordRequest")
            .field("user_pool_id", &self.user_pool_id)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("permanent", &self.permanent)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserMfaPreferenceRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(rename = "SMSMfaSettings", skip_serializing_if = "Option::is_none")]
    pub sms_mfa_settings: Option<MfaSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUpdateUserAttributesRequest {
    pub user_pool_id: String,
    pub username: String,
    pub user_attributes: Vec<AttributeType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminDeleteUserAttributesRequest {
    pub user_pool_id: String,
    pub username: String,
    pub user_attribute_names: Vec<String>,
}

/// AdminListGroupsForUser (paged with `NextToken`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminListGroupsForUserRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// AdminAddUserToGroup and AdminRemoveUserFromGroup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserGroupRequest {
    pub user_pool_id: String,
    pub username: String,
    pub group_name: String,
}

/// AdminListDevices (paged with `PaginationToken`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminListDevicesRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

/// ListGroups (paged with `NextToken`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsRequest {
    pub user_pool_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupRequest {
    pub user_pool_id: String,
    pub group_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

/// GroupType.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupType {
    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub user_pool_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub precedence: Option<i64>,
    #[serde(default)]
    pub last_modified_date: Option<EpochSeconds>,
    #[serde(default)]
    pub creation_date: Option<EpochSeconds>,
}

/// The output of ListGroups and AdminListGroupsForUser.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupsPage {
    #[serde(default)]
    pub groups: Vec<GroupType>,
    #[serde(default)]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupResponse {
    #[serde(default)]
    pub group: Option<GroupType>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminListDevicesResponse {
    #[serde(default)]
    pub devices: Vec<DeviceType>,
    #[serde(default)]
    pub pagination_token: Option<String>,
}

/// An output Cognito leaves empty (`{}`); any members are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Nothing {}

/// A SigV4 operation's JSON output read as `T`; a body that is not an object or not of
/// Cognito's shape is an `InvalidResponse` naming the operation.
pub(super) fn parse<T: DeserializeOwned>(
    op: &str,
    result: Result<Value, CognitoError>,
    status: Option<u16>,
    request_id: Option<String>,
) -> Result<T, CognitoError> {
    let v = result?;
    if !v.is_object() {
        return Err(CognitoError::InvalidResponse {
            message: format!("the {op} response is not a JSON object"),
            status,
            request_id,
        });
    }
    serde_json::from_value(v).map_err(|e| CognitoError::InvalidResponse {
        message: format!(
            "the {op} response does not have Cognito's shape: {}",
            super::redact::scrub_serde_message(&e.to_string())
        ),
        status,
        request_id,
    })
}

impl Client {
    /// Calls a SigV4 operation (admin, groups, pool settings) and reads its output as `T`.
    pub(super) async fn admin_call<T: DeserializeOwned>(&self, op: &str, body: Value) -> Call<T> {
        let (result, mut exchange) = self.call_raw(op, body, None, true, vec![]).await;
        let result = parse::<T>(op, result, exchange.status, exchange.request_id.clone());
        if exchange.error.is_none() {
            exchange.error = result.as_ref().err().map(|e| e.code().to_string());
        }
        Call { result, exchange }
    }

    fn user_body(&self, username: &str) -> Value {
        serde_json::to_value(AdminUserRequest {
            user_pool_id: self.user_pool_id().to_string(),
            username: username.to_string(),
        })
        .unwrap_or(Value::Null)
    }

    pub async fn admin_get_user(&self, username: &str) -> Call<AdminGetUserResponse> {
        self.admin_call("AdminGetUser", self.user_body(username))
            .await
    }
    pub async fn admin_create_user(
        &self,
        r: AdminCreateUserRequest,
    ) -> Call<AdminCreateUserResponse> {
        self.admin_call("AdminCreateUser", to_body(&r)).await
    }
    pub async fn admin_confirm_sign_up(&self, username: &str) -> Call<Nothing> {
        self.admin_call("AdminConfirmSignUp", self.user_body(username))
            .await
    }
    pub async fn admin_enable_user(&self, username: &str) -> Call<Nothing> {
        self.admin_call("AdminEnableUser", self.user_body(username))
            .await
    }
    pub async fn admin_disable_user(&self, username: &str) -> Call<Nothing> {
        self.admin_call("AdminDisableUser", self.user_body(username))
            .await
    }
    pub async fn admin_delete_user(&self, username: &str) -> Call<Nothing> {
        self.admin_call("AdminDeleteUser", self.user_body(username))
            .await
    }
    pub async fn admin_reset_user_password(&self, username: &str) -> Call<Nothing> {
        self.admin_call("AdminResetUserPassword", self.user_body(username))
            .await
    }
    pub async fn admin_set_user_password(&self, r: AdminSetUserPasswordRequest) -> Call<Nothing> {
        self.admin_call("AdminSetUserPassword", to_body(&r)).await
    }
    pub async fn admin_user_global_sign_out(&self, username: &str) -> Call<Nothing> {
        self.admin_call("AdminUserGlobalSignOut", self.user_body(username))
            .await
    }
    pub async fn admin_set_user_mfa_preference(
        &self,
        r: AdminSetUserMfaPreferenceRequest,
    ) -> Call<Nothing> {
        self.admin_call("AdminSetUserMFAPreference", to_body(&r))
            .await
    }
    pub async fn admin_update_user_attributes(
        &self,
        r: AdminUpdateUserAttributesRequest,
    ) -> Call<Nothing> {
        self.admin_call("AdminUpdateUserAttributes", to_body(&r))
            .await
    }
    pub async fn admin_delete_user_attributes(
        &self,
        r: AdminDeleteUserAttributesRequest,
    ) -> Call<Nothing> {
        self.admin_call("AdminDeleteUserAttributes", to_body(&r))
            .await
    }
    pub async fn admin_list_groups_for_user(
        &self,
        r: AdminListGroupsForUserRequest,
    ) -> Call<GroupsPage> {
        self.admin_call("AdminListGroupsForUser", to_body(&r)).await
    }
    pub async fn admin_add_user_to_group(&self, r: AdminUserGroupRequest) -> Call<Nothing> {
        self.admin_call("AdminAddUserToGroup", to_body(&r)).await
    }
    pub async fn admin_remove_user_from_group(&self, r: AdminUserGroupRequest) -> Call<Nothing> {
        self.admin_call("AdminRemoveUserFromGroup", to_body(&r))
            .await
    }
    pub async fn admin_list_devices(
        &self,
        r: AdminListDevicesRequest,
    ) -> Call<AdminListDevicesResponse> {
        self.admin_call("AdminListDevices", to_body(&r)).await
    }
    pub async fn list_groups(&self, r: ListGroupsRequest) -> Call<GroupsPage> {
        self.admin_call("ListGroups", to_body(&r)).await
    }
    pub async fn create_group(&self, r: CreateGroupRequest) -> Call<CreateGroupResponse> {
        self.admin_call("CreateGroup", to_body(&r)).await
    }
}

fn to_body<T: Serialize>(r: &T) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_have_botocores_member_names_and_passwords_stay_out_of_debug() {
        let r = AdminCreateUserRequest {
            user_pool_id: "p".into(),
            username: "ann".into(),
            user_attributes: vec![AttributeType {
                name: "email".into(),
                value: Some("ann@example.com".into()),
            }],
            temporary_password: Some(Secret::new("Temp-Passw0rd!")),
            message_action: Some("SUPPRESS".into()),
            desired_delivery_mediums: vec!["EMAIL".into()],
        };
        assert_eq!(
            to_body(&r),
            json!({"UserPoolId": "p", "Username": "ann",
                   "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}],
                   "TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS",
                   "DesiredDeliveryMediums": ["EMAIL"]})
        );
        assert!(!format!("{r:?}").contains("Temp-Passw0rd!"));
        let p = AdminSetUserPasswordRequest {
            user_pool_id: "p".into(),
            username: "ann".into(),
            password: Secret::new("N3w-Passw0rd!"),
            permanent: true,
        };
        assert_eq!(to_body(&p)["Password"], "N3w-Passw0rd!");
        assert!(!format!("{p:?}").contains("N3w-Passw0rd!"));
        let m = AdminSetUserMfaPreferenceRequest {
            user_pool_id: "p".into(),
            username: "ann".into(),
            sms_mfa_settings: Some(MfaSettings {
                enabled: true,
                preferred_mfa: false,
            }),
            software_token_mfa_settings: None,
            email_mfa_settings: None,
        };
        assert_eq!(
            to_body(&m)["SMSMfaSettings"],
            json!({"Enabled": true, "PreferredMfa": false})
        );
        let d = AdminDeleteUserAttributesRequest {
            user_pool_id: "p".into(),
            username: "ann".into(),
            user_attribute_names: vec!["nickname".into()],
        };
        assert_eq!(to_body(&d)["UserAttributeNames"], json!(["nickname"]));
    }

    #[test]
    fn responses_parse_leniently() {
        let g: AdminGetUserResponse = serde_json::from_value(json!({
            "Username": "ann", "UserAttributes": [{"Name": "sub", "Value": "s-1"}],
            "Enabled": true, "UserStatus": "CONFIRMED", "UserCreateDate": 1.7e9,
            "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
            "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA",
            "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"], "Future": 1
        }))
        .unwrap();
        assert_eq!(g.user_mfa_setting_list, vec!["SOFTWARE_TOKEN_MFA"]);
        assert_eq!(g.mfa_options[0].delivery_medium.as_deref(), Some("SMS"));
        let page: GroupsPage = serde_json::from_value(json!({
            "Groups": [{"GroupName": "admins", "Precedence": 1, "CreationDate": 1700000000}],
            "NextToken": "n"
        }))
        .unwrap();
        assert_eq!(page.groups[0].precedence, Some(1));
        let e = parse::<GroupsPage>("ListGroups", Ok(json!([1])), Some(200), None).unwrap_err();
        assert_eq!(e.code(), "InvalidResponse");
        let e = parse::<GroupsPage>("ListGroups", Ok(json!({"Groups": 3})), Some(200), None)
            .unwrap_err();
        assert_eq!(e.code(), "InvalidResponse");
    }
}
