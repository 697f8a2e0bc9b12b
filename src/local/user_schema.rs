//! A pool's attribute schema: the standard attributes with Cognito's constraints, the custom
//! attributes CreateUserPool's `Schema` and AddCustomAttributes define (type, Mutable,
//! String/Number constraints), DescribeUserPool's `SchemaAttributes`, and [`check_attribute`],
//! the one check every write of a user attribute goes through (SignUp, AdminCreateUser,
//! AdminUpdateUserAttributes, UpdateUserAttributes, the new-password challenge).

use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, echo};
use super::policy;

/// Cognito's limit on custom attributes per pool.
pub const MAX_CUSTOM_ATTRIBUTES: usize = 50;
/// Characters in a custom attribute's name (without `custom:`).
pub const MAX_CUSTOM_NAME: usize = 20;

/// `StringAttributeConstraints`: lengths, as Cognito writes them (strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StringConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<String>,
}

/// `NumberAttributeConstraints`: bounds, as Cognito writes them (strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NumberConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
}

/// One `SchemaAttributeType`, stored and listed in Cognito's wire shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    pub name: String,
    pub attribute_data_type: String,
    pub developer_only_attribute: bool,
    pub mutable: bool,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringConstraints>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<NumberConstraints>,
}

/// One entry of a request's `Schema` / `CustomAttributes`, as given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttributeIn {
    pub name: Option<String>,
    pub attribute_data_type: Option<String>,
    pub developer_only_attribute: Option<bool>,
    pub mutable: Option<bool>,
    pub required: Option<bool>,
    pub string_attribute_constraints: Option<StringConstraints>,
    pub number_attribute_constraints: Option<NumberConstraints>,
}

