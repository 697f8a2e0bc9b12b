#!/usr/bin/env python3
"""boto3 (the AWS SDK for Python, unchanged from PyPI) drives every device operation of the
embedded user pool, and its errors, as an application's back end would against real Cognito.
The device's SRP math (its verifier, the DEVICE_PASSWORD_VERIFIER claim) is pycognito's.

1. CreateUserPool with DeviceConfiguration; DescribeUserPool shows it.
2. A sign-in answers NewDeviceMetadata; ConfirmDevice with pycognito's verifier, and its
   errors (unknown, malformed and another user's device key, no or bad verifier config, a
   second confirmation, a bad AccessToken).
3. GetDevice, UpdateDeviceStatus (and a status Cognito does not know), ListDevices paging.
4. Sign-in with DEVICE_KEY: DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER; a wrong DEVICE_KEY,
   a wrong device verifier (another device password), the spent Session; then tokens whose
   access token names the device. REFRESH_TOKEN_AUTH with DEVICE_KEY. pycognito's AWSSRP
   signs in with the device itself (its device SRP answers carry no Session).
5. The Admin variants for any user, and their errors.
6. ForgetDevice: the forgotten device answers "Device does not exist." everywhere, sign-in
   included; AdminDeleteUser forgets a user's devices; UpdateUserPool without
   DeviceConfiguration stops device tracking.

Environment:
  POOL_ENDPOINT   base URL of `cognito-tui serve` (no trailing slash)

Prints one line per check; exits non-zero with a reason on the first failure. Never prints
passwords, device secrets or tokens.
"""

import base64
import json
import os
import re
import sys

import boto3
import botocore.exceptions
from pycognito.aws_srp import AWSSRP, generate_hash_device


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def ok(msg):
    print(f"ok: {msg}", flush=True)


ENDPOINT = os.environ.get("POOL_ENDPOINT", "").rstrip("/")
if not ENDPOINT:
    fail("missing environment variable POOL_ENDPOINT")

idp = boto3.client("cognito-idp", endpoint_url=ENDPOINT, region_name="us-east-1")
PASSWORD = "Device-Passw0rd!"
NOT_FOUND = ("ResourceNotFoundException", "Device does not exist.")


def expect_error(fn, code, message=None):
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


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def sign_in(pool_id, client_id, username, device_key=None):
    params = {"USERNAME": username, "PASSWORD": PASSWORD}
    if device_key:
        params["DEVICE_KEY"] = device_key
    return idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
    )


def new_device(pool_id, client_id, username, name):
    """Signs in without a device and confirms the one the pool announces."""
    r = sign_in(pool_id, client_id, username)
    result = r["AuthenticationResult"]
    meta = result.get("NewDeviceMetadata")
    if not meta:
        fail(f"no NewDeviceMetadata: {sorted(result)}")
    password, config = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    idp.confirm_device(
        AccessToken=result["AccessToken"],
        DeviceKey=meta["DeviceKey"],
        DeviceSecretVerifierConfig=config,
        DeviceName=name,
    )
    return {
        "key": meta["DeviceKey"],
        "group": meta["DeviceGroupKey"],
        "password": password,
        "access": result["AccessToken"],
        "refresh": result["RefreshToken"],
    }


def device_srp(pool_id, client_id, username, device, session, device_password=None):
    """Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with pycognito's math."""
    srp = AWSSRP(
        username=username,
        password=PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=idp,
        device_key=device["key"],
        device_group_key=device["group"],
        device_password=device_password or device["password"],
    )
    r = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=session,
        ChallengeResponses={
            "USERNAME": username,
            "DEVICE_KEY": device["key"],
            "SRP_A": format(srp.large_a_value, "x"),
        },
    )
    if r.get("ChallengeName") != "DEVICE_PASSWORD_VERIFIER":
        fail(f"DEVICE_SRP_AUTH answered {r.get('ChallengeName')}")
    params = r["ChallengeParameters"]
    for k in ("SRP_B", "SALT", "SECRET_BLOCK", "USERNAME"):
        if k not in params:
            fail(f"DEVICE_PASSWORD_VERIFIER lacks {k}")
    answer = srp.process_device_challenge(params)
    return r["Session"], answer


