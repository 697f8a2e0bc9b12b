//! The transcript: one typed record of a session, built from the auth actor's event stream,
//! that `markdown.rs` narrates and `file.rs` writes as Markdown and JSON.
//!
//! Every event is kept as the actor sent it (so events added later, such as an SRP derivation
//! or a token check, are included without a change here), after the inspector's redaction and
//! more: a transcript leaves the machine, so the one-time codes the inspector shows in a
//! request, and the TOTP secret a setup step carries, are hidden too. Passwords, SECRET_HASH
//! and client secrets never reach an event; tokens and Sessions are abbreviated.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::events::{AccountUpdate, AuthErrorView, AuthEvent};
use crate::auth::explain;
use crate::auth::steps::{NextStep, SignInStep};
use crate::cognito::redact::{self, HIDDEN};
use crate::config::Target;
use crate::srp;

/// The JSON's `format` field: a reader checks it before trusting the shape.
pub const FORMAT: &str = "cognito-tui-transcript/1";

/// Most entries kept; older ones are dropped (and counted) past it.
pub const MAX_ENTRIES: usize = 5000;

/// Keys whose values a transcript never holds, whatever the inspector shows: the codes a
/// request answers with and the TOTP secret of a setup.
const EXPORT_HIDDEN: &[&str] = &[
    // A custom challenge's expected answer and the user's answer, in trigger events.
    "privateChallengeParameters",
    "challengeAnswer",
    "SecretCode",
    "sharedSecret",
    "setupUri",
    "SECRET_HASH",
    "SecretHash",
    "ClientSecret",
];

/// Where the session ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptTarget {
    /// `embedded`, `AWS` or `custom`.
    pub kind: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub region: String,
    pub endpoint: String,
    /// Whether the app client has a secret (its value is never written).
    pub client_secret: bool,
}

impl TranscriptTarget {
    pub fn from_target(t: &Target) -> Self {
        let kind = if t.local {
            "embedded"
        } else if t.endpoint.trim_end_matches('/')
            == Target::aws_endpoint(&t.region).trim_end_matches('/')
        {
            "AWS"
        } else {
            "custom"
        };
        Self {
            kind: kind.into(),
            user_pool_id: t.user_pool_id.clone(),
            client_id: t.client_id.clone(),
            region: t.region.clone(),
            endpoint: t.endpoint.clone(),
            client_secret: t.client_secret.is_some(),
        }
    }
}

/// The program that wrote the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Self {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// One event of the session, when it arrived, and (for an error) what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unix milliseconds when the front end received it.
    pub received_at_ms: i64,
    #[serde(flatten)]
    pub event: AuthEvent,
    /// For an error: the status pane's explanation of it (a transition carries its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_explanation: Option<String>,
}

/// A session's transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub format: String,
    pub tool: Tool,
    pub target: TranscriptTarget,
    /// Unix milliseconds of the first event (or of the start, when none came yet).
    pub started_at_ms: i64,
    /// Unix milliseconds when it was written.
    #[serde(default)]
    pub exported_at_ms: i64,
    /// Entries dropped from the start past [`MAX_ENTRIES`].
    #[serde(default)]
    pub dropped: usize,
    pub entries: Vec<Entry>,
}

impl Transcript {
    pub fn new(target: TranscriptTarget, now_ms: i64) -> Self {
        Self {
            format: FORMAT.into(),
            tool: Tool::default(),
            target,
            started_at_ms: now_ms,
            exported_at_ms: 0,
            dropped: 0,
            entries: Vec::new(),
        }
    }

    /// Records one event as it arrived, redacted for export.
    pub fn record(&mut self, at_ms: i64, ev: &AuthEvent) {
        let first = self.entries.is_empty() && self.dropped == 0;
        if self.started_at_ms <= 0 || (first && at_ms < self.started_at_ms) {
            self.started_at_ms = at_ms;
        }
        let explanation = match ev {
            AuthEvent::Error(e) => error_explanation(e),
            _ => None,
        };
        self.entries.push(Entry {
            received_at_ms: at_ms,
            event: redact_event(ev.clone()),
            error_explanation: explanation,
        });
        if self.entries.len() > MAX_ENTRIES {
            let extra = self.entries.len() - MAX_ENTRIES;
            self.entries.drain(..extra);
            self.dropped += extra;
        }
    }

    /// A copy stamped with the time it is written.
    pub fn exported(&self, now_ms: i64) -> Transcript {
        let mut t = self.clone();
        t.exported_at_ms = now_ms;
        t
    }

    /// The JSON form, with the export redaction applied to the whole document once more
    /// (so an event added later cannot carry a secret under a known key past it).
    pub fn to_json(&self) -> Value {
        let v = serde_json::to_value(self).unwrap_or(Value::Null);
        hide_keys(&v, EXPORT_HIDDEN)
    }
}

fn error_explanation(e: &AuthErrorView) -> Option<String> {
    explain::error_explanation(e).map(str::to_string)
}

