//! The inspector: one `WireExchange` in full (operation, status, latency, request id,
//! request and response JSON pretty-printed), scrollable. The actor redacts secrets before
//! an exchange reaches the UI; `redact_for_display` is a second guard so a missed field
//! still never reaches the screen.
//!
//! A frame costs the same whatever the exchange's size: the inspected exchange is formatted
//! (large values abbreviated, see `cognito::redact`) and wrapped once into a [`LineCache`],
//! and each frame draws only the rows in view. The cache is rebuilt when another exchange is
//! inspected, the width or wrapping changes, or a new exchange arrives.

use std::cell::RefCell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use serde_json::Value;

use super::{clock, duration};
use crate::cognito::exchange::WireExchange;
use crate::cognito::redact::redact;
use crate::tui::shared::HeldRequest;
use crate::tui::theme::Theme;

/// Most exchanges kept in memory.
const MAX_EXCHANGES: usize = 2000;

/// The inspector pane's state: the calls made so far and which one is shown.
#[derive(Debug, Default)]
pub struct Inspector {
    pub exchanges: Vec<WireExchange>,
    /// `None` follows the newest exchange.
    pub selected: Option<usize>,
    pub scroll: u16,
    /// Full width (F10, z).
    pub zoom: bool,
    /// The inspected exchange's rows, formatted once.
    pub cache: LineCache,
}

/// The rows of one exchange as last drawn: which exchange, at which width, wrapped or not.
#[derive(Debug, Default)]
pub struct LineCache {
    cached: RefCell<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    id: u64,
    width: usize,
    wrap: bool,
    rows: Vec<Line<'static>>,
}

impl LineCache {
    /// Forgets the rows (an exchange was added or changed).
    pub fn clear(&self) {
        self.cached.replace(None);
    }

    /// Runs `f` on the rows of `x` at `width`, formatting them only when not cached.
    pub fn with_rows<R>(
        &self,
        x: &WireExchange,
        width: usize,
        wrap: bool,
        theme: &Theme,
        f: impl FnOnce(&[Line<'static>]) -> R,
    ) -> R {
        let mut slot = self.cached.borrow_mut();
        let fresh = matches!(&*slot, Some(c) if c.id == x.id && c.width == width && c.wrap == wrap);
        if !fresh {
            let mut rows = lines(x, theme);
            if wrap {
                // The first line (operation, status, latency) breaks between its parts,
                // never inside a number or between a number and its unit.
                let body = hard_wrap(rows.split_off(1), width);
                rows = header_rows(x, theme, width);
                rows.extend(body);
            }
            *slot = Some(Cached {
                id: x.id,
                width,
                wrap,
                rows,
            });
        }
        f(slot.as_ref().map(|c| c.rows.as_slice()).unwrap_or_default())
    }
}

impl Inspector {
    pub fn push(&mut self, x: WireExchange) {
        self.cache.clear();
        self.exchanges.push(x);
        if self.exchanges.len() > MAX_EXCHANGES {
            let cut = self.exchanges.len() - MAX_EXCHANGES;
            self.exchanges.drain(..cut);
            self.selected = self.selected.and_then(|i| i.checked_sub(cut));
        }
        if self.selected.is_none() {
            self.scroll = 0;
        }
    }

    /// Moves the selection by `delta` calls.
    pub fn select(&mut self, delta: isize) {
        let n = self.exchanges.len();
        if n == 0 {
            return;
        }
        let cur = self.selected.unwrap_or(n - 1) as isize;
        let next = (cur + delta).clamp(0, n as isize - 1) as usize;
        // Moving onto the newest one follows new exchanges again.
        self.selected = if next == n - 1 { None } else { Some(next) };
        self.scroll = 0;
    }

    /// Shows call `i` (the newest one: follows new calls again).
    pub fn show(&mut self, i: usize) {
        if i < self.exchanges.len() {
            self.selected = (i + 1 < self.exchanges.len()).then_some(i);
            self.scroll = 0;
        }
    }

    /// Shows call `i` and stays on it, even when it is the newest (step mode: the held
    /// request comes after it).
    pub fn show_pinned(&mut self, i: usize) {
        if i < self.exchanges.len() {
            self.selected = Some(i);
            self.scroll = 0;
        }
    }

    /// The exchange shown.
    pub fn inspected(&self) -> Option<usize> {
        match self.selected {
            Some(i) if i < self.exchanges.len() => Some(i),
            _ => self.exchanges.len().checked_sub(1),
        }
    }
}

/// Keys whose values are never shown.
const SECRET_KEYS: &[&str] = &[
    "PASSWORD",
    "NEW_PASSWORD",
    "SECRET_HASH",
    "Password",
    "PreviousPassword",
    "ProposedPassword",
    "TemporaryPassword",
    "ClientSecret",
    "SecretHash",
];

/// Keys whose values are shown abbreviated (tokens and Sessions).
const TOKEN_KEYS: &[&str] = &[
    "AccessToken",
    "IdToken",
    "RefreshToken",
    "Token",
    "Session",
    "REFRESH_TOKEN",
];

/// `eyJraWQi…(812 chars)` for long values; short or already abbreviated values unchanged.
pub fn abbreviate(s: &str) -> String {
    let n = s.chars().count();
    if n <= 24 || s.contains('…') || s.starts_with("***") {
        s.to_string()
    } else {
        let head: String = s.chars().take(8).collect();
        format!("{head}…({n} chars)")
    }
}

/// A copy of `v` with secret values replaced by `***` and tokens abbreviated.
pub fn redact_for_display(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(_) if SECRET_KEYS.contains(&k.as_str()) => {
                            Value::String("***".into())
                        }
                        Value::String(s) if TOKEN_KEYS.contains(&k.as_str()) => {
                            Value::String(abbreviate(s))
                        }
                        other => redact_for_display(other),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact_for_display).collect()),
        other => other.clone(),
    }
}

