//! Cognito's API model, from botocore (PyPI, `data/cognito-idp/2016-04-18/service-2.json`),
//! used to validate JSON bodies: requests our client sends and responses the embedded pool
//! returns. Checks that the operation exists, that every member is one the shape declares, JSON
//! types (strings, integers, booleans, timestamps as epoch numbers, base64 blobs, lists, maps),
//! required members, enum values, min/max lengths and ranges, and string patterns (Java regexes
//! run with the `regex` crate; the few it cannot compile, such as look-behind, are skipped).
//!
//! The model is read through botocore's own loader (`python3`), so it is the installed release's.
//! Without botocore the check is skipped with a message, except under CI=true where it fails.
//! Needs the harness (`mod support;`) in the same test binary: it checks the calls the
//! recording proxy saw.

#![allow(dead_code)]

use std::collections::HashMap;
use std::process::Command;
use std::sync::Mutex;

use base64::Engine as _;
use serde_json::Value;

const DUMP: &str = r#"
import json, sys
import botocore.loaders
m = botocore.loaders.Loader().load_service_model('cognito-idp', 'service-2')
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k != 'documentation'}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
json.dump(strip({'metadata': m['metadata'], 'operations': m['operations'], 'shapes': m['shapes']}), sys.stdout)
"#;

/// The loaded model.
pub struct Model {
    raw: Value,
    api_version: String,
    patterns: Mutex<HashMap<String, Option<regex::Regex>>>,
}

