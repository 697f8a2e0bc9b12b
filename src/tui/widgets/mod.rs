//! Reusable pieces: form fields, the status timeline, the exchange inspector.

pub mod form;
pub mod inspector;
pub mod qr;
pub mod timeline;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
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
}
