//! Pool settings that shape what the pool sends: `AccountRecoverySetting` (where
//! ForgotPassword's code goes, or that only an administrator may reset a password) and the
//! verification / authentication message templates (`VerificationMessageTemplate`,
//! `EmailVerificationMessage`, `EmailVerificationSubject`, `SmsVerificationMessage`,
//! `SmsAuthenticationMessage`): how CreateUserPool / UpdateUserPool give them, how
//! DescribeUserPool shows them, and the text an outbox entry carries.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, echo};

/// One `RecoveryOptionType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecoveryOption {
    pub priority: i64,
    pub name: String,
}

/// Where a forgot-password code goes, by the pool's AccountRecoverySetting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// No self-service reset: "Contact administrator to reset password."
    AdminOnly,
    /// Try these verified attributes in order (`email` / `phone_number`).
    Verified([Option<&'static str>; 2]),
}

/// What the pool's AccountRecoverySetting says (None = the setting was never given: a verified
/// email, else a verified phone number).
pub fn recovery(setting: Option<&[RecoveryOption]>) -> Recovery {
    let Some(options) = setting else {
        return Recovery::Verified([Some("email"), Some("phone_number")]);
    };
    let mut sorted: Vec<&RecoveryOption> = options.iter().collect();
    sorted.sort_by_key(|o| o.priority);
    if sorted.iter().any(|o| o.name == "admin_only") {
        return Recovery::AdminOnly;
    }
    let mut order = [None, None];
    for (slot, o) in order.iter_mut().zip(sorted) {
        *slot = match o.name.as_str() {
            "verified_email" => Some("email"),
            "verified_phone_number" => Some("phone_number"),
            _ => None,
        };
    }
    Recovery::Verified(order)
}

/// Validates a request's `AccountRecoverySetting` (absent or null: None).
pub fn recovery_from_request(v: Option<&Value>) -> ApiResult<Option<Vec<RecoveryOption>>> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let bad = |m: &str| ApiError::invalid_parameter(m.to_string());
    let list = v
        .get("RecoveryMechanisms")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("AccountRecoverySetting must have RecoveryMechanisms"))?;
    let options: Vec<RecoveryOption> =
        serde_json::from_value(Value::Array(list.clone())).map_err(|e| {
            bad(&format!(
                "Invalid RecoveryMechanisms: {}",
                echo(&e.to_string())
            ))
        })?;
    if options.is_empty() || options.len() > 2 {
        return Err(bad(
            "1 validation error detected: Value at 'accountRecoverySetting.recoveryMechanisms' \
             failed to satisfy constraint: Member must have length between 1 and 2",
        ));
    }
    for o in &options {
        if !(1..=2).contains(&o.priority) {
            return Err(bad(
                "1 validation error detected: Value at 'accountRecoverySetting.recoveryMechanisms.\
                 member.priority' failed to satisfy constraint: Member must have value between 1 and 2",
            ));
        }
        if !["verified_email", "verified_phone_number", "admin_only"].contains(&o.name.as_str()) {
            return Err(bad(&format!(
                "1 validation error detected: Value '{}' at 'accountRecoverySetting.\
                 recoveryMechanisms.member.name' failed to satisfy constraint: Member must satisfy \
                 enum value set: [verified_email, verified_phone_number, admin_only]",
                echo(&o.name)
            )));
        }
    }
    if options.len() == 2 {
        if options[0].priority == options[1].priority {
            return Err(bad("Recovery mechanisms must have different priorities."));
        }
        if options[0].name == options[1].name {
            return Err(bad("Recovery mechanisms must be different."));
        }
        if options.iter().any(|o| o.name == "admin_only") {
            return Err(bad(
                "admin_only cannot be combined with another recovery mechanism.",
            ));
        }
    }
    Ok(Some(options))
}

/// DescribeUserPool's `AccountRecoverySetting`, when the pool has one.
pub fn recovery_json(setting: Option<&[RecoveryOption]>) -> Option<Value> {
    setting.map(|o| json!({"RecoveryMechanisms": o}))
}

/// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate` of a CreateUserPool /
/// UpdateUserPool request: email and phone_number only, each also auto-verified (`auto`).
pub fn update_settings_from_request(body: &Value, auto: &[String]) -> ApiResult<Vec<String>> {
    let Some(list) = body
        .get("UserAttributeUpdateSettings")
        .filter(|v| !v.is_null())
        .map(|s| s.get("AttributesRequireVerificationBeforeUpdate"))
    else {
        return Ok(Vec::new());
    };
    let Some(items) = list.and_then(Value::as_array) else {
        return Err(ApiError::invalid_parameter(
            "UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate must be a list",
        ));
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let Some(name) = item
            .as_str()
            .filter(|n| *n == "email" || *n == "phone_number")
        else {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '{}' at 'userAttributeUpdateSettings.\
                 attributesRequireVerificationBeforeUpdate' failed to satisfy constraint: \
                 Member must satisfy enum value set: [phone_number, email]",
                echo(
                    &item
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| item.to_string())
                )
            )));
        };
        if !auto.iter().any(|a| a == name) {
            return Err(ApiError::invalid_parameter(format!(
                "Attributes in AttributesRequireVerificationBeforeUpdate must also be in \
                 AutoVerifiedAttributes: {name} is not auto-verified"
            )));
        }
        if !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// DescribeUserPool's `UserAttributeUpdateSettings`.
