//! Reading one answer from a server the client does not trust: within one deadline, at most
//! [`MAX_RESPONSE_BYTES`] read (streamed, refused past the cap) and at most
//! [`MAX_RESPONSE_VALUES`] parsed, a 3xx refused rather than followed, and the secrets the
//! request carried scrubbed from everything kept (the shown body, error messages, snippets).

use std::time::{Duration, Instant};

use serde_json::Value;

use super::error::{CognitoError, normalize_code};
use super::redact::{Scrubber, redact_with, shorten};

/// The largest response body read: 4 MiB, about sixty times the largest real Cognito answer
/// (a ListUsers page of 60 users with every attribute is under 70 KiB).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The most JSON values (array items and object members) an answer may hold: a body under the
/// size cap made of tiny values (`[0,0,0,…]`) would otherwise parse into sixteen times its size.
/// A ListUsers page of 60 users holds about 2,000.
pub const MAX_RESPONSE_VALUES: usize = 100_000;

/// Longest error message kept from a server's answer; the rest is cut, with its length shown.
const MAX_MESSAGE_CHARS: usize = 1000;

/// The bounds one call is read within.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// The whole call's deadline, from sending to parsing.
    pub timeout: Duration,
    /// The largest body read.
    pub max_bytes: usize,
}

/// Waits for the answer and reads it, all within the deadline that started at `t0`.
pub(super) async fn read_response(
    sent: impl std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
    url: &str,
    t0: Instant,
    limits: Limits,
    scrub: &Scrubber,
) -> RawResponse {
    let deadline = t0 + limits.timeout;
    let timed_out = || {
        RawResponse::failed(CognitoError::Timeout {
            endpoint: url.to_string(),
            after_ms: limits.timeout.as_millis() as u64,
        })
    };
    let read = async {
        let resp = match sent.await {
            Ok(r) => r,
            Err(e) => return RawResponse::failed(transport_error(&e, url, limits.timeout)),
        };
        read_body(resp, url, limits, scrub).await
    };
    let Ok(raw) = tokio::time::timeout_at(deadline.into(), read).await else {
        return timed_out();
    };
    // Parsing is bounded by the size cap; a deadline passed while parsing still counts.
    if Instant::now() > deadline && raw.error.is_none() {
        let mut t = timed_out();
        t.status = raw.status;
        t.request_id = raw.request_id;
        return t;
    }
    raw
}

async fn read_body(
    resp: reqwest::Response,
    url: &str,
    limits: Limits,
    scrub: &Scrubber,
) -> RawResponse {
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| shorten(&clean(&scrub.text(v))))
    };
    let request_id = header("x-amzn-requestid").or_else(|| header("x-amz-request-id"));
    let error_type = header("x-amzn-errortype");
    let error_message = header("x-amzn-errormessage");
    let fail = |e: CognitoError| {
        let mut raw = RawResponse::failed(e);
        raw.status = Some(status);
        raw.request_id = request_id.clone();
        raw
    };
    if (300..400).contains(&status) {
        let location = header("location").unwrap_or_else(|| "(no Location)".into());
        return fail(CognitoError::InvalidResponse {
            message: format!(
                "HTTP {status} redirect to {}: Cognito never redirects, so it was not \
                 followed and the request was sent nowhere else",
                scrub.text(&location)
            ),
            status: Some(status),
            request_id: request_id.clone(),
        });
    }
    let limit = limits.max_bytes;
    let too_big = |what: String| CognitoError::InvalidResponse {
        message: format!(
            "HTTP {status} with a body of {what}, over the client's limit of {}: \
                 not read further",
            human_bytes(limit as u64)
        ),
        status: Some(status),
        request_id: request_id.clone(),
    };
    if let Some(n) = resp.content_length()
        && n > limit as u64
    {
        return fail(too_big(human_bytes(n)));
    }
    let mut resp = resp;
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > limit {
                    return fail(too_big(format!("more than {}", human_bytes(limit as u64))));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return fail(transport_error(&e, url, limits.timeout)),
        }
    }
    let values = count_values(&bytes);
    if values > MAX_RESPONSE_VALUES {
        return fail(CognitoError::InvalidResponse {
            message: format!(
                "HTTP {status} with a body of {values} JSON values, over the client's limit \
                 of {MAX_RESPONSE_VALUES}: not parsed"
            ),
            status: Some(status),
            request_id: request_id.clone(),
        });
    }
    let mut parsed: Option<Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
        Some(Value::Object(Default::default()))
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let snip = || snippet(&bytes, scrub);
    let shown = match &parsed {
        Some(v) => redact_with(v, scrub),
        None => Value::String(snip()),
    };
    let success = (200..300).contains(&status);
    let outcome = if success {
        match parsed.take() {
            Some(v) => Ok(v),
            None => Err(CognitoError::InvalidResponse {
                message: format!("HTTP {status} with a body that is not JSON: {}", snip()),
                status: Some(status),
                request_id: request_id.clone(),
            }),
        }
    } else {
        let body_field = |k: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let code = error_type
            .as_deref()
            .and_then(normalize_code)
            .or_else(|| body_field("code").as_deref().and_then(normalize_code))
            .or_else(|| body_field("__type").as_deref().and_then(normalize_code))
            .map(|c| shorten_to(&clean(&scrub.text(&c)), 200));
        let message = body_field("message")
            .or_else(|| body_field("Message"))
            .or(error_message)
            .map(|m| shorten_to(&scrub.text(&m), MAX_MESSAGE_CHARS))
            .unwrap_or_default();
        match code {
            Some(code) => Err(CognitoError::Service {
                code,
                message,
                request_id: request_id.clone(),
                status,
            }),
            None => Err(CognitoError::InvalidResponse {
                message: if parsed.is_some() {
                    format!("HTTP {status} without an error type: {}", snip())
                } else {
                    format!("HTTP {status} with a body that is not JSON: {}", snip())
                },
                status: Some(status),
                request_id: request_id.clone(),
            }),
        }
    };
    let (value, error) = match outcome {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    };
    RawResponse {
        status: Some(status),
        request_id,
        shown,
        value,
        error,
    }
}

