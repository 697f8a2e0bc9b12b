//! Pool settings operations for the pool settings screen: DescribeUserPool,
//! DescribeUserPoolClient, GetUserPoolMfaConfig and SetUserPoolMfaConfig.
//!
//! Responses are read leniently (every member optional) because Cognito adds members over
//! time; a body that is not a JSON object of the right shape is an `InvalidResponse`.
//! `ClientSecret` is never kept: only whether the client has one.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::{Call, Client};

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolResponse {
    #[serde(default)]
    pub user_pool: UserPoolType,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolType {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub mfa_configuration: Option<String>,
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    #[serde(default)]
    pub username_attributes: Vec<String>,
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// Trigger name → Lambda ARN (or, for the sender triggers, `{LambdaArn, LambdaVersion}`).
    #[serde(default)]
    pub lambda_config: BTreeMap<String, Value>,
    #[serde(default)]
    pub policies: Option<Value>,
    #[serde(default)]
    pub estimated_number_of_users: Option<i64>,
    #[serde(default)]
    pub admin_create_user_config: Option<Value>,
}

impl UserPoolType {
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors` (USER_AUTH's first factors).
    pub fn allowed_first_auth_factors(&self) -> Vec<String> {
        self.policies
            .as_ref()
            .and_then(|p| p.pointer("/SignInPolicy/AllowedFirstAuthFactors"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The triggers that are set, as trigger name → what runs (ARN or command).
    pub fn triggers(&self) -> BTreeMap<String, String> {
        self.lambda_config
            .iter()
            .filter_map(|(k, v)| {
                let what = match v {
                    Value::String(s) if !s.is_empty() => s.clone(),
                    Value::Object(o) => o
                        .get("LambdaArn")
                        .and_then(Value::as_str)
                        .unwrap_or("set")
                        .to_string(),
                    _ => return None,
                };
                Some((k.clone(), what))
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolClientResponse {
    #[serde(default)]
    pub user_pool_client: UserPoolClientType,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientType {
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub explicit_auth_flows: Vec<String>,
    #[serde(default)]
    pub prevent_user_existence_errors: Option<String>,
    /// Minutes (3–15).
    #[serde(default)]
    pub auth_session_validity: Option<i64>,
    #[serde(default)]
    pub enable_token_revocation: Option<bool>,
    /// Read only to learn that there is one; the value is dropped.
    #[serde(default)]
    pub client_secret: Option<IgnoredAny>,
}

/// GetUserPoolMfaConfig's and SetUserPoolMfaConfig's response.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolMfaConfig {
    #[serde(default)]
    pub mfa_configuration: Option<String>,
    #[serde(default)]
    pub sms_mfa_configuration: Option<Value>,
    #[serde(default)]
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfig>,
    #[serde(default)]
    pub email_mfa_configuration: Option<Value>,
    #[serde(default)]
    pub web_authn_configuration: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoftwareTokenMfaConfig {
    #[serde(default)]
    pub enabled: bool,
}

impl UserPoolMfaConfig {
    pub fn sms_enabled(&self) -> bool {
        self.sms_mfa_configuration.is_some()
    }
    pub fn totp_enabled(&self) -> bool {
        self.software_token_mfa_configuration
            .as_ref()
            .is_some_and(|t| t.enabled)
    }
    pub fn email_enabled(&self) -> bool {
        self.email_mfa_configuration.is_some()
    }
}

/// SetUserPoolMfaConfig. A method left out is turned off (Cognito replaces the settings).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserPoolMfaConfigRequest {
    pub user_pool_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_configuration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_mfa_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_configuration: Option<Value>,
}

impl Client {
    pub async fn describe_user_pool(&self) -> Call<DescribeUserPoolResponse> {
        let body = serde_json::json!({ "UserPoolId": self.user_pool_id() });
        self.admin_call("DescribeUserPool", body).await
    }

    pub async fn describe_user_pool_client(&self) -> Call<DescribeUserPoolClientResponse> {
        let body = serde_json::json!({
            "UserPoolId": self.user_pool_id(),
            "ClientId": self.client_id(),
        });
        self.admin_call("DescribeUserPoolClient", body).await
    }

    pub async fn get_user_pool_mfa_config(&self) -> Call<UserPoolMfaConfig> {
        let body = serde_json::json!({ "UserPoolId": self.user_pool_id() });
        self.admin_call("GetUserPoolMfaConfig", body).await
    }

    pub async fn set_user_pool_mfa_config(
        &self,
        r: SetUserPoolMfaConfigRequest,
    ) -> Call<UserPoolMfaConfig> {
        let body = serde_json::to_value(&r).unwrap_or(Value::Null);
        self.admin_call("SetUserPoolMfaConfig", body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito::admin::parse;

    #[test]
    fn reads_triggers_factors_and_drops_the_client_secret() {
        let p: DescribeUserPoolResponse = serde_json::from_value(serde_json::json!({
            "UserPool": {"Id": "us-east-1_x", "MfaConfiguration": "OPTIONAL",
                "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:1:function:pre",
                                 "CustomEmailSender": {"LambdaArn": "arn:e", "LambdaVersion": "V1_0"},
                                 "DefineAuthChallenge": ""},
                "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
                "SomethingNew": 1}
        }))
        .unwrap();
        let t = p.user_pool.triggers();
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(t["CustomEmailSender"], "arn:e");
        assert_eq!(
            p.user_pool.allowed_first_auth_factors(),
            vec!["PASSWORD", "EMAIL_OTP"]
        );
        let c: DescribeUserPoolClientResponse = serde_json::from_value(serde_json::json!({
            "UserPoolClient": {"ClientId": "c", "ClientSecret": "very-secret-value",
                               "PreventUserExistenceErrors": "ENABLED"}
        }))
        .unwrap();
        assert!(c.user_pool_client.client_secret.is_some());
        assert!(!format!("{c:?}").contains("very-secret-value"));
        let m: UserPoolMfaConfig = serde_json::from_value(serde_json::json!({
            "MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": true},
            "EmailMfaConfiguration": {}
        }))
        .unwrap();
        assert!(m.totp_enabled() && m.email_enabled() && !m.sms_enabled());
    }

    #[test]
    fn non_object_bodies_are_invalid_responses() {
        let e =
            parse::<UserPoolMfaConfig>("GetUserPoolMfaConfig", Ok(Value::Null), Some(200), None)
                .unwrap_err();
        assert_eq!(e.code(), "InvalidResponse");
        let e = parse::<UserPoolMfaConfig>(
            "GetUserPoolMfaConfig",
            Ok(serde_json::json!({"MfaConfiguration": 7})),
            Some(200),
            None,
        )
        .unwrap_err();
        assert_eq!(e.code(), "InvalidResponse");
    }
}
