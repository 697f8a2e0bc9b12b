//! One call, written out as a shell command that makes it again outside the app: the AWS CLI
//! (`aws cognito-idp initiate-auth --client-id … --auth-parameters '{…}'`) or curl with
//! Cognito's `X-Amz-Target` header.
//!
//! The input is the request as an exchange shows it (already redacted), so no secret can reach
//! the command: every value under a secret, token, Session, SRP or code key, and every value
//! the redaction hid or abbreviated, becomes a named environment reference such as
//! `"$COGNITO_PASSWORD"`, listed with what to put in it. Everything else is quoted for a POSIX
//! shell: single quotes around anything that is not plainly safe, JSON arguments as compact
//! JSON, and each reference spliced in between single-quoted parts inside double quotes, so
//! the shell expands it and nothing else.
//!
//! Pure: no IO, no clock.

use serde_json::Value;

use super::redact::{HIDDEN, is_abbreviated, is_sensitive_key};
use super::sigv4::needs_sigv4;
use super::types::{AMZ_JSON_1_1, TARGET_PREFIX};
use crate::config::Target;

/// The call to write out: its operation, its (redacted) request body, where it went.
#[derive(Debug, Clone, Copy)]
pub struct CallSpec<'a> {
    pub operation: &'a str,
    pub request: &'a Value,
    pub endpoint: &'a str,
    pub region: &'a str,
}

/// Which command to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    AwsCli,
    Curl,
}

impl Style {
    pub fn label(self) -> &'static str {
        match self {
            Style::AwsCli => "AWS CLI",
            Style::Curl => "curl",
        }
    }
}

/// An environment variable the command reads instead of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The variable's name, e.g. `COGNITO_PASSWORD`.
    pub var: String,
    /// What to put in it.
    pub meaning: String,
}

/// A command and what it needs before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reproduction {
    pub style: Style,
    /// The command, one option per line joined by ` \` continuations.
    pub command: String,
    /// The variables to export first, in the order they appear.
    pub placeholders: Vec<Placeholder>,
    /// Anything else the reader must know (credentials, values a shell cannot compute).
    pub notes: Vec<String>,
}

impl Reproduction {
    /// The command with its needs as shell comments above it: what the clipboard gets.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.placeholders {
            out.push_str(&format!("# export {}=…  ({})\n", p.var, p.meaning));
        }
        for n in &self.notes {
            out.push_str(&format!("# {n}\n"));
        }
        out.push_str(&self.command);
        out.push('\n');
        out
    }
}

/// Writes `call` in `style`.
pub fn reproduce(call: &CallSpec<'_>, style: Style) -> Reproduction {
    match style {
        Style::AwsCli => aws_cli(call),
        Style::Curl => curl(call),
    }
}

/// `aws cognito-idp <operation> --member value …`, with `--endpoint-url` when the call did not
/// go to AWS, `--region`, and `--no-sign-request` for the operations Cognito takes unsigned.
pub fn aws_cli(call: &CallSpec<'_>) -> Reproduction {
    let mut b = Builder::default();
    let mut lines = vec![format!(
        "aws cognito-idp {}",
        xform_name(call.operation, '-')
    )];
    if let Value::Object(members) = call.request {
        for (key, value) in members {
            let flag = format!("--{}", xform_name(key, '-'));
            match value {
                Value::Null => {}
                Value::Bool(true) => lines.push(flag),
                Value::Bool(false) => lines.push(format!("--no-{}", xform_name(key, '-'))),
                Value::Number(n) => lines.push(format!("{flag} {n}")),
                Value::String(s) => {
                    let arg = match b.placeholder(key, s) {
                        Some(var) => format!("\"${var}\""),
                        None => shell_quote(s),
                    };
                    lines.push(format!("{flag} {arg}"));
                }
                other => {
                    let mut pieces = Vec::new();
                    b.json(other, None, &mut pieces);
                    lines.push(format!("{flag} {}", shell_pieces(&pieces)));
                }
            }
        }
    }
    if !is_aws(call) {
        lines.push(format!("--endpoint-url {}", shell_quote(call.endpoint)));
    }
    lines.push(format!("--region {}", shell_quote(call.region)));
    if needs_sigv4(call.operation) {
        b.notes.push(format!(
            "{} is signed (SigV4): the AWS CLI signs it with your AWS credentials{}",
            call.operation,
            if is_aws(call) {
                ""
            } else {
                " (a cognito-tui pool accepts any)"
            }
        ));
    } else {
        lines.push("--no-sign-request".into());
    }
    b.finish(Style::AwsCli, lines)
}