/// The pretty-printed JSON of `v`, secrets hidden and large values abbreviated (with their
/// length), one line per row.
pub fn json_lines(v: &Value, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let text = serde_json::to_string_pretty(&redact_for_display(&redact(v)))
        .unwrap_or_else(|_| "<unprintable>".into());
    for raw in text.lines() {
        let indent_len = raw.len() - raw.trim_start().len();
        let (indent, rest) = raw.split_at(indent_len);
        if rest.starts_with('"')
            && let Some(pos) = rest.find("\": ")
        {
            let (key, value) = rest.split_at(pos + 1);
            let value_style = if value.trim_start_matches(": ").starts_with('"') {
                theme.json_string()
            } else {
                theme.json_other()
            };
            out.push(Line::from(vec![
                Span::raw(indent.to_string()),
                Span::styled(key.to_string(), theme.json_key()),
                Span::styled(value.to_string(), value_style),
            ]));
            continue;
        }
        let style = if rest.starts_with('"') {
            theme.json_string()
        } else {
            theme.base()
        };
        out.push(Line::from(vec![
            Span::raw(indent.to_string()),
            Span::styled(rest.to_string(), style),
        ]));
    }
}

/// The first line's parts: the operation, and the status with the latency (which stay
/// together when they fit a row).
fn header(x: &WireExchange, theme: &Theme) -> (Span<'static>, Vec<Span<'static>>) {
    if let Some(source) = &x.trigger_source {
        let outcome = match &x.error {
            None => Span::styled("ok", theme.ok()),
            Some(e) => Span::styled(e.clone(), theme.error()),
        };
        let op = Span::styled(format!("λ {}", x.operation), theme.title());
        let latency = Span::styled(format!(" {}", duration(x.latency_ms)), theme.dim());
        return (
            op,
            vec![
                Span::styled(format!("{source} "), theme.key()),
                outcome,
                latency,
            ],
        );
    }
    let status = match (x.status, &x.error) {
        (Some(s), None) => Span::styled(format!("{s}"), theme.ok()),
        (Some(s), Some(e)) => Span::styled(format!("{s} {e}"), theme.error()),
        (None, Some(e)) => Span::styled(format!("no response: {e}"), theme.error()),
        (None, None) => Span::styled("no response", theme.error()),
    };
    let op = Span::styled(x.operation.clone(), theme.title());
    let latency = Span::styled(format!(" {}", duration(x.latency_ms)), theme.dim());
    (op, vec![status, latency])
}