/// The event as a transcript keeps it.
fn redact_event(ev: AuthEvent) -> AuthEvent {
    match ev {
        AuthEvent::Exchange(mut x) => {
            x.request = redact_body(&x.request);
            x.response = redact_body(&x.response);
            AuthEvent::Exchange(x)
        }
        AuthEvent::Held {
            api,
            operation,
            request,
        } => AuthEvent::Held {
            api,
            operation,
            request: redact_body(&request),
        },
        AuthEvent::Transition(mut t) => {
            if let NextStep::SignIn(SignInStep::ContinueSignInWithTotpSetup {
                totp_setup_details,
            }) = &mut t.next_step
            {
                totp_setup_details.shared_secret = HIDDEN.into();
                totp_setup_details.setup_uri = HIDDEN.into();
            }
            t.challenge_parameters = hide_params(&t.challenge_parameters);
            AuthEvent::Transition(t)
        }
        // setUpTOTP outside sign-in: the key is for the authenticator app, not a transcript.
        AuthEvent::Account(AccountUpdate::TotpSetup { mut details }) => {
            details.shared_secret = HIDDEN.into();
            details.setup_uri = HIDDEN.into();
            AuthEvent::Account(AccountUpdate::TotpSetup { details })
        }
        // A trigger's event can carry a password (UserMigration) or a code (CustomMessage,
        // CreateAuthChallenge): the same redaction as a call's bodies.
        AuthEvent::Trigger(mut run) => {
            run.event_in = redact_body(&run.event_in);
            run.response_out = redact_body(&run.response_out);
            AuthEvent::Trigger(run)
        }
        // S and K are the sign-in's shared secret and session key: a transcript keeps them as
        // fingerprints (the panel shows them whole, for the person at the keyboard), so two
        // sides can still be compared without the values leaving the machine.
        AuthEvent::Srp(mut d) => {
            d.s = srp::fingerprint(d.s.as_bytes());
            d.key = srp::fingerprint(d.key.as_bytes());
            d.secret_block = redact::abbreviate(&d.secret_block);
            d.signature = redact::abbreviate(&d.signature);
            AuthEvent::Srp(d)
        }
        AuthEvent::SrpServer(mut side) => {
            side.s = srp::fingerprint(side.s.as_bytes());
            side.key = srp::fingerprint(side.key.as_bytes());
            AuthEvent::SrpServer(side)
        }
        other => other,
    }
}

/// A request or response body: the inspector's redaction, then every code and secret hidden.
pub fn redact_body(v: &Value) -> Value {
    let v = hide_keys(&redact::redact(v), redact::CODES);
    hide_keys(&v, EXPORT_HIDDEN)
}

fn hide_params(p: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    p.iter()
        .map(|(k, v)| {
            let hidden = EXPORT_HIDDEN
                .iter()
                .chain(redact::CODES)
                .any(|h| h.eq_ignore_ascii_case(k));
            (k.clone(), if hidden { HIDDEN.into() } else { v.clone() })
        })
        .collect()
}

