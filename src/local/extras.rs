//! Pool settings kept next to a pool's PoolConfig: its LambdaConfig (the triggers, see
//! `hooks.rs`) and `Policies.SignInPolicy` (the first factors USER_AUTH may offer); how
//! CreateUserPool / UpdateUserPool give them and DescribeUserPool shows them.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::store;

/// The trigger names Cognito's LambdaConfig knows (string-valued members).
pub const TRIGGER_NAMES: &[&str] = &[
    "PreSignUp",
    "CustomMessage",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "PreTokenGeneration",
    "UserMigration",
];

/// Where LambdaConfig keeps `PreTokenGenerationConfig.LambdaVersion` (not a trigger name).
const PRE_TOKEN_GENERATION_VERSION: &str = "PreTokenGenerationConfig.LambdaVersion";

/// The LambdaConfig value that opts a pool in to the built-in custom challenge for that trigger
/// (DefineAuthChallenge, CreateAuthChallenge or VerifyAuthChallengeResponse).
pub const BUILTIN_TRIGGER: &str = "builtin:one-time-code";

/// A pool's LambdaConfig: trigger name → command (or ARN), as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LambdaConfig(pub BTreeMap<String, String>);

impl LambdaConfig {
    /// Validates a LambdaConfig request member.
    pub fn from_request(v: &Value) -> ApiResult<Self> {
        let Some(obj) = v.as_object() else {
            return Err(ApiError::invalid_parameter(
                "LambdaConfig must be an object of trigger names to commands",
            ));
        };
        let mut out = BTreeMap::new();
        if let Some(ptg) = obj.get("PreTokenGenerationConfig").filter(|v| !v.is_null()) {
            let version = ptg.get("LambdaVersion").and_then(Value::as_str);
            let arn = ptg.get("LambdaArn").and_then(Value::as_str);
            // The version is kept only with a function to call it on.
            let has_function = arn.is_some_and(|a| !a.is_empty())
                || obj.get("PreTokenGeneration").is_some_and(Value::is_string);
            match version {
                Some(v @ ("V1_0" | "V2_0" | "V3_0")) if has_function => {
                    out.insert(PRE_TOKEN_GENERATION_VERSION.to_string(), v.to_string());
                }
                None | Some("V1_0" | "V2_0" | "V3_0") => {}
                Some(other) => {
                    return Err(ApiError::invalid_parameter(format!(
                        "1 validation error detected: Value '{}' at \
                         'lambdaConfig.preTokenGenerationConfig.lambdaVersion' failed to \
                         satisfy constraint: Member must satisfy enum value set: [V1_0, V2_0, \
                         V3_0]",
                        super::error::echo(other)
                    )));
                }
            }
            if let Some(a) = arn.filter(|a| !a.is_empty() && a.len() <= 2048) {
                out.insert("PreTokenGeneration".to_string(), a.to_string());
            }
        }
        for (k, val) in obj {
            if k == "PreTokenGeneration" && out.contains_key(k) {
                // PreTokenGenerationConfig.LambdaArn names the function when both are given.
                continue;
            }
            if !TRIGGER_NAMES.contains(&k.as_str()) {
                // Object-valued members (PreTokenGenerationConfig, CustomSMSSender, KMSKeyID…)
                // are accepted and ignored: nothing here sends SMS or encrypts codes.
                continue;
            }
            let Some(s) = val.as_str() else {
                return Err(ApiError::invalid_parameter(format!(
                    "LambdaConfig.{k} must be a string"
                )));
            };
            if s.is_empty() || s.len() > 2048 {
                return Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value at 'lambdaConfig.{}' failed to satisfy \
                     constraint: Member must have length between 20 and 2048",
                    lower_first(k)
                )));
            }
            out.insert(k.clone(), s.to_string());
        }
        Ok(Self(out))
    }

    pub fn get(&self, trigger: &str) -> Option<&str> {
        self.0.get(trigger).map(String::as_str)
    }

    pub fn has(&self, trigger: &str) -> bool {
        self.0.contains_key(trigger)
    }

    /// The command configured for `trigger`; None when it is absent or set to
    /// [`BUILTIN_TRIGGER`] (the pool's built-in custom challenge answers instead).
    pub fn command(&self, trigger: &str) -> Option<&str> {
        self.get(trigger).filter(|v| *v != BUILTIN_TRIGGER)
    }

    /// The event version PreTokenGeneration is called with: 1, or 2 for a pool whose
    /// PreTokenGenerationConfig says V2_0 or V3_0 (access-token customisation).
    pub fn pre_token_generation_version(&self) -> u8 {
        match self.get(PRE_TOKEN_GENERATION_VERSION) {
            Some("V2_0") | Some("V3_0") => 2,
            _ => 1,
        }
    }

    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (k, v) in &self.0 {
            if k != PRE_TOKEN_GENERATION_VERSION {
                m.insert(k.clone(), json!(v));
            }
        }
        if let Some(arn) = self.get("PreTokenGeneration") {
            m.insert(
                "PreTokenGenerationConfig".into(),
                json!({
                    "LambdaVersion": self.get(PRE_TOKEN_GENERATION_VERSION).unwrap_or("V1_0"),
                    "LambdaArn": arn,
                }),
            );
        }
        Value::Object(m)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// The first factors a sign-in policy may allow.
pub const FIRST_FACTORS: &[&str] = &["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"];

