//! The Users view with TestBackend: lazy paging with prefetch (and no refetch), stale pages,
//! filter completion, a rejected filter, the detail panel, every action's confirmation and
//! command, row refresh and removal, OSC 52 copies, credentials problems and narrow
//! terminals. Events are fed as the users actor sends them.

use std::collections::BTreeMap;

use cognito_tui::admin::{
    AdminCommand, AdminEvent, GroupRow, SettingsError, UserAction, UserDetail, UserRow,
};
use cognito_tui::auth::events::AuthCommand;
use cognito_tui::tui::demo::{self, NOW_MS, render, text};
use cognito_tui::tui::screens::Screen;
use cognito_tui::tui::users::dialog::Dialog;
use cognito_tui::tui::{Action, App};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(app: &mut App, code: KeyCode) -> Vec<Action> {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.handle_key(KeyEvent::new(code, mods), NOW_MS)
}

fn key(app: &mut App, c: char) -> Vec<Action> {
    press(app, KeyCode::Char(c))
}

fn typ(app: &mut App, s: &str) -> Vec<Action> {
    let mut out = Vec::new();
    for c in s.chars() {
        out.extend(key(app, c));
    }
    out
}

fn list(filter: Option<&str>, token: Option<&str>) -> Action {
    Action::Admin(AdminCommand::ListUsers {
        filter: filter.map(str::to_string),
        pagination_token: token.map(str::to_string),
        limit: 60,
    })
}

fn page(
    app: &mut App,
    filter: Option<&str>,
    token: Option<&str>,
    users: Vec<UserRow>,
    next: Option<&str>,
) -> Vec<Action> {
    app.on_admin_event(
        AdminEvent::UsersPage {
            filter: filter.map(str::to_string),
            request_token: token.map(str::to_string),
            users,
            next_token: next.map(str::to_string),
        },
        NOW_MS,
    )
}

/// `n` users named `{prefix}0000`… with emails.
fn rows(prefix: &str, from: usize, n: usize) -> Vec<UserRow> {
    (from..from + n)
        .map(|i| UserRow {
            username: format!("{prefix}{i:04}"),
            status: "CONFIRMED".into(),
            enabled: true,
            attributes: BTreeMap::from([
                ("email".into(), format!("{prefix}{i:04}@example.com")),
                ("email_verified".into(), "true".into()),
                ("sub".into(), format!("sub-{prefix}-{i}")),
            ]),
            created: NOW_MS / 1000 - 86_400,
            modified: NOW_MS / 1000 - 3600,
            mfa: Vec::new(),
        })
        .collect()
}

/// The Users view with the demo's first page (alice, bob, …; 60 rows, more available).
fn users_app() -> App {
    let mut app = demo::signed_in();
    assert_eq!(press(&mut app, KeyCode::F(6)), vec![list(None, None)]);
    assert!(page(&mut app, None, None, demo::users(60), Some("t2")).is_empty());
    app
}

fn screen(app: &App, w: u16, h: u16) -> String {
    text(&render(app, w, h, NOW_MS))
}

fn act(actions: &[Action]) -> UserAction {
    match actions {
        [Action::Admin(AdminCommand::Act { action })] => action.clone(),
        other => panic!("expected one Act, got {other:?}"),
    }
}

/// The open confirmation's question and consequence (the screen wraps them).
fn confirmation(app: &App) -> String {
    match &app.users.dialog {
        Some(Dialog::Confirm(c)) => format!("{} {}", c.question, c.consequence),
        other => panic!("no confirmation open: {other:?}"),
    }
}

fn select(app: &mut App, username: &str) {
    let i = app
        .users
        .rows
        .iter()
        .position(|r| r.username == username)
        .expect("user listed");
    press(app, KeyCode::Home);
    for _ in 0..i {
        press(app, KeyCode::Down);
    }
    assert_eq!(app.users.selected_user().unwrap().username, username);
}

