//! How a trigger's LambdaConfig value runs on this machine, and how its answer is read.
//!
//! - `cmd:<command line>` (or a value starting with `/`, taken as a command line as it is)
//!   runs with `sh -c`: the event JSON on stdin, the returned event JSON on stdout.
//! - `node:<module path>[#<export>]` loads a Node module (CommonJS or ES) and calls its
//!   exported handler (`handler` unless named) the way Lambda's Node runtime does: with the
//!   event and a Lambda context, awaiting a promise or taking a callback `(event, context,
//!   callback)`.
//! - `python:<file path>[#<function>]` loads a Python file and calls its function
//!   (`lambda_handler` unless named) with the event and a Lambda context, awaiting a
//!   coroutine.
//!
//! The two runtimes are small scripts embedded in the binary (`runners/`), run by `node` and
//! `python3` from `PATH`. Whatever a handler prints goes to stderr; the answer comes back on
//! stdout as one line behind a random marker, so `console.log` / `print` cannot corrupt it.
//!
//! Cognito's answers to a failed run, for every kind:
//! - longer than [`TRIGGER_TIMEOUT`]: the process group is killed and the call answers
//!   `UnexpectedLambdaException "<Trigger> invocation failed due to error Socket timeout while
//!   invoking Lambda function."`;
//! - a thrown error (a command's non-zero exit, with the last line of its stderr):
//!   `UserLambdaValidationException "<Trigger> failed with error <message>."`;
//! - anything but the event JSON with a well-typed `response`:
//!   `InvalidLambdaResponseException "Unrecognizable lambda output"`.

use std::time::Duration;

use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult, ErrorKind};

/// How long a trigger may run (Cognito waits 5 seconds for a Lambda).
pub const TRIGGER_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest stdout a trigger may print.
const MAX_OUTPUT: usize = 256 * 1024;

const NODE_RUNNER: &str = include_str!("runners/node_runner.js");
const PYTHON_RUNNER: &str = include_str!("runners/python_runner.py");

/// A LambdaConfig value this machine can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner<'a> {
    /// A command line, run with `sh -c`.
    Command(&'a str),
    /// A Node module and the name of its exported handler.
    Node { module: &'a str, export: &'a str },
    /// A Python file and the name of its handler function.
    Python { file: &'a str, export: &'a str },
}

impl<'a> Runner<'a> {
    /// The runner a LambdaConfig value names; None for anything else (e.g. a Lambda ARN).
    pub fn parse(value: &'a str) -> Option<Self> {
        let split = |rest: &'a str, default: &'a str| -> Option<(&'a str, &'a str)> {
            let rest = rest.trim();
            let (path, export) = match rest.rsplit_once('#') {
                Some((p, e)) => (p.trim(), e.trim()),
                None => (rest, default),
            };
            let export_ok = !export.is_empty()
                && export
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            (!path.is_empty() && export_ok).then_some((path, export))
        };
        if let Some(rest) = value.strip_prefix("cmd:") {
            let rest = rest.trim();
            return (!rest.is_empty()).then_some(Runner::Command(rest));
        }
        if let Some(rest) = value.strip_prefix("node:") {
            return split(rest, "handler").map(|(module, export)| Runner::Node { module, export });
        }
        if let Some(rest) = value.strip_prefix("python:") {
            return split(rest, "lambda_handler")
                .map(|(file, export)| Runner::Python { file, export });
        }
        value.starts_with('/').then_some(Runner::Command(value))
    }

    /// `cmd`, `node` or `python`.
    pub fn kind(&self) -> &'static str {
        match self {
            Runner::Command(_) => "cmd",
            Runner::Node { .. } => "node",
            Runner::Python { .. } => "python",
        }
    }
}

pub(crate) fn unrecognizable() -> ApiError {
    ApiError::new(
        ErrorKind::InvalidLambdaResponse,
        "Unrecognizable lambda output",
    )
}

pub(crate) fn unexpected(trigger: &str, why: &str) -> ApiError {
    ApiError::new(
        ErrorKind::UnexpectedLambda,
        format!("{trigger} invocation failed due to error {why}"),
    )
}

fn thrown(trigger: &str, message: &str) -> ApiError {
    let line: String = message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("Error")
        .chars()
        .take(300)
        .collect();
    ApiError::new(
        ErrorKind::UserLambdaValidation,
        format!(
            "{trigger} failed with error {}.",
            line.trim_end_matches('.')
        ),
    )
}

/// Runs `runner` for `trigger` with `event` and returns the `response` object it answered.
/// Blocking: call from a blocking-pool thread, never with the store locked.
pub fn run_blocking(
    trigger: &str,
    runner: Runner<'_>,
    event: &Value,
) -> ApiResult<Map<String, Value>> {
    let input = serde_json::to_vec(event).map_err(|_| ApiError::internal("Internal error"))?;
    let fut = run(trigger, runner, input);
    match tokio::runtime::Handle::try_current() {
        Ok(h) => h.block_on(fut),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|_| ApiError::internal("Internal error: no runtime for the trigger"))?
            .block_on(fut),
    }
}

