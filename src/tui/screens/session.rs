//! The Session screen: who is signed in, token expiry counting down, and each token checked:
//! its header, its signature against the issuer's keys, its claims with a line of meaning each
//! (times in local time), and ✓ or ✗ with the reason. After a sign-out it shows the check of
//! the tokens the sign-out ended (revoked, or only forgotten). Tokens are only abbreviated.

use crossterm::event::{KeyCode, KeyEvent};
use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use serde_json::Value;

use crate::auth::events::{AuthCommand, DeviceView, ExpiryHealth, SessionView};
use crate::auth::session::expiry_health;
use crate::auth::token_check::{
    SignOutKind, Signature, TokenCheck, TokenCheckReport, TokenKind, TokenProblem, claim_meaning,
    short_kid, span,
};
use crate::tui::context::Context;
use crate::tui::shared::{Action, Screen, flow_name};
use crate::tui::theme::Theme;
use crate::tui::widgets::countdown;

/// The time zone times are shown in: the system's, or a fixed one (screenshots, tests).
#[derive(Debug, Clone)]
pub struct LocalZone(pub TimeZone);

impl Default for LocalZone {
    fn default() -> Self {
        LocalZone(TimeZone::system())
    }
}

impl LocalZone {
    /// `22:25:28 CET`, with the date in front when it is not today's.
    pub fn time(&self, secs: i64, now_ms: i64) -> String {
        let Ok(ts) = jiff::Timestamp::from_second(secs) else {
            return "out of range".into();
        };
        let at = ts.to_zoned_datetime(self.0.clone());
        let today = jiff::Timestamp::from_millisecond(now_ms)
            .map(|n| n.to_zoned_datetime(self.0.clone()).date() == at.date())
            .unwrap_or(false);
        if today {
            at.strftime("%H:%M:%S %Z").to_string()
        } else {
            at.strftime("%Y-%m-%d %H:%M:%S %Z").to_string()
        }
    }
}

/// `in 54 min` or `4 min ago`.
fn relative(secs: i64, now_ms: i64) -> String {
    let d = secs.saturating_sub(now_ms.div_euclid(1000));
    match d {
        0 => "now".into(),
        d if d > 0 => format!("in {}", span(d)),
        d => format!("{} ago", span(d)),
    }
}

fn expiry(exp_s: i64, now_ms: i64, t: &Theme) -> Span<'static> {
    let left = exp_s.saturating_sub(now_ms.div_euclid(1000));
    match expiry_health(exp_s, now_ms) {
        ExpiryHealth::Valid => Span::styled(format!("expires in {}", countdown(left)), t.ok()),
        ExpiryHealth::Expired => Span::styled(
            format!("expired {} ago", countdown(left.saturating_neg())),
            t.error(),
        ),
        ExpiryHealth::ImplausiblyFar => Span::styled(
            format!("exp {exp_s} is implausibly far ahead (no Cognito token lives 30 days)"),
            t.error(),
        ),
    }
}

fn claim_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Claims that are times, shown with their local time too.
const TIME_CLAIMS: &[&str] = &["exp", "iat", "auth_time", "nbf"];

/// A few words for the first problem: what the head line shows after ✗.
fn short(p: &TokenProblem) -> &'static str {
    match p {
        TokenProblem::Malformed { .. } => "malformed",
        TokenProblem::UnsupportedAlg { .. } => "not RS256",
        TokenProblem::NoKid => "no kid",
        TokenProblem::UntrustedIssuer { .. } => "foreign issuer",
        TokenProblem::KeysUnavailable { .. } => "keys unreadable",
        TokenProblem::UnknownKid { .. } => "unknown kid",
        TokenProblem::BadSignature => "bad signature",
        TokenProblem::Expired { .. } => "expired",
        TokenProblem::NoExp => "no exp",
        TokenProblem::WrongTokenUse { .. } => "wrong token_use",
        TokenProblem::WrongAudience { .. } => "wrong audience",
        TokenProblem::WrongClientId { .. } => "wrong client_id",
        TokenProblem::Revoked { .. } => "revoked",
    }
}