impl Model {
    /// Loads the model through botocore, or explains why it cannot.
    pub fn load() -> Result<Model, String> {
        let out = Command::new("python3")
            .args(["-c", DUMP])
            .output()
            .map_err(|e| format!("python3 is not available ({e})"))?;
        if !out.status.success() {
            return Err(format!(
                "botocore is not installed for python3 (pip install botocore): {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
        let raw: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("botocore's cognito-idp model is not JSON: {e}"))?;
        let api_version = raw["metadata"]["apiVersion"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if raw["metadata"]["targetPrefix"] != "AWSCognitoIdentityProviderService" {
            return Err("botocore's model is not Cognito's user pools API".into());
        }
        Ok(Model {
            raw,
            api_version,
            patterns: Mutex::new(HashMap::new()),
        })
    }

    /// The model, or None after printing why (locally); under CI=true a missing model fails.
    pub fn load_or_skip(test: &str) -> Option<Model> {
        match Model::load() {
            Ok(m) => Some(m),
            Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("{test}: the API model check cannot run under CI: {why}")
            }
            Err(why) => {
                eprintln!("{test}: API model check SKIPPED: {why}");
                None
            }
        }
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    pub fn has_operation(&self, op: &str) -> bool {
        self.raw["operations"].get(op).is_some()
    }

    /// Problems with `body` as the input of `op` (empty = valid). A member set to `null` counts
    /// as absent, as the service reads it (amazon-cognito-identity-js sends
    /// `"ValidationData": null`); a required one is then missing.
    pub fn validate_input(&self, op: &str, body: &Value) -> Vec<String> {
        self.validate_io(op, "input", &without_nulls(body))
    }

    /// Problems with `body` as the output of `op`. An operation without an output shape must
    /// answer `{}`.
    pub fn validate_output(&self, op: &str, body: &Value) -> Vec<String> {
        let mut problems = self.validate_io(op, "output", body);
        // Cognito itself lists the standard attribute `phone_number_verified` (21 characters) in
        // SchemaAttributes, beyond the model's 20-character CustomAttributeNameType: allowed.
        problems.retain(|p| {
            !(p.contains(".SchemaAttributes[")
                && p.ends_with(".Name: 21 characters, more than the maximum 20"))
        });
        problems
    }

    /// Problems with an error body of `op`: `__type` must be an error the model lists for the
    /// operation, and the other members those of that error's shape.
    pub fn validate_error(&self, op: &str, body: &Value) -> Vec<String> {
        let Some(operation) = self.raw["operations"].get(op) else {
            return vec![format!("operation {op} is not in the model")];
        };
        let Some(obj) = body.as_object() else {
            return vec![format!("error body is {}, not an object", json_kind(body))];
        };
        let Some(kind) = obj.get("__type").and_then(Value::as_str) else {
            return vec!["error body has no __type".into()];
        };
        // Clients keep what follows '#' (botocore, Amplify).
        let kind = kind.rsplit('#').next().unwrap_or(kind);
        let listed = operation["errors"]
            .as_array()
            .map(|errs| errs.iter().any(|e| e["shape"] == kind))
            .unwrap_or(false);
        if !listed {
            return vec![format!("{kind} is not an error the model lists for {op}")];
        }
        let mut rest = obj.clone();
        rest.remove("__type");
        let mut problems = Vec::new();
        self.check(kind, &Value::Object(rest), "error", &mut problems);
        problems
    }

    fn validate_io(&self, op: &str, which: &str, body: &Value) -> Vec<String> {
        let Some(operation) = self.raw["operations"].get(op) else {
            return vec![format!("operation {op} is not in the model")];
        };
        match operation[which]["shape"].as_str() {
            Some(shape) => {
                let mut problems = Vec::new();
                self.check(shape, body, which, &mut problems);
                problems
            }
            None if body.as_object().is_some_and(|o| o.is_empty()) => Vec::new(),
            None => vec![format!(
                "{op} has no {which} shape, so its body must be {{}} (it has members)"
            )],
        }
    }

    fn shape(&self, name: &str) -> &Value {
        &self.raw["shapes"][name]
    }

    fn check(&self, shape_name: &str, v: &Value, path: &str, out: &mut Vec<String>) {
        let shape = self.shape(shape_name);
        let Some(ty) = shape["type"].as_str() else {
            out.push(format!("{path}: shape {shape_name} is not in the model"));
            return;
        };
        if v.is_null() {
            out.push(format!("{path}: null (members are omitted, never null)"));
            return;
        }
        match ty {
            "structure" => {
                let Some(obj) = v.as_object() else {
                    out.push(format!(
                        "{path}: expected an object ({shape_name}), got {}",
                        json_kind(v)
                    ));
                    return;
                };
                let members = shape["members"].as_object();
                for (k, mv) in obj {
                    match members.and_then(|m| m.get(k)) {
                        Some(m) => {
                            let target = m["shape"].as_str().unwrap_or("");
                            self.check(target, mv, &format!("{path}.{k}"), out);
                        }
                        None => out.push(format!("{path}: unknown member {k} ({shape_name})")),
                    }
                }
                for req in shape["required"].as_array().into_iter().flatten() {
                    let req = req.as_str().unwrap_or("");
                    if !obj.contains_key(req) {
                        out.push(format!(
                            "{path}: required member {req} missing ({shape_name})"
                        ));
                    }
                }
            }
            "list" => {
                let Some(items) = v.as_array() else {
                    out.push(format!(
                        "{path}: expected a list ({shape_name}), got {}",
                        json_kind(v)
                    ));
                    return;
                };
                self.check_len(shape, items.len(), path, "items", out);
                let member = shape["member"]["shape"].as_str().unwrap_or("");
                for (i, item) in items.iter().enumerate() {
                    self.check(member, item, &format!("{path}[{i}]"), out);
                }
            }
            "map" => {
                let Some(obj) = v.as_object() else {
                    out.push(format!(
                        "{path}: expected a map ({shape_name}), got {}",
                        json_kind(v)
                    ));
                    return;
                };
                self.check_len(shape, obj.len(), path, "entries", out);
                let key = shape["key"]["shape"].as_str().unwrap_or("");
                let value = shape["value"]["shape"].as_str().unwrap_or("");
                for (k, mv) in obj {
                    self.check(
                        key,
                        &Value::String(k.clone()),
                        &format!("{path} key {k:?}"),
                        out,
                    );
                    self.check(value, mv, &format!("{path}[{k:?}]"), out);
                }
            }
            "string" => {
                let Some(s) = v.as_str() else {
                    out.push(format!(
                        "{path}: expected a string ({shape_name}), got {}",
                        json_kind(v)
                    ));
                    return;
                };
                self.check_len(shape, s.chars().count(), path, "characters", out);
                if let Some(values) = shape["enum"].as_array()
                    && !values.iter().any(|e| e == s)
                {
                    out.push(format!(
                        "{path}: {s:?} is not one of {shape_name}'s enum values"
                    ));
                }
                if let Some(p) = shape["pattern"].as_str()
                    && let Some(re) = self.pattern(p)
                    && !re.is_match(s)
                {
                    out.push(format!(
                        "{path}: value does not match {shape_name}'s pattern {p:?}"
                    ));
                }
            }
            "integer" | "long" => match v.as_i64() {
                Some(n) => {
                    if let Some(min) = shape["min"].as_i64()
                        && n < min
                    {
                        out.push(format!("{path}: {n} < min {min} ({shape_name})"));
                    }
                    if let Some(max) = shape["max"].as_i64()
                        && n > max
                    {
                        out.push(format!("{path}: {n} > max {max} ({shape_name})"));
                    }
                }
                None => out.push(format!(
                    "{path}: expected an integer ({shape_name}), got {}",
                    json_kind(v)
                )),
            },
            "double" | "float" => {
                if !v.is_number() {
                    out.push(format!(
                        "{path}: expected a number ({shape_name}), got {}",
                        json_kind(v)
                    ));
                }
            }
            "timestamp" => {
                // JSON protocol: epoch seconds as a number.
                if !v.is_number() {
                    out.push(format!(
                        "{path}: expected epoch seconds as a number ({shape_name}), got {}",
                        json_kind(v)
                    ));
                }
            }
            "boolean" => {
                if !v.is_boolean() {
                    out.push(format!(
                        "{path}: expected a boolean ({shape_name}), got {}",
                        json_kind(v)
                    ));
                }
            }
            "blob" => match v.as_str() {
                Some(s) if base64::engine::general_purpose::STANDARD.decode(s).is_ok() => {
                    self.check_len(shape, s.len() * 3 / 4, path, "bytes", out);
                }
                _ => out.push(format!(
                    "{path}: expected base64 ({shape_name}), got {}",
                    json_kind(v)
                )),
            },
            other => out.push(format!(
                "{path}: unhandled shape type {other} ({shape_name})"
            )),
        }
    }

    fn check_len(&self, shape: &Value, len: usize, path: &str, what: &str, out: &mut Vec<String>) {
        let len = len as i64;
        if let Some(min) = shape["min"].as_i64()
            && len < min
        {
            out.push(format!(
                "{path}: {len} {what}, fewer than the minimum {min}"
            ));
        }
        if let Some(max) = shape["max"].as_i64()
            && len > max
        {
            out.push(format!("{path}: {len} {what}, more than the maximum {max}"));
        }
    }

    /// The compiled pattern, anchored (Java `matches` semantics); None if the regex crate
    /// cannot compile it (look-around).
    fn pattern(&self, p: &str) -> Option<regex::Regex> {
        let mut cache = self.patterns.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(p.to_string())
            .or_insert_with(|| regex::Regex::new(&format!("^(?:{p})$")).ok())
            .clone()
    }
}

/// The JSON type of a value, for messages (values may be tokens: never shown).
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `v` with every `null` object member removed, recursively.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Checks every recorded call against the model: the request against the operation's input
/// shape (when `check_requests`), the response against its output or error shape. Returns the
/// problems, each naming the call.
pub fn model_problems(
    model: &Model,
    calls: &[crate::support::proxy::Recorded],
    check_requests: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        let mut problems = Vec::new();
        if check_requests {
            problems.extend(
                model
                    .validate_input(&c.operation, &c.request)
                    .into_iter()
                    .map(|p| format!("request {p}")),
            );
        }
        let resp = if c.status == 200 {
            model.validate_output(&c.operation, &c.response)
        } else {
            model.validate_error(&c.operation, &c.response)
        };
        problems.extend(resp.into_iter().map(|p| format!("response {p}")));
        for p in problems {
            out.push(format!("call {i} {} ({}): {p}", c.operation, c.status));
        }
    }
    out
}

#[cfg(test)]
mod self_test {
    //! The validator itself must catch what it claims to (run with every suite that includes
    //! this module).
    use super::*;
    use serde_json::json;

    #[test]
    fn the_model_validator_catches_bad_bodies() {
        let Some(m) = Model::load_or_skip("api_model self-test") else {
            return;
        };
        assert!(m.has_operation("InitiateAuth"));
        assert!(!m.has_operation("FlyToTheMoon"));
        let good = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "abcdefghijklmnopqrstuvwxyz",
                          "AuthParameters": {"USERNAME": "alice", "SRP_A": "abc"}});
        assert_eq!(
            m.validate_input("InitiateAuth", &good),
            Vec::<String>::new()
        );
        let missing = json!({"ClientId": "abcdefghijklmnopqrstuvwxyz"});
        assert!(m.validate_input("InitiateAuth", &missing)[0].contains("AuthFlow missing"));
        let bad_enum = json!({"AuthFlow": "MAGIC", "ClientId": "abcdefghijklmnopqrstuvwxyz"});
        assert!(m.validate_input("InitiateAuth", &bad_enum)[0].contains("enum"));
        let unknown = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "abcdefghijklmnopqrstuvwxyz", "Extra": 1});
        assert!(m.validate_input("InitiateAuth", &unknown)[0].contains("unknown member Extra"));
        let bad_pattern = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "has spaces!"});
        assert!(
            m.validate_input("InitiateAuth", &bad_pattern)
                .iter()
                .any(|p| p.contains("pattern"))
        );
        let wrong_type =
            json!({"Username": "a", "UserAttributes": [], "UserCreateDate": "yesterday"});
        assert!(
            m.validate_output("AdminGetUser", &wrong_type)
                .iter()
                .any(|p| p.contains("epoch seconds"))
        );
        assert!(
            m.validate_error(
                "GetUser",
                &json!({"__type": "UsernameExistsException", "message": "x"})
            )[0]
            .contains("not an error the model lists")
        );
        assert_eq!(
            m.validate_error(
                "GetUser",
                &json!({"__type": "NotAuthorizedException", "message": "Invalid Access Token"})
            ),
            Vec::<String>::new()
        );
        assert!(
            !m.validate_output("GlobalSignOut", &json!({"x": 1}))
                .is_empty()
        );
        assert!(m.validate_output("GlobalSignOut", &json!({})).is_empty());
        // null: absent in a request (so a required one is missing), wrong in a response.
        let null_optional = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "abcdefghijklmnopqrstuvwxyz", "Session": null});
        assert!(m.validate_input("InitiateAuth", &null_optional).is_empty());
        let null_required = json!({"AuthFlow": null, "ClientId": "abcdefghijklmnopqrstuvwxyz"});
        assert!(m.validate_input("InitiateAuth", &null_required)[0].contains("AuthFlow missing"));
        assert!(
            m.validate_output(
                "GetUser",
                &json!({"Username": "a", "UserAttributes": [], "PreferredMfaSetting": null})
            )[0]
            .contains("null")
        );
    }
}
