//! Pool configuration and resources of `cognito-tui serve` (issue 13): a custom-attribute
//! schema listed as Cognito lists it and enforced on every write, AddCustomAttributes,
//! AccountRecoverySetting, the verification message templates in the outbox, domains, resource
//! servers and identity providers (stored, described, listed with paging, updated, deleted),
//! and the OIDC discovery document. Each keeps across a restart on the same store.

mod support;

use cognito_tui::local::{DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_PASSWORD, DEMO_POOL_ID};
use serde_json::{Value, json};
use support::{Case, Harness, claims};

/// Restarts the pool of `h` on its own store.
async fn restart(h: Harness) -> Harness {
    let db = h.db();
    let Harness { pool, dir, .. } = h;
    pool.shutdown().await;
    Harness::on_store(dir, &db).await
}

async fn create_pool(h: &Harness, body: Value) -> String {
    let v = h.call("CreateUserPool", body).await.ok();
    v["UserPool"]["Id"].as_str().unwrap().to_string()
}

async fn create_client(h: &Harness, pool: &str) -> String {
    let v = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "app",
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await
        .ok();
    v["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn attr<'a>(pool: &'a Value, name: &str) -> &'a Value {
    pool["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .unwrap_or_else(|| panic!("{name} not in SchemaAttributes: {pool}"))
}

async fn describe(h: &Harness, pool: &str) -> Value {
    h.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await
        .ok()["UserPool"]
        .clone()
}

fn sign_up(client: &str, username: &str, attrs: &[(&str, &str)]) -> Value {
    let attrs: Vec<Value> = attrs
        .iter()
        .map(|(n, v)| json!({"Name": n, "Value": v}))
        .collect();
    json!({"ClientId": client, "Username": username, "Password": "Passw0rd!",
           "UserAttributes": attrs})
}

const SCHEMA_MSG: &str = "Attributes did not conform to the schema";

#[tokio::test]
async fn a_custom_attribute_schema_is_listed_enforced_on_every_write_and_kept() {
    let h = Harness::new().await;
    let pool = create_pool(
        &h,
        json!({"PoolName": "schema", "Schema": [
            {"Name": "team", "AttributeDataType": "String",
             "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}},
            {"Name": "age", "AttributeDataType": "Number", "Mutable": false,
             "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
            {"Name": "vip", "AttributeDataType": "Boolean"},
            {"Name": "tier", "AttributeDataType": "String", "DeveloperOnlyAttribute": true},
            {"Name": "name", "AttributeDataType": "String", "Required": true},
        ]}),
    )
    .await;
    let client = create_client(&h, &pool).await;
    let p = describe(&h, &pool).await;
    assert_eq!(
        attr(&p, "custom:team")["StringAttributeConstraints"],
        json!({"MinLength": "2", "MaxLength": "5"})
    );
    assert_eq!(attr(&p, "custom:age")["AttributeDataType"], "Number");
    assert_eq!(attr(&p, "custom:age")["Mutable"], false);
    assert_eq!(attr(&p, "name")["Required"], true);
    assert_eq!(
        attr(&p, "birthdate")["StringAttributeConstraints"],
        json!({"MinLength": "10", "MaxLength": "10"})
    );
    assert_eq!(attr(&p, "updated_at")["AttributeDataType"], "Number");
    assert_eq!(attr(&p, "sub")["Mutable"], false);
    assert_eq!(attr(&p, "dev:custom:tier")["DeveloperOnlyAttribute"], true);

    h.run_cases([
        Case::new(
            "a valid sign-up with custom attributes",
            "SignUp",
            sign_up(
                &client,
                "ann",
                &[
                    ("name", "Ann"),
                    ("custom:team", "red"),
                    ("custom:age", "30"),
                ],
            ),
        ),
        Case::new(
            "an attribute the schema lacks",
            "SignUp",
            sign_up(&client, "bob", &[("name", "Bob"), ("custom:nope", "x")]),
        )
        .error(
            "InvalidParameterException",
            "Attributes did not conform to the schema: Type for attribute {custom:nope} could \
             not be determined",
        ),
        Case::new(
            "a string longer than its MaxLength",
            "SignUp",
            sign_up(
                &client,
                "bob",
                &[("name", "Bob"), ("custom:team", "purple")],
            ),
        )
        .error_has("InvalidParameterException", "no longer than 5 characters"),
        Case::new(
            "a number outside its range",
            "SignUp",
            sign_up(&client, "bob", &[("name", "Bob"), ("custom:age", "151")]),
        )
        .error_has("InvalidParameterException", SCHEMA_MSG),
        Case::new(
            "not a number",
            "SignUp",
            sign_up(&client, "bob", &[("name", "Bob"), ("custom:age", "old")]),
        )
        .error_has("InvalidParameterException", SCHEMA_MSG),
        Case::new(
            "a birthdate that is not ten characters",
            "SignUp",
            sign_up(&client, "bob", &[("name", "Bob"), ("birthdate", "1990")]),
        )
        .error_has("InvalidParameterException", "birthdate"),
        Case::new(
            "a boolean that is neither",
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "cy", "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "name", "Value": "Cy"},
                                      {"Name": "custom:vip", "Value": "maybe"}]}),
        )
        .error_has("InvalidParameterException", SCHEMA_MSG),
        Case::new(
            "an admin-created user within the schema",
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "cy", "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "name", "Value": "Cy"},
                                      {"Name": "custom:vip", "Value": "true"},
                                      {"Name": "birthdate", "Value": "1990-01-31"}]}),
        ),
        Case::new(
            "a developer-only attribute is not the user's to give",
            "SignUp",
            sign_up(
                &client,
                "bob",
                &[("name", "Bob"), ("dev:custom:tier", "gold")],
            ),
        )
        .error(
            "InvalidParameterException",
            "A client attempted to write unauthorized attribute dev:custom:tier",
        ),
        Case::new(
            "an administrator sets a developer-only attribute",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": pool, "Username": "ann",
                   "UserAttributes": [{"Name": "dev:custom:tier", "Value": "gold"}]}),
        ),
        Case::new(
            "a mutable custom attribute changes",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": pool, "Username": "ann",
                   "UserAttributes": [{"Name": "custom:team", "Value": "blue"}]}),
        ),
        Case::new(
            "an immutable one cannot",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": pool, "Username": "ann",
                   "UserAttributes": [{"Name": "custom:age", "Value": "31"}]}),
        )
        .error(
            "InvalidParameterException",
            "Cannot modify the non-mutable attribute custom:age",
        ),
        Case::new(
            "an update outside the constraints",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": pool, "Username": "ann",
                   "UserAttributes": [{"Name": "custom:team", "Value": "x"}]}),
        )
        .error_has("InvalidParameterException", "no shorter than 2 characters"),
        Case::new(
            "a required custom attribute is refused",
            "CreateUserPool",
            json!({"PoolName": "bad", "Schema": [
                {"Name": "flag", "AttributeDataType": "String", "Required": true}]}),
        )
        .error(
            "InvalidParameterException",
            "Required custom attributes are not supported currently.",
        ),
        Case::new(
            "a custom name over 20 characters is refused",
            "CreateUserPool",
            json!({"PoolName": "bad", "Schema": [
                {"Name": "abcdefghijklmnopqrstu", "AttributeDataType": "String"}]}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an unknown type is refused",
            "CreateUserPool",
            json!({"PoolName": "bad", "Schema": [{"Name": "x", "AttributeDataType": "Colour"}]}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "AddCustomAttributes adds one",
            "AddCustomAttributes",
            json!({"UserPoolId": pool, "CustomAttributes": [
                {"Name": "plan", "AttributeDataType": "String"}]}),
        ),
        Case::new(
            "AddCustomAttributes refuses a name the schema has",
            "AddCustomAttributes",
            json!({"UserPoolId": pool, "CustomAttributes": [
                {"Name": "team", "AttributeDataType": "String"}]}),
        )
        .error(
            "InvalidParameterException",
            "Existing attribute already has name custom:team.",
        ),
        Case::new(
            "AddCustomAttributes on a pool that does not exist",
            "AddCustomAttributes",
            json!({"UserPoolId": "us-east-1_nothere", "CustomAttributes": [
                {"Name": "x", "AttributeDataType": "String"}]}),
        )
        .kind("ResourceNotFoundException"),
        Case::new(
            "the added attribute can be written",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": pool, "Username": "ann",
                   "UserAttributes": [{"Name": "custom:plan", "Value": "gold"}]}),
        ),
    ])
    .await;
    let user = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "ann"}),
        )
        .await
        .ok();
    let attrs = user["UserAttributes"].to_string();
    assert!(
        attrs.contains("\"custom:team\",\"Value\":\"blue\""),
        "{attrs}"
    );
    assert!(attrs.contains("\"custom:age\",\"Value\":\"30\""), "{attrs}");

    // A pool without custom attributes takes none (the demo pool).
    let (kind, msg) = h
        .call(
            "SignUp",
            sign_up(
                DEMO_CLIENT_ID,
                "dee",
                &[("email", "dee@example.com"), ("custom:foo", "x")],
            ),
        )
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException");
    assert!(msg.contains("{custom:foo}"), "{msg}");

    let h = restart(h).await;
    let p = describe(&h, &pool).await;
    assert_eq!(attr(&p, "custom:plan")["AttributeDataType"], "String");
    assert_eq!(attr(&p, "custom:age")["Mutable"], false);
    h.call(
        "SignUp",
        sign_up(
            &client,
            "eve",
            &[("name", "Eve"), ("custom:team", "toolong")],
        ),
    )
    .await
    .err();
    h.pool.shutdown().await;
}

