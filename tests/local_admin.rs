//! The embedded pool's user administration (issue 4): groups and their token claims, admin
//! attribute edits, AdminListDevices, ListUsers' filter grammar, AttributesToGet, limits and
//! pagination tokens (stable under inserts and deletes, bound to pool and filter, expiring),
//! AdminDisableUser / AdminEnableUser end to end, and `seed_users`.
//!
//! Admin operations go through the shared `Harness::call` (tests/support), the one place that
//! builds a request.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use cognito_tui::local::seed::{SeedUsers, seed_users};
use cognito_tui::local::{
    DEMO_CLIENT_ID, DEMO_CONFIRMED_USERS, DEMO_CUSTOM_CLIENT_ID, DEMO_PASSWORD, DEMO_POOL_ID,
};
use cognito_tui::secret::Secret;
use cognito_tui::srp::ClientEphemeral;
use serde_json::{Value, json};
use support::{Case, Harness, claims};

const POOL: &str = DEMO_POOL_ID;

async fn password_sign_in(h: &Harness, username: &str, password: &str) -> support::Resp {
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DEMO_CLIENT_ID,
               "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
    )
    .await
}

async fn create_user(h: &Harness, username: &str, attrs: &[(&str, &str)]) {
    let attrs: Vec<Value> = attrs
        .iter()
        .map(|(n, v)| json!({"Name": n, "Value": v}))
        .collect();
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": POOL, "Username": username, "UserAttributes": attrs,
               "MessageAction": "SUPPRESS", "TemporaryPassword": "TempPassw0rd!"}),
    )
    .await
    .ok();
}

fn usernames(v: &Value) -> Vec<String> {
    v["Users"]
        .as_array()
        .unwrap_or_else(|| panic!("no Users in {v}"))
        .iter()
        .map(|u| u["Username"].as_str().unwrap().to_string())
        .collect()
}

fn group_names(v: &Value) -> Vec<String> {
    v["Groups"]
        .as_array()
        .unwrap_or_else(|| panic!("no Groups in {v}"))
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap().to_string())
        .collect()
}

/// Every page of ListUsers with `filter`, `limit` per page: the usernames in order.
async fn list_all(h: &Harness, filter: &str, limit: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10_000 {
        let mut body = json!({"UserPoolId": POOL, "Filter": filter, "Limit": limit});
        if let Some(t) = &token {
            body["PaginationToken"] = json!(t);
        }
        let page = h.call("ListUsers", body).await.ok();
        let names = usernames(&page);
        assert!(names.len() as i64 <= limit, "{page}");
        out.extend(names);
        match page["PaginationToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => return out,
        }
    }
    panic!("ListUsers never ended");
}

fn attr<'a>(user: &'a Value, field: &str, name: &str) -> Option<&'a str> {
    user[field]
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
}

