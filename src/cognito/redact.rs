//! Redaction of request and response bodies before they reach a `WireExchange`.
//!
//! Secrets (passwords, SECRET_HASH, client secrets) are replaced by `***`; tokens, Sessions and
//! SRP proofs are abbreviated to their first 10 characters and their length, which is enough to
//! tell two of them apart without being able to replay either.

use serde_json::Value;

/// The replacement for a hidden value.
pub const HIDDEN: &str = "***";

/// Keys whose value is never shown at all (matched case-insensitively).
const HIDE: &[&str] = &[
    "PASSWORD",
    "NEW_PASSWORD",
    "Password",
    "PreviousPassword",
    "ProposedPassword",
    "TemporaryPassword",
    "SECRET_HASH",
    "SecretHash",
    "ClientSecret",
    "DEVICE_PASSWORD",
];

/// Keys whose value is abbreviated (matched case-insensitively).
const ABBREVIATE: &[&str] = &[
    "AccessToken",
    "IdToken",
    "RefreshToken",
    "Session",
    "Token",
    "REFRESH_TOKEN",
    "PASSWORD_CLAIM_SIGNATURE",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "SECRET_BLOCK",
    // The TOTP shared secret: the setup step shows it on purpose, the inspector need not.
    "SecretCode",
    // A device's SRP verifier (ConfirmDevice).
    "PasswordVerifier",
];

/// Abbreviates a token-like value: its first 10 characters and its length, e.g.
/// `eyJraWQiOi…(812 chars)`. Short values keep at most half of their characters.
pub fn abbreviate(s: &str) -> String {
    abbreviate_to(s, 10)
}

/// Like [`abbreviate`] with a chosen prefix length.
pub fn abbreviate_to(s: &str, keep: usize) -> String {
    let n = s.chars().count();
    let keep = keep.min(n / 2);
    let head: String = s.chars().take(keep).collect();
    format!("{head}…({n} chars)")
}

