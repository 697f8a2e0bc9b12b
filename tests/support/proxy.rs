//! A recording HTTP proxy for tests: clients talk to it as if it were the pool; it forwards every
//! request to the real server unchanged and keeps each Cognito call (operation, request body,
//! status, response body) so a test can check them all against the API model afterwards.
//! Runs on its own tokio runtime thread, so synchronous tests (peers run as processes) can use it.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// One Cognito API call seen by the proxy.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub operation: String,
    pub request: Value,
    pub status: u16,
    pub response: Value,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    calls: Mutex<Vec<Recorded>>,
}

pub struct RecordingProxy {
    pub url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RecordingProxy {
    /// Starts a proxy on 127.0.0.1 in front of `upstream` (e.g. `http://127.0.0.1:41234`).
    pub fn start(upstream: &str) -> RecordingProxy {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .expect("HTTP client"),
            calls: Mutex::new(Vec::new()),
        });
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("proxy runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("proxy binds");
                let addr = listener.local_addr().expect("proxy address");
                let _ = url_tx.send(format!("http://{addr}"));
                let app = axum::Router::new().fallback(forward).with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
        });
        let url = url_rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the proxy started");
        RecordingProxy {
            url,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Every Cognito call so far, in order.
    pub fn calls(&self) -> Vec<Recorded> {
        self.shared
            .calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn forward(
    State(s): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut req = s
        .http
        .request(method.clone(), format!("{}{path}", s.upstream));
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "connection" | "transfer-encoding"
        ) {
            req = req.header(name, value);
        }
    }
    let resp = match req.body(body.clone()).send().await {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("recording proxy: upstream failed: {e}"),
            )
                .into_response();
        }
    };
    let status = resp.status();
    let resp_headers = resp.headers().clone();
    let resp_body = resp.bytes().await.unwrap_or_default();
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AWSCognitoIdentityProviderService."));
    if method == Method::POST
        && let Some(op) = target
    {
        s.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Recorded {
                operation: op.to_string(),
                request: serde_json::from_slice(&body).unwrap_or(Value::Null),
                status: status.as_u16(),
                response: serde_json::from_slice(&resp_body).unwrap_or(Value::Null),
            });
    }
    let mut out = (status, resp_body).into_response();
    for (name, value) in &resp_headers {
        if !matches!(
            name.as_str(),
            "content-length" | "connection" | "transfer-encoding"
        ) {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
