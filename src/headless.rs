//! The headless driver behind `cognito-tui run`: JSON-lines commands in, JSON-lines events out.
//!
//! Each input line is one command object with a `cmd` tag: an [`AuthCommand`]
//! (`{"cmd":"sign_in","username":"alice","password":"…"}`) or an [`AdminCommand`]
//! (`{"cmd":"list_users"}`, `{"cmd":"fetch_outbox"}`, `{"cmd":"get_user","username":"bob"}`,
//! `{"cmd":"act","action":{"action":"disable","username":"bob"}}`,
//! `{"cmd":"list_groups"}`). Commands run in order; each one's events
//! are written as they arrive, one JSON object per line, with `"source"` set to `auth`, `admin`
//! or `headless`. A bad line produces an error event (without echoing the line, which may hold a
//! password) and the driver carries on. At end of input the driver returns once the last command
//! has finished.
//!
//! Admin commands end with their result event: `users_page`, `outbox`, `user_detail`,
//! `action_done` / `action_failed` (a successful `create_group` action also waits for the fresh
//! `groups`), `groups`, or `error` (e.g. code `CredentialsError` when no AWS
//! credentials could be found to sign with). Passwords in `act` (`temporary_password`,
//! `password`) are sent to Cognito but echoed back as `***`.
//!
//! Auth events are written as the actor sends them, tagged by `"event"`: `started`,
//! `finished`, `transition`, `exchange`, `session`, `error`, `info`, `account`, and step mode's `held`
//! (`operation` and the redacted `request`) and `released` (`why`: `sent`, `dropped`,
//! `step_mode_off`, `cancelled`, `shutdown`). The driver refuses step mode itself, so the last
//! two only appear from a front end that turns it on. A `session` event's `access_expiry` and
//! `id_expiry` say whether each token's `exp` is `valid`, `expired` or `implausibly_far` (more
//! than 30 days ahead); tokens received in such a state also bring an `info` starting with
//! `Warning:`.
//!
//! The signed-in user's account: `fetch_user_attributes`, `update_user_attributes`
//! (`"attributes":{"email":"…"}`), `send_user_attribute_verification_code` (`"attribute"`),
//! `confirm_user_attribute` (`"attribute"`, `"code"`), `delete_user_attributes` (`"names"`),
//! `update_password` (`"old_password"`, `"new_password"`), `delete_user`,
//! `update_mfa_preference` (`"sms"`, `"totp"`, `"email"`: `ENABLED`, `DISABLED`, `PREFERRED`,
//! `NOT_PREFERRED`), `set_up_totp` and `verify_totp_setup` (`"code"`). Each answers an `account`
//! event whose `kind` says what came back (`attributes`, `updated` with each attribute's
//! `updateAttributeStep`, `code_sent`, `confirmed`, `deleted`, `password_updated`,
//! `mfa_preference_updated`, `totp_setup`, `totp_verified`, `user_deleted`).
//!
//! Conveniences for scripts (embedded pool only):
//! - `"code": "{{outbox}}"` in `confirm_sign_up` / `confirm_reset_password` /
//!   `confirm_user_attribute`, and
//!   `"response": "{{outbox}}"` in `confirm_sign_in` (with an extra `"username"` field), are
//!   replaced by the newest outbox code sent to that username.
//! - `{"cmd":"wait_outbox","username":"alice","purpose":"SIGN_UP","timeout_ms":10000}` waits
//!   until the outbox holds a code for that user (and purpose) and writes an `outbox_code` event.
//!
//! With `--transcript PATH` (see [`run_recorded`]) every auth event is also kept, redacted
//! for export (codes and TOTP secrets hidden too), and written when the input ends as
//! Markdown (`PATH`, `.md`) and JSON (beside it, `.json`); a `transcript` event names both.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::admin::{AdminCommand, AdminEvent, AdminHandle, OutboxEntry};
use crate::auth::AuthHandle;
use crate::auth::events::{AuthCommand, AuthEvent};
use crate::cognito::ClientCode;
use crate::cognito::redact::scrub_serde_message;
use crate::transcript::{self, Transcript};

/// The placeholder replaced by the newest outbox code.
pub const OUTBOX_PLACEHOLDER: &str = "{{outbox}}";

