//! Table rows for requests that differ only in their input and the answer they expect: each row
//! names itself, and a failing row says which it was.

use serde_json::Value;

use super::http::Resp;
use super::pool::Harness;

/// What a row expects of the pool's answer.
#[derive(Debug, Clone)]
pub enum Want {
    /// Success (HTTP 200).
    Ok,
    /// An error of this `__type`, whatever its message.
    Kind(&'static str),
    /// An error with this message, whatever its `__type`.
    Message(String),
    /// An error whose message contains this.
    MessageHas(&'static str),
    /// An error of this `__type` and message.
    Error(&'static str, String),
    /// An error of this `__type` whose message contains the second part.
    ErrorHas(&'static str, &'static str),
}

/// One request and the answer it must get.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    pub op: &'static str,
    pub body: Value,
    pub want: Want,
}

impl Case {
    /// A row sending `body` to `op`; it expects success until told otherwise.
    pub fn new(name: &'static str, op: &'static str, body: Value) -> Case {
        Case {
            name,
            op,
            body,
            want: Want::Ok,
        }
    }

    /// Expects an error of this `__type`.
    pub fn kind(mut self, kind: &'static str) -> Case {
        self.want = Want::Kind(kind);
        self
    }

    /// Expects an error with this message.
    pub fn message(mut self, message: impl Into<String>) -> Case {
        self.want = Want::Message(message.into());
        self
    }

    /// Expects an error whose message contains `part`.
    pub fn message_has(mut self, part: &'static str) -> Case {
        self.want = Want::MessageHas(part);
        self
    }

    /// Expects an error of this `__type` and message.
    pub fn error(mut self, kind: &'static str, message: impl Into<String>) -> Case {
        self.want = Want::Error(kind, message.into());
        self
    }

    /// Expects an error of this `__type` whose message contains `part`.
    pub fn error_has(mut self, kind: &'static str, part: &'static str) -> Case {
        self.want = Want::ErrorHas(kind, part);
        self
    }

    /// Checks `r` against the row; a failure names the row.
    #[track_caller]
    pub fn check(&self, r: &Resp) {
        let name = self.name;
        let body = &r.body;
        match &self.want {
            Want::Ok => assert_eq!(r.status, 200, "row {name:?}: expected success, got {body}"),
            Want::Kind(k) => assert_eq!(self.error_of(r).0, *k, "row {name:?}: {body}"),
            Want::Message(m) => assert_eq!(self.error_of(r).1, m, "row {name:?}: {body}"),
            Want::MessageHas(part) => {
                let message = self.error_of(r).1;
                assert!(message.contains(part), "row {name:?}: {message}")
            }
            Want::Error(k, m) => {
                assert_eq!(self.error_of(r), (*k, m.as_str()), "row {name:?}: {body}")
            }
            Want::ErrorHas(k, part) => {
                let (kind, message) = self.error_of(r);
                assert_eq!(kind, *k, "row {name:?}: {body}");
                assert!(message.contains(part), "row {name:?}: {message}");
            }
        }
    }

    /// The `__type` and message of an error answer (a success fails the row).
    #[track_caller]
    fn error_of<'r>(&self, r: &'r Resp) -> (&'r str, &'r str) {
        assert_ne!(
            r.status, 200,
            "row {:?}: expected an error, got {}",
            self.name, r.body
        );
        (
            r.body["__type"].as_str().unwrap_or(""),
            r.body["message"].as_str().unwrap_or(""),
        )
    }
}

impl Harness {
    /// Sends each row in order (later rows may depend on earlier ones) and checks its answer.
    /// Returns the answers' bodies, in row order.
    pub async fn run_cases(&self, cases: impl IntoIterator<Item = Case>) -> Vec<Value> {
        let mut bodies = Vec::new();
        for case in cases {
            let r = self.call(case.op, case.body.clone()).await;
            case.check(&r);
            bodies.push(r.body);
        }
        bodies
    }
}
