//! Drawing the Users view: the filter line, the count and the table (only the visible
//! window is built), and the footer's hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell as TableCell, Paragraph, Row, Table, Wrap};

use super::dialog::Dialog;
use super::filter;
use super::format::{date, thousands};
use super::state::UsersScreen;
use crate::admin::UserRow;
use crate::tui::context::Context;
use crate::tui::shared::SPINNER;
use crate::tui::theme::Theme;
use crate::tui::widgets::truncate;

// --------------------------------------------------------------------------------------
// Drawing
// --------------------------------------------------------------------------------------

impl UsersScreen {
    /// The Users screen inside the main pane.
    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context, now_ms: i64) {
        render(self, ctx, frame, area, now_ms);
    }
}

/// The footer's hints for the Users screen.
pub fn footer_hints(u: &UsersScreen) -> Vec<(&'static str, &'static str)> {
    match &u.dialog {
        Some(Dialog::Confirm(_)) => return vec![("Enter/y", "confirm"), ("Esc/n", "cancel")],
        Some(Dialog::Form(_)) => {
            return vec![
                ("Tab", "next"),
                ("Space", "toggle"),
                ("Enter", "submit"),
                ("Esc", "cancel"),
            ];
        }
        Some(Dialog::Menu { .. }) => {
            return vec![("↑↓", "select"), ("Enter/key", "run"), ("Esc", "close")];
        }
        Some(Dialog::Groups { .. }) => {
            return vec![
                ("↑↓", "select"),
                ("Enter", "add/remove"),
                ("n", "new group"),
                ("r", "reload"),
                ("Esc", "close"),
            ];
        }
        None => {}
    }
    if u.filter_form.focus.is_some() {
        return vec![("Tab", "complete"), ("Enter", "apply"), ("Esc", "cancel")];
    }
    if u.detail.is_some() {
        return vec![
            ("Esc", "close"),
            ("↑↓", "scroll"),
            ("a", "actions"),
            ("r", "refresh"),
            ("y/Y", "copy name/sub"),
        ];
    }
    let mut v = vec![
        ("/", "filter"),
        ("Enter", "details"),
        ("a", "actions"),
        ("n", "new"),
        ("d/e", "disable/enable"),
        ("y/Y", "copy"),
        ("r", "reload"),
    ];
    if u.filter.is_some() {
        v.insert(1, ("Esc", "clear filter"));
    }
    v
}

/// The spinner frame `now_ms`; `since_ms` 0 means "started at an unknown time".
fn spinner(since_ms: i64, now_ms: i64) -> char {
    let since = if since_ms == 0 { now_ms } else { since_ms };
    SPINNER[((now_ms - since).max(0) / 100) as usize % SPINNER.len()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Username,
    Status,
    Enabled,
    Email,
    Phone,
    Mfa,
    Created,
    Modified,
}

impl Col {
    const ALL: [Col; 8] = [
        Col::Username,
        Col::Status,
        Col::Enabled,
        Col::Email,
        Col::Phone,
        Col::Mfa,
        Col::Created,
        Col::Modified,
    ];
    /// Dropped first when the terminal is narrow.
    const DROP_ORDER: [Col; 6] = [
        Col::Modified,
        Col::Mfa,
        Col::Phone,
        Col::Created,
        Col::Enabled,
        Col::Email,
    ];

    fn title(self) -> &'static str {
        match self {
            Col::Username => "Username",
            Col::Status => "Status",
            Col::Enabled => "Enabled",
            Col::Email => "Email",
            Col::Phone => "Phone",
            Col::Mfa => "MFA",
            Col::Created => "Created (UTC)",
            Col::Modified => "Modified (UTC)",
        }
    }

    fn min(self) -> usize {
        match self {
            Col::Username => 8,
            Col::Status => 10,
            Col::Enabled => 7,
            Col::Email => 12,
            Col::Phone => 10,
            Col::Mfa => 4,
            Col::Created => 16,
            Col::Modified => 16,
        }
    }

    /// The width a column keeps before less important columns are dropped.
    fn comfortable(self) -> usize {
        match self {
            Col::Username => 22,
            Col::Email => 26,
            Col::Phone => 15,
            // The rest keep their content's width until the second stage.
            other => other.max(),
        }
    }

    fn max(self) -> usize {
        match self {
            Col::Username => 32,
            Col::Status => 21,
            Col::Enabled => 7,
            Col::Email => 40,
            Col::Phone => 18,
            Col::Mfa => 20,
            Col::Created => 16,
            Col::Modified => 16,
        }
    }
}