#[test]
fn scrolling_prefetches_the_next_page_once_and_going_back_never_refetches() {
    let mut app = demo::signed_in();
    assert_eq!(press(&mut app, KeyCode::F(6)), vec![list(None, None)]);
    let s = screen(&app, 120, 40);
    assert!(s.contains("loading users (ListUsers)"), "{s}");
    page(&mut app, None, None, rows("u", 0, 60), Some("t2"));
    let s = screen(&app, 120, 40);
    assert!(s.contains("60 loaded, more available"), "{s}");
    // Scroll down: one ListUsers for t2 when the selection nears the end, no more while
    // it is on its way.
    let mut sent = Vec::new();
    for _ in 0..59 {
        sent.extend(press(&mut app, KeyCode::Down));
    }
    assert_eq!(sent, vec![list(None, Some("t2"))]);
    assert_eq!(app.users.selected, 59);
    let s = screen(&app, 120, 40);
    assert!(s.contains("loading page 2"), "{s}");
    // The page arrives: appended to the same list.
    assert!(page(&mut app, None, Some("t2"), rows("u", 60, 60), Some("t3")).is_empty());
    assert_eq!(app.users.rows.len(), 120);
    assert_eq!(app.users.rows[60].username, "u0060");
    let s = screen(&app, 120, 40);
    assert!(s.contains("120 loaded, more available"), "{s}");
    // Going back to the top fetches nothing.
    let mut sent = Vec::new();
    for _ in 0..70 {
        sent.extend(press(&mut app, KeyCode::Up));
    }
    sent.extend(press(&mut app, KeyCode::Home));
    assert!(sent.is_empty(), "{sent:?}");
    // End jumps to the last loaded row and fetches the next page.
    assert_eq!(press(&mut app, KeyCode::End), vec![list(None, Some("t3"))]);
    page(&mut app, None, Some("t3"), rows("u", 120, 5), None);
    let s = screen(&app, 120, 40);
    assert!(s.contains("all 125 loaded"), "{s}");
    assert!(
        press(&mut app, KeyCode::End).is_empty(),
        "nothing left to load"
    );
    assert!(press(&mut app, KeyCode::PageUp).is_empty());
}

#[test]
fn a_prefetched_page_arriving_keeps_the_selection() {
    let mut app = users_app();
    for _ in 0..45 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(
        app.users.pending.as_ref().unwrap().token.as_deref(),
        Some("t2")
    );
    page(&mut app, None, Some("t2"), rows("p", 0, 60), None);
    assert_eq!(app.users.selected, 45);
}

#[test]
fn stale_pages_are_ignored() {
    let mut app = users_app();
    key(&mut app, '/');
    typ(&mut app, "email ^= \"a\"");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![list(Some("email ^= \"a\""), None)]
    );
    // Another filter before the first answered.
    key(&mut app, '/');
    // The box still holds the filter just sent.
    assert_eq!(app.users.filter_form.raw("filter"), "email ^= \"a\"");
    for _ in 0..2 {
        press(&mut app, KeyCode::Backspace);
    }
    typ(&mut app, "b\"");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![list(Some("email ^= \"b\""), None)]
    );
    // The answer to the older filter is dropped; the list is unchanged.
    page(
        &mut app,
        Some("email ^= \"a\""),
        None,
        rows("a", 0, 3),
        None,
    );
    assert_eq!(app.users.rows.len(), 60);
    assert_eq!(app.users.filter, None);
    // So is a page for a token nobody asked for.
    page(&mut app, None, Some("t2"), rows("x", 0, 60), None);
    assert_eq!(app.users.rows.len(), 60);
    // The current answer applies.
    page(
        &mut app,
        Some("email ^= \"b\""),
        None,
        rows("b", 0, 2),
        None,
    );
    assert_eq!(app.users.rows.len(), 2);
    assert_eq!(app.users.filter.as_deref(), Some("email ^= \"b\""));
    let s = screen(&app, 120, 30);
    assert!(s.contains("all 2 loaded"), "{s}");
    assert!(s.contains("b0000"), "{s}");
    assert!(!s.contains("alice@example.com"), "{s}");
    // Esc clears the filter.
    assert_eq!(press(&mut app, KeyCode::Esc), vec![list(None, None)]);
}

#[test]
fn tab_completes_attributes_operators_quotes_and_status_values() {
    let mut app = users_app();
    key(&mut app, '/');
    assert!(app.is_typing());
    // The hint line offers the searchable attributes.
    let s = screen(&app, 120, 30);
    assert!(s.contains("username  email  phone_number"), "{s}");
    typ(&mut app, "em");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.users.filter_form.raw("filter"), "email ");
    let s = screen(&app, 120, 30);
    assert!(s.contains("Tab =  ^="), "{s}");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.users.filter_form.raw("filter"), "email = \"");
    // Tab again: the other operator.
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.users.filter_form.raw("filter"), "email ^= \"");
    // Letters are typed, not commands (n, d, q …).
    assert!(typ(&mut app, "ann\"").is_empty());
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![list(Some("email ^= \"ann\""), None)]
    );
    assert!(!app.is_typing());

    // cognito:user_status values, case-insensitively.
    key(&mut app, '/');
    for _ in 0..20 {
        press(&mut app, KeyCode::Backspace);
    }
    typ(&mut app, "cog");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    assert_eq!(
        app.users.filter_form.raw("filter"),
        "cognito:user_status = \""
    );
    let s = screen(&app, 140, 30);
    assert!(s.contains("UNCONFIRMED  CONFIRMED"), "{s}");
    typ(&mut app, "unc");
    press(&mut app, KeyCode::Tab);
    assert_eq!(
        app.users.filter_form.raw("filter"),
        "cognito:user_status = \"UNCONFIRMED\""
    );
    // status: Enabled / Disabled.
    for _ in 0..40 {
        press(&mut app, KeyCode::Backspace);
    }
    typ(&mut app, "status = \"d");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.users.filter_form.raw("filter"), "status = \"Disabled\"");
    // Esc cancels: the box shows the filter in force, nothing is sent.
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(!app.is_typing());
    assert_eq!(app.users.filter_form.raw("filter"), "");
}