/// One standard attribute: (name, type, (min, max) length of a String).
type Standard = (
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// The standard attributes in the order DescribeUserPool lists them.
const STANDARD: &[Standard] = &[
    ("sub", "String", Some(("1", "2048"))),
    ("name", "String", Some(("0", "2048"))),
    ("given_name", "String", Some(("0", "2048"))),
    ("family_name", "String", Some(("0", "2048"))),
    ("middle_name", "String", Some(("0", "2048"))),
    ("nickname", "String", Some(("0", "2048"))),
    ("preferred_username", "String", Some(("0", "2048"))),
    ("profile", "String", Some(("0", "2048"))),
    ("picture", "String", Some(("0", "2048"))),
    ("website", "String", Some(("0", "2048"))),
    ("email", "String", Some(("0", "2048"))),
    ("email_verified", "Boolean", None),
    ("gender", "String", Some(("0", "2048"))),
    ("birthdate", "String", Some(("10", "10"))),
    ("zoneinfo", "String", Some(("0", "2048"))),
    ("locale", "String", Some(("0", "2048"))),
    ("phone_number", "String", Some(("0", "2048"))),
    ("phone_number_verified", "Boolean", None),
    ("address", "String", Some(("0", "2048"))),
    ("updated_at", "Number", None),
];

fn standard_attribute(name: &str, kind: &str, lengths: Option<(&str, &str)>) -> SchemaAttribute {
    SchemaAttribute {
        name: name.to_string(),
        attribute_data_type: kind.to_string(),
        developer_only_attribute: false,
        mutable: name != "sub",
        required: name == "sub",
        string_attribute_constraints: lengths.map(|(min, max)| StringConstraints {
            min_length: Some(min.to_string()),
            max_length: Some(max.to_string()),
        }),
        number_attribute_constraints: (name == "updated_at").then(|| NumberConstraints {
            min_value: Some("0".into()),
            max_value: None,
        }),
    }
}

fn is_standard(name: &str) -> bool {
    STANDARD.iter().any(|(n, _, _)| *n == name)
}

/// The pool's whole schema as DescribeUserPool lists it: `sub` and the standard attributes
/// (with the pool's `Required` and `Mutable` choices), then the custom attributes. `stored` is
/// what the pool keeps ([`schema_from_request`]); `required` the standard attributes it requires.
pub fn effective_schema(stored: &[SchemaAttribute], required: &[String]) -> Vec<SchemaAttribute> {
    let mut out: Vec<SchemaAttribute> = STANDARD
        .iter()
        .map(|(name, kind, lengths)| {
            let mut a = stored
                .iter()
                .find(|s| s.name == *name)
                .cloned()
                .unwrap_or_else(|| standard_attribute(name, kind, *lengths));
            if required.iter().any(|r| r == name) {
                a.required = true;
            }
            a
        })
        .collect();
    out.extend(stored.iter().filter(|s| !is_standard(&s.name)).cloned());
    out
}

/// The custom attributes among a pool's stored schema.
pub fn custom_attributes(stored: &[SchemaAttribute]) -> impl Iterator<Item = &SchemaAttribute> {
    stored.iter().filter(|s| !is_standard(&s.name))
}

/// DescribeUserPool's `SchemaAttributes`.
pub fn schema_attributes_json(
    stored: &[SchemaAttribute],
    required: &[String],
) -> serde_json::Value {
    serde_json::to_value(effective_schema(stored, required))
        .unwrap_or_else(|_| serde_json::Value::Array(vec![]))
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::invalid_parameter(msg)
}

fn parse_bound(v: &Option<String>, what: &str, name: &str) -> ApiResult<Option<i64>> {
    match v {
        None => Ok(None),
        Some(s) => s.trim().parse::<i64>().map(Some).map_err(|_| {
            invalid(format!(
                "Invalid {what} for attribute {name}: {} is not a number",
                echo(s)
            ))
        }),
    }
}

/// Validates one entry of `Schema` (CreateUserPool) or `CustomAttributes` (AddCustomAttributes)
/// into what the pool keeps. A standard attribute keeps its type and Cognito's constraints
/// (only `Mutable` and `Required` are the pool's to choose); any other name becomes
/// `custom:{name}`, of the given type (String when none), never required.
fn attribute_from_request(
    a: &SchemaAttributeIn,
    allow_standard: bool,
) -> ApiResult<SchemaAttribute> {
    let given = a
        .name
        .as_deref()
        .ok_or_else(|| invalid("Schema attribute name is required"))?;
    if let Some((_, kind, lengths)) = STANDARD.iter().find(|(n, _, _)| *n == given) {
        if !allow_standard {
            return Err(invalid(format!(
                "Existing attribute already has name {given}."
            )));
        }
        if given == "sub" {
            return Err(invalid("Cannot modify the sub attribute's schema."));
        }
        if let Some(t) = &a.attribute_data_type
            && t != kind
        {
            return Err(invalid(format!(
                "Standard attribute {given} is of type {kind}, not {}.",
                echo(t)
            )));
        }
        let mut s = standard_attribute(given, kind, *lengths);
        s.mutable = a.mutable.unwrap_or(true);
        s.required = a.required.unwrap_or(false);
        return Ok(s);
    }
    let bare = given
        .strip_prefix("dev:custom:")
        .or_else(|| given.strip_prefix("custom:"))
        .unwrap_or(given);
    let n = bare.chars().count();
    if n == 0 || n > MAX_CUSTOM_NAME || bare.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{}' at 'schema.member.name' failed to \
             satisfy constraint: Member must have length less than or equal to {MAX_CUSTOM_NAME} \
             and satisfy regular expression pattern: [\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}]+",
            echo(given)
        )));
    }
    let developer_only = a.developer_only_attribute.unwrap_or(false);
    // Cognito names a developer-only attribute `dev:custom:{name}`.
    let name = if developer_only {
        format!("dev:custom:{bare}")
    } else {
        format!("custom:{bare}")
    };
    if a.required == Some(true) {
        return Err(invalid(
            "Required custom attributes are not supported currently.",
        ));
    }
    let kind = a.attribute_data_type.as_deref().unwrap_or("String");
    if !["String", "Number", "DateTime", "Boolean"].contains(&kind) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{}' at 'schema.member.attributeDataType' \
             failed to satisfy constraint: Member must satisfy enum value set: \
             [Boolean, Number, String, DateTime]",
            echo(kind)
        )));
    }
    let mut attr = SchemaAttribute {
        name: name.clone(),
        attribute_data_type: kind.to_string(),
        developer_only_attribute: developer_only,
        mutable: a.mutable.unwrap_or(true),
        required: false,
        string_attribute_constraints: None,
        number_attribute_constraints: None,
    };
    match kind {
        "String" => {
            let c = a.string_attribute_constraints.clone().unwrap_or_default();
            let min = parse_bound(&c.min_length, "MinLength", &name)?;
            let max = parse_bound(&c.max_length, "MaxLength", &name)?;
            for v in [min, max].into_iter().flatten() {
                if !(0..=2048).contains(&v) {
                    return Err(invalid(format!(
                        "Invalid StringAttributeConstraints for attribute {name}: lengths must be \
                         between 0 and 2048"
                    )));
                }
            }
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                return Err(invalid(format!(
                    "Invalid StringAttributeConstraints for attribute {name}: MinLength must not \
                     exceed MaxLength"
                )));
            }
            attr.string_attribute_constraints = Some(StringConstraints {
                min_length: min.map(|v| v.to_string()),
                max_length: max.map(|v| v.to_string()),
            });
        }
        "Number" => {
            let c = a.number_attribute_constraints.clone().unwrap_or_default();
            let min = parse_bound(&c.min_value, "MinValue", &name)?;
            let max = parse_bound(&c.max_value, "MaxValue", &name)?;
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                return Err(invalid(format!(
                    "Invalid NumberAttributeConstraints for attribute {name}: MinValue must not \
                     exceed MaxValue"
                )));
            }
            attr.number_attribute_constraints = Some(NumberConstraints {
                min_value: min.map(|v| v.to_string()),
                max_value: max.map(|v| v.to_string()),
            });
        }
        _ => {}
    }
    Ok(attr)
}