/// Columns that fit `width`, and their widths, for the rows on screen. The username and email
/// keep a readable width (`Col::comfortable`) before a less important column is dropped; only
/// when nothing else can go are they cut down to their minimum.
fn layout_columns(width: usize, u: &UsersScreen, rows: &[UserRow]) -> Vec<(Col, usize)> {
    let content = |c: Col| -> usize {
        let longest = rows
            .iter()
            .map(|r| match c {
                Col::Username => r.username.chars().count(),
                Col::Status => r.status.chars().count(),
                Col::Email => r
                    .attributes
                    .get("email")
                    .map_or(0, |e| e.chars().count() + 2),
                Col::Phone => r
                    .attributes
                    .get("phone_number")
                    .map_or(0, |e| e.chars().count() + 2),
                Col::Mfa => u.mfa_text(r).chars().count(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        longest
            .max(c.title().chars().count())
            .clamp(c.min(), c.max())
    };
    let total = |o: &[(Col, usize)]| -> usize {
        o.iter().map(|(_, w)| w).sum::<usize>() + o.len().saturating_sub(1)
    };
    // Shrinks the columns in `order` towards `floor(col)` until the row fits; what is still
    // too much is returned.
    fn shrink(
        out: &mut [(Col, usize)],
        mut excess: usize,
        order: &[Col],
        floor: impl Fn(Col) -> usize,
    ) -> usize {
        for c in order {
            if excess == 0 {
                break;
            }
            if let Some((_, w)) = out.iter_mut().find(|(x, _)| x == c) {
                let cut = excess.min(w.saturating_sub(floor(*c)));
                *w -= cut;
                excess -= cut;
            }
        }
        excess
    }
    // 1. Drop the least important columns while username and email keep a readable width.
    // 2. Then cut every column down to its minimum. 3. Then drop the rest in order.
    let layout = |cols: &[Col], floor: &dyn Fn(Col) -> usize| -> (Vec<(Col, usize)>, usize) {
        let mut out: Vec<(Col, usize)> = cols.iter().map(|c| (*c, content(*c))).collect();
        let excess = total(&out).saturating_sub(width);
        let order = [Col::Email, Col::Username, Col::Phone, Col::Mfa, Col::Status];
        let left = shrink(&mut out, excess, &order, floor);
        (out, left)
    };
    let comfortable = |c: Col| c.comfortable().min(content(c));
    let mut cols: Vec<Col> = Col::ALL.to_vec();
    let (soft, hard) = Col::DROP_ORDER.split_at(4);
    let mut soft = soft.iter();
    let (mut out, mut excess) = layout(&cols, &comfortable);
    while excess > 0 {
        let Some(d) = soft.next() else { break };
        cols.retain(|c| c != d);
        (out, excess) = layout(&cols, &comfortable);
    }
    if excess > 0 {
        (out, excess) = layout(&cols, &Col::min);
        let mut hard = hard.iter();
        while excess > 0 {
            let Some(d) = hard.next() else { break };
            cols.retain(|c| c != d);
            (out, excess) = layout(&cols, &Col::min);
        }
    }
    // Room left over goes back to the columns that were cut (email first).
    let mut spare = width.saturating_sub(total(&out));
    for c in [Col::Email, Col::Username, Col::Phone] {
        if let Some((_, w)) = out.iter_mut().find(|(x, _)| *x == c) {
            let grow = spare.min(content(c).saturating_sub(*w));
            *w += grow;
            spare -= grow;
        }
    }
    // Still too wide (a very narrow terminal): the last column takes what is left.
    if excess > 0
        && let Some((_, w)) = out.last_mut()
    {
        *w = w.saturating_sub(excess).max(1);
    }
    out
}

fn verified_cell<'a>(
    value: Option<&String>,
    verified: Option<&String>,
    w: usize,
    t: &Theme,
) -> Line<'a> {
    match value {
        None => Line::styled("-", t.dim()),
        Some(v) => {
            let ok = verified.is_some_and(|x| x == "true");
            Line::from(vec![
                Span::raw(format!(
                    "{:<width$}",
                    truncate(v, w.saturating_sub(2)),
                    width = w.saturating_sub(2)
                )),
                Span::raw(" "),
                if ok {
                    Span::styled("✓", t.ok())
                } else {
                    Span::styled("✗", t.dim())
                },
            ])
        }
    }
}

/// How many lines greedy word wrapping at `width` columns makes of `text` (as ratatui's
/// `Wrap` does; a word longer than the line is broken).
fn wrapped_lines(text: &str, width: usize) -> usize {
    let mut lines = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        let need = if used == 0 { w } else { used + 1 + w };
        if need <= width {
            used = need;
        } else if w <= width {
            lines += 1;
            used = w;
        } else {
            // A long word: continues on the current line, broken across as many as it needs.
            let total = if used == 0 { w } else { used + 1 + w };
            lines += (total - 1) / width;
            used = (total - 1) % width + 1;
        }
    }
    lines
}