#[test]
fn a_rejected_filter_shows_the_server_message_and_keeps_the_list() {
    let mut app = users_app();
    key(&mut app, '/');
    typ(&mut app, "custom:team = \"x\"");
    press(&mut app, KeyCode::Enter);
    let msg = "Invalid search attribute: custom:team";
    app.on_admin_event(
        AdminEvent::Error {
            operation: "ListUsers".into(),
            code: "InvalidParameterException".into(),
            message: msg.into(),
        },
        NOW_MS,
    );
    assert_eq!(app.users.rows.len(), 60);
    assert_eq!(app.users.filter, None);
    assert!(app.users.pending.is_none());
    let s = screen(&app, 120, 30);
    assert!(
        s.contains(&format!(
            "Filter rejected: InvalidParameterException: {msg}"
        )),
        "{s}"
    );
    assert!(s.contains("alice"), "{s}");
    // The box keeps the rejected text to fix; emptied, it lists everyone again and the
    // message goes.
    key(&mut app, '/');
    assert_eq!(app.users.filter_form.raw("filter"), "custom:team = \"x\"");
    for _ in 0..30 {
        press(&mut app, KeyCode::Backspace);
    }
    assert_eq!(press(&mut app, KeyCode::Enter), vec![list(None, None)]);
    page(&mut app, None, None, demo::users(5), None);
    assert!(!screen(&app, 120, 30).contains("Filter rejected"));
}

fn bob_detail() -> UserDetail {
    let mut row = demo::users(2).remove(1);
    row.attributes
        .insert("phone_number".into(), "+15555550100".into());
    UserDetail {
        username: "bob".into(),
        user: Some(row),
        preferred_mfa: Some("SOFTWARE_TOKEN_MFA".into()),
        mfa_settings: vec!["SOFTWARE_TOKEN_MFA".into(), "SMS_MFA".into()],
        groups: Some(vec![GroupRow {
            name: "admins".into(),
            description: Some("Pool admins".into()),
            precedence: Some(1),
            ..GroupRow::default()
        }]),
        devices: None,
        errors: vec![SettingsError {
            operation: "AdminListDevices".into(),
            code: "InvalidParameterException".into(),
            message: "Device tracking is not enabled for this pool".into(),
        }],
    }
}

#[test]
fn enter_opens_the_detail_panel_with_groups_mfa_and_errors_in_place() {
    let mut app = users_app();
    select(&mut app, "bob");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![Action::Admin(AdminCommand::GetUser {
            username: "bob".into()
        })]
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("AdminGetUser"), "{s}");
    assert!(s.contains("Groups   reading…"), "{s}");
    app.on_admin_event(
        AdminEvent::UserDetail {
            detail: bob_detail(),
        },
        NOW_MS,
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("Status   CONFIRMED"), "{s}");
    assert!(
        s.contains("preferred SOFTWARE_TOKEN_MFA · enabled SOFTWARE_TOKEN_MFA, SMS_MFA"),
        "{s}"
    );
    assert!(s.contains("phone_number"), "{s}");
    assert!(s.contains("+15555550100"), "{s}");
    assert!(s.contains("Groups (1)"), "{s}");
    assert!(s.contains("admins  precedence 1  Pool admins"), "{s}");
    assert!(
        s.contains("AdminListDevices failed: InvalidParameterException: Device tracking"),
        "{s}"
    );
    // The row took the fresher attributes; the MFA column shows the settings.
    press(&mut app, KeyCode::Esc);
    assert!(app.users.detail.is_none());
    let s = screen(&app, 200, 40);
    assert!(s.contains("TOTP*,SMS"), "{s}");
    assert!(s.contains("+15555550100 ✗"), "{s}");
}

