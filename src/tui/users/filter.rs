//! The Users view's filter box: Cognito's ListUsers filter grammar (`<attr> <op> "<value>"`,
//! op `=` exact or `^=` prefix, one attribute) and Tab completion of its parts: the
//! searchable attributes, then the operator and the opening quote, then (for
//! `cognito:user_status` and `status`) the values. Pure: text in, text out.

/// The attributes ListUsers can filter on (PROTOCOL.md §2.4), in the order offered.
pub use crate::cognito::types::SEARCHABLE_ATTRIBUTES as SEARCHABLE;

/// UserStatus values (`cognito:user_status`), the current ones first.
pub const USER_STATUSES: &[&str] = &[
    "UNCONFIRMED",
    "CONFIRMED",
    "FORCE_CHANGE_PASSWORD",
    "RESET_REQUIRED",
    "EXTERNAL_PROVIDER",
    "ARCHIVED",
    "COMPROMISED",
    "UNKNOWN",
];

/// `status` values.
pub const ENABLED_STATUSES: &[&str] = &["Enabled", "Disabled"];

/// Which part of the filter the text ends in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part<'a> {
    /// Typing the attribute name (the whole text so far, no space yet).
    Attr(&'a str),
    /// After the attribute: the operator typed so far (`""`, `^`, `=`, `^=`).
    Op {
        attr: &'a str,
        head: &'a str,
        op: &'a str,
    },
    /// After the operator: the value typed so far (without the opening quote), and
    /// whether the opening quote is there.
    Value {
        attr: &'a str,
        head: &'a str,
        value: &'a str,
        quoted: bool,
    },
    /// The closing quote is there (or the text does not follow the grammar).
    Done,
}

fn is_attr_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == ':'
}

fn parse(text: &str) -> Part<'_> {
    let attr_end = text
        .char_indices()
        .find(|(_, c)| !is_attr_char(*c))
        .map_or(text.len(), |(i, _)| i);
    let attr = &text[..attr_end];
    let rest = &text[attr_end..];
    if rest.is_empty() {
        return Part::Attr(attr);
    }
    let after_ws = rest.trim_start();
    let op_len = after_ws
        .char_indices()
        .find(|(_, c)| *c != '^' && *c != '=')
        .map_or(after_ws.len(), |(i, _)| i);
    let op = &after_ws[..op_len];
    let after_op = &after_ws[op_len..];
    if after_op.is_empty() {
        let head_len = text.len() - after_ws.len();
        return Part::Op {
            attr,
            head: &text[..head_len],
            op,
        };
    }
    if op != "=" && op != "^=" {
        return Part::Done;
    }
    let v = after_op.trim_start();
    let head_len = text.len() - v.len();
    match v.strip_prefix('"') {
        Some(inner) => {
            // A closing quote that is not escaped ends the value.
            let mut escaped = false;
            for c in inner.chars() {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    return Part::Done;
                }
            }
            Part::Value {
                attr,
                head: &text[..head_len + 1],
                value: inner,
                quoted: true,
            }
        }
        None => Part::Value {
            attr,
            head: &text[..head_len],
            value: v,
            quoted: false,
        },
    }
}

/// What can follow the text, for the hint line under the box.
pub fn candidates(text: &str) -> Vec<&'static str> {
    match parse(text) {
        Part::Attr(a) => SEARCHABLE
            .iter()
            .copied()
            .filter(|s| s.starts_with(a))
            .collect(),
        Part::Op { attr, op, .. } if SEARCHABLE.contains(&attr) => ["=", "^="]
            .into_iter()
            .filter(|o| o.starts_with(op))
            .collect(),
        Part::Value { attr, value, .. } => values_for(attr)
            .iter()
            .copied()
            .filter(|v| starts_with_ci(v, value, attr))
            .collect(),
        _ => Vec::new(),
    }
}

fn values_for(attr: &str) -> &'static [&'static str] {
    match attr {
        "cognito:user_status" => USER_STATUSES,
        "status" => ENABLED_STATUSES,
        _ => &[],
    }
}

/// `cognito:user_status` compares case-insensitively; `status` values are matched the same
/// way here so `dis` completes to `Disabled`.
fn starts_with_ci(value: &str, prefix: &str, _attr: &str) -> bool {
    value.to_lowercase().starts_with(&prefix.to_lowercase())
}

fn common_prefix<'a>(xs: &[&'a str]) -> &'a str {
    let Some(first) = xs.first() else {
        return "";
    };
    let mut n = first.len();
    for x in &xs[1..] {
        n = first
            .char_indices()
            .zip(x.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(n);
    }
    &first[..n]
}