def remembered(device_type):
    attrs = {a["Name"]: a["Value"] for a in device_type["DeviceAttributes"]}
    return attrs.get("dev:device_remembered_status"), attrs.get("device_name")


# 1. A pool that tracks devices.
pool = idp.create_user_pool(
    PoolName="boto3-devices",
    DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": False,
    },
)["UserPool"]
pool_id = pool["Id"]
described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
if described.get("DeviceConfiguration") != {
    "ChallengeRequiredOnNewDevice": True,
    "DeviceOnlyRememberedOnUserPrompt": False,
}:
    fail(f"DescribeUserPool DeviceConfiguration: {described.get('DeviceConfiguration')}")
client_id = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="devices",
    ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ],
)["UserPoolClient"]["ClientId"]
for name in ("dora", "otto"):
    idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
    )
ok("CreateUserPool DeviceConfiguration, shown by DescribeUserPool")

# 2. NewDeviceMetadata and ConfirmDevice.
r = sign_in(pool_id, client_id, "dora")["AuthenticationResult"]
meta = r["NewDeviceMetadata"]
key, access = meta["DeviceKey"], r["AccessToken"]
if not re.fullmatch(r"us-east-1_[0-9a-f-]+", key) or not meta["DeviceGroupKey"]:
    fail(f"NewDeviceMetadata shape: {meta}")
password, config = generate_hash_device(meta["DeviceGroupKey"], key)
unknown_key = "us-east-1_00000000-0000-4000-8000-000000000000"
expect_error(
    lambda: idp.confirm_device(
        AccessToken=access, DeviceKey=unknown_key, DeviceSecretVerifierConfig=config
    ),
    *NOT_FOUND,
)
expect_error(
    lambda: idp.confirm_device(
        AccessToken=access, DeviceKey="not a device key", DeviceSecretVerifierConfig=config
    ),
    "InvalidParameterException",
)
expect_error(
    lambda: idp.confirm_device(AccessToken=access, DeviceKey=key),
    "InvalidParameterException",
)
expect_error(
    lambda: idp.confirm_device(
        AccessToken=access,
        DeviceKey=key,
        DeviceSecretVerifierConfig={"PasswordVerifier": "%%%", "Salt": config["Salt"]},
    ),
    "InvalidParameterException",
    "Invalid device secret verifier config.",
)
expect_error(
    lambda: idp.confirm_device(
        AccessToken="not-a-token", DeviceKey=key, DeviceSecretVerifierConfig=config
    ),
    "NotAuthorizedException",
)
otto = sign_in(pool_id, client_id, "otto")["AuthenticationResult"]
expect_error(
    lambda: idp.confirm_device(
        AccessToken=otto["AccessToken"], DeviceKey=key, DeviceSecretVerifierConfig=config
    ),
    *NOT_FOUND,
)
confirmed = idp.confirm_device(
    AccessToken=access, DeviceKey=key, DeviceSecretVerifierConfig=config, DeviceName="laptop"
)
if confirmed.get("UserConfirmationNecessary") is not False:
    fail(f"UserConfirmationNecessary: {confirmed.get('UserConfirmationNecessary')}")
expect_error(
    lambda: idp.confirm_device(
        AccessToken=access, DeviceKey=key, DeviceSecretVerifierConfig=config
    ),
    "InvalidParameterException",
    "Device has already been confirmed.",
)
ok(
    "ConfirmDevice: unknown, malformed and another user's key, no or bad verifier, a bad token, "
    "a second confirmation refused"
)

# 3. GetDevice, UpdateDeviceStatus, ListDevices.
got = idp.get_device(AccessToken=access, DeviceKey=key)["Device"]
if got["DeviceKey"] != key or remembered(got) != ("remembered", "laptop"):
    fail(f"GetDevice: {got}")
