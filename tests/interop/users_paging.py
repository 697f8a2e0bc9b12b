#!/usr/bin/env python3
"""boto3 (unchanged from PyPI) pages and filters the users of `cognito-tui serve` after
`cognito-tui seed-users` filled the pool, and checks every answer against Cognito's documented
ListUsers rules, computed here independently from the full user list:

- ListUsers with Limit 60 and PaginationToken returns every user exactly once, as many as
  DescribeUserPool's EstimatedNumberOfUsers.
- Filter `<attribute> = "<value>"` (exact) and `<attribute> ^= "<value>"` (prefix) on every
  searchable attribute: username is case-sensitive; email, phone_number, name, given_name,
  family_name, preferred_username and sub are compared without case; `status` ("Enabled" /
  "Disabled") is case-sensitive; `cognito:user_status` is case-insensitive. Quotes in a value
  are escaped as \\". An empty filter lists everyone.
- A malformed filter answers InvalidParameterException "Error while parsing filter."; a
  custom attribute is not searchable.

Environment: POOL_ENDPOINT, POOL_ID (and dummy AWS credentials). Prints one `ok:` line per check
and `ALL OK`; exits non-zero with a reason on the first failure. Never prints tokens or
passwords.
"""

import os
import random
import sys

import boto3
import botocore.exceptions

SEARCHABLE = [
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "sub",
]
CASE_SENSITIVE = {"username", "status"}


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def ok(msg):
    print(f"ok: {msg}", flush=True)


def env(name):
    value = os.environ.get(name)
    if not value:
        fail(f"missing environment variable {name}")
    return value


ENDPOINT = env("POOL_ENDPOINT").rstrip("/")
POOL_ID = env("POOL_ID")
EXPECT_AT_LEAST = int(os.environ.get("EXPECT_USERS", "1000"))

idp = boto3.client("cognito-idp", endpoint_url=ENDPOINT, region_name="us-east-1")


def list_all(filter_expr=None, limit=60):
    """Every page of ListUsers; checks the page size on the way."""
    users = []
    token = None
    pages = 0
    while True:
        kwargs = {"UserPoolId": POOL_ID, "Limit": limit}
        if filter_expr is not None:
            kwargs["Filter"] = filter_expr
        if token:
            kwargs["PaginationToken"] = token
        page = idp.list_users(**kwargs)
        pages += 1
        if len(page["Users"]) > limit:
            fail(f"a page of {len(page['Users'])} users for Limit {limit}")
        users.extend(page["Users"])
        token = page.get("PaginationToken")
        if not token:
            return users, pages
        if pages > 10000:
            fail("ListUsers never ended")


def record(u):
    attrs = {a["Name"]: a["Value"] for a in u.get("Attributes", [])}
    return {
        "username": u["Username"],
        "attrs": attrs,
        "status": u["UserStatus"],
        "enabled": u["Enabled"],
    }


def value_of(rec, attribute):
    if attribute == "username":
        return rec["username"]
    if attribute == "cognito:user_status":
        return rec["status"]
    if attribute == "status":
        return "Enabled" if rec["enabled"] else "Disabled"
    return rec["attrs"].get(attribute)


def expected(everyone, attribute, op, value):
    """Cognito's documented rule, applied to the full list."""
    out = set()
    for rec in everyone:
        v = value_of(rec, attribute)
        if v is None:
            continue
        want = value
        if attribute not in CASE_SENSITIVE:
            v, want = v.lower(), want.lower()
        if (op == "=" and v == want) or (op == "^=" and v.startswith(want)):
            out.add(rec["username"])
    return out


def quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_filter(everyone, attribute, op, value, label=None):
    expr = f"{attribute} {op} {quote(value)}"
    got_users, _ = list_all(expr)
    got = [u["Username"] for u in got_users]
    if len(got) != len(set(got)):
        fail(f"{expr}: a user was listed twice")
    want = expected(everyone, attribute, op, value)
    if set(got) != want:
        missing = sorted(want - set(got))[:5]
        extra = sorted(set(got) - want)[:5]
        fail(f"{expr}: {len(got)} users, expected {len(want)} (missing {missing}, extra {extra})")
    return len(want)