/// ✓, ✗ and why in a few words, `opaque`, or `checking…` while the check is on its way.
fn verdict(check: Option<&TokenCheck>, t: &Theme) -> Span<'static> {
    match check {
        None => Span::styled("checking…", t.dim()),
        Some(c) if c.ok() => Span::styled("✓ verified", t.ok()),
        Some(c) => match c.problems.first() {
            Some(p) => Span::styled(format!("✗ {}", short(p)), t.error()),
            None if c.opaque => Span::styled("opaque", t.dim()),
            None => Span::styled("✗ not verified", t.error()),
        },
    }
}

fn header_line(c: &TokenCheck, t: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled("header ", t.label())];
    match &c.header {
        Some(h) => {
            spans.push(Span::raw(format!(
                "alg {}",
                h.alg.as_deref().unwrap_or("(none)")
            )));
            if let Some(enc) = &h.enc {
                spans.push(Span::raw(format!("  enc {enc}")));
            }
            if let Some(kid) = &h.kid {
                spans.push(Span::raw(format!("  kid {}", short_kid(kid))));
            }
        }
        None => spans.push(Span::styled("none readable", t.dim())),
    }
    Line::from(spans)
}

/// The header and the signature, the keys it was checked with (their URL unless `seen`, the
/// URL already shown) and notes.
fn signature_lines(
    c: &TokenCheck,
    seen: Option<&str>,
    now_ms: i64,
    zone: &LocalZone,
    t: &Theme,
) -> Vec<Line<'static>> {
    let mut head = header_line(c, t);
    let keys = match &c.signature {
        Signature::Verified { keys, .. } => {
            head.push_span(Span::styled("  ✓ signature verified", t.ok()));
            Some(keys)
        }
        Signature::Bad { keys, .. } => {
            head.push_span(Span::styled("  ✗ signature does not match", t.error()));
            Some(keys)
        }
        Signature::NotChecked if c.opaque => None,
        Signature::NotChecked => {
            head.push_span(Span::styled("  ✗ signature not checked", t.error()));
            None
        }
    };
    let mut out = vec![head];
    if let Some(k) = keys.filter(|k| seen != Some(k.url.as_str())) {
        out.push(Line::from(vec![
            Span::styled("keys ", t.label()),
            Span::styled(
                format!(
                    "{} published at this URL, {} {}",
                    k.kids.len(),
                    if k.from_cache {
                        "cached since"
                    } else {
                        "fetched"
                    },
                    zone.time(k.fetched_at_ms.div_euclid(1000), now_ms)
                ),
                t.dim(),
            ),
        ]));
        out.push(Line::styled(k.url.clone(), t.dim()));
    }
    for n in &c.notes {
        out.push(Line::styled(n.clone(), t.dim()));
    }
    out
}

struct Claims<'a> {
    title: &'static str,
    claims: &'a Value,
    check: Option<&'a TokenCheck>,
    /// The JWKS URL already shown above, not repeated.
    seen: Option<&'a str>,
}

/// The title line, then the check and the claims, each with its meaning underneath.
fn claims(
    c: &Claims,
    now_ms: i64,
    zone: &LocalZone,
    t: &Theme,
) -> (Line<'static>, Vec<Line<'static>>) {
    let title = Line::styled(c.title.to_string(), t.title());
    let mut out = Vec::new();
    if let Some(check) = c.check {
        out.extend(signature_lines(check, c.seen, now_ms, zone, t));
    }
    match c.claims.as_object() {
        Some(map) if !map.is_empty() => {
            let w = map
                .keys()
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(0)
                .min(18);
            for (k, v) in map {
                let mut val = claim_value(v);
                if TIME_CLAIMS.contains(&k.as_str())
                    && let Some(n) = v.as_i64()
                {
                    val = format!("{val}  {} ({})", zone.time(n, now_ms), relative(n, now_ms));
                }
                let key_style = if k == "cognito:username" {
                    t.key()
                } else {
                    t.json_key()
                };
                out.push(Line::from(vec![
                    Span::styled(format!("{k:<w$} "), key_style),
                    Span::raw(val),
                ]));
                out.push(Line::styled(format!("  {}", claim_meaning(k)), t.dim()));
            }
        }
        _ if c.check.is_some_and(|c| c.opaque) => {}
        _ => out.push(Line::styled("(no claims)", t.dim())),
    }
    (title, out)
}