/// A confirmed user with a verified email and phone number, on `pool`.
async fn verified_user(h: &Harness, pool: &str, username: &str) {
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS",
               "UserAttributes": [
                   {"Name": "email", "Value": format!("{username}@example.com")},
                   {"Name": "email_verified", "Value": "true"},
                   {"Name": "phone_number", "Value": "+15555550100"},
                   {"Name": "phone_number_verified", "Value": "true"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": username, "Password": "Passw0rd!",
               "Permanent": true}),
    )
    .await
    .ok();
}

async fn forgot(h: &Harness, client: &str, username: &str) -> support::Resp {
    h.call(
        "ForgotPassword",
        json!({"ClientId": client, "Username": username}),
    )
    .await
}

#[tokio::test]
async fn account_recovery_setting_picks_the_medium_or_leaves_resets_to_admins() {
    let h = Harness::new().await;
    let admin_only = create_pool(
        &h,
        json!({"PoolName": "admin-only", "AccountRecoverySetting": {"RecoveryMechanisms": [
            {"Priority": 1, "Name": "admin_only"}]}}),
    )
    .await;
    let admin_client = create_client(&h, &admin_only).await;
    verified_user(&h, &admin_only, "ann").await;
    forgot(&h, &admin_client, "ann").await.err_is(
        "NotAuthorizedException",
        "Contact administrator to reset password.",
    );
    assert!(h.outbox("ann", "FORGOT_PASSWORD").await.is_empty());

    let phone_first = create_pool(
        &h,
        json!({"PoolName": "phone-first", "AccountRecoverySetting": {"RecoveryMechanisms": [
            {"Priority": 2, "Name": "verified_email"},
            {"Priority": 1, "Name": "verified_phone_number"}]}}),
    )
    .await;
    let client = create_client(&h, &phone_first).await;
    verified_user(&h, &phone_first, "bob").await;
    let v = forgot(&h, &client, "bob").await.ok();
    assert_eq!(v["CodeDeliveryDetails"]["DeliveryMedium"], "SMS");
    assert_eq!(v["CodeDeliveryDetails"]["AttributeName"], "phone_number");
    let p = describe(&h, &phone_first).await;
    assert_eq!(
        p["AccountRecoverySetting"]["RecoveryMechanisms"][0]["Name"],
        "verified_email"
    );

    h.run_cases([
        Case::new(
            "admin_only with another mechanism",
            "CreateUserPool",
            json!({"PoolName": "bad", "AccountRecoverySetting": {"RecoveryMechanisms": [
                {"Priority": 1, "Name": "admin_only"}, {"Priority": 2, "Name": "verified_email"}]}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an unknown mechanism",
            "CreateUserPool",
            json!({"PoolName": "bad", "AccountRecoverySetting": {"RecoveryMechanisms": [
                {"Priority": 1, "Name": "carrier_pigeon"}]}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "UpdateUserPool puts email first",
            "UpdateUserPool",
            json!({"UserPoolId": phone_first, "AccountRecoverySetting": {"RecoveryMechanisms": [
                {"Priority": 1, "Name": "verified_email"}]}}),
        ),
    ])
    .await;

    let h = restart(h).await;
    let v = forgot(&h, &client, "bob").await.ok();
    assert_eq!(v["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    forgot(&h, &admin_client, "ann").await.err_is(
        "NotAuthorizedException",
        "Contact administrator to reset password.",
    );
    h.pool.shutdown().await;
}

#[tokio::test]
async fn verification_templates_write_the_outbox_text_and_are_described() {
    let h = Harness::new().await;
    let pool = create_pool(
        &h,
        json!({"PoolName": "templates", "AutoVerifiedAttributes": ["email"],
               "EmailVerificationSubject": "Welcome aboard",
               "VerificationMessageTemplate": {"EmailMessage": "Hello! Your code: {####}"},
               "SmsAuthenticationMessage": "Sign-in code {####}"}),
    )
    .await;
    let client = create_client(&h, &pool).await;
    h.call(
        "SignUp",
        sign_up(&client, "ann", &[("email", "ann@example.com")]),
    )
    .await
    .ok();
    let entry = h.outbox("ann", "SIGN_UP").await.pop().unwrap();
    let code = entry["code"].as_str().unwrap();
    assert_eq!(entry["message"], format!("Hello! Your code: {code}"));
    assert_eq!(entry["subject"], "Welcome aboard");
    let p = describe(&h, &pool).await;
    assert_eq!(p["EmailVerificationMessage"], "Hello! Your code: {####}");
    assert_eq!(p["EmailVerificationSubject"], "Welcome aboard");
    assert_eq!(
        p["VerificationMessageTemplate"]["EmailMessage"],
        "Hello! Your code: {####}"
    );
    assert_eq!(p["SmsAuthenticationMessage"], "Sign-in code {####}");

    // A pool without templates sends Cognito's default text.
    h.call(
        "SignUp",
        sign_up(DEMO_CLIENT_ID, "tess", &[("email", "tess@example.com")]),
    )
    .await
    .ok();
    let entry = h.outbox("tess", "SIGN_UP").await.pop().unwrap();
    let code = entry["code"].as_str().unwrap();
    assert_eq!(
        entry["message"],
        format!("Your verification code is {code}. ")
    );

    h.run_cases([
        Case::new(
            "an email message without the code placeholder",
            "CreateUserPool",
            json!({"PoolName": "bad", "EmailVerificationMessage": "no code here"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an SMS message over 140 characters",
            "CreateUserPool",
            json!({"PoolName": "bad", "SmsVerificationMessage": format!("{{####}}{}", "x".repeat(140))}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an unknown default email option",
            "CreateUserPool",
            json!({"PoolName": "bad",
                   "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_BY_PIGEON"}}),
        )
        .kind("InvalidParameterException"),
    ])
    .await;

    let h = restart(h).await;
    h.call(
        "ResendConfirmationCode",
        json!({"ClientId": client, "Username": "ann"}),
    )
    .await
    .ok();
    let entry = h.outbox("ann", "SIGN_UP").await.pop().unwrap();
    let code = entry["code"].as_str().unwrap();
    assert_eq!(entry["message"], format!("Hello! Your code: {code}"));
    h.pool.shutdown().await;
}

#[tokio::test]
async fn domains_are_created_described_updated_and_deleted() {
    let h = Harness::new().await;
    let pool = create_pool(&h, json!({"PoolName": "domains"})).await;
    let other = create_pool(&h, json!({"PoolName": "other"})).await;
    let cert = "arn:aws:acm:us-east-1:000000000000:certificate/abc";
    h.run_cases([
        Case::new(
            "a prefix domain",
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "my-app-login"}),
        ),
        Case::new(
            "the same domain on another pool",
            "CreateUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "my-app-login"}),
        )
        .error(
            "InvalidParameterException",
            "Domain already associated with another user pool.",
        ),
        Case::new(
            "a second prefix domain",
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "my-app-two"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a reserved word",
            "CreateUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "my-cognito"}),
        )
        .error(
            "InvalidParameterException",
            "Domain cannot contain reserved word: cognito",
        ),
        Case::new(
            "capitals",
            "CreateUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "MyApp"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a pool that does not exist",
            "CreateUserPoolDomain",
            json!({"UserPoolId": "us-east-1_nothere", "Domain": "free-name"}),
        )
        .kind("ResourceNotFoundException"),
        Case::new(
            "a custom domain",
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "auth.example.com",
                   "CustomDomainConfig": {"CertificateArn": cert}}),
        ),
        Case::new(
            "managed login on the prefix domain",
            "UpdateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "my-app-login", "ManagedLoginVersion": 2}),
        ),
        Case::new(
            "updating a domain of another pool",
            "UpdateUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "my-app-login", "ManagedLoginVersion": 2}),
        )
        .kind("ResourceNotFoundException"),
    ])
    .await;
    let custom = h
        .call(
            "DescribeUserPoolDomain",
            json!({"Domain": "auth.example.com"}),
        )
        .await
        .ok();
    assert_eq!(custom["DomainDescription"]["UserPoolId"], pool.as_str());
    assert_eq!(
        custom["DomainDescription"]["CustomDomainConfig"]["CertificateArn"],
        cert
    );
    assert_eq!(custom["DomainDescription"]["Status"], "ACTIVE");
    let none = h
        .call(
            "DescribeUserPoolDomain",
            json!({"Domain": "nobody-has-this"}),
        )
        .await
        .ok();
    assert_eq!(none, json!({"DomainDescription": {}}));
    let p = describe(&h, &pool).await;
    assert_eq!(p["Domain"], "my-app-login");
    assert_eq!(p["CustomDomain"], "auth.example.com");

    let h = restart(h).await;
    let prefix = h
        .call("DescribeUserPoolDomain", json!({"Domain": "my-app-login"}))
        .await
        .ok();
    assert_eq!(prefix["DomainDescription"]["ManagedLoginVersion"], 2);
    h.run_cases([
        Case::new(
            "delete",
            "DeleteUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "my-app-login"}),
        ),
        Case::new(
            "delete again",
            "DeleteUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "my-app-login"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "the name is free for another pool",
            "CreateUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "my-app-login"}),
        ),
    ])
    .await;
    assert!(describe(&h, &pool).await.get("Domain").is_none());
    h.pool.shutdown().await;
}

#[tokio::test]
async fn resource_servers_are_stored_paged_updated_and_deleted() {
    let h = Harness::new().await;
    let pool = create_pool(&h, json!({"PoolName": "resources"})).await;
    let scopes = json!([{"ScopeName": "read", "ScopeDescription": "Read things"},
                        {"ScopeName": "write", "ScopeDescription": "Write things"}]);
    let created = h
        .call(
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "https://api.example.com",
                   "Name": "api", "Scopes": scopes}),
        )
        .await
        .ok();
    assert_eq!(
        created["ResourceServer"],
        json!({"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "api",
               "Scopes": scopes})
    );
    for i in 0..4 {
        h.call(
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": format!("svc-{i}"), "Name": format!("svc {i}")}),
        )
        .await
        .ok();
    }
    h.run_cases([
        Case::new(
            "a duplicate identifier",
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "svc-0", "Name": "again"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a scope name with a slash",
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "svc-x", "Name": "x",
                   "Scopes": [{"ScopeName": "a/b", "ScopeDescription": "d"}]}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a scope named twice",
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "svc-x", "Name": "x",
                   "Scopes": [{"ScopeName": "a", "ScopeDescription": "d"},
                              {"ScopeName": "a", "ScopeDescription": "e"}]}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a name with a slash",
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "svc-x", "Name": "a/b"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "describe one that does not exist",
            "DescribeResourceServer",
            json!({"UserPoolId": pool, "Identifier": "nope"}),
        )
        .kind("ResourceNotFoundException"),
        Case::new(
            "MaxResults over 50",
            "ListResourceServers",
            json!({"UserPoolId": pool, "MaxResults": 51}),
        )
        .kind("InvalidParameterException"),
    ])
    .await;

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"UserPoolId": pool, "MaxResults": 2});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = h.call("ListResourceServers", body).await.ok();
        let items = page["ResourceServers"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|r| r["Identifier"].as_str().unwrap().to_string()),
        );
        match page["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    seen.dedup();
    assert_eq!(seen.len(), 5, "{seen:?}");

    let updated = h
        .call(
            "UpdateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "svc-0", "Name": "renamed",
                   "Scopes": [{"ScopeName": "admin", "ScopeDescription": "Everything"}]}),
        )
        .await
        .ok();
    assert_eq!(updated["ResourceServer"]["Name"], "renamed");
    h.call(
        "UpdateResourceServer",
        json!({"UserPoolId": pool, "Identifier": "nope", "Name": "x"}),
    )
    .await
    .err_is(
        "ResourceNotFoundException",
        "Resource server nope does not exist.",
    );

    let h = restart(h).await;
    let got = h
        .call(
            "DescribeResourceServer",
            json!({"UserPoolId": pool, "Identifier": "svc-0"}),
        )
        .await
        .ok();
    assert_eq!(
        got["ResourceServer"]["Scopes"],
        json!([{"ScopeName": "admin", "ScopeDescription": "Everything"}])
    );
    h.call(
        "DeleteResourceServer",
        json!({"UserPoolId": pool, "Identifier": "svc-0"}),
    )
    .await
    .ok();
    h.call(
        "DescribeResourceServer",
        json!({"UserPoolId": pool, "Identifier": "svc-0"}),
    )
    .await
    .err();
    h.call(
        "DeleteResourceServer",
        json!({"UserPoolId": pool, "Identifier": "svc-0"}),
    )
    .await
    .err();
    h.pool.shutdown().await;
}