/// Each one-key action: its confirmation names the user and what happens; Enter sends it.
#[test]
fn every_action_is_confirmed_then_sent() {
    let cases: &[(char, &str, &str, UserAction)] = &[
        (
            'd',
            "Disable bob?",
            "Their tokens are revoked and sign-in answers “User is disabled.”",
            UserAction::Disable {
                username: "bob".into(),
            },
        ),
        (
            'e',
            "Enable bob?",
            "They can sign in again.",
            UserAction::Enable {
                username: "bob".into(),
            },
        ),
        (
            'D',
            "Delete bob?",
            "gone for good",
            UserAction::Delete {
                username: "bob".into(),
            },
        ),
        (
            'C',
            "Confirm bob's sign-up?",
            "CONFIRMED without a code",
            UserAction::ConfirmSignUp {
                username: "bob".into(),
            },
        ),
        (
            'R',
            "Reset bob's password?",
            "RESET_REQUIRED",
            UserAction::ResetPassword {
                username: "bob".into(),
            },
        ),
        (
            'o',
            "Sign bob out everywhere?",
            "refresh token",
            UserAction::GlobalSignOut {
                username: "bob".into(),
            },
        ),
    ];
    for (k, question, consequence, expected) in cases {
        let mut app = users_app();
        select(&mut app, "bob");
        assert!(key(&mut app, *k).is_empty(), "{k}: nothing is sent yet");
        let s = screen(&app, 120, 40);
        assert!(s.contains(question), "{k}: {s}");
        assert!(confirmation(&app).contains(consequence), "{k}");
        assert!(s.contains("Enter/y"), "{s}");
        // Esc cancels without sending.
        assert!(press(&mut app, KeyCode::Esc).is_empty());
        assert!(app.users.dialog.is_none());
        key(&mut app, *k);
        assert_eq!(&act(&press(&mut app, KeyCode::Enter)), expected, "{k}");
        assert!(app.users.dialog.is_none());
        // The spinner names the call while it runs.
        let s = screen(&app, 120, 40);
        assert!(s.contains(&format!("{} bob…", expected.operation())), "{s}");
    }
}

#[test]
fn the_actions_menu_lists_every_action_and_runs_one() {
    let mut app = users_app();
    select(&mut app, "bob");
    key(&mut app, 'a');
    let s = screen(&app, 120, 40);
    for what in [
        "new user (AdminCreateUser)",
        "disable (AdminDisableUser)",
        "groups: add / remove / create",
        "copy the sub (OSC 52)",
    ] {
        assert!(s.contains(what), "{what}: {s}");
    }
    assert!(key(&mut app, 'd').is_empty());
    assert!(matches!(app.users.dialog, Some(Dialog::Confirm(_))));
    assert_eq!(
        act(&key(&mut app, 'y')),
        UserAction::Disable {
            username: "bob".into()
        }
    );
}

#[test]
fn create_user_form_masks_the_temporary_password_and_adds_the_row() {
    let mut app = users_app();
    key(&mut app, 'n');
    assert!(app.is_typing());
    typ(&mut app, "ann");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "ann@example.com");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Temp-Passw0rd!");
    let s = screen(&app, 120, 40);
    assert!(!s.contains("Temp-Passw0rd!"), "{s}");
    assert!(s.contains("••••"), "{s}");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("Create user ann (email ann@example.com)?"),
        "{s}"
    );
    assert!(!s.contains("Temp-Passw0rd!"), "{s}");
    let c = confirmation(&app);
    assert!(c.contains("with the temporary password you typed"), "{c}");
    assert!(c.contains("an invitation is sent by EMAIL"), "{c}");
    assert!(!c.contains("Temp-Passw0rd!"), "{c}");
    let a = act(&press(&mut app, KeyCode::Enter));
    let UserAction::Create {
        username,
        attributes,
        temporary_password,
        suppress_invitation,
        delivery,
    } = &a
    else {
        panic!("{a:?}");
    };
    assert_eq!(username, "ann");
    assert_eq!(attributes["email"], "ann@example.com");
    assert_eq!(
        temporary_password.as_ref().unwrap().expose(),
        "Temp-Passw0rd!"
    );
    assert!(!suppress_invitation);
    assert_eq!(delivery, &vec!["EMAIL".to_string()]);
    assert!(!format!("{a:?}").contains("Temp-Passw0rd!"));
    // The actor answers with the new row: on top, selected; the status pane says so.
    let mut row = rows("ann", 0, 1).remove(0);
    row.username = "ann".into();
    row.status = "FORCE_CHANGE_PASSWORD".into();
    app.on_admin_event(
        AdminEvent::ActionDone {
            action: a,
            message: "AdminCreateUser ann: created (FORCE_CHANGE_PASSWORD)".into(),
            user: Some(row),
        },
        NOW_MS,
    );
    assert_eq!(app.users.selected_user().unwrap().username, "ann");
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("AdminCreateUser ann: created (FORCE_CHANGE_PASSWORD)"),
        "{s}"
    );
    assert!(s.contains("61 loaded"), "{s}");
    // A later page listing ann does not list her twice.
    press(&mut app, KeyCode::End);
    page(
        &mut app,
        None,
        Some("t2"),
        rows("ann", 0, 1)
            .into_iter()
            .map(|mut r| {
                r.username = "ann".into();
                r
            })
            .collect(),
        None,
    );
    assert_eq!(
        app.users
            .rows
            .iter()
            .filter(|r| r.username == "ann")
            .count(),
        1
    );
}

