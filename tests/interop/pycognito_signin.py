#!/usr/bin/env python3
"""pycognito (an independent SRP client, unchanged from PyPI) against the embedded user pool.

Environment:
  POOL_ENDPOINT   base URL of `cognito-tui serve`, e.g. http://127.0.0.1:41234 (no trailing slash)
  POOL_ID         the demo pool id
  CLIENT_ID       an app client without a secret
  SECRET_CLIENT_ID, SECRET_CLIENT_SECRET   an app client with a secret
  DEMO_USER, DEMO_PASSWORD                  a confirmed demo user

Prints one line per check; exits non-zero with a reason on the first failure. Never prints
passwords, secrets or tokens.
"""

import json
import os
import sys
import urllib.request
import uuid

import botocore.exceptions
from pycognito import Cognito


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
SECRET_CLIENT_ID = env("SECRET_CLIENT_ID")
SECRET_CLIENT_SECRET = env("SECRET_CLIENT_SECRET")
USER = env("DEMO_USER")
PASSWORD = env("DEMO_PASSWORD")


def cognito(username, client_id=CLIENT_ID, client_secret=None):
    return Cognito(
        POOL_ID,
        client_id,
        username=username,
        client_secret=client_secret,
        boto3_client_kwargs={"endpoint_url": ENDPOINT},
    )


def expect_client_error(fn, code, message=None):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        err = e.response.get("Error", {})
        if err.get("Code") != code:
            fail(f"expected {code}, got {err.get('Code')}: {err.get('Message')}")
        if message is not None and err.get("Message") != message:
            fail(f"expected message {message!r}, got {err.get('Message')!r}")
        return err
    fail(f"expected {code}, but the call succeeded")


# 1. SRP sign-in; pycognito verifies both tokens against the pool's JWKS and issuer.
u = cognito(USER)
u.authenticate(password=PASSWORD)
u.verify_tokens()
if u.id_claims.get("cognito:username") != USER:
    fail(f"id token names {u.id_claims.get('cognito:username')!r}")
if u.access_claims.get("token_use") != "access" or not u.access_claims.get("origin_jti"):
    fail("access token claims are not Cognito's")
ok("SRP sign-in, tokens verified against the JWKS")

user = u.get_user()
if user.username != USER:
    fail(f"GetUser returned {user.username!r}")
ok("GetUser with the access token")

old_access = u.access_token
u.renew_access_token()
if u.access_token == old_access:
    fail("REFRESH_TOKEN_AUTH returned the same access token")
u.verify_tokens()
ok("refresh (REFRESH_TOKEN_AUTH)")

# 2. A wrong password is rejected with Cognito's error.
expect_client_error(
    lambda: cognito(USER).authenticate(password=PASSWORD + "x"),
    "NotAuthorizedException",
    "Incorrect username or password.",
)
ok("wrong password rejected")

# 3. The same through a client with a secret (pycognito sends SECRET_HASH everywhere).
s = cognito(USER, SECRET_CLIENT_ID, SECRET_CLIENT_SECRET)
s.authenticate(password=PASSWORD)
s.verify_tokens()
s.renew_access_token()
ok("SRP sign-in and refresh with SECRET_HASH")
expect_client_error(
    lambda: cognito(USER, SECRET_CLIENT_ID, "not-the-secret").authenticate(password=PASSWORD),
    "NotAuthorizedException",
    f"Unable to verify secret hash for client {SECRET_CLIENT_ID}",
)
ok("wrong client secret rejected")

# 4. Register, read the code from the outbox, confirm, sign in.
name = "py-" + uuid.uuid4().hex[:10]
new_password = "Py-" + uuid.uuid4().hex[:12] + "!"
r = cognito(name)
r.set_base_attributes(email=f"{name}@example.org")
r.register(name, new_password)
with urllib.request.urlopen(f"{ENDPOINT}/_local/outbox", timeout=10) as resp:
    entries = json.load(resp)
codes = [e["code"] for e in entries if e["username"] == name and e["purpose"] == "SIGN_UP"]
if not codes:
    fail("no sign-up code in the outbox")
r.confirm_sign_up(codes[-1], username=name)
r2 = cognito(name)
r2.authenticate(password=new_password)
r2.verify_tokens()
ok("register, confirm with the outbox code, sign in")

# 5. Global sign-out revokes the access token.
access = r2.access_token
r2.logout()
expect_client_error(
    lambda: r2.client.get_user(AccessToken=access),
    "NotAuthorizedException",
    "Access Token has been revoked",
)
ok("global sign-out revokes the access token")

print("ALL OK", flush=True)
