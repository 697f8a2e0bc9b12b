#!/usr/bin/env python3
"""boto3 (the AWS SDK for Python, unchanged from PyPI) drives the signed-in user's account
operations against the embedded user pool and checks Cognito's errors for each:
UserAttributeUpdateSettings (AttributesRequireVerificationBeforeUpdate), UpdateUserAttributes,
VerifyUserAttribute (wrong, used codes), GetUserAttributeVerificationCode, ForgotPassword with an
unverified email, DeleteUserAttributes, ChangePassword, DeleteUser and passwordless SignUp.

Environment:
  POOL_ENDPOINT   base URL of `cognito-tui serve` (no trailing slash)
  POOL_ID         the demo pool id (its sign-in policy allows EMAIL_OTP)
  CLIENT_ID       the demo app client

Prints one line per check; exits non-zero with a reason on the first failure. Never prints
passwords, codes or tokens.
"""

import json
import os
import sys
import urllib.request
import uuid

import boto3
import botocore.exceptions


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
CLIENT_ID = env("CLIENT_ID")

idp = boto3.client("cognito-idp", endpoint_url=ENDPOINT, region_name="us-east-1")


def expect_error(fn, code, message=None, contains=None):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        err = e.response.get("Error", {})
        if err.get("Code") != code:
            fail(f"expected {code}, got {err.get('Code')}: {err.get('Message')}")
        if message is not None and err.get("Message") != message:
            fail(f"expected message {message!r}, got {err.get('Message')!r}")
        if contains is not None and contains not in (err.get("Message") or ""):
            fail(f"expected a message with {contains!r}, got {err.get('Message')!r}")
        return err
    fail(f"expected {code}, but the call succeeded")


def outbox(username, purpose):
    with urllib.request.urlopen(f"{ENDPOINT}/_local/outbox", timeout=30) as r:
        entries = json.load(r)
    found = [e for e in entries if e["username"] == username and e["purpose"] == purpose]
    if not found:
        fail(f"no {purpose} outbox entry for {username}")
    return found[-1]


def attrs(access):
    user = idp.get_user(AccessToken=access)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


MISMATCH = "Invalid verification code provided, please try again."
EXPIRED = "Invalid code provided, please request a code again."
suffix = uuid.uuid4().hex[:8]
password = "Acct-" + uuid.uuid4().hex[:8] + "A1!"

# A pool that keeps a verified email until the new one is verified; email is required.
expect_error(
    lambda: idp.create_user_pool(
        PoolName=f"acct-bad-{suffix}",
        AutoVerifiedAttributes=["email"],
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["phone_number"]},
    ),
    "InvalidParameterException",
    contains="AutoVerifiedAttributes",
)
pool_id = idp.create_user_pool(
    PoolName=f"acct-{suffix}",
    AutoVerifiedAttributes=["email"],
    UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
    Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
)["UserPool"]["Id"]
described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
if described.get("UserAttributeUpdateSettings") != {"AttributesRequireVerificationBeforeUpdate": ["email"]}:
    fail(f"DescribeUserPool: {described.get('UserAttributeUpdateSettings')}")
ok("UserAttributeUpdateSettings kept by CreateUserPool and DescribeUserPool, refused when not auto-verified")

client_id = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="app",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]


def make_user(pool, name):
    idp.admin_create_user(
        UserPoolId=pool,
        Username=name,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": f"{name}@example.org"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    idp.admin_set_user_password(UserPoolId=pool, Username=name, Password=password, Permanent=True)


def sign_in(client, name, pw):
    r = idp.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client,
        AuthParameters={"USERNAME": name, "PASSWORD": pw},
    )
    return r["AuthenticationResult"]["AccessToken"]


user = f"acct-{suffix}"
make_user(pool_id, user)
access = sign_in(client_id, user, password)
out = idp.update_user_attributes(
    AccessToken=access,
    UserAttributes=[{"Name": "email", "Value": f"{user}-new@example.org"}],
)
details = out.get("CodeDeliveryDetailsList") or []
if len(details) != 1 or details[0].get("AttributeName") != "email":
    fail(f"UpdateUserAttributes: {details}")
if outbox(user, "VERIFY_EMAIL")["destination"] != f"{user}-new@example.org":
    fail("the code did not go to the new email")