/// `v` with the values of `keys` (any depth, matched case-insensitively) replaced by `***`.
fn hide_keys(v: &Value, keys: &[&str]) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, val)| {
                    let shown = if keys.iter().any(|h| h.eq_ignore_ascii_case(k)) && !val.is_null()
                    {
                        Value::String(HIDDEN.into())
                    } else {
                        hide_keys(val, keys)
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| hide_keys(i, keys)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::steps::TotpSetupDetails;
    use crate::cognito::exchange::WireExchange;
    use serde_json::json;

    fn target() -> TranscriptTarget {
        TranscriptTarget {
            kind: "embedded".into(),
            user_pool_id: "us-east-1_x".into(),
            client_id: "c".into(),
            region: "us-east-1".into(),
            endpoint: "http://127.0.0.1:1/".into(),
            client_secret: false,
        }
    }

    #[test]
    fn an_account_totp_key_and_a_trigger_events_secrets_are_hidden() {
        use crate::auth::steps::TotpSetupDetails;
        use crate::cognito::types::TriggerInvocation;
        let mut t = Transcript::new(target(), 1);
        t.record(
            2,
            &AuthEvent::Account(AccountUpdate::TotpSetup {
                details: TotpSetupDetails {
                    shared_secret: "MNXWO3TJORXS25DVNEQHI33UOAQDAMBR".into(),
                    setup_uri: "otpauth://totp/x:alice?secret=MNXWO3TJORXS25DVNEQHI33UOAQDAMBR"
                        .into(),
                },
            }),
        );
        t.record(
            3,
            &AuthEvent::Trigger(TriggerInvocation {
                seq: 1,
                at_ms: 3,
                pool_id: "us-east-1_x".into(),
                trigger: "UserMigration".into(),
                trigger_source: "UserMigration_Authentication".into(),
                runner: "python".into(),
                user_name: "alice".into(),
                duration_ms: 5,
                outcome: "ok".into(),
                error: None,
                event_in: json!({"request": {"password": "Hunter2Hunter2!"}}),
                response_out: json!({"userAttributes": {"email": "a@example.com"}}),
            }),
        );
        let text = serde_json::to_string(&t.to_json()).unwrap();
        assert!(!text.contains("MNXWO3TJORXS25DVNEQHI33UOAQDAMBR"), "{text}");
        assert!(!text.contains("Hunter2Hunter2!"), "{text}");
        assert!(text.contains("a@example.com"), "{text}");
        let md = crate::transcript::markdown::render(&t);
        assert!(!md.contains("MNXWO3TJORXS25DVNEQHI33UOAQDAMBR"));
        assert!(!md.contains("Hunter2Hunter2!"));
    }

    #[test]
    fn codes_and_the_totp_secret_are_hidden_but_the_shape_stays() {
        let mut t = Transcript::new(target(), 1);
        t.record(
            2,
            &AuthEvent::Exchange(WireExchange {
                id: 1,
                operation: "RespondToAuthChallenge".into(),
                endpoint: "http://127.0.0.1:1/".into(),
                started_at_ms: 2,
                latency_ms: 3,
                status: Some(200),
                request_id: None,
                request: json!({"ChallengeResponses": {"SOFTWARE_TOKEN_MFA_CODE": "123456",
                    "USERNAME": "alice"}, "Session": "AYABeC7rAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
                response: json!({"SecretCode": "MNXWO3TJORXS25DVNEQHI33UOAQDAMBR"}),
                error: None,
                notes: vec![],
                trigger_source: None,
                origin: Default::default(),
            }),
        );
        t.record(
            3,
            &AuthEvent::Transition(crate::auth::events::Transition {
                at_ms: 3,
                api: "confirmSignIn".into(),
                from: None,
                next_step: NextStep::SignIn(SignInStep::ContinueSignInWithTotpSetup {
                    totp_setup_details: TotpSetupDetails {
                        shared_secret: "MNXWO3TJORXS25DVNEQHI33UOAQDAMBR".into(),
                        setup_uri: "otpauth://totp/x?secret=MNXWO3TJORXS25DVNEQHI33UOAQDAMBR"
                            .into(),
                    },
                }),
                operations: vec!["AssociateSoftwareToken".into()],
                latency_ms: 4,
                challenge_name: None,
                challenge_parameters: Default::default(),
                session_id: None,
                session_age_ms: None,
                explanation: "scan it".into(),
            }),
        );
        let text = t.to_json().to_string();
        assert!(!text.contains("123456"), "{text}");
        assert!(!text.contains("MNXWO3TJ"), "{text}");
        assert!(
            !text.contains("AYABeC7rAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            "{text}"
        );
        assert!(text.contains("\"USERNAME\":\"alice\""), "{text}");
        assert!(text.contains("CONTINUE_SIGN_IN_WITH_TOTP_SETUP"), "{text}");
        let back: Transcript = serde_json::from_value(t.to_json()).unwrap();
        assert_eq!(back.entries.len(), 2);
    }

    #[test]
    fn a_custom_challenge_answer_in_a_trigger_run_is_hidden() {
        let mut t = Transcript::new(target(), 1);
        t.record(
            2,
            &AuthEvent::Trigger(crate::cognito::types::TriggerInvocation {
                seq: 1,
                at_ms: 2,
                pool_id: "us-east-1_x".into(),
                trigger: "VerifyAuthChallengeResponse".into(),
                trigger_source: "VerifyAuthChallengeResponse_Authentication".into(),
                runner: "node".into(),
                user_name: "alice".into(),
                duration_ms: 5,
                outcome: "ok".into(),
                error: None,
                event_in: json!({"request": {"privateChallengeParameters": {"answer": "424242"},
                    "challengeAnswer": "424242"}}),
                response_out: json!({"answerCorrect": true}),
            }),
        );
        let md = crate::transcript::render_markdown(&t);
        let json = t.to_json().to_string();
        for text in [&md, &json] {
            assert!(!text.contains("424242"), "{text}");
            assert!(text.contains("VerifyAuthChallengeResponse"), "{text}");
            assert!(text.contains("answerCorrect"), "{text}");
        }
    }

    #[test]
    fn errors_keep_their_explanation_and_old_entries_are_counted_when_dropped() {
        let mut t = Transcript::new(target(), 1);
        for i in 0..(MAX_ENTRIES + 3) {
            t.record(
                i as i64,
                &AuthEvent::Error(AuthErrorView {
                    api: "signIn".into(),
                    operation: Some("InitiateAuth".into()),
                    code: "TooManyRequestsException".into(),
                    message: "Rate exceeded".into(),
                    request_id: None,
                }),
            );
        }
        assert_eq!(t.entries.len(), MAX_ENTRIES);
        assert_eq!(t.dropped, 3);
        assert!(
            t.entries[0]
                .error_explanation
                .as_deref()
                .unwrap()
                .starts_with("rate limit")
        );
    }
}