/// One Tab press: the completed text, or `None` when there is nothing to add. `cycle`
/// counts the Tab presses in a row at the same spot: when several candidates share no
/// longer prefix, successive presses go through them.
pub fn complete(text: &str, cycle: usize) -> Option<String> {
    match parse(text) {
        Part::Attr(a) => {
            let c: Vec<&str> = SEARCHABLE
                .iter()
                .copied()
                .filter(|s| s.starts_with(a))
                .collect();
            match c.as_slice() {
                [] => None,
                [one] => Some(format!("{one} ")),
                many => {
                    let lcp = common_prefix(many);
                    if lcp.len() > a.len() {
                        Some(lcp.to_string())
                    } else {
                        Some(format!("{} ", many[cycle % many.len()]))
                    }
                }
            }
        }
        Part::Op { attr, head, op } => {
            if !SEARCHABLE.contains(&attr) {
                return None;
            }
            let head = if head.ends_with(' ') {
                head.to_string()
            } else {
                format!("{head} ")
            };
            let c: Vec<&str> = ["=", "^="]
                .into_iter()
                .filter(|o| o.starts_with(op))
                .collect();
            let chosen = match c.as_slice() {
                [one] => *one,
                [] => return None,
                // `^` typed, or nothing: `=` and `^=` share no prefix; cycle.
                many => many[cycle % many.len()],
            };
            Some(format!("{head}{chosen} \""))
        }
        Part::Value {
            attr,
            head,
            value,
            quoted,
        } => {
            let vals = values_for(attr);
            if !quoted {
                let head = if head.ends_with(' ') {
                    head.to_string()
                } else {
                    format!("{head} ")
                };
                let c: Vec<&str> = vals
                    .iter()
                    .copied()
                    .filter(|v| starts_with_ci(v, value, attr))
                    .collect();
                return Some(match c.as_slice() {
                    [one] => format!("{head}\"{one}\""),
                    _ => format!("{head}\"{value}"),
                });
            }
            let c: Vec<&str> = vals
                .iter()
                .copied()
                .filter(|v| starts_with_ci(v, value, attr))
                .collect();
            match c.as_slice() {
                [] => None,
                [one] => Some(format!("{head}{one}\"")),
                many => {
                    let lcp = common_prefix(many);
                    if lcp.len() > value.len() {
                        Some(format!("{head}{lcp}"))
                    } else {
                        Some(format!("{head}{}\"", many[cycle % many.len()]))
                    }
                }
            }
        }
        Part::Done => None,
    }
}

/// Tab completion: the completed text, or `None` when there is nothing to add (see
/// [`complete`]).
pub fn tab(text: &str, cycle: usize) -> Option<String> {
    complete(text, cycle)
}

/// The filter as it is sent: a value left open (`email ^= "ann`, what typing after a Tab
/// completion leaves) gets its closing quote. Anything else is sent as typed, so the
/// server's own message explains a real mistake.
pub fn close(filter: &str) -> String {
    let mut quotes = 0;
    let mut escaped = false;
    for c in filter.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => quotes += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    if quotes == 1 && !escaped {
        format!("{filter}\"")
    } else {
        filter.to_string()
    }
}

/// A one-line description of what the filter does, for the count line.
pub fn describe(filter: &str) -> String {
    match parse(filter) {
        Part::Done => filter.to_string(),
        _ => format!("{filter} (incomplete)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_value_is_closed_before_it_is_sent() {
        assert_eq!(close("email ^= \"ann"), "email ^= \"ann\"");
        assert_eq!(close("email ^= \"ann\""), "email ^= \"ann\"");
        assert_eq!(close("name = \"say \\\"hi"), "name = \"say \\\"hi\"");
        // A trailing backslash would escape the added quote: left for the server to refuse.
        assert_eq!(close("name = \"a\\"), "name = \"a\\");
        assert_eq!(close("email ^= ann"), "email ^= ann");
        assert_eq!(close(""), "");
    }

    #[test]
    fn attributes_then_operator_then_quote_then_values() {
        assert_eq!(tab("em", 0).as_deref(), Some("email "));
        assert_eq!(tab("cog", 0).as_deref(), Some("cognito:user_status "));
        // `given_name` and `family_name` don't share a prefix with `g`… only given_name does.
        assert_eq!(tab("g", 0).as_deref(), Some("given_name "));
        // username / email / … : nothing typed cycles through all of them.
        assert_eq!(tab("", 0).as_deref(), Some("username "));
        assert_eq!(tab("", 1).as_deref(), Some("email "));
        // `p` matches phone_number and preferred_username: no common prefix, cycle.
        assert_eq!(tab("p", 0).as_deref(), Some("phone_number "));
        assert_eq!(tab("p", 1).as_deref(), Some("preferred_username "));
        // `s` → status and sub: common prefix `s`, cycle.
        assert_eq!(tab("st", 0).as_deref(), Some("status "));
        assert_eq!(tab("email ", 0).as_deref(), Some("email = \""));
        assert_eq!(tab("email ", 1).as_deref(), Some("email ^= \""));
        assert_eq!(tab("email ^", 0).as_deref(), Some("email ^= \""));
        assert_eq!(tab("email ^=", 0).as_deref(), Some("email ^= \""));
        assert_eq!(
            tab("cognito:user_status = \"unc", 0).as_deref(),
            Some("cognito:user_status = \"UNCONFIRMED\"")
        );
        assert_eq!(
            tab("status = \"D", 0).as_deref(),
            Some("status = \"Disabled\"")
        );
        assert_eq!(tab("status = ", 0).as_deref(), Some("status = \""));
        // Values are offered only for the two status attributes.
        assert_eq!(tab("email ^= \"an", 0), None);
        assert_eq!(tab("email ^= \"ann\"", 0), None);
        assert_eq!(tab("custom:x ", 0), None);
    }

    #[test]
    fn candidates_for_the_hint_line() {
        assert_eq!(candidates("").len(), SEARCHABLE.len());
        assert_eq!(candidates("s"), vec!["status", "sub"]);
        assert_eq!(candidates("email "), vec!["=", "^="]);
        assert_eq!(candidates("status = \""), vec!["Enabled", "Disabled"]);
        assert_eq!(
            candidates("cognito:user_status = \"c"),
            vec!["CONFIRMED", "COMPROMISED"]
        );
        assert!(candidates("email = \"x\"").is_empty());
    }

    #[test]
    fn escaped_quotes_stay_inside_the_value() {
        assert_eq!(
            parse("name = \"a\\\"b"),
            Part::Value {
                attr: "name",
                head: "name = \"",
                value: "a\\\"b",
                quoted: true
            }
        );
        assert_eq!(parse("name = \"a\\\"b\""), Part::Done);
    }
}