/// CreateUserPool's `Schema`: what the pool keeps (standard attributes the request configured,
/// custom attributes) and the standard attributes it requires.
pub fn schema_from_request(
    inputs: &[SchemaAttributeIn],
) -> ApiResult<(Vec<SchemaAttribute>, Vec<String>)> {
    if inputs.len() > MAX_CUSTOM_ATTRIBUTES {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'schema' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_CUSTOM_ATTRIBUTES}"
        )));
    }
    let mut stored: Vec<SchemaAttribute> = Vec::new();
    let mut required = Vec::new();
    for a in inputs {
        let attr = attribute_from_request(a, true)?;
        if stored.iter().any(|s| s.name == attr.name) {
            return Err(invalid(format!(
                "Existing attribute already has name {}.",
                attr.name
            )));
        }
        if attr.required && !required.contains(&attr.name) {
            required.push(attr.name.clone());
        }
        stored.push(attr);
    }
    Ok((stored, required))
}

/// AddCustomAttributes: `stored` with the new custom attributes appended. Names already in the
/// schema (standard or custom) are refused, as is going past Cognito's limit.
pub fn add_custom_attributes(
    stored: &[SchemaAttribute],
    inputs: &[SchemaAttributeIn],
) -> ApiResult<Vec<SchemaAttribute>> {
    if inputs.is_empty() || inputs.len() > 25 {
        return Err(invalid(
            "1 validation error detected: Value at 'customAttributes' failed to satisfy \
             constraint: Member must have length between 1 and 25",
        ));
    }
    let mut out = stored.to_vec();
    for a in inputs {
        let attr = attribute_from_request(a, false)?;
        if out.iter().any(|s| s.name == attr.name) {
            return Err(invalid(format!(
                "Existing attribute already has name {}.",
                attr.name
            )));
        }
        out.push(attr);
    }
    if custom_attributes(&out).count() > MAX_CUSTOM_ATTRIBUTES {
        return Err(invalid(format!(
            "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )));
    }
    Ok(out)
}

/// A custom attribute's name (`custom:…`, or `dev:custom:…` for a developer-only one).
fn is_custom(name: &str) -> bool {
    name.starts_with("custom:") || name.starts_with("dev:custom:")
}

/// Like [`check_attribute`], for a write a user makes with their own token or at sign-up
/// (SignUp, UpdateUserAttributes, the new-password challenge): a developer-only attribute
/// is for administrators only.
pub fn check_user_attribute(
    stored: &[SchemaAttribute],
    name: &str,
    value: &str,
    current: Option<&str>,
) -> ApiResult<()> {
    if stored
        .iter()
        .any(|s| s.name == name && s.developer_only_attribute)
    {
        return Err(invalid(format!(
            "A client attempted to write unauthorized attribute {name}"
        )));
    }
    check_attribute(stored, name, value, current)
}

fn nonconforming(name: &str, why: impl std::fmt::Display) -> ApiError {
    invalid(format!(
        "Attributes did not conform to the schema: {name}: {why}"
    ))
}

/// Checks one attribute a caller writes against the pool's schema (`stored`, as the pool keeps
/// it): the name must be in the schema (`custom:foo` only where the pool defines it), the value
/// of its type and within its constraints, and an immutable attribute cannot change once set
/// (`current` is the user's value, None on creation). Standard formats (email, phone number)
/// are checked as before.
pub fn check_attribute(
    stored: &[SchemaAttribute],
    name: &str,
    value: &str,
    current: Option<&str>,
) -> ApiResult<()> {
    policy::check_attribute_name(name)?;
    let def = if is_custom(name) {
        match custom_attributes(stored).find(|s| s.name == name) {
            Some(d) => d.clone(),
            None => {
                return Err(invalid(format!(
                    "Attributes did not conform to the schema: Type for attribute {{{name}}} \
                     could not be determined"
                )));
            }
        }
    } else {
        match effective_schema(stored, &[])
            .into_iter()
            .find(|s| s.name == name)
        {
            Some(d) => d,
            // Standard names this schema does not list (none today): the policy's checks only.
            None => return policy::check_attribute(name, value),
        }
    };
    if !def.mutable
        && let Some(old) = current
        && old != value
    {
        return Err(invalid(format!(
            "Cannot modify the non-mutable attribute {name}"
        )));
    }
    if !is_custom(name) {
        policy::check_attribute(name, value)?;
    }
    match def.attribute_data_type.as_str() {
        "String" => {
            let n = value.chars().count() as i64;
            let c = def.string_attribute_constraints.unwrap_or_default();
            let max = c
                .max_length
                .as_deref()
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(2048);
            let min = c
                .min_length
                .as_deref()
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0);
            if n > max {
                return Err(nonconforming(
                    name,
                    format_args!("String must be no longer than {max} characters"),
                ));
            }
            if n < min {
                return Err(nonconforming(
                    name,
                    format_args!("String must be no shorter than {min} characters"),
                ));
            }
        }
        "Number" => {
            let Ok(v) = value.trim().parse::<i64>() else {
                return Err(nonconforming(name, "Number must be a whole number"));
            };
            let c = def.number_attribute_constraints.unwrap_or_default();
            if let Some(max) = c.max_value.as_deref().and_then(|m| m.parse::<i64>().ok())
                && v > max
            {
                return Err(nonconforming(
                    name,
                    format_args!("Number must be no greater than {max}"),
                ));
            }
            if let Some(min) = c.min_value.as_deref().and_then(|m| m.parse::<i64>().ok())
                && v < min
            {
                return Err(nonconforming(
                    name,
                    format_args!("Number must be no less than {min}"),
                ));
            }
        }
        "Boolean"
            if is_custom(name)
                && !value.eq_ignore_ascii_case("true")
                && !value.eq_ignore_ascii_case("false") =>
        {
            return Err(nonconforming(name, "Boolean must be true or false"));
        }
        "DateTime" if value.chars().count() > 2048 => {
            return Err(nonconforming(
                name,
                "DateTime must be no longer than 2048 characters",
            ));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, kind: &str) -> SchemaAttributeIn {
        SchemaAttributeIn {
            name: Some(name.into()),
            attribute_data_type: Some(kind.into()),
            ..Default::default()
        }
    }

    #[test]
    fn standard_schema_lists_cognitos_constraints() {
        let all = effective_schema(&[], &["email".to_string()]);
        assert_eq!(all[0].name, "sub");
        assert!(!all[0].mutable && all[0].required);
        let birthdate = all.iter().find(|a| a.name == "birthdate").unwrap();
        let c = birthdate.string_attribute_constraints.clone().unwrap();
        assert_eq!(
            (c.min_length.as_deref(), c.max_length.as_deref()),
            (Some("10"), Some("10"))
        );
        assert!(all.iter().find(|a| a.name == "email").unwrap().required);
        let updated = all.iter().find(|a| a.name == "updated_at").unwrap();
        assert_eq!(updated.attribute_data_type, "Number");
        assert_eq!(all.len(), 20);
    }

    #[test]
    fn custom_attributes_are_typed_constrained_and_checked() {
        let mut team = input("team", "String");
        team.string_attribute_constraints = Some(StringConstraints {
            min_length: Some("2".into()),
            max_length: Some("5".into()),
        });
        let mut age = input("age", "Number");
        age.number_attribute_constraints = Some(NumberConstraints {
            min_value: Some("0".into()),
            max_value: Some("150".into()),
        });
        age.mutable = Some(false);
        let mut name = input("name", "String");
        name.required = Some(true);
        let (stored, required) =
            schema_from_request(&[team, age, name, input("vip", "Boolean")]).unwrap();
        assert_eq!(required, vec!["name"]);
        let listed: Vec<String> = effective_schema(&stored, &required)
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert!(listed.ends_with(&[
            "custom:team".to_string(),
            "custom:age".to_string(),
            "custom:vip".to_string()
        ]));
        let check = |n: &str, v: &str| check_attribute(&stored, n, v, None);
        assert!(check("custom:team", "abc").is_ok());
        assert!(
            check("custom:team", "abcdef")
                .unwrap_err()
                .message
                .contains("no longer than 5")
        );
        assert!(check("custom:team", "a").is_err());
        assert!(check("custom:age", "42").is_ok());
        assert!(check("custom:age", "151").is_err());
        assert!(check("custom:age", "forty").is_err());
        assert!(check("custom:vip", "true").is_ok());
        assert!(check("custom:vip", "maybe").is_err());
        assert!(
            check("custom:nope", "x")
                .unwrap_err()
                .message
                .contains("Type for attribute {custom:nope} could not be determined")
        );
        assert!(check("birthdate", "1990-01-01").is_ok());
        assert!(check("birthdate", "1990").is_err());
        assert!(check_attribute(&stored, "custom:age", "43", Some("42")).is_err());
        assert!(check_attribute(&stored, "custom:age", "42", Some("42")).is_ok());
        assert!(check_attribute(&stored, "custom:team", "xyz", Some("abc")).is_ok());
    }

    #[test]
    fn developer_only_attributes_are_named_apart_and_kept_from_users() {
        let mut secret = input("tier", "String");
        secret.developer_only_attribute = Some(true);
        let (stored, _) = schema_from_request(&[secret]).unwrap();
        assert_eq!(stored[0].name, "dev:custom:tier");
        assert!(stored[0].developer_only_attribute);
        assert!(check_attribute(&stored, "dev:custom:tier", "gold", None).is_ok());
        assert!(check_user_attribute(&stored, "dev:custom:tier", "gold", None).is_err());
        assert!(check_attribute(&stored, "custom:tier", "gold", None).is_err());
        assert!(check_attribute(&stored, "dev:custom:other", "x", None).is_err());
    }

    #[test]
    fn bad_schemas_are_refused() {
        let mut req = input("flag", "String");
        req.required = Some(true);
        assert!(schema_from_request(&[req]).is_err());
        assert!(schema_from_request(&[input("a_name_longer_than_twenty", "String")]).is_err());
        assert!(schema_from_request(&[input("x", "Colour")]).is_err());
        assert!(schema_from_request(&[input("x", "String"), input("x", "Number")]).is_err());
        let (stored, _) = schema_from_request(&[input("x", "String")]).unwrap();
        assert!(add_custom_attributes(&stored, &[input("x", "String")]).is_err());
        assert!(add_custom_attributes(&stored, &[input("email", "String")]).is_err());
        let more = add_custom_attributes(&stored, &[input("y", "Number")]).unwrap();
        assert_eq!(custom_attributes(&more).count(), 2);
    }
}