now = attrs(access)
if now.get("email") != f"{user}@example.org" or now.get("email_verified") != "true":
    fail("the old verified email did not stay while the new one is pending")
ok("UpdateUserAttributes: the verified email stays until the pending one is verified")

expect_error(
    lambda: idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code="000000"),
    "CodeMismatchException",
    MISMATCH,
)
code = outbox(user, "VERIFY_EMAIL")["code"]
idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
if attrs(access).get("email") != f"{user}-new@example.org":
    fail("VerifyUserAttribute did not put the new email in place")
expect_error(
    lambda: idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code),
    "ExpiredCodeException",
    EXPIRED,
)
ok("VerifyUserAttribute: a wrong code, then the code, then the used code (expired)")

resent = idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
if resent["CodeDeliveryDetails"]["DeliveryMedium"] != "EMAIL":
    fail(f"GetUserAttributeVerificationCode: {resent}")
expect_error(
    lambda: idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="nickname"),
    "InvalidParameterException",
    "Invalid attribute name: nickname cannot be verified",
)
expect_error(
    lambda: idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="phone_number"),
    "InvalidParameterException",
    "The user has no phone_number to verify",
)
ok("GetUserAttributeVerificationCode: resend, an attribute that cannot be verified, one the user lacks")

# On the demo pool (no AttributesRequireVerificationBeforeUpdate) the new email is unverified at
# once, and an unverified email cannot receive a password-reset code.
demo_user = f"acct-demo-{suffix}"
make_user(POOL_ID, demo_user)
demo_access = sign_in(CLIENT_ID, demo_user, password)
idp.update_user_attributes(
    AccessToken=demo_access,
    UserAttributes=[{"Name": "email", "Value": f"{demo_user}-new@example.org"}],
)
if attrs(demo_access).get("email_verified") != "false":
    fail("the changed email is still marked verified")
expect_error(
    lambda: idp.forgot_password(ClientId=CLIENT_ID, Username=demo_user),
    "InvalidParameterException",
    "Cannot reset password for the user as there is no registered/verified email or phone_number",
)
ok("ForgotPassword refused while the email is unverified")

expect_error(
    lambda: idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["email"]),
    "InvalidParameterException",
    contains="email: The attribute is required",
)
expect_error(
    lambda: idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["sub"]),
    "InvalidParameterException",
)
idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "nickname", "Value": "n"}])
idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["nickname"])
if "nickname" in attrs(access):
    fail("DeleteUserAttributes left nickname")
ok("DeleteUserAttributes: required and immutable attributes refused")

expect_error(
    lambda: idp.change_password(
        AccessToken=access, PreviousPassword=password + "x", ProposedPassword="Other-Passw0rd!"
    ),
    "NotAuthorizedException",
    "Incorrect username or password.",
)
expect_error(
    lambda: idp.change_password(
        AccessToken=access, PreviousPassword=password, ProposedPassword="alllowercase"
    ),
    "InvalidPasswordException",
)
ok("ChangePassword: a wrong previous password, a weak new one")

idp.delete_user(AccessToken=access)
expect_error(lambda: idp.get_user(AccessToken=access), "NotAuthorizedException")
expect_error(lambda: sign_in(client_id, user, password), "UserNotFoundException")
ok("DeleteUser: the access token is refused afterwards, and the user is gone")

nopass = f"nopw-{suffix}"
up = idp.sign_up(
    ClientId=CLIENT_ID,
    Username=nopass,
    UserAttributes=[{"Name": "email", "Value": f"{nopass}@example.org"}],
)
if up["UserConfirmed"] or not up.get("Session"):
    fail(f"passwordless SignUp: {up.get('UserConfirmed')}")
expect_error(
    lambda: idp.sign_up(
        ClientId=client_id,
        Username=f"nopw2-{suffix}",
        UserAttributes=[{"Name": "email", "Value": f"nopw2-{suffix}@example.org"}],
    ),
    "InvalidParameterException",
    "Password is required for this user pool",
)
ok("passwordless SignUp where EMAIL_OTP is allowed, refused where it is not")

idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
idp.delete_user_pool(UserPoolId=pool_id)
print("ALL OK", flush=True)
