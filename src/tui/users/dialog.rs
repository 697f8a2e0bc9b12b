//! The Users view's dialogs: the actions menu, the forms an action needs (create user, set
//! password, MFA preference, attributes, create group), the group picker and the
//! confirmation every action passes through. Building the [`UserAction`]s and the
//! confirmation texts is pure, so tests check exactly what a user reads and what is sent.

use std::collections::{BTreeMap, BTreeSet};

use crate::admin::{UserAction, UserDetail, UserRow};
use crate::secret::Secret;
use crate::tui::widgets::form::{Field, Form};

/// Every action of the Users view: its key, its menu text. The keys work on the list and
/// in the detail panel; `a` opens this list as a menu.
pub const ACTIONS: &[(char, &str)] = &[
    ('n', "new user (AdminCreateUser)"),
    ('C', "confirm sign-up (AdminConfirmSignUp)"),
    ('e', "enable (AdminEnableUser)"),
    ('d', "disable (AdminDisableUser)"),
    ('D', "delete (AdminDeleteUser)"),
    ('R', "reset password (AdminResetUserPassword)"),
    ('P', "set password (AdminSetUserPassword)"),
    ('o', "sign out everywhere (AdminUserGlobalSignOut)"),
    ('m', "MFA preference (AdminSetUserMFAPreference)"),
    ('A', "edit attributes (AdminUpdateUserAttributes)"),
    ('g', "groups: add / remove / create"),
    ('y', "copy the username (OSC 52)"),
    ('Y', "copy the sub (OSC 52)"),
];

/// MFA methods AdminSetUserMFAPreference takes, with the form field that holds each.
pub const MFA_METHODS: &[(&str, &str)] = &[
    ("sms", "SMS_MFA"),
    ("totp", "SOFTWARE_TOKEN_MFA"),
    ("email", "EMAIL_OTP"),
];

/// Attributes Cognito never lets an admin change.
const IMMUTABLE: &[&str] = &["sub"];

#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    Create,
    SetPassword {
        username: String,
    },
    Mfa {
        username: String,
    },
    Attributes {
        username: String,
        original: BTreeMap<String, String>,
    },
    CreateGroup,
}

#[derive(Debug, Clone)]
pub struct FormDialog {
    pub kind: FormKind,
    pub form: Form,
}

/// An action (or two: changed and removed attributes) waiting for the user's yes.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// `Disable bob?`
    pub question: String,
    /// What will happen, one sentence.
    pub consequence: String,
    /// The verb on the yes button (`Disable`).
    pub verb: String,
    pub actions: Vec<UserAction>,
}

#[derive(Debug, Clone)]
pub enum Dialog {
    Menu { selected: usize },
    Form(FormDialog),
    Groups { username: String, selected: usize },
    Confirm(Confirm),
}

impl Dialog {
    pub fn title(&self) -> String {
        match self {
            Dialog::Menu { .. } => "Actions".into(),
            Dialog::Form(f) => match &f.kind {
                FormKind::Create => "New user".into(),
                FormKind::SetPassword { username } => format!("Set {username}'s password"),
                FormKind::Mfa { username } => format!("{username}'s MFA"),
                FormKind::Attributes { username, .. } => format!("{username}'s attributes"),
                FormKind::CreateGroup => "New group".into(),
            },
            Dialog::Groups { username, .. } => format!("Groups of {username}"),
            Dialog::Confirm(_) => "Confirm".into(),
        }
    }
}

fn buttons(ok: &str) -> [Field; 2] {
    [Field::button("ok", ok), Field::button("cancel", "Cancel")]
}

pub fn create_form() -> Form {
    let mut f = Form::new(vec![
        Field::text("username", "Username"),
        Field::text("email", "Email"),
        Field::text("phone", "Phone").with_hint("+15555550100"),
        Field::secret("password", "Temp password").with_hint("empty = generated"),
        Field::toggle("invite", "Send invite", true),
        Field::choice(
            "delivery",
            "Invite by",
            vec!["EMAIL".into(), "SMS".into(), "EMAIL+SMS".into()],
        ),
    ]);
    f.fields.extend(buttons("Create"));
    f.focus_first();
    f
}