/// The first line in rows of at most `width` columns: whole when it fits; else the
/// operation, then the status and latency on a row of their own; and when even those do
/// not fit together, the status, then the latency on the next row. Only a part wider than
/// the row itself is cut.
fn header_rows(x: &WireExchange, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let (op, tail) = header(x, theme);
    let tail_w: usize = tail.iter().map(Span::width).sum();
    if width == 0 || op.width() + 1 + tail_w <= width {
        let mut spans = vec![op, Span::raw(" ")];
        spans.extend(tail);
        return vec![Line::from(spans)];
    }
    let mut out = hard_wrap(vec![Line::from(op)], width);
    if tail_w <= width {
        let mut spans = tail;
        // The row starts with the status, not the space before the latency.
        if let Some(status) = spans.first_mut() {
            status.content = status.content.trim_start().to_string().into();
        }
        out.push(Line::from(spans));
    } else {
        for mut part in tail {
            part.content = part.content.trim_start().to_string().into();
            out.extend(hard_wrap(vec![Line::from(part)], width));
        }
    }
    out
}

/// All the inspector's lines for one exchange.
pub fn lines(x: &WireExchange, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let (op, tail) = header(x, theme);
    let mut first = vec![op, Span::raw(" ")];
    first.extend(tail);
    out.push(Line::from(first));
    if x.trigger_source.is_some() {
        out.push(Line::from(vec![
            Span::styled("ran ", theme.label()),
            Span::raw(clock(x.started_at_ms)),
            Span::styled("  by the pool's ", theme.label()),
            Span::raw(x.endpoint.clone()),
        ]));
        for note in &x.notes {
            out.push(Line::styled(format!("error: {note}"), theme.error()));
        }
        out.push(Line::styled("── event in", theme.dim()));
        json_lines(&x.request, theme, &mut out);
        out.push(Line::styled("── response out", theme.dim()));
        json_lines(&x.response, theme, &mut out);
        return out;
    }
    out.push(Line::from(vec![
        Span::styled("sent ", theme.label()),
        Span::raw(clock(x.started_at_ms)),
        Span::styled("  to ", theme.label()),
        Span::raw(x.endpoint.clone()),
    ]));
    out.push(Line::from(vec![
        Span::styled("request id ", theme.label()),
        Span::raw(x.request_id.clone().unwrap_or_else(|| "—".into())),
    ]));
    if let Some(mark) = x.origin.mark() {
        out.push(Line::styled(format!("✎ {mark} in step mode"), theme.step()));
    }
    for note in &x.notes {
        out.push(Line::styled(format!("note: {note}"), theme.info()));
    }
    out.push(Line::styled("── request", theme.dim()));
    json_lines(&x.request, theme, &mut out);
    out.push(Line::styled("── response", theme.dim()));
    json_lines(&x.response, theme, &mut out);
    out
}

/// Cuts every line into rows of at most `width` columns, keeping span styles, so the row
/// count (and therefore the scroll limit) is exact.
pub fn hard_wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    if width == 0 {
        return lines;
    }
    let mut out = Vec::new();
    for line in lines {
        let mut row: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for span in line.spans {
            let style = span.style;
            let mut buf = String::new();
            for ch in span.content.chars() {
                let w = unicode_width(ch);
                if used + w > width && used > 0 {
                    if !buf.is_empty() {
                        row.push(Span::styled(std::mem::take(&mut buf), style));
                    }
                    out.push(Line::from(std::mem::take(&mut row)).style(line.style));
                    used = 0;
                }
                buf.push(ch);
                used += w;
            }
            if !buf.is_empty() {
                row.push(Span::styled(buf, style));
            }
        }
        out.push(Line::from(row).style(line.style));
    }
    out
}

fn unicode_width(ch: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*ch.encode_utf8(&mut buf)).width()
}

/// Draws the inspector for `selected` (index into `exchanges`): only the rows in view, from
/// `cache`.
#[allow(clippy::too_many_arguments)]
pub fn render(
    frame: &mut Frame,
    area: Rect,
    exchanges: &[WireExchange],
    selected: Option<usize>,
    scroll: u16,
    wrap: bool,
    theme: &Theme,
    cache: &LineCache,
) {
    let title = match selected {
        Some(i) if i + 1 < exchanges.len() => format!(
            " Inspector {}/{} — {} newer: ] ",
            i + 1,
            exchanges.len(),
            exchanges.len() - 1 - i
        ),
        Some(i) if i < exchanges.len() => format!(" Inspector {}/{} ", i + 1, exchanges.len()),
        _ => " Inspector ".to_string(),
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let Some(x) = selected.and_then(|i| exchanges.get(i)) else {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled("No Cognito calls yet.", theme.dim()),
                Line::styled("Each call's request and response", theme.dim()),
                Line::styled("appears here, secrets redacted.", theme.dim()),
            ])
            .block(block),
            area,
        );
        return;
    };
    let inner = block.inner(area);
    let visible = cache.with_rows(x, inner.width as usize, wrap, theme, |rows| {
        let start = (scroll as usize).min(rows.len().saturating_sub(1));
        let end = (start + inner.height as usize).min(rows.len());
        rows[start..end].to_vec()
    });
    frame.render_widget(Paragraph::new(visible).block(block), area);
}

