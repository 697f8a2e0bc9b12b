//! Reusable pieces: form fields, the status timeline, the exchange inspector.

pub mod editor;
pub mod form;
pub mod inspector;
pub mod qr;
pub mod srp;
pub mod timeline;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// `HH:MM:SS` (UTC) of a Unix time in milliseconds.
pub fn clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// A short human duration: `850ms`, `12.3s`, `2m05s`, `1h02m`.
pub fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

/// A countdown `mm:ss` (or `h:mm:ss`) for a number of seconds.
pub fn countdown(secs: i64) -> String {
    let s = secs.unsigned_abs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The part of `area` below its first `rows` rows.
pub fn below(area: Rect, rows: u16) -> Rect {
    let y = area.y + rows.min(area.height);
    Rect::new(area.x, y, area.width, area.bottom().saturating_sub(y))
}

/// A few wrapped lines of context (under a form).
pub fn notes(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    if area.height > 0 {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
    }
}

/// Unix milliseconds of an RFC 3339 timestamp, if it parses.
pub fn sent_ms(sent_at: &str) -> Option<i64> {
    time::OffsetDateTime::parse(sent_at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// `HH:MM:SS` out of an RFC 3339 timestamp (`2026-11-28T22:30:00.123Z`).
pub fn sent_clock(sent_at: &str) -> String {
    match time::OffsetDateTime::parse(sent_at, &time::format_description::well_known::Rfc3339) {
        Ok(t) => clock((t.unix_timestamp_nanos() / 1_000_000) as i64),
        Err(_) => sent_at.to_string(),
    }
}

/// Cuts `s` to `max` characters, ending with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else if max == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// Wraps one styled line into rows of at most `width` columns, breaking after a space when
/// a row has one (a word longer than the row is cut), keeping every span's style. Nothing
/// is dropped: the rows joined give the line back.
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    wrap_hanging(line, width, 0)
}

/// [`wrap_line`], with rows after the first indented by `indent` columns (when the width
/// leaves room for text after it), so a wrapped log row reads under its text, not its time.
pub fn wrap_hanging(line: Line<'static>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = if width > indent + 10 { indent } else { 0 };
    // (char, its width, span index)
    let styles: Vec<_> = line.spans.iter().map(|s| s.style).collect();
    let cells: Vec<(char, usize, usize)> = line
        .spans
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.content
                .chars()
                .map(move |c| (c, Span::raw(c.to_string()).width(), i))
        })
        .collect();
    let mut rows: Vec<&[(char, usize, usize)]> = Vec::new();
    let mut start = 0;
    while start < cells.len() {
        let mut used = if rows.is_empty() { 0 } else { indent };
        let mut end = start;
        let mut last_space = None;
        while end < cells.len() && (used + cells[end].1 <= width || end == start) {
            used += cells[end].1;
            if cells[end].0 == ' ' {
                last_space = Some(end);
            }
            end += 1;
        }
        if end < cells.len()
            && let Some(sp) = last_space
            && sp > start
        {
            end = sp + 1;
        }
        rows.push(&cells[start..end]);
        start = end;
    }
    if rows.is_empty() {
        return vec![line];
    }
    rows.into_iter()
        .enumerate()
        .map(|(n, row)| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            if n > 0 && indent > 0 {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            let mut cur: Option<(usize, String)> = None;
            for &(c, _, i) in row {
                match &mut cur {
                    Some((j, text)) if *j == i => text.push(c),
                    _ => {
                        if let Some((j, text)) = cur.take() {
                            spans.push(Span::styled(text, styles[j]));
                        }
                        cur = Some((i, c.to_string()));
                    }
                }
            }
            if let Some((j, text)) = cur {
                spans.push(Span::styled(text, styles[j]));
            }
            Line::from(spans).style(line.style)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(clock(1_764_369_001_500), "22:30:01");
        assert_eq!(duration(42), "42ms");
        assert_eq!(duration(12_340), "12.3s");
        assert_eq!(duration(125_000), "2m05s");
        assert_eq!(countdown(3599), "59:59");
        assert_eq!(countdown(3661), "1:01:01");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }

    #[test]
    fn wrap_line_breaks_at_spaces_and_loses_nothing() {
        let t = crate::tui::theme::Theme::default();
        let l = Line::from(vec![
            Span::styled("ERROR ", t.error()),
            Span::styled("does not conform with policy: Password", t.info()),
        ]);
        let rows: Vec<String> = wrap_line(l, 16).iter().map(|l| l.to_string()).collect();
        assert_eq!(
            rows,
            vec!["ERROR does not ", "conform with ", "policy: Password"]
        );
        let long: Vec<String> = wrap_line(Line::raw("abcdefghij"), 4)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(long, vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap_line(Line::raw(""), 4).len(), 1);
        let hung: Vec<String> = wrap_hanging(Line::raw("12:00:00 one two three four"), 20, 9)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(hung, vec!["12:00:00 one two ", "         three four"]);
    }
}