fn status_style(t: &Theme, status: &str) -> Style {
    match status {
        "CONFIRMED" => t.ok(),
        "UNCONFIRMED" | "FORCE_CHANGE_PASSWORD" | "RESET_REQUIRED" => t.key(),
        "COMPROMISED" | "ARCHIVED" => t.error(),
        _ => t.base(),
    }
}

/// The Users screen inside the main pane.
pub fn render(u: &UsersScreen, ctx: &Context, frame: &mut Frame, area: Rect, now_ms: i64) {
    let t = &ctx.theme;
    if area.height < 3 || area.width < 4 {
        return;
    }
    let mut y = area.y;
    let line = |y: u16| Rect::new(area.x, y, area.width, 1);
    // The filter box (or the filter in force).
    if u.filter_form.focus.is_some() {
        u.filter_form.render(frame, line(y), t);
        y += 1;
        let text = u.filter_form.raw("filter");
        let c = filter::candidates(&text);
        let hint = if c.is_empty() {
            Line::styled(
                "Enter applies · Esc cancels · e.g. email ^= \"ann\", status = \"Disabled\"",
                t.dim(),
            )
        } else {
            Line::from(vec![
                Span::styled("Tab ", t.key()),
                Span::styled(c.join("  "), t.dim()),
            ])
        };
        frame.render_widget(hint, line(y));
        y += 1;
    } else {
        let spans = match &u.filter {
            Some(f) => vec![
                Span::styled("Filter  ", t.label()),
                Span::styled(f.clone(), t.input()),
                Span::styled("  / edit · Esc clears", t.dim()),
            ],
            None => vec![
                Span::styled("Filter  ", t.label()),
                Span::styled("none · / to filter (email ^= \"ann\" …)", t.dim()),
            ],
        };
        frame.render_widget(Line::from(spans), line(y));
        y += 1;
    }
    if y >= area.bottom() {
        return;
    }
    // The count, with a spinner while something is on its way.
    let mut spans = Vec::new();
    if u.loaded {
        let n = thousands(u.rows.len());
        spans.push(Span::styled(
            if u.next_token.is_some() {
                format!("{n} loaded, more available")
            } else {
                format!("all {n} loaded")
            },
            t.title(),
        ));
        if !u.rows.is_empty() {
            spans.push(Span::styled(
                format!(" · row {}", thousands(u.selected + 1)),
                t.dim(),
            ));
        }
    }
    if let Some(p) = &u.pending {
        let what = match (&p.token, u.loaded) {
            (_, false) => "loading users (ListUsers)…".to_string(),
            (Some(_), true) => format!("loading page {}…", u.pages + 1),
            (None, true) => "applying the filter…".to_string(),
        };
        spans.push(Span::styled(
            format!(
                "{}{} {what}",
                if u.loaded { " · " } else { "" },
                spinner(p.since_ms, now_ms)
            ),
            t.key(),
        ));
    }
    for (op, who, since) in &u.acting {
        spans.push(Span::styled(
            format!(" · {} {op} {who}…", spinner(*since, now_ms)),
            t.key(),
        ));
    }
    if spans.is_empty() {
        spans.push(Span::styled("Press r to list the pool's users.", t.dim()));
    }
    frame.render_widget(Line::from(spans), line(y));
    y += 1;
    // A credentials problem has its own box below: the same error is not repeated here.
    if let Some(e) = &u.list_error
        && y < area.bottom()
        && u.credentials.as_ref().is_none_or(|c| c.code != e.code)
    {
        let what = if e.code.contains("InvalidParameter") {
            "Filter rejected"
        } else {
            "ListUsers failed"
        };
        frame.render_widget(
            Line::from(vec![
                Span::styled(format!("{what}: {}: ", e.code), t.error()),
                Span::styled(e.message.clone(), t.error()),
            ]),
            line(y),
        );
        y += 1;
    }
    if let Some(c) = &u.credentials
        && y < area.bottom()
    {
        let text = vec![
            Line::styled(format!("{}: {}", c.code, c.message), t.error()),
            Line::styled(
                format!(
                    "{} needs AWS credentials allowed to call it: set AWS_PROFILE or \
                     --profile, or run `aws sso login`, then press r. Sign-in, sign-up and \
                     the other auth screens keep working.",
                    c.operation
                ),
                t.dim(),
            ),
        ];
        // Tall enough for the word-wrapped text.
        let inner = usize::from(area.width.saturating_sub(2)).max(1);
        let lines: usize = text
            .iter()
            .map(|l| wrapped_lines(&l.to_string(), inner))
            .sum();
        let h = (area.bottom() - y).min(u16::try_from(lines + 2).unwrap_or(u16::MAX));
        let box_area = Rect::new(area.x, y, area.width, h);
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(
                Block::bordered()
                    .title(Span::styled(" Admin calls are not authorized ", t.error()))
                    .border_style(t.error()),
            ),
            box_area,
        );
        y += h;
    }
    if y >= area.bottom() {
        return;
    }
    let table_area = Rect::new(area.x, y, area.width, area.bottom() - y);
    if u.loaded && u.rows.is_empty() {
        let msg = if u.filter.is_some() {
            "No user matches the filter (Esc clears it)."
        } else {
            "No users in this pool yet (n creates one)."
        };
        frame.render_widget(Line::styled(msg, t.dim()), table_area);
        return;
    }
    // Only the visible window of rows is built.
    let visible = table_area.height.saturating_sub(1) as usize;
    u.viewport.set(visible.max(1));
    if visible == 0 {
        return;
    }
    let mut off = u.offset.get();
    if u.selected < off {
        off = u.selected;
    } else if u.selected >= off + visible {
        off = u.selected + 1 - visible;
    }
    off = off.min(u.rows.len().saturating_sub(visible));
    u.offset.set(off);
    let end = (off + visible).min(u.rows.len());
    let window = &u.rows[off..end];
    let cols = layout_columns(table_area.width as usize, u, window);
    let rows: Vec<Row> = window
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells: Vec<TableCell> = cols
                .iter()
                .map(|(c, w)| match c {
                    Col::Username => TableCell::from(truncate(&r.username, *w)),
                    Col::Status => TableCell::from(Span::styled(
                        truncate(&r.status, *w),
                        status_style(t, &r.status),
                    )),
                    Col::Enabled => TableCell::from(if r.enabled {
                        Span::raw("yes")
                    } else {
                        Span::styled("no", t.error())
                    }),
                    Col::Email => TableCell::from(verified_cell(
                        r.attributes.get("email"),
                        r.attributes.get("email_verified"),
                        *w,
                        t,
                    )),
                    Col::Phone => TableCell::from(verified_cell(
                        r.attributes.get("phone_number"),
                        r.attributes.get("phone_number_verified"),
                        *w,
                        t,
                    )),
                    Col::Mfa => TableCell::from(truncate(&u.mfa_text(r), *w)),
                    Col::Created => TableCell::from(date(r.created)),
                    Col::Modified => TableCell::from(date(r.modified)),
                })
                .collect();
            let row = Row::new(cells);
            if off + i == u.selected {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|(_, w)| Constraint::Length(*w as u16))
        .collect();
    let header: Vec<String> = cols.iter().map(|(c, w)| truncate(c.title(), *w)).collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.label()))
        .column_spacing(1);
    frame.render_widget(table, table_area);
}