const AUTH_COMMANDS: &[&str] = &[
    "sign_up",
    "confirm_sign_up",
    "resend_sign_up_code",
    "auto_sign_in",
    "sign_in",
    "confirm_sign_in",
    "reset_password",
    "confirm_reset_password",
    "sign_out",
    "fetch_session",
    "cancel_sign_in",
    "fetch_user_attributes",
    "update_user_attributes",
    "send_user_attribute_verification_code",
    "confirm_user_attribute",
    "delete_user_attributes",
    "update_password",
    "delete_user",
    "update_mfa_preference",
    "set_up_totp",
    "verify_totp_setup",
    "check_tokens",
];
const ADMIN_COMMANDS: &[&str] = &[
    "list_users",
    "fetch_outbox",
    "get_user",
    "act",
    "list_groups",
];

struct Driver<W> {
    auth: AuthHandle,
    admin: AdminHandle,
    out: W,
    line_no: u64,
    /// The session's transcript, when `--transcript` asked for one.
    transcript: Option<Transcript>,
}

/// A transcript to keep of the run, and where to write it when the input ends.
pub struct TranscriptOut {
    pub transcript: Transcript,
    /// The Markdown's path; the JSON goes beside it (see [`crate::transcript::paths_for`]).
    pub path: PathBuf,
}

/// Runs the driver until `input` ends (or a `shutdown` command), then returns.
pub async fn run(
    auth: AuthHandle,
    admin: AdminHandle,
    input: impl AsyncBufRead,
    output: impl AsyncWrite,
) -> anyhow::Result<()> {
    run_recorded(auth, admin, input, output, None).await
}

/// [`run`], keeping a transcript of every auth event that is written, at the end, as
/// Markdown and JSON (files 0600); a `transcript` event names both files, or an `error`
/// event with code `ExportFailed` says why they could not be written (and the run fails).
pub async fn run_recorded(
    auth: AuthHandle,
    admin: AdminHandle,
    input: impl AsyncBufRead,
    output: impl AsyncWrite,
    transcript: Option<TranscriptOut>,
) -> anyhow::Result<()> {
    let mut input = std::pin::pin!(input);
    let output = std::pin::pin!(output);
    let (transcript, path) = match transcript {
        Some(t) => (Some(t.transcript), Some(t.path)),
        None => (None, None),
    };
    let mut d = Driver {
        auth,
        admin,
        out: output,
        line_no: 0,
        transcript,
    };
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .await
            .context("reading commands")?;
        if n == 0 {
            break;
        }
        d.line_no += 1;
        let Ok(line) = std::str::from_utf8(&buf) else {
            d.bad_line("the line is not UTF-8").await?;
            continue;
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !d.handle_line(line).await? {
            break;
        }
    }
    if let (Some(t), Some(path)) = (d.transcript.take(), path) {
        d.export(&t, &path).await?;
    }
    d.out.flush().await?;
    Ok(())
}

impl<W: AsyncWrite + Unpin> Driver<W> {
    /// Writes an auth event (and keeps it in the transcript).
    async fn auth_event(&mut self, ev: &AuthEvent) -> anyhow::Result<()> {
        if let Some(t) = &mut self.transcript {
            t.record(crate::cognito::now_ms(), ev);
        }
        self.write("auth", serde_json::to_value(ev)?).await
    }

    /// Writes the transcript's two files off the async threads and says where they went.
    async fn export(&mut self, t: &Transcript, path: &std::path::Path) -> anyhow::Result<()> {
        let (t, p) = (t.clone(), path.to_path_buf());
        let result = tokio::task::spawn_blocking(move || {
            transcript::write(&t, &p, crate::cognito::now_ms())
        })
        .await
        .unwrap_or_else(|e| Err(format!("the writer failed: {e}")));
        match result {
            Ok(w) => {
                let ev = json!({
                    "event": "transcript",
                    "markdown": w.markdown.display().to_string(),
                    "json": w.json.display().to_string(),
                });
                self.write("headless", ev).await
            }
            Err(message) => {
                let ev = json!({
                    "event": "error",
                    "code": ClientCode::ExportFailed.as_str(),
                    "message": message,
                });
                self.write("headless", ev).await?;
                anyhow::bail!("transcript not written: {message}")
            }
        }
    }

    async fn write(&mut self, source: &str, ev: Value) -> anyhow::Result<()> {
        let mut ev = ev;
        if let Some(obj) = ev.as_object_mut() {
            obj.insert("source".into(), Value::String(source.into()));
        }
        let mut line = serde_json::to_vec(&ev)?;
        line.push(b'\n');
        self.out.write_all(&line).await.context("writing events")?;
        self.out.flush().await.context("writing events")?;
        Ok(())
    }