fn marker() -> String {
    use rand::RngCore as _;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("\u{1e}cognito-tui:{hex}:")
}

async fn run(trigger: &str, runner: Runner<'_>, input: Vec<u8>) -> ApiResult<Map<String, Value>> {
    use std::process::Stdio;
    use tokio::io::AsyncWriteExt as _;

    let marker = marker();
    let mut cmd = match runner {
        Runner::Command(line) => {
            let mut c = tokio::process::Command::new("sh");
            c.arg("-c").arg(line);
            c
        }
        Runner::Node { module, export } => {
            let mut c = tokio::process::Command::new("node");
            c.arg("-e").arg(NODE_RUNNER).arg(module).arg(export);
            c
        }
        Runner::Python { file, export } => {
            let mut c = tokio::process::Command::new("python3");
            c.arg("-c").arg(PYTHON_RUNNER).arg(file).arg(export);
            c
        }
    };
    cmd.env("COGNITO_TUI_TRIGGER", trigger)
        .env("COGNITO_TUI_FUNCTION", trigger)
        .env("COGNITO_TUI_MARKER", &marker)
        .env(
            "COGNITO_TUI_TIMEOUT_MS",
            TRIGGER_TIMEOUT.as_millis().to_string(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn().map_err(|e| {
        tracing::warn!(trigger, runner = runner.kind(), error = %e, "local pool: trigger could not start");
        let what = match runner {
            Runner::Command(_) => "the command could not be started.",
            Runner::Node { .. } => "node could not be started (is Node.js on PATH?).",
            Runner::Python { .. } => "python3 could not be started (is it on PATH?).",
        };
        unexpected(trigger, what)
    })?;
    let pid = child.id();
    let stdin = child.stdin.take();
    let work = async move {
        if let Some(mut s) = stdin {
            // A command that does not read its input may close the pipe: that is its business.
            let _ = s.write_all(&input).await;
            let _ = s.shutdown().await;
            drop(s);
        }
        child.wait_with_output().await
    };
    let output = match tokio::time::timeout(TRIGGER_TIMEOUT, work).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            tracing::warn!(trigger, error = %e, "local pool: trigger I/O failed");
            return Err(unexpected(trigger, "the command could not be run."));
        }
        Err(_) => {
            // The child itself was killed when its future was dropped; its children too.
            kill_group(pid);
            return Err(unexpected(
                trigger,
                "Socket timeout while invoking Lambda function.",
            ));
        }
    };
    if output.stdout.len() > MAX_OUTPUT {
        return Err(unrecognizable());
    }
    let answer = match runner {
        Runner::Command(_) => None,
        _ => runtime_answer(&output.stdout, &marker),
    };
    let returned = match answer {
        Some(RuntimeAnswer::Returned(v)) => v,
        Some(RuntimeAnswer::Threw(message)) => return Err(thrown(trigger, &message)),
        None if !output.status.success() => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| match output.status.code() {
                    Some(c) => format!("exit status {c}"),
                    None => "terminated by a signal".to_string(),
                });
            return Err(thrown(trigger, &last));
        }
        None if matches!(runner, Runner::Command(_)) => {
            serde_json::from_slice(&output.stdout).map_err(|_| unrecognizable())?
        }
        // A runtime that exited cleanly without answering (the handler never returned).
        None => return Err(unrecognizable()),
    };
    match returned.get("response") {
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::Null) => Ok(Map::new()),
        _ => Err(unrecognizable()),
    }
}

enum RuntimeAnswer {
    Returned(Value),
    Threw(String),
}

/// The answer line a runner script wrote behind `marker` (the last one, should a handler
/// somehow write the marker itself before).
fn runtime_answer(stdout: &[u8], marker: &str) -> Option<RuntimeAnswer> {
    let text = String::from_utf8_lossy(stdout);
    let line = text.lines().rev().find_map(|l| l.strip_prefix(marker))?;
    let v: Value = serde_json::from_str(line).ok()?;
    if let Some(e) = v.get("error") {
        let message = e
            .get("message")
            .and_then(Value::as_str)
            .filter(|m| !m.trim().is_empty())
            .or_else(|| e.get("type").and_then(Value::as_str))
            .unwrap_or("Error");
        return Some(RuntimeAnswer::Threw(message.to_string()));
    }
    Some(RuntimeAnswer::Returned(
        v.get("ok").cloned().unwrap_or(Value::Null),
    ))
}

fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid {
        // Best effort: a shell's children (e.g. `sleep`) live on in the group otherwise.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    let _ = pid;
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
