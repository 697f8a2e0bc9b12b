//! The Users screen: ListUsers one page (Limit 60) at a time, with a stack of the
//! PaginationTokens that led to each page so `p` can go back; Enter shows a user's
//! attributes.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Wrap};

use crate::admin::{AdminCommand, UserRow};
use crate::tui::App;
use crate::tui::app::{Action, USERS_PAGE_LIMIT};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::truncate;

#[derive(Debug, Clone)]
pub struct UsersState {
    /// ListUsers' Filter (`email ^= "al"`, `status = "UNCONFIRMED"`, ...).
    pub filter_form: Form,
    /// The token each visited page was requested with; the last is the current page.
    pub tokens: Vec<Option<String>>,
    pub users: Vec<UserRow>,
    pub next_token: Option<String>,
    pub selected: usize,
    pub detail: bool,
    pub loaded: bool,
    pub loading: bool,
    pub filter: Option<String>,
}

impl Default for UsersState {
    fn default() -> Self {
        Self {
            filter_form: Form::new(vec![Field::text("filter", "Filter").with_hint("/ to edit")]),
            tokens: Vec::new(),
            users: Vec::new(),
            next_token: None,
            selected: 0,
            detail: false,
            loaded: false,
            loading: false,
            filter: None,
        }
    }
}

impl UsersState {
    pub fn request(&mut self, token: Option<String>, filter: Option<String>) -> Action {
        self.loading = true;
        self.filter = filter.clone();
        Action::Admin(AdminCommand::ListUsers {
            filter,
            pagination_token: token,
            limit: USERS_PAGE_LIMIT,
        })
    }

    pub fn page_number(&self) -> usize {
        self.tokens.len().max(1)
    }

    pub fn next_page(&mut self) -> Option<Action> {
        let next = self.next_token.clone()?;
        Some(self.request(Some(next), self.filter.clone()))
    }

    pub fn prev_page(&mut self) -> Option<Action> {
        if self.tokens.len() < 2 {
            return None;
        }
        let prev = self.tokens[self.tokens.len() - 2].clone();
        Some(self.request(prev, self.filter.clone()))
    }

    pub fn reload(&mut self) -> Action {
        let cur = self.tokens.last().cloned().flatten();
        self.request(cur, self.filter.clone())
    }

    pub fn apply_page(
        &mut self,
        request_token: Option<String>,
        users: Vec<UserRow>,
        next_token: Option<String>,
    ) {
        match self.tokens.iter().position(|t| *t == request_token) {
            // Going back (or reloading): drop the pages after it.
            Some(i) => self.tokens.truncate(i + 1),
            None if request_token.is_none() => self.tokens = vec![None],
            None => self.tokens.push(request_token),
        }
        self.users = users;
        self.next_token = next_token;
        self.selected = self.selected.min(self.users.len().saturating_sub(1));
        self.loaded = true;
        self.loading = false;
        self.detail = false;
    }

    pub fn selected_user(&self) -> Option<&UserRow> {
        self.users.get(self.selected)
    }
}

fn date(unix_s: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_s)
        .map(|d| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                d.year(),
                d.month() as u8,
                d.day(),
                d.hour(),
                d.minute()
            )
        })
        .unwrap_or_else(|_| unix_s.to_string())
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let u = &app.users;
    if area.height < 3 {
        return;
    }
    u.filter_form
        .render(frame, Rect::new(area.x, area.y, area.width, 1), t);
    let area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    if !u.loaded {
        let msg = if u.loading {
            "Loading users (ListUsers)…"
        } else {
            "Press r to list the pool's users."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, t.dim())).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    if area.height < 2 {
        return;
    }
    let summary = Line::from(vec![
        Span::styled(format!("Page {}", u.page_number()), t.title()),
        Span::styled(
            format!(
                " · {} users{}{}{}",
                u.users.len(),
                if u.loading { " · loading…" } else { "" },
                if u.next_token.is_some() {
                    " · n: next page"
                } else {
                    " · last page"
                },
                if u.tokens.len() > 1 {
                    " · p: previous"
                } else {
                    ""
                }
            ),
            t.dim(),
        ),
    ]);
    frame.render_widget(summary, Rect::new(area.x, area.y, area.width, 1));
    let table_area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    if u.users.is_empty() {
        frame.render_widget(Line::styled("No users.", t.dim()), table_area);
        return;
    }
    // Only the visible window of rows is built.
    let visible = table_area.height.saturating_sub(1) as usize;
    let start = if visible == 0 {
        0
    } else {
        u.selected.saturating_sub(visible.saturating_sub(1))
    };
    let wide = area.width >= 60;
    let rows: Vec<Row> = u
        .users
        .iter()
        .enumerate()
        .skip(start)
        .take(visible)
        .map(|(i, r)| {
            let status_style = match r.status.as_str() {
                "CONFIRMED" => t.ok(),
                "UNCONFIRMED" | "FORCE_CHANGE_PASSWORD" | "RESET_REQUIRED" => t.key(),
                _ => t.base(),
            };
            let mut cells = vec![
                Cell::from(r.username.clone()),
                Cell::from(Span::styled(r.status.clone(), status_style)),
                Cell::from(if r.enabled { "yes" } else { "no" }),
                Cell::from(r.attributes.get("email").cloned().unwrap_or_default()),
            ];
            if wide {
                cells.push(Cell::from(date(r.created)));
            }
            let row = Row::new(cells);
            if i == u.selected {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let mut widths = vec![
        Constraint::Min(10),
        Constraint::Length(13),
        Constraint::Length(4),
        Constraint::Min(10),
    ];
    let mut header = vec!["Username", "Status", "On", "email"];
    if wide {
        widths.push(Constraint::Length(16));
        header.push("Created (UTC)");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.label()))
        .column_spacing(1);
    frame.render_widget(table, table_area);
}

pub fn render_detail(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(user) = app.users.selected_user() else {
        return;
    };
    let w = area.width.saturating_sub(4).min(70);
    let h = area
        .height
        .saturating_sub(2)
        .min(user.attributes.len() as u16 + 7);
    if w < 10 || h < 3 {
        return;
    }
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Status  ", t.label()),
            Span::raw(user.status.clone()),
            Span::styled("  Enabled ", t.label()),
            Span::raw(if user.enabled { "yes" } else { "no" }),
        ]),
        Line::from(vec![
            Span::styled("Created ", t.label()),
            Span::raw(date(user.created)),
            Span::styled("  Modified ", t.label()),
            Span::raw(date(user.modified)),
        ]),
        Line::raw(""),
    ];
    let attrs: &BTreeMap<String, String> = &user.attributes;
    let kw = attrs
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    for (k, v) in attrs {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:<kw$} "), t.json_key()),
            Span::raw(truncate(v, (w as usize).saturating_sub(kw + 4))),
        ]));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(Span::styled(format!(" {} ", user.username), t.title()))
                .title_bottom(Span::styled(" Esc close ", t.dim()))
                .border_style(t.border_focused()),
        ),
        popup,
    );
}