/// `curl` POSTing the JSON body with Cognito's `Content-Type` and `X-Amz-Target`; signed
/// operations get curl's `--aws-sigv4` and the credentials from the environment.
pub fn curl(call: &CallSpec<'_>) -> Reproduction {
    let mut b = Builder::default();
    let mut lines = vec![format!("curl -sS {}", shell_quote(call.endpoint))];
    lines.push(format!(
        "-H {}",
        shell_quote(&format!("Content-Type: {AMZ_JSON_1_1}"))
    ));
    lines.push(format!(
        "-H {}",
        shell_quote(&format!("X-Amz-Target: {TARGET_PREFIX}{}", call.operation))
    ));
    if needs_sigv4(call.operation) {
        lines.push(format!(
            "--aws-sigv4 {}",
            shell_quote(&format!("aws:amz:{}:cognito-idp", call.region))
        ));
        lines.push("--user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"".into());
        b.notes.push(format!(
            "{} is signed (SigV4): curl 7.75 or later signs it with --aws-sigv4 and the keys in \
             AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (temporary keys also need \
             -H \"x-amz-security-token: $AWS_SESSION_TOKEN\")",
            call.operation
        ));
    }
    let mut pieces = Vec::new();
    let body = match call.request {
        Value::Null => Value::Object(Default::default()),
        other => other.clone(),
    };
    b.json(&body, None, &mut pieces);
    lines.push(format!("--data-raw {}", shell_pieces(&pieces)));
    b.finish(Style::Curl, lines)
}

/// True when the call went to Cognito on AWS (no `--endpoint-url` needed).
fn is_aws(call: &CallSpec<'_>) -> bool {
    call.endpoint.trim_end_matches('/') == Target::aws_endpoint(call.region).trim_end_matches('/')
}

/// A part of an argument: literal text, or a variable the shell expands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

#[derive(Default)]
struct Builder {
    placeholders: Vec<Placeholder>,
    notes: Vec<String>,
    srp: bool,
}

impl Builder {
    /// The variable standing for `value` under `key`, when it must not be written as shown.
    fn placeholder(&mut self, key: &str, value: &str) -> Option<String> {
        let redacted = value == HIDDEN || is_abbreviated(value);
        if !redacted && !is_sensitive_key(key) {
            return None;
        }
        let (var, meaning) = variable_for(key);
        if is_srp_value(key) {
            self.srp = true;
        }
        if !self.placeholders.iter().any(|p| p.var == var) {
            self.placeholders.push(Placeholder {
                var: var.clone(),
                meaning,
            });
        }
        Some(var)
    }

    /// Compact JSON for `v`, with placeholders as variables inside its strings.
    fn json(&mut self, v: &Value, key: Option<&str>, out: &mut Vec<Piece>) {
        match v {
            Value::Object(map) => {
                push_text(out, "{");
                for (i, (k, val)) in map.iter().enumerate() {
                    if i > 0 {
                        push_text(out, ",");
                    }
                    push_text(out, &json_string(k));
                    push_text(out, ":");
                    self.json(val, Some(k), out);
                }
                push_text(out, "}");
            }
            Value::Array(items) => {
                push_text(out, "[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        push_text(out, ",");
                    }
                    // A member of a list under a secret key is as secret as the key.
                    self.json(item, key, out);
                }
                push_text(out, "]");
            }
            Value::String(s) => match key.and_then(|k| self.placeholder(k, s)) {
                Some(var) => {
                    push_text(out, "\"");
                    out.push(Piece::Var(var));
                    push_text(out, "\"");
                }
                None if s == HIDDEN || is_abbreviated(s) => {
                    // Redacted outside any named member: still never written as shown.
                    let (var, meaning) = variable_for("VALUE");
                    if !self.placeholders.iter().any(|p| p.var == var) {
                        self.placeholders.push(Placeholder {
                            var: var.clone(),
                            meaning,
                        });
                    }
                    push_text(out, "\"");
                    out.push(Piece::Var(var));
                    push_text(out, "\"");
                }
                None => push_text(out, &json_string(s)),
            },
            other => push_text(out, &other.to_string()),
        }
    }

    fn finish(mut self, style: Style, lines: Vec<String>) -> Reproduction {
        if self.srp {
            self.notes.push(
                "SRP values are computed afresh for every sign-in: a shell cannot make them \
                 (USER_PASSWORD_AUTH signs in from a shell)"
                    .into(),
            );
        }
        if self
            .placeholders
            .iter()
            .any(|p| !matches!(p.var.as_str(), "COGNITO_SESSION"))
        {
            self.notes.push(
                "a value that goes inside a JSON argument must be JSON-safe (escape \" and \\)"
                    .into(),
            );
        }
        Reproduction {
            style,
            command: lines.join(" \\\n  "),
            placeholders: self.placeholders,
            notes: self.notes,
        }
    }
}

