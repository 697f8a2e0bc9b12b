//! A frame of the app with the inspector showing a 20 MB exchange costs about the same as one
//! with a 2 KB exchange: the exchange is formatted once (large values abbreviated) into the
//! inspector's row cache, and a frame draws only the rows in view. Prints the one-off cost of
//! the first frame after each exchange arrives (the cache being filled) before the benchmarks.
//!
//! `cargo bench --bench inspector`

use std::hint::black_box;
use std::time::Instant;

use cognito_tui::auth::events::AuthEvent;
use cognito_tui::cognito::WireExchange;
use cognito_tui::tui::App;
use cognito_tui::tui::demo::{self, NOW_MS};
use cognito_tui::tui::screens::Screen;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

/// A response of about `bytes` bytes: ListUsers-like rows and one long string.
fn response(bytes: usize) -> Value {
    let user = |i: usize| {
        json!({"Username": format!("user{i:07}"), "Enabled": true, "UserStatus": "CONFIRMED",
               "Attributes": [{"Name": "email", "Value": format!("user{i:07}@example.com")},
                              {"Name": "sub", "Value": format!("5a1c0de0-0000-4000-8000-{i:012}")}]})
    };
    let per_user = user(0).to_string().len() + 1;
    let n = (bytes / 2) / per_user;
    let users: Vec<Value> = (0..n.max(1)).map(user).collect();
    let blob = "b".repeat(bytes.saturating_sub(n * per_user).saturating_sub(64));
    json!({"Users": users, "Blob": blob})
}

fn exchange(id: u64, bytes: usize) -> WireExchange {
    let mut x = demo::exchange(id, "InitiateAuth", NOW_MS);
    x.response = response(bytes);
    x
}

fn bench(c: &mut Criterion) {
    let mut term = match Terminal::new(TestBackend::new(200, 50)) {
        Ok(t) => t,
        Err(never) => match never {},
    };
    for (name, bytes) in [("2KB", 2 * 1024), ("20MB", 20 * 1024 * 1024)] {
        let mut app: App = demo::signed_in();
        app.goto(Screen::Challenge);
        let x = exchange(900, bytes);
        let size = x.response.to_string().len();
        app.on_auth_event(AuthEvent::Exchange(x), NOW_MS);
        let t0 = Instant::now();
        term.draw(|f| app.render(f, NOW_MS)).ok();
        eprintln!(
            "inspector {name}: response of {size} bytes; first frame (formats the exchange) {:?}",
            t0.elapsed()
        );
        c.bench_function(
            &format!("app_frame_inspector_{name}_exchange_200x50"),
            |b| {
                b.iter(|| {
                    term.draw(|f| app.render(f, black_box(NOW_MS))).ok();
                })
            },
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
