"""Creates the user pools and app clients the moto suite (tests/interop_moto.rs) drives our
client against, in a running moto server, with boto3. Prints one JSON object on stdout:

  {"username_pool": {"pool_id", "client_id"}, "email_pool": {"pool_id", "client_id"}}

- username_pool: plain usernames, email auto-verified, MFA OFF.
- email_pool: email as the username (UsernameAttributes), MFA ON with TOTP only, so a first
  sign-in gets MFA_SETUP.

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
