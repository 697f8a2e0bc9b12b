//! Redaction of request and response bodies before they reach a `WireExchange`.
//!
//! Secrets (passwords, SECRET_HASH, client secrets) are replaced by `***`; tokens, Sessions and
//! SRP proofs are abbreviated to their first 10 characters and their length, which is enough to
//! tell two of them apart without being able to replay either. SRP's public values (`SRP_A`,
//! `SRP_B`) are abbreviated too: 768 hex digits help no one reading an exchange.
//!
//! Whatever its key, a value too large to read is abbreviated (strings over
//! [`MAX_SHOWN_CHARS`], arrays and objects over [`MAX_SHOWN_ITEMS`] members), with its full
//! length shown, so a hostile answer cannot fill the screen, the events or the memory.
//!
//! [`Scrubber`] covers what key names cannot: the exact secrets the client sent (passwords,
//! codes, the client secret, tokens) are replaced by [`HIDDEN`] wherever they appear in text a
//! server sends back (an error message that echoes the request, an HTML page).

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
    // SRP's public values: long, and of no use to a reader in full.
    "SRP_A",
    "SRP_B",
];

/// Keys whose (string) values the client sends as one-time codes or answers: never secret
/// enough to hide in the request (they are short-lived), but scrubbed from any text a server
/// echoes back.
pub const CODES: &[&str] = &[
    "ConfirmationCode",
    "Code",
    "UserCode",
    "ANSWER",
    "SMS_MFA_CODE",
    "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP_CODE",
    "SMS_OTP_CODE",
];

/// Strings longer than this many characters are shown abbreviated, whatever their key.
pub const MAX_SHOWN_CHARS: usize = 2048;

/// Arrays and objects with more members than this show only the first ones, and a count of
/// the rest.
pub const MAX_SHOWN_ITEMS: usize = 200;

/// Abbreviates a token-like value: its first 10 characters and its length, e.g.
/// `eyJraWQiOi…(812 chars)`. Short values keep at most half of their characters.
pub fn abbreviate(s: &str) -> String {
    abbreviate_to(s, 10)
}

/// Like [`abbreviate`] with a chosen prefix length.
pub fn abbreviate_to(s: &str, keep: usize) -> String {
    if is_abbreviated(s) {
        return s.to_string();
    }
    let n = s.chars().count();
    let keep = keep.min(n / 2);
    let head: String = s.chars().take(keep).collect();
    format!("{head}…({n} chars)")
}

/// True for a value this module already abbreviated (`head…(812 chars)`): redacting twice
/// changes nothing.
pub fn is_abbreviated(s: &str) -> bool {
    s.len() < 200
        && s.ends_with(" chars)")
        && s.rsplit_once("…(").is_some_and(|(_, n)| {
            n.trim_end_matches(" chars)")
                .chars()
                .all(|c| c.is_ascii_digit())
        })
}

/// True for a key whose value is hidden, abbreviated or a one-time code: what a copy of the
/// request must not carry as it was shown.
pub fn is_sensitive_key(key: &str) -> bool {
    matches(HIDE, key) || matches(ABBREVIATE, key) || matches(CODES, key)
}

fn matches(list: &[&str], key: &str) -> bool {
    list.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Returns a copy of `v` with every secret hidden, every token abbreviated and every large
/// value cut down, at any depth. Only what is shown is copied: the cost follows the size of
/// the result, not of `v`.
pub fn redact(v: &Value) -> Value {
    redact_with(v, &Scrubber::default())
}

/// [`redact`], with the secrets of `scrub` replaced in every string and key before anything
/// is cut (so a cut cannot leave half a password).
pub fn redact_with(v: &Value, scrub: &Scrubber) -> Value {
    let redact = |v: &Value| redact_with(v, scrub);
    match v {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, val) in map.iter().take(MAX_SHOWN_ITEMS) {
                let shown = if matches(HIDE, k) {
                    Value::String(HIDDEN.to_string())
                } else if matches(ABBREVIATE, k) {
                    match val {
                        Value::String(s) => Value::String(abbreviate(s)),
                        other => redact(other),
                    }
                } else {
                    redact(val)
                };
                out.insert(scrub.text(k), shown);
            }
            if map.len() > MAX_SHOWN_ITEMS {
                out.insert(
                    "…".into(),
                    Value::String(format!(
                        "{} more members not shown ({} in all)",
                        map.len() - MAX_SHOWN_ITEMS,
                        map.len()
                    )),
                );
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out: Vec<Value> = items.iter().take(MAX_SHOWN_ITEMS).map(redact).collect();
            if items.len() > MAX_SHOWN_ITEMS {
                out.push(Value::String(format!(
                    "… {} more items not shown ({} in all)",
                    items.len() - MAX_SHOWN_ITEMS,
                    items.len()
                )));
            }
            Value::Array(out)
        }
        Value::String(s) => Value::String(shorten(&scrub.text(s))),
        other => other.clone(),
    }
}

