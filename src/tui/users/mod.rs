//! The Users view's parts beyond its screen module (`screens::users`, which holds the
//! state, keys and the list): the filter grammar and its completion, the action dialogs,
//! and the overlays (detail panel, dialogs).

pub mod dialog;
pub mod filter;
pub mod overlay;

/// `1,234,567`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `YYYY-MM-DD HH:MM` (UTC) of Unix seconds; `-` for 0.
pub fn date(unix_s: i64) -> String {
    if unix_s == 0 {
        return "-".into();
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn counts_and_dates() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1234), "1,234");
        assert_eq!(super::thousands(100_000), "100,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
        assert_eq!(super::date(0), "-");
        assert_eq!(super::date(1_795_905_000), "2026-11-28 22:30");
    }
}
