"""PreventUserExistenceErrors by timing: on the endpoint argv[1] (a pool made by setup.py, its
users user0..user{N-1}), times USER_PASSWORD_AUTH with a wrong password once per known user
(once, so no lockout) and once per unknown name, through a client with
PreventUserExistenceErrors=ENABLED, and prints the medians and their ratio."""

import statistics
import sys
import time

import boto3
from botocore.exceptions import ClientError

endpoint, users = sys.argv[1], int(sys.argv[2])
idp = boto3.client(
    "cognito-idp",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDBENCH",
    aws_secret_access_key="bench-secret",
)
pool = [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "bench"][0]
client = idp.create_user_pool_client(
    UserPoolId=pool["Id"],
    ClientName="existence",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    PreventUserExistenceErrors="ENABLED",
)["UserPoolClient"]["ClientId"]


def attempt(name):
    started = time.perf_counter()
    try:
        idp.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": "Wrong-Passw0rd!"},
        )
        raise SystemExit(f"{name} signed in with a wrong password")
    except ClientError as e:
        code = e.response["Error"]["Code"]
        assert code == "NotAuthorizedException", (name, code)
    return (time.perf_counter() - started) * 1000


attempt("warm-up")
known, unknown = [], []
for i in range(users):
    known.append(attempt(f"user{i}"))
    unknown.append(attempt(f"nobody{i}"))
k, u = statistics.median(known), statistics.median(unknown)
print(f"wrong password, known user: median {k:.2f} ms; unknown user: median {u:.2f} ms "
      f"(ratio {u / k:.2f}; same answer, NotAuthorizedException)")