// ---------------------------------------------------------------------------------------------
// Groups

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_lifecycle_paging_and_errors() {
    let h = Harness::new().await;
    let created = h
        .call(
            "CreateGroup",
            json!({"UserPoolId": POOL, "GroupName": "admins", "Description": "Admins",
                   "Precedence": 1, "RoleArn": "arn:aws:iam::123456789012:role/Admins"}),
        )
        .await
        .ok();
    let g = &created["Group"];
    assert_eq!(
        (
            &g["GroupName"],
            &g["UserPoolId"],
            &g["Precedence"],
            &g["Description"]
        ),
        (&json!("admins"), &json!(POOL), &json!(1), &json!("Admins"))
    );
    assert!(g["CreationDate"].is_number() && g["LastModifiedDate"].is_number());
    h.run_cases([
        Case::new(
            "CreateGroup with a name in use",
            "CreateGroup",
            json!({"UserPoolId": POOL, "GroupName": "admins"}),
        )
        .error(
            "GroupExistsException",
            "A group with the name already exists.",
        ),
        Case::new(
            "CreateGroup with a negative Precedence",
            "CreateGroup",
            json!({"UserPoolId": POOL, "GroupName": "bad", "Precedence": -1}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "CreateGroup with a RoleArn that is no ARN",
            "CreateGroup",
            json!({"UserPoolId": POOL, "GroupName": "bad", "RoleArn": "not-an-arn-at-all-really"}),
        )
        .kind("InvalidParameterException"),
        Case::new(
            "GetGroup of an unknown group",
            "GetGroup",
            json!({"UserPoolId": POOL, "GroupName": "nobody"}),
        )
        .error("ResourceNotFoundException", "Group not found."),
    ])
    .await;

    // UpdateGroup changes what it is given and keeps the rest.
    let updated = h
        .call(
            "UpdateGroup",
            json!({"UserPoolId": POOL, "GroupName": "admins", "Precedence": 7}),
        )
        .await
        .ok();
    assert_eq!(updated["Group"]["Precedence"], 7);
    assert_eq!(updated["Group"]["Description"], "Admins");
    let got = h
        .call(
            "GetGroup",
            json!({"UserPoolId": POOL, "GroupName": "admins"}),
        )
        .await
        .ok();
    assert_eq!(got["Group"]["Precedence"], 7);
    assert_eq!(
        got["Group"]["RoleArn"],
        "arn:aws:iam::123456789012:role/Admins"
    );

    // ListGroups pages by name with NextToken.
    for name in ["g1", "g2", "g3", "g4"] {
        h.call(
            "CreateGroup",
            json!({"UserPoolId": POOL, "GroupName": name}),
        )
        .await
        .ok();
    }
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"UserPoolId": POOL, "Limit": 2});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = h.call("ListGroups", body).await.ok();
        let names = group_names(&page);
        assert!(names.len() <= 2);
        all.extend(names);
        match page["NextToken"].as_str() {
            Some(t) => token = Some(t.into()),
            None => break,
        }
    }
    assert_eq!(all, ["admins", "g1", "g2", "g3", "g4"]);
    let (kind, msg) = h
        .call("ListGroups", json!({"UserPoolId": POOL, "Limit": 61}))
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException", "{msg}");

    // Membership: unknown user, unknown group, then members both ways.
    h.run_cases([
        Case::new(
            "AdminAddUserToGroup with an unknown user",
            "AdminAddUserToGroup",
            json!({"UserPoolId": POOL, "Username": "ghost", "GroupName": "admins"}),
        )
        .error("UserNotFoundException", "User does not exist."),
        Case::new(
            "AdminAddUserToGroup with an unknown group",
            "AdminAddUserToGroup",
            json!({"UserPoolId": POOL, "Username": "alice", "GroupName": "ghosts"}),
        )
        .error("ResourceNotFoundException", "Group not found."),
    ])
    .await;
    for (user, group) in [
        ("alice", "admins"),
        ("alice", "g2"),
        ("alice", "g1"),
        ("bob", "admins"),
        ("alice", "admins"),
    ] {
        h.call(
            "AdminAddUserToGroup",
            json!({"UserPoolId": POOL, "Username": user, "GroupName": group}),
        )
        .await
        .ok();
    }
    let page = h
        .call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": POOL, "Username": "alice", "Limit": 2}),
        )
        .await
        .ok();
    assert_eq!(group_names(&page), ["admins", "g1"]);
    let next = page["NextToken"]
        .as_str()
        .expect("a second page")
        .to_string();
    let page2 = h
        .call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": POOL, "Username": "alice", "Limit": 2, "NextToken": next}),
        )
        .await
        .ok();
    assert_eq!(group_names(&page2), ["g2"]);
    assert!(page2.get("NextToken").is_none());
    // A NextToken of one user's list is not valid for another's.
    let (kind, _) = h
        .call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": POOL, "Username": "bob", "NextToken": next}),
        )
        .await
        .err();
    assert_eq!(kind, "InvalidParameterException");
    h.call(
        "AdminListGroupsForUser",
        json!({"UserPoolId": POOL, "Username": "ghost"}),
    )
    .await
    .err_is("UserNotFoundException", "User does not exist.");

    let members = h
        .call(
            "ListUsersInGroup",
            json!({"UserPoolId": POOL, "GroupName": "admins"}),
        )
        .await
        .ok();
    assert_eq!(usernames(&members), ["alice", "bob"]);
    assert_eq!(members["Users"][0]["UserStatus"], "CONFIRMED");
    assert!(attr(&members["Users"][0], "Attributes", "sub").is_some());
    h.call(
        "ListUsersInGroup",
        json!({"UserPoolId": POOL, "GroupName": "ghosts"}),
    )
    .await
    .err_is("ResourceNotFoundException", "Group not found.");

    // Removing: a member, then (harmlessly) a non-member.
    for _ in 0..2 {
        h.call(
            "AdminRemoveUserFromGroup",
            json!({"UserPoolId": POOL, "Username": "bob", "GroupName": "admins"}),
        )
        .await
        .ok();
    }
    let members = h
        .call(
            "ListUsersInGroup",
            json!({"UserPoolId": POOL, "GroupName": "admins"}),
        )
        .await
        .ok();
    assert_eq!(usernames(&members), ["alice"]);

    // Deleting a group removes its memberships.
    h.call(
        "DeleteGroup",
        json!({"UserPoolId": POOL, "GroupName": "g1"}),
    )
    .await
    .ok();
    h.call(
        "DeleteGroup",
        json!({"UserPoolId": POOL, "GroupName": "g1"}),
    )
    .await
    .err_is("ResourceNotFoundException", "Group not found.");
    let groups = h
        .call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": POOL, "Username": "alice"}),
        )
        .await
        .ok();
    assert_eq!(group_names(&groups), ["admins", "g2"]);

    // Deleting a user removes theirs: a new user of the same name starts in no group.
    h.call(
        "AdminDeleteUser",
        json!({"UserPoolId": POOL, "Username": "alice"}),
    )
    .await
    .ok();
    let members = h
        .call(
            "ListUsersInGroup",
            json!({"UserPoolId": POOL, "GroupName": "admins"}),
        )
        .await
        .ok();
    assert!(usernames(&members).is_empty(), "{members}");
    create_user(&h, "alice", &[("email", "alice@example.com")]).await;
    let groups = h
        .call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": POOL, "Username": "alice"}),
        )
        .await
        .ok();
    assert!(group_names(&groups).is_empty(), "{groups}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_carry_groups_by_precedence_with_roles() {
    let h = Harness::new().await;
    let role_a = "arn:aws:iam::123456789012:role/Alpha";
    let role_b = "arn:aws:iam::123456789012:role/Beta";
    for (name, precedence, role) in [
        ("zeta", Some(1), Some(role_b)),
        ("alpha", Some(5), Some(role_a)),
        ("none", None, None),
        ("beta", Some(3), None),
    ] {
        let mut body = json!({"UserPoolId": POOL, "GroupName": name});
        if let Some(p) = precedence {
            body["Precedence"] = json!(p);
        }
        if let Some(r) = role {
            body["RoleArn"] = json!(r);
        }
        h.call("CreateGroup", body).await.ok();
    }
    // Not in any group: no group claims at all.
    let r = password_sign_in(&h, "bob", DEMO_PASSWORD).await.ok();
    let access = h.tokens(&r);
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert!(access.get("cognito:groups").is_none(), "{access}");
    assert!(id.get("cognito:groups").is_none() && id.get("cognito:roles").is_none());

    for g in ["none", "alpha", "zeta", "beta"] {
        h.call(
            "AdminAddUserToGroup",
            json!({"UserPoolId": POOL, "Username": "bob", "GroupName": g}),
        )
        .await
        .ok();
    }
    let r = password_sign_in(&h, "bob", DEMO_PASSWORD).await.ok();
    let access = h.tokens(&r);
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    let order = json!(["zeta", "beta", "alpha", "none"]);
    assert_eq!(access["cognito:groups"], order, "{access}");
    assert_eq!(id["cognito:groups"], order);
    assert_eq!(id["cognito:roles"], json!([role_b, role_a]));
    assert_eq!(id["cognito:preferred_role"], role_b);
    assert!(access.get("cognito:roles").is_none());

    // A refresh reflects the current memberships.
    h.call(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": POOL, "Username": "bob", "GroupName": "zeta"}),
    )
    .await
    .ok();
    let refreshed = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DEMO_CLIENT_ID,
                   "AuthParameters": {"REFRESH_TOKEN": r["AuthenticationResult"]["RefreshToken"]}}),
        )
        .await
        .ok();
    let access = claims(
        refreshed["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap(),
    );
    let id = claims(
        refreshed["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(access["cognito:groups"], json!(["beta", "alpha", "none"]));
    assert_eq!(id["cognito:preferred_role"], role_a);

    // Two groups of equal precedence with different roles: no preferred role.
    h.call(
        "UpdateGroup",
        json!({"UserPoolId": POOL, "GroupName": "beta", "Precedence": 5, "RoleArn": role_b}),
    )
    .await
    .ok();
    let r = password_sign_in(&h, "bob", DEMO_PASSWORD).await.ok();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert!(id.get("cognito:preferred_role").is_none(), "{id}");
    assert_eq!(id["cognito:roles"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Attributes and devices

async fn get_user(h: &Harness, username: &str) -> Value {
    h.call(
        "AdminGetUser",
        json!({"UserPoolId": POOL, "Username": username}),
    )
    .await
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_attribute_updates_follow_cognito_rules() {
    let h = Harness::new().await;
    let before = get_user(&h, "alice").await;
    assert_eq!(
        attr(&before, "UserAttributes", "email_verified"),
        Some("true")
    );
    let sub = attr(&before, "UserAttributes", "sub").unwrap().to_string();

    // A new email is no longer verified...
    h.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": POOL, "Username": "alice", "UserAttributes": [
            {"Name": "email", "Value": "alice.new@example.com"},
            {"Name": "given_name", "Value": "Alice"}]}),
    )
    .await
    .ok();
    let u = get_user(&h, "alice").await;
    assert_eq!(
        attr(&u, "UserAttributes", "email"),
        Some("alice.new@example.com")
    );
    assert_eq!(attr(&u, "UserAttributes", "email_verified"), Some("false"));
    assert_eq!(attr(&u, "UserAttributes", "given_name"), Some("Alice"));
    assert_eq!(attr(&u, "UserAttributes", "sub"), Some(sub.as_str()));
    // ...unless the same call says it is.
    h.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": POOL, "Username": "alice", "UserAttributes": [
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "email_verified", "Value": "true"}]}),
    )
    .await
    .ok();
    let u = get_user(&h, "alice").await;
    assert_eq!(attr(&u, "UserAttributes", "email_verified"), Some("true"));
    // Setting the same email again changes nothing.
    h.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": POOL, "Username": "alice", "UserAttributes": [
            {"Name": "email", "Value": "alice@example.com"}]}),
    )
    .await
    .ok();
    assert_eq!(
        attr(
            &get_user(&h, "alice").await,
            "UserAttributes",
            "email_verified"
        ),
        Some("true")
    );
    // The new values are searchable at once (the ListUsers index follows updates).
    let found = h
        .call(
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": "given_name = \"alice\""}),
        )
        .await
        .ok();
    assert_eq!(usernames(&found), ["alice"]);

    h.run_cases([
        Case::new(
            "changing sub",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": POOL, "Username": "alice", "UserAttributes": [
                {"Name": "sub", "Value": "00000000-0000-0000-0000-000000000000"}]}),
        )
        .error(
            "InvalidParameterException",
            "Cannot modify the non-mutable attribute sub",
        ),
        Case::new(
            "an attribute the schema lacks",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": POOL, "Username": "alice", "UserAttributes": [
                {"Name": "shoe_size", "Value": "42"}]}),
        )
        .error_has("InvalidParameterException", "does not exist in the schema"),
        Case::new(
            "an unknown user",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": POOL, "Username": "ghost", "UserAttributes": []}),
        )
        .error("UserNotFoundException", "User does not exist."),
        Case::new(
            "no UserAttributes",
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": POOL, "Username": "alice"}),
        )
        .kind("InvalidParameterException"),
    ])
    .await;

    // Delete: the attribute goes (and its search entry with it); sub cannot be deleted.
    h.call(
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": POOL, "Username": "alice", "UserAttributeNames": ["given_name", "nickname"]}),
    )
    .await
    .ok();
    let u = get_user(&h, "alice").await;
    assert_eq!(attr(&u, "UserAttributes", "given_name"), None);
    let found = h
        .call(
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": "given_name = \"alice\""}),
        )
        .await
        .ok();
    assert!(usernames(&found).is_empty());
    h.call(
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": POOL, "Username": "alice", "UserAttributeNames": ["sub"]}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Cannot modify the non-mutable attribute sub",
    );

    // A pool whose schema requires email: it cannot be deleted or emptied.
    let pool = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "required", "Schema": [{"Name": "email", "Required": true}]}),
        )
        .await
        .ok();
    let pid = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pid, "Username": "req", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "req@example.com"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": pid, "Username": "req", "UserAttributeNames": ["email"]}),
    )
    .await
    .err_is(
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is required\n",
    );

    // Devices: the pool does not track any, and says so.
    let devices = h
        .call(
            "AdminListDevices",
            json!({"UserPoolId": POOL, "Username": "alice"}),
        )
        .await
        .ok();
    assert_eq!(devices, json!({"Devices": []}));
    h.call(
        "AdminListDevices",
        json!({"UserPoolId": POOL, "Username": "ghost"}),
    )
    .await
    .err_is("UserNotFoundException", "User does not exist.");
}