fn matches(list: &[&str], key: &str) -> bool {
    list.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Returns a copy of `v` with every secret hidden and every token abbreviated, at any depth.
pub fn redact(v: &Value) -> Value {
    let mut out = v.clone();
    redact_in_place(&mut out);
    out
}

/// Redacts `v` in place.
pub fn redact_in_place(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if matches(HIDE, k) {
                    *val = Value::String(HIDDEN.to_string());
                } else if matches(ABBREVIATE, k) {
                    match val {
                        Value::String(s) => *val = Value::String(abbreviate(s)),
                        Value::Null => {}
                        other => redact_in_place(other),
                    }
                } else {
                    redact_in_place(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_in_place),
        _ => {}
    }
}

/// Makes a serde error message safe to show: serde quotes offending values (`invalid type:
/// string "…"`, ``invalid type: integer `…` ``), which could be a password given with the wrong
/// type. Quoted parts become `<value>`, except in missing/unknown-field messages, which only
/// quote field names.
pub fn scrub_serde_message(msg: &str) -> String {
    if msg.starts_with("missing field") || msg.starts_with("unknown field") {
        return msg.to_string();
    }
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in msg.chars() {
        match quote {
            None if c == '"' || c == '`' => {
                out.push_str("<value>");
                quote = Some(c);
            }
            None => out.push(c),
            Some(q) if c == q => quote = None,
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_messages_lose_their_values_but_keep_field_names() {
        assert_eq!(
            scrub_serde_message("invalid type: integer `12345678`, expected a string at line 1"),
            "invalid type: integer <value>, expected a string at line 1"
        );
        assert_eq!(
            scrub_serde_message("invalid type: string \"hunter2\", expected a boolean"),
            "invalid type: string <value>, expected a boolean"
        );
        assert_eq!(
            scrub_serde_message("missing field `UserSub`"),
            "missing field `UserSub`"
        );
    }

    const PW: &str = "Correct-Horse-9";
    const TOKEN: &str = "eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl";

    #[test]
    fn hides_every_password_and_secret_field() {
        let body = json!({
            "ClientId": "abc",
            "Username": "alice",
            "Password": PW,
            "SecretHash": "hash-value-123",
            "ClientSecret": "client-secret-xyz",
            "PreviousPassword": PW,
            "ProposedPassword": "New-Pass-1",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PW, "SECRET_HASH": "h4sh"},
            "ChallengeResponses": {"NEW_PASSWORD": "New-Pass-1", "USERNAME": "alice"},
        });
        let r = redact(&body);
        let text = r.to_string();
        for secret in [
            PW,
            "hash-value-123",
            "client-secret-xyz",
            "New-Pass-1",
            "h4sh",
        ] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        assert_eq!(r["Password"], "***");
        assert_eq!(r["AuthParameters"]["PASSWORD"], "***");
        assert_eq!(r["AuthParameters"]["SECRET_HASH"], "***");
        assert_eq!(r["ChallengeResponses"]["NEW_PASSWORD"], "***");
        // Public values stay readable.
        assert_eq!(r["AuthParameters"]["USERNAME"], "alice");
        assert_eq!(r["ClientId"], "abc");
    }

    #[test]
    fn abbreviates_tokens_sessions_and_srp_proofs_at_any_depth() {
        let body = json!({
            "Session": "AYABeDlong-session-value-0123456789",
            "AuthenticationResult": {
                "AccessToken": TOKEN, "IdToken": TOKEN, "RefreshToken": TOKEN,
                "ExpiresIn": 3600, "TokenType": "Bearer"
            },
            "ChallengeResponses": {
                "PASSWORD_CLAIM_SIGNATURE": "QwHbbUqF6DSSepJh2QqTWDCb1XjmqaxnnW5kDn5dz7E=",
                "PASSWORD_CLAIM_SECRET_BLOCK": "iZY+s7lYj4/5me1dgBZ9QR0vYOoatfBhec3Rc3kq",
                "TIMESTAMP": "Mon Jan 6 09:05:03 UTC 2025"
            },
            "ChallengeParameters": {"SECRET_BLOCK": "iZY+s7lYj4/5me1dgBZ9QR0vYOoatfBhec3Rc3kq"},
            "list": [{"Token": TOKEN}],
            "AuthParameters": {"REFRESH_TOKEN": TOKEN},
        });
        let r = redact(&body);
        let text = r.to_string();
        assert!(!text.contains(TOKEN));
        assert!(!text.contains("QwHbbUqF6DSSepJh2QqTWDCb1Xjmqaxnn"));
        assert!(!text.contains("iZY+s7lYj4/5me1dgBZ9QR0v"));
        assert_eq!(
            r["AuthenticationResult"]["AccessToken"],
            format!("eyJraWQiOi…({} chars)", TOKEN.len())
        );
        assert_eq!(r["Session"], "AYABeDlong…(35 chars)");
        assert_eq!(r["list"][0]["Token"], r["AuthenticationResult"]["IdToken"]);
        assert_eq!(r["AuthParameters"]["REFRESH_TOKEN"], r["list"][0]["Token"]);
        assert_eq!(r["AuthenticationResult"]["ExpiresIn"], 3600);
        assert_eq!(
            r["ChallengeResponses"]["TIMESTAMP"],
            "Mon Jan 6 09:05:03 UTC 2025"
        );
    }

    #[test]
    fn totp_secrets_and_device_verifiers_are_abbreviated() {
        let r = redact(&json!({"SecretCode": "JBSWY3DPEHPK3PXPJBSWY3DP",
            "DeviceSecretVerifierConfig": {"PasswordVerifier": "dmVyaWZpZXItYnl0ZXMtMDEyMzQ1", "Salt": "c2FsdA=="}}));
        assert_eq!(r["SecretCode"], "JBSWY3DPEH…(24 chars)");
        assert_eq!(
            r["DeviceSecretVerifierConfig"]["PasswordVerifier"],
            "dmVyaWZpZX…(28 chars)"
        );
        assert_eq!(r["DeviceSecretVerifierConfig"]["Salt"], "c2FsdA==");
    }

    #[test]
    fn keys_match_case_insensitively_and_non_strings_are_hidden_too() {
        let r = redact(&json!({"password": 12345678, "session": "abcdefghijklmnopqrstuvwxyz"}));
        assert_eq!(r["password"], "***");
        assert_eq!(r["session"], "abcdefghij…(26 chars)");
    }

    #[test]
    fn short_values_never_show_more_than_half() {
        assert_eq!(abbreviate("abcd"), "ab…(4 chars)");
        assert_eq!(abbreviate(""), "…(0 chars)");
        assert_eq!(abbreviate("ééééééééééééééééééééé"), "éééééééééé…(21 chars)");
    }
}