#[derive(Debug, Default)]
pub struct SessionScreen {
    /// The signed-in session (`None` when signed out).
    pub view: Option<SessionView>,
    /// Scroll offset of the claims.
    pub scroll: u16,
    /// The newest token check: of the signed-in tokens, or of those the last sign-out ended.
    pub check: Option<TokenCheckReport>,
    pub zone: LocalZone,
    /// The user's devices as fetchDevices last listed them (`None`: not fetched yet).
    pub devices: Option<Vec<DeviceView>>,
}

impl SessionScreen {
    pub fn signed_in_user(&self) -> Option<&str> {
        self.view.as_ref().map(|s| s.username.as_str())
    }

    /// The check of the tokens on screen: the signed-in ones' (none while it is on its way),
    /// or, signed out, the check of the tokens the sign-out ended.
    pub fn current_check(&self) -> Option<&TokenCheckReport> {
        let c = self.check.as_ref()?;
        match &self.view {
            Some(v) => (c.signed_out.is_none()
                && c.token(TokenKind::Access)
                    .is_some_and(|a| a.abbrev == v.access_token_abbrev))
            .then_some(c),
            None => c.signed_out.is_some().then_some(c),
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context, now_ms: i64) -> Vec<Action> {
        let cmd = match key.code {
            KeyCode::Char('r') => AuthCommand::FetchSession {
                force_refresh: true,
            },
            KeyCode::Char('f') => AuthCommand::FetchSession {
                force_refresh: false,
            },
            KeyCode::Char('o') => AuthCommand::SignOut { global: false },
            KeyCode::Char('g') => AuthCommand::SignOut { global: true },
            KeyCode::Char('v') => AuthCommand::CheckTokens,
            KeyCode::Char('d') => AuthCommand::FetchDevices,
            KeyCode::Char('m') => AuthCommand::RememberDevice,
            KeyCode::Char('x') => AuthCommand::ForgetDevice { device_key: None },
            KeyCode::Char('a') if self.view.is_some() => {
                return vec![Action::Goto(Screen::Account)];
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.scroll = self.scroll.saturating_add(1).min(90);
                return Vec::new();
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.scroll = self.scroll.saturating_sub(1);
                return Vec::new();
            }
            _ => return Vec::new(),
        };
        ctx.auth(cmd, now_ms).into_iter().collect()
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context, now_ms: i64) {
        render(self, &ctx.theme, frame, area, now_ms);
    }
}

/// The Devices part: what fetchDevices listed (a device on two lines: its key, then its
/// status, name and last sign-in), this client's device marked.
fn device_lines(devices: Option<&[DeviceView]>, t: &Theme, now_ms: i64) -> Vec<Line<'static>> {
    // Not listed yet: no row (the footer and the help name `d`), so the claims keep the room.
    let Some(devices) = devices else {
        return Vec::new();
    };
    if devices.is_empty() {
        return vec![Line::from(vec![
            Span::styled("Devices ", t.label()),
            Span::styled("none (the pool tracks no device of this user)", t.dim()),
        ])];
    }
    let mut out = vec![Line::from(vec![
        Span::styled(format!("Devices ({}) ", devices.len()), t.label()),
        Span::styled("m remember · x forget this one", t.dim()),
    ])];
    for d in devices {
        let status = d.status.clone().unwrap_or_else(|| "unknown".into());
        let style = if status == "remembered" {
            t.ok()
        } else {
            t.dim()
        };
        out.push(Line::raw(format!("  {}", d.device_key)));
        let mut spans = vec![Span::raw("    "), Span::styled(status, style)];
        if let Some(name) = &d.name {
            spans.push(Span::styled(format!("  {name}"), t.dim()));
        }
        if let Some(at) = d.last_authenticated {
            let ago = now_ms.div_euclid(1000).saturating_sub(at).max(0);
            spans.push(Span::styled(
                format!("  signed in {} ago", countdown(ago)),
                t.dim(),
            ));
        }
        if d.this_client {
            spans.push(Span::styled("  (this client)", t.key()));
        }
        out.push(Line::from(spans));
    }
    out
}

