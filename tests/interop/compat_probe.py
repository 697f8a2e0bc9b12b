"""Measures which Cognito user-pool operations a server supports, with boto3 and valid requests.

Usage: POOL_ENDPOINT=http://127.0.0.1:PORT python3 compat_probe.py [--name NAME]

Each row of the README's compatibility table is one probe: it creates what it needs (its own pool,
app client and users, through the server's own CreateUserPool), makes the calls with valid
requests, and checks the answer the way Cognito would give it. A row ends as one of

- supported        every call answered as Cognito does
- not implemented  the server does not have an operation (an "unknown operation" / "unsupported"
                   error, or HTTP 500/501 without a Cognito error)
- wrong            the server answered, but not as Cognito does (the detail says how)
- error            a call the row needs failed with an error Cognito would not send

Codes the server "sends" are read from `GET /_local/outbox` (cognito-tui serve) or, with
COGNITO_LOCAL_DB=<dir>, from cognito-local's `<dir>/<poolId>.json`. Where no code can be read, a
wrong code is still tried: a server that accepts it is "wrong".

Prints one JSON object on stdout: {"server", "rows": [{"row", "status", "detail"}]}.
Passwords and tokens are never printed.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import time
import traceback
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

PASSWORD = "Probe-Passw0rd!"
NEW_PASSWORD = "Probe-New-Passw0rd!"
FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
]


class Wrong(Exception):
    """The server answered, but not as Cognito does."""


class NotImplementedHere(Exception):
    """The server says it does not know the operation or flow in its own words."""


class NotMeasured(Exception):
    """The row cannot be measured on this server (the detail says why)."""


def err(e: ClientError):
    return (
        e.response.get("Error", {}).get("Code", "?"),
        e.response.get("Error", {}).get("Message", ""),
        e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
    )


def not_implemented(e: ClientError) -> bool:
    code, message, status = err(e)
    low = f"{code} {message}".lower()
    if code in ("UnknownOperationException", "InvalidAction", "UnknownOperation"):
        return True
    if "not implemented" in low or "unsupported" in low or "not supported" in low:
        return True
    return status in (500, 501) and code in ("500", "501", "InternalServerError", "InternalFailure")


def expect_error(call, code: str, message: str | None = None, what: str = ""):
    """Runs `call`, which Cognito refuses with `code` (and `message`)."""
    try:
        call()
    except ClientError as e:
        got, got_msg, _ = err(e)
        if got == code and (message is None or got_msg == message):
            # Cognito's own refusal (UnsupportedOperationException included).
            return
        if not_implemented(e):
            raise
        if got != code or (message is not None and got_msg != message):
            cognito = code if message is None else f"{code} {message!r}"
            raise Wrong(f"{what}: {got} {got_msg!r} (Cognito: {cognito})")
        return
    raise Wrong(f"{what}: accepted (Cognito: {code})")


def totp(secret_b32: str, at: float | None = None) -> str:
    s = secret_b32.upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0xF
    return f"{(struct.unpack('>I', mac[off:off + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


USED_STEPS: dict[tuple[str, str], set[int]] = {}


def fresh_totp(secret: str, user: str) -> str:
    """A code for the current step with time left to use it (some servers check that step only),
    never one this user already used (Cognito refuses a code twice: ExpiredCodeException)."""
    used = USED_STEPS.setdefault((secret, user), set())
    while int(time.time() // 30) in used or time.time() % 30 > 24:
        time.sleep(31 - time.time() % 30)
    used.add(int(time.time() // 30))
    return totp(secret)


def wrong_totp(secret: str) -> str:
    near = {totp(secret, time.time() + k * 30) for k in range(-2, 3)}
    return next(c for c in (f"{d}" * 6 for d in range(10)) if c not in near)


class Probe:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")
        self.idp = boto3.client(
            "cognito-idp",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        self.n = 0
        self.pool_id = None
        self.client_id = None
        self.code_source = self._code_source()

    # -- codes ------------------------------------------------------------------------------

    def _code_source(self) -> str:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/_local/outbox", timeout=5) as r:
                if isinstance(json.loads(r.read()), list):
                    return "outbox"
        except Exception:
            pass
        if os.environ.get("COGNITO_LOCAL_DB"):
            return "cognito-local"
        return "none"

    def code(self, username: str, purpose: str) -> str | None:
        if self.code_source == "outbox":
            with urllib.request.urlopen(f"{self.endpoint}/_local/outbox", timeout=5) as r:
                entries = json.loads(r.read())
            hits = [
                e["code"]
                for e in entries
                if e["username"] == username
                and e["purpose"] == purpose
                and e["pool_id"] == self.pool_id
            ]
            return hits[-1] if hits else None
        if self.code_source == "cognito-local":
            path = os.path.join(os.environ["COGNITO_LOCAL_DB"], f"{self.pool_id}.json")
            with open(path) as f:
                user = json.load(f).get("Users", {}).get(username, {})
            field = {"SIGN_UP": "ConfirmationCode", "FORGOT_PASSWORD": "ConfirmationCode"}.get(
                purpose, "MFACode"
            )
            return user.get(field)
        return None

    # -- fixtures ---------------------------------------------------------------------------

    def user(self, prefix: str = "u") -> str:
        self.n += 1
        return f"{prefix}{self.n}-{uuid.uuid4().hex[:6]}"

    def pool(self, **extra):
        pool_id = self.idp.create_user_pool(
            PoolName=f"probe-{uuid.uuid4().hex[:8]}", AutoVerifiedAttributes=["email"], **extra
        )["UserPool"]["Id"]
        try:
            client_id = self.idp.create_user_pool_client(
                UserPoolId=pool_id, ClientName="probe", ExplicitAuthFlows=FLOWS
            )["UserPoolClient"]["ClientId"]
        except ClientError:
            # Servers that do not know ALLOW_USER_AUTH yet.
            client_id = self.idp.create_user_pool_client(
                UserPoolId=pool_id, ClientName="probe", ExplicitAuthFlows=FLOWS[:3]
            )["UserPoolClient"]["ClientId"]
        return pool_id, client_id

    def confirmed_user(self, prefix: str = "u") -> str:
        name = self.user(prefix)
        self.idp.sign_up(
            ClientId=self.client_id,
            Username=name,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.org"}],
        )
        code = self.code(name, "SIGN_UP")
        if code is not None:
            # The code confirms the user and verifies the email (ForgotPassword needs that).
            self.idp.confirm_sign_up(ClientId=self.client_id, Username=name, ConfirmationCode=code)
        else:
            # AdminConfirmSignUp does not verify the email: mark it verified.
            self.idp.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=name)
            self.idp.admin_update_user_attributes(
                UserPoolId=self.pool_id,
                Username=name,
                UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            )
        return name

    def password_auth(self, name: str, password: str = PASSWORD) -> dict:
        return self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password},
        )

    def tokens(self, name: str, password: str = PASSWORD) -> dict:
        r = self.password_auth(name, password)
        if "AuthenticationResult" not in r:
            raise Wrong(f"USER_PASSWORD_AUTH answered {r.get('ChallengeName')} instead of tokens")
        return r["AuthenticationResult"]

    # -- rows -------------------------------------------------------------------------------

    def row_pools(self):
        pool_id, client_id = self.pool()
        self.pool_id, self.client_id = pool_id, client_id
        d = self.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        if d.get("Id") != pool_id:
            raise Wrong("DescribeUserPool names another pool")
        c = self.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        if c["UserPoolClient"].get("ClientId") != client_id:
            raise Wrong("DescribeUserPoolClient names another client")
        pools = self.idp.list_user_pools(MaxResults=60)["UserPools"]
        if pool_id not in [p["Id"] for p in pools]:
            raise Wrong("ListUserPools misses the new pool")
        clients = self.idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
        if client_id not in [c["ClientId"] for c in clients]:
            raise Wrong("ListUserPoolClients misses the new client")
        policy = {
            "MinimumLength": 10,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": True,
        }
        self.idp.update_user_pool(
            UserPoolId=pool_id,
            AutoVerifiedAttributes=["email"],
            Policies={"PasswordPolicy": policy},
        )
        d = self.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        got = d.get("Policies", {}).get("PasswordPolicy", {}).get("MinimumLength")
        if got != 10:
            raise Wrong(f"UpdateUserPool's MinimumLength 10 reads back as {got}")
        # TOTP MFA optional, for the MFA rows (which measure SetUserPoolMfaConfig themselves).
        try:
            self.idp.set_user_pool_mfa_config(
                UserPoolId=pool_id,
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration="OPTIONAL",
            )
        except ClientError:
            pass

    def row_sign_up(self):
        name = self.user()
        r = self.idp.sign_up(
            ClientId=self.client_id,
            Username=name,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.org"}],
        )
        if r.get("UserConfirmed") is not False or not r.get("UserSub"):
            raise Wrong(f"SignUp answered UserConfirmed={r.get('UserConfirmed')}")
        if r.get("CodeDeliveryDetails", {}).get("DeliveryMedium") != "EMAIL":
            raise Wrong("SignUp has no EMAIL CodeDeliveryDetails")
        expect_error(
            lambda: self.idp.sign_up(ClientId=self.client_id, Username=name, Password=PASSWORD),
            "UsernameExistsException",
            what="a second SignUp",
        )
        code = self.code(name, "SIGN_UP")
        wrong = "000000" if code != "000000" else "111111"
        expect_error(
            lambda: self.idp.confirm_sign_up(
                ClientId=self.client_id, Username=name, ConfirmationCode=wrong
            ),
            "CodeMismatchException",
            what="ConfirmSignUp with a wrong code",
        )
        if code is None:
            raise NotMeasured("ConfirmSignUp: the server's codes cannot be read")
        self.idp.confirm_sign_up(ClientId=self.client_id, Username=name, ConfirmationCode=code)
        status = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=name)["UserStatus"]
        if status != "CONFIRMED":
            raise Wrong(f"after ConfirmSignUp the user is {status}")

    def row_password_auth(self):
        name = self.confirmed_user()
        t = self.tokens(name)
        if not (t.get("AccessToken") and t.get("IdToken") and t.get("RefreshToken")):
            raise Wrong("USER_PASSWORD_AUTH tokens incomplete")
        expect_error(
            lambda: self.password_auth(name, "Wrong-Passw0rd!"),
            "NotAuthorizedException",
            "Incorrect username or password.",
            "a wrong password",
        )

    def row_srp(self):
        from pycognito.aws_srp import AWSSRP

        name = self.confirmed_user()
        issues = []

        def srp(password: str) -> dict:
            a = AWSSRP(name, password, self.pool_id, self.client_id, client=self.idp)
            r = self.idp.initiate_auth(
                ClientId=self.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=a.get_auth_params()
            )
            if r.get("ChallengeName") != "PASSWORD_VERIFIER":
                raise Wrong(f"USER_SRP_AUTH answered {r.get('ChallengeName')}")
            p = r["ChallengeParameters"]
            if p.get("USER_ID_FOR_SRP") != name and "USER_ID_FOR_SRP" not in " ".join(issues):
                issues.append("USER_ID_FOR_SRP is not the username")
            try:
                base64.b64decode(p["SECRET_BLOCK"], validate=True)
            except Exception:
                if "SECRET_BLOCK" not in " ".join(issues):
                    issues.append("SECRET_BLOCK is not base64")
            kw = {"Session": r["Session"]} if r.get("Session") else {}
            return self.idp.respond_to_auth_challenge(
                ClientId=self.client_id,
                ChallengeName="PASSWORD_VERIFIER",
                ChallengeResponses=a.process_challenge(p, {"USERNAME": name}),
                **kw,
            )

        try:
            expect_error(
                lambda: srp("Wrong-Passw0rd!"),
                "NotAuthorizedException",
                "Incorrect username or password.",
                "a proof made with a wrong password",
            )
        except Wrong as e:
            issues.insert(0, str(e))
        if "AuthenticationResult" not in srp(PASSWORD):
            issues.append("the right SRP proof got no tokens")
        if issues:
            raise Wrong("; ".join(issues))

    def row_refresh_auth(self):
        t = self.tokens(self.confirmed_user())
        r = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": t["RefreshToken"]},
        )["AuthenticationResult"]
        if not r.get("AccessToken") or r["AccessToken"] == t["AccessToken"]:
            raise Wrong("REFRESH_TOKEN_AUTH gave no new access token")

    def row_get_tokens_from_refresh_token(self):
        t = self.tokens(self.confirmed_user())
        time.sleep(1.1)
        r = self.idp.get_tokens_from_refresh_token(
            ClientId=self.client_id, RefreshToken=t["RefreshToken"]
        )["AuthenticationResult"]
        if not r.get("AccessToken") or r["AccessToken"] == t["AccessToken"]:
            raise Wrong("GetTokensFromRefreshToken gave no new access token")

    def row_revoke_token(self):
        t = self.tokens(self.confirmed_user())
        self.idp.revoke_token(ClientId=self.client_id, Token=t["RefreshToken"])
        expect_error(
            lambda: self.idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": t["RefreshToken"]},
            ),
            "NotAuthorizedException",
            what="the revoked refresh token",
        )

    def row_get_user_global_sign_out(self):
        name = self.confirmed_user()
        t = self.tokens(name)
        u = self.idp.get_user(AccessToken=t["AccessToken"])
        if u.get("Username") != name:
            raise Wrong(f"GetUser names {u.get('Username')}")
        attrs = {a["Name"]: a["Value"] for a in u.get("UserAttributes", [])}
        if attrs.get("email") != f"{name}@example.org" or not attrs.get("sub"):
            raise Wrong("GetUser attributes lack email or sub")
        self.idp.global_sign_out(AccessToken=t["AccessToken"])
        expect_error(
            lambda: self.idp.get_user(AccessToken=t["AccessToken"]),
            "NotAuthorizedException",
            what="GetUser after GlobalSignOut",
        )

    def row_change_password(self):
        name = self.confirmed_user()
        t = self.tokens(name)
        expect_error(
            lambda: self.idp.change_password(
                AccessToken=t["AccessToken"],
                PreviousPassword="Wrong-Passw0rd!",
                ProposedPassword=NEW_PASSWORD,
            ),
            "NotAuthorizedException",
            what="ChangePassword with a wrong previous password",
        )
        self.idp.change_password(
            AccessToken=t["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
        )
        self.tokens(name, NEW_PASSWORD)

    def row_forgot_password(self):
        name = self.confirmed_user()
        r = self.idp.forgot_password(ClientId=self.client_id, Username=name)
        if r.get("CodeDeliveryDetails", {}).get("DeliveryMedium") != "EMAIL":
            raise Wrong("ForgotPassword has no EMAIL CodeDeliveryDetails")
        code = self.code(name, "FORGOT_PASSWORD")
        wrong = "000000" if code != "000000" else "111111"
        expect_error(
            lambda: self.idp.confirm_forgot_password(
                ClientId=self.client_id, Username=name, ConfirmationCode=wrong, Password=NEW_PASSWORD
            ),
            "CodeMismatchException",
            what="ConfirmForgotPassword with a wrong code",
        )
        if code is None:
            raise NotMeasured("ConfirmForgotPassword: the server's codes cannot be read")
        self.idp.confirm_forgot_password(
            ClientId=self.client_id, Username=name, ConfirmationCode=code, Password=NEW_PASSWORD
        )
        self.tokens(name, NEW_PASSWORD)

    def _totp_user(self):
        """A signed-in user with TOTP verified and preferred; returns (name, secret)."""
        name = self.confirmed_user()
        access = self.tokens(name)["AccessToken"]
        secret = self.idp.associate_software_token(AccessToken=access)["SecretCode"]
        try:
            self.idp.verify_software_token(AccessToken=access, UserCode=wrong_totp(secret))
            raise Wrong("VerifySoftwareToken accepted a wrong code")
        except ClientError as e:
            if not_implemented(e):
                raise
            if err(e)[0] not in ("CodeMismatchException", "EnableSoftwareTokenMFAException"):
                raise Wrong(f"VerifySoftwareToken with a wrong code: {err(e)[0]}")
        r = self.idp.verify_software_token(AccessToken=access, UserCode=fresh_totp(secret, name))
        if r.get("Status") != "SUCCESS":
            raise Wrong(f"VerifySoftwareToken answered {r.get('Status')}")
        self.idp.set_user_mfa_preference(
            AccessToken=access,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        return name, secret

    def row_totp_setup(self):
        name, _ = self._totp_user()
        u = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=name)
        if u.get("PreferredMfaSetting") != "SOFTWARE_TOKEN_MFA":
            raise Wrong(f"PreferredMfaSetting is {u.get('PreferredMfaSetting')}")

    def row_totp_sign_in(self):
        name, secret = self._totp_user()
        r = self.password_auth(name)
        if r.get("ChallengeName") != "SOFTWARE_TOKEN_MFA":
            raise Wrong(f"sign-in answered {r.get('ChallengeName') or 'tokens'}, not SOFTWARE_TOKEN_MFA")

        def answer(code):
            return self.idp.respond_to_auth_challenge(
                ClientId=self.client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=r["Session"],
                ChallengeResponses={"USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": code},
            )

        expect_error(lambda: answer(wrong_totp(secret)), "CodeMismatchException", what="a wrong TOTP code")
        if "AuthenticationResult" not in answer(fresh_totp(secret, name)):
            raise Wrong("the right TOTP code got no tokens")

    def row_new_password_and_mfa_setup(self):
        pool_id, client_id = self.pool()
        self.idp.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration="ON",
        )
        cfg = self.idp.get_user_pool_mfa_config(UserPoolId=pool_id)
        if cfg.get("MfaConfiguration") != "ON":
            raise Wrong(f"GetUserPoolMfaConfig says {cfg.get('MfaConfiguration')}")
        name = self.user("invited")
        self.idp.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            TemporaryPassword=PASSWORD,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.org"}],
        )
        r = self.idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )
        if r.get("ChallengeName") != "NEW_PASSWORD_REQUIRED":
            raise Wrong(f"an invited user's sign-in answered {r.get('ChallengeName')}")
        r = self.idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=r["Session"],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD},
        )
        if r.get("ChallengeName") != "MFA_SETUP":
            raise Wrong(f"MFA ON: NEW_PASSWORD_REQUIRED answered {r.get('ChallengeName') or 'tokens'}")
        can = r["ChallengeParameters"].get("MFAS_CAN_SETUP")
        if not isinstance(can, str):
            raise Wrong(f"MFAS_CAN_SETUP is a {type(can).__name__}, not Cognito's JSON text")
        a = self.idp.associate_software_token(Session=r["Session"])
        v = self.idp.verify_software_token(Session=a["Session"], UserCode=fresh_totp(a["SecretCode"], name))
        r = self.idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="MFA_SETUP",
            Session=v["Session"],
            ChallengeResponses={"USERNAME": name},
        )
        if "AuthenticationResult" not in r:
            raise Wrong("MFA_SETUP answered without tokens")

    def _sms_pool(self):
        """A pool with SMS and TOTP MFA optional, and its client (made once)."""
        if getattr(self, "_sms", None) is None:
            sms = {"SnsCallerArn": "arn:aws:iam::123456789012:role/probe-sns", "ExternalId": "probe"}
            pool_id, client_id = self.pool(SmsConfiguration=sms)
            self.idp.set_user_pool_mfa_config(
                UserPoolId=pool_id,
                SmsMfaConfiguration={"SmsConfiguration": sms},
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration="OPTIONAL",
            )
            self._sms = (pool_id, client_id)
        return self._sms

    def _phone_user(self, pool_id: str) -> str:
        name = self.user("sms")
        self.idp.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            TemporaryPassword=PASSWORD,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "phone_number", "Value": "+15555550199"},
                {"Name": "phone_number_verified", "Value": "true"},
            ],
        )
        self.idp.admin_set_user_password(
            UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
        )
        return name

    def row_sms_mfa(self):
        pool_id, client_id = self._sms_pool()
        name = self._phone_user(pool_id)
        self.idp.admin_set_user_mfa_preference(
            UserPoolId=pool_id, Username=name, SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
        )

        def start():
            r = self.idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
            )
            if r.get("ChallengeName") != "SMS_MFA":
                raise Wrong(f"SMS MFA preferred: sign-in answered {r.get('ChallengeName') or 'tokens'}")
            return r

        r = start()
        issues = []
        if r["ChallengeParameters"].get("CODE_DELIVERY_DELIVERY_MEDIUM") != "SMS":
            issues.append("SMS_MFA has no CODE_DELIVERY_DELIVERY_MEDIUM / CODE_DELIVERY_DESTINATION")

        def answer(session, code):
            return self.idp.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="SMS_MFA",
                Session=session,
                ChallengeResponses={"USERNAME": name, "SMS_MFA_CODE": code},
            )

        self.pool_id, saved = pool_id, self.pool_id
        try:
            code = self.code(name, "MFA")
        finally:
            self.pool_id = saved
        wrong = "000000" if code != "000000" else "111111"
        try:
            expect_error(lambda: answer(r["Session"], wrong), "CodeMismatchException", what="a wrong SMS code")
        except Wrong as e:
            issues.append(str(e))
        if issues:
            raise Wrong("; ".join(issues))
        if code is None:
            raise NotMeasured("SMS_MFA: the server's codes cannot be read")
        if "AuthenticationResult" not in answer(r["Session"], code):
            raise Wrong("the right SMS code got no tokens")

    def row_select_mfa_type(self):
        pool_id, client_id = self._sms_pool()
        name = self._phone_user(pool_id)
        auth = {"USERNAME": name, "PASSWORD": PASSWORD}
        access = self.idp.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth
        )["AuthenticationResult"]["AccessToken"]
        secret = self.idp.associate_software_token(AccessToken=access)["SecretCode"]
        self.idp.verify_software_token(AccessToken=access, UserCode=fresh_totp(secret, name))
        self.idp.admin_set_user_mfa_preference(
            UserPoolId=pool_id,
            Username=name,
            SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
        )
        r = self.idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)
        if r.get("ChallengeName") != "SELECT_MFA_TYPE":
            raise Wrong(f"two MFA methods, none preferred: sign-in answered {r.get('ChallengeName') or 'tokens'}")
        can = r["ChallengeParameters"].get("MFAS_CAN_CHOOSE")
        if not isinstance(can, str) or set(json.loads(can)) != {"SMS_MFA", "SOFTWARE_TOKEN_MFA"}:
            raise Wrong(f"MFAS_CAN_CHOOSE is {can!r}")
        r = self.idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SELECT_MFA_TYPE",
            Session=r["Session"],
            ChallengeResponses={"USERNAME": name, "ANSWER": "SOFTWARE_TOKEN_MFA"},
        )
        if r.get("ChallengeName") != "SOFTWARE_TOKEN_MFA":
            raise Wrong(f"choosing SOFTWARE_TOKEN_MFA answered {r.get('ChallengeName')}")
        r = self.idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=r["Session"],
            ChallengeResponses={"USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": fresh_totp(secret, name)},
        )
        if "AuthenticationResult" not in r:
            raise Wrong("the TOTP code after SELECT_MFA_TYPE got no tokens")

    def row_user_auth(self):
        name = self.confirmed_user()
        try:
            r = self.idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_AUTH",
                AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
            )
        except ClientError as e:
            # A server that lists the AuthFlow values it knows, without USER_AUTH.
            code, message, _ = err(e)
            if code == "InvalidParameterException" and "USER_AUTH" in message and "enum" in message:
                raise NotImplementedHere(f"InitiateAuth: {message[:100]!r}")
            raise
        if "AuthenticationResult" not in r:
            raise Wrong(f"USER_AUTH with PASSWORD answered {r.get('ChallengeName')}")
        r = self.idp.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": name}
        )
        if r.get("ChallengeName") != "SELECT_CHALLENGE" or "PASSWORD" not in r.get("AvailableChallenges", []):
            raise Wrong(f"USER_AUTH without a preference answered {r.get('ChallengeName')}")
        r = self.idp.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName="SELECT_CHALLENGE",
            Session=r["Session"],
            ChallengeResponses={"USERNAME": name, "ANSWER": "PASSWORD", "PASSWORD": PASSWORD},
        )
        if "AuthenticationResult" not in r:
            raise Wrong("SELECT_CHALLENGE PASSWORD answered without tokens")

    def row_list_users(self):
        names = sorted(self.confirmed_user("lu") for _ in range(3))
        seen, token = [], None
        for _ in range(500):
            kw = {"PaginationToken": token} if token else {}
            page = self.idp.list_users(UserPoolId=self.pool_id, Limit=1, **kw)
            if len(page["Users"]) > 1:
                raise Wrong("ListUsers ignores Limit")
            seen += [u["Username"] for u in page["Users"]]
            token = page.get("PaginationToken")
            if not token:
                break
        if not set(names) <= set(seen):
            raise Wrong("paging with Limit=1 does not reach every user")
        hit = self.idp.list_users(UserPoolId=self.pool_id, Filter=f'username = "{names[1]}"')["Users"]
        if [u["Username"] for u in hit] != [names[1]]:
            raise Wrong("Filter username = does not select one user")
        hit = self.idp.list_users(UserPoolId=self.pool_id, Filter=f'email ^= "{names[0]}@"')["Users"]
        if [u["Username"] for u in hit] != [names[0]]:
            raise Wrong("Filter email ^= does not select one user")

    def row_admin(self):
        name = self.user("adm")
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=name,
            TemporaryPassword=PASSWORD,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.org"}],
        )
        if self.idp.admin_get_user(UserPoolId=self.pool_id, Username=name)["UserStatus"] != "FORCE_CHANGE_PASSWORD":
            raise Wrong("AdminCreateUser: not FORCE_CHANGE_PASSWORD")
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username=name, Password=NEW_PASSWORD, Permanent=True
        )
        t = self.tokens(name, NEW_PASSWORD)
        self.idp.admin_disable_user(UserPoolId=self.pool_id, Username=name)
        expect_error(
            lambda: self.password_auth(name, NEW_PASSWORD),
            "NotAuthorizedException",
            "User is disabled.",
            "a disabled user's sign-in",
        )
        self.idp.admin_enable_user(UserPoolId=self.pool_id, Username=name)
        t = self.tokens(name, NEW_PASSWORD)
        self.idp.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=name)
        expect_error(
            lambda: self.idp.get_user(AccessToken=t["AccessToken"]),
            "NotAuthorizedException",
            what="GetUser after AdminUserGlobalSignOut",
        )
        pending = self.user("adm")
        self.idp.sign_up(ClientId=self.client_id, Username=pending, Password=PASSWORD)
        self.idp.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=pending)
        if self.idp.admin_get_user(UserPoolId=self.pool_id, Username=pending)["UserStatus"] != "CONFIRMED":
            raise Wrong("AdminConfirmSignUp did not confirm")
        self.idp.admin_delete_user(UserPoolId=self.pool_id, Username=pending)
        expect_error(
            lambda: self.idp.admin_get_user(UserPoolId=self.pool_id, Username=pending),
            "UserNotFoundException",
            "User does not exist.",
            "AdminGetUser after AdminDeleteUser",
        )

    def row_admin_reset(self):
        name = self.confirmed_user("rst")
        self.idp.admin_reset_user_password(UserPoolId=self.pool_id, Username=name)
        status = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=name)["UserStatus"]
        if status != "RESET_REQUIRED":
            raise Wrong(f"AdminResetUserPassword left the user {status}")
        expect_error(
            lambda: self.password_auth(name),
            "PasswordResetRequiredException",
            what="sign-in after AdminResetUserPassword",
        )

    def row_admin_mfa(self):
        name, _ = self._totp_user()
        self.idp.admin_set_user_mfa_preference(
            UserPoolId=self.pool_id,
            Username=name,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )
        u = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=name)
        if "SOFTWARE_TOKEN_MFA" in (u.get("UserMFASettingList") or []):
            raise Wrong("AdminSetUserMFAPreference did not disable TOTP")
        if "AuthenticationResult" not in self.password_auth(name):
            raise Wrong("sign-in still asks for TOTP after AdminSetUserMFAPreference disabled it")

    # -- rows for test suites: server-side sign-in, client settings, teardown ----------------

    def _client(self, **extra) -> str:
        return self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName=f"probe-{uuid.uuid4().hex[:6]}", **extra
        )["UserPoolClient"]["ClientId"]

    def row_admin_auth(self):
        client = self._client(
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        )
        name = self.user("adm")
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=name,
            TemporaryPassword=PASSWORD,
            MessageAction="SUPPRESS",
        )
        r = self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )
        if r.get("ChallengeName") != "NEW_PASSWORD_REQUIRED":
            raise Wrong(f"AdminInitiateAuth answered {r.get('ChallengeName')} (Cognito: NEW_PASSWORD_REQUIRED)")
        done = self.idp.admin_respond_to_auth_challenge(
            UserPoolId=self.pool_id,
            ClientId=client,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=r["Session"],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD},
        )
        if "AccessToken" not in done.get("AuthenticationResult", {}):
            raise Wrong("AdminRespondToAuthChallenge NEW_PASSWORD_REQUIRED gave no tokens")
        expect_error(
            lambda: self.idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=client,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
            ),
            "NotAuthorizedException",
            "Incorrect username or password.",
            what="AdminInitiateAuth with the old password",
        )
        expect_error(
            lambda: self.idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": name, "PASSWORD": NEW_PASSWORD},
            ),
            "InvalidParameterException",
            "Auth flow not enabled for this client",
            what="AdminInitiateAuth on a client without ALLOW_ADMIN_USER_PASSWORD_AUTH",
        )

    def row_update_client(self):
        client = self._client(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
        self.idp.update_user_pool_client(
            UserPoolId=self.pool_id,
            ClientId=client,
            ClientName="probe-updated",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            CallbackURLs=["https://app.example.org/cb"],
            LogoutURLs=["https://app.example.org/bye"],
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email"],
            AllowedOAuthFlowsUserPoolClient=True,
            SupportedIdentityProviders=["COGNITO"],
            AccessTokenValidity=15,
            IdTokenValidity=15,
            TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
        )
        c = self.idp.describe_user_pool_client(UserPoolId=self.pool_id, ClientId=client)["UserPoolClient"]
        for member, want in [
            ("ClientName", "probe-updated"),
            ("CallbackURLs", ["https://app.example.org/cb"]),
            ("LogoutURLs", ["https://app.example.org/bye"]),
            ("AllowedOAuthFlows", ["code"]),
            ("AllowedOAuthScopes", ["openid", "email"]),
            ("AllowedOAuthFlowsUserPoolClient", True),
            ("AccessTokenValidity", 15),
        ]:
            if c.get(member) != want:
                raise Wrong(f"UpdateUserPoolClient's {member} reads back as {c.get(member)!r}")
        name = self.confirmed_user("val")
        r = self.idp.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )
        result = r.get("AuthenticationResult") or {}
        if result.get("ExpiresIn") != 900:
            raise Wrong(f"AccessTokenValidity 15 minutes: ExpiresIn is {result.get('ExpiresIn')}")
        payload = result["AccessToken"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if claims.get("exp", 0) - claims.get("iat", 0) != 900:
            raise Wrong("AccessTokenValidity 15 minutes: the access token's exp is not iat + 900")

    def row_token_revocation(self):
        client = self._client(
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            EnableTokenRevocation=False,
        )
        name = self.confirmed_user("rev")
        r = self.idp.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )
        refresh = r["AuthenticationResult"]["RefreshToken"]
        expect_error(
            lambda: self.idp.revoke_token(Token=refresh, ClientId=client),
            "UnsupportedOperationException",
            what="RevokeToken on a client with EnableTokenRevocation false",
        )

    def row_delete(self):
        client = self._client(ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
        self.idp.delete_user_pool_client(UserPoolId=self.pool_id, ClientId=client)
        expect_error(
            lambda: self.idp.describe_user_pool_client(UserPoolId=self.pool_id, ClientId=client),
            "ResourceNotFoundException",
            what="DescribeUserPoolClient after DeleteUserPoolClient",
        )
        pool_id = self.idp.create_user_pool(PoolName=f"probe-del-{uuid.uuid4().hex[:6]}")["UserPool"]["Id"]
        self.idp.delete_user_pool(UserPoolId=pool_id)
        expect_error(
            lambda: self.idp.describe_user_pool(UserPoolId=pool_id),
            "ResourceNotFoundException",
            f"User pool {pool_id} does not exist.",
            what="DescribeUserPool after DeleteUserPool",
        )

    def row_update_user_attributes(self):
        name = self.confirmed_user("attr")
        access = self.tokens(name)["AccessToken"]
        r = self.idp.update_user_attributes(
            AccessToken=access,
            UserAttributes=[{"Name": "email", "Value": f"new-{name}@example.org"}],
        )
        details = r.get("CodeDeliveryDetailsList") or []
        if [d.get("DeliveryMedium") for d in details] != ["EMAIL"]:
            raise Wrong(f"a new email on a pool that auto-verifies email: CodeDeliveryDetailsList is {details}")
        attrs = {a["Name"]: a["Value"] for a in self.idp.get_user(AccessToken=access)["UserAttributes"]}
        if attrs.get("email") != f"new-{name}@example.org":
            raise Wrong("UpdateUserAttributes did not change the email")
        if attrs.get("email_verified") != "false":
            raise Wrong(f"a changed email reads email_verified={attrs.get('email_verified')!r} (Cognito: false)")

    def row_region(self):
        other = boto3.client(
            "cognito-idp",
            endpoint_url=self.endpoint,
            region_name="eu-west-1",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        p = other.create_user_pool(PoolName=f"probe-eu-{uuid.uuid4().hex[:6]}")["UserPool"]
        if not p["Id"].startswith("eu-west-1_"):
            raise Wrong(f"a pool created with a client for eu-west-1 has the id {p['Id']}")
        if not p.get("Arn", "").startswith("arn:aws:cognito-idp:eu-west-1:"):
            raise Wrong(f"a pool created with a client for eu-west-1 has the ARN {p.get('Arn')}")

    def row_boolean_case(self):
        name = self.user("bool")
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": f"{name}@example.org"},
                {"Name": "email_verified", "Value": "True"},
            ],
        )
        attrs = {
            a["Name"]: a["Value"]
            for a in self.idp.admin_get_user(UserPoolId=self.pool_id, Username=name)["UserAttributes"]
        }
        if attrs.get("email_verified") != "true":
            raise Wrong(f"email_verified 'True' reads back as {attrs.get('email_verified')!r}")

    def row_custom_auth_without_triggers(self):
        client = self._client(ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"])
        name = self.confirmed_user("cus")
        expect_error(
            lambda: self.idp.initiate_auth(
                ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": name}
            ),
            "InvalidParameterException",
            "Custom auth lambda trigger is not configured for the user pool.",
            what="CUSTOM_AUTH on a pool without triggers",
        )


ROWS = [
    ("CreateUserPool, CreateUserPoolClient, DescribeUserPool, DescribeUserPoolClient, ListUserPools, ListUserPoolClients, UpdateUserPool", "row_pools"),
    ("SignUp, ConfirmSignUp", "row_sign_up"),
    ("InitiateAuth USER_PASSWORD_AUTH", "row_password_auth"),
    ("InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge PASSWORD_VERIFIER", "row_srp"),
    ("InitiateAuth REFRESH_TOKEN_AUTH", "row_refresh_auth"),
    ("GetTokensFromRefreshToken", "row_get_tokens_from_refresh_token"),
    ("RevokeToken", "row_revoke_token"),
    ("GetUser, GlobalSignOut", "row_get_user_global_sign_out"),
    ("ChangePassword", "row_change_password"),
    ("ForgotPassword, ConfirmForgotPassword", "row_forgot_password"),
    ("AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference", "row_totp_setup"),
    ("RespondToAuthChallenge SOFTWARE_TOKEN_MFA", "row_totp_sign_in"),
    ("SetUserPoolMfaConfig, GetUserPoolMfaConfig, AdminCreateUser + NEW_PASSWORD_REQUIRED, MFA_SETUP", "row_new_password_and_mfa_setup"),
    ("RespondToAuthChallenge SMS_MFA", "row_sms_mfa"),
    ("RespondToAuthChallenge SELECT_MFA_TYPE", "row_select_mfa_type"),
    ("InitiateAuth USER_AUTH (PREFERRED_CHALLENGE, SELECT_CHALLENGE)", "row_user_auth"),
    ("ListUsers (filters, paging)", "row_list_users"),
    ("AdminCreateUser, AdminGetUser, AdminSetUserPassword, AdminDisableUser, AdminEnableUser, AdminUserGlobalSignOut, AdminConfirmSignUp, AdminDeleteUser", "row_admin"),
    ("AdminResetUserPassword", "row_admin_reset"),
    ("AdminSetUserMFAPreference", "row_admin_mfa"),
    ("AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH + AdminRespondToAuthChallenge", "row_admin_auth"),
    ("UpdateUserPoolClient (OAuth fields, token validity driving exp)", "row_update_client"),
    ("EnableTokenRevocation false: RevokeToken refused", "row_token_revocation"),
    ("DeleteUserPoolClient, DeleteUserPool", "row_delete"),
    ("UpdateUserAttributes (a new email is unverified and gets a code)", "row_update_user_attributes"),
    ("CreateUserPool in the caller's region (id, ARN)", "row_region"),
    ("email_verified = \"True\" accepted", "row_boolean_case"),
    ("CUSTOM_AUTH without triggers: Cognito's error", "row_custom_auth_without_triggers"),
]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default=os.environ.get("PROBE_SERVER_NAME", "server"))
    args = ap.parse_args()
    probe = Probe(os.environ["POOL_ENDPOINT"])
    rows = []
    for title, method in ROWS:
        status, detail = "supported", ""
        try:
            if probe.pool_id is None and method != "row_pools":
                raise NotMeasured("no pool: CreateUserPool / CreateUserPoolClient failed")
            getattr(probe, method)()
        except Wrong as e:
            status, detail = "wrong", str(e)
        except NotMeasured as e:
            status, detail = "not measured", str(e)
        except NotImplementedHere as e:
            status, detail = "not implemented", str(e)
        except ClientError as e:
            code, message, http = err(e)
            op = e.operation_name
            if not_implemented(e):
                shown = "an HTML error page" if message.lstrip().startswith("<") else repr(message[:80])
                status, detail = "not implemented", f"{op}: HTTP {http} {code} {shown}"
            else:
                status, detail = "error", f"{op}: HTTP {http} {code} {message[:120]!r}"
        except Exception as e:  # a crash in the probe or a malformed answer
            status = "error"
            detail = f"{type(e).__name__}: {str(e)[:160]}"
            print(traceback.format_exc(), file=sys.stderr)
        rows.append({"row": title, "status": status, "detail": detail})
        print(f"{status:16} {title}" + (f"  -- {detail}" if detail else ""), file=sys.stderr)
    print(json.dumps({"server": args.name, "code_source": probe.code_source, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