fn push_text(out: &mut Vec<Piece>, s: &str) {
    if let Some(Piece::Text(t)) = out.last_mut() {
        t.push_str(s);
    } else {
        out.push(Piece::Text(s.to_string()));
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// One shell word from pieces: text single-quoted, variables double-quoted between them.
fn shell_pieces(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(&single_quote(t)),
            Piece::Var(v) => out.push_str(&format!("\"${v}\"")),
        }
    }
    if out.is_empty() { "''".into() } else { out }
}

/// `s` as one POSIX shell word: bare when every character is plainly safe, else in single
/// quotes (a `'` inside written as `'\''`).
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=,@%+".contains(c));
    if safe { s.to_string() } else { single_quote(s) }
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn is_srp_value(key: &str) -> bool {
    [
        "SRP_A",
        "PASSWORD_CLAIM_SIGNATURE",
        "PASSWORD_CLAIM_SECRET_BLOCK",
        "SECRET_BLOCK",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(key))
}

/// The variable for a secret under `key`, and what it holds.
fn variable_for(key: &str) -> (String, String) {
    let known: Option<(&str, &str)> = match key {
        "PASSWORD" | "Password" => Some(("COGNITO_PASSWORD", "the user's password")),
        "NEW_PASSWORD" | "ProposedPassword" => Some(("COGNITO_NEW_PASSWORD", "the new password")),
        "PreviousPassword" => Some(("COGNITO_PASSWORD", "the user's current password")),
        "TemporaryPassword" => Some(("COGNITO_TEMPORARY_PASSWORD", "the temporary password")),
        "SECRET_HASH" | "SecretHash" => Some((
            "COGNITO_SECRET_HASH",
            "Base64(HMAC-SHA256(client secret, username + client id))",
        )),
        "ClientSecret" => Some(("COGNITO_CLIENT_SECRET", "the app client's secret")),
        "Session" => Some((
            "COGNITO_SESSION",
            "the Session of the answer before this one (one use, minutes only)",
        )),
        "AccessToken" => Some(("COGNITO_ACCESS_TOKEN", "the access token")),
        "IdToken" => Some(("COGNITO_ID_TOKEN", "the ID token")),
        "RefreshToken" | "REFRESH_TOKEN" | "Token" => {
            Some(("COGNITO_REFRESH_TOKEN", "the refresh token"))
        }
        "ConfirmationCode"
        | "Code"
        | "UserCode"
        | "SMS_MFA_CODE"
        | "SOFTWARE_TOKEN_MFA_CODE"
        | "EMAIL_OTP_CODE"
        | "SMS_OTP_CODE" => Some((
            "COGNITO_CODE",
            "the code that was sent (or the authenticator's current code)",
        )),
        "ANSWER" => Some(("COGNITO_ANSWER", "the answer to the custom challenge")),
        _ => None,
    };
    match known {
        Some((var, meaning)) => (var.to_string(), meaning.to_string()),
        None => {
            let name: String = xform_name(key, '_')
                .to_ascii_uppercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let meaning = if is_srp_value(key) {
                format!("{key}, computed for this sign-in")
            } else {
                format!("the {key} value (not shown here)")
            };
            (format!("COGNITO_{name}"), meaning)
        }
    }
}

