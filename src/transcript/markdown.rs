//! A transcript as Markdown: a narrative a person reads in a bug report or a lesson handout.
//! The header names the tool and the target; a table lists every step; then each command in
//! order, with its calls (request and response folded in `<details>`), its steps and their
//! explanations, errors with what they mean, and notes; last, the Cognito terms it used.
//! Text that came from a server is escaped, so it cannot add markup or HTML of its own.

use std::fmt::Write as _;

use serde_json::Value;

use super::model::{Entry, Transcript, redact_body};
use crate::auth::events::{AuthEvent, Release, Transition};
use crate::auth::explain::GLOSSARY;

/// The whole Markdown document.
pub fn render(t: &Transcript) -> String {
    let mut out = String::new();
    header(t, &mut out);
    steps_table(t, &mut out);
    narrative(t, &mut out);
    terms(&mut out);
    out
}

fn header(t: &Transcript, out: &mut String) {
    let g = &t.target;
    let _ = writeln!(out, "# cognito-tui transcript\n");
    let _ = writeln!(out, "- Tool: {} {}", t.tool.name, t.tool.version);
    let _ = writeln!(
        out,
        "- Target: {} user pool {}, app client {}{}, region {}, endpoint {}",
        esc(&g.kind),
        code(&g.user_pool_id),
        code(&g.client_id),
        if g.client_secret {
            " (with a client secret, not shown)"
        } else {
            ""
        },
        esc(&g.region),
        code_span(&g.endpoint),
    );
    let _ = writeln!(
        out,
        "- Recorded from {} to {} (written {})",
        when(t.started_at_ms),
        when(
            t.entries
                .last()
                .map_or(t.started_at_ms, |e| e.received_at_ms)
        ),
        when(t.exported_at_ms),
    );
    if t.dropped > 0 {
        let _ = writeln!(
            out,
            "- The {} oldest events were dropped to keep the transcript bounded.",
            t.dropped
        );
    }
    let _ = writeln!(
        out,
        "- Redacted: passwords, codes, secrets and SECRET_HASH are `***`; tokens and Sessions \
         are abbreviated (first characters and length). Nothing here can sign anyone in.\n"
    );
}

fn transitions(t: &Transcript) -> impl Iterator<Item = &Transition> {
    t.entries.iter().filter_map(|e| match &e.event {
        AuthEvent::Transition(tr) => Some(tr),
        _ => None,
    })
}

fn steps_table(t: &Transcript, out: &mut String) {
    let _ = writeln!(out, "## Steps\n");
    if transitions(t).next().is_none() {
        let _ = writeln!(out, "No step was taken.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| # | Time (UTC) | API | From → to | Challenge | Cognito calls | Latency |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for (i, tr) in transitions(t).enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} → **{}** | {} | {} | {} ms |",
            i + 1,
            clock(tr.at_ms),
            esc(&tr.api),
            esc(tr.from.as_deref().unwrap_or("—")),
            tr.next_step.name(),
            tr.challenge_name.as_deref().map(esc).unwrap_or_default(),
            esc(&tr.operations.join(" + ")),
            tr.latency_ms,
        );
    }
    out.push('\n');
}

fn narrative(t: &Transcript, out: &mut String) {
    let _ = writeln!(out, "## What happened\n");
    if t.entries.is_empty() {
        let _ = writeln!(out, "Nothing yet: no command was run.\n");
        return;
    }
    let mut n = 0;
    for e in &t.entries {
        entry(e, &mut n, out);
    }
}