expect_error(lambda: idp.get_device(AccessToken=access, DeviceKey=unknown_key), *NOT_FOUND)
expect_error(
    lambda: idp.get_device(AccessToken=otto["AccessToken"], DeviceKey=key), *NOT_FOUND
)
expect_error(
    lambda: idp.update_device_status(
        AccessToken=access, DeviceKey=key, DeviceRememberedStatus="forever"
    ),
    "InvalidParameterException",
)
expect_error(
    lambda: idp.update_device_status(
        AccessToken=access, DeviceKey=unknown_key, DeviceRememberedStatus="remembered"
    ),
    *NOT_FOUND,
)
idp.update_device_status(AccessToken=access, DeviceKey=key, DeviceRememberedStatus="not_remembered")
got = idp.get_device(AccessToken=access, DeviceKey=key)["Device"]
if remembered(got)[0] != "not_remembered":
    fail(f"UpdateDeviceStatus not_remembered: {got}")
idp.update_device_status(AccessToken=access, DeviceKey=key, DeviceRememberedStatus="remembered")
others = [new_device(pool_id, client_id, "dora", f"phone {i}") for i in range(2)]
page = idp.list_devices(AccessToken=access, Limit=2)
if len(page["Devices"]) != 2 or "PaginationToken" not in page:
    fail(f"ListDevices first page: {len(page['Devices'])} devices, token {'PaginationToken' in page}")
rest = idp.list_devices(AccessToken=access, Limit=2, PaginationToken=page["PaginationToken"])
keys = [d["DeviceKey"] for d in page["Devices"] + rest["Devices"]]
if sorted(keys) != sorted([key] + [o["key"] for o in others]) or "PaginationToken" in rest:
    fail(f"ListDevices pages: {keys}")
expect_error(
    lambda: idp.list_devices(AccessToken=access, PaginationToken="bogus"),
    "InvalidParameterException",
)
ok("GetDevice, UpdateDeviceStatus and its unknown status, ListDevices paging and a bad token")

# 4. Device SRP.
device = {"key": key, "group": meta["DeviceGroupKey"], "password": password}
challenge = sign_in(pool_id, client_id, "dora", key)
if challenge.get("ChallengeName") != "DEVICE_SRP_AUTH" or "AuthenticationResult" in challenge:
    fail(f"sign-in with DEVICE_KEY answered {challenge.get('ChallengeName')}")
expect_error(
    lambda: idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "dora", "DEVICE_KEY": others[0]["key"], "SRP_A": "ab"},
    ),
    *NOT_FOUND,
)
session, answer = device_srp(
    pool_id, client_id, "dora", device, challenge["Session"], device_password=others[0]["password"]
)
expect_error(
    lambda: idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=session,
        ChallengeResponses=answer,
    ),
    "NotAuthorizedException",
    "Incorrect username or password.",
)
expect_error(
    lambda: idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=session,
        ChallengeResponses=answer,
    ),
    "NotAuthorizedException",
)
challenge = sign_in(pool_id, client_id, "dora", key)
session, answer = device_srp(pool_id, client_id, "dora", device, challenge["Session"])
tokens = idp.respond_to_auth_challenge(
    ClientId=client_id,
    ChallengeName="DEVICE_PASSWORD_VERIFIER",
    Session=session,
    ChallengeResponses=answer,
)["AuthenticationResult"]
if "NewDeviceMetadata" in tokens or claims(tokens["AccessToken"]).get("device_key") != key:
    fail("device SRP tokens: a new device, or no device_key claim")
got = idp.get_device(AccessToken=tokens["AccessToken"], DeviceKey=key)["Device"]
if "DeviceLastAuthenticatedDate" not in got:
    fail("GetDevice after device SRP has no DeviceLastAuthenticatedDate")
refreshed = idp.initiate_auth(
    ClientId=client_id,
    AuthFlow="REFRESH_TOKEN_AUTH",
    AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": key},
)["AuthenticationResult"]
if claims(refreshed["AccessToken"]).get("device_key") != key:
    fail("REFRESH_TOKEN_AUTH with DEVICE_KEY: no device_key claim")
expect_error(
    lambda: idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": unknown_key},
    ),
    *NOT_FOUND,
)
ok(
    "DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER: a wrong DEVICE_KEY, a wrong device verifier, "
    "the spent Session, then tokens naming the device; REFRESH_TOKEN_AUTH with DEVICE_KEY"
)

