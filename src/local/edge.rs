//! The pool's HTTP edge, what stands between a socket and an operation:
//!
//! - **Connections** ([`serve`]): HTTP/1.1 with a header read timeout that also closes idle
//!   keep-alive connections, a bound on header bytes, and a cap on open connections (past it
//!   new ones wait in the listen backlog). A stalled client costs a socket for seconds.
//! - **Who may call** ([`guard`]): on a loopback bind the `Host` header must name a loopback
//!   address or `localhost` with the bound port, so DNS rebinding cannot make a web page
//!   same-origin with the pool. A request with an `Origin` header (every browser request a page
//!   makes) never reaches a SigV4 operation (see `server.rs`) or `/_local/*`. CORS is answered
//!   only for `POST /` (the unsigned operations Cognito serves browsers; the preflight allows
//!   no `Authorization`) and the JWKS.
//! - **Bodies**: at most [`EdgeLimits::max_body`] bytes, read within
//!   [`EdgeLimits::body_timeout`].
//! - **Errors**: every answer of the edge is Cognito-shaped (`{"__type", "message"}`, 404, 405,
//!   408, 413 included), and the `x-amzn-errormessage` header is bounded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot, watch};

use crate::cognito::types::AMZ_JSON_1_1;

use super::error::{ApiError, ErrorKind, echo};

/// Limits of the edge; [`EdgeLimits::default`] is what `serve` and the TUI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeLimits {
    /// Time to send a request's headers, counted from the connection's start or the end of the
    /// previous answer (so it is also the idle keep-alive timeout).
    pub header_timeout: Duration,
    /// Time to send a request's body once its headers are in.
    pub body_timeout: Duration,
    /// Open connections at most; more wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// Largest request body.
    pub max_body: usize,
    /// Largest request head (request line and headers).
    pub max_head: usize,
}

impl Default for EdgeLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_body: 1024 * 1024,
            max_head: 64 * 1024,
        }
    }
}

/// What the edge checks requests against.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The bound port, when `Host` must name loopback (a loopback bind); `None` accepts any
    /// host (a bind beyond loopback, where admin signatures are verified).
    loopback_port: Option<u16>,
    limits: EdgeLimits,
}

impl Edge {
    pub fn new(bound: SocketAddr, limits: EdgeLimits) -> Self {
        Self {
            loopback_port: bound.ip().is_loopback().then_some(bound.port()),
            limits,
        }
    }
}

/// Marks a response whose request a web page may read (CORS).
#[derive(Debug, Clone, Copy)]
pub struct CorsAllowed;

/// The most of an error message the `x-amzn-errormessage` header carries.
const MAX_ERROR_HEADER: usize = 256;

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn json_response(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

/// The most of a message an error body carries (operations cut what they repeat of the
/// input to [`echo`]'s prefix; this bounds whatever else).
const MAX_ERROR_MESSAGE: usize = 1024;

fn bounded(message: &str) -> std::borrow::Cow<'_, str> {
    if message.chars().count() <= MAX_ERROR_MESSAGE {
        return message.into();
    }
    let mut cut: String = message.chars().take(MAX_ERROR_MESSAGE - 3).collect();
    cut.push_str("...");
    cut.into()
}

/// `message` as a header value: printable ASCII (anything else becomes `?`), at most
/// [`MAX_ERROR_HEADER`] bytes.
fn header_text(message: &str) -> Option<HeaderValue> {
    let mut text: String = message
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .take(MAX_ERROR_HEADER)
        .collect();
    if message.chars().count() > MAX_ERROR_HEADER {
        text.truncate(MAX_ERROR_HEADER - 3);
        text.push_str("...");
    }
    HeaderValue::from_str(&text).ok()
}

/// A Cognito-shaped error answer with the status the error's kind has.
pub fn error_response(err: &ApiError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    error_with_status(err, status)
}

/// A Cognito-shaped error answer (`{"__type", "message"}`, `x-amzn-errortype`, a bounded
/// `x-amzn-errormessage`) with HTTP `status`.
pub fn error_with_status(err: &ApiError, status: StatusCode) -> Response {
    let body = json!({"__type": err.kind.as_str(), "message": bounded(&err.message)});
    let mut resp = json_response(status, AMZ_JSON_1_1, &body);
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{}:", err.kind)) {
        h.insert("x-amzn-errortype", v);
    }
    if let Some(v) = header_text(&err.message) {
        h.insert("x-amzn-errormessage", v);
    }
    resp
}

