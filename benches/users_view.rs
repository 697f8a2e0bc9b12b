//! Drawing the Users view with 10,000 rows loaded, on a 200×50 TestBackend (the issue's
//! bound: ≤ 2 ms a frame; only the visible rows are built).
//!
//! `cargo bench --bench users_view`

use std::collections::BTreeMap;
use std::hint::black_box;

use cognito_tui::admin::{AdminEvent, UserRow};
use cognito_tui::tui::App;
use cognito_tui::tui::demo::{self, NOW_MS};
use cognito_tui::tui::screens::Screen;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn rows(n: usize) -> Vec<UserRow> {
    (0..n)
        .map(|i| UserRow {
            username: format!("user{i:05}"),
            status: if i % 5 == 0 {
                "FORCE_CHANGE_PASSWORD".into()
            } else {
                "CONFIRMED".into()
            },
            enabled: i % 9 != 0,
            attributes: BTreeMap::from([
                ("email".into(), format!("user{i:05}@example.com")),
                ("email_verified".into(), (i % 3 != 0).to_string()),
                ("phone_number".into(), format!("+1555{i:07}")),
                ("phone_number_verified".into(), "false".into()),
                ("sub".into(), format!("5a1c0de0-0000-4000-8000-{i:012}")),
            ]),
            created: NOW_MS / 1000 - i as i64,
            modified: NOW_MS / 1000,
            mfa: Vec::new(),
        })
        .collect()
}

fn app_with(n: usize) -> App {
    let mut app = demo::signed_in();
    app.goto(Screen::Users);
    app.on_admin_event(
        AdminEvent::UsersPage {
            filter: None,
            request_token: None,
            users: rows(n),
            next_token: Some("more".into()),
        },
        NOW_MS,
    );
    app
}

fn bench(c: &mut Criterion) {
    let mut term = match Terminal::new(TestBackend::new(200, 50)) {
        Ok(t) => t,
        Err(never) => match never {},
    };
    let mut app = app_with(10_000);
    // The Users view alone (filter line, count, table) over the whole 200x50 area.
    c.bench_function("users_view_only_10k_rows_200x50", |b| {
        b.iter(|| {
            term.draw(|f| {
                let area = f.area();
                app.users.draw(f, area, &app.ctx, black_box(NOW_MS))
            })
            .ok();
        })
    });
    // For comparison: the whole app frame on the Sign-in screen (header, form, inspector,
    // status pane, footer) with the same 10,000 users loaded.
    app.goto(Screen::SignIn);
    c.bench_function("app_frame_sign_in_screen_200x50", |b| {
        b.iter(|| {
            term.draw(|f| app.render(f, black_box(NOW_MS))).ok();
        })
    });
    app.goto(Screen::Users);
    c.bench_function("users_view_frame_10k_rows_200x50_top", |b| {
        b.iter(|| {
            term.draw(|f| app.render(f, black_box(NOW_MS))).ok();
        })
    });
    // In the middle of the list (the window is the same size wherever it is).
    let _prefetch = app.users.select(5_000, NOW_MS);
    assert_eq!(app.users.selected, 5_000);
    c.bench_function("users_view_frame_10k_rows_200x50_middle", |b| {
        b.iter(|| {
            term.draw(|f| app.render(f, black_box(NOW_MS))).ok();
        })
    });
    // The detail panel open over the list.
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), NOW_MS);
    c.bench_function("users_view_frame_10k_rows_200x50_detail", |b| {
        b.iter(|| {
            term.draw(|f| app.render(f, black_box(NOW_MS))).ok();
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