pub fn update_settings_json(require: &[String]) -> Value {
    json!({"AttributesRequireVerificationBeforeUpdate": require})
}

/// Cognito's default texts.
pub const DEFAULT_VERIFICATION_MESSAGE: &str = "Your verification code is {####}. ";
pub const DEFAULT_VERIFICATION_SUBJECT: &str = "Your verification code";
pub const DEFAULT_AUTHENTICATION_MESSAGE: &str = "Your authentication code is {####}. ";

/// The pool's message templates, each None when the pool keeps Cognito's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageTemplates {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message_by_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject_by_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_email_option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
}

impl MessageTemplates {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

fn text_member(body: &Value, path: &[&str]) -> ApiResult<Option<String>> {
    let mut v = body;
    for p in path {
        match v.get(p) {
            Some(x) => v = x,
            None => return Ok(None),
        }
    }
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(ApiError::serialization(format!(
            "{} must be a string",
            path.join(".")
        ))),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// Checks one template against the model's length and its placeholder.
fn check_template(
    member: &str,
    value: &str,
    (min, max): (usize, usize),
    placeholder: Option<&str>,
) -> ApiResult<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
             Member must have length between {min} and {max}"
        )));
    }
    if let Some(p) = placeholder
        && !value.contains(p)
    {
        return Err(ApiError::invalid_parameter(format!(
            "{} must contain the placeholder {p}",
            member
        )));
    }
    Ok(())
}

/// One template member's check: (member, value, (min, max) length, placeholder it must hold).
type TemplateCheck<'a> = (&'a str, &'a Option<String>, (usize, usize), Option<&'a str>);

/// Reads the templates of a CreateUserPool / UpdateUserPool request. The top-level members and
/// `VerificationMessageTemplate` describe the same messages: the template's members win where
/// both are given, and DescribeUserPool shows both.
pub fn templates_from_request(body: &Value) -> ApiResult<MessageTemplates> {
    let tpl = |m: &str| text_member(body, &["VerificationMessageTemplate", m]);
    let top = |m: &str| text_member(body, &[m]);
    let t = MessageTemplates {
        sms_message: tpl("SmsMessage")?.or(top("SmsVerificationMessage")?),
        email_message: tpl("EmailMessage")?.or(top("EmailVerificationMessage")?),
        email_subject: tpl("EmailSubject")?.or(top("EmailVerificationSubject")?),
        email_message_by_link: tpl("EmailMessageByLink")?,
        email_subject_by_link: tpl("EmailSubjectByLink")?,
        default_email_option: tpl("DefaultEmailOption")?,
        sms_authentication_message: top("SmsAuthenticationMessage")?,
    };
    let checks: [TemplateCheck<'_>; 6] = [
        (
            "SmsVerificationMessage",
            &t.sms_message,
            (6, 140),
            Some("{####}"),
        ),
        (
            "EmailVerificationMessage",
            &t.email_message,
            (6, 20000),
            Some("{####}"),
        ),
        ("EmailVerificationSubject", &t.email_subject, (1, 140), None),
        (
            "EmailMessageByLink",
            &t.email_message_by_link,
            (6, 20000),
            Some("{##"),
        ),
        (
            "EmailSubjectByLink",
            &t.email_subject_by_link,
            (1, 140),
            None,
        ),
        (
            "SmsAuthenticationMessage",
            &t.sms_authentication_message,
            (6, 140),
            Some("{####}"),
        ),
    ];
    for (member, value, lengths, placeholder) in checks {
        if let Some(v) = value {
            check_template(&lower_first(member), v, lengths, placeholder)?;
        }
    }
    if let Some(o) = &t.default_email_option
        && o != "CONFIRM_WITH_CODE"
        && o != "CONFIRM_WITH_LINK"
    {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{}' at 'verificationMessageTemplate.\
             defaultEmailOption' failed to satisfy constraint: Member must satisfy enum value \
             set: [CONFIRM_WITH_LINK, CONFIRM_WITH_CODE]",
            echo(o)
        )));
    }
    Ok(t)
}

