"""Creates, on the Cognito-compatible endpoint argv[1], a user pool, an app client allowing
USER_PASSWORD_AUTH and USERS confirmed users with one password, the same way on every server
(boto3, the admin API). Prints `CLIENT_ID` for the load script."""

import sys

import boto3

endpoint, users, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
idp = boto3.client(
    "cognito-idp",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDBENCH",
    aws_secret_access_key="bench-secret",
)
pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
client = idp.create_user_pool_client(
    UserPoolId=pool,
    ClientName="bench",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]
for i in range(users):
    name = f"user{i}"
    idp.admin_create_user(
        UserPoolId=pool,
        Username=name,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool, Username=name, Password=password, Permanent=True
    )
# One sign-in through the SDK proves the setup before the load starts.
out = idp.initiate_auth(
    ClientId=client,
    AuthFlow="USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "user0", "PASSWORD": password},
)
assert "AccessToken" in out["AuthenticationResult"], out
print(client)