// ---------------------------------------------------------------------------------------------
// ListUsers

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_filter_grammar_and_case_rules() {
    let h = Harness::new().await;
    create_user(
        &h,
        "Quote\"d",
        &[
            ("email", "Ann.Lee@Example.COM"),
            ("name", "Ann \"The Quote\" Lee"),
            ("given_name", "Ann"),
            ("family_name", "Lee"),
            ("phone_number", "+15550001111"),
            ("preferred_username", "annie"),
        ],
    )
    .await;
    create_user(
        &h,
        "annabel",
        &[("email", "annabel@example.org"), ("given_name", "Annabel")],
    )
    .await;
    create_user(&h, "Annette", &[("email", "zed@example.net")]).await;
    h.call(
        "AdminDisableUser",
        json!({"UserPoolId": POOL, "Username": "annabel"}),
    )
    .await
    .ok();
    let all = list_all(&h, "", 60).await;
    let sub_of_bob = {
        let u = get_user(&h, "bob").await;
        attr(&u, "UserAttributes", "sub").unwrap().to_string()
    };
    let set = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
    let names = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let q = async |filter: &str| set(list_all(&h, filter, 60).await);

    // email ignores case, both ways, for = and ^=.
    assert_eq!(
        q("email = \"ann.lee@example.com\"").await,
        names(&["Quote\"d"])
    );
    assert_eq!(
        q("email = \"ANN.LEE@EXAMPLE.COM\"").await,
        names(&["Quote\"d"])
    );
    assert_eq!(q("email ^= \"ANN\"").await, names(&["Quote\"d", "annabel"]));
    assert_eq!(q("email^=\"ann.\"").await, names(&["Quote\"d"]));
    // username is case-sensitive.
    assert_eq!(q("username ^= \"ann\"").await, names(&["annabel"]));
    assert_eq!(q("username ^= \"Ann\"").await, names(&["Annette"]));
    assert_eq!(q("username = \"ANNETTE\"").await, names(&[]));
    // Escaped quotes in the value.
    assert_eq!(q(r#"username = "Quote\"d""#).await, names(&["Quote\"d"]));
    assert_eq!(q(r#"name ^= "ann \"the""#).await, names(&["Quote\"d"]));
    // The other searchable attributes.
    assert_eq!(
        q("given_name ^= \"ann\"").await,
        names(&["Quote\"d", "annabel"])
    );
    assert_eq!(q("family_name = \"LEE\"").await, names(&["Quote\"d"]));
    assert_eq!(
        q("phone_number ^= \"+1555000\"").await,
        names(&["Quote\"d"])
    );
    assert_eq!(
        q("preferred_username = \"Annie\"").await,
        names(&["Quote\"d"])
    );
    assert_eq!(
        q(&format!("sub = \"{}\"", sub_of_bob.to_uppercase())).await,
        names(&["bob"])
    );
    // status is case-sensitive: Enabled / Disabled.
    assert_eq!(q("status = \"Disabled\"").await, names(&["annabel"]));
    assert_eq!(q("status = \"disabled\"").await, names(&[]));
    assert_eq!(q("status = \"Enabled\"").await.len(), all.len() - 1);
    // cognito:user_status ignores case.
    let force = q("cognito:user_status = \"force_change_password\"").await;
    assert!(
        force.contains("Annette") && force.contains("annabel"),
        "{force:?}"
    );
    assert_eq!(
        force,
        q("cognito:user_status = \"FORCE_CHANGE_PASSWORD\"").await
    );
    assert_eq!(
        q("cognito:user_status ^= \"Unconf\"").await,
        names(&["carol"])
    );
    // Empty filters list everyone; an empty value matches nothing (nobody has an empty email).
    assert_eq!(list_all(&h, "   ", 60).await, all);
    assert_eq!(q("email = \"\"").await, names(&[]));
    let everyone = h.call("ListUsers", json!({"UserPoolId": POOL})).await.ok();
    let with_email: BTreeSet<String> = everyone["Users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| attr(u, "Attributes", "email").is_some())
        .map(|u| u["Username"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(q("email ^= \"\"").await, with_email);

    // Invalid filters.
    for bad in [
        "email",
        "email = ann",
        "email = \"ann",
        "email \"ann\"",
        "email == \"ann\"",
        "email = \"a\" and name = \"b\"",
        "= \"x\"",
        "email != \"x\"",
    ] {
        h.call("ListUsers", json!({"UserPoolId": POOL, "Filter": bad}))
            .await
            .err_is("InvalidParameterException", "Error while parsing filter.");
    }
    h.run_cases([
        Case::new(
            "a custom attribute",
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": "custom:team = \"x\""}),
        )
        .error(
            "InvalidParameterException",
            "Invalid search attribute: custom:team",
        ),
        Case::new(
            "a filter over 256 characters",
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": format!("email = \"{}\"", "x".repeat(260))}),
        )
        .error_has("InvalidParameterException", "less than or equal to 256"),
    ])
    .await;

    // Limit: 0..=60.
    let limit = |name, limit: i64| {
        Case::new(
            name,
            "ListUsers",
            json!({"UserPoolId": POOL, "Limit": limit}),
        )
    };
    h.run_cases([
        limit("Limit 0", 0),
        limit("Limit 1", 1),
        limit("Limit 60", 60),
        limit("Limit 61", 61).kind("InvalidParameterException"),
        limit("Limit -1", -1).kind("InvalidParameterException"),
    ])
    .await;
    let one = h
        .call("ListUsers", json!({"UserPoolId": POOL, "Limit": 1}))
        .await
        .ok();
    assert_eq!(usernames(&one).len(), 1);
    assert!(one["PaginationToken"].is_string());

    // AttributesToGet: only those (sub too when asked); unknown names are an error; an
    // unsearchable attribute must be set on every listed user.
    let r = h
        .call(
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": "username = \"bob\"",
                   "AttributesToGet": ["email", "sub"]}),
        )
        .await
        .ok();
    let got: BTreeSet<&str> = r["Users"][0]["Attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Name"].as_str().unwrap())
        .collect();
    assert_eq!(got, BTreeSet::from(["email", "sub"]));
    let r = h
        .call(
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": "username = \"bob\"", "AttributesToGet": []}),
        )
        .await
        .ok();
    assert_eq!(r["Users"][0]["Attributes"], json!([]));
    h.run_cases([
        Case::new(
            "AttributesToGet naming no attribute",
            "ListUsers",
            json!({"UserPoolId": POOL, "AttributesToGet": ["shoe_size"]}),
        )
        .error(
            "InvalidParameterException",
            "One or more requested attributes do not exist.",
        ),
        Case::new(
            "AttributesToGet with an attribute some users lack",
            "ListUsers",
            json!({"UserPoolId": POOL, "AttributesToGet": ["nickname"]}),
        )
        .error(
            "InvalidParameterException",
            "One or more requested attributes do not exist.",
        ),
        Case::new(
            "an unknown pool",
            "ListUsers",
            json!({"UserPoolId": "us-east-1_nothere"}),
        )
        .error(
            "ResourceNotFoundException",
            "User pool us-east-1_nothere does not exist.",
        ),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_pages_stay_stable_while_users_come_and_go() {
    let h = Harness::new().await;
    // Seeded straight into the store the running server uses (WAL: both at once).
    let report = seed_users(
        h.pool.db_path(),
        &SeedUsers {
            count: 230,
            rng_seed: Some(11),
            prefix: "p-".into(),
            ..SeedUsers::default()
        },
    )
    .expect("seed");
    assert_eq!(report.inserted, 230);
    for (round, filter) in [
        "",
        "username ^= \"p-\"",
        "email ^= \"a\"",
        "status = \"Enabled\"",
    ]
    .into_iter()
    .enumerate()
    {
        let before = list_all(&h, filter, 60).await;
        let mut seen: Vec<String> = Vec::new();
        let mut token: Option<String> = None;
        let mut page_no = 0;
        let mut deleted_unseen = BTreeSet::new();
        let mut deleted_seen = BTreeSet::new();
        loop {
            let mut body = json!({"UserPoolId": POOL, "Filter": filter, "Limit": 17});
            if let Some(t) = &token {
                body["PaginationToken"] = json!(t);
            }
            let page = h.call("ListUsers", body).await.ok();
            seen.extend(usernames(&page));
            page_no += 1;
            // Between pages: delete one user still to come and one already seen, and add
            // users that sort first and last.
            let unseen: Vec<&String> = before
                .iter()
                .filter(|u| !seen.contains(u) && !deleted_unseen.contains(*u))
                .collect();
            if let Some(victim) = unseen.get(unseen.len() / 2) {
                h.call(
                    "AdminDeleteUser",
                    json!({"UserPoolId": POOL, "Username": victim}),
                )
                .await
                .ok();
                deleted_unseen.insert((*victim).clone());
            }
            if let Some(victim) = seen.first().filter(|v| !deleted_seen.contains(*v)) {
                h.call(
                    "AdminDeleteUser",
                    json!({"UserPoolId": POOL, "Username": victim}),
                )
                .await
                .ok();
                deleted_seen.insert(victim.clone());
            }
            for name in [
                format!("0-new-{round}-{page_no}"),
                format!("zz-new-{round}-{page_no}"),
            ] {
                create_user(&h, &name, &[("email", &format!("aa{page_no}@example.com"))]).await;
            }
            match page["PaginationToken"].as_str() {
                Some(t) => token = Some(t.into()),
                None => break,
            }
        }
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{filter:?}: a user came twice");
        for u in &before {
            if deleted_unseen.contains(u) {
                assert!(!seen.contains(u), "{filter:?}: deleted {u} still listed");
            } else {
                assert!(seen.contains(u), "{filter:?}: {u} was skipped");
            }
        }
        assert!(page_no >= 2, "{filter:?} should need several pages");
    }
    // The count DescribeUserPool reports follows inserts and deletes.
    let listed = list_all(&h, "", 60).await.len();
    let described = h
        .call("DescribeUserPool", json!({"UserPoolId": POOL}))
        .await
        .ok();
    assert_eq!(
        described["UserPool"]["EstimatedNumberOfUsers"],
        json!(listed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_tokens_are_bound_opaque_and_expire() {
    let h = Harness::new().await;
    for i in 0..5 {
        create_user(
            &h,
            &format!("tok{i}"),
            &[("email", &format!("tok{i}@example.com"))],
        )
        .await;
    }
    let page = async |filter: &str, token: Option<&str>| {
        let mut body = json!({"UserPoolId": POOL, "Filter": filter, "Limit": 2});
        if let Some(t) = token {
            body["PaginationToken"] = json!(t);
        }
        h.call("ListUsers", body).await
    };
    let first = page("email ^= \"tok\"", None).await.ok();
    let token = first["PaginationToken"].as_str().unwrap().to_string();
    assert!(!token.contains("tok1"), "the token is opaque: {token}");
    // Same filter in another spelling: fine.
    let second = page("email^=\"TOK\"", Some(&token)).await.ok();
    assert_eq!(usernames(&second), ["tok2", "tok3"]);
    // Another filter, another pool, or an edited token: rejected.
    let other = h
        .call("CreateUserPool", json!({"PoolName": "other"}))
        .await
        .ok();
    let mut forged = token.clone().into_bytes();
    let i = forged.len() / 3;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    // The body `page` sends.
    let listing = |name, filter: &str, token: &str| {
        Case::new(
            name,
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": filter, "Limit": 2, "PaginationToken": token}),
        )
        .error("InvalidParameterException", "Invalid pagination token.")
    };
    h.run_cases([
        listing("another filter", "email ^= \"to\"", &token),
        listing("no filter", "", &token),
        Case::new(
            "another pool",
            "ListUsers",
            json!({"UserPoolId": other["UserPool"]["Id"], "Filter": "email ^= \"tok\"",
                   "PaginationToken": token}),
        )
        .error("InvalidParameterException", "Invalid pagination token."),
        listing("an edited token", "email ^= \"tok\"", &forged),
        listing("garbage", "email ^= \"tok\"", "garbage"),
    ])
    .await;
    // An hour later the token has expired.
    h.pool.advance_clock(3601);
    page("email ^= \"tok\"", Some(&token))
        .await
        .err_is("InvalidParameterException", "Pagination token expired.");
}

// ---------------------------------------------------------------------------------------------
// Disable / enable

async fn srp_sign_in(h: &Harness, client: &str, username: &str) -> support::Resp {
    let eph = ClientEphemeral::generate();
    let start = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": username, "SRP_A": eph.a_hex()}}),
        )
        .await;
    if start.status != 200 {
        return start;
    }
    let challenge = start.ok();
    h.answer_verifier(client, &eph, &challenge, DEMO_PASSWORD)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_revokes_tokens_and_blocks_every_sign_in_until_enabled() {
    let h = Harness::new().await;
    let user = DEMO_CONFIRMED_USERS[0];
    let r = password_sign_in(&h, user, DEMO_PASSWORD).await.ok();
    let access = r["AuthenticationResult"]["AccessToken"].clone();
    let refresh = r["AuthenticationResult"]["RefreshToken"].clone();
    h.call("GetUser", json!({"AccessToken": access})).await.ok();

    h.call(
        "AdminDisableUser",
        json!({"UserPoolId": POOL, "Username": user}),
    )
    .await
    .ok();
    assert_eq!(get_user(&h, user).await["Enabled"], false);
    h.call("GetUser", json!({"AccessToken": access}))
        .await
        .err_is("NotAuthorizedException", "Access Token has been revoked");
    h.call(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DEMO_CLIENT_ID,
               "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    )
    .await
    .err_is("NotAuthorizedException", "Refresh Token has been revoked");
    // Every sign-in flow: "User is disabled."
    let disabled = |flow, client, params| {
        Case::new(
            flow,
            "InitiateAuth",
            json!({"AuthFlow": flow, "ClientId": client, "AuthParameters": params}),
        )
        .error("NotAuthorizedException", "User is disabled.")
    };
    h.run_cases([
        disabled(
            "USER_PASSWORD_AUTH",
            DEMO_CLIENT_ID,
            json!({"USERNAME": user, "PASSWORD": DEMO_PASSWORD}),
        ),
        disabled(
            "USER_AUTH",
            DEMO_CUSTOM_CLIENT_ID,
            json!({"USERNAME": user, "PREFERRED_CHALLENGE": "PASSWORD",
                   "PASSWORD": DEMO_PASSWORD}),
        ),
        disabled(
            "CUSTOM_AUTH",
            DEMO_CUSTOM_CLIENT_ID,
            json!({"USERNAME": user}),
        ),
    ])
    .await;
    srp_sign_in(&h, DEMO_CLIENT_ID, user)
        .await
        .err_is("NotAuthorizedException", "User is disabled.");
    // The user still lists, as Disabled.
    let listed = h
        .call(
            "ListUsers",
            json!({"UserPoolId": POOL, "Filter": "status = \"Disabled\""}),
        )
        .await
        .ok();
    assert_eq!(usernames(&listed), [user]);
    assert_eq!(listed["Users"][0]["Enabled"], false);

    h.call(
        "AdminEnableUser",
        json!({"UserPoolId": POOL, "Username": user}),
    )
    .await
    .ok();
    let r = password_sign_in(&h, user, DEMO_PASSWORD).await.ok();
    h.call(
        "GetUser",
        json!({"AccessToken": r["AuthenticationResult"]["AccessToken"]}),
    )
    .await
    .ok();
    assert!(srp_sign_in(&h, DEMO_CLIENT_ID, user).await.ok()["AuthenticationResult"].is_object());
    // Tokens revoked by the disable stay revoked.
    h.call("GetUser", json!({"AccessToken": access}))
        .await
        .err_is("NotAuthorizedException", "Access Token has been revoked");
    h.call(
        "AdminDisableUser",
        json!({"UserPoolId": POOL, "Username": "ghost"}),
    )
    .await
    .err_is("UserNotFoundException", "User does not exist.");
}

// ---------------------------------------------------------------------------------------------
// seed_users

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_users_are_varied_counted_and_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seeded.sqlite3");
    // A new store: the demo pool is created first.
    let report = seed_users(
        &db,
        &SeedUsers {
            count: 400,
            rng_seed: Some(3),
            ..SeedUsers::default()
        },
    )
    .expect("seed");
    assert_eq!((report.inserted, report.skipped), (400, 0));
    let demo_users = report.pool_users - 400;
    assert!(demo_users >= 4, "{report:?}");
    // A second run continues the serial numbers: no clashes.
    let again = seed_users(
        &db,
        &SeedUsers {
            count: 100,
            rng_seed: Some(3),
            password: Secret::new("Other-Passw0rd!"),
            prefix: "b2-".into(),
            ..SeedUsers::default()
        },
    )
    .expect("seed again");
    assert_eq!((again.inserted, again.skipped), (100, 0));
    assert_eq!(again.pool_users, report.pool_users + 100);
    assert!(again.first_serial > report.first_serial);

    let h = Harness::on_store(dir, &db).await;
    let described = h
        .call("DescribeUserPool", json!({"UserPoolId": POOL}))
        .await
        .ok();
    assert_eq!(
        described["UserPool"]["EstimatedNumberOfUsers"],
        json!(again.pool_users)
    );
    let all = h.call("ListUsers", json!({"UserPoolId": POOL})).await.ok();
    assert_eq!(usernames(&all).len(), 60);

    // Variety: statuses, enabled flags, emails, names, phones, creation times.
    let mut statuses = BTreeMap::<String, usize>::new();
    let mut disabled = 0;
    let mut created = BTreeSet::new();
    let everyone = list_all(&h, "", 60).await;
    let mut confirmed_enabled = None;
    let mut second_batch = None;
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"UserPoolId": POOL, "Limit": 60});
        if let Some(t) = &token {
            body["PaginationToken"] = json!(t);
        }
        let page = h.call("ListUsers", body).await.ok();
        for u in page["Users"].as_array().unwrap() {
            let name = u["Username"].as_str().unwrap();
            let demo = !name.contains('.');
            if demo {
                continue;
            }
            *statuses
                .entry(u["UserStatus"].as_str().unwrap().to_string())
                .or_default() += 1;
            if u["Enabled"] == false {
                disabled += 1;
            }
            created.insert(u["UserCreateDate"].as_i64().unwrap());
            assert!(attr(u, "Attributes", "email").is_some_and(|e| e.contains('@')));
            assert!(attr(u, "Attributes", "name").is_some());
            assert!(attr(u, "Attributes", "sub").is_some());
            if u["UserStatus"] == "CONFIRMED" && u["Enabled"] == true {
                if name.starts_with("b2-") {
                    second_batch.get_or_insert(name.to_string());
                } else {
                    confirmed_enabled.get_or_insert(name.to_string());
                }
            }
        }
        match page["PaginationToken"].as_str() {
            Some(t) => token = Some(t.into()),
            None => break,
        }
    }
    assert_eq!(everyone.len() as i64, again.pool_users);
    let seeded: usize = statuses.values().sum();
    assert_eq!(seeded, 500);
    assert!(statuses["CONFIRMED"] > seeded / 2, "{statuses:?}");
    assert!(statuses.contains_key("UNCONFIRMED") && statuses.contains_key("FORCE_CHANGE_PASSWORD"));
    assert!(
        disabled > 0 && disabled < seeded / 10,
        "{disabled} disabled"
    );
    assert!(created.len() > seeded / 2, "creation times are spread");
    // `email ^= "ann"` matches a few percent, not everyone.
    let ann = list_all(&h, "email ^= \"ann\"", 60).await.len();
    assert!(ann > 0 && ann < seeded / 5, "{ann} of {seeded} match");

    // Seeded users really sign in (their SRP verifiers were computed from the password).
    let u = confirmed_enabled.expect("a confirmed, enabled seeded user");
    password_sign_in(&h, &u, DEMO_PASSWORD).await.ok();
    srp_sign_in(&h, DEMO_CLIENT_ID, &u).await.ok();
    let u2 = second_batch.expect("a confirmed user of the second batch");
    password_sign_in(&h, &u2, "Other-Passw0rd!").await.ok();
    password_sign_in(&h, &u2, DEMO_PASSWORD)
        .await
        .err_is("NotAuthorizedException", "Incorrect username or password.");

    // An unknown pool is an error, not a silent no-op.
    let err = seed_users(
        &h.dir.path().join("seeded.sqlite3"),
        &SeedUsers {
            count: 1,
            pool_id: "us-east-1_nothere".into(),
            ..SeedUsers::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
}
