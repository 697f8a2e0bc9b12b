//! The pool's memory of its latest trigger runs, for the debugger: a bounded ring of
//! [`TriggerInvocation`]s with increasing sequence numbers, read by `GET /_local/triggers`
//! (same rules as the outbox: this machine only, never a browser page). Events and responses
//! are stored with their secrets hidden.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::Value;

use crate::cognito::redact::HIDDEN;
use crate::cognito::types::TriggerInvocation;

/// How many runs are kept.
pub const CAPACITY: usize = 256;

#[derive(Default)]
pub struct TriggerLog {
    inner: Mutex<Ring>,
}

#[derive(Default)]
struct Ring {
    next: u64,
    runs: VecDeque<TriggerInvocation>,
}

impl TriggerLog {
    /// Keeps `run` (its `seq` is set here, its event and response redacted) and returns its
    /// sequence number.
    pub fn push(&self, mut run: TriggerInvocation) -> u64 {
        redact_run(&mut run);
        let mut ring = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        ring.next += 1;
        run.seq = ring.next;
        if ring.runs.len() == CAPACITY {
            ring.runs.pop_front();
        }
        ring.runs.push_back(run);
        ring.next
    }

    /// The runs after `seq`, oldest first, of `pool_id` when given.
    pub fn after(&self, seq: u64, pool_id: Option<&str>) -> Vec<TriggerInvocation> {
        let ring = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        ring.runs
            .iter()
            .filter(|r| r.seq > seq && pool_id.is_none_or(|p| r.pool_id == p))
            .cloned()
            .collect()
    }

    /// The sequence number of the latest run (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).next
    }
}

/// Hides what a trigger's event or response carries that nobody may see: a UserMigration
/// sign-in's password, a custom challenge's answer and its private parameters (the expected
/// answer), and any `password`/`code`-named member of the request or response.
fn redact_run(run: &mut TriggerInvocation) {
    if let Some(req) = run.event_in.get_mut("request") {
        hide_members(req);
    }
    if let Some(resp) = run.event_in.get_mut("response") {
        hide_members(resp);
    }
    hide_members(&mut run.response_out);
}

const SECRET_MEMBERS: &[&str] = &[
    "password",
    "challengeAnswer",
    "privateChallengeParameters",
    "code",
    "temporaryPassword",
];

fn hide_members(v: &mut Value) {
    let Value::Object(m) = v else {
        return;
    };
    for (k, val) in m.iter_mut() {
        if SECRET_MEMBERS.contains(&k.as_str()) {
            if !val.is_null() {
                *val = match val {
                    Value::Object(inner) => Value::Object(
                        inner
                            .keys()
                            .map(|k| (k.clone(), Value::from(HIDDEN)))
                            .collect(),
                    ),
                    _ => Value::from(HIDDEN),
                };
            }
        } else if k == "session" {
            // A custom challenge's earlier rounds: their metadata is public, their answers not.
            if let Value::Array(items) = val {
                for item in items {
                    hide_members(item);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(pool: &str, event: Value, response: Value) -> TriggerInvocation {
        TriggerInvocation {
            seq: 0,
            at_ms: 0,
            pool_id: pool.into(),
            trigger: "UserMigration".into(),
            trigger_source: "UserMigration_Authentication".into(),
            runner: "python".into(),
            user_name: "u".into(),
            duration_ms: 1,
            outcome: "ok".into(),
            error: None,
            event_in: event,
            response_out: response,
        }
    }

    #[test]
    fn keeps_the_latest_runs_in_order_with_secrets_hidden() {
        let log = TriggerLog::default();
        let seq = log.push(run(
            "p1",
            json!({"request": {"password": "Sup3r-secret!", "validationData": {}}, "response": {}}),
            json!({"userAttributes": {"email": "a@example.com"}}),
        ));
        assert_eq!(seq, 1);
        log.push(run(
            "p2",
            json!({"request": {"challengeAnswer": "123456", "privateChallengeParameters": {"answer": "123456"}}}),
            json!({"privateChallengeParameters": {"answer": "654321"}, "publicChallengeParameters": {"hint": "x"}}),
        ));
        let all = log.after(0, None);
        assert_eq!(all.len(), 2);
        let text = serde_json::to_string(&all).unwrap();
        for secret in ["Sup3r-secret!", "123456", "654321"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(all[0].event_in["request"]["password"], HIDDEN);
        assert_eq!(
            all[1].response_out["publicChallengeParameters"]["hint"],
            "x"
        );
        assert_eq!(log.after(1, None).len(), 1);
        assert_eq!(log.after(0, Some("p1")).len(), 1);
        for _ in 0..CAPACITY {
            log.push(run("p1", json!({}), json!({})));
        }
        assert_eq!(log.after(0, None).len(), CAPACITY);
        assert_eq!(log.last_seq(), (CAPACITY + 2) as u64);
    }
}