# 4b. pycognito's own device sign-in: USER_SRP_AUTH, then device SRP answered without a Session.
srp_sign_in = AWSSRP(
    username="dora",
    password=PASSWORD,
    pool_id=pool_id,
    client_id=client_id,
    client=idp,
    device_key=key,
    device_group_key=meta["DeviceGroupKey"],
    device_password=password,
).authenticate_user()["AuthenticationResult"]
if claims(srp_sign_in["AccessToken"]).get("device_key") != key:
    fail("pycognito's device sign-in: no device_key claim")
ok("pycognito AWSSRP with the device: USER_SRP_AUTH, then device SRP without a Session")

# 5. The Admin variants.
listed = idp.admin_list_devices(UserPoolId=pool_id, Username="dora")["Devices"]
if len(listed) != 3:
    fail(f"AdminListDevices: {len(listed)} devices")
got = idp.admin_get_device(UserPoolId=pool_id, Username="dora", DeviceKey=key)["Device"]
if got["DeviceKey"] != key:
    fail(f"AdminGetDevice: {got}")
expect_error(
    lambda: idp.admin_get_device(UserPoolId=pool_id, Username="otto", DeviceKey=key), *NOT_FOUND
)
expect_error(
    lambda: idp.admin_get_device(UserPoolId=pool_id, Username="nobody", DeviceKey=key),
    "UserNotFoundException",
)
expect_error(
    lambda: idp.admin_list_devices(UserPoolId="us-east-1_nopool000", Username="dora"),
    "ResourceNotFoundException",
)
idp.admin_update_device_status(
    UserPoolId=pool_id, Username="dora", DeviceKey=key, DeviceRememberedStatus="not_remembered"
)
got = idp.admin_get_device(UserPoolId=pool_id, Username="dora", DeviceKey=key)["Device"]
if remembered(got)[0] != "not_remembered":
    fail(f"AdminUpdateDeviceStatus: {got}")
expect_error(
    lambda: idp.admin_update_device_status(
        UserPoolId=pool_id, Username="dora", DeviceKey=unknown_key,
        DeviceRememberedStatus="remembered",
    ),
    *NOT_FOUND,
)
idp.admin_forget_device(UserPoolId=pool_id, Username="dora", DeviceKey=others[1]["key"])
expect_error(
    lambda: idp.admin_forget_device(
        UserPoolId=pool_id, Username="dora", DeviceKey=others[1]["key"]
    ),
    *NOT_FOUND,
)
ok("AdminGetDevice, AdminListDevices, AdminUpdateDeviceStatus, AdminForgetDevice and their errors")

# 6. Forgotten devices.
idp.forget_device(AccessToken=tokens["AccessToken"], DeviceKey=key)
expect_error(lambda: idp.get_device(AccessToken=tokens["AccessToken"], DeviceKey=key), *NOT_FOUND)
expect_error(
    lambda: idp.forget_device(AccessToken=tokens["AccessToken"], DeviceKey=key), *NOT_FOUND
)
expect_error(
    lambda: idp.update_device_status(
        AccessToken=tokens["AccessToken"], DeviceKey=key, DeviceRememberedStatus="remembered"
    ),
    *NOT_FOUND,
)
expect_error(lambda: sign_in(pool_id, client_id, "dora", key), *NOT_FOUND)
idp.admin_delete_user(UserPoolId=pool_id, Username="dora")
idp.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
if idp.admin_list_devices(UserPoolId=pool_id, Username="dora")["Devices"]:
    fail("a re-created user inherited the deleted user's devices")
idp.update_user_pool(UserPoolId=pool_id)
if "DeviceConfiguration" in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]:
    fail("UpdateUserPool without DeviceConfiguration kept it")
r = sign_in(pool_id, client_id, "otto")["AuthenticationResult"]
if "NewDeviceMetadata" in r:
    fail("a pool without DeviceConfiguration announced a device")
ok(
    "a forgotten device answers Device does not exist. (sign-in included); AdminDeleteUser "
    "forgets devices; UpdateUserPool without DeviceConfiguration stops tracking"
)

idp.delete_user_pool(UserPoolId=pool_id)
print("ALL OK", flush=True)