#[test]
fn create_user_with_a_generated_password_and_no_invitation() {
    let mut app = users_app();
    key(&mut app, 'n');
    typ(&mut app, "gen");
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Char(' ')); // Send invite: off
    press(&mut app, KeyCode::Enter);
    let c = confirmation(&app);
    assert!(
        c.contains("with a temporary password the pool generates"),
        "{c}"
    );
    assert!(c.contains("no invitation is sent"), "{c}");
    match act(&press(&mut app, KeyCode::Enter)) {
        UserAction::Create {
            temporary_password,
            suppress_invitation,
            delivery,
            ..
        } => {
            assert!(temporary_password.is_none());
            assert!(suppress_invitation);
            assert!(delivery.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn set_password_is_masked_and_can_be_temporary() {
    let mut app = users_app();
    select(&mut app, "bob");
    key(&mut app, 'P');
    typ(&mut app, "N3w-Secret!");
    let s = screen(&app, 120, 40);
    assert!(!s.contains("N3w-Secret!"), "{s}");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' ')); // Permanent: off
    press(&mut app, KeyCode::Enter);
    let s = screen(&app, 120, 40);
    assert!(s.contains("Set bob's password (temporary)?"), "{s}");
    assert!(confirmation(&app).contains("FORCE_CHANGE_PASSWORD"));
    match act(&press(&mut app, KeyCode::Enter)) {
        UserAction::SetPassword {
            username,
            password,
            permanent,
        } => {
            assert_eq!(username, "bob");
            assert_eq!(password.expose(), "N3w-Secret!");
            assert!(!permanent);
        }
        other => panic!("{other:?}"),
    }
    assert!(!screen(&app, 120, 40).contains("N3w-Secret!"));
}

#[test]
fn an_empty_password_is_refused_in_the_form() {
    let mut app = users_app();
    key(&mut app, 'P');
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(app.users.dialog, Some(Dialog::Form(_))));
    assert!(screen(&app, 120, 40).contains("Type the new password."));
}

#[test]
fn mfa_preference_starts_from_the_users_settings() {
    let mut app = users_app();
    select(&mut app, "bob");
    // Settings not read yet: the form asks for them.
    assert_eq!(
        key(&mut app, 'm'),
        vec![Action::Admin(AdminCommand::GetUser {
            username: "bob".into()
        })]
    );
    app.on_admin_event(
        AdminEvent::UserDetail {
            detail: bob_detail(),
        },
        NOW_MS,
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("SMS_MFA"), "{s}");
    assert!(s.contains("‹ SOFTWARE_TOKEN_MFA ›"), "{s}");
    // Turn SMS off, keep TOTP preferred.
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    let s = screen(&app, 120, 40);
    assert!(s.contains("Set bob's MFA preference?"), "{s}");
    assert!(
        confirmation(&app).contains("Enabled: SOFTWARE_TOKEN_MFA; preferred: SOFTWARE_TOKEN_MFA")
    );
    assert_eq!(
        act(&press(&mut app, KeyCode::Enter)),
        UserAction::SetMfaPreference {
            username: "bob".into(),
            enabled: vec!["SOFTWARE_TOKEN_MFA".into()],
            preferred: Some("SOFTWARE_TOKEN_MFA".into()),
        }
    );
}

