#!/usr/bin/env python3
"""boto3 (the AWS SDK for Python, unchanged from PyPI) drives challenge flows against the
embedded user pool, as an application's back end would against real Cognito:

1. AdminCreateUser -> InitiateAuth -> NEW_PASSWORD_REQUIRED -> RespondToAuthChallenge -> tokens.
2. CreateUserPool + SetUserPoolMfaConfig ON -> sign-in answers MFA_SETUP -> AssociateSoftwareToken
   / VerifySoftwareToken with the Session -> RespondToAuthChallenge MFA_SETUP -> tokens; the next
   sign-in answers SOFTWARE_TOKEN_MFA. TOTP codes are computed here with hmac/struct.
3. ForgotPassword -> ConfirmForgotPassword with the code from the outbox -> sign-in.
4. 50 CreateUserPool calls in a row (a suite that makes a pool per test): prints the median
   time of one; then AdminInitiateAuth / AdminRespondToAuthChallenge on the newest pool (its
   tokens are signed with its own keys), UpdateUserPoolClient, and DeleteUserPoolClient /
   DeleteUserPool for every pool made.

Environment:
  POOL_ENDPOINT   base URL of `cognito-tui serve` (no trailing slash)
  POOL_ID         the demo pool id
  CLIENT_ID       the demo app client (no secret, every flow allowed)

Prints one line per check; exits non-zero with a reason on the first failure. Never prints
passwords, secrets, codes or tokens.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import time
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


def outbox(username, purpose):
    with urllib.request.urlopen(f"{ENDPOINT}/_local/outbox", timeout=30) as r:
        entries = json.load(r)
    for e in reversed(entries):
        if e["username"] == username and e["purpose"] == purpose:
            return e
    fail(f"no {purpose} outbox entry for {username}")


def totp(secret_b32, at=None, step=30, digits=6):
    """RFC 6238 with SHA-1, written out so no extra package is needed."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8), casefold=True)
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def has_tokens(resp, what):
    result = resp.get("AuthenticationResult") or {}
    if not (result.get("AccessToken") and result.get("IdToken") and result.get("RefreshToken")):
        fail(f"{what}: expected tokens, got challenge {resp.get('ChallengeName')!r}")
    return result


def password_auth(client_id, username, password):
    return idp.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


suffix = uuid.uuid4().hex[:8]

# 1. NEW_PASSWORD_REQUIRED ---------------------------------------------------------------------
newbie = f"boto-{suffix}"
temp_password = "Temp-" + uuid.uuid4().hex[:8] + "A1!"
created = idp.admin_create_user(
    UserPoolId=POOL_ID,
    Username=newbie,
    TemporaryPassword=temp_password,
    UserAttributes=[
        {"Name": "email", "Value": f"{newbie}@example.org"},
        {"Name": "email_verified", "Value": "true"},
    ],
    DesiredDeliveryMediums=["EMAIL"],
)
if created["User"]["UserStatus"] != "FORCE_CHANGE_PASSWORD":
    fail(f"AdminCreateUser gave status {created['User']['UserStatus']}")
invitation = outbox(newbie, "INVITATION")
if invitation["code"] != temp_password:
    fail("the invitation does not carry the temporary password")
ch = password_auth(CLIENT_ID, newbie, temp_password)
if ch.get("ChallengeName") != "NEW_PASSWORD_REQUIRED":
    fail(f"expected NEW_PASSWORD_REQUIRED, got {ch.get('ChallengeName')!r}")
required = json.loads(ch["ChallengeParameters"]["requiredAttributes"])
if not isinstance(required, list):
    fail("requiredAttributes is not a JSON array")
new_password = "Chosen-" + uuid.uuid4().hex[:8] + "A1!"
done = idp.respond_to_auth_challenge(
    ClientId=CLIENT_ID,
    ChallengeName="NEW_PASSWORD_REQUIRED",
    Session=ch["Session"],
    ChallengeResponses={"USERNAME": newbie, "NEW_PASSWORD": new_password},
)
has_tokens(done, "NEW_PASSWORD_REQUIRED")
user = idp.admin_get_user(UserPoolId=POOL_ID, Username=newbie)
if user["UserStatus"] != "CONFIRMED":
    fail(f"after a new password the user is {user['UserStatus']}")
expect_client_error(
    lambda: idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=ch["Session"],
        ChallengeResponses={"USERNAME": newbie, "NEW_PASSWORD": new_password + "x"},
    ),
    "NotAuthorizedException",
    "Invalid session for the user, session can only be used once.",
)
has_tokens(password_auth(CLIENT_ID, newbie, new_password), "sign-in with the new password")
ok("AdminCreateUser -> NEW_PASSWORD_REQUIRED -> RespondToAuthChallenge -> tokens")