    async fn bad_line(&mut self, message: impl Into<String>) -> anyhow::Result<()> {
        let ev = json!({
            "event": "error",
            "code": ClientCode::BadCommand.as_str(),
            "line": self.line_no,
            "message": message.into(),
        });
        self.write("headless", ev).await
    }

    /// Returns false when the driver should stop (shutdown).
    async fn handle_line(&mut self, line: &str) -> anyhow::Result<bool> {
        let mut v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                self.bad_line(format!("not JSON: {e}")).await?;
                return Ok(true);
            }
        };
        let Some(cmd) = v.get("cmd").and_then(Value::as_str).map(str::to_string) else {
            self.bad_line("expected an object with a string \"cmd\" field")
                .await?;
            return Ok(true);
        };
        match cmd.as_str() {
            "set_step_mode" | "step" => {
                self.bad_line(
                    "step mode needs an interactive front end (the TUI): the headless driver runs each command to the end",
                )
                .await?;
                return Ok(true);
            }
            "shutdown" => {
                let _ = self.auth.tx.send(AuthCommand::Shutdown).await;
                let _ = self.admin.tx.send(AdminCommand::Shutdown).await;
                self.wait_auth().await?;
                return Ok(false);
            }
            "wait_outbox" => {
                self.wait_outbox(&v).await?;
                return Ok(true);
            }
            _ => {}
        }
        if AUTH_COMMANDS.contains(&cmd.as_str()) {
            let field = match cmd.as_str() {
                "confirm_sign_up" | "confirm_reset_password" | "confirm_user_attribute" => {
                    Some("code")
                }
                "confirm_sign_in" => Some("response"),
                _ => None,
            };
            if let Some(field) = field
                && v.get(field).and_then(Value::as_str) == Some(OUTBOX_PLACEHOLDER)
            {
                let user = v
                    .get("username")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                match self.newest_code(&user, None).await? {
                    Some(e) => v[field] = Value::String(e.code),
                    None => {
                        self.bad_line(format!(
                            "no outbox code for {user:?} to put in \"{field}\" (name the user in \"username\")"
                        ))
                        .await?;
                        return Ok(true);
                    }
                }
            }
            let parsed: AuthCommand = match serde_json::from_value(v) {
                Ok(c) => c,
                Err(e) => {
                    self.bad_line(format!(
                        "invalid {cmd}: {}",
                        scrub_serde_message(&e.to_string())
                    ))
                    .await?;
                    return Ok(true);
                }
            };
            if self.auth.tx.send(parsed).await.is_err() {
                self.bad_line("the auth actor has stopped").await?;
                anyhow::bail!("the auth actor has stopped");
            }
            self.wait_auth().await?;
        } else if ADMIN_COMMANDS.contains(&cmd.as_str()) {
            let parsed: AdminCommand = match serde_json::from_value(v) {
                Ok(c) => c,
                Err(e) => {
                    self.bad_line(format!(
                        "invalid {cmd}: {}",
                        scrub_serde_message(&e.to_string())
                    ))
                    .await?;
                    return Ok(true);
                }
            };
            let creates_group = matches!(
                &parsed,
                AdminCommand::Act {
                    action: crate::admin::UserAction::CreateGroup { .. }
                }
            );
            if self.admin.tx.send(parsed).await.is_err() {
                self.bad_line("the users actor has stopped").await?;
                anyhow::bail!("the users actor has stopped");
            }
            let ev = self.wait_admin().await?;
            if creates_group && matches!(ev, Some(AdminEvent::ActionDone { .. })) {
                // CreateGroup is answered by ActionDone and then the fresh group list.
                self.wait_admin().await?;
            }
        } else {
            let shown: String = cmd.chars().take(40).collect();
            self.bad_line(format!(
                "unknown command {shown:?}; known: {}, {}, wait_outbox, shutdown",
                AUTH_COMMANDS.join(", "),
                ADMIN_COMMANDS.join(", ")
            ))
            .await?;
        }
        Ok(true)
    }

    /// Forwards auth events until the command's `finished`.
    async fn wait_auth(&mut self) -> anyhow::Result<()> {
        loop {
            tokio::select! {
                ev = self.auth.rx.recv() => {
                    let Some(ev) = ev else {
                        self.bad_line("the auth actor has stopped").await?;
                        anyhow::bail!("the auth actor has stopped");
                    };
                    let done = matches!(ev, AuthEvent::Finished { .. });
                    self.auth_event(&ev).await?;
                    if done {
                        return Ok(());
                    }
                }
                Some(ev) = self.admin.rx.recv() => {
                    self.write("admin", serde_json::to_value(&ev)?).await?;
                }
            }
        }
    }

    /// Forwards admin events until the command's result (a page, the outbox or an error).
    async fn wait_admin(&mut self) -> anyhow::Result<Option<AdminEvent>> {
        loop {
            tokio::select! {
                ev = self.admin.rx.recv() => {
                    let Some(ev) = ev else {
                        self.bad_line("the users actor has stopped").await?;
                        anyhow::bail!("the users actor has stopped");
                    };
                    self.write("admin", serde_json::to_value(&ev)?).await?;
                    if !matches!(ev, AdminEvent::Exchange(_)) {
                        return Ok(Some(ev));
                    }
                }
                Some(ev) = self.auth.rx.recv() => {
                    self.auth_event(&ev).await?;
                }
            }
        }
    }

    /// Reads the outbox without writing its events; the newest entry for `user` (and purpose).
    async fn newest_code(
        &mut self,
        user: &str,
        purpose: Option<&str>,
    ) -> anyhow::Result<Option<OutboxEntry>> {
        if self.admin.tx.send(AdminCommand::FetchOutbox).await.is_err() {
            anyhow::bail!("the users actor has stopped");
        }
        loop {
            let Some(ev) = self.admin.rx.recv().await else {
                anyhow::bail!("the users actor has stopped");
            };
            match ev {
                AdminEvent::Exchange(_) => continue,
                AdminEvent::Outbox { entries } => {
                    return Ok(entries
                        .into_iter()
                        .rev()
                        .find(|e| e.username == user && purpose.is_none_or(|p| e.purpose == p)));
                }
                other => {
                    self.write("admin", serde_json::to_value(&other)?).await?;
                    return Ok(None);
                }
            }
        }
    }

    async fn wait_outbox(&mut self, v: &Value) -> anyhow::Result<()> {
        let Some(user) = v
            .get("username")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return self.bad_line("wait_outbox needs a \"username\"").await;
        };
        let purpose = v.get("purpose").and_then(Value::as_str).map(str::to_string);
        let timeout_ms = v
            .get("timeout_ms")
            .and_then(Value::as_u64)
            .unwrap_or(10_000);
        let deadline = tokio::time::Instant::now() + Duration::from_millis(timeout_ms);
        loop {
            if let Some(e) = self.newest_code(&user, purpose.as_deref()).await? {
                let ev = json!({
                    "event": "outbox_code",
                    "username": e.username,
                    "purpose": e.purpose,
                    "medium": e.medium,
                    "destination": e.destination,
                    "code": e.code,
                    "sent_at": e.sent_at,
                });
                return self.write("headless", ev).await;
            }
            if tokio::time::Instant::now() >= deadline {
                let ev = json!({
                    "event": "error",
                    "code": ClientCode::OutboxTimeout.as_str(),
                    "line": self.line_no,
                    "message": format!("no outbox code for {user:?} within {timeout_ms} ms"),
                });
                return self.write("headless", ev).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::events::{AuthEvent, Release};

    /// Step mode's events as a JSON line: their own kinds, typed fields.
    #[test]
    fn held_and_released_are_event_kinds_of_their_own() {
        let held = AuthEvent::Held {
            api: "signIn".into(),
            operation: "InitiateAuth".into(),
            request: serde_json::json!({"AuthFlow": "USER_SRP_AUTH"}),
        };
        assert_eq!(
            serde_json::to_value(&held).unwrap(),
            serde_json::json!({
                "event": "held",
                "api": "signIn",
                "operation": "InitiateAuth",
                "request": {"AuthFlow": "USER_SRP_AUTH"},
            })
        );
        let released = AuthEvent::Released {
            api: "signIn".into(),
            operation: "InitiateAuth".into(),
            why: Release::StepModeOff,
        };
        assert_eq!(
            serde_json::to_value(&released).unwrap(),
            serde_json::json!({
                "event": "released",
                "api": "signIn",
                "operation": "InitiateAuth",
                "why": "step_mode_off",
            })
        );
    }
}