/// The list of calls (zoomed inspector): one row per exchange, the inspected one marked;
/// only the visible window of rows is built.
pub fn render_list(
    frame: &mut Frame,
    area: Rect,
    exchanges: &[WireExchange],
    selected: Option<usize>,
    theme: &Theme,
) {
    let block = Block::bordered()
        .title(Span::styled(
            format!(" Calls ({}) ", exchanges.len()),
            theme.title(),
        ))
        .border_style(theme.border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    if rows == 0 || exchanges.is_empty() {
        return;
    }
    let sel = selected.unwrap_or(exchanges.len() - 1);
    // Keep the selection visible, preferring to show the newest calls.
    let end = (sel + 1)
        .max(exchanges.len().min(sel + rows))
        .min(exchanges.len());
    let start = end.saturating_sub(rows);
    let lines: Vec<Line> = exchanges[start..end]
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let idx = start + i;
            let status = match (x.status, &x.error) {
                // A trigger run: λ, green when it answered, red when it failed.
                (_, None) if x.trigger_source.is_some() => Span::styled(" λ ", theme.ok()),
                (_, Some(_)) if x.trigger_source.is_some() => Span::styled(" λ ", theme.error()),
                (Some(s), None) => Span::styled(format!("{s}"), theme.ok()),
                (Some(s), Some(_)) => Span::styled(format!("{s}"), theme.error()),
                (None, _) => Span::styled("ERR", theme.error()),
            };
            let line = Line::from(vec![
                Span::styled(format!("{} ", clock(x.started_at_ms)), theme.dim()),
                status,
                Span::raw(format!(" {} ", x.operation)),
                Span::styled(duration(x.latency_ms), theme.dim()),
                // Calls the user edited or sent again.
                Span::styled(if x.origin.is_flow() { "" } else { " ✎" }, theme.step()),
            ]);
            if idx == sel {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Step mode: the request the auth actor holds, before it is sent.
pub fn render_held(frame: &mut Frame, area: Rect, held: &HeldRequest, theme: &Theme) {
    let block = Block::bordered()
        .title(Span::styled(
            format!(" Held: {} — ^G send · ^D drop ", held.operation),
            theme.error(),
        ))
        .border_style(theme.border_focused());
    let inner_w = block.inner(area).width as usize;
    let mut all = vec![
        Line::from(vec![
            Span::styled(held.operation.clone(), theme.title()),
            Span::styled(format!("  for {}  not sent yet", held.api), theme.dim()),
        ]),
        Line::styled("── request (secrets redacted)", theme.dim()),
    ];
    json_lines(&held.request, theme, &mut all);
    frame.render_widget(Paragraph::new(hard_wrap(all, inner_w)).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hard_wrap_cuts_at_the_width_and_keeps_styles() {
        let t = Theme::default();
        let l = Line::from(vec![
            Span::styled("abcdef", t.json_key()),
            Span::styled("ghij", t.json_string()),
        ]);
        let out = hard_wrap(vec![l], 4);
        let rows: Vec<String> = out.iter().map(|l| l.to_string()).collect();
        assert_eq!(rows, vec!["abcd", "efgh", "ij"]);
        assert_eq!(out[1].spans[0].style, t.json_key());
        assert_eq!(out[1].spans[1].style, t.json_string());
        assert_eq!(hard_wrap(vec![Line::raw("")], 4).len(), 1);
    }

    fn exchange(id: u64, response: Value) -> WireExchange {
        WireExchange {
            id,
            operation: "ListUsers".into(),
            endpoint: "http://127.0.0.1:1/".into(),
            started_at_ms: 0,
            latency_ms: 3,
            status: Some(200),
            request_id: None,
            request: json!({"UserPoolId": "p"}),
            response,
            error: None,
            notes: vec![],
            origin: Default::default(),
            trigger_source: None,
        }
    }

    fn screen(x: &[WireExchange], scroll: u16, cache: &LineCache) -> String {
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(60, 20)).unwrap();
        term.draw(|f| {
            let t = Theme::default();
            render(f, f.area(), x, Some(x.len() - 1), scroll, true, &t, cache);
        })
        .unwrap();
        let buf = term.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_huge_exchange_is_drawn_abbreviated_from_cached_rows() {
        let big = "v".repeat(5_000_000);
        let xs = vec![exchange(7, json!({"Note": big, "Users": vec![1; 1000]}))];
        let cache = LineCache::default();
        let s = screen(&xs, 0, &cache);
        assert!(s.contains("ListUsers 200"), "{s}");
        // The rows are formatted once, abbreviated: the long string shows its length.
        let rows = cache.with_rows(&xs[0], 58, true, &Theme::default(), |r| r.to_vec());
        let text: String = rows.iter().map(|l| l.to_string()).collect();
        assert!(text.contains("(5000000 chars)"), "{text}");
        assert!(
            text.contains("800 more items not shown (1000 in all)"),
            "{text}"
        );
        assert!(rows.len() < 300, "{}", rows.len());
        // Scrolling takes rows from the cache: the window moves, the top line leaves.
        let s = screen(&xs, 10, &cache);
        assert!(!s.contains("ListUsers 200"), "{s}");
        // Scrolling past the end shows the last row rather than nothing.
        let s = screen(&xs, u16::MAX, &cache);
        assert!(s.contains('}'), "{s}");
    }

    fn draw_at(x: &[WireExchange], width: u16) -> String {
        let mut term =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, 8)).unwrap();
        let cache = LineCache::default();
        term.draw(|f| {
            let t = Theme::default();
            render(f, f.area(), x, Some(x.len() - 1), 0, true, &t, &cache);
        })
        .unwrap();
        let buf = term.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_first_line_never_splits_the_status_or_the_latency() {
        let mut x = exchange(1, json!({}));
        x.operation = "RespondToAuthChallenge".into();
        x.latency_ms = 75_000;
        // Every width from the narrowest pane up: "200" and "1m15s" are whole on one row.
        for w in 12..=40u16 {
            let s = draw_at(std::slice::from_ref(&x), w);
            let rows: Vec<&str> = s.lines().collect();
            assert!(
                rows.iter().any(|r| r.contains("200 1m15s")),
                "width {w}: status and latency not together\n{s}"
            );
        }
        // Wide enough: one row.
        let s = draw_at(std::slice::from_ref(&x), 40);
        assert!(s.contains("RespondToAuthChallenge 200 1m15s"), "{s}");
        // An error status too wide to share a row with the latency: the latency gets its
        // own row, never split from its unit.
        x.status = Some(400);
        x.error = Some("NotAuthorizedException".into());
        x.latency_ms = 1_200;
        let s = draw_at(std::slice::from_ref(&x), 28);
        assert!(s.contains("400 NotAuthorizedException"), "{s}");
        assert!(s.lines().any(|r| r.contains("│1.2s")), "{s}");
    }

    #[test]
    fn the_cache_follows_the_inspected_exchange() {
        let mut insp = Inspector::default();
        insp.push(exchange(1, json!({"Users": ["first"]})));
        let s = screen(&insp.exchanges, 0, &insp.cache);
        assert!(s.contains("first"), "{s}");
        insp.push(exchange(2, json!({"Users": ["second"]})));
        let s = screen(&insp.exchanges, 0, &insp.cache);
        assert!(s.contains("second") && !s.contains("first"), "{s}");
    }

    #[test]
    fn secrets_never_displayed() {
        let v = json!({
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "hunter2!Aa", "SECRET_HASH": "abc="},
            "AuthenticationResult": {"AccessToken": "eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.payload.sig"},
            "Session": "AYABeHx0123456789012345678901234567890"
        });
        let shown = redact_for_display(&v).to_string();
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains("abc="));
        assert!(!shown.contains("payload.sig"));
        assert!(shown.contains("eyJraWQi…("));
        assert!(shown.contains("alice"));
        assert!(shown.contains("AYABeHx0…(38 chars)"));
    }
}