def main():
    rng = random.Random(20261129)

    # A user whose name holds quotes, for the escaping rule.
    idp.admin_create_user(
        UserPoolId=POOL_ID,
        Username="quote.person",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "name", "Value": 'Quinn "Q" Person'},
            {"Name": "email", "Value": "Quinn.Person@Example.com"},
        ],
    )

    # 1. Paging: every user exactly once.
    users, pages = list_all()
    names = [u["Username"] for u in users]
    if len(names) != len(set(names)):
        fail("paging returned a user twice")
    described = idp.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]
    if described["EstimatedNumberOfUsers"] != len(names):
        fail(f"{len(names)} users listed, EstimatedNumberOfUsers {described['EstimatedNumberOfUsers']}")
    if len(names) < EXPECT_AT_LEAST:
        fail(f"only {len(names)} users; the seed should have made {EXPECT_AT_LEAST}")
    if pages < len(names) // 60:
        fail(f"{pages} pages for {len(names)} users at Limit 60")
    # Smaller pages give the same set.
    small, _ = list_all(limit=7)
    if sorted(u["Username"] for u in small) != sorted(names):
        fail("Limit 7 paging lists a different set of users")
    ok(f"Limit 60 paging returns every user exactly once ({len(names)} users, {pages} pages)")

    everyone = [record(u) for u in users]

    # 2. Every searchable attribute, exact and prefix, values taken from real users and
    # re-cased where case must not matter.
    for attribute in SEARCHABLE:
        having = [r for r in everyone if value_of(r, attribute)]
        if not having:
            fail(f"no user has {attribute}")
        for sample in rng.sample(having, min(3, len(having))):
            v = value_of(sample, attribute)
            variants = [v]
            if attribute not in CASE_SENSITIVE:
                variants += [v.upper(), v.swapcase()]
            for variant in variants:
                n = check_filter(everyone, attribute, "=", variant)
                if n == 0:
                    fail(f"{attribute} = {variant!r} matched nobody, not even its owner")
            for length in (1, 3):
                check_filter(everyone, attribute, "^=", v[:length])
                if attribute not in CASE_SENSITIVE:
                    check_filter(everyone, attribute, "^=", v[:length].swapcase())
        if attribute == "username":
            # Case matters: a re-cased username finds only an exact owner (usually nobody).
            v = value_of(having[0], attribute)
            check_filter(everyone, attribute, "=", v.swapcase())
            check_filter(everyone, attribute, "^=", v[:3].swapcase())
        check_filter(everyone, attribute, "^=", "zz-nobody-has-this")
        ok(f"{attribute}: = and ^= match Cognito's rules")

    # 3. status, case-sensitive.
    enabled = check_filter(everyone, "status", "=", "Enabled")
    disabled = check_filter(everyone, "status", "=", "Disabled")
    if disabled == 0 or enabled + disabled != len(everyone):
        fail(f"Enabled {enabled} + Disabled {disabled} != {len(everyone)}")
    if check_filter(everyone, "status", "=", "disabled") != 0:
        fail("status is case-sensitive")
    check_filter(everyone, "status", "^=", "Dis")
    ok(f"status = Enabled / Disabled ({enabled} / {disabled}); lower case matches nobody")

    # 4. cognito:user_status, case-insensitive.
    counts = {}
    for status in ["CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"]:
        for variant in [status, status.lower(), status.capitalize()]:
            counts[variant] = check_filter(everyone, "cognito:user_status", "=", variant)
        if len({counts[status], counts[status.lower()], counts[status.capitalize()]}) != 1:
            fail(f"cognito:user_status = {status} depends on case")
    if counts["UNCONFIRMED"] == 0 or counts["FORCE_CHANGE_PASSWORD"] == 0:
        fail(f"the seed should mix statuses: {counts}")
    check_filter(everyone, "cognito:user_status", "^=", "force")
    ok("cognito:user_status matches without regard to case")

    # 5. Escaped quotes.
    if check_filter(everyone, "name", "=", 'Quinn "Q" Person') != 1:
        fail("the escaped-quote filter did not find its user")
    check_filter(everyone, "name", "^=", 'quinn "q')
    ok('escaped quotes (\\") in filter values')

    # 6. Empty filter.
    for expr in ["", "   "]:
        got, _ = list_all(expr)
        if sorted(u["Username"] for u in got) != sorted(names):
            fail(f"Filter {expr!r} does not list everyone")
    ok("an empty filter lists every user")

    # 7. Invalid filters.
    for bad in [
        "email",
        "email = ann",
        'email = "ann',
        'email == "ann"',
        'email = "a" and name = "b"',
        '= "x"',
    ]:
        try:
            idp.list_users(UserPoolId=POOL_ID, Filter=bad)
        except botocore.exceptions.ClientError as e:
            err = e.response["Error"]
            if (err["Code"], err["Message"]) != (
                "InvalidParameterException",
                "Error while parsing filter.",
            ):
                fail(f"{bad!r}: {err['Code']} {err['Message']!r}")
        else:
            fail(f"{bad!r} was accepted")
    try:
        idp.list_users(UserPoolId=POOL_ID, Filter='custom:team = "x"')
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] != "InvalidParameterException":
            fail(f"custom attribute filter: {e.response['Error']}")
    else:
        fail("a custom attribute was searchable")
    ok("invalid filters answer InvalidParameterException")

    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