pub fn set_password_form() -> Form {
    let mut f = Form::new(vec![
        Field::secret("password", "New password"),
        Field::toggle("permanent", "Permanent", true)
            .with_hint("off: must change it at next sign-in"),
    ]);
    f.fields.extend(buttons("Set"));
    f.focus_first();
    f
}

pub fn mfa_form(detail: Option<&UserDetail>) -> Form {
    let enabled: BTreeSet<&str> = detail
        .map(|d| d.mfa_settings.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut fields: Vec<Field> = MFA_METHODS
        .iter()
        .map(|(id, m)| Field::toggle(*id, *m, enabled.contains(m)))
        .collect();
    let mut preferred = Field::choice(
        "preferred",
        "Preferred",
        std::iter::once("none".to_string())
            .chain(MFA_METHODS.iter().map(|(_, m)| m.to_string()))
            .collect(),
    );
    if let Some(p) = detail.and_then(|d| d.preferred_mfa.as_deref())
        && let crate::tui::widgets::form::FieldKind::Choice { options, selected } =
            &mut preferred.kind
        && let Some(i) = options.iter().position(|o| o == p)
    {
        *selected = i;
    }
    fields.push(preferred);
    let mut f = Form::new(fields);
    f.fields.extend(buttons("Apply"));
    f.focus_first();
    f
}

/// One text field per attribute an admin may change, then a free name/value pair.
pub fn attributes_form(row: &UserRow) -> (Form, BTreeMap<String, String>) {
    let original: BTreeMap<String, String> = row
        .attributes
        .iter()
        .filter(|(k, _)| !IMMUTABLE.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut fields: Vec<Field> = original
        .iter()
        .map(|(k, v)| Field::text(format!("attr:{k}"), k.clone()).with_value(v))
        .collect();
    fields.push(Field::text("new_name", "+ name").with_hint("e.g. custom:team"));
    fields.push(Field::text("new_value", "+ value"));
    let mut f = Form::new(fields);
    f.fields.extend(buttons("Save"));
    f.focus_first();
    (f, original)
}

pub fn create_group_form() -> Form {
    let mut f = Form::new(vec![
        Field::text("name", "Group name"),
        Field::text("description", "Description"),
        Field::text("precedence", "Precedence").with_hint("0 = highest; empty = none"),
    ]);
    f.fields.extend(buttons("Create"));
    f.focus_first();
    f
}

/// The confirmation for a set of actions (built from a form or a key).
pub fn confirm(actions: Vec<UserAction>) -> Confirm {
    let first = actions.first().cloned();
    let (question, consequence, verb) = match &first {
        Some(a) => texts(a, &actions),
        None => (String::new(), String::new(), String::new()),
    };
    Confirm {
        question,
        consequence,
        verb,
        actions,
    }
}

fn list(xs: &[String]) -> String {
    if xs.is_empty() {
        "none".into()
    } else {
        xs.join(", ")
    }
}

/// (question, consequence, verb) for an action. Passwords are never part of the text.
fn texts(a: &UserAction, all: &[UserAction]) -> (String, String, String) {
    match a {
        UserAction::Create {
            username,
            attributes,
            temporary_password,
            suppress_invitation,
            delivery,
        } => {
            let pw = if temporary_password.is_some() {
                "with the temporary password you typed"
            } else {
                "with a temporary password the pool generates"
            };
            let invite = if *suppress_invitation {
                "no invitation is sent".to_string()
            } else if delivery.is_empty() {
                "an invitation is sent".to_string()
            } else {
                format!("an invitation is sent by {}", delivery.join(" and "))
            };
            let attrs = if attributes.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    attributes
                        .iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            (
                format!("Create user {username}{attrs}?"),
                format!(
                    "They are created {pw}, {invite}; their first sign-in must choose a new \
                     password (FORCE_CHANGE_PASSWORD)."
                ),
                "Create".into(),
            )
        }
        UserAction::ConfirmSignUp { username } => (
            format!("Confirm {username}'s sign-up?"),
            "Their status becomes CONFIRMED without a code, and they can sign in.".into(),
            "Confirm".into(),
        ),
        UserAction::Enable { username } => (
            format!("Enable {username}?"),
            "They can sign in again.".into(),
            "Enable".into(),
        ),
        UserAction::Disable { username } => (
            format!("Disable {username}?"),
            "Their tokens are revoked and sign-in answers \u{201c}User is disabled.\u{201d}".into(),
            "Disable".into(),
        ),
        UserAction::Delete { username } => (
            format!("Delete {username}?"),
            "The user, their attributes, group memberships and devices are gone for good; \
             this cannot be undone."
                .into(),
            "Delete".into(),
        ),
        UserAction::ResetPassword { username } => (
            format!("Reset {username}'s password?"),
            "Their password stops working: a code is sent, status becomes RESET_REQUIRED and \
             sign-in asks them to reset it."
                .into(),
            "Reset".into(),
        ),
        UserAction::SetPassword {
            username,
            permanent,
            ..
        } => (
            format!(
                "Set {username}'s password ({})?",
                if *permanent { "permanent" } else { "temporary" }
            ),
            if *permanent {
                "The old password stops working; status becomes CONFIRMED.".into()
            } else {
                "The old password stops working; at the next sign-in they must choose a new \
                 one (FORCE_CHANGE_PASSWORD)."
                    .into()
            },
            "Set password".into(),
        ),
        UserAction::GlobalSignOut { username } => (
            format!("Sign {username} out everywhere?"),
            "Every refresh token they hold is revoked; their access tokens stop working.".into(),
            "Sign out".into(),
        ),
        UserAction::SetMfaPreference {
            username,
            enabled,
            preferred,
        } => (
            format!("Set {username}'s MFA preference?"),
            format!(
                "Enabled: {}; preferred: {}. Methods not listed are turned off for them.",
                list(enabled),
                preferred.as_deref().unwrap_or("none")
            ),
            "Apply".into(),
        ),
        UserAction::UpdateAttributes { username, .. }
        | UserAction::DeleteAttributes { username, .. } => {
            let mut parts = Vec::new();
            for a in all {
                match a {
                    UserAction::UpdateAttributes { attributes, .. } => {
                        for (k, v) in attributes {
                            parts.push(format!("{k} = \"{v}\""));
                        }
                    }
                    UserAction::DeleteAttributes { names, .. } => {
                        for n in names {
                            parts.push(format!("remove {n}"));
                        }
                    }
                    _ => {}
                }
            }
            (
                format!("Change {username}'s attributes?"),
                format!(
                    "{}. A changed email or phone number is unverified until confirmed.",
                    parts.join(", ")
                ),
                "Save".into(),
            )
        }
        UserAction::AddToGroup { username, group } => (
            format!("Add {username} to group {group}?"),
            format!("Their next tokens carry {group} in cognito:groups."),
            "Add".into(),
        ),
        UserAction::RemoveFromGroup { username, group } => (
            format!("Remove {username} from group {group}?"),
            format!("Their next tokens no longer carry {group} in cognito:groups."),
            "Remove".into(),
        ),
        UserAction::CreateGroup {
            group,
            description,
            precedence,
        } => (
            format!("Create group {group}?"),
            format!(
                "Precedence {}{}.",
                precedence.map_or("none".to_string(), |p| p.to_string()),
                description
                    .as_deref()
                    .map(|d| format!(", description \u{201c}{d}\u{201d}"))
                    .unwrap_or_default()
            ),
            "Create".into(),
        ),
    }
}

/// Reads a submitted form into the actions it asks for, or a message saying what is
/// missing.
pub fn actions_from(d: &FormDialog) -> Result<Vec<UserAction>, String> {
    let f = &d.form;
    match &d.kind {
        FormKind::Create => {
            let username = f.text("username");
            if username.is_empty() {
                return Err("A username is required.".into());
            }
            let mut attributes = BTreeMap::new();
            for (field, attr) in [("email", "email"), ("phone", "phone_number")] {
                let v = f.text(field);
                if !v.is_empty() {
                    attributes.insert(attr.to_string(), v);
                }
            }
            let password = f.raw("password");
            let invite = f.toggle_value("invite");
            let delivery = if invite {
                match f.raw("delivery").as_str() {
                    "SMS" => vec!["SMS".to_string()],
                    "EMAIL+SMS" => vec!["EMAIL".to_string(), "SMS".to_string()],
                    _ => vec!["EMAIL".to_string()],
                }
            } else {
                Vec::new()
            };
            Ok(vec![UserAction::Create {
                username,
                attributes,
                temporary_password: (!password.is_empty()).then(|| Secret::new(password)),
                suppress_invitation: !invite,
                delivery,
            }])
        }
        FormKind::SetPassword { username } => {
            let password = f.raw("password");
            if password.is_empty() {
                return Err("Type the new password.".into());
            }
            Ok(vec![UserAction::SetPassword {
                username: username.clone(),
                password: Secret::new(password),
                permanent: f.toggle_value("permanent"),
            }])
        }
        FormKind::Mfa { username } => {
            let enabled: Vec<String> = MFA_METHODS
                .iter()
                .filter(|(id, _)| f.toggle_value(id))
                .map(|(_, m)| m.to_string())
                .collect();
            let p = f.raw("preferred");
            let preferred = (p != "none").then_some(p);
            if let Some(p) = &preferred
                && !enabled.contains(p)
            {
                return Err(format!("{p} must be enabled to be preferred."));
            }
            Ok(vec![UserAction::SetMfaPreference {
                username: username.clone(),
                enabled,
                preferred,
            }])
        }
        FormKind::Attributes { username, original } => {
            let mut changed = BTreeMap::new();
            let mut removed = Vec::new();
            for (k, old) in original {
                let v = f.text(&format!("attr:{k}"));
                if v.is_empty() {
                    removed.push(k.clone());
                } else if &v != old {
                    changed.insert(k.clone(), v);
                }
            }
            let name = f.text("new_name");
            let value = f.text("new_value");
            if !name.is_empty() {
                if value.is_empty() {
                    return Err(format!("Give {name} a value."));
                }
                if IMMUTABLE.contains(&name.as_str()) {
                    return Err(format!("{name} cannot be changed."));
                }
                changed.insert(name, value);
            }
            let mut out = Vec::new();
            if !changed.is_empty() {
                out.push(UserAction::UpdateAttributes {
                    username: username.clone(),
                    attributes: changed,
                });
            }
            if !removed.is_empty() {
                out.push(UserAction::DeleteAttributes {
                    username: username.clone(),
                    names: removed,
                });
            }
            if out.is_empty() {
                return Err("Nothing changed.".into());
            }
            Ok(out)
        }
        FormKind::CreateGroup => {
            let group = f.text("name");
            if group.is_empty() {
                return Err("A group name is required.".into());
            }
            let description = Some(f.text("description")).filter(|d| !d.is_empty());
            let p = f.text("precedence");
            let precedence = if p.is_empty() {
                None
            } else {
                match p.parse::<i64>() {
                    Ok(n) if n >= 0 => Some(n),
                    _ => return Err("Precedence is a whole number ≥ 0.".into()),
                }
            };
            Ok(vec![UserAction::CreateGroup {
                group,
                description,
                precedence,
            }])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disable_names_the_user_and_the_consequence() {
        let c = confirm(vec![UserAction::Disable {
            username: "bob".into(),
        }]);
        assert_eq!(c.question, "Disable bob?");
        assert_eq!(
            c.consequence,
            "Their tokens are revoked and sign-in answers “User is disabled.”"
        );
    }

    #[test]
    fn set_password_text_never_holds_the_password() {
        let c = confirm(vec![UserAction::SetPassword {
            username: "bob".into(),
            password: Secret::new("Sup3r-Secret!"),
            permanent: false,
        }]);
        let all = format!("{} {} {:?}", c.question, c.consequence, c.actions);
        assert!(!all.contains("Sup3r-Secret!"), "{all}");
        assert!(c.consequence.contains("FORCE_CHANGE_PASSWORD"));
    }
}