#[tokio::test]
async fn identity_providers_are_validated_stored_paged_updated_and_deleted() {
    let h = Harness::new().await;
    let pool = create_pool(
        &h,
        json!({"PoolName": "idps", "Schema": [{"Name": "dept", "AttributeDataType": "String"}]}),
    )
    .await;
    let google = h
        .call(
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Google", "ProviderType": "Google",
                   "ProviderDetails": {"client_id": "gid", "client_secret": "gsecret",
                                       "authorize_scopes": "openid email"},
                   "AttributeMapping": {"email": "email"}}),
        )
        .await
        .ok();
    let idp = &google["IdentityProvider"];
    assert_eq!(idp["ProviderType"], "Google");
    assert_eq!(
        idp["ProviderDetails"]["authorize_url"],
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(
        idp["AttributeMapping"],
        json!({"email": "email", "username": "sub"})
    );
    h.run_cases([
        Case::new(
            "an OIDC provider",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Corp", "ProviderType": "OIDC",
                   "ProviderDetails": {"client_id": "c", "attributes_request_method": "GET",
                                       "oidc_issuer": "https://idp.example.com",
                                       "authorize_scopes": "openid"},
                   "AttributeMapping": {"custom:dept": "department"},
                   "IdpIdentifiers": ["corp.example.com"]}),
        ),
        Case::new(
            "a SAML provider",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Okta", "ProviderType": "SAML",
                   "ProviderDetails": {"MetadataURL": "https://okta.example.com/metadata"}}),
        ),
        Case::new(
            "a name taken",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Okta", "ProviderType": "SAML",
                   "ProviderDetails": {"MetadataURL": "https://okta.example.com/metadata"}}),
        )
        .kind("DuplicateProviderException"),
        Case::new(
            "a Google provider not named Google",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Goog", "ProviderType": "Google",
                   "ProviderDetails": {"client_id": "g", "client_secret": "s",
                                       "authorize_scopes": "openid"}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "OIDC without its issuer",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Other", "ProviderType": "OIDC",
                   "ProviderDetails": {"client_id": "c", "attributes_request_method": "GET",
                                       "authorize_scopes": "openid"}}),
        )
        .error_has("InvalidParameterException", "oidc_issuer"),
        Case::new(
            "SAML without metadata",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Other", "ProviderType": "SAML",
                   "ProviderDetails": {}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "a mapping to an attribute the pool lacks",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Other", "ProviderType": "SAML",
                   "ProviderDetails": {"MetadataURL": "https://x.example.com/m"},
                   "AttributeMapping": {"custom:nope": "x"}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an identifier another provider has",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Other", "ProviderType": "SAML",
                   "ProviderDetails": {"MetadataURL": "https://x.example.com/m"},
                   "IdpIdentifiers": ["corp.example.com"]}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "an unknown type",
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Other", "ProviderType": "Myspace",
                   "ProviderDetails": {}}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "describe one that does not exist",
            "DescribeIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Nope"}),
        )
        .error(
            "ResourceNotFoundException",
            "Identity provider Nope does not exist.",
        ),
    ])
    .await;

    let first = h
        .call(
            "ListIdentityProviders",
            json!({"UserPoolId": pool, "MaxResults": 2}),
        )
        .await
        .ok();
    let names = |v: &Value| -> Vec<String> {
        v["Providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["ProviderName"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), vec!["Corp", "Google"]);
    let second = h
        .call(
            "ListIdentityProviders",
            json!({"UserPoolId": pool, "MaxResults": 2, "NextToken": first["NextToken"]}),
        )
        .await
        .ok();
    assert_eq!(names(&second), vec!["Okta"]);
    assert!(second.get("NextToken").is_none());

    let updated = h
        .call(
            "UpdateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Google",
                   "ProviderDetails": {"authorize_scopes": "openid email profile"},
                   "AttributeMapping": {"email": "email", "name": "name"}}),
        )
        .await
        .ok();
    let idp = &updated["IdentityProvider"];
    assert_eq!(
        idp["ProviderDetails"]["authorize_scopes"],
        "openid email profile"
    );
    assert_eq!(idp["ProviderDetails"]["client_id"], "gid");
    assert_eq!(idp["AttributeMapping"]["name"], "name");

    let h = restart(h).await;
    let got = h
        .call(
            "DescribeIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Corp"}),
        )
        .await
        .ok();
    assert_eq!(
        got["IdentityProvider"]["IdpIdentifiers"],
        json!(["corp.example.com"])
    );
    assert_eq!(
        got["IdentityProvider"]["AttributeMapping"]["custom:dept"],
        "department"
    );
    h.call(
        "DeleteIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Corp"}),
    )
    .await
    .ok();
    h.call(
        "DeleteIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Corp"}),
    )
    .await
    .err_is(
        "ResourceNotFoundException",
        "Identity provider Corp does not exist.",
    );
    h.pool.shutdown().await;
}

#[tokio::test]
async fn the_oidc_discovery_document_agrees_with_the_tokens_and_the_jwks() {
    let h = Harness::new().await;
    let url = format!(
        "{}/{DEMO_POOL_ID}/.well-known/openid-configuration",
        h.base()
    );
    let r = h.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    let issuer = doc["issuer"].as_str().unwrap().to_string();
    assert_eq!(issuer, format!("{}/{DEMO_POOL_ID}", h.base()));
    assert_eq!(doc["jwks_uri"], format!("{issuer}/.well-known/jwks.json"));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "response_types_supported",
    ] {
        assert!(doc.get(key).is_some(), "{key} missing: {doc}");
    }

    let jwks: Value = h
        .http
        .get(doc["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();

    let user = DEMO_CONFIRMED_USERS[0];
    let v = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"USERNAME": user, "PASSWORD": DEMO_PASSWORD}}),
        )
        .await;
    let id = v.ok()["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(claims(&id)["iss"], issuer.as_str());
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            id.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(kids.contains(&header["kid"].as_str().unwrap()), "{kids:?}");

    let missing = h
        .http
        .get(format!(
            "{}/us-east-1_nothere/.well-known/openid-configuration",
            h.base()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    h.pool.shutdown().await;
}