/// botocore's `xform_name`: `InitiateAuth` → `initiate-auth`, `SetUserMFAPreference` →
/// `set-user-mfa-preference`, `SMSMfaSettings` → `sms-mfa-settings` (the AWS CLI's command
/// and option names). A name that already holds `sep` is kept as it is.
pub fn xform_name(name: &str, sep: char) -> String {
    if name.contains(sep) {
        return name.to_string();
    }
    let chars: Vec<char> = name.chars().collect();
    // A trailing plural of capitals (`ARNs`) becomes its own word first.
    let mut split_at = None;
    if chars.len() >= 3 && chars[chars.len() - 1] == 's' {
        let caps = chars[..chars.len() - 1]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        if caps >= 2 && caps < chars.len() - 1 {
            split_at = Some(chars.len() - 1 - caps);
        }
    }
    let mut word: Vec<char> = match split_at {
        Some(i) => {
            let mut w = chars[..i].to_vec();
            w.push(sep);
            w.extend(chars[i..].iter().map(|c| c.to_ascii_lowercase()));
            w
        }
        None => chars,
    };
    // `(.)([A-Z][a-z]+)` → `\1 sep \2`, scanning left to right without overlap.
    let mut s1 = Vec::with_capacity(word.len() + 4);
    let mut i = 0;
    while i < word.len() {
        let starts_word = i + 1 < word.len()
            && word[i + 1].is_ascii_uppercase()
            && word.get(i + 2).is_some_and(|c| c.is_ascii_lowercase());
        if starts_word {
            s1.push(word[i]);
            s1.push(sep);
            let mut j = i + 1;
            s1.push(word[j]);
            j += 1;
            while j < word.len() && word[j].is_ascii_lowercase() {
                s1.push(word[j]);
                j += 1;
            }
            i = j;
        } else {
            s1.push(word[i]);
            i += 1;
        }
    }
    word = s1;
    // `([a-z0-9])([A-Z])` → `\1 sep \2`.
    let mut out = String::with_capacity(word.len() + 4);
    for (i, c) in word.iter().enumerate() {
        out.push(c.to_ascii_lowercase());
        if (c.is_ascii_lowercase() || c.is_ascii_digit())
            && word.get(i + 1).is_some_and(|n| n.is_ascii_uppercase())
        {
            out.push(sep);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec<'a>(op: &'a str, request: &'a Value, endpoint: &'a str) -> CallSpec<'a> {
        CallSpec {
            operation: op,
            request,
            endpoint,
            region: "us-east-1",
        }
    }

    #[test]
    fn names_are_the_aws_clis() {
        for (name, want) in [
            ("InitiateAuth", "initiate-auth"),
            ("RespondToAuthChallenge", "respond-to-auth-challenge"),
            ("SetUserMFAPreference", "set-user-mfa-preference"),
            ("SMSMfaSettings", "sms-mfa-settings"),
            ("SoftwareTokenMfaSettings", "software-token-mfa-settings"),
            ("ClientId", "client-id"),
            ("AuthParameters", "auth-parameters"),
            ("GetTokensFromRefreshToken", "get-tokens-from-refresh-token"),
            ("AdminInitiateAuth", "admin-initiate-auth"),
            ("ListUsers", "list-users"),
            ("UserPoolId", "user-pool-id"),
            ("ProviderARNs", "provider-arns"),
            ("UserAttributes", "user-attributes"),
        ] {
            assert_eq!(xform_name(name, '-'), want, "{name}");
        }
        assert_eq!(xform_name("SECRET_HASH", '_'), "SECRET_HASH");
    }

    #[test]
    fn shell_quoting_is_single_quotes_with_escaped_quotes() {
        assert_eq!(shell_quote("USER_PASSWORD_AUTH"), "USER_PASSWORD_AUTH");
        assert_eq!(
            shell_quote("http://127.0.0.1:9229"),
            "http://127.0.0.1:9229"
        );
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$HOME`x`"), "'$HOME`x`'");
        assert_eq!(shell_quote("a\nb"), "'a\nb'");
    }

    #[test]
    fn initiate_auth_as_aws_cli_with_the_password_from_the_environment() {
        let req = json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"PASSWORD": "***", "USERNAME": "o'brien"},
            "ClientId": "abc123",
        });
        let r = aws_cli(&spec("InitiateAuth", &req, "http://127.0.0.1:9229/"));
        assert_eq!(
            r.command,
            "aws cognito-idp initiate-auth \\\n  \
             --auth-flow USER_PASSWORD_AUTH \\\n  \
             --auth-parameters '{\"PASSWORD\":\"'\"$COGNITO_PASSWORD\"'\",\"USERNAME\":\"o'\\''brien\"}' \\\n  \
             --client-id abc123 \\\n  \
             --endpoint-url http://127.0.0.1:9229/ \\\n  \
             --region us-east-1 \\\n  \
             --no-sign-request"
        );
        assert_eq!(r.placeholders.len(), 1);
        assert_eq!(r.placeholders[0].var, "COGNITO_PASSWORD");
        assert!(r.text().starts_with("# export COGNITO_PASSWORD=…"));
        assert!(!r.command.contains("***"));
    }

    #[test]
    fn aws_endpoint_needs_no_endpoint_url_and_signed_calls_say_so() {
        let req = json!({"UserPoolId": "us-east-1_x", "Limit": 10});
        let aws = Target::aws_endpoint("us-east-1");
        let r = aws_cli(&spec("ListUsers", &req, &aws));
        assert!(!r.command.contains("--endpoint-url"), "{}", r.command);
        assert!(!r.command.contains("--no-sign-request"));
        assert!(r.command.contains("--limit 10"));
        assert!(r.notes.iter().any(|n| n.contains("SigV4")), "{:?}", r.notes);
        let c = curl(&spec("ListUsers", &req, &aws));
        assert!(
            c.command
                .contains("--aws-sigv4 aws:amz:us-east-1:cognito-idp"),
            "{}",
            c.command
        );
        assert!(c.command.contains("$AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn tokens_sessions_codes_and_srp_values_become_variables() {
        let req = json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ClientId": "c",
            "Session": "AYABeEx1…(900 chars)",
            "ChallengeResponses": {
                "USERNAME": "alice",
                "PASSWORD_CLAIM_SIGNATURE": "abcdefghij…(44 chars)",
                "PASSWORD_CLAIM_SECRET_BLOCK": "Zm9vYmFyYm…(1000 chars)",
                "TIMESTAMP": "Mon Dec 7 18:00:00 UTC 2026",
                "SOFTWARE_TOKEN_MFA_CODE": "123456",
            },
        });
        let r = aws_cli(&spec("RespondToAuthChallenge", &req, "http://h:1"));
        assert!(
            r.command.contains("--session \"$COGNITO_SESSION\""),
            "{}",
            r.command
        );
        assert!(
            r.command
                .contains("\"'\"$COGNITO_PASSWORD_CLAIM_SIGNATURE\"'\"")
        );
        assert!(r.command.contains("\"'\"$COGNITO_CODE\"'\""));
        assert!(!r.command.contains("123456"), "a code is never copied");
        assert!(!r.command.contains("chars)"));
        // The timestamp's spaces stay inside the single-quoted JSON.
        assert!(
            r.command
                .contains("\"TIMESTAMP\":\"Mon Dec 7 18:00:00 UTC 2026\"")
        );
        assert!(r.notes.iter().any(|n| n.contains("SRP values")));
        let vars: Vec<&str> = r.placeholders.iter().map(|p| p.var.as_str()).collect();
        assert_eq!(
            vars,
            [
                "COGNITO_PASSWORD_CLAIM_SECRET_BLOCK",
                "COGNITO_PASSWORD_CLAIM_SIGNATURE",
                "COGNITO_CODE",
                "COGNITO_SESSION",
            ]
        );
    }

    #[test]
    fn curl_posts_the_body_with_the_target_header() {
        let req = json!({"AccessToken": "eyJraWQiOi…(812 chars)"});
        let r = curl(&spec("GetUser", &req, "http://127.0.0.1:1"));
        assert_eq!(
            r.command,
            "curl -sS http://127.0.0.1:1 \\\n  \
             -H 'Content-Type: application/x-amz-json-1.1' \\\n  \
             -H 'X-Amz-Target: AWSCognitoIdentityProviderService.GetUser' \\\n  \
             --data-raw '{\"AccessToken\":\"'\"$COGNITO_ACCESS_TOKEN\"'\"}'"
        );
        assert!(r.notes.iter().all(|n| !n.contains("SigV4")));
    }

    #[test]
    fn booleans_and_lists_follow_the_cli_conventions() {
        let req = json!({
            "ClientId": "c",
            "Username": "u",
            "UserAttributes": [{"Name": "email", "Value": "a@b.c"}],
            "ForceAliasCreation": false,
            "Whatever": null,
        });
        let r = aws_cli(&spec("AdminUpdateUserAttributes", &req, "http://h:1"));
        assert!(r.command.contains("--no-force-alias-creation"));
        assert!(
            r.command
                .contains("--user-attributes '[{\"Name\":\"email\",\"Value\":\"a@b.c\"}]'")
        );
        assert!(!r.command.contains("whatever"));
        assert!(r.placeholders.is_empty());
    }
}