# 2. MFA ON -> MFA_SETUP with TOTP --------------------------------------------------------------
pool = idp.create_user_pool(PoolName=f"boto3-mfa-{suffix}")["UserPool"]
pool_id = pool["Id"]
client_id = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="boto3",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]
cfg = idp.set_user_pool_mfa_config(
    UserPoolId=pool_id,
    MfaConfiguration="ON",
    SoftwareTokenMfaConfiguration={"Enabled": True},
)
if cfg["MfaConfiguration"] != "ON" or not cfg["SoftwareTokenMfaConfiguration"]["Enabled"]:
    fail(f"SetUserPoolMfaConfig answered {cfg}")
got = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
if got["MfaConfiguration"] != "ON":
    fail(f"GetUserPoolMfaConfig answered {got['MfaConfiguration']}")
password = "Mfa-" + uuid.uuid4().hex[:8] + "A1!"
idp.admin_create_user(UserPoolId=pool_id, Username="totp", MessageAction="SUPPRESS")
idp.admin_set_user_password(UserPoolId=pool_id, Username="totp", Password=password, Permanent=True)

ch = password_auth(client_id, "totp", password)
if ch.get("ChallengeName") != "MFA_SETUP":
    fail(f"expected MFA_SETUP, got {ch.get('ChallengeName')!r}")
can_setup = json.loads(ch["ChallengeParameters"]["MFAS_CAN_SETUP"])
if "SOFTWARE_TOKEN_MFA" not in can_setup:
    fail(f"MFAS_CAN_SETUP is {can_setup}")
assoc = idp.associate_software_token(Session=ch["Session"])
secret = assoc["SecretCode"]
bad = str((int(totp(secret)) + 500000) % 10**6).zfill(6)
if bad in {totp(secret, time.time() + k * 30) for k in (-1, 0, 1)}:
    bad = str((int(bad) + 1) % 10**6).zfill(6)
expect_client_error(
    lambda: idp.verify_software_token(Session=assoc["Session"], UserCode=bad),
    "EnableSoftwareTokenMFAException",
)
verified = idp.verify_software_token(
    Session=assoc["Session"], UserCode=totp(secret), FriendlyDeviceName="boto3"
)
if verified["Status"] != "SUCCESS":
    fail(f"VerifySoftwareToken answered {verified['Status']}")
done = idp.respond_to_auth_challenge(
    ClientId=client_id,
    ChallengeName="MFA_SETUP",
    Session=verified["Session"],
    ChallengeResponses={"USERNAME": "totp"},
)
has_tokens(done, "MFA_SETUP")
me = idp.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])
if "SOFTWARE_TOKEN_MFA" not in me.get("UserMFASettingList", []):
    fail(f"GetUser lists {me.get('UserMFASettingList')}")
ok("SetUserPoolMfaConfig ON -> MFA_SETUP -> TOTP set up with the Session -> tokens")

# A code is accepted once: wait for the next 30-second step before signing in again.
time.sleep(30 - time.time() % 30 + 1)
ch = password_auth(client_id, "totp", password)
if ch.get("ChallengeName") != "SOFTWARE_TOKEN_MFA":
    fail(f"expected SOFTWARE_TOKEN_MFA, got {ch.get('ChallengeName')!r}")
expect_client_error(
    lambda: idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=ch["Session"],
        ChallengeResponses={"USERNAME": "totp", "SOFTWARE_TOKEN_MFA_CODE": bad},
    ),
    "CodeMismatchException",
    "Invalid code received for user",
)
done = idp.respond_to_auth_challenge(
    ClientId=client_id,
    ChallengeName="SOFTWARE_TOKEN_MFA",
    Session=ch["Session"],
    ChallengeResponses={"USERNAME": "totp", "SOFTWARE_TOKEN_MFA_CODE": totp(secret)},
)
has_tokens(done, "SOFTWARE_TOKEN_MFA")
ok("second sign-in answers SOFTWARE_TOKEN_MFA with a computed code")

# 3. ForgotPassword -> ConfirmForgotPassword ----------------------------------------------------
sent = idp.forgot_password(ClientId=CLIENT_ID, Username=newbie)
details = sent["CodeDeliveryDetails"]
if details.get("DeliveryMedium") != "EMAIL" or "@" not in details.get("Destination", ""):
    fail(f"CodeDeliveryDetails are {details}")