/// `✗ ID: expired 4 min ago …`, one wrapped line per reason; a reason several tokens share
/// is said once (`✗ Access, ID, Refresh: revoked …`).
fn reasons(report: Option<&TokenCheckReport>, t: &Theme) -> Vec<Line<'static>> {
    let Some(r) = report else {
        return Vec::new();
    };
    let mut grouped: Vec<(Vec<&str>, String)> = Vec::new();
    for c in ordered(r) {
        for p in &c.problems {
            let why = p.reason();
            match grouped.iter_mut().find(|(_, w)| *w == why) {
                Some((kinds, _)) => kinds.push(c.kind.label()),
                None => grouped.push((vec![c.kind.label()], why)),
            }
        }
    }
    grouped
        .into_iter()
        .map(|(kinds, why)| {
            Line::from(vec![
                Span::styled(format!("✗ {}: ", kinds.join(", ")), t.error()),
                Span::raw(why),
            ])
        })
        .collect()
}

/// A report's tokens in the order the screen lists them: access, ID, refresh.
fn ordered(r: &TokenCheckReport) -> impl Iterator<Item = &TokenCheck> {
    [TokenKind::Access, TokenKind::Id, TokenKind::Refresh]
        .into_iter()
        .filter_map(|k| r.token(k))
}

/// Rows `lines` take when wrapped at `width` (by characters: close enough for a layout).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let w = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| l.width().div_ceil(w).max(1))
        .sum::<usize>()
        .min(usize::from(u16::MAX)) as u16
}

fn token_row(
    kind: TokenKind,
    exp: Option<i64>,
    abbrev: Option<&str>,
    report: Option<&TokenCheckReport>,
    now_ms: i64,
    width: u16,
    t: &Theme,
) -> Line<'static> {
    let label = format!("{:<8}", kind.label());
    let check = report.and_then(|r| r.token(kind));
    let mut spans = vec![Span::styled(label, t.label())];
    if let Some(exp) = exp {
        spans.push(expiry(exp, now_ms, t));
        spans.push(Span::raw("  "));
    }
    match (kind, check) {
        (TokenKind::Refresh, Some(c)) if c.problems.is_empty() => {
            spans.push(Span::styled("opaque, Cognito's to check", t.dim()))
        }
        (TokenKind::Refresh, None) => spans.push(Span::styled("opaque", t.dim())),
        _ => spans.push(verdict(check, t)),
    }
    // The abbreviated token only where it fits (the inspector shows it too).
    if let Some(a) = abbrev {
        let a = Span::styled(format!("  {a}"), t.dim());
        let used: usize = spans.iter().map(Span::width).sum();
        if used + a.width() <= usize::from(width) {
            spans.push(a);
        }
    }
    Line::from(spans)
}