/// 404 for a path the pool does not serve.
pub async fn not_found(req: Request) -> Response {
    let path = req.uri().path();
    error_with_status(
        &ApiError::new(
            ErrorKind::NotFound,
            format!("No such resource: {}", echo(path)),
        ),
        StatusCode::NOT_FOUND,
    )
}

/// 405 for a method a path does not serve.
pub async fn method_not_allowed(req: Request) -> Response {
    error_with_status(
        &ApiError::new(
            ErrorKind::UnknownOperation,
            format!(
                "Method {} is not allowed on {}",
                echo(req.method().as_str()),
                echo(req.uri().path())
            ),
        ),
        StatusCode::METHOD_NOT_ALLOWED,
    )
}

fn access_denied(message: impl Into<String>) -> Response {
    error_with_status(
        &ApiError::new(ErrorKind::AccessDenied, message),
        StatusCode::FORBIDDEN,
    )
}

/// The refusal of a SigV4 operation or `/_local/*` called from a web page.
pub fn page_refused(what: &str) -> Response {
    access_denied(format!(
        "{what} is not served to web pages (the request has an Origin header); call it from a \
         program, with SigV4 where Cognito requires it"
    ))
}

/// Whether `host` (a `Host` header) names this loopback server on `port`.
fn is_loopback_host(host: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let (name, given_port) = match host.rsplit_once(':') {
        // `[::1]` alone has colons but no port.
        Some((n, p)) if !p.contains(']') && (n.ends_with(']') || !n.contains(':')) => {
            (n.to_string(), p.parse::<u16>().ok())
        }
        _ => (host.clone(), Some(80)),
    };
    if given_port != Some(port) {
        return false;
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    bare == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `path` is the JWKS of a pool (`/{poolId}/.well-known/jwks.json`).
fn is_jwks(path: &str) -> bool {
    path.strip_suffix("/.well-known/jwks.json")
        .and_then(|p| p.strip_prefix('/'))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// Headers a page may send on `POST /` (PROTOCOL.md §1: what Amplify sends). No
/// `Authorization` or other SigV4 header: a page's request cannot carry a signature.
const ALLOW_HEADERS: &str = "content-type, x-amz-target, x-amz-user-agent, \
    amz-sdk-invocation-id, amz-sdk-request, cache-control";
const EXPOSE_HEADERS: &str = "x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date";

fn add_cors(h: &mut HeaderMap) {
    h.insert(
        HeaderName::from_static("access-control-allow-origin"),
        HeaderValue::from_static("*"),
    );
    h.insert(
        HeaderName::from_static("access-control-expose-headers"),
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}

fn preflight(methods: &'static str) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    add_cors(h);
    h.insert(
        HeaderName::from_static("access-control-allow-methods"),
        HeaderValue::from_static(methods),
    );
    h.insert(
        HeaderName::from_static("access-control-allow-headers"),
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    h.insert(
        HeaderName::from_static("access-control-max-age"),
        HeaderValue::from_static("600"),
    );
    resp
}

/// The middleware in front of every route: the `Host` check, `/_local/*` kept from pages,
/// preflights, the body read with its bounds, and CORS on responses marked [`CorsAllowed`].
pub async fn guard(State(edge): State<Arc<Edge>>, req: Request, next: Next) -> Response {
    if let Some(port) = edge.loopback_port
        && let Some(host) = req.headers().get("host")
    {
        let ok = host.to_str().is_ok_and(|h| is_loopback_host(h, port));
        if !ok {
            let shown = String::from_utf8_lossy(host.as_bytes()).into_owned();
            return access_denied(format!(
                "The Host header {} does not name this server: it answers only to localhost \
                 and loopback addresses on port {port}",
                echo(&shown)
            ));
        }
    }
    let path = req.uri().path().to_string();
    let from_page = req.headers().contains_key("origin");
    if path.starts_with("/_local/") && from_page {
        return page_refused(&echo(&path));
    }
    if req.method() == Method::OPTIONS {
        return if path == "/" {
            preflight("POST")
        } else if is_jwks(&path) {
            preflight("GET")
        } else {
            method_not_allowed(req).await
        };
    }
    let req = if req.method() == Method::POST {
        match read_body(req, &edge.limits).await {
            Ok(r) => r,
            Err(resp) => return resp,
        }
    } else {
        req
    };
    let mut resp = next.run(req).await;
    if from_page && resp.extensions().get::<CorsAllowed>().is_some() {
        add_cors(resp.headers_mut());
    }
    resp
}

fn too_large(max: usize) -> Response {
    let mut resp = error_with_status(
        &ApiError::new(
            ErrorKind::RequestEntityTooLarge,
            format!("The request body is larger than {max} bytes"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    resp.headers_mut()
        .insert("connection", HeaderValue::from_static("close"));
    resp
}

/// Reads the whole body within the limits, so the handlers get it in memory.
async fn read_body(req: Request, limits: &EdgeLimits) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return Err(too_large(limits.max_body));
    }
    let max = limits.max_body;
    let read = async move {
        let mut stream = body.into_data_stream();
        let mut buf: Vec<u8> = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                error_response(&ApiError::serialization(
                    "The request body could not be read",
                ))
            })?;
            if buf.len() + chunk.len() > max {
                return Err(too_large(max));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    };
    match tokio::time::timeout(limits.body_timeout, read).await {
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(resp)) => Err(resp),
        Err(_) => {
            let mut resp = error_with_status(
                &ApiError::new(
                    ErrorKind::RequestTimeout,
                    format!(
                        "The request body did not arrive within {} s",
                        limits.body_timeout.as_secs()
                    ),
                ),
                StatusCode::REQUEST_TIMEOUT,
            );
            resp.headers_mut()
                .insert("connection", HeaderValue::from_static("close"));
            Err(resp)
        }
    }
}

/// Serves `app` on `listener` until `stop` fires, then lets open connections finish their
/// requests (idle ones close at once).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: EdgeLimits,
    mut stop: oneshot::Receiver<()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let slots = limits.max_connections.clamp(1, u32::MAX as usize);
    let permits = Arc::new(Semaphore::new(slots));
    let (closing_tx, closing_rx) = watch::channel(false);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "local pool: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(limits.max_head.max(8192));
        // Handlers that care who is calling (`/_local/reset`) read the peer address.
        let svc = TowerToHyperService::new(
            app.clone()
                .layer(axum::Extension(axum::extract::ConnectInfo(peer))),
        );
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let conn = builder.serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "local pool: connection ended");
                    }
                }
                _ = closing.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let _ = permits.acquire_many(slots as u32).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_must_name_loopback_and_the_bound_port() {
        for ok in [
            "127.0.0.1:9229",
            "localhost:9229",
            "LOCALHOST:9229",
            "[::1]:9229",
            "127.0.0.2:9229",
        ] {
            assert!(is_loopback_host(ok, 9229), "{ok}");
        }
        for bad in [
            "evil.example:9229",
            "127.0.0.1:9230",
            "127.0.0.1",
            "localhost.evil.example:9229",
            "10.0.0.1:9229",
            "[::1]",
            "",
        ] {
            assert!(!is_loopback_host(bad, 9229), "{bad}");
        }
        assert!(is_loopback_host("localhost", 80));
        assert!(is_loopback_host("[::1]", 80));
    }

    #[test]
    fn jwks_paths_are_one_segment_deep() {
        assert!(is_jwks("/us-east-1_abc/.well-known/jwks.json"));
        assert!(!is_jwks("/.well-known/jwks.json"));
        assert!(!is_jwks("/_local/x/.well-known/jwks.json"));
    }

    #[test]
    fn the_error_message_header_is_bounded_and_printable() {
        let long = "é".repeat(70_000);
        let v = header_text(&long).unwrap();
        assert!(v.len() <= MAX_ERROR_HEADER);
        assert!(v.to_str().unwrap().ends_with("..."));
        assert_eq!(header_text("Bad\r\nX: y").unwrap(), "Bad??X: y");
    }
}
