//! Small formatting helpers of the Users view, and how ListUsers pages are kept in the
//! inspector.

use crate::cognito::exchange::WireExchange;

/// ListUsers exchanges the inspector keeps whole (the newest ones).
pub const LIST_USERS_KEPT_WHOLE: usize = 3;
/// Users an older ListUsers response keeps in the inspector.
const USERS_KEPT: usize = 2;

/// Scrolling through a large pool makes one ListUsers exchange per 60 users; each page's JSON
/// costs several times the rows it fills. Older ListUsers responses keep their first users and
/// a note of how many were left out (the rows themselves are in the Users view), so memory
/// follows the rows loaded, not the pages fetched. The newest pages stay whole.
pub fn compact_list_users(exchanges: &mut [WireExchange]) {
    let mut seen = 0;
    for x in exchanges.iter_mut().rev() {
        if x.operation != "ListUsers" {
            continue;
        }
        seen += 1;
        if seen <= LIST_USERS_KEPT_WHOLE {
            continue;
        }
        let Some(users) = x
            .response
            .get_mut("Users")
            .and_then(serde_json::Value::as_array_mut)
        else {
            continue;
        };
        if users.len() <= USERS_KEPT + 1 {
            // Already compacted, or small.
            continue;
        }
        let left_out = users.len() - USERS_KEPT;
        users.truncate(USERS_KEPT);
        users.push(serde_json::Value::String(format!(
            "… {left_out} more users left out of the inspector to save memory (they are in \
             the Users view)"
        )));
        users.shrink_to_fit();
    }
}

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
    use crate::cognito::exchange::WireExchange;

    fn page(n: usize) -> WireExchange {
        let users: Vec<serde_json::Value> = (0..n)
            .map(|i| serde_json::json!({"Username": format!("u{i}")}))
            .collect();
        WireExchange {
            id: 0,
            operation: "ListUsers".into(),
            endpoint: String::new(),
            started_at_ms: 0,
            latency_ms: 0,
            status: Some(200),
            request_id: None,
            request: serde_json::json!({}),
            response: serde_json::json!({"Users": users}),
            error: None,
            notes: Vec::new(),
            origin: Default::default(),
            trigger_source: None,
        }
    }

    #[test]
    fn old_list_users_pages_are_compacted_new_ones_kept_whole() {
        let mut xs: Vec<WireExchange> = (0..6).map(|_| page(60)).collect();
        xs[4].operation = "AdminGetUser".into();
        super::compact_list_users(&mut xs);
        let len = |x: &WireExchange| x.response["Users"].as_array().map_or(0, Vec::len);
        // Newest three ListUsers (indexes 5, 3, 2) whole; the rest cut to 2 + a note.
        assert_eq!(len(&xs[5]), 60);
        assert_eq!(len(&xs[4]), 60);
        assert_eq!(len(&xs[3]), 60);
        assert_eq!(len(&xs[2]), 60);
        assert_eq!(len(&xs[1]), 3);
        assert_eq!(len(&xs[0]), 3);
        assert!(
            xs[0].response["Users"][2]
                .as_str()
                .unwrap()
                .starts_with("… 58 more users")
        );
        // Idempotent.
        super::compact_list_users(&mut xs);
        assert_eq!(len(&xs[0]), 3);
    }

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