fn entry(e: &Entry, n: &mut usize, out: &mut String) {
    let at = clock(e.received_at_ms);
    match &e.event {
        AuthEvent::Started { api } => {
            *n += 1;
            let _ = writeln!(out, "### {n}. `{}` at {at}\n", plain(api));
        }
        AuthEvent::Finished { api, ok } => {
            let _ = writeln!(
                out,
                "{} `{}` {}.\n",
                if *ok { "✓" } else { "✗" },
                plain(api),
                if *ok { "finished" } else { "failed" }
            );
        }
        AuthEvent::Transition(tr) => {
            let _ = write!(
                out,
                "**Step** {} → **{}**",
                esc(tr.from.as_deref().unwrap_or("—")),
                tr.next_step.name()
            );
            if let Some(c) = &tr.challenge_name {
                let _ = write!(out, " (challenge `{}`)", plain(c));
            }
            if !tr.operations.is_empty() {
                let _ = write!(
                    out,
                    " after {} in {} ms",
                    tr.operations
                        .iter()
                        .map(|o| code(o))
                        .collect::<Vec<_>>()
                        .join(" + "),
                    tr.latency_ms
                );
            }
            let _ = writeln!(out, "  \n_{at}_\n");
            if !tr.explanation.is_empty() {
                let _ = writeln!(out, "> {}\n", esc(&tr.explanation));
            }
            if let Some(s) = &tr.session_id {
                let age = tr
                    .session_age_ms
                    .map(|a| format!(", {} s old", a / 1000))
                    .unwrap_or_default();
                let _ = writeln!(out, "- Session `{}`{age}", plain(s));
            }
            for (k, v) in &tr.challenge_parameters {
                let _ = writeln!(out, "- ChallengeParameters.{}: {}", esc(k), code_span(v));
            }
            let _ = writeln!(out, "- nextStep: {}\n", code_span(&compact(&tr.next_step)));
        }
        AuthEvent::Exchange(x) => {
            let status = match (x.status, &x.error) {
                (Some(s), None) => format!("HTTP {s}"),
                (Some(s), Some(err)) => format!("HTTP {s} {}", esc(err)),
                (None, Some(err)) => format!("no response ({})", esc(err)),
                (None, None) => "no response".into(),
            };
            let rid = x
                .request_id
                .as_deref()
                .map(|r| format!(" · request id {}", code_span(r)))
                .unwrap_or_default();
            // A call the user edited or sent again in step mode says so.
            let origin = x
                .origin
                .mark()
                .map(|m| format!(" · {m} in step mode"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "**Call** {} → {status} in {} ms{rid}{origin}  \n_{}_\n",
                code(&x.operation),
                x.latency_ms,
                clock(x.started_at_ms)
            );
            for note in &x.notes {
                let _ = writeln!(out, "- {}", esc(note));
            }
            if !x.notes.is_empty() {
                out.push('\n');
            }
            details(
                "Request and response (redacted)",
                &serde_json::json!({"request": x.request, "response": x.response}),
                out,
            );
        }
        AuthEvent::Session { session } => match session {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "**Session** signed in as `{}` ({:?}); access token valid until {}, ID token \
                     until {}\n",
                    plain(&s.username),
                    s.auth_flow,
                    when(s.access_expires_at * 1000),
                    when(s.id_expires_at * 1000),
                );
            }
            None => {
                let _ = writeln!(out, "**Session** none (signed out)\n");
            }
        },
        AuthEvent::Error(err) => {
            let op = err
                .operation
                .as_deref()
                .map(|o| format!(" in {}", code(o)))
                .unwrap_or_default();
            let rid = err
                .request_id
                .as_deref()
                .map(|r| format!(" (request id {})", code_span(r)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "**Error**{op}: `{}`: {}{rid}  \n_{at}_\n",
                plain(&err.code),
                esc(&err.message)
            );
            if let Some(why) = &e.error_explanation {
                let _ = writeln!(out, "> {}\n", esc(why));
            }
        }
        AuthEvent::Info { message, .. } => {
            let _ = writeln!(out, "**Note** {}  \n_{at}_\n", esc(message));
        }
        AuthEvent::Held {
            operation, request, ..
        } => {
            let _ = writeln!(
                out,
                "**Held** (step mode) {} waits to be sent  \n_{at}_\n",
                code(operation)
            );
            details("Held request (redacted)", request, out);
        }
        AuthEvent::Released { operation, why, .. } => {
            let what = match why {
                Release::Sent => "sent",
                Release::Dropped => "dropped",
                Release::Edited => "sent as the user edited it",
                Release::StepModeOff => "sent (step mode turned off)",
                Release::Cancelled => "dropped (sign-in cancelled)",
                Release::Shutdown => "dropped (shutting down)",
            };
            let _ = writeln!(out, "**Released** {} {what}  \n_{at}_\n", code(operation));
        }
        AuthEvent::Trigger(run) => {
            let outcome = match (&run.error, run.ok()) {
                (_, true) => "ok".to_string(),
                (Some(m), false) => format!("{}: {m}", run.outcome),
                (None, false) => run.outcome.clone(),
            };
            let _ = writeln!(
                out,
                "**Trigger** {} ({}) ran in the pool's {} handler for {} ms: {}  \n_{at}_\n",
                code(&run.trigger),
                code(&run.trigger_source),
                plain(&run.runner),
                run.duration_ms,
                esc(&outcome)
            );
            details("Event in (redacted)", &run.event_in, out);
            details("Response out (redacted)", &run.response_out, out);
        }
        // An event kind added after this narration was written: its name and its data
        // (redacted for export), until it gets words of its own.
        #[allow(unreachable_patterns)]
        other => {
            let v = redact_body(&serde_json::to_value(other).unwrap_or_default());
            let name = v["event"].as_str().unwrap_or("event").to_string();
            let _ = writeln!(out, "**{}**  \n_{at}_\n", esc(&name));
            details(&esc(&name), &v, out);
        }
    }
}