#[test]
fn editing_attributes_sends_the_changes_and_removals() {
    let mut app = users_app();
    select(&mut app, "bob");
    key(&mut app, 'A');
    // Fields: email, email_verified (sub is immutable), + name, + value.
    for _ in 0..30 {
        press(&mut app, KeyCode::Backspace);
    }
    typ(&mut app, "robert@example.com");
    press(&mut app, KeyCode::Tab);
    for _ in 0..10 {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "name");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Robert");
    press(&mut app, KeyCode::Enter);
    let s = screen(&app, 140, 40);
    assert!(s.contains("Change bob's attributes?"), "{s}");
    let c = confirmation(&app);
    assert!(c.contains("email = \"robert@example.com\""), "{c}");
    assert!(c.contains("remove email_verified"), "{c}");
    let out = press(&mut app, KeyCode::Enter);
    assert_eq!(
        out,
        vec![
            Action::Admin(AdminCommand::Act {
                action: UserAction::UpdateAttributes {
                    username: "bob".into(),
                    attributes: BTreeMap::from([
                        ("email".into(), "robert@example.com".into()),
                        ("name".into(), "Robert".into()),
                    ]),
                }
            }),
            Action::Admin(AdminCommand::Act {
                action: UserAction::DeleteAttributes {
                    username: "bob".into(),
                    names: vec!["email_verified".into()],
                }
            }),
        ]
    );
}

#[test]
fn groups_are_picked_from_list_groups_added_removed_and_created() {
    let mut app = users_app();
    select(&mut app, "bob");
    assert_eq!(
        key(&mut app, 'g'),
        vec![
            Action::Admin(AdminCommand::ListGroups),
            Action::Admin(AdminCommand::GetUser {
                username: "bob".into()
            }),
        ]
    );
    assert!(screen(&app, 120, 40).contains("ListGroups"));
    app.on_admin_event(
        AdminEvent::Groups {
            groups: vec![
                GroupRow {
                    name: "admins".into(),
                    precedence: Some(1),
                    ..GroupRow::default()
                },
                GroupRow {
                    name: "readers".into(),
                    ..GroupRow::default()
                },
            ],
        },
        NOW_MS,
    );
    app.on_admin_event(
        AdminEvent::UserDetail {
            detail: bob_detail(),
        },
        NOW_MS,
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("[x] admins"), "{s}");
    assert!(s.contains("[ ] readers"), "{s}");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app, 120, 40).contains("Remove bob from group admins?"));
    assert_eq!(
        act(&press(&mut app, KeyCode::Enter)),
        UserAction::RemoveFromGroup {
            username: "bob".into(),
            group: "admins".into()
        }
    );
    key(&mut app, 'g');
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app, 120, 40).contains("Add bob to group readers?"));
    assert_eq!(
        act(&press(&mut app, KeyCode::Enter)),
        UserAction::AddToGroup {
            username: "bob".into(),
            group: "readers".into()
        }
    );
    // A new group from the picker.
    key(&mut app, 'g');
    key(&mut app, 'n');
    typ(&mut app, "editors");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Can edit");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "5");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app, 120, 40).contains("Create group editors?"));
    assert_eq!(
        act(&press(&mut app, KeyCode::Enter)),
        UserAction::CreateGroup {
            group: "editors".into(),
            description: Some("Can edit".into()),
            precedence: Some(5),
        }
    );
}

#[test]
fn action_results_refresh_or_remove_the_row_and_reach_the_status_pane() {
    let mut app = users_app();
    select(&mut app, "bob");
    key(&mut app, 'd');
    let a = act(&press(&mut app, KeyCode::Enter));
    let mut bob = app.users.selected_user().unwrap().clone();
    bob.enabled = false;
    app.on_admin_event(
        AdminEvent::ActionDone {
            action: a,
            message: "AdminDisableUser bob: disabled, tokens revoked".into(),
            user: Some(bob),
        },
        NOW_MS,
    );
    assert!(!app.users.rows[1].enabled);
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("AdminDisableUser bob: disabled, tokens revoked"),
        "{s}"
    );
    let bob_line = s.lines().find(|l| l.contains("bob@example.com")).unwrap();
    assert!(bob_line.contains(" no "), "{bob_line}");
    assert!(!s.contains("AdminDisableUser bob…"), "{s}");

    // A failure: the status pane and the flash say why; the row stays.
    key(&mut app, 'e');
    let a = act(&press(&mut app, KeyCode::Enter));
    app.on_admin_event(
        AdminEvent::ActionFailed {
            action: a,
            operation: "AdminEnableUser".into(),
            code: "TooManyRequestsException".into(),
            message: "Rate exceeded".into(),
        },
        NOW_MS,
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("TooManyRequestsException"), "{s}");
    assert!(s.contains("Rate exceeded"), "{s}");

    // Delete: the row goes, the selection stays in range.
    key(&mut app, 'D');
    let a = act(&press(&mut app, KeyCode::Enter));
    app.on_admin_event(
        AdminEvent::ActionDone {
            action: a,
            message: "AdminDeleteUser bob: deleted".into(),
            user: None,
        },
        NOW_MS,
    );
    assert_eq!(app.users.rows.len(), 59);
    assert!(app.users.rows.iter().all(|r| r.username != "bob"));
    assert!(!screen(&app, 120, 40).contains("bob@example.com"));
}

