//! What the Users view draws over the body: the detail panel and the dialogs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::dialog::{ACTIONS, Dialog};
use super::format::date;
use super::state::{UsersScreen, member_of};
use crate::admin::{SettingsError, UserDetail, UserRow};
use crate::tui::context::Context;
use crate::tui::shared::SPINNER;
use crate::tui::theme::Theme;
use crate::tui::widgets::duration;

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The detail panel and the open dialog, over `area` (the body).
pub fn render(u: &UsersScreen, ctx: &Context, frame: &mut Frame, area: Rect, now_ms: i64) {
    if area.width < 12 || area.height < 5 {
        return;
    }
    if u.detail.is_some() {
        render_detail(u, ctx, frame, area, now_ms);
    }
    if let Some(d) = &u.dialog {
        render_dialog(u, ctx, d, frame, area);
    }
}

fn error_line(t: &Theme, e: &SettingsError) -> Line<'static> {
    Line::styled(
        format!("  {} failed: {}: {}", e.operation, e.code, e.message),
        t.error(),
    )
}

fn detail_lines(
    t: &Theme,
    row: Option<&UserRow>,
    detail: Option<&UserDetail>,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let errors: &[SettingsError] = detail.map_or(&[], |d| d.errors.as_slice());
    fn err_for<'e>(
        errors: &'e [SettingsError],
        ops: &'static [&'static str],
    ) -> impl Iterator<Item = &'e SettingsError> {
        errors
            .iter()
            .filter(move |e| ops.contains(&e.operation.as_str()))
    }
    for e in err_for(errors, &["AdminGetUser", "GetUser"]) {
        lines.push(error_line(t, e));
    }
    if let Some(r) = row {
        lines.push(Line::from(vec![
            Span::styled("Status   ", t.label()),
            Span::styled(r.status.clone(), t.title()),
            Span::styled("   Enabled ", t.label()),
            if r.enabled {
                Span::styled("yes", t.ok())
            } else {
                Span::styled("no (disabled)", t.error())
            },
        ]));
        lines.push(Line::from(vec![
            Span::styled("Created  ", t.label()),
            Span::raw(date(r.created)),
            Span::styled("   Modified ", t.label()),
            Span::raw(date(r.modified)),
        ]));
    }
    // MFA
    match detail {
        Some(d) if d.user.is_some() => {
            lines.push(Line::from(vec![
                Span::styled("MFA      ", t.label()),
                Span::raw(format!(
                    "preferred {} · enabled {}",
                    d.preferred_mfa.as_deref().unwrap_or("none"),
                    if d.mfa_settings.is_empty() {
                        "none".to_string()
                    } else {
                        d.mfa_settings.join(", ")
                    }
                )),
            ]));
        }
        Some(_) => {}
        None => lines.push(Line::from(vec![
            Span::styled("MFA      ", t.label()),
            Span::styled("reading…", t.dim()),
        ])),
    }
    if let Some(r) = row
        && !r.mfa.is_empty()
    {
        lines.push(Line::from(vec![
            Span::styled("MFAOptions ", t.label()),
            Span::raw(r.mfa.join(", ")),
        ]));
    }
    // Attributes
    if let Some(r) = row {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Attributes ({})", r.attributes.len()),
            t.title(),
        ));
        let kw = r
            .attributes
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0)
            .min(28);
        for (k, v) in &r.attributes {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<kw$} "), t.json_key()),
                Span::raw(crate::tui::widgets::truncate(
                    v,
                    width.saturating_sub(kw + 4).max(4),
                )),
            ]));
        }
    }
    // Groups
    lines.push(Line::raw(""));
    match detail {
        None => lines.push(Line::styled("Groups   reading…", t.dim())),
        Some(d) => match &d.groups {
            Some(gs) => {
                lines.push(Line::styled(format!("Groups ({})", gs.len()), t.title()));
                if gs.is_empty() {
                    lines.push(Line::styled("  in no group (g adds one)", t.dim()));
                }
                for g in gs {
                    let mut spans = vec![Span::styled(format!("  {}", g.name), t.base())];
                    if let Some(p) = g.precedence {
                        spans.push(Span::styled(format!("  precedence {p}"), t.dim()));
                    }
                    if let Some(desc) = &g.description {
                        spans.push(Span::styled(format!("  {desc}"), t.dim()));
                    }
                    lines.push(Line::from(spans));
                }
            }
            None => {
                lines.push(Line::styled("Groups", t.title()));
                let mut any = false;
                for e in err_for(errors, &["AdminListGroupsForUser"]) {
                    lines.push(error_line(t, e));
                    any = true;
                }
                if !any {
                    lines.push(Line::styled("  not read", t.dim()));
                }
            }
        },
    }
    // Devices
    lines.push(Line::raw(""));
    match detail {
        None => lines.push(Line::styled("Devices  reading…", t.dim())),
        Some(d) => match &d.devices {
            Some(ds) => {
                lines.push(Line::styled(format!("Devices ({})", ds.len()), t.title()));
                if ds.is_empty() {
                    lines.push(Line::styled("  no remembered or tracked device", t.dim()));
                }
                for dv in ds {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {}", dv.key), t.base()),
                        Span::styled(
                            format!(
                                "  {}  {}  last sign-in {}",
                                dv.name.as_deref().unwrap_or("(no name)"),
                                dv.remembered.as_deref().unwrap_or("-"),
                                date(dv.last_authenticated)
                            ),
                            t.dim(),
                        ),
                    ]));
                }
            }
            None => {
                lines.push(Line::styled("Devices", t.title()));
                let mut any = false;
                for e in err_for(errors, &["AdminListDevices"]) {
                    lines.push(error_line(t, e));
                    any = true;
                }
                if !any {
                    lines.push(Line::styled("  not available for this pool", t.dim()));
                }
            }
        },
    }
    lines
}

