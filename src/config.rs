//! Which Cognito the app talks to: the embedded pool, real AWS, or another endpoint.

use crate::secret::Secret;

/// A resolved target: everything the wire client needs.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL of the Cognito API, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/`
    /// or `http://127.0.0.1:41234/` for the embedded pool.
    pub endpoint: String,
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// True for the embedded pool (its outbox can be read, its users seeded).
    pub local: bool,
}

impl Target {
    /// The region is the part of the pool id before `_`.
    pub fn region_of(pool_id: &str) -> Option<&str> {
        pool_id
            .split_once('_')
            .map(|(r, _)| r)
            .filter(|r| !r.is_empty())
    }

    /// The public AWS endpoint of a region.
    pub fn aws_endpoint(region: &str) -> String {
        format!("https://cognito-idp.{region}.amazonaws.com/")
    }
}

/// What a developer's Amplify config file tells us about their user pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmplifyConfig {
    /// Which kind of file it was, for messages ("amplify_outputs.json (Gen 2)", ...).
    pub kind: &'static str,
    pub user_pool_id: String,
    pub client_id: String,
    pub region: String,
    /// Only the mobile Gen 1 format can carry a client secret.
    pub client_secret: Option<String>,
    /// Gen 1 mobile `authenticationFlowType`, when present.
    pub auth_flow_type: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not valid JSON (line {line}, column {column}): {reason}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error(
        "{path} is not an Amplify configuration this tool knows: expected amplify_outputs.json \
         (a top-level \"version\" of 1.x with an \"auth\" section), amplifyconfiguration.json / \
         aws-exports.js (aws_user_pools_id, aws_user_pools_web_client_id) or a mobile \
         amplifyconfiguration.json (auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default)"
    )]
    Unrecognised { path: String },
    #[error("{path}: {what} is missing or not a string")]
    Missing { path: String, what: String },
    #[error("{path}: user pool id {id:?} does not look like <region>_<id>")]
    BadPoolId { path: String, id: String },
}

impl AmplifyConfig {
    /// Reads amplify_outputs.json, amplifyconfiguration.json (web or mobile) or aws-exports.js.
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        Self::parse(&shown, &text)
    }

    /// Parses the text of one of the accepted files; `path` only names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<Self, ConfigError> {
        let json_text = if path.ends_with(".js") || path.ends_with(".mjs") || path.ends_with(".ts")
        {
            extract_js_object(text).ok_or_else(|| ConfigError::Unrecognised {
                path: path.to_string(),
            })?
        } else {
            text.to_string()
        };
        let v: serde_json::Value =
            serde_json::from_str(&json_text).map_err(|e| ConfigError::Json {
                path: path.to_string(),
                line: e.line(),
                column: e.column(),
                reason: e.to_string(),
            })?;
        let s = |v: &serde_json::Value, ptr: &str| -> Result<String, ConfigError> {
            v.pointer(ptr)
                .and_then(|x| x.as_str())
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .ok_or_else(|| ConfigError::Missing {
                    path: path.to_string(),
                    what: ptr.trim_start_matches('/').replace('/', "."),
                })
        };
        let (kind, pool, client, region, secret, flow) = if v
            .get("version")
            .and_then(|x| x.as_str())
            .is_some_and(|x| x.starts_with('1'))
        {
            let pool = s(&v, "/auth/user_pool_id")?;
            let client = s(&v, "/auth/user_pool_client_id")?;
            let region = s(&v, "/auth/aws_region").ok();
            (
                "amplify_outputs.json (Gen 2)",
                pool,
                client,
                region,
                None,
                None,
            )
        } else if v.get("aws_user_pools_id").is_some() {
            let pool = s(&v, "/aws_user_pools_id")?;
            let client = s(&v, "/aws_user_pools_web_client_id")?;
            let region = s(&v, "/aws_cognito_region")
                .or_else(|_| s(&v, "/aws_project_region"))
                .ok();
            ("Gen 1 web configuration", pool, client, region, None, None)
        } else if let Some(up) =
            v.pointer("/auth/plugins/awsCognitoAuthPlugin/CognitoUserPool/Default")
        {
            let base = "/auth/plugins/awsCognitoAuthPlugin";
            let pool = s(&v, &format!("{base}/CognitoUserPool/Default/PoolId"))?;
            let client = s(&v, &format!("{base}/CognitoUserPool/Default/AppClientId"))?;
            let region = s(&v, &format!("{base}/CognitoUserPool/Default/Region")).ok();
            let secret = up
                .get("AppClientSecret")
                .and_then(|x| x.as_str())
                .filter(|x| !x.is_empty())
                .map(str::to_string);
            let flow = s(&v, &format!("{base}/Auth/Default/authenticationFlowType")).ok();
            (
                "Gen 1 mobile configuration",
                pool,
                client,
                region,
                secret,
                flow,
            )
        } else {
            return Err(ConfigError::Unrecognised {
                path: path.to_string(),
            });
        };
        let region = match region {
            Some(r) => r,
            None => Target::region_of(&pool)
                .ok_or_else(|| ConfigError::BadPoolId {
                    path: path.to_string(),
                    id: pool.clone(),
                })?
                .to_string(),
        };
        if Target::region_of(&pool).is_none() {
            return Err(ConfigError::BadPoolId {
                path: path.to_string(),
                id: pool,
            });
        }
        Ok(Self {
            kind,
            user_pool_id: pool,
            client_id: client,
            region,
            client_secret: secret,
            auth_flow_type: flow,
        })
    }
}

