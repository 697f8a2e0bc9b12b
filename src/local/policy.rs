//! Pool rules that do not need the store: the password policy, username and attribute
//! checks, masked delivery destinations and confirmation codes (PROTOCOL.md §6).

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, ErrorKind};

/// Cognito's symbol set; a space counts as a symbol too.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// The pool's `Policies.PasswordPolicy`, with Cognito's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    #[serde(default = "default_min_len")]
    pub minimum_length: u32,
    #[serde(default = "yes")]
    pub require_uppercase: bool,
    #[serde(default = "yes")]
    pub require_lowercase: bool,
    #[serde(default = "yes")]
    pub require_numbers: bool,
    #[serde(default = "yes")]
    pub require_symbols: bool,
    #[serde(default)]
    pub password_history_size: u32,
    #[serde(default = "default_temp_days")]
    pub temporary_password_validity_days: u32,
}

fn default_min_len() -> u32 {
    8
}
fn yes() -> bool {
    true
}
fn default_temp_days() -> u32 {
    7
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: 0,
            temporary_password_validity_days: 7,
        }
    }
}

impl PasswordPolicy {
    /// Validates a policy given to CreateUserPool (limits from PROTOCOL.md §6).
    pub fn validate(&self) -> ApiResult<()> {
        if !(6..=99).contains(&self.minimum_length) {
            return Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: Value '{}' at 'policies.passwordPolicy.minimumLength' \
                 failed to satisfy constraint: Member must have value between 6 and 99",
                self.minimum_length
            )));
        }
        if self.password_history_size > 24 {
            return Err(ApiError::invalid_parameter(
                "PasswordHistorySize must be between 0 and 24",
            ));
        }
        if self.temporary_password_validity_days > 365 {
            return Err(ApiError::invalid_parameter(
                "TemporaryPasswordValidityDays must be between 0 and 365",
            ));
        }
        Ok(())
    }

    /// Checks a proposed password, answering with Cognito's first failing rule.
    pub fn check(&self, password: &str) -> ApiResult<()> {
        let fail = |why: &str| {
            Err(ApiError::new(
                ErrorKind::InvalidPassword,
                format!("Password did not conform with policy: {why}"),
            ))
        };
        if password.chars().count() > 256 {
            return fail("Password exceeds maximum length");
        }
        if (password.chars().count() as u32) < self.minimum_length {
            return fail("Password not long enough");
        }
        if self.require_lowercase && !password.chars().any(|c| c.is_ascii_lowercase()) {
            return fail("Password must have lowercase characters");
        }
        if self.require_uppercase && !password.chars().any(|c| c.is_ascii_uppercase()) {
            return fail("Password must have uppercase characters");
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return fail("Password must have numeric characters");
        }
        if self.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
            return fail("Password must have symbol characters");
        }
        Ok(())
    }
}

/// Model constraints on a password member (length 1..256, no control characters).
pub fn check_password_shape(password: &str, member: &str) -> ApiResult<()> {
    if password.is_empty()
        || password.chars().count() > 256
        || password.chars().any(char::is_control)
    {
        return Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\S]+.*[\\S]+"
        )));
    }
    Ok(())
}

/// Cognito's pattern for a username (the model's `UsernameType`).
pub const USERNAME_PATTERN: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";

/// Username constraints from the model: 1..128 characters, letters, marks, symbols, numbers
/// and punctuation only (no whitespace, control or invisible format characters such as a
/// zero-width space, an RTL override or a BOM, which would let a look-alike of another user
/// sign up). The value is not repeated: the model marks it sensitive.
pub fn check_username(username: &str) -> ApiResult<()> {
    static WHOLE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(&format!("^{USERNAME_PATTERN}$")).ok());
    let n = username.chars().count();
    let mut broken = Vec::new();
    if n == 0 {
        broken.push("Member must have length greater than or equal to 1".to_string());
    }
    if n > 128 {
        broken.push("Member must have length less than or equal to 128".to_string());
    }
    let matches = WHOLE.as_ref().is_some_and(|re| re.is_match(username));
    if !matches {
        broken.push(format!(
            "Member must satisfy regular expression pattern: {USERNAME_PATTERN}"
        ));
    }
    if broken.is_empty() {
        return Ok(());
    }
    let count = match broken.len() {
        1 => "1 validation error".to_string(),
        k => format!("{k} validation errors"),
    };
    let each: Vec<String> = broken
        .iter()
        .map(|b| format!("Value at 'username' failed to satisfy constraint: {b}"))
        .collect();
    Err(ApiError::invalid_parameter(format!(
        "{count} detected: {}",
        each.join("; ")
    )))
}