/// Puts the templates into a DescribeUserPool `UserPool` object the way Cognito shows them:
/// `VerificationMessageTemplate` always (with `DefaultEmailOption`), the top-level members when
/// set.
pub fn decorate_pool_json(t: &MessageTemplates, v: &mut Value) {
    let mut tpl = json!({
        "DefaultEmailOption": t.default_email_option.as_deref().unwrap_or("CONFIRM_WITH_CODE"),
    });
    for (key, value) in [
        ("SmsMessage", &t.sms_message),
        ("EmailMessage", &t.email_message),
        ("EmailSubject", &t.email_subject),
        ("EmailMessageByLink", &t.email_message_by_link),
        ("EmailSubjectByLink", &t.email_subject_by_link),
    ] {
        if let Some(s) = value {
            tpl[key] = json!(s);
        }
    }
    v["VerificationMessageTemplate"] = tpl;
    for (key, value) in [
        ("SmsVerificationMessage", &t.sms_message),
        ("EmailVerificationMessage", &t.email_message),
        ("EmailVerificationSubject", &t.email_subject),
        ("SmsAuthenticationMessage", &t.sms_authentication_message),
    ] {
        if let Some(s) = value {
            v[key] = json!(s);
        }
    }
}

/// The text (and, for email, the subject) of the message that carries `code` for `purpose` by
/// `medium`, from the pool's templates with `{####}` replaced. None for what the templates do
/// not cover (invitations, a demo user's TOTP secret).
pub fn render(
    t: &MessageTemplates,
    purpose: &str,
    medium: &str,
    code: &str,
) -> Option<(String, Option<String>)> {
    let email = medium == "EMAIL";
    let (text, subject) = match purpose {
        "SIGN_UP" | "VERIFY_EMAIL" | "VERIFY_PHONE_NUMBER" | "FORGOT_PASSWORD" => {
            if email {
                (
                    t.email_message
                        .as_deref()
                        .unwrap_or(DEFAULT_VERIFICATION_MESSAGE),
                    Some(
                        t.email_subject
                            .as_deref()
                            .unwrap_or(DEFAULT_VERIFICATION_SUBJECT),
                    ),
                )
            } else {
                (
                    t.sms_message
                        .as_deref()
                        .unwrap_or(DEFAULT_VERIFICATION_MESSAGE),
                    None,
                )
            }
        }
        "MFA" | "EMAIL_OTP" | "SMS_OTP" => (
            t.sms_authentication_message
                .as_deref()
                .unwrap_or(DEFAULT_AUTHENTICATION_MESSAGE),
            email.then_some("Your authentication code"),
        ),
        _ => return None,
    };
    Some((text.replace("{####}", code), subject.map(str::to_string)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_follows_priority_and_admin_only() {
        let opts = |v: Value| recovery_from_request(Some(&v));
        let phone_first = opts(json!({"RecoveryMechanisms": [
            {"Priority": 2, "Name": "verified_email"},
            {"Priority": 1, "Name": "verified_phone_number"}]}))
        .unwrap();
        assert_eq!(
            recovery(phone_first.as_deref()),
            Recovery::Verified([Some("phone_number"), Some("email")])
        );
        let admin =
            opts(json!({"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]})).unwrap();
        assert_eq!(recovery(admin.as_deref()), Recovery::AdminOnly);
        assert_eq!(
            recovery(None),
            Recovery::Verified([Some("email"), Some("phone_number")])
        );
        for bad in [
            json!({"RecoveryMechanisms": []}),
            json!({"RecoveryMechanisms": [{"Priority": 3, "Name": "verified_email"}]}),
            json!({"RecoveryMechanisms": [{"Priority": 1, "Name": "carrier_pigeon"}]}),
            json!({"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"},
                                          {"Priority": 2, "Name": "verified_email"}]}),
            json!({"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"},
                                          {"Priority": 1, "Name": "verified_phone_number"}]}),
        ] {
            assert!(opts(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn templates_are_validated_shown_and_rendered() {
        let t = templates_from_request(&json!({
            "EmailVerificationSubject": "Welcome",
            "VerificationMessageTemplate": {"EmailMessage": "Code: {####}!"},
            "SmsAuthenticationMessage": "Sign-in code {####}",
        }))
        .unwrap();
        assert_eq!(
            render(&t, "SIGN_UP", "EMAIL", "123456"),
            Some(("Code: 123456!".to_string(), Some("Welcome".to_string())))
        );
        assert_eq!(
            render(&t, "MFA", "SMS", "654321").unwrap().0,
            "Sign-in code 654321"
        );
        assert_eq!(
            render(&t, "FORGOT_PASSWORD", "SMS", "111111").unwrap().0,
            "Your verification code is 111111. "
        );
        assert_eq!(render(&t, "INVITATION", "EMAIL", "x"), None);
        let mut v = json!({});
        decorate_pool_json(&t, &mut v);
        assert_eq!(v["EmailVerificationMessage"], "Code: {####}!");
        assert_eq!(v["VerificationMessageTemplate"]["EmailSubject"], "Welcome");
        assert_eq!(
            v["VerificationMessageTemplate"]["DefaultEmailOption"],
            "CONFIRM_WITH_CODE"
        );
        assert!(
            templates_from_request(&json!({"SmsVerificationMessage": "no code here"})).is_err()
        );
        assert!(
            templates_from_request(
                &json!({"VerificationMessageTemplate": {"DefaultEmailOption": "PIGEON"}})
            )
            .is_err()
        );
    }
}