fn render_detail(u: &UsersScreen, ctx: &Context, frame: &mut Frame, area: Rect, now_ms: i64) {
    let t = &ctx.theme;
    let Some(p) = &u.detail else {
        return;
    };
    let popup = centered(
        area,
        area.width.saturating_sub(4).clamp(10, 100),
        area.height.saturating_sub(2),
    );
    let row = p
        .detail
        .as_ref()
        .and_then(|d| d.user.as_ref())
        .or_else(|| u.rows.iter().find(|r| r.username == p.username));
    let lines = detail_lines(
        t,
        row,
        p.detail.as_ref(),
        popup.width.saturating_sub(2) as usize,
    );
    let mut title = vec![Span::styled(format!(" {} ", p.username), t.title())];
    if let Some(since) = p.loading_since {
        let i = ((now_ms - since).max(0) / 100) as usize % SPINNER.len();
        title.push(Span::styled(
            format!(
                "{} AdminGetUser {} ",
                SPINNER[i],
                duration((now_ms - since).max(0) as u64)
            ),
            t.key(),
        ));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).scroll((p.scroll, 0)).block(
            Block::bordered()
                .title(Line::from(title))
                .title_bottom(Span::styled(
                    " Esc close · ↑↓ scroll · a actions · r refresh ",
                    t.dim(),
                ))
                .border_style(t.border_focused()),
        ),
        popup,
    );
}