/// The Cognito terms, for a reader who meets them here first.
fn terms(out: &mut String) {
    let _ = writeln!(out, "## Terms\n");
    for (term, meaning) in GLOSSARY {
        let _ = writeln!(out, "- **{}**: {}", esc(term), esc(meaning));
    }
}

/// A JSON value folded away under `summary`, in a fence no backtick run inside can close.
fn details(summary: &str, v: &Value, out: &mut String) {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
    let _ = writeln!(
        out,
        "<details><summary>{summary}</summary>\n\n{fence}json\n{text}\n{fence}\n\n</details>\n"
    );
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn compact<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Text from a server or a user, made inert: no markup, no HTML, one line. (Underscores
/// stay: inside a word, as in every Cognito name, they are not emphasis.)
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A name inside backticks (it holds no backtick or line break).
fn plain(s: &str) -> String {
    s.chars().filter(|c| *c != '`' && !c.is_control()).collect()
}

fn code(s: &str) -> String {
    format!("`{}`", plain(s))
}

/// Any text as an inline code span: fenced with more backticks than it holds.
fn code_span(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    let fence = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// `18:40:01.123` (UTC).
fn clock(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `2026-12-07 18:40:01 UTC`.
fn when(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::events::AuthErrorView;
    use crate::transcript::model::TranscriptTarget;

    #[test]
    fn server_text_cannot_add_markup_and_errors_say_what_they_mean() {
        let mut t = Transcript::new(
            TranscriptTarget {
                kind: "custom".into(),
                user_pool_id: "eu-west-1_x".into(),
                client_id: "c".into(),
                region: "eu-west-1".into(),
                endpoint: "http://127.0.0.1:9/".into(),
                client_secret: true,
            },
            0,
        );
        t.record(
            1_000,
            &AuthEvent::Started {
                api: "signIn".into(),
            },
        );
        t.record(
            2_000,
            &AuthEvent::Error(AuthErrorView {
                api: "signIn".into(),
                operation: Some("InitiateAuth".into()),
                code: "NotAuthorizedException".into(),
                message: "<script>x</script> | **bold**\n# heading".into(),
                request_id: Some("r-1".into()),
            }),
        );
        let md = render(&t);
        assert!(!md.contains("<script>"), "{md}");
        assert!(md.contains("&lt;script&gt;"), "{md}");
        assert!(!md.contains("\n# heading"), "{md}");
        assert!(md.contains("with a client secret, not shown"), "{md}");
        assert!(md.contains("### 1. `signIn` at 00:00:01.000"), "{md}");
        assert!(md.contains("> Cognito refused the credentials"), "{md}");
        assert!(md.contains("- **SECRET_BLOCK**:"), "{md}");
    }

    #[test]
    fn a_trigger_run_is_told_with_its_event_and_response() {
        let mut t = Transcript::new(
            TranscriptTarget {
                kind: "embedded".into(),
                user_pool_id: "us-east-1_x".into(),
                client_id: "c".into(),
                region: "us-east-1".into(),
                endpoint: "http://127.0.0.1:9/".into(),
                client_secret: false,
            },
            0,
        );
        t.record(
            1_000,
            &AuthEvent::Trigger(crate::cognito::types::TriggerInvocation {
                seq: 1,
                at_ms: 900,
                pool_id: "us-east-1_x".into(),
                trigger: "UserMigration".into(),
                trigger_source: "UserMigration_Authentication".into(),
                runner: "python".into(),
                user_name: "lee".into(),
                duration_ms: 42,
                outcome: "UserLambdaValidationException".into(),
                error: Some("UserMigration failed with error Bad password.".into()),
                event_in: serde_json::json!({"request": {"password": "***", "validationData": {}}}),
                response_out: serde_json::Value::Null,
            }),
        );
        let md = render(&t);
        assert!(
            md.contains(
                "**Trigger** `UserMigration` (`UserMigration_Authentication`) ran in the pool's \
                 python handler for 42 ms: UserLambdaValidationException: UserMigration failed \
                 with error Bad password."
            ),
            "{md}"
        );
        assert!(
            md.contains("<summary>Event in (redacted)</summary>"),
            "{md}"
        );
    }
}