/// Challenge parameters as events and screens may show them: the rules of [`redact`] (so they
/// read as the exchange shows them: SRP_B and SECRET_BLOCK abbreviated, large values cut).
pub fn redact_params(
    params: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    let v = Value::Object(
        params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    );
    match redact(&v) {
        Value::Object(m) => m
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect(),
        _ => Default::default(),
    }
}

/// A body the user edited from its redacted form, with every value still shown redacted at
/// the place it was shown put back from `original`: the edited request goes out with the real
/// secrets, which never left the caller. A redacted value anywhere else (moved, or copied
/// from another request) cannot be put back: the error names where it is.
pub fn unredact(edited: &Value, original: &Value) -> Result<Value, String> {
    let shown = redact(original);
    let mut out = edited.clone();
    restore(&mut out, Some(&shown), Some(original), &mut String::new())?;
    Ok(out)
}

fn restore(
    v: &mut Value,
    shown: Option<&Value>,
    original: Option<&Value>,
    path: &mut String,
) -> Result<(), String> {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                restore(
                    val,
                    shown.and_then(|s| s.get(k)),
                    original.and_then(|o| o.get(k)),
                    path,
                )?;
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                restore(
                    item,
                    shown.and_then(|s| s.get(i)),
                    original.and_then(|o| o.get(i)),
                    path,
                )?;
                path.truncate(len);
            }
        }
        Value::String(s) => {
            if let (Some(Value::String(sh)), Some(Value::String(o))) = (shown, original)
                && s == sh
                && sh != o
            {
                *s = o.clone();
            } else if s == HIDDEN || is_abbreviated(s) {
                let at = if path.is_empty() { "the body" } else { path };
                return Err(format!(
                    "{at} holds a redacted value ({s}) that was not there: a hidden value can \
                     only stay where it was shown (type a new value instead)"
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Redacts `v` in place.
pub fn redact_in_place(v: &mut Value) {
    *v = redact(v);
}

/// `s` itself when short enough to show, else its first 80 characters and its length.
pub fn shorten(s: &str) -> String {
    if s.len() <= MAX_SHOWN_CHARS || s.chars().count() <= MAX_SHOWN_CHARS {
        s.to_string()
    } else {
        abbreviate_to(s, 80)
    }
}

/// The exact secrets one request carried, to scrub from anything the answer brings back.
#[derive(Default, Clone)]
pub struct Scrubber {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scrubber({} secrets)", self.secrets.len())
    }
}

/// Secrets shorter than this are not scrubbed from text: a 2-character "secret" would turn
/// every message into a row of marks.
const MIN_SCRUBBED_CHARS: usize = 4;

impl Scrubber {
    /// The secrets of a request body: every string under a hidden, abbreviated or code key.
    pub fn from_request(body: &Value) -> Self {
        let mut s = Self::default();
        s.collect(body, false);
        s.finish()
    }

    /// Adds one secret (the client secret, say).
    pub fn with(mut self, secret: &str) -> Self {
        self.push(secret);
        self.finish()
    }

    fn push(&mut self, secret: &str) {
        if secret.chars().count() < MIN_SCRUBBED_CHARS {
            return;
        }
        self.secrets.push(secret.to_string());
        // The same secret as it appears inside a JSON text (quotes, backslashes escaped).
        let escaped = serde_json::to_string(secret).unwrap_or_default();
        let escaped = escaped.trim_matches('"');
        if escaped != secret {
            self.secrets.push(escaped.to_string());
        }
    }

    fn finish(mut self) -> Self {
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        self.secrets.dedup();
        self
    }

    fn collect(&mut self, v: &Value, secret: bool) {
        match v {
            Value::String(s) if secret => self.push(s),
            Value::Object(map) => {
                for (k, val) in map {
                    let here =
                        secret || matches(HIDE, k) || matches(ABBREVIATE, k) || matches(CODES, k);
                    self.collect(val, here);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.collect(i, secret)),
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every occurrence of a secret replaced by [`HIDDEN`].
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), HIDDEN);
            }
        }
        out
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
    fn an_edited_body_gets_its_hidden_values_back_only_where_they_were_shown() {
        let session = "S".repeat(900);
        let original = json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "hunter2!"},
            "Session": session,
        });
        let mut edited = redact(&original);
        assert_eq!(edited["AuthParameters"]["PASSWORD"], "***");
        edited["AuthParameters"]["USERNAME"] = json!("bob");
        edited["ClientMetadata"] = json!({"k": "v"});
        let sent = unredact(&edited, &original).unwrap();
        assert_eq!(sent["AuthParameters"]["PASSWORD"], "hunter2!");
        assert_eq!(sent["AuthParameters"]["USERNAME"], "bob");
        assert_eq!(sent["Session"], json!(session));
        assert_eq!(sent["ClientMetadata"]["k"], "v");
        // A typed new value is sent as typed.
        edited["AuthParameters"]["PASSWORD"] = json!("other-Passw0rd");
        let sent = unredact(&edited, &original).unwrap();
        assert_eq!(sent["AuthParameters"]["PASSWORD"], "other-Passw0rd");
        // A hidden value moved elsewhere cannot be put back, and says where it is.
        let moved = json!({"AuthParameters": {"NEW": "***"}});
        let e = unredact(&moved, &original).unwrap_err();
        assert!(
            e.starts_with("AuthParameters.NEW holds a redacted value"),
            "{e}"
        );
        assert!(!e.contains("hunter2"));
    }

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
    fn srp_values_and_large_values_are_abbreviated_with_their_length() {
        let b = "ab".repeat(384);
        let r = redact(&json!({"ChallengeParameters": {"SRP_B": b, "SALT": "0011"},
            "AuthParameters": {"SRP_A": "cd".repeat(384)}}));
        assert_eq!(r["ChallengeParameters"]["SRP_B"], "ababababab…(768 chars)");
        assert_eq!(r["AuthParameters"]["SRP_A"], "cdcdcdcdcd…(768 chars)");
        assert_eq!(r["ChallengeParameters"]["SALT"], "0011");
        let big = "x".repeat(3_000_000);
        let r = redact(&json!({"message": big, "list": vec![1; 5000]}));
        assert_eq!(r["message"], format!("{}…(3000000 chars)", "x".repeat(80)));
        let list = r["list"].as_array().unwrap();
        assert_eq!(list.len(), MAX_SHOWN_ITEMS + 1);
        assert_eq!(
            list[MAX_SHOWN_ITEMS],
            "… 4800 more items not shown (5000 in all)"
        );
        // Values of an ordinary size are untouched.
        let small = json!({"Username": "alice", "n": [1, 2, 3]});
        assert_eq!(redact(&small), small);
    }

    #[test]
    fn the_scrubber_removes_the_secrets_a_request_carried_from_any_text() {
        let req = json!({
            "Username": "alice",
            "Password": "Pa\"ss-w0rd",
            "ConfirmationCode": "734912",
            "ChallengeResponses": {"ANSWER": "42", "NEW_PASSWORD": "New-Pass-1"},
            "AccessToken": "tok-0123456789",
        });
        let s = Scrubber::from_request(&req).with("client-secret-xyz");
        let echoed = format!(
            "bad request: {req} and Pa\"ss-w0rd, 734912, New-Pass-1, tok-0123456789, \
             client-secret-xyz"
        );
        let out = s.text(&echoed);
        for secret in [
            "Pa\"ss-w0rd",
            "Pa\\\"ss-w0rd",
            "734912",
            "New-Pass-1",
            "tok-0123456789",
            "client-secret-xyz",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        // The username is no secret, and a 2-character answer is too short to scrub.
        assert!(out.contains("alice"), "{out}");
        // In a value, before a long string is cut: no half secret at the cut.
        let long = format!("{}New-Pass-1{}", "x".repeat(75), "y".repeat(3000));
        let v = json!({"message": echoed, "list": ["x New-Pass-1 y"], "New-Pass-1": 1,
            "long": long});
        let v = redact_with(&v, &s);
        let text = v.to_string();
        assert!(!text.contains("New-Pass"), "{text}");
        assert_eq!(v["list"][0], "x *** y");
        assert!(!format!("{s:?}").contains("New-Pass-1"));
    }

    #[test]
    fn short_values_never_show_more_than_half() {
        assert_eq!(abbreviate("abcd"), "ab…(4 chars)");
        assert_eq!(abbreviate(""), "…(0 chars)");
        // Redacting twice changes nothing.
        let once = abbreviate(&"t".repeat(900));
        assert_eq!(abbreviate(&once), once);
        let v = json!({"Session": "AYADeP…(1404 chars)", "Blob": "z".repeat(5000)});
        assert_eq!(redact(&redact(&v)), redact(&v));
        assert_eq!(abbreviate("ééééééééééééééééééééé"), "éééééééééé…(21 chars)");
    }
}
