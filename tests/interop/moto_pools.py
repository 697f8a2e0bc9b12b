"""Creates the user pools and app clients the moto suite (tests/interop_moto.rs) drives our
client against, in a running moto server, with boto3. Prints one JSON object on stdout:

  {"username_pool": {"pool_id", "client_id"}, "email_pool": {"pool_id", "client_id"}}

- username_pool: plain usernames, email auto-verified, MFA OFF.
- email_pool: email as the username (UsernameAttributes), MFA ON with TOTP only. With
  INVITED_USER and TEMP_PASSWORD set, that user is created there by AdminCreateUser
  (FORCE_CHANGE_PASSWORD, invitation suppressed): moto offers MFA_SETUP only after
  NEW_PASSWORD_REQUIRED or an SRP sign-in.

Environment: POOL_ENDPOINT (moto's URL), dummy AWS credentials.
"""

import json
import os
import sys

import boto3

FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def client_for(idp, pool_id: str, name: str) -> str:
    return idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=name, ExplicitAuthFlows=FLOWS, GenerateSecret=False
    )["UserPoolClient"]["ClientId"]


def main() -> int:
    idp = boto3.client(
        "cognito-idp", endpoint_url=os.environ["POOL_ENDPOINT"], region_name="us-east-1"
    )
    plain = idp.create_user_pool(
        PoolName="moto-interop-usernames", AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    email = idp.create_user_pool(
        PoolName="moto-interop-emails",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=email,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )
    invited = os.environ.get("INVITED_USER")
    if invited:
        idp.admin_create_user(
            UserPoolId=email,
            Username=invited,
            TemporaryPassword=os.environ["TEMP_PASSWORD"],
            MessageAction="SUPPRESS",
        )
    print(
        json.dumps(
            {
                "username_pool": {"pool_id": plain, "client_id": client_for(idp, plain, "cli")},
                "email_pool": {"pool_id": email, "client_id": client_for(idp, email, "cli")},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