#[test]
fn a_done_action_rereads_the_open_detail_panel() {
    let mut app = users_app();
    select(&mut app, "bob");
    press(&mut app, KeyCode::Enter);
    app.on_admin_event(
        AdminEvent::UserDetail {
            detail: bob_detail(),
        },
        NOW_MS,
    );
    // Actions work from the panel too.
    key(&mut app, 'R');
    let a = act(&press(&mut app, KeyCode::Enter));
    let out = app.on_admin_event(
        AdminEvent::ActionDone {
            action: a,
            message: "AdminResetUserPassword bob: code sent".into(),
            user: None,
        },
        NOW_MS,
    );
    assert_eq!(
        out,
        vec![Action::Admin(AdminCommand::GetUser {
            username: "bob".into()
        })]
    );
}

#[test]
fn y_and_shift_y_copy_the_username_and_the_sub() {
    let mut app = users_app();
    select(&mut app, "bob");
    assert_eq!(key(&mut app, 'y'), vec![Action::Copy("bob".into())]);
    assert!(screen(&app, 120, 40).contains("Copied the username bob to the clipboard (OSC 52)."));
    assert_eq!(
        key(&mut app, 'Y'),
        vec![Action::Copy("00000000-0000-4000-8000-000000000001".into())]
    );
    assert!(screen(&app, 120, 40).contains("Copied bob's sub"));
    // The run loop writes OSC 52 through the terminal backend's writer.
    let mut out: Vec<u8> = Vec::new();
    cognito_tui::tui::terminal::copy_osc52_to(&mut out, "bob").unwrap();
    assert_eq!(out, b"\x1b]52;c;Ym9i\x07");
}

#[test]
fn credentials_problems_show_in_the_view_and_sign_in_keeps_working() {
    let mut app = demo::app();
    press(&mut app, KeyCode::F(6));
    app.on_admin_event(
        AdminEvent::Error {
            operation: "ListUsers".into(),
            code: "CredentialsError".into(),
            message: "no AWS credentials: the SSO session for profile dev has expired".into(),
        },
        NOW_MS,
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("Admin calls are not authorized"), "{s}");
    assert!(s.contains("SSO session for profile dev has expired"), "{s}");
    assert!(s.contains("aws sso login"), "{s}");
    // Said once (the box, not also the error line above it), and whole at 80 columns too:
    // the box grows to the wrapped text.
    assert!(!s.contains("ListUsers failed"), "{s}");
    let s = screen(&app, 80, 30);
    assert!(s.contains("keep working"), "{s}");
    // AccessDeniedException from an action shows the same way.
    let mut app2 = users_app();
    key(&mut app2, 'd');
    let a = act(&press(&mut app2, KeyCode::Enter));
    app2.on_admin_event(
        AdminEvent::ActionFailed {
            action: a,
            operation: "AdminDisableUser".into(),
            code: "AccessDeniedException".into(),
            message: "User: arn:aws:iam::1:user/x is not authorized to perform: cognito-idp:AdminDisableUser".into(),
        },
        NOW_MS,
    );
    let s = screen(&app2, 120, 40);
    assert!(s.contains("Admin calls are not authorized"), "{s}");
    // The auth screens are untouched.
    press(&mut app, KeyCode::F(3));
    assert_eq!(app.screen, Screen::SignIn);
    typ(&mut app, "alice");
    press(&mut app, KeyCode::Tab);
    typ(&mut app, "Passw0rd!");
    let out = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(out.as_slice(), [Action::Auth(AuthCommand::SignIn { .. })]),
        "{out:?}"
    );
    // A later successful page clears the box.
    press(&mut app, KeyCode::F(6));
    key(&mut app, 'r');
    page(&mut app, None, None, demo::users(3), None);
    assert!(!screen(&app, 120, 40).contains("Admin calls are not authorized"));
}