/// Standard attributes a user may set (plus any `custom:` attribute).
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// The pool's required attributes missing from `attributes` (empty values count as missing).
pub fn missing_required<'a>(
    required: &'a [String],
    attributes: &std::collections::BTreeMap<String, String>,
) -> Vec<&'a str> {
    required
        .iter()
        .filter(|r| {
            attributes
                .get(r.as_str())
                .is_none_or(|v| v.trim().is_empty())
        })
        .map(String::as_str)
        .collect()
}

/// SignUp without a required attribute: Cognito's schema error, one line per attribute.
pub fn schema_required_error(missing: &[&str]) -> ApiError {
    let lines: String = missing
        .iter()
        .map(|m| format!("{m}: The attribute is required\n"))
        .collect();
    ApiError::invalid_parameter(format!("Attributes did not conform to the schema: {lines}"))
}

/// Validates CreateUserPool's `Schema`: the names of the attributes marked `Required`.
/// Cognito allows only standard attributes to be required.
pub fn required_from_schema(schema: &[(String, bool)]) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    for (name, required) in schema {
        if !required {
            continue;
        }
        if name.starts_with("custom:") || !STANDARD_ATTRIBUTES.contains(&name.as_str()) {
            return Err(ApiError::invalid_parameter(
                "Required custom attributes are not supported currently.",
            ));
        }
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    Ok(out)
}

/// DescribeUserPool's `SchemaAttributes`: `sub` and the standard attributes, with the pool's
/// required ones marked.
pub fn schema_attributes_json(required: &[String]) -> serde_json::Value {
    let mut out = vec![serde_json::json!({
        "Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
        "Mutable": false, "Required": true,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
    })];
    for name in STANDARD_ATTRIBUTES {
        let kind = match *name {
            "email_verified" | "phone_number_verified" => "Boolean",
            "updated_at" => "Number",
            _ => "String",
        };
        let mut a = serde_json::json!({
            "Name": name, "AttributeDataType": kind, "DeveloperOnlyAttribute": false,
            "Mutable": true, "Required": required.iter().any(|r| r == name),
        });
        if kind == "String" {
            a["StringAttributeConstraints"] =
                serde_json::json!({"MinLength": "0", "MaxLength": "2048"});
        }
        out.push(a);
    }
    serde_json::Value::Array(out)
}

/// Validates one user-supplied attribute.
pub fn check_attribute(name: &str, value: &str) -> ApiResult<()> {
    check_attribute_name(name)?;
    check_attribute_value(name, value)
}

/// The value as the pool keeps it: Cognito takes its booleans in any case (`"True"`) and
/// stores them lowercase.
pub fn canonical_value(name: &str, value: String) -> String {
    if name.ends_with("_verified") {
        value.to_ascii_lowercase()
    } else {
        value
    }
}

/// A name an admin or user may set or delete: a standard attribute or `custom:*`, not `sub`.
pub fn check_attribute_name(name: &str) -> ApiResult<()> {
    if name == "sub" {
        return Err(ApiError::invalid_parameter(
            "Cannot modify the non-mutable attribute sub",
        ));
    }
    let custom = name
        .strip_prefix("custom:")
        .is_some_and(|n| !n.is_empty() && n.len() <= 20);
    if !custom && !STANDARD_ATTRIBUTES.contains(&name) {
        return Err(ApiError::invalid_parameter(format!(
            "Attribute does not exist in the schema. Attribute name: {name}"
        )));
    }
    Ok(())
}

fn check_attribute_value(name: &str, value: &str) -> ApiResult<()> {
    if value.chars().count() > 2048 {
        return Err(ApiError::invalid_parameter(format!(
            "Attribute value for {name} must not exceed 2048 characters"
        )));
    }
    match name {
        "email" if !looks_like_email(value) => {
            Err(ApiError::invalid_parameter("Invalid email address format."))
        }
        "phone_number" if !looks_like_phone(value) => {
            Err(ApiError::invalid_parameter("Invalid phone number format."))
        }
        "email_verified" | "phone_number_verified"
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") =>
        {
            Err(ApiError::invalid_parameter(format!(
                "Invalid value for {name}: must be true or false"
            )))
        }
        _ => Ok(()),
    }
}

/// On a pool whose users sign in with their email or phone number (`UsernameAttributes`), the
/// attribute a given username is: `email` or `phone_number`, whichever the pool allows and the
/// value looks like. Cognito refuses anything else.
pub fn username_attribute(username_attributes: &[String], given: &str) -> ApiResult<&'static str> {
    let allows = |name: &str| username_attributes.iter().any(|a| a == name);
    if allows("email") && looks_like_email(given) {
        Ok("email")
    } else if allows("phone_number") && looks_like_phone(given) {
        Ok("phone_number")
    } else {
        Err(ApiError::invalid_parameter(
            "Username should be either an email or a phone number.",
        ))
    }
}

pub fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