fn render_dialog(u: &UsersScreen, ctx: &Context, d: &Dialog, frame: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let block = Block::bordered()
        .title(Span::styled(format!(" {} ", d.title()), t.title()))
        .border_style(t.border_focused());
    match d {
        Dialog::Menu { selected } => {
            let target = u
                .target()
                .map(|r| r.username)
                .unwrap_or_else(|| "no user selected".into());
            // Too short for every action (80x24): a window that keeps the selection in
            // view, with a row saying more are above / below.
            let room = (area.height as usize).saturating_sub(3).max(1);
            let (start, end) = if ACTIONS.len() <= room {
                (0, ACTIONS.len())
            } else {
                let shown = room.saturating_sub(1).max(1);
                let start = (*selected + 1).saturating_sub(shown);
                (start, (start + shown).min(ACTIONS.len()))
            };
            let mut lines = vec![Line::styled(format!("for {target}"), t.dim())];
            for (i, (k, what)) in ACTIONS.iter().enumerate().take(end).skip(start) {
                let line = Line::from(vec![
                    Span::styled(format!(" {k}  "), t.key()),
                    Span::raw(what.to_string()),
                ]);
                lines.push(if i == *selected {
                    line.style(t.selected())
                } else {
                    line
                });
            }
            if end - start < ACTIONS.len() {
                lines.push(Line::styled(
                    format!(
                        " ↑↓ {} more{}{}",
                        ACTIONS.len() - (end - start),
                        if start > 0 { " above" } else { "" },
                        if end < ACTIONS.len() { " below" } else { "" },
                    ),
                    t.dim(),
                ));
            }
            let popup = centered(area, 56, lines.len() as u16 + 2);
            frame.render_widget(Clear, popup);
            frame.render_widget(Paragraph::new(lines).block(block), popup);
        }
        Dialog::Confirm(c) => {
            let w = area.width.saturating_sub(4).min(72);
            let inner_w = w.saturating_sub(2).max(1) as usize;
            let lines = vec![
                Line::styled(c.question.clone(), t.title()),
                Line::raw(""),
                Line::raw(c.consequence.clone()),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(" Enter/y ", t.button_focused()),
                    Span::raw(format!(" {}    ", c.verb)),
                    Span::styled(" Esc/n ", t.button()),
                    Span::raw(" cancel"),
                ]),
            ];
            // Wrapped height of the consequence.
            let wrapped = c.consequence.chars().count().div_ceil(inner_w).max(1)
                + c.question.chars().count().div_ceil(inner_w).max(1);
            let h = (wrapped + 5) as u16;
            let popup = centered(area, w, h);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
                popup,
            );
        }
        Dialog::Form(f) => {
            let h = f.form.height() + 3;
            let popup = centered(area, area.width.saturating_sub(4).min(70), h);
            frame.render_widget(Clear, popup);
            let inner = block.inner(popup);
            frame.render_widget(block, popup);
            if inner.height == 0 {
                return;
            }
            f.form.render(
                frame,
                Rect::new(inner.x, inner.y, inner.width, inner.height - 1),
                t,
            );
            frame.render_widget(
                Line::styled(
                    "Tab next · Space toggles · Enter reviews · Esc cancels",
                    t.dim(),
                ),
                Rect::new(inner.x, inner.bottom() - 1, inner.width, 1),
            );
        }
        Dialog::Groups { username, selected } => {
            let mut lines = Vec::new();
            match &u.groups {
                None if u.groups_loading => lines.push(Line::styled(
                    "Reading the pool's groups (ListGroups)…",
                    t.dim(),
                )),
                None => lines.push(Line::styled("Groups not read (r reads them).", t.dim())),
                Some(gs) if gs.is_empty() => lines.push(Line::styled(
                    "The pool has no groups yet: n creates one.",
                    t.dim(),
                )),
                Some(gs) => {
                    for (i, g) in gs.iter().enumerate() {
                        let mark = match member_of(u, username, &g.name) {
                            Some(true) => "[x]",
                            Some(false) => "[ ]",
                            None => "[?]",
                        };
                        let mut spans = vec![
                            Span::styled(format!(" {mark} "), t.key()),
                            Span::raw(g.name.clone()),
                        ];
                        if let Some(p) = g.precedence {
                            spans.push(Span::styled(format!("  precedence {p}"), t.dim()));
                        }
                        if let Some(d) = &g.description {
                            spans.push(Span::styled(format!("  {d}"), t.dim()));
                        }
                        let line = Line::from(spans);
                        lines.push(if i == *selected {
                            line.style(t.selected())
                        } else {
                            line
                        });
                    }
                }
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Enter add/remove · n new group · r reload · Esc close",
                t.dim(),
            ));
            let h = (lines.len() as u16 + 2).min(area.height);
            let popup = centered(area, area.width.saturating_sub(4).min(64), h);
            frame.render_widget(Clear, popup);
            // Keep the selection in view.
            let inner_h = h.saturating_sub(2) as usize;
            let scroll = (*selected + 3).saturating_sub(inner_h) as u16;
            frame.render_widget(
                Paragraph::new(lines).scroll((scroll, 0)).block(block),
                popup,
            );
        }
    }
}