#[test]
fn narrow_terminals_drop_the_least_important_columns() {
    let mut app = users_app();
    select(&mut app, "bob");
    let wide = screen(&app, 220, 40);
    for col in [
        "Username", "Status", "Enabled", "Email", "Phone", "MFA", "Created", "Modified",
    ] {
        assert!(wide.contains(col), "{col}: {wide}");
    }
    let s = screen(&app, 80, 24);
    assert!(s.contains("Username"), "{s}");
    assert!(s.contains("Status"), "{s}");
    assert!(!s.contains("Modified"), "{s}");
    assert!(s.contains("bob"), "{s}");
    let s = screen(&app, 40, 15);
    assert!(s.contains("bob"), "{s}");
    assert!(!s.contains("Created"), "{s}");
    // Every size, with every overlay, draws without panicking.
    let mut apps = vec![app];
    let mut d = users_app();
    press(&mut d, KeyCode::Enter);
    d.on_admin_event(
        AdminEvent::UserDetail {
            detail: bob_detail(),
        },
        NOW_MS,
    );
    apps.push(d);
    for k in ['a', 'n', 'd', 'g', 'A'] {
        let mut a = users_app();
        key(&mut a, k);
        apps.push(a);
    }
    let mut f = users_app();
    key(&mut f, '/');
    typ(&mut f, "email ^= \"");
    apps.push(f);
    for app in &apps {
        for w in [1u16, 5, 12, 20, 30, 45, 60, 61, 80, 100, 149, 150, 200, 260] {
            for h in [1u16, 3, 5, 6, 8, 10, 15, 24, 40, 60] {
                let _ = render(app, w, h, NOW_MS);
            }
        }
    }
}

#[test]
fn ten_thousand_rows_draw_only_the_visible_window() {
    let mut app = demo::signed_in();
    press(&mut app, KeyCode::F(6));
    page(&mut app, None, None, rows("u", 0, 10_000), Some("more"));
    let s = screen(&app, 200, 50);
    assert!(s.contains("10,000 loaded, more available"), "{s}");
    press(&mut app, KeyCode::End);
    let s = screen(&app, 200, 50);
    assert!(s.contains("u9999"), "{s}");
    assert!(!s.contains("u0000"), "{s}");
    assert!(s.contains("row 10,000"), "{s}");
    // Paging back up moves by a screenful.
    press(&mut app, KeyCode::PageUp);
    assert!(app.users.selected < 9999 && app.users.selected > 9950);
}

#[test]
fn footer_and_help_show_the_users_keys() {
    let mut app = users_app();
    let s = screen(&app, 140, 40);
    assert!(s.contains("/ filter"), "{s}");
    assert!(s.contains("a actions"), "{s}");
    key(&mut app, '?');
    let s = screen(&app, 140, 40);
    assert!(s.contains("actions n e d D R P o m A g y Y"), "{s}");
}

#[test]
fn typing_q_in_a_dialog_does_not_quit() {
    let mut app = users_app();
    key(&mut app, 'n');
    let out = typ(&mut app, "quinn");
    assert!(out.is_empty(), "{out:?}");
    assert!(!app.should_quit);
}

#[test]
fn long_usernames_stay_whole_while_less_important_columns_make_room() {
    let mut app = demo::signed_in();
    assert_eq!(press(&mut app, KeyCode::F(6)), vec![list(None, None)]);
    let mut users = rows("aaron.andersson.", 13_000, 30);
    for (i, u) in users.iter_mut().enumerate() {
        u.attributes.insert(
            "email".into(),
            format!("aaron.andersson.{i}@mail.example.com"),
        );
        u.attributes.insert(
            "phone_number".into(),
            format!("+4930{}", "7".repeat(6 + i % 4)),
        );
        u.attributes
            .insert("phone_number_verified".into(), (i % 2 == 0).to_string());
    }
    page(&mut app, None, None, users, None);
    // 100 columns: not all eight fit, so Modified / MFA / Phone go before the username or
    // the status are cut.
    let s = screen(&app, 100, 30);
    assert!(s.contains("aaron.andersson.13000 "), "{s}");
    assert!(s.contains("CONFIRMED"), "{s}");
    assert!(!s.contains("Modified"), "{s}");
    // Wide enough for all: nothing is cut, and the verified marks line up in one column.
    let s = screen(&app, 230, 30);
    assert!(s.contains("Modified"), "{s}");
    assert!(s.contains("aaron.andersson.0@mail.example.com"), "{s}");
    let marks: std::collections::BTreeSet<usize> = s
        .lines()
        .filter(|l| l.contains("+4930"))
        .map(|l| {
            let after = l.find("+4930").unwrap();
            l[after..].find(['✓', '✗']).unwrap() + after
        })
        .collect();
    assert_eq!(marks.len(), 1, "phone verified marks in one column:\n{s}");
}

#[test]
fn a_value_left_open_after_tab_completion_is_closed_on_enter() {
    let mut app = users_app();
    key(&mut app, '/');
    typ(&mut app, "em");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.users.filter_form.raw("filter"), "email ^= \"");
    typ(&mut app, "ann");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![list(Some("email ^= \"ann\""), None)]
    );
    assert_eq!(app.users.filter_form.raw("filter"), "email ^= \"ann\"");
}