fn render(screen: &SessionScreen, t: &Theme, frame: &mut Frame, area: Rect, now_ms: i64) {
    let zone = &screen.zone;
    let report = screen.current_check();
    let mut head = Vec::new();
    let (id_claims, access_claims) = match &screen.view {
        Some(s) => {
            head.push(Line::from(vec![
                Span::styled("Signed in as ", t.label()),
                Span::styled(s.username.clone(), t.key()),
                Span::styled(format!("  {}", flow_name(s.auth_flow)), t.dim()),
            ]));
            head.push(Line::from(vec![
                Span::styled("sub ", t.label()),
                Span::raw(s.sub.clone().unwrap_or_else(|| "—".into())),
            ]));
            let row = |kind, exp, abbrev: Option<&str>| {
                token_row(kind, exp, abbrev, report, now_ms, area.width, t)
            };
            head.push(row(
                TokenKind::Access,
                Some(s.access_expires_at),
                Some(&s.access_token_abbrev),
            ));
            head.push(row(
                TokenKind::Id,
                Some(s.id_expires_at),
                Some(&s.id_token_abbrev),
            ));
            head.push(match &s.refresh_token_abbrev {
                Some(a) => row(TokenKind::Refresh, None, Some(a)),
                None => Line::from(vec![
                    Span::styled("Refresh ", t.label()),
                    Span::styled("none", t.dim()),
                ]),
            });
            if let Some(r) = s.refreshed_at_ms {
                head.push(Line::from(vec![
                    Span::styled("Refreshed at ", t.label()),
                    Span::raw(zone.time(r.div_euclid(1000), now_ms)),
                ]));
            }
            (&s.id_token_claims, &s.access_token_claims)
        }
        None => {
            head.push(Line::styled("Not signed in.", t.dim()));
            let Some(r) = report else {
                head.push(Line::raw(""));
                head.push(Line::styled(
                    "Sign in (F3) to see the tokens' claims, their expiry and their check here.",
                    t.dim(),
                ));
                frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), area);
                return;
            };
            let how = match r.signed_out.map(|s| s.kind) {
                Some(SignOutKind::Global) => "revoked by GlobalSignOut",
                Some(SignOutKind::Revoked) => "revoked by RevokeToken",
                _ => "forgotten by a local sign-out",
            };
            let at = r
                .signed_out
                .map(|s| zone.time(s.at_ms.div_euclid(1000), now_ms))
                .unwrap_or_default();
            head.push(Line::from(vec![
                Span::styled("Tokens of ", t.label()),
                Span::styled(r.username.clone(), t.key()),
                Span::styled(format!(", {how} at {at}:"), t.label()),
            ]));
            for c in ordered(r) {
                let exp = c.claims.get("exp").and_then(Value::as_i64);
                head.push(token_row(
                    c.kind,
                    exp,
                    Some(&c.abbrev),
                    report,
                    now_ms,
                    area.width,
                    t,
                ));
            }
            let empty = |kind| r.token(kind).map(|c| &c.claims).unwrap_or(&Value::Null);
            (empty(TokenKind::Id), empty(TokenKind::Access))
        }
    };
    if screen.view.is_some() {
        head.extend(device_lines(screen.devices.as_deref(), t, now_ms));
    }
    let reasons = reasons(report, t);
    let head_h = wrapped_height(&head, area.width).min(area.height);
    let [top, rest] =
        Layout::vertical([Constraint::Length(head_h), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), top);
    let rest = if reasons.is_empty() {
        crate::tui::widgets::below(rest, 1)
    } else {
        let h = wrapped_height(&reasons, rest.width).min(rest.height / 2 + 1);
        let p = Paragraph::new(reasons).wrap(Wrap { trim: true });
        let [why, below] =
            Layout::vertical([Constraint::Length(h + 1), Constraint::Min(0)]).areas(rest);
        frame.render_widget(p, why);
        below
    };
    let check = |kind| report.and_then(|r| r.token(kind));
    let id_keys = check(TokenKind::Id).and_then(|c| match &c.signature {
        Signature::Verified { keys, .. } | Signature::Bad { keys, .. } => Some(keys.url.as_str()),
        Signature::NotChecked => None,
    });
    let (id_title, id) = claims(
        &Claims {
            title: "ID token claims",
            claims: id_claims,
            check: check(TokenKind::Id),
            seen: None,
        },
        now_ms,
        zone,
        t,
    );
    let (access_title, access) = claims(
        &Claims {
            title: "Access token claims",
            claims: access_claims,
            check: check(TokenKind::Access),
            seen: id_keys,
        },
        now_ms,
        zone,
        t,
    );
    let mut refresh = Vec::new();
    if let Some(c) = check(TokenKind::Refresh) {
        refresh.push(Line::raw(""));
        refresh.push(Line::styled("Refresh token", t.title()));
        refresh.extend(signature_lines(c, None, now_ms, zone, t));
    }
    let scroll = screen.scroll;
    if rest.width >= 90 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(1)
            .areas(rest);
        // The titles stay while the claims scroll under them.
        for (area, title, mut body) in [(l, id_title, id), (r, access_title, access)] {
            if area.height == 0 {
                continue;
            }
            if title
                .spans
                .first()
                .is_some_and(|s| s.content.starts_with("Access"))
            {
                body.extend(refresh.clone());
            }
            let title_area = Rect { height: 1, ..area };
            frame.render_widget(Paragraph::new(title), title_area);
            let body_area = crate::tui::widgets::below(area, 1);
            frame.render_widget(
                Paragraph::new(body)
                    .wrap(Wrap { trim: false })
                    .scroll((scroll, 0)),
                body_area,
            );
        }
    } else {
        let mut all = vec![id_title];
        all.extend(id);
        all.push(Line::raw(""));
        all.push(access_title);
        all.extend(access);
        all.extend(refresh);
        frame.render_widget(
            Paragraph::new(all)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            rest,
        );
    }
}
