//! Drawing the whole app: header, tabs, the current screen with its flash line, the
//! inspector (or a held request, or the TOTP QR code), the status pane, the footer's key
//! hints and the help overlay.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::App;
use super::screens::challenge::ChallengeState;
use super::shared::{SPINNER, Screen, TargetKind};
use super::users;
use super::widgets::form::Form;
use super::widgets::{duration, inspector, timeline, truncate, wrap_line};

impl App {
    pub fn render(&self, frame: &mut Frame, now_ms: i64) {
        let area = frame.area();
        if area.width < 20 || area.height < 6 {
            frame.render_widget(
                Paragraph::new("cognito-tui: terminal too small").wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        let mut status_h = if area.height >= 36 {
            10
        } else if area.height >= 22 {
            7
        } else {
            4
        };
        // The TOTP setup's QR code beside the form: give it the status pane's rows when
        // that is what it takes (the newest step and its explanation still show).
        if !self.inspector.zoom
            && self.ctx.held.is_none()
            && let Some(q) = self.totp_qr()
        {
            let need = q.rows() + 3;
            let body = |s: u16| area.height.saturating_sub(3 + s);
            if body(status_h) < need && body(4) >= need {
                status_h = area.height.saturating_sub(3 + need).clamp(4, status_h);
            }
        }
        let [header, tabs, body, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(status_h),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(frame, header, now_ms);
        self.render_tabs(frame, tabs);
        if self.inspector.zoom {
            if body.width >= 90 {
                let [list, detail] =
                    Layout::horizontal([Constraint::Length(44), Constraint::Min(40)]).areas(body);
                inspector::render_list(
                    frame,
                    list,
                    &self.inspector.exchanges,
                    self.inspected(),
                    &self.ctx.theme,
                );
                self.render_right(frame, detail);
            } else {
                self.render_right(frame, body);
            }
        } else if self.screen == Screen::Users && body.width < 150 {
            // The users table needs the width; F10 shows the calls.
            self.render_main(frame, body, now_ms);
        } else if body.width >= 60 {
            let main_pct = if self.screen == Screen::Users { 70 } else { 56 };
            let [main, insp] = Layout::horizontal([
                Constraint::Percentage(main_pct),
                Constraint::Percentage(100 - main_pct),
            ])
            .areas(body);
            self.render_main(frame, main, now_ms);
            self.render_right(frame, insp);
        } else {
            self.render_main(frame, body, now_ms);
        }
        timeline::render(
            frame,
            status,
            &self.ctx.status.entries,
            self.ctx.status.back,
            self.ctx.status.pick,
            self.pool.session_validity_ms(),
            &self.ctx.theme,
        );
        self.render_footer(frame, footer);
        if self.screen == Screen::Users {
            users::overlay::render(&self.users, &self.ctx, frame, body, now_ms);
        }
        if self.srp.open {
            self.srp
                .render(frame, area, &self.ctx.theme, self.ctx.local);
        }
        if self.help {
            self.render_help(frame, area);
        }
        if self.challenge.qr_full {
            self.challenge.draw_qr_full(frame, area, &self.ctx);
        }
        if self.account.qr_full {
            self.account.draw_qr_full(frame, area, &self.ctx);
        }
        if let Some(p) = &self.export {
            p.draw(frame, area, &self.ctx.theme);
        }
        if let Some(e) = &self.ctx.status.detail {
            let xs = &self.inspector.exchanges[..];
            let call = timeline::call_of(e, xs).map(|i| (i, xs));
            let validity = self.pool.session_validity_ms();
            timeline::render_detail(frame, area, e, call, validity, &self.ctx.theme);
        }
        self.replay.render(frame, area, &self.ctx.theme);
    }

    /// The right pane: a held request (step mode), else the TOTP setup's QR code when it
    /// fits, else the inspector.
    fn render_right(&self, frame: &mut Frame, area: Rect) {
        // The held request, unless `[` / Ctrl-P went back to the calls before it.
        if let Some(h) = &self.ctx.held
            && self.inspector.selected.is_none()
        {
            inspector::render_held(frame, area, h, &self.ctx.theme);
            return;
        }
        if !self.inspector.zoom
            && let Some(q) = self.totp_qr()
            && q.fits(area.width.saturating_sub(2), area.height.saturating_sub(3))
        {
            let t = &self.ctx.theme;
            let block = Block::bordered()
                .title(Span::styled(" Scan with an authenticator app ", t.title()))
                .border_style(t.border_focused());
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let x = inner.x + (inner.width - q.cols()) / 2;
            frame.render_widget(
                Paragraph::new(q.lines()),
                Rect::new(x, inner.y, q.cols(), q.rows()),
            );
            if inner.height > q.rows() {
                frame.render_widget(
                    Line::styled("^Y copies the URI · F10 shows the calls", t.dim()),
                    Rect::new(inner.x, inner.y + q.rows(), inner.width, 1),
                );
            }
            return;
        }
        self.render_inspector(frame, area, true);
    }

    fn render_header(&self, frame: &mut Frame, area: Rect, now_ms: i64) {
        let t = &self.ctx.theme;
        let width = area.width as usize;
        let right = match self.session.signed_in_user() {
            Some(u) => format!(" ● {u} "),
            None => " not signed in ".to_string(),
        };
        let spinner = if let Some(h) = &self.ctx.held {
            Some(format!(" ⏸ {} held ", h.operation))
        } else if self.ctx.step_mode && self.ctx.in_flight.is_empty() {
            Some(" STEP ".to_string())
        } else {
            None
        };
        let spinner = spinner.or_else(|| {
            self.ctx.in_flight.first().map(|(api, since)| {
                let i = ((now_ms - since).max(0) / 100) as usize % SPINNER.len();
                format!(
                    " {} {api} {} ",
                    SPINNER[i],
                    duration((now_ms - since).max(0) as u64)
                )
            })
        });
        let name = " cognito-tui ";
        let fixed = name.chars().count()
            + right.chars().count()
            + spinner.as_ref().map_or(0, |s| s.chars().count());
        let room = width.saturating_sub(fixed + 2);
        let mut label = self.target.label();
        if label.chars().count() > room {
            // Drop the endpoint first, then cut.
            label = match self.target.kind {
                TargetKind::Aws => label,
                _ => format!(
                    "{} pool {}",
                    self.target.kind_word(),
                    self.target.user_pool_id
                ),
            };
            label = truncate(&label, room);
        }
        let mut spans = vec![
            Span::styled(name, t.header()),
            Span::styled(format!(" {label} "), t.header()),
        ];
        if let Some(s) = spinner {
            let style = if self.ctx.held.is_some() {
                t.error()
            } else {
                t.key()
            };
            spans.push(Span::styled(s, style));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let gap = width.saturating_sub(used + right.chars().count());
        spans.push(Span::styled(" ".repeat(gap), t.header()));
        spans.push(Span::styled(right, t.header()));
        frame.render_widget(Line::from(spans), area);
    }

    /// The TOTP setup's QR code of the screen shown (a sign-in step's or the Account's).
    fn totp_qr(&self) -> Option<crate::tui::widgets::qr::QrGrid> {
        match self.screen {
            Screen::Challenge => self.challenge.totp_qr(),
            Screen::Account => self.account.totp_qr(),
            _ => None,
        }
    }

    fn render_tabs(&self, frame: &mut Frame, area: Rect) {
        let t = &self.ctx.theme;
        let width = area.width as usize;
        let roomy = width >= 100;
        // Eight full titles need 84 columns; narrower they are shortened (never to a word
        // that means something else, like step mode's "Step"); narrower still, only the
        // screen shown keeps its title and the others their F-key (F9 lists them).
        const SHORT: [&str; 8] = [
            "SignUp", "Confirm", "SignIn", "Chall.", "Session", "Users", "Outbox", "Pool",
        ];
        let full: usize = Screen::ALL
            .iter()
            .map(|s| s.title().chars().count() + 4)
            .sum();
        let short: usize = SHORT.iter().map(|s| s.chars().count() + 4).sum();
        let here = Screen::ALL
            .iter()
            .position(|s| *s == self.screen.tab())
            .unwrap_or(0);
        // The screen shown keeps its whole title when that still fits.
        let whole_here =
            width >= short + self.screen.tab().title().chars().count() - SHORT[here].len();
        let mut spans = Vec::new();
        for (i, s) in Screen::ALL.iter().enumerate() {
            let active = *s == self.screen.tab();
            let style = if active { t.tab_active() } else { t.tab() };
            spans.push(Span::styled(
                format!("F{}", i + 1),
                if active { style } else { t.key() },
            ));
            let title = if width >= full || (active && (whole_here || width < short)) {
                s.title()
            } else if width >= short {
                SHORT[i]
            } else {
                ""
            };
            spans.push(Span::styled(format!(" {title} "), style));
            if roomy {
                spans.push(Span::raw(" "));
            }
        }
        frame.render_widget(Line::from(spans), area);
    }

    fn render_main(&self, frame: &mut Frame, area: Rect, now_ms: i64) {
        let t = &self.ctx.theme;
        let border = if self.is_typing() {
            t.border_focused()
        } else {
            t.border()
        };
        let block = Block::bordered()
            .title(Span::styled(
                format!(" {} ", self.screen.title()),
                t.title(),
            ))
            .border_style(border);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        // The flash wraps (up to three rows, never more than half the pane) so a message
        // is read whole; the status row holds it too (Alt-↑ Enter).
        let flash_rows = self.ctx.flash.as_ref().map(|f| {
            let style = if f.error { t.error() } else { t.ok() };
            wrap_line(Line::styled(f.text.clone(), style), inner.width as usize)
        });
        let (content, flash_area) = match &flash_rows {
            Some(rows) if inner.height >= 2 => {
                let n = (rows.len() as u16).clamp(1, (inner.height / 2).clamp(1, 3));
                let [c, f] =
                    Layout::vertical([Constraint::Min(1), Constraint::Length(n)]).areas(inner);
                (c, Some(f))
            }
            _ => (inner, None),
        };
        let ctx = &self.ctx;
        match self.screen {
            Screen::SignUp => self.sign_up.draw(frame, content, ctx),
            Screen::Confirm => self.confirm.draw(frame, content, ctx, &self.outbox.entries),
            Screen::SignIn => {
                let user = self.session.signed_in_user();
                // First contact with the demo pool: what to try, where codes arrive.
                let first = self.target.kind == TargetKind::Embedded
                    && self.target.user_pool_id == crate::local::DEMO_POOL_ID
                    && self.ctx.status.entries.is_empty();
                self.sign_in.draw(frame, content, ctx, user, first);
            }
            Screen::Challenge => {
                let validity = self.pool.session_validity_ms();
                self.challenge.draw(frame, content, ctx, validity, now_ms);
            }
            Screen::Session => self.session.draw(frame, content, ctx, now_ms),
            Screen::Users => self.users.draw(frame, content, ctx, now_ms),
            Screen::Outbox => self.outbox.draw(frame, content, ctx),
            Screen::Pool => self.pool.draw(frame, content, ctx),
            Screen::Account => {
                let signed_in = self.session.view.is_some();
                self.account.draw(frame, content, ctx, signed_in);
            }
        }
        if let (Some(rows), Some(a)) = (flash_rows, flash_area) {
            frame.render_widget(Clear, a);
            frame.render_widget(Paragraph::new(rows), a);
        }
    }

    fn render_inspector(&self, frame: &mut Frame, area: Rect, wrap: bool) {
        inspector::render(
            frame,
            area,
            &self.inspector.exchanges,
            self.inspected(),
            self.inspector.scroll,
            wrap,
            &self.ctx.theme,
            &self.inspector.cache,
        );
    }

    fn footer_hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.export.is_some() {
            return vec![("Enter", "write the transcript"), ("Esc", "cancel")];
        }
        if self.help {
            return vec![("↑↓ PgUp/PgDn", "scroll"), ("Esc", "close help")];
        }
        if self.replay.copy.is_some() {
            return vec![
                ("Tab", "AWS CLI / curl"),
                ("↑↓", "scroll"),
                ("Esc", "close"),
            ];
        }
        if self.replay.edit.is_some() {
            return vec![
                ("^S", "send as edited"),
                ("^O", "open in $EDITOR"),
                ("Esc", "back (still held)"),
            ];
        }
        if self.ctx.status.detail.is_some() {
            return vec![("Esc", "close the row")];
        }
        if self.srp.open {
            return vec![
                ("↑↓", "entry"),
                ("Enter", "expand"),
                ("r", "reveal a"),
                ("Esc", "close"),
            ];
        }
        if self.ctx.status.pick {
            return vec![
                ("Enter", "read the row whole"),
                ("Alt-↑↓", "older / newer row"),
                ("Esc", "done"),
            ];
        }
        if self.challenge.qr_full {
            return vec![("any key", "close the QR code")];
        }
        if self.screen == Screen::Users && self.users.captures_keys() {
            let mut v = users::view::footer_hints(&self.users);
            v.push(("F9", "help"));
            return v;
        }
        if self.ctx.held.is_some() {
            return vec![
                ("^G", "send the held request"),
                ("^E", "edit"),
                ("^D", "drop it"),
                ("[ ]", "calls before it"),
                ("^T", "step mode off"),
            ];
        }
        if self.is_typing() {
            // Letters type here: say first how to get the keys back.
            let mut v = vec![("Esc", "leave the field (then q quits)")];
            if self.form().is_some_and(Form::focus_is_choice) {
                v.push(("←/→", "change"));
            }
            v.extend([("Tab", "next"), ("S-Tab", "prev"), ("Enter", "submit")]);
            if self.screen == Screen::Confirm {
                v.push(("^O", "code from outbox"));
            }
            if self.screen == Screen::Challenge {
                if self.challenge.totp_uri().is_some() {
                    v.push(("^Y", "copy URI"));
                    v.push(("^V", "QR"));
                } else if self.ctx.local
                    && self
                        .challenge
                        .current
                        .as_ref()
                        .is_some_and(ChallengeState::takes_outbox_code)
                {
                    v.push(("^O", "code from outbox"));
                }
            }
            v.extend([("F9", "help"), ("^C", "quit")]);
            return v;
        }
        let mut v = match self.screen {
            Screen::SignUp | Screen::Confirm | Screen::SignIn => {
                vec![("Tab/e", "edit"), ("Enter", "submit")]
            }
            Screen::Challenge if self.challenge.totp_uri().is_some() => vec![
                ("Tab/e", "edit"),
                ("v", "QR"),
                ("y", "copy URI"),
                ("Esc", "cancel"),
            ],
            Screen::Challenge => vec![("Tab/e", "edit"), ("Enter", "submit"), ("Esc", "cancel")],
            Screen::Account => self.account.footer_hints(),
            Screen::Session => vec![
                ("a", "account"),
                ("↑↓", "claims"),
                ("r", "refresh"),
                ("o", "sign out"),
                ("g", "global sign out"),
            ],
            Screen::Users => users::view::footer_hints(&self.users),
            Screen::Outbox => vec![
                ("↑↓", "select"),
                ("Enter", "use code"),
                ("y", "copy"),
                ("r", "refresh"),
            ],
            Screen::Pool => vec![("e", "edit MFA"), ("r", "reload"), ("↑↓", "scroll")],
        };
        if self.srp.client.is_some() && matches!(self.screen, Screen::Challenge | Screen::Session) {
            v.push(("^K", "SRP steps"));
        }
        v.push((
            "^T",
            if self.ctx.step_mode {
                "step off"
            } else {
                "step mode"
            },
        ));
        v.extend([("[ ]", "calls"), ("?", "help"), ("q", "quit")]);
        v
    }

    fn render_footer(&self, frame: &mut Frame, area: Rect) {
        let t = &self.ctx.theme;
        let mut hints = self.footer_hints();
        // Too wide: drop the hints a user needs least, one at a time.
        let width = |h: &[(&str, &str)]| -> usize {
            h.iter()
                .map(|(k, w)| k.chars().count() + w.chars().count() + 3)
                .sum()
        };
        for optional in ["^T", "S-Tab", "[ ]", "Tab"] {
            if width(&hints) <= area.width as usize {
                break;
            }
            hints.retain(|(k, _)| *k != optional);
        }
        // Still too wide: drop whole hints from the end of the middle, never cutting one
        // in the middle of a word. The first (how to leave a field, or the screen's main
        // key) and the way to help (which lists every key) stay.
        let kept = |i: usize, k: &str| i == 0 || matches!(k, "?" | "F9");
        while width(&hints) > area.width as usize {
            let Some(i) = (0..hints.len()).rev().find(|&i| !kept(i, hints[i].0)) else {
                break;
            };
            hints.remove(i);
        }
        let mut spans = Vec::new();
        for (k, what) in hints {
            spans.push(Span::styled(k, t.key()));
            spans.push(Span::styled(format!(" {what}  "), t.dim()));
        }
        frame.render_widget(Line::from(spans), area);
    }

    fn render_help(&self, frame: &mut Frame, area: Rect) {
        let t = &self.ctx.theme;
        let w = area.width.saturating_sub(2).min(78);
        let h = area.height.saturating_sub(2).min(30);
        let x = area.x + (area.width - w) / 2;
        let y = area.y + (area.height - h) / 2;
        let popup = Rect::new(x, y, w, h);
        let rows: &[(&str, &str)] = &[
            (
                "F1…F8, Alt-1…8",
                "switch screen (1…8 when no field has focus)",
            ),
            (
                "Tab / Shift-Tab",
                "next / previous field (Tab enters a form)",
            ),
            ("Enter", "submit the form, press the focused button"),
            ("Esc", "leave the field; on Challenge: cancel the sign-in"),
            ("Space, ←/→", "toggle a checkbox, change a choice"),
            (
                "Ctrl-O",
                "Confirm, Challenge: take the code from the outbox",
            ),
            (
                "Ctrl-T, ^G, ^D, ^E",
                "step mode: hold each request; send / drop / edit it",
            ),
            (
                "Ctrl-V, ^Y · ^K",
                "TOTP: QR, copy the URI · SRP proof step by step",
            ),
            (
                "Ctrl-N/P, ] [, ^R",
                "next / previous call in the inspector; send it again",
            ),
            (
                "F10 z · PgDn PgUp",
                "inspector full width (wrapped) · scroll it",
            ),
            (
                "Pool: e r",
                "edit MFA (Apply sends SetUserPoolMfaConfig), reload",
            ),
            (
                "Alt-↑ / Alt-↓",
                "pick a status row (Enter reads it whole, Esc)",
            ),
            (
                "Session: rfogav",
                "refresh, fetch, sign out, global, account, verify tokens",
            ),
            (
                "Session: d m x",
                "devices: list, remember this one, forget it",
            ),
            (
                "Users: / Enter a",
                "filter, details, actions n e d D R P o m A g y Y",
            ),
            ("Outbox: r Enter y", "refresh, use the code, copy it"),
            (
                "c, C",
                "copy the call: redacted JSON; AWS CLI / curl command",
            ),
            (
                "Ctrl-S · F9 ? · q",
                "export the transcript (MD + JSON) · help · quit (^C ^Q)",
            ),
        ];
        let mut lines: Vec<Line> = rows
            .iter()
            .map(|(k, v)| {
                Line::from(vec![
                    Span::styled(format!("{k:<20}"), t.key()),
                    Span::raw(v.to_string()),
                ])
            })
            .collect();
        lines.push(Line::styled(
            "Letter keys act only when no text field has focus (Esc leaves one).",
            t.dim(),
        ));
        if let Some(p) = &self.log_path {
            lines.push(Line::from(vec![
                Span::styled("Log file: ", t.label()),
                Span::raw(p.display().to_string()),
            ]));
        }
        // The glossary follows the keys; the overlay scrolls (↑↓ PgUp PgDn).
        self.help_view.render(frame, popup, lines, t);
    }
}