/// Turns `const awsmobile = { ... }; export default awsmobile;` into the JSON object text.
/// aws-exports.js as the Amplify CLI writes it is JSON-compatible between the braces.
fn extract_js_object(text: &str) -> Option<String> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    if end <= start {
        return None;
    }
    let body = &text[start..=end];
    // Tolerate trailing commas and single-quoted strings, which hand-edited files contain.
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    let mut in_str: Option<char> = None;
    while let Some(c) = chars.next() {
        match in_str {
            Some(q) => {
                if c == '\\' {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == q {
                    out.push('"');
                    in_str = None;
                } else if c == '"' {
                    out.push_str("\\\"");
                } else {
                    out.push(c);
                }
            }
            None => match c {
                '"' | '\'' => {
                    in_str = Some(c);
                    out.push('"');
                }
                ',' => {
                    let rest: String = chars.clone().collect();
                    let next = rest.trim_start().chars().next();
                    if !matches!(next, Some('}') | Some(']')) {
                        out.push(',');
                    }
                }
                _ => out.push(c),
            },
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen2_outputs() {
        let c = AmplifyConfig::parse(
            "amplify_outputs.json",
            r#"{"version":"1.3","auth":{"user_pool_id":"eu-west-1_AbC","aws_region":"eu-west-1",
                "user_pool_client_id":"abc123","mfa_configuration":"OPTIONAL"}}"#,
        )
        .unwrap();
        assert_eq!(c.user_pool_id, "eu-west-1_AbC");
        assert_eq!(c.client_id, "abc123");
        assert_eq!(c.region, "eu-west-1");
    }

    #[test]
    fn gen1_web_and_aws_exports_js() {
        let js = "// WARNING: DO NOT EDIT.\nconst awsmobile = {\n    \"aws_project_region\": \"us-east-2\",\n    'aws_user_pools_id': 'us-east-2_XyZ',\n    \"aws_user_pools_web_client_id\": \"cid\",\n};\n\nexport default awsmobile;\n";
        let c = AmplifyConfig::parse("src/aws-exports.js", js).unwrap();
        assert_eq!(
            (
                c.user_pool_id.as_str(),
                c.client_id.as_str(),
                c.region.as_str()
            ),
            ("us-east-2_XyZ", "cid", "us-east-2")
        );
        assert_eq!(c.kind, "Gen 1 web configuration");
    }

    #[test]
    fn gen1_mobile_with_secret() {
        let c = AmplifyConfig::parse(
            "amplifyconfiguration.json",
            r#"{"auth":{"plugins":{"awsCognitoAuthPlugin":{"CognitoUserPool":{"Default":
               {"PoolId":"ap-south-1_q","AppClientId":"c","AppClientSecret":"s","Region":"ap-south-1"}},
               "Auth":{"Default":{"authenticationFlowType":"USER_SRP_AUTH"}}}}}}"#,
        )
        .unwrap();
        assert_eq!(c.client_secret.as_deref(), Some("s"));
        assert_eq!(c.auth_flow_type.as_deref(), Some("USER_SRP_AUTH"));
    }

    #[test]
    fn garbage_gives_clear_errors() {
        let e = AmplifyConfig::parse("x.json", "{not json").unwrap_err();
        assert!(matches!(e, ConfigError::Json { line: 1, .. }), "{e}");
        let e = AmplifyConfig::parse("x.json", r#"{"hello":1}"#).unwrap_err();
        assert!(matches!(e, ConfigError::Unrecognised { .. }));
        let e = AmplifyConfig::parse("x.json", r#"{"version":"1","auth":{"user_pool_id":"p"}}"#)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.json: auth.user_pool_client_id is missing or not a string"
        );
        let e = AmplifyConfig::parse(
            "x.json",
            r#"{"version":"1","auth":{"user_pool_id":"nounderscore","user_pool_client_id":"c"}}"#,
        )
        .unwrap_err();
        assert!(matches!(e, ConfigError::BadPoolId { .. }));
        let e = AmplifyConfig::load(std::path::Path::new("/nonexistent/amplify_outputs.json"))
            .unwrap_err();
        assert!(matches!(e, ConfigError::Read { .. }));
    }
}