fn transport_error(e: &reqwest::Error, url: &str, timeout: Duration) -> CognitoError {
    if e.is_timeout() {
        return CognitoError::Timeout {
            endpoint: url.to_string(),
            after_ms: timeout.as_millis() as u64,
        };
    }
    // The innermost cause says what happened ("Connection refused", "dns error...").
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let what = if e.is_connect() {
        "cannot connect to"
    } else if e.is_body() || e.is_decode() {
        "broken response from"
    } else {
        "request failed to"
    };
    CognitoError::Network {
        message: format!("{what} {url}: {cause}"),
    }
}

pub(super) struct RawResponse {
    pub(super) status: Option<u16>,
    pub(super) request_id: Option<String>,
    pub(super) shown: Value,
    pub(super) value: Option<Value>,
    pub(super) error: Option<CognitoError>,
}

impl RawResponse {
    pub(super) fn failed(e: CognitoError) -> Self {
        Self {
            status: None,
            request_id: None,
            shown: Value::Null,
            value: None,
            error: Some(e),
        }
    }
    pub(super) fn error_code(&self) -> Option<String> {
        self.error.as_ref().map(|e| e.code().to_string())
    }
    pub(super) fn into_result(self) -> Result<Value, CognitoError> {
        match (self.error, self.value) {
            (Some(e), _) => Err(e),
            (None, Some(v)) => Ok(v),
            (None, None) => Err(CognitoError::InvalidResponse {
                message: "empty response".into(),
                status: self.status,
                request_id: self.request_id,
            }),
        }
    }
}

/// About how many values a JSON text holds (commas, brackets and braces outside strings), in
/// one pass without parsing: enough to refuse a body before it is turned into a tree.
fn count_values(bytes: &[u8]) -> usize {
    let (mut n, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => n += 1,
                _ => {}
            }
        }
    }
    n
}

/// `s` cut to `max` characters, with its full length shown when cut.
fn shorten_to(s: &str, max: usize) -> String {
    if s.len() <= max || s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…({} chars)", s.chars().count())
    }
}

/// `s` without control characters (a header or code that could move the cursor).
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// `4 MiB`, `50.0 MiB`, `812 bytes`.
fn human_bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else {
        format!("{n} bytes")
    }
}

/// The first 200 characters of a body, secrets scrubbed, for error messages.
fn snippet(bytes: &[u8], scrub: &Scrubber) -> String {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let s = scrub.text(&String::from_utf8_lossy(head));
    let s = s.trim();
    if s.is_empty() {
        return "(empty)".into();
    }
    let mut out: String = s.chars().take(200).collect();
    if s.chars().count() > 200 || head.len() < bytes.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded() {
        let none = Scrubber::default();
        assert_eq!(snippet(b"  ", &none), "(empty)");
        let long = "x".repeat(500);
        assert_eq!(snippet(long.as_bytes(), &none).chars().count(), 201);
        let huge = "y".repeat(10_000_000);
        assert_eq!(snippet(huge.as_bytes(), &none).chars().count(), 201);
        let echo = format!("{}Pass-word-1 and more", "z".repeat(195));
        let scrub = Scrubber::from_request(&serde_json::json!({"Password": "Pass-word-1"}));
        let s = snippet(echo.as_bytes(), &scrub);
        assert!(!s.contains("Pass"), "{s}");
    }

    #[test]
    fn values_are_counted_outside_strings() {
        assert_eq!(count_values(b"{}"), 1);
        assert_eq!(count_values(br#"{"a":[1,2,3],"b":"x,[{\",y"}"#), 5);
        assert_eq!(count_values("[0,".repeat(10).as_bytes()), 20);
    }

    #[test]
    fn sizes_and_messages_are_shown_short() {
        assert_eq!(human_bytes(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human_bytes(50_000_000), "47.7 MiB");
        assert_eq!(human_bytes(812), "812 bytes");
        assert_eq!(shorten_to("abcdef", 3), "abc…(6 chars)");
        assert_eq!(shorten_to("abc", 3), "abc");
        assert_eq!(clean("a\u{1b}[2Jb"), "a[2Jb");
    }
}
