//! A hostile HTTP server on 127.0.0.1: it answers every request with one chosen misbehaviour
//! (a redirect to another origin, a 50 MB array, a body that never ends, tokens with absurd or
//! past expiries, an error that echoes the request body) and records every request it gets,
//! so a test can show what the client sent and where.
//!
//! Raw HTTP/1.1 over a `TcpListener` on a thread of its own (one thread per connection): no
//! framework between the test and the bytes, so a body can be as large or as endless as the
//! test wants without the server holding it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// How the server answers.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// `307 Temporary Redirect` to `location`, for every request.
    Redirect { location: String },
    /// `200` with a JSON array of `bytes` bytes, sent without a Content-Length (read until
    /// the connection closes), so only a streaming cap can stop it.
    HugeArray { bytes: usize },
    /// `200` with a JSON array of zeros of `bytes` bytes (with a Content-Length): small enough
    /// for the size limit, but a huge number of values.
    ManyValues { bytes: usize },
    /// `200` with a body that never ends (until the client hangs up).
    Endless,
    /// Answers InitiateAuth and GetTokensFromRefreshToken with tokens whose access and ID
    /// tokens carry this `exp` (and `iat`).
    Tokens { exp: i64, iat: i64 },
    /// `400 NotAuthorizedException` whose message is the request body, verbatim.
    EchoJsonError,
    /// `500` with an HTML page that quotes the request body.
    EchoHtml,
    /// A well-formed JSON answer: `{}` (what the redirect target would say).
    Empty,
    /// Answers InitiateAuth with a CUSTOM_CHALLENGE whose ChallengeParameters carry a value
    /// of `bytes` bytes: a large answer under the client's size limit.
    LargeChallenge { bytes: usize },
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    /// The operation, from `X-Amz-Target` (without Cognito's prefix).
    pub operation: String,
    pub body: String,
}

/// A running hostile server; it stops with the test process.
pub struct Hostile {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    pub fn start(behaviour: Behaviour) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (b, log) = (behaviour.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &b, &log));
            }
        });
        Hostile { url, seen }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How many requests of `operation` arrived.
    pub fn count(&self, operation: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.operation == operation)
            .count()
    }
}

/// An unsigned JWT with these claims (the client decodes, it does not verify).
pub fn jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2ln")
}

fn serve(stream: TcpStream, b: &Behaviour, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut out = stream;
    // Keep-alive: answer requests on this connection until it closes.
    loop {
        let Some(req) = read_request(&mut reader) else {
            return;
        };
        if let Ok(mut l) = log.lock() {
            l.push(req.clone());
        }
        if !answer(&mut out, b, &req) {
            return;
        }
    }
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (mut len, mut operation) = (0usize, String::new());
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => len = value.parse().ok()?,
            "x-amz-target" => {
                operation = value.rsplit('.').next().unwrap_or(value).to_string();
            }
            _ => {}
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Seen {
        path,
        operation,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Writes one answer; false when the connection should close.
fn answer(out: &mut TcpStream, b: &Behaviour, req: &Seen) -> bool {
    let json = "application/x-amz-json-1.1";
    match b {
        Behaviour::Redirect { location } => respond(
            out,
            "307 Temporary Redirect",
            json,
            &[("Location", location)],
            b"",
        ),
        Behaviour::HugeArray { bytes } => {
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Type: {json}\r\nConnection: close\r\n\r\n[");
            if out.write_all(head.as_bytes()).is_err() {
                return false;
            }
            let chunk = "1234567,".repeat(8 * 1024);
            let mut sent = 1;
            while sent + chunk.len() < *bytes {
                if out.write_all(chunk.as_bytes()).is_err() {
                    return false;
                }
                sent += chunk.len();
            }
            let _ = out.write_all(b"0]");
            false
        }
        Behaviour::Endless => {
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Type: {json}\r\nConnection: close\r\n\r\n");
            if out.write_all(head.as_bytes()).is_err() {
                return false;
            }
            let chunk = "{\"a\":".repeat(8 * 1024);
            while out.write_all(chunk.as_bytes()).is_ok() {}
            false
        }
        Behaviour::Tokens { exp, iat } => match req.operation.as_str() {
            "InitiateAuth" | "GetTokensFromRefreshToken" => {
                let access = jwt(&json!({
                    "sub": "u-hostile", "username": "mallory", "exp": exp, "iat": iat,
                    "token_use": "access", "origin_jti": "j-1"
                }));
                let id = jwt(&json!({
                    "sub": "u-hostile", "cognito:username": "mallory", "exp": exp, "iat": iat,
                    "token_use": "id"
                }));
                let body = json!({"AuthenticationResult": {
                    "AccessToken": access, "IdToken": id, "RefreshToken": "refresh-token-value-0123",
                    "ExpiresIn": 3600, "TokenType": "Bearer"
                }});
                respond(out, "200 OK", json, &[], body.to_string().as_bytes())
            }
            _ => respond(out, "200 OK", json, &[], b"{}"),
        },
        Behaviour::EchoJsonError => {
            let body = json!({
                "__type": "NotAuthorizedException",
                "message": format!("cannot parse request {}", req.body),
            });
            respond(
                out,
                "400 Bad Request",
                json,
                &[],
                body.to_string().as_bytes(),
            )
        }
        Behaviour::EchoHtml => {
            let page = format!(
                "<html><body><h1>500 Internal Server Error</h1><pre>{}</pre></body></html>",
                req.body
            );
            respond(
                out,
                "500 Internal Server Error",
                "text/html",
                &[],
                page.as_bytes(),
            )
        }
        Behaviour::Empty => respond(out, "200 OK", json, &[], b"{}"),
        Behaviour::ManyValues { bytes } => {
            let mut body = "0,".repeat(bytes / 2);
            body.replace_range(0..1, "[");
            body.replace_range(body.len() - 1.., "]");
            respond(out, "200 OK", json, &[], body.as_bytes())
        }
        Behaviour::LargeChallenge { bytes } => {
            let body = json!({
                "ChallengeName": "CUSTOM_CHALLENGE",
                "Session": "AYABeHostileSession0123456789",
                "ChallengeParameters": {"USERNAME": "mallory", "blob": "q".repeat(*bytes)},
            });
            respond(out, "200 OK", json, &[], body.to_string().as_bytes())
        }
    }
}

fn respond(
    out: &mut TcpStream,
    status: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> bool {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes()).is_ok() && out.write_all(body).is_ok()
}