/// Settings of a pool kept next to its PoolConfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolExtras {
    pub lambda: LambdaConfig,
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors`.
    pub allowed_first_auth_factors: Vec<String>,
}

impl Default for PoolExtras {
    fn default() -> Self {
        Self {
            lambda: LambdaConfig::default(),
            allowed_first_auth_factors: vec!["PASSWORD".into()],
        }
    }
}

pub fn load_extras(conn: &Connection, pool_id: &str) -> ApiResult<PoolExtras> {
    Ok(match store::pool_extras(conn, pool_id)? {
        None => PoolExtras::default(),
        Some((l, p)) => PoolExtras {
            lambda: serde_json::from_str(&l).unwrap_or_default(),
            allowed_first_auth_factors: serde_json::from_str(&p)
                .unwrap_or_else(|_| vec!["PASSWORD".into()]),
        },
    })
}

/// Whether the pool has extras stored (a pool made before they existed has none).
pub fn extras_exist(conn: &Connection, pool_id: &str) -> ApiResult<bool> {
    Ok(store::pool_extras(conn, pool_id)?.is_some())
}

pub fn save_extras(conn: &Connection, pool_id: &str, e: &PoolExtras) -> ApiResult<()> {
    let internal = |e: serde_json::Error| ApiError::internal(e.to_string());
    store::put_pool_extras(
        conn,
        pool_id,
        &serde_json::to_string(&e.lambda).map_err(internal)?,
        &serde_json::to_string(&e.allowed_first_auth_factors).map_err(internal)?,
    )
}

/// Validates `Policies.SignInPolicy` of a CreateUserPool / UpdateUserPool request.
pub(crate) fn sign_in_policy_from_request(policies: Option<&Value>) -> ApiResult<Vec<String>> {
    let Some(sp) = policies.and_then(|p| p.get("SignInPolicy")) else {
        return Ok(vec!["PASSWORD".into()]);
    };
    let Some(list) = sp.get("AllowedFirstAuthFactors") else {
        return Ok(vec!["PASSWORD".into()]);
    };
    let Some(items) = list.as_array() else {
        return Err(ApiError::invalid_parameter(
            "AllowedFirstAuthFactors must be a list",
        ));
    };
    let mut out: Vec<String> = Vec::new();
    for i in items {
        let Some(f) = i.as_str().filter(|f| FIRST_FACTORS.contains(f)) else {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '{}' at 'policies.signInPolicy.\
                 allowedFirstAuthFactors' failed to satisfy constraint: Member must satisfy \
                 enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN]",
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            )));
        };
        if !out.iter().any(|x| x == f) {
            out.push(f.to_string());
        }
    }
    if !out.iter().any(|f| f == "PASSWORD") {
        return Err(ApiError::invalid_parameter(
            "AllowedFirstAuthFactors must include PASSWORD.",
        ));
    }
    Ok(out)
}

pub fn extras_from_request(body: &Value) -> ApiResult<PoolExtras> {
    let lambda = match body.get("LambdaConfig") {
        None | Some(Value::Null) => LambdaConfig::default(),
        Some(v) => LambdaConfig::from_request(v)?,
    };
    Ok(PoolExtras {
        lambda,
        allowed_first_auth_factors: sign_in_policy_from_request(body.get("Policies"))?,
    })
}

/// Puts the pool's LambdaConfig and SignInPolicy into a DescribeUserPool / CreateUserPool
/// `UserPool` object.
pub fn decorate_pool_json(conn: &Connection, pool_id: &str, v: &mut Value) -> ApiResult<()> {
    let e = load_extras(conn, pool_id)?;
    v["LambdaConfig"] = e.lambda.to_json();
    if !v["Policies"].is_object() {
        v["Policies"] = json!({});
    }
    v["Policies"]["SignInPolicy"] =
        json!({"AllowedFirstAuthFactors": e.allowed_first_auth_factors});
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_config_keeps_trigger_strings_and_rejects_bad_values() {
        let c = LambdaConfig::from_request(&json!({
            "DefineAuthChallenge": "cmd:true",
            "PreTokenGenerationConfig": {"LambdaVersion": "V2_0"},
        }))
        .unwrap();
        assert_eq!(c.get("DefineAuthChallenge"), Some("cmd:true"));
        assert_eq!(c.0.len(), 1);
        assert!(LambdaConfig::from_request(&json!({"PreSignUp": 5})).is_err());
        assert!(LambdaConfig::from_request(&json!({"PreSignUp": ""})).is_err());
        assert!(LambdaConfig::from_request(&json!([1])).is_err());

        // PreTokenGenerationConfig names the function and the event version it gets.
        let c = LambdaConfig::from_request(&json!({
            "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": "node:/f.js"},
        }))
        .unwrap();
        assert_eq!(c.command("PreTokenGeneration"), Some("node:/f.js"));
        assert_eq!(c.pre_token_generation_version(), 2);
        assert_eq!(
            c.to_json(),
            json!({"PreTokenGeneration": "node:/f.js",
                   "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": "node:/f.js"}})
        );
        let v1 = LambdaConfig::from_request(&json!({"PreTokenGeneration": "cmd:true"})).unwrap();
        assert_eq!(v1.pre_token_generation_version(), 1);
        assert!(
            LambdaConfig::from_request(
                &json!({"PreTokenGenerationConfig": {"LambdaVersion": "V9", "LambdaArn": "x"}})
            )
            .is_err()
        );
    }

    #[test]
    fn sign_in_policy_must_include_password_and_known_factors() {
        let p = |v: Value| sign_in_policy_from_request(Some(&v));
        assert_eq!(
            p(json!({"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "EMAIL_OTP"]}}))
                .unwrap(),
            vec!["PASSWORD", "EMAIL_OTP"]
        );
        assert!(p(json!({"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}})).is_err());
        assert!(
            p(json!({"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "FACE"]}})).is_err()
        );
        assert_eq!(p(json!({})).unwrap(), vec!["PASSWORD"]);
    }
}