pub fn looks_like_phone(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or("");
    (4..=16).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The masked destination Cognito shows in CodeDeliveryDetails: `a***@e***` for email,
/// `+*******1234` for phone numbers.
pub fn mask_destination(medium: &str, destination: &str) -> String {
    if medium == "EMAIL" {
        match destination.split_once('@') {
            Some((local, domain)) => {
                let l = local.chars().next().map(String::from).unwrap_or_default();
                let d = domain.chars().next().map(String::from).unwrap_or_default();
                format!("{l}***@{d}***")
            }
            None => "***".to_string(),
        }
    } else {
        let chars: Vec<char> = destination.chars().collect();
        let keep = chars.len().min(4);
        let hidden = chars.len() - keep;
        let mut out = String::new();
        for (i, c) in chars.iter().enumerate() {
            if i < hidden && !(i == 0 && *c == '+') {
                out.push('*');
            } else {
                out.push(*c);
            }
        }
        out
    }
}

/// A fresh 6-digit code.
pub fn new_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_messages_name_the_first_failing_rule() {
        let p = PasswordPolicy::default();
        assert!(p.check("Passw0rd!").is_ok());
        assert!(p.check("Pass word1").is_ok(), "space is a symbol");
        let msg = |pw: &str| p.check(pw).unwrap_err().message;
        assert_eq!(
            msg("Pa0!"),
            "Password did not conform with policy: Password not long enough"
        );
        assert_eq!(
            msg("PASSW0RD!"),
            "Password did not conform with policy: Password must have lowercase characters"
        );
        assert_eq!(
            msg("passw0rd!"),
            "Password did not conform with policy: Password must have uppercase characters"
        );
        assert_eq!(
            msg("Password!"),
            "Password did not conform with policy: Password must have numeric characters"
        );
        assert_eq!(
            msg("Passw0rdd"),
            "Password did not conform with policy: Password must have symbol characters"
        );
        assert_eq!(
            p.check("x").unwrap_err().kind.as_str(),
            "InvalidPasswordException"
        );
    }

    #[test]
    fn relaxed_policy_accepts_simple_passwords() {
        let p = PasswordPolicy {
            minimum_length: 6,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            ..PasswordPolicy::default()
        };
        assert!(p.check("abcdef").is_ok());
        assert!(p.check("abcde").is_err());
    }

    #[test]
    fn destinations_are_masked() {
        assert_eq!(mask_destination("EMAIL", "alice@example.com"), "a***@e***");
        assert_eq!(mask_destination("SMS", "+15555550123"), "+*******0123");
        assert!(!mask_destination("EMAIL", "bob@x.org").contains("bob"));
    }

    #[test]
    fn required_attributes_from_the_schema_and_what_a_user_lacks() {
        let schema = vec![
            ("name".to_string(), true),
            ("email".to_string(), true),
            ("nickname".to_string(), false),
        ];
        let req = required_from_schema(&schema).unwrap();
        assert_eq!(req, vec!["name", "email"]);
        let e = required_from_schema(&[("favorite".to_string(), true)]).unwrap_err();
        assert_eq!(e.kind.as_str(), "InvalidParameterException");
        let mut attrs = std::collections::BTreeMap::new();
        attrs.insert("email".to_string(), "a@example.com".to_string());
        attrs.insert("name".to_string(), "  ".to_string());
        assert_eq!(missing_required(&req, &attrs), vec!["name"]);
        attrs.insert("name".to_string(), "Alice".to_string());
        assert!(missing_required(&req, &attrs).is_empty());
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..50 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn attributes_are_checked() {
        assert!(check_attribute("email", "a@b.c").is_ok());
        assert!(check_attribute("email", "nope").is_err());
        assert!(check_attribute("custom:team", "x").is_ok());
        assert!(check_attribute("favourite_colour", "x").is_err());
        assert!(check_attribute("sub", "x").is_err());
        assert!(check_attribute("phone_number", "+15555550123").is_ok());
        assert!(check_attribute("phone_number", "555").is_err());
        assert!(check_username("alice").is_ok());
        assert!(check_username("al ice").is_err());
        assert!(check_username("").is_err());
    }

    #[test]
    fn a_username_is_the_email_or_phone_the_pool_signs_in_with() {
        let both = ["email".to_string(), "phone_number".to_string()];
        let email_only = ["email".to_string()];
        assert_eq!(
            username_attribute(&both, "ann@example.com").unwrap(),
            "email"
        );
        assert_eq!(
            username_attribute(&both, "+15555550100").unwrap(),
            "phone_number"
        );
        assert_eq!(
            username_attribute(&email_only, "ann@example.com").unwrap(),
            "email"
        );
        for refused in ["+15555550100", "ann"] {
            let e = username_attribute(&email_only, refused).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter, "{refused}");
            assert_eq!(
                e.message,
                "Username should be either an email or a phone number."
            );
        }
    }
}