code = outbox(newbie, "FORGOT_PASSWORD")["code"]
wrong = str((int(code) + 1) % 10**6).zfill(6)
expect_client_error(
    lambda: idp.confirm_forgot_password(
        ClientId=CLIENT_ID, Username=newbie, ConfirmationCode=wrong, Password=new_password + "Z"
    ),
    "CodeMismatchException",
)
reset_password = "Reset-" + uuid.uuid4().hex[:8] + "A1!"
idp.confirm_forgot_password(
    ClientId=CLIENT_ID, Username=newbie, ConfirmationCode=code, Password=reset_password
)
expect_client_error(
    lambda: password_auth(CLIENT_ID, newbie, new_password),
    "NotAuthorizedException",
    "Incorrect username or password.",
)
has_tokens(password_auth(CLIENT_ID, newbie, reset_password), "sign-in after the reset")
ok("ForgotPassword -> ConfirmForgotPassword with the outbox code -> sign-in")

# 4. Many pools, server-side sign-in, teardown ---------------------------------------------------
timings = []
pools = []
for i in range(50):
    started = time.perf_counter()
    made = idp.create_user_pool(PoolName=f"boto3-bench-{i}")
    timings.append((time.perf_counter() - started) * 1000)
    pools.append(made["UserPool"]["Id"])
timings.sort()
median = (timings[24] + timings[25]) / 2
print(f"CreateUserPool x50: median {median:.1f} ms, slowest {timings[-1]:.1f} ms", flush=True)
if len(set(pools)) != 50:
    fail("CreateUserPool returned a pool id twice")
# A bound far below the ~233 ms of generating RSA keys on the request path; the target
# (<= 10 ms) is reported above rather than asserted, for a loaded CI machine.
if median > 50:
    fail(f"CreateUserPool median {median:.1f} ms: keys are generated on the request path")
ok("50 CreateUserPool calls in a row, keys ready ahead of need")

last = pools[-1]
client = idp.create_user_pool_client(
    UserPoolId=last,
    ClientName="server-side",
    ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]
temp = "Temp-" + uuid.uuid4().hex[:8] + "A1!"
idp.admin_create_user(
    UserPoolId=last, Username="server-user", TemporaryPassword=temp, MessageAction="SUPPRESS"
)
challenge = idp.admin_initiate_auth(
    UserPoolId=last,
    ClientId=client,
    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "server-user", "PASSWORD": temp},
)
if challenge.get("ChallengeName") != "NEW_PASSWORD_REQUIRED":
    fail(f"AdminInitiateAuth answered {challenge.get('ChallengeName')}")
done = idp.admin_respond_to_auth_challenge(
    UserPoolId=last,
    ClientId=client,
    ChallengeName="NEW_PASSWORD_REQUIRED",
    Session=challenge["Session"],
    ChallengeResponses={"USERNAME": "server-user", "NEW_PASSWORD": "Server-" + uuid.uuid4().hex[:8] + "A1!"},
)
has_tokens(done, "AdminRespondToAuthChallenge")
jwks = json.load(urllib.request.urlopen(f"{ENDPOINT}/{last}/.well-known/jwks.json", timeout=10))
demo_jwks = json.load(urllib.request.urlopen(f"{ENDPOINT}/{POOL_ID}/.well-known/jwks.json", timeout=10))
kid = json.loads(base64.urlsafe_b64decode(done["AuthenticationResult"]["IdToken"].split(".")[0] + "=="))["kid"]
if kid not in [k["kid"] for k in jwks["keys"]]:
    fail("the new pool's ID token is not signed with a key of its JWKS")
if {k["kid"] for k in jwks["keys"]} & {k["kid"] for k in demo_jwks["keys"]}:
    fail("a new pool shares signing keys with the demo pool")
ok("AdminInitiateAuth -> NEW_PASSWORD_REQUIRED -> AdminRespondToAuthChallenge -> tokens")

updated = idp.update_user_pool_client(
    UserPoolId=last,
    ClientId=client,
    ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    CallbackURLs=["https://app.example.com/callback"],
    AllowedOAuthFlows=["code"],
    AllowedOAuthScopes=["openid"],
    AllowedOAuthFlowsUserPoolClient=True,
    AccessTokenValidity=15,
    TokenValidityUnits={"AccessToken": "minutes"},
)["UserPoolClient"]
if updated.get("CallbackURLs") != ["https://app.example.com/callback"] or updated.get("AccessTokenValidity") != 15:
    fail(f"UpdateUserPoolClient answered {updated}")
ok("UpdateUserPoolClient keeps the OAuth fields and token validity")

idp.delete_user_pool_client(UserPoolId=last, ClientId=client)
for pool in pools:
    idp.delete_user_pool(UserPoolId=pool)
expect_client_error(lambda: idp.describe_user_pool(UserPoolId=last), "ResourceNotFoundException")
ok("DeleteUserPoolClient and DeleteUserPool for every pool made")

print("ALL OK", flush=True)
